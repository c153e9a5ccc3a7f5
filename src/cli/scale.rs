//! The commands that run a sweep, in one go or in shards, merge shards, and write (and
//! submit) the Slurm jobs that run the shards on a cluster.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{CompareOptions, RunArgs, load, progress_bar, run_info, thread_pool};
use livelihoods::output;
use livelihoods::scaleout::{self, Shard, SlurmOptions};
use livelihoods::scenario::{Origin, Problem, Problems, Scenario};
use livelihoods::sweep;

/// The options of a sweep besides the scenario's.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct SweepArgs {
    /// `grid`, `lhs`, `morris`, `sobol`, or a SALib sample file (one row per point, one
    /// column per uncertain parameter in key order).
    #[arg(long, default_value = "lhs")]
    design: String,
    /// Points (lhs), trajectories (morris) or the base sample size N (sobol: N (2k + 2)
    /// points).
    #[arg(long, default_value_t = 32)]
    points: usize,
    /// Levels per parameter (grid, morris).
    #[arg(long, default_value_t = 4)]
    levels: usize,
    /// Rupiah per US dollar for costs in dollars.
    #[arg(long, default_value_t = livelihoods::compare::DEFAULT_IDR_PER_USD)]
    idr_per_usd: f64,
    /// Discount rate a year for benefit/cost.
    #[arg(long, default_value_t = livelihoods::compare::DEFAULT_DISCOUNT_RATE)]
    discount_rate: f64,
}

impl SweepArgs {
    fn design(&self) -> sweep::Design {
        match self.design.as_str() {
            "grid" => sweep::Design::Grid { levels: self.levels },
            "lhs" => sweep::Design::LatinHypercube { points: self.points },
            "morris" => sweep::Design::Morris { trajectories: self.points, levels: self.levels },
            "sobol" => sweep::Design::Sobol { base: self.points },
            path => sweep::Design::File(PathBuf::from(path)),
        }
    }
}

/// Where and how a Slurm job runs.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct SlurmArgs {
    /// Shards of the sweep, or of each wave of a calibration (array tasks, batched under
    /// --max-array).
    #[arg(long)]
    pub(crate) tasks: usize,
    /// The site's largest array (MaxArraySize − 1); more shards run several per task.
    #[arg(long, default_value_t = 1000)]
    pub(crate) max_array: usize,
    /// At most this many tasks at once (`--array=…%K`).
    #[arg(long)]
    pub(crate) throttle: Option<usize>,
    /// Slurm partition.
    #[arg(long)]
    pub(crate) partition: Option<String>,
    /// Time limit of a task (Slurm's format, such as 2:00:00).
    #[arg(long)]
    pub(crate) time: Option<String>,
    /// Memory of a task (such as 4G).
    #[arg(long)]
    pub(crate) mem: Option<String>,
    /// CPUs of a task (its threads).
    #[arg(long, default_value_t = 1)]
    pub(crate) cpus: usize,
    /// Submit the jobs with sbatch instead of printing the commands.
    #[arg(long)]
    pub(crate) submit: bool,
    /// With --submit: wait for the jobs and report which shards failed.
    #[arg(long)]
    pub(crate) wait: bool,
}

impl SlurmArgs {
    /// The options the scripts are written with.
    pub(crate) fn options(&self) -> SlurmOptions {
        SlurmOptions {
            shards: self.tasks,
            max_array: self.max_array,
            throttle: self.throttle,
            partition: self.partition.clone(),
            time: self.time.clone(),
            mem: self.mem.clone(),
            cpus: self.cpus.max(1),
        }
    }
}

/// The scenario of a sweep command, loaded and checked.
fn sweep_scenario(run: &RunArgs) -> Result<Scenario> {
    let mut more: Vec<Problem> = best_cpu_only(run).into_iter().collect();
    if run.files.len() != 1 {
        let message = format!("takes one scenario file, got {}", run.files.len());
        more.push(Problem::new(Origin::command_line(), "sweep", message));
    }
    let mut scenarios = load(&run.files[..1], &run.overrides(), run.threads, more)?;
    let scenario = scenarios.remove(0);
    if scenario.uncertain.is_empty() {
        let message = "declares no uncertain parameter ([uncertainty] table): nothing to sweep";
        return Err(Problems(vec![Problem::new(Origin::file(&scenario.path), "uncertainty", message)]).into());
    }
    Ok(scenario)
}

/// A problem when `--cpu` names a path: sweeps and calibrations compute on the fastest
/// path this CPU runs (every path gives the same numbers).
pub(crate) fn best_cpu_only(run: &RunArgs) -> Option<Problem> {
    (run.cpu != "best").then(|| {
        let message =
            format!("is \"{}\"; this command computes on the fastest path this CPU runs (best)", run.cpu);
        Problem::new(Origin::command_line(), "--cpu", message)
    })
}

/// `p` as an absolute path, for a recorded command that runs elsewhere.
pub(crate) fn absolute(p: &Path) -> Result<String> {
    Ok(fs::canonicalize(p).with_context(|| format!("finding {}", p.display()))?.display().to_string())
}

/// The run's overrides as arguments, in a fixed order: what a recorded command repeats.
pub(crate) fn override_arguments(run: &RunArgs) -> Vec<String> {
    let mut a = Vec::new();
    for (flag, value) in [
        ("--replications", run.replications.map(|v| v.to_string())),
        ("--households", run.households.map(|v| v.to_string())),
        ("--seasons", run.seasons.map(|v| v.to_string())),
        ("--seed", run.seed.map(|v| v.to_string())),
    ] {
        if let Some(v) = value {
            a.extend([flag.to_string(), v]);
        }
    }
    for s in &run.set {
        a.extend(["--set".to_string(), s.clone()]);
    }
    a
}

/// The sweep's command in a canonical form (absolute paths, every option that changes the
/// results, in a fixed order): what the manifest records and what a shard or a merge runs.
fn canonical_arguments(run: &RunArgs, args: &SweepArgs) -> Result<Vec<String>> {
    let design = match args.design() {
        sweep::Design::File(p) => absolute(&p)?,
        _ => args.design.clone(),
    };
    let mut a = vec!["sweep".to_string(), absolute(&run.files[0])?, "--design".into(), design];
    for (flag, value) in [
        ("--points", Some(args.points.to_string())),
        ("--levels", Some(args.levels.to_string())),
        ("--idr-per-usd", Some(args.idr_per_usd.to_string())),
        ("--discount-rate", Some(args.discount_rate.to_string())),
    ] {
        if let Some(v) = value {
            a.extend([flag.to_string(), v]);
        }
    }
    a.extend(override_arguments(run));
    Ok(a)
}

/// The manifest of a sweep (`sweep.toml`): what the folder holds.
fn manifest(scenario: &Scenario, design: &sweep::Design, points: usize, arguments: &[String]) -> String {
    let hashes: Vec<String> = scenario
        .file_hashes
        .iter()
        .map(|(p, h)| format!("{} {h}", fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display()))
        .collect();
    format!(
        "version = \"{}\"\nscenario = \"{}\"\nfiles = {:?}\ndesign = \"{}\"\npoints = {}\noverrides = {:?}\nparameters = {:?}\narguments = {:?}\n",
        env!("CARGO_PKG_VERSION"),
        scenario.name,
        hashes,
        design.describe(),
        points,
        scenario.overrides.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>(),
        scenario.uncertain.iter().map(|u| format!("{} {:?}", u.key, u.distribution)).collect::<Vec<_>>(),
        arguments,
    )
}

/// `sweep`: the scenario at every point of the design (or of one shard), resumable.
pub(crate) fn sweep(run: &RunArgs, args: &SweepArgs, shard: Option<&str>) -> Result<()> {
    let shard = shard
        .map(Shard::parse)
        .transpose()
        .map_err(|m| Problems(vec![Problem::new(Origin::command_line(), "--shard", m)]))?;
    let scenario = sweep_scenario(run)?;
    let design = args.design();
    let uncertain = &scenario.uncertain;
    let (points, moves) = sweep::points(&design, uncertain, scenario.seed)
        .map_err(|m| Problems(vec![Problem::new(Origin::command_line(), "--design", m)]))?;
    let info = run_info(run.threads, livelihoods::cpu::Cpu::best());
    let dir = run.out.join("sweeps").join(&scenario.name);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // The manifest says what the folder holds; another command, scenario or shard is refused.
    let mut manifest = manifest(&scenario, &design, points.len(), &canonical_arguments(run, args)?);
    let whole = manifest.clone();
    if let Some(s) = shard {
        manifest.push_str(&s.manifest_line());
    }
    let manifest_path = dir.join("sweep.toml");
    match fs::read_to_string(&manifest_path) {
        Ok(old) if old != manifest => {
            let message = format!(
                "{} holds a sweep of another command, scenario or shard (see its sweep.toml); use another --out or remove it",
                dir.display()
            );
            return Err(Problems(vec![Problem::new(Origin::command_line(), "--out", message)]).into());
        }
        Ok(_) => {}
        Err(_) => output::write_file_atomically(&manifest_path, manifest.as_bytes())?,
    }
    let log = dir.join("results.log");
    let mine = (0..points.len()).filter(|p| shard.is_none_or(|s| s.holds(*p))).count();
    let already = sweep::logged(&log, points.len(), shard)?;
    let bar = progress_bar((mine - already) as u64, "points", run.quiet);
    let done = AtomicU64::new(0);
    let clock = Instant::now();
    let pool = thread_pool(info.threads)?;
    let money = (args.idr_per_usd, args.discount_rate);
    let results = pool.install(|| {
        sweep::run(&scenario, uncertain, &points, shard, &log, info.threads, money, &|| {
            bar.set_position(done.fetch_add(1, Ordering::Relaxed) + 1);
        })
    })?;
    bar.finish_and_clear();
    let seconds = clock.elapsed().as_secs_f64();
    if let Some(s) = shard {
        output::write_file_atomically(
            &dir.join(scaleout::SHARD_DONE),
            scaleout::shard_done(s, mine).as_bytes(),
        )?;
        if !run.quiet {
            println!(
                "shard {s} of the sweep of {}: {mine} of {} points in {seconds:.1} s -> {}",
                scenario.name,
                points.len(),
                dir.display()
            );
        }
        return Ok(());
    }
    let results: Vec<sweep::PointResult> =
        results.into_iter().collect::<Option<_>>().context("a point of the sweep has no result")?;
    finish(&dir, &scenario, &design, &points, &moves, &results, &whole)?;
    if !run.quiet {
        let simulated = scenario.simulated_household_seasons() * 2 * (mine - already) as u64;
        println!(
            "sweep of {}: {} points ({}) in {seconds:.1} s -> {}",
            scenario.name,
            points.len(),
            design.describe(),
            dir.display()
        );
        println!("  at most {simulated} household-seasons (programme and its own world)");
    }
    Ok(())
}

/// The files of a finished sweep: results (CSV, Parquet), SALib files, sensitivity, the page.
fn finish(
    dir: &Path,
    scenario: &Scenario,
    design: &sweep::Design,
    points: &[Vec<f64>],
    moves: &sweep::Moves,
    results: &[sweep::PointResult],
    manifest: &str,
) -> Result<()> {
    let uncertain = &scenario.uncertain;
    let mut files = vec![
        ("results.csv", sweep::results_csv(uncertain, points, results)),
        ("salib_sample.txt", sweep::salib_sample(points)),
        ("salib_problem.json", sweep::salib_problem(uncertain)),
    ];
    files.extend(sweep::sensitivity_files(
        &scenario.name,
        design,
        uncertain,
        points,
        results,
        moves,
        scenario.seed,
    )?);
    let parameters = livelihoods::uncertainty::draws::parameter_rows(uncertain);
    files.push(("parameters.csv", livelihoods::trial::tables::to_csv(&parameters)?));
    for (name, text) in &files {
        output::write_file_atomically(&dir.join(name), text.as_bytes())?;
    }
    sweep::results_parquet(&dir.join("results.parquet"), uncertain, points, results, manifest)?;
    let page = livelihoods::report::SweepInfo {
        scenario: scenario.name.clone(),
        design: design.describe(),
        replications: scenario.replications,
        households: scenario.params.population.households,
        seasons: scenario.seasons,
    };
    livelihoods::report::write_sweep_report(dir, &page)
        .with_context(|| format!("writing the sweep's report in {}", dir.display()))
}

/// The `arguments` a sweep's manifest records.
pub(crate) fn recorded_arguments(manifest: &str) -> Result<Vec<String>> {
    let table: toml::Table = manifest.parse().context("reading the shards' sweep.toml")?;
    let arguments =
        table.get("arguments").and_then(|a| a.as_array()).context("sweep.toml records no arguments")?;
    arguments.iter().map(|a| a.as_str().map(String::from).context("an argument that is not text")).collect()
}

/// `merge`: the shards' logs into one sweep folder, then the sweep's own command there.
pub(crate) fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> Result<()> {
    if dirs.iter().any(|d| d.join(COMPARE_SHARD).is_file()) {
        return merge_compare(dirs, out, quiet);
    }
    if dirs.iter().any(|d| super::calibrate::holds_logs(d)) {
        return super::calibrate::merge(dirs, out, quiet);
    }
    let first = scaleout::sweep_folder(&dirs[0])
        .map_err(|m| Problems(vec![Problem::new(Origin::command_line(), "merge", m)]))?;
    let name = first.file_name().context("a sweep folder has a name")?.to_owned();
    let dest = out.join("sweeps").join(&name);
    if dest.join("sweep.toml").exists() {
        bail!("{} already holds a sweep; merge into another --out or remove it", dest.display());
    }
    let manifest = scaleout::merge(dirs, &dest).map_err(|problems| {
        Problems(problems.iter().map(|p| Problem::new(Origin::command_line(), "merge", p)).collect())
    })?;
    rerun(recorded_arguments(&manifest)?, out, quiet)
}

/// Run the shards' recorded command (`arguments`, without the program) into `out`.
fn rerun(arguments: Vec<String>, out: &Path, quiet: bool) -> Result<()> {
    let mut argv = vec!["livelihoods".to_string()];
    argv.extend(arguments);
    argv.extend(["--out".to_string(), out.display().to_string()]);
    if quiet {
        argv.push("--quiet".into());
    }
    let args =
        <super::Args as clap::Parser>::try_parse_from(&argv).context("the shards' recorded command")?;
    super::run(args)
}

/// `slurm`: the array and merge scripts of a sharded sweep; printed, or submitted.
pub(crate) fn slurm(run: &RunArgs, args: &SweepArgs, slurm: &SlurmArgs) -> Result<()> {
    if slurm.tasks == 0 {
        return Err(
            Problems(vec![Problem::new(Origin::command_line(), "--tasks", "must be at least 1")]).into()
        );
    }
    let scenario = sweep_scenario(run)?;
    sweep::points(&args.design(), &scenario.uncertain, scenario.seed)
        .map_err(|m| Problems(vec![Problem::new(Origin::command_line(), "--design", m)]))?;
    fs::create_dir_all(&run.out).with_context(|| format!("creating {}", run.out.display()))?;
    let out = fs::canonicalize(&run.out)?;
    let base = out.join("slurm").join(&scenario.name);
    let (shards_dir, log_dir) = (base.join("shards"), base.join("logs"));
    fs::create_dir_all(&log_dir)?;
    fs::create_dir_all(&shards_dir)?;
    let program = std::env::current_exe().context("finding the livelihoods program")?;
    let options = slurm.options();
    let array = scaleout::unfinished_tasks(&shards_dir, slurm.tasks, slurm.max_array);
    let arguments = canonical_arguments(run, args)?;
    let (array_path, merge_path) = (base.join("array.sbatch"), base.join("merge.sbatch"));
    if !array.is_empty() {
        let text = scaleout::array_script(
            &program,
            &arguments,
            &options,
            &shards_dir,
            &log_dir,
            &array,
            &scenario.name,
        );
        output::write_file_atomically(&array_path, text.as_bytes())?;
    }
    let text = scaleout::merge_script(&program, &options, &shards_dir, &log_dir, &out, &scenario.name);
    output::write_file_atomically(&merge_path, text.as_bytes())?;
    let (a, m) = (
        scaleout::quote(&array_path.display().to_string()),
        scaleout::quote(&merge_path.display().to_string()),
    );
    if !slurm.submit {
        if array.is_empty() {
            println!("every shard has finished; merge them with:\n  sbatch {m}");
        } else {
            println!("jid=$(sbatch --parsable {a})\nsbatch --dependency=afterok:$jid {m}");
        }
        return Ok(());
    }
    submit(&array_path, &merge_path, &array, slurm, &shards_dir, run.quiet)
}

/// Submit the array (when shards are left) and the merge job after it; with `wait`, wait
/// for both and report the shards whose tasks failed.
fn submit(
    array_path: &Path,
    merge_path: &Path,
    array: &str,
    slurm: &SlurmArgs,
    shards_dir: &Path,
    quiet: bool,
) -> Result<()> {
    let array_job = if array.is_empty() {
        None
    } else {
        Some(sbatch(&["--parsable", &array_path.display().to_string()])?)
    };
    let mut merge_args = vec!["--parsable".to_string()];
    if let Some(j) = &array_job {
        merge_args.push(format!("--dependency=afterok:{j}"));
    }
    merge_args.push(merge_path.display().to_string());
    let merge_job = sbatch(&merge_args.iter().map(String::as_str).collect::<Vec<_>>())?;
    if !quiet {
        println!(
            "submitted: array job {} (tasks {array}), merge job {merge_job}",
            array_job.as_deref().unwrap_or("none")
        );
    }
    if !slurm.wait {
        return Ok(());
    }
    let failed = match &array_job {
        Some(j) => wait_for(j)?.into_iter().filter(|(_, state)| state != "COMPLETED").collect(),
        None => Vec::new(),
    };
    if !failed.is_empty() {
        let _ = std::process::Command::new("scancel").arg(&merge_job).status();
        let tasks = scaleout::tasks(slurm.tasks, slurm.max_array);
        let lines: Vec<String> = failed
            .iter()
            .map(|(task, state)| {
                let shards: Vec<String> =
                    (task + 1..=slurm.tasks).step_by(tasks).map(|k| format!("{k}/{}", slurm.tasks)).collect();
                format!("  task {task} ({state}): shard {}", shards.join(", "))
            })
            .collect();
        bail!(
            "the merge job did not run: tasks failed:\n{}\nlogs in {}; the same command resubmits only the unfinished shards",
            lines.join("\n"),
            shards_dir.parent().unwrap_or(shards_dir).join("logs").display()
        );
    }
    let merged = wait_for(&merge_job)?;
    if merged.iter().any(|(_, s)| s != "COMPLETED") {
        bail!("the merge job {merge_job} ended {:?}", merged);
    }
    if !quiet {
        println!("merged: every shard finished and the merge job completed");
    }
    Ok(())
}

/// `sbatch --parsable <args>`: the job's id.
pub(crate) fn sbatch(args: &[&str]) -> Result<String> {
    let out = std::process::Command::new("sbatch")
        .args(args)
        .output()
        .context("running sbatch (is Slurm installed?)")?;
    if !out.status.success() {
        bail!("sbatch {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().split(';').next().unwrap_or_default().to_string())
}

/// Wait until job `id` (an array or one job) has no task pending or running; each task's
/// final state (array index, or 0).
pub(crate) fn wait_for(id: &str) -> Result<Vec<(usize, String)>> {
    let clock = Instant::now();
    loop {
        let out = std::process::Command::new("squeue")
            .args(["-h", "-t", "all", "-j", id, "-o", "%K %T"])
            .output()
            .context("running squeue")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let states: Vec<(usize, String)> = text
            .lines()
            .filter_map(|l| {
                let (task, state) = l.split_once(' ')?;
                Some((task.parse().unwrap_or(0), state.trim().to_string()))
            })
            .collect();
        let active = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED"];
        if !states.is_empty() && !states.iter().any(|(_, s)| active.contains(&s.as_str())) {
            return Ok(states);
        }
        if clock.elapsed().as_secs() > 3600 {
            bail!("job {id} did not finish within an hour");
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// A shard of a comparison's draws marks its folder with this file, written when its draws
/// are all done.
pub(crate) const COMPARE_SHARD: &str = "compare-shard.toml";

/// The compare command in a canonical form (absolute paths, every option that changes the
/// results, in a fixed order): what a shard records and a merge runs.
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare_arguments(
    run: &RunArgs,
    baseline: &str,
    distribution_season: Option<u32>,
    idr_per_usd: f64,
    discount_rate: f64,
    draws: usize,
    design: &str,
) -> Result<Vec<String>> {
    let mut a = vec!["compare".to_string()];
    for f in &run.files {
        a.push(absolute(f)?);
    }
    let design =
        if ["lhs", "sobol"].contains(&design) { design.to_string() } else { absolute(Path::new(design))? };
    for (flag, value) in [
        ("--baseline", Some(baseline.to_string())),
        ("--distribution-season", distribution_season.map(|v| v.to_string())),
        ("--idr-per-usd", Some(idr_per_usd.to_string())),
        ("--discount-rate", Some(discount_rate.to_string())),
        ("--draws", Some(draws.to_string())),
        ("--design", Some(design)),
    ] {
        if let Some(v) = value {
            a.extend([flag.to_string(), v]);
        }
    }
    a.extend(override_arguments(run));
    Ok(a)
}

/// `compare --shard k/n`: the shard's parameter draws, logged under `<out>/.resume/` as a
/// whole comparison logs them, then `compare-shard.toml` (shard, log, the canonical
/// command, host and time).
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare_shard(
    scenarios: &[Scenario],
    baseline: usize,
    set: livelihoods::uncertainty::draws::DrawSet,
    shard: Shard,
    arguments: &[String],
    out: &Path,
    info: &livelihoods::output::RunInfo,
    options: &CompareOptions,
    quiet: bool,
) -> Result<()> {
    use livelihoods::uncertainty::draws;
    let resume = out.join(".resume");
    fs::create_dir_all(&resume).with_context(|| format!("creating {}", resume.display()))?;
    let name = draws::log_name(scenarios, &set);
    let log = resume.join(&name);
    let marker = out.join(COMPARE_SHARD);
    let head = format!("shard = \"{shard}\"\nlog = \"{name}\"\narguments = {arguments:?}\n");
    if let Ok(old) = fs::read_to_string(&marker)
        && !old.starts_with(&head)
    {
        let message = format!(
            "{} holds another shard or comparison (see {COMPARE_SHARD}); use another --out",
            out.display()
        );
        return Err(Problems(vec![Problem::new(Origin::command_line(), "--out", message)]).into());
    }
    let pool = thread_pool(info.threads)?;
    let money = (options.idr_per_usd, options.discount_rate);
    let clock = Instant::now();
    let total = set.values.len();
    pool.install(|| draws::run(scenarios, baseline, set, Some(shard), info.threads, money, &log, &|| {}))
        .with_context(|| format!("logging the parameter draws to {}", log.display()))?;
    let mine = (0..total).filter(|d| shard.holds(*d)).count();
    let text = format!("{head}draws = {mine}\ncomplete = true\n{}", scaleout::finished_here());
    output::write_file_atomically(&marker, text.as_bytes())?;
    if !quiet {
        println!(
            "shard {shard} of the comparison's draws: {mine} of {total} draws in {:.1} s -> {}",
            clock.elapsed().as_secs_f64(),
            log.display()
        );
    }
    Ok(())
}

/// `merge` of a comparison's draw shards: check they are the n shards of one command, all
/// finished, join their logs under `<out>/.resume/`, and run the command there, which then
/// runs only the comparison itself.
fn merge_compare(dirs: &[PathBuf], out: &Path, quiet: bool) -> Result<()> {
    let mut problems = Vec::new();
    let mut found: Vec<(Shard, String, Vec<String>, PathBuf)> = Vec::new();
    for dir in dirs {
        let text = match fs::read_to_string(dir.join(COMPARE_SHARD)) {
            Ok(t) => t,
            Err(_) => {
                problems.push(format!("{}: no {COMPARE_SHARD}: the shard did not finish (or is not a comparison's shard); run its command again (it resumes)", dir.display()));
                continue;
            }
        };
        let parsed = (|| -> Result<(Shard, String, Vec<String>)> {
            let t: toml::Table = text.parse()?;
            let shard = Shard::parse(t.get("shard").and_then(|v| v.as_str()).unwrap_or_default())
                .map_err(anyhow::Error::msg)?;
            let log = t.get("log").and_then(|v| v.as_str()).context("no log")?.to_string();
            Ok((shard, log, recorded_arguments(&text)?))
        })();
        match parsed {
            Ok((s, log, args)) => found.push((s, log, args, dir.clone())),
            Err(e) => problems.push(format!("{}: {e}", dir.join(COMPARE_SHARD).display())),
        }
    }
    if let Some((first, log, args, at)) = found.first().cloned() {
        for (s, l, a, d) in &found[1..] {
            if (l, a) != (&log, &args) || s.count != first.count {
                problems.push(format!(
                    "{}: a shard of another comparison than {}",
                    d.display(),
                    at.display()
                ));
            }
        }
        let missing: Vec<String> = (1..=first.count)
            .filter(|k| !found.iter().any(|(s, ..)| s.index == *k))
            .map(|k| format!("{k}/{}", first.count))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("shards missing: {}", missing.join(", ")));
        }
    }
    if !problems.is_empty() || found.is_empty() {
        return Err(Problems(
            problems.iter().map(|p| Problem::new(Origin::command_line(), "merge", p)).collect(),
        )
        .into());
    }
    let (_, log, arguments, _) = found[0].clone();
    let resume = out.join(".resume");
    fs::create_dir_all(&resume)?;
    let mut joined = String::new();
    for (_, _, _, dir) in &found {
        for line in fs::read_to_string(dir.join(".resume").join(&log))?.lines() {
            joined.push_str(line);
            joined.push('\n');
        }
    }
    output::write_file_atomically(&resume.join(&log), joined.as_bytes())?;
    rerun(arguments, out, quiet)
}
