//! What a plan asks of the interpreter, worked out once per plan: which
//! conditions split into per-field predicates, which rules are local to
//! one field (their points a function of its cell, so the memo keeps
//! them), which fields are folded and read, and each rule's points.

use super::account_rows::RowAccount;
use super::account_tables::AccountTables;
use super::compiled::CellTest;
use super::compiled::{Condition, Number};
use super::events::EventTable;
use super::expr::Env;
use super::predicates::{reads, Predicates, Reads};
use super::sums::FixedLimits;
use super::Lead;
use crate::id::{ConditionId, FieldId, Id, IdVec, PredId, RuleId};
use crate::plan::{LadderSpec, Node, Plan, RuleStep};
use crate::value::{Date, Decimal, FieldType, Value};

/// Scores leads with one plan, as of one date. Holds no per-lead state,
/// so one scorer can serve many threads (each with its own [`Scratch`]).
#[derive(Debug, Clone)]
pub struct Scorer<'p> {
    pub(super) plan: &'p Plan,
    pub(super) today: Date,
    /// The conditions' one-field parts, tested field by field first.
    pub(super) predicates: Predicates<'p>,
    /// The fields that have predicates.
    pub(super) tested: Vec<FieldId>,
    /// Per field: its local rules, whose condition is one of the field's
    /// predicates and whose points read no other field. What they add is a
    /// function of the field's cell, so [`Memo`] keeps it with the
    /// predicates' truths, and a remembered cell's rules are not run again.
    pub(super) local: IdVec<FieldId, Vec<Local>>,
    /// The other rules' ids, in file order, and the conditions they read.
    pub(super) others: Vec<RuleId>,
    pub(super) other_conditions: Vec<ConditionId>,
    /// Per field: whether its predicates or its local rules' points
    /// compare its folded text, so it is folded before they are tested
    /// (`matches` and `is missing` need no folding).
    pub(super) folds_for_predicates: IdVec<FieldId, bool>,
    /// The fields whose folded text the rest (the other rules, the
    /// ladders) reads, so they are folded once per lead.
    pub(super) folds: Vec<FieldId>,
    /// Per field: whether the rest reads its value at all.
    pub(super) reads: IdVec<FieldId, bool>,
    /// Per field: whether the rest reads one of its predicates' truths
    /// (else a remembered cell's truths need not be copied to the lead's).
    pub(super) truths_read: IdVec<FieldId, bool>,
    /// `plan.conditions`, compiled.
    pub(super) conditions: IdVec<ConditionId, Condition<'p>>,
    /// Each rule's points, signed.
    pub(super) points: IdVec<RuleId, Points<'p>>,
    /// Per rule: where its points are summed among a lead's sums: its
    /// group's, or after the groups', the top level's.
    pub(super) sum_into: IdVec<RuleId, usize>,
    /// The groups' caps and the score's, for the integer sums.
    pub(super) fixed_group_limits: Vec<FixedLimits>,
    pub(super) fixed_score_limits: FixedLimits,
    /// The stage ladder's and each tier's conditions, compiled.
    pub(super) stage: Vec<Condition<'p>>,
    pub(super) tiers: Vec<Vec<Condition<'p>>>,
    /// The events tables the lead's aggregates are looked up in, one per
    /// source of the plan (none given: every lead has no events).
    pub(super) events: Option<&'p [EventTable]>,
    /// The account values' tables (none given: no lead has an account).
    pub(super) accounts: Option<&'p AccountTables>,
    /// Whether [`Scorer::attach`] sets the lead's account values (see
    /// [`Scorer::without_account_values`]).
    account_values: bool,
}

/// A local rule as the memo keeps it (see [`Scorer::local_points`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalPoints {
    pub rule: RuleId,
    /// Its condition: which of the field's predicates (0 is the first).
    pub nth: usize,
    /// Its points, when constant.
    pub constant: Option<Decimal>,
}

/// A rule local to one field (see [`Scorer::local`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Local {
    pub(super) rule: RuleId,
    /// The predicate that is the rule's condition.
    pub(super) predicate: PredId,
}

impl<'p> Scorer<'p> {
    /// A scorer for `plan` with `today` as the as-of date.
    pub fn new(plan: &'p Plan, today: Date) -> Scorer<'p> {
        let predicates = Predicates::new(plan, today);
        let condition = |node: &'p Node| Condition::with(node, today, Some(&predicates));
        let compile = |ladder: &'p LadderSpec| {
            let steps = ladder.steps.iter();
            steps.map(|(c, _)| condition(c)).collect()
        };
        let conditions = plan.conditions.iter().map(condition).collect();
        let stage = plan.stage.as_ref().map(compile).unwrap_or_default();
        let tiers = plan.tiers.iter().map(|t| compile(&t.ladder)).collect();
        let tested = (plan.fields.ids())
            .filter(|f| !predicates.of(*f).is_empty())
            .collect();
        let (local, others) = local_rules(plan, &predicates);
        let mut other_conditions: Vec<ConditionId> =
            others.iter().map(|r| plan.rules.at(*r).condition).collect();
        other_conditions.sort_unstable();
        other_conditions.dedup();
        let local_points = local.iter().flatten().map(|l| plan.rules.at(l.rule));
        let predicate_nodes = predicates.conditions.iter().map(Condition::node);
        let for_predicates = predicate_nodes.chain(local_points.map(|r| &r.points));
        let folds_for_predicates = folded_fields(plan, for_predicates, |_| false);
        let rest = |n: &Node| predicates.id(n).is_some();
        let folds = folded_fields(plan, rest_nodes(plan, &others), rest);
        let folds = folds.enumerate().filter(|(_, f)| **f).map(|(id, _)| id);
        let folds = folds.collect();
        let mut reads = plan.fields.map(|_| false);
        let mut truths_read = plan.fields.map(|_| false);
        for node in rest_nodes(plan, &others) {
            fields_read(node, &rest, &mut reads);
            predicates_read(node, &predicates, &mut truths_read);
        }
        // A join key's value is looked up in the events tables, so the
        // memo must leave it in the lead even when only predicates read it.
        for source in plan.events.iter().filter(|s| !s.aggregates.is_empty()) {
            *reads.at_mut(source.lead_key) = true;
        }
        // So are an account's grouping field and what its values read:
        // the account passes read them from the lead (`RowScorer::last`).
        if let Some(account) = &plan.account {
            let mut mark = |field: FieldId| *reads.at_mut(field) = true;
            mark(account.by);
            for value in &account.values {
                for node in value.condition.iter().chain(&value.value) {
                    node.for_each_field(&mut mark);
                }
            }
        }
        let points = plan.rules.map(Points::new);
        let top_level = plan.groups.len();
        let sum_into = plan.rules.map(|r| r.group.map_or(top_level, Id::index));
        Scorer {
            plan,
            today,
            points,
            sum_into,
            predicates,
            tested,
            local,
            others,
            other_conditions,
            folds_for_predicates,
            folds,
            reads,
            truths_read,
            conditions,
            fixed_group_limits: plan
                .groups
                .iter()
                .map(|g| FixedLimits::new(g.limits))
                .collect(),
            fixed_score_limits: FixedLimits::new(plan.score_limits),
            stage,
            tiers,
            events: None,
            accounts: None,
            account_values: true,
        }
    }

    /// The scorer, leaving the leads' account values missing: for the
    /// first pass of a split (`RuleSplit::before`), whose rules read none
    /// and which writes no output, looking them up is wasted work.
    pub fn without_account_values(mut self) -> Scorer<'p> {
        self.account_values = false;
        self
    }

    /// The scorer, looking each lead's account values up in `tables`.
    pub fn with_accounts(mut self, tables: &'p AccountTables) -> Scorer<'p> {
        self.accounts = Some(tables);
        self
    }

    /// Whether a lead's values include some computed before its rules
    /// (aggregates over events, account values).
    pub fn has_precomputed(&self) -> bool {
        self.plan.events.iter().any(|s| !s.aggregates.is_empty()) || self.plan.account.is_some()
    }

    /// The scorer, looking each lead's events up in `tables` (one per
    /// events source of the plan, in order).
    pub fn with_events(mut self, tables: &'p [EventTable]) -> Scorer<'p> {
        self.events = Some(tables);
        self
    }

    /// Set the lead's values of the aggregates over its events (a plan
    /// without events sources leaves it as it is). `buffer` is reused.
    pub fn attach_events(&self, lead: &mut Lead, buffer: &mut Vec<Option<Value>>) {
        self.attach(lead, buffer, RowAccount::Unknown);
    }

    /// [`Scorer::attach_events`] for a lead whose account the first
    /// account pass found (`Unknown`: found by its key); gives the
    /// account it read.
    pub fn attach(
        &self,
        lead: &mut Lead,
        buffer: &mut Vec<Option<Value>>,
        found: RowAccount,
    ) -> RowAccount {
        let empty = EventTable::default();
        let mut row_account = RowAccount::None;
        if let Some(account) = self.plan.account.as_ref().filter(|_| self.account_values) {
            let none = AccountTables::default();
            let tables = self.accounts.unwrap_or(&none);
            let key = lead.values.at(account.by).as_ref();
            row_account = tables.values_at(account, found, key, buffer);
            for (value, computed) in account.values.iter().zip(buffer.drain(..)) {
                *lead.values.at_mut(value.field) = computed;
            }
        }
        for (i, source) in self.plan.events.enumerate() {
            let table = self.events.and_then(|t| t.get(i.index())).unwrap_or(&empty);
            table.values_for(source, lead, self.today, buffer);
            for (aggregate, value) in source.aggregates.iter().zip(buffer.drain(..)) {
                *lead.values.at_mut(aggregate.field) = value;
            }
        }
        row_account
    }

    /// The plan the scorer scores with.
    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    /// Per plan field, its local rules (see [`Scorer::local`]).
    pub(crate) fn local_points(&self) -> impl Iterator<Item = Vec<LocalPoints>> + '_ {
        self.local.enumerate().map(|(field, locals)| {
            let first = self.predicates.of(field).start;
            let constant = |rule: RuleId| match *self.points.at(rule) {
                Points::Const(n) => Some(n),
                Points::Computed { .. } => None,
            };
            locals
                .iter()
                .map(|l| LocalPoints {
                    rule: l.rule,
                    nth: l.predicate.index() - first,
                    constant: constant(l.rule),
                })
                .collect()
        })
    }

    /// Per plan field, its predicates as [`CellTest`]s, when it is a text
    /// field whose predicates all are (`is missing`, `matches`), whose
    /// local rules' points are constant and whose value nothing else
    /// reads: such a field can be tested as its cell is read, with no
    /// lead value. `None` for the other fields.
    pub(crate) fn cell_tests(&self) -> impl Iterator<Item = Option<Vec<CellTest>>> + '_ {
        self.plan.fields.enumerate().map(|(field, spec)| {
            let locals = self.local.at(field);
            let constant = locals
                .iter()
                .all(|l| matches!(*self.points.at(l.rule), Points::Const(_)));
            let read = *self.reads.at(field);
            let conditions = (self.predicates.conditions).get_range(self.predicates.of(field))?;
            if spec.ty != FieldType::Text || read || !constant || conditions.is_empty() {
                return None;
            }
            conditions.iter().map(|c| c.cell_test(field)).collect()
        })
    }

    /// Per plan field: the ids of its predicates, and whether the rest
    /// (the rules that are not local, the ladders) reads their truths.
    pub(crate) fn predicate_ranges(
        &self,
    ) -> impl Iterator<Item = (std::ops::Range<usize>, bool)> + '_ {
        let read = self.truths_read.iter().copied();
        (self.plan.fields.ids())
            .map(|f| self.predicates.of(f))
            .zip(read)
    }

    /// Per plan field, whether anything but its predicates reads its value:
    /// for the others, a lead scored with [`Scorer::run_memo`] need not
    /// hold the value of a cell the memo recalled.
    pub(crate) fn values_read(&self) -> impl Iterator<Item = bool> + '_ {
        self.reads.iter().copied()
    }
}

fn rest_nodes<'a>(plan: &'a Plan, others: &'a [RuleId]) -> impl Iterator<Item = &'a Node> {
    let ladders = plan
        .stage
        .iter()
        .chain(plan.tiers.iter().map(|t| &t.ladder));
    let steps = ladders.flat_map(|l| l.steps.iter().map(|(condition, _)| condition));
    let rules = others.iter().map(|r| plan.rules.at(*r));
    let rules = rules.flat_map(|r| [plan.conditions.at(r.condition), &r.points]);
    rules.chain(steps)
}

/// Per field, the rules local to it (see [`Scorer::local`]); and the ids
/// of the others.
fn local_rules(plan: &Plan, predicates: &Predicates) -> (IdVec<FieldId, Vec<Local>>, Vec<RuleId>) {
    let mut local = plan.fields.map(|_| Vec::new());
    let mut others = Vec::new();
    for (rule, step) in plan.rules.enumerate() {
        let predicate = predicates.id(plan.conditions.at(step.condition));
        let field = predicate.and_then(|p| predicates.field(p));
        let points_read = reads(&step.points);
        match (predicate, field) {
            (Some(predicate), Some(field))
                if points_read == Reads::Nothing || points_read == Reads::One(field) =>
            {
                local.at_mut(field).push(Local { rule, predicate });
            }
            _ => others.push(rule),
        }
    }
    (local, others)
}

/// Mark the fields whose predicates `node` reads.
fn predicates_read(node: &Node, predicates: &Predicates, read: &mut IdVec<FieldId, bool>) {
    match predicates.id(node).and_then(|id| predicates.field(id)) {
        Some(field) => read[field] = true,
        None => node.for_each_child(&mut |child| predicates_read(child, predicates, read)),
    }
}

/// Mark the fields `node` reads, leaving out the parts for which `skip`
/// is true.
fn fields_read(node: &Node, skip: &dyn Fn(&Node) -> bool, reads: &mut IdVec<FieldId, bool>) {
    match node {
        _ if skip(node) => {}
        Node::Field(id) => reads[*id] = true,
        _ => node.for_each_child(&mut |child| fields_read(child, skip, reads)),
    }
}

/// Per field of `plan`: whether one of `nodes` reads its folded text,
/// leaving out the parts for which `skip` is true. A field read only by
/// `matches`, `is missing` or `is present` is not.
fn folded_fields<'n>(
    plan: &Plan,
    nodes: impl Iterator<Item = &'n Node>,
    skip: impl Fn(&Node) -> bool,
) -> IdVec<FieldId, bool> {
    fn visit(node: &Node, folds: &mut IdVec<FieldId, bool>, skip: &dyn Fn(&Node) -> bool) {
        match node {
            _ if skip(node) => {}
            Node::Field(id) => folds[*id] = true,
            Node::Matches(inner, _) | Node::IsMissing(inner) | Node::IsPresent(inner)
                if matches!(**inner, Node::Field(_)) => {}
            _ => node.for_each_child(&mut |child| visit(child, folds, skip)),
        }
    }
    let mut folds = plan.fields.map(|_| false);
    for node in nodes {
        visit(node, &mut folds, &skip);
    }
    // Only text and lists have a folded form.
    for (folds, field) in folds.iter_mut().zip(&plan.fields) {
        *folds &= matches!(field.ty, FieldType::Text | FieldType::List);
    }
    folds
}

/// A rule's points, ready to add.
#[derive(Debug, Clone)]
pub(super) enum Points<'p> {
    /// Constant points (most rules), signed.
    Const(Decimal),
    /// Computed points: evaluated when the rule fires.
    Computed { number: Number<'p>, negate: bool },
}

impl<'p> Points<'p> {
    fn new(rule: &'p RuleStep) -> Points<'p> {
        match &rule.points {
            Node::Const(Value::Number(n)) => Points::Const(if rule.negate { -*n } else { *n }),
            node => Points::Computed {
                number: Number::new(node),
                negate: rule.negate,
            },
        }
    }

    /// The signed points; `None` when they are missing.
    pub(super) fn value(&self, env: &Env<'_>) -> Option<Decimal> {
        match self {
            Points::Const(n) => Some(*n),
            Points::Computed { number, negate } => {
                number.value(env).map(|p| if *negate { -p } else { p })
            }
        }
    }
}
