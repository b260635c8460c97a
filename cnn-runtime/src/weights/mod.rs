//! Weight files in the [safetensors] format, the one `torch.nn` modules load.
//!
//! A file holds one tensor per [`TensorInfo`](crate::TensorInfo) of the network, named
//! `<label>.weight` and `<label>.bias` and shaped as `torch.nn` shapes them (conv
//! `[F, C, Kh, Kw]`, dense `[M, N]`, bias `[F]` or `[M]`), so a PyTorch module whose layers carry
//! the same attribute names loads it with `load_state_dict` (see [`save`] for the Python side).
//!
//! ```text
//! [u64 LE: header length n] [n bytes of JSON, padded with spaces to a multiple of 8] [data]
//!
//! {"conv1.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
//!  "conv1.weight":{"dtype":"F32","shape":[1,1,3,3],"data_offsets":[4,40]}, ...}
//! ```
//!
//! The tensors' data is little-endian, in the order the reference implementation writes it
//! (sorted by name, not in `params()` order). `safetensors.torch.save_file` runs the same Rust
//! code, so for the same state dict it writes the same bytes (as of safetensors 0.8).
//!
//! Element types: an `f32` network writes `F32`, an `f64` network `F64`. Loading accepts both,
//! tensor by tensor, into either scalar type: `F32` into `f64` is exact, `F64` into `f32`
//! rounds to nearest (values beyond `f32`'s range become infinite), so a gradient-check `f64`
//! network can load a PyTorch `float32` checkpoint. Other dtypes (`F16`, `BF16`, integers) are
//! refused by name rather than converted.
//!
//! A network with batch norm also writes its buffers, `<name>.running_mean` and
//! `<name>.running_var` in the network's dtype, and `<name>.num_batches_tracked`, an `I64`
//! scalar: what PyTorch's `BatchNorm` keeps, so that a strict `load_state_dict` takes the file.
//! A network whose steps no batch norm counts keeps them in the metadata (`cnn.steps`), once it
//! has trained; other metadata is accepted and ignored.
//!
//! The parsing and serialising are the [`safetensors`] crate's, the Hugging Face reference
//! implementation; this module maps a network to its tensors and back, and writes files
//! atomically.
//!
//! This file maps a network to its tensors and back; `atomic.rs` writes the file.
//!
//! ```
//! use cnn::prelude::*;
//! use cnn::weights;
//!
//! network! {
//!     struct Tiny { input(4x4) -> conv(2x2) -> relu -> dense(3) }
//! }
//!
//! let net = Tiny::new(3);
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("tiny.safetensors");
//! net.save(&path)?; // weights::save(&net, &path), through the network
//! let back = Tiny::load(&path)?;
//! assert_eq!(back.params(), net.params());
//! assert_eq!(weights::to_bytes(&back)?, std::fs::read(&path).unwrap());
//! # Ok::<(), cnn::Error>(())
//! ```
//!
//! [safetensors]: https://huggingface.co/docs/safetensors

use std::borrow::Cow;
use std::fs;
use std::path::Path;

use safetensors::tensor::Metadata;
use safetensors::{Dtype, SafeTensorError, SafeTensors, View};

use crate::{Error, Float, Network};

mod atomic;
mod int8;
#[cfg(test)]
mod tests;

pub(crate) use atomic::write_atomic;
pub use int8::{load_int8, save_int8};

/// The dtypes [`load`] and [`from_bytes`] accept, as [`Error::TensorDtype`] reports them.
const ACCEPTED_DTYPES: &str = "F32 or F64";

/// Writes the network's parameters to `path` as a safetensors file, atomically.
///
/// One tensor per entry of [`Network::TENSORS`], named and shaped as `torch.nn` names and
/// shapes it, of dtype `F32` for an `f32` network and `F64` for an `f64` one.
///
/// The bytes go to a temporary file next to the target (`.<name>.tmp-<pid>-<n>`), which is
/// flushed to disk and then renamed over the target, and the folder is synced where the
/// platform allows: a reader sees the old file or the new one, never a part, and a failed save
/// leaves any previous file untouched and no temporary file behind. As with any
/// rename-based write, a symbolic link at `path` is replaced rather than followed, and the new
/// file gets default permissions rather than the old file's.
///
/// The PyTorch side, for the network
/// `input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid`, whose tensors are
/// `conv1.weight [1, 1, 3, 3]`, `conv1.bias [1]`, `dense1.weight [1, 400]`, `dense1.bias [1]`:
///
/// ```text
/// from collections import OrderedDict
/// import torch
/// from torch import nn
/// from safetensors.torch import load_file, save_file
///
/// model = nn.Sequential(OrderedDict(
///     conv1=nn.Conv2d(1, 1, kernel_size=3),  # valid correlation, stride 1: conv(3x3)
///     act1=nn.Sigmoid(),
///     flatten=nn.Flatten(),                  # channel, row, column: cnn's implicit flatten
///     dense1=nn.Linear(400, 1),
///     act2=nn.Sigmoid(),
/// ))
///
/// model.load_state_dict(load_file("seed.safetensors"))  # strict: same names, same shapes
/// y = model(torch.rand(8, 1, 22, 22))                   # [N, C, H, W], as forward_batch
///
/// save_file(model.state_dict(), "seed.safetensors")     # float32: F32, loads with load()
/// ```
///
/// The attribute names are what matter: an `nn.Module` subclass with `self.conv1` and
/// `self.dense1` works the same. `load_state_dict` converts an `F64` file (from an `f64`
/// network) to the module's dtype; call `model.double()` first to keep it exact.
///
/// # Errors
/// [`Error::Io`] (action `"write weight file"`, with `path`) when the folder does not exist
/// or is not writable, `path` is a folder or has no file name, or the disk is full;
/// [`Error::WeightFormat`] if the header would exceed the format's 100 MB limit.
///
/// # Panics
/// If `N::TENSORS` does not lie within `params()`: a bug in a hand-written [`Network`], never
/// the case for a network from `network!`.
///
/// # Examples
/// ```
/// use cnn::prelude::*;
/// use cnn::weights;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2x2) -> relu -> dense(3) }
/// }
///
/// let net = Tiny::new(3);
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("tiny.safetensors");
/// weights::save(&net, &path)?;
/// let back: Tiny = weights::load(&path)?;
/// assert_eq!(back.params(), net.params());
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn save<N: Network>(net: &N, path: impl AsRef<Path>) -> Result<(), Error> {
    let path = path.as_ref();
    let bytes = to_bytes(net)?;
    write_atomic(path, &bytes).map_err(|error| Error::Io {
        action: "write weight file",
        path: path.to_path_buf(),
        error,
    })
}

/// Reads a network from a safetensors file written by [`save`] or by PyTorch.
///
/// Every tensor of [`Network::TENSORS`] must be in the file, with the same shape and dtype
/// `F32` or `F64` (converted to the network's scalar type, see the [module docs](self)), and
/// the file must hold no other tensor.
///
/// # Errors
/// [`Error::Io`] (action `"read weight file"`) when the file cannot be read, and the errors of
/// [`from_bytes`].
///
/// # Panics
/// As [`from_bytes`].
/// # Examples
/// ```
/// use cnn::prelude::*;
/// use cnn::weights;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2x2) -> relu -> dense(3) }
/// }
///
/// let net = Tiny::new(3);
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("tiny.safetensors");
/// weights::save(&net, &path)?;
/// let back: Tiny = weights::load(&path)?;
/// assert_eq!(back.params(), net.params());
/// // A network of other shapes refuses the file, naming the tensor.
/// network! { struct Other { input(4x4) -> dense(3) } }
/// let err = weights::load::<Other>(&path).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "tensor `dense1.weight` has shape [3, 9] in the weight file, but [3, 16] was expected"
/// );
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn load<N: Network>(path: impl AsRef<Path>) -> Result<N, Error> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|error| Error::Io {
        action: "read weight file",
        path: path.to_path_buf(),
        error,
    })?;
    from_bytes(&bytes)
}

/// The safetensors bytes [`save`] writes, for tests and for callers with their own storage.
///
/// # Errors
/// [`Error::WeightFormat`] if the header would exceed the format's 100 MB limit (millions of
/// tensors, beyond what `network!` accepts).
///
/// # Panics
/// As [`save`].
/// # Examples
/// ```
/// use cnn::prelude::*;
/// use cnn::weights;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2x2) -> relu -> dense(3) }
/// }
///
/// let net = Tiny::new(3);
/// let bytes = weights::to_bytes(&net)?;
/// // The header's length, then the JSON header.
/// let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
/// assert!(std::str::from_utf8(&bytes[8..8 + n]).unwrap().contains("\"conv1.weight\""));
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn to_bytes<N: Network>(net: &N) -> Result<Vec<u8>, Error> {
    let (params, buffers) = (net.params(), net.buffers());
    let dtype = dtype_of::<N::Scalar>();
    let of = |values: &[N::Scalar], t: &'static crate::TensorInfo| {
        (
            t.name,
            Encoded {
                dtype,
                shape: t.shape,
                data: encode(&values[t.offset..t.offset + t.len]),
            },
        )
    };
    let counters = N::COUNTERS.iter().map(|&name| {
        (
            name,
            Encoded {
                dtype: Dtype::I64,
                shape: &[],
                data: (net.steps() as i64).to_le_bytes().to_vec(),
            },
        )
    });
    let tensors = N::TENSORS
        .iter()
        .map(|t| of(params, t))
        .chain(N::BUFFERS.iter().map(|t| of(buffers, t)))
        .chain(counters);
    // A network whose steps no batch norm counts (dropout's masks depend on them) keeps them
    // in the metadata, which PyTorch ignores.
    let steps = (N::COUNTERS.is_empty() && net.steps() > 0)
        .then(|| (STEPS_KEY.to_owned(), net.steps().to_string()));
    // Collected into the map type `serialize` names (`hashbrown`'s without `std`).
    let metadata = steps.map(|entry| [entry].into_iter().collect());
    safetensors::serialize(tensors, metadata).map_err(format_error)
}

/// The metadata entry that holds [`Network::steps`] when no `num_batches_tracked` does.
const STEPS_KEY: &str = "cnn.steps";

/// Reads a network from safetensors bytes, as [`load`] reads a file.
///
/// Whatever the bytes, the result is the network or an `Err`; this never panics.
///
/// # Errors
/// - [`Error::WeightFormat`] when the bytes are not safetensors: empty, truncated, a header
///   length beyond the bytes or the format's 100 MB limit, invalid UTF-8 or JSON, an unknown
///   dtype, data offsets that do not tile the data;
/// - [`Error::MissingTensor`] for the first tensor of `N::TENSORS` the file lacks;
/// - [`Error::TensorDtype`] for a tensor neither `F32` nor `F64`;
/// - [`Error::TensorShape`] for a tensor of another shape than the network's;
/// - [`Error::UnexpectedTensor`] for a tensor the network does not have (the first by name).
///
/// The tensors of `N::TENSORS` are checked in order, each for presence, dtype then shape,
/// before the file is searched for extra tensors.
///
/// # Panics
/// Never because of the bytes; only if `N::TENSORS` does not lie within `params()`, a bug in a
/// hand-written [`Network`], never the case for a network from `network!`.
/// # Examples
/// ```
/// use cnn::prelude::*;
/// use cnn::weights;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2x2) -> relu -> dense(3) }
/// }
///
/// let net = Tiny::new(3);
/// let back: Tiny = weights::from_bytes(&weights::to_bytes(&net)?)?;
/// assert_eq!(back.params(), net.params());
/// assert!(weights::from_bytes::<Tiny>(b"not a weight file").is_err());
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn from_bytes<N: Network>(bytes: &[u8]) -> Result<N, Error> {
    check_data_len(bytes)?;
    let file = SafeTensors::deserialize(bytes).map_err(format_error)?;

    let mut views = Vec::with_capacity(N::TENSORS.len() + N::BUFFERS.len());
    for t in N::TENSORS.iter().chain(N::BUFFERS) {
        let view = match file.tensor(t.name) {
            Ok(view) => view,
            Err(SafeTensorError::TensorNotFound(_)) => {
                return Err(Error::MissingTensor {
                    name: t.name.to_owned(),
                });
            }
            Err(e) => return Err(format_error(e)),
        };
        if !matches!(view.dtype(), Dtype::F32 | Dtype::F64) {
            return Err(Error::TensorDtype {
                name: t.name.to_owned(),
                expected: ACCEPTED_DTYPES,
                given: view.dtype().to_string(),
            });
        }
        if view.shape() != t.shape {
            return Err(Error::TensorShape {
                name: t.name.to_owned(),
                expected: t.shape.into(),
                given: view.shape().into(),
            });
        }
        views.push(view);
    }

    let mut steps = None;
    for &name in N::COUNTERS {
        let view = match file.tensor(name) {
            Ok(view) => view,
            Err(SafeTensorError::TensorNotFound(_)) => {
                return Err(Error::MissingTensor {
                    name: name.to_owned(),
                });
            }
            Err(e) => return Err(format_error(e)),
        };
        if view.dtype() != Dtype::I64 {
            return Err(Error::TensorDtype {
                name: name.to_owned(),
                expected: "I64",
                given: view.dtype().to_string(),
            });
        }
        if !view.shape().is_empty() {
            return Err(Error::TensorShape {
                name: name.to_owned(),
                expected: [].as_slice().into(),
                given: view.shape().into(),
            });
        }
        let value = view
            .data()
            .first_chunk::<8>()
            .map_or(0, |b| i64::from_le_bytes(*b));
        steps = Some(steps.unwrap_or(0).max(value.max(0) as u64));
    }

    let mut names = file.names();
    names.sort_unstable();
    if let Some(extra) = names.into_iter().find(|&name| {
        !N::TENSORS.iter().chain(N::BUFFERS).any(|t| t.name == name) && !N::COUNTERS.contains(&name)
    }) {
        return Err(Error::UnexpectedTensor {
            name: extra.to_owned(),
        });
    }

    let mut net = N::zeroed();
    let params = net.params_mut();
    for (t, view) in N::TENSORS.iter().zip(&views) {
        decode(
            view.dtype(),
            view.data(),
            &mut params[t.offset..t.offset + t.len],
        );
    }
    let buffers = net.buffers_mut();
    for (t, view) in N::BUFFERS.iter().zip(&views[N::TENSORS.len()..]) {
        decode(
            view.dtype(),
            view.data(),
            &mut buffers[t.offset..t.offset + t.len],
        );
    }
    let from_metadata = || {
        let (_, metadata) = SafeTensors::read_metadata(bytes).ok()?;
        metadata.metadata().as_ref()?.get(STEPS_KEY)?.parse().ok()
    };
    net.set_steps(steps.or_else(from_metadata).unwrap_or(0));
    Ok(net)
}

/// One tensor to serialise: its bytes, already little-endian.
struct Encoded {
    dtype: Dtype,
    shape: &'static [usize],
    data: Vec<u8>,
}

impl View for Encoded {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// `F32` or `F64`: `Float` is sealed to `f32` and `f64`, and `NAME` is spelled as safetensors
/// spells the dtype.
fn dtype_of<T: Float>() -> Dtype {
    if T::NAME == "F64" {
        Dtype::F64
    } else {
        Dtype::F32
    }
}

/// The values as little-endian bytes of their own type (the round trip through `f64` is exact).
fn encode<T: Float>(values: &[T]) -> Vec<u8> {
    match dtype_of::<T>() {
        Dtype::F64 => values
            .iter()
            .flat_map(|v| v.to_f64().to_le_bytes())
            .collect(),
        _ => values
            .iter()
            .flat_map(|v| (v.to_f64() as f32).to_le_bytes())
            .collect(),
    }
}

/// Little-endian `F32` or `F64` data into `out`, converted to `T`. The caller has checked the
/// dtype and the shape, hence the length.
fn decode<T: Float>(dtype: Dtype, data: &[u8], out: &mut [T]) {
    match dtype {
        Dtype::F64 => {
            let (chunks, _) = data.as_chunks::<8>();
            debug_assert_eq!(chunks.len(), out.len());
            for (o, &b) in out.iter_mut().zip(chunks) {
                *o = T::from_f64(f64::from_le_bytes(b));
            }
        }
        _ => {
            let (chunks, _) = data.as_chunks::<4>();
            debug_assert_eq!(chunks.len(), out.len());
            for (o, &b) in out.iter_mut().zip(chunks) {
                *o = T::from_f64(f64::from(f32::from_le_bytes(b)));
            }
        }
    }
}

fn format_error(e: SafeTensorError) -> Error {
    Error::WeightFormat {
        reason: e.to_string(),
    }
}

/// Checks that the header's data length plus the header fits in `usize`, which
/// `SafeTensors::read_metadata` (safetensors 0.8.0, `buffer_end + N_LEN + n`) adds unchecked:
/// offsets summing to nearly `2^64` panic there with "attempt to add with overflow" in builds
/// with overflow checks (debug and test builds), see the test
/// `offsets_summing_past_usize_max_are_an_error_not_a_panic`. Workaround for an upstream bug
/// with no issue filed yet; drop it once safetensors checks the addition.
///
/// Only headers that parse are checked here; the others are left to `deserialize` to report.
fn check_data_len(bytes: &[u8]) -> Result<(), Error> {
    let Some((len, rest)) = bytes.split_first_chunk::<8>() else {
        return Ok(());
    };
    let Ok(n) = usize::try_from(u64::from_le_bytes(*len)) else {
        return Ok(());
    };
    // Beyond the format's limit, or beyond the bytes: `deserialize` refuses it, unparsed.
    let Some(header) = rest.get(..n).filter(|_| n <= 100_000_000) else {
        return Ok(());
    };
    let Ok(metadata) = serde_json::from_slice::<Metadata>(header) else {
        return Ok(());
    };
    match metadata.data_len().checked_add(n + 8) {
        Some(_) => Ok(()),
        None => Err(Error::WeightFormat {
            reason: format!(
                "the header's data offsets end at byte {}, beyond any file",
                metadata.data_len()
            ),
        }),
    }
}
