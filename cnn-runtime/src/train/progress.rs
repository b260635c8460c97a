//! What the Trainer shows on standard error: on a terminal a bar per epoch with the running
//! loss, accuracy, throughput and time left, then one line per epoch; elsewhere the lines only.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::EpochStats;
use super::checkpoint::Partial;

pub(crate) struct Progress {
    quiet: bool,
    terminal: bool,
    epochs: usize,
    examples: usize,
}

impl Progress {
    pub fn new(quiet: bool, epochs: usize, examples: usize) -> Self {
        Progress {
            quiet,
            terminal: std::io::stderr().is_terminal(),
            epochs,
            examples,
        }
    }

    /// The bar of `epoch`, `done` examples into it; hidden off a terminal.
    pub fn bar(&self, epoch: usize, done: usize) -> ProgressBar {
        if self.quiet || !self.terminal {
            return ProgressBar::hidden();
        }
        let bar =
            ProgressBar::with_draw_target(Some(self.examples as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("epoch {prefix} [{bar:25}] {pos}/{len} {msg}, {eta} left")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(format!(
            "{epoch:>w$}/{}",
            self.epochs,
            w = digits(self.epochs)
        ));
        bar.set_position(done as u64);
        bar
    }

    /// The running figures of the epoch so far.
    pub fn update(&self, bar: &ProgressBar, partial: &Partial, seconds: f64) {
        if bar.is_hidden() {
            return;
        }
        let n = partial.examples.max(1) as f64;
        bar.set_position(partial.examples as u64);
        bar.set_message(format!(
            "loss {:.4}, accuracy {:.2}%, {} examples/s",
            partial.loss_sum / n,
            100.0 * partial.correct as f64 / n,
            thousands(partial.examples as f64 / seconds.max(1e-9))
        ));
    }

    /// One line for a finished epoch.
    pub fn line(&self, e: &EpochStats) {
        if self.quiet {
            return;
        }
        let mut line = format!(
            "epoch {:>w$}/{}: loss {:.4}, accuracy {:.2}%",
            e.epoch,
            self.epochs,
            e.train_loss,
            100.0 * e.train_accuracy,
            w = digits(self.epochs)
        );
        if let (Some(l), Some(a)) = (e.valid_loss, e.valid_accuracy) {
            line += &format!(", valid loss {l:.4}, valid accuracy {:.2}%", 100.0 * a);
        }
        line += &format!(
            ", lr {}, {:.3} s, {} examples/s",
            rate(e.lr),
            e.seconds,
            thousands(e.examples_per_second)
        );
        eprintln!("{line}");
    }
}

/// A learning rate in four decimals, or in scientific notation below 0.001.
fn rate(lr: f64) -> String {
    if lr >= 1e-3 || lr == 0.0 {
        format!("{lr:.4}")
    } else {
        format!("{lr:.2e}")
    }
}

fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

/// `12345.6` as `12,346`.
fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(1234567.4), "1,234,567");
        assert_eq!(super::thousands(999.0), "999");
        assert_eq!(super::digits(40), 2);
        assert_eq!(
            (super::rate(0.05), super::rate(1e-4)),
            ("0.0500".into(), "1.00e-4".into())
        );
    }
}
