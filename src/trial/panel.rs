//! Households followed one by one through a replication: each household of the programme
//! world beside its twin in the counterfactual world (the same household, the same random
//! numbers, no programme), season by season.

use super::outcomes::{
    ANY, ELSEWHERE, ENTREPRENEURSHIP, MODULES, N_OUTCOMES, NEAR_POOR_MULTIPLE, OWNERS, SPILLOVER, cell,
    measure, tercile, tercile_cuts,
};
use super::sums::{Dynamics, TrialSums, Work};
use crate::engine::World;
use crate::metrics::Lines;
use crate::model::household::{Household, flag};
use crate::model::households::Households;

/// No season yet.
const NEVER: u32 = u32::MAX;
/// Poverty dynamics: seasons out of poverty that make an exit last (two years).
const LASTING_SEASONS: u8 = 4;

/// One household's poverty spells in one world.
#[derive(Clone, Copy, Debug, Default)]
struct Spell {
    poor_seasons: u32,
    seasons_out: u8,
    was_poor: bool,
    been_poor: bool,
    lasting_exit: bool,
}

impl Spell {
    fn start(poor: bool) -> Self {
        Self { was_poor: poor, been_poor: poor, ..Self::default() }
    }

    /// Record a season; adds entries, exits and lasting exits (persons) to `d`.
    #[inline]
    fn season(&mut self, poor: bool, persons: f64, d: &mut Dynamics) {
        d.entries += persons * f64::from(u8::from(poor & !self.was_poor));
        d.exits += persons * f64::from(u8::from(!poor & self.was_poor));
        if poor {
            self.poor_seasons += 1;
            self.seasons_out = 0;
            self.been_poor = true;
        } else {
            self.seasons_out = self.seasons_out.saturating_add(1);
            if self.been_poor && !self.lasting_exit && self.seasons_out >= LASTING_SEASONS {
                self.lasting_exit = true;
                d.lasting_exits += persons;
            }
        }
        self.was_poor = poor;
    }

    fn finish(&self, seasons: u32, persons: f64, d: &mut Dynamics) {
        let poor = self.poor_seasons;
        if poor == 0 {
            d.never += persons;
        } else if 2 * poor > seasons {
            d.chronic += persons;
        } else {
            d.transient += persons;
        }
    }
}

/// Bytes a followed household takes in a [`Panel`] (for the memory guard).
pub(super) const FOLLOWED_BYTES: usize = std::mem::size_of::<Followed>();

/// What a household keeps while it is followed.
#[derive(Clone, Copy, Debug)]
struct Followed {
    /// "For whom" cell as a participant (the fixed dimensions; a non-participant's cell is
    /// the next one).
    cell: u16,
    /// Module bits it has taken part in so far (programme world).
    seen: u8,
    /// Season of first participation per module and in any module.
    first: [u32; 5],
    /// Arm of the randomised trial: 0 outside it, 1 invited, 2 eligible but not invited.
    arm: u8,
    /// Ran an enterprise when it first took part in entrepreneurship training (its twin
    /// without the programme runs one at the end of that season).
    owner: bool,
    spells: [Spell; 2],
}

/// A replication's households followed in the programme world and its counterfactual.
pub(crate) struct Panel {
    households: Vec<Followed>,
    /// Per village: first season with a participant.
    village_first: Vec<u32>,
    /// First season with any participant.
    programme_first: u32,
    /// First season with a lottery (the randomised trial's start).
    lottery_first: u32,
    /// Observed seasons so far.
    seasons: u32,
    /// With a programme world (false: one world, dynamics only).
    paired: bool,
    lines: Lines,
    work: Work,
    dynamics: [Dynamics; 2],
}

impl Panel {
    /// Start following the households of `world` (both worlds are still the same at the
    /// start of the observed run, before the programme acts).
    pub(crate) fn new(world: &World, lines: Lines, paired: bool, seasons: u32) -> Self {
        let rows = world.households.to_rows();
        let land = tercile_cuts(rows.iter().map(|h| f64::from(h.land_ha)).collect());
        let size = tercile_cuts(rows.iter().map(|h| f64::from(h.members)).collect());
        let readiness_of = |h: &Household| {
            f64::from(world.villages.readiness[usize::from(h.village)]) + f64::from(h.readiness_offset)
        };
        let readiness = tercile_cuts(rows.iter().map(readiness_of).collect());
        let mut work = Work::new(seasons);
        let mut dynamics = [Dynamics::default(); 2];
        let households = rows
            .iter()
            .map(|h| {
                let c = f64::from(h.consumption_pc_idr_month);
                let poverty = if c < lines.poverty_idr {
                    0
                } else if c < lines.poverty_idr * NEAR_POOR_MULTIPLE {
                    1
                } else {
                    2
                };
                let levels = [
                    poverty,
                    u8::from(!h.has(flag::COASTAL)),
                    tercile(f64::from(h.land_ha), land),
                    tercile(f64::from(h.members), size),
                    tercile(readiness_of(h), readiness),
                    0,
                ];
                let cell = cell(levels);
                work.cells[cell].households += 1.0;
                let persons = f64::from(h.members);
                for d in &mut dynamics {
                    d.persons += persons;
                }
                let poor = c < lines.poverty_idr;
                Followed {
                    cell: cell as u16,
                    seen: 0,
                    first: [NEVER; 5],
                    arm: 0,
                    owner: false,
                    spells: [Spell::start(poor); 2],
                }
            })
            .collect();
        Self {
            households,
            village_first: vec![NEVER; world.villages.len()],
            programme_first: NEVER,
            lottery_first: NEVER,
            seasons: 0,
            paired,
            lines,
            work,
            dynamics,
        }
    }

    /// Observe observed season `season` of `months` months against the season's `lines`:
    /// `programme` (with its flows) and, when paired, its `counterfactual`.
    pub(crate) fn observe(
        &mut self,
        season: u32,
        months: f64,
        wet: bool,
        lines: Lines,
        programme: &World,
        counterfactual: Option<&World>,
    ) {
        self.seasons += 1;
        self.lines = lines;
        if !self.paired {
            self.observe_dynamics(&programme.households, 0);
            return;
        }
        let cf = counterfactual.expect("a paired panel observes two worlds");
        self.follow_participation(season, programme, cf);
        self.follow_lotteries(season, programme);
        let (pf, cff) = (
            programme.flows.as_deref().expect("the programme world is followed"),
            cf.flows.as_deref().expect("the counterfactual world is followed"),
        );
        let lines = self.lines;
        let twins = programme.households.iter().zip(cf.households.iter());
        for ((i, f), (hp, hc)) in self.households.iter_mut().enumerate().zip(twins) {
            let (hp, hc) = (&hp, &hc);
            let mp = measure(hp, &pf[i], months, &lines);
            // Twins the programme has not touched are equal: measured once.
            let same = hp == hc && pf[i] == cff[i];
            let mc = if same { mp } else { measure(hc, &cff[i], months, &lines) };
            let village_first = self.village_first[usize::from(hp.village)];
            add_exact(&mut self.work, f, village_first, self.programme_first, season, wet, same, &mp, &mc);
            if f.arm != 0 && self.lottery_first <= season {
                let arm = &mut self.work.arms[usize::from(f.arm - 1)][(season - self.lottery_first) as usize];
                arm.add(wet, f.seen != 0, &mp);
            }
            add_levels(&mut self.work, f, hp, [&mp, &mc]);
            let persons = f64::from(hp.members);
            f.spells[0].season(mp[POOR] > 0.0, persons, &mut self.dynamics[0]);
            f.spells[1].season(mc[POOR] > 0.0, persons, &mut self.dynamics[1]);
        }
    }

    fn observe_dynamics(&mut self, rows: &Households, world: usize) {
        let line = self.lines.poverty_idr;
        for (f, h) in self.households.iter_mut().zip(rows.iter()) {
            let poor = f64::from(h.consumption_pc_idr_month) < line;
            f.spells[world].season(poor, f64::from(h.members), &mut self.dynamics[world]);
        }
    }

    /// First participation of this season's entrants, their villages and the programme
    /// (before the sums, so that a village's first participant counts for all its
    /// households).
    fn follow_participation(&mut self, season: u32, programme: &World, counterfactual: &World) {
        for &id in &programme.entrants {
            let (f, h) = (&mut self.households[id as usize], programme.households.get(id as usize));
            let new = h.participated & !f.seen;
            if new == 0 {
                continue;
            }
            for (m, &(_, bit)) in MODULES.iter().enumerate() {
                if new & bit != 0 {
                    f.first[m] = season;
                }
            }
            if new & MODULES[ENTREPRENEURSHIP].1 != 0 {
                f.owner = counterfactual.households.get(id as usize).has(flag::ENTERPRISE);
            }
            if f.seen == 0 {
                f.first[ANY] = season;
                let v = &mut self.village_first[usize::from(h.village)];
                *v = (*v).min(season);
                self.programme_first = self.programme_first.min(season);
            }
            f.seen |= h.participated;
        }
    }

    /// The randomised trial's arms, from the first season with a lottery: the invited
    /// households, and as many of the eligible households not invited, taken at even steps
    /// through them (a systematic sample, as a survey of the control arm would be).
    fn follow_lotteries(&mut self, season: u32, programme: &World) {
        if self.lottery_first != NEVER || programme.lotteries.is_empty() {
            return;
        }
        self.lottery_first = season;
        let mut eligible = vec![false; self.households.len()];
        for (_, lottery) in &programme.lotteries {
            for &id in &lottery.eligible {
                eligible[id as usize] = true;
            }
            for &id in &lottery.invited {
                self.households[id as usize].arm = 1;
            }
        }
        let invited = self.households.iter().filter(|f| f.arm == 1).count();
        let control: Vec<usize> =
            (0..self.households.len()).filter(|&i| eligible[i] && self.households[i].arm == 0).collect();
        if invited == 0 {
            return;
        }
        let step = (control.len() / invited).max(1);
        for &i in control.iter().step_by(step).take(invited) {
            self.households[i].arm = 2;
        }
    }

    /// True once the randomised trial's arms are drawn: later lotteries are not needed.
    pub(crate) fn has_arms(&self) -> bool {
        self.lottery_first != NEVER
    }

    /// Close the replication of the programme world `world`: chronic and transient poverty.
    pub(crate) fn finish(mut self, world: &World) -> TrialSums {
        let worlds = if self.paired { 2 } else { 1 };
        for (f, h) in self.households.iter().zip(world.households.iter()) {
            for w in 0..worlds {
                f.spells[w].finish(self.seasons, f64::from(h.members), &mut self.dynamics[w]);
            }
        }
        for d in &mut self.dynamics {
            d.seasons = f64::from(self.seasons);
        }
        self.work.fold(self.dynamics, world.enrolments as f64)
    }
}

/// Index of the poverty indicator among the outcomes.
const POOR: usize = N_OUTCOMES - 2;
/// Index of the poverty gap.
const GAP: usize = N_OUTCOMES - 1;
/// Index of consumption per person.
const CONSUMPTION: usize = 0;

/// Add a household's twin difference to its group(s), by seasons since the group began:
/// participants from their own first participation (per module and in any), spillover
/// households from their village's first, households elsewhere from the programme's first.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn add_exact(
    work: &mut Work,
    f: &Followed,
    village_first: u32,
    programme_first: u32,
    season: u32,
    wet: bool,
    same: bool,
    programme: &[f64; N_OUTCOMES],
    counterfactual: &[f64; N_OUTCOMES],
) {
    if f.seen != 0 {
        for (m, &(_, bit)) in MODULES.iter().enumerate() {
            if f.seen & bit != 0 {
                work.exact[m][(season - f.first[m]) as usize].add(wet, same, programme, counterfactual);
            }
        }
        work.exact[ANY][(season - f.first[ANY]) as usize].add(wet, same, programme, counterfactual);
        if f.owner && f.seen & MODULES[ENTREPRENEURSHIP].1 != 0 {
            let first = f.first[ENTREPRENEURSHIP];
            work.exact[OWNERS][(season - first) as usize].add(wet, same, programme, counterfactual);
        }
        return;
    }
    let (group, start) =
        if village_first <= season { (SPILLOVER, village_first) } else { (ELSEWHERE, programme_first) };
    if start <= season {
        work.exact[group][(season - start) as usize].add(wet, same, programme, counterfactual);
    }
}

/// Add a household's poverty in both worlds to its "for whom" cell.
#[inline]
fn add_levels(work: &mut Work, f: &Followed, h: &Household, worlds: [&[f64; N_OUTCOMES]; 2]) {
    let persons = f64::from(h.members);
    let cell = &mut work.cells[usize::from(f.cell) + usize::from(f.seen == 0)];
    cell.persons += persons;
    for (w, m) in worlds.iter().enumerate() {
        let gap = m[GAP];
        let x = &mut cell.worlds[w];
        x[0] += persons * m[POOR];
        x[1] += persons * gap;
        x[2] += persons * gap * gap;
        x[3] += persons * m[CONSUMPTION];
    }
}
