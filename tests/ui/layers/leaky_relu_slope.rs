// a leaky relu's slope lies strictly between 0 and 1
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> dense(10) -> leaky_relu(1.5)
    }
}

fn main() {}
