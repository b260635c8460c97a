// a number of filters is at least 1
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(0, 3x3)
    }
}

fn main() {}
