// layer names are unique within a network
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> a: conv(3x3) -> a: relu
    }
}

fn main() {}
