//! Lowering from syntax to the IR, one `check_*` per rule, each with the reason for it.
//! [`check`] lists the rules of an invocation, [`check_network`] those of one chain and
//! [`check_layer`] those of each layer kind, in the order they run.
//!
//! Errors are collected across the layers of every network; after a layer whose output shape
//! cannot be worked out, the chain's later layers are not checked, so one mistake gives one
//! message. The size budgets and their running totals are in `budget.rs`, the error sink in
//! `report.rs`, the table of layer kinds in `kinds.rs`, the reading of arguments in `args.rs`.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::Ident;
use syn::ext::IdentExt;

use crate::args::{
    Options, args_of, args_span, check_options, count, non_negative, nonzero, pad_span,
    split_options,
};
use crate::ast::{self, Arg, LayerDef, NetworkDef, NumberValue, OptionValue, Size};
use crate::budget::{self, Budget};
use crate::ir::{Activation, Conv, Kind, Layer, Network, Pool};
use crate::kinds::{self, LayerKind};
use crate::report::Errors;
use crate::shape::{self, Pad, Shape};

/// Checks every network of one invocation; returns the IR of the good ones and the errors of
/// the others.
pub fn check(input: &ast::Input) -> (Vec<Network>, Errors) {
    let mut errors = Errors::default();
    let mut networks = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for def in &input.networks {
        if check_unique_network(def, &mut names, &mut errors).is_none() {
            continue;
        }
        let mut local = Errors::default();
        let net = check_network(def, &mut local);
        if local.is_empty() {
            networks.extend(net);
        } else {
            errors.append(local);
        }
    }
    (networks, errors)
}

/// Two definitions of one name would be two structs of that name.
fn check_unique_network(
    def: &NetworkDef,
    names: &mut Vec<String>,
    errors: &mut Errors,
) -> Option<()> {
    let name = def.name.unraw().to_string();
    if names.contains(&name) {
        errors.at(
            def.name.span(),
            format!("a network named `{name}` is already defined in this `network!`"),
        );
        return None;
    }
    names.push(name);
    Some(())
}

/// The rules of one network, in order: the input first, the input within the activation
/// budget, layers after it, not too many, the chain of layers ([`check_chain`]), and at the
/// end something to train.
fn check_network(def: &NetworkDef, errors: &mut Errors) -> Option<Network> {
    let (first, rest) = def.layers.split_first()?;
    let input = check_input_first(first, errors)?;
    let budget = Budget::start(input, first, errors)?;
    check_layers_after_input(first, rest, errors)?;
    let mut net = Lowered {
        budget,
        layers: Vec::new(),
        buffers: 0,
        idents: Vec::new(),
    };
    net.budget.add_layers(rest, errors)?;
    let shape = Shape::Image {
        c: input[0],
        h: input[1],
        w: input[2],
    };
    check_chain(&mut net, rest, (0, shape), &Scope::top(), errors)?;
    check_has_parameters(def, &net.budget, errors)?;
    Some(Network {
        attrs: def.attrs.clone(),
        vis: def.vis.clone(),
        name: def.name.clone(),
        input: input.map(|v| v as usize),
        param_len: net.budget.params() as usize,
        buffer_len: net.buffers,
        layers: net.layers,
    })
}

/// What lowering a network has built so far.
struct Lowered {
    budget: Budget,
    layers: Vec<Layer>,
    /// Scalars of the buffers so far.
    buffers: usize,
    /// The code names of every layer so far, unique across blocks.
    idents: Vec<String>,
}

/// Where a chain lies: the prefixes of its layers' names, and whether its last layer is the
/// network's last.
struct Scope {
    ident: String,
    path: String,
    ends_network: bool,
}

impl Scope {
    fn top() -> Scope {
        Scope {
            ident: String::new(),
            path: String::new(),
            ends_network: true,
        }
    }

    /// The scope of a block's chain: `residual1.` and `residual1_`, or with `shortcut`.
    fn inside(&self, name: &str) -> Scope {
        Scope {
            ident: format!("{}{name}_", self.ident),
            path: format!("{}{name}.", self.path),
            ends_network: false,
        }
    }
}

/// The rules of one chain, in order: for each layer a unique name, its own rules
/// ([`check_layer`], or [`check_residual`] for a block) and the running budgets. The first
/// layer reads tensor `from`; returns the tensor and shape of the last.
fn check_chain(
    net: &mut Lowered,
    defs: &[LayerDef],
    from: (usize, Shape),
    scope: &Scope,
    errors: &mut Errors,
) -> Option<(usize, Shape)> {
    let mut ordinals = HashMap::<String, usize>::new();
    let mut names: Vec<String> = Vec::new();
    let (mut tensor, mut shape) = from;
    for (i, def) in defs.iter().enumerate() {
        let local = layer_name(def, &mut ordinals);
        check_unique_name(&local, def, &mut names, errors);
        let name = check_unique_ident(net, &local, scope, def, errors);
        let path = format!("{}{local}", scope.path);
        let last = scope.ends_network && i + 1 == defs.len();
        if def.known == Some(LayerKind::Residual) {
            (tensor, shape) = check_residual(
                net,
                def,
                (tensor, shape),
                &scope.inside(&local.to_string()),
                name,
                path,
                errors,
            )?;
            continue;
        }
        let previous = (tensor > 0).then(|| &net.layers[tensor - 1].kind);
        let Some((kind, output)) = check_layer(def, shape, last, previous, errors) else {
            // The output shape is unknown: later layers cannot be checked against it.
            return None;
        };
        let layer = Layer {
            name,
            path,
            kind,
            inputs: vec![tensor],
            input: shape,
            output,
            param_offset: net.budget.params() as usize,
            buffer_offset: net.buffers,
            span: def.span(),
        };
        net.budget.add(&layer, errors)?;
        net.buffers += layer.buffer_len();
        net.layers.push(layer);
        (tensor, shape) = (net.layers.len(), output);
    }
    Some((tensor, shape))
}

/// `residual(CHAIN)` adds the body's output to the block's input, `residual(CHAIN, shortcut =
/// CHAIN)` to the shortcut's output: both need the same shape, the body something in it. The
/// chains are checked like the network's, inside the block's name.
fn check_residual(
    net: &mut Lowered,
    def: &LayerDef,
    from: (usize, Shape),
    scope: &Scope,
    name: Ident,
    path: String,
    errors: &mut Errors,
) -> Option<(usize, Shape)> {
    let Some(block) = &def.block else {
        errors.at(
            def.kind.span(),
            "`residual` needs its body: `residual(CHAIN)` or `residual(CHAIN, shortcut = CHAIN)`",
        );
        return None;
    };
    if block.body.is_empty() {
        errors.at(
            args_span(def),
            "empty residual block: its body needs a layer, such as `residual(conv(16, 3x3, pad = 1) -> relu)`",
        );
        return None;
    }
    let body = check_chain(net, &block.body, from, scope, errors)?;
    let shortcut = match &block.shortcut {
        Some((_, chain)) => check_chain(net, chain, from, &scope.inside("shortcut"), errors)?,
        None => from,
    };
    check_branches_match(def, block.shortcut.is_some(), body.1, shortcut.1, errors)?;
    let layer = Layer {
        name,
        path,
        kind: Kind::Add,
        inputs: vec![body.0, shortcut.0],
        input: body.1,
        output: body.1,
        param_offset: net.budget.params() as usize,
        buffer_offset: net.buffers,
        span: def.span(),
    };
    net.budget.add(&layer, errors)?;
    net.layers.push(layer);
    Some((net.layers.len(), body.1))
}

/// The two branches of a block are added value by value, so they have one shape.
fn check_branches_match(
    def: &LayerDef,
    has_shortcut: bool,
    body: Shape,
    other: Shape,
    errors: &mut Errors,
) -> Option<()> {
    if body == other {
        return Some(());
    }
    let message = if has_shortcut {
        format!(
            "the branches of this residual block differ: its body outputs {body}, but its shortcut outputs {other}"
        )
    } else {
        format!(
            "the branches of this residual block differ: its body outputs {body}, but its input, which the block adds to it, is {other}; give it a `shortcut = CHAIN` of that shape"
        )
    };
    errors.at(def.kind.span(), message);
    None
}

/// Code names join a block's name to its layers' (`residual1_conv1`): they are unique across
/// the network, as the layers' own names are within their chain.
fn check_unique_ident(
    net: &mut Lowered,
    local: &Ident,
    scope: &Scope,
    def: &LayerDef,
    errors: &mut Errors,
) -> Ident {
    let text = format!("{}{local}", scope.ident);
    if !scope.ident.is_empty() && net.idents.contains(&text) {
        errors.at(
            def.label.as_ref().map_or(def.span(), Ident::span),
            format!(
                "the layer name `{text}` inside this block is also the name of a layer outside it"
            ),
        );
    }
    net.idents.push(text.clone());
    Ident::new(&text, local.span())
}

/// The rules of one layer, by its kind: its arguments, and its output shape from its input.
fn check_layer(
    def: &LayerDef,
    input: Shape,
    last: bool,
    previous: Option<&Kind>,
    errors: &mut Errors,
) -> Option<(Kind, Shape)> {
    let activation = |act| Some((Kind::Activation(act), input));
    match def.known {
        Some(LayerKind::BatchNorm) => check_batchnorm(def, input, previous, errors),
        Some(LayerKind::Dropout) => check_dropout(def, input, errors),
        Some(LayerKind::GlobalAvgPool) => {
            check_no_args(def, errors)?;
            let (c, _, _) = check_needs_image(def, input, errors)?;
            Some((Kind::GlobalAvgPool, Shape::Flat(c)))
        }
        Some(LayerKind::Flatten) => {
            check_no_args(def, errors)?;
            Some((Kind::Flatten, Shape::Flat(input.len().unwrap_or(u64::MAX))))
        }
        Some(LayerKind::Residual) => unreachable!("check_chain checks blocks"),
        Some(LayerKind::Input) => check_input_only_first(def, errors),
        Some(LayerKind::Conv) => check_conv(def, input, errors),
        Some(LayerKind::MaxPool) => check_pool(def, input, true, errors),
        Some(LayerKind::AvgPool) => check_pool(def, input, false, errors),
        Some(LayerKind::Dense) => check_dense(def, input, errors),
        Some(LayerKind::Sigmoid) => check_no_args(def, errors).and(activation(Activation::Sigmoid)),
        Some(LayerKind::Relu) => check_no_args(def, errors).and(activation(Activation::Relu)),
        Some(LayerKind::Tanh) => check_no_args(def, errors).and(activation(Activation::Tanh)),
        Some(LayerKind::Softmax) => {
            check_no_args(def, errors)?;
            check_softmax_last(def, last, errors)?;
            activation(Activation::Softmax)
        }
        Some(LayerKind::LeakyRelu) => {
            let slope = check_leaky_slope(def, errors)?;
            activation(Activation::LeakyRelu(slope))
        }
        None => check_known_kind(def, errors),
    }
}

// ---------------------------------------------------------------------------------------------
// The chain

/// A network starts with exactly one `input(HxW)` or `input(C, HxW)`: it is where the shapes
/// come from.
fn check_input_first(def: &LayerDef, errors: &mut Errors) -> Option<[u64; 3]> {
    if def.kind != LayerKind::Input.name() {
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
                args_span(def),
                "expected `input(HxW)` or `input(C, HxW)`, such as `input(28x28)` or `input(3, 32x32)`",
            );
            None
        }
    }
}

/// An input alone computes nothing: there is no output to train or to return.
fn check_layers_after_input(
    first: &LayerDef,
    rest: &[LayerDef],
    errors: &mut Errors,
) -> Option<()> {
    if rest.is_empty() {
        errors.at(
            first.span(),
            "a network needs layers after its input, such as `input(28x28) -> conv(3x3) -> relu`",
        );
        return None;
    }
    Some(())
}

/// The label, or kind and ordinal (`conv1`, `sigmoid2`): the ordinal counts every layer of the
/// kind, labelled or not.
fn layer_name(def: &LayerDef, ordinals: &mut HashMap<String, usize>) -> Ident {
    let kind_name = def.kind.unraw().to_string();
    let ordinal = ordinals.entry(kind_name.clone()).or_insert(0);
    *ordinal += 1;
    match &def.label {
        Some(label) => label.unraw(),
        None => Ident::new(&format!("{kind_name}{ordinal}"), def.kind.span()),
    }
}

/// Names are unique within a network: they name the tensors in weight files and the
/// generated functions.
fn check_unique_name(name: &Ident, def: &LayerDef, names: &mut Vec<String>, errors: &mut Errors) {
    let text = name.to_string();
    if names.contains(&text) {
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
        names.push(text);
    }
}

/// A network without parameters has nothing for a training step to change.
fn check_has_parameters(def: &NetworkDef, budget: &Budget, errors: &mut Errors) -> Option<()> {
    if budget.params() == 0 {
        errors.at(
            def.name.span(),
            format!(
                "`{}` has no parameters to train: add a `conv` or `dense` layer",
                def.name
            ),
        );
        return None;
    }
    Some(())
}

// ---------------------------------------------------------------------------------------------
// Layer kinds

/// The shapes come from the one input at the start; a second would start another chain.
fn check_input_only_first(def: &LayerDef, errors: &mut Errors) -> Option<(Kind, Shape)> {
    errors.at(
        def.span(),
        "`input` must be the first layer, and only the first",
    );
    None
}

/// A name outside the table of layer kinds: the message lists the table and suggests the
/// nearest entry, as rustc does for a misspelt name.
fn check_known_kind(def: &LayerDef, errors: &mut Errors) -> Option<(Kind, Shape)> {
    let kind = def.kind.unraw().to_string();
    let hint = kinds::nearest(&kind).map_or(String::new(), |k| format!("; did you mean `{k}`?"));
    errors.at(
        def.kind.span(),
        format!(
            "unknown layer `{kind}`{hint} (known: {})",
            kinds::known_after_input()
        ),
    );
    None
}

/// Activations are element-wise with nothing to set (but leaky relu's slope): an argument is
/// a slip.
fn check_no_args(def: &LayerDef, errors: &mut Errors) -> Option<()> {
    if let Some((span, _)) = &def.args {
        errors.at(*span, format!("`{}` takes no arguments", def.kind));
        return None;
    }
    Some(())
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

/// `conv(KhxKw)` or `conv(F, KhxKw)`, then `stride = S` and `pad = P | same`. The kernel, the
/// stride and the fit are the window rules shared with pooling.
fn check_conv(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
    let args = args_of(def, errors, "conv(KhxKw) or conv(F, KhxKw)")?;
    let (positional, options) = split_options(args);
    let (filters, size) = match positional {
        [Arg::Size(s)] => (Some(1), s),
        [Arg::Number(f), Arg::Size(s)] => (count(f, "the number of filters", errors), s),
        _ => {
            errors.at(
                args_span(def),
                "expected `conv(KhxKw)` or `conv(F, KhxKw)`, such as `conv(3x3)` or `conv(6, 5x5)`",
            );
            return None;
        }
    };
    let window = check_window_size(size, "kernel", errors);
    let opts = check_options(options, &["stride", "pad", "groups"], errors)?;
    let (filters, (kh, kw)) = (filters?, window?);
    let stride = check_stride(&opts, errors)?.unwrap_or(1);
    let groups = check_groups(&opts, errors)?;
    let pad = check_pad_value(&opts, errors)?;
    budget::check_kernel_taps(kh, kw, size.span, errors)?;
    let (pad_h, pad_w) = check_pad(pad, kh, kw, stride, pad_span(&opts), errors)?;
    let (c, h, w) = check_needs_image(def, input, errors)?;
    let (oh, ow) = check_window_fits(
        "conv kernel",
        input,
        [h, w],
        [kh, kw],
        [stride, stride],
        [pad_h, pad_w],
        size.span,
        errors,
    )?;
    check_groups_divide(groups, filters, c, &opts, errors)?;
    budget::check_conv_weights([filters, c / groups, kh, kw], def.span(), errors)?;
    let conv = Conv {
        filters: filters as usize,
        channels: c as usize,
        kh: kh as usize,
        kw: kw as usize,
        stride: stride as usize,
        pad_h: pad_h as usize,
        pad_w: pad_w as usize,
        groups: groups as usize,
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

/// `groups = G` is a count, 1 by default (every filter sees every channel).
fn check_groups(opts: &Options<'_>, errors: &mut Errors) -> Option<u64> {
    match opts.get("groups") {
        Some((OptionValue::Number(n), _)) => count(n, "groups", errors),
        Some((v, _)) => {
            errors.at(v.span(), "groups must be a number, such as `groups = 2`");
            None
        }
        None => Some(1),
    }
}

/// A grouped convolution splits the channels and the filters into `G` equal groups, as
/// PyTorch's `groups`: both must be multiples of `G`.
fn check_groups_divide(
    groups: u64,
    filters: u64,
    channels: u64,
    opts: &Options<'_>,
    errors: &mut Errors,
) -> Option<()> {
    let span = opts
        .get("groups")
        .map_or_else(Span::call_site, |(v, _)| v.span());
    if !channels.is_multiple_of(groups) {
        errors.at(
            span,
            format!("groups = {groups} must divide the input's {channels} channels"),
        );
        return None;
    }
    if !filters.is_multiple_of(groups) {
        errors.at(
            span,
            format!("groups = {groups} must divide the {filters} filters"),
        );
        return None;
    }
    Some(())
}

/// `batchnorm` or `batchnorm(eps = E, momentum = M)` normalises what the layer before it
/// outputs: per channel after an image (PyTorch's `BatchNorm2d`), per feature after a flat
/// vector (`BatchNorm1d`). Right after the input there is no layer output to normalise (the
/// data is standardised when it is loaded), and a second batch norm in a row would normalise
/// what is already normalised.
fn check_batchnorm(
    def: &LayerDef,
    input: Shape,
    previous: Option<&Kind>,
    errors: &mut Errors,
) -> Option<(Kind, Shape)> {
    let options = match &def.args {
        Some((_, args)) => {
            let (positional, options) = split_options(args);
            if let Some(arg) = positional.first() {
                errors.at(
                    arg.span(),
                    "batchnorm takes only options, such as `batchnorm(eps = 1e-3, momentum = 0.01)`",
                );
                return None;
            }
            options
        }
        None => &[],
    };
    let opts = check_options(options, &["eps", "momentum"], errors)?;
    let number = |key: &str| -> Option<Option<(f64, Span)>> {
        match opts.get(key) {
            Some((OptionValue::Number(n), _)) => Some(Some((
                match n.value {
                    NumberValue::Float(v) => v,
                    NumberValue::Int(v) => v as f64,
                },
                n.span,
            ))),
            Some((v, _)) => Some(Some((f64::NAN, v.span()))),
            None => Some(None),
        }
    };
    let eps = match number("eps")? {
        Some((e, _)) if e > 0.0 && e.is_finite() => e,
        Some((e, span)) => {
            errors.at(
                span,
                format!("batchnorm eps must be a number greater than 0, but is {e}"),
            );
            return None;
        }
        None => 1e-5,
    };
    let momentum = match number("momentum")? {
        Some((m, _)) if (0.0..=1.0).contains(&m) => m,
        Some((m, span)) => {
            errors.at(
                span,
                format!("batchnorm momentum must lie between 0 and 1, but is {m}"),
            );
            return None;
        }
        None => 0.1,
    };
    match previous {
        None => {
            errors.at(
                def.kind.span(),
                "batchnorm right after the input has no layer output to normalise: standardise the data when loading it, or put it after a conv or dense layer",
            );
            return None;
        }
        Some(Kind::BatchNorm(_)) => {
            errors.at(
                def.kind.span(),
                "batchnorm twice in a row: the second would normalise what the first already normalised",
            );
            return None;
        }
        Some(_) => {}
    }
    let (channels, spatial) = match input {
        Shape::Image { c, h, w } => (c, h.saturating_mul(w)),
        Shape::Flat(n) => (n, 1),
    };
    Some((
        Kind::BatchNorm(crate::ir::BatchNorm {
            channels: channels as usize,
            spatial: spatial as usize,
            eps,
            momentum,
        }),
        input,
    ))
}

/// `dropout(P)` zeroes each value with probability P in training: P = 1 would zero
/// everything (and scale by 1 / 0), a negative P is no probability.
fn check_dropout(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
    let args = args_of(def, errors, "dropout(P)")?;
    let [Arg::Number(n)] = args else {
        errors.at(
            args_span(def),
            "expected `dropout(P)` with a probability 0 <= P < 1, such as `dropout(0.5)`",
        );
        return None;
    };
    let p = match n.value {
        NumberValue::Float(p) => p,
        NumberValue::Int(p) => p as f64,
    };
    if !(0.0..1.0).contains(&p) {
        errors.at(
            n.span,
            format!("dropout probability must lie in [0, 1), but is {p}"),
        );
        return None;
    }
    Some((Kind::Dropout(p), input))
}

/// `pad = P` is a count of zeros, 0 or more; `pad = same` asks for the output size of the
/// input (checked against the kernel by [`check_pad`]).
fn check_pad_value(opts: &Options<'_>, errors: &mut Errors) -> Option<Pad> {
    match opts.get("pad") {
        Some((OptionValue::Ident(i), _)) if i == "same" => Some(Pad::Same),
        Some((OptionValue::Number(n), _)) => Some(Pad::Fixed(non_negative(n, "padding", errors)?)),
        Some((v, _)) => {
            errors.at(
                v.span(),
                "pad must be a number or `same`, such as `pad = 1`",
            );
            None
        }
        None => Some(Pad::Fixed(0)),
    }
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
/// `stride = S` sets both directions and may make windows overlap. The window, the stride and
/// the fit are the rules shared with conv.
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
            args_span(def),
            format!("expected `{kind}(KhxKw)`, such as `{kind}(2x2)`"),
        );
        return None;
    };
    let window = check_window_size(size, "window", errors);
    let opts = check_options(options, &["stride"], errors)?;
    let (kh, kw) = window?;
    let (sh, sw) = match check_stride(&opts, errors)? {
        Some(s) => (s, s),
        None => (kh, kw),
    };
    let (c, h, w) = check_needs_image(def, input, errors)?;
    let (oh, ow) = check_window_fits(
        &format!("{kind} window"),
        input,
        [h, w],
        [kh, kw],
        [sh, sw],
        [0, 0],
        size.span,
        errors,
    )?;
    let pool = Pool {
        max,
        kh: kh as usize,
        kw: kw as usize,
        sh: sh as usize,
        sw: sw as usize,
    };
    Some((Kind::Pool(pool), Shape::Image { c, h: oh, w: ow }))
}

/// `dense(N->M)` checks N against the flattened previous output, so that a wrong size is an
/// error naming both; `dense(M)` infers it.
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
                args_span(def),
                "expected `dense(N->M)` or `dense(M)`, such as `dense(400->1)`",
            );
            return None;
        }
    };
    budget::check_dense_weights(n_in, m, def.span(), errors)?;
    Some((
        Kind::Dense {
            n: n_in as usize,
            m: m as usize,
        },
        Shape::Flat(m),
    ))
}

// ---------------------------------------------------------------------------------------------
// The window rules of conv and pooling

/// A kernel or pooling window of `HxW` is at least 1x1. Both sides are checked, so that `0x0`
/// is two messages; `noun` is `kernel` or `window`.
fn check_window_size(size: &Size, noun: &str, errors: &mut Errors) -> Option<(u64, u64)> {
    let h = nonzero(size.h, size.span, &format!("{noun} height"), errors);
    let w = nonzero(size.w, size.span, &format!("{noun} width"), errors);
    Some((h?, w?))
}

/// `stride = S` is a count of at least 1 (a stride of 0 never moves); `None` when not given,
/// for the layer's default.
fn check_stride(opts: &Options<'_>, errors: &mut Errors) -> Option<Option<u64>> {
    match opts.get("stride") {
        Some((OptionValue::Number(n), _)) => Some(Some(count(n, "stride", errors)?)),
        Some((v, _)) => {
            errors.at(v.span(), "stride must be a number, such as `stride = 2`");
            None
        }
        None => Some(None),
    }
}

/// Windows slide over an image, not over the flat vector a dense layer outputs.
fn check_needs_image(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(u64, u64, u64)> {
    let Shape::Image { c, h, w } = input else {
        errors.at(
            def.kind.span(),
            format!(
                "{} needs an image, but the previous layer outputs a flat vector of {input} values",
                def.kind.unraw()
            ),
        );
        return None;
    };
    Some((c, h, w))
}

/// The window fits the (padded) input, so that there is at least one output along each axis:
/// PyTorch's `(n + 2p - k) / s + 1` (`shape::conv_out`). `what` is `conv kernel` or
/// `maxpool window`, as the message names it.
#[allow(clippy::too_many_arguments)]
fn check_window_fits(
    what: &str,
    input: Shape,
    [h, w]: [u64; 2],
    [kh, kw]: [u64; 2],
    [sh, sw]: [u64; 2],
    [ph, pw]: [u64; 2],
    span: Span,
    errors: &mut Errors,
) -> Option<(u64, u64)> {
    match (
        shape::conv_out(h, kh, sh, ph),
        shape::conv_out(w, kw, sw, pw),
    ) {
        (Ok(oh), Ok(ow)) => Some((oh, ow)),
        (Err(e), _) | (_, Err(e)) => {
            errors.at(
                span,
                format!("{what} {kh}x{kw} does not fit the input {input}: {e}"),
            );
            None
        }
    }
}
