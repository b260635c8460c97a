//! The loop behind [`Trainer::fit`]: the checks before the first step, the epochs of steps,
//! the checkpoints and the resumption from one, and the state of a run between steps.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use ndarray::{ArrayView2, ArrayView4};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::checkpoint::{NetworkInfo, Partial, RngState, RunState};
use super::metrics::{check_dataset, one_hot_into};
use super::progress::Progress;
use super::{
    Checkpoint, EpochStats, Every, History, Trainer, augment, checkpoint, evaluate, interrupt,
    is_right, metrics, schedule,
};
use crate::data::Dataset;
use crate::loss::Loss;
use crate::optim::{ClipGradNorm, Optimizer};
use crate::{Error, Float, Network};

impl<'a> Trainer<'a> {
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

    pub(super) fn run<N: Network, L: Loss, O: Optimizer>(
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
