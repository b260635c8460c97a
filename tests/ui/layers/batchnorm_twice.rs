// two batch norms in a row
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> conv(8, 3x3) -> batchnorm -> batchnorm -> dense(10)
    }
}

fn main() {}
