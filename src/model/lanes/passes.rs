//! The season's passes over a batch's columns, in the order of [`household::step`]: each a
//! loop over the lanes without branches, which the compiler turns into eight households per
//! instruction where the batch path is compiled for AVX-512.

use super::{Columns, bit};
use crate::metrics::Lines;
#[cfg(doc)]
use crate::metrics::Terms;
#[cfg(doc)]
use crate::model::budget::Lanes;
use crate::model::draws::{BATCH, Batch, Word};
#[cfg(doc)]
use crate::model::household;
use crate::model::household::{
    Holdings, KG_PER_TONNE, expected_income, flag, input_cost_idr, practice_multiplier, price_factor,
    usual_profit_idr, usual_wages_idr,
};
use crate::model::season::SeasonCtx;
use crate::params::SeasonKind;
use crate::rng::unit;

impl Columns {
    /// The passes, in the order of [`household::step`].
    #[inline(always)]
    pub(super) fn run(&mut self, draws: &Batch, ctx: &SeasonCtx, lines: Option<Lines>) {
        let wet = ctx.kind == SeasonKind::Wet;
        self.rates(ctx);
        let hazard = &ctx.noise.hazard;
        if wet {
            hazard.probability_all(ctx.cpu, &self.practice_rate, &mut self.practice_probability);
        }
        hazard.probability_all(ctx.cpu, &self.join_rate, &mut self.join_probability);
        hazard.probability_all(ctx.cpu, &self.exit_rate, &mut self.exit_probability);
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
            let hit = unit(draws.words(Word::Adoption)[j]) < self.practice_probability[j];
            let adopted = wet & !improved & hit;
            let disadopted = wet & improved & hit;
            self.adopted[j] = adopted;
            self.disadopted[j] = disadopted;
            let improved = (improved | adopted) & !disadopted;
            let skill = self.farm_skill[j];
            self.farm_skill[j] = if adopted { skill.max(peer_skill) } else { skill };

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
        let seaweed_idr_season = p.seaweed.net_idr_per_month * ctx.months;
        for j in 0..BATCH {
            let flags = self.flags[j];
            let cattle_idr = f64::from(self.cattle[j]) * ctx.consts.offtake_idr_per_head_season;
            let mut net = self.net[j] + cattle_idr;
            let seaweed = dry & (flags & u32::from(flag::SEAWEED) != 0);
            let seaweed_idr = seaweed_idr_season * draws.crop[j];
            net = if seaweed { net + seaweed_idr } else { net };
            let ill = unit(draws.words(Word::Illness)[j]) < ctx.consts.illness_probability;
            self.ill[j] = ill;
            let illness = if ill { p.finance.illness_days_share } else { 1.0 };
            let wages_idr = usual_wages_idr(self.daily_wages[j], ctx) * draws.labour[j] * illness;
            net += wages_idr;
            let usual_profit = usual_profit_idr(self.capital[j], self.business_skill[j], ctx);
            let enterprise = flags & u32::from(flag::ENTERPRISE) != 0;
            let profit_idr = usual_profit * self.demand[j];
            net = if enterprise { net + profit_idr } else { net };
            self.cash_flow[j] += net;
            self.sources[0][j] = cattle_idr;
            self.sources[1][j] = if seaweed { seaweed_idr } else { 0.0 };
            self.sources[2][j] = wages_idr;
            self.sources[3][j] = if enterprise { profit_idr } else { 0.0 };
        }
    }

    /// Expected income, rupiah per month ([`household::expected_income`]).
    #[inline(always)]
    fn expect(&mut self, ctx: &SeasonCtx) {
        for j in 0..BATCH {
            let flags = self.flags[j];
            let holdings = Holdings {
                land_ha: self.land[j],
                improved: flags & u32::from(flag::IMPROVED) != 0,
                farm_skill: self.farm_skill[j],
                member: (flags & u32::from(flag::COOP_MEMBER) != 0) & self.coop_exists[j],
                cattle_head: self.cattle[j],
                seaweed: flags & u32::from(flag::SEAWEED) != 0,
                enterprise: flags & u32::from(flag::ENTERPRISE) != 0,
                capital_idr: self.capital[j],
                business_skill: self.business_skill[j],
                daily_wages_idr: self.daily_wages[j],
            };
            self.expected_income[j] = expected_income(&holdings, ctx) as f32;
        }
    }

    /// Cattle lost and calves kept.
    #[inline(always)]
    fn herd(&mut self, draws: &Batch, ctx: &SeasonCtx) {
        let max_head = ctx.params.livestock.max_head;
        for j in 0..BATCH {
            let lost = unit(draws.words(Word::CattleLoss)[j]) >= self.herd_survival[j];
            let head = self.cattle[j] - u32::from(lost);
            let calf = (unit(draws.words(Word::CalfKept)[j]) < self.herd_calf[j]) & (head < max_head);
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
}
