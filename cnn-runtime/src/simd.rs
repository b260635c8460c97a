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
//! 2013-2015), and there its arithmetic is a call per operation (`#[inline(never)]`): correct
//! but slow, and cheap to build. Inlined, as on other targets, this rarely run copy took LLVM
//! longer than the AVX2 one: LeNet-5's release build took 27 s rather than 15 s (`cargo bench
//! --bench compile_time -- --runs 1 w3`); two 128-bit SSE2 vectors per operation cost as much
//! (30 s). The price is speed on such CPUs: W3's training step (LeNet-5, batch 64) takes
//! 57.5 ms there against 2.55 ms with AVX2, where PyTorch takes about 16 ms
//! (`CNN_NO_AVX2=1 cargo bench --bench steps -- W3-step/ours-1t`, `CNN_NO_AVX2`: see
//! [`Avx2::detect`]).
//!
//! [`Float::dispatch`](crate::Float::dispatch) runs a [`WithSimd`] with the best set there is.
//! Everything a kernel calls is `#[inline(always)]`, so that the AVX2 instance is compiled as
//! part of one `#[target_feature(enable = "avx2,fma")]` function: a kernel that were called
//! instead of inlined would lose the instruction set (LLVM does not inline a function with
//! more target features into one with fewer).

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

/// Types whose all-zero bit pattern is a valid value: floats, packs of them, and arrays of
/// those. Lets the runtime allocate large buffers zeroed on the heap, never on the stack.
///
/// # Safety
/// Implement only for types for which `core::mem::zeroed()` is a valid value.
pub unsafe trait Zeroable: Sized {}

// SAFETY: the all-zero bit pattern is +0.0.
unsafe impl Zeroable for f32 {}
// SAFETY: as above.
unsafe impl Zeroable for f64 {}
// SAFETY: integers: zero is a valid value.
unsafe impl Zeroable for i8 {}
// SAFETY: as above.
unsafe impl Zeroable for i32 {}
// SAFETY: eight zeroable floats with padding-free layout.
unsafe impl<T: Zeroable> Zeroable for Pack<T> {}
// SAFETY: an array of zeroable values.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}

/// A `Vec` of `n` zeroed values, allocated zeroed: no value passes through the stack, however
/// large `T` is.
#[cfg(feature = "std")]
pub fn zeroed_vec<T: Zeroable>(n: usize) -> Vec<T> {
    use std::alloc::{Layout, alloc_zeroed, handle_alloc_error};
    if n == 0 || core::mem::size_of::<T>() == 0 {
        let mut v = Vec::new();
        // SAFETY: zero-sized values or no values; a zeroed `T` is valid (`Zeroable`).
        v.resize_with(n, || unsafe { core::mem::zeroed() });
        return v;
    }
    let layout = Layout::array::<T>(n).expect("a buffer smaller than isize::MAX bytes");
    // SAFETY: the layout has nonzero size.
    let ptr = unsafe { alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        handle_alloc_error(layout);
    }
    // SAFETY: allocated by the global allocator with `T`'s array layout for `n` values, all
    // zero bytes, which are valid `T`s (`Zeroable`).
    unsafe { Vec::from_raw_parts(ptr, n, n) }
}

/// A boxed, zeroed value built on the heap (a network's parameters, a big scratch buffer).
#[cfg(feature = "std")]
pub fn zeroed_box<T: Zeroable>() -> Box<T> {
    use std::alloc::{Layout, alloc_zeroed, handle_alloc_error};
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        // SAFETY: a zero-sized value; zeroed is valid (`Zeroable`).
        return Box::new(unsafe { core::mem::zeroed() });
    }
    // SAFETY: nonzero size.
    let ptr = unsafe { alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        handle_alloc_error(layout);
    }
    // SAFETY: allocated with `T`'s layout by the global allocator, all zero bytes (`Zeroable`).
    unsafe { Box::from_raw(ptr) }
}

/// An instruction set the kernels can be compiled for.
pub trait Simd: Copy + Send + Sync + 'static {
    /// For messages and benchmarks: `"avx2+fma"` or `"portable"`.
    const NAME: &'static str;
}

/// Arrays and plain arithmetic: correct everywhere, as fast as the build's target allows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Portable;

impl Simd for Portable {
    const NAME: &'static str = "portable";
}

/// x86-64's AVX2 and FMA. A value exists only where the CPU has both, which is what makes its
/// safe methods sound.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Simd for Avx2 {
    const NAME: &'static str = "avx2+fma";
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

/// The sigmoid of one `f32`: `e^-|x| / (1 + e^-|x|)`, or one minus it for positive `x`, with
/// `e^-|x|` from a two-step range reduction and a degree-5 polynomial (the method of XNNPACK's
/// `f32-vsigmoid` kernels). Within 3 units in the last place over all of `f32`, measured by the
/// test `vector_sigmoid_is_accurate`.
#[inline(always)]
fn sigmoid_f32(x: f32) -> f32 {
    let e = exp_neg_f32(x.abs());
    let numerator = if x.is_sign_negative() { e } else { 1.0 };
    numerator / (e + 1.0)
}

/// `e^-z` for `z >= 0`, as the sigmoid computes it.
#[inline(always)]
fn exp_neg_f32(z: f32) -> f32 {
    use sigmoid_consts::*;
    // Plain products and sums: `f32::mul_add` without an FMA instruction is a slow call.
    let z = if z > CUTOFF { CUTOFF } else { z };
    let n = z * MINUS_LOG2E + MAGIC_BIAS;
    let s = f32::from_bits(n.to_bits() << 23);
    let n = n - MAGIC_BIAS;
    let t = n * LN2_HI + z;
    let t = n * LN2_LO + t;
    let p = t * C5 + C4;
    let p = t * p + C3;
    let p = t * p + C2;
    let p = t * p + C1;
    let t = t * s;
    t * p + s
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

macro_rules! portable_lanes {
    ($t:ty, $exp_neg:expr, $sigmoid:expr, $tanh:expr) => {
        // The arithmetic is a call on x86-64 (see the module docs), inlined elsewhere.
        impl Lanes<$t> for Portable {
            type V = [$t; 8];

            #[inline(always)]
            fn splat(self, x: $t) -> [$t; 8] {
                [x; 8]
            }
            #[inline(always)]
            fn zero(self) -> [$t; 8] {
                [0.0; 8]
            }
            #[inline(always)]
            fn load(self, p: &Pack<$t>) -> [$t; 8] {
                p.0
            }
            #[inline(always)]
            fn store(self, p: &mut Pack<$t>, v: [$t; 8]) {
                p.0 = v;
            }
            #[inline(always)]
            fn loadu(self, a: &[$t; 8]) -> [$t; 8] {
                *a
            }
            #[inline(always)]
            fn storeu(self, a: &mut [$t; 8], v: [$t; 8]) {
                *a = v;
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn add(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| a[l] + b[l])
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn sub(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| a[l] - b[l])
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn mul(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| a[l] * b[l])
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn div(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| a[l] / b[l])
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn mul_add(self, a: [$t; 8], b: [$t; 8], c: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| a[l] * b[l] + c[l])
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn max(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| if a[l] > b[l] { a[l] } else { b[l] })
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn gt(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| <$t>::from_bits(if a[l] > b[l] { !0 } else { 0 }))
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn eq(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| <$t>::from_bits(if a[l] == b[l] { !0 } else { 0 }))
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn and(self, mask: [$t; 8], a: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| <$t>::from_bits(mask[l].to_bits() & a[l].to_bits()))
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn and_not(self, mask: [$t; 8], a: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| <$t>::from_bits(!mask[l].to_bits() & a[l].to_bits()))
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn or(self, a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| <$t>::from_bits(a[l].to_bits() | b[l].to_bits()))
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn select(self, mask: [$t; 8], a: [$t; 8], b: [$t; 8]) -> [$t; 8] {
                core::array::from_fn(|l| if mask[l].to_bits() != 0 { a[l] } else { b[l] })
            }
            #[inline(always)]
            fn to_array(self, v: [$t; 8]) -> [$t; 8] {
                v
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn exp_neg(self, z: [$t; 8]) -> [$t; 8] {
                z.map($exp_neg)
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn sigmoid(self, x: [$t; 8]) -> [$t; 8] {
                x.map($sigmoid)
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn tanh(self, x: [$t; 8]) -> [$t; 8] {
                x.map($tanh)
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn sum(self, v: [$t; 8]) -> $t {
                sum_halves(v)
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn sums(self, v: [[$t; 8]; 8]) -> [$t; 8] {
                v.map(sum_halves)
            }
            #[cfg_attr(target_arch = "x86_64", inline(never))]
            #[cfg_attr(not(target_arch = "x86_64"), inline(always))]
            fn transpose(self, v: [[$t; 8]; 8]) -> [[$t; 8]; 8] {
                core::array::from_fn(|l| core::array::from_fn(|k| v[k][l]))
            }
        }
    };
}

portable_lanes!(f32, exp_neg_f32, sigmoid_f32, libm::tanhf);
portable_lanes!(
    f64,
    |z: f64| libm::exp(-z),
    |x: f64| 1.0 / (1.0 + libm::exp(-x)),
    libm::tanh
);

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use core::arch::x86_64::*;

    use super::{Avx2, Lanes, Pack, sigmoid_consts, sum_halves};

    // SAFETY (every `unsafe` block below): an `Avx2` value exists only where the CPU has AVX2
    // and FMA (`Avx2::detect`); loads and stores go through references to `Pack`s (aligned
    // to 32 bytes) or to arrays of eight values.

    impl Lanes<f32> for Avx2 {
        type V = __m256;

        #[inline(always)]
        fn splat(self, x: f32) -> __m256 {
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        fn zero(self) -> __m256 {
            unsafe { _mm256_setzero_ps() }
        }
        #[inline(always)]
        fn load(self, p: &Pack<f32>) -> __m256 {
            unsafe { _mm256_load_ps(p.0.as_ptr()) }
        }
        #[inline(always)]
        fn store(self, p: &mut Pack<f32>, v: __m256) {
            unsafe { _mm256_store_ps(p.0.as_mut_ptr(), v) }
        }
        #[inline(always)]
        fn loadu(self, a: &[f32; 8]) -> __m256 {
            unsafe { _mm256_loadu_ps(a.as_ptr()) }
        }
        #[inline(always)]
        fn storeu(self, a: &mut [f32; 8], v: __m256) {
            unsafe { _mm256_storeu_ps(a.as_mut_ptr(), v) }
        }
        #[inline(always)]
        fn add(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_add_ps(a, b) }
        }
        #[inline(always)]
        fn sub(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_sub_ps(a, b) }
        }
        #[inline(always)]
        fn mul(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_mul_ps(a, b) }
        }
        #[inline(always)]
        fn div(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_div_ps(a, b) }
        }
        #[inline(always)]
        fn mul_add(self, a: __m256, b: __m256, c: __m256) -> __m256 {
            unsafe { _mm256_fmadd_ps(a, b, c) }
        }
        #[inline(always)]
        fn max(self, a: __m256, b: __m256) -> __m256 {
            // `vmaxps` gives its second operand unless the first is greater.
            unsafe { _mm256_max_ps(a, b) }
        }
        #[inline(always)]
        fn gt(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_cmp_ps::<_CMP_GT_OQ>(a, b) }
        }
        #[inline(always)]
        fn eq(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_cmp_ps::<_CMP_EQ_OQ>(a, b) }
        }
        #[inline(always)]
        fn and(self, mask: __m256, a: __m256) -> __m256 {
            unsafe { _mm256_and_ps(mask, a) }
        }
        #[inline(always)]
        fn and_not(self, mask: __m256, a: __m256) -> __m256 {
            unsafe { _mm256_andnot_ps(mask, a) }
        }
        #[inline(always)]
        fn or(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_or_ps(a, b) }
        }
        #[inline(always)]
        fn select(self, mask: __m256, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_blendv_ps(b, a, mask) }
        }
        #[inline(always)]
        fn to_array(self, v: __m256) -> [f32; 8] {
            let mut a = [0.0; 8];
            <Self as Lanes<f32>>::storeu(self, &mut a, v);
            a
        }
        #[inline(always)]
        fn sigmoid(self, x: __m256) -> __m256 {
            unsafe {
                // e = e^-|x|; the sigmoid is e / (1 + e) for x <= 0 and 1 / (1 + e) for x > 0:
                // `vblendvps` picks the numerator by the sign bit of x itself.
                let z = _mm256_andnot_ps(_mm256_set1_ps(-0.0), x);
                let e = <Self as Lanes<f32>>::exp_neg(self, z);
                let numerator = _mm256_blendv_ps(_mm256_set1_ps(1.0), e, x);
                _mm256_div_ps(numerator, _mm256_add_ps(e, _mm256_set1_ps(1.0)))
            }
        }
        #[inline(always)]
        fn exp_neg(self, z: __m256) -> __m256 {
            use sigmoid_consts::*;
            unsafe {
                // Past the cutoff e^-z is not a normal f32: clamped there, the result is the
                // smallest normal one rather than 0 (`vminps` keeps a NaN z as NaN).
                let z = _mm256_min_ps(_mm256_set1_ps(CUTOFF), z);
                let n = _mm256_fmadd_ps(z, _mm256_set1_ps(MINUS_LOG2E), _mm256_set1_ps(MAGIC_BIAS));
                let s = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_castps_si256(n)));
                let n = _mm256_sub_ps(n, _mm256_set1_ps(MAGIC_BIAS));
                let t = _mm256_fmadd_ps(n, _mm256_set1_ps(LN2_HI), z);
                let t = _mm256_fmadd_ps(n, _mm256_set1_ps(LN2_LO), t);
                let p = _mm256_fmadd_ps(t, _mm256_set1_ps(C5), _mm256_set1_ps(C4));
                let p = _mm256_fmadd_ps(t, p, _mm256_set1_ps(C3));
                let p = _mm256_fmadd_ps(t, p, _mm256_set1_ps(C2));
                let p = _mm256_fmadd_ps(t, p, _mm256_set1_ps(C1));
                let t = _mm256_mul_ps(t, s);
                _mm256_fmadd_ps(t, p, s)
            }
        }
        #[inline(always)]
        fn tanh(self, x: __m256) -> __m256 {
            // tanh x = 2 sigmoid(2x) - 1.
            let two = <Self as Lanes<f32>>::splat(self, 2.0);
            let s = <Self as Lanes<f32>>::sigmoid(self, <Self as Lanes<f32>>::mul(self, two, x));
            <Self as Lanes<f32>>::mul_add(self, two, s, <Self as Lanes<f32>>::splat(self, -1.0))
        }
        #[inline(always)]
        fn sum(self, v: __m256) -> f32 {
            unsafe {
                let q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
                let h = _mm_add_ps(q, _mm_movehl_ps(q, q));
                _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)))
            }
        }
        #[inline(always)]
        fn sums(self, v: [__m256; 8]) -> __m256 {
            // Lanes l and l + 4 of each vector first (the 128-bit halves), then the pairs
            // `(l, l + 2)`, then `(l, l + 1)`, as `sum` adds them; transposing as it goes.
            unsafe {
                let half = |a: __m256, b: __m256| {
                    // [a0+a4, a1+a5, a2+a6, a3+a7, b0+b4, ..., b3+b7]
                    let lo = _mm256_permute2f128_ps::<0x20>(a, b);
                    let hi = _mm256_permute2f128_ps::<0x31>(a, b);
                    _mm256_add_ps(lo, hi)
                };
                let h04 = half(v[0], v[4]);
                let h15 = half(v[1], v[5]);
                let h26 = half(v[2], v[6]);
                let h37 = half(v[3], v[7]);
                // q: [x0+x2, x1+x3] per vector x, for the pairs (0,2), (1,3): shuffles within
                // 128-bit halves keep vector 0 and 4 apart.
                let quarter = |a: __m256, b: __m256| {
                    let lo = _mm256_shuffle_ps::<0b01_00_01_00>(a, b); // a0 a1 b0 b1
                    let hi = _mm256_shuffle_ps::<0b11_10_11_10>(a, b); // a2 a3 b2 b3
                    _mm256_add_ps(lo, hi)
                };
                let q01 = quarter(h04, h15); // [v0 q0, v0 q1, v1 q0, v1 q1 | v4 .., v5 ..]
                let q23 = quarter(h26, h37);
                let lo = _mm256_shuffle_ps::<0b10_00_10_00>(q01, q23); // v0 v1 v2 v3 first terms
                let hi = _mm256_shuffle_ps::<0b11_01_11_01>(q01, q23);
                _mm256_add_ps(lo, hi)
            }
        }
        #[inline(always)]
        fn transpose(self, v: [__m256; 8]) -> [__m256; 8] {
            unsafe {
                // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves.
                let t0 = _mm256_unpacklo_ps(v[0], v[1]);
                let t1 = _mm256_unpackhi_ps(v[0], v[1]);
                let t2 = _mm256_unpacklo_ps(v[2], v[3]);
                let t3 = _mm256_unpackhi_ps(v[2], v[3]);
                let t4 = _mm256_unpacklo_ps(v[4], v[5]);
                let t5 = _mm256_unpackhi_ps(v[4], v[5]);
                let t6 = _mm256_unpacklo_ps(v[6], v[7]);
                let t7 = _mm256_unpackhi_ps(v[6], v[7]);
                let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
                let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
                let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
                let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
                let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
                let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
                let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
                let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
                [
                    _mm256_permute2f128_ps::<0x20>(u0, u4),
                    _mm256_permute2f128_ps::<0x20>(u1, u5),
                    _mm256_permute2f128_ps::<0x20>(u2, u6),
                    _mm256_permute2f128_ps::<0x20>(u3, u7),
                    _mm256_permute2f128_ps::<0x31>(u0, u4),
                    _mm256_permute2f128_ps::<0x31>(u1, u5),
                    _mm256_permute2f128_ps::<0x31>(u2, u6),
                    _mm256_permute2f128_ps::<0x31>(u3, u7),
                ]
            }
        }
    }

    /// `f64` as two 4-lane vectors: for gradient checks, where speed matters less than that
    /// the same kernels run.
    impl Lanes<f64> for Avx2 {
        type V = [__m256d; 2];

        #[inline(always)]
        fn splat(self, x: f64) -> [__m256d; 2] {
            unsafe { [_mm256_set1_pd(x); 2] }
        }
        #[inline(always)]
        fn zero(self) -> [__m256d; 2] {
            unsafe { [_mm256_setzero_pd(); 2] }
        }
        #[inline(always)]
        fn load(self, p: &Pack<f64>) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_load_pd(p.0.as_ptr()),
                    _mm256_load_pd(p.0.as_ptr().add(4)),
                ]
            }
        }
        #[inline(always)]
        fn store(self, p: &mut Pack<f64>, v: [__m256d; 2]) {
            unsafe {
                _mm256_store_pd(p.0.as_mut_ptr(), v[0]);
                _mm256_store_pd(p.0.as_mut_ptr().add(4), v[1]);
            }
        }
        #[inline(always)]
        fn loadu(self, a: &[f64; 8]) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_loadu_pd(a.as_ptr()),
                    _mm256_loadu_pd(a.as_ptr().add(4)),
                ]
            }
        }
        #[inline(always)]
        fn storeu(self, a: &mut [f64; 8], v: [__m256d; 2]) {
            unsafe {
                _mm256_storeu_pd(a.as_mut_ptr(), v[0]);
                _mm256_storeu_pd(a.as_mut_ptr().add(4), v[1]);
            }
        }
        #[inline(always)]
        fn add(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_add_pd(a[0], b[0]), _mm256_add_pd(a[1], b[1])] }
        }
        #[inline(always)]
        fn sub(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_sub_pd(a[0], b[0]), _mm256_sub_pd(a[1], b[1])] }
        }
        #[inline(always)]
        fn mul(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_mul_pd(a[0], b[0]), _mm256_mul_pd(a[1], b[1])] }
        }
        #[inline(always)]
        fn div(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_div_pd(a[0], b[0]), _mm256_div_pd(a[1], b[1])] }
        }
        #[inline(always)]
        fn mul_add(self, a: [__m256d; 2], b: [__m256d; 2], c: [__m256d; 2]) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_fmadd_pd(a[0], b[0], c[0]),
                    _mm256_fmadd_pd(a[1], b[1], c[1]),
                ]
            }
        }
        #[inline(always)]
        fn max(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_max_pd(a[0], b[0]), _mm256_max_pd(a[1], b[1])] }
        }
        #[inline(always)]
        fn gt(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_cmp_pd::<_CMP_GT_OQ>(a[0], b[0]),
                    _mm256_cmp_pd::<_CMP_GT_OQ>(a[1], b[1]),
                ]
            }
        }
        #[inline(always)]
        fn eq(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_cmp_pd::<_CMP_EQ_OQ>(a[0], b[0]),
                    _mm256_cmp_pd::<_CMP_EQ_OQ>(a[1], b[1]),
                ]
            }
        }
        #[inline(always)]
        fn and(self, mask: [__m256d; 2], a: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_and_pd(mask[0], a[0]), _mm256_and_pd(mask[1], a[1])] }
        }
        #[inline(always)]
        fn and_not(self, mask: [__m256d; 2], a: [__m256d; 2]) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_andnot_pd(mask[0], a[0]),
                    _mm256_andnot_pd(mask[1], a[1]),
                ]
            }
        }
        #[inline(always)]
        fn or(self, a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe { [_mm256_or_pd(a[0], b[0]), _mm256_or_pd(a[1], b[1])] }
        }
        #[inline(always)]
        fn select(self, mask: [__m256d; 2], a: [__m256d; 2], b: [__m256d; 2]) -> [__m256d; 2] {
            unsafe {
                [
                    _mm256_blendv_pd(b[0], a[0], mask[0]),
                    _mm256_blendv_pd(b[1], a[1], mask[1]),
                ]
            }
        }
        #[inline(always)]
        fn to_array(self, v: [__m256d; 2]) -> [f64; 8] {
            let mut a = [0.0; 8];
            <Self as Lanes<f64>>::storeu(self, &mut a, v);
            a
        }
        #[inline(always)]
        fn exp_neg(self, z: [__m256d; 2]) -> [__m256d; 2] {
            let a = <Self as Lanes<f64>>::to_array(self, z).map(|z| libm::exp(-z));
            <Self as Lanes<f64>>::loadu(self, &a)
        }
        #[inline(always)]
        fn sigmoid(self, x: [__m256d; 2]) -> [__m256d; 2] {
            let a = <Self as Lanes<f64>>::to_array(self, x).map(|x| 1.0 / (1.0 + libm::exp(-x)));
            <Self as Lanes<f64>>::loadu(self, &a)
        }
        #[inline(always)]
        fn tanh(self, x: [__m256d; 2]) -> [__m256d; 2] {
            let a = <Self as Lanes<f64>>::to_array(self, x).map(libm::tanh);
            <Self as Lanes<f64>>::loadu(self, &a)
        }
        #[inline(always)]
        fn sum(self, v: [__m256d; 2]) -> f64 {
            sum_halves(<Self as Lanes<f64>>::to_array(self, v))
        }
        #[inline(always)]
        fn sums(self, v: [[__m256d; 2]; 8]) -> [__m256d; 2] {
            let a = v.map(|v| <Self as Lanes<f64>>::sum(self, v));
            <Self as Lanes<f64>>::loadu(self, &a)
        }
        #[inline(always)]
        fn transpose(self, v: [[__m256d; 2]; 8]) -> [[__m256d; 2]; 8] {
            let a = v.map(|v| <Self as Lanes<f64>>::to_array(self, v));
            core::array::from_fn(|l| {
                <Self as Lanes<f64>>::loadu(self, &core::array::from_fn(|k| a[k][l]))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes_agree<S: Lanes<f32>>(s: S) {
        let a: [f32; 8] = core::array::from_fn(|l| l as f32 - 3.5);
        let b: [f32; 8] = core::array::from_fn(|l| (l * l) as f32 * 0.25);
        let (va, vb) = (s.loadu(&a), s.loadu(&b));
        assert_eq!(
            s.to_array(s.add(va, vb)),
            core::array::from_fn(|l| a[l] + b[l])
        );
        assert_eq!(s.to_array(s.max(va, s.zero())), a.map(|x| x.max(0.0)));
        let gt = s.gt(va, s.zero());
        assert_eq!(
            s.to_array(s.and(gt, vb)),
            core::array::from_fn(|l| if a[l] > 0.0 { b[l] } else { 0.0 })
        );
        assert_eq!(
            s.to_array(s.select(gt, va, vb)),
            core::array::from_fn(|l| if a[l] > 0.0 { a[l] } else { b[l] })
        );
        assert_eq!(s.sum(vb), sum_halves(b));
        let vs: [S::V; 8] = core::array::from_fn(|k| {
            s.loadu(&core::array::from_fn(|l| (k * 8 + l) as f32 * 1.5 + 0.1))
        });
        let sums = s.to_array(s.sums(vs));
        for (k, &sum) in sums.iter().enumerate() {
            assert_eq!(sum, s.sum(vs[k]), "vector {k}");
        }
        let t = s.transpose(vs);
        for (l, &tl) in t.iter().enumerate() {
            let row = s.to_array(tl);
            for (k, &v) in row.iter().enumerate() {
                assert_eq!(v, s.to_array(vs[k])[l]);
            }
        }
        let max_nan = s.to_array(s.max(s.splat(f32::NAN), s.zero()));
        assert_eq!(max_nan, [0.0; 8]);
    }

    /// Every operation in `f64` against `Portable`'s, on small integers and halves, where a
    /// fused multiply-add and a rounded one agree.
    fn f64_lanes_agree<S: Lanes<f64>>(s: S) {
        // `Portable` seen as `f64` lanes only, so that its methods need no annotations.
        fn portable() -> impl Lanes<f64, V = [f64; 8]> {
            Portable
        }
        let p = portable();
        let a: [f64; 8] = core::array::from_fn(|l| l as f64 - 3.5);
        let b: [f64; 8] = core::array::from_fn(|l| (l * l) as f64 * 0.25 + 1.0);
        let (va, vb, pa, pb) = (s.loadu(&a), s.loadu(&b), p.loadu(&a), p.loadu(&b));
        let same = |v: S::V, w: [f64; 8]| assert_eq!(s.to_array(v), p.to_array(w));
        same(s.add(va, vb), p.add(pa, pb));
        same(s.sub(va, vb), p.sub(pa, pb));
        same(s.mul(va, vb), p.mul(pa, pb));
        same(s.div(va, vb), p.div(pa, pb));
        same(s.mul_add(va, vb, va), p.mul_add(pa, pb, pa));
        same(s.max(va, s.zero()), p.max(pa, p.zero()));
        let (gt, pgt) = (s.gt(va, s.splat(0.5)), p.gt(pa, p.splat(0.5)));
        same(s.and(gt, vb), p.and(pgt, pb));
        same(s.and_not(gt, vb), p.and_not(pgt, pb));
        same(s.select(gt, va, vb), p.select(pgt, pa, pb));
        same(s.and(s.eq(va, va), vb), p.and(p.eq(pa, pa), pb));
        same(s.exp_neg(vb), p.exp_neg(pb));
        same(s.sigmoid(va), p.sigmoid(pa));
        same(s.tanh(va), p.tanh(pa));
        assert_eq!(s.sum(vb), p.sum(pb));
        let mut pack = Pack::zero();
        s.store(&mut pack, va);
        assert_eq!(pack.0, a);
        assert_eq!(s.to_array(s.load(&pack)), a);
        let vs: [S::V; 8] = core::array::from_fn(|k| s.add(va, s.splat(k as f64)));
        let ps: [[f64; 8]; 8] = core::array::from_fn(|k| p.add(pa, p.splat(k as f64)));
        same(s.sums(vs), p.sums(ps));
        for (v, w) in s.transpose(vs).into_iter().zip(p.transpose(ps)) {
            same(v, w);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn f64_lanes_agree_with_portable() {
        if let Some(s) = Avx2::detect() {
            f64_lanes_agree(s);
        }
    }

    #[test]
    fn portable_lanes() {
        lanes_agree(Portable);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_lanes_agree_with_portable() {
        if let Some(s) = Avx2::detect() {
            lanes_agree(s);
        }
    }

    /// Every 97th `f32` of the whole range, against `f64`: relative error at most 3e-7 (absolute
    /// below twice the smallest normal `f32`, where results may flush to zero).
    fn sigmoid_accuracy<S: Lanes<f32>>(s: S) -> f64 {
        let mut worst = 0.0f64;
        let mut bits = 0u32;
        let mut batch = [0.0f32; 8];
        let mut filled = 0;
        loop {
            let x = f32::from_bits(bits);
            if x.is_finite() {
                batch[filled] = x;
                filled += 1;
                if filled == 8 {
                    let y = s.to_array(s.sigmoid(s.loadu(&batch)));
                    for (&x, &y) in batch.iter().zip(&y) {
                        let exact = 1.0 / (1.0 + (-f64::from(x)).exp());
                        // Results below twice the smallest normal `f32` may flush to zero.
                        let tiny = 2.0 * f64::from(f32::MIN_POSITIVE);
                        if exact < tiny {
                            assert!(
                                (f64::from(y) - exact).abs() <= tiny,
                                "sigmoid({x:e}) = {y:e}"
                            );
                            continue;
                        }
                        let err = (f64::from(y) - exact).abs() / exact;
                        assert!(err <= 3e-7, "sigmoid({x:e}) = {y:e}, exact {exact:e}");
                        worst = worst.max(err);
                    }
                    filled = 0;
                }
            }
            match bits.checked_add(97) {
                Some(b) => bits = b,
                None => break,
            }
        }
        worst
    }

    #[test]
    fn vector_sigmoid_is_accurate() {
        println!(
            "portable sigmoid: max relative error {:e}",
            sigmoid_accuracy(Portable)
        );
        #[cfg(target_arch = "x86_64")]
        if let Some(s) = Avx2::detect() {
            println!("avx2 sigmoid: max relative error {:e}", sigmoid_accuracy(s));
        }
    }

    #[test]
    fn sigmoid_edges() {
        fn sigmoid<S: Lanes<f32>>(s: S, x: [f32; 8]) -> [f32; 8] {
            s.to_array(s.sigmoid(s.loadu(&x)))
        }
        let x = [
            0.0,
            -0.0,
            100.0,
            -100.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1.0,
            -1.0,
        ];
        let y = sigmoid(Portable, x);
        // Far left the result is the smallest normal f32 or below, not exactly 0.
        let tiny = 2.0 * f32::MIN_POSITIVE;
        assert_eq!([y[0], y[1], y[2], y[4]], [0.5, 0.5, 1.0, 1.0]);
        assert!(y[3] <= tiny && y[5] <= tiny);
        assert!((y[6] - 0.731_058_6).abs() < 1e-7 && (y[7] - 0.268_941_4).abs() < 1e-7);
        assert!(sigmoid(Portable, [f32::NAN; 8])[0].is_nan());
        #[cfg(target_arch = "x86_64")]
        if let Some(s) = Avx2::detect() {
            let a = sigmoid(s, x);
            assert_eq!([a[0], a[1], a[2], a[4]], [0.5, 0.5, 1.0, 1.0]);
            assert!(a[3] <= tiny && a[5] <= tiny);
            assert!(sigmoid(s, [f32::NAN; 8])[0].is_nan());
        }
    }

    #[test]
    fn zeroed_buffers_are_zero() {
        let v = zeroed_vec::<[[Pack<f32>; 3]; 2]>(5);
        assert_eq!(v.len(), 5);
        assert!(v.iter().flatten().flatten().all(|p| p.0 == [0.0; 8]));
        assert_eq!(core::mem::align_of::<Pack<f32>>(), 32);
        let b = zeroed_box::<[f64; 1000]>();
        assert!(b.iter().all(|&x| x == 0.0));
    }
}
