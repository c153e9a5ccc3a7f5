//! Across replications: the mean of every metric per season, the 95 % band of the
//! replications (2.5th and 97.5th percentiles) and the 95 % confidence interval of the mean
//! (Student's t).

use crate::metrics::{NAMES, SeasonMetrics};

/// Statistics of one metric in one season across replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    /// Mean across replications.
    pub mean: f64,
    /// 2.5th percentile of the replications.
    pub lo: f64,
    /// 97.5th percentile of the replications.
    pub hi: f64,
    /// Lower end of the 95 % confidence interval of the mean.
    pub ci_lo: f64,
    /// Upper end of the 95 % confidence interval of the mean.
    pub ci_hi: f64,
}

impl Stat {
    /// Statistics of `values`, ignoring NaN; all NaN when no value is left.
    pub fn of(values: &[f64]) -> Self {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return Self { mean: f64::NAN, lo: f64::NAN, hi: f64::NAN, ci_lo: f64::NAN, ci_hi: f64::NAN };
        }
        v.sort_by(f64::total_cmp);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let half = if v.len() > 1 {
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            t_975(v.len() - 1) * (var / n).sqrt()
        } else {
            0.0
        };
        Self {
            mean,
            lo: quantile(&v, 0.025),
            hi: quantile(&v, 0.975),
            ci_lo: mean - half,
            ci_hi: mean + half,
        }
    }
}

/// Quantile `q` of sorted `v` with linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The 97.5th percentile of Student's t with `df` degrees of freedom (NaN for none).
pub(crate) fn t_975(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if df == 0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// One season of the summary.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Season index.
    pub season: u32,
    /// Calendar year.
    pub year: u32,
    /// "wet" or "dry".
    pub season_kind: &'static str,
    /// Replications summarised.
    pub replications: usize,
    /// One statistic per metric, in the order of [`NAMES`].
    pub stats: Vec<Stat>,
}

/// Summarise `runs` (one vector of seasons per replication).
pub fn summarise(runs: &[Vec<SeasonMetrics>]) -> Vec<SummaryRow> {
    let Some(first) = runs.first() else { return Vec::new() };
    first
        .iter()
        .enumerate()
        .map(|(s, m)| SummaryRow {
            season: m.season,
            year: m.year,
            season_kind: m.season_kind,
            replications: runs.len(),
            stats: (0..NAMES.len())
                .map(|k| Stat::of(&runs.iter().map(|r| r[s].values[k]).collect::<Vec<_>>()))
                .collect(),
        })
        .collect()
}

/// Mean over seasons of metric `k` in each replication.
pub fn run_means(runs: &[Vec<SeasonMetrics>], k: usize) -> Vec<f64> {
    runs.iter().map(|r| r.iter().map(|m| m.values[k]).sum::<f64>() / r.len().max(1) as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_known_sample() {
        let s = Stat::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.mean, 3.0);
        assert!((s.lo - 1.1).abs() < 1e-12);
        assert!((s.hi - 4.9).abs() < 1e-12);
        // sd = sqrt(2.5); half-width = t(4) · sqrt(2.5 / 5), t(4) = 2.776445
        let half = 2.776_445 * (0.5f64).sqrt();
        assert!((s.ci_hi - 3.0 - half).abs() < 1e-5);
    }

    #[test]
    fn t_quantiles_are_those_of_the_tables() {
        for (df, t) in [(1, 12.7062), (2, 4.3027), (10, 2.2281), (30, 2.0423), (120, 1.9799)] {
            assert!((t_975(df) - t).abs() < 1e-4, "t(0.975, {df}) = {} against {t}", t_975(df));
        }
        assert!(t_975(0).is_nan());
    }

    #[test]
    fn nan_values_are_left_out() {
        let s = Stat::of(&[f64::NAN, 2.0, 4.0]);
        assert_eq!(s.mean, 3.0);
        assert!(Stat::of(&[f64::NAN]).mean.is_nan());
    }
}
