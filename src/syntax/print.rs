//! The canonical text of expressions: what a rule without a reason is
//! called (`webinars > 0`), and later what the formatter writes.

use super::ast::Expr;
use super::ast::{EventSet, ExprKind, Literal};
use crate::value::{format_decimal, DurationUnit};

/// Binding strength, loosest first, as in the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Not,
    Compare,
    Sum,
    Product,
    Unary,
    Atom,
}

/// An expression in canonical form: single spaces, minimal parentheses,
/// bare words in lists where they are valid bare words.
pub fn canonical_expr(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr, Level::Or);
    out
}

/// A literal in canonical form.
pub fn canonical_literal(literal: &Literal) -> String {
    let mut out = String::new();
    write_literal(&mut out, literal, false);
    out
}

/// A ladder label as it must be written: bare if it is an identifier,
/// else in quotes (`SQL`, `"A+"`).
pub fn canonical_label(label: &str) -> String {
    let mut out = String::new();
    if is_identifier(label) {
        out.push_str(label);
    } else {
        write_text(&mut out, label);
    }
    out
}

/// A name as it must be written: bare if it is an identifier, else in
/// backticks (`job_title`, `` `Job Title` ``, `` `score` ``).
pub fn canonical_name(name: &str) -> String {
    let mut out = String::new();
    write_name(&mut out, name);
    out
}

fn level(kind: &ExprKind) -> Level {
    match kind {
        ExprKind::Or(_) => Level::Or,
        ExprKind::And(_) => Level::And,
        ExprKind::Not(_) => Level::Not,
        ExprKind::Compare(..)
        | ExprKind::Between(..)
        | ExprKind::In { .. }
        | ExprKind::Contains(..)
        | ExprKind::ContainsAny(..)
        | ExprKind::ContainsAll(..)
        | ExprKind::StartsWith(..)
        | ExprKind::EndsWith(..)
        | ExprKind::Matches(..)
        | ExprKind::IsMissing(_)
        | ExprKind::IsPresent(_)
        | ExprKind::Within(..) => Level::Compare,
        ExprKind::Arith(_, rest) => match rest.first() {
            Some((op, _)) if matches!(op.node.symbol(), "*" | "/") => Level::Product,
            _ => Level::Sum,
        },
        ExprKind::Neg(_) => Level::Unary,
        ExprKind::Literal(Literal::Number(n)) if n.is_sign_negative() => Level::Unary,
        _ => Level::Atom,
    }
}

fn write_expr(out: &mut String, expr: &Expr, min: Level) {
    let own = level(&expr.node);
    let parens = own < min;
    if parens {
        out.push('(');
    }
    write_kind(out, &expr.node, own);
    if parens {
        out.push(')');
    }
}

fn write_kind(out: &mut String, kind: &ExprKind, own: Level) {
    let next = |l: Level| match l {
        Level::Or => Level::And,
        Level::And => Level::Not,
        Level::Not => Level::Compare,
        Level::Compare => Level::Sum,
        Level::Sum => Level::Product,
        Level::Product => Level::Unary,
        _ => Level::Atom,
    };
    match kind {
        ExprKind::Literal(lit) => write_literal(out, lit, false),
        ExprKind::Name(name) => write_name(out, name),
        ExprKind::Score => out.push_str("score"),
        ExprKind::Stage => out.push_str("stage"),
        ExprKind::Today => out.push_str("today"),
        ExprKind::Invalid => out.push('?'),
        ExprKind::Or(items) => write_joined(out, items, " or ", Level::And),
        ExprKind::And(items) => write_joined(out, items, " and ", Level::Not),
        ExprKind::Not(inner) => {
            // `not (not x)` keeps its brackets: written bare, the two
            // `not`s would cancel when read back and the tree would change.
            out.push_str("not ");
            write_expr(out, inner, Level::Compare);
        }
        ExprKind::Neg(inner) => {
            out.push('-');
            write_expr(out, inner, Level::Atom);
        }
        ExprKind::Arith(first, rest) => {
            // `(a + b) + c` keeps its brackets: read back without them it
            // would be one flat chain, another tree (with the same value).
            let nested = matches!(first.node, ExprKind::Arith(..)) && level(&first.node) == own;
            write_expr(out, first, if nested { next(own) } else { own });
            for (op, operand) in rest {
                out.push(' ');
                out.push_str(op.node.symbol());
                out.push(' ');
                write_expr(out, operand, next(own));
            }
        }
        ExprKind::Compare(a, op, b) => binary(out, a, op.node.symbol(), b),
        ExprKind::Between(a, low, high) => {
            write_expr(out, a, Level::Sum);
            out.push_str(" between ");
            write_expr(out, low, Level::Sum);
            out.push_str(" and ");
            write_expr(out, high, Level::Sum);
        }
        ExprKind::In {
            needle,
            list,
            negated,
        } => binary(out, needle, if *negated { "not in" } else { "in" }, list),
        ExprKind::Contains(a, b) => binary(out, a, "contains", b),
        ExprKind::ContainsAny(a, b) => binary(out, a, "contains any", b),
        ExprKind::ContainsAll(a, b) => binary(out, a, "contains all", b),
        ExprKind::StartsWith(a, b) => binary(out, a, "starts with", b),
        ExprKind::EndsWith(a, b) => binary(out, a, "ends with", b),
        ExprKind::Matches(a, b) => binary(out, a, "matches", b),
        ExprKind::Within(a, b) => binary(out, a, "within", b),
        ExprKind::IsMissing(a) => {
            write_expr(out, a, Level::Sum);
            out.push_str(" is missing");
        }
        ExprKind::IsPresent(a) => {
            write_expr(out, a, Level::Sum);
            out.push_str(" is present");
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.node);
            out.push('(');
            write_joined(out, args, ", ", Level::Or);
            out.push(')');
        }
        ExprKind::Events(set) => write_event_set(out, set),
        ExprKind::Account(name) => {
            out.push_str("account.");
            out.push_str(name);
        }
    }
}

/// `activity where kind == "webinar" within 90 days`. A condition that
/// ends with the operator `within` is put in parentheses: bare, its
/// `within` would be read back as the set's.
fn write_event_set(out: &mut String, set: &EventSet) {
    write_name(out, &set.source.node);
    if let Some(condition) = &set.condition {
        out.push_str(" where ");
        let min = match ends_with_within(condition) {
            true => Level::Atom,
            false => Level::Or,
        };
        write_expr(out, condition, min);
    }
    if let Some(within) = &set.within {
        out.push_str(" within ");
        write_literal(out, &Literal::Duration(within.node), false);
    }
}

/// Whether an expression, written bare, ends with a `within` comparison.
fn ends_with_within(expr: &Expr) -> bool {
    match &expr.node {
        ExprKind::Within(..) => true,
        ExprKind::And(items) | ExprKind::Or(items) => items.last().is_some_and(ends_with_within),
        ExprKind::Not(inner) => ends_with_within(inner),
        _ => false,
    }
}

fn binary(out: &mut String, a: &Expr, op: &str, b: &Expr) {
    write_expr(out, a, Level::Sum);
    out.push(' ');
    out.push_str(op);
    out.push(' ');
    write_expr(out, b, Level::Sum);
}

fn write_joined(out: &mut String, items: &[Expr], sep: &str, min: Level) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write_expr(out, item, min);
    }
}

fn write_literal(out: &mut String, literal: &Literal, in_list: bool) {
    match literal {
        Literal::Text(text) if in_list && is_bare_word(text) => out.push_str(text),
        Literal::Text(text) => write_text(out, text),
        Literal::Number(n) => out.push_str(&format_decimal(*n)),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Date(d) => out.push_str(&d.format("%Y-%m-%d").to_string()),
        Literal::Duration(d) => {
            let unit = if d.amount == 1 {
                singular(d.unit)
            } else {
                d.unit.plural()
            };
            out.push_str(&format!("{} {}", d.amount, unit));
        }
        Literal::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(out, &item.node, true);
            }
            out.push(']');
        }
        Literal::Records(records) => {
            out.push('[');
            for (i, record) in records.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str("{ ");
                for (j, entry) in record.node.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    write_name(out, &entry.field.node);
                    out.push_str(": ");
                    write_literal(out, &entry.value.node, false);
                }
                out.push_str(" }");
            }
            out.push(']');
        }
    }
}

fn singular(unit: DurationUnit) -> &'static str {
    match unit {
        DurationUnit::Day => "day",
        DurationUnit::Week => "week",
        DurationUnit::Month => "month",
        DurationUnit::Year => "year",
    }
}

fn write_text(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_name(out: &mut String, name: &str) {
    if is_identifier(name) {
        out.push_str(name);
    } else {
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    starts && chars.all(|c| c.is_alphanumeric() || c == '_') && !crate::syntax::is_reserved(name)
}

/// A word that a list literal may hold without quotes (`case-study`, `U.S`).
fn is_bare_word(text: &str) -> bool {
    let starts = text
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    let parts_ok = text
        .split(['-', '.'])
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'));
    starts && parts_ok
}
