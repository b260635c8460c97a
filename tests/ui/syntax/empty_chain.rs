// a network has at least one layer
use cnn::network;

network! {
    pub struct E {}
}

fn main() {}
