//! Pooling for one example: global average pooling, and max and average pooling over windows.

use super::sum;
use crate::Float;

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
