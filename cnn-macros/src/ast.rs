//! The definition as the user wrote it: syntax only, every piece with its span. Meaning (which
//! layer takes which argument, shapes, budgets) is given to it by `check`.

use proc_macro2::Span;
use syn::{Attribute, Ident, Visibility};

use crate::kinds::LayerKind;

/// Everything inside one `network! { ... }`.
pub struct Input {
    pub networks: Vec<NetworkDef>,
}

/// `#[attrs] pub struct Name { layer -> layer -> ... }`.
pub struct NetworkDef {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub layers: Vec<LayerDef>,
}

/// `[label:] kind [(args)]`.
pub struct LayerDef {
    pub label: Option<Ident>,
    pub kind: Ident,
    /// What `kind` names in [`crate::kinds::LAYER_KINDS`], `None` for an unknown name (an
    /// error of `check`, which suggests the nearest).
    pub known: Option<LayerKind>,
    /// `None` without parentheses; the span of the parentheses otherwise. For `residual`
    /// the parentheses hold chains, in `block`, and `args` is empty.
    pub args: Option<(Span, Vec<Arg>)>,
    /// The chains of a `residual(CHAIN)` or `residual(CHAIN, shortcut = CHAIN)`.
    pub block: Option<BlockDef>,
}

/// The inside of `residual(...)`.
pub struct BlockDef {
    /// The body; empty for `residual()`, an error of `check`.
    pub body: Vec<LayerDef>,
    /// `shortcut = CHAIN`: the span of `shortcut`, and the chain.
    pub shortcut: Option<(Span, Vec<LayerDef>)>,
}

impl LayerDef {
    /// From the label (or kind) to the closing parenthesis.
    pub fn span(&self) -> Span {
        let start = self.label.as_ref().unwrap_or(&self.kind).span();
        let end = self.args.as_ref().map_or(self.kind.span(), |(s, _)| *s);
        start.join(end).unwrap_or(start)
    }
}

/// One argument of a layer.
pub enum Arg {
    /// `3`, `-2`, `0.01`.
    Number(Number),
    /// `22x22`.
    Size(Size),
    /// `400->1`.
    Arrow(Number, Number),
    /// `stride = 2`, `pad = same`.
    Option(Ident, OptionValue),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Number(n) => n.span,
            Arg::Size(s) => s.span,
            Arg::Arrow(a, b) => a.span.join(b.span).unwrap_or(a.span),
            Arg::Option(k, v) => k.span().join(v.span()).unwrap_or(k.span()),
        }
    }
}

/// A numeric literal, kept as written (for messages) and as a value.
#[derive(Clone)]
pub struct Number {
    pub value: NumberValue,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq)]
pub enum NumberValue {
    /// An integer literal (possibly negated): `-3` is `Int(-3)`.
    Int(i128),
    Float(f64),
}

/// `HxW`.
#[derive(Clone, Copy)]
pub struct Size {
    pub h: u64,
    pub w: u64,
    pub span: Span,
}

pub enum OptionValue {
    Number(Number),
    Ident(Ident),
}

impl OptionValue {
    pub fn span(&self) -> Span {
        match self {
            OptionValue::Number(n) => n.span,
            OptionValue::Ident(i) => i.span(),
        }
    }
}
