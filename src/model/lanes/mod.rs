//! The household season for a batch of households at once, as columns: skills,
//! decisions, production and income, expected income and the herd, the budget
//! ([`crate::model::budget`]) and what the season adds to the metrics: [`household::step`]
//! and [`Accumulator::add`] for many households at once.
//!
//! On CPUs with AVX-512 the household loop copies a batch's rows into columns, runs the
//! season's arithmetic in passes without branches that compute eight households per
//! instruction (hazard probabilities by table gathers) and copies the results back. The
//! numbers are those of [`household::step`] and [`Accumulator::add`] household by
//! household, bit for bit (property-tested): every operation is the same and in the same
//! order, a branch becomes a select of the value the branch would have left, a loop
//! (distress sales of cattle) a pass per step while any lane still takes it. A household
//! that takes part in a module this season (a few in a thousand) goes through the
//! one-by-one code instead. Without AVX-512 the passes are slower than the one-by-one loop
//! (0.90× on AVX2, measured), which is then used for every household
//! ([`crate::cpu::Cpu::in_lanes`]; the passes still run there in tests, to the same
//! numbers).
//!
//! Here: the batch's columns, loading what the rows do not hold (village, random words,
//! demand) and the households left to the one-by-one code; `rows` moves rows in and out
//! of the columns, `passes` holds the season's arithmetic.

mod passes;
mod rows;

use std::ops::Range;

use crate::metrics::{Accumulator, Lines, Terms};
use crate::model::budget::Lanes;
use crate::model::draws::{self, BATCH, Batch, Word};
use crate::model::household::{self, Flows, Household, Outcome, Sources, flag};
use crate::model::season::{SeasonCtx, VillageView};
use crate::rng::{LognormalTable, unit};

/// Phases 3–5 of the season for every household of `rows` (at most [`BATCH`]), whose
/// numbers are `draws`, with `columns` as working space, added to `acc` (with `lines`; only
/// the village counts without): the rows and sums of [`household::step`] and
/// [`Accumulator::add`] one by one. With `flows` (one per row) each household's [`Flows`]
/// are kept there.
pub(crate) fn season_batch(
    rows: &mut [Household],
    draws: &Batch,
    ctx: &SeasonCtx,
    lines: Option<Lines>,
    columns: &mut Columns,
    acc: &mut Accumulator,
    flows: Option<&mut [Flows]>,
) {
    assert!(rows.len() <= BATCH);
    columns.run_dispatch(rows, draws, ctx, lines, acc, flows);
}

/// A batch as columns: what the season reads of each household, its village and its
/// herd tables, then what the passes compute.
pub(crate) struct Columns {
    /// Households in the batch.
    len: usize,
    /// The village of every household of the batch, if they share one.
    village: Option<u16>,
    participated: [u8; BATCH],
    /// Goes through [`household::step`] itself (takes part in a module this season).
    one_by_one: [bool; BATCH],
    savings: [f64; BATCH],
    debt: [f64; BATCH],
    members: [u8; BATCH],
    land: [f32; BATCH],
    daily_wages: [f32; BATCH],
    readiness_offset: [f32; BATCH],
    capital: [f32; BATCH],
    farm_skill: [f32; BATCH],
    business_skill: [f32; BATCH],
    finance_skill: [f32; BATCH],
    flags: [u32; BATCH],
    cattle: [u32; BATCH],
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
    expected_income: [f32; BATCH],
    budget: Lanes,
    consumption_pc: [f32; BATCH],
    terms: Terms,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            len: 0,
            village: None,
            participated: [0; BATCH],
            one_by_one: [false; BATCH],
            savings: [0.0; BATCH],
            debt: [0.0; BATCH],
            members: [0; BATCH],
            land: [0.0; BATCH],
            daily_wages: [0.0; BATCH],
            readiness_offset: [0.0; BATCH],
            capital: [0.0; BATCH],
            farm_skill: [0.0; BATCH],
            business_skill: [0.0; BATCH],
            finance_skill: [0.0; BATCH],
            flags: [0; BATCH],
            cattle: [0; BATCH],
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
            expected_income: [0.0; BATCH],
            budget: Lanes::default(),
            consumption_pc: [0.0; BATCH],
            terms: Terms::default(),
        }
    }
}

impl Columns {
    /// Load what the rows do not hold (the rows are in the columns): the village views, every
    /// household's `Decision` block and its enterprise demand.
    #[inline(always)]
    fn load(&mut self, rows: &[Household], draws: &Batch, ctx: &SeasonCtx) {
        self.len = rows.len();
        let first_village = rows.first().map_or(0, |h| h.village);
        // Nearly always: neighbours live in one village, whose view every lane then holds.
        let one_village = rows.iter().all(|h| h.village == first_village);
        if one_village {
            self.village_view(0..BATCH, ctx.village(first_village));
        } else {
            for (j, h) in rows.iter().enumerate() {
                self.village_view(j..j + 1, ctx.village(h.village));
            }
        }
        self.village = one_village.then_some(first_village);
        // Drawn for every household (sixteen blocks per instruction with AVX-512): cheaper
        // than finding the enterprises first.
        draws::decisions(ctx, draws.first, &mut self.decision, rows.len());
        self.sample_demand(draws, ctx);
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
    /// runs, or can afford the start its draw calls for): a few in a batch, sampled
    /// together. The other lanes keep values that no pass reads.
    fn sample_demand(&mut self, draws: &Batch, ctx: &SeasonCtx) {
        let start_probability = ctx.consts.enterprise_start_probability;
        let start_capital = ctx.params.enterprise.start_capital_idr;
        let (lanes, k) = lanes_where(self.len, |j| {
            let starts = (unit(draws.words(Word::SpontaneousStart)[j]) < start_probability)
                & (self.savings[j] >= start_capital);
            (self.flags[j] & u32::from(flag::ENTERPRISE) != 0) | starts
        });
        sample_lanes(
            ctx,
            &ctx.noise.demand,
            &self.decision[const { Word::Demand.decision() }],
            &lanes[..k],
            &mut self.demand,
        );
    }

    /// [`Columns::batch`], compiled for AVX-512 on the AVX-512 path ([`SeasonCtx::cpu`]).
    fn run_dispatch(
        &mut self,
        rows: &mut [Household],
        draws: &Batch,
        ctx: &SeasonCtx,
        lines: Option<Lines>,
        acc: &mut Accumulator,
        mut flows: Option<&mut [Flows]>,
    ) {
        if !self.batch_avx512_if_available(rows, draws, ctx, lines, acc) {
            self.load_rows(rows, 0..rows.len(), ctx);
            self.batch(rows, draws, ctx, lines, acc);
            self.store_rows(rows, 0..rows.len(), ctx);
        }
        if let Some(flows) = flows.as_deref_mut() {
            self.store_flows(flows);
        }
        self.store_rest(rows, draws, ctx, lines, acc, flows);
    }

    /// Every lane's [`Flows`] into `flows` (households that go through the one-by-one code
    /// are overwritten by [`Columns::store_rest`]).
    fn store_flows(&self, flows: &mut [Flows]) {
        for (j, f) in flows.iter_mut().enumerate().take(self.len) {
            let income = Sources {
                maize_idr: self.net[j],
                cattle_idr: self.sources[0][j],
                seaweed_idr: self.sources[1][j],
                wages_idr: self.sources[2][j],
                enterprise_idr: self.sources[3][j],
            };
            *f = Flows::new(&income, self.harvest_kg[j]);
        }
    }

    /// [`Columns::batch_avx512`] on the AVX-512 path; false (nothing done) elsewhere.
    fn batch_avx512_if_available(
        &mut self,
        rows: &mut [Household],
        draws: &Batch,
        ctx: &SeasonCtx,
        lines: Option<Lines>,
        acc: &mut Accumulator,
    ) -> bool {
        #[cfg(target_arch = "x86_64")]
        if ctx.cpu.v4().is_some() {
            // SAFETY: `ctx.cpu` holds a `V4` token, made only on CPUs with AVX-512F, DQ and
            // VL and AVX2 (with the rest of x86-64-v4): every feature `batch_avx512`
            // enables.
            #[allow(unsafe_code)]
            unsafe {
                self.batch_avx512(rows, draws, ctx, lines, acc)
            };
            return true;
        }
        false
    }

    /// [`Columns::batch`] compiled for AVX-512 (eight households per instruction).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    fn batch_avx512(
        &mut self,
        rows: &mut [Household],
        draws: &Batch,
        ctx: &SeasonCtx,
        lines: Option<Lines>,
        acc: &mut Accumulator,
    ) {
        self.load_rows_avx512(rows, ctx);
        self.batch(rows, draws, ctx, lines, acc);
        self.store_rows_avx512(rows, ctx);
    }

    /// The rest of the load (the rows are in the columns), the passes and the sums of the
    /// batch; the rows are stored by the caller.
    #[inline(always)]
    fn batch(
        &mut self,
        rows: &mut [Household],
        draws: &Batch,
        ctx: &SeasonCtx,
        lines: Option<Lines>,
        acc: &mut Accumulator,
    ) {
        self.load(rows, draws, ctx);
        self.run(draws, ctx, lines);
        acc.add_batch(&self.terms, lines.is_some(), self.village);
    }

    /// The households that take part in a module go through [`household::step`] and are
    /// added to `acc` one by one; when the batch spans two villages every other household
    /// is added to its village's counts ([`Accumulator::add_batch`] adds the rest).
    #[inline(always)]
    fn store_rest(
        &self,
        rows: &mut [Household],
        draws: &Batch,
        ctx: &SeasonCtx,
        lines: Option<Lines>,
        acc: &mut Accumulator,
        mut flows: Option<&mut [Flows]>,
    ) {
        let n = rows.len();
        if self.village.is_some() && !self.one_by_one[..n].contains(&true) {
            return;
        }
        let b = &self.budget;
        for (j, h) in rows.iter_mut().enumerate() {
            if self.one_by_one[j] {
                let out = step_one(h, draws, j, ctx);
                add(acc, h, &out, lines);
                if let Some(flows) = flows.as_deref_mut() {
                    flows[j] = Flows::of(&out);
                }
            } else if self.village.is_none() {
                let out = Outcome {
                    cash_income_idr: b.income[j],
                    consumption_idr: b.consumption[j],
                    harvest_kg: self.harvest_kg[j],
                    adopted: self.adopted[j],
                    disadopted: self.disadopted[j],
                    participated: false,
                    income: Sources::default(),
                };
                acc.add_village(h, &out);
            }
        }
    }
}

/// [`household::step`] for household `j` of the batch, out of line: a few in a thousand
/// households take this path.
#[inline(never)]
fn step_one(h: &mut Household, draws: &Batch, j: usize, ctx: &SeasonCtx) -> Outcome {
    household::step(h, draws.shocks(j), ctx)
}

/// Add a household that went through the one-by-one code.
fn add(acc: &mut Accumulator, h: &Household, out: &Outcome, lines: Option<Lines>) {
    match lines {
        Some(lines) => acc.add(h, out, lines),
        None => acc.add_village(h, out),
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::fixture::{self, Fixture, household};
    use crate::model::season::ProgrammeLevels;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A batch's season gives the rows and sums of its households' seasons one by one,
        /// bit for bit: wet and dry seasons, with and without a cooperative, observed or
        /// not, in one village or two, with a few households taking part in modules;
        /// budgets with loans, cattle sales, restocking and arrears.
        #[test]
        fn a_batch_steps_as_one_by_one(
            batch in proptest::collection::vec(
                (household(), prop_oneof![6 => Just(0u8), 1 => 1u8..16]),
                1..=BATCH,
            ),
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
            let levels = ProgrammeLevels { production_skill: 0.8, business_skill: 0.7, start_probability: 0.5, finance_skill: 0.6 };
            for cpu in crate::cpu::Cpu::available() {
            let ctx = SeasonCtx { cpu, ..fixture.ctx(seed, levels.clone()) };
            let lines = observed.then(|| Lines::new(600_000.0, 450_000.0));
            let village = batch[0].0.village;
            let mut rows: Vec<Household> = batch
                .iter()
                .map(|&(h, offers)| Household { offers, village: if one_village { village } else { h.village }, ..h })
                .collect();
            let draws = Batch::draw(&ctx, first, rows.len());
            let mut one_by_one = rows.clone();
            let mut expected = Accumulator::new(2);
            let mut expected_flows = Vec::new();
            for (j, h) in one_by_one.iter_mut().enumerate() {
                let out = household::step(h, draws.shocks(j), &ctx);
                add(&mut expected, h, &out, lines);
                expected_flows.push(Flows::of(&out));
            }
            let mut acc = Accumulator::new(2);
            let mut flows = vec![Flows::default(); rows.len()];
            season_batch(&mut rows, &draws, &ctx, lines, &mut Columns::default(), &mut acc, Some(&mut flows));
            prop_assert_eq!(format!("{flows:?}"), format!("{expected_flows:?}"));
            // Debug output tells every two different numbers apart (shortest round trip).
            prop_assert_eq!(format!("{rows:?}"), format!("{one_by_one:?}"));
            prop_assert_eq!(format!("{acc:?}"), format!("{expected:?}"), "{}", cpu);
            }
        }
    }
}
