//! Arithmetic on exact decimals and calendar dates (spec section 5).
//!
//! `None` means the result is missing: division by zero, or a result too
//! large for an exact decimal or a calendar date.

use chrono::{Datelike, Months};
use rust_decimal::RoundingStrategy;

use super::{Date, Decimal, Duration, DurationUnit};

/// Places kept by division: results are rounded half away from zero.
pub const DIVISION_PLACES: u32 = 4;

/// `a + b`.
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_add(b)
}

/// `a - b`.
pub fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_sub(b)
}

/// `a * b`.
pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b)
}

/// `a / b`, rounded to [`DIVISION_PLACES`]; missing when `b` is zero.
pub fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    a.checked_div(b).map(|q| round(q, DIVISION_PLACES))
}

/// `round(a, places)`: half away from zero.
pub fn round(a: Decimal, places: u32) -> Decimal {
    a.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `date + duration`; months and years keep the day, clamped to the
/// month's last day (`2026-01-31 + 1 month` is `2026-02-28`).
pub fn date_add(date: Date, duration: Duration) -> Option<Date> {
    let amount = duration.amount;
    let moved = match duration.unit {
        DurationUnit::Day => date.checked_add_signed(chrono::Duration::try_days(amount)?),
        DurationUnit::Week => {
            date.checked_add_signed(chrono::Duration::try_days(amount.checked_mul(7)?)?)
        }
        DurationUnit::Month => add_months(date, amount),
        DurationUnit::Year => add_months(date, amount.checked_mul(12)?),
    }?;
    // Years 1 to 9999, as in date literals and SQL warehouses.
    (1..=9999).contains(&moved.year()).then_some(moved)
}

/// `date - duration`.
pub fn date_sub(date: Date, duration: Duration) -> Option<Date> {
    let negated = Duration {
        amount: duration.amount.checked_neg()?,
        unit: duration.unit,
    };
    date_add(date, negated)
}

fn add_months(date: Date, months: i64) -> Option<Date> {
    let count = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        date.checked_add_months(count)
    } else {
        date.checked_sub_months(count)
    }
}

/// `days_since(d)`: `today - d` in days, negative for a future date.
pub fn days_since(date: Date, today: Date) -> i64 {
    (today - date).num_days()
}

/// `months_since(d)`: whole calendar months from `d` to `today`.
pub fn months_since(date: Date, today: Date) -> i64 {
    let months = |d: Date| 12 * i64::from(d.year()) + i64::from(d.month());
    let whole = months(today) - months(date);
    if today.day() < date.day() {
        whole - 1
    } else {
        whole
    }
}

/// `years_since(d)`: whole years from `d` to `today`.
pub fn years_since(date: Date, today: Date) -> i64 {
    let years = i64::from(today.year()) - i64::from(date.year());
    if (today.month(), today.day()) < (date.month(), date.day()) {
        years - 1
    } else {
        years
    }
}

/// `d within N units`: `today - N <= d <= today`; missing if the window
/// start is not a representable date.
pub fn within(date: Date, duration: Duration, today: Date) -> Option<bool> {
    let start = date_sub(today, duration)?;
    Some(start <= date && date <= today)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(text: &str) -> Date {
        super::super::parse_date_literal(text).unwrap()
    }

    fn n(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn dur(amount: i64, unit: DurationUnit) -> Duration {
        Duration { amount, unit }
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(add(n("0.1"), n("0.2")), Some(n("0.3")));
        assert_eq!(div(n("10"), n("3")), Some(n("3.3333")));
        assert_eq!(div(n("2"), n("3")), Some(n("0.6667")));
        assert_eq!(div(n("-2"), n("3")), Some(n("-0.6667")));
        assert_eq!(div(n("1"), n("0")), None);
        assert_eq!(round(n("2.5"), 0), n("3"));
        assert_eq!(round(n("-2.5"), 0), n("-3"));
        assert_eq!(round(n("3.3333"), 2), n("3.33"));
        assert_eq!(mul(Decimal::MAX, n("2")), None);
    }

    #[test]
    fn month_arithmetic_clamps_to_the_last_day() {
        let month = dur(1, DurationUnit::Month);
        assert_eq!(date_add(d("2026-01-31"), month), Some(d("2026-02-28")));
        assert_eq!(date_add(d("2024-01-31"), month), Some(d("2024-02-29")));
        assert_eq!(date_sub(d("2026-03-31"), month), Some(d("2026-02-28")));
        let years = dur(7, DurationUnit::Year);
        assert_eq!(date_add(d("2020-02-29"), years), Some(d("2027-02-28")));
        assert_eq!(
            date_sub(d("2026-11-22"), dur(2, DurationUnit::Week)),
            Some(d("2026-11-08"))
        );
        assert_eq!(
            date_add(d("2026-11-22"), dur(i64::MAX, DurationUnit::Day)),
            None
        );
    }

    #[test]
    fn elapsed_time_is_floored() {
        let today = d("2026-11-22");
        assert_eq!(days_since(d("2026-11-01"), today), 21);
        assert_eq!(days_since(d("2026-12-01"), today), -9);
        assert_eq!(months_since(d("2025-05-22"), today), 18);
        assert_eq!(months_since(d("2025-05-23"), today), 17);
        assert_eq!(years_since(d("2019-11-22"), today), 7);
        assert_eq!(years_since(d("2019-11-23"), today), 6);
        assert_eq!(years_since(d("2020-02-29"), today), 6);
    }

    #[test]
    fn within_includes_both_ends_and_excludes_the_future() {
        let today = d("2026-11-22");
        let month = dur(30, DurationUnit::Day);
        assert_eq!(within(d("2026-10-23"), month, today), Some(true));
        assert_eq!(within(d("2026-10-22"), month, today), Some(false));
        assert_eq!(within(today, month, today), Some(true));
        assert_eq!(within(d("2026-11-23"), month, today), Some(false));
    }
}

/// Compare two decimals; those of equal scale (the usual case: a cell and
/// a constant written alike) by their integer mantissas, which is exact
/// and several times cheaper than `Decimal::cmp`.
pub fn cmp(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(&b)
    }
}

#[cfg(test)]
mod cmp_tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn cmp_agrees_with_decimal_ordering() {
        let values = [
            "0", "-0", "1", "1.0", "0.5", "-2.50", "100", "99.99", "-100", "7.25",
        ];
        for a in values {
            for b in values {
                let (x, y) = (Decimal::from_str(a).unwrap(), Decimal::from_str(b).unwrap());
                assert_eq!(cmp(x, y), x.cmp(&y), "{a} vs {b}");
            }
        }
    }
}
