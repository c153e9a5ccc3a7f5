//! The household agent: its state (one 64-byte row) and its season update.
//!
//! A household is stored as one compact row rather than as columns: the season update reads
//! and writes nearly every field of every household once per season, so a row that fills one
//! cache line is the layout that touches the least memory. Money stocks are `f64` rupiah so
//! that the season's accounting closes to the rupiah; rates, skills and flows that are
//! recomputed each season are `f32`.
//!
//! [`step`] is a pure function of the household's own committed state, this season's
//! environment, the village snapshot and its own keyed random draws, so the order in which
//! households are visited can never matter.

use crate::model::budget::{Budget, consume};
use crate::model::draws::Shocks;
use crate::model::season::{SeasonCtx, VillageView};
use crate::params::SeasonKind;

/// Bit flags of [`Household::flags`].
pub mod flag {
    /// Uses improved production practice.
    pub const IMPROVED: u8 = 1 << 0;
    /// Member of the village cooperative.
    pub const COOP_MEMBER: u8 = 1 << 1;
    /// Runs a non-farm enterprise.
    pub const ENTERPRISE: u8 = 1 << 2;
    /// Lives on the coast.
    pub const COASTAL: u8 = 1 << 3;
    /// Farms seaweed in the dry season.
    pub const SEAWEED: u8 = 1 << 4;
    /// Last maize harvest was bad (below the expected one by a margin).
    pub const BAD_HARVEST: u8 = 1 << 5;
}

/// Module kinds as bits in [`Household::participated`] and in a season's offers.
pub mod module {
    /// Production training.
    pub const PRODUCTION: u8 = 1 << 0;
    /// Cooperative organisation.
    pub const COOPERATIVE: u8 = 1 << 1;
    /// Entrepreneurship.
    pub const ENTREPRENEURSHIP: u8 = 1 << 2;
    /// Financial management.
    pub const FINANCE: u8 = 1 << 3;
}

/// One household's state. Fixed traits are set at initialisation and never change.
/// The fields are laid out in declaration order (`repr(C)`), 64 bytes without padding, so
/// that the batch path can read a row's fields as eight 8-byte words
/// (the `lanes` module).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[repr(C)]
pub struct Household {
    /// Liquid savings, rupiah (≥ 0).
    pub savings_idr: f64,
    /// Outstanding debt, rupiah (≥ 0).
    pub debt_idr: f64,
    /// Land farmed, ha (fixed).
    pub land_ha: f32,
    /// What the household's workers earn in a day of work, rupiah: adults × daily wage ×
    /// the household's access to work (fixed).
    pub daily_wages_idr: f32,
    /// Household readiness minus its village's readiness (fixed).
    pub readiness_offset: f32,
    /// Capital of the enterprise, rupiah (0 when none).
    pub enterprise_capital_idr: f32,
    /// Production skill in [0, 1]; decays.
    pub farm_skill: f32,
    /// Business skill in [0, 1]; decays.
    pub business_skill: f32,
    /// Financial capability in [0, 1]; decays.
    pub finance_skill: f32,
    /// Expected (permanent) income, rupiah per month.
    pub expected_income_idr_month: f32,
    /// Consumption per person in the last season, rupiah per month.
    pub consumption_pc_idr_month: f32,
    /// Village index (fixed).
    pub village: u16,
    /// Season in which improved practice was last adopted.
    pub adopted_season: u16,
    /// Members, persons (fixed).
    pub members: u8,
    /// Cattle, head.
    pub cattle_head: u8,
    /// [`flag`] bits.
    pub flags: u8,
    /// [`module`] bits of every module the household ever took part in.
    pub participated: u8,
    /// [`module`] bits of the modules it takes part in this season (cleared by [`step`]).
    pub offers: u8,
    /// Bit `i` is set once it has taken part in the scenario's intervention `i`
    /// (at most [`MAX_INTERVENTIONS`]).
    pub enrolled: [u8; 3],
}

/// Interventions a scenario may hold: one enrolment bit each in the household's row.
pub const MAX_INTERVENTIONS: usize = 24;

impl Household {
    /// True if `bit` of [`flag`] is set.
    pub fn has(&self, bit: u8) -> bool {
        self.flags & bit != 0
    }

    fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.flags |= bit;
        } else {
            self.flags &= !bit;
        }
    }

    /// True if the household has taken part in intervention `index`.
    pub fn is_enrolled(&self, index: usize) -> bool {
        self.enrolled[index / 8] & (1 << (index % 8)) != 0
    }

    /// Record that the household takes part in intervention `index`, module `bit`, this season.
    pub fn enrol(&mut self, index: usize, bit: u8) {
        self.enrolled[index / 8] |= 1 << (index % 8);
        self.offers |= bit;
    }

    /// Adults who earn wages (at least one).
    pub fn adults(&self, adult_share: f64) -> f64 {
        // Round half up; `as` truncates a non-negative value.
        ((f64::from(self.members) * adult_share + 0.5) as u32).max(1).into()
    }
}

/// What a season did to one household, for metrics and accounting checks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Net cash inflow of the season, rupiah: production and wages net of costs, interest,
    /// asset sales minus purchases. Savings minus debt change by exactly this minus consumption.
    pub cash_income_idr: f64,
    /// Consumption of the season, rupiah.
    pub consumption_idr: f64,
    /// Maize harvested, kg (wet season).
    pub harvest_kg: f64,
    /// Adopted improved practice this season.
    pub adopted: bool,
    /// Dropped improved practice this season.
    pub disadopted: bool,
    /// Took part in at least one module this season.
    pub participated: bool,
    /// The season's income by source.
    pub income: Sources,
}

/// A season's income by source, rupiah: what [`Outcome::cash_income_idr`] is made of before
/// enterprise starts and exits, interest and asset sales.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sources {
    /// Maize sold at the season's price, net of input costs (wet season; 0 in the dry season).
    pub maize_idr: f64,
    /// Cattle offtake.
    pub cattle_idr: f64,
    /// Seaweed (dry season, coastal farmers).
    pub seaweed_idr: f64,
    /// Wages and every other income of the household's workers.
    pub wages_idr: f64,
    /// Enterprise profit.
    pub enterprise_idr: f64,
}

impl Sources {
    /// Income from every source.
    pub fn total_idr(&self) -> f64 {
        self.maize_idr + self.cattle_idr + self.seaweed_idr + self.wages_idr + self.enterprise_idr
    }
}

/// What a season brought a household beyond its row, kept per household when a run
/// follows households one by one (the virtual trial): income by source ([`Sources`], in
/// its order) and the harvest, to `f32` precision (24 bytes a household).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Flows {
    /// Maize, cattle, seaweed, wages and enterprise income, rupiah.
    pub income_idr: [f32; 5],
    /// Maize harvested, kg.
    pub harvest_kg: f32,
}

impl Flows {
    /// The flows of a season's income and harvest.
    #[inline(always)]
    pub fn new(i: &Sources, harvest_kg: f64) -> Self {
        let income_idr =
            [i.maize_idr, i.cattle_idr, i.seaweed_idr, i.wages_idr, i.enterprise_idr].map(|x| x as f32);
        Self { income_idr, harvest_kg: harvest_kg as f32 }
    }

    /// The flows of a season's outcome.
    #[inline(always)]
    pub fn of(out: &Outcome) -> Self {
        Self::new(&out.income, out.harvest_kg)
    }
}

/// Advance one household by one season with its numbers `draws` (from a
/// [`crate::model::draws::Batch`]), taking part in the modules of [`Household::offers`]
/// (which it clears): training, decisions, production and income, then the budget
/// ([`crate::model::budget`]) and the consumption per person.
/// Inlined into the household loop, whose speed without AVX-512 depends on it.
#[inline(always)]
pub fn step(h: &mut Household, draws: Shocks, ctx: &SeasonCtx) -> Outcome {
    let village = ctx.village(h.village);
    let earned = earn(h, draws, village, ctx);
    settle(h, earned, village, ctx)
}

/// What a household's season brought before its budget is settled.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Earned {
    /// Net cash inflow of the season so far, rupiah.
    pub(crate) cash_flow_idr: f64,
    /// The household fell ill this season.
    pub(crate) ill: bool,
    /// The outcome so far: harvest, adoption, participation.
    pub(crate) outcome: Outcome,
}

/// The season up to the budget for a household of `village`: training, decisions,
/// production and income, expected income and the herd.
#[inline(always)]
fn earn(h: &mut Household, mut draws: Shocks, village: &VillageView, ctx: &SeasonCtx) -> Earned {
    let offers = std::mem::take(&mut h.offers);
    let readiness = (village.readiness + f64::from(h.readiness_offset)).clamp(0.0, 1.0);
    let mut out = Outcome { participated: offers != 0, ..Outcome::default() };

    decay_skills(h, ctx);
    // Few households take part in a given season: the call is made only for them.
    let mut cash_flow = if offers == 0 { 0.0 } else { take_part(h, offers, village, &mut draws, ctx) };
    let (adopted, disadopted) = decide_practice(h, readiness, village, &draws, ctx);
    out.adopted = adopted;
    out.disadopted = disadopted;
    decide_membership(h, readiness, village, &draws, ctx);
    cash_flow += decide_enterprise(h, &mut draws, ctx);

    let income = produce(h, village, &mut draws, ctx);
    out.harvest_kg = income.harvest_kg;
    out.income = income.sources;
    cash_flow += income.net_idr;
    h.expected_income_idr_month = expected_income_idr_month(h, village, ctx) as f32;
    change_herd(h, &draws, ctx);
    Earned { cash_flow_idr: cash_flow, ill: draws.ill(ctx), outcome: out }
}

/// Settle the budget of a season [`earn`] began, and finish its outcome.
#[inline(always)]
fn settle(h: &mut Household, earned: Earned, village: &VillageView, ctx: &SeasonCtx) -> Outcome {
    let budget = consume(h, earned.cash_flow_idr, village, earned.ill, ctx);
    finish(h, earned.outcome, &budget, ctx)
}

/// The outcome of a season whose budget closed with `budget`; sets the consumption per
/// person.
#[inline(always)]
pub(crate) fn finish(h: &mut Household, mut out: Outcome, budget: &Budget, ctx: &SeasonCtx) -> Outcome {
    out.cash_income_idr = budget.cash_income_idr;
    out.consumption_idr = budget.consumption_idr;
    h.consumption_pc_idr_month = (budget.consumption_idr / (ctx.months * f64::from(h.members))) as f32;
    out
}

fn decay_skills(h: &mut Household, ctx: &SeasonCtx) {
    h.farm_skill *= ctx.consts.farm_skill_retention;
    h.business_skill *= ctx.consts.business_skill_retention;
    h.finance_skill *= ctx.consts.finance_skill_retention;
}

/// Apply this season's training (`offers` is not 0). Returns the cash spent on a start-up
/// (negative).
#[inline(never)]
fn take_part(
    h: &mut Household,
    offers: u8,
    village: &VillageView,
    draws: &mut Shocks,
    ctx: &SeasonCtx,
) -> f64 {
    h.participated |= offers;
    let levels = &ctx.programme;
    if offers & module::PRODUCTION != 0 {
        h.farm_skill = h.farm_skill.max(levels.production_skill);
    }
    if offers & module::COOPERATIVE != 0 && village.coop_exists {
        h.set(flag::COOP_MEMBER, true);
    }
    if offers & module::FINANCE != 0 {
        h.finance_skill = h.finance_skill.max(levels.finance_skill);
    }
    if offers & module::ENTREPRENEURSHIP == 0 {
        return 0.0;
    }
    h.business_skill = h.business_skill.max(levels.business_skill);
    if draws.venture(ctx).start_trained_u() >= f64::from(levels.start_probability) {
        return 0.0;
    }
    start_venture(h, ctx)
}

/// Start seaweed farming (coastal) or an enterprise; returns the cash spent (negative).
fn start_venture(h: &mut Household, ctx: &SeasonCtx) -> f64 {
    let p = ctx.params;
    if h.has(flag::COASTAL) && !h.has(flag::SEAWEED) {
        h.set(flag::SEAWEED, true);
        -p.seaweed.start_cost_idr
    } else if !h.has(flag::ENTERPRISE) {
        h.set(flag::ENTERPRISE, true);
        h.enterprise_capital_idr = p.enterprise.start_capital_idr as f32;
        -p.enterprise.start_capital_idr
    } else {
        0.0
    }
}

/// Adoption (at planting, in the wet season): Bass-like innovation and imitation scaled by
/// readiness, plus trained households; dis-adoption after bad seasons and without cash.
#[inline(always)]
fn decide_practice(
    h: &mut Household,
    readiness: f64,
    village: &VillageView,
    draws: &Shocks,
    ctx: &SeasonCtx,
) -> (bool, bool) {
    if ctx.kind != SeasonKind::Wet {
        return (false, false);
    }
    let a = &ctx.params.adoption;
    if !h.has(flag::IMPROVED) {
        let rate = readiness
            * (a.innovation_per_year
                + a.imitation_per_year * village.adopter_share
                + a.trained_per_year * f64::from(h.farm_skill));
        if draws.adopt_u() < ctx.noise.hazard.probability(rate) {
            h.set(flag::IMPROVED, true);
            h.adopted_season = ctx.season as u16;
            h.farm_skill = h.farm_skill.max(a.peer_skill_share as f32);
            return (true, false);
        }
        return (false, false);
    }
    let mut rate = ctx.consts.supported_disadoption_per_year;
    if h.has(flag::BAD_HARVEST) {
        rate *= a.bad_season_multiplier;
    }
    if h.savings_idr < ctx.params.farm.improved_input_cost_idr_per_ha * f64::from(h.land_ha) {
        rate *= a.illiquid_multiplier;
    }
    if draws.adopt_u() < ctx.noise.hazard.probability(rate) {
        h.set(flag::IMPROVED, false);
        return (false, true);
    }
    (false, false)
}

#[inline(always)]
fn decide_membership(
    h: &mut Household,
    readiness: f64,
    village: &VillageView,
    draws: &Shocks,
    ctx: &SeasonCtx,
) {
    let c = &ctx.params.cooperative;
    if !village.coop_exists {
        h.set(flag::COOP_MEMBER, false);
    } else if h.has(flag::COOP_MEMBER) {
        if draws.member_u() < ctx.consts.coop_exit_probability {
            h.set(flag::COOP_MEMBER, false);
        }
    } else {
        let rate = c.join_per_year * readiness * village.governance;
        if draws.member_u() < ctx.noise.hazard.probability(rate * ctx.years) {
            h.set(flag::COOP_MEMBER, true);
        }
    }
}

/// Enterprise exit and spontaneous start. Returns the cash flow (salvage or capital paid).
#[inline(always)]
fn decide_enterprise(h: &mut Household, draws: &mut Shocks, ctx: &SeasonCtx) -> f64 {
    let e = &ctx.params.enterprise;
    if h.has(flag::ENTERPRISE) {
        let rate = e.exit_per_year * (1.0 - e.skill_exit_cut_share * f64::from(h.business_skill));
        if draws.venture(ctx).exit_u() < ctx.noise.hazard.probability(rate * ctx.years) {
            let salvage = f64::from(h.enterprise_capital_idr) * e.salvage_share;
            h.set(flag::ENTERPRISE, false);
            h.enterprise_capital_idr = 0.0;
            return salvage;
        }
        return 0.0;
    }
    // The rare event first: its branch is predictable, whether the household can afford
    // a start is not.
    if draws.start_u() < ctx.consts.enterprise_start_probability && h.savings_idr >= e.start_capital_idr {
        h.set(flag::ENTERPRISE, true);
        h.enterprise_capital_idr = e.start_capital_idr as f32;
        return -e.start_capital_idr;
    }
    0.0
}

struct Income {
    net_idr: f64,
    harvest_kg: f64,
    sources: Sources,
}

/// Maize (wet season), cattle offtake, seaweed (dry season), wages and enterprise profit,
/// net of input costs.
#[inline(always)]
fn produce(h: &mut Household, village: &VillageView, draws: &mut Shocks, ctx: &SeasonCtx) -> Income {
    let p = ctx.params;
    let member = h.has(flag::COOP_MEMBER) && village.coop_exists;
    let mut sources = Sources::default();
    let mut net = 0.0;
    let mut harvest_kg = 0.0;
    if ctx.kind == SeasonKind::Wet {
        let land = f64::from(h.land_ha);
        let multiplier = practice_multiplier(h.has(flag::IMPROVED), h.farm_skill, ctx);
        let expected_kg = land * p.farm.base_yield_t_ha * KG_PER_TONNE * multiplier;
        let noise = draws.crop_noise();
        harvest_kg = expected_kg * village.yield_multiplier * noise;
        h.set(flag::BAD_HARVEST, harvest_kg < p.farm.bad_harvest_share * expected_kg);
        net += harvest_kg * ctx.env.maize_price_idr_per_kg * price_factor(member, ctx);
        net -= input_cost_idr(land, h.has(flag::IMPROVED), member, ctx);
        sources.maize_idr = net;
    }
    sources.cattle_idr = f64::from(h.cattle_head) * ctx.consts.offtake_idr_per_head_season;
    net += sources.cattle_idr;
    if ctx.kind == SeasonKind::Dry && h.has(flag::SEAWEED) {
        sources.seaweed_idr = p.seaweed.net_idr_per_month * ctx.months * draws.crop_noise();
        net += sources.seaweed_idr;
    }
    let days_noise = draws.labour_noise();
    let illness = if draws.ill(ctx) { p.finance.illness_days_share } else { 1.0 };
    sources.wages_idr = usual_wages_idr(h.daily_wages_idr, ctx) * days_noise * illness;
    net += sources.wages_idr;
    if h.has(flag::ENTERPRISE) {
        let demand = ctx.noise.demand.sample(draws.venture(ctx).demand_word());
        sources.enterprise_idr = usual_profit_idr(h.enterprise_capital_idr, h.business_skill, ctx) * demand;
        net += sources.enterprise_idr;
    }
    Income { net_idr: net, harvest_kg, sources }
}

/// Kilograms in a tonne.
pub(crate) const KG_PER_TONNE: f64 = 1000.0;

/// The maize yield multiplier of a household's practice and farm skill.
#[inline(always)]
pub(crate) fn practice_multiplier(improved: bool, farm_skill: f32, ctx: &SeasonCtx) -> f64 {
    let f = &ctx.params.farm;
    let realised = f.untrained_uplift_share + (1.0 - f.untrained_uplift_share) * f64::from(farm_skill);
    1.0 + only_if(improved, f.improved_yield_uplift_share * realised)
}

/// The maize price multiplier of a cooperative member.
#[inline(always)]
pub(crate) fn price_factor(member: bool, ctx: &SeasonCtx) -> f64 {
    1.0 + only_if(member, ctx.params.cooperative.price_premium_share)
}

/// `x` if `on`, else 0, by multiplication: the same value as the branch, without a branch
/// to mispredict where the condition varies from household to household.
#[inline(always)]
pub(crate) fn only_if(on: bool, x: f64) -> f64 {
    x * f64::from(u8::from(on))
}

/// Input costs of a season's maize on `land_ha`.
#[inline(always)]
pub(crate) fn input_cost_idr(land_ha: f64, improved: bool, member: bool, ctx: &SeasonCtx) -> f64 {
    let f = &ctx.params.farm;
    let per_ha = f.input_cost_idr_per_ha + only_if(improved, f.improved_input_cost_idr_per_ha);
    let saving = 1.0 - only_if(member, ctx.params.cooperative.input_saving_share);
    land_ha * per_ha * saving
}

/// Wages this season at the household's usual number of days.
#[inline(always)]
pub(crate) fn usual_wages_idr(daily_wages_idr: f32, ctx: &SeasonCtx) -> f64 {
    f64::from(daily_wages_idr) * ctx.consts.days_per_adult_month * ctx.months
}

/// An enterprise's profit this season at usual demand.
#[inline(always)]
pub(crate) fn usual_profit_idr(capital_idr: f32, business_skill: f32, ctx: &SeasonCtx) -> f64 {
    let e = &ctx.params.enterprise;
    f64::from(capital_idr)
        * e.return_share_per_month
        * ctx.months
        * (1.0 + e.skill_profit_uplift_share * f64::from(business_skill))
}

/// Expected income of a normal year with the household's current assets and practice,
/// rupiah per month: what it plans its consumption on (permanent income).
#[inline(always)]
pub fn expected_income_idr_month(h: &Household, village: &VillageView, ctx: &SeasonCtx) -> f64 {
    let holdings = Holdings {
        land_ha: h.land_ha,
        improved: h.has(flag::IMPROVED),
        farm_skill: h.farm_skill,
        member: h.has(flag::COOP_MEMBER) && village.coop_exists,
        cattle_head: u32::from(h.cattle_head),
        seaweed: h.has(flag::SEAWEED),
        enterprise: h.has(flag::ENTERPRISE),
        capital_idr: h.enterprise_capital_idr,
        business_skill: h.business_skill,
        daily_wages_idr: h.daily_wages_idr,
    };
    expected_income(&holdings, ctx)
}

/// What a household's expected income depends on: its assets and practice as they stand.
pub(crate) struct Holdings {
    pub(crate) land_ha: f32,
    pub(crate) improved: bool,
    pub(crate) farm_skill: f32,
    /// Member of a working cooperative.
    pub(crate) member: bool,
    pub(crate) cattle_head: u32,
    pub(crate) seaweed: bool,
    pub(crate) enterprise: bool,
    pub(crate) capital_idr: f32,
    pub(crate) business_skill: f32,
    pub(crate) daily_wages_idr: f32,
}

/// [`expected_income_idr_month`] of `x`, rupiah per month.
#[inline(always)]
pub(crate) fn expected_income(x: &Holdings, ctx: &SeasonCtx) -> f64 {
    let p = ctx.params;
    let land = f64::from(x.land_ha);
    let maize = land
        * p.farm.base_yield_t_ha
        * KG_PER_TONNE
        * practice_multiplier(x.improved, x.farm_skill, ctx)
        * ctx.consts.expected_weather_multiplier
        * ctx.consts.expected_price_idr_per_kg
        * price_factor(x.member, ctx)
        - input_cost_idr(land, x.improved, x.member, ctx);
    let cattle =
        f64::from(x.cattle_head) * p.livestock.value_idr_per_head * p.livestock.offtake_share_per_year;
    let seaweed = only_if(x.seaweed, p.seaweed.net_idr_per_month * p.calendar.dry_months);
    let wages = f64::from(x.daily_wages_idr) * ctx.consts.days_per_adult_year;
    let e = &p.enterprise;
    let profit = only_if(
        x.enterprise,
        f64::from(x.capital_idr)
            * e.return_share_per_month
            * (1.0 + e.skill_profit_uplift_share * f64::from(x.business_skill))
            * 12.0,
    );
    ((maize + cattle + seaweed + wages + profit) / ctx.consts.months_per_year).max(0.0)
}

/// Cattle lost to disease or theft, and calves kept, this season (no cash flow). Without
/// cattle neither can happen (survival 1, calf probability 0); written without branches,
/// since whether a household keeps cattle is unpredictable from one to the next.
fn change_herd(h: &mut Household, draws: &Shocks, ctx: &SeasonCtx) {
    let head = usize::from(h.cattle_head);
    h.cattle_head -= u8::from(draws.cattle_u() >= ctx.consts.herd_survival[head]);
    let room = u32::from(h.cattle_head) < ctx.params.livestock.max_head;
    h.cattle_head += u8::from((draws.calf_u() < ctx.consts.herd_calf[head]) & room);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::budget::{Budget, consume};
    use crate::model::draws::Batch;
    use crate::model::fixture::{self, Fixture, household};
    use crate::model::season::ProgrammeLevels;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Money is conserved through a season: the change in savings minus debt equals the
        /// season's net cash income minus consumption; no stock becomes negative or NaN.
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
            let levels = ProgrammeLevels { production_skill: 1.0, business_skill: 1.0, start_probability: 0.18, finance_skill: 1.0 };
            let ctx = fixture.ctx(seed, levels);
            let mut h = Household { offers, ..start };
            let out = step(&mut h, Batch::draw(&ctx, id, 1).shocks(0), &ctx);
            let before = start.savings_idr - start.debt_idr;
            let after = h.savings_idr - h.debt_idr;
            let flow = out.cash_income_idr - out.consumption_idr;
            let scale = 1.0 + start.savings_idr.abs() + start.debt_idr.abs() + out.consumption_idr.abs() + out.cash_income_idr.abs();
            prop_assert!((after - before - flow).abs() <= 1e-9 * scale, "Δ {} vs flow {}", after - before, flow);
            for x in [h.savings_idr, h.debt_idr, out.consumption_idr, f64::from(h.consumption_pc_idr_month), f64::from(h.expected_income_idr_month)] {
                prop_assert!(x.is_finite() && x >= 0.0, "{x}");
            }
            for s in [h.farm_skill, h.business_skill, h.finance_skill] {
                prop_assert!((0.0..=1.0).contains(&s));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Settling a batch's budgets together gives the numbers of settling them one by one,
        /// bit for bit: shortfalls covered by loans and by cattle sales, restocking, arrears,
        /// cheap and formal credit.
        #[test]
        fn a_batch_of_budgets_settles_as_one_by_one(
            batch in proptest::collection::vec(
                (household(), -6e7..6e7f64, any::<bool>(), prop_oneof![Just(0.0f32), 0.0..1.0f32]),
                1..=crate::model::draws::BATCH,
            ),
            season in 0u32..2,
            coop in any::<bool>(),
            params in fixture::params(),
            around in fixture::surroundings(),
        ) {
            let fixture = Fixture::varied(season, coop, params, &around);
            for cpu in crate::cpu::Cpu::available() {
            let ctx = SeasonCtx { cpu, ..fixture.ctx(1, ProgrammeLevels::default()) };
            let mut rows: Vec<Household> =
                batch.iter().map(|(h, _, _, finance)| Household { finance_skill: *finance, ..*h }).collect();
            let earned: Vec<Earned> = batch
                .iter()
                .map(|&(_, cash_flow_idr, ill, _)| Earned { cash_flow_idr, ill, outcome: Outcome::default() })
                .collect();
            let mut one_by_one = rows.clone();
            let expected: Vec<Budget> = one_by_one
                .iter_mut()
                .zip(&earned)
                .map(|(h, e)| consume(h, e.cash_flow_idr, ctx.village(h.village), e.ill, &ctx))
                .collect();
            let budgets = crate::model::budget::consume_batch(&mut rows, &earned, &ctx);
            let bits = |b: &Budget| (b.cash_income_idr.to_bits(), b.consumption_idr.to_bits());
            let row_bits = |h: &Household| (h.savings_idr.to_bits(), h.debt_idr.to_bits(), h.cattle_head);
            prop_assert_eq!(
                budgets[..rows.len()].iter().map(bits).collect::<Vec<_>>(),
                expected.iter().map(bits).collect::<Vec<_>>()
            );
            prop_assert_eq!(rows.iter().map(row_bits).collect::<Vec<_>>(), one_by_one.iter().map(row_bits).collect::<Vec<_>>(), "{}", cpu);
            }
        }
    }
}
