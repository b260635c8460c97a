// an input size is at least 1 in each direction
use cnn::network;

network! {
    pub struct N {
        input(22x0)
    }
}

fn main() {}
