//! The rows of the sensitivity files that `compare --draws` and `sweep` both write: rank
//! correlations (`sensitivity.csv`, any design), Morris μ*, σ (`morris.csv`), Sobol'
//! first-order and total indices (`sobol.csv`) and second-order indices
//! (`sobol_second_order.csv`). Each row names the scenario, the result (`metric`) and the
//! parameter, so the files of the two commands read the same way.

use serde::Serialize;

use super::{Uncertain, design, sobol};
use crate::trial::tables::finite;

/// Bootstrap resamples behind every Sobol' interval.
pub(crate) const RESAMPLES: usize = 200;

/// A row of `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankRow {
    /// Scenario.
    pub scenario: String,
    /// The result.
    pub metric: &'static str,
    /// Uncertain parameter.
    pub parameter: String,
    /// Spearman's rank correlation over the points between the parameter and the result:
    /// the sign and strength of the parameter's (monotone) influence, in −1..=1.
    pub rank_correlation: Option<f64>,
}

/// A row of `morris.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct MorrisRow {
    /// Scenario.
    pub scenario: String,
    /// The result.
    pub metric: &'static str,
    /// Uncertain parameter.
    pub parameter: String,
    /// Mean elementary effect, per unit of the unit cube (the parameter's whole range).
    pub mu: Option<f64>,
    /// Mean absolute elementary effect (μ*, Campolongo et al. 2007): the parameter's importance.
    pub mu_star: Option<f64>,
    /// Standard deviation of the elementary effects: interactions and non-linearity.
    pub sigma: Option<f64>,
}

/// A row of `sobol.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolRow {
    /// Scenario.
    pub scenario: String,
    /// The result.
    pub metric: &'static str,
    /// Uncertain parameter.
    pub parameter: String,
    /// First-order index: the share of the result's variance due to this parameter alone.
    pub first_order: Option<f64>,
    /// Its bootstrap interval.
    pub first_order_lower: Option<f64>,
    /// Upper end.
    pub first_order_upper: Option<f64>,
    /// Total index: the share due to this parameter with all its interactions.
    pub total: Option<f64>,
    /// Its bootstrap interval.
    pub total_lower: Option<f64>,
    /// Upper end.
    pub total_upper: Option<f64>,
}

/// A row of `sobol_second_order.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecondOrderRow {
    /// Scenario.
    pub scenario: String,
    /// The result.
    pub metric: &'static str,
    /// First parameter of the pair.
    pub parameter: String,
    /// Second parameter of the pair.
    pub other: String,
    /// Second-order index: the share of the result's variance due to the two parameters
    /// together beyond their separate effects.
    pub second_order: Option<f64>,
    /// Its bootstrap interval.
    pub lower: Option<f64>,
    /// Upper end.
    pub upper: Option<f64>,
}

/// One result of one scenario at every point of a design, with what it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Series<'a> {
    /// Scenario.
    pub scenario: &'a str,
    /// The result.
    pub metric: &'static str,
    /// Its value at every point, in the design's order.
    pub values: &'a [f64],
}

/// Rank correlations of every parameter with `series`, over the points `values` (the
/// parameter values of each point, in `uncertain`'s order).
pub(crate) fn rank_rows(series: Series, uncertain: &[Uncertain], values: &[Vec<f64>]) -> Vec<RankRow> {
    uncertain
        .iter()
        .enumerate()
        .map(|(p, u)| {
            let x: Vec<f64> = values.iter().map(|v| v[p]).collect();
            RankRow {
                scenario: series.scenario.into(),
                metric: series.metric,
                parameter: u.key.clone(),
                rank_correlation: finite(spearman(&x, series.values)),
            }
        })
        .collect()
}

/// Morris μ, μ*, σ of every parameter for `series`, from a Morris design with its `moves`.
pub(crate) fn morris_rows(series: Series, uncertain: &[Uncertain], moves: &[(usize, f64)]) -> Vec<MorrisRow> {
    let indices = design::morris_indices(series.values, moves, uncertain.len());
    uncertain
        .iter()
        .zip(indices)
        .map(|(u, (mu, mu_star, sigma))| MorrisRow {
            scenario: series.scenario.into(),
            metric: series.metric,
            parameter: u.key.clone(),
            mu: finite(mu),
            mu_star: finite(mu_star),
            sigma: finite(sigma),
        })
        .collect()
}

/// Sobol' indices of every parameter (and pair) for `series`, from a Saltelli design of
/// base size `n`; none when a value is missing.
pub(crate) fn sobol_rows(
    series: Series,
    uncertain: &[Uncertain],
    n: usize,
    seed: u64,
) -> (Vec<SobolRow>, Vec<SecondOrderRow>) {
    if series.values.iter().any(|v| !v.is_finite()) {
        return (Vec::new(), Vec::new());
    }
    let got = sobol::indices(series.values, n, uncertain.len(), RESAMPLES, seed);
    let first = uncertain
        .iter()
        .enumerate()
        .map(|(p, u)| SobolRow {
            scenario: series.scenario.into(),
            metric: series.metric,
            parameter: u.key.clone(),
            first_order: finite(got.first[p].value),
            first_order_lower: finite(got.first[p].lower),
            first_order_upper: finite(got.first[p].upper),
            total: finite(got.total[p].value),
            total_lower: finite(got.total[p].lower),
            total_upper: finite(got.total[p].upper),
        })
        .collect();
    let second = got
        .second
        .iter()
        .map(|&((i, j), index)| SecondOrderRow {
            scenario: series.scenario.into(),
            metric: series.metric,
            parameter: uncertain[i].key.clone(),
            other: uncertain[j].key.clone(),
            second_order: finite(index.value),
            lower: finite(index.lower),
            upper: finite(index.upper),
        })
        .collect();
    (first, second)
}

/// Spearman's rank correlation of `x` and `y` (ranks of ties averaged); NaN for fewer than
/// three pairs or a constant series.
pub(crate) fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> =
        x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pairs.len() < 3 {
        return f64::NAN;
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    let (rx, ry) = (ranks(&xs), ranks(&ys));
    let n = rx.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean).powi(2);
        syy += (b - mean).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 { f64::NAN } else { sxy / (sxx * syy).sqrt() }
}

/// Ranks from 0, ties given the mean of their ranks.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            r[k] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_correlation_is_one_for_any_increasing_relation_and_zero_for_none() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let up: Vec<f64> = x.iter().map(|v| v.powi(3)).collect();
        let down: Vec<f64> = x.iter().map(|v| -v.exp()).collect();
        assert!((spearman(&x, &up) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &down) + 1.0).abs() < 1e-12);
        let flat = vec![1.0; 20];
        assert!(spearman(&x, &flat).is_nan());
        let ties = [1.0, 2.0, 2.0, 3.0];
        assert!((spearman(&ties, &ties) - 1.0).abs() < 1e-12);
        // x against a zig-zag symmetric about the middle: no monotone relation.
        let zig: Vec<f64> = x.iter().map(|v| (v - 9.5).abs()).collect();
        assert!(spearman(&x, &zig).abs() < 0.1);
    }
}
