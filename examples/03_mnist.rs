//! Third: LeNet-5 on MNIST (or Fashion-MNIST, same files, same command), 60,000 training and
//! 10,000 test images in the IDX format, gzipped or raw, with Adam and a learning-rate
//! schedule.
//!
//! ```text
//! cargo run --release --example mnist -- --data DIR [--epochs N]
//! ```
//!
//! `DIR` holds `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
//! `t10k-images-idx3-ubyte[.gz]` and `t10k-labels-idx1-ubyte[.gz]`; without `--data`, the
//! folder named by the environment variable `CNN_MNIST_DIR`. The README says where to get the
//! files. Writes `target/cnn/mnist/`: `weights.safetensors`, `curves.svg`, `filters.png`.

use std::error::Error;
use std::time::Instant;

use cnn::prelude::*;

#[path = "support/args.rs"]
mod args;
#[path = "support/report.rs"]
mod report;

network! {
    /// LeNet-5 (LeCun et al. 1998) as it is usually written today: ReLU and max pooling.
    pub struct LeNet5 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let (dir, epochs) = arguments()?;
    let (mut train, mut test) = cnn::data::load_mnist_dir(&dir)?;
    println!(
        "{} training and {} test images from {dir}",
        train.len(),
        test.len()
    );

    // Standardise with the training set's mean and deviation: SGD likes inputs around 0.
    let mean = train.images.mean().unwrap_or(0.0);
    let std = train.images.std(0.0).max(1e-6);
    train.images.mapv_inplace(|v| (v - mean) / std);
    test.images.mapv_inplace(|v| (v - mean) / std);

    let mut net = LeNet5::new(1);
    net.summary();
    let mut adam = Adam::new(1e-3);
    let threads = rayon::current_num_threads();
    println!("training on {threads} threads");
    let start = Instant::now();
    let mut history = cnn::History::default();
    // The learning rate is divided by 10 for the last third of the epochs.
    for epoch in 1..=epochs {
        if epoch == epochs - epochs / 3 + 1 {
            adam.set_lr(adam.lr() / 10.0);
        }
        // One epoch at a time, so the schedule can change the rate; the test set is evaluated
        // for the curves only, nothing is chosen by it.
        let mut h = Trainer::new()
            .epochs(1)
            .batch_size(64)
            .seed(epoch as u64)
            .fit(
                &mut net,
                train.images.view(),
                &train.labels,
                Some((test.images.view(), (&test.labels).into())),
                &SoftmaxCrossEntropy,
                &mut adam,
            )?;
        let mut e = h.epochs.remove(0);
        e.epoch = epoch;
        println!(
            "epoch {:2}: loss {:.4}, train accuracy {:5.2}%, test loss {:.4}, test accuracy {:5.2}%, {:.1} s",
            e.epoch,
            e.train_loss,
            100.0 * e.train_accuracy,
            e.valid_loss.unwrap_or(f64::NAN),
            100.0 * e.valid_accuracy.unwrap_or(f64::NAN),
            e.seconds
        );
        history.epochs.push(e);
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "training took {seconds:.1} s, {:.1} s per epoch (test evaluation included)",
        seconds / epochs as f64
    );

    report::finish("mnist", &net, &history, &test)
}

/// `--data DIR` (or `CNN_MNIST_DIR`) and `--epochs N` (default 15).
fn arguments() -> Result<(String, usize), Box<dyn Error>> {
    let usage = "cargo run --release --example mnist -- --data DIR [--epochs N]";
    let (mut dir, mut epochs) = (std::env::var("CNN_MNIST_DIR").ok(), 15);
    for (name, value) in args::options(&["--data", "--epochs"], usage)? {
        match name.as_str() {
            "--data" => dir = Some(value),
            _ => epochs = value.parse()?,
        }
    }
    let dir = dir.ok_or(format!("usage: {usage}"))?;
    if epochs == 0 {
        return Err("--epochs must be at least 1".into());
    }
    Ok((dir, epochs))
}
