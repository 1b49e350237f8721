//! `tally::threshold_out_of_range`: a ladder compares `score` or a group
//! with a number it never reaches, so the test is never (or always) true.

use super::domain::Key;
use super::domain::{Domain, Limit};
use super::facts::{atom, key, Operand};
use super::interval::Interval;
use super::warning::{Bound, Reach, Verdict};
use super::{Context, Lint};
use crate::check::model::{Expr, ExprKind};
use crate::value::Decimal;

/// Lint every comparison of `score` or a group in a ladder condition.
pub(super) fn check(cx: &Context, condition: &Expr, out: &mut Vec<Lint>) {
    visit(cx, condition, true, out);
}

/// `line`: the test decides the whole line (it is the condition, or one
/// side of its top-level `and`).
fn visit(cx: &Context, expr: &Expr, line: bool, out: &mut Vec<Lint>) {
    match &expr.kind {
        ExprKind::And(items) => items.iter().for_each(|i| visit(cx, i, line, out)),
        ExprKind::Or(items) => items.iter().for_each(|i| visit(cx, i, false, out)),
        ExprKind::Not(inner) => visit(cx, inner, false, out),
        ExprKind::Compare(..) | ExprKind::Between(..) => out.extend(judge(cx, expr, line)),
        _ => {}
    }
}

fn judge(cx: &Context, expr: &Expr, line: bool) -> Option<Lint> {
    let atom = atom(expr)?;
    let interval = cx.ranges.of_operand(atom.operand)?;
    let range = cx.ranges.domain(atom.operand)?;
    if atom.domain.is_empty() {
        return None; // never true whatever the range: `never_true` says so
    }
    let numbers = constants(expr);
    let never = range.meet(&atom.domain).is_empty();
    let outside = |n: &Decimal| !range.admits(&Key::Num(*n));
    let always = !never && range.within(&atom.domain) && numbers.iter().all(outside);
    if !never && !always {
        return None;
    }
    let verdict = match (never, line) {
        (true, true) => Verdict::LineNeverTaken,
        (true, false) => Verdict::NeverTrue,
        _ => Verdict::AlwaysTrue,
    };
    Some(Lint::ThresholdOutOfRange {
        verdict,
        text: cx.text(expr.span),
        name: operand_name(cx, atom.operand),
        bound: bound(interval, &atom.domain, &numbers, never),
        reach: Reach {
            lo: interval.lo.value(),
            hi: interval.hi.value(),
        },
        span: expr.span.into(),
    })
}

/// The constants a comparison is made with.
fn constants(expr: &Expr) -> Vec<Decimal> {
    let sides: Vec<&Expr> = match &expr.kind {
        ExprKind::Compare(_, a, b) => vec![a, b],
        ExprKind::Between(_, lo, hi) => vec![lo, hi],
        _ => Vec::new(),
    };
    sides
        .into_iter()
        .filter_map(|e| match key(e) {
            Some(Key::Num(n)) => Some(n),
            _ => None,
        })
        .collect()
}

/// Which end of the range explains the verdict: "at most 125".
fn bound(interval: Interval, test: &Domain, numbers: &[Decimal], never: bool) -> Bound {
    let (lo, hi) = (interval.lo.value(), interval.hi.value());
    let above = |h: Decimal| {
        if never {
            let up_to = Domain::between(
                None,
                Some(Limit {
                    value: h,
                    strict: false,
                }),
            );
            up_to.meet(test).is_empty()
        } else {
            numbers.iter().all(|n| *n > h)
        }
    };
    let below = |l: Decimal| numbers.iter().all(|n| *n < l);
    match (hi, lo) {
        (Some(h), _) if above(h) => Bound::AtMost(h),
        (_, Some(l)) if never || below(l) => Bound::AtLeast(l),
        _ => Bound::Reach,
    }
}

fn operand_name(cx: &Context, operand: Operand) -> String {
    match operand {
        Operand::Group(id) => cx
            .model
            .groups
            .get(id)
            .map_or_else(|| "group".into(), |g| g.name.clone()),
        _ => "score".into(),
    }
}
