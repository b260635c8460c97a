//! The scalar types a network computes in.

use core::fmt::{Debug, Display};
use core::iter::Sum;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point scalar a network can be instantiated with: `f32` (the default) or `f64`
/// (for gradient checks).
///
/// The trait is sealed: the generated code and the runtime rely on every `Float` being a plain
/// IEEE type whose arrays can be reinterpreted as flat slices.
pub trait Float:
    sealed::Sealed
    + crate::Tensor<Scalar = Self>
    + crate::simd::Zeroable
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
{
    /// `0`.
    const ZERO: Self;
    /// `1`.
    const ONE: Self;
    /// The name of the type, `"f32"` or `"f64"`, as safetensors spells it in upper case.
    const NAME: &'static str;

    /// Converts from `f64`, rounding to nearest.
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64`, exactly.
    fn to_f64(self) -> f64;
    /// `e^self`. For `f32` this is [`exp_f32`](crate::kernels::exp_f32), written so that LLVM vectorizes a loop of it;
    /// for `f64`, `libm::exp`.
    fn exp(self) -> Self;
    /// The natural logarithm.
    fn ln(self) -> Self;
    /// The hyperbolic tangent.
    fn tanh(self) -> Self;
    /// The square root.
    fn sqrt(self) -> Self;
    /// `true` unless NaN or infinite.
    fn is_finite(self) -> bool;
    /// The larger of two values (NaN-ignoring, like `f32::max`).
    fn max(self, other: Self) -> Self;
    /// The smaller of two values (NaN-ignoring, like `f32::min`).
    fn min(self, other: Self) -> Self;
    /// The absolute value.
    fn abs(self) -> Self;
    /// `self * a + b`: one fused multiply-add (rounded once) where the target has FMA
    /// instructions and `std` is linked, else a multiply and an add. Rust never fuses
    /// `self * a + b` on its own, and a fused multiply-add without the instruction is a slow
    /// software routine.
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// Runs `op` with the best instruction set this CPU has for the kernels: AVX2 with FMA
    /// where it is there (detected at run time with `std`, else where the build targets it),
    /// else [`Portable`](crate::simd::Portable) code. See [`crate::simd`].
    #[doc(hidden)]
    fn dispatch<W: crate::simd::WithSimd<Self>>(op: W) -> W::Output;
}

macro_rules! impl_float {
    ($t:ty, $name:literal, $exp:path, $ln:path, $tanh:path, $sqrt:path) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAME: &'static str = $name;

            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $ln(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                $sqrt(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                <$t>::min(self, other)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[cfg(all(feature = "std", target_feature = "fma"))]
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[cfg(not(all(feature = "std", target_feature = "fma")))]
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                self * a + b
            }
            #[inline]
            fn dispatch<W: crate::simd::WithSimd<Self>>(op: W) -> W::Output {
                #[cfg(target_arch = "x86_64")]
                if let Some(s) = crate::simd::Avx2::detect() {
                    // SAFETY: `s` exists only where the CPU has AVX2 and FMA.
                    return unsafe { crate::simd::run_avx2(s, op) };
                }
                op.with_simd(crate::simd::Portable)
            }
        }
    };
}

// libm rather than std's methods, so that the generated inference code needs nothing but `core`.
impl_float!(f32, "F32", exp_f32, libm::logf, libm::tanhf, libm::sqrtf);
impl_float!(f64, "F64", libm::exp, libm::log, libm::tanh, libm::sqrt);

/// `e^x` in `f32`, within 1e-7 relative of the exact value (7.9e-8 at worst over every 97th
/// `f32` of the range, in the test `exp_f32_is_accurate`), and without a branch or a call, so that a loop of it vectorizes:
/// `libm::expf`, a call per value, is about ten times slower on a sigmoid layer.
///
/// Cephes' `expf`: `x = n ln 2 + r` with `n` rounded to nearest and `|r| <= ln 2 / 2`, a
/// degree-7 polynomial for `e^r`, and `2^n` built in the exponent bits. Below `-87.33` (where
/// `e^x` is no longer a normal `f32`) the result is 0, and above `88.37` (where `2^n` would be
/// `2^128`) infinity, where `f32` itself overflows only from `88.72`; NaN stays NaN.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    // ln 2 in two parts, the first with few enough bits that `n * LN2_HI` is exact.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding 1.5 * 2^23 rounds to the nearest integer, which the low bits then hold.
    const ROUND: f32 = 12_582_912.0;
    const LO: f32 = -87.336_55;
    const HI: f32 = 88.37;
    let clamped = x.clamp(LO, HI);
    let shifted = clamped * LOG2E + ROUND;
    let n = shifted - ROUND;
    let r = clamped - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_1e-4f32;
    let p = Float::mul_add(p, r, 1.398_199_9e-3);
    let p = Float::mul_add(p, r, 8.333_452e-3);
    let p = Float::mul_add(p, r, 4.166_579_6e-2);
    let p = Float::mul_add(p, r, 1.666_666_5e-1);
    let p = Float::mul_add(p, r, 0.5);
    let e_r = Float::mul_add(p, r * r, r) + 1.0;
    // `n` is in -126..=127, so `n + 127` is a valid biased exponent of a normal number.
    let bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let two_n = f32::from_bits(bits.wrapping_add(127) << 23);
    let y = e_r * two_n;
    if x < LO {
        0.0
    } else if x > HI {
        f32::INFINITY
    } else if x.is_nan() {
        x
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::exp_f32;

    /// Every 97th `f32` from -87.33 to 88.37 (about 2.3e7 values), against `f64` exp.
    #[test]
    fn exp_f32_is_accurate() {
        let mut worst = 0.0f64;
        let mut x = -87.33f32;
        while x < 0.0 {
            let exact = f64::from(x).exp();
            worst = worst.max(((f64::from(exp_f32(x)) - exact) / exact).abs());
            x = f32::from_bits(x.to_bits() - 97);
        }
        let mut x = 0.0f32;
        while x <= 88.37 {
            let exact = f64::from(x).exp();
            worst = worst.max(((f64::from(exp_f32(x)) - exact) / exact).abs());
            x = f32::from_bits(x.to_bits() + 97);
        }
        println!("exp_f32: max relative error {worst:e}");
        assert!(worst < 1e-7, "max relative error {worst:e}");
    }

    #[test]
    fn exp_f32_edges() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-100.0), 0.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(100.0), f32::INFINITY);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert!(exp_f32(f32::NAN).is_nan());
        let e = exp_f32(1.0);
        assert!(
            (e - core::f32::consts::E).abs() <= f32::EPSILON * 3.0,
            "{e}"
        );
    }
}
