//! The task both seed-network examples learn: is there a faint vertical or horizontal stroke in
//! this noisy 22x22 image?
//!
//! Both classes draw the stroke's length, position and contrast from the same distributions, so
//! neither the mean brightness nor any single pixel gives the answer away: the network has to
//! find the stroke's orientation. The noise is strong enough that a stroke is hard to see by eye.

use cnn::ndarray::{Array2, Array4, ArrayView2, ArrayView4};
use cnn::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Images are `SIDE x SIDE`, one channel.
pub const SIDE: usize = 22;
/// Standard deviation of the Gaussian pixel noise around the grey background of 0.5.
const NOISE: f32 = 0.25;

/// `n` images `[n, 1, SIDE, SIDE]` and their targets `[n, 1]`: 1.0 for a vertical stroke, 0.0
/// for a horizontal one. The same seed gives the same images.
pub fn strokes(n: usize, seed: u64) -> (Array4<f32>, Array2<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut images = Array4::zeros((n, 1, SIDE, SIDE));
    let mut targets = Array2::zeros((n, 1));
    for (mut image, mut target) in images.outer_iter_mut().zip(targets.outer_iter_mut()) {
        let noise: f32 = std::env::var("NOISE")
            .map(|v| v.parse().unwrap())
            .unwrap_or(NOISE);
        image.map_inplace(|p| {
            *p = std::env::var("BG")
                .map(|v| v.parse().unwrap())
                .unwrap_or(0.5f32)
                + noise * gaussian(&mut rng)
        });
        // A 1-pixel-wide stroke, 6 to 12 pixels long, anywhere in the image, with a contrast
        // below the noise's standard deviation: no single pixel of it stands out.
        let vertical = rng.random_bool(0.5);
        let lo: usize = std::env::var("LO").map(|v| v.parse().unwrap()).unwrap_or(6);
        let len = rng.random_range(lo..=lo + 6);
        let c: f32 = std::env::var("C")
            .map(|v| v.parse().unwrap())
            .unwrap_or(0.2);
        let contrast = rng.random_range(0.75 * c..1.25 * c);
        let across = rng.random_range(2..SIDE - 2);
        let along = rng.random_range(0..=SIDE - len);
        for i in along..along + len {
            let (row, col) = if vertical { (i, across) } else { (across, i) };
            image[[0, row, col]] += contrast;
        }
        target[0] = if vertical { 1.0 } else { 0.0 };
    }
    (images, targets)
}

/// A standard normal sample (Box-Muller), so the example needs no extra dependency.
fn gaussian(rng: &mut impl Rng) -> f32 {
    let u1: f32 = 1.0 - rng.random::<f32>(); // in (0, 1], so ln is finite
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// The fraction of `images` whose predicted class (output > 0.5) matches the target.
pub fn accuracy<N: Network<Scalar = f32>>(
    net: &N,
    images: ArrayView4<f32>,
    targets: ArrayView2<f32>,
) -> Result<f32, Error> {
    let outputs = net.forward_batch(images)?;
    let correct = outputs
        .iter()
        .zip(targets)
        .filter(|&(&o, &y)| (o > 0.5) == (y > 0.5))
        .count();
    Ok(correct as f32 / targets.nrows() as f32)
}
