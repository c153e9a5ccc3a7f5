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
