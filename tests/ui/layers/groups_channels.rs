// groups must divide the input's channels
use cnn::network;

network! {
    pub struct N {
        input(6, 8x8) -> conv(8, 3x3, groups = 4) -> dense(10)
    }
}

fn main() {}
