// a network's activations have a budget (the heap-free forward keeps them on the stack)
use cnn::network;

network! {
    pub struct N {
        input(1000x1000) -> conv(3x3)
    }
}

fn main() {}
