//! The time each layer's passes take, for finding what bounds a network's speed: with `cnn`'s
//! `profile` feature, the code `network!` generates calls [`start`] where a training stage or a
//! single-example forward pass begins and [`lap`] after each layer's statements, naming the
//! layer and the direction. Each lap adds the time since the last clock reading of its thread
//! to its label. [`take`] reads the totals and clears them.
//!
//! A lap reads the clock once (`Instant::now`) and takes a lock, so a profiled build is a little
//! slower than the default one; the benchmarks' figures come from the default build. The
//! `passes` benchmark (`benches/passes/`) prints the laps of the benchmarked steps. The training
//! step's own work (its inputs copied into lanes, the parts' gradients summed, the update, and
//! a thread's wait for its part) takes laps of its own there too.

use std::cell::Cell;
use std::sync::Mutex;
use std::time::Instant;

/// One label's total.
#[derive(Clone, Debug, PartialEq)]
pub struct Lap {
    /// The layer and the direction, as the generated code names them (`"conv1 forward"`).
    pub label: &'static str,
    /// The time the laps of this label took, in seconds.
    pub seconds: f64,
    /// How many laps were taken.
    pub count: u64,
}

/// The totals, in the order their labels were first seen.
static TOTALS: Mutex<Vec<Lap>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread's last clock reading.
    static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Starts this thread's laps: the next [`lap`] counts from now.
pub fn start() {
    LAST.with(|last| last.set(Some(Instant::now())));
}

/// Adds the time since this thread's last [`start`] or [`lap`] to `label`'s total.
pub fn lap(label: &'static str) {
    let now = Instant::now();
    let Some(from) = LAST.with(|last| last.replace(Some(now))) else {
        return;
    };
    let seconds = (now - from).as_secs_f64();
    let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    match totals.iter_mut().find(|t| t.label == label) {
        Some(t) => {
            t.seconds += seconds;
            t.count += 1;
        }
        None => totals.push(Lap {
            label,
            seconds,
            count: 1,
        }),
    }
}

/// [`start`] where this crate is built with its `profile` feature; nothing otherwise: the
/// training step's own laps, beside those of the generated code.
#[inline(always)]
pub(crate) fn step_start() {
    #[cfg(feature = "profile")]
    start();
}

/// [`lap`] where this crate is built with its `profile` feature; nothing otherwise.
#[inline(always)]
pub(crate) fn step_lap(label: &'static str) {
    #[cfg(feature = "profile")]
    lap(label);
    #[cfg(not(feature = "profile"))]
    let _ = label;
}

/// The totals since the last call, in the order their labels were first seen; clears them.
pub fn take() -> Vec<Lap> {
    std::mem::take(&mut *TOTALS.lock().unwrap_or_else(|e| e.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_add_up_per_label() {
        // Only this test uses the totals of this crate's test binary.
        take();
        lap("before any start");
        assert!(take().is_empty(), "a lap before start counts nothing");
        start();
        std::thread::sleep(std::time::Duration::from_millis(2));
        lap("a");
        lap("b");
        start();
        std::thread::sleep(std::time::Duration::from_millis(2));
        lap("a");
        let laps = take();
        assert_eq!(
            laps.iter().map(|l| (l.label, l.count)).collect::<Vec<_>>(),
            [("a", 2), ("b", 1)]
        );
        assert!(laps[0].seconds >= 0.004, "{laps:?}");
        assert!(take().is_empty());
    }
}
