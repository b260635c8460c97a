// the number of layers has a budget (compile time grows faster than it)
use cnn::network;

network! {
    pub struct N {
        input(8x8) -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> conv(1x1) -> relu -> dense(10)
    }
}

fn main() {}
