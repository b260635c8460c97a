//! Networks at the size budgets run on small stacks: the parameters live on the heap (never
//! passing through the stack), and every batch function keeps the layers' outputs on the heap.
//! Each test runs in a thread of 2 MiB, what `std::thread::spawn` gives by default, in `f32`
//! and `f64`.

mod common;

use cnn::Float;
use cnn::gradcheck::check_gradients_of;
use cnn::ndarray::{Array2, Array4};
use cnn::prelude::*;

network! {
    /// About a million parameters, at the parameter budget.
    pub struct Wide {
        input(28x28) -> conv(16, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(330) -> relu
            -> dense(10)
    }

    /// Half a million layer values per example, at the activation budget: a padded
    /// convolution of a large image.
    pub struct Tall {
        input(1, 350x350) -> conv(3, 3x3, pad = 1) -> maxpool(4x4) -> dense(2)
    }
}

const STACK: usize = 2 << 20;

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the thread runs to the end on a 2 MiB stack");
}

fn exercise<N: Network>(seed: u64) {
    let net = N::new(seed);
    let zeroed = N::zeroed();
    let copy = net.clone();
    assert_eq!(copy.params(), net.params());
    let several = [N::new(seed + 1), N::new(seed + 2), zeroed.clone()];
    let [c, h, w] = N::INPUT_SHAPE;
    let x = Array4::from_shape_fn((3, c, h, w), |(n, _, i, j)| {
        N::Scalar::from_f64(((n + i * 7 + j * 3) % 11) as f64 / 11.0)
    });
    let mut y = Array2::from_elem((3, N::OUTPUT_LEN), N::Scalar::ZERO);
    y[[0, 1]] = N::Scalar::ONE;
    y[[1, 0]] = N::Scalar::ONE;
    y[[2, 1]] = N::Scalar::ONE;
    let out = net.forward_batch(x.view()).unwrap();
    assert_eq!(out.dim(), (3, N::OUTPUT_LEN));
    let (l, g) = net
        .loss_and_grad(x.view(), y.view(), &SoftmaxCrossEntropy)
        .unwrap();
    assert!(l.is_finite() && g.len() == N::PARAM_LEN);
    let mut trained = net.clone();
    trained
        .train_step(
            x.view(),
            y.view(),
            &SoftmaxCrossEntropy,
            &mut Adam::new(1e-3),
        )
        .unwrap();
    let dir = common::temp::TempDir::new();
    let path = dir.path().join("large.safetensors");
    trained.save(&path).unwrap();
    let back = N::load(&path).unwrap();
    assert_eq!(back.params(), trained.params());
    let data = cnn::data::Dataset {
        images: x.mapv(|v| v.to_f64() as f32),
        labels: vec![1, 0, 1],
        classes: N::OUTPUT_LEN,
    };
    Trainer::new()
        .epochs(1)
        .batch_size(2)
        .quiet()
        .fit(
            &mut trained,
            &data,
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.01),
        )
        .unwrap();
    drop(several);
}

#[test]
fn a_million_parameters_in_f32() {
    on_small_stack(|| exercise::<Wide>(1));
}

#[test]
fn a_million_parameters_in_f64() {
    on_small_stack(|| exercise::<Wide<f64>>(2));
}

#[test]
fn half_a_million_values_per_example() {
    on_small_stack(|| exercise::<Tall>(3));
    on_small_stack(|| exercise::<Tall<f64>>(4));
}

/// The gradient check of a network at the parameter budget, on a few of its weights.
#[test]
fn the_gradient_check_of_a_large_network() {
    on_small_stack(|| {
        let net = Wide::<f64>::new(5);
        let (x, y) = common::random_batch::<Wide<f64>>(2, 6);
        let some = (0..Wide::PARAM_LEN).step_by(50_000);
        let report = check_gradients_of(
            &net,
            x.view(),
            y.view(),
            &SoftmaxCrossEntropy,
            common::H,
            common::FLOOR,
            some,
        )
        .unwrap();
        common::assert_gradients_agree(&report, "Wide");
    });
}
