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
}

fn check_lengths(state: &mut Vec<f64>, params: usize, grad: usize) -> Result<(), Error> {
    if grad != params {
        return Err(Error::Shape {
            what: "gradient",
            expected: [params].into(),
            given: [grad].into(),
        });
    }
    if state.is_empty() {
        state.resize(params, 0.0);
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

    /// Changes the learning rate, for a schedule.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl Optimizer for Sgd {
    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error> {
        if self.momentum == 0.0 {
            if grad.len() != params.len() {
                return check_lengths(&mut Vec::new(), params.len(), grad.len());
            }
            for (p, &g) in params.iter_mut().zip(grad) {
                let g = g.to_f64() + self.weight_decay * p.to_f64();
                *p = T::from_f64(p.to_f64() - self.lr * g);
            }
            return Ok(());
        }
        check_lengths(&mut self.velocity, params.len(), grad.len())?;
        for ((p, &g), v) in params.iter_mut().zip(grad).zip(&mut self.velocity) {
            let g = g.to_f64() + self.weight_decay * p.to_f64();
            *v = self.momentum * *v + g;
            let step = if self.nesterov {
                g + self.momentum * *v
            } else {
                *v
            };
            *p = T::from_f64(p.to_f64() - self.lr * step);
        }
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

    /// Changes the learning rate, for a schedule.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl Optimizer for Adam {
    fn step<T: Float>(&mut self, params: &mut [T], grad: &[T]) -> Result<(), Error> {
        check_lengths(&mut self.m, params.len(), grad.len())?;
        check_lengths(&mut self.v, params.len(), grad.len())?;
        self.t += 1;
        let c1 = 1.0 - self.beta1.powi(self.t);
        let c2 = 1.0 - self.beta2.powi(self.t);
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(grad)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            let mut pf = p.to_f64();
            let mut g = g.to_f64();
            if self.decoupled {
                pf -= self.lr * self.weight_decay * pf;
            } else {
                g += self.weight_decay * pf;
            }
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            pf -= self.lr * (*m / c1) / ((*v / c2).sqrt() + self.eps);
            *p = T::from_f64(pf);
        }
        Ok(())
    }
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
