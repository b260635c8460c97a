// one invocation may define several networks: an error in one leaves the others usable
use cnn::network;

network! {
    pub struct Good {
        input(8x8) -> conv(3x3) -> dense(36->2)
    }
    pub struct Bad {
        input(8x8) -> conv(3x3) -> dense(64->2)
    }
}

fn main() {
    let net = Good::new(0);
    let y: [f32; 2] = net.forward(&[0.0; Good::INPUT_LEN]);
    let _ = y;
}
