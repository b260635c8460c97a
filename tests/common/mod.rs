//! What the integration tests share: the networks several of them use, random batches and
//! arrays, the tolerances of the gradient checks, targets, and temporary folders.
//!
//! Each test file includes it with `mod common;`; a file uses only part of it, hence the
//! `allow(dead_code)`.

#![allow(dead_code)]

use cnn::gradcheck::GradCheck;
use cnn::ndarray::{Array, Array2, Array4, Dimension, ShapeBuilder};
use cnn::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub mod nets;
/// Temporary folders, the same helper the runtime's own tests use.
#[path = "../../cnn-runtime/src/testing/temp.rs"]
pub mod temp;

// ---------------------------------------------------------------------------------------------
// Gradient checks

/// The step of the fourth-order central differences: their truncation error is O(h^4), and a
/// step this small seldom moves a relu's input across its kink.
pub const H: f64 = 1e-5;
/// Below this, a gradient's relative error measures the differences' rounding noise
/// (about 1.5 eps |L| / h = 3e-11 |L|), so it is compared by absolute error instead.
pub const FLOOR: f64 = 1e-4;
pub const MAX_RELATIVE_ERROR: f64 = 1e-6;
pub const MAX_ABSOLUTE_ERROR: f64 = 1e-10;

/// The generated gradients agree with the finite differences within the tolerances above.
pub fn assert_gradients_agree(report: &GradCheck, what: &str) {
    println!("{what}: {report:?}");
    assert!(
        report.max_relative_error <= MAX_RELATIVE_ERROR
            && report.max_absolute_error <= MAX_ABSOLUTE_ERROR,
        "{what}: {report:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Batches and arrays

/// `n` random examples of `N` in `[-1, 1)` and targets in `[0, 1)`, the same for a seed.
pub fn random_batch<N: Network<Scalar = f64>>(n: usize, seed: u64) -> (Array4<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [c, h, w] = N::INPUT_SHAPE;
    let x = Array4::from_shape_simple_fn((n, c, h, w), || rng.random_range(-1.0..1.0));
    let y = Array2::from_shape_simple_fn((n, N::OUTPUT_LEN), || rng.random_range(0.0..1.0));
    (x, y)
}

/// An array of `shape` with values in `[-1, 1)` from `rng`.
pub fn random<Sh: ShapeBuilder>(shape: Sh, rng: &mut ChaCha8Rng) -> Array<f64, Sh::Dim>
where
    Sh::Dim: Dimension,
{
    Array::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// One-hot rows `[labels.len(), classes]`.
pub fn one_hot(labels: &[usize], classes: usize) -> Array2<f32> {
    let mut y = Array2::zeros((labels.len(), classes));
    for (i, &l) in labels.iter().enumerate() {
        y[[i, l]] = 1.0;
    }
    y
}

/// The bit patterns of a network's parameters, to compare them exactly.
pub fn bits<N: Network<Scalar = f32>>(net: &N) -> Vec<u32> {
    bits_of(net.params())
}

/// The bit patterns of `values`.
pub fn bits_of(values: &[f32]) -> Vec<u32> {
    values.iter().map(|p| p.to_bits()).collect()
}
