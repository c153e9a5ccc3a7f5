use livelihoods::engine;
use livelihoods::metrics;
use livelihoods::output::{seasons_csv, summary_csv};

use livelihoods::cpu::Cpu;
use livelihoods::engine::Execution;
use livelihoods::metrics::SeasonMetrics;
use livelihoods::runner::Options;

use crate::common::{load, run_on, run_with};

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
            engine::run_replication(&s, &noise, 0, Execution { cpu: Cpu::best(), parallel: true }, &|| {}),
            engine::run_replication(&s, &noise, 0, Execution { cpu: Cpu::best(), parallel: false }, &|| {}),
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
    // Without `follows`, which names an earlier intervention and so depends on the order.
    let mut forward = load("dw4fs", 4_000, 6, 2);
    for iv in &mut forward.interventions {
        iv.follows = None;
        iv.follows_index = None;
        if iv.targeting == livelihoods::interventions::Targeting::All {
            iv.targeting = livelihoods::interventions::Targeting::Random;
            iv.capacity_per_season = Some(700);
        }
    }
    let mut backward = forward.clone();
    backward.interventions.reverse();
    let results = run_on(2, &[forward, backward]);
    assert_eq!(bits(&results[0].runs), bits(&results[1].runs));
}

/// A run in a process of its own (the command) writes the bytes this process computes,
/// after other runs here: no state outlives a run.
#[test]
fn a_run_in_its_own_process_gives_the_bytes_of_a_run_in_this_one() {
    let _ = bytes(2);
    let small = crate::common::fixture("small.toml");
    let scenario = livelihoods::scenario::load(&small).unwrap();
    let here = seasons_csv(&run_on(2, std::slice::from_ref(&scenario))[0]);
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["run", small.to_str().unwrap(), "--out", "out", "--threads", "2", "--quiet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("out/small/seasons.csv")).unwrap();
    assert!(written == here, "the command wrote other bytes than this process computed");
}

/// Every code path this CPU runs (AVX-512, AVX2, portable) gives the same files, in one
/// process: runs of a world without a programme and of one with all four modules (whose
/// participants take the one-by-one code on the lanes path), and a comparison of them.
#[test]
fn every_cpu_path_gives_the_same_bytes() {
    let scenarios = [load("kupang_baseline", 5_000, 6, 3), load("dw4fs", 5_000, 6, 3)];
    let files = |results: &[livelihoods::runner::ScenarioResult]| {
        results.iter().map(|r| (seasons_csv(r), summary_csv(r))).collect::<Vec<_>>()
    };
    let compared = |cpu: Cpu| {
        let mut plan = livelihoods::trial::Plan::new(scenarios.to_vec(), 0);
        plan.cpu = cpu;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        files(&pool.install(|| livelihoods::trial::run(plan, 2, &|| {})).results)
    };
    let reference = (
        files(&run_with(Options { threads: 2, cpu: Cpu::portable() }, &scenarios)),
        compared(Cpu::portable()),
    );
    let available = Cpu::available();
    for cpu in &available[1..] {
        let run = files(&run_with(Options { threads: 2, cpu: *cpu }, &scenarios));
        assert!(run == reference.0, "a run on {cpu} differs from the portable path");
        assert!(compared(*cpu) == reference.1, "a comparison on {cpu} differs from the portable path");
    }
    let missing: Vec<&str> =
        Cpu::NAMES.into_iter().filter(|n| !available.iter().any(|c| c.name() == *n)).collect();
    let ran: Vec<&str> = available.iter().map(|c| c.name()).collect();
    println!("compared the paths {ran:?}; this CPU cannot run {missing:?}");
}

/// `--cpu` chooses the path of a run, recorded in its manifest; the files are the same.
#[test]
fn the_cpu_option_chooses_the_path_and_the_manifest_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let small = crate::common::fixture("small.toml");
    let run = |cpu: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
            .args(["run", small.to_str().unwrap(), "--out", cpu, "--threads", "2", "--cpu", cpu])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let manifest = std::fs::read_to_string(dir.path().join(cpu).join("small/manifest.toml")).unwrap();
        assert!(manifest.contains(&format!("cpu = \"{cpu}\"")), "{cpu} was not used:\n{manifest}");
        std::fs::read(dir.path().join(cpu).join("small/seasons.csv")).unwrap()
    };
    let portable = run("portable");
    let best = Cpu::best().name();
    assert!(run(best) == portable, "{best} differs from the portable path");
}
