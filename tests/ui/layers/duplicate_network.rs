// two networks of one name in one invocation
use cnn::network;

network! {
    pub struct N { input(4x4) -> dense(2) }
    pub struct N { input(4x4) -> dense(3) }
}

fn main() {}
