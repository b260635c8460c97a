// a stride is at least 1
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3, stride = 0)
    }
}

fn main() {}
