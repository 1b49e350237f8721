//! Conditions in the form the interpreter runs them: the shapes most rules
//! and ladder lines take (one field, the score or a group against
//! constants) become flat cases that read the lead directly, with the
//! per-scorer work done once (substring finders built, date windows
//! computed from the as-of date). Every other shape, and every case whose
//! operand is not what the shape expects, falls back to walking the plan
//! node with [`expr::truth`], which stays the reference semantics.

use std::sync::Arc;

use memchr::memmem::Finder;
use regex::Regex;

use super::expr::{self, holds, Env, Folded};
use super::predicates::{byte_truth, Predicates};
use crate::check::model::Function;
use crate::id::{FieldId, GroupId, PredId};
use crate::plan::endings::Endings;
use crate::plan::node::{ConstSet, Pattern, TextOp};
use crate::plan::Node;
use crate::syntax::ast::{ArithOp, CompareOp};
use crate::value::{ops, Date, Decimal, Value};

/// A condition ready to run, with the plan node it came from.
#[derive(Debug, Clone)]
pub(crate) struct Condition<'p> {
    shape: Shape<'p>,
    node: &'p Node,
}

/// A number a comparison reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Operand {
    Field(FieldId),
    /// `count(list_field)`.
    Count(FieldId),
    Score,
    Group(GroupId),
}

#[derive(Debug, Clone)]
enum Shape<'p> {
    /// `x in [..]` / `x not in [..]` on a field.
    InSet {
        field: FieldId,
        set: &'p ConstSet,
        negated: bool,
    },
    /// `x OP number`.
    Compare {
        operand: Operand,
        op: CompareOp,
        value: Decimal,
    },
    /// `x between low and high` with constant bounds.
    Between {
        operand: Operand,
        low: Decimal,
        high: Decimal,
    },
    /// `t == "text"` / `t != "text"` and friends on a text field; the
    /// constant is folded already.
    TextCompare {
        field: FieldId,
        op: CompareOp,
        value: &'p str,
    },
    /// `t contains` / `starts with` / `ends with` a constant.
    TextHas {
        field: FieldId,
        op: TextOp,
        needle: &'p str,
        finder: Box<Finder<'p>>,
    },
    /// `L contains "x"` / `"x" in L` on a list field.
    ListHas {
        field: FieldId,
        item: &'p str,
        negated: bool,
    },
    /// `L contains any [..]`.
    ListAny {
        field: FieldId,
        set: &'p ConstSet,
    },
    /// A `bool` field used as a condition.
    Flag {
        field: FieldId,
    },
    /// `d within N units`: `start <= d <= today`; `start` is `None` when
    /// the window's start is outside the calendar (the test is missing).
    Within {
        field: FieldId,
        start: Option<Date>,
        today: Date,
    },
    /// `t matches "…"` on a field: the text as read.
    Matches {
        field: FieldId,
        regex: Matcher,
    },
    /// `x is present` (`true`) / `x is missing` (`false`) on a field.
    Present {
        field: FieldId,
        present: bool,
    },
    /// A field predicate, tested before the conditions (its truth is in
    /// [`Env::predicates`]).
    Pred(PredId),
    Not(Box<Condition<'p>>),
    And(Vec<Condition<'p>>),
    Or(Vec<Condition<'p>>),
    /// Anything else: walk the node.
    Node,
}

/// A field predicate that reads nothing but a text field's cell as
/// written: `t is missing` / `t is present`, `t matches "…"`. Tested on the
/// cell's text as it is read, with no lead value (see
/// [`Memo::test_cell`](super::Memo::test_cell)).
#[derive(Debug, Clone)]
pub(crate) enum CellTest {
    /// `true` for `is present`, `false` for `is missing`.
    Present(bool),
    Matches(Matcher),
}

impl CellTest {
    /// The predicate's truth for a text cell (`None` is missing): what
    /// [`Condition::truth`] gives on a lead that read the cell. A text
    /// cell is missing when empty (spec section 4).
    #[inline]
    pub(crate) fn truth(&self, cell: &str) -> Option<bool> {
        match self {
            CellTest::Present(present) => Some(cell.is_empty() != *present),
            CellTest::Matches(_) if cell.is_empty() => None,
            CellTest::Matches(regex) => Some(regex.is_match(cell)),
        }
    }
}

/// A `matches` pattern as the scorer runs it. The regex is a clone of the
/// plan's: a clone has its own pool of search caches, so threads that each
/// clone the scorer search without sharing one (a shared pool serves one
/// thread fast and locks for the others). A text without one of the
/// pattern's [`Endings`] (if it has them) is turned down before the regex.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    regex: Regex,
    endings: Option<Arc<Endings>>,
}

impl Matcher {
    fn new(pattern: &Pattern) -> Matcher {
        Matcher {
            regex: pattern.regex.clone(),
            endings: pattern.endings.clone(),
        }
    }

    /// Whether the pattern matches `text`, as the regex says.
    #[inline]
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if let Some(endings) = &self.endings {
            if !endings.end(text.as_bytes()) {
                return false;
            }
        }
        self.regex.is_match(text)
    }
}

impl<'p> Condition<'p> {
    /// Compile `node` for a scorer whose as-of date is `today`.
    pub(crate) fn new(node: &'p Node, today: Date) -> Condition<'p> {
        Condition::with(node, today, None)
    }

    /// Compile `node`, reading the truth of each of `predicates` it
    /// contains instead of testing it again.
    pub(crate) fn with(
        node: &'p Node,
        today: Date,
        predicates: Option<&Predicates<'p>>,
    ) -> Condition<'p> {
        let known = predicates.and_then(|p| p.id(node));
        Condition {
            shape: known.map_or_else(|| shape(node, today, predicates), Shape::Pred),
            node,
        }
    }

    /// This condition as a [`CellTest`] of text field `field`, if it is
    /// one (the caller checks the field is text).
    pub(crate) fn cell_test(&self, field: FieldId) -> Option<CellTest> {
        match &self.shape {
            Shape::Present { field: f, present } if *f == field => {
                Some(CellTest::Present(*present))
            }
            Shape::Matches { field: f, regex } if *f == field => {
                Some(CellTest::Matches(regex.clone()))
            }
            _ => None,
        }
    }

    /// The plan node this condition was compiled from.
    pub(crate) fn node(&self) -> &'p Node {
        self.node
    }

    /// The condition's truth for one lead: `None` is missing.
    #[inline]
    pub(crate) fn truth<'a>(&'a self, env: &Env<'a>) -> Option<bool> {
        // A predicate's truth is known: inlined, so reading it costs no call.
        if let Shape::Pred(id) = self.shape {
            return env.predicates.get(id).copied().and_then(byte_truth);
        }
        self.test(env)
    }

    fn test<'a>(&'a self, env: &Env<'a>) -> Option<bool> {
        let fallback = || expr::truth(self.node, env);
        match &self.shape {
            Shape::InSet {
                field,
                set,
                negated,
            } => {
                let found = match value(env, *field)? {
                    Value::Text(_) => match folded_text(env, *field) {
                        Some(text) => set.has_text(text),
                        None => return fallback(),
                    },
                    Value::Number(n) => set.has_number(*n),
                    Value::Date(d) => set.has_date(*d),
                    _ => return fallback(),
                };
                Some(found != *negated)
            }
            Shape::Compare { operand, op, value } => {
                let x = number(env, *operand)?;
                Some(holds(*op, ops::cmp(x, *value)))
            }
            Shape::Between { operand, low, high } => {
                let x = number(env, *operand)?;
                Some(ops::cmp(x, *low).is_ge() && ops::cmp(x, *high).is_le())
            }
            Shape::TextCompare { field, op, value } => {
                let (Value::Text(_), Some(text)) =
                    (self::value(env, *field)?, folded_text(env, *field))
                else {
                    return fallback();
                };
                Some(holds(*op, text.cmp(value)))
            }
            Shape::TextHas {
                field,
                op,
                needle,
                finder,
            } => {
                let (Value::Text(_), Some(text)) = (value(env, *field)?, folded_text(env, *field))
                else {
                    return fallback();
                };
                // A substring is found with the finder built once; the
                // other tests are spelled out, not `op.holds`, which cost
                // 1.4% more instructions on a model of text tests. A text
                // test added later runs through `holds` until it earns an
                // arm of its own, so this match needs no case for it.
                #[allow(unreachable_patterns)]
                Some(match op {
                    TextOp::Contains => finder.find(text.as_bytes()).is_some(),
                    TextOp::StartsWith => text.starts_with(needle),
                    TextOp::EndsWith => text.ends_with(needle),
                    other => other.holds(text, needle),
                })
            }
            Shape::ListHas {
                field,
                item,
                negated,
            } => {
                let items = folded_list(env, *field)?;
                Some(items.iter().any(|i| i == item) != *negated)
            }
            Shape::ListAny { field, set } => {
                let items = folded_list(env, *field)?;
                Some(items.iter().any(|i| set.has_text(i)))
            }
            Shape::Flag { field } => match value(env, *field)? {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
            Shape::Within {
                field,
                start,
                today,
            } => match value(env, *field)? {
                Value::Date(d) => start.map(|start| start <= *d && d <= today),
                _ => None,
            },
            Shape::Matches { field, regex } => match value(env, *field)? {
                Value::Text(raw) => Some(regex.is_match(raw)),
                _ => None,
            },
            Shape::Present { field, present } => {
                Some(matches!(env.lead.values.get(*field), Some(Some(_))) == *present)
            }
            Shape::Pred(id) => env.predicates.get(*id).copied().and_then(byte_truth),
            Shape::Not(inner) => inner.truth(env).map(|b| !b),
            Shape::And(items) => expr::connect(items, false, |c| c.truth(env)),
            Shape::Or(items) => expr::connect(items, true, |c| c.truth(env)),
            Shape::Node => fallback(),
        }
    }
}

/// A field's value, `None` when missing.
fn value<'a>(env: &Env<'a>, field: FieldId) -> Option<&'a Value> {
    env.lead.values.get(field)?.as_ref()
}

/// The folded form of a text field; `None` if the scorer did not fold it
/// (it folds every field a condition compares, so callers fall back to
/// the node only defensively).
fn folded_text<'a>(env: &Env<'a>, field: FieldId) -> Option<&'a str> {
    match env.folded.get(field)? {
        Folded::Text(text) => Some(text),
        _ => None,
    }
}

/// The folded items of a present list field.
fn folded_list<'a>(env: &Env<'a>, field: FieldId) -> Option<&'a [String]> {
    let Value::List(_) = value(env, field)? else {
        return None;
    };
    match env.folded.get(field)? {
        Folded::List(items) => Some(items),
        _ => None,
    }
}

fn number(env: &Env<'_>, operand: Operand) -> Option<Decimal> {
    match operand {
        Operand::Field(field) => match value(env, field)? {
            Value::Number(n) => Some(*n),
            _ => None,
        },
        Operand::Count(field) => match value(env, field)? {
            Value::List(items) => Some(items.len().into()),
            _ => None,
        },
        Operand::Score => env.score,
        Operand::Group(g) => env.groups.get(g).copied(),
    }
}

/// A number expression in the form the interpreter runs it: rules' points
/// such as `min(revenue * 0.5, 15)` without walking the plan node.
#[derive(Debug, Clone)]
pub(crate) enum Number<'p> {
    Const(Decimal),
    Operand(Operand),
    Arith(Box<Number<'p>>, Vec<(ArithOp, Number<'p>)>),
    Min(Vec<Number<'p>>),
    Max(Vec<Number<'p>>),
    /// Anything else: walk the node.
    Node(&'p Node),
}

impl<'p> Number<'p> {
    /// Compile a number-typed node.
    pub(crate) fn new(node: &'p Node) -> Number<'p> {
        if let Some(operand) = operand(node) {
            return Number::Operand(operand);
        }
        match node {
            Node::Const(Value::Number(n)) => Number::Const(*n),
            Node::Arith(first, rest) => Number::Arith(
                Box::new(Number::new(first)),
                rest.iter().map(|(op, n)| (*op, Number::new(n))).collect(),
            ),
            Node::Call(Function::Min, args) if !args.is_empty() => {
                Number::Min(args.iter().map(Number::new).collect())
            }
            Node::Call(Function::Max, args) if !args.is_empty() => {
                Number::Max(args.iter().map(Number::new).collect())
            }
            _ => Number::Node(node),
        }
    }

    /// The number for one lead; `None` is missing. Same results as
    /// [`expr::number`] on the node.
    pub(crate) fn value(&self, env: &Env<'_>) -> Option<Decimal> {
        match self {
            Number::Const(n) => Some(*n),
            Number::Operand(operand) => number(env, *operand),
            Number::Arith(first, rest) => {
                let mut acc = first.value(env)?;
                for (op, operand) in rest {
                    acc = expr::apply(*op, acc, operand.value(env)?)?;
                }
                Some(acc)
            }
            // The first of equal least values, the last of equal greatest
            // ones, as the node walker picks.
            Number::Min(args) => {
                extreme(args, env, |a, b| if ops::cmp(b, a).is_lt() { b } else { a })
            }
            Number::Max(args) => {
                extreme(args, env, |a, b| if ops::cmp(a, b).is_gt() { a } else { b })
            }
            Number::Node(node) => expr::number(node, env),
        }
    }
}

fn extreme(
    args: &[Number<'_>],
    env: &Env<'_>,
    pick: fn(Decimal, Decimal) -> Decimal,
) -> Option<Decimal> {
    let (first, rest) = args.split_first()?;
    let mut acc = first.value(env)?;
    for arg in rest {
        acc = pick(acc, arg.value(env)?);
    }
    Some(acc)
}

/// The flat shape of a node, or [`Shape::Node`].
fn shape<'p>(node: &'p Node, today: Date, predicates: Option<&Predicates<'p>>) -> Shape<'p> {
    let child = |n| Condition::with(n, today, predicates);
    match node {
        Node::InSet { needle, set } => in_set(needle, set, false),
        Node::ListHas { list, item } => list_has(list, item, false),
        // `not in` is lowered to `not (… in …)`; a membership test runs
        // negated in one step, as it did before the lowering.
        Node::Not(inner) => match &**inner {
            Node::InSet { needle, set } => in_set(needle, set, true),
            Node::ListHas { list, item } => list_has(list, item, true),
            _ => Shape::Not(Box::new(child(inner))),
        },
        Node::Compare(op, a, b) => compare(*op, a, b),
        Node::Between(x, low, high) => match (operand(x), constant(low), constant(high)) {
            (Some(operand), Some(low), Some(high)) => Shape::Between { operand, low, high },
            _ => Shape::Node,
        },
        Node::Text(op, a, b) => text_has(a, b, *op),
        Node::ContainsAny(list, set) => match **list {
            Node::Field(field) => Shape::ListAny { field, set },
            _ => Shape::Node,
        },
        Node::Field(field) => Shape::Flag { field: *field },
        Node::Within(date, duration) => match **date {
            Node::Field(field) => Shape::Within {
                field,
                start: ops::date_sub(today, *duration),
                today,
            },
            _ => Shape::Node,
        },
        Node::Matches(text, pattern) => match **text {
            Node::Field(field) => Shape::Matches {
                field,
                regex: Matcher::new(pattern),
            },
            _ => Shape::Node,
        },
        Node::IsMissing(inner) | Node::IsPresent(inner) => match **inner {
            Node::Field(field) => Shape::Present {
                field,
                present: matches!(node, Node::IsPresent(_)),
            },
            _ => Shape::Node,
        },
        Node::And(items) => Shape::And(items.iter().map(child).collect()),
        Node::Or(items) => Shape::Or(items.iter().map(child).collect()),
        _ => Shape::Node,
    }
}

fn in_set<'p>(needle: &Node, set: &'p ConstSet, negated: bool) -> Shape<'p> {
    match *needle {
        Node::Field(field) => Shape::InSet {
            field,
            set,
            negated,
        },
        _ => Shape::Node,
    }
}

fn list_has<'p>(list: &Node, item: &'p Node, negated: bool) -> Shape<'p> {
    match (list, item) {
        (Node::Field(field), Node::Const(Value::Text(item))) => Shape::ListHas {
            field: *field,
            item,
            negated,
        },
        _ => Shape::Node,
    }
}

fn compare<'p>(op: CompareOp, a: &'p Node, b: &'p Node) -> Shape<'p> {
    if let (Some(operand), Some(value)) = (operand(a), constant(b)) {
        return Shape::Compare { operand, op, value };
    }
    match (a, b) {
        (Node::Field(field), Node::Const(Value::Text(value))) => Shape::TextCompare {
            field: *field,
            op,
            value,
        },
        _ => Shape::Node,
    }
}

fn text_has<'p>(a: &'p Node, b: &'p Node, op: TextOp) -> Shape<'p> {
    match (a, b) {
        (Node::Field(field), Node::Const(Value::Text(needle))) => Shape::TextHas {
            field: *field,
            op,
            needle,
            finder: Box::new(Finder::new(needle.as_bytes())),
        },
        _ => Shape::Node,
    }
}

/// A number operand: a field, `count(field)`, the score or a group. A
/// field's type is checked when the lead is read (a non-number is
/// missing, as in [`expr`]).
fn operand(node: &Node) -> Option<Operand> {
    match node {
        Node::Field(field) => Some(Operand::Field(*field)),
        Node::Score => Some(Operand::Score),
        Node::Group(g) => Some(Operand::Group(*g)),
        Node::Call(crate::check::model::Function::Count, args) => match args.as_slice() {
            [Node::Field(field)] => Some(Operand::Count(*field)),
            _ => None,
        },
        _ => None,
    }
}

fn constant(node: &Node) -> Option<Decimal> {
    match node {
        Node::Const(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use proptest::prelude::*;

    use super::*;
    use crate::eval::Lead;
    use crate::id::IdSlice;
    use crate::plan::{self, Plan};
    use crate::source::Source;
    use crate::value::{parse_date_literal, read_cell};

    /// One rule per shape (and a few shapes that must fall back), with
    /// text, list, number, bool and date fields that may be missing.
    const MODEL: &str = r#"
fields {
  t: text
  l: list
  n: number
  i: int
  b: bool
  d: date
}
when t in [Ceo, "vp ", "É"]               add 1
when t not in [ceo]                       add 1
when t == " CEO" or t != "x"              add 1
when t contains "an"                      add 1
when t starts with "ce" or t ends with "o" add 1
when t contains ""                        add 1
when t matches "^[A-Z]"                   add 1
when t is missing                         add 1
when t is present and not b               add 1
when l contains "pricing"                 add 1
when "demo" not in l                      add 1
when l contains any [demo, Trial]         add 1
when count(l) >= 2                        add 1
when n > 5 or n <= -1.5 or n == 2.50      add 1
when i between 10 and 20                  add 1
when n in [1, 2.5, 7]                     add 1
when b                                    add 1
when d within 30 days                     add 1
when d within 1 months                    add 1
when d in [2026-11-01]                    add 1
when n * 2 > i                            add 1
when not (i != 3)                         add 1
when true                                 add min(n * 2, 10) - i / 3 "points one"
when true                                 add max(i, 2.5, count(l)) + round(n) "points two"
"#;

    fn plan() -> Plan {
        let model = crate::compile(&Source::new("t.tally", MODEL))
            .model
            .unwrap();
        plan::compile(&model)
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just(" ".to_string()),
            "[a-zA-Z ]{0,6}",
            prop::sample::select(vec![
                "CEO",
                " vp",
                "É",
                "ceo ",
                "x",
                "man",
                "Cto",
                "pricing; Demo",
                "TRIAL;x;y",
                "demo",
                "1",
                "2.5",
                "7",
                "-1.5",
                "12",
                "20",
                "3",
                "true",
                "no",
                "2026-11-01",
                "2026-10-23",
                "2026-10-22",
                "2026-11-22",
                "2027-01-01",
            ])
            .prop_map(str::to_string),
        ]
    }

    proptest! {
        #[test]
        fn compiled_conditions_and_points_agree_with_the_node_walker(
            cells in prop::collection::vec(cell(), 6),
            score in prop::option::of(-5i64..100),
        ) {
            let plan = plan();
            // A cell that does not read as its field's type is missing here.
            let values = plan
                .fields
                .iter()
                .zip(&cells)
                .map(|(f, c)| read_cell(f.ty, c, &f.read).ok().flatten())
                .collect();
            let lead = Lead { values };
            let folded = lead.values.map(|v| Folded::of(v.as_ref()));
            let today = parse_date_literal("2026-11-22").unwrap();
            let env = Env {
                lead: &lead,
                folded: folded.view(),
                today,
                groups: IdSlice::empty(),
                score: score.map(Decimal::from),
                stage: None,
                tiers: IdSlice::empty(),
                fired: IdSlice::empty(),
                predicates: IdSlice::empty(),
            };
            for rule in &plan.rules {
                prop_assert_eq!(
                    Number::new(&rule.points).value(&env),
                    expr::number(&rule.points, &env),
                    "{:?} on {:?}", rule.points, cells
                );
            }
            for node in &plan.conditions {
                let condition = Condition::new(node, today);
                prop_assert_eq!(
                    condition.truth(&env),
                    expr::truth(node, &env),
                    "{:?} on {:?}", node, cells
                );
            }
        }
    }

    #[test]
    fn common_shapes_do_not_fall_back() {
        let plan = plan();
        let today = parse_date_literal("2026-11-22").unwrap();
        let walked: Vec<usize> = plan
            .conditions
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(Condition::new(n, today).shape, Shape::Node))
            .map(|(i, _)| i)
            .collect();
        // Only `n * 2 > i`, which compares two computed numbers, and the
        // constant `true` are walked.
        assert_eq!(walked, vec![20, 22], "conditions walked as nodes");
    }

    /// Condition `i` of the test plan.
    fn c(i: usize) -> crate::id::ConditionId {
        crate::id::Id::from_index(i)
    }

    #[test]
    fn a_lowered_not_in_runs_as_one_negated_membership_test() {
        let plan = plan();
        let today = parse_date_literal("2026-11-22").unwrap();
        // `t not in [ceo]` and `"demo" not in l`, lowered to `not (…)`.
        for i in [1, 10] {
            assert!(
                matches!(plan.conditions[c(i)], Node::Not(_)),
                "{:?}",
                plan.conditions[c(i)]
            );
        }
        let shape = |i: usize| Condition::new(&plan.conditions[c(i)], today).shape;
        assert!(matches!(shape(1), Shape::InSet { negated: true, .. }));
        assert!(matches!(shape(10), Shape::ListHas { negated: true, .. }));
        assert!(matches!(shape(0), Shape::InSet { negated: false, .. }));
        assert!(matches!(shape(9), Shape::ListHas { negated: false, .. }));
    }
}
