//! The size budgets of a network, so that a definition too large for this design is a compile
//! error that names its limit, rather than a stack overflow at run time or a compile that never
//! ends. The limits are constants; [`Budget`] keeps the running totals as `check` walks the
//! chain, and the per-layer checks (one filter's taps, one layer's weights) sit beside it.

use proc_macro2::Span;

use crate::ast::LayerDef;
use crate::ir::{Kind, Layer};
use crate::report::Errors;

/// Parameters of a network. They live on the heap with `std` (inline without it), and a
/// training step keeps their gradient per thread and the optimizer its state: the crate is for
/// small networks, and a million parameters is well beyond them.
pub const MAX_PARAMS: u64 = 1 << 20;
/// Scalars in the input and all layer outputs of one example. The heap-free `forward` keeps
/// them on the stack (2 MiB in `f32` at the budget); the batch functions keep them on the heap.
pub const MAX_ACTIVATIONS: u64 = 1 << 19;
/// Taps of one filter: each is one unrolled statement in the generated functions.
pub const MAX_KERNEL_TAPS: u64 = 225;
/// Taps of all the network's filters together (`sum Kh * Kw` over its conv layers), which is
/// what its compile time grows with, not channels or image sizes. Measured (BENCHMARKS.md,
/// `cargo bench --bench compile_time -- --runs 1 default limits`): LeNet-5 (50 taps) and
/// LeNet-5 with ten times the channels build in 6.9 s and 7.1 s in release; one 1x225 kernel
/// in 19 s, one 15x15 in 24 s; a network at every budget at once (a 1x225 kernel, then 31 1x1
/// convs) in 43 s, and in 113 s with both `f32` and `f64` instantiated.
pub const MAX_NETWORK_TAPS: u64 = 256;
/// Layers after the input. The training step of a network is one function through all its
/// layers, and its compile time grows faster than the layer count (before the batch redesign:
/// 51 layers built in 14 s, 201 in 32 s, 401 in 101 s, conv and relu layers alternating); 32
/// conv layers of 1x7, 64 layers in all, build in 41 s (measured as above).
pub const MAX_LAYERS: usize = 64;

/// What a network has used of each budget up to the layer being checked.
pub struct Budget {
    params: u64,
    activations: u64,
    taps: u64,
    layers: usize,
    /// Layers checked so far, inside blocks too.
    all_layers: usize,
}

impl Budget {
    /// The budget of a network whose input is `C x H x W`: its values count as activations.
    pub fn start(input: [u64; 3], first: &LayerDef, errors: &mut Errors) -> Option<Budget> {
        let activations = input
            .iter()
            .try_fold(1u64, |a, &b| a.checked_mul(b))
            .unwrap_or(u64::MAX);
        if activations > MAX_ACTIVATIONS {
            let shape = input.map(|v| v.to_string()).join("x");
            errors.at(
                first.span(),
                format!("the input has {shape} values, over the budget of {MAX_ACTIVATIONS} values of one example: the heap-free `forward` keeps them on the stack"),
            );
            return None;
        }
        Some(Budget {
            params: 0,
            activations,
            taps: 0,
            layers: 0,
            all_layers: 0,
        })
    }

    /// The number of layers after the input, all of them at once: the span is the first layer
    /// over the budget.
    pub fn add_layers(&mut self, rest: &[LayerDef], errors: &mut Errors) -> Option<()> {
        self.layers = rest.len();
        if self.layers > MAX_LAYERS {
            errors.at(
                rest[MAX_LAYERS].span(),
                format!("the network has {} layers after its input, over the budget of {MAX_LAYERS}: its training step is one function through all of them, and compile time grows faster than the layer count", self.layers),
            );
            return None;
        }
        Some(())
    }

    /// Adds a checked layer's parameters, kernel taps and output values, in that order; the
    /// first budget it exceeds is the error, on the layer. Layers inside residual blocks
    /// count towards the layer budget too.
    pub fn add(&mut self, layer: &Layer, errors: &mut Errors) -> Option<()> {
        self.all_layers += 1;
        if self.all_layers > MAX_LAYERS {
            errors.at(
                layer.span,
                format!("the network has {} layers up to here, counting those inside blocks, over the budget of {MAX_LAYERS}: its training step is one function through all of them, and compile time grows faster than the layer count", self.all_layers),
            );
            return None;
        }
        if let Some((w, b)) = layer.param_lens() {
            self.params = self.params.saturating_add((w + b) as u64);
            if self.params > MAX_PARAMS {
                errors.at(
                    layer.span,
                    format!("the network has {} parameters up to here, over the budget of {MAX_PARAMS} for the small networks this crate generates code for", self.params),
                );
                return None;
            }
        }
        if let Kind::Conv(conv) = &layer.kind {
            let taps = (conv.kh as u64).saturating_mul(conv.kw as u64);
            self.taps = self.taps.saturating_add(taps);
            if self.taps > MAX_NETWORK_TAPS {
                errors.at(
                    layer.span,
                    format!("the conv layers have {} kernel taps up to here, over the budget of {MAX_NETWORK_TAPS} for a network: each tap is an unrolled statement, and compile time grows with them", self.taps),
                );
                return None;
            }
        }
        let values = layer.output.len().unwrap_or(u64::MAX);
        self.activations = self.activations.saturating_add(values);
        if self.activations > MAX_ACTIVATIONS {
            errors.at(
                layer.span,
                format!("the layer outputs of one example add up to {} values up to here, over the budget of {MAX_ACTIVATIONS}: the heap-free `forward` keeps them on the stack", self.activations),
            );
            return None;
        }
        Some(())
    }

    /// The parameters of the layers added so far.
    pub fn params(&self) -> u64 {
        self.params
    }
}

/// One filter's taps, `Kh x Kw`, on the kernel size's span.
pub fn check_kernel_taps(kh: u64, kw: u64, span: Span, errors: &mut Errors) -> Option<()> {
    if kh.checked_mul(kw).is_none_or(|taps| taps > MAX_KERNEL_TAPS) {
        errors.at(
            span,
            format!("a {kh}x{kw} kernel is over the budget of {MAX_KERNEL_TAPS} taps: each tap is an unrolled statement"),
        );
        return None;
    }
    Some(())
}

/// One conv layer's weights, `F x C x Kh x Kw`, before they are added up: the product itself
/// may overflow.
pub fn check_conv_weights(
    [filters, c, kh, kw]: [u64; 4],
    span: Span,
    errors: &mut Errors,
) -> Option<()> {
    let weights = filters
        .checked_mul(c)
        .and_then(|v| v.checked_mul(kh * kw))
        .filter(|&v| v <= MAX_PARAMS);
    if weights.is_none() {
        errors.at(
            span,
            format!("conv with {filters} filters of {c}x{kh}x{kw} has more weights than the budget of {MAX_PARAMS} parameters"),
        );
        return None;
    }
    Some(())
}

/// One dense layer's weights, `N x M`.
pub fn check_dense_weights(n: u64, m: u64, span: Span, errors: &mut Errors) -> Option<()> {
    if n.checked_mul(m).is_none_or(|p| p > MAX_PARAMS) {
        errors.at(
            span,
            format!("dense {n}->{m} has more weights than the budget of {MAX_PARAMS} parameters"),
        );
        return None;
    }
    Some(())
}
