//! Metrics as data: the [`History`] of a run (one [`EpochStats`] per epoch, as CSV too), an
//! [`evaluate`] function giving loss, accuracy, top-k accuracy and a [`ConfusionMatrix`], and
//! [`Predict`] for the predicted outputs and classes of one example or a batch.
//!
//! ```
//! use cnn::prelude::*;
//! use cnn::train::evaluate;
//!
//! network! {
//!     struct Digits { input(8x8) -> conv(4, 3x3) -> relu -> dense(10) }
//! }
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
//! let (train, test) = cnn::data::load_digits(path)?.stratified_split(0.2, 0);
//! let mut net = Digits::new(0);
//! Trainer::new().epochs(3).quiet().fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1))?;
//!
//! let report = evaluate(&net, &test, &SoftmaxCrossEntropy)?;
//! assert!(report.accuracy > 0.8);
//! assert!(report.top_k_accuracy(3) >= report.accuracy);
//! assert_eq!(report.confusion.total(), test.len());
//! let recall_of_7 = report.confusion.recall(7).unwrap();
//! assert!(recall_of_7 > 0.5);
//! assert_eq!(net.predict_classes(test.images.view())?.len(), test.len());
//! # Ok::<(), cnn::Error>(())
//! ```

use std::fmt;
use std::path::Path;

use ndarray::{Array2, ArrayView3, ArrayView4, Axis};

use crate::data::Dataset;
use crate::loss::Loss;
use crate::network::in_parts;
use crate::{Error, Float, Network, Tensor};

/// What one epoch did: one entry of [`History::epochs`]. It is serde's `Serialize` and
/// `Deserialize` (a checkpoint keeps the history as JSON).
/// # Examples
/// ```
/// use cnn::train::{EpochStats, History};
/// let e = EpochStats { epoch: 1, train_loss: 0.5, train_accuracy: 0.8, ..EpochStats::default() };
/// let history = History { epochs: vec![e], restored_epoch: None };
/// assert!(history.to_csv().starts_with("epoch,train_loss,train_accuracy,"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// The learning rate of the epoch's last step.
    pub lr: f64,
    /// Wall-clock seconds of the epoch, validation included.
    pub seconds: f64,
    /// Training examples per second, validation excluded.
    pub examples_per_second: f64,
}

/// Everything [`Trainer::fit`](crate::Trainer::fit) measured, epoch by epoch.
/// # Examples
/// ```
/// use cnn::History;
/// let history = History::default();
/// assert!(history.epochs.is_empty() && history.restored_epoch.is_none());
/// assert_eq!(history.to_csv().lines().count(), 1); // the header
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One entry per epoch run.
    pub epochs: Vec<EpochStats>,
    /// The epoch whose weights the network holds at the end, when early stopping restored
    /// them.
    pub restored_epoch: Option<usize>,
}

/// The columns of [`History::to_csv`].
const CSV_HEADER: &str =
    "epoch,train_loss,train_accuracy,valid_loss,valid_accuracy,lr,seconds,examples_per_second";

impl History {
    /// The last epoch's figures.
    pub fn last(&self) -> Option<&EpochStats> {
        self.epochs.last()
    }

    /// One line per epoch under a header, the columns named as [`EpochStats`]' fields; no
    /// validation leaves its columns empty. Numbers are written in full (Rust's shortest
    /// round-trip form), so the file reads back to the same values.
    ///
    /// ```text
    /// epoch,train_loss,train_accuracy,valid_loss,valid_accuracy,lr,seconds,examples_per_second
    /// 1,0.5,0.8,0.4,0.85,0.1,1.5,1000
    /// ```
    /// # Examples
    /// ```
    /// use cnn::train::{EpochStats, History};
    /// let e = EpochStats {
    ///     epoch: 1, train_loss: 0.5, train_accuracy: 0.8, valid_loss: Some(0.4),
    ///     valid_accuracy: Some(0.85), lr: 0.1, seconds: 1.5, examples_per_second: 1000.0,
    /// };
    /// let csv = History { epochs: vec![e], restored_epoch: None }.to_csv();
    /// assert_eq!(csv.lines().nth(1), Some("1,0.5,0.8,0.4,0.85,0.1,1.5,1000"));
    /// ```
    pub fn to_csv(&self) -> String {
        let mut csv = String::from(CSV_HEADER);
        csv.push('\n');
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        for e in &self.epochs {
            csv += &format!(
                "{},{},{},{},{},{},{},{}\n",
                e.epoch,
                e.train_loss,
                e.train_accuracy,
                opt(e.valid_loss),
                opt(e.valid_accuracy),
                e.lr,
                e.seconds,
                e.examples_per_second
            );
        }
        csv
    }

    /// Writes [`History::to_csv`] to `path`, atomically.
    ///
    /// # Errors
    /// [`Error::Io`] (action `"write history"`) when the file cannot be written.
    /// # Examples
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// cnn::History::default().write_csv(dir.path().join("history.csv"))?;
    /// # Ok::<(), cnn::Error>(())
    /// ```
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        crate::weights::write_atomic(path, self.to_csv().as_bytes()).map_err(|error| Error::Io {
            action: "write history",
            path: path.to_path_buf(),
            error,
        })
    }
}

/// Counts of (true class, predicted class), with per-class precision and recall.
///
/// ```text
/// precision(c) = count(c, c) / sum_t count(t, c)     (of the examples predicted c)
/// recall(c)    = count(c, c) / sum_p count(c, p)     (of the examples of class c)
/// ```
/// `Display` prints the counts as a table, rows the true classes, with each class's
/// precision and recall.
/// # Examples
/// ```
/// use cnn::train::ConfusionMatrix;
/// let m = ConfusionMatrix::from_predictions(3, &[0, 0, 1, 2, 2], &[0, 1, 1, 2, 0]);
/// assert_eq!((m.count(0, 1), m.total()), (1, 5));
/// assert_eq!(m.recall(0), Some(0.5));
/// assert_eq!(m.precision(1), Some(0.5));
/// assert_eq!(m.accuracy(), 0.6);
/// assert!(m.to_string().contains("recall"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    /// `counts[truth * classes + predicted]`.
    counts: Vec<usize>,
}

impl ConfusionMatrix {
    /// All counts zero, for `classes` classes.
    pub fn new(classes: usize) -> Self {
        ConfusionMatrix {
            classes,
            counts: vec![0; classes * classes],
        }
    }

    /// The matrix of `truth` and `predicted`, pair by pair.
    ///
    /// # Panics
    /// If the slices differ in length or a class is not below `classes`.
    pub fn from_predictions(classes: usize, truth: &[usize], predicted: &[usize]) -> Self {
        assert_eq!(
            truth.len(),
            predicted.len(),
            "as many predictions as labels"
        );
        let mut m = ConfusionMatrix::new(classes);
        truth.iter().zip(predicted).for_each(|(&t, &p)| m.add(t, p));
        m
    }

    /// Counts one example of class `truth` predicted as `predicted`.
    ///
    /// # Panics
    /// If a class is not below [`classes`](Self::classes).
    pub fn add(&mut self, truth: usize, predicted: usize) {
        assert!(
            truth < self.classes && predicted < self.classes,
            "classes {truth} and {predicted} in a confusion matrix of {}",
            self.classes
        );
        self.counts[truth * self.classes + predicted] += 1;
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// How many examples of class `truth` were predicted as `predicted`.
    ///
    /// # Panics
    /// If a class is not below [`classes`](Self::classes).
    pub fn count(&self, truth: usize, predicted: usize) -> usize {
        assert!(truth < self.classes && predicted < self.classes);
        self.counts[truth * self.classes + predicted]
    }

    /// All examples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The fraction predicted right (0 for no examples).
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..self.classes).map(|c| self.count(c, c)).sum();
        ratio(right, self.total()).unwrap_or(0.0)
    }

    /// Of the examples predicted `class`, the fraction that are; `None` if none was.
    pub fn precision(&self, class: usize) -> Option<f64> {
        let predicted: usize = (0..self.classes).map(|t| self.count(t, class)).sum();
        ratio(self.count(class, class), predicted)
    }

    /// Of the examples of `class`, the fraction predicted so; `None` if there are none.
    pub fn recall(&self, class: usize) -> Option<f64> {
        let actual: usize = (0..self.classes).map(|p| self.count(class, p)).sum();
        ratio(self.count(class, class), actual)
    }

    /// The mean of the classes' recalls (balanced accuracy), over the classes with examples.
    pub fn mean_recall(&self) -> f64 {
        let recalls: Vec<f64> = (0..self.classes).filter_map(|c| self.recall(c)).collect();
        recalls.iter().sum::<f64>() / recalls.len().max(1) as f64
    }

    /// Adds another matrix's counts.
    fn merge(&mut self, other: &ConfusionMatrix) {
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, b)| *a += b);
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// ```text
/// true\predicted     0    1    2   recall
///              0     1    1    0    50.0%
///   ...
///      precision 50.0% ...
/// ```
impl fmt::Display for ConfusionMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let percent = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.1}%", 100.0 * v));
        write!(f, "{:>15}", "true\\predicted")?;
        for c in 0..self.classes {
            write!(f, "{c:>6}")?;
        }
        writeln!(f, "{:>8}", "recall")?;
        for t in 0..self.classes {
            write!(f, "{t:>15}")?;
            for p in 0..self.classes {
                write!(f, "{:>6}", self.count(t, p))?;
            }
            writeln!(f, "{:>8}", percent(self.recall(t)))?;
        }
        write!(f, "{:>15}", "precision")?;
        for c in 0..self.classes {
            write!(f, "{:>6}", percent(self.precision(c)).trim_end_matches('%'))?;
        }
        writeln!(f, "  (%)")
    }
}

/// What [`evaluate`] measured on a data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The mean loss.
    pub loss: f64,
    /// The fraction of examples whose largest output is at their class (for one output: on
    /// their class's side of 0.5, or of 0 for a loss on logits).
    pub accuracy: f64,
    /// Counts of true and predicted classes.
    pub confusion: ConfusionMatrix,
    /// Per example, how many classes rank above its true class (0 when predicted right).
    ranks: Vec<usize>,
}

impl Evaluation {
    /// The fraction of examples whose class is among the `k` largest outputs (ties broken
    /// toward the lower class, as for the accuracy); `top_k_accuracy(1)` is the accuracy.
    /// # Examples
    /// See the [module's example](self).
    pub fn top_k_accuracy(&self, k: usize) -> f64 {
        let hits = self.ranks.iter().filter(|&&r| r < k).count();
        ratio(hits, self.ranks.len()).unwrap_or(0.0)
    }
}

/// The loss, accuracy, top-k ranks and confusion matrix of `net` on `data`, by forward passes
/// in inference mode, split across the threads of the current rayon pool (the figures do not
/// depend on their number).
///
/// The target of an example is its label as a one-hot row (for a network with one output, the
/// label itself, 0 or 1), as in training.
///
/// # Errors
/// [`Error::Shape`] when the images do not fit the network or the labels are not one per
/// image, [`Error::EmptyBatch`] for no examples, [`Error::ClassIndex`] for a label the network
/// has no output for, [`Error::NonFinite`] for a NaN or infinite pixel.
/// # Examples
/// See the [module's example](self).
pub fn evaluate<N: Network, L: Loss>(
    net: &N,
    data: &Dataset,
    loss: &L,
) -> Result<Evaluation, Error> {
    check_dataset::<N>(data, "evaluation data")?;
    let classes = classes_of::<N>();
    let threshold = N::Scalar::from_f64(if L::TAKES_LOGITS { 0.0 } else { 0.5 });
    let parts = in_parts(data.len(), |range| {
        let mut input = N::Input::zeroed_box();
        let mut target = N::Output::zeroed_box();
        let mut confusion = ConfusionMatrix::new(classes);
        let (mut total, mut ranks) = (0.0, Vec::with_capacity(range.len()));
        for i in range {
            let label = data.labels[i];
            copy_example(data.images.index_axis(Axis(0), i), input.as_flat_mut());
            one_hot_into(target.as_flat_mut(), label);
            let (l, out) = net.evaluate(&input, &target, loss);
            total += l.to_f64();
            let (predicted, rank) = rank_of(out.as_flat(), label, threshold);
            confusion.add(label, predicted);
            ranks.push(rank);
        }
        (total, confusion, ranks)
    });
    let mut confusion = ConfusionMatrix::new(classes);
    let (mut total, mut ranks) = (0.0, Vec::with_capacity(data.len()));
    for (t, c, r) in parts {
        total += t;
        confusion.merge(&c);
        ranks.extend(r);
    }
    Ok(Evaluation {
        loss: total / data.len() as f64,
        accuracy: confusion.accuracy(),
        confusion,
        ranks,
    })
}

/// The classes a network's outputs stand for: one per output, or two for a single output.
pub(crate) fn classes_of<N: Network>() -> usize {
    if N::OUTPUT_LEN == 1 { 2 } else { N::OUTPUT_LEN }
}

/// Checks that `data` fits `N` (images `[N, C, H, W]`, one label per image, each with an
/// output, every pixel finite), so that nothing fails half-way.
pub(crate) fn check_dataset<N: Network>(data: &Dataset, what: &'static str) -> Result<(), Error> {
    let [c, h, w] = N::INPUT_SHAPE;
    let n = data.images.len_of(Axis(0));
    if data.images.shape()[1..] != [c, h, w] {
        return Err(Error::Shape {
            what: "input batch",
            expected: [n, c, h, w].into(),
            given: data.images.shape().into(),
        });
    }
    if data.labels.len() != n {
        return Err(Error::Shape {
            what: "labels",
            expected: [n].into(),
            given: [data.labels.len()].into(),
        });
    }
    if n == 0 {
        return Err(Error::EmptyBatch { what });
    }
    let classes = classes_of::<N>();
    if let Some((index, &class)) = data.labels.iter().enumerate().find(|(_, l)| **l >= classes) {
        return Err(Error::ClassIndex {
            index,
            class,
            classes: N::OUTPUT_LEN,
        });
    }
    // One vectorized sum in the common case; a search for where only when it is not finite.
    let finite = data
        .images
        .as_slice_memory_order()
        .is_some_and(|pixels| crate::kernels::sum(pixels).is_finite());
    if !finite && let Some(e) = crate::network::non_finite(&data.images.view()) {
        return Err(e);
    }
    Ok(())
}

/// One example's pixels, any strides, into a contiguous buffer of the network's scalar.
pub(crate) fn copy_example<T: Float>(image: ArrayView3<f32>, out: &mut [T]) {
    match image.as_slice() {
        Some(pixels) => out
            .iter_mut()
            .zip(pixels)
            .for_each(|(o, &p)| *o = T::from_f64(f64::from(p))),
        None => out
            .iter_mut()
            .zip(image.iter())
            .for_each(|(o, &p)| *o = T::from_f64(f64::from(p))),
    }
}

/// The target row of `label`: one-hot, or the label itself for a single output.
pub(crate) fn one_hot_into<T: Float>(row: &mut [T], label: usize) {
    if row.len() == 1 {
        row[0] = T::from_f64(label as f64);
        return;
    }
    row.fill(T::ZERO);
    row[label] = T::ONE;
}

/// The predicted class of `output`, and how many classes rank above `label`'s: the outputs
/// greater than its own, and those equal to it at a lower class (so rank 0 is the
/// [`argmax`](crate::train::argmax)). One output is class 1 above `threshold`.
fn rank_of<T: Float>(output: &[T], label: usize, threshold: T) -> (usize, usize) {
    if output.len() == 1 {
        let predicted = usize::from(output[0] > threshold);
        return (predicted, usize::from(predicted != label));
    }
    let own = output[label];
    let rank = output
        .iter()
        .enumerate()
        .filter(|&(j, &o)| o > own || (o == own && j < label))
        .count();
    (crate::train::argmax(output), rank)
}

/// Predictions: the outputs and the classes a network gives, for one example or a batch.
/// Implemented for every [`Network`]; in the prelude.
///
/// The class of an output is its largest value's index (the first, on ties), or for a
/// network with a single output, 1 when the output is above 0.5 (a probability) and 0
/// otherwise.
/// # Examples
/// ```
/// use cnn::ndarray::Array4;
/// use cnn::prelude::*;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(3) -> softmax }
/// }
///
/// let net = Tiny::new(1);
/// let x = [0.5; 16];
/// let p = net.predict(&x);
/// assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
/// let class = net.predict_class(&x);
/// assert!(class < 3);
///
/// let batch = Array4::from_elem((5, 1, 4, 4), 0.5);
/// assert_eq!(net.predict_batch(batch.view())?.shape(), &[5, 3]);
/// assert_eq!(net.predict_classes(batch.view())?, vec![class; 5]);
/// # Ok::<(), cnn::Error>(())
/// ```
pub trait Predict: Network {
    /// The network's output for one example ([`Network::forward`]): no heap, no `Result`.
    fn predict(&self, x: &Self::Input) -> Self::Output {
        self.forward(x)
    }

    /// The predicted class of one example.
    fn predict_class(&self, x: &Self::Input) -> usize {
        class_of(self.forward(x).as_flat())
    }

    /// The outputs of a batch `[N, C, H, W]` as `[N, OUTPUT_LEN]`
    /// ([`Network::forward_batch`]).
    ///
    /// # Errors
    /// [`Error::Shape`] when `x` is not `[N, C, H, W]` with this network's `C, H, W`.
    fn predict_batch(&self, x: ArrayView4<Self::Scalar>) -> Result<Array2<Self::Scalar>, Error> {
        self.forward_batch(x)
    }

    /// The predicted class of each example of a batch `[N, C, H, W]`.
    ///
    /// # Errors
    /// As [`Predict::predict_batch`].
    fn predict_classes(&self, x: ArrayView4<Self::Scalar>) -> Result<Vec<usize>, Error> {
        let outputs = self.forward_batch(x)?;
        Ok(outputs
            .outer_iter()
            .map(|row| match row.as_slice() {
                Some(row) => class_of(row),
                None => class_of(&row.to_vec()),
            })
            .collect())
    }
}

impl<N: Network> Predict for N {}

fn class_of<T: Float>(output: &[T]) -> usize {
    if output.len() == 1 {
        return usize::from(output[0] > T::from_f64(0.5));
    }
    crate::train::argmax(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_break_ties_like_argmax() {
        let out = [0.2f32, 0.7, 0.7, 0.1];
        assert_eq!(rank_of(&out, 1, 0.0), (1, 0));
        assert_eq!(rank_of(&out, 2, 0.0), (1, 1));
        assert_eq!(rank_of(&out, 3, 0.0), (1, 3));
        assert_eq!(rank_of(&[0.7f32], 1, 0.5), (1, 0));
        assert_eq!(rank_of(&[0.2f32], 1, 0.5), (0, 1));
    }

    #[test]
    fn precision_and_recall_by_hand() {
        // Class 0: 3 examples, 2 right; class 1: 1 example, right; one 0 predicted as 1.
        let m = ConfusionMatrix::from_predictions(3, &[0, 0, 0, 1], &[0, 0, 1, 1]);
        assert_eq!(m.recall(0), Some(2.0 / 3.0));
        assert_eq!(m.precision(1), Some(0.5));
        assert_eq!((m.recall(2), m.precision(2)), (None, None));
        assert_eq!(m.mean_recall(), (2.0 / 3.0 + 1.0) / 2.0);
        let table = m.to_string();
        assert_eq!(table.lines().count(), 5, "{table}");
        assert!(table.lines().nth(1).unwrap().ends_with("66.7%"), "{table}");
    }

    #[test]
    fn csv_leaves_missing_validation_empty() {
        let e = EpochStats {
            epoch: 2,
            train_loss: 0.25,
            lr: 0.01,
            ..EpochStats::default()
        };
        let h = History {
            epochs: vec![e],
            restored_epoch: None,
        };
        assert_eq!(h.to_csv().lines().nth(1), Some("2,0.25,0,,,0.01,0,0"));
    }
}
