//! Adding up a lead's points: the rules that are not local, then group
//! sums and caps, then the score and its caps; exactly, as integers when
//! every fired rule's points are small, else as decimals in file order.

use super::scorer::Scorer;
use super::scratch::Scratch;
use super::{Lead, Overflow};
use crate::check::model::Limits;
use crate::id::{GroupId, Id};
use crate::value::{ops, Decimal};

impl<'p> Scorer<'p> {
    /// The rules that are not local (the local ones ran with their
    /// fields), then group sums and the sum, in file order.
    pub(super) fn sums(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        scratch.overflow = None;
        let env = self.env(lead, &scratch.folded, &scratch.predicates);
        // Only these conditions are read, and each is set: no clearing.
        if scratch.conditions.len() != self.conditions.len() {
            scratch.conditions.resize(self.conditions.len(), None);
        }
        for &id in &self.other_conditions {
            *scratch.conditions.at_mut(id) = self.conditions.at(id).truth(&env);
        }
        for &id in &self.others {
            let (rule, points) = (self.plan.rules.at(id), self.points.at(id));
            let holds = *scratch.conditions.at(rule.condition) == Some(true);
            let points = if holds { points.value(&env) } else { None };
            if let Some(points) = points {
                scratch.fired.fire(&mut scratch.points, id, points);
            }
        }
        // The groups' sums, then the top level's.
        zeros(&mut scratch.group_sums, self.plan.groups.len() + 1);
        let exact = scratch.fired.any_order && self.exact_sums(scratch);
        scratch.exact = exact;
        if exact && self.capped_exactly(scratch) {
            scratch.group_sums.pop(); // the top level's
            return;
        }
        if !exact {
            self.sums_in_file_order(scratch);
        }
        self.cap_groups(scratch);
    }

    /// The group sums and the top level's, in file order, as decimals: a
    /// sum may round or go past the largest decimal (noted in
    /// `scratch.overflow`), so it adds as the spec does. (Out of line, as
    /// the integer sums almost always do: the per-lead code stays small
    /// enough for the instruction cache.)
    #[inline(never)]
    fn sums_in_file_order(&self, scratch: &mut Scratch<'p>) {
        scratch.group_sums.fill(Decimal::ZERO);
        let groups = self.plan.groups.len();
        for (rule, value) in scratch.points.enumerate() {
            let into = *self.sum_into.at(rule);
            if let (Some(value), Some(slot)) = (value, scratch.group_sums.get_mut(into)) {
                *slot = slot.checked_add(*value).unwrap_or_else(|| {
                    let at = (into < groups).then_some(GroupId::from_index(into));
                    scratch.overflow.get_or_insert(Overflow { group: at });
                    slot.saturating_add(*value)
                });
            }
        }
    }

    /// The groups' caps on decimal sums, and the score's sum.
    #[inline(never)]
    fn cap_groups(&self, scratch: &mut Scratch<'p>) {
        let top_level = scratch.group_sums.pop().unwrap_or_default();
        scratch.groups.clear();
        let capped = self.plan.groups.iter().zip(&scratch.group_sums);
        scratch
            .groups
            .extend(capped.map(|(g, sum)| clamp(*sum, g.limits).normalize()));
        let mut sum = top_level;
        for group in &scratch.groups {
            sum = sum.checked_add(*group).unwrap_or_else(|| {
                scratch.overflow.get_or_insert(Overflow { group: None });
                sum.saturating_add(*group)
            });
        }
        scratch.score_sum = sum;
    }

    /// Sum the points of the rules that fired into `scratch.group_sums`
    /// (zeros) as integers at the most places among them, when each one's
    /// points are small (see [`FiredRules::fire`]): the sums are then exact
    /// and fit, so the order does not matter, and only the rules that fired
    /// are visited. False (and nothing summed) if a sum would not fit.
    fn exact_sums(&self, scratch: &mut Scratch<'p>) -> bool {
        let places = scratch.fired.places;
        zeros(&mut scratch.fixed, scratch.group_sums.len());
        let fired = scratch.fired.rules.iter().zip(&scratch.fired.small);
        for (&rule, &(mantissa, scale)) in fired {
            let Some(slot) = scratch.fixed.get_mut(*self.sum_into.at(rule)) else {
                continue;
            };
            // Below 2^32 times at most 10^9: a 64-bit product.
            let shift = places.saturating_sub(scale) as usize;
            let scaled = POWERS_OF_TEN
                .get(shift)
                .and_then(|unit| mantissa.checked_mul(*unit));
            match scaled.and_then(|n| slot.checked_add(i128::from(n))) {
                Some(total) => *slot = total,
                None => return false,
            }
        }
        for (sum, fixed) in scratch.group_sums.iter_mut().zip(&scratch.fixed) {
            match Decimal::try_from_i128_with_scale(*fixed, places) {
                Ok(total) => *sum = total,
                Err(_) => return false,
            }
        }
        true
    }

    /// After [`Scorer::exact_sums`]: the groups' caps, the score and its
    /// caps, on the integers at `places` (exact, and no `Decimal`
    /// arithmetic). False, with nothing final set, when a cap has more
    /// places or a total does not fit: the `Decimal` path then does it.
    fn capped_exactly(&self, scratch: &mut Scratch<'p>) -> bool {
        let places = scratch.fired.places;
        let Some(&top_level) = scratch.fixed.last() else {
            return false;
        };
        scratch.groups.clear();
        let mut score = top_level;
        for (limits, sum) in self.fixed_group_limits.iter().zip(&scratch.fixed) {
            let capped = limits.clamp(*sum, places);
            let total = capped.and_then(|c| Some((c, score.checked_add(c)?)));
            let Some((capped, total)) = total else {
                return false;
            };
            let Some(capped) = normalized(capped, places) else {
                return false;
            };
            scratch.groups.push(capped);
            score = total;
        }
        let capped = self.fixed_score_limits.clamp(score, places);
        let (Some(capped), Ok(sum)) = (
            capped.and_then(|c| normalized(c, places)),
            Decimal::try_from_i128_with_scale(score, places),
        ) else {
            return false;
        };
        scratch.score_sum = sum;
        scratch.score = capped;
        scratch.score_capped = true;
        true
    }

    /// A lead's score and capped groups from its sums before caps (`sums`:
    /// the top level's, then each group's), as scoring caps them; `None`
    /// past the largest decimal.
    pub(super) fn finish_sums<'s>(
        &self,
        sums: &[Decimal],
        scratch: &'s mut Scratch<'p>,
    ) -> Option<(Decimal, &'s [Decimal])> {
        let (top, groups) = sums.split_first()?;
        scratch.overflow = None;
        if self.fixed_sums(sums, scratch) && self.capped_exactly(scratch) {
            return Some((scratch.score, &scratch.groups));
        }
        scratch.group_sums.clear();
        scratch.group_sums.extend_from_slice(groups);
        scratch.group_sums.push(*top);
        self.cap_groups(scratch);
        self.cap_score(scratch);
        match scratch.overflow {
            Some(_) => None,
            None => Some((scratch.score, &scratch.groups)),
        }
    }

    /// `sums` (the top level's, then the groups') as integers at their
    /// most places, in `scratch.fixed` as [`Scorer::exact_sums`] leaves
    /// them (the groups', then the top level's), for
    /// [`Scorer::capped_exactly`]; false if one has too many places or
    /// digits.
    fn fixed_sums(&self, sums: &[Decimal], scratch: &mut Scratch<'p>) -> bool {
        let places = sums.iter().map(Decimal::scale).max().unwrap_or(0);
        zeros(&mut scratch.fixed, sums.len());
        let (Some((top, groups)), Some((last, fixed))) =
            (sums.split_first(), scratch.fixed.split_last_mut())
        else {
            return false;
        };
        for (slot, sum) in fixed
            .iter_mut()
            .chain([last])
            .zip(groups.iter().chain([top]))
        {
            let unit = POWERS_OF_TEN.get(places.saturating_sub(sum.scale()) as usize);
            let mantissa = i64::try_from(sum.mantissa()).ok();
            match mantissa.zip(unit).and_then(|(m, u)| m.checked_mul(*u)) {
                Some(n) => *slot = i128::from(n),
                None => return false,
            }
        }
        scratch.fired.places = places;
        true
    }

    /// The score's caps on its decimal sum (see [`Scorer::cap_groups`]).
    #[inline(never)]
    pub(super) fn cap_score(&self, scratch: &mut Scratch<'p>) {
        scratch.score = clamp(scratch.score_sum, self.plan.score_limits).normalize();
    }
}

/// Set `sums` to `n` zeros, reusing its memory: element by element, as a
/// lead has a few sums and `clear` then `resize` would call `memset`.
#[inline]
fn zeros<T: Copy + Default>(sums: &mut Vec<T>, n: usize) {
    sums.truncate(n);
    for sum in sums.iter_mut() {
        *sum = T::default();
    }
    while sums.len() < n {
        sums.push(T::default());
    }
}

/// 10^0 to 10^9: small points have at most 9 places.
const POWERS_OF_TEN: [i64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// [`clamp`] for a sum held as an integer at `places`; `None` when a
/// limit has more places or does not fit.
fn clamp_fixed(value: i128, limits: Limits, places: u32) -> Option<i128> {
    let at_places = |limit: Decimal| {
        let shift = places.checked_sub(limit.scale())?;
        let unit = POWERS_OF_TEN.get(shift as usize)?;
        // A 64-bit product: a checked 128-bit multiply is a library call.
        let mantissa = i64::try_from(limit.mantissa()).ok()?;
        mantissa.checked_mul(*unit).map(i128::from)
    };
    let mut value = value;
    if let Some(max) = limits.max {
        value = value.min(at_places(max)?);
    }
    if let Some(min) = limits.min {
        value = value.max(at_places(min)?);
    }
    Some(value)
}

/// A cap's limits as integers at each number of places the integer sums
/// use (0 to 9), worked out once: [`clamp_fixed`] without the work.
#[derive(Debug, Clone)]
pub(super) struct FixedLimits {
    /// Per places: the least and the most a sum may be (the extremes of
    /// `i128` where there is no limit); `None` where a limit has more
    /// places, or does not fit.
    at: [Option<(i128, i128)>; 10],
}

impl FixedLimits {
    pub(super) fn new(limits: Limits) -> FixedLimits {
        let mut at = [None; 10];
        for (places, slot) in (0u32..).zip(at.iter_mut()) {
            let low = clamp_fixed(i128::MIN, limits, places);
            let high = clamp_fixed(i128::MAX, limits, places);
            *slot = low.zip(high);
        }
        FixedLimits { at }
    }

    /// `value`, an integer at `places`, capped: as [`clamp_fixed`] gives it.
    #[inline]
    pub(super) fn clamp(&self, value: i128, places: u32) -> Option<i128> {
        let (low, high) = (*self.at.get(places as usize)?)?;
        Some(value.min(high).max(low))
    }
}

/// The integer `value` at `places` as a normalized decimal (no trailing
/// zeros), as [`Decimal::normalize`] gives it; `None` if it does not fit.
fn normalized(mut value: i128, mut places: u32) -> Option<Decimal> {
    // 64-bit divisions when it fits (a 128-bit one is a library call).
    if let Ok(mut small) = i64::try_from(value) {
        while places > 0 && small % 10 == 0 {
            small /= 10;
            places -= 1;
        }
        value = i128::from(small);
    } else {
        while places > 0 && value % 10 == 0 {
            value /= 10;
            places -= 1;
        }
    }
    Decimal::try_from_i128_with_scale(value, places).ok()
}

/// Limit a sum to `max` and `min`.
pub fn clamp(value: Decimal, limits: Limits) -> Decimal {
    let value = match limits.max {
        Some(max) if ops::cmp(value, max).is_gt() => max,
        _ => value,
    };
    match limits.min {
        Some(min) if ops::cmp(value, min).is_lt() => min,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::source::Source;
    use crate::value::{parse_date_literal, Value};

    /// Scores of one-field leads `a = n` under `rules`.
    fn scores(rules: &str, leads: &[i64]) -> Vec<String> {
        let text = format!("fields {{\n  a: int\n}}\n{rules}");
        let model = crate::compile(&Source::new("t.tally", text)).model.unwrap();
        let plan = crate::plan::compile(&model);
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        leads
            .iter()
            .map(|n| {
                let lead = Lead {
                    values: vec![Some(Value::Number(Decimal::from(*n)))].into(),
                };
                scorer.score(&lead).score.to_string()
            })
            .collect()
    }

    #[test]
    fn fixed_limits_clamp_as_clamp_fixed_does_at_every_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let limits = [
            Limits {
                max: Some(d("60")),
                min: None,
            },
            Limits {
                max: Some(d("50")),
                min: Some(d("-10")),
            },
            Limits {
                max: Some(d("2.5")),
                min: Some(d("-0.125")),
            },
            Limits {
                max: None,
                min: Some(d("0.0000000001")),
            },
            Limits {
                max: None,
                min: None,
            },
        ];
        let values = [
            i128::MIN,
            -1_000_000_000_000,
            -126,
            -1,
            0,
            1,
            24,
            25,
            2_500_000_001,
            i128::MAX,
        ];
        for limits in limits {
            let fixed = FixedLimits::new(limits);
            for places in 0..=9 {
                for value in values {
                    let want = clamp_fixed(value, limits, places);
                    assert_eq!(
                        fixed.clamp(value, places),
                        want,
                        "{limits:?} {places} {value}"
                    );
                }
            }
        }
    }

    #[test]
    fn caps_hold_with_more_places_than_the_points_and_with_fewer() {
        // `g` caps at 10.5 and -2.5: more places than the integer points
        // (the decimal path), as many as the 0.25 (the integer path).
        let rules = "group g max 10.5 min -2.5 {\n\
                       when a > 0 add 7\n\
                       when a > 1 add 4\n\
                       when a > 2 sub 20\n\
                       when a > 5 add 0.25\n\
                     }\n\
                     when a > 3 add 0.5\n\
                     when a > 4 add 100\n\
                     score max 12.75 min -1.125\n";
        assert_eq!(
            scores(rules, &[1, 2, 3, 4, 5, 6]),
            ["7", "10.5", "-1.125", "-1.125", "12.75", "12.75"]
        );
        let rules = "group g max 10.5 {\n\
                       when a > 0 add 0.25\n\
                       when a > 1 add 20\n\
                     }\n\
                     when a > 2 sub 0.5\n";
        assert_eq!(scores(rules, &[1, 2, 3]), ["0.25", "10.5", "10"]);
    }

    #[test]
    fn small_points_and_large_points_add_up_exactly() {
        let rules = "when a > 0 add 1.5\n\
                     when a > 1 add 4294967296\n\
                     when a > 2 add 0.0000000001\n\
                     when a > 3 sub 4294967296\n\
                     when a > 0 add a * 0.25 \"Quarter\"\n";
        assert_eq!(
            scores(rules, &[1, 2, 3, 4]),
            [
                "1.75",
                "4294967298",
                "4294967298.2500000001",
                "2.5000000001"
            ]
        );
    }
}
