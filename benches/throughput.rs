//! Household-seasons per second for the DW4FS scenario (all four modules active) and for the
//! minimal kernel (`livelihoods::kernel`) at 10^4, 10^5 and 10^6 households, on 1 and 2
//! threads.
//!
//! Each iteration runs whole replications of the scenario as shipped (20 observed seasons
//! after 6 spin-up seasons), set-up included; throughput counts every simulated
//! household-season (spin-up seasons too). Small populations run more replications so that
//! every iteration does the same work (10^6 household-seasons per season). Run with
//! `cargo bench --bench throughput`.

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use livelihoods::runner;
use livelihoods::scenario::{self, Overrides, Scenario};

fn dw4fs(households: u64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dw4fs.toml");
    let mut s = scenario::load(&path).expect("the shipped scenario is valid");
    let replications = (1_000_000 / households).max(1) as u32;
    let o = Overrides { households: Some(households), seasons: None, replications: Some(replications) };
    s.apply(&o).expect("valid overrides");
    s
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("dw4fs");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        for households in [10_000u64, 100_000, 1_000_000] {
            let scenarios = [dw4fs(households)];
            group.throughput(Throughput::Elements(scenarios[0].simulated_household_seasons()));
            let id = BenchmarkId::new(format!("{threads}_threads"), households);
            group.bench_with_input(id, &scenarios, |b, scenarios| {
                b.iter(|| pool.install(|| runner::run_all(scenarios, threads, &|| {})));
            });
        }
    }
    group.finish();
}

/// The minimal kernel at the same sizes, threads and work (`livelihoods::kernel`).
fn kernel(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        for households in [10_000u64, 100_000, 1_000_000] {
            let s = dw4fs(households);
            let seasons = s.seasons + s.params.calendar.spin_up_seasons;
            group.throughput(Throughput::Elements(s.simulated_household_seasons()));
            let id = BenchmarkId::new(format!("{threads}_threads"), households);
            group.bench_function(id, |b| {
                b.iter(|| {
                    pool.install(|| livelihoods::kernel::run(households as u32, seasons, s.replications))
                });
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Criterion's HTML charts look for system fonts; the figures are what matter here.
    config = Criterion::default().without_plots();
    targets = throughput, kernel
}
criterion_main!(benches);
