//! The layers of real CNNs: pooling against the reference kernels, finite differences through
//! every layer kind and LeNet-5, the fused softmax cross-entropy, and initialisation by the
//! activation that follows.

use cnn::gradcheck::{check_gradients, check_gradients_of};
use cnn::ndarray::{Array2, Array3, Array4, Axis};
use cnn::prelude::*;
use cnn::{Init, Tensor, reference};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    /// LeNet-5 as in the issue (ReLU and max pooling, PyTorch's usual modernisation).
    pub struct LeNet5 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }

    struct Pools {
        input(2, 9x8) -> conv(3, 2x2) -> tanh -> maxpool(3x2, stride = 2) -> avgpool(2x2, stride = 1)
            -> dense(4) -> sigmoid
    }

    struct MaxOnly { input(2, 7x9) -> conv(2, 1x1) -> maxpool(3x3, stride = 2) }
    struct AvgOnly { input(3, 8x7) -> conv(2, 2x2) -> avgpool(2x3) }

    struct WithSoftmax { input(2, 5x5) -> conv(3, 3x3) -> relu -> dense(4) -> softmax }
    struct Logits { input(2, 5x5) -> conv(3, 3x3) -> relu -> dense(4) }

    struct Inits { input(6x6) -> conv(4, 3x3) -> maxpool(2x2) -> leaky_relu(0.2) -> dense(8) -> tanh -> dense(3) }
}

fn random_batch<N: Network<Scalar = f64>>(n: usize, seed: u64) -> (Array4<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [c, h, w] = N::INPUT_SHAPE;
    let x = Array4::from_shape_simple_fn((n, c, h, w), || rng.random_range(-1.0..1.0));
    let y = Array2::from_shape_simple_fn((n, N::OUTPUT_LEN), || rng.random_range(0.0..1.0));
    (x, y)
}

/// The same tolerances as tests/gradients.rs, where they are explained.
fn assert_gradients_agree(report: &cnn::gradcheck::GradCheck, what: &str) {
    println!("{what}: {report:?}");
    assert!(
        report.max_relative_error <= 1e-6 && report.max_absolute_error <= 1e-10,
        "{what}: {report:?}"
    );
}

#[test]
fn pooling_matches_the_reference() {
    for (max, seed) in [(true, 1), (false, 2)] {
        // One 1x1 conv of weight 1 in front, so the pool sees the input itself.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x3 = Array3::from_shape_simple_fn((2, 7, 9), || rng.random_range(-1.0..1.0));
        let x = x3.clone().insert_axis(Axis(0));
        let mut net = MaxOnly::<f64>::zeroed();
        net.params_mut()[..4].copy_from_slice(&[1.0, 0.0, 0.0, 1.0]);
        if max {
            let out = net.forward_batch(x.view()).unwrap();
            let expected = reference::pool2d(x3.view(), true, 3, 3, 2, 2);
            assert_eq!(out.as_slice().unwrap(), expected.as_slice().unwrap());
            let y = Array2::from_shape_simple_fn((1, MaxOnly::OUTPUT_LEN), || {
                rng.random_range(0.0..1.0)
            });
            let dout = &expected - &y.to_shape(expected.raw_dim()).unwrap();
            let dx = reference::pool2d_backward(x3.view(), dout.view(), true, 3, 3, 2, 2);
            let mut input = [0.0; 126];
            input.copy_from_slice(x.as_slice().unwrap());
            let (gx, _) = net.input_gradient(
                &input,
                y.as_slice().unwrap().try_into().unwrap(),
                &HalfSquaredError,
            );
            for (g, e) in gx.iter().zip(dx.iter()) {
                approx::assert_relative_eq!(*g, *e, epsilon = 1e-12);
            }
        } else {
            let x3 = Array3::from_shape_simple_fn((3, 8, 7), || rng.random_range(-1.0..1.0));
            let x = x3.clone().insert_axis(Axis(0));
            let mut net = AvgOnly::<f64>::new(seed);
            let w = Array4::from_shape_vec((2, 3, 2, 2), net.params()[..24].to_vec()).unwrap();
            net.params_mut()[24..].copy_from_slice(&[0.25, -0.5]);
            let b = cnn::ndarray::arr1(&[0.25, -0.5]);
            let conv = reference::conv2d(x3.view(), w.view(), b.view(), 1, 0);
            let expected = reference::pool2d(conv.view(), false, 2, 3, 2, 3);
            let out = net.forward_batch(x.view()).unwrap();
            for (o, e) in out.iter().zip(expected.iter()) {
                approx::assert_relative_eq!(*o, *e, max_relative = 1e-12);
            }
            let y = Array2::from_shape_simple_fn((1, AvgOnly::OUTPUT_LEN), || {
                rng.random_range(0.0..1.0)
            });
            let dout = &expected - &y.to_shape(expected.raw_dim()).unwrap();
            let dconv = reference::pool2d_backward(conv.view(), dout.view(), false, 2, 3, 2, 3);
            let (_, dw, db) = reference::conv2d_backward(x3.view(), w.view(), dconv.view(), 1, 0);
            let (_, grad) = net
                .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
                .unwrap();
            for (g, e) in grad.iter().zip(dw.iter().chain(db.iter())) {
                approx::assert_relative_eq!(*g, *e, max_relative = 1e-12, epsilon = 1e-14);
            }
        }
    }
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

#[test]
fn lenet5_trains() {
    // Ten classes of bars at ten positions, under noise: a task LeNet-5 learns in a few steps.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 64;
    let labels: Vec<usize> = (0..n).map(|_| rng.random_range(0..10)).collect();
    let x = Array4::from_shape_fn((n, 1, 28, 28), |(e, _, i, j)| {
        let k = labels[e];
        let on = if k < 5 {
            i / 5 == k && j > 3 && j < 24
        } else {
            j / 5 == k - 5 && i > 3 && i < 24
        };
        f32::from(on) + 0.1 * ((e * 13 + i * 7 + j * 3) % 10) as f32 / 10.0
    });
    let y = Array2::from_shape_fn((n, 10), |(e, k)| f32::from(labels[e] == k));
    let mut net = LeNet5::new(1);
    let mut sgd = Sgd::new(0.05).momentum(0.9);
    let first = net
        .train_step(x.view(), y.view(), &SoftmaxCrossEntropy, &mut sgd)
        .unwrap();
    let mut last = first;
    for _ in 0..30 {
        last = net
            .train_step(x.view(), y.view(), &SoftmaxCrossEntropy, &mut sgd)
            .unwrap();
    }
    assert!(last < first * 0.2, "loss {first} -> {last}");
    let out = net.forward_batch(x.view()).unwrap();
    let correct = out
        .outer_iter()
        .zip(&labels)
        .filter(|(row, k)| {
            row.iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap()
                .0
                == **k
        })
        .count();
    assert!(correct >= 60, "{correct} of {n}");
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

#[test]
fn initialisation_follows_the_activation_after_the_layer() {
    let inits: Vec<(&str, Init)> = <Inits as Network>::TENSORS
        .iter()
        .map(|t| (t.name, t.init))
        .collect();
    assert_eq!(
        inits,
        [
            // conv1 -> maxpool -> leaky_relu: He with the leaky slope, looking past the pool
            (
                "conv1.weight",
                Init::HeNormal {
                    negative_slope: 0.2
                }
            ),
            ("conv1.bias", Init::Zeros),
            ("dense1.weight", Init::XavierUniform),
            ("dense1.bias", Init::Zeros),
            ("dense2.weight", Init::XavierUniform),
            ("dense2.bias", Init::Zeros),
        ]
    );
    let lenet = <LeNet5<f64> as Network>::TENSORS;
    assert_eq!(
        lenet[0].init,
        Init::HeNormal {
            negative_slope: 0.0
        }
    );
    assert_eq!(lenet[8].init, Init::XavierUniform);
    // He's deviation sqrt(2 / fan_in) for dense1 (fan_in 256), within sampling error.
    let net = LeNet5::<f64>::new(3);
    let t = &lenet[4];
    assert_eq!(t.name, "dense1.weight");
    let w = &net.params()[t.offset..t.offset + t.len];
    let std = (w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64).sqrt();
    approx::assert_relative_eq!(std, (2.0f64 / 256.0).sqrt(), max_relative = 0.03);
    // Xavier's bound sqrt(6 / (fan_in + fan_out)) for the last layer.
    let t = &lenet[8];
    let bound = (6.0f64 / (84.0 + 10.0)).sqrt();
    let w = &net.params()[t.offset..t.offset + t.len];
    assert!(w.iter().all(|v| v.abs() <= bound));
    assert!(w.iter().any(|v| v.abs() > 0.9 * bound));
}

#[test]
fn tensors_of_lenet5() {
    let shapes: Vec<(&str, &[usize])> = <LeNet5 as Network>::TENSORS
        .iter()
        .map(|t| (t.name, t.shape))
        .collect();
    assert_eq!(shapes[0], ("conv1.weight", &[6, 1, 5, 5][..]));
    assert_eq!(shapes[2], ("conv2.weight", &[16, 6, 5, 5][..]));
    assert_eq!(shapes[4], ("dense1.weight", &[120, 256][..]));
    assert_eq!(LeNet5::PARAM_LEN, 44_426);
    let _ = <LeNet5 as Network>::Input::zeroed();
}

#[test]
fn summary_of_lenet5() {
    println!("{}", LeNet5::SUMMARY);
    let lines: Vec<&str> = LeNet5::SUMMARY.lines().collect();
    assert_eq!(lines[0], "LeNet5");
    assert!(lines[1].starts_with("layer"));
    // conv1: 6 filters, 24x24 outputs, 25 multiply-adds each: 2 * 86,400 FLOPs.
    assert!(
        lines.iter().any(|l| l.starts_with("conv1 (conv 5x5)")
            && l.contains("6x24x24")
            && l.contains("156")
            && l.ends_with("172,800")),
        "{}",
        LeNet5::SUMMARY
    );
    assert!(
        lines.iter().any(|l| l.starts_with("dense1 (dense)")
            && l.contains("30,840")
            && l.ends_with("61,440"))
    );
    assert!(LeNet5::SUMMARY.contains("parameters: 44,426"));
    // conv 86,400 + 153,600, dense 30,720 + 10,080 + 840 multiply-adds.
    assert_eq!(
        <LeNet5 as Network>::FORWARD_MACS,
        86_400 + 153_600 + 30_720 + 10_080 + 840
    );
    assert_eq!(
        <LeNet5 as Network>::TRAIN_MACS,
        2 * 86_400 + 3 * (153_600 + 30_720 + 10_080 + 840)
    );
}
