//! The five networks of the benchmarks: `steps.rs` times their steps, `passes/` their layers.

use cnn::network;

network! {
    /// W1: the seed network.
    pub struct W1 {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
    }

    /// W2: the seed network with three filters.
    pub struct W2 {
        input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid
    }

    /// W3: LeNet-5.
    pub struct W3 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }

    /// W4: the digits network.
    pub struct W4 {
        input(8x8) -> conv(8, 3x3) -> relu -> maxpool(2x2) -> dense(72->10)
    }

    /// W5: a CIFAR-sized network, three padded 3x3 convolutions of 16 to 64 channels.
    pub struct W5 {
        input(3, 32x32) -> conv(16, 3x3, pad = 1) -> relu -> maxpool(2x2)
            -> conv(32, 3x3, pad = 1) -> relu -> maxpool(2x2)
            -> conv(64, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(1024->10)
    }
}
