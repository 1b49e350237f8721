//! Whether every lead that meets one ladder condition meets another: a
//! condition is reduced once to a [`Shape`] (its recognised tests under
//! `and` / `or`), and what a holding condition tells about each operand to
//! [`Known`] cases, narrowed by the reachable ranges of groups and `score`.

use super::domain::Domain;
use super::facts::{atom, Facts, Operand};
use super::range::Ranges;
use crate::check::model::{Expr, ExprKind};
use crate::value::Value;

/// A condition as the implication check sees it.
pub(super) enum Shape {
    True,
    Test(Operand, Domain),
    All(Vec<Shape>),
    Any(Vec<Shape>),
    /// Anything else: never known to hold.
    Unknown,
}

impl Shape {
    /// The shape of a condition.
    pub fn of(expr: &Expr) -> Shape {
        match &expr.kind {
            ExprKind::Const(Value::Bool(true)) => Shape::True,
            ExprKind::And(items) => Shape::All(items.iter().map(Shape::of).collect()),
            ExprKind::Or(items) => Shape::Any(items.iter().map(Shape::of).collect()),
            _ => atom(expr).map_or(Shape::Unknown, |a| Shape::Test(a.operand, a.domain)),
        }
    }
}

/// What holds for a lead that meets a condition: one case per side of a
/// top-level `or` (a lead meets at least one).
pub(super) struct Known<'a> {
    cases: Vec<Vec<(Operand, Domain)>>,
    ranges: &'a Ranges,
}

impl<'a> Known<'a> {
    /// Nothing but the reachable ranges: what holds for every lead.
    pub fn every_lead(ranges: &'a Ranges) -> Known<'a> {
        Known {
            cases: vec![Vec::new()],
            ranges,
        }
    }

    /// What holds for a lead that meets `condition`.
    pub fn of(condition: &Expr, ranges: &'a Ranges) -> Known<'a> {
        let sides = match &condition.kind {
            ExprKind::Or(items) => items.iter().collect(),
            _ => vec![condition],
        };
        let cases = sides
            .into_iter()
            .map(Facts::of)
            .filter(|facts| facts.never.is_none())
            .map(|facts| case(&facts, ranges))
            .filter(|case| !case.iter().any(|(_, d)| d.is_empty()))
            .collect();
        Known { cases, ranges }
    }

    /// True when no lead meets the condition.
    pub fn never(&self) -> bool {
        self.cases.is_empty()
    }

    /// True when the shape holds in every case.
    pub fn implies(&self, shape: &Shape) -> bool {
        self.cases.iter().all(|case| self.holds(case, shape))
    }

    fn holds(&self, case: &[(Operand, Domain)], shape: &Shape) -> bool {
        match shape {
            Shape::True => true,
            Shape::All(items) => items.iter().all(|s| self.holds(case, s)),
            Shape::Any(items) => items.iter().any(|s| self.holds(case, s)),
            Shape::Unknown => false,
            Shape::Test(operand, test) => match case.iter().find(|(o, _)| o == operand) {
                Some((_, known)) => known.within(test),
                None => self
                    .ranges
                    .domain(*operand)
                    .is_some_and(|range| range.within(test)),
            },
        }
    }
}

/// The facts' domains, narrowed by the ranges of groups and `score`.
fn case(facts: &Facts, ranges: &Ranges) -> Vec<(Operand, Domain)> {
    facts
        .domains()
        .map(|(operand, domain)| match ranges.domain(*operand) {
            Some(range) => (*operand, domain.meet(&range)),
            None => (*operand, domain.clone()),
        })
        .collect()
}
