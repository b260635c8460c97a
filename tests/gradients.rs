//! Central finite differences in f64 against the generated backward pass: every parameter and
//! every input scalar, for the seed networks and for networks using every layer kind and
//! stride/padding combination.

use cnn::gradcheck::check_gradients;
use cnn::loss::Loss;
use cnn::ndarray::{Array2, Array4};
use cnn::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid }
    struct SeedNet3 { input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid }
    /// Strided, padded, non-square, several channels; relu, tanh, leaky relu, softmax.
    struct Mixed {
        input(2, 9x7) -> c1: conv(4, 3x2, stride = 2, pad = 1) -> tanh
            -> conv(3, 3x1, pad = same) -> leaky_relu(0.1) -> dense(8) -> relu -> dense(3) -> softmax
    }
    /// An activation straight after the input, and a conv whose stride leaves input rows unread.
    struct Skips { input(3, 10x9) -> sigmoid -> conv(2, 4x3, stride = 3) -> tanh -> dense(1) }
    /// Same padding with a non-square odd kernel, stacked convs, no dense layer.
    struct ConvOnly { input(1, 7x8) -> conv(3, 3x5, pad = same) -> relu -> conv(2, 3x3, stride = 2, pad = 1) }
}

/// The step of the fourth-order central differences: their truncation error is O(h^4), and a
/// step this small seldom moves a relu's input across its kink.
const H: f64 = 1e-5;
/// Below this, a gradient's relative error measures the differences' rounding noise
/// (about 1.5 eps |L| / h = 3e-11 |L|), so it is compared by absolute error instead.
const FLOOR: f64 = 1e-4;
const MAX_RELATIVE_ERROR: f64 = 1e-6;
const MAX_ABSOLUTE_ERROR: f64 = 1e-10;

fn batch<N: Network<Scalar = f64>>(n: usize, seed: u64) -> (Array4<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [c, h, w] = N::INPUT_SHAPE;
    let x = Array4::from_shape_simple_fn((n, c, h, w), || rng.random_range(-1.0..1.0));
    let y = Array2::from_shape_simple_fn((n, N::OUTPUT_LEN), || rng.random_range(0.0..1.0));
    (x, y)
}

fn check<N: Network<Scalar = f64>, L: Loss>(net: &N, loss: &L, what: &str) {
    let (x, y) = batch::<N>(3, 99);
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
    let (x, y) = batch::<SeedNet<f64>>(2, 3);
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
