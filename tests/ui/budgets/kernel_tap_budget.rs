// a kernel's taps have a budget (each is an unrolled statement)
use cnn::network;

network! {
    pub struct N {
        input(64x64) -> conv(16x16)
    }
}

fn main() {}
