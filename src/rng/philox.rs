//! The Philox4x32-10 generator (Salmon et al. 2011), one block at a time and in batches.
//!
//! One block is a chain of ten dependent multiply rounds (about 40 cycles of latency). The
//! household loop therefore computes the blocks of a batch of households ahead
//! ([`fill_blocks`]), so that the chains of different households overlap in the CPU instead
//! of stalling each household's update. On x86-64 CPUs, detected at run time as the
//! run's [`Cpu`] path chooses, sixteen blocks are computed per instruction stream with
//! AVX-512 or eight with AVX2; on the portable path one after another. Every path computes
//! the same words (tested here and, on whole runs, in the determinism tests).

use crate::cpu::Cpu;

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// The Philox4x32 bijection with 10 rounds.
#[inline(always)]
pub(crate) fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
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

/// Fill `out[i]` with the block of counter `[0, first + i, high[0], high[1]]` under `key`:
/// the blocks of consecutive entities for one purpose, season and replication, computed on
/// `cpu`'s path.
#[inline]
pub(crate) fn fill_blocks(cpu: Cpu, key: [u32; 2], high: [u32; 2], first: u32, out: &mut [[u32; 4]]) {
    #[cfg(target_arch = "x86_64")]
    {
        if cpu.v4().is_some() {
            // SAFETY: `cpu` holds a `V4` token, made only on CPUs with AVX-512F (and the
            // rest of x86-64-v4), the one feature `avx512::fill_blocks` enables.
            #[allow(unsafe_code)]
            return unsafe { avx512::fill_blocks(key, high, first, out) };
        }
        if cpu.v3().is_some() {
            // SAFETY: `cpu` holds a `V3` token, made only on CPUs with AVX2 (and the rest
            // of x86-64-v3), the one feature `avx2::fill_blocks` enables.
            #[allow(unsafe_code)]
            return unsafe { avx2::fill_blocks(key, high, first, out) };
        }
    }
    let _ = cpu;
    fill_blocks_portable(key, high, first, out);
}

/// [`fill_blocks`] as columns: `out[w][i]` is word `w` of the block of entity `first + i`
/// (all four columns as long), so that code working on many entities at once reads each
/// word as a column.
#[inline]
pub(crate) fn fill_columns(cpu: Cpu, key: [u32; 2], high: [u32; 2], first: u32, out: [&mut [u32]; 4]) {
    let n = out[0].len();
    assert!(out.iter().all(|c| c.len() == n), "columns of one length");
    #[cfg(target_arch = "x86_64")]
    {
        if cpu.v4().is_some() {
            // SAFETY: `cpu` holds a `V4` token, made only on CPUs with AVX-512F (and the
            // rest of x86-64-v4), the one feature `avx512::fill_columns` enables.
            #[allow(unsafe_code)]
            return unsafe { avx512::fill_columns(key, high, first, out) };
        }
        if cpu.v3().is_some() {
            // SAFETY: `cpu` holds a `V3` token, made only on CPUs with AVX2 (and the rest
            // of x86-64-v3), the one feature `avx2::fill_columns` enables.
            #[allow(unsafe_code)]
            return unsafe { avx2::fill_columns(key, high, first, out) };
        }
    }
    let _ = cpu;
    fill_columns_portable(key, high, first, out);
}

fn fill_columns_portable(key: [u32; 2], high: [u32; 2], first: u32, out: [&mut [u32]; 4]) {
    let [w0, w1, w2, w3] = out;
    for (i, (((w0, w1), w2), w3)) in w0.iter_mut().zip(w1).zip(w2).zip(w3).enumerate() {
        [*w0, *w1, *w2, *w3] = philox4x32_10([0, first.wrapping_add(i as u32), high[0], high[1]], key);
    }
}

/// The columns `out` from element `from` on.
fn columns_from(out: [&mut [u32]; 4], from: usize) -> [&mut [u32]; 4] {
    out.map(|c| &mut c[from..])
}

fn fill_blocks_portable(key: [u32; 2], high: [u32; 2], first: u32, out: &mut [[u32; 4]]) {
    for (i, block) in out.iter_mut().enumerate() {
        *block = philox4x32_10([0, first.wrapping_add(i as u32), high[0], high[1]], key);
    }
}

/// The first eight blocks of one entity's stream: counters `[i, entity, high[0], high[1]]`
/// for `i` in 0..8 under `key`, computed together (for streams that need several blocks).
#[inline]
pub(crate) fn stream_blocks(cpu: Cpu, key: [u32; 2], entity: u32, high: [u32; 2]) -> [[u32; 4]; 8] {
    #[cfg(target_arch = "x86_64")]
    if cpu.v3().is_some() {
        // SAFETY: `cpu` holds a `V3` token (the AVX2 and AVX-512 paths), made only on CPUs
        // with AVX2, the one feature `avx2::stream_blocks` enables.
        #[allow(unsafe_code)]
        return unsafe { avx2::stream_blocks(key, entity, high) };
    }
    let _ = cpu;
    std::array::from_fn(|i| philox4x32_10([i as u32, entity, high[0], high[1]], key))
}

/// Philox4x32-10 on eight counters at once: each 256-bit register holds one word of eight
/// blocks. AVX2 multiplies the even 32-bit lanes to 64 bits (`vpmuludq`), so each round
/// multiplies even and odd lanes separately and blends the halves back.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{M0, M1, W0, W1, fill_blocks_portable};

    /// High and low 32 bits of `a × m` in every lane.
    #[target_feature(enable = "avx2")]
    fn mul_hi_lo(a: __m256i, m: __m256i) -> (__m256i, __m256i) {
        let even = _mm256_mul_epu32(a, m);
        let odd = _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), m);
        let hi = _mm256_blend_epi32::<0b1010_1010>(_mm256_srli_epi64::<32>(even), odd);
        let lo = _mm256_blend_epi32::<0b1010_1010>(even, _mm256_slli_epi64::<32>(odd));
        (hi, lo)
    }

    /// Eight consecutive values from `first`, one per lane.
    #[target_feature(enable = "avx2")]
    fn ramp(first: u32) -> __m256i {
        let e = |i: u32| first.wrapping_add(i) as i32;
        _mm256_setr_epi32(e(0), e(1), e(2), e(3), e(4), e(5), e(6), e(7))
    }

    /// Words 0 to 3 of eight blocks with counter words 0 and 1 `c0` and `c1` (one lane per
    /// block) and words 2 and 3 `high`; lane `i` of each result belongs to block `i`.
    #[target_feature(enable = "avx2")]
    fn eight(key: [u32; 2], c0: __m256i, c1: __m256i, high: [u32; 2]) -> [__m256i; 4] {
        let (mut c0, mut c1) = (c0, c1);
        let mut c2 = _mm256_set1_epi32(high[0] as i32);
        let mut c3 = _mm256_set1_epi32(high[1] as i32);
        let (m0, m1) = (_mm256_set1_epi32(M0 as i32), _mm256_set1_epi32(M1 as i32));
        let mut k = key;
        for round in 0..10 {
            if round > 0 {
                k[0] = k[0].wrapping_add(W0);
                k[1] = k[1].wrapping_add(W1);
            }
            let (hi0, lo0) = mul_hi_lo(c0, m0);
            let (hi1, lo1) = mul_hi_lo(c2, m1);
            c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(k[0] as i32));
            c1 = lo1;
            c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(k[1] as i32));
            c3 = lo0;
        }
        [c0, c1, c2, c3]
    }

    /// Store eight blocks, whose words 0 to 3 are lanes of `w0` to `w3` (lane `i` of each
    /// belongs to block `i`), as `out[0..8]`: a 4 × 4 transpose within each 128-bit half.
    #[target_feature(enable = "avx2")]
    fn store_blocks(w: [__m256i; 4], out: &mut [[u32; 4]]) {
        assert!(out.len() >= 8);
        let t0 = _mm256_unpacklo_epi32(w[0], w[1]);
        let t1 = _mm256_unpacklo_epi32(w[2], w[3]);
        let t2 = _mm256_unpackhi_epi32(w[0], w[1]);
        let t3 = _mm256_unpackhi_epi32(w[2], w[3]);
        // Block k of each half (k = 0..4): blocks k and 4 + k.
        let halves = [
            _mm256_unpacklo_epi64(t0, t1),
            _mm256_unpackhi_epi64(t0, t1),
            _mm256_unpacklo_epi64(t2, t3),
            _mm256_unpackhi_epi64(t2, t3),
        ];
        let ptr: *mut __m128i = out.as_mut_ptr().cast();
        for (k, r) in halves.into_iter().enumerate() {
            // SAFETY: blocks k and 4 + k are within `out` (checked above); each block is
            // 16 bytes, written unaligned.
            #[allow(unsafe_code)]
            unsafe {
                _mm_storeu_si128(ptr.add(k), _mm256_castsi256_si128(r));
                _mm_storeu_si128(ptr.add(4 + k), _mm256_extracti128_si256::<1>(r));
            }
        }
    }

    /// [`super::fill_blocks`] for CPUs with AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) fn fill_blocks(key: [u32; 2], high: [u32; 2], first: u32, out: &mut [[u32; 4]]) {
        let mut chunks = out.chunks_exact_mut(8);
        let mut entity = first;
        for chunk in &mut chunks {
            store_blocks(eight(key, _mm256_setzero_si256(), ramp(entity), high), chunk);
            entity = entity.wrapping_add(8);
        }
        fill_blocks_portable(key, high, entity, chunks.into_remainder());
    }

    /// [`super::fill_columns`] for CPUs with AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) fn fill_columns(key: [u32; 2], high: [u32; 2], first: u32, mut out: [&mut [u32]; 4]) {
        let whole = out[0].len() / 8 * 8;
        for i in (0..whole).step_by(8) {
            let words = eight(key, _mm256_setzero_si256(), ramp(first.wrapping_add(i as u32)), high);
            for (column, word) in out.iter_mut().zip(words) {
                let column = &mut column[i..i + 8];
                // SAFETY: eight elements, written unaligned.
                #[allow(unsafe_code)]
                unsafe {
                    _mm256_storeu_si256(column.as_mut_ptr().cast(), word)
                };
            }
        }
        super::fill_columns_portable(
            key,
            high,
            first.wrapping_add(whole as u32),
            super::columns_from(out, whole),
        );
    }

    /// [`super::stream_blocks`] for CPUs with AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) fn stream_blocks(key: [u32; 2], entity: u32, high: [u32; 2]) -> [[u32; 4]; 8] {
        let mut out = [[0; 4]; 8];
        store_blocks(eight(key, ramp(0), _mm256_set1_epi32(entity as i32), high), &mut out);
        out
    }
}

/// Philox4x32-10 on sixteen counters at once in AVX-512 registers, as [`avx2`] does on eight.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{M0, M1, W0, W1, fill_blocks_portable};

    /// Odd 32-bit lanes.
    const ODD: __mmask16 = 0b1010_1010_1010_1010;

    /// High and low 32 bits of `a × m` in every lane.
    #[target_feature(enable = "avx512f")]
    fn mul_hi_lo(a: __m512i, m: __m512i) -> (__m512i, __m512i) {
        let even = _mm512_mul_epu32(a, m);
        let odd = _mm512_mul_epu32(_mm512_srli_epi64::<32>(a), m);
        let hi = _mm512_mask_blend_epi32(ODD, _mm512_srli_epi64::<32>(even), odd);
        let lo = _mm512_mask_blend_epi32(ODD, even, _mm512_slli_epi64::<32>(odd));
        (hi, lo)
    }

    /// Sixteen consecutive values from `first`, one per lane.
    #[target_feature(enable = "avx512f")]
    fn ramp(first: u32) -> __m512i {
        let steps = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        _mm512_add_epi32(_mm512_set1_epi32(first as i32), steps)
    }

    /// Words 0 to 3 of sixteen blocks with counter words 0 and 1 `c0` and `c1` (one lane
    /// per block) and words 2 and 3 `high`; lane `i` of each result belongs to block `i`.
    #[target_feature(enable = "avx512f")]
    fn sixteen(key: [u32; 2], c0: __m512i, c1: __m512i, high: [u32; 2]) -> [__m512i; 4] {
        let (mut c0, mut c1) = (c0, c1);
        let mut c2 = _mm512_set1_epi32(high[0] as i32);
        let mut c3 = _mm512_set1_epi32(high[1] as i32);
        let (m0, m1) = (_mm512_set1_epi32(M0 as i32), _mm512_set1_epi32(M1 as i32));
        let mut k = key;
        for round in 0..10 {
            if round > 0 {
                k[0] = k[0].wrapping_add(W0);
                k[1] = k[1].wrapping_add(W1);
            }
            let (hi0, lo0) = mul_hi_lo(c0, m0);
            let (hi1, lo1) = mul_hi_lo(c2, m1);
            // 0x96: the exclusive or of all three operands.
            c0 = _mm512_ternarylogic_epi32::<0x96>(hi1, c1, _mm512_set1_epi32(k[0] as i32));
            c1 = lo1;
            c2 = _mm512_ternarylogic_epi32::<0x96>(hi0, c3, _mm512_set1_epi32(k[1] as i32));
            c3 = lo0;
        }
        [c0, c1, c2, c3]
    }

    /// Store sixteen blocks, whose words 0 to 3 are lanes of `w[0]` to `w[3]`, as
    /// `out[0..16]`: a 4 × 4 transpose within each 128-bit quarter.
    #[target_feature(enable = "avx512f")]
    fn store_blocks(w: [__m512i; 4], out: &mut [[u32; 4]]) {
        assert!(out.len() >= 16);
        let t0 = _mm512_unpacklo_epi32(w[0], w[1]);
        let t1 = _mm512_unpacklo_epi32(w[2], w[3]);
        let t2 = _mm512_unpackhi_epi32(w[0], w[1]);
        let t3 = _mm512_unpackhi_epi32(w[2], w[3]);
        // Block k of each quarter q (k = 0..4): block 4q + k.
        let quarters = [
            _mm512_unpacklo_epi64(t0, t1),
            _mm512_unpackhi_epi64(t0, t1),
            _mm512_unpacklo_epi64(t2, t3),
            _mm512_unpackhi_epi64(t2, t3),
        ];
        let ptr: *mut __m128i = out.as_mut_ptr().cast();
        for (k, r) in quarters.into_iter().enumerate() {
            // SAFETY: blocks k, 4 + k, 8 + k and 12 + k are within `out` (checked above);
            // each block is 16 bytes, written unaligned.
            #[allow(unsafe_code)]
            unsafe {
                _mm_storeu_si128(ptr.add(k), _mm512_extracti32x4_epi32::<0>(r));
                _mm_storeu_si128(ptr.add(4 + k), _mm512_extracti32x4_epi32::<1>(r));
                _mm_storeu_si128(ptr.add(8 + k), _mm512_extracti32x4_epi32::<2>(r));
                _mm_storeu_si128(ptr.add(12 + k), _mm512_extracti32x4_epi32::<3>(r));
            }
        }
    }

    /// [`super::fill_columns`] for CPUs with AVX-512.
    #[target_feature(enable = "avx512f")]
    pub(super) fn fill_columns(key: [u32; 2], high: [u32; 2], first: u32, mut out: [&mut [u32]; 4]) {
        let whole = out[0].len() / 16 * 16;
        for i in (0..whole).step_by(16) {
            let words = sixteen(key, _mm512_setzero_si512(), ramp(first.wrapping_add(i as u32)), high);
            for (column, word) in out.iter_mut().zip(words) {
                let column = &mut column[i..i + 16];
                // SAFETY: sixteen elements, written unaligned.
                #[allow(unsafe_code)]
                unsafe {
                    _mm512_storeu_si512(column.as_mut_ptr().cast(), word)
                };
            }
        }
        super::fill_columns_portable(
            key,
            high,
            first.wrapping_add(whole as u32),
            super::columns_from(out, whole),
        );
    }

    /// [`super::fill_blocks`] for CPUs with AVX-512.
    #[target_feature(enable = "avx512f")]
    pub(super) fn fill_blocks(key: [u32; 2], high: [u32; 2], first: u32, out: &mut [[u32; 4]]) {
        let mut chunks = out.chunks_exact_mut(16);
        let mut entity = first;
        for chunk in &mut chunks {
            store_blocks(sixteen(key, _mm512_setzero_si512(), ramp(entity), high), chunk);
            entity = entity.wrapping_add(16);
        }
        fill_blocks_portable(key, high, entity, chunks.into_remainder());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_gives_the_blocks_of_single_calls() {
        let key = [0x1234_5678, 0x9ABC_DEF0];
        let high = [7 | (5 << 20), 3];
        // Not a multiple of sixteen, and across the wrap-around of the entity word.
        let first = u32::MAX - 20;
        let expected: Vec<[u32; 4]> =
            (0..45u32).map(|i| philox4x32_10([0, first.wrapping_add(i), high[0], high[1]], key)).collect();
        for cpu in Cpu::available() {
            let mut blocks = vec![[0; 4]; 45];
            fill_blocks(cpu, key, high, first, &mut blocks);
            assert_eq!(blocks, expected, "{cpu}");
        }
    }

    #[test]
    fn every_path_gives_the_blocks_as_columns() {
        let key = [0x0BAD_F00D, 0x1357_9BDF];
        let high = [11 | (2 << 20), 5];
        // Not a multiple of sixteen, and across the wrap-around of the entity word.
        let first = u32::MAX - 30;
        let blocks: Vec<[u32; 4]> =
            (0..61u32).map(|i| philox4x32_10([0, first.wrapping_add(i), high[0], high[1]], key)).collect();
        let expected: [Vec<u32>; 4] = std::array::from_fn(|w| blocks.iter().map(|b| b[w]).collect());
        for cpu in Cpu::available() {
            let mut columns: [Vec<u32>; 4] = std::array::from_fn(|_| vec![0; 61]);
            fill_columns(cpu, key, high, first, columns.each_mut().map(|c| c.as_mut_slice()));
            assert_eq!(columns, expected, "{cpu}");
        }
    }

    #[test]
    fn stream_blocks_are_the_first_eight_blocks_of_the_stream() {
        let (key, high) = ([3, 0xFFFF_FFFF], [0xF_FFFF | (1 << 20), 9]);
        let expected: [[u32; 4]; 8] =
            std::array::from_fn(|i| philox4x32_10([i as u32, 77, high[0], high[1]], key));
        for cpu in Cpu::available() {
            assert_eq!(stream_blocks(cpu, key, 77, high), expected, "{cpu}");
        }
    }

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
}
