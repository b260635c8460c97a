// a dense layer has at least one output
use cnn::network;

network! {
    pub struct N {
        input(20x20) -> dense(400->0)
    }
}

fn main() {}
