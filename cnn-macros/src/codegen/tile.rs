//! Register tiles: the shape of the generated convolution loops.
//!
//! A convolution's output is computed a *tile* at a time: `rows` outputs that read the same
//! input value (filters, or channels for dL/dX) by `cols` outputs that use the same weight
//! (positions), their sums kept in vector registers while a loop runs over the terms. One
//! broadcast weight feeds a whole row of the tile, one loaded input a whole column; the taps
//! of the filter are unrolled inside, each a statement with constant offsets.
//!
//! Where a tile's size does not divide the range, a loop that stores its outputs moves its
//! last tile back to end at the range's end ([`covering_loop`]): the overlap is computed twice
//! and stored equal, and the loop has one copy of the tile's code. A loop that adds to its
//! outputs ends in a narrower tile instead ([`spans`]), a copy of the code per size.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::lit;

/// The vector registers of an x86-64 core with AVX2 (16), less one that LLVM needs to keep a
/// tile from spilling: a tile must fit in them.
const REGISTERS: usize = 15;

/// A tile: `rows` outputs that share an input pack (filters, or channels for dL/dX) by
/// `cols` outputs that share a weight (positions).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tile {
    pub rows: usize,
    pub cols: usize,
}

/// The estimated time of one tile of `r x c` outputs, each a sum of `terms` products: per term
/// it does `r * c` multiply-adds and `r + c` loads, two of each per cycle; it also stores its
/// outputs and pays a few cycles of loop.
fn tile_cost(r: usize, c: usize, terms: usize) -> f64 {
    if r == 0 || c == 0 {
        return 0.0;
    }
    let per_term = (r * c).max(r + c) as f64 / 2.0;
    terms as f64 * per_term + (r * c) as f64 + 6.0
}

/// Whether a tile of `outputs` accumulators fits in the registers, with the smaller side
/// (`shared`) preloaded and one register streaming.
fn fits(outputs: usize, shared: usize) -> bool {
    outputs + shared < REGISTERS
}

/// The tile with the least estimated time for `rows_total x cols_total` outputs, each a sum of
/// `terms` products, counting the partial tiles at the edges (see [`spans`]): for loops that
/// add to their outputs, where tiles must not overlap.
pub fn choose_tile(rows_total: usize, cols_total: usize, terms: usize) -> Tile {
    best_tile(rows_total, cols_total, |rows, cols| {
        let (fr, rr) = (rows_total / rows, rows_total % rows);
        let (fc, rc) = (cols_total / cols, cols_total % cols);
        (fr * fc) as f64 * tile_cost(rows, cols, terms)
            + (fr as f64) * tile_cost(rows, rc, terms)
            + (fc as f64) * tile_cost(rr, cols, terms)
            + tile_cost(rr, rc, terms)
    })
}

/// [`choose_tile`] for loops that store their outputs: the last tile of a range is moved back
/// to end at the range's end (see [`covering_loop`]), so every tile is a whole one and the
/// overlap is paid as work done twice.
pub fn choose_covering_tile(rows_total: usize, cols_total: usize, terms: usize) -> Tile {
    best_tile(rows_total, cols_total, |rows, cols| {
        (rows_total.div_ceil(rows) * cols_total.div_ceil(cols)) as f64
            * tile_cost(rows, cols, terms)
    })
}

/// The tile that fits in the registers with the least `total(rows, cols)`.
fn best_tile(rows_total: usize, cols_total: usize, total: impl Fn(usize, usize) -> f64) -> Tile {
    let mut best = (f64::INFINITY, Tile { rows: 1, cols: 1 });
    for rows in 1..=rows_total.min(12) {
        for cols in 1..=cols_total.min(12) {
            if !fits(rows * cols, rows.min(cols)) {
                continue;
            }
            // Prefer, on ties, the first found: fewer rows.
            let t = total(rows, cols);
            if t < best.0 - 1e-9 {
                best = (t, Tile { rows, cols });
            }
        }
    }
    best.1
}

/// A tile for one example: `rows` filters by `out_rows x vectors` vectors of eight output
/// columns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tile3 {
    pub rows: usize,
    pub out_rows: usize,
    pub vectors: usize,
}

/// [`choose_covering_tile`] for one example, whose positions are vectors of eight columns in a
/// grid of `out_rows_total x vectors_total`: the tile's columns are `out_rows x vectors` of
/// them.
///
/// A tile of several output rows is left out for a kernel of five rows or more when the
/// filters alone fill eight sums in one row. Its rows' input vectors overlap between kernel
/// rows (row `i + 1` at tap `u` is row `i` at tap `u + 1`), and LLVM keeps the shared ones in
/// registers and spills the tile's sums to make room. Measured on LeNet-5's conv2 (16 filters
/// of 5x5, 8 rows of one vector) with `cargo bench --bench forward_loop`: the whole network's
/// single-example forward took 9.9–14.1 µs with tiles of 2 filters x 4 rows and 9.2–10.6 µs
/// with 8 filters x 1 row. On a 3x3 kernel the two-row tile stayed the faster: 72 µs against
/// 81–91 µs for W5's forward, whose third conv has 64 filters on 8 rows.
pub fn choose_covering_tile3(
    rows_total: usize,
    out_rows_total: usize,
    vectors_total: usize,
    kernel_rows: usize,
    terms: usize,
) -> Tile3 {
    let one_row = kernel_rows >= 5 && rows_total.min(12) * vectors_total.min(12) >= 8;
    let mut best = (
        f64::INFINITY,
        Tile3 {
            rows: 1,
            out_rows: 1,
            vectors: 1,
        },
    );
    for rows in 1..=rows_total.min(12) {
        for out_rows in 1..=out_rows_total.min(12) {
            for vectors in 1..=vectors_total.min(12) {
                let cols = out_rows * vectors;
                if !fits(rows * cols, rows.min(cols)) || (one_row && out_rows > 1) {
                    continue;
                }
                let tiles = rows_total.div_ceil(rows)
                    * out_rows_total.div_ceil(out_rows)
                    * vectors_total.div_ceil(vectors);
                let total = tiles as f64 * tile_cost(rows, cols, terms);
                if total < best.0 - 1e-9 {
                    best = (
                        total,
                        Tile3 {
                            rows,
                            out_rows,
                            vectors,
                        },
                    );
                }
            }
        }
    }
    best.1
}

/// The tiles of `size` that cover `start..start + total` with one copy of the body:
/// `for t in 0..ceil(total / size) { let var = start + (t * size).min(total - size); body }`.
/// When `size` does not divide `total`, the last tile is moved back to end at the range's end,
/// overlapping the one before it, whose outputs it computes and stores again, equal. Only for
/// bodies that store their outputs (an added output would be added twice).
pub fn covering_loop(
    var: &Ident,
    start: usize,
    total: usize,
    size: usize,
    body: TokenStream,
) -> TokenStream {
    debug_assert!(0 < size && size <= total);
    if total.is_multiple_of(size) {
        return tile_loop(var, start, size, total / size, body);
    }
    let (count, size_l, last) = (lit(total.div_ceil(size)), lit(size), lit(total - size));
    let t = format_ident!("{}_tile", var);
    let at = if start == 0 {
        quote!((#t * #size_l).min(#last))
    } else {
        let start = lit(start);
        quote!(#start + (#t * #size_l).min(#last))
    };
    quote! {
        for #t in 0..#count {
            let #var = #at;
            #body
        }
    }
}

/// The partial tiles of a range: full tiles of `size` over `0..total`, then the rest, as
/// `(size, count)` pairs.
pub fn spans(total: usize, size: usize) -> Vec<(usize, usize)> {
    let mut v = vec![(size, total / size)];
    if !total.is_multiple_of(size) {
        v.push((total % size, 1));
    }
    v.retain(|&(_, n)| n > 0);
    v
}

/// `for v in (START..).step_by(SIZE).take(COUNT) { body }`, written as the plain loop
/// `for t in 0..COUNT { let v = START + t * SIZE; body }`, or without a loop for one tile.
pub fn tile_loop(
    var: &Ident,
    start: usize,
    size: usize,
    count: usize,
    body: TokenStream,
) -> TokenStream {
    let start_l = lit(start);
    if count == 1 {
        return quote!({ let #var = #start_l; #body });
    }
    let (size, count) = (lit(size), lit(count));
    let t = format_ident!("{}_tile", var);
    let at = if start == 0 {
        quote!(#t * #size)
    } else {
        quote!(#start_l + #t * #size)
    };
    quote! {
        for #t in 0..#count {
            let #var = #at;
            #body
        }
    }
}

/// `v`, `v + 1`, `v * 2 + 3`: an index `var * mul + add` without `* 1` or `+ 0`.
pub fn idx(var: &Ident, mul: usize, add: usize) -> TokenStream {
    let base = if mul == 1 {
        quote!(#var)
    } else {
        let m = lit(mul);
        quote!(#var * #m)
    };
    if add == 0 {
        base
    } else {
        let a = lit(add);
        quote!(#base + #a)
    }
}

/// `(j + p) * s + v` for a constant `p`, `v`: folded to `j * s + (p s + v)`.
pub fn idx_offset(var: &Ident, mul: usize, p: usize, add: usize) -> TokenStream {
    idx(var, mul, p * mul + add)
}

/// One tile of a correlation: `rows x cols` sums, each `init(r)` plus, for every value of the
/// reduction loop `k` and every tap, `weight(r, tap) * input(tap, col)`. The smaller side is
/// loaded once per tap and the other streams through one register.
pub struct CorrTile<'a> {
    pub rows: usize,
    pub cols: usize,
    /// The reduction loop: `for k in 0..K`.
    pub k: &'a Ident,
    pub k_len: usize,
    /// The taps: each is one unrolled statement per tile row and column.
    pub taps: Vec<(usize, usize)>,
    /// The weight of a row at a tap (a scalar, broadcast).
    pub weight: &'a dyn Fn(usize, (usize, usize)) -> TokenStream,
    /// The input of a tap at a column: an expression of `S::V`.
    pub input: &'a dyn Fn((usize, usize), usize) -> TokenStream,
    /// The first value of a row's sums.
    pub init: &'a dyn Fn(usize) -> TokenStream,
    /// The statement that stores a sum.
    pub store: &'a dyn Fn(usize, usize, &Ident) -> TokenStream,
    /// A loop inside the reduction loop, around the taps (`for tu in lo..hi`), whose variable
    /// the weights and inputs may name; `None` for none.
    pub inner: Option<TokenStream>,
    /// Whether a tap's statements for a column are emitted: `false` where the input is known
    /// to be zero (outside `dL/dZ`), so the product is left out. A tap with no column left is
    /// left out whole.
    pub keep: &'a dyn Fn((usize, usize), usize) -> bool,
}

/// A [`CorrTile::keep`] that keeps every statement.
pub fn keep_all(_: (usize, usize), _: usize) -> bool {
    true
}

impl CorrTile<'_> {
    fn acc(r: usize, c: usize) -> Ident {
        format_ident!("z{}_{}", r, c)
    }

    pub fn emit(&self) -> TokenStream {
        let inits = (0..self.rows).flat_map(|r| {
            let init = (self.init)(r);
            (0..self.cols).map(move |c| {
                let a = Self::acc(r, c);
                quote!(let mut #a = #init;)
            })
        });
        let taps = self.taps.iter().filter_map(|&tap| {
            let (u, v) = tap;
            let comment = format!(" tap ({u}, {v})");
            let kept: Vec<usize> = (0..self.cols).filter(|&c| (self.keep)(tap, c)).collect();
            if kept.is_empty() {
                return None;
            }
            let body = if self.rows <= self.cols {
                // Weights first (one per row), then each column's input through all of them.
                let ws = (0..self.rows).map(|r| {
                    let (wn, w) = (format_ident!("w{}", r), (self.weight)(r, tap));
                    quote!(let #wn = s.splat(#w);)
                });
                let cols = kept.iter().map(|&c| {
                    let x = (self.input)(tap, c);
                    let fmas = (0..self.rows).map(|r| {
                        let (a, wn) = (Self::acc(r, c), format_ident!("w{}", r));
                        quote!(#a = s.mul_add(#wn, x, #a);)
                    });
                    quote!({ let x = #x; #(#fmas)* })
                });
                quote!(#(#ws)* #(#cols)*)
            } else {
                let xs = kept.iter().map(|&c| {
                    let (xn, x) = (format_ident!("x{}", c), (self.input)(tap, c));
                    quote!(let #xn = #x;)
                });
                let rows = (0..self.rows).map(|r| {
                    let w = (self.weight)(r, tap);
                    let fmas = kept.iter().map(|&c| {
                        let (a, xn) = (Self::acc(r, c), format_ident!("x{}", c));
                        quote!(#a = s.mul_add(w, #xn, #a);)
                    });
                    quote!({ let w = s.splat(#w); #(#fmas)* })
                });
                quote!(#(#xs)* #(#rows)*)
            };
            Some(quote!(#[doc = #comment] { #body }))
        });
        let stores = (0..self.rows)
            .flat_map(|r| (0..self.cols).map(move |c| (self.store)(r, c, &Self::acc(r, c))));
        let (k, k_len) = (self.k, lit(self.k_len));
        let taps: Vec<TokenStream> = taps.collect();
        let sum = (!taps.is_empty()).then(|| {
            let taps = match &self.inner {
                Some(header) => quote!(#header { #(#taps)* }),
                None => quote!(#(#taps)*),
            };
            quote! {
                for #k in 0..#k_len {
                    #taps
                }
            }
        });
        quote! {
            #(#inits)*
            #sum
            #(#stores)*
        }
    }
}

/// `var * mul + add` for a possibly negative constant `add` (the generated loops start where
/// it is never negative).
pub fn signed_idx(var: &Ident, mul: usize, add: isize) -> TokenStream {
    if add >= 0 {
        idx(var, mul, add as usize)
    } else {
        let base = idx(var, mul, 0);
        let a = lit(add.unsigned_abs());
        quote!(#base - #a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_loops_reach_the_end_and_no_further() {
        let j = format_ident!("j");
        let body = quote!(f(j););
        let text = |start, total, size| {
            covering_loop(&j, start, total, size, body.clone())
                .to_string()
                .replace(' ', "")
        };
        // 8 columns in tiles of 3: starts 0, 3 and 5, the last overlapping by one.
        assert_eq!(
            text(0, 8, 3),
            "forj_tilein0..3{letj=(j_tile*3).min(5);f(j);}"
        );
        assert_eq!(
            text(2, 8, 3),
            "forj_tilein0..3{letj=2+(j_tile*3).min(5);f(j);}"
        );
        // A tile that divides the range needs no `min`; one that is the range, no loop.
        assert_eq!(text(0, 6, 3), "forj_tilein0..2{letj=j_tile*3;f(j);}");
        assert_eq!(text(4, 3, 3), "{letj=4;f(j);}");
        // The starts `(t * size).min(total - size)` cover every output and stay in range.
        for total in 1..40 {
            for size in 1..=total {
                let mut seen = vec![false; total];
                for t in 0..total.div_ceil(size) {
                    let at = (t * size).min(total - size);
                    seen[at..at + size].iter_mut().for_each(|s| *s = true);
                }
                assert!(seen.iter().all(|&s| s), "{total} {size}");
            }
        }
    }

    #[test]
    fn tiles_fit_the_registers_and_cover_the_layer() {
        for (rows, cols, terms) in [
            (6, 24, 25),
            (16, 8, 150),
            (1, 20, 9),
            (3, 20, 9),
            (64, 32, 144),
            (8, 6, 9),
        ] {
            for t in [
                choose_tile(rows, cols, terms),
                choose_covering_tile(rows, cols, terms),
            ] {
                assert!(t.rows * t.cols + t.rows.min(t.cols) < REGISTERS, "{t:?}");
                assert!(t.rows <= rows && t.cols <= cols);
            }
        }
        // LeNet-5's first layer: all six filters, two columns.
        assert_eq!(
            choose_tile(6, 24, 25).rows * choose_tile(6, 24, 25).cols,
            12
        );
    }
}
