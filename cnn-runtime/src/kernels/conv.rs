//! What the generated convolutions read and write with: eight columns of a row as a vector,
//! and the copies of an image into a zero border and back.

use crate::Float;
use crate::simd::Lanes;

/// The eight values `x[at..at + 8]` as a vector: eight output columns of a convolution for
/// one example.
///
/// # Panics
/// When `x` has fewer than `at + 8` values; the generated code reads inside its buffers.
#[inline(always)]
pub fn load8<T: Float, S: Lanes<T>>(s: S, x: &[T], at: usize) -> S::V {
    s.loadu(x[at..].first_chunk().expect("eight values"))
}

/// `x[at], x[at + STEP], ..., x[at + 7 STEP]` as a vector: eight output columns of a
/// convolution of stride `STEP`.
///
/// # Panics
/// As [`load8`].
#[inline(always)]
pub fn load8_strided<T: Float, S: Lanes<T>, const STEP: usize>(s: S, x: &[T], at: usize) -> S::V {
    let x = &x[at..at + 7 * STEP + 1];
    s.loadu(&[
        x[0],
        x[STEP],
        x[2 * STEP],
        x[3 * STEP],
        x[4 * STEP],
        x[5 * STEP],
        x[6 * STEP],
        x[7 * STEP],
    ])
}

/// Writes a vector to `row[at..at + 8]`.
///
/// # Panics
/// When `row` has fewer than `at + 8` values.
#[inline(always)]
pub fn store8<T: Float, S: Lanes<T>>(s: S, row: &mut [T], at: usize, v: S::V) {
    s.storeu(row[at..].first_chunk_mut().expect("eight values"), v);
}

/// Writes the first `R` lanes of a vector to `row[at..at + R]`: the last, narrower columns of a
/// row whose width is not a multiple of eight.
///
/// # Panics
/// When `row` has fewer than `at + R` values or `R > 8`.
#[inline(always)]
pub fn store_head<T: Float, S: Lanes<T>, const R: usize>(s: S, row: &mut [T], at: usize, v: S::V) {
    let a = s.to_array(v);
    row[at..at + R].copy_from_slice(&a[..R]);
}

/// Copies an image into a flat buffer of padded rows, `WP` values each, `HP` per channel, the
/// image in the middle; the border and what follows stay as they were (zeros). A convolution
/// reads eight columns at a time from it, the last vector of a row past its end.
///
/// # Panics
/// When `xs` is shorter than `C * HP * WP`.
#[inline(always)]
pub fn copy_padded<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const HP: usize,
    const WP: usize,
>(
    x: &[[[T; W]; H]; C],
    xs: &mut [T],
) {
    const { assert!(HP >= H && WP >= W && (HP - H).is_multiple_of(2) && (WP - W).is_multiple_of(2)) };
    let (ph, pw) = ((HP - H) / 2, (WP - W) / 2);
    for (c, x_c) in x.iter().enumerate() {
        for (i, row) in x_c.iter().enumerate() {
            let at = (c * HP + i + ph) * WP + pw;
            xs[at..at + W].copy_from_slice(row);
        }
    }
}

/// Copies `x` into the middle of `xp`, whose border (as wide on both sides) it leaves as it
/// was: zeros, for a padded convolution.
#[inline]
pub fn pad<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const HP: usize,
    const WP: usize,
>(
    x: &[[[T; W]; H]; C],
    xp: &mut [[[T; WP]; HP]; C],
) {
    const { assert!(HP >= H && WP >= W && (HP - H).is_multiple_of(2) && (WP - W).is_multiple_of(2)) };
    let (ph, pw) = ((HP - H) / 2, (WP - W) / 2);
    for (xp_c, x_c) in xp.iter_mut().zip(x) {
        for (row, src) in xp_c[ph..ph + H].iter_mut().zip(x_c) {
            row[pw..pw + W].copy_from_slice(src);
        }
    }
}

/// The inverse of [`pad`]: the middle of `xp` into `x`, dropping the border.
#[inline]
pub fn crop<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const HP: usize,
    const WP: usize,
>(
    xp: &[[[T; WP]; HP]; C],
    x: &mut [[[T; W]; H]; C],
) {
    const { assert!(HP >= H && WP >= W && (HP - H).is_multiple_of(2) && (WP - W).is_multiple_of(2)) };
    let (ph, pw) = ((HP - H) / 2, (WP - W) / 2);
    for (x_c, xp_c) in x.iter_mut().zip(xp) {
        for (row, src) in x_c.iter_mut().zip(&xp_c[ph..ph + H]) {
            row.copy_from_slice(&src[pw..pw + W]);
        }
    }
}
