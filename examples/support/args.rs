//! The command-line options of the examples: `--name value` pairs, nothing else; and the
//! options every example that trains on real data takes.

#![allow(dead_code)] // each example uses part of it

use std::error::Error;
use std::path::PathBuf;

use cnn::{Error as CnnError, History, Trainer};

/// The options given after `--`, as `(name, value)` pairs; each name must be in `known`.
/// `usage` is the line an unknown or incomplete option is answered with.
pub fn options(known: &[&str], usage: &str) -> Result<Vec<(String, String)>, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut options = Vec::new();
    while let Some(name) = args.next() {
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown argument `{name}`; usage: {usage}").into());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{name} needs a value; usage: {usage}"))?;
        options.push((name, value));
    }
    Ok(options)
}

/// `--epochs N`, `--checkpoint DIR` and `--resume DIR`, and the other options.
pub struct Training {
    pub epochs: usize,
    pub checkpoint: Option<PathBuf>,
    pub resume: Option<PathBuf>,
    /// The options besides these three, as given.
    pub other: Vec<(String, String)>,
}

impl Training {
    /// Reads the three options and those of `known`, with `epochs` by default.
    pub fn parse(known: &[&str], usage: &str, epochs: usize) -> Result<Self, Box<dyn Error>> {
        let mut all = vec!["--epochs", "--checkpoint", "--resume"];
        all.extend_from_slice(known);
        let mut training = Training {
            epochs,
            checkpoint: None,
            resume: None,
            other: Vec::new(),
        };
        for (name, value) in options(&all, usage)? {
            match name.as_str() {
                "--epochs" => training.epochs = value.parse()?,
                "--checkpoint" => training.checkpoint = Some(value.into()),
                "--resume" => training.resume = Some(value.into()),
                _ => training.other.push((name, value)),
            }
        }
        if training.epochs == 0 {
            return Err("--epochs must be at least 1".into());
        }
        Ok(training)
    }

    /// The trainer, checkpointing into `--checkpoint` (or else the `--resume` folder) and
    /// resuming from `--resume`; Ctrl-C stops it with a checkpoint.
    pub fn apply<'a>(&self, trainer: Trainer<'a>) -> Trainer<'a> {
        let mut trainer = trainer.epochs(self.epochs).stop_on_ctrl_c();
        if let Some(dir) = self.checkpoint.as_ref().or(self.resume.as_ref()) {
            trainer = trainer.checkpoint_dir(dir);
        }
        if let Some(dir) = &self.resume {
            trainer = trainer.resume_from(dir);
        }
        trainer
    }
}

/// The history of a finished run; on Ctrl-C, the message saying where the checkpoint is, and
/// the exit status a shell gives a process stopped by SIGINT.
pub fn finished(fit: Result<History, CnnError>) -> Result<History, CnnError> {
    if let Err(e @ CnnError::Interrupted { .. }) = &fit {
        eprintln!("{e}");
        std::process::exit(130);
    }
    fit
}
