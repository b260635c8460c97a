//! Weights in flash: a trained network as bytes that a `const` decodes, so that the compiler
//! lays the network out in read-only memory and nothing is parsed at run time.
//!
//! On the host, with `std`, write the image of a trained network (or of its int8 twin):
//!
//! ```
//! # use cnn::prelude::*;
//! # network! { pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid } }
//! let net = SeedNet::new(7);
//! let image: Vec<u8> = cnn::flash::image(&net);
//! # let dir = std::env::temp_dir().join(format!("cnn-flash-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = dir.join("seed_net.flash");
//! cnn::flash::save(&path, &image)?; // atomically: a temporary file, then a rename
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In the firmware (a crate that uses `cnn` without `std`), a network's `from_flash` and
//! `int8_from_flash` are `const fn`s:
//!
//! ```ignore
//! static NET: SeedNet = SeedNet::from_flash(include_bytes!("seed_net.flash"));
//! static QNET: cnn::quant::Int8<SeedNet> = SeedNet::int8_from_flash(include_bytes!("seed_net.int8"));
//! ```
//!
//! An image of another network, or of the float network where the int8 one is expected, stops
//! the build: the decoding runs in the compiler, and its checks are compile-time panics
//! (`error[E0080]: evaluation panicked: the flash image is of another network (the hash of its
//! summary differs)`, as `tests/ui/flash/` shows). `nostd-check/` in the repository does
//! exactly this.
//!
//! The format, every number little-endian: the 8 bytes `cnnflash`, a `u32` kind (0 for an `f32`
//! network, 1 for an int8 one), the `u64` FNV-1a hash of the network's `SUMMARY` (its layers and
//! shapes), then sections, each a `u32` count and that many values: for an `f32` network its
//! parameters then its buffers (batch norm's running statistics); for an int8 one its int8
//! weights, its `i32` constants, its multipliers (`m` then `shift`, two `i32`), its `f32` scales.

#[cfg(feature = "std")]
use crate::quant::Int8;
use crate::quant::Multiplier;
#[cfg(feature = "std")]
use crate::{Float, Network};

const MAGIC: &[u8; 8] = b"cnnflash";

/// What an image holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Kind {
    /// An `f32` network's parameters and buffers.
    F32 = 0,
    /// A quantized network ([`Int8`]).
    Int8 = 1,
}

/// The FNV-1a hash of a network's `SUMMARY`: two networks with the same layers and shapes
/// have the same. Also the fingerprint of int8 weight files.
pub const fn fingerprint(summary: &str) -> u64 {
    let bytes = summary.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// Decodes an image in a `const`; the generated `from_flash` and `int8_from_flash` use it.
/// Every mismatch is a panic, which in a `const` is a compile error.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Checks the header: the magic bytes, the kind and the network's fingerprint.
    ///
    /// # Panics
    /// When the image is not one, is of the other kind, or of another network.
    pub const fn new(bytes: &'a [u8], kind: Kind, summary: &str) -> Self {
        let mut r = Reader { bytes, at: 0 };
        let mut i = 0;
        while i < MAGIC.len() {
            if r.byte() != MAGIC[i] {
                panic!("not a flash image: it does not start with `cnnflash`");
            }
            i += 1;
        }
        match (r.u32(), kind) {
            (0, Kind::F32) | (1, Kind::Int8) => {}
            (0, Kind::Int8) => panic!("the flash image is of an f32 network; expected int8"),
            (1, Kind::F32) => panic!("the flash image is of an int8 network; expected f32"),
            _ => panic!("the flash image is of an unknown kind"),
        }
        let low = r.u32() as u64;
        let hash = low | (r.u32() as u64) << 32;
        if hash != fingerprint(summary) {
            panic!("the flash image is of another network (the hash of its summary differs)");
        }
        r
    }

    const fn byte(&mut self) -> u8 {
        if self.at >= self.bytes.len() {
            panic!("the flash image ends early");
        }
        self.at += 1;
        self.bytes[self.at - 1]
    }

    const fn u32(&mut self) -> u32 {
        let b = [self.byte(), self.byte(), self.byte(), self.byte()];
        u32::from_le_bytes(b)
    }

    /// Reads a section's count and checks it is `N`.
    const fn count(&mut self, n: usize) {
        if self.u32() as usize != n {
            panic!("a section of the flash image has another length than the network's");
        }
    }

    /// A section of `N` values of `f32`.
    pub const fn f32s<const N: usize>(&mut self) -> [f32; N] {
        self.count(N);
        let mut out = [0.0; N];
        let mut i = 0;
        while i < N {
            out[i] = f32::from_bits(self.u32());
            i += 1;
        }
        out
    }

    /// A section of `N` values of `i32`.
    pub const fn i32s<const N: usize>(&mut self) -> [i32; N] {
        self.count(N);
        let mut out = [0; N];
        let mut i = 0;
        while i < N {
            out[i] = self.u32() as i32;
            i += 1;
        }
        out
    }

    /// A section of `N` values of `i8`.
    pub const fn i8s<const N: usize>(&mut self) -> [i8; N] {
        self.count(N);
        let mut out = [0; N];
        let mut i = 0;
        while i < N {
            out[i] = self.byte() as i8;
            i += 1;
        }
        out
    }

    /// A section of `N` multipliers.
    pub const fn multipliers<const N: usize>(&mut self) -> [Multiplier; N] {
        self.count(N);
        let mut out = [Multiplier { m: 0, shift: 0 }; N];
        let mut i = 0;
        while i < N {
            out[i].m = self.u32() as i32;
            out[i].shift = self.u32() as i32;
            i += 1;
        }
        out
    }

    /// Checks that nothing is left.
    ///
    /// # Panics
    /// When the image goes on after the last section.
    pub const fn finish(self) {
        if self.at != self.bytes.len() {
            panic!("the flash image goes on after the network's last section");
        }
    }
}

/// Builds an image.
#[cfg(feature = "std")]
struct Writer(Vec<u8>);

#[cfg(feature = "std")]
impl Writer {
    fn new<N: Network>(kind: Kind) -> Self {
        let mut w = Writer(MAGIC.to_vec());
        w.u32(kind as u32);
        let hash = fingerprint(N::SUMMARY);
        w.u32(hash as u32);
        w.u32((hash >> 32) as u32);
        w
    }

    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("a network's arrays have fewer than 2^32 values"));
    }
}

/// The flash image of a network: its parameters and buffers, in `f32` whatever its scalar.
#[cfg(feature = "std")]
pub fn image<N: Network>(net: &N) -> Vec<u8> {
    let mut w = Writer::new::<N>(Kind::F32);
    for values in [net.params(), net.buffers()] {
        w.count(values.len());
        for v in values {
            w.u32((v.to_f64() as f32).to_bits());
        }
    }
    w.0
}

/// The flash image of a quantized network.
#[cfg(feature = "std")]
pub fn int8_image<N: Network>(q: &Int8<N>) -> Vec<u8> {
    let mut w = Writer::new::<N>(Kind::Int8);
    for (count, bytes) in q.le_parts() {
        w.count(count);
        w.0.extend(bytes);
    }
    w.0
}

/// Writes an image to `path` atomically (a temporary file, then a rename).
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) when the file cannot be written; a previous file is left
/// intact.
#[cfg(feature = "std")]
pub fn save(path: impl AsRef<std::path::Path>, image: &[u8]) -> Result<(), crate::Error> {
    let path = path.as_ref();
    crate::weights::write_atomic(path, image).map_err(|error| crate::Error::Io {
        action: "write flash image",
        path: path.to_path_buf(),
        error,
    })
}
