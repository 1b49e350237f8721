//! The values one operand may take, as a condition narrows them: bounds
//! (`x > 5`), a set of allowed values (`x in [a, b]`, `x == a`) and
//! excluded ones (`x != a`). Dates are day numbers, text is folded.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::value::Decimal;

/// A constant an operand is compared with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// A number, or a date as a day number.
    Num(Decimal),
    /// Text as compared, folded by `value::fold_text` (NFC and full case
    /// folding), so `"straße"` and `"STRASSE"` are one key.
    Text(String),
    Bool(bool),
}

/// One bound: `value` itself included unless `strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub value: Decimal,
    pub strict: bool,
}

/// A set of values, described by constraints; every constraint also
/// means the value is present (a comparison with a missing value is
/// never true).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Domain {
    pub lo: Option<Limit>,
    pub hi: Option<Limit>,
    /// When known, the only values possible.
    pub allowed: Option<BTreeSet<Key>>,
    pub excluded: BTreeSet<Key>,
}

impl Domain {
    /// Values equal to one of `keys`.
    pub fn one_of(keys: Vec<Key>) -> Domain {
        Domain {
            allowed: Some(keys.into_iter().collect()),
            ..Domain::default()
        }
    }

    /// Values other than `keys`.
    pub fn none_of(keys: Vec<Key>) -> Domain {
        Domain {
            excluded: keys.into_iter().collect(),
            ..Domain::default()
        }
    }

    /// Numbers from `lo` to `hi`.
    pub fn between(lo: Option<Limit>, hi: Option<Limit>) -> Domain {
        Domain {
            lo,
            hi,
            ..Domain::default()
        }
    }

    /// The values in both.
    pub fn meet(&self, other: &Domain) -> Domain {
        let mut both = self.clone();
        both.narrow(other);
        both
    }

    /// Keep only the values `other` has too.
    pub fn narrow(&mut self, other: &Domain) {
        if let Some(theirs) = &other.allowed {
            match &mut self.allowed {
                Some(mine) => mine.retain(|k| theirs.contains(k)),
                None => self.allowed = Some(theirs.clone()),
            }
        }
        self.excluded.extend(other.excluded.iter().cloned());
        self.lo = tighter(self.lo, other.lo, Ordering::Greater);
        self.hi = tighter(self.hi, other.hi, Ordering::Less);
    }

    /// True when `key` is in the set.
    pub fn admits(&self, key: &Key) -> bool {
        let listed = self.allowed.as_ref().is_none_or(|a| a.contains(key));
        listed && !self.excluded.contains(key) && self.in_bounds(key)
    }

    fn in_bounds(&self, key: &Key) -> bool {
        let Key::Num(x) = key else {
            return true; // bounds only come from ordering, on numbers and dates
        };
        let above = self
            .lo
            .is_none_or(|l| *x > l.value || (*x == l.value && !l.strict));
        let below = self
            .hi
            .is_none_or(|h| *x < h.value || (*x == h.value && !h.strict));
        above && below
    }

    /// The values, when there are finitely many.
    pub fn values(&self) -> Option<Vec<Key>> {
        let candidates = match (&self.allowed, self.lo, self.hi) {
            (Some(allowed), _, _) => allowed.iter().cloned().collect(),
            (None, Some(lo), Some(hi)) if lo.value == hi.value => vec![Key::Num(lo.value)],
            _ => return None,
        };
        Some(candidates.into_iter().filter(|k| self.admits(k)).collect())
    }

    /// True when no value is in the set.
    pub fn is_empty(&self) -> bool {
        if let Some(values) = self.values() {
            return values.is_empty();
        }
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => lo.value > hi.value,
            _ => false,
        }
    }

    /// True when every value of `self` is also in `other`.
    pub fn within(&self, other: &Domain) -> bool {
        if let Some(values) = self.values() {
            return values.iter().all(|k| other.admits(k));
        }
        if other.allowed.is_some() {
            return false; // infinitely many values cannot fit a list
        }
        let lo_ok = match (self.lo, other.lo) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => {
                a.value > b.value || (a.value == b.value && (a.strict || !b.strict))
            }
        };
        let hi_ok = match (self.hi, other.hi) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => {
                a.value < b.value || (a.value == b.value && (a.strict || !b.strict))
            }
        };
        lo_ok && hi_ok && other.excluded.iter().all(|k| !self.admits(k))
    }
}

/// The stricter of two bounds: `want` is the order of the stricter value
/// (`Greater` for a lower bound).
fn tighter(a: Option<Limit>, b: Option<Limit>, want: Ordering) -> Option<Limit> {
    match (a, b) {
        (Some(a), Some(b)) => Some(match a.value.cmp(&b.value) {
            Ordering::Equal => Limit {
                value: a.value,
                strict: a.strict || b.strict,
            },
            order if order == want => a,
            _ => b,
        }),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn above(x: i64, strict: bool) -> Domain {
        Domain::between(
            Some(Limit {
                value: x.into(),
                strict,
            }),
            None,
        )
    }

    fn below(x: i64, strict: bool) -> Domain {
        Domain::between(
            None,
            Some(Limit {
                value: x.into(),
                strict,
            }),
        )
    }

    fn num(x: i64) -> Key {
        Key::Num(x.into())
    }

    #[test]
    fn crossed_bounds_are_empty() {
        assert!(above(500, true).meet(&below(100, true)).is_empty());
        assert!(above(5, true).meet(&below(5, false)).is_empty());
        assert!(!above(5, false).meet(&below(5, false)).is_empty());
        assert!(!above(5, true).meet(&below(10, true)).is_empty());
    }

    #[test]
    fn equal_and_not_equal_clash() {
        let one = Domain::one_of(vec![num(1)]);
        assert!(one.meet(&Domain::none_of(vec![num(1)])).is_empty());
        let a = Domain::one_of(vec![Key::Text("a".into())]);
        assert!(a
            .meet(&Domain::one_of(vec![Key::Text("b".into())]))
            .is_empty());
        assert!(Domain::one_of(vec![]).is_empty());
    }

    #[test]
    fn stricter_bounds_fit_within_looser_ones() {
        assert!(above(50, false).within(&above(25, false)));
        assert!(!above(25, false).within(&above(50, false)));
        assert!(above(5, true).within(&above(5, false)));
        assert!(!above(5, false).within(&above(5, true)));
        assert!(Domain::one_of(vec![num(7)]).within(&above(5, true)));
        assert!(!above(5, true).within(&Domain::one_of(vec![num(7)])));
        assert!(above(5, true).within(&Domain::none_of(vec![num(3)])));
    }
}
