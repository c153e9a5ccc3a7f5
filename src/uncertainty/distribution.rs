//! The distributions a parameter can be given: uniform, triangular, truncated normal, beta
//! (scaled to an interval) and log-uniform, each by its quantile function.

use statrs::distribution::{Beta, ContinuousCDF, Normal};

/// A distribution of a parameter's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform on [low, high].
    Uniform {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Triangular on [low, high] with its peak at `mode`.
    Triangular {
        /// Lowest value.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        high: f64,
    },
    /// Normal with `mean` and `sd`, truncated to [low, high].
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Beta(alpha, beta) scaled to [low, high].
    Beta {
        /// First shape.
        alpha: f64,
        /// Second shape.
        beta: f64,
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Uniform in the logarithm on [low, high] (low > 0).
    LogUniform {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
}

/// The names of the distributions, as written in `dist = "…"`.
pub(crate) const KINDS: [&str; 5] = ["uniform", "triangular", "normal", "beta", "loguniform"];

impl Distribution {
    /// The value below which a share `u` in (0, 1) of the distribution lies.
    pub(crate) fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Self::Uniform { low, high } => low + u * (high - low),
            Self::Triangular { low, mode, high } => {
                if high <= low {
                    return low;
                }
                let cut = (mode - low) / (high - low);
                if u < cut {
                    low + (u * (high - low) * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * (high - low) * (high - mode)).sqrt()
                }
            }
            Self::Normal { mean, sd, low, high } => {
                let Ok(n) = Normal::new(mean, sd) else { return mean.clamp(low, high) };
                let (a, b) = (n.cdf(low), n.cdf(high));
                if b <= a {
                    return mean.clamp(low, high);
                }
                n.inverse_cdf(a + u * (b - a)).clamp(low, high)
            }
            Self::Beta { alpha, beta, low, high } => {
                let Ok(d) = Beta::new(alpha, beta) else { return low };
                low + d.inverse_cdf(u) * (high - low)
            }
            Self::LogUniform { low, high } => (low.ln() + u * (high.ln() - low.ln())).exp(),
        }
    }

    /// Its name, as written in `dist = "…"` (`KINDS`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Uniform { .. } => "uniform",
            Self::Triangular { .. } => "triangular",
            Self::Normal { .. } => "normal",
            Self::Beta { .. } => "beta",
            Self::LogUniform { .. } => "loguniform",
        }
    }

    /// The smallest and largest value it can take.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Self::Uniform { low, high }
            | Self::Triangular { low, high, .. }
            | Self::Normal { low, high, .. }
            | Self::Beta { low, high, .. }
            | Self::LogUniform { low, high } => (low, high),
        }
    }

    /// What is wrong with its parameters, if anything.
    pub fn problem(&self) -> Option<String> {
        let (low, high) = self.support();
        if !(low.is_finite() && high.is_finite()) {
            return Some("low and high must be finite numbers".into());
        }
        if low > high {
            return Some(format!("low ({low}) must not be above high ({high})"));
        }
        match *self {
            Self::Triangular { mode, .. } if !(low..=high).contains(&mode) => {
                Some(format!("mode ({mode}) must lie in low..=high"))
            }
            Self::Normal { sd, .. } if !(sd.is_finite() && sd > 0.0) => {
                Some(format!("sd must be above 0, got {sd}"))
            }
            Self::Beta { alpha, beta, .. }
                if !(alpha > 0.0 && beta > 0.0 && alpha.is_finite() && beta.is_finite()) =>
            {
                Some("alpha and beta must be above 0".into())
            }
            Self::LogUniform { .. } if low <= 0.0 => {
                Some(format!("low must be above 0 for loguniform, got {low}"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: Distribution) -> f64 {
        let n = 20_000;
        (0..n).map(|i| d.quantile((f64::from(i) + 0.5) / f64::from(n))).sum::<f64>() / f64::from(n)
    }

    #[test]
    fn quantiles_give_the_distributions_means_and_stay_in_their_support() {
        let cases = [
            (Distribution::Uniform { low: 0.0, high: 0.24 }, 0.12),
            (Distribution::Triangular { low: 0.0, mode: 0.3, high: 0.6 }, 0.3),
            (Distribution::Triangular { low: 1.0, mode: 1.0, high: 4.0 }, 2.0),
            (Distribution::Normal { mean: 0.5, sd: 0.1, low: 0.0, high: 1.0 }, 0.5),
            (Distribution::Beta { alpha: 2.0, beta: 6.0, low: 0.0, high: 2.0 }, 0.5),
            (Distribution::LogUniform { low: 1.0, high: std::f64::consts::E }, std::f64::consts::E - 1.0),
        ];
        for (d, mean) in cases {
            assert!((mean_of(d) - mean).abs() < 2e-3 * mean.abs().max(1.0), "{d:?}: {}", mean_of(d));
            let (lo, hi) = d.support();
            for u in [0.0, 1e-9, 0.5, 1.0 - 1e-9, 1.0] {
                let x = d.quantile(u);
                assert!((lo..=hi).contains(&x), "{d:?} at {u}: {x}");
            }
        }
        let point = Distribution::Uniform { low: 0.3, high: 0.3 };
        assert_eq!(point.quantile(0.77), 0.3);
    }

    #[test]
    fn bad_parameters_are_named() {
        assert!(
            Distribution::Uniform { low: 1.0, high: 0.0 }.problem().unwrap().contains("must not be above")
        );
        assert!(Distribution::LogUniform { low: 0.0, high: 1.0 }.problem().is_some());
        assert!(Distribution::Normal { mean: 0.0, sd: 0.0, low: -1.0, high: 1.0 }.problem().is_some());
        assert!(Distribution::Triangular { low: 0.0, mode: 2.0, high: 1.0 }.problem().is_some());
        assert_eq!(Distribution::Uniform { low: 0.0, high: 1.0 }.problem(), None);
    }
}
