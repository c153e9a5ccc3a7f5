//! A run of another size is a smaller (or larger) Kupang with the same structure: villages
//! and intervention capacities scale with the households, so households per village, the
//! share of households reached and cost-effectiveness do not depend on the run's size.

use std::fs;
use std::path::Path;
use std::process::Command;

use livelihoods::compare::{DEFAULT_DISCOUNT_RATE, DEFAULT_IDR_PER_USD, cost_effectiveness, pairings};
use livelihoods::engine::World;
use livelihoods::model::season::Noise;
use livelihoods::runner::ScenarioResult;
use livelihoods::trial::tables;

use crate::common::{compare_on, load, run_on, shipped};

/// Full size: Kupang District as stated in the shipped scenarios.
const FULL: u64 = 85_000;

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// Mean over replications of `metric` in the last observed season.
fn last_season_mean(result: &ScenarioResult, metric: &str) -> f64 {
    let k = livelihoods::metrics::index(metric).unwrap();
    let last: Vec<f64> = result.runs.iter().map(|run| run.last().unwrap().values[k]).collect();
    mean_sd(&last).0
}

/// Of dw4fs and cooperative_only against their world at `households`: rupiah per
/// poverty-person-year averted [estimate, low, high], and participants' gain in consumption
/// per person over the run [mean, lower, upper].
fn cost_per_ppya(households: u64, replications: u32) -> [[[f64; 3]; 2]; 2] {
    let scenarios: Vec<_> = ["kupang_baseline", "dw4fs", "cooperative_only"]
        .iter()
        .map(|name| load(name, households, 20, replications))
        .collect();
    let outcome = compare_on(2, scenarios, 0);
    let ce = cost_effectiveness(&pairings(&outcome), DEFAULT_IDR_PER_USD, DEFAULT_DISCOUNT_RATE);
    let trial = tables::trial_rows(&outcome);
    let gain = |scenario: &str| {
        let r = trial
            .iter()
            .find(|r| {
                r.scenario == scenario
                    && (r.module, r.group, r.estimator, r.outcome, r.years_since_start)
                        == ("any", "participants", "exact", "consumption_pc", "run")
            })
            .expect("participants' consumption");
        [r.mean.unwrap(), r.lower.unwrap(), r.upper.unwrap()]
    };
    [
        [ce[1].cost_per_person_year_idr, gain("dw4fs")],
        [ce[2].cost_per_person_year_idr, gain("cooperative_only")],
    ]
}

#[test]
fn cost_per_poverty_person_year_averted_does_not_depend_on_the_run_size() {
    let full = cost_per_ppya(FULL, 20);
    // Small runs are noisier: more replications give them the full size's precision.
    for (households, replications) in [(10_000, 100), (20_000, 50)] {
        let small = cost_per_ppya(households, replications);
        for (name, (f, s)) in ["dw4fs", "cooperative_only"].iter().zip(full.iter().zip(small)) {
            for (what, (f, s)) in
                ["cost per person-year averted", "participants' consumption gain"].iter().zip(f.iter().zip(s))
            {
                let [estimate, lo, hi] = *f;
                // The two estimates agree within their combined 95 % half-widths (each
                // run's own interval; two intervals of ±10 % combine to ±14 %), or within
                // ±15 % of the full size's where a run gives no interval.
                let half = |[_, lo, hi]: [f64; 3]| (hi - lo) / 2.0;
                let combined = (half(*f).powi(2) + half(s).powi(2)).sqrt();
                let combined =
                    if combined.is_nan() { 0.15 * estimate } else { combined.max(0.15 * estimate) };
                let (lo, hi) = (lo.min(estimate - combined), hi.max(estimate + combined));
                assert!(
                    (lo..=hi).contains(&s[0]),
                    "{name}: {what} {:.0} at {households} households, {estimate:.0} [{lo:.0}, {hi:.0}] at {FULL}",
                    s[0]
                );
            }
        }
    }
}

#[test]
fn households_per_village_and_the_share_reached_do_not_depend_on_the_run_size() {
    let mut structure = Vec::new();
    for (households, replications) in [(10_000u64, 8), (FULL, 2)] {
        let s = load("dw4fs", households, 4, replications);
        let world = World::new(&s, &Noise::new(&s.params), 0, livelihoods::cpu::Cpu::best());
        let mut counts = vec![0.0; world.villages.len()];
        for h in world.households.iter() {
            counts[usize::from(h.village)] += 1.0;
        }
        let (per_village, spread) = mean_sd(&counts);
        // Four seasons: the programme's whole schedule (seasons 0–3).
        let result = &run_on(2, &[s])[0];
        let reached = last_season_mean(result, "ever_participants") / households as f64;
        let coop_villages = last_season_mean(result, "coop_villages_share");
        structure.push((households, per_village, spread, reached, coop_villages));
    }
    let [small, full] = [structure[0], structure[1]];
    let close = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance * b;
    assert!(close(small.1, full.1, 0.02), "households per village (mean): {small:?} against {full:?}");
    assert!(small.2 < 1.0 && full.2 < 1.0, "households per village (sd): {small:?} against {full:?}");
    assert!(close(small.3, full.3, 0.05), "share of households reached: {small:?} against {full:?}");
    assert!(
        (small.4 - full.4).abs() < 0.05,
        "share of villages with a working cooperative: {small:?} against {full:?}"
    );
}

fn livelihoods(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_livelihoods")).args(args).current_dir(dir).output().unwrap()
}

#[test]
fn households_set_in_a_file_scale_like_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let dw4fs = shipped("dw4fs");
    // Households set in a file, and inherited from it through `base`.
    let sized = format!("base = {:?}\n\n[population]\nhouseholds = 4_000\n", dw4fs.display().to_string());
    fs::write(dir.path().join("sized.toml"), sized).unwrap();
    fs::write(dir.path().join("inherited.toml"), "base = \"sized.toml\"\nname = \"dw4fs\"\n").unwrap();
    let common = ["--replications", "2", "--seasons", "6"];
    let run = |file: &str, extra: &[&str], out: &str| {
        let mut args = vec!["run", file, "--out", out];
        args.extend(common);
        args.extend(extra);
        let out_ = livelihoods(&args, dir.path());
        assert!(out_.status.success(), "{}", String::from_utf8_lossy(&out_.stderr));
        let folder = dir.path().join(out).join("dw4fs");
        let manifest: toml::Table =
            toml::from_str(&fs::read_to_string(folder.join("manifest.toml")).unwrap()).unwrap();
        // round(160 × 4,000 / 85,000) = round(7.53) villages.
        assert_eq!(manifest["simulated_villages"].as_integer(), Some(8));
        assert_eq!(manifest["population_scale"].as_float(), Some(4_000.0 / 85_000.0));
        fs::read(folder.join("seasons.csv")).unwrap()
    };
    let flag = run(dw4fs.to_str().unwrap(), &["--households", "4000"], "flag");
    let file = run("inherited.toml", &[], "file");
    assert!(flag == file, "households = 4000 in a file and --households 4000 give different seasons.csv");
}

#[test]
fn a_listed_village_the_run_does_not_have_is_an_input_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let pilot = format!(
        "base = {:?}\nname = \"pilot\"\n\n[[intervention]]\nid = \"pilot\"\nkind = \"cooperative\"\n\
         start_season = 0\nend_season = 1\ntargeting = \"villages\"\nvillages = [3, 150]\n\
         capacity_per_season = 100\n",
        shipped("kupang_baseline").display().to_string()
    );
    fs::write(dir.path().join("pilot.toml"), pilot).unwrap();
    let ok = livelihoods(&["validate", "pilot.toml"], dir.path());
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = livelihoods(&["run", "pilot.toml", "--households", "10000"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "intervention[pilot].villages: has village 150, but at this size the run has villages 0 to 18"
        ),
        "{err}"
    );
    assert!(!err.contains("village 3,"), "{err}");
}
