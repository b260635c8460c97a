//! The batch pass (examples in the lanes of packs, register tiles) against the single-example
//! pass it replaces for training: a batch's loss and gradient are the mean of its examples'
//! losses and gradients from `Network::backprop`, for every layer kind, for batches of any
//! size (one, less than a block, whole blocks, ragged blocks, several parts), on one and two
//! threads; and the same thread count gives the same bits every time.

mod common;

use cnn::Tensor;
use cnn::loss::Loss;
use cnn::ndarray::{Array2, Array4, Axis};
use cnn::prelude::*;

network! {
    struct Seed { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid }
    struct LeNet {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }
    /// Strides, padding, rectangular kernels, every activation, average pooling, a final
    /// softmax.
    struct Mixed {
        input(2, 11x9) -> conv(5, 3x2, stride = 2, pad = 1) -> tanh -> conv(7, 3x3, pad = same)
            -> leaky_relu(0.1) -> avgpool(2x2, stride = 1) -> conv(3, 2x3, stride = 3, pad = 1)
            -> sigmoid -> dense(9) -> relu -> dense(4) -> softmax
    }
    /// Overlapping max pooling, a pointwise conv at stride 2 (whose input gradient has
    /// phases without taps), pooling before the first weights.
    struct Pools {
        input(3, 13x12) -> maxpool(2x2, stride = 1) -> conv(4, 1x1, stride = 2) -> relu
            -> maxpool(3x3, stride = 2) -> conv(6, 2x2) -> dense(5)
    }
    /// Images wide enough for the input gradient's tiles to run between its edge tiles, at
    /// strides 1 and 2, with and without padding.
    struct Wide {
        input(2, 11x45) -> conv(3, 3x3, pad = 1) -> relu -> conv(4, 3x3, stride = 2, pad = 1)
            -> relu -> conv(2, 5x5) -> dense(3)
    }
    /// Activations fused into a conv before overlapping max pooling, whose backward pass takes
    /// their backward step once a channel's gradient is summed.
    struct Overlap {
        input(2, 9x9) -> conv(3, 3x3) -> tanh -> maxpool(3x3, stride = 2) -> conv(2, 2x2)
            -> leaky_relu(0.1) -> maxpool(2x2, stride = 1) -> dense(3)
    }
    /// A kernel much wider than its image: its input gradient correlates a zero-bordered copy
    /// of dL/dZ rather than reading dL/dZ itself.
    struct WideKernel {
        input(2, 6x20) -> conv(3, 3x15, pad = same) -> relu -> conv(2, 3x3) -> dense(3)
    }
    /// Wide and tall kernels with padding and a stride of 3.
    struct Kernels {
        input(1, 16x17) -> conv(3, 3x7, pad = 2) -> relu -> conv(2, 6x3, stride = 3, pad = 2)
            -> relu -> dense(3)
    }
}

/// `values` into `to`, in order.
fn copy<'a>(to: &mut [f64], values: impl Iterator<Item = &'a f64>) {
    to.iter_mut().zip(values).for_each(|(d, &v)| *d = v);
}

/// `loss_and_grad` of the batch against the mean of `backprop` over its examples.
fn batch_equals_examples<N: Network<Scalar = f64>, L: Loss>(
    net: &N,
    loss: &L,
    n: usize,
    seed: u64,
) {
    let (x, y) = common::random_batch::<N>(n, seed);
    let (l, grad) = net.loss_and_grad(x.view(), y.view(), loss).unwrap();
    let mut input = N::Input::zeroed_box();
    let mut target = N::Output::zeroed_box();
    let mut expected = N::Params::zeroed_box();
    let mut total = 0.0;
    let scale = 1.0 / n as f64;
    for (xe, ye) in x.outer_iter().zip(y.outer_iter()) {
        copy(input.as_flat_mut(), xe.iter());
        copy(target.as_flat_mut(), ye.iter());
        total += net.backprop(&input, &target, loss, scale, &mut expected);
    }
    let what = format!("{} examples, {}", n, std::any::type_name::<N>());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
    assert!(
        close(l, total * scale),
        "{what}: loss {l} against {}",
        total * scale
    );
    for (k, (&g, &e)) in grad.iter().zip(expected.as_flat()).enumerate() {
        assert!(close(g, e), "{what}: parameter {k}: {g} against {e}");
    }
}

fn every_size<N: Network<Scalar = f64>, L: Loss>(net: &N, loss: &L) {
    for (i, n) in [1, 5, 8, 9, 16, 19, 40].into_iter().enumerate() {
        batch_equals_examples(net, loss, n, i as u64);
    }
}

#[test]
fn the_seed_network() {
    every_size(&Seed::<f64>::new(1), &HalfSquaredError);
}

#[test]
fn lenet5() {
    every_size(&LeNet::<f64>::new(2), &SoftmaxCrossEntropy);
}

#[test]
fn strides_padding_and_every_activation() {
    let net = Mixed::<f64>::new(3);
    every_size(&net, &SoftmaxCrossEntropy);
    // A loss that reads the softmax's output goes through its Jacobian.
    every_size(&net, &MeanSquaredError);
}

#[test]
fn pooling_and_pointwise_convolutions() {
    every_size(&Pools::<f64>::new(4), &HalfSquaredError);
}

#[test]
fn activations_before_overlapping_pools() {
    every_size(&Overlap::<f64>::new(8), &HalfSquaredError);
}

#[test]
fn wide_and_tall_kernels() {
    every_size(&Kernels::<f64>::new(5), &HalfSquaredError);
}

/// One and two threads agree to rounding; a thread count gives the same bits every time; and
/// in `f32` the batch pass agrees with the `f64` one to `f32` rounding.
#[test]
fn threads_and_precision() {
    let net = LeNet::<f64>::new(6);
    let (x, y) = common::random_batch::<LeNet<f64>>(37, 7);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            net.loss_and_grad(x.view(), y.view(), &SoftmaxCrossEntropy)
                .unwrap()
        })
    };
    let (l1, g1) = on(1);
    let (l2, g2) = on(2);
    assert_eq!(on(2), (l2, g2.clone()));
    assert!((l1 - l2).abs() <= 1e-12 * l1.abs());
    for (a, b) in g1.iter().zip(&g2) {
        assert!((a - b).abs() <= 1e-12 * (1.0 + a.abs()), "{a} against {b}");
    }

    let mut net32 = LeNet::<f32>::zeroed();
    for (p, &q) in net32.params_mut().iter_mut().zip(net.params()) {
        *p = q as f32;
    }
    let (x32, y32): (Array4<f32>, Array2<f32>) = (x.mapv(|v| v as f32), y.mapv(|v| v as f32));
    let (l32, g32) = net32
        .loss_and_grad(x32.view(), y32.view(), &SoftmaxCrossEntropy)
        .unwrap();
    assert!(
        (f64::from(l32) - l1).abs() <= 1e-5 * l1.abs(),
        "{l32} against {l1}"
    );
    let scale = g1.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    for (a, b) in g32.iter().zip(&g1) {
        assert!((f64::from(*a) - b).abs() <= 1e-5 * scale, "{a} against {b}");
    }
    // A strided view of the same batch gives the same result as a contiguous one.
    let mut reversed = x.clone();
    reversed.invert_axis(Axis(0));
    let mut y_reversed = y.clone();
    y_reversed.invert_axis(Axis(0));
    let (lr, _) = net
        .loss_and_grad(reversed.view(), y_reversed.view(), &SoftmaxCrossEntropy)
        .unwrap();
    assert!((lr - l1).abs() <= 1e-12 * l1.abs());
}

#[test]
fn wide_images_and_their_input_gradients() {
    let net = Wide::<f64>::new(6);
    every_size(&net, &HalfSquaredError);
    input_gradients_match(&net);
}

#[test]
fn kernels_wider_than_their_images() {
    let net = WideKernel::<f64>::new(9);
    every_size(&net, &HalfSquaredError);
    input_gradients_match(&net);
}

/// The input gradient of the batch pass against `input_gradient`, example by example.
fn input_gradients_match<N: Network<Scalar = f64>>(net: &N) {
    let n = 11;
    let (x, y) = common::random_batch::<N>(n, 3);
    let (_, _, dx) = net
        .loss_and_grads(x.view(), y.view(), &HalfSquaredError)
        .unwrap();
    let mut input = N::Input::zeroed_box();
    let mut target = N::Output::zeroed_box();
    let mut gx = N::Input::zeroed_box();
    for (e, (xe, ye)) in x.outer_iter().zip(y.outer_iter()).enumerate() {
        copy(input.as_flat_mut(), xe.iter());
        copy(target.as_flat_mut(), ye.iter());
        net.input_gradient(&input, &target, &HalfSquaredError, &mut gx);
        for (k, (&g, &b)) in gx
            .as_flat()
            .iter()
            .zip(dx.index_axis(cnn::ndarray::Axis(0), e).iter())
            .enumerate()
        {
            // The batch's gradient is of the mean loss: 1/n of each example's.
            let b = b * n as f64;
            assert!(
                (g - b).abs() <= 1e-12 * (1.0 + g.abs()),
                "example {e}, input value {k}: {b} against {g}"
            );
        }
    }
}
