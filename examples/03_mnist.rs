//! Third: LeNet-5 on MNIST (or Fashion-MNIST, same files, same command), 60,000 training and
//! 10,000 test images in the IDX format, gzipped or raw, with Adam and a learning-rate
//! schedule.
//!
//! ```text
//! cargo run --release --example mnist -- --data DIR [--epochs N] [--checkpoint DIR] [--resume DIR]
//! ```
//!
//! `DIR` holds `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
//! `t10k-images-idx3-ubyte[.gz]` and `t10k-labels-idx1-ubyte[.gz]`; without `--data`, the
//! folder named by the environment variable `CNN_MNIST_DIR`. The README says where to get the
//! files. Writes `target/cnn/mnist/`: `weights.safetensors`, `curves.svg`, `history.csv`,
//! `filters.png`; with `--checkpoint DIR` a checkpoint after every epoch and on Ctrl-C, from
//! which `--resume DIR` goes on.
//!
//! Next: `augment` measures what augmentation and regularisation change on small data.

use std::error::Error;

use cnn::prelude::*;

#[path = "support/args.rs"]
mod args;
#[path = "support/mnist.rs"]
mod mnist;
#[path = "support/report.rs"]
mod report;

use mnist::LeNet5;

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "cargo run --release --example mnist -- --data DIR [--epochs N] [--checkpoint DIR] [--resume DIR]";
    let options = args::Training::parse(&["--data"], usage, 15)?;
    let dir = options.other.first().map(|(_, dir)| dir.as_str());
    let (train, test) = mnist::load(dir, "CNN_MNIST_DIR", usage)?;

    let mut net = LeNet5::new(1);
    net.summary();
    println!("training on {} threads", rayon::current_num_threads());
    // Adam at 1e-3, divided by 10 for the last third of the epochs. The test set is evaluated
    // for the curves only: nothing is chosen by it.
    let epochs = options.epochs;
    let schedule = MultiStepLr::new(1e-3, [epochs - epochs / 3], 0.1);
    let trainer = Trainer::new()
        .batch_size(64)
        .seed(1)
        .validation(&test)
        .schedule(schedule);
    let fit =
        options
            .apply(trainer)
            .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-3));
    let history = args::finished(fit)?;
    let seconds: f64 = history.epochs.iter().map(|e| e.seconds).sum();
    println!(
        "training took {seconds:.1} s, {:.1} s per epoch (test evaluation included)",
        seconds / history.epochs.len().max(1) as f64
    );

    report::finish("mnist", &net, &history, &test)
}
