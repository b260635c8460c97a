//! Networks from `network!` in a `#![no_std]` crate, built against `cnn` without its `std`
//! feature: `tests/no_std.rs` (in the repository's root) builds it.
//!
//! The build itself is the proof that neither `std` nor `alloc` is linked:
//! - the crate defines its own `#[panic_handler]`, which is a second `panic_impl` lang item, a
//!   compile error (E0152), as soon as `std` is anywhere in the dependency graph;
//! - it is a `staticlib`, a final artifact, and defines no `#[global_allocator]`: if any crate
//!   in the graph links `alloc`, rustc stops with "no global memory allocator found".
//!
//! The exported functions make rustc generate code for every pass a microcontroller needs:
//! `forward`, `evaluate`, `backprop` and `input_gradient`.
//!
//! Weights in flash: `SEED_NET` and `SEED_NET_INT8` are `static`s decoded by the compiler from
//! the images in `flash/` (written by `cnn::flash::image` and `cnn::flash::int8_image` on the
//! host; `tests/flash.rs` keeps them current). They are immutable data with no interior
//! mutability, so they are placed in `.rodata`: read-only memory, flash on a microcontroller.

#![no_std]
#![deny(missing_docs)]

use cnn::Network;
use cnn::loss::{HalfSquaredError, SoftmaxCrossEntropy};
use cnn::quant::Int8;

cnn::network! {
    /// The matrix-form example: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
    pub struct SeedNet {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
    }

    /// LeNet-5-like, for 28x28 digits: padded convolutions, both poolings, relu, tanh, softmax.
    pub struct LeNet {
        input(28x28)
            -> c1: conv(6, 5x5, pad = 2) -> relu -> maxpool(2x2)
            -> c2: conv(16, 5x5) -> tanh -> avgpool(2x2)
            -> f1: dense(120) -> leaky_relu(0.01) -> f2: dense(84) -> relu -> f3: dense(10) -> softmax
    }
}

/// The seed network's output for one image.
#[unsafe(no_mangle)]
pub fn seed_net_forward(net: &SeedNet, x: &[f32; SeedNet::INPUT_LEN]) -> [f32; 1] {
    net.forward(x)
}

/// The seed network's loss on one image, and its output.
#[unsafe(no_mangle)]
pub fn seed_net_evaluate(net: &SeedNet, x: &[f32; 484], target: &[f32; 1]) -> (f32, [f32; 1]) {
    net.evaluate(x, target, &HalfSquaredError)
}

/// One image's loss; adds its gradient, scaled by `scale`, to `grad`.
#[unsafe(no_mangle)]
pub fn seed_net_backprop(
    net: &SeedNet,
    x: &[f32; 484],
    target: &[f32; 1],
    scale: f32,
    grad: &mut [f32; SeedNet::PARAM_LEN],
) -> f32 {
    net.backprop(x, target, &HalfSquaredError, scale, grad)
}

/// A network with all-zero parameters, then set from `params` (weights from flash, say).
#[unsafe(no_mangle)]
pub fn seed_net_from_params(params: &[f32; SeedNet::PARAM_LEN]) -> SeedNet {
    let mut net = SeedNet::zeroed();
    net.params_mut().copy_from_slice(params);
    net
}

/// A trained seed network, in read-only memory.
#[cfg(not(feature = "cnn-std"))]
#[unsafe(no_mangle)]
pub static SEED_NET: SeedNet = SeedNet::from_flash(include_bytes!("../flash/seed_net.flash"));

/// The same network quantized to int8, in read-only memory.
#[unsafe(no_mangle)]
pub static SEED_NET_INT8: Int8<SeedNet> =
    SeedNet::int8_from_flash(include_bytes!("../flash/seed_net.int8"));

/// The output of the network in flash for one image.
#[cfg(not(feature = "cnn-std"))]
#[unsafe(no_mangle)]
pub fn seed_net_flash_forward(x: &[f32; SeedNet::INPUT_LEN]) -> [f32; 1] {
    SEED_NET.forward(x)
}

/// The int8 output of the quantized network in flash for one int8 image: integer arithmetic.
#[unsafe(no_mangle)]
pub fn seed_net_int8_forward(x: &[i8; SeedNet::INPUT_LEN]) -> [i8; 1] {
    SEED_NET_INT8.forward(x)
}

/// LeNet's class probabilities for one image.
#[unsafe(no_mangle)]
pub fn lenet_forward(net: &LeNet, x: &[f32; LeNet::INPUT_LEN]) -> [f32; 10] {
    net.forward(x)
}

/// LeNet's loss on one image (on the logits), and its probabilities.
#[unsafe(no_mangle)]
pub fn lenet_evaluate(net: &LeNet, x: &[f32; 784], target: &[f32; 10]) -> (f32, [f32; 10]) {
    net.evaluate(x, target, &SoftmaxCrossEntropy)
}

/// One image's loss; adds its gradient, scaled by `scale`, to `grad`.
#[unsafe(no_mangle)]
pub fn lenet_backprop(
    net: &LeNet,
    x: &[f32; 784],
    target: &[f32; 10],
    scale: f32,
    grad: &mut [f32; LeNet::PARAM_LEN],
) -> f32 {
    net.backprop(x, target, &SoftmaxCrossEntropy, scale, grad)
}

/// The gradient of one image's loss with respect to the image (a saliency map), and the loss.
#[unsafe(no_mangle)]
pub fn lenet_saliency(net: &LeNet, x: &[f32; 784], target: &[f32; 10]) -> ([f32; 784], f32) {
    net.input_gradient(x, target, &SoftmaxCrossEntropy)
}

/// Without `std` a panic has nowhere to go: stop here. (A second `panic_impl` if `std` is
/// linked, which is the point; with the `cnn-std` feature, `std` is linked on purpose and
/// provides it.)
#[cfg(not(feature = "cnn-std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
