//! Nothing: the package holds the benchmarks `steps.rs` and `compile_time.rs` (see
//! `Cargo.toml`); a package needs a library or a binary.
