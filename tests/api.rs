//! The public contract (`cnn::doc::dsl`), exercised through exactly its names: sizes, tensor
//! names and layouts, seeded initialisation by the activation after a layer, the summary
//! table, batches of any strides, errors naming both shapes, training steps, input gradients.

mod common;

use cnn::ndarray::{Array2, Array4, Axis, s};
use cnn::prelude::*;
use cnn::{Init, Tensor};
use common::nets::{LeNet5, SeedNet, SeedNet3};

network! {
    struct Inits { input(6x6) -> conv(4, 3x3) -> maxpool(2x2) -> leaky_relu(0.2) -> dense(8) -> tanh -> dense(3) }

    /// Attributes carry over; a derived `Clone`/`Debug` replaces the generated ones.
    #[derive(Clone, Debug, PartialEq)]
    #[allow(dead_code)]
    pub(crate) struct Labelled {
        input(2, 6x5) -> c1: conv(4, 3x3, pad = 1) -> relu -> conv(2, 2x2, stride = 2) -> head: dense(3)
    }
}

#[test]
fn sizes() {
    assert_eq!(SeedNet::INPUT_SHAPE, [1, 22, 22]);
    assert_eq!(SeedNet::INPUT_LEN, 484);
    assert_eq!(SeedNet::OUTPUT_LEN, 1);
    assert_eq!(SeedNet::PARAM_LEN, 9 + 1 + 400 + 1);
    assert_eq!(SeedNet3::PARAM_LEN, 27 + 3 + 1200 + 1);
    assert_eq!(<SeedNet<f64> as Network>::PARAM_LEN, 411);
    assert_eq!(Labelled::INPUT_SHAPE, [2, 6, 5]);
    // conv2: 2 filters of 2x2 stride 2 on 4x6x5 -> 2x3x2 = 12 -> dense 12 -> 3
    assert_eq!(
        Labelled::PARAM_LEN,
        4 * 2 * 9 + 4 + 2 * 4 * 4 + 2 + 12 * 3 + 3
    );
    let x = [0.0f32; SeedNet::INPUT_LEN];
    assert_eq!(x.len(), 484);
}

#[test]
fn tensors_are_named_and_laid_out_like_pytorch() {
    let names: Vec<_> = <Labelled as Network>::TENSORS
        .iter()
        .map(|t| (t.name, t.shape))
        .collect();
    assert_eq!(
        names,
        [
            ("c1.weight", &[4, 2, 3, 3][..]),
            ("c1.bias", &[4][..]),
            ("conv2.weight", &[2, 4, 2, 2][..]),
            ("conv2.bias", &[2][..]),
            ("head.weight", &[3, 12][..]),
            ("head.bias", &[3][..]),
        ]
    );
}

#[test]
fn params_are_ordered_weight_then_bias_in_pytorch_layout() {
    let mut net = SeedNet::zeroed();
    assert!(net.params().iter().all(|&p| p == 0.0));
    // conv1.weight[0, 0, 1, 2] = 1: the output at (0, 0) then reads x[1][2].
    net.params_mut()[5] = 1.0;
    // dense1.weight[0, 0] = 1 and the rest 0, so the output is sigmoid(sigmoid(z[0, 0])).
    net.params_mut()[10] = 1.0;
    let mut x = [0.0f32; 484];
    x[22 + 2] = 3.0;
    let s = |v: f32| 1.0 / (1.0 + (-v).exp());
    let y = net.forward(&x);
    approx::assert_relative_eq!(y[0], s(s(3.0)), max_relative = 1e-6);
}

#[test]
fn same_seed_same_weights_and_f64_twin() {
    let a = SeedNet::new(7);
    let b = SeedNet::new(7);
    let c = SeedNet::new(8);
    assert_eq!(a.params(), b.params());
    assert_ne!(a.params(), c.params());
    let d = SeedNet::<f64>::new(7);
    for (x, y) in a.params().iter().zip(d.params()) {
        assert_eq!(*x, *y as f32);
    }
    // Biases start at zero, weights do not.
    assert_eq!(a.params()[9], 0.0);
    assert!(a.params()[..9].iter().any(|&w| w != 0.0));
}

#[test]
fn derived_traits_and_attributes() {
    let a = <Labelled>::new(1);
    let b = a.clone();
    assert_eq!(a, b);
    assert!(format!("{a:?}").contains("Labelled"));
}

fn images(n: usize) -> Array4<f32> {
    Array4::from_shape_fn((n, 1, 22, 22), |(e, _, i, j)| {
        ((e * 7 + i * 3 + j) % 11) as f32 / 11.0
    })
}

#[test]
fn forward_batch_equals_forward_for_any_strides() {
    let net = SeedNet::new(3);
    let x = images(6);
    let out = net.forward_batch(x.view()).unwrap();
    assert_eq!(out.dim(), (6, 1));
    for (e, row) in out.outer_iter().enumerate() {
        let one: [f32; 484] = x
            .index_axis(Axis(0), e)
            .iter()
            .copied()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        assert_eq!(row[0], net.forward(&one)[0]);
    }
    // A reversed, strided view gives the rows of the examples it shows.
    let view = x.slice(s![..;-2, .., .., ..]);
    let strided = net.forward_batch(view).unwrap();
    assert_eq!(strided.dim(), (3, 1));
    assert_eq!(strided[[0, 0]], out[[5, 0]]);
    assert_eq!(strided[[2, 0]], out[[1, 0]]);
    // An empty batch has no rows.
    assert_eq!(
        net.forward_batch(x.slice(s![0..0, .., .., ..]))
            .unwrap()
            .dim(),
        (0, 1)
    );
}

#[test]
fn wrong_shapes_are_errors_naming_both_shapes() {
    let mut net = SeedNet::new(3);
    let before = net.params().to_vec();
    let x = Array4::<f32>::zeros((4, 1, 21, 22));
    let err = net.forward_batch(x.view()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input batch has shape [4, 1, 21, 22], but [4, 1, 22, 22] was expected"
    );
    let x = images(4);
    let y = Array2::<f32>::zeros((4, 2));
    let err = net
        .train_step(x.view(), y.view(), &HalfSquaredError, &mut Sgd::new(0.1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "targets has shape [4, 2], but [4, 1] was expected"
    );
    let y = Array2::<f32>::zeros((0, 1));
    let err = net
        .train_step(
            x.slice(s![0..0, .., .., ..]),
            y.view(),
            &HalfSquaredError,
            &mut Sgd::new(0.1),
        )
        .unwrap_err();
    assert!(matches!(err, Error::EmptyBatch { .. }), "{err}");
    let mut x = images(4);
    x[[2, 0, 3, 4]] = f32::NAN;
    let y = Array2::<f32>::zeros((4, 1));
    let err = net
        .train_step(x.view(), y.view(), &HalfSquaredError, &mut Sgd::new(0.1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "input batch holds a non-finite value (NaN) at index [2, 0, 3, 4]"
    );
    assert_eq!(net.params(), &before[..], "a refused step changes nothing");
}

#[test]
fn train_step_returns_the_loss_before_the_update_and_lowers_it() {
    let mut net = SeedNet::new(5);
    let x = images(10);
    let y = Array2::from_shape_fn((10, 1), |(e, _)| (e % 2) as f32);
    let (l0, grad) = net
        .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
        .unwrap();
    assert_eq!(grad.len(), SeedNet::PARAM_LEN);
    let mut sgd = Sgd::new(0.5);
    let first = net
        .train_step(x.view(), y.view(), &HalfSquaredError, &mut sgd)
        .unwrap();
    assert_eq!(first, l0);
    let mut last = first;
    for _ in 0..50 {
        last = net
            .train_step(x.view(), y.view(), &HalfSquaredError, &mut sgd)
            .unwrap();
    }
    assert!(last < first * 0.9, "{first} -> {last}");
}

#[test]
fn input_gradient_has_the_input_shape() {
    let net = SeedNet::new(2);
    let (dx, l) = net.input_gradient(&[0.5; 484], &[1.0], &HalfSquaredError);
    assert_eq!(dx.len(), 484);
    assert!(l > 0.0);
    assert!(dx.iter().any(|&g| g != 0.0));
}

#[test]
fn initialisation_follows_the_activation_after_the_layer() {
    let inits: Vec<(&str, Init)> = <Inits as Network>::TENSORS
        .iter()
        .map(|t| (t.name, t.init))
        .collect();
    assert_eq!(
        inits,
        [
            // conv1 -> maxpool -> leaky_relu: He with the leaky slope, looking past the pool
            (
                "conv1.weight",
                Init::HeNormal {
                    negative_slope: 0.2
                }
            ),
            ("conv1.bias", Init::Zeros),
            ("dense1.weight", Init::XavierUniform),
            ("dense1.bias", Init::Zeros),
            ("dense2.weight", Init::XavierUniform),
            ("dense2.bias", Init::Zeros),
        ]
    );
    let lenet = <LeNet5<f64> as Network>::TENSORS;
    assert_eq!(
        lenet[0].init,
        Init::HeNormal {
            negative_slope: 0.0
        }
    );
    assert_eq!(lenet[8].init, Init::XavierUniform);
    // He's deviation sqrt(2 / fan_in) for dense1 (fan_in 256), within sampling error.
    let net = LeNet5::<f64>::new(3);
    let t = &lenet[4];
    assert_eq!(t.name, "dense1.weight");
    let w = &net.params()[t.offset..t.offset + t.len];
    let std = (w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64).sqrt();
    approx::assert_relative_eq!(std, (2.0f64 / 256.0).sqrt(), max_relative = 0.03);
    // Xavier's bound sqrt(6 / (fan_in + fan_out)) for the last layer.
    let t = &lenet[8];
    let bound = (6.0f64 / (84.0 + 10.0)).sqrt();
    let w = &net.params()[t.offset..t.offset + t.len];
    assert!(w.iter().all(|v| v.abs() <= bound));
    assert!(w.iter().any(|v| v.abs() > 0.9 * bound));
}

#[test]
fn tensors_of_lenet5() {
    let shapes: Vec<(&str, &[usize])> = <LeNet5 as Network>::TENSORS
        .iter()
        .map(|t| (t.name, t.shape))
        .collect();
    assert_eq!(shapes[0], ("conv1.weight", &[6, 1, 5, 5][..]));
    assert_eq!(shapes[2], ("conv2.weight", &[16, 6, 5, 5][..]));
    assert_eq!(shapes[4], ("dense1.weight", &[120, 256][..]));
    assert_eq!(LeNet5::PARAM_LEN, 44_426);
    let _ = <LeNet5 as Network>::Input::zeroed();
}

#[test]
fn summary_of_lenet5() {
    println!("{}", LeNet5::SUMMARY);
    let lines: Vec<&str> = LeNet5::SUMMARY.lines().collect();
    assert_eq!(lines[0], "LeNet5");
    assert!(lines[1].starts_with("layer"));
    // conv1: 6 filters, 24x24 outputs, 25 multiply-adds each: 2 * 86,400 FLOPs.
    assert!(
        lines.iter().any(|l| l.starts_with("conv1 (conv 5x5)")
            && l.contains("6x24x24")
            && l.contains("156")
            && l.ends_with("172,800")),
        "{}",
        LeNet5::SUMMARY
    );
    assert!(
        lines.iter().any(|l| l.starts_with("dense1 (dense)")
            && l.contains("30,840")
            && l.ends_with("61,440"))
    );
    assert!(LeNet5::SUMMARY.contains("parameters: 44,426"));
    // conv 86,400 + 153,600, dense 30,720 + 10,080 + 840 multiply-adds.
    assert_eq!(
        <LeNet5 as Network>::FORWARD_MACS,
        86_400 + 153_600 + 30_720 + 10_080 + 840
    );
    assert_eq!(
        <LeNet5 as Network>::TRAIN_MACS,
        2 * 86_400 + 3 * (153_600 + 30_720 + 10_080 + 840)
    );
}

/// The README's Training section holds the digits example's code as it is.
#[test]
fn the_readme_shows_the_digits_example_as_it_is() {
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/examples/02_digits.rs")).unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let code = example
        .split("// README: begin\n")
        .nth(1)
        .and_then(|rest| rest.split("// README: end").next())
        .expect("the markers in examples/02_digits.rs");
    assert!(
        readme.contains(&format!("```rust\n{}\n```", code.trim_end())),
        "README.md's Training section differs from examples/02_digits.rs: copy it over"
    );
}
