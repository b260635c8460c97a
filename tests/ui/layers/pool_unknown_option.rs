// pooling takes a stride but no padding
use cnn::network;

network! {
    pub struct P { input(8x8) -> conv(3x3) -> avgpool(2x2, pad = 1) -> dense(1) }
}

fn main() {}
