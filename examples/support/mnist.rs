//! The MNIST-format data of the examples that read it (`mnist`, `mnist_int8`,
//! `fashion_resnet`): the four IDX files of `--data DIR` (or of the folder an environment
//! variable names), standardised by the training set's mean and deviation, and the networks
//! they train.

#![allow(dead_code)] // each example uses part of it

use std::error::Error;

use cnn::data::Dataset;
use cnn::prelude::*;

network! {
    /// LeNet-5 (LeCun et al. 1998) as it is usually written today: ReLU and max pooling.
    pub struct LeNet5 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }
}

/// The training and test sets of the folder `dir`, or of the folder the environment variable
/// `var` names when `dir` is `None`; standardised, as SGD likes inputs around 0.
pub fn load(
    dir: Option<&str>,
    var: &str,
    usage: &str,
) -> Result<(Dataset, Dataset), Box<dyn Error>> {
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => std::env::var(var).map_err(|_| format!("usage: {usage}"))?,
    };
    let (mut train, mut test) = cnn::data::load_mnist_dir(&dir)?;
    println!(
        "{} training and {} test images from {dir}",
        train.len(),
        test.len()
    );
    let stats = train.pixel_stats();
    train.standardize(stats);
    test.standardize(stats);
    Ok((train, test))
}

/// An int8 network, its accuracy and the float network's.
pub struct Quantized<N: Network> {
    pub net: Box<cnn::quant::Int8<N>>,
    pub float: f64,
    pub int8: f64,
}

/// The int8 network of `net`, calibrated on the first `calibration` training images, and its
/// accuracy on `test`; prints the sizes and both accuracies.
pub fn quantized_accuracy<N: Network<Scalar = f32>>(
    net: &N,
    train: &Dataset,
    test: &Dataset,
    calibration: usize,
) -> Result<Quantized<N>, Box<dyn Error>> {
    use cnn::Tensor;
    use cnn::ndarray::{Axis, s};
    let float = cnn::train::evaluate(net, test, &SoftmaxCrossEntropy)?.accuracy;
    println!("f32 accuracy: {:.1}%", 100.0 * float);
    let start = std::time::Instant::now();
    let q = net.quantize(train.images.slice(s![..calibration, .., .., ..]))?;
    println!(
        "quantized after calibration on {calibration} training images in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    println!(
        "size: {} bytes in int8 against {} bytes of f32 parameters ({:.1}x smaller)",
        N::INT8_BYTES,
        N::PARAM_BYTES,
        N::PARAM_BYTES as f64 / N::INT8_BYTES as f64
    );
    let start = std::time::Instant::now();
    let mut right = 0;
    let mut input = N::Input::zeroed_box();
    for (image, &label) in test.images.axis_iter(Axis(0)).zip(&test.labels) {
        input
            .as_flat_mut()
            .iter_mut()
            .zip(image.iter())
            .for_each(|(d, &v)| *d = v);
        let logits = q.forward(&q.quantize_input(&input));
        let best = (0..N::OUTPUT_LEN)
            .max_by_key(|&k| logits.as_ref()[k])
            .unwrap_or(0);
        right += usize::from(best == label);
    }
    let accuracy = right as f64 / test.len() as f64;
    println!(
        "int8 forward: {:.1} µs per image on one thread, integers only",
        start.elapsed().as_secs_f64() * 1e6 / test.len() as f64
    );
    println!(
        "int8 against f32: {:+.2} points",
        100.0 * (accuracy - float)
    );
    Ok(Quantized {
        net: q,
        float,
        int8: accuracy,
    })
}
