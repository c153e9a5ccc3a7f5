//! The `[uncertainty]` table: a distribution for each parameter the scenario declares
//! uncertain, checked against the parameter's declared range.

use super::{Document, Entry, Node, Problem, did_you_mean};
use crate::uncertainty::distribution::KINDS;
use crate::uncertainty::{Distribution, Uncertain, declared};

/// The table's key.
pub(crate) const KEY: &str = "uncertainty";

/// Every uncertain parameter of `doc`, in key order, and every problem found.
pub(crate) fn parse(doc: &Document) -> (Vec<Uncertain>, Vec<Problem>) {
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    let Some(entry) = doc.root.get(KEY) else { return (out, problems) };
    let Node::Table(table) = &entry.node else {
        problems.push(Problem::new(
            entry.origin.clone(),
            KEY,
            format!("must be a table, got a {}", entry.node.type_name()),
        ));
        return (out, problems);
    };
    for (key, e) in table {
        match one(key, e) {
            Ok(u) => out.push(u),
            Err(message) => {
                problems.push(Problem::new(e.origin.clone(), &format!("{KEY}.\"{key}\""), message))
            }
        }
    }
    (out, problems)
}

fn one(key: &str, e: &Entry) -> Result<Uncertain, String> {
    let declared = declared(key)?;
    let Node::Table(spec) = &e.node else {
        return Err(format!(
            "must be a table such as {{ dist = \"uniform\", low = …, high = … }}, got a {}",
            e.node.type_name()
        ));
    };
    let text = |k: &str| match spec.get(k).map(|x| &x.node) {
        Some(Node::Scalar(toml::Value::String(s))) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{k}: must be a string, got a {}", other.type_name())),
        None => Ok(None),
    };
    let number = |k: &str| match spec.get(k).map(|x| &x.node) {
        Some(Node::Scalar(toml::Value::Float(x))) => Ok(*x),
        Some(Node::Scalar(toml::Value::Integer(i))) => Ok(*i as f64),
        Some(other) => Err(format!("{k}: must be a number, got a {}", other.type_name())),
        None => Err(format!("{k} is missing")),
    };
    let kind =
        text("dist")?.ok_or("dist is missing (one of uniform, triangular, normal, beta, loguniform)")?;
    let allowed: &[&str] = match kind.as_str() {
        "uniform" | "loguniform" => &["low", "high"],
        "triangular" => &["low", "mode", "high"],
        "normal" => &["mean", "sd", "low", "high"],
        "beta" => &["alpha", "beta", "low", "high"],
        other => {
            let hint = did_you_mean(other, KINDS.iter().copied());
            return Err(format!(
                "dist: \"{other}\" is not a distribution; one of {}{hint}",
                KINDS.join(", ")
            ));
        }
    };
    if let Some(k) =
        spec.keys().find(|k| !["dist", "source"].contains(&k.as_str()) && !allowed.contains(&k.as_str()))
    {
        return Err(format!("{k}: unknown key for a {kind} distribution (it takes {})", allowed.join(", ")));
    }
    let (low, high) = (number("low")?, number("high")?);
    let distribution = match kind.as_str() {
        "uniform" => Distribution::Uniform { low, high },
        "loguniform" => Distribution::LogUniform { low, high },
        "triangular" => Distribution::Triangular { low, mode: number("mode")?, high },
        "normal" => Distribution::Normal { mean: number("mean")?, sd: number("sd")?, low, high },
        _ => Distribution::Beta { alpha: number("alpha")?, beta: number("beta")?, low, high },
    };
    if let Some(problem) = distribution.problem() {
        return Err(problem);
    }
    if low < declared.min || high > declared.max {
        return Err(format!(
            "the distribution's range {low}..={high} leaves the parameter's range {}..={}",
            declared.min, declared.max
        ));
    }
    if declared.ty != "f64" && (low.fract() != 0.0 || high.fract() != 0.0 || low != high) {
        return Err(format!("{key} is a whole number: only a fixed value (low = high) can be given"));
    }
    let source = text("source")?.unwrap_or_else(|| "modelling choice".into());
    Ok(Uncertain { key: key.to_string(), distribution, source })
}
