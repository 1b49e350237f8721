//! Checked model → plan.

use std::collections::HashMap;
use std::sync::Arc;

use super::endings::Endings;
use super::node::{ConstSet, Node, Pattern, TextOp};
use super::{
    AccountSpec, AggregateSpec, EventsSpec, FieldSpec, GroupSpec, LadderSpec, Plan, RuleStep,
    TierSpec,
};
use crate::check::model::{Expr, ExprKind, Ladder, Model};
use crate::id::{
    AccountValueId, AggregateId, ConditionId, EventFieldId, FieldId, Id, IdVec, SourceId,
};
use crate::syntax::ast::Effect;
use crate::value::FieldType;
use crate::value::{fold_text, Value};

/// Largest compiled size of a `matches` pattern (the checker's limit).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compile a checked model into a plan.
pub fn compile(model: &Model) -> Plan {
    let base = Bases::of(model);
    let node = |e: &Expr| lower(e, base);
    let ladder = |l: &Ladder| ladder(l, base);
    let mut conditions = Conditions::default();
    let rules = model
        .rules
        .iter()
        .map(|rule| RuleStep {
            group: rule.group,
            condition: conditions.intern(node(&rule.condition)),
            points: node(&rule.points),
            negate: rule.effect == Effect::Sub,
            reason: rule.reason.clone(),
        })
        .collect();
    let mut fields: IdVec<FieldId, FieldSpec> = model.fields.iter().map(field_spec).collect();
    let events = events(model, &mut fields);
    let account = account(model, &mut fields, base);
    let mut plan = Plan {
        name: model.name.clone(),
        fields,
        events,
        account,
        conditions: conditions.nodes,
        rules,
        groups: model
            .groups
            .iter()
            .map(|g| GroupSpec {
                name: g.name.clone(),
                limits: g.limits,
                rules: g.rules.clone(),
            })
            .collect(),
        score_limits: model.score_limits,
        stage: model.stage.as_ref().map(ladder),
        tiers: model
            .tiers
            .iter()
            .map(|t| TierSpec {
                name: t.name.clone(),
                ladder: ladder(&t.ladder),
            })
            .collect(),
    };
    mark_used_fields(&mut plan);
    plan
}

fn field_spec(field: &crate::check::model::Field) -> FieldSpec {
    FieldSpec {
        name: field.name.clone(),
        column: field.column.clone(),
        ty: field.ty,
        read: field.read.clone(),
        required: field.required,
        used: false,
        aggregate: None,
        account: None,
    }
}

/// The account values, each a lead value appended to `fields` after the
/// aggregates over events.
fn account(
    model: &Model,
    fields: &mut IdVec<FieldId, FieldSpec>,
    base: Bases,
) -> Option<AccountSpec> {
    let account = model.account.as_ref()?;
    let mut values = IdVec::new();
    for (i, value) in account.values.enumerate() {
        values.push(AggregateSpec {
            kind: value.kind,
            condition: value.condition.as_ref().map(|c| lower(c, base)),
            within: None,
            value: value.value.as_ref().map(|v| lower(v, base)),
            decay: None,
            max: None,
            field: base.account(i),
            text: value.name.clone(),
            lead_fields: Vec::new(),
        });
        let pushed = fields.push(FieldSpec {
            name: format!("account.{}", value.name),
            column: String::new(),
            ty: aggregate_type(value.ty),
            read: Default::default(),
            required: false,
            used: false,
            aggregate: None,
            account: Some(i),
        });
        debug_assert_eq!(pushed, base.account(i));
    }
    Some(AccountSpec {
        by: account.by,
        values,
        score_level: account.values.map(|v| v.score_level),
    })
}

/// The events sources, each with its aggregates; each aggregate's lead
/// value is a field appended to `fields` (in aggregate id order, so
/// [`ExprKind::Aggregate`] `i` is field `model.fields.len() + i`).
fn events(model: &Model, fields: &mut IdVec<FieldId, FieldSpec>) -> IdVec<SourceId, EventsSpec> {
    let mut sources: IdVec<SourceId, EventsSpec> = model
        .events
        .iter()
        .map(|source| EventsSpec {
            name: source.name.clone(),
            // Every field of an event is read (the sets' conditions and
            // values may use any); an event without its time is rejected.
            fields: (source.fields.enumerate())
                .map(|(i, f)| FieldSpec {
                    used: true,
                    required: f.required || i == source.time,
                    ..field_spec(f)
                })
                .collect(),
            key: event_field(source.key),
            lead_key: source.lead_key,
            time: event_field(source.time),
            aggregates: Vec::new(),
        })
        .collect();
    let base = Bases::of(model);
    for (id, aggregate) in model.aggregates.enumerate() {
        let field = base.aggregate(id);
        let source = sources.at_mut(aggregate.source);
        let index = source.aggregates.len();
        let lead_fields = aggregate.lead_fields();
        let event = |e: &Expr| {
            lower(
                &lead_fields_after_event(e, &lead_fields, source),
                Bases::default(),
            )
        };
        source.aggregates.push(AggregateSpec {
            kind: aggregate.kind,
            condition: aggregate.condition.as_ref().map(event),
            within: aggregate.within,
            value: aggregate.value.as_ref().map(event),
            decay: aggregate.decay.as_ref().map(|d| d.form),
            max: aggregate.max,
            field,
            text: aggregate.text.clone(),
            lead_fields,
        });
        let pushed = fields.push(FieldSpec {
            name: aggregate.text.clone(),
            column: String::new(),
            ty: aggregate_type(aggregate.ty),
            read: Default::default(),
            required: false,
            used: false,
            aggregate: Some((aggregate.source, index)),
            account: None,
        });
        debug_assert_eq!(pushed, field);
    }
    sources
}

/// An expression of an event set with the lead's field `lead_fields[j]`
/// read as the event's field `fields.len() + j`: a set that reads the
/// lead is evaluated over one row, the event's values then the lead's.
fn lead_fields_after_event(expr: &Expr, lead_fields: &[FieldId], source: &EventsSpec) -> Expr {
    fn rewrite(e: &mut Expr, lead_fields: &[FieldId], base: usize) {
        match &e.kind {
            ExprKind::Field(id) => {
                let j = lead_fields.iter().position(|f| f == id).unwrap_or(0);
                e.kind = ExprKind::EventField(EventFieldId::from_index(base + j));
            }
            _ => e
                .kind
                .for_each_child_mut(&mut |c| rewrite(c, lead_fields, base)),
        }
    }
    let mut expr = expr.clone();
    if !lead_fields.is_empty() {
        rewrite(&mut expr, lead_fields, source.fields.len());
    }
    expr
}

/// The field type a lead value of an aggregate has.
fn aggregate_type(ty: crate::check::Type) -> FieldType {
    match ty {
        crate::check::Type::Bool => FieldType::Bool,
        crate::check::Type::Date => FieldType::Date,
        _ => FieldType::Number,
    }
}

fn ladder(ladder: &Ladder, base: Bases) -> LadderSpec {
    LadderSpec {
        steps: ladder
            .steps
            .iter()
            .map(|s| (lower(&s.condition, base), s.label.clone()))
            .collect(),
        otherwise: ladder.otherwise.clone(),
    }
}

/// Rule conditions, each stored once: rules that test the same thing
/// share one entry, evaluated once per lead.
#[derive(Default)]
struct Conditions {
    nodes: IdVec<ConditionId, Node>,
    index: HashMap<String, ConditionId>,
}

impl Conditions {
    fn intern(&mut self, node: Node) -> ConditionId {
        // Nodes carry no spans, so equal conditions print equally.
        let key = format!("{node:?}");
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = self.nodes.push(node);
        self.index.insert(key, id);
        id
    }
}

/// Compile one checked expression of `model` (a test's `expect`).
pub fn node(model: &Model, expr: &Expr) -> Node {
    lower(expr, Bases::of(model))
}

/// Where the lead values computed before the rules start among the plan's
/// fields: the aggregates over events after the lead's own fields, the
/// account values after them.
#[derive(Debug, Clone, Copy, Default)]
struct Bases {
    aggregates: usize,
    accounts: usize,
}

impl Bases {
    fn of(model: &Model) -> Bases {
        Bases {
            aggregates: model.fields.len(),
            accounts: model.fields.len() + model.aggregates.len(),
        }
    }

    /// The lead value of an aggregate over events.
    fn aggregate(self, id: AggregateId) -> FieldId {
        FieldId::from_index(self.aggregates + id.index())
    }

    /// The lead value of an account value.
    fn account(self, id: AccountValueId) -> FieldId {
        FieldId::from_index(self.accounts + id.index())
    }
}

/// In nodes over one event, the event's own fields: the plan's
/// [`EventsSpec::fields`] are the source's, one for one.
fn event_field(id: EventFieldId) -> FieldId {
    FieldId::from_index(id.index())
}

/// Compile one checked expression; aggregate `i` is the lead value
/// `base + i` (`base` is the number of lead fields). Inside an
/// aggregate, an event's field `i` is `Field(i)` of the event.
fn lower(expr: &Expr, base: Bases) -> Node {
    let node = |e: &Expr| lower(e, base);
    let boxed = |e: &Expr| Box::new(lower(e, base));
    match &expr.kind {
        ExprKind::Const(value) => Node::Const(fold_const(value)),
        ExprKind::Field(id) => Node::Field(*id),
        ExprKind::Group(id) => Node::Group(*id),
        ExprKind::Score => Node::Score,
        ExprKind::Stage => Node::Stage,
        ExprKind::Tier(id) => Node::Tier(*id),
        ExprKind::Today => Node::Today,
        ExprKind::Not(e) => Node::Not(boxed(e)),
        ExprKind::And(items) => Node::And(items.iter().map(node).collect()),
        ExprKind::Or(items) => Node::Or(items.iter().map(node).collect()),
        ExprKind::Neg(e) => Node::Neg(boxed(e)),
        ExprKind::Arith(first, rest) => Node::Arith(
            boxed(first),
            rest.iter().map(|(op, e)| (*op, node(e))).collect(),
        ),
        ExprKind::Compare(op, a, b) => Node::Compare(*op, boxed(a), boxed(b)),
        ExprKind::Between(a, low, high) => Node::Between(boxed(a), boxed(low), boxed(high)),
        ExprKind::InList {
            needle,
            items,
            negated,
        } => negate(
            *negated,
            Node::InSet {
                needle: boxed(needle),
                set: Arc::new(ConstSet::new(items)),
            },
        ),
        ExprKind::ListHas {
            list,
            item,
            negated,
        } => negate(
            *negated,
            Node::ListHas {
                list: boxed(list),
                item: boxed(item),
            },
        ),
        ExprKind::TextContains(a, b) => Node::Text(TextOp::Contains, boxed(a), boxed(b)),
        ExprKind::ContainsAny(list, items) => {
            Node::ContainsAny(boxed(list), Arc::new(ConstSet::new(items)))
        }
        ExprKind::ContainsAll(list, items) => {
            Node::ContainsAll(boxed(list), Arc::new(ConstSet::new(items)))
        }
        ExprKind::StartsWith(a, b) => Node::Text(TextOp::StartsWith, boxed(a), boxed(b)),
        ExprKind::EndsWith(a, b) => Node::Text(TextOp::EndsWith, boxed(a), boxed(b)),
        ExprKind::Matches(a, pattern) => match compile_regex(pattern) {
            Some(p) => Node::Matches(boxed(a), Arc::new(p)),
            // INVARIANT: the checker compiled this pattern with the same limit.
            None => Node::Missing,
        },
        ExprKind::IsMissing(e) => Node::IsMissing(boxed(e)),
        ExprKind::IsPresent(e) => Node::IsPresent(boxed(e)),
        ExprKind::Within(e, d) => Node::Within(boxed(e), *d),
        ExprKind::DateShift(e, shifts) => Node::DateShift(boxed(e), shifts.clone()),
        ExprKind::Call(f, args) => Node::Call(*f, args.iter().map(node).collect()),
        ExprKind::Fired(rule) => Node::Fired(*rule),
        ExprKind::Aggregate(id) => Node::Field(base.aggregate(*id)),
        ExprKind::Account(id) => Node::Field(base.account(*id)),
        ExprKind::EventField(id) => Node::Field(event_field(*id)),
        ExprKind::Decayed(points, form, since) => Node::Decayed(boxed(points), *form, boxed(since)),
    }
}

/// Sugar lowered to the core: `x not in L` is `not (x in L)`, exactly,
/// missing values included (`not` of missing is missing), so the
/// interpreter has one membership test and one negation. The compiled
/// conditions recognise `not` over a membership test as one shape, and a
/// field predicate is the largest part reading one field, `not` included,
/// so scoring costs the same.
fn negate(negated: bool, node: Node) -> Node {
    if negated {
        Node::Not(Box::new(node))
    } else {
        node
    }
}

/// Text constants are compared folded, so fold them once here.
fn fold_const(value: &Value) -> Value {
    match value {
        Value::Text(t) => Value::Text(fold_text(t)),
        other => other.clone(),
    }
}

fn compile_regex(source: &str) -> Option<Pattern> {
    let regex = regex::RegexBuilder::new(source)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .ok()?;
    Some(Pattern {
        source: source.to_string(),
        regex,
        endings: Endings::of(source).map(Arc::new),
    })
}

/// Mark the fields some condition, points, ladder or tier reads.
fn mark_used_fields(plan: &mut Plan) {
    let mut used: IdVec<FieldId, bool> = plan.fields.map(|_| false);
    let mut visit = |n: &Node| {
        n.for_each_field(&mut |id| {
            if let Some(slot) = used.get_mut(id) {
                *slot = true;
            }
        })
    };
    plan.conditions.iter().for_each(&mut visit);
    plan.rules.iter().for_each(|r| visit(&r.points));
    for ladder in plan
        .stage
        .iter()
        .chain(plan.tiers.iter().map(|t| &t.ladder))
    {
        ladder.steps.iter().for_each(|(n, _)| visit(n));
    }
    // What an account's values read, and its grouping field.
    if let Some(account) = &plan.account {
        for value in &account.values {
            value
                .condition
                .iter()
                .chain(&value.value)
                .for_each(&mut visit);
        }
        if let Some(slot) = used.get_mut(account.by) {
            *slot = true;
        }
    }
    // A source's join key is read whenever the source has aggregates,
    // and so is every lead field an event set reads.
    for source in plan.events.iter().filter(|s| !s.aggregates.is_empty()) {
        let read = source.aggregates.iter().flat_map(|a| &a.lead_fields);
        for id in read.chain([&source.lead_key]) {
            if let Some(slot) = used.get_mut(*id) {
                *slot = true;
            }
        }
    }
    for (field, used) in plan.fields.iter_mut().zip(used) {
        field.used = used;
    }
}
