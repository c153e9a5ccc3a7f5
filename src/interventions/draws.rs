//! The random numbers of delivery: one Philox block per household, intervention and season.
//!
//! Word 0 decides whether a household is invited under `targeting = "all"`, word 1 whether
//! an invited household takes part. With `all`, every eligible household of the province
//! needs its block each season, so the blocks of runs of nearby households are drawn
//! together ([`RunKey::blocks`]) and chunks of households are decided in parallel; the
//! numbers are those [`RunKey::block`] gives each household, whatever the chunking.

use rayon::prelude::*;

use crate::cpu::Cpu;
use crate::interventions::DeliveryCtx;
use crate::rng::{Purpose, RunKey};

/// Blocks drawn together at most.
const RUN: usize = 64;
/// Households decided by one task.
const CHUNK: usize = 16_384;

/// The ids among `ids` (ascending) for which `keep(id, block)` holds, ascending, where
/// `block` is the household's block for the intervention whose id hashes to `hash`.
pub(super) fn select(
    ctx: &DeliveryCtx,
    hash: u64,
    ids: &[u32],
    keep: impl Fn(u32, [u32; 4]) -> bool + Sync,
) -> Vec<u32> {
    ids.par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut kept = Vec::new();
            each_block(ctx.cpu, ctx.run, ctx.season, hash, chunk, |id, block| {
                if keep(id, block) {
                    kept.push(id);
                }
            });
            kept
        })
        .collect()
}

/// Call `f(id, block)` for every id of `ids` (ascending), in order. Ids less than [`RUN`]
/// apart share one call of the batched generator; an isolated id costs one block.
fn each_block(cpu: Cpu, run: RunKey, season: u32, hash: u64, ids: &[u32], mut f: impl FnMut(u32, [u32; 4])) {
    let purpose = Purpose::Intervention(hash);
    let mut blocks = [[0; 4]; RUN];
    let mut rest = ids;
    while let Some(&first) = rest.first() {
        let within = rest.iter().take(RUN).take_while(|&&id| id - first < RUN as u32).count();
        let len = (rest[within - 1] - first) as usize + 1;
        run.blocks(cpu, season, purpose, first, &mut blocks[..len]);
        for &id in &rest[..within] {
            f(id, blocks[(id - first) as usize]);
        }
        rest = &rest[within..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_gets_its_own_block_whatever_its_neighbours() {
        let run = RunKey { seed: 9, replication: 2 };
        // Dense runs, gaps of one, of 63, 64 and 65, and ids near the top of the range.
        let mut ids: Vec<u32> = (0..150).collect();
        ids.extend([151, 153, 216, 280, 345, 1_000_000]);
        ids.extend((0..70).map(|i| u32::MAX - 70 + i));
        let mut seen = Vec::new();
        each_block(Cpu::best(), run, 5, 77, &ids, |id, block| seen.push((id, block)));
        let expected: Vec<(u32, [u32; 4])> =
            ids.iter().map(|&id| (id, run.block(5, Purpose::Intervention(77), id))).collect();
        assert_eq!(seen, expected);
    }
}
