// the rules of every layer hold inside blocks: here a dense layer's input size
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> residual(dense(100->256) -> relu, shortcut = flatten) -> dense(10)
    }
}

fn main() {}
