//! Labelled image data sets: scikit-learn's 8x8 digits (CSV, in `digits.rs`) and MNIST-format IDX
//! files (in `idx.rs`), gzipped or not, read into a [`Dataset`] of `f32` images in `[0, 1]`.
//! This file holds the data set, its splits, and what both readers share.
//!
//! ```
//! // scikit-learn's digits ship with the repository, in `data/`.
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
//! let digits = cnn::data::load_digits(path)?;
//! let (train, test) = digits.stratified_split(0.2, 0);
//! assert_eq!((train.len(), test.len()), (1438, 359));
//! assert_eq!(train.images.shape(), &[1438, 1, 8, 8]);
//! assert_eq!(test.one_hot().shape(), &[359, 10]);
//! # Ok::<(), cnn::Error>(())
//! ```
//!
//! The readers never panic on their input: a malformed file gives an [`Error::Data`] naming the
//! file and the line (CSV) or byte offset (IDX, counted in the decompressed bytes) where it goes
//! wrong, and a file that cannot be opened gives an [`Error::Io`] naming its path.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use ndarray::{Array2, Array4, Axis};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::Error;

mod digits;
mod idx;
#[cfg(test)]
mod tests;

pub use digits::{load_digits, parse_digits_csv};
pub use idx::{load_idx, load_mnist_dir, parse_idx};

/// A labelled image data set: images `[N, C, H, W]` as `f32` scaled to `[0, 1]`, labels as class
/// indices below `classes`.
/// # Examples
/// ```
/// use cnn::data::Dataset;
/// use cnn::ndarray::Array4;
///
/// let data = Dataset {
///     images: Array4::zeros((3, 1, 2, 2)),
///     labels: vec![1, 0, 1],
///     classes: 2,
/// };
/// assert_eq!((data.len(), data.class_counts()), (3, vec![1, 2]));
/// assert_eq!(data.select(&[2, 0]).labels, [1, 1]);
/// assert_eq!(data.one_hot().row(1).to_vec(), [1.0, 0.0]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Dataset {
    /// The images, `[N, C, H, W]`; as the loaders read them, each value in `[0, 1]`.
    pub images: Array4<f32>,
    /// The class of each image, `N` of them, each below `classes`.
    pub labels: Vec<usize>,
    /// The number of classes (10 for digits).
    pub classes: usize,
}

impl Dataset {
    /// The number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// How many examples each class has, indexed by class.
    ///
    /// # Panics
    ///
    /// If a label is not below `classes`.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &label in &self.labels {
            counts[label] += 1;
        }
        counts
    }

    /// Class weights that make every class count as much in a weighted loss, scikit-learn's
    /// `"balanced"`: a class's weight is inversely proportional to its count (0 for a class
    /// without examples), for [`Trainer::class_weights`](crate::Trainer::class_weights).
    ///
    /// ```text
    /// weight(c) = N / (classes * count(c))
    /// ```
    ///
    /// # Panics
    ///
    /// If a label is not below `classes`.
    /// # Examples
    /// ```
    /// use cnn::data::Dataset;
    /// use cnn::ndarray::Array4;
    /// let data = Dataset { images: Array4::zeros((4, 1, 1, 1)), labels: vec![0, 0, 0, 1], classes: 2 };
    /// assert_eq!(data.balanced_class_weights(), [4.0 / 6.0, 2.0]);
    /// ```
    pub fn balanced_class_weights(&self) -> Vec<f64> {
        let n = self.len() as f64;
        let classes = self.classes as f64;
        self.class_counts()
            .iter()
            .map(|&c| {
                if c == 0 {
                    0.0
                } else {
                    n / (classes * c as f64)
                }
            })
            .collect()
    }

    /// One-hot targets `[N, classes]`: row `i` is 1 at column `labels[i]` and 0 elsewhere.
    ///
    /// # Panics
    ///
    /// If a label is not below `classes`.
    pub fn one_hot(&self) -> Array2<f32> {
        let mut targets = Array2::zeros((self.len(), self.classes));
        for (i, &label) in self.labels.iter().enumerate() {
            targets[[i, label]] = 1.0;
        }
        targets
    }

    /// Splits into `(rest, held_out)`: `held_out` takes `fraction` of each class (rounded to the
    /// nearest count), drawn by a ChaCha8 generator seeded with `seed`, so the split is the same
    /// on every run and platform. Both parts keep the examples in their original order.
    ///
    /// ```text
    /// held_out count of class c = round(fraction * count of c)
    /// ```
    ///
    /// `0.2` gives an 80/20 split.
    ///
    /// # Panics
    ///
    /// If `fraction` is not in `0..=1`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), cnn::Error> {
    /// let mut csv = String::new();
    /// for label in 0..10 {
    ///     for _ in 0..10 {
    ///         csv += &format!("{}{label}\n", "0,".repeat(64));
    ///     }
    /// }
    /// let digits = cnn::data::parse_digits_csv(csv.as_bytes())?;
    /// let (train, test) = digits.stratified_split(0.2, 42);
    /// assert_eq!((train.len(), test.len()), (80, 20));
    /// assert_eq!(test.class_counts(), vec![2; 10]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn stratified_split(&self, fraction: f64, seed: u64) -> (Dataset, Dataset) {
        assert!(
            (0.0..=1.0).contains(&fraction),
            "the held-out fraction is {fraction}, but it must be in 0..=1"
        );
        // Group by the labels actually present, so a label at or above `classes` in a
        // hand-built data set still lands in one of the parts.
        let groups = self.labels.iter().max().map_or(0, |&max| max + 1);
        let mut by_class = vec![Vec::new(); groups.max(self.classes)];
        for (i, &label) in self.labels.iter().enumerate() {
            by_class[label].push(i);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut rest, mut held_out) = (Vec::new(), Vec::new());
        for mut members in by_class {
            shuffle(&mut members, &mut rng);
            let take = (fraction * members.len() as f64).round() as usize;
            let take = take.min(members.len());
            held_out.extend_from_slice(&members[..take]);
            rest.extend_from_slice(&members[take..]);
        }
        rest.sort_unstable();
        held_out.sort_unstable();
        (self.select(&rest), self.select(&held_out))
    }

    /// The mean and the population standard deviation of all the images' values, summed in
    /// `f64` in two passes: `f32` sums over a data set of millions of values drift in the
    /// second digit (ndarray's `f32` `std` of Fashion-MNIST's training images is 0.313, where
    /// the exact figure, and PyTorch's, is 0.353).
    ///
    /// ```text
    /// mean = sum v / n        std = sqrt(sum (v - mean)^2 / n)
    /// ```
    ///
    /// `(0.0, 0.0)` for a data set without values.
    ///
    /// # Examples
    /// ```
    /// use cnn::data::Dataset;
    /// use cnn::ndarray::Array4;
    /// let data = Dataset {
    ///     images: Array4::from_shape_vec((2, 1, 1, 2), vec![0.0, 1.0, 1.0, 0.0]).unwrap(),
    ///     labels: vec![0, 1],
    ///     classes: 2,
    /// };
    /// assert_eq!(data.pixel_stats(), (0.5, 0.5));
    /// ```
    pub fn pixel_stats(&self) -> (f64, f64) {
        let n = self.images.len();
        if n == 0 {
            return (0.0, 0.0);
        }
        let mean = self.images.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        let squares: f64 = self
            .images
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum();
        (mean, (squares / n as f64).sqrt())
    }

    /// Standardises every value, `v <- (v - mean) / std`, usually with the training set's
    /// [`pixel_stats`](Self::pixel_stats) for the training and the test set alike (so SGD sees
    /// inputs around 0 with unit spread). A `std` of 0 (a constant data set) only subtracts.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> Result<(), cnn::Error> {
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
    /// let (mut train, mut test) = cnn::data::load_digits(path)?.stratified_split(0.2, 0);
    /// let stats = train.pixel_stats();
    /// train.standardize(stats);
    /// test.standardize(stats);
    /// let (mean, std) = train.pixel_stats();
    /// assert!(mean.abs() < 1e-6 && (std - 1.0).abs() < 1e-6);
    /// # Ok(())
    /// # }
    /// ```
    pub fn standardize(&mut self, (mean, std): (f64, f64)) {
        let scale = if std > 0.0 { 1.0 / std } else { 1.0 };
        self.images
            .mapv_inplace(|v| ((f64::from(v) - mean) * scale) as f32);
    }

    /// The examples at `indices`, in that order (repeats allowed).
    ///
    /// # Panics
    ///
    /// If an index is not below [`len`](Self::len).
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            images: self.images.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes,
        }
    }
}

/// Shows the shape, not the numbers: `Dataset { images: [1797, 1, 8, 8], classes: 10 }`.
impl fmt::Debug for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("images", &self.images.shape())
            .field("classes", &self.classes)
            .finish_non_exhaustive()
    }
}

/// Fisher–Yates with its own index draw (Lemire's multiply-shift), so that a seed keeps giving
/// the same split: `rand`'s `shuffle` and `random_range` may change their output in a
/// value-breaking minor release, the ChaCha8 stream does not.
pub(crate) fn shuffle(items: &mut [usize], rng: &mut ChaCha8Rng) {
    for i in (1..items.len()).rev() {
        let bound = i as u128 + 1;
        let j = ((u128::from(rng.next_u64()) * bound) >> 64) as usize;
        items.swap(i, j);
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// `reader`'s bytes, gunzipped if they start with the gzip magic bytes `1f 8b`.
fn maybe_gunzip<'a>(mut reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    let mut magic = [0; 2];
    let mut len = 0;
    while len < magic.len() {
        match reader.read(&mut magic[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let whole = io::Cursor::new(magic[..len].to_vec()).chain(reader);
    Ok(if magic[..len] == GZIP_MAGIC {
        // `Multi`: `gzip` may write several members, and `zcat` reads them all.
        Box::new(MultiGzDecoder::new(whole))
    } else {
        Box::new(whole)
    })
}

/// The [`Error::Io`] action of the loaders: "failed to read data file `digits.csv`: ...".
const READ_DATA: &str = "read data file";

fn open(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|error| Error::Io {
        action: READ_DATA,
        path: path.to_owned(),
        error,
    })
}
