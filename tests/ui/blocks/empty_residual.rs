// a residual block needs a body
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> residual() -> dense(10)
    }
}

fn main() {}
