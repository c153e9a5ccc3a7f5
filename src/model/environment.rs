//! The environment of one season: El Niño state of the year, village drought severity and
//! the maize price. All draws are district-wide or per village, keyed by year or season, so
//! every scenario with the same seed sees the same weather and prices.

use crate::params::{Params, SeasonKind};
use crate::rng::{Purpose, RunKey, mean_one_lognormal, std_normal, unit};

/// El Niño state of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElNino {
    /// A normal year.
    None,
    /// A moderate El Niño year.
    Moderate,
    /// A strong El Niño year.
    Strong,
}

/// Weather and prices of one season.
#[derive(Clone, Debug)]
pub struct SeasonEnv {
    /// El Niño state of the season's year.
    pub el_nino: ElNino,
    /// Maize price, rupiah per kg.
    pub maize_price_idr_per_kg: f64,
    /// Maize yield multiplier per village (1 in the dry season).
    pub village_yield_multiplier: Vec<f32>,
}

/// Draw the environment of `season`.
pub fn draw(params: &Params, run: RunKey, season: u32) -> SeasonEnv {
    let c = &params.climate;
    let year = season / 2;
    let u = unit(run.block(year, Purpose::Climate, 0)[0]);
    let el_nino = if u < c.strong_el_nino_probability {
        ElNino::Strong
    } else if u < c.el_nino_probability {
        ElNino::Moderate
    } else {
        ElNino::None
    };
    let villages = crate::model::population::village_count(params) as usize;
    let village_yield_multiplier = match SeasonKind::of(season) {
        SeasonKind::Dry => vec![1.0; villages],
        SeasonKind::Wet => {
            let district = match el_nino {
                ElNino::None => 1.0,
                ElNino::Moderate => c.moderate_yield_multiplier,
                ElNino::Strong => c.strong_yield_multiplier,
            };
            (0..villages as u32)
                .map(|v| {
                    let z = std_normal(run.block(season, Purpose::VillageWeather, v)[0]);
                    (district * mean_one_lognormal(c.village_sigma, z)) as f32
                })
                .collect()
        }
    };
    let pr = &params.prices;
    // The price level is the agricultural year's: both seasons of a year share the shock
    // drawn for its wet season (the season's place in the year's cycle is in the lines).
    let z = std_normal(run.block(season & !1, Purpose::Price, 0)[0]);
    let shock = mean_one_lognormal(pr.maize_price_sigma, z);
    let el_nino_factor = if el_nino == ElNino::None { 1.0 } else { pr.el_nino_price_multiplier };
    SeasonEnv {
        el_nino,
        maize_price_idr_per_kg: pr.maize_idr_per_kg * shock * el_nino_factor,
        village_yield_multiplier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn el_nino_frequency_matches_its_probability() {
        let params = Params::default();
        let years = 20_000u32;
        let (mut any, mut strong) = (0, 0);
        for year in 0..years {
            let env = draw(&params, RunKey { seed: 3, replication: 0 }, year * 2);
            any += u32::from(env.el_nino != ElNino::None);
            strong += u32::from(env.el_nino == ElNino::Strong);
        }
        let any = f64::from(any) / f64::from(years);
        let strong = f64::from(strong) / f64::from(years);
        assert!((any - 0.33).abs() < 0.015, "{any}");
        assert!((strong - 0.12).abs() < 0.01, "{strong}");
    }

    #[test]
    fn both_seasons_of_a_year_share_its_el_nino_state() {
        let params = Params::default();
        let run = RunKey { seed: 9, replication: 1 };
        for year in 0..50 {
            assert_eq!(draw(&params, run, 2 * year).el_nino, draw(&params, run, 2 * year + 1).el_nino);
        }
    }
}
