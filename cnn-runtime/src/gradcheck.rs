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
use crate::{Error, Network};

/// The outcome of [`check_gradients`]: the worst disagreement between the analytic gradient
/// and central differences.
/// A failed check names the worst value: `worst` is `("param", k)` for `params()[k]` or
/// `("input", k)` for the `k`-th input scalar of the first example; see [`check_gradients`] for an
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
    /// How many values lay at a kink of the loss, not compared (they are in `checked`): a
    /// relu's input or a max-pooling tie within `2h` of the point, where the loss has no
    /// derivative and the differences average its two one-sided slopes.
    pub kinks: usize,
}

/// Compares the gradient of the batch's mean loss `L` with respect to every parameter and to
/// every input scalar of the first example (both from [`Network::loss_and_grads`], the
/// training pass: batch norm with the batch's statistics) with fourth-order central
/// differences of step `h`:
///
/// ```text
/// numeric = (L(v - 2h) - 8 L(v - h) + 8 L(v + h) - L(v + 2h)) / 12h
/// ```
///
/// Their truncation error is `O(h^4)`, their rounding noise about `1.5 eps |L| / h`. Values
/// whose gradients are below `floor` in both forms are compared by absolute error instead.
///
/// A relu or a max pooling makes the loss piecewise smooth: where a relu's input or a tie of
/// two maxima lies within `2h` of the point, the differences straddle a kink and average two
/// slopes, and the analytic gradient is one of them. Such values are found by their one-sided
/// differences, `(L(v + h) - L(v)) / h` and `(L(v) - L(v - h)) / h`, whose gap does not shrink
/// with the step as a smooth loss's (`h L''`) does; they are counted in
/// [`GradCheck::kinks`] and not compared.
///
/// What passes, in `f64` (the crate's own tests): `h = 1e-5` and `floor = 1e-4`, with
/// `max_relative_error <= 1e-6` and `max_absolute_error <= 1e-10`; a smaller `h` raises the
/// rounding noise, a larger one makes kinks more frequent. A real mistake in a gradient shows
/// as a relative error of order 1.
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
    let (l0, analytic, dx) = net.loss_and_grads(x.view(), targets.view(), loss)?;
    let mut report = GradCheck {
        max_relative_error: 0.0,
        max_absolute_error: 0.0,
        worst: ("param", 0),
        worst_values: (0.0, 0.0),
        checked: 0,
        checked_relatively: 0,
        kinks: 0,
    };
    let mut probe = net.clone();
    for k in params {
        let a = analytic[k];
        let v = probe.params()[k];
        let numeric = differences(h, l0, |d| {
            probe.params_mut()[k] = v + d;
            let l = probe.training_loss(x.view(), targets.view(), loss);
            probe.params_mut()[k] = v;
            l
        })?;
        report.compare("param", k, a, numeric, floor);
    }

    // The first example's inputs, against differences of the batch's loss.
    let mut shifted = x.to_owned();
    let len = N::INPUT_LEN;
    let analytic_x = dx.as_slice().expect("standard layout");
    for (k, &a) in analytic_x.iter().enumerate().take(len) {
        let v = shifted.as_slice().expect("standard layout")[k];
        let numeric = differences(h, l0, |d| {
            shifted.as_slice_mut().expect("standard layout")[k] = v + d;
            let l = net.training_loss(shifted.view(), targets.view(), loss);
            shifted.as_slice_mut().expect("standard layout")[k] = v;
            l
        })?;
        report.compare("input", k, a, numeric, floor);
    }
    Ok(report)
}

/// The differences of `loss_at(offset)` at 0, where the loss is `l0`.
struct Differences {
    /// The fourth-order central difference.
    central: f64,
    /// The one-sided slopes at step `h`, right and left.
    plus: f64,
    minus: f64,
    /// The largest gap between the one-sided slopes at steps `h` and `2h`.
    gap: f64,
}

fn differences(
    h: f64,
    l0: f64,
    mut loss_at: impl FnMut(f64) -> Result<f64, Error>,
) -> Result<Differences, Error> {
    let (m2, m1, p1, p2) = (
        loss_at(-2.0 * h)?,
        loss_at(-h)?,
        loss_at(h)?,
        loss_at(2.0 * h)?,
    );
    let (plus, minus) = ((p1 - l0) / h, (l0 - m1) / h);
    let (plus2, minus2) = ((p2 - l0) / (2.0 * h), (l0 - m2) / (2.0 * h));
    Ok(Differences {
        central: (m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * h),
        plus,
        minus,
        gap: (plus - minus).abs().max((plus2 - minus2).abs()),
    })
}

impl Differences {
    /// A kink within `2h`: the one-sided slopes part by more than a smooth loss's curvature
    /// gives at these steps (`h L''`, far below `1e-3` of the gradient), and the analytic
    /// gradient is one of them rather than between them, as the central difference is.
    fn kink(&self, analytic: f64, floor: f64) -> bool {
        let scale = analytic.abs().max(self.central.abs()).max(floor);
        let nearest = (analytic - self.plus)
            .abs()
            .min((analytic - self.minus).abs());
        self.gap > 1e-3 * scale && nearest < 0.25 * self.gap
    }
}

impl GradCheck {
    fn compare(&mut self, what: &'static str, k: usize, a: f64, d: Differences, floor: f64) {
        self.checked += 1;
        if d.kink(a, floor) {
            self.kinks += 1;
            return;
        }
        let n = d.central;
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
