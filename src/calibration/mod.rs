//! Calibration to observed statistics by history matching (Craig, Goldstein et al. 1997;
//! Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015), in waves of plain model runs:
//! the model is fast enough that an emulator would save little.
//!
//! - **Targets** ([`targets`]): statistics z_j with an observation sd σ_j, a model
//!   discrepancy sd δ_j the analyst accepts, and a source.
//! - **Free parameters**: the scenario's uncertain parameters (`[uncertainty]`, or named on
//!   the command line), their distributions the prior ranges.
//! - **Implausibility** of a parameter set x for target j:
//!   I_j(x) = |z_j − m_j(x)| / √(σ_j² + δ_j² + v_j(x)), where m_j(x) is the mean over the
//!   replications and v_j(x) the variance of that mean (the model's own randomness,
//!   estimated from the replications). x is non-implausible when max_j I_j(x) ≤ the cutoff
//!   (3, Pukelsheim's three-sigma rule).
//! - **Waves**: wave 1 is a Latin hypercube over the priors (in the unit cube of their
//!   quantiles); each later wave proposes its points around the previous wave's
//!   non-implausible points: a point chosen at random, moved in every coordinate by a
//!   normal step of √2 times the coordinates' spread there (the kernel of Beaumont et al.
//!   2009), reflected into the cube. The non-implausible sample is the last wave's
//!   non-implausible points; the calibrated point the evaluated point with the smallest
//!   largest implausibility.
//!
//! Every draw comes from the seed's own streams (purpose `Design`), so a calibration gives
//! the same points and results at any thread count, and wave w's points are a function of
//! the seed and waves 1 … w − 1 alone: [`waves`] logs every evaluation, so that a
//! calibration resumes, and splits a wave over machines in shards.

pub mod files;
pub mod targets;
pub mod waves;

use rayon::prelude::*;

use crate::rng::{Purpose, RunKey, unit};
use crate::runner;
use crate::scenario::Scenario;
use crate::uncertainty::{Uncertain, design, set, values};
pub use targets::{Statistic, Target};

/// How a calibration proceeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Waves.
    pub waves: usize,
    /// Points per wave.
    pub points: usize,
    /// The largest implausibility a non-implausible point may have.
    pub cutoff: f64,
    /// Seed of the design.
    pub seed: u64,
}

/// One evaluated parameter set.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Its coordinates in the unit cube of the priors' quantiles.
    pub unit: Vec<f64>,
    /// The parameters' values, in the free parameters' order.
    pub values: Vec<f64>,
    /// Per target: the mean over replications and the standard deviation of that mean.
    pub outputs: Vec<(f64, f64)>,
    /// Per target: its implausibility.
    pub implausibility: Vec<f64>,
}

impl Evaluation {
    /// The largest implausibility over the targets.
    pub fn largest(&self) -> f64 {
        self.implausibility
            .iter()
            .copied()
            .fold(0.0, |a, b| if b.is_nan() { f64::INFINITY } else { a.max(b) })
    }
}

/// The waves of a calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The settings it ran with.
    pub settings: Settings,
    /// Per wave, its evaluated points.
    pub waves: Vec<Vec<Evaluation>>,
}

impl History {
    /// The non-implausible points of the last wave.
    pub fn non_implausible(&self) -> Vec<&Evaluation> {
        self.waves
            .last()
            .map_or(Vec::new(), |w| w.iter().filter(|e| e.largest() <= self.settings.cutoff).collect())
    }

    /// The evaluated point with the smallest largest implausibility.
    pub fn best(&self) -> Option<&Evaluation> {
        self.waves.iter().flatten().min_by(|a, b| a.largest().total_cmp(&b.largest()))
    }

    /// Model runs (points × replications) made.
    pub fn runs(&self, replications: u32) -> usize {
        self.waves.iter().map(Vec::len).sum::<usize>() * replications as usize
    }
}

/// Evaluate `scenario` with `free` at `unit` against `targets`.
///
/// # Panics
/// When a prior's quantile lies outside the parameter's range (checked at load).
pub(crate) fn evaluate(
    scenario: &Scenario,
    free: &[Uncertain],
    unit: &[f64],
    targets: &[Target],
) -> Evaluation {
    judge(free, unit, outputs(scenario, free, unit, targets), targets)
}

/// Per target, the mean over the replications of `scenario` with `free` at `unit` and the
/// standard deviation of that mean.
fn outputs(scenario: &Scenario, free: &[Uncertain], unit: &[f64], targets: &[Target]) -> Vec<(f64, f64)> {
    let mut s = scenario.clone();
    for (u, v) in free.iter().zip(values(free, unit)) {
        s.params = set(&s.params, &u.key, v).expect("a prior lies in the parameter's range");
    }
    let result = runner::run_all(std::slice::from_ref(&s), runner::Options::threads(1), &|| {}).remove(0);
    targets
        .iter()
        .map(|t| {
            let per: Vec<f64> = result.runs.iter().map(|r| t.statistic.of(r)).collect();
            let n = per.len() as f64;
            let mean = per.iter().sum::<f64>() / n;
            let var =
                if n > 1.0 { per.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
            (mean, (var / n).sqrt())
        })
        .collect()
}

/// The evaluation at `unit` whose model `outputs` are given: its values and implausibilities.
fn judge(free: &[Uncertain], unit: &[f64], outputs: Vec<(f64, f64)>, targets: &[Target]) -> Evaluation {
    let implausibility = targets
        .iter()
        .zip(&outputs)
        .map(|(t, (m, se))| {
            (t.value - m).abs() / (t.sd.powi(2) + t.discrepancy_sd.powi(2) + se.powi(2)).sqrt()
        })
        .collect();
    Evaluation { unit: unit.to_vec(), values: values(free, unit), outputs, implausibility }
}

/// The points of wave `wave` (0-based) after the waves of `history`: a Latin hypercube for
/// the first, else proposals around the last wave's non-implausible points; none when it
/// has none (the calibration ends).
fn wave_design(history: &History, k: usize, wave: usize) -> Option<Vec<Vec<f64>>> {
    let settings = history.settings;
    if wave == 0 {
        return Some(design::latin_hypercube(settings.points, k, settings.seed));
    }
    let seeds = history.non_implausible();
    (!seeds.is_empty()).then(|| propose(&seeds, settings.points, settings.seed, wave))
}

/// The points of wave `wave` (0-based) around the non-implausible points `seeds`.
fn propose(seeds: &[&Evaluation], points: usize, seed: u64, wave: usize) -> Vec<Vec<f64>> {
    let k = seeds[0].unit.len();
    let spread: Vec<f64> = (0..k)
        .map(|d| {
            let n = seeds.len() as f64;
            let mean = seeds.iter().map(|e| e.unit[d]).sum::<f64>() / n;
            let sd = (seeds.iter().map(|e| (e.unit[d] - mean).powi(2)).sum::<f64>() / n.max(1.0)).sqrt();
            if sd > 0.0 { sd } else { 0.05 }
        })
        .collect();
    let run = RunKey { seed, replication: 1000 + wave as u32 };
    (0..points)
        .map(|p| {
            let mut stream = run.stream(0, Purpose::Design, p as u32);
            let mut draw = || unit(rand::Rng::next_u32(&mut stream));
            let from = seeds[((draw() * seeds.len() as f64) as usize).min(seeds.len() - 1)];
            (0..k)
                .map(|d| {
                    // Box–Muller: a standard normal from two uniforms.
                    let (u1, u2) = (draw().max(f64::MIN_POSITIVE), draw());
                    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                    reflect(from.unit[d] + std::f64::consts::SQRT_2 * spread[d] * z)
                })
                .collect()
        })
        .collect()
}

/// `x` reflected into [0, 1).
fn reflect(x: f64) -> f64 {
    let r = x.rem_euclid(2.0);
    let r = if r > 1.0 { 2.0 - r } else { r };
    r.clamp(0.0, 1.0 - 1e-12)
}

/// Calibrate `scenario`'s `free` parameters to `targets` in waves; `on_point` after each
/// evaluated point. Stops early when a wave has no non-implausible point.
pub fn calibrate(
    scenario: &Scenario,
    free: &[Uncertain],
    targets: &[Target],
    settings: Settings,
    on_point: &(dyn Fn() + Sync),
) -> History {
    let mut history = History { settings, waves: Vec::new() };
    for wave in 0..settings.waves {
        let Some(units) = wave_design(&history, free.len(), wave) else { break };
        let evaluated: Vec<Evaluation> = units
            .par_iter()
            .map(|u| {
                let e = evaluate(scenario, free, u, targets);
                on_point();
                e
            })
            .collect();
        history.waves.push(evaluated);
    }
    history
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflection_keeps_a_point_in_the_cube() {
        for (x, want) in [(0.3, 0.3), (-0.2, 0.2), (1.25, 0.75), (2.1, 0.1)] {
            assert!((reflect(x) - want).abs() < 1e-12, "{x}");
        }
    }
}
