//! Turning random words into numbers: uniforms, normals, lognormal multipliers and hazards.

use crate::cpu::Cpu;

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

/// Intervals of a [`LognormalTable`]'s central table.
const TABLE_INTERVALS: usize = 1024;
/// Intervals at each end of the central table that the tail tables replace.
const TAIL_INTERVALS: usize = 32;
/// Octaves of tail probability a tail table covers: from 2^-33 (the smallest probability
/// a 32-bit word gives) up to 2^-5 (= 32 / 1024, where the central table takes over).
const TAIL_OCTAVES: usize = 28;
/// Log-spaced nodes per octave of a tail table.
const TAIL_STEPS_PER_OCTAVE: usize = 64;
/// Mantissa bits below the ones that index a tail node.
const TAIL_FRACTION_BITS: u32 = 52 - TAIL_STEPS_PER_OCTAVE.trailing_zeros();

/// The quantile function of a mean-one lognormal multiplier, so that one 32-bit word gives
/// a draw without an inverse normal or an exponential in the household loop. A central
/// table holds 1,025 evenly spaced probabilities; where the function is steep, in the outer
/// 32 intervals of each end (6 % of draws), two tail tables hold 64 log-spaced probabilities
/// per octave down to 2^-33. Both are interpolated linearly; the relative error is below
/// 1e-4 everywhere (tested).
#[derive(Clone, Debug)]
pub struct LognormalTable {
    values: Vec<f64>,
    /// At tail probabilities t (see [`tail_node`]): the multiplier at probability t …
    lower: Vec<f64>,
    /// … and at probability 1 − t.
    upper: Vec<f64>,
}

/// Probability of tail node `k`: 2^(octave − 33) × (1 + step / 64).
fn tail_node(k: usize) -> f64 {
    let (octave, step) = (k / TAIL_STEPS_PER_OCTAVE, k % TAIL_STEPS_PER_OCTAVE);
    (2f64).powi(octave as i32 - 33) * (1.0 + step as f64 / TAIL_STEPS_PER_OCTAVE as f64)
}

impl LognormalTable {
    /// The tables for log-standard deviation `sigma`.
    pub fn new(sigma: f64) -> Self {
        let values = (0..=TABLE_INTERVALS)
            .map(|i| {
                let p = (i as f64 / TABLE_INTERVALS as f64).clamp(1e-12, 1.0 - 1e-12);
                mean_one_lognormal(sigma, ppnd7(p))
            })
            .collect();
        let nodes = TAIL_OCTAVES * TAIL_STEPS_PER_OCTAVE + 1;
        let z: Vec<f64> = (0..nodes).map(|k| ppnd7(tail_node(k))).collect();
        let lower = z.iter().map(|&z| mean_one_lognormal(sigma, z)).collect();
        let upper = z.iter().map(|&z| mean_one_lognormal(sigma, -z)).collect();
        Self { values, lower, upper }
    }

    /// The multiplier for a random `word`.
    #[inline(always)]
    pub fn sample(&self, word: u32) -> f64 {
        let u = unit(word);
        let x = u * TABLE_INTERVALS as f64;
        // x is in [0, 1024): through i32 the conversion is one instruction.
        let i = x as i32 as usize;
        if !(TAIL_INTERVALS..TABLE_INTERVALS - TAIL_INTERVALS).contains(&i) {
            return self.tail(u);
        }
        let t = x - i as f64;
        self.values[i] + t * (self.values[i + 1] - self.values[i])
    }

    /// The multiplier at a probability `u` in the outer 32 intervals of either end: the
    /// tail probability t = min(u, 1 − u) (exact in floating point) lies in [2^-33, 2^-5),
    /// and the exponent and top mantissa bits of t index its log-spaced node.
    #[inline(never)]
    fn tail(&self, u: f64) -> f64 {
        let (t, table) = if u < 0.5 { (u, &self.lower) } else { (1.0 - u, &self.upper) };
        let bits = t.to_bits();
        let octave = ((bits >> 52) as usize).saturating_sub(1023 - 33).min(TAIL_OCTAVES - 1);
        let step = ((bits >> TAIL_FRACTION_BITS) as usize) & (TAIL_STEPS_PER_OCTAVE - 1);
        let k = octave * TAIL_STEPS_PER_OCTAVE + step;
        let fraction = (bits & ((1 << TAIL_FRACTION_BITS) - 1)) as f64 / (1u64 << TAIL_FRACTION_BITS) as f64;
        table[k] + fraction * (table[k + 1] - table[k])
    }

    /// `out[i] = self.sample(words[i])` for every `i`: eight at a time with AVX-512 gathers
    /// on `cpu`'s AVX-512 path (the few words in a tail one at a time), one at a time
    /// elsewhere; the same numbers either way.
    pub fn sample_all(&self, cpu: Cpu, words: &[u32], out: &mut [f64]) {
        assert_eq!(words.len(), out.len());
        #[cfg(target_arch = "x86_64")]
        if cpu.v4().is_some() {
            // SAFETY: `cpu` holds a `V4` token, made only on CPUs with AVX-512F, DQ and VL
            // and AVX2 (with the rest of x86-64-v4): every feature `sample_all_avx512`
            // enables.
            #[allow(unsafe_code)]
            unsafe {
                self.sample_all_avx512(words, out)
            };
            return;
        }
        let _ = cpu;
        for (o, &w) in out.iter_mut().zip(words) {
            *o = self.sample(w);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    fn sample_all_avx512(&self, words: &[u32], out: &mut [f64]) {
        use std::arch::x86_64::*;
        for (w64, o64) in words.chunks(64).zip(out.chunks_mut(64)) {
            // Bit k: word k is in a tail (one word in sixteen), sampled one by one below.
            let mut tails = 0u64;
            for (c, (w8, o8)) in w64.chunks_exact(8).zip(o64.chunks_exact_mut(8)).enumerate() {
                // SAFETY: eight words and eight outputs; only central lanes are gathered,
                // whose indices are below 992, so both values are within the 1,025 of the
                // table.
                let central = unsafe {
                    let w = _mm256_loadu_si256(w8.as_ptr().cast());
                    let u = _mm512_mul_pd(
                        _mm512_add_pd(_mm512_cvtepu32_pd(w), _mm512_set1_pd(0.5)),
                        _mm512_set1_pd(1.0 / 4_294_967_296.0),
                    );
                    let x = _mm512_mul_pd(u, _mm512_set1_pd(TABLE_INTERVALS as f64));
                    let i = _mm512_cvttpd_epi32(x);
                    let central = _mm256_cmpge_epi32_mask(i, _mm256_set1_epi32(TAIL_INTERVALS as i32))
                        & _mm256_cmplt_epi32_mask(
                            i,
                            _mm256_set1_epi32((TABLE_INTERVALS - TAIL_INTERVALS) as i32),
                        );
                    _mm512_storeu_pd(o8.as_mut_ptr(), interpolate(&self.values, x, central));
                    central
                };
                tails |= u64::from(!central) << (8 * c);
            }
            let whole = w64.len() / 8 * 8;
            for (o, &w) in o64[whole..].iter_mut().zip(&w64[whole..]) {
                *o = self.sample(w);
            }
            // A tail lane of a group of eight would take four more gathers for the whole
            // group; one by one, only the few tail words pay.
            while tails != 0 {
                let k = tails.trailing_zeros() as usize;
                o64[k] = self.sample(w64[k]);
                tails &= tails - 1;
            }
        }
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

    /// `out[i] = self.probability(rates[i])` for every `i`: eight at a time with AVX-512
    /// gathers on `cpu`'s AVX-512 path, one at a time elsewhere; the same numbers either
    /// way.
    pub fn probability_all(&self, cpu: Cpu, rates: &[f64], out: &mut [f64]) {
        assert_eq!(rates.len(), out.len());
        #[cfg(target_arch = "x86_64")]
        if cpu.v4().is_some() {
            // SAFETY: `cpu` holds a `V4` token, made only on CPUs with AVX-512F, DQ and VL
            // and AVX2 (with the rest of x86-64-v4): every feature
            // `probability_all_avx512` enables.
            #[allow(unsafe_code)]
            unsafe {
                self.probability_all_avx512(rates, out)
            };
            return;
        }
        let _ = cpu;
        for (o, &r) in out.iter_mut().zip(rates) {
            *o = self.probability(r);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    fn probability_all_avx512(&self, rates: &[f64], out: &mut [f64]) {
        use std::arch::x86_64::*;
        let mut chunks = rates.chunks_exact(8).zip(out.chunks_exact_mut(8));
        for (r8, o8) in &mut chunks {
            // SAFETY: eight rates and eight outputs; only lanes with a rate in
            // [0, HAZARD_MAX_RATE) are gathered, whose indices are below the table's last.
            let outside = unsafe {
                let rate = _mm512_loadu_pd(r8.as_ptr());
                let inside = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(rate, _mm512_setzero_pd())
                    & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(rate, _mm512_set1_pd(HAZARD_MAX_RATE));
                let x = _mm512_mul_pd(rate, _mm512_set1_pd(HAZARD_STEPS_PER_UNIT));
                _mm512_storeu_pd(o8.as_mut_ptr(), interpolate(&self.values, x, inside));
                !inside
            };
            // Rates outside the table (or NaN) are rare: computed exactly, as `probability`.
            if outside != 0 {
                for (o, &r) in o8.iter_mut().zip(r8) {
                    *o = self.probability(r);
                }
            }
        }
        let (rates, out) = (rates.chunks_exact(8).remainder(), out.chunks_exact_mut(8).into_remainder());
        for (o, &r) in out.iter_mut().zip(rates) {
            *o = self.probability(r);
        }
    }
}

/// `values[i] + t × (values[i + 1] − values[i])` for `x = i + t` in every lane of `mask`
/// (unspecified elsewhere): the linear interpolation of [`LognormalTable::sample`] and
/// [`HazardTable::probability`], eight lanes at a time with two gathers.
///
/// # Safety
/// The CPU has AVX-512F, DQ and VL and AVX2 (a `V4` token exists); in every lane of `mask`, `x` is in
/// [0, `values.len()` − 1).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
#[allow(unsafe_code)]
#[inline]
unsafe fn interpolate(
    values: &[f64],
    x: std::arch::x86_64::__m512d,
    mask: std::arch::x86_64::__mmask8,
) -> std::arch::x86_64::__m512d {
    use std::arch::x86_64::*;
    // x is below 2^31 in the lanes of `mask`: through i32 the conversion is one instruction.
    let i = _mm512_cvttpd_epi32(x);
    let t = _mm512_sub_pd(x, _mm512_cvtepi32_pd(i));
    let next = _mm256_add_epi32(i, _mm256_set1_epi32(1));
    let zero = _mm512_setzero_pd();
    // SAFETY: the caller's promise: i and i + 1 index `values` in the lanes gathered.
    let (lo, hi) = unsafe {
        (
            _mm512_mask_i32gather_pd::<8>(zero, mask, i, values.as_ptr()),
            _mm512_mask_i32gather_pd::<8>(zero, mask, next, values.as_ptr()),
        )
    };
    _mm512_add_pd(lo, _mm512_mul_pd(t, _mm512_sub_pd(hi, lo)))
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
        for word in [0, 1, 12345, u32::MAX / 2, u32::MAX - 1, u32::MAX] {
            assert_eq!(LognormalTable::new(0.0).sample(word), 1.0);
        }
    }

    #[test]
    fn lognormal_tails_match_the_exact_quantiles_down_to_the_last_word() {
        for sigma in [0.2, 0.35, 0.9] {
            let table = LognormalTable::new(sigma);
            let mut worst: f64 = 0.0;
            // Every word of the outer 1/32 at each end, sampled densely near the extremes.
            let tail = (1u32 << 27) as u64;
            let words = (0..tail).step_by(97).chain(0..4096).map(|k| k as u32);
            for low in words {
                for word in [low, u32::MAX - low] {
                    let exact = mean_one_lognormal(sigma, ppnd7(unit(word)));
                    worst = worst.max(((table.sample(word) - exact) / exact).abs());
                }
            }
            assert!(worst < 1e-4, "sigma {sigma}: worst relative error {worst}");
        }
    }

    #[test]
    fn sampling_many_at_once_gives_the_numbers_of_one_at_a_time() {
        let table = LognormalTable::new(0.45);
        // Both ends, the edges of the tail intervals, and a sweep; 1,011 words, so the last
        // few are not a whole group of eight.
        let edge = (TAIL_INTERVALS as u64 * (1 << 32) / TABLE_INTERVALS as u64) as u32;
        let mut words =
            vec![0, 1, u32::MAX, u32::MAX - 1, edge - 1, edge, edge + 1, !edge, !edge + 1, !edge - 1];
        words.extend((0..1_001u32).map(|i| i.wrapping_mul(4_290_091)));
        let one_at_a_time: Vec<u64> = words.iter().map(|&w| table.sample(w).to_bits()).collect();
        for cpu in Cpu::available() {
            let mut all = vec![0.0; words.len()];
            table.sample_all(cpu, &words, &mut all);
            assert_eq!(all.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), one_at_a_time, "{cpu}");
        }
    }

    #[test]
    fn hazards_many_at_once_give_the_probabilities_of_one_at_a_time() {
        let table = HazardTable::default();
        // Inside the table, its edges, outside it (negative, beyond, infinite, NaN); 1,013
        // rates, so the last few are not a whole group of eight.
        let mut rates = vec![0.0, -0.0, 1e-300, -1e-9, HAZARD_MAX_RATE, HAZARD_MAX_RATE - 1e-12, 40.0];
        rates.extend([f64::INFINITY, f64::NAN, 15.999_999]);
        rates.extend((0..1_003u32).map(|i| f64::from(i) * 0.017 - 0.5));
        let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let one_at_a_time: Vec<f64> = rates.iter().map(|&r| table.probability(r)).collect();
        for cpu in Cpu::available() {
            let mut all = vec![0.0; rates.len()];
            table.probability_all(cpu, &rates, &mut all);
            assert_eq!(bits(&all), bits(&one_at_a_time), "{cpu}");
        }
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
