//! Calibration targets and the behaviour the model must show, on reduced populations
//! (capacities scale with households, so coverage shares are those of the real scenarios).

use crate::common::{load, paired_by_season, paired_effect, run_means, run_on, without_programme};

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn the_baseline_meets_the_calibration_targets() {
    let results = run_on(2, &[load("kupang_baseline", 30_000, 20, 4)]);
    let r = &results[0];
    let p0 = mean(&run_means(r, "p0"));
    let p1 = mean(&run_means(r, "p1"));
    let p2 = mean(&run_means(r, "p2"));
    assert!((0.19..=0.24).contains(&p0), "P0 {p0}");
    assert!((0.03..=0.05).contains(&p1), "P1 {p1}");
    assert!((0.008..=0.015).contains(&p2), "P2 {p2}");
    let k = livelihoods::metrics::index("mean_maize_yield_t_ha").unwrap();
    let yields: Vec<f64> = r.runs.iter().flatten().map(|m| m.values[k]).filter(|v| !v.is_nan()).collect();
    let y = mean(&yields);
    assert!((1.8..=2.2).contains(&y), "maize yield {y} t/ha");
}

#[test]
fn each_module_alone_lowers_poverty_and_financial_management_fades() {
    let names = [
        "kupang_baseline",
        "production_training_only",
        "cooperative_only",
        "entrepreneurship_only",
        "financial_management_only",
    ];
    let scenarios: Vec<_> = names.iter().map(|n| load(n, 20_000, 20, 10)).collect();
    let results = run_on(2, &scenarios);
    for r in &results[1..] {
        let effect = paired_effect(r, &results[0], "p0");
        assert!(effect < 0.0, "{}: mean P0 over the run changes by {effect:+}", r.scenario.name);
    }
    let savings = paired_by_season(&results[4], &results[0], "mean_savings_idr");
    let peak = savings.iter().cloned().fold(f64::MIN, f64::max);
    let late = mean(&savings[savings.len() - 4..]);
    assert!(peak > 0.0 && late < 0.5 * peak, "savings effect: peak {peak}, last four seasons {late}");
}

#[test]
fn readiness_scales_the_programme_effect() {
    let variants = ["dw4fs_low_readiness", "dw4fs", "dw4fs_high_readiness"];
    let mut scenarios = Vec::new();
    for v in variants {
        let s = load(v, 20_000, 20, 6);
        scenarios.push(without_programme(&s));
        scenarios.push(s);
    }
    let results = run_on(2, &scenarios);
    let effects: Vec<f64> = results.chunks(2).map(|pair| paired_effect(&pair[1], &pair[0], "p0")).collect();
    let (low, default, high) = (effects[0], effects[1], effects[2]);
    assert!(low < 0.0 && default < 0.0 && high < 0.0, "{effects:?}");
    assert!(low > default && default > high, "reductions must grow with readiness: {effects:?}");
}

/// Government readiness by year: a schedule that stops delivery after the first year
/// delivers in seasons 0 and 1 only; an element out of [0, 1] is an input error naming
/// the key, its line and the element.
#[test]
fn government_readiness_can_follow_a_schedule_by_year() {
    let mut stopped = load("cooperative_only", 10_000, 4, 2);
    stopped.params.government.readiness_by_year = vec![0.8, 0.0];
    let constant = load("cooperative_only", 10_000, 4, 2);
    let results = run_on(2, &[stopped, constant]);
    let participants = |r: &livelihoods::runner::ScenarioResult, season: usize| {
        let k = livelihoods::metrics::index("participants").unwrap();
        r.runs.iter().map(|run| run[season].values[k]).sum::<f64>()
    };
    for season in 0..2 {
        assert!(participants(&results[0], season) > participants(&results[1], season), "season {season}");
    }
    for season in 2..4 {
        assert_eq!(participants(&results[0], season), 0.0, "season {season}: readiness 0 delivers nothing");
        assert!(participants(&results[1], season) > 0.0);
    }
    let text = "name = \"s\"\n[government]\nreadiness_by_year = [0.5,\n  1.5]\n";
    let err = livelihoods::scenario::Scenario::from_toml_str(text).unwrap_err().to_string();
    assert!(err.contains("scenario.toml:3:"), "{err}");
    assert!(
        err.contains("government.readiness_by_year: element 2 (year 2) must be in 0..=1, got 1.5"),
        "{err}"
    );
    let text = "name = \"s\"\n[government]\nreadiness_by_year = 0.5\n";
    let err = livelihoods::scenario::Scenario::from_toml_str(text).unwrap_err().to_string();
    assert!(err.contains("must be a list of numbers"), "{err}");
}
