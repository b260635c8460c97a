//! Pooling on blocks of eight examples: the formulas of the single-example pooling of
//! [`crate::kernels`], eight lanes at a time.

use crate::Float;
use crate::act::Activation;
use crate::simd::{Lanes, Pack};

type Img<T, const C: usize, const H: usize, const W: usize> = [[[Pack<T>; W]; H]; C];

/// Whether the windows tile the input exactly, so that the backward pass writes every input
/// position once and needs no zeroing or adding.
#[allow(clippy::too_many_arguments)] // the sizes of one pooling
const fn tiles(
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
) -> bool {
    sh == kh && sw == kw && oh * sh == h && ow * sw == w
}

/// `z[c][i][j] = max_(u<KH, v<KW) x[c][i SH + u][j SW + v]`.
#[inline(always)]
pub fn max<
    T: Float,
    S: Lanes<T>,
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
    s: S,
    x: &[Img<T, C, H, W>],
    z: &mut [Img<T, C, OH, OW>],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    for (x, z) in x.iter().zip(z.iter_mut()) {
        for (x_c, z_c) in x.iter().zip(z.iter_mut()) {
            for (i, z_i) in z_c.iter_mut().enumerate() {
                for (j, z_ij) in z_i.iter_mut().enumerate() {
                    let mut m = s.load(&x_c[i * SH][j * SW]);
                    for u in 0..KH {
                        for v in 0..KW {
                            m = s.max(s.load(&x_c[i * SH + u][j * SW + v]), m);
                        }
                    }
                    s.store(z_ij, m);
                }
            }
        }
    }
}

/// Max pooling backward: each window's gradient goes to its first maximum (in row-major
/// order), lane by lane; added up where windows overlap. Overwrites `dx`. Then the backward
/// step of the activation `act` whose output `x` is (`Identity` for none), `dx f'(x)`: as it
/// is stored where the windows tile the input, else over each channel once it is summed.
#[inline(always)]
pub fn max_backward<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
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
    s: S,
    act: A,
    x: &[Img<T, C, H, W>],
    z: &[Img<T, C, OH, OW>],
    dz: &[Img<T, C, OH, OW>],
    dx: &mut [Img<T, C, H, W>],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    let exact = tiles(H, W, OH, OW, KH, KW, SH, SW);
    for (((x, z), dz), dx) in x.iter().zip(z).zip(dz).zip(dx.iter_mut()) {
        for (((x_c, z_c), dz_c), dx_c) in x.iter().zip(z).zip(dz).zip(dx.iter_mut()) {
            if !exact {
                for p in dx_c.as_flattened_mut() {
                    *p = Pack::zero();
                }
            }
            for i in 0..OH {
                for j in 0..OW {
                    let (m, d) = (s.load(&z_c[i][j]), s.load(&dz_c[i][j]));
                    let mut taken = s.zero();
                    for u in 0..KH {
                        for v in 0..KW {
                            let at = &mut dx_c[i * SH + u][j * SW + v];
                            let xv = s.load(&x_c[i * SH + u][j * SW + v]);
                            let first = s.and_not(taken, s.eq(xv, m));
                            taken = s.or(taken, first);
                            let g = s.and(first, d);
                            let g = if exact {
                                act.backward(s, xv, g)
                            } else {
                                s.add(s.load(at), g)
                            };
                            s.store(at, g);
                        }
                    }
                }
            }
            if !exact {
                crate::act::backward_in_place(s, act, x_c.as_flattened(), dx_c.as_flattened_mut());
            }
        }
    }
}

/// `z[c][i][j] = mean_(u<KH, v<KW) x[c][i SH + u][j SW + v]`.
#[inline(always)]
pub fn avg<
    T: Float,
    S: Lanes<T>,
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
    s: S,
    x: &[Img<T, C, H, W>],
    z: &mut [Img<T, C, OH, OW>],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    let inv = s.splat(T::ONE / T::from_f64((KH * KW) as f64));
    for (x, z) in x.iter().zip(z.iter_mut()) {
        for (x_c, z_c) in x.iter().zip(z.iter_mut()) {
            for (i, z_i) in z_c.iter_mut().enumerate() {
                for (j, z_ij) in z_i.iter_mut().enumerate() {
                    let mut sum = s.zero();
                    for u in 0..KH {
                        for v in 0..KW {
                            sum = s.add(sum, s.load(&x_c[i * SH + u][j * SW + v]));
                        }
                    }
                    s.store(z_ij, s.mul(sum, inv));
                }
            }
        }
    }
}

/// Average pooling backward: each window's gradient spread evenly over it, added up where
/// windows overlap. Overwrites `dx`.
#[inline(always)]
pub fn avg_backward<
    T: Float,
    S: Lanes<T>,
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
    s: S,
    dz: &[Img<T, C, OH, OW>],
    dx: &mut [Img<T, C, H, W>],
) {
    const { assert!((OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) };
    let exact = tiles(H, W, OH, OW, KH, KW, SH, SW);
    let inv = s.splat(T::ONE / T::from_f64((KH * KW) as f64));
    for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
        for (dz_c, dx_c) in dz.iter().zip(dx.iter_mut()) {
            if !exact {
                for p in dx_c.as_flattened_mut() {
                    *p = Pack::zero();
                }
            }
            for i in 0..OH {
                for j in 0..OW {
                    let share = s.mul(s.load(&dz_c[i][j]), inv);
                    for u in 0..KH {
                        for v in 0..KW {
                            let at = &mut dx_c[i * SH + u][j * SW + v];
                            s.store(
                                at,
                                if exact {
                                    share
                                } else {
                                    s.add(s.load(at), share)
                                },
                            );
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Portable;

    #[test]
    fn max_routes_to_the_first_maximum_per_lane() {
        // One channel, 2x3 input, 2x2 windows at stride 1: two overlapping windows.
        let mut x = [[[Pack::<f64>::zero(); 3]; 2]; 1];
        for (h, row) in x[0].iter_mut().enumerate() {
            for (w, p) in row.iter_mut().enumerate() {
                // Lane 0: all equal (first of each window wins); lane 1: distinct values.
                p.0[0] = 1.0;
                p.0[1] = (h * 3 + w) as f64;
            }
        }
        let mut z = [[[Pack::zero(); 2]; 1]; 1];
        max::<_, _, 1, 2, 3, 1, 2, 2, 2, 1, 1>(Portable, &[x], core::slice::from_mut(&mut z));
        assert_eq!((z[0][0][0].0[1], z[0][0][1].0[1]), (4.0, 5.0));
        let dz = [[[Pack([1.0; 8]); 2]; 1]; 1];
        let mut dx = [[[Pack([9.0; 8]); 3]; 2]; 1];
        max_backward::<_, _, _, 1, 2, 3, 1, 2, 2, 2, 1, 1>(
            Portable,
            crate::act::Identity,
            &[x],
            &[z],
            &[dz],
            core::slice::from_mut(&mut dx),
        );
        let lane = |l: usize| -> Vec<f64> { dx[0].iter().flatten().map(|p| p.0[l]).collect() };
        assert_eq!(lane(0), [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(lane(1), [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn average_spreads_evenly() {
        let x = [[[Pack([2.0f64; 8]); 2]; 2]; 1];
        let mut z = [[[Pack::zero(); 1]; 1]; 1];
        avg::<_, _, 1, 2, 2, 1, 1, 2, 2, 2, 2>(Portable, &[x], core::slice::from_mut(&mut z));
        assert_eq!(z[0][0][0].0, [2.0; 8]);
        let mut dx = [[[Pack([7.0; 8]); 2]; 2]; 1];
        avg_backward::<_, _, 1, 2, 2, 1, 1, 2, 2, 2, 2>(
            Portable,
            &[[[[Pack([4.0; 8]); 1]; 1]; 1]],
            core::slice::from_mut(&mut dx),
        );
        assert!(dx[0].iter().flatten().all(|p| p.0 == [1.0; 8]));
    }
}
