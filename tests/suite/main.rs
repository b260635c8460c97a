//! The integration tests that share `tests/common/`'s networks, in one test binary, so that
//! each network's generated code is compiled once (LeNet-5's took 50 to 120 s in every file
//! that used it): `cargo test --test suite`, or one subject with a filter,
//! `cargo test --test suite gradients::`.
//!
//! - `api`: the names a network provides, and the README's copy of the digits example;
//! - `gradients`: every layer kind against central finite differences in `f64`;
//! - `robustness`: bad input, malformed files, and nothing saved ever lost;
//! - `training`: the `Trainer`, schedules, and checkpoints that resume to the bit;
//! - `worked_example`: the seed network's derivation, formula by formula.

#[path = "../common/mod.rs"]
mod common;

mod api;
mod gradients;
mod robustness;
mod training;
mod worked_example;
