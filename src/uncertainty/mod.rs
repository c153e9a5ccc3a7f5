//! Parameter uncertainty: what a scenario declares uncertain (`[uncertainty]`), the
//! distributions, a design of parameter draws, and setting a drawn value on a scenario.
//!
//! ```toml
//! [uncertainty]
//! "cooperative.price_premium_share" = { dist = "uniform", low = 0.0, high = 0.24, source = "Fischer & Qaim 2012" }
//! ```
//!
//! Every distribution is given by its quantile function, so that a design of points in the
//! unit cube ([`design`]) becomes parameter values by inversion, one coordinate per
//! uncertain parameter. A distribution must lie inside the parameter's declared range.

pub mod design;
pub mod distribution;
pub mod draws;
pub mod sensitivity;
pub mod sobol;

pub use distribution::Distribution;

use crate::params::{FieldDoc, Params};

/// One uncertain parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    /// Dotted key, `section.key`.
    pub key: String,
    /// Its distribution.
    pub distribution: Distribution,
    /// Where the range comes from, or "modelling choice".
    pub source: String,
}

/// The declaration of parameter `key` (`section.key`), if there is one.
pub fn field(key: &str) -> Option<FieldDoc> {
    let (section, name) = key.split_once('.')?;
    Params::reference()
        .into_iter()
        .filter(|(s, _, _)| *s == section)
        .flat_map(|(_, _, docs)| docs.iter().copied())
        .find(|d| d.key == name)
}

/// The declaration of parameter `key`, or a message that names it (with the closest key).
///
/// # Errors
/// `key` is not a parameter.
pub fn declared(key: &str) -> Result<FieldDoc, String> {
    field(key).ok_or_else(|| {
        let all = keys();
        let hint = crate::scenario::did_you_mean(key, all.iter().map(String::as_str));
        format!("{key} is not a parameter{hint}")
    })
}

/// Every parameter key, `section.key`.
pub fn keys() -> Vec<String> {
    Params::reference()
        .into_iter()
        .flat_map(|(s, _, docs)| docs.iter().map(move |d| format!("{s}.{}", d.key)))
        .collect()
}

/// `params` with `key` set to `value`, checked against the parameter's range and type.
///
/// # Errors
/// An unknown key, a value out of range, or a fraction for a whole-number parameter.
pub fn set(params: &Params, key: &str, value: f64) -> Result<Params, String> {
    let doc = declared(key)?;
    if !(value >= doc.min && value <= doc.max) {
        return Err(format!("{key}: must be in {}..={}, got {value}", doc.min, doc.max));
    }
    let (section, name) = key.split_once('.').expect("a field's key has a section");
    let mut tree = toml::Value::try_from(params).map_err(|e| e.to_string())?;
    let slot = tree
        .get_mut(section)
        .and_then(|s| s.get_mut(name))
        .ok_or_else(|| format!("{key} is not a parameter"))?;
    *slot = if doc.ty == "f64" {
        toml::Value::Float(value)
    } else {
        if value.fract() != 0.0 {
            return Err(format!("{key}: must be a whole number, got {value}"));
        }
        toml::Value::Integer(value as i64)
    };
    let out: Params = tree.try_into().map_err(|e: toml::de::Error| e.to_string())?;
    let problems = out.check();
    match problems.first() {
        Some(p) => Err(format!("{}: {}", p.path, p.message)),
        None => Ok(out),
    }
}

/// The values of `uncertain` at the point `u` of the unit cube (one coordinate each).
pub fn values(uncertain: &[Uncertain], u: &[f64]) -> Vec<f64> {
    uncertain.iter().zip(u).map(|(x, &u)| x.distribution.quantile(u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_set_by_key_and_checked_against_the_declared_range() {
        let p = set(&Params::default(), "cooperative.price_premium_share", 0.2).unwrap();
        assert_eq!(p.cooperative.price_premium_share, 0.2);
        assert_eq!(Params { cooperative: Params::default().cooperative, ..p.clone() }, Params::default());
        assert!(
            set(&Params::default(), "cooperative.price_premium_share", 7.0)
                .unwrap_err()
                .contains("must be in")
        );
        assert!(
            set(&Params::default(), "cooperative.no_such_key", 0.1).unwrap_err().contains("not a parameter")
        );
        let villages = set(&Params::default(), "population.villages", 80.0).unwrap();
        assert_eq!(villages.population.villages, 80);
        assert!(set(&Params::default(), "population.villages", 80.5).unwrap_err().contains("whole number"));
        assert!(keys().contains(&"farm.base_yield_t_ha".to_string()));
    }
}
