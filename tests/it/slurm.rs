//! A sharded sweep on a real Slurm cluster (`.ci/slurm/slurm-up.sh`, started by `.ci/run`):
//! an array job of shards and a merge job after it give the bytes of a one-machine sweep; a
//! failing task stops the merge and is named; a resubmission runs only the unfinished shard.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::shipped;

/// Whether a Slurm cluster answers; under CI it must.
fn slurm_is_up() -> bool {
    let up = std::env::var_os("SLURM_CONF").is_some()
        && Command::new("sinfo").args(["-h", "-o", "%T"]).output().is_ok_and(|o| o.status.success());
    if !up {
        assert!(std::env::var_os("CI").is_none(), "CI must start Slurm (.ci/run: .ci/slurm/slurm-up.sh)");
        eprintln!("skipping: no Slurm cluster (export SLURM_CONF after .ci/slurm/slurm-up.sh)");
    }
    up
}

/// `livelihoods <command> dw4fs <the sweep's options> --out <out> <extra>` in `dir`.
fn livelihoods(dir: &Path, command: &str, out: &str, extra: &[&str]) -> Output {
    let dw4fs = shipped("dw4fs");
    Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args([command, dw4fs.to_str().unwrap(), "--households", "2000", "--seasons", "4"])
        .args(["--replications", "2", "--design", "sobol", "--points", "2", "--out", out])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The files of a finished sweep that must not depend on where it ran.
const SAME: [&str; 8] = [
    "sweep.toml",
    "results.csv",
    "results.parquet",
    "sensitivity.csv",
    "sobol.csv",
    "sobol_second_order.csv",
    "salib_sample.txt",
    "parameters.csv",
];

fn assert_same(dir: &Path, a: &str, b: &str) {
    for f in SAME {
        let read = |o: &str| fs::read(dir.join(o).join("sweeps/dw4fs").join(f)).unwrap();
        assert!(read(a) == read(b), "{f}: {a} and {b} differ");
    }
}

#[test]
fn a_sharded_sweep_on_slurm_merges_to_the_bytes_of_one_machine() {
    if !slurm_is_up() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let one = livelihoods(dir.path(), "sweep", "one", &["--quiet"]);
    assert_eq!(one.status.code(), Some(0), "{}", String::from_utf8_lossy(&one.stderr));
    // Written, not submitted: the two commands to type.
    let printed = livelihoods(dir.path(), "slurm", "plan", &["--tasks", "4"]);
    assert_eq!(printed.status.code(), Some(0), "{}", String::from_utf8_lossy(&printed.stderr));
    let text = String::from_utf8_lossy(&printed.stdout);
    assert!(
        text.contains("jid=$(sbatch --parsable ") && text.contains("sbatch --dependency=afterok:$jid "),
        "{text}"
    );
    let script = fs::read_to_string(dir.path().join("plan/slurm/dw4fs/array.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-3\n") && script.contains("--shard \"$k/4\""), "{script}");
    // Submitted: four shards (28 points), then the merge.
    let cluster = livelihoods(dir.path(), "slurm", "cluster", &["--tasks", "4", "--submit", "--wait"]);
    assert_eq!(cluster.status.code(), Some(0), "{}", String::from_utf8_lossy(&cluster.stderr));
    assert_same(dir.path(), "one", "cluster");
    // A shard that cannot write its folder fails its task; the merge job does not run.
    let blocked = dir.path().join("fail/slurm/dw4fs/shards/3");
    fs::create_dir_all(blocked.parent().unwrap()).unwrap();
    fs::write(&blocked, "a file where shard 3's folder goes").unwrap();
    let failed = livelihoods(dir.path(), "slurm", "fail", &["--tasks", "4", "--submit", "--wait"]);
    assert_eq!(failed.status.code(), Some(2), "a failed job, not bad input");
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("task 2 (FAILED): shard 3/4"), "{stderr}");
    assert!(!dir.path().join("fail/sweeps").exists(), "no merge after a failed task");
    // The same command again runs only task 2 and merges.
    fs::remove_file(&blocked).unwrap();
    let again = livelihoods(dir.path(), "slurm", "fail", &["--tasks", "4", "--submit", "--wait"]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    let script = fs::read_to_string(dir.path().join("fail/slurm/dw4fs/array.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=2\n"), "{script}");
    assert_same(dir.path(), "one", "fail");
}

#[test]
fn merge_names_the_missing_and_unfinished_shards_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for k in ["1/3", "2/3"] {
        let out = format!("s{}", &k[..1]);
        let o = livelihoods(dir.path(), "sweep", &out, &["--shard", k, "--quiet"]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }
    fs::remove_file(dir.path().join("s2/sweeps/dw4fs/shard.toml")).unwrap();
    let merged = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["merge", "s1", "s2", "--out", "m"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&merged.stderr);
    assert!(stderr.contains("shard 2/3") && stderr.contains("did not finish"), "{stderr}");
    assert!(stderr.contains("shards missing: 3/3"), "{stderr}");
    assert!(!dir.path().join("m").exists());
    // The three shards merged by hand give the one-machine sweep.
    let o = livelihoods(dir.path(), "sweep", "s2", &["--shard", "2/3", "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    let o = livelihoods(dir.path(), "sweep", "s3", &["--shard", "3/3", "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    let merged = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["merge", "s3", "s1", "s2/sweeps/dw4fs", "--out", "m", "--quiet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{}", String::from_utf8_lossy(&merged.stderr));
    assert_eq!(livelihoods(dir.path(), "sweep", "one", &["--quiet"]).status.code(), Some(0));
    assert_same(dir.path(), "one", "m");
}

/// `livelihoods <command> kupang_baseline` with a tiny calibration's options.
fn calibration(dir: &Path, command: &str, out: &str, extra: &[&str]) -> Output {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/targets/kupang.toml");
    Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args([command, shipped("kupang_baseline").to_str().unwrap(), "--targets"])
        .arg(targets)
        .args(["--households", "1000", "--seasons", "6", "--replications", "2", "--points", "12"])
        .args(["--cutoff", "6", "--waves", "2", "--free", "labour.access_sigma=0.2:0.8"])
        .args(["--free", "farm.base_yield_t_ha=1.5:3.0", "--quiet", "--out", out])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn a_calibration_on_slurm_runs_its_waves_as_chained_jobs_and_merges_to_the_bytes_of_one_machine() {
    if !slurm_is_up() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let one = calibration(d, "calibrate", "one", &[]);
    assert_eq!(one.status.code(), Some(0), "{}", String::from_utf8_lossy(&one.stderr));
    // Shard 2 of 3 cannot write its log of wave 1: its task fails and the chain stops.
    let state = d.join("fail/slurm/calibrations/kupang_baseline/state");
    let first = calibration(d, "calibrate", state.to_str().unwrap(), &["--shard", "1/3"]);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let logs = fs::read_dir(state.join(".resume")).unwrap().next().unwrap().unwrap().path();
    let blocked = logs.join("wave-1.shard-2-of-3.log");
    fs::create_dir(&blocked).unwrap();
    let failed = calibration(d, "slurm-calibrate", "fail", &["--tasks", "3", "--submit", "--wait"]);
    assert_eq!(failed.status.code(), Some(2), "a failed job, not bad input");
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("task 1 (FAILED): shard 2/3"), "{stderr}");
    assert!(!d.join("fail/calibrations").exists(), "no calibration after a failed task");
    // The same command again submits the waves left; the finished shards return at once.
    fs::remove_dir(&blocked).unwrap();
    let again = calibration(d, "slurm-calibrate", "fail", &["--tasks", "3", "--submit", "--wait"]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    for f in ["calibration.toml", "waves.csv", "non_implausible.parquet", "calibrated.toml", "report.html"] {
        let read = |o: &str| fs::read(d.join(o).join("calibrations/kupang_baseline").join(f)).unwrap();
        assert!(read("one") == read("fail"), "{f} differs");
    }
}
