//! The comparison an analyst opens: data files, charts and a self-contained HTML report.
//!
//! [`write_comparison`] writes the data of a comparison (`effects.csv`,
//! `cost_effectiveness.csv`, `summary.csv` of every scenario, `distribution.csv`,
//! `comparison.toml`) and then calls [`draw`], which builds every chart and `report.html`
//! from those files alone — the same path `livelihoods plot DIR` takes, so a redraw gives the
//! same pictures.

mod answers;
mod charts;
pub(crate) mod format;
mod html;
mod table;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use charts::p0_chart;
pub use table::Table;

use crate::compare::{self, CostEffectiveness};
use crate::trial;

/// How money is valued in a comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Money {
    /// Rupiah per US dollar.
    pub idr_per_usd: f64,
    /// Discount rate a year.
    pub discount_rate: f64,
}
use crate::interventions::{Intervention, Targeting};
use crate::metrics::{DISTRIBUTION_BINS, bin_edges_idr};
use crate::output::{RunInfo, number, summary_csv};
use crate::runner::ScenarioResult;
use crate::scenario::Scenario;

/// One parameter that differs from the baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Dotted key, or `intervention`.
    pub key: String,
    /// The baseline's value.
    pub baseline: String,
    /// This scenario's value.
    pub value: String,
}

/// A compared scenario, as the report describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Scenario file.
    pub file: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Parameters that differ from the baseline.
    pub differences: Vec<Difference>,
    /// The world its programme is measured against (its own name when it has no
    /// programme; the baseline's when its world is the baseline's).
    #[serde(default)]
    pub counterfactual: String,
    /// Last season in which one of this scenario's interventions delivers (at most the last
    /// observed season); absent when it has none. The report's "end of programme" columns
    /// are taken at this season, row by row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme_end_season: Option<u32>,
}

/// Provenance and facts of a comparison (`comparison.toml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonInfo {
    /// Baseline name.
    pub baseline: String,
    /// `livelihoods` version.
    pub crate_version: String,
    /// Random number generator.
    pub rng: String,
    /// Seed shared by every scenario.
    pub seed: u64,
    /// Replications of every scenario.
    pub replications: u32,
    /// Observed seasons.
    pub seasons: u32,
    /// Households simulated.
    pub households: u64,
    /// Threads used.
    pub threads: usize,
    /// Start of the run, UTC.
    pub started_utc: String,
    /// Rupiah per US dollar for costs.
    pub idr_per_usd: f64,
    /// Discount rate a year of benefit/cost.
    #[serde(default)]
    pub discount_rate: f64,
    /// Last season in which any scenario's intervention delivers (kept for readers of this
    /// file; the report uses each scenario's own [`ScenarioInfo::programme_end_season`]).
    pub programme_end_season: u32,
    /// Poverty line, rupiah per person per month.
    pub poverty_line_idr: f64,
    /// Calendar year of season 0.
    pub base_year: u32,
    /// Season of the consumption distribution.
    pub distribution_season: u32,
    /// The scenarios, baseline first.
    pub scenario: Vec<ScenarioInfo>,
}

/// Write the comparison of `results` against `results[baseline]` into `dir`, then draw it.
///
/// # Errors
/// I/O or drawing errors.
pub fn write_comparison(
    dir: &Path,
    outcome: &trial::Outcome,
    rows: &[CostEffectiveness],
    money: Money,
    info: &RunInfo,
    extra: &[(&str, String)],
) -> io::Result<()> {
    for (name, text) in extra {
        fs::write(dir.join(name), text)?;
    }
    let (idr_per_usd, discount_rate) = (money.idr_per_usd, money.discount_rate);
    let results = &outcome.results[..outcome.plan.given];
    let baseline = outcome.plan.baseline;
    fs::write(dir.join("effects.csv"), compare::effects_csv(&compare::pairings(outcome)))?;
    fs::write(
        dir.join("cost_effectiveness.csv"),
        compare::cost_effectiveness_csv(rows, idr_per_usd, discount_rate),
    )?;
    fs::write(dir.join("trial.csv"), trial::tables::to_csv(&trial::tables::trial_rows(outcome))?)?;
    fs::write(dir.join("effects_by_group.csv"), trial::tables::to_csv(&trial::tables::group_rows(outcome))?)?;
    fs::write(dir.join("dynamics.csv"), trial::tables::to_csv(&trial::tables::dynamics_rows(outcome))?)?;
    let mut summaries = String::new();
    for (i, r) in outcome.results.iter().enumerate() {
        let text = summary_csv(r);
        let body = if i == 0 { text.as_str() } else { text.split_once('\n').map_or("", |(_, rest)| rest) };
        summaries.push_str(body);
    }
    fs::write(dir.join("summary.csv"), summaries)?;
    fs::write(dir.join("distribution.csv"), distribution_csv(results))?;
    let mut facts = comparison_info(results, baseline, idr_per_usd, info);
    facts.discount_rate = discount_rate;
    for (scenario, w) in facts.scenario.iter_mut().zip(order(results.len(), baseline)) {
        scenario.counterfactual = trial::tables::counterfactual_name(&outcome.plan, w)
            .unwrap_or(&results[w].scenario.name)
            .to_string();
    }
    let text =
        toml::to_string(&facts).map_err(|e| io::Error::other(format!("writing comparison.toml: {e}")))?;
    fs::write(dir.join("comparison.toml"), text)?;
    draw(dir)
}

/// Draw every chart and `report.html` of the comparison in `dir` from its files alone.
///
/// # Errors
/// Missing or unreadable files, drawing errors.
pub fn draw(dir: &Path) -> io::Result<()> {
    let text = fs::read_to_string(dir.join("comparison.toml")).map_err(|e| {
        io::Error::new(e.kind(), format!("reading {}: {e}", dir.join("comparison.toml").display()))
    })?;
    let info: ComparisonInfo = toml::from_str(&text)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("comparison.toml: {e}")))?;
    let data = charts::Data {
        info: &info,
        summary: Table::read(&dir.join("summary.csv"))?,
        effects: Table::read(&dir.join("effects.csv"))?,
        cost: Table::read(&dir.join("cost_effectiveness.csv"))?,
        distribution: Table::read(&dir.join("distribution.csv"))?,
        trial: Table::read(&dir.join("trial.csv"))?,
        groups: Table::read(&dir.join("effects_by_group.csv"))?,
        dynamics: Table::read(&dir.join("dynamics.csv"))?,
        uncertainty: read_uncertainty(dir)?,
    };
    let figures = charts::draw_all(&data, dir)?;
    fs::write(dir.join("report.html"), html::report(&data, &figures, dir)?)
}

/// `uncertainty.csv`, the rows of `parameters.csv` (which may quote its sources) and
/// `sensitivity.csv`, if
/// the comparison drew parameters.
fn read_uncertainty(dir: &Path) -> io::Result<Option<charts::Uncertainty>> {
    let path = dir.join("uncertainty.csv");
    if !path.exists() {
        return Ok(None);
    }
    let table = Table::read(&path)?;
    let parameters = dir.join("parameters.csv");
    let mut reader = csv::Reader::from_path(&parameters)
        .map_err(|e| io::Error::other(format!("reading {}: {e}", parameters.display())))?;
    let rows = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<Vec<Vec<String>>, _>>()
        .map_err(|e| io::Error::other(format!("reading {}: {e}", parameters.display())))?;
    Ok(Some((table, rows, Table::read(&dir.join("sensitivity.csv"))?)))
}

/// Persons per consumption bin in the kept season, all replications together, per scenario.
fn distribution_csv(results: &[ScenarioResult]) -> String {
    let mut s = String::from("scenario,lower_idr,upper_idr,persons_share\n");
    for r in results {
        let mut persons = vec![0u64; DISTRIBUTION_BINS];
        for m in r.runs.iter().flatten() {
            for (p, d) in persons.iter_mut().zip(&m.distribution) {
                *p += d;
            }
        }
        let total = persons.iter().sum::<u64>().max(1) as f64;
        for (i, p) in persons.iter().enumerate().filter(|(_, p)| **p > 0) {
            let (lo, hi) = bin_edges_idr(i);
            let _ = writeln!(
                s,
                "{},{},{},{}",
                r.scenario.name,
                number(lo),
                number(hi),
                number(*p as f64 / total)
            );
        }
    }
    s
}

fn comparison_info(
    results: &[ScenarioResult],
    baseline: usize,
    idr_per_usd: f64,
    info: &RunInfo,
) -> ComparisonInfo {
    let base = &results[baseline].scenario;
    ComparisonInfo {
        baseline: base.name.clone(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        rng: crate::rng::ALGORITHM.into(),
        seed: base.seed,
        replications: base.replications,
        seasons: base.seasons,
        households: base.params.population.households,
        threads: info.threads,
        started_utc: info.started_utc.clone(),
        idr_per_usd,
        discount_rate: 0.0,
        programme_end_season: results
            .iter()
            .flat_map(|r| r.scenario.interventions.iter().map(|iv| iv.end_season))
            .max()
            .unwrap_or(0)
            .min(base.seasons.saturating_sub(1)),
        poverty_line_idr: base.params.poverty.line_idr_per_capita_month,
        base_year: base.params.calendar.base_year,
        distribution_season: base.distribution_season.unwrap_or(base.seasons.saturating_sub(1)),
        scenario: order(results.len(), baseline)
            .map(|i| {
                let s = &results[i].scenario;
                ScenarioInfo {
                    name: s.name.clone(),
                    description: s.description.clone(),
                    file: s.path.display().to_string(),
                    sha256: s.file_hashes.first().map(|(_, h)| h.clone()).unwrap_or_default(),
                    differences: differences(base, s),
                    counterfactual: s.name.clone(),
                    programme_end_season: s
                        .interventions
                        .iter()
                        .map(|iv| iv.end_season)
                        .max()
                        .map(|end| end.min(s.seasons.saturating_sub(1))),
                }
            })
            .collect(),
    }
}

/// Indices of `n` scenarios, the baseline first.
fn order(n: usize, baseline: usize) -> impl Iterator<Item = usize> {
    std::iter::once(baseline).chain((0..n).filter(move |&i| i != baseline))
}

/// Parameters and interventions of `s` that differ from `base`: one entry per parameter,
/// one per intervention that only one of them has (described by [`describe`]), and one per
/// setting of an intervention both have with different values (`intervention ID: KEY`).
fn differences(base: &Scenario, s: &Scenario) -> Vec<Difference> {
    let flat = |x: &Scenario| {
        let mut out = Vec::new();
        if let Ok(toml::Value::Table(t)) = toml::Value::try_from(&x.params) {
            for (section, v) in t {
                if let toml::Value::Table(keys) = v {
                    out.extend(keys.into_iter().map(|(k, v)| (format!("{section}.{k}"), v.to_string())));
                }
            }
        }
        out
    };
    let (a, b) = (flat(base), flat(s));
    let mut diffs: Vec<Difference> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, y)| Difference { key: x.0.clone(), baseline: x.1.clone(), value: y.1.clone() })
        .collect();
    let none = || "none".to_string();
    for iv in &s.interventions {
        let key = format!("intervention {}", iv.id);
        match base.interventions.iter().find(|b| b.id == iv.id) {
            None => diffs.push(Difference { key, baseline: none(), value: describe(iv) }),
            Some(b) if b == iv => {}
            Some(b) => {
                let settings = |x: &Intervention| match toml::Value::try_from(x) {
                    Ok(toml::Value::Table(t)) => t,
                    _ => toml::Table::new(),
                };
                let (tb, ts) = (settings(b), settings(iv));
                let mut names: Vec<&String> = tb.keys().chain(ts.keys()).collect();
                names.sort();
                names.dedup();
                for name in names {
                    let (x, y) = (tb.get(name), ts.get(name));
                    if x != y {
                        let show =
                            |v: Option<&toml::Value>| v.map_or("default".to_string(), toml::Value::to_string);
                        diffs.push(Difference {
                            key: format!("{key}: {name}"),
                            baseline: show(x),
                            value: show(y),
                        });
                    }
                }
            }
        }
    }
    for b in base.interventions.iter().filter(|b| !s.interventions.iter().any(|iv| iv.id == b.id)) {
        diffs.push(Difference {
            key: format!("intervention {}", b.id),
            baseline: describe(b),
            value: none(),
        });
    }
    diffs
}

/// An intervention in a few words: kind, seasons, whom it invites and how many, cost.
fn describe(iv: &Intervention) -> String {
    let mut parts = vec![iv.kind.name().replace('_', " "), format::seasons(iv.start_season, iv.end_season)];
    parts.push(match iv.targeting {
        Targeting::All => "everyone invited".to_string(),
        Targeting::PoorestFirst => "poorest first".to_string(),
        Targeting::Random => "random households".to_string(),
        Targeting::Villages => {
            let list: Vec<String> = iv.villages.iter().map(u32::to_string).collect();
            format!("households of villages {}", list.join(", "))
        }
    });
    if iv.targeting != Targeting::All {
        if let Some(c) = iv.capacity_per_season {
            parts.push(format!("{} invitations a season", format::thousands(c as f64)));
        } else if let Some(share) = iv.coverage_share_per_season {
            parts.push(format!("{} of households invited a season", format::percent(share, 1)));
        }
    }
    if let Some(cost) = iv.cost_idr_per_participant {
        parts.push(format!("{} per participant", format::rupiah(cost)));
    }
    parts.join(", ")
}
