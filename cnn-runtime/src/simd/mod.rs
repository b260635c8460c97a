//! Eight-lane vectors for the generated kernels, and the choice of instruction set.
//!
//! The batch kernels keep eight examples side by side ([`Pack`]), and the single-example
//! kernels eight output columns; either way a kernel works on [`Lanes::V`], eight values of
//! `T`. It is written once, generic over an instruction set `S`, and compiled twice:
//!
//! - [`Avx2`]: x86-64's 256-bit AVX2 vectors with fused multiply-adds, chosen at run time when
//!   the CPU has them (with `std`; without it, when the build targets them);
//! - [`Portable`]: `[T; 8]` arrays and a multiply and an add, which LLVM turns into whatever
//!   vectors the build targets: the code of every other architecture (Arm, and the
//!   microcontrollers' `no_std` inference).
//!
//! On x86-64, `Portable` is only the fallback for CPUs without AVX2 or FMA (made before about
//! 2013-2015). There its arithmetic is a call per operation (`#[inline(never)]`), and the
//! convolutions do not compile their unrolled taps for it ([`Simd::UNROLLS`] is false): they
//! run the plain loops of [`crate::kernels::conv_loops`], compiled once for every network.
//! Correct, slow, and cheap to build. The rarely run copy used to take LLVM longer than the
//! AVX2 one: inlined, LeNet-5's release build took 21.9 s rather than 14.7 s (`cargo bench
//! --bench compile_time -- --runs 1 w3`, an idle machine); unrolled with a call per operation,
//! the ResNet example's took 38.0 s rather than 28.0 s with the loops (`touch
//! examples/06_fashion_resnet.rs && cargo build --release --example fashion_resnet`, one run
//! each, idle); two 128-bit SSE2 vectors per operation were no quicker to build than the
//! arrays. The price is speed on such CPUs (`CNN_NO_AVX2`: see [`Avx2::detect`]; the figures
//! are in the README's Speed section).
//!
//! [`Float::dispatch`](crate::Float::dispatch) runs a [`WithSimd`] with the best set there is.
//! Everything a kernel calls is `#[inline(always)]`, so that the AVX2 instance is compiled as
//! part of one `#[target_feature(enable = "avx2,fma")]` function: a kernel that were called
//! instead of inlined would lose the instruction set (LLVM does not inline a function with
//! more target features into one with fewer).
//!
//! The lanes of [`Portable`] are in `portable.rs`, those of [`Avx2`] in `avx2.rs`; the zeroed
//! buffers of any size in `zeroed.rs`.

#[cfg(target_arch = "x86_64")]
mod avx2;
mod portable;
mod zeroed;

pub use zeroed::Zeroable;
#[cfg(feature = "std")]
pub use zeroed::{zeroed_box, zeroed_vec};

use crate::Float;

/// Eight values of `T`, one per lane, aligned for one 256-bit load: the batch kernels store
/// every activation as packs of eight examples (example `8b + l` of a part in lane `l` of
/// block `b`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(32))]
pub struct Pack<T>(pub [T; 8]);

impl<T: Float> Pack<T> {
    /// All lanes zero.
    pub const fn zero() -> Self {
        Pack([T::ZERO; 8])
    }
}

/// An instruction set the kernels can be compiled for.
pub trait Simd: Copy + Send + Sync + 'static {
    /// For messages and benchmarks: `"avx2+fma"` or `"portable"`.
    const NAME: &'static str;
    /// Whether the generated convolutions compile their unrolled taps for this set. When not,
    /// they run the plain loops of [`crate::kernels::conv_loops`] instead.
    const UNROLLS: bool;
}

/// Arrays and plain arithmetic: correct everywhere, as fast as the build's target allows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Portable;

impl Simd for Portable {
    const NAME: &'static str = "portable";
    /// Not on x86-64, where it is the rarely run fallback (see the module docs).
    const UNROLLS: bool = !cfg!(target_arch = "x86_64");
}

/// x86-64's AVX2 and FMA. A value exists only where the CPU has both, which is what makes its
/// safe methods sound.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Simd for Avx2 {
    const NAME: &'static str = "avx2+fma";
    const UNROLLS: bool = true;
}

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    /// The instruction set, if this CPU has AVX2 and FMA, and, with `std`, the environment
    /// variable `CNN_NO_AVX2` is not set: with it, the [`Portable`] code runs, as on a CPU
    /// without them (read once, at the first call).
    #[inline]
    pub fn detect() -> Option<Avx2> {
        #[cfg(feature = "std")]
        {
            static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
            AVAILABLE
                .get_or_init(|| {
                    std::arch::is_x86_feature_detected!("avx2")
                        && std::arch::is_x86_feature_detected!("fma")
                        && std::env::var_os("CNN_NO_AVX2").is_none()
                })
                .then_some(Avx2(()))
        }
        #[cfg(not(feature = "std"))]
        {
            (cfg!(target_feature = "avx2") && cfg!(target_feature = "fma")).then_some(Avx2(()))
        }
    }
}

/// Something to run with an instruction set: the generated passes implement it, and
/// [`Float::dispatch`](crate::Float::dispatch) picks the set.
pub trait WithSimd<T: Float> {
    /// What the work gives back.
    type Output;
    /// Does the work with `s`. Implementations are `#[inline(always)]`, see the module docs.
    fn with_simd<S: Lanes<T>>(self, s: S) -> Self::Output;
}

/// Runs `op` with AVX2 and FMA enabled for everything inlined into it.
///
/// # Safety
/// The CPU must have AVX2 and FMA (`s` proves it).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn run_avx2<T: Float, W: WithSimd<T>>(s: Avx2, op: W) -> W::Output
where
    Avx2: Lanes<T>,
{
    op.with_simd(s)
}

/// Eight lanes of `T` under an instruction set: what the kernels compute with.
///
/// Every method is `#[inline(always)]`. Comparisons give masks: lanes of all one bits (true) or
/// all zero bits (false), as the vector instructions do.
pub trait Lanes<T: Float>: Simd {
    /// Eight values of `T`.
    type V: Copy;

    /// Every lane `x`.
    fn splat(self, x: T) -> Self::V;
    /// Every lane zero.
    fn zero(self) -> Self::V;
    /// The eight values of a pack (an aligned load).
    fn load(self, p: &Pack<T>) -> Self::V;
    /// Writes the lanes into a pack (an aligned store).
    fn store(self, p: &mut Pack<T>, v: Self::V);
    /// Eight consecutive values of a row (an unaligned load).
    fn loadu(self, a: &[T; 8]) -> Self::V;
    /// Writes the lanes into eight consecutive values of a row.
    fn storeu(self, a: &mut [T; 8], v: Self::V);
    /// `a + b`.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a - b`.
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b`.
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a / b`.
    fn div(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b + c`, fused where the instruction set has it.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a` where `a > b`, else `b` (so `max(NaN, 0) = 0`, as a relu of NaN).
    fn max(self, a: Self::V, b: Self::V) -> Self::V;
    /// The mask of `a > b`.
    fn gt(self, a: Self::V, b: Self::V) -> Self::V;
    /// The mask of `a == b`.
    fn eq(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a` in the lanes where `mask` is set, else 0.
    fn and(self, mask: Self::V, a: Self::V) -> Self::V;
    /// `a` in the lanes where `mask` is clear, else 0.
    fn and_not(self, mask: Self::V, a: Self::V) -> Self::V;
    /// The union of two masks.
    fn or(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a` where `mask` is set, else `b`.
    fn select(self, mask: Self::V, a: Self::V, b: Self::V) -> Self::V;
    /// The lanes as an array.
    fn to_array(self, v: Self::V) -> [T; 8];
    /// `e^-z` in every lane, for `z >= 0`, within 3e-7 relative for `f32` (where `e^-z` is
    /// below the smallest normal `f32`, that one).
    fn exp_neg(self, z: Self::V) -> Self::V;
    /// `1 / (1 + e^-x)` in every lane.
    fn sigmoid(self, x: Self::V) -> Self::V;
    /// [`Lanes::sigmoid`] of four vectors: the same values, the four computations' steps
    /// interleaved where that is faster (each is a chain of some twenty dependent instructions).
    #[inline(always)]
    fn sigmoid4(self, x: [Self::V; 4]) -> [Self::V; 4] {
        [
            self.sigmoid(x[0]),
            self.sigmoid(x[1]),
            self.sigmoid(x[2]),
            self.sigmoid(x[3]),
        ]
    }
    /// `tanh x` in every lane.
    fn tanh(self, x: Self::V) -> Self::V;
    /// The sum of the lanes, added in halves: `((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7))`.
    fn sum(self, v: Self::V) -> T;
    /// `[sum(v[0]), ..., sum(v[7])]`: eight lane sums at once, each added in the order of
    /// [`Lanes::sum`].
    fn sums(self, v: [Self::V; 8]) -> Self::V;
    /// The transpose of eight vectors: lane `l` of vector `k` becomes lane `k` of vector `l`.
    fn transpose(self, v: [Self::V; 8]) -> [Self::V; 8];
}

/// The order of [`Lanes::sum`] on an array.
#[inline(always)]
fn sum_halves<T: Float>(a: [T; 8]) -> T {
    let q = [a[0] + a[4], a[1] + a[5], a[2] + a[6], a[3] + a[7]];
    let h = [q[0] + q[2], q[1] + q[3]];
    h[0] + h[1]
}

mod sigmoid_consts {
    //! `e^-z = 2^n e^-t` with `n = round(-z log2 e)` and `t = z + n ln 2` (ln 2 in two parts,
    //! the first exact in a product with `n`); `e^-t` by a degree-5 polynomial fitted on
    //! `|t| <= ln 2 / 2`. Bit patterns, so that each constant is exactly the fitted `f32`.
    /// `1.5 * 2^23 + 127`: adding it rounds to an integer and biases the exponent.
    pub const MAGIC_BIAS: f32 = 12_583_039.0;
    pub const MINUS_LOG2E: f32 = -core::f32::consts::LOG2_E;
    pub const LN2_HI: f32 = f32::from_bits(0x3F31_7200);
    pub const LN2_LO: f32 = f32::from_bits(0x35BF_BE8E);
    pub const C5: f32 = f32::from_bits(0xBC07_CFCE);
    pub const C4: f32 = f32::from_bits(0x3D2B_9D0D);
    pub const C3: f32 = f32::from_bits(0xBE2A_AD40);
    pub const C2: f32 = f32::from_bits(0x3EFF_FEE3);
    pub const C1: f32 = f32::from_bits(0xBF7F_FFFB);
    /// Beyond it `e^-z` is not a normal `f32`, and the sigmoid of `-z` is taken as 0.
    pub const CUTOFF: f32 = f32::from_bits(0x42AE_AC4F);
}

#[cfg(test)]
mod tests;
