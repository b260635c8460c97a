//! The rules of a chain's ends and names: the input first, layers after it, unique layer
//! names, and at the end something to train.

use std::collections::HashMap;

use syn::Ident;
use syn::ext::IdentExt;

use crate::args::{args_of, args_span, count, nonzero};
use crate::ast::{Arg, LayerDef, NetworkDef};
use crate::budget::Budget;
use crate::kinds::LayerKind;
use crate::report::Errors;

/// A network starts with exactly one `input(HxW)` or `input(C, HxW)`: it is where the shapes
/// come from.
pub fn check_input_first(def: &LayerDef, errors: &mut Errors) -> Option<[u64; 3]> {
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
pub fn check_layers_after_input(
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
pub fn layer_name(def: &LayerDef, ordinals: &mut HashMap<String, usize>) -> Ident {
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
pub fn check_unique_name(
    name: &Ident,
    def: &LayerDef,
    names: &mut Vec<String>,
    errors: &mut Errors,
) {
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
pub fn check_has_parameters(def: &NetworkDef, budget: &Budget, errors: &mut Errors) -> Option<()> {
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
