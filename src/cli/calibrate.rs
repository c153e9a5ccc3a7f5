//! `calibrate`: history matching of a scenario's free parameters to observed targets.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};

use super::{RunArgs, load, progress_bar, run_info, thread_pool};
use livelihoods::calibration::{self, Settings, files};
use livelihoods::output;
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

/// `calibrate FILE --targets T`: the waves, then the files in <out>/calibrations/<name>/.
pub(crate) fn calibrate(run: &RunArgs, args: &CalibrateArgs) -> Result<()> {
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
    let info = run_info(run.threads, livelihoods::cpu::Cpu::best());
    let settings =
        Settings { waves: args.waves, points: args.points, cutoff: args.cutoff, seed: scenario.seed };
    let bar = progress_bar((args.waves * args.points) as u64, "points", run.quiet);
    let done = AtomicU64::new(0);
    let clock = Instant::now();
    let pool = thread_pool(info.threads)?;
    let history = pool.install(|| {
        calibration::calibrate(&scenario, &free, &targets, settings, &|| {
            bar.set_position(done.fetch_add(1, Ordering::Relaxed) + 1);
        })
    });
    bar.finish_and_clear();
    let seconds = clock.elapsed().as_secs_f64();
    let sample = history.non_implausible();
    let best = history.best().context("a calibration evaluates at least one point")?;
    let constraints = files::constraints(&sample, &free);
    let base = fs::canonicalize(&scenario.path).unwrap_or_else(|_| scenario.path.clone());
    let mut written = vec![
        ("waves.csv", files::waves_csv(&history, &free, &targets)),
        ("fit.csv", files::fit_csv(best, &targets)),
        ("non_implausible.csv", files::sample_csv(&sample, &free)),
    ];
    if !sample.is_empty() {
        written.push(("parameters.csv", files::parameters_csv(&free, &constraints, best)));
        let toml = files::calibrated_toml(
            &scenario.name,
            &base,
            &args.targets,
            &free,
            &targets,
            &history,
            best,
            &constraints,
        );
        written.push(("calibrated.toml", toml));
    }
    fs::create_dir_all(run.out.join("calibrations"))
        .with_context(|| format!("creating {}", run.out.display()))?;
    let dir = output::write_atomically(&run.out.join("calibrations"), &scenario.name, |dir| {
        for (name, text) in &written {
            fs::write(dir.join(name), text)?;
        }
        write_sample_parquet(&dir.join("non_implausible.parquet"), &sample, &free)?;
        livelihoods::report::write_calibration_report(dir, &scenario.name, args.cutoff)
    })
    .with_context(|| format!("writing the calibration under {}", run.out.display()))?;
    let runs = history.runs(scenario.replications);
    if !run.quiet {
        print_summary(&dir, &history, &free, &targets, &constraints, seconds, runs);
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
