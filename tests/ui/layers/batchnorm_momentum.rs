// a momentum outside [0, 1]
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> conv(8, 3x3) -> batchnorm(momentum = 1.5) -> dense(10)
    }
}

fn main() {}
