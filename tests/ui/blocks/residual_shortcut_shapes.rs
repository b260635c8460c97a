// the body and the shortcut of a block must have one shape
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> residual(conv(8, 3x3, stride = 2, pad = 1), shortcut = conv(8, 1x1)) -> dense(10)
    }
}

fn main() {}
