//! The `network!` macro of the `cnn` crate. Use it through `cnn`, which re-exports it with the
//! runtime the generated code calls:
//!
//! ```
//! use cnn::prelude::*;
//!
//! network! {
//!     /// The seed network: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
//!     pub struct SeedNet {
//!         input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
//!     }
//! }
//!
//! let y = SeedNet::new(7).forward(&[0.5; SeedNet::INPUT_LEN]);
//! assert!(y[0] > 0.0 && y[0] < 1.0);
//! ```
//!
//! The pipeline is in `expand.rs`: parse (`parse.rs`, into the syntax of `ast.rs`), check
//! (`check.rs`, lowering to the IR of `ir.rs`, with the budgets of `budget.rs` and the errors
//! collected by `report.rs`), generate (`codegen/`). `proc_macro` types stay at this boundary;
//! every phase works on `proc_macro2`, so it is unit-tested. The DSL is documented on
//! [`network!`](macro@network).

mod args;
mod ast;
mod budget;
mod check;
mod codegen;
mod expand;
mod ir;
mod kinds;
mod parse;
mod report;
mod shape;

use proc_macro::TokenStream;

/// Defines networks from chains of layers, checked at compile time.
///
#[doc = include_str!("../../src/doc/dsl.md")]
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    expand::network(input.into()).into()
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
