//! Arithmetic on `[T; L]` arrays and slices in running sums, which LLVM turns into vector
//! instructions: the lanes of a row for the generated convolutions, sums and dot products.

use crate::Float;

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
pub(super) fn dot<T: Float>(a: &[T], b: &[T]) -> T {
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
