// a network takes no generic parameters: it is generic over its scalar type already
use cnn::network;

network! {
    pub struct N<T> {
        input(8x8) -> conv(3x3)
    }
}

fn main() {}
