// softmax normalises the whole output, so it is the last layer
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> dense(10) -> softmax -> dense(2)
    }
}

fn main() {}
