//! The compiled evaluation plan: checked model → what the interpreter runs.
//!
//! Compiled once per model: text constants case-folded once, `in` lists as
//! hash sets, regexes compiled once (with the literal endings of those
//! anchored at the end, a quick test before the regex), conditions shared by several rules
//! stored once (each rule points at its condition by index), constants
//! folded. Input columns are bound to fields later, per lead file
//! (`io::Binding`), since the plan does not know the header.

mod compile;
mod display;
pub mod endings;
pub mod node;

use crate::check::model::{AggregateKind, DecayForm, Limits};
use crate::id::{AccountValueId, ConditionId, FieldId, GroupId, IdVec, RuleId, SourceId, TierId};
use crate::value::{Decimal, Duration, FieldType, Reading};

pub use compile::{compile, node};
pub use node::{ConstSet, Node, TextOp};

/// A compiled model.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: Option<String>,
    /// The lead's values: its fields as declared, then one per aggregate
    /// over its events (see [`FieldSpec::aggregate`]).
    pub fields: IdVec<FieldId, FieldSpec>,
    /// The events sources and the aggregates computed from each.
    pub events: IdVec<SourceId, EventsSpec>,
    /// `account by FIELD { … }`: its values, computed in passes over the
    /// leads before they are scored.
    pub account: Option<AccountSpec>,
    /// Distinct rule conditions; a condition several rules share is here once.
    pub conditions: IdVec<ConditionId, Node>,
    /// Rules in file order.
    pub rules: IdVec<RuleId, RuleStep>,
    pub groups: IdVec<GroupId, GroupSpec>,
    pub score_limits: Limits,
    pub stage: Option<LadderSpec>,
    pub tiers: IdVec<TierId, TierSpec>,
}

/// A field as the readers need it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    /// The input column (the `from` name, else the field name).
    pub column: String,
    pub ty: FieldType,
    /// How its cells are read: list separator and local format.
    pub read: Reading,
    pub required: bool,
    /// True when some rule, ladder or tier reads the field. Readers parse
    /// and validate only used or required fields.
    pub used: bool,
    /// For a value computed from the lead's events (language 1.1): which
    /// aggregate, as `(source, index among the source's aggregates)`. No
    /// column is read for it; the scorer sets it from the events table.
    pub aggregate: Option<(SourceId, usize)>,
    /// For an account value: which.
    pub account: Option<AccountValueId>,
}

impl FieldSpec {
    /// Whether the value is read from a column of the lead file.
    pub fn is_column(&self) -> bool {
        self.aggregate.is_none() && self.account.is_none()
    }
}

/// The account block as the passes need it.
#[derive(Debug, Clone)]
pub struct AccountSpec {
    /// The lead field that groups the leads.
    pub by: FieldId,
    /// Its values, in order; each is a lead value (`AggregateSpec::field`)
    /// and an output column `account.NAME`. Conditions and values are
    /// nodes over the lead's values (and groups and `score` for a
    /// score-level one).
    pub values: IdVec<AccountValueId, AggregateSpec>,
    /// Per value: whether it reads groups or `score`.
    pub score_level: IdVec<AccountValueId, bool>,
}

impl AccountSpec {
    /// Whether any value is input-level (or score-level).
    pub fn has_level(&self, score_level: bool) -> bool {
        self.score_level.iter().any(|&level| level == score_level)
    }
}

/// An `events` block as the events reader and the aggregation need it.
#[derive(Debug, Clone)]
pub struct EventsSpec {
    pub name: String,
    /// The event record's fields, read like a lead file's (in nodes over
    /// one event, [`Node::Field`] indexes these).
    pub fields: IdVec<FieldId, FieldSpec>,
    /// The join key among `fields`, and the lead field it matches.
    pub key: FieldId,
    pub lead_key: FieldId,
    /// The event time among `fields` (a date).
    pub time: FieldId,
    pub aggregates: Vec<AggregateSpec>,
}

/// One aggregate over a lead's events of one source. Its condition and
/// value are nodes over the event's fields ([`Node::Field`] indexes
/// [`EventsSpec::fields`]), then the lead's fields it reads: field
/// `fields.len() + j` is the lead's `lead_fields[j]`.
#[derive(Debug, Clone)]
pub struct AggregateSpec {
    pub kind: AggregateKind,
    pub condition: Option<Node>,
    pub within: Option<Duration>,
    pub value: Option<Node>,
    pub decay: Option<DecayForm>,
    pub max: Option<Decimal>,
    /// The lead value it sets (in [`Plan::fields`]).
    pub field: FieldId,
    /// The aggregate as written.
    pub text: String,
    /// The lead's fields the set reads (an account value's: none). With
    /// none, the set is the same for every lead of a key.
    pub lead_fields: Vec<FieldId>,
}

/// One rule: when `conditions[condition]` is true, add `points` (negated
/// for `sub`).
#[derive(Debug, Clone)]
pub struct RuleStep {
    pub group: Option<GroupId>,
    pub condition: ConditionId,
    pub points: Node,
    pub negate: bool,
    pub reason: String,
}

/// A group and the rules summed into it.
#[derive(Debug, Clone)]
pub struct GroupSpec {
    pub name: String,
    pub limits: Limits,
    pub rules: Vec<RuleId>,
}

/// A ladder: the first step whose condition is true gives its label.
#[derive(Debug, Clone)]
pub struct LadderSpec {
    pub steps: Vec<(Node, String)>,
    pub otherwise: Option<String>,
}

/// A tier: a named ladder decided after the stage and earlier tiers.
#[derive(Debug, Clone)]
pub struct TierSpec {
    pub name: String,
    pub ladder: LadderSpec,
}

impl Plan {
    /// Which rules read an input-level account value, when the
    /// score-level values can be worked out without reading the lead file
    /// again: the plan has values of both levels, those rules read only
    /// account values (so they give the same for every lead of an
    /// account), and the score-level values read only groups and `score`.
    /// The first pass then sums the other rules (see `eval::RuleSplit`).
    pub fn account_rules_from_memory(&self) -> Option<IdVec<RuleId, bool>> {
        let spec = self.account.as_ref()?;
        if !spec.has_level(false) || !spec.has_level(true) {
            return None;
        }
        let account_field = |f: FieldId| self.fields.at(f).account.is_some();
        let input_level = |f: FieldId| {
            let value = self.fields.at(f).account;
            value.is_some_and(|v| !*spec.score_level.at(v))
        };
        let reads = |node: &Node, test: &dyn Fn(FieldId) -> bool| {
            let mut any = false;
            node.for_each_field(&mut |f| any |= test(f));
            any
        };
        let mut rules = self.rules.map(|_| false);
        for (id, rule) in self.rules.enumerate() {
            let nodes = [self.conditions.at(rule.condition), &rule.points];
            if nodes.iter().any(|n| reads(n, &input_level)) {
                if nodes.iter().any(|n| reads(n, &|f| !account_field(f))) {
                    return None;
                }
                *rules.at_mut(id) = true;
            }
        }
        let score_level = spec.values.iter().zip(&spec.score_level);
        for (value, _) in score_level.filter(|(_, s)| **s) {
            if value
                .condition
                .iter()
                .chain(&value.value)
                .any(|n| reads(n, &|_| true))
            {
                return None;
            }
        }
        Some(rules)
    }

    /// The names of the outputs of a lead, in order: `score`, each group,
    /// `stage` (when the model has a ladder), each tier.
    pub fn output_names(&self) -> Vec<String> {
        let mut names = vec!["score".to_string()];
        names.extend(self.groups.iter().map(|g| g.name.clone()));
        if self.stage.is_some() {
            names.push("stage".to_string());
        }
        names.extend(self.tiers.iter().map(|t| t.name.clone()));
        let accounts = self.account.iter().flat_map(|a| &a.values);
        names.extend(accounts.map(|v| format!("account.{}", v.text)));
        names
    }
}
