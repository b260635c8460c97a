// groups must divide the filters
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> conv(6, 3x3, groups = 4) -> dense(10)
    }
}

fn main() {}
