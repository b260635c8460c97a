//! The generated kernels of a convolution: its sizes (`Dims`), and the functions for one
//! example (`example`) and for a batch (`batch`).
//!
//! Each function generic over the instruction set `S` starts with `unless_unrolled`: for a set
//! that does not unroll (the x86-64 fallback, see `cnn-runtime/src/simd/mod.rs`), a call of the
//! runtime's plain loops (`kernels/conv_loops.rs`) with the layer's sizes (`conv1_shape()`), and
//! a return. The condition is a constant, so the AVX2 instance compiles only the unrolled code
//! that follows, and the fallback only the call.

pub mod batch;
pub mod example;

/// What a forward pass applies to each sum before storing it: nothing, or the activation fused
/// into the layer (`::cnn::__private::act::Relu`, ...).
pub type Fused = Option<TokenStream>;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::codegen::lit;
use crate::ir::{Conv, Layer};
use crate::shape::Shape;

/// The sizes of one convolution, as the generated code needs them.
pub struct Dims {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub f: usize,
    pub oh: usize,
    pub ow: usize,
    pub kh: usize,
    pub kw: usize,
    pub s: usize,
    pub ph: usize,
    pub pw: usize,
    /// Groups: filter `f` sees channels `(f / fg) cg ..` of the input.
    pub g: usize,
}

impl Dims {
    pub fn of(layer: &Layer, conv: &Conv) -> Dims {
        let (Shape::Image { c, h, w }, Shape::Image { h: oh, w: ow, .. }) =
            (layer.input, layer.output)
        else {
            unreachable!("check gives a conv image input and output")
        };
        Dims {
            c: c as usize,
            h: h as usize,
            w: w as usize,
            f: conv.filters,
            oh: oh as usize,
            ow: ow as usize,
            kh: conv.kh,
            kw: conv.kw,
            s: conv.stride,
            ph: conv.pad_h,
            pw: conv.pad_w,
            g: conv.groups,
        }
    }

    /// Channels a filter sees.
    pub fn cg(&self) -> usize {
        self.c / self.g
    }

    /// Filters per group.
    pub fn fg(&self) -> usize {
        self.f / self.g
    }

    /// `for g in 0..G { let fg0 = g * FG; let cg0 = g * CG; body }` for a grouped
    /// convolution; the body alone (with filters and channels from 0) otherwise.
    pub fn groups(&self, body: TokenStream) -> TokenStream {
        if self.g == 1 {
            return body;
        }
        let (g, fg, cg) = (lit(self.g), lit(self.fg()), lit(self.cg()));
        quote! {
            for g in 0..#g {
                let fg0 = g * #fg;
                let cg0 = g * #cg;
                #body
            }
        }
    }

    /// The absolute filter of the group's filter `local` (`fg0 + local`, or `local`).
    pub fn filter(&self, local: TokenStream) -> TokenStream {
        if self.g == 1 {
            local
        } else {
            quote!(fg0 + #local)
        }
    }

    /// The absolute input channel of the group's channel `local`.
    pub fn channel(&self, local: TokenStream) -> TokenStream {
        if self.g == 1 {
            local
        } else {
            quote!(cg0 + #local)
        }
    }

    /// `fn conv1_shape()`: the sizes for the runtime's plain loops, which each of the layer's
    /// functions passes them (`Self::conv1_shape()`, see [`shape_of`]).
    pub fn shape_fn(&self, layer: &Layer) -> TokenStream {
        let [c, h, w, f, oh, ow, kh, kw, s, ph, pw, g] = [
            self.c, self.h, self.w, self.f, self.oh, self.ow, self.kh, self.kw, self.s, self.ph,
            self.pw, self.g,
        ]
        .map(lit);
        let name = format_ident!("{}_shape", layer.name);
        let doc = format!(
            " The sizes of `{}`, for the plain loops that CPUs without AVX2 and FMA run.",
            layer.name
        );
        quote_spanned! {layer.span=>
            #[doc = #doc]
            #[inline(always)]
            fn #name() -> &'static ::cnn::__private::conv_loops::ConvShape {
                &::cnn::__private::conv_loops::ConvShape {
                    c: #c, h: #h, w: #w, f: #f, oh: #oh, ow: #ow, kh: #kh, kw: #kw,
                    stride: #s, pad_h: #ph, pad_w: #pw, groups: #g,
                }
            }
        }
    }

    pub fn padded(&self) -> bool {
        self.ph > 0 || self.pw > 0
    }

    pub fn weight_ty(&self) -> TokenStream {
        let (kw, kh, c, f) = (lit(self.kw), lit(self.kh), lit(self.cg()), lit(self.f));
        quote!([[[[T; #kw]; #kh]; #c]; #f])
    }

    /// `w00`, `w01`, ... for tap `(u, v)` of the filter; `w1_10` when a side reaches 10.
    fn tap(&self, u: usize, v: usize) -> Ident {
        if self.kh > 10 || self.kw > 10 {
            format_ident!("w{}_{}", u, v)
        } else {
            format_ident!("w{}{}", u, v)
        }
    }

    /// `let [[w00, w01, w02], [w10, ...], ...] = w[f][c];`, with `c` the channel within the
    /// filter's group.
    fn load_taps(&self, c: TokenStream) -> TokenStream {
        let rows = (0..self.kh).map(|u| {
            let taps = (0..self.kw).map(|v| self.tap(u, v));
            quote!([#(#taps),*])
        });
        quote!(let [#(#rows),*] = w[f][#c];)
    }
}

/// `Self::conv1_shape()`: the layer's sizes, from [`Dims::shape_fn`].
pub fn shape_of(layer: &Layer) -> TokenStream {
    let name = format_ident!("{}_shape", layer.name);
    quote!(Self::#name())
}

/// `body` (the runtime's plain loops) and a return, for an instruction set that does not
/// unroll (the x86-64 fallback), ahead of the unrolled code: the condition is a constant, so
/// each instance compiles one of the two.
pub fn unless_unrolled(body: TokenStream) -> TokenStream {
    quote! {
        if const { !<S as ::cnn::__private::Simd>::UNROLLS } {
            #body
            return;
        }
    }
}

pub fn describe(layer: &Layer, d: &Dims) -> String {
    let filters = if d.f == 1 {
        "1 filter".to_string()
    } else {
        format!("{} filters", d.f)
    };
    let pad = if d.padded() {
        format!(", zero padding {}x{}", d.ph, d.pw)
    } else {
        String::new()
    };
    let groups = if d.g > 1 {
        format!(", in {} groups", d.g)
    } else {
        String::new()
    };
    format!(
        " `{}`: {} -> {}, {filters} of {}x{}x{}, stride {}{pad}{groups}.",
        layer.name,
        layer.input,
        layer.output,
        d.cg(),
        d.kh,
        d.kw,
        d.s
    )
}
