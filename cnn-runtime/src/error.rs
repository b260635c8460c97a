//! The one error type of the runtime.

use std::fmt;
use std::path::PathBuf;

/// A dimension list, printed the way the user wrote it: `[100, 1, 22, 22]`.
/// # Examples
/// ```
/// use cnn::Dims;
/// assert_eq!(Dims::from([100, 1, 22, 22]).to_string(), "[100, 1, 22, 22]");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Dims(pub Vec<usize>);

impl fmt::Debug for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<&[usize]> for Dims {
    fn from(d: &[usize]) -> Self {
        Dims(d.to_vec())
    }
}

impl<const N: usize> From<[usize; N]> for Dims {
    fn from(d: [usize; N]) -> Self {
        Dims(d.to_vec())
    }
}

/// Everything that can go wrong at run time: each variant says what was expected and what came.
/// # Examples
/// ```
/// use cnn::ndarray::Array4;
/// use cnn::prelude::*;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2x2) -> dense(1) }
/// }
///
/// let x = Array4::<f32>::zeros((2, 1, 5, 4));
/// let err = Tiny::new(0).forward_batch(x.view()).unwrap_err();
/// assert!(matches!(err, Error::Shape { .. }));
/// assert_eq!(err.to_string(), "input batch has shape [2, 1, 5, 4], but [2, 1, 4, 4] was expected");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An array's shape does not fit the network.
    #[error("{what} has shape {given}, but {expected} was expected")]
    Shape {
        /// Which argument: `"input batch"`, `"targets"`, ...
        what: &'static str,
        /// The shape the network needs.
        expected: Dims,
        /// The shape that was given.
        given: Dims,
    },
    /// A batch of zero examples where at least one is needed (a mean over none is undefined).
    #[error("{what} is an empty batch: at least one example is needed")]
    EmptyBatch {
        /// Which argument.
        what: &'static str,
    },
    /// A NaN or infinite value in the data.
    #[error("{what} holds a non-finite value ({value}) at index {index}")]
    NonFinite {
        /// Which argument.
        what: &'static str,
        /// The multi-index of the first such value.
        index: Dims,
        /// The value, as `f64`.
        value: f64,
    },
    /// The loss came out NaN or infinite; the parameters were not changed.
    #[error("the loss is {value}: the step was refused and the parameters are unchanged")]
    NonFiniteLoss {
        /// The loss value.
        value: f64,
    },
    /// A training batch would give a batch norm a statistic over a single value (PyTorch
    /// refuses it too: the variance of one value says nothing).
    #[error(
        "batch norm `{layer}` would normalise over {values} value per channel: a training batch needs more examples"
    )]
    BatchStatistics {
        /// The batch norm's name.
        layer: &'static str,
        /// Values per channel in the batch (examples times positions).
        values: usize,
    },
    /// A class index is not below the number of outputs.
    #[error("example {index} has class {class}, but the network has {classes} outputs")]
    ClassIndex {
        /// The example.
        index: usize,
        /// Its class index.
        class: usize,
        /// The number of classes (outputs).
        classes: usize,
    },
    /// An optimizer's state was built for a different number of parameters.
    #[error("the optimizer holds state for {expected} parameters, but was given {given}")]
    OptimizerState {
        /// The length of the optimizer's state.
        expected: usize,
        /// The length of the parameters passed in.
        given: usize,
    },
    /// An [`OptimizerState`](crate::optim::OptimizerState) restored into an optimizer it does
    /// not fit: another kind, or a buffer missing.
    #[error("the optimizer state does not fit `{expected}`: {reason}")]
    OptimizerKind {
        /// The optimizer given the state: `"Sgd"`, `"Adam"`.
        expected: String,
        /// What does not fit.
        reason: String,
    },
    /// A file could not be read or written. A failed weight-file save leaves any previous file
    /// at the path untouched.
    #[error("failed to {action} `{}`: {error}", path.display())]
    Io {
        /// What was being done, completing "failed to ...": `"read weight file"`,
        /// `"write weight file"`.
        action: &'static str,
        /// The path the caller passed.
        path: PathBuf,
        /// What the operating system reported (also in the message, so not a `source`).
        error: std::io::Error,
    },
    /// The bytes are not a safetensors file: too short, a truncated or oversized header, invalid
    /// JSON, offsets that do not tile the data.
    #[error("invalid safetensors data: {reason}")]
    WeightFormat {
        /// What the safetensors parser reported.
        reason: String,
    },
    /// The network has a tensor that the weight file lacks.
    #[error("the weight file has no tensor `{name}`")]
    MissingTensor {
        /// The tensor's name, `<label>.weight` or `<label>.bias`.
        name: String,
    },
    /// The weight file has a tensor that the network lacks.
    #[error("the weight file has a tensor `{name}` that the network does not have")]
    UnexpectedTensor {
        /// The tensor's name in the file.
        name: String,
    },
    /// A tensor of the weight file has another shape than the network's.
    #[error("tensor `{name}` has shape {given} in the weight file, but {expected} was expected")]
    TensorShape {
        /// The tensor's name.
        name: String,
        /// The network's (PyTorch) shape of the tensor.
        expected: Dims,
        /// The shape in the file.
        given: Dims,
    },
    /// A tensor of the weight file has an element type that cannot be loaded.
    #[error("tensor `{name}` has dtype {given} in the weight file, but {expected} was expected")]
    TensorDtype {
        /// The tensor's name.
        name: String,
        /// The dtypes that load: `"F32 or F64"`.
        expected: &'static str,
        /// The dtype in the file, as safetensors spells it: `"BF16"`, `"I64"`, ...
        given: String,
    },
    /// A file that should be a checkpoint is not one, or was damaged: not safetensors, no
    /// checkpoint metadata, or a checksum that does not match.
    #[error("checkpoint `{}` is corrupted: {reason}", path.display())]
    CheckpointCorrupt {
        /// The checkpoint's path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A quantized network's file made for another network.
    #[error("the quantized network file is of network `{found}`, not of `{expected}`{detail}")]
    OtherNetwork {
        /// The network asked for (the first line of its summary).
        expected: String,
        /// The network the file names.
        found: String,
        /// More on the difference, when the names agree.
        detail: &'static str,
    },
    /// A checkpoint of another network, or of another run than the one resumed (other data or
    /// batch size, another optimizer).
    #[error("checkpoint `{}` is of a different network or run: {reason}", path.display())]
    CheckpointMismatch {
        /// The checkpoint's path.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
    /// A folder to resume from holds no checkpoint.
    #[error("there is no checkpoint in `{}` to resume from", path.display())]
    NoCheckpoint {
        /// The folder.
        path: PathBuf,
    },
    /// Training was stopped (Ctrl-C, or the stop flag) after a step; the network holds the
    /// weights after that step.
    #[error("training was interrupted after step {step} (epoch {epoch}); {}", match checkpoint {
        Some(path) => format!("resume from the checkpoint `{}`", path.display()),
        None => "no checkpoint was written: no checkpoint folder was set".to_owned(),
    })]
    Interrupted {
        /// The epoch under way (1-based).
        epoch: usize,
        /// The steps completed, over all epochs.
        step: usize,
        /// The checkpoint written on the way out, if a checkpoint folder was set.
        checkpoint: Option<PathBuf>,
    },
    /// A setting of the [`Trainer`](crate::Trainer) that cannot work, or does not fit the data.
    #[error("{setting}: {reason}")]
    Setting {
        /// The setting: `"early_stopping"`, `"schedule"`, ...
        setting: &'static str,
        /// Why it cannot work.
        reason: String,
    },
    /// A data file's content is malformed: the file, where (line or byte offset) and what was
    /// wrong, as expected versus found.
    #[error("{source_name}{}: {reason}", Location(*.line, *.offset))]
    Data {
        /// The file's path as given, or `input` / `images` / `labels` for a reader.
        source_name: String,
        /// The 1-based line, for a text format.
        line: Option<usize>,
        /// The byte offset, for a binary format (counted in the decompressed bytes).
        offset: Option<u64>,
        /// What was wrong: ``field 65 is `10`, expected a label in 0..=9``.
        reason: String,
    },
}

/// Where in a data file, printed after its name: `:12` for a line, ` at byte 16` for an offset.
struct Location(Option<usize>, Option<u64>);

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.0 {
            write!(f, ":{line}")?;
        }
        if let Some(offset) = self.1 {
            write!(f, " at byte {offset}")?;
        }
        Ok(())
    }
}
