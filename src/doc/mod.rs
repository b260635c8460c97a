//! Documentation pages, with no code of their own (as `ndarray::doc` keeps its guides).
//!
//! - [`dsl`]: the `network!` DSL, its compile-time rules, and what a network provides: the
//!   public contract of a generated network.
//! - [`derivation`]: the formulas the generated forward and backward passes follow, from the
//!   worked 3x3 example to the matrix form of the seed network.

#[doc = include_str!("dsl.md")]
pub mod dsl {}

#[doc = include_str!("derivation.md")]
pub mod derivation {}
