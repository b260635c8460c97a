//! Fixed-size tensors as nested arrays, and the zero-cost views between their shapes.
//!
//! The generated code keeps every activation as a nested array such as `[[[T; 20]; 20]; 3]`
//! (channel, row, column), so that every size is a constant and indexing needs no bounds checks
//! in the hot loops. Parameters and gradients are one flat array per network; the functions here
//! view a part of it as a layer's weight, and an image as the flat vector a dense layer reads.

use crate::Float;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl<A: Sealed, const N: usize> Sealed for [A; N] {}
}

/// A scalar, or an array of tensors: a block of `LEN` contiguous scalars with no padding.
///
/// Sealed: implemented for `f32`, `f64` and (nested) arrays of them only, which is what makes
/// the views below sound.
pub trait Tensor: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The scalar type.
    type Scalar: Float;
    /// The number of scalars.
    const LEN: usize;

    /// A tensor of zeros, by value.
    fn zeroed() -> Self;

    /// All scalars, in row-major order.
    #[inline(always)]
    fn as_flat(&self) -> &[Self::Scalar] {
        // SAFETY: `Self` is a scalar or a nested array of them (sealed), so it is `LEN`
        // contiguous scalars with the scalar's alignment.
        unsafe { core::slice::from_raw_parts((self as *const Self).cast(), Self::LEN) }
    }

    /// All scalars, in row-major order, mutably.
    #[inline(always)]
    fn as_flat_mut(&mut self) -> &mut [Self::Scalar] {
        // SAFETY: as in `as_flat`; the borrow is exclusive.
        unsafe { core::slice::from_raw_parts_mut((self as *mut Self).cast(), Self::LEN) }
    }

    /// Views a slice of exactly `LEN` scalars as this tensor, or `None` for another length.
    #[inline]
    fn from_flat(s: &[Self::Scalar]) -> Option<&Self> {
        // SAFETY: the length matches and the alignment of `Self` is the scalar's.
        (s.len() == Self::LEN).then(|| unsafe { &*s.as_ptr().cast::<Self>() })
    }

    /// Views a mutable slice of exactly `LEN` scalars as this tensor, or `None` for another
    /// length.
    #[inline]
    fn from_flat_mut(s: &mut [Self::Scalar]) -> Option<&mut Self> {
        // SAFETY: as in `from_flat`; the borrow is exclusive.
        (s.len() == Self::LEN).then(|| unsafe { &mut *s.as_mut_ptr().cast::<Self>() })
    }

    /// A heap-allocated tensor of zeros, built without passing through the stack (a large
    /// network's parameters would not fit on a test thread's stack).
    #[cfg(feature = "std")]
    fn zeroed_box() -> Box<Self> {
        let v: Box<[Self::Scalar]> = vec![Self::Scalar::ZERO; Self::LEN].into_boxed_slice();
        // SAFETY: `LEN` scalars have the size of `Self` and its alignment; the allocation was
        // made for `[Scalar]` of that length, which has the same layout as `Self`.
        unsafe { Box::from_raw(Box::into_raw(v).cast::<Self>()) }
    }
}

impl Tensor for f32 {
    type Scalar = f32;
    const LEN: usize = 1;
    #[inline(always)]
    fn zeroed() -> Self {
        0.0
    }
}

impl Tensor for f64 {
    type Scalar = f64;
    const LEN: usize = 1;
    #[inline(always)]
    fn zeroed() -> Self {
        0.0
    }
}

impl<A: Tensor, const N: usize> Tensor for [A; N] {
    type Scalar = A::Scalar;
    const LEN: usize = A::LEN * N;
    #[inline(always)]
    fn zeroed() -> Self {
        [A::zeroed(); N]
    }
}

/// Views a tensor as another of the same scalars and the same length: an image as the flat
/// vector a dense layer reads, or a flat input as an image.
///
/// The lengths are checked at compile time.
#[inline(always)]
pub fn reshape<A: Tensor, B: Tensor<Scalar = A::Scalar>>(a: &A) -> &B {
    const {
        assert!(
            A::LEN == B::LEN,
            "reshape between tensors of different lengths"
        )
    };
    // SAFETY: same scalar, same length, both padding-free (sealed `Tensor`).
    unsafe { &*(a as *const A).cast::<B>() }
}

/// [`reshape`], mutably.
#[inline(always)]
pub fn reshape_mut<A: Tensor, B: Tensor<Scalar = A::Scalar>>(a: &mut A) -> &mut B {
    const {
        assert!(
            A::LEN == B::LEN,
            "reshape between tensors of different lengths"
        )
    };
    // SAFETY: as in `reshape`; the borrow is exclusive.
    unsafe { &mut *(a as *mut A).cast::<B>() }
}

/// Views the part of `whole` that starts at scalar `OFF` as a tensor `B`: a layer's weight or
/// bias within a network's flat parameters. The bounds are checked at compile time.
#[inline(always)]
pub fn part<A: Tensor, B: Tensor<Scalar = A::Scalar>, const OFF: usize>(whole: &A) -> &B {
    const { assert!(OFF + B::LEN <= A::LEN, "part out of bounds") };
    // SAFETY: `OFF + B::LEN <= A::LEN` scalars, all of one type, no padding.
    unsafe { &*(whole as *const A).cast::<A::Scalar>().add(OFF).cast::<B>() }
}

/// [`part`], mutably: the output of a layer within one example's arena.
#[inline(always)]
pub fn part_mut<A: Tensor, B: Tensor<Scalar = A::Scalar>, const OFF: usize>(
    whole: &mut A,
) -> &mut B {
    const { assert!(OFF + B::LEN <= A::LEN, "part out of bounds") };
    // SAFETY: as in `part`; the borrow is exclusive.
    unsafe { &mut *(whole as *mut A).cast::<A::Scalar>().add(OFF).cast::<B>() }
}

/// A part `B` of `whole` at `IN` to read and a disjoint part `C` at `OUT` to write: a layer's
/// input and output within one example's arena. Checked at compile time.
#[inline(always)]
pub fn split_mut<
    A: Tensor,
    B: Tensor<Scalar = A::Scalar>,
    C: Tensor<Scalar = A::Scalar>,
    const IN: usize,
    const OUT: usize,
>(
    whole: &mut A,
) -> (&B, &mut C) {
    const {
        assert!(
            IN + B::LEN <= A::LEN && OUT + C::LEN <= A::LEN,
            "parts out of bounds"
        );
        assert!(IN + B::LEN <= OUT || OUT + C::LEN <= IN, "parts overlap");
    };
    let base = (whole as *mut A).cast::<A::Scalar>();
    // SAFETY: two disjoint in-bounds ranges of the exclusively borrowed `whole`.
    unsafe { (&*base.add(IN).cast::<B>(), &mut *base.add(OUT).cast::<C>()) }
}

/// Two disjoint parts of `whole` to write, at `P` and `Q`: a layer's output and its scratch
/// within one example's arena.
#[inline(always)]
pub fn two_mut<
    A: Tensor,
    B: Tensor<Scalar = A::Scalar>,
    C: Tensor<Scalar = A::Scalar>,
    const P: usize,
    const Q: usize,
>(
    whole: &mut A,
) -> (&mut B, &mut C) {
    const {
        assert!(
            P + B::LEN <= A::LEN && Q + C::LEN <= A::LEN,
            "parts out of bounds"
        );
        assert!(P + B::LEN <= Q || Q + C::LEN <= P, "parts overlap");
    };
    let base = (whole as *mut A).cast::<A::Scalar>();
    // SAFETY: two disjoint in-bounds ranges of the exclusively borrowed `whole`.
    unsafe { (&mut *base.add(P).cast::<B>(), &mut *base.add(Q).cast::<C>()) }
}

/// A part of `whole` to read at `IN` and two parts to write at `P` and `Q`, all disjoint: a
/// layer's input, output and scratch within one example's arena.
#[inline(always)]
pub fn split3_mut<
    A: Tensor,
    B: Tensor<Scalar = A::Scalar>,
    C: Tensor<Scalar = A::Scalar>,
    D: Tensor<Scalar = A::Scalar>,
    const IN: usize,
    const P: usize,
    const Q: usize,
>(
    whole: &mut A,
) -> (&B, &mut C, &mut D) {
    const {
        assert!(
            IN + B::LEN <= A::LEN && P + C::LEN <= A::LEN && Q + D::LEN <= A::LEN,
            "parts out of bounds"
        );
        assert!(IN + B::LEN <= P || P + C::LEN <= IN, "parts overlap");
        assert!(IN + B::LEN <= Q || Q + D::LEN <= IN, "parts overlap");
        assert!(P + C::LEN <= Q || Q + D::LEN <= P, "parts overlap");
    };
    let base = (whole as *mut A).cast::<A::Scalar>();
    // SAFETY: three disjoint in-bounds ranges of the exclusively borrowed `whole`.
    unsafe {
        (
            &*base.add(IN).cast::<B>(),
            &mut *base.add(P).cast::<C>(),
            &mut *base.add(Q).cast::<D>(),
        )
    }
}

/// Two parts of `whole` to read, at `IN0` and `IN1` (they may overlap each other), and a part
/// disjoint from both at `OUT` to write: the inputs and output of a residual block's join.
#[inline(always)]
pub fn split2_mut<
    A: Tensor,
    B: Tensor<Scalar = A::Scalar>,
    C: Tensor<Scalar = A::Scalar>,
    D: Tensor<Scalar = A::Scalar>,
    const IN0: usize,
    const IN1: usize,
    const OUT: usize,
>(
    whole: &mut A,
) -> (&B, &C, &mut D) {
    const {
        assert!(
            IN0 + B::LEN <= A::LEN && IN1 + C::LEN <= A::LEN && OUT + D::LEN <= A::LEN,
            "parts out of bounds"
        );
        assert!(IN0 + B::LEN <= OUT || OUT + D::LEN <= IN0, "parts overlap");
        assert!(IN1 + C::LEN <= OUT || OUT + D::LEN <= IN1, "parts overlap");
    };
    let base = (whole as *mut A).cast::<A::Scalar>();
    // SAFETY: in-bounds ranges of the exclusively borrowed `whole`; the one written is
    // disjoint from the two read, which are only read.
    unsafe {
        (
            &*base.add(IN0).cast::<B>(),
            &*base.add(IN1).cast::<C>(),
            &mut *base.add(OUT).cast::<D>(),
        )
    }
}

/// Where a network keeps its parameters: on the heap with `std` (a large network's would not
/// fit on a thread's stack, and they never pass through it), inline without it (nothing to
/// allocate on a microcontroller; a `static` network can live in flash).
#[cfg(feature = "std")]
pub type ParamStore<T, const N: usize> = Box<[T; N]>;

/// Where a network keeps its parameters: inline, without `std`.
#[cfg(not(feature = "std"))]
pub type ParamStore<T, const N: usize> = [T; N];

/// Zeroed parameters, allocated zeroed on the heap with `std`.
#[inline]
pub fn params_zeroed<T: Float, const N: usize>() -> ParamStore<T, N> {
    #[cfg(feature = "std")]
    {
        crate::simd::zeroed_box()
    }
    #[cfg(not(feature = "std"))]
    {
        [T::ZERO; N]
    }
}

/// The parameters as an array, wherever they are kept.
#[inline(always)]
pub fn params_of<T: Float, const N: usize>(p: &ParamStore<T, N>) -> &[T; N] {
    #[cfg(feature = "std")]
    {
        p
    }
    #[cfg(not(feature = "std"))]
    {
        p
    }
}

/// [`params_of`], mutably.
#[inline(always)]
pub fn params_of_mut<T: Float, const N: usize>(p: &mut ParamStore<T, N>) -> &mut [T; N] {
    #[cfg(feature = "std")]
    {
        p
    }
    #[cfg(not(feature = "std"))]
    {
        p
    }
}

/// A copy of parameters, made on the heap with `std`.
#[inline]
pub fn params_clone<T: Float, const N: usize>(p: &ParamStore<T, N>) -> ParamStore<T, N> {
    #[cfg(feature = "std")]
    {
        let mut copy: Box<[T; N]> = crate::simd::zeroed_box();
        copy.copy_from_slice(&p[..]);
        copy
    }
    #[cfg(not(feature = "std"))]
    {
        *p
    }
}

/// The two adjacent parts of `whole` starting at scalar `OFF`, mutably: a layer's weight and
/// bias gradients, written at once by its backward function. Checked at compile time.
#[inline(always)]
pub fn parts_mut<
    A: Tensor,
    B: Tensor<Scalar = A::Scalar>,
    C: Tensor<Scalar = A::Scalar>,
    const OFF: usize,
>(
    whole: &mut A,
) -> (&mut B, &mut C) {
    const { assert!(OFF + B::LEN + C::LEN <= A::LEN, "parts out of bounds") };
    let base = (whole as *mut A).cast::<A::Scalar>();
    // SAFETY: two disjoint in-bounds ranges of the exclusively borrowed `whole`.
    unsafe {
        (
            &mut *base.add(OFF).cast::<B>(),
            &mut *base.add(OFF + B::LEN).cast::<C>(),
        )
    }
}
