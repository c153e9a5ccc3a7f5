//! Turning random words into numbers: uniforms, normals, lognormal multipliers and hazards.

/// `exp(sigma · z − sigma²/2)`: a lognormal multiplier with mean one from a standard normal `z`.
#[inline]
pub fn mean_one_lognormal(sigma: f64, z: f64) -> f64 {
    if sigma == 0.0 { 1.0 } else { exp(sigma * z - 0.5 * sigma * sigma) }
}

/// `e^x`, computed the same way on every platform (the platform's `libm` may differ in the
/// last bit) and cheaply enough for the household loop: x = k·ln 2 + r with |r| ≤ ln 2 / 2
/// (Cody–Waite split of ln 2), e^r by its Taylor series to degree 12 (relative error < 1e-15),
/// scaled by 2^k through the exponent bits.
#[inline]
pub fn exp(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    // Adding and subtracting 1.5 · 2^52 rounds to the nearest integer without a libm call.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let k = (x * std::f64::consts::LOG2_E + ROUND) - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series of e^r, evaluated as two interleaved Horner chains (Estrin) for speed.
    let r2 = r * r;
    let even = 1.0
        + r2 * (1.0 / 2.0
            + r2 * (1.0 / 24.0
                + r2 * (1.0 / 720.0
                    + r2 * (1.0 / 40_320.0 + r2 * (1.0 / 3_628_800.0 + r2 * (1.0 / 479_001_600.0))))));
    let odd = 1.0
        + r2 * (1.0 / 6.0
            + r2 * (1.0 / 120.0 + r2 * (1.0 / 5_040.0 + r2 * (1.0 / 362_880.0 + r2 * (1.0 / 39_916_800.0)))));
    f64::from_bits(((k as i64 + 1023) as u64) << 52) * (even + r * odd)
}

/// The probability that an event with `rate` (per unit time) happens within one unit: 1 − e^(−rate).
#[inline]
pub fn hazard(rate: f64) -> f64 {
    1.0 - exp(-rate)
}

/// A 32-bit word as a uniform number in (0, 1).
#[inline]
pub fn unit(word: u32) -> f64 {
    (f64::from(word) + 0.5) * (1.0 / 4_294_967_296.0)
}

/// A 32-bit word as a standard normal deviate, by inversion (Wichura 1988, algorithm AS 241
/// PPND7, accurate to about 1e-7): one word per deviate, no rejection.
#[inline]
pub fn std_normal(word: u32) -> f64 {
    ppnd7(unit(word))
}

/// Intervals of a [`LognormalTable`].
const TABLE_INTERVALS: usize = 1024;
/// Intervals at each end where a [`LognormalTable`] computes the exact value.
const EXACT_TAIL: usize = 32;

/// The quantile function of a mean-one lognormal multiplier, tabulated at 1,025 evenly spaced
/// probabilities and interpolated linearly, except in the outer 32 intervals of each tail
/// (6 % of draws), where the function is steep and the exact value is computed. Sampling it
/// with one 32-bit word replaces an inverse normal and an exponential in the household loop;
/// the relative interpolation error is below 1e-4.
#[derive(Clone, Debug)]
pub struct LognormalTable {
    sigma: f64,
    values: Vec<f64>,
}

impl LognormalTable {
    /// The table for log-standard deviation `sigma`.
    pub fn new(sigma: f64) -> Self {
        let values = (0..=TABLE_INTERVALS)
            .map(|i| {
                let p = (i as f64 / TABLE_INTERVALS as f64).clamp(1e-12, 1.0 - 1e-12);
                mean_one_lognormal(sigma, ppnd7(p))
            })
            .collect();
        Self { sigma, values }
    }

    /// The multiplier for a random `word`.
    #[inline(always)]
    pub fn sample(&self, word: u32) -> f64 {
        let u = unit(word);
        let x = u * TABLE_INTERVALS as f64;
        // x is in [0, 1024): through i32 the conversion is one instruction.
        let i = x as i32 as usize;
        if !(EXACT_TAIL..TABLE_INTERVALS - EXACT_TAIL).contains(&i) || self.sigma == 0.0 {
            return self.exact(u);
        }
        let t = x - i as f64;
        self.values[i] + t * (self.values[i + 1] - self.values[i])
    }

    /// The multiplier at probability `u`, computed (tails, and σ = 0).
    #[cold]
    #[inline(never)]
    fn exact(&self, u: f64) -> f64 {
        if self.sigma == 0.0 { 1.0 } else { mean_one_lognormal(self.sigma, ppnd7(u)) }
    }
}

/// Intervals per unit of rate in a [`HazardTable`].
const HAZARD_STEPS_PER_UNIT: f64 = 256.0;
/// Rates up to which a [`HazardTable`] interpolates.
const HAZARD_MAX_RATE: f64 = 16.0;

/// 1 − e^(−rate), tabulated for rates in [0, 16) at steps of 1/256 and interpolated
/// linearly (absolute error below 2e-6); exact outside. The household loop turns hazards into
/// probabilities several times per household and season.
#[derive(Clone, Debug)]
pub struct HazardTable {
    values: Vec<f64>,
}

impl Default for HazardTable {
    fn default() -> Self {
        let n = (HAZARD_MAX_RATE * HAZARD_STEPS_PER_UNIT) as usize;
        Self { values: (0..=n).map(|i| hazard(i as f64 / HAZARD_STEPS_PER_UNIT)).collect() }
    }
}

impl HazardTable {
    /// The probability of an event with `rate` within one unit of time.
    #[inline(always)]
    pub fn probability(&self, rate: f64) -> f64 {
        if !(0.0..HAZARD_MAX_RATE).contains(&rate) {
            return exact_hazard(rate);
        }
        let x = rate * HAZARD_STEPS_PER_UNIT;
        // x is in [0, 4096): through i32 the conversion is one instruction.
        let i = x as i32 as usize;
        let t = x - i as f64;
        self.values[i] + t * (self.values[i + 1] - self.values[i])
    }
}

#[cold]
#[inline(never)]
fn exact_hazard(rate: f64) -> f64 {
    hazard(rate)
}

/// The standard normal quantile function (AS 241, PPND7).
pub fn ppnd7(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * (((59.109_374_720 * r + 159.291_132_02) * r + 50.434_271_938) * r + 3.387_132_717_9)
            / (((67.187_563_600 * r + 78.757_757_664) * r + 17.895_169_469) * r + 1.0);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-tail.ln()).sqrt();
    let z = if r <= 5.0 {
        r -= 1.6;
        (((0.170_238_211_03 * r + 1.306_728_481_6) * r + 2.756_815_390_0) * r + 1.423_437_277_7)
            / ((0.120_211_329_75 * r + 0.737_001_642_50) * r + 1.0)
    } else {
        r -= 5.0;
        (((0.017_337_203_997 * r + 0.428_682_943_37) * r + 3.081_226_386_0) * r + 6.657_905_115_0)
            / ((0.012_258_202_635 * r + 0.241_978_942_25) * r + 1.0)
    };
    if q < 0.0 { -z } else { z }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_normal_matches_known_quantiles() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_985),
            (0.025, -1.959_963_985),
            (0.999, 3.090_232_306),
            (1e-9, -5.997_807_015),
        ] {
            assert!((ppnd7(p) - z).abs() < 1e-6, "p = {p}: {} vs {z}", ppnd7(p));
        }
    }

    #[test]
    fn exp_agrees_with_the_standard_library() {
        let mut x = -700.0;
        while x < 700.0 {
            let (ours, std) = (exp(x), x.exp());
            assert!(((ours - std) / std).abs() < 4e-15, "exp({x}): {ours} vs {std}");
            x += 0.137;
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1000.0), 0.0);
        assert!(exp(1000.0).is_infinite());
    }

    #[test]
    fn lognormal_tables_match_the_exact_quantiles() {
        let table = LognormalTable::new(0.35);
        let mut worst: f64 = 0.0;
        let mut sum = 0.0;
        let n = 1u64 << 20;
        for k in 0..n {
            let word = (k << 12) as u32 | 0x5A5;
            let exact = mean_one_lognormal(0.35, ppnd7(unit(word)));
            worst = worst.max(((table.sample(word) - exact) / exact).abs());
            sum += table.sample(word);
        }
        assert!(worst < 1e-4, "worst relative error {worst}");
        assert!((sum / n as f64 - 1.0).abs() < 1e-3, "mean {}", sum / n as f64);
        assert_eq!(LognormalTable::new(0.0).sample(12345), 1.0);
    }

    #[test]
    fn hazard_tables_match_the_formula() {
        let table = HazardTable::default();
        let mut r = 0.0;
        while r < 20.0 {
            assert!((table.probability(r) - hazard(r)).abs() < 2e-6, "rate {r}");
            r += 0.001_7;
        }
        assert_eq!(table.probability(0.0), 0.0);
    }
}
