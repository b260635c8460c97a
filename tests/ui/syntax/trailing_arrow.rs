// a chain does not end with an arrow
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(3x3) ->
    }
}

fn main() {}
