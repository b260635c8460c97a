//! The runtime of [`cnn`](https://docs.rs/cnn): everything that does not depend on a network's
//! shapes. Losses, optimizers, initialisation, batching and the [`Network`] trait live here as
//! ordinary, tested Rust; the `network!` macro generates only what depends on the shapes.
//!
//! Use it through the `cnn` crate, which re-exports it.
//!
//! # Features
//! - `std` (default): batches, training, optimizers, seeded initialisation, data and weight
//!   files, `Error`. Without it the crate is `#![no_std]` and uses no allocator: what is left
//!   is what one example's passes need, [`Float`], [`Tensor`], the [`kernels`], the
//!   [`loss`]es and the required items of [`Network`] (`zeroed`, `forward`, `evaluate`,
//!   `backprop`, `input_gradient`), enough to run a network on a microcontroller.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
pub mod data;
#[cfg(feature = "std")]
mod error;
mod float;
#[cfg(feature = "std")]
pub mod gradcheck;
pub mod init;
pub mod kernels;
pub mod loss;
mod network;
#[cfg(feature = "std")]
pub mod optim;
#[cfg(feature = "std")]
pub mod reference;
mod tensor;
#[cfg(feature = "std")]
pub mod train;
#[cfg(feature = "std")]
pub mod weights;

#[cfg(test)]
mod testing;

#[cfg(feature = "std")]
pub use error::{Dims, Error};
pub use float::Float;
pub use init::Init;
pub use network::{Network, TensorInfo};
pub use tensor::{Tensor, part, parts_mut, reshape, reshape_mut};
#[cfg(feature = "std")]
pub use train::{EpochStats, History, Targets, Trainer, Validation};

/// What the generated code names, by absolute path `::cnn::__private::...`. Not public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "std")]
    pub use crate::Error;
    pub use crate::kernels::*;
    pub use crate::loss::Loss;
    pub use crate::tensor::{Tensor, part, parts_mut, reshape, reshape_mut};
    pub use crate::{Float, Init, Network, TensorInfo};
    #[cfg(feature = "std")]
    pub use ndarray::{Array2, ArrayView2, ArrayView4};
}
