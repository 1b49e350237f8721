//! Lints about rules: a condition that is never true, points that a cap
//! always takes away.

use super::contradiction::contradiction;
use super::interval::{End, Interval};
use super::range::always_fires;
use super::warning::{Cap, Site};
use super::{Context, Lint};
use crate::check::model::{Id, Limits, RuleId};
use crate::span::Span;
use crate::value::Decimal;

/// `tally::never_true` for every rule.
pub(super) fn never_true(cx: &Context, out: &mut Vec<Lint>) {
    for rule in &cx.model.rules {
        if let Some(found) = contradiction(cx, &rule.condition) {
            out.push(found.lint(cx, &rule.condition, Site::Rule));
        }
    }
}

/// `tally::negative_sub`: `sub -10`, which adds 10.
pub(super) fn negative_sub(cx: &Context, out: &mut Vec<Lint>) {
    use crate::check::model::ExprKind;
    use crate::syntax::ast::Effect;
    use crate::value::Value;
    for rule in &cx.model.rules {
        let ExprKind::Const(Value::Number(points)) = &rule.points.kind else {
            continue;
        };
        if rule.effect == Effect::Sub && points.is_sign_negative() && !points.is_zero() {
            out.push(Lint::NegativeSub {
                points: *points,
                span: rule.points.span.into(),
            });
        }
    }
}

/// `tally::capped_out`: a rule whose points never change its group (or
/// the score, for a top-level rule), because rules that always apply take
/// the total to the cap whatever this one adds (and whatever the others
/// take away).
pub(super) fn capped_out(cx: &Context, out: &mut Vec<Lint>) {
    for (id, group) in cx.model.groups.enumerate() {
        // The checked groups are the tree's, one for one.
        let spans = cx.tree.groups.get(id.index()).map(|g| &g.limits);
        let capped = Capped {
            name: &group.name,
            limits: group.limits,
            spans: limit_spans(spans),
            base: Interval::point(Decimal::ZERO),
        };
        capped.check(cx, &group.rules, out);
    }
    let top: Vec<RuleId> = (cx.model.rules.ids())
        .filter(|&id| cx.model.rules.at(id).group.is_none())
        .collect();
    let groups = cx.ranges.groups.iter();
    let capped = Capped {
        name: "score",
        limits: cx.model.score_limits,
        spans: limit_spans(cx.tree.score_limits.as_ref()),
        base: groups.fold(Interval::point(Decimal::ZERO), |acc, g| acc.add(*g)),
    };
    capped.check(cx, &top, out);
}

/// One capped total: a group, or the score with its groups as `base`.
struct Capped<'a> {
    name: &'a str,
    limits: Limits,
    /// The spans of `max` and `min`.
    spans: (Option<Span>, Option<Span>),
    base: Interval,
}

impl Capped<'_> {
    fn check(&self, cx: &Context, rules: &[RuleId], out: &mut Vec<Lint>) {
        if self.limits.max.is_none() && self.limits.min.is_none() {
            return;
        }
        let always: Vec<bool> = rules
            .iter()
            .map(|&id| always_fires(cx.model.rules.at(id)))
            .collect();
        let always_count = always.iter().filter(|a| **a).count();
        let adds: Vec<Interval> = rules.iter().map(|&id| *cx.ranges.rules.at(id)).collect();
        // The sum of all the others, for each rule: sums before and after it.
        let zero = Interval::point(Decimal::ZERO);
        let mut after = vec![zero; adds.len() + 1];
        for (i, add) in adds.iter().enumerate().rev() {
            let next = after.get(i + 1).copied().unwrap_or(zero);
            if let Some(slot) = after.get_mut(i) {
                *slot = next.add(*add);
            }
        }
        let mut before = self.base;
        for (i, (&id, own)) in rules.iter().zip(&adds).enumerate() {
            let others_always = always_count - usize::from(always.get(i) == Some(&true));
            let others = before.add(after.get(i + 1).copied().unwrap_or(zero));
            before = before.add(*own);
            let Some(rule) = cx.model.rules.get(id) else {
                continue;
            };
            // Only a cap reached by rules that always apply is this lint's story.
            if others_always > 0 {
                out.extend(self.lint(*own, others, rule.span));
            }
        }
    }

    /// The warning when `own` never moves a total that `others` keep at a cap.
    fn lint(&self, own: Interval, others: Interval, span: Span) -> Option<Lint> {
        let zero = End::At(Decimal::ZERO);
        let max = self.limits.max.zip(self.spans.0);
        let min = self.limits.min.zip(self.spans.1);
        let (cap, at, beyond) = match (max, min) {
            (Some((m, at)), _) if own.lo >= zero && own.hi > zero && others.lo >= End::At(m) => {
                (Cap::Max(m), at, others.lo)
            }
            (_, Some((m, at))) if own.hi <= zero && own.lo < zero && others.hi <= End::At(m) => {
                (Cap::Min(m), at, others.hi)
            }
            _ => return None,
        };
        Some(Lint::CappedOut {
            name: self.name.to_string(),
            cap,
            reach: beyond.value(),
            span: span.into(),
            limit_span: at.into(),
        })
    }
}

fn limit_spans(limits: Option<&crate::syntax::ast::Limits>) -> (Option<Span>, Option<Span>) {
    let max = limits.and_then(|l| l.max.as_ref()).map(|m| m.span);
    let min = limits.and_then(|l| l.min.as_ref()).map(|m| m.span);
    (max, min)
}
