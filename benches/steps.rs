//! The benchmark of issue 5: median time of one SGD step (forward, loss, backward, update) of
//! four small networks, and of a single-example forward pass, on one thread and on all cores;
//! each against its FLOP roofline and against a plain im2col + `ndarray` implementation of the
//! same step (`benches/im2col/mod.rs`) measured in the same run.
//!
//! ```text
//! cargo bench --bench steps
//! ```
//!
//! The roofline of a step is `2 * MACs * batch / peak`, with the network's `TRAIN_MACS` (or
//! `FORWARD_MACS`) and one core's peak, `clock * 32` FLOP per cycle (AMD Zen 3, AVX2 + FMA: two
//! 8-lane FMAs per cycle). Before measuring, the baseline's loss and gradient are checked against
//! `loss_and_grad` on the same weights and data. After criterion's own report, a table of the
//! medians (read back from criterion's `estimates.json`) is printed; BENCHMARKS.md records it.

mod im2col;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use cnn::Tensor;
use cnn::ndarray::{Array2, Array4, s};
use cnn::prelude::*;
use criterion::Criterion;
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

    /// W3: LeNet-5 as in the layers issue.
    pub struct W3 {
        input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu -> maxpool(2x2)
            -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
    }

    /// W4: the digits network of the issue.
    pub struct W4 {
        input(8x8) -> conv(8, 3x3) -> relu -> maxpool(2x2) -> dense(72->10)
    }
}

/// The clock the roofline uses: the nominal clock of CONTEXT.md's "arithmetic minimum".
const CLOCK_GHZ: f64 = 2.445;
/// One core's f32 FLOP per cycle: 2 FMA pipes x 8 lanes x 2 FLOP.
const FLOP_PER_CYCLE: f64 = 32.0;
/// The learning rate of every step.
const LR: f64 = 0.01;

const W1_LAYERS: &[Layer] = &[
    Layer::Conv {
        f: 1,
        c: 1,
        kh: 3,
        kw: 3,
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
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Conv {
        f: 16,
        c: 6,
        kh: 5,
        kw: 5,
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
    },
    Layer::Relu,
    Layer::MaxPool(2),
    Layer::Dense { n: 72, m: 10 },
];

/// One benchmarked workload.
struct Workload {
    name: &'static str,
    batch: usize,
    layers: &'static [Layer],
    loss: im2col::Loss,
    /// Criterion's samples per benchmark and the time to take them: fewer samples for the slow
    /// steps, to keep the run short.
    samples: usize,
    seconds: u64,
}

/// A line of the final table: a criterion group and the arithmetic of what it measures.
struct Row {
    group: String,
    macs: usize,
}

/// A pool of one thread and a pool of all cores; every measurement runs inside one of them.
struct Pools {
    one: ThreadPool,
    all: ThreadPool,
}

fn main() {
    let start = SystemTime::now();
    print_load("at start");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pools = Pools {
        one: ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool"),
        all: ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool"),
    };
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

    // The baseline must compute what the generated code computes, or the comparison is void.
    check_baseline::<W1, _>(&w1, &HalfSquaredError);
    check_baseline::<W2, _>(&w2, &HalfSquaredError);
    check_baseline::<W3, _>(&w3, &SoftmaxCrossEntropy);
    check_baseline::<W4, _>(&w4, &SoftmaxCrossEntropy);
    let measured_peak = report_clock();

    let dir = criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let rows = vec![
        bench_step::<W1, _>(&mut c, &pools, &w1, &HalfSquaredError),
        bench_step::<W2, _>(&mut c, &pools, &w2, &HalfSquaredError),
        bench_step::<W3, _>(&mut c, &pools, &w3, &SoftmaxCrossEntropy),
        bench_step::<W4, _>(&mut c, &pools, &w4, &SoftmaxCrossEntropy),
        bench_forward::<W1>(&mut c, &pools, &w1),
        bench_forward::<W3>(&mut c, &pools, &w3),
    ];
    bench_parts::<W1, _>(&mut c, &pools, &w1, &HalfSquaredError);
    bench_parts::<W3, _>(&mut c, &pools, &w3, &SoftmaxCrossEntropy);
    c.final_summary();
    print_load("at end");
    print_table(&dir, start, &rows, threads, measured_peak);
}

/// Prints the load average (Linux), since other work on the machine skews every figure.
fn print_load(when: &str) {
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average {when}: {}", load.trim());
    }
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

/// Asserts that the baseline's loss and gradient equal `loss_and_grad`'s, to 1e-4 relative per
/// tensor (the largest difference over the tensor's largest magnitude).
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

/// The training step of a workload: generated code on one thread and on all cores, and the
/// baseline on one thread.
fn bench_step<N: Network<Scalar = f32>, L: Loss>(
    c: &mut Criterion,
    pools: &Pools,
    w: &Workload,
    loss: &L,
) -> Row {
    let (x, y) = batch::<N>(w.batch, 1);
    let mut net = N::new(1);
    let mut base = im2col::Net::from_flat(w.layers, net.params());
    let group_name = format!("{}-step", w.name);
    let mut group = c.benchmark_group(&group_name);
    group.sample_size(w.samples);
    group.measurement_time(Duration::from_secs(w.seconds));
    for (id, pool) in [("generated-1t", &pools.one), ("generated-all", &pools.all)] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                timed(pool, iters, || {
                    let step = net.train_step(x.view(), y.view(), loss, &mut Sgd::new(LR));
                    black_box(step.expect("finite step"));
                })
            });
        });
    }
    group.bench_function("im2col-1t", |b| {
        b.iter_custom(|iters| {
            timed(&pools.one, iters, || {
                black_box(base.train_step(x.view(), y.view(), w.loss, LR as f32));
            })
        });
    });
    group.finish();
    Row {
        group: group_name,
        macs: N::TRAIN_MACS * w.batch,
    }
}

/// The forward pass of one example: generated code (which never uses more than one thread),
/// in either pool, and the baseline on a batch of one.
fn bench_forward<N: Network<Scalar = f32>>(c: &mut Criterion, pools: &Pools, w: &Workload) -> Row {
    let (x, _) = batch::<N>(1, 2);
    let net = N::new(2);
    let base = im2col::Net::from_flat(w.layers, net.params());
    let input: Box<N::Input> = boxed(x.iter());
    let group_name = format!("{}-forward", w.name);
    let mut group = c.benchmark_group(&group_name);
    for (id, pool) in [("generated-1t", &pools.one), ("generated-all", &pools.all)] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                timed(pool, iters, || {
                    black_box(net.forward(black_box(&input)));
                })
            });
        });
    }
    let x1 = x.slice(s![0..1, .., .., ..]);
    group.bench_function("im2col-1t", |b| {
        b.iter_custom(|iters| {
            timed(&pools.one, iters, || {
                black_box(base.forward(black_box(x1)));
            })
        });
    });
    group.finish();
    Row {
        group: group_name,
        macs: N::FORWARD_MACS,
    }
}

/// Where a step's time goes, on one thread: the gradient alone, the generated per-example
/// `backprop` alone (inputs already copied, gradient buffer held), the SGD update alone, and for
/// sigmoid networks, the activations alone (`cnn::kernels::sigmoid`, with `cnn::kernels::exp_f32`).
fn bench_parts<N: Network<Scalar = f32>, L: Loss>(
    c: &mut Criterion,
    pools: &Pools,
    w: &Workload,
    loss: &L,
) {
    let (x, y) = batch::<N>(w.batch, 3);
    let mut net = N::new(3);
    let mut group = c.benchmark_group(format!("{}-parts", w.name));
    group.sample_size(w.samples);
    group.measurement_time(Duration::from_secs(w.seconds));
    let one = &pools.one;
    group.bench_function("loss_and_grad", |b| {
        b.iter_custom(|iters| {
            timed(one, iters, || {
                black_box(net.loss_and_grad(x.view(), y.view(), loss).expect("valid"));
            })
        });
    });
    let inputs: Vec<Box<N::Input>> = x.outer_iter().map(|e| boxed(e.iter())).collect();
    let targets: Vec<Box<N::Output>> = y.outer_iter().map(|e| boxed(e.iter())).collect();
    let mut grad = N::Params::zeroed_box();
    let scale = 1.0 / w.batch as f32;
    group.bench_function("backprop-only", |b| {
        b.iter_custom(|iters| {
            timed(one, iters, || {
                grad.as_flat_mut().fill(0.0);
                let mut total = 0.0;
                for (x, y) in inputs.iter().zip(&targets) {
                    total += net.backprop(x, y, loss, scale, &mut grad);
                }
                black_box(total);
            })
        });
    });
    let update = vec![0.0f32; N::PARAM_LEN];
    group.bench_function("sgd-update", |b| {
        b.iter_custom(|iters| {
            timed(one, iters, || {
                Sgd::new(LR)
                    .step(net.params_mut(), black_box(&update))
                    .expect("lengths");
            })
        });
    });
    if let [
        Layer::Conv { .. },
        Layer::Sigmoid,
        Layer::Dense { n, .. },
        ..,
    ] = w.layers
    {
        // The first sigmoid's inputs, `n` per example, in the `[f32; 400]` blocks (one
        // filter's 20x20 map) that `cnn::kernels::sigmoid` gets from the generated code.
        let zs: Vec<f32> = x.iter().take(w.batch * n).map(|v| v - 0.5).collect();
        let mut out = vec![0.0f32; zs.len()];
        group.bench_function(format!("sigmoid-x{}", zs.len()), |b| {
            b.iter_custom(|iters| {
                timed(one, iters, || {
                    for (z, o) in zs.chunks_exact(400).zip(out.chunks_exact_mut(400)) {
                        let z: &[f32; 400] = z.try_into().expect("400 values");
                        let o: &mut [f32; 400] = o.try_into().expect("400 values");
                        cnn::kernels::sigmoid(black_box(z), o);
                    }
                    black_box(&out);
                })
            });
        });
    }
    group.finish();
}

/// Where criterion writes its results: as criterion itself chooses, made explicit so that the
/// table below reads the same place.
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

/// Criterion's median, in µs, of `group/id` if it was measured by this run.
fn median_us(dir: &Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json = std::fs::read_to_string(&path).ok()?;
    // {"mean":{...},"median":{"confidence_interval":{...},"point_estimate":12345.6,...},...}
    let median = &json[json.find("\"median\"")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end]
        .trim()
        .parse::<f64>()
        .ok()
        .map(|ns| ns / 1000.0)
}

/// The table of medians, rooflines and ratios; with the FMA peak measured here (GFLOP/s), also
/// the ratio to the roofline at that peak.
fn print_table(
    dir: &Path,
    since: SystemTime,
    rows: &[Row],
    threads: usize,
    measured_peak: Option<f64>,
) {
    let peak = CLOCK_GHZ * 1e9 * FLOP_PER_CYCLE;
    println!();
    println!(
        "medians in µs; roofline = 2 * MACs / ({CLOCK_GHZ} GHz * {FLOP_PER_CYCLE} FLOP/cycle); \
         'all' = {threads} threads"
    );
    println!(
        "| workload | generated, 1 thread | generated, {threads} threads | im2col, 1 thread | \
         roofline | generated / roofline | im2col / generated | {threads}-thread speed-up | \
         generated / measured-peak roofline |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"));
    for row in rows {
        let gen1 = median_us(dir, &row.group, "generated-1t", since);
        let gen_all = median_us(dir, &row.group, "generated-all", since);
        let base = median_us(dir, &row.group, "im2col-1t", since);
        let roofline = 2.0 * row.macs as f64 / peak * 1e6;
        let measured_roofline = measured_peak.map(|gflops| 2.0 * row.macs as f64 / gflops / 1e3);
        println!(
            "| {} | {} | {} | {} | {:.3} | {} | {} | {} | {} |",
            row.group,
            fmt(gen1),
            fmt(gen_all),
            fmt(base),
            roofline,
            fmt(gen1.map(|g| g / roofline)),
            fmt(base.zip(gen1).map(|(b, g)| b / g)),
            fmt(gen1.zip(gen_all).map(|(one, all)| one / all)),
            fmt(gen1.zip(measured_roofline).map(|(g, r)| g / r)),
        );
    }
    for group in ["W1-parts", "W3-parts"] {
        let Ok(entries) = std::fs::read_dir(dir.join(group)) else {
            continue;
        };
        let mut ids: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|id| id != "report")
            .collect();
        ids.sort();
        for id in ids {
            if let Some(t) = median_us(dir, group, &id, since) {
                println!("{group}/{id}: {t:.2} µs");
            }
        }
    }
}

/// Prints the clock this core runs at and its f32 FMA throughput, both measured here, beside the
/// nominal clock the roofline uses; returns the measured throughput in GFLOP/s.
fn report_clock() -> Option<f64> {
    println!(
        "roofline clock: {CLOCK_GHZ} GHz nominal (CONTEXT.md), {FLOP_PER_CYCLE} FLOP/cycle = {:.1} GFLOP/s",
        CLOCK_GHZ * FLOP_PER_CYCLE
    );
    #[cfg(target_arch = "x86_64")]
    {
        let ghz = measured_clock_ghz();
        print!("measured: {ghz:.3} GHz from a chain of dependent adds (best of 5)");
        if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2")
        {
            // SAFETY: AVX2 and FMA were detected.
            let gflops = measured_fma_gflops(|rounds| unsafe { fma_rounds_256(rounds) }, 8);
            // SAFETY: as above.
            let gflops_128 = measured_fma_gflops(|rounds| unsafe { fma_rounds_128(rounds) }, 4);
            // Two 8-lane FMAs per cycle (Zen 2, Zen 3) give 32 FLOP/cycle with 256-bit
            // instructions and 16 with 128-bit ones; a 128-bit datapath (Zen 1) gives 16 both.
            println!(
                "; f32 FMA peak {gflops:.1} GFLOP/s = {:.1} FLOP/cycle at that clock \
                 (with 128-bit FMAs: {:.1} FLOP/cycle)",
                gflops / ghz,
                gflops_128 / ghz
            );
            return Some(gflops);
        }
        println!();
    }
    None
}

/// The core clock in GHz: a loop of 8 dependent integer adds (one cycle each), best of 5 runs.
#[cfg(target_arch = "x86_64")]
fn measured_clock_ghz() -> f64 {
    const ROUNDS: u64 = 20_000_000;
    let best = (0..5)
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
        .expect("five runs");
    (8 * ROUNDS) as f64 / best.as_nanos() as f64
}

/// One core's f32 FMA throughput in GFLOP/s through `rounds`, which runs 12 independent FMAs of
/// `lanes` lanes per round (enough to cover two pipes of latency 4 or 5), best of 5 runs.
#[cfg(target_arch = "x86_64")]
fn measured_fma_gflops(rounds: impl Fn(u64), lanes: u64) -> f64 {
    const ROUNDS: u64 = 10_000_000;
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            rounds(ROUNDS);
            start.elapsed()
        })
        .min()
        .expect("five runs");
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
