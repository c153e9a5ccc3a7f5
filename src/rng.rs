//! Every random draw of the model comes from here.
//!
//! The generator is **Philox4x32-10** (Salmon, Moraes, Dror & Shaw 2011, "Parallel random
//! numbers: as easy as 1, 2, 3", SC'11), a counter-based generator: its output is a pure
//! function of a 128-bit counter and a 64-bit key. We put the *identity* of a draw into
//! that counter, so a draw never depends on the thread, the block, the visiting order or on
//! how many draws other code made:
//!
//! | word | content |
//! |---|---|
//! | key | scenario seed (64 bits) |
//! | counter 0 | draw index within the stream (each call yields 4 × 32 bits) |
//! | counter 1 | entity (household, village, or 0 for district-wide draws) |
//! | counter 2 | season (low 20 bits) and purpose (high 12 bits) |
//! | counter 3 | replication |
//!
//! Two scenarios with the same seed therefore see the same weather, prices and household
//! shocks (common random numbers), and an intervention's own draws (purpose keyed by the
//! hash of its `id`) cannot shift anybody else's.
//!
//! The implementation is tested against the Random123 known-answer vectors.

use std::convert::Infallible;

use rand::TryRng;

/// Name of the generator, recorded in every `manifest.toml`.
pub const ALGORITHM: &str =
    "Philox4x32-10 (counter-based; key = seed, counter = draw, entity, season|purpose, replication)";

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// The Philox4x32 bijection with 10 rounds.
#[inline(always)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k[0] = k[0].wrapping_add(W0);
            k[1] = k[1].wrapping_add(W1);
        }
        let p0 = u64::from(M0) * u64::from(c[0]);
        let p1 = u64::from(M1) * u64::from(c[2]);
        c = [(p1 >> 32) as u32 ^ c[1] ^ k[0], p1 as u32, (p0 >> 32) as u32 ^ c[3] ^ k[1], p0 as u32];
    }
    c
}

/// Why a draw is made. Codes are part of the output's identity: append, never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Initial population (land, members, cattle, …).
    Population,
    /// Province-wide El Niño state of a year.
    Climate,
    /// Drought severity of one village.
    VillageWeather,
    /// Maize price shock.
    Price,
    /// Illness and cattle loss of a household.
    Shock,
    /// Normal deviates of a household's earnings: maize yield, wage days, seaweed, demand.
    Earnings,
    /// A household's decisions: adoption, membership, trainee start-up, enterprise exit.
    Decision,
    /// Cooperative collapse and village-level draws.
    Village,
    /// Targeting and take-up of one intervention (hash of its id).
    Intervention(u32),
}

impl Purpose {
    fn code(self) -> u32 {
        match self {
            Self::Population => 1,
            Self::Climate => 2,
            Self::VillageWeather => 3,
            Self::Price => 4,
            Self::Shock => 5,
            Self::Earnings => 7,
            Self::Decision => 9,
            Self::Village => 11,
            Self::Intervention(hash) => 0x800 | (hash & 0x7FF),
        }
    }
}

/// FNV-1a hash of an intervention id, folded to the 11 bits a purpose code holds.
pub fn id_hash(id: &str) -> u32 {
    let mut h: u32 = 0x811C_9DC5;
    for b in id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h ^ (h >> 11) ^ (h >> 22)) & 0x7FF
}

/// The run-level part of a key: scenario seed and replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunKey {
    /// Scenario seed.
    pub seed: u64,
    /// Replication index, 0-based.
    pub replication: u32,
}

impl RunKey {
    /// The stream of draws for `entity`'s `purpose` in `season`.
    #[inline]
    pub fn stream(self, season: u32, purpose: Purpose, entity: u32) -> Draws {
        debug_assert!(season < (1 << 20), "season fits in 20 bits");
        Draws {
            key: [self.seed as u32, (self.seed >> 32) as u32],
            counter: [0, entity, (season & 0xF_FFFF) | (purpose.code() << 20), self.replication],
            buffer: [0; 4],
            used: 4,
        }
    }
}

impl RunKey {
    /// Four 32-bit random words for `entity`'s `purpose` in `season`: one Philox call, the
    /// cheapest way to draw. Each word has a fixed meaning for its purpose, so a household
    /// sees the same numbers in every scenario whatever branch it takes.
    #[inline]
    pub fn block(self, season: u32, purpose: Purpose, entity: u32) -> [u32; 4] {
        let key = [self.seed as u32, (self.seed >> 32) as u32];
        philox4x32_10([0, entity, (season & 0xF_FFFF) | (purpose.code() << 20), self.replication], key)
    }
}

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
    #[inline]
    pub fn sample(&self, word: u32) -> f64 {
        if self.sigma == 0.0 {
            return 1.0;
        }
        let u = unit(word);
        let x = u * TABLE_INTERVALS as f64;
        let i = x as usize;
        if !(EXACT_TAIL..TABLE_INTERVALS - EXACT_TAIL).contains(&i) {
            return mean_one_lognormal(self.sigma, ppnd7(u));
        }
        let t = x - i as f64;
        self.values[i] + t * (self.values[i + 1] - self.values[i])
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
    #[inline]
    pub fn probability(&self, rate: f64) -> f64 {
        if !(0.0..HAZARD_MAX_RATE).contains(&rate) {
            return hazard(rate);
        }
        let x = rate * HAZARD_STEPS_PER_UNIT;
        let i = x as usize;
        let t = x - i as f64;
        self.values[i] + t * (self.values[i + 1] - self.values[i])
    }
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

/// A keyed stream of random numbers; implements [`rand::Rng`] so `rand_distr` can use it.
#[derive(Clone, Debug)]
pub struct Draws {
    key: [u32; 2],
    counter: [u32; 4],
    buffer: [u32; 4],
    used: usize,
}

impl Draws {
    #[inline(always)]
    fn next_word(&mut self) -> u32 {
        if self.used == 4 {
            self.buffer = philox4x32_10(self.counter, self.key);
            self.counter[0] = self.counter[0].wrapping_add(1);
            self.used = 0;
        }
        let w = self.buffer[self.used];
        self.used += 1;
        w
    }

    /// A uniform number in [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        let hi = u64::from(self.next_word());
        let lo = u64::from(self.next_word());
        (((hi << 32) | lo) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A standard normal deviate (by inversion of one 32-bit word, see [`std_normal`]).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        std_normal(self.next_word())
    }

    /// A lognormal multiplier with mean 1 and log-standard-deviation `sigma`.
    #[inline]
    pub fn mean_one_lognormal(&mut self, sigma: f64) -> f64 {
        if sigma == 0.0 {
            return 1.0;
        }
        mean_one_lognormal(sigma, self.normal())
    }
}

impl TryRng for Draws {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_word())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let hi = u64::from(self.next_word());
        Ok((hi << 32) | u64::from(self.next_word()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Random123 `tests/kat_vectors`, the three `philox4x32 10` lines: counter, key, result.
    #[test]
    fn philox_matches_random123_known_answers() {
        let cases = [
            ([0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
            ([u32::MAX; 4], [u32::MAX; 2], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
            (
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0],
                [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
            ),
        ];
        for (counter, key, expected) in cases {
            assert_eq!(philox4x32_10(counter, key), expected);
        }
    }

    #[test]
    fn a_draw_depends_only_on_its_key() {
        let run = RunKey { seed: 7, replication: 3 };
        let mut a = run.stream(5, Purpose::Earnings, 42);
        let _ = run.stream(5, Purpose::Earnings, 41).uniform();
        let mut b = run.stream(5, Purpose::Earnings, 42);
        assert_eq!(a.uniform(), b.uniform());
        let mut other = run.stream(5, Purpose::Shock, 42);
        assert_ne!(a.uniform(), other.uniform());
    }

    #[test]
    fn uniforms_look_uniform_and_normals_standard() {
        let run = RunKey { seed: 1, replication: 0 };
        let n = 200_000;
        let mut sum = 0.0;
        let mut sum_sq = 0.0;
        let mut below_half = 0;
        for entity in 0..n {
            let mut d = run.stream(0, Purpose::Earnings, entity);
            if d.uniform() < 0.5 {
                below_half += 1;
            }
            let z = d.normal();
            sum += z;
            sum_sq += z * z;
        }
        let mean = sum / f64::from(n);
        let var = sum_sq / f64::from(n) - mean * mean;
        assert!((f64::from(below_half) / f64::from(n) - 0.5).abs() < 0.005);
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }

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
    fn block_words_give_standard_normals() {
        let run = RunKey { seed: 5, replication: 2 };
        let n = 100_000;
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for entity in 0..n {
            let z = std_normal(run.block(3, Purpose::Earnings, entity)[1]);
            sum += z;
            sum_sq += z * z;
        }
        let mean = sum / f64::from(n);
        assert!(mean.abs() < 0.015, "{mean}");
        assert!((sum_sq / f64::from(n) - 1.0).abs() < 0.02);
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

    #[test]
    fn intervention_purposes_stay_apart_from_model_purposes() {
        for id in ["a", "dw4fs_production", "zzzz"] {
            assert!(Purpose::Intervention(id_hash(id)).code() >= 0x800);
        }
    }
}
