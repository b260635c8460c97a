//! Reading a layer's arguments: positional ones, `key = value` options, counts and sizes. The
//! rules about what the values mean are `check`'s; these only say what is malformed.

use std::collections::BTreeMap;

use proc_macro2::Span;
use syn::ext::IdentExt;

use crate::ast::{Arg, LayerDef, Number, NumberValue, OptionValue};
use crate::report::Errors;

/// The arguments of a layer that needs them.
pub fn args_of<'a>(def: &'a LayerDef, errors: &mut Errors, form: &str) -> Option<&'a [Arg]> {
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

/// The parentheses of the arguments, for a message about all of them.
pub fn args_span(def: &LayerDef) -> Span {
    def.args.as_ref().map_or(def.span(), |(s, _)| *s)
}

/// Positional arguments first, then `key = value` options.
pub fn split_options(args: &[Arg]) -> (&[Arg], &[Arg]) {
    let at = args
        .iter()
        .position(|a| matches!(a, Arg::Option(..)))
        .unwrap_or(args.len());
    args.split_at(at)
}

pub type Options<'a> = BTreeMap<String, (&'a OptionValue, Span)>;

/// The span of the `pad` option's value, where its errors point.
pub fn pad_span(opts: &Options<'_>) -> Option<Span> {
    opts.get("pad").map(|(v, _)| v.span())
}

/// Options are known and given once each; nothing positional follows them.
pub fn check_options<'a>(
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
                    listing(known)
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
pub fn count(n: &Number, what: &str, errors: &mut Errors) -> Option<u64> {
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

/// A count that may be 0, such as padding.
pub fn non_negative(n: &Number, what: &str, errors: &mut Errors) -> Option<u64> {
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

/// One side of a size `HxW`, which the parser has read as a whole number already.
pub fn nonzero(v: u64, span: Span, what: &str, errors: &mut Errors) -> Option<u64> {
    if v == 0 {
        errors.at(span, format!("{what} must be at least 1, but is 0"));
        return None;
    }
    Some(v)
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn listing(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
