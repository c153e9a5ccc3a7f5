//! The report's answers: each programme in its own world, its effect on participants and for
//! whom, the poverty dynamics it changes, from `cost_effectiveness.csv`, `trial.csv`,
//! `effects_by_group.csv` and `dynamics.csv`.

use std::io;

use super::format::{self, DASH};
use super::html::{Cell, Line, TableView};
use super::{ComparisonInfo, Table};
use crate::plot::{Axis, Forest};
use crate::trial::evidence::{CLAIMS, Measure, Measured, holds};
use crate::trial::{DIMENSIONS, HORIZONS};

/// The data files the answers are read from.
pub(crate) struct Files<'a> {
    pub(crate) info: &'a ComparisonInfo,
    pub(crate) cost: &'a Table,
    pub(crate) trial: &'a Table,
    pub(crate) groups: &'a Table,
    pub(crate) dynamics: &'a Table,
}

/// An estimate read from a table: mean and its 95 % interval.
#[derive(Clone, Copy, Debug)]
struct Estimate {
    mean: f64,
    lower: f64,
    upper: f64,
}

impl Estimate {
    const NONE: Self = Self { mean: f64::NAN, lower: f64::NAN, upper: f64::NAN };

    fn scaled(self, by: f64) -> Self {
        Self { mean: self.mean / by, lower: self.lower / by, upper: self.upper / by }
    }

    /// `mean` over `[lower to upper]`, each end written by `f`.
    fn cell(self, f: impl Fn(f64) -> String) -> Cell {
        if !self.mean.is_finite() {
            return Cell::text(DASH);
        }
        Cell::lines(vec![
            Line { key: None, text: f(self.mean) },
            Line { key: None, text: format::interval(&f(self.lower), &f(self.upper)) },
        ])
    }
}

/// The first row of `t` whose columns `keys` hold `values`.
fn find<'t>(t: &'t Table, keys: &[&str], values: &[&str]) -> io::Result<Option<&'t Vec<String>>> {
    let cols: Vec<usize> = keys.iter().map(|k| t.column(k)).collect::<io::Result<_>>()?;
    Ok(t.rows().iter().find(|r| cols.iter().zip(values).all(|(&c, v)| r.get(c).is_some_and(|x| x == v))))
}

/// `mean, lower, upper` columns (named `prefix` + each) of `row`.
fn estimate(t: &Table, row: Option<&Vec<String>>, names: [&str; 3]) -> io::Result<Estimate> {
    let Some(r) = row else { return Ok(Estimate::NONE) };
    Ok(Estimate {
        mean: t.number(r, t.column(names[0])?),
        lower: t.number(r, t.column(names[1])?),
        upper: t.number(r, t.column(names[2])?),
    })
}

impl Files<'_> {
    /// The scenarios with a programme, in the comparison's order.
    fn programmes(&self) -> io::Result<Vec<String>> {
        let (scenario, cost) = (self.cost.column("scenario")?, self.cost.column("programme_cost_idr")?);
        Ok(self
            .cost
            .rows()
            .iter()
            .filter(|r| self.cost.number(r, cost) > 0.0)
            .map(|r| r[scenario].clone())
            .collect())
    }

    /// A row of `trial.csv`: its effect, and the effect relative to the comparison's level.
    fn trial(&self, key: [&str; 6]) -> io::Result<(Estimate, Estimate)> {
        let t = self.trial;
        let row =
            find(t, &["scenario", "module", "group", "estimator", "outcome", "years_since_start"], &key)?;
        let e = estimate(t, row, ["mean", "lower", "upper"])?;
        let level = row.map_or(Ok(f64::NAN), |r| t.column("counterfactual_mean").map(|c| t.number(r, c)))?;
        Ok((e, e.scaled(level)))
    }

    /// A cost-effectiveness figure of `scenario` (NaN without its row).
    fn cost_of(&self, scenario: &str, column: &str) -> io::Result<f64> {
        let row = find(self.cost, &["scenario"], &[scenario])?;
        let c = self.cost.column(column)?;
        Ok(row.map_or(f64::NAN, |r| self.cost.number(r, c)))
    }

    fn cost_estimate(&self, scenario: &str, stem: &str) -> io::Result<Estimate> {
        let row = find(self.cost, &["scenario"], &[scenario])?;
        estimate(
            self.cost,
            row,
            [&format!("{stem}_mean"), &format!("{stem}_ci_lo"), &format!("{stem}_ci_hi")],
        )
    }

    fn counterfactual(&self, scenario: &str) -> String {
        self.info
            .scenario
            .iter()
            .find(|s| s.name == scenario)
            .map_or_else(String::new, |s| s.counterfactual.clone())
    }
}

/// A cost per unit, or "–" with the reason.
fn per_unit(x: f64, why: &str) -> Cell {
    if x.is_finite() { Cell::text(format::rupiah(x)) } else { Cell::text(DASH).note(why) }
}

/// The lead table: per programme, its effect in its own world, on participants, its cost per
/// outcome, and beside it the world's own effect where the world is not the baseline's.
pub(crate) fn answer(f: &Files) -> io::Result<TableView> {
    let mut t = TableView::new(
        "answer",
        &[
            ("scenario", false),
            ("poverty-person-years averted", true),
            ("participants' consumption", true),
            ("participants' poverty rate", true),
            ("cost per person-year averted", true),
            ("cost per person lifted ≥ 2 years", true),
            ("benefit / cost", true),
            ("the world itself, no programme", true),
        ],
    );
    for s in f.programmes()? {
        let (_, consumption) = f.trial([&s, "any", "participants", "exact", "consumption_pc", "run"])?;
        let (poor, _) = f.trial([&s, "any", "participants", "exact", "poor", "run"])?;
        let averted = f.cost_estimate(&s, "poverty_person_years_averted")?;
        let world = f.counterfactual(&s);
        let world_cell = if world == f.info.baseline || world.is_empty() {
            Cell::text("the baseline's world")
        } else {
            let w = f.cost_estimate(&s, "world_person_years_averted")?;
            let words = if w.mean >= 0.0 { "fewer" } else { "more" };
            Cell::lines(vec![
                Line { key: None, text: format!("{} {words}", format::thousands(w.mean.abs())) },
                Line { key: None, text: "poverty-person-years".into() },
            ])
        };
        let bc = f.cost_estimate(&s, "benefit_cost")?;
        t.rows.push(vec![
            Cell::header(&s),
            averted.cell(format::thousands),
            consumption.cell(|x| format::percent(x, 2)),
            poor.cell(|x| format::points(x, 2)),
            per_unit(f.cost_of(&s, "cost_per_ppya_idr")?, "no poverty averted"),
            per_unit(f.cost_of(&s, "cost_per_lasting_exit_idr")?, "nobody lifted for two years, net"),
            bc.cell(|x| format::decimal(x, 2)),
            world_cell,
        ]);
    }
    t.notes.push(
        "Every programme is measured against its own world: the same scenario without its interventions, with the \
         same households and the same shocks (common random numbers); 95 % confidence intervals in brackets. \
         Poverty-person-years averted: persons kept above the poverty line, times years, over the run. \
         Participants: households that took part in any module, from their first participation on; their \
         consumption per person (change against their twins, % of the twins' level) and poverty rate (pp). A \
         person lifted ≥ 2 years: poor, then out of poverty for four seasons in a row (net of those who would have \
         left poverty anyway); the net count can fall below zero while poverty falls, because households kept from \
         falling into poverty have none to climb out of. Benefit/cost: discounted consumption gain of everyone over discounted cost. Where a \
         scenario also changes the world (readiness, climate), what that world does to poverty without any \
         programme is in the last column, against the baseline, and not credited to the programme."
            .into(),
    );
    Ok(t)
}

/// The scenarios of the comparison that give one module alone (their `trial.csv` rows name
/// that module and no other), with the module.
fn single_module_scenarios(f: &Files) -> io::Result<Vec<(String, String)>> {
    let t = f.trial;
    let (scenario, module) = (t.column("scenario")?, t.column("module")?);
    let mut modules: Vec<(String, Vec<String>)> = Vec::new();
    for r in t.rows() {
        let (s, m) = (&r[scenario], &r[module]);
        if m == "any" {
            continue;
        }
        match modules.iter_mut().find(|(name, _)| name == s) {
            Some((_, ms)) if !ms.contains(m) => ms.push(m.clone()),
            Some(_) => {}
            None => modules.push((s.clone(), vec![m.clone()])),
        }
    }
    Ok(modules.into_iter().filter(|(_, ms)| ms.len() == 1).map(|(s, mut ms)| (s, ms.remove(0))).collect())
}

/// Each module alone as a virtual trial against the range the evidence gives its effect
/// ([`CLAIMS`]), where the comparison holds a scenario of that module alone.
pub(crate) fn evidence(f: &Files) -> io::Result<Option<TableView>> {
    let singles = single_module_scenarios(f)?;
    let mut t = TableView::new(
        "evidence",
        &[
            ("module (scenario)", false),
            ("outcome (group)", false),
            ("model, by years since they took part", true),
            ("evidence", false),
            ("source", false),
            ("verdict", false),
        ],
    );
    for claim in &CLAIMS {
        for (scenario, _) in singles.iter().filter(|(_, m)| m == claim.module) {
            let effect = |h: &str| -> Option<(f64, f64)> {
                let (absolute, relative) =
                    f.trial([scenario, claim.row_module(), claim.group, "exact", claim.outcome, h]).ok()?;
                absolute.mean.is_finite().then_some((relative.mean, absolute.mean))
            };
            let measured = Measured::of(claim, effect);
            let shown: Vec<String> = claim
                .horizons
                .iter()
                .zip(&measured.at)
                .map(|(h, &(relative, absolute))| match claim.measure {
                    // A share's change reads in percentage points.
                    Measure::Absolute { .. } if share_outcome(claim.outcome) => {
                        format!("year {h}: {}", format::points(absolute, 2))
                    }
                    Measure::Absolute { .. } => format!("year {h}: {}", format::signed(absolute, 3)),
                    // Small effects keep their sign: a verdict can turn on a few hundredths.
                    _ if relative.abs() < 0.001 => {
                        format!("year {h}: {}", format::signed_percent(relative, 2))
                    }
                    _ => format!("year {h}: {}", format::signed_percent(relative, 1)),
                })
                .collect();
            let group = claim.group.replace('_', " ");
            t.rows.push(vec![
                Cell::header(format!("{} ({scenario})", claim.module.replace('_', " "))),
                Cell::text(format!("{} ({group})", claim.outcome.replace('_', " "))),
                Cell::text(shown.join("; ")),
                Cell::text(claim.evidence),
                Cell::text(claim.source),
                Cell::text(if holds(claim, &measured) { "inside" } else { "outside" }),
            ]);
        }
    }
    if t.rows.is_empty() {
        return Ok(None);
    }
    t.notes.push(
        "Each module alone, its participants (or their neighbours who did not take part, \"spillover\") against \
         their twins in the world without the programme (effects as a share of the twins' level, or in the \
         outcome's unit for counts and shares). A verdict is \"inside\" when \
         the mean effect lies in the range the evidence gives at every year shown."
            .into(),
    );
    Ok(Some(t))
}

/// Effects on participants, spillover and the randomised trial's estimates, per programme.
pub(crate) fn participants(f: &Files) -> io::Result<TableView> {
    let labels: Vec<String> = HORIZONS.iter().map(|h| horizon_label(h)).collect();
    let mut columns = vec![("scenario", false)];
    columns.extend(labels.iter().map(|l| (l.as_str(), true)));
    columns.extend([
        ("income, over the run", true),
        ("spillover: non-participants in their villages", true),
        ("a randomised trial would estimate: effect of taking part (IV)", true),
    ]);
    let mut t = TableView::new("participants", &columns);
    let pct = |x: f64| format::percent(x, 2);
    for s in f.programmes()? {
        let mut row = vec![Cell::header(&s)];
        for years in HORIZONS {
            row.push(f.trial([&s, "any", "participants", "exact", "consumption_pc", years])?.1.cell(pct));
        }
        row.push(f.trial([&s, "any", "participants", "exact", "income", "run"])?.1.cell(pct));
        row.push(f.trial([&s, "any", "spillover", "exact", "consumption_pc", "run"])?.1.cell(pct));
        let iv = f.trial([&s, "any", "invited", "iv", "consumption_pc", "run"])?.1;
        row.push(if iv.mean.is_finite() {
            iv.cell(pct)
        } else {
            Cell::text(DASH).note("no lottery to analyse")
        });
        t.rows.push(row);
    }
    t.notes.push(
        "Change in consumption per person against each household's twin in the world without the programme, as a \
         share of the twin's level, by years since the household first took part. The trial column is what a study \
         comparing invited with not-invited households would report (instrumental variables, the invitation as \
         instrument): not-invited households gain through their villages and may be invited later, so a trial \
         estimate can differ from the true effect; its wide interval is what such a trial's sample gives."
            .into(),
    );
    Ok(t)
}

/// The effect on participants' consumption by years since they first took part.
pub(crate) fn participants_chart(
    f: &Files,
    look: &dyn Fn(&str) -> plotters::style::RGBColor,
) -> io::Result<Forest> {
    let mut series = Vec::new();
    for s in f.programmes()? {
        let mut points = Vec::new();
        for key in HORIZONS {
            let e = f.trial([&s, "any", "participants", "exact", "consumption_pc", key])?.1;
            points.push((e.mean, e.lower, e.upper));
        }
        series.push((s.clone(), look(&s), points));
    }
    Ok(Forest {
        title: "Consumption per person of participants, by years since they first took part".into(),
        x_desc: "change against their twins in the world without the programme, % of their level".into(),
        axis: Axis::Share,
        categories: HORIZONS.iter().map(|h| horizon_label(h)).collect(),
        series,
    })
}

/// How a horizon of the trial ([`HORIZONS`]) reads in the report: "year 3", "over the run".
fn horizon_label(horizon: &str) -> String {
    if horizon == "run" { "over the run".into() } else { format!("year {horizon}") }
}

/// Labels of the "for whom" levels, in file order.
fn levels() -> Vec<(&'static str, &'static str, String)> {
    let pretty = |d: &str| d.replace('_', " ");
    DIMENSIONS
        .iter()
        .flat_map(|&(d, levels)| {
            levels.iter().map(move |&l| (d, l, format!("{}: {}", pretty(d), l.replace('_', " "))))
        })
        .collect()
}

/// The programme effect on P0 in every "for whom" level: rows levels, columns programmes.
pub(crate) fn for_whom(f: &Files) -> io::Result<TableView> {
    let programmes = f.programmes()?;
    let mut columns: Vec<(&str, bool)> = vec![("group", false)];
    columns.extend(programmes.iter().map(|p| (p.as_str(), true)));
    let mut t = TableView::new("for-whom", &columns);
    for (d, l, label) in levels() {
        let mut row = vec![Cell::header(label)];
        for p in &programmes {
            let r = find(f.groups, &["scenario", "dimension", "level", "metric"], &[p, d, l, "p0"])?;
            let e = estimate(f.groups, r, ["effect_mean", "effect_lower", "effect_upper"])?;
            row.push(Cell::text(format::points(e.mean, 2)));
        }
        t.rows.push(row);
    }
    t.notes.push(
        "The chart below shows each effect with its 95 % confidence interval; effects_by_group.csv holds them, and \
         the effects on P1, P2, consumption and persons lifted, for every group."
            .into(),
    );
    t.notes.push(
        "Change in the poverty headcount P0 of each group over the run, the programme world against its own world \
         without the programme, in percentage points. Groups are fixed at the start of the run (initial poverty: \
         near-poor is up to 25 % above the line; terciles 1 = lowest), except participation, which counts a \
         household from the season it first took part."
            .into(),
    );
    Ok(t)
}

/// The programme effect on P0 by group, as a chart.
pub(crate) fn for_whom_chart(
    f: &Files,
    look: &dyn Fn(&str) -> plotters::style::RGBColor,
) -> io::Result<Forest> {
    let levels = levels();
    let mut series = Vec::new();
    for p in f.programmes()? {
        let mut points = Vec::new();
        for (d, l, _) in &levels {
            let r = find(f.groups, &["scenario", "dimension", "level", "metric"], &[&p, d, l, "p0"])?;
            let e = estimate(f.groups, r, ["effect_mean", "effect_lower", "effect_upper"])?;
            points.push((e.mean, e.lower, e.upper));
        }
        series.push((p.clone(), look(&p), points));
    }
    Ok(Forest {
        title: "Programme effect on P0, by group".into(),
        x_desc: "change in P0 against the world without the programme, percentage points".into(),
        axis: Axis::SharePoints,
        categories: levels.into_iter().map(|(_, _, label)| label).collect(),
        series,
    })
}

/// Poverty dynamics: chronic and transient poverty and lasting exits, per programme world
/// and as the programme's effect.
pub(crate) fn dynamics(f: &Files) -> io::Result<TableView> {
    let mut t = TableView::new(
        "dynamics",
        &[
            ("scenario", false),
            ("chronically poor (poor in most seasons)", true),
            ("programme effect", true),
            ("transiently poor", true),
            ("programme effect", true),
            ("exits from poverty a season", true),
            ("persons lifted out for two years or more by the programme", true),
        ],
    );
    let get = |s: &str, world: &str, metric: &str| -> io::Result<Estimate> {
        let r = find(f.dynamics, &["scenario", "world", "metric"], &[s, world, metric])?;
        estimate(f.dynamics, r, ["mean", "lower", "upper"])
    };
    for s in f.programmes()? {
        t.rows.push(vec![
            Cell::header(&s),
            get(&s, "scenario", "chronic_share")?.cell(|x| format::percent(x, 1)),
            get(&s, "effect", "chronic_share")?.cell(|x| format::points(x, 2)),
            get(&s, "scenario", "transient_share")?.cell(|x| format::percent(x, 1)),
            get(&s, "effect", "transient_share")?.cell(|x| format::points(x, 2)),
            get(&s, "scenario", "exits_per_season")?.cell(format::thousands),
            get(&s, "effect", "lasting_exits_persons")?.cell(format::thousands),
        ]);
    }
    t.notes.push(
        "Shares of persons over the observed run: chronically poor in more than half of the seasons, transiently \
         poor in at least one but at most half. A lasting exit: a person who was poor and then out of poverty for \
         four seasons (two years) in a row, counted once; the programme's effect is the difference from its own \
         world, and is negative where the programme keeps more households from falling into poverty than it \
         lifts out (fewer entries leave fewer exits)."
            .into(),
    );
    Ok(t)
}

/// How sure are we: for each programme, the interval from the model's randomness beside the
/// interval that includes parameter uncertainty; then the parameters drawn.
pub(crate) fn how_sure(uncertainty: &Table, parameters: &[Vec<String>]) -> io::Result<[TableView; 2]> {
    let mut t = TableView::new(
        "how-sure",
        &[
            ("scenario", false),
            ("poverty-person-years averted: weather and shocks", true),
            ("… and parameter uncertainty", true),
            ("draws in which the programme averts poverty", true),
            ("cost per person-year averted: weather and shocks", true),
            ("… and parameter uncertainty", true),
            ("participants' consumption: weather and shocks", true),
            ("… and parameter uncertainty", true),
        ],
    );
    let keys = ["scenario", "metric"];
    let scenario = uncertainty.column("scenario")?;
    let names = uncertainty.distinct(scenario);
    let get = |s: &str, metric: &str| -> io::Result<(Estimate, Estimate, f64)> {
        let r = find(uncertainty, &keys, &[s, metric])?;
        let stochastic =
            estimate(uncertainty, r, ["stochastic_mean", "stochastic_lower", "stochastic_upper"])?;
        let parameter = estimate(uncertainty, r, ["parameter_median", "parameter_lower", "parameter_upper"])?;
        let share = r.map_or(Ok(f64::NAN), |r| {
            uncertainty.column("share_positive").map(|c| uncertainty.number(r, c))
        })?;
        Ok((stochastic, parameter, share))
    };
    for s in names {
        let (ppya, ppya_p, share) = get(&s, "poverty_person_years_averted")?;
        if ppya.mean.is_nan() || ppya.mean == 0.0 {
            continue;
        }
        let (cost, cost_p, _) = get(&s, "cost_per_ppya_idr")?;
        let (gain, gain_p, _) = get(&s, "participants_consumption_change")?;
        let range = |e: Estimate, f: &dyn Fn(f64) -> String| {
            if e.lower.is_finite() {
                Cell::text(format::interval(&f(e.lower), &f(e.upper)))
            } else {
                Cell::text(DASH)
            }
        };
        t.rows.push(vec![
            Cell::header(&s),
            ppya.cell(format::thousands),
            range(ppya_p, &format::thousands),
            Cell::text(format::percent(share, 0)),
            Cell::text(if cost.mean.is_finite() { format::rupiah(cost.mean) } else { DASH.into() }),
            range(cost_p, &format::rupiah),
            gain.cell(|x| format::percent(x, 2)),
            range(gain_p, &|x| format::percent(x, 2)),
        ]);
    }
    t.notes.push(
        "First of each pair: the value at the scenarios' own parameters with its 95 % confidence interval across \
         replications — it reflects weather and household shocks only. Second: the 2.5th to 97.5th percentile over \
         the parameter draws of the same paired effect (each draw a whole comparison with common random numbers): \
         what the answer rests on when the uncertain parameters below take any value of their distributions."
            .into(),
    );
    Ok([t, parameters_table(parameters)])
}

/// The uncertain parameters: key, distribution, range and source (the rows of
/// `parameters.csv`).
pub(crate) fn parameters_table(parameters: &[Vec<String>]) -> TableView {
    let mut p = TableView::new(
        "parameters",
        &[("parameter", false), ("distribution", false), ("range", true), ("source", false)],
    );
    p.stack = true;
    for row in parameters {
        let cell = |i: usize| row.get(i).cloned().unwrap_or_default();
        p.rows.push(vec![
            Cell::lines(vec![Line { key: Some(cell(0)), text: String::new() }]),
            Cell::text(cell(1)),
            Cell::text(format::interval(&cell(2), &cell(3))),
            Cell::text(cell(4)),
        ]);
    }
    p
}

/// What each programme's poverty-person-years averted rest on: the uncertain parameters by
/// the strength of their rank correlation with it over the draws.
pub(crate) fn rests_on(sensitivity: &Table) -> io::Result<TableView> {
    let (scenario, metric, parameter, rho) = (
        sensitivity.column("scenario")?,
        sensitivity.column("metric")?,
        sensitivity.column("parameter")?,
        sensitivity.column("rank_correlation")?,
    );
    let mut t = TableView::new(
        "rests-on",
        &[
            ("scenario", false),
            ("parameters that move poverty-person-years averted most (rank correlation)", false),
        ],
    );
    t.stack = true;
    for s in sensitivity.distinct(scenario) {
        let mut ranked: Vec<(String, f64)> = sensitivity
            .rows()
            .iter()
            .filter(|r| r[scenario] == s && r[metric] == "poverty_person_years_averted")
            .map(|r| (r[parameter].clone(), sensitivity.number(r, rho)))
            .filter(|(_, x)| x.is_finite())
            .collect();
        if ranked.is_empty() {
            continue;
        }
        ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let lines = ranked
            .iter()
            .take(5)
            .map(|(p, x)| Line { key: Some(p.clone()), text: format::signed(*x, 2) })
            .collect();
        t.rows.push(vec![Cell::header(&s), Cell::lines(lines)]);
    }
    t.notes.push(
        "Spearman's rank correlation over the draws between each parameter and the programme's poverty-person-years \
         averted: +1 means more of the parameter always means more poverty averted, 0 no monotone influence. With \
         few draws, correlations below about 0.3 in size are indistinguishable from chance."
            .into(),
    );
    Ok(t)
}

/// Sobol' indices of each programme's poverty-person-years averted, strongest total first.
pub(crate) fn sobol(t: &Table) -> io::Result<TableView> {
    let col = |n: &str| t.column(n);
    let (scenario, metric, parameter) = (col("scenario")?, col("metric")?, col("parameter")?);
    let (s1, s1_lo, s1_hi) = (col("first_order")?, col("first_order_lower")?, col("first_order_upper")?);
    let (st, st_lo, st_hi) = (col("total")?, col("total_lower")?, col("total_upper")?);
    let mut out = TableView::new(
        "sobol",
        &[
            ("scenario", false),
            (
                "Sobol' indices of poverty-person-years averted: first order, total [bootstrap interval]",
                false,
            ),
        ],
    );
    out.stack = true;
    for s in t.distinct(scenario) {
        let mut rows: Vec<&Vec<String>> = t
            .rows()
            .iter()
            .filter(|r| r[scenario] == s && r[metric] == "poverty_person_years_averted")
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|a, b| t.number(b, st).total_cmp(&t.number(a, st)));
        let two = |x: f64| format::decimal(x, 2);
        let lines = rows
            .iter()
            .take(5)
            .map(|r| Line {
                key: Some(r[parameter].clone()),
                text: format!(
                    "{} {}, {} {}",
                    two(t.number(r, s1)),
                    format::interval(&two(t.number(r, s1_lo)), &two(t.number(r, s1_hi))),
                    two(t.number(r, st)),
                    format::interval(&two(t.number(r, st_lo)), &two(t.number(r, st_hi)))
                ),
            })
            .collect();
        out.rows.push(vec![Cell::header(&s), Cell::lines(lines)]);
    }
    out.notes.push(
        "First order: the share of the variance of poverty-person-years averted over the draws that the parameter \
         causes alone; total: alone and through its interactions with the others. A parameter with a total index near \
         zero does not matter for this answer."
            .into(),
    );
    Ok(out)
}

/// True if the trial outcome `name` is a share of households (its unit in
/// [`crate::trial::OUTCOMES`]).
fn share_outcome(name: &str) -> bool {
    crate::trial::OUTCOMES.iter().any(|o| o.name == name && o.unit == "share")
}
