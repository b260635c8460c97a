// one arrow joins two layers
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> -> conv(3x3)
    }
}

fn main() {}
