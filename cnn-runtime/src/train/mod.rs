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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use ndarray::{ArrayView2, ArrayView4};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::Dataset;
use crate::loss::Loss;
use crate::optim::{ClipGradNorm, Optimizer};
use crate::{Error, Float, Network};

pub mod augment;
pub mod checkpoint;
mod interrupt;
pub mod metrics;
mod progress;
pub mod schedule;

pub use augment::Augment;
pub use checkpoint::Checkpoint;
pub use metrics::{ConfusionMatrix, EpochStats, Evaluation, History, Predict, evaluate};
pub use schedule::{
    ConstantLr, ExponentialLr, MultiStepLr, OneCycleLr, Schedule, StepLr, WarmupCosineLr,
};

use checkpoint::{NetworkInfo, Partial, RngState, RunState};
use metrics::{check_dataset, one_hot_into};
use progress::Progress;

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

    /// Refuses settings that cannot work, and data that does not fit.
    fn check<N: Network>(&self, train: &Dataset) -> Result<(), Error> {
        let setting = |setting, reason: &str| {
            Err(Error::Setting {
                setting,
                reason: reason.to_owned(),
            })
        };
        if self.batch_size == 0 || train.is_empty() {
            return Err(Error::EmptyBatch {
                what: "training data",
            });
        }
        check_dataset::<N>(train, "training data")?;
        if let Some(valid) = self.validation {
            check_dataset::<N>(valid, "validation data")?;
        }
        if self.patience.is_some() && self.validation.is_none() {
            return setting(
                "early_stopping",
                "it watches the validation loss, but no validation data was given (Trainer::validation)",
            );
        }
        if let Some(w) = &self.class_weights {
            let classes = metrics::classes_of::<N>();
            if w.len() < classes || w.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
                return setting(
                    "class_weights",
                    &format!(
                        "{w:?} is not a finite, non-negative weight for each of the {classes} classes"
                    ),
                );
            }
        }
        if self.clip_norm.is_some_and(|c| !(c > 0.0 && c.is_finite())) {
            return setting(
                "clip_grad_norm",
                "the norm limit must be positive and finite",
            );
        }
        if self.every == Every::Steps(0) || self.keep == 0 {
            return setting(
                "checkpoints",
                "every 0 steps or keeping 0 checkpoints cannot work",
            );
        }
        Ok(())
    }

    fn run<N: Network, L: Loss, O: Optimizer>(
        &self,
        net: &mut N,
        train: &Dataset,
        loss: &L,
        optimizer: &mut O,
    ) -> Result<History, Error> {
        self.check::<N>(train)?;
        let stop = self.stop_flag()?;
        let mut run = match &self.resume {
            Some(path) => self.resume::<N, O>(path, train, net, optimizer)?,
            None => Run::new(self.seed, train.len(), self.batch_size),
        };
        let progress = Progress::new(self.quiet, self.epochs, train.len());
        let [c, h, w] = N::INPUT_SHAPE;
        let mut batch_x = vec![N::Scalar::ZERO; self.batch_size * N::INPUT_LEN];
        let mut batch_y = vec![N::Scalar::ZERO; self.batch_size * N::OUTPUT_LEN];
        let counting = Counting {
            loss,
            weights: self.class_weights.as_deref(),
            correct: AtomicUsize::new(0),
            single_output: N::OUTPUT_LEN == 1,
        };
        let mut stepper = ClipGradNorm::maybe(&mut *optimizer, self.clip_norm);
        while run.state.epoch < self.epochs && !run.state.stopped_early {
            let epoch = run.state.epoch + 1;
            let start = Instant::now();
            let mut order: Vec<usize> = (0..train.len()).collect();
            let mut shuffle = run.shuffle.clone();
            crate::data::shuffle(&mut order, &mut shuffle);
            let bar = progress.bar(epoch, run.state.partial.examples);
            let skip = run.state.step_in_epoch;
            let mut due = false;
            for indices in order.chunks(self.batch_size).skip(skip) {
                let k = indices.len();
                let key = self.augment.as_ref().map(|a| (a, run.augment.next_u64()));
                augment::gather(train, indices, key, &mut batch_x[..k * N::INPUT_LEN]);
                let targets = &mut batch_y[..k * N::OUTPUT_LEN];
                for (row, &i) in targets.chunks_exact_mut(N::OUTPUT_LEN).zip(indices) {
                    one_hot_into(row, train.labels[i]);
                }
                if let Some(schedule) = &self.schedule {
                    let lr = schedule::lr_at(schedule.as_ref(), epoch - 1, run.state.step);
                    if !(lr.is_finite() && lr >= 0.0) {
                        return Err(Error::Setting {
                            setting: "schedule",
                            reason: format!(
                                "{schedule:?} gave the rate {lr} at step {}",
                                run.state.step
                            ),
                        });
                    }
                    stepper.set_lr(lr);
                }
                let x = ArrayView4::from_shape((k, c, h, w), &batch_x[..k * N::INPUT_LEN])
                    .expect("a batch of whole examples");
                let y = ArrayView2::from_shape((k, N::OUTPUT_LEN), &batch_y[..k * N::OUTPUT_LEN])
                    .expect("a row per example");
                let l = net.train_step(x, y, &counting, &mut stepper)?;
                let partial = &mut run.state.partial;
                partial.loss_sum += l.to_f64() * k as f64;
                partial.correct += counting.correct.swap(0, Ordering::Relaxed);
                partial.examples += k;
                partial.lr = stepper.lr();
                run.state.step += 1;
                run.state.step_in_epoch += 1;
                let elapsed = partial.seconds + start.elapsed().as_secs_f64();
                progress.update(&bar, partial, elapsed);
                if stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
                    bar.finish_and_clear();
                    let checkpoint = self.save(&run, net, stepper.state(), elapsed)?;
                    return Err(Error::Interrupted {
                        epoch,
                        step: run.state.step,
                        checkpoint,
                    });
                }
                if let Every::Steps(every) = self.every
                    && run.state.step % every == 0
                {
                    // At an epoch's last step, after its validation, below.
                    if run.state.step_in_epoch == self.steps_per_epoch(train.len()) {
                        due = true;
                    } else {
                        self.save(&run, net, stepper.state(), elapsed)?;
                    }
                }
            }
            bar.finish_and_clear();
            let partial = run.state.partial;
            let train_seconds = partial.seconds + start.elapsed().as_secs_f64();
            let valid = match self.validation {
                Some(data) => Some(evaluate(net, data, loss)?),
                None => None,
            };
            let stats = EpochStats {
                epoch,
                train_loss: partial.loss_sum / partial.examples as f64,
                train_accuracy: partial.correct as f64 / partial.examples as f64,
                valid_loss: valid.as_ref().map(|v| v.loss),
                valid_accuracy: valid.as_ref().map(|v| v.accuracy),
                lr: partial.lr,
                seconds: partial.seconds + start.elapsed().as_secs_f64(),
                examples_per_second: partial.examples as f64 / train_seconds.max(1e-9),
            };
            progress.line(&stats);
            run.history.epochs.push(stats);
            run.shuffle = shuffle;
            run.state.epoch = epoch;
            run.state.step_in_epoch = 0;
            run.state.partial = Partial::default();
            if let (Some(patience), Some(v)) = (self.patience, valid) {
                match &run.best {
                    Some((best, _, _)) if v.loss >= *best => {
                        let since = epoch - run.best.as_ref().map_or(0, |b| b.1);
                        run.state.stopped_early = since >= patience;
                    }
                    _ => run.best = Some((v.loss, epoch, net.clone())),
                }
            }
            let last = run.state.epoch == self.epochs || run.state.stopped_early;
            if self.every == Every::Epoch || last || due {
                self.save(&run, net, stepper.state(), 0.0)?;
            }
        }
        let mut history = run.history;
        if let Some((_, epoch, best)) = run.best {
            *net = best;
            history.restored_epoch = Some(epoch);
        }
        Ok(history)
    }

    /// The flag that stops training, if any: the caller's, or Ctrl-C's (cleared first).
    fn stop_flag(&self) -> Result<Option<Arc<AtomicBool>>, Error> {
        if let Some(flag) = &self.stop {
            return Ok(Some(Arc::clone(flag)));
        }
        if self.ctrl_c {
            return interrupt::ctrl_c().map(Some);
        }
        Ok(None)
    }

    /// Writes a checkpoint of `run` if a folder is set, `seconds` into the current epoch, and
    /// returns its path.
    fn save<N: Network>(
        &self,
        run: &Run<N>,
        net: &N,
        optimizer: crate::optim::OptimizerState,
        seconds: f64,
    ) -> Result<Option<PathBuf>, Error> {
        let Some(dir) = &self.checkpoint_dir else {
            return Ok(None);
        };
        let mut state = run.state.clone();
        state.partial.seconds = seconds;
        state.shuffle = RngState::of(&run.shuffle);
        state.augment = RngState::of(&run.augment);
        state.optimizer_kind = optimizer.kind.clone();
        state.optimizer_steps = optimizer.steps;
        state.best = run.best.as_ref().map(|(l, e, _)| (*l, *e));
        state.history = run.history.epochs.clone();
        state.threads = rayon::current_num_threads();
        let saved = checkpoint::Saved {
            net,
            optimizer,
            best: run.best.as_ref().map(|(_, _, n)| n),
            run: &state,
        };
        checkpoint::write(dir, self.keep, saved).map(Some)
    }

    /// The run stored at `path` (a checkpoint, or a folder's newest), its network and
    /// optimizer state put into `net` and `optimizer`.
    fn resume<N: Network, O: Optimizer>(
        &self,
        path: &std::path::Path,
        train: &Dataset,
        net: &mut N,
        optimizer: &mut O,
    ) -> Result<Run<N>, Error> {
        let file = if path.is_dir() {
            checkpoint::latest(path)?.ok_or_else(|| Error::NoCheckpoint {
                path: path.to_path_buf(),
            })?
        } else {
            path.to_path_buf()
        };
        let ckpt = Checkpoint::<N>::load(&file)?;
        let run = &ckpt.run;
        let differs = |what: &str, theirs: usize, ours: usize| {
            Err(checkpoint::mismatch(
                &file,
                format!("it was written with {theirs} {what}, this run has {ours}"),
            ))
        };
        if run.examples != train.len() {
            return differs("training examples", run.examples, train.len());
        }
        if run.batch_size != self.batch_size {
            return differs("examples per batch", run.batch_size, self.batch_size);
        }
        let corrupt = |what: &str| Error::CheckpointCorrupt {
            path: file.clone(),
            reason: format!("its {what} generator's state does not parse"),
        };
        let shuffle = run.shuffle.rng().ok_or_else(|| corrupt("shuffling"))?;
        let augment = run.augment.rng().ok_or_else(|| corrupt("augmentation"))?;
        optimizer
            .set_state(&ckpt.optimizer)
            .map_err(|e| checkpoint::mismatch(&file, e.to_string()))?;
        *net = ckpt.net;
        let best = match (run.best, ckpt.best) {
            (Some((loss, epoch)), Some((_, best))) => Some((loss, epoch, best)),
            _ => None,
        };
        Ok(Run {
            state: ckpt.run,
            shuffle,
            augment,
            history: ckpt.history,
            best,
        })
    }
}

/// A run's state between steps: what a checkpoint keeps, with the generators and the best
/// network as values.
struct Run<N> {
    state: RunState,
    shuffle: ChaCha8Rng,
    augment: ChaCha8Rng,
    history: History,
    /// Early stopping's best validation loss, its epoch and its network.
    best: Option<(f64, usize, N)>,
}

impl<N: Network> Run<N> {
    fn new(seed: u64, examples: usize, batch_size: usize) -> Self {
        let shuffle = ChaCha8Rng::seed_from_u64(seed);
        let mut augment = ChaCha8Rng::seed_from_u64(seed);
        augment.set_stream(1);
        Run {
            state: RunState {
                network: NetworkInfo::of::<N>(),
                examples,
                batch_size,
                ..RunState::default()
            },
            shuffle,
            augment,
            history: History::default(),
            best: None,
        }
    }
}

/// The training loss, seen by the network: it counts right answers as it sees each example's
/// output, so the training accuracy costs no extra forward pass, and weights examples by class
/// when class weights are set. The output is the softmax's input where the loss takes logits;
/// the largest logit is the largest probability all the same.
struct Counting<'a, L> {
    loss: &'a L,
    weights: Option<&'a [f64]>,
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
        match self.weights {
            Some(weights) => {
                let w = T::from_f64(crate::loss::class_weight(weights, target));
                w * self.loss.example(output, target, scale * w, d_output)
            }
            None => self.loss.example(output, target, scale, d_output),
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
