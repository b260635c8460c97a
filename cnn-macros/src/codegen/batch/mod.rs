//! The training pass on a batch: the buffers of one part of a batch (`Work`), and
//! `Network::train_stage`, which runs every layer over all of the part's blocks: forward, the
//! loss, then backward.
//!
//! A (leaky) relu right after a conv or dense layer is fused into it, as is a sigmoid or tanh
//! after a conv: the layer stores the activation's output, and on the way back the gradient of
//! that output is turned into the gradient of the layer's sums, by the dense layer or max
//! pooling that reads it as they store that gradient, or else in place on its own. A `flatten`
//! is a view of its input. Every other layer is one call on buffers of its own.
//!
//! Batch norm needs the statistics of the whole batch, which is split into parts on threads:
//! the pass is cut into *stages* where it needs them. A stage ends with a batch norm's partial
//! statistics (forward) or partial sums (backward); the runtime combines those of every part
//! (`combine_stage`) and runs the next stage. A network without batch norm is one stage.
//!
//! A tensor read by two layers (the input of a residual block) gets the gradient of the second
//! added to that of the first (`d2_` buffers).
//!
//! Here: where each tensor is stored (`Storage`) and the items put together; the buffers are in
//! `work.rs`, the forward pass and the loss in `forward.rs`, the backward pass in `backward.rs`.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::conv::batch as conv_batch;
use crate::codegen::{fuses_on_batch, lit};
use crate::ir::{Activation, Kind, Network};
use crate::shape::Shape;

mod backward;
mod forward;
mod work;

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
                    (fuses_on_batch(&net.layers[p], layer)
                        && net.only_read_by(input, i)
                        && !s.alias[p])
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

    /// For tensor `t`, the output of an activation fused into the layer before it: that
    /// layer and the activation.
    fn fused_output(&self, net: &Network, t: usize) -> Option<(usize, Activation)> {
        let a = t.checked_sub(1)?;
        if !self.alias[a] || !matches!(net.layers[a].kind, Kind::Activation(_)) {
            return None;
        }
        let p = net.layers[a].inputs[0].checked_sub(1)?;
        self.fused[p].map(|act| (p, act))
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

    /// The part's blocks of tensor `t`, in the pass (`&w.out_conv1[..n]`).
    fn buf(&self, t: usize) -> TokenStream {
        let f = self.field(t);
        quote!(&w.#f[..n])
    }

    /// The same, as one flat slice of packs.
    fn flat(&self, t: usize) -> TokenStream {
        let f = self.field(t);
        quote!(::cnn::__private::batch::flat(&w.#f[..n]))
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

/// The conv kernels of every conv layer, for the inherent `impl`.
pub fn kernels(net: &Network) -> TokenStream {
    let storage = Storage::of(net);
    let mut out = TokenStream::new();
    for (i, layer) in net.layers.iter().enumerate() {
        if let Kind::Conv(c) = &layer.kind {
            out.extend(conv_batch::forward(layer, c, storage.fused[i]));
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

    /// With the `profile` feature, the time since the last lap counts as `label`'s.
    fn lap(&mut self, label: String) {
        self.current.extend(crate::codegen::lap(&label));
    }

    fn cut(&mut self, combine: TokenStream) {
        self.done.push(std::mem::take(&mut self.current));
        self.combines.push(combine);
    }
}
/// The `Work` struct and the `Network` items of the batch pass.
pub fn items(net: &Network) -> (TokenStream, TokenStream) {
    let st = Storage::of(net);
    let work = work::work(net, &st);
    let mut stages = Stages {
        done: Vec::new(),
        current: TokenStream::new(),
        combines: Vec::new(),
    };
    forward::forward(net, &st, &mut stages);
    let loss = forward::loss(net, &st, &mut stages);
    let loss_stage = loss.stage;
    backward::backward(net, &st, loss, &mut stages);
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
        let start = crate::codegen::lap_start();
        quote!(#k => { #start #skip #body })
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
