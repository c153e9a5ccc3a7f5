//! What is observed each season: FGT poverty indices of persons, consumption, inequality,
//! and the programme's reach.
//!
//! Every accumulator is an integer (persons, rupiah, fixed-point gaps), so adding blocks of
//! households in any grouping gives the same bits: the metrics do not depend on the thread
//! count. Median and Gini come from a fine log-spaced histogram of consumption per person
//! (log-spaced bins ≤ 0.27 % wide between Rp 10,000 and Rp 100 M per month) that keeps the exact
//! rupiah total of each bin; within a bin households are treated as equal.

use crate::model::draws::BATCH;
#[cfg(test)]
use crate::model::household::Household;
use crate::model::household::flag;
use crate::model::households::Households;
use crate::model::village::VillageCounts;
use crate::params::{Params, SeasonKind};

/// Bins of the consumption histogram: the bit pattern of an `f32` is piecewise linear in
/// log2 of its value, so its top bits (exponent and 8 mantissa bits) index log-spaced bins
/// 2^-8 of an octave wide (≤ 0.27 %), with no logarithm to compute.
const BIN_SHIFT: u32 = 15;
const BIN_FIRST: u32 = 0x461C_4000 >> BIN_SHIFT; // 10,000.0_f32
const BIN_LAST: u32 = 0x4CBE_BC20 >> BIN_SHIFT; // 100,000,000.0_f32
const BINS: usize = (BIN_LAST - BIN_FIRST + 1) as usize;
const FIXED_ONE: f64 = (1u64 << 32) as f64;

/// Integer sums over households, combinable in any order.
#[derive(Clone, Debug)]
pub(crate) struct Accumulator {
    households: u64,
    persons: u64,
    poor_persons: u64,
    food_poor_persons: u64,
    gap_fixed: u128,
    gap_sq_fixed: u128,
    consumption_idr_persons: u128,
    savings_idr: u128,
    debt_idr: u128,
    adopters: u64,
    members: u64,
    enterprises: u64,
    /// Households that took part in a module this season.
    pub(crate) participants: u64,
    ever_participants: u64,
    harvest_g: u128,
    /// Per bin: persons, and rupiah × persons (one cache line holds both).
    bins: Vec<[u64; 2]>,
    /// Per-village counts for the village update.
    pub villages: Vec<VillageCounts>,
}

/// A non-negative amount rounded to the nearest whole unit (halves up); negative or NaN
/// amounts count as zero.
#[inline(always)]
fn nearest(x: f64) -> u64 {
    truncate((x + 0.5).max(0.0))
}

/// `x as i64 as u64` for `x` ≥ 0 or NaN: the integer part, from 2^63 on (+∞ too)
/// `i64::MAX`, NaN 0. With only the operations every path has in vector registers (f64
/// arithmetic and compares, 64-bit integer adds and shifts): AVX2 and SSE2 have no vector
/// conversion from `f64` to a 64-bit integer, and one `as i64` kept a whole loop scalar.
#[inline(always)]
fn truncate(x: f64) -> u64 {
    const TWO_32: f64 = 4_294_967_296.0;
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    // The integer part of 0 ≤ v < 2^52, as an f64: adding 2^52 rounds v to the nearest
    // integer (exactly), the select undoes a rounding up.
    let floor = |v: f64| {
        let r = (v + TWO_52) - TWO_52;
        if r > v { r - 1.0 } else { r }
    };
    // An integer t in [0, 2^52) as a u64: the low bits of t + 2^52.
    let bits = |t: f64| (t + TWO_52).to_bits() - TWO_52.to_bits();
    let v = if x < TWO_63 { x } else { 0.0 };
    // v = high · 2^32 + low, both below 2^32 (the scaling and the difference are exact).
    let high = floor(v * (1.0 / TWO_32));
    let low = floor(v - high * TWO_32);
    let integer = (bits(high) << 32) + bits(low);
    if x >= TWO_63 { i64::MAX as u64 } else { integer }
}

/// The lines that classify a household.
#[derive(Clone, Copy, Debug)]
pub struct Lines {
    /// Poverty line, rupiah per person per month.
    pub poverty_idr: f64,
    /// Food poverty line, rupiah per person per month.
    pub food_idr: f64,
    /// 1 / `poverty_idr`.
    pub inverse_poverty_idr: f64,
}

impl Lines {
    /// The lines for a poverty line and a food line, rupiah per person per month.
    pub fn new(poverty_idr: f64, food_idr: f64) -> Self {
        Self { poverty_idr, food_idr, inverse_poverty_idr: 1.0 / poverty_idr }
    }

    /// The lines of a season of `kind` whose maize price is `maize_price_idr_per_kg`. The
    /// food line holds three parts:
    ///
    /// - the maize a person eats (`prices.staple_kg_per_person_year`), which costs the
    ///   season's price;
    /// - the other staples (`poverty.food_line_staple_share` of the food line, rice first),
    ///   whose cost moves with the season's staple index: its maize price over
    ///   `prices.maize_idr_per_kg`, the year's market shock and El Niño's multiplier,
    ///   relative to `poverty.line_staple_index`;
    /// - the rest, fixed.
    ///
    /// Both staple parts cost the season's place in the year's price cycle too (the wet
    /// season's lean months cost `poverty.lean_staple_price_multiplier` times the dry
    /// season's, the months-weighted mean being 1). At `poverty.line_maize_price_idr_per_kg`
    /// and an index of `poverty.line_staple_index` the lines are
    /// `poverty.line_idr_per_capita_month` and its food share, so over the baseline's years
    /// they average those. A world with dearer or cheaper maize has a higher or lower line by
    /// its maize part alone.
    pub fn of_season(params: &Params, kind: SeasonKind, maize_price_idr_per_kg: f64) -> Self {
        let p = &params.poverty;
        let c = &params.calendar;
        let dry =
            (c.wet_months + c.dry_months) / (c.wet_months * p.lean_staple_price_multiplier + c.dry_months);
        let cycle = if kind == SeasonKind::Wet { dry * p.lean_staple_price_multiplier } else { dry };
        let stated = p.line_idr_per_capita_month * p.food_share;
        let maize = params.maize_line_idr_per_capita_month();
        let staples = p.food_line_staple_share * stated;
        let base_price = params.prices.maize_idr_per_kg;
        let index = if base_price > 0.0 { maize_price_idr_per_kg / base_price } else { p.line_staple_index };
        let food = stated - maize - staples
            + cycle * maize * maize_price_idr_per_kg / p.line_maize_price_idr_per_kg
            + cycle * staples * index / p.line_staple_index;
        Self::new(p.line_idr_per_capita_month * (1.0 - p.food_share) + food, food)
    }

    /// The lines an observed season `m` of a scenario with `params` was measured against
    /// ([`Lines::of_season`] at the season's kind and maize price).
    pub(crate) fn of_observed(params: &Params, m: &SeasonMetrics) -> Self {
        let kind = if m.season_kind == SeasonKind::Wet.name() { SeasonKind::Wet } else { SeasonKind::Dry };
        let price = m.value("maize_price_idr_per_kg").expect("a metric of every season");
        Self::of_season(params, kind, price)
    }
}

impl Accumulator {
    /// Empty sums for `villages` villages.
    pub fn new(villages: usize) -> Self {
        Self {
            households: 0,
            persons: 0,
            poor_persons: 0,
            food_poor_persons: 0,
            gap_fixed: 0,
            gap_sq_fixed: 0,
            consumption_idr_persons: 0,
            savings_idr: 0,
            debt_idr: 0,
            adopters: 0,
            members: 0,
            enterprises: 0,
            participants: 0,
            ever_participants: 0,
            harvest_g: 0,
            bins: vec![[0; 2]; BINS],
            villages: vec![VillageCounts::default(); villages],
        }
    }

    /// Add one household after an observed season, with its consumption per person
    /// and stocks as its row holds them, as a batch of one ([`Terms`]): a view for tests.
    #[cfg(test)]
    pub(crate) fn add_one(&mut self, h: &Household, lines: Lines) {
        let mut terms = Terms::default();
        terms.count(0, true, h.flags, h.participated, false, false, false);
        terms.observe(0, true, h.members, h.consumption_pc_idr_month, h.savings_idr, h.debt_idr, 0.0, lines);
        self.add_batch(&terms, true, Some(h.village), &[h.village]);
    }

    /// Combine two partial sums.
    pub fn merge(mut self, other: Self) -> Self {
        self.households += other.households;
        self.persons += other.persons;
        self.poor_persons += other.poor_persons;
        self.food_poor_persons += other.food_poor_persons;
        self.gap_fixed += other.gap_fixed;
        self.gap_sq_fixed += other.gap_sq_fixed;
        self.consumption_idr_persons += other.consumption_idr_persons;
        self.savings_idr += other.savings_idr;
        self.debt_idr += other.debt_idr;
        self.adopters += other.adopters;
        self.members += other.members;
        self.enterprises += other.enterprises;
        self.participants += other.participants;
        self.ever_participants += other.ever_participants;
        self.harvest_g += other.harvest_g;
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            a[0] += b[0];
            a[1] += b[1];
        }
        for (a, b) in self.villages.iter_mut().zip(&other.villages) {
            a.add(b);
        }
        self
    }

    /// Persons per consumption bin.
    pub fn distribution(&self) -> Vec<u64> {
        self.bins.iter().map(|b| b[0]).collect()
    }

    /// Person-weighted median of consumption per person, rupiah per month.
    fn median(&self) -> f64 {
        let half = self.persons.div_ceil(2);
        let mut seen = 0;
        for &[persons, total] in &self.bins {
            seen += persons;
            if seen >= half && persons > 0 {
                return total as f64 / persons as f64;
            }
        }
        0.0
    }

    /// Share of all consumption held by the poorest `share` of persons, from the bins
    /// (persons of the bin that crosses the cut at that bin's mean).
    fn bottom_share(&self, share: f64) -> f64 {
        let total = self.consumption_idr_persons as f64;
        if total <= 0.0 {
            return 0.0;
        }
        let mut left = share * self.persons as f64;
        let mut held = 0.0;
        for &[persons, sum] in &self.bins {
            if persons == 0 {
                continue;
            }
            let take = left.min(persons as f64);
            held += sum as f64 * take / persons as f64;
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
        held / total
    }

    /// Person-weighted Gini of consumption per person (Lorenz curve over bins).
    fn gini(&self) -> f64 {
        let total_persons = self.persons as f64;
        let total = self.consumption_idr_persons as f64;
        if total <= 0.0 {
            return 0.0;
        }
        let mut area = 0.0;
        let mut lorenz_before = 0.0;
        for &[persons, sum] in &self.bins {
            if persons == 0 {
                continue;
            }
            let lorenz = lorenz_before + sum as f64 / total;
            area += persons as f64 / total_persons * (lorenz + lorenz_before);
            lorenz_before = lorenz;
        }
        1.0 - area
    }
}

/// What one household adds to the sums, from its consumption per person and stocks: the
/// arithmetic of [`Accumulator::add`], which [`Terms`] does for a batch in lanes.
#[derive(Clone, Copy, Debug, Default)]
struct Term {
    persons: u64,
    poor_persons: u64,
    food_poor_persons: u64,
    gap_fixed: u64,
    gap_sq_fixed: u64,
    rupiah_persons: u64,
    bin: u32,
    savings_idr: u64,
    debt_idr: u64,
    harvest_g: u64,
}

impl Term {
    #[inline(always)]
    fn of(
        members: u8,
        consumption_pc_idr_month: f32,
        savings_idr: f64,
        debt_idr: f64,
        harvest_kg: f64,
        lines: Lines,
    ) -> Self {
        let persons = u64::from(members);
        let y = f64::from(consumption_pc_idr_month).max(0.0);
        // Without branches: whether a household is poor is unpredictable from one to the
        // next. A household above the line adds nothing: its gap is zeroed (as ±0).
        let poor = y < lines.poverty_idr;
        let gap = (1.0 - y * lines.inverse_poverty_idr) * f64::from(u8::from(poor));
        let rupiah = nearest(y);
        Self {
            persons,
            poor_persons: persons * u64::from(poor),
            food_poor_persons: persons * u64::from(y < lines.food_idr),
            // The gap is in [0, 1] (or NaN, as 0), so the fixed-point values fit.
            gap_fixed: persons * truncate(gap * FIXED_ONE),
            gap_sq_fixed: persons * truncate(gap * gap * FIXED_ONE),
            rupiah_persons: rupiah * persons,
            bin: ((y as f32).to_bits() >> BIN_SHIFT).clamp(BIN_FIRST, BIN_LAST) - BIN_FIRST,
            savings_idr: nearest(savings_idr),
            debt_idr: nearest(debt_idr),
            harvest_g: nearest(harvest_kg * 1000.0),
        }
    }
}

/// What a batch's households add to the sums, as columns: computed in lanes ([`Terms::count`]
/// and [`Terms::observe`] in loops over the batch) and summed together
/// ([`Accumulator::add_batch`]). A lane that is not counted adds zeros.
#[derive(Clone, Debug)]
pub(crate) struct Terms {
    households: [u64; BATCH],
    adopters: [u64; BATCH],
    members: [u64; BATCH],
    enterprises: [u64; BATCH],
    participants: [u64; BATCH],
    ever_participants: [u64; BATCH],
    new_adopters: [u64; BATCH],
    disadopters: [u64; BATCH],
    persons: [u64; BATCH],
    poor_persons: [u64; BATCH],
    food_poor_persons: [u64; BATCH],
    gap_fixed: [u64; BATCH],
    gap_sq_fixed: [u64; BATCH],
    rupiah_persons: [u64; BATCH],
    bin: [u32; BATCH],
    savings_idr: [u64; BATCH],
    debt_idr: [u64; BATCH],
    harvest_g: [u64; BATCH],
}

impl Default for Terms {
    fn default() -> Self {
        Self {
            households: [0; BATCH],
            adopters: [0; BATCH],
            members: [0; BATCH],
            enterprises: [0; BATCH],
            participants: [0; BATCH],
            ever_participants: [0; BATCH],
            new_adopters: [0; BATCH],
            disadopters: [0; BATCH],
            persons: [0; BATCH],
            poor_persons: [0; BATCH],
            food_poor_persons: [0; BATCH],
            gap_fixed: [0; BATCH],
            gap_sq_fixed: [0; BATCH],
            rupiah_persons: [0; BATCH],
            bin: [0; BATCH],
            savings_idr: [0; BATCH],
            debt_idr: [0; BATCH],
            harvest_g: [0; BATCH],
        }
    }
}

impl Terms {
    /// The counts of household `j` of the batch, counted if `counted`, with its `flags`
    /// and `participated` bits after the season, whether it `took_part` in a module this
    /// season and whether it adopted or dropped improved practice: what every season,
    /// observed or not, adds.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn count(
        &mut self,
        j: usize,
        counted: bool,
        flags: u8,
        participated: u8,
        took_part: bool,
        adopted: bool,
        disadopted: bool,
    ) {
        let c = u64::from(counted);
        let has = |bit: u8| c * u64::from(flags & bit != 0);
        self.households[j] = c;
        self.adopters[j] = has(flag::IMPROVED);
        self.members[j] = has(flag::COOP_MEMBER);
        self.enterprises[j] = has(flag::ENTERPRISE | flag::SEAWEED);
        self.participants[j] = c * u64::from(took_part);
        self.ever_participants[j] = c * u64::from(participated != 0);
        self.new_adopters[j] = c * u64::from(adopted);
        self.disadopters[j] = c * u64::from(disadopted);
    }

    /// The poverty, consumption and stock terms of household `j` of the batch after an
    /// observed season, counted if `counted` (as [`Accumulator::add`] reads them from its
    /// row and outcome).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn observe(
        &mut self,
        j: usize,
        counted: bool,
        members: u8,
        consumption_pc_idr_month: f32,
        savings_idr: f64,
        debt_idr: f64,
        harvest_kg: f64,
        lines: Lines,
    ) {
        let t = Term::of(members, consumption_pc_idr_month, savings_idr, debt_idr, harvest_kg, lines);
        let c = u64::from(counted);
        self.persons[j] = c * t.persons;
        self.poor_persons[j] = c * t.poor_persons;
        self.food_poor_persons[j] = c * t.food_poor_persons;
        self.gap_fixed[j] = c * t.gap_fixed;
        self.gap_sq_fixed[j] = c * t.gap_sq_fixed;
        self.rupiah_persons[j] = c * t.rupiah_persons;
        self.bin[j] = t.bin;
        self.savings_idr[j] = c * t.savings_idr;
        self.debt_idr[j] = c * t.debt_idr;
        self.harvest_g[j] = c * t.harvest_g;
    }
}

/// The sum of a column of small counts (a batch of them fits a `u64` many times over).
#[inline(always)]
fn sum(x: &[u64; BATCH]) -> u64 {
    x.iter().sum()
}

/// The exact sum of a column of amounts of up to 64 bits, as low and high halves.
#[inline(always)]
fn wide_sum(x: &[u64; BATCH]) -> u128 {
    let low: u64 = x.iter().map(|v| v & 0xFFFF_FFFF).sum();
    let high: u64 = x.iter().map(|v| v >> 32).sum();
    (u128::from(high) << 32) + u128::from(low)
}

impl Accumulator {
    /// Add the counted households of a batch whose terms are `t` (its poverty terms too if
    /// `observed`); the village counts too: of `village` if every household lives there,
    /// else household by household (`villages[j]` is the village of household `j`).
    #[inline(always)]
    pub(crate) fn add_batch(&mut self, t: &Terms, observed: bool, village: Option<u16>, villages: &[u16]) {
        if observed {
            self.households += sum(&t.households);
            self.persons += sum(&t.persons);
            self.poor_persons += sum(&t.poor_persons);
            self.food_poor_persons += sum(&t.food_poor_persons);
            self.gap_fixed += u128::from(sum(&t.gap_fixed));
            self.gap_sq_fixed += u128::from(sum(&t.gap_sq_fixed));
            self.consumption_idr_persons += wide_sum(&t.rupiah_persons);
            self.savings_idr += wide_sum(&t.savings_idr);
            self.debt_idr += wide_sum(&t.debt_idr);
            self.harvest_g += wide_sum(&t.harvest_g);
            self.adopters += sum(&t.adopters);
            self.members += sum(&t.members);
            self.enterprises += sum(&t.enterprises);
            self.participants += sum(&t.participants);
            self.ever_participants += sum(&t.ever_participants);
            for j in 0..BATCH {
                let cell = &mut self.bins[t.bin[j] as usize];
                cell[0] += t.persons[j];
                cell[1] += t.rupiah_persons[j];
            }
        }
        if let Some(v) = village {
            let v = &mut self.villages[usize::from(v)];
            v.households += sum(&t.households) as u32;
            v.adopters += sum(&t.adopters) as u32;
            v.new_adopters += sum(&t.new_adopters) as u32;
            v.disadopters += sum(&t.disadopters) as u32;
            v.members += sum(&t.members) as u32;
            return;
        }
        for (j, &v) in villages.iter().enumerate() {
            let v = &mut self.villages[usize::from(v)];
            v.households += t.households[j] as u32;
            v.adopters += t.adopters[j] as u32;
            v.new_adopters += t.new_adopters[j] as u32;
            v.disadopters += t.disadopters[j] as u32;
            v.members += t.members[j] as u32;
        }
    }
}

/// A metric of `seasons.csv`: its column, unit and meaning, declared once ([`METRICS`]);
/// the output README's table of columns is generated from these ([`columns_markdown`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Metric {
    /// Column of `seasons.csv` (and stem of `summary.csv`'s columns).
    pub name: &'static str,
    /// Unit of its values.
    pub unit: &'static str,
    /// What it measures.
    pub doc: &'static str,
}

/// Every metric, in output order (after `season,year,season_kind`).
pub(crate) const METRICS: [Metric; 22] = [
    Metric {
        name: "p0",
        unit: "share of persons",
        doc: "FGT headcount: persons (each household weighted by its members) below the line `poverty.line_idr_per_capita_month`",
    },
    Metric { name: "p1", unit: "share of the line", doc: "FGT poverty gap of persons" },
    Metric { name: "p2", unit: "share of the line, squared", doc: "FGT squared poverty gap of persons" },
    Metric {
        name: "mean_consumption_pc_idr",
        unit: "rupiah per person per month",
        doc: "mean consumption per person, person-weighted",
    },
    Metric {
        name: "median_consumption_pc_idr",
        unit: "rupiah per person per month",
        doc: "median consumption per person, person-weighted",
    },
    Metric { name: "gini", unit: "0 to 1", doc: "Gini of consumption per person, person-weighted" },
    Metric {
        name: "bottom40_share",
        unit: "share of consumption",
        doc: "share of all consumption held by the poorest 40 % of persons (the World Bank's bottom 40)",
    },
    Metric {
        name: "food_poor_share",
        unit: "share of persons",
        doc: "below the food line (`poverty.food_share` × line)",
    },
    Metric { name: "adopters_share", unit: "share of households", doc: "using improved practice" },
    Metric { name: "coop_members_share", unit: "share of households", doc: "in a working cooperative" },
    Metric {
        name: "enterprises_share",
        unit: "share of households",
        doc: "with a non-farm enterprise or seaweed farm",
    },
    Metric { name: "mean_savings_idr", unit: "rupiah per household", doc: "mean savings" },
    Metric { name: "mean_debt_idr", unit: "rupiah per household", doc: "mean debt" },
    Metric {
        name: "participants",
        unit: "households",
        doc: "taking part in at least one module this season",
    },
    Metric { name: "programme_cost_idr", unit: "rupiah", doc: "cumulative programme cost" },
    Metric {
        name: "mean_maize_yield_t_ha",
        unit: "t/ha",
        doc: "area-weighted maize yield of the wet season's harvest (empty in dry seasons)",
    },
    Metric {
        name: "maize_price_idr_per_kg",
        unit: "rupiah per kg",
        doc: "farm-gate maize price this season",
    },
    Metric { name: "el_nino", unit: "0, 1, 2", doc: "normal year, moderate or strong El Niño" },
    Metric {
        name: "mean_community_readiness",
        unit: "0 to 1",
        doc: "mean community readiness over villages",
    },
    Metric { name: "coop_villages_share", unit: "share of villages", doc: "with a working cooperative" },
    Metric { name: "persons", unit: "persons", doc: "in the simulated population" },
    Metric {
        name: "ever_participants",
        unit: "households",
        doc: "that have taken part in at least one module so far",
    },
];

/// Names of the metrics, in output order (`METRICS`).
pub const NAMES: [&str; METRICS.len()] = {
    let mut names = [""; METRICS.len()];
    let mut i = 0;
    while i < METRICS.len() {
        names[i] = METRICS[i].name;
        i += 1;
    }
    names
};

/// The table of `seasons.csv`'s metric columns (Markdown), as `output/README.md` states it.
pub fn columns_markdown() -> String {
    let mut out = String::from("| column | unit | meaning |\n|---|---|---|\n");
    for m in METRICS {
        out.push_str(&format!("| `{}` | {} | {} |\n", m.name, m.unit, m.doc));
    }
    out
}

/// The metrics of one season of one replication.
#[derive(Clone, Debug, PartialEq)]
pub struct SeasonMetrics {
    /// Season index, 0-based.
    pub season: u32,
    /// Calendar year.
    pub year: u32,
    /// "wet" or "dry".
    pub season_kind: &'static str,
    /// Values in the order of [`NAMES`]; `NaN` where a metric does not apply (yield in the
    /// dry season).
    pub values: [f64; NAMES.len()],
    /// Persons per consumption bin (see `bin_edges_idr`); kept for one season of a
    /// replication only (`Scenario::distribution_season`, default the last), empty otherwise.
    pub distribution: Vec<u64>,
}

impl SeasonMetrics {
    /// The metric called `name` ([`NAMES`]), if there is one.
    pub fn value(&self, name: &str) -> Option<f64> {
        index(name).map(|k| self.values[k])
    }
}

/// Lower and upper edge of consumption bin `i`, rupiah per person per month.
pub(crate) fn bin_edges_idr(i: usize) -> (f64, f64) {
    let edge = |j: u32| f64::from(f32::from_bits((BIN_FIRST + j) << BIN_SHIFT));
    (edge(i as u32), edge(i as u32 + 1))
}

/// Number of consumption bins.
pub(crate) const DISTRIBUTION_BINS: usize = BINS;

/// Land farmed by `households`, m² (each household's land rounded to the m²).
pub(crate) fn land_m2(households: &Households) -> u128 {
    households.iter().map(|h| u128::from(nearest(f64::from(h.land_ha) * 10_000.0))).sum()
}

/// Season-level facts that do not come from households.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SeasonFacts {
    /// Season index.
    pub season: u32,
    /// Land farmed by all households, m² ([`land_m2`]; it does not change).
    pub land_m2: u128,
    /// Calendar year.
    pub year: u32,
    /// "wet" or "dry".
    pub season_kind: &'static str,
    /// Cumulative programme cost, rupiah.
    pub programme_cost_idr: f64,
    /// Maize price, rupiah per kg.
    pub maize_price_idr_per_kg: f64,
    /// 0 none, 1 moderate, 2 strong El Niño.
    pub el_nino: f64,
    /// Mean community readiness over villages.
    pub mean_community_readiness: f64,
    /// Share of villages with a working cooperative.
    pub coop_villages_share: f64,
}

impl Accumulator {
    /// Turn the sums into the season's metrics.
    pub fn finish(&self, facts: SeasonFacts) -> SeasonMetrics {
        let persons = self.persons.max(1) as f64;
        let households = self.households.max(1) as f64;
        let yield_t_ha = if facts.land_m2 > 0 && self.harvest_g > 0 {
            (self.harvest_g as f64 / 1e6) / (facts.land_m2 as f64 / 1e4)
        } else {
            f64::NAN
        };
        let values = [
            self.poor_persons as f64 / persons,
            self.gap_fixed as f64 / FIXED_ONE / persons,
            self.gap_sq_fixed as f64 / FIXED_ONE / persons,
            self.consumption_idr_persons as f64 / persons,
            self.median(),
            self.gini(),
            self.bottom_share(0.4),
            self.food_poor_persons as f64 / persons,
            self.adopters as f64 / households,
            self.members as f64 / households,
            self.enterprises as f64 / households,
            self.savings_idr as f64 / households,
            self.debt_idr as f64 / households,
            self.participants as f64,
            facts.programme_cost_idr,
            yield_t_ha,
            facts.maize_price_idr_per_kg,
            facts.el_nino,
            facts.mean_community_readiness,
            facts.coop_villages_share,
            self.persons as f64,
            self.ever_participants as f64,
        ];
        SeasonMetrics {
            season: facts.season,
            year: facts.year,
            season_kind: facts.season_kind,
            values,
            distribution: Vec::new(),
        }
    }
}

/// Index of metric `name` in [`NAMES`].
pub fn index(name: &str) -> Option<usize> {
    NAMES.iter().position(|n| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector-friendly conversion is `as i64 as u64` wherever it applies.
    #[test]
    fn truncation_is_the_cast() {
        let edges = [
            0.0,
            -0.0,
            1e-320,
            0.25,
            0.5,
            0.499_999_999_999_999_94,
            1.0 - f64::EPSILON / 2.0,
            1.0,
            1.5,
            2.5,
            4_294_967_295.5,
            4_294_967_296.0,
            4_294_967_296.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            4_503_599_627_370_497.0,
            9_007_199_254_740_994.0,
            9_223_372_036_854_774_784.0,
            9_223_372_036_854_775_808.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
        ];
        let check = |x: f64| assert_eq!(truncate(x), x as i64 as u64, "{x:e}");
        edges.iter().copied().for_each(check);
        let mut bits: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            // Every non-negative f64 bit pattern is reachable: a 63-bit xorshift word.
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let x = f64::from_bits(bits >> 1);
            check(x);
            check(x.fract() + (bits >> 12) as f64);
        }
    }

    #[test]
    fn a_column_of_large_amounts_sums_exactly() {
        let mut x = [u64::MAX; BATCH];
        assert_eq!(wide_sum(&x), BATCH as u128 * u128::from(u64::MAX));
        x.iter_mut().enumerate().for_each(|(j, v)| *v = (j as u64) << 40 | 0xFFFF_FFFF);
        let exact: u128 = x.iter().map(|&v| u128::from(v)).sum();
        assert_eq!(wide_sum(&x), exact);
    }

    fn household(members: u8, consumption: f32) -> Household {
        Household { members, consumption_pc_idr_month: consumption, ..Household::default() }
    }

    fn facts() -> SeasonFacts {
        SeasonFacts {
            season: 0,
            land_m2: 10_000,
            year: 2024,
            season_kind: "wet",
            programme_cost_idr: 0.0,
            maize_price_idr_per_kg: 0.0,
            el_nino: 0.0,
            mean_community_readiness: 0.0,
            coop_villages_share: 0.0,
        }
    }

    #[test]
    fn fgt_indices_match_a_hand_computed_case() {
        // Line 100,000. A: 2 persons at 50,000 (gap 0.5); B: 3 persons at 200,000.
        let lines = Lines::new(100_000.0, 60_000.0);
        let mut acc = Accumulator::new(1);
        acc.add_one(&household(2, 50_000.0), lines);
        acc.add_one(&household(3, 200_000.0), lines);
        let m = acc.finish(facts());
        let get = |n| m.values[index(n).unwrap()];
        assert!((get("p0") - 0.4).abs() < 1e-12);
        assert!((get("p1") - 0.2).abs() < 1e-9);
        assert!((get("p2") - 0.1).abs() < 1e-9);
        assert!((get("food_poor_share") - 0.4).abs() < 1e-12);
        assert!((get("mean_consumption_pc_idr") - 140_000.0).abs() < 1e-6);
        assert!((get("median_consumption_pc_idr") - 200_000.0).abs() < 1e-6);
    }

    #[test]
    fn gini_is_zero_for_equality_and_near_the_exact_value_otherwise() {
        let lines = Lines::new(1.0, 1.0);
        let mut equal = Accumulator::new(1);
        for _ in 0..10 {
            equal.add_one(&household(1, 300_000.0), lines);
        }
        assert!(equal.finish(facts()).values[index("gini").unwrap()].abs() < 1e-12);
        // Incomes 1..=100 (× Rp 100,000); exact Gini G = (2 Σ i·y_i)/(n Σ y_i) − (n + 1)/n.
        let mut acc = Accumulator::new(1);
        let n = 100.0;
        let (mut weighted, mut total) = (0.0, 0.0);
        for i in 1..=100 {
            let y = f64::from(i) * 100_000.0;
            weighted += f64::from(i) * y;
            total += y;
            acc.add_one(&household(1, y as f32), lines);
        }
        let exact = 2.0 * weighted / (n * total) - (n + 1.0) / n;
        let g = acc.finish(facts()).values[index("gini").unwrap()];
        assert!((g - exact).abs() < 0.002, "binned {g} vs exact {exact}");
    }

    #[test]
    fn the_bottom_40_share_is_that_of_the_poorest_persons() {
        let lines = Lines::new(1.0, 1.0);
        // Incomes 1..=100 (× Rp 100,000), one person each: the poorest 40 hold
        // (1 + … + 40) / (1 + … + 100) = 820 / 5050.
        let mut acc = Accumulator::new(1);
        for i in 1..=100 {
            acc.add_one(&household(1, i as f32 * 100_000.0), lines);
        }
        let b = acc.finish(facts()).values[index("bottom40_share").unwrap()];
        assert!((b - 820.0 / 5050.0).abs() < 0.002, "binned {b}");
        // Households weigh by their members: one of 4 at Rp 100,000 and one of 6 at
        // Rp 300,000 — the poorest 40 % of persons are exactly the first household.
        let mut acc = Accumulator::new(1);
        acc.add_one(&household(4, 100_000.0), lines);
        acc.add_one(&household(6, 300_000.0), lines);
        let b = acc.finish(facts()).values[index("bottom40_share").unwrap()];
        assert!((b - 400_000.0 / 2_200_000.0).abs() < 1e-9, "{b}");
    }

    #[test]
    fn histogram_bounds_are_the_stated_values() {
        assert_eq!(10_000.0f32.to_bits(), 0x461C_4000);
        assert_eq!(100_000_000.0f32.to_bits(), 0x4CBE_BC20);
    }

    #[test]
    fn merging_in_any_grouping_gives_the_same_sums() {
        let lines = Lines::new(527_275.0, 400_000.0);
        let hh: Vec<Household> =
            (0..1000).map(|i| household((i % 7 + 1) as u8, 100_000.0 + 1234.5 * i as f32)).collect();
        let sum = |chunk: usize| {
            hh.chunks(chunk)
                .map(|c| {
                    let mut a = Accumulator::new(1);
                    c.iter().for_each(|h| a.add_one(h, lines));
                    a
                })
                .fold(Accumulator::new(1), Accumulator::merge)
                .finish(facts())
        };
        assert_eq!(sum(1).values.map(f64::to_bits), sum(333).values.map(f64::to_bits));
    }
}
