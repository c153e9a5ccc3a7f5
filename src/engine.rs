//! The season loop: the schedule of the model, written once.
//!
//! ```text
//! for each season:
//!   1. environment   El Niño year, village drought, maize price          (environment::draw)
//!   2. programme     targeting, capacity × government readiness, take-up (interventions::deliver)
//!   3–5. households  decisions, production and income, consumption       (model::lanes, by chunks)
//!   6. villages      readiness follows neighbours' results; cooperatives (Villages::update)
//!   7. observation   FGT, consumption, Gini, reach, cost                 (metrics)
//! ```
//!
//! Households read the village snapshot and their own committed state and write only their
//! own lanes of their chunk; the only cross-household reads (village adopter shares, cooperative state,
//! targeting ranks) happen outside the household phase on committed state. Households are
//! processed in fixed blocks of `BLOCK` in parallel; every sum is an integer, so results
//! are identical at any thread count.

use rayon::prelude::*;

use crate::cpu::Cpu;
use crate::interventions::{DeliveryCtx, Lottery, deliver_all};
use crate::metrics::{self, Accumulator, Lines, SeasonFacts, SeasonMetrics};
use crate::model::draws::{BATCH, Batch};
use crate::model::environment::{self, ElNino};
use crate::model::household::Flows;
use crate::model::households::{Chunk, Households};
use crate::model::lanes::{Columns, season_chunk};
use crate::model::population;
use crate::model::season::{Noise, ProgrammeLevels, SeasonConsts, SeasonCtx, Surrounds, VillageView};
use crate::model::village::Villages;
use crate::params::{Params, SeasonKind};
use crate::rng::RunKey;
use crate::scenario::Scenario;

/// Households per block of the household phase; fixed, never derived from the thread count.
pub(crate) const BLOCK: usize = 4096;

/// How a replication is computed; no choice here changes a number.
#[derive(Clone, Copy, Debug, Default)]
pub struct Execution {
    /// The instruction sets every season is computed with.
    pub cpu: Cpu,
    /// Split the household phase over the threads of the current rayon pool.
    pub parallel: bool,
}

/// How [`step_season`] computes a season and what it keeps beyond the metrics.
#[derive(Clone, Copy, Debug, Default)]
pub struct StepOptions {
    /// The code path and the threads.
    pub execution: Execution,
    /// Keep the season's consumption distribution in its metrics.
    pub keep_distribution: bool,
}

/// The state of one replication.
#[derive(Clone, Debug)]
pub struct World {
    /// Every household.
    pub households: Households,
    /// Every village.
    pub villages: Villages,
    /// Programme cost so far, rupiah.
    pub programme_cost_idr: f64,
    /// Land farmed by all households, m² (fixed).
    land_m2: u128,
    /// When the run follows households one by one (the virtual trial): each household's
    /// flows of the last season, in household order.
    pub flows: Option<Vec<Flows>>,
    /// When following: the lotteries of the last season, by intervention index.
    pub(crate) lotteries: Vec<(usize, Lottery)>,
    /// Keep the lotteries of the coming seasons (while following).
    pub keep_lotteries: bool,
    /// Enrolments so far (a household in two interventions counts twice).
    pub enrolments: u64,
    /// When following: the households enrolled in the last season (ids, in delivery order).
    pub entrants: Vec<u32>,
}

impl World {
    /// The initial world of `replication` of `scenario`, whose tables are `noise`, drawn on
    /// `cpu`'s path.
    pub fn new(scenario: &Scenario, noise: &Noise, replication: u32, cpu: Cpu) -> Self {
        let run = RunKey { seed: scenario.seed, replication };
        let villages = population::villages(&scenario.params, run);
        let households = population::households(&scenario.params, noise, run, &villages, cpu);
        Self {
            land_m2: metrics::land_m2(&households),
            households,
            villages,
            programme_cost_idr: 0.0,
            flows: None,
            lotteries: Vec::new(),
            keep_lotteries: false,
            enrolments: 0,
            entrants: Vec::new(),
        }
    }

    /// Follow households one by one from now on: keep every household's flows and every
    /// lottery of each season ([`World::flows`], [`World::lotteries`]).
    pub(crate) fn follow(&mut self) {
        self.flows = Some(vec![Flows::default(); self.households.len()]);
        self.keep_lotteries = true;
    }
}

/// Advance `world` by one season and observe it (`None` for a spin-up season, which is not
/// observed).
/// `step` counts every simulated season including the spin-up and keys the random draws;
/// the observed season (which the programme schedule and the output use) is
/// `step − calendar.spin_up_seasons`, and the programme runs only in observed seasons.
/// `options` say how (the result is the same whatever the path and threads) and whether
/// the metrics carry the season's consumption distribution.
pub fn step_season(
    world: &mut World,
    scenario: &Scenario,
    noise: &Noise,
    run: RunKey,
    step: u32,
    options: StepOptions,
) -> Option<SeasonMetrics> {
    let Execution { cpu, parallel } = options.execution;
    let observed = step.checked_sub(scenario.params.calendar.spin_up_seasons);
    // Government readiness may follow a schedule: the season's own parameters.
    let season_params = scenario.params.in_season(observed);
    let params = &*season_params;
    let kind = SeasonKind::of(step);
    let env = environment::draw(params, run, step);
    let levels = match observed {
        Some(s) => deliver_programme(world, scenario, params, run, cpu, s),
        None => ProgrammeLevels::default(),
    };

    let consts = SeasonConsts::new(params, kind);
    let views = VillageView::all(&world.villages, &env);
    let at =
        Surrounds { params, consts: &consts, noise, villages: &world.villages, env: &env, views: &views };
    let ctx = SeasonCtx::new(at, cpu, run, step, levels);
    // Spin-up seasons are not observed: only the village counts are summed.
    let lines = observed.map(|_| Lines::of_season(params, kind, env.maize_price_idr_per_kg));
    let villages = world.villages.len();
    let acc = households_phase(&mut world.households, world.flows.as_deref_mut(), &ctx, lines, parallel);
    world.villages.update(&acc.villages, params, run, step);
    let observed = observed?;
    let facts = SeasonFacts {
        season: observed,
        land_m2: world.land_m2,
        year: params.calendar.base_year + observed / 2,
        season_kind: kind.name(),
        programme_cost_idr: world.programme_cost_idr,
        maize_price_idr_per_kg: env.maize_price_idr_per_kg,
        el_nino: match env.el_nino {
            ElNino::None => 0.0,
            ElNino::Moderate => 1.0,
            ElNino::Strong => 2.0,
        },
        mean_community_readiness: world.villages.readiness.iter().map(|&r| f64::from(r)).sum::<f64>()
            / villages.max(1) as f64,
        coop_villages_share: world.villages.coop_exists.iter().filter(|&&e| e).count() as f64
            / villages.max(1) as f64,
    };
    let mut metrics = acc.finish(facts);
    if options.keep_distribution {
        metrics.distribution = acc.distribution();
    }
    Some(metrics)
}

/// Chunks per block of the household phase.
const CHUNKS_PER_BLOCK: usize = BLOCK / BATCH;

/// Ask for every cache line of `chunk` before its random numbers are drawn: its columns
/// arrive while the generator runs (each pass's first read of a column was a wait on
/// memory, most of all the herd-table lookup by head count).
#[inline(always)]
fn prefetch(chunk: &Chunk) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = std::ptr::from_ref(chunk).cast::<i8>();
        for offset in (0..size_of::<Chunk>()).step_by(64) {
            #[allow(unsafe_code)]
            // SAFETY: SSE, which `_mm_prefetch` needs, is part of every x86-64 CPU (the
            // target's baseline); a prefetch reads nothing and never faults, and the
            // address is inside `chunk` anyway.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = chunk;
}

/// Phases 3–5 for every household, in fixed blocks; returns the season's sums. Without
/// `lines` (a spin-up season) only the village counts are summed. With `flows` (one per
/// household) every household's flows are kept there.
fn households_phase(
    households: &mut Households,
    flows: Option<&mut [Flows]>,
    ctx: &SeasonCtx,
    lines: Option<Lines>,
    parallel: bool,
) -> Accumulator {
    let villages = ctx.villages.len();
    let block = |mut acc: Accumulator,
                 (b, (chunks, mut flows)): (usize, (&mut [Chunk], Option<&mut [Flows]>))| {
        let mut draws = Batch::new();
        let mut columns = Columns::default();
        for (k, chunk) in chunks.iter_mut().enumerate() {
            let first = b * BLOCK + k * BATCH;
            let len = chunk.len;
            prefetch(chunk);
            draws.fill(ctx, first as u32, len);
            let flows = flows.as_deref_mut().map(|f| &mut f[k * BATCH..k * BATCH + len]);
            season_chunk(chunk, &draws, ctx, lines, &mut columns, &mut acc, flows);
        }
        acc
    };
    let chunks = households.chunk_slice_mut();
    let flow_blocks: Vec<Option<&mut [Flows]>> = match flows {
        Some(f) => f.chunks_mut(BLOCK).map(Some).collect(),
        None => chunks.chunks(CHUNKS_PER_BLOCK).map(|_| None).collect(),
    };
    if parallel {
        chunks
            .par_chunks_mut(CHUNKS_PER_BLOCK)
            .zip(flow_blocks)
            .enumerate()
            .fold(|| Accumulator::new(villages), block)
            .reduce(|| Accumulator::new(villages), Accumulator::merge)
    } else {
        chunks
            .chunks_mut(CHUNKS_PER_BLOCK)
            .zip(flow_blocks)
            .enumerate()
            .fold(Accumulator::new(villages), block)
    }
}

/// The ceiling against which `livelihoods bench` judges the model's speed: every
/// replication of `scenario` through its simulated seasons with the model's own household
/// passes and nothing else: no programme, no village update, no metrics beyond the village
/// counts (as in a spin-up season). Returns the household-seasons counted, so that the work
/// cannot be optimised away; its numbers are not model results.
#[doc(hidden)]
pub fn households_only(scenario: &Scenario, cpu: Cpu) -> u64 {
    let noise = Noise::new(&scenario.params);
    let params = &scenario.params;
    let mut counted = 0;
    for replication in 0..scenario.replications {
        let run = RunKey { seed: scenario.seed, replication };
        let mut world = World::new(scenario, &noise, replication, cpu);
        for step in 0..scenario.simulated_seasons() {
            let kind = SeasonKind::of(step);
            let env = environment::draw(params, run, step);
            let consts = SeasonConsts::new(params, kind);
            let views = VillageView::all(&world.villages, &env);
            let at = Surrounds {
                params,
                consts: &consts,
                noise: &noise,
                villages: &world.villages,
                env: &env,
                views: &views,
            };
            let ctx = SeasonCtx::new(at, cpu, run, step, ProgrammeLevels::default());
            let acc = households_phase(&mut world.households, None, &ctx, None, true);
            counted += acc.villages.iter().map(|v| u64::from(v.households)).sum::<u64>();
        }
    }
    counted
}

/// Phase 2: every intervention in file order; returns the season's training levels.
fn deliver_programme(
    world: &mut World,
    scenario: &Scenario,
    params: &Params,
    run: RunKey,
    cpu: Cpu,
    season: u32,
) -> ProgrammeLevels {
    let mut levels = ProgrammeLevels::default();
    let ctx =
        DeliveryCtx { params, run, cpu, season, households: &world.households, follow: world.keep_lotteries };
    let delivered = deliver_all(&scenario.interventions, &ctx, &mut world.villages, &mut levels);
    world.lotteries.clear();
    world.entrants.clear();
    let follow = world.flows.is_some();
    for ((index, iv), delivered) in scenario.interventions.iter().enumerate().zip(delivered) {
        world.programme_cost_idr += delivered.cost_idr;
        world.enrolments += delivered.participants();
        if let Some(lottery) = delivered.lottery {
            world.lotteries.push((index, lottery));
        }
        for &id in &delivered.enrolled {
            world.households.enrol(id as usize, index, iv.kind.module_bit());
        }
        if follow {
            world.entrants.extend_from_slice(&delivered.enrolled);
        }
    }
    levels
}

/// Run one replication of `scenario` (whose tables are `noise`, [`Noise::new`]) through
/// all its seasons, as `execution` says. `on_season` is called after each season (for
/// progress reporting).
pub fn run_replication(
    scenario: &Scenario,
    noise: &Noise,
    replication: u32,
    execution: Execution,
    on_season: &(dyn Fn() + Sync),
) -> Vec<SeasonMetrics> {
    let run = RunKey { seed: scenario.seed, replication };
    let mut world = World::new(scenario, noise, replication, execution.cpu);
    let spin_up = scenario.params.calendar.spin_up_seasons;
    let options = |keep_distribution| StepOptions { execution, keep_distribution };
    for step in 0..spin_up {
        step_season(&mut world, scenario, noise, run, step, options(false));
    }
    let keep = scenario.distribution_season.unwrap_or(scenario.seasons.saturating_sub(1));
    (spin_up..spin_up + scenario.seasons)
        .map(|step| {
            let m = step_season(&mut world, scenario, noise, run, step, options(step - spin_up == keep));
            on_season();
            m.expect("seasons after the spin-up are observed")
        })
        .collect()
}
