//! What the virtual trial measures on each household in each season: the outcomes, the
//! groups households fall into, and how long since their programme began.

use crate::metrics::Lines;
use crate::model::household::{Flows, Household, flag, module};

/// Outcomes measured on every household, in the order of [`OUTCOMES`].
pub(crate) const N_OUTCOMES: usize = 17;

/// One outcome: CSV name, unit, and whether it is measured in wet seasons only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Name in `trial.csv`.
    pub name: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Measured in wet seasons only (the maize yield).
    pub wet_only: bool,
}

const fn o(name: &'static str, unit: &'static str) -> Outcome {
    Outcome { name, unit, wet_only: false }
}

/// Every outcome of the trial.
pub(crate) const OUTCOMES: [Outcome; N_OUTCOMES] = [
    o("consumption_pc", "idr_per_person_month"),
    o("income", "idr_per_month"),
    o("income_maize", "idr_per_month"),
    o("income_cattle", "idr_per_month"),
    o("income_seaweed", "idr_per_month"),
    o("income_wages", "idr_per_month"),
    o("enterprise_profit", "idr_per_month"),
    Outcome { name: "maize_yield", unit: "t_per_ha", wet_only: true },
    o("savings", "idr"),
    o("debt", "idr"),
    o("interest", "idr_per_month"),
    o("cattle", "head"),
    o("runs_enterprise", "share"),
    o("improved_practice", "share"),
    o("coop_member", "share"),
    o("poor", "share"),
    o("poverty_gap", "share_of_line"),
];

/// The outcomes of one household after a season of `months` months.
#[inline]
pub(crate) fn measure(h: &Household, f: &Flows, months: f64, lines: &Lines) -> [f64; N_OUTCOMES] {
    let c = f64::from(h.consumption_pc_idr_month);
    let gap = ((lines.poverty_idr - c) * lines.inverse_poverty_idr).max(0.0);
    let per_month = 1.0 / months;
    let i = f.income_idr.map(|x| f64::from(x) * per_month);
    let yield_t_ha =
        if h.land_ha > 0.0 { f64::from(f.harvest_kg) / 1000.0 / f64::from(h.land_ha) } else { 0.0 };
    let share = |bit: u8| f64::from(u8::from(h.has(bit)));
    [
        c,
        i[0] + i[1] + i[2] + i[3] + i[4],
        i[0],
        i[1],
        i[2],
        i[3],
        i[4],
        yield_t_ha,
        h.savings_idr,
        h.debt_idr,
        f64::from(f.interest_idr) * per_month,
        f64::from(h.cattle_head),
        share(flag::ENTERPRISE),
        share(flag::IMPROVED),
        share(flag::COOP_MEMBER),
        f64::from(u8::from(c < lines.poverty_idr)),
        gap,
    ]
}

/// The modules, in the order of their bits ([`module`]).
pub(crate) const MODULES: [(&str, u8); 4] = [
    ("production_training", module::PRODUCTION),
    ("cooperative", module::COOPERATIVE),
    ("entrepreneurship", module::ENTREPRENEURSHIP),
    ("financial_management", module::FINANCE),
];

/// Index of entrepreneurship in [`MODULES`] (and of its participants in [`GROUPS`]).
pub(crate) const ENTREPRENEURSHIP: usize = 2;

/// The groups of the virtual trial: participants of each module, of any module,
/// non-participants in villages with participants (spillover), everyone else, and the
/// entrepreneurship participants who ran an enterprise when the observed run began.
pub(crate) const GROUPS: [(&str, &str); 8] = [
    ("production_training", "participants"),
    ("cooperative", "participants"),
    ("entrepreneurship", "participants"),
    ("financial_management", "participants"),
    ("any", "participants"),
    ("any", "spillover"),
    ("any", "elsewhere"),
    ("entrepreneurship", "participants_with_enterprise"),
];

/// Index of the "any module" participants in [`GROUPS`].
pub(crate) const ANY: usize = 4;
/// Index of the spillover group.
pub(crate) const SPILLOVER: usize = 5;
/// Index of the households elsewhere.
pub(crate) const ELSEWHERE: usize = 6;
/// Index of the entrepreneurship participants who ran an enterprise at the start of the
/// observed run (the firms business training is usually measured on).
pub(crate) const OWNERS: usize = 7;

/// Horizons: years 1, 2, 3 and 5 since the start, and the whole run from the start.
pub(crate) const HORIZONS: [&str; 5] = ["1", "2", "3", "5", "run"];

/// True if a season `seasons_since` seasons after the start (0 = the start season) falls in
/// horizon `h` of [`HORIZONS`]: year k is seasons 2k − 2 and 2k − 1 after the start.
#[inline]
pub(crate) fn in_horizon(h: usize, seasons_since: usize) -> bool {
    match HORIZONS[h] {
        "run" => true,
        year => year.parse::<usize>().is_ok_and(|k| seasons_since / 2 + 1 == k),
    }
}

/// Dimensions of "for whom": each household belongs to one level of each, fixed at the
/// start of the observed run except participation.
pub(crate) const DIMENSIONS: [(&str, &[&str]); 6] = [
    ("initial_poverty", &["poor", "near_poor", "non_poor"]),
    ("location", &["coastal", "inland"]),
    ("land_tercile", &["1", "2", "3"]),
    ("household_size_tercile", &["1", "2", "3"]),
    ("village_readiness_tercile", &["1", "2", "3"]),
    ("participation", &["participant", "non_participant"]),
];

/// Levels over all dimensions.
pub(crate) const N_LEVELS: usize = 16;

/// Cells: one level of every dimension (3 × 2 × 3 × 3 × 3 × 2).
pub(crate) const N_CELLS: usize = 324;

/// The cell of a household with `levels` (the level within each dimension, 0-based).
#[inline]
pub(crate) fn cell(levels: [u8; 6]) -> usize {
    let mut c = 0;
    for (d, &l) in levels.iter().enumerate() {
        c = c * DIMENSIONS[d].1.len() + usize::from(l);
    }
    c
}

/// The level (index among all [`N_LEVELS`]) of every dimension of `cell`.
pub(crate) fn cell_levels(mut cell: usize) -> [usize; 6] {
    let mut levels = [0; 6];
    for d in (0..DIMENSIONS.len()).rev() {
        let n = DIMENSIONS[d].1.len();
        levels[d] = level_offset(d) + cell % n;
        cell /= n;
    }
    levels
}

/// Offset of each dimension's first level among the [`N_LEVELS`].
pub(crate) const fn level_offset(dimension: usize) -> usize {
    let mut offset = 0;
    let mut d = 0;
    while d < dimension {
        offset += DIMENSIONS[d].1.len();
        d += 1;
    }
    offset
}

/// Near-poor: consumption per person up to this multiple of the poverty line.
pub(crate) const NEAR_POOR_MULTIPLE: f64 = 1.25;

/// Tercile (0, 1, 2) of `x` given the two cut points (values at the 1/3 and 2/3 quantiles).
#[inline]
pub(crate) fn tercile(x: f64, cuts: [f64; 2]) -> u8 {
    u8::from(x > cuts[0]) + u8::from(x > cuts[1])
}

/// Cut points of the terciles of `values`: the values at ranks n/3 and 2n/3 of the sorted
/// values (a tercile is "at most the cut", so ties stay together).
pub(crate) fn tercile_cuts(mut values: Vec<f64>) -> [f64; 2] {
    if values.is_empty() {
        return [0.0, 0.0];
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let at = |q: usize| values[(q * n / 3).saturating_sub(1).min(n - 1)];
    [at(1), at(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_cover_years_one_two_three_five_and_the_run() {
        let set = |s| (0..HORIZONS.len()).filter(|&h| in_horizon(h, s)).collect::<Vec<_>>();
        assert_eq!(set(0), [0, 4]);
        assert_eq!(set(1), [0, 4]);
        assert_eq!(set(2), [1, 4]);
        assert_eq!(set(3), [1, 4]);
        assert_eq!(set(4), [2, 4]);
        assert_eq!(set(5), [2, 4]);
        assert_eq!(set(6), [4]);
        assert_eq!(set(8), [3, 4]);
        assert_eq!(set(9), [3, 4]);
        assert_eq!(set(10), [4]);
    }

    #[test]
    fn cells_hold_one_level_of_every_dimension() {
        let mut seen = [0; N_LEVELS];
        for c in 0..N_CELLS {
            for l in cell_levels(c) {
                seen[l] += 1;
            }
        }
        for (d, (_, levels)) in DIMENSIONS.iter().enumerate() {
            for l in 0..levels.len() {
                assert_eq!(seen[level_offset(d) + l], N_CELLS / levels.len());
            }
        }
        assert_eq!(cell_levels(cell([2, 1, 0, 2, 1, 1])), [2, 4, 5, 10, 12, 15]);
    }

    #[test]
    fn terciles_split_values_in_three_and_keep_ties_together() {
        let cuts = tercile_cuts((1..=9).map(f64::from).collect());
        assert_eq!(cuts, [3.0, 6.0]);
        let counts = (1..=9).fold([0; 3], |mut c, x| {
            c[usize::from(tercile(f64::from(x), cuts))] += 1;
            c
        });
        assert_eq!(counts, [3, 3, 3]);
        let ties = tercile_cuts(vec![2.0; 7]);
        assert_eq!(tercile(2.0, ties), 0);
    }

    #[test]
    fn level_offsets_follow_the_dimensions() {
        assert_eq!(level_offset(0), 0);
        assert_eq!(level_offset(1), 3);
        assert_eq!(level_offset(5), 14);
        assert_eq!(level_offset(6), N_LEVELS);
    }
}
