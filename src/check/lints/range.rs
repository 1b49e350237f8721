//! The reachable values of every group and of the score, by interval
//! arithmetic over the rules: a rule adds nothing or its points, and its
//! points range over what its own condition allows of the fields.

use super::domain::{Domain, Key};
use super::facts::{operand, Facts, Operand};
use super::interval::{End, Interval};
use crate::check::model::{Expr, ExprKind, Function, Model, Rule};
use crate::id::{GroupId, IdVec, RuleId};
use crate::syntax::ast::Effect;
use crate::value::{Decimal, Value};

/// The lowest and highest value something can take; `None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
}

impl From<Interval> for Range {
    fn from(interval: Interval) -> Range {
        Range {
            min: interval.lo.value(),
            max: interval.hi.value(),
        }
    }
}

/// The reachable values of `score`.
pub fn score_range(model: &Model) -> Range {
    Ranges::of(model).score.into()
}

/// The reachable values of `group`, if the model has it.
pub fn group_range(model: &Model, group: GroupId) -> Option<Range> {
    Ranges::of(model).groups.get(group).map(|&g| g.into())
}

/// What each rule adds, what each group and the score can be.
#[derive(Debug, Clone)]
pub(super) struct Ranges {
    /// Per rule: what it adds to its group or the score (zero included
    /// unless it always fires).
    pub rules: IdVec<RuleId, Interval>,
    /// Per group, after its caps.
    pub groups: IdVec<GroupId, Interval>,
    /// After the score's caps.
    pub score: Interval,
}

impl Ranges {
    /// The ranges of a model's rules, groups and score.
    pub fn of(model: &Model) -> Ranges {
        let rules: IdVec<RuleId, Interval> = model
            .rules
            .iter()
            .map(
                |rule| match rule.each.and_then(|id| model.aggregates.get(id)) {
                    Some(each) => each_contribution(rule, each),
                    None => contribution(rule),
                },
            )
            .collect();
        let sum = |ids: &mut dyn Iterator<Item = RuleId>| {
            ids.map(|id| *rules.at(id))
                .fold(Interval::point(Decimal::ZERO), |acc, r| acc.add(r))
        };
        let groups: IdVec<GroupId, Interval> = model
            .groups
            .iter()
            .map(|g| sum(&mut g.rules.iter().copied()).clamp(g.limits.min, g.limits.max))
            .collect();
        let top = sum(&mut model
            .rules
            .ids()
            .filter(|&id| model.rules.at(id).group.is_none()));
        let score = groups
            .iter()
            .fold(top, |acc, g| acc.add(*g))
            .clamp(model.score_limits.min, model.score_limits.max);
        Ranges {
            rules,
            groups,
            score,
        }
    }

    /// The reachable values of a group or the score.
    pub fn of_operand(&self, operand: Operand) -> Option<Interval> {
        match operand {
            Operand::Score => Some(self.score),
            Operand::Group(id) => self.groups.get(id).copied(),
            _ => None,
        }
    }
}

/// What a rule can add: nothing when its condition fails, else its points.
fn contribution(rule: &Rule) -> Interval {
    let facts = Facts::of(&rule.condition);
    let empty = facts.domains().any(|(_, d)| d.is_empty());
    if facts.never.is_some() || empty {
        return Interval::point(Decimal::ZERO);
    }
    let points = points(&rule.points, &facts);
    let signed = match rule.effect {
        Effect::Add => points,
        Effect::Sub => points.neg(),
    };
    if always_fires(rule) {
        signed
    } else {
        signed.with_zero()
    }
}

/// What an `each` rule can add: the sum over any number of events of
/// their (decayed) points, limited to `max` in absolute value; without
/// `max`, unbounded in the points' direction.
fn each_contribution(rule: &Rule, each: &crate::check::model::Aggregate) -> Interval {
    // What the set's condition says of the event's fields.
    let facts = each.condition.as_ref().map(Facts::of).unwrap_or_default();
    let per_event = each
        .value
        .as_ref()
        .map_or(Interval::ALL, |v| points(v, &facts))
        .with_zero();
    let zero = End::At(Decimal::ZERO);
    let sum = match (per_event.lo >= zero, per_event.hi <= zero) {
        (true, true) => Interval::point(Decimal::ZERO),
        (true, false) => Interval::new(zero, End::Above),
        (false, true) => Interval::new(End::Below, zero),
        (false, false) => Interval::ALL,
    };
    let limited = match each.max {
        Some(max) => sum.clamp(Some(-max), Some(max)),
        None => sum,
    };
    match rule.effect {
        Effect::Add => limited,
        Effect::Sub => limited.neg(),
    }
}

/// True for a rule that adds its points to every lead: condition `true`,
/// constant points (points read from a field may be missing).
pub(super) fn always_fires(rule: &Rule) -> bool {
    matches!(rule.condition.kind, ExprKind::Const(Value::Bool(true)))
        && matches!(rule.points.kind, ExprKind::Const(Value::Number(_)))
}

/// The values of a points expression, given what the condition says.
fn points(expr: &Expr, facts: &Facts) -> Interval {
    let known = operand(expr)
        .and_then(|o| facts.domain(o))
        .map(|d| interval(&d));
    let natural = match &expr.kind {
        ExprKind::Const(Value::Number(n)) => Interval::point(*n),
        ExprKind::Neg(inner) => points(inner, facts).neg(),
        ExprKind::Arith(first, rest) => rest.iter().fold(points(first, facts), |acc, (op, e)| {
            acc.arith(*op, points(e, facts))
        }),
        ExprKind::Call(function, args) => call(*function, args, facts),
        // Decay keeps a share between none and all of the points.
        ExprKind::Decayed(inner, _, _) => points(inner, facts).with_zero(),
        _ => Interval::ALL,
    };
    known.map_or(natural, |k| meet(natural, k))
}

fn call(function: Function, args: &[Expr], facts: &Facts) -> Interval {
    let mut values = args.iter().map(|a| points(a, facts));
    let first = values.next().unwrap_or(Interval::ALL);
    match function {
        Function::Min => values.fold(first, Interval::min),
        Function::Max => values.fold(first, Interval::max),
        Function::Abs => first.abs(),
        Function::Round => {
            let places = args.get(1).map_or(Some(0), |p| match &p.kind {
                ExprKind::Const(Value::Number(n)) => u32::try_from(n.trunc()).ok(),
                _ => None,
            });
            places.map_or(Interval::ALL, |p| first.round(p))
        }
        Function::Count => Interval::new(End::At(Decimal::ZERO), End::Above),
        Function::DaysSince | Function::MonthsSince | Function::YearsSince => Interval::ALL,
    }
}

/// The numbers a domain allows, as an interval (open ends closed).
fn interval(domain: &Domain) -> Interval {
    if let Some(values) = domain.values() {
        let numbers: Vec<End> = values
            .iter()
            .filter_map(|k| match k {
                Key::Num(n) => Some(End::At(*n)),
                _ => None,
            })
            .collect();
        if let (Some(lo), Some(hi)) = (numbers.iter().min(), numbers.iter().max()) {
            return Interval::new(*lo, *hi);
        }
    }
    Interval::new(
        domain.lo.map_or(End::Below, |l| End::At(l.value)),
        domain.hi.map_or(End::Above, |h| End::At(h.value)),
    )
}

/// Both at once; the first when they do not overlap (nothing is lost).
fn meet(a: Interval, b: Interval) -> Interval {
    let (lo, hi) = (a.lo.max(b.lo), a.hi.min(b.hi));
    if lo <= hi {
        Interval::new(lo, hi)
    } else {
        a
    }
}

impl Ranges {
    /// The reachable values of a group or the score, as a domain.
    pub fn domain(&self, operand: Operand) -> Option<Domain> {
        let interval = self.of_operand(operand)?;
        let closed = |end: End| {
            end.value().map(|value| super::domain::Limit {
                value,
                strict: false,
            })
        };
        Some(Domain::between(closed(interval.lo), closed(interval.hi)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // tests fail by panicking

    use super::*;
    use crate::source::Source;

    fn range(text: &str) -> (Option<i64>, Option<i64>) {
        let compiled = crate::compile(&Source::new("t.tally", text));
        let model = compiled.model.expect("the model compiles");
        let r = score_range(&model);
        let whole = |d: Decimal| i64::try_from(d).expect("a whole number");
        (r.min.map(whole), r.max.map(whole))
    }

    #[test]
    fn rules_add_nothing_or_their_points() {
        let text = "fields { a: bool, b: bool }\nwhen a add 20\nwhen b sub 5\n";
        assert_eq!(range(text), (Some(-5), Some(20)));
    }

    #[test]
    fn computed_points_use_what_the_condition_says() {
        let text = "fields { w: int }\nwhen w > 0 add 5 * w\n";
        assert_eq!(range(text), (Some(0), None));
        let capped = "fields { w: int }\nwhen w > 0 add min(5 * w, 12)\n";
        assert_eq!(range(capped), (Some(0), Some(12)));
        let unknown = "fields { w: int }\nwhen w is present add w\n";
        assert_eq!(range(unknown), (None, None));
    }

    #[test]
    fn caps_apply_to_groups_then_to_the_score() {
        let text = "fields { a: bool, b: bool }\ngroup g max 10 min 0 { when a add 30\nwhen b sub 30 }\nwhen a add 5 \"again\"\nscore max 12\n";
        assert_eq!(range(text), (Some(0), Some(12)));
    }

    #[test]
    fn a_rule_that_always_applies_moves_the_minimum() {
        let text = "fields { a: bool }\nwhen true add 10\nwhen a add 5\n";
        assert_eq!(range(text), (Some(10), Some(15)));
    }
}
