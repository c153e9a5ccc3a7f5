//! Designs of parameter draws: points in the unit cube, one coordinate per uncertain
//! parameter, the same at any thread count (drawn from the seed's own stream).

use rand::Rng;

use crate::rng::{Purpose, RunKey, unit};

/// A Latin hypercube of `n` points in `k` dimensions (McKay, Beckman & Conover 1979): in
/// every dimension each of the `n` equal strata holds exactly one point, placed at random
/// within it; strata are matched across dimensions by independent random permutations.
/// Drawn from `seed` alone.
pub fn latin_hypercube(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
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
