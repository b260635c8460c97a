//! Second: a small CNN on scikit-learn's 8x8 handwritten digits (shipped in `data/`), trained
//! by the `Trainer`: a stratified 80/20 split with a fixed seed, a few epochs of SGD, and the
//! accuracy on the held-out fifth.
//!
//! ```text
//! cargo run --release --example digits
//! ```
//!
//! Writes `target/cnn/digits/`: `weights.safetensors`, `curves.svg`, `filters.png`.
//!
//! Next: `mnist` trains LeNet-5 on 60,000 images with Adam and a learning-rate schedule.

use std::error::Error;
use std::time::Instant;

use cnn::prelude::*;

#[path = "support/report.rs"]
mod report;

network! {
    /// Sixteen 3x3 filters (zero-padded, so the border pixels count as much as the middle
    /// ones), 2x2 max pooling, one dense layer: 2,730 parameters.
    pub struct DigitsNet {
        input(8x8) -> conv(16, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(256->10)
    }
}

const EPOCHS: usize = 40;

fn main() -> Result<(), Box<dyn Error>> {
    let data = cnn::data::load_digits(concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv.gz"))?;
    // The same 20% of every class is held out on every run.
    let (train, test) = data.stratified_split(0.2, 0);
    println!(
        "{} training and {} test images of 8x8 digits",
        train.len(),
        test.len()
    );
    DigitsNet::new(0).summary();

    let mut net = DigitsNet::new(1);
    let mut sgd = Sgd::new(0.05).momentum(0.9);
    let start = Instant::now();
    // The held-out images are evaluated after each epoch for the curves only: nothing is
    // chosen by them (no early stopping), so the final figure is a fair test accuracy.
    let history = Trainer::new().epochs(EPOCHS).batch_size(32).seed(2).fit(
        &mut net,
        train.images.view(),
        &train.labels,
        Some((test.images.view(), (&test.labels).into())),
        &SoftmaxCrossEntropy,
        &mut sgd,
    )?;
    let seconds = start.elapsed().as_secs_f64();
    for e in &history.epochs {
        println!(
            "epoch {:3}: loss {:.4}, train accuracy {:5.1}%, test loss {:.4}, test accuracy {:5.1}%",
            e.epoch,
            e.train_loss,
            100.0 * e.train_accuracy,
            e.valid_loss.unwrap_or(f64::NAN),
            100.0 * e.valid_accuracy.unwrap_or(f64::NAN),
        );
    }
    println!(
        "training took {seconds:.2} s ({:.3} s per epoch)",
        seconds / EPOCHS as f64
    );

    report::finish("digits", &net, &history, &test)
}
