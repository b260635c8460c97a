// an option is given at most once
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3, stride = 1, stride = 2)
    }
}

fn main() {}
