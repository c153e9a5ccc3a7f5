//! Throughput measurements: household-seasons per second of the full model (set-up
//! included) against its ceiling, the model's own household passes with nothing around
//! them ([`livelihoods::engine::households_only`]), with the state each household costs. `livelihoods bench` prints the table; `benches/` uses the same functions.
//!
//! Every measurement does about the same work: small populations run more replications,
//! so that figures at different sizes are comparable. The best of `repeats` timings is
//! kept, the usual guard against a busy machine.
//!
//! Part of the program, not of the library: it serves `livelihoods bench`, and `benches/`
//! include this file.

use std::time::Instant;

use livelihoods::cpu::Cpu;
use livelihoods::engine;
use livelihoods::runner;
use livelihoods::scenario::{Overrides, Problems, Scenario};

/// One row of the throughput table.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// Households per replication.
    pub households: u64,
    /// Worker threads.
    pub threads: usize,
    /// Replications run.
    pub replications: u32,
    /// Full model, household-seasons per second.
    pub model_per_second: f64,
    /// The households-only ceiling, household-seasons per second.
    pub ceiling_per_second: f64,
    /// Bytes of state per household.
    pub bytes_per_household: f64,
}

impl Measurement {
    /// Model speed as a share of the ceiling's.
    pub fn ratio(&self) -> f64 {
        self.model_per_second / self.ceiling_per_second
    }
}

/// Replications that make `households` do about `work` household-seasons in `seasons`
/// simulated seasons (at least one).
pub fn replications_for(work: u64, households: u64, seasons: u32) -> u32 {
    let per_replication = households.max(1) * u64::from(seasons.max(1));
    (work.div_ceil(per_replication)).clamp(1, u64::from(u32::MAX)) as u32
}

/// `base` resized to `households` with replications for about `work` household-seasons.
///
/// # Errors
/// The scenario's problems with the new size.
pub fn sized(base: &Scenario, households: u64, work: u64) -> Result<Scenario, Problems> {
    let mut s = base.clone();
    let replications = replications_for(work, households, s.simulated_seasons());
    s.apply(&Overrides {
        households: Some(households),
        seasons: None,
        replications: Some(replications),
        ..Overrides::default()
    })?;
    Ok(s)
}

/// Time `scenario` and its households-only ceiling on `threads` threads on `cpu`'s path;
/// best of `repeats`.
///
/// # Panics
/// If the thread pool cannot be started.
pub fn measure(scenario: &Scenario, threads: usize, repeats: u32, cpu: Cpu) -> Measurement {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let households = scenario.params.population.households;
    let household_seasons = scenario.simulated_household_seasons();
    let scenarios = std::slice::from_ref(scenario);
    let best = |f: &(dyn Fn() + Sync)| {
        (0..repeats.max(1))
            .map(|_| {
                let clock = Instant::now();
                pool.install(f);
                clock.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let model_seconds = best(&|| {
        std::hint::black_box(runner::run_all(scenarios, runner::Options { threads, cpu }, &|| {}));
    });
    let ceiling_seconds = best(&|| {
        std::hint::black_box(engine::households_only(scenario, cpu));
    });
    Measurement {
        households,
        threads,
        replications: scenario.replications,
        model_per_second: household_seasons as f64 / model_seconds,
        ceiling_per_second: household_seasons as f64 / ceiling_seconds,
        bytes_per_household: runner::world_bytes(scenario) as f64 / households.max(1) as f64,
    }
}

/// The header of the throughput table (speeds in millions of household-seasons per second).
pub fn header() -> String {
    format!(
        "{:>10} {:>7} {:>12} {:>14} {:>8} {:>15} {:>12} {:>15}",
        "households",
        "threads",
        "replications",
        "model M hs/s",
        "speed-up",
        "ceiling M hs/s",
        "model/ceiling",
        "bytes/household"
    )
}

/// One line of the throughput table; `speed_up` is the model's speed over its speed on one
/// thread at the same size, where that was measured.
pub fn line(m: &Measurement, speed_up: Option<f64>) -> String {
    let speed_up = speed_up.map_or_else(|| "-".to_string(), |x| format!("{x:.2}"));
    format!(
        "{:>10} {:>7} {:>12} {:>14.2} {:>8} {:>15.2} {:>12.2} {:>15.1}",
        m.households,
        m.threads,
        m.replications,
        m.model_per_second / 1e6,
        speed_up,
        m.ceiling_per_second / 1e6,
        m.ratio(),
        m.bytes_per_household
    )
}

/// Measure every scenario of `sized` on every thread count of `threads` (in that order),
/// on `cpu`'s path, handing each line of the table to `print` as soon as it is measured.
pub fn table(
    sized: &[Scenario],
    threads: &[usize],
    repeats: u32,
    cpu: Cpu,
    mut print: impl FnMut(&str),
) -> Vec<Measurement> {
    print(&header());
    let mut rows: Vec<Measurement> = Vec::new();
    for &t in threads {
        for s in sized {
            let m = measure(s, t, repeats, cpu);
            let one_thread = rows.iter().find(|r| r.threads == 1 && r.households == m.households);
            print(&line(&m, one_thread.map(|r| m.model_per_second / r.model_per_second)));
            rows.push(m);
        }
    }
    rows
}

/// Peak resident memory of this process so far, bytes (None where the system does not say).
pub fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The processor's model name, with its family and model numbers where the system gives
/// them (virtual machines often shorten the name to the brand, which then no longer tells
/// one generation from another). None where the system does not say.
pub fn cpu_name() -> Option<String> {
    describe_cpu(&std::fs::read_to_string("/proc/cpuinfo").ok()?)
}

/// [`cpu_name`] from the text of `/proc/cpuinfo` (its first processor).
fn describe_cpu(cpuinfo: &str) -> Option<String> {
    let field = |key: &str| {
        cpuinfo.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    let name = field("model name")?;
    Some(match (field("cpu family"), field("model")) {
        (Some(family), Some(model)) => format!("{name}, family {family} model {model}"),
        _ => name,
    })
}

#[cfg(test)]
mod tests {
    // Unused where `benches/` include this file: they build without a test harness.
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn the_cpu_is_named_with_its_family_and_model() {
        let x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\n\
                   model name\t: AMD EPYC\nstepping\t: 1\n\nprocessor\t: 1\nmodel name\t: other\n";
        assert_eq!(describe_cpu(x86).as_deref(), Some("AMD EPYC, family 26 model 2"));
        let bare = "model name\t: Some CPU\n";
        assert_eq!(describe_cpu(bare).as_deref(), Some("Some CPU"));
        assert_eq!(describe_cpu("processor : 0\n"), None);
    }

    #[test]
    fn small_populations_run_more_replications_for_the_same_work() {
        assert_eq!(replications_for(26_000_000, 10_000, 26), 100);
        assert_eq!(replications_for(26_000_000, 1_000_000, 26), 1);
        assert_eq!(replications_for(26_000_000, 3_000_000, 26), 1);
        assert_eq!(replications_for(1, 0, 0), 1);
    }
}
