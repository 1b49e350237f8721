//! What a condition says about its operands: each recognised test
//! (`x > 5`, `x == "a"`, `x in [..]`, `x between a and b`, a `bool` field)
//! is an [`Atom`]; an `and` of them gives [`Facts`], one [`Domain`] per
//! operand.

use super::domain::{Domain, Key, Limit};
use crate::check::model::{Expr, ExprKind, FieldId, Function, GroupId, TierId};
use crate::check::Type;
use crate::span::Span;
use crate::syntax::ast::CompareOp;
use crate::value::{fold_text, Date, Value};

/// What a test is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    Field(FieldId),
    /// A one-argument function of a field, such as `days_since(d)`.
    Call(Function, FieldId),
    Group(GroupId),
    Score,
    Stage,
    Tier(TierId),
}

/// One test on one operand.
#[derive(Debug, Clone)]
pub struct Atom {
    pub operand: Operand,
    pub domain: Domain,
    pub span: Span,
}

/// The tests of an `and`, as atoms in order, and what they say together
/// about each operand; `never` is where one of them is the constant
/// `false`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub atoms: Vec<Atom>,
    /// Per operand, in order of first mention: all its atoms at once.
    merged: Vec<(Operand, Domain)>,
    pub never: Option<Span>,
}

impl Facts {
    /// The recognised tests of a condition that holds: its conjuncts
    /// (nested `and`s too). Other conjuncts only narrow further, so
    /// leaving them out keeps every conclusion sound.
    pub fn of(condition: &Expr) -> Facts {
        let mut facts = Facts::default();
        facts.collect(condition);
        facts
    }

    fn collect(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::And(items) => items.iter().for_each(|item| self.collect(item)),
            ExprKind::Const(Value::Bool(false)) => self.never = Some(expr.span),
            _ => {
                if let Some(atom) = atom(expr) {
                    self.merge(&atom);
                    self.atoms.push(atom);
                }
            }
        }
    }

    fn merge(&mut self, atom: &Atom) {
        match self.merged.iter_mut().find(|(o, _)| *o == atom.operand) {
            Some((_, domain)) => domain.narrow(&atom.domain),
            None => self.merged.push((atom.operand, atom.domain.clone())),
        }
    }

    /// Everything known about `operand`, if anything.
    pub fn domain(&self, operand: Operand) -> Option<Domain> {
        self.merged
            .iter()
            .find(|(o, _)| *o == operand)
            .map(|(_, d)| d.clone())
    }

    /// Each operand the facts mention, with what they say about it.
    pub fn domains(&self) -> impl Iterator<Item = &(Operand, Domain)> {
        self.merged.iter()
    }
}

/// The test `expr` makes, if it is one of the recognised shapes.
pub fn atom(expr: &Expr) -> Option<Atom> {
    let (operand, domain) = match &expr.kind {
        ExprKind::Compare(op, a, b) => compare(*op, a, b)?,
        ExprKind::Between(x, lo, hi) => between(x, lo, hi)?,
        ExprKind::InList {
            needle,
            items,
            negated,
        } => in_list(needle, items, *negated)?,
        ExprKind::Field(_) if expr.ty == Type::Bool => {
            (operand(expr)?, Domain::one_of(vec![Key::Bool(true)]))
        }
        ExprKind::Not(inner) => not(inner)?,
        _ => return None,
    };
    Some(Atom {
        operand,
        domain,
        span: expr.span,
    })
}

fn compare(op: CompareOp, a: &Expr, b: &Expr) -> Option<(Operand, Domain)> {
    if let (Some(operand), Some(key)) = (operand(a), key(b)) {
        return Some((operand, compared(op, key)?));
    }
    let (operand, key) = (operand(b)?, key(a)?);
    Some((operand, compared(flip(op), key)?))
}

fn between(x: &Expr, lo: &Expr, hi: &Expr) -> Option<(Operand, Domain)> {
    let (Key::Num(lo), Key::Num(hi)) = (key(lo)?, key(hi)?) else {
        return None;
    };
    let limit = |value| {
        Some(Limit {
            value,
            strict: false,
        })
    };
    Some((operand(x)?, Domain::between(limit(lo), limit(hi))))
}

fn in_list(needle: &Expr, items: &[Value], negated: bool) -> Option<(Operand, Domain)> {
    let keys = items.iter().map(value_key).collect::<Option<Vec<_>>>()?;
    let domain = if negated {
        Domain::none_of(keys)
    } else {
        Domain::one_of(keys)
    };
    Some((operand(needle)?, domain))
}

/// `not x` for a `bool` field, `not (x > 5)`, `not (x in [..])`: true only
/// when `x` is present, so the opposite test.
fn not(inner: &Expr) -> Option<(Operand, Domain)> {
    match &inner.kind {
        ExprKind::Field(_) if inner.ty == Type::Bool => {
            Some((operand(inner)?, Domain::one_of(vec![Key::Bool(false)])))
        }
        ExprKind::Compare(op, a, b) => compare(negate(*op), a, b),
        ExprKind::InList {
            needle,
            items,
            negated,
        } => in_list(needle, items, !negated),
        _ => None,
    }
}

fn compared(op: CompareOp, key: Key) -> Option<Domain> {
    let limit = |strict| match &key {
        Key::Num(value) => Some(Limit {
            value: *value,
            strict,
        }),
        _ => None,
    };
    Some(match op {
        CompareOp::Eq => Domain::one_of(vec![key]),
        CompareOp::Ne => Domain::none_of(vec![key]),
        CompareOp::Gt => Domain::between(Some(limit(true)?), None),
        CompareOp::Ge => Domain::between(Some(limit(false)?), None),
        CompareOp::Lt => Domain::between(None, Some(limit(true)?)),
        CompareOp::Le => Domain::between(None, Some(limit(false)?)),
    })
}

/// `a op b` as `b op' a`.
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        same => same,
    }
}

/// The test true exactly when `op` is false (for present values).
fn negate(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
    }
}

/// The operand an expression names, if it is a simple one.
pub fn operand(expr: &Expr) -> Option<Operand> {
    Some(match &expr.kind {
        ExprKind::Field(id) => Operand::Field(*id),
        ExprKind::Group(id) => Operand::Group(*id),
        ExprKind::Score => Operand::Score,
        ExprKind::Stage => Operand::Stage,
        ExprKind::Tier(id) => Operand::Tier(*id),
        ExprKind::Call(function, args) => match args.as_slice() {
            [arg] => match arg.kind {
                ExprKind::Field(id) => Operand::Call(*function, id),
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    })
}

/// The constant an expression is, as compared.
pub fn key(expr: &Expr) -> Option<Key> {
    match &expr.kind {
        ExprKind::Const(value) => value_key(value),
        _ => None,
    }
}

fn value_key(value: &Value) -> Option<Key> {
    Some(match value {
        Value::Number(n) => Key::Num(*n),
        Value::Text(t) => Key::Text(fold_text(t)),
        Value::Bool(b) => Key::Bool(*b),
        Value::Date(d) => Key::Num(day_number(*d).into()),
        _ => return None,
    })
}

/// Days since 0001-01-01: dates compare as these numbers do.
fn day_number(date: Date) -> i64 {
    use chrono::Datelike;
    i64::from(date.num_days_from_ce())
}
