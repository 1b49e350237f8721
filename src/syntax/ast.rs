//! The syntax tree of a model, as written: every node keeps its span.
//!
//! Nothing here is resolved or typed; names are plain strings. Chains of
//! one precedence level (`a + b - c`, `x and y and z`) are flat vectors so
//! that a long chain never makes a deep tree.

use crate::span::{Span, Spanned};
pub use crate::value::FieldType;
use crate::value::{Date, Decimal, Duration};

/// A whole model file.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub header: Option<Header>,
    pub fields: Option<FieldsBlock>,
    /// `events NAME { … }` blocks (language 1.1), in file order.
    pub events: Vec<EventsBlock>,
    /// `account by FIELD { let … }` (language 1.1), at most one.
    pub account: Option<AccountBlock>,
    pub lets: Vec<Let>,
    /// Every rule in file order, top-level and grouped alike.
    pub rules: Vec<Rule>,
    pub groups: Vec<Group>,
    pub score_limits: Option<Limits>,
    pub stage: Option<Ladder>,
    pub tiers: Vec<Tier>,
    pub tests: Vec<Test>,
}

/// `model "NAME" version V`.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub name: Spanned<String>,
    pub version: Option<Spanned<String>>,
    pub span: Span,
}

/// `fields { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldsBlock {
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `events NAME { fields… }`: a source of one row per activity.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsBlock {
    pub name: Spanned<String>,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `account by FIELD { let NAME = AGG … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountBlock {
    pub by: Spanned<String>,
    pub values: Vec<Let>,
    pub span: Span,
}

/// One declared field of the lead record (or of an events source).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: Spanned<String>,
    pub ty: Spanned<FieldType>,
    pub required: bool,
    /// The input column, when it differs from the name (`from "Job Title"`).
    pub from: Option<Spanned<String>>,
    /// The list separator (`sep "|"`); only meaningful on `list` fields.
    pub sep: Option<Spanned<String>>,
    /// Local-format modifiers (language 1.1), in file order.
    pub modifiers: Vec<Modifier>,
    /// Where `key` marks the field as an events source's join key.
    pub key: Option<Span>,
    /// Where `time` marks the field as an events source's event time.
    pub time: Option<Span>,
    pub span: Span,
}

/// A field's local-format modifier, as written: `decimal ","`,
/// `thousands " "`, `format "DD.MM.YYYY"` (or a list), `true [ja]`,
/// `false [nej]`. Which value suits which kind is checked later.
#[derive(Debug, Clone, PartialEq)]
pub struct Modifier {
    pub kind: Spanned<ModifierKind>,
    /// A text or list literal.
    pub value: Spanned<Literal>,
    pub span: Span,
}

/// Which modifier, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModifierKind {
    Decimal,
    Thousands,
    Format,
    True,
    False,
}

impl ModifierKind {
    /// The word that starts the modifier.
    pub fn keyword(self) -> &'static str {
        match self {
            ModifierKind::Decimal => "decimal",
            ModifierKind::Thousands => "thousands",
            ModifierKind::Format => "format",
            ModifierKind::True => "true",
            ModifierKind::False => "false",
        }
    }

    /// The modifier a word starts.
    pub fn from_keyword(word: &str) -> Option<ModifierKind> {
        [
            ModifierKind::Decimal,
            ModifierKind::Thousands,
            ModifierKind::Format,
            ModifierKind::True,
            ModifierKind::False,
        ]
        .into_iter()
        .find(|k| k.keyword() == word)
    }
}

/// `let NAME = EXPR`.
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Spanned<String>,
    pub value: Expr,
    pub span: Span,
}

/// Whether a rule adds or subtracts its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Add,
    Sub,
}

/// `when COND add|sub POINTS [decay …] ["REASON"]`, or a per-event rule
/// `each SET add|sub POINTS [decay …] [max N] ["REASON"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// True for an `each` rule: then `condition` is its event set (an
    /// [`ExprKind::Events`]).
    pub each: bool,
    pub condition: Expr,
    pub effect: Spanned<Effect>,
    pub points: Expr,
    pub reason: Option<Spanned<String>>,
    pub decay: Option<Decay>,
    /// `max N` of an `each` rule.
    pub max: Option<Spanned<Decimal>>,
    /// Index into [`Model::groups`], or `None` for a top-level rule.
    pub group: Option<usize>,
    pub span: Span,
}

/// `decay FORM [since DATE]` (language 1.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Decay {
    pub form: Spanned<DecayForm>,
    /// The date a `when` rule's age counts from.
    pub since: Option<Expr>,
    pub span: Span,
}

/// How points fade with age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecayForm {
    /// `half-life D`: 2^(−age / D).
    HalfLife(Duration),
    /// `linear D`: max(0, 1 − age / D).
    Linear(Duration),
    /// `P% every D`: (1 − P/100)^(whole periods elapsed).
    Every { percent: Decimal, period: Duration },
}

/// An event set: `SOURCE [where COND] [within D]`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSet {
    pub source: Spanned<String>,
    pub condition: Option<Expr>,
    pub within: Option<Spanned<Duration>>,
}

/// `max N` / `min N` limits of a group or of the score.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Limits {
    pub max: Option<Spanned<Decimal>>,
    pub min: Option<Spanned<Decimal>>,
}

/// `group NAME [max N] [min N] { rules… }`; its rules live in [`Model::rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: Spanned<String>,
    pub limits: Limits,
    pub span: Span,
}

/// A ladder: `if COND then LABEL` lines, optionally closed by `else LABEL`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    pub steps: Vec<Step>,
    pub otherwise: Option<Spanned<String>>,
    pub span: Span,
}

/// One `if COND then LABEL` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub condition: Expr,
    pub label: Spanned<String>,
    pub span: Span,
}

/// `tier NAME { ladder }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub name: Spanned<String>,
    pub ladder: Ladder,
    pub span: Span,
}

/// `test "NAME" [as of DATE] { given {…} expect … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub name: Spanned<String>,
    pub as_of: Option<Spanned<Date>>,
    pub given: Vec<Given>,
    pub expects: Vec<Expr>,
    pub span: Span,
}

/// One `field: value` entry of a test's `given` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    pub field: Spanned<String>,
    pub value: Spanned<Literal>,
}

/// A literal value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(Decimal),
    Bool(bool),
    Date(Date),
    Duration(Duration),
    /// A list literal; bare words are already text.
    List(Vec<Spanned<Literal>>),
    /// The events of a source in a test's `given`: one record per event.
    Records(Vec<Spanned<Vec<Given>>>),
}

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

/// The forms of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A field, let, group or tier name, or a ladder label in a comparison.
    Name(String),
    Score,
    Stage,
    Today,
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Neg(Box<Expr>),
    /// `first (op operand)*` for `+ -` or `* /`.
    Arith(Box<Expr>, Vec<(Spanned<ArithOp>, Expr)>),
    Compare(Box<Expr>, Spanned<CompareOp>, Box<Expr>),
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    In {
        needle: Box<Expr>,
        list: Box<Expr>,
        negated: bool,
    },
    Contains(Box<Expr>, Box<Expr>),
    ContainsAny(Box<Expr>, Box<Expr>),
    ContainsAll(Box<Expr>, Box<Expr>),
    StartsWith(Box<Expr>, Box<Expr>),
    EndsWith(Box<Expr>, Box<Expr>),
    Matches(Box<Expr>, Box<Expr>),
    IsMissing(Box<Expr>),
    IsPresent(Box<Expr>),
    Within(Box<Expr>, Box<Expr>),
    Call(Spanned<String>, Vec<Expr>),
    /// An event set as an aggregate's argument or an `each` rule's set.
    Events(Box<EventSet>),
    /// `account.NAME`: a value of the lead's account.
    Account(String),
    /// Where a literal was invalid (an error is already reported): later
    /// stages stay silent about it.
    Invalid,
}

/// `+ - * /`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// `== != < <= > >=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// True for the ordering operators, which need numbers or dates.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

/// The direct sub-expressions of an [`ExprKind`], left to right, written
/// once for both traversals (`$iter` is `iter` or `iter_mut`; match
/// ergonomics bind by reference or mutable reference to suit).
macro_rules! each_child {
    ($kind:expr, $f:ident, $iter:ident) => {
        match $kind {
            ExprKind::Not(a)
            | ExprKind::Neg(a)
            | ExprKind::IsMissing(a)
            | ExprKind::IsPresent(a) => $f(a),
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
            ExprKind::Compare(a, _, b)
            | ExprKind::In {
                needle: a, list: b, ..
            }
            | ExprKind::Contains(a, b)
            | ExprKind::ContainsAny(a, b)
            | ExprKind::ContainsAll(a, b)
            | ExprKind::StartsWith(a, b)
            | ExprKind::EndsWith(a, b)
            | ExprKind::Matches(a, b)
            | ExprKind::Within(a, b) => {
                $f(a);
                $f(b);
            }
            ExprKind::Events(set) => set.condition.$iter().for_each(&mut *$f),
            ExprKind::Literal(_)
            | ExprKind::Name(_)
            | ExprKind::Account(_)
            | ExprKind::Score
            | ExprKind::Stage
            | ExprKind::Today
            | ExprKind::Invalid => {}
        }
    };
}

impl ExprKind {
    /// Call `f` on each direct sub-expression, left to right (list
    /// literals hold literals, not expressions, so they have none). A
    /// visitor matches the forms it cares about and calls this for the
    /// rest, so a new form is added here once rather than in every visitor.
    pub fn for_each_child<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        each_child!(self, f, iter)
    }

    /// [`ExprKind::for_each_child`] for rewriters: the same children, in
    /// the same order, mutably. Spans inside a node that are not
    /// expressions (an operator's, a function name's) are not visited.
    pub fn for_each_child_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        each_child!(self, f, iter_mut)
    }
}
