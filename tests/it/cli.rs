use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::{fixture, shipped};

fn livelihoods(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livelihoods")).args(args).current_dir(dir).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The error output of a run refused for bad input (exit code 1).
fn input_errors(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    stderr
}

#[test]
fn validate_accepts_every_shipped_scenario_with_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = fs::read_dir(shipped("x").parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(files.len() >= 9);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = livelihoods(&args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok: ")).count(), files.len(), "{stdout}");
}

#[test]
fn validate_reports_every_problem_with_file_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("many_problems.toml");
    let out = livelihoods(&["validate", path.to_str().unwrap()], dir.path());
    let err = input_errors(&out);
    let expected = [
        ("5:1", "seasonz: unknown key (did you mean `seasons`?)"),
        ("8:1", "population.households: must be a non-negative whole number, got -5"),
        ("9:1", "population.coastal_share: must be in 0..=1, got 25 (a share: did you mean 0.25?)"),
        ("10:1", "population.villages: must be a whole number, got a string"),
        ("13:1", "farm.base_yeild_t_ha: unknown key (did you mean `base_yield_t_ha`?)"),
        ("19:1", "intervention[a].end_season: is 1 but the start_season is 3"),
        ("21:1", "intervention[a].takeup_max_shar: unknown key (did you mean `takeup_max_share`?)"),
        ("24:1", "intervention[a].id: duplicate id \"a\" (first at line 16)"),
        ("32:1", "intervention[b].kind: unknown intervention kind \"trainnig\""),
    ];
    for (position, message) in expected {
        let line = format!("many_problems.toml:{position}: {message}");
        assert!(err.contains(&line), "missing\n  {line}\nin\n{err}");
    }
    assert!(err.contains("9 problems"), "{err}");
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = livelihoods(&["validate", fixture("bad_syntax.toml").to_str().unwrap()], dir.path());
    let err = input_errors(&out);
    assert!(err.contains("bad_syntax.toml:3:"), "{err}");
    assert!(err.contains("TOML syntax error"), "{err}");
}

#[test]
fn missing_files_bases_and_base_cycles_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = livelihoods(&["validate", "no_such_scenario.toml"], dir.path());
    let err = input_errors(&out);
    assert!(err.contains("cannot read no_such_scenario.toml"), "{err}");

    let out = livelihoods(&["validate", fixture("missing_base.toml").to_str().unwrap()], dir.path());
    let err = input_errors(&out);
    assert!(err.contains("missing_base.toml:3:1: base: cannot read"), "{err}");

    let out = livelihoods(&["validate", fixture("cycle_a.toml").to_str().unwrap()], dir.path());
    let err = input_errors(&out);
    assert!(err.contains("base files form a cycle"), "{err}");
}

#[test]
fn run_writes_results_and_a_manifest_with_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    let args = ["run", small.to_str().unwrap(), "--out", "results", "--threads", "2", "--replications", "3"];
    let out = livelihoods(&args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("P0 2024 wet"), "{}", text(&out.stdout));
    let result = dir.path().join("results/small");
    let seasons = fs::read_to_string(result.join("seasons.csv")).unwrap();
    let header = "scenario,replication,season,year,season_kind,p0,p1,p2,mean_consumption_pc_idr,\
                  median_consumption_pc_idr,gini,bottom40_share,food_poor_share,adopters_share,coop_members_share,\
                  enterprises_share,mean_savings_idr,mean_debt_idr,participants,programme_cost_idr";
    assert!(seasons.starts_with(header), "{}", seasons.lines().next().unwrap());
    assert_eq!(seasons.lines().count(), 1 + 3 * 6);
    let summary = fs::read_to_string(result.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 6);
    assert!(summary.lines().next().unwrap().contains("p0_mean,p0_lo,p0_hi,p0_ci_lo,p0_ci_hi"));
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(result.join("manifest.toml")).unwrap()).unwrap();
    assert_eq!(manifest["replications"].as_integer(), Some(3));
    assert_eq!(manifest["threads"].as_integer(), Some(2));
    assert_eq!(manifest["overrides"]["replications"].as_str(), Some("3"));
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(manifest["rng"].as_str().unwrap().starts_with("Philox4x32-10"));
    assert_eq!(manifest["parameters"]["population"]["households"].as_integer(), Some(3000));
    assert_eq!(manifest["intervention"].as_array().unwrap().len(), 4);
    assert!(manifest["started_utc"].as_str().unwrap().ends_with('Z'));
    let svg = fs::read_to_string(result.join("p0.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("poverty headcount P0"), "the chart has its title");
    assert!(fs::read(result.join("p0.png")).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn a_failed_run_writes_nothing_and_leaves_other_results_alone() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("results/other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("seasons.csv"), "keep me").unwrap();
    let small = fixture("small.toml");
    let bad = fixture("many_problems.toml");
    let out =
        livelihoods(&["run", small.to_str().unwrap(), bad.to_str().unwrap(), "--out", "results"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let names: Vec<String> = fs::read_dir(dir.path().join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names, vec!["other".to_string()]);
    assert_eq!(fs::read_to_string(other.join("seasons.csv")).unwrap(), "keep me");
}

#[test]
fn a_population_too_large_for_memory_is_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    let args = ["run", small.to_str().unwrap(), "--households", "4000000000", "--out", "results"];
    // Kupang's 160 villages per 85,000 households would need more villages than a row can name.
    let err = input_errors(&livelihoods(&args, dir.path()));
    assert!(err.contains("--households: is 4000000000") && err.contains("needs 7529412 villages"), "{err}");
    // Villages stated for that many households: valid, but too large for memory.
    let huge = format!("base = {small:?}\n\n[population]\nreference_households = 4_000_000_000\n");
    fs::write(dir.path().join("huge.toml"), huge).unwrap();
    let out =
        livelihoods(&["run", "huge.toml", "--households", "4000000000", "--out", "results"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("refusing to run") && err.contains("GB"), "{err}");
    assert!(!dir.path().join("results").exists());
}

#[test]
fn an_unwritable_output_is_an_other_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("results"), "a file, not a directory").unwrap();
    let small = fixture("small.toml");
    let out =
        livelihoods(&["run", small.to_str().unwrap(), "--out", "results", "--replications", "1"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("writing the results of small"), "{}", text(&out.stderr));
}

#[test]
fn bad_overrides_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    let out = livelihoods(&["run", small.to_str().unwrap(), "--households", "0"], dir.path());
    let err = input_errors(&out);
    assert!(err.contains("--households: must be at least 1, got 0"), "{err}");
    // Every problem at once: a thread count of 0 beside a bad override.
    let args = ["run", small.to_str().unwrap(), "--households", "0", "--threads", "0"];
    let out = livelihoods(&args, dir.path());
    let stderr = input_errors(&out);
    assert!(
        stderr.contains("2 problems") && stderr.contains("--threads: is 0; at least 1 thread"),
        "{stderr}"
    );
    assert!(!dir.path().join("output").exists() && !dir.path().join("results").exists());
}

#[test]
fn a_cpu_option_that_names_no_path_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["run", small.to_str().unwrap(), "--cpu", "avx-512"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = input_errors(&out);
    assert!(err.contains("--cpu: is \"avx-512\"; one of portable, avx2, avx512, best is needed"), "{err}");
    assert!(!dir.path().join("output").exists());
    // sweep computes on the fastest path only, and says so rather than ignore the option.
    let dw4fs = crate::common::shipped("dw4fs");
    let out = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["sweep", dw4fs.to_str().unwrap(), "--cpu", "portable"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = input_errors(&out);
    assert!(err.contains("--cpu: is \"portable\"; this command computes on the fastest path"), "{err}");
}

#[test]
fn a_scenario_with_more_interventions_than_a_household_row_records_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("name = \"crowded\"\n");
    for i in 0..25 {
        toml.push_str(&format!(
            "\n[[intervention]]\nid = \"p{i}\"\nkind = \"production_training\"\n\
             start_season = 0\nend_season = 1\ncapacity_per_season = 10\n"
        ));
    }
    let path = dir.path().join("crowded.toml");
    fs::write(&path, toml).unwrap();
    let out = livelihoods(&["validate", path.to_str().unwrap()], dir.path());
    let err = input_errors(&out);
    assert!(
        err.contains("crowded.toml:171:1: intervention: is intervention number 25")
            && err.contains("at most 24"),
        "{err}"
    );
}

#[test]
fn bench_prints_model_and_kernel_speeds_for_every_size_and_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    let args = ["bench", "--scenario", small.to_str().unwrap(), "--households", "1000,2000"];
    let mut args = args.to_vec();
    args.extend(["--threads", "1,2", "--work", "40000", "--repeats", "1"]);
    let out = livelihoods(&args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let rows: Vec<Vec<f64>> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().map(|x| x.parse().unwrap_or(f64::NAN)).collect())
        .collect();
    assert_eq!(rows.len(), 4, "{stdout}");
    let cases = [(1000.0, 1.0), (2000.0, 1.0), (1000.0, 2.0), (2000.0, 2.0)];
    for (k, (row, (households, threads))) in rows.iter().zip(cases).enumerate() {
        // households, threads, replications, model, speed-up, ceiling, model/ceiling, bytes.
        assert_eq!((row[0], row[1]), (households, threads));
        // 40,000 household-seasons of 12 simulated seasons: 4 or 2 replications.
        assert_eq!(row[2], (40_000.0 / (households * 12.0)).ceil());
        assert!(row[3] > 0.0 && row[5] > 0.0 && (row[6] - row[3] / row[5]).abs() < 0.02, "{row:?}");
        if threads == 1.0 {
            assert!(row[4].is_nan(), "no speed-up on one thread: {row:?}");
        } else {
            assert!((row[4] - row[3] / rows[k - 2][3]).abs() < 0.02, "speed-up over one thread: {row:?}");
        }
        assert_eq!(row[7], 79.0, "bytes of state per household: the columns of a chunk");
    }
    assert!(stdout.contains("model/ceiling") && stdout.contains("peak resident memory"), "{stdout}");
    let out = livelihoods(&["bench", "--scenario", small.to_str().unwrap(), "--threads", "1,0"], dir.path());
    let err = input_errors(&out);
    assert!(err.contains("--threads: is 0; at least 1 thread"), "{err}");
}

#[test]
fn compare_writes_effects_and_cost_effectiveness_or_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (base, dw4fs) = (shipped("kupang_baseline"), shipped("dw4fs"));
    let files = [base.to_str().unwrap(), dw4fs.to_str().unwrap()];
    let small = ["--households", "2000", "--seasons", "4", "--replications", "2", "--out", "results"];
    let mut args = vec!["compare"];
    args.extend(files);
    args.extend(small);
    let out = livelihoods(&args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let effects = fs::read_to_string(dir.path().join("results/compare/effects.csv")).unwrap();
    assert_eq!(effects.lines().count(), 1 + 2 * 4);
    let ce = fs::read_to_string(dir.path().join("results/compare/cost_effectiveness.csv")).unwrap();
    assert!(ce.lines().nth(1).unwrap().starts_with("kupang_baseline,kupang_baseline,0,0,"), "{ce}");
    for file in ["trial.csv", "effects_by_group.csv", "dynamics.csv"] {
        assert!(dir.path().join("results/compare").join(file).exists(), "{file}");
    }
    assert!(dir.path().join("results/dw4fs/seasons.csv").exists());

    let mut unknown = args.clone();
    unknown.extend(["--baseline", "nobody"]);
    let out = livelihoods(&unknown, dir.path());
    let err = input_errors(&out);
    assert!(err.contains("--baseline: \"nobody\" is not among the scenarios"), "{err}");

    let other = fixture("other_seed.toml");
    let mut unpaired = vec!["compare", files[0], other.to_str().unwrap()];
    unpaired.extend(small);
    let out = livelihoods(&unpaired, dir.path());
    let err = input_errors(&out);
    assert!(err.contains("other_seed.toml: seed: is 7 but the baseline"), "{err}");

    let out = livelihoods(&["compare"], dir.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("required"), "{}", text(&out.stderr));
}
