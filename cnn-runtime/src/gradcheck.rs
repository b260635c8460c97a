//! A finite-difference check of a network's gradients, like `torch.autograd.gradcheck`: run it
//! on the `f64` instance of your network.
//!
//! ```
//! use cnn::gradcheck::check_gradients;
//! use cnn::ndarray::{Array2, Array4};
//! use cnn::prelude::*;
//!
//! network! {
//!     struct Tiny { input(4x4) -> conv(2, 2x2) -> tanh -> dense(1) -> sigmoid }
//! }
//!
//! let net = Tiny::<f64>::new(1);
//! let x = Array4::from_shape_fn((2, 1, 4, 4), |(n, _, i, j)| (n + i * 4 + j) as f64 / 20.0);
//! let y = Array2::from_elem((2, 1), 0.25);
//! let report = check_gradients(&net, x.view(), y.view(), &HalfSquaredError, 1e-5, 1e-4)?;
//! assert_eq!(report.checked, Tiny::PARAM_LEN + Tiny::INPUT_LEN);
//! assert!(report.max_relative_error < 1e-6 && report.max_absolute_error < 1e-10);
//! # Ok::<(), cnn::Error>(())
//! ```

use ndarray::{ArrayView2, ArrayView4};

use crate::loss::Loss;
use crate::{Error, Network, Tensor};

/// The outcome of [`check_gradients`]: the worst disagreement between the analytic gradient
/// and central differences.
/// A failed check names the worst value: `worst` is `("param", k)` for `params()[k]` or
/// `("input", k)` for the `k`-th scalar of the first example; see [`check_gradients`] for an
/// example.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// The largest `|analytic - numeric| / max(|analytic|, |numeric|)` over the values whose
    /// gradient reaches `floor` in either form.
    pub max_relative_error: f64,
    /// The largest `|analytic - numeric|` over the values whose gradient is below `floor` in
    /// both forms, where a relative error would measure the differences' rounding noise.
    pub max_absolute_error: f64,
    /// Which value: `"param"` or `"input"`, and its flat index.
    pub worst: (&'static str, usize),
    /// The analytic and numeric gradient there.
    pub worst_values: (f64, f64),
    /// How many values were compared.
    pub checked: usize,
    /// How many of them by relative error (the rest by absolute error).
    pub checked_relatively: usize,
}

/// Compares the gradient of the mean loss with respect to every parameter (from
/// [`Network::loss_and_grad`]) and to every input scalar of the first example (from
/// [`Network::input_gradient`]) with fourth-order central differences of step `h`:
///
/// ```text
/// numeric = (L(v - 2h) - 8 L(v - h) + 8 L(v + h) - L(v + 2h)) / 12h
/// ```
///
/// Their truncation error is `O(h^4)`, so a step as large as `1e-4` is accurate, and their
/// rounding noise, about `1.5 eps |L| / h`, is small. Values whose gradients are below `floor`
/// in both forms are compared by absolute error instead (see [`GradCheck`]).
///
/// # Errors
/// As [`Network::loss_and_grad`].
/// # Examples
/// ```
/// use cnn::gradcheck::check_gradients;
/// use cnn::ndarray::{Array2, Array4};
/// use cnn::prelude::*;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 2x2) -> tanh -> dense(1) -> sigmoid }
/// }
///
/// let net = Tiny::<f64>::new(1);
/// let x = Array4::from_shape_fn((2, 1, 4, 4), |(n, _, i, j)| (n + i * 4 + j) as f64 / 20.0);
/// let y = Array2::from_elem((2, 1), 0.25);
/// let report = check_gradients(&net, x.view(), y.view(), &BinaryCrossEntropy, 1e-5, 1e-4)?;
/// assert!(report.max_relative_error < 1e-6, "{report:?}");
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn check_gradients<N: Network<Scalar = f64>, L: Loss>(
    net: &N,
    x: ArrayView4<f64>,
    targets: ArrayView2<f64>,
    loss: &L,
    h: f64,
    floor: f64,
) -> Result<GradCheck, Error> {
    check_gradients_of(net, x, targets, loss, h, floor, 0..N::PARAM_LEN)
}

/// [`check_gradients`] for the parameters at the given indices only (and every input), for
/// networks too large to perturb every weight of.
///
/// # Errors
/// As [`Network::loss_and_grad`].
///
/// # Panics
/// When an index is not below `PARAM_LEN`.
/// # Examples
/// ```
/// use cnn::gradcheck::check_gradients_of;
/// use cnn::ndarray::{Array2, Array4};
/// use cnn::prelude::*;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 2x2) -> tanh -> dense(1) -> sigmoid }
/// }
///
/// let net = Tiny::<f64>::new(1);
/// let x = Array4::from_shape_fn((2, 1, 4, 4), |(n, _, i, j)| (n + i * 4 + j) as f64 / 20.0);
/// let y = Array2::from_elem((2, 1), 0.25);
/// // Every other parameter, and every input.
/// let some = (0..Tiny::PARAM_LEN).step_by(2);
/// let report = check_gradients_of(&net, x.view(), y.view(), &HalfSquaredError, 1e-5, 1e-4, some)?;
/// assert_eq!(report.checked, Tiny::PARAM_LEN.div_ceil(2) + Tiny::INPUT_LEN);
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn check_gradients_of<N: Network<Scalar = f64>, L: Loss>(
    net: &N,
    x: ArrayView4<f64>,
    targets: ArrayView2<f64>,
    loss: &L,
    h: f64,
    floor: f64,
    params: impl IntoIterator<Item = usize>,
) -> Result<GradCheck, Error> {
    let (_, analytic) = net.loss_and_grad(x.view(), targets.view(), loss)?;
    let mut report = GradCheck {
        max_relative_error: 0.0,
        max_absolute_error: 0.0,
        worst: ("param", 0),
        worst_values: (0.0, 0.0),
        checked: 0,
        checked_relatively: 0,
    };
    let mut probe = net.clone();
    for k in params {
        let a = analytic[k];
        let v = probe.params()[k];
        let numeric = differences(h, |d| {
            probe.params_mut()[k] = v + d;
            let l = probe
                .loss_and_grad(x.view(), targets.view(), loss)
                .map(|(l, _)| l);
            probe.params_mut()[k] = v;
            l
        })?;
        report.compare("param", k, a, numeric, floor);
    }

    // The input gradient of the first example, against differences of its own loss.
    let one_x = x.slice(ndarray::s![0..1, .., .., ..]);
    let one_y = targets.slice(ndarray::s![0..1, ..]);
    let mut input = N::Input::zeroed_box();
    let mut target = N::Output::zeroed_box();
    input
        .as_flat_mut()
        .iter_mut()
        .zip(one_x.iter())
        .for_each(|(d, &s)| *d = s);
    target
        .as_flat_mut()
        .iter_mut()
        .zip(one_y.iter())
        .for_each(|(d, &s)| *d = s);
    let mut dx = N::Input::zeroed_box();
    net.input_gradient(&input, &target, loss, &mut dx);
    let mut shifted = one_x.to_owned();
    for (k, &a) in dx.as_flat().iter().enumerate() {
        let v = shifted.as_slice().expect("standard layout")[k];
        let numeric = differences(h, |d| {
            shifted.as_slice_mut().expect("standard layout")[k] = v + d;
            let l = net
                .loss_and_grad(shifted.view(), one_y, loss)
                .map(|(l, _)| l);
            shifted.as_slice_mut().expect("standard layout")[k] = v;
            l
        })?;
        report.compare("input", k, a, numeric, floor);
    }
    Ok(report)
}

/// The fourth-order central difference of `loss_at(offset)` at 0.
fn differences(h: f64, mut loss_at: impl FnMut(f64) -> Result<f64, Error>) -> Result<f64, Error> {
    let (m2, m1, p1, p2) = (
        loss_at(-2.0 * h)?,
        loss_at(-h)?,
        loss_at(h)?,
        loss_at(2.0 * h)?,
    );
    Ok((m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * h))
}

impl GradCheck {
    fn compare(&mut self, what: &'static str, k: usize, a: f64, n: f64, floor: f64) {
        self.checked += 1;
        let scale = a.abs().max(n.abs());
        if scale < floor {
            self.max_absolute_error = self.max_absolute_error.max((a - n).abs());
            return;
        }
        self.checked_relatively += 1;
        let rel = (a - n).abs() / scale;
        if rel > self.max_relative_error || rel.is_nan() {
            self.max_relative_error = rel;
            self.worst = (what, k);
            self.worst_values = (a, n);
        }
    }
}
