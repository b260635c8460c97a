//! Batch normalisation in training mode, and dropout, on blocks of eight examples.
//!
//! PyTorch's definitions, per channel `c` over the `N x H x W` values of the batch (or per
//! feature over `N`, with `H x W = 1`):
//!
//! ```text
//! mean  = sum x / M                  var = sum (x - mean)^2 / M      (M = N H W, biased)
//! xhat  = (x - mean) / sqrt(var + eps)                 y = gamma xhat + beta
//! dbeta = sum dy     dgamma = sum dy xhat
//! dx    = gamma / sqrt(var + eps) (dy - dbeta / M - xhat dgamma / M)
//! running_mean <- (1 - m) running_mean + m mean     running_var <- (1 - m) running_var + m var M / (M - 1)
//! ```
//!
//! The batch is split into parts on threads, and the sums run over all of them: each part
//! computes its own mean and sum of squared deviations (two passes over its values, which
//! are in cache), the parts are combined by Chan et al.'s formula, and the same for the two
//! sums of the backward pass. Lanes past the last example of a part take no part in any sum,
//! and get no gradient.
//!
//! A block's values of one channel are `SP` consecutive packs at `c * SP` (an image's block
//! is `[C][H][W]` packs, a flat one `[C]`).

use crate::Float;
use crate::simd::{Lanes, Pack};

/// The mask of the lanes of block `b` that hold one of the part's `n` examples.
#[inline(always)]
fn valid<T: Float, S: Lanes<T>>(s: S, n: usize, b: usize) -> S::V {
    let lanes = n.saturating_sub(b * 8).min(8);
    let index: [T; 8] = core::array::from_fn(|l| T::from_f64(l as f64));
    s.gt(s.splat(T::from_f64(lanes as f64)), s.loadu(&index))
}

/// The part's statistics per channel: its own mean and sum of squared deviations of its `n`
/// examples' values (`n * SP` per channel).
#[inline(always)]
pub fn partial_stats<T: Float, S: Lanes<T>>(
    s: S,
    x: &[Pack<T>],
    channels: usize,
    sp: usize,
    n: usize,
    mean: &mut [T],
    m2: &mut [T],
) {
    let count = T::from_f64((n * sp) as f64);
    let block = channels * sp;
    for c in 0..channels {
        let mut sum = s.zero();
        for (b, xb) in x.chunks_exact(block).enumerate() {
            let mask = valid(s, n, b);
            for p in &xb[c * sp..(c + 1) * sp] {
                sum = s.add(sum, s.and(mask, s.load(p)));
            }
        }
        let m = s.sum(sum) / count;
        let (mv, mut dev) = (s.splat(m), s.zero());
        for (b, xb) in x.chunks_exact(block).enumerate() {
            let mask = valid(s, n, b);
            for p in &xb[c * sp..(c + 1) * sp] {
                let d = s.and(mask, s.sub(s.load(p), mv));
                dev = s.mul_add(d, d, dev);
            }
        }
        mean[c] = m;
        m2[c] = s.sum(dev);
    }
}

/// Combines the parts' statistics: `parts` holds each part's `(values per channel, mean, m2)`.
/// Writes the batch's mean, `1 / sqrt(var + eps)` and the unbiased variance per channel.
pub fn combine_stats<T: Float>(
    parts: &[(usize, &[T], &[T])],
    eps: T,
    mean: &mut [T],
    inv_std: &mut [T],
    unbiased: &mut [T],
) {
    let total: usize = parts.iter().map(|p| p.0).sum();
    let m_total = T::from_f64(total as f64);
    for c in 0..mean.len() {
        let mut m = T::ZERO;
        for &(count, pm, _) in parts {
            m += T::from_f64(count as f64) * pm[c];
        }
        m /= m_total;
        let mut m2 = T::ZERO;
        for &(count, pm, pm2) in parts {
            let d = pm[c] - m;
            m2 += pm2[c] + T::from_f64(count as f64) * d * d;
        }
        let var = m2 / m_total;
        mean[c] = m;
        inv_std[c] = T::ONE / (var + eps).sqrt();
        unbiased[c] = if total > 1 {
            m2 / T::from_f64((total - 1) as f64)
        } else {
            T::ZERO
        };
    }
}

/// `y = gamma (x - mean) inv_std + beta` for every value of every block.
#[allow(clippy::too_many_arguments)] // the statistics and the parameters of one layer
#[inline(always)]
pub fn normalize<T: Float, S: Lanes<T>>(
    s: S,
    x: &[Pack<T>],
    y: &mut [Pack<T>],
    gamma: &[T],
    beta: &[T],
    mean: &[T],
    inv_std: &[T],
    sp: usize,
) {
    let channels = gamma.len();
    let block = channels * sp;
    for (xb, yb) in x.chunks_exact(block).zip(y.chunks_exact_mut(block)) {
        for c in 0..channels {
            let scale = gamma[c] * inv_std[c];
            let (scale, shift) = (s.splat(scale), s.splat(beta[c] - mean[c] * scale));
            for (p, q) in xb[c * sp..(c + 1) * sp]
                .iter()
                .zip(&mut yb[c * sp..(c + 1) * sp])
            {
                s.store(q, s.mul_add(s.load(p), scale, shift));
            }
        }
    }
}

/// The part's sums of the backward pass per channel, over its `n` examples: `sum dy` (into
/// `sum_dy`) and `sum dy xhat` (into `sum_dy_xhat`).
#[allow(clippy::too_many_arguments)] // the statistics of one layer
#[inline(always)]
pub fn partial_sums<T: Float, S: Lanes<T>>(
    s: S,
    x: &[Pack<T>],
    dy: &[Pack<T>],
    mean: &[T],
    inv_std: &[T],
    sp: usize,
    n: usize,
    sum_dy: &mut [T],
    sum_dy_xhat: &mut [T],
) {
    let channels = mean.len();
    let block = channels * sp;
    for c in 0..channels {
        let (mv, iv) = (s.splat(mean[c]), s.splat(inv_std[c]));
        let (mut a, mut b) = (s.zero(), s.zero());
        for (k, (xb, db)) in x
            .chunks_exact(block)
            .zip(dy.chunks_exact(block))
            .enumerate()
        {
            let mask = valid(s, n, k);
            for (p, d) in xb[c * sp..(c + 1) * sp]
                .iter()
                .zip(&db[c * sp..(c + 1) * sp])
            {
                let d = s.and(mask, s.load(d));
                let xhat = s.mul(s.sub(s.load(p), mv), iv);
                a = s.add(a, d);
                b = s.mul_add(d, xhat, b);
            }
        }
        sum_dy[c] = s.sum(a);
        sum_dy_xhat[c] = s.sum(b);
    }
}

/// `dx = gamma inv_std (dy - sum_dy / M - xhat sum_dy_xhat / M)` with the batch's sums and its
/// `M` values per channel; zero in the lanes past the part's `n` examples.
#[allow(clippy::too_many_arguments)] // the statistics and the sums of one layer
#[inline(always)]
pub fn backward<T: Float, S: Lanes<T>>(
    s: S,
    x: &[Pack<T>],
    dy: &[Pack<T>],
    dx: &mut [Pack<T>],
    gamma: &[T],
    mean: &[T],
    inv_std: &[T],
    sum_dy: &[T],
    sum_dy_xhat: &[T],
    values: usize,
    sp: usize,
    n: usize,
) {
    let channels = gamma.len();
    let block = channels * sp;
    let inv_m = T::ONE / T::from_f64(values as f64);
    for (k, ((xb, db), dxb)) in x
        .chunks_exact(block)
        .zip(dy.chunks_exact(block))
        .zip(dx.chunks_exact_mut(block))
        .enumerate()
    {
        let mask = valid(s, n, k);
        for c in 0..channels {
            let (mv, iv) = (s.splat(mean[c]), s.splat(inv_std[c]));
            let scale = s.splat(gamma[c] * inv_std[c]);
            let (a, b) = (s.splat(sum_dy[c] * inv_m), s.splat(sum_dy_xhat[c] * inv_m));
            let range = c * sp..(c + 1) * sp;
            for ((p, d), q) in xb[range.clone()]
                .iter()
                .zip(&db[range.clone()])
                .zip(&mut dxb[range])
            {
                let xhat = s.mul(s.sub(s.load(p), mv), iv);
                let g = s.sub(s.sub(s.load(d), a), s.mul(xhat, b));
                s.store(q, s.and(mask, s.mul(scale, g)));
            }
        }
    }
}

/// The value dropout keeps or zeroes: a hash of the step, the layer, the example and the
/// position (SplitMix64's finaliser), so the masks depend on nothing else — not on the
/// threads or the order of the parts.
#[inline(always)]
pub fn keeps(seed: u64, example: usize, position: usize, threshold: u64) -> bool {
    let mut z = seed
        .wrapping_add((example as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add((position as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    z >= threshold
}

/// The seed of a dropout layer's masks at a training step.
pub const fn dropout_seed(step: u64, layer: usize) -> u64 {
    step.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (layer as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// `2^64 p`: a value is zeroed when its hash is below it.
pub fn dropout_threshold(p: f64) -> u64 {
    (p * 18_446_744_073_709_551_616.0) as u64
}

/// `y = x keep / (1 - p)` (or `dy` to `dx`: the same mask), for a part whose first example is
/// `first` of the batch; `len` values per example.
#[inline(always)]
pub fn dropout<T: Float>(
    x: &[Pack<T>],
    y: &mut [Pack<T>],
    len: usize,
    first: usize,
    seed: u64,
    p: f64,
) {
    let threshold = dropout_threshold(p);
    let scale = T::from_f64(1.0 / (1.0 - p));
    for (b, (xb, yb)) in x.chunks_exact(len).zip(y.chunks_exact_mut(len)).enumerate() {
        for (position, (xp, yp)) in xb.iter().zip(yb.iter_mut()).enumerate() {
            for l in 0..8 {
                let e = first + b * 8 + l;
                yp.0[l] = if keeps(seed, e, position, threshold) {
                    xp.0[l] * scale
                } else {
                    T::ZERO
                };
            }
        }
    }
}

/// Global average pooling: `y[c] = sum_sp x[c][sp] / SP` for every block.
#[inline(always)]
pub fn global_avgpool<T: Float, S: Lanes<T>>(s: S, x: &[Pack<T>], y: &mut [Pack<T>], sp: usize) {
    let inv = s.splat(T::ONE / T::from_f64(sp as f64));
    for (xc, yc) in x.chunks_exact(sp).zip(y.iter_mut()) {
        let mut sum = s.zero();
        for p in xc {
            sum = s.add(sum, s.load(p));
        }
        s.store(yc, s.mul(sum, inv));
    }
}

/// Its backward pass: `dx[c][sp] = dy[c] / SP`.
#[inline(always)]
pub fn global_avgpool_backward<T: Float, S: Lanes<T>>(
    s: S,
    dy: &[Pack<T>],
    dx: &mut [Pack<T>],
    sp: usize,
) {
    let inv = s.splat(T::ONE / T::from_f64(sp as f64));
    for (dc, d) in dx.chunks_exact_mut(sp).zip(dy) {
        let v = s.mul(s.load(d), inv);
        for p in dc {
            s.store(p, v);
        }
    }
}

/// `y = a + b`.
#[inline(always)]
pub fn add<T: Float, S: Lanes<T>>(s: S, a: &[Pack<T>], b: &[Pack<T>], y: &mut [Pack<T>]) {
    for ((a, b), y) in a.iter().zip(b).zip(y.iter_mut()) {
        s.store(y, s.add(s.load(a), s.load(b)));
    }
}

/// `acc += x`: a second gradient into a tensor read by two layers.
#[inline(always)]
pub fn add_assign<T: Float, S: Lanes<T>>(s: S, acc: &mut [Pack<T>], x: &[Pack<T>]) {
    for (a, x) in acc.iter_mut().zip(x) {
        let v = s.add(s.load(a), s.load(x));
        s.store(a, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Portable;

    #[test]
    fn statistics_of_parts_combine_to_those_of_the_batch() {
        // 11 examples, 2 channels of 3 values: split 8 + 3 or 5 + 6.
        let value =
            |e: usize, c: usize, k: usize| ((e * 7 + c * 3 + k) % 5) as f64 + 0.25 * c as f64;
        let pack = |n: usize, first: usize| -> Vec<Pack<f64>> {
            let blocks = n.div_ceil(8);
            let mut v = vec![Pack::zero(); blocks * 6];
            for e in 0..n {
                for c in 0..2 {
                    for k in 0..3 {
                        v[(e / 8) * 6 + c * 3 + k].0[e % 8] = value(first + e, c, k);
                    }
                }
            }
            // Junk in the lanes past the part's examples must not count.
            if !n.is_multiple_of(8) {
                v.last_mut().unwrap().0[7] = 1e9;
            }
            v
        };
        for split in [8, 5] {
            let (a, b) = (pack(split, 0), pack(11 - split, split));
            let (mut ma, mut m2a, mut mb, mut m2b) = ([0.0; 2], [0.0; 2], [0.0; 2], [0.0; 2]);
            partial_stats(Portable, &a, 2, 3, split, &mut ma, &mut m2a);
            partial_stats(Portable, &b, 2, 3, 11 - split, &mut mb, &mut m2b);
            let (mut mean, mut inv, mut unb) = ([0.0; 2], [0.0; 2], [0.0; 2]);
            combine_stats(
                &[(split * 3, &ma, &m2a), ((11 - split) * 3, &mb, &m2b)],
                1e-5,
                &mut mean,
                &mut inv,
                &mut unb,
            );
            for c in 0..2 {
                let all: Vec<f64> = (0..11)
                    .flat_map(|e| (0..3).map(move |k| value(e, c, k)))
                    .collect();
                let m = all.iter().sum::<f64>() / 33.0;
                let var = all.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / 33.0;
                assert!((mean[c] - m).abs() < 1e-12);
                assert!((inv[c] - 1.0 / (var + 1e-5).sqrt()).abs() < 1e-12);
                assert!((unb[c] - var * 33.0 / 32.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn dropout_keeps_about_one_minus_p() {
        let threshold = dropout_threshold(0.3);
        let kept = (0..10_000)
            .filter(|&j| keeps(dropout_seed(3, 1), j / 100, j % 100, threshold))
            .count();
        assert!((6_700..7_300).contains(&kept), "{kept}");
        assert!((0..100).all(|j| keeps(0, 0, j, dropout_threshold(0.0))));
    }
}
