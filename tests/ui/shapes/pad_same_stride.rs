// `pad = same` needs stride 1, as in PyTorch
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3, stride = 2, pad = same)
    }
}

fn main() {}
