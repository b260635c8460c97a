//! The three functions of a convolution layer, with the filter taps unrolled.
//!
//! What is unrolled and why: the `Kh x Kw` taps of a filter become one statement each, with
//! constant offsets, so the code reads like the derivation (`O11 = F11 X11 + F12 X12 + ...`)
//! and the compiler keeps the taps in registers. The loops over filters, channels and rows stay
//! loops, so code size grows with the kernels' area only (bounded by
//! `check::MAX_KERNEL_TAPS` per filter and `check::MAX_NETWORK_TAPS` per network, which keep
//! a release build under two minutes), never with channels or the image.
//!
//! Each output row is computed 8 columns at a time (`row_chunks`): the statements work on
//! `[T; 8]` arrays through the runtime's lane helpers (`lanes`, `add_scaled`, `add_products`,
//! `add_lanes`), which LLVM turns into vector instructions; a row whose width is not a multiple
//! of 8 ends with one narrower chunk.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::codegen::conv::{Dims, Fused, describe};
use crate::codegen::tile::{CorrTile, choose_covering_tile3, covering_loop, idx, keep_all};
use crate::codegen::{image_ty, lit};
use crate::ir::{Conv, Layer};

/// `i`, `i + 2`, `i * 2`, `i * 2 + 1`: position `var * stride + offset`, without `* 1` or `+ 0`.
fn at(var: &Ident, stride: usize, offset: usize) -> TokenStream {
    let base = if stride == 1 {
        quote!(#var)
    } else {
        let s = lit(stride);
        quote!(#var * #s)
    };
    if offset == 0 {
        base
    } else {
        let o = lit(offset);
        quote!(#base + #o)
    }
}

/// Output columns per chunk: one 8-lane AVX vector of `f32`.
const LANES: usize = 8;

/// A row of `len` output columns, `LANES` at a time: `for k in 0..n { let j = k * 8; body }`
/// with `body(8)`, then, when `len` is not a multiple of 8, the rest as one narrower chunk
/// `{ let j = 8n; body }` with `body(len % 8)`. Every chunk is a whole number of lanes, so no
/// column is left to a scalar remainder loop (or to masked loads and stores, which LLVM
/// would otherwise emit, slowly on AMD cores).
fn row_chunks(len: usize, body: impl Fn(usize) -> TokenStream) -> TokenStream {
    let (n, rest) = (len / LANES, len % LANES);
    let main = match n {
        0 => TokenStream::new(),
        1 => {
            let body = body(LANES);
            quote!({ let j = 0; #body })
        }
        _ => {
            let (n, lanes, body) = (lit(n), lit(LANES), body(LANES));
            quote!(for k in 0..#n { let j = k * #lanes; #body })
        }
    };
    let tail = (rest > 0).then(|| {
        let (start, body) = (lit(n * LANES), body(rest));
        quote!({ let j = #start; #body })
    });
    quote!(#main #tail)
}

/// `lanes::<_, L, S>(row, start)`: `L` values of `row` from `start`, `S` apart.
fn window(row: &Ident, lanes: usize, stride: usize, start: TokenStream) -> TokenStream {
    let (lanes, stride) = (lit(lanes), lit(stride));
    quote!(lanes::<_, #lanes, #stride>(#row, #start))
}

/// One partial sum per kernel row `u` over `lanes` output columns, added to `acc`:
/// `let mut r0 = [T::ZERO; L]; add_scaled(&mut r0, w00, lanes(x0, j)); ...; add_lanes(&mut acc,
/// r0);`. `tap(u, v)` names the tap applied at offset `v` of row `u`, `row(u)` the row read, and
/// `live(u)`, when given, the condition under which row `u` can be nonzero (the rest is
/// skipped). Kh independent chains instead of one of Kh * Kw, which would wait on the adder's
/// latency.
fn partial_sums(
    d: &Dims,
    lanes: usize,
    stride: usize,
    tap: impl Fn(usize, usize) -> Ident,
    row: impl Fn(usize) -> Ident,
    live: impl Fn(usize) -> Option<TokenStream>,
) -> TokenStream {
    let j = format_ident!("j");
    let n = lit(lanes);
    let sums = (0..d.kh).map(|u| {
        let (r, row) = (format_ident!("r{}", u), row(u));
        let terms = (0..d.kw).map(|v| {
            let (tap, x) = (tap(u, v), window(&row, lanes, stride, at(&j, stride, v)));
            quote!(add_scaled(&mut #r, #tap, #x);)
        });
        let sum = quote! {
            let mut #r = [T::ZERO; #n];
            #(#terms)*
            add_lanes(&mut acc, #r);
        };
        match live(u) {
            Some(condition) => quote!(if #condition { #sum }),
            None => quote!({ #sum }),
        }
    });
    quote!(#(#sums)*)
}

/// `let xp = ...` when the layer pads, so the loops read from a zero-bordered copy.
fn padded_source(d: &Dims) -> (TokenStream, Ident) {
    if !d.padded() {
        return (TokenStream::new(), format_ident!("x"));
    }
    let ty = image_ty(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw);
    (
        quote! {
            let mut xp: #ty = ::cnn::__private::Tensor::zeroed();
            ::cnn::__private::pad(x, &mut xp);
        },
        format_ident!("xp"),
    )
}

/// `a / n`, or `a` for `n = 1` (no identity operations in the user's crate).
fn div(a: TokenStream, n: usize) -> TokenStream {
    if n == 1 {
        a
    } else {
        let n = lit(n);
        quote!(#a / #n)
    }
}

/// `a * n`, or `a` for `n = 1`.
fn mul(a: TokenStream, n: usize) -> TokenStream {
    if n == 1 {
        a
    } else {
        let n = lit(n);
        quote!((#a) * #n)
    }
}

/// Whether the forward pass for one example reads its input from a copy, and how long it is:
/// a padded layer reads a zero-bordered copy, and a row whose width is not a multiple of eight
/// ends in a vector that reads past the row (and, at the last row, past the input). The copy
/// has room after the last row for the widest read, eight columns at the stride. It lives in
/// the arena of the layers' outputs, its border zero since the arena was made.
pub fn copy_len(d: &Dims) -> usize {
    if d.padded() || !d.ow.is_multiple_of(8) {
        d.c * (d.h + 2 * d.ph) * (d.w + 2 * d.pw) + 8 * d.s + d.kw
    } else {
        0
    }
}

/// The forward pass for one example: the correlation of the input with each filter, plus the
/// bias, then the fused activation. Eight output columns are one vector; a tile holds a few
/// filters at a few vectors (of one or several output rows), whose sums stay in registers
/// while the loop runs over the input channels and the taps are unrolled inside. A row whose
/// width is not a multiple of eight ends in a narrower vector, stored in part.
pub fn forward(layer: &Layer, conv: &Conv, act: &Fused) -> TokenStream {
    let d = Dims::of(layer, conv);
    let name = format_ident!("{}_forward", layer.name);
    let (x_ty, z_ty, w_ty) = (
        image_ty(d.c, d.h, d.w),
        image_ty(d.f, d.oh, d.ow),
        d.weight_ty(),
    );
    let (hp, wp) = (d.h + 2 * d.ph, d.w + 2 * d.pw);
    let (full, ragged) = (d.ow / 8, d.ow % 8);
    // A narrower last vector reads past the end of its row, and past the whole input at its
    // last row: it reads from a copy with room after it, as a padded layer does.
    let copy = d.padded() || ragged > 0;
    let (f, i, j, c) = (
        format_ident!("f"),
        format_ident!("i"),
        format_ident!("j"),
        format_ident!("c"),
    );
    let taps: Vec<(usize, usize)> = (0..d.kh)
        .flat_map(|u| (0..d.kw).map(move |v| (u, v)))
        .collect();
    let store_act = |a: &Ident| match act {
        Some(act) => quote!(::cnn::__private::act::Activation::<T>::forward(#act, s, #a)),
        None => quote!(#a),
    };
    // The tiles of one region of vectors: `vectors` of them per row from column `j0`, each
    // `width` columns wide (8, or the narrower last one).
    let region = |vectors: usize, j0: usize, width: usize| -> TokenStream {
        let tile = choose_covering_tile3(d.fg(), d.oh, vectors, d.kh, d.cg() * d.kh * d.kw);
        let v_size = tile.vectors;
        let cols = tile.out_rows * v_size;
        let weight = |r: usize, (u, v): (usize, usize)| {
            let fr = d.filter(idx(&f, 1, r));
            let (u, v) = (lit(u), lit(v));
            quote!(w[#fr][#c][#u][#v])
        };
        let input = |(u, v): (usize, usize), col: usize| {
            let (rr, cc) = (col / v_size, col % v_size);
            // xs[c][(i + rr) S + u][(j + 8 cc) S + v] in rows of `wp`.
            let (chw, wp_l) = (lit(hp * wp), lit(wp));
            let row = idx(&i, d.s, rr * d.s + u);
            let column = idx(&j, d.s, cc * 8 * d.s + v);
            let channel = d.channel(quote!(#c));
            let at = quote!((#channel) * #chw + (#row) * #wp_l + #column);
            if d.s == 1 {
                quote!(::cnn::__private::load8(s, xs, #at))
            } else {
                let step = lit(d.s);
                quote!(::cnn::__private::load8_strided::<T, S, #step>(s, xs, #at))
            }
        };
        let init = |r: usize| {
            let fr = d.filter(idx(&f, 1, r));
            quote!(s.splat(b[#fr]))
        };
        let store = |r: usize, col: usize, a: &Ident| {
            let (rr, cc) = (col / v_size, col % v_size);
            let (fr, ir, jc) = (d.filter(idx(&f, 1, r)), idx(&i, 1, rr), idx(&j, 1, cc * 8));
            let v = store_act(a);
            if width == 8 {
                quote!(::cnn::__private::store8(s, &mut z[#fr][#ir], #jc, #v);)
            } else {
                let width = lit(width);
                quote!(::cnn::__private::store_head::<T, S, #width>(s, &mut z[#fr][#ir], #jc, #v);)
            }
        };
        let body = CorrTile {
            rows: tile.rows,
            cols,
            k: &c,
            k_len: d.cg(),
            taps: taps.clone(),
            weight: &weight,
            input: &input,
            init: &init,
            store: &store,
            inner: None,
            keep: &keep_all,
        }
        .emit();
        // Vectors of eight columns from `j0`: the loop's unit is a column.
        let cols_out = covering_loop(&j, j0, vectors * 8, v_size * 8, body);
        let rows_out = d.groups(covering_loop(&f, 0, d.fg(), tile.rows, cols_out));
        covering_loop(&i, 0, d.oh, tile.out_rows, rows_out)
    };
    let mut body = TokenStream::new();
    if full > 0 {
        body.extend(region(full, 0, 8));
    }
    if ragged > 0 {
        body.extend(region(1, full * 8, ragged));
    }
    let (source, scratch_arg) = if copy {
        let len = lit(copy_len(&d));
        let (cl, hl, wl, hpl, wpl) = (lit(d.c), lit(d.h), lit(d.w), lit(hp), lit(wp));
        (
            quote! {
                ::cnn::__private::copy_padded::<T, #cl, #hl, #wl, #hpl, #wpl>(x, xs);
                let xs: &[T] = xs;
            },
            quote!(xs: &mut [T; #len],),
        )
    } else {
        (
            quote!(let xs: &[T] = x.as_flattened().as_flattened();),
            TokenStream::new(),
        )
    };
    let f_l = lit(d.f);
    let (shape, act_v) = (
        super::shape_of(layer),
        act.clone()
            .unwrap_or_else(|| quote!(::cnn::__private::act::Identity)),
    );
    let unused = copy.then(|| quote!(let _ = xs;));
    let loops = super::unless_unrolled(quote! {
        #unused
        ::cnn::__private::conv_loops::forward(
            s,
            #shape,
            w.as_flattened().as_flattened().as_flattened(),
            b,
            x.as_flattened().as_flattened(),
            z.as_flattened_mut().as_flattened_mut(),
            #act_v,
        );
    });
    let doc = describe(layer, &d);
    let formula = format!(
        " Forward, one example: `Z[f][i][j] = b[f] + sum_c sum_(u<{},v<{}) W[f][c][u][v] X[c][{}][{}]`, a correlation, eight columns `j` per vector.{}",
        d.kh,
        d.kw,
        at(&i, d.s, 0).to_string().replace(' ', "") + " + u",
        at(&j, d.s, 0).to_string().replace(' ', "") + " + v",
        if act.is_some() {
            " The activation that follows is applied before the store."
        } else {
            ""
        },
    );
    quote_spanned! {layer.span=>
        #[doc = #doc]
        ///
        #[doc = #formula]
        #[inline(always)]
        fn #name<S: ::cnn::__private::Lanes<T>>(
            s: S,
            w: &#w_ty,
            b: &[T; #f_l],
            x: &#x_ty,
            z: &mut #z_ty,
            #scratch_arg
        ) {
            #loops
            #source
            #body
        }
    }
}

/// The backward pass for the parameters: `dL/dW` is the correlation of the layer's input with
/// `dL/dZ`, `dL/db` the sum of `dL/dZ` over positions. Adds to `dw` and `db`.
pub fn backward(layer: &Layer, conv: &Conv) -> TokenStream {
    let d = Dims::of(layer, conv);
    let name = format_ident!("{}_backward", layer.name);
    let (x_ty, z_ty, w_ty) = (
        image_ty(d.c, d.h, d.w),
        image_ty(d.f, d.oh, d.ow),
        d.weight_ty(),
    );
    let (f, c, oh) = (lit(d.f), lit(d.cg()), lit(d.oh));
    let (pad, src) = padded_source(&d);
    let (i, j) = (format_ident!("i"), format_ident!("j"));
    // A filter of a grouped convolution reads its group's channels.
    let group_start = (d.g > 1).then(|| {
        let group = div(quote!(f), d.fg());
        let first = mul(group, d.cg());
        quote!(let cg0 = #first;)
    });
    let x_channel = d.channel(quote!(c));
    // Per kernel row `u`, one accumulator per tap: `LANES` running sums, each taking every
    // `LANES`-th column of the rows, so that the loop adds whole vectors (a single running sum
    // per tap would be a chain LLVM may not reorder). Each is summed once per filter and
    // channel.
    let width = d.ow.min(LANES);
    let blocks = (0..d.kh).map(|u| {
        let g: Vec<Ident> = (0..d.kw)
            .map(|v| format_ident!("g{}", d.tap(u, v).to_string().trim_start_matches('w')))
            .collect();
        let at_i = at(&i, d.s, u);
        let chunks = row_chunks(d.ow, |lanes| {
            let dz = window(&format_ident!("dz_i"), lanes, 1, quote!(j));
            let x_u = format_ident!("x_u");
            let accumulate = g.iter().enumerate().map(|(v, g)| {
                let x = window(&x_u, lanes, d.s, at(&j, d.s, v));
                let acc = if lanes == width {
                    quote!(&mut #g)
                } else {
                    let (width, lanes) = (lit(width), lit(lanes));
                    quote!(head_mut::<_, #width, #lanes>(&mut #g))
                };
                quote!(add_products(#acc, d, #x);)
            });
            quote! {
                let d = #dz;
                #(#accumulate)*
            }
        });
        let store = g.iter().enumerate().map(|(v, g)| {
            let (u, v) = (lit(u), lit(v));
            quote!(dw_fc[#u][#v] += sum_lanes(#g);)
        });
        let width = lit(width);
        quote! {{
            #(let mut #g = [T::ZERO; #width];)*
            for i in 0..#oh {
                let dz_i = &dz[f][i];
                let x_u = &#src[#x_channel][#at_i];
                #chunks
            }
            #(#store)*
        }}
    });
    let imports = if !d.ow.is_multiple_of(LANES) && d.ow > LANES {
        quote!(
            use ::cnn::__private::{add_products, head_mut, lanes, sum_lanes};
        )
    } else {
        quote!(
            use ::cnn::__private::{add_products, lanes, sum_lanes};
        )
    };
    let doc = describe(layer, &d);
    quote_spanned! {layer.span=>
        #[doc = #doc]
        ///
        /// Backward, parameters: `dW[f][c][u][v] += sum_(i,j) dZ[f][i][j] X[c][i + u][j + v]`,
        /// the correlation of the layer's input with `dL/dZ`; `db[f] += sum_(i,j) dZ[f][i][j]`.
        #[inline]
        fn #name(x: &#x_ty, dz: &#z_ty, dw: &mut #w_ty, db: &mut [T; #f]) {
            #imports
            #pad
            for f in 0..#f {
                #group_start
                for c in 0..#c {
                    let dw_fc = &mut dw[f][c];
                    #(#blocks)*
                }
                db[f] += ::cnn::__private::sum(dz[f].as_flattened());
            }
        }
    }
}

/// The condition that row `i + u` of `dZp` holds a row of `dL/dZ` rather than zeros:
/// `(Kh-1..Kh-1 + (Oh-1)S + 1).contains(&(i + u))`, and for a stride S, `(i + u - (Kh-1)) % S == 0`.
fn live_row(d: &Dims, u: usize) -> TokenStream {
    let i = format_ident!("i");
    let y = at(&i, 1, u);
    let (first, end) = (d.kh - 1, d.kh - 1 + (d.oh - 1) * d.s + 1);
    let (first_lit, end) = (lit(first), lit(end));
    let range = quote!((#first_lit..#end).contains(&(#y)));
    if d.s == 1 {
        range
    } else {
        let s = lit(d.s);
        quote!(#range && (#y - #first_lit) % #s == 0)
    }
}

/// The backward pass for the input: `dL/dX` is the full convolution of `dL/dZ` with the filter
/// rotated by 180 degrees. Overwrites `dx`.
pub fn backward_input(layer: &Layer, conv: &Conv) -> TokenStream {
    let d = Dims::of(layer, conv);
    let name = format_ident!("{}_backward_input", layer.name);
    let (x_ty, z_ty, w_ty) = (
        image_ty(d.c, d.h, d.w),
        image_ty(d.f, d.oh, d.ow),
        d.weight_ty(),
    );
    let (f, c, oh, ow) = (lit(d.f), lit(d.c), lit(d.oh), lit(d.ow));
    // dL/dZ spread out by the stride and bordered by K - 1 zeros: the full convolution of it
    // is then a valid correlation with the rotated filter.
    let (dh, dw_) = (
        (d.oh - 1) * d.s + 1 + 2 * (d.kh - 1),
        (d.ow - 1) * d.s + 1 + 2 * (d.kw - 1),
    );
    let dzp_ty = image_ty(d.f, dh, dw_);
    // The rows and columns of the (padded) input that some output depends on.
    let (uh, uw) = ((d.oh - 1) * d.s + d.kh, (d.ow - 1) * d.s + d.kw);
    let (i, j) = (format_ident!("i"), format_ident!("j"));
    let (at_i, at_j) = (at(&i, d.s, d.kh - 1), at(&j, d.s, d.kw - 1));
    let spread = if d.s == 1 {
        let (k0, k1) = (lit(d.kw - 1), lit(d.kw - 1 + d.ow));
        quote! {
            for f in 0..#f {
                for i in 0..#oh {
                    dzp[f][#at_i][#k0..#k1].copy_from_slice(&dz[f][i]);
                }
            }
        }
    } else {
        quote! {
            for f in 0..#f {
                for i in 0..#oh {
                    for j in 0..#ow {
                        dzp[f][#at_i][#at_j] = dz[f][i][j];
                    }
                }
            }
        }
    };
    let (target_decl, target, finish) = if d.padded() {
        let ty = image_ty(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw);
        (
            quote!(let mut dxp: #ty = ::cnn::__private::Tensor::zeroed();),
            format_ident!("dxp"),
            quote!(::cnn::__private::crop(&dxp, dx);),
        )
    } else {
        (
            quote!(*dx = ::cnn::__private::Tensor::zeroed();),
            format_ident!("dx"),
            TokenStream::new(),
        )
    };
    // The filters of channel c's group, and c within it.
    let (filters, load) = if d.g > 1 {
        let (fg, cg) = (lit(d.fg()), lit(d.cg()));
        (
            {
                let first = mul(div(quote!(c), d.cg()), d.fg());
                quote!((#first)..(#first + #fg))
            },
            d.load_taps(if d.cg() == 1 {
                quote!(0)
            } else {
                quote!(c % #cg)
            }),
        )
    } else {
        (quote!(0..#f), d.load_taps(quote!(c)))
    };
    let rows = (0..d.kh).map(|u| {
        let row = format_ident!("d{}", u);
        let at_y = at(&i, 1, u);
        quote!(let #row = &dzp[f][#at_y];)
    });
    let rows: Vec<TokenStream> = rows.collect();
    // As in the forward pass, one partial sum per kernel row; tap (u, v) of the rotated
    // filter is W[Kh-1-u][Kw-1-v]. Rows of `dZp` in its zero border (or between the rows of a
    // stride) are skipped: for LeNet-5's second layer that is a third of the work.
    let chunks = row_chunks(uw, |lanes| {
        let n = lit(lanes);
        let sums = partial_sums(
            &d,
            lanes,
            1,
            |u, v| d.tap(d.kh - 1 - u, d.kw - 1 - v),
            |u| format_ident!("d{}", u),
            |u| Some(live_row(&d, u)),
        );
        quote! {
            let mut acc = [T::ZERO; #n];
            for f in #filters {
                #load
                #(#rows)*
                #sums
            }
            #target[c][i][j..j + #n].copy_from_slice(&acc);
        }
    });
    let uh = lit(uh);
    let doc = describe(layer, &d);
    let rot = format!(
        " with `rot(W)[u][v] = W[{}-u][{}-v]`, so the first term of `r0` pairs `dZp[i][j]` with `W[{}][{}]`.",
        d.kh - 1,
        d.kw - 1,
        d.kh - 1,
        d.kw - 1
    );
    quote_spanned! {layer.span=>
        #[doc = #doc]
        ///
        /// Backward, input: the full convolution of `dL/dZ` with the filters rotated by 180
        /// degrees. `dL/dZ` is laid into `dZp` (stride - 1 zeros between entries, a border of
        /// K - 1 zeros), which turns it into a valid correlation:
        /// `dX[c][i][j] = sum_f sum_(u,v) rot(W)[f][c][u][v] dZp[f][i + u][j + v]`,
        #[doc = #rot]
        #[inline]
        #[allow(clippy::needless_range_loop)] // channels index both dX and, grouped, the filters
        fn #name(w: &#w_ty, dz: &#z_ty, dx: &mut #x_ty) {
            use ::cnn::__private::{add_lanes, add_scaled, lanes};
            let mut dzp: #dzp_ty = ::cnn::__private::Tensor::zeroed();
            #spread
            #target_decl
            for c in 0..#c {
                for i in 0..#uh {
                    #chunks
                }
            }
            #finish
        }
    }
}
