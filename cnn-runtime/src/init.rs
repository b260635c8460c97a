//! Seeded initialisation of a network's parameters: the scheme of each tensor ([`Init`], chosen
//! by the macro from the activation after the layer) and the seeded generator that fills them.
//!
//! ```
//! use cnn::prelude::*;
//! use cnn::{Init, Network};
//!
//! network! {
//!     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(1) -> sigmoid }
//! }
//!
//! let tensors = <Tiny as Network>::TENSORS;
//! assert_eq!(tensors[0].init, Init::HeNormal { negative_slope: 0.0 }); // before relu
//! assert_eq!(tensors[1].init, Init::Zeros); // conv1.bias
//! assert_eq!(tensors[2].init, Init::XavierUniform); // before sigmoid
//! assert_eq!(Tiny::new(7).params(), Tiny::new(7).params());
//! ```

#[cfg(feature = "std")]
use rand::SeedableRng;
#[cfg(feature = "std")]
use rand_chacha::ChaCha8Rng;
#[cfg(feature = "std")]
use rand_distr::{Distribution, Normal, Uniform};

#[cfg(feature = "std")]
use crate::{Float, TensorInfo};

/// How a parameter tensor is initialised. The macro picks it by the activation that follows
/// the layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// All zeros (biases).
    Zeros,
    /// All ones (a batch norm's scale, and its running variance).
    Ones,
    /// Glorot and Bengio's uniform: `U(-a, a)`, `a = sqrt(6 / (fan_in + fan_out))`. For layers
    /// followed by sigmoid, tanh, softmax or nothing.
    XavierUniform,
    /// He et al.'s normal: `N(0, 2 / ((1 + slope^2) fan_in))`. For layers followed by relu
    /// (slope 0) or leaky relu.
    HeNormal {
        /// The negative slope of the leaky relu that follows, 0 for relu.
        negative_slope: f64,
    },
}

/// Fills `params` tensor by tensor, from a ChaCha8 generator seeded with `seed`: the same seed
/// gives the same weights, on every platform, in `f32` and `f64` alike (values are drawn in
/// `f64`, then rounded).
///
/// # Panics
/// If a tensor does not lie within `params` (`offset + len` beyond its length), or a
/// [`Init::HeNormal`] slope is NaN. Neither happens for the tensors `network!` generates.
/// # Examples
/// ```
/// use cnn::init::init_params;
/// use cnn::prelude::*;
///
/// network! {
///     struct Tiny { input(4x4) -> conv(2, 3x3) -> relu -> dense(1) }
/// }
///
/// let mut params = [0.0f32; Tiny::PARAM_LEN];
/// init_params(<Tiny as Network>::TENSORS, &mut params, 7);
/// assert_eq!(&params[..], Tiny::new(7).params()); // what `new(seed)` does
/// ```
#[cfg(feature = "std")]
pub fn init_params<T: Float>(tensors: &[TensorInfo], params: &mut [T], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for t in tensors {
        let values = &mut params[t.offset..t.offset + t.len];
        let fan_in = t.fan_in.max(1) as f64;
        let fan_out = t.fan_out.max(1) as f64;
        match t.init {
            Init::Zeros => values.fill(T::ZERO),
            Init::Ones => values.fill(T::ONE),
            Init::XavierUniform => {
                let a = (6.0 / (fan_in + fan_out)).sqrt();
                let dist = Uniform::new_inclusive(-a, a).expect("a finite, ordered range");
                values
                    .iter_mut()
                    .for_each(|v| *v = T::from_f64(dist.sample(&mut rng)));
            }
            Init::HeNormal { negative_slope } => {
                let std = (2.0 / ((1.0 + negative_slope * negative_slope) * fan_in)).sqrt();
                let dist = Normal::new(0.0, std).expect("a finite, positive deviation");
                values
                    .iter_mut()
                    .for_each(|v| *v = T::from_f64(dist.sample(&mut rng)));
            }
        }
    }
}

/// Sets buffers to their initial values (`Zeros` or `Ones`; no buffer draws from a
/// generator): a network's running statistics before any training. Needs no `std`.
///
/// # Panics
/// If a buffer does not lie within `buffers`; never for the buffers `network!` generates.
pub fn init_buffers<T: crate::Float>(tensors: &[crate::TensorInfo], buffers: &mut [T]) {
    for t in tensors {
        let value = if t.init == Init::Ones {
            T::ONE
        } else {
            T::ZERO
        };
        buffers[t.offset..t.offset + t.len].fill(value);
    }
}
