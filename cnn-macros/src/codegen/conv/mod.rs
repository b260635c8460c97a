//! The generated kernels of a convolution: its sizes (`Dims`), and the functions for one
//! example (`example`) and for a batch (`batch`).

pub mod batch;
pub mod example;

/// What a forward pass applies to each sum before storing it: nothing, or the activation fused
/// into the layer (`::cnn::__private::act::Relu`, ...).
pub type Fused = Option<TokenStream>;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

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
        }
    }

    pub fn padded(&self) -> bool {
        self.ph > 0 || self.pw > 0
    }

    pub fn weight_ty(&self) -> TokenStream {
        let (kw, kh, c, f) = (lit(self.kw), lit(self.kh), lit(self.c), lit(self.f));
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

    /// `let [[w00, w01, w02], [w10, ...], ...] = w[f][c];`
    fn load_taps(&self) -> TokenStream {
        let rows = (0..self.kh).map(|u| {
            let taps = (0..self.kw).map(|v| self.tap(u, v));
            quote!([#(#taps),*])
        });
        quote!(let [#(#rows),*] = w[f][c];)
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
    format!(
        " `{}`: {} -> {}, {filters} of {}x{}x{}, stride {}{pad}.",
        layer.name, layer.input, layer.output, d.c, d.kh, d.kw, d.s
    )
}
