//! Data augmentation: random shifts (pad and crop), horizontal flips, small rotations and
//! scalings of images, drawn anew for every example of every batch.
//!
//! The [`Trainer`](crate::Trainer) applies an [`Augment`] on the fly as it gathers each batch,
//! on the worker threads of its pool, reading the data set in place (nothing is copied but
//! the batch itself). Each example's transformation is drawn from its own seed, derived from
//! the Trainer's augmentation generator (saved in checkpoints), so a run is repeatable whatever
//! the number of threads. One example by hand:
//!
//! ```
//! use cnn::ndarray::Array3;
//! use cnn::train::Augment;
//!
//! // A 1x3x3 image with one bright pixel in the middle.
//! let image = Array3::from_shape_fn((1, 3, 3), |(_, i, j)| f32::from(i == 1 && j == 1));
//! let augment = Augment::new().shift(1);
//! let mut out = [0.0f32; 9];
//! augment.apply(image.view(), &mut out, 7);
//! assert_eq!(out.iter().sum::<f32>(), 1.0); // moved by at most one pixel, never lost
//! ```

use ndarray::{ArrayView3, Axis};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::Float;
use crate::data::Dataset;

/// Random transformations of images, for training on small data sets: each setting adds one,
/// and all are drawn independently for every example.
///
/// - [`shift(p)`](Augment::shift): pad by `p` pixels and crop back at a random place, i.e. a
///   shift by `-p..=p` pixels down and right (torchvision's `RandomCrop(size, padding=p)`);
/// - [`flip_horizontal`](Augment::flip_horizontal): mirror left to right, with probability
///   1/2 (not for digits, whose mirror images are other shapes);
/// - [`rotate(d)`](Augment::rotate): rotate by an angle uniform in `[-d, d]` degrees about
///   the centre;
/// - [`scale(lo, hi)`](Augment::scale): zoom by a factor uniform in `[lo, hi]` about the
///   centre (below 1 shrinks, above 1 crops into the image).
///
/// Shifts and flips move whole pixels; rotations and scalings sample the image bilinearly.
/// Pixels from beyond the image get [`fill`](Augment::fill) (0 by default: the background of
/// images in `[0, 1]`; give the background's value for standardised images).
///
/// ```text
/// out(p) = in(c + F(R(-angle) (p - c) / scale) + (dy, dx))     c = the centre, F = the flip
/// ```
/// # Examples
/// ```
/// use cnn::ndarray::Array3;
/// use cnn::train::Augment;
///
/// let augment = Augment::new().shift(2).rotate(10.0).scale(0.9, 1.1);
/// assert!(!augment.is_identity() && Augment::new().is_identity());
/// let image = Array3::from_elem((1, 8, 8), 0.5f32);
/// let (mut a, mut b) = ([0.0f32; 64], [0.0f32; 64]);
/// augment.apply(image.view(), &mut a, 1);
/// augment.apply(image.view(), &mut b, 1);
/// assert_eq!(a, b); // the same seed, the same transformation
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Augment {
    shift: usize,
    flip: bool,
    rotate: f64,
    scale: (f64, f64),
    fill: f32,
}

impl Default for Augment {
    fn default() -> Self {
        Augment::new()
    }
}

/// The transformation drawn for one example.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Draw {
    dy: isize,
    dx: isize,
    flip: bool,
    /// `cos` and `sin` of the angle, divided by the scale: `None` for no rotation or scaling.
    affine: Option<(f64, f64)>,
}

impl Augment {
    /// No transformation: add some with the other methods.
    pub fn new() -> Self {
        Augment {
            shift: 0,
            flip: false,
            rotate: 0.0,
            scale: (1.0, 1.0),
            fill: 0.0,
        }
    }

    /// Shifts by up to `pixels` in each direction (pad and crop).
    pub fn shift(mut self, pixels: usize) -> Self {
        self.shift = pixels;
        self
    }

    /// Mirrors left to right half of the time.
    pub fn flip_horizontal(mut self) -> Self {
        self.flip = true;
        self
    }

    /// Rotates by up to `degrees` either way.
    ///
    /// # Panics
    /// If `degrees` is negative or not finite.
    pub fn rotate(mut self, degrees: f64) -> Self {
        assert!(
            degrees.is_finite() && degrees >= 0.0,
            "the rotation is {degrees} degrees, but it must be finite and not negative"
        );
        self.rotate = degrees;
        self
    }

    /// Zooms by a factor between `min` and `max`.
    ///
    /// # Panics
    /// If `min` is not positive, or `max` is below `min` or not finite.
    pub fn scale(mut self, min: f64, max: f64) -> Self {
        assert!(
            min > 0.0 && min <= max && max.is_finite(),
            "the scale range is [{min}, {max}], but it must be positive and finite"
        );
        self.scale = (min, max);
        self
    }

    /// The value of pixels from beyond the image.
    pub fn fill(mut self, value: f32) -> Self {
        self.fill = value;
        self
    }

    /// Whether no transformation is set.
    pub fn is_identity(&self) -> bool {
        self.shift == 0 && !self.flip && self.rotate == 0.0 && self.scale == (1.0, 1.0)
    }

    /// Writes one example `image` `[C, H, W]`, transformed, into `out` (`C * H * W` values,
    /// channel, row, column order), with the transformation drawn from `seed`.
    ///
    /// # Panics
    /// If `out` does not hold `C * H * W` values.
    pub fn apply<T: Float>(&self, image: ArrayView3<f32>, out: &mut [T], seed: u64) {
        assert_eq!(out.len(), image.len(), "room for one image");
        let draw = self.draw(&mut ChaCha8Rng::seed_from_u64(seed));
        let (h, w) = (image.len_of(Axis(1)), image.len_of(Axis(2)));
        let fill = T::from_f64(f64::from(self.fill));
        for (channel, out) in image.outer_iter().zip(out.chunks_exact_mut(h * w)) {
            let pixel = |i: isize, j: isize| -> f64 {
                if i < 0 || j < 0 || i >= h as isize || j >= w as isize {
                    f64::from(self.fill)
                } else {
                    f64::from(channel[[i as usize, j as usize]])
                }
            };
            for i in 0..h {
                for j in 0..w {
                    let o = &mut out[i * w + j];
                    let Some((cos, sin)) = draw.affine else {
                        let j = if draw.flip { w - 1 - j } else { j };
                        let (si, sj) = (i as isize + draw.dy, j as isize + draw.dx);
                        *o = if si < 0 || sj < 0 || si >= h as isize || sj >= w as isize {
                            fill
                        } else {
                            T::from_f64(f64::from(channel[[si as usize, sj as usize]]))
                        };
                        continue;
                    };
                    // The source of output pixel (i, j): rotated back about the centre,
                    // unscaled, mirrored, shifted.
                    let (ci, cj) = ((h - 1) as f64 / 2.0, (w - 1) as f64 / 2.0);
                    let (y, x) = (i as f64 - ci, j as f64 - cj);
                    let (y, mut x) = (cos * y - sin * x, sin * y + cos * x);
                    if draw.flip {
                        x = -x;
                    }
                    let (y, x) = (y + ci + draw.dy as f64, x + cj + draw.dx as f64);
                    let (y0, x0) = (y.floor(), x.floor());
                    let (fy, fx) = (y - y0, x - x0);
                    let (y0, x0) = (y0 as isize, x0 as isize);
                    let top = pixel(y0, x0) * (1.0 - fx) + pixel(y0, x0 + 1) * fx;
                    let bottom = pixel(y0 + 1, x0) * (1.0 - fx) + pixel(y0 + 1, x0 + 1) * fx;
                    *o = T::from_f64(top * (1.0 - fy) + bottom * fy);
                }
            }
        }
    }

    /// The transformation of one example, drawn in a fixed order so that a seed keeps its
    /// meaning: shift, flip, angle, scale, each only when set.
    fn draw(&self, rng: &mut ChaCha8Rng) -> Draw {
        let shift = self.shift as isize;
        let mut offset = || {
            let span = 2 * self.shift as u64 + 1;
            below(rng, span) as isize - shift
        };
        let (dy, dx) = if self.shift > 0 {
            (offset(), offset())
        } else {
            (0, 0)
        };
        let flip = self.flip && below(rng, 2) == 1;
        let angle = if self.rotate > 0.0 {
            (2.0 * unit(rng) - 1.0) * self.rotate.to_radians()
        } else {
            0.0
        };
        let (lo, hi) = self.scale;
        let scale = if hi > lo {
            lo + (hi - lo) * unit(rng)
        } else {
            lo
        };
        let affine =
            (angle != 0.0 || scale != 1.0).then(|| (angle.cos() / scale, angle.sin() / scale));
        Draw {
            dy,
            dx,
            flip,
            affine,
        }
    }
}

/// A uniform integer below `bound`, by Lemire's multiply-shift (as the data set's shuffle).
fn below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(bound)) >> 64) as u64
}

/// A uniform float in `[0, 1)`, from 53 random bits.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Copies the examples `indices` of `data` into `out` (one after the other), transformed by
/// `augment` with the seeds `key + position` when given, on the threads of the current pool.
pub(crate) fn gather<T: Float>(
    data: &Dataset,
    indices: &[usize],
    augment: Option<(&Augment, u64)>,
    out: &mut [T],
) {
    let len = out.len() / indices.len().max(1);
    // Enough pixels per task that rayon's overhead does not dominate small images.
    let min_len = (16_384 / len.max(1)).max(1);
    out.par_chunks_mut(len)
        .with_min_len(min_len)
        .zip(indices.par_iter())
        .enumerate()
        .for_each(|(position, (out, &i))| {
            let image = data.images.index_axis(Axis(0), i);
            match augment {
                Some((augment, key)) => {
                    augment.apply(image, out, key.wrapping_add(position as u64))
                }
                None => crate::train::metrics::copy_example(image, out),
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    /// A 2x4x5 image whose pixels are all different.
    fn image() -> Array3<f32> {
        Array3::from_shape_fn((2, 4, 5), |(c, i, j)| (c * 20 + i * 5 + j) as f32 / 40.0)
    }

    fn applied(augment: &Augment, seed: u64) -> Vec<f32> {
        let image = image();
        let mut out = vec![0.0; image.len()];
        augment.apply(image.view(), &mut out, seed);
        out
    }

    #[test]
    fn no_setting_copies_the_image() {
        assert_eq!(
            applied(&Augment::new(), 3),
            image().iter().copied().collect::<Vec<_>>()
        );
    }

    #[test]
    fn shifts_move_whole_pixels_and_fill_the_border() {
        let augment = Augment::new().shift(1).fill(-1.0);
        let original = image();
        for seed in 0..20 {
            let out = applied(&augment, seed);
            let draw = augment.draw(&mut ChaCha8Rng::seed_from_u64(seed));
            assert!(draw.dy.abs() <= 1 && draw.dx.abs() <= 1 && draw.affine.is_none());
            for (k, &v) in out.iter().enumerate() {
                let (c, i, j) = (k / 20, (k / 5) % 4, k % 5);
                let (si, sj) = (i as isize + draw.dy, j as isize + draw.dx);
                let inside = (0..4).contains(&si) && (0..5).contains(&sj);
                let expected = if inside {
                    original[[c, si as usize, sj as usize]]
                } else {
                    -1.0
                };
                assert_eq!(v, expected, "seed {seed}, pixel {k}");
            }
        }
    }

    #[test]
    fn a_flip_mirrors_the_rows() {
        let augment = Augment::new().flip_horizontal();
        let (mut flipped, mut kept) = (0, 0);
        for seed in 0..16 {
            let out = applied(&augment, seed);
            if out == applied(&Augment::new(), 0) {
                kept += 1;
            } else {
                let mirror: Vec<f32> = image()
                    .slice(ndarray::s![.., .., ..;-1])
                    .iter()
                    .copied()
                    .collect();
                assert_eq!(out, mirror);
                flipped += 1;
            }
        }
        assert!(flipped > 3 && kept > 3, "{flipped} flipped, {kept} kept");
    }

    #[test]
    fn a_quarter_turn_of_a_square_image_is_exact_up_to_rounding() {
        // Scale 1, angle drawn: check one rotation against the formula's pixel mapping.
        let square = Array3::from_shape_fn((1, 3, 3), |(_, i, j)| (i * 3 + j) as f32);
        let augment = Augment::new().rotate(90.0);
        let draw = augment.draw(&mut ChaCha8Rng::seed_from_u64(5));
        let (cos, sin) = draw.affine.unwrap();
        let mut out = [0.0f32; 9];
        augment.apply(square.view(), &mut out, 5);
        // The centre never moves.
        assert!((out[4] - 4.0).abs() < 1e-6);
        // Every output is a convex mix of inputs or the fill: within the range.
        assert!(out.iter().all(|&v| (0.0..=8.0).contains(&v)), "{out:?}");
        assert!((cos * cos + sin * sin - 1.0).abs() < 1e-12);
    }

    #[test]
    fn zooming_in_keeps_a_constant_image_constant() {
        let flat = Array3::from_elem((1, 6, 6), 0.25f32);
        let mut out = [0.0f32; 36];
        Augment::new()
            .scale(1.2, 1.3)
            .rotate(5.0)
            .apply(flat.view(), &mut out, 9);
        // Zoomed in by at least 1.2, rotated by at most 5 degrees: every source is inside.
        assert!(out.iter().all(|&v| (v - 0.25).abs() < 1e-6), "{out:?}");
    }

    #[test]
    fn gathering_is_the_same_on_any_number_of_threads() {
        let data = Dataset {
            images: ndarray::Array4::from_shape_fn((40, 1, 6, 6), |(n, _, i, j)| {
                ((n * 7 + i * 3 + j) % 11) as f32 / 10.0
            }),
            labels: vec![0; 40],
            classes: 1,
        };
        let indices: Vec<usize> = (0..40).rev().collect();
        let augment = Augment::new().shift(2).rotate(15.0);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = vec![0.0f32; 40 * 36];
            pool.install(|| gather(&data, &indices, Some((&augment, 11)), &mut out));
            out
        };
        assert_eq!(on(1), on(3));
        let mut plain = vec![0.0f64; 40 * 36];
        gather(&data, &indices, None, &mut plain);
        assert_eq!(
            plain[..36],
            data.images
                .index_axis(Axis(0), 39)
                .mapv(f64::from)
                .as_slice()
                .unwrap()[..]
        );
    }
}
