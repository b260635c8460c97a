//! Training: the [`Trainer`] (epochs of shuffled mini-batches, validation, early stopping,
//! progress), and what it works with: learning-rate [`schedule`]s, [`augment`]ation,
//! [`checkpoint`]s that resume exactly, and [`metrics`] as data.
//!
//! ```
//! use cnn::prelude::*;
//!
//! network! {
//!     struct Digits { input(8x8) -> conv(8, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(10) }
//! }
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
//! let (train, test) = cnn::data::load_digits(path)?.stratified_split(0.2, 0);
//! let mut net = Digits::new(1);
//! let history = Trainer::new()
//!     .epochs(10)
//!     .batch_size(32)
//!     .validation(&test)
//!     .schedule(OneCycleLr::new(0.1, 10 * train.len().div_ceil(32)))
//!     .quiet()
//!     .fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Sgd::new(0.1).momentum(0.9))?;
//! let last = history.last().unwrap();
//! assert_eq!(last.epoch, 10);
//! assert!(last.valid_accuracy.unwrap() > 0.9);
//! # Ok::<(), cnn::Error>(())
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::data::Dataset;
use crate::loss::Loss;
use crate::optim::Optimizer;
use crate::{Error, Float, Network};

pub mod augment;
pub mod checkpoint;
mod interrupt;
pub mod metrics;
mod progress;
mod run;
pub mod schedule;

pub use augment::Augment;
pub use checkpoint::Checkpoint;
pub use metrics::{ConfusionMatrix, EpochStats, Evaluation, History, Predict, evaluate};
pub use schedule::{
    ConstantLr, ExponentialLr, MultiStepLr, OneCycleLr, Schedule, StepLr, WarmupCosineLr,
};

/// When checkpoints are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Every {
    Epoch,
    Steps(usize),
}

/// A training loop with named settings: `epochs` passes over a [`Dataset`] in shuffled
/// mini-batches, then [`Trainer::fit`].
///
/// The targets are the data set's labels: one-hot rows, or for a network with a single
/// output the label itself (0 or 1). Everything random (the shuffling, the augmentation) comes
/// from [`Trainer::seed`], so a run is repeatable for a given seed and thread count, and a run
/// resumed from a checkpoint gives the same bits as one that never stopped.
///
/// Progress goes to standard error: on a terminal a bar with the running loss, accuracy,
/// throughput and time left, then one line per epoch; elsewhere (a log, CI) the line per epoch
/// only; nothing with [`Trainer::quiet`].
///
/// | setting | default |
/// |---|---|
/// | [`epochs`](Trainer::epochs), [`batch_size`](Trainer::batch_size), [`seed`](Trainer::seed) | 10, 32, 0 |
/// | [`validation`](Trainer::validation), [`early_stopping`](Trainer::early_stopping) | none |
/// | [`schedule`](Trainer::schedule) | none: the optimizer's own rate |
/// | [`augment`](Trainer::augment), [`class_weights`](Trainer::class_weights), [`clip_grad_norm`](Trainer::clip_grad_norm) | none |
/// | [`threads`](Trainer::threads) | the current rayon pool (`RAYON_NUM_THREADS`, else one per core) |
/// | [`checkpoint_dir`](Trainer::checkpoint_dir), [`checkpoint_every_steps`](Trainer::checkpoint_every_steps), [`keep_checkpoints`](Trainer::keep_checkpoints), [`resume_from`](Trainer::resume_from) | none; every epoch; 3 |
/// | [`stop_on_ctrl_c`](Trainer::stop_on_ctrl_c), [`stop_when`](Trainer::stop_when), [`quiet`](Trainer::quiet) | off |
///
/// # Examples
/// ```
/// use cnn::ndarray::Array4;
/// use cnn::data::Dataset;
/// use cnn::prelude::*;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(2) }
/// }
///
/// // Two classes: a bright top row or a bright bottom row.
/// let labels: Vec<usize> = (0..32).map(|n| n % 2).collect();
/// let images = Array4::from_shape_fn((32, 1, 4, 4), |(n, _, i, _)| f32::from(i == 3 * (n % 2)));
/// let data = Dataset { images, labels, classes: 2 };
/// let mut net = Tiny::new(1);
/// let mut sgd = Sgd::new(0.1).momentum(0.9);
/// let history = Trainer::new()
///     .epochs(20)
///     .batch_size(8)
///     .seed(3)
///     .validation(&data)
///     .quiet()
///     .fit(&mut net, &data, &SoftmaxCrossEntropy, &mut sgd)?;
/// let last = history.last().unwrap();
/// assert_eq!(last.epoch, 20);
/// assert_eq!(last.valid_accuracy, Some(1.0));
/// # Ok::<(), cnn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Trainer<'a> {
    epochs: usize,
    batch_size: usize,
    seed: u64,
    patience: Option<usize>,
    quiet: bool,
    validation: Option<&'a Dataset>,
    schedule: Option<Arc<dyn Schedule>>,
    augment: Option<Augment>,
    class_weights: Option<Vec<f64>>,
    clip_norm: Option<f64>,
    threads: Option<usize>,
    checkpoint_dir: Option<PathBuf>,
    every: Every,
    keep: usize,
    resume: Option<PathBuf>,
    stop: Option<Arc<AtomicBool>>,
    ctrl_c: bool,
}

impl Default for Trainer<'_> {
    fn default() -> Self {
        Trainer::new()
    }
}

impl<'a> Trainer<'a> {
    /// 10 epochs of batches of 32, seed 0, nothing else: see the table above.
    pub fn new() -> Self {
        Trainer {
            epochs: 10,
            batch_size: 32,
            seed: 0,
            patience: None,
            quiet: false,
            validation: None,
            schedule: None,
            augment: None,
            class_weights: None,
            clip_norm: None,
            threads: None,
            checkpoint_dir: None,
            every: Every::Epoch,
            keep: 3,
            resume: None,
            stop: None,
            ctrl_c: false,
        }
    }

    /// The number of passes over the data (in all, when resuming: a run resumed after epoch 2
    /// with `epochs(4)` runs epochs 3 and 4).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Examples per step (the last batch of an epoch may be smaller).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// The seed of the shuffling and of the augmentation.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Data evaluated after each epoch (loss and accuracy in the history; what early stopping
    /// watches). The evaluation runs in inference mode, with the training loss.
    pub fn validation(mut self, data: &'a Dataset) -> Self {
        self.validation = Some(data);
        self
    }

    /// Stops after `patience` epochs without a lower validation loss, and gives the network
    /// back the weights of its best epoch (also when the run ends first). Needs
    /// [`validation`](Trainer::validation) data.
    pub fn early_stopping(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }

    /// Sets the optimizer's learning rate from `schedule` before each step (or each epoch, as
    /// the schedule counts), the step count running on across epochs and resumptions.
    pub fn schedule(mut self, schedule: impl Schedule + 'static) -> Self {
        self.schedule = Some(Arc::new(schedule));
        self
    }

    /// Transforms each training example at random as its batch is gathered (not the
    /// validation data).
    pub fn augment(mut self, augment: Augment) -> Self {
        self.augment = Some(augment);
        self
    }

    /// Weights each training example's loss by its class's weight, as Keras' `class_weight`
    /// (see [`ClassWeighted`](crate::loss::ClassWeighted)); the validation loss is not
    /// weighted. [`Dataset::balanced_class_weights`] gives weights that make every class
    /// count the same.
    pub fn class_weights(mut self, weights: Vec<f64>) -> Self {
        self.class_weights = Some(weights);
        self
    }

    /// Clips each step's gradient to Euclidean norm `max_norm` (see
    /// [`clip_grad_norm`](crate::optim::clip_grad_norm)).
    pub fn clip_grad_norm(mut self, max_norm: f64) -> Self {
        self.clip_norm = Some(max_norm);
        self
    }

    /// Trains on a rayon pool of `threads` threads of its own. The figures of a step depend on
    /// the thread count (sums are split across threads), so a resumed run gives the same bits
    /// with the same count.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Writes a checkpoint into `dir` (created if need be) after every epoch, or every
    /// [`checkpoint_every_steps`](Trainer::checkpoint_every_steps), and when interrupted.
    pub fn checkpoint_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint_dir = Some(dir.into());
        self
    }

    /// Checkpoints after every `steps` steps (counted over the whole run) instead of every
    /// epoch, and after the last epoch.
    pub fn checkpoint_every_steps(mut self, steps: usize) -> Self {
        self.every = Every::Steps(steps);
        self
    }

    /// Keeps the newest `k` checkpoints in the folder and removes older ones (3 by default).
    pub fn keep_checkpoints(mut self, k: usize) -> Self {
        self.keep = k;
        self
    }

    /// Goes on from a checkpoint: a checkpoint file, or a folder, from its newest. The network
    /// and optimizer passed to [`fit`](Trainer::fit) are given the checkpoint's weights and
    /// state; the settings must be those of the run that wrote it for the same bits (the data,
    /// the batch size and the optimizer's kind are checked).
    pub fn resume_from(mut self, path: impl Into<PathBuf>) -> Self {
        self.resume = Some(path.into());
        self
    }

    /// Stops after the current step when `flag` becomes `true` (checkpointing first, if a
    /// folder is set), with [`Error::Interrupted`].
    pub fn stop_when(mut self, flag: Arc<AtomicBool>) -> Self {
        self.stop = Some(flag);
        self
    }

    /// Stops after the current step on Ctrl-C (SIGINT), as [`stop_when`](Trainer::stop_when);
    /// a second Ctrl-C ends the process at once (status 130). The handler is installed by the
    /// first `fit` that asks for it and stays for the process's life, so that afterwards too it
    /// takes two Ctrl-C to end the process; on platforms other than Unix this setting does
    /// nothing.
    pub fn stop_on_ctrl_c(mut self) -> Self {
        self.ctrl_c = true;
        self
    }

    /// No progress bar or lines, even on a terminal.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// The number of steps of one epoch on `data`: what a per-step schedule of a whole run
    /// multiplies by the epochs.
    /// # Examples
    /// ```
    /// assert_eq!(cnn::Trainer::new().batch_size(32).steps_per_epoch(1438), 45);
    /// ```
    pub fn steps_per_epoch(&self, examples: usize) -> usize {
        examples.div_ceil(self.batch_size.max(1))
    }

    /// Trains `net` on `train` with `loss` and `optimizer`, and returns what each epoch
    /// measured.
    ///
    /// Everything is checked before the first step, so a refusal changes nothing, and indices
    /// in errors are positions in the data set.
    ///
    /// # Errors
    /// [`Error::Shape`] for images that do not fit the network or labels not one per image,
    /// [`Error::EmptyBatch`] for no examples or a batch size of 0, [`Error::ClassIndex`] for a
    /// label the network has no output for, [`Error::NonFinite`] for NaN or infinite pixels,
    /// [`Error::Setting`] for settings that cannot work, the checkpoint errors of
    /// [`Checkpoint::load`] and [`Error::CheckpointMismatch`] for a checkpoint of another run,
    /// [`Error::NoCheckpoint`] for a folder without one, [`Error::Io`] when a checkpoint
    /// cannot be written; [`Error::Interrupted`] when stopped by Ctrl-C or the stop flag, and
    /// [`Error::NonFiniteLoss`] when the loss diverges. In the last two cases the network
    /// keeps the weights of its last finite step.
    pub fn fit<N, L, O>(
        &self,
        net: &mut N,
        train: &Dataset,
        loss: &L,
        optimizer: &mut O,
    ) -> Result<History, Error>
    where
        N: Network,
        L: Loss,
        O: Optimizer + Send,
    {
        match self.threads {
            Some(threads) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| Error::Setting {
                        setting: "threads",
                        reason: e.to_string(),
                    })?;
                pool.install(|| self.run(net, train, loss, optimizer))
            }
            None => self.run(net, train, loss, optimizer),
        }
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
