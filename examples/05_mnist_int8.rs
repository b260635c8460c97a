//! Fifth: LeNet-5 quantized to int8 for a microcontroller, as TensorFlow Lite Micro and
//! CMSIS-NN run it: per-channel weights, per-tensor activations, integer arithmetic only.
//!
//! ```text
//! cargo run --release --example mnist_int8 -- --data DIR [--epochs N]
//! ```
//!
//! Reads the weights the `mnist` example wrote (`target/cnn/mnist/weights.safetensors`), or
//! trains LeNet-5 for `--epochs` (4 by default) when there are none; calibrates on 500
//! training images; prints the f32 accuracy, the int8 network's size, and the int8 network's
//! accuracy on the 10,000 test images; fails if it is not within 0.3 points of the f32
//! network's. Writes `target/cnn/mnist_int8/lenet5-int8.safetensors`.
//!
//! Next: `fashion_resnet` trains a small ResNet with batch norm.

use std::error::Error;

use cnn::prelude::*;

#[path = "support/args.rs"]
mod args;
#[path = "support/mnist.rs"]
mod mnist;

use mnist::LeNet5;

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "cargo run --release --example mnist_int8 -- --data DIR [--epochs N]";
    let options = args::Training::parse(&["--data"], usage, 4)?;
    let dir = options.other.first().map(|(_, dir)| dir.as_str());
    let (train, test) = mnist::load(dir, "CNN_MNIST_DIR", usage)?;

    let saved = std::path::Path::new("target/cnn/mnist/weights.safetensors");
    let net = match LeNet5::load(saved) {
        Ok(net) => {
            println!("weights from {}", saved.display());
            net
        }
        Err(_) => {
            println!(
                "no weights in {}: training for {} epochs",
                saved.display(),
                options.epochs
            );
            let mut net = LeNet5::new(1);
            let epochs = options.epochs;
            Trainer::new()
                .epochs(epochs)
                .batch_size(64)
                .seed(1)
                .schedule(MultiStepLr::new(1e-3, [epochs - epochs / 3], 0.1))
                .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-3))?;
            net
        }
    };
    let quantized = mnist::quantized_accuracy(&net, &train, &test, 500)?;
    let out = std::path::Path::new("target/cnn/mnist_int8");
    std::fs::create_dir_all(out)?;
    let path = out.join("lenet5-int8.safetensors");
    cnn::weights::save_int8(&quantized.net, &path)?;
    println!("wrote {}", path.display());
    println!("final accuracy: {:.1}%", 100.0 * quantized.int8);
    // The bound this example is here to show.
    if (quantized.float - quantized.int8).abs() > 0.003 {
        return Err("the int8 network is not within 0.3 points of the f32 network".into());
    }
    Ok(())
}
