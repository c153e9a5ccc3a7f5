//! Scenarios × replications in parallel, with a guard against populations that would not
//! fit in memory.
//!
//! Jobs (scenario, replication) are a flat list run with rayon and collected in list order.
//! With at least two jobs per thread, jobs run in parallel and each job's households in
//! series; with fewer, jobs run one after another and each job's households in parallel
//! blocks. Both paths give the same bytes (integer reductions, keyed draws); the choice
//! only bounds how many worlds are in memory at once.

use rayon::prelude::*;

use crate::engine;
use crate::metrics::SeasonMetrics;
use crate::model::household::Household;
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
pub enum Strategy {
    /// Jobs in parallel, households of a job in series.
    Jobs,
    /// Jobs in series, households of a job in parallel blocks.
    Households,
}

/// The strategy for `jobs` jobs on `threads` threads.
pub fn strategy(jobs: usize, threads: usize) -> Strategy {
    if jobs >= 2 * threads { Strategy::Jobs } else { Strategy::Households }
}

/// Bytes of state one world of `scenario` holds.
pub fn world_bytes(scenario: &Scenario) -> u64 {
    scenario.params.population.households * std::mem::size_of::<Household>() as u64
}

/// Peak bytes of state when running `scenarios` on `threads` threads.
pub fn peak_bytes(scenarios: &[Scenario], threads: usize) -> u64 {
    let jobs: usize = scenarios.iter().map(|s| s.replications as usize).sum();
    let largest = scenarios.iter().map(world_bytes).max().unwrap_or(0);
    match strategy(jobs, threads) {
        Strategy::Jobs => largest * threads.min(jobs) as u64,
        Strategy::Households => largest,
    }
}

/// Memory the system says is available, bytes (None if unknown).
pub fn available_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Refuse a run whose state would not fit in `available` bytes (80 % of it, leaving room
/// for the rest of the system).
///
/// # Errors
/// A message with the estimate.
pub fn check_memory(scenarios: &[Scenario], threads: usize, available: u64) -> Result<(), String> {
    let need = peak_bytes(scenarios, threads);
    if need as f64 <= 0.8 * available as f64 {
        return Ok(());
    }
    let largest = scenarios.iter().max_by_key(|s| world_bytes(s)).expect("a run has scenarios");
    Err(format!(
        "refusing to run: scenario \"{}\" with {} households needs about {:.1} GB of state \
         ({} bytes per household, {} world(s) in memory at once), but only {:.1} GB is available; \
         lower --households or --threads",
        largest.name,
        largest.params.population.households,
        need as f64 / 1e9,
        world_bytes(largest) / largest.params.population.households.max(1),
        (need / world_bytes(largest).max(1)),
        available as f64 / 1e9,
    ))
}

/// Run every replication of every scenario. `on_season` is called after each simulated
/// season of any job.
pub fn run_all(scenarios: &[Scenario], threads: usize, on_season: &(dyn Fn() + Sync)) -> Vec<ScenarioResult> {
    let jobs: Vec<(usize, u32)> =
        scenarios.iter().enumerate().flat_map(|(i, s)| (0..s.replications).map(move |r| (i, r))).collect();
    let tables: Vec<Noise> = scenarios.iter().map(|s| Noise::new(&s.params)).collect();
    let run = |&(i, r): &(usize, u32), parallel: bool| {
        engine::run_replication(&scenarios[i], &tables[i], r, parallel, on_season)
    };
    let mut runs: Vec<Vec<SeasonMetrics>> = match strategy(jobs.len(), threads) {
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
