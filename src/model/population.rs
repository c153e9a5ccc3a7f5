//! The initial population: households and villages drawn from the scenario's parameters.
//!
//! Every household's traits come from its own keyed stream, so the same seed gives the same
//! population in every scenario and at every thread count. Households are assigned to
//! villages in contiguous, equal-sized ranges of ids; the number of villages scales with the
//! households ([`crate::params::Population::simulated_villages`]), so a run of any size has
//! the households per village of the reference size.

use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

use crate::cpu::Cpu;
use crate::model::draws::BATCH;
use crate::model::household::{Household, flag};
use crate::model::households::{Chunk, Households};
use crate::model::season::{Noise, ProgrammeLevels, SeasonConsts, SeasonCtx, Surrounds, VillageView};
use crate::model::village::Villages;
use crate::params::{Params, SeasonKind};
use crate::rng::{Purpose, RunKey};

/// Season index used to key initialisation draws (never a simulated season).
pub(crate) const INIT_SEASON: u32 = 0xF_FFFF;

/// Village of household `id` when `households` are spread over `villages`.
pub(crate) fn village_of(id: u64, households: u64, villages: u32) -> u16 {
    ((id * u64::from(villages)) / households) as u16
}

/// Villages of a run of `params`: [`crate::params::Population::simulated_villages`].
pub(crate) fn village_count(params: &Params) -> u32 {
    let n = params.population.simulated_villages();
    assert!(n <= crate::params::MAX_VILLAGES, "{n} villages: the scenario checks allow at most 65,535");
    n as u32
}

/// Draw the villages.
pub fn villages(params: &Params, run: RunKey) -> Villages {
    let n = village_count(params);
    let r = &params.readiness;
    let mut readiness = Vec::with_capacity(n as usize);
    let mut coop_exists = Vec::with_capacity(n as usize);
    for v in 0..n {
        let mut d = run.stream(INIT_SEASON, Purpose::Village, v);
        readiness.push((r.community + r.village_sigma * d.normal()).clamp(0.0, 1.0) as f32);
        coop_exists.push(d.chance(params.population.coop_village_share));
    }
    let governance = coop_exists
        .iter()
        .map(|&e| if e { params.cooperative.initial_governance as f32 } else { 0.0 })
        .collect();
    Villages {
        initial_readiness: readiness.clone(),
        readiness,
        adopter_share: vec![0.0; n as usize],
        coop_exists,
        governance,
    }
}

/// Draw every household (`noise`: the scenario's tables, [`Noise::new`]) on `cpu`'s path.
pub fn households(params: &Params, noise: &Noise, run: RunKey, villages: &Villages, cpu: Cpu) -> Households {
    let n = params.population.households;
    let env = crate::model::environment::SeasonEnv {
        el_nino: crate::model::environment::ElNino::None,
        maize_price_idr_per_kg: params.prices.maize_idr_per_kg,
        village_yield_multiplier: vec![1.0; villages.len()],
    };
    let consts = SeasonConsts::new(params, SeasonKind::Wet);
    let views = VillageView::all(villages, &env);
    let at = Surrounds { params, consts: &consts, noise, villages, env: &env, views: &views };
    // Initialisation reads the world as in a normal wet season before the first.
    let ctx = SeasonCtx::new(at, cpu, run, 0, ProgrammeLevels::default());
    let pop = &params.population;
    let laws = Laws {
        members_extra: Poisson::new(pop.members_mean - 1.0).ok(),
        cattle_extra: Poisson::new(pop.cattle_head_per_owner - 1.0).ok(),
        land_mean_ha: (pop.land_mu + 0.5 * pop.land_sigma * pop.land_sigma).exp(),
    };
    // A chunk at a time, so that no second copy of the population is ever held.
    let chunks = n.div_ceil(BATCH as u64);
    let chunks: Vec<Chunk> = (0..chunks)
        .into_par_iter()
        .map(|k| {
            let ids = k * BATCH as u64..((k + 1) * BATCH as u64).min(n);
            let rows: Vec<Household> = ids.map(|id| household(id, &ctx, &laws)).collect();
            Chunk::of(&rows)
        })
        .collect();
    Households::from_chunks(chunks, n as usize)
}

/// The Poisson laws of household traits, built once per population; a degenerate one (mean
/// of extra members or head 0) is `None` and gives 0. Lognormal traits come from the
/// scenario's tables ([`Noise`], one word each).
struct Laws {
    members_extra: Option<Poisson<f64>>,
    cattle_extra: Option<Poisson<f64>>,
    /// Mean land, e^(μ + σ²/2): land is this times a mean-one lognormal multiplier.
    land_mean_ha: f64,
}

fn household(id: u64, ctx: &SeasonCtx, laws: &Laws) -> Household {
    let p = ctx.params;
    let pop = &p.population;
    let mut d = ctx.run.stream_ahead(ctx.cpu, INIT_SEASON, Purpose::Population, id as u32);
    let village = village_of(id, pop.households, ctx.villages.len() as u32);
    let view = ctx.village(village);
    let members_extra = laws.members_extra.map_or(0.0, |x| x.sample(&mut d));
    let members = (1.0 + members_extra).min(f64::from(pop.members_max)) as u8;
    let land = laws.land_mean_ha * ctx.noise.land.sample(d.word());
    let access = ctx.noise.access.sample(d.word());
    let mut h = Household {
        land_ha: land.min(pop.land_max_ha) as f32,
        readiness_offset: (p.readiness.household_sigma * d.normal()) as f32,
        village,
        members,
        ..Household::default()
    };
    let coastal = d.chance(pop.coastal_share);
    let seaweed = d.chance(pop.seaweed_farmer_share);
    if coastal {
        h.flags |= flag::COASTAL;
        if seaweed {
            h.flags |= flag::SEAWEED;
        }
    }
    if d.chance(pop.cattle_owner_share) {
        let extra = laws.cattle_extra.map_or(0.0, |x| x.sample(&mut d));
        h.cattle_head = (1.0 + extra).min(f64::from(p.livestock.max_head)) as u8;
    }
    if d.chance(pop.adopter_share) {
        h.flags |= flag::IMPROVED;
        h.farm_skill = p.adoption.peer_skill_share as f32;
    }
    if d.chance(pop.enterprise_share) {
        h.flags |= flag::ENTERPRISE;
        h.enterprise_capital_idr = p.enterprise.start_capital_idr as f32;
    }
    if d.chance(pop.coop_member_share) && view.coop_exists {
        h.flags |= flag::COOP_MEMBER;
    }
    // A member in salaried work earns a salary and works no casual days.
    let salaried = d.chance(p.labour.salaried_share);
    let casual_adults = h.adults(p.labour.adult_share) - if salaried { 1.0 } else { 0.0 };
    h.daily_wages_idr = (casual_adults * p.labour.wage_idr_per_day * access) as f32;
    let salary = p.labour.salary_idr_per_month * ctx.noise.salary.sample(d.word());
    h.fixed_income_idr_month = if salaried { salary as f32 } else { 0.0 };
    // The social registry's households receive the food transfer for good, and the poorest
    // of them the conditional cash transfer too.
    let before = crate::model::household::expected_income_idr_month(&h, view, ctx) / f64::from(h.members);
    let line = p.poverty.line_idr_per_capita_month;
    if before < line * p.labour.transfer_line_share {
        h.fixed_income_idr_month += p.labour.transfer_idr_per_month as f32;
    }
    if before < line * p.labour.pkh_line_share {
        h.fixed_income_idr_month += p.labour.pkh_idr_per_month as f32;
    }
    let expected = crate::model::household::expected_income_idr_month(&h, view, ctx);
    h.expected_income_idr_month = expected as f32;
    h.savings_idr = (pop.savings_months * expected * ctx.noise.savings.sample(d.word())).round();
    h.consumption_pc_idr_month = (expected * (1.0 - p.finance.save_share) / f64::from(h.members)) as f32;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> (Params, Vec<Household>) {
        let mut params = Params::default();
        params.population.households = 40_000;
        params.population.reference_households = 40_000;
        let run = RunKey { seed: 11, replication: 0 };
        let villages = villages(&params, run);
        let hh = households(&params, &Noise::new(&params), run, &villages, Cpu::best());
        (params, hh.to_rows())
    }

    #[test]
    fn land_and_members_match_their_targets() {
        let (_, hh) = small();
        let n = hh.len() as f64;
        let mean_land = hh.iter().map(|h| f64::from(h.land_ha)).sum::<f64>() / n;
        let small_share = hh.iter().filter(|h| h.land_ha < 0.5).count() as f64 / n;
        let mean_members = hh.iter().map(|h| f64::from(h.members)).sum::<f64>() / n;
        assert!((mean_land - 0.92).abs() < 0.03, "mean land {mean_land}");
        assert!((small_share - 0.376).abs() < 0.02, "small share {small_share}");
        assert!((mean_members - 4.6).abs() < 0.05, "members {mean_members}");
        assert!(hh.iter().all(|h| (1..=12).contains(&h.members)));
    }

    #[test]
    fn villages_are_contiguous_and_balanced() {
        let (params, hh) = small();
        let mut counts = vec![0u32; village_count(&params) as usize];
        for h in &hh {
            counts[usize::from(h.village)] += 1;
        }
        assert!(counts.iter().all(|&c| c == 250), "{counts:?}");
    }

    #[test]
    fn a_smaller_run_has_the_households_per_village_of_the_reference_size() {
        for households in [10_000u64, 85_000] {
            let params = Params {
                population: crate::params::Population { households, ..Default::default() },
                ..Default::default()
            };
            let n = village_count(&params);
            let mut counts = vec![0u64; n as usize];
            for id in 0..households {
                counts[usize::from(village_of(id, households, n))] += 1;
            }
            let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(*min >= 526 && *max <= 532, "{households}: {n} villages of {min} to {max} households");
        }
    }
}
