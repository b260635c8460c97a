//! The forward pass of a part of a batch, layer by layer, and the loss.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Stages, Storage, spatial};
use crate::codegen::conv::Dims;
use crate::codegen::{act_value, lit, pool_sizes};
use crate::ir::{Activation, Kind, Network};

/// Every layer's forward statement, and the batch norms' cuts.
pub(super) fn forward(net: &Network, st: &Storage, stages: &mut Stages) {
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
                let input = st.buf(input);
                quote!(Self::#f(s, self.#wt(), self.#b(), ::cnn::__private::batch::reshape(#input), &mut w.#out_f[..n], #xp);)
            }
            Kind::Dense { n: nn, m } => {
                let (wt, b) = (
                    format_ident!("{}_weight", name),
                    format_ident!("{}_bias", name),
                );
                let (nn, m, act) = (lit(*nn), lit(*m), act_value(st.fused[i]));
                let input = st.buf(input);
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
                let input = st.buf(input);
                quote!(::cnn::__private::batch::pool::#f::<T, S, #sizes>(s, ::cnn::__private::batch::reshape(#input), &mut w.#out_f[..n]);)
            }
            Kind::Activation(Activation::Softmax) => TokenStream::new(),
            Kind::Activation(a) => {
                let act = act_value(Some(*a));
                let input = st.flat(input);
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
                let input_flat = st.flat(input);
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
                let input = st.flat(input);
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
                let input = st.flat(input);
                quote!(::cnn::__private::batch::norm::global_avgpool(s, #input, ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]), #sp);)
            }
            Kind::Add => {
                let (a, b) = (st.flat(layer.inputs[0]), st.flat(layer.inputs[1]));
                quote!(::cnn::__private::batch::norm::add(s, #a, #b, ::cnn::__private::batch::flat_mut(&mut w.#out_f[..n]));)
            }
            Kind::Flatten => unreachable!("a flatten is a view"),
        };
        if !stmt.is_empty() {
            stages.push(stmt);
            stages.lap(format!("{name} forward"));
        }
    }
}

/// Where the loss leaves the pass, for the backward pass to go on from.
pub(super) struct LossEnd {
    /// The stage the loss ends.
    pub stage: usize,
    /// Per tensor: whether its gradient is written (so far, the one the loss writes).
    pub has_grad: Vec<bool>,
    /// The tensor whose gradient the loss writes: the output, or the logits of a softmax
    /// fused with the loss.
    pub grad_of: usize,
    /// The layers the backward pass goes through: `0..end`, from the last (a fused softmax's
    /// backward is the loss's).
    pub end: usize,
}

/// The loss and the gradient of the output (or of the logits, a softmax fused with the loss).
pub(super) fn loss(net: &Network, st: &Storage, stages: &mut Stages) -> LossEnd {
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
    stages.lap("loss".to_owned());
    // A pass for the loss alone stops here.
    stages.push(quote! {
        if loss_only {
            return loss_sum;
        }
    });
    let grad_of = if softmax_last {
        net.layers[last].inputs[0]
    } else {
        out_t
    };
    LossEnd {
        stage: stages.done.len(),
        has_grad,
        grad_of,
        end: if softmax_last { last } else { last + 1 },
    }
}
