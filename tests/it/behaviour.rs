//! Calibration targets and the behaviour the model must show, on reduced populations
//! (capacities scale with households, so coverage shares are those of the real scenarios).

use crate::common::{load, paired_by_season, paired_effect, run_on, without_programme};

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Every target of `scenarios/targets/kupang.toml` is met as the calibration accepts a
/// point: implausibility |observed − model| / √(sd² + discrepancy² + the model mean's
/// variance) at most 3 (MODEL.md §8).
#[test]
fn the_baseline_meets_the_calibration_targets() {
    let results = run_on(2, &[load("kupang_baseline", 30_000, 20, 10)]);
    let runs = &results[0].runs;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/targets/kupang.toml");
    let targets = livelihoods::calibration::targets::load(&path).unwrap();
    assert!(targets.len() >= 6, "P0, P1, P2, Gini, bottom-40 share and yield");
    for t in &targets {
        let values: Vec<f64> = runs.iter().map(|run| t.statistic.of(run)).collect();
        let m = mean(&values);
        let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64;
        let spread = (t.sd.powi(2) + t.discrepancy_sd.powi(2) + var / values.len() as f64).sqrt();
        let implausibility = (t.value - m).abs() / spread;
        assert!(
            implausibility <= 3.0,
            "{}: model {m:.4}, target {} (implausibility {implausibility:.2})",
            t.name,
            t.value
        );
    }
}

/// The baseline starts in the model's stationary state: over 40 observed seasons, the mean
/// within-replication OLS trend of P0 lies within ±0.03 percentage points a year (and the
/// adopter share, the slowest state, does not drift by more than 0.1 point a year). A
/// replication's trend varies by about ±0.1 pp a year with its weather and prices, the
/// same at any size: 200 replications of 20,000 households give the mean to ±0.016.
#[test]
fn the_baseline_has_no_trend() {
    let results = run_on(2, &[load("kupang_baseline", 20_000, 40, 200)]);
    let trend = |metric: &str| {
        let k = livelihoods::metrics::index(metric).unwrap();
        let slopes: Vec<f64> = results[0]
            .runs
            .iter()
            .map(|run| {
                let years: Vec<f64> = run.iter().map(|m| f64::from(m.season) / 2.0).collect();
                let values: Vec<f64> = run.iter().map(|m| m.values[k]).collect();
                let (mx, my) = (mean(&years), mean(&values));
                let sxy: f64 = years.iter().zip(&values).map(|(x, y)| (x - mx) * (y - my)).sum();
                let sxx: f64 = years.iter().map(|x| (x - mx).powi(2)).sum();
                sxy / sxx
            })
            .collect();
        mean(&slopes)
    };
    let p0 = trend("p0") * 100.0;
    assert!(p0.abs() <= 0.03, "P0 trend {p0:+.4} pp a year");
    let adopters = trend("adopters_share") * 100.0;
    assert!(adopters.abs() <= 0.1, "adopter share trend {adopters:+.4} points a year");
}

/// Prices cut both ways: a moderate El Niño (yields −15 %, the maize price +20 %) raises
/// poverty, through the net buyers' shortfall and the food line's staple cost, rather than
/// leaving it unchanged as a world of net sellers and a fixed line would.
#[test]
fn el_nino_years_are_poorer() {
    let results = run_on(2, &[load("kupang_baseline", 20_000, 20, 10)]);
    let (p0, el_nino) =
        (livelihoods::metrics::index("p0").unwrap(), livelihoods::metrics::index("el_nino").unwrap());
    let mean_in = |state: f64| {
        let values: Vec<f64> = results[0]
            .runs
            .iter()
            .flatten()
            .filter(|m| m.values[el_nino] == state)
            .map(|m| m.values[p0])
            .collect();
        assert!(values.len() >= 10, "{} seasons in El Niño state {state}", values.len());
        mean(&values)
    };
    let (none, moderate, strong) = (mean_in(0.0), mean_in(1.0), mean_in(2.0));
    assert!(moderate > none + 0.01, "P0: no El Niño {none:.4}, moderate {moderate:.4}");
    assert!(strong > none + 0.02, "P0: no El Niño {none:.4}, strong {strong:.4}");
}

/// A maize price 20 % lower, in the same world otherwise (common random numbers), hurts
/// the households that grow far more than they eat — their consumption against the
/// season's line falls — and helps those whose land cannot feed them, who pay less for the
/// maize they buy and face a line whose maize costs less. Each side's mean change lies
/// beyond zero by its 95 % interval over replications.
#[test]
fn a_lower_maize_price_hurts_sellers_and_helps_buyers() {
    use livelihoods::engine::{Execution, StepOptions, World, step_season};
    use livelihoods::metrics::Lines;
    use livelihoods::model::season::Noise;
    use livelihoods::params::SeasonKind;
    use livelihoods::rng::RunKey;
    use livelihoods::summary::Stat;
    let base = load("kupang_baseline", 20_000, 2, 1);
    let mut low = base.clone();
    low.params.prices.maize_idr_per_kg *= 0.8;
    let options = StepOptions { execution: Execution::default(), keep_distribution: false };
    let (mut sellers, mut buyers) = (Vec::new(), Vec::new());
    for replication in 0..4 {
        let run = RunKey { seed: base.seed, replication };
        // Each world's households at the end and the real consumption (against the last
        // season's line) of each.
        let real = |s: &livelihoods::scenario::Scenario| {
            let noise = Noise::new(&s.params);
            let mut world = World::new(s, &noise, replication, livelihoods::cpu::Cpu::best());
            let steps = s.params.calendar.spin_up_seasons + s.seasons;
            let last =
                (0..steps).filter_map(|step| step_season(&mut world, s, &noise, run, step, options)).last();
            let price = last.unwrap().value("maize_price_idr_per_kg").unwrap();
            let line = Lines::of_season(&s.params, SeasonKind::Dry, price).poverty_idr;
            let hh: Vec<_> = world.households.iter().collect();
            hh.iter().map(|h| (f64::from(h.consumption_pc_idr_month) / line, *h)).collect::<Vec<_>>()
        };
        let (mut sold, mut bought) = (Vec::new(), Vec::new());
        for ((r0, h), (r1, _)) in real(&base).into_iter().zip(real(&low)) {
            // A normal harvest on the household's land against what its members eat.
            let harvest_kg = f64::from(h.land_ha) * base.params.farm.base_yield_t_ha * 1000.0;
            let need_kg = f64::from(h.members) * base.params.prices.staple_kg_per_person_year;
            if harvest_kg > 3.0 * need_kg {
                sold.push(r1 - r0);
            } else if harvest_kg < need_kg {
                bought.push(r1 - r0);
            }
        }
        sellers.push(mean(&sold));
        buyers.push(mean(&bought));
    }
    // The 95 % confidence interval of each mean over the replications.
    let (s, b) = (Stat::of(&sellers), Stat::of(&buyers));
    assert!(s.ci_hi < -0.02, "sellers' consumption against the line changes by {s:?}");
    assert!(b.ci_lo > 0.0, "buyers' consumption against the line changes by {b:?}");
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
    // Capability decays (half-life 7 months): the cheaper credit it gives is gone by the
    // end, so the debt the trainees carry returns to their twins' level.
    let debt = paired_by_season(&results[4], &results[0], "mean_debt_idr");
    let peak = debt.iter().map(|d| d.abs()).fold(0.0, f64::max);
    let late = mean(&debt[debt.len() - 4..]).abs();
    assert!(peak > 0.0 && late < 0.5 * peak, "debt effect: largest {peak}, last four seasons {late}");
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
