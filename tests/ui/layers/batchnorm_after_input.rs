// batchnorm needs a layer output to normalise
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> batchnorm -> conv(8, 3x3) -> dense(10)
    }
}

fn main() {}
