//! The Philox4x32-10 generator (Salmon et al. 2011), one block at a time and in batches.
//!
//! One block is a chain of ten dependent multiply rounds (about 40 cycles of latency). The
//! household loop therefore computes the blocks of a batch of households ahead
//! ([`fill_blocks`]), so that the chains of different households overlap in the CPU instead
//! of stalling each household's update.

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

/// Fill `out[i]` with the block of counter `[0, first + i, high[0], high[1]]` under `key`:
/// the blocks of consecutive entities for one purpose, season and replication.
#[inline]
pub fn fill_blocks(key: [u32; 2], high: [u32; 2], first: u32, out: &mut [[u32; 4]]) {
    for (i, block) in out.iter_mut().enumerate() {
        let entity = first.wrapping_add(i as u32);
        *block = philox4x32_10([0, entity, high[0], high[1]], key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_give_the_blocks_of_single_calls() {
        let key = [0x1234_5678, 0x9ABC_DEF0];
        let high = [7 | (5 << 20), 3];
        let first = u32::MAX - 20;
        let mut batch = vec![[0; 4]; 45];
        fill_blocks(key, high, first, &mut batch);
        for (i, block) in (0u32..).zip(&batch) {
            assert_eq!(*block, philox4x32_10([0, first.wrapping_add(i), high[0], high[1]], key));
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
