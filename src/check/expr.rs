//! Typing expressions: names, literals, logic and arithmetic.
//! Comparisons and word operators are in `operators`, calls in `calls`.

use super::error::{Hint, Layer, Order, Varies};
use super::fold;
use super::items::list_item_type;
use super::model::{Expr, ExprKind};
use super::suggest::closest;
use super::types::{Item, Type};
use super::{CheckError, Checker, Place, Symbol};
use crate::id::TierId;
use crate::span::Span;
use crate::syntax::ast::{self, ArithOp};
use crate::value::{Duration, Value};

/// A typed expression.
pub(super) fn typed(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

/// The stand-in for an expression that already has an error.
pub(super) fn poisoned(span: Span) -> Expr {
    typed(ExprKind::Const(Value::Bool(false)), Type::Error, span)
}

impl Checker<'_> {
    /// Type an expression standing at `place`.
    pub(super) fn expr(&mut self, e: &ast::Expr, place: Place) -> Expr {
        let span = e.span;
        match &e.node {
            ast::ExprKind::Literal(lit) => self.literal(lit, span),
            ast::ExprKind::Name(name) => self.name(name, span, place),
            ast::ExprKind::Score => {
                self.output(ExprKind::Score, Type::Number, "score", span, place)
            }
            ast::ExprKind::Stage => self.stage(span, place),
            ast::ExprKind::Today => self.today(span, place),
            ast::ExprKind::Invalid => poisoned(span),
            ast::ExprKind::Not(inner) => {
                let inner = self.expr(inner, place);
                let ok = self.expect_type(&inner, Type::Bool, "the operand of `not`");
                let ty = if ok { Type::Bool } else { Type::Error };
                typed(ExprKind::Not(Box::new(inner)), ty, span)
            }
            ast::ExprKind::And(items) => self.logic(items, place, span, ExprKind::And, "`and`"),
            ast::ExprKind::Or(items) => self.logic(items, place, span, ExprKind::Or, "`or`"),
            ast::ExprKind::Neg(inner) => {
                let inner = self.expr(inner, place);
                let ok = self.expect_type(&inner, Type::Number, "the operand of `-`");
                let ty = if ok { Type::Number } else { Type::Error };
                fold::fold(typed(ExprKind::Neg(Box::new(inner)), ty, span))
            }
            ast::ExprKind::Arith(first, rest) => self.arith(first, rest, span, place),
            ast::ExprKind::Call(name, args) => self.call(name, args, span, place),
            ast::ExprKind::Account(name) => self.account_ref(name, span, place),
            ast::ExprKind::Events(set) => {
                self.errors.push(CheckError::EventsAsValue {
                    name: set.source.node.clone(),
                    span: span.into(),
                });
                poisoned(span)
            }
            _ => self.operator(e, place),
        }
    }

    fn literal(&mut self, lit: &ast::Literal, span: Span) -> Expr {
        match lit {
            ast::Literal::Text(t) => {
                typed(ExprKind::Const(Value::Text(t.clone())), Type::Text, span)
            }
            ast::Literal::Number(n) => {
                typed(ExprKind::Const(Value::Number(*n)), Type::Number, span)
            }
            ast::Literal::Bool(b) => typed(ExprKind::Const(Value::Bool(*b)), Type::Bool, span),
            ast::Literal::Date(d) => typed(ExprKind::Const(Value::Date(*d)), Type::Date, span),
            ast::Literal::Duration(d) => {
                typed(ExprKind::Const(Value::Duration(*d)), Type::Duration, span)
            }
            // Only `given` holds records (the grammar allows them nowhere else).
            ast::Literal::Records(_) => poisoned(span),
            ast::Literal::List(items) => match list_item_type(items) {
                Ok(item) => {
                    let values = items
                        .iter()
                        .filter_map(|i| literal_value(&i.node))
                        .collect();
                    typed(
                        ExprKind::Const(Value::List(values)),
                        Type::Items(item),
                        span,
                    )
                }
                Err((first, other, at)) => {
                    self.errors.push(CheckError::MixedList {
                        first: Type::Items(first).to_string().replace("a list of ", ""),
                        other: Type::Items(other).to_string().replace("a list of ", ""),
                        span: at.into(),
                    });
                    poisoned(span)
                }
            },
        }
    }

    fn name(&mut self, name: &str, span: Span, place: Place) -> Expr {
        if let Some(field) = self.event_field(name, span) {
            return field;
        }
        let Some(&(symbol, defined)) = self.names.get(name) else {
            self.unknown_name(name, span);
            return poisoned(span);
        };
        match symbol {
            Symbol::Field(id) => {
                if let Place::Let(_) = place {
                    return self.not_constant(span, Varies::Field(name.to_string()));
                }
                let ty = self
                    .fields
                    .get(id)
                    .map_or(Type::Error, |f| Type::of_field(f.ty));
                typed(ExprKind::Field(id), ty, span)
            }
            Symbol::Let(id) => self.let_ref(name, id, defined, span, place),
            Symbol::Group(id) => self.output(ExprKind::Group(id), Type::Number, name, span, place),
            Symbol::Tier(id) => self.tier_ref(name, id, span, place),
            Symbol::Events if self.is_broken_source(name) => poisoned(span),
            Symbol::Events => {
                self.errors.push(CheckError::EventsAsValue {
                    name: name.to_string(),
                    span: span.into(),
                });
                poisoned(span)
            }
        }
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        if !self.has_fields {
            return; // the missing `fields` block is reported already
        }
        // Inside an event set the event's own fields are names too, and
        // the likelier meaning of a typo there (`knd` for `kind`).
        let scope = self.scope.and_then(|s| self.sources.get(s));
        let event_fields = scope
            .into_iter()
            .flat_map(|s| s.fields.iter().map(|f| f.name.as_str()));
        let candidate = closest(name, event_fields.chain(self.known_names())).map(str::to_string);
        self.errors.push(CheckError::UnknownName {
            name: name.to_string(),
            span: span.into(),
            candidate,
        });
    }

    fn let_ref(&mut self, name: &str, id: usize, defined: Span, span: Span, place: Place) -> Expr {
        if let Place::Let(current) = place {
            if id >= current {
                self.errors.push(CheckError::LetOrder {
                    name: name.to_string(),
                    span: span.into(),
                    defined: defined.into(),
                });
                return poisoned(span);
            }
        }
        match self.lets.get(id).cloned().flatten() {
            Some((value, ty)) => typed(ExprKind::Const(value), ty, span),
            None => poisoned(span),
        }
    }

    /// A group subtotal or the score: only ladders, tiers and tests see them.
    fn output(&mut self, kind: ExprKind, ty: Type, name: &str, span: Span, place: Place) -> Expr {
        if let Some(refused) = self.output_in_set(name, span) {
            return refused;
        }
        if place == Place::Account {
            if !matches!(kind, ExprKind::Score | ExprKind::Group(_)) {
                self.errors.push(CheckError::AccountLayer {
                    layer: Layer::Later {
                        name: name.to_string(),
                    },
                    span: span.into(),
                });
                return poisoned(span);
            }
            self.note_score_read(name);
            return typed(kind, ty, span);
        }
        match place {
            Place::Rule => {
                self.errors.push(CheckError::ScoreInRule {
                    name: name.to_string(),
                    span: span.into(),
                });
                poisoned(span)
            }
            Place::Let(_) => self.not_constant(span, Varies::Output(name.to_string())),
            _ => typed(kind, ty, span),
        }
    }

    fn stage(&mut self, span: Span, place: Place) -> Expr {
        if self.stage_labels.is_none() {
            self.errors
                .push(CheckError::NoStageLadder { span: span.into() });
            return poisoned(span);
        }
        if place == Place::Stage {
            return self.too_early("stage", span, Order::StageItself);
        }
        self.output(ExprKind::Stage, Type::Text, "stage", span, place)
    }

    fn tier_ref(&mut self, name: &str, id: TierId, span: Span, place: Place) -> Expr {
        match place {
            Place::Stage => self.too_early(name, span, Order::TierInStage),
            Place::Tier(current) if id >= current => {
                let order = if id == current {
                    Order::TierItself
                } else {
                    Order::TierBelow
                };
                self.too_early(name, span, order)
            }
            _ => self.output(ExprKind::Tier(id), Type::Text, name, span, place),
        }
    }

    fn too_early(&mut self, name: &str, span: Span, order: Order) -> Expr {
        self.errors.push(CheckError::LadderOrder {
            name: name.to_string(),
            span: span.into(),
            order,
        });
        poisoned(span)
    }

    fn today(&mut self, span: Span, place: Place) -> Expr {
        match place {
            Place::Let(_) => self.not_constant(span, Varies::Today),
            _ => typed(ExprKind::Today, Type::Date, span),
        }
    }

    /// Report a lead- or date-dependent value inside a `let`.
    pub(super) fn not_constant(&mut self, span: Span, why: Varies) -> Expr {
        self.errors.push(CheckError::NotConstant {
            span: span.into(),
            why,
        });
        poisoned(span)
    }

    fn logic(
        &mut self,
        items: &[ast::Expr],
        place: Place,
        span: Span,
        make: fn(Vec<Expr>) -> ExprKind,
        op: &str,
    ) -> Expr {
        let what = format!("each side of {op}");
        let mut ok = true;
        let items: Vec<Expr> = items
            .iter()
            .map(|item| {
                let item = self.expr(item, place);
                ok &= self.expect_type(&item, Type::Bool, &what);
                item
            })
            .collect();
        typed(make(items), if ok { Type::Bool } else { Type::Error }, span)
    }

    fn arith(
        &mut self,
        first: &ast::Expr,
        rest: &[(crate::span::Spanned<ArithOp>, ast::Expr)],
        span: Span,
        place: Place,
    ) -> Expr {
        let first = self.expr(first, place);
        match first.ty {
            Type::Date => return self.date_shift(first, rest, span, place),
            Type::Error | Type::Duration => {
                let operands: Vec<Expr> = rest.iter().map(|(_, e)| self.expr(e, place)).collect();
                if first.ty == Type::Duration && !operands.iter().any(|o| o.ty.is_error()) {
                    self.duration_first(&first, &operands);
                }
                return poisoned(span);
            }
            _ => {}
        }
        let first_op = rest.first().map_or("+", |(op, _)| op.node.symbol());
        let mut ok = self.expect_calculable(&first, first_op);
        let mut operands = Vec::with_capacity(rest.len());
        for (op, operand) in rest {
            let operand = self.expr(operand, place);
            ok &= self.expect_arith_operand(&operand, op.node);
            operands.push((op.node, operand));
        }
        let ty = if ok { Type::Number } else { Type::Error };
        fold::fold(typed(ExprKind::Arith(Box::new(first), operands), ty, span))
    }

    /// `30 days + today`: the date must come first.
    fn duration_first(&mut self, first: &Expr, operands: &[Expr]) {
        let date = operands.iter().find(|o| o.ty == Type::Date);
        let hint = match date {
            Some(d) => Hint::DateFirst {
                date: self.text(d.span),
                duration: self.text(first.span),
            },
            None => Hint::DurationMovesDate,
        };
        self.errors.push(CheckError::TypeMismatch {
            what: "the left side of `+` or `-`".into(),
            expected: "a number or a date".into(),
            text: self.text(first.span),
            found: "a duration".into(),
            span: first.span.into(),
            hint: Some(hint),
        });
    }

    fn expect_arith_operand(&mut self, operand: &Expr, op: ArithOp) -> bool {
        if operand.ty == Type::Duration && matches!(op, ArithOp::Add | ArithOp::Sub) {
            self.errors.push(CheckError::TypeMismatch {
                what: format!("`{}` with a duration", op.symbol()),
                expected: "a date on its left".into(),
                text: self.text(operand.span),
                found: "a duration".into(),
                span: operand.span.into(),
                hint: Some(Hint::TodayFirst),
            });
            return false;
        }
        self.expect_calculable(operand, op.symbol())
    }

    /// An operand of `+ - * /` must be a number.
    fn expect_calculable(&mut self, operand: &Expr, op: &str) -> bool {
        if operand.ty == Type::Number || operand.ty.is_error() {
            return operand.ty == Type::Number;
        }
        self.errors.push(CheckError::TypeMismatch {
            what: format!("each side of `{op}`"),
            expected: "a number".into(),
            text: self.text(operand.span),
            found: operand.ty.to_string(),
            span: operand.span.into(),
            hint: Some(Hint::OnlyNumbers),
        });
        false
    }

    /// `date ± duration ± …`.
    fn date_shift(
        &mut self,
        date: Expr,
        rest: &[(crate::span::Spanned<ArithOp>, ast::Expr)],
        span: Span,
        place: Place,
    ) -> Expr {
        let mut ok = true;
        let mut shifts = Vec::with_capacity(rest.len());
        for (op, operand) in rest {
            let operand = self.expr(operand, place);
            match (&operand.kind, op.node) {
                (ExprKind::Const(Value::Duration(d)), ArithOp::Add | ArithOp::Sub) => {
                    shifts.push((op.node, *d));
                }
                _ if operand.ty.is_error() => ok = false,
                _ => {
                    ok = false;
                    self.bad_date_operand(&operand, op.node);
                }
            }
        }
        let ty = if ok { Type::Date } else { Type::Error };
        fold::fold(typed(ExprKind::DateShift(Box::new(date), shifts), ty, span))
    }

    fn bad_date_operand(&mut self, operand: &Expr, op: ArithOp) {
        let text = self.text(operand.span);
        let hint = match (operand.ty, op) {
            (Type::Date, ArithOp::Sub) => Hint::DaysSince { text },
            (Type::Duration, _) => Hint::DurationWrittenOut,
            _ => Hint::MoveByDuration,
        };
        self.errors.push(CheckError::TypeMismatch {
            what: "what is added to or taken from a date".into(),
            expected: "a duration such as `30 days`".into(),
            text: self.text(operand.span),
            found: operand.ty.to_string(),
            span: operand.span.into(),
            hint: Some(hint),
        });
    }
}

/// A literal's value; list items are scalars.
pub(super) fn literal_value(lit: &ast::Literal) -> Option<Value> {
    Some(match lit {
        ast::Literal::Text(t) => Value::Text(t.clone()),
        ast::Literal::Number(n) => Value::Number(*n),
        ast::Literal::Bool(b) => Value::Bool(*b),
        ast::Literal::Date(d) => Value::Date(*d),
        ast::Literal::Duration(d) => Value::Duration(Duration { ..*d }),
        ast::Literal::Records(_) => return None,
        ast::Literal::List(items) => Value::List(
            items
                .iter()
                .filter_map(|i| literal_value(&i.node))
                .collect(),
        ),
    })
}

/// The constant items of a list expression, if it is a constant list.
pub(super) fn const_items(expr: &Expr) -> Option<(Item, &[Value])> {
    match (&expr.kind, expr.ty) {
        (ExprKind::Const(Value::List(items)), Type::Items(item)) => Some((item, items)),
        _ => None,
    }
}
