//! Loss functions: values passed by reference to `loss_and_grad` and `train_step`.
//!
//! Every loss here is a mean over the batch of a per-example loss `l_n(o, y)`:
//!
//! ```text
//! L = (1/N) sum_n l_n(o_n, y_n)
//! ```
//!
//! so a loss only has to say what `l` and `dl/do` are for one example.
//!
//! ```
//! use cnn::ndarray::{Array2, Array4};
//! use cnn::prelude::*;
//!
//! network! {
//!     struct Classifier { input(4x4) -> conv(2, 3x3) -> relu -> dense(3) -> softmax }
//! }
//!
//! let net = Classifier::new(1);
//! let x = Array4::<f32>::zeros((2, 1, 4, 4));
//! let y = Array2::from_shape_fn((2, 3), |(n, k)| f32::from(k == n));
//! // A final softmax and cross-entropy are fused: the gradient on the logits is p - y.
//! let (loss, _grad) = net.loss_and_grad(x.view(), y.view(), &SoftmaxCrossEntropy)?;
//! assert!(loss > 0.0);
//! # Ok::<(), cnn::Error>(())
//! ```

use crate::Float;
use crate::simd::{Lanes, Pack};

/// A loss: the per-example value and its gradient with respect to the network's output.
/// # Examples
///
/// A loss of one's own, the absolute error:
///
/// ```
/// use cnn::Float;
/// use cnn::loss::Loss;
///
/// struct AbsoluteError;
///
/// impl Loss for AbsoluteError {
///     const NAME: &'static str = "AbsoluteError";
///
///     fn example<T: Float>(&self, o: &[T], y: &[T], scale: T, d: &mut [T]) -> T {
///         let mut l = T::ZERO;
///         for ((d, &o), &y) in d.iter_mut().zip(o).zip(y) {
///             let sign = if o > y { T::ONE } else { -T::ONE };
///             l += (o - y) * sign;
///             *d = scale * sign;
///         }
///         l
///     }
/// }
///
/// let mut d = [0.0; 2];
/// assert_eq!(AbsoluteError.example(&[1.0, 0.0], &[0.0, 2.0], 1.0, &mut d), 3.0);
/// assert_eq!(d, [1.0, -1.0]);
/// ```
pub trait Loss: Sync {
    /// The loss's name, for messages.
    const NAME: &'static str;

    /// Whether the loss takes logits and applies its own softmax. A network ending in
    /// `softmax` then hands the loss the softmax's input instead of its output, and the loss's
    /// gradient is the gradient of the logits: the softmax and the loss are fused, and no
    /// softmax Jacobian is applied (for cross-entropy, `dL/dz = p - y`).
    const TAKES_LOGITS: bool = false;

    /// Returns `l(output, target)` for one example and writes `scale * dl/d output` into
    /// `d_output`. The three slices have the network's output length.
    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T;

    /// [`Loss::example`] for the first `lanes` of eight examples held side by side in packs
    /// (the batch layout): returns their summed loss and writes `scale * dl/d output` into
    /// `d_output`, zero in the other lanes. The losses of this module compute it in vectors;
    /// by default it is `example` lane by lane.
    #[doc(hidden)]
    #[inline(always)]
    fn block<T: Float, S: Lanes<T>, const M: usize>(
        &self,
        s: S,
        output: &[Pack<T>; M],
        target: &[Pack<T>; M],
        lanes: usize,
        scale: T,
        d_output: &mut [Pack<T>; M],
    ) -> T {
        let _ = s;
        let (mut row, mut t, mut d) = ([T::ZERO; M], [T::ZERO; M], [T::ZERO; M]);
        let mut total = T::ZERO;
        for p in d_output.iter_mut() {
            *p = Pack::zero();
        }
        for l in 0..lanes {
            for k in 0..M {
                row[k] = output[k].0[l];
                t[k] = target[k].0[l];
            }
            total += self.example(&row, &t, scale, &mut d);
            for (p, &g) in d_output.iter_mut().zip(&d) {
                p.0[l] = g;
            }
        }
        total
    }
}

/// The mask of the first `lanes` lanes.
#[inline(always)]
fn lanes_mask<T: Float, S: Lanes<T>>(s: S, lanes: usize) -> S::V {
    let index: [T; 8] = core::array::from_fn(|l| T::from_f64(l as f64));
    s.gt(s.splat(T::from_f64(lanes as f64)), s.loadu(&index))
}

/// Half the squared error, summed over the outputs, mean over the batch: the loss of the seed
/// network's derivation (`cnn::doc::derivation`).
///
/// ```text
/// l = sum_k (y_k - o_k)^2 / 2        dl/do_k = o_k - y_k
/// ```
/// # Examples
/// ```
/// use cnn::loss::{HalfSquaredError, Loss};
/// let mut d = [0.0; 2];
/// let l = HalfSquaredError.example(&[1.0, 0.5], &[0.0, 0.5], 1.0, &mut d);
/// assert_eq!((l, d), (0.5, [1.0, 0.0]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HalfSquaredError;

impl Loss for HalfSquaredError {
    const NAME: &'static str = "HalfSquaredError";

    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let half = T::from_f64(0.5);
        let mut l = T::ZERO;
        for ((d, &o), &y) in d_output.iter_mut().zip(output).zip(target) {
            let e = o - y;
            l += half * e * e;
            *d = scale * e;
        }
        l
    }

    #[inline(always)]
    fn block<T: Float, S: Lanes<T>, const M: usize>(
        &self,
        s: S,
        output: &[Pack<T>; M],
        target: &[Pack<T>; M],
        lanes: usize,
        scale: T,
        d_output: &mut [Pack<T>; M],
    ) -> T {
        let (mask, half, scale) = (
            lanes_mask(s, lanes),
            s.splat(T::from_f64(0.5)),
            s.splat(scale),
        );
        let mut l = s.zero();
        for ((o, y), d) in output.iter().zip(target).zip(d_output.iter_mut()) {
            let e = s.and(mask, s.sub(s.load(o), s.load(y)));
            l = s.add(l, s.mul(s.mul(half, e), e));
            s.store(d, s.mul(scale, e));
        }
        s.sum(l)
    }
}

/// The squared error, mean over every element, as PyTorch's `MSELoss()`.
///
/// ```text
/// l = sum_k (o_k - y_k)^2 / K        dl/do_k = 2 (o_k - y_k) / K
/// ```
/// # Examples
/// ```
/// use cnn::loss::{Loss, MeanSquaredError};
/// let mut d = [0.0; 2];
/// let l = MeanSquaredError.example(&[1.0, 0.5], &[0.0, 0.5], 1.0, &mut d);
/// assert_eq!((l, d), (0.5, [1.0, 0.0]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeanSquaredError;

impl Loss for MeanSquaredError {
    const NAME: &'static str = "MeanSquaredError";

    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let inv_k = T::ONE / T::from_f64(output.len() as f64);
        let two = T::from_f64(2.0);
        let mut l = T::ZERO;
        for ((d, &o), &y) in d_output.iter_mut().zip(output).zip(target) {
            let e = o - y;
            l += e * e * inv_k;
            *d = scale * two * e * inv_k;
        }
        l
    }

    #[inline(always)]
    fn block<T: Float, S: Lanes<T>, const M: usize>(
        &self,
        s: S,
        output: &[Pack<T>; M],
        target: &[Pack<T>; M],
        lanes: usize,
        scale: T,
        d_output: &mut [Pack<T>; M],
    ) -> T {
        let inv_k = T::ONE / T::from_f64(M as f64);
        let (mask, inv_k, two_scale) = (
            lanes_mask(s, lanes),
            s.splat(inv_k),
            s.splat(scale * T::from_f64(2.0)),
        );
        let mut l = s.zero();
        for ((o, y), d) in output.iter().zip(target).zip(d_output.iter_mut()) {
            let e = s.and(mask, s.sub(s.load(o), s.load(y)));
            l = s.add(l, s.mul(s.mul(e, e), inv_k));
            s.store(d, s.mul(s.mul(two_scale, e), inv_k));
        }
        s.sum(l)
    }
}

/// Binary cross-entropy on probabilities, mean over every element, as PyTorch's `BCELoss()`:
/// the logarithms are clamped at -100 and the gradient's denominator at 1e-12, so outputs of
/// exactly 0 or 1 give a large finite loss rather than infinity.
///
/// ```text
/// l = -sum_k [y_k ln o_k + (1 - y_k) ln(1 - o_k)] / K
/// dl/do_k = (o_k - y_k) / (o_k (1 - o_k)) / K
/// ```
/// # Examples
/// ```
/// use cnn::loss::{BinaryCrossEntropy, Loss};
/// let mut d = [0.0];
/// let l: f64 = BinaryCrossEntropy.example(&[0.5], &[1.0], 1.0, &mut d);
/// assert!((l - 2f64.ln()).abs() < 1e-12);
/// assert_eq!(d, [-2.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl Loss for BinaryCrossEntropy {
    const NAME: &'static str = "BinaryCrossEntropy";

    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let inv_k = T::ONE / T::from_f64(output.len() as f64);
        let floor = T::from_f64(-100.0);
        let eps = T::from_f64(1e-12);
        let mut l = T::ZERO;
        for ((d, &o), &y) in d_output.iter_mut().zip(output).zip(target) {
            let log_o = o.ln().max(floor);
            let log_1mo = (T::ONE - o).ln().max(floor);
            l -= (y * log_o + (T::ONE - y) * log_1mo) * inv_k;
            *d = scale * (o - y) / (o * (T::ONE - o)).max(eps) * inv_k;
        }
        l
    }
}

/// Cross-entropy of the softmax of logits, summed over classes, mean over the batch, as
/// PyTorch's `CrossEntropyLoss()` with probability targets (one-hot or soft).
///
/// Computed through log-sum-exp, so logits of ±1000 are fine:
///
/// ```text
/// l = sum_k y_k (lse(z) - z_k)        lse(z) = m + ln sum_k e^(z_k - m),  m = max_k z_k
/// dl/dz_k = p_k sum_j y_j - y_k       p = softmax(z)     (p - y for one-hot targets)
/// ```
/// # Examples
/// ```
/// use cnn::loss::{Loss, SoftmaxCrossEntropy};
/// let mut d = [0.0; 2];
/// let l: f64 = SoftmaxCrossEntropy.example(&[0.0, 0.0], &[1.0, 0.0], 1.0, &mut d);
/// assert!((l - 2f64.ln()).abs() < 1e-12);
/// assert_eq!(d, [-0.5, 0.5]); // p - y
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

impl Loss for SoftmaxCrossEntropy {
    const NAME: &'static str = "SoftmaxCrossEntropy";
    const TAKES_LOGITS: bool = true;

    /// # Panics
    /// If `output` is empty (a network has at least one output).
    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let m = output.iter().copied().fold(output[0], T::max);
        let sum_exp: T = output.iter().map(|&z| (z - m).exp()).sum();
        let lse = m + sum_exp.ln();
        let y_sum: T = target.iter().copied().sum();
        let mut l = T::ZERO;
        for ((d, &z), &y) in d_output.iter_mut().zip(output).zip(target) {
            l += y * (lse - z);
            let p = (z - lse).exp();
            *d = scale * (p * y_sum - y);
        }
        l
    }

    /// The same in vectors: `e^(z - m)` once per output (the only exponentials), the logarithm
    /// of their sum lane by lane.
    #[inline(always)]
    fn block<T: Float, S: Lanes<T>, const M: usize>(
        &self,
        s: S,
        output: &[Pack<T>; M],
        target: &[Pack<T>; M],
        lanes: usize,
        scale: T,
        d_output: &mut [Pack<T>; M],
    ) -> T {
        let mask = lanes_mask(s, lanes);
        let mut m = s.load(&output[0]);
        for o in &output[1..] {
            m = s.max(s.load(o), m);
        }
        // e^(z - m) into d_output for now.
        let mut sum = s.zero();
        let mut y_sum = s.zero();
        for ((o, y), d) in output.iter().zip(target).zip(d_output.iter_mut()) {
            let e = s.exp_neg(s.sub(m, s.load(o)));
            sum = s.add(sum, e);
            y_sum = s.add(y_sum, s.load(y));
            s.store(d, e);
        }
        let sums = s.to_array(sum);
        let ln_sum = s.loadu(&core::array::from_fn(|l| {
            if l < lanes { sums[l].ln() } else { T::ZERO }
        }));
        let lse = s.add(m, ln_sum);
        let inv_sum = s.div(s.splat(T::ONE), sum);
        let scale = s.splat(scale);
        let mut l = s.zero();
        for ((o, y), d) in output.iter().zip(target).zip(d_output.iter_mut()) {
            let (z, y, e) = (s.load(o), s.load(y), s.load(d));
            l = s.add(l, s.mul(y, s.sub(lse, z)));
            let p = s.mul(e, inv_sum);
            s.store(d, s.and(mask, s.mul(scale, s.sub(s.mul(p, y_sum), y))));
        }
        s.sum(s.and(mask, l))
    }
}

impl SoftmaxCrossEntropy {
    /// Cross-entropy against smoothed targets, as PyTorch's
    /// `CrossEntropyLoss(label_smoothing=epsilon)`: see [`SmoothedCrossEntropy`].
    ///
    /// # Panics
    /// If `epsilon` is not in `[0, 1]`.
    /// # Examples
    /// ```
    /// use cnn::loss::{Loss, SoftmaxCrossEntropy};
    /// let smoothed = SoftmaxCrossEntropy::with_label_smoothing(0.1);
    /// let mut d = [0.0; 2];
    /// smoothed.example(&[0.0f64, 0.0], &[1.0, 0.0], 1.0, &mut d);
    /// // The target is (0.95, 0.05) now: p - y = (0.5 - 0.95, 0.5 - 0.05).
    /// assert!((d[0] + 0.45).abs() < 1e-12 && (d[1] - 0.45).abs() < 1e-12);
    /// ```
    pub fn with_label_smoothing(epsilon: f64) -> SmoothedCrossEntropy {
        assert!(
            (0.0..=1.0).contains(&epsilon),
            "the label smoothing is {epsilon}, but it must be in [0, 1]"
        );
        SmoothedCrossEntropy { epsilon }
    }
}

/// [`SoftmaxCrossEntropy`] against targets mixed with the uniform distribution over the `K`
/// classes (label smoothing, Szegedy et al. 2016), as PyTorch's
/// `CrossEntropyLoss(label_smoothing=epsilon)`: the network is no longer pushed to make its
/// logits ever larger, which often generalises better. Made by
/// [`SoftmaxCrossEntropy::with_label_smoothing`].
///
/// ```text
/// y'_k = (1 - epsilon) y_k + epsilon / K
/// l = sum_k y'_k (lse(z) - z_k)        dl/dz_k = p_k sum_j y'_j - y'_k
/// ```
/// # Examples
/// ```
/// use cnn::loss::{Loss, SoftmaxCrossEntropy};
/// let mut d = [0.0; 2];
/// let plain: f64 = SoftmaxCrossEntropy.example(&[2.0, 0.0], &[1.0, 0.0], 1.0, &mut d);
/// let smoothed = SoftmaxCrossEntropy::with_label_smoothing(0.2).example(&[2.0, 0.0], &[1.0, 0.0], 1.0, &mut d);
/// assert!(smoothed > plain); // a confident right answer costs more
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothedCrossEntropy {
    epsilon: f64,
}

impl SmoothedCrossEntropy {
    /// The smoothing, `epsilon`.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }
}

impl Loss for SmoothedCrossEntropy {
    const NAME: &'static str = "SmoothedCrossEntropy";
    const TAKES_LOGITS: bool = true;

    /// # Panics
    /// If `output` is empty (a network has at least one output).
    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let keep = T::from_f64(1.0 - self.epsilon);
        let uniform = T::from_f64(self.epsilon / output.len() as f64);
        let m = output.iter().copied().fold(output[0], T::max);
        let sum_exp: T = output.iter().map(|&z| (z - m).exp()).sum();
        let lse = m + sum_exp.ln();
        let y_sum: T = target.iter().map(|&y| keep * y + uniform).sum();
        let mut l = T::ZERO;
        for ((d, &z), &y) in d_output.iter_mut().zip(output).zip(target) {
            let y = keep * y + uniform;
            l += y * (lse - z);
            let p = (z - lse).exp();
            *d = scale * (p * y_sum - y);
        }
        l
    }
}

/// A loss whose every example is weighted by the weight of its class, for imbalanced data:
/// PyTorch's `CrossEntropyLoss(weight=...)` and Keras' `class_weight`. The mean is over the
/// batch's examples, as Keras takes it (PyTorch divides by the sum of the weights instead).
/// [`Trainer::class_weights`](crate::Trainer::class_weights) applies it to training.
///
/// ```text
/// w(y) = sum_k weights_k y_k   (the weight of the class, for a one-hot target)
/// l'(o, y) = w(y) l(o, y)      dl'/do = w(y) dl/do
/// ```
/// # Panics
/// [`Loss::example`] panics if `weights` has fewer entries than the network has outputs.
/// # Examples
/// ```
/// use cnn::loss::{ClassWeighted, Loss, SoftmaxCrossEntropy};
/// let weighted = ClassWeighted::new(SoftmaxCrossEntropy, &[1.0, 3.0]);
/// let mut d = [0.0; 2];
/// let l0: f64 = weighted.example(&[0.0, 0.0], &[1.0, 0.0], 1.0, &mut d);
/// let l1: f64 = weighted.example(&[0.0, 0.0], &[0.0, 1.0], 1.0, &mut d);
/// assert!((l1 - 3.0 * l0).abs() < 1e-12);
/// assert_eq!(d, [1.5, -1.5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassWeighted<'w, L> {
    loss: L,
    weights: &'w [f64],
}

impl<'w, L: Loss> ClassWeighted<'w, L> {
    /// `loss`, each example weighted by `weights[class]`.
    ///
    /// # Panics
    /// If a weight is negative or not finite.
    pub fn new(loss: L, weights: &'w [f64]) -> Self {
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            panic!("a class weight is {w}, but weights must be finite and not negative");
        }
        ClassWeighted { loss, weights }
    }

    /// The weights, by class.
    pub fn weights(&self) -> &'w [f64] {
        self.weights
    }
}

impl<L: Loss> Loss for ClassWeighted<'_, L> {
    const NAME: &'static str = L::NAME;
    const TAKES_LOGITS: bool = L::TAKES_LOGITS;

    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let w = T::from_f64(class_weight(self.weights, target));
        w * self.loss.example(output, target, scale * w, d_output)
    }
}

/// The weight of a target's class: `sum_k weights_k y_k`; for a single output, whose target
/// is the class (0 or 1, or a probability between), `(1 - y) weights_0 + y weights_1`.
pub(crate) fn class_weight<T: Float>(weights: &[f64], target: &[T]) -> f64 {
    if let [y] = target {
        let y = y.to_f64();
        return (1.0 - y) * weights[0] + y * weights[1];
    }
    target
        .iter()
        .zip(&weights[..target.len()])
        .map(|(&y, &w)| y.to_f64() * w)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Central differences of `l` against the analytic gradient, for one example.
    fn check<L: Loss>(loss: &L, o: &[f64], y: &[f64]) {
        let mut d = vec![0.0; o.len()];
        loss.example(o, y, 1.0, &mut d);
        for k in 0..o.len() {
            let h = 1e-6;
            let mut op = o.to_vec();
            let mut om = o.to_vec();
            op[k] += h;
            om[k] -= h;
            let mut scratch = vec![0.0; o.len()];
            let lp = loss.example(&op, y, 1.0, &mut scratch);
            let lm = loss.example(&om, y, 1.0, &mut scratch);
            assert_relative_eq!(
                d[k],
                (lp - lm) / (2.0 * h),
                max_relative = 1e-6,
                epsilon = 1e-9
            );
        }
    }

    #[test]
    fn gradients_match_central_differences() {
        let o = [0.3, 0.8, 0.1];
        let y = [0.0, 1.0, 0.0];
        check(&HalfSquaredError, &o, &y);
        check(&MeanSquaredError, &o, &y);
        check(&BinaryCrossEntropy, &o, &y);
        check(&SoftmaxCrossEntropy, &[1.5, -0.3, 2.0], &y);
        check(&SoftmaxCrossEntropy, &[1.5, -0.3, 2.0], &[0.2, 0.5, 0.3]);
        let smoothed = SoftmaxCrossEntropy::with_label_smoothing(0.1);
        check(&smoothed, &[1.5, -0.3, 2.0], &y);
        check(
            &ClassWeighted::new(smoothed, &[0.5, 2.0, 1.0]),
            &[1.5, -0.3, 2.0],
            &y,
        );
        check(
            &ClassWeighted::new(BinaryCrossEntropy, &[1.0, 4.0]),
            &[0.3],
            &[1.0],
        );
    }

    #[test]
    fn hand_worked_values() {
        let mut d = [0.0; 2];
        // ((0.5 - 1)^2 + (0.25 - 0)^2) / 2 = (0.25 + 0.0625) / 2
        let l = HalfSquaredError.example(&[0.5, 0.25], &[1.0, 0.0], 0.5, &mut d);
        assert_eq!(l, 0.15625);
        assert_eq!(d, [-0.25, 0.125]);
        // (0.25 + 0.0625) / 2 elements
        let l = MeanSquaredError.example(&[0.5, 0.25], &[1.0, 0.0], 1.0, &mut d);
        assert_eq!(l, 0.15625);
        assert_eq!(d, [-0.5, 0.25]);
        // ln 2 for two equal logits and a one-hot target
        let l = SoftmaxCrossEntropy.example(&[3.0, 3.0], &[0.0, 1.0], 1.0, &mut d);
        assert_relative_eq!(l, core::f64::consts::LN_2);
        assert_relative_eq!(d[0], 0.5, max_relative = 1e-15);
        assert_relative_eq!(d[1], -0.5, max_relative = 1e-15);
    }

    #[test]
    fn label_smoothing_is_cross_entropy_against_the_mixed_target() {
        let z = [0.7, -1.2, 2.5];
        let (mut d1, mut d2) = ([0.0; 3], [0.0; 3]);
        let smoothed = SoftmaxCrossEntropy::with_label_smoothing(0.3);
        let l1 = smoothed.example(&z, &[0.0, 1.0, 0.0], 1.0, &mut d1);
        let mixed = [0.1, 0.8, 0.1];
        let l2 = SoftmaxCrossEntropy.example(&z, &mixed, 1.0, &mut d2);
        assert_relative_eq!(l1, l2, max_relative = 1e-15);
        for (a, b) in d1.iter().zip(&d2) {
            assert_relative_eq!(*a, *b, max_relative = 1e-12);
        }
        let plain = SoftmaxCrossEntropy::with_label_smoothing(0.0);
        assert_eq!(
            plain.example(&z, &mixed, 1.0, &mut d1),
            SoftmaxCrossEntropy.example(&z, &mixed, 1.0, &mut d2)
        );
    }

    #[test]
    fn softmax_cross_entropy_is_stable_for_huge_logits() {
        let mut d = [0.0f32; 3];
        let l =
            SoftmaxCrossEntropy.example(&[1000.0f32, -1000.0, 0.0], &[0.0, 1.0, 0.0], 1.0, &mut d);
        assert_eq!(l, 2000.0);
        assert_eq!(d, [1.0, -1.0, 0.0]);
        let l =
            SoftmaxCrossEntropy.example(&[1000.0f32, -1000.0, 0.0], &[1.0, 0.0, 0.0], 1.0, &mut d);
        assert_eq!(l, 0.0);
    }

    #[test]
    fn binary_cross_entropy_is_finite_at_zero_and_one() {
        let mut d = [0.0f32; 2];
        let l = BinaryCrossEntropy.example(&[0.0f32, 1.0], &[1.0, 0.0], 1.0, &mut d);
        assert_eq!(l, 100.0);
        assert!(d.iter().all(|v| v.is_finite()));
    }
}
