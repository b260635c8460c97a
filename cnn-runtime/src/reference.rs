//! Plain-loop reference implementations of the layers, written straight from the definitions
//! and in the *scatter* form (`dW += X[h:h+f, w:w+f] * dH[h, w]`: each output's gradient added
//! to everything that produced it), where the generated code gathers; `cnn::doc::derivation`
//! derives both. The tests check the generated kernels against these.
//!
//! Slow by design; `f64`; shapes are those of PyTorch (`[C, H, W]` images, `[F, C, Kh, Kw]`
//! filters, `[M, N]` dense weights). Public, so that a user can check a layer of their own
//! against them as `tests/references.rs` does; no network uses them.
//!
//! ```
//! use cnn::ndarray::{Array4, arr1, arr3};
//! use cnn::reference;
//!
//! // The worked example of `cnn::doc::derivation`: a 3x3 input, a 2x2 filter.
//! let x = arr3(&[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]);
//! let w = Array4::from_shape_vec((1, 1, 2, 2), vec![1.0, 0.0, 0.0, 1.0]).unwrap();
//! let o = reference::conv2d(x.view(), w.view(), arr1(&[0.0]).view(), 1, 0);
//! assert_eq!(o, arr3(&[[[6.0, 8.0], [12.0, 14.0]]]));
//! ```

use ndarray::{Array1, Array2, Array3, Array4, ArrayView1, ArrayView2, ArrayView3, ArrayView4};

/// Correlation of `x` `[C, H, W]` with `w` `[F, C, Kh, Kw]` plus bias, with stride and zero
/// padding: `out[f, i, j] = b[f] + sum_{c,u,v} w[f, c, u, v] xp[c, i*s + u, j*s + v]`.
///
/// # Panics
/// If `stride` is 0, the kernel is larger than the padded input, `w` has fewer channels than
/// `x`, or `b` fewer values than `w` has filters.
/// # Examples
/// ```
/// use cnn::ndarray::{Array4, arr1, arr3};
/// let x = arr3(&[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]);
/// let w = Array4::from_shape_vec((1, 1, 2, 2), vec![1.0, 0.0, 0.0, 1.0]).unwrap();
/// let o = cnn::reference::conv2d(x.view(), w.view(), arr1(&[0.5]).view(), 1, 0);
/// assert_eq!(o, arr3(&[[[6.5, 8.5], [12.5, 14.5]]]));
/// // Padded by one: a 4x4 output.
/// let padded = cnn::reference::conv2d(x.view(), w.view(), arr1(&[0.0]).view(), 1, 1);
/// assert_eq!((padded.dim(), padded[[0, 0, 0]]), ((1, 4, 4), 1.0));
/// ```
pub fn conv2d(
    x: ArrayView3<f64>,
    w: ArrayView4<f64>,
    b: ArrayView1<f64>,
    stride: usize,
    pad: usize,
) -> Array3<f64> {
    let (c_in, h, wd) = x.dim();
    let (f_n, _, kh, kw) = w.dim();
    let oh = (h + 2 * pad - kh) / stride + 1;
    let ow = (wd + 2 * pad - kw) / stride + 1;
    let mut out = Array3::zeros((f_n, oh, ow));
    for f in 0..f_n {
        for i in 0..oh {
            for j in 0..ow {
                let mut acc = b[f];
                for c in 0..c_in {
                    for u in 0..kh {
                        for v in 0..kw {
                            if let Some(xv) = padded(&x, c, i * stride + u, j * stride + v, pad) {
                                acc += w[[f, c, u, v]] * xv;
                            }
                        }
                    }
                }
                out[[f, i, j]] = acc;
            }
        }
    }
    out
}

fn padded(x: &ArrayView3<f64>, c: usize, i: usize, j: usize, pad: usize) -> Option<f64> {
    let (_, h, w) = x.dim();
    let (i, j) = (i.checked_sub(pad)?, j.checked_sub(pad)?);
    (i < h && j < w).then(|| x[[c, i, j]])
}

/// The gradients of [`conv2d`] given `dout` `[F, OH, OW]`: `(dx, dw, db)`, accumulated by
/// scattering every output's gradient over the inputs and taps that produced it.
///
/// # Panics
/// If `w` has fewer channels than `x`, or `dout` more filters than `w`.
/// # Examples
/// ```
/// use cnn::ndarray::{Array3, Array4, arr3};
/// let x = arr3(&[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]);
/// let w = Array4::from_shape_vec((1, 1, 2, 2), vec![1.0, 0.0, 0.0, 1.0]).unwrap();
/// let dout = Array3::ones((1, 2, 2));
/// let (dx, dw, db) = cnn::reference::conv2d_backward(x.view(), w.view(), dout.view(), 1, 0);
/// // dL/dW: the correlation of x with dL/dO; dL/dX: the full convolution with the rotated filter.
/// assert_eq!(dw.into_raw_vec_and_offset().0, [12.0, 16.0, 24.0, 28.0]);
/// assert_eq!(dx, arr3(&[[[1.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 1.0]]]));
/// assert_eq!(db[0], 4.0);
/// ```
pub fn conv2d_backward(
    x: ArrayView3<f64>,
    w: ArrayView4<f64>,
    dout: ArrayView3<f64>,
    stride: usize,
    pad: usize,
) -> (Array3<f64>, Array4<f64>, Array1<f64>) {
    let (c_in, h, wd) = x.dim();
    let (f_n, _, kh, kw) = w.dim();
    let (_, oh, ow) = dout.dim();
    let mut dx = Array3::zeros((c_in, h, wd));
    let mut dw = Array4::zeros(w.dim());
    let mut db = Array1::zeros(f_n);
    for f in 0..f_n {
        for i in 0..oh {
            for j in 0..ow {
                let d = dout[[f, i, j]];
                db[f] += d;
                for c in 0..c_in {
                    for u in 0..kh {
                        for v in 0..kw {
                            let (pi, pj) = (i * stride + u, j * stride + v);
                            if let Some(xv) = padded(&x, c, pi, pj, pad) {
                                dw[[f, c, u, v]] += xv * d;
                                dx[[c, pi - pad, pj - pad]] += w[[f, c, u, v]] * d;
                            }
                        }
                    }
                }
            }
        }
    }
    (dx, dw, db)
}

/// `out = w x + b` for `w` `[M, N]`.
///
/// # Panics
/// If `x` is not of length `N`, or `b` neither of length `M` nor 1 (which broadcasts).
/// # Examples
/// ```
/// use cnn::ndarray::{arr1, arr2};
/// let w = arr2(&[[1.0, 2.0], [3.0, 4.0]]);
/// let out = cnn::reference::dense(arr1(&[1.0, 1.0]).view(), w.view(), arr1(&[0.5, -0.5]).view());
/// assert_eq!(out, arr1(&[3.5, 6.5]));
/// ```
pub fn dense(x: ArrayView1<f64>, w: ArrayView2<f64>, b: ArrayView1<f64>) -> Array1<f64> {
    w.dot(&x) + b
}

/// The gradients of [`dense`] given `dout` `[M]`: `(dx, dw, db)`.
///
/// # Panics
/// If `dout` is not of length `M`, or `x` is shorter than `N`.
/// # Examples
/// ```
/// use cnn::ndarray::{arr1, arr2};
/// let w = arr2(&[[1.0, 2.0], [3.0, 4.0]]);
/// let (dx, dw, db) =
///     cnn::reference::dense_backward(arr1(&[1.0, 1.0]).view(), w.view(), arr1(&[1.0, 0.0]).view());
/// assert_eq!((dx, dw, db), (arr1(&[1.0, 2.0]), arr2(&[[1.0, 1.0], [0.0, 0.0]]), arr1(&[1.0, 0.0])));
/// ```
pub fn dense_backward(
    x: ArrayView1<f64>,
    w: ArrayView2<f64>,
    dout: ArrayView1<f64>,
) -> (Array1<f64>, Array2<f64>, Array1<f64>) {
    let dx = w.t().dot(&dout);
    let dw = Array2::from_shape_fn(w.dim(), |(m, n)| dout[m] * x[n]);
    (dx, dw, dout.to_owned())
}

/// Max or average pooling of `x` `[C, H, W]` with a `kh x kw` window and strides `sh, sw`.
///
/// # Panics
/// If a stride is 0 or the window is larger than the input.
/// # Examples
/// ```
/// use cnn::ndarray::arr3;
/// let x = arr3(&[[[1.0, 2.0], [3.0, 4.0]]]);
/// assert_eq!(cnn::reference::pool2d(x.view(), true, 2, 2, 2, 2), arr3(&[[[4.0]]]));
/// assert_eq!(cnn::reference::pool2d(x.view(), false, 2, 2, 2, 2), arr3(&[[[2.5]]]));
/// ```
pub fn pool2d(
    x: ArrayView3<f64>,
    max: bool,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
) -> Array3<f64> {
    let (c_n, h, w) = x.dim();
    let (oh, ow) = ((h - kh) / sh + 1, (w - kw) / sw + 1);
    Array3::from_shape_fn((c_n, oh, ow), |(c, i, j)| {
        let window = x.slice(ndarray::s![c, i * sh..i * sh + kh, j * sw..j * sw + kw]);
        if max {
            window.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            window.sum() / (kh * kw) as f64
        }
    })
}

/// The gradient of [`pool2d`] with respect to `x`, given `dout`: for max pooling each output's
/// gradient goes to the first maximum of its window (row-major), for average pooling it is
/// spread evenly; overlapping windows add up.
///
/// # Panics
/// If `dout` is larger than [`pool2d`]'s output for the same arguments.
/// # Examples
/// ```
/// use cnn::ndarray::arr3;
/// let x = arr3(&[[[1.0, 2.0], [3.0, 4.0]]]);
/// let dout = arr3(&[[[1.0]]]);
/// let dx = cnn::reference::pool2d_backward(x.view(), dout.view(), true, 2, 2, 2, 2);
/// assert_eq!(dx, arr3(&[[[0.0, 0.0], [0.0, 1.0]]]));
/// ```
pub fn pool2d_backward(
    x: ArrayView3<f64>,
    dout: ArrayView3<f64>,
    max: bool,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
) -> Array3<f64> {
    let mut dx = Array3::zeros(x.dim());
    for ((c, i, j), &d) in dout.indexed_iter() {
        if max {
            let mut best = (i * sh, j * sw);
            for u in 0..kh {
                for v in 0..kw {
                    if x[[c, i * sh + u, j * sw + v]] > x[[c, best.0, best.1]] {
                        best = (i * sh + u, j * sw + v);
                    }
                }
            }
            dx[[c, best.0, best.1]] += d;
        } else {
            for u in 0..kh {
                for v in 0..kw {
                    dx[[c, i * sh + u, j * sw + v]] += d / (kh * kw) as f64;
                }
            }
        }
    }
    dx
}
