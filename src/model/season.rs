//! What every household reads during one season: the environment, the village snapshot,
//! the programme's training levels and per-season constants derived from the parameters.
//!
//! A `SeasonCtx` is built once per season before the household phase and is read-only
//! during it; this is what makes the household update independent of visiting order.

use crate::cpu::Cpu;
use crate::model::environment::SeasonEnv;
use crate::model::village::Villages;
use crate::params::{Params, SeasonKind};
use crate::rng::{HazardTable, LognormalTable, RunKey};

/// Every tabulated distribution of a scenario: the mean-one lognormal noises and hazard
/// probabilities of the household loop and the lognormal traits of the initial population.
/// Built once per scenario and shared by its replications.
#[derive(Clone, Debug)]
pub struct Noise {
    /// Maize yield noise (from `farm.yield_cv`).
    pub maize_yield: LognormalTable,
    /// A season's wage days around the usual (`labour.season_sigma`).
    pub labour_days: LognormalTable,
    /// A seaweed season (`seaweed.income_sigma`).
    pub seaweed: LognormalTable,
    /// Enterprise demand (`enterprise.demand_sigma`).
    pub demand: LognormalTable,
    /// Probabilities of hazards.
    pub hazard: HazardTable,
    /// Initial land around its mean (`population.land_sigma`).
    pub land: LognormalTable,
    /// Initial access to wage work (`labour.access_sigma`).
    pub access: LognormalTable,
    /// Initial savings around their mean (`population.savings_sigma`).
    pub savings: LognormalTable,
    /// A salary around its mean (`labour.salary_sigma`).
    pub salary: LognormalTable,
}

impl Noise {
    /// Tables for `params`.
    pub fn new(params: &Params) -> Self {
        Self {
            maize_yield: LognormalTable::new((1.0 + params.farm.yield_cv.powi(2)).ln().sqrt()),
            labour_days: LognormalTable::new(params.labour.season_sigma),
            seaweed: LognormalTable::new(params.seaweed.income_sigma),
            demand: LognormalTable::new(params.enterprise.demand_sigma),
            hazard: HazardTable::default(),
            land: LognormalTable::new(params.population.land_sigma),
            access: LognormalTable::new(params.labour.access_sigma),
            savings: LognormalTable::new(params.population.savings_sigma),
            salary: LognormalTable::new(params.labour.salary_sigma),
        }
    }
}

/// Per-season constants computed once from the parameters.
#[derive(Clone, Debug)]
pub(crate) struct SeasonConsts {
    /// Probability of illness this season.
    pub illness_probability: f64,
    /// By herd size: probability that no head is lost this season (the survival of one
    /// head to the power of the herd).
    pub herd_survival: [f64; 256],
    /// By herd size: probability that a calf is kept this season (1 − (1 − the per-head
    /// probability)^herd).
    pub herd_calf: [f64; 256],
    /// Probability that a cooperative member leaves this season.
    pub coop_exit_probability: f64,
    /// Probability that a household able to afford it starts an enterprise this season.
    pub enterprise_start_probability: f64,
    /// Mean maize yield multiplier of a year's weather.
    pub expected_weather_multiplier: f64,
    /// Mean maize price over years, rupiah per kg.
    pub expected_price_idr_per_kg: f64,
    /// Share of cash above the buffer spent this season.
    pub spend_excess_share: f64,
    /// Net offtake income per head this season, rupiah.
    pub offtake_idr_per_head_season: f64,
    /// Wage-labour days per adult per month in this kind of season.
    pub days_per_adult_month: f64,
    /// Wage-labour days per adult in a year.
    pub days_per_adult_year: f64,
    /// Share of debt paid off per month as planned (1 / `finance.debt_payoff_months`).
    pub debt_payoff_share_per_month: f64,
    /// Dis-adoption hazard per year with this government's extension support, before the
    /// multipliers for a bad season and for lacking cash.
    pub supported_disadoption_per_year: f64,
    /// Months in a year (wet plus dry season).
    pub months_per_year: f64,
    /// Share of farm skill kept through this season.
    pub farm_skill_retention: f32,
    /// Share of business skill kept through this season.
    pub business_skill_retention: f32,
    /// Share of financial capability kept through this season.
    pub finance_skill_retention: f32,
}

impl SeasonConsts {
    /// Constants for a season of `kind`.
    pub fn new(params: &Params, kind: SeasonKind) -> Self {
        let months = params.months(kind);
        let years = months / 12.0;
        let retention = |half_life_months: f64| 0.5f64.powf(months / half_life_months) as f32;
        let l = &params.labour;
        let cattle_survival = (1.0 - params.livestock.loss_per_head_per_year).powf(years);
        let calf_per_head = 1.0 - (-params.livestock.calves_kept_per_head_per_year * years).exp();
        let by_head = |f: &dyn Fn(i32) -> f64| std::array::from_fn(|head| f(head as i32));
        Self {
            illness_probability: params.finance.illness_per_season,
            herd_survival: by_head(&|head| cattle_survival.powi(head)),
            herd_calf: by_head(&|head| 1.0 - (1.0 - calf_per_head).powi(head)),
            coop_exit_probability: 1.0 - (-params.cooperative.exit_per_year * years).exp(),
            enterprise_start_probability: 1.0 - (-params.enterprise.start_per_year * years).exp(),
            expected_weather_multiplier: {
                let c = &params.climate;
                (1.0 - c.el_nino_probability)
                    + (c.el_nino_probability - c.strong_el_nino_probability) * c.moderate_yield_multiplier
                    + c.strong_el_nino_probability * c.strong_yield_multiplier
            },
            expected_price_idr_per_kg: params.expected_maize_price_idr_per_kg(),
            spend_excess_share: 1.0 - (1.0 - params.finance.spend_excess_share_per_year).powf(years),
            offtake_idr_per_head_season: params.livestock.value_idr_per_head
                * params.livestock.offtake_share_per_year
                * years,
            days_per_adult_month: match kind {
                SeasonKind::Wet => l.days_per_adult_month_wet,
                SeasonKind::Dry => l.days_per_adult_month_dry,
            },
            days_per_adult_year: l.days_per_adult_month_wet * params.calendar.wet_months
                + l.days_per_adult_month_dry * params.calendar.dry_months,
            debt_payoff_share_per_month: 1.0 / params.finance.debt_payoff_months,
            supported_disadoption_per_year: params.adoption.disadoption_per_year
                * (1.0 - params.adoption.extension_cut_share * params.government.readiness),
            months_per_year: params.calendar.wet_months + params.calendar.dry_months,
            farm_skill_retention: retention(params.farm.skill_half_life_months),
            business_skill_retention: retention(params.enterprise.skill_half_life_months),
            finance_skill_retention: retention(params.finance.capability_half_life_months),
        }
    }
}

/// What the programme's modules confer on a participant this season: per module, the
/// largest of what the season's interventions of that module confer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgrammeLevels {
    /// Farm skill given by production training, in [0, 1].
    pub production_skill: f32,
    /// Business skill given by entrepreneurship training, in [0, 1].
    pub business_skill: f32,
    /// Probability that an entrepreneurship trainee starts a venture.
    pub start_probability: f32,
    /// Financial capability given by financial-management training, in [0, 1].
    pub finance_skill: f32,
}

/// One village as a household sees it this season.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VillageView {
    /// Community readiness in [0, 1].
    pub readiness: f64,
    /// Share of households using improved practice last season.
    pub adopter_share: f64,
    /// A cooperative works in the village.
    pub coop_exists: bool,
    /// Governance quality of the cooperative in [0, 1].
    pub governance: f64,
    /// Maize yield multiplier from this season's weather.
    pub yield_multiplier: f64,
}

impl VillageView {
    /// The views of every village, built once per season so that the household loop reads
    /// one record instead of five columns.
    pub fn all(villages: &Villages, env: &SeasonEnv) -> Vec<Self> {
        (0..villages.len())
            .map(|v| Self {
                readiness: f64::from(villages.readiness[v]),
                adopter_share: f64::from(villages.adopter_share[v]),
                coop_exists: villages.coop_exists[v],
                governance: f64::from(villages.governance[v]),
                yield_multiplier: f64::from(env.village_yield_multiplier[v]),
            })
            .collect()
    }
}

/// Everything the household phase of one season reads.
pub(crate) struct SeasonCtx<'a> {
    /// Scenario parameters.
    pub params: &'a Params,
    /// Derived constants.
    pub consts: &'a SeasonConsts,
    /// Noise tables.
    pub noise: &'a Noise,
    /// The code path the season is computed on.
    pub cpu: Cpu,
    /// Seed and replication.
    pub run: RunKey,
    /// Season index, 0-based.
    pub season: u32,
    /// Wet or dry.
    pub kind: SeasonKind,
    /// Months in this season.
    pub months: f64,
    /// Years in this season.
    pub years: f64,
    /// Training levels of the active modules.
    pub programme: ProgrammeLevels,
    /// Village snapshot (committed at the end of the previous season, plus this season's
    /// programme delivery).
    pub villages: &'a Villages,
    /// The snapshot as households see it, one view per village ([`VillageView::all`]).
    pub views: &'a [VillageView],
    /// This season's weather and prices.
    pub env: &'a SeasonEnv,
}

/// What a season's context reads besides its time and programme: the parameters, their
/// derived constants and tables, and the villages and weather as households see them.
#[derive(Clone, Copy)]
pub(crate) struct Surrounds<'a> {
    pub(crate) params: &'a Params,
    pub(crate) consts: &'a SeasonConsts,
    pub(crate) noise: &'a Noise,
    pub(crate) villages: &'a Villages,
    pub(crate) env: &'a SeasonEnv,
    pub(crate) views: &'a [VillageView],
}

impl<'a> SeasonCtx<'a> {
    /// The context of simulated season `season` (its kind and length follow from it) on
    /// `cpu`'s path, for replication `run`, with the season's training levels `programme`.
    pub(crate) fn new(
        at: Surrounds<'a>,
        cpu: Cpu,
        run: RunKey,
        season: u32,
        programme: ProgrammeLevels,
    ) -> Self {
        let kind = SeasonKind::of(season);
        let months = at.params.months(kind);
        Self {
            params: at.params,
            consts: at.consts,
            noise: at.noise,
            cpu,
            run,
            season,
            kind,
            months,
            years: months / 12.0,
            programme,
            villages: at.villages,
            env: at.env,
            views: at.views,
        }
    }
}

impl SeasonCtx<'_> {
    /// The view of village `v`.
    #[inline]
    pub fn village(&self, v: u16) -> &VillageView {
        &self.views[usize::from(v)]
    }
}
