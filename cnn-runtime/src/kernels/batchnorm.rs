//! Batch normalisation in inference mode for one example, with the running statistics.

use crate::Float;

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
