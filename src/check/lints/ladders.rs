//! Lints about the stage ladder and tiers: lines never taken, a missing
//! `else`, and (through `threshold`) tests of the score out of its range.

use super::contradiction::contradiction;
use super::implication::{Known, Shape};
use super::warning::{Line, Shadow, Site};
use super::{threshold, Context, Lint};
use crate::check::model::{self, Expr};
use crate::span::Span;
use crate::syntax::{ast, canonical_label};

/// Lint the stage ladder and every tier.
pub(super) fn ladders(cx: &Context, out: &mut Vec<Lint>) {
    if let (Some(ladder), Some(tree)) = (&cx.model.stage, &cx.tree.stage) {
        check(cx, ladder, tree, None, out);
    }
    for (tier, tree) in cx.model.tiers.iter().zip(&cx.tree.tiers) {
        check(cx, &tier.ladder, &tree.ladder, Some(&tier.name), out);
    }
}

/// How many pairs of lines one ladder compares at most: a ladder of
/// thousands of lines is checked only partly rather than slowly.
const MAX_PAIRS: usize = 200_000;

fn check(
    cx: &Context,
    ladder: &model::Ladder,
    tree: &ast::Ladder,
    tier: Option<&str>,
    out: &mut Vec<Lint>,
) {
    let steps = &ladder.steps;
    let shapes: Vec<Shape> = steps.iter().map(|s| Shape::of(&s.condition)).collect();
    let known: Vec<Known> = steps
        .iter()
        .map(|s| Known::of(&s.condition, &cx.ranges))
        .collect();
    let live = |i: usize| known.get(i).is_some_and(|k| !k.never());
    let mut pairs = 0;
    for (j, step) in steps.iter().enumerate() {
        if let Some(found) = contradiction(cx, &step.condition) {
            out.push(found.lint(cx, &step.condition, Site::Line));
            continue;
        }
        threshold::check(cx, &step.condition, out);
        if !live(j) {
            continue;
        }
        let Some(later) = known.get(j) else {
            continue;
        };
        let mut shadow = None;
        for (i, shape) in shapes.iter().enumerate().take(j) {
            if pairs >= MAX_PAIRS {
                break;
            }
            pairs += 1;
            if live(i) && later.implies(shape) {
                shadow = Some(i);
                break;
            }
        }
        if let Some(earlier) = shadow.and_then(|i| steps.get(i)) {
            let always = always(cx, &earlier.condition);
            out.push(unreachable(Line::If, step.span, earlier, always));
        }
    }
    let every = Known::every_lead(&cx.ranges);
    let always_line = (0..steps.len())
        .find(|&i| live(i) && shapes.get(i).is_some_and(|s| every.implies(s)))
        .and_then(|i| steps.get(i));
    match (&tree.otherwise, always_line) {
        (Some(otherwise), Some(earlier)) => {
            out.push(unreachable(Line::Else, otherwise.span, earlier, true));
        }
        (None, None) => out.push(no_else(ladder, tier)),
        _ => {}
    }
}

/// True when every lead meets `condition`.
fn always(cx: &Context, condition: &Expr) -> bool {
    Known::every_lead(&cx.ranges).implies(&Shape::of(condition))
}

fn unreachable(line: Line, span: Span, earlier: &model::Step, always: bool) -> Lint {
    Lint::UnreachableLine {
        line,
        shadow: if always {
            Shadow::Always
        } else {
            Shadow::Implied
        },
        label: canonical_label(&earlier.label),
        span: span.into(),
        earlier: earlier.span.into(),
    }
}

fn no_else(ladder: &model::Ladder, tier: Option<&str>) -> Lint {
    let span = ladder.steps.last().map_or(ladder.span, |s| s.span);
    Lint::NoElse {
        tier: tier.map(str::to_string),
        span: span.into(),
    }
}
