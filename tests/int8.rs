//! The int8 network: after calibration it computes what the float network does, to within its
//! quantization; its file round-trips and refuses another network's; and the memory constants
//! bound the stack its forward passes really use.

mod common;

use cnn::Tensor;
use cnn::ndarray::Array4;
use cnn::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    struct LeNet {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10) -> softmax
    }
    /// Batch norm folded into convs, residual joins, a strided projection, global pooling.
    struct Blocks {
        input(1, 12x12) -> conv(8, 3x3, pad = 1) -> batchnorm -> relu
            -> residual(conv(8, 3x3, pad = 1) -> batchnorm -> relu -> conv(8, 3x3, pad = 1) -> batchnorm) -> relu
            -> residual(conv(16, 3x3, stride = 2, pad = 1) -> batchnorm,
                        shortcut = conv(16, 1x1, stride = 2) -> batchnorm) -> relu
            -> global_avgpool -> dense(4)
    }
    /// Tables (sigmoid, tanh, leaky relu), a lone batch norm and relu, average pooling,
    /// grouped and depthwise convs, flatten and dropout.
    struct Mixed {
        input(4, 10x10) -> conv(8, 3x3, groups = 2) -> tanh -> conv(8, 3x3, groups = 8, pad = 1)
            -> sigmoid -> batchnorm -> relu -> avgpool(2x2) -> flatten -> dropout(0.5) -> dense(6)
            -> leaky_relu(0.1) -> dense(3)
    }
}

fn inputs<N: Network<Scalar = f32>>(n: usize, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [c, h, w] = N::INPUT_SHAPE;
    Array4::from_shape_simple_fn((n, c, h, w), || rng.random_range(0.0..1.0))
}

/// A network whose batch norms have running statistics of their own.
fn trained<N: Network<Scalar = f32>>(seed: u64) -> N {
    let mut net = N::new(seed);
    let x = inputs::<N>(32, seed);
    let mut y = cnn::ndarray::Array2::zeros((32, N::OUTPUT_LEN));
    for i in 0..32 {
        y[[i, i % N::OUTPUT_LEN]] = 1.0;
    }
    let mut adam = Adam::new(1e-3);
    for _ in 0..20 {
        net.train_step(x.view(), y.view(), &MeanSquaredError, &mut adam)
            .unwrap();
    }
    net
}

/// The int8 network's outputs, in real values, against the float network's on other inputs:
/// within a few steps of the output's scale.
fn agrees<N: Network<Scalar = f32>>(net: &N, what: &str) -> f64 {
    let q = net.quantize(inputs::<N>(200, 1).view()).unwrap();
    let test = inputs::<N>(50, 2);
    let mut input = N::Input::zeroed_box();
    let (mut worst, mut range) = (0.0f64, 0.0f64);
    for example in test.outer_iter() {
        input
            .as_flat_mut()
            .iter_mut()
            .zip(example.iter())
            .for_each(|(d, &v)| *d = v);
        let logits = {
            // The int8 network gives the logits of a network that ends in softmax.
            let mut acts = <N::Acts as Tensor>::zeroed_box();
            net.forward_into_best(&input, &mut acts);
            *if N::SUMMARY.contains("(softmax)") {
                N::logits_of(&acts)
            } else {
                N::output_of(&acts)
            }
        };
        let got = q.forward_real(&input);
        for (&a, &b) in logits.as_flat().iter().zip(got.as_flat()) {
            worst = worst.max(f64::from((a - b).abs()));
            range = range.max(f64::from(a.abs()));
        }
    }
    let relative = worst / range;
    println!(
        "{what}: worst {worst:.4} of outputs up to {range:.3} ({relative:.3}); {} bytes int8, {} f32",
        N::INT8_BYTES,
        N::PARAM_BYTES
    );
    relative
}

#[test]
fn int8_lenet_computes_the_float_network() {
    assert!(agrees(&trained::<LeNet>(3), "LeNet") < 0.05);
}

#[test]
fn int8_blocks_computes_the_float_network() {
    assert!(agrees(&trained::<Blocks>(4), "Blocks") < 0.08);
}

#[test]
fn int8_mixed_layers_compute_the_float_network() {
    assert!(agrees(&trained::<Mixed>(5), "Mixed") < 0.08);
}

#[test]
fn quantized_files_round_trip_and_name_their_network() {
    let net = trained::<Blocks>(6);
    let q = net.quantize(inputs::<Blocks>(50, 7).view()).unwrap();
    let dir = common::temp::TempDir::new();
    let path = dir.path().join("blocks-int8.safetensors");
    cnn::weights::save_int8(&q, &path).unwrap();
    let back = cnn::weights::load_int8::<Blocks>(&path).unwrap();
    let x = q.quantize_input(&[0.3; 144]);
    assert_eq!(back.forward(&x), q.forward(&x));
    let err = cnn::weights::load_int8::<LeNet>(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the quantized network file is of network `Blocks`, not of `LeNet`"
    );
}

/// On real data when there is some: LeNet-5 trained on MNIST for two epochs, and its int8
/// network within 0.3 points of its accuracy on the 10,000 test images. Runs when the
/// environment variable `CNN_MNIST_DIR` names the folder of MNIST's four files (CI sets it
/// where the machine has them); says so and passes otherwise.
#[test]
fn int8_lenet_on_mnist_is_within_0_3_points_of_f32() {
    let Some(dir) = std::env::var_os("CNN_MNIST_DIR") else {
        eprintln!("skipped: set CNN_MNIST_DIR to the folder of MNIST's four files");
        return;
    };
    let (mut train, mut test) = cnn::data::load_mnist_dir(dir).unwrap();
    let stats = train.pixel_stats();
    train.standardize(stats);
    test.standardize(stats);
    let mut net = LeNet::new(1);
    Trainer::new()
        .epochs(2)
        .batch_size(64)
        .seed(1)
        .quiet()
        .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-3))
        .unwrap();
    let float = cnn::train::evaluate(&net, &test, &SoftmaxCrossEntropy)
        .unwrap()
        .accuracy;
    let calibration = train.images.slice(cnn::ndarray::s![..500, .., .., ..]);
    let q = net.quantize(calibration).unwrap();
    let mut input = [0.0f32; 784];
    let mut right = 0;
    for (image, &label) in test.images.outer_iter().zip(&test.labels) {
        input
            .iter_mut()
            .zip(image.iter())
            .for_each(|(d, &v)| *d = v);
        let logits = q.forward(&q.quantize_input(&input));
        let best = (0..10).max_by_key(|&k| logits[k]).unwrap();
        right += usize::from(best == label);
    }
    let int8 = right as f64 / test.len() as f64;
    println!(
        "MNIST: f32 {:.2}%, int8 {:.2}%",
        100.0 * float,
        100.0 * int8
    );
    assert!(float > 0.97, "LeNet-5 trained to only {float}");
    assert!(
        (float - int8).abs() <= 0.003,
        "int8 {int8} is not within 0.3 points of f32 {float}"
    );
}

/// Paints a thread's stack below the current frame, runs `f`, and returns how deep `f`
/// reached: the bytes below the painted start that changed.
fn stack_used(f: impl FnOnce()) -> usize {
    // `f` runs in frames of its own, below the painted start, not inlined into this one.
    #[inline(never)]
    fn call(f: &mut dyn FnMut()) {
        f();
    }
    let mut f = Some(f);
    let mut run = move || {
        if let Some(f) = f.take() {
            f();
        }
    };
    const DEPTH: usize = 1 << 20;
    const PATTERN: u8 = 0xA5;
    let marker = 0u8;
    let top = std::hint::black_box(&marker) as *const u8 as usize - 4096;
    // SAFETY: the thread's stack (2 MiB below this frame's, see the callers) is mapped and
    // unused below the current frame; the bytes are written and read with volatile accesses
    // while no frame lives there.
    unsafe {
        for k in 0..DEPTH {
            std::ptr::write_volatile((top - k) as *mut u8, PATTERN);
        }
    }
    call(&mut run);
    let mut deepest = 0;
    // SAFETY: as above; `f` has returned.
    unsafe {
        for k in 0..DEPTH {
            if std::ptr::read_volatile((top - k) as *const u8) != PATTERN {
                deepest = k;
            }
        }
    }
    deepest + 4096
}

fn on_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn forward_stays_within_its_stack_bound() {
    let (used, used8) = on_stack(|| {
        let net = LeNet::new(8);
        let q = net.quantize(inputs::<LeNet>(20, 9).view()).unwrap();
        let x = [0.25f32; 784];
        let x8 = q.quantize_input(&x);
        let used = stack_used(|| {
            std::hint::black_box(net.forward(std::hint::black_box(&x)));
        });
        let used8 = stack_used(|| {
            std::hint::black_box(q.forward(std::hint::black_box(&x8)));
        });
        let probe = stack_used(|| {
            let mut a = [0u8; 50_000];
            std::hint::black_box(&mut a);
        });
        println!("probe of 50,000 bytes: {probe}");
        (used, used8)
    });
    println!(
        "forward: {used} bytes of stack, FORWARD_BYTES {}, FORWARD_STACK_BYTES {}; int8: {used8}, {} and {}",
        <LeNet as Network>::FORWARD_BYTES,
        <LeNet as Network>::FORWARD_STACK_BYTES,
        <LeNet as Network>::INT8_FORWARD_BYTES,
        <LeNet as Network>::INT8_FORWARD_STACK_BYTES
    );
    let f32_bounds = <LeNet as Network>::FORWARD_BYTES..=<LeNet as Network>::FORWARD_STACK_BYTES;
    assert!(f32_bounds.contains(&used), "{used} outside {f32_bounds:?}");
    let int8_bounds =
        <LeNet as Network>::INT8_FORWARD_BYTES..=<LeNet as Network>::INT8_FORWARD_STACK_BYTES;
    assert!(
        int8_bounds.contains(&used8),
        "{used8} outside {int8_bounds:?}"
    );
}
