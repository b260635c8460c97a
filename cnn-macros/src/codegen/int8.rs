//! The int8 network: the layout of its parts, `quantize_with` (from the float network's
//! parameters and its tensors' ranges) and `forward_int8` (integer arithmetic only, no heap,
//! no `std`), as the sequence of the runtime's int8 kernels.
//!
//! A conv or dense layer takes the batch norm after it (folded into its weights) and the relu
//! after that (the lower bound of its requantization). Pooling and a lone relu keep their
//! input's scale and zero point; flatten and dropout are views; sigmoid, tanh and leaky relu
//! are tables; a final softmax is left out (the int8 network gives the logits).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::lit;
use crate::ir::{Activation, Kind, Network};
use crate::shape::Shape;

/// One step of the int8 forward pass.
enum Op {
    /// A conv or dense layer, with the batch norm folded into it and a relu fused.
    Linear {
        layer: usize,
        bn: Option<usize>,
        relu: bool,
    },
    /// Pooling, at its input's scale.
    Pool {
        layer: usize,
    },
    /// A relu no layer before it takes, at its input's scale.
    Relu {
        layer: usize,
    },
    /// A sigmoid, tanh or leaky relu by its table.
    Table {
        layer: usize,
        act: Activation,
    },
    /// A batch norm with no layer to fold into.
    Affine {
        layer: usize,
    },
    GlobalAvgPool {
        layer: usize,
    },
    /// The join of a residual block, a relu fused.
    Add {
        layer: usize,
        relu: bool,
    },
}

/// The int8 network's plan: its steps, where every tensor is, and the parts' sizes.
struct Plan {
    ops: Vec<(Op, usize)>,
    /// Per tensor: its scale's and zero point's index.
    param: Vec<usize>,
    /// Per tensor with its own scale: the tensor whose range gives it, and for the output of
    /// a conv or dense layer whose leaky relu the float network fused into it (so that the
    /// range measured is the relu's), the slope that gives back the range before it.
    params_of: Vec<(usize, Option<f64>)>,
    /// Per tensor: its place in the arena (`None`: the input).
    slot: Vec<Option<usize>>,
    arena: usize,
    /// Per op: the offsets of its weights, integers and multipliers.
    at: Vec<(usize, usize, usize)>,
    weights: usize,
    ints: usize,
    multipliers: usize,
    /// The tensor of the output.
    output: usize,
}

fn plan(net: &Network) -> Plan {
    let layers = &net.layers;
    let n = layers.len();
    let mut param = vec![0usize; n + 1];
    let mut params_of: Vec<(usize, Option<f64>)> = vec![(0, None)];
    let mut slot: Vec<Option<usize>> = vec![None; n + 1];
    let mut arena = 0;
    let mut ops = Vec::new();
    let mut taken = vec![false; n];
    let only = |t: usize, i: usize| net.only_read_by(t, i);
    let next_of = |t: usize| -> Option<usize> {
        match net.consumers(t).as_slice() {
            [j] if only(t, *j) => Some(*j),
            _ => None,
        }
    };
    for i in 0..n {
        if taken[i] {
            continue;
        }
        let layer = &layers[i];
        let input = layer.inputs[0];
        let own = |t: usize, param: &mut Vec<usize>, params_of: &mut Vec<(usize, Option<f64>)>| {
            param[t] = params_of.len();
            params_of.push((t, None));
        };
        let (op, out) = match &layer.kind {
            Kind::Conv(_) | Kind::Dense { .. } => {
                let mut out = i + 1;
                let bn = next_of(out).filter(|&j| matches!(layers[j].kind, Kind::BatchNorm(_)));
                if let Some(j) = bn {
                    taken[j] = true;
                    out = j + 1;
                }
                let relu = next_of(out)
                    .filter(|&j| matches!(layers[j].kind, Kind::Activation(Activation::Relu)));
                if let Some(j) = relu {
                    taken[j] = true;
                    out = j + 1;
                }
                own(out, &mut param, &mut params_of);
                // A leaky relu the float pass fused in: the slot of `out` held its output.
                if bn.is_none()
                    && relu.is_none()
                    && let Some(j) = next_of(out)
                    && let Kind::Activation(Activation::LeakyRelu(a)) = layers[j].kind
                    && crate::codegen::example::aliases(net, j)
                {
                    params_of.last_mut().expect("just pushed").1 = Some(a);
                }
                (
                    Op::Linear {
                        layer: i,
                        bn,
                        relu: relu.is_some(),
                    },
                    out,
                )
            }
            Kind::Pool(_) => {
                param[i + 1] = param[input];
                (Op::Pool { layer: i }, i + 1)
            }
            Kind::Activation(Activation::Relu) => {
                param[i + 1] = param[input];
                (Op::Relu { layer: i }, i + 1)
            }
            Kind::Activation(Activation::Softmax) => {
                // The last layer: the output is its input, the logits.
                param[i + 1] = param[input];
                slot[i + 1] = slot[input];
                continue;
            }
            Kind::Activation(act) => {
                own(i + 1, &mut param, &mut params_of);
                (
                    Op::Table {
                        layer: i,
                        act: *act,
                    },
                    i + 1,
                )
            }
            Kind::BatchNorm(_) => {
                own(i + 1, &mut param, &mut params_of);
                (Op::Affine { layer: i }, i + 1)
            }
            Kind::GlobalAvgPool => {
                own(i + 1, &mut param, &mut params_of);
                (Op::GlobalAvgPool { layer: i }, i + 1)
            }
            Kind::Add => {
                let mut out = i + 1;
                let relu = next_of(out)
                    .filter(|&j| matches!(layers[j].kind, Kind::Activation(Activation::Relu)));
                if let Some(j) = relu {
                    taken[j] = true;
                    out = j + 1;
                }
                own(out, &mut param, &mut params_of);
                (
                    Op::Add {
                        layer: i,
                        relu: relu.is_some(),
                    },
                    out,
                )
            }
            Kind::Flatten | Kind::Dropout(_) => {
                param[i + 1] = param[input];
                slot[i + 1] = slot[input];
                continue;
            }
        };
        slot[out] = Some(arena);
        arena += net.tensor_shape(out).len().unwrap_or(0) as usize;
        ops.push((op, out));
    }
    // Tensors inside a fused op (a conv's output before its batch norm) are never read.
    let (mut weights, mut ints, mut multipliers) = (0, params_of.len(), 0);
    let mut at = Vec::new();
    for (op, _) in &ops {
        at.push((weights, ints, multipliers));
        match op {
            Op::Linear { layer, .. } => {
                let (w, b) = layers[*layer].param_lens().expect("a layer with weights");
                weights += w;
                ints += b;
                multipliers += b;
            }
            Op::Table { .. } => weights += 256,
            Op::Affine { layer } => {
                let Kind::BatchNorm(b) = &layers[*layer].kind else {
                    unreachable!()
                };
                ints += 2 * b.channels;
                multipliers += b.channels;
            }
            Op::GlobalAvgPool { .. } => multipliers += 1,
            Op::Add { .. } => multipliers += 2,
            Op::Pool { .. } | Op::Relu { .. } => {}
        }
    }
    let last = n;
    let output = if matches!(layers[n - 1].kind, Kind::Activation(Activation::Softmax)) {
        layers[n - 1].inputs[0]
    } else {
        last
    };
    Plan {
        ops,
        param,
        params_of,
        slot,
        arena,
        at,
        weights,
        ints,
        multipliers,
        output,
    }
}

/// The bytes of the int8 network and of its forward pass's arena, for the summary.
pub fn sizes(net: &Network) -> (usize, usize) {
    let p = plan(net);
    let bytes = p.weights + 4 * p.ints + 8 * p.multipliers + 4 * p.params_of.len();
    (
        bytes,
        p.arena.max(1) + net.output_shape().len().unwrap_or(0) as usize,
    )
}

/// `C, H, W` of an image shape.
fn chw(s: Shape) -> (usize, usize, usize) {
    match s {
        Shape::Image { c, h, w } => (c as usize, h as usize, w as usize),
        Shape::Flat(n) => (n as usize, 1, 1),
    }
}

/// The `Network` items of the int8 network.
pub fn items(net: &Network) -> TokenStream {
    let p = plan(net);
    let layers = &net.layers;
    let lits = |v: usize| -> Literal { lit(v) };
    let (wl, il, ml, sl) = (
        lits(p.weights.max(1)),
        lits(p.ints),
        lits(p.multipliers.max(1)),
        lits(p.params_of.len()),
    );
    let (in_len, out_len, acts_len) = (
        lits(net.input_len()),
        lits(net.tensor_shape(p.output).len().unwrap_or(0) as usize),
        lits(p.arena.max(1)),
    );
    let out_param = lits(p.param[p.output]);
    let tensor_ref = |t: usize| -> (TokenStream, usize) {
        let len = net.tensor_shape(t).len().unwrap_or(0) as usize;
        (
            match p.slot[t] {
                None => quote!(None),
                Some(at) => {
                    let (at, len) = (lits(at), lits(len));
                    quote!(Some((#at, #len)))
                }
            },
            len,
        )
    };
    let zp = |t: usize| {
        let k = lits(p.param[t]);
        quote!(q.ints.as_ref()[#k])
    };

    let mut forward = TokenStream::new();
    let mut quantize = TokenStream::new();
    for ((op, out), &(w_at, i_at, m_at)) in p.ops.iter().zip(&p.at) {
        let out_t = *out;
        let (out_at, out_len) = (
            lits(p.slot[out_t].expect("an op's output is in the arena")),
            lits(net.tensor_shape(out_t).len().unwrap_or(0) as usize),
        );
        let layer_of = |op: &Op| match op {
            Op::Linear { layer, .. }
            | Op::Pool { layer }
            | Op::Relu { layer }
            | Op::Table { layer, .. }
            | Op::Affine { layer }
            | Op::GlobalAvgPool { layer }
            | Op::Add { layer, .. } => *layer,
        };
        let l = &layers[layer_of(op)];
        let input_t = l.inputs[0];
        let (input_ref, _) = tensor_ref(input_t);
        let io = quote! {
            let (input, out): (&[i8], &mut [i8]) = match #input_ref {
                None => (x.as_ref(), &mut acts.as_mut()[#out_at..#out_at + #out_len]),
                Some(at) => ::cnn::__private::quant::io(acts.as_mut(), at, (#out_at, #out_len)),
            };
        };
        let (wa, ia, ma) = (lits(w_at), lits(i_at), lits(m_at));
        let (zp_in, zp_out) = (zp(input_t), zp(out_t));
        let (s_in, s_out) = (lits(p.param[input_t]), lits(p.param[out_t]));
        let name = &l.name;
        match op {
            Op::Linear { layer, bn, relu } => {
                let layer = &layers[*layer];
                let (wlen, blen) = layer.param_lens().expect("weights");
                let (wlen_l, blen_l) = (lits(wlen), lits(blen));
                let low = if *relu { zp_out.clone() } else { quote!(-128) };
                let call = match &layer.kind {
                    Kind::Conv(c) => {
                        let (ci, h, w) = chw(layer.input);
                        let (f, oh, ow) = chw(layer.output);
                        let s = [
                            ci, h, w, f, oh, ow, c.kh, c.kw, c.stride, c.pad_h, c.pad_w, c.groups,
                        ]
                        .map(lits);
                        quote! {
                            ::cnn::__private::quant::kernels::conv::<#(#s),*>(
                                input,
                                #zp_in,
                                &q.weights.as_ref()[#wa..#wa + #wlen_l],
                                &q.ints.as_ref()[#ia..#ia + #blen_l],
                                &q.multipliers.as_ref()[#ma..#ma + #blen_l],
                                #zp_out,
                                #low,
                                out,
                            );
                        }
                    }
                    Kind::Dense { n, m } => {
                        let (n, m) = (lits(*n), lits(*m));
                        quote! {
                            ::cnn::__private::quant::kernels::dense::<#n, #m>(
                                input,
                                &q.weights.as_ref()[#wa..#wa + #wlen_l],
                                &q.ints.as_ref()[#ia..#ia + #blen_l],
                                &q.multipliers.as_ref()[#ma..#ma + #blen_l],
                                #zp_out,
                                #low,
                                out,
                            );
                        }
                    }
                    _ => unreachable!("a linear op is a conv or dense layer"),
                };
                forward.extend(quote!({ #io #call }));
                let off = lits(layer.param_offset);
                let bn = match bn {
                    Some(j) => {
                        let b = &layers[*j];
                        let Kind::BatchNorm(k) = &b.kind else {
                            unreachable!()
                        };
                        let (po, bo, c) = (
                            lits(b.param_offset),
                            lits(b.buffer_offset),
                            lits(k.channels),
                        );
                        let eps = k.eps;
                        quote! {
                            Some(::cnn::__private::quant::calibrate::BatchNormFold {
                                gamma: &params[#po..#po + #c],
                                beta: &params[#po + #c..#po + 2 * #c],
                                mean: &buffers[#bo..#bo + #c],
                                var: &buffers[#bo + #c..#bo + 2 * #c],
                                eps: #eps,
                            })
                        }
                    }
                    None => quote!(None),
                };
                quantize.extend(quote! {
                    ::cnn::__private::quant::calibrate::linear(
                        &params[#off..#off + #wlen_l],
                        &params[#off + #wlen_l..#off + #wlen_l + #blen_l],
                        #bn,
                        (scales[#s_in], zps[#s_in]),
                        scales[#s_out],
                        &mut q.weights.as_mut()[#wa..#wa + #wlen_l],
                        &mut q.ints.as_mut()[#ia..#ia + #blen_l],
                        &mut q.multipliers.as_mut()[#ma..#ma + #blen_l],
                    );
                });
            }
            Op::Pool { layer } => {
                let layer = &layers[*layer];
                let Kind::Pool(pool) = &layer.kind else {
                    unreachable!()
                };
                let f = format_ident!("{}", if pool.max { "maxpool" } else { "avgpool" });
                let sizes = crate::codegen::pool_sizes(layer, pool);
                forward.extend(
                    quote!({ #io ::cnn::__private::quant::kernels::#f::<#sizes>(input, out); }),
                );
            }
            Op::Relu { .. } => {
                forward.extend(
                    quote!({ #io ::cnn::__private::quant::kernels::relu(input, #zp_in, out); }),
                );
            }
            Op::Table { act, .. } => {
                let f = match act {
                    Activation::Sigmoid => quote!(|v: f64| 1.0 / (1.0 + (-v).exp())),
                    Activation::Tanh => quote!(f64::tanh),
                    Activation::LeakyRelu(a) => quote!(|v: f64| if v > 0.0 { v } else { #a * v }),
                    Activation::Relu | Activation::Softmax => {
                        unreachable!("relu and softmax have no table")
                    }
                };
                forward.extend(quote! {{
                    #io
                    let table: &[i8; 256] = q.weights.as_ref()[#wa..#wa + 256].try_into().expect("a table of 256");
                    ::cnn::__private::quant::kernels::table(input, table, out);
                }});
                quantize.extend(quote! {
                    ::cnn::__private::quant::calibrate::table(
                        #f,
                        (scales[#s_in], zps[#s_in]),
                        (scales[#s_out], zps[#s_out]),
                        &mut q.weights.as_mut()[#wa..#wa + 256],
                    );
                });
            }
            Op::Affine { layer } => {
                let b = &layers[*layer];
                let Kind::BatchNorm(k) = &b.kind else {
                    unreachable!()
                };
                let (c, sp) = (lits(k.channels), lits(k.spatial));
                let (po, bo) = (lits(b.param_offset), lits(b.buffer_offset));
                let eps = k.eps;
                forward.extend(quote! {{
                    #io
                    ::cnn::__private::quant::kernels::affine::<#c, #sp>(
                        input,
                        #zp_in,
                        &q.multipliers.as_ref()[#ma..#ma + #c],
                        &q.ints.as_ref()[#ia..#ia + #c],
                        &q.ints.as_ref()[#ia + #c..#ia + 2 * #c],
                        #zp_out,
                        -128,
                        out,
                    );
                }});
                quantize.extend(quote! {{
                    let (negative, offset) = q.ints.as_mut()[#ia..#ia + 2 * #c].split_at_mut(#c);
                    ::cnn::__private::quant::calibrate::affine(
                        (
                            &params[#po..#po + #c],
                            &params[#po + #c..#po + 2 * #c],
                            &buffers[#bo..#bo + #c],
                            &buffers[#bo + #c..#bo + 2 * #c],
                            #eps,
                        ),
                        scales[#s_in],
                        scales[#s_out],
                        &mut q.multipliers.as_mut()[#ma..#ma + #c],
                        negative,
                        offset,
                    );
                }});
            }
            Op::GlobalAvgPool { .. } => {
                let (c, h, w) = chw(l.input);
                let (c, sp, spn) = (lits(c), lits(h * w), (h * w) as f64);
                forward.extend(quote! {{
                    #io
                    ::cnn::__private::quant::kernels::global_avgpool::<#c, #sp>(
                        input,
                        #zp_in,
                        q.multipliers.as_ref()[#ma],
                        #zp_out,
                        out,
                    );
                }});
                quantize.extend(quote! {
                    q.multipliers.as_mut()[#ma] = ::cnn::__private::quant::Multiplier::of(scales[#s_in] / (#spn * scales[#s_out]));
                });
            }
            Op::Add { relu, .. } => {
                let b_t = l.inputs[1];
                let (b_ref, _) = tensor_ref(b_t);
                let (zp_b, s_b) = (zp(b_t), lits(p.param[b_t]));
                let low = if *relu { zp_out.clone() } else { quote!(-128) };
                let (ilen, _) = (
                    lits(net.tensor_shape(input_t).len().unwrap_or(0) as usize),
                    (),
                );
                let _ = ilen;
                forward.extend(quote! {{
                    let (a, b, out): (&[i8], &[i8], &mut [i8]) = match (#input_ref, #b_ref) {
                        (Some(a), Some(b)) => ::cnn::__private::quant::io2(acts.as_mut(), a, b, (#out_at, #out_len)),
                        (None, Some(b)) => {
                            let (b, out) = ::cnn::__private::quant::io(acts.as_mut(), b, (#out_at, #out_len));
                            (x.as_ref(), b, out)
                        }
                        (Some(a), None) => {
                            let (a, out) = ::cnn::__private::quant::io(acts.as_mut(), a, (#out_at, #out_len));
                            (a, x.as_ref(), out)
                        }
                        (None, None) => (x.as_ref(), x.as_ref(), &mut acts.as_mut()[#out_at..#out_at + #out_len]),
                    };
                    ::cnn::__private::quant::kernels::add(
                        a,
                        #zp_in,
                        q.multipliers.as_ref()[#ma],
                        b,
                        #zp_b,
                        q.multipliers.as_ref()[#ma + 1],
                        #zp_out,
                        #low,
                        out,
                    );
                }});
                quantize.extend(quote! {
                    q.multipliers.as_mut()[#ma] = ::cnn::__private::quant::Multiplier::of(scales[#s_in] / scales[#s_out]);
                    q.multipliers.as_mut()[#ma + 1] = ::cnn::__private::quant::Multiplier::of(scales[#s_b] / scales[#s_out]);
                });
            }
        }
        let _ = name;
    }
    let (out_ref, _) = tensor_ref(p.output);
    let tensors_of = p.params_of.iter().map(|&(t, _)| lits(t));
    let slopes = p.params_of.iter().map(|&(_, a)| match a {
        Some(a) => quote!(Some(#a)),
        None => quote!(None),
    });
    let count = lits(p.params_of.len());
    quote! {
        type QWeights = [i8; #wl];
        type QInts = [i32; #il];
        type QMultipliers = [::cnn::__private::quant::Multiplier; #ml];
        type QScales = [f32; #sl];
        type QInput = [i8; #in_len];
        type QOutput = [i8; #out_len];
        type QActs = [i8; #acts_len];
        const Q_OUTPUT_TENSOR: usize = #out_param;

        #[allow(unused_variables, clippy::identity_op, clippy::erasing_op)]
        fn forward_int8(
            q: &::cnn::__private::quant::Int8<Self>,
            x: &Self::QInput,
            acts: &mut Self::QActs,
        ) -> Self::QOutput {
            use ::cnn::__private::quant::Ints as _;
            #forward
            let mut y = <Self::QOutput as ::cnn::__private::quant::Ints<i8>>::zeroed();
            let out: &[i8] = match #out_ref {
                None => x.as_ref(),
                Some((at, len)) => &acts.as_ref()[at..at + len],
            };
            y.copy_from_slice(out);
            y
        }

        ::cnn::__private::with_std! {
            #[allow(unused_variables, clippy::identity_op, clippy::erasing_op)]
            fn quantize_with(&self, ranges: &[(f64, f64)], q: &mut ::cnn::__private::quant::Int8<Self>) {
                let params = <Self as ::cnn::Network>::params(self);
                let buffers = <Self as ::cnn::Network>::buffers(self);
                // Every tensor with a scale of its own, from its range.
                let tensors: [usize; #count] = [#(#tensors_of),*];
                let slopes: [::core::option::Option<f64>; #count] = [#(#slopes),*];
                let mut scales = [0.0f64; #count];
                let mut zps = [0i32; #count];
                for (k, &t) in tensors.iter().enumerate() {
                    let (min, max) = match slopes[k] {
                        Some(a) => (ranges[t].0 / a, ranges[t].1),
                        None => ranges[t],
                    };
                    let (s, z) = ::cnn::__private::quant::calibrate::tensor_params(min, max);
                    scales[k] = s;
                    zps[k] = z;
                    q.scales.as_mut()[k] = s as f32;
                    q.ints.as_mut()[k] = z;
                }
                #quantize
            }
        }
    }
}
