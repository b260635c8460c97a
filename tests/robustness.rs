//! Run-time robustness through the public API: every bad array, batch or file is an `Err` that
//! names what was expected and what came, a refused step changes nothing (weights nor optimizer
//! state), strided and reversed views give the answer of their contiguous copy, and a diverging
//! training stops with the last finite weights.

mod common;

use std::fs;
use std::path::Path;

use cnn::ndarray::{Array2, Array4, ArrayView2, ArrayView4, Axis, s};
use cnn::prelude::*;
use common::nets::{SeedNet, SeedNet3};
use common::temp::TempDir;
use common::{bits, bits_of, one_hot};

network! {
    /// The seed network with one more layer: the same tensors and one more pair.
    pub struct SeedNetDeep {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid -> dense(1->1)
    }

    /// Two channels, three classes: for strides along every axis and class indices.
    pub struct Small {
        input(2, 6x5) -> c1: conv(3, 3x3, pad = 1) -> relu -> maxpool(2x2) -> head: dense(3)
    }

    /// Linear, so that a large learning rate diverges without saturating.
    pub struct Linear {
        input(1x4) -> dense(4->2)
    }
}

/// Deterministic values in `[0, 1)`.
fn uniform(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32
        })
        .collect()
}

fn images(shape: [usize; 4], seed: u64) -> Array4<f32> {
    let len = shape.iter().product();
    Array4::from_shape_vec(shape, uniform(len, seed)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Shapes, empty batches, non-finite values

#[test]
fn forward_batch_names_expected_and_given_shapes() {
    let net = SeedNet::new(1);
    for (shape, text) in [
        (
            [2, 1, 21, 22],
            "input batch has shape [2, 1, 21, 22], but [2, 1, 22, 22] was expected",
        ),
        (
            [3, 2, 22, 22],
            "input batch has shape [3, 2, 22, 22], but [3, 1, 22, 22] was expected",
        ),
        (
            [1, 1, 22, 484],
            "input batch has shape [1, 1, 22, 484], but [1, 1, 22, 22] was expected",
        ),
        (
            [0, 1, 0, 0],
            "input batch has shape [0, 1, 0, 0], but [0, 1, 22, 22] was expected",
        ),
    ] {
        let x = Array4::<f32>::zeros(shape);
        let err = net.forward_batch(x.view()).unwrap_err();
        assert!(matches!(err, Error::Shape { .. }), "{err:?}");
        assert_eq!(err.to_string(), text);
    }
}

#[test]
fn forward_batch_of_no_examples_is_zero_rows() {
    let net = Small::new(1);
    let out = net
        .forward_batch(Array4::<f32>::zeros([0, 2, 6, 5]).view())
        .unwrap();
    assert_eq!(out.shape(), &[0, 3]);
}

/// Bad batches for `SeedNet`, with the message each must give.
fn bad_batches() -> Vec<(Array4<f32>, Array2<f32>, String)> {
    let x = images([3, 1, 22, 22], 1);
    let y = Array2::from_elem((3, 1), 0.5f32);
    let mut cases = vec![
        (
            images([3, 1, 22, 21], 1),
            y.clone(),
            "input batch has shape [3, 1, 22, 21], but [3, 1, 22, 22] was expected".to_owned(),
        ),
        (
            x.clone(),
            Array2::zeros((3, 2)),
            "targets has shape [3, 2], but [3, 1] was expected".to_owned(),
        ),
        (
            x.clone(),
            Array2::zeros((2, 1)),
            "targets has shape [2, 1], but [3, 1] was expected".to_owned(),
        ),
        (
            x.clone(),
            Array2::zeros((1, 3)),
            "targets has shape [1, 3], but [3, 1] was expected".to_owned(),
        ),
        (
            Array4::zeros([0, 1, 22, 22]),
            Array2::zeros((0, 1)),
            "input batch is an empty batch: at least one example is needed".to_owned(),
        ),
    ];
    for (value, text) in [
        (f32::NAN, "NaN"),
        (f32::INFINITY, "inf"),
        (f32::NEG_INFINITY, "-inf"),
    ] {
        let mut bad_x = x.clone();
        bad_x[[2, 0, 7, 13]] = value;
        cases.push((
            bad_x,
            y.clone(),
            format!("input batch holds a non-finite value ({text}) at index [2, 0, 7, 13]"),
        ));
        let mut bad_y = y.clone();
        bad_y[[1, 0]] = value;
        cases.push((
            x.clone(),
            bad_y,
            format!("targets holds a non-finite value ({text}) at index [1, 0]"),
        ));
    }
    cases
}

#[test]
fn loss_and_grad_names_what_is_wrong() {
    let net = SeedNet::new(2);
    for (x, y, text) in bad_batches() {
        let err = net
            .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
            .unwrap_err();
        assert_eq!(err.to_string(), text);
    }
}

/// A refused step changes neither the weights nor the optimizer's state: a step after it
/// gives the same bits as the same step on a twin that never saw the refusal.
fn refused_steps_change_nothing<O: Optimizer + Clone>(optimizer: O) {
    let x = images([3, 1, 22, 22], 3);
    let y = Array2::from_shape_vec((3, 1), vec![0.0, 1.0, 0.5]).unwrap();
    let mut net = SeedNet::new(3);
    let mut opt = optimizer.clone();
    // One good step first, so that the optimizer holds state (velocity, moments, step count).
    net.train_step(x.view(), y.view(), &HalfSquaredError, &mut opt)
        .unwrap();
    let (mut twin, mut twin_opt) = (net.clone(), opt.clone());
    let before = bits(&net);

    let mut refused: Vec<(Array4<f32>, Array2<f32>, String)> = bad_batches();
    // Finite data whose loss is not: (3e38 - o)^2 / 2 overflows f32.
    refused.push((
        x.clone(),
        Array2::from_elem((3, 1), 3e38),
        "the loss is inf: the step was refused and the parameters are unchanged".to_owned(),
    ));
    for (bx, by, text) in &refused {
        let err = net
            .train_step(bx.view(), by.view(), &HalfSquaredError, &mut opt)
            .unwrap_err();
        assert_eq!(&err.to_string(), text);
        assert_eq!(bits(&net), before, "after: {text}");
    }

    let l = net
        .train_step(x.view(), y.view(), &HalfSquaredError, &mut opt)
        .unwrap();
    let l_twin = twin
        .train_step(x.view(), y.view(), &HalfSquaredError, &mut twin_opt)
        .unwrap();
    assert_eq!(l.to_bits(), l_twin.to_bits());
    assert_eq!(bits(&net), bits(&twin));
}

#[test]
fn refused_sgd_steps_change_nothing() {
    refused_steps_change_nothing(Sgd::new(0.5).momentum(0.9).weight_decay(1e-3));
}

#[test]
fn refused_adam_steps_change_nothing() {
    refused_steps_change_nothing(Adam::new(1e-2));
}

#[test]
fn an_infinite_loss_is_refused_with_its_value() {
    let mut net = SeedNet::new(4);
    let before = bits(&net);
    let x = images([2, 1, 22, 22], 4);
    let err = net
        .train_step(
            x.view(),
            Array2::from_elem((2, 1), -3e38f32).view(),
            &MeanSquaredError,
            &mut Sgd::new(0.1),
        )
        .unwrap_err();
    match err {
        Error::NonFiniteLoss { value } => assert_eq!(value, f64::INFINITY),
        other => panic!("{other:?}"),
    }
    assert_eq!(bits(&net), before);
}

// ---------------------------------------------------------------------------------------------
// Strided, reversed, permuted and broadcast views

/// Views of `Small`'s inputs with strides other than the standard layout's: of `full`, of
/// `nhwc` (an array in channels-last order), and of `one` (a single example).
fn odd_views<'a>(
    full: &'a Array4<f32>,
    nhwc: &'a Array4<f32>,
    one: &'a Array4<f32>,
) -> Vec<(&'static str, ArrayView4<'a, f32>)> {
    vec![
        ("every other example", full.slice(s![..;2, .., .., ..])),
        (
            "reversed along every axis",
            full.slice(s![..;-1, ..;-1, ..;-1, ..;-1]),
        ),
        (
            "every third example, rows reversed",
            full.slice(s![1..;3, .., ..;-1, ..]),
        ),
        (
            "NHWC memory as NCHW",
            nhwc.view().permuted_axes([0, 3, 1, 2]),
        ),
        (
            "one example broadcast",
            one.broadcast([5, 2, 6, 5]).unwrap(),
        ),
    ]
}

#[test]
fn strided_and_reversed_inputs_give_the_contiguous_answer() {
    let full = images([10, 2, 6, 5], 5);
    let nhwc = images([7, 6, 5, 2], 6);
    let one = images([1, 2, 6, 5], 7);
    let net = Small::new(5);
    for (what, view) in odd_views(&full, &nhwc, &one) {
        let copy = view.as_standard_layout().into_owned();
        let n = copy.len_of(Axis(0));
        assert!(
            view.as_slice().is_none(),
            "{what} is a standard-layout view"
        );
        let a = net.forward_batch(view).unwrap();
        let b = net.forward_batch(copy.view()).unwrap();
        assert_eq!(
            bits_of(a.as_slice().unwrap()),
            bits_of(b.as_slice().unwrap()),
            "{what}"
        );

        // Targets strided too: a transposed, reversed one-hot matrix.
        let labels: Vec<usize> = (0..n).map(|i| (i * 7) % 3).collect();
        let y_t = one_hot(&labels, 3)
            .reversed_axes()
            .as_standard_layout()
            .into_owned();
        let y_view: ArrayView2<f32> = y_t.t();
        let y_copy = y_view.as_standard_layout().into_owned();
        let (la, ga) = net
            .loss_and_grad(view, y_view, &SoftmaxCrossEntropy)
            .unwrap();
        let (lb, gb) = net
            .loss_and_grad(copy.view(), y_copy.view(), &SoftmaxCrossEntropy)
            .unwrap();
        assert_eq!(la.to_bits(), lb.to_bits(), "{what}");
        assert_eq!(bits_of(ga.as_ref()), bits_of(gb.as_ref()), "{what}");

        let (mut na, mut nb) = (net.clone(), net.clone());
        let (mut oa, mut ob) = (Adam::new(1e-2), Adam::new(1e-2));
        for _ in 0..3 {
            let la = na
                .train_step(view, y_view, &SoftmaxCrossEntropy, &mut oa)
                .unwrap();
            let lb = nb
                .train_step(copy.view(), y_copy.view(), &SoftmaxCrossEntropy, &mut ob)
                .unwrap();
            assert_eq!(la.to_bits(), lb.to_bits(), "{what}");
        }
        assert_eq!(bits(&na), bits(&nb), "{what}");
    }
}

/// A data set of `images` and `labels`, three classes.
fn dataset(images: Array4<f32>, labels: &[usize]) -> Dataset {
    Dataset {
        images,
        labels: labels.to_vec(),
        classes: 3,
    }
}

#[test]
fn trainer_on_reversed_images_matches_the_contiguous_copy() {
    let full = images([12, 2, 6, 5], 7);
    // Owned, but with negative strides along two axes.
    let mut reversed = full.clone();
    reversed.invert_axis(Axis(0));
    reversed.invert_axis(Axis(2));
    assert!(reversed.as_slice().is_none());
    let copy = reversed.as_standard_layout().into_owned();
    let labels: Vec<usize> = (0..12).map(|i| i % 3).collect();
    let fit = |x: Array4<f32>| {
        let data = dataset(x, &labels);
        let mut net = Small::new(7);
        let history = Trainer::new()
            .epochs(3)
            .batch_size(5)
            .seed(3)
            .validation(&data)
            .quiet()
            .fit(
                &mut net,
                &data,
                &SoftmaxCrossEntropy,
                &mut Sgd::new(0.1).momentum(0.9),
            )
            .unwrap();
        let losses: Vec<_> = history
            .epochs
            .iter()
            .map(|e| (e.train_loss.to_bits(), e.valid_loss.map(f64::to_bits)))
            .collect();
        (bits(&net), losses)
    };
    assert_eq!(fit(reversed), fit(copy));
}

// ---------------------------------------------------------------------------------------------
// The trainer

/// Twelve examples of `Small`, labels `i % 3`.
fn small_data() -> (Array4<f32>, Vec<usize>) {
    (images([12, 2, 6, 5], 8), (0..12).map(|i| i % 3).collect())
}

/// Runs `fit` on `Small::new(9)` with batches of `batch_size`, checks that it fails and leaves
/// the weights as they were, and returns the error.
fn fit_error(train: &Dataset, validation: Option<&Dataset>, batch_size: usize) -> Error {
    let mut net = Small::new(9);
    let before = bits(&net);
    let trainer = Trainer::new().epochs(2).batch_size(batch_size).quiet();
    let trainer = match validation {
        Some(v) => trainer.validation(v),
        None => trainer,
    };
    let err = trainer
        .fit(&mut net, train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))
        .expect_err("fit should refuse");
    // Not `assert_eq!`: two lists of a hundred bit patterns say less than the message.
    assert!(bits(&net) == before, "the weights changed: {err}");
    err
}

/// As [`fit_error`], and the error's message is `text`.
fn fit_refuses(train: &Dataset, validation: Option<&Dataset>, batch_size: usize, text: &str) {
    let err = fit_error(train, validation, batch_size);
    assert_eq!(err.to_string(), text);
}

#[test]
fn trainer_refuses_wrong_shapes_and_empty_data() {
    let (x, labels) = small_data();
    let good = dataset(x.clone(), &labels);
    fit_refuses(
        &dataset(images([12, 1, 6, 5], 1), &labels),
        None,
        2,
        "input batch has shape [12, 1, 6, 5], but [12, 2, 6, 5] was expected",
    );
    fit_refuses(
        &dataset(x.clone(), &labels[..11]),
        None,
        2,
        "labels has shape [11], but [12] was expected",
    );
    fit_refuses(
        &dataset(Array4::zeros([0, 2, 6, 5]), &[]),
        None,
        2,
        "training data is an empty batch: at least one example is needed",
    );
    fit_refuses(
        &good,
        None,
        0,
        "training data is an empty batch: at least one example is needed",
    );
    // A wrong validation set is refused before any training, not after the first epoch.
    let vx = images([4, 2, 6, 5], 2);
    fit_refuses(
        &good,
        Some(&dataset(vx.clone(), &[0, 1, 2, 5])),
        2,
        "example 3 has class 5, but the network has 3 outputs",
    );
    fit_refuses(
        &good,
        Some(&dataset(vx, &[0, 1, 2])),
        2,
        "labels has shape [3], but [4] was expected",
    );
    fit_refuses(
        &good,
        Some(&dataset(Array4::zeros([0, 2, 6, 5]), &[])),
        2,
        "validation data is an empty batch: at least one example is needed",
    );
}

/// Found by this file: `fit` trains a whole epoch before it looks at the validation inputs'
/// shape, so the error comes with the weights already changed.
#[test]
fn trainer_refuses_wrong_validation_inputs_before_training() {
    let (x, labels) = small_data();
    let vx = images([4, 1, 6, 5], 2);
    fit_refuses(
        &dataset(x, &labels),
        Some(&dataset(vx, &[0, 1, 2, 0])),
        2,
        "input batch has shape [4, 1, 6, 5], but [4, 2, 6, 5] was expected",
    );
}

/// Found by this file: fewer validation targets than validation inputs index past the targets
/// (`Targets::rows`, `c[i]` or `select`), a panic rather than an `Err`.
#[test]
fn trainer_refuses_fewer_validation_labels_than_images() {
    let (x, labels) = small_data();
    let vx = images([4, 2, 6, 5], 2);
    let outcome = std::panic::catch_unwind(|| {
        fit_refuses(
            &dataset(x, &labels),
            Some(&dataset(vx, &[0, 1, 2])),
            2,
            "labels has shape [3], but [4] was expected",
        );
    });
    assert!(outcome.is_ok(), "fit panicked");
}

/// Found by this file: more validation targets than inputs are silently cut to the inputs'
/// count.
#[test]
fn trainer_refuses_more_validation_labels_than_images() {
    let (x, labels) = small_data();
    let vx = images([4, 2, 6, 5], 2);
    fit_refuses(
        &dataset(x, &labels),
        Some(&dataset(vx, &[0, 1, 2, 0, 1])),
        2,
        "labels has shape [5], but [4] was expected",
    );
}

/// Found by this file: bad data in a later batch is met after earlier batches have trained, so
/// the error comes with the weights changed. The data could be checked before the first step.
#[test]
fn trainer_refuses_bad_data_anywhere_before_training() {
    let (x, mut labels) = small_data();
    labels[7] = 3;
    fit_refuses(
        &dataset(x, &labels),
        None,
        2,
        "example 7 has class 3, but the network has 3 outputs",
    );
    let (mut x, labels) = small_data();
    x[[7, 1, 2, 3]] = f32::NAN;
    fit_refuses(
        &dataset(x, &labels),
        None,
        2,
        "input batch holds a non-finite value (NaN) at index [7, 1, 2, 3]",
    );
}

#[test]
fn trainer_refuses_a_bad_class_or_value_with_one_batch() {
    // One batch of all the data: the first step is the one refused.
    let (x, mut labels) = small_data();
    labels[7] = 3;
    fit_refuses(
        &dataset(x.clone(), &labels),
        None,
        12,
        "example 7 has class 3, but the network has 3 outputs",
    );
    labels[7] = usize::MAX;
    fit_refuses(
        &dataset(x, &labels),
        None,
        64,
        &format!(
            "example 7 has class {}, but the network has 3 outputs",
            usize::MAX
        ),
    );
    let (mut x, labels) = small_data();
    x[[0, 0, 0, 0]] = f32::INFINITY;
    // Checked before the first step, so the index is the example's place in the data set.
    fit_refuses(
        &dataset(x, &labels),
        None,
        12,
        "input batch holds a non-finite value (inf) at index [0, 0, 0, 0]",
    );
}

#[test]
fn a_diverging_training_stops_with_the_last_finite_weights() {
    // A linear classifier trained on the squared error with far too large a step: the weights
    // grow geometrically until the loss overflows. One batch per epoch, so `epochs(e)` runs
    // exactly `e` steps.
    let train = Dataset {
        images: images([8, 1, 1, 4], 10),
        labels: (0..8).map(|i| i % 2).collect(),
        classes: 2,
    };
    let fit = |epochs: usize| {
        let mut net = Linear::new(1);
        let result = Trainer::new().epochs(epochs).batch_size(8).quiet().fit(
            &mut net,
            &train,
            &MeanSquaredError,
            &mut Sgd::new(50.0),
        );
        (net, result)
    };
    let (diverged, result) = fit(1_000);
    let err = result.unwrap_err();
    assert!(
        matches!(err, Error::NonFiniteLoss { value } if !value.is_finite()),
        "{err}"
    );
    assert!(err.to_string().starts_with("the loss is "), "{err}");
    assert!(diverged.params().iter().all(|p| p.is_finite()));
    // The weights are those after the last step whose loss was finite.
    let mut last_finite = None;
    for epochs in 1..1_000 {
        match fit(epochs) {
            (net, Ok(_)) => last_finite = Some(net),
            (_, Err(_)) => break,
        }
    }
    let last_finite = last_finite.expect("at least one finite step");
    assert_eq!(bits(&diverged), bits(&last_finite));
}

// ---------------------------------------------------------------------------------------------
// Weight files

fn load_err(path: &Path) -> Error {
    SeedNet::load(path).expect_err("the file should be refused")
}

#[test]
fn loading_bad_weight_files_is_an_error() {
    let dir = TempDir::new();
    let good = dir.join("good.safetensors");
    SeedNet::new(1).save(&good).unwrap();
    let bytes = fs::read(&good).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;

    // A path that does not exist, and a folder.
    let missing = dir.join("missing.safetensors");
    let err = load_err(&missing);
    assert!(
        matches!(&err, Error::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(
        err.to_string().starts_with(&format!(
            "failed to read weight file `{}`: ",
            missing.display()
        )),
        "{err}"
    );
    assert!(matches!(load_err(dir.path()), Error::Io { .. }));

    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        path
    };
    let mut huge_header = bytes.clone();
    huge_header[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut corrupt_json = bytes.clone();
    corrupt_json[8] = b'[';
    let mut bad_utf8 = bytes.clone();
    bad_utf8[10] = 0xff;
    for (name, bad) in [
        ("empty", &b""[..]),
        ("seven bytes", &bytes[..7]),
        ("header cut", &bytes[..8 + header_len / 2]),
        ("data cut", &bytes[..bytes.len() - 1]),
        ("huge header length", &huge_header[..]),
        ("corrupt json", &corrupt_json[..]),
        ("not utf-8", &bad_utf8[..]),
        ("text", &b"conv1.weight = [1, 2, 3]"[..]),
    ] {
        let err = load_err(&write(name, bad));
        assert!(matches!(err, Error::WeightFormat { .. }), "{name}: {err:?}");
        assert!(
            err.to_string().starts_with("invalid safetensors data: "),
            "{name}: {err}"
        );
    }

    // A network of other shapes, of more tensors, of fewer.
    let three = dir.join("three.safetensors");
    SeedNet3::new(1).save(&three).unwrap();
    assert_eq!(
        load_err(&three).to_string(),
        "tensor `conv1.weight` has shape [3, 1, 3, 3] in the weight file, but [1, 1, 3, 3] was expected"
    );
    let deep = dir.join("deep.safetensors");
    SeedNetDeep::new(1).save(&deep).unwrap();
    assert_eq!(
        load_err(&deep).to_string(),
        "the weight file has a tensor `dense2.bias` that the network does not have"
    );
    let small = dir.join("small.safetensors");
    Small::new(1).save(&small).unwrap();
    assert_eq!(
        load_err(&small).to_string(),
        "the weight file has no tensor `conv1.weight`"
    );
    assert_eq!(
        SeedNetDeep::load(&good).unwrap_err().to_string(),
        "the weight file has no tensor `dense2.weight`"
    );

    // Every prefix and single-byte flip of a good file is an error or a network, never a panic.
    for end in (0..bytes.len()).step_by(5) {
        assert!(
            SeedNet::load(write("prefix", &bytes[..end])).is_err(),
            "{end}"
        );
    }
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        let _ = SeedNet::load(write("flipped", &b));
    }

    // And the good file still loads, bit for bit.
    assert_eq!(bits(&SeedNet::load(&good).unwrap()), bits(&SeedNet::new(1)));
}

#[test]
fn a_failed_save_leaves_the_previous_file_intact() {
    let dir = TempDir::new();
    let old_net = SeedNet::new(1);
    let new_net = SeedNet::new(2);

    // Into a folder that does not exist: an error naming the path, nothing created.
    let path = dir.join("missing").join("net.safetensors");
    let err = new_net.save(&path).unwrap_err();
    assert!(
        matches!(&err, Error::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(
        err.to_string().starts_with(&format!(
            "failed to write weight file `{}`: ",
            path.display()
        )),
        "{err}"
    );
    assert!(dir.entries().is_empty());

    // Over a previous file, failing: a file name so long that the temporary file's name
    // (`.<name>.tmp-<pid>-<n>`) is over the usual 255-byte limit, though the name is not.
    // Root writes into read-only folders, so this is the failure a test can count on here.
    let name = format!("{}.safetensors", "w".repeat(230));
    let path = dir.join(&name);
    old_net.save(&path).unwrap();
    let old = fs::read(&path).unwrap();
    match new_net.save(&path) {
        Err(err) => {
            assert!(matches!(err, Error::Io { .. }), "{err:?}");
            assert_eq!(fs::read(&path).unwrap(), old);
            assert_eq!(
                dir.entries(),
                std::slice::from_ref(&name),
                "a temporary file was left"
            );
            assert_eq!(bits(&SeedNet::load(&path).unwrap()), bits(&old_net));
        }
        // A file system with longer names: the save is whole, and nothing else is left.
        Ok(()) => {
            assert_eq!(bits(&SeedNet::load(&path).unwrap()), bits(&new_net));
            assert_eq!(dir.entries(), [name]);
        }
    }

    // A save that succeeds replaces the file whole.
    let path = dir.join("net.safetensors");
    old_net.save(&path).unwrap();
    new_net.save(&path).unwrap();
    assert_eq!(bits(&SeedNet::load(&path).unwrap()), bits(&new_net));
}
