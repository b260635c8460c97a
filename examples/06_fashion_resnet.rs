//! Sixth: a small ResNet (three residual stages, batch norm, global average pooling) on
//! Fashion-MNIST, with random shifts and flips, SGD with Nesterov momentum and a one-cycle
//! schedule; then the same network in int8.
//!
//! ```text
//! cargo run --release --example fashion_resnet -- --data DIR [--epochs N] [--checkpoint DIR] [--resume DIR]
//! ```
//!
//! `DIR` holds Fashion-MNIST's four IDX files (raw or gzipped); without `--data`, the folder
//! named by the environment variable `CNN_FASHION_MNIST_DIR`. Writes
//! `target/cnn/fashion_resnet/`: `weights.safetensors` (which PyTorch's strict
//! `load_state_dict` takes, running statistics included: see the README), `curves.svg`,
//! `history.csv`, `filters.png`, `predictions.txt` (the predicted class of each test image)
//! and `resnet8-int8.safetensors`. `examples/pytorch/fashion_resnet.py` loads the weights
//! into the same network written with `torch.nn` and compares.

use std::error::Error;

use cnn::prelude::*;

#[path = "support/args.rs"]
mod args;
#[path = "support/mnist.rs"]
mod mnist;
#[path = "support/report.rs"]
mod report;

network! {
    /// ResNet-8 for 28x28 images: a stem, then three stages of one basic block each (16, 32
    /// and 64 channels, the last two halving the resolution with a strided conv and a 1x1
    /// projection on the shortcut), global average pooling and a linear classifier.
    pub struct ResNet8 {
        input(1, 28x28) -> conv(16, 3x3, pad = 1) -> batchnorm -> relu
            -> residual(conv(16, 3x3, pad = 1) -> batchnorm -> relu -> conv(16, 3x3, pad = 1) -> batchnorm) -> relu
            -> residual(conv(32, 3x3, stride = 2, pad = 1) -> batchnorm -> relu -> conv(32, 3x3, pad = 1) -> batchnorm,
                        shortcut = conv(32, 1x1, stride = 2) -> batchnorm) -> relu
            -> residual(conv(64, 3x3, stride = 2, pad = 1) -> batchnorm -> relu -> conv(64, 3x3, pad = 1) -> batchnorm,
                        shortcut = conv(64, 1x1, stride = 2) -> batchnorm) -> relu
            -> global_avgpool -> dense(10) -> softmax
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "cargo run --release --example fashion_resnet -- --data DIR [--epochs N] [--checkpoint DIR] [--resume DIR]";
    let options = args::Training::parse(&["--data"], usage, 24)?;
    let dir = options.other.first().map(|(_, dir)| dir.as_str());
    let (train, test) = mnist::load(dir, "CNN_FASHION_MNIST_DIR", usage)?;

    let mut net = ResNet8::new(1);
    net.summary();
    println!("training on {} threads", rayon::current_num_threads());
    // Shifts by up to 2 pixels and left-right flips (clothes are symmetric); the background
    // of the standardised images is the standardised 0.
    let background = train.images.iter().copied().fold(f32::INFINITY, f32::min);
    let augment = Augment::new().shift(2).flip_horizontal().fill(background);
    let trainer = Trainer::new().batch_size(128);
    let steps = options.epochs * trainer.steps_per_epoch(train.len());
    let trainer = trainer
        .seed(1)
        .validation(&test)
        .augment(augment)
        .schedule(OneCycleLr::new(0.1, steps));
    let mut sgd = Sgd::new(0.1).nesterov(0.9).weight_decay(5e-4);
    let fit = options
        .apply(trainer)
        .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut sgd);
    let history = args::finished(fit)?;
    let seconds: f64 = history.epochs.iter().map(|e| e.seconds).sum();
    println!(
        "training took {seconds:.1} s, {:.1} s per epoch (test evaluation included)",
        seconds / history.epochs.len().max(1) as f64
    );

    // The predicted classes, for `examples/pytorch/fashion_resnet.py` to set its own beside.
    let out = report::output_dir("fashion_resnet")?;
    let probabilities = net.forward_batch(test.images.view())?;
    let predictions: String = probabilities
        .outer_iter()
        .map(|p| format!("{}\n", cnn::train::argmax(p.as_slice().unwrap_or(&[]))))
        .collect();
    std::fs::write(out.join("predictions.txt"), predictions)?;

    let quantized = mnist::quantized_accuracy(&net, &train, &test, 500)?;
    println!("int8 accuracy: {:.1}%", 100.0 * quantized.int8);
    cnn::weights::save_int8(&quantized.net, out.join("resnet8-int8.safetensors"))?;
    report::finish("fashion_resnet", &net, &history, &test)
}
