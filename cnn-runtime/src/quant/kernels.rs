//! The int8 kernels, one per layer kind, each the quantized formula of its module docs in
//! plain integer loops (sizes are const generics, so the bounds are constants). `zp` is a
//! zero point, `low` the lower bound of the output (`-128`, or the output's zero point when a
//! relu is fused in).

use super::{Multiplier, requantize, scale};

/// A convolution, grouped into `G` groups, of stride `S` and padding `P`:
///
/// ```text
/// acc = bias[f] + sum_(c in f's group, u, v) q_x[c][i S + u - P][j S + v - P] q_w[f][c][u][v]
/// q_y[f][i][j] = clamp(zp_y + round(acc M[f]), low, 127)
/// ```
///
/// with the padding read as `zp_x` (the real 0), whose part the bias carries.
#[allow(clippy::too_many_arguments)] // a layer's sizes are its const generics; these are its data
#[inline]
pub fn conv<
    const C: usize,
    const H: usize,
    const W: usize,
    const F: usize,
    const OH: usize,
    const OW: usize,
    const KH: usize,
    const KW: usize,
    const S: usize,
    const PH: usize,
    const PW: usize,
    const G: usize,
>(
    x: &[i8],
    zp_x: i32,
    w: &[i8],
    bias: &[i32],
    mul: &[Multiplier],
    zp_y: i32,
    low: i32,
    y: &mut [i8],
) {
    let (cg, fg) = (C / G, F / G);
    for f in 0..F {
        let c0 = f / fg * cg;
        let w_f = &w[f * cg * KH * KW..(f + 1) * cg * KH * KW];
        for i in 0..OH {
            for j in 0..OW {
                let mut acc = bias[f];
                for c in 0..cg {
                    let x_c = &x[(c0 + c) * H * W..(c0 + c + 1) * H * W];
                    let w_c = &w_f[c * KH * KW..(c + 1) * KH * KW];
                    for u in 0..KH {
                        let r = (i * S + u).wrapping_sub(PH);
                        for v in 0..KW {
                            let col = (j * S + v).wrapping_sub(PW);
                            let q = if r < H && col < W {
                                i32::from(x_c[r * W + col])
                            } else {
                                zp_x
                            };
                            acc += q * i32::from(w_c[u * KW + v]);
                        }
                    }
                }
                y[(f * OH + i) * OW + j] = requantize(acc, mul[f], zp_y, low);
            }
        }
    }
}

/// A dense layer: `acc = bias[m] + sum_k q_x[k] q_w[m][k]`, requantized per output.
#[allow(clippy::too_many_arguments)] // as `conv`
#[inline]
pub fn dense<const N: usize, const M: usize>(
    x: &[i8],
    w: &[i8],
    bias: &[i32],
    mul: &[Multiplier],
    zp_y: i32,
    low: i32,
    y: &mut [i8],
) {
    for m in 0..M {
        let w_m = &w[m * N..(m + 1) * N];
        let mut acc = bias[m];
        for (&q, &wq) in x[..N].iter().zip(w_m) {
            acc += i32::from(q) * i32::from(wq);
        }
        y[m] = requantize(acc, mul[m], zp_y, low);
    }
}

/// Max pooling: the largest `q` of each window (the scale and zero point do not change, and
/// the order of values is that of their `q`).
#[inline]
pub fn maxpool<
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
    x: &[i8],
    y: &mut [i8],
) {
    for c in 0..C {
        for i in 0..OH {
            for j in 0..OW {
                let mut m = i8::MIN;
                for u in 0..KH {
                    for v in 0..KW {
                        m = m.max(x[(c * H + i * SH + u) * W + j * SW + v]);
                    }
                }
                y[(c * OH + i) * OW + j] = m;
            }
        }
    }
}

/// Average pooling at the same scale and zero point: `round(sum q / (KH KW))`, half away from
/// zero.
#[inline]
pub fn avgpool<
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
    x: &[i8],
    y: &mut [i8],
) {
    let n = (KH * KW) as i32;
    for c in 0..C {
        for i in 0..OH {
            for j in 0..OW {
                let mut sum = 0i32;
                for u in 0..KH {
                    for v in 0..KW {
                        sum += i32::from(x[(c * H + i * SH + u) * W + j * SW + v]);
                    }
                }
                let q = if sum >= 0 {
                    (sum + n / 2) / n
                } else {
                    -((-sum + n / 2) / n)
                };
                y[(c * OH + i) * OW + j] = q.clamp(-128, 127) as i8;
            }
        }
    }
}

/// Global average pooling: `q_y[c] = zp_y + round(sum_(hw) (q_x - zp_x) M)` with
/// `M = s_x / (H W s_y)`.
#[inline]
pub fn global_avgpool<const C: usize, const SP: usize>(
    x: &[i8],
    zp_x: i32,
    mul: Multiplier,
    zp_y: i32,
    y: &mut [i8],
) {
    for c in 0..C {
        let sum: i32 = x[c * SP..(c + 1) * SP]
            .iter()
            .map(|&q| i32::from(q) - zp_x)
            .sum();
        y[c] = requantize(sum, mul, zp_y, -128);
    }
}

/// The join of a residual block: `q_y = zp_y + round((q_a - zp_a) M_a + (q_b - zp_b) M_b)`,
/// the two products aligned to one shift and rounded once.
#[allow(clippy::too_many_arguments)] // two inputs' zero points and multipliers
#[inline]
pub fn add(
    a: &[i8],
    zp_a: i32,
    mul_a: Multiplier,
    b: &[i8],
    zp_b: i32,
    mul_b: Multiplier,
    zp_y: i32,
    low: i32,
    y: &mut [i8],
) {
    // m_a 2^(sa - 31) (q_a - zp_a) + m_b 2^(sb - 31) (q_b - zp_b), over 2^(k - 31).
    let k = mul_a.shift.min(mul_b.shift);
    let (da, db) = ((mul_a.shift - k).min(24), (mul_b.shift - k).min(24));
    for ((y, &qa), &qb) in y.iter_mut().zip(a).zip(b) {
        let ta = ((i64::from(qa) - i64::from(zp_a)) * i64::from(mul_a.m)) << da;
        let tb = ((i64::from(qb) - i64::from(zp_b)) * i64::from(mul_b.m)) << db;
        let sum = ta + tb;
        let right = 31 - k;
        let r = if right <= 0 {
            sum << (-right).min(32)
        } else if right >= 63 {
            0
        } else {
            let half = 1i64 << (right - 1);
            if sum >= 0 {
                (sum + half) >> right
            } else {
                -((-sum + half) >> right)
            }
        };
        *y = (r.clamp(-(1 << 20), 1 << 20) as i32 + zp_y).clamp(low, 127) as i8;
    }
}

/// A per-channel affine map (a batch norm with no conv or dense layer before it to fold into):
/// `q_y = zp_y + offset[c] + sign[c] round((q_x - zp_x) M[c])`, `SP` values per channel.
#[allow(clippy::too_many_arguments)] // a channel's multiplier, sign and offset
#[inline]
pub fn affine<const C: usize, const SP: usize>(
    x: &[i8],
    zp_x: i32,
    mul: &[Multiplier],
    negative: &[i32],
    offset: &[i32],
    zp_y: i32,
    low: i32,
    y: &mut [i8],
) {
    for c in 0..C {
        for k in c * SP..(c + 1) * SP {
            let s = scale(i32::from(x[k]) - zp_x, mul[c]);
            let s = if negative[c] != 0 { -s } else { s };
            y[k] = (s + offset[c] + zp_y).clamp(low, 127) as i8;
        }
    }
}

/// An element-wise activation by its table: `q_y = table[q_x + 128]`.
#[inline]
pub fn table(x: &[i8], table: &[i8; 256], y: &mut [i8]) {
    for (y, &q) in y.iter_mut().zip(x) {
        *y = table[(i32::from(q) + 128) as usize];
    }
}

/// A relu that no layer before it can take: `q_y = max(q_x, zp)` at the same scale.
#[inline]
pub fn relu(x: &[i8], zp: i32, y: &mut [i8]) {
    for (y, &q) in y.iter_mut().zip(x) {
        *y = i32::from(q).max(zp) as i8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2x2 filter on a 3x3 image with padding 1, against the formula written out.
    #[test]
    fn conv_is_the_quantized_formula() {
        let x: [i8; 9] = [-3, 5, 7, 100, -128, 0, 12, 1, 127];
        let w: [i8; 4] = [2, -1, 127, -128];
        let (zp_x, zp_y) = (4, -7);
        let bias = [1000 - zp_x * w.iter().map(|&v| i32::from(v)).sum::<i32>()];
        let mul = [Multiplier::of(0.0137)];
        let mut y = [0i8; 16];
        conv::<1, 3, 3, 1, 4, 4, 2, 2, 1, 1, 1, 1>(&x, zp_x, &w, &bias, &mul, zp_y, -128, &mut y);
        for i in 0..4 {
            for j in 0..4 {
                let mut acc = 1000i32;
                for u in 0..2 {
                    for v in 0..2 {
                        let (r, c) = (i as i32 + u as i32 - 1, j as i32 + v as i32 - 1);
                        let q = if (0..3).contains(&r) && (0..3).contains(&c) {
                            i32::from(x[(r * 3 + c) as usize])
                        } else {
                            zp_x
                        };
                        acc += (q - zp_x) * i32::from(w[u * 2 + v]);
                    }
                }
                let real = f64::from(acc) * mul[0].value();
                let rounded = if real >= 0.0 {
                    (real + 0.5).floor()
                } else {
                    -((-real + 0.5).floor())
                };
                let expected = (rounded as i32 + zp_y).clamp(-128, 127);
                assert_eq!(i32::from(y[i * 4 + j]), expected, "({i}, {j})");
            }
        }
    }

    #[test]
    fn dense_pooling_add_and_tables() {
        let x: [i8; 3] = [10, -20, 30];
        let w: [i8; 6] = [1, 2, 3, -4, -5, -6];
        let mut y = [0i8; 2];
        dense::<3, 2>(&x, &w, &[5, -5], &[Multiplier::of(0.5); 2], 3, 3, &mut y);
        // 5 + 10 - 40 + 90 = 65 -> 32.5 -> 33 + 3; -5 - 40 + 100 - 180 = -125 -> -62.5 -> -63 + 3, relu at 3.
        assert_eq!(y, [36, 3]);
        let img: [i8; 8] = [1, 9, -3, 4, 2, 2, 2, 3];
        let (mut m, mut a) = ([0i8; 2], [0i8; 2]);
        maxpool::<2, 2, 2, 1, 1, 2, 2, 2, 2>(&img, &mut m);
        avgpool::<2, 2, 2, 1, 1, 2, 2, 2, 2>(&img, &mut a);
        assert_eq!(m, [9, 3]);
        assert_eq!(a, [3, 2]); // 11 / 4 = 2.75 -> 3; 9 / 4 = 2.25 -> 2
        let mut g = [0i8; 2];
        global_avgpool::<2, 4>(&img, 1, Multiplier::of(0.25), 0, &mut g);
        assert_eq!(g, [2, 1]); // (0 + 8 - 4 + 3) / 4 = 1.75 -> 2; (1 + 1 + 1 + 2) / 4 = 1.25 -> 1
        let mut s = [0i8; 2];
        add(
            &[10, -10],
            2,
            Multiplier::of(0.5),
            &[4, 4],
            -4,
            Multiplier::of(0.25),
            1,
            -128,
            &mut s,
        );
        assert_eq!(s, [7, -3]); // 4 + 2 = 6 + 1; -6 + 2 = -4 + 1
        let mut t = [0i8; 3];
        let lut: [i8; 256] = core::array::from_fn(|k| (k as i32 - 128).clamp(-50, 50) as i8);
        table(&[-128, 0, 127], &lut, &mut t);
        assert_eq!(t, [-50, 0, 50]);
        let mut r = [0i8; 3];
        relu(&[-128, 0, 127], 5, &mut r);
        assert_eq!(r, [5, 5, 127]);
    }
}
