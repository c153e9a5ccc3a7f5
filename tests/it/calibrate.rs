//! Calibration by history matching: targets made by the model itself at known parameters
//! are recovered; bad targets files are input errors naming the key and the line; the
//! non-implausible sample feeds `compare --design`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use livelihoods::calibration::Statistic;
use livelihoods::uncertainty::set;

use crate::common::{load, run_on, shipped};

const SIZE: [&str; 6] = ["--households", "2000", "--seasons", "6", "--replications", "4"];
const FREE: [&str; 4] = ["--free", "labour.access_sigma=0.2:0.8", "--free", "farm.base_yield_t_ha=1.5:3.0"];

fn calibrate(dir: &Path, targets: &str, out: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["calibrate", shipped("kupang_baseline").to_str().unwrap(), "--targets", targets, "--out", out])
        .args(SIZE)
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The model's own statistics at access σ 0.55, base yield 2.4, with another seed than the
/// calibration's: each as a target with the standard error of its mean as sd.
fn targets_at_known_parameters() -> String {
    let mut s = load("kupang_baseline", 2000, 6, 4);
    s.seed = 7;
    s.params = set(&s.params, "labour.access_sigma", 0.55).unwrap();
    s.params = set(&s.params, "farm.base_yield_t_ha", 2.4).unwrap();
    let result = run_on(2, &[s]).remove(0);
    let mut text = String::new();
    for name in ["p0", "gini", "mean_maize_yield_t_ha"] {
        let statistic = Statistic::named(name).unwrap();
        let per: Vec<f64> = result.runs.iter().map(|r| statistic.of(r)).collect();
        let n = per.len() as f64;
        let mean = per.iter().sum::<f64>() / n;
        let sd = (per.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
        text.push_str(&format!(
            "[[target]]\nstatistic = \"{name}\"\nvalue = {mean}\nsd = {}\nsource = \"the model at known parameters\"\n\n",
            sd.max(1e-6)
        ));
    }
    text
}

#[test]
fn calibrating_to_the_models_own_output_recovers_the_parameters_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("targets.toml"), targets_at_known_parameters()).unwrap();
    let mut extra = vec!["--waves", "3", "--points", "60", "--quiet"];
    extra.extend(FREE);
    let out = calibrate(dir.path(), "targets.toml", "c", &extra);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let d = dir.path().join("c/calibrations/kupang_baseline");
    let table = livelihoods::report::Table::read(&d.join("parameters.csv")).unwrap();
    let col = |n: &str| table.column(n).unwrap();
    for (row, truth) in table.rows().iter().zip([0.55, 2.4]) {
        let (lo, hi) =
            (table.number(row, col("non_implausible_low")), table.number(row, col("non_implausible_high")));
        assert!(lo <= truth && truth <= hi, "{}: {truth} outside the non-implausible {lo}..{hi}", row[0]);
        let (p_lo, p_hi) = (table.number(row, col("prior_low")), table.number(row, col("prior_high")));
        assert!(hi - lo < p_hi - p_lo, "{}: the targets narrow the range", row[0]);
    }
    // Access σ moves P0 and the Gini strongly: the targets pin it down.
    assert_eq!(table.rows()[0][col("verdict")], "constrained", "{:?}", table.rows()[0]);
    let fit = livelihoods::report::Table::read(&d.join("fit.csv")).unwrap();
    let i = fit.column("implausibility").unwrap();
    assert!(fit.rows().iter().all(|r| fit.number(r, i) <= 3.0), "{:?}", fit.rows());
    let html = fs::read_to_string(d.join("report.html")).unwrap();
    for id in ["id=\"fit\"", "id=\"constraints\"", "id=\"waves\"", "labour.access_sigma"] {
        assert!(html.contains(id), "{id} on the calibration's page");
    }
    // The calibrated scenario is a valid file on the input, with the sample as its uncertainty.
    let calibrated = fs::read_to_string(d.join("calibrated.toml")).unwrap();
    assert!(
        calibrated.contains("name = \"kupang_baseline_calibrated\"") && calibrated.contains("[uncertainty]")
    );
    let valid = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .arg("validate")
        .arg(d.join("calibrated.toml"))
        .output()
        .unwrap();
    assert_eq!(valid.status.code(), Some(0), "{}", String::from_utf8_lossy(&valid.stderr));
    // The same calibration at another thread count gives the same waves.
    let mut again = extra.clone();
    again.extend(["--threads", "1"]);
    assert_eq!(calibrate(dir.path(), "targets.toml", "c1", &again).status.code(), Some(0));
    let waves =
        |o: &str| fs::read(dir.path().join(o).join("calibrations/kupang_baseline/waves.csv")).unwrap();
    assert!(waves("c") == waves("c1"), "waves.csv depends on the thread count");
    // The non-implausible sample feeds a comparison: one draw per row, every scenario taking it.
    let sample = d.join("non_implausible.csv");
    let rows = fs::read_to_string(&sample).unwrap().lines().count() - 1;
    let compare = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["compare", shipped("kupang_baseline").to_str().unwrap(), shipped("dw4fs").to_str().unwrap()])
        .args(["--households", "2000", "--seasons", "4", "--replications", "2", "--quiet", "--out", "k"])
        .args(["--draws", "3", "--design"])
        .arg(&sample)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(compare.status.code(), Some(0), "{}", String::from_utf8_lossy(&compare.stderr));
    let design = fs::read_to_string(dir.path().join("k/compare/design.csv")).unwrap();
    assert!(rows >= 3 && design.lines().count() == 1 + 3, "{design}");
    assert!(design.starts_with("draw,labour.access_sigma,farm.base_yield_t_ha\n"), "{design}");
}

#[test]
fn a_bad_targets_file_names_every_problem_with_its_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[target]]\nstatistic = \"p00\"\nvalue = 0.2\nsd = -1\nsource = \"x\"\n\n[[target]]\nstatistic = \"gini\"\nvalue = 0.3\ninterval = [0.4, 0.2]\nsorce = \"y\"\n";
    fs::write(dir.path().join("bad.toml"), text).unwrap();
    let mut extra = vec!["--quiet"];
    extra.extend(FREE);
    let out = calibrate(dir.path(), "bad.toml", "b", &extra);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for want in [
        "bad.toml:2:1: target[0].statistic: \"p00\" is not a metric (did you mean `p0`?)",
        "bad.toml:4:1: target[0].sd: must be above 0",
        "bad.toml:10:1: target[1].interval: must be [low, high] with low < high",
        "bad.toml:11:1: target[1].sorce: is not a key of a target (did you mean `source`?)",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in:\n{stderr}");
    }
    let free = calibrate(dir.path(), "bad.toml", "b", &["--free", "labour.access_sigma=0.9:0.1"]);
    assert!(String::from_utf8_lossy(&free.stderr).contains("--free: labour.access_sigma=0.9:0.1"));
    assert!(!dir.path().join("b").exists(), "nothing written");
}

/// A tiny calibration: few households and points, a loose cutoff so that waves go on.
const TINY: [&str; 10] =
    ["--households", "1000", "--seasons", "6", "--replications", "2", "--points", "12", "--cutoff", "6"];

/// `livelihoods <command> kupang_baseline --targets kupang.toml <TINY> <FREE> --waves 2 --out
/// <out> <extra>` in `dir`.
fn tiny_as(command: &str, dir: &Path, out: &str, extra: &[&str]) -> Output {
    // A relative path, as an analyst types it; a merge runs the command with absolute paths.
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/targets/kupang.toml");
    fs::copy(targets, dir.join("kupang.toml")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args([command, shipped("kupang_baseline").to_str().unwrap(), "--targets", "kupang.toml"])
        .args(TINY)
        .args(FREE)
        .args(["--waves", "2", "--quiet", "--out", out])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The tiny calibration.
fn tiny(dir: &Path, out: &str, extra: &[&str]) -> Output {
    tiny_as("calibrate", dir, out, extra)
}

fn merge(dir: &Path, folders: &[&str], out: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .arg("merge")
        .args(folders)
        .args(["--out", out, "--quiet"])
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Exit 1 with every `want` in the message.
fn refused(out: &Output, want: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for w in want {
        assert!(stderr.contains(w), "missing {w:?} in:\n{stderr}");
    }
}

#[test]
fn a_calibration_in_shards_wave_by_wave_merges_to_the_bytes_of_one_machine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tiny(d, "one", &[]));
    // Wave 1 in three shards, one thread each; the merge names the shard that is missing.
    for k in ["1/3", "2/3"] {
        ok(&tiny(d, "s", &["--shard", k, "--threads", "1"]));
    }
    refused(&merge(d, &["s"], "m"), &["wave 1: shards missing: 3/3"]);
    ok(&tiny(d, "s", &["--shard", "3/3", "--threads", "1"]));
    // A shard that did not finish (killed before its last point) is named, and resumes.
    let logs = fs::read_dir(d.join("s/.resume")).unwrap().next().unwrap().unwrap().path();
    fs::remove_file(logs.join("wave-1.shard-2-of-3.toml")).unwrap();
    let log = logs.join("wave-1.shard-2-of-3.log");
    let text = fs::read_to_string(&log).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    fs::write(&log, format!("{}\n{}", kept.join("\n"), &text.lines().nth(2).unwrap()[..9])).unwrap();
    refused(&merge(d, &["s"], "m"), &["wave 1: shard 2/3 did not finish"]);
    ok(&tiny(d, "s", &["--shard", "2/3"]));
    ok(&merge(d, &["s"], "m"));
    assert!(!d.join("m/calibrations").exists(), "one wave of two: nothing published yet");
    // Wave 2 in two shards (another split than wave 1's): the last merge publishes.
    for k in ["1/2", "2/2"] {
        ok(&tiny(d, "s", &["--shard", k]));
    }
    ok(&merge(d, &["s"], "m"));
    let folder = |o: &str| d.join(o).join("calibrations/kupang_baseline");
    let names = |o: &str| {
        let mut n: Vec<String> =
            fs::read_dir(folder(o)).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        n.sort();
        n
    };
    assert_eq!(names("one"), names("m"));
    for f in [
        "calibration.toml",
        "waves.csv",
        "fit.csv",
        "parameters.csv",
        "non_implausible.csv",
        "non_implausible.parquet",
        "calibrated.toml",
        "report.html",
    ] {
        assert!(
            fs::read(folder("one").join(f)).unwrap() == fs::read(folder("m").join(f)).unwrap(),
            "{f} differs"
        );
    }
    let waves = fs::read_to_string(folder("m").join("waves.csv")).unwrap();
    assert_eq!(waves.lines().filter(|l| l.starts_with("2,")).count(), 12, "wave 2 evaluated");
    // Shards of another calibration in the same folder: the merge says which.
    ok(&tiny(d, "s", &["--shard", "1/2", "--seed", "5"]));
    refused(&merge(d, &["s"], "m2"), &["holds the logs of more than one calibration"]);
    refused(&merge(d, &["s", "one"], "m2"), &["a calibration's shards share one folder"]);
}

#[test]
fn a_calibration_resumes_from_its_logs_with_the_same_waves() {
    use livelihoods::calibration::{Settings, calibrate, targets, waves};
    let scenario = load("kupang_baseline", 1000, 6, 2);
    let free: Vec<_> = scenario.uncertain.iter().take(2).cloned().collect();
    let targets =
        targets::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/targets/kupang.toml")).unwrap();
    let settings = Settings { waves: 2, points: 10, cutoff: 8.0, seed: scenario.seed };
    let whole = calibrate(&scenario, &free, &targets, settings, &|| {});
    assert_eq!(whole.waves.len(), 2, "the test needs a second wave");
    let dir = tempfile::tempdir().unwrap();
    let logs = waves::Logs { dir: dir.path().to_path_buf() };
    assert_eq!(waves::run(&scenario, &free, &targets, settings, &logs, &|| {}).unwrap(), whole);
    // Killed in wave 2: three points logged, the fourth torn.
    let text = fs::read_to_string(logs.wave(1)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    fs::write(logs.wave(1), format!("{}\n{}", lines[..3].join("\n"), &lines[3][..lines[3].len() - 2]))
        .unwrap();
    let standing = waves::standing(&logs, &free, &targets, settings).unwrap();
    assert_eq!((standing.history.waves.len(), standing.next.as_ref().map(|n| n.0)), (1, Some(1)));
    let runs = std::sync::atomic::AtomicUsize::new(0);
    let resumed = waves::run(&scenario, &free, &targets, settings, &logs, &|| {
        runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(resumed.unwrap(), whole);
    assert_eq!(runs.into_inner(), 7, "only the points the log lacks run again");
}

#[test]
fn the_slurm_jobs_of_a_calibration_run_in_their_order_give_the_bytes_of_one_machine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tiny(d, "one", &[]));
    let slurm = tiny_as("slurm-calibrate", d, "cluster", &["--tasks", "3", "--max-array", "2"]);
    ok(&slurm);
    let printed = String::from_utf8_lossy(&slurm.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 4, "two waves, each an array and its merge:\n{printed}");
    assert!(
        lines[0].starts_with("jid=$(sbatch --parsable /") && lines[0].ends_with("array.sbatch)"),
        "{printed}"
    );
    assert!(
        lines[3].contains("--dependency=afterok:$jid ") && lines[3].ends_with("merge.sbatch)"),
        "{printed}"
    );
    let base = d.join("cluster/slurm/calibrations/kupang_baseline");
    let array = fs::read_to_string(base.join("array.sbatch")).unwrap();
    assert!(array.contains("#SBATCH --array=0-1\n") && array.contains("--shard \"$k/3\""), "{array}");
    // What Slurm does: each wave's tasks (two, running three shards), then its merge.
    let job = |script: &str, task: &str| {
        let o = Command::new("bash")
            .arg(base.join(script))
            .env("SLURM_ARRAY_TASK_ID", task)
            .current_dir(d)
            .output()
            .unwrap();
        ok(&o);
    };
    for _ in 0..2 {
        job("array.sbatch", "0");
        job("array.sbatch", "1");
        job("merge.sbatch", "");
    }
    for f in ["calibration.toml", "waves.csv", "non_implausible.parquet", "calibrated.toml", "report.html"] {
        let read = |o: &str| fs::read(d.join(o).join("calibrations/kupang_baseline").join(f)).unwrap();
        assert!(read("one") == read("cluster"), "{f} differs");
    }
}
