//! Activations on vectors: applied on their own (to packs of eight examples, or to rows of
//! one example), or fused into the store of the conv or dense layer before them. Every backward function takes the activation's *output*, which is all
//! that sigmoid, tanh and (leaky) relu need, so a fused layer keeps no pre-activation values.

use crate::Float;
use crate::simd::{Lanes, Pack};

/// An element-wise activation.
pub trait Activation<T: Float>: Copy {
    /// `y = f(x)`.
    fn forward<S: Lanes<T>>(self, s: S, x: S::V) -> S::V;
    /// `dx = dy f'(x)`, from `y = f(x)`.
    fn backward<S: Lanes<T>>(self, s: S, y: S::V, dy: S::V) -> S::V;
    /// [`Activation::forward`] of four vectors (the same values).
    #[inline(always)]
    fn forward4<S: Lanes<T>>(self, s: S, x: [S::V; 4]) -> [S::V; 4] {
        [
            self.forward(s, x[0]),
            self.forward(s, x[1]),
            self.forward(s, x[2]),
            self.forward(s, x[3]),
        ]
    }
}

/// `y = x`.
#[derive(Clone, Copy, Debug)]
pub struct Identity;

/// `y = max(x, 0)`.
#[derive(Clone, Copy, Debug)]
pub struct Relu;

/// `y = x` for `x > 0`, else `slope x` (`0 < slope < 1`).
#[derive(Clone, Copy, Debug)]
pub struct LeakyRelu<T>(pub T);

/// `y = 1 / (1 + e^-x)`.
#[derive(Clone, Copy, Debug)]
pub struct Sigmoid;

/// `y = tanh x`.
#[derive(Clone, Copy, Debug)]
pub struct Tanh;

impl<T: Float> Activation<T> for Identity {
    #[inline(always)]
    fn forward<S: Lanes<T>>(self, _: S, x: S::V) -> S::V {
        x
    }
    #[inline(always)]
    fn backward<S: Lanes<T>>(self, _: S, _: S::V, dy: S::V) -> S::V {
        dy
    }
}

impl<T: Float> Activation<T> for Relu {
    #[inline(always)]
    fn forward<S: Lanes<T>>(self, s: S, x: S::V) -> S::V {
        s.max(x, s.zero())
    }
    /// `dx = dy` where `y > 0`, else 0.
    #[inline(always)]
    fn backward<S: Lanes<T>>(self, s: S, y: S::V, dy: S::V) -> S::V {
        s.and(s.gt(y, s.zero()), dy)
    }
}

impl<T: Float> Activation<T> for LeakyRelu<T> {
    #[inline(always)]
    fn forward<S: Lanes<T>>(self, s: S, x: S::V) -> S::V {
        s.select(s.gt(x, s.zero()), x, s.mul(s.splat(self.0), x))
    }
    /// `dx = dy` where `y > 0`, else `slope dy` (the sign of `y` is the sign of `x`).
    #[inline(always)]
    fn backward<S: Lanes<T>>(self, s: S, y: S::V, dy: S::V) -> S::V {
        s.select(s.gt(y, s.zero()), dy, s.mul(s.splat(self.0), dy))
    }
}

impl<T: Float> Activation<T> for Sigmoid {
    #[inline(always)]
    fn forward<S: Lanes<T>>(self, s: S, x: S::V) -> S::V {
        s.sigmoid(x)
    }
    /// `dx = dy y (1 - y)`.
    #[inline(always)]
    fn backward<S: Lanes<T>>(self, s: S, y: S::V, dy: S::V) -> S::V {
        s.mul(s.mul(dy, y), s.sub(s.splat(T::ONE), y))
    }
    #[inline(always)]
    fn forward4<S: Lanes<T>>(self, s: S, x: [S::V; 4]) -> [S::V; 4] {
        s.sigmoid4(x)
    }
}

impl<T: Float> Activation<T> for Tanh {
    #[inline(always)]
    fn forward<S: Lanes<T>>(self, s: S, x: S::V) -> S::V {
        s.tanh(x)
    }
    /// `dx = dy (1 - y^2)`.
    #[inline(always)]
    fn backward<S: Lanes<T>>(self, s: S, y: S::V, dy: S::V) -> S::V {
        s.mul(dy, s.sub(s.splat(T::ONE), s.mul(y, y)))
    }
}

/// `y = f(x)` over packs, four at a time ([`Activation::forward4`]): a sigmoid is a chain of
/// some twenty dependent instructions, and four independent chains side by side keep the
/// vector units busy where one at a time waits on each step (measured: 10 cycles per pack
/// instead of 15, and fewer with the steps interleaved, see `Avx2::sigmoid4`).
#[inline(always)]
pub fn apply<T: Float, S: Lanes<T>, A: Activation<T>>(
    s: S,
    act: A,
    x: &[Pack<T>],
    y: &mut [Pack<T>],
) {
    let (x4, x_rest) = x.as_chunks::<4>();
    let (y4, y_rest) = y.as_chunks_mut::<4>();
    // Written out, not with `array::from_fn`: a closure LLVM declines to inline would be
    // compiled without the instruction set.
    for ([x0, x1, x2, x3], [y0, y1, y2, y3]) in x4.iter().zip(y4.iter_mut()) {
        let [v0, v1, v2, v3] = act.forward4(s, [s.load(x0), s.load(x1), s.load(x2), s.load(x3)]);
        s.store(y0, v0);
        s.store(y1, v1);
        s.store(y2, v2);
        s.store(y3, v3);
    }
    for (x, y) in x_rest.iter().zip(y_rest.iter_mut()) {
        s.store(y, act.forward(s, s.load(x)));
    }
}

/// `y = f(y)` in place, four packs at a time as in [`apply`].
#[inline(always)]
pub fn apply_in_place<T: Float, S: Lanes<T>, A: Activation<T>>(s: S, act: A, y: &mut [Pack<T>]) {
    let (y4, y_rest) = y.as_chunks_mut::<4>();
    for [y0, y1, y2, y3] in y4.iter_mut() {
        let [v0, v1, v2, v3] = act.forward4(s, [s.load(y0), s.load(y1), s.load(y2), s.load(y3)]);
        s.store(y0, v0);
        s.store(y1, v1);
        s.store(y2, v2);
        s.store(y3, v3);
    }
    for y in y_rest.iter_mut() {
        s.store(y, act.forward(s, s.load(y)));
    }
}

/// `d = d f'(x)` in place, from `y = f(x)`: the gradient of an activation's output becomes that
/// of its input.
#[inline(always)]
pub fn backward_in_place<T: Float, S: Lanes<T>, A: Activation<T>>(
    s: S,
    act: A,
    y: &[Pack<T>],
    d: &mut [Pack<T>],
) {
    for (y, d) in y.iter().zip(d.iter_mut()) {
        let v = act.backward(s, s.load(y), s.load(d));
        s.store(d, v);
    }
}

/// `dx = dy f'(x)`, from `y = f(x)`.
#[inline(always)]
pub fn backward<T: Float, S: Lanes<T>, A: Activation<T>>(
    s: S,
    act: A,
    y: &[Pack<T>],
    dy: &[Pack<T>],
    dx: &mut [Pack<T>],
) {
    for ((y, dy), dx) in y.iter().zip(dy).zip(dx.iter_mut()) {
        s.store(dx, act.backward(s, s.load(y), s.load(dy)));
    }
}

/// `y = f(x)` over the values of one example, eight at a time, the rest one by one.
#[inline(always)]
pub fn apply_rows<T: Float, S: Lanes<T>, A: Activation<T>>(s: S, act: A, x: &[T], y: &mut [T]) {
    let (x8, x_rest) = x.as_chunks::<8>();
    let (y8, y_rest) = y.as_chunks_mut::<8>();
    for (x, y) in x8.iter().zip(y8.iter_mut()) {
        s.storeu(y, act.forward(s, s.loadu(x)));
    }
    let mut last = [T::ZERO; 8];
    last[..x_rest.len()].copy_from_slice(x_rest);
    let v = s.to_array(act.forward(s, s.loadu(&last)));
    y_rest.copy_from_slice(&v[..y_rest.len()]);
}
