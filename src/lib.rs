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
//! See the README for the DSL and the generated API.

// The generated code names `::cnn::...`; this lets the crate's own doc tests use the macro.
extern crate self as cnn;

pub use cnn_macros::network;
pub use cnn_runtime::{
    Dims, EpochStats, Error, Float, History, Init, Network, Targets, Tensor, TensorInfo, Trainer,
    data, gradcheck, init, kernels, loss, optim, reference, train, weights,
};
/// The `ndarray` this crate is built with; use it for the arrays you pass in.
pub use ndarray;

/// The names a user of `network!` needs: `use cnn::prelude::*;`.
pub mod prelude {
    pub use crate::loss::*;
    pub use crate::optim::*;
    pub use crate::{Error, Network, Targets, Trainer, network};
}

#[doc(hidden)]
pub mod __private {
    pub use cnn_runtime::__private::*;
}
