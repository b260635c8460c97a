//! What a user of the network sees: the struct, its `Clone` and `Debug`, and its inherent
//! constants and methods, each a thin, documented door into `cnn::Network` (so that most code
//! needs no trait import). The docs name the user's struct.

use proc_macro2::TokenStream;
use quote::quote;

use crate::codegen::{flat_ty, lit};
use crate::ir::Network;

/// Whether `#[derive(...)]` among the attributes names `trait_name` (as `Clone` or a path
/// ending in it).
fn derives(attrs: &[syn::Attribute], trait_name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                found |= meta
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == trait_name);
                Ok(())
            });
            found
        })
}

/// The struct, its `Clone` and `Debug` unless derived, and its inherent items.
pub fn items(net: &Network, summary: &str, kernels: TokenStream) -> TokenStream {
    let Network {
        attrs, vis, name, ..
    } = net;
    let name_str = name.to_string();
    let [c, h, w] = net.input;
    let (input_len, output_len, param_len) = (
        net.input_len(),
        net.output_shape().len().unwrap_or(0) as usize,
        net.param_len,
    );
    let (input_ty, output_ty) = (flat_ty(input_len), flat_ty(output_len));
    let shape = {
        let (c, h, w) = (lit(c), lit(h), lit(w));
        quote!([#c, #h, #w])
    };
    let (input_len_l, output_len_l, param_len_l) =
        (lit(input_len), lit(output_len), lit(param_len));
    let buffer_len_l = lit(net.buffer_len);
    // `Clone` (which `Network` needs) and a short `Debug`, unless the user derives them. The
    // clone is built on the heap: a large network's parameters would not fit on a stack.
    let clone = (!derives(attrs, "Clone")).then(|| {
        quote! {
            impl<T: ::cnn::Float> ::core::clone::Clone for #name<T> {
                fn clone(&self) -> Self {
                    #name {
                        params: ::cnn::__private::params_clone(&self.params),
                        buffers: ::cnn::__private::params_clone(&self.buffers),
                        steps: self.steps,
                    }
                }
            }
        }
    });
    let debug = (!derives(attrs, "Debug")).then(|| {
        quote! {
            impl<T: ::cnn::Float> ::core::fmt::Debug for #name<T> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(#name_str)
                        .field("scalar", &T::NAME)
                        .field("param_len", &#param_len_l)
                        .finish_non_exhaustive()
                }
            }
        }
    });
    let sizes_doc = format!(
        " Sizes and constructors of the `f32` network; `{name}::<f64>`, its double-precision twin, has the same through the `cnn::Network` trait."
    );
    let struct_doc = format!(
        " `{name}` computes in `f32`; `{name}<f64>` is the same network in `f64` (for gradient checks). The parameters live {}.",
        "on the heap with `cnn`'s `std` feature, inline without it"
    );
    quote! {
        #(#attrs)*
        ///
        #[doc = #struct_doc]
        #vis struct #name<T = f32> {
            params: ::cnn::__private::ParamStore<T, #param_len_l>,
            buffers: ::cnn::__private::ParamStore<T, #buffer_len_l>,
            steps: u64,
        }

        #clone
        #debug

        #[doc = #sizes_doc]
        impl #name<f32> {
            /// `[C, H, W]` of one example.
            pub const INPUT_SHAPE: [usize; 3] = #shape;
            /// `C * H * W`.
            pub const INPUT_LEN: usize = #input_len_l;
            /// The length of one example's output.
            pub const OUTPUT_LEN: usize = #output_len_l;
            /// The number of trainable scalars.
            pub const PARAM_LEN: usize = #param_len_l;
            /// A table of the layers, their output shapes, parameters and FLOPs, built at
            /// compile time.
            pub const SUMMARY: &'static str = #summary;

            ::cnn::__private::with_std! {
                /// A network initialised from a seeded generator: the same seed gives the same weights.
                pub fn new(seed: u64) -> Self {
                    <Self as ::cnn::Network>::new(seed)
                }
            }

            /// A network whose parameters are all zero.
            pub fn zeroed() -> Self {
                <Self as ::cnn::Network>::zeroed()
            }

            ::cnn::__private::without_std! {
                /// The network in a flash image (`cnn::flash::image`), decoded at compile time in
                /// a `static` or `const`, so that it lives in read-only memory.
                ///
                /// # Panics
                /// When the image is of another network or kind: in a `const`, a compile error.
                pub const fn from_flash(image: &[u8]) -> Self {
                    let mut r = ::cnn::flash::Reader::new(image, ::cnn::flash::Kind::F32, Self::SUMMARY);
                    let net = #name { params: r.f32s(), buffers: r.f32s(), steps: 0 };
                    r.finish();
                    net
                }
            }

            /// The int8 network in a flash image (`cnn::flash::int8_image`), decoded at compile
            /// time in a `static` or `const`.
            ///
            /// # Panics
            /// When the image is of another network or kind: in a `const`, a compile error.
            pub const fn int8_from_flash(image: &[u8]) -> ::cnn::quant::Int8<Self> {
                let mut r = ::cnn::flash::Reader::new(image, ::cnn::flash::Kind::Int8, Self::SUMMARY);
                let q = ::cnn::quant::Int8::from_parts(r.i8s(), r.i32s(), r.multipliers(), r.f32s());
                r.finish();
                q
            }

            ::cnn::__private::with_std! {
                /// Reads a network written by `save` (or by PyTorch, with the same tensor names).
                ///
                /// # Errors
                /// `cnn::Error` naming what is wrong with the file: I/O, format, a missing, extra,
                /// mis-shaped or mis-typed tensor.
                pub fn load(path: impl ::core::convert::AsRef<::cnn::__private::Path>) -> ::core::result::Result<Self, ::cnn::Error> {
                    <Self as ::cnn::Network>::load(path)
                }
            }
        }

        impl<T: ::cnn::Float> #name<T> {
            /// The output for one example. Allocates nothing and needs no `std`; a NaN in the
            /// input propagates to the output (the batch functions refuse it instead).
            pub fn forward(&self, x: &#input_ty) -> #output_ty {
                <Self as ::cnn::Network>::forward(self, x)
            }

            ::cnn::__private::with_std! {
                /// Prints [`Self::SUMMARY`](#associatedconstant.SUMMARY).
                pub fn summary(&self) {
                    ::cnn::__private::print!("{}", <Self as ::cnn::Network>::SUMMARY);
                }

                /// Writes the parameters as safetensors, atomically: tensors `<label>.weight` and
                /// `<label>.bias` in PyTorch's shapes, so a `torch.nn` module with the same names
                /// loads them.
                ///
                /// # Errors
                /// `cnn::Error::Io` when the file cannot be written; a previous file is left intact.
                pub fn save(&self, path: impl ::core::convert::AsRef<::cnn::__private::Path>) -> ::core::result::Result<(), ::cnn::Error> {
                    <Self as ::cnn::Network>::save(self, path)
                }
            }

            /// All parameters, flat, in layer order, weight then bias, in PyTorch's layouts.
            pub fn params(&self) -> &[T] {
                &self.params[..]
            }

            /// All parameters, flat and mutable.
            pub fn params_mut(&mut self) -> &mut [T] {
                &mut self.params[..]
            }

            ::cnn::__private::with_std! {
                /// The outputs for a batch `[N, C, H, W]` (any strides), as `[N, OUTPUT_LEN]`.
                ///
                /// # Errors
                /// `cnn::Error::Shape` when `x` is not `[N, C, H, W]` with this network's
                /// `C, H, W`; `cnn::Error::NonFinite` for a NaN or infinite input.
                pub fn forward_batch(
                    &self,
                    x: ::cnn::ndarray::ArrayView4<'_, T>,
                ) -> ::core::result::Result<::cnn::ndarray::Array2<T>, ::cnn::Error> {
                    <Self as ::cnn::Network>::forward_batch(self, x)
                }

                /// The mean loss over the batch and its gradient for every parameter, in the order and
                /// layout of `params()`.
                ///
                /// # Errors
                /// See `cnn::Network::loss_and_grad`: wrong shapes, an empty batch, non-finite data.
                pub fn loss_and_grad<L: ::cnn::loss::Loss>(
                    &self,
                    x: ::cnn::ndarray::ArrayView4<'_, T>,
                    targets: ::cnn::ndarray::ArrayView2<'_, T>,
                    loss: &L,
                ) -> ::core::result::Result<(T, ::cnn::__private::Vec<T>), ::cnn::Error> {
                    <Self as ::cnn::Network>::loss_and_grad(self, x, targets, loss)
                }

                /// One optimizer step on a batch; returns the mean loss before the step.
                ///
                /// # Errors
                /// See `cnn::Network::train_step`; the parameters are unchanged after an error.
                pub fn train_step<L: ::cnn::loss::Loss, O: ::cnn::optim::Optimizer>(
                    &mut self,
                    x: ::cnn::ndarray::ArrayView4<'_, T>,
                    targets: ::cnn::ndarray::ArrayView2<'_, T>,
                    loss: &L,
                    optimizer: &mut O,
                ) -> ::core::result::Result<T, ::cnn::Error> {
                    <Self as ::cnn::Network>::train_step(self, x, targets, loss, optimizer)
                }
            }

            /// The gradient of one example's loss with respect to its input (a saliency map), and
            /// the loss.
            pub fn input_gradient<L: ::cnn::loss::Loss>(
                &self,
                x: &#input_ty,
                target: &#output_ty,
                loss: &L,
            ) -> (#input_ty, T) {
                let mut dx = [T::ZERO; #input_len_l];
                let l = <Self as ::cnn::Network>::input_gradient(self, x, target, loss, &mut dx);
                (dx, l)
            }

            #kernels
        }
    }
}
