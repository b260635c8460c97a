// a kernel size has two dimensions; channels come from the previous layer
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3x3)
    }
}

fn main() {}
