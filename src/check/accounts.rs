//! Checking accounts (language 1.1): `account by FIELD { let NAME = AGG }`
//! and `account.NAME`.
//!
//! An account value is an aggregate over the account's leads; reading a
//! group or `score` makes it a score-level value, which only the ladder,
//! the tiers and tests may use (the rules make the score, so a rule
//! reading one would go round in a circle). The order is: input-level
//! values, rules, groups, score, score-level values, ladder, tiers.

use super::error::{AccountProblem, Expected, Layer, Shape, Varies};
use super::expr::{poisoned, typed};
use super::model::{Account, AccountValue, AggregateKind, Expr, ExprKind};
use super::suggest::closest;
use super::types::Type;
use super::{CheckError, Checker, Place};
use crate::id::{AccountValueId, FieldId, Id, IdVec};
use crate::span::Span;
use crate::syntax::ast;
use crate::value::{FieldType, Value};

impl Checker<'_> {
    /// Check the `account` block, before the rules that use its values.
    pub(super) fn account_block(&mut self, tree: &ast::Model) {
        let Some(block) = &tree.account else {
            return;
        };
        let by = self.fields.position(|f| f.name == block.by.node);
        if by.is_none() {
            let names = self.fields.iter().map(|f| f.name.as_str());
            let candidate = closest(&block.by.node, names).map(str::to_string);
            self.errors.push(CheckError::BadAccount {
                problem: AccountProblem::UnknownBy {
                    field: block.by.node.clone(),
                    candidate,
                },
                span: block.by.span.into(),
            });
        }
        let list = by
            .and_then(|f| self.fields.get(f))
            .filter(|f| f.ty == FieldType::List);
        if let Some(field) = list {
            self.errors.push(CheckError::BadAccount {
                problem: AccountProblem::ListBy {
                    field: field.name.clone(),
                },
                span: block.by.span.into(),
            });
        }
        let mut values: IdVec<AccountValueId, AccountValue> = IdVec::new();
        for decl in &block.values {
            if values.iter().any(|v| v.name == decl.name.node) {
                self.errors.push(CheckError::BadAccount {
                    problem: AccountProblem::DuplicateValue {
                        name: decl.name.node.clone(),
                    },
                    span: decl.name.span.into(),
                });
                continue;
            }
            values.push(self.account_value(decl));
        }
        // An unknown `by` is reported above, and a model with an error is
        // never built: the first field only stands in while the values
        // are checked.
        self.account = Some(Account {
            by: by.unwrap_or(FieldId::from_index(0)),
            values,
            span: block.span,
        });
    }

    /// `let NAME = AGG(leads [where COND] [, EXPR])`; a value with an
    /// error has type `Error` (what uses it stays silent).
    fn account_value(&mut self, decl: &ast::Let) -> AccountValue {
        let mut value = AccountValue {
            name: decl.name.node.clone(),
            kind: AggregateKind::Count,
            condition: None,
            value: None,
            score_level: false,
            uses: None,
            ty: Type::Error,
            span: decl.span,
        };
        let Some((kind, condition, each)) = self.account_shape(&decl.value) else {
            return value;
        };
        self.reads_score = None;
        let condition = condition.map(|c| {
            let checked = self.expr(c, Place::Account);
            self.expect_type(&checked, Type::Bool, "the condition of `leads where …`");
            checked
        });
        let each = each.map(|e| self.expr(e, Place::Account));
        let ty = match (kind, &each) {
            (AggregateKind::Exists, _) => Type::Bool,
            (AggregateKind::Sum, Some(v)) => self.account_value_type(v, &[Type::Number], kind),
            (AggregateKind::Min | AggregateKind::Max, Some(v)) => {
                self.account_value_type(v, &[Type::Number, Type::Date], kind)
            }
            (AggregateKind::Distinct, Some(v)) if matches!(v.ty, Type::List | Type::Items(_)) => {
                self.mismatch(
                    "the value of `distinct`",
                    "text, a number, a date or a bool",
                    v,
                    None,
                );
                Type::Error
            }
            _ => Type::Number,
        };
        let broken = condition.as_ref().is_some_and(|c| c.ty.is_error());
        value.kind = kind;
        value.score_level = self.reads_score.is_some();
        value.uses = self.reads_score.take();
        value.ty = if broken { Type::Error } else { ty };
        value.condition = condition;
        value.value = each;
        value
    }

    /// The aggregate, condition and per-lead value of an account value,
    /// or an error saying what an account value looks like.
    fn account_shape<'t>(
        &mut self,
        e: &'t ast::Expr,
    ) -> Option<(AggregateKind, Option<&'t ast::Expr>, Option<&'t ast::Expr>)> {
        let refuse = |this: &mut Self, shape: Shape| {
            this.errors.push(CheckError::BadAccount {
                problem: AccountProblem::NotAggregate { shape },
                span: e.span.into(),
            });
            None
        };
        let ast::ExprKind::Call(name, args) = &e.node else {
            return refuse(self, Shape::NotACall);
        };
        let kind = AggregateKind::from_name(&name.node)
            .filter(|k| !matches!(k, AggregateKind::First | AggregateKind::Last));
        let Some(kind) = kind else {
            return refuse(self, Shape::NotOverLeads);
        };
        let condition = match args.first().map(|a| &a.node) {
            Some(ast::ExprKind::Name(n)) if n == "leads" => None,
            Some(ast::ExprKind::Events(set))
                if set.source.node == "leads" && set.within.is_none() =>
            {
                set.condition.as_ref()
            }
            _ => return refuse(self, Shape::FirstNotLeads),
        };
        let wanted = 1 + usize::from(kind.takes_value());
        if args.len() != wanted {
            return refuse(self, Shape::ArgumentCount);
        }
        Some((kind, condition, args.get(1)))
    }

    fn account_value_type(&mut self, value: &Expr, allowed: &[Type], kind: AggregateKind) -> Type {
        if value.ty.is_error() || allowed.contains(&value.ty) {
            return value.ty;
        }
        let expected = if allowed.len() == 1 {
            "a number"
        } else {
            "a number or a date"
        };
        self.mismatch(
            &format!("the value of `{}`", kind.name()),
            expected,
            value,
            None,
        );
        Type::Error
    }

    /// `account.NAME` at `place`.
    pub(super) fn account_ref(&mut self, name: &str, span: Span, place: Place) -> Expr {
        let Some(account) = &self.account else {
            self.errors.push(CheckError::BadAccount {
                problem: AccountProblem::NoBlock {
                    name: name.to_string(),
                },
                span: span.into(),
            });
            return poisoned(span);
        };
        let Some(index) = account.values.position(|v| v.name == name) else {
            let names = account.values.iter().map(|v| v.name.as_str());
            self.errors.push(CheckError::BadAccount {
                problem: AccountProblem::UnknownValue {
                    name: name.to_string(),
                    candidate: closest(name, names).map(str::to_string),
                },
                span: span.into(),
            });
            return poisoned(span);
        };
        let Some(value) = account.values.get(index) else {
            return poisoned(span);
        };
        let (ty, score_level) = (value.ty, value.score_level);
        let uses = value.uses.clone().unwrap_or_else(|| "score".into());
        if ty.is_error() {
            return poisoned(span);
        }
        if let Some(refused) = self.output_in_set(&format!("account.{name}"), span) {
            return refused;
        }
        let layer = |layer: Layer| CheckError::AccountLayer {
            layer,
            span: span.into(),
        };
        match place {
            Place::Let(_) => return self.not_constant(span, Varies::Account(name.to_string())),
            Place::Account => {
                self.errors.push(layer(Layer::Nested {
                    name: name.to_string(),
                }));
                return poisoned(span);
            }
            Place::Rule if score_level => {
                self.errors.push(layer(Layer::ScoreLevelInRule {
                    name: name.to_string(),
                    uses,
                }));
                return poisoned(span);
            }
            _ => {}
        }
        typed(ExprKind::Account(index), ty, span)
    }

    /// A group or `score` read inside an account value: it becomes a
    /// score-level value.
    pub(super) fn note_score_read(&mut self, name: &str) {
        if self.reads_score.is_none() {
            self.reads_score = Some(name.to_string());
        }
    }

    /// `account.NAME: VALUE` in a test's `given`.
    pub(super) fn given_account(&mut self, entry: &ast::Given) -> Option<(AccountValueId, Value)> {
        let name = entry.field.node.trim_start_matches("account.");
        let span = entry.field.span;
        let Some(account) = &self.account else {
            self.account_ref(name, span, Place::Test);
            return None;
        };
        let Some(index) = account.values.position(|v| v.name == name) else {
            self.account_ref(name, span, Place::Test);
            return None;
        };
        let ty = account.values.get(index)?.ty;
        let value = match (&entry.value.node, ty) {
            (ast::Literal::Number(n), Type::Number) => Some(Value::Number(*n)),
            (ast::Literal::Bool(b), Type::Bool) => Some(Value::Bool(*b)),
            (ast::Literal::Date(d), Type::Date) => Some(Value::Date(*d)),
            _ => None,
        };
        if value.is_none() && !ty.is_error() {
            self.errors.push(CheckError::BadGiven {
                field: entry.field.node.clone(),
                ty: ty.to_string(),
                value: crate::syntax::canonical_literal(&entry.value.node),
                expected: Expected::Value(ty),
                span: entry.value.span.into(),
            });
        }
        Some((index, value?))
    }
}
