// numbers past any budget are errors, never an overflow in the macro
use cnn::network;

network! {
    pub struct H { input(4294967296, 8x8) -> conv(4294967296, 1x1) }
}

fn main() {}
