// a kernel must fit its input
use cnn::network;

network! {
    pub struct N {
        input(4x4) -> conv(5x5)
    }
}

fn main() {}
