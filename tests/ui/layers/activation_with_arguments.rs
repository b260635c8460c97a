// sigmoid, relu, tanh and softmax take no arguments
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> relu(2)
    }
}

fn main() {}
