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
    /// `e^self`.
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
        }
    };
}

// libm rather than std's methods, so that the generated inference code needs nothing but `core`.
impl_float!(f32, "F32", libm::expf, libm::logf, libm::tanhf, libm::sqrtf);
impl_float!(f64, "F64", libm::exp, libm::log, libm::tanh, libm::sqrt);
