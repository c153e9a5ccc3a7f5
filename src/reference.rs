//! The analyst's reference of every scenario key, generated from the same declarations that
//! read and check the keys, so it cannot drift from the code: `livelihoods schema` prints it
//! as Markdown (the body of `scenarios/README.md`) or as a complete TOML file of defaults.

use std::fmt::Write as _;

use crate::params::{FieldDoc, Government, Params};

/// Keys of an `[[intervention]]` table: key, type, default, valid values, meaning.
pub const INTERVENTION_KEYS: [(&str, &str, &str, &str, &str); 17] = [
    (
        "id",
        "string",
        "required",
        "unique in the scenario",
        "Stable name; keys the intervention's random draws and its rows in results.",
    ),
    (
        "kind",
        "string",
        "required",
        "production_training, cooperative, entrepreneurship, financial_management",
        "The module.",
    ),
    (
        "start_season",
        "integer",
        "required",
        "0 ..",
        "First season of delivery (0 = wet season of the base year).",
    ),
    ("end_season", "integer", "required", "start_season ..", "Last season of delivery, inclusive."),
    (
        "targeting",
        "string",
        "poorest_first",
        "all, poorest_first, random, villages, groups",
        "Whom to invite: everyone; lowest expected income per person first; a random sample; a random sample of the listed villages; groups of group_size households in villages drawn at random (as a programme that organises producer groups recruits).",
    ),
    (
        "villages",
        "list of integers",
        "[]",
        "0 .. villages simulated − 1",
        "Villages served when targeting = \"villages\": indices of the run's villages, whose number is population.villages scaled to the run's households (a listed village the run does not have is an input error).",
    ),
    (
        "location",
        "string",
        "—",
        "coastal, inland",
        "Invite only households of this location (any when absent): targeting by place, with any targeting rule.",
    ),
    (
        "follows",
        "string",
        "—",
        "an earlier intervention's id",
        "Invite only households that took part in that intervention in an earlier season: a package given to the same households in sequence (DW4FS gave its groups production, organisation, entrepreneurship and finance).",
    ),
    (
        "capacity_per_season",
        "integer",
        "—",
        "0 ..",
        "Invitations per season at government readiness 1, households, stated for population.reference_households; a run of another size scales it by households / reference_households. Give this or the next key (not with targeting = \"all\").",
    ),
    (
        "coverage_share_per_season",
        "number",
        "—",
        "0 – 1",
        "Invitations per season as a share of all households.",
    ),
    (
        "group_size",
        "integer",
        "25",
        "1 ..",
        "Households invited per group when targeting = \"groups\": capacity / group_size groups a season, the fraction rounded up with that probability (DW4FS seaweed group \"Dari Dulu\": 23 members, ILO 2015).",
    ),
    (
        "cost_idr_per_participant",
        "number",
        "per kind: 1,000,000 / 570,000 / 860,000 / 430,000",
        "≥ 0",
        "Rupiah per participant: USD 2.0 M for 10,000 farmers (ILO) = USD 200 × Rp 14,308 ≈ Rp 2.86 M, split across modules (split: modelling choice).",
    ),
    (
        "takeup_min_share",
        "number",
        "0.3",
        "0 – 1",
        "Take-up of an invited household at readiness 0 (modelling choice).",
    ),
    (
        "takeup_max_share",
        "number",
        "0.9",
        "takeup_min_share – 1",
        "Take-up at readiness 1; take-up rises linearly in between (modelling choice).",
    ),
    (
        "skill_share",
        "number",
        "1.0",
        "0 – 1",
        "production_training, entrepreneurship, financial_management: skill conferred (decays with the half-life of its section).",
    ),
    (
        "start_probability",
        "number",
        "0.18",
        "0 – 1",
        "entrepreneurship: probability a trainee starts a venture (SIYB: ≥ 2.65 M businesses from 15 M trainees).",
    ),
    (
        "governance_boost",
        "number",
        "0.3",
        "0 – 1",
        "cooperative: governance added to the village cooperative, × government readiness (modelling choice).",
    ),
];

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
    for (k, t, d, v, m) in [
        (
            "name",
            "string",
            "file name",
            "letters, digits, _ - .",
            "Scenario name; results go to <out>/<name>/.",
        ),
        ("description", "string", "\"\"", "", "What the scenario represents."),
        (
            "base",
            "string",
            "—",
            "a file path",
            "File this one builds on, relative to this file; only differences need stating.",
        ),
        (
            "seed",
            "integer",
            "20240301",
            "≥ 0",
            "Seed of every random draw; same seed = same weather, prices and shocks.",
        ),
        ("replications", "integer", "20", "≥ 1", "Independent replications."),
        ("seasons", "integer", "20", "≥ 1", "Observed seasons, two per year (wet, dry)."),
    ] {
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
    for (k, t, d, v, m) in INTERVENTION_KEYS {
        let _ = writeln!(s, "| `{k}` | {t} | {d} | {v} | {m} |");
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
