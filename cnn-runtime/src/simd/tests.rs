//! The lanes of both instruction sets against each other and the formulas, the vector
//! sigmoid's accuracy over all of `f32`, and the zeroed buffers.

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

/// `sigmoid4` gives the bits of `sigmoid` on each vector: every 997th `f32` of the whole range,
/// and the edge cases.
fn sigmoid4_is_sigmoid<S: Lanes<f32>>(s: S) {
    let mut xs = vec![
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        88.0,
        -88.0,
    ];
    let mut bits = 0u32;
    while let Some(b) = bits.checked_add(997) {
        xs.push(f32::from_bits(b));
        bits = b;
    }
    xs.resize(xs.len().div_ceil(32) * 32, 1.0);
    for four in xs.chunks_exact(32) {
        let v: [S::V; 4] =
            core::array::from_fn(|k| s.loadu(four[8 * k..8 * k + 8].try_into().unwrap()));
        let y4 = s.sigmoid4(v);
        for k in 0..4 {
            let (a, b) = (s.to_array(y4[k]), s.to_array(s.sigmoid(v[k])));
            assert_eq!(
                a.map(f32::to_bits),
                b.map(f32::to_bits),
                "{:?}",
                &four[8 * k..8 * k + 8]
            );
        }
    }
}

#[test]
fn four_sigmoids_at_once_are_four_sigmoids() {
    sigmoid4_is_sigmoid(Portable);
    #[cfg(target_arch = "x86_64")]
    if let Some(s) = Avx2::detect() {
        sigmoid4_is_sigmoid(s);
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
