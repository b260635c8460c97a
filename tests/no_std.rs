//! Networks run with neither `std` nor `alloc`: builds `nostd-check/`, a `#![no_std]` staticlib
//! with its own `#[panic_handler]` and no global allocator, against `cnn` without `std`. Its
//! documentation says why the build fails if either is linked.
//!
//! It is a separate workspace, built by a nested `cargo`: as a member of this one, feature
//! unification would build it with the `cnn/std` that the other members use, proving nothing.
//! The build is offline and locked to `nostd-check/Cargo.lock`, whose packages are checked to be
//! among this workspace's, so they are already downloaded. By hand:
//!
//! ```text
//! cargo build --manifest-path nostd-check/Cargo.toml --offline --locked
//! ```

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The host's target triple, from `cargo -vV`.
fn host() -> String {
    let out = Command::new(env!("CARGO"))
        .arg("-vV")
        .output()
        .expect("run cargo -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("cargo -vV names the host")
        .to_owned()
}

/// Runs `cargo <args>` on `nostd-check/` in a target directory of its own, for `target` (the
/// host's when `None`), and fails with the compiler's output if it fails.
///
/// The host's target is named too: with `--target`, cargo builds the proc macros and their
/// dependencies once for every target, where without it the host's build would have copies of
/// its own.
fn cargo_on_nostd_check(args: &[&str], target: Option<&str>) {
    let manifest = Path::new(ROOT).join("nostd-check/Cargo.toml");
    // nostd-check's own target folder, where CI's clippy run on it (with the host's
    // `--target` too) has already built the proc macros and their dependencies.
    let target_dir = Path::new(ROOT).join("nostd-check/target");
    let target = target.map_or_else(host, str::to_owned);
    let out = Command::new(env!("CARGO"))
        .args(args)
        .args(["--target", &target])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["--offline", "--locked"])
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "`cargo {}` of nostd-check failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn networks_build_without_std_or_alloc() {
    cargo_on_nostd_check(&["build"], None);
    // The networks decoded from flash images at compile time are read-only data (`R` in
    // `nm`): flash on a microcontroller, not RAM.
    let lib = Path::new(ROOT)
        .join("nostd-check/target")
        .join(host())
        .join("debug/libcnn_nostd_check.a");
    let out = Command::new("nm")
        .arg(&lib)
        .output()
        .expect("run nm (binutils)");
    let symbols = String::from_utf8_lossy(&out.stdout);
    for name in ["SEED_NET", "SEED_NET_INT8"] {
        assert!(
            symbols.lines().any(|l| l.ends_with(&format!(" R {name}"))),
            "{name} is not read-only data in {}:\n{symbols}",
            lib.display()
        );
    }
}

/// A Cortex-M4F, the kind of board TensorFlow Lite Micro's examples run on: the same crate
/// compiles for it (`rust-toolchain.toml` asks rustup for the target). A check, not a build:
/// the build for the host above already runs code generation, and CI's time is short.
#[test]
fn networks_compile_for_a_cortex_m4() {
    cargo_on_nostd_check(&["check"], Some("thumbv7em-none-eabihf"));
}

/// The generated `std`-only items (`load`, `save`, `forward_batch`, ...) name `std` through
/// `::cnn`, so a `#![no_std]` crate can define networks that a host builds with `cnn/std`.
#[test]
fn no_std_crate_builds_with_cnn_std() {
    cargo_on_nostd_check(&["check", "--features", "cnn-std"], None);
}

/// `name version` of every registry package in a lock file.
fn registry_packages(lock: &str) -> BTreeSet<String> {
    lock.split("[[package]]")
        .filter(|p| p.contains("source = \"registry+"))
        .map(|p| {
            let field = |key: &str| {
                p.lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().trim_matches('"').to_owned())
                    .unwrap_or_default()
            };
            format!("{} {}", field("name = "), field("version = "))
        })
        .collect()
}

/// `--offline` finds every package of `nostd-check/Cargo.lock` only if this workspace's build
/// downloaded it.
#[test]
fn nostd_check_lock_is_a_subset_of_the_workspace_lock() {
    let read = |p: &str| std::fs::read_to_string(Path::new(ROOT).join(p)).expect("read lock file");
    let (ours, theirs) = (
        registry_packages(&read("Cargo.lock")),
        registry_packages(&read("nostd-check/Cargo.lock")),
    );
    assert!(!theirs.is_empty());
    let missing: Vec<_> = theirs.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "nostd-check/Cargo.lock has {missing:?}, which Cargo.lock does not: run \
         `cp Cargo.lock nostd-check/ && cargo build --manifest-path nostd-check/Cargo.toml --offline`"
    );
}
