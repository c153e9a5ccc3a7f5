//! The random numbers of one household in one season.
//!
//! Every word of a Philox block has a fixed meaning, named once in `Word` and used by
//! name, so the same household sees the same numbers in every scenario whichever branches
//! it takes (common random numbers).

use crate::cpu::Cpu;
use crate::model::season::SeasonCtx;
use crate::params::SeasonKind;
use crate::rng::{LognormalTable, Purpose};

/// Households whose blocks a [`Batch`] draws together.
pub(crate) const BATCH: usize = 64;

/// Every random word a household draws in a season, by name: the block it comes from
/// ([`Word::purpose`]) and its place there ([`Word::index`]), fixed, so that the same
/// household sees the same numbers in every scenario whichever branches it takes.
///
/// | block | words 0–3 |
/// |---|---|
/// | `Shock` | illness, cattle loss, calf kept, cooperative join or exit |
/// | `Earnings` | yield (wet) or seaweed (dry) deviate, wage-days deviate, adoption, spontaneous start |
/// | `Decision` | enterprise demand deviate, enterprise exit, trainee start-up, (free) |
///
/// Adding a draw is a variant here on a free word (`Decision` word 3, or a new block with
/// its own [`Purpose`]), used by name where the rule draws it; a word once given a meaning
/// is never reused for another, or every result would change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Word {
    /// Whether the household falls ill (`Shock` 0).
    Illness,
    /// Whether a head of cattle is lost (`Shock` 1).
    CattleLoss,
    /// Whether a calf is kept (`Shock` 2).
    CalfKept,
    /// Whether the household joins or leaves the cooperative (`Shock` 3).
    Membership,
    /// The maize yield (wet season) or seaweed (dry season) deviate (`Earnings` 0).
    Crop,
    /// The wage-days deviate (`Earnings` 1).
    LabourDays,
    /// Whether the household adopts or drops improved practice (`Earnings` 2).
    Adoption,
    /// Whether it starts an enterprise on its own (`Earnings` 3).
    SpontaneousStart,
    /// The enterprise demand deviate (`Decision` 0).
    Demand,
    /// Whether the enterprise closes (`Decision` 1).
    EnterpriseExit,
    /// Whether an entrepreneurship trainee starts a venture (`Decision` 2).
    TraineeStart,
}

impl Word {
    /// The block the word comes from.
    pub(crate) const fn purpose(self) -> Purpose {
        match self {
            Self::Illness | Self::CattleLoss | Self::CalfKept | Self::Membership => Purpose::Shock,
            Self::Crop | Self::LabourDays | Self::Adoption | Self::SpontaneousStart => Purpose::Earnings,
            Self::Demand | Self::EnterpriseExit | Self::TraineeStart => Purpose::Decision,
        }
    }

    /// The word's place in its block.
    pub(crate) const fn index(self) -> usize {
        match self {
            Self::Illness | Self::Crop | Self::Demand => 0,
            Self::CattleLoss | Self::LabourDays | Self::EnterpriseExit => 1,
            Self::CalfKept | Self::Adoption | Self::TraineeStart => 2,
            Self::Membership | Self::SpontaneousStart => 3,
        }
    }

    /// The word's place in the `Decision` block.
    pub(crate) const fn decision(self) -> usize {
        assert!(matches!(self.purpose(), Purpose::Decision), "a word of the Decision block");
        self.index()
    }
}

/// The `Shock` and `Earnings` blocks of up to [`BATCH`] consecutive households, drawn
/// together so that the generator's long dependency chains of different households overlap
/// (see [`crate::rng::fill_blocks`]), and their crop and wage-days multipliers, sampled
/// together ([`earnings_noise`]). The numbers are those [`crate::rng::RunKey::block`]
/// gives each household.
pub(crate) struct Batch {
    pub(crate) first: u32,
    /// Word `w` of household `j`'s `Shock` block is `shock[w][j]`.
    pub(crate) shock: [[u32; BATCH]; 4],
    /// Word `w` of household `j`'s `Earnings` block is `earnings[w][j]`.
    pub(crate) earnings: [[u32; BATCH]; 4],
    pub(crate) crop: [f64; BATCH],
    pub(crate) labour: [f64; BATCH],
}

impl Default for Batch {
    fn default() -> Self {
        Self::new()
    }
}

impl Batch {
    /// An empty batch, to be filled with [`Batch::fill`].
    pub fn new() -> Self {
        Self {
            first: 0,
            shock: [[0; BATCH]; 4],
            earnings: [[0; BATCH]; 4],
            crop: [0.0; BATCH],
            labour: [0.0; BATCH],
        }
    }

    /// Draw the blocks of households `first..first + len` (`len` ≤ [`BATCH`]).
    #[cfg(test)]
    pub(crate) fn draw(ctx: &SeasonCtx, first: u32, len: usize) -> Self {
        let mut batch = Self::new();
        batch.fill(ctx, first, len);
        batch
    }

    /// Replace the blocks with those of households `first..first + len` (`len` ≤ [`BATCH`]).
    #[inline]
    pub(crate) fn fill(&mut self, ctx: &SeasonCtx, first: u32, len: usize) {
        self.first = first;
        ctx.run.block_columns(ctx.cpu, ctx.season, Purpose::Shock, first, columns(&mut self.shock, len));
        ctx.run.block_columns(
            ctx.cpu,
            ctx.season,
            Purpose::Earnings,
            first,
            columns(&mut self.earnings, len),
        );
        let crop = match ctx.kind {
            SeasonKind::Wet => &ctx.noise.maize_yield,
            SeasonKind::Dry => &ctx.noise.seaweed,
        };
        let tables = [crop, &ctx.noise.labour_days];
        let (crop, labour) = (Word::Crop.index(), Word::LabourDays.index());
        let words = [&self.earnings[crop][..len], &self.earnings[labour][..len]];
        earnings_noise(ctx.cpu, words, tables, [&mut self.crop[..len], &mut self.labour[..len]]);
    }

    /// Word `w` (of the `Shock` or `Earnings` block) of every household of the batch.
    #[inline(always)]
    pub(crate) fn words(&self, w: Word) -> &[u32; BATCH] {
        match w.purpose() {
            Purpose::Shock => &self.shock[w.index()],
            Purpose::Earnings => &self.earnings[w.index()],
            _ => unreachable!("{w:?} is drawn with the decisions ([`decisions`])"),
        }
    }
}

/// The `Decision` blocks of households `first..first + len` as columns (word `w` of
/// household `j` is `out[w][j]`), drawn together.
pub(crate) fn decisions(ctx: &SeasonCtx, first: u32, out: &mut [[u32; BATCH]; 4], len: usize) {
    ctx.run.block_columns(ctx.cpu, ctx.season, Purpose::Decision, first, columns(out, len));
}

/// The first `len` elements of each of four columns.
pub(crate) fn columns(c: &mut [[u32; BATCH]; 4], len: usize) -> [&mut [u32]; 4] {
    c.each_mut().map(|c| &mut c[..len])
}

/// The crop and wage-days multipliers of a batch: `out[0][j]` from `words[0][j]` (word 0
/// of the `Earnings` block) with `tables[0]` (maize or seaweed) and `out[1][j]` from
/// `words[1][j]` (word 1) with `tables[1]` (wage days), sampled together
/// ([`LognormalTable::sample_all`] on `cpu`'s path).
pub(crate) fn earnings_noise(
    cpu: Cpu,
    words: [&[u32]; 2],
    tables: [&LognormalTable; 2],
    out: [&mut [f64]; 2],
) {
    for ((table, words), out) in tables.iter().zip(words).zip(out) {
        table.sample_all(cpu, words, out);
    }
}
