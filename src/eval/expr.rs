//! Evaluating plan nodes for one lead, with three-valued logic: `None` is
//! a missing value.

use std::borrow::Cow;

use super::Lead;
use crate::check::model::Function;
use crate::id::{FieldId, GroupId, IdSlice, PredId, RuleId, TierId};
use crate::plan::node::{ConstSet, TextOp};
use crate::plan::Node;
use crate::syntax::ast::{ArithOp, CompareOp};
use crate::value::{fold_text, ops, Date, Decimal, Duration, Value};

/// A value during evaluation, borrowed from the lead or the plan.
#[derive(Debug, Clone)]
pub(crate) enum V<'a> {
    Bool(bool),
    Num(Decimal),
    Date(Date),
    /// Text as read (what `matches` sees) and folded (what comparisons see).
    Text {
        raw: &'a str,
        folded: Cow<'a, str>,
    },
    /// A `list` field's items, folded.
    List(&'a [String]),
}

/// A lead's text and list fields, folded once per lead.
#[derive(Debug, Clone, Default)]
pub(crate) enum Folded {
    #[default]
    None,
    Text(String),
    List(Vec<String>),
}

impl Folded {
    /// Replace the contents with the folded form of `value`, reusing the
    /// memory already held (no allocation once warm, for ASCII text). A
    /// missing value leaves the buffers as they are: nothing reads the
    /// folded form of a missing field (see [`field`]), and the next row
    /// that has a value reuses them.
    pub(crate) fn refill(&mut self, value: Option<&Value>) {
        match (value, &mut *self) {
            (None, _) => {}
            (Some(Value::Text(t)), Folded::Text(buf)) => fold_into(buf, t),
            (Some(Value::List(items)), Folded::List(bufs)) => {
                bufs.resize_with(items.len(), String::new);
                for (buf, item) in bufs.iter_mut().zip(items) {
                    match item {
                        Value::Text(t) => fold_into(buf, t),
                        _ => buf.clear(),
                    }
                }
            }
            (value, slot) => *slot = Folded::of(value),
        }
    }

    /// The folded form of a field value (nothing for other types).
    pub(crate) fn of(value: Option<&Value>) -> Folded {
        match value {
            Some(Value::Text(t)) => Folded::Text(fold_text(t)),
            Some(Value::List(items)) => Folded::List(
                items
                    .iter()
                    .map(|i| match i {
                        Value::Text(t) => fold_text(t),
                        _ => String::new(),
                    })
                    .collect(),
            ),
            _ => Folded::None,
        }
    }
}

/// `fold_text` into a reused buffer (NFC and full case folding, with
/// an ASCII fast path: see `value::fold_into`).
fn fold_into(buf: &mut String, text: &str) {
    crate::value::fold_into(buf, text);
}

/// Everything a node may read while one lead is scored.
pub(crate) struct Env<'a> {
    pub lead: &'a Lead,
    pub folded: IdSlice<'a, FieldId, Folded>,
    pub today: Date,
    /// Group subtotals, once computed (ladders and tiers).
    pub groups: IdSlice<'a, GroupId, Decimal>,
    pub score: Option<Decimal>,
    pub stage: Option<&'a str>,
    pub tiers: IdSlice<'a, TierId, Option<&'a str>>,
    /// Whether each rule fired (tests).
    pub fired: IdSlice<'a, RuleId, bool>,
    /// The truths of the field predicates, tested before the conditions
    /// (read by compiled conditions only; the node walker tests nodes).
    pub predicates: IdSlice<'a, PredId, super::predicates::Truth>,
}

/// The truth of a condition: `None` is missing.
pub(crate) fn truth<'a>(node: &'a Node, env: &Env<'a>) -> Option<bool> {
    match eval(node, env)? {
        V::Bool(b) => Some(b),
        _ => None,
    }
}

/// A number: `None` when missing (or, defensively, not a number).
pub(crate) fn number<'a>(node: &'a Node, env: &Env<'a>) -> Option<Decimal> {
    match eval(node, env)? {
        V::Num(n) => Some(n),
        _ => None,
    }
}

fn date<'a>(node: &'a Node, env: &Env<'a>) -> Option<Date> {
    match eval(node, env)? {
        V::Date(d) => Some(d),
        _ => None,
    }
}

fn text<'a>(node: &'a Node, env: &Env<'a>) -> Option<(&'a str, Cow<'a, str>)> {
    match eval(node, env)? {
        V::Text { raw, folded } => Some((raw, folded)),
        _ => None,
    }
}

/// Text as read (what `matches` sees); a field's is taken from the lead
/// directly, without folding it.
fn raw_text<'a>(node: &'a Node, env: &Env<'a>) -> Option<&'a str> {
    if let Node::Field(id) = node {
        return match env.lead.values.get(*id)?.as_ref()? {
            Value::Text(raw) => Some(raw),
            _ => None,
        };
    }
    text(node, env).map(|(raw, _)| raw)
}

/// `is present`; a field's presence is read from the lead directly.
fn present<'a>(node: &'a Node, env: &Env<'a>) -> bool {
    match node {
        Node::Field(id) => matches!(env.lead.values.get(*id), Some(Some(_))),
        _ => eval(node, env).is_some(),
    }
}

fn list<'a>(node: &'a Node, env: &Env<'a>) -> Option<&'a [String]> {
    match eval(node, env)? {
        V::List(items) => Some(items),
        _ => None,
    }
}

/// Evaluate a node.
pub(crate) fn eval<'a>(node: &'a Node, env: &Env<'a>) -> Option<V<'a>> {
    match node {
        Node::Const(value) => constant(value),
        Node::Missing => None,
        Node::Field(id) => field(*id, env),
        Node::Group(id) => env.groups.get(*id).map(|g| V::Num(*g)),
        Node::Score => env.score.map(V::Num),
        Node::Stage => env.stage.map(label),
        Node::Tier(id) => env.tiers.get(*id).copied().flatten().map(label),
        Node::Today => Some(V::Date(env.today)),
        Node::Not(inner) => truth(inner, env).map(|b| V::Bool(!b)),
        Node::And(items) => connect(items, false, |n| truth(n, env)).map(V::Bool),
        Node::Or(items) => connect(items, true, |n| truth(n, env)).map(V::Bool),
        Node::Neg(inner) => number(inner, env).map(|n| V::Num(-n)),
        Node::Arith(first, rest) => arith(first, rest, env).map(V::Num),
        Node::Compare(op, a, b) => compare(*op, a, b, env).map(V::Bool),
        Node::Between(a, low, high) => between(a, low, high, env).map(V::Bool),
        Node::InSet { needle, set } => in_set(needle, set, env).map(V::Bool),
        Node::ListHas { list: l, item } => {
            let (items, (_, wanted)) = (list(l, env)?, text(item, env)?);
            Some(V::Bool(items.iter().any(|i| *i == *wanted)))
        }
        Node::Text(op, a, b) => text_pair(*op, a, b, env),
        Node::ContainsAny(l, set) => {
            list(l, env).map(|items| V::Bool(items.iter().any(|i| set.has_text(i))))
        }
        Node::ContainsAll(l, set) => {
            let items = list(l, env)?;
            Some(V::Bool(
                set.texts().all(|wanted| items.iter().any(|i| i == wanted)),
            ))
        }
        Node::Matches(a, pattern) => {
            raw_text(a, env).map(|raw| V::Bool(pattern.regex.is_match(raw)))
        }
        Node::IsMissing(inner) => Some(V::Bool(!present(inner, env))),
        Node::IsPresent(inner) => Some(V::Bool(present(inner, env))),
        Node::Within(d, duration) => ops::within(date(d, env)?, *duration, env.today).map(V::Bool),
        Node::DateShift(d, shifts) => shift(date(d, env)?, shifts).map(V::Date),
        Node::Call(function, args) => call(*function, args, env).map(V::Num),
        Node::Fired(rule) => env.fired.get(*rule).map(|f| V::Bool(*f)),
        Node::Decayed(points, form, since) => {
            let (points, since) = (number(points, env)?, date(since, env)?);
            super::decay::decayed(points, *form, since, env.today).map(V::Num)
        }
    }
}

fn constant(value: &Value) -> Option<V<'_>> {
    Some(match value {
        Value::Text(t) => V::Text {
            raw: t,
            folded: Cow::Borrowed(t),
        },
        Value::Number(n) => V::Num(*n),
        Value::Bool(b) => V::Bool(*b),
        Value::Date(d) => V::Date(*d),
        // INVARIANT: durations and list constants are consumed by `Within`,
        // `DateShift`, `InSet` and friends; they are never values.
        Value::Duration(_) | Value::List(_) => return None,
    })
}

fn field<'a>(id: FieldId, env: &Env<'a>) -> Option<V<'a>> {
    let value = env.lead.values.get(id)?.as_ref()?;
    Some(match (value, env.folded.get(id)) {
        (Value::Text(raw), Some(Folded::Text(folded))) => V::Text {
            raw,
            folded: Cow::Borrowed(folded),
        },
        (Value::Text(raw), _) => V::Text {
            raw,
            folded: Cow::Owned(fold_text(raw)),
        },
        (Value::List(_), Some(Folded::List(items))) => V::List(items),
        (Value::List(_), _) => return None,
        (other, _) => return constant(other),
    })
}

fn label(text: &str) -> V<'_> {
    V::Text {
        raw: text,
        folded: Cow::Owned(fold_text(text)),
    }
}

/// `and` (`decisive` false) or `or` (`decisive` true) of the truths of
/// `items`: the decisive truth wins, then missing, then the other.
pub(crate) fn connect<T>(
    items: impl IntoIterator<Item = T>,
    decisive: bool,
    truth: impl Fn(T) -> Option<bool>,
) -> Option<bool> {
    let mut missing = false;
    for item in items {
        match truth(item) {
            Some(b) if b == decisive => return Some(decisive),
            None => missing = true,
            Some(_) => {}
        }
    }
    (!missing).then_some(!decisive)
}

fn arith<'a>(first: &'a Node, rest: &'a [(ArithOp, Node)], env: &Env<'a>) -> Option<Decimal> {
    let mut acc = number(first, env)?;
    for (op, operand) in rest {
        acc = apply(*op, acc, number(operand, env)?)?;
    }
    Some(acc)
}

/// `acc op value`; `None` when missing (division by zero, overflow).
pub(crate) fn apply(op: ArithOp, acc: Decimal, value: Decimal) -> Option<Decimal> {
    match op {
        ArithOp::Add => ops::add(acc, value),
        ArithOp::Sub => ops::sub(acc, value),
        ArithOp::Mul => ops::mul(acc, value),
        ArithOp::Div => ops::div(acc, value),
    }
}

fn compare<'a>(op: CompareOp, a: &'a Node, b: &'a Node, env: &Env<'a>) -> Option<bool> {
    let ordering = match (eval(a, env)?, eval(b, env)?) {
        (V::Num(x), V::Num(y)) => ops::cmp(x, y),
        (V::Date(x), V::Date(y)) => x.cmp(&y),
        (V::Text { folded: x, .. }, V::Text { folded: y, .. }) => x.cmp(&y),
        (V::Bool(x), V::Bool(y)) => x.cmp(&y),
        _ => return None,
    };
    Some(holds(op, ordering))
}

/// Whether `op` holds between two values that compare as `ordering`.
pub(crate) fn holds(op: CompareOp, ordering: std::cmp::Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering.is_eq(),
        CompareOp::Ne => ordering.is_ne(),
        CompareOp::Lt => ordering.is_lt(),
        CompareOp::Le => ordering.is_le(),
        CompareOp::Gt => ordering.is_gt(),
        CompareOp::Ge => ordering.is_ge(),
    }
}

fn between<'a>(a: &'a Node, low: &'a Node, high: &'a Node, env: &Env<'a>) -> Option<bool> {
    // Missing if any operand is (spec section 5: `between` is not one of
    // the operators that see through a missing value), so both ends are
    // read before either decides.
    let above = compare(CompareOp::Ge, a, low, env)?;
    let below = compare(CompareOp::Le, a, high, env)?;
    Some(above && below)
}

fn in_set<'a>(needle: &'a Node, set: &ConstSet, env: &Env<'a>) -> Option<bool> {
    Some(match eval(needle, env)? {
        V::Text { folded, .. } => set.has_text(&folded),
        V::Num(n) => set.has_number(n),
        V::Date(d) => set.has_date(d),
        _ => return None,
    })
}

fn text_pair<'a>(op: TextOp, a: &'a Node, b: &'a Node, env: &Env<'a>) -> Option<V<'a>> {
    let ((_, a), (_, b)) = (text(a, env)?, text(b, env)?);
    Some(V::Bool(op.holds(&a, &b)))
}

fn shift(mut date: Date, shifts: &[(ArithOp, Duration)]) -> Option<Date> {
    for (op, duration) in shifts {
        date = match op {
            ArithOp::Sub => ops::date_sub(date, *duration),
            _ => ops::date_add(date, *duration),
        }?;
    }
    Some(date)
}

fn call<'a>(function: Function, args: &'a [Node], env: &Env<'a>) -> Option<Decimal> {
    let first = args.first();
    let today = env.today;
    match function {
        Function::DaysSince => Some(ops::days_since(date(first?, env)?, today).into()),
        Function::MonthsSince => Some(ops::months_since(date(first?, env)?, today).into()),
        Function::YearsSince => Some(ops::years_since(date(first?, env)?, today).into()),
        Function::Count => match eval(first?, env)? {
            V::List(items) => Some(items.len().into()),
            _ => None,
        },
        // The first of equal least values, the last of equal greatest
        // ones, as `Iterator::min` and `max` pick.
        Function::Min => extreme(args, env, |a, b| if ops::cmp(b, a).is_lt() { b } else { a }),
        Function::Max => extreme(args, env, |a, b| if ops::cmp(a, b).is_gt() { a } else { b }),
        Function::Abs => number(first?, env).map(|n| n.abs()),
        Function::Round => {
            let places = match args.get(1) {
                Some(p) => u32::try_from(number(p, env)?.trunc()).ok()?,
                None => 0,
            };
            Some(ops::round(number(first?, env)?, places))
        }
    }
}

/// The least (or greatest) argument; missing if any is.
fn extreme<'a>(
    args: &'a [Node],
    env: &Env<'a>,
    pick: fn(Decimal, Decimal) -> Decimal,
) -> Option<Decimal> {
    let (first, rest) = args.split_first()?;
    let mut acc = number(first, env)?;
    for arg in rest {
        acc = pick(acc, number(arg, env)?);
    }
    Some(acc)
}
