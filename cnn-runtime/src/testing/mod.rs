//! Helpers the runtime's tests share: the configuration of the property tests, byte-level
//! mutations of files, gzip, and temporary folders (`temp.rs`, which the integration tests of
//! the `cnn` package use too).

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};

pub mod temp;

/// `cases` cases from the fixed `seed`, so a run is repeatable; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` override both. No regression files are written.
pub fn fuzz_config(cases: u32, seed: u64) -> Config {
    let mut config = Config::with_cases(cases);
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = Config::default().cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config.failure_persistence = None;
    config
}

/// One change to a byte string, at an index drawn relative to its length.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    /// XOR one byte with a mask (0 counts as 1, so the byte changes).
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
    /// Overwrite bytes from the index on, as many as the piece has (or the string has left).
    Overwrite(Index, Vec<u8>),
    /// Remove up to this many bytes from the index on.
    Remove(Index, usize),
    Truncate(Index),
}

impl ByteEdit {
    /// Applies the edit; an edit that needs a byte does nothing to an empty string.
    pub fn apply(&self, bytes: &mut Vec<u8>) {
        let len = bytes.len();
        match self {
            ByteEdit::Flip(i, mask) if len > 0 => bytes[i.index(len)] ^= (*mask).max(1),
            ByteEdit::Insert(i, piece) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, piece.iter().copied());
            }
            ByteEdit::Overwrite(i, piece) if len > 0 => {
                let at = i.index(len);
                let end = (at + piece.len()).min(len);
                bytes.splice(at..end, piece.iter().copied());
            }
            ByteEdit::Remove(i, n) if len > 0 => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            ByteEdit::Truncate(i) => bytes.truncate(i.index(len + 1)),
            _ => {}
        }
    }
}

/// `bytes`, gzipped.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}
