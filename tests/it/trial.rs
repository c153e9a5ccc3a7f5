//! The virtual trial on cases with known answers: a programme against itself, a programme
//! that reaches nobody, a world without a programme, readiness in each programme's own
//! world, and the same numbers at any thread count.

use livelihoods::compare::{cost_effectiveness, effects_csv, pairings};
use livelihoods::trial::{self, Plan, tables};

use crate::common::{compare_on, load};

/// Every `trial.csv` row of `scenario` with estimator `estimator`.
fn rows<'a>(rows: &'a [tables::TrialRow], scenario: &str, estimator: &str) -> Vec<&'a tables::TrialRow> {
    rows.iter().filter(|r| r.scenario == scenario && r.estimator == estimator).collect()
}

#[test]
fn a_programme_measured_against_itself_has_every_trial_effect_zero() {
    let dw4fs = load("dw4fs", 3_000, 6, 3);
    let mut itself = dw4fs.clone();
    itself.name = "itself".into();
    let base = load("kupang_baseline", 3_000, 6, 3);
    let mut plan = Plan::new(vec![base, dw4fs, itself], 0);
    plan.counterfactual[1] = Some(2);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let outcome = pool.install(|| trial::run(plan, 2, &|| {}));
    let all = tables::trial_rows(&outcome);
    let exact = rows(&all, "dw4fs", "exact");
    assert!(!exact.is_empty());
    for r in &exact {
        // The maize yield is measured in wet seasons only: a horizon whose few seasons are
        // all dry has no value (year 3 of a participant who first took part in a dry season
        // of this six-season run).
        if r.mean.is_none() && r.outcome == "maize_yield" {
            continue;
        }
        assert_eq!((r.mean, r.lower, r.upper), (Some(0.0), Some(0.0), Some(0.0)), "{r:?}");
    }
    assert!(exact.iter().any(|r| r.group == "participants" && r.household_seasons > Some(0.0)));
    assert!(exact.iter().filter(|r| r.mean.is_some()).count() * 10 > exact.len() * 9);
    for r in tables::group_rows(&outcome).iter().filter(|r| r.scenario == "dw4fs") {
        assert_eq!(r.effect_mean, Some(0.0), "{r:?}");
    }
}

#[test]
fn a_programme_that_reaches_nobody_has_an_empty_trial_and_no_effect() {
    let base = load("kupang_baseline", 3_000, 6, 3);
    let mut nobody = load("dw4fs", 3_000, 6, 3);
    nobody.name = "nobody".into();
    for iv in &mut nobody.interventions {
        iv.capacity_per_season = Some(0);
    }
    let outcome = compare_on(2, vec![base, nobody], 0);
    let all = tables::trial_rows(&outcome);
    assert!(all.iter().all(|r| r.group != "participants"), "participants without places");
    let ce = cost_effectiveness(&pairings(&outcome), 14_308.0, 0.06);
    assert_eq!(ce[1].cost_idr, 0.0);
    assert_eq!(ce[1].person_years_averted.mean, 0.0);
    assert_eq!(ce[1].participants, 0.0);
    assert!(ce[1].cost_per_person_year_idr[0].is_nan());
    let csv = effects_csv(&pairings(&outcome));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for line in csv.lines().skip(1) {
        for (name, cell) in header.iter().zip(line.split(',')) {
            if name.contains("_diff_") || name.contains("_world_") {
                assert_eq!(cell, "0", "{name} in {line}");
            }
        }
    }
}

#[test]
fn a_world_without_a_programme_has_its_whole_difference_in_the_world_effect() {
    let base = load("kupang_baseline", 3_000, 6, 3);
    let mut ready = base.clone();
    ready.name = "ready".into();
    ready.params.government.readiness = 0.9;
    let outcome = compare_on(2, vec![base, ready], 0);
    let csv = effects_csv(&pairings(&outcome));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let mut world_moved = false;
    for line in csv.lines().skip(1).filter(|l| l.starts_with("ready,")) {
        for (name, cell) in header.iter().zip(line.split(',')) {
            if name.contains("_diff_") || name.starts_with("persons_lifted") {
                assert_eq!(cell, "0", "{name} in {line}");
            }
            if name.starts_with("p0_world_mean") {
                world_moved |= cell != "0";
            }
        }
    }
    assert!(world_moved, "government readiness changes the world: {csv}");
    let ce = cost_effectiveness(&pairings(&outcome), 14_308.0, 0.06);
    assert_eq!(ce[1].person_years_averted.mean, 0.0);
    assert!(ce[1].world_person_years_averted.mean > 0.0, "{:?}", ce[1].world_person_years_averted);
}

#[test]
fn readiness_raises_the_programme_effect_in_its_own_world() {
    let names = ["kupang_baseline", "dw4fs_low_readiness", "dw4fs", "dw4fs_high_readiness"];
    let scenarios: Vec<_> = names.iter().map(|n| load(n, 20_000, 20, 10)).collect();
    let outcome = compare_on(2, scenarios, 0);
    // Low and high readiness get worlds of their own; dw4fs's world is the baseline.
    assert_eq!(outcome.plan.worlds.len(), 6);
    assert_eq!(outcome.plan.counterfactual[2], Some(0));
    let ce = cost_effectiveness(&pairings(&outcome), 14_308.0, 0.06);
    let averted: Vec<_> = ce[1..].iter().map(|r| r.person_years_averted).collect();
    // Each interval above zero, and the intervals ordered low < default < high.
    assert!(averted[0].ci_lo > 0.0, "low readiness still averts poverty in its own world: {averted:?}");
    assert!(averted[0].ci_hi < averted[1].ci_lo && averted[1].ci_hi < averted[2].ci_lo, "{averted:?}");
    // The low-readiness world itself has more poverty than the baseline.
    assert!(ce[1].world_person_years_averted.ci_hi < 0.0, "{:?}", ce[1].world_person_years_averted);
}

#[test]
fn participants_gain_and_the_trial_tables_are_the_same_at_any_thread_count() {
    let scenarios = || {
        vec![
            load("kupang_baseline", 6_000, 12, 4),
            load("dw4fs", 6_000, 12, 4),
            load("production_training_only", 6_000, 12, 4),
        ]
    };
    let one = compare_on(1, scenarios(), 0);
    let two = compare_on(2, scenarios(), 0);
    let csv = |o: &trial::Outcome| {
        [
            tables::to_csv(&tables::trial_rows(o)).unwrap(),
            tables::to_csv(&tables::group_rows(o)).unwrap(),
            tables::to_csv(&tables::dynamics_rows(o)).unwrap(),
        ]
    };
    assert_eq!(csv(&one), csv(&two));
    let all = tables::trial_rows(&two);
    let consumption = all
        .iter()
        .find(|r| {
            r.scenario == "dw4fs"
                && r.module == "any"
                && r.group == "participants"
                && r.estimator == "exact"
                && r.outcome == "consumption_pc"
                && r.years_since_start == "run"
        })
        .expect("participants' consumption over the run");
    assert!(consumption.lower > Some(0.0), "{consumption:?}");
    // The randomised trial exists where invitations are drawn by lottery.
    assert!(all.iter().any(|r| {
        r.scenario == "production_training_only" && r.estimator == "itt" && r.outcome == "consumption_pc"
    }));
}
