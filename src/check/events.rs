//! Checking behaviour over time (language 1.1): `events` blocks, event
//! sets and their aggregates, `each` rules and decay.
//!
//! An aggregate is checked into one [`model::Aggregate`], stored once per
//! distinct text (two rules counting the same set share it), and the
//! expression that uses it becomes [`ExprKind::Aggregate`]: a value of
//! the lead like a field. An `each` rule is a rule like the others whose
//! condition is its set's `exists` and whose points are its set's `each`
//! aggregate, so everything after the checker sees ordinary rules.

use super::error::{DecayProblem, Marker, Varies};
use super::expr::{poisoned, typed};
use super::model::{self, Aggregate, AggregateKind, Decay, DecayForm, EventSource, Expr, ExprKind};
use super::types::Type;
use super::{CheckError, Checker, Place};
use crate::id::{AggregateId, EventFieldId, FieldId, Id, IdVec, SourceId};
use crate::span::{Span, Spanned};
use crate::syntax::{ast, canonical_expr};
use crate::value::{Decimal, DurationUnit, FieldType};

impl Checker<'_> {
    /// Check the `events` blocks, after the lead's fields.
    pub(super) fn event_sources(&mut self, tree: &ast::Model) -> IdVec<SourceId, EventSource> {
        tree.events
            .iter()
            .filter_map(|b| self.event_source(b))
            .collect()
    }

    fn event_source(&mut self, block: &ast::EventsBlock) -> Option<EventSource> {
        let fields: Vec<model::Field> = block.fields.iter().map(|f| self.field(f)).collect();
        let key = self.marker(block, Marker::Key, |f| f.key);
        let time = self.marker(block, Marker::Time, |f| f.time);
        // Each marker is checked on its own, so one wrong marker does not
        // hide another's error (spec section 9: every error in one run).
        let key = key.and_then(|k| self.key_marker(block, k));
        let time = time.and_then(|t| self.time_marker(block, t));
        let ((key, lead_key), time) = (key?, time?);
        // The checked fields are the block's, one for one, so the
        // markers' positions are their ids.
        Some(EventSource {
            name: block.name.node.clone(),
            fields: fields.into(),
            key: EventFieldId::from_index(key),
            lead_key,
            time: EventFieldId::from_index(time),
            span: block.span,
        })
    }

    /// The key field at `key` (a text or int field with a lead field of
    /// its name and type) and that lead field, reporting what is wrong.
    fn key_marker(&mut self, block: &ast::EventsBlock, key: usize) -> Option<(usize, FieldId)> {
        let key_field = block.fields.get(key)?;
        if !matches!(key_field.ty.node, FieldType::Text | FieldType::Int) {
            self.errors.push(CheckError::MarkerType {
                what: Marker::Key,
                field: key_field.name.node.clone(),
                found: key_field.ty.node,
                span: key_field.ty.span.into(),
            });
            return None;
        }
        Some((key, self.lead_key(key_field)?))
    }

    /// The time field at `time`, when it is a date.
    fn time_marker(&mut self, block: &ast::EventsBlock, time: usize) -> Option<usize> {
        let time_field = block.fields.get(time)?;
        if time_field.ty.node != FieldType::Date {
            self.errors.push(CheckError::MarkerType {
                what: Marker::Time,
                field: time_field.name.node.clone(),
                found: time_field.ty.node,
                span: time_field.ty.span.into(),
            });
            return None;
        }
        Some(time)
    }

    /// The one field of `block` that `marked` finds, reporting none or two.
    fn marker(
        &mut self,
        block: &ast::EventsBlock,
        what: Marker,
        marked: impl Fn(&ast::Field) -> Option<Span>,
    ) -> Option<usize> {
        let mut found: Option<(usize, Span)> = None;
        for (i, field) in block.fields.iter().enumerate() {
            let Some(span) = marked(field) else { continue };
            match found {
                Some((_, first)) => self.errors.push(CheckError::DuplicateMarker {
                    what,
                    span: span.into(),
                    first: first.into(),
                }),
                None => found = Some((i, span)),
            }
        }
        if found.is_none() {
            self.errors.push(CheckError::MissingMarker {
                what,
                source_name: block.name.node.clone(),
                span: block.name.span.into(),
            });
        }
        found.map(|(i, _)| i)
    }

    /// The lead field an events key joins on: same name, same type.
    fn lead_key(&mut self, key: &ast::Field) -> Option<FieldId> {
        let name = &key.name.node;
        let found = self.fields.position(|f| &f.name == name);
        match found.and_then(|i| Some((i, self.fields.get(i)?))) {
            Some((i, lead)) if lead.ty == key.ty.node => Some(i),
            other => {
                self.errors.push(CheckError::KeyWithoutLeadField {
                    name: name.clone(),
                    ty: key.ty.node,
                    span: key.span.into(),
                    lead: other.map(|(_, lead)| lead.ty),
                });
                None
            }
        }
    }

    /// `key` or `time` on a field of `fields`.
    pub(super) fn markers_outside_events(&mut self, field: &ast::Field) {
        for (what, span) in [(Marker::Key, field.key), (Marker::Time, field.time)] {
            if let Some(span) = span {
                self.errors.push(CheckError::MarkerOutsideEvents {
                    what,
                    span: span.into(),
                });
            }
        }
    }

    /// The events source an aggregate's first argument names, with the
    /// set's parts: `activity`, or `activity where … within …`.
    fn set_of<'t>(&self, arg: &'t ast::Expr) -> Option<(SourceId, SetParts<'t>)> {
        let (name, condition, within) = match &arg.node {
            ast::ExprKind::Events(set) => (
                set.source.node.as_str(),
                set.condition.as_ref(),
                set.within.as_ref(),
            ),
            ast::ExprKind::Name(name) => (name.as_str(), None, None),
            _ => return None,
        };
        let source = self.source_index(name)?;
        Some((
            source,
            SetParts {
                condition,
                within,
                text: canonical_expr(arg),
            },
        ))
    }

    /// Whether a call's first argument is an event set (then it is an
    /// aggregate, even when the name is also a function: `count`, `max`).
    pub(super) fn is_aggregate_call(&self, name: &str, args: &[ast::Expr]) -> bool {
        let first = args.first().map(|a| &a.node);
        let names_events = match first {
            Some(ast::ExprKind::Events(_)) => true,
            Some(ast::ExprKind::Name(n)) => self.is_events_name(n),
            _ => false,
        };
        AggregateKind::from_name(name).is_some()
            && (names_events || !matches!(name, "count" | "min" | "max"))
    }

    /// Whether `name` is declared by an `events` block (checked or not).
    fn is_events_name(&self, name: &str) -> bool {
        matches!(self.names.get(name), Some((super::Symbol::Events, _)))
    }

    /// Whether `name` is an `events` block that has an error already:
    /// what uses it stays silent (one mistake, one message).
    pub(super) fn is_broken_source(&self, name: &str) -> bool {
        self.is_events_name(name) && self.source_index(name).is_none()
    }

    /// `count(S)`, `sum(S, EXPR)`, … at `place`.
    pub(super) fn aggregate(
        &mut self,
        name: &Spanned<String>,
        args: &[ast::Expr],
        span: Span,
        place: Place,
    ) -> Expr {
        let Some(kind) = AggregateKind::from_name(&name.node) else {
            return poisoned(span);
        };
        if let Place::Let(_) = place {
            return self.not_constant(span, Varies::Events(name.node.clone()));
        }
        if self.scope.is_some() {
            self.errors
                .push(CheckError::NestedAggregate { span: span.into() });
            return poisoned(span);
        }
        let usage = match kind.takes_value() {
            true => format!("{}(activity, minutes)", kind.name()),
            false => format!("{}(activity where kind == \"webinar\")", kind.name()),
        };
        let Some(first) = args.first() else {
            return self.not_a_set(kind, None, span, &usage);
        };
        let Some((source, parts)) = self.set_of(first) else {
            if self.is_broken_source(&set_name(first)) {
                return poisoned(span);
            }
            return self.not_a_set(kind, Some(first), first.span, &usage);
        };
        let wanted = 1 + usize::from(kind.takes_value());
        if args.len() != wanted {
            self.errors.push(CheckError::ArgumentCount {
                function: kind.name().into(),
                expected: match kind.takes_value() {
                    true => "an event set and a value of each event".into(),
                    false => "one event set".into(),
                },
                found: args.len(),
                usage,
                span: span.into(),
            });
            return poisoned(span);
        }
        let value = args.get(1).map(|v| self.in_scope(source, v, place));
        let ty = match (kind, &value) {
            (AggregateKind::Count | AggregateKind::Distinct | AggregateKind::Each, _) => {
                Type::Number
            }
            (AggregateKind::Exists, _) => Type::Bool,
            (AggregateKind::First | AggregateKind::Last, _) => Type::Date,
            (AggregateKind::Sum, Some(v)) => self.value_type(v, &[Type::Number], kind),
            (AggregateKind::Min | AggregateKind::Max, Some(v)) => {
                self.value_type(v, &[Type::Number, Type::Date], kind)
            }
            (_, None) => Type::Number,
        };
        let distinct_ok = match (kind, &value) {
            (AggregateKind::Distinct, Some(v)) => {
                !matches!(v.ty, Type::List | Type::Items(_) | Type::Duration) || v.ty.is_error()
            }
            _ => true,
        };
        if !distinct_ok {
            if let Some(v) = &value {
                self.mismatch(
                    "the value of `distinct`",
                    "text, a number, a date or a bool",
                    v,
                    None,
                );
            }
        }
        let condition = self.set_condition(source, &parts, place);
        if ty.is_error() || !distinct_ok {
            return poisoned(span);
        }
        let text = match &value {
            Some(_) => format!(
                "{}({}, {})",
                kind.name(),
                parts.text,
                args.get(1).map(canonical_expr).unwrap_or_default()
            ),
            None => format!("{}({})", kind.name(), parts.text),
        };
        let id = self.intern_aggregate(Aggregate {
            source,
            kind,
            condition,
            within: parts.within.map(|w| w.node),
            value,
            decay: None,
            max: None,
            ty,
            text,
        });
        typed(ExprKind::Aggregate(id), ty, span)
    }

    fn not_a_set(
        &mut self,
        kind: AggregateKind,
        arg: Option<&ast::Expr>,
        span: Span,
        usage: &str,
    ) -> Expr {
        self.errors.push(CheckError::NotAnEventSet {
            function: kind.name().into(),
            text: arg.map(canonical_expr).unwrap_or_default(),
            span: span.into(),
            sources: self.sources.iter().map(|s| s.name.clone()).collect(),
            usage: usage.to_string(),
        });
        poisoned(span)
    }

    /// The type of an aggregate's value, one of `allowed`.
    fn value_type(&mut self, value: &Expr, allowed: &[Type], kind: AggregateKind) -> Type {
        if value.ty.is_error() || allowed.contains(&value.ty) {
            return value.ty;
        }
        let expected = match allowed.len() {
            1 => "a number".to_string(),
            _ => "a number or a date".to_string(),
        };
        self.mismatch(
            &format!("the value of `{}`", kind.name()),
            &expected,
            value,
            None,
        );
        Type::Error
    }

    /// An expression about one event of `source`.
    fn in_scope(&mut self, source: SourceId, e: &ast::Expr, place: Place) -> Expr {
        let outer = self.scope.replace(source);
        let expr = self.expr(e, place);
        self.scope = outer;
        expr
    }

    fn set_condition(&mut self, source: SourceId, parts: &SetParts, place: Place) -> Option<Expr> {
        let condition = parts.condition?;
        let checked = self.in_scope(source, condition, place);
        self.expect_type(&checked, Type::Bool, "the condition of an event set");
        Some(checked)
    }

    /// Store an aggregate once per distinct text.
    fn intern_aggregate(&mut self, aggregate: Aggregate) -> AggregateId {
        let key = format!("{:?}|{}", aggregate.kind, aggregate.text);
        if let Some(&id) = self.aggregate_ids.get(&key) {
            return id;
        }
        let id = self.aggregates.push(aggregate);
        self.aggregate_ids.insert(key, id);
        id
    }

    /// A name inside an event set: the event's field of that name, if the
    /// source has one.
    pub(super) fn event_field(&mut self, name: &str, span: Span) -> Option<Expr> {
        let source = self.sources.get(self.scope?)?;
        let id = source.fields.position(|f| f.name == name)?;
        let ty = source.fields.get(id).map(|f| Type::of_field(f.ty))?;
        Some(typed(ExprKind::EventField(id), ty, span))
    }

    /// A group, the score, the stage, a tier or an account value named
    /// inside an event set (see [`CheckError::SetUsesOutput`]).
    pub(super) fn output_in_set(&mut self, name: &str, span: Span) -> Option<Expr> {
        let source = self.sources.get(self.scope?)?;
        let fields: Vec<String> = source
            .fields
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect();
        self.errors.push(CheckError::SetUsesOutput {
            name: name.into(),
            source_name: source.name.clone(),
            fields: fields.join(", "),
            span: span.into(),
        });
        Some(poisoned(span))
    }

    /// `each S add|sub POINTS [decay …] [max N]`: a rule whose condition
    /// is `exists(S)` and whose points are the set's decayed, limited sum.
    pub(super) fn each_rule(&mut self, rule: &ast::Rule) -> (Expr, Expr, Option<AggregateId>) {
        let span = rule.condition.span;
        let Some((source, parts)) = self.set_of(&rule.condition) else {
            if !self.is_broken_source(&set_name(&rule.condition)) {
                let usage = "each activity where kind == \"demo_request\" add 25";
                self.not_a_set(AggregateKind::Each, Some(&rule.condition), span, usage);
            }
            return (poisoned(span), poisoned(rule.points.span), None);
        };
        let condition = self.set_condition(source, &parts, Place::Rule);
        let points = self.in_scope(source, &rule.points, Place::Rule);
        self.expect_type(&points, Type::Number, "the points of a rule");
        let decay = rule.decay.as_ref().and_then(|d| self.decay(d, true));
        if let Some(max) = &rule.max {
            if max.node.is_sign_negative() {
                self.errors.push(CheckError::BadDecay {
                    problem: DecayProblem::NegativeMax,
                    span: max.span.into(),
                });
            }
        }
        let within = parts.within.map(|w| w.node);
        let exists = self.intern_aggregate(Aggregate {
            source,
            kind: AggregateKind::Exists,
            condition: condition.clone(),
            within,
            value: None,
            decay: None,
            max: None,
            ty: Type::Bool,
            text: format!("exists({})", parts.text),
        });
        if points.ty.is_error() {
            return (poisoned(span), points, None);
        }
        let each = self.aggregates.push(Aggregate {
            source,
            kind: AggregateKind::Each,
            condition,
            within,
            value: Some(points),
            decay,
            max: rule.max.as_ref().map(|m| m.node),
            ty: Type::Number,
            text: format!("each {}", parts.text),
        });
        (
            typed(ExprKind::Aggregate(exists), Type::Bool, span),
            typed(ExprKind::Aggregate(each), Type::Number, rule.points.span),
            Some(each),
        )
    }

    /// A `when` rule's points with its decay: `POINTS decay FORM since DATE`.
    pub(super) fn decayed_points(&mut self, points: Expr, decay: &ast::Decay) -> Expr {
        let Some(checked) = self.decay(decay, false) else {
            return points;
        };
        let Some(since) = checked.since else {
            return points;
        };
        let span = points.span;
        typed(
            ExprKind::Decayed(Box::new(points), checked.form, since),
            Type::Number,
            span,
        )
    }

    /// Check a decay clause; `each` rules age by their events' times, and
    /// `when` rules need `since DATE`.
    fn decay(&mut self, decay: &ast::Decay, each: bool) -> Option<Decay> {
        let form = self.decay_form(&decay.form);
        let since = match (&decay.since, each) {
            (Some(since), true) => {
                self.errors.push(CheckError::BadDecay {
                    problem: DecayProblem::SinceOnEach,
                    span: since.span.into(),
                });
                None
            }
            (None, false) => {
                self.errors.push(CheckError::BadDecay {
                    problem: DecayProblem::NoSince,
                    span: decay.span.into(),
                });
                None
            }
            (Some(since), false) => {
                let since = self.expr(since, Place::Rule);
                self.expect_type(&since, Type::Date, "the date after `since`");
                Some(Box::new(since))
            }
            (None, true) => None,
        };
        Some(Decay { form: form?, since })
    }

    fn decay_form(&mut self, form: &Spanned<ast::DecayForm>) -> Option<DecayForm> {
        let span = form.span;
        let days = |this: &mut Self, d: crate::value::Duration, word: &str| {
            let per = match d.unit {
                DurationUnit::Day => 1,
                DurationUnit::Week => 7,
                DurationUnit::Month | DurationUnit::Year => {
                    this.errors.push(CheckError::BadDecay {
                        problem: DecayProblem::CalendarUnit {
                            word: word.to_string(),
                            unit: d.unit,
                        },
                        span: span.into(),
                    });
                    return None;
                }
            };
            this.positive(d.amount, span, word)?;
            Some(d.amount.saturating_mul(per))
        };
        match form.node {
            ast::DecayForm::HalfLife(d) => {
                days(self, d, "half-life").map(|days| DecayForm::HalfLife { days })
            }
            ast::DecayForm::Linear(d) => {
                days(self, d, "linear").map(|days| DecayForm::Linear { days })
            }
            ast::DecayForm::Every { percent, period } => {
                self.positive(period.amount, span, "every")?;
                let hundred = Decimal::from(100);
                if percent <= Decimal::ZERO || percent > hundred {
                    self.errors.push(CheckError::BadDecay {
                        problem: DecayProblem::Share,
                        span: span.into(),
                    });
                    return None;
                }
                Some(DecayForm::Every { percent, period })
            }
        }
    }

    fn positive(&mut self, amount: i64, span: Span, word: &str) -> Option<()> {
        if amount > 0 {
            return Some(());
        }
        self.errors.push(CheckError::BadDecay {
            problem: DecayProblem::NotPositive {
                word: word.to_string(),
            },
            span: span.into(),
        });
        None
    }

    /// The index of the events source named `name`.
    pub(super) fn source_index(&self, name: &str) -> Option<SourceId> {
        self.sources.position(|s| s.name == name)
    }
}

/// The source an event set names (`activity` of `activity where …`).
fn set_name(arg: &ast::Expr) -> String {
    match &arg.node {
        ast::ExprKind::Events(set) => set.source.node.clone(),
        ast::ExprKind::Name(name) => name.clone(),
        _ => String::new(),
    }
}

/// The parts of an event set as written.
struct SetParts<'t> {
    condition: Option<&'t ast::Expr>,
    within: Option<&'t Spanned<crate::value::Duration>>,
    /// The set in canonical form.
    text: String,
}
