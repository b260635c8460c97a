//! The baseline of `benches/steps.rs`: the benchmarked networks written the usual way, with
//! batch-level im2col and `ndarray`'s matrix product, as a framework without code generation
//! would run them.
//!
//! A convolution of a batch `x: [N, C, H, W]` with `F` filters of `C x Kh x Kw` (stride 1, zero
//! padding `P` on every side, `Ho = H + 2P - Kh + 1`) is one matrix product:
//!
//! ```text
//! cols = im2col(x)              [C Kh Kw, N Ho Wo]    one column per output position, zero
//!                                                     where the window overlaps the padding
//! z    = W cols + b             [F, N Ho Wo]          W: [F, C Kh Kw] (PyTorch's [F, C, Kh, Kw])
//! dW   = dz cols^T              [F, C Kh Kw]
//! db   = sum over columns of dz
//! dx   = col2im(W^T dz)         [N, C, H, W]          (not for the first layer)
//! ```
//!
//! and a dense layer is `z = x W^T + b` over the batch's rows. Activations are `[N, C, H, W]`
//! arrays in standard layout (a dense layer's output is `[N, M, 1, 1]`). Nothing is kept between
//! steps: every step allocates its activations, columns and gradients, as eager frameworks do.

use ndarray::{Array1, Array2, Array4, ArrayView2, ArrayView4, Axis, Zip};

/// One layer of a baseline network.
#[derive(Clone, Copy, Debug)]
pub enum Layer {
    /// `f` filters of `c x kh x kw`; correlation at stride 1 over the input bordered by `pad`
    /// zeros on every side (0: valid).
    Conv {
        f: usize,
        c: usize,
        kh: usize,
        kw: usize,
        pad: usize,
    },
    /// `p x p` max pooling with stride `p`; the gradient goes to the first maximum.
    MaxPool(usize),
    /// `n` inputs (the flattened `[C, H, W]`, channel-row-column order), `m` outputs.
    Dense {
        n: usize,
        m: usize,
    },
    Sigmoid,
    Relu,
}

/// The losses of the benchmark, as `cnn::loss` defines them (mean over the batch).
#[derive(Clone, Copy, Debug)]
pub enum Loss {
    /// `l = sum_k (o_k - y_k)^2 / 2`.
    HalfSquaredError,
    /// `l = sum_k y_k (lse(z) - z_k)` on logits `z`.
    SoftmaxCrossEntropy,
}

/// A network: its layers and, per layer with weights, the weight matrix and the bias.
#[derive(Clone, Debug)]
pub struct Net {
    layers: Vec<Layer>,
    /// `[F, C Kh Kw]` for a convolution, `[M, N]` for a dense layer, in layer order.
    weights: Vec<Array2<f32>>,
    biases: Vec<Array1<f32>>,
}

/// What a layer's backward pass needs from its forward pass.
enum Cache {
    Conv { cols: Array2<f32>, x_shape: Shape },
    Dense { x: Array2<f32>, x_shape: Shape },
    Sigmoid { y: Array4<f32> },
    Relu { y: Array4<f32> },
    MaxPool { argmax: Vec<usize>, x_shape: Shape },
}

type Shape = (usize, usize, usize, usize);

/// The gradient of one layer's weight and of its bias.
pub type LayerGrad = (Array2<f32>, Array1<f32>);

impl Net {
    /// A network with the parameters `params`, flat in `cnn`'s (PyTorch's) order: per layer
    /// with weights, the weight (`[F, C, Kh, Kw]` or `[M, N]`) then the bias.
    ///
    /// # Panics
    /// When `params` is not exactly as long as the layers need.
    pub fn from_flat(layers: &[Layer], params: &[f32]) -> Net {
        let mut weights = Vec::new();
        let mut biases = Vec::new();
        let mut at = 0;
        for layer in layers {
            let (rows, cols) = match *layer {
                Layer::Conv { f, c, kh, kw, .. } => (f, c * kh * kw),
                Layer::Dense { n, m } => (m, n),
                _ => continue,
            };
            let w = &params[at..at + rows * cols];
            weights.push(Array2::from_shape_vec((rows, cols), w.to_vec()).expect("weight shape"));
            at += rows * cols;
            biases.push(Array1::from(params[at..at + rows].to_vec()));
            at += rows;
        }
        assert_eq!(at, params.len(), "parameter count");
        Net {
            layers: layers.to_vec(),
            weights,
            biases,
        }
    }

    /// The outputs (`[N, outputs]`) for a batch `x: [N, C, H, W]`.
    pub fn forward(&self, x: ArrayView4<f32>) -> Array2<f32> {
        let (out, _) = self.run_forward(x, false);
        flatten(out)
    }

    /// The mean loss over the batch and the gradients of every weight and bias, in layer order.
    pub fn gradients(
        &self,
        x: ArrayView4<f32>,
        targets: ArrayView2<f32>,
        loss: Loss,
    ) -> (f32, Vec<LayerGrad>) {
        let (out, caches) = self.run_forward(x, true);
        let out = flatten(out);
        let (l, d_out) = loss_and_d_output(out.view(), targets, loss);
        let n = d_out.nrows();
        let shape = (n, d_out.ncols(), 1, 1);
        let mut d = d_out.into_shape_with_order(shape).expect("[N, M, 1, 1]");
        let mut grads = Vec::with_capacity(self.weights.len());
        let mut k = self.weights.len();
        for (i, (layer, cache)) in self.layers.iter().zip(caches).enumerate().rev() {
            let first = i == 0;
            d = match (*layer, cache) {
                (Layer::Conv { kh, kw, pad, .. }, Cache::Conv { cols, x_shape }) => {
                    k -= 1;
                    let window = Window { kh, kw, pad };
                    let (dx, dw, db) =
                        conv_backward(&d, &cols, &self.weights[k], x_shape, window, first);
                    grads.push((dw, db));
                    dx
                }
                (Layer::Dense { .. }, Cache::Dense { x, x_shape }) => {
                    k -= 1;
                    let dz = flatten(d);
                    // dW = dz^T x, db = column sums of dz, dx = dz W.
                    grads.push((dz.t().dot(&x), dz.sum_axis(Axis(0))));
                    if first {
                        Array4::zeros((0, 0, 0, 0))
                    } else {
                        dz.dot(&self.weights[k])
                            .into_shape_with_order(x_shape)
                            .expect("input shape")
                    }
                }
                (Layer::Sigmoid, Cache::Sigmoid { y }) => {
                    Zip::from(&mut d)
                        .and(&y)
                        .for_each(|d, &y| *d *= y * (1.0 - y));
                    d
                }
                (Layer::Relu, Cache::Relu { y }) => {
                    Zip::from(&mut d).and(&y).for_each(|d, &y| {
                        if y <= 0.0 {
                            *d = 0.0;
                        }
                    });
                    d
                }
                (Layer::MaxPool(_), Cache::MaxPool { argmax, x_shape }) => {
                    let mut dx = Array4::zeros(x_shape);
                    let dx_flat = dx.as_slice_mut().expect("standard layout");
                    for (&at, &g) in argmax.iter().zip(d.iter()) {
                        dx_flat[at] += g;
                    }
                    dx
                }
                _ => unreachable!("a cache of another layer kind"),
            };
        }
        grads.reverse();
        (l, grads)
    }

    /// [`Net::gradients`], flat in the order of `cnn`'s `params()`, to compare with
    /// `loss_and_grad`.
    pub fn loss_and_grad(
        &self,
        x: ArrayView4<f32>,
        targets: ArrayView2<f32>,
        loss: Loss,
    ) -> (f32, Vec<f32>) {
        let (l, grads) = self.gradients(x, targets, loss);
        let flat = grads
            .iter()
            .flat_map(|(dw, db)| dw.iter().chain(db.iter()).copied())
            .collect();
        (l, flat)
    }

    /// One SGD step with learning rate `lr`; returns the loss before it.
    pub fn train_step(
        &mut self,
        x: ArrayView4<f32>,
        targets: ArrayView2<f32>,
        loss: Loss,
        lr: f32,
    ) -> f32 {
        let (l, grads) = self.gradients(x, targets, loss);
        for ((w, b), (dw, db)) in self.weights.iter_mut().zip(&mut self.biases).zip(&grads) {
            w.scaled_add(-lr, dw);
            b.scaled_add(-lr, db);
        }
        l
    }

    /// The forward pass; with `train`, also what the backward pass needs, per layer.
    fn run_forward(&self, x: ArrayView4<f32>, train: bool) -> (Array4<f32>, Vec<Cache>) {
        let mut a = x.as_standard_layout().into_owned();
        let mut caches = Vec::new();
        let mut k = 0;
        for layer in &self.layers {
            let x_shape = a.dim();
            let (out, cache) = match *layer {
                Layer::Conv { kh, kw, pad, .. } => {
                    let (w, b) = (&self.weights[k], &self.biases[k]);
                    k += 1;
                    let window = Window { kh, kw, pad };
                    let (n, _, h, wd) = x_shape;
                    let (ho, wo) = window.out(h, wd);
                    let cols = im2col(&a, window);
                    let mut z = w.dot(&cols);
                    z += &b.view().insert_axis(Axis(1));
                    let out = z
                        .into_shape_with_order((w.nrows(), n, ho, wo))
                        .expect("[F, N, Ho, Wo]")
                        .permuted_axes([1, 0, 2, 3])
                        .as_standard_layout()
                        .into_owned();
                    (out, Cache::Conv { cols, x_shape })
                }
                Layer::Dense { .. } => {
                    let (w, b) = (&self.weights[k], &self.biases[k]);
                    k += 1;
                    let x = flatten(a);
                    let mut z = x.dot(&w.t());
                    z += b;
                    let shape = (z.nrows(), z.ncols(), 1, 1);
                    let out = z.into_shape_with_order(shape).expect("[N, M, 1, 1]");
                    (out, Cache::Dense { x, x_shape })
                }
                Layer::Sigmoid => {
                    a.mapv_inplace(|v| 1.0 / (1.0 + (-v).exp()));
                    let cache = if train {
                        a.clone()
                    } else {
                        Array4::zeros((0, 0, 0, 0))
                    };
                    (a, Cache::Sigmoid { y: cache })
                }
                Layer::Relu => {
                    a.mapv_inplace(|v| v.max(0.0));
                    let cache = if train {
                        a.clone()
                    } else {
                        Array4::zeros((0, 0, 0, 0))
                    };
                    (a, Cache::Relu { y: cache })
                }
                Layer::MaxPool(p) => {
                    let (out, argmax) = maxpool(&a, p);
                    (out, Cache::MaxPool { argmax, x_shape })
                }
            };
            a = out;
            if train {
                caches.push(cache);
            }
        }
        (a, caches)
    }
}

/// `[N, C, H, W]` to `[N, C H W]`, channel-row-column order.
fn flatten(a: Array4<f32>) -> Array2<f32> {
    let (n, c, h, w) = a.dim();
    a.into_shape_with_order((n, c * h * w))
        .expect("standard layout")
}

/// A convolution's window: `kh x kw` taps over the input bordered by `pad` zeros.
#[derive(Clone, Copy, Debug)]
struct Window {
    kh: usize,
    kw: usize,
    pad: usize,
}

impl Window {
    /// The output's rows and columns for an `h x w` input.
    fn out(self, h: usize, w: usize) -> (usize, usize) {
        (
            h + 2 * self.pad - self.kh + 1,
            w + 2 * self.pad - self.kw + 1,
        )
    }

    /// For tap `(di, dj)` and output row `i` of an `h x w` input: the input row, if it is not
    /// in the padding, and the output columns `js` whose input column `j + dj - pad` is inside
    /// the input, with the first of those input columns. Each is one contiguous copy.
    fn span(
        self,
        (h, w): (usize, usize),
        (di, dj): (usize, usize),
        i: usize,
    ) -> Option<(usize, std::ops::Range<usize>, usize)> {
        let (_, wo) = self.out(h, w);
        let row = (i + di).checked_sub(self.pad).filter(|&r| r < h)?;
        let j0 = self.pad.saturating_sub(dj);
        let j1 = (w + self.pad).saturating_sub(dj).min(wo);
        (j0 < j1).then(|| (row, j0..j1, j0 + dj - self.pad))
    }
}

/// The columns of a convolution: row `(ch, di, dj)`, column `(b, i, j)` holds
/// `x[b, ch, i + di - pad, j + dj - pad]`, zero in the padding; each output row `i` is at most
/// one contiguous copy of `Wo` values.
fn im2col(x: &Array4<f32>, win: Window) -> Array2<f32> {
    let (n, c, h, w) = x.dim();
    let (kh, kw) = (win.kh, win.kw);
    let (ho, wo) = win.out(h, w);
    let x = x.as_slice().expect("standard layout");
    let mut cols = Array2::zeros((c * kh * kw, n * ho * wo));
    for (k, mut row) in cols.outer_iter_mut().enumerate() {
        let (ch, di, dj) = (k / (kh * kw), k / kw % kh, k % kw);
        let row = row.as_slice_mut().expect("standard layout");
        for b in 0..n {
            for i in 0..ho {
                let Some((r, js, col)) = win.span((h, w), (di, dj), i) else {
                    continue;
                };
                let src = ((b * c + ch) * h + r) * w + col;
                let dst = (b * ho + i) * wo;
                row[dst + js.start..dst + js.end].copy_from_slice(&x[src..src + js.len()]);
            }
        }
    }
    cols
}

/// The adjoint of [`im2col`]: adds every column entry back where it was taken from (entries
/// of the padding are dropped).
fn col2im(cols: &Array2<f32>, shape: Shape, win: Window) -> Array4<f32> {
    let (n, c, h, w) = shape;
    let (kh, kw) = (win.kh, win.kw);
    let (ho, wo) = win.out(h, w);
    let mut dx = Array4::zeros(shape);
    let dx_flat = dx.as_slice_mut().expect("standard layout");
    for (k, row) in cols.outer_iter().enumerate() {
        let (ch, di, dj) = (k / (kh * kw), k / kw % kh, k % kw);
        let row = row.as_slice().expect("standard layout");
        for b in 0..n {
            for i in 0..ho {
                let Some((r, js, col)) = win.span((h, w), (di, dj), i) else {
                    continue;
                };
                let dst = ((b * c + ch) * h + r) * w + col;
                let src = (b * ho + i) * wo;
                dx_flat[dst..dst + js.len()]
                    .iter_mut()
                    .zip(&row[src + js.start..src + js.end])
                    .for_each(|(d, &s)| *d += s);
            }
        }
    }
    dx
}

/// A convolution's backward pass: `(dx, dW, db)` from `d = dL/dz: [N, F, Ho, Wo]`; `dx` is empty
/// for the first layer.
fn conv_backward(
    d: &Array4<f32>,
    cols: &Array2<f32>,
    w: &Array2<f32>,
    x_shape: Shape,
    win: Window,
    first: bool,
) -> (Array4<f32>, Array2<f32>, Array1<f32>) {
    let (n, f, ho, wo) = d.dim();
    // [N, F, Ho, Wo] to [F, N Ho Wo], the layout of `W cols`.
    let dz = d
        .view()
        .permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((f, n * ho * wo))
        .expect("standard layout");
    let dw = dz.dot(&cols.t());
    let db = dz.sum_axis(Axis(1));
    let dx = if first {
        Array4::zeros((0, 0, 0, 0))
    } else {
        col2im(&w.t().dot(&dz), x_shape, win)
    };
    (dx, dw, db)
}

/// Max pooling, `p x p` windows at stride `p`; also the flat index in `x` of each output's
/// (first) maximum.
fn maxpool(x: &Array4<f32>, p: usize) -> (Array4<f32>, Vec<usize>) {
    let (n, c, h, w) = x.dim();
    let (ho, wo) = (h / p, w / p);
    let xs = x.as_slice().expect("standard layout");
    let mut out = Array4::zeros((n, c, ho, wo));
    let mut argmax = Vec::with_capacity(n * c * ho * wo);
    for (plane, o) in out
        .as_slice_mut()
        .expect("standard layout")
        .chunks_mut(ho * wo)
        .enumerate()
    {
        let base = plane * h * w;
        for i in 0..ho {
            for j in 0..wo {
                let mut best = base + i * p * w + j * p;
                for di in 0..p {
                    for dj in 0..p {
                        let at = base + (i * p + di) * w + j * p + dj;
                        if xs[at] > xs[best] {
                            best = at;
                        }
                    }
                }
                o[i * wo + j] = xs[best];
                argmax.push(best);
            }
        }
    }
    (out, argmax)
}

/// The mean loss over the batch and `dL/d output` (already divided by `N`).
fn loss_and_d_output(
    out: ArrayView2<f32>,
    targets: ArrayView2<f32>,
    loss: Loss,
) -> (f32, Array2<f32>) {
    let scale = 1.0 / out.nrows() as f32;
    let mut d = Array2::zeros(out.raw_dim());
    let mut total = 0.0;
    for ((o, y), mut d) in out
        .outer_iter()
        .zip(targets.outer_iter())
        .zip(d.outer_iter_mut())
    {
        match loss {
            Loss::HalfSquaredError => {
                Zip::from(&mut d).and(&o).and(&y).for_each(|d, &o, &y| {
                    total += 0.5 * (o - y) * (o - y);
                    *d = scale * (o - y);
                });
            }
            Loss::SoftmaxCrossEntropy => {
                let m = o.fold(f32::NEG_INFINITY, |m, &z| m.max(z));
                let lse = m + o.iter().map(|&z| (z - m).exp()).sum::<f32>().ln();
                let y_sum = y.sum();
                Zip::from(&mut d).and(&o).and(&y).for_each(|d, &z, &y| {
                    total += y * (lse - z);
                    *d = scale * ((z - lse).exp() * y_sum - y);
                });
            }
        }
    }
    (total * scale, d)
}
