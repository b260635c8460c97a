//! MNIST's IDX format: a big-endian header (magic number, counts, dimensions), then unsigned
//! bytes; a pair of files, images and labels, and the folder of MNIST's four files.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ndarray::Array4;

use super::{Dataset, READ_DATA, maybe_gunzip, open};
use crate::Error;

/// IDX magic of the images file: two zero bytes, element type 0x08 (unsigned byte), 3 dimensions.
pub(super) const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// IDX magic of the labels file: unsigned bytes, 1 dimension.
pub(super) const IDX_LABELS_MAGIC: u32 = 0x0000_0801;
/// Bytes before the first label: magic, count.
const IDX_LABELS_HEADER: usize = 8;
/// MNIST's labels are digits.
const IDX_CLASSES: usize = 10;

/// Loads an MNIST-format pair of IDX files (images, labels), each gzipped or raw (told apart by
/// the gzip magic bytes). See [`parse_idx`] for the checks.
///
/// # Errors
///
/// [`Error::Io`] if a file cannot be opened, [`Error::Data`] naming the file and the byte offset
/// (in the decompressed bytes) if its content is malformed.
/// # Examples
/// ```
/// let images = [&[0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2][..], &[0, 255, 51, 0]].concat();
/// let labels = [0, 0, 8, 1, 0, 0, 0, 1, 4];
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("images"), &images).unwrap();
/// std::fs::write(dir.path().join("labels"), labels).unwrap();
/// let data = cnn::data::load_idx(dir.path().join("images"), dir.path().join("labels"))?;
/// assert_eq!((data.images.shape(), data.labels.as_slice()), (&[1, 1, 2, 2][..], &[4][..]));
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn load_idx(
    images_path: impl AsRef<Path>,
    labels_path: impl AsRef<Path>,
) -> Result<Dataset, Error> {
    let (images_path, labels_path) = (images_path.as_ref(), labels_path.as_ref());
    parse_idx_from(
        IdxSource::new(open(images_path)?, images_path.display().to_string())?,
        IdxSource::new(open(labels_path)?, labels_path.display().to_string())?,
    )
}

/// Parses an MNIST-format pair of IDX streams, each gzipped or raw (told apart by the gzip magic
/// bytes), into images `[N, 1, rows, cols]` and 10 classes. Pixels are scaled to `[0, 1]`:
///
/// ```text
/// image[n, 0, r, c] = byte[16 + (n rows + r) cols + c] / 255
/// ```
///
/// The images stream is the big-endian header `0x00000803, N, rows, cols` then `N rows cols`
/// bytes; the labels stream is `0x00000801, N` then `N` bytes in `0..=9`. Both must end right
/// after their data. A header's counts are checked against the bytes that actually come, so a
/// corrupt count does not allocate more than the stream holds.
///
/// # Errors
///
/// [`Error::Data`] with the byte offset (in the decompressed bytes) for: a wrong magic number,
/// a zero image dimension, a stream shorter than its header says, bytes after the data, label
/// and image counts that differ, a label outside `0..=9`, or a read error (such as a corrupt gzip
/// stream). Errors in the images stream name it `images`, in the labels stream `labels`.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), cnn::Error> {
/// let images = [&[0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2][..], &[0, 255, 51, 0]].concat();
/// let labels = [0, 0, 8, 1, 0, 0, 0, 1, 4];
/// let mnist = cnn::data::parse_idx(&images[..], &labels[..])?;
/// assert_eq!(mnist.images.shape(), &[1, 1, 2, 2]);
/// assert_eq!(mnist.images[[0, 0, 1, 0]], 0.2);
/// assert_eq!(mnist.labels, vec![4]);
/// # Ok(())
/// # }
/// ```
pub fn parse_idx(images: impl Read, labels: impl Read) -> Result<Dataset, Error> {
    parse_idx_from(
        IdxSource::new(images, "images".to_owned())?,
        IdxSource::new(labels, "labels".to_owned())?,
    )
}

/// The four files of MNIST, and of Fashion-MNIST, which uses the same names.
const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Loads MNIST (or Fashion-MNIST) from a folder holding the standard four files, each raw or
/// gzipped: `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
/// `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`. Returns `(train, test)`.
///
/// # Errors
///
/// [`Error::Io`] naming the missing file if neither its raw nor its gzipped form is in `dir`, or
/// if a file cannot be opened; [`Error::Data`] as for [`load_idx`].
/// # Examples
/// ```
/// let images = [&[0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2][..], &[0, 255, 51, 0]].concat();
/// let labels = [0, 0, 8, 1, 0, 0, 0, 1, 4];
/// let dir = tempfile::tempdir().unwrap();
/// for (name, bytes) in [
///     ("train-images-idx3-ubyte", &images[..]),
///     ("train-labels-idx1-ubyte", &labels[..]),
///     ("t10k-images-idx3-ubyte", &images[..]),
///     ("t10k-labels-idx1-ubyte", &labels[..]),
/// ] {
///     std::fs::write(dir.path().join(name), bytes).unwrap();
/// }
/// let (train, test) = cnn::data::load_mnist_dir(dir.path())?;
/// assert_eq!((train.len(), test.len()), (1, 1));
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn load_mnist_dir(dir: impl AsRef<Path>) -> Result<(Dataset, Dataset), Error> {
    let dir = dir.as_ref();
    let [train_images, train_labels, test_images, test_labels] =
        MNIST_FILES.map(|name| find_raw_or_gz(dir, name));
    let train = load_idx(train_images?, train_labels?)?;
    let test = load_idx(test_images?, test_labels?)?;
    Ok((train, test))
}

fn find_raw_or_gz(dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = dir.join(format!("{name}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(Error::Io {
        action: READ_DATA,
        path: raw,
        error: io::Error::new(
            io::ErrorKind::NotFound,
            format!("no such file, and no `{name}.gz` either"),
        ),
    })
}

/// One IDX stream, decompressed if need be, with its name for error messages and the offset
/// read so far.
struct IdxSource<'a> {
    name: String,
    reader: Box<dyn Read + 'a>,
    offset: u64,
}

impl<'a> IdxSource<'a> {
    fn new(reader: impl Read + 'a, name: String) -> Result<Self, Error> {
        match maybe_gunzip(reader) {
            Ok(reader) => Ok(IdxSource {
                name,
                reader,
                offset: 0,
            }),
            Err(e) => Err(data_error(name, 0, format!("cannot read: {e}"))),
        }
    }

    fn error(&self, offset: u64, reason: String) -> Error {
        data_error(self.name.clone(), offset, reason)
    }

    /// Reads the next `len` bytes; a shorter stream is an error that says `what` was expected.
    /// Memory grows with the bytes that come, not with `len`.
    fn read(&mut self, len: u128, what: impl FnOnce() -> String) -> Result<Vec<u8>, Error> {
        let start = self.offset;
        let limit = u64::try_from(len).unwrap_or(u64::MAX);
        let mut bytes = Vec::with_capacity(limit.min(1 << 20) as usize);
        if let Err(e) = (&mut self.reader).take(limit).read_to_end(&mut bytes) {
            let at = start + bytes.len() as u64;
            return Err(self.error(at, format!("cannot read: {e}")));
        }
        self.offset += bytes.len() as u64;
        if (bytes.len() as u128) < len {
            return Err(self.error(
                start,
                format!(
                    "expected {}, found only {} byte{} before the end of the file",
                    what(),
                    bytes.len(),
                    if bytes.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(bytes)
    }

    /// Reads `N` big-endian `u32`s of the header, named `what` in the error if the file ends.
    fn read_u32s<const N: usize>(&mut self, what: &str) -> Result<[u32; N], Error> {
        let bytes = self.read(4 * N as u128, || {
            format!("{} bytes of header ({what})", 4 * N)
        })?;
        Ok(std::array::from_fn(|i| {
            u32::from_be_bytes([
                bytes[4 * i],
                bytes[4 * i + 1],
                bytes[4 * i + 2],
                bytes[4 * i + 3],
            ])
        }))
    }

    /// Reads the magic number on its own, so that a wrong file is called that even when it
    /// is shorter than the rest of the header; names the `other` kind of file if it is that.
    fn expect_magic(&mut self, expected: u32, other: (u32, &str)) -> Result<(), Error> {
        let [found] = self.read_u32s::<1>("the magic number")?;
        if found == expected {
            return Ok(());
        }
        let dims = expected & 0xff;
        let hint = if found == other.0 {
            format!(" ({})", other.1)
        } else {
            String::new()
        };
        Err(self.error(
            0,
            format!(
                "expected magic number {expected:#010x} (unsigned bytes, {dims} dimension{}), \
                 found {found:#010x}{hint}",
                if dims == 1 { "" } else { "s" }
            ),
        ))
    }

    fn expect_end(&mut self) -> Result<(), Error> {
        let mut byte = [0];
        loop {
            return match self.reader.read(&mut byte) {
                Ok(0) => Ok(()),
                Ok(_) => Err(self.error(
                    self.offset,
                    "expected the end of the file after the data, found more bytes".to_owned(),
                )),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Err(self.error(self.offset, format!("cannot read: {e}"))),
            };
        }
    }
}

fn data_error(source_name: String, offset: u64, reason: String) -> Error {
    Error::Data {
        source_name,
        line: None,
        offset: Some(offset),
        reason,
    }
}

fn parse_idx_from(mut images: IdxSource<'_>, mut labels: IdxSource<'_>) -> Result<Dataset, Error> {
    // Both headers first, so that mismatched files fail before megabytes are read.
    images.expect_magic(IDX_IMAGES_MAGIC, (IDX_LABELS_MAGIC, "a labels file?"))?;
    let [count, rows, cols] = images.read_u32s::<3>("count, rows, columns")?;
    if rows == 0 || cols == 0 {
        return Err(images.error(
            8,
            format!("expected image dimensions of at least 1x1, found {rows}x{cols}"),
        ));
    }
    // An array's shape must fit `isize` even with no images in it.
    if (u64::from(rows) * u64::from(cols)) > isize::MAX as u64 / 4 {
        return Err(images.error(
            8,
            format!("expected image dimensions an array can hold, found {rows}x{cols}"),
        ));
    }
    labels.expect_magic(IDX_LABELS_MAGIC, (IDX_IMAGES_MAGIC, "an images file?"))?;
    let [label_count] = labels.read_u32s::<1>("count")?;
    if label_count != count {
        return Err(labels.error(
            4,
            format!(
                "expected {count} labels, one for each image in `{}`, found a count of {label_count}",
                images.name
            ),
        ));
    }

    // At most 2^96 - 1: no overflow in u128.
    let pixel_count = u128::from(count) * u128::from(rows) * u128::from(cols);
    let pixels = images.read(pixel_count, || {
        format!("{pixel_count} bytes of pixels ({count} images of {rows}x{cols})")
    })?;
    images.expect_end()?;
    let label_bytes = labels.read(u128::from(count), || format!("{count} bytes of labels"))?;
    labels.expect_end()?;
    if let Some(i) = label_bytes
        .iter()
        .position(|&l| usize::from(l) >= IDX_CLASSES)
    {
        return Err(labels.error(
            (IDX_LABELS_HEADER + i) as u64,
            format!(
                "expected a label in 0..={}, found {}",
                IDX_CLASSES - 1,
                label_bytes[i]
            ),
        ));
    }

    let pixels = pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
    let shape = (count as usize, 1, rows as usize, cols as usize);
    let images =
        Array4::from_shape_vec(shape, pixels).expect("the header's count of pixels was read");
    Ok(Dataset {
        images,
        labels: label_bytes.into_iter().map(usize::from).collect(),
        classes: IDX_CLASSES,
    })
}
