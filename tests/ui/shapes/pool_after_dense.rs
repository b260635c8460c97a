// pooling needs an image
use cnn::network;

network! {
    pub struct P { input(8x8) -> dense(16) -> maxpool(2x2) }
}

fn main() {}
