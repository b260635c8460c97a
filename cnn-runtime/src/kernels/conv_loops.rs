//! The convolutions as plain loops over runtime sizes: what the generated conv functions run
//! for an instruction set whose [`Simd::UNROLLS`](crate::simd::Simd::UNROLLS) is false, the
//! x86-64 fallback for CPUs without AVX2 or FMA.
//!
//! The generated functions unroll every tap with every size a constant, which is what makes
//! them fast, and what makes them long to compile: a second unrolled copy for a fallback that
//! almost no CPU runs took a third of a ResNet's release build. These loops are compiled once
//! per scalar type and activation, whatever the network. Each sum is taken in the order of the
//! generated tiles (the bias, then channel by channel, the taps row by row), so the results are
//! the same as theirs under the same instruction set.
//!
//! ```text
//! forward   Z[f][i][j]  = b[f] + sum_c sum_(u,v) W[f][c][u][v] X[c][i S + u - P][j S + v - P]
//! weights   dW[f][c][u][v] += sum_(i,j) dZ[f][i][j] Xp[c][i S + u][j S + v]
//! input     dX[c][y][x] = sum_f sum_(u,v) W[f][c][u][v] dZ[f][(y + P - u) / S][(x + P - v) / S]
//! ```
//!
//! the last over the taps where `y + P - u` and `x + P - v` are multiples of `S` inside `dZ`:
//! the full convolution of `dL/dZ` with the filters rotated by 180 degrees.

use crate::Float;
use crate::act::Activation;
use crate::simd::{Lanes, Pack};

/// The sizes of a convolution: `C x H x W` in, `F x OH x OW` out, `F` filters of `Kh x Kw`
/// taps over `C / groups` channels each, with a stride and a zero padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvShape {
    /// Input channels.
    pub c: usize,
    /// Input rows.
    pub h: usize,
    /// Input columns.
    pub w: usize,
    /// Filters (output channels).
    pub f: usize,
    /// Output rows.
    pub oh: usize,
    /// Output columns.
    pub ow: usize,
    /// Kernel rows.
    pub kh: usize,
    /// Kernel columns.
    pub kw: usize,
    /// The stride, the same along both axes.
    pub stride: usize,
    /// Zero rows above and below the input.
    pub pad_h: usize,
    /// Zero columns left and right of the input.
    pub pad_w: usize,
    /// Groups: filter `f` sees channels `(f / (F / G)) (C / G) ..` of the input.
    pub groups: usize,
}

impl ConvShape {
    /// Channels a filter sees.
    const fn cg(&self) -> usize {
        self.c / self.groups
    }

    /// Filters per group.
    const fn fg(&self) -> usize {
        self.f / self.groups
    }

    /// Rows of the zero-bordered input.
    const fn hp(&self) -> usize {
        self.h + 2 * self.pad_h
    }

    /// Columns of the zero-bordered input.
    const fn wp(&self) -> usize {
        self.w + 2 * self.pad_w
    }

    /// The first input channel of filter `f`'s group.
    const fn first_channel(&self, f: usize) -> usize {
        f / self.fg() * self.cg()
    }

    /// Where tap `(u, v)` of channel `c` (within the group) of filter `f` is in `W`.
    const fn tap(&self, f: usize, c: usize, u: usize, v: usize) -> usize {
        ((f * self.cg() + c) * self.kh + u) * self.kw + v
    }

    /// The output position that input position `y + P` reads with tap `u` (`y + P = q S + u`),
    /// if there is one.
    const fn source(&self, at: usize, u: usize, out: usize) -> Option<usize> {
        if at < u || !(at - u).is_multiple_of(self.stride) || (at - u) / self.stride >= out {
            None
        } else {
            Some((at - u) / self.stride)
        }
    }
}

/// The forward pass of one example, `x` (`C x H x W`) into `z` (`F x OH x OW`), eight output
/// columns per vector, then `act`.
///
/// # Panics
/// When a slice is shorter than `shape` says.
#[inline(never)]
pub fn forward<T: Float, S: Lanes<T>, A: Activation<T>>(
    s: S,
    shape: &ConvShape,
    w: &[T],
    b: &[T],
    x: &[T],
    z: &mut [T],
    act: A,
) {
    let d = shape;
    for f in 0..d.f {
        let c0 = d.first_channel(f);
        for i in 0..d.oh {
            for j0 in (0..d.ow).step_by(8) {
                let width = (d.ow - j0).min(8);
                let mut acc = s.splat(b[f]);
                for c in 0..d.cg() {
                    let plane = &x[(c0 + c) * d.h * d.w..][..d.h * d.w];
                    for u in 0..d.kh {
                        // The input row of tap row `u`, none in the zero border.
                        let row = (i * d.stride + u)
                            .checked_sub(d.pad_h)
                            .filter(|&y| y < d.h)
                            .map(|y| &plane[y * d.w..][..d.w]);
                        for v in 0..d.kw {
                            let mut xs = [T::ZERO; 8];
                            if let Some(row) = row {
                                for (l, value) in xs.iter_mut().enumerate().take(width) {
                                    let col = (j0 + l) * d.stride + v;
                                    if let Some(&x) =
                                        col.checked_sub(d.pad_w).and_then(|c| row.get(c))
                                    {
                                        *value = x;
                                    }
                                }
                            }
                            acc = s.mul_add(s.splat(w[d.tap(f, c, u, v)]), s.loadu(&xs), acc);
                        }
                    }
                }
                let y = s.to_array(act.forward(s, acc));
                z[(f * d.oh + i) * d.ow + j0..][..width].copy_from_slice(&y[..width]);
            }
        }
    }
}

/// The forward pass of one block of eight examples: `xp` (`C x HP x WP`, the input in its zero
/// border, or the input itself when there is no padding) into `z` (`F x OH x OW`), then `act`.
///
/// # Panics
/// When a slice is shorter than `shape` says.
#[inline(never)]
pub fn forward_batch<T: Float, S: Lanes<T>, A: Activation<T>>(
    s: S,
    shape: &ConvShape,
    w: &[T],
    b: &[T],
    xp: &[Pack<T>],
    z: &mut [Pack<T>],
    act: A,
) {
    let (d, hp, wp) = (shape, shape.hp(), shape.wp());
    for f in 0..d.f {
        let c0 = d.first_channel(f);
        for i in 0..d.oh {
            for j in 0..d.ow {
                let mut acc = s.splat(b[f]);
                for c in 0..d.cg() {
                    for u in 0..d.kh {
                        let row = &xp[((c0 + c) * hp + i * d.stride + u) * wp + j * d.stride..];
                        for (v, x) in row.iter().take(d.kw).enumerate() {
                            acc = s.mul_add(s.splat(w[d.tap(f, c, u, v)]), s.load(x), acc);
                        }
                    }
                }
                s.store(&mut z[(f * d.oh + i) * d.ow + j], act.forward(s, acc));
            }
        }
    }
}

/// The parameter gradient of one block: adds `dZ * Xp` to `dw` (one pack per weight, `F x
/// C/G x Kh x Kw`) and the sums of `dZ` to `db` (one pack per filter), whose lanes the caller
/// adds. `xp` as in [`forward_batch`].
///
/// # Panics
/// When a slice is shorter than `shape` says.
#[inline(never)]
pub fn backward_batch<T: Float, S: Lanes<T>>(
    s: S,
    shape: &ConvShape,
    xp: &[Pack<T>],
    dz: &[Pack<T>],
    dw: &mut [Pack<T>],
    db: &mut [Pack<T>],
) {
    let (d, hp, wp) = (shape, shape.hp(), shape.wp());
    let positions = d.oh * d.ow;
    for f in 0..d.f {
        let c0 = d.first_channel(f);
        let dz_f = &dz[f * positions..][..positions];
        for c in 0..d.cg() {
            for u in 0..d.kh {
                for v in 0..d.kw {
                    let at = d.tap(f, c, u, v);
                    let mut g = s.load(&dw[at]);
                    for i in 0..d.oh {
                        let row = &xp[((c0 + c) * hp + i * d.stride + u) * wp + v..];
                        for (j, dz) in dz_f[i * d.ow..][..d.ow].iter().enumerate() {
                            g = s.mul_add(s.load(dz), s.load(&row[j * d.stride]), g);
                        }
                    }
                    s.store(&mut dw[at], g);
                }
            }
        }
    }
    for (db, dz_f) in db.iter_mut().zip(dz.chunks_exact(positions)) {
        let mut sum = s.load(db);
        for p in dz_f {
            sum = s.add(sum, s.load(p));
        }
        s.store(db, sum);
    }
}

/// The input gradient of one block: `dx` (`C x H x W`, overwritten) from `dz` (`F x OH x
/// OW`), the full convolution with the filters rotated by 180 degrees.
///
/// # Panics
/// When a slice is shorter than `shape` says.
#[inline(never)]
pub fn backward_input_batch<T: Float, S: Lanes<T>>(
    s: S,
    shape: &ConvShape,
    w: &[T],
    dz: &[Pack<T>],
    dx: &mut [Pack<T>],
) {
    let d = shape;
    for c in 0..d.c {
        let (group, cl) = (c / d.cg(), c % d.cg());
        for y in 0..d.h {
            for x in 0..d.w {
                let mut acc = s.zero();
                for f in group * d.fg()..(group + 1) * d.fg() {
                    for u in 0..d.kh {
                        let Some(q) = d.source(y + d.pad_h, u, d.oh) else {
                            continue;
                        };
                        for v in 0..d.kw {
                            if let Some(p) = d.source(x + d.pad_w, v, d.ow) {
                                let dz = s.load(&dz[(f * d.oh + q) * d.ow + p]);
                                acc = s.mul_add(s.splat(w[d.tap(f, cl, u, v)]), dz, acc);
                            }
                        }
                    }
                }
                s.store(&mut dx[(c * d.h + y) * d.w + x], acc);
            }
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::act::{Identity, Relu};
    use crate::simd::Portable;

    /// Shapes with every feature: stride, padding on one axis or both, groups (depthwise too),
    /// a kernel wider than tall, a 1x1 kernel at stride 2, rows narrower and wider than a vector.
    fn shapes() -> Vec<ConvShape> {
        let of = |[c, h, w, f, kh, kw, stride, pad_h, pad_w, groups]: [usize; 10]| ConvShape {
            c,
            h,
            w,
            f,
            oh: (h + 2 * pad_h - kh) / stride + 1,
            ow: (w + 2 * pad_w - kw) / stride + 1,
            kh,
            kw,
            stride,
            pad_h,
            pad_w,
            groups,
        };
        [
            [1, 6, 6, 2, 3, 3, 1, 0, 0, 1],
            [2, 11, 13, 3, 3, 2, 1, 1, 0, 1],
            [3, 9, 10, 4, 3, 3, 2, 1, 1, 1],
            [4, 8, 7, 6, 3, 3, 1, 1, 1, 2],
            [4, 7, 9, 4, 3, 3, 2, 1, 1, 4],
            [2, 5, 5, 4, 1, 1, 2, 0, 0, 1],
            [1, 4, 20, 1, 2, 5, 1, 0, 2, 1],
        ]
        .map(of)
        .to_vec()
    }

    /// Where the input value at padded position `(c, y, x)` of example `n`, none in the border.
    fn input(d: &ConvShape, n: usize, c: usize, y: usize, xx: usize) -> Option<usize> {
        let (y, xx) = (y.checked_sub(d.pad_h)?, xx.checked_sub(d.pad_w)?);
        (y < d.h && xx < d.w).then(|| ((n * d.c + c) * d.h + y) * d.w + xx)
    }

    /// The layer from its definition, in the scatter form for the gradients (each output's
    /// gradient added to every input and weight that produced it): `(z, dx, dw, db)`, `z` and
    /// `dx` per example, `dw` and `db` summed over the examples.
    fn naive(d: &ConvShape, x: &[f64], w: &[f64], b: &[f64], dz: &[f64]) -> [Vec<f64>; 4] {
        let mut z = vec![0.0; 8 * d.f * d.oh * d.ow];
        let (mut dx, mut dw, mut db) = (vec![0.0; x.len()], vec![0.0; w.len()], vec![0.0; d.f]);
        for n in 0..8 {
            for f in 0..d.f {
                for i in 0..d.oh {
                    for j in 0..d.ow {
                        let out = ((n * d.f + f) * d.oh + i) * d.ow + j;
                        let mut sum = b[f];
                        db[f] += dz[out];
                        for c in 0..d.cg() {
                            for u in 0..d.kh {
                                for v in 0..d.kw {
                                    let (y, xx) = (i * d.stride + u, j * d.stride + v);
                                    let ch = d.first_channel(f) + c;
                                    if let Some(at) = input(d, n, ch, y, xx) {
                                        let tap = d.tap(f, c, u, v);
                                        sum += w[tap] * x[at];
                                        dw[tap] += dz[out] * x[at];
                                        dx[at] += w[tap] * dz[out];
                                    }
                                }
                            }
                        }
                        z[out] = sum;
                    }
                }
            }
        }
        [z, dx, dw, db]
    }

    /// Eight examples (`[8][C][H][W]`) as one block of packs, in a zero border of `ph, pw`.
    fn packed(a: &[f64], [c, h, w]: [usize; 3], ph: usize, pw: usize) -> Vec<Pack<f64>> {
        let (hp, wp) = (h + 2 * ph, w + 2 * pw);
        let mut packs = vec![Pack::zero(); c * hp * wp];
        for (at, &v) in a.iter().enumerate() {
            let (n, rest) = (at / (c * h * w), at % (c * h * w));
            let (ch, y, x) = (rest / (h * w), rest / w % h, rest % w);
            packs[(ch * hp + y + ph) * wp + x + pw].0[n] = v;
        }
        packs
    }

    fn close(got: f64, want: f64, what: &str) {
        assert!(
            (got - want).abs() <= 1e-12 * (1.0 + want.abs()),
            "{what}: {got} against {want}"
        );
    }

    #[test]
    fn loops_match_the_definitions() {
        for (k, d) in shapes().iter().enumerate() {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(k as u64);
            let mut random = |len: usize| -> Vec<f64> {
                (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
            };
            let (x, w) = (
                random(8 * d.c * d.h * d.w),
                random(d.f * d.cg() * d.kh * d.kw),
            );
            let (b, dz) = (random(d.f), random(8 * d.f * d.oh * d.ow));
            let [want_z, want_dx, want_dw, want_db] = naive(d, &x, &w, &b, &dz);
            let (x_shape, z_shape) = ([d.c, d.h, d.w], [d.f, d.oh, d.ow]);

            let xp = packed(&x, x_shape, d.pad_h, d.pad_w);
            let dz_packs = packed(&dz, z_shape, 0, 0);
            let mut z = vec![Pack::zero(); d.f * d.oh * d.ow];
            forward_batch(Portable, d, &w, &b, &xp, &mut z, Relu);
            let (mut dw, mut db) = (vec![Pack::zero(); w.len()], vec![Pack::zero(); d.f]);
            backward_batch(Portable, d, &xp, &dz_packs, &mut dw, &mut db);
            let mut dx = vec![Pack([f64::NAN; 8]); d.c * d.h * d.w];
            backward_input_batch(Portable, d, &w, &dz_packs, &mut dx);

            let (per_x, per_z) = (d.c * d.h * d.w, d.f * d.oh * d.ow);
            for n in 0..8 {
                let mut one = vec![f64::NAN; per_z];
                forward(
                    Portable,
                    d,
                    &w,
                    &b,
                    &x[n * per_x..][..per_x],
                    &mut one,
                    Identity,
                );
                for at in 0..per_z {
                    let want = want_z[n * per_z + at];
                    close(one[at], want, "forward");
                    close(z[at].0[n], want.max(0.0), "forward_batch");
                }
                for at in 0..per_x {
                    close(dx[at].0[n], want_dx[n * per_x + at], "backward_input_batch");
                }
            }
            for (p, &want) in dw.iter().zip(&want_dw) {
                close(p.0.iter().sum(), want, "backward_batch, weights");
            }
            for (p, &want) in db.iter().zip(&want_db) {
                close(p.0.iter().sum(), want, "backward_batch, biases");
            }
        }
    }
}
