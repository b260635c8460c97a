// softmax ends the network, so it cannot end a block
use cnn::network;

network! {
    pub struct N {
        input(10x1) -> residual(dense(10) -> softmax) -> dense(3)
    }
}

fn main() {}
