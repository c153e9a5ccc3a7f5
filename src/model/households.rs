//! Where the households' state lives: columns of `BATCH` households (`Chunk`, a struct of
//! arrays), which the season's passes (`crate::model::lanes`) read and write in place, and
//! the population as a list of chunks ([`Households`]).
//!
//! A household as one value ([`Household`]) is a view, assembled from its chunk's columns
//! for the code that looks at households one at a time (targeting, the virtual trial,
//! tests) and written back the same way. Adding a state variable is one column here, its
//! place in [`Household`] and `Chunk::get` / `Chunk::set`, and the rule that uses it.

use crate::model::draws::BATCH;
use crate::model::household::Household;

/// The state of up to [`BATCH`] consecutive households as columns: lane `j` holds
/// household `first + j` of its [`Households`]. Lanes past the chunk's households hold
/// the default household, which the passes compute but never count.
#[derive(Clone, Debug)]
pub(crate) struct Chunk {
    /// Households in the chunk (lanes `0..len`).
    pub(crate) len: usize,
    /// Liquid savings, rupiah (≥ 0).
    pub(crate) savings_idr: [f64; BATCH],
    /// Outstanding debt, rupiah (≥ 0).
    pub(crate) debt_idr: [f64; BATCH],
    /// Land farmed, ha (fixed).
    pub(crate) land_ha: [f32; BATCH],
    /// What the household's workers earn in a day of work, rupiah (fixed).
    pub(crate) daily_wages_idr: [f32; BATCH],
    /// Income that does not vary: a salaried member's salary and social transfers, rupiah per
    /// month (fixed).
    pub(crate) fixed_income_idr_month: [f32; BATCH],
    /// Maize the last harvest left short of the household's staple need, kg.
    pub(crate) staple_gap_kg: [f32; BATCH],
    /// Household readiness minus its village's readiness (fixed).
    pub(crate) readiness_offset: [f32; BATCH],
    /// Capital of the enterprise, rupiah (0 when none).
    pub(crate) capital_idr: [f32; BATCH],
    /// Production skill in [0, 1].
    pub(crate) farm_skill: [f32; BATCH],
    /// Business skill in [0, 1].
    pub(crate) business_skill: [f32; BATCH],
    /// Financial capability in [0, 1].
    pub(crate) finance_skill: [f32; BATCH],
    /// Expected (permanent) income, rupiah per month.
    pub(crate) expected_income_idr_month: [f32; BATCH],
    /// Consumption per person in the last season, rupiah per month.
    pub(crate) consumption_pc_idr_month: [f32; BATCH],
    /// Village index (fixed).
    pub(crate) village: [u16; BATCH],
    /// Season in which improved practice was last adopted.
    pub(crate) adopted_season: [u16; BATCH],
    /// Members, persons (fixed).
    pub(crate) members: [u8; BATCH],
    /// Module bits of every module the household ever took part in.
    pub(crate) participated: [u8; BATCH],
    /// Module bits of the modules it takes part in this season (cleared by the season).
    pub(crate) offers: [u8; BATCH],
    /// Cattle, head.
    pub(crate) cattle_head: [u32; BATCH],
    /// Flag bits ([`crate::model::household::flag`]).
    pub(crate) flags: [u32; BATCH],
    /// Bit `i` is set once the household has taken part in the scenario's intervention `i`.
    pub(crate) enrolled: [u32; BATCH],
}

impl Default for Chunk {
    fn default() -> Self {
        let mut chunk = Self {
            len: 0,
            savings_idr: [0.0; BATCH],
            debt_idr: [0.0; BATCH],
            land_ha: [0.0; BATCH],
            daily_wages_idr: [0.0; BATCH],
            fixed_income_idr_month: [0.0; BATCH],
            staple_gap_kg: [0.0; BATCH],
            readiness_offset: [0.0; BATCH],
            capital_idr: [0.0; BATCH],
            farm_skill: [0.0; BATCH],
            business_skill: [0.0; BATCH],
            finance_skill: [0.0; BATCH],
            expected_income_idr_month: [0.0; BATCH],
            consumption_pc_idr_month: [0.0; BATCH],
            village: [0; BATCH],
            adopted_season: [0; BATCH],
            members: [0; BATCH],
            participated: [0; BATCH],
            offers: [0; BATCH],
            cattle_head: [0; BATCH],
            flags: [0; BATCH],
            enrolled: [0; BATCH],
        };
        chunk.fill_unused(0);
        chunk
    }
}

impl Chunk {
    /// Household `j` of the chunk as one value.
    pub(crate) fn get(&self, j: usize) -> Household {
        let e = self.enrolled[j];
        Household {
            savings_idr: self.savings_idr[j],
            debt_idr: self.debt_idr[j],
            land_ha: self.land_ha[j],
            daily_wages_idr: self.daily_wages_idr[j],
            fixed_income_idr_month: self.fixed_income_idr_month[j],
            staple_gap_kg: self.staple_gap_kg[j],
            readiness_offset: self.readiness_offset[j],
            enterprise_capital_idr: self.capital_idr[j],
            farm_skill: self.farm_skill[j],
            business_skill: self.business_skill[j],
            finance_skill: self.finance_skill[j],
            expected_income_idr_month: self.expected_income_idr_month[j],
            consumption_pc_idr_month: self.consumption_pc_idr_month[j],
            village: self.village[j],
            adopted_season: self.adopted_season[j],
            members: self.members[j],
            cattle_head: self.cattle_head[j] as u8,
            flags: self.flags[j] as u8,
            participated: self.participated[j],
            offers: self.offers[j],
            enrolled: [e as u8, (e >> 8) as u8, (e >> 16) as u8],
        }
    }

    /// Write `h` into lane `j`.
    pub(crate) fn set(&mut self, j: usize, h: &Household) {
        self.savings_idr[j] = h.savings_idr;
        self.debt_idr[j] = h.debt_idr;
        self.land_ha[j] = h.land_ha;
        self.daily_wages_idr[j] = h.daily_wages_idr;
        self.fixed_income_idr_month[j] = h.fixed_income_idr_month;
        self.staple_gap_kg[j] = h.staple_gap_kg;
        self.readiness_offset[j] = h.readiness_offset;
        self.capital_idr[j] = h.enterprise_capital_idr;
        self.farm_skill[j] = h.farm_skill;
        self.business_skill[j] = h.business_skill;
        self.finance_skill[j] = h.finance_skill;
        self.expected_income_idr_month[j] = h.expected_income_idr_month;
        self.consumption_pc_idr_month[j] = h.consumption_pc_idr_month;
        self.village[j] = h.village;
        self.adopted_season[j] = h.adopted_season;
        self.members[j] = h.members;
        self.cattle_head[j] = u32::from(h.cattle_head);
        self.flags[j] = u32::from(h.flags);
        self.participated[j] = h.participated;
        self.offers[j] = h.offers;
        let [a, b, c] = h.enrolled.map(u32::from);
        self.enrolled[j] = a | (b << 8) | (c << 16);
    }

    /// The chunk of `rows` (at most [`BATCH`]), in order.
    pub(crate) fn of(rows: &[Household]) -> Self {
        assert!(rows.len() <= BATCH);
        let mut chunk = Self::default();
        for (j, h) in rows.iter().enumerate() {
            chunk.set(j, h);
        }
        chunk.fill_unused(rows.len());
        chunk.len = rows.len();
        chunk
    }

    /// Give the lanes from `len` on the village of lane `len − 1` (so that a chunk of one
    /// village stays one village's) and one member (so that no per-person value divides by
    /// zero).
    fn fill_unused(&mut self, len: usize) {
        let village = if len == 0 { 0 } else { self.village[len - 1] };
        self.village[len..].fill(village);
        self.members[len..].fill(1);
    }
}

/// Every household of a replication, as chunks of `BATCH` in household order.
#[derive(Clone, Debug, Default)]
pub struct Households {
    chunks: Vec<Chunk>,
    len: usize,
}

impl Households {
    /// The households `rows`, in order (household `i` is `rows[i]`; tests build worlds so).
    #[cfg(test)]
    pub(crate) fn from_rows(rows: &[Household]) -> Self {
        Self { chunks: rows.chunks(BATCH).map(Chunk::of).collect(), len: rows.len() }
    }

    /// The households of `chunks` (all but the last full), `len` in all.
    pub(crate) fn from_chunks(chunks: Vec<Chunk>, len: usize) -> Self {
        assert_eq!(chunks.len(), len.div_ceil(BATCH), "{len} households in {} chunks", chunks.len());
        Self { chunks, len }
    }

    /// Bytes of state per household.
    pub(crate) const BYTES_PER_HOUSEHOLD: usize = size_of::<Chunk>() / BATCH;

    /// How many households there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Household `i` as one value.
    ///
    /// # Panics
    /// If there is no household `i`.
    pub fn get(&self, i: usize) -> Household {
        assert!(i < self.len, "household {i} of {}", self.len);
        self.chunks[i / BATCH].get(i % BATCH)
    }

    /// Every household in order, as values.
    pub fn iter(&self) -> impl Iterator<Item = Household> + '_ {
        self.chunks.iter().flat_map(|c| (0..c.len).map(move |j| c.get(j)))
    }

    /// Every household in order, as values.
    pub(crate) fn to_rows(&self) -> Vec<Household> {
        self.iter().collect()
    }

    /// The village of household `i`.
    pub fn village(&self, i: usize) -> u16 {
        self.chunks[i / BATCH].village[i % BATCH]
    }

    /// The enrolment bits of household `i` (bit `k`: it has taken part in intervention `k`).
    pub(crate) fn enrolled(&self, i: usize) -> u32 {
        self.chunks[i / BATCH].enrolled[i % BATCH]
    }

    /// True if household `i` lives on the coast.
    pub(crate) fn coastal(&self, i: usize) -> bool {
        self.chunks[i / BATCH].flags[i % BATCH] & u32::from(crate::model::household::flag::COASTAL) != 0
    }

    /// The expected income (rupiah per month) and members of household `i`.
    pub(crate) fn expected_income_and_members(&self, i: usize) -> (f32, u8) {
        let chunk = &self.chunks[i / BATCH];
        (chunk.expected_income_idr_month[i % BATCH], chunk.members[i % BATCH])
    }

    /// Record that household `i` takes part in intervention `index`, module `bit`, this
    /// season.
    pub(crate) fn enrol(&mut self, i: usize, index: usize, bit: u8) {
        let chunk = &mut self.chunks[i / BATCH];
        chunk.enrolled[i % BATCH] |= 1 << index;
        chunk.offers[i % BATCH] |= bit;
    }

    /// The chunks, in order: chunk `k` holds households `k × BATCH ..`, all but the last
    /// full.
    pub(crate) fn chunk_slice_mut(&mut self) -> &mut [Chunk] {
        &mut self.chunks
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::fixture::household;

    proptest! {
        /// A household written into the columns reads back as the same value.
        #[test]
        fn a_household_reads_back_as_written(rows in proptest::collection::vec(household(), 0..150)) {
            let households = Households::from_rows(&rows);
            prop_assert_eq!(households.len(), rows.len());
            prop_assert_eq!(households.to_rows(), rows);
        }
    }

    #[test]
    fn enrolment_sets_the_intervention_bit_and_the_offer() {
        let mut households = Households::from_rows(&vec![Household::default(); 70]);
        households.enrol(65, 23, 1 << 2);
        let h = households.get(65);
        assert!(h.is_enrolled(23) && !h.is_enrolled(22));
        assert_eq!(h.offers, 1 << 2);
        assert_eq!(households.get(64).offers, 0);
    }
}
