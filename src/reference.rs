//! The analyst's reference of every scenario key, generated from the same declarations that
//! read and check the keys, so it cannot drift from the code: `livelihoods schema` prints it
//! as Markdown (the body of `scenarios/README.md`) or as a complete TOML file of defaults.

use std::fmt::Write as _;

use crate::params::{FieldDoc, Government, Params};

fn value(doc: &FieldDoc) -> String {
    if doc.ty == "f64" { format!("{:?}", doc.default) } else { format!("{}", doc.default as u64) }
}

fn range(doc: &FieldDoc) -> String {
    let show = |x: f64| if doc.ty == "f64" { format!("{x}") } else { format!("{}", x as u64) };
    format!("{} – {}", show(doc.min), show(doc.max))
}

/// The Markdown reference of every key.
pub fn markdown() -> String {
    let mut s = String::new();
    s.push_str("### Top level\n\n| key | type | default | valid | meaning |\n|---|---|---|---|---|\n");
    for (k, t, d, v, m) in crate::scenario::TOP_LEVEL {
        let _ = writeln!(s, "| `{k}` | {t} | {d} | {v} | {m} |");
    }
    for (section, about, docs) in Params::reference() {
        let _ = write!(s, "\n### [{section}]\n\n{}\n\n", about.trim());
        s.push_str("| key | default | valid | meaning, unit, source |\n|---|---|---|---|\n");
        for d in docs {
            let _ = writeln!(s, "| `{}` | {} | {} | {} |", d.key, value(d), range(d), d.doc.trim());
        }
        if section == Government::KEY {
            let _ = writeln!(s, "| `readiness_by_year` | [] | each 0 – 1 | {} |", Government::SCHEDULE_DOC);
        }
    }
    s.push_str(
        "\n### [[intervention]]\n\n| key | type | default | valid | meaning |\n|---|---|---|---|---|\n",
    );
    for k in &crate::interventions::KEYS {
        let kinds: Vec<&str> = k.kinds.iter().map(|kind| kind.name()).collect();
        let meaning = if kinds.is_empty() {
            k.meaning.to_string()
        } else {
            format!("{}: {}", kinds.join(", "), k.meaning)
        };
        let _ = writeln!(s, "| `{}` | {} | {} | {} | {meaning} |", k.key, k.ty.name(), k.default, k.valid);
    }
    s
}

/// A complete scenario file stating every default, with each key's meaning as a comment.
pub fn toml_template() -> String {
    let mut s =
        String::from("name = \"kupang_baseline\"\nseed = 20240301\nreplications = 20\nseasons = 20\n");
    for (section, about, docs) in Params::reference() {
        let _ = write!(s, "\n# {}\n[{section}]\n", about.trim());
        for d in docs {
            let _ = writeln!(s, "{} = {}  # {}", d.key, value(d), d.doc.trim());
        }
        if section == Government::KEY {
            let _ = writeln!(s, "readiness_by_year = []  # {}", Government::SCHEDULE_DOC);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_is_in_the_reference() {
        let md = markdown();
        let defaults = toml::Value::try_from(Params::default()).unwrap();
        for (section, table) in defaults.as_table().unwrap() {
            for key in table.as_table().unwrap().keys() {
                assert!(md.contains(&format!("`{key}`")), "{section}.{key} is missing from the reference");
            }
        }
    }

    #[test]
    fn every_intervention_field_is_a_declared_key_and_every_key_a_field() {
        use crate::interventions::{Intervention, KEYS, Kind, Location, Targeting};
        let iv = Intervention {
            id: "x".into(),
            kind: Kind::Cooperative,
            start_season: 0,
            end_season: 1,
            targeting: Targeting::Groups,
            villages: vec![1],
            location: Some(Location::Coastal),
            follows: Some("y".into()),
            follows_index: None,
            group_size: Some(3),
            capacity_per_season: Some(1),
            coverage_share_per_season: Some(0.1),
            cost_idr_per_participant: Some(1.0),
            takeup_min_share: 0.1,
            takeup_max_share: 0.2,
            skill_share: Some(0.5),
            start_probability: Some(0.5),
            governance_boost: Some(0.5),
        };
        let table = toml::Value::try_from(&iv).unwrap();
        let mut fields: Vec<&str> = table.as_table().unwrap().keys().map(String::as_str).collect();
        let mut keys: Vec<&str> = KEYS.iter().map(|k| k.key).collect();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
        let names = |n: &[&str]| n.join(", ");
        let valid = |key: &str| KEYS.iter().find(|k| k.key == key).unwrap().valid;
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(valid("kind"), names(&kinds));
        assert_eq!(valid("targeting"), names(&Targeting::NAMES));
        assert_eq!(valid("location"), names(&Location::NAMES));
    }

    #[test]
    fn the_template_parses_back_to_the_defaults() {
        let parsed: toml::Table = toml::from_str(&toml_template()).unwrap();
        let mut body = parsed.clone();
        for k in ["name", "seed", "replications", "seasons"] {
            body.remove(k);
        }
        let params: Params = toml::Value::Table(body).try_into().unwrap();
        assert_eq!(params, Params::default());
    }
}
