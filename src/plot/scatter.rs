//! Scatter plots: a result at every point of a design against one parameter, one colour per
//! series, in panels side by side and in rows.

use std::io;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axis, Chart, Dash, FONT, LegendEntry, REFERENCE, Ticks, drawing_error, keyed, y_range};

/// A named set of (x, y) points in a colour.
pub type Points = (String, RGBColor, Vec<(f64, f64)>);

/// One scatter plot.
#[derive(Clone, Debug)]
pub(crate) struct Scatter {
    /// Title (the parameter).
    pub title: String,
    /// X-axis description with unit.
    pub x_desc: String,
    /// Y-axis description with unit.
    pub y_desc: String,
    /// How the y axis is labelled.
    pub y_axis: Axis,
    /// The points, one set per series.
    pub series: Vec<Points>,
}

impl Chart for Scatter {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let all =
            || self.series.iter().flat_map(|s| s.2.iter()).filter(|p| p.0.is_finite() && p.1.is_finite());
        let span = |f: &dyn Fn(&(f64, f64)) -> f64| {
            all().map(f).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)))
        };
        let (x0, x1) = span(&|p| p.0);
        let (x0, x1) = if x0 > x1 { (0.0, 1.0) } else { (x0, x1) };
        let pad = if x1 > x0 { (x1 - x0) * 0.05 } else { x0.abs().max(1e-6) * 0.05 };
        let (x0, x1) = (x0 - pad, x1 + pad);
        let (y0, y1) = span(&|p| p.1);
        let (bottom, top) = y_range(y0, y1, y0 <= 0.0 && y1 >= 0.0);
        let (xt, yt) = (Ticks::new(x0, x1, 6, Axis::Number), Ticks::new(bottom, top, 7, self.y_axis));
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 18))
            .margin(12)
            .margin_right(24)
            .x_label_area_size(46)
            .y_label_area_size(76)
            .build_cartesian_2d(keyed(x0..x1, xt.points.clone()), keyed(bottom..top, yt.points.clone()))
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .bold_line_style(BLACK.mix(0.1))
            .x_label_formatter(&|x| xt.label(*x))
            .y_label_formatter(&|y| yt.label(*y))
            .draw()
            .map_err(drawing_error)?;
        if bottom < 0.0 && top > 0.0 {
            chart
                .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], REFERENCE.stroke_width(1)))
                .map_err(drawing_error)?;
        }
        for (_, colour, points) in &self.series {
            let finite = points.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
            chart
                .draw_series(finite.map(|&p| Circle::new(p, 3, colour.mix(0.75).filled())))
                .map_err(drawing_error)?;
        }
        Ok(())
    }

    fn legend(&self) -> Vec<LegendEntry> {
        if self.series.len() < 2 {
            return Vec::new();
        }
        self.series.iter().map(|(name, colour, _)| LegendEntry::line(name, *colour, Dash::Solid, 6)).collect()
    }
}

/// Scatter plots in a grid of `columns` columns, one legend (the first plot's) below them.
#[derive(Clone, Debug)]
pub(crate) struct ScatterPanels {
    /// The plots, row by row.
    pub plots: Vec<Scatter>,
    /// Plots per row.
    pub columns: usize,
}

impl ScatterPanels {
    /// Rows of plots.
    pub fn rows(&self) -> usize {
        self.plots.len().div_ceil(self.columns.max(1)).max(1)
    }
}

impl Chart for ScatterPanels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        let areas = root.split_evenly((self.rows(), self.columns.max(1)));
        for (plot, area) in self.plots.iter().zip(&areas) {
            plot.draw(area)?;
        }
        Ok(())
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.plots.first().map(Chart::legend).unwrap_or_default()
    }
}
