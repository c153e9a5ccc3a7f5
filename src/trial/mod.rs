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
//!   their programme began (`OUTCOMES`, `GROUPS`, `HORIZONS`);
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

pub(crate) use outcomes::{DIMENSIONS, GROUPS, HORIZONS, OUTCOMES};
pub use sums::TrialSums;
pub(crate) use sums::{Arm, Exact, Level};

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
pub(crate) const COUNTERFACTUAL_SUFFIX: &str = "__no_programme";

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

    /// Simulated household-seasons, spin-up included: per group of units that share a
    /// counterfactual ([`run_reporting`]), one spin-up, the counterfactual's observed
    /// seasons once and every programme's.
    pub fn simulated_household_seasons(&self) -> u64 {
        spin_up_groups(&self.units())
            .iter()
            .map(|group| {
                let s = &self.worlds[group[0].world];
                let per_season = s.params.population.households * u64::from(s.replications);
                let twin = u64::from(group[0].counterfactual.is_some());
                let observed = (group.len() as u64 + twin) * u64::from(s.seasons);
                per_season * (u64::from(s.params.calendar.spin_up_seasons) + observed)
            })
            .sum()
    }

    /// The worlds run together per replication ([`run_reporting`]), each group with
    /// whether it is paired with a counterfactual.
    pub(crate) fn groups(&self) -> Vec<(Vec<usize>, bool)> {
        spin_up_groups(&self.units())
            .into_iter()
            .map(|g| (g.iter().map(|u| u.world).collect(), g[0].counterfactual.is_some()))
            .collect()
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
pub(crate) fn counterfactual_of(s: &Scenario) -> Scenario {
    let mut cf = s.clone();
    cf.interventions.clear();
    cf.name = format!("{}{COUNTERFACTUAL_SUFFIX}", s.name);
    cf.description = format!("the world of {} without its programme", s.name);
    cf
}

/// True if `a` and `b` simulate the same world: the same resolved parameters, seed,
/// replications and seasons, and no interventions in either.
pub(crate) fn same_world(a: &Scenario, b: &Scenario) -> bool {
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
/// can keep them even if the rest is never finished. The units of the plan run group after
/// group, the replications of each group in parallel; a group is the programmes measured
/// against the same counterfactual, which share their world until the programme starts:
/// per replication its spin-up is simulated once, and its counterfactual is stepped once a
/// season beside all of them. The results are those of each pair run on its own.
pub fn run_reporting(
    plan: Plan,
    threads: usize,
    on_season: &(dyn Fn() + Sync),
    on_world: &mut dyn FnMut(&ScenarioResult),
) -> Outcome {
    let noise: Vec<Noise> = plan.worlds.iter().map(|s| Noise::new(&s.params)).collect();
    let n = plan.worlds.len();
    let mut results: Vec<Option<ScenarioResult>> = vec![None; n];
    let mut sums: Vec<Vec<TrialSums>> = vec![Vec::new(); n];
    for group in spin_up_groups(&plan.units()) {
        let first = &plan.worlds[group[0].world];
        let worlds: Vec<(&Scenario, &Noise)> =
            group.iter().map(|u| (&plan.worlds[u.world], &noise[u.world])).collect();
        let cf = group[0].counterfactual.map(|c| (&plan.worlds[c], &noise[c]));
        let run_job = |r: u32, parallel: bool| {
            let execution = Execution { cpu: plan.cpu, parallel };
            let spun = spin_up(first, &noise[group[0].world], r, execution);
            replicate(&worlds, cf, spun, r, execution, on_season)
        };
        let reps = first.replications;
        let by_replication: Vec<Vec<Replication>> = match strategy(reps as usize, threads) {
            Strategy::Jobs => (0..reps).into_par_iter().map(|r| run_job(r, false)).collect(),
            Strategy::Households => (0..reps).map(|r| run_job(r, true)).collect(),
        };
        let mut by_unit: Vec<Vec<Replication>> =
            group.iter().map(|_| Vec::with_capacity(reps as usize)).collect();
        for replication in by_replication {
            for (k, r) in replication.into_iter().enumerate() {
                by_unit[k].push(r);
            }
        }
        for (unit, mine) in group.iter().zip(by_unit) {
            keep_unit(&plan, *unit, mine, &mut results, &mut sums, on_world);
        }
    }
    let results = results.into_iter().map(|r| r.expect("every world of the plan is run")).collect();
    Outcome { plan, results, sums }
}

/// The units in groups that share their world until the programme starts: the units with
/// the same counterfactual (a unit without one is its own group), in the order of their
/// first unit.
fn spin_up_groups(units: &[Unit]) -> Vec<Vec<Unit>> {
    let mut groups: Vec<(usize, Vec<Unit>)> = Vec::new();
    for unit in units {
        let key = unit.counterfactual.unwrap_or(unit.world);
        match groups.iter_mut().find(|(k, _)| *k == key && unit.counterfactual.is_some()) {
            Some((_, group)) => group.push(*unit),
            None => groups.push((key, vec![*unit])),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// Store the replications of `unit` (and, the first time, its counterfactual's) in
/// `results` and `sums`, and report each world done.
fn keep_unit(
    plan: &Plan,
    unit: Unit,
    mut mine: Vec<Replication>,
    results: &mut [Option<ScenarioResult>],
    sums: &mut [Vec<TrialSums>],
    on_world: &mut dyn FnMut(&ScenarioResult),
) {
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
    let result =
        ScenarioResult { scenario: plan.worlds[unit.world].clone(), summary: summarise(&runs), runs };
    on_world(&result);
    results[unit.world] = Some(result);
}

/// The sums of a counterfactual world followed alone: its dynamics in the first place.
fn counterfactual_dynamics(pair: &TrialSums) -> TrialSums {
    TrialSums::dynamics_only(pair.dynamics[1])
}

/// The world of `scenario`'s replication `replication` at the end of its spin-up. The
/// programme acts only in observed seasons: until then a programme's world, its
/// counterfactual and every other programme measured against that counterfactual are the
/// same world, simulated once.
fn spin_up(scenario: &Scenario, noise: &Noise, replication: u32, execution: Execution) -> World {
    let run = RunKey { seed: scenario.seed, replication };
    let mut world = World::new(scenario, noise, replication, execution.cpu);
    for step in 0..scenario.params.calendar.spin_up_seasons {
        step_season(
            &mut world,
            scenario,
            noise,
            run,
            step,
            StepOptions { execution, keep_distribution: false },
        );
    }
    world
}

/// One replication of each of `worlds` (scenario and tables) from `spun`, their state at
/// the end of the spin-up, beside their common counterfactual when given: the
/// counterfactual is stepped once a season for all of them, and each programme's panel
/// compares its households with the counterfactual's.
fn replicate(
    worlds: &[(&Scenario, &Noise)],
    counterfactual: Option<(&Scenario, &Noise)>,
    spun: World,
    replication: u32,
    execution: Execution,
    on_season: &(dyn Fn() + Sync),
) -> Vec<Replication> {
    let first = worlds[0].0;
    let run = RunKey { seed: first.seed, replication };
    let params = &first.params;
    let options = |keep_distribution| StepOptions { execution, keep_distribution };
    let spin_up = params.calendar.spin_up_seasons;
    let mut twin = counterfactual.map(|(cf, _)| {
        for (scenario, _) in worlds {
            assert!(
                cf.params == scenario.params && cf.seed == scenario.seed && cf.seasons == scenario.seasons,
                "a counterfactual shares its world"
            );
        }
        let mut twin = spun.clone();
        twin.follow();
        twin
    });
    let paired = twin.is_some();
    // Households are classed at the start by the lines of a normal year's first season.
    let lines = Lines::of_season(params, SeasonKind::Wet, params.expected_maize_price_idr_per_kg());
    let mut states: Vec<World> = worlds
        .iter()
        .map(|_| {
            let mut world = spun.clone();
            if paired {
                world.follow();
            }
            world
        })
        .collect();
    let seasons = first.seasons;
    let mut panels: Vec<Panel> = states.iter().map(|w| Panel::new(w, lines, paired, seasons)).collect();
    let keep = first.distribution_season.unwrap_or(seasons.saturating_sub(1));
    let mut metrics: Vec<Vec<SeasonMetrics>> =
        worlds.iter().map(|_| Vec::with_capacity(seasons as usize)).collect();
    let mut cf_metrics = Vec::with_capacity(if paired { seasons as usize } else { 0 });
    for step in spin_up..spin_up + seasons {
        let observed = step - spin_up;
        for ((world, (scenario, noise)), metrics) in states.iter_mut().zip(worlds).zip(&mut metrics) {
            let m = step_season(world, scenario, noise, run, step, options(observed == keep));
            metrics.push(m.expect("seasons after the spin-up are observed"));
            on_season();
        }
        if let (Some(t), Some((cf, noise))) = (twin.as_mut(), counterfactual) {
            let m = step_season(t, cf, noise, run, step, options(observed == keep));
            cf_metrics.push(m.expect("seasons after the spin-up are observed"));
            // Progress counts a pair's two worlds for every programme.
            worlds.iter().for_each(|_| on_season());
        }
        let kind = SeasonKind::of(step);
        let lines = Lines::of_observed(params, metrics[0].last().expect("this season's metrics"));
        for (world, panel) in states.iter_mut().zip(&mut panels) {
            panel.observe(
                observed,
                params.months(kind),
                kind == SeasonKind::Wet,
                lines,
                world,
                twin.as_ref(),
            );
            world.keep_lotteries &= !panel.has_arms();
        }
    }
    states
        .iter()
        .zip(panels)
        .zip(metrics)
        .map(|((world, panel), metrics)| Replication {
            metrics,
            counterfactual: paired.then(|| cf_metrics.clone()),
            sums: panel.finish(world),
        })
        .collect()
}
