// an unknown layer kind is an error, with the nearest known kind as a suggestion
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3) -> sigmod
    }
}

fn main() {}
