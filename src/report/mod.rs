//! The comparison an analyst opens: data files, charts and a self-contained HTML report.
//!
//! [`write_comparison`] writes the data of a comparison (`effects.csv`,
//! `cost_effectiveness.csv`, `summary.csv` of every scenario, `distribution.csv`,
//! `comparison.toml`) and then calls [`draw`], which builds every chart and `report.html`
//! from those files alone — the same path `livelihoods plot DIR` takes, so a redraw gives the
//! same pictures.

mod answers;
mod calibration;
mod charts;
pub(crate) mod format;
mod html;
mod sensitivity;
mod sweep;
mod table;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use calibration::write_calibration_report;
pub(crate) use charts::p0_chart;
pub use sweep::{SweepInfo, write_sweep_report};
pub use table::Table;
use table::input_error;

use crate::compare::{self, CostEffectiveness};
use crate::scenario::{Origin, Problem, Problems};
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
pub(crate) struct Difference {
    /// Dotted key, or `intervention`.
    pub key: String,
    /// The baseline's value.
    pub baseline: String,
    /// This scenario's value.
    pub value: String,
}

/// A compared scenario, as the report describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScenarioInfo {
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
pub(crate) struct ComparisonInfo {
    /// Baseline name.
    pub baseline: String,
    /// `livelihoods` version.
    pub crate_version: String,
    /// Random number generator.
    pub rng: String,
    /// Random-number kernel used, the CPU path (`portable`, `avx2`, `avx512`; results are the
    /// same with each); empty in files written before it was recorded.
    #[serde(default)]
    pub rng_kernel: String,
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
    /// Poverty line of a normal year (a season's moves with its price), rupiah per person per month.
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
/// Missing or unreadable files, drawing errors; files that do not match `comparison.toml`
/// or each other are input problems ([`crate::scenario::Problems`] inside an error of kind
/// `InvalidData`), found before anything is drawn.
pub fn draw(dir: &Path) -> io::Result<()> {
    let info = read_info(dir)?;
    let data = read_data(dir, &info)?;
    let figures = charts::draw_all(&data, dir)?;
    fs::write(dir.join("report.html"), html::report(&data, &figures, dir)?)
}

/// Redraw the charts and `report.html` of the comparison in `dir` (`livelihoods plot`), all
/// or nothing: the files are checked first, then the data files are copied into a new
/// version, drawn there and published in place of `dir` in one step
/// ([`crate::output::write_atomically`]). Returns the folder written.
///
/// # Errors
/// As [`draw`]; nothing is changed then.
pub fn redraw(dir: &Path) -> io::Result<PathBuf> {
    let dir = if dir.file_name().is_some() { dir.to_path_buf() } else { dir.canonicalize()? };
    let name = dir.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a folder name", dir.display()))
    })?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let info = read_info(&dir)?;
    read_data(&dir, &info)?;
    crate::output::prepare(parent, &[name])?;
    crate::output::write_atomically(parent, name, |new| {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let drawn = file == "report.html" || file.ends_with(".svg") || file.ends_with(".png");
            if !drawn && fs::metadata(&path)?.is_file() {
                fs::copy(&path, new.join(file))?;
            }
        }
        draw(new)
    })
}

/// `comparison.toml` of `dir`.
fn read_info(dir: &Path) -> io::Result<ComparisonInfo> {
    let path = dir.join("comparison.toml");
    let text = fs::read_to_string(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let origin = e.span().map_or_else(|| Origin::file(&path), |s| Origin::at(&path, &text, s.start));
        input_error(vec![Problem::new(origin, "", e.message().trim().to_string())])
    })
}

/// The tables of `dir`, checked against `info` and against the columns this program writes.
fn read_data<'a>(dir: &Path, info: &'a ComparisonInfo) -> io::Result<charts::Data<'a>> {
    let mut problems = Vec::new();
    let mut read = |file: &str| match Table::read(&dir.join(file)) {
        Ok(t) => Some(t),
        Err(e) => {
            match e.get_ref().and_then(|i| i.downcast_ref::<Problems>()) {
                Some(p) => problems.extend(p.0.iter().cloned()),
                None => problems.push(Problem::new(Origin::file(&dir.join(file)), "", e.to_string())),
            }
            None
        }
    };
    let tables =
        (read("summary.csv"), read("effects.csv"), read("cost_effectiveness.csv"), read("distribution.csv"));
    let (Some(summary), Some(effects), Some(cost), Some(distribution)) = tables else {
        // Every problem at once: the columns of the tables that could be read too.
        let (given, worlds) = names(info);
        for t in [&tables.0, &tables.1, &tables.2, &tables.3].into_iter().flatten() {
            let (header, text, _, _) = spec(t, info, &given, &worlds);
            check_columns(t, &header, text, &mut problems);
        }
        return Err(input_error(problems));
    };
    let (trial, groups, dynamics) = (
        Table::read(&dir.join("trial.csv"))?,
        Table::read(&dir.join("effects_by_group.csv"))?,
        Table::read(&dir.join("dynamics.csv"))?,
    );
    let uncertainty = read_uncertainty(dir)?;
    let data =
        charts::Data { info, summary, effects, cost, distribution, trial, groups, dynamics, uncertainty };
    let problems = check_data(&data);
    if problems.is_empty() { Ok(data) } else { Err(input_error(problems)) }
}

/// The scenarios `comparison.toml` names, and those with every world it measures against.
fn names(info: &ComparisonInfo) -> (Vec<&str>, Vec<&str>) {
    let given: Vec<&str> = info.scenario.iter().map(|s| s.name.as_str()).collect();
    let mut worlds = given.clone();
    for s in &info.scenario {
        if !s.counterfactual.is_empty() && !worlds.contains(&s.counterfactual.as_str()) {
            worlds.push(&s.counterfactual);
        }
    }
    (given, worlds)
}

/// What table `t` (by its file name) must hold: the header this program writes, its text
/// columns, the scenarios of its rows and whether it has a row per season.
fn spec<'n>(
    t: &Table,
    info: &ComparisonInfo,
    given: &'n [&'n str],
    worlds: &'n [&'n str],
) -> (Vec<String>, &'static [&'static str], &'n [&'n str], Option<u32>) {
    match t.path().file_name().and_then(|f| f.to_str()).unwrap_or_default() {
        "summary.csv" => (
            header_of(&crate::output::summary_header()),
            &["scenario", "season_kind"],
            worlds,
            Some(info.seasons),
        ),
        "effects.csv" => (
            header_of(&compare::effects_csv(&[])),
            &["scenario", "counterfactual", "season_kind"],
            given,
            Some(info.seasons),
        ),
        "cost_effectiveness.csv" => (
            header_of(&compare::cost_effectiveness_csv(&[], 1.0, 0.0)),
            &["scenario", "counterfactual"],
            given,
            None,
        ),
        _ => (header_of(&distribution_csv(&[])), &["scenario"], given, None),
    }
}

/// The header's problems and, if it is right, those of the numbers.
fn check_columns(t: &Table, header: &[String], text: &[&str], problems: &mut Vec<Problem>) -> bool {
    let before = problems.len();
    check_header(t, header, problems);
    if problems.len() > before {
        return false;
    }
    check_numbers(t, text, problems);
    problems.truncate(before + MOST_PROBLEMS);
    true
}

/// The header line of a CSV text.
fn header_of(text: &str) -> Vec<String> {
    text.lines().next().unwrap_or_default().split(',').map(str::to_string).collect()
}

/// Most problems reported per file.
const MOST_PROBLEMS: usize = 20;

/// Every way the tables of `data` do not match `comparison.toml` or the columns this
/// program writes: headers, numbers, and the scenarios and seasons of the rows.
fn check_data(data: &charts::Data) -> Vec<Problem> {
    let info = data.info;
    let mut problems = Vec::new();
    let (given, worlds) = names(info);
    for t in [&data.summary, &data.effects, &data.cost, &data.distribution] {
        let (header, text, names, seasons) = spec(t, info, &given, &worlds);
        let before = problems.len();
        if check_columns(t, &header, text, &mut problems) {
            check_rows(t, names, seasons, &mut problems);
            problems.truncate(before + MOST_PROBLEMS);
        }
    }
    problems
}

fn check_header(t: &Table, expected: &[String], problems: &mut Vec<Problem>) {
    let got = t.header();
    if let Some(i) = (0..expected.len().max(got.len())).find(|&i| got.get(i) != expected.get(i)) {
        let column: usize = got.iter().take(i).map(|c| c.chars().count() + 1).sum::<usize>() + 1;
        let origin = Origin { file: t.path().to_path_buf(), position: Some((1, column)) };
        let message = match (got.get(i), expected.get(i)) {
            (Some(g), Some(e)) => {
                format!("the header's column {} is `{g}`, but livelihoods writes `{e}` there", i + 1)
            }
            (None, Some(e)) => {
                format!("the header ends after {} columns; livelihoods writes `{e}` next", got.len())
            }
            (Some(g), None) => {
                format!("the header has a column `{g}` after the {} that livelihoods writes", expected.len())
            }
            (None, None) => unreachable!("a column differs"),
        };
        problems.push(Problem::new(
            origin,
            "",
            format!("{message}: the file is not the one this comparison wrote"),
        ));
    }
}

fn check_numbers(t: &Table, text: &[&str], problems: &mut Vec<Problem>) {
    let numeric: Vec<usize> =
        (0..t.header().len()).filter(|&j| !text.contains(&t.header()[j].as_str())).collect();
    for (i, row) in t.rows().iter().enumerate() {
        for &j in &numeric {
            let cell = &row[j];
            if !cell.is_empty() && cell.parse::<f64>().is_err() {
                let message = format!("is \"{cell}\", not a number");
                problems.push(Problem::new(t.origin(i, j), &t.header()[j], message));
                if problems.len() >= MOST_PROBLEMS {
                    return;
                }
            }
        }
    }
}

/// Rows of scenarios that `comparison.toml` does not name, and scenarios without their
/// rows: one a season (0, 1, … in order) where `seasons` is given, else at least one row
/// (exactly one in `cost_effectiveness.csv`).
fn check_rows(t: &Table, names: &[&str], seasons: Option<u32>, problems: &mut Vec<Problem>) {
    let (Ok(scenario), season) = (t.column("scenario"), t.column("season")) else { return };
    let mismatch = "the files do not match comparison.toml";
    for (i, row) in t.rows().iter().enumerate() {
        if !names.contains(&row[scenario].as_str()) {
            let message = format!(
                "is \"{}\", a scenario that comparison.toml does not name: {mismatch}",
                row[scenario]
            );
            problems.push(Problem::new(t.origin(i, scenario), "scenario", message));
            return;
        }
    }
    let cost = t.path().file_name().is_some_and(|f| f == "cost_effectiveness.csv");
    for name in names {
        let rows: Vec<usize> = (0..t.rows().len()).filter(|&i| t.rows()[i][scenario] == *name).collect();
        let wrong = match (seasons, &season) {
            (Some(n), Ok(k)) => {
                let order =
                    rows.iter().enumerate().all(|(s, &i)| t.rows()[i][*k].parse::<u32>() == Ok(s as u32));
                (rows.len() != n as usize || !order).then(|| {
                    format!(
                        "has {} rows for scenario \"{name}\", but comparison.toml states {n} seasons (one row each, \
                         seasons 0 to {} in order): {mismatch}",
                        rows.len(),
                        n.saturating_sub(1)
                    )
                })
            }
            _ if cost && rows.len() != 1 => {
                Some(format!("has {} rows for scenario \"{name}\" instead of one: {mismatch}", rows.len()))
            }
            _ if rows.is_empty() => Some(format!("has no rows for scenario \"{name}\": {mismatch}")),
            _ => None,
        };
        if let Some(message) = wrong {
            problems.push(Problem::new(Origin::file(t.path()), "", message));
        }
    }
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
    let rows = read_parameters(&dir.join("parameters.csv"))?;
    let sobol = dir.join("sobol.csv");
    let sobol = if sobol.exists() { Some(Table::read(&sobol)?) } else { None };
    Ok(Some((table, rows, Table::read(&dir.join("sensitivity.csv"))?, sobol)))
}

/// The rows of `parameters.csv` (which may quote its sources), without the header.
fn read_parameters(path: &Path) -> io::Result<Vec<Vec<String>>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| io::Error::other(format!("reading {}: {e}", path.display())))?;
    reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<Vec<Vec<String>>, _>>()
        .map_err(|e| io::Error::other(format!("reading {}: {e}", path.display())))
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
        rng_kernel: info.cpu.name().into(),
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
    if let Some(location) = iv.location {
        parts.push(
            if location == crate::interventions::Location::Coastal { "coastal" } else { "inland" }
                .to_string(),
        );
    }
    if let Some(followed) = &iv.follows {
        parts.push(format!("for the participants of {followed}"));
    }
    parts.push(match iv.targeting {
        Targeting::All => "everyone eligible invited".to_string(),
        Targeting::PoorestFirst => "poorest first".to_string(),
        Targeting::Random => "random households".to_string(),
        Targeting::Groups => format!("groups of {} in random villages", iv.group_size()),
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
