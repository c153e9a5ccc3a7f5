//! What the literature says each module does to its participants (and, where it says so, to
//! their neighbours), declared once: the range
//! every module's virtual-trial effect is checked against (the report's "The modules as
//! trials" table and `tests/it/evidence.rs`).

/// How a claim's effect is read from `trial.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// The effect relative to the twins' level, inside `[low, high]` at every horizon.
    Relative {
        /// Smallest effect the evidence supports.
        low: f64,
        /// Largest.
        high: f64,
    },
    /// The effect in the outcome's own unit, inside `[low, high]` at every horizon.
    Absolute {
        /// Smallest effect the evidence supports.
        low: f64,
        /// Largest.
        high: f64,
    },
    /// The relative effect at every horizon at most `share` of its largest at years 1–2.
    FadesTo {
        /// The largest share of the peak left.
        share: f64,
    },
}

/// One module's effect as the evidence gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Claim {
    /// The module (`trial.csv`'s `module`).
    pub module: &'static str,
    /// The group (`trial.csv`'s `group`): participants, or `spillover` for the households
    /// of their villages that did not take part.
    pub group: &'static str,
    /// The outcome (`trial.csv`'s `outcome`).
    pub outcome: &'static str,
    /// The horizons checked (`years_since_start`).
    pub horizons: &'static [&'static str],
    /// How the effect is read and its range.
    pub measure: Measure,
    /// The evidence in words.
    pub evidence: &'static str,
    /// Where it comes from.
    pub source: &'static str,
}

impl Claim {
    /// The `module` of the claim's rows in `trial.csv`: neighbours are measured for the
    /// participants of any module (`any`), which in a scenario of one module are its own.
    pub fn row_module(&self) -> &'static str {
        if self.group == "spillover" { "any" } else { self.module }
    }
}

/// Every claim, module by module.
pub const CLAIMS: [Claim; 10] = [
    Claim {
        module: "production_training",
        group: "participants",
        outcome: "maize_yield",
        horizons: &["1", "2"],
        measure: Measure::Relative { low: 0.08, high: 0.20 },
        evidence: "yield +13 % (8–20 %) at 1–2 years",
        source: "Waddington et al. 2014",
    },
    Claim {
        module: "production_training",
        group: "participants",
        outcome: "maize_yield",
        horizons: &["3", "5"],
        measure: Measure::FadesTo { share: 1.0 / 3.0 },
        evidence: "no positive outcome more than 2–3 years after: at most a third of the peak left",
        source: "Waddington et al. 2014",
    },
    Claim {
        module: "production_training",
        group: "spillover",
        outcome: "maize_yield",
        horizons: &["1", "2", "5"],
        measure: Measure::Relative { low: -0.01, high: 0.01 },
        evidence: "no diffusion to neighbours (within ±1 %, a modelling choice of \"none\")",
        source: "Waddington et al. 2014",
    },
    Claim {
        module: "cooperative",
        group: "participants",
        outcome: "consumption_pc",
        horizons: &["1", "2", "5"],
        measure: Measure::Relative { low: 0.0, high: 0.05 },
        evidence: "small to negligible welfare effects once bias is corrected (up to +5 %, a modelling choice of \"small\")",
        source: "Bizikova et al. 2020; Fischer & Qaim 2012",
    },
    Claim {
        module: "entrepreneurship",
        group: "participants_with_enterprise",
        outcome: "enterprise_profit",
        horizons: &["1", "2", "5"],
        measure: Measure::Relative { low: 0.05, high: 0.15 },
        evidence: "profits +5 to +10 %; +15 % at 3 years the upper case",
        source: "McKenzie 2021; McKenzie & Puerto 2021 (GET Ahead)",
    },
    Claim {
        module: "entrepreneurship",
        group: "participants",
        outcome: "runs_enterprise",
        horizons: &["1"],
        measure: Measure::Absolute { low: 0.08, high: 0.18 },
        evidence: "0.18 start-ups per trainee (before exits; seaweed on the coast counts apart)",
        source: "ILO SIYB tracer",
    },
    Claim {
        module: "financial_management",
        group: "participants",
        outcome: "consumption_pc",
        horizons: &["1", "2", "5"],
        measure: Measure::Relative { low: 0.0, high: 0.05 },
        evidence: "consumption not lowered; small effects",
        source: "Kaiser & Menkhoff 2017",
    },
    Claim {
        module: "financial_management",
        group: "participants",
        outcome: "cattle",
        horizons: &["1"],
        measure: Measure::Relative { low: 0.0, high: f64::INFINITY },
        evidence: "fewer distress sales of assets",
        source: "Kaiser & Menkhoff 2017",
    },
    Claim {
        module: "financial_management",
        group: "participants",
        outcome: "interest",
        horizons: &["1", "2"],
        measure: Measure::Relative { low: f64::NEG_INFINITY, high: 0.0 },
        evidence: "less high-interest borrowing: the interest paid falls",
        source: "Kaiser & Menkhoff 2017",
    },
    Claim {
        module: "financial_management",
        group: "participants",
        outcome: "poor",
        horizons: &["5"],
        measure: Measure::Absolute { low: -0.01, high: 0.01 },
        evidence: "effects mostly gone within about 20 months",
        source: "Fernandes, Lynch & Netemeyer 2014",
    },
];

/// A claim's effects at its horizons: `(relative, absolute)` per horizon, in order, and the
/// relative effects at years 1 and 2 (for a fade).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// Per horizon of the claim: the relative and the absolute effect.
    pub at: Vec<(f64, f64)>,
    /// The relative effects at years 1 and 2.
    pub peak: [f64; 2],
}

impl Measured {
    /// The effects `claim` reads, by `effect(horizon)` = (relative, absolute) for its
    /// scenario, module, group and outcome.
    pub fn of(claim: &Claim, effect: impl Fn(&str) -> Option<(f64, f64)>) -> Self {
        let relative = |h| effect(h).map_or(f64::NAN, |e| e.0);
        Self {
            at: claim.horizons.iter().filter_map(|h| effect(h)).collect(),
            peak: [relative("1"), relative("2")],
        }
    }
}

/// True if `measured` lies inside `claim`'s range at every horizon (false if any value
/// is missing).
pub fn holds(claim: &Claim, measured: &Measured) -> bool {
    measured.at.len() == claim.horizons.len()
        && measured.at.iter().all(|&(relative, absolute)| match claim.measure {
            Measure::Relative { low, high } => (low..=high).contains(&relative),
            Measure::Absolute { low, high } => (low..=high).contains(&absolute),
            Measure::FadesTo { share } => relative <= share * measured.peak[0].max(measured.peak[1]),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_holds_only_inside_its_range_at_every_horizon() {
        let yield_claim = &CLAIMS[0];
        let inside = Measured { at: vec![(0.12, 0.3), (0.10, 0.25)], peak: [0.12, 0.10] };
        assert!(holds(yield_claim, &inside));
        let outside = Measured { at: vec![(0.12, 0.3), (0.05, 0.1)], ..inside.clone() };
        assert!(!holds(yield_claim, &outside));
        assert!(!holds(yield_claim, &Measured { at: vec![(0.12, 0.3)], ..inside.clone() }));
        let fade = &CLAIMS[1];
        assert!(holds(fade, &Measured { at: vec![(0.03, 0.0), (0.01, 0.0)], peak: [0.12, 0.10] }));
        assert!(!holds(fade, &Measured { at: vec![(0.05, 0.0), (0.01, 0.0)], peak: [0.12, 0.10] }));
        assert!(!holds(fade, &Measured { at: vec![(0.03, 0.0), (0.05, 0.0)], peak: [0.12, 0.10] }));
        assert!(!holds(&CLAIMS[0], &Measured { at: vec![(f64::NAN, 0.0); 2], peak: [0.0; 2] }));
    }
}
