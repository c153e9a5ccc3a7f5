//! Scenarios × replications in parallel, with a guard against runs that would not fit in
//! memory: the worlds in flight and everything the replications keep, against the smaller
//! of the system's available memory and the memory cgroup's limit.
//!
//! Jobs (scenario, replication) are a flat list run with rayon and collected in list order.
//! With at least two jobs per thread, jobs run in parallel and each job's households in
//! series; with fewer, jobs run one after another and each job's households in parallel
//! blocks. Both paths give the same bytes (integer reductions, keyed draws); the choice
//! only bounds how many worlds are in memory at once.

use std::mem::size_of;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cpu::Cpu;
use crate::engine::{self, Execution};
use crate::metrics::{DISTRIBUTION_BINS, NAMES, SeasonMetrics};
use crate::model::households::Households;
use crate::model::season::Noise;
use crate::scenario::Scenario;
use crate::summary::{SummaryRow, summarise};

/// The results of one scenario.
#[derive(Clone, Debug)]
pub struct ScenarioResult {
    /// The scenario as run (with overrides).
    pub scenario: Scenario,
    /// Per replication, per season.
    pub runs: Vec<Vec<SeasonMetrics>>,
    /// Per season, across replications.
    pub summary: Vec<SummaryRow>,
}

/// How jobs share the threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// Jobs in parallel, households of a job in series.
    Jobs,
    /// Jobs in series, households of a job in parallel blocks.
    Households,
}

/// The strategy for `jobs` jobs on `threads` threads.
pub(crate) fn strategy(jobs: usize, threads: usize) -> Strategy {
    if jobs >= 2 * threads { Strategy::Jobs } else { Strategy::Households }
}

/// Bytes of state one world of `scenario` holds.
pub fn world_bytes(scenario: &Scenario) -> u64 {
    scenario.params.population.households.saturating_mul(Households::BYTES_PER_HOUSEHOLD as u64)
}

/// Environment variable: the memory, bytes, that the guard takes as available instead of
/// what the system and the memory cgroup say (a whole number; `2.5e9` style is accepted).
pub const MEMORY_VARIABLE: &str = "LIVELIHOODS_MEMORY_BYTES";

/// Most worker threads a run may ask for.
pub const MAX_THREADS: usize = 1024;

/// Bytes of one line of `seasons.csv`, at most (it is built in memory before it is written).
const CSV_ROW_BYTES: u64 = 48 + 24 * NAMES.len() as u64;

/// Bytes a replication keeps of its season metrics until the results are written: every
/// observed season's metrics and one season's consumption distribution.
pub(crate) fn metrics_bytes(scenario: &Scenario) -> u64 {
    let seasons = u64::from(scenario.seasons);
    seasons * size_of::<SeasonMetrics>() as u64
        + (DISTRIBUTION_BINS * size_of::<u64>()) as u64
        + size_of::<Vec<SeasonMetrics>>() as u64
}

/// What a run would hold in memory at its peak.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Bytes of the worlds in memory at once, with what following their households adds.
    pub worlds: u64,
    /// Replications stepped at once (each holds one world, or two side by side in a
    /// comparison).
    pub at_once: u64,
    /// Bytes that the replications keep until the results are written (season metrics,
    /// distributions, a comparison's trial sums), all together, and the largest result file
    /// built in memory.
    pub kept: u64,
    /// Replications in all.
    pub replications: u64,
    /// The scenario with the largest world.
    pub largest: String,
    /// Its households.
    pub households: u64,
}

impl Estimate {
    /// Peak bytes.
    pub fn total(&self) -> u64 {
        self.worlds.saturating_add(self.kept)
    }
}

/// One thing stepped per replication: its scenario, the bytes it holds while it runs and
/// the bytes it keeps.
struct Load<'a> {
    scenario: &'a Scenario,
    running: u64,
    kept: u64,
}

fn estimate_of(loads: &[Load], threads: usize) -> Estimate {
    let jobs: u64 = loads.iter().map(|l| u64::from(l.scenario.replications)).sum();
    let largest = loads.iter().max_by_key(|l| l.running);
    let at_once = match strategy(usize::try_from(jobs).unwrap_or(usize::MAX), threads) {
        Strategy::Jobs => (threads as u64).min(jobs),
        Strategy::Households => 1,
    };
    let csv = loads
        .iter()
        .map(|l| {
            let s = l.scenario;
            u64::from(s.replications).saturating_mul(u64::from(s.seasons)).saturating_mul(CSV_ROW_BYTES)
        })
        .max()
        .unwrap_or(0);
    let kept = loads
        .iter()
        .map(|l| u64::from(l.scenario.replications).saturating_mul(l.kept))
        .fold(csv, u64::saturating_add);
    Estimate {
        worlds: largest.map_or(0, |l| l.running).saturating_mul(at_once),
        at_once,
        kept,
        replications: jobs,
        largest: largest.map_or_else(String::new, |l| l.scenario.name.clone()),
        households: largest.map_or(0, |l| l.scenario.params.population.households),
    }
}

/// Bytes a replication keeps besides its metrics: its place in the job list and its share
/// of the summary's working copies.
const JOB_BYTES: u64 = 48;

/// The peak memory of running `scenarios` ([`run_all`]) on `threads` threads.
pub fn estimate_run(scenarios: &[Scenario], threads: usize) -> Estimate {
    let loads: Vec<Load> = scenarios
        .iter()
        .map(|s| Load { scenario: s, running: world_bytes(s), kept: metrics_bytes(s) + JOB_BYTES })
        .collect();
    estimate_of(&loads, threads)
}

/// The peak memory of running a comparison's `plan` ([`crate::trial::run`]) on `threads`
/// threads: per replication, the programmes measured against one counterfactual run
/// together — each programme's world followed with its flows, its metrics and trial sums,
/// beside the counterfactual's world and the world their spin-up ended in — and every
/// other world is followed alone.
pub fn estimate_plan(plan: &crate::trial::Plan, threads: usize) -> Estimate {
    let mut loads = Vec::new();
    for (worlds, paired) in plan.groups() {
        let s = &plan.worlds[worlds[0]];
        let n = worlds.len() as u64;
        let (running, sums) = crate::trial::replication_bytes(s, paired);
        let states = if paired { n + 2 } else { 1 };
        // The metrics are copied once when the results are assembled.
        let metrics = 2 * (n + u64::from(paired)) * metrics_bytes(s);
        loads.push(Load {
            scenario: s,
            running: states * world_bytes(s) + n * running,
            kept: metrics + n * sums + JOB_BYTES,
        });
    }
    estimate_of(&loads, threads)
}

/// Memory available to a run and where the figure comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Available {
    /// Bytes.
    pub bytes: u64,
    /// Where the figure comes from, for messages.
    pub source: String,
}

/// The value of [`MEMORY_VARIABLE`], if set.
///
/// # Errors
/// When it is set but is not a positive number of bytes.
pub fn memory_override() -> Result<Option<u64>, String> {
    let Ok(text) = std::env::var(MEMORY_VARIABLE) else { return Ok(None) };
    match text.trim().replace('_', "").parse::<f64>() {
        Ok(x) if (1.0..1.8e19).contains(&x) => Ok(Some(x as u64)),
        _ => Err(format!("is \"{text}\"; a positive number of bytes is needed (for example 2.5e9)")),
    }
}

/// Memory available to this run: [`MEMORY_VARIABLE`] if set, otherwise the smaller of the
/// system's available memory and what the memory cgroup (v1 or v2) still allows; None if
/// none of them is known.
pub fn available_memory() -> Option<Available> {
    if let Ok(Some(bytes)) = memory_override() {
        return Some(Available { bytes, source: MEMORY_VARIABLE.into() });
    }
    available_under(Path::new("/"))
}

/// [`available_memory`] with `/proc` and `/sys` read under `root` (for tests).
pub(crate) fn available_under(root: &Path) -> Option<Available> {
    let system = system_available(root).map(|bytes| Available { bytes, source: "available memory".into() });
    let cgroup =
        cgroup_available(root).map(|bytes| Available { bytes, source: "the memory cgroup's limit".into() });
    match (system, cgroup) {
        (Some(a), Some(b)) => Some(if b.bytes < a.bytes { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// `MemAvailable` of `/proc/meminfo`, bytes.
fn system_available(root: &Path) -> Option<u64> {
    let info = std::fs::read_to_string(root.join("proc/meminfo")).ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// What this process's memory cgroup still allows (limit minus usage), the tightest of it
/// and its ancestors; v2 (`memory.max`, `memory.current`) or v1 (`memory.limit_in_bytes`,
/// `memory.usage_in_bytes`). None without a limit.
fn cgroup_available(root: &Path) -> Option<u64> {
    let read = |p: PathBuf| -> Option<u64> {
        let text = std::fs::read_to_string(p).ok()?;
        // v1 states "no limit" as a number near 2^63.
        text.trim().parse::<u64>().ok().filter(|&n| n < 1 << 60)
    };
    let groups = std::fs::read_to_string(root.join("proc/self/cgroup")).ok()?;
    let mut tightest: Option<u64> = None;
    for line in groups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (base, limit_file, usage_file) = if controllers.is_empty() {
            (root.join("sys/fs/cgroup"), "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (root.join("sys/fs/cgroup/memory"), "memory.limit_in_bytes", "memory.usage_in_bytes")
        } else {
            continue;
        };
        // The group's own folder, its ancestors, and the mount's root (a container sees
        // its own group there).
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut p = Path::new(path.trim_start_matches('/'));
        loop {
            dirs.push(base.join(p));
            match p.parent() {
                Some(parent) => p = parent,
                None => break,
            }
        }
        dirs.dedup();
        for dir in dirs {
            if let Some(limit) = read(dir.join(limit_file)) {
                let used = read(dir.join(usage_file)).unwrap_or(0);
                let free = limit.saturating_sub(used);
                tightest = Some(tightest.map_or(free, |t| t.min(free)));
            }
        }
    }
    tightest
}

/// Refuse a run whose peak memory (`estimate`) would not fit in `available` (80 % of it,
/// leaving room for the rest of the system).
///
/// # Errors
/// A message with the estimate.
pub fn check_memory(estimate: &Estimate, available: &Available) -> Result<(), String> {
    let need = estimate.total();
    if need as f64 <= 0.8 * available.bytes as f64 {
        return Ok(());
    }
    let gb = |b: u64| b as f64 / 1e9;
    Err(format!(
        "refusing to run: it needs about {:.1} GB, but only {:.1} GB is available ({}): \
         {:.1} GB for {} replication(s) at once of scenario \"{}\" with {} households, and \
         {:.1} GB that {} replication(s) keep until the results are written (about {:.0} KB each); \
         lower --households, --replications or --threads",
        gb(need),
        gb(available.bytes),
        available.source,
        gb(estimate.worlds),
        estimate.at_once,
        estimate.largest,
        estimate.households,
        gb(estimate.kept),
        estimate.replications,
        estimate.kept as f64 / estimate.replications.max(1) as f64 / 1e3,
    ))
}

/// How a run is computed; no choice here changes a number.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Threads of the rayon pool the run is installed in.
    pub threads: usize,
    /// The instruction sets it computes with (`--cpu`).
    pub cpu: Cpu,
}

impl Options {
    /// `threads` threads on the fastest path this CPU runs.
    pub fn threads(threads: usize) -> Self {
        Self { threads, cpu: Cpu::best() }
    }
}

/// Run every replication of every scenario as `options` say. `on_season` is called after
/// each simulated season of any job.
pub fn run_all(
    scenarios: &[Scenario],
    options: Options,
    on_season: &(dyn Fn() + Sync),
) -> Vec<ScenarioResult> {
    let jobs: Vec<(usize, u32)> =
        scenarios.iter().enumerate().flat_map(|(i, s)| (0..s.replications).map(move |r| (i, r))).collect();
    let tables: Vec<Noise> = scenarios.iter().map(|s| Noise::new(&s.params)).collect();
    let run = |&(i, r): &(usize, u32), parallel: bool| {
        let execution = Execution { cpu: options.cpu, parallel };
        engine::run_replication(&scenarios[i], &tables[i], r, execution, on_season)
    };
    let mut runs: Vec<Vec<SeasonMetrics>> = match strategy(jobs.len(), options.threads) {
        Strategy::Jobs => jobs.par_iter().map(|j| run(j, false)).collect(),
        Strategy::Households => jobs.iter().map(|j| run(j, true)).collect(),
    };
    let mut results = Vec::with_capacity(scenarios.len());
    for scenario in scenarios.iter().rev() {
        let mine = runs.split_off(runs.len() - scenario.replications as usize);
        results.push(ScenarioResult { scenario: scenario.clone(), summary: summarise(&mine), runs: mine });
    }
    results.reverse();
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn the_memory_cgroup_limit_is_read_in_v1_and_v2() {
        let meminfo = "MemTotal: 25000000 kB\nMemAvailable:   20000000 kB\n";
        // v2: the group's limit, minus what it uses; a tighter ancestor wins.
        let v2 = tempfile::tempdir().unwrap();
        write(v2.path(), "proc/meminfo", meminfo);
        write(v2.path(), "proc/self/cgroup", "0::/jobs/run\n");
        write(v2.path(), "sys/fs/cgroup/jobs/run/memory.max", "1073741824\n");
        write(v2.path(), "sys/fs/cgroup/jobs/run/memory.current", "73741824\n");
        write(v2.path(), "sys/fs/cgroup/jobs/memory.max", "max\n");
        let a = available_under(v2.path()).unwrap();
        assert_eq!(a.bytes, 1_000_000_000);
        assert!(a.source.contains("cgroup"));
        write(v2.path(), "sys/fs/cgroup/jobs/memory.max", "500000000\n");
        assert_eq!(available_under(v2.path()).unwrap().bytes, 500_000_000);
        // v1, with "no limit" written as a huge number at the root.
        let v1 = tempfile::tempdir().unwrap();
        write(v1.path(), "proc/meminfo", meminfo);
        write(v1.path(), "proc/self/cgroup", "5:cpu,cpuacct:/x\n4:memory:/docker/abc\n");
        write(v1.path(), "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "1000000000\n");
        write(v1.path(), "sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", "0\n");
        write(v1.path(), "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        assert_eq!(available_under(v1.path()).unwrap().bytes, 1_000_000_000);
        // No cgroup limit: the system's available memory.
        let none = tempfile::tempdir().unwrap();
        write(none.path(), "proc/meminfo", meminfo);
        write(none.path(), "proc/self/cgroup", "0::/\n");
        write(none.path(), "sys/fs/cgroup/memory.max", "max\n");
        let a = available_under(none.path()).unwrap();
        assert_eq!((a.bytes, a.source.as_str()), (20_000_000 * 1024, "available memory"));
    }

    #[test]
    fn a_population_too_large_for_a_1_gb_cgroup_is_refused() {
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "proc/meminfo", "MemAvailable: 20000000 kB\n");
        write(root.path(), "proc/self/cgroup", "0::/\n");
        write(root.path(), "sys/fs/cgroup/memory.max", "1000000000\n");
        let available = available_under(root.path()).unwrap();
        let text =
            "name = \"big\"\n[population]\nhouseholds = 20_000_000\nreference_households = 20_000_000\n";
        let s = crate::scenario::from_str("big.toml", text).unwrap();
        let err = check_memory(&estimate_run(&[s], 1), &available).unwrap_err();
        assert!(err.contains("refusing to run") && err.contains("cgroup"), "{err}");
    }
}
