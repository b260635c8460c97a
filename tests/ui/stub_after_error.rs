// a definition with an error gives a stub, so using the network adds no second error
use cnn::network;

network! {
    pub struct Bad {
        input(22x22) -> conv(3x3) -> dense(401->1)
    }
}

fn main() {
    let n = Bad::new(0);
    let y = n.forward(&[0.0; 4]);
    let _ = y[0];
    let _ = Bad::INPUT_LEN + Bad::PARAM_LEN;
}
