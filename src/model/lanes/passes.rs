//! The household season as passes over a chunk's columns, in the season's order: skills
//! decay, taking part in modules, the hazard rates, the decisions, production and income,
//! expected income, the herd, the budget ([`Lanes`]), consumption per person and the
//! metric terms ([`Terms`]). Each pass is a loop over the lanes without branches (a branch
//! of the rule is a select of the value it would have left), which the compiler turns into
//! four or eight households per instruction on the AVX2 and AVX-512 paths. Every rule of
//! the household season is written here once.
//!
//! A pass reads the parameters it needs into locals before its loop. A parameter read in
//! only one arm of a select is a load behind a reference the compiler cannot prove it may
//! read in every lane: with AVX-512 it becomes a masked load, but without one the AVX2 and
//! portable paths keep the loop scalar.

use super::{Columns, bit};
use crate::metrics::Lines;
#[cfg(doc)]
use crate::metrics::Terms;
use crate::model::budget::Lanes;
use crate::model::draws::{BATCH, Batch, Word};
use crate::model::household::{
    Holdings, KG_PER_TONNE, carried_kg, expected_income, flag, input_cost_idr, module, practice_multiplier,
    price_factor, purchase_premium_idr, storage, usual_profit_idr, usual_wages_idr,
};
use crate::model::households::Chunk;
use crate::model::season::SeasonCtx;
use crate::params::SeasonKind;
use crate::rng::unit;

impl Columns {
    /// The passes of one season over the chunk `s`, in order.
    #[inline(always)]
    pub(super) fn run(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx, lines: Option<Lines>) {
        let wet = ctx.kind == SeasonKind::Wet;
        self.decay(s, ctx);
        self.take_part(s, ctx);
        self.sample_demand(s, draws, ctx);
        self.rates(s, ctx);
        let hazard = &ctx.noise.hazard;
        if wet {
            hazard.probability_all(ctx.cpu, &self.practice_rate, &mut self.practice_probability);
        }
        hazard.probability_all(ctx.cpu, &self.join_rate, &mut self.join_probability);
        hazard.probability_all(ctx.cpu, &self.exit_rate, &mut self.exit_probability);
        self.decide(s, draws, ctx);
        if wet {
            self.farm(s, draws, ctx);
        } else {
            self.net = [0.0; BATCH];
            self.harvest_kg = [0.0; BATCH];
        }
        self.income(s, draws, ctx);
        self.expect(s, ctx);
        self.herd(s, draws, ctx);
        self.settle(s, ctx);
        self.finish(s, ctx);
        self.count(s);
        if let Some(lines) = lines {
            self.observe(s, lines);
        }
    }

    /// Skills decay by their retention per season.
    #[inline(always)]
    fn decay(&mut self, s: &mut Chunk, ctx: &SeasonCtx) {
        let consts = ctx.consts;
        for j in 0..BATCH {
            s.farm_skill[j] *= consts.farm_skill_retention;
            s.business_skill[j] *= consts.business_skill_retention;
            s.finance_skill[j] *= consts.finance_skill_retention;
        }
    }

    /// Taking part in this season's modules (the chunk's offers, which it clears): the
    /// training raises skills to the season's levels ([`crate::model::season::ProgrammeLevels`]),
    /// the cooperative module makes a member where the village has a cooperative, and an
    /// entrepreneurship trainee whose draw calls for it starts seaweed farming (coastal,
    /// not yet farming it) or else an enterprise, paying its start-up cost.
    #[inline(always)]
    fn take_part(&mut self, s: &mut Chunk, ctx: &SeasonCtx) {
        // Most chunks hold no trainee in a season: the pass would leave every lane as it is.
        // (An OR over the lanes, without the short circuit of `all`: one vector reduction.)
        if s.offers.iter().fold(0, |any, &o| any | o) == 0 {
            self.took_part = [false; BATCH];
            self.start_cash = [0.0; BATCH];
            return;
        }
        let levels = &ctx.programme;
        let p = ctx.params;
        let start_capital = p.enterprise.start_capital_idr;
        let start_probability = f64::from(levels.start_probability);
        let seaweed_cost = p.seaweed.start_cost_idr;
        for j in 0..BATCH {
            let offers = std::mem::take(&mut s.offers[j]);
            let takes = |m: u8| offers & m != 0;
            self.took_part[j] = offers != 0;
            s.participated[j] |= offers;
            let farm = s.farm_skill[j];
            s.farm_skill[j] =
                if takes(module::PRODUCTION) { farm.max(levels.production_skill) } else { farm };
            let finance = s.finance_skill[j];
            s.finance_skill[j] =
                if takes(module::FINANCE) { finance.max(levels.finance_skill) } else { finance };
            let business = s.business_skill[j];
            let trained = takes(module::ENTREPRENEURSHIP);
            s.business_skill[j] = if trained { business.max(levels.business_skill) } else { business };

            let flags = s.flags[j];
            let has = |f: u8| flags & u32::from(f) != 0;
            let joins = takes(module::COOPERATIVE) & self.coop_exists[j];
            let starts = trained
                & (unit(self.decision[const { Word::TraineeStart.decision() }][j]) < start_probability);
            let seaweed = starts & has(flag::COASTAL) & !has(flag::SEAWEED);
            let enterprise = starts & !seaweed & !has(flag::ENTERPRISE);
            self.start_cash[j] = if seaweed {
                -seaweed_cost
            } else if enterprise {
                -start_capital
            } else {
                0.0
            };
            let capital = s.capital_idr[j];
            s.capital_idr[j] = if enterprise { start_capital as f32 } else { capital };
            s.flags[j] = flags
                | bit(joins, flag::COOP_MEMBER)
                | bit(seaweed, flag::SEAWEED)
                | bit(enterprise, flag::ENTERPRISE);
        }
    }

    /// The hazard rates of adoption or dis-adoption, of joining the cooperative and of
    /// closing an enterprise.
    #[inline(always)]
    fn rates(&mut self, s: &mut Chunk, ctx: &SeasonCtx) {
        let (consts, a) = (ctx.consts, &ctx.params.adoption);
        let (c, e) = (&ctx.params.cooperative, &ctx.params.enterprise);
        let improved_cost = ctx.params.farm.improved_input_cost_idr_per_ha;
        let (bad_season_multiplier, illiquid_multiplier) = (a.bad_season_multiplier, a.illiquid_multiplier);
        for j in 0..BATCH {
            let readiness = (self.village_readiness[j] + f64::from(s.readiness_offset[j])).clamp(0.0, 1.0);
            let adopt = readiness
                * (a.innovation_per_year
                    + a.imitation_per_year * self.adopter_share[j]
                    + a.trained_per_year * f64::from(s.farm_skill[j]));
            let mut drop = consts.supported_disadoption_per_year;
            drop = if s.flags[j] & u32::from(flag::BAD_HARVEST) != 0 {
                drop * bad_season_multiplier
            } else {
                drop
            };
            let illiquid = s.savings_idr[j] < improved_cost * f64::from(s.land_ha[j]);
            drop = if illiquid { drop * illiquid_multiplier } else { drop };
            let improved = s.flags[j] & u32::from(flag::IMPROVED) != 0;
            self.practice_rate[j] = if improved { drop } else { adopt };
            self.join_rate[j] = c.join_per_year * readiness * self.governance[j] * ctx.years;
            self.exit_rate[j] =
                e.exit_per_year * (1.0 - e.skill_exit_cut_share * f64::from(s.business_skill[j])) * ctx.years;
        }
    }

    /// Practice (wet season), cooperative membership, enterprise exit and start.
    #[inline(always)]
    fn decide(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx) {
        let wet = ctx.kind == SeasonKind::Wet;
        let peer_skill = ctx.params.adoption.peer_skill_share as f32;
        let e = &ctx.params.enterprise;
        let exit_probability = ctx.consts.coop_exit_probability;
        let start_probability = ctx.consts.enterprise_start_probability;
        let (start_capital, salvage_share) = (e.start_capital_idr, e.salvage_share);
        for j in 0..BATCH {
            let flags = s.flags[j];
            let improved = flags & u32::from(flag::IMPROVED) != 0;
            let hit = unit(draws.words(Word::Adoption)[j]) < self.practice_probability[j];
            let adopted = wet & !improved & hit;
            let disadopted = wet & improved & hit;
            self.adopted[j] = adopted;
            self.disadopted[j] = disadopted;
            let improved = (improved | adopted) & !disadopted;
            let skill = s.farm_skill[j];
            s.farm_skill[j] = if adopted { skill.max(peer_skill) } else { skill };

            let member_u = unit(draws.words(Word::Membership)[j]);
            let member = flags & u32::from(flag::COOP_MEMBER) != 0;
            let stays = member & (member_u >= exit_probability);
            let joins = !member & (member_u < self.join_probability[j]);
            let member = self.coop_exists[j] & (stays | joins);

            let enterprise = flags & u32::from(flag::ENTERPRISE) != 0;
            let exits = enterprise
                & (unit(self.decision[const { Word::EnterpriseExit.decision() }][j])
                    < self.exit_probability[j]);
            let starts = !enterprise
                & (unit(draws.words(Word::SpontaneousStart)[j]) < start_probability)
                & (s.savings_idr[j] >= start_capital);
            let capital = s.capital_idr[j];
            let salvage = f64::from(capital) * salvage_share;
            let cash = if exits {
                salvage
            } else if starts {
                -start_capital
            } else {
                0.0
            };
            s.capital_idr[j] = if exits {
                0.0
            } else if starts {
                start_capital as f32
            } else {
                capital
            };
            self.cash_flow[j] = self.start_cash[j] + cash;
            let enterprise = (enterprise & !exits) | starts;

            let cleared = flags & !u32::from(flag::IMPROVED | flag::COOP_MEMBER | flag::ENTERPRISE);
            s.flags[j] = cleared
                | bit(improved, flag::IMPROVED)
                | bit(member, flag::COOP_MEMBER)
                | bit(enterprise, flag::ENTERPRISE);
        }
    }

    /// The maize harvest, its sale and input costs (wet season).
    #[inline(always)]
    fn farm(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx) {
        let p = ctx.params;
        for j in 0..BATCH {
            let flags = s.flags[j];
            let member = (flags & u32::from(flag::COOP_MEMBER) != 0) & self.coop_exists[j];
            let improved = flags & u32::from(flag::IMPROVED) != 0;
            let land = f64::from(s.land_ha[j]);
            let multiplier = practice_multiplier(improved, s.farm_skill[j], ctx);
            let expected_kg = land * p.farm.base_yield_t_ha * KG_PER_TONNE * multiplier;
            let harvest_kg = expected_kg * self.yield_multiplier[j] * draws.crop[j];
            self.harvest_kg[j] = harvest_kg;
            // The maize last year's harvest left short, beyond what the household could buy
            // at that harvest's price, is bought in the lean months before this harvest at
            // this season's price; this harvest's is next year's.
            let price = ctx.env.maize_price_idr_per_kg;
            let premium = purchase_premium_idr(f64::from(s.staple_gap_kg[j]), price, ctx);
            let carried = carried_kg(s.finance_skill[j], s.savings_idr[j], price, ctx);
            let stored = storage(s.members[j], harvest_kg, carried, price, ctx);
            s.staple_gap_kg[j] = stored.gap_kg as f32;
            let bad = harvest_kg < p.farm.bad_harvest_share * expected_kg;
            s.flags[j] = (flags & !u32::from(flag::BAD_HARVEST)) | bit(bad, flag::BAD_HARVEST);
            let sale = harvest_kg * price * price_factor(member, ctx) + stored.gain_idr;
            self.net[j] = 0.0 + sale - input_cost_idr(land, improved, member, ctx) - premium;
        }
    }

    /// Cattle offtake, seaweed (dry season), wages and enterprise profit; whether the
    /// household fell ill.
    #[inline(always)]
    fn income(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx) {
        let Columns { net, demand, cash_flow, sources, ill, .. } = self;
        income_lanes(s, draws, ctx, net, demand, cash_flow, sources, ill);
    }

    /// Expected income, rupiah per month ([`expected_income`]).
    #[inline(always)]
    fn expect(&mut self, s: &mut Chunk, ctx: &SeasonCtx) {
        for j in 0..BATCH {
            let flags = s.flags[j];
            let holdings = Holdings {
                land_ha: s.land_ha[j],
                improved: flags & u32::from(flag::IMPROVED) != 0,
                farm_skill: s.farm_skill[j],
                member: (flags & u32::from(flag::COOP_MEMBER) != 0) & self.coop_exists[j],
                cattle_head: s.cattle_head[j],
                seaweed: flags & u32::from(flag::SEAWEED) != 0,
                enterprise: flags & u32::from(flag::ENTERPRISE) != 0,
                capital_idr: s.capital_idr[j],
                business_skill: s.business_skill[j],
                daily_wages_idr: s.daily_wages_idr[j],
                fixed_income_idr_month: s.fixed_income_idr_month[j],
                members: s.members[j],
                finance_skill: s.finance_skill[j],
            };
            s.expected_income_idr_month[j] = expected_income(&holdings, ctx) as f32;
        }
    }

    /// Cattle lost and calves kept.
    #[inline(always)]
    fn herd(&mut self, s: &mut Chunk, draws: &Batch, ctx: &SeasonCtx) {
        let max_head = ctx.params.livestock.max_head;
        for j in 0..BATCH {
            let lost = unit(draws.words(Word::CattleLoss)[j]) >= self.herd_survival[j];
            let head = s.cattle_head[j] - u32::from(lost);
            let calf = (unit(draws.words(Word::CalfKept)[j]) < self.herd_calf[j]) & (head < max_head);
            s.cattle_head[j] = head + u32::from(calf);
        }
    }

    /// The budget ([`Lanes::settle`]).
    #[inline(always)]
    fn settle(&mut self, s: &mut Chunk, ctx: &SeasonCtx) {
        let Columns { budget, cash_flow, ill, coop_exists, adopted, .. } = self;
        budget_inputs(budget, s, cash_flow, ill, coop_exists);
        budget.settle(ctx);
        budget_results(budget, s, adopted, ctx.season as u16);
    }

    /// Consumption per person.
    #[inline(always)]
    fn finish(&mut self, s: &mut Chunk, ctx: &SeasonCtx) {
        for j in 0..BATCH {
            s.consumption_pc_idr_month[j] =
                (self.budget.consumption[j] / (ctx.months * f64::from(s.members[j]))) as f32;
        }
    }

    /// What each household adds to the metrics ([`Terms::observe`]).
    #[inline(always)]
    fn observe(&mut self, s: &mut Chunk, lines: Lines) {
        let b = &self.budget;
        for j in 0..BATCH {
            let counted = self.counted(j);
            let (members, consumption_pc, harvest_kg) =
                (s.members[j], s.consumption_pc_idr_month[j], self.harvest_kg[j]);
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
    fn count(&mut self, s: &mut Chunk) {
        for j in 0..BATCH {
            let counted = self.counted(j);
            let (flags, participated) = (s.flags[j] as u8, s.participated[j]);
            let took_part = self.took_part[j];
            self.terms.count(j, counted, flags, participated, took_part, self.adopted[j], self.disadopted[j]);
        }
    }

    /// Lane `j` holds a household of the chunk (the lanes past its households are computed
    /// but never counted).
    #[inline(always)]
    fn counted(&self, j: usize) -> bool {
        j < self.len
    }
}

/// [`Columns::income`] on the columns it reads and writes, each passed apart (see
/// `model::lanes` on why).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn income_lanes(
    s: &Chunk,
    draws: &Batch,
    ctx: &SeasonCtx,
    net_in: &[f64; BATCH],
    demand: &[f64; BATCH],
    cash_flow: &mut [f64; BATCH],
    sources: &mut [[f64; BATCH]; 4],
    ill_out: &mut [bool; BATCH],
) {
    let p = ctx.params;
    let dry = ctx.kind == SeasonKind::Dry;
    let seaweed_idr_season = p.seaweed.net_idr_per_month * ctx.months;
    let illness_days_share = p.finance.illness_days_share;
    let (offtake_idr, illness_probability) =
        (ctx.consts.offtake_idr_per_head_season, ctx.consts.illness_probability);
    let (days_per_month, months) = (ctx.consts.days_per_adult_month, ctx.months);
    // The profit is computed only in an enterprise's lanes: its parameters as values.
    let e = p.enterprise.clone();
    for j in 0..BATCH {
        let flags = s.flags[j];
        let cattle_idr = f64::from(s.cattle_head[j]) * offtake_idr;
        let mut net = net_in[j] + cattle_idr;
        let seaweed = dry & (flags & u32::from(flag::SEAWEED) != 0);
        let seaweed_idr = seaweed_idr_season * draws.crop[j];
        net = if seaweed { net + seaweed_idr } else { net };
        let ill = unit(draws.words(Word::Illness)[j]) < illness_probability;
        ill_out[j] = ill;
        let illness = if ill { illness_days_share } else { 1.0 };
        let salary_idr = f64::from(s.fixed_income_idr_month[j]) * months;
        let wages_idr =
            usual_wages_idr(s.daily_wages_idr[j], days_per_month, months) * draws.labour[j] * illness
                + salary_idr;
        net += wages_idr;
        let usual_profit = usual_profit_idr(s.capital_idr[j], s.business_skill[j], &e, months);
        let enterprise = flags & u32::from(flag::ENTERPRISE) != 0;
        let profit_idr = usual_profit * demand[j];
        net = if enterprise { net + profit_idr } else { net };
        cash_flow[j] += net;
        sources[0][j] = cattle_idr;
        sources[1][j] = if seaweed { seaweed_idr } else { 0.0 };
        sources[2][j] = wages_idr;
        sources[3][j] = if enterprise { profit_idr } else { 0.0 };
    }
}

/// The budget's inputs: the chunk's savings, debt, expected income, capability and cattle,
/// the season's cash flow and illness, and cheap credit for members of a working
/// cooperative.
#[inline(always)]
fn budget_inputs(
    b: &mut Lanes,
    s: &Chunk,
    cash_flow: &[f64; BATCH],
    ill: &[bool; BATCH],
    coop_exists: &[bool; BATCH],
) {
    for j in 0..BATCH {
        b.savings[j] = s.savings_idr[j];
        b.debt[j] = s.debt_idr[j];
        b.cash_flow[j] = cash_flow[j];
        b.expected[j] = f64::from(s.expected_income_idr_month[j]);
        b.skill[j] = f64::from(s.finance_skill[j]);
        b.cheap[j] = (s.flags[j] & u32::from(flag::COOP_MEMBER) != 0) & coop_exists[j];
        b.ill[j] = ill[j];
        b.cattle[j] = s.cattle_head[j];
    }
}

/// The budget's savings, debt and cattle into the chunk, and the season of an adoption.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // Lanes by index, as in every pass.
fn budget_results(b: &Lanes, s: &mut Chunk, adopted: &[bool; BATCH], season: u16) {
    for j in 0..BATCH {
        s.savings_idr[j] = b.savings[j];
        s.debt_idr[j] = b.debt[j];
        s.cattle_head[j] = b.cattle[j];
        let adopted_season = s.adopted_season[j];
        s.adopted_season[j] = if adopted[j] { season } else { adopted_season };
    }
}
