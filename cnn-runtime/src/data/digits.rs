//! scikit-learn's 8x8 digits, one CSV line per image: 64 pixels in `0..=16`, then the label.

use std::io::{self, BufRead, BufReader, Read};
use std::num::IntErrorKind::{NegOverflow, PosOverflow};
use std::path::Path;

use ndarray::Array4;

use super::{Dataset, maybe_gunzip, open};
use crate::Error;

/// Values per line of the digits CSV: 64 pixels, then the label.
const DIGITS_FIELDS: usize = 65;
/// The largest pixel value: each pixel counts the set bits of a 4x4 block.
const DIGITS_MAX_PIXEL: i64 = 16;

/// Loads scikit-learn's 8x8 digits (`sklearn/datasets/data/digits.csv.gz`) from a file, gzipped
/// or plain (told apart by the gzip magic bytes). See [`parse_digits_csv`] for the format.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be opened, [`Error::Data`] with the 1-based line number if
/// its content is malformed.
///
/// # Examples
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
/// let digits = cnn::data::load_digits(path)?;
/// assert_eq!((digits.len(), digits.classes), (1797, 10));
/// assert!(cnn::data::load_digits("no-such-file.csv").is_err());
/// # Ok::<(), cnn::Error>(())
/// ```
pub fn load_digits(path: impl AsRef<Path>) -> Result<Dataset, Error> {
    let path = path.as_ref();
    parse_digits_csv_from(open(path)?, &path.display().to_string())
}

/// Parses scikit-learn's 8x8 digits from CSV bytes, gzipped or plain (told apart by the gzip
/// magic bytes), into images `[N, 1, 8, 8]` and 10 classes.
///
/// Each line holds 65 comma-separated integers: 64 pixels in `0..=16`, row by row, then the
/// label in `0..=9`. Pixels are scaled to `[0, 1]`:
///
/// ```text
/// image[n, 0, r, c] = field[8 r + c] / 16
/// ```
///
/// Blank lines are skipped, `\r\n` line ends and spaces around the numbers are accepted. Input
/// with no lines gives an empty data set.
///
/// # Errors
///
/// [`Error::Data`] with the 1-based line number, for: a line without exactly 65 fields, a field
/// that is not an integer, a pixel outside `0..=16`, a label outside `0..=9`, bytes that are not
/// UTF-8, or a read error (such as a corrupt gzip stream).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), cnn::Error> {
/// let line = format!("{}16,7\n", "0,".repeat(63));
/// let digits = cnn::data::parse_digits_csv(line.as_bytes())?;
/// assert_eq!(digits.images.shape(), &[1, 1, 8, 8]);
/// assert_eq!(digits.images[[0, 0, 7, 7]], 1.0);
/// assert_eq!(digits.labels, vec![7]);
///
/// let bad = cnn::data::parse_digits_csv(&b"1,2,3\n"[..]).unwrap_err();
/// assert_eq!(
///     bad.to_string(),
///     "input:1: expected 65 comma-separated integers (64 pixels, then the label), found 3 fields",
/// );
/// # Ok(())
/// # }
/// ```
pub fn parse_digits_csv(reader: impl Read) -> Result<Dataset, Error> {
    parse_digits_csv_from(reader, "input")
}

fn parse_digits_csv_from(reader: impl Read, source_name: &str) -> Result<Dataset, Error> {
    let error = |line: usize, reason: String| Error::Data {
        source_name: source_name.to_owned(),
        line: Some(line),
        offset: None,
        reason,
    };
    let read_error = |line: usize, e: io::Error| error(line, format!("cannot read: {e}"));

    let mut reader = BufReader::new(maybe_gunzip(reader).map_err(|e| read_error(1, e))?);
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    let mut bytes = Vec::new();
    let mut line = 0;
    loop {
        line += 1;
        bytes.clear();
        if reader
            .read_until(b'\n', &mut bytes)
            .map_err(|e| read_error(line, e))?
            == 0
        {
            break;
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| {
                error(
                    line,
                    format!(
                        "expected text, found a byte that is not UTF-8 at column {}",
                        e.valid_up_to() + 1
                    ),
                )
            })?
            .trim();
        if text.is_empty() {
            continue;
        }
        let fields = text.split(',').count();
        if fields != DIGITS_FIELDS {
            return Err(error(
                line,
                format!(
                    "expected {DIGITS_FIELDS} comma-separated integers (64 pixels, then the \
                     label), found {fields} field{}",
                    if fields == 1 { "" } else { "s" }
                ),
            ));
        }
        for (i, field) in text.split(',').map(str::trim).enumerate() {
            let is_label = i == DIGITS_FIELDS - 1;
            let range = if is_label {
                0..=9
            } else {
                0..=DIGITS_MAX_PIXEL
            };
            let wrong = |found: &str| {
                let what = if is_label { "label" } else { "pixel value" };
                format!(
                    "field {} is {found}, expected a {what} in {}..={}",
                    i + 1,
                    range.start(),
                    range.end()
                )
            };
            let value = match field.parse::<i64>() {
                Ok(value) if range.contains(&value) => value,
                _ if field.is_empty() => return Err(error(line, wrong("empty"))),
                // An integer too large for `i64` is out of range all the same.
                Ok(_) => return Err(error(line, wrong(&format!("`{field}`")))),
                Err(e) if matches!(e.kind(), PosOverflow | NegOverflow) => {
                    return Err(error(line, wrong(&format!("`{field}`"))));
                }
                Err(_) => {
                    let reason = format!("field {} is `{field}`, expected an integer", i + 1);
                    return Err(error(line, reason));
                }
            };
            if is_label {
                labels.push(value as usize);
            } else {
                pixels.push(value as f32 / DIGITS_MAX_PIXEL as f32);
            }
        }
    }
    let images = Array4::from_shape_vec((labels.len(), 1, 8, 8), pixels)
        .expect("64 pixels were pushed per label");
    Ok(Dataset {
        images,
        labels,
        classes: 10,
    })
}
