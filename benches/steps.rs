//! The training-step benchmark: the median time of one SGD step (forward, loss, backward,
//! update) of five small networks on one batch, and of a single-example forward pass, on one
//! thread and on two. Each figure is set against three things measured in the same run:
//!
//! - the roofline, `2 * MACs / peak`, with the network's `TRAIN_MACS` (or `FORWARD_MACS`) and
//!   the f32 FMA throughput of one core, measured by an asm loop at the start and at the end of
//!   the run (the higher of the two is the peak; a lower one shows that something else ran);
//! - PyTorch eager on the CPU (`benches/pytorch/steps.py`), run right after our figure with the
//!   same thread count, when `python3` with `torch` is there;
//! - a plain im2col + `ndarray` version of the same step (`benches/im2col/mod.rs`) on one
//!   thread, whose loss and gradient are first checked against `loss_and_grad`.
//!
//! ```text
//! cargo bench --bench steps
//! cargo bench --bench steps -- W5                                # the W5 figures only
//! cargo bench --bench steps -- --warm-up-time 0.2 --measurement-time 0.5   # a quick look
//! ```
//!
//! Environment: `CNN_BENCH_TORCH_SECONDS` (default 3) is PyTorch's measurement time per figure,
//! 0 to leave PyTorch out; `CNN_BENCH_PYTHON` (default `python3`) the interpreter. After
//! criterion's own report the bench prints, ready for BENCHMARKS.md, the table of medians (read
//! back from criterion's `estimates.json`), the conditions each figure was taken in (the load
//! average, and the CPU other processes used meanwhile, from `/proc`), and the parts of a step.

mod im2col;

use std::ffi::OsString;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use cnn::__private::{Lanes, Pack, WithSimd, act};
use cnn::ndarray::{Array2, Array4, s};
use cnn::prelude::*;
use cnn::{Float, Tensor};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use im2col::Layer;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::{ThreadPool, ThreadPoolBuilder};

network! {
    /// W1: the seed network.
    pub struct W1 {
        input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
    }

    /// W2: the seed network with three filters.
    pub struct W2 {
        input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid
    }

    /// W3: LeNet-5.
    pub struct W3 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }

    /// W4: the digits network.
    pub struct W4 {
        input(8x8) -> conv(8, 3x3) -> relu -> maxpool(2x2) -> dense(72->10)
    }

    /// W5: a CIFAR-sized network, three padded 3x3 convolutions of 16 to 64 channels.
    pub struct W5 {
        input(3, 32x32) -> conv(16, 3x3, pad = 1) -> relu -> maxpool(2x2)
            -> conv(32, 3x3, pad = 1) -> relu -> maxpool(2x2)
            -> conv(64, 3x3, pad = 1) -> relu -> maxpool(2x2) -> dense(1024->10)
    }
}

/// The learning rate of every step.
const LR: f64 = 0.01;
/// The threads of the second pool, and of PyTorch's second figure.
const THREADS: usize = 2;

const W1_LAYERS: &[Layer] = &[
    Layer::Conv {
        f: 1,
        c: 1,
        kh: 3,
        kw: 3,
        pad: 0,
    },
    Layer::Sigmoid,
    Layer::Dense { n: 400, m: 1 },
    Layer::Sigmoid,
];
const W2_LAYERS: &[Layer] = &[
    Layer::Conv {
        f: 3,
        c: 1,
        kh: 3,
        kw: 3,
        pad: 0,
    },
    Layer::Sigmoid,
    Layer::Dense { n: 1200, m: 1 },
    Layer::Sigmoid,
];
const W3_LAYERS: &[Layer] = &[
    Layer::Conv {
        f: 6,
        c: 1,
        kh: 5,
        kw: 5,
        pad: 0,
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Conv {
        f: 16,
        c: 6,
        kh: 5,
        kw: 5,
        pad: 0,
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Dense { n: 256, m: 120 },
    Layer::Relu,
    Layer::Dense { n: 120, m: 84 },
    Layer::Relu,
    Layer::Dense { n: 84, m: 10 },
];
const W4_LAYERS: &[Layer] = &[
    Layer::Conv {
        f: 8,
        c: 1,
        kh: 3,
        kw: 3,
        pad: 0,
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Dense { n: 72, m: 10 },
];
const W5_LAYERS: &[Layer] = &[
    Layer::Conv {
        f: 16,
        c: 3,
        kh: 3,
        kw: 3,
        pad: 1,
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Conv {
        f: 32,
        c: 16,
        kh: 3,
        kw: 3,
        pad: 1,
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Conv {
        f: 64,
        c: 32,
        kh: 3,
        kw: 3,
        pad: 1,
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Dense { n: 1024, m: 10 },
];

/// One benchmarked workload.
struct Workload {
    name: &'static str,
    batch: usize,
    layers: &'static [Layer],
    loss: im2col::Loss,
    /// Criterion's samples per step benchmark and the time to take them: fewer samples for the
    /// slow steps, to keep the run short. `--sample-size` and `--measurement-time` on the
    /// command line override both.
    samples: usize,
    seconds: u64,
}

/// A pool of one thread and a pool of [`THREADS`]; every measurement of ours runs inside one.
struct Pools {
    one: ThreadPool,
    two: ThreadPool,
}

/// What the measurements share.
struct Ctx {
    pools: Pools,
    /// Where criterion writes its results.
    dir: PathBuf,
    /// `None` when PyTorch is left out or missing.
    torch: Option<Torch>,
    /// The command line set criterion's measurement time or sample size: the workloads' own
    /// settings then give way.
    cli_time: bool,
    cli_samples: bool,
}

/// One figure: a median in µs (`None` if not measured), the 1-minute load average when it was
/// taken, and the CPU that other processes used while it was taken, in cores.
#[derive(Clone, Copy, Debug, Default)]
struct Figure {
    us: Option<f64>,
    load: Option<f64>,
    others: Option<f64>,
}

/// A line of the final table: a workload's step or forward pass and its arithmetic.
struct Row {
    name: String,
    macs: usize,
    ours_1: Figure,
    ours_2: Figure,
    torch_1: Figure,
    torch_2: Figure,
    im2col_1: Figure,
}

fn main() {
    let start_load = Conditions::now();
    println!("load average at start: {}", start_load.describe());
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    if available < THREADS {
        println!("note: {available} thread(s) available; the {THREADS}-thread figures share them");
    }
    let pools = Pools {
        one: ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool"),
        two: ThreadPoolBuilder::new()
            .num_threads(THREADS)
            .build()
            .expect("pool"),
    };
    println!(
        "kernels: {} (chosen by Float::dispatch)",
        f32::dispatch(SimdName)
    );
    let peak_start = measure_peak(&pools);
    print_peak("at start", peak_start.as_ref());

    let w1 = Workload {
        name: "W1",
        batch: 100,
        layers: W1_LAYERS,
        loss: im2col::Loss::HalfSquaredError,
        samples: 50,
        seconds: 3,
    };
    let w2 = Workload {
        name: "W2",
        batch: 100,
        layers: W2_LAYERS,
        loss: im2col::Loss::HalfSquaredError,
        samples: 30,
        seconds: 4,
    };
    let w3 = Workload {
        name: "W3",
        batch: 64,
        layers: W3_LAYERS,
        loss: im2col::Loss::SoftmaxCrossEntropy,
        samples: 20,
        seconds: 5,
    };
    let w4 = Workload {
        name: "W4",
        batch: 64,
        layers: W4_LAYERS,
        loss: im2col::Loss::SoftmaxCrossEntropy,
        samples: 50,
        seconds: 3,
    };
    let w5 = Workload {
        name: "W5",
        batch: 32,
        layers: W5_LAYERS,
        loss: im2col::Loss::SoftmaxCrossEntropy,
        samples: 10,
        seconds: 5,
    };

    // The baseline must compute what the generated code computes, or the comparison is void.
    check_baseline::<W1, _>(&w1, &HalfSquaredError);
    check_baseline::<W2, _>(&w2, &HalfSquaredError);
    check_baseline::<W3, _>(&w3, &SoftmaxCrossEntropy);
    check_baseline::<W4, _>(&w4, &SoftmaxCrossEntropy);
    check_baseline::<W5, _>(&w5, &SoftmaxCrossEntropy);
    // So must PyTorch's networks: their parameter counts are checked against ours.
    let torch = Torch::detect(&[
        ("W1", W1::PARAM_LEN),
        ("W2", W2::PARAM_LEN),
        ("W3", W3::PARAM_LEN),
        ("W4", W4::PARAM_LEN),
        ("W5", W5::PARAM_LEN),
    ]);

    let cli =
        |flag: &str| std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    let ctx = Ctx {
        pools,
        dir: criterion_dir(),
        torch,
        cli_time: cli("--measurement-time"),
        cli_samples: cli("--sample-size"),
    };
    let mut c = Criterion::default()
        .output_directory(&ctx.dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let rows = vec![
        bench_step::<W1, _>(&mut c, &ctx, &w1, &HalfSquaredError),
        bench_step::<W2, _>(&mut c, &ctx, &w2, &HalfSquaredError),
        bench_step::<W3, _>(&mut c, &ctx, &w3, &SoftmaxCrossEntropy),
        bench_step::<W4, _>(&mut c, &ctx, &w4, &SoftmaxCrossEntropy),
        bench_step::<W5, _>(&mut c, &ctx, &w5, &SoftmaxCrossEntropy),
        bench_forward::<W1>(&mut c, &ctx, &w1),
        bench_forward::<W3>(&mut c, &ctx, &w3),
        bench_forward::<W5>(&mut c, &ctx, &w5),
    ];
    let parts = [
        bench_parts::<W1, _>(&mut c, &ctx, &w1, &HalfSquaredError),
        bench_parts::<W3, _>(&mut c, &ctx, &w3, &SoftmaxCrossEntropy),
        bench_parts::<W5, _>(&mut c, &ctx, &w5, &SoftmaxCrossEntropy),
    ];
    c.final_summary();

    let peak_end = measure_peak(&ctx.pools);
    print_peak("at end", peak_end.as_ref());
    let end_load = Conditions::now();
    println!("load average at end: {}", end_load.describe());
    print_tables(&rows, &parts, [peak_start, peak_end], &ctx);
}

/// A seeded batch: inputs uniform in [0, 1); targets 0 or 1 for a single output, one-hot
/// classes otherwise.
fn batch<N: Network<Scalar = f32>>(n: usize, seed: u64) -> (Array4<f32>, Array2<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [c, h, w] = N::INPUT_SHAPE;
    let x = Array4::from_shape_simple_fn((n, c, h, w), || rng.random_range(0.0..1.0));
    let mut y = Array2::zeros((n, N::OUTPUT_LEN));
    for mut row in y.outer_iter_mut() {
        if N::OUTPUT_LEN == 1 {
            row[0] = f32::from(rng.random_bool(0.5));
        } else {
            row[rng.random_range(0..N::OUTPUT_LEN)] = 1.0;
        }
    }
    (x, y)
}

/// One example's values, given in logical order, in a boxed tensor of the network's shape.
fn boxed<'a, A: Tensor<Scalar = f32>>(values: impl Iterator<Item = &'a f32>) -> Box<A> {
    let mut tensor = A::zeroed_box();
    tensor
        .as_flat_mut()
        .iter_mut()
        .zip(values)
        .for_each(|(d, &s)| *d = s);
    tensor
}

/// Runs `f` `iters` times inside `pool`, and returns the time it took.
fn timed(pool: &ThreadPool, iters: u64, mut f: impl FnMut() + Send) -> Duration {
    pool.install(|| {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        start.elapsed()
    })
}

/// Asserts that the baseline's loss and gradient equal `loss_and_grad`'s, to 1e-5 relative for
/// the loss and 1e-4 relative per tensor (the largest difference over the tensor's largest
/// magnitude).
fn check_baseline<N: Network<Scalar = f32>, L: Loss>(w: &Workload, loss: &L) {
    let net = N::new(7);
    let (x, y) = batch::<N>(w.batch, 11);
    let base = im2col::Net::from_flat(w.layers, net.params());
    let (l, grad) = net
        .loss_and_grad(x.view(), y.view(), loss)
        .expect("valid batch");
    let (l_base, grad_base) = base.loss_and_grad(x.view(), y.view(), w.loss);
    let loss_err = ((l - l_base) / l).abs();
    assert!(
        loss_err < 1e-5,
        "{}: loss {l} (generated) vs {l_base} (im2col)",
        w.name
    );
    assert_eq!(grad.len(), grad_base.len(), "{}: gradient length", w.name);
    let mut worst = (0.0f32, "");
    for t in N::TENSORS {
        let a = &grad[t.offset..t.offset + t.len];
        let b = &grad_base[t.offset..t.offset + t.len];
        let scale = a
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()))
            .max(f32::MIN_POSITIVE);
        let diff = a
            .iter()
            .zip(b)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        let err = diff / scale;
        assert!(
            err < 1e-4,
            "{}: {} differs by {err:e} relative",
            w.name,
            t.name
        );
        if err >= worst.0 {
            worst = (err, t.name);
        }
    }
    println!(
        "baseline check {}: loss {l:.6}, relative difference {loss_err:.1e}; gradient worst {:.1e} ({})",
        w.name, worst.0, worst.1
    );
}

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
fn bench_step<N: Network<Scalar = f32>, L: Loss>(
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
fn bench_forward<N: Network<Scalar = f32>>(c: &mut Criterion, ctx: &Ctx, w: &Workload) -> Row {
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
type Parts = (String, Vec<(&'static str, Figure)>);

/// Where a step's time goes, on one thread: the batch pass alone (`loss_and_grad`, the step
/// without the update), the SGD update alone, and for sigmoid networks the first layer's
/// sigmoids alone, with the runtime's vector sigmoid on packs of eight examples.
fn bench_parts<N: Network<Scalar = f32>, L: Loss>(
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
struct SimdName;

impl WithSimd<f32> for SimdName {
    type Output = &'static str;

    #[inline(always)]
    fn with_simd<S: Lanes<f32>>(self, _: S) -> &'static str {
        S::NAME
    }
}

/// PyTorch eager through `benches/pytorch/steps.py`.
struct Torch {
    python: OsString,
    script: PathBuf,
    seconds: f64,
    version: String,
}

impl Torch {
    /// PyTorch, if the interpreter runs the script and its networks have our parameter counts
    /// (`networks`: name, count); else `None`, after a one-line note.
    ///
    /// # Panics
    /// When a PyTorch network's parameter count differs from ours.
    fn detect(networks: &[(&str, usize)]) -> Option<Torch> {
        let seconds = match std::env::var("CNN_BENCH_TORCH_SECONDS") {
            Err(_) => 3.0,
            Ok(s) => match s.trim().parse::<f64>() {
                Ok(v) if v >= 0.0 && v.is_finite() => v,
                _ => {
                    println!(
                        "note: CNN_BENCH_TORCH_SECONDS={s} is not a number of seconds: PyTorch left out"
                    );
                    return None;
                }
            },
        };
        if seconds == 0.0 {
            println!("note: CNN_BENCH_TORCH_SECONDS=0: PyTorch left out");
            return None;
        }
        let python = std::env::var_os("CNN_BENCH_PYTHON").unwrap_or_else(|| "python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pytorch/steps.py");
        let mut torch = Torch {
            python,
            script,
            seconds,
            version: String::new(),
        };
        let stdout = match torch.run(&["--params", "--json"]) {
            Ok(out) => out,
            Err(why) => {
                println!("note: no PyTorch figures: {why}");
                return None;
            }
        };
        for &(network, ours) in networks {
            let line = stdout
                .lines()
                .find(|l| json_field(l, "network") == Some(network))
                .unwrap_or_else(|| panic!("steps.py --params says nothing of {network}"));
            let theirs: usize = json_field(line, "params")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("steps.py --params: no count in {line}"));
            assert_eq!(
                theirs, ours,
                "{network}: PyTorch's network has {theirs} parameters, ours {ours}"
            );
            torch.version = json_field(line, "torch").unwrap_or("?").to_string();
        }
        println!(
            "PyTorch {} ({}), {seconds} s per figure; parameter counts agree",
            torch.version,
            torch.python.to_string_lossy()
        );
        Some(torch)
    }

    /// Runs the script with `args` from the repository root; its standard output, or why not.
    fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.python)
            .arg(&self.script)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .map_err(|e| format!("{} could not be run: {e}", self.python.to_string_lossy()))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
            return Err(format!(
                "steps.py {}: {} ({last})",
                args.join(" "),
                out.status
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// PyTorch's median for `workload` on `threads` threads, with its conditions.
    fn measure(&self, workload: &str, threads: usize) -> Figure {
        let before = Conditions::now();
        let (threads_arg, seconds_arg) = (threads.to_string(), self.seconds.to_string());
        let args = [
            workload,
            "--threads",
            &threads_arg,
            "--seconds",
            &seconds_arg,
            "--json",
        ];
        let result = self.run(&args).and_then(|stdout| {
            let line = stdout
                .lines()
                .find(|l| json_field(l, "workload") == Some(workload))
                .ok_or_else(|| format!("no line for {workload} in {stdout:?}"))?;
            let median = json_field(line, "median_us").and_then(|v| v.parse::<f64>().ok());
            let samples = json_field(line, "samples").unwrap_or("?");
            median
                .map(|m| (m, samples.to_string()))
                .ok_or_else(|| format!("no median in {line}"))
        });
        match result {
            Ok((median, samples)) => {
                let figure = before.figure(Some(median));
                println!(
                    "{workload}/pytorch-{threads}t: median {median:.2} µs ({samples} samples); {}",
                    figure.describe()
                );
                figure
            }
            Err(why) => {
                println!("note: {workload}/pytorch-{threads}t not measured: {why}");
                Figure::default()
            }
        }
    }
}

/// The raw value of `"key": value` in a flat JSON object on one line: a number as written, a
/// string without its quotes (strings with escapes are not expected here).
fn json_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let rest = line[line.find(&pattern)? + pattern.len()..].trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        return Some(&s[..s.find('"')?]);
    }
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// The machine's state at one moment: the 1-minute load average, and CPU time counters (in
/// clock ticks) of the whole machine and of this process with its finished children.
#[derive(Clone, Copy, Debug)]
struct Conditions {
    load: Option<f64>,
    cpu: Option<CpuTicks>,
}

#[derive(Clone, Copy, Debug)]
struct CpuTicks {
    /// Every CPU's ticks, in all states.
    total: u64,
    /// Every CPU's ticks not idle: user, nice, system, irq, softirq, and steal (ticks the
    /// hypervisor gave to someone else while this machine wanted to run).
    busy: u64,
    /// This process's user and system ticks, with those of its waited-for children (PyTorch).
    own: u64,
    cpus: usize,
}

impl Conditions {
    /// Reads `/proc` (Linux); `None` fields elsewhere.
    fn now() -> Conditions {
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok());
        Conditions {
            load,
            cpu: CpuTicks::read(),
        }
    }

    /// A figure measured since `self`: its median and the conditions it was taken in.
    fn figure(&self, us: Option<f64>) -> Figure {
        let now = Conditions::now();
        let others = self.cpu.zip(now.cpu).and_then(|(a, b)| {
            let total = b.total.checked_sub(a.total)?;
            let busy = b.busy.checked_sub(a.busy)?;
            let own = b.own.checked_sub(a.own)?;
            (total > 0).then(|| busy.saturating_sub(own) as f64 / total as f64 * b.cpus as f64)
        });
        Figure {
            us,
            load: now.load,
            others,
        }
    }

    fn describe(&self) -> String {
        self.load
            .map_or_else(|| "unknown".to_string(), |l| format!("{l:.2} (1 min)"))
    }
}

impl CpuTicks {
    fn read() -> Option<CpuTicks> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let mut lines = stat.lines();
        let fields: Vec<u64> = lines
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        let [user, nice, system, idle, iowait, irq, softirq, steal] = fields[..] else {
            return None;
        };
        let cpus = lines
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count();
        // /proc/self/stat: "pid (comm) state ...": after the command, field 14 (utime) is the
        // 12th, then stime, cutime, cstime.
        let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after = &own_stat[own_stat.rfind(')')? + 1..];
        let own: u64 = after
            .split_whitespace()
            .skip(11)
            .take(4)
            .map(|f| f.parse::<u64>().ok())
            .sum::<Option<u64>>()?;
        Some(CpuTicks {
            total: user + nice + system + idle + iowait + irq + softirq + steal,
            busy: user + nice + system + irq + softirq + steal,
            own,
            cpus,
        })
    }
}

impl Figure {
    fn describe(&self) -> String {
        let load = self
            .load
            .map_or_else(|| "?".to_string(), |l| format!("{l:.2}"));
        let others = self
            .others
            .map_or_else(|| "?".to_string(), |o| format!("{o:.2}"));
        format!("load average {load}, other processes {others} cores")
    }
}

/// Where criterion writes its results: as criterion itself chooses, made explicit so that the
/// tables read the same place.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    target.join("criterion")
}

/// Criterion's median, in µs, of `group/id` if it was measured since `since`.
fn median_us(dir: &Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json = std::fs::read_to_string(&path).ok()?;
    // {"mean":{...},"median":{"confidence_interval":{...},"point_estimate":12345.6,...},...}
    let median = &json[json.find("\"median\"")?..];
    json_field(median, "point_estimate")?
        .parse::<f64>()
        .ok()
        .map(|ns| ns / 1000.0)
}

/// A time in µs with about four significant digits, or `-`.
fn us(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v >= 1000.0 => format!("{v:.0}"),
        Some(v) if v >= 100.0 => format!("{v:.1}"),
        Some(v) if v >= 1.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.3}"),
    }
}

/// A ratio, or `-`.
fn ratio(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// The tables for BENCHMARKS.md: medians against the measured peak, PyTorch and im2col; the
/// conditions of each figure; the parts of a step.
fn print_tables(rows: &[Row], parts: &[Parts], peaks: [Option<Peak>; 2], ctx: &Ctx) {
    println!();
    // Only what this run measured (a filter, `--test` or `--list` leave rows out).
    let rows: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            [r.ours_1, r.ours_2, r.torch_1, r.torch_2, r.im2col_1]
                .iter()
                .any(|f| f.us.is_some())
        })
        .collect();
    if rows.is_empty() {
        println!("No figures in this run (a filter, --test or --list): no tables.");
        return;
    }
    let torch = ctx.torch.as_ref().map_or_else(
        || "PyTorch not measured".to_string(),
        |t| format!("PyTorch {} eager, {} s per figure", t.version, t.seconds),
    );
    let peak = peaks.iter().flatten().map(|p| p.gflops).reduce(f64::max);
    let at = |p: &Option<Peak>| {
        p.as_ref().map_or_else(
            || "-".to_string(),
            |p| {
                format!(
                    "{:.1} GFLOP/s = {:.1} FLOP/cycle at {:.2} GHz ({})",
                    p.gflops,
                    p.gflops / p.ghz,
                    p.ghz,
                    p.conditions.describe()
                )
            },
        )
    };
    match peak {
        Some(gflops) => println!(
            "Medians in µs. Roofline = 2 * MACs / {gflops:.1} GFLOP/s: one core's f32 FMA peak, \
             measured in this run at the start, {}, and at the end, {}; the higher of the two. \
             {torch}.",
            at(&peaks[0]),
            at(&peaks[1]),
        ),
        None => {
            println!("Medians in µs. No FMA peak measured here (no x86-64 AVX2 + FMA). {torch}.")
        }
    }
    println!();
    println!(
        "| workload | ours, 1 thread | ours, {THREADS} threads | {THREADS}-thread speed-up | \
         roofline at measured peak | ours / roofline | PyTorch eager, 1 thread | \
         PyTorch eager, {THREADS} threads | PyTorch / ours (1 thread) | im2col, 1 thread |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        let roofline = peak.map(|gflops| 2.0 * row.macs as f64 / gflops / 1e3);
        let one = row.ours_1.us;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            us(one),
            us(row.ours_2.us),
            ratio(one.zip(row.ours_2.us).map(|(a, b)| a / b)),
            us(roofline),
            ratio(one.zip(roofline).map(|(g, r)| g / r)),
            us(row.torch_1.us),
            us(row.torch_2.us),
            ratio(row.torch_1.us.zip(one).map(|(t, g)| t / g)),
            us(row.im2col_1.us),
        );
    }
    println!();
    println!(
        "Conditions of each figure: the 1-minute load average when it was taken (this bench \
         counts in it), and the CPU other processes used meanwhile, in cores (from /proc/stat)."
    );
    println!();
    println!(
        "| workload | ours, 1 thread | ours, {THREADS} threads | PyTorch, 1 thread | \
         PyTorch, {THREADS} threads | im2col, 1 thread |"
    );
    println!("|---|---|---|---|---|---|");
    let cond = |f: &Figure| match (f.us, f.load, f.others) {
        (None, ..) => "-".to_string(),
        (Some(_), load, others) => format!(
            "load {}, others {}",
            load.map_or_else(|| "?".to_string(), |l| format!("{l:.2}")),
            others.map_or_else(|| "?".to_string(), |o| format!("{o:.2}")),
        ),
    };
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            row.name,
            cond(&row.ours_1),
            cond(&row.ours_2),
            cond(&row.torch_1),
            cond(&row.torch_2),
            cond(&row.im2col_1),
        );
    }
    let parts: Vec<&Parts> = parts
        .iter()
        .filter(|(_, ps)| ps.iter().any(|(_, f)| f.us.is_some()))
        .collect();
    if parts.is_empty() {
        return;
    }
    println!();
    println!("Parts of a step, ours on 1 thread, medians in µs:");
    println!();
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    println!("| part | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    let labels = [
        (
            "loss_and_grad",
            "`loss_and_grad` (the batch pass, no update)",
        ),
        ("sgd-update", "the SGD update"),
        (
            "sigmoid",
            "the first layer's sigmoids over the batch, alone (`act::apply` on packs of 8 examples)",
        ),
    ];
    let part = |ps: &[(&str, Figure)], id: &str| {
        ps.iter()
            .find(|(p, _)| *p == id)
            .map_or_else(Figure::default, |&(_, f)| f)
    };
    let measured: Vec<_> = labels
        .iter()
        .filter(|(id, _)| parts.iter().any(|(_, ps)| part(ps, id).us.is_some()))
        .collect();
    for (id, label) in &measured {
        let cells: Vec<String> = parts.iter().map(|(_, ps)| us(part(ps, id).us)).collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    println!();
    println!("Conditions of the parts, as above:");
    println!();
    println!("| part | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (id, _) in &measured {
        let cells: Vec<String> = parts.iter().map(|(_, ps)| cond(&part(ps, id))).collect();
        println!("| {id} | {} |", cells.join(" | "));
    }
}

/// What the measurement of the peak gives.
#[derive(Clone, Copy, Debug)]
struct Peak {
    /// The clock, from a chain of dependent adds.
    ghz: f64,
    /// One core's f32 FMA throughput with 256-bit and with 128-bit instructions.
    gflops: f64,
    gflops_128: f64,
    /// The sum over [`THREADS`] threads started together on the 256-bit loop, each thread's
    /// best run (on a busy machine their best runs need not overlap).
    gflops_all: f64,
    /// The load average after it, and the CPU other processes used meanwhile.
    conditions: Figure,
}

/// The clock and the FMA peak, measured now; `None` without x86-64 AVX2 and FMA.
fn measure_peak(pools: &Pools) -> Option<Peak> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY (each closure): AVX2 and FMA were detected.
        let fma_256 = || measured_fma_gflops(|rounds| unsafe { fma_rounds_256(rounds) }, 8);
        let fma_128 = || measured_fma_gflops(|rounds| unsafe { fma_rounds_128(rounds) }, 4);
        let before = Conditions::now();
        let (ghz, gflops, gflops_128) = pools
            .one
            .install(|| (measured_clock_ghz(), fma_256(), fma_128()));
        let gflops_all = pools.two.broadcast(|_| fma_256()).iter().sum();
        return Some(Peak {
            ghz,
            gflops,
            gflops_128,
            gflops_all,
            conditions: before.figure(Some(gflops)),
        });
    }
    let _ = pools;
    None
}

fn print_peak(when: &str, peak: Option<&Peak>) {
    match peak {
        Some(p) => println!(
            "FMA peak {when}: {:.1} GFLOP/s = {:.1} FLOP/cycle at {:.2} GHz (clock from a chain of \
             dependent adds; 128-bit FMAs: {:.1} FLOP/cycle); {THREADS} threads at once: {:.1} \
             GFLOP/s in all (started together); {}",
            p.gflops,
            p.gflops / p.ghz,
            p.ghz,
            p.gflops_128 / p.ghz,
            p.gflops_all,
            p.conditions.describe(),
        ),
        None => println!("FMA peak {when}: not measured (needs x86-64 with AVX2 and FMA)"),
    }
}

/// The core clock in GHz: a loop of 8 dependent integer adds (one cycle each), best of
/// [`PEAK_RUNS`] runs of about 5 ms.
#[cfg(target_arch = "x86_64")]
fn measured_clock_ghz() -> f64 {
    const ROUNDS: u64 = 2_000_000;
    let best = (0..PEAK_RUNS)
        .map(|_| {
            let start = Instant::now();
            // SAFETY: register arithmetic only; both registers are declared as clobbered.
            unsafe {
                std::arch::asm!(
                    "2:",
                    "add {x}, 1",
                    "add {x}, 1",
                    "add {x}, 1",
                    "add {x}, 1",
                    "add {x}, 1",
                    "add {x}, 1",
                    "add {x}, 1",
                    "add {x}, 1",
                    "dec {n}",
                    "jnz 2b",
                    n = inout(reg) ROUNDS => _,
                    x = inout(reg) 0u64 => _,
                    options(nomem, nostack),
                );
            }
            start.elapsed()
        })
        .min()
        .expect("some runs");
    (8 * ROUNDS) as f64 / best.as_nanos() as f64
}

/// Runs of each peak loop. Short runs, many of them: the best is one that no other process
/// interrupted (a run as long as a scheduler's time slice rarely is, on a busy machine), and
/// the first ones give the core time to reach its clock.
#[cfg(target_arch = "x86_64")]
const PEAK_RUNS: usize = 40;

/// One core's f32 FMA throughput in GFLOP/s through `rounds`, which runs 12 independent FMAs of
/// `lanes` lanes per round (enough to cover two pipes of latency 4 or 5), best of
/// [`PEAK_RUNS`] runs of about 2 ms (4 with 128-bit FMAs) at this machine's peak.
#[cfg(target_arch = "x86_64")]
fn measured_fma_gflops(rounds: impl Fn(u64), lanes: u64) -> f64 {
    const ROUNDS: u64 = 1_000_000;
    let best = (0..PEAK_RUNS)
        .map(|_| {
            let start = Instant::now();
            rounds(ROUNDS);
            start.elapsed()
        })
        .min()
        .expect("some runs");
    (ROUNDS * 12 * lanes * 2) as f64 / best.as_nanos() as f64
}

/// `rounds` rounds of 12 independent 128-bit `vfmadd231ps` on zeroed registers.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_rounds_128(rounds: u64) {
    // SAFETY: register arithmetic only; every register used is declared as clobbered.
    unsafe {
        std::arch::asm!(
            "vxorps xmm0, xmm0, xmm0",
            "vxorps xmm1, xmm1, xmm1",
            "vxorps xmm2, xmm2, xmm2",
            "vxorps xmm3, xmm3, xmm3",
            "vxorps xmm4, xmm4, xmm4",
            "vxorps xmm5, xmm5, xmm5",
            "vxorps xmm6, xmm6, xmm6",
            "vxorps xmm7, xmm7, xmm7",
            "vxorps xmm8, xmm8, xmm8",
            "vxorps xmm9, xmm9, xmm9",
            "vxorps xmm10, xmm10, xmm10",
            "vxorps xmm11, xmm11, xmm11",
            "vxorps xmm12, xmm12, xmm12",
            "vxorps xmm13, xmm13, xmm13",
            "2:",
            "vfmadd231ps xmm0, xmm12, xmm13",
            "vfmadd231ps xmm1, xmm12, xmm13",
            "vfmadd231ps xmm2, xmm12, xmm13",
            "vfmadd231ps xmm3, xmm12, xmm13",
            "vfmadd231ps xmm4, xmm12, xmm13",
            "vfmadd231ps xmm5, xmm12, xmm13",
            "vfmadd231ps xmm6, xmm12, xmm13",
            "vfmadd231ps xmm7, xmm12, xmm13",
            "vfmadd231ps xmm8, xmm12, xmm13",
            "vfmadd231ps xmm9, xmm12, xmm13",
            "vfmadd231ps xmm10, xmm12, xmm13",
            "vfmadd231ps xmm11, xmm12, xmm13",
            "dec {n}",
            "jnz 2b",
            n = inout(reg) rounds => _,
            out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _,
            out("ymm4") _, out("ymm5") _, out("ymm6") _, out("ymm7") _,
            out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
            out("ymm12") _, out("ymm13") _,
            options(nomem, nostack),
        );
    }
}

/// `rounds` rounds of 12 independent 256-bit `vfmadd231ps` on zeroed registers.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_rounds_256(rounds: u64) {
    // SAFETY: register arithmetic only; every register used is declared as clobbered.
    unsafe {
        std::arch::asm!(
            "vxorps ymm0, ymm0, ymm0",
            "vxorps ymm1, ymm1, ymm1",
            "vxorps ymm2, ymm2, ymm2",
            "vxorps ymm3, ymm3, ymm3",
            "vxorps ymm4, ymm4, ymm4",
            "vxorps ymm5, ymm5, ymm5",
            "vxorps ymm6, ymm6, ymm6",
            "vxorps ymm7, ymm7, ymm7",
            "vxorps ymm8, ymm8, ymm8",
            "vxorps ymm9, ymm9, ymm9",
            "vxorps ymm10, ymm10, ymm10",
            "vxorps ymm11, ymm11, ymm11",
            "vxorps ymm12, ymm12, ymm12",
            "vxorps ymm13, ymm13, ymm13",
            "2:",
            "vfmadd231ps ymm0, ymm12, ymm13",
            "vfmadd231ps ymm1, ymm12, ymm13",
            "vfmadd231ps ymm2, ymm12, ymm13",
            "vfmadd231ps ymm3, ymm12, ymm13",
            "vfmadd231ps ymm4, ymm12, ymm13",
            "vfmadd231ps ymm5, ymm12, ymm13",
            "vfmadd231ps ymm6, ymm12, ymm13",
            "vfmadd231ps ymm7, ymm12, ymm13",
            "vfmadd231ps ymm8, ymm12, ymm13",
            "vfmadd231ps ymm9, ymm12, ymm13",
            "vfmadd231ps ymm10, ymm12, ymm13",
            "vfmadd231ps ymm11, ymm12, ymm13",
            "dec {n}",
            "jnz 2b",
            "vzeroupper",
            n = inout(reg) rounds => _,
            out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _,
            out("ymm4") _, out("ymm5") _, out("ymm6") _, out("ymm7") _,
            out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
            out("ymm12") _, out("ymm13") _,
            options(nomem, nostack),
        );
    }
}
