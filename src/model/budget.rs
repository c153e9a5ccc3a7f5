//! Consumption, saving and borrowing: the buffer-stock rule that closes a household's season.
//!
//! The household plans on its expected income, keeps a buffer, spends part of what it holds
//! above it, and when cash falls short borrows (cooperative, savings group, lender) or sells
//! cattle before it cuts consumption. The season's accounting closes exactly: savings minus
//! debt change by net cash income minus consumption.

use crate::model::household::{Household, flag};
use crate::model::season::{SeasonCtx, VillageView};

/// The close of a season's budget.
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
