// a dropout probability outside [0, 1)
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> conv(8, 3x3) -> dropout(1.0) -> dense(10)
    }
}

fn main() {}
