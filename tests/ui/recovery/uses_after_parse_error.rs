// a definition that does not parse is the only error: later uses of the network add none
use cnn::network;

network! {
    pub struct Bad {
        input(8x8) -> conv(3x3) relu
    }
}

fn main() {
    let n = Bad::new(0);
    let y = n.forward(&[0.0; 64]);
    let _ = y[0];
}
