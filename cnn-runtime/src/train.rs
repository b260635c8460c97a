//! The training loop: epochs of shuffled mini-batches, validation, early stopping, history.
//!
//! ```
//! use cnn::ndarray::Array4;
//! use cnn::prelude::*;
//! use cnn::train::History;
//!
//! network! {
//!     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(2) }
//! }
//!
//! // Two classes: a bright top row or a bright bottom row.
//! let labels: Vec<usize> = (0..32).map(|n| n % 2).collect();
//! let x = Array4::from_shape_fn((32, 1, 4, 4), |(n, _, i, _)| f32::from(i == 3 * (n % 2)));
//! let mut net = Tiny::new(1);
//! let mut sgd = Sgd::new(0.1).momentum(0.9);
//! let history: History = Trainer::new().epochs(20).batch_size(8).seed(3).quiet().fit(
//!     &mut net,
//!     x.view(),
//!     &labels,
//!     Some((x.view(), (&labels).into())),
//!     &SoftmaxCrossEntropy,
//!     &mut sgd,
//! )?;
//! let last = history.epochs.last().unwrap();
//! assert_eq!(last.epoch, 20);
//! assert_eq!(last.valid_accuracy, Some(1.0));
//! # Ok::<(), cnn::Error>(())
//! ```

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array2, ArrayView2, ArrayView4, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::loss::Loss;
use crate::optim::Optimizer;
use crate::{Error, Float, Network};

/// Training targets: one row per example (`[N, OUTPUT_LEN]`, one-hot or any values), or one
/// class index per example, turned into one-hot rows batch by batch.
/// # Examples
/// ```
/// use cnn::Targets;
/// use cnn::ndarray::Array2;
///
/// let labels = vec![2, 0, 1];
/// let classes: Targets<f32> = (&labels).into();
/// let rows = Array2::<f32>::eye(3);
/// let one_hot: Targets<f32> = rows.view().into();
/// assert!(matches!((classes, one_hot), (Targets::Classes(_), Targets::Rows(_))));
/// ```
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, T> {
    /// `[N, OUTPUT_LEN]`.
    Rows(ArrayView2<'a, T>),
    /// Class indices `< OUTPUT_LEN`.
    Classes(&'a [usize]),
}

impl<'a, T> From<ArrayView2<'a, T>> for Targets<'a, T> {
    fn from(rows: ArrayView2<'a, T>) -> Self {
        Targets::Rows(rows)
    }
}

impl<'a, T> From<&'a [usize]> for Targets<'a, T> {
    fn from(classes: &'a [usize]) -> Self {
        Targets::Classes(classes)
    }
}

impl<'a, T> From<&'a Vec<usize>> for Targets<'a, T> {
    fn from(classes: &'a Vec<usize>) -> Self {
        Targets::Classes(classes)
    }
}

impl<T: Float> Targets<'_, T> {
    fn len(&self) -> usize {
        match self {
            Targets::Rows(r) => r.len_of(Axis(0)),
            Targets::Classes(c) => c.len(),
        }
    }

    /// The rows of the examples at `indices`, checked against `width` outputs.
    fn rows(&self, indices: &[usize], width: usize) -> Result<Array2<T>, Error> {
        match self {
            Targets::Rows(r) => {
                if r.len_of(Axis(1)) != width {
                    return Err(Error::Shape {
                        what: "targets",
                        expected: [r.len_of(Axis(0)), width].into(),
                        given: r.shape().into(),
                    });
                }
                Ok(r.select(Axis(0), indices))
            }
            Targets::Classes(c) => {
                let mut rows = Array2::from_elem((indices.len(), width), T::ZERO);
                for (mut row, &i) in rows.outer_iter_mut().zip(indices) {
                    let class = c[i];
                    if class >= width {
                        return Err(Error::ClassIndex {
                            index: i,
                            class,
                            classes: width,
                        });
                    }
                    row[class] = T::ONE;
                }
                Ok(rows)
            }
        }
    }
}

/// Validation inputs `[N, C, H, W]` and their targets.
/// # Examples
/// ```
/// use cnn::ndarray::Array4;
/// use cnn::Targets;
/// use cnn::train::Validation;
///
/// let x = Array4::<f32>::zeros((2, 1, 4, 4));
/// let labels = [0, 1];
/// let validation: Validation<f32> = (x.view(), Targets::Classes(&labels));
/// ```
pub type Validation<'a, T> = (ArrayView4<'a, T>, Targets<'a, T>);

/// All target rows `[n, OUTPUT_LEN]` for `n` examples: one-hot rows from class indices.
fn full_rows<N: Network>(
    targets: Targets<'_, N::Scalar>,
    n: usize,
    what: &'static str,
) -> Result<Array2<N::Scalar>, Error> {
    if targets.len() != n {
        return Err(Error::Shape {
            what,
            expected: [n, N::OUTPUT_LEN].into(),
            given: [targets.len(), N::OUTPUT_LEN].into(),
        });
    }
    let all: Vec<usize> = (0..n).collect();
    targets.rows(&all, N::OUTPUT_LEN)
}

/// What one epoch did.
/// One entry of [`History::epochs`]; see the [module's example](self).
#[derive(Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// 1-based.
    pub epoch: usize,
    /// The mean training loss over the epoch's batches (weighted by batch size), as measured
    /// before each batch's update.
    pub train_loss: f64,
    /// The fraction of training examples classified right, by the same forward passes.
    pub train_accuracy: f64,
    /// The loss on the validation set after the epoch.
    pub valid_loss: Option<f64>,
    /// The validation accuracy after the epoch.
    pub valid_accuracy: Option<f64>,
    /// Wall-clock seconds of the epoch, validation included.
    pub seconds: f64,
}

/// Everything [`Trainer::fit`] measured.
/// # Examples
/// ```
/// use cnn::History;
/// let history = History::default();
/// assert!(history.epochs.is_empty() && history.restored_epoch.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One entry per epoch run.
    pub epochs: Vec<EpochStats>,
    /// The epoch whose weights the network holds at the end, when early stopping restored
    /// them.
    pub restored_epoch: Option<usize>,
}

/// A training loop: `epochs` passes over the data in shuffled mini-batches.
///
/// Shuffling is seeded, so a run is repeatable for a given seed and thread count. With
/// validation data and [`Trainer::early_stopping`], training stops after `patience` epochs
/// without a lower validation loss, and the network is given back the weights of its best
/// epoch. A progress bar shows on a terminal, nowhere else.
///
/// # Examples
/// ```
/// use cnn::ndarray::Array4;
/// use cnn::prelude::*;
/// use cnn::train::History;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(2) }
/// }
///
/// // Two classes: a bright top row or a bright bottom row.
/// let labels: Vec<usize> = (0..32).map(|n| n % 2).collect();
/// let x = Array4::from_shape_fn((32, 1, 4, 4), |(n, _, i, _)| f32::from(i == 3 * (n % 2)));
/// let mut net = Tiny::new(1);
/// let mut sgd = Sgd::new(0.1).momentum(0.9);
/// let history: History = Trainer::new().epochs(20).batch_size(8).seed(3).quiet().fit(
///     &mut net,
///     x.view(),
///     &labels,
///     Some((x.view(), (&labels).into())),
///     &SoftmaxCrossEntropy,
///     &mut sgd,
/// )?;
/// let last = history.epochs.last().unwrap();
/// assert_eq!(last.epoch, 20);
/// assert_eq!(last.valid_accuracy, Some(1.0));
/// # Ok::<(), cnn::Error>(())
/// ```

#[derive(Clone, Debug)]
pub struct Trainer {
    epochs: usize,
    batch_size: usize,
    seed: u64,
    patience: Option<usize>,
    quiet: bool,
}

impl Default for Trainer {
    fn default() -> Self {
        Trainer::new()
    }
}

impl Trainer {
    /// 10 epochs of batches of 32, seed 0, no early stopping.
    pub fn new() -> Self {
        Trainer {
            epochs: 10,
            batch_size: 32,
            seed: 0,
            patience: None,
            quiet: false,
        }
    }

    /// The number of passes over the data.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Examples per step (the last batch of an epoch may be smaller).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// The seed of the shuffling.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Stop after `patience` epochs without a lower validation loss, and restore the best
    /// epoch's weights.
    pub fn early_stopping(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }

    /// No progress bar, even on a terminal.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Trains `net` on `x` `[N, C, H, W]` and `targets`, validating after each epoch on
    /// `validation` if given.
    ///
    /// # Errors
    /// [`Error::Shape`] for inputs or targets that do not fit the network or each other,
    /// [`Error::EmptyBatch`] for no examples or a batch size of 0, [`Error::ClassIndex`] for a
    /// class index out of range, [`Error::NonFinite`] for NaN or infinite data, and
    /// [`Error::NonFiniteLoss`] when the loss diverges: training stops there, and the network
    /// keeps the weights of its last finite step.
    pub fn fit<'a, N, L, O>(
        &self,
        net: &mut N,
        x: ArrayView4<N::Scalar>,
        targets: impl Into<Targets<'a, N::Scalar>>,
        validation: Option<Validation<'a, N::Scalar>>,
        loss: &L,
        optimizer: &mut O,
    ) -> Result<History, Error>
    where
        N: Network,
        N::Scalar: 'a,
        L: Loss,
        O: Optimizer,
    {
        // Everything is checked before the first step, so a refusal changes nothing, and the
        // indices in errors are positions in the data as given.
        let n = x.len_of(Axis(0));
        if n == 0 || self.batch_size == 0 {
            return Err(Error::EmptyBatch {
                what: "training data",
            });
        }
        let targets = full_rows::<N>(targets.into(), n, "targets")?;
        crate::network::check_batch::<N>(&x, &targets.view())?;
        let valid = match validation {
            Some((vx, vt)) => {
                let rows = full_rows::<N>(vt, vx.len_of(Axis(0)), "validation targets")?;
                crate::network::check_batch::<N>(&vx, &rows.view())?;
                Some((vx, rows))
            }
            None => None,
        };

        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut order: Vec<usize> = (0..n).collect();
        let mut history = History::default();
        let mut best: Option<(f64, usize, Vec<N::Scalar>)> = None;
        let batches = n.div_ceil(self.batch_size);
        for epoch in 1..=self.epochs {
            let start = Instant::now();
            order.shuffle(&mut rng);
            let bar = self.progress_bar(batches as u64, epoch);
            let counting = Counting {
                loss,
                correct: AtomicUsize::new(0),
                single_output: N::OUTPUT_LEN == 1,
            };
            let mut total = 0.0;
            for indices in order.chunks(self.batch_size) {
                let bx = x.select(Axis(0), indices);
                let by = targets.select(Axis(0), indices);
                let l = net.train_step(bx.view(), by.view(), &counting, optimizer)?;
                total += l.to_f64() * indices.len() as f64;
                bar.inc(1);
            }
            bar.finish_and_clear();
            let (valid_loss, valid_accuracy) = match &valid {
                Some((vx, vy)) => {
                    let (l, a) = net.evaluate_batch(vx.view(), vy.view(), loss)?;
                    (Some(l), Some(a))
                }
                None => (None, None),
            };
            history.epochs.push(EpochStats {
                epoch,
                train_loss: total / n as f64,
                train_accuracy: counting.correct.load(Ordering::Relaxed) as f64 / n as f64,
                valid_loss,
                valid_accuracy,
                seconds: start.elapsed().as_secs_f64(),
            });
            if let (Some(patience), Some(vl)) = (self.patience, valid_loss) {
                if best.as_ref().is_none_or(|(b, _, _)| vl < *b) {
                    best = Some((vl, epoch, net.params().to_vec()));
                } else if best.as_ref().is_some_and(|(_, e, _)| epoch - e >= patience) {
                    break;
                }
            }
        }
        if let Some((_, epoch, params)) = best {
            net.params_mut().copy_from_slice(&params);
            history.restored_epoch = Some(epoch);
        }
        Ok(history)
    }

    fn progress_bar(&self, len: u64, epoch: usize) -> ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("epoch {msg} {bar:40} {pos}/{len} batches, {eta} left")
        {
            bar.set_style(style);
        }
        bar.set_message(format!("{epoch:>3}"));
        bar
    }
}

/// Counts right answers as the loss sees each example's output during training, so the
/// training accuracy costs no extra forward pass. The output is the softmax's input where the
/// loss takes logits; the largest logit is the largest probability all the same.
struct Counting<'a, L> {
    loss: &'a L,
    correct: AtomicUsize,
    single_output: bool,
}

impl<L: Loss> Loss for Counting<'_, L> {
    const NAME: &'static str = L::NAME;
    const TAKES_LOGITS: bool = L::TAKES_LOGITS;

    fn example<T: Float>(&self, output: &[T], target: &[T], scale: T, d_output: &mut [T]) -> T {
        let threshold = if L::TAKES_LOGITS {
            T::ZERO
        } else {
            T::from_f64(0.5)
        };
        if is_right(output, target, self.single_output, threshold) {
            self.correct.fetch_add(1, Ordering::Relaxed);
        }
        self.loss.example(output, target, scale, d_output)
    }
}

/// A single output is right when it is on the target's side of `threshold` (0.5 for
/// probabilities); several are right when the largest output is where the target's largest
/// value is.
pub(crate) fn is_right<T: Float>(output: &[T], target: &[T], single: bool, threshold: T) -> bool {
    if single {
        return (output[0] > threshold) == (target[0] > T::from_f64(0.5));
    }
    argmax(output) == argmax(target)
}

/// The index of the largest value (the first, on ties).
/// # Examples
/// ```
/// assert_eq!(cnn::train::argmax(&[0.1, 0.7, 0.7, 0.2]), 1);
/// ```
pub fn argmax<T: Float>(values: &[T]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}
