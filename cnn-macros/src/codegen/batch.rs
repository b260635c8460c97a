//! The training pass on a batch: the buffers of one part of a batch (`Work`), and
//! `Network::train_part`, which runs every layer over all of the part's blocks, forward, the
//! loss, then backward.
//!
//! An activation right after a conv or dense layer is fused into it: the layer stores the
//! activation's output, and on the way back the gradient of that output is turned, in place,
//! into the gradient of the layer's sums. Every other layer is one call.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::conv::Dims;
use crate::codegen::conv::batch::{self as conv_batch, pack_image};
use crate::codegen::{act_value, fuses, lit, pool_sizes};
use crate::ir::{Activation, Kind, Layer, Network};
use crate::shape::Shape;

/// One step of the batch pass: a layer, with the activation fused into it if any.
struct Op<'a> {
    layer: &'a Layer,
    /// An activation fused into a conv or dense layer.
    act: Option<Activation>,
    /// The shape of what the op stores.
    output: Shape,
}

impl Op<'_> {
    fn name(&self) -> &Ident {
        &self.layer.name
    }

    fn out(&self) -> Ident {
        format_ident!("out_{}", self.name())
    }

    fn grad(&self) -> Ident {
        format_ident!("d_{}", self.name())
    }

    fn has_params(&self) -> bool {
        self.layer.param_lens().is_some()
    }
}

/// The layers as batch ops: a (leaky) relu after a conv or dense layer fused into it (see
/// [`fuses`]), every other layer on its own.
fn ops(net: &Network) -> Vec<Op<'_>> {
    let mut ops: Vec<Op> = Vec::new();
    for layer in &net.layers {
        if let Kind::Activation(a) = layer.kind
            && let Some(prev) = ops.last_mut()
            && prev.act.is_none()
            && fuses(prev.layer, layer)
        {
            prev.act = Some(a);
            continue;
        }
        ops.push(Op {
            layer,
            act: None,
            output: layer.output,
        });
    }
    ops
}

/// The block type of a tensor of shape `s`.
fn block_ty(s: Shape) -> TokenStream {
    match s {
        Shape::Image { c, h, w } => pack_image(c as usize, h as usize, w as usize),
        Shape::Flat(n) => {
            let n = lit(n as usize);
            quote!([::cnn::__private::Pack<T>; #n])
        }
    }
}

/// The conv kernels of every conv layer, for the inherent `impl`.
pub fn kernels(net: &Network) -> TokenStream {
    let mut out = TokenStream::new();
    let ops = ops(net);
    let first_param = ops.iter().position(Op::has_params);
    for (k, op) in ops.iter().enumerate() {
        if let Kind::Conv(c) = &op.layer.kind {
            let act = op.act.map(|a| act_value(Some(a)));
            out.extend(conv_batch::forward(op.layer, c, &act));
            out.extend(conv_batch::backward(op.layer, c));
            if first_param.is_some_and(|p| p < k) {
                out.extend(conv_batch::backward_input(op.layer, c));
            }
        }
    }
    out
}

/// A buffer of the part: its field name, its block type, and whether it holds one block
/// (scratch) or one per block of the part.
struct Buffer {
    name: Ident,
    ty: TokenStream,
    single: bool,
    doc: String,
}

/// The `Work` struct and the `Network` items of the batch pass: `type Work` and `train_part`.
pub fn items(net: &Network) -> (TokenStream, TokenStream) {
    let ops = ops(net);
    let first_param = ops.iter().position(Op::has_params);
    let [c, h, w] = net.input;
    let input_shape = Shape::Image {
        c: c as u64,
        h: h as u64,
        w: w as u64,
    };
    let mut buffers = vec![Buffer {
        name: format_ident!("x"),
        ty: block_ty(input_shape),
        single: false,
        doc: format!(" The input, {input_shape}."),
    }];
    for op in &ops {
        buffers.push(Buffer {
            name: op.out(),
            ty: block_ty(op.output),
            single: false,
            doc: format!(" The output of `{}`, {}.", op.name(), op.output),
        });
        buffers.push(Buffer {
            name: op.grad(),
            ty: block_ty(op.output),
            single: false,
            doc: format!(" dL/d(output of `{}`).", op.name()),
        });
        if let Kind::Conv(conv) = &op.layer.kind {
            let d = Dims::of(op.layer, conv);
            if d.padded() {
                buffers.push(Buffer {
                    name: format_ident!("xp_{}", op.name()),
                    ty: pack_image(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw),
                    single: true,
                    doc: format!(
                        " One block of the input of `{}` with its zero border.",
                        op.name()
                    ),
                });
            }
            let b = conv_batch::dz_border(&d);
            buffers.push(Buffer {
                name: format_ident!("dzp_{}", op.name()),
                ty: pack_image(d.f, b.h, b.w),
                single: true,
                doc: format!(
                    " One block of dL/dZ of `{}` with its zero border.",
                    op.name()
                ),
            });
            let (kw, kh, cc, f) = (lit(d.kw), lit(d.kh), lit(d.c), lit(d.f));
            buffers.push(Buffer {
                name: format_ident!("dw_{}", op.name()),
                ty: quote!([[[[::cnn::__private::Pack<T>; #kw]; #kh]; #cc]; #f]),
                single: true,
                doc: format!(
                    " dL/dW of `{}`, one pack per weight, lanes added at the end.",
                    op.name()
                ),
            });
            buffers.push(Buffer {
                name: format_ident!("db_{}", op.name()),
                ty: quote!([::cnn::__private::Pack<T>; #f]),
                single: true,
                doc: format!(" dL/db of `{}`, likewise.", op.name()),
            });
        }
    }
    let fields = buffers.iter().map(|b| {
        let (name, ty, doc) = (&b.name, &b.ty, &b.doc);
        quote!(#[doc = #doc] #name: ::cnn::__private::Vec<#ty>,)
    });
    let ensures = buffers.iter().map(|b| {
        let name = &b.name;
        let n = if b.single { quote!(1) } else { quote!(blocks) };
        quote!(::cnn::__private::batch::ensure(&mut self.#name, #n);)
    });
    let work = quote! {
        /// The buffers of one part of a training batch, kept between steps.
        #[derive(Default)]
        pub struct Work<T> {
            #(#fields)*
        }

        impl<T: ::cnn::Float> Work<T> {
            /// Room for `blocks` blocks of eight examples.
            fn ensure(&mut self, blocks: usize) {
                #(#ensures)*
            }
        }
    };

    // Forward.
    let input_of = |k: usize| -> TokenStream {
        if k == 0 {
            quote!(&w.x[..n])
        } else {
            let o = ops[k - 1].out();
            quote!(&w.#o[..n])
        }
    };
    let mut forward = TokenStream::new();
    let last = ops.len() - 1;
    let softmax_last = matches!(ops[last].layer.kind, Kind::Activation(Activation::Softmax));
    for (k, op) in ops.iter().enumerate() {
        let input = input_of(k);
        let out = op.out();
        let name = op.name();
        let stmt = match &op.layer.kind {
            Kind::Conv(conv) => {
                let d = Dims::of(op.layer, conv);
                let (f, wt, b) = (
                    format_ident!("{}_forward_batch", name),
                    format_ident!("{}_weight", name),
                    format_ident!("{}_bias", name),
                );
                let xp = d.padded().then(|| {
                    let xp = format_ident!("xp_{}", name);
                    quote!(&mut w.#xp[0],)
                });
                quote!(Self::#f(s, self.#wt(), self.#b(), #input, &mut w.#out[..n], #xp);)
            }
            Kind::Dense { n: nn, m } => {
                let (wt, b) = (
                    format_ident!("{}_weight", name),
                    format_ident!("{}_bias", name),
                );
                let (nn, m, act) = (lit(*nn), lit(*m), act_value(op.act));
                quote! {
                    ::cnn::__private::batch::dense::forward::<T, S, _, #nn, #m>(
                        s,
                        self.#wt(),
                        self.#b(),
                        ::cnn::__private::batch::reshape(#input),
                        &mut w.#out[..n],
                        #act,
                    );
                }
            }
            Kind::Pool(p) => {
                let f = format_ident!("{}", if p.max { "max" } else { "avg" });
                let sizes = pool_sizes(op.layer, p);
                let consts = quote!(T, S, #sizes);
                quote!(::cnn::__private::batch::pool::#f::<#consts>(s, #input, &mut w.#out[..n]);)
            }
            Kind::Activation(Activation::Softmax) => TokenStream::new(),
            Kind::Activation(a) => {
                let act = act_value(Some(*a));
                quote! {
                    ::cnn::__private::act::apply(
                        s,
                        #act,
                        ::cnn::__private::batch::flat(#input),
                        ::cnn::__private::batch::flat_mut(&mut w.#out[..n]),
                    );
                }
            }
        };
        forward.extend(stmt);
    }

    // The loss.
    let out_len = lit(net.output_shape().len().unwrap_or(0) as usize);
    let last_op = &ops[last];
    let (last_out, last_grad) = (last_op.out(), last_op.grad());
    let plain_loss = quote! {
        ::cnn::__private::batch::loss::<T, S, L, #out_len>(
                    s,
            ::cnn::__private::batch::reshape(&w.#last_out[..n]),
            targets,
            loss,
            scale,
            ::cnn::__private::batch::reshape_mut(&mut w.#last_grad[..n]),
        )
    };
    let loss_stmt = if softmax_last && last > 0 {
        let prev = &ops[last - 1];
        let (logits, d_logits) = (prev.out(), prev.grad());
        quote! {
            let l = if <L as ::cnn::loss::Loss>::TAKES_LOGITS {
                ::cnn::__private::batch::loss::<T, S, L, #out_len>(
                    s,
                    ::cnn::__private::batch::reshape(&w.#logits[..n]),
                    targets,
                    loss,
                    scale,
                    ::cnn::__private::batch::reshape_mut(&mut w.#d_logits[..n]),
                )
            } else {
                ::cnn::__private::batch::softmax::<T, #out_len>(
                    ::cnn::__private::batch::reshape(&w.#logits[..n]),
                    ::cnn::__private::batch::reshape_mut(&mut w.#last_out[..n]),
                );
                let l = #plain_loss;
                ::cnn::__private::batch::softmax_backward::<T, #out_len>(
                    ::cnn::__private::batch::reshape(&w.#last_out[..n]),
                    ::cnn::__private::batch::reshape(&w.#last_grad[..n]),
                    ::cnn::__private::batch::reshape_mut(&mut w.#d_logits[..n]),
                );
                l
            };
        }
    } else {
        quote!(let l = #plain_loss;)
    };

    // Backward.
    let mut backward = TokenStream::new();
    let end = if softmax_last && last > 0 {
        last
    } else {
        last + 1
    };
    for k in (0..end).rev() {
        let op = &ops[k];
        let (out, grad, name) = (op.out(), op.grad(), op.name());
        let input = input_of(k);
        let input_needed = first_param.is_some_and(|p| p < k);
        let d_prev = (k > 0).then(|| {
            let g = ops[k - 1].grad();
            quote!(&mut w.#g[..n])
        });
        if op.act.is_some() {
            let act = act_value(op.act);
            backward.extend(quote! {
                ::cnn::__private::act::backward_in_place(
                    s,
                    #act,
                    ::cnn::__private::batch::flat(&w.#out[..n]),
                    ::cnn::__private::batch::flat_mut(&mut w.#grad[..n]),
                );
            });
        }
        let stmt = match &op.layer.kind {
            Kind::Conv(conv) => {
                let d = Dims::of(op.layer, conv);
                let (wlen, blen) = op.layer.param_lens().expect("a conv has parameters");
                let off = lit(op.layer.param_offset);
                let (wl, bl) = (lit(wlen), lit(blen));
                let (bf, bi, wt) = (
                    format_ident!("{}_backward_batch", name),
                    format_ident!("{}_backward_input_batch", name),
                    format_ident!("{}_weight", name),
                );
                let (dw, db, dzp) = (
                    format_ident!("dw_{}", name),
                    format_ident!("db_{}", name),
                    format_ident!("dzp_{}", name),
                );
                let xp = d.padded().then(|| {
                    let xp = format_ident!("xp_{}", name);
                    quote!(&mut w.#xp[0],)
                });
                let params = quote! {
                    ::cnn::__private::batch::clear(::cnn::__private::batch::flat_mut(&mut w.#dw[..1]));
                    ::cnn::__private::batch::clear(::cnn::__private::batch::flat_mut(&mut w.#db[..1]));
                    Self::#bf(s, #input, &w.#grad[..n], &mut w.#dw[0], &mut w.#db[0], #xp);
                    let (gw, gb) = ::cnn::__private::parts_mut::<_, [T; #wl], [T; #bl], #off>(grad);
                    ::cnn::__private::batch::add_lane_sums(s, ::cnn::__private::batch::flat(&w.#dw[..1]), gw);
                    ::cnn::__private::batch::add_lane_sums(s, ::cnn::__private::batch::flat(&w.#db[..1]), gb);
                };
                let inp = input_needed.then(
                    || quote!(Self::#bi(s, self.#wt(), &w.#grad[..n], #d_prev, &mut w.#dzp[0]);),
                );
                quote!(#params #inp)
            }
            Kind::Dense { n: nn, m } => {
                let off = lit(op.layer.param_offset);
                let wt = format_ident!("{}_weight", name);
                let (nn, m) = (lit(*nn), lit(*m));
                let params = quote! {
                    let (gw, gb) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                    ::cnn::__private::batch::dense::backward::<T, S, #nn, #m>(
                        s,
                        ::cnn::__private::batch::reshape(#input),
                        &w.#grad[..n],
                        gw,
                        gb,
                    );
                };
                let inp = input_needed.then(|| {
                    quote! {
                        ::cnn::__private::batch::dense::backward_input::<T, S, #nn, #m>(
                            s,
                            self.#wt(),
                            &w.#grad[..n],
                            ::cnn::__private::batch::reshape_mut(#d_prev),
                        );
                    }
                });
                quote!(#params #inp)
            }
            Kind::Pool(p) => {
                let sizes = pool_sizes(op.layer, p);
                let consts = quote!(T, S, #sizes);
                if !input_needed {
                    TokenStream::new()
                } else if p.max {
                    quote! {
                        ::cnn::__private::batch::pool::max_backward::<#consts>(
                            s,
                            #input,
                            &w.#out[..n],
                            &w.#grad[..n],
                            #d_prev,
                        );
                    }
                } else {
                    quote!(::cnn::__private::batch::pool::avg_backward::<#consts>(s, &w.#grad[..n], #d_prev);)
                }
            }
            Kind::Activation(a) => {
                if input_needed {
                    let act = act_value(Some(*a));
                    quote! {
                        ::cnn::__private::act::backward(
                            s,
                            #act,
                            ::cnn::__private::batch::flat(&w.#out[..n]),
                            ::cnn::__private::batch::flat(&w.#grad[..n]),
                            ::cnn::__private::batch::flat_mut(#d_prev),
                        );
                    }
                } else {
                    TokenStream::new()
                }
            }
        };
        backward.extend(stmt);
    }

    let items = quote! {
        type Work = Work<T>;

        fn input_packs(work: &mut Self::Work, blocks: usize) -> &mut [::cnn::__private::Pack<T>] {
            work.ensure(blocks);
            ::cnn::__private::batch::flat_mut(&mut work.x[..blocks])
        }

        #[inline(always)]
        fn train_part<L: ::cnn::loss::Loss, S: ::cnn::__private::Lanes<T>>(
            &self,
            s: S,
            work: &mut Self::Work,
            n: usize,
            targets: ::cnn::ndarray::ArrayView2<'_, T>,
            loss: &L,
            scale: T,
            grad: &mut Self::Params,
        ) -> T {
            let w = work;
            #forward
            #loss_stmt
            #backward
            l
        }
    };
    (work, items)
}
