// global_avgpool needs an image
use cnn::network;

network! {
    pub struct N {
        input(4, 8x8) -> dense(10) -> global_avgpool -> dense(3)
    }
}

fn main() {}
