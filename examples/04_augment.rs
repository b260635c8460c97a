//! Fourth: what augmentation and regularisation change on small data, measured. Trains the
//! same network under each setting from several seeds and prints the mean test accuracy,
//! with the lowest and highest.
//!
//! ```text
//! cargo run --release --example augment                      # digits: 1,438 training images
//! cargo run --release --example augment -- --data DIR        # MNIST-format files: LeNet-5 on a
//!                                                            # stratified 10% of the training set
//! ```
//!
//! Options: `--seeds N` (5 for digits, 2 with `--data`), `--epochs N` (40, or 15 with `--data`).
//! On digits it also trains on an imbalanced subset (classes 5 to 9 cut to a tenth), with and
//! without balanced class weights, and reports the mean of the classes' recalls.

use std::error::Error;

use cnn::data::Dataset;
use cnn::prelude::*;
use cnn::train::evaluate;

#[path = "support/args.rs"]
mod args;

network! {
    /// The digits example's network: 2,730 parameters.
    pub struct Digits {
        input(8x8) -> conv(16, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(256->10)
    }

    /// LeNet-5 with ReLU and max pooling, as in the mnist example.
    pub struct LeNet5 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }
}

/// One setting: its name, the augmentation, the label smoothing, the gradient clipping.
struct Setting {
    name: &'static str,
    augment: Option<Augment>,
    smoothing: f64,
    clip: Option<f64>,
}

fn setting(
    name: &'static str,
    augment: Option<Augment>,
    smoothing: f64,
    clip: Option<f64>,
) -> Setting {
    Setting {
        name,
        augment,
        smoothing,
        clip,
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "cargo run --release --example augment -- [--data DIR] [--seeds N] [--epochs N]";
    let options = args::options(&["--data", "--seeds", "--epochs"], usage)?;
    let get = |name: &str| {
        options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let seeds: Option<u64> = get("--seeds").map(|s| s.parse()).transpose()?;
    let epochs: Option<usize> = get("--epochs").map(|s| s.parse()).transpose()?;
    match get("--data") {
        None => digits(seeds.unwrap_or(5), epochs.unwrap_or(40)),
        Some(dir) => mnist(&dir, seeds.unwrap_or(2), epochs.unwrap_or(15)),
    }
}

fn digits(seeds: u64, epochs: usize) -> Result<(), Box<dyn Error>> {
    let data = cnn::data::load_digits(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    ))?;
    let (train, test) = data.stratified_split(0.2, 0);
    println!(
        "digits: {} training, {} test images; {epochs} epochs of SGD (0.05, momentum 0.9), batches of 32; {seeds} seeds",
        train.len(),
        test.len()
    );
    let geometry = || Augment::new().rotate(10.0).scale(0.9, 1.1);
    let settings = [
        setting("none", None, 0.0, None),
        setting("shift(1)", Some(Augment::new().shift(1)), 0.0, None),
        setting("rotate(10) + scale(0.9, 1.1)", Some(geometry()), 0.0, None),
        setting(
            "flip_horizontal",
            Some(Augment::new().flip_horizontal()),
            0.0,
            None,
        ),
        setting("label smoothing 0.1", None, 0.1, None),
        setting("clip_grad_norm(1)", None, 0.0, Some(1.0)),
        setting(
            "shift(1) + rotate + scale + smoothing 0.1",
            Some(geometry().shift(1)),
            0.1,
            None,
        ),
    ];
    println!(
        "{:<44} {:>8} {:>16}",
        "setting", "accuracy", "lowest..highest"
    );
    for s in &settings {
        let run = |seed: u64| {
            let trainer = configure(Trainer::new().epochs(epochs).batch_size(32).seed(seed), s);
            train_and_test(
                trainer,
                Digits::new(seed),
                &train,
                &test,
                s.smoothing,
                || Sgd::new(0.05).momentum(0.9),
            )
        };
        row(s.name, seeds, run)?;
    }

    // Classes 5 to 9 cut to a tenth of their training examples.
    let keep: Vec<usize> = (0..train.len())
        .filter(|&i| train.labels[i] < 5 || i % 10 == 0)
        .collect();
    let imbalanced = train.select(&keep);
    println!(
        "\nimbalanced: {} training images ({:?} per class), the same test images",
        imbalanced.len(),
        imbalanced.class_counts()
    );
    println!(
        "{:<44} {:>8} {:>16} {:>12}",
        "setting", "accuracy", "lowest..highest", "mean recall"
    );
    for weighted in [false, true] {
        let mut recalls = Vec::new();
        let name = if weighted {
            "balanced class weights"
        } else {
            "none"
        };
        let run = |seed: u64| -> Result<(f64, f64), Box<dyn Error>> {
            let mut trainer = Trainer::new()
                .epochs(epochs)
                .batch_size(32)
                .seed(seed)
                .quiet();
            if weighted {
                trainer = trainer.class_weights(imbalanced.balanced_class_weights());
            }
            let mut net = Digits::new(seed);
            trainer.fit(
                &mut net,
                &imbalanced,
                &SoftmaxCrossEntropy,
                &mut Sgd::new(0.05).momentum(0.9),
            )?;
            let report = evaluate(&net, &test, &SoftmaxCrossEntropy)?;
            Ok((report.accuracy, report.confusion.mean_recall()))
        };
        let mut accuracies = Vec::new();
        for seed in 0..seeds {
            let (a, r) = run(seed)?;
            accuracies.push(a);
            recalls.push(r);
        }
        let (mean, lo, hi) = summary(&accuracies);
        let (recall, _, _) = summary(&recalls);
        println!(
            "{name:<44} {:>7.2}% {:>7.2}..{:<6.2}% {:>11.2}%",
            100.0 * mean,
            100.0 * lo,
            100.0 * hi,
            100.0 * recall
        );
    }
    Ok(())
}

fn mnist(dir: &str, seeds: u64, epochs: usize) -> Result<(), Box<dyn Error>> {
    let (full, mut test) = cnn::data::load_mnist_dir(dir)?;
    let (_, mut train) = full.stratified_split(0.1, 0);
    let (mean, std) = train.pixel_stats();
    train.standardize((mean, std));
    test.standardize((mean, std));
    // The standardised 0 (`standardize` only subtracts where the deviation is 0).
    let background = (-mean / if std > 0.0 { std } else { 1.0 }) as f32;
    println!(
        "{dir}: {} training, {} test images; LeNet-5, {epochs} epochs of Adam (1e-3), batches of 64; {seeds} seeds",
        train.len(),
        test.len()
    );
    let shift = || Augment::new().shift(2).fill(background);
    let settings = [
        setting("none", None, 0.0, None),
        setting(
            "flip_horizontal",
            Some(shift().shift(0).flip_horizontal()),
            0.0,
            None,
        ),
        setting("shift(2)", Some(shift()), 0.0, None),
        setting(
            "shift(2) + flip_horizontal",
            Some(shift().flip_horizontal()),
            0.0,
            None,
        ),
        setting("label smoothing 0.1", None, 0.1, None),
    ];
    println!(
        "{:<44} {:>8} {:>16}",
        "setting", "accuracy", "lowest..highest"
    );
    for s in &settings {
        let run = |seed: u64| {
            let trainer = configure(Trainer::new().epochs(epochs).batch_size(64).seed(seed), s);
            train_and_test(
                trainer,
                LeNet5::new(seed),
                &train,
                &test,
                s.smoothing,
                || Adam::new(1e-3),
            )
        };
        row(s.name, seeds, run)?;
    }
    Ok(())
}

fn configure<'a>(mut trainer: Trainer<'a>, s: &Setting) -> Trainer<'a> {
    if let Some(a) = &s.augment {
        trainer = trainer.augment(a.clone());
    }
    if let Some(c) = s.clip {
        trainer = trainer.clip_grad_norm(c);
    }
    trainer.quiet()
}

/// The test accuracy after training `net` with `trainer`.
fn train_and_test<N: Network<Scalar = f32>, O: cnn::optim::Optimizer + Send>(
    trainer: Trainer<'_>,
    mut net: N,
    train: &Dataset,
    test: &Dataset,
    smoothing: f64,
    optimizer: impl Fn() -> O,
) -> Result<f64, Box<dyn Error>> {
    if smoothing > 0.0 {
        let loss = SoftmaxCrossEntropy::with_label_smoothing(smoothing);
        trainer.fit(&mut net, train, &loss, &mut optimizer())?;
    } else {
        trainer.fit(&mut net, train, &SoftmaxCrossEntropy, &mut optimizer())?;
    }
    Ok(evaluate(&net, test, &SoftmaxCrossEntropy)?.accuracy)
}

/// Runs `run` for each seed and prints the mean, lowest and highest accuracy.
fn row(
    name: &str,
    seeds: u64,
    run: impl Fn(u64) -> Result<f64, Box<dyn Error>>,
) -> Result<(), Box<dyn Error>> {
    let accuracies = (0..seeds).map(run).collect::<Result<Vec<_>, _>>()?;
    let (mean, lo, hi) = summary(&accuracies);
    println!(
        "{name:<44} {:>7.2}% {:>7.2}..{:<6.2}%",
        100.0 * mean,
        100.0 * lo,
        100.0 * hi
    );
    Ok(())
}

fn summary(values: &[f64]) -> (f64, f64, f64) {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (mean, lo, hi)
}
