//! Typing comparisons and word operators (`in`, `contains`, `matches`, …),
//! including ladder labels: in `grade == A`, `A` is a label of `grade`.

use super::error::{CompareHint, Hint, ListHint};
use super::expr::{const_items, poisoned, typed};
use super::model::{Expr, ExprKind};
use super::pattern;
use super::suggest::closest;
use super::types::{Item, Type};
use super::{CheckError, Checker, LadderLabels, Place, Symbol};
use crate::span::Span;
use crate::syntax::ast::{self, CompareOp};
use crate::value::{fold_text, Value};

impl Checker<'_> {
    /// Type a comparison or word-operator expression.
    pub(super) fn operator(&mut self, e: &ast::Expr, place: Place) -> Expr {
        use ast::ExprKind as K;
        let span = e.span;
        match &e.node {
            K::Compare(a, op, b) => self.compare(a, op.node, b, span, place),
            K::Between(a, low, high) => self.between(a, low, high, span, place),
            K::In {
                needle,
                list,
                negated,
            } => self.in_list(needle, list, *negated, span, place),
            K::Contains(a, b) => self.contains(a, b, span, place),
            K::ContainsAny(a, b) => {
                self.contains_set(a, b, span, place, ExprKind::ContainsAny, "contains any")
            }
            K::ContainsAll(a, b) => {
                self.contains_set(a, b, span, place, ExprKind::ContainsAll, "contains all")
            }
            K::StartsWith(a, b) => {
                self.text_pair(a, b, span, place, ExprKind::StartsWith, "starts with")
            }
            K::EndsWith(a, b) => self.text_pair(a, b, span, place, ExprKind::EndsWith, "ends with"),
            K::Matches(a, b) => self.matches(a, b, span, place),
            K::IsMissing(a) => self.presence(a, span, place, ExprKind::IsMissing),
            K::IsPresent(a) => self.presence(a, span, place, ExprKind::IsPresent),
            K::Within(a, b) => self.within(a, b, span, place),
            _ => poisoned(span),
        }
    }

    fn compare(
        &mut self,
        a: &ast::Expr,
        op: CompareOp,
        b: &ast::Expr,
        span: Span,
        place: Place,
    ) -> Expr {
        let (a, b) = if op.is_ordering() {
            (self.expr(a, place), self.expr(b, place))
        } else {
            self.sides_with_labels(a, b, place)
        };
        let ty = if a.ty.is_error() || b.ty.is_error() {
            Type::Error
        } else if comparable(op, a.ty, b.ty) {
            Type::Bool
        } else if op.is_ordering() && a.ty == b.ty {
            self.cannot_order(op.symbol(), &a, span);
            Type::Error
        } else {
            self.incomparable(&a, &b, op);
            Type::Error
        };
        typed(ExprKind::Compare(op, Box::new(a), Box::new(b)), ty, span)
    }

    /// `job_title > "M"`: both sides agree, but cannot be ordered.
    fn cannot_order(&mut self, op: &str, operand: &Expr, span: Span) {
        self.errors.push(CheckError::CannotOrder {
            op: op.to_string(),
            ty: operand.ty.to_string(),
            span: span.into(),
        });
    }

    fn incomparable(&mut self, a: &Expr, b: &Expr, op: CompareOp) {
        let (left, right) = (self.text(a.span), self.text(b.span));
        let hint = match (a.ty, b.ty) {
            (Type::Number, Type::Text) | (Type::Text, Type::Number) => {
                Some(CompareHint::QuotedNumber)
            }
            (Type::Date, Type::Text) | (Type::Text, Type::Date) => Some(CompareHint::QuotedDate),
            // `d > 10/23/2026`: a date written the local way, read as a division.
            (Type::Date, Type::Number) | (Type::Number, Type::Date) => [&left, &right]
                .into_iter()
                .find(|t| looks_like_local_date(t))
                .map(|text| CompareHint::LocalDate { text: text.clone() }),
            (Type::Text, Type::Items(_)) => Some(CompareHint::In { left, right }),
            (Type::List, Type::Items(_)) => Some(CompareHint::ContainsAny { left, right }),
            (Type::List, _) | (_, Type::List) => Some(CompareHint::Contains { left }),
            (Type::Number, Type::Items(_)) => Some(CompareHint::NumberIn { left }),
            (Type::Number, Type::Duration) | (Type::Duration, Type::Number) => {
                Some(CompareHint::DaysAlready)
            }
            (Type::Date, Type::Duration) | (Type::Duration, Type::Date) => {
                Some(CompareHint::Within { left })
            }
            _ if op.is_ordering() => Some(CompareHint::Ordering {
                symbol: op.symbol().to_string(),
            }),
            _ => None,
        };
        self.errors.push(CheckError::Incomparable {
            left: self.text(a.span),
            left_type: a.ty.to_string(),
            right: self.text(b.span),
            right_type: b.ty.to_string(),
            left_span: a.span.into(),
            right_span: b.span.into(),
            hint,
        });
    }

    /// Type both sides of `==`/`!=`; a bare word facing a ladder is a label.
    fn sides_with_labels(&mut self, a: &ast::Expr, b: &ast::Expr, place: Place) -> (Expr, Expr) {
        let stage_without_ladder =
            |e: &ast::Expr| matches!(e.node, ast::ExprKind::Stage) && self.stage_labels.is_none();
        if stage_without_ladder(a) || stage_without_ladder(b) {
            // `stage == SQL` without a ladder: one error, not one per side.
            let a = self.expr_or_label(a, place);
            let b = self.expr_or_label(b, place);
            return (a, b);
        }
        if let Some(ladder) = self.ladder_named(a) {
            let a = self.expr(a, place);
            let b = self.label_operand(b, &ladder, place);
            return (a, b);
        }
        if let Some(ladder) = self.ladder_named(b) {
            let a = self.label_operand(a, &ladder, place);
            let b = self.expr(b, place);
            return (a, b);
        }
        (self.expr(a, place), self.expr(b, place))
    }

    /// An expression, or silence for a bare word that can only be a label.
    fn expr_or_label(&mut self, e: &ast::Expr, place: Place) -> Expr {
        match &e.node {
            ast::ExprKind::Name(name) if !self.names.contains_key(name) => poisoned(e.span),
            _ => self.expr(e, place),
        }
    }

    /// The labels of the ladder an expression names: `stage` or a tier.
    fn ladder_named(&self, e: &ast::Expr) -> Option<LadderLabels> {
        match &e.node {
            ast::ExprKind::Stage => self.stage_labels.clone(),
            ast::ExprKind::Name(name) => match self.names.get(name) {
                Some((Symbol::Tier(id), _)) => self.tier_labels.get(*id).cloned(),
                _ => None,
            },
            _ => None,
        }
    }

    fn label_operand(&mut self, e: &ast::Expr, ladder: &LadderLabels, place: Place) -> Expr {
        match &e.node {
            ast::ExprKind::Name(name)
                if !self.names.contains_key(name) || has_label(ladder, name) =>
            {
                self.check_label(name, e.span, ladder);
                typed(
                    ExprKind::Const(Value::Text(name.clone())),
                    Type::Text,
                    e.span,
                )
            }
            ast::ExprKind::Literal(ast::Literal::Text(text)) => {
                self.check_label(text, e.span, ladder);
                self.expr(e, place)
            }
            _ => self.expr(e, place),
        }
    }

    fn check_label(&mut self, label: &str, span: Span, ladder: &LadderLabels) {
        if has_label(ladder, label) {
            return;
        }
        // Short labels (SQL, MQL, A, B) are one letter apart by design:
        // suggesting another one would point at a different stage.
        let candidates = ladder
            .labels
            .iter()
            .map(String::as_str)
            .filter(|l| l.chars().count() > 3);
        let candidate = closest(label, candidates).map(str::to_string);
        self.errors.push(CheckError::UnknownLabel {
            label: label.to_string(),
            ladder: ladder.name.clone(),
            span: span.into(),
            known: ladder.labels.clone(),
            candidate,
        });
    }

    fn between(
        &mut self,
        a: &ast::Expr,
        low: &ast::Expr,
        high: &ast::Expr,
        span: Span,
        place: Place,
    ) -> Expr {
        let (a, low, high) = (
            self.expr(a, place),
            self.expr(low, place),
            self.expr(high, place),
        );
        let mut ty = Type::Bool;
        for bound in [&low, &high] {
            if a.ty.is_error() || bound.ty.is_error() {
                ty = Type::Error;
            } else if !comparable(CompareOp::Le, a.ty, bound.ty) {
                if a.ty == bound.ty {
                    self.cannot_order("between", &a, span);
                } else {
                    self.incomparable(&a, bound, CompareOp::Le);
                }
                ty = Type::Error;
                break; // one message for `x between a and b`, not one per bound
            }
        }
        typed(
            ExprKind::Between(Box::new(a), Box::new(low), Box::new(high)),
            ty,
            span,
        )
    }

    fn in_list(
        &mut self,
        needle: &ast::Expr,
        list: &ast::Expr,
        negated: bool,
        span: Span,
        place: Place,
    ) -> Expr {
        if let (Some(ladder), ast::ExprKind::Literal(ast::Literal::List(items))) =
            (self.ladder_named(needle), &list.node)
        {
            for item in items {
                if let ast::Literal::Text(label) = &item.node {
                    self.check_label(label, item.span, &ladder);
                }
            }
        }
        let (needle, list) = (self.expr(needle, place), self.expr(list, place));
        if needle.ty.is_error() || list.ty.is_error() {
            return poisoned(span);
        }
        if list.ty == Type::List {
            if !self.expect_type(&needle, Type::Text, "the left side of `in` a list field") {
                return poisoned(span);
            }
            let kind = ExprKind::ListHas {
                list: Box::new(list),
                item: Box::new(needle),
                negated,
            };
            return typed(kind, Type::Bool, span);
        }
        let Some((item, values)) = const_items(&list) else {
            let hint = ListHint::OneValue {
                needle: self.text(needle.span),
                value: self.text(list.span),
            };
            self.expected_list("`in`", "a list", &list, hint);
            return poisoned(span);
        };
        if !item.admits(needle.ty) {
            self.incomparable(&needle, &list, CompareOp::Eq);
            return poisoned(span);
        }
        let items = values.to_vec();
        typed(
            ExprKind::InList {
                needle: Box::new(needle),
                items,
                negated,
            },
            Type::Bool,
            span,
        )
    }

    fn expected_list(&mut self, what: &str, list: &str, found: &Expr, hint: ListHint) {
        self.errors.push(CheckError::ExpectedList {
            what: what.to_string(),
            list: list.to_string(),
            span: found.span.into(),
            found: found.ty.to_string(),
            hint,
        });
    }

    fn contains(&mut self, a: &ast::Expr, b: &ast::Expr, span: Span, place: Place) -> Expr {
        let (a, b) = (self.expr(a, place), self.expr(b, place));
        if a.ty.is_error() || b.ty.is_error() {
            return poisoned(span);
        }
        let kind = match a.ty {
            Type::List => ExprKind::ListHas {
                list: Box::new(a),
                item: Box::new(b.clone()),
                negated: false,
            },
            Type::Text => ExprKind::TextContains(Box::new(a), Box::new(b.clone())),
            _ => {
                self.mismatch(
                    "the left side of `contains`",
                    "a list field or text",
                    &a,
                    None,
                );
                return poisoned(span);
            }
        };
        if !self.expect_type(&b, Type::Text, "the right side of `contains`") {
            return poisoned(span);
        }
        typed(kind, Type::Bool, span)
    }

    fn contains_set(
        &mut self,
        a: &ast::Expr,
        b: &ast::Expr,
        span: Span,
        place: Place,
        make: fn(Box<Expr>, Vec<Value>) -> ExprKind,
        op: &str,
    ) -> Expr {
        let (a, b) = (self.expr(a, place), self.expr(b, place));
        if a.ty.is_error() || b.ty.is_error() {
            return poisoned(span);
        }
        if a.ty != Type::List {
            let hint = Hint::ListOperator { op: op.to_string() };
            self.mismatch(
                &format!("the left side of `{op}`"),
                "a list field",
                &a,
                Some(hint),
            );
            return poisoned(span);
        }
        match const_items(&b) {
            Some((Item::Text | Item::Empty, values)) => {
                let values = values.to_vec();
                typed(make(Box::new(a), values), Type::Bool, span)
            }
            _ => {
                let hint = ListHint::Brackets {
                    left: self.text(a.span),
                    op: op.to_string(),
                };
                self.expected_list(&format!("`{op}`"), "a list of text", &b, hint);
                poisoned(span)
            }
        }
    }

    fn text_pair(
        &mut self,
        a: &ast::Expr,
        b: &ast::Expr,
        span: Span,
        place: Place,
        make: fn(Box<Expr>, Box<Expr>) -> ExprKind,
        op: &str,
    ) -> Expr {
        let (a, b) = (self.expr(a, place), self.expr(b, place));
        let left = self.expect_type(&a, Type::Text, &format!("the left side of `{op}`"));
        let right = self.expect_type(&b, Type::Text, &format!("the right side of `{op}`"));
        let ty = if left && right {
            Type::Bool
        } else {
            Type::Error
        };
        typed(make(Box::new(a), Box::new(b)), ty, span)
    }

    fn matches(&mut self, a: &ast::Expr, b: &ast::Expr, span: Span, place: Place) -> Expr {
        let (a, b) = (self.expr(a, place), self.expr(b, place));
        let left = self.expect_type(&a, Type::Text, "the left side of `matches`");
        let pattern = match &b.kind {
            ExprKind::Const(Value::Text(p)) => p.clone(),
            _ if b.ty.is_error() => return poisoned(span),
            _ => {
                let found = match (&b.kind, b.ty) {
                    (ExprKind::Field(_), _) => "a field".to_string(),
                    (_, Type::Text) => "computed for each lead".to_string(),
                    (_, ty) => ty.to_string(),
                };
                self.errors.push(CheckError::TypeMismatch {
                    what: "the pattern of `matches`".into(),
                    expected: "text in quotes".into(),
                    text: self.text(b.span),
                    found,
                    span: b.span.into(),
                    hint: Some(Hint::PatternQuotes),
                });
                return poisoned(span);
            }
        };
        if let Err(message) = pattern::validate(&pattern) {
            self.errors.push(CheckError::InvalidRegex {
                message,
                span: b.span.into(),
            });
            return poisoned(span);
        }
        let ty = if left { Type::Bool } else { Type::Error };
        typed(ExprKind::Matches(Box::new(a), pattern), ty, span)
    }

    fn presence(
        &mut self,
        a: &ast::Expr,
        span: Span,
        place: Place,
        make: fn(Box<Expr>) -> ExprKind,
    ) -> Expr {
        let a = self.expr(a, place);
        let ty = if a.ty.is_error() {
            Type::Error
        } else {
            Type::Bool
        };
        typed(make(Box::new(a)), ty, span)
    }

    fn within(&mut self, a: &ast::Expr, b: &ast::Expr, span: Span, place: Place) -> Expr {
        let (a, b) = (self.expr(a, place), self.expr(b, place));
        let left = self.expect_type(&a, Type::Date, "the left side of `within`");
        match &b.kind {
            ExprKind::Const(Value::Duration(d)) if left => {
                typed(ExprKind::Within(Box::new(a), *d), Type::Bool, span)
            }
            _ if b.ty.is_error() || !left => poisoned(span),
            _ => {
                // The user's own number, when it is one: `within 30`
                // should become `within 30 days`, not an example's 90.
                let amount = match &b.kind {
                    ExprKind::Const(Value::Number(n)) if n.fract().is_zero() && *n > 0.into() => {
                        self.text(b.span)
                    }
                    _ => "90".to_string(),
                };
                let hint = Hint::WithinDays {
                    date: self.text(a.span),
                    amount,
                };
                self.mismatch(
                    "the right side of `within`",
                    "a duration such as `90 days`",
                    &b,
                    Some(hint),
                );
                poisoned(span)
            }
        }
    }

    /// Report an operand of the wrong type for an operator.
    pub(super) fn mismatch(
        &mut self,
        what: &str,
        expected: &str,
        found: &Expr,
        hint: Option<Hint>,
    ) {
        self.errors.push(CheckError::TypeMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            text: self.text(found.span),
            found: found.ty.to_string(),
            span: found.span.into(),
            hint,
        });
    }
}

/// True when `op` may compare values of these types.
fn comparable(op: CompareOp, a: Type, b: Type) -> bool {
    if a != b {
        return false;
    }
    if op.is_ordering() {
        matches!(a, Type::Number | Type::Date)
    } else {
        matches!(a, Type::Number | Type::Date | Type::Text | Type::Bool)
    }
}

fn has_label(ladder: &LadderLabels, label: &str) -> bool {
    let wanted = fold_text(label);
    ladder.labels.iter().any(|l| fold_text(l) == wanted)
}

/// `10/23/2026`, `22.11.2026`, `2026/11/22`: three groups of digits
/// separated by `/` or `.`, as dates are written in many countries.
fn looks_like_local_date(text: &str) -> bool {
    let groups: Vec<&str> = text.split(['/', '.']).map(str::trim).collect();
    groups.len() == 3
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.len() <= 4 && g.chars().all(|c| c.is_ascii_digit()))
}
