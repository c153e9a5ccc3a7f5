//! Charts of a scenario's results: the P0 trajectory with its 95 % band across replications,
//! as SVG and PNG. Text is drawn with the bundled DejaVu Sans font, so charts look the same on
//! every machine whatever fonts it has installed.

use std::io;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::metrics;
use crate::summary::SummaryRow;

/// The font family every chart uses.
const FONT: &str = "sans-serif";
/// Okabe–Ito blue, distinguishable for colour-blind readers.
const BLUE: RGBColor = RGBColor(0, 114, 178);

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

/// Write the P0 trajectory of `summary` to `svg` and `png`.
///
/// # Errors
/// I/O or drawing errors.
pub fn p0_trajectory(
    name: &str,
    base_year: u32,
    summary: &[SummaryRow],
    svg: &Path,
    png: &Path,
) -> io::Result<()> {
    register_font();
    let size = (960, 540);
    draw_p0(&SVGBackend::new(svg, size).into_drawing_area(), name, base_year, summary)?;
    draw_p0(&BitMapBackend::new(png, size).into_drawing_area(), name, base_year, summary)
}

fn draw_p0<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    name: &str,
    base_year: u32,
    summary: &[SummaryRow],
) -> io::Result<()> {
    let k = metrics::index("p0").expect("p0 is a metric");
    let year = |s: u32| f64::from(base_year) + f64::from(s) / 2.0;
    let mean: Vec<(f64, f64)> = summary.iter().map(|r| (year(r.season), r.stats[k].mean)).collect();
    let lo: Vec<(f64, f64)> = summary.iter().map(|r| (year(r.season), r.stats[k].lo)).collect();
    let hi: Vec<(f64, f64)> = summary.iter().map(|r| (year(r.season), r.stats[k].hi)).collect();
    let y_max = hi.iter().map(|p| p.1).fold(0.0, f64::max).max(0.01) * 1.15;
    let x0 = year(0);
    let x1 = mean.last().map_or(x0 + 1.0, |p| p.0.max(x0 + 0.5));
    root.fill(&WHITE).map_err(drawing_error)?;
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{name}: poverty headcount P0"), (FONT, 24))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0.0..y_max)
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .x_desc("year (two seasons a year: wet, then dry)")
        .y_desc("P0, share of persons below the poverty line")
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .draw()
        .map_err(drawing_error)?;
    let band: Vec<(f64, f64)> = lo.iter().chain(hi.iter().rev()).copied().collect();
    chart
        .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.2).filled())))
        .map_err(drawing_error)?
        .label("95 % of replications")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], BLUE.mix(0.2).filled()));
    chart
        .draw_series(LineSeries::new(mean, BLUE.stroke_width(3)))
        .map_err(drawing_error)?
        .label("mean across replications")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(3)));
    chart
        .configure_series_labels()
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(drawing_error)?;
    root.present().map_err(drawing_error)
}
