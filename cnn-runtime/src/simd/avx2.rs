//! [`Lanes`] for [`Avx2`]: `f32` in one 256-bit vector, `f64` in two, through the AVX2 and FMA
//! intrinsics.

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
    /// The steps of `sigmoid` (and its `exp_neg`) one at a time for all four vectors. Written in
    /// the order of `sigmoid`, LLVM keeps each computation's twenty-odd dependent instructions
    /// together, and the core's scheduler holds too few of them to overlap four (W1's 40,000
    /// sigmoids over a batch, `cargo bench --bench steps -- W1-parts/sigmoid`: 19.8–22.3 µs that
    /// way, 18.7–20.1 interleaved).
    #[inline(always)]
    fn sigmoid4(self, x: [__m256; 4]) -> [__m256; 4] {
        use sigmoid_consts::*;
        #[inline(always)]
        fn each(x: [__m256; 4], f: impl Fn(__m256) -> __m256) -> [__m256; 4] {
            [f(x[0]), f(x[1]), f(x[2]), f(x[3])]
        }
        #[inline(always)]
        fn each2(
            a: [__m256; 4],
            b: [__m256; 4],
            f: impl Fn(__m256, __m256) -> __m256,
        ) -> [__m256; 4] {
            [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
        }
        unsafe {
            let z = each(x, |x| _mm256_andnot_ps(_mm256_set1_ps(-0.0), x));
            // `exp_neg`, step by step.
            let z = each(z, |z| _mm256_min_ps(_mm256_set1_ps(CUTOFF), z));
            let n = each(z, |z| {
                _mm256_fmadd_ps(z, _mm256_set1_ps(MINUS_LOG2E), _mm256_set1_ps(MAGIC_BIAS))
            });
            let sc = each(n, |n| {
                _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_castps_si256(n)))
            });
            let n = each(n, |n| _mm256_sub_ps(n, _mm256_set1_ps(MAGIC_BIAS)));
            let t = each2(n, z, |n, z| _mm256_fmadd_ps(n, _mm256_set1_ps(LN2_HI), z));
            let t = each2(n, t, |n, t| _mm256_fmadd_ps(n, _mm256_set1_ps(LN2_LO), t));
            let p = each(t, |t| {
                _mm256_fmadd_ps(t, _mm256_set1_ps(C5), _mm256_set1_ps(C4))
            });
            let p = each2(t, p, |t, p| _mm256_fmadd_ps(t, p, _mm256_set1_ps(C3)));
            let p = each2(t, p, |t, p| _mm256_fmadd_ps(t, p, _mm256_set1_ps(C2)));
            let p = each2(t, p, |t, p| _mm256_fmadd_ps(t, p, _mm256_set1_ps(C1)));
            let t = each2(t, sc, |t, sc| _mm256_mul_ps(t, sc));
            let e = [
                _mm256_fmadd_ps(t[0], p[0], sc[0]),
                _mm256_fmadd_ps(t[1], p[1], sc[1]),
                _mm256_fmadd_ps(t[2], p[2], sc[2]),
                _mm256_fmadd_ps(t[3], p[3], sc[3]),
            ];
            // As `sigmoid`: the numerator by the sign bit of x.
            let numerator = each2(e, x, |e, x| _mm256_blendv_ps(_mm256_set1_ps(1.0), e, x));
            let d = each(e, |e| _mm256_add_ps(e, _mm256_set1_ps(1.0)));
            each2(numerator, d, |a, b| _mm256_div_ps(a, b))
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
