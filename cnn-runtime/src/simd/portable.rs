//! [`Lanes`] for [`Portable`]: `[T; 8]` arrays and plain arithmetic, and the scalar sigmoid
//! that its `f32` lanes map over.

use super::{Lanes, Pack, Portable, sigmoid_consts, sum_halves};

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
