// a size is height x width, separated by `x`
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3y3)
    }
}

fn main() {}
