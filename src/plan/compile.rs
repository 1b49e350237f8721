//! Checked model → plan.

use std::collections::HashMap;
use std::sync::Arc;

use super::endings::Endings;
use super::node::{ConstSet, Node, Pattern};
use super::{FieldSpec, GroupSpec, LadderSpec, Plan, RuleStep, TierSpec};
use crate::check::model::{Expr, ExprKind, Ladder, Model};
use crate::syntax::ast::Effect;
use crate::value::{fold_text, Value};

/// Largest compiled size of a `matches` pattern (the checker's limit).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compile a checked model into a plan.
pub fn compile(model: &Model) -> Plan {
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
    let mut plan = Plan {
        name: model.name.clone(),
        fields: model.fields.iter().map(field_spec).collect(),
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
    }
}

fn ladder(ladder: &Ladder) -> LadderSpec {
    LadderSpec {
        steps: ladder
            .steps
            .iter()
            .map(|s| (node(&s.condition), s.label.clone()))
            .collect(),
        otherwise: ladder.otherwise.clone(),
    }
}

/// Rule conditions, each stored once: rules that test the same thing
/// share one entry, evaluated once per lead.
#[derive(Default)]
struct Conditions {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
}

impl Conditions {
    fn intern(&mut self, node: Node) -> usize {
        // Nodes carry no spans, so equal conditions print equally.
        let key = format!("{node:?}");
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.nodes.push(node);
        self.index.insert(key, self.nodes.len() - 1);
        self.nodes.len() - 1
    }
}

/// Compile one checked expression.
pub fn node(expr: &Expr) -> Node {
    let boxed = |e: &Expr| Box::new(node(e));
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
        } => Node::InSet {
            needle: boxed(needle),
            set: Arc::new(ConstSet::new(items)),
            negated: *negated,
        },
        ExprKind::ListHas {
            list,
            item,
            negated,
        } => Node::ListHas {
            list: boxed(list),
            item: boxed(item),
            negated: *negated,
        },
        ExprKind::TextContains(a, b) => Node::TextContains(boxed(a), boxed(b)),
        ExprKind::ContainsAny(list, items) => {
            Node::ContainsAny(boxed(list), Arc::new(ConstSet::new(items)))
        }
        ExprKind::ContainsAll(list, items) => {
            Node::ContainsAll(boxed(list), Arc::new(ConstSet::new(items)))
        }
        ExprKind::StartsWith(a, b) => Node::StartsWith(boxed(a), boxed(b)),
        ExprKind::EndsWith(a, b) => Node::EndsWith(boxed(a), boxed(b)),
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
    let mut used = vec![false; plan.fields.len()];
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
    for (field, used) in plan.fields.iter_mut().zip(used) {
        field.used = used;
    }
}

impl Node {
    /// Call `f` with every field this node reads.
    pub fn for_each_field(&self, f: &mut impl FnMut(usize)) {
        match self {
            Node::Field(id) => f(*id),
            _ => self.for_each_child(&mut |child| child.for_each_field(f)),
        }
    }

    /// Call `f` on each direct child.
    pub fn for_each_child(&self, f: &mut impl FnMut(&Node)) {
        match self {
            Node::Not(a) | Node::Neg(a) | Node::IsMissing(a) | Node::IsPresent(a) => f(a),
            Node::Within(a, _) | Node::DateShift(a, _) | Node::Matches(a, _) => f(a),
            Node::ContainsAny(a, _) | Node::ContainsAll(a, _) => f(a),
            Node::InSet { needle, .. } => f(needle),
            Node::ListHas { list, item, .. } => {
                f(list);
                f(item);
            }
            Node::TextContains(a, b)
            | Node::StartsWith(a, b)
            | Node::EndsWith(a, b)
            | Node::Compare(_, a, b) => {
                f(a);
                f(b);
            }
            Node::Between(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Node::And(items) | Node::Or(items) | Node::Call(_, items) => items.iter().for_each(f),
            Node::Arith(first, rest) => {
                f(first);
                rest.iter().for_each(|(_, n)| f(n));
            }
            _ => {}
        }
    }
}
