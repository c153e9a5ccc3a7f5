//! The files of a calibration: every evaluated point (`waves.csv`), the non-implausible
//! sample (`non_implausible.csv`, in the layout `compare --design FILE` reads, and
//! `non_implausible.parquet`), the fit of every target (`fit.csv`), what the targets
//! constrain (`parameters.csv`) and the calibrated scenario (`calibrated.toml`).

use std::fmt::Write as _;
use std::path::Path;

use super::{Evaluation, History, Target};
use crate::output::number;
use crate::summary::quantile;
use crate::uncertainty::Uncertain;

/// `waves.csv`: wave, point, the parameters, per target its mean, the sd of the mean and
/// the implausibility, the largest implausibility, whether the point is non-implausible.
pub fn waves_csv(history: &History, free: &[Uncertain], targets: &[Target]) -> String {
    let mut s = String::from("wave,point");
    for u in free {
        let _ = write!(s, ",{}", u.key);
    }
    for t in targets {
        let _ = write!(s, ",{0}_mean,{0}_sd_of_mean,{0}_implausibility", t.name);
    }
    s.push_str(",largest_implausibility,non_implausible\n");
    for (w, wave) in history.waves.iter().enumerate() {
        for (p, e) in wave.iter().enumerate() {
            let _ = write!(s, "{},{p}", w + 1);
            for v in &e.values {
                let _ = write!(s, ",{v}");
            }
            for ((m, se), i) in e.outputs.iter().zip(&e.implausibility) {
                let _ = write!(s, ",{},{},{}", number(*m), number(*se), number(*i));
            }
            let _ =
                writeln!(s, ",{},{}", number(e.largest()), u8::from(e.largest() <= history.settings.cutoff));
        }
    }
    s
}

/// `non_implausible.csv`: `draw`, then one column per free parameter (as `design.csv`).
pub fn sample_csv(sample: &[&Evaluation], free: &[Uncertain]) -> String {
    let mut s = String::from("draw");
    for u in free {
        let _ = write!(s, ",{}", u.key);
    }
    s.push('\n');
    for (d, e) in sample.iter().enumerate() {
        s.push_str(&d.to_string());
        for v in &e.values {
            let _ = write!(s, ",{v}");
        }
        s.push('\n');
    }
    s
}

/// `fit.csv`: per target, the observation, the model at the calibrated point, and its
/// implausibility there.
pub fn fit_csv(best: &Evaluation, targets: &[Target]) -> String {
    let mut s =
        String::from("statistic,value,sd,discrepancy_sd,model_mean,model_sd_of_mean,implausibility,source\n");
    for (t, ((m, se), i)) in targets.iter().zip(best.outputs.iter().zip(&best.implausibility)) {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},\"{}\"",
            t.name,
            t.value,
            t.sd,
            t.discrepancy_sd,
            number(*m),
            number(*se),
            number(*i),
            t.source.replace('"', "\"\"")
        );
    }
    s
}

/// What the targets say about one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// Prior range.
    pub prior: (f64, f64),
    /// Smallest and largest non-implausible value.
    pub range: (f64, f64),
    /// 5th and 95th percentiles of the non-implausible values.
    pub central: (f64, f64),
    /// 1 − (width of the 5–95 % range) / (0.9 × the prior's width): 0 when the targets say
    /// nothing about the parameter, towards 1 when they pin it down.
    pub shrinkage: f64,
}

impl Constraint {
    /// In words: constrained, weakly constrained or not constrained.
    pub fn verdict(&self) -> &'static str {
        if self.shrinkage >= 0.5 {
            "constrained"
        } else if self.shrinkage >= 0.2 {
            "weakly constrained"
        } else {
            "not constrained"
        }
    }
}

/// The constraint on each free parameter from the non-implausible `sample`.
pub fn constraints(sample: &[&Evaluation], free: &[Uncertain]) -> Vec<Constraint> {
    free.iter()
        .enumerate()
        .map(|(p, u)| {
            let prior = u.distribution.support();
            let mut v: Vec<f64> = sample.iter().map(|e| e.values[p]).collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                return Constraint {
                    prior,
                    range: (f64::NAN, f64::NAN),
                    central: (f64::NAN, f64::NAN),
                    shrinkage: f64::NAN,
                };
            }
            let central = (quantile(&v, 0.05), quantile(&v, 0.95));
            let width = (prior.1 - prior.0) * 0.9;
            let shrinkage =
                if width > 0.0 { (1.0 - (central.1 - central.0) / width).clamp(0.0, 1.0) } else { 1.0 };
            Constraint { prior, range: (v[0], v[v.len() - 1]), central, shrinkage }
        })
        .collect()
}

/// `parameters.csv`: per free parameter, the prior, the non-implausible range and what the
/// targets say about it, and the calibrated value.
pub fn parameters_csv(free: &[Uncertain], constraints: &[Constraint], best: &Evaluation) -> String {
    let mut s = String::from(
        "parameter,prior_low,prior_high,non_implausible_low,non_implausible_high,p05,p95,shrinkage,verdict,calibrated\n",
    );
    for ((u, c), v) in free.iter().zip(constraints).zip(&best.values) {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{v}",
            u.key,
            c.prior.0,
            c.prior.1,
            number(c.range.0),
            number(c.range.1),
            number(c.central.0),
            number(c.central.1),
            number(c.shrinkage),
            c.verdict()
        );
    }
    s
}

/// `calibrated.toml`: a scenario on `base` (the input file) with the calibrated values, the
/// fit recorded with its sources, and the non-implausible ranges as its `[uncertainty]`, so
/// that `compare --draws N --design non_implausible.csv` carries the calibration's
/// uncertainty.
#[allow(clippy::too_many_arguments)]
pub fn calibrated_toml(
    name: &str,
    base: &Path,
    targets_file: &Path,
    free: &[Uncertain],
    targets: &[Target],
    history: &History,
    best: &Evaluation,
    constraints: &[Constraint],
) -> String {
    let mut s = format!(
        "# Calibrated by livelihoods {} (history matching, {} waves of {} points, cutoff {}) to the targets of\n# {}.\n# Fit at the calibrated point (model mean ± sd of the mean; target ± sd; implausibility):\n",
        env!("CARGO_PKG_VERSION"),
        history.waves.len(),
        history.settings.points,
        history.settings.cutoff,
        targets_file.display()
    );
    for (t, ((m, se), i)) in targets.iter().zip(best.outputs.iter().zip(&best.implausibility)) {
        let _ = writeln!(
            s,
            "#   {}: {m:.5} ± {se:.5}; target {} ± {} ({}); {i:.2}",
            t.name, t.value, t.sd, t.source
        );
    }
    let _ = writeln!(s, "name = \"{name}_calibrated\"\nbase = {:?}\n", base.display().to_string());
    let mut sections: Vec<&str> = free.iter().filter_map(|u| u.key.split_once('.').map(|x| x.0)).collect();
    sections.dedup();
    for section in sections {
        let _ = writeln!(s, "[{section}]");
        for (u, v) in free.iter().zip(&best.values) {
            if let Some((sec, key)) = u.key.split_once('.')
                && sec == section
            {
                let doc = crate::uncertainty::field(&u.key);
                let value = if doc.is_some_and(|d| d.ty != "f64") {
                    format!("{}", v.round())
                } else {
                    format!("{v}")
                };
                let _ = writeln!(s, "{key} = {value}");
            }
        }
        s.push('\n');
    }
    s.push_str("[uncertainty]\n");
    for (u, c) in free.iter().zip(constraints) {
        let _ = writeln!(
            s,
            "\"{}\" = {{ dist = \"uniform\", low = {}, high = {}, source = \"calibrated: the non-implausible range ({}; prior {} to {})\" }}",
            u.key,
            c.range.0,
            c.range.1,
            c.verdict(),
            c.prior.0,
            c.prior.1
        );
    }
    s
}
