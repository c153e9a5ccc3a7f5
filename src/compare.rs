//! Scenarios against a baseline: paired effects with confidence intervals, persons lifted
//! out of poverty, and cost-effectiveness.
//!
//! Pairing is replication by replication: replication r of every scenario uses the same seed
//! stream, so it shares weather, prices, household traits and shocks with replication r of
//! the baseline (common random numbers), and the difference between the two is the effect of
//! policy. Scenarios can only be paired when they share seed, replications, seasons,
//! households and calendar; [`check_pairing`] refuses anything else.

use std::fmt::Write as _;

use crate::metrics::{self, SeasonMetrics};
use crate::output::number;
use crate::params::SeasonKind;
use crate::runner::ScenarioResult;
use crate::scenario::{Origin, Problem, Problems, Scenario};
use crate::summary::Stat;

/// Metrics whose effects are reported.
pub const COMPARED: [&str; 4] = ["p0", "p1", "p2", "mean_consumption_pc_idr"];

/// Rupiah per US dollar used for costs in dollars unless told otherwise (official rate 2021).
pub const DEFAULT_IDR_PER_USD: f64 = 14_308.0;

/// The index of the baseline among `scenarios`, if every scenario can be paired with it.
///
/// # Errors
/// An empty list, an unknown baseline name, or scenarios that differ in seed, replications,
/// seasons, households, base year or spin-up.
pub fn check_pairing(scenarios: &[Scenario], baseline: &str) -> Result<usize, Problems> {
    let command_line = Origin::command_line();
    if scenarios.is_empty() {
        return Err(Problems(vec![Problem::new(command_line, "compare", "no scenarios to compare")]));
    }
    let Some(b) = scenarios.iter().position(|s| s.name == baseline) else {
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        let message = format!("\"{baseline}\" is not among the scenarios ({})", names.join(", "));
        return Err(Problems(vec![Problem::new(command_line, "--baseline", message)]));
    };
    let base = &scenarios[b];
    let facts = |s: &Scenario| -> [(&'static str, u64); 6] {
        [
            ("seed", s.seed),
            ("replications", u64::from(s.replications)),
            ("seasons", u64::from(s.seasons)),
            ("population.households", s.params.population.households),
            ("calendar.base_year", u64::from(s.params.calendar.base_year)),
            ("calendar.spin_up_seasons", u64::from(s.params.calendar.spin_up_seasons)),
        ]
    };
    let mut problems = Vec::new();
    for s in scenarios {
        for ((key, value), (_, wanted)) in facts(s).into_iter().zip(facts(base)) {
            if value != wanted {
                let message = format!(
                    "is {value} but the baseline \"{}\" has {wanted}: scenarios must share it to be paired \
                     replication by replication",
                    base.name
                );
                problems.push(Problem::new(Origin::file(&s.path), key, message));
            }
        }
    }
    if problems.is_empty() { Ok(b) } else { Err(Problems(problems)) }
}

fn column(runs: &[Vec<SeasonMetrics>], season: usize, k: usize) -> Vec<f64> {
    runs.iter().map(|r| r[season].values[k]).collect()
}

/// `effects.csv`: per scenario × season, each compared metric's mean and 95 % CI, its paired
/// difference from the baseline with 95 % CI, and the persons lifted out of poverty.
pub fn effects_csv(results: &[ScenarioResult], baseline: usize) -> String {
    let mut s = String::from("scenario,season,year,season_kind");
    for m in COMPARED {
        let _ = write!(s, ",{m}_mean,{m}_ci_lo,{m}_ci_hi,{m}_diff_mean,{m}_diff_ci_lo,{m}_diff_ci_hi");
    }
    s.push_str(",persons_lifted_mean,persons_lifted_ci_lo,persons_lifted_ci_hi\n");
    let base = &results[baseline].runs;
    let p0 = metrics::index("p0").expect("p0 is a metric");
    let persons = metrics::index("persons").expect("persons is a metric");
    for result in results {
        for (season, m) in result.runs[0].iter().enumerate() {
            let _ = write!(s, "{},{},{},{}", result.scenario.name, m.season, m.year, m.season_kind);
            for name in COMPARED {
                let k = metrics::index(name).expect("compared metrics are metrics");
                let values = column(&result.runs, season, k);
                let diffs: Vec<f64> =
                    values.iter().zip(column(base, season, k)).map(|(v, b)| v - b).collect();
                let (v, d) = (Stat::of(&values), Stat::of(&diffs));
                for x in [v.mean, v.ci_lo, v.ci_hi, d.mean, d.ci_lo, d.ci_hi] {
                    s.push(',');
                    s.push_str(&number(x));
                }
            }
            let lifted: Vec<f64> = result
                .runs
                .iter()
                .zip(base)
                .map(|(r, b)| (b[season].values[p0] - r[season].values[p0]) * r[season].values[persons])
                .collect();
            let l = Stat::of(&lifted);
            let _ = writeln!(s, ",{},{},{}", number(l.mean), number(l.ci_lo), number(l.ci_hi));
        }
    }
    s
}

/// Cost-effectiveness of one scenario against the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct CostEffectiveness {
    /// Scenario name.
    pub scenario: String,
    /// Programme cost over the run, rupiah (mean across replications).
    pub cost_idr: f64,
    /// The same in US dollars.
    pub cost_usd: f64,
    /// Poverty-person-years averted over the run (paired by replication).
    pub person_years_averted: Stat,
    /// Rupiah per poverty-person-year averted: cost over the mean, and over the ends of its
    /// confidence interval (NaN where the interval reaches zero or below).
    pub cost_per_person_year_idr: [f64; 3],
    /// Households that took part in at least one module (mean across replications).
    pub participants: f64,
    /// Rupiah per participant.
    pub cost_per_participant_idr: f64,
}

/// Cost-effectiveness of every scenario against the baseline.
pub fn cost_effectiveness(
    results: &[ScenarioResult],
    baseline: usize,
    idr_per_usd: f64,
) -> Vec<CostEffectiveness> {
    let base = &results[baseline];
    let index = |name| metrics::index(name).expect("a metric");
    let (p0, persons, cost, ever) =
        (index("p0"), index("persons"), index("programme_cost_idr"), index("ever_participants"));
    let params = &base.scenario.params;
    let years = |m: &SeasonMetrics| {
        let kind = if m.season_kind == "wet" { SeasonKind::Wet } else { SeasonKind::Dry };
        params.months(kind) / 12.0
    };
    results
        .iter()
        .map(|r| {
            let averted: Vec<f64> = r
                .runs
                .iter()
                .zip(&base.runs)
                .map(|(run, b)| {
                    run.iter()
                        .zip(b)
                        .map(|(m, bm)| (bm.values[p0] - m.values[p0]) * m.values[persons] * years(m))
                        .sum()
                })
                .collect();
            let last = |k: usize| {
                r.runs.iter().map(|run| run.last().map_or(0.0, |m| m.values[k])).sum::<f64>()
                    / r.runs.len() as f64
            };
            let cost_idr = last(cost);
            let participants = last(ever);
            let ppya = Stat::of(&averted);
            let per = |x: f64| if x > 0.0 { cost_idr / x } else { f64::NAN };
            CostEffectiveness {
                scenario: r.scenario.name.clone(),
                cost_idr,
                cost_usd: cost_idr / idr_per_usd,
                cost_per_person_year_idr: [per(ppya.mean), per(ppya.ci_hi), per(ppya.ci_lo)],
                person_years_averted: ppya,
                participants,
                cost_per_participant_idr: if participants > 0.0 { cost_idr / participants } else { f64::NAN },
            }
        })
        .collect()
}

/// `cost_effectiveness.csv`: one row per scenario.
pub fn cost_effectiveness_csv(rows: &[CostEffectiveness], idr_per_usd: f64) -> String {
    let mut s = String::from(
        "scenario,programme_cost_idr,programme_cost_usd,idr_per_usd,poverty_person_years_averted_mean,\
         poverty_person_years_averted_ci_lo,poverty_person_years_averted_ci_hi,cost_per_ppya_idr,\
         cost_per_ppya_idr_lo,cost_per_ppya_idr_hi,participants,cost_per_participant_idr\n",
    );
    for r in rows {
        let p = &r.person_years_averted;
        let [mid, lo, hi] = r.cost_per_person_year_idr;
        let cells = [
            r.cost_idr,
            r.cost_usd,
            idr_per_usd,
            p.mean,
            p.ci_lo,
            p.ci_hi,
            mid,
            lo,
            hi,
            r.participants,
            r.cost_per_participant_idr,
        ];
        s.push_str(&r.scenario);
        for x in cells {
            s.push(',');
            s.push_str(&number(x));
        }
        s.push('\n');
    }
    s
}
