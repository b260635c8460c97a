// a network's activations have a budget (they live on the stack)
use cnn::network;

network! {
    pub struct N {
        input(1000x1000) -> conv(3x3)
    }
}

fn main() {}
