//! The three functions of a convolution on a batch, eight examples per lane pack.
//!
//! Each works on a part's blocks (`x: &[[[[Pack<T>; W]; H]; C]]`, one nested array of packs
//! per eight examples), so every vector instruction does the work of eight examples, whatever
//! the layer's shape. The taps are unrolled as in the single-example functions; what changes
//! is that each statement computes a *tile* of outputs at once: a few filters (or channels)
//! at a few output positions, the sums kept in registers while the loops run over channels
//! (or filters). A tile reuses every load: one broadcast weight feeds all its positions, one
//! input pack all its filters.
//!
//! ```text
//! forward   Z[f][i][j]  = b[f] + sum_c sum_(u,v) W[f][c][u][v] Xp[c][i S + u][j S + v]
//! weights   dW[f][c][u][v] += sum_(n,i,j) dZ[f][i][j] Xp[c][i S + u][j S + v]
//! input     dX[c][y][x] = sum_f sum_(u,v) W[f][c][Kh-1-u][Kw-1-v] dZp[f][y P' + u][x P' + v]
//! ```
//!
//! the last being the full convolution of `dL/dZ` with the filters rotated by 180 degrees
//! (for a stride S > 1, one such correlation per phase `(y + P) mod S`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::codegen::conv::{Dims, Fused, unless_unrolled};
use crate::codegen::tile::{
    CorrTile, Tile, choose_covering_tile, choose_tile, covering_loop, idx, idx_offset, keep_all,
    signed_idx, spans, tile_loop,
};
use crate::codegen::{act_value, in_store, lit};
use crate::ir::{Activation, Conv, Layer};

/// The forward pass on a batch: `Z = b + W * Xp` (a correlation), then the fused activation:
/// in the tile's store, or, for a sigmoid or tanh, over each output row once it is stored.
pub fn forward(layer: &Layer, conv: &Conv, fused: Option<Activation>) -> TokenStream {
    let act: Fused = fused.map(|a| act_value(Some(a)));
    let (act, per_row) = match fused {
        Some(a) if !in_store(a) => (None, act),
        _ => (act, None),
    };
    let act = &act;
    let d = Dims::of(layer, conv);
    let name = format_ident!("{}_forward_batch", layer.name);
    let (x_blk, z_blk, xp_blk, w_ty) = (
        pack_image(d.c, d.h, d.w),
        pack_image(d.f, d.oh, d.ow),
        pack_image(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw),
        d.weight_ty(),
    );
    let f_l = lit(d.f);
    let tile = choose_covering_tile(d.fg(), d.ow, d.cg() * d.kh * d.kw);
    let (f, i, j, c) = (
        format_ident!("f"),
        format_ident!("i"),
        format_ident!("j"),
        format_ident!("c"),
    );
    let taps: Vec<(usize, usize)> = (0..d.kh)
        .flat_map(|u| (0..d.kw).map(move |v| (u, v)))
        .collect();
    let src = if d.padded() {
        format_ident!("xp")
    } else {
        format_ident!("x")
    };
    let store_act = |a: &Ident| match act {
        Some(act) => quote!(::cnn::__private::act::Activation::<T>::forward(#act, s, #a)),
        None => quote!(#a),
    };
    let weight = |r: usize, (u, v): (usize, usize)| {
        let fr = d.filter(idx(&f, 1, r));
        let (u, v) = (lit(u), lit(v));
        quote!(w[#fr][#c][#u][#v])
    };
    let input = |(u, v): (usize, usize), col: usize| {
        let (y, x) = (idx(&i, d.s, u), idx_offset(&j, d.s, col, v));
        let channel = d.channel(quote!(#c));
        quote!(s.load(&#src[#channel][#y][#x]))
    };
    let init = |r: usize| {
        let fr = d.filter(idx(&f, 1, r));
        quote!(s.splat(b[#fr]))
    };
    let store = |r: usize, col: usize, a: &Ident| {
        let (fr, jc) = (d.filter(idx(&f, 1, r)), idx(&j, 1, col));
        let v = store_act(a);
        quote!(s.store(&mut z[#fr][#i][#jc], #v);)
    };
    let body = CorrTile {
        rows: tile.rows,
        cols: tile.cols,
        k: &c,
        k_len: d.cg(),
        taps,
        weight: &weight,
        input: &input,
        init: &init,
        store: &store,
        inner: None,
        keep: &keep_all,
    }
    .emit();
    let cols_out = covering_loop(&j, 0, d.ow, tile.cols, body);
    let rows_out = covering_loop(&f, 0, d.fg(), tile.rows, cols_out);
    let oh = lit(d.oh);
    let grouped = d.groups(rows_out);
    let (pad_arg, pad) = if d.padded() {
        (
            quote!(xp: &mut #xp_blk,),
            quote!(::cnn::__private::batch::pad(x, xp);),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let xp_ref = d.padded().then(|| quote!(let xp = &*xp;));
    let (shape, act_v) = (
        super::shape_of(layer),
        act.clone()
            .or_else(|| per_row.clone())
            .unwrap_or_else(|| quote!(::cnn::__private::act::Identity)),
    );
    let rows_act = per_row.as_ref().map(|a| {
        quote! {
            for z_f in z.iter_mut() {
                ::cnn::__private::act::apply_in_place(s, #a, &mut z_f[#i]);
            }
        }
    });
    let loops = unless_unrolled(quote! {
        for (x, z) in x.iter().zip(z.iter_mut()) {
            #pad
            #xp_ref
            ::cnn::__private::conv_loops::forward_batch(
                s,
                #shape,
                w.as_flattened().as_flattened().as_flattened(),
                b,
                ::cnn::__private::batch::packs(#src),
                ::cnn::__private::batch::packs_mut(z),
                #act_v,
            );
        }
    });
    let doc = super::describe(layer, &d);
    let act_doc = match (act, &per_row) {
        (Some(_), _) => " The activation that follows is applied before the store.",
        (None, Some(_)) => {
            " The activation that follows is applied to each output row once it is stored."
        }
        (None, None) => "",
    };
    let formula = format!(
        " Forward, on a batch: `Z[f][i][j] = b[f] + sum_c sum_(u<{},v<{}) W[f][c][u][v] X[c][{}][{}]`, a correlation, in tiles of {} filters x {} columns.{act_doc}",
        d.kh,
        d.kw,
        idx(&i, d.s, 0).to_string().replace(' ', "") + " + u",
        idx(&j, d.s, 0).to_string().replace(' ', "") + " + v",
        tile.rows,
        tile.cols,
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
            x: &[#x_blk],
            z: &mut [#z_blk],
            #pad_arg
        ) {
            #loops
            for (x, z) in x.iter().zip(z.iter_mut()) {
                #pad
                #xp_ref
                for #i in 0..#oh {
                    #grouped
                    #rows_act
                }
            }
        }
    }
}

/// The weight gradient on a batch: `dW += dZ * Xp` (the correlation of the input with dL/dZ)
/// and `db += sum dZ`, summed in one pack per weight (`dw`, `db`) whose lanes the caller adds.
pub fn backward(layer: &Layer, conv: &Conv) -> TokenStream {
    let d = Dims::of(layer, conv);
    let name = format_ident!("{}_backward_batch", layer.name);
    let (x_blk, z_blk, xp_blk) = (
        pack_image(d.c, d.h, d.w),
        pack_image(d.f, d.oh, d.ow),
        pack_image(d.c, d.h + 2 * d.ph, d.w + 2 * d.pw),
    );
    let dw_ty = {
        let (kw, kh, c, f) = (lit(d.kw), lit(d.kh), lit(d.cg()), lit(d.f));
        quote!([[[[::cnn::__private::Pack<T>; #kw]; #kh]; #c]; #f])
    };
    let (f_l, c_l, kh_l, oh, ow) = (lit(d.f), lit(d.cg()), lit(d.kh), lit(d.oh), lit(d.ow));
    // Tiles of filters x taps along a kernel row: per output position, `rows` dZ packs and
    // `cols` input packs give `rows * cols` products.
    let tile = choose_tile(d.fg(), d.kw, d.oh * d.ow);
    // A tile of every filter and every tap of a kernel row with few products (the seed
    // network's one filter of 3x3: 3) would run a few dependent chains of multiply-adds, each
    // waiting on the one before, loading four packs for three of them: it takes every kernel
    // row at once instead, when the accumulators still fit.
    let u_rows = if tile.rows == d.fg() && tile.cols == d.kw && d.fg() * d.kw * d.kh <= 12 {
        d.kh
    } else {
        1
    };
    let (f, u, v, i, j) = (
        format_ident!("f"),
        format_ident!("u"),
        format_ident!("v"),
        format_ident!("i"),
        format_ident!("j"),
    );
    let src = if d.padded() {
        format_ident!("xp")
    } else {
        format_ident!("x")
    };
    let mut out = TokenStream::new();
    let mut f_start = 0;
    for (f_size, f_count) in spans(d.fg(), tile.rows) {
        let mut cols_out = TokenStream::new();
        let mut v_start = 0;
        for (v_size, v_count) in spans(d.kw, tile.cols) {
            // Tap `t` of the tile: kernel row `u + t / v_size`, column `v + t % v_size`.
            let taps = u_rows * v_size;
            let g = |r: usize, t: usize| format_ident!("g{}_{}", r, t);
            let mut loads = Vec::new();
            let mut stores = Vec::new();
            for r in 0..f_size {
                for t in 0..taps {
                    let (a, fr) = (g(r, t), d.filter(idx(&f, 1, r)));
                    let (ut, vt) = (idx(&u, 1, t / v_size), idx(&v, 1, t % v_size));
                    loads.push(quote!(let mut #a = s.load(&dw[#fr][c][#ut][#vt]);));
                    stores.push(quote!(s.store(&mut dw[#fr][c][#ut][#vt], #a);));
                }
            }
            // Per position: the smaller side of the tile loaded first, the other streamed.
            let dz_at = |r: usize| {
                let fr = d.filter(idx(&f, 1, r));
                quote!(&dz[#fr][#i][#j])
            };
            let x_at = |t: usize| {
                let (y, xx) = (idx(&i, d.s, 0), idx(&j, d.s, 0));
                let (ut, vt) = (idx(&u, 1, t / v_size), idx(&v, 1, t % v_size));
                let channel = d.channel(quote!(c));
                quote!(&#src[#channel][#y + #ut][#xx + #vt])
            };
            let fmas = if f_size <= taps {
                let dzs = (0..f_size).map(|r| {
                    let (dn, at) = (format_ident!("d{}", r), dz_at(r));
                    quote!(let #dn = s.load(#at);)
                });
                let cols = (0..taps).map(|t| {
                    let at = x_at(t);
                    let fm = (0..f_size).map(|r| {
                        let (a, dn) = (g(r, t), format_ident!("d{}", r));
                        quote!(#a = s.mul_add(#dn, x, #a);)
                    });
                    quote!({ let x = s.load(#at); #(#fm)* })
                });
                quote!(#(#dzs)* #(#cols)*)
            } else {
                let xs = (0..taps).map(|t| {
                    let (xn, at) = (format_ident!("x{}", t), x_at(t));
                    quote!(let #xn = s.load(#at);)
                });
                let rows = (0..f_size).map(|r| {
                    let at = dz_at(r);
                    let fm = (0..taps).map(|t| {
                        let (a, xn) = (g(r, t), format_ident!("x{}", t));
                        quote!(#a = s.mul_add(d, #xn, #a);)
                    });
                    quote!({ let d = s.load(#at); #(#fm)* })
                });
                quote!(#(#xs)* #(#rows)*)
            };
            let body = quote! {
                #(#loads)*
                for #i in 0..#oh {
                    for #j in 0..#ow {
                        #fmas
                    }
                }
                #(#stores)*
            };
            cols_out.extend(tile_loop(&v, v_start, v_size, v_count, body));
            v_start += v_size * v_count;
        }
        out.extend(tile_loop(&f, f_start, f_size, f_count, cols_out));
        f_start += f_size * f_count;
    }
    let rows_loop = if u_rows == 1 {
        quote!(for #u in 0..#kh_l { #out })
    } else {
        quote!({ let #u = 0; #out })
    };
    let grouped = d.groups(quote! {
        for c in 0..#c_l {
            #rows_loop
        }
    });
    let (pad_arg, pad) = if d.padded() {
        (
            quote!(xp: &mut #xp_blk,),
            quote!(::cnn::__private::batch::pad(x, xp);),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let xp_ref = d.padded().then(|| quote!(let xp = &*xp;));
    let shape = super::shape_of(layer);
    let loops = unless_unrolled(quote! {
        for (x, dz) in x.iter().zip(dz) {
            #pad
            #xp_ref
            ::cnn::__private::conv_loops::backward_batch(
                s,
                #shape,
                ::cnn::__private::batch::packs(#src),
                ::cnn::__private::batch::packs(dz),
                ::cnn::__private::batch::packs_mut(dw),
                db,
            );
        }
    });
    let doc = super::describe(layer, &d);
    let formula = format!(
        " Backward, parameters, on a batch: `dW[f][c][u][v] += sum_(n,i,j) dZ[f][i][j] X[c][{} + u][{} + v]`, the correlation of the layer's input with `dL/dZ`, and `db[f] += sum_(n,i,j) dZ[f][i][j]`; in tiles of {} filters x {} taps, each weight's sum kept in one pack.",
        idx(&i, d.s, 0).to_string().replace(' ', ""),
        idx(&j, d.s, 0).to_string().replace(' ', ""),
        tile.rows,
        u_rows * tile.cols,
    );
    quote_spanned! {layer.span=>
        #[doc = #doc]
        ///
        #[doc = #formula]
        #[inline(always)]
        fn #name<S: ::cnn::__private::Lanes<T>>(
            s: S,
            x: &[#x_blk],
            dz: &[#z_blk],
            dw: &mut #dw_ty,
            db: &mut [::cnn::__private::Pack<T>; #f_l],
            #pad_arg
        ) {
            #loops
            for (x, dz) in x.iter().zip(dz) {
                #pad
                #xp_ref
                #grouped
                ::cnn::__private::batch::add_filter_sums(s, db, dz.as_flattened().as_flattened());
            }
        }
    }
}

/// The bordered `dL/dZ` of [`backward_input`]: its size and where `dL/dZ` lies in it.
pub struct DzBorder {
    pub h: usize,
    pub w: usize,
    pub top: usize,
    pub left: usize,
}

/// One axis of the phases of `dL/dX`: for `stride` S, padding P and kernel K over an input of
/// `n`, the phases `r = (y + P) mod S`, each with its taps `u = r + S t` and the range of
/// `q = (y + P - r) / S`; and the border `B = ceil(K / S) - 1` that keeps `q - t + B` in the
/// bordered `dL/dZ`.
struct Phases {
    border: usize,
    /// `(r, taps, q0, q1)`.
    phases: Vec<(usize, usize, usize, usize)>,
    /// Rows (or columns) of the bordered `dL/dZ`.
    len: usize,
}

impl Phases {
    fn of(n: usize, k: usize, s: usize, p: usize, out: usize) -> Phases {
        let border = k.div_ceil(s) - 1;
        let mut phases = Vec::new();
        let mut q_end = 0;
        for r in 0..s {
            // A phase beyond the kernel (a 1x1 kernel at stride 2) takes no tap: zeros.
            let taps = k.saturating_sub(r).div_ceil(s);
            // Outputs y in 0..n with (y + p) mod s = r: y + p = q s + r.
            let q0 = p.saturating_sub(r).div_ceil(s);
            let q1 = (n + p).saturating_sub(r).div_ceil(s);
            if q1 > q0 {
                phases.push((r, taps, q0, q1));
                q_end = q_end.max(q1);
            }
        }
        Phases {
            border,
            phases,
            len: border + out.max(q_end),
        }
    }
}

/// The geometry of the bordered `dL/dZ` for a layer; `None` when its input gradient reads
/// `dL/dZ` itself (see [`exact_tiles`]) and there is no bordered copy.
pub fn dz_border(d: &Dims) -> Option<DzBorder> {
    let (ph, pw) = (
        Phases::of(d.h, d.kh, d.s, d.ph, d.oh),
        Phases::of(d.w, d.kw, d.s, d.pw, d.ow),
    );
    exact_tiles(d, &pw).is_none().then(|| bordered(&ph, &pw))
}

/// The bordered `dL/dZ` of the phases `ph` (rows) and `pw` (columns).
fn bordered(ph: &Phases, pw: &Phases) -> DzBorder {
    let (h, w) = unaliased(ph.len, pw.len);
    DzBorder {
        h,
        w,
        top: ph.border,
        left: pw.border,
    }
}

/// The size `h x w`, or one more row or column or both, at which the channels of an image of
/// packs do not all fall in a few sets of the L1 cache. With 64 sets of 64-byte lines (32 KiB,
/// 8 ways), a channel stride that is a multiple of 4 KiB puts the same position of every
/// channel in one set: a correlation reading 16 channels at once then misses in L1 at every
/// tap (LeNet-5's 16x16 bordered `dL/dZ` of 16 channels ran at 3.4 times its roofline). The
/// extra rows and columns stay zero and no tap reads them. Of the four sizes, an odd one by an
/// odd one always passes.
fn unaliased(h: usize, w: usize) -> (usize, usize) {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    // 4 KiB is 128 packs of f32: a stride whose gcd with 128 is at most 16 packs visits at
    // least 8 sets.
    let mut sizes = [(h, w), (h, w + 1), (h + 1, w), (h + 1, w + 1)];
    sizes.sort_by_key(|&(h, w)| h * w);
    sizes
        .into_iter()
        .find(|&(h, w)| gcd(h * w, 128) <= 16)
        .unwrap_or((h | 1, w | 1))
}

/// Where one column phase's tiles of `dL/dX` start: at an edge, some of a tile's taps read
/// outside `dL/dZ` (zeros), so the tile is emitted at its constant position with those products
/// left out; in between, a run of tiles whose every tap reads inside.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Segment {
    Edge(usize),
    Run { start: usize, count: usize },
}

/// The segments of tiles of `cols` columns covering `p0..p0 + total` (the last tile moved back
/// to end at the range's end), for `taps` column taps reading `dL/dZ` columns `p + col - t`,
/// of which there are `ow`.
fn segments(p0: usize, total: usize, cols: usize, taps: usize, ow: usize) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for t in 0..total.div_ceil(cols) {
        let p = p0 + (t * cols).min(total - cols);
        if p + 1 < taps || p + cols > ow {
            out.push(Segment::Edge(p));
            continue;
        }
        match out.last_mut() {
            Some(Segment::Run { start, count }) if *start + *count * cols == p => *count += 1,
            _ => out.push(Segment::Run { start: p, count: 1 }),
        }
    }
    out
}

/// The input gradient's column segments, one list per column phase, when it reads `dL/dZ`
/// itself: each tile's row taps run over the rows inside `dL/dZ` only, and its column taps
/// outside are left out at the (few) edge tiles. `None` when a phase has more than two edge
/// tiles (a kernel much wider than the image): a zero-bordered copy of `dL/dZ` then keeps the
/// code to one tile body per phase.
/// The tile of each column phase is chosen for the most row taps a phase has.
fn exact_tiles(d: &Dims, px: &Phases) -> Option<Vec<(Tile, Vec<Segment>)>> {
    px.phases
        .iter()
        .map(|&(_, tx, p0, p1)| {
            let tile = choose_covering_tile(d.cg(), p1 - p0, d.fg() * d.kh.div_ceil(d.s) * tx);
            let segs = segments(p0, p1 - p0, tile.cols, tx, d.ow);
            let edges = segs
                .iter()
                .filter(|s| matches!(s, Segment::Edge(_)))
                .count();
            (edges <= 2).then_some((tile, segs))
        })
        .collect()
}

/// The input gradient on a batch: the full convolution of `dL/dZ` with the filters rotated by
/// 180 degrees (one correlation per phase of the stride). Overwrites `dx`. The products with
/// the zeros around `dL/dZ` are left out: the taps of each output row run over the rows of
/// `dL/dZ` it reaches, and the columns outside are dropped at the edge tiles, so the pass does
/// the layer's multiply-adds and no more. A kernel much wider than its image correlates a
/// zero-bordered copy instead (see [`exact_tiles`]).
pub fn backward_input(layer: &Layer, conv: &Conv) -> TokenStream {
    let d = Dims::of(layer, conv);
    let name = format_ident!("{}_backward_input_batch", layer.name);
    let (x_blk, z_blk, w_ty) = (
        pack_image(d.c, d.h, d.w),
        pack_image(d.f, d.oh, d.ow),
        d.weight_ty(),
    );
    let (py, px) = (
        Phases::of(d.h, d.kh, d.s, d.ph, d.oh),
        Phases::of(d.w, d.kw, d.s, d.pw, d.ow),
    );
    let exact = exact_tiles(&d, &px);
    let border = exact.is_none().then(|| bordered(&py, &px));
    let (f, c, q, p, tu) = (
        format_ident!("f"),
        format_ident!("c"),
        format_ident!("q"),
        format_ident!("p"),
        format_ident!("tu"),
    );
    let mut phases_out = TokenStream::new();
    for &(ry, ty, q0, q1) in &py.phases {
        for (k, &(rx, tx, p0, p1)) in px.phases.iter().enumerate() {
            let weight_at = |r: usize, u: TokenStream, tv: usize| {
                let cr = idx(&c, 1, r);
                let fa = d.filter(quote!(#f));
                let v = lit(rx + d.s * tv);
                quote!(w[#fa][#cr][#u][#v])
            };
            let store = |r: usize, col: usize, a: &Ident| {
                let cr = d.channel(idx(&c, 1, r));
                // y = q S + ry - P, x = (p + col) S + rx - P.
                let y = signed_idx(&q, d.s, ry as isize - d.ph as isize);
                let x = signed_idx(&p, d.s, (col * d.s + rx) as isize - d.pw as isize);
                quote!(s.store(&mut dx[#cr][#y][#x], #a);)
            };
            let init = |_r: usize| quote!(s.zero());
            let (tile, cols_out) = match &exact {
                Some(tiles) => {
                    let (tile, segs) = &tiles[k];
                    // Taps u = ry + S tu reading dZ[q - tu], for the tu that keep q - tu in
                    // 0..OH; column taps v = rx + S tv reading dZ[..][p + col - tv].
                    let taps: Vec<(usize, usize)> = (0..tx).map(|b| (0, b)).collect();
                    let weight =
                        |r: usize, (_, tv): (usize, usize)| weight_at(r, idx(&tu, d.s, ry), tv);
                    let input = |(_, tv): (usize, usize), col: usize| {
                        let fa = d.filter(quote!(#f));
                        let x = signed_idx(&p, 1, col as isize - tv as isize);
                        quote!(s.load(&dz[#fa][#q - #tu][#x]))
                    };
                    let (oh, ty_l) = (lit(d.oh), lit(ty));
                    let inner =
                        quote!(for #tu in (#q + 1usize).saturating_sub(#oh)..(#q + 1).min(#ty_l));
                    let body = |at: Option<usize>| {
                        let keep = |(_, tv): (usize, usize), col: usize| match at {
                            Some(p) => p + col >= tv && p + col - tv < d.ow,
                            None => true,
                        };
                        CorrTile {
                            rows: tile.rows,
                            cols: tile.cols,
                            k: &f,
                            k_len: d.fg(),
                            taps: taps.clone(),
                            weight: &weight,
                            input: &input,
                            init: &init,
                            store: &store,
                            inner: Some(inner.clone()),
                            keep: &keep,
                        }
                        .emit()
                    };
                    let parts = segs.iter().map(|seg| match *seg {
                        Segment::Edge(at) => {
                            let (at_l, body) = (lit(at), body(Some(at)));
                            quote!({ let #p = #at_l; #body })
                        }
                        Segment::Run { start, count } => {
                            tile_loop(&p, start, tile.cols, count, body(None))
                        }
                    });
                    (*tile, quote!(#(#parts)*))
                }
                None => {
                    // Every tap (tu, tv), reading dZp[q + By - tu][p + Bx - tv]: rotated, as
                    // the full convolution is.
                    let taps: Vec<(usize, usize)> =
                        (0..ty).flat_map(|a| (0..tx).map(move |b| (a, b))).collect();
                    let tile = choose_covering_tile(d.cg(), p1 - p0, d.fg() * taps.len());
                    let weight = |r: usize, (tu, tv): (usize, usize)| {
                        let u = lit(ry + d.s * tu);
                        weight_at(r, quote!(#u), tv)
                    };
                    let input = |(tu, tv): (usize, usize), col: usize| {
                        let y = idx(&q, 1, py.border - tu);
                        let x = idx_offset(&p, 1, col, px.border - tv);
                        let fa = d.filter(quote!(#f));
                        quote!(s.load(&dzp[#fa][#y][#x]))
                    };
                    let body = CorrTile {
                        rows: tile.rows,
                        cols: tile.cols,
                        k: &f,
                        k_len: d.fg(),
                        taps,
                        weight: &weight,
                        input: &input,
                        init: &init,
                        store: &store,
                        inner: None,
                        keep: &keep_all,
                    }
                    .emit();
                    (tile, covering_loop(&p, p0, p1 - p0, tile.cols, body))
                }
            };
            let rows_out = covering_loop(&c, 0, d.cg(), tile.rows, cols_out);
            let (q0, q1) = (lit(q0), lit(q1));
            let comment = format!(
                " phase ({ry}, {rx}): taps u = {ry} + {} t, v = {rx} + {} t",
                d.s, d.s
            );
            let grouped = d.groups(rows_out);
            phases_out.extend(quote! {
                #[doc = #comment]
                for #q in #q0..#q1 {
                    #grouped
                }
            });
        }
    }
    let shape = super::shape_of(layer);
    let unused = border.is_some().then(|| quote!(let _ = dzp;));
    let loops = unless_unrolled(quote! {
        #unused
        for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
            ::cnn::__private::conv_loops::backward_input_batch(
                s,
                #shape,
                w.as_flattened().as_flattened().as_flattened(),
                ::cnn::__private::batch::packs(dz),
                ::cnn::__private::batch::packs_mut(dx),
            );
        }
    });
    let doc = super::describe(layer, &d);
    let formula = match (&border, d.s) {
        (None, 1) => format!(
            " Backward, input, on a batch: the full convolution of `dL/dZ` with the filters rotated by 180 degrees, `rot(W)[u][v] = W[{km}-u][{kn}-v]`: `dX[c][y][x] = sum_f sum_(u,v) W[f][c][u][v] dZ[f][y + {} - u][x + {} - v]` over the taps that land inside `dZ` (the zeros around it add nothing). Written with `q = y + P` and tap `tu = u`, `tv = v`: the statements read `w[f][c][tu][tv] * dz[f][q - tu][p + col - tv]`, the row taps `tu` running where `q - tu` is a row of `dZ`.",
            d.ph,
            d.pw,
            km = d.kh - 1,
            kn = d.kw - 1,
        ),
        (Some(border), 1) => format!(
            " Backward, input, on a batch: the full convolution of `dL/dZ` with the filters rotated by 180 degrees, a correlation of the zero-bordered `dZp` with `rot(W)[u][v] = W[{km}-u][{kn}-v]`: `dX[c][y][x] = sum_f sum_(u,v) W[f][c][{km}-u][{kn}-v] dZp[f][y + {} + u][x + {} + v]`, `dZp[f][q][p] = dZ[f][q - {}][p - {}]` (zero outside). Written with `q = y + P` and tap `t = Kh-1-u`, so the statements read `w[f][c][t][..] * dzp[f][q + {} - t][..]`.",
            d.ph,
            d.pw,
            border.top,
            border.left,
            py.border,
            km = d.kh - 1,
            kn = d.kw - 1,
        ),
        _ => format!(
            " Backward, input, on a batch: the full convolution of `dL/dZ` with the filters rotated by 180 degrees. With stride {s}, an input position `y = q {s} + r - P` takes only the taps `u = r + {s} t`, from `dZ[q - t]`: one correlation with the rotated sub-filter per phase `(r_y, r_x)`, over the taps that land inside `dZ`.",
            s = d.s
        ),
    };
    let (dzp_param, bordered) = match &border {
        Some(b) => {
            let (blk, top, left) = (pack_image(d.f, b.h, b.w), lit(b.top), lit(b.left));
            (
                quote!(dzp: &mut #blk,),
                quote! {
                    ::cnn::__private::batch::border(dz, dzp, #top, #left);
                    let dzp = &*dzp;
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    quote_spanned! {layer.span=>
        #[doc = #doc]
        ///
        #[doc = #formula]
        #[inline(always)]
        fn #name<S: ::cnn::__private::Lanes<T>>(
            s: S,
            w: &#w_ty,
            dz: &[#z_blk],
            dx: &mut [#x_blk],
            #dzp_param
        ) {
            #loops
            for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
                #bordered
                #phases_out
            }
        }
    }
}

/// `[[[Pack<T>; W]; H]; C]`: one block of an image.
pub fn pack_image(c: usize, h: usize, w: usize) -> TokenStream {
    let (c, h, w) = (lit(c), lit(h), lit(w));
    quote!([[[::cnn::__private::Pack<T>; #w]; #h]; #c])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bordered_channels_are_not_4_kib_apart() {
        // LeNet-5's conv2: a 16x16 bordered dL/dZ, 256 packs (8 KiB) a channel.
        assert_eq!(unaliased(16, 16), (16, 17));
        // Already spread: unchanged.
        assert_eq!(unaliased(12, 12), (12, 12));
        assert_eq!(unaliased(9, 7), (9, 7));
        // A multiple of 32 rows needs one more of each.
        assert_eq!(unaliased(32, 32), (33, 33));
        for h in 1..80 {
            for w in 1..80 {
                let (h2, w2) = unaliased(h, w);
                assert!((h..=h + 1).contains(&h2) && (w..=w + 1).contains(&w2));
                // The same position of 16 channels falls in at least 8 different sets.
                let sets: std::collections::BTreeSet<usize> =
                    (0..16).map(|c| (c * h2 * w2 * 32 / 64) % 64).collect();
                assert!(sets.len() >= 8, "{h}x{w} -> {h2}x{w2}: {sets:?}");
            }
        }
    }

    #[test]
    fn phases_cover_every_input_position_once() {
        for (n, k, s, p) in [
            (28, 3, 2, 1),
            (28, 1, 2, 0),
            (7, 3, 1, 1),
            (8, 5, 1, 0),
            (9, 4, 3, 2),
            (5, 5, 3, 0),
        ] {
            let out = (n + 2 * p - k) / s + 1;
            let ph = Phases::of(n, k, s, p, out);
            let mut seen = vec![0; n];
            for &(r, taps, q0, q1) in &ph.phases {
                assert_eq!(taps, k.saturating_sub(r).div_ceil(s));
                for q in q0..q1 {
                    let y = q * s + r - p;
                    seen[y] += 1;
                    for t in 0..taps {
                        // dZp index in range.
                        assert!(q + ph.border >= t && q + ph.border - t < ph.len);
                    }
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "{n} {k} {s} {p}: {seen:?}");
        }
    }
}
