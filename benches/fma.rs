//! One core's f32 FMA throughput, measured by asm loops (x86-64 with AVX2 and FMA): the peak
//! that `steps.rs` and `passes/` set their figures against.

#[cfg(target_arch = "x86_64")]
use std::time::Instant;

/// Runs of each peak loop. Short runs, many of them: the best is one that no other process
/// interrupted (a run as long as a scheduler's time slice rarely is, on a busy machine), and
/// the first ones give the core time to reach its clock.
#[cfg(target_arch = "x86_64")]
pub const PEAK_RUNS: usize = 40;

/// One core's f32 FMA throughput in GFLOP/s through `rounds`, which runs 12 independent FMAs of
/// `lanes` lanes per round (enough to cover two pipes of latency 4 or 5), best of
/// [`PEAK_RUNS`] runs of about 2 ms (4 with 128-bit FMAs) at this machine's peak.
#[cfg(target_arch = "x86_64")]
pub fn measured_fma_gflops(rounds: impl Fn(u64), lanes: u64) -> f64 {
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
pub unsafe fn fma_rounds_128(rounds: u64) {
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
pub unsafe fn fma_rounds_256(rounds: u64) {
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
