use livelihoods::compare::{check_pairing, cost_effectiveness, effects_csv};
use livelihoods::metrics::{self, NAMES, SeasonMetrics};
use livelihoods::runner::ScenarioResult;
use livelihoods::summary::summarise;

use crate::common::{load, run_on};

#[test]
fn a_scenario_compared_with_itself_has_no_effect() {
    let s = load("dw4fs", 3_000, 4, 3);
    let mut twin = s.clone();
    twin.name = "twin".into();
    let results = run_on(2, &[s, twin]);
    let csv = effects_csv(&results, 0);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for line in csv.lines().skip(1) {
        for (name, cell) in header.iter().zip(line.split(',')) {
            if name.contains("_diff_") || name.starts_with("persons_lifted") {
                assert_eq!(cell, "0", "{name} in {line}");
            }
        }
    }
    assert!(cost_effectiveness(&results, 0, 14_308.0).iter().all(|r| r.person_years_averted.mean == 0.0));
}

#[test]
fn confidence_intervals_shrink_as_replications_grow() {
    let width = |replications| {
        let results = run_on(
            2,
            &[load("kupang_baseline", 4_000, 8, replications), load("dw4fs", 4_000, 8, replications)],
        );
        let ce = cost_effectiveness(&results, 0, 14_308.0);
        ce[1].person_years_averted.ci_hi - ce[1].person_years_averted.ci_lo
    };
    let (few, many) = (width(4), width(16));
    assert!(many < 0.75 * few, "CI width with 16 replications {many} vs 4 replications {few}");
}

/// Two replications of three seasons with hand-set values.
fn synthetic(name: &str, p0: [[f64; 3]; 2], cost: f64, participants: f64) -> ScenarioResult {
    let mut scenario = load("kupang_baseline", 1_000, 3, 2);
    scenario.name = name.into();
    let k = |n| metrics::index(n).unwrap();
    let runs: Vec<Vec<SeasonMetrics>> = p0
        .iter()
        .map(|seasons| {
            seasons
                .iter()
                .enumerate()
                .map(|(s, &p)| {
                    let mut values = [0.0; NAMES.len()];
                    values[k("p0")] = p;
                    values[k("persons")] = 1_000.0;
                    values[k("programme_cost_idr")] = cost;
                    values[k("ever_participants")] = participants;
                    let kind = if s % 2 == 0 { "wet" } else { "dry" };
                    SeasonMetrics {
                        season: s as u32,
                        year: 2024 + s as u32 / 2,
                        season_kind: kind,
                        values,
                        distribution: Vec::new(),
                    }
                })
                .collect()
        })
        .collect();
    ScenarioResult { summary: summarise(&runs), scenario, runs }
}

#[test]
fn cost_effectiveness_matches_a_hand_computed_case() {
    // Baseline P0 0.2 throughout; the programme lowers it by 0.01 in every season of
    // replication 0 and by 0.03 in replication 1. Seasons: wet (4 months), dry (8), wet (4).
    let base = synthetic("base", [[0.2; 3], [0.2; 3]], 0.0, 0.0);
    let programme = synthetic("programme", [[0.19; 3], [0.17; 3]], 2_000_000.0, 40.0);
    let rows = cost_effectiveness(&[base, programme], 0, 10_000.0);
    let r = &rows[1];
    // Person-years averted: 0.01 × 1000 × (4 + 8 + 4)/12 = 13.333…, and 0.03 × … = 40.
    let expected = [0.01 * 1000.0 * 16.0 / 12.0, 0.03 * 1000.0 * 16.0 / 12.0];
    let mean = (expected[0] + expected[1]) / 2.0;
    assert!((r.person_years_averted.mean - mean).abs() < 1e-9);
    // t(1) = 12.706; sd of two values = |a − b| / sqrt 2; half-width = t · sd / sqrt 2.
    let half = 12.706 * (expected[1] - expected[0]).abs() / 2.0;
    assert!((r.person_years_averted.ci_hi - (mean + half)).abs() < 1e-9);
    assert_eq!(r.cost_idr, 2_000_000.0);
    assert_eq!(r.cost_usd, 200.0);
    assert!((r.cost_per_person_year_idr[0] - 2_000_000.0 / mean).abs() < 1e-6);
    assert!(r.cost_per_person_year_idr[2].is_nan(), "the interval reaches below zero: no upper bound");
    assert_eq!(r.participants, 40.0);
    assert_eq!(r.cost_per_participant_idr, 50_000.0);
}

#[test]
fn scenarios_that_cannot_be_paired_are_refused() {
    let base = load("kupang_baseline", 2_000, 4, 2);
    let mut other = load("dw4fs", 2_000, 4, 2);
    assert_eq!(check_pairing(&[base.clone(), other.clone()], "kupang_baseline"), Ok(0));
    let unknown = check_pairing(std::slice::from_ref(&base), "no_such_baseline").unwrap_err().to_string();
    assert!(
        unknown.contains("\"no_such_baseline\" is not among the scenarios (kupang_baseline)"),
        "{unknown}"
    );
    other.seed += 1;
    other.seasons = 6;
    let mismatch = check_pairing(&[base, other], "kupang_baseline").unwrap_err().to_string();
    assert!(mismatch.contains("seed: is 20240302 but the baseline"), "{mismatch}");
    assert!(mismatch.contains("seasons: is 6"), "{mismatch}");
    assert!(check_pairing(&[], "kupang_baseline").is_err());
}
