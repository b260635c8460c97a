// the layer outputs of one example over the activation budget
use cnn::network;

network! {
    pub struct Big { input(8, 100x100) -> conv(64, 3x3) -> relu -> dense(1) }
}

fn main() {}
