//! Output files of a scenario: `seasons.csv`, `summary.csv`, `manifest.toml` and the P0
//! chart `p0.svg` / `p0.png` in `<out>/<scenario name>/`.
//!
//! A scenario's files are written into a temporary sibling directory and renamed into place
//! only when all of them are complete, so a failed or interrupted run never leaves a
//! half-written result and never touches other scenarios' outputs. Numbers are written with
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

/// Fill a fresh temporary directory with `fill`, then put it in place of `out/name` (which
/// is replaced only once everything was written). Returns `out/name`.
///
/// # Errors
/// Any I/O error from `fill` or the renames; `out/name` is then left as it was.
pub fn write_atomically(
    out: &Path,
    name: &str,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    fs::create_dir_all(out)?;
    let target = out.join(name);
    let tmp = out.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir(&tmp)?;
    if let Err(e) = fill(&tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = out.join(format!(".{name}.old-{}", std::process::id()));
    if target.exists() {
        fs::rename(&target, &old)?;
    }
    if let Err(e) = fs::rename(&tmp, &target) {
        if old.exists() {
            let _ = fs::rename(&old, &target);
        }
        return Err(e);
    }
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    Ok(target)
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

/// `summary.csv`: one row per season; per metric its mean, 95 % band and 95 % CI of the mean.
pub fn summary_csv(result: &ScenarioResult) -> String {
    let mut s = String::from("scenario,season,year,season_kind,replications");
    for n in NAMES {
        let _ = write!(s, ",{n}_mean,{n}_lo,{n}_hi,{n}_ci_lo,{n}_ci_hi");
    }
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
    rng_kernel: &'static str,
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
        rng_kernel: crate::rng::kernel().name(),
        threads: info.threads,
        started_utc: &info.started_utc,
        overrides: s.overrides.iter().map(|(k, v)| (k.clone(), toml::Value::String(v.clone()))).collect(),
        parameters: &s.params,
        intervention: &s.interventions,
    };
    let body = toml::to_string(&manifest).expect("the manifest serialises to TOML");
    format!("# Provenance of this result, written by livelihoods {}.\n{body}", env!("CARGO_PKG_VERSION"))
}

/// Seconds since the Unix epoch as RFC 3339 UTC (civil-from-days, H. Hinnant).
pub fn rfc3339_utc(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
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
