//! Conditions that can never be true: `x > 500 and x < 100`,
//! `x == "a" and x == "b"`, `x between 10 and 5`, `x in []`, `false`.

use super::domain::Domain;
use super::facts::{Atom, Facts, Operand};
use super::warning::{Never, Site};
use super::{Context, Lint};
use crate::check::model::{Expr, ExprKind};
use crate::span::Span;
use crate::value::Value;

/// Why a condition is never true, and where.
pub(super) struct Contradiction {
    span: Span,
    never: Never,
}

impl Contradiction {
    /// The warning, for a rule or a ladder line.
    pub fn lint(self, cx: &Context, condition: &Expr, site: Site) -> Lint {
        Lint::NeverTrue {
            text: cx.text(condition.span),
            site,
            never: self.never,
            span: self.span.into(),
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
        never: Never::AlwaysFalse,
    }
}

/// A test that no value passes on its own.
fn empty_test(atom: &Atom) -> Contradiction {
    let Domain {
        lo, hi, allowed, ..
    } = &atom.domain;
    let never = if allowed
        .as_ref()
        .is_some_and(std::collections::BTreeSet::is_empty)
    {
        Never::EmptyList
    } else {
        match (lo, hi) {
            (Some(lo), Some(hi)) if lo.value > hi.value => Never::CrossedBounds {
                lo: lo.value,
                hi: hi.value,
            },
            _ => Never::NoValue,
        }
    };
    Contradiction {
        span: atom.span,
        never,
    }
}

/// A test that no value passes together with the earlier ones.
fn clash(cx: &Context, atom: &Atom, earlier: &[Span]) -> Contradiction {
    Contradiction {
        span: atom.span,
        never: Never::Clash {
            earlier: earlier.iter().take(3).map(|span| cx.text(*span)).collect(),
            more: earlier.len() > 3,
        },
    }
}
