// a network starts with its input
use cnn::network;

network! {
    pub struct N {
        conv(3x3) -> relu
    }
}

fn main() {}
