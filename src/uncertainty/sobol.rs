//! Variance-based global sensitivity: Sobol' first-order and total indices from a
//! Saltelli design, with bootstrap intervals.
//!
//! Two independent base samples A and B of `n` points in `k` dimensions (the halves of a
//! Latin hypercube in 2k dimensions) and, for each parameter i, the matrix AB_i (A with
//! column i taken from B): n (k + 2) model runs. First-order index by Saltelli et al.
//! (2010, eq. b), S_i = mean(f(B) (f(AB_i) − f(A))) / V; total index by Jansen (1999),
//! ST_i = mean((f(A) − f(AB_i))²) / (2 V); V the variance of f over A and B together.
//! Intervals: 2.5th and 97.5th percentiles over bootstrap resamples of the n rows.

use rand::Rng;

use super::design::latin_hypercube;
use crate::rng::{Purpose, RunKey};
use crate::summary::quantile;

/// The points of a Saltelli design: A (n rows), B (n rows), then AB_1 … AB_k (n rows each).
pub fn design(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let base = latin_hypercube(n, 2 * k, seed);
    let a: Vec<Vec<f64>> = base.iter().map(|p| p[..k].to_vec()).collect();
    let b: Vec<Vec<f64>> = base.iter().map(|p| p[k..].to_vec()).collect();
    let mut points = a.clone();
    points.extend(b.iter().cloned());
    for i in 0..k {
        points.extend(a.iter().zip(&b).map(|(x, y)| {
            let mut p = x.clone();
            p[i] = y[i];
            p
        }));
    }
    points
}

/// An index with its bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Index {
    /// Estimate on the whole sample.
    pub value: f64,
    /// 2.5th percentile over bootstrap resamples.
    pub lower: f64,
    /// 97.5th percentile.
    pub upper: f64,
}

fn estimate(y: &[f64], n: usize, k: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let (fa, fb) = (&y[..n], &y[n..2 * n]);
    let m = rows.len() as f64;
    let all: Vec<f64> = rows.iter().flat_map(|&j| [fa[j], fb[j]]).collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / all.len() as f64;
    let mut first = Vec::with_capacity(k);
    let mut total = Vec::with_capacity(k);
    for i in 0..k {
        let fab = &y[(2 + i) * n..(3 + i) * n];
        let s: f64 = rows.iter().map(|&j| fb[j] * (fab[j] - fa[j])).sum::<f64>() / m;
        let t: f64 = rows.iter().map(|&j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2.0 * m);
        first.push(s / var);
        total.push(t / var);
    }
    (first, total)
}

/// First-order and total indices of each of the `k` parameters from the model's values `y`
/// at the points of [`design`]`(n, k, _)`, with `resamples` bootstrap resamples drawn from
/// `seed`.
pub fn indices(y: &[f64], n: usize, k: usize, resamples: usize, seed: u64) -> (Vec<Index>, Vec<Index>) {
    assert_eq!(y.len(), n * (k + 2), "one value per point of the design");
    let rows: Vec<usize> = (0..n).collect();
    let (first, total) = estimate(y, n, k, &rows);
    let mut stream = RunKey { seed, replication: 1 }.stream(0, Purpose::Design, u32::MAX);
    let mut boot_first = vec![Vec::with_capacity(resamples); k];
    let mut boot_total = vec![Vec::with_capacity(resamples); k];
    for _ in 0..resamples {
        let sample: Vec<usize> =
            (0..n).map(|_| ((u64::from(stream.next_u32()) * n as u64) >> 32) as usize).collect();
        let (f, t) = estimate(y, n, k, &sample);
        for i in 0..k {
            boot_first[i].push(f[i]);
            boot_total[i].push(t[i]);
        }
    }
    let with = |values: &[f64], boot: &mut Vec<Vec<f64>>| -> Vec<Index> {
        values
            .iter()
            .zip(boot.iter_mut())
            .map(|(&value, b)| {
                b.retain(|x| x.is_finite());
                b.sort_by(f64::total_cmp);
                let q = |p| if b.is_empty() { f64::NAN } else { quantile(b, p) };
                Index { value, lower: q(0.025), upper: q(0.975) }
            })
            .collect()
    };
    (with(&first, &mut boot_first), with(&total, &mut boot_total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function on [−π, π]³ (a = 7, b = 0.1), whose indices are known.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn the_ishigami_function_gets_its_analytical_indices() {
        let (n, k) = (8192, 3);
        let y: Vec<f64> = design(n, k, 11).iter().map(|p| ishigami(p)).collect();
        let (first, total) = indices(&y, n, k, 200, 11);
        let exact_first = [0.3139, 0.4424, 0.0];
        let exact_total = [0.5576, 0.4424, 0.2437];
        for i in 0..k {
            for (got, want) in [(first[i], exact_first[i]), (total[i], exact_total[i])] {
                let slack = 0.25 * (got.upper - got.lower) + 0.005;
                assert!(
                    got.lower - slack <= want && want <= got.upper + slack,
                    "parameter {i}: {got:?} against {want}"
                );
                assert!(got.upper - got.lower < 0.1, "{got:?}");
            }
        }
    }
}
