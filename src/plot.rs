//! Charts, as SVG and PNG. Text is drawn with the bundled DejaVu Sans font, so charts look the
//! same on every machine whatever fonts it has installed; colours are the Okabe–Ito palette,
//! which colour-blind readers can tell apart.

use std::io;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// The font family every chart uses.
const FONT: &str = "sans-serif";

/// Okabe–Ito colours (black first, for the baseline), then grey.
pub const PALETTE: [RGBColor; 9] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    RGBColor(153, 153, 153),
];

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

/// Something that can be drawn on any backend.
pub trait Chart {
    /// Draw on `area`.
    ///
    /// # Errors
    /// Drawing errors.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> io::Result<()>;
}

/// Write `chart` as `dir/stem.svg` and `dir/stem.png`.
///
/// # Errors
/// I/O or drawing errors.
pub fn save(chart: &impl Chart, dir: &Path, stem: &str, size: (u32, u32)) -> io::Result<()> {
    register_font();
    chart.draw(&SVGBackend::new(&dir.join(format!("{stem}.svg")), size).into_drawing_area())?;
    chart.draw(&BitMapBackend::new(&dir.join(format!("{stem}.png")), size).into_drawing_area())
}

/// One series of a fan chart: (x, mean, low, high) points.
#[derive(Clone, Debug)]
pub struct Band {
    /// Legend label.
    pub name: String,
    /// Colour.
    pub colour: RGBColor,
    /// Drawn thicker (the baseline).
    pub highlight: bool,
    /// (x, mean, low, high).
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// Lines with shaded bands, x in years.
#[derive(Clone, Debug)]
pub struct FanChart {
    /// Title.
    pub title: String,
    /// Y-axis description with unit.
    pub y_desc: String,
    /// What the band shows, for the legend.
    pub band_label: String,
    /// The series.
    pub bands: Vec<Band>,
    /// Draw a line at y = 0.
    pub zero_line: bool,
}

impl Chart for FanChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        root.fill(&WHITE).map_err(drawing_error)?;
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
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        if self.zero_line {
            y0 = y0.min(0.0);
            y1 = y1.max(0.0);
        } else {
            y0 = 0.0_f64.min(y0);
        }
        let pad = ((y1 - y0) * 0.1).max(1e-9);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 22))
            .margin(16)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1.max(x0 + 0.5), y0 - if self.zero_line { pad } else { 0.0 }..y1 + pad)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc("year (two seasons a year: wet, then dry)")
            .y_desc(&self.y_desc)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format_axis(*y))
            .draw()
            .map_err(drawing_error)?;
        if self.zero_line {
            chart
                .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.mix(0.5)))
                .map_err(drawing_error)?;
        }
        for band in &self.bands {
            let edge: Vec<(f64, f64)> = band
                .points
                .iter()
                .map(|p| (p.0, p.2))
                .chain(band.points.iter().rev().map(|p| (p.0, p.3)))
                .filter(|p| p.1.is_finite())
                .collect();
            let fill = band.colour.mix(if band.highlight { 0.15 } else { 0.12 });
            chart.draw_series(std::iter::once(Polygon::new(edge, fill.filled()))).map_err(drawing_error)?;
        }
        for band in &self.bands {
            let width = if band.highlight { 4 } else { 2 };
            let style = band.colour.stroke_width(width);
            let line: Vec<(f64, f64)> =
                band.points.iter().map(|p| (p.0, p.1)).filter(|p| p.1.is_finite()).collect();
            labelled_line(&mut chart, line, style, &band.name)?;
        }
        draw_legend(&mut chart)?;
        root.draw(&Text::new(
            format!("shaded: {}", self.band_label),
            (90, root.dim_in_pixel().1 as i32 - 18),
            (FONT, 12).into_font(),
        ))
        .map_err(drawing_error)?;
        root.present().map_err(drawing_error)
    }
}

/// Several fan charts side by side.
#[derive(Clone, Debug)]
pub struct Panels(pub Vec<FanChart>);

impl Chart for Panels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let areas = root.split_evenly((1, self.0.len().max(1)));
        for (chart, area) in self.0.iter().zip(&areas) {
            chart.draw(area)?;
        }
        Ok(())
    }
}

/// A named, coloured line of (x, y) points.
pub type Series = (String, RGBColor, Vec<(f64, f64)>);

/// Distributions as lines over a value axis, with a vertical reference line.
#[derive(Clone, Debug)]
pub struct Distribution {
    /// Title.
    pub title: String,
    /// X-axis description with unit.
    pub x_desc: String,
    /// (name, colour, points (x, share of persons per unit of x)).
    pub series: Vec<Series>,
    /// Where to draw the reference line, and its label.
    pub line: (f64, String),
}

impl Chart for Distribution {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let x1 = self.series.iter().flat_map(|s| s.2.iter().map(|p| p.0)).fold(self.line.0 * 1.2, f64::max);
        let y1 = self.series.iter().flat_map(|s| s.2.iter().map(|p| p.1)).fold(1e-12, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 22))
            .margin(16)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..x1, 0.0..y1)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc("density (share of persons per Rp 1,000)")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .x_label_formatter(&|x| format!("{:.0}", x / 1000.0))
            .y_label_formatter(&|y| format_axis(*y))
            .draw()
            .map_err(drawing_error)?;
        let (line_x, label) = &self.line;
        chart
            .draw_series(LineSeries::new([(*line_x, 0.0), (*line_x, y1)], BLACK.stroke_width(2)))
            .map_err(drawing_error)?
            .label(label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        for (name, colour, points) in &self.series {
            labelled_line(&mut chart, points.clone(), colour.stroke_width(2), name)?;
        }
        draw_legend(&mut chart)?;
        root.present().map_err(drawing_error)
    }
}

/// A value with an interval per category (for example cost per poverty-person-year averted).
#[derive(Clone, Debug)]
pub struct Intervals {
    /// Title.
    pub title: String,
    /// Y-axis description with unit.
    pub y_desc: String,
    /// (category, colour, value, low, high); NaN ends are drawn as open.
    pub rows: Vec<(String, RGBColor, f64, f64, f64)>,
}

impl Chart for Intervals {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let finite = self.rows.iter().flat_map(|r| [r.2, r.3, r.4]).filter(|v| v.is_finite());
        let y1 = finite.fold(1.0, f64::max) * 1.1;
        let n = self.rows.len().max(1);
        let names: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 22))
            .margin(16)
            .x_label_area_size(110)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y1)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .y_desc(&self.y_desc)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format_axis(*y))
            .draw()
            .map_err(drawing_error)?;
        for (i, (_, colour, mid, lo, hi)) in self.rows.iter().enumerate() {
            let x = i as f64;
            if mid.is_finite() {
                let top = if hi.is_finite() { *hi } else { y1 };
                let bottom = if lo.is_finite() { *lo } else { 0.0 };
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, bottom), (x, top)],
                        colour.stroke_width(3),
                    )))
                    .map_err(drawing_error)?;
                chart
                    .draw_series(std::iter::once(Circle::new((x, *mid), 6, colour.filled())))
                    .map_err(drawing_error)?;
            }
        }
        root.present().map_err(drawing_error)
    }
}

/// A chart over two `f64` axes.
type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A line with an entry in the legend.
fn labelled_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plane<'a, DB>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
    name: &str,
) -> io::Result<()> {
    chart
        .draw_series(LineSeries::new(points, style))
        .map_err(drawing_error)?
        .label(name)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    Ok(())
}

/// The legend, in the upper right corner.
fn draw_legend<'a, DB: DrawingBackend + 'a>(chart: &mut Plane<'a, DB>) -> io::Result<()> {
    chart
        .configure_series_labels()
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(drawing_error)
}

/// Axis numbers: plain for small values, with thousands separators for large ones.
fn format_axis(y: f64) -> String {
    let a = y.abs();
    if a >= 1e6 {
        format!("{:.1} M", y / 1e6)
    } else if a >= 1e4 {
        format!("{:.0} k", y / 1e3)
    } else if a >= 10.0 {
        format!("{y:.0}")
    } else if a >= 0.1 || a == 0.0 {
        format!("{y:.2}")
    } else {
        format!("{y:.4}")
    }
}
