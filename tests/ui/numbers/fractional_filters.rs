// counts are whole numbers, quoted as written
use cnn::network;

network! {
    pub struct F { input(8x8) -> conv(2.5, 3x3) }
}

fn main() {}
