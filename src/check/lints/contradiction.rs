//! Conditions that can never be true: `x > 500 and x < 100`,
//! `x == "a" and x == "b"`, `x between 10 and 5`, `x in []`, `false`.

use super::domain::Domain;
use super::facts::{Atom, Facts, Operand};
use super::{Context, Lint};
use crate::check::model::{Expr, ExprKind};
use crate::span::Span;
use crate::value::{format_decimal, Value};

/// Why a condition is never true: where, in words, and the fix.
pub(super) struct Contradiction {
    span: Span,
    why: String,
    fix: String,
}

impl Contradiction {
    /// The warning, for a rule (`rule`) or a ladder line.
    pub fn lint(self, cx: &Context, condition: &Expr, rule: bool) -> Lint {
        let effect = if rule {
            "this rule never adds points"
        } else {
            "this line is never taken"
        };
        Lint::NeverTrue {
            text: cx.text(condition.span),
            span: self.span.into(),
            why: self.why,
            help: format!("no lead can meet it, so {effect}: {}", self.fix),
        }
    }
}

/// Why `condition` can never be true, if it cannot.
pub(super) fn contradiction(cx: &Context, condition: &Expr) -> Option<Contradiction> {
    if matches!(condition.kind, ExprKind::Const(Value::Bool(false))) {
        return Some(always_false(condition.span));
    }
    let facts = Facts::of(condition);
    if let Some(span) = facts.never {
        return Some(always_false(span));
    }
    // Per operand: what the atoms so far allow, and where they are.
    let mut seen: Vec<(Operand, Domain, Vec<Span>)> = Vec::new();
    for atom in &facts.atoms {
        if atom.domain.is_empty() {
            return Some(empty_test(atom));
        }
        match seen.iter_mut().find(|(o, _, _)| *o == atom.operand) {
            Some((_, domain, spans)) => {
                domain.narrow(&atom.domain);
                if domain.is_empty() {
                    return Some(clash(cx, atom, spans));
                }
                spans.push(atom.span);
            }
            None => seen.push((atom.operand, atom.domain.clone(), vec![atom.span])),
        }
    }
    None
}

fn always_false(span: Span) -> Contradiction {
    Contradiction {
        span,
        why: "always false".into(),
        fix: "remove it".into(),
    }
}

/// A test that no value passes on its own.
fn empty_test(atom: &Atom) -> Contradiction {
    let Domain {
        lo, hi, allowed, ..
    } = &atom.domain;
    if allowed
        .as_ref()
        .is_some_and(std::collections::BTreeSet::is_empty)
    {
        return Contradiction {
            span: atom.span,
            why: "the list is empty".into(),
            fix: "add the values to look for, or remove it".into(),
        };
    }
    match (lo, hi) {
        (Some(lo), Some(hi)) if lo.value > hi.value => {
            let (lo, hi) = (format_decimal(lo.value), format_decimal(hi.value));
            Contradiction {
                span: atom.span,
                why: format!("no value is at least {lo} and at most {hi}"),
                fix: format!("write the smaller bound first, `between {hi} and {lo}`"),
            }
        }
        _ => Contradiction {
            span: atom.span,
            why: "true for no value".into(),
            fix: "check the values".into(),
        },
    }
}

/// A test that no value passes together with the earlier ones.
fn clash(cx: &Context, atom: &Atom, earlier: &[Span]) -> Contradiction {
    let mut others = earlier
        .iter()
        .take(3)
        .map(|span| format!("`{}`", cx.text(*span)))
        .collect::<Vec<_>>()
        .join(" and ");
    if earlier.len() > 3 {
        others.push_str(" and more");
    }
    Contradiction {
        span: atom.span,
        why: format!("cannot hold together with {others}"),
        fix: "check the values, or join the tests with `or` if either should do".into(),
    }
}
