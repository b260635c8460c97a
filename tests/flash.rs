//! Weights in flash: `cnn::flash` writes a network's image, and a `const` decodes it in the
//! compiler. The images `nostd-check/` compiles into its statics are these, kept current by
//! `flash_images_of_nostd_check_are_current` (`UPDATE_FLASH=1` rewrites them).

use std::path::Path;

use cnn::flash::{Kind, Reader};
use cnn::ndarray::Array4;
use cnn::prelude::*;
use cnn::quant::Int8;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

// The definition of `nostd-check/src/lib.rs`: the same summary, so the same fingerprint.
network! {
    /// The matrix-form example: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
    pub struct SeedNet {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
    }
    /// Another network: one more filter.
    pub struct Wider {
        input(22x22) -> conv(2, 3x3) -> sigmoid -> dense(800->1) -> sigmoid
    }
}

const F32_IMAGE: &[u8] = include_bytes!("../nostd-check/flash/seed_net.flash");
const INT8_IMAGE: &[u8] = include_bytes!("../nostd-check/flash/seed_net.int8");

/// Decoded by the compiler: the parameters of the image.
const PARAMS: [f32; SeedNet::PARAM_LEN] = {
    let mut r = Reader::new(F32_IMAGE, Kind::F32, SeedNet::SUMMARY);
    let params = r.f32s();
    let _buffers: [f32; 0] = r.f32s();
    r.finish();
    params
};

/// Decoded by the compiler, as `nostd-check`'s `static` is.
const QUANTIZED: Int8<SeedNet> = SeedNet::int8_from_flash(INT8_IMAGE);

fn inputs(n: usize, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_simple_fn((n, 1, 22, 22), || rng.random_range(0.0..1.0))
}

/// The network of the images: seeded, then trained a little so that its weights are not the
/// initialisation's.
fn network() -> SeedNet {
    let mut net = SeedNet::new(7);
    let x = inputs(16, 2);
    let y = cnn::ndarray::Array2::from_shape_fn((16, 1), |(i, _)| (i % 2) as f32);
    let mut sgd = Sgd::new(0.5);
    for _ in 0..5 {
        net.train_step(x.view(), y.view(), &HalfSquaredError, &mut sgd)
            .unwrap();
    }
    net
}

fn quantized(net: &SeedNet) -> Box<Int8<SeedNet>> {
    net.quantize(inputs(100, 3).view()).unwrap()
}

#[test]
fn flash_images_of_nostd_check_are_current() {
    let net = network();
    let images = [
        ("seed_net.flash", cnn::flash::image(&net)),
        ("seed_net.int8", cnn::flash::int8_image(&*quantized(&net))),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("nostd-check/flash");
    for (file, image) in images {
        let path = dir.join(file);
        if std::env::var_os("UPDATE_FLASH").is_some() {
            cnn::flash::save(&path, &image).unwrap();
        }
        let kept = std::fs::read(&path).unwrap();
        assert!(
            kept == image,
            "{} is not the image of the test's network: rerun with UPDATE_FLASH=1",
            path.display()
        );
    }
}

#[test]
fn a_const_decodes_the_networks_parameters_to_the_bit() {
    let net = network();
    let bits = |p: &[f32]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&PARAMS), bits(net.params()));
}

#[test]
fn a_const_int8_network_computes_what_the_quantized_one_does() {
    let q = quantized(&network());
    let x = inputs(20, 4);
    for example in x.outer_iter() {
        let x: [f32; 484] = example
            .iter()
            .copied()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let qx = q.quantize_input(&x);
        assert_eq!(QUANTIZED.forward(&qx), q.forward(&qx));
    }
    assert_eq!(QUANTIZED.scales, q.scales);
    assert_eq!(QUANTIZED.ints, q.ints);
}

#[test]
fn an_image_is_of_one_network_and_one_kind() {
    let net = network();
    let image = cnn::flash::image(&net);
    // What a `const` would refuse at compile time panics at run time.
    let panics = |f: fn(&[u8]), image: &[u8]| {
        let image = image.to_vec();
        std::panic::catch_unwind(move || f(&image))
            .err()
            .and_then(|e| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    };
    let int8 = |b: &[u8]| {
        let _ = SeedNet::int8_from_flash(b);
    };
    assert!(panics(int8, &image).contains("of an f32 network; expected int8"));
    let wider = |b: &[u8]| {
        let _ = Wider::int8_from_flash(b);
    };
    assert!(panics(wider, INT8_IMAGE).contains("of another network"));
    let short = &INT8_IMAGE[..INT8_IMAGE.len() - 1];
    assert!(panics(int8, short).contains("ends early"));
    let mut long = INT8_IMAGE.to_vec();
    long.push(0);
    assert!(panics(int8, &long).contains("goes on after"));
    assert!(panics(int8, b"safetensors").contains("not a flash image"));
}
