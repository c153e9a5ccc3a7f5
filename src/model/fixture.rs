//! Test fixtures of the household update: a season context with default parameters, and
//! a strategy for households in every state the update can meet.

use proptest::prelude::*;

use crate::cpu::Cpu;
use crate::model::environment::{ElNino, SeasonEnv};
use crate::model::household::{Household, flag};
use crate::model::season::{Noise, ProgrammeLevels, SeasonConsts, SeasonCtx, VillageView};
use crate::model::village::Villages;
use crate::params::{Params, SeasonKind};
use crate::rng::RunKey;

/// What a season context borrows: default parameters, two villages (one with a
/// cooperative), a normal year.
pub(crate) struct Fixture {
    params: Params,
    consts: SeasonConsts,
    noise: Noise,
    villages: Villages,
    env: SeasonEnv,
    views: Vec<VillageView>,
    season: u32,
}

impl Fixture {
    /// A fixture for `season` whose first village has a cooperative if `coop` (and the
    /// second if not).
    pub(crate) fn new(season: u32, coop: bool) -> Self {
        let params = Params::default();
        let villages = Villages {
            readiness: vec![0.4, 0.7],
            initial_readiness: vec![0.4, 0.7],
            adopter_share: vec![0.3, 0.1],
            coop_exists: vec![coop, !coop],
            governance: vec![0.5, 0.8],
        };
        let env = SeasonEnv {
            el_nino: ElNino::None,
            maize_price_idr_per_kg: 3_700.0,
            village_yield_multiplier: vec![0.9, 1.1],
        };
        Self {
            consts: SeasonConsts::new(&params, SeasonKind::of(season)),
            noise: Noise::new(&params),
            views: VillageView::all(&villages, &env),
            params,
            villages,
            env,
            season,
        }
    }

    /// The season context, with run seed `seed` and training levels `programme`.
    pub(crate) fn ctx(&self, seed: u64, programme: ProgrammeLevels) -> SeasonCtx<'_> {
        let kind = SeasonKind::of(self.season);
        let months = self.params.months(kind);
        SeasonCtx {
            params: &self.params,
            consts: &self.consts,
            noise: &self.noise,
            cpu: Cpu::best(),
            run: RunKey { seed, replication: 0 },
            season: self.season,
            kind,
            months,
            years: months / 12.0,
            programme,
            villages: &self.villages,
            env: &self.env,
            views: &self.views,
        }
    }
}

/// Households in every state: stocks, skills, herds, flags, enterprises.
pub(crate) fn household() -> impl Strategy<Value = Household> {
    (
        (0.0..1e8f64, 0.0..5e7f64, 0.01..10.0f32, 0.1..5.0f32, -0.5..0.5f32),
        (0.0..1.0f32, 0.0..1.0f32, 0.0..1.0f32, 0.0..2e7f32),
        (1u8..=12, 0u8..=20, any::<u8>(), prop_oneof![Just(0.0f32), Just(2e6f32)], any::<u8>(), 0u16..2),
    )
        .prop_map(
            |(
                (savings, debt, land, access, offset),
                (farm, business, finance, expected),
                (members, cattle, flags, capital, participated, village),
            )| {
                let mut h = Household {
                    savings_idr: savings,
                    debt_idr: debt,
                    land_ha: land,
                    daily_wages_idr: access * 120_000.0,
                    readiness_offset: offset,
                    farm_skill: farm,
                    business_skill: business,
                    finance_skill: finance,
                    expected_income_idr_month: expected,
                    members,
                    cattle_head: cattle,
                    flags: flags & 0b0011_1111,
                    participated: participated & 0b1111,
                    village,
                    ..Household::default()
                };
                if h.has(flag::ENTERPRISE) {
                    h.enterprise_capital_idr = capital.max(1.0);
                }
                h
            },
        )
}
