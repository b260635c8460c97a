//! Dense layers for one example: the forward pass in lanes of eight, and the plain forward and
//! backward passes.

use super::arrays::dot;
use super::load8;
use crate::Float;
use crate::act::Activation;
use crate::simd::Lanes;

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
