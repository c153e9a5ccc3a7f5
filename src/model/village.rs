//! Villages: community readiness, the cooperative and the peer signal.
//!
//! Village state changes only between household phases: programme delivery may form or
//! strengthen a cooperative before the households move, and [`Villages::update`] folds the
//! households' results into readiness and cooperative survival after they have moved.

use crate::params::Params;
use crate::rng::{Purpose, RunKey, hazard, unit};

/// Per-village counts gathered from the household phase (integers, so their sum does not
/// depend on how the work was split).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VillageCounts {
    /// Households in the village.
    pub households: u32,
    /// Households using improved practice after the season.
    pub adopters: u32,
    /// Households that adopted this season.
    pub new_adopters: u32,
    /// Households that dropped improved practice this season.
    pub disadopters: u32,
    /// Cooperative members after the season.
    pub members: u32,
}

impl VillageCounts {
    /// Add `other` into `self`.
    pub fn add(&mut self, other: &Self) {
        self.households += other.households;
        self.adopters += other.adopters;
        self.new_adopters += other.new_adopters;
        self.disadopters += other.disadopters;
        self.members += other.members;
    }
}

/// All villages, as columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Villages {
    /// Community readiness in [0, 1].
    pub readiness: Vec<f32>,
    /// Readiness at the start, which readiness drifts back toward.
    pub initial_readiness: Vec<f32>,
    /// Share of households using improved practice.
    pub adopter_share: Vec<f32>,
    /// A cooperative works in the village.
    pub coop_exists: Vec<bool>,
    /// Governance quality of the cooperative in [0, 1].
    pub governance: Vec<f32>,
}

impl Villages {
    /// Number of villages.
    pub fn len(&self) -> usize {
        self.readiness.len()
    }

    /// True if there are no villages.
    pub fn is_empty(&self) -> bool {
        self.readiness.is_empty()
    }

    /// Form a cooperative in `v` if there is none, and strengthen its governance by `boost`.
    pub(crate) fn support_cooperative(&mut self, v: usize, initial_governance: f64, boost: f64) {
        if !self.coop_exists[v] {
            self.coop_exists[v] = true;
            self.governance[v] = initial_governance as f32;
        }
        self.governance[v] = (f64::from(self.governance[v]) + boost).min(1.0) as f32;
    }

    /// Fold one season's household results into the villages.
    pub fn update(&mut self, counts: &[VillageCounts], params: &Params, run: RunKey, season: u32) {
        let r = &params.readiness;
        let c = &params.cooperative;
        let years = params.months(crate::params::SeasonKind::of(season)) / 12.0;
        for (v, n) in counts.iter().enumerate() {
            let households = f64::from(n.households.max(1));
            self.adopter_share[v] = (f64::from(n.adopters) / households) as f32;
            let signal = (f64::from(n.new_adopters) - f64::from(n.disadopters)) / households;
            let now = f64::from(self.readiness[v]);
            let pull = r.reversion_per_season * (f64::from(self.initial_readiness[v]) - now);
            self.readiness[v] = (now + r.learning_rate * signal + pull).clamp(0.0, 1.0) as f32;
            let u = unit(run.block(season, Purpose::Village, v as u32)[0]);
            if !self.coop_exists[v] {
                if u < hazard(c.formation_per_year * now * years) {
                    self.coop_exists[v] = true;
                    self.governance[v] = c.initial_governance as f32;
                }
                continue;
            }
            let governance = f64::from(self.governance[v]) * (1.0 - c.governance_decay_per_year).powf(years);
            self.governance[v] = governance as f32;
            let rate = c.collapse_per_year * years * (1.0 - governance) * (1.0 - now);
            if u < hazard(rate) {
                self.coop_exists[v] = false;
                self.governance[v] = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(readiness: f32, coop: bool, governance: f32) -> Villages {
        Villages {
            readiness: vec![readiness],
            initial_readiness: vec![readiness],
            adopter_share: vec![0.0],
            coop_exists: vec![coop],
            governance: vec![governance],
        }
    }

    #[test]
    fn readiness_rises_with_adoption_and_falls_with_dis_adoption() {
        let params = Params::default();
        let run = RunKey { seed: 1, replication: 0 };
        let gain =
            VillageCounts { households: 100, adopters: 40, new_adopters: 10, disadopters: 0, members: 0 };
        let loss = VillageCounts { new_adopters: 0, disadopters: 10, ..gain };
        let mut up = one(0.4, false, 0.0);
        up.update(&[gain], &params, run, 0);
        let mut down = one(0.4, false, 0.0);
        down.update(&[loss], &params, run, 0);
        assert!(up.readiness[0] > 0.4 && down.readiness[0] < 0.4);
        assert_eq!(up.adopter_share[0], 0.4);
    }

    #[test]
    fn well_governed_cooperatives_in_ready_villages_survive() {
        let params = Params::default();
        let counts = [VillageCounts { households: 100, ..VillageCounts::default() }];
        let mut survived = 0;
        for seed in 0..200 {
            let mut v = one(1.0, true, 1.0);
            v.update(&counts, &params, RunKey { seed, replication: 0 }, 1);
            survived += u32::from(v.coop_exists[0]);
        }
        assert_eq!(survived, 200, "collapse hazard is zero at readiness 1");
        let mut collapsed = 0;
        for seed in 0..200 {
            let mut v = one(0.0, true, 0.0);
            v.update(&counts, &params, RunKey { seed, replication: 0 }, 1);
            collapsed += u32::from(!v.coop_exists[0]);
        }
        assert!(collapsed > 10, "unready, ungoverned cooperatives collapse: {collapsed} of 200");
    }
}
