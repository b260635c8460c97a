//! The tables printed after criterion's report, ready for BENCHMARKS.md: the medians read back
//! from criterion's `estimates.json`, against the roofline, PyTorch and im2col; the conditions
//! of each figure; the parts of a step.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::measure::Parts;
use crate::peak::Peak;
use crate::pytorch::json_field;
use crate::{Ctx, Figure, Row, THREADS};

/// Where criterion writes its results: as criterion itself chooses, made explicit so that the
/// tables read the same place.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::root().join("target"), PathBuf::from);
    target.join("criterion")
}

/// Criterion's median, in µs, of `group/id` if it was measured since `since`.
pub fn median_us(dir: &Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json = std::fs::read_to_string(&path).ok()?;
    // {"mean":{...},"median":{"confidence_interval":{...},"point_estimate":12345.6,...},...}
    let median = &json[json.find("\"median\"")?..];
    json_field(median, "point_estimate")?
        .parse::<f64>()
        .ok()
        .map(|ns| ns / 1000.0)
}

/// A time in µs with about four significant digits, or `-`.
fn us(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v >= 1000.0 => format!("{v:.0}"),
        Some(v) if v >= 100.0 => format!("{v:.1}"),
        Some(v) if v >= 1.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.3}"),
    }
}

/// A ratio, or `-`.
fn ratio(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// The tables for BENCHMARKS.md: medians against the measured peak, PyTorch and im2col; the
/// conditions of each figure; the parts of a step.
pub fn print_tables(rows: &[Row], parts: &[Parts], peaks: [Option<Peak>; 2], ctx: &Ctx) {
    println!();
    // Only what this run measured (a filter, `--test` or `--list` leave rows out).
    let rows: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            [r.ours_1, r.ours_2, r.torch_1, r.torch_2, r.im2col_1]
                .iter()
                .any(|f| f.us.is_some())
        })
        .collect();
    if rows.is_empty() {
        println!("No figures in this run (a filter, --test or --list): no tables.");
        return;
    }
    let torch = ctx.torch.as_ref().map_or_else(
        || "PyTorch not measured".to_string(),
        |t| format!("PyTorch {} eager, {} s per figure", t.version, t.seconds),
    );
    let peak = peaks.iter().flatten().map(|p| p.gflops).reduce(f64::max);
    let at = |p: &Option<Peak>| {
        p.as_ref().map_or_else(
            || "-".to_string(),
            |p| {
                format!(
                    "{:.1} GFLOP/s = {:.1} FLOP/cycle at {:.2} GHz ({})",
                    p.gflops,
                    p.gflops / p.ghz,
                    p.ghz,
                    p.conditions.describe()
                )
            },
        )
    };
    match peak {
        Some(gflops) => println!(
            "Medians in µs. Roofline = 2 * MACs / {gflops:.1} GFLOP/s: one core's f32 FMA peak, \
             measured in this run at the start, {}, and at the end, {}; the higher of the two. \
             {torch}.",
            at(&peaks[0]),
            at(&peaks[1]),
        ),
        None => {
            println!("Medians in µs. No FMA peak measured here (no x86-64 AVX2 + FMA). {torch}.")
        }
    }
    println!();
    println!(
        "| workload | ours, 1 thread | ours, {THREADS} threads | {THREADS}-thread speed-up | \
         roofline at measured peak | ours / roofline | PyTorch eager, 1 thread | \
         PyTorch eager, {THREADS} threads | PyTorch / ours (1 thread) | im2col, 1 thread |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        let roofline = peak.map(|gflops| 2.0 * row.macs as f64 / gflops / 1e3);
        let one = row.ours_1.us;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            us(one),
            us(row.ours_2.us),
            ratio(one.zip(row.ours_2.us).map(|(a, b)| a / b)),
            us(roofline),
            ratio(one.zip(roofline).map(|(g, r)| g / r)),
            us(row.torch_1.us),
            us(row.torch_2.us),
            ratio(row.torch_1.us.zip(one).map(|(t, g)| t / g)),
            us(row.im2col_1.us),
        );
    }
    println!();
    println!(
        "Conditions of each figure: the 1-minute load average when it was taken (this bench \
         counts in it), and the CPU other processes used meanwhile, in cores (from /proc/stat)."
    );
    println!();
    println!(
        "| workload | ours, 1 thread | ours, {THREADS} threads | PyTorch, 1 thread | \
         PyTorch, {THREADS} threads | im2col, 1 thread |"
    );
    println!("|---|---|---|---|---|---|");
    let cond = |f: &Figure| match (f.us, f.load, f.others) {
        (None, ..) => "-".to_string(),
        (Some(_), load, others) => format!(
            "load {}, others {}",
            load.map_or_else(|| "?".to_string(), |l| format!("{l:.2}")),
            others.map_or_else(|| "?".to_string(), |o| format!("{o:.2}")),
        ),
    };
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            row.name,
            cond(&row.ours_1),
            cond(&row.ours_2),
            cond(&row.torch_1),
            cond(&row.torch_2),
            cond(&row.im2col_1),
        );
    }
    let parts: Vec<&Parts> = parts
        .iter()
        .filter(|(_, ps)| ps.iter().any(|(_, f)| f.us.is_some()))
        .collect();
    if parts.is_empty() {
        return;
    }
    println!();
    println!("Parts of a step, ours on 1 thread, medians in µs:");
    println!();
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    println!("| part | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    let labels = [
        (
            "loss_and_grad",
            "`loss_and_grad` (the batch pass, no update)",
        ),
        ("sgd-update", "the SGD update"),
        (
            "sigmoid",
            "the first layer's sigmoids over the batch, alone (`act::apply` on packs of 8 examples)",
        ),
    ];
    let part = |ps: &[(&str, Figure)], id: &str| {
        ps.iter()
            .find(|(p, _)| *p == id)
            .map_or_else(Figure::default, |&(_, f)| f)
    };
    let measured: Vec<_> = labels
        .iter()
        .filter(|(id, _)| parts.iter().any(|(_, ps)| part(ps, id).us.is_some()))
        .collect();
    for (id, label) in &measured {
        let cells: Vec<String> = parts.iter().map(|(_, ps)| us(part(ps, id).us)).collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    println!();
    println!("Conditions of the parts, as above:");
    println!();
    println!("| part | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (id, _) in &measured {
        let cells: Vec<String> = parts.iter().map(|(_, ps)| cond(&part(ps, id))).collect();
        println!("| {id} | {} |", cells.join(" | "));
    }
}
