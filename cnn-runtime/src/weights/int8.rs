//! Quantized networks' files: safetensors with four tensors, `weights` (`I8`), `ints`
//! (`I32`: zero points, biases, constants), `multipliers` (`I32`, `[n, 2]`: mantissa and
//! shift) and `scales` (`F32`, one per tensor of the network), and in the metadata the network's
//! name and a fingerprint of its layers (a hash of its summary), so that a file of another
//! network is an error that says which.

use std::path::Path;

use safetensors::{Dtype, SafeTensors, View};

use super::{format_error, write_atomic};
use crate::quant::{Int8, Multiplier};
use crate::{Error, Network};

const NAME_KEY: &str = "cnn.network";
const FINGERPRINT_KEY: &str = "cnn.fingerprint";

/// The network's name (the first line of its summary) and a hash of its summary (FNV-1a).
fn identity<N: Network>() -> (String, String) {
    let name = N::SUMMARY.lines().next().unwrap_or("").to_owned();
    let hash = crate::flash::fingerprint(N::SUMMARY);
    (name, format!("{hash:016x}"))
}

/// Writes a quantized network to `path`, atomically (a temporary file, then a rename).
///
/// # Errors
/// [`Error::Io`] when the file cannot be written; a previous file is left intact.
///
/// # Examples
/// ```
/// use cnn::prelude::*;
/// use cnn::ndarray::Array4;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 2x2) -> relu -> dense(3) }
/// }
///
/// let net = Tiny::new(1);
/// let q = net.quantize(Array4::from_elem((4, 1, 4, 4), 0.5f32).view())?;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("tiny-int8.safetensors");
/// cnn::weights::save_int8(&q, &path)?;
/// let back = cnn::weights::load_int8::<Tiny>(&path)?;
/// assert_eq!(back.forward(&[3; 16]), q.forward(&[3; 16]));
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn save_int8<N: Network>(q: &Int8<N>, path: impl AsRef<Path>) -> Result<(), Error> {
    let path = path.as_ref();
    let bytes = to_bytes(q)?;
    write_atomic(path, &bytes).map_err(|error| Error::Io {
        action: "write quantized network",
        path: path.to_path_buf(),
        error,
    })
}

fn to_bytes<N: Network>(q: &Int8<N>) -> Result<Vec<u8>, Error> {
    let [(nw, weights), (ni, ints), (nm, multipliers), (ns, scales)] = q.le_parts();
    let shapes = [vec![nw], vec![ni], vec![nm, 2], vec![ns]];
    struct Owned(Dtype, Vec<usize>, Vec<u8>);
    impl View for &Owned {
        fn dtype(&self) -> Dtype {
            self.0
        }
        fn shape(&self) -> &[usize] {
            &self.1
        }
        fn data(&self) -> std::borrow::Cow<'_, [u8]> {
            std::borrow::Cow::Borrowed(&self.2)
        }
        fn data_len(&self) -> usize {
            self.2.len()
        }
    }
    let tensors = [
        ("weights", Owned(Dtype::I8, shapes[0].clone(), weights)),
        ("ints", Owned(Dtype::I32, shapes[1].clone(), ints)),
        (
            "multipliers",
            Owned(Dtype::I32, shapes[2].clone(), multipliers),
        ),
        ("scales", Owned(Dtype::F32, shapes[3].clone(), scales)),
    ];
    let (name, fingerprint) = identity::<N>();
    let metadata = Some(
        [
            (NAME_KEY.to_owned(), name),
            (FINGERPRINT_KEY.to_owned(), fingerprint),
        ]
        .into_iter()
        .collect(),
    );
    safetensors::serialize(tensors.iter().map(|(n, t)| (*n, t)), metadata).map_err(format_error)
}

/// Reads a quantized network written by [`save_int8`].
///
/// # Errors
/// [`Error::Io`], [`Error::WeightFormat`] for bytes that are not such a file,
/// [`Error::OtherNetwork`] for a file of another network, [`Error::MissingTensor`],
/// [`Error::TensorDtype`] and [`Error::TensorShape`] for a part that is missing or not as the
/// network's.
pub fn load_int8<N: Network>(path: impl AsRef<Path>) -> Result<Box<Int8<N>>, Error> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|error| Error::Io {
        action: "read quantized network",
        path: path.to_path_buf(),
        error,
    })?;
    from_bytes(&bytes)
}

fn from_bytes<N: Network>(bytes: &[u8]) -> Result<Box<Int8<N>>, Error> {
    super::check_data_len(bytes)?;
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(format_error)?;
    let file = SafeTensors::deserialize(bytes).map_err(format_error)?;
    let (name, fingerprint) = identity::<N>();
    let meta = metadata.metadata().as_ref();
    let found = meta
        .and_then(|m| m.get(NAME_KEY))
        .cloned()
        .unwrap_or_default();
    if found != name {
        return Err(Error::OtherNetwork {
            expected: name,
            found,
            detail: "",
        });
    }
    if meta.and_then(|m| m.get(FINGERPRINT_KEY)) != Some(&fingerprint) {
        return Err(Error::OtherNetwork {
            expected: name,
            found,
            detail: ": the names agree but the layers differ",
        });
    }
    let mut q: Box<Int8<N>> = crate::simd::zeroed_box();
    let part = |name: &'static str, dtype: Dtype, shape: &[usize]| -> Result<Vec<u8>, Error> {
        let view = file.tensor(name).map_err(|_| Error::MissingTensor {
            name: name.to_owned(),
        })?;
        if view.dtype() != dtype {
            return Err(Error::TensorDtype {
                name: name.to_owned(),
                expected: "the dtype of a quantized network's part",
                given: view.dtype().to_string(),
            });
        }
        if view.shape() != shape {
            return Err(Error::TensorShape {
                name: name.to_owned(),
                expected: shape.into(),
                given: view.shape().into(),
            });
        }
        Ok(view.data().to_vec())
    };
    let w = part("weights", Dtype::I8, &[q.weights.as_ref().len()])?;
    for (d, &b) in q.weights.as_mut().iter_mut().zip(&w) {
        *d = b as i8;
    }
    let ints = part("ints", Dtype::I32, &[q.ints.as_ref().len()])?;
    for (d, b) in q.ints.as_mut().iter_mut().zip(ints.as_chunks::<4>().0) {
        *d = i32::from_le_bytes(*b);
    }
    let m = part(
        "multipliers",
        Dtype::I32,
        &[q.multipliers.as_ref().len(), 2],
    )?;
    for (d, b) in q.multipliers.as_mut().iter_mut().zip(m.as_chunks::<8>().0) {
        let (mantissa, shift) = b.split_at(4);
        *d = Multiplier {
            m: i32::from_le_bytes(mantissa.try_into().expect("four bytes")),
            shift: i32::from_le_bytes(shift.try_into().expect("four bytes")),
        };
    }
    let s = part("scales", Dtype::F32, &[q.scales.as_ref().len()])?;
    for (d, b) in q.scales.as_mut().iter_mut().zip(s.as_chunks::<4>().0) {
        *d = f32::from_le_bytes(*b);
    }
    Ok(q)
}
