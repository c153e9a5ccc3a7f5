//! Output files of a scenario: `seasons.csv`, `summary.csv`, `manifest.toml` and the P0
//! chart `p0.svg` / `p0.png` in `<out>/<scenario name>/`.
//!
//! A scenario's files are written into a new version folder, synced to disk, and published
//! with one `rename` of a symbolic link ([`write_atomically`]), so a failed or interrupted
//! run never leaves a half-written result, never hides the earlier one and never touches
//! other scenarios' outputs. Numbers are written with
//! Rust's shortest round-trip formatting, so the files are byte-identical across runs; a
//! metric that does not apply (maize yield in the dry season) is an empty field.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::metrics::NAMES;
use crate::runner::ScenarioResult;
use crate::summary::Stat;

/// Facts about the run that go into the manifest.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// Threads in the pool.
    pub threads: usize,
    /// The instruction sets the run computes with.
    pub cpu: crate::cpu::Cpu,
    /// Start of the run, RFC 3339 UTC.
    pub started_utc: String,
}

/// Write the files of one scenario under `out`, atomically. Returns the scenario's directory.
///
/// # Errors
/// Any I/O error; the previous result (if any) is then left as it was.
pub fn write_scenario(out: &Path, result: &ScenarioResult, info: &RunInfo) -> io::Result<PathBuf> {
    let name = &result.scenario.name;
    write_atomically(out, name, |dir| {
        fs::write(dir.join("seasons.csv"), seasons_csv(result))?;
        fs::write(dir.join("summary.csv"), summary_csv(result))?;
        fs::write(dir.join("manifest.toml"), manifest(result, info))?;
        crate::report::p0_chart(result).and_then(|c| crate::plot::save(&c, dir, "p0", (960, 540)))
    })
}

/// The folder under `out` that holds every published result: `<out>/<name>` is a symbolic
/// link to `<out>/.versions/<name>.<pid>-<stamp>`.
pub(crate) const VERSIONS: &str = ".versions";

/// Environment variable that makes the program stop (exit code 137, as if killed) at one
/// step of publishing a result: `filled` (files written, not yet synced), `complete` (the
/// version synced and named complete, not linked), `linked` (the new link made, not yet
/// switched) or `switched` (switched, the previous version not yet removed). For tests.
pub const FAULT_VARIABLE: &str = "LIVELIHOODS_FAULT_POINT";

fn fault(point: &str) {
    if std::env::var(FAULT_VARIABLE).is_ok_and(|v| v == point) {
        eprintln!("{FAULT_VARIABLE}: stopping at \"{point}\" as if killed");
        std::process::exit(137);
    }
}

/// Fill a fresh version folder with `fill`, then publish it as `out/name` in one atomic
/// step. Returns `out/name`.
///
/// The files are written into `out/.versions/<name>.<pid>-<stamp>.tmp`, synced to disk,
/// renamed to `…<stamp>` (complete), and published by renaming a new symbolic link over
/// `out/name`: a reader sees the earlier result or the new one, whole, never a mix or
/// nothing. The earlier version is removed afterwards. A folder `out/name` of the earlier
/// layout (a plain directory) is moved into `.versions` first, so for that one switch a
/// kill leaves it there, restored by the next run ([`prepare`]).
///
/// # Errors
/// Any I/O error from `fill` or publishing; `out/name` is then left as it was.
pub fn write_atomically(
    out: &Path,
    name: &str,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let versions = out.join(VERSIONS);
    fs::create_dir_all(&versions)?;
    let stamp = version_name(name);
    let tmp = versions.join(format!("{stamp}.tmp"));
    fs::create_dir(&tmp)?;
    let written = fill(&tmp).and_then(|()| {
        fault("filled");
        sync_tree(&tmp)?;
        fs::rename(&tmp, versions.join(&stamp))?;
        sync_dir(&versions)
    });
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    fault("complete");
    publish(out, name, &stamp).inspect_err(|_| {
        let _ = fs::remove_dir_all(versions.join(&stamp));
    })
}

/// A unique version folder name for `name`: `<name>.<pid>-<nanoseconds>`.
fn version_name(name: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{name}.{}-{nanos}{n:03}", std::process::id())
}

/// What stood at `out/name` before a switch.
enum Previous {
    None,
    Link(PathBuf),
    Folder(PathBuf),
}

/// Point `out/name` at `.versions/stamp` with one `rename`, then remove what it replaced.
fn publish(out: &Path, name: &str, stamp: &str) -> io::Result<PathBuf> {
    let target = out.join(name);
    let link = out.join(format!(".{name}.link-{}", std::process::id()));
    let _ = fs::remove_file(&link);
    symlink_dir(&Path::new(VERSIONS).join(stamp), &link)?;
    let previous = match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => Previous::Link(fs::read_link(&target)?),
        Ok(m) if m.is_dir() => {
            let aside = out.join(VERSIONS).join(format!("{name}.{}-legacy", std::process::id()));
            fs::rename(&target, &aside)?;
            Previous::Folder(aside)
        }
        Ok(_) => {
            let _ = fs::remove_file(&link);
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is a file, not a results folder", target.display()),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Previous::None,
        Err(e) => return Err(e),
    };
    fault("linked");
    if let Err(e) = fs::rename(&link, &target) {
        if let Previous::Folder(aside) = &previous {
            let _ = fs::rename(aside, &target);
        }
        let _ = fs::remove_file(&link);
        return Err(e);
    }
    sync_dir(out)?;
    fault("switched");
    match previous {
        Previous::Link(p) if is_version(&p) => remove_all(&out.join(p))?,
        Previous::Folder(aside) => remove_all(&aside)?,
        _ => {}
    }
    Ok(target)
}

/// True if a link target names a folder of [`VERSIONS`] (written by this program).
fn is_version(link: &Path) -> bool {
    let parts: Vec<_> = link.components().collect();
    parts.len() == 2 && parts[0].as_os_str() == VERSIONS
}

fn remove_all(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn symlink_dir(original: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(original, link)
}

#[cfg(windows)]
fn symlink_dir(original: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_dir(original, link)
}

/// Sync every file under `dir` and the folders themselves to disk.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            fs::File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

/// Sync a folder's entries (names created or renamed in it) to disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Files a result folder of this program holds, one of which any of them has.
const RESULT_MARKERS: [&str; 2] = ["manifest.toml", "comparison.toml"];

/// Check, before anything is simulated, that the results `names` can be written under
/// `out`, and clean up what killed runs left there. Returns a line for each leftover
/// removed or restored.
///
/// `out` must be a folder or absent; each `out/<name>` absent, a symbolic link (any: it is
/// replaced, what it points to is left alone unless it is one of this program's versions),
/// or a folder this program wrote (with a `manifest.toml` or `comparison.toml`), or empty.
///
/// # Errors
/// A message naming every path in the way, or an I/O error.
pub fn prepare(out: &Path, names: &[&str]) -> io::Result<Vec<String>> {
    let mut conflicts = Vec::new();
    match fs::metadata(out) {
        Ok(m) if !m.is_dir() => conflicts.push(format!("{} is a file, not a folder", out.display())),
        Err(e) if e.kind() != io::ErrorKind::NotFound => conflicts.push(format!("{}: {e}", out.display())),
        _ => {}
    }
    if conflicts.is_empty() {
        for name in names {
            let target = out.join(name);
            match fs::symlink_metadata(&target) {
                Ok(m) if m.file_type().is_symlink() => {}
                Ok(m) if m.is_dir() => {
                    let ours = RESULT_MARKERS.iter().any(|f| target.join(f).exists());
                    let empty = fs::read_dir(&target).is_ok_and(|mut d| d.next().is_none());
                    if !ours && !empty {
                        conflicts.push(format!(
                            "{} is a folder that livelihoods did not write (no manifest.toml or \
                             comparison.toml); move it away or choose another --out",
                            target.display()
                        ));
                    }
                }
                Ok(_) => conflicts.push(format!(
                    "{} is a file, not a results folder; move it away or choose another --out",
                    target.display()
                )),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => conflicts.push(format!("{}: {e}", target.display())),
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, conflicts.join("; ")));
    }
    if !out.exists() {
        return Ok(Vec::new());
    }
    clean_leftovers(out)
}

/// True if process `pid` may still be running (it is this one, or /proc shows it, or there
/// is no /proc to ask).
fn alive(pid: u32) -> bool {
    pid == std::process::id()
        || !Path::new("/proc/self").exists()
        || Path::new("/proc").join(pid.to_string()).exists()
}

/// Remove what runs that were killed left under `out`: unfinished and unpublished versions,
/// links not switched, and the earlier layout's `.<name>.tmp-<pid>` and `.<name>.old-<pid>`
/// folders; a result that a kill left out of view is put back.
fn clean_leftovers(out: &Path) -> io::Result<Vec<String>> {
    let mut notes = Vec::new();
    for entry in fs::read_dir(out)? {
        let entry = entry?;
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix('.') else { continue };
        for what in ["tmp", "old", "link"] {
            let Some((name, pid)) = rest.rsplit_once(&format!(".{what}-")) else { continue };
            let Ok(pid) = pid.parse::<u32>() else { continue };
            if alive(pid) {
                continue;
            }
            let path = entry.path();
            if what == "old" && fs::symlink_metadata(out.join(name)).is_err() {
                fs::rename(&path, out.join(name))?;
                notes.push(format!("restored {} from an interrupted run", out.join(name).display()));
            } else if what == "link" {
                fs::remove_file(&path)?;
                notes.push(format!("removed {} (left by an interrupted run)", path.display()));
            } else {
                remove_all(&path)?;
                notes.push(format!("removed {} (left by an interrupted run)", path.display()));
            }
        }
    }
    let versions = out.join(VERSIONS);
    let Ok(entries) = fs::read_dir(&versions) else { return Ok(notes) };
    let mut used = std::collections::BTreeSet::new();
    for entry in fs::read_dir(out)? {
        if let Ok(target) = fs::read_link(entry?.path())
            && is_version(&target)
        {
            used.insert(target.components().nth(1).map(|c| c.as_os_str().to_os_string()));
        }
    }
    for entry in entries {
        let entry = entry?;
        let file = entry.file_name();
        if used.contains(&Some(file.clone())) {
            continue;
        }
        let file = file.to_string_lossy().into_owned();
        let base = file.strip_suffix(".tmp").unwrap_or(&file);
        let Some((name, rest)) = base.rsplit_once('.') else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if alive(pid) {
            continue;
        }
        let path = entry.path();
        if rest.ends_with("-legacy") && fs::symlink_metadata(out.join(name)).is_err() {
            publish(out, name, &file)?;
            notes.push(format!("restored {} from an interrupted run", out.join(name).display()));
        } else {
            remove_all(&path)?;
            notes.push(format!("removed {} (left by an interrupted run)", path.display()));
        }
    }
    Ok(notes)
}

/// A number as written in CSV: shortest round-trip, empty for NaN.
pub fn number(x: f64) -> String {
    if x.is_nan() { String::new() } else { format!("{x}") }
}

/// `seasons.csv`: one row per replication × season.
pub fn seasons_csv(result: &ScenarioResult) -> String {
    let mut s = String::from("scenario,replication,season,year,season_kind");
    for n in NAMES {
        s.push(',');
        s.push_str(n);
    }
    s.push('\n');
    for (r, run) in result.runs.iter().enumerate() {
        for m in run {
            let _ = write!(s, "{},{r},{},{},{}", result.scenario.name, m.season, m.year, m.season_kind);
            for v in m.values {
                s.push(',');
                s.push_str(&number(v));
            }
            s.push('\n');
        }
    }
    s
}

/// The header line of `summary.csv` (without its line end).
pub(crate) fn summary_header() -> String {
    let mut s = String::from("scenario,season,year,season_kind,replications");
    for n in NAMES {
        let _ = write!(s, ",{n}_mean,{n}_lo,{n}_hi,{n}_ci_lo,{n}_ci_hi");
    }
    s
}

/// `summary.csv`: one row per season; per metric its mean, 95 % band and 95 % CI of the mean.
pub fn summary_csv(result: &ScenarioResult) -> String {
    let mut s = summary_header();
    s.push('\n');
    for row in &result.summary {
        let _ = write!(
            s,
            "{},{},{},{},{}",
            result.scenario.name, row.season, row.year, row.season_kind, row.replications
        );
        for Stat { mean, lo, hi, ci_lo, ci_hi } in &row.stats {
            for v in [mean, lo, hi, ci_lo, ci_hi] {
                s.push(',');
                s.push_str(&number(*v));
            }
        }
        s.push('\n');
    }
    s
}

#[derive(Serialize)]
struct Manifest<'a> {
    scenario: &'a str,
    description: &'a str,
    scenario_file: String,
    scenario_sha256: &'a str,
    base_files: Vec<BaseFile>,
    seed: u64,
    replications: u32,
    seasons: u32,
    /// Villages simulated: `population.villages` scaled to the run's households.
    simulated_villages: u64,
    /// households / population.reference_households: the multiplier on villages and
    /// absolute intervention capacities.
    population_scale: f64,
    crate_version: &'static str,
    rng: &'static str,
    /// The code path (`--cpu`): instruction sets, not numbers.
    cpu: &'static str,
    threads: usize,
    started_utc: &'a str,
    overrides: toml::Table,
    parameters: &'a crate::params::Params,
    intervention: &'a [crate::interventions::Intervention],
}

#[derive(Serialize)]
struct BaseFile {
    path: String,
    sha256: String,
}

/// `manifest.toml`: provenance and the fully resolved parameters.
pub fn manifest(result: &ScenarioResult, info: &RunInfo) -> String {
    let s = &result.scenario;
    let manifest = Manifest {
        scenario: &s.name,
        description: &s.description,
        scenario_file: s.path.display().to_string(),
        scenario_sha256: s.file_hashes.first().map_or("", |(_, h)| h),
        base_files: s
            .file_hashes
            .iter()
            .skip(1)
            .map(|(p, h)| BaseFile { path: p.display().to_string(), sha256: h.clone() })
            .collect(),
        seed: s.seed,
        replications: s.replications,
        seasons: s.seasons,
        simulated_villages: s.params.population.simulated_villages(),
        population_scale: s.params.population.scale(),
        crate_version: env!("CARGO_PKG_VERSION"),
        rng: crate::rng::ALGORITHM,
        cpu: info.cpu.name(),
        threads: info.threads,
        started_utc: &info.started_utc,
        overrides: s.overrides.iter().map(|(k, v)| (k.clone(), toml::Value::String(v.clone()))).collect(),
        parameters: &s.params,
        intervention: &s.interventions,
    };
    let body = toml::to_string(&manifest).expect("the manifest serialises to TOML");
    format!("# Provenance of this result, written by livelihoods {}.\n{body}", env!("CARGO_PKG_VERSION"))
}

/// Seconds since the Unix epoch as RFC 3339 UTC (`2026-11-27T00:00:00Z`).
pub fn rfc3339_utc(unix_seconds: u64) -> String {
    i64::try_from(unix_seconds)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| "9999-12-31T23:59:59Z".to_string(), |t| t.to_string())
}

/// Write `bytes` to `path` whole or not at all: into a temporary file beside it, synced,
/// then renamed over it.
///
/// # Errors
/// I/O errors.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = fs::File::create(&tmp)?;
        io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_795_737_600), "2026-11-27T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn numbers_round_trip_and_nan_is_empty() {
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(f64::NAN), "");
        assert_eq!(number(85000.0), "85000");
    }
}
