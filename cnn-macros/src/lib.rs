//! The `network!` macro of the `cnn` crate. Use it through `cnn`, which re-exports it.
//!
//! The pipeline is in [`expand`]: parse, check (lowering to the IR), generate. `proc_macro`
//! types stay at this boundary; every phase works on `proc_macro2`, so it is unit-tested.

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

/// Defines networks: see the `cnn` crate's documentation for the DSL and what a network
/// provides.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    expand::network(input.into()).into()
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
