//! The seed network of the derivation, trained to tell a faint vertical stroke from a horizontal
//! one under noise.
//!
//! ```text
//! cargo run --release --example seed_net
//! ```

use std::time::Instant;

use cnn::ndarray::{Array2, Array4, s};
use cnn::prelude::*;

#[path = "common/mod.rs"]
mod common;

network! {
    /// The matrix-form example: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
    pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid }
}

const TRAIN: usize = 10_000;
const TEST: usize = 2_000;
const BATCH: usize = 100;
const EPOCHS: usize = 20;
/// The first epochs use a gentler rate than `LR`: a large first step can saturate the output
/// sigmoid, where the squared error has almost no gradient left to recover with.
const WARMUP_EPOCHS: usize = 2;
const WARMUP_LR: f64 = 0.2;
const LR: f64 = 1.0;

fn main() -> Result<(), Error> {
    // Training and test images come from different seeds: the accuracy below is measured on
    // images the network has never seen.
    let (train_x, train_y): (Array4<f32>, Array2<f32>) = common::strokes(TRAIN, 1);
    let (test_x, test_y) = common::strokes(TEST, 2);
    println!("{TRAIN} training images, {TEST} test images, batches of {BATCH}");

    // The loss of the derivation and SGD with momentum. The single filter has to become a line
    // detector, and the dense layer has to learn that a line anywhere counts the same.
    let mut net = SeedNet::new(42);
    let mut sgd = Sgd::new(WARMUP_LR).momentum(0.9);

    let start = Instant::now();
    for epoch in 1..=EPOCHS {
        if epoch == WARMUP_EPOCHS + 1 {
            sgd.set_lr(LR);
        }
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
    let accuracy = common::accuracy(&net, test_x.view(), test_y.view())?;
    println!("final accuracy: {:.1}%", 100.0 * accuracy);
    Ok(())
}
