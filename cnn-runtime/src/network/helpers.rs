//! What the provided methods of [`Network`] build on: the forward pass with the best
//! instruction set, the split of a batch across threads, and the checks of a batch's shapes
//! and values.

#[cfg(feature = "std")]
use ndarray::{ArrayView2, ArrayView4, Axis};
#[cfg(feature = "std")]
use rayon::prelude::*;

#[cfg(feature = "std")]
use crate::Error;
#[cfg(feature = "std")]
use crate::Float;
use crate::Network;

/// `forward_into` with the best instruction set there is.
pub(super) struct ForwardInto<'a, N: Network> {
    pub(super) net: &'a N,
    pub(super) x: &'a N::Input,
    pub(super) acts: &'a mut N::Acts,
}

impl<N: Network> crate::simd::WithSimd<N::Scalar> for ForwardInto<'_, N> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: crate::simd::Lanes<N::Scalar>>(self, s: S) {
        self.net.forward_into(s, self.x, self.acts);
    }
}

/// Runs `f` on one contiguous part of `0..n` per thread and returns the results in order, so
/// that what is summed from them is the same for a given `n` and thread count. One thread runs
/// it directly, without rayon.
#[cfg(feature = "std")]
pub(crate) fn in_parts<R: Send>(
    n: usize,
    f: impl Fn(std::ops::Range<usize>) -> R + Sync,
) -> Vec<R> {
    let threads = rayon::current_num_threads().clamp(1, n.max(1));
    let part = n.div_ceil(threads).max(1);
    let range = |t: usize| (t * part).min(n)..((t + 1) * part).min(n);
    if threads == 1 {
        return vec![f(range(0))];
    }
    (0..threads).into_par_iter().map(|t| f(range(t))).collect()
}

/// Copies an array (any strides) in logical order into a contiguous buffer of its length.
#[cfg(feature = "std")]
pub(super) fn copy_into<T: Float, D: ndarray::Dimension>(
    src: ndarray::ArrayView<T, D>,
    dst: &mut [T],
) {
    match src.as_slice() {
        Some(src) => dst.copy_from_slice(src),
        None => dst.iter_mut().zip(src).for_each(|(d, &s)| *d = s),
    }
}

#[cfg(feature = "std")]
pub(super) fn check_input<N: Network>(x: &ArrayView4<N::Scalar>) -> Result<(), Error> {
    let [c, h, w] = N::INPUT_SHAPE;
    let n = x.len_of(Axis(0));
    if x.shape()[1..] != [c, h, w] {
        return Err(Error::Shape {
            what: "input batch",
            expected: [n, c, h, w].into(),
            given: x.shape().into(),
        });
    }
    Ok(())
}

/// Checks a training batch and returns its size.
#[cfg(feature = "std")]
pub(crate) fn check_batch<N: Network>(
    x: &ArrayView4<N::Scalar>,
    targets: &ArrayView2<N::Scalar>,
) -> Result<usize, Error> {
    let n = check_targets::<N>(x, targets)?;
    // The common case, a contiguous batch, in one vectorized pass; otherwise, or when something
    // is not finite, a search for where.
    if !all_finite(x.as_slice_memory_order())
        && let Some(e) = non_finite(x)
    {
        return Err(e);
    }
    Ok(n)
}

/// Checks the shapes of a training batch and its targets, and that the targets are finite;
/// returns the batch's size. The inputs' values are checked as they are copied into the
/// batch layout.
#[cfg(feature = "std")]
pub(crate) fn check_targets<N: Network>(
    x: &ArrayView4<N::Scalar>,
    targets: &ArrayView2<N::Scalar>,
) -> Result<usize, Error> {
    check_input::<N>(x)?;
    let n = x.len_of(Axis(0));
    if targets.shape() != [n, N::OUTPUT_LEN] {
        return Err(Error::Shape {
            what: "targets",
            expected: [n, N::OUTPUT_LEN].into(),
            given: targets.shape().into(),
        });
    }
    if n == 0 {
        return Err(Error::EmptyBatch {
            what: "input batch",
        });
    }
    if !all_finite(targets.as_slice_memory_order())
        && let Some(((a, b), &v)) = targets.indexed_iter().find(|(_, v)| !v.is_finite())
    {
        return Err(Error::NonFinite {
            what: "targets",
            index: [a, b].into(),
            value: v.to_f64(),
        });
    }
    Ok(n)
}

/// The error for the first value of `x` that is not finite, if there is one.
#[cfg(feature = "std")]
pub(crate) fn non_finite<T: Float>(x: &ArrayView4<T>) -> Option<Error> {
    x.indexed_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|((a, b, c, d), &v)| Error::NonFinite {
            what: "input batch",
            index: [a, b, c, d].into(),
            value: v.to_f64(),
        })
}

/// `true` when `values` is given and its sum is finite, which it cannot be with a NaN or an
/// infinity among them: one vectorized pass ([`kernels::sum`](crate::kernels::sum)). A sum
/// that overflows only sends the caller to its search, which then finds nothing.
#[cfg(feature = "std")]
pub(super) fn all_finite<T: Float>(values: Option<&[T]>) -> bool {
    values.is_some_and(|values| crate::kernels::sum(values).is_finite())
}
