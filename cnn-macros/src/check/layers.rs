//! The rules of the layer kinds without a window: activations, batch norm, dropout, dense, and
//! the kinds that are not layers there (a second input, an unknown name).

use proc_macro2::Span;
use syn::ext::IdentExt;

use crate::args::{args_of, args_span, check_options, count, split_options};
use crate::ast::{Arg, LayerDef, NumberValue, OptionValue};
use crate::budget;
use crate::ir::Kind;
use crate::kinds;
use crate::report::Errors;
use crate::shape::Shape;

/// The shapes come from the one input at the start; a second would start another chain.
pub fn check_input_only_first(def: &LayerDef, errors: &mut Errors) -> Option<(Kind, Shape)> {
    errors.at(
        def.span(),
        "`input` must be the first layer, and only the first",
    );
    None
}

/// A name outside the table of layer kinds: the message lists the table and suggests the
/// nearest entry, as rustc does for a misspelt name.
pub fn check_known_kind(def: &LayerDef, errors: &mut Errors) -> Option<(Kind, Shape)> {
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
pub fn check_no_args(def: &LayerDef, errors: &mut Errors) -> Option<()> {
    if let Some((span, _)) = &def.args {
        errors.at(*span, format!("`{}` takes no arguments", def.kind));
        return None;
    }
    Some(())
}

/// `softmax` normalises over the network's whole output, so it ends the chain (and is what
/// `SoftmaxCrossEntropy` expects to follow).
pub fn check_softmax_last(def: &LayerDef, last: bool, errors: &mut Errors) -> Option<()> {
    if !last {
        errors.at(def.kind.span(), "`softmax` must be the last layer");
        return None;
    }
    Some(())
}

/// A leaky relu's negative slope lies strictly between 0 and 1: 0 is a relu, 1 the identity,
/// and the backward pass reads the sign of the output as the sign of the input.
pub fn check_leaky_slope(def: &LayerDef, errors: &mut Errors) -> Option<f64> {
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

/// `batchnorm` or `batchnorm(eps = E, momentum = M)` normalises what the layer before it
/// outputs: per channel after an image (PyTorch's `BatchNorm2d`), per feature after a flat
/// vector (`BatchNorm1d`). Right after the input there is no layer output to normalise (the
/// data is standardised when it is loaded), and a second batch norm in a row would normalise
/// what is already normalised.
pub fn check_batchnorm(
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
pub fn check_dropout(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
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

/// `dense(N->M)` checks N against the flattened previous output, so that a wrong size is an
/// error naming both; `dense(M)` infers it.
pub fn check_dense(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
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
