//! Interval arithmetic over exact decimals with unbounded ends: the
//! reachable values of points, groups and the score.

use crate::syntax::ast::ArithOp;
use crate::value::{ops, Decimal};

/// One end of an interval; the derived order puts `Below` first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    /// Unbounded below.
    Below,
    At(Decimal),
    /// Unbounded above.
    Above,
}

impl End {
    fn sign(self) -> i8 {
        match self {
            End::Below => -1,
            End::Above => 1,
            End::At(x) if x.is_zero() => 0,
            End::At(x) if x.is_sign_negative() => -1,
            End::At(_) => 1,
        }
    }

    /// The unbounded end with this sign (`Above` for zero, never used so).
    fn unbounded(sign: i8) -> End {
        if sign < 0 {
            End::Below
        } else {
            End::Above
        }
    }

    fn neg(self) -> End {
        match self {
            End::Below => End::Above,
            End::Above => End::Below,
            End::At(x) => End::At(-x),
        }
    }

    /// The finite value, if any.
    pub fn value(self) -> Option<Decimal> {
        match self {
            End::At(x) => Some(x),
            _ => None,
        }
    }
}

/// The values `lo..=hi` (both ends included); `lo <= hi` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub lo: End,
    pub hi: End,
}

impl Interval {
    /// Every number.
    pub const ALL: Interval = Interval {
        lo: End::Below,
        hi: End::Above,
    };

    /// Just `x`.
    pub fn point(x: Decimal) -> Interval {
        Interval {
            lo: End::At(x),
            hi: End::At(x),
        }
    }

    /// `lo..=hi`, kept well formed: a bound lost to overflow stays finite.
    pub fn new(lo: End, hi: End) -> Interval {
        let lo = if lo == End::Above {
            End::At(Decimal::MAX)
        } else {
            lo
        };
        let hi = if hi == End::Below {
            End::At(Decimal::MIN)
        } else {
            hi
        };
        Interval { lo, hi }
    }

    /// The smallest interval holding `self` and zero: what a rule adds,
    /// since a rule whose condition fails adds nothing.
    pub fn with_zero(self) -> Interval {
        let zero = End::At(Decimal::ZERO);
        Interval::new(self.lo.min(zero), self.hi.max(zero))
    }

    /// `-x`.
    pub fn neg(self) -> Interval {
        Interval::new(self.hi.neg(), self.lo.neg())
    }

    /// `x + y`.
    pub fn add(self, other: Interval) -> Interval {
        Interval::new(
            add(self.lo, other.lo, End::Below),
            add(self.hi, other.hi, End::Above),
        )
    }

    /// `x - y`.
    pub fn sub(self, other: Interval) -> Interval {
        self.add(other.neg())
    }

    /// `x * y`: the extremes are at the corners.
    pub fn mul(self, other: Interval) -> Interval {
        let corners = [
            mul(self.lo, other.lo),
            mul(self.lo, other.hi),
            mul(self.hi, other.lo),
            mul(self.hi, other.hi),
        ];
        hull(&corners)
    }

    /// Division: unbounded when the divisor may be zero (a zero divisor
    /// gives missing, but one near zero gives any size).
    pub fn div(self, other: Interval) -> Interval {
        if other.lo.sign() <= 0 && other.hi.sign() >= 0 {
            return Interval::ALL;
        }
        let corners = [
            div(self.lo, other.lo),
            div(self.lo, other.hi),
            div(self.hi, other.lo),
            div(self.hi, other.hi),
        ];
        match corners {
            [Some(a), Some(b), Some(c), Some(d)] => hull(&[a, b, c, d]),
            _ => Interval::ALL,
        }
    }

    /// `x op y`.
    pub fn arith(self, op: ArithOp, other: Interval) -> Interval {
        match op {
            ArithOp::Add => self.add(other),
            ArithOp::Sub => self.sub(other),
            ArithOp::Mul => self.mul(other),
            ArithOp::Div => self.div(other),
        }
    }

    /// `min(x, y)`.
    pub fn min(self, other: Interval) -> Interval {
        Interval::new(self.lo.min(other.lo), self.hi.min(other.hi))
    }

    /// `max(x, y)`.
    pub fn max(self, other: Interval) -> Interval {
        Interval::new(self.lo.max(other.lo), self.hi.max(other.hi))
    }

    /// `abs(x)`.
    pub fn abs(self) -> Interval {
        if self.lo.sign() >= 0 {
            self
        } else if self.hi.sign() <= 0 {
            self.neg()
        } else {
            Interval::new(End::At(Decimal::ZERO), self.lo.neg().max(self.hi))
        }
    }

    /// `round(x, places)`: rounding never reverses an order, so the ends
    /// round to the ends.
    pub fn round(self, places: u32) -> Interval {
        let round = |end: End| match end {
            End::At(x) => End::At(ops::round(x, places)),
            other => other,
        };
        Interval::new(round(self.lo), round(self.hi))
    }

    /// Limited by `max` and `min`, as a group or the score is.
    pub fn clamp(self, min: Option<Decimal>, max: Option<Decimal>) -> Interval {
        let clamp = |end: End| {
            let end = min.map_or(end, |m| end.max(End::At(m)));
            max.map_or(end, |m| end.min(End::At(m)))
        };
        Interval::new(clamp(self.lo), clamp(self.hi))
    }
}

fn hull(ends: &[End]) -> Interval {
    let lo = ends.iter().copied().min().unwrap_or(End::Below);
    let hi = ends.iter().copied().max().unwrap_or(End::Above);
    Interval::new(lo, hi)
}

/// `a + b`; `unsure` when the sum is unbounded both ways or overflows.
fn add(a: End, b: End, unsure: End) -> End {
    match (a, b) {
        (End::At(x), End::At(y)) => x.checked_add(y).map_or(unsure, End::At),
        (End::At(_), other) | (other, End::At(_)) => other,
        (x, y) if x == y => x,
        _ => unsure,
    }
}

fn mul(a: End, b: End) -> End {
    let sign = a.sign() * b.sign();
    if sign == 0 {
        return End::At(Decimal::ZERO); // zero times any finite number
    }
    match (a, b) {
        (End::At(x), End::At(y)) => ops::mul(x, y).map_or(End::unbounded(sign), End::At),
        _ => End::unbounded(sign),
    }
}

/// `a / b` for a divisor that is not zero; `None` when unknowable.
fn div(a: End, b: End) -> Option<End> {
    match (a, b) {
        (End::At(x), End::At(y)) => {
            Some(ops::div(x, y).map_or(End::unbounded(a.sign() * b.sign()), End::At))
        }
        (End::At(_), _) => Some(End::At(Decimal::ZERO)),
        (_, End::At(_)) => Some(End::unbounded(a.sign() * b.sign())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(lo: i64, hi: i64) -> Interval {
        Interval::new(End::At(lo.into()), End::At(hi.into()))
    }

    #[test]
    fn products_take_the_corners() {
        assert_eq!(iv(-2, 3).mul(iv(4, 5)), iv(-10, 15));
        let from_zero = Interval::new(End::At(0.into()), End::Above);
        assert_eq!(from_zero.mul(iv(5, 5)), from_zero);
    }

    #[test]
    fn a_divisor_that_may_be_zero_is_unbounded() {
        assert_eq!(iv(1, 2).div(iv(-1, 1)), Interval::ALL);
        assert_eq!(iv(0, 300).div(iv(100, 100)), iv(0, 3));
    }

    #[test]
    fn min_max_abs_round_narrow() {
        let unbounded_above = Interval::new(End::At(0.into()), End::Above);
        assert_eq!(unbounded_above.min(iv(10, 10)), iv(0, 10));
        assert_eq!(iv(-7, 3).abs(), iv(0, 7));
        assert_eq!(iv(-7, -3).abs(), iv(3, 7));
        let thirds = Interval::new(End::At(Decimal::new(33, 1)), End::At(Decimal::new(35, 1)));
        assert_eq!(thirds.round(0), iv(3, 4));
    }

    #[test]
    fn caps_clamp_both_ends() {
        assert_eq!(
            iv(-30, 80).clamp(Some(0.into()), Some(60.into())),
            iv(0, 60)
        );
        assert_eq!(
            Interval::ALL.clamp(None, Some(50.into())).hi,
            End::At(50.into())
        );
    }

    #[test]
    fn a_rule_may_add_nothing() {
        assert_eq!(iv(5, 10).with_zero(), iv(0, 10));
        assert_eq!(iv(-15, -15).with_zero(), iv(-15, 0));
    }
}
