//! Charts, as SVG and PNG. Text is drawn with the bundled DejaVu Sans font, so charts look the
//! same on every machine whatever fonts it has installed. Series are told apart by colour
//! (black for the baseline, then colours chosen to stay distinguishable for colour-blind
//! readers and on white) and by the line's dash as a second cue. The legend sits below the
//! plot area, never over the lines; tick labels have one format per axis, shares as
//! percentages.

use std::io;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::report::format;

mod scatter;

pub(crate) use scatter::{Scatter, ScatterPanels};

/// The font family every chart uses.
const FONT: &str = "sans-serif";

/// Series colours: black first (the baseline), then the Okabe–Ito colours without their
/// yellow (too pale on white), then three darker colours of Paul Tol's palettes and grey.
/// With [`DASHES`] cycling alongside, neighbours that are close in hue (blue and sky blue,
/// orange and vermillion) also differ in dash.
pub(crate) const PALETTE: [RGBColor; 11] = [
    RGBColor(0, 0, 0),
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(136, 34, 85),
    RGBColor(153, 153, 51),
    RGBColor(51, 34, 136),
    RGBColor(119, 119, 119),
];

/// How a line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dash {
    /// A continuous line.
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
}

/// The dashes cycled through with the colours.
pub(crate) const DASHES: [Dash; 3] = [Dash::Solid, Dash::Dashed, Dash::Dotted];

/// Colour and dash of the `i`-th series (the baseline is series 0: black, solid).
pub(crate) fn series_look(i: usize) -> (RGBColor, Dash) {
    (PALETTE[i % PALETTE.len()], DASHES[i % DASHES.len()])
}

/// What the numbers on an axis are, and so how its ticks are labelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axis {
    /// Plain numbers (millions as `2.5 M`).
    Number,
    /// Shares in [0, 1], labelled as percentages (`21.5 %`).
    Share,
    /// Differences of shares, labelled in signed percentage points (`−0.2 pp`).
    SharePoints,
}

/// The colour of reference lines (zero, the poverty line): not a series colour.
const REFERENCE: RGBColor = RGBColor(90, 90, 90);

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans font is a valid TTF"));
    });
}

fn drawing_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("drawing a chart: {e}"))
}

/// One entry of a chart's legend.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    /// Text.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// Dash of the sample line.
    pub dash: Dash,
    /// Width of the sample line, pixels.
    pub width: u32,
    /// A shaded square instead of a line (for bands).
    pub area: bool,
}

impl LegendEntry {
    fn line(label: &str, colour: RGBColor, dash: Dash, width: u32) -> Self {
        Self { label: label.into(), colour, dash, width, area: false }
    }
}

/// Something that can be drawn on any backend.
pub(crate) trait Chart {
    /// Draw the chart (without its legend) on `area`. Does not present the area: [`save`]
    /// presents the whole picture once, so that charts in panels are all kept.
    ///
    /// # Errors
    /// Drawing errors.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> io::Result<()>;

    /// The legend, drawn by [`save`] below the chart; empty for none.
    fn legend(&self) -> Vec<LegendEntry> {
        Vec::new()
    }
}

/// Write `chart` as `dir/stem.svg` and `dir/stem.png`, its legend below it.
///
/// # Errors
/// I/O or drawing errors.
pub(crate) fn save(chart: &impl Chart, dir: &Path, stem: &str, size: (u32, u32)) -> io::Result<()> {
    register_font();
    let (svg_path, png_path) = (dir.join(format!("{stem}.svg")), dir.join(format!("{stem}.png")));
    let svg = SVGBackend::new(&svg_path, size).into_drawing_area();
    render(chart, &svg)?;
    svg.present().map_err(drawing_error)?;
    let png = BitMapBackend::new(&png_path, size).into_drawing_area();
    render(chart, &png)?;
    png.present().map_err(drawing_error)
}

const LEGEND_ROW: u32 = 24;
const LEGEND_MARGIN: u32 = 16;
const LEGEND_SAMPLE: i32 = 34;

fn render<DB: DrawingBackend>(chart: &impl Chart, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
    root.fill(&WHITE).map_err(drawing_error)?;
    let legend = chart.legend();
    if legend.is_empty() {
        return chart.draw(root);
    }
    let (width, height) = root.dim_in_pixel();
    let longest = legend.iter().map(|e| e.label.chars().count()).max().unwrap_or(0) as u32;
    let column = longest * 9 + LEGEND_SAMPLE as u32 + 28;
    let columns = ((width.saturating_sub(2 * LEGEND_MARGIN)) / column).clamp(1, legend.len() as u32);
    let rows = (legend.len() as u32).div_ceil(columns);
    let legend_height = rows * LEGEND_ROW + LEGEND_MARGIN;
    let (plot, below) = root.split_vertically(height.saturating_sub(legend_height));
    chart.draw(&plot)?;
    for (k, entry) in legend.iter().enumerate() {
        let (r, c) = (k as u32 / columns, k as u32 % columns);
        let x = (LEGEND_MARGIN + c * column) as i32;
        let y = (r * LEGEND_ROW + LEGEND_ROW / 2) as i32;
        if entry.area {
            below
                .draw(&Rectangle::new(
                    [(x, y - 7), (x + LEGEND_SAMPLE, y + 7)],
                    entry.colour.mix(0.2).filled(),
                ))
                .map_err(drawing_error)?;
        } else {
            let style = entry.colour.stroke_width(entry.width);
            let points = vec![(x, y), (x + LEGEND_SAMPLE, y)];
            match entry.dash {
                Dash::Solid => below.draw(&PathElement::new(points, style)),
                Dash::Dashed => below.draw(&DashedPathElement::new(points, 9, 5, style)),
                Dash::Dotted => below.draw(&DashedPathElement::new(points, 3, 4, style)),
            }
            .map_err(drawing_error)?;
        }
        below
            .draw(&Text::new(entry.label.clone(), (x + LEGEND_SAMPLE + 8, y - 8), (FONT, 16).into_font()))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// Ticks of an axis: where they are and how they are labelled.
#[derive(Clone, Debug)]
struct Ticks {
    points: Vec<f64>,
    step: f64,
    axis: Axis,
    millions: bool,
}

impl Ticks {
    /// Ticks 1, 2 or 5 × 10^k apart inside [lo, hi], at most `max` of them.
    fn new(lo: f64, hi: f64, max: usize, axis: Axis) -> Self {
        let span = (hi - lo).abs().max(1e-12);
        let mut step = 10f64.powf((span / max as f64).log10().floor());
        'search: for _ in 0..4 {
            for m in [1.0, 2.0, 5.0] {
                if ((span / (step * m)).floor() as usize) < max {
                    step *= m;
                    break 'search;
                }
            }
            step *= 10.0;
        }
        Self::with_step(lo, hi, step, axis)
    }

    fn with_step(lo: f64, hi: f64, step: f64, axis: Axis) -> Self {
        let (first, last) = ((lo / step - 1e-9).ceil() as i64, (hi / step + 1e-9).floor() as i64);
        let points: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
        let largest = points.iter().fold(0.0_f64, |m, p| m.max(p.abs()));
        Self { points, step, axis, millions: axis == Axis::Number && largest >= 1e6 }
    }

    fn label(&self, v: f64) -> String {
        match self.axis {
            Axis::Share => format::percent(v, format::decimals_for_step(self.step * 100.0)),
            Axis::SharePoints => format::points(v, format::decimals_for_step(self.step * 100.0)),
            Axis::Number if self.millions => {
                format!("{} M", format::decimal(v / 1e6, format::decimals_for_step(self.step / 1e6)))
            }
            Axis::Number => format::decimal(v, format::decimals_for_step(self.step)),
        }
    }
}

/// Ticks at whole years, at most `max`.
fn year_ticks(x0: f64, x1: f64, max: usize) -> Ticks {
    let mut t = Ticks::new(x0, x1, max.max(2), Axis::Number);
    if t.step < 1.0 {
        t = Ticks::with_step(x0, x1, 1.0, Axis::Number);
    }
    t
}

/// One series of a fan chart: (x, mean, low, high) points.
#[derive(Clone, Debug)]
pub(crate) struct Band {
    /// Legend label.
    pub name: String,
    /// Colour.
    pub colour: RGBColor,
    /// Dash of the line.
    pub dash: Dash,
    /// Drawn thicker (the baseline).
    pub highlight: bool,
    /// (x, mean, low, high).
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// Lines with shaded bands, x in years.
#[derive(Clone, Debug)]
pub(crate) struct FanChart {
    /// Title.
    pub title: String,
    /// Y-axis description with unit.
    pub y_desc: String,
    /// What the band shows, for the legend.
    pub band_label: String,
    /// The series.
    pub bands: Vec<Band>,
    /// What the y values are.
    pub axis: Axis,
    /// A chart of differences: keep y = 0 inside the range and draw it as a reference line.
    /// Otherwise (a chart of levels) the range follows the data with a margin.
    pub zero_line: bool,
}

/// An `f64` axis with chosen ticks (labelled by the chart's own formatter).
struct Keyed {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

fn keyed(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Keyed {
    Keyed { inner: range.into(), ticks }
}

impl Ranged for Keyed {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A chart over two `f64` axes with chosen ticks.
type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<Keyed, Keyed>>;

/// The y range of a chart whose values span [lo, hi]: a margin on either side; a chart of
/// non-negative levels does not go below zero, a chart of differences keeps zero inside.
fn y_range(mut lo: f64, mut hi: f64, differences: bool) -> (f64, f64) {
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    if differences {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    let pad = if span > 0.0 { span * 0.08 } else { (hi.abs() * 0.05).max(1e-6) };
    let bottom = if !differences && lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad };
    (bottom, hi + pad)
}

/// A line in one of the dashes.
fn dashed_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plane<'a, DB>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
    dash: Dash,
) -> io::Result<()> {
    match dash {
        Dash::Solid => chart.draw_series(LineSeries::new(points, style)).map(|_| ()),
        Dash::Dashed => chart.draw_series(DashedLineSeries::new(points, 9, 5, style)).map(|_| ()),
        Dash::Dotted => chart.draw_series(DashedLineSeries::new(points, 3, 4, style)).map(|_| ()),
    }
    .map_err(drawing_error)
}

impl FanChart {
    fn width(band: &Band) -> u32 {
        if band.highlight { 4 } else { 2 }
    }
}

impl Chart for FanChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let all = self.bands.iter().flat_map(|b| b.points.iter());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, m, lo, hi) in all {
            x0 = x0.min(x);
            x1 = x1.max(x);
            for y in [m, lo, hi].into_iter().filter(|y| y.is_finite()) {
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
        if x0 > x1 {
            (x0, x1) = (0.0, 1.0);
        }
        let x1 = x1.max(x0 + 0.5);
        let (bottom, top) = y_range(y0, y1, self.zero_line);
        let most = root.dim_in_pixel().0 as usize / 80;
        let (xt, yt) = (year_ticks(x0, x1, most), Ticks::new(bottom, top, 10, self.axis));
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 24))
            .margin(16)
            .x_label_area_size(45)
            .y_label_area_size(90)
            .build_cartesian_2d(keyed(x0..x1, xt.points.clone()), keyed(bottom..top, yt.points.clone()))
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc("year (two seasons a year: wet, then dry)")
            .y_desc(&self.y_desc)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .bold_line_style(BLACK.mix(0.1))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| yt.label(*y))
            .draw()
            .map_err(drawing_error)?;
        for band in &self.bands {
            let edge: Vec<(f64, f64)> = band
                .points
                .iter()
                .map(|p| (p.0, p.2))
                .chain(band.points.iter().rev().map(|p| (p.0, p.3)))
                .filter(|p| p.1.is_finite())
                .collect();
            let fill = band.colour.mix(if band.highlight { 0.15 } else { 0.10 });
            chart.draw_series(std::iter::once(Polygon::new(edge, fill.filled()))).map_err(drawing_error)?;
        }
        if self.zero_line {
            chart
                .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], REFERENCE.stroke_width(2)))
                .map_err(drawing_error)?;
        }
        for band in &self.bands {
            let style = band.colour.stroke_width(Self::width(band));
            let line: Vec<(f64, f64)> =
                band.points.iter().map(|p| (p.0, p.1)).filter(|p| p.1.is_finite()).collect();
            dashed_line(&mut chart, line, style, band.dash)?;
        }
        Ok(())
    }

    fn legend(&self) -> Vec<LegendEntry> {
        let mut entries: Vec<LegendEntry> =
            self.bands.iter().map(|b| LegendEntry::line(&b.name, b.colour, b.dash, Self::width(b))).collect();
        entries.push(LegendEntry {
            label: format!("shaded: {}", self.band_label),
            colour: REFERENCE,
            dash: Dash::Solid,
            width: 1,
            area: true,
        });
        if self.zero_line {
            entries.push(LegendEntry::line("no difference", REFERENCE, Dash::Solid, 2));
        }
        entries
    }
}

/// Several fan charts side by side, with the first one's legend (they show the same series).
#[derive(Clone, Debug)]
pub(crate) struct Panels(pub Vec<FanChart>);

impl Chart for Panels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let areas = root.split_evenly((1, self.0.len().max(1)));
        for (chart, area) in self.0.iter().zip(&areas) {
            chart.draw(area)?;
        }
        Ok(())
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.0.first().map(Chart::legend).unwrap_or_default()
    }
}

/// A named line of (x, y) points in a colour and a dash.
pub(crate) type Series = (String, RGBColor, Dash, Vec<(f64, f64)>);

/// Distributions as lines over a value axis, with a vertical reference line.
#[derive(Clone, Debug)]
pub struct Distribution {
    /// Title.
    pub title: String,
    /// X-axis description with unit.
    pub x_desc: String,
    /// (name, colour, dash, points (x, share of persons per Rp 1,000 of x)).
    pub series: Vec<Series>,
    /// Where to draw the reference line, and its label.
    pub line: (f64, String),
}

impl Chart for Distribution {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let x1 = self.series.iter().flat_map(|s| s.3.iter().map(|p| p.0)).fold(self.line.0 * 1.2, f64::max);
        let y1 = self.series.iter().flat_map(|s| s.3.iter().map(|p| p.1)).fold(1e-12, f64::max) * 1.08;
        let xt = Ticks::new(0.0, x1, 10, Axis::Number);
        let yt = Ticks::new(0.0, y1, 8, Axis::Share);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 24))
            .margin(16)
            .x_label_area_size(45)
            .y_label_area_size(90)
            .build_cartesian_2d(keyed(0.0..x1, xt.points.clone()), keyed(0.0..y1, yt.points.clone()))
            .map_err(drawing_error)?;
        let thousand_step = format::decimals_for_step(xt.step / 1000.0);
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc("persons, % per Rp 1,000 of consumption")
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .bold_line_style(BLACK.mix(0.1))
            .x_label_formatter(&|x| format::decimal(x / 1000.0, thousand_step))
            .y_label_formatter(&|y| yt.label(*y))
            .draw()
            .map_err(drawing_error)?;
        for (k, (_, colour, dash, points)) in self.series.iter().enumerate() {
            let width = if k == 0 { 3 } else { 2 };
            dashed_line(&mut chart, points.clone(), colour.stroke_width(width), *dash)?;
        }
        let (line_x, _) = &self.line;
        chart
            .draw_series(DashedLineSeries::new(
                [(*line_x, 0.0), (*line_x, y1)],
                12,
                4,
                REFERENCE.stroke_width(3),
            ))
            .map_err(drawing_error)?;
        Ok(())
    }

    fn legend(&self) -> Vec<LegendEntry> {
        let mut entries: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(k, s)| LegendEntry::line(&s.0, s.1, s.2, if k == 0 { 3 } else { 2 }))
            .collect();
        entries.push(LegendEntry {
            label: self.line.1.clone(),
            colour: REFERENCE,
            dash: Dash::Dashed,
            width: 3,
            area: false,
        });
        entries
    }
}

/// A value with an interval per category (for example cost per poverty-person-year
/// averted), drawn as a forest plot: one row per category, the value on a logarithmic axis.
#[derive(Clone, Debug)]
pub(crate) struct Intervals {
    /// Title.
    pub title: String,
    /// X-axis description with unit.
    pub x_desc: String,
    /// (category, colour, value, low, high); values must be positive, NaN ends are drawn
    /// as open (to the edge of the chart).
    pub rows: Vec<(String, RGBColor, f64, f64, f64)>,
}

/// Ticks at 1, 2 and 5 × 10^k (only 10^k over more than three decades) inside
/// [10^lo, 10^hi], as positions on a log10 axis.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let multiples: &[f64] = if hi - lo > 3.0 { &[1.0] } else { &[1.0, 2.0, 5.0] };
    let mut out = Vec::new();
    for k in lo.floor() as i32..=hi.ceil() as i32 {
        for m in multiples {
            let at = (m * 10f64.powi(k)).log10();
            if at >= lo - 1e-9 && at <= hi + 1e-9 {
                out.push(at);
            }
        }
    }
    out
}

/// A tick label of a log axis of rupiah: `200 k`, `1 M`, `1.5 M`.
fn compact(v: f64) -> String {
    let unit = 10f64.powi(v.abs().log10().floor() as i32 - 2);
    let v = if v.is_finite() && v != 0.0 { (v / unit).round() * unit } else { v };
    if v >= 1e6 {
        format!("{} M", format::decimal(v / 1e6, if (v / 1e6).fract().abs() > 1e-6 { 1 } else { 0 }))
    } else if v >= 1e3 {
        format!("{} k", format::decimal(v / 1e3, 0))
    } else {
        format::thousands(v)
    }
}

impl Chart for Intervals {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let positive = self.rows.iter().flat_map(|r| [r.2, r.3, r.4]).filter(|v| v.is_finite() && *v > 0.0);
        let (lo, hi) = positive.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        let (lo, hi) = if lo > hi { (1.0, 10.0) } else { (lo, hi) };
        let (l0, l1) = (lo.log10() - 0.15, hi.log10() + 0.15);
        let n = self.rows.len().max(1);
        let names: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let row_of = |i: usize| (n - 1 - i) as f64;
        let x = keyed(l0..l1, log_ticks(l0, l1));
        let label = |x: &f64| compact(10f64.powf(*x));
        let mut chart = category_plane(root, (&self.title, &self.x_desc), x, 0.4, &names, &label)?;
        for (i, (_, colour, mid, low, high)) in self.rows.iter().enumerate() {
            if !(mid.is_finite() && *mid > 0.0) {
                continue;
            }
            let y = row_of(i);
            let at = |v: f64, open: f64| if v.is_finite() && v > 0.0 { v.log10() } else { open };
            let (a, b) = (at(*low, l0), at(*high, l1));
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(a, y), (b, y)], colour.stroke_width(3))))
                .map_err(drawing_error)?;
            chart
                .draw_series(std::iter::once(Circle::new((mid.log10(), y), 7, colour.filled())))
                .map_err(drawing_error)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format::rupiah(*mid),
                    (mid.log10(), y + 0.32),
                    (FONT, 15).into_font(),
                )))
                .map_err(drawing_error)?;
        }
        Ok(())
    }
}

/// A chart with categories down the y axis (`names`, top to bottom, rows `pad` apart from
/// the edges) and `x` across, its mesh drawn: the frame of [`Intervals`] and [`Forest`].
fn category_plane<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    (title, x_desc): (&str, &str),
    x: Keyed,
    pad: f64,
    names: &[String],
    x_label: &dyn Fn(&f64) -> String,
) -> io::Result<Plane<'a, DB>> {
    let n = names.len().max(1);
    let longest = names.iter().map(|s| s.chars().count()).max().unwrap_or(8) as u32;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 24))
        .margin(16)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(longest * 9 + 24)
        .build_cartesian_2d(x, keyed(-(1.0 - pad)..n as f64 - pad, (0..n).map(|i| i as f64).collect()))
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(x_desc)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 16))
        .bold_line_style(BLACK.mix(0.1))
        .x_label_formatter(x_label)
        .y_label_formatter(&|y| category_label(names, *y))
        .draw()
        .map_err(drawing_error)?;
    Ok(chart)
}

/// One series of a [`Forest`]: name, colour, and per category (value, low, high).
pub(crate) type ForestSeries = (String, RGBColor, Vec<(f64, f64, f64)>);

/// The label of category row `y` of a chart whose rows are `names` top to bottom (row 0 at
/// the bottom); empty between rows.
fn category_label(names: &[String], y: f64) -> String {
    let (n, i) = (names.len(), y.round());
    if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
        names[n - 1 - i as usize].clone()
    } else {
        String::new()
    }
}

/// Effects with intervals by category, one series beside another (a forest plot on a linear
/// axis that keeps and draws zero): effects by group, effects by years since the start.
#[derive(Clone, Debug)]
pub(crate) struct Forest {
    /// Title.
    pub title: String,
    /// X-axis description with unit.
    pub x_desc: String,
    /// How the x axis is labelled.
    pub axis: Axis,
    /// Categories, top to bottom.
    pub categories: Vec<String>,
    /// Series: name, colour, and per category (value, low, high); NaN where there is none.
    pub series: Vec<ForestSeries>,
}

impl Forest {
    /// A height that gives every point room: up to 22 pixels per series in every category,
    /// fewer when there are many.
    pub(crate) fn height(&self) -> u32 {
        let legend_rows = self.series.len().div_ceil(3) as u32;
        let per_point = if self.series.len() > 4 { 11 } else { 22 };
        160 + legend_rows * LEGEND_ROW + per_point * (self.categories.len() * self.series.len().max(1)) as u32
    }
}

impl Chart for Forest {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let values = self.series.iter().flat_map(|s| s.2.iter().flat_map(|v| [v.0, v.1, v.2]));
        let (lo, hi) =
            values.filter(|v| v.is_finite()).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        let (left, right) = y_range(lo, hi, true);
        let ticks = Ticks::new(left, right, 8, self.axis);
        let n = self.categories.len().max(1);
        let k = self.series.len().max(1);
        let names = self.categories.clone();
        let x = keyed(left..right, ticks.points.clone());
        let label = |x: &f64| ticks.label(*x);
        let mut chart = category_plane(root, (&self.title, &self.x_desc), x, 0.5, &names, &label)?;
        let (bottom, top) = (-0.5, n as f64 - 0.5);
        chart
            .draw_series(LineSeries::new([(0.0, bottom), (0.0, top)], REFERENCE.stroke_width(2)))
            .map_err(drawing_error)?;
        for (j, (_, colour, points)) in self.series.iter().enumerate() {
            // Series side by side within a category, the first on top.
            let offset = if k > 1 { 0.35 - 0.7 * j as f64 / (k - 1) as f64 } else { 0.0 };
            for (i, &(mid, low, high)) in points.iter().enumerate().take(n) {
                if !mid.is_finite() {
                    continue;
                }
                let y = (n - 1 - i) as f64 + offset;
                let (a, b) =
                    (if low.is_finite() { low } else { mid }, if high.is_finite() { high } else { mid });
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(a, y), (b, y)],
                        colour.stroke_width(2),
                    )))
                    .map_err(drawing_error)?;
                chart
                    .draw_series(std::iter::once(Circle::new((mid, y), 4, colour.filled())))
                    .map_err(drawing_error)?;
            }
        }
        Ok(())
    }

    fn legend(&self) -> Vec<LegendEntry> {
        let mut entries: Vec<LegendEntry> = self
            .series
            .iter()
            .map(|(name, colour, _)| LegendEntry::line(name, *colour, Dash::Solid, 3))
            .collect();
        entries.push(LegendEntry::line("no effect", REFERENCE, Dash::Solid, 2));
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_labelled_alike() {
        let t = Ticks::new(0.19, 0.235, 10, Axis::Share);
        assert_eq!(t.step, 0.005);
        let labels: Vec<String> = t.points.iter().map(|p| t.label(*p)).collect();
        assert_eq!(labels.first().map(String::as_str), Some("19.0\u{a0}%"));
        assert!(
            labels
                .iter()
                .all(|l| l.ends_with("\u{a0}%") && l.split('.').nth(1).unwrap().chars().count() == 3),
            "{labels:?}"
        );
        let d = Ticks::new(-0.0025, 0.0085, 8, Axis::SharePoints);
        assert!(d.points.contains(&0.0));
        assert_eq!(d.label(0.0), "0.0\u{a0}pp");
        assert_eq!(d.label(-0.002), "−0.2\u{a0}pp");
        let m = Ticks::new(0.0, 12e6, 8, Axis::Number);
        assert_eq!(m.label(4e6), "4 M");
        assert_eq!(compact(10f64.powf(5e6f64.log10())), "5 M");
        assert_eq!(compact(2e5), "200 k");
        assert_eq!(compact(1.5e6), "1.5 M");
        assert_eq!(year_ticks(2014.0, 2023.5, 12).points.first(), Some(&2014.0));
        assert_eq!(year_ticks(2014.0, 2023.5, 5).step, 2.0);
    }

    #[test]
    fn levels_follow_the_data_and_differences_keep_zero() {
        let (lo, hi) = y_range(0.20, 0.22, false);
        assert!(lo > 0.19 && lo < 0.20 && hi > 0.22 && hi < 0.23, "{lo} {hi}");
        let (lo, hi) = y_range(0.001, 0.002, true);
        assert!(lo < 0.0 && hi > 0.002);
        assert_eq!(y_range(0.0, 0.1, false).0, 0.0);
    }
}
