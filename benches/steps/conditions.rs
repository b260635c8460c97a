//! The conditions a figure was taken in: the load average and the CPU that other processes
//! used meanwhile, from `/proc` (Linux).

use crate::Figure;

/// The machine's state at one moment: the 1-minute load average, and CPU time counters (in
/// clock ticks) of the whole machine and of this process with its finished children.
#[derive(Clone, Copy, Debug)]
pub struct Conditions {
    load: Option<f64>,
    cpu: Option<CpuTicks>,
}

#[derive(Clone, Copy, Debug)]
struct CpuTicks {
    /// Every CPU's ticks, in all states.
    total: u64,
    /// Every CPU's ticks not idle: user, nice, system, irq, softirq, and steal (ticks the
    /// hypervisor gave to someone else while this machine wanted to run).
    busy: u64,
    /// This process's user and system ticks, with those of its waited-for children (PyTorch).
    own: u64,
    cpus: usize,
}

impl Conditions {
    /// Reads `/proc` (Linux); `None` fields elsewhere.
    pub fn now() -> Conditions {
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok());
        Conditions {
            load,
            cpu: CpuTicks::read(),
        }
    }

    /// A figure measured since `self`: its median and the conditions it was taken in.
    pub fn figure(&self, us: Option<f64>) -> Figure {
        let now = Conditions::now();
        let others = self.cpu.zip(now.cpu).and_then(|(a, b)| {
            let total = b.total.checked_sub(a.total)?;
            let busy = b.busy.checked_sub(a.busy)?;
            let own = b.own.checked_sub(a.own)?;
            (total > 0).then(|| busy.saturating_sub(own) as f64 / total as f64 * b.cpus as f64)
        });
        Figure {
            us,
            load: now.load,
            others,
        }
    }

    pub fn describe(&self) -> String {
        self.load
            .map_or_else(|| "unknown".to_string(), |l| format!("{l:.2} (1 min)"))
    }
}

impl CpuTicks {
    fn read() -> Option<CpuTicks> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let mut lines = stat.lines();
        let fields: Vec<u64> = lines
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        let [user, nice, system, idle, iowait, irq, softirq, steal] = fields[..] else {
            return None;
        };
        let cpus = lines
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count();
        // /proc/self/stat: "pid (comm) state ...": after the command, field 14 (utime) is the
        // 12th, then stime, cutime, cstime.
        let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after = &own_stat[own_stat.rfind(')')? + 1..];
        let own: u64 = after
            .split_whitespace()
            .skip(11)
            .take(4)
            .map(|f| f.parse::<u64>().ok())
            .sum::<Option<u64>>()?;
        Some(CpuTicks {
            total: user + nice + system + idle + iowait + irq + softirq + steal,
            busy: user + nice + system + irq + softirq + steal,
            own,
            cpus,
        })
    }
}

impl Figure {
    pub fn describe(&self) -> String {
        let load = self
            .load
            .map_or_else(|| "?".to_string(), |l| format!("{l:.2}"));
        let others = self
            .others
            .map_or_else(|| "?".to_string(), |o| format!("{o:.2}"));
        format!("load average {load}, other processes {others} cores")
    }
}
