//! The runtime of `cnn`: everything that does not depend on a network's shapes. Losses,
//! optimizers, initialisation, batching, training, data sets, weight files and the [`Network`]
//! trait live here as ordinary, tested Rust; the `network!` macro generates only what depends on
//! the shapes.
//!
//! Use it through the `cnn` crate, which re-exports every public module here under its own name
//! (`cnn::loss`, `cnn::data`, ...), so the examples are written as a user of `cnn` writes them:
//!
//! ```
//! use cnn::ndarray::{Array2, Array4};
//! use cnn::prelude::*;
//!
//! network! {
//!     pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid }
//! }
//!
//! // Every network implements the runtime's `Network` trait.
//! fn mean_output<N: Network<Scalar = f32>>(net: &N, x: &Array4<f32>) -> Result<f32, Error> {
//!     Ok(net.forward_batch(x.view())?.mean().unwrap_or(0.0))
//! }
//!
//! let mut net = SeedNet::new(1);
//! let x = Array4::from_elem((4, 1, 22, 22), 0.5);
//! let y = Array2::ones((4, 1));
//! net.train_step(x.view(), y.view(), &HalfSquaredError, &mut Sgd::new(0.5))?;
//! assert!(mean_output(&net, &x)? > 0.0);
//! # Ok::<(), Error>(())
//! ```
//!
//! The modules: [`loss`], [`optim`], [`init`], [`train`] (the [`Trainer`], learning-rate
//! schedules, augmentation, checkpoints, metrics), [`data`],
//! [`weights`], [`flash`] (weights compiled into the binary), [`quant`] (int8), [`gradcheck`], [`reference`](mod@reference) (plain-loop layers, the test oracle of the
//! generated code) and [`kernels`] (the element-wise and lane helpers the generated code calls).
//!
//! # Features
//! - `std` (default): batches, training, optimizers, seeded initialisation, data and weight
//!   files, `Error`. Without it the crate is `#![no_std]` and uses no allocator: what is left
//!   is what one example's passes need, [`Float`], [`Tensor`], the [`kernels`], the
//!   [`loss`]es and the required items of [`Network`] (`zeroed`, `forward`, `evaluate`,
//!   `backprop`, `input_gradient`), enough to run a network on a microcontroller.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

#[doc(hidden)]
pub mod act;
#[cfg(feature = "std")]
#[doc(hidden)]
pub mod batch;
#[cfg(feature = "std")]
pub mod data;
#[cfg(feature = "std")]
mod error;
pub mod flash;
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
#[doc(hidden)]
pub mod profile;
pub mod quant;
#[cfg(feature = "std")]
pub mod reference;
#[doc(hidden)]
pub mod simd;
#[cfg(feature = "std")]
mod step;
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
pub use train::{EpochStats, History, Predict, Trainer};

/// What the generated code names, by absolute path `::cnn::__private::...`. Not public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "std")]
    pub use crate::Error;
    pub use crate::act;
    #[cfg(feature = "std")]
    pub use crate::batch;
    pub use crate::init::init_buffers;
    pub use crate::kernels::*;
    pub use crate::loss::Loss;
    #[cfg(feature = "std")]
    pub use crate::profile;
    pub use crate::quant;
    pub use crate::simd::{Lanes, Pack, Simd, WithSimd};
    pub use crate::tensor::{
        ParamStore, Tensor, params_clone, params_of, params_of_mut, params_zeroed, part, part_mut,
        parts_mut, reshape, reshape_mut, split_mut, split2_mut, split3_mut, two_mut,
    };
    pub use crate::{Float, Init, Network, TensorInfo};
    #[cfg(feature = "std")]
    pub use ndarray::{Array2, ArrayView2, ArrayView4};
}
