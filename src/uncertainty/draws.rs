//! A comparison under parameter uncertainty: N parameter draws (a Latin hypercube over the
//! declared distributions) × the scenarios' replications. Within a draw every scenario
//! takes the draw's value of each parameter it declares uncertain, and is paired with its
//! own counterfactual and the baseline under common random numbers, exactly as a plain
//! comparison; across draws, the spread of each paired effect is the uncertainty that the
//! parameters add to the model's own randomness.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::Path;

use serde::Serialize;

use super::sensitivity::{RankRow, SecondOrderRow, Series, SobolRow, rank_rows, sobol_rows};
use super::{Uncertain, design, set, values};
use crate::compare::{CostEffectiveness, cost_effectiveness, pairings};
use crate::scenario::{Origin, Problem, Problems, Scenario};
use crate::summary::{Stat, quantile};
use crate::trial::tables::finite;
use crate::trial::{self, Plan, tables};

/// What is reported for every scenario, per draw.
pub(crate) const METRICS: [&str; 4] =
    ["poverty_person_years_averted", "cost_per_ppya_idr", "participants_consumption_change", "p0_run_mean"];

/// The uncertain parameters of a comparison: every parameter any scenario declares, once.
///
/// # Errors
/// Two scenarios that give the same parameter different distributions.
pub fn declared(scenarios: &[Scenario]) -> Result<Vec<Uncertain>, Problems> {
    let mut out: Vec<Uncertain> = Vec::new();
    let mut problems = Vec::new();
    for s in scenarios {
        for u in &s.uncertain {
            match out.iter().find(|x| x.key == u.key) {
                None => out.push(u.clone()),
                Some(x) if x.distribution == u.distribution => {}
                Some(_) => problems.push(Problem::new(
                    Origin::file(&s.path),
                    &format!("uncertainty.\"{}\"", u.key),
                    "gives a different distribution than another scenario of the comparison: a draw must mean the same value for all",
                )),
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    if problems.is_empty() { Ok(out) } else { Err(Problems(problems)) }
}

/// The parameter values of a comparison's draws.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawSet {
    /// The parameters drawn.
    pub uncertain: Vec<Uncertain>,
    /// Per draw, the value of each, in `uncertain`'s order.
    pub values: Vec<Vec<f64>>,
    /// Every scenario takes every value (a sample of the world, such as a calibration's),
    /// instead of each scenario the values of the parameters it declares uncertain.
    pub everywhere: bool,
}

impl DrawSet {
    /// The draws at `points` of the unit cube (one coordinate per parameter), by each
    /// distribution's quantile function; each scenario takes the parameters it declares.
    pub fn at(uncertain: Vec<Uncertain>, points: &[Vec<f64>]) -> Self {
        let values = points.iter().map(|u| values(&uncertain, u)).collect();
        Self { uncertain, values, everywhere: false }
    }

    /// Read a sample file: a header `draw,<section.key>,…` (the `draw` column optional) and
    /// one row per draw, as `design.csv` and a calibration's `non_implausible.csv`; every
    /// scenario takes every value. At most `limit` rows (all when 0).
    ///
    /// # Errors
    /// An unreadable file, an unknown parameter, a cell that is not a number or a value
    /// outside the parameter's range, each naming the file and line.
    pub fn read(path: &Path, limit: usize) -> Result<Self, Problems> {
        let problem = |line: usize, message: String| {
            Problem::new(Origin { file: path.to_path_buf(), position: Some((line, 1)) }, "", message)
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            Problems(vec![Problem::new(Origin::file(path), "", format!("cannot be read: {e}"))])
        })?;
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(Problems(vec![problem(1, "is empty: a header of parameter keys is needed".into())]));
        };
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        let skip = usize::from(columns.first() == Some(&"draw"));
        let mut problems = Vec::new();
        let mut uncertain = Vec::new();
        for key in &columns[skip..] {
            match super::declared(key) {
                Ok(doc) => uncertain.push(Uncertain {
                    key: (*key).to_string(),
                    distribution: super::Distribution::Uniform { low: doc.min, high: doc.max },
                    source: format!("sample file {}", path.display()),
                }),
                Err(m) => problems.push(problem(1, m)),
            }
        }
        let mut values = Vec::new();
        for (i, line) in lines {
            if limit > 0 && values.len() == limit {
                break;
            }
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != columns.len() {
                problems
                    .push(problem(i + 1, format!("has {} cells, the header {}", cells.len(), columns.len())));
                continue;
            }
            let mut row = Vec::new();
            for (key, cell) in columns[skip..].iter().zip(&cells[skip..]) {
                match cell.parse::<f64>() {
                    Ok(v) => match set(&crate::params::Params::default(), key, v) {
                        Ok(_) => row.push(v),
                        Err(m) => problems.push(problem(i + 1, m)),
                    },
                    Err(_) => problems.push(problem(i + 1, format!("{key}: \"{cell}\" is not a number"))),
                }
            }
            values.push(row);
        }
        if values.is_empty() && problems.is_empty() {
            problems.push(problem(1, "holds no draw".into()));
        }
        if problems.is_empty() {
            Ok(Self { uncertain, values, everywhere: true })
        } else {
            Err(Problems(problems))
        }
    }

    /// The scenarios of draw `d`.
    fn scenarios(&self, scenarios: &[Scenario], d: usize) -> Vec<Scenario> {
        scenarios
            .iter()
            .map(|s| {
                let mut s = s.clone();
                for (u, &v) in self.uncertain.iter().zip(&self.values[d]) {
                    if self.everywhere || s.uncertain.iter().any(|x| x.key == u.key) {
                        s.params =
                            set(&s.params, &u.key, v).expect("a drawn value lies in the parameter's range");
                    }
                }
                s
            })
            .collect()
    }
}

/// The metrics of every given scenario of one comparison's outcome, in `METRICS` order:
/// (mean, lower, upper) with the 95 % confidence interval across replications.
pub fn metrics_of(outcome: &trial::Outcome, rows: &[CostEffectiveness]) -> Vec<[(f64, f64, f64); 4]> {
    let trial = tables::trial_rows(outcome);
    let p0 = crate::metrics::index("p0").expect("p0 is a metric");
    let none = f64::NAN;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let gain = trial
                .iter()
                .find(|t| {
                    t.scenario == r.scenario
                        && (t.module, t.group, t.estimator, t.outcome, t.years_since_start)
                            == ("any", "participants", "exact", "consumption_pc", "run")
                })
                .map_or((none, none, none), |t| {
                    let level = t.counterfactual_mean.unwrap_or(none);
                    let at = |x: Option<f64>| x.unwrap_or(none) / level;
                    (at(t.mean), at(t.lower), at(t.upper))
                });
            let p = &r.person_years_averted;
            let [per, per_lo, per_hi] = r.cost_per_person_year_idr;
            let level = Stat::of(&crate::summary::run_means(&outcome.results[i].runs, p0));
            [(p.mean, p.ci_lo, p.ci_hi), (per, per_lo, per_hi), gain, (level.mean, level.ci_lo, level.ci_hi)]
        })
        .collect()
}

/// The draws of a comparison.
#[derive(Clone, Debug)]
pub struct Draws {
    /// The uncertain parameters.
    pub uncertain: Vec<Uncertain>,
    /// The parameter values of each draw, in `uncertain`'s order.
    pub values: Vec<Vec<f64>>,
    /// Per draw, per given scenario, the `METRICS`.
    pub metrics: Vec<Vec<[f64; 4]>>,
}

/// The design of a comparison's draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// A Latin hypercube of N points.
    LatinHypercube,
    /// A Saltelli design of N (2k + 2) points for Sobol' indices ([`super::sobol`]).
    Sobol,
}

/// The points of `design` with base size `n` for `k` parameters, drawn from `seed`.
pub fn points(design: Design, n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    match design {
        Design::LatinHypercube => design::latin_hypercube(n, k, seed),
        Design::Sobol => super::sobol::design(n, k, seed),
    }
}

/// The name of the resume log of a comparison's draws: the same scenarios (everything but
/// the files' paths) with the same draws give the same name, anything else another.
pub fn log_name(scenarios: &[Scenario], draws: &DrawSet) -> String {
    let mut text = format!("livelihoods {}\n", env!("CARGO_PKG_VERSION"));
    for s in scenarios {
        let s = Scenario { path: std::path::PathBuf::new(), file_hashes: Vec::new(), ..s.clone() };
        text.push_str(&format!("{s:?}\n"));
    }
    text.push_str(&format!("{draws:?}\n"));
    let hash = crate::scenario::sha256_hex(text.as_bytes());
    format!("draws-{}.log", &hash[..16])
}

/// Run the comparison of `scenarios` (baseline at `baseline`) once per draw of `draws`
/// (only the draws of `shard`, when given: the others have no metrics). Each finished draw is appended to
/// `log` and synced (a line per scenario and metric, as `draws.csv`); draws the log already
/// holds complete are not run again, so an interrupted run resumes where it stopped and
/// ends with the same results. `on_season` as in [`trial::run`].
///
/// # Errors
/// I/O errors of the log.
#[allow(clippy::too_many_arguments)]
pub fn run(
    scenarios: &[Scenario],
    baseline: usize,
    draws: DrawSet,
    shard: Option<crate::scaleout::Shard>,
    threads: usize,
    money: (f64, f64),
    log: &Path,
    on_season: &(dyn Fn() + Sync),
) -> io::Result<Draws> {
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let mut done = read_log(log, &names)?;
    let mut file = crate::sweep::open_log(log)?;
    let mut all_metrics = Vec::with_capacity(draws.values.len());
    for d in 0..draws.values.len() {
        let metrics = match done.remove(&d) {
            Some(m) => m,
            // Another shard's draw: not run here.
            None if shard.is_some_and(|s| !s.holds(d)) => Vec::new(),
            None => {
                let plan = Plan::new(draws.scenarios(scenarios, d), baseline);
                let outcome = trial::run(plan, threads, on_season);
                let rows = cost_effectiveness(&pairings(&outcome), money.0, money.1);
                let m: Vec<[f64; 4]> = metrics_of(&outcome, &rows).iter().map(|m| m.map(|x| x.0)).collect();
                file.write_all(log_lines(d, &names, &m).as_bytes())?;
                file.sync_data()?;
                m
            }
        };
        all_metrics.push(metrics);
    }
    Ok(Draws { uncertain: draws.uncertain, values: draws.values, metrics: all_metrics })
}

/// How many draws `log` holds complete for `scenarios`.
///
/// # Errors
/// I/O errors reading the log.
pub fn logged(
    log: &Path,
    scenarios: &[Scenario],
    shard: Option<crate::scaleout::Shard>,
) -> io::Result<usize> {
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    Ok(read_log(log, &names)?.keys().filter(|d| shard.is_none_or(|s| s.holds(**d))).count())
}

/// The lines of draw `d` in the log and in `draws.csv`: draw, scenario, metric, value.
fn log_lines(d: usize, names: &[&str], metrics: &[[f64; 4]]) -> String {
    let mut s = String::new();
    for (name, m) in names.iter().zip(metrics) {
        for (metric, v) in METRICS.iter().zip(m) {
            s.push_str(&format!("{d},{name},{metric},{}\n", crate::output::number(*v)));
        }
    }
    s
}

/// The draws a log holds complete (every scenario and metric); a torn last line is ignored.
fn read_log(path: &Path, names: &[&str]) -> io::Result<HashMap<usize, Vec<[f64; 4]>>> {
    let mut partial: HashMap<usize, (Vec<[f64; 4]>, usize)> = HashMap::new();
    let Ok(file) = File::open(path) else { return Ok(HashMap::new()) };
    for line in io::BufReader::new(file).lines() {
        let line = line?;
        let cells: Vec<&str> = line.split(',').collect();
        let parsed = (|| {
            let d: usize = cells.first()?.parse().ok()?;
            let s = names.iter().position(|n| Some(n) == cells.get(1))?;
            let m = METRICS.iter().position(|n| Some(n) == cells.get(2))?;
            let v = match *cells.get(3)? {
                "" => f64::NAN,
                text => text.parse::<f64>().ok()?,
            };
            Some((d, s, m, v))
        })();
        if let (Some((d, s, m, v)), 4) = (parsed, cells.len()) {
            let entry = partial.entry(d).or_insert_with(|| (vec![[f64::NAN; 4]; names.len()], 0));
            entry.0[s][m] = v;
            entry.1 += 1;
        }
    }
    let whole = names.len() * METRICS.len();
    Ok(partial.into_iter().filter(|(_, (_, n))| *n == whole).map(|(d, (m, _))| (d, m)).collect())
}

/// `draws.parquet`: the columns of `draws.csv` (draw, scenario, metric, value), with
/// `manifest` in the file's metadata under `livelihoods.manifest`; written whole or not at
/// all.
///
/// # Errors
/// I/O errors.
pub fn draws_parquet(path: &Path, names: &[String], draws: &Draws, manifest: &str) -> io::Result<()> {
    use crate::columnar::{Column, write};
    let (mut draw, mut scenario, mut metric, mut value) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (d, per) in draws.metrics.iter().enumerate() {
        for (name, m) in names.iter().zip(per) {
            for (k, v) in METRICS.iter().zip(m) {
                draw.push(d as i64);
                scenario.push(name.clone());
                metric.push((*k).to_string());
                value.push(*v);
            }
        }
    }
    let columns = [
        ("draw".to_string(), Column::Int64(draw)),
        ("scenario".to_string(), Column::Text(scenario)),
        ("metric".to_string(), Column::Text(metric)),
        ("value".to_string(), Column::Double(value)),
    ];
    let tmp = path.with_extension("parquet.tmp");
    write(&tmp, &columns, &[("livelihoods.manifest", manifest.to_string())])?;
    std::fs::rename(&tmp, path)
}

/// A row of `uncertainty.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// Scenario.
    pub scenario: String,
    /// One of `METRICS`.
    pub metric: &'static str,
    /// At the scenarios' own parameter values: mean across replications.
    pub stochastic_mean: Option<f64>,
    /// Its 95 % confidence interval (weather and household shocks only).
    pub stochastic_lower: Option<f64>,
    /// Upper end.
    pub stochastic_upper: Option<f64>,
    /// Median over the parameter draws of the draw's mean.
    pub parameter_median: Option<f64>,
    /// 2.5th percentile over the draws: the interval that includes parameter uncertainty.
    pub parameter_lower: Option<f64>,
    /// 97.5th percentile.
    pub parameter_upper: Option<f64>,
    /// Share of draws in which the value is above zero (for person-years averted: the share
    /// of draws in which the programme averts poverty).
    pub share_positive: Option<f64>,
    /// Draws.
    pub draws: usize,
}

/// A row of `parameters.csv`: an uncertain parameter, its distribution and source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParameterRow {
    /// Dotted key.
    pub key: String,
    /// Distribution (`super::distribution::KINDS`).
    pub dist: &'static str,
    /// Smallest value.
    pub low: f64,
    /// Largest value.
    pub high: f64,
    /// Source, or "modelling choice".
    pub source: String,
}

/// The rows of `parameters.csv`.
pub fn parameter_rows(uncertain: &[Uncertain]) -> Vec<ParameterRow> {
    uncertain
        .iter()
        .map(|u| {
            let (low, high) = u.distribution.support();
            ParameterRow {
                key: u.key.clone(),
                dist: u.distribution.kind(),
                low,
                high,
                source: u.source.clone(),
            }
        })
        .collect()
}

/// The rows of `uncertainty.csv`: for every given scenario and metric, the value and
/// stochastic interval at the scenarios' own parameter values (`central`, from
/// [`metrics_of`]) beside the interval over the draws.
pub fn rows(names: &[String], central: &[[(f64, f64, f64); 4]], draws: &Draws) -> Vec<Row> {
    let mut out = Vec::new();
    for (s, name) in names.iter().enumerate() {
        for (k, metric) in METRICS.iter().enumerate() {
            let mut v: Vec<f64> = draws.metrics.iter().map(|d| d[s][k]).filter(|x| x.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            let q = |p: f64| if v.is_empty() { f64::NAN } else { quantile(&v, p) };
            let positive = if v.is_empty() {
                f64::NAN
            } else {
                v.iter().filter(|x| **x > 0.0).count() as f64 / v.len() as f64
            };
            out.push(Row {
                scenario: name.clone(),
                metric,
                stochastic_mean: finite(central[s][k].0),
                stochastic_lower: finite(central[s][k].1),
                stochastic_upper: finite(central[s][k].2),
                parameter_median: finite(q(0.5)),
                parameter_lower: finite(q(0.025)),
                parameter_upper: finite(q(0.975)),
                share_positive: finite(positive),
                draws: draws.metrics.len(),
            });
        }
    }
    out
}

/// `design.csv`: one row per draw, one column per uncertain parameter (the layout of a
/// SALib sample file, with a header and the draw's index first).
pub fn design_csv(draws: &Draws) -> String {
    let mut s = String::from("draw");
    for u in &draws.uncertain {
        s.push(',');
        s.push_str(&u.key);
    }
    s.push('\n');
    for (d, values) in draws.values.iter().enumerate() {
        s.push_str(&d.to_string());
        for v in values {
            s.push(',');
            s.push_str(&v.to_string());
        }
        s.push('\n');
    }
    s
}

/// `draws.csv`: per draw, scenario and metric, the draw's value (long format).
pub fn draws_csv(names: &[String], draws: &Draws) -> String {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut s = String::from("draw,scenario,metric,value\n");
    for (d, per) in draws.metrics.iter().enumerate() {
        s.push_str(&log_lines(d, &names, per));
    }
    s
}

/// Every sensitivity file's rows of a comparison's draws, per scenario and metric: rank
/// correlations, and with a Saltelli design of base size `sobol_base`, Sobol' indices.
pub fn sensitivity(
    names: &[String],
    draws: &Draws,
    sobol_base: Option<usize>,
    seed: u64,
) -> (Vec<RankRow>, Vec<SobolRow>, Vec<SecondOrderRow>) {
    let (mut ranks, mut first, mut second) = (Vec::new(), Vec::new(), Vec::new());
    for (s, name) in names.iter().enumerate() {
        for (m, metric) in METRICS.iter().enumerate() {
            let y: Vec<f64> = draws.metrics.iter().map(|d| d[s][m]).collect();
            let series = Series { scenario: name, metric, values: &y };
            ranks.extend(rank_rows(series, &draws.uncertain, &draws.values));
            if let Some(n) = sobol_base {
                let (f, t) = sobol_rows(series, &draws.uncertain, n, seed);
                first.extend(f);
                second.extend(t);
            }
        }
    }
    (ranks, first, second)
}
