//! Post-training quantization: the ranges of every tensor over a representative set, and the
//! int8 form of each layer from them (TensorFlow Lite's scheme, see [`crate::quant`]).
//!
//! ```text
//! activations  s = (max - min) / 255 over a range that contains 0, zp = round(-128 - min / s)
//! weights      s_w[f] = max |w[f]| / 127 per output channel, q_w = round(w / s_w), zp 0
//! biases       q_b[f] = round(b[f] / (s_x s_w[f])) - zp_x sum q_w[f]      (i32)
//! multiplier   M[f] = s_x s_w[f] / s_y
//! batch norm   folded first: w' = w g, b' = (b - mean) g + beta, g = gamma / sqrt(var + eps)
//! ```

use ndarray::{ArrayView4, Axis};

use super::Multiplier;
use crate::{Error, Float, Network, Tensor};

/// The scale and zero point of a tensor whose values span `min..max` (widened to contain 0,
/// so that 0 is exact: padding and relus depend on it).
pub fn tensor_params(min: f64, max: f64) -> (f64, i32) {
    let (min, max) = (min.min(0.0), max.max(0.0));
    let scale = ((max - min) / 255.0).max(1e-12);
    let zp = (-128.0 - min / scale).round().clamp(-128.0, 127.0) as i32;
    (scale, zp)
}

/// The range of every tensor of `N` (the input, then every layer's output, as in
/// `N::TENSOR_SLOTS`) over `inputs`, from the forward pass of `forward` (inference mode).
///
/// # Errors
/// [`Error::Shape`] when `inputs` is not `[n, C, H, W]`, [`Error::EmptyBatch`] for no input,
/// [`Error::NonFinite`] for a NaN or infinite input.
pub fn ranges<N: Network>(
    net: &N,
    inputs: ArrayView4<N::Scalar>,
) -> Result<Vec<(f64, f64)>, Error> {
    let [c, h, w] = N::INPUT_SHAPE;
    let n = inputs.len_of(Axis(0));
    if inputs.shape()[1..] != [c, h, w] {
        return Err(Error::Shape {
            what: "calibration inputs",
            expected: [n, c, h, w].into(),
            given: inputs.shape().into(),
        });
    }
    if n == 0 {
        return Err(Error::EmptyBatch {
            what: "calibration inputs",
        });
    }
    if let Some(e) = crate::network::non_finite(&inputs) {
        return Err(e);
    }
    let mut ranges = vec![(f64::INFINITY, f64::NEG_INFINITY); N::TENSOR_SLOTS.len() + 1];
    let mut input = N::Input::zeroed_box();
    let mut acts = N::Acts::zeroed_box();
    for example in inputs.outer_iter() {
        for (d, &v) in input.as_flat_mut().iter_mut().zip(example.iter()) {
            *d = v;
        }
        net.forward_into_best(&input, &mut acts);
        let widen = |r: &mut (f64, f64), values: &[N::Scalar]| {
            for &v in values {
                let v = v.to_f64();
                r.0 = r.0.min(v);
                r.1 = r.1.max(v);
            }
        };
        widen(&mut ranges[0], input.as_flat());
        for (r, &(offset, len)) in ranges[1..].iter_mut().zip(N::TENSOR_SLOTS) {
            if len > 0 {
                widen(r, &acts.as_flat()[offset..offset + len]);
            } else {
                widen(r, input.as_flat());
            }
        }
    }
    Ok(ranges)
}

/// A batch norm in inference form, to fold into the conv or dense layer before it.
pub struct BatchNormFold<'a, T> {
    /// The scale of each channel.
    pub gamma: &'a [T],
    /// The shift of each channel.
    pub beta: &'a [T],
    /// The running mean of each channel.
    pub mean: &'a [T],
    /// The running (unbiased) variance of each channel.
    pub var: &'a [T],
    /// The constant added to the variance.
    pub eps: f64,
}

/// The int8 form of a conv or dense layer of `outputs` output channels of `len` weights each:
/// its weights (into `q_w`), biases (`q_b`) and multipliers (`mul`), from the input's and the
/// output's scales, with a batch norm folded in if given.
#[allow(clippy::too_many_arguments)] // one layer's parameters and its two tensors' scales
pub fn linear<T: Float>(
    w: &[T],
    b: &[T],
    bn: Option<BatchNormFold<'_, T>>,
    (s_x, zp_x): (f64, i32),
    s_y: f64,
    q_w: &mut [i8],
    q_b: &mut [i32],
    mul: &mut [Multiplier],
) {
    let outputs = b.len();
    let len = w.len() / outputs;
    for f in 0..outputs {
        let (g, shift) = match bn {
            Some(BatchNormFold {
                gamma,
                beta,
                mean,
                var,
                eps,
            }) => {
                let g = gamma[f].to_f64() / (var[f].to_f64() + eps).sqrt();
                (g, beta[f].to_f64() - mean[f].to_f64() * g)
            }
            None => (1.0, 0.0),
        };
        let wf: Vec<f64> = w[f * len..(f + 1) * len]
            .iter()
            .map(|v| v.to_f64() * g)
            .collect();
        let bf = b[f].to_f64() * g + shift;
        let s_w = (wf.iter().fold(0.0f64, |m, v| m.max(v.abs())) / 127.0).max(1e-12);
        let mut sum = 0i64;
        for (q, &v) in q_w[f * len..(f + 1) * len].iter_mut().zip(&wf) {
            *q = (v / s_w).round().clamp(-127.0, 127.0) as i8;
            sum += i64::from(*q);
        }
        let bias = (bf / (s_x * s_w)).round() - f64::from(zp_x) * sum as f64;
        q_b[f] = bias.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
        mul[f] = Multiplier::of(s_x * s_w / s_y);
    }
}

/// The table of an element-wise activation `act` from the input's quantization to the
/// output's: `table[q + 128] = round(act(s_x (q - zp_x)) / s_y) + zp_y`.
pub fn table(
    act: impl Fn(f64) -> f64,
    (s_x, zp_x): (f64, i32),
    (s_y, zp_y): (f64, i32),
    out: &mut [i8],
) {
    for (k, t) in out.iter_mut().enumerate().take(256) {
        let q = k as i32 - 128;
        let y = act(s_x * f64::from(q - zp_x));
        *t = ((y / s_y).round() + f64::from(zp_y)).clamp(-128.0, 127.0) as i8;
    }
}

/// A batch norm alone (after no conv or dense layer): per channel `y = g x + (beta - mean g)`
/// as a multiplier of `|g| s_x / s_y`, its sign, and the offset `round((beta - mean g) / s_y)`.
#[allow(clippy::too_many_arguments)] // a batch norm's parameters and its tensors' scales
pub fn affine<T: Float>(
    (gamma, beta, mean, var, eps): (&[T], &[T], &[T], &[T], f64),
    s_x: f64,
    s_y: f64,
    mul: &mut [Multiplier],
    negative: &mut [i32],
    offset: &mut [i32],
) {
    for c in 0..gamma.len() {
        let g = gamma[c].to_f64() / (var[c].to_f64() + eps).sqrt();
        let shift = beta[c].to_f64() - mean[c].to_f64() * g;
        mul[c] = Multiplier::of(g.abs() * s_x / s_y);
        negative[c] = i32::from(g < 0.0);
        offset[c] = (shift / s_y).round().clamp(-1e9, 1e9) as i32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_exact() {
        for (min, max) in [(-1.0, 3.0), (0.5, 2.0), (-4.0, -1.0), (0.0, 0.0)] {
            let (s, zp) = tensor_params(min, max);
            assert!((-128..=127).contains(&zp));
            // q = zp is the real 0; the range's ends are representable.
            assert!(s * (127.0 - f64::from(zp)) >= max.max(0.0) - s);
            assert!(s * (-128.0 - f64::from(zp)) <= min.min(0.0) + s);
        }
    }

    #[test]
    fn a_linear_layer_keeps_its_outputs() {
        // y = w x + b for x in [-1, 1]: the int8 sums, requantized, are within a few steps.
        let w = [0.5f64, -0.25, 1.0, 0.125];
        let b = [0.1f64, -0.3];
        let (s_x, zp_x) = tensor_params(-1.0, 1.0);
        let (s_y, zp_y) = tensor_params(-2.0, 2.0);
        let (mut qw, mut qb, mut m) = ([0i8; 4], [0i32; 2], [Multiplier::default(); 2]);
        linear(&w, &b, None, (s_x, zp_x), s_y, &mut qw, &mut qb, &mut m);
        let x = [0.7, -0.4];
        let qx: Vec<i8> = x
            .iter()
            .map(|v| (v / s_x).round() as i32 + zp_x)
            .map(|q| q as i8)
            .collect();
        let mut y = [0i8; 2];
        crate::quant::kernels::dense::<2, 2>(&qx, &qw, &qb, &m, zp_y, -128, &mut y);
        for f in 0..2 {
            let exact = w[2 * f] * x[0] + w[2 * f + 1] * x[1] + b[f];
            let got = s_y * f64::from(i32::from(y[f]) - zp_y);
            assert!((got - exact).abs() < 3.0 * s_y, "{got} against {exact}");
        }
    }
}
