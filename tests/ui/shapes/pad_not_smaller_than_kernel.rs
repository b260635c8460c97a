// padding is smaller than the kernel, as in PyTorch
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3, pad = 3)
    }
}

fn main() {}
