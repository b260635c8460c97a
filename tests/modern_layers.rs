//! The layers of modern small CNNs: batch norm, dropout, grouped and depthwise convolution,
//! global average pooling, flatten and residual blocks. Their gradients in training mode
//! (batch statistics, which couple the examples: the check is of the whole batch's loss)
//! against finite differences in `f64`, inside and outside residual blocks; inference mode
//! against the formulas written out; the running statistics as PyTorch updates them.

mod common;

use cnn::Tensor;
use cnn::gradcheck::check_gradients;
use cnn::ndarray::{Array2, Array4, s};
use cnn::prelude::*;

network! {
    /// Batch norm after a conv (per channel) and after a dense layer (per feature).
    struct Norms {
        input(2, 6x5) -> conv(3, 3x3, pad = 1) -> batchnorm -> relu -> dense(4)
            -> batchnorm(eps = 1e-3, momentum = 0.2) -> tanh -> dense(2)
    }

    /// Grouped, depthwise and pointwise convolutions with stride and padding.
    struct Groups {
        input(4, 7x7) -> conv(6, 3x3, groups = 2, pad = 1) -> relu
            -> conv(6, 3x3, groups = 6, stride = 2, pad = 1) -> relu -> conv(3, 1x1) -> dense(2)
    }

    /// A residual block with an identity shortcut, one with a strided projection, global
    /// average pooling.
    struct Blocks {
        input(1, 8x8) -> conv(4, 3x3, pad = 1) -> batchnorm -> relu
            -> residual(conv(4, 3x3, pad = 1) -> batchnorm -> relu -> conv(4, 3x3, pad = 1) -> batchnorm) -> relu
            -> residual(conv(6, 3x3, stride = 2, pad = 1) -> batchnorm -> relu,
                        shortcut = conv(6, 1x1, stride = 2) -> batchnorm) -> relu
            -> global_avgpool -> dense(3)
    }

    /// A block inside a block, flatten, dropout off in inference, on in training.
    struct Nested {
        input(2, 5x5) -> conv(3, 3x3, pad = 1) -> tanh
            -> residual(residual(conv(3, 3x3, pad = 1) -> sigmoid) -> conv(3, 1x1)) -> flatten
            -> dense(6) -> dropout(0.0) -> dense(2) -> softmax
    }
}

fn check<N: Network<Scalar = f64>, L: cnn::loss::Loss>(net: &N, loss: &L, n: usize, what: &str) {
    let (x, y) = common::random_batch::<N>(n, 11);
    let report = check_gradients(net, x.view(), y.view(), loss, common::H, common::FLOOR).unwrap();
    assert_eq!(report.checked, N::PARAM_LEN + N::INPUT_LEN);
    assert!(report.kinks * 20 < report.checked, "{what}: {report:?}");
    common::assert_gradients_agree(&report, what);
}

/// A network whose batch norms have running statistics other than 0 and 1, so that
/// inference differs from a fresh network's.
fn trained<N: Network<Scalar = f64>>(seed: u64) -> N {
    let mut net = N::new(seed);
    let (x, y) = common::random_batch::<N>(9, seed + 1);
    let mut sgd = Sgd::new(0.05);
    for _ in 0..3 {
        net.train_step(x.view(), y.view(), &MeanSquaredError, &mut sgd)
            .unwrap();
    }
    net
}

#[test]
fn batch_norm_gradients_in_training_mode() {
    let net = trained::<Norms<f64>>(1);
    check(&net, &MeanSquaredError, 5, "Norms, 5 examples");
    check(
        &net,
        &HalfSquaredError,
        13,
        "Norms, 13 examples (two blocks)",
    );
}

#[test]
fn grouped_and_depthwise_gradients() {
    check(&Groups::<f64>::new(2), &HalfSquaredError, 3, "Groups");
}

#[test]
fn residual_block_gradients() {
    let net = trained::<Blocks<f64>>(3);
    check(&net, &SoftmaxCrossEntropy, 6, "Blocks");
}

#[test]
fn nested_blocks_flatten_and_dropout_gradients() {
    check(
        &Nested::<f64>::new(4),
        &SoftmaxCrossEntropy,
        4,
        "Nested, cross-entropy",
    );
    check(
        &Nested::<f64>::new(4),
        &MeanSquaredError,
        4,
        "Nested, squared error",
    );
}

/// The batch pass on one and two threads: the same up to rounding, as batch norm's statistics
/// are combined across the parts.
#[test]
fn batch_statistics_across_threads() {
    let net = trained::<Blocks<f64>>(5);
    let (x, y) = common::random_batch::<Blocks<f64>>(21, 6);
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
    let ((l1, g1), (l2, g2)) = (on(1), on(2));
    assert!((l1 - l2).abs() <= 1e-12 * l1.abs(), "{l1} {l2}");
    for (a, b) in g1.iter().zip(&g2) {
        assert!((a - b).abs() <= 1e-10 * (1.0 + a.abs()), "{a} {b}");
    }
}

/// Inference: batch norm with the running statistics, `y = gamma (x - mean) / sqrt(var + eps)
/// + beta`, written out for a conv's channels.
#[test]
fn inference_uses_the_running_statistics() {
    network! {
        struct One { input(1, 2x2) -> conv(2, 1x1) -> batchnorm -> dense(1) }
    }
    let mut net = One::<f64>::zeroed();
    // conv: w = [2, -1], b = [0.5, 0]; bn: gamma [1.5, 2], beta [0.25, -1]; dense: [1, 1, ...].
    let p = net.params_mut();
    p[..4].copy_from_slice(&[2.0, -1.0, 0.5, 0.0]);
    p[4..8].copy_from_slice(&[1.5, 2.0, 0.25, -1.0]);
    p[8..16].fill(1.0);
    p[16] = 0.0;
    let b = net.buffers_mut();
    b.copy_from_slice(&[0.1, -0.2, 4.0, 0.25]); // means, then variances
    let x = [1.0, 2.0, 3.0, 4.0];
    let eps: f64 = 1e-5;
    let bn = |z: f64, c: usize| {
        let (gamma, beta, mean, var) = (
            [1.5, 2.0][c],
            [0.25, -1.0][c],
            [0.1, -0.2][c],
            [4.0, 0.25][c],
        );
        gamma * (z - mean) / (var + eps).sqrt() + beta
    };
    let expected: f64 = x.iter().map(|&v| bn(2.0 * v + 0.5, 0) + bn(-v, 1)).sum();
    let y = net.forward(&x);
    assert!(
        (y[0] - expected).abs() < 1e-12,
        "{} against {expected}",
        y[0]
    );
    // The batch functions infer the same way.
    let xb = Array4::from_shape_vec((1, 1, 2, 2), x.to_vec()).unwrap();
    assert_eq!(net.forward_batch(xb.view()).unwrap()[[0, 0]], y[0]);
}

/// `train_step` updates the running statistics as PyTorch's `train()` does, with the unbiased
/// variance of the batch; `loss_and_grad` leaves them alone.
#[test]
fn running_statistics_follow_pytorch() {
    network! {
        struct Bn { input(1, 1x2) -> dense(2) -> batchnorm(momentum = 0.25) -> dense(1) }
    }
    let mut net = Bn::<f64>::new(1);
    let x = Array4::from_shape_vec((3, 1, 1, 2), vec![1.0, 2.0, -1.0, 0.5, 3.0, -2.0]).unwrap();
    let y = Array2::from_elem((3, 1), 0.5);
    let before = net.buffers().to_vec();
    net.loss_and_grad(x.view(), y.view(), &HalfSquaredError)
        .unwrap();
    assert_eq!(net.buffers(), &before[..]);
    assert_eq!(net.steps(), 0);
    // The dense layer's outputs, by hand.
    let p = net.params().to_vec();
    let z: Vec<[f64; 2]> = x
        .outer_iter()
        .map(|e| {
            let (a, b) = (e[[0, 0, 0]], e[[0, 0, 1]]);
            [p[0] * a + p[1] * b + p[4], p[2] * a + p[3] * b + p[5]]
        })
        .collect();
    net.train_step(x.view(), y.view(), &HalfSquaredError, &mut Sgd::new(0.0))
        .unwrap();
    for c in 0..2 {
        let mean = z.iter().map(|v| v[c]).sum::<f64>() / 3.0;
        let unbiased = z.iter().map(|v| (v[c] - mean).powi(2)).sum::<f64>() / 2.0;
        let rm = 0.75 * before[c] + 0.25 * mean;
        let rv = 0.75 * before[2 + c] + 0.25 * unbiased;
        assert!((net.buffers()[c] - rm).abs() < 1e-12);
        assert!((net.buffers()[2 + c] - rv).abs() < 1e-12);
    }
    assert_eq!(net.steps(), 1);
    // A statistic over one value is refused.
    let err = net
        .train_step(
            x.slice(s![..1, .., .., ..]),
            y.slice(s![..1, ..]),
            &HalfSquaredError,
            &mut Sgd::new(0.1),
        )
        .unwrap_err();
    assert!(err.to_string().contains("batchnorm1"), "{err}");
}

/// Dropout: the same state and batch give the same masks whatever the threads; a step draws
/// new ones; about P of the values are zeroed, the others scaled by 1 / (1 - P); inference is
/// the identity.
#[test]
fn dropout_masks_are_deterministic() {
    network! {
        struct Drop { input(1, 4x4) -> dense(64) -> dropout(0.25) -> dense(1) }
    }
    let net = Drop::<f64>::new(2);
    let (x, y) = common::random_batch::<Drop<f64>>(19, 3);
    let on = |net: &Drop<f64>, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            net.loss_and_grad(x.view(), y.view(), &HalfSquaredError)
                .unwrap()
        })
    };
    let (a, b) = (on(&net, 1), on(&net, 2));
    assert!((a.0 - b.0).abs() < 1e-12 && a.1.iter().zip(&b.1).all(|(p, q)| (p - q).abs() < 1e-12));
    let mut stepped = net.clone();
    stepped
        .train_step(x.view(), y.view(), &HalfSquaredError, &mut Sgd::new(0.0))
        .unwrap();
    assert_ne!(on(&stepped, 1).0, a.0, "a step draws new masks");
    // The second dense layer's weight gradient is zero exactly where a value was dropped
    // for every example: check the fraction dropped on one example.
    let one = x.slice(s![..1, .., .., ..]);
    let (_, g) = net
        .loss_and_grad(one, y.slice(s![..1, ..]), &HalfSquaredError)
        .unwrap();
    let dense2 = &g[Drop::PARAM_LEN - 65..Drop::PARAM_LEN - 1];
    let dropped = dense2.iter().filter(|&&v| v == 0.0).count();
    assert!((6..=26).contains(&dropped), "{dropped} of 64 dropped");
    // Inference ignores dropout.
    let mut input = [0.0; 16];
    input.copy_from_slice(one.as_slice().unwrap());
    let mut plain = net.forward(&input);
    plain.as_flat_mut()[0] += 0.0;
    assert_eq!(net.forward_batch(one).unwrap()[[0, 0]], plain[0]);
}

/// The names of the tensors and buffers, as PyTorch's modules name them.
#[test]
fn names_inside_blocks() {
    let names: Vec<&str> = <Blocks as Network>::TENSORS
        .iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        names,
        [
            "conv1.weight",
            "conv1.bias",
            "batchnorm1.weight",
            "batchnorm1.bias",
            "residual1.conv1.weight",
            "residual1.conv1.bias",
            "residual1.batchnorm1.weight",
            "residual1.batchnorm1.bias",
            "residual1.conv2.weight",
            "residual1.conv2.bias",
            "residual1.batchnorm2.weight",
            "residual1.batchnorm2.bias",
            "residual2.conv1.weight",
            "residual2.conv1.bias",
            "residual2.batchnorm1.weight",
            "residual2.batchnorm1.bias",
            "residual2.shortcut.conv1.weight",
            "residual2.shortcut.conv1.bias",
            "residual2.shortcut.batchnorm1.weight",
            "residual2.shortcut.batchnorm1.bias",
            "dense1.weight",
            "dense1.bias",
        ]
    );
    let buffers: Vec<&str> = <Blocks as Network>::BUFFERS
        .iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        buffers[..4],
        [
            "batchnorm1.running_mean",
            "batchnorm1.running_var",
            "residual1.batchnorm1.running_mean",
            "residual1.batchnorm1.running_var"
        ]
    );
    assert_eq!(<Blocks as Network>::COUNTERS.len(), 5);
    let depthwise: Vec<&[usize]> = <Groups as Network>::TENSORS
        .iter()
        .map(|t| t.shape)
        .collect();
    assert_eq!(depthwise[0], [6, 2, 3, 3]);
    assert_eq!(depthwise[2], [6, 1, 3, 3]);
    println!("{}", Blocks::SUMMARY);
    assert!(Blocks::SUMMARY.contains("residual2.shortcut.batchnorm1 (batchnorm)"));
    assert!(Blocks::SUMMARY.contains("+ 12 buffers"));
}

/// Saved and loaded with the buffers and the step count.
#[test]
fn buffers_are_saved_and_loaded() {
    let net = trained::<Blocks<f64>>(7);
    let dir = common::temp::TempDir::new();
    let path = dir.path().join("blocks.safetensors");
    net.save(&path).unwrap();
    let back = Blocks::<f64>::load(&path).unwrap();
    assert_eq!(back.params(), net.params());
    assert_eq!(back.buffers(), net.buffers());
    assert_eq!(back.steps(), 3);
}

network! {
    /// MLPerf Tiny's image-classification ResNet-8, on CIFAR-10's 3x32x32 images.
    pub struct TinyResNet8 {
        input(3, 32x32) -> conv(16, 3x3, pad = 1) -> batchnorm -> relu
            -> residual(conv(16, 3x3, pad = 1) -> batchnorm -> relu -> conv(16, 3x3, pad = 1) -> batchnorm) -> relu
            -> residual(conv(32, 3x3, stride = 2, pad = 1) -> batchnorm -> relu -> conv(32, 3x3, pad = 1) -> batchnorm,
                        shortcut = conv(32, 1x1, stride = 2) -> batchnorm) -> relu
            -> residual(conv(64, 3x3, stride = 2, pad = 1) -> batchnorm -> relu -> conv(64, 3x3, pad = 1) -> batchnorm,
                        shortcut = conv(64, 1x1, stride = 2) -> batchnorm) -> relu
            -> global_avgpool -> dense(10) -> softmax
    }
    /// MLPerf Tiny's keyword-spotting DS-CNN: 49x10 MFCC features, a 10x4 conv, then four
    /// depthwise-separable blocks of 64 channels.
    pub struct DsCnn {
        input(1, 49x10) -> conv(64, 10x4, stride = 2, pad = 2) -> batchnorm -> relu
            -> conv(64, 3x3, groups = 64, pad = 1) -> batchnorm -> relu -> conv(64, 1x1) -> batchnorm -> relu
            -> conv(64, 3x3, groups = 64, pad = 1) -> batchnorm -> relu -> conv(64, 1x1) -> batchnorm -> relu
            -> conv(64, 3x3, groups = 64, pad = 1) -> batchnorm -> relu -> conv(64, 1x1) -> batchnorm -> relu
            -> conv(64, 3x3, groups = 64, pad = 1) -> batchnorm -> relu -> conv(64, 1x1) -> batchnorm -> relu
            -> dropout(0.4) -> global_avgpool -> dense(12) -> softmax
    }
}

/// The budgets admit the small networks of MLPerf Tiny: the definitions compile, with the
/// parameters counted by hand.
#[test]
fn budgets_admit_mlperf_tiny_networks() {
    // Stem 3*16*9 + 16 and its batch norm 2*16: 480. Block 1: two convs of 16*16*9 + 16 and
    // two batch norms: 4,704. Block 2: 16*32*9 + 32, 32*32*9 + 32, the 1x1 shortcut
    // 16*32 + 32, three batch norms of 2*32: 14,624. Block 3 the same at 32 -> 64: 57,920.
    // Dense 64*10 + 10: 650.
    assert_eq!(TinyResNet8::PARAM_LEN, 480 + 4_704 + 14_624 + 57_920 + 650);
    // The 10x4 conv 64*40 + 64 and its batch norm: 2,752. Four blocks of a depthwise
    // 64*9 + 64, a pointwise 64*64 + 64 and two batch norms: 5,056 each. Dense 64*12 + 12.
    assert_eq!(DsCnn::PARAM_LEN, 2_752 + 4 * 5_056 + 780);
    println!("{}\n{}", TinyResNet8::SUMMARY, DsCnn::SUMMARY);
}
