//! Model parameters: one typed struct per scenario-file section, with defaults and valid ranges.
//!
//! Each section is declared once with `section!`: the field, its unit (in the name), its
//! default and its range. From that single declaration come the serde mirror of the TOML
//! section, the `Default` used when a file leaves a key out, and the range check. Defaults are
//! sourced in `MODEL.md` (the ODD description) and in `scenarios/kupang_baseline.toml`;
//! `cargo test` checks that the baseline file states exactly these defaults.

use serde::{Deserialize, Serialize};

/// One out-of-range value: the key path below the section, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeProblem {
    /// Dotted key path, e.g. `farm.base_yield_t_ha`.
    pub path: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Check `value` against `min..=max` and describe a violation, with a hint for shares
/// written as percentages.
pub(crate) fn check_range(path: &str, value: f64, min: f64, max: f64, out: &mut Vec<RangeProblem>) {
    if value.is_nan() || value < min || value > max {
        let mut message = format!("must be in {min}..={max}, got {value}");
        if max <= 1.0 && value > 1.0 && value <= 100.0 {
            message.push_str(&format!(" (a share: did you mean {}?)", value / 100.0));
        }
        out.push(RangeProblem { path: path.to_string(), message });
    }
}

/// Reference documentation of one parameter, generated from its declaration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldDoc {
    /// Section (TOML table).
    pub section: &'static str,
    /// Key within the section.
    pub key: &'static str,
    /// Rust type (`u32`, `u64` or `f64`).
    pub ty: &'static str,
    /// Default value.
    pub default: f64,
    /// Smallest valid value.
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
    /// Meaning, unit and source.
    pub doc: &'static str,
}

macro_rules! section {
    ($(#[doc = $sdoc:literal])* $name:ident $key:literal {
        $( #[doc = $doc:literal] $field:ident : $ty:ident = $default:expr, $min:expr, $max:expr; )*
    }) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $( #[doc = $doc] pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $name {
            /// The TOML table this section is read from.
            pub const KEY: &'static str = $key;

            /// What this section is for.
            pub(crate) const ABOUT: &'static str = concat!($($sdoc),*);

            /// Reference documentation of every key.
            pub(crate) const DOCS: &'static [FieldDoc] = &[
                $( FieldDoc {
                    section: $key,
                    key: stringify!($field),
                    ty: stringify!($ty),
                    default: $default as f64,
                    min: $min as f64,
                    max: $max as f64,
                    doc: $doc,
                }, )*
            ];

            /// Append every out-of-range value of this section to `out`.
            pub fn check(&self, out: &mut Vec<RangeProblem>) {
                $( check_range(concat!($key, ".", stringify!($field)), self.$field as f64, $min as f64, $max as f64, out); )*
            }
        }
    };
}

section! {
    /// The simulated population at initialisation.
    Population "population" {
        /// Households simulated (Kupang District ≈ 85,000: 390,210 persons, BPS 2024).
        households: u64 = 85_000, 1, 4_000_000_000u64;
        /// Villages at the reference size (Kupang District has 160 desa); a run simulates round(villages × households / reference_households), at least 1.
        villages: u32 = 160, 1, 65_535;
        /// The population that `villages` and intervention capacities are stated for, households (Kupang District ≈ 85,000, BPS 2024); a run of another size scales both.
        reference_households: u64 = 85_000, 1, 4_000_000_000u64;
        /// Mean household members, persons (390,210 persons / 85,000 households).
        members_mean: f64 = 4.6, 1.0, 12.0;
        /// Largest household, persons.
        members_max: u32 = 12, 1, 30;
        /// Log-mean of land per household, ln(ha) (ST2013: mean 0.92 ha, 37.6 % < 0.5 ha).
        land_mu: f64 = -0.43, -5.0, 3.0;
        /// Log-standard deviation of land per household (ST2013 fit).
        land_sigma: f64 = 0.83, 0.0, 3.0;
        /// Cap on land per household, ha (modelling choice).
        land_max_ha: f64 = 10.0, 0.01, 1000.0;
        /// Share of households on the coast (modelling choice; 485 km of coastline).
        coastal_share: f64 = 0.25, 0.0, 1.0;
        /// Share of households keeping cattle at the start (the model's stationary share, about 0.29 after 200 seasons; ST2013: 0.77 keep livestock of any kind).
        cattle_owner_share: f64 = 0.3, 0.0, 1.0;
        /// Mean herd of a cattle owner at the start, head (the model's stationary herd, about 3.1; with the share above 0.9 a household, ST2013: 803.4k cattle / 778.9k farm households ≈ 1.03).
        cattle_head_per_owner: f64 = 3.0, 1.0, 20.0;
        /// Initial savings, months of expected income (modelling choice).
        savings_months: f64 = 1.0, 0.0, 24.0;
        /// Log-standard deviation of initial savings around that (modelling choice).
        savings_sigma: f64 = 0.5, 0.0, 3.0;
        /// Share already using improved practice at the start (the model's stationary share, about 0.23; hybrid/OPV < 45 %, Hosang et al. 2020).
        adopter_share: f64 = 0.23, 0.0, 1.0;
        /// Share running a non-farm enterprise at the start (modelling choice).
        enterprise_share: f64 = 0.12, 0.0, 1.0;
        /// Share of villages with a working cooperative at the start (modelling choice).
        coop_village_share: f64 = 0.15, 0.0, 1.0;
        /// Share of households that are members where a cooperative works (modelling choice).
        coop_member_share: f64 = 0.2, 0.0, 1.0;
        /// Share of coastal households farming seaweed (modelling choice).
        seaweed_farmer_share: f64 = 0.5, 0.0, 1.0;
    }
}

/// The most villages a run can hold: a household row names its village in 16 bits.
pub(crate) const MAX_VILLAGES: u64 = 65_535;

impl Population {
    /// How much larger than the reference the run is: households / reference_households.
    /// Every count the scenario states for the reference size (villages, absolute
    /// intervention capacities) is multiplied by it; at the reference size it is exactly 1.
    pub fn scale(&self) -> f64 {
        self.households as f64 / self.reference_households as f64
    }

    /// Villages simulated: round(villages × households / reference_households), halves up,
    /// at least 1 (exact integer arithmetic, so the reference size gives `villages` itself).
    /// With `villages ≤ reference_households` (checked) it never exceeds `households`.
    pub fn simulated_villages(&self) -> u64 {
        let (v, h, r) =
            (u128::from(self.villages), u128::from(self.households), u128::from(self.reference_households));
        let rounded = (2 * v * h + r) / (2 * r.max(1));
        u64::try_from(rounded).unwrap_or(u64::MAX).max(1)
    }

    /// Why a run of `households` cannot have the scenario's structure, if it cannot: more
    /// villages than a household row can name.
    pub(crate) fn size_problem(&self) -> Option<String> {
        let n = self.simulated_villages();
        (n > MAX_VILLAGES).then(|| {
            format!(
                "is {}, which at {} villages per {} households (population.villages, \
                 population.reference_households) needs {n} villages; at most {MAX_VILLAGES} fit",
                self.households, self.villages, self.reference_households
            )
        })
    }
}

section! {
    /// The poverty line and the food line.
    Poverty "poverty" {
        /// Poverty line, rupiah per person per month (BPS NTT, March 2024).
        line_idr_per_capita_month: f64 = 527_275.0, 1.0, 1e9;
        /// Food share of the poverty line (BPS NTT, March 2024: 76.61 %).
        food_share: f64 = 0.7661, 0.0, 1.0;
        /// Share of the food line whose cost moves with the season's staple price, read from the staple index relative to `line_staple_index` (rice is 35.9–41.3 % of rural NTT's poverty line, BPS NTT Mar 2018 – Mar 2025, ≈ 45 % of its food line; that its price moves with maize's is a modelling choice: Kupang rice rose ≈ 20 % in the 2023–24 El Niño, Pos Kupang).
        food_line_staple_share: f64 = 0.45, 0.0, 1.0;
        /// Staple prices in the wet season, which holds the lean months, relative to the dry season's after the harvest; the year's months-weighted mean stays that of the farm-gate price (BPS NTT's rural line rose 2.7 % from Sep 2024 to Mar 2025, Rp 495,180 → 508,645, about 1.5 points of it inflation: ≈ +1.2 % a season on the line, ×1.04 on its staple share; Kupang retail rice swings ×1.1–1.2 from Jan to Mar, but March, when BPS prices the line, already has the harvest).
        lean_staple_price_multiplier: f64 = 1.04, 0.5, 3.0;
        /// Farm-gate maize price at which the line is stated, rupiah per kg: the food line holds the staple maize a person eats (`prices.staple_kg_per_person_year`, Rp 32,868 a month at this price, 6.2 % of the line), whose cost moves with the season's price against this one (the baseline's mean price over years, El Niño's dearer years included: 3,700 × (1 + 0.33 × 0.2)).
        line_maize_price_idr_per_kg: f64 = 3_944.2, 1.0, 1e6;
        /// Staple price index at which the line is stated: the other staples' cost (`food_line_staple_share`) moves with a season's maize price over `prices.maize_idr_per_kg`, which carries the year's market shock and El Niño's multiplier, against this index (the baseline's mean over years, 1 + 0.33 × 0.2; that rice moves with maize's shocks but not with its price level is a modelling choice).
        line_staple_index: f64 = 1.066, 0.01, 100.0;
    }
}

section! {
    /// The calendar: two seasons a year, wet then dry.
    Calendar "calendar" {
        /// Months of the wet season, Dec–Mar (climatology of NTT).
        wet_months: f64 = 4.0, 1.0, 11.0;
        /// Months of the dry season, Apr–Nov.
        dry_months: f64 = 8.0, 1.0, 11.0;
        /// Calendar year of the first wet season; money is in constant rupiah of this year.
        base_year: u32 = 2024, 1900, 2200;
        /// Seasons simulated before season 0 and not observed, so that herds, savings, debt and adoption reach the model's stationary state (even; 30 years: the baseline's P0 then has no trend over 40 seasons, tested).
        spin_up_seasons: u32 = 60, 0, 1000;
    }
}

section! {
    /// El Niño and village drought.
    Climate "climate" {
        /// Probability that a year is an El Niño year (≈ 1 in 3, ONI 1950–2015).
        el_nino_probability: f64 = 0.33, 0.0, 1.0;
        /// Probability that a year is a strong El Niño year (1 in 6–10 years); part of the above.
        strong_el_nino_probability: f64 = 0.12, 0.0, 1.0;
        /// Maize yield multiplier in a moderate El Niño year (modelling choice).
        moderate_yield_multiplier: f64 = 0.85, 0.0, 2.0;
        /// Maize yield multiplier in a strong El Niño year (≈ 0.6: 40 % of area in severe drought, TTS 2015–16).
        strong_yield_multiplier: f64 = 0.6, 0.0, 2.0;
        /// Log-standard deviation of village drought severity around the district (modelling choice).
        village_sigma: f64 = 0.15, 0.0, 2.0;
    }
}

section! {
    /// Maize prices.
    Prices "prices" {
        /// Farm-gate maize price at harvest, rupiah per kg (Rp 2,500 in 2018 × poverty-line growth to 2024).
        maize_idr_per_kg: f64 = 3_700.0, 0.0, 1e6;
        /// Log-standard deviation of the province-wide price shock (modelling choice).
        maize_price_sigma: f64 = 0.1, 0.0, 2.0;
        /// Price multiplier in El Niño years (modelling choice; Kupang maize doubled in Feb 2024).
        el_nino_price_multiplier: f64 = 1.2, 0.0, 10.0;
        /// Maize a household eats as its staple, kg per person per year: it keeps this much of its harvest and buys what its harvest lacks (modelling choice; maize beside rice, the first item of the rural food line, BPS NTT).
        staple_kg_per_person_year: f64 = 100.0, 0.0, 1000.0;
        /// Price a household short of maize pays over the months after the harvest, as a multiple of the season's farm-gate price (modelling choice between the harvest price and the lean season's ×2.0–2.4: Rp 2,500 after the harvest, Rp 5,000–6,000 in the lean season, Malaka, Pos Kupang 19 May 2018).
        purchase_price_multiplier: f64 = 1.6, 1.0, 10.0;
        /// What maize stored after the harvest and sold in the months after earns beyond its harvest price, share, net of storage losses. A household stores the surplus over its staple that its savings can carry, or all of it with a harvest-time loan from a savings group or bank (financial capability at least `finance.formal_credit_skill`), and buys its shortfall at the harvest price in the same way; a cooperative's collective marketing is its members' price premium (maize prices in East Africa rise 25–40 % in the 6–8 months after harvest, and harvest-time loans let farmers store, sell later and earn a 28 % return, Burke, Bergquist & Miguel 2019; the low end for storage losses, a modelling choice for NTT).
        stored_sale_gain_share: f64 = 0.25, 0.0, 5.0;
    }
}

section! {
    /// Maize production in the wet season.
    Farm "farm" {
        /// Mean yield with traditional practice in a normal year, t/ha (calibrated so that the mean over years, El Niño included, is ≈ 2.0: West Timor "a little over 2", Hosang 2010).
        base_yield_t_ha: f64 = 2.15, 0.0, 20.0;
        /// Coefficient of variation of household yields (modelling choice).
        yield_cv: f64 = 0.35, 0.0, 3.0;
        /// Yield gain of improved practice at full skill (tuned in the virtual trial with the skill's half-life and the untrained share, so that participants of production training gain +13 % yield at 1–2 years, Waddington et al. 2014: +13 %, 8–20 %, and keep at most a third of it in year 3).
        improved_yield_uplift_share: f64 = 0.45, 0.0, 5.0;
        /// Share of the improved-practice yield gain realised with no trained skill (seed and spacing stay when the knowledge fades; modelling choice).
        untrained_uplift_share: f64 = 0.1, 0.0, 1.0;
        /// Input cost with traditional practice, rupiah per ha per maize (wet) season (modelling choice).
        input_cost_idr_per_ha: f64 = 600_000.0, 0.0, 1e9;
        /// Extra input cost of improved practice, rupiah per ha per maize (wet) season (modelling choice; FFS raise income more than yield, +20 % vs +13 %).
        improved_input_cost_idr_per_ha: f64 = 300_000.0, 0.0, 1e9;
        /// Half-life of trained farm skill, months (tuned: trainees keep 29 % of their first year's yield gain in year 3 and 9 % in year 5: no positive outcome more than 2–3 years after, Waddington et al. 2014).
        skill_half_life_months: f64 = 12.0, 0.1, 1200.0;
        /// A harvest below this share of the expected one counts as a bad season (modelling choice).
        bad_harvest_share: f64 = 0.7, 0.0, 1.0;
    }
}

section! {
    /// Cattle.
    Livestock "livestock" {
        /// Value of one head, rupiah (modelling choice for Bali cattle).
        value_idr_per_head: f64 = 8_000_000.0, 0.0, 1e10;
        /// Net offtake income per year as a share of herd value (modelling choice).
        offtake_share_per_year: f64 = 0.12, 0.0, 1.0;
        /// Probability per head per year of losing the animal (modelling choice).
        loss_per_head_per_year: f64 = 0.04, 0.0, 1.0;
        /// Calves kept per head per year (modelling choice; offtake income covers the calves sold).
        calves_kept_per_head_per_year: f64 = 0.05, 0.0, 5.0;
        /// A distress sale is made only for a need of at least this share of an animal's sale price (modelling choice).
        distress_min_need_share: f64 = 0.25, 0.0, 10.0;
        /// Discount on a distress sale, share of value (modelling choice).
        distress_discount_share: f64 = 0.3, 0.0, 1.0;
        /// A household buys a head when its savings exceed this many head values (modelling choice).
        restock_savings_heads: f64 = 1.5, 0.0, 100.0;
        /// Largest herd a household keeps, head.
        max_head: u32 = 20, 0, 255;
    }
}

section! {
    /// Seaweed farming on the coast, in the dry season.
    Seaweed "seaweed" {
        /// Net income while farming, rupiah per month (Belu 2023: ≈ Rp 583,333).
        net_idr_per_month: f64 = 583_333.0, 0.0, 1e10;
        /// Log-standard deviation of a household's seaweed season (modelling choice).
        income_sigma: f64 = 0.4, 0.0, 3.0;
        /// Cost of starting (ropes, seed), rupiah (modelling choice; seed Rp 5,000/kg).
        start_cost_idr: f64 = 1_000_000.0, 0.0, 1e10;
    }
}

section! {
    /// Casual wage labour and every other income the model does not describe separately
    /// (horticulture, estate crops, small livestock, fishing, remittances); salaried work;
    /// social transfers. Calibrated.
    Labour "labour" {
        /// Daily wage, rupiah (modelling choice).
        wage_idr_per_day: f64 = 60_000.0, 0.0, 1e9;
        /// Share of members who work (modelling choice).
        adult_share: f64 = 0.55, 0.0, 1.0;
        /// Casual working days per adult per month in the wet season, when the household's own planting and weeding take its time (calibrated to the wet-minus-dry gap of P0, with the dry season's days to P0).
        days_per_adult_month_wet: f64 = 16.9, 0.0, 31.0;
        /// Casual working days per adult per month in the dry season (calibrated to P0, P1, P2, the Gini and the bottom-40 % share).
        days_per_adult_month_dry: f64 = 26.7, 0.0, 31.0;
        /// Log-standard deviation of households' access to casual work (calibrated with the days).
        access_sigma: f64 = 0.58, 0.0, 3.0;
        /// Log-standard deviation of a season's days around a household's usual days (modelling choice).
        season_sigma: f64 = 0.2, 0.0, 3.0;
        /// Share of households with a member in salaried work, who works no casual days (calibrated, prior 0.05–0.3: 21.6 % of NTT's workers were formal employees in Feb 2016, towns included, BPS NTT Sakernas; fewer in rural Kupang).
        salaried_share: f64 = 0.115, 0.0, 1.0;
        /// Net salary of that member, rupiah per month, paid in every season whatever the harvest or illness (BPS NTT, Sakernas Aug 2022: employees' mean net wage Rp 2.10 M, the lowest province).
        salary_idr_per_month: f64 = 2_100_000.0, 0.0, 1e10;
        /// Log-standard deviation of salaries around `salary_idr_per_month`, a mean-one lognormal multiplier drawn once per salaried household (calibrated to the Gini with the transfers; 0.8 puts the 90th percentile at 2.0 × the mean and the median at 0.73 ×: civil servants' base pay, Rp 1.56–5.90 M on the 2019 scale, is about 1.7–2.4 × NTT's mean wage, and national wages run from Rp 1.91 M with primary school to Rp 4.62 M with a degree, BPS 2022).
        salary_sigma: f64 = 0.8, 0.0, 3.0;
        /// Social transfer (Program Sembako / BPNT food aid), rupiah per household per month (Rp 110,000 in 2018–19, Rp 200,000 from April 2020 for about 18.8 million families in 2021, Kemensos via news reports; not checked against a primary document).
        transfer_idr_per_month: f64 = 200_000.0, 0.0, 1e10;
        /// Households whose expected income per person at initialisation, before any transfer, is below this share of the poverty line receive the transfer for good (calibrated, prior 0.5–1.5: the social registry DTKS approximates the poor and near-poor).
        transfer_line_share: f64 = 0.9, 0.0, 10.0;
        /// Conditional cash transfer (Program Keluarga Harapan) on top of the food transfer, rupiah per household per month (Rp 3.0 M a year: the national PKH budget over its 10 million families was Rp 3.27 M in 2019, 3.67 M in 2020 and 2.87 M in 2021, Kemensos via Jakarta Post, Databoks and VOI; nearly every PKH family also receives Sembako).
        pkh_idr_per_month: f64 = 250_000.0, 0.0, 1e10;
        /// Households whose expected income per person at initialisation, before any transfer, is below this share of the poverty line receive the conditional cash transfer for good, besides any food transfer (calibrated to P1 and P2, prior 0.5–1.0: PKH reaches about 14 % of Indonesia's households, nearly all of them Sembako families, which they are here while this share is at most `transfer_line_share`).
        pkh_line_share: f64 = 0.7, 0.0, 10.0;
    }
}

section! {
    /// Non-farm enterprise (petty trade, processing).
    Enterprise "enterprise" {
        /// Capital to start, rupiah (modelling choice).
        start_capital_idr: f64 = 2_000_000.0, 0.0, 1e10;
        /// Profit per month as a share of capital (modelling choice).
        return_share_per_month: f64 = 0.08, 0.0, 1.0;
        /// Log-standard deviation of demand (modelling choice).
        demand_sigma: f64 = 0.5, 0.0, 3.0;
        /// Profit gain at full business skill (tuned in the virtual trial so that trainees who ran an enterprise gain +9 % profit at 1–2 years: meta-analysis +5–10 %, McKenzie 2021; GET Ahead +15 % at 3 years the upper case).
        skill_profit_uplift_share: f64 = 0.1, 0.0, 5.0;
        /// Half-life of business skill, months (modelling choice in the 2–3-year range).
        skill_half_life_months: f64 = 36.0, 0.1, 1200.0;
        /// Exit hazard per year without skill (modelling choice).
        exit_per_year: f64 = 0.15, 0.0, 10.0;
        /// Share by which full business skill cuts the exit hazard (modelling choice, small: business training shows little effect on survival, McKenzie & Woodruff 2014).
        skill_exit_cut_share: f64 = 0.1, 0.0, 1.0;
        /// Spontaneous start hazard per year for households that can afford the capital (modelling choice).
        start_per_year: f64 = 0.03, 0.0, 10.0;
        /// Share of capital recovered on exit (modelling choice).
        salvage_share: f64 = 0.5, 0.0, 1.0;
    }
}

section! {
    /// Consumption, saving and credit (buffer-stock rule).
    Finance "finance" {
        /// Share of expected income saved (modelling choice).
        save_share: f64 = 0.03, 0.0, 1.0;
        /// Share of cash above the buffer spent per year (modelling choice).
        spend_excess_share_per_year: f64 = 0.5, 0.0, 1.0;
        /// Target buffer, months of expected income (modelling choice).
        buffer_months: f64 = 1.0, 0.0, 60.0;
        /// Informal lender interest, share per month (modelling choice).
        lender_interest_per_month: f64 = 0.03, 0.0, 1.0;
        /// Cooperative or savings-group interest, share per month (modelling choice).
        coop_interest_per_month: f64 = 0.015, 0.0, 1.0;
        /// Share of debt (with interest) repaid each season from cash above planned consumption (modelling choice).
        repay_share: f64 = 1.0, 0.0, 1.0;
        /// Months over which a household plans to pay off its debt, cutting consumption (modelling choice within the 1–3 years of KUR micro-loans for working capital, the formal credit rural households reach; with 12 months, financial-management trainees who borrowed instead of selling cattle cut their second year's consumption by 0.06–0.08 %).
        debt_payoff_months: f64 = 24.0, 0.1, 1200.0;
        /// Credit limit, months of expected income (modelling choice).
        credit_limit_months: f64 = 2.0, 0.0, 120.0;
        /// Financial capability from which a household borrows from a savings group or bank before it sells cattle (modelling choice).
        formal_credit_skill: f64 = 0.5, 0.0, 1.0;
        /// Extra share of income saved at full financial capability (0: capability acts through credit; a saving uplift cuts trainees' consumption, which financial education is not found to do, Kaiser & Menkhoff 2017; Fernandes et al. 2014: modest effects).
        capability_save_uplift_share: f64 = 0.0, 0.0, 1.0;
        /// Extra buffer months at full financial capability (0, as the saving uplift; modelling choice).
        capability_buffer_months: f64 = 0.0, 0.0, 60.0;
        /// Half-life of financial capability, months (negligible by ~20 months, Fernandes 2014).
        capability_half_life_months: f64 = 7.0, 0.1, 1200.0;
        /// Illness probability per household per season (modelling choice).
        illness_per_season: f64 = 0.05, 0.0, 1.0;
        /// Cost of an illness, months of expected income (modelling choice).
        illness_cost_months: f64 = 0.5, 0.0, 60.0;
        /// Share of a season's wage days worked in a season of illness (modelling choice).
        illness_days_share: f64 = 0.5, 0.0, 1.0;
    }
}

section! {
    /// Adoption and dis-adoption of improved practice (Bass-like diffusion).
    Adoption "adoption" {
        /// Innovation coefficient p per year (Sultan, Farley & Lehmann 1990: 0.03).
        innovation_per_year: f64 = 0.03, 0.0, 10.0;
        /// Imitation coefficient q per year (Sultan, Farley & Lehmann 1990: 0.38).
        imitation_per_year: f64 = 0.38, 0.0, 10.0;
        /// Adoption hazard per year of a trained household at full skill and readiness (modelling choice).
        trained_per_year: f64 = 1.5, 0.0, 100.0;
        /// Skill of a household that learnt from peers, share of trained skill (modelling choice).
        peer_skill_share: f64 = 0.5, 0.0, 1.0;
        /// Dis-adoption hazard per year (≈ 40 % of triers dis-adopt, Moser & Barrett 2006).
        disadoption_per_year: f64 = 0.15, 0.0, 10.0;
        /// Multiplier on dis-adoption after a bad season (modelling choice).
        bad_season_multiplier: f64 = 2.5, 0.0, 100.0;
        /// Multiplier on dis-adoption when savings cannot cover improved inputs (Moser & Barrett: liquidity).
        illiquid_multiplier: f64 = 1.5, 0.0, 100.0;
        /// Share of dis-adoption removed by extension support at government readiness 1 (modelling choice).
        extension_cut_share: f64 = 0.6, 0.0, 1.0;
    }
}

section! {
    /// Village cooperatives.
    Cooperative "cooperative" {
        /// Maize price premium for members (Fischer & Qaim: 0–24 %; default +5 %, modelling choice).
        price_premium_share: f64 = 0.05, 0.0, 5.0;
        /// Input cost saving for members (modelling choice).
        input_saving_share: f64 = 0.1, 0.0, 1.0;
        /// Governance quality of a cooperative at the start (modelling choice).
        initial_governance: f64 = 0.4, 0.0, 1.0;
        /// Households of a village that must take part in the cooperative module in one season for the programme to organise a cooperative where none works (modelling choice; the DW4FS seaweed group "Dari Dulu" had 23 members, ILO 2015).
        min_group_households: u32 = 10, 1, 100_000;
        /// Collapse hazard per year at zero governance and zero readiness (modelling choice).
        collapse_per_year: f64 = 0.3, 0.0, 10.0;
        /// Formation hazard per year of a cooperative in a village without one, at readiness 1 (modelling choice).
        formation_per_year: f64 = 0.1, 0.0, 10.0;
        /// Governance lost per year without support, share (modelling choice).
        governance_decay_per_year: f64 = 0.1, 0.0, 1.0;
        /// Join hazard per year for a ready household in a well-governed cooperative (modelling choice).
        join_per_year: f64 = 0.1, 0.0, 10.0;
        /// Exit hazard per year of a member (modelling choice).
        exit_per_year: f64 = 0.05, 0.0, 10.0;
    }
}

section! {
    /// Community readiness to accept change (Community Readiness Model stage s ↦ (s − 1)/8).
    Readiness "readiness" {
        /// Mean community readiness at the start (stage 4 "preplanning" ↦ 0.375; modelling choice).
        community: f64 = 0.375, 0.0, 1.0;
        /// Standard deviation of villages around it (modelling choice).
        village_sigma: f64 = 0.1, 0.0, 1.0;
        /// Standard deviation of households around their village (modelling choice).
        household_sigma: f64 = 0.15, 0.0, 1.0;
        /// How far a season's net adoption (new adopters − dis-adopters, share) moves readiness (modelling choice).
        learning_rate: f64 = 1.0, 0.0, 100.0;
        /// Pull back toward the starting level per season, share of the gap (modelling choice).
        reversion_per_season: f64 = 0.05, 0.0, 1.0;
    }
}

section! {
    /// Government readiness: delivery of planned training and extension support.
    GovernmentLevel "government" {
        /// Readiness in [0, 1]: share of planned capacity delivered, and strength of extension support (modelling choice).
        readiness: f64 = 0.6, 0.0, 1.0;
    }
}

/// The `[government]` section: readiness, constant or following a schedule by year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Government {
    /// Readiness in [0, 1] in every season the schedule does not cover.
    pub readiness: f64,
    /// Readiness by observed year (year 1 = seasons 0 and 1, …): element k holds in the
    /// seasons of year k + 1, the last one in every later year, the first one in the
    /// spin-up; empty: `readiness` throughout.
    pub readiness_by_year: Vec<f64>,
}

impl Default for Government {
    fn default() -> Self {
        Self { readiness: GovernmentLevel::default().readiness, readiness_by_year: Vec::new() }
    }
}

impl Government {
    /// The TOML table this section is read from.
    pub const KEY: &'static str = GovernmentLevel::KEY;

    /// What this section is for.
    pub(crate) const ABOUT: &'static str = GovernmentLevel::ABOUT;

    /// Reference documentation of its numeric keys (the schedule is documented with them,
    /// [`Government::SCHEDULE_DOC`]).
    pub(crate) const DOCS: &'static [FieldDoc] = GovernmentLevel::DOCS;

    /// Reference documentation of `readiness_by_year`.
    pub(crate) const SCHEDULE_DOC: &'static str = "Readiness by observed year, a list of values in [0, 1]: the first \
        holds in year 1 (seasons 0–1) and in the spin-up, the last in every year after the list; empty: \
        `readiness` throughout (the design brief's schedule: delivery and continuity may change over the \
        years; modelling choice).";

    /// Readiness in the observed season `observed` (`None`: a spin-up season).
    pub(crate) fn readiness_in(&self, observed: Option<u32>) -> f64 {
        let year = observed.map_or(0, |s| (s / 2) as usize);
        match self.readiness_by_year.as_slice() {
            [] => self.readiness,
            schedule => schedule[year.min(schedule.len() - 1)],
        }
    }

    /// Append every out-of-range value to `out`.
    pub fn check(&self, out: &mut Vec<RangeProblem>) {
        GovernmentLevel { readiness: self.readiness }.check(out);
        for (k, &r) in self.readiness_by_year.iter().enumerate() {
            let mut element = Vec::new();
            check_range("government.readiness_by_year", r, 0.0, 1.0, &mut element);
            out.extend(element.into_iter().map(|p| RangeProblem {
                message: format!("element {} (year {}) {}", k + 1, k + 1, p.message),
                ..p
            }));
        }
    }
}

/// Every section of the model's parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Params {
    pub population: Population,
    pub poverty: Poverty,
    pub calendar: Calendar,
    pub climate: Climate,
    pub prices: Prices,
    pub farm: Farm,
    pub livestock: Livestock,
    pub seaweed: Seaweed,
    pub labour: Labour,
    pub enterprise: Enterprise,
    pub finance: Finance,
    pub adoption: Adoption,
    pub cooperative: Cooperative,
    pub readiness: Readiness,
    pub government: Government,
}

impl Params {
    /// The maize price of a normal year: the farm-gate price with El Niño's multiplier
    /// weighted by its probability, rupiah per kg.
    pub fn expected_maize_price_idr_per_kg(&self) -> f64 {
        self.prices.maize_idr_per_kg
            * (1.0 + self.climate.el_nino_probability * (self.prices.el_nino_price_multiplier - 1.0))
    }

    /// What the staple maize of a person's month costs in the poverty line at the price the
    /// line is stated at, rupiah.
    pub(crate) fn maize_line_idr_per_capita_month(&self) -> f64 {
        self.prices.staple_kg_per_person_year / 12.0 * self.poverty.line_maize_price_idr_per_kg
    }

    /// Names of the TOML tables that hold parameters.
    pub const SECTIONS: [&'static str; 15] = [
        Population::KEY,
        Poverty::KEY,
        Calendar::KEY,
        Climate::KEY,
        Prices::KEY,
        Farm::KEY,
        Livestock::KEY,
        Seaweed::KEY,
        Labour::KEY,
        Enterprise::KEY,
        Finance::KEY,
        Adoption::KEY,
        Cooperative::KEY,
        Readiness::KEY,
        Government::KEY,
    ];

    /// Every section's name, purpose and keys, in file order.
    pub fn reference() -> [(&'static str, &'static str, &'static [FieldDoc]); 15] {
        [
            (Population::KEY, Population::ABOUT, Population::DOCS),
            (Poverty::KEY, Poverty::ABOUT, Poverty::DOCS),
            (Calendar::KEY, Calendar::ABOUT, Calendar::DOCS),
            (Climate::KEY, Climate::ABOUT, Climate::DOCS),
            (Prices::KEY, Prices::ABOUT, Prices::DOCS),
            (Farm::KEY, Farm::ABOUT, Farm::DOCS),
            (Livestock::KEY, Livestock::ABOUT, Livestock::DOCS),
            (Seaweed::KEY, Seaweed::ABOUT, Seaweed::DOCS),
            (Labour::KEY, Labour::ABOUT, Labour::DOCS),
            (Enterprise::KEY, Enterprise::ABOUT, Enterprise::DOCS),
            (Finance::KEY, Finance::ABOUT, Finance::DOCS),
            (Adoption::KEY, Adoption::ABOUT, Adoption::DOCS),
            (Cooperative::KEY, Cooperative::ABOUT, Cooperative::DOCS),
            (Readiness::KEY, Readiness::ABOUT, Readiness::DOCS),
            (Government::KEY, Government::ABOUT, Government::DOCS),
        ]
    }

    /// These parameters in the observed season `observed` (`None`: a spin-up season): the
    /// same, but for government readiness where it follows a schedule.
    pub(crate) fn in_season(&self, observed: Option<u32>) -> std::borrow::Cow<'_, Params> {
        if self.government.readiness_by_year.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut p = self.clone();
        p.government.readiness = self.government.readiness_in(observed);
        std::borrow::Cow::Owned(p)
    }

    /// Every out-of-range value and every violated cross-field rule.
    pub fn check(&self) -> Vec<RangeProblem> {
        let mut out = Vec::new();
        self.population.check(&mut out);
        self.poverty.check(&mut out);
        self.calendar.check(&mut out);
        self.climate.check(&mut out);
        self.prices.check(&mut out);
        self.farm.check(&mut out);
        self.livestock.check(&mut out);
        self.seaweed.check(&mut out);
        self.labour.check(&mut out);
        self.enterprise.check(&mut out);
        self.finance.check(&mut out);
        self.adoption.check(&mut out);
        self.cooperative.check(&mut out);
        self.readiness.check(&mut out);
        self.government.check(&mut out);
        if self.climate.strong_el_nino_probability > self.climate.el_nino_probability {
            out.push(RangeProblem {
                path: "climate.strong_el_nino_probability".into(),
                message: format!(
                    "is {} but strong El Niño years are a subset of El Niño years (climate.el_nino_probability = {})",
                    self.climate.strong_el_nino_probability, self.climate.el_nino_probability
                ),
            });
        }
        if !self.calendar.spin_up_seasons.is_multiple_of(2) {
            out.push(RangeProblem {
                path: "calendar.spin_up_seasons".into(),
                message: format!(
                    "is {}, but must be even so that season 0 is a wet season",
                    self.calendar.spin_up_seasons
                ),
            });
        }
        let (wet, dry) = (self.calendar.wet_months, self.calendar.dry_months);
        if (wet + dry - 12.0).abs() > 1e-9 {
            out.push(RangeProblem {
                path: "calendar.dry_months".into(),
                message: format!(
                    "is {dry}, and with calendar.wet_months = {wet} the year has {} months: the two seasons \
                     must add up to 12",
                    wet + dry
                ),
            });
        }
        if self.population.members_mean > f64::from(self.population.members_max) {
            out.push(RangeProblem {
                path: "population.members_mean".into(),
                message: format!(
                    "is {} but the largest household (population.members_max) has {} members: the mean \
                     cannot exceed it",
                    self.population.members_mean, self.population.members_max
                ),
            });
        }
        if u64::from(self.population.villages) > self.population.reference_households {
            out.push(RangeProblem {
                path: "population.villages".into(),
                message: format!(
                    "is {} but population.reference_households, the population they are stated for, is only {}: \
                     every village needs a household",
                    self.population.villages, self.population.reference_households
                ),
            });
        }
        let (maize, food) = (
            self.maize_line_idr_per_capita_month(),
            self.poverty.line_idr_per_capita_month * self.poverty.food_share,
        );
        if maize + self.poverty.food_line_staple_share * food > food {
            out.push(RangeProblem {
                path: "poverty.food_line_staple_share".into(),
                message: format!(
                    "is {}, and with the staple maize of prices.staple_kg_per_person_year at \
                     poverty.line_maize_price_idr_per_kg (Rp {maize:.0} a month) the staples cost more than \
                     the food line (Rp {food:.0} a month)",
                    self.poverty.food_line_staple_share
                ),
            });
        }
        if let Some(message) = self.population.size_problem() {
            out.push(RangeProblem { path: "population.households".into(), message });
        }
        out
    }

    /// Months in a season of `kind`.
    pub fn months(&self, kind: SeasonKind) -> f64 {
        match kind {
            SeasonKind::Wet => self.calendar.wet_months,
            SeasonKind::Dry => self.calendar.dry_months,
        }
    }
}

/// Wet (Dec–Mar, maize) or dry (Apr–Nov, livestock, seaweed, wage work).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeasonKind {
    /// The rainy season: maize is grown and harvested.
    Wet,
    /// The long dry season.
    Dry,
}

impl SeasonKind {
    /// Season 0 is the wet season of the base year; seasons alternate.
    pub fn of(season: u32) -> Self {
        if season.is_multiple_of(2) { Self::Wet } else { Self::Dry }
    }

    /// Lower-case name used in output files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Wet => "wet",
            Self::Dry => "dry",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_in_range() {
        assert_eq!(Params::default().check(), vec![]);
    }

    /// The staple maize and the other staples cannot cost more than the food line that
    /// holds them; the problem names the staple share.
    #[test]
    fn staples_dearer_than_the_food_line_are_a_problem() {
        let mut p = Params::default();
        p.prices.staple_kg_per_person_year = 900.0;
        let problems = p.check();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, "poverty.food_line_staple_share");
        assert!(problems[0].message.contains("cost more than the food line"), "{}", problems[0].message);
        p.prices.staple_kg_per_person_year = 100.0;
        p.poverty.food_line_staple_share = 0.95;
        assert_eq!(p.check().len(), 1);
    }

    #[test]
    fn a_percentage_written_for_a_share_gets_a_hint() {
        let mut p = Params::default();
        p.population.coastal_share = 25.0;
        let problems = p.check();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "population.coastal_share");
        assert!(problems[0].message.contains("did you mean 0.25"), "{}", problems[0].message);
    }

    #[test]
    fn villages_scale_with_households_and_are_exact_at_the_reference_size() {
        let mut pop = Population::default();
        assert_eq!((pop.simulated_villages(), pop.scale()), (160, 1.0));
        for (households, villages) in [(10_000, 19), (20_000, 38), (42_500, 80), (1_200_000, 2_259), (1, 1)] {
            pop.households = households;
            assert_eq!(pop.simulated_villages(), villages, "{households} households");
        }
        pop.households = 85_000 * 3 / 2;
        assert_eq!((pop.simulated_villages(), pop.scale()), (240, 1.5));
        // With no more villages than households at the reference size, never more than households.
        for (v, r, h) in [(7, 7, 1), (7, 7, 6), (160, 160, 3), (160, 85_000, 531), (3, 10, 4)] {
            let pop = Population { villages: v, reference_households: r, households: h, ..pop.clone() };
            assert!(pop.simulated_villages() <= h, "{v} villages per {r}, {h} households");
        }
    }

    #[test]
    fn a_run_too_large_for_its_village_numbers_is_a_problem() {
        let mut p = Params::default();
        p.population.households = 4_000_000_000;
        let problems = p.check();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, "population.households");
        assert!(problems[0].message.contains("needs 7529412 villages"), "{}", problems[0].message);
        p.population.reference_households = 100;
        assert!(p.check().iter().any(|x| x.path == "population.villages"));
    }

    #[test]
    fn strong_el_nino_must_be_part_of_el_nino() {
        let mut p = Params::default();
        p.climate.strong_el_nino_probability = 0.5;
        assert!(p.check().iter().any(|x| x.path == "climate.strong_el_nino_probability"));
    }
}
