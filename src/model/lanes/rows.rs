//! A batch's rows in and out of the columns: field by field, or with AVX-512 eight rows at
//! a time as their eight 8-byte words, transposed in registers.

use std::ops::Range;

use super::Columns;
use crate::model::household::Household;
use crate::model::season::SeasonCtx;

impl Columns {
    /// Copy the rows `lanes` of the batch `rows` into the columns, with their herd-table
    /// entries.
    #[inline(always)]
    pub(super) fn load_rows(&mut self, rows: &[Household], lanes: Range<usize>, ctx: &SeasonCtx) {
        let consts = ctx.consts;
        for j in lanes {
            let h = &rows[j];
            self.participated[j] = h.participated;
            self.one_by_one[j] = h.offers != 0;
            self.savings[j] = h.savings_idr;
            self.debt[j] = h.debt_idr;
            self.members[j] = h.members;
            self.land[j] = h.land_ha;
            self.daily_wages[j] = h.daily_wages_idr;
            self.readiness_offset[j] = h.readiness_offset;
            self.capital[j] = h.enterprise_capital_idr;
            self.farm_skill[j] = h.farm_skill;
            self.business_skill[j] = h.business_skill;
            self.finance_skill[j] = h.finance_skill;
            self.flags[j] = u32::from(h.flags);
            self.cattle[j] = u32::from(h.cattle_head);
            self.herd_survival[j] = consts.herd_survival[usize::from(h.cattle_head)];
            self.herd_calf[j] = consts.herd_calf[usize::from(h.cattle_head)];
        }
    }

    /// [`Columns::load_rows`] for a whole batch, eight rows at a time with AVX-512: the
    /// rows' eight 8-byte words ([`transpose`]) split into the columns; the herd-table
    /// entries gathered by head count.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    pub(super) fn load_rows_avx512(&mut self, rows: &[Household], ctx: &SeasonCtx) {
        use std::arch::x86_64::*;
        const { assert!(row_words_are_as_read()) };
        let whole = rows.len() / 8 * 8;
        let rows_at: *const i64 = rows.as_ptr().cast();
        let (survival, calf) = (ctx.consts.herd_survival.as_ptr(), ctx.consts.herd_calf.as_ptr());
        for g in (0..whole).step_by(8) {
            // SAFETY: rows g..g + 8 exist (g + 8 ≤ whole ≤ rows.len()); word k of a row is
            // bytes 8k..8k + 8 of its 64 (asserted above); every column written has BATCH
            // elements from g on; head counts are below 256, the length of the herd tables.
            unsafe {
                let at = rows_at.add(8 * g);
                let w = transpose(std::array::from_fn(|i| _mm512_loadu_si512(at.add(8 * i).cast())));
                let low = |w: __m512i| _mm512_cvtepi64_epi32(w);
                let high = |w: __m512i| _mm512_cvtepi64_epi32(_mm512_srli_epi64::<32>(w));
                let byte = |w: __m512i, shift: u32| {
                    _mm512_and_si512(
                        _mm512_srlv_epi64(w, _mm512_set1_epi64(i64::from(shift))),
                        _mm512_set1_epi64(0xFF),
                    )
                };
                _mm512_storeu_si512(self.savings.as_mut_ptr().add(g).cast(), w[0]);
                _mm512_storeu_si512(self.debt.as_mut_ptr().add(g).cast(), w[1]);
                let (w2, w3, w4, w5, w7) = (w[2], w[3], w[4], w[5], w[7]);
                _mm256_storeu_si256(self.land.as_mut_ptr().add(g).cast(), low(w2));
                _mm256_storeu_si256(self.daily_wages.as_mut_ptr().add(g).cast(), high(w2));
                _mm256_storeu_si256(self.readiness_offset.as_mut_ptr().add(g).cast(), low(w3));
                _mm256_storeu_si256(self.capital.as_mut_ptr().add(g).cast(), high(w3));
                _mm256_storeu_si256(self.farm_skill.as_mut_ptr().add(g).cast(), low(w4));
                _mm256_storeu_si256(self.business_skill.as_mut_ptr().add(g).cast(), high(w4));
                _mm256_storeu_si256(self.finance_skill.as_mut_ptr().add(g).cast(), low(w5));
                // Word 7: members, cattle, flags, participated, offers, enrolment bytes.
                _mm_storel_epi64(self.members.as_mut_ptr().add(g).cast(), _mm512_cvtepi64_epi8(w7));
                let cattle = low(byte(w7, 8));
                _mm256_storeu_si256(self.cattle.as_mut_ptr().add(g).cast(), cattle);
                _mm256_storeu_si256(self.flags.as_mut_ptr().add(g).cast(), low(byte(w7, 16)));
                _mm_storel_epi64(
                    self.participated.as_mut_ptr().add(g).cast(),
                    _mm512_cvtepi64_epi8(byte(w7, 24)),
                );
                let offers = _mm512_test_epi64_mask(w7, _mm512_set1_epi64(0xFF << 32));
                // Bytes 0 or 1: valid `bool`s.
                let one_by_one = _mm512_cvtepi64_epi8(_mm512_maskz_set1_epi64(offers, 1));
                _mm_storel_epi64(self.one_by_one.as_mut_ptr().add(g).cast(), one_by_one);
                _mm512_storeu_pd(
                    self.herd_survival.as_mut_ptr().add(g),
                    _mm512_i32gather_pd::<8>(cattle, survival),
                );
                _mm512_storeu_pd(self.herd_calf.as_mut_ptr().add(g), _mm512_i32gather_pd::<8>(cattle, calf));
            }
        }
        self.load_rows(rows, whole..rows.len(), ctx);
    }

    /// Copy the results of `lanes` back into their rows, but for households taking part in
    /// a module ([`Columns::store_rest`]).
    #[inline(always)]
    pub(super) fn store_rows(&self, rows: &mut [Household], lanes: Range<usize>, ctx: &SeasonCtx) {
        let season = ctx.season as u16;
        let b = &self.budget;
        for j in lanes {
            if self.one_by_one[j] {
                continue;
            }
            let h = &mut rows[j];
            h.farm_skill = self.farm_skill[j];
            h.business_skill = self.business_skill[j];
            h.finance_skill = self.finance_skill[j];
            h.enterprise_capital_idr = self.capital[j];
            h.flags = self.flags[j] as u8;
            h.adopted_season = if self.adopted[j] { season } else { h.adopted_season };
            h.expected_income_idr_month = self.expected_income[j];
            h.cattle_head = b.cattle[j] as u8;
            h.savings_idr = b.savings[j];
            h.debt_idr = b.debt[j];
            h.consumption_pc_idr_month = self.consumption_pc[j];
        }
    }

    /// [`Columns::store_rows`] for a whole batch, eight rows at a time with AVX-512: the
    /// rows' 8-byte words ([`transpose`]) with the changed fields replaced from the columns,
    /// transposed back and stored but for households taking part in a module.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    #[allow(unsafe_code)]
    pub(super) fn store_rows_avx512(&self, rows: &mut [Household], ctx: &SeasonCtx) {
        use std::arch::x86_64::*;
        const { assert!(row_words_are_as_read()) };
        let whole = rows.len() / 8 * 8;
        let rows_at: *mut i64 = rows.as_mut_ptr().cast();
        let b = &self.budget;
        let season = _mm512_set1_epi64(i64::from(ctx.season as u16) << 48);
        for g in (0..whole).step_by(8) {
            // SAFETY: rows g..g + 8 exist (g + 8 ≤ whole ≤ rows.len()) and are written only
            // here; every column read has BATCH elements from g on.
            unsafe {
                let at = rows_at.add(8 * g);
                let w = transpose(std::array::from_fn(|i| _mm512_loadu_si512(at.add(8 * i).cast())));
                let column = |c: *const f32| _mm256_loadu_si256(c.add(g).cast());
                let words = |c: *const u32| _mm256_loadu_si256(c.add(g).cast());
                let pair = |low: __m256i, high: __m256i| {
                    _mm512_or_si512(
                        _mm512_cvtepu32_epi64(low),
                        _mm512_slli_epi64::<32>(_mm512_cvtepu32_epi64(high)),
                    )
                };
                let flags_of = |c: *const bool| {
                    _mm512_test_epi64_mask(
                        _mm512_cvtepu8_epi64(_mm_loadl_epi64(c.add(g).cast())),
                        _mm512_set1_epi64(1),
                    )
                };
                let kept = |w: __m512i, mask: u64| _mm512_and_si512(w, _mm512_set1_epi64(mask as i64));
                let adopted = flags_of(self.adopted.as_ptr());
                let adoption = _mm512_mask_blend_epi64(adopted, kept(w[6], 0xFFFF << 48), season);
                let new = [
                    _mm512_loadu_si512(b.savings.as_ptr().add(g).cast()),
                    _mm512_loadu_si512(b.debt.as_ptr().add(g).cast()),
                    w[2],
                    _mm512_or_si512(
                        kept(w[3], 0xFFFF_FFFF),
                        _mm512_slli_epi64::<32>(_mm512_cvtepu32_epi64(column(self.capital.as_ptr()))),
                    ),
                    pair(column(self.farm_skill.as_ptr()), column(self.business_skill.as_ptr())),
                    pair(column(self.finance_skill.as_ptr()), column(self.expected_income.as_ptr())),
                    _mm512_or_si512(
                        _mm512_or_si512(
                            _mm512_cvtepu32_epi64(column(self.consumption_pc.as_ptr())),
                            kept(w[6], 0xFFFF << 32),
                        ),
                        adoption,
                    ),
                    _mm512_or_si512(
                        // Bytes 1 and 2 (cattle, flags) replaced.
                        kept(w[7], !0x00FF_FF00),
                        _mm512_or_si512(
                            _mm512_slli_epi64::<8>(_mm512_cvtepu32_epi64(words(b.cattle.as_ptr()))),
                            _mm512_slli_epi64::<16>(_mm512_cvtepu32_epi64(words(self.flags.as_ptr()))),
                        ),
                    ),
                ];
                let one_by_one = flags_of(self.one_by_one.as_ptr());
                for (i, row) in transpose(new).into_iter().enumerate() {
                    let keep = if one_by_one & (1 << i) != 0 { 0 } else { 0xFF };
                    _mm512_mask_storeu_epi64(at.add(8 * i), keep, row);
                }
            }
        }
        self.store_rows(rows, whole..rows.len(), ctx);
    }
}

/// Eight 64-byte rows `r` as their eight 8-byte words: element `i` of result `k` is word
/// `k` of row `i` (a transpose of 8 × 8 words in three rounds of shuffles, its own
/// inverse).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn transpose(r: [std::arch::x86_64::__m512i; 8]) -> [std::arch::x86_64::__m512i; 8] {
    use std::arch::x86_64::*;
    // Pairs of rows: words (2m, 2m + 2, …) then (2m + 1, …) of rows 2i and 2i + 1.
    let t: [__m512i; 8] = std::array::from_fn(|k| {
        let (a, b) = (r[k / 2 * 2], r[k / 2 * 2 + 1]);
        if k % 2 == 0 { _mm512_unpacklo_epi64(a, b) } else { _mm512_unpackhi_epi64(a, b) }
    });
    // Quads of rows: 128-bit lanes 0 and 2 (0x88) or 1 and 3 (0xDD) of two pairs.
    let even = |a, b| _mm512_shuffle_i64x2::<0x88>(a, b);
    let odd = |a, b| _mm512_shuffle_i64x2::<0xDD>(a, b);
    let u = [
        even(t[0], t[2]), // words 0, 4 of rows 0–3
        odd(t[0], t[2]),  // words 2, 6
        even(t[1], t[3]), // words 1, 5
        odd(t[1], t[3]),  // words 3, 7
        even(t[4], t[6]), // the same of rows 4–7
        odd(t[4], t[6]),
        even(t[5], t[7]),
        odd(t[5], t[7]),
    ];
    [
        even(u[0], u[4]),
        even(u[2], u[6]),
        even(u[1], u[5]),
        even(u[3], u[7]),
        odd(u[0], u[4]),
        odd(u[2], u[6]),
        odd(u[1], u[5]),
        odd(u[3], u[7]),
    ]
}

/// True if a [`Household`] row is the eight 8-byte words [`Columns::load_rows_avx512`]
/// reads and [`Columns::store_rows_avx512`] writes: savings, debt, land and wages,
/// readiness offset and capital, farm and business skill, financial capability and
/// expected income, consumption, village and season of adoption, then the bytes members,
/// cattle, flags, participated, offers.
const fn row_words_are_as_read() -> bool {
    use std::mem::{offset_of, size_of};
    size_of::<Household>() == 64
        && offset_of!(Household, savings_idr) == 0
        && offset_of!(Household, debt_idr) == 8
        && offset_of!(Household, land_ha) == 16
        && offset_of!(Household, daily_wages_idr) == 20
        && offset_of!(Household, readiness_offset) == 24
        && offset_of!(Household, enterprise_capital_idr) == 28
        && offset_of!(Household, farm_skill) == 32
        && offset_of!(Household, business_skill) == 36
        && offset_of!(Household, finance_skill) == 40
        && offset_of!(Household, expected_income_idr_month) == 44
        && offset_of!(Household, consumption_pc_idr_month) == 48
        && offset_of!(Household, village) == 52
        && offset_of!(Household, adopted_season) == 54
        && offset_of!(Household, members) == 56
        && offset_of!(Household, cattle_head) == 57
        && offset_of!(Household, flags) == 58
        && offset_of!(Household, participated) == 59
        && offset_of!(Household, offers) == 60
}
