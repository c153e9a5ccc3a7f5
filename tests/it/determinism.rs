use livelihoods::engine;
use livelihoods::metrics;
use livelihoods::output::{seasons_csv, summary_csv};

use livelihoods::metrics::SeasonMetrics;
use livelihoods::rng::Kernel;

use crate::common::{load, run_on};

/// Every value as bits, so that NaN (yield in the dry season) compares equal to itself.
fn bits(runs: &[Vec<SeasonMetrics>]) -> Vec<Vec<[u64; metrics::NAMES.len()]>> {
    runs.iter().map(|r| r.iter().map(|m| m.values.map(f64::to_bits)).collect()).collect()
}

fn bytes(threads: usize) -> Vec<(String, String)> {
    let scenarios = [load("kupang_baseline", 6_000, 6, 3), load("dw4fs", 6_000, 6, 3)];
    run_on(threads, &scenarios).iter().map(|r| (seasons_csv(r), summary_csv(r))).collect()
}

#[test]
fn results_are_byte_identical_at_any_thread_count() {
    // 6 jobs: 1 and 2 threads run jobs in parallel, 3 and 8 threads run households in parallel.
    let reference = bytes(1);
    for threads in [2, 3, 8] {
        assert!(reference == bytes(threads), "threads = {threads} changed the results");
    }
}

#[test]
fn both_parallel_strategies_give_the_same_bits() {
    let s = load("dw4fs", 9_000, 5, 1);
    let noise = livelihoods::model::season::Noise::new(&s.params);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let (a, b) = pool.install(|| {
        (
            engine::run_replication(&s, &noise, 0, true, &|| {}),
            engine::run_replication(&s, &noise, 0, false, &|| {}),
        )
    });
    assert_eq!(bits(&[a]), bits(&[b]));
}

#[test]
fn scenarios_with_one_seed_share_weather_prices_and_shocks() {
    let results = run_on(
        2,
        &[
            load("kupang_baseline", 3_000, 8, 2),
            load("dw4fs_el_nino", 3_000, 8, 2),
            load("dw4fs", 3_000, 8, 2),
        ],
    );
    let (baseline, el_nino, dw4fs) = (&results[0], &results[1], &results[2]);
    for metric in ["el_nino", "maize_price_idr_per_kg"] {
        let k = metrics::index(metric).unwrap();
        for (a, b) in baseline.runs.iter().flatten().zip(dw4fs.runs.iter().flatten()) {
            assert_eq!(a.values[k].to_bits(), b.values[k].to_bits(), "{metric} differs");
        }
    }
    // A different climate must change the weather.
    let k = metrics::index("el_nino").unwrap();
    assert!(
        baseline
            .runs
            .iter()
            .flatten()
            .zip(el_nino.runs.iter().flatten())
            .any(|(a, b)| a.values[k] != b.values[k])
    );
}

#[test]
fn modules_with_zero_capacity_reproduce_the_baseline_exactly() {
    let baseline = load("kupang_baseline", 4_000, 8, 2);
    let mut idle = load("dw4fs", 4_000, 8, 2);
    for iv in &mut idle.interventions {
        iv.capacity_per_season = Some(0);
    }
    let results = run_on(2, &[baseline, idle]);
    assert_eq!(bits(&results[0].runs), bits(&results[1].runs));
}

#[test]
fn the_order_of_intervention_tables_does_not_matter() {
    let forward = load("dw4fs", 4_000, 6, 2);
    let mut backward = forward.clone();
    backward.interventions.reverse();
    let results = run_on(2, &[forward, backward]);
    assert_eq!(bits(&results[0].runs), bits(&results[1].runs));
}

#[test]
fn running_twice_gives_the_same_bytes() {
    assert!(bytes(2) == bytes(2));
}

/// Every random-number kernel this CPU runs (AVX-512, AVX2, portable) gives the same files.
#[test]
fn every_random_number_kernel_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let small = crate::common::fixture("small.toml");
    let run = |kernel: Kernel| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
            .args(["run", small.to_str().unwrap(), "--out", kernel.name(), "--threads", "2"])
            .env(livelihoods::rng::KERNEL_VARIABLE, kernel.name())
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let manifest =
            std::fs::read_to_string(dir.path().join(kernel.name()).join("small/manifest.toml")).unwrap();
        assert!(
            manifest.contains(&format!("rng_kernel = \"{}\"", kernel.name())),
            "{kernel:?} was not used:\n{manifest}"
        );
        std::fs::read(dir.path().join(kernel.name()).join("small/seasons.csv")).unwrap()
    };
    let portable = run(Kernel::Portable);
    for kernel in Kernel::ALL.into_iter().filter(|k| k.runs_here() && *k != Kernel::Portable) {
        assert!(run(kernel) == portable, "{} differs from the portable kernel", kernel.name());
    }
}
