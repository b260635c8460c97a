//! The training pass on a batch: the buffers of one part of a batch (`Work`), and
//! `Network::train_stage`, which runs every layer over all of the part's blocks: forward, the
//! loss, then backward.
//!
//! A (leaky) relu right after a conv or dense layer is fused into it: the layer stores the
//! relu's output, and on the way back the gradient of that output is turned, in place, into the
//! gradient of the layer's sums. A `flatten` is a view of its input. Every other layer is one
//! call on buffers of its own.
//!
//! Batch norm needs the statistics of the whole batch, which is split into parts on threads:
//! the pass is cut into *stages* where it needs them. A stage ends with a batch norm's partial
//! statistics (forward) or partial sums (backward); the runtime combines those of every part
//! (`combine_stage`) and runs the next stage. A network without batch norm is one stage.
//!
//! A tensor read by two layers (the input of a residual block) gets the gradient of the second
//! added to that of the first (`d2_` buffers).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::conv::Dims;
use crate::codegen::conv::batch::{self as conv_batch, pack_image};
use crate::codegen::{act_value, fuses, lit, pool_sizes};
use crate::ir::{Activation, Kind, Network};
use crate::shape::Shape;

/// What stores a tensor: the field of its buffer (`x`, `out_conv1`), for every tensor.
struct Storage {
    /// Per tensor: the buffer that holds it.
    buffer: Vec<usize>,
    /// Per buffer: its field name and the shape of its blocks.
    buffers: Vec<(Ident, Shape)>,
    /// Per layer: whether it computes nothing of its own (a fused relu, a flatten).
    alias: Vec<bool>,
    /// Per layer: the relu fused into it.
    fused: Vec<Option<Activation>>,
}

impl Storage {
    fn of(net: &Network) -> Storage {
        let mut s = Storage {
            buffer: vec![0],
            buffers: vec![(format_ident!("x"), net.input_shape())],
            alias: vec![false; net.layers.len()],
            fused: vec![None; net.layers.len()],
        };
        for (i, layer) in net.layers.iter().enumerate() {
            let input = layer.inputs[0];
            let fused = match layer.kind {
                Kind::Activation(a) if input > 0 => {
                    let p = input - 1;
                    (fuses(&net.layers[p], layer) && net.only_read_by(input, i) && !s.alias[p])
                        .then_some((p, a))
                }
                _ => None,
            };
            if let Some((p, a)) = fused {
                s.fused[p] = Some(a);
                s.alias[i] = true;
                s.buffer.push(s.buffer[input]);
            } else if matches!(layer.kind, Kind::Flatten) {
                s.alias[i] = true;
                s.buffer.push(s.buffer[input]);
            } else {
                s.buffer.push(s.buffers.len());
                s.buffers
                    .push((format_ident!("out_{}", layer.name), layer.output));
            }
        }
        s
    }

    fn field(&self, t: usize) -> &Ident {
        &self.buffers[self.buffer[t]].0
    }

    /// `d_out_conv1`: the gradient of a buffer.
    fn grad(&self, t: usize) -> Ident {
        format_ident!("d_{}", self.field(t))
    }

    /// `d2_out_conv1`: the gradient of a buffer from a second reader.
    fn grad2(&self, t: usize) -> Ident {
        format_ident!("d2_{}", self.field(t))
    }
}

/// Values a training step keeps per example: every buffer and its gradient (and a second
/// gradient for a tensor read twice).
pub fn values_per_example(net: &Network) -> usize {
    let st = Storage::of(net);
    let mut writers = vec![0usize; st.buffers.len()];
    for (i, layer) in net.layers.iter().enumerate() {
        if !st.alias[i] {
            for &t in &layer.inputs {
                writers[st.buffer[t]] += 1;
            }
        }
    }
    st.buffers
        .iter()
        .enumerate()
        .map(|(b, (_, shape))| {
            shape.len().unwrap_or(0) as usize * if writers[b] > 1 { 3 } else { 2 }
        })
        .sum()
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
    let storage = Storage::of(net);
    let mut out = TokenStream::new();
    for (i, layer) in net.layers.iter().enumerate() {
        if let Kind::Conv(c) = &layer.kind {
            let act = storage.fused[i].map(|a| act_value(Some(a)));
            out.extend(conv_batch::forward(layer, c, &act));
            out.extend(conv_batch::backward(layer, c));
            out.extend(conv_batch::backward_input(layer, c));
        }
    }
    out
}

/// Per tensor: whether a layer with parameters is upstream of it (through any path), so that
/// the pass computes its gradient. The input's is computed only when asked for.
fn needs_grad(net: &Network) -> Vec<bool> {
    let mut needs = vec![false; net.layers.len() + 1];
    for (i, layer) in net.layers.iter().enumerate() {
        needs[i + 1] = layer.param_lens().is_some() || layer.inputs.iter().any(|&t| needs[t]);
    }
    needs
}

/// A buffer of the part: its field, its type, how many blocks it holds (`1` for a scratch
/// block, `blocks` for one per block, or `channels` scalars for statistics).
struct Field {
    name: Ident,
    ty: TokenStream,
    len: TokenStream,
    doc: String,
}

/// The statements of the pass, cut into stages.
struct Stages {
    done: Vec<TokenStream>,
    current: TokenStream,
    /// What each cut's combination does, in order.
    combines: Vec<TokenStream>,
}

impl Stages {
    fn push(&mut self, t: TokenStream) {
        self.current.extend(t);
    }

    fn cut(&mut self, combine: TokenStream) {
        self.done.push(std::mem::take(&mut self.current));
        self.combines.push(combine);
    }
}

/// The `Work` struct and the `Network` items of the batch pass.
pub fn items(net: &Network) -> (TokenStream, TokenStream) {
    let st = Storage::of(net);
    let needs = needs_grad(net);
    let mut fields: Vec<Field> = Vec::new();
    let per_block = |name: Ident, s: Shape, doc: String| Field {
        name,
        ty: block_ty(s),
        len: quote!(blocks),
        doc,
    };
    // Which buffers get a gradient from two readers.
    let mut writers = vec![0usize; st.buffers.len()];
    for (i, layer) in net.layers.iter().enumerate() {
        if !st.alias[i] {
            for &t in &layer.inputs {
                writers[st.buffer[t]] += 1;
            }
        }
    }
    for (b, (name, shape)) in st.buffers.iter().enumerate() {
        fields.push(per_block(
            name.clone(),
            *shape,
            format!(" A tensor of {shape} values per example."),
        ));
        fields.push(per_block(
            format_ident!("d_{}", name),
            *shape,
            format!(" dL/d`{name}`."),
        ));
        if writers[b] > 1 {
            fields.push(per_block(
                format_ident!("d2_{}", name),
                *shape,
                format!(" dL/d`{name}` from its second reader."),
            ));
        }
    }
    for layer in &net.layers {
        let n = &layer.name;
        match &layer.kind {
            Kind::Conv(conv) => {
                let d = Dims::of(layer, conv);
                if d.padded() {
                    fields.push(Field {
                        name: format_ident!("xp_{}", n),
                        ty: pack_image(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw),
                        len: quote!(1),
                        doc: format!(" One block of the input of `{n}` with its zero border."),
                    });
                }
                let b = conv_batch::dz_border(&d);
                let (kw, kh, cc, f) = (lit(d.kw), lit(d.kh), lit(d.cg()), lit(d.f));
                fields.extend([
                    Field {
                        name: format_ident!("dzp_{}", n),
                        ty: pack_image(d.f, b.h, b.w),
                        len: quote!(1),
                        doc: format!(" One block of dL/dZ of `{n}` with its zero border."),
                    },
                    Field {
                        name: format_ident!("dw_{}", n),
                        ty: quote!([[[[::cnn::__private::Pack<T>; #kw]; #kh]; #cc]; #f]),
                        len: quote!(1),
                        doc: format!(
                            " dL/dW of `{n}`, one pack per weight, lanes added at the end."
                        ),
                    },
                    Field {
                        name: format_ident!("db_{}", n),
                        ty: quote!([::cnn::__private::Pack<T>; #f]),
                        len: quote!(1),
                        doc: format!(" dL/db of `{n}`, likewise."),
                    },
                ]);
            }
            Kind::BatchNorm(b) => {
                let c = lit(b.channels);
                for what in [
                    "mean_p",
                    "m2_p",
                    "mean",
                    "inv_std",
                    "var",
                    "sum_dy_p",
                    "sum_dy_xhat_p",
                    "sum_dy",
                    "sum_dy_xhat",
                ] {
                    fields.push(Field {
                        name: format_ident!("{}_{}", n, what),
                        ty: quote!(T),
                        len: quote!(#c),
                        doc: format!(" `{n}`: `{what}` per channel (`_p`: of this part)."),
                    });
                }
            }
            _ => {}
        }
    }
    let field_decls = fields.iter().map(|f| {
        let (name, ty, doc) = (&f.name, &f.ty, &f.doc);
        quote!(#[doc = #doc] #name: ::cnn::__private::Vec<#ty>,)
    });
    let ensures = fields.iter().map(|f| {
        let (name, len) = (&f.name, &f.len);
        if f.ty.to_string() == "T" {
            quote!(::cnn::__private::batch::ensure_scalars(&mut self.#name, #len);)
        } else {
            quote!(::cnn::__private::batch::ensure(&mut self.#name, #len);)
        }
    });
    let work = quote! {
        /// The buffers of one part of a training batch, kept between steps.
        #[derive(Default)]
        pub struct Work<T> {
            #(#field_decls)*
        }

        impl<T: ::cnn::Float> Work<T> {
            /// Room for `blocks` blocks of eight examples.
            fn ensure(&mut self, blocks: usize) {
                #(#ensures)*
            }
        }
    };

    let buf = |t: usize| -> TokenStream {
        let f = st.field(t);
        quote!(&w.#f[..n])
    };
    let flat = |t: usize| -> TokenStream {
        let f = st.field(t);
        quote!(::cnn::__private::batch::flat(&w.#f[..n]))
    };
    let mut stages = Stages {
        done: Vec::new(),
        current: TokenStream::new(),
        combines: Vec::new(),
    };

    // Forward.
    for (i, layer) in net.layers.iter().enumerate() {
        if st.alias[i] {
            continue;
        }
        let (input, out) = (layer.inputs[0], i + 1);
        let out_f = st.field(out);
        let name = &layer.name;
        let stmt = match &layer.kind {
            Kind::Conv(conv) => {
                let d = Dims::of(layer, conv);
                let (f, wt, b) = (
                    format_ident!("{}_forward_batch", name),
                    format_ident!("{}_weight", name),
                    format_ident!("{}_bias", name),
                );
                let xp = d.padded().then(|| {
                    let xp = format_ident!("xp_{}", name);
                    quote!(&mut w.#xp[0],)
                });
                let input = buf(input);
                quote!(Self::#f(s, self.#wt(), self.#b(), ::cnn::__private::batch::reshape(#input), &mut w.#out_f[..n], #xp);)
            }
            Kind::Dense { n: nn, m } => {
                let (wt, b) = (
                    format_ident!("{}_weight", name),
                    format_ident!("{}_bias", name),
                );
                let (nn, m, act) = (lit(*nn), lit(*m), act_value(st.fused[i]));
                let input = buf(input);
                quote! {
                    ::cnn::__private::batch::dense::forward::<T, S, _, #nn, #m>(
                        s,
                        self.#wt(),
                        self.#b(),
                        ::cnn::__private::batch::reshape(#input),
                        &mut w.#out_f[..n],
                        #act,
                    );
                }
            }
            Kind::Pool(p) => {
                let f = format_ident!("{}", if p.max { "max" } else { "avg" });
                let sizes = pool_sizes(layer, p);
                let input = buf(input);
                quote!(::cnn::__private::batch::pool::#f::<T, S, #sizes>(s, ::cnn::__private::batch::reshape(#input), &mut w.#out_f[..n]);)
            }
            Kind::Activation(Activation::Softmax) => TokenStream::new(),
            Kind::Activation(a) => {
                let act = act_value(Some(*a));
                let input = flat(input);
                quote! {
                    ::cnn::__private::act::apply(
                        s,
                        #act,
                        #input,
                        ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]),
                    );
                }
            }
            Kind::BatchNorm(b) => {
                let (c, sp) = (lit(b.channels), lit(b.spatial));
                let fld = |what: &str| format_ident!("{}_{}", name, what);
                let (mean_p, m2_p, mean, inv_std, var) = (
                    fld("mean_p"),
                    fld("m2_p"),
                    fld("mean"),
                    fld("inv_std"),
                    fld("var"),
                );
                let (wt, bi) = (
                    format_ident!("{}_weight", name),
                    format_ident!("{}_bias", name),
                );
                let input_flat = flat(input);
                stages.push(quote! {
                    ::cnn::__private::batch::norm::partial_stats(s, #input_flat, #c, #sp, examples, &mut w.#mean_p, &mut w.#m2_p);
                });
                let eps = b.eps;
                stages.cut(quote! {
                    let parts: ::cnn::__private::Vec<(usize, &[T], &[T])> = works
                        .iter()
                        .zip(counts)
                        .map(|(w, &count)| (count * #sp, &w.#mean_p[..], &w.#m2_p[..]))
                        .collect();
                    let (mut mean, mut inv_std, mut var) = ([T::ZERO; #c], [T::ZERO; #c], [T::ZERO; #c]);
                    ::cnn::__private::batch::norm::combine_stats(&parts, T::from_f64(#eps), &mut mean, &mut inv_std, &mut var);
                    for w in works.iter_mut() {
                        w.#mean.copy_from_slice(&mean);
                        w.#inv_std.copy_from_slice(&inv_std);
                        w.#var.copy_from_slice(&var);
                    }
                });
                quote! {
                    ::cnn::__private::batch::norm::normalize(
                        s,
                        #input_flat,
                        ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]),
                        self.#wt(),
                        self.#bi(),
                        &w.#mean,
                        &w.#inv_std,
                        #sp,
                    );
                }
            }
            Kind::Dropout(p) => {
                let len = lit(layer.output.len().unwrap_or(0) as usize);
                let input = flat(input);
                quote! {
                    ::cnn::__private::batch::norm::dropout(
                        #input,
                        ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]),
                        #len,
                        first,
                        ::cnn::__private::batch::norm::dropout_seed(self.steps, #i),
                        #p,
                    );
                }
            }
            Kind::GlobalAvgPool => {
                let sp = lit(spatial(layer.input));
                let input = flat(input);
                quote!(::cnn::__private::batch::norm::global_avgpool(s, #input, ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]), #sp);)
            }
            Kind::Add => {
                let (a, b) = (flat(layer.inputs[0]), flat(layer.inputs[1]));
                quote!(::cnn::__private::batch::norm::add(s, #a, #b, ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]));)
            }
            Kind::Flatten => unreachable!("a flatten is a view"),
        };
        stages.push(stmt);
    }

    // The loss.
    let out_len = lit(net.output_shape().len().unwrap_or(0) as usize);
    let last = net.layers.len() - 1;
    let softmax_last =
        matches!(net.layers[last].kind, Kind::Activation(Activation::Softmax)) && last > 0;
    let out_t = last + 1;
    let (last_out, last_grad) = (st.field(out_t).clone(), st.grad(out_t));
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
    // Tensors whose gradient is written.
    let mut has_grad = vec![false; net.layers.len() + 1];
    if softmax_last {
        let lt = net.layers[last].inputs[0];
        let (logits, d_logits) = (st.field(lt).clone(), st.grad(lt));
        stages.push(quote! {
            loss_sum = if <L as ::cnn::loss::Loss>::TAKES_LOGITS {
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
        });
        has_grad[lt] = true;
    } else {
        stages.push(quote!(loss_sum = #plain_loss;));
        has_grad[out_t] = true;
    }
    // A pass for the loss alone stops here.
    stages.push(quote! {
        if loss_only {
            return loss_sum;
        }
    });
    let loss_stage = stages.done.len();

    // Backward. `written[b]`: the buffer's gradient has its first writer.
    let mut written = vec![false; st.buffers.len()];
    written[st.buffer[if softmax_last {
        net.layers[last].inputs[0]
    } else {
        out_t
    }]] = true;
    let end = if softmax_last { last } else { last + 1 };
    for i in (0..end).rev() {
        let layer = &net.layers[i];
        let o = i + 1;
        if st.alias[i] || !has_grad[o] {
            if st.alias[i] && has_grad[o] {
                has_grad[layer.inputs[0]] = true;
            }
            continue;
        }
        let name = &layer.name;
        let (out_f, d_out) = (st.field(o).clone(), st.grad(o));
        if let Some(a) = st.fused[i] {
            let act = act_value(Some(a));
            stages.push(quote! {
                ::cnn::__private::act::backward_in_place(
                    s,
                    #act,
                    ::cnn::__private::batch::flat(&w.#out_f[..n]),
                    ::cnn::__private::batch::flat_mut(&mut w.#d_out[..n]),
                );
            });
        }
        let d = quote!(&w.#d_out[..n]);
        let d_flat = quote!(::cnn::__private::batch::flat(&w.#d_out[..n]));
        // Where each input's gradient goes, and whether it is wanted.
        let mut dests = Vec::new();
        for &t in &layer.inputs {
            let b = st.buffer[t];
            let target = if written[b] { st.grad2(t) } else { st.grad(t) };
            let add = written[b].then(|| {
                let (g, g2) = (st.grad(t), st.grad2(t));
                quote! {
                    ::cnn::__private::batch::norm::add_assign(
                        s,
                        ::cnn::__private::batch::flat_mut(&mut w.#g[..n]),
                        ::cnn::__private::batch::flat(&w.#g2[..n]),
                    );
                }
            });
            let wanted = if t > 0 && needs[t] {
                quote!(true)
            } else {
                quote!(input_grad)
            };
            dests.push((t, target, add, wanted));
        }
        let input = buf(layer.inputs[0]);
        let (t0, target0, _, wanted0) = &dests[0];
        let into = quote!(&mut w.#target0[..n]);
        let into_flat = quote!(::cnn::__private::batch::flat_mut(&mut w.#target0[..n]));
        let stmt = match &layer.kind {
            Kind::Conv(conv) => {
                let d2 = Dims::of(layer, conv);
                let (wlen, blen) = layer.param_lens().expect("a conv has parameters");
                let off = lit(layer.param_offset);
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
                let xp = d2.padded().then(|| {
                    let xp = format_ident!("xp_{}", name);
                    quote!(&mut w.#xp[0],)
                });
                let _ = t0;
                let inp = quote! {
                    if #wanted0 {
                        Self::#bi(s, self.#wt(), #d, ::cnn::__private::batch::reshape_mut(#into), &mut w.#dzp[0]);
                    }
                };
                quote! {
                    ::cnn::__private::batch::clear(::cnn::__private::batch::flat_mut(&mut w.#dw[..1]));
                    ::cnn::__private::batch::clear(::cnn::__private::batch::flat_mut(&mut w.#db[..1]));
                    Self::#bf(s, ::cnn::__private::batch::reshape(#input), #d, &mut w.#dw[0], &mut w.#db[0], #xp);
                    let (gw, gb) = ::cnn::__private::parts_mut::<_, [T; #wl], [T; #bl], #off>(grad);
                    ::cnn::__private::batch::add_lane_sums(s, ::cnn::__private::batch::flat(&w.#dw[..1]), gw);
                    ::cnn::__private::batch::add_lane_sums(s, ::cnn::__private::batch::flat(&w.#db[..1]), gb);
                    #inp
                }
            }
            Kind::Dense { n: nn, m } => {
                let off = lit(layer.param_offset);
                let wt = format_ident!("{}_weight", name);
                let (nn, m) = (lit(*nn), lit(*m));
                quote! {
                    let (gw, gb) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                    ::cnn::__private::batch::dense::backward::<T, S, #nn, #m>(
                        s,
                        ::cnn::__private::batch::reshape(#input),
                        #d,
                        gw,
                        gb,
                    );
                    if #wanted0 {
                        ::cnn::__private::batch::dense::backward_input::<T, S, #nn, #m>(
                            s,
                            self.#wt(),
                            #d,
                            ::cnn::__private::batch::reshape_mut(#into),
                        );
                    }
                }
            }
            Kind::Pool(p) => {
                let sizes = pool_sizes(layer, p);
                let call = if p.max {
                    quote! {
                        ::cnn::__private::batch::pool::max_backward::<T, S, #sizes>(
                            s,
                            ::cnn::__private::batch::reshape(#input),
                            &w.#out_f[..n],
                            #d,
                            ::cnn::__private::batch::reshape_mut(#into),
                        );
                    }
                } else {
                    quote!(::cnn::__private::batch::pool::avg_backward::<T, S, #sizes>(s, #d, ::cnn::__private::batch::reshape_mut(#into));)
                };
                quote!(if #wanted0 { #call })
            }
            Kind::Activation(a) => {
                let act = act_value(Some(*a));
                quote! {
                    if #wanted0 {
                        ::cnn::__private::act::backward(
                            s,
                            #act,
                            ::cnn::__private::batch::flat(&w.#out_f[..n]),
                            #d_flat,
                            #into_flat,
                        );
                    }
                }
            }
            Kind::BatchNorm(b) => {
                let (c, sp) = (lit(b.channels), lit(b.spatial));
                let fld = |what: &str| format_ident!("{}_{}", name, what);
                let (mean, inv_std, sdp, sdxp, sd, sdx) = (
                    fld("mean"),
                    fld("inv_std"),
                    fld("sum_dy_p"),
                    fld("sum_dy_xhat_p"),
                    fld("sum_dy"),
                    fld("sum_dy_xhat"),
                );
                let off = lit(layer.param_offset);
                let wt = format_ident!("{}_weight", name);
                let input_flat = flat(layer.inputs[0]);
                stages.push(quote! {
                    ::cnn::__private::batch::norm::partial_sums(
                        s,
                        #input_flat,
                        #d_flat,
                        &w.#mean,
                        &w.#inv_std,
                        #sp,
                        examples,
                        &mut w.#sdp,
                        &mut w.#sdxp,
                    );
                    let (gw, gb): (&mut [T; #c], &mut [T; #c]) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                    for k in 0..#c {
                        gw[k] += w.#sdxp[k];
                        gb[k] += w.#sdp[k];
                    }
                });
                stages.cut(quote! {
                    let (mut sum_dy, mut sum_dy_xhat) = ([T::ZERO; #c], [T::ZERO; #c]);
                    for w in works.iter() {
                        for k in 0..#c {
                            sum_dy[k] += w.#sdp[k];
                            sum_dy_xhat[k] += w.#sdxp[k];
                        }
                    }
                    for w in works.iter_mut() {
                        w.#sd.copy_from_slice(&sum_dy);
                        w.#sdx.copy_from_slice(&sum_dy_xhat);
                    }
                });
                quote! {
                    if #wanted0 {
                        ::cnn::__private::batch::norm::backward(
                            s,
                            #input_flat,
                            #d_flat,
                            #into_flat,
                            self.#wt(),
                            &w.#mean,
                            &w.#inv_std,
                            &w.#sd,
                            &w.#sdx,
                            total * #sp,
                            #sp,
                            examples,
                        );
                    }
                }
            }
            Kind::Dropout(p) => {
                let len = lit(layer.output.len().unwrap_or(0) as usize);
                quote! {
                    if #wanted0 {
                        ::cnn::__private::batch::norm::dropout(
                            #d_flat,
                            #into_flat,
                            #len,
                            first,
                            ::cnn::__private::batch::norm::dropout_seed(self.steps, #i),
                            #p,
                        );
                    }
                }
            }
            Kind::GlobalAvgPool => {
                let sp = lit(spatial(layer.input));
                quote! {
                    if #wanted0 {
                        ::cnn::__private::batch::norm::global_avgpool_backward(s, #d_flat, #into_flat, #sp);
                    }
                }
            }
            Kind::Add => {
                let copies = dests.iter().map(|(_, target, _, wanted)| {
                    quote! {
                        if #wanted {
                            ::cnn::__private::batch::flat_mut(&mut w.#target[..n])
                                .copy_from_slice(::cnn::__private::batch::flat(&w.#d_out[..n]));
                        }
                    }
                });
                quote!(#(#copies)*)
            }
            Kind::Flatten => unreachable!("a flatten is a view"),
        };
        stages.push(stmt);
        for (t, _, add, wanted) in dests {
            if let Some(add) = add {
                stages.push(quote!(if #wanted { #add }));
            }
            written[st.buffer[t]] = true;
            has_grad[t] = true;
        }
    }
    stages.done.push(std::mem::take(&mut stages.current));

    let count = stages.done.len();
    let stage_count = lit(count);
    let bodies = stages.done.iter().enumerate().map(|(k, body)| {
        let skip = (k > loss_stage).then(|| {
            quote! {
                if loss_only {
                    return loss_sum;
                }
            }
        });
        let k = lit(k);
        quote!(#k => { #skip #body })
    });
    let combines = stages.combines.iter().enumerate().map(|(k, body)| {
        let k = lit(k);
        quote!(#k => { #body })
    });
    let x_field = st.field(0).clone();
    let d_x = st.grad(0);
    let updates = net.layers.iter().filter_map(|layer| {
        let Kind::BatchNorm(b) = &layer.kind else {
            return None;
        };
        let (c, off, m) = (b.channels, layer.buffer_offset, b.momentum);
        let (mean, var) = (
            format_ident!("{}_mean", layer.name),
            format_ident!("{}_var", layer.name),
        );
        let (c_l, off_l, voff_l) = (lit(c), lit(off), lit(off + c));
        Some(quote! {
            {
                let buffers = ::cnn::__private::params_of_mut(&mut self.buffers);
                let m = T::from_f64(#m);
                for k in 0..#c_l {
                    buffers[#off_l + k] = (T::ONE - m) * buffers[#off_l + k] + m * work.#mean[k];
                    buffers[#voff_l + k] = (T::ONE - m) * buffers[#voff_l + k] + m * work.#var[k];
                }
            }
        })
    });
    let min_values = net
        .layers
        .iter()
        .filter_map(|l| match &l.kind {
            Kind::BatchNorm(b) => Some((l.path.clone(), b.spatial)),
            _ => None,
        })
        .map(|(path, sp)| {
            let sp = lit(sp);
            quote! {
                if examples * #sp < 2 {
                    return ::core::result::Result::Err(::cnn::Error::BatchStatistics {
                        layer: #path,
                        values: examples * #sp,
                    });
                }
            }
        });
    let items = quote! {
        type Work = Work<T>;

        const STAGES: usize = #stage_count;

        fn input_packs(work: &mut Self::Work, blocks: usize) -> &mut [::cnn::__private::Pack<T>] {
            work.ensure(blocks);
            ::cnn::__private::batch::flat_mut(&mut work.#x_field[..blocks])
        }

        fn input_grad_packs(work: &Self::Work, blocks: usize) -> &[::cnn::__private::Pack<T>] {
            ::cnn::__private::batch::flat(&work.#d_x[..blocks])
        }

        fn check_train_batch(examples: usize) -> ::core::result::Result<(), ::cnn::Error> {
            #(#min_values)*
            let _ = examples;
            ::core::result::Result::Ok(())
        }

        #[inline(always)]
        #[allow(unused_variables, unused_assignments, unused_mut, clippy::needless_range_loop)]
        fn train_stage<L: ::cnn::loss::Loss, S: ::cnn::__private::Lanes<T>>(
            &self,
            s: S,
            stage: usize,
            part: ::cnn::__private::batch::PartInfo,
            work: &mut Self::Work,
            targets: ::cnn::ndarray::ArrayView2<'_, T>,
            loss: &L,
            scale: T,
            grad: &mut Self::Params,
        ) -> T {
            let ::cnn::__private::batch::PartInfo { blocks: n, examples, first, total, input_grad, loss_only } = part;
            let w = work;
            let mut loss_sum = T::ZERO;
            match stage {
                #(#bodies)*
                _ => {}
            }
            loss_sum
        }

        #[allow(unused_variables, clippy::needless_range_loop)]
        fn combine_stage(stage: usize, works: &mut [&mut Self::Work], counts: &[usize]) {
            match stage {
                #(#combines)*
                _ => {}
            }
        }

        #[allow(unused_variables, clippy::needless_range_loop)]
        fn update_buffers(&mut self, work: &Self::Work) {
            #(#updates)*
            self.steps += 1;
        }
    };
    (work, items)
}

/// `H * W` of an image.
fn spatial(s: Shape) -> usize {
    match s {
        Shape::Image { h, w, .. } => (h * w) as usize,
        Shape::Flat(_) => 1,
    }
}
