//! The time each layer's passes take in the steps of `cargo bench --bench steps`, one thread,
//! and in a single-example forward pass, against each pass's roofline at the FMA peak measured
//! in the same run: what bounds a network's speed.
//!
//! ```text
//! cargo run --release --manifest-path benches/passes/Cargo.toml            # every workload
//! cargo run --release --manifest-path benches/passes/Cargo.toml -- W3      # W3 only
//! cargo run --release --manifest-path benches/passes/Cargo.toml -- --threads 2 W3
//! ```
//!
//! With `--threads 2` the steps run on two threads (a part of the batch each) and a pass's
//! time is summed over both: beside the one-thread table, it shows which passes slow down
//! when both cores work at once, and how long each thread waits for its part or for the other.
//!
//! It builds `cnn` with its `profile` feature: the generated code reads the clock after each
//! layer's statements (`cnn::__private::profile`), a clock reading per lap, so the steps take a little
//! longer here than in the `steps` benchmark, whose figures are those of the default build. A
//! pass's multiply-adds come from the network's `SUMMARY` (its forward FLOPs per layer); the
//! weights' and the input's gradients of a conv or dense layer take as many as its forward pass.

// The 128-bit loop is the `steps` benchmark's.
#[allow(dead_code)]
#[path = "../fma.rs"]
mod fma;
#[path = "../workloads.rs"]
mod workloads;

use std::time::{Duration, Instant};

use cnn::__private::profile::{self, Lap};
use cnn::Tensor;
use cnn::loss::Loss;
use cnn::ndarray::{Array2, Array4};
use cnn::prelude::*;
use workloads::{W1, W2, W3, W4, W5};

/// The time each measurement runs for, after as long a warm-up.
const SECONDS: f64 = 2.0;

fn main() {
    let mut only: Vec<String> = std::env::args().skip(1).collect();
    let threads = match only.iter().position(|a| a == "--threads") {
        Some(i) => {
            let n = only.get(i + 1).and_then(|n| n.parse().ok());
            let Some(n) = n.filter(|&n: &usize| n > 0) else {
                eprintln!("--threads takes a number of threads, 1 or more");
                std::process::exit(2);
            };
            only.drain(i..i + 2);
            n
        }
        None => 1,
    };
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    // The single-example forward runs on one thread whatever the pool: only the steps are
    // timed on more.
    let single = threads == 1;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool of threads");
    pool.install(|| {
        let Some(peak) = peak_gflops() else {
            println!("the FMA peak needs x86-64 with AVX2 and FMA; nothing measured");
            return;
        };
        println!(
            "FMA peak: {peak:.1} GFLOP/s (one core); kernels: {}",
            <f32 as cnn::Float>::dispatch(KernelName)
        );
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!("load average: {}", load.split(' ').next().unwrap_or("?"));
        if !single {
            println!("steps on {threads} threads: each pass's time is summed over them");
        }
        if wanted("W1") {
            steps::<W1, _>("W1", 100, &HalfSquaredError, peak, threads);
            if single {
                forward::<W1>("W1", peak);
            }
        }
        if wanted("W2") {
            steps::<W2, _>("W2", 100, &HalfSquaredError, peak, threads);
        }
        if wanted("W3") {
            steps::<W3, _>("W3", 64, &SoftmaxCrossEntropy, peak, threads);
            if single {
                forward::<W3>("W3", peak);
            }
        }
        if wanted("W4") {
            steps::<W4, _>("W4", 64, &SoftmaxCrossEntropy, peak, threads);
        }
        if wanted("W5") {
            steps::<W5, _>("W5", 32, &SoftmaxCrossEntropy, peak, threads);
            if single {
                forward::<W5>("W5", peak);
            }
        }
    });
}

/// The best of the FMA loop's runs, in GFLOP/s.
fn peak_gflops() -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 and FMA were detected.
        let run = |rounds| unsafe { fma::fma_rounds_256(rounds) };
        return Some(fma::measured_fma_gflops(run, 8));
    }
    None
}

/// The name of the kernels `Float::dispatch` chooses.
struct KernelName;

impl cnn::__private::WithSimd<f32> for KernelName {
    type Output = &'static str;

    fn with_simd<S: cnn::__private::Lanes<f32>>(self, _: S) -> &'static str {
        S::NAME
    }
}

/// Times SGD steps of `N` on one seeded batch of `batch` examples, on the pool's `threads`,
/// and prints each pass's share.
fn steps<N: Network<Scalar = f32>, L: Loss>(
    name: &str,
    batch: usize,
    loss: &L,
    peak: f64,
    threads: usize,
) {
    let mut net = N::new(1);
    let (x, y) = seeded_batch::<N>(batch);
    let mut sgd = Sgd::new(0.01);
    let mut step = || {
        net.train_step(x.view(), y.view(), loss, &mut sgd)
            .expect("a valid batch");
    };
    let (count, wall, laps) = timed(&mut step);
    let title = match threads {
        1 => format!("{name} step, batch {batch}"),
        t => format!("{name} step, batch {batch}, {t} threads"),
    };
    print_laps(&title, N::SUMMARY, batch, count, wall, &laps, peak, threads);
}

/// Times single-example forward passes of `N` and prints each layer's share.
fn forward<N: Network<Scalar = f32>>(name: &str, peak: f64) {
    let net = N::new(1);
    let mut x = N::Input::zeroed();
    let mut state = 1u64;
    for v in x.as_flat_mut() {
        *v = uniform(&mut state);
    }
    let mut pass = || {
        std::hint::black_box(net.forward(std::hint::black_box(&x)));
    };
    let (count, wall, laps) = timed(&mut pass);
    let title = format!("{name} single-example forward");
    print_laps(&title, N::SUMMARY, 1, count, wall, &laps, peak, 0);
}

/// Runs `f` for [`SECONDS`] after as long a warm-up: how many times, the time it took, the laps.
fn timed(f: &mut dyn FnMut()) -> (u64, Duration, Vec<Lap>) {
    let warm = Instant::now();
    while warm.elapsed().as_secs_f64() < SECONDS {
        f();
    }
    profile::take();
    let (start, mut count) = (Instant::now(), 0);
    while start.elapsed().as_secs_f64() < SECONDS {
        f();
        count += 1;
    }
    (count, start.elapsed(), profile::take())
}

/// A table of the laps per pass: µs per run (summed over the threads of a training step on
/// `threads`; `0` for a single-example forward pass), share of the run's time on all threads,
/// multiply-adds, the roofline of one core at `peak` and the ratio to it.
#[allow(clippy::too_many_arguments)]
fn print_laps(
    title: &str,
    summary: &str,
    examples: usize,
    count: u64,
    wall: Duration,
    laps: &[Lap],
    peak: f64,
    threads: usize,
) {
    let training = threads > 0;
    let per_run = wall.as_secs_f64() * 1e6 / count as f64;
    // The time of every thread: each lap counts on the thread that took it.
    let thread_time = per_run * threads.max(1) as f64;
    println!("\n{title}: {per_run:.2} µs per run ({count} runs)");
    println!(
        "| pass | µs | share | multiply-adds | roofline µs | / roofline |\n|---|---:|---:|---:|---:|---:|"
    );
    let mut lapped = 0.0;
    for lap in laps {
        let us = lap.seconds * 1e6 / count as f64;
        lapped += us;
        let macs = pass_macs(summary, lap.label, training) * examples as u64;
        let (roof, ratio) = if macs > 0 {
            let roof = 2.0 * macs as f64 / (peak * 1e3);
            (format!("{roof:.2}"), format!("{:.2}", us / roof))
        } else {
            ("-".into(), "-".into())
        };
        println!(
            "| {} | {us:.2} | {:.1}% | {macs} | {roof} | {ratio} |",
            lap.label,
            100.0 * us / thread_time
        );
    }
    let rest = thread_time - lapped;
    let what = if training {
        "in no lap (the batch's checks, the rest)"
    } else {
        "in no lap (the input's copy, the rest)"
    };
    println!(
        "| {what} | {rest:.2} | {:.1}% | | | |",
        100.0 * rest / thread_time
    );
}

/// The multiply-adds of one example in the pass `label` ("conv1 forward", "dense1 backward",
/// ...), from the forward FLOPs of the layer's row in the network's summary: a backward lap of
/// a dense layer takes those of the weights' and of the input's gradient (of the weights' alone
/// for the first layer, whose input has no gradient in training).
fn pass_macs(summary: &str, label: &str, training: bool) -> u64 {
    let (layer, pass) = label.split_once(' ').unwrap_or((label, ""));
    let Some(row) = summary
        .lines()
        .find(|l| l.split_whitespace().next() == Some(layer))
    else {
        return 0;
    };
    let flops: u64 = row
        .split_whitespace()
        .last()
        .and_then(|f| f.replace(',', "").parse().ok())
        .unwrap_or(0);
    let forward = flops / 2;
    let first = summary
        .lines()
        .nth(4)
        .and_then(|l| l.split_whitespace().next())
        == Some(layer);
    match pass {
        "backward, input" if first => 0,
        "forward" | "backward, weights" | "backward, input" => forward,
        "backward" if training && !first => 2 * forward,
        "backward" => forward,
        _ => 0,
    }
}

/// A seeded batch: inputs uniform in [0, 1); targets 0 or 1 for a single output, one-hot
/// classes otherwise.
fn seeded_batch<N: Network<Scalar = f32>>(n: usize) -> (Array4<f32>, Array2<f32>) {
    let mut state = 7u64;
    let [c, h, w] = N::INPUT_SHAPE;
    let x = Array4::from_shape_simple_fn((n, c, h, w), || uniform(&mut state));
    let mut y = Array2::zeros((n, N::OUTPUT_LEN));
    for (i, mut row) in y.outer_iter_mut().enumerate() {
        if N::OUTPUT_LEN == 1 {
            row[0] = (i % 2) as f32;
        } else {
            row[(i * 7) % N::OUTPUT_LEN] = 1.0;
        }
    }
    (x, y)
}

/// A uniform value in [0, 1) from a 64-bit linear congruential generator.
fn uniform(state: &mut u64) -> f32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 40) as f32 / (1u64 << 24) as f32
}
