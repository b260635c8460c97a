//! Optimizers: they turn a gradient into an update of the parameters, in place.
//!
//! Their state (velocities, moments) is kept in `f64` whatever the network's scalar type, and
//! is created on the first step; a later step with a different number of parameters is an
//! error rather than a silent reset.
//!
//! ```
//! use cnn::optim::{Adam, Optimizer, Sgd};
//!
//! let mut params = [1.0f32, -1.0];
//! let grad = [0.5, -0.5];
//! Sgd::new(0.1).momentum(0.9).step(&mut params, &grad)?;
//! Adam::new(1e-3).step(&mut params, &grad)?;
//! assert!(params[0] < 1.0 && params[1] > -1.0);
//! # Ok::<(), cnn::Error>(())
//! ```

use crate::{Error, Float};

/// Updates parameters from their gradient.
///
/// Besides the update, an optimizer exposes its learning rate (so that a
/// [schedule](crate::train::schedule) can set it before each step) and its state (so that a
/// [checkpoint](crate::train::checkpoint) can keep it and a resumed run go on exactly).
/// # Examples
/// ```
/// use cnn::optim::{Optimizer, Sgd};
/// let mut sgd = Sgd::new(0.5);
/// let mut p = [1.0f64];
/// sgd.step(&mut p, &[1.0])?;
/// assert_eq!(p, [0.5]);
/// // A gradient of another length is refused, and nothing changes.
/// assert!(sgd.step(&mut p, &[1.0, 2.0]).is_err());
/// assert_eq!(p, [0.5]);
/// sgd.set_lr(0.25);
/// assert_eq!(sgd.lr(), 0.25);
/// # Ok::<(), cnn::Error>(())
/// ```
pub trait Optimizer {
    /// One update of `params` from `grad` (same length, same order).
    ///
    /// # Errors
    /// [`Error::OptimizerState`] when the optimizer already holds state for a different number
    /// of parameters, [`Error::Shape`] when `grad` and `params` differ in length. Nothing is
    /// changed then.
    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error>;

    /// The learning rate of the next step.
    fn lr(&self) -> f64;

    /// Sets the learning rate of the next steps (what a schedule does before each step).
    fn set_lr(&mut self, lr: f64);

    /// What the optimizer has accumulated: its step count and per-parameter buffers, for a
    /// checkpoint. Its settings (learning rate, momentum, betas) are not part of it: they are
    /// the caller's code.
    fn state(&self) -> OptimizerState;

    /// Restores a state taken by [`Optimizer::state`] from an optimizer of the same kind.
    ///
    /// # Errors
    /// [`Error::OptimizerKind`] when `state` is of another kind of optimizer or lacks one of
    /// its buffers; nothing is changed then.
    fn set_state(&mut self, state: &OptimizerState) -> Result<(), Error>;
}

/// Forwards to the optimizer behind the reference, so a wrapper such as [`ClipGradNorm`] can
/// borrow one.
impl<O: Optimizer> Optimizer for &mut O {
    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error> {
        (**self).step(params, grad)
    }
    fn lr(&self) -> f64 {
        (**self).lr()
    }
    fn set_lr(&mut self, lr: f64) {
        (**self).set_lr(lr);
    }
    fn state(&self) -> OptimizerState {
        (**self).state()
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        (**self).set_state(state)
    }
}

/// What an optimizer has accumulated over its steps, as [`Optimizer::state`] gives it: enough,
/// with the same settings, to go on exactly where it stopped.
/// # Examples
/// ```
/// use cnn::optim::{Adam, Optimizer};
/// let mut adam = Adam::new(0.1);
/// let mut p = [1.0f32, 2.0];
/// adam.step(&mut p, &[0.5, -0.5])?;
/// let state = adam.state();
/// assert_eq!((state.kind.as_str(), state.steps), ("Adam", 1));
/// assert_eq!(state.buffer("exp_avg").map(<[f64]>::len), Some(2));
///
/// // A fresh optimizer given the state makes the same next step.
/// let mut again = Adam::new(0.1);
/// again.set_state(&state)?;
/// let (mut a, mut b) = (p, p);
/// adam.step(&mut a, &[0.1, 0.2])?;
/// again.step(&mut b, &[0.1, 0.2])?;
/// assert_eq!(a, b);
/// # Ok::<(), cnn::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizerState {
    /// The optimizer's name: `"Sgd"`, `"Adam"`.
    pub kind: String,
    /// The number of steps taken.
    pub steps: u64,
    /// Named buffers of one value per parameter, in the order of `params()`, with PyTorch's
    /// names: `momentum_buffer` (SGD with momentum), `exp_avg` and `exp_avg_sq` (Adam). Empty
    /// before the first step.
    pub buffers: Vec<(String, Vec<f64>)>,
}

impl OptimizerState {
    /// The buffer of that name, if there is one.
    pub fn buffer(&self, name: &str) -> Option<&[f64]> {
        self.buffers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// Checks that the state is of `kind` and holds `names` (unless it holds no buffer at
    /// all, before a first step), and returns copies of them in that order.
    fn buffers_of<const B: usize>(
        &self,
        kind: &str,
        names: [&str; B],
    ) -> Result<[Vec<f64>; B], Error> {
        let refuse = |reason: String| Error::OptimizerKind {
            expected: kind.to_owned(),
            reason,
        };
        if self.kind != kind {
            return Err(refuse(format!("the state is of `{}`", self.kind)));
        }
        let mut out = [const { Vec::new() }; B];
        if self.buffers.is_empty() {
            return Ok(out);
        }
        for (o, name) in out.iter_mut().zip(names) {
            *o = self
                .buffer(name)
                .ok_or_else(|| refuse(format!("the state has no buffer `{name}`")))?
                .to_vec();
        }
        Ok(out)
    }
}

/// Scales `grad` in place so that its Euclidean norm is at most `max_norm`, as PyTorch's
/// `clip_grad_norm_` does for all parameters at once, and returns the norm before clipping.
///
/// ```text
/// norm = sqrt(sum_i grad_i^2)        grad = grad * min(1, max_norm / (norm + 1e-6))
/// ```
///
/// A non-finite norm leaves `grad` as it is (the step that follows is then refused by the
/// optimizer's caller or diverges visibly, rather than being silently zeroed).
/// # Examples
/// ```
/// let mut grad = [3.0f32, 4.0];
/// let norm = cnn::optim::clip_grad_norm(&mut grad, 1.0);
/// assert_eq!(norm, 5.0);
/// assert!((grad[0] - 0.6).abs() < 1e-6 && (grad[1] - 0.8).abs() < 1e-6);
/// ```
pub fn clip_grad_norm<T: Float>(grad: &mut [T], max_norm: f64) -> f64 {
    let norm = grad_norm(grad);
    let scale = max_norm / (norm + 1e-6);
    if norm.is_finite() && scale < 1.0 {
        let s = T::from_f64(scale);
        grad.iter_mut().for_each(|g| *g *= s);
    }
    norm
}

/// The Euclidean norm of `grad`, summed in `f64`.
fn grad_norm<T: Float>(grad: &[T]) -> f64 {
    grad.iter()
        .map(|g| {
            let g = g.to_f64();
            g * g
        })
        .sum::<f64>()
        .sqrt()
}

/// An optimizer whose gradients are first clipped to a global norm (see [`clip_grad_norm`]);
/// what [`Trainer::clip_grad_norm`](crate::Trainer::clip_grad_norm) uses. Its learning rate and
/// state are the inner optimizer's.
/// # Examples
/// ```
/// use cnn::optim::{ClipGradNorm, Optimizer, Sgd};
/// let mut sgd = Sgd::new(1.0);
/// let mut clipped = ClipGradNorm::new(&mut sgd, 0.5);
/// let mut p = [0.0f64, 0.0];
/// clipped.step(&mut p, &[3.0, 4.0])?;
/// assert!((p[0] + 0.3).abs() < 1e-6 && (p[1] + 0.4).abs() < 1e-6);
/// assert_eq!(clipped.last_norm(), Some(5.0));
/// # Ok::<(), cnn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClipGradNorm<O> {
    inner: O,
    max_norm: f64,
    last_norm: Option<f64>,
}

impl<O: Optimizer> ClipGradNorm<O> {
    /// `inner`, with gradients clipped to norm `max_norm`.
    ///
    /// # Panics
    /// If `max_norm` is not positive and finite.
    pub fn new(inner: O, max_norm: f64) -> Self {
        assert!(
            max_norm > 0.0 && max_norm.is_finite(),
            "the gradient norm limit is {max_norm}, but it must be positive and finite"
        );
        ClipGradNorm {
            inner,
            max_norm,
            last_norm: None,
        }
    }

    /// `inner`, clipped to `max_norm` if given (never, for `None`).
    pub(crate) fn maybe(inner: O, max_norm: Option<f64>) -> Self {
        ClipGradNorm {
            inner,
            max_norm: max_norm.unwrap_or(f64::INFINITY),
            last_norm: None,
        }
    }

    /// The gradient's norm before clipping, at the last step (none before the first).
    pub fn last_norm(&self) -> Option<f64> {
        self.last_norm
    }

    /// The inner optimizer.
    pub fn into_inner(self) -> O {
        self.inner
    }
}

impl<O: Optimizer> Optimizer for ClipGradNorm<O> {
    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error> {
        if self.max_norm == f64::INFINITY {
            // No limit (a `Trainer` without `clip_grad_norm`): nothing to measure.
            return self.inner.step(params, grad);
        }
        let norm = grad_norm(grad);
        self.last_norm = Some(norm);
        if norm.is_finite() && self.max_norm / (norm + 1e-6) < 1.0 {
            // A copy only when the gradient is clipped: the caller's is borrowed immutably.
            let mut clipped = grad.to_vec();
            clip_grad_norm(&mut clipped, self.max_norm);
            return self.inner.step(params, &clipped);
        }
        self.inner.step(params, grad)
    }
    fn lr(&self) -> f64 {
        self.inner.lr()
    }
    fn set_lr(&mut self, lr: f64) {
        self.inner.set_lr(lr);
    }
    fn state(&self) -> OptimizerState {
        self.inner.state()
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        self.inner.set_state(state)
    }
}

fn check_lengths<S: Clone + Default>(
    state: &mut Vec<S>,
    params: usize,
    grad: usize,
) -> Result<(), Error> {
    if grad != params {
        return Err(Error::Shape {
            what: "gradient",
            expected: [params].into(),
            given: [grad].into(),
        });
    }
    if state.is_empty() {
        state.resize(params, S::default());
    } else if state.len() != params {
        return Err(Error::OptimizerState {
            expected: state.len(),
            given: params,
        });
    }
    Ok(())
}

/// Stochastic gradient descent, with PyTorch's momentum, Nesterov momentum and (coupled) weight
/// decay.
///
/// ```text
/// g = grad + weight_decay * p
/// v = momentum * v + g                       (when momentum > 0)
/// g = g + momentum * v  (Nesterov)   or   g = v
/// p = p - lr * g
/// ```
///
/// # Examples
/// ```
/// use cnn::optim::{Optimizer, Sgd};
/// let mut sgd = Sgd::new(0.1).momentum(0.9);
/// let mut p = [1.0f32, 2.0];
/// sgd.step(&mut p, &[0.5, -1.0])?;
/// assert_eq!(p, [0.95, 2.1]);
/// # Ok::<(), cnn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
    velocity: Vec<f64>,
    steps: u64,
}

impl Sgd {
    /// Plain SGD with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            velocity: Vec::new(),
            steps: 0,
        }
    }

    /// With momentum `m` (PyTorch's form, no dampening).
    pub fn momentum(mut self, m: f64) -> Self {
        self.momentum = m;
        self
    }

    /// With Nesterov momentum `m`.
    pub fn nesterov(mut self, m: f64) -> Self {
        self.momentum = m;
        self.nesterov = true;
        self
    }

    /// With L2 weight decay `wd`, added to the gradient.
    pub fn weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate, as a [schedule](crate::train::schedule) does.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl Optimizer for Sgd {
    fn lr(&self) -> f64 {
        Sgd::lr(self)
    }
    fn set_lr(&mut self, lr: f64) {
        Sgd::set_lr(self, lr);
    }
    fn state(&self) -> OptimizerState {
        let buffers = if self.velocity.is_empty() {
            Vec::new()
        } else {
            vec![("momentum_buffer".to_owned(), self.velocity.clone())]
        };
        OptimizerState {
            kind: "Sgd".to_owned(),
            steps: self.steps,
            buffers,
        }
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        let [velocity] = state.buffers_of("Sgd", ["momentum_buffer"])?;
        self.velocity = velocity;
        self.steps = state.steps;
        Ok(())
    }

    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error> {
        let (lr, weight_decay) = (self.lr, self.weight_decay);
        if self.momentum == 0.0 {
            // No state: slices of `()`, which take no memory.
            let (mut a, mut b) = (vec![(); params.len()], vec![(); params.len()]);
            check_lengths(&mut a, params.len(), grad.len())?;
            elementwise(params, grad, &mut a, &mut b, |p, g, (), ()| {
                let g = g.to_f64() + weight_decay * p.to_f64();
                *p = T::from_f64(p.to_f64() - lr * g);
            });
            self.steps += 1;
            return Ok(());
        }
        check_lengths(&mut self.velocity, params.len(), grad.len())?;
        let (momentum, nesterov) = (self.momentum, self.nesterov);
        let mut none = vec![(); params.len()];
        elementwise(
            params,
            grad,
            &mut self.velocity,
            &mut none,
            |p, g, v, ()| {
                let g = g.to_f64() + weight_decay * p.to_f64();
                *v = momentum * *v + g;
                let step = if nesterov { g + momentum * *v } else { *v };
                *p = T::from_f64(p.to_f64() - lr * step);
            },
        );
        self.steps += 1;
        Ok(())
    }
}

/// Adam (Kingma and Ba), with either L2 weight decay added to the gradient (PyTorch's `Adam`)
/// or decoupled weight decay (PyTorch's `AdamW`).
///
/// ```text
/// g = grad (+ weight_decay * p, coupled)
/// m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
/// p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)   (- lr * wd * p, decoupled)
/// ```
/// # Examples
/// ```
/// use cnn::optim::{Adam, Optimizer};
/// let mut adam = Adam::new(0.1).betas(0.9, 0.999);
/// let mut p = [1.0f32];
/// adam.step(&mut p, &[4.0])?;
/// // Adam's first step moves by about the learning rate, whatever the gradient's scale.
/// assert!((p[0] - 0.9).abs() < 1e-6);
/// adam.set_lr(adam.lr() / 10.0);
/// # Ok::<(), cnn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    t: i32,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    /// Adam with learning rate `lr`, betas (0.9, 0.999) and eps 1e-8, as PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// With other betas.
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// With another epsilon.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// With L2 weight decay added to the gradient (PyTorch's `Adam(weight_decay=...)`).
    pub fn weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self.decoupled = false;
        self
    }

    /// With decoupled weight decay (PyTorch's `AdamW(weight_decay=...)`).
    pub fn decoupled_weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self.decoupled = true;
        self
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate, as a [schedule](crate::train::schedule) does.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl Optimizer for Adam {
    fn lr(&self) -> f64 {
        Adam::lr(self)
    }
    fn set_lr(&mut self, lr: f64) {
        Adam::set_lr(self, lr);
    }
    fn state(&self) -> OptimizerState {
        let buffers = if self.m.is_empty() {
            Vec::new()
        } else {
            vec![
                ("exp_avg".to_owned(), self.m.clone()),
                ("exp_avg_sq".to_owned(), self.v.clone()),
            ]
        };
        OptimizerState {
            kind: "Adam".to_owned(),
            steps: u64::from(self.t.unsigned_abs()),
            buffers,
        }
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        let [m, v] = state.buffers_of("Adam", ["exp_avg", "exp_avg_sq"])?;
        let t = i32::try_from(state.steps).map_err(|_| Error::OptimizerKind {
            expected: "Adam".to_owned(),
            reason: format!(
                "the state counts {} steps, beyond Adam's i32 exponent",
                state.steps
            ),
        })?;
        if m.len() != v.len() {
            return Err(Error::OptimizerKind {
                expected: "Adam".to_owned(),
                reason: format!("its buffers have {} and {} values", m.len(), v.len()),
            });
        }
        (self.m, self.v, self.t) = (m, v, t);
        Ok(())
    }

    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error> {
        check_lengths(&mut self.m, params.len(), grad.len())?;
        check_lengths(&mut self.v, params.len(), grad.len())?;
        self.t += 1;
        // PyTorch's arrangement: the step size `lr / c1` and `sqrt(c2)` once per step, so
        // that each parameter takes one square root and two divisions.
        let c1 = 1.0 - self.beta1.powi(self.t);
        let c2 = 1.0 - self.beta2.powi(self.t);
        let (step_size, c2_sqrt) = (self.lr / c1, c2.sqrt());
        let (beta1, beta2, eps) = (self.beta1, self.beta2, self.eps);
        let (lr, weight_decay, decoupled) = (self.lr, self.weight_decay, self.decoupled);
        elementwise(params, grad, &mut self.m, &mut self.v, |p, g, m, v| {
            let mut pf = p.to_f64();
            let mut g = g.to_f64();
            if decoupled {
                pf -= lr * weight_decay * pf;
            } else {
                g += weight_decay * pf;
            }
            *m = beta1 * *m + (1.0 - beta1) * g;
            *v = beta2 * *v + (1.0 - beta2) * g * g;
            pf -= step_size * (*m / ((*v).sqrt() / c2_sqrt + eps));
            *p = T::from_f64(pf);
        });
        Ok(())
    }
}

/// Parameters per piece of [`elementwise`]: large enough that a thread's share outweighs
/// handing it out.
const PIECE: usize = 1 << 14;

/// `update(p, g, a, b)` on every parameter with its gradient and two values of state (`()`
/// where an optimizer keeps less), in pieces across the threads of the current rayon pool,
/// each with the best instruction set there is (the loop is compiled inside
/// [`Float::dispatch`]'s AVX2 function, where LLVM vectorizes it with 256-bit vectors; Rust
/// contracts no multiply and add into an FMA, so the arithmetic is the same). Each parameter's
/// update depends on its own values only, so the result does not depend on the pieces. The two
/// values are two slices, not one of pairs: over `[m, v]` pairs, a step of Adam took longer in
/// each of three alternated runs of a timing loop.
fn elementwise<T: Float, A: Send, B: Send>(
    params: &mut [T],
    grad: &[T],
    a: &mut [A],
    b: &mut [B],
    update: impl Fn(&mut T, T, &mut A, &mut B) + Sync,
) {
    use rayon::prelude::*;

    struct Piece<'a, T, A, B, F> {
        params: &'a mut [T],
        grad: &'a [T],
        a: &'a mut [A],
        b: &'a mut [B],
        update: &'a F,
    }
    impl<T: Float, A, B, F: Fn(&mut T, T, &mut A, &mut B)> crate::simd::WithSimd<T>
        for Piece<'_, T, A, B, F>
    {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: crate::simd::Lanes<T>>(self, _: S) {
            let values = self.a.iter_mut().zip(self.b.iter_mut());
            for ((p, &g), (a, b)) in self.params.iter_mut().zip(self.grad).zip(values) {
                (self.update)(p, g, a, b);
            }
        }
    }

    params
        .par_chunks_mut(PIECE)
        .zip(grad.par_chunks(PIECE))
        .zip(a.par_chunks_mut(PIECE).zip(b.par_chunks_mut(PIECE)))
        .for_each(|((params, grad), (a, b))| {
            T::dispatch(Piece {
                params,
                grad,
                a,
                b,
                update: &update,
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn sgd_momentum_by_hand() {
        // v1 = 0.5, p1 = 1 - 0.1*0.5 = 0.95; v2 = 0.9*0.5 + 0.5 = 0.95, p2 = 0.95 - 0.095 = 0.855
        let mut sgd = Sgd::new(0.1).momentum(0.9);
        let mut p = [1.0f64];
        sgd.step(&mut p, &[0.5]).unwrap();
        assert_relative_eq!(p[0], 0.95);
        sgd.step(&mut p, &[0.5]).unwrap();
        assert_relative_eq!(p[0], 0.855);
    }

    #[test]
    fn sgd_nesterov_and_weight_decay_by_hand() {
        // g = 0.5 + 0.1*2 = 0.7; v = 0.7; step = 0.7 + 0.9*0.7 = 1.33; p = 2 - 0.133 = 1.867
        let mut sgd = Sgd::new(0.1).nesterov(0.9).weight_decay(0.1);
        let mut p = [2.0f64];
        sgd.step(&mut p, &[0.5]).unwrap();
        assert_relative_eq!(p[0], 1.867);
    }

    /// Across threads and pieces, each parameter is updated as if it were alone: an update of
    /// three pieces and a half gives the bits of one Adam per parameter.
    #[test]
    fn adam_in_pieces_matches_one_parameter_at_a_time() {
        let n = 3 * PIECE + PIECE / 2;
        let params: Vec<f32> = (0..n)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let grad: Vec<f32> = (0..n)
            .map(|i| ((i * 53) % 97) as f32 / 40.0 - 1.2)
            .collect();
        let mut all = params.clone();
        let mut adam = Adam::new(0.01).weight_decay(0.1);
        for _ in 0..3 {
            adam.step(&mut all, &grad).unwrap();
        }
        for k in (0..n).step_by(997).chain([PIECE - 1, PIECE, n - 1]) {
            let mut one = [params[k]];
            let mut alone = Adam::new(0.01).weight_decay(0.1);
            for _ in 0..3 {
                alone.step(&mut one, &grad[k..=k]).unwrap();
            }
            assert_eq!(one[0].to_bits(), all[k].to_bits(), "parameter {k}");
        }
    }

    #[test]
    fn adam_first_step_moves_by_lr() {
        // After one step the bias-corrected m/sqrt(v) is sign(g) (up to eps).
        let mut adam = Adam::new(0.01);
        let mut p = [1.0f64, 1.0];
        adam.step(&mut p, &[0.3, -2.0]).unwrap();
        assert_relative_eq!(p[0], 0.99, epsilon = 1e-9);
        assert_relative_eq!(p[1], 1.01, epsilon = 1e-9);
    }

    #[test]
    fn adamw_decays_decoupled() {
        // p = 1 - 0.1*0.5*1 = 0.95, then - 0.1 * sign(g)
        let mut adam = Adam::new(0.1).decoupled_weight_decay(0.5);
        let mut p = [1.0f64];
        adam.step(&mut p, &[1.0]).unwrap();
        assert_relative_eq!(p[0], 0.85, epsilon = 1e-9);
    }

    #[test]
    fn a_restored_state_steps_as_the_original() {
        let grads = [[0.5, -1.0], [0.25, 0.75], [-0.5, 0.125]];
        let run = |opt: &mut dyn FnMut(&mut [f64], &[f64]), p: &mut [f64; 2]| {
            grads.iter().for_each(|g| opt(p, g));
        };
        let mut sgd = Sgd::new(0.1).momentum(0.9);
        let mut adam = Adam::new(0.01);
        let (mut ps, mut pa) = ([1.0, 2.0], [1.0, 2.0]);
        run(&mut |p, g| sgd.step(p, g).unwrap(), &mut ps);
        run(&mut |p, g| adam.step(p, g).unwrap(), &mut pa);
        let (mut sgd2, mut adam2) = (Sgd::new(0.1).momentum(0.9), Adam::new(0.01));
        sgd2.set_state(&sgd.state()).unwrap();
        adam2.set_state(&adam.state()).unwrap();
        assert_eq!((sgd2.state(), adam2.state()), (sgd.state(), adam.state()));
        assert_eq!(adam2.state().steps, 3);
        let (mut qs, mut qa) = (ps, pa);
        sgd.step(&mut ps, &[0.3, 0.3]).unwrap();
        sgd2.step(&mut qs, &[0.3, 0.3]).unwrap();
        adam.step(&mut pa, &[0.3, 0.3]).unwrap();
        adam2.step(&mut qa, &[0.3, 0.3]).unwrap();
        assert_eq!((ps, pa), (qs, qa));
    }

    #[test]
    fn a_state_of_another_kind_is_refused() {
        let mut adam = Adam::new(0.01);
        adam.step(&mut [1.0f32], &[1.0]).unwrap();
        let mut sgd = Sgd::new(0.1).momentum(0.9);
        let err = sgd.set_state(&adam.state()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the optimizer state does not fit `Sgd`: the state is of `Adam`"
        );
        let mut partial = adam.state();
        partial.buffers.pop();
        let err = Adam::new(0.01).set_state(&partial).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the optimizer state does not fit `Adam`: the state has no buffer `exp_avg_sq`"
        );
    }

    #[test]
    fn clipping_scales_to_the_norm_and_leaves_small_gradients() {
        let mut g = [3.0f64, 4.0];
        assert_eq!(clip_grad_norm(&mut g, 10.0), 5.0);
        assert_eq!(g, [3.0, 4.0]);
        clip_grad_norm(&mut g, 1.0);
        assert_relative_eq!(grad_norm(&g), 1.0, max_relative = 1e-6);
        let mut sgd = Sgd::new(1.0);
        let mut clipped = ClipGradNorm::new(&mut sgd, 1.0);
        clipped.set_lr(0.5);
        let mut p = [0.0f64, 0.0];
        clipped.step(&mut p, &[0.3, 0.4]).unwrap();
        assert_eq!(p, [-0.15, -0.2]);
        assert_eq!(sgd.lr(), 0.5);
    }

    #[test]
    fn a_different_parameter_count_is_an_error() {
        let mut sgd = Sgd::new(0.1).momentum(0.9);
        sgd.step(&mut [1.0f32, 2.0], &[0.0, 0.0]).unwrap();
        let mut p = [1.0f32];
        assert!(matches!(
            sgd.step(&mut p, &[1.0]),
            Err(Error::OptimizerState {
                expected: 2,
                given: 1
            })
        ));
        assert_eq!(p, [1.0]);
        assert!(Sgd::new(0.1).step(&mut p, &[1.0, 2.0]).is_err());
    }
}
