//! The batch layout and the shape-generic kernels of the batch passes.
//!
//! A training batch is split into parts (one per thread) and each part into blocks of eight
//! examples. Every tensor of a block is stored as [`Pack`]s: the value at one position for the
//! block's eight examples, side by side. So every layer, even a one-channel 3x3 convolution,
//! fills the vector lanes, and a kernel's loops are the same as for one example with `T`
//! replaced by eight lanes. A part's last block may hold fewer than eight examples; its other
//! lanes compute on zeros and get no gradient from the loss.
//!
//! The generated code keeps each tensor as `Vec<Block>`, `Block` a nested array of packs
//! such as `[[[Pack<T>; W]; H]; C]`, and calls the kernels here for what does not depend on
//! the network's shapes beyond const generics: dense layers ([`dense`]), pooling ([`pool`]),
//! activations, the loss, and moving examples in and out of the layout.

pub mod dense;
pub mod norm;
pub mod pool;

use ndarray::{ArrayView2, ArrayView4, Axis};

use crate::Float;
use crate::loss::Loss;
use crate::simd::{Lanes, Pack, Zeroable};

/// Examples per block: the lanes of a [`Pack`].
pub const LANES: usize = 8;

/// Where a part lies in its batch, for the generated `train_stage`.
#[derive(Clone, Copy, Debug)]
pub struct PartInfo {
    /// Blocks of eight examples.
    pub blocks: usize,
    /// The part's examples.
    pub examples: usize,
    /// The index of its first example in the batch (dropout's masks depend on it).
    pub first: usize,
    /// The examples of the whole batch.
    pub total: usize,
    /// Whether the pass computes dL/dX of the input.
    pub input_grad: bool,
    /// Whether the pass stops at the loss (no backward pass).
    pub loss_only: bool,
}

mod sealed {
    pub trait Sealed {}
    impl<T> Sealed for super::Pack<T> {}
    impl<A: Sealed, const N: usize> Sealed for [A; N] {}
}

/// A block of one tensor: a pack, or a nested array of packs, `LEN` packs with no padding.
pub trait Packed<T: Float>: sealed::Sealed + Zeroable + Send + Sync + 'static {
    /// The number of packs.
    const LEN: usize;
}

impl<T: Float> Packed<T> for Pack<T> {
    const LEN: usize = 1;
}

impl<T: Float, A: Packed<T>, const N: usize> Packed<T> for [A; N] {
    const LEN: usize = A::LEN * N;
}

/// The packs of a run of blocks, in order.
#[inline(always)]
pub fn flat<T: Float, A: Packed<T>>(blocks: &[A]) -> &[Pack<T>] {
    // SAFETY: `A` is `LEN` contiguous packs without padding (sealed), so `blocks` is
    // `blocks.len() * LEN` of them, aligned as a pack.
    unsafe { core::slice::from_raw_parts(blocks.as_ptr().cast(), blocks.len() * A::LEN) }
}

/// [`flat`], mutably.
#[inline(always)]
pub fn flat_mut<T: Float, A: Packed<T>>(blocks: &mut [A]) -> &mut [Pack<T>] {
    // SAFETY: as in `flat`; the borrow is exclusive.
    unsafe { core::slice::from_raw_parts_mut(blocks.as_mut_ptr().cast(), blocks.len() * A::LEN) }
}

/// The packs of one block, in order.
#[inline(always)]
pub fn packs<T: Float, A: Packed<T>>(block: &A) -> &[Pack<T>] {
    flat(core::slice::from_ref(block))
}

/// [`packs`], mutably.
#[inline(always)]
pub fn packs_mut<T: Float, A: Packed<T>>(block: &mut A) -> &mut [Pack<T>] {
    flat_mut(core::slice::from_mut(block))
}

/// Views blocks of one shape as blocks of another with as many packs: an image as the flat
/// vector a dense layer reads. The lengths are checked at compile time.
#[inline(always)]
pub fn reshape<T: Float, A: Packed<T>, B: Packed<T>>(blocks: &[A]) -> &[B] {
    const {
        assert!(
            A::LEN == B::LEN,
            "reshape between blocks of different lengths"
        )
    };
    // SAFETY: same packs, same count, both padding-free.
    unsafe { core::slice::from_raw_parts(blocks.as_ptr().cast(), blocks.len()) }
}

/// [`reshape`], mutably.
#[inline(always)]
pub fn reshape_mut<T: Float, A: Packed<T>, B: Packed<T>>(blocks: &mut [A]) -> &mut [B] {
    const {
        assert!(
            A::LEN == B::LEN,
            "reshape between blocks of different lengths"
        )
    };
    // SAFETY: as in `reshape`; the borrow is exclusive.
    unsafe { core::slice::from_raw_parts_mut(blocks.as_mut_ptr().cast(), blocks.len()) }
}

/// The number of blocks for `n` examples.
pub const fn blocks_for(n: usize) -> usize {
    n.div_ceil(LANES)
}

/// A buffer of `blocks` zeroed blocks, allocated zeroed (never built on the stack).
pub fn buffer<T: Float, A: Packed<T>>(blocks: usize) -> Vec<A> {
    crate::simd::zeroed_vec(blocks)
}

/// Makes `buf` hold at least `blocks` blocks: a new zeroed buffer when it is shorter, else
/// the old one as it is (the passes use `&buf[..blocks]` and overwrite what they read).
pub fn ensure<T: Float, A: Packed<T>>(buf: &mut Vec<A>, blocks: usize) {
    if buf.len() < blocks {
        *buf = buffer(blocks);
    }
}

/// Makes `buf` hold at least `len` scalars (a batch norm's statistics).
pub fn ensure_scalars<T: Float>(buf: &mut Vec<T>, len: usize) {
    if buf.len() < len {
        buf.resize(len, T::ZERO);
    }
}

/// Copies examples `[N, C, H, W]` (any strides) into packs, `len` per block (`C H W`):
/// example `e` to lane `e % 8` of block `e / 8`; the lanes past the last example are zero.
/// Returns whether every value is finite, checked on the way (a NaN or an infinity times zero
/// is NaN, and NaN stays NaN in a sum).
///
/// Contiguous examples go eight positions at a time: eight rows, one per example, transposed
/// into eight packs.
#[inline(always)]
pub fn load_inputs<T: Float, S: Lanes<T>>(s: S, x: ArrayView4<T>, packs: &mut [Pack<T>]) -> bool {
    let n = x.len_of(Axis(0));
    let len = x.len() / n.max(1);
    debug_assert_eq!(packs.len(), blocks_for(n) * len);
    let zero = s.zero();
    let mut check = s.zero();
    let mut checks = [s.zero(); LANES];
    let zeros = [T::ZERO; 8];
    match x.as_slice() {
        Some(all) if len > 0 => {
            for (b, block) in packs.chunks_exact_mut(len).enumerate() {
                let rows: [&[T]; LANES] = core::array::from_fn(|l| {
                    let e = b * LANES + l;
                    if e < n {
                        &all[e * len..(e + 1) * len]
                    } else {
                        &[]
                    }
                });
                let (chunks, rest) = block.as_chunks_mut::<LANES>();
                for (q, chunk) in chunks.iter_mut().enumerate() {
                    let v: [S::V; LANES] =
                        core::array::from_fn(|l| match rows[l].get(q * LANES..(q + 1) * LANES) {
                            Some(r) => s.loadu(r.try_into().expect("eight values")),
                            None => s.loadu(&zeros),
                        });
                    let t = s.transpose(v);
                    for ((pack, t), check) in chunk.iter_mut().zip(t).zip(checks.iter_mut()) {
                        *check = s.add(*check, s.mul(t, zero));
                        s.store(pack, t);
                    }
                }
                let done = chunks.len() * LANES;
                for (p, pack) in rest.iter_mut().enumerate() {
                    let lanes: [T; LANES] =
                        core::array::from_fn(|l| rows[l].get(done + p).copied().unwrap_or(T::ZERO));
                    let v = s.loadu(&lanes);
                    check = s.add(check, s.mul(v, zero));
                    s.store(pack, v);
                }
            }
        }
        _ => {
            for (b, block) in packs.chunks_exact_mut(len.max(1)).enumerate() {
                let examples = n.saturating_sub(b * LANES).min(LANES);
                for pack in block.iter_mut() {
                    *pack = Pack::zero();
                }
                for l in 0..examples {
                    let example = x.index_axis(Axis(0), b * LANES + l);
                    for (pack, &v) in block.iter_mut().zip(example.iter()) {
                        pack.0[l] = v;
                    }
                }
                for pack in block.iter() {
                    check = s.add(check, s.mul(s.load(pack), zero));
                }
            }
        }
    }
    for c in checks {
        check = s.add(check, c);
    }
    s.sum(check) == T::ZERO
}

/// The loss of a part and its gradient with respect to the network's output, a block at a
/// time ([`Loss::block`]): `scale` times each example's gradient written into `d_out`. Lanes
/// past the last example get no gradient. Returns the summed loss.
#[inline(always)]
pub fn loss<T: Float, S: Lanes<T>, L: Loss, const M: usize>(
    s: S,
    out: &[[Pack<T>; M]],
    targets: ArrayView2<T>,
    loss: &L,
    scale: T,
    d_out: &mut [[Pack<T>; M]],
) -> T {
    let n = targets.len_of(Axis(0));
    let mut total = T::ZERO;
    let mut target = [Pack::zero(); M];
    for (b, (out, d_out)) in out.iter().zip(d_out.iter_mut()).enumerate() {
        let lanes = (n - b * LANES).min(LANES);
        for p in target.iter_mut() {
            *p = Pack::zero();
        }
        for l in 0..lanes {
            for (p, &v) in target.iter_mut().zip(targets.row(b * LANES + l)) {
                p.0[l] = v;
            }
        }
        total += loss.block(s, out, &target, lanes, scale, d_out);
    }
    total
}

/// Softmax over each example's `M` outputs.
pub fn softmax<T: Float, const M: usize>(x: &[[Pack<T>; M]], y: &mut [[Pack<T>; M]]) {
    for (x, y) in x.iter().zip(y.iter_mut()) {
        for l in 0..LANES {
            let row: [T; M] = core::array::from_fn(|k| x[k].0[l]);
            let mut out = [T::ZERO; M];
            crate::kernels::softmax(&row, &mut out);
            for (pack, &v) in y.iter_mut().zip(&out) {
                pack.0[l] = v;
            }
        }
    }
}

/// The softmax Jacobian applied to each example's `dy`.
pub fn softmax_backward<T: Float, const M: usize>(
    y: &[[Pack<T>; M]],
    dy: &[[Pack<T>; M]],
    dx: &mut [[Pack<T>; M]],
) {
    for ((y, dy), dx) in y.iter().zip(dy).zip(dx.iter_mut()) {
        for l in 0..LANES {
            let row: [T; M] = core::array::from_fn(|k| y[k].0[l]);
            let d: [T; M] = core::array::from_fn(|k| dy[k].0[l]);
            let mut out = [T::ZERO; M];
            crate::kernels::softmax_backward(&row, &d, &mut out);
            for (pack, &v) in dx.iter_mut().zip(&out) {
                pack.0[l] = v;
            }
        }
    }
}

/// Adds the lanes of each accumulator pack: `grad[k] += sum of acc[k]`, eight at a time with
/// [`Lanes::sums`].
#[inline(always)]
pub fn add_lane_sums<T: Float, S: Lanes<T>>(s: S, acc: &[Pack<T>], grad: &mut [T]) {
    debug_assert_eq!(acc.len(), grad.len());
    let (chunks, rest) = acc.as_chunks::<LANES>();
    let (grad_chunks, grad_rest) = grad.as_chunks_mut::<LANES>();
    for (acc, grad) in chunks.iter().zip(grad_chunks) {
        let sums = s.sums(core::array::from_fn(|k| s.load(&acc[k])));
        let sum = s.add(s.loadu(grad), sums);
        s.storeu(grad, sum);
    }
    for (acc, grad) in rest.iter().zip(grad_rest) {
        *grad += s.sum(s.load(acc));
    }
}

/// `db[f] += sum_p dz[f][p]` for the `db.len()` filters of `dz` (`[F][P]` packs), eight
/// filters at a time: each filter's sum is one chain of adds over its positions in order,
/// every add waiting for the one before, and eight of them side by side overlap. The same
/// order for each filter as one filter after another, so the same bits.
#[inline(always)]
pub fn add_filter_sums<T: Float, S: Lanes<T>>(s: S, db: &mut [Pack<T>], dz: &[Pack<T>]) {
    let positions = dz.len() / db.len().max(1);
    debug_assert_eq!(positions * db.len(), dz.len());
    for (db, dz) in db
        .chunks_mut(LANES)
        .zip(dz.chunks(LANES * positions.max(1)))
    {
        let mut sums = [s.zero(); LANES];
        for (sum, db) in sums.iter_mut().zip(db.iter()) {
            *sum = s.load(db);
        }
        for p in 0..positions {
            for (f, sum) in sums.iter_mut().enumerate().take(db.len()) {
                *sum = s.add(*sum, s.load(&dz[f * positions + p]));
            }
        }
        for (db, sum) in db.iter_mut().zip(sums) {
            s.store(db, sum);
        }
    }
}

/// Sets every pack to zero.
#[inline(always)]
pub fn clear<T: Float>(packs: &mut [Pack<T>]) {
    for p in packs {
        *p = Pack::zero();
    }
}

/// Copies each block of `x` into the middle of the matching block of `xp`, whose border (as
/// wide on both sides) it leaves as it was: zeros, for a padded convolution.
#[inline(always)]
pub fn pad<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const HP: usize,
    const WP: usize,
>(
    x: &[[[Pack<T>; W]; H]; C],
    xp: &mut [[[Pack<T>; WP]; HP]; C],
) {
    const { assert!(HP >= H && WP >= W && (HP - H).is_multiple_of(2) && (WP - W).is_multiple_of(2)) };
    let (ph, pw) = ((HP - H) / 2, (WP - W) / 2);
    for (xp_c, x_c) in xp.iter_mut().zip(x) {
        for (row, src) in xp_c[ph..ph + H].iter_mut().zip(x_c) {
            row[pw..pw + W].copy_from_slice(src);
        }
    }
}

/// Copies `x` into `xp` at rows `top..` and columns `left..`, leaving the rest of `xp` as it
/// was (zeros): the bordered `dL/dZ` whose correlation with the rotated filter is `dL/dX`.
#[inline(always)]
pub fn border<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const HP: usize,
    const WP: usize,
>(
    x: &[[[Pack<T>; W]; H]; C],
    xp: &mut [[[Pack<T>; WP]; HP]; C],
    top: usize,
    left: usize,
) {
    for (xp_c, x_c) in xp.iter_mut().zip(x) {
        for (row, src) in xp_c[top..top + H].iter_mut().zip(x_c) {
            row[left..left + W].copy_from_slice(src);
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, Array4};

    use super::*;
    use crate::loss::HalfSquaredError;
    use crate::simd::Portable;

    /// Eight filters side by side sum each filter's positions in the order of one filter
    /// after another: the same bits, on values whose sums depend on their order, for fewer
    /// filters than a chunk, a whole one and a chunk and a rest.
    #[test]
    fn filter_sums_are_those_of_one_filter_at_a_time() {
        for (filters, positions) in [(1, 400), (3, 7), (8, 5), (9, 1), (17, 64)] {
            let dz: Vec<Pack<f32>> = (0..filters * positions)
                .map(|k| {
                    Pack(core::array::from_fn(|l| {
                        ((k * 37 + l * 11) % 101) as f32 * 0.37 - 17.1
                    }))
                })
                .collect();
            let start: Vec<Pack<f32>> =
                (0..filters).map(|f| Pack([f as f32 * 1.3e-3; 8])).collect();
            let mut db = start.clone();
            add_filter_sums(Portable, &mut db, &dz);
            for f in 0..filters {
                for l in 0..8 {
                    let mut sum = start[f].0[l];
                    for p in 0..positions {
                        sum += dz[f * positions + p].0[l];
                    }
                    assert_eq!(
                        db[f].0[l].to_bits(),
                        sum.to_bits(),
                        "{filters} filters, filter {f}"
                    );
                }
            }
        }
    }

    #[test]
    fn inputs_go_to_lanes_and_back() {
        let x = Array4::from_shape_fn((11, 2, 3, 1), |(n, c, h, _)| (n * 100 + c * 10 + h) as f32);
        let mut blocks: Vec<[[[Pack<f32>; 1]; 3]; 2]> = buffer(2);
        assert!(load_inputs(Portable, x.view(), flat_mut(&mut blocks)));
        assert_eq!(
            blocks[1][1][2][0].0,
            [812.0, 912.0, 1012.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        );
        // A strided view gives the same blocks.
        let mut t = Array4::<f32>::zeros((11, 1, 3, 2));
        t.assign(&x.view().permuted_axes([0, 3, 2, 1]));
        let view = t.view().permuted_axes([0, 3, 2, 1]);
        let mut again: Vec<[[[Pack<f32>; 1]; 3]; 2]> = buffer(2);
        assert!(load_inputs(Portable, view, flat_mut(&mut again)));
        assert!(again == blocks);
        // Eight positions at a time, and the lanes of a NaN or an infinity found.
        let x = Array4::from_shape_fn((9, 1, 4, 5), |(n, _, h, w)| (n * 20 + h * 5 + w) as f32);
        let mut blocks: Vec<[[[Pack<f32>; 5]; 4]; 1]> = buffer(2);
        assert!(load_inputs(Portable, x.view(), flat_mut(&mut blocks)));
        for e in 0..9 {
            for p in 0..20 {
                assert_eq!(blocks[e / 8][0][p / 5][p % 5].0[e % 8], (e * 20 + p) as f32);
            }
        }
        assert_eq!(blocks[1][0][3][4].0[1..], [0.0; 7]);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut x = x.clone();
            x[[8, 0, 3, 4]] = bad;
            assert!(!load_inputs(Portable, x.view(), flat_mut(&mut blocks)));
            x[[8, 0, 3, 4]] = 0.0;
            x[[2, 0, 0, 1]] = bad;
            assert!(!load_inputs(Portable, x.view(), flat_mut(&mut blocks)));
        }
    }

    #[test]
    fn the_loss_skips_empty_lanes() {
        let out: Vec<[Pack<f64>; 1]> = vec![[Pack([1.0; 8])], [Pack([2.0; 8])]];
        let targets = Array2::zeros((9, 1));
        let mut d = vec![[Pack::zero()]; 2];
        let l = loss(
            Portable,
            &out,
            targets.view(),
            &HalfSquaredError,
            0.5,
            &mut d,
        );
        assert_eq!(l, 8.0 * 0.5 + 2.0);
        assert_eq!(d[1][0].0, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn lane_sums_add_into_the_gradient() {
        let acc: Vec<Pack<f64>> = (0..11)
            .map(|k| Pack(core::array::from_fn(|l| (k * 8 + l) as f64)))
            .collect();
        let mut grad = vec![1.0; 11];
        add_lane_sums(Portable, &acc, &mut grad);
        for (k, g) in grad.iter().enumerate() {
            assert_eq!(*g, 1.0 + (0..8).map(|l| (k * 8 + l) as f64).sum::<f64>());
        }
    }
}
