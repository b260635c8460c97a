// a label may not take the name of an unlabelled layer (kind and ordinal)
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> dense1: conv(3x3) -> dense(4)
    }
}

fn main() {}
