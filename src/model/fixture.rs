//! Test fixtures of the household update: a season context with default or drawn
//! parameters and surroundings, and a strategy for households in every state the update
//! can meet.

use proptest::prelude::*;

use crate::cpu::Cpu;
use crate::model::environment::{ElNino, SeasonEnv};
use crate::model::household::{Household, flag};
use crate::model::season::{Noise, ProgrammeLevels, SeasonConsts, SeasonCtx, Surrounds, VillageView};
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
        Self::varied(season, coop, Params::default(), &Surroundings::default())
    }

    /// A fixture for `season` with `params` in the villages and year of `around`, whose
    /// first village has a cooperative if `coop` (and the second if not).
    pub(crate) fn varied(season: u32, coop: bool, params: Params, around: &Surroundings) -> Self {
        let villages = Villages {
            readiness: around.readiness.to_vec(),
            initial_readiness: around.readiness.to_vec(),
            adopter_share: around.adopter_share.to_vec(),
            coop_exists: vec![coop, !coop],
            governance: around.governance.to_vec(),
        };
        let env = SeasonEnv {
            el_nino: ElNino::None,
            maize_price_idr_per_kg: around.maize_price_idr_per_kg,
            village_yield_multiplier: around.yield_multiplier.to_vec(),
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
        let at = Surrounds {
            params: &self.params,
            consts: &self.consts,
            noise: &self.noise,
            villages: &self.villages,
            env: &self.env,
            views: &self.views,
        };
        SeasonCtx::new(at, Cpu::best(), RunKey { seed, replication: 0 }, self.season, programme)
    }
}

/// The two villages and the year of a [`Fixture`]: readiness, adopters, governance, the
/// maize price and the villages' yield multipliers (El Niño's drought is a low one).
#[derive(Clone, Debug)]
pub(crate) struct Surroundings {
    pub(crate) readiness: [f32; 2],
    pub(crate) adopter_share: [f32; 2],
    pub(crate) governance: [f32; 2],
    pub(crate) maize_price_idr_per_kg: f64,
    pub(crate) yield_multiplier: [f32; 2],
}

impl Default for Surroundings {
    fn default() -> Self {
        Self {
            readiness: [0.4, 0.7],
            adopter_share: [0.3, 0.1],
            governance: [0.5, 0.8],
            maize_price_idr_per_kg: 3_700.0,
            yield_multiplier: [0.9, 1.1],
        }
    }
}

/// Surroundings of every kind: unready to ready villages, weak to strong cooperatives, a
/// maize price from a glut to a shortage, yields from a strong El Niño's drought to a
/// bumper year.
pub(crate) fn surroundings() -> impl Strategy<Value = Surroundings> {
    let pair = || (0.0..=1.0f32, 0.0..=1.0f32).prop_map(|(a, b)| [a, b]);
    (pair(), pair(), pair(), 500.0..12_000.0f64, (0.05..1.6f32, 0.05..1.6f32)).prop_map(
        |(readiness, adopter_share, governance, maize_price_idr_per_kg, (a, b))| Surroundings {
            readiness,
            adopter_share,
            governance,
            maize_price_idr_per_kg,
            yield_multiplier: [a, b],
        },
    )
}

/// Parameters drawn from their declared ranges: up to eight keys, each at a point of its
/// range (an open range is taken up to ten times its default); a draw that another
/// parameter's range rules out keeps the default.
pub(crate) fn params() -> impl Strategy<Value = Params> {
    let keys = crate::uncertainty::keys();
    let n = keys.len();
    proptest::collection::vec((0..n, 0.0..=1.0f64), 0..=8).prop_map(move |picks| {
        let mut params = Params::default();
        for (k, u) in picks {
            let doc = crate::uncertainty::declared(&keys[k]).expect("a declared key");
            let top = if doc.max.is_finite() {
                doc.max
            } else {
                doc.min.max(0.0) + 10.0 * doc.default.abs().max(1.0)
            };
            let mut value = doc.min + u * (top - doc.min);
            if doc.ty != "f64" {
                value = value.round();
            }
            if let Ok(p) = crate::uncertainty::set(&params, &keys[k], value) {
                params = p;
            }
        }
        params
    })
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
