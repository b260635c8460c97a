//! The activations, element-wise and softmax, forward and backward on a whole tensor.

use crate::{Float, Tensor};

/// `y = 1 / (1 + e^-x)`.
#[inline]
pub fn sigmoid<A: Tensor>(x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = A::Scalar::ONE / (A::Scalar::ONE + (-x).exp());
    }
}

/// `dx = dy * y (1 - y)`.
#[inline]
pub fn sigmoid_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = dy * y * (A::Scalar::ONE - y);
    }
}

/// `y = max(x, 0)`.
#[inline]
pub fn relu<A: Tensor>(x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = if x > A::Scalar::ZERO {
            x
        } else {
            A::Scalar::ZERO
        };
    }
}

/// `dx = dy` where `y > 0`, else 0.
#[inline]
pub fn relu_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = if y > A::Scalar::ZERO {
            dy
        } else {
            A::Scalar::ZERO
        };
    }
}

/// `y = x` for `x > 0`, else `slope * x` (`0 < slope < 1`).
#[inline]
pub fn leaky_relu<A: Tensor>(slope: A::Scalar, x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = if x > A::Scalar::ZERO { x } else { slope * x };
    }
}

/// `dx = dy` where `y > 0`, else `slope * dy` (the sign of `y` is the sign of `x`).
#[inline]
pub fn leaky_relu_backward<A: Tensor>(slope: A::Scalar, y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = if y > A::Scalar::ZERO { dy } else { slope * dy };
    }
}

/// `y = tanh x`.
#[inline]
pub fn tanh<A: Tensor>(x: &A, y: &mut A) {
    for (y, &x) in y.as_flat_mut().iter_mut().zip(x.as_flat()) {
        *y = x.tanh();
    }
}

/// `dx = dy (1 - y^2)`.
#[inline]
pub fn tanh_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = dy * (A::Scalar::ONE - y * y);
    }
}

/// `y_k = e^(x_k - m) / sum_j e^(x_j - m)`, `m = max x`, over the whole tensor.
#[inline]
pub fn softmax<A: Tensor>(x: &A, y: &mut A) {
    let x = x.as_flat();
    let y = y.as_flat_mut();
    let m = x.iter().copied().fold(x[0], A::Scalar::max);
    let mut sum = A::Scalar::ZERO;
    for (y, &x) in y.iter_mut().zip(x) {
        *y = (x - m).exp();
        sum += *y;
    }
    let inv = A::Scalar::ONE / sum;
    y.iter_mut().for_each(|y| *y *= inv);
}

/// `dx_k = y_k (dy_k - sum_j dy_j y_j)`: the softmax Jacobian applied to `dy`.
#[inline]
pub fn softmax_backward<A: Tensor>(y: &A, dy: &A, dx: &mut A) {
    let dot: A::Scalar = y
        .as_flat()
        .iter()
        .zip(dy.as_flat())
        .map(|(&y, &d)| y * d)
        .sum();
    for ((dx, &y), &dy) in dx
        .as_flat_mut()
        .iter_mut()
        .zip(y.as_flat())
        .zip(dy.as_flat())
    {
        *dx = y * (dy - dot);
    }
}
