//! Second: a small CNN on scikit-learn's 8x8 handwritten digits (shipped in `data/`), trained
//! by the `Trainer`: a stratified 80/20 split with a fixed seed, 40 epochs of SGD with
//! momentum, and the accuracy on the held-out fifth.
//!
//! ```text
//! cargo run --release --example digits -- [--epochs N] [--checkpoint DIR] [--resume DIR]
//! ```
//!
//! Writes `target/cnn/digits/`: `weights.safetensors`, `curves.svg`, `history.csv`,
//! `filters.png`. With `--checkpoint DIR` it also writes a checkpoint after every epoch (and on
//! Ctrl-C); `--resume DIR` goes on from the newest one in `DIR`, exactly where it stopped.
//!
//! Next: `mnist` trains LeNet-5 on 60,000 images with Adam and a learning-rate schedule.

use std::error::Error;

#[path = "support/args.rs"]
mod args;
#[path = "support/report.rs"]
mod report;

// README: begin
use cnn::prelude::*;

network! {
    /// Sixteen 3x3 filters (zero-padded, so the border pixels count as much as the middle
    /// ones), 2x2 max pooling, one dense layer: 2,730 parameters.
    pub struct DigitsNet {
        input(8x8) -> conv(16, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(256->10)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage =
        "cargo run --release --example digits -- [--epochs N] [--checkpoint DIR] [--resume DIR]";
    let options = args::Training::parse(&[], usage, 40)?;
    let data = cnn::data::load_digits(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    ))?;
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
    // The held-out images are evaluated after each epoch for the curves only: nothing is
    // chosen by them (no early stopping), so the final figure is a fair test accuracy.
    let trainer = Trainer::new().batch_size(32).seed(2).validation(&test);
    // --epochs, --checkpoint DIR, --resume DIR, and Ctrl-C writes a checkpoint and stops.
    let trainer = options.apply(trainer);
    let history = args::finished(trainer.fit(&mut net, &train, &SoftmaxCrossEntropy, &mut sgd))?;
    let seconds: f64 = history.epochs.iter().map(|e| e.seconds).sum();
    println!(
        "training took {seconds:.2} s ({:.3} s per epoch)",
        seconds / history.epochs.len().max(1) as f64
    );

    // Weights, curves, history.csv and filters in target/cnn/digits/, the confusion matrix
    // and `final accuracy: NN.N%`.
    report::finish("digits", &net, &history, &test)
}
// README: end
