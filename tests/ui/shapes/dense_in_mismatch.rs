// dense(N->M) checks N against the flattened previous output
use cnn::network;

network! {
    pub struct N {
        input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(400->1)
    }
}

fn main() {}
