//! The one error type of the runtime.

use std::fmt;

/// A dimension list, printed the way the user wrote it: `[100, 1, 22, 22]`.
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
    /// An optimizer's state was built for a different number of parameters.
    #[error("the optimizer holds state for {expected} parameters, but was given {given}")]
    OptimizerState {
        /// The length of the optimizer's state.
        expected: usize,
        /// The length of the parameters passed in.
        given: usize,
    },
}
