//! From the checked IR to Rust. Only what depends on the shapes is generated; the rest is
//! called from `::cnn::__private` (dense layers, pooling, activations, the batch layout) and
//! `::cnn::Network` (batching, losses, training steps). The pieces, each emitted once:
//!
//! - [`api`]: the struct and its public constants and methods;
//! - [`params`]: the parameters' layout, names, initialisation and typed views;
//! - [`conv`]: each conv layer's kernels, for one example and for a batch (the other layer
//!   kinds have shape-generic kernels in the runtime);
//! - [`example`]: the passes for one example (forward into an arena, backward from it);
//! - [`batch`]: the training pass on a batch;
//! - [`summary`]: the summary table and the multiply-add counts.
//!
//! Items that need `std` (batches, training steps, files, `new(seed)`, printing) are wrapped in
//! `::cnn::__private::with_std! { ... }`, which drops them when `cnn` is built without its `std`
//! feature. A `#[cfg(feature = "std")]` here would test the user's crate's feature instead.
//! Those items name `std` through `::cnn::__private`, never `::std`, so that a `#![no_std]`
//! crate can define a network whether or not `cnn` has `std`.

mod api;
mod batch;
mod conv;
mod example;
mod int8;
mod params;
mod summary;
mod tile;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::{Activation, Kind, Layer, Network};
use crate::shape::Shape;

pub fn lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

/// With the `profile` feature, a lap of the clock that adds the time since the last one to
/// `label` (`cnn::__private::profile`); nothing without it.
pub fn lap(label: &str) -> TokenStream {
    if cfg!(feature = "profile") {
        quote!(::cnn::__private::profile::lap(#label);)
    } else {
        TokenStream::new()
    }
}

/// With the `profile` feature, the start of a pass's laps; nothing without it.
pub fn lap_start() -> TokenStream {
    if cfg!(feature = "profile") {
        quote!(::cnn::__private::profile::start();)
    } else {
        TokenStream::new()
    }
}

/// `[[[T; W]; H]; C]`.
pub fn image_ty(c: usize, h: usize, w: usize) -> TokenStream {
    let (c, h, w) = (lit(c), lit(h), lit(w));
    quote!([[[T; #w]; #h]; #c])
}

/// The type of a tensor between layers: an image, or a flat `[T; N]` after a dense layer.
pub fn shape_ty(s: Shape) -> TokenStream {
    match s {
        Shape::Image { c, h, w } => image_ty(c as usize, h as usize, w as usize),
        Shape::Flat(n) => flat_ty(n as usize),
    }
}

/// `[T; N]`.
pub fn flat_ty(n: usize) -> TokenStream {
    let n = lit(n);
    quote!([T; #n])
}

/// Whether the activation `next` is fused into the layer `prev` before it: a (leaky) relu after
/// a conv or dense layer is applied to each sum before it is stored, one instruction on values
/// already in registers. Sigmoid and tanh, long chains of instructions, are not applied in the
/// store (they would spill the tile's registers; on a batch, see [`fuses_on_batch`]), nor is
/// softmax (a loss may read its input).
pub fn fuses(prev: &Layer, next: &Layer) -> bool {
    matches!(prev.kind, Kind::Conv(_) | Kind::Dense { .. })
        && matches!(next.kind, Kind::Activation(a) if in_store(a))
}

/// [`fuses`], and on a batch also a sigmoid or tanh after a conv: the conv applies it to each
/// output row once its tiles have stored the row, while the row is in L1, rather than in a
/// pass of its own over the whole part. On one example they run on their own.
pub fn fuses_on_batch(prev: &Layer, next: &Layer) -> bool {
    fuses(prev, next)
        || (matches!(prev.kind, Kind::Conv(_))
            && matches!(
                next.kind,
                Kind::Activation(Activation::Sigmoid | Activation::Tanh)
            ))
}

/// Whether a fused activation is applied in the tile's store ((leaky) relu), not to whole
/// rows after it.
pub fn in_store(a: Activation) -> bool {
    matches!(a, Activation::Relu | Activation::LeakyRelu(_))
}

/// `::cnn::__private::act::Relu` and its kin; `Identity` for no activation.
pub fn act_value(a: Option<Activation>) -> TokenStream {
    match a {
        None => quote!(::cnn::__private::act::Identity),
        Some(Activation::Relu) => quote!(::cnn::__private::act::Relu),
        Some(Activation::Sigmoid) => quote!(::cnn::__private::act::Sigmoid),
        Some(Activation::Tanh) => quote!(::cnn::__private::act::Tanh),
        Some(Activation::LeakyRelu(s)) => {
            quote!(::cnn::__private::act::LeakyRelu(T::from_f64(#s)))
        }
        Some(Activation::Softmax) => unreachable!("softmax is never fused"),
    }
}

/// `C, H, W, OH, OW, KH, KW, SH, SW`: the sizes among the const parameters of the runtime's
/// pooling.
pub fn pool_sizes(layer: &Layer, p: &crate::ir::Pool) -> TokenStream {
    let (Shape::Image { c, h, w }, Shape::Image { h: oh, w: ow, .. }) = (layer.input, layer.output)
    else {
        unreachable!("check gives pooling an image input and output")
    };
    let v = [
        c as usize,
        h as usize,
        w as usize,
        oh as usize,
        ow as usize,
        p.kh,
        p.kw,
        p.sh,
        p.sw,
    ]
    .map(lit);
    quote!(#(#v),*)
}

/// `T, C, H, W, OH, OW, KH, KW, SH, SW`: the const parameters of the runtime's pooling for one
/// example.
pub fn pool_consts(layer: &Layer, p: &crate::ir::Pool) -> TokenStream {
    let sizes = pool_sizes(layer, p);
    quote!(T, #sizes)
}

/// The generated kernels of every conv layer, for the inherent `impl`: forward (with the
/// activation fused into it), and the backward passes, for one example and for a batch. Other
/// layer kinds are shape-generic functions of the runtime.
fn kernels(net: &Network) -> TokenStream {
    let mut example = TokenStream::new();
    for (i, layer) in net.layers.iter().enumerate() {
        if let Kind::Conv(c) = &layer.kind {
            let fused = net
                .layers
                .get(i + 1)
                .filter(|n| fuses(layer, n))
                .map(|n| match n.kind {
                    Kind::Activation(a) => act_value(Some(a)),
                    _ => unreachable!("only activations fuse"),
                });
            example.extend(conv::Dims::of(layer, c).shape_fn(layer));
            example.extend(conv::example::forward(layer, c, &fused));
            example.extend(conv::example::backward(layer, c));
            example.extend(conv::example::backward_input(layer, c));
        }
    }
    let batch = batch::kernels(net);
    quote! {
        #example
        ::cnn::__private::with_std! {
            #batch
        }
    }
}

/// Everything for one network.
pub fn network(net: &Network) -> TokenStream {
    let name = &net.name;
    let [c, h, w] = net.input;
    let (input_ty, output_ty, params_ty) = (
        flat_ty(net.input_len()),
        flat_ty(net.output_shape().len().unwrap_or(0) as usize),
        flat_ty(net.param_len),
    );
    let shape = {
        let (c, h, w) = (lit(c), lit(h), lit(w));
        quote!([#c, #h, #w])
    };
    let table = summary::table(net);
    let accessors = net.layers.iter().map(params::accessors);
    let kernels = kernels(net);
    let api = api::items(net, &table, quote!(#(#accessors)* #kernels));
    let tensors = params::tensor_table(net);
    let (buffers, counters) = params::buffer_table(net);
    let buffer_len = lit(net.buffer_len);
    let example = example::items(net);
    let int8 = int8::items(net);
    let (work, batch) = batch::items(net);
    let forward_macs = lit(net.layers.iter().map(summary::forward_macs).sum::<u64>() as usize);
    let train_macs = lit(summary::train_macs(net) as usize);
    let train_values = lit(batch::values_per_example(net));
    let param_len = lit(net.param_len);
    quote! {
        #api

        const _: () = {
            ::cnn::__private::with_std! {
                #work
            }

            impl<T: ::cnn::Float> ::cnn::Network for #name<T> {
                type Scalar = T;
                type Input = #input_ty;
                type Output = #output_ty;
                type Params = #params_ty;

                const INPUT_SHAPE: [usize; 3] = #shape;
                const TENSORS: &'static [::cnn::TensorInfo] = &[#(#tensors),*];
                const BUFFERS: &'static [::cnn::TensorInfo] = &[#(#buffers),*];
                const COUNTERS: &'static [&'static str] = &[#(#counters),*];
                const SUMMARY: &'static str = #table;
                const FORWARD_MACS: usize = #forward_macs;
                const TRAIN_MACS: usize = #train_macs;
                const TRAIN_VALUES_PER_EXAMPLE: usize = #train_values;

                fn zeroed() -> Self {
                    let mut buffers = ::cnn::__private::params_zeroed::<T, #buffer_len>();
                    ::cnn::__private::init_buffers(
                        <Self as ::cnn::Network>::BUFFERS,
                        ::cnn::__private::params_of_mut(&mut buffers),
                    );
                    #name {
                        params: ::cnn::__private::params_zeroed::<T, #param_len>(),
                        buffers,
                        steps: 0,
                    }
                }

                fn buffers(&self) -> &[T] {
                    ::cnn::__private::params_of(&self.buffers)
                }

                fn buffers_mut(&mut self) -> &mut [T] {
                    ::cnn::__private::params_of_mut(&mut self.buffers)
                }

                fn steps(&self) -> u64 {
                    self.steps
                }

                fn set_steps(&mut self, steps: u64) {
                    self.steps = steps;
                }

                fn param_tensor(&self) -> &#params_ty {
                    ::cnn::__private::params_of(&self.params)
                }

                fn param_tensor_mut(&mut self) -> &mut #params_ty {
                    ::cnn::__private::params_of_mut(&mut self.params)
                }

                #example
                #int8

                ::cnn::__private::with_std! {
                    #batch
                }
            }
        };
    }
}
