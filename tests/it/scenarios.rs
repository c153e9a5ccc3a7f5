use std::fs;
use std::path::Path;

use livelihoods::metrics::NAMES;
use livelihoods::scenario;

use crate::common::{run_on, shipped};

#[test]
fn every_shipped_scenario_validates_and_runs_a_small_version() {
    let dir = shipped("x").parent().unwrap().to_path_buf();
    let mut scenarios = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let mut s = scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let o = scenario::Overrides {
                households: Some(2_000),
                seasons: Some(4),
                replications: Some(2),
                ..Default::default()
            };
            s.apply(&o).unwrap();
            scenarios.push(s);
        }
    }
    assert!(scenarios.len() >= 9);
    for result in run_on(2, &scenarios) {
        for m in result.runs.iter().flatten() {
            for (name, v) in NAMES.iter().zip(m.values) {
                let optional = *name == "mean_maize_yield_t_ha" && m.season_kind == "dry";
                assert!(optional || v.is_finite(), "{}: {name} = {v}", result.scenario.name);
                assert!(v.is_nan() || v >= 0.0, "{}: {name} = {v} is negative", result.scenario.name);
            }
        }
    }
}

#[test]
fn the_baseline_file_states_exactly_the_model_defaults() {
    let s = scenario::load(&shipped("kupang_baseline")).unwrap();
    assert_eq!(s.params, livelihoods::params::Params::default());
    assert!(s.interventions.is_empty());
    // It states every key, each at its default: an empty file would not pass.
    let defaults: toml::Table = livelihoods::reference::toml_template().parse().unwrap();
    let file: toml::Table = fs::read_to_string(shipped("kupang_baseline")).unwrap().parse().unwrap();
    for (section, value) in &defaults {
        let Some(keys) = value.as_table() else { continue };
        for (key, default) in keys {
            let stated = file.get(section).and_then(|t| t.get(key));
            assert_eq!(stated, Some(default), "kupang_baseline.toml: {section}.{key}");
        }
    }
}

/// A child's `[[intervention]]` with a base's id changes that intervention key by key; one
/// with a new id is added.
#[test]
fn an_inherited_intervention_is_merged_by_id() {
    let mut files = scenario::InMemory::new();
    files.insert(
        "base.toml",
        "name = \"base\"\n[[intervention]]\nid = \"p1\"\nkind = \"production_training\"\n\
         start_season = 0\nend_season = 3\ncapacity_per_season = 100\ncost_idr_per_participant = 5\n",
    );
    files.insert(
        "child.toml",
        "base = \"base.toml\"\nname = \"child\"\n[[intervention]]\nid = \"p1\"\ncapacity_per_season = 40\n\
         [[intervention]]\nid = \"p2\"\nkind = \"financial_management\"\nstart_season = 1\nend_season = 2\n\
         capacity_per_season = 10\n",
    );
    let s = scenario::load_with(Path::new("child.toml"), &files).unwrap();
    let ids: Vec<&str> = s.interventions.iter().map(|iv| iv.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2"]);
    let p1 = &s.interventions[0];
    assert_eq!(p1.capacity_per_season, Some(40));
    assert_eq!((p1.start_season, p1.end_season, p1.cost_idr_per_participant), (0, 3, Some(5.0)));
}

/// A whole number too large for its key (even for 64 bits) names the key, its range and
/// the value.
#[test]
fn an_integer_that_overflows_names_its_key_and_range() {
    for (text, expected) in [
        ("seed = 99999999999999999999", "seed: must be in 0..=9223372036854775807, got 99999999999999999999"),
        ("replications = 9999999999", "replications: must be in 1..=4294967295, got 9999999999"),
        (
            "[population]\nhouseholds = 99999999999999999999",
            "population.households: must be in 1..=4000000000, got 99999999999999999999",
        ),
    ] {
        let err = scenario::from_str("big.toml", &format!("name = \"big\"\n{text}\n")).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
}

/// output/README.md's table of seasons.csv columns is the one the metrics declare.
#[test]
fn the_output_readme_describes_every_metric_as_declared() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("output/README.md")).unwrap();
    assert!(
        readme.contains(&livelihoods::metrics::columns_markdown()),
        "output/README.md's column table is out of date: paste metrics::columns_markdown() into it"
    );
}

#[test]
fn the_analysts_reference_lists_every_key() {
    let readme = fs::read_to_string(shipped("x").parent().unwrap().join("README.md")).unwrap();
    let reference = livelihoods::reference::markdown();
    assert!(
        readme.contains(&reference),
        "scenarios/README.md is out of date: paste `livelihoods schema` into it"
    );
    let model = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("MODEL.md")).unwrap();
    assert!(
        model.contains(&reference),
        "MODEL.md's appendix is out of date: paste `livelihoods schema` into it"
    );
}

/// `follows` must name an earlier intervention; `group_size` belongs to groups.
#[test]
fn a_package_names_earlier_interventions_and_groups_their_size() {
    let text = r#"
name = "package"
[[intervention]]
id = "training"
kind = "production_training"
start_season = 1
end_season = 2
targeting = "all"
follows = "groups"
[[intervention]]
id = "groups"
kind = "cooperative"
start_season = 0
end_season = 1
targeting = "random"
capacity_per_season = 100
group_size = 20
"#;
    let err = livelihoods::scenario::Scenario::from_toml_str(text).unwrap_err().to_string();
    assert!(
        err.contains("intervention[training].follows: is \"groups\", which is no earlier intervention's id (none comes before it)"),
        "{err}"
    );
    assert!(err.contains("scenario.toml:9:"), "{err}");
    assert!(
        err.contains("intervention[groups].group_size: is only used with targeting = \"groups\""),
        "{err}"
    );
    let fixed =
        text.replace("follows = \"groups\"", "").replace("targeting = \"random\"", "targeting = \"groups\"");
    let s = livelihoods::scenario::Scenario::from_toml_str(&fixed).expect("valid without follows");
    assert_eq!(s.interventions[1].group_size, Some(20));
}
