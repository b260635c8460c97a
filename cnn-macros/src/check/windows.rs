//! The layers that slide a window over an image, conv and pooling: their arguments and options
//! (stride, padding, groups), and the window rules they share.

use proc_macro2::Span;
use syn::ext::IdentExt;

use crate::args::{
    Options, args_of, args_span, check_options, count, non_negative, nonzero, pad_span,
    split_options,
};
use crate::ast::{Arg, LayerDef, OptionValue, Size};
use crate::budget;
use crate::ir::{Conv, Kind, Pool};
use crate::report::Errors;
use crate::shape::{self, Pad, Shape};

/// `conv(KhxKw)` or `conv(F, KhxKw)`, then `stride = S` and `pad = P | same`. The kernel, the
/// stride and the fit are the window rules shared with pooling.
pub fn check_conv(def: &LayerDef, input: Shape, errors: &mut Errors) -> Option<(Kind, Shape)> {
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
pub fn check_pool(
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
pub fn check_needs_image(
    def: &LayerDef,
    input: Shape,
    errors: &mut Errors,
) -> Option<(u64, u64, u64)> {
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
