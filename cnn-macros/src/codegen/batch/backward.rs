//! The backward pass of a part of a batch, layer by layer from the loss: each layer's
//! gradients of its parameters and of its input, and a second reader's gradient added.

use quote::{format_ident, quote};

use super::forward::LossEnd;
use super::{Stages, Storage, needs_grad, spatial};
use crate::codegen::conv::{Dims, batch as conv_batch};
use crate::codegen::{act_value, lit, pool_sizes};
use crate::ir::{Kind, Network, Pool};

/// Every layer's backward statements, from the layer whose output's gradient the loss wrote.
pub(super) fn backward(net: &Network, st: &Storage, loss: LossEnd, stages: &mut Stages) {
    let LossEnd {
        mut has_grad,
        grad_of,
        end,
        ..
    } = loss;
    let needs = needs_grad(net);
    // `written[b]`: the buffer's gradient has its first writer.
    let mut written = vec![false; st.buffers.len()];
    written[st.buffer[grad_of]] = true;
    // Per layer: its fused activation's backward step is taken by the layer that reads it.
    let mut taken_by_reader = vec![false; net.layers.len()];
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
        if let Some(a) = st.fused[i].filter(|_| !taken_by_reader[i]) {
            let act = act_value(Some(a));
            stages.push(quote! {
                ::cnn::__private::act::backward_in_place(
                    s,
                    #act,
                    ::cnn::__private::batch::flat(&w.#out_f[..n]),
                    ::cnn::__private::batch::flat_mut(&mut w.#d_out[..n]),
                );
            });
            stages.lap(format!("{name} activation backward"));
        }
        let d = quote!(&w.#d_out[..n]);
        let d_flat = quote!(::cnn::__private::batch::flat(&w.#d_out[..n]));
        // Where each input's gradient goes, and whether it is wanted: always (`true`), or
        // when the pass asks for dL/dX (`input_grad`).
        let mut dests = Vec::new();
        let always = |t: usize| t > 0 && needs[t];
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
            let wanted = if always(t) {
                quote!(true)
            } else {
                quote!(input_grad)
            };
            dests.push((t, target, add, wanted));
        }
        let input = st.buf(layer.inputs[0]);
        // A dense layer or max pooling whose input is the output of a fused activation, and
        // its only reader, takes that activation's backward step as it stores the gradient.
        let reader_act = st
            .fused_output(net, layer.inputs[0])
            .filter(|_| {
                net.only_read_by(layer.inputs[0], i)
                    && matches!(
                        layer.kind,
                        Kind::Dense { .. } | Kind::Pool(Pool { max: true, .. })
                    )
            })
            .map(|(p, a)| {
                taken_by_reader[p] = true;
                act_value(Some(a))
            })
            .unwrap_or_else(|| act_value(None));
        let (_, target0, _, wanted0) = &dests[0];
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
                let dzp = conv_batch::dz_border(&d2).map(|_| quote!(&mut w.#dzp[0]));
                let lap_w = crate::codegen::lap(&format!("{name} backward, weights"));
                let inp = quote! {
                    #lap_w
                    if #wanted0 {
                        Self::#bi(s, self.#wt(), #d, ::cnn::__private::batch::reshape_mut(#into), #dzp);
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
                let weights = quote! {
                    ::cnn::__private::batch::dense::backward::<T, S, #nn, #m>(
                        s,
                        ::cnn::__private::batch::reshape(#input),
                        #d,
                        gw,
                        gb,
                    );
                };
                let both = quote! {
                    ::cnn::__private::batch::dense::backward_and_input::<T, S, _, #nn, #m>(
                        s,
                        self.#wt(),
                        ::cnn::__private::batch::reshape(#input),
                        #d,
                        gw,
                        gb,
                        #reader_act,
                        ::cnn::__private::batch::reshape_mut(#into),
                    );
                };
                let pass = if always(layer.inputs[0]) {
                    both
                } else {
                    quote!(if #wanted0 { #both } else { #weights })
                };
                quote! {
                    let (gw, gb) = ::cnn::__private::parts_mut::<_, _, _, #off>(grad);
                    #pass
                }
            }
            Kind::Pool(p) => {
                let sizes = pool_sizes(layer, p);
                let call = if p.max {
                    quote! {
                        ::cnn::__private::batch::pool::max_backward::<T, S, _, #sizes>(
                            s,
                            #reader_act,
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
                let input_flat = st.flat(layer.inputs[0]);
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
        stages.lap(if matches!(layer.kind, Kind::Conv(_)) {
            format!("{name} backward, input")
        } else {
            format!("{name} backward")
        });
    }
}
