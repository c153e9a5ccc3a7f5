//! Designs of parameter draws: points in the unit cube, one coordinate per uncertain
//! parameter, the same at any thread count (drawn from the seed's own stream).

use rand::Rng;

use crate::rng::{Purpose, RunKey, unit};

/// A Latin hypercube of `n` points in `k` dimensions (McKay, Beckman & Conover 1979): in
/// every dimension each of the `n` equal strata holds exactly one point, placed at random
/// within it; strata are matched across dimensions by independent random permutations.
/// Drawn from `seed` alone.
pub(crate) fn latin_hypercube(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; k]; n];
    let run = RunKey { seed, replication: 0 };
    for d in 0..k {
        let mut stream = run.stream(0, Purpose::Design, d as u32);
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher–Yates with multiply-shift (bias below n / 2^32).
        for i in (1..n).rev() {
            let j = ((u64::from(stream.next_u32()) * (i as u64 + 1)) >> 32) as usize;
            strata.swap(i, j);
        }
        for (point, stratum) in points.iter_mut().zip(strata) {
            point[d] = (stratum as f64 + unit(stream.next_u32())) / n as f64;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stratum_of_every_dimension_holds_one_point() {
        let (n, k) = (50, 4);
        let points = latin_hypercube(n, k, 7);
        assert_eq!(points.len(), n);
        for d in 0..k {
            let mut strata: Vec<usize> = points.iter().map(|p| (p[d] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(points, latin_hypercube(n, k, 7));
        assert_ne!(points, latin_hypercube(n, k, 8));
    }
}

/// A full factorial grid of `levels` levels per dimension in `k` dimensions, at the
/// midpoints of `levels` equal strata, in a stable order (the last dimension fastest).
pub fn grid(levels: usize, k: usize) -> Vec<Vec<f64>> {
    let levels = levels.max(1);
    let count = levels.checked_pow(k as u32).unwrap_or(usize::MAX);
    (0..count)
        .map(|mut index| {
            let mut point = vec![0.0; k];
            for d in (0..k).rev() {
                point[d] = ((index % levels) as f64 + 0.5) / levels as f64;
                index /= levels;
            }
            point
        })
        .collect()
}

/// Morris's elementary-effects design (Morris 1991): `r` trajectories of k + 1 points on a
/// grid of `levels` levels in [0, 1], each moving one dimension at a time by
/// Δ = levels / (2 (levels − 1)), in a random order and direction. Returns the points,
/// trajectory after trajectory, and for each step the dimension it moved and its Δ (signed).
pub fn morris(r: usize, k: usize, levels: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<(usize, f64)>) {
    let levels = levels.max(2);
    let step = 1.0 / (levels - 1) as f64;
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);
    let run = RunKey { seed, replication: 2 };
    let (mut points, mut moves) = (Vec::new(), Vec::new());
    for t in 0..r {
        let mut stream = run.stream(0, Purpose::Design, t as u32);
        let mut pick = |n: usize| ((u64::from(stream.next_u32()) * n as u64) >> 32) as usize;
        let mut x: Vec<f64> = (0..k).map(|_| pick(levels) as f64 * step).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, pick(i + 1));
        }
        points.push(x.clone());
        for &d in &order {
            let up = x[d] + delta <= 1.0 + 1e-12;
            let signed = if up { delta } else { -delta };
            x[d] += signed;
            points.push(x.clone());
            moves.push((d, signed));
        }
    }
    (points, moves)
}

/// Morris's μ* (mean absolute elementary effect, Campolongo et al. 2007) and σ (standard
/// deviation of the elementary effects) of each of `k` dimensions, from the model's values
/// `y` at the points of [`morris`] with its `moves`; effects are per unit of the unit cube.
pub fn morris_indices(y: &[f64], moves: &[(usize, f64)], k: usize) -> Vec<(f64, f64, f64)> {
    let steps = k;
    let mut effects = vec![Vec::new(); k];
    for (t, trajectory) in y.chunks(steps + 1).enumerate() {
        for s in 0..steps.min(trajectory.len().saturating_sub(1)) {
            let (d, delta) = moves[t * steps + s];
            effects[d].push((trajectory[s + 1] - trajectory[s]) / delta);
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len().max(1) as f64;
            let mean = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sd = (e.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            (mean, mu_star, sd)
        })
        .collect()
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn a_grid_is_every_combination_in_a_stable_order() {
        let g = grid(3, 2);
        assert_eq!(g.len(), 9);
        assert_eq!(g[0], vec![1.0 / 6.0, 1.0 / 6.0]);
        assert_eq!(g[1], vec![1.0 / 6.0, 0.5]);
        assert_eq!(g[8], vec![5.0 / 6.0, 5.0 / 6.0]);
    }

    #[test]
    fn morris_recovers_known_elementary_effects() {
        // f = 3 x0 − 2 x1 + 0 x2 + x0 x3: effects 3 + x3 (≈ 3.5 mean), −2, 0, and x0 for x3.
        let f = |x: &[f64]| 3.0 * x[0] - 2.0 * x[1] + x[0] * x[3];
        let (k, r) = (4, 40);
        let (points, moves) = morris(r, k, 4, 3);
        assert_eq!(points.len(), r * (k + 1));
        let y: Vec<f64> = points.iter().map(|p| f(p)).collect();
        let m = morris_indices(&y, &moves, k);
        assert!((m[1].0 + 2.0).abs() < 1e-9 && (m[1].1 - 2.0).abs() < 1e-9 && m[1].2 < 1e-9, "{:?}", m[1]);
        assert!(m[2].1.abs() < 1e-12, "{:?}", m[2]);
        assert!(m[0].1 > 3.0 && m[0].1 < 4.0 && m[0].2 > 0.0, "{:?}", m[0]);
        assert!(m[3].1 > 0.0 && m[3].1 < 1.0, "{:?}", m[3]);
        for p in &points {
            assert!(p.iter().all(|v| (-1e-12..=1.0 + 1e-12).contains(v)), "{p:?}");
        }
    }
}
