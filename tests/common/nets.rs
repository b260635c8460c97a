//! The networks several test files use.

use cnn::prelude::*;

network! {
    /// The network of the derivation (`cnn::doc::derivation`): one 3x3 filter, sigmoid,
    /// dense 400 -> 1, sigmoid.
    pub struct SeedNet {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
    }

    /// The seed network with three filters: the same tensor names, other shapes.
    pub struct SeedNet3 {
        input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid
    }

    /// LeNet-5 with ReLU and max pooling, PyTorch's usual modernisation.
    pub struct LeNet5 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }
}
