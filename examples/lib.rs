//! The package of `cnn`'s examples. Its library is empty: each example is a program of its own,
//! in reading order (`01_seed_net.rs` ... `06_fashion_resnet.rs`), and their shared code is in
//! `support/`, which each includes as modules. Run them from the repository's root, e.g.
//! `cargo run --release --example digits`.
