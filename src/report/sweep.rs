//! A sweep's page (`sweeps/<scenario>/report.html`): the scenario's answer across the
//! points of the design, which parameters it rests on (tornado chart and the indices
//! table), the answer against the parameters that matter most (scatter plots), the
//! parameters swept, and the files. Built from the sweep's files alone, with the template
//! of the comparison's report.

use std::fs;
use std::io;
use std::path::Path;

use super::answers::parameters_table;
use super::format::{self, DASH};
use super::html::{Cell, FigureView, Line as TextLine, Page, SectionView, TableView, render};
use super::sensitivity::{Evaluated, Indices, Line, Measure, TOP, explain, ranked, scatter, tornado};
use super::{Table, read_parameters};
use crate::plot::{Axis, save, series_look};
use crate::summary::quantile;

/// What the page says about the sweep that its files do not.
#[derive(Clone, Debug)]
pub struct SweepInfo {
    /// Scenario swept.
    pub scenario: String,
    /// The design, described.
    pub design: String,
    /// Replications at every point.
    pub replications: u32,
    /// Households.
    pub households: u64,
    /// Seasons.
    pub seasons: u32,
}

/// A result of every point: key, what it is, its axis and how a value is written.
type Shown = (&'static str, &'static str, Axis, fn(f64) -> String);

/// The results of every point.
const RESULTS: [Shown; 4] = [
    ("poverty_person_years_averted", "poverty-person-years averted", Axis::Number, format::thousands),
    ("cost_per_ppya_idr", "cost per poverty-person-year averted", Axis::Number, format::rupiah),
    ("participants_consumption_change", "participants' consumption against their twins", Axis::Share, |x| {
        format::percent(x, 2)
    }),
    ("p0_run_mean", "P0 over the run", Axis::Share, |x| format::percent(x, 1)),
];

/// Draw the charts of the sweep in `dir` and write its `report.html`.
///
/// # Errors
/// Missing or unreadable files of the sweep, drawing errors.
pub fn write_sweep_report(dir: &Path, info: &SweepInfo) -> io::Result<()> {
    let parameters = read_parameters(&dir.join("parameters.csv"))?;
    let keys: Vec<String> = parameters.iter().filter_map(|r| r.first().cloned()).collect();
    let metrics = RESULTS.map(|r| r.0);
    let evaluated = Evaluated::of_sweep(dir, &info.scenario, &keys, &metrics)?;
    let indices = Indices::read(dir)?;
    let lines: Vec<Line> = RESULTS
        .iter()
        .enumerate()
        .map(|(i, r)| Line {
            label: r.1.into(),
            colour: series_look(i + 1).0,
            scenario: &info.scenario,
            metric: r.0,
        })
        .collect();
    // Parameters in the order of their importance for the headline result.
    let headline = &lines[..1];
    let order = ranked(&indices, headline)?;
    let chart =
        tornado(&indices, &lines, order.clone(), &format!("What {}'s results rest on", info.scenario))?;
    let height = chart.height();
    save(&chart, dir, "sensitivity_tornado", (1100, height))?;
    let top: Vec<String> = order.iter().take(TOP).cloned().collect();
    let panels = scatter(&evaluated, &top, headline, RESULTS[0].1, RESULTS[0].2);
    save(&panels, dir, "sensitivity_scatter", (1100, 110 + 380 * panels.rows() as u32))?;
    let svg = |stem: &str| super::html::inline_svg(&dir.join(format!("{stem}.svg")));
    let points = evaluated.values.len();
    let intro = vec![format!(
        "{} at {} points ({}): at every point {} replications of {} households over {} seasons, the programme \
         measured against the same world without it, with the same seed at every point (common random numbers), so \
         differences between points come from the parameters, not from luck.",
        info.scenario,
        format::thousands(points as f64),
        info.design,
        info.replications,
        format::thousands(info.households as f64),
        info.seasons
    )];
    let matter = SectionView::new("section-rests-on", "Which parameters matter")
        .figure(FigureView {
            id: "fig-tornado".into(),
            svg: svg("sensitivity_tornado")?,
            caption: format!(
                "Each result against the swept parameters, strongest for poverty-person-years averted first: {}{}.",
                explain(indices.measure),
                if indices.measure == Measure::SobolTotal { ", with its bootstrap interval" } else { "" }
            ),
        })
        .table(indices_table(&indices, &lines, &order)?)
        .tables(second_order(dir, &info.scenario)?);
    let against = SectionView::new("section-scatter", "The answer against the parameters that matter most").figure(
        FigureView {
            id: "fig-scatter".into(),
            svg: svg("sensitivity_scatter")?,
            caption: format!(
                "Poverty-person-years averted at every point against the {} parameters that move it most; each point \
                 is the mean over its replications.",
                top.len()
            ),
        },
    );
    let page = Page {
        title: format!("livelihoods: sweep of {}", info.scenario),
        question: format!("What does {}'s answer rest on?", info.scenario),
        intro,
        sections: vec![
            SectionView::new("section-across", "The answer across the sweep")
                .table(across(&evaluated, &info.scenario)),
            matter,
            against,
            SectionView::new("section-parameters", "Parameters swept").table(parameters_table(&parameters)),
            SectionView::new("section-files", "Files").table(files(dir)?),
        ],
    };
    crate::output::write_file_atomically(&dir.join("report.html"), render(&page)?.as_bytes())
}

/// Each result over the points: median, the 2.5th–97.5th percentile, the share above zero.
fn across(evaluated: &Evaluated, scenario: &str) -> TableView {
    let mut t = TableView::new(
        "across",
        &[
            ("result", false),
            ("median over the points", true),
            ("95 % of the points", true),
            ("points above zero", true),
            ("lowest – highest", true),
        ],
    );
    for (metric, label, _, f) in RESULTS {
        let mut v: Vec<f64> = evaluated
            .result(scenario, metric)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            t.rows.push(vec![
                Cell::header(label),
                Cell::text(DASH),
                Cell::text(DASH),
                Cell::text(DASH),
                Cell::text(DASH),
            ]);
            continue;
        }
        v.sort_by(f64::total_cmp);
        let above = v.iter().filter(|x| **x > 0.0).count() as f64 / v.len() as f64;
        t.rows.push(vec![
            Cell::header(label),
            Cell::text(f(quantile(&v, 0.5))),
            Cell::text(format::interval(&f(quantile(&v, 0.025)), &f(quantile(&v, 0.975)))),
            Cell::text(format::percent(above, 0)),
            Cell::text(format::interval(&f(v[0]), &f(v[v.len() - 1]))),
        ]);
    }
    t.notes.push(
        "Over the points of the design, each the mean over its replications. A Latin hypercube or a Saltelli design \
         spreads its points over the parameters' distributions, so these percentiles are the answer's parameter \
         uncertainty; a grid or Morris design places points on levels, so they describe the design, not a \
         probability. Cost per person-year is missing where a point averts none."
            .into(),
    );
    t
}

/// A number in three significant digits.
fn significant(x: f64) -> String {
    if !x.is_finite() {
        return DASH.into();
    }
    if x.abs() >= 100.0 {
        return format::thousands(x);
    }
    let digits = (2 - x.abs().max(1e-12).log10().floor() as i32).clamp(0, 6) as usize;
    format::decimal(x, digits)
}

/// The indices of every parameter for every result, strongest parameter first.
fn indices_table(indices: &Indices, lines: &[Line], order: &[String]) -> io::Result<TableView> {
    let mut columns: Vec<(&str, bool)> = vec![("parameter", false)];
    columns.extend(lines.iter().map(|l| (l.label.as_str(), true)));
    let mut t = TableView::new("indices", &columns);
    let table = &indices.table;
    let (s, m, p) = (table.column("scenario")?, table.column("metric")?, table.column("parameter")?);
    let two = |x: f64| format::decimal(x, 2);
    for parameter in order {
        let mut row = vec![Cell::lines(vec![TextLine { key: Some(parameter.clone()), text: String::new() }])];
        for line in lines {
            let r = table
                .rows()
                .iter()
                .find(|r| r[s] == line.scenario && r[m] == line.metric && &r[p] == parameter);
            let Some(r) = r else {
                row.push(Cell::text(DASH));
                continue;
            };
            let n = |c: &str| table.column(c).map(|c| table.number(r, c));
            let text = |t: String| TextLine { key: None, text: t };
            row.push(match indices.measure {
                Measure::SobolTotal => Cell::lines(vec![
                    text(format!(
                        "first {} {}",
                        two(n("first_order")?),
                        format::interval(&two(n("first_order_lower")?), &two(n("first_order_upper")?))
                    )),
                    text(format!(
                        "total {} {}",
                        two(n("total")?),
                        format::interval(&two(n("total_lower")?), &two(n("total_upper")?))
                    )),
                ]),
                Measure::MorrisShare => Cell::lines(vec![
                    text(format!("μ* {}", significant(n("mu_star")?))),
                    text(format!("σ {}", significant(n("sigma")?))),
                ]),
                Measure::RankCorrelation => Cell::text(format::signed(n("rank_correlation")?, 2)),
            });
        }
        t.rows.push(row);
    }
    t.notes.push(
        match indices.measure {
            Measure::SobolTotal => "Sobol' indices with 95 % bootstrap intervals: first order, the share of the result's variance the parameter causes alone; total, alone and through its interactions. A total index near zero: the parameter does not matter for that result. A result missing at some point (cost per person-year where a point averts no poverty) has no indices. An interval wider than about 0.3, or an index outside 0–1, means the base sample (--points) is too small to rank that parameter: a few hundred is usual.",
            Measure::MorrisShare => "Morris elementary effects per unit of the parameter's whole range, in the result's unit: μ*, the mean absolute effect (importance); σ, their standard deviation (interactions or a curved response).",
            Measure::RankCorrelation => "Spearman's rank correlation over the points: +1, more of the parameter always gives more of the result; 0, no monotone influence.",
        }
        .into(),
    );
    Ok(t)
}

/// The strongest interactions for poverty-person-years averted, from a Saltelli design.
fn second_order(dir: &Path, scenario: &str) -> io::Result<Option<TableView>> {
    let path = dir.join("sobol_second_order.csv");
    if fs::metadata(&path).map_or(true, |m| m.len() == 0) {
        return Ok(None);
    }
    let table = Table::read(&path)?;
    let c = |n: &str| table.column(n);
    let (s, m, a, b) = (c("scenario")?, c("metric")?, c("parameter")?, c("other")?);
    let (v, lo, hi) = (c("second_order")?, c("lower")?, c("upper")?);
    let mut rows: Vec<&Vec<String>> =
        table.rows().iter().filter(|r| r[s] == scenario && r[m] == RESULTS[0].0).collect();
    rows.sort_by(|x, y| table.number(y, v).total_cmp(&table.number(x, v)));
    let mut t =
        TableView::new("second-order", &[("pair of parameters", false), ("second-order index", true)]);
    let two = |x: f64| format::decimal(x, 2);
    for r in rows.iter().take(5) {
        t.rows.push(vec![
            Cell::lines(vec![
                TextLine { key: Some(r[a].clone()), text: String::new() },
                TextLine { key: Some(r[b].clone()), text: String::new() },
            ]),
            Cell::lines(vec![
                TextLine { key: None, text: two(table.number(r, v)) },
                TextLine {
                    key: None,
                    text: format::interval(&two(table.number(r, lo)), &two(table.number(r, hi))),
                },
            ]),
        ]);
    }
    t.notes.push(
        "The five strongest interactions for poverty-person-years averted: the share of its variance that the two \
         parameters cause together beyond their separate effects (Saltelli 2002), with 95 % bootstrap intervals. \
         Every pair is in sobol_second_order.csv."
            .into(),
    );
    Ok(Some(t))
}

/// The sweep's files and what each holds.
fn files(dir: &Path) -> io::Result<TableView> {
    let mut t = TableView::new("files", &[("file", false), ("what it holds", false)]);
    t.stack = true;
    let known = [
        (
            "results.csv",
            "every point: the parameter values, then each result's mean and 95 % CI over replications",
        ),
        ("results.parquet", "the same columns as Parquet (zstd), the manifest in its metadata"),
        ("sensitivity.csv", "rank correlations of every parameter with every result"),
        ("morris.csv", "Morris μ, μ*, σ of every parameter for every result"),
        ("sobol.csv", "Sobol' first-order and total indices with bootstrap intervals"),
        ("sobol_second_order.csv", "Sobol' second-order indices of every pair"),
        ("parameters.csv", "the swept parameters: distribution, range, source"),
        ("salib_sample.txt", "the points in SALib's sample layout"),
        ("salib_problem.json", "SALib's problem definition of the parameters"),
        ("sweep.toml", "what the folder holds: version, scenario files and hashes, design, overrides"),
        ("results.log", "the resume log: a line per finished point and result"),
    ];
    for (file, what) in known {
        if dir.join(file).exists() {
            t.rows.push(vec![
                Cell::lines(vec![TextLine { key: Some(file.into()), text: String::new() }]),
                Cell::text(what),
            ]);
        }
    }
    Ok(t)
}
