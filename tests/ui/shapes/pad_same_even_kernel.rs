// `pad = same` needs an odd kernel
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(2x2, pad = same)
    }
}

fn main() {}
