//! Training: LeNet-5 learns, the training loop and data parallelism (determinism, targets as
//! rows or class indices, early stopping, errors).

mod common;

use cnn::History;
use cnn::ndarray::{Array2, Array4};
use cnn::prelude::*;
use common::nets::LeNet5;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    /// A small classifier of 6x6 images into 3 classes.
    struct Small { input(6x6) -> conv(2, 3x3) -> relu -> dense(3) }
}

/// Three classes: a bright row, a bright column, or a bright diagonal, with fixed noise.
fn data(n: usize, seed: usize) -> Dataset {
    let (images, labels) = arrays(n, seed);
    Dataset {
        images,
        labels,
        classes: 3,
    }
}

/// The images and labels of [`data`].
fn arrays(n: usize, seed: usize) -> (Array4<f32>, Vec<usize>) {
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
    let train = data(90, 0);
    let valid = data(30, 1);
    let run = || {
        let mut net = Small::new(3);
        let history = Trainer::new()
            .epochs(12)
            .batch_size(10)
            .seed(5)
            .validation(&valid)
            .quiet()
            .fit(
                &mut net,
                &train,
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
fn the_trainer_steps_as_train_step_on_one_hot_rows() {
    // One batch of all the data per epoch, so the shuffle only reorders the batch: the
    // trainer's steps are `train_step`s on the labels' one-hot rows, up to the order of the
    // examples within the batch, which changes the sums' rounding only.
    let train = data(40, 2);
    let rows = one_hot(&train.labels);
    let mut by_hand = Small::new(1);
    let mut sgd = Sgd::new(0.1);
    for _ in 0..2 {
        by_hand
            .train_step(
                train.images.view(),
                rows.view(),
                &SoftmaxCrossEntropy,
                &mut sgd,
            )
            .unwrap();
    }
    let mut net = Small::new(1);
    Trainer::new()
        .epochs(2)
        .batch_size(40)
        .quiet()
        .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))
        .unwrap();
    for (a, b) in net.params().iter().zip(by_hand.params()) {
        approx::assert_relative_eq!(*a, *b, max_relative = 1e-4, epsilon = 1e-6);
    }
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let train = data(60, 3);
    let valid = data(30, 4);
    let mut net = Small::new(2);
    // A learning rate far too large makes the validation loss climb after a while.
    let history = Trainer::new()
        .epochs(40)
        .batch_size(60)
        .validation(&valid)
        .early_stopping(2)
        .quiet()
        .fit(
            &mut net,
            &train,
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
        .evaluate_batch(
            valid.images.view(),
            one_hot(&valid.labels).view(),
            &SoftmaxCrossEntropy,
        )
        .unwrap();
    approx::assert_relative_eq!(l, min, max_relative = 1e-6);
}

#[test]
fn bad_labels_are_errors() {
    let mut train = data(10, 0);
    train.labels[4] = 3;
    let mut net = Small::new(0);
    let before = net.params().to_vec();
    let fit = |net: &mut Small, train: &Dataset| {
        Trainer::new()
            .quiet()
            .fit(net, train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))
            .unwrap_err()
    };
    let err = fit(&mut net, &train);
    assert_eq!(
        err.to_string(),
        "example 4 has class 3, but the network has 3 outputs"
    );
    train.labels.pop();
    let err = fit(&mut net, &train);
    assert!(matches!(err, Error::Shape { what: "labels", .. }), "{err}");
    assert_eq!(net.params(), &before[..]);
}

#[test]
fn a_diverging_loss_stops_training_with_the_last_finite_weights() {
    let train = data(20, 0);
    let mut net = Small::new(0);
    let err = Trainer::new()
        .epochs(50)
        .batch_size(20)
        .quiet()
        .fit(&mut net, &train, &MeanSquaredError, &mut Sgd::new(1e6))
        .unwrap_err();
    assert!(matches!(err, Error::NonFiniteLoss { .. }), "{err}");
    assert!(net.params().iter().all(|p| p.is_finite()));
}

#[test]
fn data_parallel_gradients_are_deterministic_per_thread_count() {
    let (x, labels) = arrays(37, 5);
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

// ---------------------------------------------------------------------------------------------
// Checkpoints, schedules, augmentation

network! {
    /// A small network with pooling, for the resumption tests.
    struct Pooled { input(6x6) -> conv(4, 3x3) -> relu -> maxpool(2x2) -> dense(3) }
}

/// Everything a checkpoint has to carry on: a schedule, augmentation, clipping, validation and
/// early stopping (patient enough not to stop), on two threads of the trainer's own pool.
fn full_trainer(valid: &Dataset, epochs: usize) -> Trainer<'_> {
    Trainer::new()
        .epochs(epochs)
        .batch_size(8)
        .seed(11)
        .threads(2)
        .validation(valid)
        .early_stopping(10)
        .schedule(WarmupCosineLr::new(0.05, 5, 32))
        .augment(
            Augment::new()
                .shift(1)
                .flip_horizontal()
                .rotate(10.0)
                .scale(0.9, 1.1),
        )
        .clip_grad_norm(5.0)
        .quiet()
}

/// The history without the timings, bit by bit.
fn figures(h: &History) -> Vec<[u64; 6]> {
    h.epochs
        .iter()
        .map(|e| {
            [
                e.epoch as u64,
                e.train_loss.to_bits(),
                e.train_accuracy.to_bits(),
                e.valid_loss.unwrap().to_bits(),
                e.valid_accuracy.unwrap().to_bits(),
                e.lr.to_bits(),
            ]
        })
        .collect()
}

/// 4 epochs straight; 2, then resumed for 2 more; and resumed from a checkpoint written in the
/// middle of an epoch: the same weights to the bit, the same history.
fn resuming_gives_the_same_bits<O: Optimizer + Send + Clone>(optimizer: O) {
    let train = data(60, 7);
    let valid = data(20, 8);
    let loss = SoftmaxCrossEntropy::with_label_smoothing(0.1);

    let mut straight = Pooled::new(3);
    let hs = full_trainer(&valid, 4)
        .fit(&mut straight, &train, &loss, &mut optimizer.clone())
        .unwrap();

    let dir = common::temp::TempDir::new();
    let mut first = Pooled::new(3);
    full_trainer(&valid, 2)
        .checkpoint_dir(dir.path())
        .fit(&mut first, &train, &loss, &mut optimizer.clone())
        .unwrap();
    assert_eq!(
        dir.entries(),
        [
            "checkpoint-0000000008.safetensors",
            "checkpoint-0000000016.safetensors"
        ]
    );
    // Another initialisation: everything comes from the checkpoint.
    let mut resumed = Pooled::new(99);
    let hr = full_trainer(&valid, 4)
        .resume_from(dir.path())
        .fit(&mut resumed, &train, &loss, &mut optimizer.clone())
        .unwrap();
    assert!(
        common::bits(&resumed) == common::bits(&straight),
        "weights differ"
    );
    assert_eq!(figures(&hr), figures(&hs));

    // Every 3 steps, 8 steps per epoch: step 9 is the first of epoch 2.
    let mid = common::temp::TempDir::new();
    let mut net = Pooled::new(3);
    full_trainer(&valid, 2)
        .checkpoint_dir(mid.path())
        .checkpoint_every_steps(3)
        .keep_checkpoints(10)
        .fit(&mut net, &train, &loss, &mut optimizer.clone())
        .unwrap();
    let names = mid.entries();
    assert_eq!(names.len(), 6, "{names:?}"); // steps 3, 6, 9, 12, 15 and the end, 16
    let mut resumed = Pooled::new(0);
    let hm = full_trainer(&valid, 4)
        .resume_from(mid.join("checkpoint-0000000009.safetensors"))
        .fit(&mut resumed, &train, &loss, &mut optimizer.clone())
        .unwrap();
    assert!(
        common::bits(&resumed) == common::bits(&straight),
        "weights differ"
    );
    assert_eq!(figures(&hm), figures(&hs));
}

#[test]
fn resuming_sgd_with_momentum_gives_the_same_bits() {
    resuming_gives_the_same_bits(Sgd::new(0.05).momentum(0.9).weight_decay(1e-4));
}

#[test]
fn resuming_adam_gives_the_same_bits() {
    resuming_gives_the_same_bits(Adam::new(1e-2));
}

#[test]
fn a_stop_request_checkpoints_after_the_step_and_resumes_exactly() {
    let train = data(60, 7);
    let valid = data(20, 8);
    let mut straight = Pooled::new(3);
    full_trainer(&valid, 2)
        .fit(
            &mut straight,
            &train,
            &SoftmaxCrossEntropy,
            &mut Adam::new(1e-2),
        )
        .unwrap();

    let dir = common::temp::TempDir::new();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut net = Pooled::new(3);
    let err = full_trainer(&valid, 2)
        .checkpoint_dir(dir.path())
        .stop_when(stop)
        .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-2))
        .unwrap_err();
    let path = dir.join("checkpoint-0000000001.safetensors");
    assert_eq!(
        err.to_string(),
        format!(
            "training was interrupted after step 1 (epoch 1); resume from the checkpoint `{}`",
            path.display()
        )
    );
    let mut resumed = Pooled::new(0);
    full_trainer(&valid, 2)
        .resume_from(&path)
        .fit(
            &mut resumed,
            &train,
            &SoftmaxCrossEntropy,
            &mut Adam::new(1e-2),
        )
        .unwrap();
    assert!(
        common::bits(&resumed) == common::bits(&straight),
        "weights differ"
    );
}

#[test]
fn bad_checkpoints_are_errors_that_say_which() {
    use cnn::train::Checkpoint;
    let train = data(24, 1);
    let dir = common::temp::TempDir::new();
    let mut net = Pooled::new(1);
    Trainer::new()
        .epochs(1)
        .batch_size(8)
        .checkpoint_dir(dir.path())
        .quiet()
        .fit(
            &mut net,
            &train,
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.1).momentum(0.9),
        )
        .unwrap();
    let path = dir.join("checkpoint-0000000003.safetensors");
    let ckpt = Checkpoint::<Pooled>::load(&path).unwrap();
    assert_eq!(
        (ckpt.epoch, ckpt.step, ckpt.history.epochs.len()),
        (1, 3, 1)
    );
    assert_eq!(ckpt.net.params(), net.params());
    assert_eq!(ckpt.optimizer.kind, "Sgd");

    // Another network.
    let err = Checkpoint::<Small>::load(&path).unwrap_err();
    assert!(matches!(err, Error::CheckpointMismatch { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("it was written for network `Pooled`, not `Small`"),
        "{err}"
    );
    // Another optimizer, and other data.
    let refused = |trainer: Trainer<'_>, train: &Dataset, adam: bool| {
        let mut net = Pooled::new(1);
        let trainer = trainer.epochs(2).batch_size(8).quiet().resume_from(&path);
        if adam {
            trainer.fit(&mut net, train, &SoftmaxCrossEntropy, &mut Adam::new(0.1))
        } else {
            trainer.fit(&mut net, train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))
        }
        .unwrap_err()
        .to_string()
    };
    let err = refused(Trainer::new(), &train, true);
    assert!(
        err.ends_with("the optimizer state does not fit `Adam`: the state is of `Sgd`"),
        "{err}"
    );
    let err = refused(Trainer::new(), &data(30, 1), false);
    assert!(
        err.ends_with("it was written with 24 training examples, this run has 30"),
        "{err}"
    );

    // A damaged byte anywhere in the data, a truncated file, a weight file.
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let damaged = dir.join("damaged.safetensors");
    std::fs::write(&damaged, &bytes).unwrap();
    let err = Checkpoint::<Pooled>::load(&damaged).unwrap_err();
    assert!(matches!(err, Error::CheckpointCorrupt { .. }), "{err}");
    assert!(
        err.to_string().contains("its checksum does not match"),
        "{err}"
    );
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    let err = Checkpoint::<Pooled>::load(&damaged).unwrap_err();
    assert!(
        err.to_string().contains("it is not a safetensors file"),
        "{err}"
    );
    net.save(&damaged).unwrap();
    let err = Checkpoint::<Pooled>::load(&damaged).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("it has no checkpoint metadata (is it a weight file?)"),
        "{err}"
    );
    // A folder with none.
    let empty = common::temp::TempDir::new();
    let mut net = Pooled::new(1);
    let err = Trainer::new()
        .resume_from(empty.path())
        .quiet()
        .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))
        .unwrap_err();
    assert!(matches!(err, Error::NoCheckpoint { .. }), "{err}");
}

#[test]
fn only_the_newest_checkpoints_are_kept() {
    let train = data(16, 1);
    let dir = common::temp::TempDir::new();
    Trainer::new()
        .epochs(5)
        .batch_size(8)
        .checkpoint_dir(dir.path())
        .keep_checkpoints(2)
        .quiet()
        .fit(
            &mut Pooled::new(1),
            &train,
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.1),
        )
        .unwrap();
    assert_eq!(
        dir.entries(),
        [
            "checkpoint-0000000008.safetensors",
            "checkpoint-0000000010.safetensors"
        ]
    );
}

#[test]
fn the_schedule_sets_the_rate_of_each_step_and_epoch() {
    let train = data(40, 1);
    let fit = |trainer: Trainer<'_>| {
        trainer
            .epochs(3)
            .batch_size(10)
            .quiet()
            .fit(
                &mut Pooled::new(1),
                &train,
                &SoftmaxCrossEntropy,
                &mut Sgd::new(9.0),
            )
            .unwrap()
    };
    // Per step: the last step of epoch e is step 4e - 1.
    let h = fit(Trainer::new().schedule(OneCycleLr::new(0.1, 12)));
    let s = OneCycleLr::new(0.1, 12);
    let rates: Vec<f64> = h.epochs.iter().map(|e| e.lr).collect();
    assert_eq!(rates, [s.lr(3), s.lr(7), s.lr(11)]);
    // Per epoch.
    let h = fit(Trainer::new().schedule(StepLr::new(0.1, 1, 0.5)));
    let rates: Vec<f64> = h.epochs.iter().map(|e| e.lr).collect();
    assert_eq!(rates, [0.1, 0.05, 0.025]);
    // Without one, the optimizer's own.
    assert!(fit(Trainer::new()).epochs.iter().all(|e| e.lr == 9.0));
}

#[test]
fn training_is_the_same_on_any_number_of_threads_up_to_rounding_and_repeatable() {
    let train = data(48, 2);
    let fit = |threads: usize| {
        let mut net = Pooled::new(2);
        let h = Trainer::new()
            .epochs(2)
            .batch_size(16)
            .threads(threads)
            .augment(Augment::new().shift(1).rotate(5.0))
            .quiet()
            .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))
            .unwrap();
        (net, h.epochs[1].train_loss)
    };
    let (a, la) = fit(1);
    let (b, lb) = fit(3);
    assert!(common::bits(&fit(3).0) == common::bits(&b));
    approx::assert_relative_eq!(la, lb, max_relative = 1e-5);
    for (x, y) in a.params().iter().zip(b.params()) {
        approx::assert_relative_eq!(*x, *y, max_relative = 1e-3, epsilon = 1e-5);
    }
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let train = data(16, 1);
    let refused = |trainer: Trainer<'_>| {
        trainer
            .quiet()
            .fit(
                &mut Pooled::new(1),
                &train,
                &SoftmaxCrossEntropy,
                &mut Sgd::new(0.1),
            )
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refused(Trainer::new().early_stopping(3)),
        "early_stopping: it watches the validation loss, but no validation data was given (Trainer::validation)"
    );
    assert!(refused(Trainer::new().class_weights(vec![1.0, 2.0])).starts_with("class_weights: "));
    assert!(refused(Trainer::new().clip_grad_norm(0.0)).starts_with("clip_grad_norm: "));
}

#[test]
fn class_weights_weigh_the_training_loss_only() {
    let train = data(30, 1);
    let fit = |weights: Option<Vec<f64>>| {
        let trainer = Trainer::new()
            .epochs(1)
            .batch_size(30)
            .validation(&train)
            .quiet();
        let trainer = match weights {
            Some(w) => trainer.class_weights(w),
            None => trainer,
        };
        trainer
            .fit(
                &mut Pooled::new(1),
                &train,
                &SoftmaxCrossEntropy,
                &mut Sgd::new(0.0),
            )
            .unwrap()
            .epochs[0]
            .clone()
    };
    let (plain, doubled) = (fit(None), fit(Some(vec![2.0; 3])));
    approx::assert_relative_eq!(
        doubled.train_loss,
        2.0 * plain.train_loss,
        max_relative = 1e-6
    );
    assert_eq!(doubled.valid_loss, plain.valid_loss);
}

#[test]
fn the_history_goes_to_csv() {
    let train = data(20, 1);
    let h = Trainer::new()
        .epochs(2)
        .batch_size(10)
        .validation(&train)
        .quiet()
        .fit(
            &mut Pooled::new(1),
            &train,
            &SoftmaxCrossEntropy,
            &mut Sgd::new(0.1),
        )
        .unwrap();
    let dir = common::temp::TempDir::new();
    h.write_csv(dir.join("history.csv")).unwrap();
    let csv = std::fs::read_to_string(dir.join("history.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    let fields: Vec<f64> = lines[2].split(',').map(|f| f.parse().unwrap()).collect();
    let e = &h.epochs[1];
    assert_eq!(
        fields[..6],
        [
            2.0,
            e.train_loss,
            e.train_accuracy,
            e.valid_loss.unwrap(),
            e.valid_accuracy.unwrap(),
            0.1
        ]
    );
    assert!(e.examples_per_second > 0.0 && e.seconds > 0.0);
}
