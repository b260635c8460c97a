//! The passes for one example, which need no heap and no `std`: the forward pass into an
//! arena of the layers' outputs, and the backward pass from it. Both are in inference mode:
//! batch norm with its running statistics, dropout the identity (training goes through the
//! batch pass).
//!
//! The arena is one flat array, `[T; ACTS_LEN]`, with each tensor at a fixed offset; a relu
//! fused into the conv or dense layer before it, a `flatten` and (in inference) a `dropout`
//! share the slot of their input. The passes view their parts as nested arrays. The runtime
//! runs the forward pass with the best instruction set (`Float::dispatch`), keeps the arena on
//! the stack for `forward`, and hands it to the backward pass for `backprop` and
//! `input_gradient`, which compute in plain loops: one example's gradient is what a
//! microcontroller or a saliency map needs, not a fast path.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::codegen::{act_value, flat_ty, fuses, image_ty, lit, pool_consts, shape_ty};
use crate::ir::{Activation, Kind, Network};

/// Where a tensor lies: the network's input, or a slot of the arena.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Slot {
    Input,
    At(usize),
}

/// Where each tensor lies.
pub struct Arena {
    /// Per tensor (0 the input, `i + 1` the output of layer `i`).
    pub slots: Vec<Slot>,
    /// Per layer: the offset and length of its scratch (a conv's padded copy of its input).
    pub scratch: Vec<Option<(usize, usize)>>,
    /// Scalars in all.
    pub len: usize,
}

/// Whether layer `i` computes nothing of its own for one example: it shares its input's slot.
pub fn aliases(net: &Network, i: usize) -> bool {
    let layer = &net.layers[i];
    match layer.kind {
        Kind::Flatten | Kind::Dropout(_) => true,
        Kind::Activation(_) => {
            let t = layer.inputs[0];
            t > 0 && fuses(&net.layers[t - 1], layer) && net.only_read_by(t, i)
        }
        _ => false,
    }
}

impl Arena {
    pub fn of(net: &Network) -> Arena {
        let mut slots = vec![Slot::Input];
        let mut len = 0;
        for (i, layer) in net.layers.iter().enumerate() {
            if aliases(net, i) {
                slots.push(slots[layer.inputs[0]]);
            } else {
                slots.push(Slot::At(len));
                len += layer.output.len().unwrap_or(0) as usize;
            }
        }
        let mut scratch = Vec::with_capacity(net.layers.len());
        for layer in &net.layers {
            let copy = match &layer.kind {
                Kind::Conv(c) => crate::codegen::conv::example::copy_len(
                    &crate::codegen::conv::Dims::of(layer, c),
                ),
                _ => 0,
            };
            scratch.push((copy > 0).then_some((len, copy)));
            len += copy;
        }
        Arena {
            slots,
            scratch,
            len,
        }
    }
}

/// The activation fused into layer `i`'s store: a relu right after it that only it feeds.
fn fused_after(net: &Network, i: usize) -> Option<Activation> {
    let t = i + 1;
    let consumers = net.consumers(t);
    match consumers.as_slice() {
        [j] if aliases(net, *j) => match net.layers[*j].kind {
            Kind::Activation(a) => Some(a),
            _ => None,
        },
        _ => None,
    }
}

/// The call that computes layer `i` from `inputs` into `out`.
fn forward_call(
    net: &Network,
    i: usize,
    inputs: &[TokenStream],
    out: TokenStream,
    scratch: bool,
) -> TokenStream {
    let layer = &net.layers[i];
    let name = &layer.name;
    let input = &inputs[0];
    match &layer.kind {
        Kind::Conv(_) => {
            let (f, wt, b) = (
                format_ident!("{}_forward", name),
                format_ident!("{}_weight", name),
                format_ident!("{}_bias", name),
            );
            let xs = scratch.then(|| quote!(xs));
            quote!(Self::#f(s, self.#wt(), self.#b(), #input, #out, #xs);)
        }
        Kind::Dense { n, m } => {
            let (wt, b) = (
                format_ident!("{}_weight", name),
                format_ident!("{}_bias", name),
            );
            let (n, m, act) = (lit(*n), lit(*m), act_value(fused_after(net, i)));
            quote! {
                ::cnn::__private::dense_forward_lanes::<T, S, _, #n, #m>(
                    s,
                    self.#wt(),
                    self.#b(),
                    ::cnn::__private::reshape(#input),
                    ::cnn::__private::reshape_mut(#out),
                    #act,
                );
            }
        }
        Kind::Pool(p) => {
            let f = format_ident!("{}", if p.max { "maxpool" } else { "avgpool" });
            let consts = pool_consts(layer, p);
            quote!(::cnn::__private::#f::<#consts>(#input, #out);)
        }
        Kind::Activation(Activation::Softmax) => {
            quote!(::cnn::__private::softmax(#input, #out);)
        }
        Kind::Activation(a) => {
            let act = act_value(Some(*a));
            quote! {
                ::cnn::__private::act::apply_rows(
                    s,
                    #act,
                    ::cnn::__private::Tensor::as_flat(#input),
                    ::cnn::__private::Tensor::as_flat_mut(#out),
                );
            }
        }
        Kind::BatchNorm(b) => {
            let (c, sp) = (lit(b.channels), lit(b.spatial));
            let eps = b.eps;
            let (wt, bi, rm, rv) = (
                format_ident!("{}_weight", name),
                format_ident!("{}_bias", name),
                format_ident!("{}_running_mean", name),
                format_ident!("{}_running_var", name),
            );
            quote! {
                ::cnn::__private::batchnorm_infer::<T, #c, #sp>(
                    (self.#wt(), self.#bi()),
                    (self.#rm(), self.#rv()),
                    T::from_f64(#eps),
                    ::cnn::__private::Tensor::as_flat(#input),
                    ::cnn::__private::Tensor::as_flat_mut(#out),
                );
            }
        }
        Kind::GlobalAvgPool => {
            let (c, sp) = gap_sizes(layer);
            quote! {
                ::cnn::__private::global_avgpool::<T, #c, #sp>(
                    ::cnn::__private::Tensor::as_flat(#input),
                    #out,
                );
            }
        }
        Kind::Add => {
            let b = &inputs[1];
            quote! {
                ::cnn::__private::add(
                    ::cnn::__private::Tensor::as_flat(#input),
                    ::cnn::__private::Tensor::as_flat(#b),
                    ::cnn::__private::Tensor::as_flat_mut(#out),
                );
            }
        }
        Kind::Flatten | Kind::Dropout(_) => unreachable!("aliases compute nothing"),
    }
}

/// `C, H * W` of a global average pooling.
fn gap_sizes(layer: &crate::ir::Layer) -> (proc_macro2::Literal, proc_macro2::Literal) {
    match layer.input {
        crate::shape::Shape::Image { c, h, w } => (lit(c as usize), lit((h * w) as usize)),
        crate::shape::Shape::Flat(_) => unreachable!("check gives it an image"),
    }
}

/// The `Network` items of one example: the arena's type and views, the forward pass into it,
/// and the backward pass from it.
pub fn items(net: &Network) -> TokenStream {
    let arena = Arena::of(net);
    let acts_len = lit(arena.len.max(1));
    let [c, h, w] = net.input;
    let x_ty = image_ty(c, h, w);
    let out_len = net.output_shape().len().unwrap_or(0) as usize;
    let out_ty = flat_ty(out_len);

    // Forward: each layer from its inputs' slots into its own.
    let start = super::lap_start();
    let mut forward = quote!(#start let x: &#x_ty = ::cnn::__private::reshape(x););
    for (i, layer) in net.layers.iter().enumerate() {
        if aliases(net, i) {
            continue;
        }
        let Slot::At(off) = arena.slots[i + 1] else {
            unreachable!("a layer that computes has its own slot")
        };
        let out_ty = shape_ty(layer.output);
        let off = lit(off);
        let reads: Vec<(Slot, TokenStream)> = layer
            .inputs
            .iter()
            .map(|&t| (arena.slots[t], shape_ty(net.tensor_shape(t))))
            .collect();
        let arena_reads: Vec<&(Slot, TokenStream)> =
            reads.iter().filter(|(s, _)| *s != Slot::Input).collect();
        let names: Vec<TokenStream> = (0..reads.len())
            .map(|k| {
                let n = format_ident!("in{}", k);
                quote!(#n)
            })
            .collect();
        let scratch = arena.scratch[i].map(|(at, len)| (lit(at), lit(len)));
        let bind = match (arena_reads.as_slice(), &scratch) {
            ([], None) => {
                let binds = names.iter().map(|n| quote!(let #n = x;));
                quote! {
                    #(#binds)*
                    let out: &mut #out_ty = ::cnn::__private::part_mut::<_, _, #off>(acts);
                }
            }
            ([], Some((at, len))) => quote! {
                let in0 = x;
                let (out, xs): (&mut #out_ty, &mut [T; #len]) =
                    ::cnn::__private::two_mut::<_, _, _, #off, #at>(acts);
            },
            ([(Slot::At(a), a_ty)], Some((at, len))) => {
                let a = lit(*a);
                quote! {
                    let (in0, out, xs): (&#a_ty, &mut #out_ty, &mut [T; #len]) =
                        ::cnn::__private::split3_mut::<_, _, _, _, #a, #off, #at>(acts);
                }
            }
            ([(Slot::At(a), a_ty)], None) => {
                let a = lit(*a);
                let binds = reads.iter().zip(&names).map(|((s, _), n)| {
                    if *s == Slot::Input {
                        quote!(let #n = x;)
                    } else {
                        quote!(let #n = a;)
                    }
                });
                quote! {
                    let (a, out): (&#a_ty, &mut #out_ty) =
                        ::cnn::__private::split_mut::<_, _, _, #a, #off>(acts);
                    #(#binds)*
                }
            }
            ([(Slot::At(a), a_ty), (Slot::At(b), b_ty)], None) => {
                let (a, b) = (lit(*a), lit(*b));
                quote! {
                    let (in0, in1, out): (&#a_ty, &#b_ty, &mut #out_ty) =
                        ::cnn::__private::split2_mut::<_, _, _, _, #a, #b, #off>(acts);
                }
            }
            _ => unreachable!("a layer reads one or two tensors"),
        };
        let call = forward_call(net, i, &names, quote!(out), scratch.is_some());
        let lap = super::lap(&format!("{} forward", layer.name));
        forward.extend(quote_spanned!(layer.span=> { #bind #call } #lap));
    }

    // The output, and the logits a loss on logits reads when the network ends in softmax.
    let last = net.layers.len() - 1;
    let view = |t: usize| match arena.slots[t] {
        Slot::At(off) => {
            let off = lit(off);
            quote!(::cnn::__private::part::<_, _, #off>(acts))
        }
        Slot::Input => unreachable!("the output is computed"),
    };
    let out_view = view(last + 1);
    let logits_view = if matches!(net.layers[last].kind, Kind::Activation(Activation::Softmax)) {
        view(net.layers[last].inputs[0])
    } else {
        out_view.clone()
    };

    let backward = backward(net, &arena);
    let slots = (1..=net.layers.len()).map(|t| match arena.slots[t] {
        Slot::At(off) => {
            let (off, len) = (
                lit(off),
                lit(net.tensor_shape(t).len().unwrap_or(0) as usize),
            );
            quote!((#off, #len))
        }
        Slot::Input => quote!((0, 0)),
    });
    quote! {
        type Acts = [T; #acts_len];

        const TENSOR_SLOTS: &'static [(usize, usize)] = &[#(#slots),*];

        #[inline(always)]
        fn forward_into<S: ::cnn::__private::Lanes<T>>(
            &self,
            s: S,
            x: &Self::Input,
            acts: &mut Self::Acts,
        ) {
            #forward
        }

        fn output_of(acts: &Self::Acts) -> &#out_ty {
            #out_view
        }

        fn logits_of(acts: &Self::Acts) -> &#out_ty {
            #logits_view
        }

        #backward
    }
}

/// `t3`: tensor 3 in the backward pass, `d_t3` its gradient.
fn tensor(t: usize) -> Ident {
    format_ident!("t{}", t)
}

fn grad(t: usize) -> Ident {
    format_ident!("d_t{}", t)
}

/// The backward pass of one example, last layer first, from the arena of its forward pass:
/// every layer turns `dL/d(its output)` into the gradient of its parameters (when `grad` is
/// given) and of its inputs, down to the input (into `dx` when given). A tensor read by two
/// layers gets the second gradient added to the first.
fn backward(net: &Network, arena: &Arena) -> TokenStream {
    let last = net.layers.len() - 1;
    let [c, h, w] = net.input;
    let x_ty = image_ty(c, h, w);
    // Views of the tensors the pass reads.
    let mut views = TokenStream::new();
    for t in 1..=net.layers.len() {
        let (name, ty) = (tensor(t), shape_ty(net.tensor_shape(t)));
        let view = match arena.slots[t] {
            Slot::At(off) => {
                let off = lit(off);
                quote!(::cnn::__private::part::<_, _, #off>(acts))
            }
            Slot::Input => quote!(::cnn::__private::reshape(x)),
        };
        views.extend(quote!(let #name: &#ty = #view;));
    }
    let mut body = TokenStream::new();
    // Tensors whose gradient exists.
    let mut has_grad = vec![false; net.layers.len() + 1];
    let softmax_last =
        matches!(net.layers[last].kind, Kind::Activation(Activation::Softmax)) && last > 0;
    let out_t = last + 1;
    let (out, d_out) = (tensor(out_t), grad(out_t));
    let out_ty = shape_ty(net.tensor_shape(out_t));
    if softmax_last {
        // A final softmax and a loss on logits (`SoftmaxCrossEntropy`) are fused: the loss
        // reads the softmax's input and gives dL/d(logits) = p - y, with no softmax Jacobian.
        // Other losses read the softmax's output and go through its backward pass. The
        // branch is on a constant, so only one side is compiled in.
        let lt = net.layers[last].inputs[0];
        let (logits, d_logits) = (tensor(lt), grad(lt));
        let logits_ty = shape_ty(net.tensor_shape(lt));
        body.extend(quote! {
            let mut #d_logits: #logits_ty = ::cnn::__private::Tensor::zeroed();
            let l = if <L as ::cnn::loss::Loss>::TAKES_LOGITS {
                loss.example(
                    ::cnn::__private::Tensor::as_flat(#logits),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut #d_logits),
                )
            } else {
                let mut #d_out: #out_ty = ::cnn::__private::Tensor::zeroed();
                let l = loss.example(
                    ::cnn::__private::Tensor::as_flat(#out),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut #d_out),
                );
                ::cnn::__private::softmax_backward(#out, &#d_out, &mut #d_logits);
                l
            };
        });
        has_grad[lt] = true;
    } else {
        body.extend(quote! {
            let mut #d_out: #out_ty = ::cnn::__private::Tensor::zeroed();
            let l = loss.example(
                ::cnn::__private::Tensor::as_flat(#out),
                target,
                scale,
                ::cnn::__private::Tensor::as_flat_mut(&mut #d_out),
            );
        });
        has_grad[out_t] = true;
    }
    let end = if softmax_last { last } else { last + 1 };
    for i in (0..end).rev() {
        let layer = &net.layers[i];
        let o = i + 1;
        if !has_grad[o] {
            continue;
        }
        let d_o = grad(o);
        let name = &layer.name;
        // Each input's gradient: into a new local, or added to the one a later layer made.
        let mut stmts = TokenStream::new();
        let mut targets = Vec::new();
        for (k, &t) in layer.inputs.iter().enumerate() {
            let ty = shape_ty(net.tensor_shape(t));
            if has_grad[t] {
                let tmp = format_ident!("d_t{}_{}", t, o);
                stmts.extend(quote!(let mut #tmp: #ty = ::cnn::__private::Tensor::zeroed();));
                targets.push((t, quote!(&mut #tmp), Some(tmp)));
            } else {
                let d = grad(t);
                stmts.extend(quote!(let mut #d: #ty = ::cnn::__private::Tensor::zeroed();));
                targets.push((t, quote!(&mut #d), None));
            }
            let _ = k;
        }
        let input = tensor(layer.inputs[0]);
        let into = &targets[0].1;
        let params = |f: TokenStream| -> TokenStream {
            let off = lit(layer.param_offset);
            quote! {
                if let Some(grad) = grad.as_deref_mut() {
                    let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                    #f
                }
            }
        };
        let call = match &layer.kind {
            Kind::Conv(_) => {
                let (b, bi, wt) = (
                    format_ident!("{}_backward", name),
                    format_ident!("{}_backward_input", name),
                    format_ident!("{}_weight", name),
                );
                let p = params(quote!(Self::#b(#input, &#d_o, dw, db);));
                quote! {
                    #p
                    Self::#bi(self.#wt(), &#d_o, #into);
                }
            }
            Kind::Dense { n, m } => {
                let wt = format_ident!("{}_weight", name);
                let (n, m) = (lit(*n), lit(*m));
                let p = params(quote! {
                    ::cnn::__private::dense_backward::<T, #n, #m>(
                        ::cnn::__private::reshape(#input),
                        &#d_o,
                        dw,
                        db,
                    );
                });
                quote! {
                    #p
                    ::cnn::__private::dense_backward_input::<T, #n, #m>(
                        self.#wt(),
                        &#d_o,
                        ::cnn::__private::reshape_mut(#into),
                    );
                }
            }
            Kind::Pool(p) => {
                let consts = pool_consts(layer, p);
                if p.max {
                    quote!(::cnn::__private::maxpool_backward::<#consts>(#input, &#d_o, #into);)
                } else {
                    quote!(::cnn::__private::avgpool_backward::<#consts>(&#d_o, #into);)
                }
            }
            Kind::Activation(a) => {
                let output = tensor(o);
                let f = format_ident!("{}_backward", a.name());
                match a {
                    Activation::LeakyRelu(s) => {
                        quote!(::cnn::__private::#f(T::from_f64(#s), #output, &#d_o, #into);)
                    }
                    _ => quote!(::cnn::__private::#f(#output, &#d_o, #into);),
                }
            }
            Kind::BatchNorm(b) => {
                let (c, sp) = (lit(b.channels), lit(b.spatial));
                let eps = b.eps;
                let off = lit(layer.param_offset);
                let (wt, rm, rv) = (
                    format_ident!("{}_weight", name),
                    format_ident!("{}_running_mean", name),
                    format_ident!("{}_running_var", name),
                );
                quote! {
                    ::cnn::__private::batchnorm_infer_backward::<T, #c, #sp>(
                        self.#wt(),
                        (self.#rm(), self.#rv()),
                        T::from_f64(#eps),
                        ::cnn::__private::Tensor::as_flat(#input),
                        ::cnn::__private::Tensor::as_flat(&#d_o),
                        ::cnn::__private::Tensor::as_flat_mut(#into),
                        grad.as_deref_mut().map(|g| ::cnn::__private::parts_mut::<_, _, _, #off>(g)),
                    );
                }
            }
            Kind::GlobalAvgPool => {
                let (c, sp) = gap_sizes(layer);
                quote! {
                    ::cnn::__private::global_avgpool_backward::<T, #c, #sp>(
                        &#d_o,
                        ::cnn::__private::Tensor::as_flat_mut(#into),
                    );
                }
            }
            Kind::Flatten | Kind::Dropout(_) => quote! {
                ::cnn::__private::Tensor::as_flat_mut(#into)
                    .copy_from_slice(::cnn::__private::Tensor::as_flat(&#d_o));
            },
            Kind::Add => {
                let second = &targets[1].1;
                quote! {
                    ::cnn::__private::Tensor::as_flat_mut(#into)
                        .copy_from_slice(::cnn::__private::Tensor::as_flat(&#d_o));
                    ::cnn::__private::Tensor::as_flat_mut(#second)
                        .copy_from_slice(::cnn::__private::Tensor::as_flat(&#d_o));
                }
            }
        };
        stmts.extend(call);
        for (t, _, tmp) in &targets {
            if let Some(tmp) = tmp {
                let d = grad(*t);
                stmts.extend(quote! {
                    ::cnn::__private::add_assign(
                        ::cnn::__private::Tensor::as_flat_mut(&mut #d),
                        ::cnn::__private::Tensor::as_flat(&#tmp),
                    );
                });
            }
            has_grad[*t] = true;
        }
        body.extend(stmts);
    }
    // The input's gradient, for the caller.
    let d_x = grad(0);
    let finish = if has_grad[0] {
        quote! {
            if let Some(dx) = dx {
                *dx = *::cnn::__private::reshape(&#d_x);
            }
        }
    } else {
        quote!(let _ = dx;)
    };
    quote! {
        #[allow(unused_variables, unused_mut)]
        fn backward_from<L: ::cnn::loss::Loss>(
            &self,
            x: &Self::Input,
            acts: &Self::Acts,
            target: &Self::Output,
            loss: &L,
            scale: T,
            mut grad: ::core::option::Option<&mut Self::Params>,
            dx: ::core::option::Option<&mut Self::Input>,
        ) -> T {
            let t0: &#x_ty = ::cnn::__private::reshape(x);
            #views
            #body
            #finish
            l
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_and_aliased_layers_share_a_slot() {
        let input = quote::quote! {
            struct N { input(1, 6x6) -> conv(2, 3x3) -> relu -> maxpool(2x2) -> sigmoid -> flatten -> dense(3) }
        };
        let input: crate::ast::Input = syn::parse2(input).unwrap();
        let (nets, errors) = crate::check::check(&input);
        assert!(errors.finish().is_ok());
        let arena = Arena::of(&nets[0]);
        // conv 2x4x4 = 32 (relu in it), pool 2x2x2 = 8, sigmoid 8 (flatten in it), dense 3;
        // then the conv's copy of its input (rows of 4 end in a vector that reads past them):
        // 6x6 and room for a read of 8 columns and the 3 taps of the last row, 47.
        assert_eq!(
            arena.slots,
            [
                Slot::Input,
                Slot::At(0),
                Slot::At(0),
                Slot::At(32),
                Slot::At(40),
                Slot::At(40),
                Slot::At(48)
            ]
        );
        assert_eq!(
            arena.scratch,
            [Some((51, 47)), None, None, None, None, None]
        );
        assert_eq!(arena.len, 51 + 47);
    }
}
