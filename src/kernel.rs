//! The minimal kernel: a household season's arithmetic and random draws over plain columns,
//! with nothing around it — no scenario, villages, programme, histogram, metrics or output.
//!
//! It is the ceiling against which the full model's speed is judged (`livelihoods bench`,
//! `benches/`): per household and season it draws the same Philox blocks as the model's
//! batch path (`Shock`, `Earnings` and `Decision`, as columns), samples the same lognormal
//! and hazard tables and performs decisions, production, expected income, herd change and
//! the buffer-stock budget of the same shape, with the parameters fixed at their defaults
//! and every village alike. They are not the model's rules: adoption has no imitation term,
//! dis-adoption no bad-season or illiquidity multiplier, and its own copies of the uplift,
//! input cost, price factor and expected income stand in for the model's; it measures
//! speed, and its numbers are not model results. Its state is stored as columns in batches
//! ([`BATCH`] households), which the season's passes read and write in place, eight
//! households per instruction on the AVX-512 path.
//!
//! Not part of the library's API (hidden from its documentation): it serves `livelihoods
//! bench` and `benches/`.

use rayon::prelude::*;

use crate::cpu::Cpu;
use crate::engine::BLOCK;
use crate::model::budget::Lanes;
use crate::model::draws::{BATCH, Word, columns, earnings_noise};
use crate::model::environment::{ElNino, SeasonEnv};
use crate::model::household::only_if;
use crate::model::lanes::{lanes_where, sample_lanes};
use crate::model::season::{Noise, ProgrammeLevels, SeasonConsts, SeasonCtx, VillageView};
use crate::model::village::Villages;
use crate::params::{Params, SeasonKind};
use crate::rng::{Purpose, RunKey, unit};

use crate::model::household::flag::{COOP_MEMBER as MEMBER, ENTERPRISE, IMPROVED, SEAWEED};
use crate::runner::{Strategy, strategy};

/// Households per [`Chunk`], [`BLOCK`] per parallel task.
const CHUNKS_PER_BLOCK: usize = BLOCK / BATCH;

/// A batch of kernel households as columns: the state is stored as the lanes compute it,
/// so no row is ever copied into columns or back.
#[derive(Clone, Debug)]
struct Chunk {
    savings_idr: [f64; BATCH],
    debt_idr: [f64; BATCH],
    land_ha: [f32; BATCH],
    daily_wages_idr: [f32; BATCH],
    capital_idr: [f32; BATCH],
    farm_skill: [f32; BATCH],
    business_skill: [f32; BATCH],
    finance_skill: [f32; BATCH],
    expected_idr_month: [f32; BATCH],
    members: [u8; BATCH],
    cattle_head: [u32; BATCH],
    flags: [u32; BATCH],
}

impl Default for Chunk {
    fn default() -> Self {
        Self {
            savings_idr: [0.0; BATCH],
            debt_idr: [0.0; BATCH],
            land_ha: [0.0; BATCH],
            daily_wages_idr: [0.0; BATCH],
            capital_idr: [0.0; BATCH],
            farm_skill: [0.0; BATCH],
            business_skill: [0.0; BATCH],
            finance_skill: [0.0; BATCH],
            expected_idr_month: [0.0; BATCH],
            // Lanes past the last household: one member, so that no division is by zero.
            members: [1; BATCH],
            cattle_head: [0; BATCH],
            flags: [0; BATCH],
        }
    }
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
/// sharing the threads as the model does ([`strategy`]), on `cpu`'s path.
pub fn run(households: u32, seasons: u32, replications: u32, cpu: Cpu) -> KernelSums {
    let params = Params::default();
    let noise = Noise::new(&params);
    let consts = [SeasonKind::Wet, SeasonKind::Dry].map(|kind| SeasonConsts::new(&params, kind));
    // Every village alike: one, with a cooperative, in a normal year.
    let villages = Villages {
        readiness: vec![params.readiness.community as f32],
        initial_readiness: vec![params.readiness.community as f32],
        adopter_share: vec![0.0],
        coop_exists: vec![true],
        governance: vec![params.cooperative.initial_governance as f32],
    };
    let env = SeasonEnv {
        el_nino: ElNino::None,
        maize_price_idr_per_kg: params.prices.maize_idr_per_kg,
        village_yield_multiplier: vec![1.0],
    };
    let views = VillageView::all(&villages, &env);
    let world = Ceiling {
        params: &params,
        noise: &noise,
        cpu,
        consts: &consts,
        villages: &villages,
        env: &env,
        views: &views,
    };
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
    cpu: Cpu,
    consts: &'a [SeasonConsts; 2],
    villages: &'a Villages,
    env: &'a SeasonEnv,
    views: &'a [VillageView],
}

impl Ceiling<'_> {
    fn replication(&self, households: u32, seasons: u32, replication: u32, parallel: bool) -> KernelSums {
        let run = RunKey { seed: 1, replication };
        let mut chunks = self.population(run, households);
        let mut sums = KernelSums::default();
        for season in 0..seasons {
            let block = |(b, chunks): (usize, &mut [Chunk])| {
                let mut scratch = Scratch::default();
                let first = b * BLOCK;
                let mut sums = KernelSums::default();
                for (k, chunk) in chunks.iter_mut().enumerate() {
                    let first = first + k * BATCH;
                    let n = (households as usize - first).min(BATCH);
                    sums = sums.add(self.chunk(run, season, first as u32, n, chunk, &mut scratch));
                }
                sums
            };
            let season_sums = if parallel {
                chunks
                    .par_chunks_mut(CHUNKS_PER_BLOCK)
                    .enumerate()
                    .map(block)
                    .reduce(KernelSums::default, KernelSums::add)
            } else {
                chunks
                    .chunks_mut(CHUNKS_PER_BLOCK)
                    .enumerate()
                    .map(block)
                    .fold(KernelSums::default(), KernelSums::add)
            };
            sums = sums.add(season_sums);
        }
        sums
    }

    /// A stand-in population from one block per household: magnitudes like the model's
    /// (its land law, 1–8 members, 0–3 head, the flags at random), not its laws — the
    /// kernel measures speed, not poverty.
    fn population(&self, run: RunKey, households: u32) -> Vec<Chunk> {
        let p = self.params;
        let mut blocks = vec![[0; 4]; households as usize];
        run.blocks(self.cpu, 0, Purpose::Population, 0, &mut blocks);
        blocks
            .chunks(BATCH)
            .map(|blocks| {
                let mut c = Chunk::default();
                for (j, w) in blocks.iter().enumerate() {
                    let members = 1 + (w[1] % 8) as u8;
                    let flags = w[3] as u8 & (IMPROVED | MEMBER | ENTERPRISE | SEAWEED);
                    c.land_ha[j] = (self.noise.land.sample(w[0]) * p.population.land_mu.exp()) as f32;
                    c.daily_wages_idr[j] = (p.labour.wage_idr_per_day * f64::from(members).sqrt()) as f32;
                    c.members[j] = members;
                    c.cattle_head[j] = w[2] % 4;
                    c.flags[j] = u32::from(flags);
                    if flags & ENTERPRISE != 0 {
                        c.capital_idr[j] = p.enterprise.start_capital_idr as f32;
                    }
                    let expected = self.expected_idr_month(&c, j);
                    c.expected_idr_month[j] = expected as f32;
                    c.savings_idr[j] = p.population.savings_months * f64::from(c.expected_idr_month[j]);
                }
                c
            })
            .collect()
    }

    /// One season of the `n` households of `chunk` (households `first..first + n`): their
    /// random words, then the passes over the columns.
    fn chunk(
        &self,
        run: RunKey,
        season: u32,
        first: u32,
        n: usize,
        c: &mut Chunk,
        s: &mut Scratch,
    ) -> KernelSums {
        let kind = SeasonKind::of(season);
        run.block_columns(self.cpu, season, Purpose::Shock, first, columns(&mut s.shock, n));
        run.block_columns(self.cpu, season, Purpose::Earnings, first, columns(&mut s.earnings, n));
        run.block_columns(self.cpu, season, Purpose::Decision, first, columns(&mut s.decision, n));
        let crop_table = match kind {
            SeasonKind::Wet => &self.noise.maize_yield,
            SeasonKind::Dry => &self.noise.seaweed,
        };
        let [crop, labour] = &mut s.noise;
        earnings_noise(
            self.cpu,
            [&s.earnings[Word::Crop.index()][..n], &s.earnings[Word::LabourDays.index()][..n]],
            [crop_table, &self.noise.labour_days],
            [&mut crop[..n], &mut labour[..n]],
        );
        let months = self.params.months(kind);
        let ctx = SeasonCtx {
            params: self.params,
            consts: &self.consts[kind as usize],
            noise: self.noise,
            cpu: self.cpu,
            run,
            season,
            kind,
            months,
            years: months / 12.0,
            programme: ProgrammeLevels::default(),
            villages: self.villages,
            env: self.env,
            views: self.views,
        };
        // Demand for the enterprises only, as the model samples it.
        let (lanes, k) = lanes_where(n, |j| c.flags[j] & u32::from(ENTERPRISE) != 0);
        sample_lanes(
            &ctx,
            &self.noise.demand,
            &s.decision[const { Word::Demand.decision() }],
            &lanes[..k],
            &mut s.demand,
        );
        #[cfg(target_arch = "x86_64")]
        if self.cpu.v4().is_some() {
            // SAFETY: `self.cpu` holds a `V4` token, made only on CPUs with AVX-512F, DQ and
            // VL and AVX2 (with the rest of x86-64-v4): every feature `passes_avx512`
            // enables.
            #[allow(unsafe_code)]
            return unsafe { self.passes_avx512(&ctx, n, c, s) };
        }
        self.passes(&ctx, n, c, s)
    }

    /// [`Ceiling::passes`] compiled for AVX-512 (eight households per instruction).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    fn passes_avx512(&self, ctx: &SeasonCtx, n: usize, c: &mut Chunk, s: &mut Scratch) -> KernelSums {
        self.passes(ctx, n, c, s)
    }

    /// The season's arithmetic over the columns, as the model's batch path does it:
    /// hazard rates, their probabilities (table gathers), decisions, production and
    /// income, expected income, the herd, the budget and the poverty count.
    #[inline(always)]
    fn passes(&self, ctx: &SeasonCtx, n: usize, c: &mut Chunk, s: &mut Scratch) -> KernelSums {
        let kind = ctx.kind;
        let p = self.params;
        let consts = &self.consts[kind as usize];
        let wet = kind == SeasonKind::Wet;
        let months = p.months(kind);
        let readiness = p.readiness.community;
        let (a, e) = (&p.adoption, &p.enterprise);
        for j in 0..BATCH {
            c.farm_skill[j] *= consts.farm_skill_retention;
            c.business_skill[j] *= consts.business_skill_retention;
            c.finance_skill[j] *= consts.finance_skill_retention;
            let adopt = readiness * (a.innovation_per_year + a.trained_per_year * f64::from(c.farm_skill[j]));
            let improved = c.flags[j] & u32::from(IMPROVED) != 0;
            s.practice_rate[j] = if improved { consts.supported_disadoption_per_year } else { adopt };
            s.exit_rate[j] =
                e.exit_per_year * (1.0 - e.skill_exit_cut_share * f64::from(c.business_skill[j])) * months
                    / 12.0;
        }
        let hazard = &self.noise.hazard;
        if wet {
            hazard.probability_all(self.cpu, &s.practice_rate, &mut s.practice_probability);
        }
        hazard.probability_all(self.cpu, &s.exit_rate, &mut s.exit_probability);
        let join = hazard.probability(p.cooperative.join_per_year * readiness * months / 12.0);
        for j in 0..BATCH {
            let mut flags = c.flags[j];
            let toggle = wet & (unit(s.earnings[Word::Adoption.index()][j]) < s.practice_probability[j]);
            flags ^= u32::from(toggle) * u32::from(IMPROVED);
            let leave = if flags & u32::from(MEMBER) != 0 { consts.coop_exit_probability } else { join };
            flags ^= u32::from(unit(s.shock[Word::Membership.index()][j]) < leave) * u32::from(MEMBER);
            // Enterprise exit or start.
            let enterprise = flags & u32::from(ENTERPRISE) != 0;
            s.enterprise[j] = enterprise;
            let exits = enterprise
                & (unit(s.decision[const { Word::EnterpriseExit.decision() }][j]) < s.exit_probability[j]);
            let starts = !enterprise
                & (unit(s.earnings[Word::SpontaneousStart.index()][j]) < consts.enterprise_start_probability)
                & (c.savings_idr[j] >= e.start_capital_idr);
            let capital = c.capital_idr[j];
            s.cash[j] = if exits {
                f64::from(capital) * e.salvage_share
            } else if starts {
                -e.start_capital_idr
            } else {
                0.0
            };
            c.capital_idr[j] = if exits {
                0.0
            } else if starts {
                e.start_capital_idr as f32
            } else {
                capital
            };
            c.flags[j] = if exits {
                flags & !u32::from(ENTERPRISE)
            } else {
                flags | (u32::from(starts) * u32::from(ENTERPRISE))
            };
        }
        for j in 0..BATCH {
            let ill = unit(s.shock[Word::Illness.index()][j]) < consts.illness_probability;
            s.ill[j] = ill;
            let mut net = f64::from(c.cattle_head[j]) * consts.offtake_idr_per_head_season;
            let crop = s.noise[0][j];
            let harvest_kg =
                f64::from(c.land_ha[j]) * p.farm.base_yield_t_ha * 1000.0 * self.uplift(c, j) * crop;
            let maize =
                harvest_kg * p.prices.maize_idr_per_kg * self.price_factor(c, j) - self.input_cost_idr(c, j);
            let seaweed = c.flags[j] & u32::from(SEAWEED) != 0;
            net += if wet {
                maize
            } else if seaweed {
                p.seaweed.net_idr_per_month * months * crop
            } else {
                0.0
            };
            let days = if ill { p.finance.illness_days_share } else { 1.0 };
            net +=
                f64::from(c.daily_wages_idr[j]) * consts.days_per_adult_month * months * s.noise[1][j] * days;
            let profit = f64::from(c.capital_idr[j])
                * e.return_share_per_month
                * months
                * (1.0 + e.skill_profit_uplift_share * f64::from(c.business_skill[j]));
            net += if s.enterprise[j] { profit * s.demand[j] } else { 0.0 };
            s.cash[j] += net;
        }
        for j in 0..BATCH {
            c.expected_idr_month[j] = self.expected_idr_month(c, j) as f32;
        }
        for j in 0..BATCH {
            let head = c.cattle_head[j] as usize;
            (s.survival[j], s.calf[j]) = (consts.herd_survival[head], consts.herd_calf[head]);
        }
        for j in 0..BATCH {
            let lost = unit(s.shock[Word::CattleLoss.index()][j]) >= s.survival[j];
            let head = c.cattle_head[j] - u32::from(lost);
            let calf = (unit(s.shock[Word::CalfKept.index()][j]) < s.calf[j]) & (head < p.livestock.max_head);
            c.cattle_head[j] = head + u32::from(calf);
        }
        // The model's budget, lane for lane.
        let b = &mut s.budget;
        for j in 0..BATCH {
            b.savings[j] = c.savings_idr[j];
            b.debt[j] = c.debt_idr[j];
            b.cash_flow[j] = s.cash[j];
            b.expected[j] = f64::from(c.expected_idr_month[j]);
            b.skill[j] = f64::from(c.finance_skill[j]);
            b.cheap[j] = c.flags[j] & u32::from(MEMBER) != 0;
            b.ill[j] = s.ill[j];
            b.cattle[j] = c.cattle_head[j];
        }
        b.settle(ctx);
        for j in 0..BATCH {
            (c.savings_idr[j], c.debt_idr[j], c.cattle_head[j]) = (b.savings[j], b.debt[j], b.cattle[j]);
        }
        let line = p.poverty.line_idr_per_capita_month;
        let mut sums = KernelSums::default();
        for j in 0..BATCH {
            let counted = u64::from(j < n);
            let persons = counted * u64::from(c.members[j]);
            let consumption_pc = s.budget.consumption[j] / (months * f64::from(c.members[j]));
            sums.household_seasons += counted;
            sums.person_seasons += persons;
            sums.poor_person_seasons += persons * u64::from(consumption_pc < line);
        }
        sums
    }

    #[inline(always)]
    fn uplift(&self, c: &Chunk, j: usize) -> f64 {
        let f = &self.params.farm;
        let improved = f64::from(u8::from(c.flags[j] & u32::from(IMPROVED) != 0));
        1.0 + improved
            * f.improved_yield_uplift_share
            * (f.untrained_uplift_share + (1.0 - f.untrained_uplift_share) * f64::from(c.farm_skill[j]))
    }

    #[inline(always)]
    fn input_cost_idr(&self, c: &Chunk, j: usize) -> f64 {
        let f = &self.params.farm;
        let improved =
            if c.flags[j] & u32::from(IMPROVED) != 0 { f.improved_input_cost_idr_per_ha } else { 0.0 };
        let member = c.flags[j] & u32::from(MEMBER) != 0;
        f64::from(c.land_ha[j])
            * (f.input_cost_idr_per_ha + improved)
            * (1.0 - only_if(member, self.params.cooperative.input_saving_share))
    }

    /// The maize price multiplier of a cooperative member.
    #[inline(always)]
    fn price_factor(&self, c: &Chunk, j: usize) -> f64 {
        1.0 + only_if(c.flags[j] & u32::from(MEMBER) != 0, self.params.cooperative.price_premium_share)
    }

    #[inline(always)]
    fn expected_idr_month(&self, c: &Chunk, j: usize) -> f64 {
        let p = self.params;
        let k = &self.consts[0];
        let maize = f64::from(c.land_ha[j])
            * p.farm.base_yield_t_ha
            * 1000.0
            * self.uplift(c, j)
            * k.expected_weather_multiplier
            * k.expected_price_idr_per_kg
            * self.price_factor(c, j)
            - self.input_cost_idr(c, j);
        let cattle =
            f64::from(c.cattle_head[j]) * p.livestock.value_idr_per_head * p.livestock.offtake_share_per_year;
        let seaweed = if c.flags[j] & u32::from(SEAWEED) != 0 {
            p.seaweed.net_idr_per_month * p.calendar.dry_months
        } else {
            0.0
        };
        let e = &p.enterprise;
        let profit = f64::from(c.capital_idr[j])
            * e.return_share_per_month
            * (1.0 + e.skill_profit_uplift_share * f64::from(c.business_skill[j]))
            * 12.0;
        let wages = f64::from(c.daily_wages_idr[j]) * k.days_per_adult_year;
        ((maize + cattle + seaweed + wages + profit) / 12.0).max(0.0)
    }
}

/// A batch's random words, noise and hazard working space.
struct Scratch {
    shock: [[u32; BATCH]; 4],
    earnings: [[u32; BATCH]; 4],
    decision: [[u32; BATCH]; 4],
    /// Crop (maize or seaweed) and wage-days noise.
    noise: [[f64; BATCH]; 2],
    demand: [f64; BATCH],
    practice_rate: [f64; BATCH],
    exit_rate: [f64; BATCH],
    practice_probability: [f64; BATCH],
    exit_probability: [f64; BATCH],
    /// Ran an enterprise at the start of the season.
    enterprise: [bool; BATCH],
    cash: [f64; BATCH],
    ill: [bool; BATCH],
    survival: [f64; BATCH],
    calf: [f64; BATCH],
    budget: Lanes,
}

impl Default for Scratch {
    fn default() -> Self {
        Self {
            shock: [[0; BATCH]; 4],
            earnings: [[0; BATCH]; 4],
            decision: [[0; BATCH]; 4],
            noise: [[0.0; BATCH]; 2],
            demand: [0.0; BATCH],
            practice_rate: [0.0; BATCH],
            exit_rate: [0.0; BATCH],
            practice_probability: [0.0; BATCH],
            exit_probability: [0.0; BATCH],
            enterprise: [false; BATCH],
            cash: [0.0; BATCH],
            ill: [false; BATCH],
            survival: [0.0; BATCH],
            calf: [0.0; BATCH],
            budget: Lanes::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_does_all_its_work_and_gives_a_plausible_poverty_share() {
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(9_000, 6, 2, Cpu::best()));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| run(9_000, 6, 2, Cpu::best()));
        assert_eq!(one, two);
        assert_eq!(one.household_seasons, 9_000 * 6 * 2);
        let share = one.poor_person_seasons as f64 / one.person_seasons as f64;
        assert!((0.01..0.9).contains(&share), "poverty share {share}");
    }
}
