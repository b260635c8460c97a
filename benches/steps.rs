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

#[path = "steps/conditions.rs"]
mod conditions;
mod fma;
mod im2col;
#[path = "steps/measure.rs"]
mod measure;
#[path = "steps/peak.rs"]
mod peak;
#[path = "steps/pytorch.rs"]
mod pytorch;
#[path = "steps/tables.rs"]
mod tables;
mod workloads;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cnn::ndarray::{Array2, Array4};
use cnn::prelude::*;
use cnn::{Float, Tensor};
use cnn_benches::root;
use conditions::Conditions;
use criterion::Criterion;
use im2col::Layer;
use measure::{SimdName, bench_forward, bench_parts, bench_step};
use peak::{measure_peak, print_peak};
use pytorch::Torch;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::{ThreadPool, ThreadPoolBuilder};
use tables::{criterion_dir, print_tables};
use workloads::{W1, W2, W3, W4, W5};

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
