//! Training: LeNet-5 learns, the training loop and data parallelism (determinism, targets as
//! rows or class indices, early stopping, errors).

mod common;

use cnn::ndarray::{Array2, Array4};
use cnn::prelude::*;
use cnn::{Targets, Trainer};
use common::nets::LeNet5;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    /// A small classifier of 6x6 images into 3 classes.
    struct Small { input(6x6) -> conv(2, 3x3) -> relu -> dense(3) }
}

/// Three classes: a bright row, a bright column, or a bright diagonal, with fixed noise.
fn data(n: usize, seed: usize) -> (Array4<f32>, Vec<usize>) {
    let labels: Vec<usize> = (0..n).map(|e| (e * 7 + seed) % 3).collect();
    let x = Array4::from_shape_fn((n, 1, 6, 6), |(e, _, i, j)| {
        let k = (e + seed) % 6;
        let on = match labels[e] {
            0 => i == k,
            1 => j == k,
            _ => i == j,
        };
        f32::from(on) + ((e * 31 + i * 7 + j * 13 + seed) % 17) as f32 / 40.0
    });
    (x, labels)
}

/// One-hot rows of the three classes.
fn one_hot(labels: &[usize]) -> Array2<f32> {
    common::one_hot(labels, 3)
}

#[test]
fn training_is_repeatable_and_learns() {
    let (x, labels) = data(90, 0);
    let (vx, vlabels) = data(30, 1);
    let run = || {
        let mut net = Small::new(3);
        let history = Trainer::new()
            .epochs(12)
            .batch_size(10)
            .seed(5)
            .quiet()
            .fit(
                &mut net,
                x.view(),
                &labels,
                Some((vx.view(), Targets::from(&vlabels))),
                &SoftmaxCrossEntropy,
                &mut Sgd::new(0.1).momentum(0.9),
            )
            .unwrap();
        (net, history)
    };
    let (a, ha) = run();
    let (b, hb) = run();
    assert_eq!(a.params(), b.params());
    assert_eq!(ha.epochs.len(), 12);
    for (ea, eb) in ha.epochs.iter().zip(&hb.epochs) {
        assert_eq!(
            (ea.train_loss, ea.valid_loss),
            (eb.train_loss, eb.valid_loss)
        );
    }
    let last = ha.epochs.last().unwrap();
    assert!(last.train_loss < ha.epochs[0].train_loss / 3.0, "{ha:?}");
    assert!(last.valid_accuracy.unwrap() > 0.9, "{ha:?}");
    assert!(last.train_accuracy > 0.9, "{ha:?}");
}

#[test]
fn class_indices_and_one_hot_rows_train_alike() {
    let (x, labels) = data(40, 2);
    let rows = one_hot(&labels);
    let fit = |targets: Targets<'_, f32>| {
        let mut net = Small::new(1);
        Trainer::new()
            .epochs(2)
            .batch_size(8)
            .quiet()
            .fit(
                &mut net,
                x.view(),
                targets,
                None,
                &SoftmaxCrossEntropy,
                &mut Sgd::new(0.1),
            )
            .unwrap();
        net
    };
    assert_eq!(
        fit(Targets::from(&labels)).params(),
        fit(Targets::from(rows.view())).params()
    );
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let (x, labels) = data(60, 3);
    let (vx, vlabels) = data(30, 4);
    let mut net = Small::new(2);
    // A learning rate far too large makes the validation loss climb after a while.
    let history = Trainer::new()
        .epochs(40)
        .batch_size(60)
        .early_stopping(2)
        .quiet()
        .fit(
            &mut net,
            x.view(),
            &labels,
            Some((vx.view(), Targets::from(&vlabels))),
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.3).momentum(0.9),
        )
        .unwrap();
    let best = history.restored_epoch.unwrap();
    let losses: Vec<f64> = history
        .epochs
        .iter()
        .map(|e| e.valid_loss.unwrap())
        .collect();
    let min = losses.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(losses[best - 1], min);
    let (l, _) = net
        .evaluate_batch(vx.view(), one_hot(&vlabels).view(), &SoftmaxCrossEntropy)
        .unwrap();
    approx::assert_relative_eq!(l, min, max_relative = 1e-6);
}

#[test]
fn bad_targets_are_errors() {
    let (x, mut labels) = data(10, 0);
    labels[4] = 3;
    let mut net = Small::new(0);
    let before = net.params().to_vec();
    let err = Trainer::new()
        .quiet()
        .fit(
            &mut net,
            x.view(),
            &labels,
            None,
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.1),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "example 4 has class 3, but the network has 3 outputs"
    );
    let err = Trainer::new()
        .quiet()
        .fit(
            &mut net,
            x.view(),
            &labels[..9],
            None,
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.1),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Shape {
                what: "targets",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(net.params(), &before[..]);
}

#[test]
fn a_diverging_loss_stops_training_with_the_last_finite_weights() {
    let (x, labels) = data(20, 0);
    let mut net = Small::new(0);
    let err = Trainer::new()
        .epochs(50)
        .batch_size(20)
        .quiet()
        .fit(
            &mut net,
            x.view(),
            &labels,
            None,
            &MeanSquaredError,
            &mut Sgd::new(1e6),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NonFiniteLoss { .. }), "{err}");
    assert!(net.params().iter().all(|p| p.is_finite()));
}

#[test]
fn data_parallel_gradients_are_deterministic_per_thread_count() {
    let (x, labels) = data(37, 5);
    let y = one_hot(&labels);
    let net = Small::new(4);
    let grad_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            net.loss_and_grad(x.view(), y.view(), &SoftmaxCrossEntropy)
                .unwrap()
        })
    };
    let (l1, g1) = grad_with(1);
    let (l2, g2) = grad_with(2);
    let (l3, g3) = grad_with(3);
    assert_eq!(grad_with(2), (l2, g2.clone()));
    assert_eq!(grad_with(3), (l3, g3.clone()));
    // Different thread counts sum in a different order: equal up to rounding.
    for (a, b) in g1.iter().zip(&g2).chain(g1.iter().zip(&g3)) {
        approx::assert_relative_eq!(*a, *b, max_relative = 1e-4, epsilon = 1e-6);
    }
    approx::assert_relative_eq!(l1, l2, max_relative = 1e-5);
    approx::assert_relative_eq!(l1, l3, max_relative = 1e-5);
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
