// a conv needs an image, but a dense layer outputs a flat vector
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> dense(16) -> conv(3x3)
    }
}

fn main() {}
