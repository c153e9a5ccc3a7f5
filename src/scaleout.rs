//! Sweeps split over machines: shards of a sweep's points, merging shard folders into the
//! folder one machine would have written, and Slurm array scripts that run the shards.
//!
//! A shard `k/n` runs the points p with p mod n = k − 1 (round robin, so every shard gets
//! points of every block of a Saltelli or Morris design) into its own folder: the sweep's
//! manifest with a `shard = "k/n"` line, its points' lines of the resume log, and, once all
//! of its points are done, `shard.toml` (which records the host and time, kept out of the
//! manifest). [`merge`] checks that the folders are the n shards of one sweep, all
//! finished, and writes the manifest without the shard line and the union of the logs into
//! the destination; the sweep's own command, run there, then finds every point done and
//! writes the same files as a one-machine run.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A slice of a sweep: shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1 ..= count.
    pub index: usize,
    /// Shards in all.
    pub count: usize,
}

impl Shard {
    /// Parse `k/n` with 1 ≤ k ≤ n.
    ///
    /// # Errors
    /// Text that is not `k/n` with 1 ≤ k ≤ n.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("is \"{text}\"; a shard is k/n with 1 <= k <= n, such as 3/8");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// Whether point `p` belongs to this shard.
    pub fn holds(&self, p: usize) -> bool {
        p % self.count == self.index - 1
    }

    /// The manifest line that marks a shard's folder.
    pub fn manifest_line(&self) -> String {
        format!("shard = \"{self}\"\n")
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The file a finished shard writes.
pub const SHARD_DONE: &str = "shard.toml";

/// Where and when a shard finished, as the lines `host = …` and `finished_utc = …`: kept
/// out of the manifests, so that merged results do not depend on them.
pub fn finished_here() -> String {
    let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("host = \"{}\"\nfinished_utc = \"{}\"\n", host.trim(), crate::output::rfc3339_utc(seconds))
}

/// `shard.toml`: the shard, its points, and where and when it finished.
pub fn shard_done(shard: Shard, points: usize) -> String {
    format!("shard = \"{shard}\"\npoints = {points}\ncomplete = true\n{}", finished_here())
}

/// The sweep folder in `dir`: `dir` itself when it holds `sweep.toml`, else the one folder
/// `dir/sweeps/<name>/` (a shard's `--out`).
///
/// # Errors
/// No sweep folder, or more than one.
pub fn sweep_folder(dir: &Path) -> Result<PathBuf, String> {
    if dir.join("sweep.toml").is_file() {
        return Ok(dir.to_path_buf());
    }
    let sweeps = dir.join("sweeps");
    let found: Vec<PathBuf> = fs::read_dir(&sweeps)
        .map_err(|_| {
            format!(
                "{}: holds no shard (no sweep.toml or sweeps/ folder, no compare-shard.toml, no calibration logs in .resume/): did this shard start?",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("sweep.toml").is_file())
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("{}: holds no sweep (no sweep.toml): did this shard start?", sweeps.display())),
        _ => Err(format!("{}: holds more than one sweep; name one of its folders", sweeps.display())),
    }
}

/// A sweep's manifest without its shard line, and the shard it names.
///
/// # Errors
/// A malformed shard line.
pub(crate) fn split_manifest(text: &str) -> Result<(String, Option<Shard>), String> {
    let mut rest = String::new();
    let mut shard = None;
    for line in text.lines() {
        match line.strip_prefix("shard = ") {
            Some(v) => shard = Some(Shard::parse(v.trim_matches('"'))?),
            None => {
                rest.push_str(line);
                rest.push('\n');
            }
        }
    }
    Ok((rest, shard))
}

/// Merge the shard folders `dirs` of one sweep into `dest` (the sweep's folder there): its
/// manifest and the union of the logs, in shard order. Returns the manifest.
///
/// # Errors
/// Every problem at once: a folder that holds no sweep or no shard, a different sweep, two
/// folders of one shard, shards missing or unfinished (named), or an I/O error.
pub fn merge(dirs: &[PathBuf], dest: &Path) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    let mut shards: Vec<(Shard, PathBuf)> = Vec::new();
    let mut manifest: Option<(String, PathBuf)> = None;
    for dir in dirs {
        let folder = match sweep_folder(dir) {
            Ok(f) => f,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let text = match fs::read_to_string(folder.join("sweep.toml")) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: {e}", folder.join("sweep.toml").display()));
                continue;
            }
        };
        let (rest, shard) = match split_manifest(&text) {
            Ok(x) => x,
            Err(e) => {
                problems.push(format!("{}: shard {e}", folder.join("sweep.toml").display()));
                continue;
            }
        };
        let Some(shard) = shard else {
            problems.push(format!(
                "{}: is a whole sweep, not a shard (its sweep.toml has no shard line)",
                folder.display()
            ));
            continue;
        };
        match &manifest {
            None => manifest = Some((rest, folder.clone())),
            Some((m, first)) if *m != rest => problems.push(format!(
                "{}: a shard of another sweep than {} (their sweep.toml differ beyond the shard line)",
                folder.display(),
                first.display()
            )),
            Some(_) => {}
        }
        if let Some((_, at)) = shards.iter().find(|(s, _)| s.index == shard.index) {
            problems.push(format!("{}: shard {shard} is also in {}", folder.display(), at.display()));
            continue;
        }
        if !folder.join(SHARD_DONE).is_file() {
            problems.push(format!(
                "shard {shard} ({}) did not finish: it has no {SHARD_DONE}; run its command again (it resumes)",
                folder.display()
            ));
        }
        shards.push((shard, folder));
    }
    let count = shards.first().map(|s| s.0.count);
    if let Some(n) = count {
        if let Some((s, f)) = shards.iter().find(|(s, _)| s.count != n) {
            problems.push(format!("{}: shard {s}, but another folder is a shard of {n}", f.display()));
        }
        let missing: Vec<String> = (1..=n)
            .filter(|k| !shards.iter().any(|(s, _)| s.index == *k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("shards missing: {} (no folder given holds them)", missing.join(", ")));
        }
    }
    let Some((manifest, _)) = manifest else {
        problems.push("no shard folder given".into());
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    shards.sort_by_key(|(s, _)| s.index);
    let write = || -> io::Result<()> {
        fs::create_dir_all(dest)?;
        let mut log = String::new();
        for (_, folder) in &shards {
            let text = fs::read_to_string(folder.join("results.log"))?;
            for line in text.lines() {
                log.push_str(line);
                log.push('\n');
            }
        }
        crate::output::write_file_atomically(&dest.join("results.log"), log.as_bytes())?;
        crate::output::write_file_atomically(&dest.join("sweep.toml"), manifest.as_bytes())
    };
    write().map_err(|e| vec![format!("writing {}: {e}", dest.display())])?;
    Ok(manifest)
}

/// What a Slurm submission needs besides the sweep.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Shards (units of work), at least 1.
    pub shards: usize,
    /// Largest array the site accepts (`MaxArraySize` − 1); more shards run several per task.
    pub max_array: usize,
    /// At most this many tasks at once (`%K`).
    pub throttle: Option<usize>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time`.
    pub time: Option<String>,
    /// `--mem`.
    pub mem: Option<String>,
    /// `--cpus-per-task`.
    pub cpus: usize,
}

/// Array tasks for `shards` shards under `max_array`: task t (0-based) runs shards
/// t + 1, t + 1 + tasks, …
pub fn tasks(shards: usize, max_array: usize) -> usize {
    shards.min(max_array.max(1)).max(1)
}

/// Quote `s` for a POSIX shell.
pub fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-=:,+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn directives(name: &str, options: &SlurmOptions, log_dir: &Path) -> String {
    let mut s = format!("#!/bin/bash\n#SBATCH --job-name={}\n", quote(name));
    s.push_str(&format!("#SBATCH --output={}\n", quote(&log_dir.join("%x_%A_%a.out").display().to_string())));
    s.push_str(&format!("#SBATCH --cpus-per-task={}\n", options.cpus));
    for (key, value) in [("partition", &options.partition), ("time", &options.time), ("mem", &options.mem)] {
        if let Some(v) = value {
            s.push_str(&format!("#SBATCH --{key}={}\n", quote(v)));
        }
    }
    s
}

/// The array script: task `$SLURM_ARRAY_TASK_ID` runs each of its shards with `sweep`
/// (`program` and `arguments`, then `--shard k/n --out <shards>/<k>`), skipping shards
/// already finished. `array` is the `--array` list (only unfinished tasks on a resubmission).
pub fn array_script(
    program: &Path,
    arguments: &[String],
    options: &SlurmOptions,
    shards_dir: &Path,
    log_dir: &Path,
    array: &str,
    name: &str,
) -> String {
    let (n, tasks) = (options.shards, tasks(options.shards, options.max_array));
    let (mut s, command) =
        array_header(&format!("{name}-sweep"), program, arguments, options, log_dir, array);
    s.push_str(&format!(
        "for ((k = SLURM_ARRAY_TASK_ID + 1; k <= {n}; k += {tasks})); do\n  out={}/$k\n  if [ -f \"$out\"/sweeps/*/{SHARD_DONE} ]; then continue; fi\n  {} --shard \"$k/{n}\" --out \"$out\" --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet\ndone\n",
        quote(&shards_dir.display().to_string()),
        command
    ));
    s
}

/// The directives and the `--array` line of an array script named `name`, and the quoted
/// command each task runs (`program` with `arguments`).
fn array_header(
    name: &str,
    program: &Path,
    arguments: &[String],
    options: &SlurmOptions,
    log_dir: &Path,
    array: &str,
) -> (String, String) {
    let mut s = directives(name, options, log_dir);
    let throttle = options.throttle.map_or(String::new(), |k| format!("%{k}"));
    s.push_str(&format!("#SBATCH --array={array}{throttle}\n"));
    s.push_str("set -euo pipefail\n");
    let command: Vec<String> = std::iter::once(program.display().to_string())
        .chain(arguments.iter().cloned())
        .map(|a| quote(&a))
        .collect();
    (s, command.join(" "))
}

/// The merge script, run after every task succeeded (`--dependency=afterok`): `merge` of
/// the shards' folders (`<shards>/*`) into `out`.
pub fn merge_script(
    program: &Path,
    options: &SlurmOptions,
    shards_dir: &Path,
    log_dir: &Path,
    out: &Path,
    name: &str,
) -> String {
    let folders = format!("{}/*", quote(&shards_dir.display().to_string()));
    merge_job(program, options, &folders, log_dir, out, &format!("{name}-merge"))
}

/// A job that runs `merge <folders> --out <out>` (`folders` as shell words).
fn merge_job(
    program: &Path,
    options: &SlurmOptions,
    folders: &str,
    log_dir: &Path,
    out: &Path,
    job: &str,
) -> String {
    let mut s = directives(job, options, log_dir);
    s.push_str("set -euo pipefail\n");
    s.push_str(&format!(
        "{} merge {folders} --out {} --quiet\n",
        quote(&program.display().to_string()),
        quote(&out.display().to_string())
    ));
    s
}

/// The array script of one wave of a calibration: task `$SLURM_ARRAY_TASK_ID` runs each of
/// its shards with `calibrate` (`program` and `arguments`, then `--shard k/n --out
/// <state>`), which evaluates the shard's points of the first wave not yet complete in the
/// shared `state` folder (a shard already done returns at once). The same script serves
/// every wave.
pub fn calibration_array_script(
    program: &Path,
    arguments: &[String],
    options: &SlurmOptions,
    state: &Path,
    log_dir: &Path,
    name: &str,
) -> String {
    let (n, tasks) = (options.shards, tasks(options.shards, options.max_array));
    let array = format!("0-{}", tasks - 1);
    let (mut s, command) =
        array_header(&format!("{name}-calibrate"), program, arguments, options, log_dir, &array);
    s.push_str(&format!(
        "for ((k = SLURM_ARRAY_TASK_ID + 1; k <= {n}; k += {tasks})); do\n  {} --shard \"$k/{n}\" --out {} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet\ndone\n",
        command,
        quote(&state.display().to_string())
    ));
    s
}

/// The merge script of a calibration's wave: `merge <state> --out <out>` joins the wave's
/// shards, and after the last wave writes the calibration into `out`.
pub fn calibration_merge_script(
    program: &Path,
    options: &SlurmOptions,
    state: &Path,
    log_dir: &Path,
    out: &Path,
    name: &str,
) -> String {
    let folder = quote(&state.display().to_string());
    merge_job(program, options, &folder, log_dir, out, &format!("{name}-merge"))
}

/// The `--array` list of the tasks that still have an unfinished shard, compressed into
/// ranges (`0-3,7`); empty when every shard finished.
pub fn unfinished_tasks(shards_dir: &Path, shards: usize, max_array: usize) -> String {
    let tasks = tasks(shards, max_array);
    let finished =
        |k: usize| sweep_folder(&shards_dir.join(k.to_string())).is_ok_and(|f| f.join(SHARD_DONE).is_file());
    let todo: Vec<usize> =
        (0..tasks).filter(|t| (t + 1..=shards).step_by(tasks).any(|k| !finished(k))).collect();
    let mut ranges: Vec<String> = Vec::new();
    let mut i = 0;
    while i < todo.len() {
        let mut j = i;
        while j + 1 < todo.len() && todo[j + 1] == todo[j] + 1 {
            j += 1;
        }
        ranges.push(if i == j { todo[i].to_string() } else { format!("{}-{}", todo[i], todo[j]) });
        i = j + 1;
    }
    ranges.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_points_between_them_exactly_once() {
        let shards: Vec<Shard> = (1..=3).map(|k| Shard::parse(&format!("{k}/3")).unwrap()).collect();
        for p in 0..20 {
            assert_eq!(shards.iter().filter(|s| s.holds(p)).count(), 1);
        }
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(Shard::parse(bad).unwrap_err().contains("k/n"), "{bad}");
        }
        let (rest, shard) = split_manifest("version = \"1\"\nshard = \"2/3\"\npoints = 9\n").unwrap();
        assert_eq!((rest.as_str(), shard), ("version = \"1\"\npoints = 9\n", Some(shards[1])));
    }

    #[test]
    fn arrays_stay_under_the_site_limit_and_resubmissions_list_only_unfinished_tasks() {
        assert_eq!(tasks(5000, 1000), 1000);
        assert_eq!(tasks(7, 1000), 7);
        let dir = tempfile::tempdir().unwrap();
        for k in [1usize, 2, 4] {
            let f = dir.path().join(k.to_string()).join("sweeps/x");
            fs::create_dir_all(&f).unwrap();
            fs::write(f.join("sweep.toml"), "").unwrap();
            fs::write(f.join(SHARD_DONE), "").unwrap();
        }
        assert_eq!(unfinished_tasks(dir.path(), 6, 1000), "2,4-5");
        // Three tasks for six shards: task 0 runs 1 and 4, task 1 runs 2 and 5, task 2 runs 3 and 6.
        assert_eq!(unfinished_tasks(dir.path(), 6, 3), "1-2");
        assert_eq!(quote("a b'c"), "'a b'\\''c'");
    }
}
