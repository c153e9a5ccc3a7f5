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
//! | key | scenario seed (64 bits); for an intervention's draws XOR the 64-bit hash of its id |
//! | counter 0 | draw index within the stream (each call yields 4 × 32 bits) |
//! | counter 1 | entity (household, village, or 0 for district-wide draws) |
//! | counter 2 | season (low 20 bits) and purpose (high 12 bits) |
//! | counter 3 | replication |
//!
//! Two scenarios with the same seed therefore see the same weather, prices and household
//! shocks (common random numbers), and an intervention's own draws (keyed by the 64-bit
//! hash of its `id`, checked when a scenario loads to differ from every other id's) cannot
//! shift anybody else's nor share another intervention's.
//!
//! The implementation is tested against the Random123 known-answer vectors.

use std::convert::Infallible;

use rand::TryRng;

use crate::cpu::Cpu;

/// Name of the generator, recorded in every `manifest.toml`.
pub(crate) const ALGORITHM: &str =
    "Philox4x32-10 (counter-based; key = seed, counter = draw, entity, season|purpose, replication)";

mod numeric;
mod philox;

pub use numeric::*;
pub(crate) use philox::*;

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
    /// A household's shocks: illness, cattle loss, calf kept, cooperative join or exit.
    Shock,
    /// A household's earnings and adoption: yield or seaweed, wage days, adoption,
    /// spontaneous enterprise start.
    Earnings,
    /// A household's enterprise: demand, exit, trainee start-up.
    Decision,
    /// Cooperative collapse and village-level draws.
    Village,
    /// Targeting and take-up of one intervention: the 64-bit hash of its id
    /// (`id_hash`), which keys its draws together with the seed.
    Intervention(u64),
    /// Designs of parameter draws (entity: the parameter's coordinate).
    Design,
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
            Self::Design => 13,
            Self::Intervention(_) => 0x800,
        }
    }

    /// What the purpose adds to the key: an intervention's id hash (its draws are then
    /// apart from every other intervention's whose id hashes differently, which loading
    /// checks, and from the model's, whose purpose codes differ); 0 for the model's
    /// purposes.
    fn key_word(self) -> u64 {
        match self {
            Self::Intervention(hash) => hash,
            _ => 0,
        }
    }
}

/// The 64-bit FNV-1a hash of an intervention id: what keys its random draws. Two ids of a
/// scenario that hash alike would share their draws, so a scenario loads only if its ids
/// hash apart.
pub(crate) fn id_hash(id: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
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
    pub(crate) fn stream(self, season: u32, purpose: Purpose, entity: u32) -> Draws {
        let [high0, high1] = self.high(season, purpose);
        Draws {
            key: self.key(purpose),
            counter: [0, entity, high0, high1],
            buffer: [0; AHEAD_WORDS],
            len: 0,
            used: 0,
        }
    }

    /// [`RunKey::stream`] with its first eight blocks (32 words) computed together: the
    /// same numbers, faster for streams that use several blocks (a household's traits).
    /// Computed on `cpu`'s path.
    #[inline]
    pub(crate) fn stream_ahead(self, cpu: Cpu, season: u32, purpose: Purpose, entity: u32) -> Draws {
        let high = self.high(season, purpose);
        let blocks = stream_blocks(cpu, self.key(purpose), entity, high);
        let mut buffer = [0; AHEAD_WORDS];
        for (words, block) in buffer.chunks_exact_mut(4).zip(&blocks) {
            words.copy_from_slice(block);
        }
        let counter = [blocks.len() as u32, entity, high[0], high[1]];
        Draws { key: self.key(purpose), counter, buffer, len: AHEAD_WORDS, used: 0 }
    }
}

impl RunKey {
    /// Four 32-bit random words for `entity`'s `purpose` in `season`: one Philox call, the
    /// cheapest way to draw. Each word has a fixed meaning for its purpose, so a household
    /// sees the same numbers in every scenario whatever branch it takes.
    #[inline]
    pub fn block(self, season: u32, purpose: Purpose, entity: u32) -> [u32; 4] {
        let [high0, high1] = self.high(season, purpose);
        philox4x32_10([0, entity, high0, high1], self.key(purpose))
    }

    /// The blocks of entities `first, first + 1, …` (one per element of `out`) for
    /// `purpose` in `season`: what [`RunKey::block`] gives each, computed together on
    /// `cpu`'s path.
    #[inline]
    pub(crate) fn blocks(self, cpu: Cpu, season: u32, purpose: Purpose, first: u32, out: &mut [[u32; 4]]) {
        fill_blocks(cpu, self.key(purpose), self.high(season, purpose), first, out);
    }

    /// [`RunKey::blocks`] as columns: `out[w][i]` is word `w` of the block of entity
    /// `first + i` ([`fill_columns`]), computed on `cpu`'s path.
    #[inline]
    pub(crate) fn block_columns(
        self,
        cpu: Cpu,
        season: u32,
        purpose: Purpose,
        first: u32,
        out: [&mut [u32]; 4],
    ) {
        fill_columns(cpu, self.key(purpose), self.high(season, purpose), first, out);
    }

    /// The Philox key of `purpose`'s draws: the seed, with an intervention's id hash.
    fn key(self, purpose: Purpose) -> [u32; 2] {
        let key = self.seed ^ purpose.key_word();
        [key as u32, (key >> 32) as u32]
    }

    /// Counter words 2 and 3: season and purpose, replication.
    fn high(self, season: u32, purpose: Purpose) -> [u32; 2] {
        debug_assert!(season < (1 << 20), "season fits in 20 bits");
        [(season & 0xF_FFFF) | (purpose.code() << 20), self.replication]
    }
}

/// A keyed stream of random numbers; implements [`rand::Rng`] so `rand_distr` can use it.
#[derive(Clone, Debug)]
pub struct Draws {
    key: [u32; 2],
    /// Counter of the next block to compute.
    counter: [u32; 4],
    /// Words computed and not yet used: `buffer[used..len]`.
    buffer: [u32; AHEAD_WORDS],
    len: usize,
    used: usize,
}

/// Words a [`Draws`] holds: the eight blocks of [`RunKey::stream_ahead`].
const AHEAD_WORDS: usize = 32;

impl Draws {
    #[inline(always)]
    fn next_word(&mut self) -> u32 {
        if self.used == self.len {
            let block = philox4x32_10(self.counter, self.key);
            self.buffer[..4].copy_from_slice(&block);
            self.counter[0] = self.counter[0].wrapping_add(1);
            (self.len, self.used) = (4, 0);
        }
        let w = self.buffer[self.used];
        self.used += 1;
        w
    }

    /// The next 32-bit word.
    #[inline]
    pub fn word(&mut self) -> u32 {
        self.next_word()
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
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A standard normal deviate (by inversion of one 32-bit word, see `std_normal`).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        std_normal(self.next_word())
    }
}

impl TryRng for Draws {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_word())
    }

    #[inline]
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
    fn a_stream_computed_ahead_gives_the_same_words() {
        let run = RunKey { seed: 0xDEAD_BEEF_0123, replication: 4 };
        for cpu in Cpu::available() {
            let mut lazy = run.stream(9, Purpose::Population, 1234);
            let mut ahead = run.stream_ahead(cpu, 9, Purpose::Population, 1234);
            for _ in 0..100 {
                assert_eq!(lazy.next_word(), ahead.next_word(), "{cpu}");
            }
        }
    }

    #[test]
    fn a_draw_is_the_philox_block_of_its_key_and_of_nothing_else() {
        let run = RunKey { seed: 0x0000_0007_0000_0009, replication: 3 };
        // The counter layout of the module doc: draw, entity, season | purpose, replication.
        let expected = philox4x32_10([0, 42, 5 | (7 << 20), 3], [9, 7]);
        let mut stream = run.stream(5, Purpose::Earnings, 42);
        let words: [u32; 4] = std::array::from_fn(|_| stream.next_word());
        assert_eq!(words, expected);
        assert_eq!(run.block(5, Purpose::Earnings, 42), expected);
        // Every part of the key changes the block.
        let others = [
            RunKey { seed: run.seed + 1, ..run }.block(5, Purpose::Earnings, 42),
            RunKey { replication: 4, ..run }.block(5, Purpose::Earnings, 42),
            run.block(6, Purpose::Earnings, 42),
            run.block(5, Purpose::Shock, 42),
            run.block(5, Purpose::Earnings, 43),
        ];
        for other in others {
            assert_ne!(other, expected);
        }
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

    /// 24 interventions (among them "p3" and "p18", which shared a stream when ids were
    /// hashed to 11 bits) draw 24 streams apart from each other and from the model's.
    #[test]
    fn every_intervention_draws_its_own_numbers() {
        let run = RunKey { seed: 20_240_301, replication: 1 };
        let model = [
            Purpose::Population,
            Purpose::Climate,
            Purpose::VillageWeather,
            Purpose::Price,
            Purpose::Shock,
            Purpose::Earnings,
            Purpose::Decision,
            Purpose::Village,
            Purpose::Design,
        ];
        let ids: Vec<String> = (1..=24).map(|i| format!("p{i}")).collect();
        let interventions = ids.iter().map(|id| Purpose::Intervention(id_hash(id)));
        let firsts: Vec<[u32; 4]> =
            model.into_iter().chain(interventions).map(|p| run.block(3, p, 17)).collect();
        let distinct: std::collections::BTreeSet<[u32; 4]> = firsts.iter().copied().collect();
        assert_eq!(distinct.len(), model.len() + ids.len(), "two purposes share a stream");
        assert_ne!(id_hash("p3"), id_hash("p18"));
    }
}
