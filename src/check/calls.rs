//! Typing calls: the built-in functions and `fired("REASON")` in tests.

use super::error::{FunctionHint, Hint, Varies};
use super::expr::{poisoned, typed};
use super::fold;
use super::model::{Expr, ExprKind, Function};
use super::suggest::closest;
use super::types::Type;
use super::{CheckError, Checker, Place};
use crate::span::{Span, Spanned};
use crate::syntax::ast;
use crate::value::Value;

pub(super) const FUNCTIONS: &[&str] = &[
    "days_since",
    "months_since",
    "years_since",
    "count",
    "min",
    "max",
    "abs",
    "round",
];

/// Largest `places` of `round`: an exact decimal keeps at most 28.
const MAX_PLACES: u32 = 28;

impl Checker<'_> {
    pub(super) fn call(
        &mut self,
        name: &Spanned<String>,
        args: &[ast::Expr],
        span: Span,
        place: Place,
    ) -> Expr {
        if name.node == "fired" {
            return self.fired(args, span, place);
        }
        if self.is_aggregate_call(&name.node, args) {
            return self.aggregate(name, args, span, place);
        }
        let Some(function) = Function::from_name(&name.node) else {
            self.errors.push(CheckError::UnknownFunction {
                name: name.node.clone(),
                span: name.span.into(),
                hint: function_hint(&name.node),
            });
            return poisoned(span);
        };
        if !self.arity_ok(function, args.len(), span) {
            return poisoned(span);
        }
        let uses_today = matches!(
            function,
            Function::DaysSince | Function::MonthsSince | Function::YearsSince
        );
        if uses_today && matches!(place, Place::Let(_)) {
            return self.not_constant(span, Varies::OfToday(function.name().to_string()));
        }
        let args: Vec<Expr> = args.iter().map(|a| self.expr(a, place)).collect();
        let ok = self.argument_types(function, &args);
        let ty = if ok { Type::Number } else { Type::Error };
        fold::fold(typed(ExprKind::Call(function, args), ty, span))
    }

    fn arity_ok(&mut self, function: Function, found: usize, span: Span) -> bool {
        let (ok, expected, usage) = match function {
            Function::Min | Function::Max => (found >= 2, "two or more numbers", "max(a, b, …)"),
            Function::Round => (
                (1..=2).contains(&found),
                "a number and, optionally, a count of decimal places",
                "round(a, 2)",
            ),
            Function::Count => (found == 1, "one list", "count(pages)"),
            Function::Abs => (found == 1, "one number", "abs(a)"),
            _ => (found == 1, "one date", "days_since(last_activity)"),
        };
        if !ok {
            let usage = usage
                .replace("max", function.name())
                .replace("days_since", function.name());
            self.errors.push(CheckError::ArgumentCount {
                function: function.name().into(),
                expected: expected.into(),
                found,
                usage,
                span: span.into(),
            });
        }
        ok
    }

    fn argument_types(&mut self, function: Function, args: &[Expr]) -> bool {
        let what = format!("the argument of `{}`", function.name());
        match function {
            Function::DaysSince | Function::MonthsSince | Function::YearsSince => {
                args.iter().all(|a| self.expect_type(a, Type::Date, &what))
            }
            Function::Count => args.iter().all(|a| match a.ty {
                Type::List | Type::Items(_) | Type::Error => !a.ty.is_error(),
                _ => {
                    self.mismatch(&what, "a list field", a, None);
                    false
                }
            }),
            Function::Round => self.round_arguments(args, &what),
            Function::Min | Function::Max | Function::Abs => {
                let mut ok = true;
                for arg in args {
                    ok &= self.expect_type(arg, Type::Number, &what);
                }
                ok
            }
        }
    }

    fn round_arguments(&mut self, args: &[Expr], what: &str) -> bool {
        let mut ok = args
            .first()
            .is_some_and(|a| self.expect_type(a, Type::Number, what));
        if let Some(places) = args.get(1) {
            let whole = matches!(&places.kind,
                ExprKind::Const(Value::Number(n)) if n.fract().is_zero() && *n >= 0.into() && *n <= MAX_PLACES.into());
            if !whole && !places.ty.is_error() {
                self.errors.push(CheckError::TypeMismatch {
                    what: "the places of `round`".into(),
                    expected: "a whole number from 0 to 28".into(),
                    text: self.text(places.span),
                    found: "not".into(),
                    span: places.span.into(),
                    hint: Some(Hint::RoundPlaces),
                });
                ok = false;
            }
        }
        ok
    }

    fn fired(&mut self, args: &[ast::Expr], span: Span, place: Place) -> Expr {
        if place != Place::Test {
            self.errors
                .push(CheckError::FiredOutsideTest { span: span.into() });
            return poisoned(span);
        }
        let [arg] = args else {
            self.errors.push(CheckError::ArgumentCount {
                function: "fired".into(),
                expected: "one reason".into(),
                found: args.len(),
                usage: "fired(\"Decision maker\")".into(),
                span: span.into(),
            });
            return poisoned(span);
        };
        let ast::ExprKind::Literal(ast::Literal::Text(reason)) = &arg.node else {
            let found = self.expr(arg, place);
            self.mismatch(
                "the argument of `fired`",
                "a reason in quotes",
                &found,
                Some(Hint::FiredReason),
            );
            return poisoned(span);
        };
        match self.reasons.get(reason) {
            Some(&rule) => typed(ExprKind::Fired(rule), Type::Bool, span),
            None => {
                let candidate =
                    closest(reason, self.reasons.keys().map(String::as_str)).map(str::to_string);
                self.errors.push(CheckError::UnknownReason {
                    reason: reason.clone(),
                    span: arg.span.into(),
                    candidate,
                });
                poisoned(span)
            }
        }
    }
}

/// What an unknown function `name` was probably meant to be.
fn function_hint(name: &str) -> FunctionHint {
    match name.to_lowercase().as_str() {
        "lower" | "upper" | "lowercase" | "uppercase" | "trim" => FunctionHint::TextCase,
        "len" | "length" | "size" => FunctionHint::Mean("count".into()),
        _ => match closest(name, FUNCTIONS.iter().copied()) {
            Some(c) => FunctionHint::Mean(c.to_string()),
            None => FunctionHint::Nothing,
        },
    }
}
