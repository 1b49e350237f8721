//! `*` and `/` with the interpreter's results where the engines' own
//! operators fall short (`value::ops`: exact decimals up to
//! `Decimal::MAX`, about 7.9·10^28, missing past it).
//!
//! - DuckDB and Spark multiply `DECIMAL(38, 10)`s into `DECIMAL(38, 20)`,
//!   which fails the whole query from 10^18 on. The product is written
//!   as `trunc(a) * b + frac(a) * trunc(b) + frac(a) * frac(b)`, whose
//!   terms keep 10 places (the last rounded, as the cast did), so it is
//!   exact up to 10^28.
//! - DuckDB divided `a * 10^15` as a `HUGEINT` (failing past about
//!   10^23) and Spark as a `BIGINT` through `div`, which wraps silently
//!   (`10^16 / 100` gave `-84467440737095.5162`). Both now divide the
//!   operands scaled to integers (`a * 10^10`, exact up to 10^28) in two
//!   steps: the whole quotient, then 5 places from the remainder.
//!
//! A product or quotient past what that holds is checked first with a
//! `DOUBLE` estimate: past 7.93·10^28 it is missing, as in Tally; between
//! that and what SQL holds it is a *fault*, a condition the query turns
//! into the row's `tally_error`, so no row gets a made-up number and the
//! query goes on. A fault is written out with the operands' text, so
//! when the operands are long (deep chains) the step fails loudly
//! instead (`error`, `raise_error`), keeping the query's size linear.
//!
//! PostgreSQL's `NUMERIC` holds any product: past `Decimal::MAX` it is
//! missing, as in Tally. Snowflake and BigQuery keep their forms.

use super::expr;
use super::Dialect;
use crate::check::model::{Expr, ExprKind};
use crate::syntax::ast::ArithOp;
use crate::value::{Decimal, Value};

/// A condition under which a row's result is not what Tally computes,
/// and what `tally_error` then says.
#[derive(Debug, Clone)]
pub(super) struct Fault {
    pub condition: String,
    pub message: String,
}

/// Longest operand text (both together) a fault is written with: a
/// chain of a few products. Each fault is as long as the chain so far,
/// so a higher bound makes long chains quadratic: at 16 KB a chain of 18
/// products was 154 KB of SQL (43 s to plan in Spark), and Spark failed
/// on one of 30 after minutes; at 4 KB the 30 are 53 KB, run in 10 s.
pub(super) const FAULT_INLINE: usize = 4_000;

/// Largest magnitude SQL holds exactly (`DECIMAL(38, 10)`), with room for
/// the `DOUBLE` estimate's error.
const HELD: &str = "9.99e27";

/// A magnitude surely past `Decimal::MAX` (7.9228…·10^28): missing.
const PAST_MAX: &str = "7.93e28";

/// Divisors from here on leave a remainder too long to scale by 10^5.
const DIVISOR: &str = "1e23";

/// Spark's `div` gives a `BIGINT`: whole quotients below this.
const SPARK_QUOTIENT: &str = "9e18";

/// A constant of at most 10 significant digits, and its SQL literal of
/// the narrowest decimal type that holds it.
fn short_constant(e: &Expr) -> Option<(Decimal, String)> {
    let ExprKind::Const(Value::Number(n)) = &e.kind else {
        return None;
    };
    let n = n.normalize();
    let scale = n.scale();
    let digits = n.abs().trunc().to_string().trim_start_matches('0').len() as u32;
    let precision = (digits + scale).max(1);
    (precision <= 10 && scale <= 10)
        .then(|| (n, format!("CAST({n} AS DECIMAL({precision}, {scale}))")))
}

/// Whether `e` is a number field (a cell: outside PostgreSQL, one of
/// 10^18 or more is rejected, `read.rs`), or its negation.
fn is_cell(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Field(_))
        || matches!(&e.kind, ExprKind::Neg(inner) if is_cell(inner))
}

/// `a op b` with the engine's own operator, when that is exact and
/// cannot overflow: a cell (below 10^18) times a constant of at most 10
/// significant digits (`DECIMAL(38, 10) × DECIMAL(p, s)` holds 28 − s
/// digits before the point, the product at most 18 + p − s), and in
/// DuckDB a cell by such a constant of at least 10^-9 (the old `HUGEINT`
/// division: `a · 10^15` below 10^33). Nothing to fault, nothing to bind: `revenue *
/// 0.5` stays as short as it was.
pub(super) fn simple(
    d: Dialect,
    op: ArithOp,
    (a, a_sql): (&Expr, &str),
    (b, b_sql): (&Expr, &str),
) -> Option<String> {
    // PostgreSQL reads cells of any size: its products keep their check.
    if !matches!(d, Dialect::DuckDb | Dialect::Spark) {
        return None;
    }
    let ty = d.number_type();
    match op {
        ArithOp::Mul => {
            let (cell, constant) = if is_cell(a) {
                (a_sql, short_constant(b)?)
            } else if is_cell(b) {
                (b_sql, short_constant(a)?)
            } else {
                return None;
            };
            Some(format!("CAST({cell} * {} AS {ty})", constant.1))
        }
        ArithOp::Div if d == Dialect::DuckDb && is_cell(a) => {
            // At least 10^-9: the quotient stays below 10^27, so its
            // rounding to 4 places cannot reach 10^28.
            let (n, _) = short_constant(b)?;
            if n.abs() < Decimal::new(1, 9) {
                return None;
            }
            let scaled = |x: &str| format!("CAST(({x}) * 10000000000 AS HUGEINT)");
            Some(format!(
                "CAST(CAST(CAST(({} * 100000) // {} AS DECIMAL(38, 0)) * 0.00001 AS DECIMAL(38, 4)) AS {ty})",
                scaled(a_sql),
                scaled(b_sql)
            ))
        }
        _ => None,
    }
}

/// Whether the dialect's `*` and `/` can fault.
pub(super) fn has_faults(d: Dialect) -> bool {
    matches!(d, Dialect::DuckDb | Dialect::Spark)
}

fn double(x: &str) -> String {
    format!("abs(CAST({x} AS DOUBLE))")
}

/// What the dialect calls to fail the query with a message.
fn fail(d: Dialect, message: &str) -> String {
    let text = d.text(message);
    match d {
        Dialect::Spark => format!("raise_error({text})"),
        _ => format!("error({text})"),
    }
}

fn product_message() -> String {
    "a product past 10^28, which SQL does not hold exactly".to_string()
}

fn quotient_message(d: Dialect) -> String {
    match d {
        Dialect::Spark => "a quotient of 9·10^18 or more, or a divisor of 10^23 or more, which Spark does not divide exactly".to_string(),
        _ => "a quotient past 10^28, or a divisor of 10^23 or more, which SQL does not divide exactly".to_string(),
    }
}

/// Whether `x * y` (names) is exactly computable in the dialect.
fn product_held(x: &str, y: &str) -> String {
    format!("{} * {} < {HELD}", double(x), double(y))
}

/// Whether `x / y` (names, `y` not zero) is exactly computable.
fn quotient_held(d: Dialect, x: &str, y: &str) -> String {
    let most = if d == Dialect::Spark {
        SPARK_QUOTIENT
    } else {
        HELD
    };
    format!(
        "{} < {most} * {} AND {} < {DIVISOR}",
        double(x),
        double(y),
        double(y)
    )
}

/// `a op b`'s fault, if the dialect has them: the result is not held
/// and not past `Decimal::MAX` either (where it is missing).
pub(super) fn fault(d: Dialect, op: ArithOp, a: &str, b: &str) -> Option<Fault> {
    if !has_faults(d) {
        return None;
    }
    let (x, y) = (format!("({a})"), format!("({b})"));
    match op {
        ArithOp::Mul => Some(Fault {
            condition: format!(
                "(NOT ({}) AND {} * {} <= {PAST_MAX})",
                product_held(&x, &y),
                double(&x),
                double(&y)
            ),
            message: product_message(),
        }),
        ArithOp::Div => Some(Fault {
            condition: format!(
                "({y} <> 0 AND NOT ({}) AND {} <= {PAST_MAX} * {})",
                quotient_held(d, &x, &y),
                double(&x),
                double(&y)
            ),
            message: quotient_message(d),
        }),
        ArithOp::Add | ArithOp::Sub => None,
    }
}

/// `a * b`. `loud`: no fault is written for this step (its operands are
/// long), so a product SQL does not hold fails the query.
pub(super) fn multiply(d: Dialect, a: &str, b: &str, loud: bool) -> String {
    let ty = d.number_type();
    match d {
        Dialect::DuckDb | Dialect::Spark => {
            expr::bind(d, [a.to_string(), b.to_string()], |[x, y]| {
                let whole = |v: &str| match d {
                    Dialect::Spark => format!("CAST({v} - {v} % 1 AS DECIMAL(38, 0))"),
                    _ => format!("trunc({v})"),
                };
                let part = |v: &str| format!("CAST({v} % 1 AS DECIMAL(11, 10))");
                let exact = format!(
                    "CAST({} * {y} + {} * {} + CAST({} * {} AS {ty}) AS {ty})",
                    whole(x),
                    part(x),
                    whole(y),
                    part(x),
                    part(y)
                );
                let held = product_held(x, y);
                let loud = if loud {
                    format!(
                        " WHEN {} * {} <= {PAST_MAX} THEN {}",
                        double(x),
                        double(y),
                        fail(d, &product_message())
                    )
                } else {
                    String::new()
                };
                format!("CASE WHEN {held} THEN {exact}{loud} END")
            })
        }
        Dialect::Postgres => expr::bind(d, [format!("({a} * {b})")], |[p]| past_max(p)),
        _ => d.multiply(a, b),
    }
}

/// `p` unless its magnitude is past `Decimal::MAX` (PostgreSQL).
fn past_max(p: &str) -> String {
    format!(
        "CASE WHEN abs({p}) <= {} THEN {p} END",
        rust_decimal::Decimal::MAX
    )
}

/// `a / b` rounded half away from zero to 4 places; missing when `b` is
/// zero. `loud` as for [`multiply`].
pub(super) fn divide(d: Dialect, a: &str, b: &str, loud: bool) -> String {
    let ty = d.number_type();
    match d {
        Dialect::DuckDb | Dialect::Spark => {
            expr::bind(d, [a.to_string(), b.to_string()], |[x, y]| {
                // The operand scaled to an integer: `a * 10^10`, exact.
                let scaled = |v: &str| {
                    match d {
                Dialect::Spark => format!(
                    "(CAST({v} - {v} % 1 AS DECIMAL(38, 0)) * 10000000000 + CAST(({v} % 1) * 10000000000 AS DECIMAL(38, 0)))"
                ),
                _ => format!(
                    "(CAST(trunc({v}) AS HUGEINT) * 10000000000 + CAST(({v} % 1) * 10000000000 AS HUGEINT))"
                ),
            }
                };
                let (div, whole) = match d {
                    Dialect::Spark => ("div", "DECIMAL(38, 0)"),
                    _ => ("//", "HUGEINT"),
                };
                // The whole quotient `q`, then the first 5 places of the
                // remainder's: both truncate toward zero, so their sum is
                // the quotient truncated to 5 places.
                let exact = expr::bind(d, [scaled(x), scaled(y)], |[n, m]| {
                    let q = format!("CAST({n} {div} {m} AS {whole})");
                    format!(
                    "CAST(CAST(CAST({q} * 100000 + (({n} - {q} * {m}) * 100000) {div} {m} AS DECIMAL(38, 0)) * 0.00001 AS DECIMAL(38, 4)) AS {ty})"
                )
                });
                let held = quotient_held(d, x, y);
                let loud = if loud {
                    format!(
                        " WHEN {} <= {PAST_MAX} * {} THEN {}",
                        double(x),
                        double(y),
                        fail(d, &quotient_message(d))
                    )
                } else {
                    String::new()
                };
                format!("CASE WHEN {y} = 0 THEN NULL WHEN {held} THEN {exact}{loud} END")
            })
        }
        Dialect::Postgres => expr::bind(d, [d.divide(a, b)], |[q]| past_max(q)),
        _ => d.divide(a, b),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::check::Type;
    use std::str::FromStr;

    fn number(text: &str) -> Expr {
        Expr {
            kind: ExprKind::Const(Value::Number(Decimal::from_str(text).unwrap())),
            ty: Type::Number,
            span: Default::default(),
        }
    }

    #[test]
    fn short_constants_get_their_narrowest_type() {
        let literal = |t: &str| short_constant(&number(t)).map(|(_, sql)| sql);
        assert_eq!(
            literal("0.5").as_deref(),
            Some("CAST(0.5 AS DECIMAL(1, 1))")
        );
        assert_eq!(literal("5.00").as_deref(), Some("CAST(5 AS DECIMAL(1, 0))"));
        assert_eq!(
            literal("-1234567.891").as_deref(),
            Some("CAST(-1234567.891 AS DECIMAL(10, 3))")
        );
        assert_eq!(literal("12345678901"), None);
        assert_eq!(literal("1.0000000001"), None);
    }
}
