//! Tests of the data loaders: the digits CSV, IDX pairs and MNIST folders, the splits, and
//! property tests that whatever the bytes, the readers return a data set or an error.

use std::io;

use ndarray::Array4;

use super::idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC};
use super::*;
use crate::testing::temp::TempDir;
use crate::testing::{ByteEdit, fuzz_config, gzip};

/// The parts of an [`Error::Data`], panicking on any other error.
fn data_error(result: Result<Dataset, Error>) -> (String, Option<usize>, Option<u64>, String) {
    match result {
        Err(Error::Data {
            source_name,
            line,
            offset,
            reason,
        }) => (source_name, line, offset, reason),
        other => panic!("expected a data error, found {other:?}"),
    }
}

/// A digits line: pixel `i` is `i % 17`, then the label.
fn digits_line(label: usize) -> String {
    let pixels: Vec<String> = (0..64).map(|i| (i % 17).to_string()).collect();
    format!("{},{label}\n", pixels.join(","))
}

fn csv_error(csv: &str) -> (Option<usize>, String) {
    let (name, line, offset, reason) = data_error(parse_digits_csv(csv.as_bytes()));
    assert_eq!((name.as_str(), offset), ("input", None));
    (line, reason)
}

#[test]
fn parses_digits_csv() {
    let csv = format!("{}{}", digits_line(3), digits_line(9));
    let digits = parse_digits_csv(csv.as_bytes()).unwrap();
    assert_eq!(digits.images.shape(), &[2, 1, 8, 8]);
    assert_eq!(digits.labels, vec![3, 9]);
    assert_eq!((digits.len(), digits.classes), (2, 10));
    // Row-major: pixel 8 r + c; 16 scales to exactly 1.
    assert_eq!(digits.images[[0, 0, 0, 1]], 1.0 / 16.0);
    assert_eq!(digits.images[[1, 0, 2, 0]], 16.0 / 16.0);
    assert_eq!(digits.images[[1, 0, 7, 7]], (63 % 17) as f32 / 16.0);
}

#[test]
fn digits_csv_accepts_crlf_spaces_blank_lines_and_no_final_newline() {
    let plain = format!("{}{}", digits_line(1), digits_line(2));
    let loose = format!(
        "\n{}\r\n  \n{}",
        digits_line(1).trim_end().replace(',', " , "),
        digits_line(2).trim_end()
    );
    assert_eq!(
        parse_digits_csv(loose.as_bytes()).unwrap(),
        parse_digits_csv(plain.as_bytes()).unwrap()
    );
}

#[test]
fn empty_digits_csv_is_an_empty_data_set() {
    let digits = parse_digits_csv(&b""[..]).unwrap();
    assert!(digits.is_empty());
    assert_eq!(digits.images.shape(), &[0, 1, 8, 8]);
    assert_eq!(digits.one_hot().shape(), &[0, 10]);
}

#[test]
fn gzipped_digits_csv_round_trips() {
    let csv: String = (0..10).map(digits_line).collect();
    let plain = parse_digits_csv(csv.as_bytes()).unwrap();
    let gzipped = parse_digits_csv(&gzip(csv.as_bytes())[..]).unwrap();
    assert_eq!(plain, gzipped);
    assert_eq!(gzipped.labels, (0..10).collect::<Vec<_>>());
}

#[test]
fn digits_csv_errors_name_the_line_and_the_field() {
    let good = digits_line(5);
    let with = |field: usize, value: &str| {
        let mut fields: Vec<&str> = good.trim_end().split(',').collect();
        fields[field] = value;
        format!("{good}{good}{}\n", fields.join(","))
    };
    assert_eq!(
        csv_error(&format!("{good}1,2,3\n")),
        (
            Some(2),
            "expected 65 comma-separated integers (64 pixels, then the label), found 3 fields"
                .to_owned()
        )
    );
    assert_eq!(
        csv_error(&format!("{}0,{good}", "\n")),
        (
            Some(2),
            "expected 65 comma-separated integers (64 pixels, then the label), found 66 fields"
                .to_owned()
        )
    );
    let cases = [
        (4, "x", "field 5 is `x`, expected an integer"),
        (4, "2.5", "field 5 is `2.5`, expected an integer"),
        (4, "", "field 5 is empty, expected a pixel value in 0..=16"),
        (0, "17", "field 1 is `17`, expected a pixel value in 0..=16"),
        (
            63,
            "-1",
            "field 64 is `-1`, expected a pixel value in 0..=16",
        ),
        (
            10,
            "99999999999999999999",
            "field 11 is `99999999999999999999`, expected a pixel value in 0..=16",
        ),
        (64, "10", "field 65 is `10`, expected a label in 0..=9"),
        (64, "-3", "field 65 is `-3`, expected a label in 0..=9"),
    ];
    for (field, value, reason) in cases {
        assert_eq!(
            csv_error(&with(field, value)),
            (Some(3), reason.to_owned()),
            "{value}"
        );
    }
    let mut bytes = format!("{good}{good}{good}").into_bytes();
    bytes.insert(2 * good.len() + 4, 0xff);
    let (_, line, _, reason) = data_error(parse_digits_csv(&bytes[..]));
    assert_eq!(
        (line, reason.as_str()),
        (
            Some(3),
            "expected text, found a byte that is not UTF-8 at column 5"
        )
    );
}

#[test]
fn digits_csv_error_message_reads_like_rustc() {
    let error = parse_digits_csv(format!("{}4,2\n", "0,".repeat(62)).as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "input:1: expected 65 comma-separated integers (64 pixels, then the label), found 64 \
         fields"
    );
}

#[test]
fn corrupt_or_truncated_gzip_is_an_error() {
    let csv: String = (0..10).map(digits_line).collect();
    let gzipped = gzip(csv.as_bytes());
    for cut in [
        2,
        10,
        gzipped.len() / 2,
        gzipped.len() - 4,
        gzipped.len() - 1,
    ] {
        let (_, line, _, reason) = data_error(parse_digits_csv(&gzipped[..cut]));
        assert!(line.is_some());
        assert!(
            reason.starts_with("cannot read") || reason.starts_with("expected"),
            "{cut}: {reason}"
        );
    }
    let mut corrupt = gzipped.clone();
    corrupt[20] ^= 0xff;
    corrupt[21] ^= 0xff;
    assert!(parse_digits_csv(&corrupt[..]).is_err());
}

/// An IDX images stream: header, then `pixels`, whose length need not match.
fn idx_images(count: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    [IDX_IMAGES_MAGIC, count, rows, cols]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .chain(pixels.iter().copied())
        .collect()
}

fn idx_labels(count: u32, labels: &[u8]) -> Vec<u8> {
    [IDX_LABELS_MAGIC, count]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .chain(labels.iter().copied())
        .collect()
}

fn idx_error(images: &[u8], labels: &[u8]) -> (String, u64, String) {
    let (name, line, offset, reason) = data_error(parse_idx(images, labels));
    assert_eq!(line, None);
    (name, offset.expect("an offset"), reason)
}

/// Three 2x3 images, pixel values 0, 1, ..., 17 and 255.
fn small_idx() -> (Vec<u8>, Vec<u8>) {
    let mut pixels: Vec<u8> = (0..18).collect();
    pixels[17] = 255;
    (idx_images(3, 2, 3, &pixels), idx_labels(3, &[7, 0, 9]))
}

#[test]
fn parses_idx() {
    let (images, labels) = small_idx();
    let mnist = parse_idx(&images[..], &labels[..]).unwrap();
    assert_eq!(mnist.images.shape(), &[3, 1, 2, 3]);
    assert_eq!(mnist.labels, vec![7, 0, 9]);
    assert_eq!(mnist.classes, 10);
    assert_eq!(mnist.images[[0, 0, 0, 1]], 1.0 / 255.0);
    assert_eq!(mnist.images[[1, 0, 1, 2]], 11.0 / 255.0);
    assert_eq!(mnist.images[[2, 0, 1, 2]], 1.0);
}

#[test]
fn gzipped_idx_round_trips() {
    let (images, labels) = small_idx();
    let raw = parse_idx(&images[..], &labels[..]).unwrap();
    assert_eq!(
        raw,
        parse_idx(&gzip(&images)[..], &gzip(&labels)[..]).unwrap()
    );
    assert_eq!(raw, parse_idx(&images[..], &gzip(&labels)[..]).unwrap());
}

#[test]
fn idx_errors_name_the_offset_and_expected_versus_found() {
    let (images, labels) = small_idx();
    let (pixels, label_bytes) = (&images[16..], &labels[8..]);

    let mut wrong = images.clone();
    wrong[3] = 0x02;
    assert_eq!(
        idx_error(&wrong, &labels),
        (
            "images".to_owned(),
            0,
            "expected magic number 0x00000803 (unsigned bytes, 3 dimensions), found \
             0x00000802"
                .to_owned()
        )
    );
    assert_eq!(
        idx_error(&labels, &images).2,
        "expected magic number 0x00000803 (unsigned bytes, 3 dimensions), found 0x00000801 \
         (a labels file?)"
    );
    let (_, offset, reason) = idx_error(&images, &images);
    assert_eq!(
        (offset, reason.as_str()),
        (
            0,
            "expected magic number 0x00000801 (unsigned bytes, 1 dimension), found 0x00000803 \
             (an images file?)"
        )
    );
    assert_eq!(
        idx_error(&images[..2], &labels),
        (
            "images".to_owned(),
            0,
            "expected 4 bytes of header (the magic number), found only 2 bytes before the \
             end of the file"
                .to_owned()
        )
    );
    assert_eq!(
        idx_error(&images[..7], &labels),
        (
            "images".to_owned(),
            4,
            "expected 12 bytes of header (count, rows, columns), found only 3 bytes before \
             the end of the file"
                .to_owned()
        )
    );
    assert_eq!(
        idx_error(&idx_images(3, 0, 3, pixels), &labels),
        (
            "images".to_owned(),
            8,
            "expected image dimensions of at least 1x1, found 0x3".to_owned()
        )
    );
    assert_eq!(
        idx_error(&images, &idx_labels(2, &label_bytes[..2])),
        (
            "labels".to_owned(),
            4,
            "expected 3 labels, one for each image in `images`, found a count of 2".to_owned()
        )
    );
    assert_eq!(
        idx_error(&images[..images.len() - 1], &labels),
        (
            "images".to_owned(),
            16,
            "expected 18 bytes of pixels (3 images of 2x3), found only 17 bytes before the \
             end of the file"
                .to_owned()
        )
    );
    assert_eq!(
        idx_error(&[&images[..], &[0]].concat(), &labels),
        (
            "images".to_owned(),
            34,
            "expected the end of the file after the data, found more bytes".to_owned()
        )
    );
    assert_eq!(
        idx_error(&images, &labels[..9]),
        (
            "labels".to_owned(),
            8,
            "expected 3 bytes of labels, found only 1 byte before the end of the file".to_owned()
        )
    );
    assert_eq!(
        idx_error(&images, &[&labels[..], &[1, 2]].concat()),
        (
            "labels".to_owned(),
            11,
            "expected the end of the file after the data, found more bytes".to_owned()
        )
    );
    assert_eq!(
        idx_error(&images, &idx_labels(3, &[1, 10, 2])),
        (
            "labels".to_owned(),
            9,
            "expected a label in 0..=9, found 10".to_owned()
        )
    );
    // Offsets count decompressed bytes.
    assert_eq!(
        idx_error(&gzip(&images), &gzip(&idx_labels(3, &[1, 2, 255]))).1,
        10
    );
}

#[test]
fn idx_error_message_reads_like_rustc() {
    let (images, _) = small_idx();
    let error = parse_idx(&images[..], &idx_labels(3, &[1, 2, 3, 4])[..]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "labels at byte 11: expected the end of the file after the data, found more bytes"
    );
}

#[test]
fn a_huge_count_in_the_header_does_not_allocate_it() {
    // 4 billion images of 65535x65535 would be 1.8e19 bytes; there are 10.
    let images = idx_images(u32::MAX, 65_535, 65_535, &[0; 10]);
    let labels = idx_labels(u32::MAX, &[0; 10]);
    let (name, offset, reason) = idx_error(&images, &labels);
    assert_eq!((name.as_str(), offset), ("images", 16));
    assert_eq!(
        reason,
        "expected 18446181123756261375 bytes of pixels (4294967295 images of 65535x65535), \
         found only 10 bytes before the end of the file"
    );
    // The largest header: refused at its dimensions, which no array can hold.
    let images = idx_images(u32::MAX, u32::MAX, u32::MAX, &[]);
    assert_eq!(idx_error(&images, &labels).1, 8);
}

#[test]
fn no_prefix_of_a_valid_file_panics_or_parses() {
    let (images, labels) = small_idx();
    for cut in 0..images.len() {
        assert!(parse_idx(&images[..cut], &labels[..]).is_err(), "{cut}");
    }
    for cut in 0..labels.len() {
        assert!(parse_idx(&images[..], &labels[..cut]).is_err(), "{cut}");
    }
    let gzipped = gzip(&images);
    for cut in 0..gzipped.len() {
        assert!(parse_idx(&gzipped[..cut], &labels[..]).is_err(), "{cut}");
    }
    let csv = gzip(digits_line(4).as_bytes());
    for cut in 1..csv.len() {
        assert!(parse_digits_csv(&csv[..cut]).is_err(), "{cut}");
    }
}

#[test]
fn missing_files_are_io_errors_naming_the_path() {
    let dir = TempDir::new();
    let path = dir.join("no-such-digits.csv");
    match load_digits(&path) {
        Err(Error::Io {
            action,
            path: p,
            error,
        }) => {
            assert_eq!((action, p.as_path()), (READ_DATA, path.as_path()));
            assert_eq!(error.kind(), io::ErrorKind::NotFound);
        }
        other => panic!("expected an io error, found {other:?}"),
    }
    let message = load_idx(&path, &path).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!("failed to read data file `{}`: ", path.display())),
        "{message}"
    );
    let message = load_mnist_dir(dir.path()).unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "failed to read data file `{}`: no such file, and no \
             `train-images-idx3-ubyte.gz` either",
            dir.join("train-images-idx3-ubyte").display()
        )
    );
}

#[test]
fn loads_an_mnist_folder_of_raw_and_gzipped_files() {
    let dir = TempDir::new();
    let (images, labels) = small_idx();
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), gzip(&images)).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte"), &labels).unwrap();
    let test_images = idx_images(1, 2, 3, &[9; 6]);
    std::fs::write(dir.join("t10k-images-idx3-ubyte"), &test_images).unwrap();
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte.gz"),
        gzip(&idx_labels(1, &[4])),
    )
    .unwrap();
    let (train, test) = load_mnist_dir(dir.path()).unwrap();
    assert_eq!(train, parse_idx(&images[..], &labels[..]).unwrap());
    assert_eq!(
        (test.images.shape(), test.labels.as_slice()),
        (&[1, 1, 2, 3][..], &[4][..])
    );

    // A malformed file is named by its path.
    std::fs::write(dir.join("t10k-images-idx3-ubyte"), &test_images[..20]).unwrap();
    let (name, _, offset, _) = data_error(load_mnist_dir(dir.path()).map(|(train, _)| train));
    assert_eq!(
        (name, offset),
        (
            dir.join("t10k-images-idx3-ubyte").display().to_string(),
            Some(16)
        )
    );
}

/// 10 classes of sizes 10, 11, ..., 19, labels interleaved.
fn uneven_classes() -> Dataset {
    let grouped: Vec<usize> = (0..10)
        .flat_map(|class| std::iter::repeat_n(class, 10 + class))
        .collect();
    // 145 examples; 37 is coprime to 145, so this is a permutation.
    let n = grouped.len();
    let labels: Vec<usize> = (0..n).map(|i| grouped[i * 37 % n]).collect();
    let images = Array4::from_shape_fn((n, 1, 2, 2), |(i, _, r, c)| (i * 4 + r * 2 + c) as f32);
    Dataset {
        images,
        labels,
        classes: 10,
    }
}

#[test]
fn stratified_split_keeps_class_proportions() {
    let data = uneven_classes();
    let (rest, held_out) = data.stratified_split(0.2, 7);
    let counts = data.class_counts();
    for (class, (&all, (&r, &h))) in counts
        .iter()
        .zip(rest.class_counts().iter().zip(&held_out.class_counts()))
        .enumerate()
    {
        assert_eq!(h, (0.2 * all as f64).round() as usize, "class {class}");
        assert_eq!(r + h, all, "class {class}");
    }
}

#[test]
fn stratified_split_is_deterministic_disjoint_and_complete() {
    let data = uneven_classes();
    let (rest, held_out) = data.stratified_split(0.3, 42);
    assert_eq!(
        (rest.clone(), held_out.clone()),
        data.stratified_split(0.3, 42)
    );
    assert_ne!(held_out, data.stratified_split(0.3, 43).1);

    // Each image's first value is 4 times its index: recover the indices.
    let index = |d: &Dataset| -> Vec<usize> {
        d.images
            .outer_iter()
            .map(|image| image[[0, 0, 0]] as usize / 4)
            .collect()
    };
    let (a, b) = (index(&rest), index(&held_out));
    assert!(a.is_sorted() && b.is_sorted(), "original order kept");
    let mut all = [a, b].concat();
    all.sort_unstable();
    assert_eq!(all, (0..data.len()).collect::<Vec<_>>());
    for (d, indices) in [(&rest, index(&rest)), (&held_out, index(&held_out))] {
        let labels: Vec<usize> = indices.iter().map(|&i| data.labels[i]).collect();
        assert_eq!(d.labels, labels);
    }

    let (everything, nothing) = data.stratified_split(0.0, 1);
    assert_eq!((everything, nothing.len()), (data.clone(), 0));
    let (nothing, everything) = data.stratified_split(1.0, 1);
    assert_eq!((nothing.len(), everything), (0, data));
}

#[test]
#[should_panic(expected = "the held-out fraction is 1.5, but it must be in 0..=1")]
fn stratified_split_rejects_a_fraction_above_one() {
    let _ = uneven_classes().stratified_split(1.5, 0);
}

#[test]
fn one_hot_and_select() {
    let data = uneven_classes();
    let picked = data.select(&[5, 0, 5]);
    assert_eq!(
        picked.labels,
        vec![data.labels[5], data.labels[0], data.labels[5]]
    );
    assert_eq!(picked.images.shape(), &[3, 1, 2, 2]);
    assert_eq!(picked.images[[1, 0, 1, 1]], 3.0);
    let targets = picked.one_hot();
    assert_eq!(targets.shape(), &[3, 10]);
    for (row, &label) in targets.outer_iter().zip(&picked.labels) {
        assert_eq!(row.sum(), 1.0);
        assert_eq!(row[label], 1.0);
    }
    assert_eq!(
        format!("{picked:?}"),
        "Dataset { images: [3, 1, 2, 2], classes: 10, .. }"
    );
}

#[test]
fn loads_the_shipped_digits() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");
    let digits = load_digits(path).unwrap();
    assert_eq!(digits.images.shape(), &[1797, 1, 8, 8]);
    assert_eq!(digits.len(), 1797);
    assert_eq!(
        digits.class_counts(),
        vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    let max = digits.images.iter().copied().fold(0.0, f32::max);
    let min = digits.images.iter().copied().fold(1.0, f32::min);
    assert_eq!((min, max), (0.0, 1.0));
    // The first image is a 0: scikit-learn's `load_digits().images[0][0]`.
    assert_eq!(digits.labels[0], 0);
    let first_row: Vec<f32> = digits.images.slice(ndarray::s![0, 0, 0, ..]).to_vec();
    assert_eq!(
        first_row,
        [0., 0., 5., 13., 9., 1., 0., 0.].map(|p| p / 16.0)
    );

    let (train, test) = digits.stratified_split(0.2, 0);
    assert_eq!((train.len(), test.len()), (1438, 359));
}

/// Loads the full MNIST and Fashion-MNIST from the folders that `CNN_MNIST_DIR` and
/// `CNN_FASHION_MNIST_DIR` name, each holding the four standard files (the README says where
/// to get them):
///
/// ```text
/// CNN_MNIST_DIR=DIR CNN_FASHION_MNIST_DIR=DIR \
///     cargo test -p cnn-runtime --release -- --ignored --nocapture
/// ```
#[test]
#[ignore = "needs MNIST and Fashion-MNIST, which are not in the repository: set CNN_MNIST_DIR and CNN_FASHION_MNIST_DIR"]
fn loads_full_mnist() {
    let dir = |var: &str| {
        std::env::var_os(var)
            .unwrap_or_else(|| panic!("set {var} to a folder holding the four files"))
    };
    let start = std::time::Instant::now();
    let (train, test) = load_mnist_dir(dir("CNN_MNIST_DIR")).unwrap();
    eprintln!("loaded MNIST in {:?}", start.elapsed());
    assert_eq!(train.images.shape(), &[60_000, 1, 28, 28]);
    assert_eq!(test.images.shape(), &[10_000, 1, 28, 28]);
    assert_eq!(
        train.class_counts(),
        vec![5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(
        test.class_counts(),
        vec![980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );

    let (train, test) = load_mnist_dir(dir("CNN_FASHION_MNIST_DIR")).unwrap();
    assert_eq!(train.class_counts(), vec![6000; 10]);
    assert_eq!(test.class_counts(), vec![1000; 10]);
}

// -----------------------------------------------------------------------------------------
// Property tests: whatever the bytes, the readers return a data set or an `Error::Data`
// naming the stream and a line or offset within it; they never panic.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

/// Edits that insert or overwrite with `pieces` (or random bytes).
fn edits(pieces: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<ByteEdit>> {
    let piece = prop_oneof![
        3 => proptest::sample::select(pieces).prop_map(<[u8]>::to_vec),
        1 => vec(any::<u8>(), 1..6),
    ];
    let edit = prop_oneof![
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, m)| ByteEdit::Flip(i, m)),
        3 => (any::<Index>(), piece.clone()).prop_map(|(i, p)| ByteEdit::Insert(i, p)),
        3 => (any::<Index>(), piece).prop_map(|(i, p)| ByteEdit::Overwrite(i, p)),
        2 => (any::<Index>(), 1usize..8).prop_map(|(i, n)| ByteEdit::Remove(i, n)),
        1 => any::<Index>().prop_map(ByteEdit::Truncate),
    ];
    vec(edit, 1..=4)
}

/// What a digits CSV goes wrong with.
#[rustfmt::skip]
const CSV_PIECES: &[&[u8]] = &[
    b"-1", b"17", b"10", b"16", b"9", b"0", b"", b",", b",,", b"\n", b"\r\n", b"\r", b" ",
    b"\t", b"+3", b"1e3", b"0x1", b"1.5", b"\xff", b"\xe2\x82", b"\0", b"99999999999999999999",
    b"9223372036854775807", b"9223372036854775808", b"-9223372036854775809", b"\x1f\x8b",
    b"\x1f\x8b\x08\0",
];

/// What an IDX header goes wrong with: magic numbers, zero, huge counts.
#[rustfmt::skip]
const IDX_PIECES: &[&[u8]] = &[
    &[0, 0, 8, 3], &[0, 0, 8, 1], &[0, 0, 0, 0], &[0xff, 0xff, 0xff, 0xff], &[0, 0, 0, 1],
    &[0x7f, 0xff, 0xff, 0xff], &[0, 1, 0, 0], &[10], &[255], &[0x1f, 0x8b],
];

/// Parses `bytes` as digits CSV: a data set that keeps the promises of `Dataset`, or an
/// `Error::Data` on a line of the input.
fn check_csv(bytes: &[u8], gzipped: bool) -> Result<(), TestCaseError> {
    let input = if gzipped { gzip(bytes) } else { bytes.to_vec() };
    match parse_digits_csv(&input[..]) {
        Ok(d) => {
            prop_assert_eq!(d.images.shape(), &[d.len(), 1, 8, 8]);
            prop_assert_eq!(d.classes, 10);
            prop_assert!(d.labels.iter().all(|&l| l < 10));
            prop_assert!(d.images.iter().all(|v| (0.0..=1.0).contains(v)));
        }
        Err(Error::Data {
            source_name,
            line: Some(line),
            offset: None,
            reason,
        }) => {
            prop_assert_eq!(source_name, "input");
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            prop_assert!(
                (1..=lines).contains(&line),
                "line {line} of {lines}: {reason}"
            );
            prop_assert!(!reason.is_empty());
        }
        Err(other) => prop_assert!(false, "not a data error: {other:?}"),
    }
    Ok(())
}

/// Parses an IDX pair: a data set of the header's shape, or an `Error::Data` naming the
/// stream and an offset within it.
fn check_idx(images: &[u8], labels: &[u8], gzipped: (bool, bool)) -> Result<(), TestCaseError> {
    let maybe = |bytes: &[u8], gz: bool| if gz { gzip(bytes) } else { bytes.to_vec() };
    let result = parse_idx(&maybe(images, gzipped.0)[..], &maybe(labels, gzipped.1)[..]);
    match result {
        Ok(d) => {
            let [n, c, rows, cols] = [0, 1, 2, 3].map(|i| d.images.shape()[i]);
            prop_assert_eq!((c, d.len(), d.classes), (1, n, 10));
            prop_assert_eq!(images.len(), 16 + n * rows * cols);
            prop_assert_eq!(labels.len(), 8 + n);
            prop_assert!(d.labels.iter().all(|&l| l < 10));
        }
        Err(Error::Data {
            source_name,
            line: None,
            offset: Some(offset),
            reason,
        }) => {
            let len = match source_name.as_str() {
                "images" => images.len(),
                "labels" => labels.len(),
                other => return Err(TestCaseError::fail(format!("stream `{other}`"))),
            };
            // Offsets count decompressed bytes; a stream that is not gzip is read as is.
            prop_assert!(offset <= len as u64, "offset {offset} of {len}: {reason}");
            prop_assert!(!reason.is_empty());
        }
        Err(other) => prop_assert!(false, "not a data error: {other:?}"),
    }
    Ok(())
}

/// A valid IDX pair of `count` images of `rows x cols`, pixels and labels from `seed`.
fn idx_pair(count: u32, rows: u32, cols: u32, seed: u8) -> (Vec<u8>, Vec<u8>) {
    let n = (count * rows * cols) as usize;
    let pixels: Vec<u8> = (0..n).map(|i| (i as u8).wrapping_mul(seed)).collect();
    let labels: Vec<u8> = (0..count)
        .map(|i| (i as u8).wrapping_add(seed) % 10)
        .collect();
    (
        idx_images(count, rows, cols, &pixels),
        idx_labels(count, &labels),
    )
}

/// Found by `mutated_idx_never_panics` (`PROPTEST_RNG_SEED=5`, 100,000 cases): a header of
/// 0 images whose rows x cols is over `isize::MAX` (here 4294967295x4294967295) reads zero
/// pixel bytes, then `Array4::from_shape_vec` refuses the shape `[0, 1, rows, cols]`
/// (`ShapeError/Overflow`), and the `expect` in `parse_idx_from` panics with "the header's
/// count of pixels was read".
#[test]
fn zero_images_of_a_huge_size_are_an_error_or_empty() {
    let images = idx_images(0, u32::MAX, u32::MAX, &[]);
    let labels = idx_labels(0, &[]);
    let err = parse_idx(&images[..], &labels[..]).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected image dimensions an array can hold, found 4294967295x4294967295"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(fuzz_config(3_000, 0x00da_7a00))]

    #[test]
    fn csv_of_arbitrary_bytes_never_panics(
        bytes in vec(any::<u8>(), 0..400),
        gzipped in any::<bool>(),
    ) {
        check_csv(&bytes, gzipped)?;
    }

    #[test]
    fn csv_of_arbitrary_text_never_panics(
        text in "[0-9,\\-+ \r\n]{0,300}",
        gzipped in any::<bool>(),
    ) {
        check_csv(text.as_bytes(), gzipped)?;
    }

    #[test]
    fn mutated_csv_never_panics(
        labels in vec(0usize..10, 1..4),
        crlf in any::<bool>(),
        edits in edits(CSV_PIECES),
        gzipped in any::<bool>(),
    ) {
        let mut bytes: Vec<u8> = labels.iter().map(|&l| digits_line(l)).collect::<String>().into();
        if crlf {
            bytes = String::from_utf8(bytes).unwrap().replace('\n', "\r\n").into();
        }
        for edit in &edits {
            edit.apply(&mut bytes);
        }
        check_csv(&bytes, gzipped)?;
    }

    #[test]
    fn gzipped_csv_with_mutated_compressed_bytes_never_panics(
        labels in vec(0usize..10, 1..3),
        edits in edits(CSV_PIECES),
    ) {
        let text: String = labels.iter().map(|&l| digits_line(l)).collect();
        let mut bytes = gzip(text.as_bytes());
        for edit in &edits {
            edit.apply(&mut bytes);
        }
        // No line bound: the lines are those of whatever decompresses.
        if let Err(e) = parse_digits_csv(&bytes[..]) {
            prop_assert!(matches!(e, Error::Data { line: Some(_), offset: None, .. }), "{e:?}");
        }
    }

    #[test]
    fn idx_of_arbitrary_bytes_never_panics(
        magic in prop_oneof![Just(vec![]), Just(vec![0, 0, 8, 3]), Just(vec![0, 0, 8, 1])],
        images in vec(any::<u8>(), 0..48),
        labels in vec(any::<u8>(), 0..24),
        gzipped in (any::<bool>(), any::<bool>()),
    ) {
        let images = [&magic[..], &images[..]].concat();
        let labels = [&[0, 0, 8, 1][..], &labels[..]].concat();
        check_idx(&images, &labels, gzipped)?;
        check_idx(&labels, &images, gzipped)?;
    }

    #[test]
    fn mutated_idx_never_panics(
        (count, rows, cols, seed) in (0u32..4, 1u32..5, 1u32..5, any::<u8>()),
        image_edits in prop::option::of(edits(IDX_PIECES)),
        label_edits in prop::option::of(edits(IDX_PIECES)),
        gzipped in (any::<bool>(), any::<bool>()),
    ) {
        let (mut images, mut labels) = idx_pair(count, rows, cols, seed);
        for edit in image_edits.iter().flatten() {
            edit.apply(&mut images);
        }
        for edit in label_edits.iter().flatten() {
            edit.apply(&mut labels);
        }
        check_idx(&images, &labels, gzipped)?;
    }

    #[test]
    fn idx_with_any_header_never_panics(
        header in [any::<u32>(), any::<u32>(), any::<u32>()],
        small in [0u32..6, 0u32..6, 0u32..6],
        use_small in any::<bool>(),
        label_count in prop_oneof![Just(None), any::<u32>().prop_map(Some)],
        pixels in vec(any::<u8>(), 0..80),
        labels in vec(0u8..12, 0..8),
    ) {
        let [count, rows, cols] = if use_small { small } else { header };
        let images = idx_images(count, rows, cols, &pixels);
        let labels = idx_labels(label_count.unwrap_or(count), &labels);
        check_idx(&images, &labels, (false, false))?;
    }
}

/// Six million values of `b / 255` (bytes spread as in an image set): the statistics match
/// the exact integer sums, which `f32` accumulation misses in the fourth digit or worse.
#[test]
fn pixel_stats_are_exact_over_millions_of_values() {
    let n = 6_000_000;
    let bytes: Vec<u8> = (0..n)
        .map(|i: u64| ((i * 7919 + i / 13) % 256) as u8)
        .collect();
    let data = Dataset {
        images: Array4::from_shape_vec(
            (n as usize / 100, 1, 10, 10),
            bytes.iter().map(|&b| f32::from(b) / 255.0).collect(),
        )
        .unwrap(),
        labels: vec![0; n as usize / 100],
        classes: 1,
    };
    let sum: u64 = bytes.iter().map(|&b| u64::from(b)).sum();
    let squares: u64 = bytes.iter().map(|&b| u64::from(b).pow(2)).sum();
    let mean = sum as f64 / n as f64;
    let var = squares as f64 / n as f64 - mean * mean;
    let (expected_mean, expected_std) = (mean / 255.0, var.sqrt() / 255.0);
    let (mean, std) = data.pixel_stats();
    // The f32 values of b / 255 are themselves rounded: 3e-8 relative at most.
    assert!(
        ((mean - expected_mean) / expected_mean).abs() < 1e-7,
        "mean {mean}, expected {expected_mean}"
    );
    assert!(
        ((std - expected_std) / expected_std).abs() < 1e-7,
        "std {std}, expected {expected_std}"
    );

    let mut standardized = data.clone();
    standardized.standardize((mean, std));
    let (mean, std) = standardized.pixel_stats();
    assert!(
        mean.abs() < 1e-6 && (std - 1.0).abs() < 1e-6,
        "{mean} {std}"
    );
}

#[test]
fn standardizing_a_constant_data_set_only_subtracts() {
    let mut data = Dataset {
        images: Array4::from_elem((2, 1, 2, 2), 0.25),
        labels: vec![0, 0],
        classes: 1,
    };
    let stats = data.pixel_stats();
    assert_eq!(stats, (0.25, 0.0));
    data.standardize(stats);
    assert!(data.images.iter().all(|&v| v == 0.0));
}
