// a size has both a height and a width
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x)
    }
}

fn main() {}
