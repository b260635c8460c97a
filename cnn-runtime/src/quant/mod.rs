//! int8 inference: the arithmetic of TensorFlow Lite's int8 scheme, and the kernels the
//! generated `forward_int8` calls. No floats, no heap, no `std`.
//!
//! A tensor holds `q` in `-128..=127` for the real value `scale (q - zero_point)`:
//! activations per tensor (asymmetric), weights per output channel (symmetric, zero point 0),
//! biases in `i32` at the scale `input scale x weight scale`. A layer sums `q_x q_w` in `i32`,
//! adds its bias (which also carries `-zp_x sum q_w`, so padding with `zp_x` is a real zero),
//! and *requantizes*: `q_y = zp_y + round(acc M)` with `M = s_x s_w / s_y` written as a 32-bit
//! multiplier `m` in `[2^30, 2^31)` and a shift, `M = m 2^(shift - 31)`, rounded half away from
//! zero, saturated to `-128..=127`. A relu is the saturation's lower bound moved to `zp_y`;
//! sigmoid, tanh and leaky relu are 256-entry tables made when quantizing.
//!
//! Quantizing (calibration, batch norm folded into the conv before it, the scales) is in
//! [`calibrate`]; it uses floats, once, with `std`.

#[cfg(feature = "std")]
pub mod calibrate;
pub mod kernels;

use crate::{Float, Network, Tensor};

/// A network quantized to int8 ([`Network::quantize`]): its weights and tables, its biases and
/// zero points, its multipliers, and the scale of every tensor (used only to convert inputs
/// and outputs, never in the forward pass). The array types are the network's own sizes.
///
/// Without `std` it is plain data: `Int8::from_parts` builds one in a `const`, so a
/// `static` quantized network lives in flash.
pub struct Int8<N: Network> {
    /// int8 weights of every conv and dense layer (batch norm folded in), then the 256-entry
    /// tables of the activations.
    pub weights: N::QWeights,
    /// Per tensor its zero point, then per layer its biases and other integer constants.
    pub ints: N::QInts,
    /// Per output channel the multiplier of its requantization.
    pub multipliers: N::QMultipliers,
    /// Per tensor its scale: the real value of `q` is `scale (q - zero_point)`.
    pub scales: N::QScales,
}

impl<N: Network> Clone for Int8<N> {
    fn clone(&self) -> Self {
        Int8 {
            weights: self.weights,
            ints: self.ints,
            multipliers: self.multipliers,
            scales: self.scales,
        }
    }
}

impl<N: Network> core::fmt::Debug for Int8<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Int8")
            .field("bytes", &Self::BYTES)
            .finish_non_exhaustive()
    }
}

impl<N: Network> Int8<N> {
    /// The bytes of the quantized network: what a microcontroller keeps in flash.
    pub const BYTES: usize = core::mem::size_of::<N::QWeights>()
        + core::mem::size_of::<N::QInts>()
        + core::mem::size_of::<N::QMultipliers>()
        + core::mem::size_of::<N::QScales>();

    /// A quantized network from its arrays, in a `const` or `static`.
    pub const fn from_parts(
        weights: N::QWeights,
        ints: N::QInts,
        multipliers: N::QMultipliers,
        scales: N::QScales,
    ) -> Self {
        Int8 {
            weights,
            ints,
            multipliers,
            scales,
        }
    }

    /// The int8 output for an int8 input: integer arithmetic only, no heap, no `std`. The
    /// layers' outputs live on the stack (`size_of::<N::QActs>()` bytes). A network that ends
    /// in softmax gives its logits (the largest is the most likely class all the same).
    pub fn forward(&self, x: &N::QInput) -> N::QOutput {
        let mut acts = N::QActs::zeroed();
        N::forward_int8(self, x, &mut acts)
    }

    /// `x` quantized at the input's scale and zero point.
    pub fn quantize_input(&self, x: &N::Input) -> N::QInput {
        let (scale, zp) = (self.scales.as_ref()[0], self.ints.as_ref()[0]);
        let mut q = N::QInput::zeroed();
        for (q, &v) in q.as_mut().iter_mut().zip(x.as_flat()) {
            let v = libm::roundf(v.to_f64() as f32 / scale) as i32 + zp;
            *q = v.clamp(-128, 127) as i8;
        }
        q
    }

    /// The real values of an output.
    pub fn dequantize_output(&self, q: &N::QOutput) -> N::Output {
        let t = N::Q_OUTPUT_TENSOR;
        let (scale, zp) = (self.scales.as_ref()[t], self.ints.as_ref()[t]);
        let mut out = N::Output::zeroed();
        for (o, &q) in out.as_flat_mut().iter_mut().zip(q.as_ref()) {
            *o = N::Scalar::from_f64(f64::from(scale) * f64::from(i32::from(q) - zp));
        }
        out
    }

    /// The four parts as little-endian bytes, each with its count of values: the int8
    /// weights, the `i32` constants, the multipliers (`m` then `shift`), the `f32` scales. The
    /// layout of both the quantized weight file and the flash image.
    #[cfg(feature = "std")]
    pub(crate) fn le_parts(&self) -> [(usize, Vec<u8>); 4] {
        let (w, i, m, s) = (
            self.weights.as_ref(),
            self.ints.as_ref(),
            self.multipliers.as_ref(),
            self.scales.as_ref(),
        );
        [
            (w.len(), w.iter().map(|&v| v as u8).collect()),
            (i.len(), i.iter().flat_map(|v| v.to_le_bytes()).collect()),
            (
                m.len(),
                m.iter()
                    .flat_map(|m| [m.m.to_le_bytes(), m.shift.to_le_bytes()])
                    .flatten()
                    .collect(),
            ),
            (s.len(), s.iter().flat_map(|v| v.to_le_bytes()).collect()),
        ]
    }

    /// Quantizes `x`, runs [`Int8::forward`], and gives the real values of the output.
    pub fn forward_real(&self, x: &N::Input) -> N::Output {
        self.dequantize_output(&self.forward(&self.quantize_input(x)))
    }
}

/// Arrays of int8, int32, multipliers or `f32`, as the quantized network's parts are.
pub trait Ints<T>:
    crate::simd::Zeroable + Copy + AsRef<[T]> + AsMut<[T]> + Send + Sync + 'static
{
    /// Every value zero.
    fn zeroed() -> Self;
}

macro_rules! ints {
    ($t:ty, $zero:expr) => {
        impl<const N: usize> Ints<$t> for [$t; N] {
            #[inline]
            fn zeroed() -> Self {
                [$zero; N]
            }
        }
    };
}

ints!(i8, 0);
ints!(i32, 0);
ints!(f32, 0.0);
ints!(Multiplier, Multiplier { m: 0, shift: 0 });

// SAFETY: two `i32`s; zero is a valid value.
unsafe impl crate::simd::Zeroable for Multiplier {}

// SAFETY: its fields are `Zeroable` arrays (`Ints`).
unsafe impl<N: Network> crate::simd::Zeroable for Int8<N> {}

/// A layer's input at `input = (offset, len)` of the arena, to read, and its output at `out`,
/// disjoint from it, to write.
///
/// # Panics
/// When the parts overlap or lie outside `acts`; the generated code's never do.
#[inline(always)]
pub fn io(acts: &mut [i8], input: (usize, usize), out: (usize, usize)) -> (&[i8], &mut [i8]) {
    if input.0 < out.0 {
        let (a, b) = acts.split_at_mut(out.0);
        (&a[input.0..input.0 + input.1], &mut b[..out.1])
    } else {
        let (a, b) = acts.split_at_mut(input.0);
        (&b[..input.1], &mut a[out.0..out.0 + out.1])
    }
}

/// [`io`] with two inputs, which may overlap each other.
///
/// # Panics
/// As [`io`].
#[inline(always)]
pub fn io2(
    acts: &mut [i8],
    a: (usize, usize),
    b: (usize, usize),
    out: (usize, usize),
) -> (&[i8], &[i8], &mut [i8]) {
    let (before, rest) = acts.split_at_mut(out.0);
    let (out_part, after) = rest.split_at_mut(out.1);
    let part = |(at, len): (usize, usize)| -> &[i8] {
        if at < out.0 {
            &before[at..at + len]
        } else {
            &after[at - out.0 - out.1..at - out.0 - out.1 + len]
        }
    };
    (part(a), part(b), out_part)
}

/// A real multiplier `M > 0` as `m 2^(shift - 31)` with `m` in `[2^30, 2^31)`: what
/// [`requantize`] multiplies by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Multiplier {
    /// The mantissa, in `[2^30, 2^31)` (0 for a multiplier of 0).
    pub m: i32,
    /// The exponent: the multiplier is `m 2^(shift - 31)`.
    pub shift: i32,
}

impl Multiplier {
    /// The fixed-point form of `value` (0 for 0 or less, or below `2^-62`).
    pub fn of(value: f64) -> Multiplier {
        if value <= 0.0 || !value.is_finite() {
            return Multiplier { m: 0, shift: 0 };
        }
        // value = f 2^e with f in [0.5, 1).
        let mut e = 0i32;
        let mut f = value;
        while f >= 1.0 {
            f /= 2.0;
            e += 1;
        }
        while f < 0.5 {
            f *= 2.0;
            e -= 1;
        }
        // Rounded half up (f is positive); `f64::round` needs std.
        let mut m = (f * (1u64 << 31) as f64 + 0.5) as i64;
        if m == 1 << 31 {
            m /= 2;
            e += 1;
        }
        if e < -62 + 31 {
            return Multiplier { m: 0, shift: 0 };
        }
        Multiplier {
            m: m as i32,
            shift: e,
        }
    }

    /// The real value it stands for.
    pub fn value(self) -> f64 {
        // 2^(shift - 31) by halving or doubling: `f64::powi` needs std.
        let mut value = f64::from(self.m);
        for _ in 0..(31 - self.shift).max(0) {
            value /= 2.0;
        }
        for _ in 0..(self.shift - 31).max(0) {
            value *= 2.0;
        }
        value
    }
}

/// `round(acc m 2^(shift - 31))`, half away from zero, in 64-bit arithmetic (one rounding).
#[inline(always)]
pub fn scale(acc: i32, mul: Multiplier) -> i32 {
    let product = i64::from(acc) * i64::from(mul.m);
    let right = 31 - mul.shift;
    let rounded = if right <= 0 {
        product << (-right).min(32)
    } else if right >= 63 {
        0
    } else {
        let half = 1i64 << (right - 1);
        if product >= 0 {
            (product + half) >> right
        } else {
            -((-product + half) >> right)
        }
    };
    rounded.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `q_y = clamp(zp + round(acc M), low, 127)`: the requantization of a layer's sum, with the
/// lower bound `-128`, or `zp` for a fused relu.
#[inline(always)]
pub fn requantize(acc: i32, mul: Multiplier, zp: i32, low: i32) -> i8 {
    (scale(acc, mul).saturating_add(zp)).clamp(low, 127) as i8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_are_within_one_part_in_two_to_the_thirty() {
        for v in [
            1.0,
            0.5,
            0.75,
            0.003_906_25,
            1.0 / 3.0,
            12.5,
            1e-6,
            0.999_999_999,
        ] {
            let m = Multiplier::of(v);
            assert!((1 << 30..=i32::MAX).contains(&m.m), "{v}: {m:?}");
            assert!((m.value() - v).abs() <= v * 1e-9, "{v}: {}", m.value());
        }
        assert_eq!(Multiplier::of(0.0).m, 0);
    }

    #[test]
    fn requantization_rounds_half_away_from_zero_and_saturates() {
        let half = Multiplier::of(0.5);
        assert_eq!(scale(3, half), 2); // 1.5 -> 2
        assert_eq!(scale(-3, half), -2); // -1.5 -> -2
        assert_eq!(scale(5, half), 3);
        assert_eq!(scale(-5, half), -3);
        assert_eq!(scale(4, half), 2);
        assert_eq!(requantize(1000, Multiplier::of(1.0), 0, -128), 127);
        assert_eq!(requantize(-1000, Multiplier::of(1.0), 0, -128), -128);
        // A fused relu: nothing below the zero point.
        assert_eq!(requantize(-7, Multiplier::of(1.0), -20, -20), -20);
        assert_eq!(requantize(-7, Multiplier::of(1.0), 10, 10), 10);
        assert_eq!(requantize(7, Multiplier::of(1.0), 10, 10), 17);
        // Against the formula written out in f64.
        for acc in [-123_456, -77, -1, 0, 1, 99, 54_321] {
            for v in [0.000_123, 0.25, 0.9, 3.7] {
                let m = Multiplier::of(v);
                let exact = f64::from(acc) * m.value();
                let expected = if exact >= 0.0 {
                    (exact + 0.5).floor()
                } else {
                    -((-exact + 0.5).floor())
                };
                assert_eq!(f64::from(scale(acc, m)), expected, "{acc} x {v}");
            }
        }
    }
}
