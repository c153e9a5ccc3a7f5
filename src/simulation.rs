//! A simulation to embed: one replication of a scenario that owns its world and steps
//! season by season, as `livelihoods run` steps each of its replications.
//!
//! ```
//! use livelihoods::scenario::Scenario;
//! use livelihoods::simulation::{Options, Simulation};
//!
//! let scenario = Scenario::from_toml_str(
//!     r#"
//!     name = "tiny"
//!     seasons = 4
//!     [population]
//!     households = 2_000
//!     reference_households = 2_000
//!     villages = 4
//!     "#,
//! )?;
//! let mut simulation = Simulation::new(scenario, 0, Options::default());
//! let first = simulation.step().expect("four seasons to observe");
//! assert_eq!(first.season, 0);
//! let rest = simulation.run();
//! assert_eq!(rest.len(), 3);
//! let p0 = rest[2].value("p0").expect("a metric of every season");
//! assert!((0.0..=1.0).contains(&p0));
//! # Ok::<(), livelihoods::scenario::Problems>(())
//! ```

use crate::cpu::Cpu;
use crate::engine::{Execution, StepOptions, World, step_season};
use crate::metrics::SeasonMetrics;
use crate::model::season::Noise;
use crate::rng::RunKey;
use crate::scenario::Scenario;

/// How a [`Simulation`] computes its seasons; no choice here changes a number.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The instruction sets to compute with (default: the fastest this CPU runs).
    pub cpu: Cpu,
    /// Split each season's household phase over the threads of the current rayon pool.
    pub parallel: bool,
}

/// One replication of a scenario: its world, the season it is at and how it is computed.
#[derive(Clone, Debug)]
pub struct Simulation {
    scenario: Scenario,
    noise: Noise,
    world: World,
    run: RunKey,
    options: Options,
    /// The next season to simulate, spin-up seasons included.
    next: u32,
}

impl Simulation {
    /// Replication `replication` of `scenario` at its start (before the spin-up seasons).
    pub fn new(scenario: Scenario, replication: u32, options: Options) -> Self {
        let noise = Noise::new(&scenario.params);
        let world = World::new(&scenario, &noise, replication, options.cpu);
        let run = RunKey { seed: scenario.seed, replication };
        Self { scenario, noise, world, run, options, next: 0 }
    }

    /// Simulate up to the end of the next observed season (the spin-up seasons first, on
    /// the first call) and return its metrics; `None` once every season is observed.
    pub fn step(&mut self) -> Option<SeasonMetrics> {
        let spin_up = self.scenario.params.calendar.spin_up_seasons;
        if self.next >= spin_up + self.scenario.seasons {
            return None;
        }
        let keep = self.scenario.distribution_season.unwrap_or(self.scenario.seasons.saturating_sub(1));
        loop {
            let step = self.next;
            self.next += 1;
            let options = StepOptions {
                execution: Execution { cpu: self.options.cpu, parallel: self.options.parallel },
                keep_distribution: step.checked_sub(spin_up) == Some(keep),
            };
            let metrics = step_season(&mut self.world, &self.scenario, &self.noise, self.run, step, options);
            if metrics.is_some() {
                return metrics;
            }
        }
    }

    /// Simulate every season still to come and return their metrics, in order.
    pub fn run(mut self) -> Vec<SeasonMetrics> {
        std::iter::from_fn(|| self.step()).collect()
    }

    /// The observed seasons simulated so far.
    pub fn observed_seasons(&self) -> u32 {
        self.next.saturating_sub(self.scenario.params.calendar.spin_up_seasons)
    }

    /// The scenario simulated.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The world as it stands: households, villages, programme cost.
    pub fn world(&self) -> &World {
        &self.world
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Overrides;

    /// Stepping a simulation gives the bits of a replication run by the engine (which the
    /// `run` command writes), on one thread or several.
    #[test]
    fn a_simulation_steps_as_the_engine_runs_a_replication() {
        let mut s = crate::scenario::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/dw4fs.toml"
        )))
        .unwrap();
        s.apply(&Overrides { households: Some(4_000), seasons: Some(5), ..Overrides::default() }).unwrap();
        let noise = Noise::new(&s.params);
        let expected = crate::engine::run_replication(&s, &noise, 1, Execution::default(), &|| {});
        let bits = |runs: &[SeasonMetrics]| {
            runs.iter().map(|m| (m.values.map(f64::to_bits), m.distribution.clone())).collect::<Vec<_>>()
        };
        for parallel in [false, true] {
            let mut simulation = Simulation::new(s.clone(), 1, Options { parallel, ..Options::default() });
            let first = simulation.step().unwrap();
            assert_eq!(simulation.observed_seasons(), 1);
            let mut all = vec![first];
            all.extend(simulation.clone().run());
            assert_eq!(bits(&all), bits(&expected));
            let mut done = Simulation::new(s.clone(), 1, Options::default());
            while done.step().is_some() {}
            assert_eq!(done.observed_seasons(), 5);
            assert!(done.step().is_none());
        }
    }
}
