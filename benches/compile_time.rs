//! How long the code `network!` generates takes to compile, which its budgets
//! (`cnn-macros/src/budget.rs`) keep bounded: the release build of a user's crate per network,
//! timed, and with a nightly toolchain at hand the macro's own expansion time and the lines it
//! generates. A bench target without a harness, so it runs with the bench profile (release).
//!
//! ```text
//! cargo bench --bench compile_time                # the `default` group, best of 2
//! cargo bench --bench compile_time -- --nightly   # and `-Z time-passes`, `-Z macro-stats`
//! cargo bench --bench compile_time -- --runs 1 kernels layers   # the series
//! cargo bench --bench compile_time -- --runs 3 w3 worst         # chosen cases
//! ```
//!
//! Groups: `default` (the seed network, W3 = LeNet-5, LeNet-5 with ten times the channels, and
//! the slowest single layers the per-filter budget allows), `kernels` (one layer, growing
//! kernels), `layers` (many conv layers), `limits` (at the network-wide budgets of
//! `cnn-macros/src/budget.rs`). On 2 cores `default` takes about 3 minutes (the first
//! time, one more to build the dependencies), `kernels` about 2.5 minutes a run and `layers`
//! about 8. A case over one of the macro's budgets is reported as `refused`, with the macro's
//! message, and the others go on.
//!
//! Each case is a crate in `<target dir>/compile-time/` that depends on `cnn` by path (with
//! this workspace's `Cargo.lock`), defines one network with `network!` and calls `forward` and
//! `train_step` (`HalfSquaredError`, `Sgd` with momentum), so that the generic code is compiled
//! for `f32` there, as in a user's crate. The dependencies are built once, with a trivial
//! network, before anything is timed: a timed build compiles the case's crate only, with the
//! release profile's defaults (so the proc macro runs as cargo builds build dependencies by
//! default, at `opt-level = 0`). A figure is the wall time of `cargo build --release --offline`,
//! the best of `--runs`; it includes cargo's own start-up, printed below the table as the time
//! of a build with nothing to do.
//!
//! The cargo that runs this bench builds the cases (`$CARGO`, in the same environment, so
//! with the same rustup toolchain). With `--nightly`, each case is also built once by the
//! `nightly` toolchain with `-Z time-passes -Z macro-stats`: `expand_crate` is the time of all
//! macro expansion in the crate (all but a few milliseconds of it `network!`: a `println!` is
//! the only other macro), `lines` what `network!` expands to, as rustc prints it.

use std::error::Error;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use std::{env, fs};

use cnn_benches::root;

/// One network to compile.
#[derive(Clone)]
struct Case {
    name: String,
    /// `default`, `kernels` (how the time grows with one layer's kernel), `layers` (with
    /// the number of conv layers) or `limits` (at every network-wide budget at once).
    group: &'static str,
    /// The chain of layers, as inside `pub struct Net { ... }`.
    layers: String,
    /// The chain as the table shows it: `n x (...)` for a repeated part.
    shown: String,
    /// The taps of all conv filters, `sum Kh * Kw` over the conv layers: each is one unrolled
    /// statement per chunk body in each of the layer's three functions.
    taps: usize,
    /// Also compile the `f64` network (as a crate with gradient checks does), not only `f32`.
    f64: bool,
}

const GROUPS: &[&str] = &["default", "kernels", "layers", "limits"];

/// A layer chain with one conv layer of `F` filters of `C x K x K` whose output rows are 20
/// wide (two 8-lane chunks and a tail of 4), and whose `dL/dX` rows are `19 + K` wide.
fn one_conv(k: usize, c: usize, f: usize) -> String {
    let side = 19 + k;
    format!("input({c}, {side}x{side}) -> conv({f}, {k}x{k}) -> relu -> dense(10)")
}

/// `n` times `layer -> relu`, between `input` and a final `dense(10)`, as a case.
fn chain(name: &str, input: &str, layer: &str, n: usize, taps: usize) -> Case {
    let body = vec![format!("{layer} -> relu"); n].join(" -> ");
    Case {
        name: name.to_owned(),
        group: "layers",
        layers: format!("{input} -> {body} -> dense(10)"),
        shown: format!("{input} -> {n} x ({layer} -> relu) -> dense(10)"),
        taps: n * taps,
        f64: false,
    }
}

fn cases() -> Vec<Case> {
    let case = |name: &str, group, layers: &str, taps| Case {
        name: name.to_owned(),
        group,
        layers: layers.to_owned(),
        shown: layers.to_owned(),
        taps,
        f64: false,
    };
    let mut all = vec![
        case(
            "seed",
            "default",
            "input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid",
            9,
        ),
        case(
            "w3",
            "default",
            "input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu \
             -> maxpool(2x2) -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)",
            50,
        ),
        case(
            "lenet10x",
            "default",
            "input(28x28) -> conv(60, 5x5) -> relu -> maxpool(2x2) -> conv(160, 5x5) -> relu \
             -> maxpool(2x2) -> dense(2560->120) -> relu -> dense(120->84) -> relu -> dense(84->10)",
            50,
        ),
        // The largest square kernel the per-filter budget allows (`MAX_KERNEL_TAPS` = 225),
        // with several channels, and rows that are not a whole number of chunks, so that every
        // function has a tail chunk: two copies of the 225 taps in each of three functions.
        case("worst", "default", &one_conv(15, 4, 8), 225),
    ];
    for k in [5, 7, 9, 11, 13] {
        all.push(case(&format!("k{k}"), "kernels", &one_conv(k, 4, 8), k * k));
    }
    all.extend([
        // The same 225 taps as one row: one partial sum of 225 terms, 225 accumulators. The
        // slowest shape of 225 taps measured.
        case(
            "worst-1x225",
            "default",
            "input(4, 1x244) -> conv(8, 1x225) -> relu -> dense(10)",
            225,
        ),
        // As one column: 225 partial sums of one term.
        case(
            "worst-225x1",
            "kernels",
            "input(4, 244x1) -> conv(8, 225x1) -> relu -> dense(10)",
            225,
        ),
        // One channel and one filter: loops of one trip, which the compiler removes.
        case("worst-1ch", "kernels", &one_conv(15, 1, 1), 225),
        Case {
            f64: true,
            ..case("worst-f64", "kernels", &one_conv(15, 4, 8), 225)
        },
        // What the network-wide budget (`MAX_NETWORK_TAPS` = 450) allows at most: two of the
        // largest kernels.
        case(
            "worst-x2",
            "layers",
            "input(4, 48x48) -> conv(8, 15x15) -> relu -> conv(8, 15x15) -> relu -> dense(10)",
            450,
        ),
        case(
            "1x225-x2",
            "layers",
            "input(4, 1x468) -> conv(8, 1x225) -> relu -> conv(8, 1x225) -> relu -> dense(10)",
            450,
        ),
    ]);
    // Many small layers: the time grows with the number of conv layers, faster than linearly.
    for n in [25, 50] {
        let name = format!("3x3-x{n}");
        all.push(chain(&name, "input(16x16)", "conv(3x3, pad = 1)", n, 9));
    }
    for n in [100, 200, 256] {
        all.push(chain(&format!("1x1-x{n}"), "input(8x8)", "conv(1x1)", n, 1));
    }
    let layer = "conv(4, 1x7, pad = same)";
    all.push(chain("4ch-1x7-x64", "input(4, 12x12)", layer, 64, 7));
    // At every network-wide limit at once (256 taps, 64 layers): the slowest 225-tap kernel,
    // then 31 more conv layers of 1 tap; or 32 conv layers of 7 taps.
    let big = "input(4, 1x244) -> conv(8, 1x225) -> relu";
    let small = vec!["conv(8, 1x1) -> relu"; 31].join(" -> ");
    let limits = Case {
        name: "limits-1x225".to_owned(),
        group: "limits",
        layers: format!("{big} -> {small}"),
        shown: format!("{big} -> 31 x (conv(8, 1x1) -> relu)"),
        taps: 256,
        f64: false,
    };
    all.push(limits.clone());
    all.push(Case {
        name: "limits-1x225-f64".to_owned(),
        f64: true,
        ..limits
    });
    let small = vec!["conv(4, 1x7, pad = same) -> relu"; 32].join(" -> ");
    all.push(Case {
        name: "limits-1x7".to_owned(),
        group: "limits",
        layers: format!("input(4, 12x12) -> {small}"),
        shown: "input(4, 12x12) -> 32 x (conv(4, 1x7, pad = same) -> relu)".to_owned(),
        taps: 224,
        f64: false,
    });
    all
}

/// The case's `src/main.rs`.
fn main_rs(case: &Case) -> String {
    let f64_step = if case.f64 {
        "    let loss = loss + step::<f64>()? as f32;\n"
    } else {
        ""
    };
    format!(
        r#"//! Written by `cargo bench --bench compile_time` of `cnn`: case `{name}`.

use std::hint::black_box;

use cnn::ndarray::{{Array2, Array4}};
use cnn::prelude::*;

network! {{
    pub struct Net {{ {layers} }}
}}

const INPUT_LEN: usize = Net::INPUT_LEN;
const OUTPUT_LEN: usize = Net::OUTPUT_LEN;

/// A forward pass and a training step of the network for the scalar type `T`; `black_box`:
/// nothing is known at compile time.
fn step<T: cnn::Float>() -> Result<T, Error> {{
    let mut net = <Net<T> as Network>::new(black_box(1));
    let half = T::from_f64(black_box(0.5));
    let y = net.forward(black_box(&[half; INPUT_LEN]));
    let [c, h, w] = Net::INPUT_SHAPE;
    let x = Array4::from_elem((2, c, h, w), half);
    let t = Array2::from_elem((2, OUTPUT_LEN), y[0]);
    let mut sgd = Sgd::new(0.01).momentum(0.9);
    net.train_step(x.view(), t.view(), &HalfSquaredError, &mut sgd)
}}

// Built to be timed, not run.
fn main() -> Result<(), Error> {{
    let loss = step::<f32>()?;
{f64_step}    println!("{{loss}}");
    Ok(())
}}
"#,
        name = case.name,
        layers = case.layers
    )
}

/// A network that compiles in no time, to build the dependencies with.
fn warm_up_case() -> Case {
    Case {
        name: "warm-up".to_owned(),
        layers: "input(2x2) -> dense(1)".to_owned(),
        shown: String::new(),
        group: "default",
        taps: 0,
        f64: false,
    }
}

const PACKAGE: &str = "compile-time-case";

/// The crate the cases are written into, and how to run cargo on it.
struct Probe {
    dir: PathBuf,
    target: PathBuf,
    cargo: OsString,
    /// Environment changes for cargo: `(name, Some(value))` sets, `(name, None)` removes.
    env: Vec<(&'static str, Option<&'static str>)>,
}

impl Probe {
    fn new(dir: PathBuf, cargo: OsString) -> Result<Probe, Box<dyn Error>> {
        let manifest = root();
        fs::create_dir_all(dir.join("src"))?;
        let toml = format!(
            "[package]\nname = \"{PACKAGE}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ncnn = {{ path = {manifest:?} }}\n\n\
             # Not part of any enclosing workspace.\n[workspace]\n"
        );
        fs::write(dir.join("Cargo.toml"), toml)?;
        // The workspace's lock file: the same dependency versions, resolvable offline.
        let lock = manifest.join("Cargo.lock");
        if lock.exists() && !dir.join("Cargo.lock").exists() {
            fs::copy(&lock, dir.join("Cargo.lock"))?;
        }
        Ok(Probe {
            target: dir.join("target"),
            dir,
            cargo,
            env: Vec::new(),
        })
    }

    /// Runs `cargo <args>` in the crate; its stderr, and the wall time.
    fn cargo(&self, args: &[&str]) -> Result<(String, Duration), Box<dyn Error>> {
        // `cargo <subcommand> --target-dir <dir> <rest>`: before any `--` for rustc.
        let (sub, rest) = args.split_first().ok_or("no cargo subcommand")?;
        let mut cmd = Command::new(&self.cargo);
        cmd.arg(sub)
            .arg("--target-dir")
            .arg(&self.target)
            .args(rest)
            .current_dir(&self.dir);
        for (name, value) in &self.env {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        let start = Instant::now();
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", Path::new(&self.cargo).display()))?;
        let elapsed = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            return Err(format!(
                "`cargo {}` in {} failed ({}):\n{stderr}",
                args.join(" "),
                self.dir.display(),
                out.status
            )
            .into());
        }
        Ok((stderr, elapsed))
    }

    /// Writes the case and runs cargo on it; checks that the case's crate was compiled. When
    /// other crates were compiled too (the sources of `cnn` changed since the last build), the
    /// time is not the case's alone: the build is repeated.
    fn compile(&self, case: &Case, args: &[&str]) -> Result<(String, Duration), Box<dyn Error>> {
        for _ in 0..2 {
            // A new write is a new modification time, so cargo rebuilds even the same text.
            fs::write(self.dir.join("src/main.rs"), main_rs(case))?;
            let (stderr, elapsed) = self.cargo(args)?;
            let compiled: Vec<&str> = stderr
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
                .collect();
            if !compiled.iter().any(|c| c.starts_with(PACKAGE)) {
                return Err(format!(
                    "`cargo {}` did not compile case `{}`:\n{stderr}",
                    args.join(" "),
                    case.name
                )
                .into());
            }
            if compiled.len() == 1 {
                return Ok((stderr, elapsed));
            }
            println!(
                "  `{}`: {} other crate(s) rebuilt first (did `cnn` change?): building again",
                case.name,
                compiled.len() - 1
            );
        }
        Err(format!(
            "the dependencies of case `{}` were rebuilt twice in a row: are `cnn`'s sources being edited?",
            case.name
        )
        .into())
    }
}

const BUILD: &[&str] = &["build", "--release", "--offline"];
const TIME_PASSES: &[&str] = &[
    "rustc",
    "--release",
    "--offline",
    "--",
    "-Z",
    "time-passes",
    "-Z",
    "macro-stats",
];

/// What the nightly build of a case reports.
struct Passes {
    expand: f64,
    total: f64,
    lines: Option<u64>,
}

/// `time:   0.071; rss: ... expand_crate` (a tab before the pass's name) and
/// `macro-stats network!  1  1_314  ...` (uses, then lines).
fn parse_passes(stderr: &str) -> Option<Passes> {
    let pass = |name: &str| {
        stderr.lines().find_map(|l| {
            let rest = l.strip_prefix("time:")?;
            (l.split_whitespace().last()? == name)
                .then(|| rest.split(';').next()?.trim().parse::<f64>().ok())?
        })
    };
    let lines = stderr.lines().find_map(|l| {
        let mut words = l.strip_prefix("macro-stats")?.split_whitespace();
        (words.next()? == "network!").then_some(())?;
        words.nth(1)?.replace('_', "").parse().ok()
    });
    Some(Passes {
        expand: pass("expand_crate")?,
        total: pass("total")?,
        lines,
    })
}

/// The target directory this bench was built in: the executable is
/// `<target>/<profile>/deps/compile_time-<hash>` (or `<target>/<triple>/<profile>/...`); cargo
/// writes `CACHEDIR.TAG` at the top only when it creates the directory itself.
fn target_dir() -> PathBuf {
    let exe = env::current_exe().ok();
    let deps = exe.as_deref().and_then(Path::parent);
    let profile = deps
        .filter(|d| {
            d.file_name()
                .is_some_and(|n| n == "deps" || n == "examples")
        })
        .and_then(Path::parent);
    profile
        .and_then(|p| {
            p.ancestors()
                .find(|d| d.join("CACHEDIR.TAG").is_file())
                .or_else(|| p.parent())
        })
        .map_or_else(|| root().join("target"), Path::to_path_buf)
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".to_owned())
}

/// `rustc -V` as cargo would run it in `dir`.
fn rustc_version(dir: &Path, toolchain: Option<&str>) -> String {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = Command::new(rustc);
    cmd.arg("-V").current_dir(dir);
    if let Some(t) = toolchain {
        cmd.env("RUSTUP_TOOLCHAIN", t).env_remove("RUSTC");
    }
    cmd.output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        )
}

/// The commit of `cnn` the figures are for, and whether its working tree differs from it.
fn git_state() -> String {
    Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "not a git checkout".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        )
}

struct Options {
    runs: usize,
    all: bool,
    nightly: bool,
    names: Vec<String>,
}

fn options() -> Result<Options, Box<dyn Error>> {
    let usage = "usage: compile_time [--runs N] [--all] [--nightly] [CASE or GROUP ...]";
    let mut o = Options {
        runs: 2,
        all: false,
        nightly: false,
        names: Vec::new(),
    };
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                o.runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or(format!("--runs needs a count of at least 1; {usage}"))?;
            }
            "--all" => o.all = true,
            // What `cargo bench` passes to every bench target.
            "--bench" => {}
            "--nightly" => o.nightly = true,
            "-h" | "--help" => return Err(usage.into()),
            _ if arg.starts_with('-') => {
                return Err(format!("unknown option {arg}; {usage}").into());
            }
            _ => o.names.push(arg),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    // Not `main() -> Result`: that prints the error with `Debug`, cargo's stderr as one
    // escaped line.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let opts = options()?;
    let known = cases();
    for name in &opts.names {
        if !known.iter().any(|c| c.name == *name) && !GROUPS.contains(&name.as_str()) {
            let names: Vec<_> = known.iter().map(|c| c.name.as_str()).collect();
            return Err(format!(
                "unknown case `{name}` (groups: {}; cases: {})",
                GROUPS.join(", "),
                names.join(", ")
            )
            .into());
        }
    }
    let cases: Vec<Case> = known
        .into_iter()
        .filter(|c| {
            opts.all
                || opts.names.iter().any(|n| *n == c.name || n == c.group)
                || (opts.names.is_empty() && c.group == "default")
        })
        .collect();

    let root = target_dir().join("compile-time");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let stable = Probe::new(root.join("case"), cargo)?;
    let load_before = loadavg();
    println!(
        "{} case(s), best of {} release build(s) each, in {}",
        cases.len(),
        opts.runs,
        stable.dir.display()
    );
    println!("cnn: {}", git_state());
    println!(
        "compiler: {}; {} cores; load average {load_before}",
        rustc_version(&stable.dir, None),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    println!("building the dependencies once (a trivial network) ...");
    let (_, deps) = stable.compile(&warm_up_case(), BUILD)?;
    println!("  {:.1} s", deps.as_secs_f64());
    let (_, noop) = stable.cargo(BUILD)?;

    // The width of the name column.
    let nw = cases.iter().map(|c| c.name.len()).max().unwrap_or(0).max(4);

    // Runs interleave the cases, so that a change of load spreads over all of them. A case
    // that fails, or that the macro refuses as over a budget, is reported and left out of the
    // later runs; the others go on.
    let mut times = vec![Vec::new(); cases.len()];
    let mut failed = vec![None; cases.len()];
    for run in 1..=opts.runs {
        for ((case, times), failed) in cases.iter().zip(&mut times).zip(&mut failed) {
            if failed.is_some() {
                continue;
            }
            match stable.compile(case, BUILD) {
                Ok((_, t)) => {
                    println!("  run {run}: {:<nw$} {:6.2} s", case.name, t.as_secs_f64());
                    times.push(t.as_secs_f64());
                }
                Err(e) => {
                    let e = e.to_string();
                    // `error: ... over the budget of ...`, the macro's message.
                    match e.lines().find(|l| l.contains("over the budget")) {
                        Some(budget) => {
                            println!("  run {run}: {:<nw$} refused: {budget}", case.name);
                            *failed = Some("refused");
                        }
                        None => {
                            println!("  run {run}: {:<nw$} failed: {e}", case.name);
                            *failed = Some("failed");
                        }
                    }
                }
            }
        }
    }

    let mut passes: Vec<Option<Passes>> = cases.iter().map(|_| None).collect();
    if opts.nightly {
        let mut nightly = Probe::new(root.join("case-nightly"), "cargo".into())?;
        // The rustup proxy `cargo`, told to use the nightly toolchain for cargo and rustc.
        nightly.env = vec![("RUSTUP_TOOLCHAIN", Some("nightly")), ("RUSTC", None)];
        println!(
            "nightly: {}; building the dependencies once ...",
            rustc_version(&nightly.dir, Some("nightly"))
        );
        match nightly.compile(&warm_up_case(), BUILD) {
            Err(e) => println!("  no nightly build, so no expansion times: {e}"),
            Ok(_) => {
                for ((case, p), failed) in cases.iter().zip(&mut passes).zip(&failed) {
                    if failed.is_some() {
                        continue;
                    }
                    let stderr = match nightly.compile(case, TIME_PASSES) {
                        Ok((stderr, _)) => stderr,
                        Err(e) => {
                            println!("  `{}` failed with nightly: {e}", case.name);
                            continue;
                        }
                    };
                    *p = parse_passes(&stderr);
                    if p.is_none() {
                        println!(
                            "  `{}`: no `expand_crate` in the output:\n{stderr}",
                            case.name
                        );
                    }
                }
            }
        }
    }
    let load_after = loadavg();

    println!();
    println!(
        "{:<nw$} {:>5} {:>7} {:>10} {:>11} {:>9}  all runs (s)",
        "case", "taps", "lines", "expand (s)", "nightly (s)", "build (s)"
    );
    for (((case, times), p), failed) in cases.iter().zip(&times).zip(&passes).zip(&failed) {
        let best = match times.iter().copied().reduce(f64::min) {
            Some(t) => format!("{t:.1}"),
            None => failed.unwrap_or("-").to_owned(),
        };
        let (lines, expand, total) = match p {
            Some(p) => (
                p.lines.map_or("?".to_owned(), |l| l.to_string()),
                format!("{:.3}", p.expand),
                format!("{:.1}", p.total),
            ),
            None => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        let runs: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
        println!(
            "{:<nw$} {:>5} {lines:>7} {expand:>10} {total:>11} {best:>9}  {}",
            case.name,
            case.taps,
            runs.join(" ")
        );
    }
    println!();
    for case in &cases {
        println!("{:<nw$} {}", case.name, case.shown);
    }
    println!();
    println!("taps:        sum of Kh x Kw over the conv layers");
    println!("lines:       what `network!` expands to (nightly `-Z macro-stats`)");
    println!(
        "expand:      rustc's `expand_crate` (nightly `-Z time-passes`), all macros of the crate"
    );
    println!("nightly:     rustc's `total` for the crate (nightly `-Z time-passes`), one build");
    println!(
        "build:       wall time of `cargo build --release --offline` of the case's crate, best of {}; \
         cargo with nothing to build takes {:.2} s",
        opts.runs,
        noop.as_secs_f64()
    );
    println!("refused:     over a budget of `cnn-macros/src/check.rs` (its message is above)");
    println!("load average (1, 5, 15 min): {load_before} before, {load_after} after");
    let failures = failed.iter().filter(|f| **f == Some("failed")).count();
    if failures > 0 {
        return Err(format!("{failures} case(s) failed: see above").into());
    }
    Ok(())
}
