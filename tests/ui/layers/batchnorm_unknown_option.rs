// batchnorm takes `eps` and `momentum` only
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> conv(8, 3x3) -> batchnorm(epsilon = 1e-3) -> dense(10)
    }
}

fn main() {}
