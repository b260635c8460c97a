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

const TEST: usize = 1000;
const BATCH: usize = 100;

fn main() -> Result<(), Error> {
    let TRAIN: usize = std::env::var("TR")
        .map(|v| v.parse().unwrap())
        .unwrap_or(2000);
    // Training and test images come from different seeds: the accuracy below is measured on
    // images the network has never seen.
    let (train_x, train_y): (Array4<f32>, Array2<f32>) = common::strokes(TRAIN, 1);
    let (test_x, test_y) = common::strokes(TEST, 2);
    println!("{TRAIN} training images, {TEST} test images, batches of {BATCH}");

    // The loss of the derivation, and plain SGD with momentum: one filter has to learn to
    // respond to a vertical line and the dense layer to add up its responses.
    let mut net = SeedNet::new(std::env::var("S").map(|v| v.parse().unwrap()).unwrap_or(42));
    let mut sgd = Sgd::new(
        std::env::var("LR")
            .map(|v| v.parse().unwrap())
            .unwrap_or(0.5),
    )
    .momentum(0.9);

    let start = Instant::now();
    let EPOCHS: usize = std::env::var("EP")
        .map(|v| v.parse().unwrap())
        .unwrap_or(30);
    for epoch in 1..=EPOCHS {
        let mut total = 0.0;
        for first in (0..TRAIN).step_by(BATCH) {
            let x = train_x.slice(s![first..first + BATCH, .., .., ..]);
            let y = train_y.slice(s![first..first + BATCH, ..]);
            total += net.train_step(x.view(), y.view(), &HalfSquaredError, &mut sgd)?;
        }
        println!(
            "epoch {epoch:2}: loss {:.4}",
            total / (TRAIN / BATCH) as f32
        );
    }
    println!("training took {:.2?}", start.elapsed());

    eprintln!(
        "filter {:?}\n dense mean {} min {} max {} out bias {}",
        &net.params()[..10],
        net.params()[10..410].iter().sum::<f32>() / 400.0,
        net.params()[10..410].iter().cloned().fold(9.0, f32::min),
        net.params()[10..410].iter().cloned().fold(-9.0, f32::max),
        net.params()[410]
    );
    let accuracy = common::accuracy(&net, test_x.view(), test_y.view())?;
    println!("final accuracy: {:.1}%", 100.0 * accuracy);
    Ok(())
}
