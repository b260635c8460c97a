//! Residual blocks: the chains of a block, checked like the network's inside the block's name,
//! the rules of the block itself, and the code names that join a block's name to its layers'.

use syn::Ident;

use super::{Lowered, Scope, check_chain};
use crate::args::args_span;
use crate::ast::LayerDef;
use crate::ir::{Kind, Layer};
use crate::report::Errors;
use crate::shape::Shape;

/// `residual(CHAIN)` adds the body's output to the block's input, `residual(CHAIN, shortcut =
/// CHAIN)` to the shortcut's output: both need the same shape, the body something in it. The
/// chains are checked like the network's, inside the block's name.
pub fn check_residual(
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
pub fn check_unique_ident(
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
