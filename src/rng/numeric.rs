//! Turning random words into numbers: uniforms, normals, lognormal multipliers and hazards.

use crate::cpu::Cpu;

/// `exp(sigma · z − sigma²/2)`: a lognormal multiplier with mean one from a standard normal `z`.
#[inline]
pub(crate) fn mean_one_lognormal(sigma: f64, z: f64) -> f64 {
    if sigma == 0.0 { 1.0 } else { exp(sigma * z - 0.5 * sigma * sigma) }
}

/// `e^x`, computed the same way on every platform (the platform's `libm` may differ in the
/// last bit) and cheaply enough for the household loop: x = k·ln 2 + r with |r| ≤ ln 2 / 2
/// (Cody–Waite split of ln 2), e^r by its Taylor series to degree 12 (relative error < 1e-15),
/// scaled by 2^k through the exponent bits.
#[inline]
pub(crate) fn exp(x: f64) -> f64 {
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
pub(crate) fn hazard(rate: f64) -> f64 {
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
pub(crate) fn std_normal(word: u32) -> f64 {
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
/// Nodes of the central table and of each tail table.
const CENTRAL_NODES: usize = TABLE_INTERVALS + 1;
const TAIL_NODES: usize = TAIL_OCTAVES * TAIL_STEPS_PER_OCTAVE + 1;
/// Where the lower and the upper tail table start among a [`LognormalTable`]'s nodes.
const LOWER: usize = CENTRAL_NODES;
const UPPER: usize = LOWER + TAIL_NODES;
/// Nodes of a [`LognormalTable`]: the central table, then the two tail tables.
const LOGNORMAL_NODES: usize = UPPER + TAIL_NODES;

/// Words, rates or lanes located together by the many-at-a-time lookups.
const GROUP: usize = 64;

/// The quantile function of a mean-one lognormal multiplier, so that one 32-bit word gives
/// a draw without an inverse normal or an exponential in the household loop. A central
/// table holds 1,025 evenly spaced probabilities; where the function is steep, in the outer
/// 32 intervals of each end (6 % of draws), two tail tables hold 64 log-spaced probabilities
/// per octave down to 2^-33. Both are interpolated linearly; the relative error is below
/// 1e-4 everywhere (tested).
#[derive(Clone, Debug)]
pub struct LognormalTable {
    /// The three tables one after another, so that every draw is an interpolation between
    /// two neighbouring nodes, wherever it falls: the central table's 1,025 values (from
    /// 0), then at tail probabilities t (see [`tail_node`]) the multiplier at probability
    /// t (from [`LOWER`]) and at probability 1 − t (from [`UPPER`]).
    nodes: Box<[f64; LOGNORMAL_NODES]>,
}

/// Probability of tail node `k`: 2^(octave − 33) × (1 + step / 64).
fn tail_node(k: usize) -> f64 {
    let (octave, step) = (k / TAIL_STEPS_PER_OCTAVE, k % TAIL_STEPS_PER_OCTAVE);
    (2f64).powi(octave as i32 - 33) * (1.0 + step as f64 / TAIL_STEPS_PER_OCTAVE as f64)
}

/// An integer below 2^52 as an `f64` (exactly `m as f64`), with only the operations every
/// path has in vector registers: AVX2 and SSE2 have no vector conversion from a 64-bit
/// integer, and one `as f64` kept a whole loop scalar.
#[inline(always)]
fn small_u64_to_f64(m: u64) -> f64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    f64::from_bits(TWO_52.to_bits() | m) - TWO_52
}

impl LognormalTable {
    /// The tables for log-standard deviation `sigma`.
    pub fn new(sigma: f64) -> Self {
        let central = (0..CENTRAL_NODES).map(|i| {
            let p = (i as f64 / TABLE_INTERVALS as f64).clamp(1e-12, 1.0 - 1e-12);
            mean_one_lognormal(sigma, ppnd7(p))
        });
        let z: Vec<f64> = (0..TAIL_NODES).map(|k| ppnd7(tail_node(k))).collect();
        let lower = z.iter().map(|&z| mean_one_lognormal(sigma, z));
        let upper = z.iter().map(|&z| mean_one_lognormal(sigma, -z));
        let nodes: Vec<f64> = central.chain(lower).chain(upper).collect();
        Self { nodes: nodes.into_boxed_slice().try_into().expect("the nodes of the three tables") }
    }

    /// The node below a `word`'s probability u and the fraction of the way to the next,
    /// wherever u falls ([`LognormalTable::central`] or [`LognormalTable::tail`]): both
    /// are computed and one is chosen, without a branch (whether a word falls in a tail
    /// varies from one word to the next). The node is below `LOGNORMAL_NODES − 1`.
    #[inline(always)]
    fn locate(word: u32) -> (u32, f64) {
        let u = unit(word);
        let (central, i, t) = Self::central(word);
        let (tail, fraction) = Self::tail(u);
        let (node, fraction) = if central { (i, t) } else { (tail, fraction) };
        (node.min(LOGNORMAL_NODES as u32 - 2), fraction)
    }

    /// Whether a `word`'s probability u is in the central table's inner intervals, and
    /// its node there and the fraction of the way to the next.
    #[inline(always)]
    fn central(word: u32) -> (bool, u32, f64) {
        let u = unit(word);
        let x = u * TABLE_INTERVALS as f64;
        // SAFETY: u = (word + 1/2) / 2^32 is in (0, 1) (exactly so: the largest is
        // 1 − 2^-33), so x is in (0, 1024) and its integer part is an i32. (`as i32`
        // saturates, which the compiler does lane by lane: one instruction this way.)
        #[allow(unsafe_code)]
        let i: i32 = unsafe { x.to_int_unchecked() };
        let central = (TAIL_INTERVALS as i32..(TABLE_INTERVALS - TAIL_INTERVALS) as i32).contains(&i);
        (central, i as u32, x - f64::from(i))
    }

    /// The node of a probability `u` in the outer 32 intervals of either end and the
    /// fraction of the way to the next, in a tail table: the tail probability
    /// t = min(u, 1 − u) (exact in floating point) lies in [2^-33, 2^-5), and the exponent
    /// and top mantissa bits of t index its log-spaced node.
    #[inline(always)]
    fn tail(u: f64) -> (u32, f64) {
        let lower = u < 0.5;
        let t = if lower { u } else { 1.0 - u };
        let bits = t.to_bits();
        let octave = ((bits >> 52) as u32).saturating_sub(1023 - 33).min(TAIL_OCTAVES as u32 - 1);
        let step = ((bits >> TAIL_FRACTION_BITS) as u32) & (TAIL_STEPS_PER_OCTAVE as u32 - 1);
        let table = if lower { LOWER } else { UPPER } as u32;
        let fraction =
            small_u64_to_f64(bits & ((1 << TAIL_FRACTION_BITS) - 1)) / (1u64 << TAIL_FRACTION_BITS) as f64;
        (table + octave * TAIL_STEPS_PER_OCTAVE as u32 + step, fraction)
    }

    /// The multiplier for a random `word`, one at a time (as `LognormalTable::locate`
    /// with a branch: alone, a word is nearly always central).
    #[inline(always)]
    pub fn sample(&self, word: u32) -> f64 {
        let (central, i, t) = Self::central(word);
        if central { between(&self.nodes, i, t) } else { self.sample_tail(unit(word)) }
    }

    /// The multiplier at a probability `u` in a tail.
    #[inline(never)]
    fn sample_tail(&self, u: f64) -> f64 {
        let (node, fraction) = Self::tail(u);
        between(&self.nodes, node, fraction)
    }

    /// `out[i] = self.sample(words[i])` for every `i`: located in lanes on `cpu`'s path
    /// and interpolated four or eight at a time on the AVX2 and AVX-512 paths (`interpolate_all`);
    /// the same numbers either way.
    pub(crate) fn sample_all(&self, cpu: Cpu, words: &[u32], out: &mut [f64]) {
        assert_eq!(words.len(), out.len());
        let (mut nodes, mut fractions) = ([0; GROUP], [0.0; GROUP]);
        for (words, out) in words.chunks(GROUP).zip(out.chunks_mut(GROUP)) {
            let n = words.len();
            cpu.vectorize(
                #[inline(always)]
                || {
                    for ((node, fraction), &w) in nodes.iter_mut().zip(&mut fractions).zip(words) {
                        (*node, *fraction) = Self::locate(w);
                    }
                },
            );
            interpolate_all(cpu, &self.nodes, &nodes[..n], &fractions[..n], out);
        }
    }
}

/// `nodes[k] + fraction × (nodes[k + 1] − nodes[k])`: the linear interpolation of
/// [`LognormalTable::sample`] (`k` below `N − 1`; the
/// `min` only tells the compiler so).
#[inline(always)]
fn between<const N: usize>(nodes: &[f64; N], k: u32, fraction: f64) -> f64 {
    let k = (k as usize).min(N - 2);
    nodes[k] + fraction * (nodes[k + 1] - nodes[k])
}

/// `out[i] = between(nodes, k[i], fractions[i])` for every `i`: eight or four at a time
/// with [`pairs8`] or [`pairs4`] on `cpu`'s AVX-512 or AVX2 path, one at a time elsewhere; the same
/// numbers either way (a multiply and an add, never fused).
#[inline(always)]
fn interpolate_all<const N: usize>(
    cpu: Cpu,
    nodes: &[f64; N],
    k: &[u32],
    fractions: &[f64],
    out: &mut [f64],
) {
    let n = out.len();
    assert!(k.len() == n && fractions.len() == n);
    #[cfg(target_arch = "x86_64")]
    let done = if cpu.v4().is_some() {
        // SAFETY: `cpu` holds a `V4` token, made only on CPUs with AVX-512F and AVX2 (and
        // the rest of x86-64-v4), the features `interpolate_all8` enables; `k`, `fractions` and
        // `out` have `n` elements (asserted).
        #[allow(unsafe_code)]
        unsafe {
            interpolate_all8(nodes, k, fractions, out)
        }
    } else if cpu.v3().is_some() {
        // SAFETY: `cpu` holds a `V3` token, made only on CPUs with AVX2 (and the rest of
        // x86-64-v3), the feature `interpolate_all4` enables; `k`, `fractions` and `out` have `n`
        // elements (asserted).
        #[allow(unsafe_code)]
        unsafe {
            interpolate_all4(nodes, k, fractions, out)
        }
    } else {
        0
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (done, _) = (0, cpu);
    for ((o, &k), &f) in out[done..].iter_mut().zip(&k[done..]).zip(&fractions[done..]) {
        *o = between(nodes, k, f);
    }
}

/// [`interpolate_all`] eight at a time with AVX-512 ([`pairs8`]), for the whole groups of
/// eight; returns how many were done.
///
/// # Safety
/// The CPU has AVX-512F and AVX2; `k`, `fractions` and `out` have the same length.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2")]
#[allow(unsafe_code)]
unsafe fn interpolate_all8<const N: usize>(
    nodes: &[f64; N],
    k: &[u32],
    fractions: &[f64],
    out: &mut [f64],
) -> usize {
    use std::arch::x86_64::*;
    let whole = out.len() / 8 * 8;
    let last = _mm256_set1_epi32((N - 2) as i32);
    for i in (0..whole).step_by(8) {
        // SAFETY: elements i..i + 8 of the three slices exist (i + 8 ≤ whole ≤ their
        // length); each index is at most N − 2 (the `min`, as in `between`), so that it
        // and the next index are within `nodes`.
        unsafe {
            let k = _mm256_min_epu32(_mm256_loadu_si256(k.as_ptr().add(i).cast()), last);
            let f = _mm512_loadu_pd(fractions.as_ptr().add(i));
            let (lo, hi) = pairs8(nodes.as_ptr(), k);
            _mm512_storeu_pd(
                out.as_mut_ptr().add(i),
                _mm512_add_pd(lo, _mm512_mul_pd(f, _mm512_sub_pd(hi, lo))),
            );
        }
    }
    whole
}

/// [`interpolate_all`] four at a time with AVX2 ([`pairs4`]), for the whole groups of four;
/// returns how many were done.
///
/// # Safety
/// The CPU has AVX2; `k`, `fractions` and `out` have the same length.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn interpolate_all4<const N: usize>(
    nodes: &[f64; N],
    k: &[u32],
    fractions: &[f64],
    out: &mut [f64],
) -> usize {
    use std::arch::x86_64::*;
    let whole = out.len() / 4 * 4;
    let last = _mm_set1_epi32((N - 2) as i32);
    for i in (0..whole).step_by(4) {
        // SAFETY: elements i..i + 4 of the three slices exist (i + 4 ≤ whole ≤ their
        // length); each index is at most N − 2 (the `min`, as in `between`), so that it
        // and the next index are within `nodes`.
        unsafe {
            let k = _mm_min_epu32(_mm_loadu_si128(k.as_ptr().add(i).cast()), last);
            let f = _mm256_loadu_pd(fractions.as_ptr().add(i));
            let (lo, hi) = pairs4(nodes.as_ptr(), k);
            _mm256_storeu_pd(
                out.as_mut_ptr().add(i),
                _mm256_add_pd(lo, _mm256_mul_pd(f, _mm256_sub_pd(hi, lo))),
            );
        }
    }
    whole
}

/// `values[i]` and `values[i + 1]` for the index `i` in each of the four lanes of `i`, as
/// two vectors (lane `l` of each for lane `l` of `i`): four 16-byte loads of neighbouring
/// pairs and a transpose. The same elements as two AVX2 gathers, in fewer micro-operations
/// on the CPUs measured (AMD Zen 4: the household season on the AVX2 path is faster this
/// way).
///
/// # Safety
/// The CPU has AVX2; in every lane, `i` and `i + 1` index elements at `values`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
#[inline]
unsafe fn pairs4(
    values: *const f64,
    i: std::arch::x86_64::__m128i,
) -> (std::arch::x86_64::__m256d, std::arch::x86_64::__m256d) {
    use std::arch::x86_64::*;
    let at = |k: i32| k as u32 as usize;
    let (i0, i1) = (at(_mm_cvtsi128_si32(i)), at(_mm_extract_epi32::<1>(i)));
    let (i2, i3) = (at(_mm_extract_epi32::<2>(i)), at(_mm_extract_epi32::<3>(i)));
    // SAFETY: the caller's promise: each index and the next are elements at `values`.
    let (p0, p1, p2, p3) = unsafe {
        (
            _mm_loadu_pd(values.add(i0)),
            _mm_loadu_pd(values.add(i1)),
            _mm_loadu_pd(values.add(i2)),
            _mm_loadu_pd(values.add(i3)),
        )
    };
    // Lanes 0 and 2, and 1 and 3, side by side: the low and high halves of each are the
    // pair's first and second element.
    let even = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(p0), p2);
    let odd = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(p1), p3);
    (_mm256_unpacklo_pd(even, odd), _mm256_unpackhi_pd(even, odd))
}

/// [`pairs4`] for the eight lanes of `i`, as two AVX-512 vectors: cheaper than two
/// AVX-512 gathers on the CPUs measured (AMD Zen 4), as `pairs4` is than AVX2 gathers.
///
/// # Safety
/// The CPU has AVX-512F and AVX2; in every lane, `i` and `i + 1` index elements at
/// `values`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2")]
#[allow(unsafe_code)]
#[inline]
unsafe fn pairs8(
    values: *const f64,
    i: std::arch::x86_64::__m256i,
) -> (std::arch::x86_64::__m512d, std::arch::x86_64::__m512d) {
    use std::arch::x86_64::*;
    // SAFETY: the caller's promise, for both halves of `i`; AVX2 is enabled here.
    let ((lo0, hi0), (lo1, hi1)) = unsafe {
        (pairs4(values, _mm256_castsi256_si128(i)), pairs4(values, _mm256_extracti128_si256::<1>(i)))
    };
    (
        _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(lo0), lo1),
        _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(hi0), hi1),
    )
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
    pub(crate) fn probability(&self, rate: f64) -> f64 {
        if !(0.0..HAZARD_MAX_RATE).contains(&rate) {
            return exact_hazard(rate);
        }
        let x = rate * HAZARD_STEPS_PER_UNIT;
        // x is in [0, 4096): through i32 the conversion is one instruction.
        let i = x as i32 as usize;
        let t = x - i as f64;
        self.values[i] + t * (self.values[i + 1] - self.values[i])
    }

    /// `out[i] = self.probability(rates[i])` for every `i`: eight or four at a time with
    /// [`pairs8`] or [`pairs4`] on `cpu`'s AVX-512 or AVX2 path, one at a time elsewhere;
    /// the same numbers either way.
    pub(crate) fn probability_all(&self, cpu: Cpu, rates: &[f64], out: &mut [f64]) {
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
        #[cfg(target_arch = "x86_64")]
        if cpu.v3().is_some() {
            // SAFETY: `cpu` holds a `V3` token, made only on CPUs with AVX2 (and the rest
            // of x86-64-v3): the feature `probability_all_avx2` enables.
            #[allow(unsafe_code)]
            unsafe {
                self.probability_all_avx2(rates, out)
            };
            return;
        }
        let _ = cpu;
        for (o, &r) in out.iter_mut().zip(rates) {
            *o = self.probability(r);
        }
    }

    /// [`HazardTable::probability_all`] four at a time with AVX2 ([`pairs4`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[allow(unsafe_code)]
    fn probability_all_avx2(&self, rates: &[f64], out: &mut [f64]) {
        use std::arch::x86_64::*;
        let mut chunks = rates.chunks_exact(4).zip(out.chunks_exact_mut(4));
        for (r4, o4) in &mut chunks {
            // SAFETY: four rates and four outputs. A lane with a rate outside [0,
            // HAZARD_MAX_RATE) (or NaN) is zeroed before its index is taken, so every index is
            // below the table's last (x < 4,096 inside, 0 outside) and it and the next are
            // within the table.
            let inside = unsafe {
                let rate = _mm256_loadu_pd(r4.as_ptr());
                let inside = _mm256_and_pd(
                    _mm256_cmp_pd::<_CMP_GE_OQ>(rate, _mm256_setzero_pd()),
                    _mm256_cmp_pd::<_CMP_LT_OQ>(rate, _mm256_set1_pd(HAZARD_MAX_RATE)),
                );
                // Inside the table, x as `probability` computes it; 0 elsewhere.
                let x = _mm256_and_pd(_mm256_mul_pd(rate, _mm256_set1_pd(HAZARD_STEPS_PER_UNIT)), inside);
                let i = _mm256_cvttpd_epi32(x);
                let t = _mm256_sub_pd(x, _mm256_cvtepi32_pd(i));
                let (lo, hi) = pairs4(self.values.as_ptr(), i);
                _mm256_storeu_pd(o4.as_mut_ptr(), _mm256_add_pd(lo, _mm256_mul_pd(t, _mm256_sub_pd(hi, lo))));
                _mm256_movemask_pd(inside)
            };
            // Rates outside the table (or NaN) are rare: computed exactly, as `probability`.
            if inside != 0b1111 {
                for (o, &r) in o4.iter_mut().zip(r4) {
                    *o = self.probability(r);
                }
            }
        }
        let (rates, out) = (rates.chunks_exact(4).remainder(), out.chunks_exact_mut(4).into_remainder());
        for (o, &r) in out.iter_mut().zip(rates) {
            *o = self.probability(r);
        }
    }

    /// [`HazardTable::probability_all`] eight at a time with AVX-512 ([`interpolate`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    fn probability_all_avx512(&self, rates: &[f64], out: &mut [f64]) {
        use std::arch::x86_64::*;
        let mut chunks = rates.chunks_exact(8).zip(out.chunks_exact_mut(8));
        for (r8, o8) in &mut chunks {
            // SAFETY: eight rates and eight outputs; `interpolate` reads a lane's own index
            // only where its rate is in [0, HAZARD_MAX_RATE) (then below the table's last),
            // index 0 elsewhere.
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
/// (unspecified elsewhere): the linear interpolation of [`HazardTable::probability`], eight
/// lanes at a time ([`pairs8`]).
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
    // Index 0 outside `mask`, whose pair is within the table too.
    let at = _mm256_maskz_mov_epi32(mask, i);
    // SAFETY: the caller's promise: i and i + 1 index `values` in the lanes of `mask`,
    // 0 and 1 elsewhere (a table has more than one value).
    let (lo, hi) = unsafe { pairs8(values.as_ptr(), at) };
    _mm512_add_pd(lo, _mm512_mul_pd(t, _mm512_sub_pd(hi, lo)))
}

#[cold]
#[inline(never)]
fn exact_hazard(rate: f64) -> f64 {
    hazard(rate)
}

/// The standard normal quantile function (AS 241, PPND7).
pub(crate) fn ppnd7(p: f64) -> f64 {
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
