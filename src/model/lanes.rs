//! The household season for a batch of households at once, as columns: skills,
//! decisions, production and income, expected income and the herd
//! ([`household::earn`]), the budget ([`crate::model::budget`]) and what the season adds
//! to the metrics.
//!
//! On CPUs with AVX-512 the household loop copies a batch's rows into columns, runs the
//! season's arithmetic in passes without branches that compute eight households per
//! instruction (hazard probabilities by table gathers) and copies the results back. The
//! numbers are those of [`household::step`] and [`Accumulator::add`] household by
//! household, bit for bit (property-tested): every operation is the same and in the same
//! order, a branch becomes a select of the value the branch would have left, a loop
//! (distress sales of cattle) a pass per step while any lane still takes it. A household
//! that takes part in a module this season (a few in a thousand) goes through the
//! one-by-one code instead.
//! Without AVX-512 the passes are slower than the one-by-one loop, which is then used for
//! every household ([`in_lanes`]).

use std::ops::Range;

use crate::metrics::{Accumulator, Lines, Terms};
use crate::model::budget::Lanes;
use crate::model::draws::{self, BATCH, Batch};
use crate::model::household::{
    self, Household, KG_PER_TONNE, Outcome, flag, input_cost_idr, only_if, practice_multiplier, price_factor,
};
use crate::model::season::{SeasonCtx, VillageView};
use crate::params::SeasonKind;
use crate::rng::unit;

/// True if the household loop runs a batch at a time in lanes ([`season_batch`]): where the
/// random-number kernel is AVX-512, so that the passes run eight households per instruction.
pub(crate) fn in_lanes() -> bool {
    crate::rng::kernel() == crate::rng::Kernel::Avx512
}

/// Phases 3–5 of the season for every household of `rows` (at most [`BATCH`]), whose
/// numbers are `draws`, with `columns` as working space, added to `acc` (with `lines`; only
/// the village counts without): the rows and sums of [`household::step`] and
/// [`Accumulator::add`] one by one.
pub(crate) fn season_batch(
    rows: &mut [Household],
    draws: &Batch,
    ctx: &SeasonCtx,
    lines: Option<Lines>,
    columns: &mut Columns,
    acc: &mut Accumulator,
) {
    assert!(rows.len() <= BATCH);
    columns.run_dispatch(rows, draws, ctx, lines, acc);
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
    net: [f64; BATCH],
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
            harvest_kg: [0.0; BATCH],
            expected_income: [0.0; BATCH],
            budget: Lanes::default(),
            consumption_pc: [0.0; BATCH],
            terms: Terms::default(),
        }
    }
}

impl Columns {
    /// Copy the rows, their villages and herd-table entries into the columns; draw every
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

    /// Copy the rows `lanes` of the batch `rows` into the columns, with their herd-table
    /// entries.
    #[inline(always)]
    fn load_rows(&mut self, rows: &[Household], lanes: Range<usize>, ctx: &SeasonCtx) {
        let consts = ctx.consts;
        for j in lanes {
            let h = &rows[j];
            self.participated[j] = h.participated;
            self.one_by_one[j] = h.offers != 0;
            self.savings[j] = h.savings_idr;
            self.debt[j] = h.debt_idr;
            self.members[j] = h.members;
            self.land[j] = h.land_ha;
            self.daily_wages[j] = h.daily_wages_idr;
            self.readiness_offset[j] = h.readiness_offset;
            self.capital[j] = h.enterprise_capital_idr;
            self.farm_skill[j] = h.farm_skill;
            self.business_skill[j] = h.business_skill;
            self.finance_skill[j] = h.finance_skill;
            self.flags[j] = u32::from(h.flags);
            self.cattle[j] = u32::from(h.cattle_head);
            self.herd_survival[j] = consts.herd_survival[usize::from(h.cattle_head)];
            self.herd_calf[j] = consts.herd_calf[usize::from(h.cattle_head)];
        }
    }

    /// [`Columns::load_rows`] for a whole batch, eight rows at a time with AVX-512: each of a
    /// row's eight 8-byte words gathered from eight rows, split into the columns; the
    /// herd-table entries gathered by head count.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    fn load_rows_avx512(&mut self, rows: &[Household], ctx: &SeasonCtx) {
        use std::arch::x86_64::*;
        const { assert!(row_words_are_as_read()) };
        let whole = rows.len() / 8 * 8;
        let rows_at: *const i64 = rows.as_ptr().cast();
        let (survival, calf) = (ctx.consts.herd_survival.as_ptr(), ctx.consts.herd_calf.as_ptr());
        for g in (0..whole).step_by(8) {
            // SAFETY: rows g..g + 8 exist (g + 8 ≤ whole ≤ rows.len()); word k of a row is
            // bytes 8k..8k + 8 of its 64 (asserted above); every column written has BATCH
            // elements from g on; head counts are below 256, the length of the herd tables.
            unsafe {
                let at = rows_at.add(8 * g);
                let words = transpose(std::array::from_fn(|i| _mm512_loadu_si512(at.add(8 * i).cast())));
                let word = |k: usize| words[k];
                let low = |w: __m512i| _mm512_cvtepi64_epi32(w);
                let high = |w: __m512i| _mm512_cvtepi64_epi32(_mm512_srli_epi64::<32>(w));
                let byte = |w: __m512i, shift: u32| {
                    _mm512_and_si512(
                        _mm512_srlv_epi64(w, _mm512_set1_epi64(i64::from(shift))),
                        _mm512_set1_epi64(0xFF),
                    )
                };
                _mm512_storeu_si512(self.savings.as_mut_ptr().add(g).cast(), word(0));
                _mm512_storeu_si512(self.debt.as_mut_ptr().add(g).cast(), word(1));
                let (w2, w3, w4, w5, w7) = (word(2), word(3), word(4), word(5), word(7));
                _mm256_storeu_si256(self.land.as_mut_ptr().add(g).cast(), low(w2));
                _mm256_storeu_si256(self.daily_wages.as_mut_ptr().add(g).cast(), high(w2));
                _mm256_storeu_si256(self.readiness_offset.as_mut_ptr().add(g).cast(), low(w3));
                _mm256_storeu_si256(self.capital.as_mut_ptr().add(g).cast(), high(w3));
                _mm256_storeu_si256(self.farm_skill.as_mut_ptr().add(g).cast(), low(w4));
                _mm256_storeu_si256(self.business_skill.as_mut_ptr().add(g).cast(), high(w4));
                _mm256_storeu_si256(self.finance_skill.as_mut_ptr().add(g).cast(), low(w5));
                // Word 7: members, cattle, flags, participated, offers, enrolment bytes.
                _mm_storel_epi64(self.members.as_mut_ptr().add(g).cast(), _mm512_cvtepi64_epi8(w7));
                let cattle = low(byte(w7, 8));
                _mm256_storeu_si256(self.cattle.as_mut_ptr().add(g).cast(), cattle);
                _mm256_storeu_si256(self.flags.as_mut_ptr().add(g).cast(), low(byte(w7, 16)));
                _mm_storel_epi64(
                    self.participated.as_mut_ptr().add(g).cast(),
                    _mm512_cvtepi64_epi8(byte(w7, 24)),
                );
                let offers = _mm512_test_epi64_mask(w7, _mm512_set1_epi64(0xFF << 32));
                // Bytes 0 or 1: valid `bool`s.
                let one_by_one = _mm512_cvtepi64_epi8(_mm512_maskz_set1_epi64(offers, 1));
                _mm_storel_epi64(self.one_by_one.as_mut_ptr().add(g).cast(), one_by_one);
                _mm512_storeu_pd(
                    self.herd_survival.as_mut_ptr().add(g),
                    _mm512_i32gather_pd::<8>(cattle, survival),
                );
                _mm512_storeu_pd(self.herd_calf.as_mut_ptr().add(g), _mm512_i32gather_pd::<8>(cattle, calf));
            }
        }
        self.load_rows(rows, whole..rows.len(), ctx);
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
            let starts =
                (unit(draws.earnings[3][j]) < start_probability) & (self.savings[j] >= start_capital);
            (self.flags[j] & u32::from(flag::ENTERPRISE) != 0) | starts
        });
        let mut words = [0; BATCH];
        for (w, &j) in words.iter_mut().zip(&lanes[..k]) {
            *w = self.decision[0][j];
        }
        let mut demand = [0.0; BATCH];
        ctx.noise.demand.sample_all(&words[..k], &mut demand[..k]);
        for (&j, &d) in lanes[..k].iter().zip(&demand) {
            self.demand[j] = d;
        }
    }

    /// [`Columns::batch`], compiled for AVX-512 where that is the code path of the
    /// random-number kernel ([`crate::rng::kernel`]).
    fn run_dispatch(
        &mut self,
        rows: &mut [Household],
        draws: &Batch,
        ctx: &SeasonCtx,
        lines: Option<Lines>,
        acc: &mut Accumulator,
    ) {
        #[cfg(target_arch = "x86_64")]
        if crate::rng::kernel() == crate::rng::Kernel::Avx512 {
            // SAFETY: the AVX-512 kernel is in use only on CPUs with AVX-512F and AVX2.
            #[allow(unsafe_code)]
            unsafe {
                self.batch_avx512(rows, draws, ctx, lines, acc)
            };
            return;
        }
        self.load_rows(rows, 0..rows.len(), ctx);
        self.batch(rows, draws, ctx, lines, acc);
        self.store_rows(rows, 0..rows.len(), ctx);
        self.store_rest(rows, draws, ctx, lines, acc);
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
        self.store_rest(rows, draws, ctx, lines, acc);
    }

    /// The rest of the load (the rows are in the columns), the passes, store: one
    /// function, so that the copies between rows and columns are compiled for AVX-512 too.
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

    /// The passes, in the order of [`household::step`].
    #[inline(always)]
    fn run(&mut self, draws: &Batch, ctx: &SeasonCtx, lines: Option<Lines>) {
        let wet = ctx.kind == SeasonKind::Wet;
        self.rates(ctx);
        let hazard = &ctx.noise.hazard;
        if wet {
            hazard.probability_all(&self.practice_rate, &mut self.practice_probability);
        }
        hazard.probability_all(&self.join_rate, &mut self.join_probability);
        hazard.probability_all(&self.exit_rate, &mut self.exit_probability);
        self.decide(draws, ctx);
        if wet {
            self.farm(draws, ctx);
        } else {
            self.net = [0.0; BATCH];
            self.harvest_kg = [0.0; BATCH];
        }
        self.income(draws, ctx);
        self.expect(ctx);
        self.herd(draws, ctx);
        self.settle(ctx);
        self.finish(ctx);
        self.count();
        if let Some(lines) = lines {
            self.observe(lines);
        }
    }

    /// Skills decay; the hazard rates of adoption or dis-adoption, of joining the
    /// cooperative and of closing an enterprise.
    #[inline(always)]
    fn rates(&mut self, ctx: &SeasonCtx) {
        let (consts, a) = (ctx.consts, &ctx.params.adoption);
        let (c, e) = (&ctx.params.cooperative, &ctx.params.enterprise);
        let improved_cost = ctx.params.farm.improved_input_cost_idr_per_ha;
        for j in 0..BATCH {
            self.farm_skill[j] *= consts.farm_skill_retention;
            self.business_skill[j] *= consts.business_skill_retention;
            self.finance_skill[j] *= consts.finance_skill_retention;
            let readiness = (self.village_readiness[j] + f64::from(self.readiness_offset[j])).clamp(0.0, 1.0);
            let adopt = readiness
                * (a.innovation_per_year
                    + a.imitation_per_year * self.adopter_share[j]
                    + a.trained_per_year * f64::from(self.farm_skill[j]));
            let mut drop = consts.supported_disadoption_per_year;
            drop = if self.flags[j] & u32::from(flag::BAD_HARVEST) != 0 {
                drop * a.bad_season_multiplier
            } else {
                drop
            };
            let illiquid = self.savings[j] < improved_cost * f64::from(self.land[j]);
            drop = if illiquid { drop * a.illiquid_multiplier } else { drop };
            let improved = self.flags[j] & u32::from(flag::IMPROVED) != 0;
            self.practice_rate[j] = if improved { drop } else { adopt };
            self.join_rate[j] = c.join_per_year * readiness * self.governance[j] * ctx.years;
            self.exit_rate[j] = e.exit_per_year
                * (1.0 - e.skill_exit_cut_share * f64::from(self.business_skill[j]))
                * ctx.years;
        }
    }

    /// Practice (wet season), cooperative membership, enterprise exit and start.
    #[inline(always)]
    fn decide(&mut self, draws: &Batch, ctx: &SeasonCtx) {
        let wet = ctx.kind == SeasonKind::Wet;
        let peer_skill = ctx.params.adoption.peer_skill_share as f32;
        let e = &ctx.params.enterprise;
        let exit_probability = ctx.consts.coop_exit_probability;
        let start_probability = ctx.consts.enterprise_start_probability;
        let start_capital = e.start_capital_idr;
        for j in 0..BATCH {
            let flags = self.flags[j];
            let improved = flags & u32::from(flag::IMPROVED) != 0;
            let hit = unit(draws.earnings[2][j]) < self.practice_probability[j];
            let adopted = wet & !improved & hit;
            let disadopted = wet & improved & hit;
            self.adopted[j] = adopted;
            self.disadopted[j] = disadopted;
            let improved = (improved | adopted) & !disadopted;
            let skill = self.farm_skill[j];
            self.farm_skill[j] = if adopted { skill.max(peer_skill) } else { skill };

            let member_u = unit(draws.shock[3][j]);
            let member = flags & u32::from(flag::COOP_MEMBER) != 0;
            let stays = member & (member_u >= exit_probability);
            let joins = !member & (member_u < self.join_probability[j]);
            let member = self.coop_exists[j] & (stays | joins);

            let enterprise = flags & u32::from(flag::ENTERPRISE) != 0;
            let exits = enterprise & (unit(self.decision[1][j]) < self.exit_probability[j]);
            let starts = !enterprise
                & (unit(draws.earnings[3][j]) < start_probability)
                & (self.savings[j] >= start_capital);
            let capital = self.capital[j];
            let salvage = f64::from(capital) * e.salvage_share;
            let cash = if exits {
                salvage
            } else if starts {
                -start_capital
            } else {
                0.0
            };
            self.capital[j] = if exits {
                0.0
            } else if starts {
                start_capital as f32
            } else {
                capital
            };
            self.cash_flow[j] = 0.0 + cash;
            let enterprise = (enterprise & !exits) | starts;

            let cleared = flags & !u32::from(flag::IMPROVED | flag::COOP_MEMBER | flag::ENTERPRISE);
            self.flags[j] = cleared
                | bit(improved, flag::IMPROVED)
                | bit(member, flag::COOP_MEMBER)
                | bit(enterprise, flag::ENTERPRISE);
        }
    }

    /// The maize harvest, its sale and input costs (wet season).
    #[inline(always)]
    fn farm(&mut self, draws: &Batch, ctx: &SeasonCtx) {
        let p = ctx.params;
        for j in 0..BATCH {
            let flags = self.flags[j];
            let member = (flags & u32::from(flag::COOP_MEMBER) != 0) & self.coop_exists[j];
            let improved = flags & u32::from(flag::IMPROVED) != 0;
            let land = f64::from(self.land[j]);
            let multiplier = practice_multiplier(improved, self.farm_skill[j], ctx);
            let expected_kg = land * p.farm.base_yield_t_ha * KG_PER_TONNE * multiplier;
            let harvest_kg = expected_kg * self.yield_multiplier[j] * draws.crop[j];
            self.harvest_kg[j] = harvest_kg;
            let bad = harvest_kg < p.farm.bad_harvest_share * expected_kg;
            self.flags[j] = (flags & !u32::from(flag::BAD_HARVEST)) | bit(bad, flag::BAD_HARVEST);
            let sale = harvest_kg * ctx.env.maize_price_idr_per_kg * price_factor(member, ctx);
            self.net[j] = 0.0 + sale - input_cost_idr(land, improved, member, ctx);
        }
    }

    /// Cattle offtake, seaweed (dry season), wages and enterprise profit; whether the
    /// household fell ill.
    #[inline(always)]
    fn income(&mut self, draws: &Batch, ctx: &SeasonCtx) {
        let p = ctx.params;
        let dry = ctx.kind == SeasonKind::Dry;
        let e = &p.enterprise;
        let seaweed_idr = p.seaweed.net_idr_per_month * ctx.months;
        for j in 0..BATCH {
            let flags = self.flags[j];
            let mut net = self.net[j] + f64::from(self.cattle[j]) * ctx.consts.offtake_idr_per_head_season;
            let seaweed = dry & (flags & u32::from(flag::SEAWEED) != 0);
            net = if seaweed { net + seaweed_idr * draws.crop[j] } else { net };
            let ill = unit(draws.shock[0][j]) < ctx.consts.illness_probability;
            self.ill[j] = ill;
            let illness = if ill { p.finance.illness_days_share } else { 1.0 };
            let usual_wages = f64::from(self.daily_wages[j]) * ctx.consts.days_per_adult_month * ctx.months;
            net += usual_wages * draws.labour[j] * illness;
            let usual_profit = f64::from(self.capital[j])
                * e.return_share_per_month
                * ctx.months
                * (1.0 + e.skill_profit_uplift_share * f64::from(self.business_skill[j]));
            let enterprise = flags & u32::from(flag::ENTERPRISE) != 0;
            net = if enterprise { net + usual_profit * self.demand[j] } else { net };
            self.cash_flow[j] += net;
        }
    }

    /// Expected income, rupiah per month, as
    /// [`crate::model::household::expected_income_idr_month`].
    #[inline(always)]
    fn expect(&mut self, ctx: &SeasonCtx) {
        let p = ctx.params;
        let (consts, e) = (ctx.consts, &p.enterprise);
        let seaweed_idr = p.seaweed.net_idr_per_month * p.calendar.dry_months;
        for j in 0..BATCH {
            let flags = self.flags[j];
            let member = (flags & u32::from(flag::COOP_MEMBER) != 0) & self.coop_exists[j];
            let improved = flags & u32::from(flag::IMPROVED) != 0;
            let land = f64::from(self.land[j]);
            let maize = land
                * p.farm.base_yield_t_ha
                * KG_PER_TONNE
                * practice_multiplier(improved, self.farm_skill[j], ctx)
                * consts.expected_weather_multiplier
                * consts.expected_price_idr_per_kg
                * price_factor(member, ctx)
                - input_cost_idr(land, improved, member, ctx);
            let cattle = f64::from(self.cattle[j])
                * p.livestock.value_idr_per_head
                * p.livestock.offtake_share_per_year;
            let seaweed = only_if(flags & u32::from(flag::SEAWEED) != 0, seaweed_idr);
            let wages = f64::from(self.daily_wages[j]) * consts.days_per_adult_year;
            let profit = only_if(
                flags & u32::from(flag::ENTERPRISE) != 0,
                f64::from(self.capital[j])
                    * e.return_share_per_month
                    * (1.0 + e.skill_profit_uplift_share * f64::from(self.business_skill[j]))
                    * 12.0,
            );
            let monthly = ((maize + cattle + seaweed + wages + profit) / consts.months_per_year).max(0.0);
            self.expected_income[j] = monthly as f32;
        }
    }

    /// Cattle lost and calves kept.
    #[inline(always)]
    fn herd(&mut self, draws: &Batch, ctx: &SeasonCtx) {
        let max_head = ctx.params.livestock.max_head;
        for j in 0..BATCH {
            let lost = unit(draws.shock[1][j]) >= self.herd_survival[j];
            let head = self.cattle[j] - u32::from(lost);
            let calf = (unit(draws.shock[2][j]) < self.herd_calf[j]) & (head < max_head);
            self.cattle[j] = head + u32::from(calf);
        }
    }

    /// The budget ([`Lanes::settle`]).
    #[inline(always)]
    fn settle(&mut self, ctx: &SeasonCtx) {
        let b = &mut self.budget;
        for j in 0..BATCH {
            b.savings[j] = self.savings[j];
            b.debt[j] = self.debt[j];
            b.cash_flow[j] = self.cash_flow[j];
            b.expected[j] = f64::from(self.expected_income[j]);
            b.skill[j] = f64::from(self.finance_skill[j]);
            b.cheap[j] = (self.flags[j] & u32::from(flag::COOP_MEMBER) != 0) & self.coop_exists[j];
            b.ill[j] = self.ill[j];
            b.cattle[j] = self.cattle[j];
        }
        b.settle(ctx);
    }

    /// Consumption per person, as [`household::finish`].
    #[inline(always)]
    fn finish(&mut self, ctx: &SeasonCtx) {
        for j in 0..BATCH {
            self.consumption_pc[j] =
                (self.budget.consumption[j] / (ctx.months * f64::from(self.members[j]))) as f32;
        }
    }

    /// What each household adds to the metrics ([`Terms::observe`]).
    #[inline(always)]
    fn observe(&mut self, lines: Lines) {
        let b = &self.budget;
        for j in 0..BATCH {
            let counted = self.counted(j);
            let (members, consumption_pc, harvest_kg) =
                (self.members[j], self.consumption_pc[j], self.harvest_kg[j]);
            self.terms.observe(
                j,
                counted,
                members,
                consumption_pc,
                b.savings[j],
                b.debt[j],
                harvest_kg,
                lines,
            );
        }
    }

    /// What each household adds to the counts of every season ([`Terms::count`]).
    #[inline(always)]
    fn count(&mut self) {
        for j in 0..BATCH {
            let counted = self.counted(j);
            let (flags, participated) = (self.flags[j] as u8, self.participated[j]);
            self.terms.count(j, counted, flags, participated, self.adopted[j], self.disadopted[j]);
        }
    }

    /// Lane `j` holds a household of the batch whose season the lanes settled (it takes part
    /// in no module): it is added to the sums in lanes.
    #[inline(always)]
    fn counted(&self, j: usize) -> bool {
        (j < self.len) & !self.one_by_one[j]
    }

    /// Copy the results of `lanes` back into their rows, but for households taking part in
    /// a module ([`Columns::store_rest`]).
    #[inline(always)]
    fn store_rows(&self, rows: &mut [Household], lanes: Range<usize>, ctx: &SeasonCtx) {
        let season = ctx.season as u16;
        let b = &self.budget;
        for j in lanes {
            if self.one_by_one[j] {
                continue;
            }
            let h = &mut rows[j];
            h.farm_skill = self.farm_skill[j];
            h.business_skill = self.business_skill[j];
            h.finance_skill = self.finance_skill[j];
            h.enterprise_capital_idr = self.capital[j];
            h.flags = self.flags[j] as u8;
            h.adopted_season = if self.adopted[j] { season } else { h.adopted_season };
            h.expected_income_idr_month = self.expected_income[j];
            h.cattle_head = b.cattle[j] as u8;
            h.savings_idr = b.savings[j];
            h.debt_idr = b.debt[j];
            h.consumption_pc_idr_month = self.consumption_pc[j];
        }
    }

    /// [`Columns::store_rows`] for a whole batch, eight rows at a time with AVX-512: the
    /// rows' 8-byte words ([`transpose`]) with the changed fields replaced from the columns,
    /// transposed back and stored but for households taking part in a module.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    fn store_rows_avx512(&self, rows: &mut [Household], ctx: &SeasonCtx) {
        use std::arch::x86_64::*;
        const { assert!(row_words_are_as_read()) };
        let whole = rows.len() / 8 * 8;
        let rows_at: *mut i64 = rows.as_mut_ptr().cast();
        let b = &self.budget;
        let season = _mm512_set1_epi64(i64::from(ctx.season as u16) << 48);
        for g in (0..whole).step_by(8) {
            // SAFETY: rows g..g + 8 exist (g + 8 ≤ whole ≤ rows.len()) and are written only
            // here; every column read has BATCH elements from g on.
            unsafe {
                let at = rows_at.add(8 * g);
                let w = transpose(std::array::from_fn(|i| _mm512_loadu_si512(at.add(8 * i).cast())));
                let column = |c: *const f32| _mm256_loadu_si256(c.add(g).cast());
                let words = |c: *const u32| _mm256_loadu_si256(c.add(g).cast());
                let pair = |low: __m256i, high: __m256i| {
                    _mm512_or_si512(
                        _mm512_cvtepu32_epi64(low),
                        _mm512_slli_epi64::<32>(_mm512_cvtepu32_epi64(high)),
                    )
                };
                let flags_of = |c: *const bool| {
                    _mm512_test_epi64_mask(
                        _mm512_cvtepu8_epi64(_mm_loadl_epi64(c.add(g).cast())),
                        _mm512_set1_epi64(1),
                    )
                };
                let kept = |w: __m512i, mask: u64| _mm512_and_si512(w, _mm512_set1_epi64(mask as i64));
                let adopted = flags_of(self.adopted.as_ptr());
                let adoption = _mm512_mask_blend_epi64(adopted, kept(w[6], 0xFFFF << 48), season);
                let new = [
                    _mm512_loadu_si512(b.savings.as_ptr().add(g).cast()),
                    _mm512_loadu_si512(b.debt.as_ptr().add(g).cast()),
                    w[2],
                    _mm512_or_si512(
                        kept(w[3], 0xFFFF_FFFF),
                        _mm512_slli_epi64::<32>(_mm512_cvtepu32_epi64(column(self.capital.as_ptr()))),
                    ),
                    pair(column(self.farm_skill.as_ptr()), column(self.business_skill.as_ptr())),
                    pair(column(self.finance_skill.as_ptr()), column(self.expected_income.as_ptr())),
                    _mm512_or_si512(
                        _mm512_or_si512(
                            _mm512_cvtepu32_epi64(column(self.consumption_pc.as_ptr())),
                            kept(w[6], 0xFFFF << 32),
                        ),
                        adoption,
                    ),
                    _mm512_or_si512(
                        // Bytes 1 and 2 (cattle, flags) replaced.
                        kept(w[7], !0x00FF_FF00),
                        _mm512_or_si512(
                            _mm512_slli_epi64::<8>(_mm512_cvtepu32_epi64(words(b.cattle.as_ptr()))),
                            _mm512_slli_epi64::<16>(_mm512_cvtepu32_epi64(words(self.flags.as_ptr()))),
                        ),
                    ),
                ];
                let one_by_one = flags_of(self.one_by_one.as_ptr());
                for (i, row) in transpose(new).into_iter().enumerate() {
                    let keep = if one_by_one & (1 << i) != 0 { 0 } else { 0xFF };
                    _mm512_mask_storeu_epi64(at.add(8 * i), keep, row);
                }
            }
        }
        self.store_rows(rows, whole..rows.len(), ctx);
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
            } else if self.village.is_none() {
                let out = Outcome {
                    cash_income_idr: b.income[j],
                    consumption_idr: b.consumption[j],
                    harvest_kg: self.harvest_kg[j],
                    adopted: self.adopted[j],
                    disadopted: self.disadopted[j],
                    participated: false,
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

/// Eight 64-byte rows `r` as their eight 8-byte words: element `i` of result `k` is word
/// `k` of row `i` (a transpose of 8 × 8 words in three rounds of shuffles, its own
/// inverse).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn transpose(r: [std::arch::x86_64::__m512i; 8]) -> [std::arch::x86_64::__m512i; 8] {
    use std::arch::x86_64::*;
    // Pairs of rows: words (2m, 2m + 2, …) then (2m + 1, …) of rows 2i and 2i + 1.
    let t: [__m512i; 8] = std::array::from_fn(|k| {
        let (a, b) = (r[k / 2 * 2], r[k / 2 * 2 + 1]);
        if k % 2 == 0 { _mm512_unpacklo_epi64(a, b) } else { _mm512_unpackhi_epi64(a, b) }
    });
    // Quads of rows: 128-bit lanes 0 and 2 (0x88) or 1 and 3 (0xDD) of two pairs.
    let even = |a, b| _mm512_shuffle_i64x2::<0x88>(a, b);
    let odd = |a, b| _mm512_shuffle_i64x2::<0xDD>(a, b);
    let u = [
        even(t[0], t[2]), // words 0, 4 of rows 0–3
        odd(t[0], t[2]),  // words 2, 6
        even(t[1], t[3]), // words 1, 5
        odd(t[1], t[3]),  // words 3, 7
        even(t[4], t[6]), // the same of rows 4–7
        odd(t[4], t[6]),
        even(t[5], t[7]),
        odd(t[5], t[7]),
    ];
    [
        even(u[0], u[4]),
        even(u[2], u[6]),
        even(u[1], u[5]),
        even(u[3], u[7]),
        odd(u[0], u[4]),
        odd(u[2], u[6]),
        odd(u[1], u[5]),
        odd(u[3], u[7]),
    ]
}

/// True if a [`Household`] row is the eight 8-byte words [`Columns::load_rows_avx512`]
/// reads: savings, debt, land and wages, readiness offset and capital, farm and business
/// skill, financial capability and expected income, (not read) consumption, village and
/// season of adoption, then the bytes members, cattle, flags, participated, offers.
const fn row_words_are_as_read() -> bool {
    use std::mem::{offset_of, size_of};
    size_of::<Household>() == 64
        && offset_of!(Household, savings_idr) == 0
        && offset_of!(Household, debt_idr) == 8
        && offset_of!(Household, land_ha) == 16
        && offset_of!(Household, daily_wages_idr) == 20
        && offset_of!(Household, readiness_offset) == 24
        && offset_of!(Household, enterprise_capital_idr) == 28
        && offset_of!(Household, farm_skill) == 32
        && offset_of!(Household, business_skill) == 36
        && offset_of!(Household, finance_skill) == 40
        && offset_of!(Household, members) == 56
        && offset_of!(Household, cattle_head) == 57
        && offset_of!(Household, flags) == 58
        && offset_of!(Household, participated) == 59
        && offset_of!(Household, offers) == 60
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

/// `flag` if `on`, else 0.
#[inline(always)]
fn bit(on: bool, flag: u8) -> u32 {
    u32::from(on) * u32::from(flag)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::fixture::{Fixture, household};
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
        ) {
            let fixture = Fixture::new(season, coop);
            let levels = ProgrammeLevels { production_skill: 0.8, business_skill: 0.7, start_probability: 0.5, finance_skill: 0.6 };
            let ctx = fixture.ctx(seed, levels);
            let lines = observed.then(|| Lines::new(600_000.0, 450_000.0));
            let village = batch[0].0.village;
            let mut rows: Vec<Household> = batch
                .iter()
                .map(|&(h, offers)| Household { offers, village: if one_village { village } else { h.village }, ..h })
                .collect();
            let draws = Batch::draw(&ctx, first, rows.len());
            let mut one_by_one = rows.clone();
            let mut expected = Accumulator::new(2);
            for (j, h) in one_by_one.iter_mut().enumerate() {
                let out = household::step(h, draws.shocks(j), &ctx);
                add(&mut expected, h, &out, lines);
            }
            let mut acc = Accumulator::new(2);
            season_batch(&mut rows, &draws, &ctx, lines, &mut Columns::default(), &mut acc);
            // Debug output tells every two different numbers apart (shortest round trip).
            prop_assert_eq!(format!("{rows:?}"), format!("{one_by_one:?}"));
            prop_assert_eq!(format!("{acc:?}"), format!("{expected:?}"));
        }
    }
}
