//! The virtual trial across replications: `trial.csv`, `effects_by_group.csv` and
//! `dynamics.csv`, each a table in long format with the mean and 95 % confidence interval
//! (Student's t across replications) of every estimate.

use serde::Serialize;

use super::outcomes::{DIMENSIONS, GROUPS, HORIZONS, OUTCOMES};
use super::sums::{Arm, Level};
use super::sums::{Dynamics, Exact, TrialSums};
use super::{Outcome, Plan};
use crate::summary::Stat;

/// A mean with its 95 % confidence interval; NaN where it does not exist.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Estimate {
    /// Mean across replications.
    pub mean: f64,
    /// Lower end of the 95 % confidence interval.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

impl Estimate {
    /// Of the replications' `values` (NaN ignored).
    pub fn of(values: &[f64]) -> Self {
        let s = Stat::of(values);
        Self { mean: s.mean, lower: s.ci_lo, upper: s.ci_hi }
    }
}

/// A row of `trial.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrialRow {
    /// Scenario.
    pub scenario: String,
    /// Module, or `any`.
    pub module: &'static str,
    /// `participants`, `spillover`, `elsewhere`, or the trial's `invited`.
    pub group: &'static str,
    /// `exact` (twin difference), `itt` (invited against not invited) or `iv` (effect of
    /// taking part, the invitation as instrument).
    pub estimator: &'static str,
    /// Outcome.
    pub outcome: &'static str,
    /// Unit of the outcome.
    pub unit: &'static str,
    /// Years since the start (`1`, `2`, `5`) or `run`.
    pub years_since_start: &'static str,
    /// Effect, mean across replications.
    pub mean: Option<f64>,
    /// Lower end of its 95 % confidence interval.
    pub lower: Option<f64>,
    /// Upper end.
    pub upper: Option<f64>,
    /// The comparison's level: counterfactual mean (exact) or the not-invited arm's mean.
    pub counterfactual_mean: Option<f64>,
    /// Effect over the comparison's level.
    pub relative_effect: Option<f64>,
    /// Household-seasons the estimate rests on, mean per replication.
    pub household_seasons: Option<f64>,
}

/// `x` where it is a number, `None` (an empty CSV cell) where it is not.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `sum / n`; NaN for an empty bucket.
fn per(sum: f64, n: f64) -> f64 {
    if n > 0.0 { sum / n } else { f64::NAN }
}

/// Every row of `trial.csv` for the programmes of `outcome`.
pub fn trial_rows(outcome: &Outcome) -> Vec<TrialRow> {
    let mut rows = Vec::new();
    for (w, sums) in outcome.sums.iter().enumerate() {
        if outcome.plan.counterfactual[w].is_none() {
            continue;
        }
        let name = &outcome.plan.worlds[w].name;
        exact_rows(name, sums, &mut rows);
        trial_estimator_rows(name, sums, &mut rows);
    }
    rows
}

fn exact_rows(name: &str, sums: &[TrialSums], rows: &mut Vec<TrialRow>) {
    for (g, &(module, group)) in GROUPS.iter().enumerate() {
        for (h, &horizon) in HORIZONS.iter().enumerate() {
            let buckets: Vec<&Exact> = sums.iter().map(|s| &s.exact[g][h]).collect();
            if buckets.iter().all(|b| b.n == 0.0) {
                continue;
            }
            let households: Vec<f64> = buckets.iter().map(|b| b.n).collect();
            for (k, o) in OUTCOMES.iter().enumerate() {
                let n = |b: &Exact| if o.wet_only { b.n_wet } else { b.n };
                let effect: Vec<f64> = buckets.iter().map(|b| per(b.diff[k], n(b))).collect();
                let level: Vec<f64> = buckets.iter().map(|b| per(b.counterfactual[k], n(b))).collect();
                let key = RowKey { scenario: name, module, group, estimator: "exact", horizon };
                rows.push(key.row(o, &effect, &level, &households));
            }
        }
    }
}

fn trial_estimator_rows(name: &str, sums: &[TrialSums], rows: &mut Vec<TrialRow>) {
    for (h, &horizon) in HORIZONS.iter().enumerate() {
        let arms: Vec<(&Arm, &Arm)> = sums.iter().map(|s| (&s.arms[0][h], &s.arms[1][h])).collect();
        if arms.iter().any(|(i, c)| i.n == 0.0 || c.n == 0.0) {
            continue;
        }
        let households: Vec<f64> = arms.iter().map(|(i, c)| i.n + c.n).collect();
        let first_stage: Vec<f64> =
            arms.iter().map(|(i, c)| per(i.took_part, i.n) - per(c.took_part, c.n)).collect();
        for (k, o) in OUTCOMES.iter().enumerate() {
            let mean = |a: &Arm| per(a.level[k], if o.wet_only { a.n_wet } else { a.n });
            let itt: Vec<f64> = arms.iter().map(|(i, c)| mean(i) - mean(c)).collect();
            let control: Vec<f64> = arms.iter().map(|(_, c)| mean(c)).collect();
            let iv: Vec<f64> = itt.iter().zip(&first_stage).map(|(x, f)| x / f).collect();
            for (estimator, values) in [("itt", &itt), ("iv", &iv)] {
                let key = RowKey { scenario: name, module: "any", group: "invited", estimator, horizon };
                rows.push(key.row(o, values, &control, &households));
            }
        }
    }
}

/// What names a row of `trial.csv` besides its outcome.
struct RowKey<'a> {
    scenario: &'a str,
    module: &'static str,
    group: &'static str,
    estimator: &'static str,
    horizon: &'static str,
}

impl RowKey<'_> {
    /// The row of outcome `o` from its per-replication `effects`, comparison `levels` and
    /// `household_seasons`.
    fn row(
        &self,
        o: &super::outcomes::Outcome,
        effects: &[f64],
        levels: &[f64],
        household_seasons: &[f64],
    ) -> TrialRow {
        let e = Estimate::of(effects);
        let level = Estimate::of(levels).mean;
        TrialRow {
            scenario: self.scenario.to_string(),
            module: self.module,
            group: self.group,
            estimator: self.estimator,
            outcome: o.name,
            unit: o.unit,
            years_since_start: self.horizon,
            mean: finite(e.mean),
            lower: finite(e.lower),
            upper: finite(e.upper),
            counterfactual_mean: finite(level),
            relative_effect: finite(e.mean / level),
            household_seasons: finite(Estimate::of(household_seasons).mean),
        }
    }
}

/// A row of `effects_by_group.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRow {
    /// Scenario.
    pub scenario: String,
    /// Dimension (`initial_poverty`, `location`, …).
    pub dimension: &'static str,
    /// Level of the dimension.
    pub level: &'static str,
    /// `p0`, `p1`, `p2`, `consumption_pc_idr` or `persons_lifted`.
    pub metric: &'static str,
    /// Level in the programme world over the run (persons lifted: 0).
    pub programme: Option<f64>,
    /// Level in the counterfactual over the run.
    pub counterfactual: Option<f64>,
    /// Programme minus counterfactual (persons lifted: persons out of poverty thanks to
    /// the programme, averaged over the run's seasons), mean across replications.
    pub effect_mean: Option<f64>,
    /// Lower end of the 95 % confidence interval.
    pub effect_lower: Option<f64>,
    /// Upper end.
    pub effect_upper: Option<f64>,
    /// Households in the level (at the start; participation: mean per season).
    pub households: Option<f64>,
}

/// Metrics of `effects_by_group.csv`.
pub(crate) const GROUP_METRICS: [&str; 5] = ["p0", "p1", "p2", "consumption_pc_idr", "persons_lifted"];

/// Every row of `effects_by_group.csv`.
pub fn group_rows(outcome: &Outcome) -> Vec<GroupRow> {
    let mut rows = Vec::new();
    for (w, sums) in outcome.sums.iter().enumerate() {
        if outcome.plan.counterfactual[w].is_none() {
            continue;
        }
        let name = &outcome.plan.worlds[w].name;
        let seasons = f64::from(outcome.plan.worlds[w].seasons);
        let levels: Vec<&[Level]> = sums.iter().map(|s| s.levels.as_slice()).collect();
        let mut l = 0;
        for &(dimension, names) in &DIMENSIONS {
            for &level in names {
                group_level_rows(name, dimension, level, &levels, l, seasons, &mut rows);
                l += 1;
            }
        }
    }
    rows
}

fn group_level_rows(
    name: &str,
    dimension: &'static str,
    level: &'static str,
    by_replication: &[&[Level]],
    l: usize,
    seasons: f64,
    rows: &mut Vec<GroupRow>,
) {
    let levels: Vec<&Level> = by_replication.iter().map(|r| &r[l]).collect();
    // Participation changes over the run: no count at the start.
    let households = if dimension == "participation" {
        f64::NAN
    } else {
        levels.iter().map(|x| x.households).sum::<f64>() / levels.len() as f64
    };
    for (m, metric) in GROUP_METRICS.iter().enumerate() {
        let value = |w: usize| -> Vec<f64> {
            levels.iter().map(|x| if m < 4 { per(x.worlds[w][m], x.persons) } else { f64::NAN }).collect()
        };
        let effect: Vec<f64> = if m == 4 {
            levels.iter().map(|x| (x.worlds[1][0] - x.worlds[0][0]) / seasons).collect()
        } else {
            value(0).iter().zip(value(1)).map(|(p, c)| p - c).collect()
        };
        let e = Estimate::of(&effect);
        let (p, c) = if m == 4 {
            (f64::NAN, f64::NAN)
        } else {
            (Estimate::of(&value(0)).mean, Estimate::of(&value(1)).mean)
        };
        rows.push(GroupRow {
            scenario: name.to_string(),
            dimension,
            level,
            metric,
            programme: finite(p),
            counterfactual: finite(c),
            effect_mean: finite(e.mean),
            effect_lower: finite(e.lower),
            effect_upper: finite(e.upper),
            households: finite(households),
        });
    }
}

/// A row of `dynamics.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DynamicsRow {
    /// Scenario.
    pub scenario: String,
    /// `scenario` (the world as run), `counterfactual` (its world without the programme)
    /// or `effect` (the first minus the second, paired by replication).
    pub world: &'static str,
    /// Metric (see `DYNAMICS_METRICS`).
    pub metric: &'static str,
    /// Mean across replications.
    pub mean: Option<f64>,
    /// Lower end of the 95 % confidence interval.
    pub lower: Option<f64>,
    /// Upper end.
    pub upper: Option<f64>,
}

/// Metrics of `dynamics.csv`: shares of persons chronically poor (poor in more than half of
/// the seasons), transiently poor and never poor; persons entering and leaving poverty per
/// season; persons whose exit from poverty lasted two years or more.
pub(crate) const DYNAMICS_METRICS: [&str; 6] = [
    "chronic_share",
    "transient_share",
    "never_poor_share",
    "entries_per_season",
    "exits_per_season",
    "lasting_exits_persons",
];

/// The [`DYNAMICS_METRICS`] of one world in one replication.
pub(crate) fn dynamics_values(d: &Dynamics) -> [f64; 6] {
    [
        per(d.chronic, d.persons),
        per(d.transient, d.persons),
        per(d.never, d.persons),
        per(d.entries, d.seasons),
        per(d.exits, d.seasons),
        d.lasting_exits,
    ]
}

/// Every row of `dynamics.csv`.
pub fn dynamics_rows(outcome: &Outcome) -> Vec<DynamicsRow> {
    let mut rows = Vec::new();
    for (w, sums) in outcome.sums.iter().enumerate() {
        let name = &outcome.plan.worlds[w].name;
        let own: Vec<[f64; 6]> = sums.iter().map(|s| dynamics_values(&s.dynamics[0])).collect();
        let paired = outcome.plan.counterfactual[w].is_some();
        let cf: Vec<[f64; 6]> = sums.iter().map(|s| dynamics_values(&s.dynamics[1])).collect();
        for (k, metric) in DYNAMICS_METRICS.iter().enumerate() {
            let mut push = |world, values: Vec<f64>| {
                let e = Estimate::of(&values);
                rows.push(DynamicsRow {
                    scenario: name.clone(),
                    world,
                    metric,
                    mean: finite(e.mean),
                    lower: finite(e.lower),
                    upper: finite(e.upper),
                });
            };
            push("scenario", own.iter().map(|v| v[k]).collect());
            if paired {
                push("counterfactual", cf.iter().map(|v| v[k]).collect());
                push("effect", own.iter().zip(&cf).map(|(a, b)| a[k] - b[k]).collect());
            }
        }
    }
    rows
}

/// Persons lifted out of poverty for at least two years by the programme of world `w`, per
/// replication (lasting exits in the programme world minus in its counterfactual).
pub(crate) fn lasting_exits_averted(sums: &[TrialSums]) -> Vec<f64> {
    sums.iter().map(|s| s.dynamics[0].lasting_exits - s.dynamics[1].lasting_exits).collect()
}

/// Write `rows` as CSV with a header.
///
/// # Errors
/// A row that cannot be serialised (a bug).
pub fn to_csv<T: Serialize>(rows: &[T]) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(std::io::Error::other)?;
    }
    let bytes = w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

/// The plan's description of which world each programme is measured against.
pub(crate) fn counterfactual_name(plan: &Plan, w: usize) -> Option<&str> {
    plan.counterfactual[w].map(|c| plan.worlds[c].name.as_str())
}
