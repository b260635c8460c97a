//! Checkpoints: everything a run needs to go on exactly where it stopped, in one safetensors
//! file, written atomically by the [`Trainer`](crate::Trainer) (see
//! [`Trainer::checkpoint_dir`](crate::Trainer::checkpoint_dir) and
//! [`Trainer::resume_from`](crate::Trainer::resume_from)).
//!
//! A file `checkpoint-<step>.safetensors` (the global step count, 10 digits, so that the
//! names sort in order) holds:
//!
//! ```text
//! network.<tensor>    the network as its weight file has it (Network::save), tensors prefixed
//! best.<tensor>       early stopping's best weights so far, if there are any
//! optimizer.<buffer>  F64, one value per parameter: momentum_buffer, exp_avg, exp_avg_sq
//! __metadata__        "format": "cnn-checkpoint", "version": "1", "checksum": CRC-32 of the
//!                     state and of every tensor's bytes, "state": JSON of the network's
//!                     summary and scalar type, epoch and step, the position in the epoch and
//!                     its partial sums, the shuffling and augmentation generators, the
//!                     optimizer's kind and step count, early stopping's best epoch and loss,
//!                     and the history
//! ```
//!
//! so Python reads it with `safetensors.torch.load_file`, and the network's tensors, with
//! their prefix removed, load into a `torch.nn` module. Whatever the network's weight file
//! holds (buffers as well as parameters) comes along.
//!
//! ```
//! use cnn::prelude::*;
//! use cnn::train::checkpoint::{self, Checkpoint};
//!
//! network! {
//!     struct Digits { input(8x8) -> conv(4, 3x3) -> relu -> dense(10) }
//! }
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
//! let train = cnn::data::load_digits(path)?.select(&(0..200).collect::<Vec<_>>());
//! let dir = tempfile::tempdir().unwrap();
//! let trainer = Trainer::new().batch_size(50).quiet().checkpoint_dir(dir.path());
//!
//! // Two epochs, then two more from the checkpoint: as four in one go.
//! let mut net = Digits::new(0);
//! trainer.clone().epochs(2).fit(&mut net, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-3))?;
//! let latest = checkpoint::latest(dir.path())?.unwrap();
//! assert!(latest.ends_with("checkpoint-0000000008.safetensors"));
//! let mut resumed = Digits::new(0);
//! trainer.clone().epochs(4).resume_from(&latest)
//!     .fit(&mut resumed, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-3))?;
//!
//! let mut straight = Digits::new(0);
//! trainer.epochs(4).fit(&mut straight, &train, &SoftmaxCrossEntropy, &mut Adam::new(1e-3))?;
//! assert_eq!(resumed.params(), straight.params());
//!
//! // A checkpoint of another network is refused, saying so.
//! network! { struct Other { input(8x8) -> dense(10) } }
//! let err = Checkpoint::<Other>::load(&latest).unwrap_err();
//! assert!(err.to_string().contains("is of a different network"), "{err}");
//! # Ok::<(), cnn::Error>(())
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use rand_chacha::ChaCha8Rng;
use safetensors::{Dtype, SafeTensors, View};
use serde::{Deserialize, Serialize};

use crate::optim::OptimizerState;
use crate::train::{EpochStats, History};
use crate::{Error, Float, Network, weights};

/// The `format` entry of a checkpoint's metadata.
const FORMAT: &str = "cnn-checkpoint";
/// The `version` entry: the layout of `state`.
const VERSION: &str = "1";
const PREFIX: &str = "checkpoint-";
const SUFFIX: &str = ".safetensors";

/// A checkpoint read back: the network, the optimizer's state, where the run was and what it
/// measured. [`Trainer::resume_from`](crate::Trainer::resume_from) reads one to go on; read
/// one by hand to look at it or to take its network.
/// # Examples
/// See the [module's example](self).
#[derive(Clone, Debug)]
pub struct Checkpoint<N> {
    /// The network as it was after the last step.
    pub net: N,
    /// What the optimizer had accumulated.
    pub optimizer: OptimizerState,
    /// The epochs completed.
    pub epoch: usize,
    /// The steps completed, over all epochs.
    pub step: usize,
    /// The history of the completed epochs.
    pub history: History,
    /// Early stopping's best epoch so far, and the network of that epoch.
    pub best: Option<(usize, N)>,
    pub(crate) run: RunState,
}

/// Where a run stands, besides the network and the optimizer: the `state` of the metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunState {
    pub network: NetworkInfo,
    pub examples: usize,
    pub batch_size: usize,
    pub epoch: usize,
    pub step: usize,
    /// Steps done in the current, unfinished epoch (0 between epochs).
    pub step_in_epoch: usize,
    pub partial: Partial,
    /// The shuffling generator at the start of the current epoch, before its shuffle.
    pub shuffle: RngState,
    /// The augmentation generator now.
    pub augment: RngState,
    pub optimizer_kind: String,
    pub optimizer_steps: u64,
    /// Early stopping's best validation loss and its epoch.
    pub best: Option<(f64, usize)>,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    pub history: Vec<EpochStats>,
    pub threads: usize,
}

/// What identifies the network a checkpoint is of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct NetworkInfo {
    /// `Network::SUMMARY`: the name, then the table of layers.
    pub summary: String,
    /// `F32` or `F64`.
    pub scalar: String,
    pub params: usize,
}

impl NetworkInfo {
    pub fn of<N: Network>() -> Self {
        NetworkInfo {
            summary: N::SUMMARY.to_owned(),
            scalar: N::Scalar::NAME.to_owned(),
            params: N::PARAM_LEN,
        }
    }
}

/// The sums of the current epoch so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Partial {
    pub loss_sum: f64,
    pub correct: usize,
    pub examples: usize,
    pub seconds: f64,
    pub lr: f64,
}

/// A ChaCha8 generator's whole state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RngState {
    /// The 32-byte seed, in hexadecimal.
    pub seed: String,
    pub stream: u64,
    /// The position in the stream, in 32-bit words (a `u128`, in decimal).
    pub word_pos: String,
}

impl RngState {
    pub fn of(rng: &ChaCha8Rng) -> Self {
        RngState {
            seed: rng.get_seed().iter().map(|b| format!("{b:02x}")).collect(),
            stream: rng.get_stream(),
            word_pos: rng.get_word_pos().to_string(),
        }
    }

    /// The generator, or `None` for a malformed state.
    pub fn rng(&self) -> Option<ChaCha8Rng> {
        use rand::SeedableRng;
        let mut seed = [0u8; 32];
        if self.seed.len() != 64 || !self.seed.is_ascii() {
            return None;
        }
        for (b, hex) in seed.iter_mut().zip(self.seed.as_bytes().chunks(2)) {
            *b = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        }
        let mut rng = ChaCha8Rng::from_seed(seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word_pos.parse().ok()?);
        Some(rng)
    }
}

/// The newest checkpoint in `dir` (the highest step count), or `None` when it holds none.
///
/// # Errors
/// [`Error::Io`] (action `"read checkpoint folder"`) when `dir` cannot be listed.
/// # Examples
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// assert_eq!(cnn::train::checkpoint::latest(dir.path())?, None);
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn latest(dir: impl AsRef<Path>) -> Result<Option<PathBuf>, Error> {
    Ok(list(dir.as_ref())?.pop())
}

/// The checkpoints in `dir`, oldest first.
fn list(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = fs::read_dir(dir).map_err(|error| Error::Io {
        action: "read checkpoint folder",
        path: dir.to_path_buf(),
        error,
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// The file of the checkpoint after `step` steps in `dir`.
fn file_name(dir: &Path, step: usize) -> PathBuf {
    dir.join(format!("{PREFIX}{step:010}{SUFFIX}"))
}

/// One tensor to write.
struct Bytes {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for &Bytes {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// The tensors of a network's weight file, their names prefixed.
fn network_tensors<N: Network>(net: &N, prefix: &str) -> Result<Vec<(String, Bytes)>, Error> {
    let bytes = weights::to_bytes(net)?;
    let file = SafeTensors::deserialize(&bytes).map_err(|e| Error::WeightFormat {
        reason: e.to_string(),
    })?;
    Ok(file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            let tensor = Bytes {
                dtype: view.dtype(),
                shape: view.shape().to_vec(),
                data: view.data().to_vec(),
            };
            (format!("{prefix}{name}"), tensor)
        })
        .collect())
}

/// CRC-32 of the state's JSON, then of each tensor's name and bytes, in name order.
fn checksum<'t>(state: &str, tensors: impl Iterator<Item = (&'t str, &'t [u8])>) -> String {
    let mut crc = crc32fast::Hasher::new();
    crc.update(state.as_bytes());
    for (name, data) in tensors {
        crc.update(name.as_bytes());
        crc.update(data);
    }
    format!("{:08x}", crc.finalize())
}

/// What [`write`] saves.
pub(crate) struct Saved<'a, N> {
    pub net: &'a N,
    pub optimizer: OptimizerState,
    pub best: Option<&'a N>,
    pub run: &'a RunState,
}

/// Writes a checkpoint into `dir` (created if need be), atomically, and removes all but the
/// newest `keep`; returns its path.
pub(crate) fn write<N: Network>(
    dir: &Path,
    keep: usize,
    saved: Saved<'_, N>,
) -> Result<PathBuf, Error> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |error| Error::Io {
            action,
            path,
            error,
        }
    };
    fs::create_dir_all(dir).map_err(io("create checkpoint folder", dir))?;
    let mut tensors = network_tensors(saved.net, "network.")?;
    if let Some(best) = saved.best {
        tensors.extend(network_tensors(best, "best.")?);
    }
    for (name, values) in &saved.optimizer.buffers {
        let tensor = Bytes {
            dtype: Dtype::F64,
            shape: vec![values.len()],
            data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        };
        tensors.push((format!("optimizer.{name}"), tensor));
    }
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let state = serde_json::to_string(saved.run).map_err(|e| Error::WeightFormat {
        reason: e.to_string(),
    })?;
    let sum = checksum(
        &state,
        tensors.iter().map(|(n, t)| (n.as_str(), t.data.as_slice())),
    );
    let metadata = [
        ("format", FORMAT.to_owned()),
        ("version", VERSION.to_owned()),
        ("checksum", sum),
        ("state", state),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let bytes =
        safetensors::serialize(tensors.iter().map(|(n, t)| (n.as_str(), t)), Some(metadata))
            .map_err(|e| Error::WeightFormat {
                reason: e.to_string(),
            })?;
    let path = file_name(dir, saved.run.step);
    weights::write_atomic(&path, &bytes).map_err(io("write checkpoint", &path))?;
    let all = list(dir)?;
    for old in &all[..all.len().saturating_sub(keep)] {
        // Best effort: a stale checkpoint left behind costs disk space, not correctness.
        let _ = fs::remove_file(old);
    }
    Ok(path)
}

impl<N: Network> Checkpoint<N> {
    /// Reads a checkpoint written by the [`Trainer`](crate::Trainer) for a network of type
    /// `N`.
    ///
    /// # Errors
    /// [`Error::Io`] (action `"read checkpoint"`) when the file cannot be read;
    /// [`Error::CheckpointCorrupt`] when it is not a checkpoint, or its bytes changed since
    /// it was written (its checksum does not match); [`Error::CheckpointMismatch`] when it is
    /// the checkpoint of a different network (other layers, scalar type or tensors).
    /// # Examples
    /// See the [module's example](self).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|error| Error::Io {
            action: "read checkpoint",
            path: path.to_path_buf(),
            error,
        })?;
        let corrupt = |reason: String| Error::CheckpointCorrupt {
            path: path.to_path_buf(),
            reason,
        };
        let file = SafeTensors::deserialize(&bytes)
            .map_err(|e| corrupt(format!("it is not a safetensors file ({e})")))?;
        let (_, header) = SafeTensors::read_metadata(&bytes)
            .map_err(|e| corrupt(format!("it is not a safetensors file ({e})")))?;
        let meta = header.metadata().as_ref();
        let entry = |key: &str| meta.and_then(|m| m.get(key)).map(String::as_str);
        if entry("format") != Some(FORMAT) {
            return Err(corrupt(
                "it has no checkpoint metadata (is it a weight file?)".to_owned(),
            ));
        }
        if entry("version") != Some(VERSION) {
            return Err(corrupt(format!(
                "it is of format version {}, this is version {VERSION}",
                entry("version").unwrap_or("?")
            )));
        }
        let state = entry("state").unwrap_or("");
        let mut names = file.names();
        names.sort_unstable();
        let views: Vec<_> = names
            .iter()
            .map(|&n| file.tensor(n).map(|v| (n, v)))
            .collect::<Result<_, _>>()
            .map_err(|e| corrupt(e.to_string()))?;
        let sum = checksum(state, views.iter().map(|(n, v)| (*n, v.data())));
        if entry("checksum") != Some(sum.as_str()) {
            return Err(corrupt(
                "its checksum does not match its content: the file was damaged or changed"
                    .to_owned(),
            ));
        }
        let run: RunState = serde_json::from_str(state)
            .map_err(|e| corrupt(format!("its state does not parse ({e})")))?;
        check_network::<N>(path, &run.network)?;

        let network_of = |prefix: &str| -> Result<Option<N>, Error> {
            let tensors: Vec<(String, Bytes)> = views
                .iter()
                .filter_map(|(name, v)| {
                    name.strip_prefix(prefix).map(|n| {
                        let t = Bytes {
                            dtype: v.dtype(),
                            shape: v.shape().to_vec(),
                            data: v.data().to_vec(),
                        };
                        (n.to_owned(), t)
                    })
                })
                .collect();
            if tensors.is_empty() {
                return Ok(None);
            }
            let bytes = safetensors::serialize(tensors.iter().map(|(n, t)| (n.as_str(), t)), None)
                .map_err(|e| corrupt(e.to_string()))?;
            weights::from_bytes(&bytes)
                .map(Some)
                .map_err(|e| mismatch(path, e.to_string()))
        };
        let net =
            network_of("network.")?.ok_or_else(|| corrupt("it holds no network".to_owned()))?;
        let best = match (network_of("best.")?, run.best) {
            (Some(net), Some((_, epoch))) => Some((epoch, net)),
            _ => None,
        };
        let mut buffers = Vec::new();
        for (name, view) in &views {
            if let Some(buffer) = name.strip_prefix("optimizer.") {
                if view.dtype() != Dtype::F64 || view.shape() != [N::PARAM_LEN] {
                    return Err(corrupt(format!(
                        "tensor `{name}` is {:?} {:?}, not F64 [{}]",
                        view.dtype(),
                        view.shape(),
                        N::PARAM_LEN
                    )));
                }
                let (chunks, _) = view.data().as_chunks::<8>();
                let values = chunks.iter().map(|&b| f64::from_le_bytes(b)).collect();
                buffers.push((buffer.to_owned(), values));
            }
        }
        let history = History {
            epochs: run.history.clone(),
            restored_epoch: None,
        };
        Ok(Checkpoint {
            net,
            optimizer: OptimizerState {
                kind: run.optimizer_kind.clone(),
                steps: run.optimizer_steps,
                buffers,
            },
            epoch: run.epoch,
            step: run.step,
            history,
            best,
            run,
        })
    }
}

pub(crate) fn mismatch(path: &Path, reason: String) -> Error {
    Error::CheckpointMismatch {
        path: path.to_path_buf(),
        reason,
    }
}

/// Refuses the checkpoint of another network: other layers (the summary's table, whatever
/// the network's name), another scalar type or parameter count.
fn check_network<N: Network>(path: &Path, theirs: &NetworkInfo) -> Result<(), Error> {
    let ours = NetworkInfo::of::<N>();
    let name = |summary: &str| summary.lines().next().unwrap_or("").to_owned();
    let table = |summary: &str| {
        summary
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let (a, b) = (table(&theirs.summary), table(&ours.summary));
    if a != b {
        let differ = a
            .iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map(|(x, y)| {
                format!(
                    ": its layers read `{}` where this network's read `{}`",
                    x.trim(),
                    y.trim()
                )
            })
            .unwrap_or_default();
        return Err(mismatch(
            path,
            format!(
                "it was written for network `{}`, not `{}`{differ}",
                name(&theirs.summary),
                name(&ours.summary)
            ),
        ));
    }
    if theirs.scalar != ours.scalar || theirs.params != ours.params {
        return Err(mismatch(
            path,
            format!(
                "it holds {} {} parameters, this network {} {}",
                theirs.params, theirs.scalar, ours.params, ours.scalar
            ),
        ));
    }
    Ok(())
}
