//! Consumption, saving and borrowing: the buffer-stock rule that closes a household's season.
//!
//! The household plans on its expected income, keeps a buffer, spends part of what it holds
//! above it, and when cash falls short borrows (cooperative, savings group, lender) or sells
//! cattle before it cuts consumption. The season's accounting closes exactly: savings minus
//! debt change by net cash income minus consumption.
//!
//! The rule is written once, for a chunk's households in lanes (`Lanes`): every operation
//! in every lane, a branch of the rule a select of the value it would have left, the
//! distress sales of cattle one head per pass while any lane still sells.

use crate::model::draws::BATCH;
use crate::model::season::SeasonCtx;

/// A chunk's budgets as columns: the inputs (savings, debt, the season's cash flow,
/// expected income, financial capability, cheap credit, illness, cattle), the state of a
/// shortfall while it is covered, then the results of [`Lanes::settle`] (savings, debt and
/// cattle replaced).
pub(crate) struct Lanes {
    pub(crate) savings: [f64; BATCH],
    pub(crate) debt: [f64; BATCH],
    pub(crate) cash_flow: [f64; BATCH],
    pub(crate) expected: [f64; BATCH],
    pub(crate) skill: [f64; BATCH],
    pub(crate) cheap: [bool; BATCH],
    pub(crate) ill: [bool; BATCH],
    pub(crate) cattle: [u32; BATCH],
    /// Net cash income of the season.
    pub(crate) income: [f64; BATCH],
    /// Interest accrued on the debt in the season.
    pub(crate) interest: [f64; BATCH],
    /// Consumption of the season.
    pub(crate) consumption: [f64; BATCH],
    /// Cash at hand covers the consumption target.
    enough: [bool; BATCH],
    target: [f64; BATCH],
    buffer: [f64; BATCH],
    /// The shortfall still to cover, the credit room left, and cash and debt as the
    /// shortfall is covered.
    need: [f64; BATCH],
    room: [f64; BATCH],
    short_cash: [f64; BATCH],
    short_debt: [f64; BATCH],
}

impl Default for Lanes {
    fn default() -> Self {
        Self {
            savings: [0.0; BATCH],
            debt: [0.0; BATCH],
            cash_flow: [0.0; BATCH],
            expected: [0.0; BATCH],
            skill: [0.0; BATCH],
            cheap: [false; BATCH],
            ill: [false; BATCH],
            cattle: [0; BATCH],
            income: [0.0; BATCH],
            interest: [0.0; BATCH],
            consumption: [0.0; BATCH],
            enough: [false; BATCH],
            target: [0.0; BATCH],
            buffer: [0.0; BATCH],
            need: [0.0; BATCH],
            room: [0.0; BATCH],
            short_cash: [0.0; BATCH],
            short_debt: [0.0; BATCH],
        }
    }
}

impl Lanes {
    /// The buffer-stock rule in every lane:
    ///
    /// 1. Illness costs `illness_cost_months` of expected income; interest accrues on debt
    ///    at the cooperative's rate for members of a working cooperative, else at the
    ///    lender's rate lowered in proportion to financial capability towards the
    ///    cooperative's.
    /// 2. The consumption target is the season's months × (expected income − interest and
    ///    the planned pay-off of debt) × (1 − the saving share, raised by capability); the
    ///    buffer is `buffer_months` (plus capability × `capability_buffer_months`) of
    ///    expected income. Cash above the target repays a share of debt.
    /// 3. With cash at or above the target the household consumes the target plus a share
    ///    of cash above target and buffer. Short of it, it borrows cheaply (cooperative
    ///    members, or capability at least `formal_credit_skill`) within the credit limit,
    ///    then sells cattle at a distress discount, one head at a time while the need is
    ///    worth a good share of an animal, then borrows from the lender within the limit,
    ///    and consumes what it has up to the target.
    /// 4. With ample savings it buys a head of cattle (below the herd limit); cash left
    ///    negative (costs nobody would lend for) becomes arrears.
    #[inline(always)]
    pub(crate) fn settle(&mut self, ctx: &SeasonCtx) {
        self.open(ctx);
        while self.sell_a_head(ctx) {}
        self.close(ctx);
    }

    /// Steps 1–2 and a shortfall's cheap or formal loan.
    #[inline(always)]
    fn open(&mut self, ctx: &SeasonCtx) {
        let f = &ctx.params.finance;
        let months = ctx.months;
        let payoff = ctx.consts.debt_payoff_share_per_month;
        // Read before the loop: a parameter read in one arm of a select keeps the AVX2
        // path scalar (see `model::lanes::passes`).
        let (illness_cost_months, coop_rate, lender_rate) =
            (f.illness_cost_months, f.coop_interest_per_month, f.lender_interest_per_month);
        for j in 0..BATCH {
            let expected = self.expected[j];
            let illness_cost = if self.ill[j] { illness_cost_months * expected } else { 0.0 };
            let cheap = self.cheap[j];
            let skill = self.skill[j];
            let rate = if cheap { coop_rate } else { lender_rate - skill * (lender_rate - coop_rate) };
            let interest = self.debt[j] * rate * months;
            self.interest[j] = interest;
            let mut cash = self.savings[j] + self.cash_flow[j] - illness_cost;
            let mut debt = self.debt[j] + interest;
            self.income[j] = self.cash_flow[j] - illness_cost - interest;
            let save_share = (f.save_share + skill * f.capability_save_uplift_share).min(1.0);
            let planned = (expected - (rate + payoff) * debt).max(0.0);
            let target = months * planned * (1.0 - save_share);
            self.target[j] = target;
            self.buffer[j] = (f.buffer_months + skill * f.capability_buffer_months) * expected;
            let repay = (f.repay_share * debt).min((cash - target).max(0.0));
            debt -= repay;
            cash -= repay;
            self.savings[j] = cash;
            self.debt[j] = debt;
            let enough = cash >= target;
            self.enough[j] = enough;
            // The shortfall and its cheap or formal loan.
            let need = target - cash;
            let room = (f.credit_limit_months * expected - debt).max(0.0);
            let formal = !enough & (cheap | (skill >= f.formal_credit_skill));
            let loan = if formal { need.min(room) } else { 0.0 };
            self.short_debt[j] = debt + loan;
            self.short_cash[j] = cash + loan;
            self.need[j] = need - loan;
            self.room[j] = room - loan;
        }
    }

    /// One pass of the distress sales: every lane whose shortfall is
    /// still worth a sale and that has cattle sells a head. True if any lane sold.
    #[inline(always)]
    fn sell_a_head(&mut self, ctx: &SeasonCtx) -> bool {
        let l = &ctx.params.livestock;
        let head_price = l.value_idr_per_head * (1.0 - l.distress_discount_share);
        let mut any = false;
        for j in 0..BATCH {
            let need = self.need[j];
            let sells = !self.enough[j]
                & (head_price > 0.0)
                & (need > l.distress_min_need_share * head_price)
                & (self.cattle[j] > 0);
            self.cattle[j] -= u32::from(sells);
            self.short_cash[j] = if sells { self.short_cash[j] + head_price } else { self.short_cash[j] };
            self.income[j] = if sells { self.income[j] + head_price } else { self.income[j] };
            self.need[j] = if sells { need - head_price } else { need };
            any |= sells;
        }
        any
    }

    /// The lender, then consumption, restocking and arrears.
    #[inline(always)]
    fn close(&mut self, ctx: &SeasonCtx) {
        let l = &ctx.params.livestock;
        let spend = ctx.consts.spend_excess_share;
        let (max_head, head_value, restock_heads) =
            (l.max_head, l.value_idr_per_head, l.restock_savings_heads);
        for j in 0..BATCH {
            let (enough, target, need) = (self.enough[j], self.target[j], self.need[j]);
            // Every lane's columns are read before the selects: a read in one arm of a
            // select keeps the loop scalar without masked loads (see `model::lanes::passes`).
            let (room, buffer, open_debt) = (self.room[j], self.buffer[j], self.debt[j]);
            let lender = need.min(room);
            let lender = if need > 0.0 { lender } else { 0.0 };
            let (short_debt, short_cash) = (self.short_debt[j] + lender, self.short_cash[j] + lender);
            let mut cash = self.savings[j];
            let consumption = if enough {
                target + spend * (cash - target - buffer).max(0.0)
            } else {
                target.min(short_cash).max(0.0)
            };
            let mut debt = if enough { open_debt } else { short_debt };
            cash = if enough { cash } else { short_cash };
            cash -= consumption;
            let buys = (self.cattle[j] < max_head) & (head_value > 0.0) & (cash > restock_heads * head_value);
            let paid = if buys { head_value } else { 0.0 };
            cash -= paid;
            self.income[j] += if buys { -head_value } else { 0.0 };
            self.cattle[j] += u32::from(buys);
            let arrears = cash < 0.0;
            debt = if arrears { debt - cash } else { debt };
            cash = if arrears { 0.0 } else { cash };
            self.savings[j] = cash;
            self.debt[j] = debt;
            self.consumption[j] = consumption;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::fixture::{self, Fixture};
    use crate::model::season::ProgrammeLevels;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Settling closes every lane's accounts: savings minus debt change by the net cash
        /// income minus consumption; no stock is negative; a household sells cattle only
        /// when short of its target, and never more than it has.
        #[test]
        fn settling_closes_the_accounts(
            lanes in proptest::collection::vec(
                (0.0..5e7f64, 0.0..3e7f64, -6e7..6e7f64, 0.0..4e6f64, 0.0..1.0f64, any::<bool>(), any::<bool>(), 0u32..8),
                BATCH,
            ),
            params in fixture::params(),
            around in fixture::surroundings(),
        ) {
            let fixture = Fixture::varied(0, true, params, &around);
            let ctx = fixture.ctx(1, ProgrammeLevels::default());
            let mut b = Lanes::default();
            for (j, &(savings, debt, flow, expected, skill, cheap, ill, cattle)) in lanes.iter().enumerate() {
                (b.savings[j], b.debt[j], b.cash_flow[j], b.expected[j]) = (savings, debt, flow, expected);
                (b.skill[j], b.cheap[j], b.ill[j], b.cattle[j]) = (skill, cheap, ill, cattle);
            }
            let before = b.savings;
            let (debt_before, cattle_before) = (b.debt, b.cattle);
            b.settle(&ctx);
            for j in 0..BATCH {
                let change = (b.savings[j] - b.debt[j]) - (before[j] - debt_before[j]);
                let flow = b.income[j] - b.consumption[j];
                let scale = 1.0 + before[j] + debt_before[j] + b.income[j].abs() + b.consumption[j];
                prop_assert!((change - flow).abs() <= 1e-9 * scale, "lane {j}: Δ {change} vs {flow}");
                prop_assert!(b.savings[j] >= 0.0 && b.debt[j] >= 0.0 && b.consumption[j] >= 0.0);
                let sold = cattle_before[j].saturating_sub(b.cattle[j]);
                prop_assert!(sold == 0 || !b.enough[j], "lane {j} sold {sold} with cash enough");
            }
        }
    }
}
