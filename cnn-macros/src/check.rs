//! Lowering from syntax to the IR, one `check_*` per rule, each with the reason for it.
//! [`check`] lists the rules of an invocation, [`check_network`] those of one chain and
//! [`check_layer`] those of each layer kind, in the order they run.
//!
//! Errors are collected across the layers of every network; after a layer whose output shape
//! cannot be worked out, the chain's later layers are not checked, so one mistake gives one
//! message. The size budgets and their running totals are in `budget.rs`, the error sink in
//! `report.rs`, the table of layer kinds in `kinds.rs`, the reading of arguments in `args.rs`.
//!
//! The rules are grouped by topic in `check/`: the ends and names of a chain (`chain.rs`),
//! residual blocks (`blocks.rs`), the layer kinds (`layers.rs`), and the layers that slide a
//! window, conv and pooling, with the window rules they share (`windows.rs`).

mod blocks;
mod chain;
mod layers;
mod windows;

use std::collections::HashMap;

use syn::ext::IdentExt;

use crate::ast::{self, LayerDef, NetworkDef};
use crate::budget::Budget;
use crate::ir::{Activation, Kind, Layer, Network};
use crate::kinds::LayerKind;
use crate::report::Errors;
use crate::shape::Shape;
use blocks::{check_residual, check_unique_ident};
use chain::{
    check_has_parameters, check_input_first, check_layers_after_input, check_unique_name,
    layer_name,
};
use layers::{
    check_batchnorm, check_dense, check_dropout, check_input_only_first, check_known_kind,
    check_leaky_slope, check_no_args, check_softmax_last,
};
use windows::{check_conv, check_needs_image, check_pool};

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
