//! The task of the `seed_net` example, with one filter or three: is the faint stroke hidden in
//! this noisy 22x22 image vertical or horizontal?
//!
//! Both classes draw the stroke's length, position and contrast from the same distributions, so
//! neither the mean brightness nor any single pixel gives the answer away: the network has to
//! find the stroke's orientation. Each stroke pixel is only 2 to 3 noise deviations bright.

use cnn::ndarray::{Array2, Array4, ArrayView2, ArrayView4};
use cnn::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Images are `SIDE x SIDE`, one channel.
pub const SIDE: usize = 22;
/// Standard deviation of the Gaussian pixel noise. The background is 0: inputs are centred, as
/// one would normalise real images (on a grey 0.5 background plain SGD stalls at chance).
const NOISE: f32 = 0.25;

/// `n` images `[n, 1, SIDE, SIDE]` and their targets `[n, 1]`: 1.0 for a vertical stroke, 0.0
/// for a horizontal one. The same seed gives the same images.
pub fn strokes(n: usize, seed: u64) -> (Array4<f32>, Array2<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut images = Array4::zeros((n, 1, SIDE, SIDE));
    let mut targets = Array2::zeros((n, 1));
    for (mut image, mut target) in images.outer_iter_mut().zip(targets.outer_iter_mut()) {
        image.map_inplace(|p| *p = NOISE * gaussian(&mut rng));
        // A 1-pixel-wide stroke of 14 to 20 pixels anywhere in the image, but at least 2 pixels
        // from the border: a 3x3 filter (valid correlation) may then see it whatever column of
        // the filter ends up detecting it.
        let vertical = rng.random_bool(0.5);
        let len = rng.random_range(14..=20);
        let contrast = rng.random_range(0.45..0.75);
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

/// A standard normal sample (Box-Muller), so the examples need no extra dependency.
fn gaussian(rng: &mut impl Rng) -> f32 {
    let u1: f32 = 1.0 - rng.random::<f32>(); // in (0, 1], so its log is finite
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
