// a network needs layers after its input
use cnn::network;

network! {
    pub struct Nothing { input(8x8) }
}

fn main() {}
