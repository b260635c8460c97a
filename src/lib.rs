//! # cnn
//!
//! Small convolutional networks, written as a chain of layers in Rust source, shape-checked by
//! the compiler and trained by code generated for exactly that network.
//!
//! ```
//! use cnn::prelude::*;
//!
//! network! {
//!     /// The network of the derivation: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
//!     pub struct SeedNet {
//!         input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
//!     }
//! }
//!
//! let net = SeedNet::new(7);
//! let y = net.forward(&[0.5; SeedNet::INPUT_LEN]);
//! assert!(y[0] > 0.0 && y[0] < 1.0);
//! ```
//!
//! A wrong shape is a compile error on the offending layer:
//!
//! ```compile_fail
//! cnn::network! {
//!     pub struct Wrong { input(22x22) -> conv(3x3) -> dense(401->1) }
//! }
//! ```
//!
//! Where to read on:
//!
//! - [`network!`] and [`doc::dsl`]: the DSL, its compile-time rules, and what a network
//!   provides (the public contract);
//! - [`doc::derivation`]: the formulas the generated passes follow;
//! - [`Network`]: the trait every network implements, with the batch methods;
//! - [`loss`], [`optim`], [`Trainer`]: losses, optimizers and the training loop, with
//!   [`train::schedule`], [`train::augment`], [`train::checkpoint`] and [`train::metrics`];
//! - [`data`], [`weights`]: data sets and PyTorch-compatible weight files;
//! - [`quant`] and [`flash`]: int8 inference, and trained weights compiled into the binary;
//! - [`gradcheck`] and [`reference`](mod@reference): the finite-difference check and the plain-loop layers the
//!   generated code is tested against.
//!
//! # Without `std`
//! With `default-features = false` the crate is `#![no_std]` and needs no allocator. A network
//! then keeps what one example needs: `zeroed`, `params(_mut)`, `forward`, `input_gradient`,
//! and through [`Network`] `evaluate` and `backprop`, so the same definition runs on a
//! microcontroller; `const fn from_flash` puts a trained network in a `static` (see [`flash`]). Batches, training, `new(seed)`, `save`/`load` and `Error` come with the
//! default feature `std`.

#![cfg_attr(not(feature = "std"), no_std)]

// The generated code names `::cnn::...`; this lets the crate's own doc tests use the macro.
extern crate self as cnn;

pub mod doc;

pub use cnn_macros::network;
#[cfg(feature = "std")]
pub use cnn_runtime::{
    Dims, EpochStats, Error, History, Predict, Trainer, data, gradcheck, optim, reference, train,
    weights,
};
pub use cnn_runtime::{
    Float, Init, Network, Tensor, TensorInfo, flash, init, kernels, loss, quant,
};
/// The `ndarray` this crate is built with; use it for the arrays you pass in.
#[cfg(feature = "std")]
pub use ndarray;

/// The names a user of `network!` needs: `use cnn::prelude::*;`.
///
/// ```
/// // network!, Network, Predict, the losses, the optimizers, the learning-rate schedules,
/// // Error, Trainer, Augment, Dataset
/// use cnn::prelude::*;
///
/// network! {
///     pub struct Tiny { input(4x4) -> conv(2x2) -> relu -> dense(1) }
/// }
///
/// let mut sgd = Sgd::new(0.1);
/// let net = Tiny::new(0);
/// let (loss, _) = net.evaluate(&[0.0; 16], &[1.0], &HalfSquaredError);
/// assert!(loss >= 0.0);
/// # let _ = (&mut sgd, Trainer::new());
/// ```
pub mod prelude {
    #[cfg(feature = "std")]
    pub use crate::data::Dataset;
    pub use crate::loss::*;
    #[cfg(feature = "std")]
    pub use crate::optim::*;
    #[cfg(feature = "std")]
    pub use crate::train::schedule::{
        ConstantLr, ExponentialLr, MultiStepLr, OneCycleLr, Schedule, StepLr, WarmupCosineLr,
    };
    #[cfg(feature = "std")]
    pub use crate::train::{Augment, Predict};
    #[cfg(feature = "std")]
    pub use crate::{Error, Trainer};
    pub use crate::{Network, network};
}

#[doc(hidden)]
pub mod __private {
    pub use cnn_runtime::__private::*;
    // For the generated `std`-only items: through `::cnn`, so that they resolve in a
    // `#![no_std]` crate too (one that shares a network definition with firmware, say).
    #[cfg(feature = "std")]
    pub use std::{path::Path, print, vec::Vec};

    pub use crate::__with_std as with_std;
    pub use crate::__without_std as without_std;
}

/// `with_std! { items }` expands to the items when `cnn` is built with `std`, and to nothing
/// without it. The generated code wraps its `std`-only items in it: a `#[cfg(feature = "std")]`
/// there would test the feature of the user's crate, not this one's. Keyed to this crate's
/// feature (which enables the runtime's) because it also decides what `::cnn::...` names.
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_std {
    ($($item:tt)*) => { $($item)* };
}

/// Without `std`: drops the items.
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_std {
    ($($item:tt)*) => {};
}

/// The converse of `with_std!`: the items only without `std` (where the parameters are
/// inline, so that a `const fn` can build a network).
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __without_std {
    ($($item:tt)*) => {};
}

/// Without `std`: the items.
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __without_std {
    ($($item:tt)*) => { $($item)* };
}
