//! One core's f32 FMA peak and its clock, measured by asm loops (x86-64 with AVX2 and FMA):
//! the roofline the figures are set against.

#[cfg(target_arch = "x86_64")]
use std::time::Instant;

#[cfg(target_arch = "x86_64")]
use crate::conditions::Conditions;
#[cfg(target_arch = "x86_64")]
use crate::fma::{PEAK_RUNS, fma_rounds_128, fma_rounds_256, measured_fma_gflops};
use crate::{Figure, Pools, THREADS};

/// What the measurement of the peak gives.
#[derive(Clone, Copy, Debug)]
pub struct Peak {
    /// The clock, from a chain of dependent adds.
    pub ghz: f64,
    /// One core's f32 FMA throughput with 256-bit and with 128-bit instructions.
    pub gflops: f64,
    pub gflops_128: f64,
    /// The sum over [`THREADS`] threads started together on the 256-bit loop, each thread's
    /// best run (on a busy machine their best runs need not overlap).
    pub gflops_all: f64,
    /// The load average after it, and the CPU other processes used meanwhile.
    pub conditions: Figure,
}

/// The clock and the FMA peak, measured now; `None` without x86-64 AVX2 and FMA.
pub fn measure_peak(pools: &Pools) -> Option<Peak> {
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

pub fn print_peak(when: &str, peak: Option<&Peak>) {
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
