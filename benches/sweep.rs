//! What a sweep costs beyond the simulation, and how long a Sobol' analysis of twelve
//! parameters takes.
//!
//! 1. Driver overhead: household-seasons per second of `sweep` (a Latin hypercube of 32
//!    points, each the programme in its own world) against running the same scenario, both
//!    at 10,000 households with 2 replications, measured one after the other in this run.
//!    Both count every simulated household-season of both worlds.
//! 2. With `--full`: the Sobol' analysis of `benches/sobol12.toml` (twelve uncertain
//!    parameters) with base size N = 256, N (2k + 2) = 6,656 points × 2 replications at
//!    10,000 households and 20 seasons, as `livelihoods sweep` runs it.
//!
//! Run with `cargo bench --bench sweep` (about a minute) or
//! `cargo bench --bench sweep -- --full` (a few minutes more). Prints a table; peak memory
//! is the process's high-water mark.

use std::path::Path;
use std::time::Instant;

use livelihoods::scenario::{self, Scenario};
use livelihoods::trial::{self, Plan};
use livelihoods::{sweep, uncertainty};

const HOUSEHOLDS: f64 = 10_000.0;

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/sobol12.toml");
    let mut s = scenario::load(&path).expect("the benchmark's scenario is valid");
    s.params = uncertainty::set(&s.params, "population.households", HOUSEHOLDS).expect("a valid size");
    s.replications = 2;
    s
}

/// Household-seasons simulated per point: the programme's world and its own world.
fn per_point(s: &Scenario) -> f64 {
    2.0 * s.simulated_household_seasons() as f64
}

fn peak_memory_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok());
    kib.map_or(f64::NAN, |k| k / 1024.0)
}

/// Sweep `points` (`design`) of `s` on `threads` threads; seconds.
fn time_sweep(s: &Scenario, design: &sweep::Design, threads: usize) -> (usize, f64) {
    let (points, _) = sweep::points(design, &s.uncertain, s.seed).expect("a valid design");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let clock = Instant::now();
    let results = sweep::run(
        s,
        &s.uncertain,
        &points,
        None,
        &dir.path().join("results.log"),
        threads,
        (16_000.0, 0.06),
        &|| {},
    )
    .expect("the sweep runs");
    std::hint::black_box(results);
    (points.len(), clock.elapsed().as_secs_f64())
}

fn main() {
    let full = std::env::args().any(|a| a == "--full");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(2);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let s = scenario();
    pool.install(|| {
        // The same work as a sweep point, run point after point.
        let runs = 32;
        let clock = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(trial::run(Plan::new(vec![s.clone()], 0), threads, &|| {}));
        }
        let run_rate = runs as f64 * per_point(&s) / clock.elapsed().as_secs_f64();
        let (n, seconds) = time_sweep(&s, &sweep::Design::LatinHypercube { points: 32 }, threads);
        let sweep_rate = n as f64 * per_point(&s) / seconds;
        println!("threads: {threads}; scenario {} ({} uncertain parameters)", s.name, s.uncertain.len());
        println!("| what | points | seconds | M household-seasons/s | ratio |");
        println!("|---|---|---|---|---|");
        println!(
            "| programme in its own world, one after another | {runs} | {:.1} | {:.1} | 1.00 |",
            runs as f64 * per_point(&s) / run_rate,
            run_rate / 1e6
        );
        println!(
            "| sweep, Latin hypercube | {n} | {seconds:.1} | {:.1} | {:.2} |",
            sweep_rate / 1e6,
            sweep_rate / run_rate
        );
        if full {
            let (n, seconds) = time_sweep(&s, &sweep::Design::Sobol { base: 256 }, threads);
            let rate = n as f64 * per_point(&s) / seconds;
            println!(
                "| sweep, Sobol' N = 256, k = {} | {n} | {seconds:.1} | {:.1} | {:.2} |",
                s.uncertain.len(),
                rate / 1e6,
                rate / run_rate
            );
        }
        println!("peak memory: {:.0} MiB", peak_memory_mib());
    });
}
