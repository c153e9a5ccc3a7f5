use std::path::{Path, PathBuf};

use livelihoods::metrics;
use livelihoods::runner::{self, ScenarioResult};
use livelihoods::scenario::{self, Overrides, Scenario};

/// Path of a shipped scenario.
pub fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"))
}

/// Path of a test fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Load a shipped scenario with overrides.
pub fn load(name: &str, households: u64, seasons: u32, replications: u32) -> Scenario {
    let mut s = scenario::load(&shipped(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let o = Overrides {
        households: Some(households),
        seasons: Some(seasons),
        replications: Some(replications),
        ..Overrides::default()
    };
    s.apply(&o).unwrap();
    s
}

/// Run scenarios on a pool of `threads` threads.
pub fn run_on(threads: usize, scenarios: &[Scenario]) -> Vec<ScenarioResult> {
    run_with(runner::Options::threads(threads), scenarios)
}

/// Run scenarios as `options` say, on a pool of their threads.
pub fn run_with(options: runner::Options, scenarios: &[Scenario]) -> Vec<ScenarioResult> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.threads).build().unwrap();
    pool.install(|| runner::run_all(scenarios, options, &|| {}))
}

/// Per replication, the mean over seasons of `metric`.
pub fn run_means(result: &ScenarioResult, metric: &str) -> Vec<f64> {
    livelihoods::summary::run_means(&result.runs, metrics::index(metric).unwrap())
}

/// Per season, the mean across replications of `metric` in `a` minus that in `b`.
pub fn paired_by_season(a: &ScenarioResult, b: &ScenarioResult, metric: &str) -> Vec<f64> {
    let k = metrics::index(metric).unwrap();
    let seasons = a.runs[0].len();
    (0..seasons)
        .map(|s| {
            a.runs.iter().zip(&b.runs).map(|(x, y)| x[s].values[k] - y[s].values[k]).sum::<f64>()
                / a.runs.len() as f64
        })
        .collect()
}

/// Mean over replications of the paired difference of run means of `metric`.
pub fn paired_effect(a: &ScenarioResult, b: &ScenarioResult, metric: &str) -> f64 {
    let (x, y) = (run_means(a, metric), run_means(b, metric));
    x.iter().zip(&y).map(|(p, q)| p - q).sum::<f64>() / x.len() as f64
}

/// The scenario without its interventions (the matched baseline of a programme scenario).
pub fn without_programme(s: &Scenario) -> Scenario {
    let mut base = s.clone();
    base.name = format!("{}_no_programme", s.name);
    base.interventions.clear();
    base
}

/// Compare `scenarios` (baseline at index `baseline`) on a pool of `threads` threads: every
/// programme against its own world.
pub fn compare_on(threads: usize, scenarios: Vec<Scenario>, baseline: usize) -> livelihoods::trial::Outcome {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let plan = livelihoods::trial::Plan::new(scenarios, baseline);
    pool.install(|| livelihoods::trial::run(plan, threads, &|| {}))
}
