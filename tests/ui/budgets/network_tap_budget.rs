// the kernel taps of all conv layers together have a budget (compile time grows with them)
use cnn::network;

network! {
    pub struct N {
        input(64x64) -> conv(15x15) -> relu -> conv(7x7) -> dense(10)
    }
}

fn main() {}
