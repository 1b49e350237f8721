//! Plan expressions: checked expressions with their constants prepared
//! for evaluation (text folded, lists as hash sets, regexes compiled).

use std::fmt;
use std::sync::Arc;

use regex::Regex;
use rustc_hash::FxHashSet as HashSet;

use super::endings::Endings;
use crate::check::model::{DecayForm, Function};
use crate::id::{FieldId, GroupId, RuleId, TierId};
use crate::syntax::ast::{ArithOp, CompareOp};
use crate::value::{fold_text, Date, Decimal, Duration, Value};

/// A compiled expression. Field, group and tier numbers index the plan.
#[derive(Debug, Clone)]
pub enum Node {
    /// A constant; text constants are already folded (trimmed, lower case).
    Const(Value),
    /// A constant with no value (e.g. a division by zero folded away).
    Missing,
    Field(FieldId),
    Group(GroupId),
    Score,
    Stage,
    Tier(TierId),
    Today,
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Neg(Box<Node>),
    Arith(Box<Node>, Vec<(ArithOp, Node)>),
    Compare(CompareOp, Box<Node>, Box<Node>),
    Between(Box<Node>, Box<Node>, Box<Node>),
    /// `x in [..]` against a constant set (`not in` is `Not` of it).
    InSet {
        needle: Box<Node>,
        set: Arc<ConstSet>,
    },
    /// Membership of a text in a `list` field (`not in` is `Not` of it).
    ListHas {
        list: Box<Node>,
        item: Box<Node>,
    },
    /// A test of one text against another, both folded.
    Text(TextOp, Box<Node>, Box<Node>),
    ContainsAny(Box<Node>, Arc<ConstSet>),
    ContainsAll(Box<Node>, Arc<ConstSet>),
    Matches(Box<Node>, Arc<Pattern>),
    IsMissing(Box<Node>),
    IsPresent(Box<Node>),
    Within(Box<Node>, Duration),
    DateShift(Box<Node>, Vec<(ArithOp, Duration)>),
    Call(Function, Vec<Node>),
    /// `fired(…)` in a test: did rule N add points?
    Fired(RuleId),
    /// Points fading with the age of a date: `POINTS decay FORM since
    /// DATE` (language section 11).
    Decayed(Box<Node>, DecayForm, Box<Node>),
}

/// The tests of one text against another (`t contains "x"`, `t starts
/// with "x"`, `t ends with "x"`): one node with its operator, so a new
/// text test is a variant here, its word and its meaning, and the walker,
/// the compiled conditions and `tally plan` take it from these methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

impl TextOp {
    /// The operator as written.
    pub fn word(self) -> &'static str {
        match self {
            TextOp::Contains => "contains",
            TextOp::StartsWith => "starts with",
            TextOp::EndsWith => "ends with",
        }
    }

    /// Whether `text` passes the test with `part` (both folded).
    #[inline]
    pub fn holds(self, text: &str, part: &str) -> bool {
        match self {
            TextOp::Contains => text.contains(part),
            TextOp::StartsWith => text.starts_with(part),
            TextOp::EndsWith => text.ends_with(part),
        }
    }
}

/// The items of a constant list, hashed for O(1) membership.
#[derive(Clone, Default)]
pub struct ConstSet {
    /// The items in written order (text folded), for display.
    pub items: Vec<Value>,
    texts: HashSet<String>,
    numbers: HashSet<Decimal>,
    dates: HashSet<Date>,
}

impl ConstSet {
    /// A set of the given constants; text items are folded.
    pub fn new(values: &[Value]) -> ConstSet {
        let mut set = ConstSet::default();
        for value in values {
            let fresh = match value {
                Value::Text(t) => {
                    let folded = fold_text(t);
                    let fresh = set.texts.insert(folded.clone());
                    if fresh {
                        set.items.push(Value::Text(folded));
                    }
                    continue;
                }
                Value::Number(n) => set.numbers.insert(n.normalize()),
                Value::Date(d) => set.dates.insert(*d),
                _ => false,
            };
            if fresh {
                set.items.push(value.clone());
            }
        }
        set
    }

    /// Whether the set holds this folded text.
    pub fn has_text(&self, folded: &str) -> bool {
        self.texts.contains(folded)
    }

    /// Whether the set holds this number.
    pub fn has_number(&self, n: Decimal) -> bool {
        self.numbers.contains(&n.normalize())
    }

    /// Whether the set holds this date.
    pub fn has_date(&self, d: Date) -> bool {
        self.dates.contains(&d)
    }

    /// The folded texts, in written order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|v| match v {
            Value::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// Number of distinct items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True for `[]`.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl fmt::Debug for ConstSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

/// A compiled regular expression with its source.
#[derive(Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: Regex,
    /// What every match ends the text with, for a pattern anchored at its
    /// end: a quick test a text must pass before the regex runs.
    pub endings: Option<Arc<Endings>>,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.source)
    }
}

impl Node {
    /// Call `f` with every field this node reads.
    pub fn for_each_field(&self, f: &mut impl FnMut(FieldId)) {
        match self {
            Node::Field(id) => f(*id),
            _ => self.for_each_child(&mut |child| child.for_each_field(f)),
        }
    }

    /// Call `f` on each direct child, in the order the node holds them.
    /// A visitor matches the nodes it cares about and calls this for the
    /// rest, so a new node is added here once rather than in every visitor.
    pub fn for_each_child<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        match self {
            Node::Not(a)
            | Node::Neg(a)
            | Node::IsMissing(a)
            | Node::IsPresent(a)
            | Node::InSet { needle: a, .. }
            | Node::ContainsAny(a, _)
            | Node::ContainsAll(a, _)
            | Node::Matches(a, _)
            | Node::Within(a, _)
            | Node::DateShift(a, _) => f(a),
            Node::And(items) | Node::Or(items) | Node::Call(_, items) => items.iter().for_each(f),
            Node::Arith(first, rest) => {
                f(first);
                rest.iter().for_each(|(_, n)| f(n));
            }
            Node::Between(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Node::Compare(_, a, b)
            | Node::ListHas {
                list: a, item: b, ..
            }
            | Node::Text(_, a, b)
            | Node::Decayed(a, _, b) => {
                f(a);
                f(b);
            }
            Node::Const(_)
            | Node::Missing
            | Node::Field(_)
            | Node::Group(_)
            | Node::Score
            | Node::Stage
            | Node::Tier(_)
            | Node::Today
            | Node::Fired(_) => {}
        }
    }
}
