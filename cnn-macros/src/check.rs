//! Lowering from syntax to the IR, one `check_*` per rule. Errors are collected across the
//! layers of every network; after a layer whose output shape cannot be worked out, the chain's
//! later layers are not checked, so one mistake gives one message.

use proc_macro2::Span;
use syn::Ident;
use syn::ext::IdentExt;

use crate::ast::{self, Arg, LayerDef, NetworkDef, Number, NumberValue, OptionValue};
use crate::ir::{Activation, Conv, Kind, Layer, Network, Pool};
use crate::shape::{self, Pad, Shape};

/// The layer kinds the DSL knows, for suggestions.
const KINDS: &[&str] = &[
    "input",
    "conv",
    "dense",
    "maxpool",
    "avgpool",
    "sigmoid",
    "relu",
    "tanh",
    "leaky_relu",
    "softmax",
];

/// Budgets, so that a definition too large for this design is an error that names its limit
/// rather than a stack overflow at run time or a compile that never ends.
///
/// Parameters live inline in the network struct, and one example's activations and their
/// gradients live on the stack during a training step.
pub const MAX_PARAMS: u64 = 1 << 20;
/// Scalars in all layer outputs of one example.
pub const MAX_ACTIVATIONS: u64 = 1 << 17;
/// Taps of one filter: each is one unrolled statement in three generated functions.
pub const MAX_KERNEL_TAPS: u64 = 225;
/// Taps of all the network's filters together (`sum Kh * Kw` over its conv layers), which is
/// what its compile time grows with, not channels or image sizes. Measured (BENCHMARKS.md,
/// `cargo run --release --example compile_time`): LeNet-5 (50 taps) and LeNet-5 with ten
/// times the channels build in about 3 s in release; the slowest shape per tap, a 1x225
/// kernel, about 0.17 s per tap, twice that with both `f32` and `f64` instantiated. 256 taps
/// keep that worst case near 90 s, under two minutes.
pub const MAX_NETWORK_TAPS: u64 = 256;
/// Layers after the input. The training step of a network is one function through all its
/// layers, and its compile time grows faster than the layer count: 51 layers built in 14 s,
/// 201 in 32 s, 401 in 101 s (conv and relu layers alternating, measured as above).
pub const MAX_LAYERS: usize = 64;

#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    pub fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Checks every network; returns the IR of the good ones and the errors of the others.
pub fn check(input: &ast::Input) -> (Vec<Network>, Errors) {
    let mut errors = Errors::default();
    let mut networks = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for def in &input.networks {
        // Two definitions of one name would be two structs of that name.
        let name = def.name.unraw().to_string();
        if names.contains(&name) {
            errors.at(
                def.name.span(),
                format!("a network named `{name}` is already defined in this `network!`"),
            );
            continue;
        }
        names.push(name);
        let mut local = Errors::default();
        let net = check_network(def, &mut local);
        match (net, local.0) {
            (Some(net), None) => networks.push(net),
            (_, Some(e)) => errors.push(e),
            (None, None) => {}
        }
    }
    (networks, errors)
}

fn check_network(def: &NetworkDef, errors: &mut Errors) -> Option<Network> {
    let (first, rest) = def.layers.split_first()?;
    let input = check_input_first(first, errors)?;
    let mut shape = Shape::Image {
        c: input[0],
        h: input[1],
        w: input[2],
    };
    let mut layers: Vec<Layer> = Vec::new();
    let mut ordinals = std::collections::HashMap::<String, usize>::new();
    let mut names: Vec<(String, Span)> = Vec::new();
    let mut params: u64 = 0;
    let mut taps: u64 = 0;
    let mut activations: u64 = input
        .iter()
        .try_fold(1u64, |a, &b| a.checked_mul(b))
        .unwrap_or(u64::MAX);
    if activations > MAX_ACTIVATIONS {
        errors.at(
            first.span(),
            format!("the input has {} values, over the budget of {MAX_ACTIVATIONS} values of one example: they are kept on the stack in a training step", input.iter().map(u64::to_string).collect::<Vec<_>>().join("x")),
        );
        return None;
    }
    if rest.is_empty() {
        errors.at(
            first.span(),
            "a network needs layers after its input, such as `input(28x28) -> conv(3x3) -> relu`",
        );
        return None;
    }
    if rest.len() > MAX_LAYERS {
        errors.at(
            rest[MAX_LAYERS].span(),
            format!("the network has {} layers after its input, over the budget of {MAX_LAYERS}: its training step is one function through all of them, and compile time grows faster than the layer count", rest.len()),
        );
        return None;
    }
    for (i, def) in rest.iter().enumerate() {
        let kind_name = def.kind.unraw().to_string();
        let ordinal = ordinals.entry(kind_name.clone()).or_insert(0);
        *ordinal += 1;
        let name = match &def.label {
            Some(label) => label.unraw(),
            None => Ident::new(&format!("{kind_name}{ordinal}"), def.kind.span()),
        };
        check_unique_name(&name, def, &mut names, errors);
        let Some((kind, output)) = check_layer(def, shape, i + 1 == rest.len(), errors) else {
            // The output shape is unknown: later layers cannot be checked against it.
            return None;
        };
        let layer = Layer {
            name,
            kind,
            input: shape,
            output,
            param_offset: params as usize,
            span: def.span(),
        };
        if let Some((w, b)) = layer.param_lens() {
            params = params.saturating_add((w + b) as u64);
            if params > MAX_PARAMS {
                errors.at(
                    layer.span,
                    format!("the network has {params} parameters up to here, over the budget of {MAX_PARAMS}: they are kept inline in the network struct"),
                );
                return None;
            }
        }
        if let Kind::Conv(conv) = &layer.kind {
            taps = taps.saturating_add((conv.kh as u64).saturating_mul(conv.kw as u64));
            if taps > MAX_NETWORK_TAPS {
                errors.at(
                    layer.span,
                    format!("the conv layers have {taps} kernel taps up to here, over the budget of {MAX_NETWORK_TAPS} for a network: each tap is an unrolled statement, and compile time grows with them"),
                );
                return None;
            }
        }
        activations = activations.saturating_add(output.len().unwrap_or(u64::MAX));
        if activations > MAX_ACTIVATIONS {
            errors.at(
                layer.span,
                format!("the layer outputs of one example add up to {activations} values up to here, over the budget of {MAX_ACTIVATIONS}: they are kept on the stack in a training step"),
            );
            return None;
        }
        shape = output;
        layers.push(layer);
    }
    if params == 0 {
        errors.at(
            def.name.span(),
            format!(
                "`{}` has no parameters to train: add a `conv` or `dense` layer",
                def.name
            ),
        );
        return None;
    }
    Some(Network {
        attrs: def.attrs.clone(),
        vis: def.vis.clone(),
        name: def.name.clone(),
        input: input.map(|v| v as usize),
        layers,
        param_len: params as usize,
    })
}

/// A network starts with exactly one `input(HxW)` or `input(C, HxW)`: it is where the shapes
/// come from.
fn check_input_first(def: &LayerDef, errors: &mut Errors) -> Option<[u64; 3]> {
    if def.kind != "input" {
        errors.at(
            def.span(),
            format!(
                "a network starts with its input, such as `input(28x28) -> {}`",
                def.kind
            ),
        );
        return None;
    }
    if let Some(label) = &def.label {
        errors.at(label.span(), "the input takes no label");
        return None;
    }
    let args = args_of(def, errors, "input(HxW) or input(C, HxW)")?;
    match args {
        [Arg::Size(s)] => Some([
            1,
            nonzero(s.h, s.span, "height", errors)?,
            nonzero(s.w, s.span, "width", errors)?,
        ]),
        [Arg::Number(c), Arg::Size(s)] => {
            let c = count(c, "the number of channels", errors);
            let h = nonzero(s.h, s.span, "height", errors);
            let w = nonzero(s.w, s.span, "width", errors);
            Some([c?, h?, w?])
        }
        _ => {
            errors.at(
                def.args.as_ref().map_or(def.span(), |(s, _)| *s),
                "expected `input(HxW)` or `input(C, HxW)`, such as `input(28x28)` or `input(3, 32x32)`",
            );
            None
        }
    }
}

/// Names are unique within a network: they name the tensors in weight files and the
/// generated functions.
fn check_unique_name(
    name: &Ident,
    def: &LayerDef,
    names: &mut Vec<(String, Span)>,
    errors: &mut Errors,
) {
    let text = name.to_string();
    if names.iter().any(|(n, _)| *n == text) {
        let span = def.label.as_ref().map_or(def.span(), Ident::span);
        let how = if def.label.is_some() {
            "is already the name of another layer"
        } else {
            "is also the label of another layer: unlabelled layers are named by kind and ordinal"
        };
        errors.at(
            span,
            format!("duplicate layer name `{text}`: `{text}` {how}"),
        );
    } else {
        names.push((text, name.span()));
    }
}

/// One layer: its meaning from its kind and arguments, and its output shape from its input.
fn check_layer(
    def: &LayerDef,
    input: Shape,
    last: bool,
    errors: &mut Errors,
) -> Option<(Kind, Shape)> {
    let kind = def.kind.unraw().to_string();
    match kind.as_str() {
        "input" => {
            errors.at(
                def.span(),
                "`input` must be the first layer, and only the first",
            );
            None
        }
        "conv" => check_conv(def, input, errors),
        "maxpool" | "avgpool" => check_pool(def, input, kind == "maxpool", errors),
        "dense" => check_dense(def, input, errors),
        "sigmoid" | "relu" | "tanh" | "softmax" => {
            check_no_args(def, errors)?;
            let act = match kind.as_str() {
                "sigmoid" => Activation::Sigmoid,
                "relu" => Activation::Relu,
                "tanh" => Activation::Tanh,
                _ => {
                    check_softmax_last(def, last, errors)?;
                    Activation::Softmax
                }
            };
            Some((Kind::Activation(act), input))
        }
        "leaky_relu" => {
            let slope = check_leaky_slope(def, errors)?;
            Some((Kind::Activation(Activation::LeakyRelu(slope)), input))
        }
        _ => {
            let hint = nearest(&kind).map_or(String::new(), |k| format!("; did you mean `{k}`?"));
            errors.at(
                def.kind.span(),
                format!(
                    "unknown layer `{kind}`{hint} (known: {})",
                    KINDS[1..].join(", ")
                ),
            );
            None
        }
    }
}

/// `softmax` normalises over the network's whole output, so it ends the chain (and is what
/// `SoftmaxCrossEntropy` expects to follow).
fn check_softmax_last(def: &LayerDef, last: bool, errors: &mut Errors) -> Option<()> {
    if !last {
        errors.at(def.kind.span(), "`softmax` must be the last layer");
        return None;
    }
    Some(())
}

fn check_no_args(def: &LayerDef, errors: &mut Errors) -> Option<()> {
    if let Some((span, _)) = &def.args {
        errors.at(*span, format!("`{}` takes no arguments", def.kind));
        return None;
    }
    Some(())
}

/// A leaky relu's negative slope lies strictly between 0 and 1: 0 is a relu, 1 the identity,
/// and the backward pass reads the sign of the output as the sign of the input.
fn check_leaky_slope(def: &LayerDef, errors: &mut Errors) -> Option<f64> {
    let args = args_of(def, errors, "leaky_relu(A)")?;
    let [Arg::Number(n)] = args else {
        errors.at(
            def.span(),
            "expected `leaky_relu(A)` with a slope 0 < A < 1, such as `leaky_relu(0.01)`",
        );
        return None;
    };
    let a = match n.value {
        NumberValue::Float(a) => a,
        NumberValue::Int(a) => a as f64,
    };
    if !(a > 0.0 && a < 1.0) {
        errors.at(
            n.span,
            format!("leaky_relu slope must lie strictly between 0 and 1, but is {a}"),
        );
        return None;
    }
    Some(a)
}

/// `conv(KhxKw)` or `conv(F, KhxKw)`, then `stride = S` and `pad = P | same`.
fn check_conv(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
    let args = args_of(def, errors, "conv(KhxKw) or conv(F, KhxKw)")?;
    let (positional, options) = split_options(args);
    let (filters, size) = match positional {
        [Arg::Size(s)] => (Some(1), s),
        [Arg::Number(f), Arg::Size(s)] => (count(f, "the number of filters", errors), s),
        _ => {
            errors.at(
                def.args.as_ref().map_or(def.span(), |(s, _)| *s),
                "expected `conv(KhxKw)` or `conv(F, KhxKw)`, such as `conv(3x3)` or `conv(6, 5x5)`",
            );
            return None;
        }
    };
    let kh = nonzero(size.h, size.span, "kernel height", errors);
    let kw = nonzero(size.w, size.span, "kernel width", errors);
    let opts = check_options(options, &["stride", "pad"], errors)?;
    let (filters, kh, kw) = (filters?, kh?, kw?);
    let stride = match opts.get("stride") {
        Some((OptionValue::Number(n), _)) => count(n, "stride", errors)?,
        Some((v, _)) => {
            errors.at(v.span(), "stride must be a number, such as `stride = 2`");
            return None;
        }
        None => 1,
    };
    let pad = match opts.get("pad") {
        Some((OptionValue::Ident(i), _)) if i == "same" => Pad::Same,
        Some((OptionValue::Number(n), _)) => Pad::Fixed(non_negative(n, "padding", errors)?),
        Some((v, _)) => {
            errors.at(
                v.span(),
                "pad must be a number or `same`, such as `pad = 1`",
            );
            return None;
        }
        None => Pad::Fixed(0),
    };
    if kh.checked_mul(kw).is_none_or(|taps| taps > MAX_KERNEL_TAPS) {
        errors.at(
            size.span,
            format!("a {kh}x{kw} kernel is over the budget of {MAX_KERNEL_TAPS} taps: each tap is an unrolled statement"),
        );
        return None;
    }
    let (pad_h, pad_w) = check_pad(
        pad,
        kh,
        kw,
        stride,
        opts.get("pad").map(|(v, _)| v.span()),
        errors,
    )?;
    let Shape::Image { c, h, w } = input else {
        errors.at(
            def.kind.span(),
            format!("conv needs an image, but the previous layer outputs a flat vector of {input} values"),
        );
        return None;
    };
    let oh = shape::conv_out(h, kh, stride, pad_h);
    let ow = shape::conv_out(w, kw, stride, pad_w);
    let (oh, ow) = match (oh, ow) {
        (Ok(oh), Ok(ow)) => (oh, ow),
        (Err(e), _) | (_, Err(e)) => {
            errors.at(
                size.span,
                format!("conv kernel {kh}x{kw} does not fit the input {input}: {e}"),
            );
            return None;
        }
    };
    let weights = filters
        .checked_mul(c)
        .and_then(|v| v.checked_mul(kh * kw))
        .filter(|&v| v <= MAX_PARAMS);
    if weights.is_none() {
        errors.at(
            def.span(),
            format!("conv with {filters} filters of {c}x{kh}x{kw} has more weights than the budget of {MAX_PARAMS} parameters"),
        );
        return None;
    }
    let conv = Conv {
        filters: filters as usize,
        channels: c as usize,
        kh: kh as usize,
        kw: kw as usize,
        stride: stride as usize,
        pad_h: pad_h as usize,
        pad_w: pad_w as usize,
    };
    Some((
        Kind::Conv(conv),
        Shape::Image {
            c: filters,
            h: oh,
            w: ow,
        },
    ))
}

/// Padding is smaller than the kernel, as PyTorch requires (a window of zeros only would
/// carry no signal); `pad = same` needs an odd kernel, because PyTorch's asymmetric padding
/// for even kernels is not done here, and stride 1 (as PyTorch).
fn check_pad(
    pad: Pad,
    kh: u64,
    kw: u64,
    stride: u64,
    span: Option<Span>,
    errors: &mut Errors,
) -> Option<(u64, u64)> {
    let span = span.unwrap_or_else(Span::call_site);
    match pad {
        Pad::Same => {
            if kh.is_multiple_of(2) || kw.is_multiple_of(2) {
                errors.at(span, format!("`pad = same` needs an odd kernel, but it is {kh}x{kw}: give the padding as a number"));
                return None;
            }
            if stride != 1 {
                errors.at(span, format!("`pad = same` needs stride 1, but it is {stride}: give the padding as a number"));
                return None;
            }
            Some((shape::same_pad(kh), shape::same_pad(kw)))
        }
        Pad::Fixed(p) => {
            if p >= kh || p >= kw {
                errors.at(
                    span,
                    format!("padding {p} must be smaller than the kernel {kh}x{kw}"),
                );
                return None;
            }
            Some((p, p))
        }
    }
}

/// `maxpool(KhxKw)`, `avgpool(KhxKw)`: stride defaults to the window (PyTorch's default);
/// `stride = S` sets both directions and may make windows overlap.
fn check_pool(
    def: &LayerDef,
    input: Shape,
    max: bool,
    errors: &mut Errors,
) -> Option<(Kind, Shape)> {
    let kind = if max { "maxpool" } else { "avgpool" };
    let args = args_of(def, errors, &format!("{kind}(KhxKw)"))?;
    let (positional, options) = split_options(args);
    let [Arg::Size(size)] = positional else {
        errors.at(
            def.args.as_ref().map_or(def.span(), |(s, _)| *s),
            format!("expected `{kind}(KhxKw)`, such as `{kind}(2x2)`"),
        );
        return None;
    };
    let kh = nonzero(size.h, size.span, "window height", errors);
    let kw = nonzero(size.w, size.span, "window width", errors);
    let opts = check_options(options, &["stride"], errors)?;
    let (kh, kw) = (kh?, kw?);
    let (sh, sw) = match opts.get("stride") {
        Some((OptionValue::Number(n), _)) => {
            let s = count(n, "stride", errors)?;
            (s, s)
        }
        Some((v, _)) => {
            errors.at(v.span(), "stride must be a number, such as `stride = 2`");
            return None;
        }
        None => (kh, kw),
    };
    let Shape::Image { c, h, w } = input else {
        errors.at(
            def.kind.span(),
            format!("{kind} needs an image, but the previous layer outputs a flat vector of {input} values"),
        );
        return None;
    };
    let (oh, ow) = match (shape::conv_out(h, kh, sh, 0), shape::conv_out(w, kw, sw, 0)) {
        (Ok(oh), Ok(ow)) => (oh, ow),
        (Err(e), _) | (_, Err(e)) => {
            errors.at(
                size.span,
                format!("{kind} window {kh}x{kw} does not fit the input {input}: {e}"),
            );
            return None;
        }
    };
    let pool = Pool {
        max,
        kh: kh as usize,
        kw: kw as usize,
        sh: sh as usize,
        sw: sw as usize,
    };
    Some((Kind::Pool(pool), Shape::Image { c, h: oh, w: ow }))
}

/// `dense(N->M)` checks N against the flattened previous output; `dense(M)` infers it.
fn check_dense(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
    let args = args_of(def, errors, "dense(N->M) or dense(M)")?;
    let n_in = input.len().unwrap_or(u64::MAX);
    let m = match args {
        [Arg::Number(m)] => count(m, "the number of outputs", errors)?,
        [Arg::Arrow(n, m)] => {
            let nv = count(n, "the number of inputs", errors);
            let mv = count(m, "the number of outputs", errors);
            let (nv, mv) = (nv?, mv?);
            if nv != n_in {
                let given = match input {
                    Shape::Image { .. } => format!("{input} = {n_in}"),
                    Shape::Flat(_) => format!("{n_in}"),
                };
                errors.at(
                    n.span,
                    format!("dense expects {nv} inputs, but the previous layer outputs {given}"),
                );
                return None;
            }
            mv
        }
        _ => {
            errors.at(
                def.args.as_ref().map_or(def.span(), |(s, _)| *s),
                "expected `dense(N->M)` or `dense(M)`, such as `dense(400->1)`",
            );
            return None;
        }
    };
    if n_in.checked_mul(m).is_none_or(|p| p > MAX_PARAMS) {
        errors.at(
            def.span(),
            format!(
                "dense {n_in}->{m} has more weights than the budget of {MAX_PARAMS} parameters"
            ),
        );
        return None;
    }
    Some((
        Kind::Dense {
            n: n_in as usize,
            m: m as usize,
        },
        Shape::Flat(m),
    ))
}

/// The arguments of a layer that needs them.
fn args_of<'a>(def: &'a LayerDef, errors: &mut Errors, form: &str) -> Option<&'a [Arg]> {
    match &def.args {
        Some((_, args)) => Some(args),
        None => {
            errors.at(
                def.kind.span(),
                format!("`{}` needs arguments: `{form}`", def.kind),
            );
            None
        }
    }
}

/// Positional arguments first, then `key = value` options.
fn split_options(args: &[Arg]) -> (&[Arg], &[Arg]) {
    let at = args
        .iter()
        .position(|a| matches!(a, Arg::Option(..)))
        .unwrap_or(args.len());
    args.split_at(at)
}

type Options<'a> = std::collections::BTreeMap<String, (&'a OptionValue, Span)>;

/// Options are known and given once each; nothing positional follows them.
fn check_options<'a>(
    options: &'a [Arg],
    known: &[&str],
    errors: &mut Errors,
) -> Option<Options<'a>> {
    let mut map = Options::new();
    let mut ok = true;
    for arg in options {
        let Arg::Option(key, value) = arg else {
            errors.at(
                arg.span(),
                "positional arguments come before options such as `stride = 2`",
            );
            ok = false;
            continue;
        };
        let name = key.unraw().to_string();
        if !known.contains(&name.as_str()) {
            errors.at(
                key.span(),
                format!(
                    "unknown option `{name}`; this layer takes {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            );
            ok = false;
        } else if let std::collections::btree_map::Entry::Vacant(e) = map.entry(name.clone()) {
            e.insert((value, key.span()));
        } else {
            errors.at(key.span(), format!("option `{name}` is given twice"));
            ok = false;
        }
    }
    ok.then_some(map)
}

/// A count such as the number of filters: a whole number of at least 1.
fn count(n: &Number, what: &str, errors: &mut Errors) -> Option<u64> {
    match n.value {
        NumberValue::Int(v) if v >= 1 => match u64::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                errors.at(n.span, format!("{what} is too large"));
                None
            }
        },
        NumberValue::Int(_) => {
            errors.at(
                n.span,
                format!("{what} must be at least 1, but is {}", n.text),
            );
            None
        }
        NumberValue::Float(_) => {
            errors.at(
                n.span,
                format!("{what} must be a whole number, but is `{}`", n.text),
            );
            None
        }
    }
}

fn non_negative(n: &Number, what: &str, errors: &mut Errors) -> Option<u64> {
    match n.value {
        NumberValue::Int(0) => Some(0),
        NumberValue::Int(v) if v < 0 => {
            errors.at(
                n.span,
                format!("{what} must be 0 or more, but is {}", n.text),
            );
            None
        }
        _ => count(n, what, errors),
    }
}

fn nonzero(v: u64, span: Span, what: &str, errors: &mut Errors) -> Option<u64> {
    if v == 0 {
        errors.at(span, format!("{what} must be at least 1, but is 0"));
        return None;
    }
    Some(v)
}

/// The known layer kind closest to a misspelt one, if any is close.
fn nearest(kind: &str) -> Option<&'static str> {
    KINDS
        .iter()
        .map(|k| (levenshtein(kind, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(nearest("cnov"), Some("conv"));
        assert_eq!(nearest("sigmod"), Some("sigmoid"));
        assert_eq!(nearest("Dense"), Some("dense"));
        assert_eq!(nearest("leakyrelu"), Some("leaky_relu"));
        assert_eq!(nearest("lstm"), None);
    }
}
