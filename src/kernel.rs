//! The minimal kernel: a household season's arithmetic and random draws over a plain array,
//! with nothing around it — no scenario, villages, programme, histogram, metrics or output.
//!
//! It is the ceiling against which the full model's speed is judged (`livelihoods bench`,
//! `benches/`): per household and season it draws the same Philox blocks as the model
//! (`Shock` and `Earnings` in batches, `Decision` for enterprises), samples the same
//! lognormal and hazard tables and performs the same decisions, production, expected
//! income, herd change and buffer-stock budget, with the parameters fixed at their defaults
//! and every village alike. Like the model, it samples a batch's lognormal noise together
//! and, on CPUs with AVX-512, settles a batch's budgets in one pass of eight lanes. Its
//! numbers are not model results.

use rayon::prelude::*;

use crate::engine::BLOCK;
use crate::model::draws::{BATCH, columns, earnings_noise};
use crate::model::season::{Noise, SeasonConsts};
use crate::params::{Params, SeasonKind};
use crate::rng::{Purpose, RunKey, unit};

use crate::model::household::flag::{COOP_MEMBER as MEMBER, ENTERPRISE, IMPROVED, SEAWEED};
use crate::runner::{Strategy, strategy};

/// One household of the kernel.
#[derive(Clone, Copy, Debug, Default)]
struct Row {
    savings_idr: f64,
    debt_idr: f64,
    land_ha: f32,
    daily_wages_idr: f32,
    capital_idr: f32,
    skills: [f32; 3],
    expected_idr_month: f32,
    members: u8,
    cattle_head: u8,
    flags: u8,
}

/// What a kernel run sums, so that no work can be skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KernelSums {
    /// Household-seasons simulated.
    pub household_seasons: u64,
    /// Persons × seasons in total.
    pub person_seasons: u64,
    /// Persons × seasons below the poverty line.
    pub poor_person_seasons: u64,
}

impl KernelSums {
    fn add(mut self, other: Self) -> Self {
        self.household_seasons += other.household_seasons;
        self.person_seasons += other.person_seasons;
        self.poor_person_seasons += other.poor_person_seasons;
        self
    }
}

/// Run the kernel: `households` × `seasons` × `replications`, on the current rayon pool,
/// sharing the threads as the model does ([`strategy`]).
pub fn run(households: u32, seasons: u32, replications: u32) -> KernelSums {
    let params = Params::default();
    let noise = Noise::new(&params);
    let consts = [SeasonKind::Wet, SeasonKind::Dry].map(|kind| SeasonConsts::new(&params, kind));
    let world = Ceiling { params: &params, noise: &noise, consts: &consts };
    let one = |r: u32, parallel: bool| world.replication(households, seasons, r, parallel);
    match strategy(replications as usize, rayon::current_num_threads()) {
        Strategy::Jobs => (0..replications)
            .into_par_iter()
            .map(|r| one(r, false))
            .reduce(KernelSums::default, KernelSums::add),
        Strategy::Households => {
            (0..replications).map(|r| one(r, true)).fold(KernelSums::default(), KernelSums::add)
        }
    }
}

/// What every household of the kernel reads: parameters at their defaults and the tables
/// and constants derived from them.
struct Ceiling<'a> {
    params: &'a Params,
    noise: &'a Noise,
    consts: &'a [SeasonConsts; 2],
}

impl Ceiling<'_> {
    fn replication(&self, households: u32, seasons: u32, replication: u32, parallel: bool) -> KernelSums {
        let run = RunKey { seed: 1, replication };
        let mut rows = self.population(run, households);
        let mut sums = KernelSums::default();
        for season in 0..seasons {
            let block = |(b, rows): (usize, &mut [Row])| self.block(run, season, (b * BLOCK) as u32, rows);
            let season_sums = if parallel {
                rows.par_chunks_mut(BLOCK).enumerate().map(block).reduce(KernelSums::default, KernelSums::add)
            } else {
                rows.chunks_mut(BLOCK).enumerate().map(block).fold(KernelSums::default(), KernelSums::add)
            };
            sums = sums.add(season_sums);
        }
        sums
    }

    /// A stand-in population from one block per household: magnitudes like the model's
    /// (its land law, 1–8 members, 0–3 head, the flags at random), not its laws — the
    /// kernel measures speed, not poverty.
    fn population(&self, run: RunKey, households: u32) -> Vec<Row> {
        let p = self.params;
        let mut blocks = vec![[0; 4]; households as usize];
        run.blocks(0, Purpose::Population, 0, &mut blocks);
        blocks
            .iter()
            .map(|w| {
                let members = 1 + (w[1] % 8) as u8;
                let flags = w[3] as u8 & (IMPROVED | MEMBER | ENTERPRISE | SEAWEED);
                let mut row = Row {
                    land_ha: (self.noise.land.sample(w[0]) * p.population.land_mu.exp()) as f32,
                    daily_wages_idr: (p.labour.wage_idr_per_day * f64::from(members).sqrt()) as f32,
                    members,
                    cattle_head: (w[2] % 4) as u8,
                    flags,
                    ..Row::default()
                };
                if flags & ENTERPRISE != 0 {
                    row.capital_idr = p.enterprise.start_capital_idr as f32;
                }
                row.expected_idr_month = self.expected_idr_month(&row) as f32;
                row.savings_idr = p.population.savings_months * f64::from(row.expected_idr_month);
                row
            })
            .collect()
    }

    fn block(&self, run: RunKey, season: u32, first: u32, rows: &mut [Row]) -> KernelSums {
        let kind = SeasonKind::of(season);
        let line = self.params.poverty.line_idr_per_capita_month;
        let mut sums = KernelSums::default();
        let mut shock = [[0; BATCH]; 4];
        let mut earnings = [[0; BATCH]; 4];
        let mut noise = [[0.0; BATCH]; 2];
        let mut budgets = Budgets::default();
        let lanes = crate::model::lanes::in_lanes();
        let months = self.params.months(kind);
        let spend = self.consts[kind as usize].spend_excess_share;
        let crop_table = match kind {
            SeasonKind::Wet => &self.noise.maize_yield,
            SeasonKind::Dry => &self.noise.seaweed,
        };
        for (k, rows) in rows.chunks_mut(BATCH).enumerate() {
            let first = first + (k * BATCH) as u32;
            let n = rows.len();
            run.block_columns(season, Purpose::Shock, first, columns(&mut shock, n));
            run.block_columns(season, Purpose::Earnings, first, columns(&mut earnings, n));
            let [crop, labour] = &mut noise;
            earnings_noise(
                [&earnings[0][..n], &earnings[1][..n]],
                [crop_table, &self.noise.labour_days],
                [&mut crop[..n], &mut labour[..n]],
            );
            let words = |j: usize, row: &Row| Words {
                shock: shock.each_ref().map(|w| w[j]),
                earnings: earnings.each_ref().map(|w| w[j]),
                crop: noise[0][j],
                labour: noise[1][j],
                venture: (row.flags & ENTERPRISE != 0)
                    .then(|| run.block(season, Purpose::Decision, first + j as u32)),
            };
            let mut add = |row: &Row, consumption_pc: f64| {
                let persons = u64::from(row.members);
                sums.household_seasons += 1;
                sums.person_seasons += persons;
                sums.poor_person_seasons += persons * u64::from(consumption_pc < line);
            };
            if lanes {
                // As the model does on CPUs with AVX-512: budgets a batch at a time.
                for (j, row) in rows.iter_mut().enumerate() {
                    let (cash_flow, ill) = self.earn(row, &words(j, row), kind);
                    budgets.put(j, row, cash_flow, ill);
                }
                budgets.settle(self.params, self.consts[0].debt_payoff_share_per_month, months, spend);
                for (j, row) in rows.iter_mut().enumerate() {
                    let consumption = budgets.take(j, row);
                    add(row, consumption / (months * f64::from(row.members)));
                }
            } else {
                for (j, row) in rows.iter_mut().enumerate() {
                    let consumption_pc = self.season(row, &words(j, row), kind);
                    add(row, consumption_pc);
                }
            }
        }
        sums
    }

    /// One household's season; returns consumption per person and month.
    fn season(&self, h: &mut Row, w: &Words, kind: SeasonKind) -> f64 {
        let (cash_flow_idr, ill) = self.earn(h, w, kind);
        let months = self.params.months(kind);
        let inputs = Inputs {
            savings_idr: h.savings_idr,
            debt_idr: h.debt_idr,
            cash_flow_idr,
            expected_idr_month: f64::from(h.expected_idr_month),
            skill: f64::from(h.skills[2]),
            ill,
        };
        let payoff = self.consts[0].debt_payoff_share_per_month;
        let spend = self.consts[kind as usize].spend_excess_share;
        let consumption;
        (h.savings_idr, h.debt_idr, consumption) = budget(inputs, self.params, payoff, months, spend);
        consumption / (months * f64::from(h.members))
    }

    /// A household's season up to its budget: returns the season's net cash inflow and
    /// whether the household fell ill.
    fn earn(&self, h: &mut Row, w: &Words, kind: SeasonKind) -> (f64, bool) {
        let p = self.params;
        let c = &self.consts[kind as usize];
        let wet = kind == SeasonKind::Wet;
        let months = p.months(kind);
        let retention = [c.farm_skill_retention, c.business_skill_retention, c.finance_skill_retention];
        for (s, r) in h.skills.iter_mut().zip(retention) {
            *s *= r;
        }
        let readiness = p.readiness.community;
        if wet {
            let a = &p.adoption;
            let improved = h.flags & IMPROVED != 0;
            let rate = if improved {
                c.supported_disadoption_per_year
            } else {
                readiness * (a.innovation_per_year + a.trained_per_year * f64::from(h.skills[0]))
            };
            if unit(w.earnings[2]) < self.noise.hazard.probability(rate) {
                h.flags ^= IMPROVED;
            }
        }
        let join = self.noise.hazard.probability(p.cooperative.join_per_year * readiness * months / 12.0);
        let leave = if h.flags & MEMBER != 0 { c.coop_exit_probability } else { join };
        if unit(w.shock[3]) < leave {
            h.flags ^= MEMBER;
        }
        let mut cash = self.enterprise(h, w, c, months);
        cash += self.produce(h, w, kind, months);
        h.expected_idr_month = self.expected_idr_month(h) as f32;
        let head = usize::from(h.cattle_head);
        h.cattle_head -= u8::from(unit(w.shock[1]) >= c.herd_survival[head]);
        let room = u32::from(h.cattle_head) < p.livestock.max_head;
        h.cattle_head += u8::from((unit(w.shock[2]) < c.herd_calf[head]) & room);
        (cash, unit(w.shock[0]) < c.illness_probability)
    }

    fn enterprise(&self, h: &mut Row, w: &Words, c: &SeasonConsts, months: f64) -> f64 {
        let e = &self.params.enterprise;
        if let Some(v) = w.venture {
            let rate = e.exit_per_year * (1.0 - e.skill_exit_cut_share * f64::from(h.skills[1]));
            if unit(v[1]) < self.noise.hazard.probability(rate * months / 12.0) {
                h.flags &= !ENTERPRISE;
                let salvage = f64::from(h.capital_idr) * e.salvage_share;
                h.capital_idr = 0.0;
                return salvage;
            }
        } else if unit(w.earnings[3]) < c.enterprise_start_probability && h.savings_idr >= e.start_capital_idr
        {
            h.flags |= ENTERPRISE;
            h.capital_idr = e.start_capital_idr as f32;
            return -e.start_capital_idr;
        }
        0.0
    }

    fn produce(&self, h: &Row, w: &Words, kind: SeasonKind, months: f64) -> f64 {
        let p = self.params;
        let c = &self.consts[kind as usize];
        let mut net = f64::from(h.cattle_head) * c.offtake_idr_per_head_season;
        if kind == SeasonKind::Wet {
            let expected_kg = f64::from(h.land_ha) * p.farm.base_yield_t_ha * 1000.0 * self.uplift(h);
            let harvest_kg = expected_kg * w.crop;
            net += harvest_kg * p.prices.maize_idr_per_kg - self.input_cost_idr(h);
        } else if h.flags & SEAWEED != 0 {
            net += p.seaweed.net_idr_per_month * months * w.crop;
        }
        let ill = if unit(w.shock[0]) < c.illness_probability { p.finance.illness_days_share } else { 1.0 };
        let days = w.labour;
        net += f64::from(h.daily_wages_idr) * c.days_per_adult_month * months * days * ill;
        if let Some(v) = w.venture {
            let e = &p.enterprise;
            let profit = f64::from(h.capital_idr)
                * e.return_share_per_month
                * months
                * (1.0 + e.skill_profit_uplift_share * f64::from(h.skills[1]));
            net += profit * self.noise.demand.sample(v[0]);
        }
        net
    }

    fn uplift(&self, h: &Row) -> f64 {
        let f = &self.params.farm;
        if h.flags & IMPROVED == 0 {
            return 1.0;
        }
        1.0 + f.improved_yield_uplift_share
            * (f.untrained_uplift_share + (1.0 - f.untrained_uplift_share) * f64::from(h.skills[0]))
    }

    fn input_cost_idr(&self, h: &Row) -> f64 {
        let f = &self.params.farm;
        let improved = if h.flags & IMPROVED != 0 { f.improved_input_cost_idr_per_ha } else { 0.0 };
        f64::from(h.land_ha) * (f.input_cost_idr_per_ha + improved)
    }

    fn expected_idr_month(&self, h: &Row) -> f64 {
        let p = self.params;
        let c = &self.consts[0];
        let maize = f64::from(h.land_ha)
            * p.farm.base_yield_t_ha
            * 1000.0
            * self.uplift(h)
            * c.expected_weather_multiplier
            * c.expected_price_idr_per_kg
            - self.input_cost_idr(h);
        let cattle =
            f64::from(h.cattle_head) * p.livestock.value_idr_per_head * p.livestock.offtake_share_per_year;
        let seaweed =
            if h.flags & SEAWEED != 0 { p.seaweed.net_idr_per_month * p.calendar.dry_months } else { 0.0 };
        let e = &p.enterprise;
        let profit = f64::from(h.capital_idr)
            * e.return_share_per_month
            * (1.0 + e.skill_profit_uplift_share * f64::from(h.skills[1]))
            * 12.0;
        let wages = f64::from(h.daily_wages_idr) * c.days_per_adult_year;
        ((maize + cattle + seaweed + wages + profit) / 12.0).max(0.0)
    }
}

/// The buffer-stock budgets of a batch as columns: inputs, then results.
struct Budgets {
    savings: [f64; BATCH],
    debt: [f64; BATCH],
    cash_flow: [f64; BATCH],
    expected: [f64; BATCH],
    skill: [f64; BATCH],
    ill: [bool; BATCH],
    consumption: [f64; BATCH],
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            savings: [0.0; BATCH],
            debt: [0.0; BATCH],
            cash_flow: [0.0; BATCH],
            expected: [0.0; BATCH],
            skill: [0.0; BATCH],
            ill: [false; BATCH],
            consumption: [0.0; BATCH],
        }
    }
}

impl Budgets {
    fn put(&mut self, j: usize, h: &Row, cash_flow: f64, ill: bool) {
        self.savings[j] = h.savings_idr;
        self.debt[j] = h.debt_idr;
        self.cash_flow[j] = cash_flow;
        self.expected[j] = f64::from(h.expected_idr_month);
        self.skill[j] = f64::from(h.skills[2]);
        self.ill[j] = ill;
    }

    /// Write lane `j`'s savings and debt back to `h`; returns its consumption.
    fn take(&self, j: usize, h: &mut Row) -> f64 {
        h.savings_idr = self.savings[j];
        h.debt_idr = self.debt[j];
        self.consumption[j]
    }

    /// Every lane's budget, eight per instruction on CPUs with AVX-512.
    fn settle(&mut self, p: &Params, payoff: f64, months: f64, spend: f64) {
        #[cfg(target_arch = "x86_64")]
        if crate::rng::kernel() == crate::rng::Kernel::Avx512 {
            // SAFETY: the AVX-512 kernel is in use only on CPUs with AVX-512F and AVX2.
            #[allow(unsafe_code)]
            unsafe {
                self.settle_avx512(p, payoff, months, spend)
            };
            return;
        }
        for j in 0..BATCH {
            self.settle_one(j, p, payoff, months, spend);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    fn settle_avx512(&mut self, p: &Params, payoff: f64, months: f64, spend: f64) {
        for j in 0..BATCH {
            self.settle_one(j, p, payoff, months, spend);
        }
    }

    #[inline(always)]
    fn settle_one(&mut self, j: usize, p: &Params, payoff: f64, months: f64, spend: f64) {
        let inputs = Inputs {
            savings_idr: self.savings[j],
            debt_idr: self.debt[j],
            cash_flow_idr: self.cash_flow[j],
            expected_idr_month: self.expected[j],
            skill: self.skill[j],
            ill: self.ill[j],
        };
        (self.savings[j], self.debt[j], self.consumption[j]) = budget(inputs, p, payoff, months, spend);
    }
}

/// What a kernel household's budget starts from.
struct Inputs {
    savings_idr: f64,
    debt_idr: f64,
    cash_flow_idr: f64,
    expected_idr_month: f64,
    skill: f64,
    ill: bool,
}

/// The buffer-stock budget without branches (as the model's, without cooperative credit,
/// cattle sales and restocking): savings, debt and consumption after the season.
#[inline(always)]
fn budget(i: Inputs, p: &Params, payoff: f64, months: f64, spend: f64) -> (f64, f64, f64) {
    let f = &p.finance;
    let (expected, skill) = (i.expected_idr_month, i.skill);
    let rate =
        f.lender_interest_per_month - skill * (f.lender_interest_per_month - f.coop_interest_per_month);
    let illness = if i.ill { f.illness_cost_months * expected } else { 0.0 };
    let mut debt = i.debt_idr * (1.0 + rate * months);
    let mut cash = i.savings_idr + i.cash_flow_idr - illness;
    let save = (f.save_share + skill * f.capability_save_uplift_share).min(1.0);
    let target = months * (expected - (rate + payoff) * debt).max(0.0) * (1.0 - save);
    let buffer = (f.buffer_months + skill * f.capability_buffer_months) * expected;
    let repay = (f.repay_share * debt).min((cash - target).max(0.0));
    debt -= repay;
    cash -= repay;
    let enough = cash >= target;
    let loan = (target - cash).min((f.credit_limit_months * expected - debt).max(0.0));
    let loan = if enough { 0.0 } else { loan };
    debt += loan;
    cash += loan;
    let consumption =
        if enough { target + spend * (cash - target - buffer).max(0.0) } else { target.min(cash).max(0.0) };
    cash -= consumption;
    let arrears = cash < 0.0;
    let debt = if arrears { debt - cash } else { debt };
    (if arrears { 0.0 } else { cash }, debt, consumption)
}

/// A household's random words of one season.
struct Words {
    shock: [u32; 4],
    earnings: [u32; 4],
    /// Maize yield (wet) or seaweed (dry) noise, from `earnings[0]`.
    crop: f64,
    /// Wage-days noise, from `earnings[1]`.
    labour: f64,
    venture: Option<[u32; 4]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_of_budgets_settles_as_one_by_one() {
        let params = Params::default();
        let run = RunKey { seed: 3, replication: 0 };
        let mut b = Budgets::default();
        let mut expected = Vec::new();
        for j in 0..BATCH {
            let w = run.block(0, Purpose::Shock, j as u32);
            let inputs = Inputs {
                savings_idr: f64::from(w[0] % 5_000_000),
                debt_idr: f64::from(w[1] % 3_000_000) * f64::from(u8::from(j.is_multiple_of(3))),
                cash_flow_idr: f64::from(w[2] % 8_000_000) - 3_000_000.0,
                expected_idr_month: f64::from(w[3] % 4_000_000),
                skill: unit(w[0] ^ w[3]),
                ill: w[1].is_multiple_of(5),
            };
            let row = Row {
                savings_idr: inputs.savings_idr,
                debt_idr: inputs.debt_idr,
                expected_idr_month: inputs.expected_idr_month as f32,
                skills: [0.0, 0.0, inputs.skill as f32],
                ..Row::default()
            };
            b.put(j, &row, inputs.cash_flow_idr, inputs.ill);
            let inputs = Inputs { expected_idr_month: b.expected[j], skill: b.skill[j], ..inputs };
            let (s, d, c) = budget(inputs, &params, 0.05, 4.0, 0.3);
            expected.push([s.to_bits(), d.to_bits(), c.to_bits()]);
        }
        b.settle(&params, 0.05, 4.0, 0.3);
        let lanes: Vec<[u64; 3]> =
            (0..BATCH).map(|j| [b.savings[j], b.debt[j], b.consumption[j]].map(f64::to_bits)).collect();
        assert_eq!(lanes, expected);
        // Shortfalls, arrears and ample cash all occur.
        assert!(expected.iter().any(|e| f64::from_bits(e[0]) == 0.0));
        assert!(expected.iter().any(|e| f64::from_bits(e[0]) > 1e6));
    }

    #[test]
    fn the_kernel_does_all_its_work_and_gives_a_plausible_poverty_share() {
        let one =
            rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| run(9_000, 6, 2));
        let two =
            rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| run(9_000, 6, 2));
        assert_eq!(one, two);
        assert_eq!(one.household_seasons, 9_000 * 6 * 2);
        let share = one.poor_person_seasons as f64 / one.person_seasons as f64;
        assert!((0.01..0.9).contains(&share), "poverty share {share}");
    }
}
