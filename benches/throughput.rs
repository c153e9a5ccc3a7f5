//! Household-seasons per second for the DW4FS scenario (all four modules active) and for the
//! households-only ceiling (`livelihoods::engine::households_only`) at 10^4, 10^5 and 10^6 households, on 1 and 2
//! threads.
//!
//! Each iteration runs whole replications of the scenario as shipped (20 observed seasons
//! after 6 spin-up seasons), set-up included; throughput counts every simulated
//! household-season (spin-up seasons too). Small populations run more replications so that
//! every iteration does the same work (`bench::sized`, 26 million
//! household-seasons). Run with `cargo bench --bench throughput`.

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use livelihoods::runner;
use livelihoods::scenario::{self, Scenario};

/// The throughput measurements of `livelihoods bench`, shared with the program.
#[allow(dead_code)]
#[path = "../src/cli/bench.rs"]
mod bench;

/// Household-seasons per iteration at every size.
const WORK: u64 = 26_000_000;

/// Benchmark `run` (given a sized scenario and a thread count) as group `name` at every
/// size and thread count.
fn sizes_and_threads(c: &mut Criterion, name: &str, run: impl Fn(&Scenario, usize) + Sync) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dw4fs.toml");
    let base = scenario::load(&path).expect("the shipped scenario is valid");
    let mut group = c.benchmark_group(name);
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        for households in [10_000u64, 100_000, 1_000_000] {
            let s = bench::sized(&base, households, WORK).expect("a valid size");
            group.throughput(Throughput::Elements(s.simulated_household_seasons()));
            let id = BenchmarkId::new(format!("{threads}_threads"), households);
            group.bench_function(id, |b| b.iter(|| pool.install(|| run(&s, threads))));
        }
    }
    group.finish();
}

fn model(c: &mut Criterion) {
    sizes_and_threads(c, "dw4fs", |s, threads| {
        std::hint::black_box(runner::run_all(
            std::slice::from_ref(s),
            runner::Options::threads(threads),
            &|| {},
        ));
    });
}

fn ceiling(c: &mut Criterion) {
    sizes_and_threads(c, "ceiling", |s, _| {
        std::hint::black_box(livelihoods::engine::households_only(s, livelihoods::cpu::Cpu::best()));
    });
}

criterion_group! {
    name = benches;
    // Criterion's HTML charts look for system fonts; the figures are what matter here.
    config = Criterion::default().without_plots();
    targets = model, ceiling
}
criterion_main!(benches);
