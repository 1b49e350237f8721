//! Constant folding: an operation whose operands are all constants is
//! replaced by its value, so `let`s are values and plans skip the work.

use super::model::{Expr, ExprKind, Function};
use crate::syntax::ast::ArithOp;
use crate::value::{ops, Decimal, Value};

/// Fold `expr` if all its operands are constants and the result exists;
/// otherwise return it unchanged (a division by zero stays, to give
/// missing at run time like any other).
pub(super) fn fold(expr: Expr) -> Expr {
    if expr.ty.is_error() {
        return expr;
    }
    match value_of(&expr.kind) {
        Some(value) => Expr {
            kind: ExprKind::Const(value),
            ..expr
        },
        None => expr,
    }
}

fn value_of(kind: &ExprKind) -> Option<Value> {
    match kind {
        ExprKind::Neg(inner) => Some(Value::Number(-number(inner)?)),
        ExprKind::Arith(first, rest) => {
            let mut acc = number(first)?;
            for (op, operand) in rest {
                acc = arith(*op, acc, number(operand)?)?;
            }
            Some(Value::Number(acc))
        }
        ExprKind::DateShift(date, shifts) => {
            let Value::Date(mut acc) = constant(date)? else {
                return None;
            };
            for (op, duration) in shifts {
                acc = match op {
                    ArithOp::Sub => ops::date_sub(acc, *duration)?,
                    _ => ops::date_add(acc, *duration)?,
                };
            }
            Some(Value::Date(acc))
        }
        ExprKind::Call(function, args) => call(*function, args),
        _ => None,
    }
}

/// One arithmetic step, shared with nothing else on purpose: the
/// interpreter has its own copy over lead values.
pub fn arith(op: ArithOp, a: Decimal, b: Decimal) -> Option<Decimal> {
    match op {
        ArithOp::Add => ops::add(a, b),
        ArithOp::Sub => ops::sub(a, b),
        ArithOp::Mul => ops::mul(a, b),
        ArithOp::Div => ops::div(a, b),
    }
}

fn call(function: Function, args: &[Expr]) -> Option<Value> {
    let numbers = || args.iter().map(number).collect::<Option<Vec<_>>>();
    let result = match function {
        Function::Min => numbers()?.into_iter().min()?,
        Function::Max => numbers()?.into_iter().max()?,
        Function::Abs => number(args.first()?)?.abs(),
        Function::Round => {
            let places = match args.get(1) {
                Some(p) => u32::try_from(number(p)?.trunc()).ok()?,
                None => 0,
            };
            ops::round(number(args.first()?)?, places)
        }
        Function::Count => match constant(args.first()?)? {
            Value::List(items) => Decimal::from(items.len()),
            _ => return None,
        },
        Function::DaysSince | Function::MonthsSince | Function::YearsSince => return None,
    };
    Some(Value::Number(result))
}

fn constant(expr: &Expr) -> Option<&Value> {
    match &expr.kind {
        ExprKind::Const(value) => Some(value),
        _ => None,
    }
}

fn number(expr: &Expr) -> Option<Decimal> {
    match constant(expr)? {
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

/// Why a constant expression could not be folded, for the message.
pub(super) fn why_no_value(expr: &Expr) -> &'static str {
    let divides_by_zero = match &expr.kind {
        ExprKind::Arith(_, rest) => rest
            .iter()
            .any(|(op, e)| *op == ArithOp::Div && number(e).is_some_and(|n| n.is_zero())),
        _ => false,
    };
    if divides_by_zero {
        "it divides by zero, which has no value; a `let` must have one"
    } else if matches!(expr.kind, ExprKind::DateShift(..)) {
        "the date falls outside the years 1 to 9999"
    } else {
        "the result is too large to keep exactly (Tally's numbers stay below 79228162514264337593543950336)"
    }
}
