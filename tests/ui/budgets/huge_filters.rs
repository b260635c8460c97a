// a filter count whose weights overflow is an error naming the budget
use cnn::network;

network! {
    pub struct H { input(8x8) -> conv(4611686018427387904, 2x2) }
}

fn main() {}
