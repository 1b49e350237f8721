//! Decay (language section 11): how much of its points a contribution
//! keeps at an age.
//!
//! `linear` and `P% every` factors are exact fractions (decimal
//! arithmetic); the half-life factor is a double, as the language says,
//! so that SQL engines compute the same one. A contribution is rounded
//! half away from zero to 4 places, once.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::RoundingStrategy;

use crate::check::model::DecayForm;
use crate::value::{ops, Date, Decimal, DurationUnit};

/// Places a decayed contribution is rounded to.
pub const PLACES: u32 = 4;

/// `points` decayed from `since` to `today`; a `since` after `today`
/// has age 0. `None` when the product is past the largest decimal.
pub fn decayed(points: Decimal, form: DecayForm, since: Date, today: Date) -> Option<Decimal> {
    let age = ops::days_since(since, today).max(0);
    let product = match form {
        DecayForm::HalfLife { days } => {
            let factor = (-(age as f64) / days as f64).exp2();
            points.checked_mul(Decimal::from_f64(factor).unwrap_or(Decimal::ZERO))?
        }
        DecayForm::Linear { days } => {
            let left = (days - age).max(0);
            points.checked_mul(Decimal::from(left))? / Decimal::from(days)
        }
        DecayForm::Every { percent, period } => {
            let periods = match period.unit {
                DurationUnit::Day => age / period.amount,
                DurationUnit::Week => age / period.amount.saturating_mul(7),
                DurationUnit::Month => months(since, today) / period.amount,
                DurationUnit::Year => months(since, today) / period.amount.saturating_mul(12),
            };
            let kept = (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED;
            points.checked_mul(power(kept, periods))?
        }
    };
    Some(round(product))
}

/// Whole calendar months from `since` to `today`, 0 for a later `since`.
fn months(since: Date, today: Date) -> i64 {
    ops::months_since(since, today).max(0)
}

/// `base^exponent` for a base in [0, 1): by squaring, so a large age
/// costs a few dozen multiplications; a factor too small for a decimal's
/// 28 places is 0.
fn power(base: Decimal, exponent: i64) -> Decimal {
    let mut result = Decimal::ONE;
    let mut square = base;
    let mut left = exponent.max(0);
    while left > 0 {
        if left & 1 == 1 {
            result = result.checked_mul(square).unwrap_or(Decimal::ZERO);
        }
        left >>= 1;
        if left > 0 {
            square = square.checked_mul(square).unwrap_or(Decimal::ZERO);
        }
        if result.is_zero() {
            break;
        }
    }
    result
}

/// Half away from zero, to [`PLACES`].
pub fn round(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(PLACES, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// The factor itself, for `tally explain`: 1 at age 0.
pub fn factor(form: DecayForm, since: Date, today: Date) -> Decimal {
    decayed(Decimal::from(10_000), form, since, today)
        .map_or(Decimal::ZERO, |d| (d / Decimal::from(10_000)).normalize())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::value::Duration;

    fn date(text: &str) -> Date {
        crate::value::parse_date_literal(text).unwrap()
    }

    fn n(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn half_life_halves_per_period() {
        let today = date("2026-11-22");
        let form = DecayForm::HalfLife { days: 7 };
        assert_eq!(
            decayed(n("8"), form, date("2026-11-22"), today),
            Some(n("8"))
        );
        assert_eq!(
            decayed(n("8"), form, date("2026-11-15"), today),
            Some(n("4"))
        );
        assert_eq!(
            decayed(n("10"), form, date("2026-11-21"), today),
            Some(n("9.0572"))
        );
        // A date after today has age 0.
        assert_eq!(
            decayed(n("8"), form, date("2026-12-01"), today),
            Some(n("8"))
        );
    }

    #[test]
    fn linear_is_an_exact_fraction() {
        let today = date("2026-11-22");
        let form = DecayForm::Linear { days: 90 };
        // 4.5 × (1 − 1/90) = 4.45 exactly.
        assert_eq!(
            decayed(n("4.5"), form, date("2026-11-21"), today),
            Some(n("4.45"))
        );
        assert_eq!(
            decayed(
                n("4"),
                DecayForm::Linear { days: 20 },
                date("2026-11-17"),
                today
            ),
            Some(n("3"))
        );
        assert_eq!(
            decayed(
                n("4"),
                DecayForm::Linear { days: 20 },
                date("2026-10-01"),
                today
            ),
            Some(n("0"))
        );
    }

    #[test]
    fn percent_every_counts_whole_periods() {
        let today = date("2026-11-22");
        let monthly = DecayForm::Every {
            percent: n("50"),
            period: Duration {
                amount: 1,
                unit: DurationUnit::Month,
            },
        };
        assert_eq!(
            decayed(n("25"), monthly, date("2026-10-23"), today),
            Some(n("25"))
        );
        assert_eq!(
            decayed(n("25"), monthly, date("2026-10-22"), today),
            Some(n("12.5"))
        );
        assert_eq!(
            decayed(n("25"), monthly, date("2026-09-22"), today),
            Some(n("6.25"))
        );
        let weekly = DecayForm::Every {
            percent: n("10"),
            period: Duration {
                amount: 1,
                unit: DurationUnit::Week,
            },
        };
        assert_eq!(
            decayed(n("100"), weekly, date("2026-11-08"), today),
            Some(n("81"))
        );
        // Very old: the factor is below any 4-place contribution.
        assert_eq!(
            decayed(n("100"), weekly, date("1900-01-01"), today),
            Some(n("0"))
        );
    }
}
