// a pooling window larger than its input
use cnn::network;

network! {
    pub struct P { input(6x6) -> conv(2, 3x3) -> maxpool(5x5) -> dense(1) }
}

fn main() {}
