// residual takes `shortcut = CHAIN` only
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> residual(conv(4, 3x3, pad = 1), shortcuts = conv(4, 1x1)) -> dense(10)
    }
}

fn main() {}
