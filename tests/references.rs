//! The generated kernels against the plain-loop reference implementations of
//! `cnn::reference` (written in the derivation's scatter form), on random data: forward,
//! dL/dW, dL/db and dL/dX, for convolutions of many shapes, dense layers and pooling.
//!
//! Each network here is one layer under `HalfSquaredError` with one example, so that
//! dL/d(output) = output - target is known and the layer's gradients can be compared one by one.

mod common;

use approx::assert_relative_eq;
use cnn::ndarray::{Array1, Array2, Array3, Array4, ArrayView3, Axis};
use cnn::prelude::*;
use cnn::{Tensor, reference};
use common::random;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    struct Square { input(5x5) -> conv(2x2) }
    struct NonSquare { input(3, 7x6) -> conv(4, 3x2) }
    struct Strided { input(2, 9x8) -> conv(3, 3x3, stride = 2) }
    struct Padded { input(2, 6x7) -> conv(2, 3x3, pad = 1) }
    struct StridedPadded { input(3, 10x9) -> conv(5, 5x3, stride = 2, pad = 2) }
    struct Same { input(8x8) -> conv(2, 3x5, pad = same) }
    struct Pointwise { input(4, 6x6) -> conv(3, 1x1) }
    struct StrideLeavesRows { input(2, 11x5) -> conv(2, 4x2, stride = 3, pad = 1) }
    struct Wide { input(1, 4x12) -> conv(6, 4x11) }
    struct Dense { input(2, 3x4) -> dense(24->5) }
    struct MaxOnly { input(2, 7x9) -> conv(2, 1x1) -> maxpool(3x3, stride = 2) }
    struct AvgOnly { input(3, 8x7) -> conv(2, 2x2) -> avgpool(2x3) }
}

fn assert_close(what: &str, got: &[f64], expected: &[f64]) {
    assert_eq!(got.len(), expected.len(), "{what}: length");
    for (k, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(
            approx::relative_eq!(g, e, max_relative = 1e-12, epsilon = 1e-12),
            "{what}[{k}]: generated {g}, reference {e}"
        );
    }
}

/// One conv layer with stride `s` and padding `p` against `reference::conv2d{,_backward}`.
fn check_conv<N: Network<Scalar = f64>>(s: usize, p: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut net = N::zeroed();
    net.params_mut()
        .iter_mut()
        .for_each(|v| *v = rng.random_range(-1.0..1.0));
    let info = N::TENSORS;
    let wshape = info[0].shape;
    let w = Array4::from_shape_vec(
        (wshape[0], wshape[1], wshape[2], wshape[3]),
        net.params()[..info[0].len].to_vec(),
    )
    .unwrap();
    let b = Array1::from(net.params()[info[1].offset..].to_vec());
    let [c, h, wd] = N::INPUT_SHAPE;
    let x = random((1, c, h, wd), &mut rng);
    let x3: ArrayView3<f64> = x.index_axis(cnn::ndarray::Axis(0), 0);

    let expected = reference::conv2d(x3, w.view(), b.view(), s, p);
    let out = net.forward_batch(x.view()).unwrap();
    assert_close(
        "forward",
        out.as_slice().unwrap(),
        expected.as_slice().unwrap(),
    );

    let y: Array2<f64> = random((1, N::OUTPUT_LEN), &mut rng);
    let dout: Array3<f64> = (&expected - &y.to_shape(expected.raw_dim()).unwrap()).to_owned();
    let (dx, dw, db) = reference::conv2d_backward(x3, w.view(), dout.view(), s, p);
    let (_, grad) = net
        .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
        .unwrap();
    assert_close("dL/dW", &grad[..info[0].len], dw.as_slice().unwrap());
    assert_close("dL/db", &grad[info[1].offset..], db.as_slice().unwrap());

    let mut input = N::Input::zeroed();
    let mut target = N::Output::zeroed();
    input.as_flat_mut().copy_from_slice(x.as_slice().unwrap());
    target.as_flat_mut().copy_from_slice(y.as_slice().unwrap());
    let mut gx = N::Input::zeroed();
    net.input_gradient(&input, &target, &HalfSquaredError, &mut gx);
    assert_close("dL/dX", gx.as_flat(), dx.as_slice().unwrap());
}

#[test]
fn conv_2x2_on_5x5() {
    check_conv::<Square<f64>>(1, 0, 1);
}

#[test]
fn conv_non_square_input_and_kernel_several_channels_and_filters() {
    check_conv::<NonSquare<f64>>(1, 0, 2);
}

#[test]
fn conv_strided() {
    check_conv::<Strided<f64>>(2, 0, 3);
}

#[test]
fn conv_padded() {
    check_conv::<Padded<f64>>(1, 1, 4);
}

#[test]
fn conv_strided_and_padded_rectangular_kernel() {
    check_conv::<StridedPadded<f64>>(2, 2, 5);
}

#[test]
fn conv_same_padding() {
    // 3x5 kernel, `pad = same`: one row and two columns of zeros on each side.
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let net = Same::<f64>::new(6);
    let x = random((1, 1, 8, 8), &mut rng);
    let w = Array4::from_shape_vec((2, 1, 3, 5), net.params()[..30].to_vec()).unwrap();
    let b = Array1::from(net.params()[30..].to_vec());
    // Pad asymmetrically by hand (rows 1, columns 2), then a valid correlation.
    let mut xp = Array3::<f64>::zeros((1, 10, 12));
    xp.slice_mut(cnn::ndarray::s![.., 1..9, 2..10])
        .assign(&x.index_axis(cnn::ndarray::Axis(0), 0));
    let expected = reference::conv2d(xp.view(), w.view(), b.view(), 1, 0);
    let out = net.forward_batch(x.view()).unwrap();
    assert_eq!(expected.dim(), (2, 8, 8));
    assert_close(
        "forward",
        out.as_slice().unwrap(),
        expected.as_slice().unwrap(),
    );
}

#[test]
fn conv_pointwise() {
    check_conv::<Pointwise<f64>>(1, 0, 7);
}

#[test]
fn conv_whose_stride_leaves_input_rows_unread() {
    check_conv::<StrideLeavesRows<f64>>(3, 1, 8);
}

#[test]
fn conv_wide_kernel_with_two_digit_taps() {
    check_conv::<Wide<f64>>(1, 0, 9);
}

#[test]
fn dense_against_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let net = Dense::<f64>::new(10);
    let w = Array2::from_shape_vec((5, 24), net.params()[..120].to_vec()).unwrap();
    let b = Array1::from(net.params()[120..].to_vec());
    let x = random((1, 2, 3, 4), &mut rng);
    let flat = Array1::from(x.as_slice().unwrap().to_vec());
    let expected = reference::dense(flat.view(), w.view(), b.view());
    let out = net.forward_batch(x.view()).unwrap();
    assert_close(
        "forward",
        out.as_slice().unwrap(),
        expected.as_slice().unwrap(),
    );

    let y: Array2<f64> = random((1, 5), &mut rng);
    let dout = &expected - &y.row(0);
    let (dx, dw, db) = reference::dense_backward(flat.view(), w.view(), dout.view());
    let (_, grad) = net
        .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
        .unwrap();
    assert_close("dL/dW", &grad[..120], dw.as_slice().unwrap());
    assert_close("dL/db", &grad[120..], db.as_slice().unwrap());
    let (gx, _) = net.input_gradient(
        x.as_slice().unwrap().try_into().unwrap(),
        y.as_slice().unwrap().try_into().unwrap(),
        &HalfSquaredError,
    );
    assert_close("dL/dX", &gx, dx.as_slice().unwrap());
    assert_relative_eq!(gx[0], dx[0]);
}

#[test]
fn pooling_matches_the_reference() {
    for (max, seed) in [(true, 1), (false, 2)] {
        // One 1x1 conv of weight 1 in front, so the pool sees the input itself.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x3 = Array3::from_shape_simple_fn((2, 7, 9), || rng.random_range(-1.0..1.0));
        let x = x3.clone().insert_axis(Axis(0));
        let mut net = MaxOnly::<f64>::zeroed();
        net.params_mut()[..4].copy_from_slice(&[1.0, 0.0, 0.0, 1.0]);
        if max {
            let out = net.forward_batch(x.view()).unwrap();
            let expected = reference::pool2d(x3.view(), true, 3, 3, 2, 2);
            assert_eq!(out.as_slice().unwrap(), expected.as_slice().unwrap());
            let y = Array2::from_shape_simple_fn((1, MaxOnly::OUTPUT_LEN), || {
                rng.random_range(0.0..1.0)
            });
            let dout = &expected - &y.to_shape(expected.raw_dim()).unwrap();
            let dx = reference::pool2d_backward(x3.view(), dout.view(), true, 3, 3, 2, 2);
            let mut input = [0.0; 126];
            input.copy_from_slice(x.as_slice().unwrap());
            let (gx, _) = net.input_gradient(
                &input,
                y.as_slice().unwrap().try_into().unwrap(),
                &HalfSquaredError,
            );
            for (g, e) in gx.iter().zip(dx.iter()) {
                approx::assert_relative_eq!(*g, *e, epsilon = 1e-12);
            }
        } else {
            let x3 = Array3::from_shape_simple_fn((3, 8, 7), || rng.random_range(-1.0..1.0));
            let x = x3.clone().insert_axis(Axis(0));
            let mut net = AvgOnly::<f64>::new(seed);
            let w = Array4::from_shape_vec((2, 3, 2, 2), net.params()[..24].to_vec()).unwrap();
            net.params_mut()[24..].copy_from_slice(&[0.25, -0.5]);
            let b = cnn::ndarray::arr1(&[0.25, -0.5]);
            let conv = reference::conv2d(x3.view(), w.view(), b.view(), 1, 0);
            let expected = reference::pool2d(conv.view(), false, 2, 3, 2, 3);
            let out = net.forward_batch(x.view()).unwrap();
            for (o, e) in out.iter().zip(expected.iter()) {
                approx::assert_relative_eq!(*o, *e, max_relative = 1e-12);
            }
            let y = Array2::from_shape_simple_fn((1, AvgOnly::OUTPUT_LEN), || {
                rng.random_range(0.0..1.0)
            });
            let dout = &expected - &y.to_shape(expected.raw_dim()).unwrap();
            let dconv = reference::pool2d_backward(conv.view(), dout.view(), false, 2, 3, 2, 3);
            let (_, dw, db) = reference::conv2d_backward(x3.view(), w.view(), dconv.view(), 1, 0);
            let (_, grad) = net
                .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
                .unwrap();
            for (g, e) in grad.iter().zip(dw.iter().chain(db.iter())) {
                approx::assert_relative_eq!(*g, *e, max_relative = 1e-12, epsilon = 1e-14);
            }
        }
    }
}
