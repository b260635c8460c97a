//! Start here. The seed network of the derivation (`cnn::doc::derivation`), trained to tell a
//! faint vertical stroke from a horizontal one under noise: one 3x3 filter, or three with
//! `--filters 3`.
//!
//! ```text
//! cargo run --release --example seed_net
//! cargo run --release --example seed_net -- --filters 3
//! ```
//!
//! Next: `digits` trains on real data with the `Trainer`.

use std::error::Error;
use std::time::Instant;

use cnn::ndarray::{Array2, Array4, s};
use cnn::prelude::*;

#[path = "support/args.rs"]
mod args;
#[path = "support/strokes.rs"]
mod strokes;

network! {
    /// The matrix-form example: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
    pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid }

    /// The seed network with three 3x3 filters: sigmoid, dense 1200 -> 1, sigmoid.
    pub struct SeedNet3 {
        input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid
    }
}

const TRAIN: usize = 10_000;
const TEST: usize = 2_000;
const BATCH: usize = 100;

/// How long and how fast a network trains.
struct Plan {
    epochs: usize,
    /// The first epochs use a gentler rate than `lr`: a large first step can saturate the
    /// output sigmoid, where the squared error has almost no gradient left to recover with.
    warmup_epochs: usize,
    warmup_lr: f64,
    lr: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "cargo run --release --example seed_net -- [--filters 1|3]";
    let mut filters = 1;
    for (_, value) in args::options(&["--filters"], usage)? {
        filters = value.parse()?;
    }
    // The loss of the derivation and SGD with momentum. The filters have to become line
    // detectors, and the dense layer has to learn that a line anywhere counts the same.
    match filters {
        1 => train(
            SeedNet::new(42),
            Plan {
                epochs: 20,
                warmup_epochs: 2,
                warmup_lr: 0.2,
                lr: 1.0,
            },
        ),
        // Three filters can afford one per orientation. The dense layer sums three times as
        // many inputs as the one-filter network's, hence a smaller rate.
        3 => train(
            SeedNet3::new(42),
            Plan {
                epochs: 14,
                warmup_epochs: 5,
                warmup_lr: 0.1,
                lr: 0.2,
            },
        ),
        _ => Err(format!("--filters is 1 or 3, not {filters}; usage: {usage}").into()),
    }
}

fn train<N: Network<Scalar = f32>>(mut net: N, schedule: Plan) -> Result<(), Box<dyn Error>> {
    // Training and test images come from different seeds: the accuracy below is measured on
    // images the network has never seen.
    let (train_x, train_y): (Array4<f32>, Array2<f32>) = strokes::strokes(TRAIN, 1);
    let (test_x, test_y) = strokes::strokes(TEST, 2);
    println!("{TRAIN} training images, {TEST} test images, batches of {BATCH}");

    // A schedule by hand: the gentle rate for the warm-up epochs, then the full one. Any
    // `cnn::train::Schedule` works in a loop of one's own: set the rate, then step.
    let rates = MultiStepLr::new(
        schedule.warmup_lr,
        [schedule.warmup_epochs],
        schedule.lr / schedule.warmup_lr,
    );
    let mut sgd = Sgd::new(schedule.warmup_lr).momentum(0.9);
    let start = Instant::now();
    for epoch in 1..=schedule.epochs {
        sgd.set_lr(rates.lr(epoch - 1));
        let mut total = 0.0;
        for first in (0..TRAIN).step_by(BATCH) {
            let x = train_x.slice(s![first..first + BATCH, .., .., ..]);
            let y = train_y.slice(s![first..first + BATCH, ..]);
            total += net.train_step(x.view(), y.view(), &HalfSquaredError, &mut sgd)?;
        }
        let mean = total / (TRAIN / BATCH) as f32;
        println!("epoch {epoch:2}: loss {mean:.4}");
    }
    println!("training took {:.2?}", start.elapsed());

    // Predicted class: vertical when the output is above one half.
    let accuracy = strokes::accuracy(&net, test_x.view(), test_y.view())?;
    println!("final accuracy: {:.1}%", 100.0 * accuracy);
    Ok(())
}
