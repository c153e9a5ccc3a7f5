//! The sums one replication of the virtual trial adds up, season by season, household by
//! household (in household order, so the floating-point sums are the same at any thread
//! count).

use super::outcomes::{GROUPS, HORIZONS, N_CELLS, N_LEVELS, N_OUTCOMES, cell_levels, in_horizon};

/// Twin differences of one group at one horizon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Exact {
    /// Household-seasons.
    pub n: f64,
    /// Household-seasons in wet seasons (the maize yield's denominator).
    pub n_wet: f64,
    /// Programme world minus counterfactual, per outcome.
    pub diff: [f64; N_OUTCOMES],
    /// Counterfactual level, per outcome.
    pub counterfactual: [f64; N_OUTCOMES],
}

impl Default for Exact {
    fn default() -> Self {
        Self { n: 0.0, n_wet: 0.0, diff: [0.0; N_OUTCOMES], counterfactual: [0.0; N_OUTCOMES] }
    }
}

impl Exact {
    /// Add a household whose outcomes are `programme` and `counterfactual` (equal when
    /// `same`: the difference is then zero and not added).
    #[inline(always)]
    pub(crate) fn add(
        &mut self,
        wet: bool,
        same: bool,
        programme: &[f64; N_OUTCOMES],
        counterfactual: &[f64; N_OUTCOMES],
    ) {
        self.n += 1.0;
        self.n_wet += f64::from(u8::from(wet));
        if !same {
            for ((d, p), c) in self.diff.iter_mut().zip(programme).zip(counterfactual) {
                *d += p - c;
            }
        }
        for (a, c) in self.counterfactual.iter_mut().zip(counterfactual) {
            *a += c;
        }
    }

    fn merge(&mut self, b: &Self) {
        self.n += b.n;
        self.n_wet += b.n_wet;
        add_all(&mut self.diff, &b.diff);
        add_all(&mut self.counterfactual, &b.counterfactual);
    }
}

/// `a += b` element by element.
fn add_all<const N: usize>(a: &mut [f64; N], b: &[f64; N]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Levels of one arm of the randomised trial (invited or not) at one horizon, in the
/// programme world.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Arm {
    /// Household-seasons.
    pub n: f64,
    /// Household-seasons in wet seasons.
    pub n_wet: f64,
    /// Sum of each outcome.
    pub level: [f64; N_OUTCOMES],
    /// Household-seasons of households that had taken part in a module by then.
    pub took_part: f64,
}

impl Default for Arm {
    fn default() -> Self {
        Self { n: 0.0, n_wet: 0.0, level: [0.0; N_OUTCOMES], took_part: 0.0 }
    }
}

impl Arm {
    /// Add a household with outcomes `m`.
    #[inline(always)]
    pub(crate) fn add(&mut self, wet: bool, took_part: bool, m: &[f64; N_OUTCOMES]) {
        self.n += 1.0;
        self.n_wet += f64::from(u8::from(wet));
        self.took_part += f64::from(u8::from(took_part));
        for (a, x) in self.level.iter_mut().zip(m) {
            *a += x;
        }
    }

    fn merge(&mut self, b: &Self) {
        self.n += b.n;
        self.n_wet += b.n_wet;
        self.took_part += b.took_part;
        add_all(&mut self.level, &b.level);
    }
}

/// Person-weighted poverty sums of one "for whom" level (or cell: one level of every
/// dimension) in both worlds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Level {
    /// Person-seasons.
    pub persons: f64,
    /// Households (counted at the start of the observed run, without participation).
    pub households: f64,
    /// Per world (programme, counterfactual): poor persons, poverty gap (share of the line)
    /// × persons, squared gap × persons, consumption per person × persons.
    pub worlds: [[f64; 4]; 2],
}

/// Poverty dynamics of one world over one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Dynamics {
    /// Persons in the population.
    pub persons: f64,
    /// Observed seasons.
    pub seasons: f64,
    /// Persons entering poverty, summed over seasons.
    pub entries: f64,
    /// Persons leaving poverty, summed over seasons.
    pub exits: f64,
    /// Persons poor in more than half of the observed seasons (chronic).
    pub chronic: f64,
    /// Persons poor in at least one but at most half of the seasons (transient).
    pub transient: f64,
    /// Persons never poor in the observed seasons.
    pub never: f64,
    /// Persons who were poor and then out of poverty for at least two years (four seasons)
    /// in a row, counted once each.
    pub lasting_exits: f64,
}

/// What a replication adds up while it runs: by season since each group's start, and by
/// "for whom" cell (one level of every dimension, [`cell_levels`]).
#[derive(Clone, Debug)]
pub(crate) struct Work {
    pub(crate) exact: Vec<Vec<Exact>>,
    pub(crate) arms: [Vec<Arm>; 2],
    pub(crate) cells: Vec<Level>,
}

impl Work {
    /// Empty sums for a run of `seasons` observed seasons.
    pub(crate) fn new(seasons: u32) -> Self {
        let seasons = seasons as usize;
        Self {
            exact: vec![vec![Exact::default(); seasons]; GROUPS.len()],
            arms: [vec![Arm::default(); seasons], vec![Arm::default(); seasons]],
            cells: vec![Level::default(); N_CELLS],
        }
    }

    /// The sums by horizon and level.
    pub(crate) fn fold(&self, dynamics: [Dynamics; 2], enrolments: f64) -> TrialSums {
        let by_horizon = |seasons: &[Exact]| -> [Exact; HORIZONS.len()] {
            std::array::from_fn(|h| {
                let mut out = Exact::default();
                seasons.iter().enumerate().filter(|(s, _)| in_horizon(h, *s)).for_each(|(_, b)| out.merge(b));
                out
            })
        };
        let arm_by_horizon = |seasons: &[Arm]| -> [Arm; HORIZONS.len()] {
            std::array::from_fn(|h| {
                let mut out = Arm::default();
                seasons.iter().enumerate().filter(|(s, _)| in_horizon(h, *s)).for_each(|(_, b)| out.merge(b));
                out
            })
        };
        let mut levels = vec![Level::default(); N_LEVELS];
        for (c, cell) in self.cells.iter().enumerate() {
            for l in cell_levels(c) {
                let level = &mut levels[l];
                level.persons += cell.persons;
                level.households += cell.households;
                for (a, b) in level.worlds.iter_mut().zip(&cell.worlds) {
                    add_all(a, b);
                }
            }
        }
        TrialSums {
            exact: self.exact.iter().map(|g| by_horizon(g)).collect(),
            arms: [arm_by_horizon(&self.arms[0]), arm_by_horizon(&self.arms[1])],
            levels,
            dynamics,
            enrolments,
        }
    }
}

/// Everything one replication of a programme and its counterfactual adds up.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialSums {
    /// Twin differences by group ([`GROUPS`]) and horizon ([`HORIZONS`]).
    pub(crate) exact: Vec<[Exact; HORIZONS.len()]>,
    /// The randomised trial's arms (invited, a sample of the eligible not invited) by
    /// horizon since the first season with a lottery; empty where there is no lottery.
    pub(crate) arms: [[Arm; HORIZONS.len()]; 2],
    /// "For whom" levels ([`super::DIMENSIONS`], in order).
    pub(crate) levels: Vec<Level>,
    /// Poverty dynamics of the programme world and of the counterfactual.
    pub(crate) dynamics: [Dynamics; 2],
    /// Enrolments (a household in two interventions counts twice).
    pub enrolments: f64,
}

impl TrialSums {
    /// The sums of a world followed alone: its dynamics.
    pub(crate) fn dynamics_only(d: Dynamics) -> Self {
        Work::new(0).fold([d, Dynamics::default()], 0.0)
    }
}
