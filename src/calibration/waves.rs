//! The logs of a calibration's waves: every evaluated point is appended (and synced) to a
//! log as it finishes, so that a calibration resumes where it stopped, and so that a wave
//! can be split over machines in shards and joined.
//!
//! A calibration logs into its own folder, named by a hash of everything its results
//! depend on ([`folder_name`]). There, `wave-<w>.log` holds the points of wave w (1-based);
//! a shard `k/n` of wave w logs its points p (p mod n = k − 1) to
//! `wave-<w>.shard-<k>-of-<n>.log` and, once they are all done, writes
//! `wave-<w>.shard-<k>-of-<n>.toml`. [`join`] joins a wave's shard logs into its wave log.
//! The design of wave w depends only on the seed and on waves 1 … w − 1, so every shard
//! and every resumed run proposes the same points, and a wave's points give the same
//! evaluations wherever they ran.
//!
//! A line is `point,u_1,…,u_k,mean_1,sd_of_mean_1,…,mean_J,sd_of_mean_J,end`: the point's
//! coordinates in the unit cube and, per target, the model's mean over the replications and
//! the sd of that mean, each number written so that it reads back to the same bits. A line
//! whose coordinates are not those of its point in the wave's design, or that does not end
//! with `end` (a torn line of a killed run), is ignored.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::{Evaluation, History, Settings, Target, judge, outputs, wave_design};
use crate::scaleout::Shard;
use crate::scenario::Scenario;
use crate::uncertainty::Uncertain;

/// The name of a calibration's log folder: the same scenario (everything but its files'
/// paths), free parameters, targets and settings give the same name, anything else another.
pub fn folder_name(
    scenario: &Scenario,
    free: &[Uncertain],
    targets: &[Target],
    settings: Settings,
) -> String {
    let s = Scenario { path: PathBuf::new(), file_hashes: Vec::new(), ..scenario.clone() };
    let text =
        format!("livelihoods {}\n{s:?}\n{free:?}\n{targets:?}\n{settings:?}\n", env!("CARGO_PKG_VERSION"));
    let hash = crate::scenario::sha256_hex(text.as_bytes());
    format!("calibration-{}", &hash[..16])
}

/// A calibration's log folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logs {
    /// The folder.
    pub dir: PathBuf,
}

impl Logs {
    /// The log of wave `wave` (0-based).
    pub fn wave(&self, wave: usize) -> PathBuf {
        self.dir.join(format!("wave-{}.log", wave + 1))
    }

    /// The log of `shard` of wave `wave` (0-based).
    pub fn shard(&self, wave: usize, shard: Shard) -> PathBuf {
        self.dir.join(format!("wave-{}.shard-{}-of-{}.log", wave + 1, shard.index, shard.count))
    }

    /// The file `shard` writes when its points of wave `wave` (0-based) are all logged.
    pub fn shard_done(&self, wave: usize, shard: Shard) -> PathBuf {
        self.shard(wave, shard).with_extension("toml")
    }

    /// The shards of wave `wave` (0-based) that have a log or a finished file here.
    ///
    /// # Errors
    /// The folder cannot be read.
    pub fn shards(&self, wave: usize) -> io::Result<Vec<Shard>> {
        let prefix = format!("wave-{}.shard-", wave + 1);
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(&prefix) else { continue };
            let Some(stem) = rest.strip_suffix(".log").or_else(|| rest.strip_suffix(".toml")) else {
                continue;
            };
            if let Some((k, n)) = stem.split_once("-of-")
                && let Ok(shard) = Shard::parse(&format!("{k}/{n}"))
                && !found.contains(&shard)
            {
                found.push(shard);
            }
        }
        found.sort_by_key(|s: &Shard| (s.count, s.index));
        Ok(found)
    }
}

/// The line of point `p`'s evaluation.
fn line(p: usize, e: &Evaluation) -> String {
    let mut s = p.to_string();
    for u in &e.unit {
        s.push_str(&format!(",{u}"));
    }
    for (m, se) in &e.outputs {
        s.push_str(&format!(",{m},{se}"));
    }
    s.push_str(",end\n");
    s
}

/// The evaluations `path` holds of the points `units` of one wave (none when it does not
/// exist), by point.
fn read(
    path: &Path,
    units: &[Vec<f64>],
    free: &[Uncertain],
    targets: &[Target],
) -> io::Result<BTreeMap<usize, Evaluation>> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    let cells_per_line = 1 + free.len() + 2 * targets.len() + 1;
    let mut out = BTreeMap::new();
    for text in text.lines() {
        let cells: Vec<&str> = text.split(',').collect();
        if cells.len() != cells_per_line || cells[cells_per_line - 1] != "end" {
            continue;
        }
        let parsed = (|| {
            let p: usize = cells[0].parse().ok()?;
            let unit = units.get(p)?;
            let numbers: Vec<f64> =
                cells[1..cells_per_line - 1].iter().map(|c| c.parse().ok()).collect::<Option<_>>()?;
            let (coordinates, means) = numbers.split_at(free.len());
            let same = coordinates.iter().zip(unit).all(|(a, b)| a.to_bits() == b.to_bits());
            same.then(|| {
                let outputs = means.chunks(2).map(|c| (c[0], c[1])).collect();
                (p, judge(free, unit, outputs, targets))
            })
        })();
        if let Some((p, e)) = parsed {
            out.entry(p).or_insert(e);
        }
    }
    Ok(out)
}

/// Evaluate the points `todo` of `units`, appending each to `log` as it finishes.
fn evaluate_into(
    scenario: &Scenario,
    free: &[Uncertain],
    targets: &[Target],
    units: &[Vec<f64>],
    todo: &[usize],
    log: &Path,
    on_point: &(dyn Fn() + Sync),
) -> io::Result<()> {
    let file = Mutex::new(crate::sweep::open_log(log)?);
    todo.par_iter()
        .map(|&p| {
            let e = judge(free, &units[p], outputs(scenario, free, &units[p], targets), targets);
            let mut f = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f.write_all(line(p, &e).as_bytes())?;
            f.sync_data()?;
            drop(f);
            on_point();
            Ok(())
        })
        .collect()
}

/// Where a calibration stands in its logs.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// The waves the logs hold complete.
    pub history: History,
    /// The first incomplete wave (0-based) and its points, unless every wave is complete or
    /// the calibration ended early (a complete wave without a non-implausible point).
    pub next: Option<(usize, Vec<Vec<f64>>)>,
}

/// Where the calibration stands in `logs`: its complete waves, replayed from their logs.
///
/// # Errors
/// A log that cannot be read.
pub fn standing(
    logs: &Logs,
    free: &[Uncertain],
    targets: &[Target],
    settings: Settings,
) -> io::Result<Standing> {
    let mut history = History { settings, waves: Vec::new() };
    for wave in 0..settings.waves {
        let Some(units) = wave_design(&history, free.len(), wave) else { break };
        let mut done = read(&logs.wave(wave), &units, free, targets)?;
        if done.len() < units.len() {
            return Ok(Standing { history, next: Some((wave, units)) });
        }
        history.waves.push((0..units.len()).map(|p| done.remove(&p).expect("every point")).collect());
    }
    Ok(Standing { history, next: None })
}

/// Run the calibration, resuming from `logs`: every wave's missing points are evaluated
/// and logged to the wave's log. Returns the history, the same as [`super::calibrate`]'s.
///
/// # Errors
/// I/O errors of the logs.
pub fn run(
    scenario: &Scenario,
    free: &[Uncertain],
    targets: &[Target],
    settings: Settings,
    logs: &Logs,
    on_point: &(dyn Fn() + Sync),
) -> io::Result<History> {
    loop {
        let standing = standing(logs, free, targets, settings)?;
        let Some((wave, units)) = standing.next else { return Ok(standing.history) };
        let log = logs.wave(wave);
        let done = read(&log, &units, free, targets)?;
        let todo: Vec<usize> = (0..units.len()).filter(|p| !done.contains_key(p)).collect();
        evaluate_into(scenario, free, targets, &units, &todo, &log, on_point)?;
    }
}

/// Evaluate `shard`'s points of the first incomplete wave, resuming from its log. Returns
/// that wave (0-based) and the shard's points in it, or none when every wave is complete.
///
/// # Errors
/// I/O errors of the logs.
pub fn run_shard(
    scenario: &Scenario,
    free: &[Uncertain],
    targets: &[Target],
    settings: Settings,
    logs: &Logs,
    shard: Shard,
    on_point: &(dyn Fn() + Sync),
) -> io::Result<Option<(usize, usize)>> {
    let Some((wave, units)) = standing(logs, free, targets, settings)?.next else { return Ok(None) };
    let log = logs.shard(wave, shard);
    let joined = read(&logs.wave(wave), &units, free, targets)?;
    let own = read(&log, &units, free, targets)?;
    let mine: Vec<usize> = (0..units.len()).filter(|p| shard.holds(*p)).collect();
    let todo: Vec<usize> =
        mine.iter().copied().filter(|p| !joined.contains_key(p) && !own.contains_key(p)).collect();
    evaluate_into(scenario, free, targets, &units, &todo, &log, on_point)?;
    Ok(Some((wave, mine.len())))
}

/// Join the shard logs of wave `wave` (0-based, points `units`) into its wave log, in point
/// order, when the n shards of one split have all finished.
///
/// # Errors
/// Every problem at once: no shard of the wave, shards of different splits, shards missing
/// or unfinished (named), points no log holds; or an I/O error.
pub fn join(
    logs: &Logs,
    wave: usize,
    units: &[Vec<f64>],
    free: &[Uncertain],
    targets: &[Target],
) -> Result<(), Vec<String>> {
    let io = |e: io::Error| vec![format!("{}: {e}", logs.dir.display())];
    let shards = logs.shards(wave).map_err(io)?;
    let w = wave + 1;
    let Some(n) = shards.first().map(|s| s.count) else {
        return Err(vec![format!(
            "wave {w}: no shard has started (no wave-{w}.shard-*.log in {}): run the shards' command (calibrate … --shard k/n) first",
            logs.dir.display()
        )]);
    };
    let mut problems = Vec::new();
    if let Some(other) = shards.iter().find(|s| s.count != n) {
        problems.push(format!(
            "wave {w}: shard {other}, but another is a shard of {n}: the wave was split in two ways; remove the logs of one split from {}",
            logs.dir.display()
        ));
    }
    let missing: Vec<String> =
        (1..=n).filter(|k| !shards.iter().any(|s| s.index == *k)).map(|k| format!("{k}/{n}")).collect();
    if !missing.is_empty() {
        problems.push(format!(
            "wave {w}: shards missing: {} (no log of theirs in {})",
            missing.join(", "),
            logs.dir.display()
        ));
    }
    for s in shards.iter().filter(|s| s.count == n) {
        if !logs.shard_done(wave, *s).is_file() {
            problems.push(format!(
                "wave {w}: shard {s} did not finish (no {}); run its command again (it resumes)",
                logs.shard_done(wave, *s).display()
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut all = read(&logs.wave(wave), units, free, targets).map_err(io)?;
    for s in &shards {
        for (p, e) in read(&logs.shard(wave, *s), units, free, targets).map_err(io)? {
            all.entry(p).or_insert(e);
        }
    }
    let absent: Vec<String> =
        (0..units.len()).filter(|p| !all.contains_key(p)).map(|p| p.to_string()).collect();
    if !absent.is_empty() {
        return Err(vec![format!(
            "wave {w}: the shards' logs hold no evaluation of point(s) {}: run their shards again",
            absent.join(", ")
        )]);
    }
    let text: String = all.iter().map(|(p, e)| line(*p, e)).collect();
    crate::output::write_file_atomically(&logs.wave(wave), text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_to_the_same_bits_and_a_torn_line_is_ignored() {
        let free = vec![Uncertain {
            key: "labour.access_sigma".into(),
            distribution: crate::uncertainty::Distribution::Uniform { low: 0.2, high: 0.8 },
            source: String::new(),
        }];
        let targets = vec![Target {
            name: "p0".into(),
            statistic: super::super::Statistic::named("p0").unwrap(),
            value: 0.2,
            sd: 0.01,
            discrepancy_sd: 0.0,
            source: String::new(),
        }];
        let units = vec![vec![0.1 + 0.2], vec![1.0 / 3.0]];
        let e = judge(&free, &units[0], vec![(0.1 + 0.7, 1e-17)], &targets);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wave-1.log");
        let torn = line(1, &judge(&free, &units[1], vec![(0.5, 0.25)], &targets));
        fs::write(&path, format!("{}{}", line(0, &e), &torn[..torn.len() - 3])).unwrap();
        let read = read(&path, &units, &free, &targets).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[&0], e);
        assert_eq!(read[&0].outputs[0].0.to_bits(), (0.1f64 + 0.7).to_bits());
    }
}
