//! Central finite differences in f64 against the generated backward pass: every parameter and
//! every input scalar, for the seed networks, for networks using every layer kind and
//! stride/padding combination, through pooling and LeNet-5, and the fused softmax
//! cross-entropy. The tolerances are in `common/mod.rs`.

mod common;

use cnn::gradcheck::{check_gradients, check_gradients_of};
use cnn::loss::Loss;
use cnn::ndarray::Array2;
use cnn::prelude::*;
use common::nets::{LeNet5, SeedNet, SeedNet3};
use common::{
    FLOOR, H, MAX_ABSOLUTE_ERROR, MAX_RELATIVE_ERROR, assert_gradients_agree, random_batch,
};

network! {
    /// Strided, padded, non-square, several channels; relu, tanh, leaky relu, softmax.
    struct Mixed {
        input(2, 9x7) -> c1: conv(4, 3x2, stride = 2, pad = 1) -> tanh
            -> conv(3, 3x1, pad = same) -> leaky_relu(0.1) -> dense(8) -> relu -> dense(3) -> softmax
    }
    /// An activation straight after the input, and a conv whose stride leaves input rows unread.
    struct Skips { input(3, 10x9) -> sigmoid -> conv(2, 4x3, stride = 3) -> tanh -> dense(1) }
    /// Same padding with a non-square odd kernel, stacked convs, no dense layer.
    struct ConvOnly { input(1, 7x8) -> conv(3, 3x5, pad = same) -> relu -> conv(2, 3x3, stride = 2, pad = 1) }

    struct Pools {
        input(2, 9x8) -> conv(3, 2x2) -> tanh -> maxpool(3x2, stride = 2) -> avgpool(2x2, stride = 1)
            -> dense(4) -> sigmoid
    }

    struct WithSoftmax { input(2, 5x5) -> conv(3, 3x3) -> relu -> dense(4) -> softmax }
    struct Logits { input(2, 5x5) -> conv(3, 3x3) -> relu -> dense(4) }
}

fn check<N: Network<Scalar = f64>, L: Loss>(net: &N, loss: &L, what: &str) {
    let (x, y) = random_batch::<N>(3, 99);
    let report = check_gradients(net, x.view(), y.view(), loss, H, FLOOR).unwrap();
    assert_eq!(report.checked, N::PARAM_LEN + N::INPUT_LEN);
    println!("{what}: {report:?}");
    assert!(
        report.max_relative_error <= MAX_RELATIVE_ERROR
            && report.max_absolute_error <= MAX_ABSOLUTE_ERROR,
        "{what}: {report:?}"
    );
}

#[test]
fn seed_net() {
    check(&SeedNet::<f64>::new(1), &HalfSquaredError, "SeedNet");
}

#[test]
fn seed_net_three_filters() {
    check(&SeedNet3::<f64>::new(2), &HalfSquaredError, "SeedNet3");
}

#[test]
fn every_layer_kind_with_stride_and_padding() {
    check(
        &Mixed::<f64>::new(3),
        &SoftmaxCrossEntropy,
        "Mixed, cross-entropy",
    );
    check(
        &Mixed::<f64>::new(4),
        &MeanSquaredError,
        "Mixed, squared error",
    );
    check(&Skips::<f64>::new(5), &HalfSquaredError, "Skips");
    check(&ConvOnly::<f64>::new(6), &MeanSquaredError, "ConvOnly");
}

#[test]
fn binary_cross_entropy_through_a_sigmoid() {
    check(&SeedNet::<f64>::new(7), &BinaryCrossEntropy, "SeedNet, BCE");
}

/// A check that cannot fail is no check: a wrong gradient must be caught.
#[test]
fn the_check_catches_a_wrong_gradient() {
    let net = SeedNet::<f64>::new(1);
    let (x, y) = random_batch::<SeedNet<f64>>(2, 3);
    let good = check_gradients(&net, x.view(), y.view(), &HalfSquaredError, H, FLOOR).unwrap();
    assert!(good.max_relative_error <= MAX_RELATIVE_ERROR);
    // A loss whose reported gradient is off by 1% everywhere.
    struct Skewed;
    impl Loss for Skewed {
        const NAME: &'static str = "Skewed";
        fn example<T: cnn::Float>(&self, o: &[T], y: &[T], scale: T, d: &mut [T]) -> T {
            let l = HalfSquaredError.example(o, y, scale, d);
            d.iter_mut().for_each(|v| *v *= T::from_f64(1.01));
            l
        }
    }
    let bad = check_gradients(&net, x.view(), y.view(), &Skewed, H, FLOOR).unwrap();
    assert!(bad.max_relative_error > 5e-3, "{bad:?}");
}

#[test]
fn finite_differences_through_pooling() {
    let net = Pools::<f64>::new(3);
    let (x, y) = random_batch::<Pools<f64>>(3, 4);
    let report =
        check_gradients(&net, x.view(), y.view(), &BinaryCrossEntropy, 1e-5, 1e-4).unwrap();
    assert_eq!(report.checked, Pools::PARAM_LEN + 144);
    assert_gradients_agree(&report, "Pools");
}

/// Every parameter of conv1, every 5th of conv2, every bias, every 41st dense weight and every
/// input pixel: perturbing all 44,426 parameters four times each would take minutes, and the
/// weights of one tensor go through the same generated code.
#[test]
fn finite_differences_through_lenet5() {
    let net = LeNet5::<f64>::new(5);
    let (x, _) = random_batch::<LeNet5<f64>>(2, 6);
    let y = Array2::from_shape_fn((2, 10), |(e, k)| f64::from(k == 3 + e));
    let conv2_start = 6 * 25 + 6;
    let dense_start = conv2_start + 16 * 6 * 25 + 16;
    let tensors = <LeNet5<f64> as Network>::TENSORS;
    let selected: Vec<usize> = (0..LeNet5::PARAM_LEN)
        .filter(|&k| {
            k < conv2_start
                || (k < dense_start && k % 5 == 0)
                || tensors
                    .iter()
                    .any(|t| t.name.ends_with(".bias") && (t.offset..t.offset + t.len).contains(&k))
                || k % 41 == 0
        })
        .collect();
    let report = check_gradients_of(
        &net,
        x.view(),
        y.view(),
        &SoftmaxCrossEntropy,
        1e-5,
        1e-4,
        selected.iter().copied(),
    )
    .unwrap();
    assert_eq!(report.checked, selected.len() + 784);
    assert_gradients_agree(&report, "LeNet-5");
}

/// With a final softmax, cross-entropy is computed on the softmax's input and its gradient is
/// p - y: the same numbers as the network without the softmax, whose outputs are the logits.
#[test]
fn softmax_and_cross_entropy_are_fused() {
    let with = WithSoftmax::<f64>::new(8);
    let mut without = Logits::<f64>::zeroed();
    without.params_mut().copy_from_slice(with.params());
    let (x, _) = random_batch::<Logits<f64>>(4, 9);
    let y = Array2::from_shape_fn((4, 4), |(e, k)| f64::from(k == e % 4));
    let (l1, g1) = with
        .loss_and_grad(x.view(), y.view(), &SoftmaxCrossEntropy)
        .unwrap();
    let (l2, g2) = without
        .loss_and_grad(x.view(), y.view(), &SoftmaxCrossEntropy)
        .unwrap();
    assert_eq!(l1, l2);
    assert_eq!(g1, g2);
    // The outputs are probabilities.
    let p = with.forward_batch(x.view()).unwrap();
    for row in p.outer_iter() {
        approx::assert_relative_eq!(row.sum(), 1.0, max_relative = 1e-12);
    }
    // Other losses go through the softmax's Jacobian, checked by finite differences.
    let (_, targets) = random_batch::<WithSoftmax<f64>>(4, 10);
    let report = check_gradients(
        &with,
        x.view(),
        targets.view(),
        &MeanSquaredError,
        1e-5,
        1e-6,
    )
    .unwrap();
    assert!(report.checked_relatively > 100, "{report:?}");
    assert_gradients_agree(&report, "softmax + MSE");
}
