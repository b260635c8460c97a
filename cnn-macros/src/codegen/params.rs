//! The parameters: their layout in the flat array, their PyTorch names and shapes, how each is
//! initialised, and the typed views (`conv1_weight()`) the passes read them through.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::codegen::lit;
use crate::ir::{Activation, Kind, Layer, Network};

/// `conv1_weight()` and `conv1_bias()`: views into the flat parameters.
pub fn accessors(layer: &Layer) -> TokenStream {
    let Some((w_len, _)) = layer.param_lens() else {
        return TokenStream::new();
    };
    let (w_ty, b_ty) = param_tys(layer);
    let (wn, bn) = (
        format_ident!("{}_weight", layer.name),
        format_ident!("{}_bias", layer.name),
    );
    let (w_off, b_off) = (lit(layer.param_offset), lit(layer.param_offset + w_len));
    let (w_doc, b_doc) = (
        format!(" `{}.weight`, within `params()`.", layer.path),
        format!(" `{}.bias`, within `params()`.", layer.path),
    );
    let running = matches!(layer.kind, Kind::BatchNorm(_)).then(|| {
        let (mn, vn) = (
            format_ident!("{}_running_mean", layer.name),
            format_ident!("{}_running_var", layer.name),
        );
        let (m_off, v_off) = (lit(layer.buffer_offset), lit(layer.buffer_offset + w_len));
        let (m_doc, v_doc) = (
            format!(" `{}.running_mean`, within `buffers()`.", layer.path),
            format!(" `{}.running_var`, within `buffers()`.", layer.path),
        );
        quote! {
            #[doc = #m_doc]
            #[inline(always)]
            fn #mn(&self) -> &#b_ty {
                ::cnn::__private::part::<_, _, #m_off>(::cnn::__private::params_of(&self.buffers))
            }

            #[doc = #v_doc]
            #[inline(always)]
            fn #vn(&self) -> &#b_ty {
                ::cnn::__private::part::<_, _, #v_off>(::cnn::__private::params_of(&self.buffers))
            }
        }
    });
    quote! {
        #[doc = #w_doc]
        #[inline(always)]
        fn #wn(&self) -> &#w_ty {
            ::cnn::__private::part::<_, _, #w_off>(::cnn::__private::params_of(&self.params))
        }

        #[doc = #b_doc]
        #[inline(always)]
        fn #bn(&self) -> &#b_ty {
            ::cnn::__private::part::<_, _, #b_off>(::cnn::__private::params_of(&self.params))
        }

        #running
    }
}

/// The weight and bias types of a layer with parameters, in PyTorch's layouts.
fn param_tys(layer: &Layer) -> (TokenStream, TokenStream) {
    match &layer.kind {
        Kind::Conv(c) => {
            let (kw, kh, ch, f) = (
                lit(c.kw),
                lit(c.kh),
                lit(c.group_channels()),
                lit(c.filters),
            );
            (quote!([[[[T; #kw]; #kh]; #ch]; #f]), quote!([T; #f]))
        }
        Kind::Dense { n, m } => {
            let (n, m) = (lit(*n), lit(*m));
            (quote!([[T; #n]; #m]), quote!([T; #m]))
        }
        Kind::BatchNorm(b) => {
            let c = lit(b.channels);
            (quote!([T; #c]), quote!([T; #c]))
        }
        _ => (TokenStream::new(), TokenStream::new()),
    }
}

/// The `TensorInfo` of every parameter tensor: names, PyTorch shapes, offsets, and the
/// initialisation chosen by the activation that follows the layer.
pub fn tensor_table(net: &Network) -> Vec<TensorInfo> {
    let mut out = Vec::new();
    for (i, layer) in net.layers.iter().enumerate() {
        let Some((w_len, b_len)) = layer.param_lens() else {
            continue;
        };
        let (shape, fan_in, fan_out): (Vec<usize>, usize, usize) = match &layer.kind {
            Kind::Conv(c) => (
                vec![c.filters, c.group_channels(), c.kh, c.kw],
                c.group_channels() * c.kh * c.kw,
                c.group_filters() * c.kh * c.kw,
            ),
            Kind::Dense { n, m } => (vec![*m, *n], *n, *m),
            Kind::BatchNorm(b) => (vec![b.channels], 1, 1),
            _ => continue,
        };
        // By the activation that follows, looking past pooling and batch norm (conv ->
        // batchnorm -> relu); batch norm's scale starts at 1.
        let next = net.layers[i + 1..].iter().find(|l| {
            !matches!(
                l.kind,
                Kind::Pool(_) | Kind::BatchNorm(_) | Kind::Dropout(_)
            )
        });
        let init = match next.map(|l| &l.kind) {
            _ if matches!(layer.kind, Kind::BatchNorm(_)) => quote!(::cnn::Init::Ones),
            Some(Kind::Activation(Activation::Relu)) => quote!(::cnn::Init::HeNormal {
                negative_slope: 0.0
            }),
            Some(Kind::Activation(Activation::LeakyRelu(a))) => {
                quote!(::cnn::Init::HeNormal { negative_slope: #a })
            }
            _ => quote!(::cnn::Init::XavierUniform),
        };
        let bias_shape = lit(shape[0]);
        let shape = shape.into_iter().map(lit);
        out.push(TensorInfo {
            name: format!("{}.weight", layer.path),
            shape: quote!(&[#(#shape),*]),
            offset: layer.param_offset,
            len: w_len,
            fan_in,
            fan_out,
            init,
        });
        out.push(TensorInfo {
            name: format!("{}.bias", layer.path),
            shape: quote!(&[#bias_shape]),
            offset: layer.param_offset + w_len,
            len: b_len,
            fan_in,
            fan_out,
            init: quote!(::cnn::Init::Zeros),
        });
    }
    out
}

/// The `TensorInfo` of every buffer (a batch norm's running mean, initialised to 0, and
/// running variance, to 1), and the names of the batch norms' `num_batches_tracked`.
pub fn buffer_table(net: &Network) -> (Vec<TensorInfo>, Vec<String>) {
    let (mut out, mut counters) = (Vec::new(), Vec::new());
    for layer in &net.layers {
        let Kind::BatchNorm(b) = &layer.kind else {
            continue;
        };
        for (k, (what, init)) in [
            ("running_mean", quote!(::cnn::Init::Zeros)),
            ("running_var", quote!(::cnn::Init::Ones)),
        ]
        .into_iter()
        .enumerate()
        {
            let c = lit(b.channels);
            out.push(TensorInfo {
                name: format!("{}.{what}", layer.path),
                shape: quote!(&[#c]),
                offset: layer.buffer_offset + k * b.channels,
                len: b.channels,
                fan_in: 1,
                fan_out: 1,
                init,
            });
        }
        counters.push(format!("{}.num_batches_tracked", layer.path));
    }
    (out, counters)
}

pub struct TensorInfo {
    name: String,
    shape: TokenStream,
    offset: usize,
    len: usize,
    fan_in: usize,
    fan_out: usize,
    init: TokenStream,
}

impl quote::ToTokens for TensorInfo {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let TensorInfo {
            name,
            shape,
            offset,
            len,
            fan_in,
            fan_out,
            init,
        } = self;
        let (offset, len, fan_in, fan_out) = (lit(*offset), lit(*len), lit(*fan_in), lit(*fan_out));
        tokens.extend(quote! {
            ::cnn::TensorInfo {
                name: #name,
                shape: #shape,
                offset: #offset,
                len: #len,
                fan_in: #fan_in,
                fan_out: #fan_out,
                init: #init,
            }
        });
    }
}
