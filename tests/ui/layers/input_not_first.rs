// `input` is the first layer, and only the first
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> relu -> input(8x8)
    }
}

fn main() {}
