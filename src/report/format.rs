//! Numbers for people: the one place where the report and the charts turn numbers into text.
//!
//! Every helper writes `–` (an en dash) for a number that is not finite, uses the minus sign
//! `−` (U+2212) for negative numbers, never writes `-0` (a value that rounds to zero is
//! written without a sign), and groups thousands with commas (`749,582`). Shares are given
//! as percentages (`21.5 %`) and differences of shares in percentage points (`−0.14 pp`);
//! a no-break space ([`NBSP`]) stands between a number and its unit.

/// What a missing or meaningless number is written as.
pub(crate) const DASH: &str = "–";

/// The minus sign.
const MINUS: char = '−';

/// A no-break space, between a number and its unit (`Rp 749,582`, `21.5 %`), so that a
/// line never breaks between them.
pub(crate) const NBSP: char = '\u{a0}';

/// `x` with `digits` decimals and thousands separators, unsigned part only, and whether the
/// rounded value is zero.
fn magnitude(x: f64, digits: usize) -> (String, bool) {
    let text = format!("{:.digits$}", x.abs());
    let zero = text.bytes().all(|b| b == b'0' || b == b'.');
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if let Some(f) = frac {
        grouped.push('.');
        grouped.push_str(f);
    }
    (grouped, zero)
}

/// `x` with `digits` decimals and thousands separators: `1,234.5`, `−12`; `–` when not finite.
pub(crate) fn decimal(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return DASH.into();
    }
    let (text, zero) = magnitude(x, digits);
    if x < 0.0 && !zero { format!("{MINUS}{text}") } else { text }
}

/// `x` rounded to a whole number with thousands separators: `749,582`.
pub(crate) fn thousands(x: f64) -> String {
    decimal(x, 0)
}

/// `x` with `digits` decimals and an explicit sign: `+558`, `−12`, `0` (zero has no sign).
pub(crate) fn signed(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return DASH.into();
    }
    let (text, zero) = magnitude(x, digits);
    match (zero, x < 0.0) {
        (true, _) => text,
        (false, true) => format!("{MINUS}{text}"),
        (false, false) => format!("+{text}"),
    }
}

/// An amount in rupiah, whole: `Rp 749,582`.
pub(crate) fn rupiah(x: f64) -> String {
    if x.is_finite() { format!("Rp{NBSP}{}", thousands(x)) } else { DASH.into() }
}

/// A large amount in rupiah, in millions or billions with three significant digits where
/// that helps: `Rp 3.38 million`, `Rp 1.25 billion`, `Rp 527,275` (below a million).
pub(crate) fn rupiah_compact(x: f64) -> String {
    if !x.is_finite() {
        return DASH.into();
    }
    let a = x.abs();
    let (value, unit) = if a >= 1e9 {
        (x / 1e9, "billion")
    } else if a >= 1e6 {
        (x / 1e6, "million")
    } else {
        return rupiah(x);
    };
    let digits = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("Rp{NBSP}{}{NBSP}{unit}", decimal(value, digits))
}

/// An amount in US dollars, whole: `USD 52,340`.
pub(crate) fn usd(x: f64) -> String {
    if x.is_finite() { format!("USD{NBSP}{}", thousands(x)) } else { DASH.into() }
}

/// A share in [0, 1] as a percentage with `digits` decimals: `0.215` → `21.5 %`.
pub(crate) fn percent(share: f64, digits: usize) -> String {
    if share.is_finite() { format!("{}{NBSP}%", decimal(share * 100.0, digits)) } else { DASH.into() }
}

/// A relative change as a signed percentage with `digits` decimals: `0.156` → `+15.6 %`.
pub(crate) fn signed_percent(share: f64, digits: usize) -> String {
    if share.is_finite() { format!("{}{NBSP}%", signed(share * 100.0, digits)) } else { DASH.into() }
}

/// A difference of two shares in percentage points, signed, with `digits` decimals:
/// `−0.0014` → `−0.14 pp`.
pub(crate) fn points(difference: f64, digits: usize) -> String {
    if difference.is_finite() {
        format!("{}{NBSP}pp", signed(difference * 100.0, digits))
    } else {
        DASH.into()
    }
}

/// An interval of two formatted ends: `[−0.15 to −0.13]` (not a comma, which would be
/// confused with the thousands separator).
pub(crate) fn interval(lo: &str, hi: &str) -> String {
    format!("[{lo} to {hi}]")
}

/// A season range: `season 3` or `seasons 0–3`.
pub(crate) fn seasons(first: u32, last: u32) -> String {
    if first == last { format!("season {first}") } else { format!("seasons {first}–{last}") }
}

/// Decimals needed to tell apart axis ticks `step` apart, for steps of 1, 2 or 5 × 10^k
/// (0.05 → 2, 0.5 → 1, 2 → 0).
pub(crate) fn decimals_for_step(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    (-step.log10() - 1e-9).ceil().max(0.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_and_there_is_no_negative_zero() {
        assert_eq!(thousands(749_582.4), "749,582");
        assert_eq!(thousands(85_000.0), "85,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(1_234_567_890.0), "1,234,567,890");
        assert_eq!(thousands(-10_887.0), "−10,887");
        assert_eq!(thousands(-0.3), "0");
        assert_eq!(thousands(-0.0), "0");
        assert_eq!(thousands(f64::NAN), "–");
        assert_eq!(decimal(1234.56, 1), "1,234.6");
        assert_eq!(decimal(-0.004, 2), "0.00");
    }

    #[test]
    fn signs_are_explicit_except_for_zero() {
        assert_eq!(signed(558.0, 0), "+558");
        assert_eq!(signed(-12.0, 0), "−12");
        assert_eq!(signed(0.2, 0), "0");
        assert_eq!(signed(-0.2, 0), "0");
        assert_eq!(signed(f64::INFINITY, 0), "–");
    }

    #[test]
    fn money_is_written_with_its_unit() {
        assert_eq!(rupiah(749_582.0), "Rp\u{a0}749,582");
        assert_eq!(rupiah(f64::NAN), "–");
        assert_eq!(rupiah_compact(3_380_200_000.0), "Rp\u{a0}3.38\u{a0}billion");
        assert_eq!(rupiah_compact(12_345_678.0), "Rp\u{a0}12.3\u{a0}million");
        assert_eq!(rupiah_compact(527_275.0), "Rp\u{a0}527,275");
        assert_eq!(usd(52.4), "USD\u{a0}52");
        assert_eq!(usd(236_245.0), "USD\u{a0}236,245");
    }

    #[test]
    fn shares_are_percentages_and_their_differences_percentage_points() {
        assert_eq!(percent(0.215, 1), "21.5\u{a0}%");
        assert_eq!(percent(0.0, 1), "0.0\u{a0}%");
        assert_eq!(percent(f64::NAN, 1), "–");
        assert_eq!(points(-0.0014, 2), "−0.14\u{a0}pp");
        assert_eq!(points(0.0025, 2), "+0.25\u{a0}pp");
        assert_eq!(points(-0.00001, 2), "0.00\u{a0}pp");
        assert_eq!(interval(&thousands(-11_662.0), &thousands(4_034.0)), "[−11,662 to 4,034]");
    }

    #[test]
    fn seasons_and_axis_steps() {
        assert_eq!(seasons(0, 0), "season 0");
        assert_eq!(seasons(0, 3), "seasons 0–3");
        assert_eq!(decimals_for_step(0.05), 2);
        assert_eq!(decimals_for_step(0.5), 1);
        assert_eq!(decimals_for_step(0.1), 1);
        assert_eq!(decimals_for_step(1.0), 0);
        assert_eq!(decimals_for_step(20.0), 0);
        assert_eq!(decimals_for_step(0.002), 3);
    }
}
