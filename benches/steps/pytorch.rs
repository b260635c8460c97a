//! PyTorch's figures: `benches/pytorch/steps.py` run as a child process, and its one-line JSON
//! read back.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::Figure;
use crate::conditions::Conditions;

/// PyTorch eager through `benches/pytorch/steps.py`.
pub struct Torch {
    python: OsString,
    script: PathBuf,
    pub seconds: f64,
    pub version: String,
}

impl Torch {
    /// PyTorch, if the interpreter runs the script and its networks have our parameter counts
    /// (`networks`: name, count); else `None`, after a one-line note.
    ///
    /// # Panics
    /// When a PyTorch network's parameter count differs from ours.
    pub fn detect(networks: &[(&str, usize)]) -> Option<Torch> {
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
        let script = crate::root().join("benches/pytorch/steps.py");
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
            .current_dir(crate::root())
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
    pub fn measure(&self, workload: &str, threads: usize) -> Figure {
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
pub fn json_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let rest = line[line.find(&pattern)? + pattern.len()..].trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        return Some(&s[..s.find('"')?]);
    }
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}
