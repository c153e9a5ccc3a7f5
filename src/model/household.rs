//! The household agent as one value ([`Household`]), its flag and module bits, what a
//! season brings it ([`Sources`], [`Flows`]), and the arithmetic of production and
//! expected income that the season's passes (`crate::model::lanes`) share.
//!
//! Households are stored as columns ([`crate::model::households`]); a [`Household`] is a
//! view of one of them, for the code that looks at households one at a time. Money stocks
//! are `f64` rupiah so that the season's accounting closes to the rupiah; rates, skills and
//! flows that are recomputed each season are `f32`.

use crate::model::season::{SeasonCtx, VillageView};
use crate::params::Enterprise;

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
#[derive(Clone, Copy, Debug, PartialEq, Default)]
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
    /// Income that does not vary: a salaried member's salary and social transfers, rupiah per
    /// month (fixed).
    pub fixed_income_idr_month: f32,
    /// Maize the last harvest left short of the household's staple need, kg.
    pub staple_gap_kg: f32,
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
    /// [`module`] bits of the modules it takes part in this season (cleared by the season).
    pub offers: u8,
    /// Bit `i` is set once it has taken part in the scenario's intervention `i`
    /// (at most `MAX_INTERVENTIONS`).
    pub enrolled: [u8; 3],
}

/// Interventions a scenario may hold: one enrolment bit each in the household's row.
pub(crate) const MAX_INTERVENTIONS: usize = 24;

impl Household {
    /// True if `bit` of [`flag`] is set.
    pub fn has(&self, bit: u8) -> bool {
        self.flags & bit != 0
    }

    /// True if the household has taken part in intervention `index`.
    #[cfg(test)]
    pub(crate) fn is_enrolled(&self, index: usize) -> bool {
        self.enrolled[index / 8] & (1 << (index % 8)) != 0
    }

    /// Adults who earn wages (at least one).
    pub(crate) fn adults(&self, adult_share: f64) -> f64 {
        // Round half up; `as` truncates a non-negative value.
        ((f64::from(self.members) * adult_share + 0.5) as u32).max(1).into()
    }
}

/// A season's income by source, rupiah: what the season's net cash income is made of before
/// enterprise starts and exits, interest and asset sales.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sources {
    /// The harvest at the season's price, net of input costs and of the lean-season premium
    /// on last year's shortfall (wet season; 0 in the dry season).
    pub maize_idr: f64,
    /// Cattle offtake.
    pub cattle_idr: f64,
    /// Seaweed (dry season, coastal farmers).
    pub seaweed_idr: f64,
    /// Casual wages (every income the model does not describe separately), a salaried
    /// member's salary and social transfers.
    pub wages_idr: f64,
    /// Enterprise profit.
    pub enterprise_idr: f64,
}

/// What a season brought a household beyond its row, kept per household when a run
/// follows households one by one (the virtual trial): income by source ([`Sources`], in
/// its order), the harvest and the interest on its debt, to `f32` precision (28 bytes a
/// household).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Flows {
    /// Maize, cattle, seaweed, wages and enterprise income, rupiah.
    pub income_idr: [f32; 5],
    /// Maize harvested, kg.
    pub harvest_kg: f32,
    /// Interest accrued on the household's debt in the season, rupiah.
    pub interest_idr: f32,
}

impl Flows {
    /// The flows of a season's income, harvest and interest.
    #[inline(always)]
    pub fn new(i: &Sources, harvest_kg: f64, interest_idr: f64) -> Self {
        let income_idr =
            [i.maize_idr, i.cattle_idr, i.seaweed_idr, i.wages_idr, i.enterprise_idr].map(|x| x as f32);
        Self { income_idr, harvest_kg: harvest_kg as f32, interest_idr: interest_idr as f32 }
    }
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

/// Maize a household can carry past the harvest, kg, at the harvest price
/// `price_idr_per_kg`: all it has with a harvest-time loan from a savings group or bank
/// (financial capability at least `finance.formal_credit_skill`), else what its savings are
/// worth in maize. A cooperative's collective marketing is its members' price premium, which
/// already holds what selling through the group later earns.
#[inline(always)]
pub(crate) fn carried_kg(
    finance_skill: f32,
    savings_idr: f64,
    price_idr_per_kg: f64,
    ctx: &SeasonCtx,
) -> f64 {
    let credit = f64::from(finance_skill) >= ctx.params.finance.formal_credit_skill;
    let by_savings = (savings_idr / price_idr_per_kg).max(0.0);
    if credit { f64::INFINITY } else { by_savings }
}

/// What a harvest of `harvest_kg` leaves a household of `members` that can carry
/// `carried_kg` past the harvest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Storage {
    /// What selling the stored surplus over the staple need in the months after the harvest
    /// earns beyond its harvest price, rupiah.
    pub(crate) gain_idr: f64,
    /// Maize short of the staple need that the household cannot buy at the harvest price,
    /// kg: it buys it in the lean months.
    pub(crate) gap_kg: f64,
}

/// The harvest's [`Storage`]: the household stores what its harvest holds beyond a year's
/// staple, or buys at the harvest price what it lacks, as far as it can carry maize.
#[inline(always)]
pub(crate) fn storage(
    members: u8,
    harvest_kg: f64,
    carried_kg: f64,
    price_idr_per_kg: f64,
    ctx: &SeasonCtx,
) -> Storage {
    let prices = &ctx.params.prices;
    let need_kg = f64::from(members) * prices.staple_kg_per_person_year;
    let surplus_kg = (harvest_kg - need_kg).max(0.0);
    let gap_kg = (need_kg - harvest_kg).max(0.0);
    Storage {
        gain_idr: surplus_kg.min(carried_kg) * price_idr_per_kg * prices.stored_sale_gain_share,
        gap_kg: gap_kg - gap_kg.min(carried_kg),
    }
}

/// What buying `gap_kg` of maize after the harvest costs beyond its value at the farm-gate
/// price `price_idr_per_kg`: the household sells low (or eats its own) and buys high.
#[inline(always)]
pub(crate) fn purchase_premium_idr(gap_kg: f64, price_idr_per_kg: f64, ctx: &SeasonCtx) -> f64 {
    gap_kg * price_idr_per_kg * (ctx.params.prices.purchase_price_multiplier - 1.0)
}

/// Wages this season of `months` at the household's usual number of days
/// (`days_per_month`, [`crate::model::season::SeasonConsts::days_per_adult_month`]).
#[inline(always)]
pub(crate) fn usual_wages_idr(daily_wages_idr: f32, days_per_month: f64, months: f64) -> f64 {
    f64::from(daily_wages_idr) * days_per_month * months
}

/// An enterprise's profit this season of `months` at usual demand, with the enterprise
/// parameters `e` (a copy the pass makes before its loop: read in one lane's branch,
/// parameters behind the season's references would keep the loop scalar; see
/// `lanes::passes`).
#[inline(always)]
pub(crate) fn usual_profit_idr(capital_idr: f32, business_skill: f32, e: &Enterprise, months: f64) -> f64 {
    f64::from(capital_idr)
        * e.return_share_per_month
        * months
        * (1.0 + e.skill_profit_uplift_share * f64::from(business_skill))
}

/// Expected income of a normal year with the household's current assets and practice,
/// rupiah per month: what it plans its consumption on (permanent income).
#[inline(always)]
pub(crate) fn expected_income_idr_month(h: &Household, village: &VillageView, ctx: &SeasonCtx) -> f64 {
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
        fixed_income_idr_month: h.fixed_income_idr_month,
        members: h.members,
        finance_skill: h.finance_skill,
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
    pub(crate) fixed_income_idr_month: f32,
    pub(crate) members: u8,
    /// Financial capability, which lets the household carry maize past the harvest on a
    /// loan ([`carried_kg`]).
    pub(crate) finance_skill: f32,
}

/// [`expected_income_idr_month`] of `x`, rupiah per month.
#[inline(always)]
pub(crate) fn expected_income(x: &Holdings, ctx: &SeasonCtx) -> f64 {
    let p = ctx.params;
    let land = f64::from(x.land_ha);
    let harvest_kg = land
        * p.farm.base_yield_t_ha
        * KG_PER_TONNE
        * practice_multiplier(x.improved, x.farm_skill, ctx)
        * ctx.consts.expected_weather_multiplier;
    let price = ctx.consts.expected_price_idr_per_kg;
    // Savings rise and fall over the year and permanent income does not follow them: only a
    // harvest-time loan's storage counts here; a saver's storage gain arrives as cash.
    let carried = carried_kg(x.finance_skill, 0.0, price, ctx);
    let stored = storage(x.members, harvest_kg, carried, price, ctx);
    let maize = harvest_kg * price * price_factor(x.member, ctx) + stored.gain_idr
        - input_cost_idr(land, x.improved, x.member, ctx)
        - purchase_premium_idr(stored.gap_kg, price, ctx);
    let cattle =
        f64::from(x.cattle_head) * p.livestock.value_idr_per_head * p.livestock.offtake_share_per_year;
    let seaweed = only_if(x.seaweed, p.seaweed.net_idr_per_month * p.calendar.dry_months);
    let wages = f64::from(x.daily_wages_idr) * ctx.consts.days_per_adult_year
        + f64::from(x.fixed_income_idr_month) * ctx.consts.months_per_year;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::Fixture;
    use crate::model::season::ProgrammeLevels;

    /// Savings carry as much maize as they buy at the harvest price; a harvest-time loan
    /// (capability from `formal_credit_skill`) carries all.
    #[test]
    fn savings_or_credit_carry_maize_past_the_harvest() {
        let fixture = Fixture::new(0, true);
        let ctx = fixture.ctx(1, ProgrammeLevels::default());
        let formal = ctx.params.finance.formal_credit_skill as f32;
        assert_eq!(carried_kg(0.0, 400_000.0, 4_000.0, &ctx), 100.0);
        assert_eq!(carried_kg(formal - 0.01, 0.0, 4_000.0, &ctx), 0.0);
        assert_eq!(carried_kg(formal, 0.0, 4_000.0, &ctx), f64::INFINITY);
    }

    /// A household stores its surplus over a year's staple as far as it can carry it and
    /// earns the stored sale's gain on it; a household short of maize buys at the harvest
    /// price what it can carry and leaves the rest to the lean months.
    #[test]
    fn storage_gains_on_the_carried_surplus_and_buys_the_carried_shortfall_early() {
        let fixture = Fixture::new(0, true);
        let ctx = fixture.ctx(1, ProgrammeLevels::default());
        let prices = &ctx.params.prices;
        let need_kg = 4.0 * prices.staple_kg_per_person_year;
        let gain_per_kg = 4_000.0 * prices.stored_sale_gain_share;
        // A surplus of 300 kg, 100 of it carried.
        let s = storage(4, need_kg + 300.0, 100.0, 4_000.0, &ctx);
        assert!((s.gain_idr - 100.0 * gain_per_kg).abs() < 1e-6 && s.gap_kg == 0.0, "{s:?}");
        let s = storage(4, need_kg + 300.0, f64::INFINITY, 4_000.0, &ctx);
        assert!((s.gain_idr - 300.0 * gain_per_kg).abs() < 1e-6, "{s:?}");
        // A shortfall of 150 kg, 100 of it bought at the harvest price.
        let s = storage(4, need_kg - 150.0, 100.0, 4_000.0, &ctx);
        assert!(s.gain_idr == 0.0 && (s.gap_kg - 50.0).abs() < 1e-9, "{s:?}");
        let s = storage(4, need_kg - 150.0, 0.0, 4_000.0, &ctx);
        assert!((s.gap_kg - 150.0).abs() < 1e-9, "{s:?}");
    }
}
