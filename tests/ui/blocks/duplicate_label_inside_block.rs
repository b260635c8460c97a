// names are unique within a block too
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> residual(c: conv(4, 3x3, pad = 1) -> c: conv(4, 3x3, pad = 1)) -> dense(10)
    }
}

fn main() {}
