//! From the checked IR to Rust: one struct per network, its layer functions, and the passes
//! that chain them. Only what depends on the shapes is generated; the rest is called from
//! `::cnn::__private` (activations, dense layers, padding) and `::cnn::Network` (batching,
//! training steps).
//!
//! Items that need `std` (batches, training steps, files, `new(seed)`, printing) are wrapped in
//! `::cnn::__private::with_std! { ... }`, which drops them when `cnn` is built without its `std`
//! feature. A `#[cfg(feature = "std")]` here would test the user's crate's feature instead.
//! Those items name `std` through `::cnn::__private`, never `::std`, so that a `#![no_std]`
//! crate can define a network whether or not `cnn` has `std`.

mod batch;
mod conv;
mod conv_batch;
mod summary;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::ir::{Activation, Kind, Layer, Network};
use crate::shape::Shape;

pub fn lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

/// `[[[T; W]; H]; C]`.
pub fn image_ty(c: usize, h: usize, w: usize) -> TokenStream {
    let (c, h, w) = (lit(c), lit(h), lit(w));
    quote!([[[T; #w]; #h]; #c])
}

/// The type of a tensor between layers: an image, or a flat `[T; N]` after a dense layer.
fn shape_ty(s: Shape) -> TokenStream {
    match s {
        Shape::Image { c, h, w } => image_ty(c as usize, h as usize, w as usize),
        Shape::Flat(n) => {
            let n = lit(n as usize);
            quote!([T; #n])
        }
    }
}

fn flat_ty(n: usize) -> TokenStream {
    let n = lit(n);
    quote!([T; #n])
}

/// Everything for one network.
pub fn network(net: &Network) -> TokenStream {
    let Network {
        attrs, vis, name, ..
    } = net;
    let [c, h, w] = net.input;
    let (input_len, output_len, param_len) = (
        net.input_len(),
        net.output_shape().len().unwrap_or(0) as usize,
        net.param_len,
    );
    let (input_ty, output_ty, params_ty) =
        (flat_ty(input_len), flat_ty(output_len), flat_ty(param_len));
    let shape = {
        let (c, h, w) = (lit(c), lit(h), lit(w));
        quote!([#c, #h, #w])
    };
    let (input_len_l, output_len_l, param_len_l) =
        (lit(input_len), lit(output_len), lit(param_len));
    let kernels = net.layers.iter().map(layer_functions);
    let batch_kernels = batch::kernels(net);
    let (work, batch_items) = batch::items(net);
    let accessors = net.layers.iter().map(accessors);
    let tensors = tensor_table(net);
    let forward = forward_pass(net);
    let backprop = backward_pass(net, Mode::Params);
    let input_gradient = backward_pass(net, Mode::Input);
    let evaluate = evaluate_pass(net);
    let name_str = name.to_string();
    let table = summary::table(net);
    let forward_macs = lit(net.layers.iter().map(summary::forward_macs).sum::<u64>() as usize);
    let train_macs = lit(summary::train_macs(net) as usize);
    // `Clone` (which `Network` needs) and a short `Debug`, unless the user derives them.
    let clone = (!derives(attrs, "Clone")).then(|| {
        quote! {
            impl<T: ::cnn::Float> ::core::clone::Clone for #name<T> {
                fn clone(&self) -> Self {
                    #name { params: self.params }
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
    quote! {
        #(#attrs)*
        #vis struct #name<T = f32> {
            params: #params_ty,
        }

        #clone
        #debug

        /// Sizes and constructors of the `f32` network; `SeedNet::<f64>` has the same through
        /// the `cnn::Network` trait.
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
            pub const SUMMARY: &'static str = #table;

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
            /// The output for one example. Allocates nothing and needs no `std`.
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
                &self.params
            }

            /// All parameters, flat and mutable.
            pub fn params_mut(&mut self) -> &mut [T] {
                &mut self.params
            }

            ::cnn::__private::with_std! {
                /// The outputs for a batch `[N, C, H, W]` (any strides), as `[N, OUTPUT_LEN]`.
                ///
                /// # Errors
                /// `cnn::Error::Shape` when `x` is not `[N, C, H, W]` with this network's `C, H, W`.
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

            #(#accessors)*
            #(#kernels)*
            ::cnn::__private::with_std! {
                #batch_kernels
            }
        }

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
            const SUMMARY: &'static str = #table;
            const FORWARD_MACS: usize = #forward_macs;
            const TRAIN_MACS: usize = #train_macs;

            fn zeroed() -> Self {
                #name { params: [T::ZERO; #param_len_l] }
            }

            fn param_tensor(&self) -> &#params_ty {
                &self.params
            }

            fn param_tensor_mut(&mut self) -> &mut #params_ty {
                &mut self.params
            }

            #forward
            #evaluate
            #backprop
            #input_gradient

            ::cnn::__private::with_std! {
                #batch_items
            }
        }
        };
    }
}

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

/// `conv1_weight()` and `conv1_bias()`: views into the flat parameters.
fn accessors(layer: &Layer) -> TokenStream {
    let Some((w_len, _)) = layer.param_lens() else {
        return TokenStream::new();
    };
    let (w_ty, b_ty) = param_tys(layer);
    let (wn, bn) = (
        format_ident!("{}_weight", layer.name),
        format_ident!("{}_bias", layer.name),
    );
    let (w_off, b_off) = (lit(layer.param_offset), lit(layer.param_offset + w_len));
    let (w_doc, b_doc) = (
        format!(" `{}.weight`, within `params()`.", layer.name),
        format!(" `{}.bias`, within `params()`.", layer.name),
    );
    quote! {
        #[doc = #w_doc]
        #[inline(always)]
        fn #wn(&self) -> &#w_ty {
            ::cnn::__private::part::<_, _, #w_off>(&self.params)
        }

        #[doc = #b_doc]
        #[inline(always)]
        fn #bn(&self) -> &#b_ty {
            ::cnn::__private::part::<_, _, #b_off>(&self.params)
        }
    }
}

/// The weight and bias types of a layer with parameters, in PyTorch's layouts.
fn param_tys(layer: &Layer) -> (TokenStream, TokenStream) {
    match &layer.kind {
        Kind::Conv(c) => {
            let (kw, kh, ch, f) = (lit(c.kw), lit(c.kh), lit(c.channels), lit(c.filters));
            (quote!([[[[T; #kw]; #kh]; #ch]; #f]), quote!([T; #f]))
        }
        Kind::Dense { n, m } => {
            let (n, m) = (lit(*n), lit(*m));
            (quote!([[T; #n]; #m]), quote!([T; #m]))
        }
        Kind::Pool(_) | Kind::Activation(_) => (TokenStream::new(), TokenStream::new()),
    }
}

/// The generated functions of one layer: only convolutions have shape-specific code; dense
/// layers and activations are const-generic functions of the runtime.
fn layer_functions(layer: &Layer) -> TokenStream {
    match &layer.kind {
        Kind::Conv(c) => {
            let mut out = conv::forward(layer, c);
            out.extend(conv::backward(layer, c));
            out.extend(conv::backward_input(layer, c));
            out
        }
        Kind::Dense { .. } | Kind::Pool(_) | Kind::Activation(_) => TokenStream::new(),
    }
}

/// The `TensorInfo` of every parameter tensor: names, PyTorch shapes, offsets, and the
/// initialisation chosen by the activation that follows the layer.
fn tensor_table(net: &Network) -> Vec<TensorInfo> {
    let mut out = Vec::new();
    for (i, layer) in net.layers.iter().enumerate() {
        let Some((w_len, b_len)) = layer.param_lens() else {
            continue;
        };
        let (shape, fan_in, fan_out): (Vec<usize>, usize, usize) = match &layer.kind {
            Kind::Conv(c) => (
                vec![c.filters, c.channels, c.kh, c.kw],
                c.channels * c.kh * c.kw,
                c.filters * c.kh * c.kw,
            ),
            Kind::Dense { n, m } => (vec![*m, *n], *n, *m),
            Kind::Pool(_) | Kind::Activation(_) => continue,
        };
        // By the activation that follows, looking past pooling (conv -> maxpool -> relu).
        let next = net.layers[i + 1..]
            .iter()
            .find(|l| !matches!(l.kind, Kind::Pool(_)));
        let init = match next.map(|l| &l.kind) {
            Some(Kind::Activation(Activation::Relu)) => quote!(::cnn::Init::HeNormal {
                negative_slope: 0.0
            }),
            Some(Kind::Activation(Activation::LeakyRelu(a))) => {
                quote!(::cnn::Init::HeNormal { negative_slope: #a })
            }
            _ => quote!(::cnn::Init::XavierUniform),
        };
        let bias_shape = lit(shape[0]);
        let shape = shape.into_iter().map(lit);
        out.push(TensorInfo {
            name: format!("{}.weight", layer.name),
            shape: quote!(&[#(#shape),*]),
            offset: layer.param_offset,
            len: w_len,
            fan_in,
            fan_out,
            init,
        });
        out.push(TensorInfo {
            name: format!("{}.bias", layer.name),
            shape: quote!(&[#bias_shape]),
            offset: layer.param_offset + w_len,
            len: b_len,
            fan_in,
            fan_out,
            init: quote!(::cnn::Init::Zeros),
        });
    }
    out
}

struct TensorInfo {
    name: String,
    shape: TokenStream,
    offset: usize,
    len: usize,
    fan_in: usize,
    fan_out: usize,
    init: TokenStream,
}

impl quote::ToTokens for TensorInfo {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let TensorInfo {
            name,
            shape,
            offset,
            len,
            fan_in,
            fan_out,
            init,
        } = self;
        let (offset, len, fan_in, fan_out) = (lit(*offset), lit(*len), lit(*fan_in), lit(*fan_out));
        tokens.extend(quote! {
            ::cnn::TensorInfo {
                name: #name,
                shape: #shape,
                offset: #offset,
                len: #len,
                fan_in: #fan_in,
                fan_out: #fan_out,
                init: #init,
            }
        });
    }
}

/// `conv1_out`: the output of a layer in the passes.
fn out_of(layer: &Layer) -> Ident {
    format_ident!("{}_out", layer.name)
}

/// `conv1_grad`: dL/d(output of the layer).
fn grad_of(layer: &Layer) -> Ident {
    format_ident!("{}_grad", layer.name)
}

/// The input of layer `i`: the network's input `x` or the previous layer's output.
fn input_of(net: &Network, i: usize) -> Ident {
    i.checked_sub(1)
        .map_or(format_ident!("x"), |p| out_of(&net.layers[p]))
}

/// `let x = reshape(x); let mut conv1_out = ...; Self::conv1_forward(...); ...`: every layer
/// in order, each output kept in its own local for the backward pass.
fn forward_statements(net: &Network) -> TokenStream {
    let [c, h, w] = net.input;
    let x_ty = image_ty(c, h, w);
    let mut out = quote! {
        let x: &#x_ty = ::cnn::__private::reshape(x);
    };
    for (i, layer) in net.layers.iter().enumerate() {
        let (input, output) = (input_of(net, i), out_of(layer));
        let ty = shape_ty(layer.output);
        let input = if i == 0 {
            quote!(#input)
        } else {
            quote!(&#input)
        };
        let call = match &layer.kind {
            Kind::Conv(_) => {
                let (f, wt, b) = (
                    format_ident!("{}_forward", layer.name),
                    format_ident!("{}_weight", layer.name),
                    format_ident!("{}_bias", layer.name),
                );
                quote!(Self::#f(self.#wt(), self.#b(), #input, &mut #output);)
            }
            Kind::Dense { n, m } => {
                let (wt, b) = (
                    format_ident!("{}_weight", layer.name),
                    format_ident!("{}_bias", layer.name),
                );
                let (n, m) = (lit(*n), lit(*m));
                quote! {
                    ::cnn::__private::dense_forward::<T, #n, #m>(
                        self.#wt(),
                        self.#b(),
                        ::cnn::__private::reshape(#input),
                        &mut #output,
                    );
                }
            }
            Kind::Pool(p) => {
                let f = format_ident!("{}", if p.max { "maxpool" } else { "avgpool" });
                let consts = pool_consts(layer, p);
                quote!(::cnn::__private::#f::<#consts>(#input, &mut #output);)
            }
            Kind::Activation(a) => {
                let f = format_ident!("{}", a.name());
                match a {
                    Activation::LeakyRelu(s) => {
                        quote!(::cnn::__private::#f(T::from_f64(#s), #input, &mut #output);)
                    }
                    _ => quote!(::cnn::__private::#f(#input, &mut #output);),
                }
            }
        };
        out.extend(quote_spanned! {layer.span=>
            let mut #output: #ty = ::cnn::__private::Tensor::zeroed();
        });
        out.extend(call);
    }
    out
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

/// `T, C, H, W, OH, OW, KH, KW, SH, SW`: the const parameters of the runtime's pooling.
fn pool_consts(layer: &Layer, p: &crate::ir::Pool) -> TokenStream {
    let sizes = pool_sizes(layer, p);
    quote!(T, #sizes)
}

fn last_output(net: &Network) -> Ident {
    net.layers.last().map_or(format_ident!("x"), out_of)
}

fn forward_pass(net: &Network) -> TokenStream {
    let body = forward_statements(net);
    let last = last_output(net);
    let last = if net.layers.is_empty() {
        quote!(#last)
    } else {
        quote!(&#last)
    };
    quote! {
        fn forward(&self, x: &Self::Input) -> Self::Output {
            #body
            *::cnn::__private::reshape(#last)
        }
    }
}

/// The forward pass and the loss, without the backward pass: for validation.
fn evaluate_pass(net: &Network) -> TokenStream {
    let forward = forward_statements(net);
    let last = last_output(net);
    let last_index = net.layers.len() - 1;
    let output_ty = flat_ty(net.output_shape().len().unwrap_or(0) as usize);
    // The loss reads the logits where it fuses with a final softmax, as in `backprop`.
    let read = if matches!(
        net.layers[last_index].kind,
        Kind::Activation(Activation::Softmax)
    ) && last_index > 0
    {
        let logits = input_of(net, last_index);
        quote! {
            if <L as ::cnn::loss::Loss>::TAKES_LOGITS {
                ::cnn::__private::Tensor::as_flat(&#logits)
            } else {
                ::cnn::__private::Tensor::as_flat(&#last)
            }
        }
    } else {
        quote!(::cnn::__private::Tensor::as_flat(&#last))
    };
    quote! {
        fn evaluate<L: ::cnn::loss::Loss>(
            &self,
            x: &Self::Input,
            target: &Self::Output,
            loss: &L,
        ) -> (T, Self::Output) {
            #forward
            let mut scratch: #output_ty = ::cnn::__private::Tensor::zeroed();
            let l = loss.example(#read, target, T::ONE, &mut scratch);
            (l, *::cnn::__private::reshape(&#last))
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Accumulate `dL/dparams`; stop before the first layer's `dL/dX`, which nothing needs.
    Params,
    /// Only `dL/dX`, down to the input.
    Input,
}

/// The backward pass, last layer first: every layer turns `dL/d(its output)` into the gradient
/// of its parameters (`Mode::Params`) and `dL/d(its input)` while some layer before it needs it.
fn backward_pass(net: &Network, mode: Mode) -> TokenStream {
    let forward = forward_statements(net);
    let last = last_output(net);
    let last_grad = net.layers.last().map(grad_of);
    let output_ty = flat_ty(net.output_shape().len().unwrap_or(0) as usize);
    let Some(last_grad) = last_grad else {
        return TokenStream::new();
    };
    let first_param = net.layers.iter().position(|l| l.param_lens().is_some());
    let last_index = net.layers.len() - 1;
    let fused = matches!(
        net.layers[last_index].kind,
        Kind::Activation(Activation::Softmax)
    );
    let mut body = if fused && last_index > 0 {
        // A final softmax and a loss on logits (`SoftmaxCrossEntropy`) are fused: the loss
        // reads the softmax's input and gives dL/d(logits) = p - y, with no softmax Jacobian.
        // Other losses read the softmax's output and go through its backward pass. The
        // branch is on a constant, so only one side is compiled in.
        let softmax = &net.layers[last_index];
        let (logits, logits_grad) = (
            input_of(net, last_index),
            grad_of(&net.layers[last_index - 1]),
        );
        let logits_ty = shape_ty(softmax.input);
        quote! {
            #forward
            let mut #logits_grad: #logits_ty = ::cnn::__private::Tensor::zeroed();
            let l = if <L as ::cnn::loss::Loss>::TAKES_LOGITS {
                loss.example(
                    ::cnn::__private::Tensor::as_flat(&#logits),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut #logits_grad),
                )
            } else {
                let mut #last_grad: #output_ty = ::cnn::__private::Tensor::zeroed();
                let l = loss.example(
                    ::cnn::__private::Tensor::as_flat(&#last),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut #last_grad),
                );
                ::cnn::__private::softmax_backward(&#last, ::cnn::__private::reshape(&#last_grad), &mut #logits_grad);
                l
            };
            let #logits_grad = &#logits_grad;
        }
    } else {
        quote! {
            #forward
            let mut #last_grad: #output_ty = ::cnn::__private::Tensor::zeroed();
            let l = loss.example(
                ::cnn::__private::Tensor::as_flat(&#last),
                target,
                scale,
                ::cnn::__private::Tensor::as_flat_mut(&mut #last_grad),
            );
            let #last_grad = ::cnn::__private::reshape(&#last_grad);
        }
    };
    let backward_layers = if fused { last_index } else { last_index + 1 };
    for (i, layer) in net.layers[..backward_layers].iter().enumerate().rev() {
        let grad = grad_of(layer);
        // dL/dX of this layer is needed by a layer with parameters before it, or as the result.
        let input_needed = match mode {
            Mode::Params => first_param.is_some_and(|p| p < i),
            Mode::Input => true,
        };
        let input = input_of(net, i);
        let input_ref = if i == 0 {
            quote!(#input)
        } else {
            quote!(&#input)
        };
        // Where dL/dX goes: the caller's `dx`, or a new local named after the previous layer.
        let (input_grad_decl, input_grad) = if i == 0 {
            (quote!(), quote!(::cnn::__private::reshape_mut(dx)))
        } else {
            let g = grad_of(&net.layers[i - 1]);
            let ty = shape_ty(layer.input);
            (
                quote!(let mut #g: #ty = ::cnn::__private::Tensor::zeroed();),
                quote!(&mut #g),
            )
        };
        let stmts = match &layer.kind {
            Kind::Conv(_) => {
                let (b, bi, wt) = (
                    format_ident!("{}_backward", layer.name),
                    format_ident!("{}_backward_input", layer.name),
                    format_ident!("{}_weight", layer.name),
                );
                let params = (mode == Mode::Params).then(|| {
                    let off = lit(layer.param_offset);
                    quote! {
                        let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                        Self::#b(#input_ref, #grad, dw, db);
                    }
                });
                let inp = input_needed.then(|| {
                    quote! {
                        #input_grad_decl
                        Self::#bi(self.#wt(), #grad, #input_grad);
                    }
                });
                quote!(#params #inp)
            }
            Kind::Dense { n, m } => {
                let wt = format_ident!("{}_weight", layer.name);
                let (n, m) = (lit(*n), lit(*m));
                let params = (mode == Mode::Params).then(|| {
                    let off = lit(layer.param_offset);
                    quote! {
                        let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                        ::cnn::__private::dense_backward::<T, #n, #m>(
                            ::cnn::__private::reshape(#input_ref),
                            #grad,
                            dw,
                            db,
                        );
                    }
                });
                let inp = input_needed.then(|| {
                    // The flat view of dL/dX (already one for the caller's `dx`).
                    let flat = if i == 0 {
                        input_grad.clone()
                    } else {
                        quote!(::cnn::__private::reshape_mut(#input_grad))
                    };
                    quote! {
                        #input_grad_decl
                        ::cnn::__private::dense_backward_input::<T, #n, #m>(self.#wt(), #grad, #flat);
                    }
                });
                quote!(#params #inp)
            }
            Kind::Pool(p) => {
                let consts = pool_consts(layer, p);
                let call = if p.max {
                    quote!(::cnn::__private::maxpool_backward::<#consts>(#input_ref, #grad, #input_grad);)
                } else {
                    quote!(::cnn::__private::avgpool_backward::<#consts>(#grad, #input_grad);)
                };
                if input_needed {
                    quote!(#input_grad_decl #call)
                } else {
                    TokenStream::new()
                }
            }
            Kind::Activation(a) => {
                let output = out_of(layer);
                let f = format_ident!("{}_backward", a.name());
                let call = match a {
                    Activation::LeakyRelu(s) => {
                        quote!(::cnn::__private::#f(T::from_f64(#s), &#output, #grad, #input_grad);)
                    }
                    _ => quote!(::cnn::__private::#f(&#output, #grad, #input_grad);),
                };
                if input_needed {
                    quote!(#input_grad_decl #call)
                } else {
                    TokenStream::new()
                }
            }
        };
        body.extend(stmts);
        // Later statements take the gradient by reference.
        if input_needed && i > 0 {
            let g = grad_of(&net.layers[i - 1]);
            body.extend(quote!(let #g = &#g;));
        }
    }
    match mode {
        Mode::Params => quote! {
            fn backprop<L: ::cnn::loss::Loss>(
                &self,
                x: &Self::Input,
                target: &Self::Output,
                loss: &L,
                scale: T,
                grad: &mut Self::Params,
            ) -> T {
                #body
                l
            }
        },
        Mode::Input => quote! {
            fn input_gradient<L: ::cnn::loss::Loss>(
                &self,
                x: &Self::Input,
                target: &Self::Output,
                loss: &L,
                dx: &mut Self::Input,
            ) -> T {
                let scale = T::ONE;
                #body
                l
            }
        },
    }
}
