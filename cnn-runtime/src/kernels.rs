//! The activations' math, shared by every generated network. Each works on a whole tensor of
//! any shape; the backward functions take the activation's *output*, which is all that sigmoid,
//! tanh and (leaky) relu need.

use crate::act::Activation;
pub use crate::float::exp_f32;
use crate::simd::Lanes;
use crate::{Float, Tensor};

/// `y = 1 / (1 + e^-x)`.
#[inline]
pub fn sigmoid<A: Tensor>(x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = A::Scalar::ONE / (A::Scalar::ONE + (-x).exp());
    }
}

/// `dx = dy * y (1 - y)`.
#[inline]
pub fn sigmoid_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = dy * y * (A::Scalar::ONE - y);
    }
}

/// `y = max(x, 0)`.
#[inline]
pub fn relu<A: Tensor>(x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = if x > A::Scalar::ZERO {
            x
        } else {
            A::Scalar::ZERO
        };
    }
}

/// `dx = dy` where `y > 0`, else 0.
#[inline]
pub fn relu_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = if y > A::Scalar::ZERO {
            dy
        } else {
            A::Scalar::ZERO
        };
    }
}

/// `y = x` for `x > 0`, else `slope * x` (`0 < slope < 1`).
#[inline]
pub fn leaky_relu<A: Tensor>(slope: A::Scalar, x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = if x > A::Scalar::ZERO { x } else { slope * x };
    }
}

/// `dx = dy` where `y > 0`, else `slope * dy` (the sign of `y` is the sign of `x`).
#[inline]
pub fn leaky_relu_backward<A: Tensor>(slope: A::Scalar, y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = if y > A::Scalar::ZERO { dy } else { slope * dy };
    }
}

/// `y = tanh x`.
#[inline]
pub fn tanh<A: Tensor>(x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = x.tanh();
    }
}

/// `dx = dy (1 - y^2)`.
#[inline]
pub fn tanh_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = dy * (A::Scalar::ONE - y * y);
    }
}

/// `y_k = e^(x_k - m) / sum_j e^(x_j - m)`, `m = max x`, over the whole tensor.
#[inline]
pub fn softmax<A: Tensor>(x: &A, y: &mut A) {
    let x = x.as_flat();
    let y = y.as_flat_mut();
    let m = x.iter().copied().fold(x[0], A::Scalar::max);
    let mut sum = A::Scalar::ZERO;
    for (y, &x) in y.iter_mut().zip(x) {
        *y = (x - m).exp();
        sum += *y;
    }
    let inv = A::Scalar::ONE / sum;
    y.iter_mut().for_each(|y| *y *= inv);
}

/// `dx_k = y_k (dy_k - sum_j dy_j y_j)`: the softmax Jacobian applied to `dy`.
#[inline]
pub fn softmax_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    let dot: A::Scalar = y
        .as_flat()
        .iter()
        .zip(dy.as_flat())
        .map(|(&y, &d)| y * d)
        .sum();
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = y * (dy - dot);
    }
}

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

/// Dense forward for one example: `z[m] = act(b[m] + sum_k w[m][k] x[k])`, four rows at a
/// time, each a sum of eight-lane products over `k` whose lanes are added at the end.
#[inline(always)]
pub fn dense_forward_lanes<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
    const N: usize,
    const M: usize,
>(
    s: S,
    w: &[[T; N]; M],
    b: &[T; M],
    x: &[T; N],
    z: &mut [T; M],
    act: A,
) {
    let (x8, x_rest) = x.as_chunks::<8>();
    let mut m0 = 0;
    while m0 + 4 <= M {
        let (w0, w1, w2, w3) = (&w[m0], &w[m0 + 1], &w[m0 + 2], &w[m0 + 3]);
        let (mut a0, mut a1, mut a2, mut a3) = (s.zero(), s.zero(), s.zero(), s.zero());
        for (q, xv) in x8.iter().enumerate() {
            let xv = s.loadu(xv);
            let at = q * 8;
            a0 = s.mul_add(load8(s, w0, at), xv, a0);
            a1 = s.mul_add(load8(s, w1, at), xv, a1);
            a2 = s.mul_add(load8(s, w2, at), xv, a2);
            a3 = s.mul_add(load8(s, w3, at), xv, a3);
        }
        let sums = [s.sum(a0), s.sum(a1), s.sum(a2), s.sum(a3)];
        for (r, mut sum) in sums.into_iter().enumerate() {
            let w_m = &w[m0 + r];
            for (k, &x_k) in x_rest.iter().enumerate() {
                sum = w_m[N - x_rest.len() + k].mul_add(x_k, sum);
            }
            z[m0 + r] = b[m0 + r] + sum;
        }
        m0 += 4;
    }
    for m in m0..M {
        let mut a = s.zero();
        for (q, xv) in x8.iter().enumerate() {
            a = s.mul_add(load8(s, &w[m], q * 8), s.loadu(xv), a);
        }
        let mut sum = s.sum(a);
        for (k, &x_k) in x_rest.iter().enumerate() {
            sum = w[m][N - x_rest.len() + k].mul_add(x_k, sum);
        }
        z[m] = b[m] + sum;
    }
    let y = z.as_mut_slice();
    let mut copy = [T::ZERO; M];
    copy.copy_from_slice(y);
    crate::act::apply_rows(s, act, &copy, y);
}

/// Batch normalisation in inference mode, for one example: per channel `c` of `SP` values,
/// `y = gamma (x - mean) / sqrt(var + eps) + beta` with the running statistics.
#[inline]
pub fn batchnorm_infer<T: Float, const C: usize, const SP: usize>(
    params: (&[T; C], &[T; C]),
    stats: (&[T; C], &[T; C]),
    eps: T,
    x: &[T],
    y: &mut [T],
) {
    let ((gamma, beta), (mean, var)) = (params, stats);
    for c in 0..C {
        let scale = gamma[c] / (var[c] + eps).sqrt();
        let shift = beta[c] - mean[c] * scale;
        for (y, &x) in y[c * SP..(c + 1) * SP]
            .iter_mut()
            .zip(&x[c * SP..(c + 1) * SP])
        {
            *y = x.mul_add(scale, shift);
        }
    }
}

/// Its backward pass (the statistics are constants in inference): `dx = dy gamma / sqrt(var +
/// eps)`, and when `grads` is given, `dgamma += sum dy xhat`, `dbeta += sum dy`.
#[inline]
pub fn batchnorm_infer_backward<T: Float, const C: usize, const SP: usize>(
    gamma: &[T; C],
    stats: (&[T; C], &[T; C]),
    eps: T,
    x: &[T],
    dy: &[T],
    dx: &mut [T],
    grads: Option<(&mut [T; C], &mut [T; C])>,
) {
    let (mean, var) = stats;
    let mut grads = grads;
    for c in 0..C {
        let inv_std = T::ONE / (var[c] + eps).sqrt();
        let scale = gamma[c] * inv_std;
        let range = c * SP..(c + 1) * SP;
        let (mut sum_dy, mut sum_dy_xhat) = (T::ZERO, T::ZERO);
        for ((dx, &dy), &x) in dx[range.clone()]
            .iter_mut()
            .zip(&dy[range.clone()])
            .zip(&x[range])
        {
            *dx = dy * scale;
            sum_dy += dy;
            sum_dy_xhat += dy * (x - mean[c]) * inv_std;
        }
        if let Some((dgamma, dbeta)) = grads.as_mut() {
            dgamma[c] += sum_dy_xhat;
            dbeta[c] += sum_dy;
        }
    }
}

/// Global average pooling for one example: `y[c] = mean of x[c]`, `SP` values per channel.
#[inline]
pub fn global_avgpool<T: Float, const C: usize, const SP: usize>(x: &[T], y: &mut [T; C]) {
    let inv = T::ONE / T::from_f64(SP as f64);
    for (y, xc) in y.iter_mut().zip(x.chunks_exact(SP)) {
        *y = sum(xc) * inv;
    }
}

/// Its backward pass: `dx[c][..] = dy[c] / SP`.
#[inline]
pub fn global_avgpool_backward<T: Float, const C: usize, const SP: usize>(
    dy: &[T; C],
    dx: &mut [T],
) {
    let inv = T::ONE / T::from_f64(SP as f64);
    for (dxc, &d) in dx.chunks_exact_mut(SP).zip(dy) {
        dxc.fill(d * inv);
    }
}

/// `y = a + b`: the join of a residual block.
#[inline]
pub fn add<T: Float>(a: &[T], b: &[T], y: &mut [T]) {
    for ((y, &a), &b) in y.iter_mut().zip(a).zip(b) {
        *y = a + b;
    }
}

/// `acc += x`: a second gradient into a tensor read by two layers.
#[inline]
pub fn add_assign<T: Float>(acc: &mut [T], x: &[T]) {
    for (a, &x) in acc.iter_mut().zip(x) {
        *a += x;
    }
}

/// The `L` values `row[start]`, `row[start + S]`, ..., `row[start + (L - 1) S]`: a vector's
/// worth of a row, for the generated convolutions, which work on `L` output columns at a time.
///
/// The generated loops compute each output column from such vectors with [`add_scaled`] and
/// [`add_products`]: operations on whole `[T; L]` arrays, which LLVM turns into vector
/// instructions more reliably than a loop over columns (measured: 2 to 3 times faster on
/// LeNet-5's layers).
///
/// # Panics
/// When the row is too short; the generated code only asks for windows inside the row.
#[inline(always)]
pub fn lanes<T: Float, const L: usize, const S: usize>(row: &[T], start: usize) -> [T; L] {
    if S == 1 {
        *row[start..start + L]
            .first_chunk()
            .expect("a window of L values")
    } else {
        core::array::from_fn(|l| row[start + l * S])
    }
}

/// `acc[l] += a * b[l]` for every lane `l`.
#[inline(always)]
pub fn add_scaled<T: Float, const L: usize>(acc: &mut [T; L], a: T, b: [T; L]) {
    for (acc, b) in acc.iter_mut().zip(b) {
        *acc = a.mul_add(b, *acc);
    }
}

/// `acc[l] += a[l] * b[l]` for every lane `l`.
#[inline(always)]
pub fn add_products<T: Float, const L: usize>(acc: &mut [T; L], a: [T; L], b: [T; L]) {
    for ((acc, a), b) in acc.iter_mut().zip(a).zip(b) {
        *acc = a.mul_add(b, *acc);
    }
}

/// `acc[l] += b[l]` for every lane `l`.
#[inline(always)]
pub fn add_lanes<T: Float, const L: usize>(acc: &mut [T; L], b: [T; L]) {
    for (acc, b) in acc.iter_mut().zip(b) {
        *acc += b;
    }
}

/// `a[0] + a[1] + ... + a[L - 1]`, added in halves (`a[l] + a[l + L/2]`, and again), which
/// takes log2 L vector steps where a running sum takes L dependent adds.
#[inline(always)]
pub fn sum_lanes<T: Float, const L: usize>(mut a: [T; L]) -> T {
    let mut n = L;
    while n > 1 {
        let half = n / 2;
        let (low, high) = a[..n].split_at_mut(n - half);
        for (low, &high) in low.iter_mut().zip(high.iter()) {
            *low += high;
        }
        n -= half;
    }
    a.first().copied().unwrap_or(T::ZERO)
}

/// The first `R` lanes of `acc`, for a row's last, narrower chunk.
///
/// # Panics
/// When `R > L`; the generated code never asks for that.
#[inline(always)]
pub fn head_mut<T: Float, const L: usize, const R: usize>(acc: &mut [T; L]) -> &mut [T; R] {
    acc.first_chunk_mut().expect("R <= L")
}

/// Dense forward: `z[m] = b[m] + sum_n w[m][n] x[n]`, `w` in PyTorch's `[M, N]` layout.
///
/// Shape-generic through const generics, so every bound is a constant after monomorphisation.
#[inline]
pub fn dense_forward<T: Float, const N: usize, const M: usize>(
    w: &[[T; N]; M],
    b: &[T; M],
    x: &[T; N],
    z: &mut [T; M],
) {
    for ((z_m, w_m), &b_m) in z.iter_mut().zip(w).zip(b) {
        *z_m = b_m + dot(w_m, x);
    }
}

/// `sum_n values[n]`, in 16 running sums added at the end, which LLVM vectorizes (one running
/// sum is a chain of dependent adds: 400 of them take longer than a whole 3x3 convolution).
#[inline]
pub fn sum<T: Float>(values: &[T]) -> T {
    const LANES: usize = 16;
    let (chunks, rest) = values.as_chunks::<LANES>();
    let mut acc = [T::ZERO; LANES];
    for chunk in chunks {
        add_lanes(&mut acc, *chunk);
    }
    rest.iter().fold(sum_lanes(acc), |sum, &v| sum + v)
}

/// `sum_n a[n] b[n]`, in 16 running sums added at the end, like [`sum`].
#[inline(always)]
fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    const LANES: usize = 16;
    let (a_chunks, a_rest) = a.as_chunks::<LANES>();
    let (b_chunks, b_rest) = b.as_chunks::<LANES>();
    let mut acc = [T::ZERO; LANES];
    for (a, b) in a_chunks.iter().zip(b_chunks) {
        add_products(&mut acc, *a, *b);
    }
    a_rest
        .iter()
        .zip(b_rest)
        .fold(sum_lanes(acc), |sum, (&a, &b)| a.mul_add(b, sum))
}

/// Dense backward, parameters: `dw[m][n] += dz[m] x[n]`, `db[m] += dz[m]`.
#[inline]
pub fn dense_backward<T: Float, const N: usize, const M: usize>(
    x: &[T; N],
    dz: &[T; M],
    dw: &mut [[T; N]; M],
    db: &mut [T; M],
) {
    for ((dw_m, db_m), &dz_m) in dw.iter_mut().zip(db).zip(dz) {
        *db_m += dz_m;
        for (dw_mn, &x_n) in dw_m.iter_mut().zip(x) {
            *dw_mn = dz_m.mul_add(x_n, *dw_mn);
        }
    }
}

/// Dense backward, input: `dx[n] = sum_m w[m][n] dz[m]` (the transpose of `w` applied to `dz`).
#[inline]
pub fn dense_backward_input<T: Float, const N: usize, const M: usize>(
    w: &[[T; N]; M],
    dz: &[T; M],
    dx: &mut [T; N],
) {
    *dx = [T::ZERO; N];
    for (w_m, &dz_m) in w.iter().zip(dz) {
        for (dx_n, &w_mn) in dx.iter_mut().zip(w_m) {
            *dx_n = dz_m.mul_add(w_mn, *dx_n);
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

/// Max pooling: `z[c][i][j] = max_(u<KH, v<KW) x[c][i*SH + u][j*SW + v]`.
#[inline]
#[allow(clippy::needless_range_loop)] // the window is indexed by position, as in the formula
pub fn maxpool<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
>(
    x: &[[[T; W]; H]; C],
    z: &mut [[[T; OW]; OH]; C],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    for (z_c, x_c) in z.iter_mut().zip(x) {
        for i in 0..OH {
            for j in 0..OW {
                let mut m = x_c[i * SH][j * SW];
                for u in 0..KH {
                    for v in 0..KW {
                        let value = x_c[i * SH + u][j * SW + v];
                        if value > m {
                            m = value;
                        }
                    }
                }
                z_c[i][j] = m;
            }
        }
    }
}

/// Max pooling backward: each window's gradient goes to its first maximum (in row-major
/// order), added up where windows overlap. Overwrites `dx`.
#[inline]
#[allow(clippy::needless_range_loop)]
pub fn maxpool_backward<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
>(
    x: &[[[T; W]; H]; C],
    dz: &[[[T; OW]; OH]; C],
    dx: &mut [[[T; W]; H]; C],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    for ((dx_c, x_c), dz_c) in dx.iter_mut().zip(x).zip(dz) {
        *dx_c = [[T::ZERO; W]; H];
        for i in 0..OH {
            for j in 0..OW {
                let (mut at, mut m) = ((i * SH, j * SW), x_c[i * SH][j * SW]);
                for u in 0..KH {
                    for v in 0..KW {
                        let value = x_c[i * SH + u][j * SW + v];
                        if value > m {
                            (at, m) = ((i * SH + u, j * SW + v), value);
                        }
                    }
                }
                dx_c[at.0][at.1] += dz_c[i][j];
            }
        }
    }
}

/// Average pooling: `z[c][i][j] = mean_(u<KH, v<KW) x[c][i*SH + u][j*SW + v]`.
#[inline]
#[allow(clippy::needless_range_loop)]
pub fn avgpool<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
>(
    x: &[[[T; W]; H]; C],
    z: &mut [[[T; OW]; OH]; C],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    let inv = T::ONE / T::from_f64((KH * KW) as f64);
    for (z_c, x_c) in z.iter_mut().zip(x) {
        for i in 0..OH {
            for j in 0..OW {
                let mut sum = T::ZERO;
                for u in 0..KH {
                    for v in 0..KW {
                        sum += x_c[i * SH + u][j * SW + v];
                    }
                }
                z_c[i][j] = sum * inv;
            }
        }
    }
}

/// Average pooling backward: each window's gradient spread evenly over it, added up where
/// windows overlap. Overwrites `dx`.
#[inline]
#[allow(clippy::needless_range_loop)]
pub fn avgpool_backward<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
>(
    dz: &[[[T; OW]; OH]; C],
    dx: &mut [[[T; W]; H]; C],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    let inv = T::ONE / T::from_f64((KH * KW) as f64);
    for (dx_c, dz_c) in dx.iter_mut().zip(dz) {
        *dx_c = [[T::ZERO; W]; H];
        for i in 0..OH {
            for j in 0..OW {
                let share = dz_c[i][j] * inv;
                for u in 0..KH {
                    for v in 0..KW {
                        dx_c[i * SH + u][j * SW + v] += share;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_sum_lanes<const L: usize>() {
        let a: [f64; L] = core::array::from_fn(|l| (l * l + 1) as f64);
        let expected: f64 = a.iter().sum();
        assert_eq!(sum_lanes(a), expected, "L = {L}");
    }

    #[test]
    fn sum_lanes_adds_every_lane() {
        check_sum_lanes::<0>();
        check_sum_lanes::<1>();
        check_sum_lanes::<2>();
        check_sum_lanes::<3>();
        check_sum_lanes::<5>();
        check_sum_lanes::<7>();
        check_sum_lanes::<8>();
        check_sum_lanes::<13>();
        check_sum_lanes::<16>();
    }

    #[test]
    fn lanes_read_windows_and_strides() {
        let row: [f32; 10] = core::array::from_fn(|i| i as f32);
        assert_eq!(lanes::<_, 4, 1>(&row, 3), [3.0, 4.0, 5.0, 6.0]);
        assert_eq!(lanes::<_, 3, 3>(&row, 1), [1.0, 4.0, 7.0]);
        let mut acc = [1.0f32; 3];
        add_scaled(&mut acc, 2.0, [1.0, 2.0, 3.0]);
        assert_eq!(acc, [3.0, 5.0, 7.0]);
        add_products(&mut acc, [1.0, 0.0, -1.0], [2.0, 9.0, 7.0]);
        assert_eq!(acc, [5.0, 5.0, 0.0]);
        add_lanes(head_mut::<_, 3, 2>(&mut acc), [1.0, 1.0]);
        assert_eq!(acc, [6.0, 6.0, 0.0]);
        let values: [f32; 37] = core::array::from_fn(|i| i as f32);
        assert_eq!(sum(&values), 666.0);
    }
}
