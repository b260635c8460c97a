// conv takes the options `stride`, `pad` and `groups` only
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3, strid = 2)
    }
}

fn main() {}
