//! The runtime of [`cnn`](https://docs.rs/cnn): everything that does not depend on a network's
//! shapes. Losses, optimizers, initialisation, batching and the [`Network`] trait live here as
//! ordinary, tested Rust; the `network!` macro generates only what depends on the shapes.
//!
//! Use it through the `cnn` crate, which re-exports it.

#![warn(missing_docs)]

pub mod data;
mod error;
mod float;
pub mod gradcheck;
pub mod init;
pub mod kernels;
pub mod loss;
mod network;
pub mod optim;
pub mod reference;
mod tensor;
pub mod train;
pub mod weights;

pub use error::{Dims, Error};
pub use float::Float;
pub use init::Init;
pub use network::{Network, TensorInfo};
pub use tensor::{Tensor, part, parts_mut, reshape, reshape_mut};
pub use train::{EpochStats, History, Targets, Trainer, Validation};

/// What the generated code names, by absolute path `::cnn::__private::...`. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::kernels::*;
    pub use crate::loss::Loss;
    pub use crate::tensor::{Tensor, part, parts_mut, reshape, reshape_mut};
    pub use crate::{Error, Float, Init, Network, TensorInfo};
    pub use ndarray::{Array2, ArrayView2, ArrayView4};
}
