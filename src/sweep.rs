//! Sweeps: one scenario at many points of its uncertain parameters (`[uncertainty]`), each
//! point × the scenario's replications, the programme measured in its own world at every
//! point, with common random numbers across points. Results are logged point by point as
//! they finish (memory stays flat), so an interrupted sweep resumes where it stopped and
//! ends with the same files as one that never stopped.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::compare::{cost_effectiveness, pairings};
use crate::scaleout::Shard;
use crate::scenario::Scenario;
use crate::trial::{self, Plan};
use crate::uncertainty::draws::{METRICS, metrics_of};
use crate::uncertainty::sensitivity::{self, Series};
use crate::uncertainty::{Uncertain, design, set, sobol, values};

/// How the points of a sweep are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum Design {
    /// `levels` levels of every parameter, every combination.
    Grid {
        /// Levels per parameter.
        levels: usize,
    },
    /// A Latin hypercube of `points` points.
    LatinHypercube {
        /// Points.
        points: usize,
    },
    /// Morris elementary effects: `trajectories` trajectories on `levels` levels.
    Morris {
        /// Trajectories (r).
        trajectories: usize,
        /// Grid levels (p).
        levels: usize,
    },
    /// A Saltelli design of `base` (2k + 2) points, for Sobol' indices.
    Sobol {
        /// Base sample size N.
        base: usize,
    },
    /// Parameter values read from a SALib sample file (one row per point, one column per
    /// uncertain parameter in key order, separated by spaces, tabs or commas).
    File(PathBuf),
}

impl Design {
    /// A short description for the manifest.
    pub fn describe(&self) -> String {
        match self {
            Self::Grid { levels } => format!("grid of {levels} levels per parameter"),
            Self::LatinHypercube { points } => format!("Latin hypercube of {points} points"),
            Self::Morris { trajectories, levels } => {
                format!("Morris design of {trajectories} trajectories on {levels} levels")
            }
            Self::Sobol { base } => format!("Saltelli design for Sobol' indices, base sample {base}"),
            Self::File(p) => format!("sample read from {}", p.display()),
        }
    }
}

/// Morris's moves: for each step of a trajectory, the parameter it moved and by how much.
pub type Moves = Vec<(usize, f64)>;

/// The parameter values of every point of `design` for `uncertain`, and Morris's moves.
///
/// # Errors
/// An unreadable or malformed sample file, or values outside a parameter's range.
pub fn points(design: &Design, uncertain: &[Uncertain], seed: u64) -> Result<(Vec<Vec<f64>>, Moves), String> {
    let k = uncertain.len();
    let to_values = |unit: Vec<Vec<f64>>| unit.iter().map(|u| values(uncertain, u)).collect::<Vec<_>>();
    Ok(match design {
        Design::Grid { levels } => (to_values(design::grid(*levels, k)), Vec::new()),
        Design::LatinHypercube { points } => {
            (to_values(design::latin_hypercube(*points, k, seed)), Vec::new())
        }
        Design::Morris { trajectories, levels } => {
            let (unit, moves) = design::morris(*trajectories, k, *levels, seed);
            (to_values(unit), moves)
        }
        Design::Sobol { base } => (to_values(sobol::design(*base, k, seed)), Vec::new()),
        Design::File(path) => (read_sample(path, uncertain)?, Vec::new()),
    })
}

fn read_sample(path: &Path, uncertain: &[Uncertain]) -> Result<Vec<Vec<f64>>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')) {
        let cells: Vec<&str> = line.split([' ', '\t', ',']).filter(|c| !c.is_empty()).collect();
        if cells.len() != uncertain.len() {
            return Err(format!(
                "{}:{}: {} values, but the scenario declares {} uncertain parameters ({})",
                path.display(),
                i + 1,
                cells.len(),
                uncertain.len(),
                uncertain.iter().map(|u| u.key.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        let row = cells
            .iter()
            .enumerate()
            .map(|(j, c)| {
                c.parse::<f64>()
                    .map_err(|_| format!("{}:{}:{}: \"{c}\" is not a number", path.display(), i + 1, j + 1))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        out.push(row);
    }
    Ok(out)
}

/// The sample in SALib's layout (`salib_sample.txt`): one row per point, values separated by
/// spaces, columns in the order of `salib_problem.json`.
pub fn salib_sample(points: &[Vec<f64>]) -> String {
    points.iter().map(|p| p.iter().map(f64::to_string).collect::<Vec<_>>().join(" ") + "\n").collect()
}

/// SALib's problem definition (`salib_problem.json`) for `uncertain`.
pub fn salib_problem(uncertain: &[Uncertain]) -> String {
    let names: Vec<String> = uncertain.iter().map(|u| format!("\"{}\"", u.key)).collect();
    let bounds: Vec<String> = uncertain
        .iter()
        .map(|u| {
            let (lo, hi) = u.distribution.support();
            format!("[{lo}, {hi}]")
        })
        .collect();
    format!(
        "{{\"num_vars\": {}, \"names\": [{}], \"bounds\": [{}]}}\n",
        uncertain.len(),
        names.join(", "),
        bounds.join(", ")
    )
}

/// One point's results: per metric, (mean, lower, upper) across replications.
pub type PointResult = [(f64, f64, f64); 4];

/// Run `scenario` at every point (parameter values in `uncertain`'s order) that `shard`
/// holds (every point without one), logging each finished point to `log` (a line per
/// metric); points already in the log are not run again. `on_point` is called after each
/// point. Returns each point's result, none for the points of other shards.
///
/// # Errors
/// I/O errors of the log.
#[allow(clippy::too_many_arguments)]
pub fn run(
    scenario: &Scenario,
    uncertain: &[Uncertain],
    points: &[Vec<f64>],
    shard: Option<Shard>,
    log: &Path,
    threads: usize,
    money: (f64, f64),
    on_point: &(dyn Fn() + Sync),
) -> io::Result<Vec<Option<PointResult>>> {
    let mut done = read_log(log)?;
    let file = open_log(log)?;
    let file = Mutex::new(file);
    let mine = |p: &usize| shard.is_none_or(|s| s.holds(*p));
    let todo: Vec<usize> = (0..points.len()).filter(|p| mine(p) && !done.contains_key(p)).collect();
    let results: Vec<io::Result<(usize, PointResult)>> = todo
        .par_iter()
        .map(|&p| {
            let mut s = scenario.clone();
            for (u, &v) in uncertain.iter().zip(&points[p]) {
                s.params = set(&s.params, &u.key, v).map_err(io::Error::other)?;
            }
            let outcome = trial::run(Plan::new(vec![s], 0), threads, &|| {});
            let rows = cost_effectiveness(&pairings(&outcome), money.0, money.1);
            let result = metrics_of(&outcome, &rows)[0];
            let mut line = String::new();
            for (metric, (m, lo, hi)) in METRICS.iter().zip(result) {
                line.push_str(&format!("{p},{metric},{m},{lo},{hi}\n"));
            }
            let mut f = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f.write_all(line.as_bytes())?;
            f.sync_data()?;
            drop(f);
            on_point();
            Ok((p, result))
        })
        .collect();
    for r in results {
        let (p, result) = r?;
        done.insert(p, result);
    }
    Ok((0..points.len()).map(|p| if mine(&p) { done.get(&p).copied() } else { None }).collect())
}

/// The points of `shard` (or all) that `log` holds complete.
///
/// # Errors
/// I/O errors reading the log.
pub fn logged(log: &Path, points: usize, shard: Option<Shard>) -> io::Result<usize> {
    let done = read_log(log)?;
    Ok((0..points).filter(|p| shard.is_none_or(|s| s.holds(*p)) && done.contains_key(p)).count())
}

/// `log` opened for appending; a torn last line (a killed run's) is ended first, so that
/// the next line starts on a line of its own.
///
/// # Errors
/// I/O errors.
pub(crate) fn open_log(log: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new().create(true).append(true).read(true).open(log)?;
    let length = file.metadata()?.len();
    if length > 0 {
        use std::io::{Read, Seek, SeekFrom};
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(length - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}

/// The points a log holds complete (all metrics); a torn last line is ignored.
fn read_log(path: &Path) -> io::Result<std::collections::HashMap<usize, PointResult>> {
    type Logged = Vec<(usize, (f64, f64, f64))>;
    let mut partial: std::collections::HashMap<usize, Logged> = Default::default();
    if let Ok(file) = File::open(path) {
        for line in io::BufReader::new(file).lines() {
            let line = line?;
            let cells: Vec<&str> = line.split(',').collect();
            let parsed = (|| {
                let p: usize = cells.first()?.parse().ok()?;
                let k = METRICS.iter().position(|m| Some(m) == cells.get(1))?;
                let num = |i: usize| cells.get(i).and_then(|c| c.parse::<f64>().ok());
                Some((p, k, (num(2)?, num(3)?, num(4)?)))
            })();
            if let (Some((p, k, v)), 5) = (parsed, cells.len()) {
                partial.entry(p).or_default().push((k, v));
            }
        }
    }
    Ok(partial
        .into_iter()
        .filter_map(|(p, rows)| {
            let mut out = [(f64::NAN, f64::NAN, f64::NAN); 4];
            let mut seen = [false; 4];
            for (k, v) in rows {
                out[k] = v;
                seen[k] = true;
            }
            seen.iter().all(|&s| s).then_some((p, out))
        })
        .collect())
}

/// `results.csv`: per point, the parameter values, then per metric its mean and 95 % CI.
pub fn results_csv(uncertain: &[Uncertain], points: &[Vec<f64>], results: &[PointResult]) -> String {
    let mut s = String::from("point");
    for u in uncertain {
        s.push(',');
        s.push_str(&u.key);
    }
    for m in METRICS {
        s.push_str(&format!(",{m}_mean,{m}_ci_lo,{m}_ci_hi"));
    }
    s.push('\n');
    for (p, (values, r)) in points.iter().zip(results).enumerate() {
        s.push_str(&p.to_string());
        for v in values {
            s.push_str(&format!(",{v}"));
        }
        for (m, lo, hi) in r {
            for x in [m, lo, hi] {
                s.push(',');
                s.push_str(&crate::output::number(*x));
            }
        }
        s.push('\n');
    }
    s
}

/// The sensitivity files of a sweep of `scenario`: `sensitivity.csv` (rank correlations of
/// every parameter with every result, any design), and `morris.csv` (Morris μ, μ*, σ per
/// unit of the parameter's range) or `sobol.csv` and `sobol_second_order.csv` (Sobol'
/// indices) for those designs.
///
/// # Errors
/// Serialising the rows (a bug).
pub fn sensitivity_files(
    scenario: &str,
    design: &Design,
    uncertain: &[Uncertain],
    points: &[Vec<f64>],
    results: &[PointResult],
    moves: &[(usize, f64)],
    seed: u64,
) -> io::Result<Vec<(&'static str, String)>> {
    use crate::trial::tables::to_csv;
    let (mut ranks, mut morris, mut first, mut second) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (m, metric) in METRICS.iter().enumerate() {
        let y: Vec<f64> = results.iter().map(|r| r[m].0).collect();
        let series = Series { scenario, metric, values: &y };
        ranks.extend(sensitivity::rank_rows(series, uncertain, points));
        match design {
            Design::Morris { .. } => morris.extend(sensitivity::morris_rows(series, uncertain, moves)),
            Design::Sobol { base } => {
                let (f, t) = sensitivity::sobol_rows(series, uncertain, *base, seed);
                first.extend(f);
                second.extend(t);
            }
            _ => {}
        }
    }
    let mut files = vec![("sensitivity.csv", to_csv(&ranks)?)];
    match design {
        Design::Morris { .. } => files.push(("morris.csv", to_csv(&morris)?)),
        Design::Sobol { .. } => {
            files.push(("sobol.csv", to_csv(&first)?));
            files.push(("sobol_second_order.csv", to_csv(&second)?));
        }
        _ => {}
    }
    Ok(files)
}

/// `results.parquet`: the columns of [`results_csv`], with `manifest` (sweep.toml) in the
/// file's metadata under `livelihoods.manifest`; written whole or not at all.
///
/// # Errors
/// I/O errors.
pub fn results_parquet(
    path: &Path,
    uncertain: &[Uncertain],
    points: &[Vec<f64>],
    results: &[PointResult],
    manifest: &str,
) -> io::Result<()> {
    use crate::columnar::{Column, write};
    let mut columns = vec![("point".to_string(), Column::Int64((0..points.len() as i64).collect()))];
    for (j, u) in uncertain.iter().enumerate() {
        columns.push((u.key.clone(), Column::Double(points.iter().map(|p| p[j]).collect())));
    }
    for (k, m) in METRICS.iter().enumerate() {
        for (suffix, pick) in [("mean", 0), ("ci_lo", 1), ("ci_hi", 2)] {
            let values = results.iter().map(|r| [r[k].0, r[k].1, r[k].2][pick]).collect();
            columns.push((format!("{m}_{suffix}"), Column::Double(values)));
        }
    }
    let tmp = path.with_extension("parquet.tmp");
    write(&tmp, &columns, &[("livelihoods.manifest", manifest.to_string())])?;
    fs::rename(&tmp, path)
}
