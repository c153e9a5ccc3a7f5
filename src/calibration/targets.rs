//! The targets of a calibration (`--targets FILE`): observed statistics, each with its
//! uncertainty, the model discrepancy the analyst accepts, and its source.
//!
//! ```toml
//! [[target]]
//! statistic = "p0"            # a metric's mean over the observed seasons and replications
//! value = 0.216
//! sd = 0.002                  # or interval = [0.212, 0.220], read as a 95 % interval
//! discrepancy_sd = 0.003      # the model's structural error accepted (a modelling choice)
//! source = "BPS Kupang District 2023–24"
//! ```
//!
//! A statistic is a metric of `seasons.csv` (its mean over the observed seasons), or
//! `<metric>_wet_minus_dry` (its mean in wet seasons less its mean in dry seasons).

use std::path::Path;

use crate::metrics::{self, SeasonMetrics};
use crate::scenario::{Entry, Node, Origin, Problem, Problems, did_you_mean, parse_toml};

/// What a target measures in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// The metric's mean over the observed seasons.
    Mean(usize),
    /// The metric's mean in wet seasons less its mean in dry seasons.
    WetMinusDry(usize),
}

impl Statistic {
    /// The statistic named `name`, if there is one.
    pub fn named(name: &str) -> Option<Self> {
        if let Some(metric) = name.strip_suffix("_wet_minus_dry") {
            return metrics::index(metric).map(Self::WetMinusDry);
        }
        metrics::index(name).map(Self::Mean)
    }

    /// Its value in one replication's seasons.
    pub fn of(self, run: &[SeasonMetrics]) -> f64 {
        let mean = |k: usize, keep: &dyn Fn(&SeasonMetrics) -> bool| {
            // Seasons where the metric is undefined (no harvest in a dry season) are left out.
            let (sum, n) = run
                .iter()
                .filter(|m| keep(m) && m.values[k].is_finite())
                .fold((0.0, 0usize), |(s, n), m| (s + m.values[k], n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        };
        match self {
            Self::Mean(k) => mean(k, &|_| true),
            Self::WetMinusDry(k) => {
                mean(k, &|m| m.season_kind == "wet") - mean(k, &|m| m.season_kind == "dry")
            }
        }
    }
}

/// One target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The statistic's name, as written.
    pub name: String,
    /// What it measures.
    pub statistic: Statistic,
    /// The observed value.
    pub value: f64,
    /// Standard deviation of the observation.
    pub sd: f64,
    /// Standard deviation of the model discrepancy accepted.
    pub discrepancy_sd: f64,
    /// Where the value comes from.
    pub source: String,
}

/// The statistics a target can name, for messages.
fn statistic_names() -> Vec<String> {
    metrics::NAMES.iter().flat_map(|m| [m.to_string(), format!("{m}_wet_minus_dry")]).collect()
}

/// Read the targets of `path`, every problem at once, each naming the file, key and line.
///
/// # Errors
/// Unreadable or malformed files; unknown statistics or keys; non-positive uncertainties.
pub fn load(path: &Path) -> Result<Vec<Target>, Problems> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Problems(vec![Problem::new(Origin::file(path), "", format!("cannot be read: {e}"))]))?;
    let root = parse_toml(path, &text).map_err(Problems)?;
    let mut problems = Vec::new();
    for (key, entry) in &root {
        if key != "target" {
            problems.push(Problem::new(
                entry.origin.clone(),
                key,
                "is not a key of a targets file (only [[target]] tables)",
            ));
        }
    }
    let Some(Entry { node: Node::Array(tables), .. }) = root.get("target") else {
        problems.push(Problem::new(
            Origin::file(path),
            "target",
            "no [[target]] table: nothing to calibrate to",
        ));
        return Err(Problems(problems));
    };
    let mut targets = Vec::new();
    for (i, entry) in tables.iter().enumerate() {
        match target(entry, i, &mut problems) {
            Some(t) if targets.iter().any(|x: &Target| x.name == t.name) => problems.push(Problem::new(
                entry.origin.clone(),
                &format!("target[{i}].statistic"),
                format!("{} is a target twice", t.name),
            )),
            Some(t) => targets.push(t),
            None => {}
        }
    }
    if problems.is_empty() { Ok(targets) } else { Err(Problems(problems)) }
}

fn target(entry: &Entry, i: usize, problems: &mut Vec<Problem>) -> Option<Target> {
    let Node::Table(t) = &entry.node else {
        problems.push(Problem::new(entry.origin.clone(), &format!("target[{i}]"), "must be a table"));
        return None;
    };
    let at = |k: &str| format!("target[{i}].{k}");
    let known = ["statistic", "value", "sd", "interval", "discrepancy_sd", "source"];
    for (k, e) in t {
        if !known.contains(&k.as_str()) {
            let hint = did_you_mean(k, known);
            problems.push(Problem::new(e.origin.clone(), &at(k), format!("is not a key of a target{hint}")));
        }
    }
    let number = |k: &str, problems: &mut Vec<Problem>| -> Option<f64> {
        let e = t.get(k)?;
        match &e.node {
            Node::Scalar(toml::Value::Float(x)) if x.is_finite() => Some(*x),
            Node::Scalar(toml::Value::Integer(x)) => Some(*x as f64),
            other => {
                problems.push(Problem::new(
                    e.origin.clone(),
                    &at(k),
                    format!("must be a finite number, got {}", other.type_name()),
                ));
                None
            }
        }
    };
    let name = match t.get("statistic").map(|e| &e.node) {
        Some(Node::Scalar(toml::Value::String(s))) => s.clone(),
        _ => {
            problems.push(Problem::new(
                entry.origin.clone(),
                &at("statistic"),
                "is missing: the name of a metric, such as \"p0\"",
            ));
            return None;
        }
    };
    let statistic = Statistic::named(&name);
    if statistic.is_none() {
        let names = statistic_names();
        let hint = did_you_mean(&name, names.iter().map(String::as_str));
        let origin = t.get("statistic").map_or(entry.origin.clone(), |e| e.origin.clone());
        problems.push(Problem::new(origin, &at("statistic"), format!("\"{name}\" is not a metric{hint}")));
    }
    let value = number("value", problems);
    if value.is_none() && !t.contains_key("value") {
        problems.push(Problem::new(entry.origin.clone(), &at("value"), "is missing: the observed value"));
    }
    let sd = match (number("sd", problems), t.get("interval")) {
        (Some(sd), None) => Some(sd),
        (None, Some(e)) => match &e.node {
            Node::Array(a) if a.len() == 2 => {
                let v: Vec<f64> = a
                    .iter()
                    .filter_map(|x| match &x.node {
                        Node::Scalar(toml::Value::Float(f)) => Some(*f),
                        Node::Scalar(toml::Value::Integer(n)) => Some(*n as f64),
                        _ => None,
                    })
                    .collect();
                if v.len() == 2 && v[1] > v[0] {
                    Some((v[1] - v[0]) / (2.0 * 1.959_963_984_540_054))
                } else {
                    problems.push(Problem::new(
                        e.origin.clone(),
                        &at("interval"),
                        "must be [low, high] with low < high",
                    ));
                    None
                }
            }
            _ => {
                problems.push(Problem::new(
                    e.origin.clone(),
                    &at("interval"),
                    "must be [low, high] with low < high",
                ));
                None
            }
        },
        (Some(_), Some(e)) => {
            problems.push(Problem::new(e.origin.clone(), &at("interval"), "give sd or interval, not both"));
            None
        }
        (None, None) => {
            problems.push(Problem::new(entry.origin.clone(), &at("sd"), "is missing: give sd or interval"));
            None
        }
    };
    if let (Some(s), Some(e)) = (sd, t.get("sd"))
        && s <= 0.0
    {
        problems.push(Problem::new(e.origin.clone(), &at("sd"), format!("must be above 0, got {s}")));
    }
    let discrepancy_sd = number("discrepancy_sd", problems).unwrap_or(0.0);
    if discrepancy_sd < 0.0 {
        let origin = t.get("discrepancy_sd").map_or(entry.origin.clone(), |e| e.origin.clone());
        problems.push(Problem::new(origin, &at("discrepancy_sd"), "must be 0 or more"));
    }
    let source = match t.get("source").map(|e| &e.node) {
        Some(Node::Scalar(toml::Value::String(s))) => s.clone(),
        _ => {
            problems.push(Problem::new(
                entry.origin.clone(),
                &at("source"),
                "is missing: where the value comes from",
            ));
            return None;
        }
    };
    Some(Target {
        name,
        statistic: statistic?,
        value: value?,
        sd: sd.filter(|s| *s > 0.0)?,
        discrepancy_sd,
        source,
    })
}
