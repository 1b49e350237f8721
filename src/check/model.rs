//! The checked model: names resolved to indices, every expression typed,
//! lets folded to constants, reasons assigned. The planner and the
//! interpreter consume this; it holds no reference to the syntax tree.

use super::types::Type;
use crate::span::Span;
use crate::syntax::ast::{ArithOp, CompareOp, Effect};
use crate::value::{Date, Decimal, Duration, FieldType, Reading, Value};

pub use crate::id::{
    AccountValueId, AggregateId, EventFieldId, FieldId, GroupId, Id, IdVec, RuleId, SourceId,
    TierId,
};

/// A model that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: Option<String>,
    pub version: Option<String>,
    pub fields: IdVec<FieldId, Field>,
    /// The `events` blocks (language 1.1).
    pub events: IdVec<SourceId, EventSource>,
    /// Every aggregate over events the model uses, each once: a value of
    /// the lead, computed from its events before its rules.
    pub aggregates: IdVec<AggregateId, Aggregate>,
    /// `account by FIELD { … }` (language 1.1).
    pub account: Option<Account>,
    pub groups: IdVec<GroupId, Group>,
    /// Every rule in file order; a group lists the ids of its own.
    pub rules: IdVec<RuleId, Rule>,
    pub score_limits: Limits,
    pub stage: Option<Ladder>,
    pub tiers: IdVec<TierId, Tier>,
    pub tests: Vec<Test>,
}

/// A field of the lead record.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// The input column it is read from (`from`, else the name).
    pub column: String,
    pub ty: FieldType,
    pub required: bool,
    /// How its cells are read: the list separator (`;` unless `sep` says
    /// otherwise) and the local format its modifiers give (section 4).
    pub read: Reading,
    pub span: Span,
}

/// An `events NAME { … }` block: a file of one row per activity.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSource {
    pub name: String,
    /// The event record's fields; [`ExprKind::EventField`] indexes them.
    pub fields: IdVec<EventFieldId, Field>,
    /// The field marked `key`, and the lead field of the same name it
    /// joins on.
    pub key: EventFieldId,
    pub lead_key: FieldId,
    /// The field marked `time` (a date).
    pub time: EventFieldId,
    pub span: Span,
}

/// `account by FIELD { let NAME = AGG … }`: values over the leads that
/// share FIELD (compared as `==`).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub by: FieldId,
    pub values: IdVec<AccountValueId, AccountValue>,
    pub span: Span,
}

/// One account value: an aggregate over the account's leads.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountValue {
    pub name: String,
    pub kind: AggregateKind,
    /// `leads where COND`: about one lead.
    pub condition: Option<Expr>,
    /// `sum(leads, EXPR)` and the like.
    pub value: Option<Expr>,
    /// True when it reads groups or `score` (a score-level value: usable
    /// only in the ladder, tiers and tests).
    pub score_level: bool,
    /// The first group or `score` it reads, for messages.
    pub uses: Option<String>,
    pub ty: Type,
    pub span: Span,
}

/// Which aggregate of an event set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateKind {
    Count,
    Exists,
    First,
    Last,
    Sum,
    Min,
    Max,
    Distinct,
    /// An `each` rule's points: the sum over its events of the points
    /// times their decay factor, each rounded to 4 places, limited by
    /// `max`.
    Each,
}

impl AggregateKind {
    /// The aggregate a function name calls over an event set.
    pub fn from_name(name: &str) -> Option<AggregateKind> {
        Some(match name {
            "count" => AggregateKind::Count,
            "exists" => AggregateKind::Exists,
            "first" => AggregateKind::First,
            "last" => AggregateKind::Last,
            "sum" => AggregateKind::Sum,
            "min" => AggregateKind::Min,
            "max" => AggregateKind::Max,
            "distinct" => AggregateKind::Distinct,
            _ => return None,
        })
    }

    /// The function's name (`each` for an `each` rule).
    pub fn name(self) -> &'static str {
        match self {
            AggregateKind::Count => "count",
            AggregateKind::Exists => "exists",
            AggregateKind::First => "first",
            AggregateKind::Last => "last",
            AggregateKind::Sum => "sum",
            AggregateKind::Min => "min",
            AggregateKind::Max => "max",
            AggregateKind::Distinct => "distinct",
            AggregateKind::Each => "each",
        }
    }

    /// Whether it takes an expression over each event (`sum(S, EXPR)`).
    pub fn takes_value(self) -> bool {
        matches!(
            self,
            AggregateKind::Sum
                | AggregateKind::Min
                | AggregateKind::Max
                | AggregateKind::Distinct
                | AggregateKind::Each
        )
    }
}

/// An aggregate over one lead's events of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub source: SourceId,
    pub kind: AggregateKind,
    /// `where COND`: over the event's fields ([`ExprKind::EventField`]),
    /// the lead's fields ([`ExprKind::Field`]), lets and `today`.
    pub condition: Option<Expr>,
    pub within: Option<Duration>,
    /// `sum(S, EXPR)` and the like; an `each` rule's points.
    pub value: Option<Expr>,
    /// An `each` rule's decay and `max`.
    pub decay: Option<Decay>,
    pub max: Option<Decimal>,
    /// The type of the lead's value.
    pub ty: Type,
    /// The set as written, for `tally plan` and `explain`.
    pub text: String,
}

impl Aggregate {
    /// The lead's fields its condition and value read, each once, in the
    /// order they first appear. A set that reads none is the same for
    /// every lead of a key, so it can be counted before any lead is read.
    pub fn lead_fields(&self) -> Vec<FieldId> {
        fn visit(e: &Expr, out: &mut Vec<FieldId>) {
            match &e.kind {
                ExprKind::Field(id) if !out.contains(id) => out.push(*id),
                kind => kind.for_each_child(&mut |c| visit(c, out)),
            }
        }
        let mut out = Vec::new();
        (self.condition.iter().chain(&self.value)).for_each(|e| visit(e, &mut out));
        out
    }
}

/// How points fade with age (language section 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecayForm {
    /// `half-life D` (D in days: weeks are converted).
    HalfLife { days: i64 },
    /// `linear D` (days).
    Linear { days: i64 },
    /// `P% every D`: the kept share per period is `1 − P/100`.
    Every { percent: Decimal, period: Duration },
}

impl std::fmt::Display for DecayForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = |n: i64| {
            if n == 1 {
                "1 day".to_string()
            } else {
                format!("{n} days")
            }
        };
        match self {
            DecayForm::HalfLife { days: d } => write!(f, "half-life {}", days(*d)),
            DecayForm::Linear { days: d } => write!(f, "linear {}", days(*d)),
            DecayForm::Every { percent, period } => {
                write!(
                    f,
                    "{}% every {period}",
                    crate::value::format_decimal(*percent)
                )
            }
        }
    }
}

/// A rule's decay: its form and, on a `when` rule, the date its age
/// counts from (an `each` rule's events give their own).
#[derive(Debug, Clone, PartialEq)]
pub struct Decay {
    pub form: DecayForm,
    pub since: Option<Box<Expr>>,
}

/// `max` / `min` limits.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Limits {
    pub max: Option<Decimal>,
    pub min: Option<Decimal>,
}

/// A named subscore.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub limits: Limits,
    pub rules: Vec<RuleId>,
    pub span: Span,
}

/// A scoring rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub group: Option<GroupId>,
    /// A boolean expression over fields, lets and `today`.
    pub condition: Expr,
    pub effect: Effect,
    /// A number expression; `sub` negates it.
    pub points: Expr,
    /// The rule's reason text: its own, or its condition in canonical form.
    pub reason: String,
    /// An `each` rule: its points aggregate (its condition is the set's
    /// `exists`).
    pub each: Option<AggregateId>,
    pub span: Span,
}

/// A ladder: the stage ladder or a tier's.
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    pub steps: Vec<Step>,
    pub otherwise: Option<String>,
    pub span: Span,
}

impl Ladder {
    /// Every label the ladder can give, in order, without repeats.
    pub fn labels(&self) -> Vec<&str> {
        let mut labels: Vec<&str> = Vec::new();
        let all = self.steps.iter().map(|s| s.label.as_str());
        for label in all.chain(self.otherwise.as_deref()) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }
}

/// One `if CONDITION then LABEL` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub condition: Expr,
    pub label: String,
    pub span: Span,
}

/// A named ladder, decided after the stage and the tiers before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub name: String,
    pub ladder: Ladder,
    pub span: Span,
}

/// A test block.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub name: String,
    pub as_of: Option<Date>,
    /// The value of each given field; fields not listed are missing.
    pub given: Vec<(FieldId, Value)>,
    /// The given events of each source.
    pub events: Vec<(SourceId, Vec<GivenEvent>)>,
    /// Account values given directly (`account.readers: 3`).
    pub accounts: Vec<(AccountValueId, Value)>,
    pub expects: Vec<Expr>,
    pub span: Span,
}

/// One event given in a test: its fields' values (missing if not given).
pub type GivenEvent = IdVec<EventFieldId, Option<Value>>;

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    DaysSince,
    MonthsSince,
    YearsSince,
    Count,
    Min,
    Max,
    Abs,
    Round,
}

impl Function {
    /// The function a name calls, if any.
    pub fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "days_since" => Function::DaysSince,
            "months_since" => Function::MonthsSince,
            "years_since" => Function::YearsSince,
            "count" => Function::Count,
            "min" => Function::Min,
            "max" => Function::Max,
            "abs" => Function::Abs,
            "round" => Function::Round,
            _ => return None,
        })
    }

    /// The function's name as written.
    pub fn name(self) -> &'static str {
        match self {
            Function::DaysSince => "days_since",
            Function::MonthsSince => "months_since",
            Function::YearsSince => "years_since",
            Function::Count => "count",
            Function::Min => "min",
            Function::Max => "max",
            Function::Abs => "abs",
            Function::Round => "round",
        }
    }
}

/// The forms of a typed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant: a literal or a folded `let`.
    Const(Value),
    Field(FieldId),
    Group(GroupId),
    Score,
    Stage,
    Tier(TierId),
    Today,
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Neg(Box<Expr>),
    /// Left to right: `first op1 e1 op2 e2 …`, all at one precedence level.
    Arith(Box<Expr>, Vec<(ArithOp, Expr)>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `x in [..]`: a scalar against a constant list.
    InList {
        needle: Box<Expr>,
        items: Vec<Value>,
        negated: bool,
    },
    /// `x in L` / `L contains x` for a list field `L`: membership.
    ListHas {
        list: Box<Expr>,
        item: Box<Expr>,
        negated: bool,
    },
    /// `t contains s` on text: substring.
    TextContains(Box<Expr>, Box<Expr>),
    ContainsAny(Box<Expr>, Vec<Value>),
    ContainsAll(Box<Expr>, Vec<Value>),
    StartsWith(Box<Expr>, Box<Expr>),
    EndsWith(Box<Expr>, Box<Expr>),
    /// `t matches "REGEX"`; the pattern is known to compile.
    Matches(Box<Expr>, String),
    IsMissing(Box<Expr>),
    IsPresent(Box<Expr>),
    Within(Box<Expr>, Duration),
    /// `date ± duration ± …`, applied left to right.
    DateShift(Box<Expr>, Vec<(ArithOp, Duration)>),
    Call(Function, Vec<Expr>),
    /// `fired("REASON")`, in tests only.
    Fired(RuleId),
    /// The lead's value of an aggregate over its events.
    Aggregate(AggregateId),
    /// A field of the event at hand, inside an aggregate's condition or
    /// value.
    EventField(EventFieldId),
    /// `account.NAME`: the lead's account's value (an index into the
    /// account's values).
    Account(AccountValueId),
    /// Points that fade with the age of a date: `POINTS decay FORM since
    /// DATE` on a `when` rule; the children are the points and the date.
    Decayed(Box<Expr>, DecayForm, Box<Expr>),
}

/// The direct sub-expressions of an [`ExprKind`], in the order the node
/// holds them (left to right as written, except that `ListHas` gives the
/// list first, as in `"x" in L`), written once for both traversals
/// (`$iter` is `iter` or `iter_mut`). Constant
/// operands already folded into a node (the items of `in [..]`, a
/// pattern, a duration) are values, not expressions.
macro_rules! each_child {
    ($kind:expr, $f:ident, $iter:ident) => {
        match $kind {
            ExprKind::Not(a)
            | ExprKind::Neg(a)
            | ExprKind::IsMissing(a)
            | ExprKind::IsPresent(a)
            | ExprKind::InList { needle: a, .. }
            | ExprKind::ContainsAny(a, _)
            | ExprKind::ContainsAll(a, _)
            | ExprKind::Matches(a, _)
            | ExprKind::Within(a, _)
            | ExprKind::DateShift(a, _) => $f(a),
            ExprKind::Decayed(a, _, b) => {
                $f(a);
                $f(b);
            }
            ExprKind::And(items) | ExprKind::Or(items) | ExprKind::Call(_, items) => {
                items.$iter().for_each(&mut *$f)
            }
            ExprKind::Arith(first, rest) => {
                $f(first);
                rest.$iter().for_each(|(_, e)| $f(e));
            }
            ExprKind::Between(a, b, c) => {
                $f(a);
                $f(b);
                $f(c);
            }
            ExprKind::Compare(_, a, b)
            | ExprKind::ListHas {
                list: a, item: b, ..
            }
            | ExprKind::TextContains(a, b)
            | ExprKind::StartsWith(a, b)
            | ExprKind::EndsWith(a, b) => {
                $f(a);
                $f(b);
            }
            ExprKind::Const(_)
            | ExprKind::Field(_)
            | ExprKind::Group(_)
            | ExprKind::Score
            | ExprKind::Stage
            | ExprKind::Tier(_)
            | ExprKind::Today
            | ExprKind::Fired(_)
            | ExprKind::Aggregate(_)
            | ExprKind::EventField(_)
            | ExprKind::Account(_) => {}
        }
    };
}

impl ExprKind {
    /// Call `f` on each direct sub-expression. A visitor matches the forms it cares about and calls this for the rest, so a
    /// new form is added here once rather than in every visitor.
    pub fn for_each_child<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        each_child!(self, f, iter)
    }

    /// [`ExprKind::for_each_child`] for rewriters: the same children, in
    /// the same order, mutably.
    pub fn for_each_child_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        each_child!(self, f, iter_mut)
    }
}
