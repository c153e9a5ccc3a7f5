//! The household season for a chunk of households at once ([`Chunk`], the households'
//! columns): every household, whether or not it takes part in a module this season, goes
//! through the same passes (`passes`), compiled for the run's [`crate::cpu::Cpu`] path.
//!
//! Here: the chunk's working columns (what the passes compute, and what the chunk does not
//! hold: the village views, the random words and herd tables, enterprise demand), the
//! dispatch to the path's compiled passes, and what the season adds to the sums and to the
//! households' flows.
//!
//! A pass whose loop reads and writes several columns of [`Columns`] (of different element
//! types, such as a `bool` and an `f64` column) may be compiled with a run-time overlap
//! check between them, and LLVM merges the columns of one struct into one address range
//! per group: the check then fails on every chunk and the scalar copy of the loop runs
//! (seen in `income` and the budget's inputs on the AVX2 path). Such a pass
//! takes the columns it touches as separate references (`income_lanes`, `budget_inputs`),
//! which the compiler knows do not overlap: no check, and the vector loop runs.

mod passes;

use std::ops::Range;

use crate::metrics::{Accumulator, Lines, Terms};
use crate::model::budget::Lanes;
use crate::model::draws::{self, BATCH, Batch, Word};
use crate::model::household::{Flows, Sources, flag};
use crate::model::households::Chunk;
use crate::model::season::{SeasonCtx, VillageView};
use crate::rng::{LognormalTable, unit};

/// Phases 3–5 of the season for the households of `chunk`, whose numbers are `draws`, with `columns` as working space, added to `acc` (with `lines`; only the
/// village counts without). With `flows` (one per household of the chunk) each
/// household's [`Flows`] are kept there.
pub(crate) fn season_chunk(
    chunk: &mut Chunk,
    draws: &Batch,
    ctx: &SeasonCtx,
    lines: Option<Lines>,
    columns: &mut Columns,
    acc: &mut Accumulator,
    flows: Option<&mut [Flows]>,
) {
    let len = chunk.len;
    columns.len = len;
    columns.dispatch(chunk, draws, ctx, lines);
    acc.add_batch(&columns.terms, lines.is_some(), columns.village, &chunk.village[..len]);
    if let Some(flows) = flows {
        columns.store_flows(flows);
    }
}

/// A chunk's working columns: what the season reads besides the chunk (its village, its
/// herd tables, its random words and demand), then what the passes compute.
pub(crate) struct Columns {
    /// Households in the chunk.
    len: usize,
    /// The village of every household of the chunk, if they share one.
    village: Option<u16>,
    /// Took part in at least one module this season.
    took_part: [bool; BATCH],
    /// Cash paid for a trainee's start-up this season (0 or negative).
    start_cash: [f64; BATCH],
    village_readiness: [f64; BATCH],
    adopter_share: [f64; BATCH],
    coop_exists: [bool; BATCH],
    governance: [f64; BATCH],
    yield_multiplier: [f64; BATCH],
    herd_survival: [f64; BATCH],
    herd_calf: [f64; BATCH],
    decision: [[u32; BATCH]; 4],
    demand: [f64; BATCH],
    practice_rate: [f64; BATCH],
    join_rate: [f64; BATCH],
    exit_rate: [f64; BATCH],
    practice_probability: [f64; BATCH],
    join_probability: [f64; BATCH],
    exit_probability: [f64; BATCH],
    adopted: [bool; BATCH],
    disadopted: [bool; BATCH],
    ill: [bool; BATCH],
    cash_flow: [f64; BATCH],
    /// Maize income net of input costs (wet season; 0 in the dry season).
    net: [f64; BATCH],
    /// Cattle offtake, seaweed, wages and enterprise profit of the season ([`Sources`]).
    sources: [[f64; BATCH]; 4],
    harvest_kg: [f64; BATCH],
    budget: Lanes,
    terms: Terms,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            len: 0,
            village: None,
            took_part: [false; BATCH],
            start_cash: [0.0; BATCH],
            village_readiness: [0.0; BATCH],
            adopter_share: [0.0; BATCH],
            coop_exists: [false; BATCH],
            governance: [0.0; BATCH],
            yield_multiplier: [0.0; BATCH],
            herd_survival: [0.0; BATCH],
            herd_calf: [0.0; BATCH],
            decision: [[0; BATCH]; 4],
            demand: [0.0; BATCH],
            practice_rate: [0.0; BATCH],
            join_rate: [0.0; BATCH],
            exit_rate: [0.0; BATCH],
            practice_probability: [0.0; BATCH],
            join_probability: [0.0; BATCH],
            exit_probability: [0.0; BATCH],
            adopted: [false; BATCH],
            disadopted: [false; BATCH],
            ill: [false; BATCH],
            cash_flow: [0.0; BATCH],
            net: [0.0; BATCH],
            sources: [[0.0; BATCH]; 4],
            harvest_kg: [0.0; BATCH],
            budget: Lanes::default(),
            terms: Terms::default(),
        }
    }
}

impl Columns {
    /// Load what the chunk does not hold: the village views, the herd-table entries of
    /// every household's head count, and every household's `Decision` block.
    #[inline(always)]
    fn load(&mut self, s: &Chunk, draws: &Batch, ctx: &SeasonCtx) {
        let first_village = s.village[0];
        // Nearly always: neighbours live in one village, whose view every lane then holds.
        // (The OR of the differences, without the short circuit of `all`: one vector
        // reduction.)
        let one_village = s.village.iter().fold(0, |d, &v| d | (v ^ first_village)) == 0;
        if one_village {
            self.village_view(0..BATCH, ctx.village(first_village));
        } else {
            for (j, &v) in s.village.iter().enumerate() {
                self.village_view(j..j + 1, ctx.village(v));
            }
        }
        self.village = one_village.then_some(first_village);
        let consts = ctx.consts;
        for j in 0..BATCH {
            // Head counts are below 256 (the tables' length): the mask only tells the
            // compiler so.
            let head = (s.cattle_head[j] & 0xFF) as usize;
            self.herd_survival[j] = consts.herd_survival[head];
            self.herd_calf[j] = consts.herd_calf[head];
        }
        // Drawn for every household (sixteen blocks per instruction with AVX-512): cheaper
        // than finding the enterprises and trainees first.
        draws::decisions(ctx, draws.first, &mut self.decision, self.len);
    }

    /// Copy `village` into the village columns of `lanes`.
    #[inline(always)]
    fn village_view(&mut self, lanes: Range<usize>, village: &VillageView) {
        self.village_readiness[lanes.clone()].fill(village.readiness);
        self.adopter_share[lanes.clone()].fill(village.adopter_share);
        self.coop_exists[lanes.clone()].fill(village.coop_exists);
        self.governance[lanes.clone()].fill(village.governance);
        self.yield_multiplier[lanes].fill(village.yield_multiplier);
    }

    /// The enterprise demand of the households that may run an enterprise this season (one
    /// runs, or can afford the start its draw calls for): a few in a chunk, sampled
    /// together. The other lanes keep values that no pass reads.
    #[inline(always)]
    fn sample_demand(&mut self, s: &Chunk, draws: &Batch, ctx: &SeasonCtx) {
        let start_probability = ctx.consts.enterprise_start_probability;
        let start_capital = ctx.params.enterprise.start_capital_idr;
        let (lanes, k) = lanes_where(self.len, |j| {
            let starts = (unit(draws.words(Word::SpontaneousStart)[j]) < start_probability)
                & (s.savings_idr[j] >= start_capital);
            (s.flags[j] & u32::from(flag::ENTERPRISE) != 0) | starts
        });
        sample_lanes(
            ctx,
            &ctx.noise.demand,
            &self.decision[const { Word::Demand.decision() }],
            &lanes[..k],
            &mut self.demand,
        );
    }

    /// [`Columns::season`] compiled for the run's path ([`SeasonCtx::cpu`]): `pulp`
    /// compiles the inlined passes with every feature of the path's token, which it made
    /// only after detecting them.
    fn dispatch(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx, lines: Option<Lines>) {
        #[cfg(target_arch = "x86_64")]
        if let Some(v4) = ctx.cpu.v4() {
            return v4.vectorize(
                #[inline(always)]
                || self.season(s, draws, ctx, lines),
            );
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(v3) = ctx.cpu.v3() {
            return v3.vectorize(
                #[inline(always)]
                || self.season(s, draws, ctx, lines),
            );
        }
        self.season(s, draws, ctx, lines);
    }

    /// The load and the passes of the season.
    #[inline(always)]
    fn season(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx, lines: Option<Lines>) {
        self.load(s, draws, ctx);
        self.run(s, draws, ctx, lines);
    }

    /// Every household's [`Flows`] into `flows`.
    fn store_flows(&self, flows: &mut [Flows]) {
        for (j, f) in flows.iter_mut().enumerate().take(self.len) {
            let income = Sources {
                maize_idr: self.net[j],
                cattle_idr: self.sources[0][j],
                seaweed_idr: self.sources[1][j],
                wages_idr: self.sources[2][j],
                enterprise_idr: self.sources[3][j],
            };
            *f = Flows::new(&income, self.harvest_kg[j], self.budget.interest[j]);
        }
    }
}

/// The lanes among the first `n` for which `need` holds, ascending, and how many there are
/// (the rest of the array is not meaningful).
#[inline(always)]
pub(crate) fn lanes_where(n: usize, need: impl Fn(usize) -> bool) -> ([usize; BATCH], usize) {
    let (mut lanes, mut k) = ([0; BATCH], 0);
    for j in 0..n {
        // Without a branch: whether a lane is needed varies from one to the next.
        lanes[k] = j;
        k += usize::from(need(j));
    }
    (lanes, k)
}

/// `out[j] = table.sample(words[j])` for every lane `j` of `lanes`, sampled together
/// ([`LognormalTable::sample_all`]); the other lanes of `out` are left as they were.
pub(crate) fn sample_lanes(
    ctx: &SeasonCtx,
    table: &LognormalTable,
    words: &[u32; BATCH],
    lanes: &[usize],
    out: &mut [f64; BATCH],
) {
    let k = lanes.len();
    let mut picked = [0; BATCH];
    for (w, &j) in picked.iter_mut().zip(lanes) {
        *w = words[j];
    }
    let mut sampled = [0.0; BATCH];
    table.sample_all(ctx.cpu, &picked[..k], &mut sampled[..k]);
    for (&j, &x) in lanes.iter().zip(&sampled) {
        out[j] = x;
    }
}

/// `flag` if `on`, else 0.
#[inline(always)]
fn bit(on: bool, flag: u8) -> u32 {
    u32::from(on) * u32::from(flag)
}

/// What one season did to a few households ([`step_rows`]).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Stepped {
    /// Their rows after the season.
    pub(crate) rows: Vec<crate::model::household::Household>,
    /// Their flows.
    pub(crate) flows: Vec<Flows>,
    /// Per household: the season's net cash income and consumption, rupiah.
    pub(crate) budgets: Vec<(f64, f64)>,
    /// The season's sums.
    pub(crate) acc: Accumulator,
}

/// One season of the households `rows` (at most [`BATCH`], numbered from `first`) through
/// the passes, on `ctx`'s path: a view for tests that follow a few households.
#[cfg(test)]
pub(crate) fn step_rows(
    rows: &[crate::model::household::Household],
    first: u32,
    ctx: &SeasonCtx,
    lines: Option<Lines>,
) -> Stepped {
    let mut chunk = Chunk::of(rows);
    let draws = Batch::draw(ctx, first, rows.len());
    let mut acc = Accumulator::new(ctx.villages.len());
    let mut flows = vec![Flows::default(); rows.len()];
    let mut columns = Columns::default();
    season_chunk(&mut chunk, &draws, ctx, lines, &mut columns, &mut acc, Some(&mut flows));
    let b = &columns.budget;
    Stepped {
        rows: (0..rows.len()).map(|j| chunk.get(j)).collect(),
        flows,
        budgets: (0..rows.len()).map(|j| (b.income[j], b.consumption[j])).collect(),
        acc,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::fixture::{self, Fixture, household};
    use crate::model::household::{Household, module};
    use crate::model::season::ProgrammeLevels;

    fn levels() -> ProgrammeLevels {
        ProgrammeLevels {
            production_skill: 0.8,
            business_skill: 0.7,
            start_probability: 0.5,
            finance_skill: 0.6,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every path computes the same rows, flows and sums, bit for bit: wet and dry
        /// seasons, with and without a cooperative, observed or not, in one village or two,
        /// with households taking part in modules; budgets with loans, cattle sales,
        /// restocking and arrears.
        #[test]
        fn every_path_steps_a_chunk_to_the_same_bits(
            batch in proptest::collection::vec((household(), prop_oneof![6 => Just(0u8), 1 => 1u8..16]), 1..=BATCH),
            season in 0u32..4,
            coop in any::<bool>(),
            observed in any::<bool>(),
            one_village in any::<bool>(),
            seed in any::<u64>(),
            first in 0..u32::MAX - BATCH as u32,
            params in fixture::params(),
            around in fixture::surroundings(),
        ) {
            let fixture = Fixture::varied(season, coop, params, &around);
            let village = batch[0].0.village;
            let rows: Vec<Household> = batch
                .iter()
                .map(|&(h, offers)| Household { offers, village: if one_village { village } else { h.village }, ..h })
                .collect();
            let lines = observed.then(|| Lines::new(600_000.0, 450_000.0));
            let results: Vec<String> = crate::cpu::Cpu::available()
                .into_iter()
                .map(|cpu| {
                    let ctx = SeasonCtx { cpu, ..fixture.ctx(seed, levels()) };
                    format!("{:?}", step_rows(&rows, first, &ctx, lines))
                })
                .collect();
            // Debug output tells every two different numbers apart (shortest round trip).
            for r in &results[1..] {
                prop_assert_eq!(r, &results[0]);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Money is conserved through a season: the change in savings minus debt equals the
        /// season's net cash income minus consumption; no stock becomes negative or NaN, and
        /// skills stay in [0, 1].
        #[test]
        fn a_season_conserves_money_and_keeps_stocks_valid(
            start in household(),
            offers in 0u8..16,
            season in 0u32..40,
            id in any::<u32>(),
            coop in any::<bool>(),
            seed in any::<u64>(),
        ) {
            let fixture = Fixture::new(season, coop);
            let all = ProgrammeLevels { production_skill: 1.0, business_skill: 1.0, start_probability: 0.18, finance_skill: 1.0 };
            let ctx = fixture.ctx(seed, all);
            let start = Household { offers, ..start };
            let stepped = step_rows(&[start], id.min(u32::MAX - 1), &ctx, None);
            let (h, budget) = (stepped.rows[0], stepped.budgets[0]);
            let before = start.savings_idr - start.debt_idr;
            let after = h.savings_idr - h.debt_idr;
            let flow = budget.0 - budget.1;
            let scale = 1.0 + start.savings_idr.abs() + start.debt_idr.abs() + budget.1.abs() + budget.0.abs();
            prop_assert!((after - before - flow).abs() <= 1e-9 * scale, "Δ {} vs flow {}", after - before, flow);
            for x in [h.savings_idr, h.debt_idr, budget.1, f64::from(h.consumption_pc_idr_month), f64::from(h.expected_income_idr_month)] {
                prop_assert!(x.is_finite() && x >= 0.0, "{x}");
            }
            for s in [h.farm_skill, h.business_skill, h.finance_skill] {
                prop_assert!((0.0..=1.0).contains(&s));
            }
            prop_assert!(stepped.flows[0].income_idr.iter().all(|x| x.is_finite()));
            prop_assert_eq!(h.offers, 0);
            prop_assert_eq!(h.participated, start.participated | offers);
        }
    }

    /// A trainee of every module is raised to the season's levels, becomes a member where
    /// the village has a cooperative, and is counted as a participant; its neighbour, which
    /// takes part in nothing, is not.
    #[test]
    fn taking_part_raises_skills_and_counts_the_participant() {
        let fixture = Fixture::new(0, true);
        let ctx = fixture.ctx(7, levels());
        let base = Household { members: 4, land_ha: 0.5, daily_wages_idr: 50_000.0, ..Household::default() };
        let trainee =
            Household { offers: module::PRODUCTION | module::COOPERATIVE | module::FINANCE, ..base };
        let stepped = step_rows(&[trainee, base], 0, &ctx, Some(Lines::new(600_000.0, 450_000.0)));
        let rows = &stepped.rows;
        let decay = |x: f32, r: f32| x * r;
        let c = ctx.consts;
        assert!(rows[0].farm_skill >= decay(0.8, 1.0) - 1e-6 && rows[0].farm_skill <= 1.0);
        assert!(rows[0].finance_skill >= 0.6 - 1e-6);
        assert!(rows[0].has(flag::COOP_MEMBER));
        assert_eq!(rows[0].participated, trainee.offers);
        assert_eq!(rows[1].farm_skill, decay(0.0, c.farm_skill_retention));
        assert_eq!(rows[1].participated, 0);
        assert_eq!(stepped.acc.participants, 1);
    }
}
