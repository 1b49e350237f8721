//! Per-lead working state, reused from lead to lead (see [`Scratch`]),
//! and the record of which rules fired in what order.

use super::expr::Folded;
use super::predicates::Truth;
use super::{Fired, Outcome, Overflow};
use crate::id::{ConditionId, FieldId, IdVec, RuleId};
use crate::value::Decimal;

/// Per-lead working state, reused from lead to lead; after
/// [`Scorer::run`] it holds that lead's results.
#[derive(Debug, Clone, Default)]
pub struct Scratch<'p> {
    pub(super) folded: IdVec<FieldId, Folded>,
    /// Truths of the scorer's field predicates.
    pub(crate) predicates: Vec<Truth>,
    /// Truths of the conditions the rules that are not local read.
    pub(super) conditions: IdVec<ConditionId, Option<bool>>,
    /// Each rule's signed points when it fired.
    pub points: IdVec<RuleId, Option<Decimal>>,
    pub(super) fired: FiredRules,
    /// Group sums as integers (see [`Scorer::exact_sums`]).
    pub(super) fixed: Vec<i128>,
    pub(super) group_sums: Vec<Decimal>,
    pub(super) score_sum: Decimal,
    /// Whether the sums were added as integers, exactly (see
    /// [`Scorer::exact_sums`]): in any order, they would be the same.
    pub(super) exact: bool,
    /// Whether `score` is set already (see [`Scorer::capped_exactly`]).
    pub(super) score_capped: bool,
    /// Capped group subtotals.
    pub groups: Vec<Decimal>,
    /// The capped score.
    pub score: Decimal,
    /// The stage label, if the model has a ladder and a line was taken.
    pub stage: Option<&'p str>,
    /// The stage ladder's line taken (`None`: `else` or nothing).
    pub(crate) stage_step: Option<usize>,
    /// Each tier's label.
    pub tiers: Vec<Option<&'p str>>,
    pub(super) tier_steps: Vec<Option<usize>>,
    /// The account values (language 1.1), outputs after the tiers.
    pub accounts: Vec<Option<crate::value::Value>>,
    /// The first sum that went past the largest decimal, if one did: the
    /// results are then not the lead's, and it must not be scored.
    pub overflow: Option<Overflow>,
}

/// The rules that fired in one lead, in the order their points were set.
#[derive(Debug, Clone, Default)]
pub(super) struct FiredRules {
    pub(super) rules: Vec<RuleId>,
    /// While `any_order`: each one's points as an integer and its places.
    pub(super) small: Vec<(i64, u32)>,
    /// Whether every one's points are small enough that the sums are exact
    /// in any order (see [`FiredRules::fire`]).
    pub(super) any_order: bool,
    /// The most places among their points.
    pub(super) places: u32,
}

impl FiredRules {
    pub(super) fn clear(&mut self) {
        self.rules.clear();
        self.small.clear();
        self.any_order = true;
        self.places = 0;
    }

    /// Rule `rule` fired with `value`: set its slot of `points`. Points
    /// below 2^32 in magnitude with at most 9 places add up exactly in any
    /// order (any sum of them fits the 96 bits of a decimal at 9 places),
    /// so they need not be summed in file order.
    pub(super) fn fire(
        &mut self,
        points: &mut IdVec<RuleId, Option<Decimal>>,
        rule: RuleId,
        value: Decimal,
    ) {
        self.fire_small(points, rule, value, small_points(value));
    }

    /// [`FiredRules::fire`], given `small_points(value)` (constant points
    /// have theirs worked out once).
    #[inline]
    pub(super) fn fire_small(
        &mut self,
        points: &mut IdVec<RuleId, Option<Decimal>>,
        rule: RuleId,
        value: Decimal,
        small: Option<(i64, u32)>,
    ) {
        points[rule] = Some(value);
        self.rules.push(rule);
        if !self.any_order {
            return;
        }
        match small {
            Some((mantissa, scale)) => {
                self.small.push((mantissa, scale));
                self.places = self.places.max(scale);
            }
            None => self.any_order = false,
        }
    }
}

/// Points as an integer and its places, if they are small enough to add
/// up exactly in any order (see [`FiredRules::fire`]).
pub(crate) fn small_points(value: Decimal) -> Option<(i64, u32)> {
    let (mantissa, scale) = (value.mantissa(), value.scale());
    let small = i64::try_from(mantissa).ok()?;
    (scale <= 9 && mantissa.unsigned_abs() < 1 << 32).then_some((small, scale))
}

impl Scratch<'_> {
    /// A remembered cell's effect, as testing it would have left it: the
    /// truths of its field's predicates from id `first` on (`None`: no
    /// one reads them), and its fired local rules.
    #[inline(always)] // into the per-cell loop, with its caller
    pub(crate) fn recalled(
        &mut self,
        first: usize,
        truths: Option<&[Truth]>,
        fired: impl Iterator<Item = (RuleId, Decimal, Option<(i64, u32)>)>,
    ) {
        if let Some(truths) = truths {
            let slots = self.predicates.get_mut(first..first + truths.len());
            for (slot, truth) in slots.into_iter().flatten().zip(truths) {
                *slot = *truth;
            }
        }
        for (rule, points, small) in fired {
            self.fired.fire_small(&mut self.points, rule, points, small);
        }
    }

    /// How many rules fired (tests).
    #[cfg(test)]
    pub(crate) fn fired_count(&self) -> usize {
        self.fired.rules.len()
    }

    /// The results as an owned [`Outcome`].
    pub fn outcome(&self) -> Outcome {
        let fired = self
            .points
            .enumerate()
            .filter_map(|(rule, p)| {
                p.map(|points| Fired {
                    rule,
                    points: points.normalize(),
                })
            })
            .collect();
        Outcome {
            score: self.score,
            groups: self.groups.clone(),
            stage: self.stage.map(str::to_string),
            tiers: self.tiers.iter().map(|t| t.map(str::to_string)).collect(),
            fired,
        }
    }
}
