//! Checking the items of a model: fields, lets, groups, rules, ladders,
//! tiers and tests.

use std::collections::HashMap;

use super::error::{Candidate, Expected, Hint};
use super::model::{self, ExprKind, Limits};
use super::suggest::closest;
use super::types::{Item, Type};
use super::{CheckError, Checker, Place};
use crate::id::{FieldId, GroupId, Id, IdVec, RuleId, SourceId, TierId};
use crate::span::{Span, Spanned};
use crate::syntax::{ast, canonical_expr, canonical_literal};
use crate::value::{format_decimal, read_cell, FieldType, Reading, Value};

impl Checker<'_> {
    /// Check the whole model; `Some` only when no error was found.
    pub(super) fn model(&mut self, tree: &ast::Model) -> Option<model::Model> {
        self.fields = tree
            .fields
            .iter()
            .flat_map(|b| &b.fields)
            .map(|f| {
                self.markers_outside_events(f);
                self.field(f)
            })
            .collect();
        self.sources = self.event_sources(tree);
        for (index, decl) in tree.lets.iter().enumerate() {
            let value = self.let_value(index, decl);
            self.lets.push(value);
        }
        self.account_block(tree);
        let mut groups: IdVec<GroupId, model::Group> =
            tree.groups.iter().map(|g| self.group(g)).collect();
        let rules = self.rules(tree, &mut groups);
        let score_limits = tree
            .score_limits
            .as_ref()
            .map(|l| self.limits(l))
            .unwrap_or_default();
        let stage = tree.stage.as_ref().map(|l| self.ladder(l, Place::Stage));
        let tiers = tree
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| self.tier(i, t))
            .collect();
        let tests = self.tests(&tree.tests);
        if !self.errors.is_empty() {
            return None;
        }
        Some(model::Model {
            name: tree.header.as_ref().map(|h| h.name.node.clone()),
            version: tree
                .header
                .as_ref()
                .and_then(|h| h.version.as_ref())
                .map(|v| v.node.clone()),
            fields: std::mem::take(&mut self.fields),
            events: std::mem::take(&mut self.sources),
            aggregates: std::mem::take(&mut self.aggregates),
            account: self.account.take(),
            groups,
            rules,
            score_limits,
            stage,
            tiers,
            tests,
        })
    }

    pub(super) fn field(&mut self, field: &ast::Field) -> model::Field {
        if let Some(sep) = &field.sep {
            if field.ty.node != FieldType::List {
                self.errors.push(CheckError::SepOnScalar {
                    field: field.name.node.clone(),
                    ty: field.ty.node.keyword().into(),
                    span: sep.span.into(),
                });
            } else if sep.node.is_empty() {
                self.errors.push(CheckError::EmptySep {
                    span: sep.span.into(),
                });
            }
        }
        model::Field {
            name: field.name.node.clone(),
            column: field
                .from
                .as_ref()
                .map_or(&field.name.node, |f| &f.node)
                .clone(),
            ty: field.ty.node,
            required: field.required,
            read: self.reading(field),
            span: field.span,
        }
    }

    /// Check and fold a `let`; it must be a constant.
    fn let_value(&mut self, index: usize, decl: &ast::Let) -> super::LetValue {
        let errors_before = self.errors.len();
        let expr = self.expr(&decl.value, Place::Let(index));
        match expr.kind {
            ExprKind::Const(value) => Some((value, expr.ty)),
            _ if expr.ty.is_error() || self.errors.len() > errors_before => None,
            _ => {
                self.errors.push(CheckError::NoValue {
                    text: self.text(decl.value.span),
                    why: super::fold::why_no_value(&expr).into(),
                    span: decl.value.span.into(),
                });
                None
            }
        }
    }

    fn group(&mut self, group: &ast::Group) -> model::Group {
        model::Group {
            name: group.name.node.clone(),
            limits: self.limits(&group.limits),
            rules: Vec::new(),
            span: group.span,
        }
    }

    fn limits(&mut self, limits: &ast::Limits) -> Limits {
        if let (Some(max), Some(min)) = (&limits.max, &limits.min) {
            if min.node > max.node {
                self.errors.push(CheckError::CrossedLimits {
                    min: format_decimal(min.node),
                    max: format_decimal(max.node),
                    min_span: min.span.into(),
                    max_span: max.span.into(),
                });
            }
        }
        Limits {
            max: limits.max.as_ref().map(|l| l.node),
            min: limits.min.as_ref().map(|l| l.node),
        }
    }

    fn rules(
        &mut self,
        tree: &ast::Model,
        groups: &mut IdVec<GroupId, model::Group>,
    ) -> IdVec<RuleId, model::Rule> {
        let mut first_span: HashMap<String, Span> = HashMap::new();
        let mut rules = IdVec::new();
        for rule in &tree.rules {
            let checked = self.rule(rule);
            let id = RuleId::from_index(rules.len());
            if let Some(first) = first_span.get(&checked.reason) {
                self.errors
                    .push(duplicate_reason(&checked.reason, rule, *first));
            } else {
                first_span.insert(checked.reason.clone(), rule.span);
                self.reasons.insert(checked.reason.clone(), id);
            }
            if let Some(group) = rule
                .group
                .and_then(|g| groups.get_mut(GroupId::from_index(g)))
            {
                group.rules.push(id);
            }
            rules.push(checked);
        }
        rules
    }

    fn rule(&mut self, rule: &ast::Rule) -> model::Rule {
        let (condition, points, each) = match rule.each {
            true => self.each_rule(rule),
            false => {
                let condition = self.expr(&rule.condition, Place::Rule);
                self.expect_type(&condition, Type::Bool, "the condition of a rule");
                let points = self.expr(&rule.points, Place::Rule);
                self.expect_type(&points, Type::Number, "the points of a rule");
                let points = match &rule.decay {
                    Some(decay) if !points.ty.is_error() => self.decayed_points(points, decay),
                    _ => points,
                };
                (condition, points, None)
            }
        };
        let reason = match (&rule.reason, rule.each) {
            (Some(reason), _) => reason.node.clone(),
            (None, true) => format!("each {}", canonical_expr(&rule.condition)),
            (None, false) => canonical_expr(&rule.condition),
        };
        model::Rule {
            // The checked groups are the tree's, one for one.
            group: rule.group.map(GroupId::from_index),
            condition,
            effect: rule.effect.node,
            points,
            reason,
            each,
            span: rule.span,
        }
    }

    /// Report `expr` if its type is not `want` (and not already an error).
    pub(super) fn expect_type(&mut self, expr: &model::Expr, want: Type, what: &str) -> bool {
        if expr.ty == want || expr.ty.is_error() {
            return expr.ty == want;
        }
        let text = self.text(expr.span);
        let hint = match (want, expr.ty) {
            (Type::Bool, Type::Number) => Some(Hint::CompareNumber { text }),
            (Type::Bool, Type::Text) => Some(Hint::CompareText { text }),
            (Type::Bool, Type::List) => Some(Hint::TestList { text }),
            (Type::Bool, Type::Date) => Some(Hint::TestDate { text }),
            // `add "Requested demo"`: a reason where the points go.
            (Type::Number, Type::Text)
                if what == "the points of a rule"
                    && text.starts_with('"')
                    && crate::value::parse_number_literal(text.trim_matches('"')).is_none() =>
            {
                Some(Hint::PointsFirst { text })
            }
            (Type::Number, Type::Text) if text.starts_with('"') => Some(Hint::Unquote { text }),
            _ => None,
        };
        self.errors.push(CheckError::TypeMismatch {
            what: what.to_string(),
            expected: want.to_string(),
            text: self.text(expr.span),
            found: expr.ty.to_string(),
            span: expr.span.into(),
            hint,
        });
        false
    }

    fn ladder(&mut self, ladder: &ast::Ladder, place: Place) -> model::Ladder {
        let steps = ladder
            .steps
            .iter()
            .map(|step| {
                let condition = self.expr(&step.condition, place);
                self.expect_type(&condition, Type::Bool, "a ladder condition");
                model::Step {
                    condition,
                    label: step.label.node.clone(),
                    span: step.span,
                }
            })
            .collect();
        model::Ladder {
            steps,
            otherwise: ladder.otherwise.as_ref().map(|o| o.node.clone()),
            span: ladder.span,
        }
    }

    fn tier(&mut self, index: usize, tier: &ast::Tier) -> model::Tier {
        model::Tier {
            name: tier.name.node.clone(),
            ladder: self.ladder(&tier.ladder, Place::Tier(TierId::from_index(index))),
            span: tier.span,
        }
    }

    fn tests(&mut self, tests: &[ast::Test]) -> Vec<model::Test> {
        let mut first_span: HashMap<&str, Span> = HashMap::new();
        let mut checked = Vec::with_capacity(tests.len());
        for test in tests {
            if let Some(first) = first_span.get(test.name.node.as_str()) {
                self.errors.push(CheckError::DuplicateTest {
                    name: test.name.node.clone(),
                    span: test.name.span.into(),
                    first: (*first).into(),
                });
            } else {
                first_span.insert(&test.name.node, test.name.span);
            }
            checked.push(self.test(test));
        }
        checked
    }

    fn test(&mut self, test: &ast::Test) -> model::Test {
        let mut given: Vec<(FieldId, Value)> = Vec::new();
        let mut events = Vec::new();
        let mut accounts = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for entry in &test.given {
            if let Some(first) = seen.insert(&entry.field.node, entry.field.span) {
                self.errors.push(CheckError::DuplicateGiven {
                    field: entry.field.node.clone(),
                    span: entry.field.span.into(),
                    first: first.into(),
                });
                continue;
            }
            if entry.field.node.starts_with("account.") {
                accounts.extend(self.given_account(entry));
            } else if let Some(source) = self.source_index(&entry.field.node) {
                events.extend(self.given_events(source, entry));
            } else if let Some(value) = self.given(entry) {
                given.push(value);
            }
        }
        let expects = test
            .expects
            .iter()
            .map(|e| {
                let expr = self.expr(e, Place::Test);
                self.expect_type(&expr, Type::Bool, "an `expect` line");
                expr
            })
            .collect();
        model::Test {
            name: test.name.node.clone(),
            as_of: test.as_of.as_ref().map(|d| d.node),
            given,
            events,
            accounts,
            expects,
            span: test.span,
        }
    }

    /// The events of one source given in a test: a list of records, each
    /// a `field: value` list of the source's fields (the key is the test
    /// lead's; the time is needed).
    fn given_events(
        &mut self,
        source: SourceId,
        entry: &ast::Given,
    ) -> Option<(SourceId, Vec<model::GivenEvent>)> {
        let src = self.sources.get(source)?.clone();
        let records = match &entry.value.node {
            ast::Literal::Records(records) => records.as_slice(),
            ast::Literal::List(items) if items.is_empty() => &[],
            other => {
                self.errors.push(CheckError::BadGiven {
                    field: src.name.clone(),
                    ty: "events".into(),
                    value: canonical_literal(other),
                    expected: Expected::Events {
                        time: src
                            .fields
                            .get(src.time)
                            .map_or("at", |f| f.name.as_str())
                            .to_string(),
                    },
                    span: entry.value.span.into(),
                });
                return None;
            }
        };
        let mut events = Vec::new();
        for record in records {
            let mut values: model::GivenEvent = src.fields.map(|_| None);
            // A time given but unreadable is its `bad_given` error alone.
            let mut time_unreadable = false;
            for item in &record.node {
                let Some(id) = src.fields.position(|f| f.name == item.field.node) else {
                    let names = src.fields.iter().map(|f| f.name.as_str());
                    self.errors.push(CheckError::UnknownField {
                        name: item.field.node.clone(),
                        span: item.field.span.into(),
                        events: Some(src.name.clone()),
                        candidate: closest(&item.field.node, names)
                            .map(|c| Candidate(c.to_string())),
                    });
                    continue;
                };
                let field = src.fields.get(id)?;
                if id == src.key {
                    self.errors.push(CheckError::GivenEventKey {
                        source_name: src.name.clone(),
                        key: field.name.clone(),
                        span: item.field.span.to(item.value.span).into(),
                    });
                    continue;
                }
                match given_value(field.ty, &field.read, &item.value.node) {
                    Ok(value) => {
                        if let Some(slot) = values.get_mut(id) {
                            *slot = value;
                        }
                    }
                    Err(expected) => {
                        time_unreadable |= id == src.time;
                        self.errors.push(CheckError::BadGiven {
                            field: item.field.node.clone(),
                            ty: field.ty.keyword().into(),
                            value: canonical_literal(&item.value.node),
                            expected,
                            span: item.value.span.into(),
                        })
                    }
                }
            }
            if !time_unreadable && values.get(src.time).is_none_or(Option::is_none) {
                self.errors.push(CheckError::GivenEventTime {
                    source_name: src.name.clone(),
                    time: src
                        .fields
                        .get(src.time)
                        .map_or(String::new(), |f| f.name.clone()),
                    span: record.span.into(),
                });
            }
            events.push(values);
        }
        Some((source, events))
    }

    /// One `field: value` of a test, read as the field's type.
    fn given(&mut self, entry: &ast::Given) -> Option<(FieldId, Value)> {
        let name = &entry.field.node;
        let Some(id) = self.fields.position(|f| &f.name == name) else {
            // An events source misspelt is as likely as a field.
            let fields = self.fields.iter().map(|f| f.name.as_str());
            let sources = self.sources.iter().map(|s| s.name.as_str());
            let candidate = closest(name, fields.chain(sources));
            self.errors.push(CheckError::UnknownField {
                name: name.clone(),
                span: entry.field.span.into(),
                events: None,
                candidate: candidate.map(|c| Candidate(c.to_string())),
            });
            return None;
        };
        let field = self.fields.get(id)?;
        match given_value(field.ty, &field.read, &entry.value.node) {
            Ok(value) => Some((id, value?)),
            Err(expected) => {
                self.errors.push(CheckError::BadGiven {
                    field: name.clone(),
                    ty: field.ty.keyword().into(),
                    value: canonical_literal(&entry.value.node),
                    expected,
                    span: entry.value.span.into(),
                });
                None
            }
        }
    }
}

/// A `given` literal as a value of a field's type: a literal of that type,
/// or text read the way a CSV cell would be. `Ok(None)` is a missing value.
fn given_value(
    ty: FieldType,
    how: &Reading,
    literal: &ast::Literal,
) -> Result<Option<Value>, Expected> {
    use ast::Literal as L;
    match (ty, literal) {
        (_, L::Text(text)) => read_cell(ty, text, how).map_err(|e| Expected::Cell(e.expected)),
        (FieldType::Number, L::Number(n)) => Ok(Some(Value::Number(*n))),
        (FieldType::Int, L::Number(n)) if n.fract().is_zero() => Ok(Some(Value::Number(*n))),
        (FieldType::Bool, L::Bool(b)) => Ok(Some(Value::Bool(*b))),
        (FieldType::Date, L::Date(d)) => Ok(Some(Value::Date(*d))),
        (FieldType::List, L::List(items)) => {
            list_items(items).map(Some).ok_or(Expected::Literal(ty))
        }
        (_, L::Records(_)) => Err(Expected::NotEvents(ty)),
        _ => Err(Expected::Literal(ty)),
    }
}

fn list_items(items: &[Spanned<ast::Literal>]) -> Option<Value> {
    let texts = items.iter().map(|item| match &item.node {
        ast::Literal::Text(t) => Some(Value::Text(t.clone())),
        _ => None,
    });
    texts.collect::<Option<Vec<_>>>().map(Value::List)
}

/// The item type of a list value, or the two clashing types.
pub(super) fn list_item_type(items: &[Spanned<ast::Literal>]) -> Result<Item, (Item, Item, Span)> {
    let item_of = |lit: &ast::Literal| match lit {
        ast::Literal::Number(_) => Item::Number,
        ast::Literal::Date(_) => Item::Date,
        _ => Item::Text,
    };
    let mut first = None;
    for item in items {
        let this = item_of(&item.node);
        match first {
            None => first = Some(this),
            Some(f) if f != this => return Err((f, this, item.span)),
            Some(_) => {}
        }
    }
    Ok(first.unwrap_or(Item::Empty))
}

fn duplicate_reason(reason: &str, rule: &ast::Rule, first: Span) -> CheckError {
    CheckError::DuplicateReason {
        reason: reason.to_string(),
        written: rule.reason.is_some(),
        span: rule.span.into(),
        first: first.into(),
    }
}
