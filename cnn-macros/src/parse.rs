//! Syntax only: `impl Parse` for the definition. Sizes such as `22x22` reach us as one integer
//! literal with the suffix `x22`, so they are split here from the literal's text. A layer's
//! name is looked up in the table of layer kinds (`kinds.rs`); an unknown one is kept, for
//! `check` to report with a suggestion.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitFloat, LitInt, Token, Visibility, braced, parenthesized};

use crate::ast::{
    Arg, BlockDef, Input, LayerDef, NetworkDef, Number, NumberValue, OptionValue, Size,
};
use crate::kinds::LayerKind;

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut networks = Vec::new();
        while !input.is_empty() {
            networks.push(input.parse()?);
        }
        if networks.is_empty() {
            return Err(input.error("expected a network: `pub struct Name { input(HxW) -> ... }`"));
        }
        Ok(Input { networks })
    }
}

impl Parse for NetworkDef {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        if input.peek(Token![<]) {
            return Err(input.error(
                "a network takes no generic parameters: it is generic over its scalar type already (`Name<f64>`)",
            ));
        }
        if !input.peek(syn::token::Brace) {
            return Err(input.error("expected `{` and the layers: `{ input(HxW) -> ... }`"));
        }
        let body;
        let brace = braced!(body in input);
        let layers = parse_chain(&body, brace.span.join())?;
        Ok(NetworkDef {
            attrs,
            vis,
            name,
            layers,
        })
    }
}

/// `layer (-> layer)*`, with messages for the usual slips: nothing at all, a missing arrow, a
/// doubled one, one at the end.
fn parse_chain(input: ParseStream, body_span: Span) -> syn::Result<Vec<LayerDef>> {
    if input.is_empty() {
        return Err(syn::Error::new(
            body_span,
            "empty network: expected a chain of layers such as `input(28x28) -> conv(3x3) -> relu`",
        ));
    }
    parse_links(input, false)
}

/// The layers of a chain and the arrows between them, up to the end of `input` (or, inside
/// `residual(...)`, up to a comma).
fn parse_links(input: ParseStream, in_block: bool) -> syn::Result<Vec<LayerDef>> {
    let mut layers = vec![input.parse::<LayerDef>()?];
    let at_end = |input: ParseStream| input.is_empty() || (in_block && input.peek(Token![,]));
    while !at_end(input) {
        if !input.peek(Token![->]) {
            return Err(input.error(format!(
                "expected `->` after `{}`: layers are joined by arrows",
                layers
                    .last()
                    .map(|l| l.kind.to_string())
                    .unwrap_or_default()
            )));
        }
        let arrow: Token![->] = input.parse()?;
        if input.peek(Token![->]) {
            return Err(input.error("doubled arrow: expected a layer after `->`"));
        }
        if at_end(input) {
            return Err(syn::Error::new(
                arrow.spans[0]
                    .join(arrow.spans[1])
                    .unwrap_or(arrow.spans[0]),
                "expected a layer after `->`: the chain ends with an arrow",
            ));
        }
        layers.push(input.parse()?);
    }
    Ok(layers)
}

/// `CHAIN` or `CHAIN, shortcut = CHAIN` inside `residual(...)`; nothing at all is an empty
/// body, which `check` reports.
fn parse_block(input: ParseStream) -> syn::Result<BlockDef> {
    if input.is_empty() {
        return Ok(BlockDef {
            body: Vec::new(),
            shortcut: None,
        });
    }
    let body = parse_links(input, true)?;
    let mut shortcut = None;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        if !input.is_empty() {
            let key: Ident = input.call(syn::ext::IdentExt::parse_any).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `shortcut = CHAIN` after the body of `residual`",
                )
            })?;
            if key != "shortcut" || !input.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown option `{key}`; `residual` takes `shortcut = CHAIN` after its body"
                    ),
                ));
            }
            input.parse::<Token![=]>()?;
            if input.is_empty() {
                return Err(input.error("expected a chain of layers after `shortcut =`"));
            }
            shortcut = Some((key.span(), parse_links(input, true)?));
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
        }
    }
    if !input.is_empty() {
        return Err(input.error("expected `)` after the chains of `residual`"));
    }
    Ok(BlockDef { body, shortcut })
}

impl Parse for LayerDef {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let first: Ident = input.call(syn::ext::IdentExt::parse_any).map_err(|e| {
            syn::Error::new(e.span(), "expected a layer, such as `conv(3x3)` or `relu`")
        })?;
        let (label, kind) = if input.peek(Token![:]) && !input.peek(Token![::]) {
            input.parse::<Token![:]>()?;
            let kind: Ident = input
                .call(syn::ext::IdentExt::parse_any)
                .map_err(|e| syn::Error::new(e.span(), "expected a layer after the label"))?;
            (Some(first), kind)
        } else {
            (None, first)
        };
        let known = LayerKind::from_name(&syn::ext::IdentExt::unraw(&kind).to_string());
        let mut block = None;
        let args = if input.peek(syn::token::Paren) {
            let content;
            let paren = parenthesized!(content in input);
            if known == Some(LayerKind::Residual) {
                block = Some(parse_block(&content)?);
                Some((paren.span.join(), Vec::new()))
            } else {
                let args = content.parse_terminated(parse_arg, Token![,])?;
                Some((paren.span.join(), args.into_iter().collect()))
            }
        } else {
            None
        };
        Ok(LayerDef {
            label,
            kind,
            known,
            args,
            block,
        })
    }
}

fn parse_arg(input: ParseStream) -> syn::Result<Arg> {
    if input.peek(Ident) && input.peek2(Token![=]) {
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let value = if input.peek(Ident) {
            OptionValue::Ident(input.parse()?)
        } else {
            OptionValue::Number(parse_number(input)?)
        };
        return Ok(Arg::Option(key, value));
    }
    if input.peek(LitInt) {
        let lit: LitInt = input.fork().parse()?;
        let text = lit.to_string();
        if text.contains('x') || !lit.suffix().is_empty() {
            input.parse::<LitInt>()?;
            return parse_size(&lit, &text).map(Arg::Size);
        }
    }
    let first = parse_number(input)?;
    if input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        let second = parse_number(input)?;
        return Ok(Arg::Arrow(first, second));
    }
    Ok(Arg::Number(first))
}

/// `HxW` from the text of one integer literal: `3x3` lexes as `3` with the suffix `x3`, and
/// `0x5` as a hexadecimal literal, which is why we look at the text.
fn parse_size(lit: &LitInt, text: &str) -> syn::Result<Size> {
    let malformed = || {
        syn::Error::new(
            lit.span(),
            format!("malformed size `{text}`: expected height x width, such as `3x3` or `22x22`"),
        )
    };
    let (h, w) = text.split_once('x').ok_or_else(malformed)?;
    let digits = |s: &str| -> syn::Result<u64> {
        let s = s.replace('_', "");
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        s.parse::<u64>()
            .map_err(|_| syn::Error::new(lit.span(), format!("size `{text}` is too large")))
    };
    Ok(Size {
        h: digits(h)?,
        w: digits(w)?,
        span: lit.span(),
    })
}

/// An integer or float literal, optionally negated.
fn parse_number(input: ParseStream) -> syn::Result<Number> {
    let minus = input.parse::<Option<Token![-]>>()?;
    let sign: i8 = if minus.is_some() { -1 } else { 1 };
    let start = minus.map(|m| m.span);
    let join = |s: Span| start.and_then(|m| m.join(s)).unwrap_or(s);
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(
                lit.span(),
                format!("unexpected suffix `{}` on a number", lit.suffix()),
            ));
        }
        let value: i128 = lit
            .base10_parse::<u64>()
            .map_err(|_| syn::Error::new(lit.span(), format!("number `{lit}` is too large")))?
            .into();
        Ok(Number {
            value: NumberValue::Int(i128::from(sign) * value),
            text: format!("{}{lit}", if sign < 0 { "-" } else { "" }),
            span: join(lit.span()),
        })
    } else if input.peek(LitFloat) {
        let lit: LitFloat = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(
                lit.span(),
                format!("unexpected suffix `{}` on a number", lit.suffix()),
            ));
        }
        let value: f64 = lit.base10_parse()?;
        Ok(Number {
            value: NumberValue::Float(f64::from(sign) * value),
            text: format!("{}{lit}", if sign < 0 { "-" } else { "" }),
            span: join(lit.span()),
        })
    } else {
        Err(input
            .error("expected a number, a size such as `3x3`, or an option such as `stride = 2`"))
    }
}
