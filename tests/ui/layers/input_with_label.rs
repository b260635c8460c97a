// the input has no tensors, so it takes no label
use cnn::network;

network! {
    pub struct N {
        x: input(8x8) -> relu
    }
}

fn main() {}
