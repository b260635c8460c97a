// a block's body and its input (the identity shortcut) must have one shape
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> residual(conv(8, 3x3, pad = 1)) -> dense(10)
    }
}

fn main() {}
