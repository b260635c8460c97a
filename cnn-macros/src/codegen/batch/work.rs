//! The buffers of one part of a training batch: the generated `Work` struct, a field per
//! tensor and per gradient, the conv layers' scratch blocks and the batch norms' statistics.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::Storage;
use crate::codegen::conv::Dims;
use crate::codegen::conv::batch::{self as conv_batch, pack_image};
use crate::codegen::lit;
use crate::ir::{Kind, Network};
use crate::shape::Shape;

/// A buffer of the part: its field, its type, how many blocks it holds (`1` for a scratch
/// block, `blocks` for one per block, or `channels` scalars for statistics).
struct Field {
    name: Ident,
    ty: TokenStream,
    len: TokenStream,
    doc: String,
}

/// The block type of a tensor of shape `s`.
fn block_ty(s: Shape) -> TokenStream {
    match s {
        Shape::Image { c, h, w } => pack_image(c as usize, h as usize, w as usize),
        Shape::Flat(n) => {
            let n = lit(n as usize);
            quote!([::cnn::__private::Pack<T>; #n])
        }
    }
}

/// The `Work` struct and its `ensure`.
pub(super) fn work(net: &Network, st: &Storage) -> TokenStream {
    let mut fields: Vec<Field> = Vec::new();
    let per_block = |name: Ident, s: Shape, doc: String| Field {
        name,
        ty: block_ty(s),
        len: quote!(blocks),
        doc,
    };
    // Which buffers get a gradient from two readers.
    let mut writers = vec![0usize; st.buffers.len()];
    for (i, layer) in net.layers.iter().enumerate() {
        if !st.alias[i] {
            for &t in &layer.inputs {
                writers[st.buffer[t]] += 1;
            }
        }
    }
    for (b, (name, shape)) in st.buffers.iter().enumerate() {
        fields.push(per_block(
            name.clone(),
            *shape,
            format!(" A tensor of {shape} values per example."),
        ));
        fields.push(per_block(
            format_ident!("d_{}", name),
            *shape,
            format!(" dL/d`{name}`."),
        ));
        if writers[b] > 1 {
            fields.push(per_block(
                format_ident!("d2_{}", name),
                *shape,
                format!(" dL/d`{name}` from its second reader."),
            ));
        }
    }
    for layer in &net.layers {
        let n = &layer.name;
        match &layer.kind {
            Kind::Conv(conv) => {
                let d = Dims::of(layer, conv);
                if d.padded() {
                    fields.push(Field {
                        name: format_ident!("xp_{}", n),
                        ty: pack_image(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw),
                        len: quote!(1),
                        doc: format!(" One block of the input of `{n}` with its zero border."),
                    });
                }
                if let Some(b) = conv_batch::dz_border(&d) {
                    fields.push(Field {
                        name: format_ident!("dzp_{}", n),
                        ty: pack_image(d.f, b.h, b.w),
                        len: quote!(1),
                        doc: format!(" One block of dL/dZ of `{n}` with its zero border."),
                    });
                }
                let (kw, kh, cc, f) = (lit(d.kw), lit(d.kh), lit(d.cg()), lit(d.f));
                fields.extend([
                    Field {
                        name: format_ident!("dw_{}", n),
                        ty: quote!([[[[::cnn::__private::Pack<T>; #kw]; #kh]; #cc]; #f]),
                        len: quote!(1),
                        doc: format!(
                            " dL/dW of `{n}`, one pack per weight, lanes added at the end."
                        ),
                    },
                    Field {
                        name: format_ident!("db_{}", n),
                        ty: quote!([::cnn::__private::Pack<T>; #f]),
                        len: quote!(1),
                        doc: format!(" dL/db of `{n}`, likewise."),
                    },
                ]);
            }
            Kind::BatchNorm(b) => {
                let c = lit(b.channels);
                for what in [
                    "mean_p",
                    "m2_p",
                    "mean",
                    "inv_std",
                    "var",
                    "sum_dy_p",
                    "sum_dy_xhat_p",
                    "sum_dy",
                    "sum_dy_xhat",
                ] {
                    fields.push(Field {
                        name: format_ident!("{}_{}", n, what),
                        ty: quote!(T),
                        len: quote!(#c),
                        doc: format!(" `{n}`: `{what}` per channel (`_p`: of this part)."),
                    });
                }
            }
            _ => {}
        }
    }
    let field_decls = fields.iter().map(|f| {
        let (name, ty, doc) = (&f.name, &f.ty, &f.doc);
        quote!(#[doc = #doc] #name: ::cnn::__private::Vec<#ty>,)
    });
    let ensures = fields.iter().map(|f| {
        let (name, len) = (&f.name, &f.len);
        if f.ty.to_string() == "T" {
            quote!(::cnn::__private::batch::ensure_scalars(&mut self.#name, #len);)
        } else {
            quote!(::cnn::__private::batch::ensure(&mut self.#name, #len);)
        }
    });
    quote! {
        /// The buffers of one part of a training batch, kept between steps.
        #[derive(Default)]
        pub struct Work<T> {
            #(#field_decls)*
        }

        impl<T: ::cnn::Float> Work<T> {
            /// Room for `blocks` blocks of eight examples.
            fn ensure(&mut self, blocks: usize) {
                #(#ensures)*
            }
        }
    }
}
