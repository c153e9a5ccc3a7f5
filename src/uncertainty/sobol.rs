//! Variance-based global sensitivity: Sobol' first-order, second-order and total indices
//! from a Saltelli design, with bootstrap intervals.
//!
//! Two independent base samples A and B of `n` points in `k` dimensions (the halves of a
//! Latin hypercube in 2k dimensions); for each parameter i the matrix AB_i (A with column i
//! taken from B) and BA_i (B with column i taken from A): n (2k + 2) model runs (Saltelli
//! 2002). First-order index by Saltelli et al. (2010, eq. b),
//! S_i = mean(f(B) (f(AB_i) − f(A))) / V; total index by Jansen (1999),
//! ST_i = mean((f(A) − f(AB_i))²) / (2 V); second-order index of the pair (i, j) by
//! Saltelli (2002), S_ij = mean(f(BA_i) f(AB_j) − f(A) f(B)) / V − S_i − S_j; V the variance
//! of f over A and B together. These are the estimators SALib's `sobol.analyze` uses with
//! `calc_second_order`. Intervals: 2.5th and 97.5th percentiles over bootstrap resamples of
//! the n rows.

use rand::Rng;

use super::design::latin_hypercube;
use crate::rng::{Purpose, RunKey};
use crate::summary::quantile;

/// Points of a Saltelli design of base size `n` in `k` dimensions: n (2k + 2).
pub fn size(n: usize, k: usize) -> usize {
    n * (2 * k + 2)
}

/// The points of a Saltelli design: A (n rows), B (n rows), AB_1 … AB_k, then BA_1 … BA_k
/// (n rows each).
pub fn design(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let base = latin_hypercube(n, 2 * k, seed);
    let a: Vec<Vec<f64>> = base.iter().map(|p| p[..k].to_vec()).collect();
    let b: Vec<Vec<f64>> = base.iter().map(|p| p[k..].to_vec()).collect();
    let swap = |into: &[Vec<f64>], from: &[Vec<f64>], i: usize| -> Vec<Vec<f64>> {
        into.iter()
            .zip(from)
            .map(|(x, y)| {
                let mut p = x.clone();
                p[i] = y[i];
                p
            })
            .collect()
    };
    let mut points = a.clone();
    points.extend(b.iter().cloned());
    for i in 0..k {
        points.extend(swap(&a, &b, i));
    }
    for i in 0..k {
        points.extend(swap(&b, &a, i));
    }
    points
}

/// An index with its bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Index {
    /// Estimate on the whole sample.
    pub value: f64,
    /// 2.5th percentile over bootstrap resamples.
    pub lower: f64,
    /// 97.5th percentile.
    pub upper: f64,
}

/// The indices of one parameter set.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Indices {
    /// First-order index of each parameter.
    pub first: Vec<Index>,
    /// Total index of each parameter.
    pub total: Vec<Index>,
    /// Second-order index of each pair (i, j), i < j, in the order (0, 1), (0, 2), … (1, 2) …
    pub second: Vec<((usize, usize), Index)>,
}

/// The pairs (i, j), i < j, of `k` parameters in the order of `Indices::second`.
pub fn pairs(k: usize) -> Vec<(usize, usize)> {
    (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j))).collect()
}

/// Point estimates on the rows `rows`: first-order, total, second-order (in [`pairs`] order).
fn estimate(y: &[f64], n: usize, k: usize, rows: &[usize]) -> [Vec<f64>; 3] {
    let (fa, fb) = (&y[..n], &y[n..2 * n]);
    let ab = |i: usize| &y[(2 + i) * n..(3 + i) * n];
    let ba = |i: usize| &y[(2 + k + i) * n..(3 + k + i) * n];
    let m = rows.len() as f64;
    let all: Vec<f64> = rows.iter().flat_map(|&j| [fa[j], fb[j]]).collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / all.len() as f64;
    let mut first = Vec::with_capacity(k);
    let mut total = Vec::with_capacity(k);
    for i in 0..k {
        let fab = ab(i);
        let s: f64 = rows.iter().map(|&j| fb[j] * (fab[j] - fa[j])).sum::<f64>() / m;
        let t: f64 = rows.iter().map(|&j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2.0 * m);
        first.push(s / var);
        total.push(t / var);
    }
    let second = pairs(k)
        .into_iter()
        .map(|(i, j)| {
            let (fba, fab) = (ba(i), ab(j));
            let v: f64 = rows.iter().map(|&r| fba[r] * fab[r] - fa[r] * fb[r]).sum::<f64>() / m;
            v / var - first[i] - first[j]
        })
        .collect();
    [first, total, second]
}

/// First-order, total and second-order indices of each of the `k` parameters from the
/// model's values `y` at the points of [`design`]`(n, k, _)`, with `resamples` bootstrap
/// resamples drawn from `seed`.
pub(crate) fn indices(y: &[f64], n: usize, k: usize, resamples: usize, seed: u64) -> Indices {
    assert_eq!(y.len(), size(n, k), "one value per point of the design");
    // Centred, as SALib does: the estimators of first- and second-order indices are
    // products of values, whose variance grows with the square of the mean.
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let centred: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let y = centred.as_slice();
    let rows: Vec<usize> = (0..n).collect();
    let central = estimate(y, n, k, &rows);
    let mut stream = RunKey { seed, replication: 1 }.stream(0, Purpose::Design, u32::MAX);
    let mut boot: [Vec<Vec<f64>>; 3] = central.clone().map(|v| vec![Vec::with_capacity(resamples); v.len()]);
    for _ in 0..resamples {
        let sample: Vec<usize> =
            (0..n).map(|_| ((u64::from(stream.next_u32()) * n as u64) >> 32) as usize).collect();
        for (kind, values) in estimate(y, n, k, &sample).iter().enumerate() {
            for (b, v) in boot[kind].iter_mut().zip(values) {
                b.push(*v);
            }
        }
    }
    let mut with = |kind: usize| -> Vec<Index> {
        central[kind]
            .iter()
            .zip(boot[kind].iter_mut())
            .map(|(&value, b)| {
                b.retain(|x| x.is_finite());
                b.sort_by(f64::total_cmp);
                let q = |p| if b.is_empty() { f64::NAN } else { quantile(b, p) };
                Index { value, lower: q(0.025), upper: q(0.975) }
            })
            .collect()
    };
    let (first, total, second) = (with(0), with(1), with(2));
    Indices { first, total, second: pairs(k).into_iter().zip(second).collect() }
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

    /// `want` inside the interval of `got` (with a little slack), and the interval narrower
    /// than `width`.
    fn inside(got: Index, want: f64, width: f64, what: &str) {
        let slack = 0.25 * (got.upper - got.lower) + 0.005;
        assert!(got.lower - slack <= want && want <= got.upper + slack, "{what}: {got:?} against {want}");
        assert!(got.upper - got.lower < width, "{what}: {got:?}");
    }

    #[test]
    fn the_ishigami_function_gets_its_analytical_indices() {
        let (n, k) = (8192, 3);
        let points = design(n, k, 11);
        assert_eq!(points.len(), size(n, k));
        let y: Vec<f64> = points.iter().map(|p| ishigami(p)).collect();
        let got = indices(&y, n, k, 200, 11);
        let exact_first = [0.3139, 0.4424, 0.0];
        let exact_total = [0.5576, 0.4424, 0.2437];
        for i in 0..k {
            inside(got.first[i], exact_first[i], 0.1, &format!("S{i}"));
            inside(got.total[i], exact_total[i], 0.1, &format!("ST{i}"));
        }
        // Only x0 and x2 interact: S02 = ST2 = 0.2437, S01 = S12 = 0. Second-order
        // estimates are noisier than first-order ones at the same N.
        let exact_second = [((0, 1), 0.0), ((0, 2), 0.2437), ((1, 2), 0.0)];
        for ((pair, index), (want_pair, want)) in got.second.iter().zip(exact_second) {
            assert_eq!(*pair, want_pair);
            inside(*index, want, 0.15, &format!("S{pair:?}"));
        }
    }
}
