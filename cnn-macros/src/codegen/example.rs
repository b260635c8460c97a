//! The passes for one example, which need no heap and no `std`: the forward pass into an
//! arena of the layers' outputs, and the backward pass from it.
//!
//! The arena is one flat array, `[T; ACTS_LEN]`, with each layer's output at a fixed offset
//! (a relu after a conv or dense layer is fused into it and shares its slot); the passes view
//! their parts as nested arrays. The runtime runs the forward pass with the best instruction
//! set (`Float::dispatch`), keeps the arena on the stack for `forward`, and hands it to the
//! backward pass for `backprop` and `input_gradient`, which compute in plain loops: one
//! example's gradient is what a microcontroller or a saliency map needs, not a fast path
//! (training goes through the batch pass).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::codegen::{flat_ty, fuses, image_ty, lit, pool_consts, shape_ty};
use crate::ir::{Activation, Kind, Layer, Network};

/// Where each layer's output lies in the arena.
pub struct Arena {
    /// Per layer: the first scalar of its output (the slot of the layer it is fused into).
    pub offsets: Vec<usize>,
    /// Scalars in all.
    pub len: usize,
}

impl Arena {
    pub fn of(net: &Network) -> Arena {
        let mut offsets = Vec::with_capacity(net.layers.len());
        let mut len = 0;
        for (i, layer) in net.layers.iter().enumerate() {
            if i > 0 && fuses(&net.layers[i - 1], layer) {
                offsets.push(offsets[i - 1]);
            } else {
                offsets.push(len);
                len += layer.output.len().unwrap_or(0) as usize;
            }
        }
        Arena { offsets, len }
    }

    /// Whether layer `i` is fused into the one before it.
    fn fused(&self, i: usize) -> bool {
        i > 0 && self.offsets[i] == self.offsets[i - 1]
    }
}

/// `Self::conv1_forward(s, ...)` and its kin: the call that computes layer `i` from `input`
/// into `output`, with the activation of layer `i + 1` fused in when it is.
fn forward_call(net: &Network, i: usize, input: TokenStream, output: TokenStream) -> TokenStream {
    let layer = &net.layers[i];
    let next = net.layers.get(i + 1).filter(|n| fuses(layer, n));
    let fused = next.map(|n| match n.kind {
        Kind::Activation(a) => crate::codegen::act_value(Some(a)),
        _ => unreachable!("only activations fuse"),
    });
    let act = fused
        .clone()
        .unwrap_or_else(|| crate::codegen::act_value(None));
    match &layer.kind {
        Kind::Conv(_) => {
            let (f, wt, b) = (
                format_ident!("{}_forward", layer.name),
                format_ident!("{}_weight", layer.name),
                format_ident!("{}_bias", layer.name),
            );
            quote!(Self::#f(s, self.#wt(), self.#b(), #input, #output);)
        }
        Kind::Dense { n, m } => {
            let (wt, b) = (
                format_ident!("{}_weight", layer.name),
                format_ident!("{}_bias", layer.name),
            );
            let (n, m) = (lit(*n), lit(*m));
            quote! {
                ::cnn::__private::dense_forward_lanes::<T, S, _, #n, #m>(
                    s,
                    self.#wt(),
                    self.#b(),
                    ::cnn::__private::reshape(#input),
                    ::cnn::__private::reshape_mut(#output),
                    #act,
                );
            }
        }
        Kind::Pool(p) => {
            let f = format_ident!("{}", if p.max { "maxpool" } else { "avgpool" });
            let consts = pool_consts(layer, p);
            quote!(::cnn::__private::#f::<#consts>(#input, #output);)
        }
        Kind::Activation(Activation::Softmax) => {
            quote!(::cnn::__private::softmax(#input, #output);)
        }
        Kind::Activation(a) => {
            let act = crate::codegen::act_value(Some(*a));
            quote! {
                ::cnn::__private::act::apply_rows(
                    s,
                    #act,
                    ::cnn::__private::Tensor::as_flat(#input),
                    ::cnn::__private::Tensor::as_flat_mut(#output),
                );
            }
        }
    }
}

/// The `Network` items of one example: the arena's type and views, the forward pass into it,
/// and the backward pass from it.
pub fn items(net: &Network) -> TokenStream {
    let arena = Arena::of(net);
    let acts_len = lit(arena.len.max(1));
    let [c, h, w] = net.input;
    let x_ty = image_ty(c, h, w);
    let last = net.layers.len() - 1;
    let out_len = net.output_shape().len().unwrap_or(0) as usize;
    let out_ty = flat_ty(out_len);

    // Forward: each layer from the previous layer's slot (or the input) into its own.
    let mut forward = quote!(let x: &#x_ty = ::cnn::__private::reshape(x););
    for (i, layer) in net.layers.iter().enumerate() {
        if arena.fused(i) {
            continue;
        }
        let out_ty = shape_ty(layer.output);
        let off = lit(arena.offsets[i]);
        let stmt = if i == 0 {
            let call = forward_call(net, i, quote!(x), quote!(out));
            quote! {{
                let out: &mut #out_ty = ::cnn::__private::part_mut::<_, _, #off>(acts);
                #call
            }}
        } else {
            let in_ty = shape_ty(net.layers[i - 1].output);
            let in_off = lit(arena.offsets[i - 1]);
            let call = forward_call(net, i, quote!(input), quote!(out));
            quote! {{
                let (input, out): (&#in_ty, &mut #out_ty) =
                    ::cnn::__private::split_mut::<_, _, _, #in_off, #off>(acts);
                #call
            }}
        };
        forward.extend(quote_spanned!(layer.span=> #stmt));
    }

    // The output, and the logits a loss on logits reads when the network ends in softmax.
    let out_off = lit(arena.offsets[last]);
    let softmax_last =
        matches!(net.layers[last].kind, Kind::Activation(Activation::Softmax)) && last > 0;
    let logits_off = if softmax_last {
        lit(arena.offsets[last - 1])
    } else {
        out_off.clone()
    };

    let backward = backward(net, &arena);
    quote! {
        type Acts = [T; #acts_len];

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
            ::cnn::__private::part::<_, _, #out_off>(acts)
        }

        fn logits_of(acts: &Self::Acts) -> &#out_ty {
            ::cnn::__private::part::<_, _, #logits_off>(acts)
        }

        #backward
    }
}

/// `conv1_grad`: dL/d(output of the layer).
fn grad_of(layer: &Layer) -> Ident {
    format_ident!("{}_grad", layer.name)
}

/// The backward pass of one example, last layer first, from the arena of its forward pass:
/// every layer turns `dL/d(its output)` into the gradient of its parameters (when `grad` is
/// given) and `dL/d(its input)`, down to the input (into `dx` when given).
fn backward(net: &Network, arena: &Arena) -> TokenStream {
    let last = net.layers.len() - 1;
    let out_len = net.output_shape().len().unwrap_or(0) as usize;
    let output_ty = flat_ty(out_len);
    let [c, h, w] = net.input;
    let x_ty = image_ty(c, h, w);
    // `let conv1_out: &Ty = part(acts);` for every layer output that the pass reads.
    let view = |i: usize| -> TokenStream {
        let layer = &net.layers[i];
        let (name, ty, off) = (
            format_ident!("{}_out", layer.name),
            shape_ty(layer.output),
            lit(arena.offsets[i]),
        );
        quote!(let #name: &#ty = ::cnn::__private::part::<_, _, #off>(acts);)
    };
    let input_of = |i: usize| -> TokenStream {
        if i == 0 {
            quote!(x)
        } else {
            let name = format_ident!("{}_out", net.layers[i - 1].name);
            quote!(#name)
        }
    };
    // The outputs the pass reads: the inputs of layers with weights and of max pooling, the
    // outputs of activations (their derivatives are functions of them), and what the loss
    // reads.
    let mut used = vec![false; last + 1];
    used[last] = true;
    if last > 0 && matches!(net.layers[last].kind, Kind::Activation(Activation::Softmax)) {
        used[last - 1] = true;
    }
    for (i, layer) in net.layers.iter().enumerate() {
        match layer.kind {
            Kind::Conv(_) | Kind::Dense { .. } | Kind::Pool(crate::ir::Pool { max: true, .. })
                if i > 0 =>
            {
                used[i - 1] = true
            }
            Kind::Activation(_) => used[i] = true,
            _ => {}
        }
    }
    let views = (0..=last).filter(|&i| used[i]).map(view);
    let last_grad = grad_of(&net.layers[last]);
    let fused_loss =
        matches!(net.layers[last].kind, Kind::Activation(Activation::Softmax)) && last > 0;
    let mut body = if fused_loss {
        // A final softmax and a loss on logits (`SoftmaxCrossEntropy`) are fused: the loss
        // reads the softmax's input and gives dL/d(logits) = p - y, with no softmax Jacobian.
        // Other losses read the softmax's output and go through its backward pass. The
        // branch is on a constant, so only one side is compiled in.
        let softmax = &net.layers[last];
        let logits = input_of(last);
        let logits_grad = grad_of(&net.layers[last - 1]);
        let last_out = format_ident!("{}_out", softmax.name);
        let logits_ty = shape_ty(softmax.input);
        quote! {
            let mut #logits_grad: #logits_ty = ::cnn::__private::Tensor::zeroed();
            let l = if <L as ::cnn::loss::Loss>::TAKES_LOGITS {
                loss.example(
                    ::cnn::__private::Tensor::as_flat(#logits),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut #logits_grad),
                )
            } else {
                let mut #last_grad: #output_ty = ::cnn::__private::Tensor::zeroed();
                let l = loss.example(
                    ::cnn::__private::Tensor::as_flat(#last_out),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut #last_grad),
                );
                ::cnn::__private::softmax_backward(#last_out, ::cnn::__private::reshape(&#last_grad), &mut #logits_grad);
                l
            };
            let #logits_grad = &#logits_grad;
        }
    } else {
        let last_out = format_ident!("{}_out", net.layers[last].name);
        quote! {
            let mut #last_grad: #output_ty = ::cnn::__private::Tensor::zeroed();
            let l = loss.example(
                ::cnn::__private::Tensor::as_flat(#last_out),
                target,
                scale,
                ::cnn::__private::Tensor::as_flat_mut(&mut #last_grad),
            );
            let #last_grad = ::cnn::__private::reshape(&#last_grad);
        }
    };
    let backward_layers = if fused_loss { last } else { last + 1 };
    for (i, layer) in net.layers[..backward_layers].iter().enumerate().rev() {
        let grad = grad_of(layer);
        let input = input_of(i);
        // Where dL/dX goes: the caller's `dx` (or a local when not given), or a new local
        // named after the previous layer.
        let (input_grad_decl, input_grad) = if i == 0 {
            (
                quote! {
                    let mut dx_local: #x_ty;
                    let dx: &mut #x_ty = match dx {
                        Some(dx) => ::cnn::__private::reshape_mut(dx),
                        None => {
                            dx_local = ::cnn::__private::Tensor::zeroed();
                            &mut dx_local
                        }
                    };
                },
                quote!(dx),
            )
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
                let off = lit(layer.param_offset);
                quote! {
                    if let Some(grad) = grad.as_deref_mut() {
                        let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                        Self::#b(#input, #grad, dw, db);
                    }
                    #input_grad_decl
                    Self::#bi(self.#wt(), #grad, #input_grad);
                }
            }
            Kind::Dense { n, m } => {
                let wt = format_ident!("{}_weight", layer.name);
                let (n, m) = (lit(*n), lit(*m));
                let off = lit(layer.param_offset);
                quote! {
                    if let Some(grad) = grad.as_deref_mut() {
                        let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                        ::cnn::__private::dense_backward::<T, #n, #m>(
                            ::cnn::__private::reshape(#input),
                            #grad,
                            dw,
                            db,
                        );
                    }
                    #input_grad_decl
                    ::cnn::__private::dense_backward_input::<T, #n, #m>(
                        self.#wt(),
                        #grad,
                        ::cnn::__private::reshape_mut(#input_grad),
                    );
                }
            }
            Kind::Pool(p) => {
                let consts = pool_consts(layer, p);
                let call = if p.max {
                    quote!(::cnn::__private::maxpool_backward::<#consts>(#input, #grad, #input_grad);)
                } else {
                    quote!(::cnn::__private::avgpool_backward::<#consts>(#grad, #input_grad);)
                };
                quote!(#input_grad_decl #call)
            }
            Kind::Activation(a) => {
                let output = format_ident!("{}_out", layer.name);
                let f = format_ident!("{}_backward", a.name());
                let call = match a {
                    Activation::LeakyRelu(s) => {
                        quote!(::cnn::__private::#f(T::from_f64(#s), #output, #grad, #input_grad);)
                    }
                    _ => quote!(::cnn::__private::#f(#output, #grad, #input_grad);),
                };
                quote!(#input_grad_decl #call)
            }
        };
        body.extend(stmts);
        // Later statements take the gradient by reference.
        if i > 0 {
            let g = grad_of(&net.layers[i - 1]);
            body.extend(quote!(let #g = &#g;));
        }
    }
    quote! {
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
            let x: &#x_ty = ::cnn::__private::reshape(x);
            #(#views)*
            #body
            l
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_layers_share_a_slot() {
        let input = quote::quote! {
            struct N { input(1, 6x6) -> conv(2, 3x3) -> relu -> maxpool(2x2) -> sigmoid -> dense(3) }
        };
        let input: crate::ast::Input = syn::parse2(input).unwrap();
        let (nets, errors) = crate::check::check(&input);
        assert!(errors.finish().is_ok());
        let arena = Arena::of(&nets[0]);
        // conv 2x4x4 = 32 (relu in it), pool 2x2x2 = 8, sigmoid 8, dense 3.
        assert_eq!(arena.offsets, [0, 0, 32, 40, 48]);
        assert_eq!(arena.len, 51);
    }
}
