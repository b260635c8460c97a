// padding is 0 or more
use cnn::network;

network! {
    pub struct P { input(8x8) -> conv(3x3, pad = -1) }
}

fn main() {}
