//! Learning-rate schedules: the learning rate as a function of the step (or epoch) count, given
//! to a [`Trainer`](crate::Trainer) with [`Trainer::schedule`](crate::Trainer::schedule), or
//! called by hand in a loop of one's own with any [`Optimizer`](crate::optim::Optimizer).
//!
//! A schedule says what it counts ([`Schedule::unit`]): steps (the learning rate changes
//! before every step) or epochs (it changes before the first step of each epoch). `t` is
//! 0-based: `lr(0)` is the rate of the first step or epoch. The names and formulas are
//! PyTorch's (`torch.optim.lr_scheduler`), so are the defaults.
//!
//! ```
//! use cnn::ndarray::{Array2, Array4};
//! use cnn::prelude::*;
//!
//! network! {
//!     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(2) }
//! }
//!
//! // A hand-written loop: set the rate before each step.
//! let schedule = WarmupCosineLr::new(0.1, 2, 10);
//! let (x, y) = (Array4::<f32>::zeros((4, 1, 4, 4)), Array2::<f32>::ones((4, 2)));
//! let mut net = Tiny::new(0);
//! let mut sgd = Sgd::new(0.0).momentum(0.9);
//! for step in 0..10 {
//!     sgd.set_lr(schedule.lr(step));
//!     net.train_step(x.view(), y.view(), &SoftmaxCrossEntropy, &mut sgd)?;
//! }
//! assert_eq!(schedule.lr(1), 0.1); // the peak, after two steps of warm-up
//! # Ok::<(), cnn::Error>(())
//! ```

use std::f64::consts::PI;
use std::fmt;

/// What a schedule's `t` counts.
/// # Examples
/// ```
/// use cnn::train::schedule::{Schedule, StepLr, Unit};
/// assert_eq!(StepLr::new(0.1, 10, 0.5).unit(), Unit::Epochs);
/// assert_eq!(StepLr::new(0.1, 10, 0.5).per_step().unit(), Unit::Steps);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Optimizer steps (batches), counted over the whole run.
    Steps,
    /// Epochs: the rate is the same for every step of an epoch.
    Epochs,
}

/// A learning rate for each step or epoch `t` (0-based).
///
/// Implement it for a schedule of one's own; a schedule is a pure function of `t`, so a
/// resumed run finds its place from the step count alone.
/// # Examples
/// ```
/// use cnn::train::schedule::{Schedule, Unit};
///
/// /// Halves the rate every epoch, never below 1e-4.
/// #[derive(Debug)]
/// struct Halving;
///
/// impl Schedule for Halving {
///     fn lr(&self, epoch: usize) -> f64 {
///         (0.1 * 0.5f64.powi(epoch as i32)).max(1e-4)
///     }
///     fn unit(&self) -> Unit {
///         Unit::Epochs
///     }
/// }
///
/// assert_eq!(Halving.lr(2), 0.025);
/// ```
pub trait Schedule: fmt::Debug + Send + Sync {
    /// The learning rate at `t`, counted from 0 in [`Schedule::unit`]s.
    fn lr(&self, t: usize) -> f64;

    /// What `t` counts: [`Unit::Steps`] unless the schedule says otherwise.
    fn unit(&self) -> Unit {
        Unit::Steps
    }
}

/// Checks a schedule's setting: `what` is `value`, and it must satisfy `ok`.
fn require(ok: bool, what: &str, value: f64, rule: &str) {
    assert!(ok, "the {what} is {value}, but it must be {rule}");
}

fn require_rate(lr: f64) {
    require(
        lr.is_finite() && lr >= 0.0,
        "learning rate",
        lr,
        "finite and not negative",
    );
}

/// The same rate throughout.
///
/// ```text
/// lr(t) = lr
/// ```
/// # Examples
/// ```
/// use cnn::train::schedule::{ConstantLr, Schedule};
/// assert_eq!(ConstantLr::new(0.01).lr(1_000), 0.01);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConstantLr {
    lr: f64,
}

impl ConstantLr {
    /// `lr` at every step.
    ///
    /// # Panics
    /// If `lr` is negative or not finite.
    pub fn new(lr: f64) -> Self {
        require_rate(lr);
        ConstantLr { lr }
    }
}

impl Schedule for ConstantLr {
    fn lr(&self, _: usize) -> f64 {
        self.lr
    }
}

/// Multiplies the rate by `gamma` every `step_size` epochs (PyTorch's `StepLR`); per step with
/// [`StepLr::per_step`].
///
/// ```text
/// lr(t) = lr * gamma^floor(t / step_size)
/// ```
/// # Examples
/// ```
/// use cnn::train::schedule::{Schedule, StepLr};
/// let s = StepLr::new(0.1, 10, 0.5);
/// assert_eq!((s.lr(9), s.lr(10), s.lr(25)), (0.1, 0.05, 0.025));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepLr {
    lr: f64,
    step_size: usize,
    gamma: f64,
    unit: Unit,
}

impl StepLr {
    /// `lr`, multiplied by `gamma` every `step_size` epochs.
    ///
    /// # Panics
    /// If `lr` or `gamma` is negative or not finite, or `step_size` is 0.
    pub fn new(lr: f64, step_size: usize, gamma: f64) -> Self {
        require_rate(lr);
        require_gamma(gamma);
        require(step_size > 0, "step size", step_size as f64, "at least 1");
        StepLr {
            lr,
            step_size,
            gamma,
            unit: Unit::Epochs,
        }
    }

    /// Counts steps instead of epochs.
    pub fn per_step(mut self) -> Self {
        self.unit = Unit::Steps;
        self
    }
}

fn require_gamma(gamma: f64) {
    require(
        gamma.is_finite() && gamma >= 0.0,
        "decay factor",
        gamma,
        "finite and not negative",
    );
}

/// `base * gamma^k`, `k` as a power of a float: exact for the small `k` of a schedule.
fn decayed(base: f64, gamma: f64, k: usize) -> f64 {
    base * gamma.powi(i32::try_from(k).unwrap_or(i32::MAX))
}

impl Schedule for StepLr {
    fn lr(&self, t: usize) -> f64 {
        decayed(self.lr, self.gamma, t / self.step_size)
    }
    fn unit(&self) -> Unit {
        self.unit
    }
}

/// Multiplies the rate by `gamma` at each milestone epoch (PyTorch's `MultiStepLR`); per step
/// with [`MultiStepLr::per_step`].
///
/// ```text
/// lr(t) = lr * gamma^(number of milestones <= t)
/// ```
/// # Examples
/// ```
/// use cnn::train::schedule::{MultiStepLr, Schedule};
/// let s = MultiStepLr::new(1.0, [10, 20], 0.1);
/// assert_eq!((s.lr(9), s.lr(10), s.lr(20)), (1.0, 0.1, 0.1 * 0.1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MultiStepLr {
    lr: f64,
    milestones: Vec<usize>,
    gamma: f64,
    unit: Unit,
}

impl MultiStepLr {
    /// `lr`, multiplied by `gamma` at each of `milestones` (epochs, in any order).
    ///
    /// # Panics
    /// If `lr` or `gamma` is negative or not finite.
    pub fn new(lr: f64, milestones: impl Into<Vec<usize>>, gamma: f64) -> Self {
        require_rate(lr);
        require_gamma(gamma);
        let mut milestones = milestones.into();
        milestones.sort_unstable();
        MultiStepLr {
            lr,
            milestones,
            gamma,
            unit: Unit::Epochs,
        }
    }

    /// Counts steps instead of epochs.
    pub fn per_step(mut self) -> Self {
        self.unit = Unit::Steps;
        self
    }
}

impl Schedule for MultiStepLr {
    fn lr(&self, t: usize) -> f64 {
        let passed = self.milestones.partition_point(|&m| m <= t);
        decayed(self.lr, self.gamma, passed)
    }
    fn unit(&self) -> Unit {
        self.unit
    }
}

/// Multiplies the rate by `gamma` every epoch (PyTorch's `ExponentialLR`); per step with
/// [`ExponentialLr::per_step`].
///
/// ```text
/// lr(t) = lr * gamma^t
/// ```
/// # Examples
/// ```
/// use cnn::train::schedule::{ExponentialLr, Schedule};
/// let s = ExponentialLr::new(0.1, 0.5);
/// assert_eq!((s.lr(0), s.lr(3)), (0.1, 0.0125));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialLr {
    lr: f64,
    gamma: f64,
    unit: Unit,
}

impl ExponentialLr {
    /// `lr`, multiplied by `gamma` every epoch.
    ///
    /// # Panics
    /// If `lr` or `gamma` is negative or not finite.
    pub fn new(lr: f64, gamma: f64) -> Self {
        require_rate(lr);
        require_gamma(gamma);
        ExponentialLr {
            lr,
            gamma,
            unit: Unit::Epochs,
        }
    }

    /// Counts steps instead of epochs.
    pub fn per_step(mut self) -> Self {
        self.unit = Unit::Steps;
        self
    }
}

impl Schedule for ExponentialLr {
    fn lr(&self, t: usize) -> f64 {
        decayed(self.lr, self.gamma, t)
    }
    fn unit(&self) -> Unit {
        self.unit
    }
}

/// A linear warm-up to `peak` over `warmup` steps, then a cosine decay to `final_lr` (0 by
/// default) at step `total` (the schedule of most transformer and many CNN recipes; Keras'
/// `CosineDecay` with `warmup_steps`). After `total` the rate stays at `final_lr`. Per epoch
/// with [`WarmupCosineLr::per_epoch`].
///
/// ```text
/// t < warmup:   lr(t) = peak * (t + 1) / warmup
/// t >= warmup:  lr(t) = final + (peak - final) * (1 + cos(pi * p)) / 2,
///               p = min(1, (t - warmup) / (total - warmup))
/// ```
/// # Examples
/// ```
/// use cnn::train::schedule::{Schedule, WarmupCosineLr};
/// let s = WarmupCosineLr::new(0.1, 10, 110).final_lr(0.001);
/// assert_eq!((s.lr(0), s.lr(9)), (0.01, 0.1));
/// assert!((s.lr(60) - 0.0505).abs() < 1e-12); // halfway down
/// assert_eq!(s.lr(110), 0.001);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarmupCosineLr {
    peak: f64,
    warmup: usize,
    total: usize,
    final_lr: f64,
    unit: Unit,
}

impl WarmupCosineLr {
    /// Warm-up for `warmup` steps to `peak`, then a cosine decay ending at step `total`.
    ///
    /// # Panics
    /// If `peak` is negative or not finite, or `warmup > total`.
    pub fn new(peak: f64, warmup: usize, total: usize) -> Self {
        require_rate(peak);
        require(
            warmup <= total,
            "warm-up",
            warmup as f64,
            &format!("at most the total of {total}"),
        );
        WarmupCosineLr {
            peak,
            warmup,
            total,
            final_lr: 0.0,
            unit: Unit::Steps,
        }
    }

    /// The rate at the end of the decay, and after it.
    ///
    /// # Panics
    /// If `lr` is negative or not finite.
    pub fn final_lr(mut self, lr: f64) -> Self {
        require_rate(lr);
        self.final_lr = lr;
        self
    }

    /// Counts epochs instead of steps.
    pub fn per_epoch(mut self) -> Self {
        self.unit = Unit::Epochs;
        self
    }
}

impl Schedule for WarmupCosineLr {
    fn lr(&self, t: usize) -> f64 {
        if t < self.warmup {
            return self.peak * (t + 1) as f64 / self.warmup as f64;
        }
        let span = (self.total - self.warmup).max(1) as f64;
        let p = ((t - self.warmup) as f64 / span).min(1.0);
        cosine(self.peak, self.final_lr, p)
    }
    fn unit(&self) -> Unit {
        self.unit
    }
}

/// From `start` at `p = 0` to `end` at `p = 1` along half a cosine.
fn cosine(start: f64, end: f64, p: f64) -> f64 {
    end + (start - end) * (1.0 + (PI * p).cos()) / 2.0
}

/// The one-cycle policy (Smith and Topsakal 2018) as PyTorch's `OneCycleLR` with its defaults:
/// from `max_lr / div_factor` up to `max_lr` over the first `pct_start` of `total` steps, then
/// down to `max_lr / (div_factor * final_div_factor)` at the last step, both along half a
/// cosine. (PyTorch also cycles the momentum; this schedule sets the learning rate only.)
///
/// ```text
/// initial = max_lr / div_factor      min = initial / final_div_factor
/// up = pct_start * total - 1         down = total - 1
/// t <= up:  lr(t) = cos_anneal(initial, max_lr, t / up)
/// t >  up:  lr(t) = cos_anneal(max_lr, min, (t - up) / (down - up))   (min after the last step)
/// cos_anneal(a, b, p) = b + (a - b) (1 + cos(pi p)) / 2
/// ```
/// # Examples
/// ```
/// use cnn::train::schedule::{OneCycleLr, Schedule};
/// let s = OneCycleLr::new(0.1, 100);
/// assert!((s.lr(0) - 0.004).abs() < 1e-15); // max_lr / 25
/// assert!((s.lr(29) - 0.1).abs() < 1e-15); // the peak, after 30% of the steps
/// assert!((s.lr(99) - 0.1 / 25.0 / 1e4).abs() < 1e-18);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneCycleLr {
    max_lr: f64,
    total: usize,
    pct_start: f64,
    div_factor: f64,
    final_div_factor: f64,
}

impl OneCycleLr {
    /// One cycle of `total` steps peaking at `max_lr`; `pct_start` 0.3, `div_factor` 25 and
    /// `final_div_factor` 1e4, as PyTorch's defaults.
    ///
    /// # Panics
    /// If `max_lr` is negative or not finite, or `total` is 0.
    pub fn new(max_lr: f64, total: usize) -> Self {
        require_rate(max_lr);
        require(total > 0, "number of steps", 0.0, "at least 1");
        OneCycleLr {
            max_lr,
            total,
            pct_start: 0.3,
            div_factor: 25.0,
            final_div_factor: 1e4,
        }
    }

    /// The fraction of the steps spent raising the rate.
    ///
    /// # Panics
    /// If `pct` is not in `[0, 1]`.
    pub fn pct_start(mut self, pct: f64) -> Self {
        require(
            (0.0..=1.0).contains(&pct),
            "warm-up fraction",
            pct,
            "in [0, 1]",
        );
        self.pct_start = pct;
        self
    }

    /// The start is `max_lr / div_factor`, the end `max_lr / (div_factor * final_div_factor)`.
    ///
    /// # Panics
    /// If either factor is not positive and finite.
    pub fn div_factors(mut self, div_factor: f64, final_div_factor: f64) -> Self {
        for f in [div_factor, final_div_factor] {
            require(
                f > 0.0 && f.is_finite(),
                "division factor",
                f,
                "positive and finite",
            );
        }
        self.div_factor = div_factor;
        self.final_div_factor = final_div_factor;
        self
    }
}

impl Schedule for OneCycleLr {
    fn lr(&self, t: usize) -> f64 {
        let initial = self.max_lr / self.div_factor;
        let min = initial / self.final_div_factor;
        let up = self.pct_start * self.total as f64 - 1.0;
        let down = self.total as f64 - 1.0;
        let t = t as f64;
        if t >= down {
            return min;
        }
        if t <= up {
            return cosine(initial, self.max_lr, if up > 0.0 { t / up } else { 1.0 });
        }
        cosine(self.max_lr, min, (t - up) / (down - up))
    }
}

/// The rate at step `step` (0-based) of epoch `epoch` (0-based), whichever the schedule counts.
pub(crate) fn lr_at(schedule: &dyn Schedule, epoch: usize, step: usize) -> f64 {
    match schedule.unit() {
        Unit::Steps => schedule.lr(step),
        Unit::Epochs => schedule.lr(epoch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn step_schedules_by_hand() {
        let s = StepLr::new(1.0, 3, 0.5);
        let rates: Vec<f64> = (0..7).map(|t| s.lr(t)).collect();
        assert_eq!(rates, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
        let m = MultiStepLr::new(1.0, vec![5, 2], 0.1);
        assert_eq!([m.lr(1), m.lr(2), m.lr(4)], [1.0, 0.1, 0.1]);
        assert_relative_eq!(m.lr(5), 0.01, max_relative = 1e-15);
        assert_eq!(ExponentialLr::new(2.0, 0.5).lr(4), 0.125);
        assert_eq!(lr_at(&s, 3, 0), 0.5);
        assert_eq!(lr_at(&s.per_step(), 3, 0), 1.0);
    }

    #[test]
    fn warmup_cosine_rises_linearly_then_falls_along_a_cosine() {
        let s = WarmupCosineLr::new(1.0, 4, 14);
        let up: Vec<f64> = (0..4).map(|t| s.lr(t)).collect();
        assert_eq!(up, [0.25, 0.5, 0.75, 1.0]);
        assert_eq!(s.lr(4), 1.0);
        assert_relative_eq!(s.lr(9), 0.5, max_relative = 1e-12);
        assert_eq!((s.lr(14), s.lr(100)), (0.0, 0.0));
        // Monotone down after the warm-up.
        assert!((4..14).all(|t| s.lr(t + 1) <= s.lr(t)));
        // No warm-up: the peak at step 0.
        assert_eq!(WarmupCosineLr::new(0.3, 0, 10).lr(0), 0.3);
    }

    #[test]
    fn one_cycle_matches_pytorch_formulas() {
        // torch.optim.lr_scheduler.OneCycleLR(max_lr=1.0, total_steps=10): the peak at step
        // 0.3 * 10 - 1 = 2, the rates before it cos-annealed from 0.04.
        let s = OneCycleLr::new(1.0, 10);
        assert_relative_eq!(s.lr(0), 0.04, max_relative = 1e-15);
        assert_relative_eq!(s.lr(1), 0.04 + 0.96 * 0.5, max_relative = 1e-12);
        assert_relative_eq!(s.lr(2), 1.0, max_relative = 1e-15);
        let min = 0.04 / 1e4;
        let p = (5.0 - 2.0) / 7.0;
        assert_relative_eq!(
            s.lr(5),
            min + (1.0 - min) * (1.0 + (PI * p).cos()) / 2.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(s.lr(9), min, max_relative = 1e-12);
        assert!((2..9).all(|t| s.lr(t + 1) < s.lr(t)));
        let one = OneCycleLr::new(1.0, 1);
        assert!(one.lr(0).is_finite());
    }

    #[test]
    #[should_panic(expected = "the step size is 0, but it must be at least 1")]
    fn a_zero_step_size_panics() {
        let _ = StepLr::new(0.1, 0, 0.5);
    }
}
