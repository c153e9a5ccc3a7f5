//! `calibrate`: history matching of a scenario's free parameters to observed targets.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{RunArgs, load, progress_bar, run_info, thread_pool};
use livelihoods::calibration::waves::{self, Logs};
use livelihoods::calibration::{self, Settings, files};
use livelihoods::output;
use livelihoods::scaleout::{self, Shard};
use livelihoods::scenario::{Origin, Problem, Problems};
use livelihoods::uncertainty::{Distribution, Uncertain, declared};

/// How a calibration runs.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct CalibrateArgs {
    /// The targets (TOML: [[target]] tables with statistic, value, sd or interval,
    /// discrepancy_sd and source).
    #[arg(long)]
    targets: PathBuf,
    /// Free parameter with its prior range, uniform (repeatable): `--free
    /// labour.access_sigma=0.3:0.6`. Without any, the parameters the scenario declares in
    /// [uncertainty], with their distributions.
    #[arg(long = "free", value_name = "SECTION.KEY=LOW:HIGH")]
    free: Vec<String>,
    /// Waves of history matching.
    #[arg(long, default_value_t = 4)]
    waves: usize,
    /// Points (parameter sets) per wave, each run with the scenario's replications.
    #[arg(long, default_value_t = 200)]
    points: usize,
    /// Largest implausibility of a non-implausible point.
    #[arg(long, default_value_t = 3.0)]
    cutoff: f64,
    /// Evaluate only shard k of n (the points p with p mod n = k - 1) of the first wave that
    /// is not complete in --out, then stop; `merge` of --out joins the wave's shards (and,
    /// after the last wave, writes the calibration).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

/// The free parameters named on the command line, or none.
fn free_parameters(given: &[String]) -> Result<Vec<Uncertain>, Problems> {
    let mut problems = Vec::new();
    let mut out: Vec<Uncertain> = Vec::new();
    for text in given {
        let parsed = (|| -> Result<Uncertain, String> {
            let (key, range) = text.split_once('=').ok_or("is not SECTION.KEY=LOW:HIGH")?;
            let doc = declared(key.trim())?;
            if doc.ty != "f64" {
                return Err(format!("{key}: a whole-number parameter cannot be calibrated continuously"));
            }
            let (low, high) = range.split_once(':').ok_or("the range is not LOW:HIGH")?;
            let number = |t: &str| t.trim().parse::<f64>().map_err(|_| format!("\"{t}\" is not a number"));
            let (low, high) = (number(low)?, number(high)?);
            if !(low.is_finite() && high.is_finite()) {
                return Err(format!("{key}: the range must be finite"));
            }
            if low >= high || low < doc.min || high > doc.max {
                return Err(format!(
                    "{key}: the range must have low < high inside {}..={}",
                    doc.min, doc.max
                ));
            }
            Ok(Uncertain {
                key: key.trim().to_string(),
                distribution: Distribution::Uniform { low, high },
                source: "prior range given on the command line".into(),
            })
        })();
        match parsed {
            Ok(u) if out.iter().any(|x| x.key == u.key) => {
                problems.push(Problem::new(
                    Origin::command_line(),
                    "--free",
                    format!("{} is given twice", u.key),
                ));
            }
            Ok(u) => out.push(u),
            Err(m) => problems.push(Problem::new(Origin::command_line(), "--free", format!("{text}: {m}"))),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(Problems(problems)) }
}

/// A calibration command, loaded and checked.
struct Setup {
    scenario: livelihoods::scenario::Scenario,
    targets: Vec<calibration::Target>,
    free: Vec<Uncertain>,
    settings: Settings,
    shard: Option<Shard>,
}

/// Load and check the scenario, targets, free parameters and settings: every problem at once.
fn setup(run: &RunArgs, args: &CalibrateArgs) -> Result<Setup> {
    let mut more: Vec<Problem> = super::scale::best_cpu_only(run).into_iter().collect();
    if run.files.len() != 1 {
        let message = format!("takes one scenario file, got {}", run.files.len());
        more.push(Problem::new(Origin::command_line(), "calibrate", message));
    }
    for (flag, ok) in
        [("--waves", args.waves >= 1), ("--points", args.points >= 2), ("--cutoff", args.cutoff > 0.0)]
    {
        if !ok {
            more.push(Problem::new(
                Origin::command_line(),
                flag,
                "must be at least 1 (points: 2; cutoff: above 0)",
            ));
        }
    }
    let shard = args.shard.as_deref().map(Shard::parse).transpose();
    if let Err(m) = &shard {
        more.push(Problem::new(Origin::command_line(), "--shard", m));
    }
    let targets = livelihoods::calibration::targets::load(&args.targets);
    let free = free_parameters(&args.free);
    if let Err(p) = &targets {
        more.extend(p.0.iter().cloned());
    }
    if let Err(p) = &free {
        more.extend(p.0.iter().cloned());
    }
    let mut scenarios = load(&run.files[..1], &run.overrides(), run.threads, more)?;
    let (targets, free) = (targets?, free?);
    let scenario = scenarios.remove(0);
    let free = if free.is_empty() { scenario.uncertain.clone() } else { free };
    if free.is_empty() {
        let message = "no free parameter: give --free SECTION.KEY=LOW:HIGH or declare [uncertainty]";
        return Err(Problems(vec![Problem::new(Origin::file(&scenario.path), "uncertainty", message)]).into());
    }
    let settings =
        Settings { waves: args.waves, points: args.points, cutoff: args.cutoff, seed: scenario.seed };
    Ok(Setup { scenario, targets, free, settings, shard: shard.unwrap_or(None) })
}

/// The calibration's command in a canonical form (absolute paths, every option that changes
/// the results, in a fixed order): what the manifest records and what a merge runs.
fn canonical_arguments(run: &RunArgs, args: &CalibrateArgs) -> Result<Vec<String>> {
    let mut a = vec!["calibrate".to_string(), super::scale::absolute(&run.files[0])?];
    a.extend(["--targets".to_string(), super::scale::absolute(&args.targets)?]);
    for f in &args.free {
        a.extend(["--free".to_string(), f.clone()]);
    }
    for (flag, value) in [
        ("--waves", args.waves.to_string()),
        ("--points", args.points.to_string()),
        ("--cutoff", args.cutoff.to_string()),
    ] {
        a.extend([flag.to_string(), value]);
    }
    a.extend(super::scale::override_arguments(run));
    Ok(a)
}

/// The manifest of a calibration (`calibration.toml`): what it ran, and its log folder.
fn manifest(setup: &Setup, targets_file: &Path, log: &str, arguments: &[String]) -> String {
    let hashed = |p: &Path| {
        let hash = fs::read(p).map(|b| livelihoods::scenario::sha256_hex(&b)).unwrap_or_default();
        format!("{} {hash}", fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).display())
    };
    let s = &setup.scenario;
    format!(
        "version = \"{}\"\nscenario = \"{}\"\nfiles = {:?}\ntargets = {:?}\nfree = {:?}\nwaves = {}\npoints = {}\ncutoff = {}\nseed = {}\noverrides = {:?}\nlog = \"{log}\"\narguments = {:?}\n",
        env!("CARGO_PKG_VERSION"),
        s.name,
        s.file_hashes.iter().map(|(p, _)| hashed(p)).collect::<Vec<_>>(),
        hashed(targets_file),
        setup.free.iter().map(|u| format!("{} {:?}", u.key, u.distribution)).collect::<Vec<_>>(),
        setup.settings.waves,
        setup.settings.points,
        setup.settings.cutoff,
        setup.settings.seed,
        s.overrides.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>(),
        arguments,
    )
}

/// The log folder of the calibration under `out` (`<out>/.resume/calibration-<key>/`),
/// created, with its manifest; and the manifest.
fn log_folder(run: &RunArgs, args: &CalibrateArgs, setup: &Setup) -> Result<(Logs, String)> {
    let name = waves::folder_name(&setup.scenario, &setup.free, &setup.targets, setup.settings);
    let logs = Logs { dir: run.out.join(".resume").join(&name) };
    let manifest = manifest(setup, &args.targets, &name, &canonical_arguments(run, args)?);
    fs::create_dir_all(&logs.dir).with_context(|| format!("creating {}", logs.dir.display()))?;
    let path = logs.dir.join(MANIFEST);
    if !path.is_file() {
        output::write_file_atomically(&path, manifest.as_bytes())?;
    }
    Ok((logs, manifest))
}

/// The manifest's name, in the published folder and in the log folder.
const MANIFEST: &str = "calibration.toml";

/// `calibrate FILE --targets T`: the waves (resuming from their logs), then the files in
/// <out>/calibrations/<name>/; with `--shard k/n`, only the shard's points of the first
/// incomplete wave.
pub(crate) fn calibrate(run: &RunArgs, args: &CalibrateArgs) -> Result<()> {
    let setup = setup(run, args)?;
    let (logs, manifest) = log_folder(run, args, &setup)?;
    let info = run_info(run.threads, livelihoods::cpu::Cpu::best());
    let pool = thread_pool(info.threads)?;
    if let Some(shard) = setup.shard {
        return calibrate_shard(run, &setup, &logs, shard, &pool);
    }
    let bar = progress_bar((args.waves * args.points) as u64, "points", run.quiet);
    let done = AtomicU64::new(0);
    let clock = Instant::now();
    let history = pool.install(|| {
        waves::run(&setup.scenario, &setup.free, &setup.targets, setup.settings, &logs, &|| {
            bar.set_position(done.fetch_add(1, Ordering::Relaxed) + 1);
        })
    });
    let history =
        history.with_context(|| format!("logging the calibration's points in {}", logs.dir.display()))?;
    bar.finish_and_clear();
    let seconds = clock.elapsed().as_secs_f64();
    let dir = publish(run, args, &setup, &history, &manifest)?;
    // The calibration is published: its logs have done their work.
    let _ = fs::remove_dir_all(&logs.dir);
    let _ = fs::remove_dir(run.out.join(".resume"));
    let (scenario, free, targets) = (&setup.scenario, &setup.free, &setup.targets);
    let sample = history.non_implausible();
    let constraints = files::constraints(&sample, free);
    if !run.quiet {
        let runs = history.runs(scenario.replications);
        print_summary(&dir, &history, free, targets, &constraints, seconds, runs);
    }
    if sample.is_empty() {
        anyhow::bail!(
            "no parameter set is non-implausible after wave {}: the targets cannot all be met within their \
             uncertainty and the discrepancy allowed (see {}: fit.csv shows the closest point)",
            history.waves.len(),
            dir.display()
        );
    }
    Ok(())
}

/// Write the calibration's files into <out>/calibrations/<name>/, whole or not at all.
fn publish(
    run: &RunArgs,
    args: &CalibrateArgs,
    setup: &Setup,
    history: &calibration::History,
    manifest: &str,
) -> Result<std::path::PathBuf> {
    let (scenario, free, targets) = (&setup.scenario, &setup.free, &setup.targets);
    let sample = history.non_implausible();
    let best = history.best().context("a calibration evaluates at least one point")?;
    let constraints = files::constraints(&sample, free);
    // Absolute paths: the file is read from elsewhere, and a merge runs with absolute paths.
    let base = fs::canonicalize(&scenario.path).unwrap_or_else(|_| scenario.path.clone());
    let targets_file = fs::canonicalize(&args.targets).unwrap_or_else(|_| args.targets.clone());
    let mut written = vec![
        (MANIFEST, manifest.to_string()),
        ("waves.csv", files::waves_csv(history, free, targets)),
        ("fit.csv", files::fit_csv(best, targets)),
        ("non_implausible.csv", files::sample_csv(&sample, free)),
    ];
    if !sample.is_empty() {
        written.push(("parameters.csv", files::parameters_csv(free, &constraints, best)));
        let toml = files::calibrated_toml(
            &scenario.name,
            &base,
            &targets_file,
            free,
            targets,
            history,
            best,
            &constraints,
        );
        written.push(("calibrated.toml", toml));
    }
    fs::create_dir_all(run.out.join("calibrations"))
        .with_context(|| format!("creating {}", run.out.display()))?;
    output::write_atomically(&run.out.join("calibrations"), &scenario.name, |dir| {
        for (name, text) in &written {
            fs::write(dir.join(name), text)?;
        }
        write_sample_parquet(&dir.join("non_implausible.parquet"), &sample, free)?;
        livelihoods::report::write_calibration_report(dir, &scenario.name, args.cutoff)
    })
    .with_context(|| format!("writing the calibration under {}", run.out.display()))
}

/// `calibrate --shard k/n`: the shard's points of the first incomplete wave, logged, then
/// the file that says the shard finished (with its host and time).
fn calibrate_shard(
    run: &RunArgs,
    setup: &Setup,
    logs: &Logs,
    shard: Shard,
    pool: &rayon::ThreadPool,
) -> Result<()> {
    let clock = Instant::now();
    let done = pool.install(|| {
        waves::run_shard(&setup.scenario, &setup.free, &setup.targets, setup.settings, logs, shard, &|| {})
    });
    let done = done.with_context(|| format!("logging the shard's points in {}", logs.dir.display()))?;
    let out = run.out.display();
    let Some((wave, points)) = done else {
        if !run.quiet {
            println!(
                "every wave of the calibration of {} is evaluated: `merge {out} --out DIR` writes it",
                setup.scenario.name
            );
        }
        return Ok(());
    };
    let text = format!("wave = {}\n{}", wave + 1, scaleout::shard_done(shard, points));
    output::write_file_atomically(&logs.shard_done(wave, shard), text.as_bytes())?;
    if !run.quiet {
        println!(
            "shard {shard} of wave {} of {} of the calibration of {}: {points} points in {:.1} s -> {}\n  \
             when every shard of the wave has finished, `merge {out} --out DIR` joins them; the same shard commands then run the next wave",
            wave + 1,
            setup.settings.waves,
            setup.scenario.name,
            clock.elapsed().as_secs_f64(),
            logs.dir.display()
        );
    }
    Ok(())
}

/// Whether `dir` holds a calibration's logs: it is a log folder, or its `.resume/` holds one.
pub(crate) fn holds_logs(dir: &Path) -> bool {
    log_folders(dir).is_ok_and(|f| !f.is_empty())
}

/// The calibration log folders `dir` is or holds.
fn log_folders(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if dir.join(MANIFEST).is_file()
        && dir.file_name().is_some_and(|n| n.to_string_lossy().starts_with("calibration-"))
    {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut found: Vec<std::path::PathBuf> = fs::read_dir(dir.join(".resume"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.join(MANIFEST).is_file()
                && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("calibration-"))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// A problem of a `merge` command.
fn merge_problem(message: String) -> anyhow::Error {
    Problems(vec![Problem::new(Origin::command_line(), "merge", message)]).into()
}

/// The one calibration log folder that `dirs` (one folder) is or holds.
fn state_folder(dirs: &[std::path::PathBuf]) -> Result<std::path::PathBuf> {
    if dirs.len() != 1 {
        return Err(merge_problem(format!(
            "a calibration's shards share one folder (their --out); give only it, not {} folders",
            dirs.len()
        )));
    }
    let dir = &dirs[0];
    match log_folders(dir).unwrap_or_default().as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(merge_problem(format!("{}: holds no calibration's logs", dir.display()))),
        many => {
            let names: Vec<String> = many.iter().map(|f| f.display().to_string()).collect();
            Err(merge_problem(format!(
                "{} holds the logs of more than one calibration: {}; merge one of these folders",
                dir.display(),
                names.join(", ")
            )))
        }
    }
}

/// The command recorded in the log folder `state`, to run into `out`.
fn recorded_command(state: &Path, out: &Path, quiet: bool) -> Result<(RunArgs, CalibrateArgs)> {
    let path = state.join(MANIFEST);
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut argv = vec!["livelihoods".to_string()];
    argv.extend(super::scale::recorded_arguments(&text)?);
    argv.extend(["--out".to_string(), out.display().to_string()]);
    if quiet {
        argv.push("--quiet".into());
    }
    let args =
        <super::Args as clap::Parser>::try_parse_from(&argv).context("the shards' recorded command")?;
    match args.command {
        super::Command::Calibrate { run, calibrate } => Ok((run, calibrate)),
        _ => Err(merge_problem(format!("{}: records another command than calibrate", path.display()))),
    }
}

/// Join the shards of the first incomplete wave in `logs`, if any; whether waves are left to
/// run after it (said, unless `quiet`).
fn join_wave(logs: &Logs, setup: &Setup, shared: &Path, quiet: bool) -> Result<bool> {
    let (free, targets, settings) = (&setup.free, &setup.targets, setup.settings);
    let Some((wave, units)) = waves::standing(logs, free, targets, settings)?.next else { return Ok(false) };
    waves::join(logs, wave, &units, free, targets).map_err(|problems| {
        Problems(problems.iter().map(|p| Problem::new(Origin::command_line(), "merge", p)).collect())
    })?;
    let after = waves::standing(logs, free, targets, settings)?;
    if after.next.is_none() {
        return Ok(false);
    }
    if !quiet {
        let joined = &after.history.waves[wave];
        let kept = joined.iter().filter(|e| e.largest() <= settings.cutoff).count();
        println!(
            "wave {} of {} joined: {kept} of {} points non-implausible; run the shards of wave {} (the same \
             calibrate … --shard k/n --out {} commands), then merge again",
            wave + 1,
            settings.waves,
            joined.len(),
            wave + 2,
            shared.display()
        );
    }
    Ok(true)
}

/// The wave logs of `from` copied into `to` (unless they are one folder).
fn copy_wave_logs(from: &Logs, to: &Logs, waves: usize) -> Result<()> {
    if fs::canonicalize(&from.dir).ok() == fs::canonicalize(&to.dir).ok() {
        return Ok(());
    }
    fs::create_dir_all(&to.dir).with_context(|| format!("creating {}", to.dir.display()))?;
    for wave in (0..waves).filter(|w| from.wave(*w).is_file()) {
        output::write_file_atomically(&to.wave(wave), &fs::read(from.wave(wave))?)?;
    }
    Ok(())
}

/// `merge DIR` of a calibration's shards: join the shards of the first incomplete wave; once
/// every wave is joined, write the calibration into <out>/calibrations/<name>/ with the
/// recorded command, the same files as a one-machine run.
pub(crate) fn merge(dirs: &[std::path::PathBuf], out: &Path, quiet: bool) -> Result<()> {
    let state = state_folder(dirs)?;
    let (run, args) = recorded_command(&state, out, quiet)?;
    let setup = setup(&run, &args)?;
    let name = waves::folder_name(&setup.scenario, &setup.free, &setup.targets, setup.settings);
    if state.file_name().is_none_or(|n| n.to_string_lossy() != name) {
        return Err(merge_problem(format!(
            "{}: its recorded command now gives another calibration (a scenario or targets file changed since its shards ran)",
            state.display()
        )));
    }
    let logs = Logs { dir: state };
    if join_wave(&logs, &setup, &dirs[0], quiet)? {
        return Ok(());
    }
    // Every wave is joined: the recorded command, run into <out>, finds them in its logs.
    let dest = Logs { dir: run.out.join(".resume").join(&name) };
    copy_wave_logs(&logs, &dest, setup.settings.waves)?;
    calibrate(&run, &args)
}

fn write_sample_parquet(
    path: &Path,
    sample: &[&calibration::Evaluation],
    free: &[Uncertain],
) -> std::io::Result<()> {
    use livelihoods::columnar::{Column, write};
    let mut columns = vec![("draw".to_string(), Column::Int64((0..sample.len() as i64).collect()))];
    for (p, u) in free.iter().enumerate() {
        columns.push((u.key.clone(), Column::Double(sample.iter().map(|e| e.values[p]).collect())));
    }
    write(path, &columns, &[("livelihoods.calibration", "non-implausible sample".to_string())])
}

fn print_summary(
    dir: &Path,
    history: &calibration::History,
    free: &[Uncertain],
    targets: &[calibration::Target],
    constraints: &[files::Constraint],
    seconds: f64,
    runs: usize,
) {
    println!("calibration -> {} ({runs} model runs in {seconds:.1} s)", dir.display());
    for (w, wave) in history.waves.iter().enumerate() {
        let kept = wave.iter().filter(|e| e.largest() <= history.settings.cutoff).count();
        println!("  wave {}: {kept} of {} points non-implausible", w + 1, wave.len());
    }
    if let Some(best) = history.best() {
        println!("  fit at the calibrated point:");
        for (t, ((m, se), i)) in targets.iter().zip(best.outputs.iter().zip(&best.implausibility)) {
            println!(
                "    {}: model {m:.4} ± {se:.4}, target {} ± {:.4}; implausibility {i:.2}",
                t.name, t.value, t.sd
            );
        }
    }
    for (u, c) in free.iter().zip(constraints) {
        println!(
            "  {}: {} (non-implausible {:.4} to {:.4} of prior {} to {})",
            u.key,
            c.verdict(),
            c.range.0,
            c.range.1,
            c.prior.0,
            c.prior.1
        );
    }
}

/// `slurm-calibrate`: the array and merge scripts of a calibration's waves, the shards of
/// every wave sharing `<out>/slurm/calibrations/<name>/state/`; the sbatch commands that
/// chain the waves not yet complete (an array job, then its merge job, then the next wave's
/// array job, …, each after the one before succeeded) are printed, or submitted.
pub(crate) fn slurm(run: &RunArgs, args: &CalibrateArgs, slurm: &super::scale::SlurmArgs) -> Result<()> {
    let flag = |flag: &str, message: &str| {
        anyhow::Error::from(Problems(vec![Problem::new(Origin::command_line(), flag, message)]))
    };
    if slurm.tasks == 0 {
        return Err(flag("--tasks", "must be at least 1"));
    }
    if args.shard.is_some() {
        return Err(flag("--shard", "is given to each task by the array script; leave it out"));
    }
    let setup = setup(run, args)?;
    fs::create_dir_all(&run.out).with_context(|| format!("creating {}", run.out.display()))?;
    let out = fs::canonicalize(&run.out)?;
    let base = out.join("slurm").join("calibrations").join(&setup.scenario.name);
    let (state, log_dir) = (base.join("state"), base.join("logs"));
    fs::create_dir_all(&log_dir)?;
    let name = waves::folder_name(&setup.scenario, &setup.free, &setup.targets, setup.settings);
    let logs = Logs { dir: state.join(".resume").join(&name) };
    let left = match waves::standing(&logs, &setup.free, &setup.targets, setup.settings)?.next {
        Some((wave, _)) => setup.settings.waves - wave,
        None => 0,
    };
    let program = std::env::current_exe().context("finding the livelihoods program")?;
    let options = slurm.options();
    let arguments = canonical_arguments(run, args)?;
    let (array_path, merge_path) = (base.join("array.sbatch"), base.join("merge.sbatch"));
    let text = scaleout::calibration_array_script(
        &program,
        &arguments,
        &options,
        &state,
        &log_dir,
        &setup.scenario.name,
    );
    output::write_file_atomically(&array_path, text.as_bytes())?;
    let text =
        scaleout::calibration_merge_script(&program, &options, &state, &log_dir, &out, &setup.scenario.name);
    output::write_file_atomically(&merge_path, text.as_bytes())?;
    // Per wave left an array job and its merge; with every wave evaluated, one merge writes.
    let mut chain: Vec<&Path> = Vec::new();
    for _ in 0..left {
        chain.extend([array_path.as_path(), merge_path.as_path()]);
    }
    if chain.is_empty() {
        chain.push(&merge_path);
    }
    if !slurm.submit {
        let mut dependency = String::new();
        for script in &chain {
            println!(
                "jid=$(sbatch --parsable{dependency} {})",
                scaleout::quote(&script.display().to_string())
            );
            dependency = " --dependency=afterok:$jid".into();
        }
        return Ok(());
    }
    submit_chain(&chain, &array_path, slurm, &setup, &log_dir, run.quiet)
}

/// Submit `chain`, each job after the one before succeeded; with `--wait`, wait for each and
/// report the shards of a failed array task (the jobs after it are cancelled).
fn submit_chain(
    chain: &[&Path],
    array_path: &Path,
    slurm: &super::scale::SlurmArgs,
    setup: &Setup,
    log_dir: &Path,
    quiet: bool,
) -> Result<()> {
    use super::scale::{sbatch, wait_for};
    let mut jobs: Vec<String> = Vec::new();
    for script in chain {
        let mut a = vec!["--parsable".to_string()];
        if let Some(before) = jobs.last() {
            a.push(format!("--dependency=afterok:{before}"));
        }
        a.push(script.display().to_string());
        jobs.push(sbatch(&a.iter().map(String::as_str).collect::<Vec<_>>())?);
    }
    if !quiet {
        println!("submitted: jobs {} (each after the one before succeeded)", jobs.join(", "));
    }
    if !slurm.wait {
        return Ok(());
    }
    for (i, (job, script)) in jobs.iter().zip(chain).enumerate() {
        let failed: Vec<(usize, String)> =
            wait_for(job)?.into_iter().filter(|(_, state)| state != "COMPLETED").collect();
        if failed.is_empty() {
            continue;
        }
        for later in &jobs[i + 1..] {
            let _ = std::process::Command::new("scancel").arg(later).status();
        }
        let what = if *script == array_path {
            let tasks = scaleout::tasks(slurm.tasks, slurm.max_array);
            let lines: Vec<String> = failed
                .iter()
                .map(|(task, state)| {
                    let shards: Vec<String> = (task + 1..=slurm.tasks)
                        .step_by(tasks)
                        .map(|k| format!("{k}/{}", slurm.tasks))
                        .collect();
                    format!("  task {task} ({state}): shard {}", shards.join(", "))
                })
                .collect();
            format!("tasks of array job {job} failed:\n{}", lines.join("\n"))
        } else {
            format!("merge job {job} ended {:?}", failed)
        };
        bail!(
            "the calibration of {} stopped: {what}\nlogs in {}; the same command submits the waves left, each shard resuming",
            setup.scenario.name,
            log_dir.display()
        );
    }
    if !quiet {
        println!("every wave ran and the last merge job wrote the calibration");
    }
    Ok(())
}
