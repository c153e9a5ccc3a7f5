//! The charts of a comparison, built from its data files.

use std::io;
use std::path::Path;

use plotters::style::RGBColor;

use super::{ComparisonInfo, Table, format};
use crate::plot::{Axis, Band, Dash, Distribution, FanChart, Intervals, Panels, save, series_look};
use crate::runner::ScenarioResult;

/// `uncertainty.csv`, the rows of `parameters.csv`, `sensitivity.csv` and, from a Saltelli
/// design, `sobol.csv` of a comparison with parameter draws.
pub(crate) type Uncertainty = (Table, Vec<Vec<String>>, Table, Option<Table>);

/// The data files of a comparison, read.
pub(crate) struct Data<'a> {
    /// `comparison.toml`.
    pub info: &'a ComparisonInfo,
    /// `summary.csv` of every scenario.
    pub summary: Table,
    /// `effects.csv`.
    pub effects: Table,
    /// `cost_effectiveness.csv`.
    pub cost: Table,
    /// `distribution.csv`.
    pub distribution: Table,
    /// `trial.csv`.
    pub trial: Table,
    /// `effects_by_group.csv`.
    pub groups: Table,
    /// `dynamics.csv`.
    pub dynamics: Table,
    /// `uncertainty.csv` and `parameters.csv`, when the comparison drew parameters.
    pub uncertainty: Option<Uncertainty>,
}

/// A drawn chart: its id in the report, its file stem and its caption.
pub(crate) struct Figure {
    /// HTML id.
    pub id: &'static str,
    /// File stem (`.svg`, `.png`).
    pub stem: &'static str,
    /// Caption.
    pub caption: String,
}

/// Draws a chart into the folder (a function of the folder and the file stem) and records
/// it under its id, stem and caption.
type Put<'a> = dyn FnMut(&dyn Fn(&Path, &str) -> io::Result<()>, &'static str, &'static str, String) -> io::Result<()>
    + 'a;

/// Width and height of a single chart, pixels: no wider than the report's text column, so
/// that chart text is shown at its size.
const SIZE: (u32, u32) = (1100, 640);

impl Data<'_> {
    /// The files the report's answers are read from.
    pub(crate) fn files(&self) -> super::answers::Files<'_> {
        super::answers::Files {
            info: self.info,
            cost: &self.cost,
            trial: &self.trial,
            groups: &self.groups,
            dynamics: &self.dynamics,
        }
    }

    /// Colour and dash of a scenario: by its place in the comparison, the baseline first.
    fn look(&self, scenario: &str) -> (RGBColor, Dash) {
        series_look(self.info.scenario.iter().position(|s| s.name == scenario).unwrap_or(0))
    }

    fn year(&self, season: f64) -> f64 {
        f64::from(self.info.base_year) + season / 2.0
    }

    /// One band per scenario from `table`: columns `mean`, `lo`, `hi` of a metric.
    fn bands(&self, table: &Table, cols: [&str; 3], skip_baseline: bool) -> io::Result<Vec<Band>> {
        let (scenario, season) = (table.column("scenario")?, table.column("season")?);
        let [m, lo, hi] = [table.column(cols[0])?, table.column(cols[1])?, table.column(cols[2])?];
        let mut bands = Vec::new();
        for info in &self.info.scenario {
            let is_baseline = info.name == self.info.baseline;
            if skip_baseline && is_baseline {
                continue;
            }
            let points = table
                .rows()
                .iter()
                .filter(|r| r[scenario] == info.name)
                .map(|r| {
                    (
                        self.year(table.number(r, season)),
                        table.number(r, m),
                        table.number(r, lo),
                        table.number(r, hi),
                    )
                })
                .collect();
            let (colour, dash) = self.look(&info.name);
            bands.push(Band { name: info.name.clone(), colour, dash, highlight: is_baseline, points });
        }
        Ok(bands)
    }

    /// The level of a share over time, per scenario.
    fn trajectory(&self, metric: &str, title: &str, y_desc: &str) -> io::Result<FanChart> {
        let cols = [format!("{metric}_mean"), format!("{metric}_lo"), format!("{metric}_hi")];
        Ok(FanChart {
            title: title.into(),
            y_desc: y_desc.into(),
            band_label: "95 % of replications".into(),
            bands: self.bands(&self.summary, [&cols[0], &cols[1], &cols[2]], false)?,
            axis: Axis::Share,
            zero_line: false,
        })
    }
}

/// Draw every chart of the comparison into `dir`.
///
/// # Errors
/// Missing columns, I/O or drawing errors.
pub(crate) fn draw_all(data: &Data, dir: &Path) -> io::Result<Vec<Figure>> {
    let baseline = &data.info.baseline;
    let mut figures = Vec::new();
    let mut put = |chart: &dyn Fn(&Path, &str) -> io::Result<()>,
                   id: &'static str,
                   stem: &'static str,
                   caption: String|
     -> io::Result<()> {
        chart(dir, stem)?;
        figures.push(Figure { id, stem, caption });
        Ok(())
    };
    let p0 = data.trajectory("p0", "Poverty headcount P0", "P0, share of persons below the poverty line")?;
    put(
        &|d, s| save(&p0, d, s, SIZE),
        "fig-p0",
        "p0_trajectories",
        format!(
            "P0 of every scenario: mean across replications and the band of 95 % of replications; {baseline} (the baseline) in black. The axis does not start at zero."
        ),
    )?;
    let p1 = data.trajectory("p1", "Poverty gap P1", "P1, mean gap as a share of the line")?;
    let p2 = data.trajectory("p2", "Poverty severity P2", "P2, mean squared gap")?;
    let depth = Panels(vec![p1, p2]);
    put(
        &|d, s| save(&depth, d, s, (1100, 600)),
        "fig-depth",
        "p1_p2_trajectories",
        "Depth (P1) and severity (P2) of poverty, with the band of 95 % of replications; the axes do not start at zero.".into(),
    )?;
    let difference = FanChart {
        title: "Programme effect on P0, each programme in its own world".into(),
        y_desc: "P0, programme world − the same world without it, percentage points".into(),
        band_label: "95 % confidence interval of the paired mean".into(),
        bands: data.bands(&data.effects, ["p0_diff_mean", "p0_diff_ci_lo", "p0_diff_ci_hi"], true)?,
        axis: Axis::SharePoints,
        zero_line: true,
    };
    put(
        &|d, s| save(&difference, d, s, SIZE),
        "fig-difference",
        "p0_difference",
        format!(
            "The programme effect on P0 over time: each scenario minus the same world without its programme (for {baseline}'s world, {baseline} itself), replication by replication (common random numbers), with its 95 % confidence interval; below zero is less poverty. A scenario without a programme is at zero by construction."
        ),
    )?;
    let uptake = Panels(vec![
        data.trajectory("adopters_share", "Improved practice", "share of households")?,
        data.trajectory("coop_members_share", "Cooperative members", "share of households")?,
        data.trajectory("enterprises_share", "Active enterprises", "share of households")?,
    ]);
    put(
        &|d, s| save(&uptake, d, s, (1200, 600)),
        "fig-uptake",
        "uptake",
        "Adoption of improved practice, cooperative membership and active enterprises (incl. seaweed farms)."
            .into(),
    )?;
    let distribution = consumption(data)?;
    put(
        &|d, s| save(&distribution, d, s, SIZE),
        "fig-distribution",
        "consumption_distribution",
        format!(
            "Distribution of consumption per person in season {} ({}), all replications together, with the poverty line.",
            data.info.distribution_season,
            data.year(f64::from(data.info.distribution_season))
        ),
    )?;
    let files = data.files();
    let look = |s: &str| data.look(s).0;
    let participants = super::answers::participants_chart(&files, &look)?;
    put(
        &|d, s| save(&participants, d, s, (1100, participants.height())),
        "fig-participants",
        "participants_by_year",
        "Effect on participants: consumption per person of households that took part in any module against their twins in the world without the programme, as a share of the twins' level, by years since they first took part, with 95 % confidence intervals.".into(),
    )?;
    let groups = super::answers::for_whom_chart(&files, &look)?;
    put(
        &|d, s| save(&groups, d, s, (1100, groups.height())),
        "fig-groups",
        "effects_by_group",
        "For whom: the programme effect on the poverty headcount P0 of each group over the run (programme world minus the same world without it), percentage points, with 95 % confidence intervals; below zero is less poverty.".into(),
    )?;
    if data.uncertainty.is_some() {
        sensitivity_charts(data, dir, &mut put)?;
    }
    let cost = cost_chart(data)?;
    let height = 150 + 56 * cost.rows.len().max(1) as u32;
    put(
        &|d, s| save(&cost, d, s, (1100, height)),
        "fig-cost",
        "cost_per_ppya",
        "Programme cost per poverty-person-year averted (logarithmic axis), with the interval from the 95 % confidence interval of person-years averted; an interval open to the right has no upper end, because the lower end of person-years averted is zero or below. Scenarios that avert none, or have no programme, are left out.".into(),
    )?;
    Ok(figures)
}

/// What each programme's poverty-person-years averted rest on, over the parameter draws:
/// the tornado chart and scatter plots against the parameters that matter most.
fn sensitivity_charts(data: &Data, dir: &Path, put: &mut Put) -> io::Result<()> {
    use super::sensitivity::{Evaluated, Indices, Line, TOP, ranked, scatter, tornado};
    let metric = "poverty_person_years_averted";
    let evaluated = Evaluated::of_draws(dir)?;
    let indices = Indices::read(dir)?;
    let lines: Vec<Line> = data
        .info
        .scenario
        .iter()
        .filter(|s| {
            evaluated.result(&s.name, metric).is_some_and(|y| y.iter().any(|v| v.is_finite() && *v != 0.0))
        })
        .map(|s| Line { label: s.name.clone(), colour: data.look(&s.name).0, scenario: &s.name, metric })
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let chart =
        tornado(&indices, &lines, ranked(&indices, &lines)?, "What poverty-person-years averted rest on")?;
    let height = chart.height();
    put(
        &|d, s| save(&chart, d, s, (1100, height)),
        "fig-tornado",
        "sensitivity_tornado",
        format!(
            "Each programme's poverty-person-years averted against the uncertain parameters, strongest first: {}{}.",
            super::sensitivity::explain(indices.measure),
            if indices.measure == super::sensitivity::Measure::SobolTotal {
                ", with its bootstrap interval"
            } else {
                ""
            }
        ),
    )?;
    let top: Vec<String> = ranked(&indices, &lines)?.into_iter().take(TOP).collect();
    let panels = scatter(&evaluated, &top, &lines, "person-years averted", Axis::Number);
    let height = 110 + 380 * panels.rows() as u32;
    put(
        &|d, s| save(&panels, d, s, (1100, height)),
        "fig-scatter",
        "sensitivity_scatter",
        format!(
            "Poverty-person-years averted of every parameter draw against the {} parameters that move it most: each \
             point is one draw, the mean over its replications, each programme in its own world.",
            top.len()
        ),
    )
}

/// Consumption per person in the chosen season: the density of each fine bin (persons share
/// per Rp 1,000), smoothed by a moving average over 15 bins (about 4 % of consumption).
fn consumption(data: &Data) -> io::Result<Distribution> {
    const SMOOTH: usize = 15;
    let t = &data.distribution;
    let (scenario, lower, upper, share) =
        (t.column("scenario")?, t.column("lower_idr")?, t.column("upper_idr")?, t.column("persons_share")?);
    let top = data.info.poverty_line_idr * 3.0;
    let series = data
        .info
        .scenario
        .iter()
        .map(|info| {
            let bins: Vec<(f64, f64, f64)> = t
                .rows()
                .iter()
                .filter(|r| r[scenario] == info.name)
                .map(|r| (t.number(r, lower), t.number(r, upper), t.number(r, share)))
                .filter(|b| b.0 < top)
                .collect();
            let points = bins
                .windows(SMOOTH)
                .map(|w| {
                    let (lo, hi) = (w[0].0, w[SMOOTH - 1].1);
                    let mass: f64 = w.iter().map(|b| b.2).sum();
                    ((lo + hi) / 2.0, mass / ((hi - lo) / 1000.0))
                })
                .collect();
            let (colour, dash) = data.look(&info.name);
            (info.name.clone(), colour, dash, points)
        })
        .collect();
    Ok(Distribution {
        title: format!("Consumption per person, season {}", data.info.distribution_season),
        x_desc: "consumption per person, thousand rupiah per month".into(),
        series,
        line: (
            data.info.poverty_line_idr,
            format!("poverty line of a normal year, {}", format::rupiah(data.info.poverty_line_idr)),
        ),
    })
}

fn cost_chart(data: &Data) -> io::Result<Intervals> {
    let t = &data.cost;
    let (scenario, mid, lo, hi) = (
        t.column("scenario")?,
        t.column("cost_per_ppya_idr")?,
        t.column("cost_per_ppya_idr_lo")?,
        t.column("cost_per_ppya_idr_hi")?,
    );
    let rows = t
        .rows()
        .iter()
        .filter(|r| {
            r[scenario] != data.info.baseline && t.number(r, mid).is_finite() && t.number(r, mid) > 0.0
        })
        .map(|r| {
            (
                r[scenario].clone(),
                data.look(&r[scenario]).0,
                t.number(r, mid),
                t.number(r, lo),
                t.number(r, hi),
            )
        })
        .collect();
    Ok(Intervals {
        title: "Cost per poverty-person-year averted".into(),
        x_desc: "rupiah per poverty-person-year averted (logarithmic axis)".into(),
        rows,
    })
}

/// The P0 trajectory of one scenario with the band of 95 % of its replications.
///
/// # Errors
/// None in practice; kept fallible like the other chart builders.
pub(crate) fn p0_chart(result: &ScenarioResult) -> io::Result<FanChart> {
    let k = crate::metrics::index("p0").expect("p0 is a metric");
    let base_year = f64::from(result.scenario.params.calendar.base_year);
    let points = result
        .summary
        .iter()
        .map(|r| (base_year + f64::from(r.season) / 2.0, r.stats[k].mean, r.stats[k].lo, r.stats[k].hi))
        .collect();
    Ok(FanChart {
        title: format!("{}: poverty headcount P0", result.scenario.name),
        y_desc: "P0, share of persons below the poverty line".into(),
        band_label: "95 % of replications".into(),
        bands: vec![Band {
            name: "mean across replications".into(),
            colour: series_look(1).0,
            dash: Dash::Solid,
            highlight: true,
            points,
        }],
        axis: Axis::Share,
        zero_line: false,
    })
}
