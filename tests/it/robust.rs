//! Hostile inputs and environments: one test per row of the robustness issue.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{fixture, shipped};

fn livelihoods_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_livelihoods"));
    c.args(args).current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn livelihoods(args: &[&str], dir: &Path) -> Output {
    livelihoods_env(args, dir, &[])
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The errors of a run refused for bad input (exit 1).
fn input_errors(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", err(out));
    err(out)
}

fn small() -> String {
    fixture("small.toml").display().to_string()
}

/// The tiny run most tests use: a few hundred household-seasons.
const TINY: [&str; 6] = ["--households", "1000", "--seasons", "2", "--replications", "1"];

fn run_tiny(dir: &Path, env: &[(&str, &str)]) -> Output {
    let small = small();
    let mut args = vec!["run", small.as_str(), "--out", "results", "--quiet"];
    args.extend(TINY);
    livelihoods_env(&args, dir, env)
}

/// Names in `dir` starting with '.'.
fn hidden(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn versions(out: &Path) -> usize {
    fs::read_dir(out.join(".versions")).map_or(0, |d| d.count())
}

/// Write `text` as `dir/name` and return its path as a string.
fn scenario(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn base_line() -> String {
    format!("base = {:?}\n", fixture("small.toml"))
}

#[test]
fn row01_names_of_the_programs_own_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (file, name, says) in [
        ("c.toml", "compare", "\"compare\" is reserved"),
        ("n.toml", "dw4fs__no_programme", "reserved for the worlds without a programme"),
    ] {
        let path = scenario(dir.path(), file, &format!("{}name = \"{name}\"\n", base_line()));
        let e = input_errors(&livelihoods(&["validate", &path], dir.path()));
        assert!(e.contains(&format!("{file}:2:1: name: ")) && e.contains(says), "{e}");
        let e = input_errors(&livelihoods(&["run", &path, "--out", "results"], dir.path()));
        assert!(e.contains(says), "{e}");
    }
    assert!(!dir.path().join("results").exists());
}

#[test]
fn row02_empty_long_and_unusable_names_are_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a".repeat(250);
    for (name, says) in [
        ("", "name: is empty"),
        (long.as_str(), "is 250 characters long; at most 100"),
        ("a/b", "must use only letters"),
    ] {
        let path = scenario(dir.path(), "s.toml", &format!("{}name = {name:?}\n", base_line()));
        let e = input_errors(&livelihoods(&["validate", &path], dir.path()));
        assert!(e.contains("s.toml:2:1: name:") && e.contains(says), "{e}");
        let e = input_errors(&livelihoods(&["run", &path, "--out", "results"], dir.path()));
        assert!(e.contains(says), "{e}");
    }
    // A name taken from a file name that cannot be one.
    let path = scenario(dir.path(), "my scenario.toml", "seed = 1\n");
    let e = input_errors(&livelihoods(&["validate", &path], dir.path()));
    assert!(e.contains("taken from the file name: set `name`"), "{e}");
    assert!(!dir.path().join("results").exists());
}

#[test]
fn row03_replications_beyond_memory_are_refused_up_front_with_an_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Instant::now();
    let out = livelihoods(&["run", &small(), "--replications", "4294967295", "--out", "results"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", err(&out));
    let e = err(&out);
    assert!(e.contains("refusing to run") && e.contains("4294967295 replication(s) keep"), "{e}");
    assert!(clock.elapsed() < Duration::from_secs(10));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn row04_the_guard_counts_what_every_replication_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let limit = [(livelihoods::runner::MEMORY_VARIABLE, "2.5e9")];
    let many = ["--households", "160", "--replications", "1000000", "--out", "results"];
    let mut args = vec!["run", "placeholder"];
    let small = small();
    args[1] = &small;
    args.extend(many);
    let e = err(&livelihoods_env(&args, dir.path(), &limit));
    assert!(e.contains("refusing to run") && e.contains("(LIVELIHOODS_MEMORY_BYTES)"), "{e}");
    assert!(e.contains("1000000 replication(s) keep until the results are written"), "{e}");
    let (base, dw4fs) = (shipped("kupang_baseline"), shipped("dw4fs"));
    let mut args = vec!["compare", base.to_str().unwrap(), dw4fs.to_str().unwrap()];
    args.extend(many);
    let out = livelihoods_env(&args, dir.path(), &limit);
    assert_eq!(out.status.code(), Some(2), "{}", err(&out));
    assert!(err(&out).contains("refusing to run"), "{}", err(&out));
    // A bad value of the variable is bad input.
    let out =
        livelihoods_env(&["run", &small], dir.path(), &[(livelihoods::runner::MEMORY_VARIABLE, "lots")]);
    assert!(input_errors(&out).contains("LIVELIHOODS_MEMORY_BYTES: is \"lots\""));
    assert!(!dir.path().join("results").exists());
}

// Row 5 (the memory cgroup's limit, v1 and v2): the unit tests
// `runner::tests::the_memory_cgroup_limit_is_read_in_v1_and_v2` and
// `runner::tests::a_population_too_large_for_a_1_gb_cgroup_is_refused`, on cgroup files laid
// out in a temporary folder.

#[test]
fn row06_thread_counts_beyond_the_bound_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Instant::now();
    let e = input_errors(&livelihoods(&["run", &small(), "--threads", "100000"], dir.path()));
    assert!(e.contains("--threads: is 100000; at most 1024 threads are allowed"), "{e}");
    let e =
        input_errors(&livelihoods(&["bench", "--scenario", &small(), "--threads", "1,100000"], dir.path()));
    assert!(e.contains("at most 1024 threads"), "{e}");
    assert!(clock.elapsed() < Duration::from_secs(5));
}

/// A small comparison under `dir/results/compare`.
fn comparison(dir: &Path) -> PathBuf {
    let (base, dw4fs) = (shipped("kupang_baseline"), shipped("dw4fs"));
    let mut args =
        vec!["compare", base.to_str().unwrap(), dw4fs.to_str().unwrap(), "--out", "results", "--quiet"];
    args.extend(["--households", "2000", "--seasons", "4", "--replications", "2"]);
    let out = livelihoods(&args, dir);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    dir.join("results/compare")
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, f(text)).unwrap();
}

#[test]
fn row07_plot_on_a_hand_edited_csv_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let compare = comparison(dir.path());
    let report = fs::read(compare.join("report.html")).unwrap();
    // A row cut short.
    edit(&compare.join("cost_effectiveness.csv"), |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        lines[2] = lines[2].split(',').take(3).collect::<Vec<_>>().join(",");
        lines.join("\n") + "\n"
    });
    // A word where a number belongs.
    edit(&compare.join("summary.csv"), |t| {
        t.replacen("\nkupang_baseline,0,2024,wet,2,", "\nkupang_baseline,0,2024,wet,2,abc", 1)
    });
    let e = input_errors(&livelihoods(&["plot", "results/compare"], dir.path()));
    assert!(e.contains("cost_effectiveness.csv:3:1: has 3 fields, but the header has"), "{e}");
    assert!(e.contains("summary.csv:2:30: p0_mean: is \"abc"), "{e}");
    assert_eq!(fs::read(compare.join("report.html")).unwrap(), report);
}

#[test]
fn row08_plot_refuses_files_that_do_not_match_comparison_toml() {
    let dir = tempfile::tempdir().unwrap();
    let compare = comparison(dir.path());
    let report = fs::read(compare.join("report.html")).unwrap();
    let summary = fs::read_to_string(compare.join("summary.csv")).unwrap();
    // Truncated: the last world loses seasons.
    let lines: Vec<&str> = summary.lines().collect();
    fs::write(compare.join("summary.csv"), lines[..lines.len() - 2].join("\n") + "\n").unwrap();
    let e = input_errors(&livelihoods(&["plot", "results/compare"], dir.path()));
    assert!(
        e.contains("summary.csv: has 2 rows for scenario") && e.contains("do not match comparison.toml"),
        "{e}"
    );
    fs::write(compare.join("summary.csv"), &summary).unwrap();
    // Two columns' names swapped in the header.
    edit(&compare.join("effects.csv"), |t| t.replacen("p0_mean,p0_ci_lo", "p0_ci_lo,p0_mean", 1));
    let e = input_errors(&livelihoods(&["plot", "results/compare"], dir.path()));
    assert!(
        e.contains("effects.csv:1:") && e.contains("is `p0_ci_lo`, but livelihoods writes `p0_mean`"),
        "{e}"
    );
    assert_eq!(fs::read(compare.join("report.html")).unwrap(), report);
}

#[test]
fn row09_plot_is_all_or_nothing_and_its_messages_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let compare = comparison(dir.path());
    let (report, chart) = (
        fs::read(compare.join("report.html")).unwrap(),
        fs::read(compare.join("p0_trajectories.svg")).unwrap(),
    );
    // Stopped after drawing everything anew, before publishing: the old report and charts
    // are all still there, together.
    let out = livelihoods_env(
        &["plot", "results/compare"],
        dir.path(),
        &[(livelihoods::output::FAULT_VARIABLE, "filled")],
    );
    assert_eq!(out.status.code(), Some(137), "{}", err(&out));
    assert_eq!(fs::read(compare.join("report.html")).unwrap(), report);
    assert_eq!(fs::read(compare.join("p0_trajectories.svg")).unwrap(), chart);
    // The next plot cleans up and redraws.
    let out = livelihoods(&["plot", "results/compare"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    assert!(fs::read_to_string(compare.join("report.html")).unwrap().contains("<html"));
    assert_eq!(versions(&dir.path().join("results")), 3, "two scenarios' folders and the comparison's");
    // A missing column: the message names the file.
    edit(&compare.join("distribution.csv"), |t| t.replacen("persons_share", "share", 1));
    let e = input_errors(&livelihoods(&["plot", "results/compare"], dir.path()));
    assert!(e.contains("distribution.csv:1:") && e.contains("`share`"), "{e}");
}

#[test]
fn row10_money_options_that_are_not_numbers_in_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (base, dw4fs) = (shipped("kupang_baseline"), shipped("dw4fs"));
    let files = [base.to_str().unwrap(), dw4fs.to_str().unwrap()];
    for rate in ["0", "-1", "nan", "inf"] {
        let mut args = vec!["compare", files[0], files[1], "--out", "results"];
        let usd = format!("--idr-per-usd={rate}");
        args.push(&usd);
        let e = input_errors(&livelihoods(&args, dir.path()));
        assert!(e.contains(&format!("--idr-per-usd: is {}", rate.replace("nan", "NaN"))), "{e}");
    }
    for rate in ["-0.1", "nan", "inf", "1", "1.5"] {
        let rate_arg = format!("--discount-rate={rate}");
        let args = vec!["compare", files[0], files[1], "--out", "results", &rate_arg];
        let e = input_errors(&livelihoods(&args, dir.path()));
        assert!(e.contains("--discount-rate: is") && e.contains("0 (inclusive) to 1 (exclusive)"), "{e}");
    }
    assert!(!dir.path().join("results").exists());
}

#[test]
fn row11_a_file_in_the_way_is_an_error_before_simulating_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("small"), "my notes").unwrap();
    let clock = Instant::now();
    let run = run_tiny(dir.path(), &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(err(&run).contains("results/small is a file, not a results folder"), "{}", err(&run));
    assert!(clock.elapsed() < Duration::from_secs(5));
    assert_eq!(fs::read_to_string(out.join("small")).unwrap(), "my notes");
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
    // A folder that is not a result is not replaced either.
    fs::remove_file(out.join("small")).unwrap();
    fs::create_dir(out.join("small")).unwrap();
    fs::write(out.join("small/thesis.tex"), "keep").unwrap();
    let run = run_tiny(dir.path(), &[]);
    assert!(err(&run).contains("a folder that livelihoods did not write"), "{}", err(&run));
    assert_eq!(fs::read_to_string(out.join("small/thesis.tex")).unwrap(), "keep");
}

#[test]
fn row12_a_dangling_symlink_in_the_way_is_replaced_and_nothing_hidden_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink("/nonexistent/small", out.join("small")).unwrap();
    let run = run_tiny(dir.path(), &[]);
    assert_eq!(run.status.code(), Some(0), "{}", err(&run));
    assert!(fs::read_to_string(out.join("small/seasons.csv")).unwrap().starts_with("scenario,"));
    assert_eq!(hidden(&out), vec![".versions".to_string()]);
    assert_eq!(versions(&out), 1);
}

#[test]
fn row13_a_kill_at_any_step_of_publishing_leaves_a_whole_result_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let first = run_tiny(dir.path(), &[]);
    assert_eq!(first.status.code(), Some(0), "{}", err(&first));
    let manifest = || fs::read_to_string(out.join("small/manifest.toml")).unwrap();
    let link = || fs::read_link(out.join("small")).unwrap();
    for point in ["filled", "complete", "linked", "switched"] {
        let old = link();
        let killed = run_tiny(dir.path(), &[(livelihoods::output::FAULT_VARIABLE, point)]);
        assert_eq!(killed.status.code(), Some(137), "{point}: {}", err(&killed));
        // The result in view is whole: the earlier one, or (after the switch) the new one.
        assert!(manifest().contains("[parameters"), "{point}");
        assert_eq!(link() == old, point != "switched", "{point}");
        assert_eq!(fs::read_to_string(out.join("small/seasons.csv")).unwrap().lines().count(), 3, "{point}");
        let next = livelihoods(
            &[
                "run",
                &small(),
                "--out",
                "results",
                "--households",
                "1000",
                "--seasons",
                "2",
                "--replications",
                "1",
            ],
            dir.path(),
        );
        assert_eq!(next.status.code(), Some(0), "{}", err(&next));
        assert!(err(&next).contains("(left by an interrupted run)"), "{point}: {}", err(&next));
        assert_eq!(hidden(&out), vec![".versions".to_string()], "{point}");
        assert_eq!(versions(&out), 1, "{point}");
    }
    // The earlier layout (a plain folder) is replaced by a link to a version.
    fs::remove_file(out.join("small")).unwrap();
    fs::create_dir(out.join("small")).unwrap();
    fs::write(out.join("small/manifest.toml"), "old layout").unwrap();
    assert_eq!(run_tiny(dir.path(), &[]).status.code(), Some(0));
    assert!(fs::symlink_metadata(out.join("small")).unwrap().file_type().is_symlink());
    assert!(manifest().contains("[parameters"));
}

#[test]
fn row14_a_seed_beyond_64_bits_is_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), "s.toml", "name = \"s\"\nseed = 9223372036854775808\n");
    let e = input_errors(&livelihoods(&["validate", &path], dir.path()));
    assert!(
        e.contains(
            "s.toml:2:1: seed: must be in 0..=9223372036854775807, got 9223372036854775808 (out of range)"
        ),
        "{e}"
    );
}

#[test]
fn row15_values_too_large_for_their_key_are_reported_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), "v.toml", "name = \"v\"\n\n[population]\nvillages = 4294967296\n");
    let e = input_errors(&livelihoods(&["validate", &path], dir.path()));
    assert!(e.contains("v.toml:4:1: population.villages: must be in 1..=65535, got 4294967296"), "{e}");
    // An inherited intervention overridden in the child: the child's line.
    let text = format!(
        "{}name = \"child\"\n\n[[intervention]]\nid = \"dw4fs_production\"\nend_season = 4294967296\n",
        base_line()
    );
    let path = scenario(dir.path(), "child.toml", &text);
    let e = input_errors(&livelihoods(&["validate", &path], dir.path()));
    assert!(
        e.contains("child.toml:6:1: intervention[dw4fs_production].end_season: must be in 0..=4294967295"),
        "{e}"
    );
}

#[test]
fn row16_a_deep_chain_of_base_files_stops_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100 {
        let text = if i == 99 { "seed = 1\n".to_string() } else { format!("base = \"b{}.toml\"\n", i + 1) };
        fs::write(dir.path().join(format!("b{i}.toml")), text).unwrap();
    }
    let e = input_errors(&livelihoods(&["validate", "b0.toml"], dir.path()));
    assert!(e.contains("base: the chain of base files is deeper than 32 files"), "{e}");
}

#[test]
fn row17_bad_arguments_are_bad_input_and_help_is_a_success() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(livelihoods(&["run", &small(), "--households", "abc"], dir.path()).status.code(), Some(1));
    assert_eq!(livelihoods(&["rnu", &small()], dir.path()).status.code(), Some(1));
    assert_eq!(livelihoods(&["run"], dir.path()).status.code(), Some(1));
    assert_eq!(livelihoods(&["--help"], dir.path()).status.code(), Some(0));
    assert_eq!(livelihoods(&["--version"], dir.path()).status.code(), Some(0));
    assert_eq!(livelihoods(&["run", "--help"], dir.path()).status.code(), Some(0));
}

#[test]
fn row18_ctrl_c_keeps_the_scenarios_that_finished_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["kupang_baseline", "dw4fs", "dw4fs_el_nino", "dw4fs_high_readiness"];
    let files: Vec<String> = names.iter().map(|n| shipped(n).display().to_string()).collect();
    let mut args: Vec<&str> = vec!["compare"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--out", "results", "--quiet", "--seasons", "20", "--replications", "20"]);
    let child = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(&args)
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first pair (dw4fs beside the baseline, its world) is written when it is done.
    let first = dir.path().join("results/dw4fs/manifest.toml");
    let clock = Instant::now();
    while !first.exists() {
        assert!(clock.elapsed() < Duration::from_secs(120), "dw4fs never finished");
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let e = err(&out);
    assert_eq!(out.status.code(), Some(130), "{e}");
    assert!(e.contains("interrupted: the results of kupang_baseline, dw4fs finished and are kept"), "{e}");
    assert!(e.contains("the comparison (compare/) was not written"), "{e}");
    for n in ["dw4fs", "kupang_baseline"] {
        let seasons = fs::read_to_string(dir.path().join("results").join(n).join("seasons.csv")).unwrap();
        assert_eq!(seasons.lines().count(), 1 + 20 * 20, "{n}");
    }
    assert!(!dir.path().join("results/compare").exists());
}

#[test]
fn smaller_points_empty_files_late_interventions_contradictions_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let empty = scenario(dir.path(), "empty.toml", "");
    let out = livelihoods(&["validate", &empty], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("states nothing: every key takes its default"));
    let late = scenario(
        dir.path(),
        "late.toml",
        &format!(
            "{}name = \"late\"\n\n[[intervention]]\nid = \"dw4fs_production\"\nstart_season = 30\nend_season = 40\n",
            base_line()
        ),
    );
    let out = livelihoods(&["validate", &late], dir.path());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("start_season: is 30, after the last observed season (5)")
    );
    let odd = scenario(
        dir.path(),
        "odd.toml",
        "name = \"odd\"\n[population]\nmembers_mean = 12.0\nmembers_max = 1\n[calendar]\nwet_months = 11.0\ndry_months = 11.0\n",
    );
    let e = input_errors(&livelihoods(&["validate", &odd], dir.path()));
    assert!(e.contains("population.members_mean: is 12 but the largest household"), "{e}");
    assert!(
        e.contains("calendar.dry_months: is 11, and with calendar.wet_months = 11 the year has 22 months"),
        "{e}"
    );
    fs::write(dir.path().join("bytes.toml"), b"name = \"x\"\nseed = 1\n# caf\xe9\n").unwrap();
    let e = input_errors(&livelihoods(&["validate", "bytes.toml"], dir.path()));
    assert!(e.contains("bytes.toml:3:6: is not UTF-8 text: byte 0xe9"), "{e}");
}
