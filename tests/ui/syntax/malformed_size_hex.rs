// `0x5` lexes as a hexadecimal literal, but is read as a size with height 0
use cnn::network;

network! {
    pub struct N {
        input(0x5)
    }
}

fn main() {}
