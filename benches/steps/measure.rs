//! The criterion benchmarks of one workload: its training step, its forward pass and the parts
//! of its step, ours beside PyTorch's figure and the im2col baseline's.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use cnn::__private::{Lanes, Pack, WithSimd, act};
use cnn::Float;
use cnn::ndarray::s;
use cnn::prelude::*;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use rayon::ThreadPool;

use crate::conditions::Conditions;
use crate::im2col::{self, Layer};
use crate::tables::median_us;
use crate::{Ctx, Figure, LR, Row, THREADS, Workload, batch, boxed, timed};

/// Runs one criterion benchmark and returns its figure: `None` as the median when criterion
/// did not measure it (filtered out, `--test`, `--list`).
fn ours(
    group: &mut BenchmarkGroup<'_, WallTime>,
    ctx: &Ctx,
    group_name: &str,
    id: &str,
    f: impl FnMut(&mut criterion::Bencher<'_, WallTime>),
) -> Figure {
    let before = Conditions::now();
    let since = SystemTime::now();
    group.bench_function(id, f);
    before.figure(median_us(&ctx.dir, group_name, id, since))
}

/// PyTorch's figure for `workload` on `threads`, if ours was measured and PyTorch is there.
fn torch(ctx: &Ctx, ours: &Figure, workload: &str, threads: usize) -> Figure {
    match (&ctx.torch, ours.us) {
        (Some(torch), Some(_)) => torch.measure(workload, threads),
        _ => Figure::default(),
    }
}

/// The training step of a workload: ours on one thread, then PyTorch on one; ours on two, then
/// PyTorch on two; the baseline on one.
pub fn bench_step<N: Network<Scalar = f32>, L: Loss>(
    c: &mut Criterion,
    ctx: &Ctx,
    w: &Workload,
    loss: &L,
) -> Row {
    let (x, y) = batch::<N>(w.batch, 1);
    let mut net = N::new(1);
    let mut base = im2col::Net::from_flat(w.layers, net.params());
    let name = format!("{}-step", w.name);
    let mut group = c.benchmark_group(&name);
    if !ctx.cli_samples {
        group.sample_size(w.samples);
    }
    if !ctx.cli_time {
        group.measurement_time(Duration::from_secs(w.seconds));
    }
    let mut step = |pool: &ThreadPool, b: &mut criterion::Bencher<'_, WallTime>| {
        b.iter_custom(|iters| {
            timed(pool, iters, || {
                let step = net.train_step(x.view(), y.view(), loss, &mut Sgd::new(LR));
                black_box(step.expect("finite step"));
            })
        });
    };
    let ours_1 = ours(&mut group, ctx, &name, "ours-1t", |b| {
        step(&ctx.pools.one, b)
    });
    let torch_1 = torch(ctx, &ours_1, &name, 1);
    let ours_2 = ours(&mut group, ctx, &name, "ours-2t", |b| {
        step(&ctx.pools.two, b)
    });
    let torch_2 = torch(ctx, &ours_2, &name, THREADS);
    let im2col_1 = ours(&mut group, ctx, &name, "im2col-1t", |b| {
        b.iter_custom(|iters| {
            timed(&ctx.pools.one, iters, || {
                black_box(base.train_step(x.view(), y.view(), w.loss, LR as f32));
            })
        });
    });
    group.finish();
    Row {
        name,
        macs: N::TRAIN_MACS * w.batch,
        ours_1,
        ours_2,
        torch_1,
        torch_2,
        im2col_1,
    }
}

/// The forward pass of one example: ours (which never uses a second thread) on one thread, then
/// PyTorch on one, then the baseline on a batch of one.
pub fn bench_forward<N: Network<Scalar = f32>>(c: &mut Criterion, ctx: &Ctx, w: &Workload) -> Row {
    let (x, _) = batch::<N>(1, 2);
    let net = N::new(2);
    let base = im2col::Net::from_flat(w.layers, net.params());
    let input: Box<N::Input> = boxed(x.iter());
    let name = format!("{}-forward", w.name);
    let mut group = c.benchmark_group(&name);
    let ours_1 = ours(&mut group, ctx, &name, "ours-1t", |b| {
        b.iter_custom(|iters| {
            timed(&ctx.pools.one, iters, || {
                black_box(net.forward(black_box(&input)));
            })
        });
    });
    let torch_1 = torch(ctx, &ours_1, &name, 1);
    let x1 = x.slice(s![0..1, .., .., ..]);
    let im2col_1 = ours(&mut group, ctx, &name, "im2col-1t", |b| {
        b.iter_custom(|iters| {
            timed(&ctx.pools.one, iters, || {
                black_box(base.forward(black_box(x1)));
            })
        });
    });
    group.finish();
    Row {
        name,
        macs: N::FORWARD_MACS,
        ours_1,
        ours_2: Figure::default(),
        torch_1,
        torch_2: Figure::default(),
        im2col_1,
    }
}

/// The parts of a workload's step that were measured: (part, figure).
pub type Parts = (String, Vec<(&'static str, Figure)>);

/// Where a step's time goes, on one thread: the batch pass alone (`loss_and_grad`, the step
/// without the update), the SGD update alone, and for sigmoid networks the first layer's
/// sigmoids alone, with the runtime's vector sigmoid on packs of eight examples.
pub fn bench_parts<N: Network<Scalar = f32>, L: Loss>(
    c: &mut Criterion,
    ctx: &Ctx,
    w: &Workload,
    loss: &L,
) -> Parts {
    let (x, y) = batch::<N>(w.batch, 3);
    let mut net = N::new(3);
    let name = format!("{}-parts", w.name);
    let mut group = c.benchmark_group(&name);
    if !ctx.cli_samples {
        group.sample_size(w.samples);
    }
    if !ctx.cli_time {
        group.measurement_time(Duration::from_secs(w.seconds));
    }
    let one = &ctx.pools.one;
    let mut parts = Vec::new();
    let grad = ours(&mut group, ctx, &name, "loss_and_grad", |b| {
        b.iter_custom(|iters| {
            timed(one, iters, || {
                black_box(net.loss_and_grad(x.view(), y.view(), loss).expect("valid"));
            })
        });
    });
    parts.push(("loss_and_grad", grad));
    let update = vec![0.0f32; N::PARAM_LEN];
    let sgd = ours(&mut group, ctx, &name, "sgd-update", |b| {
        b.iter_custom(|iters| {
            timed(one, iters, || {
                Sgd::new(LR)
                    .step(net.params_mut(), black_box(&update))
                    .expect("lengths");
            })
        });
    });
    parts.push(("sgd-update", sgd));
    if let [
        Layer::Conv { .. },
        Layer::Sigmoid,
        Layer::Dense { n, .. },
        ..,
    ] = w.layers
    {
        // The first sigmoid's `n` inputs per example, for the whole batch, as packs of eight
        // examples: the layout of the batch pass.
        let values = w.batch * n;
        let zs: Vec<Pack<f32>> = x
            .iter()
            .map(|v| v - 0.5)
            .collect::<Vec<f32>>()
            .chunks_exact(8)
            .take(values / 8)
            .map(|c| Pack(c.try_into().expect("eight values")))
            .collect();
        let mut out = vec![Pack::zero(); zs.len()];
        let sigmoid = ours(&mut group, ctx, &name, "sigmoid", |b| {
            b.iter_custom(|iters| {
                timed(one, iters, || {
                    f32::dispatch(SigmoidPacks {
                        x: black_box(&zs),
                        y: &mut out,
                    });
                    black_box(&out);
                })
            });
        });
        parts.push(("sigmoid", sigmoid));
    }
    group.finish();
    (w.name.to_string(), parts)
}

/// The runtime's vector sigmoid (`act::apply`) over packs, with the instruction set that
/// `Float::dispatch` chooses, as the batch pass runs it.
struct SigmoidPacks<'a> {
    x: &'a [Pack<f32>],
    y: &'a mut [Pack<f32>],
}

impl WithSimd<f32> for SigmoidPacks<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Lanes<f32>>(self, s: S) {
        act::apply(s, act::Sigmoid, self.x, self.y);
    }
}

/// The name of the instruction set that `Float::dispatch` chooses.
pub struct SimdName;

impl WithSimd<f32> for SimdName {
    type Output = &'static str;

    #[inline(always)]
    fn with_simd<S: Lanes<f32>>(self, _: S) -> &'static str {
        S::NAME
    }
}
