//! The virtual trial: every programme against its own world.
//!
//! For every scenario with interventions, its **counterfactual** is the same resolved
//! scenario with every intervention removed: the same world (readiness, climate, prices,
//! households), the same seed and replications. Common random numbers give every household
//! of the programme world an exact twin in the counterfactual: the same traits and the same
//! shocks, so any difference between the two is the programme's doing. A replication steps
//! the two worlds side by side (lockstep) and compares twins season by season:
//!
//! * **effects on participants** (per module and in any module), on non-participants in
//!   villages with participants (spillover) and on households elsewhere, by years since
//!   their programme began ([`OUTCOMES`], [`GROUPS`], [`HORIZONS`]);
//! * what a **randomised trial** of the same programme would estimate, where invitations are
//!   drawn by lottery: invited against eligible-but-not-invited (intention to treat) and the
//!   effect of taking part with the invitation as instrument (Wald);
//! * **for whom**: poverty in both worlds by initial poverty, location, land, household
//!   size, village readiness and participation;
//! * **poverty dynamics**: chronic and transient poverty, entries and exits, exits that last
//!   two years.
//!
//! A counterfactual whose resolved parameters equal the baseline's *is* the baseline: its
//! district figures are not computed twice. Scenarios without interventions are followed
//! for their poverty dynamics only.

pub mod evidence;
mod outcomes;
mod panel;
mod sums;
pub mod tables;

pub use outcomes::{DIMENSIONS, GROUPS, HORIZONS, MODULES, NEAR_POOR_MULTIPLE, OUTCOMES, outcome_index};
pub use sums::{Arm, Dynamics, Exact, Level, TrialSums};

use rayon::prelude::*;

use crate::cpu::Cpu;
use crate::engine::{Execution, StepOptions, World, step_season};
use crate::metrics::{Lines, SeasonMetrics};
use crate::model::season::Noise;
use crate::params::SeasonKind;
use crate::rng::RunKey;
use crate::runner::{ScenarioResult, Strategy, strategy};
use crate::scenario::Scenario;
use crate::summary::summarise;
use panel::Panel;

/// Suffix of a counterfactual's name: `<scenario><suffix>`.
pub const COUNTERFACTUAL_SUFFIX: &str = "__no_programme";

/// The scenarios of a comparison with the worlds they are measured against.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The compared scenarios in the order given, then the counterfactual worlds that are
    /// none of them.
    pub worlds: Vec<Scenario>,
    /// Index of the baseline among `worlds`.
    pub baseline: usize,
    /// For each world with interventions, the index of its counterfactual.
    pub counterfactual: Vec<Option<usize>>,
    /// Worlds given by the user (the rest are derived counterfactuals).
    pub given: usize,
    /// The instruction sets the plan is computed with (the fastest this CPU runs unless
    /// set; no choice changes a number).
    pub cpu: Cpu,
}

impl Plan {
    /// Pair every scenario of `scenarios` that has interventions with its counterfactual;
    /// `baseline` indexes `scenarios`.
    pub fn new(scenarios: Vec<Scenario>, baseline: usize) -> Self {
        let given = scenarios.len();
        let mut worlds = scenarios;
        let mut counterfactual = vec![None; given];
        for p in 0..given {
            if worlds[p].interventions.is_empty() {
                continue;
            }
            let cf = counterfactual_of(&worlds[p]);
            let existing = worlds.iter().position(|w| same_world(&cf, w));
            let index = existing.unwrap_or_else(|| {
                worlds.push(cf);
                worlds.len() - 1
            });
            counterfactual[p] = Some(index);
        }
        counterfactual.resize(worlds.len(), None);
        Self { worlds, baseline, counterfactual, given, cpu: Cpu::best() }
    }

    /// True if world `i` was derived as a counterfactual.
    pub fn is_derived(&self, i: usize) -> bool {
        i >= self.given
    }

    /// World-seasons to simulate (observed), for progress reporting.
    pub fn world_seasons(&self) -> u64 {
        self.units()
            .iter()
            .map(|u| {
                let s = &self.worlds[u.world];
                let worlds = if u.counterfactual.is_some() { 2 } else { 1 };
                worlds * u64::from(s.seasons) * u64::from(s.replications)
            })
            .sum()
    }

    /// Simulated household-seasons, spin-up included.
    pub fn simulated_household_seasons(&self) -> u64 {
        self.units()
            .iter()
            .map(|u| {
                let worlds = if u.counterfactual.is_some() { 2 } else { 1 };
                worlds * self.worlds[u.world].simulated_household_seasons()
            })
            .sum()
    }

    /// What is run: a pair for every programme, a single world for every world that is
    /// nobody's counterfactual.
    fn units(&self) -> Vec<Unit> {
        let mut units: Vec<Unit> = (0..self.worlds.len())
            .filter_map(|w| self.counterfactual[w].map(|cf| Unit { world: w, counterfactual: Some(cf) }))
            .collect();
        for w in 0..self.worlds.len() {
            if self.counterfactual[w].is_none() && !self.counterfactual.contains(&Some(w)) {
                units.push(Unit { world: w, counterfactual: None });
            }
        }
        units
    }
}

/// Bytes for the memory guard ([`crate::runner`]): what a replication of `s` holds beyond
/// its worlds' rows while it runs (each household followed, with its flows in every
/// followed world, and the sums by season) and what it keeps until the results are written
/// (its sums, twice for a pair: the counterfactual's dynamics are kept apart).
pub(crate) fn replication_bytes(s: &Scenario, paired: bool) -> (u64, u64) {
    use std::mem::size_of;
    let households = s.params.population.households;
    let flows = if paired { 2 * size_of::<crate::model::household::Flows>() as u64 } else { 0 };
    let seasons = u64::from(s.seasons);
    let work = seasons * (GROUPS.len() * size_of::<Exact>() + 2 * size_of::<Arm>()) as u64
        + (outcomes::N_CELLS * size_of::<Level>()) as u64;
    let running = households * (panel::FOLLOWED_BYTES as u64 + flows) + work;
    let sums = (size_of::<TrialSums>()
        + GROUPS.len() * HORIZONS.len() * size_of::<Exact>()
        + outcomes::N_LEVELS * size_of::<Level>()) as u64;
    (running, if paired { 2 * sums } else { sums })
}

/// The counterfactual of `s`: the same scenario without its interventions.
pub fn counterfactual_of(s: &Scenario) -> Scenario {
    let mut cf = s.clone();
    cf.interventions.clear();
    cf.name = format!("{}{COUNTERFACTUAL_SUFFIX}", s.name);
    cf.description = format!("the world of {} without its programme", s.name);
    cf
}

/// True if `a` and `b` simulate the same world: the same resolved parameters, seed,
/// replications and seasons, and no interventions in either.
pub fn same_world(a: &Scenario, b: &Scenario) -> bool {
    a.interventions.is_empty()
        && b.interventions.is_empty()
        && a.params == b.params
        && a.seed == b.seed
        && a.replications == b.replications
        && a.seasons == b.seasons
}

/// One thing to run per replication: a world, with its counterfactual beside it.
#[derive(Clone, Copy, Debug)]
struct Unit {
    world: usize,
    counterfactual: Option<usize>,
}

/// What one replication of a unit gives.
struct Replication {
    metrics: Vec<SeasonMetrics>,
    counterfactual: Option<Vec<SeasonMetrics>>,
    sums: TrialSums,
}

/// The results of a comparison.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The plan run.
    pub plan: Plan,
    /// Per world of the plan.
    pub results: Vec<ScenarioResult>,
    /// Per world, per replication: the trial's sums (for a programme: twins, arms, levels,
    /// dynamics of both worlds; for any other world its dynamics in `dynamics[0]`).
    pub sums: Vec<Vec<TrialSums>>,
}

/// Run the plan on the current rayon pool of `threads` threads; `on_season` is called
/// after every observed season of every world stepped.
pub fn run(plan: Plan, threads: usize, on_season: &(dyn Fn() + Sync)) -> Outcome {
    run_reporting(plan, threads, on_season, &mut |_| {})
}

/// [`run`], calling `on_world` with the results of each world as soon as all its
/// replications are done (a programme and its counterfactual together), so that a caller
/// can keep them even if the rest is never finished. The units of the plan run one after
/// another, the replications of each in parallel; the results are the same.
pub fn run_reporting(
    plan: Plan,
    threads: usize,
    on_season: &(dyn Fn() + Sync),
    on_world: &mut dyn FnMut(&ScenarioResult),
) -> Outcome {
    let units = plan.units();
    let noise: Vec<Noise> = plan.worlds.iter().map(|s| Noise::new(&s.params)).collect();
    let n = plan.worlds.len();
    let mut results: Vec<Option<ScenarioResult>> = vec![None; n];
    let mut sums: Vec<Vec<TrialSums>> = vec![Vec::new(); n];
    for unit in &units {
        let scenario = &plan.worlds[unit.world];
        let cf = unit.counterfactual.map(|c| (&plan.worlds[c], &noise[c]));
        let run_job = |r: u32, parallel: bool| {
            let execution = Execution { cpu: plan.cpu, parallel };
            replicate(scenario, &noise[unit.world], cf, r, execution, on_season)
        };
        let reps = scenario.replications;
        let mut mine: Vec<Replication> = match strategy(reps as usize, threads) {
            Strategy::Jobs => (0..reps).into_par_iter().map(|r| run_job(r, false)).collect(),
            Strategy::Households => (0..reps).map(|r| run_job(r, true)).collect(),
        };
        if let Some(c) = unit.counterfactual
            && results[c].is_none()
        {
            // The first pair of a counterfactual gives its figures (every pair gives the
            // same ones).
            let runs: Vec<Vec<SeasonMetrics>> =
                mine.iter_mut().map(|r| r.counterfactual.take().expect("a pair")).collect();
            sums[c] = mine.iter().map(|r| counterfactual_dynamics(&r.sums)).collect();
            let result = ScenarioResult { scenario: plan.worlds[c].clone(), summary: summarise(&runs), runs };
            on_world(&result);
            results[c] = Some(result);
        }
        let runs: Vec<Vec<SeasonMetrics>> = mine.iter_mut().map(|r| std::mem::take(&mut r.metrics)).collect();
        sums[unit.world] = mine.into_iter().map(|r| r.sums).collect();
        let result = ScenarioResult { scenario: scenario.clone(), summary: summarise(&runs), runs };
        on_world(&result);
        results[unit.world] = Some(result);
    }
    let results = results.into_iter().map(|r| r.expect("every world of the plan is run")).collect();
    Outcome { plan, results, sums }
}

/// The sums of a counterfactual world followed alone: its dynamics in the first place.
fn counterfactual_dynamics(pair: &TrialSums) -> TrialSums {
    TrialSums::dynamics_only(pair.dynamics[1])
}

/// One replication of `scenario`, beside its counterfactual when given.
fn replicate(
    scenario: &Scenario,
    noise: &Noise,
    counterfactual: Option<(&Scenario, &Noise)>,
    replication: u32,
    execution: Execution,
    on_season: &(dyn Fn() + Sync),
) -> Replication {
    let run = RunKey { seed: scenario.seed, replication };
    let params = &scenario.params;
    let mut world = World::new(scenario, noise, replication, execution.cpu);
    let options = |keep_distribution| StepOptions { execution, keep_distribution };
    let spin_up = params.calendar.spin_up_seasons;
    // The programme acts only in observed seasons: until then its world and the
    // counterfactual are the same world, simulated once.
    for step in 0..spin_up {
        step_season(&mut world, scenario, noise, run, step, options(false));
    }
    let mut twin = counterfactual.map(|(cf, _)| {
        assert!(
            cf.params == scenario.params && cf.seed == scenario.seed,
            "a counterfactual shares its world"
        );
        world.clone()
    });
    let line = params.poverty.line_idr_per_capita_month;
    let lines = Lines::new(line, line * params.poverty.food_share);
    let paired = twin.is_some();
    if paired {
        world.follow();
    }
    if let Some(t) = twin.as_mut() {
        t.follow();
    }
    let mut panel = Panel::new(&world, lines, paired, scenario.seasons);
    let keep = scenario.distribution_season.unwrap_or(scenario.seasons.saturating_sub(1));
    let mut metrics = Vec::with_capacity(scenario.seasons as usize);
    let mut cf_metrics = Vec::with_capacity(if paired { scenario.seasons as usize } else { 0 });
    for step in spin_up..spin_up + scenario.seasons {
        let observed = step - spin_up;
        let m = step_season(&mut world, scenario, noise, run, step, options(observed == keep));
        metrics.push(m.expect("seasons after the spin-up are observed"));
        on_season();
        if let (Some(t), Some((cf, noise))) = (twin.as_mut(), counterfactual) {
            let m = step_season(t, cf, noise, run, step, options(observed == keep));
            cf_metrics.push(m.expect("seasons after the spin-up are observed"));
            on_season();
        }
        let kind = SeasonKind::of(step);
        panel.observe(observed, params.months(kind), kind == SeasonKind::Wet, &world, twin.as_ref());
        world.keep_lotteries &= !panel.has_arms();
    }
    let sums = panel.finish(&world);
    Replication { metrics, counterfactual: paired.then_some(cf_metrics), sums }
}
