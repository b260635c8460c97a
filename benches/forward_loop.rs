//! The single-example `forward` of the five workloads in a plain loop: for each, the least
//! time per call over 500 sets of 50 calls. A minimum moves less than a median on this
//! shared machine, so two builds can be compared by running their binaries in turn.
//!
//! ```text
//! cargo bench --bench forward_loop
//! ```

mod workloads;

use std::hint::black_box;
use std::time::Instant;

use cnn::Tensor;
use cnn::prelude::*;
use workloads::{W1, W2, W3, W4, W5};

/// The least µs per call of `net.forward` over 500 sets of 50 calls, on a fixed input.
fn least<N: Network<Scalar = f32>>(net: &N) -> f64 {
    let mut x = N::Input::zeroed();
    for (k, v) in x.as_flat_mut().iter_mut().enumerate() {
        *v = ((k * 37) % 101) as f32 / 101.0;
    }
    let mut best = f64::INFINITY;
    for _ in 0..500 {
        let t = Instant::now();
        for _ in 0..50 {
            black_box(net.forward(black_box(&x)));
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / 50.0);
    }
    best
}

fn main() {
    let figures = [
        ("W1", least(&W1::new(1))),
        ("W2", least(&W2::new(1))),
        ("W3", least(&W3::new(1))),
        ("W4", least(&W4::new(1))),
        ("W5", least(&W5::new(1))),
    ];
    for (name, us) in figures {
        println!("{name}-forward: {us:.3} µs (least of 500 sets of 50 calls)");
    }
}
