// a network with nothing to train
use cnn::network;

network! {
    pub struct Fixed { input(8x8) -> relu -> maxpool(2x2) }
}

fn main() {}
