//! The join of a residual block: the sum of its branches, and of two gradients.

use crate::Float;

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
