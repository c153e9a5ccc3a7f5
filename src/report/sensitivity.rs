//! What an answer rests on, shown the same way for a comparison with parameter draws (its
//! "How sure are we" section) and for a sweep (its own page): a tornado chart of each
//! parameter's importance (Sobol' total index with its bootstrap interval, Morris μ* as a
//! share of the largest, or Spearman's rank correlation), and scatter plots of a result
//! against the parameters that matter most.
//!
//! Everything is read from the files the two commands write: the points (`design.csv` and
//! `draws.csv` of a comparison, `results.csv` of a sweep) and the indices (`sobol.csv`,
//! `morris.csv`, `sensitivity.csv`, which share their first columns: scenario, metric,
//! parameter).

use std::io;
use std::path::Path;

use plotters::style::RGBColor;

use super::Table;
use crate::plot::{Axis, Forest, Scatter, ScatterPanels};

/// Scatter plots drawn: the parameters that matter most.
pub(crate) const TOP: usize = 4;

/// A design's points and the results at each: the parameters' values and, per scenario and
/// metric, the result at every point.
pub(crate) struct Evaluated {
    /// Parameter keys.
    pub(crate) parameters: Vec<String>,
    /// Per point, the value of each parameter.
    pub(crate) values: Vec<Vec<f64>>,
    /// (scenario, metric, value at every point).
    pub(crate) results: Vec<(String, String, Vec<f64>)>,
}

impl Evaluated {
    /// The draws of a comparison: `design.csv` and `draws.csv` in `dir`.
    ///
    /// # Errors
    /// Missing files or columns.
    pub(crate) fn of_draws(dir: &Path) -> io::Result<Self> {
        let design = Table::read(&dir.join("design.csv"))?;
        let parameters = design.header().iter().skip(1).cloned().collect();
        let values =
            design.rows().iter().map(|r| (1..r.len()).map(|c| design.number(r, c)).collect()).collect();
        let draws = Table::read(&dir.join("draws.csv"))?;
        let (draw, scenario, metric, value) = (
            draws.column("draw")?,
            draws.column("scenario")?,
            draws.column("metric")?,
            draws.column("value")?,
        );
        let mut results: Vec<(String, String, Vec<f64>)> = Vec::new();
        for r in draws.rows() {
            let d = draws.number(r, draw) as usize;
            let slot = match results.iter().position(|x| x.0 == r[scenario] && x.1 == r[metric]) {
                Some(i) => i,
                None => {
                    results.push((r[scenario].clone(), r[metric].clone(), Vec::new()));
                    results.len() - 1
                }
            };
            let v = &mut results[slot].2;
            v.resize(v.len().max(d + 1), f64::NAN);
            v[d] = draws.number(r, value);
        }
        Ok(Self { parameters, values, results })
    }

    /// A sweep of `scenario`: `results.csv` in `dir`, with `parameters` its first columns
    /// after the point's index and then `<metric>_mean` for each of `metrics`.
    ///
    /// # Errors
    /// Missing files or columns.
    pub(crate) fn of_sweep(
        dir: &Path,
        scenario: &str,
        parameters: &[String],
        metrics: &[&str],
    ) -> io::Result<Self> {
        let t = Table::read(&dir.join("results.csv"))?;
        let columns = parameters.iter().map(|p| t.column(p)).collect::<io::Result<Vec<_>>>()?;
        let values = t.rows().iter().map(|r| columns.iter().map(|&c| t.number(r, c)).collect()).collect();
        let mut results = Vec::new();
        for m in metrics {
            let c = t.column(&format!("{m}_mean"))?;
            results.push((
                scenario.to_string(),
                (*m).to_string(),
                t.rows().iter().map(|r| t.number(r, c)).collect(),
            ));
        }
        Ok(Self { parameters: parameters.to_vec(), values, results })
    }

    /// The result `metric` of `scenario` at every point.
    pub(crate) fn result(&self, scenario: &str, metric: &str) -> Option<&[f64]> {
        self.results.iter().find(|r| r.0 == scenario && r.1 == metric).map(|r| r.2.as_slice())
    }
}

/// How importance is measured, by the file it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Measure {
    /// Sobol' total index (`sobol.csv`).
    SobolTotal,
    /// Morris μ* as a share of the largest for the same result (`morris.csv`).
    MorrisShare,
    /// Spearman's rank correlation (`sensitivity.csv`).
    RankCorrelation,
}

impl Measure {
    /// The chart's x-axis description.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::SobolTotal => {
                "Sobol' total index: share of the result's variance due to the parameter, with its interactions"
            }
            Self::MorrisShare => "Morris μ*: mean absolute elementary effect, as a share of the largest",
            Self::RankCorrelation => {
                "Spearman's rank correlation of the parameter with the result over the points"
            }
        }
    }
}

/// What the tornado chart of `measure` shows, in words for a caption.
pub(crate) fn explain(measure: Measure) -> &'static str {
    match measure {
        Measure::SobolTotal => {
            "the Sobol' total index, the share of the result's variance over the draws that the parameter causes \
             alone and through its interactions (0: it does not matter)"
        }
        Measure::MorrisShare => {
            "Morris's μ*, the mean absolute change in the result when the parameter moves, as a share of the \
             largest"
        }
        Measure::RankCorrelation => {
            "Spearman's rank correlation of the parameter with the result (+1: more of it always gives more; 0: \
             no monotone influence; with few points, values below about 0.3 in size are indistinguishable from \
             chance)"
        }
    }
}

/// A table of indices and what they measure.
pub(crate) struct Indices {
    /// What the index is.
    pub(crate) measure: Measure,
    /// The file, read.
    pub(crate) table: Table,
}

/// `path` read, or none when it is missing or empty.
fn read_optional(path: &Path) -> io::Result<Option<Table>> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > 0 => Table::read(path).map(Some),
        _ => Ok(None),
    }
}

impl Indices {
    /// The strongest measure `dir` holds: Sobol', then Morris, then rank correlations.
    ///
    /// # Errors
    /// Unreadable files; none of the three.
    pub(crate) fn read(dir: &Path) -> io::Result<Self> {
        for (file, measure) in [
            ("sobol.csv", Measure::SobolTotal),
            ("morris.csv", Measure::MorrisShare),
            ("sensitivity.csv", Measure::RankCorrelation),
        ] {
            if let Some(table) = read_optional(&dir.join(file))? {
                return Ok(Self { measure, table });
            }
        }
        Err(io::Error::new(io::ErrorKind::NotFound, format!("{}: no sensitivity.csv", dir.display())))
    }

    /// Each parameter's importance for `metric` of `scenario`: (parameter, value, lower,
    /// upper), NaN where there is no interval.
    ///
    /// # Errors
    /// Missing columns.
    pub(crate) fn importance(
        &self,
        scenario: &str,
        metric: &str,
    ) -> io::Result<Vec<(String, f64, f64, f64)>> {
        let t = &self.table;
        let (s, m, p) = (t.column("scenario")?, t.column("metric")?, t.column("parameter")?);
        let value_columns: [&str; 3] = match self.measure {
            Measure::SobolTotal => ["total", "total_lower", "total_upper"],
            Measure::MorrisShare => ["mu_star", "mu_star", "mu_star"],
            Measure::RankCorrelation => ["rank_correlation", "rank_correlation", "rank_correlation"],
        };
        let c = [t.column(value_columns[0])?, t.column(value_columns[1])?, t.column(value_columns[2])?];
        let mut out: Vec<(String, f64, f64, f64)> = t
            .rows()
            .iter()
            .filter(|r| r[s] == scenario && r[m] == metric)
            .map(|r| (r[p].clone(), t.number(r, c[0]), t.number(r, c[1]), t.number(r, c[2])))
            .collect();
        match self.measure {
            Measure::SobolTotal => {}
            Measure::MorrisShare => {
                let largest = out.iter().map(|x| x.1).filter(|v| v.is_finite()).fold(0.0, f64::max);
                for x in &mut out {
                    let share = if largest > 0.0 { x.1 / largest } else { f64::NAN };
                    *x = (x.0.clone(), share, f64::NAN, f64::NAN);
                }
            }
            Measure::RankCorrelation => {
                for x in &mut out {
                    (x.2, x.3) = (f64::NAN, f64::NAN);
                }
            }
        }
        Ok(out)
    }
}

/// One series of a tornado chart or a scatter plot: its label, colour, scenario and metric.
pub(crate) struct Line<'a> {
    /// Legend label.
    pub(crate) label: String,
    /// Colour.
    pub(crate) colour: RGBColor,
    /// Scenario.
    pub(crate) scenario: &'a str,
    /// Metric.
    pub(crate) metric: &'a str,
}

/// The parameters by their largest importance in size over `lines`, strongest first.
///
/// # Errors
/// Missing columns.
pub(crate) fn ranked(indices: &Indices, lines: &[Line]) -> io::Result<Vec<String>> {
    let mut strength: Vec<(String, f64)> = Vec::new();
    for line in lines {
        for (p, v, _, _) in indices.importance(line.scenario, line.metric)? {
            let v = if v.is_finite() { v.abs() } else { 0.0 };
            match strength.iter_mut().find(|x| x.0 == p) {
                Some(x) => x.1 = x.1.max(v),
                None => strength.push((p, v)),
            }
        }
    }
    strength.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(strength.into_iter().map(|x| x.0).collect())
}

/// The tornado chart: the parameters in `order` (strongest first), one series per line.
///
/// # Errors
/// Missing columns.
pub(crate) fn tornado(
    indices: &Indices,
    lines: &[Line],
    order: Vec<String>,
    title: &str,
) -> io::Result<Forest> {
    let mut series = Vec::new();
    for line in lines {
        let got = indices.importance(line.scenario, line.metric)?;
        let points: Vec<(f64, f64, f64)> = order
            .iter()
            .map(|p| {
                got.iter().find(|x| &x.0 == p).map_or((f64::NAN, f64::NAN, f64::NAN), |x| (x.1, x.2, x.3))
            })
            .collect();
        // A result without an index (cost per person-year with a point that averts none)
        // is left out rather than shown as an empty series.
        if points.iter().any(|p| p.0.is_finite()) {
            series.push((line.label.clone(), line.colour, points));
        }
    }
    let axis = Axis::Number;
    Ok(Forest {
        title: title.into(),
        x_desc: indices.measure.describe().into(),
        axis,
        categories: order,
        series,
    })
}

/// Scatter plots of each line's result against each of `parameters`, two to a row.
pub(crate) fn scatter(
    evaluated: &Evaluated,
    parameters: &[String],
    lines: &[Line],
    y_desc: &str,
    y_axis: Axis,
) -> ScatterPanels {
    let plots = parameters
        .iter()
        .filter_map(|p| evaluated.parameters.iter().position(|x| x == p).map(|i| (p, i)))
        .map(|(p, i)| Scatter {
            title: p.clone(),
            x_desc: "parameter value".into(),
            y_desc: y_desc.into(),
            y_axis,
            series: lines
                .iter()
                .filter_map(|l| {
                    let y = evaluated.result(l.scenario, l.metric)?;
                    let points = evaluated.values.iter().zip(y).map(|(v, &y)| (v[i], y)).collect();
                    Some((l.label.clone(), l.colour, points))
                })
                .collect(),
        })
        .collect();
    ScatterPanels { plots, columns: 2 }
}
