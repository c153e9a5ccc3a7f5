//! A calibration's page (`calibrations/<scenario>/report.html`), built from its files: the
//! fit of every target at the calibrated point, what the targets constrain, the waves, and
//! the files. Rendered with the comparison's template.

use std::io;
use std::path::Path;

use super::Table;
use super::format::{self, DASH};
use super::html::{Cell, Line, Page, SectionView, TableView, render};

/// A number in four significant digits, or a dash.
fn four(x: f64) -> String {
    if !x.is_finite() {
        return DASH.into();
    }
    let digits = (3 - x.abs().max(1e-12).log10().floor() as i32).clamp(0, 8) as usize;
    format::decimal(x, digits)
}

fn key(text: &str) -> Cell {
    Cell::lines(vec![Line { key: Some(text.into()), text: String::new() }])
}

/// Write `report.html` of the calibration of `scenario` in `dir`.
///
/// # Errors
/// Missing or unreadable files of the calibration.
pub fn write_calibration_report(dir: &Path, scenario: &str, cutoff: f64) -> io::Result<()> {
    let fit = Table::read(&dir.join("fit.csv"))?;
    let c = |t: &Table, n: &str| t.column(n);
    let mut targets = TableView::new(
        "fit",
        &[
            ("statistic", false),
            ("observed ± sd", true),
            ("discrepancy sd", true),
            ("model ± sd of its mean", true),
            ("implausibility", true),
            ("source", false),
        ],
    );
    for r in fit.rows() {
        let n = |name: &str| c(&fit, name).map(|i| fit.number(r, i));
        let implausibility = n("implausibility")?;
        let verdict = if implausibility <= cutoff { "" } else { " (implausible)" };
        targets.rows.push(vec![
            key(&r[c(&fit, "statistic")?]),
            Cell::text(format!("{} ± {}", four(n("value")?), four(n("sd")?))),
            Cell::text(four(n("discrepancy_sd")?)),
            Cell::text(format!("{} ± {}", four(n("model_mean")?), four(n("model_sd_of_mean")?))),
            Cell::text(format!("{}{verdict}", format::decimal(implausibility, 2))),
            Cell::text(r[c(&fit, "source")?].clone()),
        ]);
    }
    targets.notes.push(format!(
        "Implausibility: the distance between observation and model in standard deviations of the observation, the \
         accepted discrepancy and the model's own randomness together; a parameter set is non-implausible when no \
         target is above {cutoff}."
    ));
    let mut sections =
        vec![SectionView::new("section-fit", "Fit of every target at the calibrated point").table(targets)];
    let parameters = dir.join("parameters.csv");
    if parameters.exists() {
        let p = Table::read(&parameters)?;
        let mut t = TableView::new(
            "constraints",
            &[
                ("parameter", false),
                ("prior", true),
                ("non-implausible", true),
                ("5–95 %", true),
                ("what the targets say", false),
                ("calibrated", true),
            ],
        );
        for r in p.rows() {
            let n = |name: &str| c(&p, name).map(|i| p.number(r, i));
            let range = |a: f64, b: f64| format::interval(&four(a), &four(b));
            t.rows.push(vec![
                key(&r[c(&p, "parameter")?]),
                Cell::text(range(n("prior_low")?, n("prior_high")?)),
                Cell::text(range(n("non_implausible_low")?, n("non_implausible_high")?)),
                Cell::text(range(n("p05")?, n("p95")?)),
                Cell::text(format!(
                    "{} (shrinkage {})",
                    r[c(&p, "verdict")?],
                    format::decimal(n("shrinkage")?, 2)
                )),
                Cell::text(four(n("calibrated")?)),
            ]);
        }
        t.notes.push(
            "Shrinkage: 1 − the width of the non-implausible 5–95 % range over 90 % of the prior's width. A parameter the \
             targets do not constrain keeps its prior uncertainty: carry it into the answers with compare --design \
             non_implausible.csv."
                .into(),
        );
        sections.push(SectionView::new("section-constraints", "What the targets constrain").table(t));
    }
    let waves = Table::read(&dir.join("waves.csv"))?;
    let (w, kept, largest) =
        (c(&waves, "wave")?, c(&waves, "non_implausible")?, c(&waves, "largest_implausibility")?);
    let mut t = TableView::new(
        "waves",
        &[
            ("wave", true),
            ("points", true),
            ("non-implausible", true),
            ("smallest largest implausibility", true),
        ],
    );
    for wave in waves.distinct(w) {
        let rows: Vec<&Vec<String>> = waves.rows().iter().filter(|r| r[w] == wave).collect();
        let ok = rows.iter().filter(|r| r[kept] == "1").count();
        let best = rows.iter().map(|r| waves.number(r, largest)).fold(f64::INFINITY, f64::min);
        t.rows.push(vec![
            Cell::text(wave.clone()),
            Cell::text(rows.len().to_string()),
            Cell::text(format!("{ok} ({})", format::percent(ok as f64 / rows.len().max(1) as f64, 0))),
            Cell::text(format::decimal(best, 2)),
        ]);
    }
    sections.push(SectionView::new("section-waves", "Waves").table(t));
    let page = Page {
        title: format!("livelihoods: calibration of {scenario}"),
        question: format!("Which parameter values of {scenario} are consistent with what is observed?"),
        intro: vec![
            "History matching: parameter sets are run with the scenario's replications and kept while no target is \
             implausible; each wave proposes new sets around those kept. The result is a sample of the parameter sets \
             the targets do not rule out (non_implausible.csv), not a single best fit; calibrated.toml takes the set \
             that fits closest."
                .into(),
        ],
        sections,
    };
    crate::output::write_file_atomically(&dir.join("report.html"), render(&page)?.as_bytes())
}
