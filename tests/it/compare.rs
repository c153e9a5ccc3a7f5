use livelihoods::compare::{
    Pairing, check_pairing, cost_effectiveness, cost_effectiveness_of, effects_csv, pairings,
};
use livelihoods::metrics::{self, NAMES, SeasonMetrics};
use livelihoods::runner::ScenarioResult;
use livelihoods::summary::summarise;

use crate::common::{compare_on, load, run_on};

/// Every cell of `csv` whose column name matches `pick`, with its row's scenario.
fn cells(csv: &str, pick: impl Fn(&str) -> bool) -> Vec<(&str, &str, &str)> {
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let mut out = Vec::new();
    for line in csv.lines().skip(1) {
        let row: Vec<&str> = line.split(',').collect();
        for (name, cell) in header.iter().zip(&row) {
            if pick(name) {
                out.push((row[0], *name, *cell));
            }
        }
    }
    out
}

#[test]
fn a_world_compared_with_itself_has_no_effect_and_a_twin_programme_the_same_effect() {
    let base = load("kupang_baseline", 3_000, 4, 3);
    let mut twin = base.clone();
    twin.name = "twin".into();
    let dw4fs = load("dw4fs", 3_000, 4, 3);
    let mut dw4fs_twin = dw4fs.clone();
    dw4fs_twin.name = "dw4fs_twin".into();
    let alone = run_on(2, std::slice::from_ref(&base));
    let outcome = compare_on(2, vec![base, twin, dw4fs, dw4fs_twin], 0);
    // Every programme's counterfactual is the baseline itself: nothing more is run, and the
    // baseline's figures (taken from beside a programme) are those of the baseline alone.
    assert_eq!(outcome.plan.worlds.len(), 4);
    assert_eq!(outcome.plan.counterfactual[2], Some(0));
    assert_eq!(format!("{:?}", outcome.results[0].runs), format!("{:?}", alone[0].runs));
    let csv = effects_csv(&pairings(&outcome));
    for (scenario, name, cell) in cells(&csv, |n| n.contains("_world_")) {
        assert_eq!(cell, "0", "{scenario} {name}");
    }
    for (scenario, name, cell) in cells(&csv, |n| n.contains("_diff_") || n.starts_with("persons_lifted")) {
        if scenario.starts_with("dw4fs") {
            continue;
        }
        assert_eq!(cell, "0", "{scenario} {name}");
    }
    let rows = cost_effectiveness(&pairings(&outcome), 14_308.0, 0.06);
    assert_eq!(rows[1].person_years_averted.mean, 0.0);
    assert!(rows[2].person_years_averted.mean > 0.0, "{:?}", rows[2]);
    assert_eq!(rows[2].person_years_averted, rows[3].person_years_averted);
    assert!(rows[1].cost_per_person_year_idr[0].is_nan(), "no cost per unit where nothing is averted");
}

#[test]
fn confidence_intervals_shrink_as_replications_grow() {
    let width = |replications| {
        let outcome = compare_on(
            2,
            vec![load("kupang_baseline", 4_000, 8, replications), load("dw4fs", 4_000, 8, replications)],
            0,
        );
        let ce = cost_effectiveness(&pairings(&outcome), 14_308.0, 0.06);
        ce[1].person_years_averted.ci_hi - ce[1].person_years_averted.ci_lo
    };
    let (few, many) = (width(4), width(16));
    assert!(many < 0.75 * few, "CI width with 16 replications {many} vs 4 replications {few}");
}

/// Two replications of three seasons with hand-set values.
fn synthetic(
    name: &str,
    p0: [[f64; 3]; 2],
    consumption: f64,
    cost: [f64; 3],
    participants: f64,
) -> ScenarioResult {
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
                    values[k("p1")] = p / 5.0;
                    values[k("persons")] = 1_000.0;
                    values[k("mean_consumption_pc_idr")] = consumption;
                    values[k("programme_cost_idr")] = cost[s];
                    values[k("ever_participants")] = participants;
                    values[k("maize_price_idr_per_kg")] = scenario.params.expected_maize_price_idr_per_kg();
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
    // Counterfactual P0 0.2 throughout; the programme lowers it by 0.01 in every season of
    // replication 0 and by 0.03 in replication 1. Seasons: wet (4 months), dry (8), wet (4).
    // Consumption per person is Rp 1,000 a month higher; Rp 1.5 M is spent in season 0 and
    // Rp 0.5 M in season 2 (the second year).
    let base = synthetic("base", [[0.2; 3], [0.2; 3]], 500_000.0, [0.0; 3], 0.0);
    let cost = [1_500_000.0, 1_500_000.0, 2_000_000.0];
    let programme = synthetic("programme", [[0.19; 3], [0.17; 3]], 501_000.0, cost, 40.0);
    let pairing = Pairing { scenario: &programme, counterfactual: &base, baseline: &base, sums: None };
    let r = cost_effectiveness_of(&pairing, 10_000.0, 0.1);
    // Person-years averted: 0.01 × 1000 × (4 + 8 + 4)/12 = 13.333…, and 0.03 × … = 40.
    let expected = [0.01 * 1000.0 * 16.0 / 12.0, 0.03 * 1000.0 * 16.0 / 12.0];
    let mean = (expected[0] + expected[1]) / 2.0;
    assert!((r.person_years_averted.mean - mean).abs() < 1e-9);
    // t(1) = 12.7062; sd of two values = |a − b| / sqrt 2; half-width = t · sd / sqrt 2.
    let half = 12.7062 * (expected[1] - expected[0]).abs() / 2.0;
    assert!((r.person_years_averted.ci_hi - (mean + half)).abs() < 1e-3);
    assert_eq!(r.cost_idr, 2_000_000.0);
    assert_eq!(r.cost_usd, 200.0);
    assert!((r.cost_per_person_year_idr[0] - 2_000_000.0 / mean).abs() < 1e-6);
    assert!(r.cost_per_person_year_idr[2].is_nan(), "the interval reaches below zero: no upper bound");
    assert_eq!(r.participants, 40.0);
    assert_eq!(r.cost_per_participant_idr, 50_000.0);
    assert_eq!(r.world_person_years_averted.mean, 0.0);
    // Gap closed: ΔP1 (0.002 or 0.006) × the season's line × 1000 persons × months. At the
    // mean price the staple share of the food line costs its place in the year's cycle:
    // the dry season 12 / (4 × lean + 8) of the mean, the wet season `lean` times that.
    let p = &programme.scenario.params.poverty;
    let dry = 12.0 / (4.0 * p.lean_staple_price_multiplier + 8.0);
    let line = |cycle: f64| {
        p.line_idr_per_capita_month * (1.0 - p.food_share)
            + p.line_idr_per_capita_month * p.food_share * (1.0 + p.food_line_staple_share * (cycle - 1.0))
    };
    let (wet_line, dry_line) = (line(dry * p.lean_staple_price_multiplier), line(dry));
    let gap = (0.002 + 0.006) / 2.0 * 1000.0 * (2.0 * 4.0 * wet_line + 8.0 * dry_line);
    assert!((r.gap_closed_idr.mean - gap).abs() < 1e-3 * gap, "{} vs {gap}", r.gap_closed_idr.mean);
    // Benefit: Rp 1,000 × 1000 persons × months, the second year's wet season discounted by
    // 1.1; cost 1.5 M now and 0.5 M in the second year.
    let benefit = 1_000.0 * 1000.0 * (4.0 + 8.0 + 4.0 / 1.1);
    let spent = 1_500_000.0 + 500_000.0 / 1.1;
    assert!(
        (r.benefit_cost.mean - benefit / spent).abs() < 1e-9,
        "{} vs {}",
        r.benefit_cost.mean,
        benefit / spent
    );
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
