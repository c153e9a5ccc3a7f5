//! Consumption, saving and borrowing: the buffer-stock rule that closes a household's season.
//!
//! The household plans on its expected income, keeps a buffer, spends part of what it holds
//! above it, and when cash falls short borrows (cooperative, savings group, lender) or sells
//! cattle before it cuts consumption. The season's accounting closes exactly: savings minus
//! debt change by net cash income minus consumption.
//!
//! `consume` settles one household; on the AVX-512 path the household loop settles a
//! batch together in `Lanes`, eight households per instruction, to the same numbers
//! (property-tested bit for bit).

use crate::model::draws::BATCH;
#[cfg(test)]
use crate::model::household::Earned;
use crate::model::household::{Household, flag};
use crate::model::season::{SeasonCtx, VillageView};

/// The close of a season's budget.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Budget {
    /// Net cash income of the season, rupiah.
    pub(crate) cash_income_idr: f64,
    /// Consumption of the season, rupiah.
    pub(crate) consumption_idr: f64,
}

/// The buffer-stock rule: consume expected income less saving, plus a share of cash above
/// the buffer; when short, borrow from the cooperative, sell cattle, borrow from a lender,
/// and only then cut consumption. `cash_flow` is the season's net inflow so far.
#[inline(always)]
pub(crate) fn consume(
    h: &mut Household,
    cash_flow: f64,
    village: &VillageView,
    ill: bool,
    ctx: &SeasonCtx,
) -> Budget {
    let f = &ctx.params.finance;
    let expected = f64::from(h.expected_income_idr_month);
    let illness_cost = if ill { f.illness_cost_months * expected } else { 0.0 };
    let cheap_credit = h.has(flag::COOP_MEMBER) && village.coop_exists;
    let skill = f64::from(h.finance_skill);
    // Financially capable households find cheaper credit (savings groups, banks) in
    // proportion to their capability.
    let rate = if cheap_credit {
        f.coop_interest_per_month
    } else {
        f.lender_interest_per_month - skill * (f.lender_interest_per_month - f.coop_interest_per_month)
    };
    let interest = h.debt_idr * rate * ctx.months;
    let mut book = Book {
        cash: h.savings_idr + cash_flow - illness_cost,
        debt: h.debt_idr + interest,
        income: cash_flow - illness_cost - interest,
    };
    let save_share = (f.save_share + skill * f.capability_save_uplift_share).min(1.0);
    // Interest and the planned pay-off of debt are not income the household can consume.
    let planned = (expected - (rate + ctx.consts.debt_payoff_share_per_month) * book.debt).max(0.0);
    let target = ctx.months * planned * (1.0 - save_share);
    let buffer = (f.buffer_months + skill * f.capability_buffer_months) * expected;

    let repay = (f.repay_share * book.debt).min((book.cash - target).max(0.0));
    book.debt -= repay;
    book.cash -= repay;

    let consumption = if book.cash >= target {
        target + ctx.consts.spend_excess_share * (book.cash - target - buffer).max(0.0)
    } else {
        let need = target - book.cash;
        cover_shortfall(h, &mut book, need, expected, cheap_credit, ctx);
        target.min(book.cash).max(0.0)
    };
    book.cash -= consumption;
    book.income += restock(h, &mut book.cash, ctx);
    if book.cash < 0.0 {
        // Costs already incurred that nobody would lend for become arrears.
        book.debt -= book.cash;
        book.cash = 0.0;
    }
    h.savings_idr = book.cash;
    h.debt_idr = book.debt;
    Budget { cash_income_idr: book.income, consumption_idr: consumption }
}

/// Cash, debt and the season's net cash income while the budget is settled.
struct Book {
    cash: f64,
    debt: f64,
    income: f64,
}

/// Raise `need` rupiah: cooperative credit, then distress sale of cattle (only for needs
/// worth a good share of an animal), then the informal lender, within the credit limit.
fn cover_shortfall(
    h: &mut Household,
    book: &mut Book,
    mut need: f64,
    expected: f64,
    cheap_credit: bool,
    ctx: &SeasonCtx,
) {
    let p = ctx.params;
    let mut room = (p.finance.credit_limit_months * expected - book.debt).max(0.0);
    // Members borrow from the cooperative, and financially capable households from savings
    // groups or banks, before they sell cattle at a loss.
    if cheap_credit || f64::from(h.finance_skill) >= p.finance.formal_credit_skill {
        let loan = need.min(room);
        book.debt += loan;
        book.cash += loan;
        need -= loan;
        room -= loan;
    }
    let head_price = p.livestock.value_idr_per_head * (1.0 - p.livestock.distress_discount_share);
    // A sale must be worth it: a need of at least a given share of an animal's price.
    while head_price > 0.0 && need > p.livestock.distress_min_need_share * head_price && h.cattle_head > 0 {
        h.cattle_head -= 1;
        book.cash += head_price;
        book.income += head_price;
        need -= head_price;
    }
    if need > 0.0 {
        let loan = need.min(room);
        book.debt += loan;
        book.cash += loan;
    }
}

/// Buy a head of cattle when savings are ample. Returns the cash flow (negative).
fn restock(h: &mut Household, cash: &mut f64, ctx: &SeasonCtx) -> f64 {
    let l = &ctx.params.livestock;
    let can_keep = u32::from(h.cattle_head) < l.max_head;
    if can_keep && l.value_idr_per_head > 0.0 && *cash > l.restock_savings_heads * l.value_idr_per_head {
        h.cattle_head += 1;
        *cash -= l.value_idr_per_head;
        return -l.value_idr_per_head;
    }
    0.0
}

/// [`consume`] for a batch of at most [`BATCH`] households (`rows[j]` with `earned[j]`)
/// through [`Lanes`], as the batch path of the household loop settles them: the lane
/// budget on its own, for tests.
#[cfg(test)]
pub(crate) fn consume_batch(rows: &mut [Household], earned: &[Earned], ctx: &SeasonCtx) -> [Budget; BATCH] {
    let n = rows.len();
    assert!(n <= BATCH && earned.len() == n);
    let mut lanes = Lanes::default();
    for (j, (h, e)) in rows.iter().zip(earned).enumerate() {
        lanes.savings[j] = h.savings_idr;
        lanes.debt[j] = h.debt_idr;
        lanes.cash_flow[j] = e.cash_flow_idr;
        lanes.expected[j] = f64::from(h.expected_income_idr_month);
        lanes.skill[j] = f64::from(h.finance_skill);
        lanes.cheap[j] = h.has(flag::COOP_MEMBER) && ctx.village(h.village).coop_exists;
        lanes.ill[j] = e.ill;
        lanes.cattle[j] = u32::from(h.cattle_head);
    }
    lanes.settle_dispatch(ctx);
    let mut budgets = [Budget::default(); BATCH];
    for (j, (h, budget)) in rows.iter_mut().zip(&mut budgets).enumerate() {
        h.savings_idr = lanes.savings[j];
        h.debt_idr = lanes.debt[j];
        h.cattle_head = lanes.cattle[j] as u8;
        *budget = Budget { cash_income_idr: lanes.income[j], consumption_idr: lanes.consumption[j] };
    }
    budgets
}

/// A batch's budgets as columns: the inputs of [`consume`] (savings, debt, the season's
/// cash flow, expected income, financial capability, cheap credit, illness, cattle), the
/// state of a shortfall while it is covered, then the results of [`Lanes::settle`]
/// (savings, debt and cattle replaced).
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
    /// [`Lanes::settle`], compiled for AVX-512 on the AVX-512 path ([`SeasonCtx::cpu`]).
    #[cfg(test)]
    fn settle_dispatch(&mut self, ctx: &SeasonCtx) {
        #[cfg(target_arch = "x86_64")]
        if ctx.cpu.v4().is_some() {
            // SAFETY: `ctx.cpu` holds a `V4` token, made only on CPUs with AVX-512F, DQ and
            // VL and AVX2 (with the rest of x86-64-v4): every feature `settle_avx512`
            // enables.
            #[allow(unsafe_code)]
            unsafe {
                self.settle_avx512(ctx)
            };
            return;
        }
        self.settle(ctx);
    }

    /// [`Lanes::settle`] compiled for AVX-512 (eight households per instruction).
    #[cfg(all(test, target_arch = "x86_64"))]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    fn settle_avx512(&mut self, ctx: &SeasonCtx) {
        self.settle(ctx);
    }

    /// [`consume`] in every lane, every operation in the same order, branches replaced by
    /// selects (a path not taken adds +0, which leaves every value as it was): the budget
    /// up to a shortfall's cheap or formal loan, the distress sales of cattle one head per
    /// pass while any lane still sells, then the lender, consumption and restocking.
    #[inline(always)]
    pub(crate) fn settle(&mut self, ctx: &SeasonCtx) {
        self.open(ctx);
        while self.sell_a_head(ctx) {}
        self.close(ctx);
    }

    /// [`consume`] up to [`cover_shortfall`]'s cheap or formal loan.
    #[inline(always)]
    fn open(&mut self, ctx: &SeasonCtx) {
        let f = &ctx.params.finance;
        let months = ctx.months;
        let payoff = ctx.consts.debt_payoff_share_per_month;
        for j in 0..BATCH {
            let expected = self.expected[j];
            let illness_cost = if self.ill[j] { f.illness_cost_months * expected } else { 0.0 };
            let cheap = self.cheap[j];
            let skill = self.skill[j];
            let rate = if cheap {
                f.coop_interest_per_month
            } else {
                f.lender_interest_per_month
                    - skill * (f.lender_interest_per_month - f.coop_interest_per_month)
            };
            let interest = self.debt[j] * rate * months;
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
            // The shortfall, as `cover_shortfall` meets it.
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

    /// One pass of [`cover_shortfall`]'s distress sales: every lane whose shortfall is
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

    /// [`cover_shortfall`]'s lender, then consumption, restocking and arrears.
    #[inline(always)]
    fn close(&mut self, ctx: &SeasonCtx) {
        let l = &ctx.params.livestock;
        let spend = ctx.consts.spend_excess_share;
        for j in 0..BATCH {
            let (enough, target, need) = (self.enough[j], self.target[j], self.need[j]);
            let lender = if need > 0.0 { need.min(self.room[j]) } else { 0.0 };
            let (short_debt, short_cash) = (self.short_debt[j] + lender, self.short_cash[j] + lender);
            let mut cash = self.savings[j];
            let consumption = if enough {
                target + spend * (cash - target - self.buffer[j]).max(0.0)
            } else {
                target.min(short_cash).max(0.0)
            };
            let mut debt = if enough { self.debt[j] } else { short_debt };
            cash = if enough { cash } else { short_cash };
            cash -= consumption;
            let buys = (self.cattle[j] < l.max_head)
                & (l.value_idr_per_head > 0.0)
                & (cash > l.restock_savings_heads * l.value_idr_per_head);
            let paid = if buys { l.value_idr_per_head } else { 0.0 };
            cash -= paid;
            self.income[j] += if buys { -l.value_idr_per_head } else { 0.0 };
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
