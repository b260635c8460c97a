//! What the benchmarks `steps.rs` and `compile_time.rs` share (see `Cargo.toml`); a package
//! needs a library or a binary anyway.

use std::path::Path;

/// The repository's root: this package is its `benches/`.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ is a folder of the repository")
}
