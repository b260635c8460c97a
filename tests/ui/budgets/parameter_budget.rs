// a network's parameters have a budget (they live in the struct)
use cnn::network;

network! {
    pub struct N {
        input(100x100) -> dense(10000->1000)
    }
}

fn main() {}
