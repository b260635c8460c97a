//! Dense layers on blocks of eight examples: the three products of a fully connected layer,
//! in register tiles, with the weight in PyTorch's `[M, N]` layout.
//!
//! ```text
//! forward      z[n][m]  = b[m] + sum_k W[m][k] x[n][k]
//! input grad   dx[n][k] = sum_m W[m][k] dz[n][m]
//! weight grad  dW[m][k] += sum_n dz[n][m] x[n][k],   db[m] += sum_n dz[n][m]
//! ```
//!
//! The first two broadcast one weight to eight examples and keep a tile of six rows by two
//! blocks (twelve vectors) in registers, the last tile of a layer's rows moved back to
//! overlap the one before it; every output is summed in the same order whatever its tile, so
//! the result does not depend on the batch's size or split. The weight gradient sums each
//! weight's products over the part's blocks in one vector, then the eight lanes.

use crate::Float;
use crate::act::Activation;
use crate::simd::{Lanes, Pack};

/// Rows of a tile.
const ROWS: usize = 6;

/// The first of `size` consecutive rows of a tile that cover `0..total` when the last tile is
/// moved back to end at `total`: it overlaps the one before it and stores the same values
/// again. So every tile is a whole one, and each layer needs one copy of the tile's code
/// rather than one per size of the rest.
#[inline(always)]
fn covering(t: usize, size: usize, total: usize) -> usize {
    (t * size).min(total - size)
}

/// `z[n][m] = b[m] + sum_k W[m][k] x[n][k]` for every example of every block.
#[inline(always)]
pub fn forward<T: Float, S: Lanes<T>, A: Activation<T>, const N: usize, const M: usize>(
    s: S,
    w: &[[T; N]; M],
    b: &[T; M],
    x: &[[Pack<T>; N]],
    z: &mut [[Pack<T>; M]],
    act: A,
) {
    debug_assert_eq!(x.len(), z.len());
    // Pairs of blocks, then an odd last block on its own: the one-block tile is there for
    // parts of one block anyway, so it costs no code, and no block is computed twice.
    let pairs = x.len() / 2;
    for t in 0..pairs {
        forward_rows::<T, S, A, N, M, 2>(s, w, b, x, z, act, 2 * t);
    }
    if x.len() % 2 == 1 {
        forward_rows::<T, S, A, N, M, 1>(s, w, b, x, z, act, 2 * pairs);
    }
}

#[inline(always)]
fn forward_rows<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
    const N: usize,
    const M: usize,
    const B: usize,
>(
    s: S,
    w: &[[T; N]; M],
    b: &[T; M],
    x: &[[Pack<T>; N]],
    z: &mut [[Pack<T>; M]],
    act: A,
    b0: usize,
) {
    // Decided at compile time (`const`), so only one of the branches is compiled for a layer.
    if const { M >= ROWS } {
        for t in 0..M.div_ceil(ROWS) {
            let m0 = covering(t, ROWS, M);
            forward_tile::<T, S, A, N, M, ROWS, B>(s, w, b, x, z, act, m0, b0);
        }
    } else {
        forward_tile::<T, S, A, N, M, M, B>(s, w, b, x, z, act, 0, b0);
    }
}

/// The partial sums of a tile of few outputs (see [`forward_tile`]).
const SPLIT: usize = 4;

/// `acc[r][j] += w[r][k] x[j][k]`: input `k`'s products in a tile.
#[inline(always)]
fn accumulate<T: Float, S: Lanes<T>, const N: usize, const R: usize, const B: usize>(
    s: S,
    ws: &[&[T; N]; R],
    xs: &[&[Pack<T>; N]; B],
    k: usize,
    acc: &mut [[S::V; B]; R],
) {
    let mut xk = [s.zero(); B];
    for j in 0..B {
        xk[j] = s.load(&xs[j][k]);
    }
    for r in 0..R {
        let wv = s.splat(ws[r][k]);
        for j in 0..B {
            acc[r][j] = s.mul_add(wv, xk[j], acc[r][j]);
        }
    }
}

/// Rows `m0..m0 + R` of blocks `b0..b0 + B`.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // one tile's place in four arrays
fn forward_tile<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
    const N: usize,
    const M: usize,
    const R: usize,
    const B: usize,
>(
    s: S,
    w: &[[T; N]; M],
    b: &[T; M],
    x: &[[Pack<T>; N]],
    z: &mut [[Pack<T>; M]],
    act: A,
    m0: usize,
    b0: usize,
) {
    // Plain loops rather than `array::from_fn`, whose closures were a sixth of LeNet-5's
    // generated code before optimisation.
    let mut ws: [&[T; N]; R] = [&w[m0]; R];
    for (r, ws) in ws.iter_mut().enumerate() {
        *ws = &w[m0 + r];
    }
    let mut xs: [&[Pack<T>; N]; B] = [&x[b0]; B];
    for (j, xs) in xs.iter_mut().enumerate() {
        *xs = &x[b0 + j];
    }
    let mut acc = [[s.zero(); B]; R];
    for (r, acc) in acc.iter_mut().enumerate() {
        *acc = [s.splat(b[m0 + r]); B];
    }
    if const { R * B < 6 } {
        // A tile of few sums (a layer of one or two outputs) would be a few chains of
        // dependent multiply-adds, each waiting for the one before: its inputs are taken in
        // `SPLIT` interleaved partial sums instead, added to the bias at the end.
        let mut part = [[[s.zero(); B]; R]; SPLIT];
        for k0 in (0..N).step_by(SPLIT) {
            for (p, part) in part.iter_mut().enumerate() {
                let k = k0 + p;
                if k < N {
                    accumulate(s, &ws, &xs, k, part);
                }
            }
        }
        for part in &part {
            for r in 0..R {
                for j in 0..B {
                    acc[r][j] = s.add(acc[r][j], part[r][j]);
                }
            }
        }
    } else {
        for k in 0..N {
            accumulate(s, &ws, &xs, k, &mut acc);
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        for (j, &v) in acc.iter().enumerate() {
            s.store(&mut z[b0 + j][m0 + r], act.forward(s, v));
        }
    }
}

/// `dx[n][k] = sum_m W[m][k] dz[n][m]`: the transpose of the weight applied to `dz`; then,
/// as it is stored, the backward step of the activation `act` whose output `x` (the layer's
/// input) is (`Identity` for none): `dx f'(x)`.
#[inline(always)]
pub fn backward_input<T: Float, S: Lanes<T>, A: Activation<T>, const N: usize, const M: usize>(
    s: S,
    w: &[[T; N]; M],
    dz: &[[Pack<T>; M]],
    act: A,
    x: &[[Pack<T>; N]],
    dx: &mut [[Pack<T>; N]],
) {
    debug_assert_eq!(dz.len(), dx.len());
    debug_assert_eq!(x.len(), dx.len());
    // As in `forward`: pairs of blocks, then an odd last one.
    let pairs = dz.len() / 2;
    for t in 0..pairs {
        input_rows::<T, S, A, N, M, 2>(s, w, dz, act, x, dx, 2 * t);
    }
    if dz.len() % 2 == 1 {
        input_rows::<T, S, A, N, M, 1>(s, w, dz, act, x, dx, 2 * pairs);
    }
}

#[inline(always)]
fn input_rows<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
    const N: usize,
    const M: usize,
    const B: usize,
>(
    s: S,
    w: &[[T; N]; M],
    dz: &[[Pack<T>; M]],
    act: A,
    x: &[[Pack<T>; N]],
    dx: &mut [[Pack<T>; N]],
    b0: usize,
) {
    if const { N >= ROWS } {
        for t in 0..N.div_ceil(ROWS) {
            input_tile::<T, S, A, N, M, ROWS, B>(s, w, dz, act, x, dx, covering(t, ROWS, N), b0);
        }
    } else {
        input_tile::<T, S, A, N, M, N, B>(s, w, dz, act, x, dx, 0, b0);
    }
}

/// Inputs `k0..k0 + R` of blocks `b0..b0 + B`.
#[allow(clippy::too_many_arguments)] // a tile's place and the pass's operands
#[inline(always)]
fn input_tile<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
    const N: usize,
    const M: usize,
    const R: usize,
    const B: usize,
>(
    s: S,
    w: &[[T; N]; M],
    dz: &[[Pack<T>; M]],
    act: A,
    x: &[[Pack<T>; N]],
    dx: &mut [[Pack<T>; N]],
    k0: usize,
    b0: usize,
) {
    let mut ds: [&[Pack<T>; M]; B] = [&dz[b0]; B];
    for (j, ds) in ds.iter_mut().enumerate() {
        *ds = &dz[b0 + j];
    }
    let mut acc = [[s.zero(); B]; R];
    for (m, w_m) in w.iter().enumerate() {
        let mut d = [s.zero(); B];
        for j in 0..B {
            d[j] = s.load(&ds[j][m]);
        }
        let w_m: &[T; R] = w_m[k0..k0 + R].first_chunk().expect("R columns");
        for r in 0..R {
            let wv = s.splat(w_m[r]);
            for j in 0..B {
                acc[r][j] = s.mul_add(wv, d[j], acc[r][j]);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        for (j, &v) in acc.iter().enumerate() {
            let v = act.backward(s, s.load(&x[b0 + j][k0 + r]), v);
            s.store(&mut dx[b0 + j][k0 + r], v);
        }
    }
}

/// [`backward`] and [`backward_input`] together: the same sums in the same order, so the
/// same bits. A layer of one output takes them in one pass, which reads each input once for
/// its weight's product and its own gradient (`dx[n][k] = W[0][k] dz[n][0]`, then `act`'s
/// step); a wider one runs the two passes.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the operands of both passes
pub fn backward_and_input<
    T: Float,
    S: Lanes<T>,
    A: Activation<T>,
    const N: usize,
    const M: usize,
>(
    s: S,
    w: &[[T; N]; M],
    x: &[[Pack<T>; N]],
    dz: &[[Pack<T>; M]],
    dw: &mut [[T; N]; M],
    db: &mut [T; M],
    act: A,
    dx: &mut [[Pack<T>; N]],
) {
    if const { M != 1 } {
        backward(s, x, dz, dw, db);
        backward_input(s, w, dz, act, x, dx);
        return;
    }
    debug_assert_eq!(x.len(), dz.len());
    debug_assert_eq!(x.len(), dx.len());
    const K: usize = 8;
    let (w, dw) = (&w[0], &mut dw[0]);
    // `dx` as `backward_input` computes it: one product added to zero.
    let input = |d: S::V, wk: T, xk: S::V| act.backward(s, xk, s.mul_add(s.splat(wk), d, s.zero()));
    let mut k0 = 0;
    while k0 + K <= N {
        let w_k: &[T; K] = w[k0..k0 + K].first_chunk().expect("K weights");
        let mut acc = [s.zero(); K];
        for ((x, dz), dx) in x.iter().zip(dz).zip(dx.iter_mut()) {
            let d = s.load(&dz[0]);
            let x: &[Pack<T>; K] = x[k0..k0 + K].first_chunk().expect("K inputs");
            let dx: &mut [Pack<T>; K] = (&mut dx[k0..k0 + K]).try_into().expect("K inputs");
            for t in 0..K {
                let xt = s.load(&x[t]);
                acc[t] = s.mul_add(d, xt, acc[t]);
                s.store(&mut dx[t], input(d, w_k[t], xt));
            }
        }
        let dw_k: &mut [T; K] = (&mut dw[k0..k0 + K]).try_into().expect("K weights");
        let sum = s.add(s.loadu(dw_k), s.sums(acc));
        s.storeu(dw_k, sum);
        k0 += K;
    }
    for k in k0..N {
        let mut acc = s.zero();
        for ((x, dz), dx) in x.iter().zip(dz).zip(dx.iter_mut()) {
            let (d, xk) = (s.load(&dz[0]), s.load(&x[k]));
            acc = s.mul_add(d, xk, acc);
            s.store(&mut dx[k], input(d, w[k], xk));
        }
        dw[k] += s.sum(acc);
    }
    let mut acc = s.zero();
    for dz in dz {
        acc = s.add(acc, s.load(&dz[0]));
    }
    db[0] += s.sum(acc);
}

/// `dW[m][k] += sum_n dz[n][m] x[n][k]` and `db[m] += sum_n dz[n][m]` over every example of
/// the blocks: each weight's products summed over the blocks in one vector, then its lanes.
#[inline(always)]
pub fn backward<T: Float, S: Lanes<T>, const N: usize, const M: usize>(
    s: S,
    x: &[[Pack<T>; N]],
    dz: &[[Pack<T>; M]],
    dw: &mut [[T; N]; M],
    db: &mut [T; M],
) {
    debug_assert_eq!(x.len(), dz.len());
    const K: usize = 8;
    for (m, (dw_m, db_m)) in dw.iter_mut().zip(db.iter_mut()).enumerate() {
        let mut k0 = 0;
        while k0 + K <= N {
            let mut acc = [s.zero(); K];
            for (x, dz) in x.iter().zip(dz) {
                let d = s.load(&dz[m]);
                let x: &[Pack<T>; K] = x[k0..k0 + K].first_chunk().expect("K inputs");
                for t in 0..K {
                    acc[t] = s.mul_add(d, s.load(&x[t]), acc[t]);
                }
            }
            let dw_k: &mut [T; K] = (&mut dw_m[k0..k0 + K]).try_into().expect("K weights");
            let sum = s.add(s.loadu(dw_k), s.sums(acc));
            s.storeu(dw_k, sum);
            k0 += K;
        }
        for (k, dw_mk) in dw_m.iter_mut().enumerate().skip(k0) {
            let mut acc = s.zero();
            for (x, dz) in x.iter().zip(dz) {
                acc = s.mul_add(s.load(&dz[m]), s.load(&x[k]), acc);
            }
            *dw_mk += s.sum(acc);
        }
        let mut acc = s.zero();
        for dz in dz {
            acc = s.add(acc, s.load(&dz[m]));
        }
        *db_m += s.sum(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Portable;

    /// Every product against plain loops over examples: for layers whose tiles overlap (11
    /// inputs, 7 outputs), fit exactly (12, 6) or are narrower than a tile (4, 3), and for
    /// parts of one, two and three blocks.
    #[test]
    fn products_match_plain_loops() {
        for blocks in 1..=3 {
            products_match::<11, 7>(blocks);
            products_match::<12, 6>(blocks);
            products_match::<4, 3>(blocks);
            products_match::<11, 1>(blocks);
            products_match::<16, 1>(blocks);
        }
    }

    fn products_match<const N: usize, const M: usize>(blocks: usize) {
        let w: [[f64; N]; M] = core::array::from_fn(|m| {
            core::array::from_fn(|k| ((m * 13 + k * 7) % 10) as f64 - 4.5)
        });
        let b: [f64; M] = core::array::from_fn(|m| m as f64 * 0.5);
        let x: Vec<[Pack<f64>; N]> = (0..blocks)
            .map(|bl| {
                core::array::from_fn(|k| {
                    Pack(core::array::from_fn(|l| {
                        ((bl * 8 + l) * 3 + k) as f64 % 5.0
                    }))
                })
            })
            .collect();
        let example = |x: &[[Pack<f64>; N]], e: usize| -> [f64; N] {
            core::array::from_fn(|k| x[e / 8][k].0[e % 8])
        };
        let mut z = vec![[Pack::zero(); M]; blocks];
        forward(Portable, &w, &b, &x, &mut z, crate::act::Identity);
        for e in 0..blocks * 8 {
            let xe = example(&x, e);
            for m in 0..M {
                let expected = b[m] + (0..N).map(|k| w[m][k] * xe[k]).sum::<f64>();
                assert_eq!(z[e / 8][m].0[e % 8], expected);
            }
        }
        let dz: Vec<[Pack<f64>; M]> = (0..blocks)
            .map(|bl| {
                core::array::from_fn(|m| {
                    Pack(core::array::from_fn(|l| {
                        ((bl * 8 + l + m) % 3) as f64 - 1.0
                    }))
                })
            })
            .collect();
        let mut dx = vec![[Pack::zero(); N]; blocks];
        backward_input(Portable, &w, &dz, crate::act::Identity, &x, &mut dx);
        let mut dw = [[1.0; N]; M];
        let mut db = [2.0; M];
        backward(Portable, &x, &dz, &mut dw, &mut db);
        // Both at once: the same bits, with an activation's step (relu's) as with none.
        let act = crate::act::Relu;
        let mut dx_act = vec![[Pack::zero(); N]; blocks];
        backward_input(Portable, &w, &dz, act, &x, &mut dx_act);
        let (mut dx_both, mut dw_both, mut db_both) =
            (vec![[Pack::zero(); N]; blocks], [[1.0; N]; M], [2.0; M]);
        backward_and_input(
            Portable,
            &w,
            &x,
            &dz,
            &mut dw_both,
            &mut db_both,
            act,
            &mut dx_both,
        );
        assert_eq!((dw_both, db_both), (dw, db));
        assert_eq!(dx_both, dx_act);
        for e in 0..blocks * 8 {
            for k in 0..N {
                let expected: f64 = (0..M).map(|m| w[m][k] * dz[e / 8][m].0[e % 8]).sum();
                assert_eq!(dx[e / 8][k].0[e % 8], expected);
            }
        }
        for m in 0..M {
            let dze = |e: usize| dz[e / 8][m].0[e % 8];
            assert_eq!(db[m], 2.0 + (0..blocks * 8).map(dze).sum::<f64>());
            for k in 0..N {
                let expected = 1.0
                    + (0..blocks * 8)
                        .map(|e| dze(e) * x[e / 8][k].0[e % 8])
                        .sum::<f64>();
                assert_eq!(dw[m][k], expected, "dw[{m}][{k}]");
            }
        }
    }
}
