//! Command-line interface: `run`, `compare`, `plot`, `bench`, `validate` and `schema`.

mod bench;
mod calibrate;
mod scale;

use std::fs;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use livelihoods::compare::CostEffectiveness;
use livelihoods::cpu::Cpu;
use livelihoods::metrics;
use livelihoods::output::{self, RunInfo};
use livelihoods::report::Money;
use livelihoods::runner::{self, ScenarioResult};
use livelihoods::scenario::{self, Origin, Overrides, Problem, Problems, Scenario};
use livelihoods::trial::{self, Plan};
use livelihoods::uncertainty::draws::Design;

/// Agent-based simulator of rural livelihood interventions (DW4FS, Kupang District, NTT).
#[derive(Parser, Debug)]
#[command(name = "livelihoods", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// What `run` and `compare` share: the files, where results go, threads and overrides.
#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Output directory; each scenario writes <out>/<scenario name>/ (and compare <out>/compare/).
    #[arg(long, default_value = "output")]
    pub(crate) out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Override the replications of every scenario.
    #[arg(long)]
    pub(crate) replications: Option<u32>,
    /// Override the households of every scenario (villages and intervention capacities scale along).
    #[arg(long)]
    pub(crate) households: Option<u64>,
    /// Override the seasons of every scenario.
    #[arg(long)]
    pub(crate) seasons: Option<u32>,
    /// Seed of every random draw (replaces the scenarios' own).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Set a parameter in every scenario, checked like a file: `--set farm.base_yield_t_ha=2.1`
    /// (repeatable).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// Instruction sets to compute with: `avx512`, `avx2`, `portable` or `best` (the fastest
    /// this CPU runs); every path gives the same numbers. `sweep` takes `best` only.
    #[arg(long, default_value = "best")]
    pub(crate) cpu: String,
}

impl RunArgs {
    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            replications: self.replications,
            households: self.households,
            seasons: self.seasons,
            seed: self.seed,
            set: self.set.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scenarios (all replications, in parallel) and write results under --out.
    Run(RunArgs),
    /// Print the reference of every scenario key (Markdown), or a complete file of defaults.
    Schema {
        /// Print a scenario file stating every default instead.
        #[arg(long)]
        toml: bool,
    },
    /// Run scenarios with common random numbers and measure every programme against its own
    /// world without the programme (and that world against the baseline): effects with
    /// confidence intervals, effects on participants and by group, poverty dynamics,
    /// cost-effectiveness, charts and report.html, in <out>/compare/. The scenarios must
    /// share seed, replications, seasons and households.
    Compare {
        #[command(flatten)]
        run: RunArgs,
        /// Name of the baseline scenario.
        #[arg(long, default_value = "kupang_baseline")]
        baseline: String,
        /// Season whose consumption distribution is charted (default: the last).
        #[arg(long)]
        distribution_season: Option<u32>,
        /// Rupiah per US dollar for costs in dollars.
        #[arg(long, default_value_t = livelihoods::compare::DEFAULT_IDR_PER_USD)]
        idr_per_usd: f64,
        /// Discount rate a year for benefit/cost (ADB's rate for poverty-targeted projects).
        #[arg(long, default_value_t = livelihoods::compare::DEFAULT_DISCOUNT_RATE)]
        discount_rate: f64,
        /// Parameter draws (a Latin hypercube over the distributions the scenarios declare in
        /// [uncertainty]); each draw runs the whole comparison. 0: none. With `--design sobol`
        /// the base size N of a Saltelli design: N (2k + 2) comparisons for k parameters.
        #[arg(long, default_value_t = 0)]
        draws: usize,
        /// Design of the draws: `lhs` (Latin hypercube), `sobol` (Saltelli, with Sobol'
        /// indices in sobol.csv), or a sample file (header `draw,section.key,…`, one row per
        /// draw, such as a calibration's non_implausible.csv; every scenario takes every
        /// value; all rows, or the first --draws).
        #[arg(long, default_value = "lhs")]
        design: String,
        /// Run only shard k of n of the parameter draws (draw d with d mod n = k - 1), into
        /// --out, without the comparison itself; `merge` combines the n shard folders and
        /// runs the comparison with every draw done.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Run one scenario at many points of the parameters it declares uncertain
    /// ([uncertainty]), every programme in its own world at every point, with common random
    /// numbers across points; results in <out>/sweeps/<name>/, logged point by point, so
    /// that the same command after an interruption runs only the missing points.
    Sweep {
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        sweep: scale::SweepArgs,
        /// Run only shard k of n (1 <= k <= n): the points p with p mod n = k - 1, into
        /// --out; `merge` combines the n shard folders.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Combine the shard folders of a sweep (`sweep --shard k/n --out DIR`) into the folder a
    /// one-machine run writes, <out>/sweeps/<name>/, with the same files; of a comparison's
    /// draws likewise; of a calibration (`calibrate --shard k/n --out DIR`, every shard into
    /// one DIR), join the shards of its first incomplete wave, and after the last wave write
    /// <out>/calibrations/<name>/.
    Merge {
        /// Shard folders (each a shard's --out, or its sweeps/<name>/ folder; a calibration's
        /// one shared --out).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory of the merged sweep.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Write Slurm scripts that run a sweep as an array job of shards and merge them in a job
    /// that starts when every task succeeded; print the two sbatch commands, or submit them.
    Slurm {
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        sweep: scale::SweepArgs,
        #[command(flatten)]
        slurm: scale::SlurmArgs,
    },
    /// Write Slurm scripts that run a calibration's waves on a cluster: per wave an array job
    /// of shards and a merge job, chained so that each starts when the one before succeeded;
    /// print the sbatch commands, or submit them.
    SlurmCalibrate {
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        calibrate: calibrate::CalibrateArgs,
        #[command(flatten)]
        slurm: scale::SlurmArgs,
    },
    /// Calibrate a scenario's free parameters to observed targets by history matching in
    /// waves of model runs; writes the non-implausible sample, the fit of every target, what
    /// the targets constrain and a calibrated scenario into <out>/calibrations/<name>/. Every
    /// evaluated point is logged as it finishes, so that the same command after an
    /// interruption evaluates only the missing points.
    Calibrate {
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        calibrate: calibrate::CalibrateArgs,
    },
    /// Redraw the charts and report.html of a comparison from its files alone.
    Plot {
        /// A comparison directory (for example output/compare).
        dir: PathBuf,
    },
    /// Measure household-seasons per second of a scenario (set-up included) against the
    /// model's own household passes alone (its ceiling), at several sizes and thread
    /// counts, and print the table.
    Bench {
        /// Scenario to measure.
        #[arg(long, default_value = "scenarios/dw4fs.toml")]
        scenario: PathBuf,
        /// Population sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [10_000u64, 100_000, 1_000_000])]
        households: Vec<u64>,
        /// Thread counts, comma-separated (default: 1 and every core).
        #[arg(long, value_delimiter = ',')]
        threads: Vec<usize>,
        /// Household-seasons per measurement; small populations run more replications.
        #[arg(long, default_value_t = 26_000_000)]
        work: u64,
        /// Timings per measurement; the best is kept.
        #[arg(long, default_value_t = 2)]
        repeats: u32,
        /// Instruction sets to compute with: `avx512`, `avx2`, `portable` or `best`.
        #[arg(long, default_value = "best")]
        cpu: String,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Execute the command.
pub fn run(args: Args) -> Result<()> {
    match args.command {
        Command::Validate { files } => validate(&files),
        Command::Bench { scenario, households, threads, work, repeats, cpu } => {
            bench(&BenchOptions { scenario, households, threads, work, repeats, cpu })
        }
        Command::Sweep { run, sweep, shard } => scale::sweep(&run, &sweep, shard.as_deref()),
        Command::Merge { dirs, out, quiet } => scale::merge(&dirs, &out, quiet),
        Command::Calibrate { run, calibrate } => calibrate::calibrate(&run, &calibrate),
        Command::Slurm { run, sweep, slurm } => scale::slurm(&run, &sweep, &slurm),
        Command::SlurmCalibrate { run, calibrate, slurm } => calibrate::slurm(&run, &calibrate, &slurm),
        Command::Plot { dir } => {
            let written = livelihoods::report::redraw(&dir).map_err(|e| match input_problems(&e) {
                Some(problems) => anyhow::Error::from(problems),
                None => anyhow::Error::from(e).context(format!("redrawing {}", dir.display())),
            })?;
            println!("redrew the charts and report.html in {}", written.display());
            Ok(())
        }
        Command::Schema { toml } => {
            let text = if toml {
                livelihoods::reference::toml_template()
            } else {
                livelihoods::reference::markdown()
            };
            print!("{text}");
            Ok(())
        }
        Command::Run(run) => {
            run_scenarios(&run.files, &run.out, (run.threads, &run.cpu), &run.overrides(), run.quiet)
                .map(|_| ())
        }
        Command::Compare {
            run,
            baseline,
            distribution_season,
            idr_per_usd,
            discount_rate,
            draws,
            design,
            shard,
        } => {
            let shard = match shard {
                Some(text) => {
                    let s = livelihoods::scaleout::Shard::parse(&text)
                        .map_err(|m| Problems(vec![Problem::new(Origin::command_line(), "--shard", m)]))?;
                    let arguments = scale::compare_arguments(
                        &run,
                        &baseline,
                        distribution_season,
                        idr_per_usd,
                        discount_rate,
                        draws,
                        &design,
                    )?;
                    Some((s, arguments))
                }
                None => None,
            };
            let (design, sample) = match design.as_str() {
                "sobol" => (Design::Sobol, None),
                "lhs" => (Design::LatinHypercube, None),
                path => (Design::LatinHypercube, Some(PathBuf::from(path))),
            };
            let options = CompareOptions {
                baseline,
                idr_per_usd,
                discount_rate,
                distribution_season,
                draws,
                design,
                sample,
                shard,
            };
            compare(&run.files, &options, &run.out, (run.threads, &run.cpu), &run.overrides(), run.quiet)
        }
    }
}

/// The input problems an I/O error carries (files that do not match), if it is one.
fn input_problems(e: &std::io::Error) -> Option<Problems> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Problems>()).cloned()
}

/// What `bench` is asked to measure.
struct BenchOptions {
    scenario: PathBuf,
    households: Vec<u64>,
    threads: Vec<usize>,
    work: u64,
    repeats: u32,
    cpu: String,
}

fn bench(options: &BenchOptions) -> Result<()> {
    let base = scenario::load(&options.scenario)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = options.threads.clone();
    if threads.is_empty() {
        threads = vec![1, cores];
        threads.dedup();
    }
    let (cpu, cpu_problems) = chosen_cpu(&options.cpu);
    let mut problems = setting_problems(&threads);
    problems.extend(cpu_problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let sized: Vec<Scenario> = options
        .households
        .iter()
        .map(|&h| bench::sized(&base, h, options.work))
        .collect::<Result<_, Problems>>()?;
    if let Some(available) = runner::available_memory() {
        let most = threads.iter().copied().max().unwrap_or(1);
        for s in &sized {
            runner::check_memory(&runner::estimate_run(std::slice::from_ref(s), most), &available)
                .map_err(anyhow::Error::msg)?;
        }
    }
    println!(
        "{} ({} seasons + {} spin-up), best of {} on {} ({} cores), path {}",
        base.name,
        base.seasons,
        base.params.calendar.spin_up_seasons,
        options.repeats.max(1),
        bench::cpu_name().unwrap_or_else(|| "an unnamed CPU".into()),
        cores,
        cpu.name()
    );
    bench::table(&sized, &threads, options.repeats, cpu, |line| println!("{line}"));
    if let Some(peak) = bench::peak_resident_bytes() {
        println!("peak resident memory {:.0} MB", peak as f64 / 1e6);
    }
    Ok(())
}

fn validate(files: &[PathBuf]) -> Result<()> {
    let scenarios = scenario::load_all(files)?;
    for s in scenarios {
        let states_nothing = std::fs::read_to_string(&s.path)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|t| t.is_empty());
        println!(
            "ok: {} ({}: {} households in {} villages, {} seasons, {} replications, {} interventions)",
            s.path.display(),
            s.name,
            s.params.population.households,
            s.params.population.simulated_villages(),
            s.seasons,
            s.replications,
            s.interventions.len()
        );
        if states_nothing {
            println!(
                "  note: {} states nothing: every key takes its default and the name \"{}\" comes from the file name",
                s.path.display(),
                s.name
            );
        }
        for w in s.warnings() {
            println!("  warning: {w}");
        }
    }
    Ok(())
}

/// Load `files` with `overrides` applied; with the problems of the scenarios, those of a
/// `threads` count that is not one and of the environment ([`setting_problems`]), and
/// `more` (other options), all at once.
pub(crate) fn load(
    files: &[PathBuf],
    overrides: &Overrides,
    threads: Option<usize>,
    more: Vec<Problem>,
) -> Result<Vec<Scenario>, Problems> {
    let mut problems = setting_problems(threads.as_slice());
    problems.extend(more);
    let mut scenarios = match scenario::load_all(files) {
        Ok(scenarios) => scenarios,
        Err(Problems(p)) => {
            problems.extend(p);
            return Err(Problems(problems));
        }
    };
    for s in &mut scenarios {
        if let Err(Problems(p)) = s.apply(overrides) {
            problems.extend(p);
        }
    }
    problems.dedup();
    if problems.is_empty() { Ok(scenarios) } else { Err(Problems(problems)) }
}

/// A problem for every `--threads` value that is not a thread count (0, or more than
/// [`runner::MAX_THREADS`]) and for a memory variable that is no number of bytes.
fn setting_problems(threads: &[usize]) -> Vec<Problem> {
    let most = runner::MAX_THREADS;
    let mut problems: Vec<Problem> = threads
        .iter()
        .filter(|&&t| t == 0 || t > most)
        .map(|&t| {
            let message = if t == 0 {
                format!("is {t}; at least 1 thread is needed")
            } else {
                format!("is {t}; at most {most} threads are allowed")
            };
            Problem::new(Origin::command_line(), "--threads", message)
        })
        .collect();
    if let Err(message) = runner::memory_override() {
        problems.push(Problem::new(Origin::environment(), runner::MEMORY_VARIABLE, message));
    }
    problems
}

/// The path `--cpu` names, or the portable one with the problem that it names none this
/// CPU runs.
fn chosen_cpu(name: &str) -> (Cpu, Vec<Problem>) {
    match Cpu::named(name) {
        Ok(cpu) => (cpu, Vec::new()),
        Err(message) => (Cpu::portable(), vec![Problem::new(Origin::command_line(), "--cpu", message)]),
    }
}

/// What `compare` is asked for beyond the run options.
pub(crate) struct CompareOptions {
    pub(crate) baseline: String,
    pub(crate) idr_per_usd: f64,
    pub(crate) discount_rate: f64,
    pub(crate) distribution_season: Option<u32>,
    pub(crate) draws: usize,
    pub(crate) design: Design,
    /// Draws read from a sample file instead of a design.
    pub(crate) sample: Option<PathBuf>,
    /// Run only this shard of the draws (and the command's canonical arguments).
    pub(crate) shard: Option<(livelihoods::scaleout::Shard, Vec<String>)>,
}

fn compare(
    files: &[PathBuf],
    options: &CompareOptions,
    out: &std::path::Path,
    (threads, cpu): (Option<usize>, &str),
    overrides: &Overrides,
    quiet: bool,
) -> Result<()> {
    let (baseline, idr_per_usd) = (options.baseline.as_str(), options.idr_per_usd);
    let (cpu, mut money) = chosen_cpu(cpu);
    if !(idr_per_usd.is_finite() && idr_per_usd > 0.0) {
        let message =
            format!("is {idr_per_usd}; a positive, finite number of rupiah per US dollar is needed");
        money.push(Problem::new(Origin::command_line(), "--idr-per-usd", message));
    }
    let rate = options.discount_rate;
    if !(rate.is_finite() && (0.0..1.0).contains(&rate)) {
        let message =
            format!("is {rate}; a rate a year in 0 (inclusive) to 1 (exclusive) is needed, such as 0.12");
        money.push(Problem::new(Origin::command_line(), "--discount-rate", message));
    }
    let mut scenarios = load(files, overrides, threads, money)?;
    let b = livelihoods::compare::check_pairing(&scenarios, baseline)?;
    if let Some(season) = options.distribution_season {
        let last = scenarios[b].seasons - 1;
        if season > last {
            let message = format!("is {season}, but the last season is {last}");
            let problem = Problem::new(Origin::command_line(), "--distribution-season", message);
            return Err(Problems(vec![problem]).into());
        }
    }
    for s in &mut scenarios {
        s.distribution_season = options.distribution_season;
    }
    print_warnings(&scenarios, quiet);
    let info = run_info(threads, cpu);
    let draws = if let Some(path) = &options.sample {
        Some((livelihoods::uncertainty::draws::DrawSet::read(path, options.draws)?, scenarios.clone()))
    } else if options.draws > 0 {
        let uncertain = livelihoods::uncertainty::draws::declared(&scenarios)?;
        if uncertain.is_empty() {
            let message = "no scenario declares a parameter uncertain ([uncertainty] table): nothing to draw";
            return Err(Problems(vec![Problem::new(Origin::command_line(), "--draws", message)]).into());
        }
        let seed = scenarios[b].seed;
        let points =
            livelihoods::uncertainty::draws::points(options.design, options.draws, uncertain.len(), seed);
        Some((livelihoods::uncertainty::draws::DrawSet::at(uncertain, &points), scenarios.clone()))
    } else {
        None
    };
    if let Some((shard, arguments)) = &options.shard {
        let Some((set, given)) = draws else {
            let message = "shards split parameter draws: give --draws N or --design SAMPLE";
            return Err(Problems(vec![Problem::new(Origin::command_line(), "--shard", message)]).into());
        };
        return scale::compare_shard(&given, b, set, *shard, arguments, out, &info, options, quiet);
    }
    let plan = livelihoods::trial::Plan::new(scenarios, b);
    let mut names: Vec<&str> = plan.worlds.iter().map(|s| s.name.as_str()).collect();
    names.push("compare");
    prepare_output(out, &names, quiet)?;
    if let Some(available) = runner::available_memory() {
        runner::check_memory(&runner::estimate_plan(&plan, info.threads), &available)
            .map_err(anyhow::Error::msg)?;
    }
    let pool = thread_pool(info.threads)?;
    // Everything runs on the pool's threads, the writing too: it then reuses the memory the
    // simulation's worlds leave free instead of growing the main thread's heap.
    let (outcome, rows, dir) = pool.install(|| -> Result<_> {
        let outcome = simulate_plan(plan, out, &info, quiet)?;
        let pairings = livelihoods::compare::pairings(&outcome);
        let rows = livelihoods::compare::cost_effectiveness(&pairings, idr_per_usd, options.discount_rate);
        let money = Money { idr_per_usd, discount_rate: options.discount_rate };
        let extra = match &draws {
            Some((set, given)) => {
                let seed = given[b].seed;
                let resume = out.join(".resume");
                fs::create_dir_all(&resume).with_context(|| format!("creating {}", resume.display()))?;
                let log = resume.join(livelihoods::uncertainty::draws::log_name(given, set));
                let draws = run_draws(given, b, set.clone(), &info, money, &log, quiet)?;
                let sobol_base =
                    (options.design == Design::Sobol && options.sample.is_none()).then_some(options.draws);
                let manifest = draws_manifest(given, options);
                Some((uncertainty_files(&outcome, &rows, &draws, sobol_base, seed)?, draws, manifest, log))
            }
            None => None,
        };
        let mut kept = kept_lock().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let no_files = Vec::new();
        let dir = output::write_atomically(out, "compare", |dir| {
            let files = extra.as_ref().map_or(&no_files, |e| &e.0);
            livelihoods::report::write_comparison(dir, &outcome, &rows, money, &info, files)?;
            if let Some((_, draws, manifest, _)) = &extra {
                let names: Vec<String> = rows.iter().map(|r| r.scenario.clone()).collect();
                livelihoods::uncertainty::draws::draws_parquet(
                    &dir.join("draws.parquet"),
                    &names,
                    draws,
                    manifest,
                )?;
            }
            Ok(())
        })
        .with_context(|| format!("writing the comparison under {}", out.display()))?;
        kept.what = "";
        // The comparison is published: its resume log has done its work.
        if let Some((_, _, _, log)) = &extra {
            let _ = fs::remove_file(log);
        }
        Ok((outcome, rows, dir))
    })?;
    drop(outcome);
    if !quiet {
        print_comparison(baseline, &dir, &rows, idr_per_usd);
    }
    Ok(())
}

/// Run the parameter draws of a comparison on the current pool, with a progress bar, logged
/// to `log` so that the same command resumes after an interruption.
#[allow(clippy::too_many_arguments)]
fn run_draws(
    scenarios: &[Scenario],
    baseline: usize,
    set: livelihoods::uncertainty::draws::DrawSet,
    info: &RunInfo,
    money: Money,
    log: &std::path::Path,
    quiet: bool,
) -> Result<livelihoods::uncertainty::draws::Draws> {
    use livelihoods::uncertainty::draws;
    let per_draw = Plan::new(scenarios.to_vec(), baseline).world_seasons();
    let n = set.values.len();
    let logged = draws::logged(log, scenarios, None).with_context(|| format!("reading {}", log.display()))?;
    if logged > 0 && !quiet {
        println!("resuming: {logged} of {n} parameter draws already done ({})", log.display());
    }
    let total = per_draw * (n - logged.min(n)) as u64;
    let bar = progress_bar(total, "replication-seasons", quiet);
    let done = AtomicU64::new(0);
    let clock = Instant::now();
    let result = draws::run(
        scenarios,
        baseline,
        set,
        None,
        info.threads,
        (money.idr_per_usd, money.discount_rate),
        log,
        &|| {
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            if k.is_multiple_of(8) || k == total {
                bar.set_position(k);
            }
        },
    )
    .with_context(|| format!("logging the parameter draws to {}", log.display()))?;
    bar.finish_and_clear();
    if !quiet {
        println!("{n} parameter draws of the comparison in {:.1} s", clock.elapsed().as_secs_f64());
    }
    Ok(result)
}

/// What `draws.parquet` records in its metadata: the version, the scenarios with their
/// files' hashes and overrides, the design.
pub(crate) fn draws_manifest(scenarios: &[Scenario], options: &CompareOptions) -> String {
    let mut s = format!(
        "version = \"{}\"\ndesign = \"{}\"\ndraws = {}\nbaseline = \"{}\"\n",
        env!("CARGO_PKG_VERSION"),
        match (&options.sample, options.design) {
            (Some(p), _) => format!("sample file {}", p.display()),
            (None, Design::Sobol) => "sobol-saltelli".into(),
            (None, _) => "latin hypercube".into(),
        },
        options.draws,
        options.baseline
    );
    for sc in scenarios {
        let hashes: Vec<String> =
            sc.file_hashes.iter().map(|(p, h)| format!("{} {h}", p.display())).collect();
        s.push_str(&format!(
            "\n[[scenario]]\nname = \"{}\"\nseed = {}\nreplications = {}\nfiles = {:?}\noverrides = {:?}\n",
            sc.name, sc.seed, sc.replications, hashes, sc.overrides
        ));
    }
    s
}

/// The files of a comparison's parameter draws: `uncertainty.csv`, `design.csv`,
/// `draws.csv`, `parameters.csv`, `sensitivity.csv` and, from a Saltelli design of base size
/// `sobol_base`, `sobol.csv` and `sobol_second_order.csv`.
fn uncertainty_files(
    outcome: &trial::Outcome,
    rows: &[CostEffectiveness],
    draws: &livelihoods::uncertainty::draws::Draws,
    sobol_base: Option<usize>,
    seed: u64,
) -> Result<Vec<(&'static str, String)>> {
    use livelihoods::trial::tables::to_csv;
    use livelihoods::uncertainty::draws as d;
    let names: Vec<String> = rows.iter().map(|r| r.scenario.clone()).collect();
    let central = d::metrics_of(outcome, rows);
    let (ranks, first, second) = d::sensitivity(&names, draws, sobol_base, seed);
    let mut files = vec![
        ("uncertainty.csv", to_csv(&d::rows(&names, &central, draws))?),
        ("design.csv", d::design_csv(draws)),
        ("draws.csv", d::draws_csv(&names, draws)),
        ("parameters.csv", to_csv(&d::parameter_rows(&draws.uncertain))?),
        ("sensitivity.csv", to_csv(&ranks)?),
    ];
    if sobol_base.is_some() {
        files.push(("sobol.csv", to_csv(&first)?));
        files.push(("sobol_second_order.csv", to_csv(&second)?));
    }
    Ok(files)
}

/// What `compare` prints: per programme, its effect in its own world and its cost.
fn print_comparison(baseline: &str, dir: &std::path::Path, rows: &[CostEffectiveness], idr_per_usd: f64) {
    println!("comparison against {baseline} -> {}", dir.display());
    println!(
        "  programme effects, each against its own world without the programme (common random numbers):"
    );
    for r in rows.iter().filter(|r| r.cost_idr > 0.0) {
        let p = &r.person_years_averted;
        let per = r.cost_per_person_year_idr[0];
        let cost = if per.is_finite() {
            format!("Rp {} ({} USD) per person-year averted", thousands(per), thousands(per / idr_per_usd))
        } else {
            "no person-years averted, so no cost per person-year".to_string()
        };
        println!(
            "  {}: {} poverty-person-years averted [95% CI {} to {}]; {cost}",
            r.scenario,
            thousands(p.mean),
            thousands(p.ci_lo),
            thousands(p.ci_hi)
        );
        if r.counterfactual != baseline {
            let w = &r.world_person_years_averted;
            println!(
                "    its world ({}) against {baseline}, without any programme: {} poverty-person-years {}",
                r.counterfactual,
                thousands(w.mean.abs()),
                if w.mean >= 0.0 { "fewer" } else { "more" }
            );
        }
    }
}

/// `x` rounded, with thousands separators.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x.round() < 0.0 { format!("-{out}") } else { out }
}

fn run_scenarios(
    files: &[PathBuf],
    out: &std::path::Path,
    (threads, cpu): (Option<usize>, &str),
    overrides: &Overrides,
    quiet: bool,
) -> Result<Vec<ScenarioResult>> {
    let (cpu, problems) = chosen_cpu(cpu);
    let scenarios = load(files, overrides, threads, problems)?;
    print_warnings(&scenarios, quiet);
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    prepare_output(out, &names, quiet)?;
    let info = run_info(threads, cpu);
    if let Some(available) = runner::available_memory() {
        runner::check_memory(&runner::estimate_run(&scenarios, info.threads), &available)
            .map_err(anyhow::Error::msg)?;
    }
    simulate(scenarios, out, &info, quiet)
}

/// A rayon pool of `threads` threads, for a command to install its work in.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("starting the thread pool")
}

/// Threads to use (default: every core), the path and the start time.
pub(crate) fn run_info(threads: Option<usize>, cpu: Cpu) -> RunInfo {
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let started = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    RunInfo { threads, cpu, started_utc: output::rfc3339_utc(started) }
}

/// Print every scenario's warnings ([`Scenario::warnings`]) to standard error.
fn print_warnings(scenarios: &[Scenario], quiet: bool) {
    if !quiet {
        for w in scenarios.iter().flat_map(Scenario::warnings) {
            eprintln!("warning: {w}");
        }
    }
}

/// Before anything is simulated: refuse an output folder that results cannot be written
/// to, and clean up (and say) what killed runs left there.
fn prepare_output(out: &std::path::Path, names: &[&str], quiet: bool) -> Result<()> {
    let first = names.first().copied().unwrap_or("the scenarios");
    let notes = output::prepare(out, names)
        .with_context(|| format!("writing the results of {first} under {}", out.display()))?;
    if !quiet {
        for note in notes {
            eprintln!("note: {note}");
        }
    }
    Ok(())
}

/// The results kept so far, for the message when the run is interrupted (Ctrl-C).
#[derive(Default)]
struct Kept {
    /// Folders written, complete.
    written: Vec<String>,
    /// Everything the run was to write.
    all: Vec<String>,
    /// What was kept is not all of it (a comparison's own folder).
    what: &'static str,
}

/// On Ctrl-C: wait for a result being published, say which results are complete and
/// kept, and exit with 130. A result is never half published: each is switched into
/// place with one rename, under the lock that the handler takes.
fn on_interrupt(kept: &'static std::sync::Mutex<Kept>, out: &std::path::Path) {
    let out = out.to_path_buf();
    let _ = ctrlc::set_handler(move || {
        let kept = kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let missing: Vec<&str> =
            kept.all.iter().filter(|n| !kept.written.contains(n)).map(String::as_str).collect();
        if kept.written.is_empty() {
            eprintln!(
                "\ninterrupted: no scenario had finished, nothing was written; earlier results in {} are unchanged",
                out.display()
            );
        } else {
            eprintln!(
                "\ninterrupted: the results of {} finished and are kept, complete, in {}; \
                 not finished: {}{}",
                kept.written.join(", "),
                out.display(),
                missing.join(", "),
                kept.what
            );
        }
        std::process::exit(130);
    });
}

/// The lock shared by the run and its Ctrl-C handler.
fn kept_lock() -> &'static std::sync::Mutex<Kept> {
    static KEPT: std::sync::OnceLock<std::sync::Mutex<Kept>> = std::sync::OnceLock::new();
    KEPT.get_or_init(Default::default)
}

/// Write `result` and record it as kept; the handler waits while it is published.
fn keep(out: &std::path::Path, result: &ScenarioResult, info: &RunInfo) -> Result<PathBuf> {
    let mut kept = kept_lock().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = output::write_scenario(out, result, info).with_context(|| {
        format!("writing the results of {} under {}", result.scenario.name, out.display())
    })?;
    kept.written.push(result.scenario.name.clone());
    Ok(dir)
}

/// Run `scenarios` one after another (the replications of each in parallel) and write
/// each one's results under `out` as soon as it is done.
fn simulate(
    scenarios: Vec<Scenario>,
    out: &std::path::Path,
    info: &RunInfo,
    quiet: bool,
) -> Result<Vec<ScenarioResult>> {
    let threads = info.threads;
    {
        let mut kept = kept_lock().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.all = scenarios.iter().map(|s| s.name.clone()).collect();
    }
    on_interrupt(kept_lock(), out);
    let pool = thread_pool(threads)?;
    let total: u64 = scenarios.iter().map(|s| u64::from(s.seasons) * u64::from(s.replications)).sum();
    let bar = progress_bar(total, "replication-seasons", quiet);
    let done = AtomicU64::new(0);
    let clock = Instant::now();
    let mut results = Vec::with_capacity(scenarios.len());
    for s in &scenarios {
        let result = pool
            .install(|| {
                runner::run_all(std::slice::from_ref(s), runner::Options { threads, cpu: info.cpu }, &|| {
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(8) || n == total {
                        bar.set_position(n);
                    }
                })
            })
            .pop()
            .expect("one result per scenario");
        let dir = keep(out, &result, info)?;
        if !quiet {
            bar.suspend(|| print_summary(&result, &dir));
        }
        results.push(result);
    }
    bar.finish_and_clear();
    let seconds = clock.elapsed().as_secs_f64();
    if !quiet {
        let observed: u64 = scenarios.iter().map(Scenario::household_seasons).sum();
        let simulated: u64 = scenarios.iter().map(Scenario::simulated_household_seasons).sum();
        println!(
            "{observed} household-seasons observed ({simulated} simulated with spin-up) in {seconds:.1} s \
             on {threads} thread(s): {:.2} million simulated per second",
            simulated as f64 / seconds.max(1e-9) / 1e6
        );
    }
    Ok(results)
}

/// Run a comparison's plan on the current thread pool and write each of its worlds' results
/// under `out`.
fn simulate_plan(
    mut plan: Plan,
    out: &std::path::Path,
    info: &RunInfo,
    quiet: bool,
) -> Result<trial::Outcome> {
    let threads = info.threads;
    plan.cpu = info.cpu;
    {
        let mut kept = kept_lock().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.all = plan.worlds.iter().map(|s| s.name.clone()).collect();
        kept.what = "; the comparison (compare/) was not written: run compare again";
    }
    on_interrupt(kept_lock(), out);
    let total = plan.world_seasons();
    let simulated = plan.simulated_household_seasons();
    let given: Vec<String> = plan.worlds[..plan.given].iter().map(|s| s.name.clone()).collect();
    let bar = progress_bar(total, "replication-seasons", quiet);
    let done = AtomicU64::new(0);
    let clock = Instant::now();
    let mut failed: Option<anyhow::Error> = None;
    let outcome = {
        let on_season = || {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_multiple_of(8) || n == total {
                bar.set_position(n);
            }
        };
        trial::run_reporting(plan, threads, &on_season, &mut |result| {
            if failed.is_some() {
                return;
            }
            match keep(out, result, info) {
                Ok(dir) if !quiet && given.contains(&result.scenario.name) => {
                    bar.suspend(|| print_summary(result, &dir));
                }
                Ok(_) => {}
                Err(e) => failed = Some(e),
            }
        })
    };
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e);
    }
    let seconds = clock.elapsed().as_secs_f64();
    if !quiet {
        println!(
            "{simulated} household-seasons simulated (programme and counterfactual worlds side by side, \
             spin-up included) in {seconds:.1} s on {threads} thread(s): {:.2} million per second",
            simulated as f64 / seconds.max(1e-9) / 1e6
        );
    }
    Ok(outcome)
}

/// A progress bar on a terminal: units done of `total`, the rate and the time left.
pub(crate) fn progress_bar(total: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(&format!(
        "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit}, {{per_sec}}, {{eta}} left"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar
}

fn print_summary(result: &ScenarioResult, dir: &std::path::Path) {
    let s = &result.scenario;
    let p0 = metrics::index("p0").expect("p0 is a metric");
    println!(
        "{}: {} households ({} villages) × {} seasons × {} replications -> {}",
        s.name,
        s.params.population.households,
        s.params.population.simulated_villages(),
        s.seasons,
        s.replications,
        dir.display()
    );
    if let (Some(first), Some(last)) = (result.summary.first(), result.summary.last()) {
        let a = first.stats[p0];
        let b = last.stats[p0];
        println!(
            "  P0 {} {}: {:.3} [95% band {:.3}-{:.3}]   ->   {} {}: {:.3} [{:.3}-{:.3}]",
            first.year,
            first.season_kind,
            a.mean,
            a.lo,
            a.hi,
            last.year,
            last.season_kind,
            b.mean,
            b.lo,
            b.hi
        );
    }
    let means = livelihoods::summary::run_means(&result.runs, p0);
    let over_run = livelihoods::summary::Stat::of(&means);
    println!(
        "  P0 averaged over the run: {:.4} [95% CI {:.4}-{:.4}]",
        over_run.mean, over_run.ci_lo, over_run.ci_hi
    );
}
