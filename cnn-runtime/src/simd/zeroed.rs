//! Buffers allocated zeroed on the heap, for the types whose all-zero bit pattern is a value.

use super::Pack;

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
        // SAFETY: a zero-sized value needs no allocation: a dangling, aligned pointer is a
        // valid box of it, and its value (no bytes) is valid (`Zeroable`). Not
        // `Box::new(zeroed())`, whose slot, without optimisation, takes `size_of::<T>()` of
        // the stack for every `T`, however large, in the frame of this function.
        return unsafe { Box::from_raw(core::ptr::NonNull::<T>::dangling().as_ptr()) };
    }
    // SAFETY: nonzero size.
    let ptr = unsafe { alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        handle_alloc_error(layout);
    }
    // SAFETY: allocated with `T`'s layout by the global allocator, all zero bytes (`Zeroable`).
    unsafe { Box::from_raw(ptr) }
}
