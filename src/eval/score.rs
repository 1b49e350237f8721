//! Scoring one lead: rules, group caps, the score, the ladder, the tiers.
//!
//! [`Scorer::run`] does the work into a reusable [`Scratch`], so scoring
//! many leads allocates nothing once the scratch has grown; [`Scorer::score`]
//! and [`Scorer::explain`] wrap it for one-off use.

use super::compiled::{CellTest, Condition, Number};
use super::expr::{self, Env, Folded};
use super::memo::Memo;
use super::predicates::{byte_truth, reads, truth_byte, Predicates, Reads, Truth};
use super::{Fired, Lead, Outcome, Overflow};
use crate::check::model::Limits;
use crate::plan::{LadderSpec, Node, Plan, RuleStep};
use crate::value::{ops, Date, Decimal, FieldType, Value};

/// Scores leads with one plan, as of one date. Holds no per-lead state,
/// so one scorer can serve many threads (each with its own [`Scratch`]).
#[derive(Debug, Clone)]
pub struct Scorer<'p> {
    plan: &'p Plan,
    today: Date,
    /// The conditions' one-field parts, tested field by field first.
    predicates: Predicates<'p>,
    /// The fields that have predicates.
    tested: Vec<usize>,
    /// Per field: its local rules, whose condition is one of the field's
    /// predicates and whose points read no other field. What they add is a
    /// function of the field's cell, so [`Memo`] keeps it with the
    /// predicates' truths, and a remembered cell's rules are not run again.
    local: Vec<Vec<Local>>,
    /// The other rules' ids, in file order, and the conditions they read.
    others: Vec<usize>,
    other_conditions: Vec<usize>,
    /// Per field: whether its predicates or its local rules' points
    /// compare its folded text, so it is folded before they are tested
    /// (`matches` and `is missing` need no folding).
    folds_for_predicates: Vec<bool>,
    /// The fields whose folded text the rest (the other rules, the
    /// ladders) reads, so they are folded once per lead.
    folds: Vec<usize>,
    /// Per field: whether the rest reads its value at all.
    reads: Vec<bool>,
    /// Per field: whether the rest reads one of its predicates' truths
    /// (else a remembered cell's truths need not be copied to the lead's).
    truths_read: Vec<bool>,
    /// `plan.conditions`, compiled.
    conditions: Vec<Condition<'p>>,
    /// Each rule's points, signed.
    points: Vec<Points<'p>>,
    /// Per rule: the group its points are summed into, or the number of
    /// groups for the top level.
    sum_into: Vec<usize>,
    /// The groups' caps and the score's, for the integer sums.
    fixed_group_limits: Vec<FixedLimits>,
    fixed_score_limits: FixedLimits,
    /// The stage ladder's and each tier's conditions, compiled.
    stage: Vec<Condition<'p>>,
    tiers: Vec<Vec<Condition<'p>>>,
}

/// A local rule as the memo keeps it (see [`Scorer::local_points`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalPoints {
    pub rule: usize,
    /// Its condition: which of the field's predicates (0 is the first).
    pub predicate: usize,
    /// Its points, when constant.
    pub constant: Option<Decimal>,
}

/// A rule local to one field (see [`Scorer::local`]).
#[derive(Debug, Clone, Copy)]
struct Local {
    rule: usize,
    /// The predicate that is the rule's condition.
    predicate: usize,
}

/// Per-lead working state, reused from lead to lead; after
/// [`Scorer::run`] it holds that lead's results.
#[derive(Debug, Clone, Default)]
pub struct Scratch<'p> {
    folded: Vec<Folded>,
    /// Truths of the scorer's field predicates.
    pub(crate) predicates: Vec<Truth>,
    /// Truths of the conditions the rules that are not local read.
    conditions: Vec<Option<bool>>,
    /// Each rule's signed points when it fired.
    pub points: Vec<Option<Decimal>>,
    fired: FiredRules,
    /// Group sums as integers (see [`Scorer::exact_sums`]).
    fixed: Vec<i128>,
    group_sums: Vec<Decimal>,
    score_sum: Decimal,
    /// Whether `score` is set already (see [`Scorer::capped_exactly`]).
    score_capped: bool,
    /// Capped group subtotals.
    pub groups: Vec<Decimal>,
    /// The capped score.
    pub score: Decimal,
    /// The stage label, if the model has a ladder and a line was taken.
    pub stage: Option<&'p str>,
    /// The stage ladder's line taken (`None`: `else` or nothing).
    pub(crate) stage_step: Option<usize>,
    /// Each tier's label.
    pub tiers: Vec<Option<&'p str>>,
    tier_steps: Vec<Option<usize>>,
    /// The first sum that went past the largest decimal, if one did: the
    /// results are then not the lead's, and it must not be scored.
    pub overflow: Option<Overflow>,
}

/// Everything `tally explain` shows about one lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub outcome: Outcome,
    /// Per rule, in file order.
    pub rules: Vec<RuleTrace>,
    /// Per group: the sum before its caps.
    pub group_sums: Vec<Decimal>,
    /// The score before its caps.
    pub score_sum: Decimal,
    /// The stage ladder line taken (`None`: `else` or nothing).
    pub stage_step: Option<usize>,
    /// Per tier, the line taken.
    pub tier_steps: Vec<Option<usize>>,
    /// A sum past the largest decimal: the lead cannot be scored.
    pub overflow: Option<Overflow>,
}

/// How one rule went.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTrace {
    /// `Some(true)`: the condition held; `None`: it was missing.
    pub condition: Option<bool>,
    /// The points, evaluated when the condition held (signed).
    pub points: Option<Decimal>,
    /// The fields the rule looked at, with their values.
    pub inputs: Vec<(usize, Option<Value>)>,
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
        let tested = (0..plan.fields.len())
            .filter(|f| !predicates.of(*f).is_empty())
            .collect();
        let (local, others) = local_rules(plan, &predicates);
        let mut other_conditions: Vec<usize> = others
            .iter()
            .filter_map(|r| plan.rules.get(*r).map(|r| r.condition))
            .collect();
        other_conditions.sort_unstable();
        other_conditions.dedup();
        let local_points = local
            .iter()
            .flatten()
            .filter_map(|l| plan.rules.get(l.rule));
        let predicate_nodes = predicates.conditions.iter().map(Condition::node);
        let for_predicates = predicate_nodes.chain(local_points.map(|r| &r.points));
        let folds_for_predicates = folded_fields(plan, for_predicates, |_| false);
        let rest = |n: &Node| predicates.id(n).is_some();
        let folds = folded_fields(plan, rest_nodes(plan, &others), rest);
        let folds = (0..folds.len()).filter(|f| folds.get(*f) == Some(&true));
        let folds = folds.collect();
        let mut reads = vec![false; plan.fields.len()];
        let mut truths_read = vec![false; plan.fields.len()];
        for node in rest_nodes(plan, &others) {
            fields_read(node, &rest, &mut reads);
            predicates_read(node, &predicates, &mut truths_read);
        }
        let points = plan.rules.iter().map(Points::new).collect();
        let top_level = plan.groups.len();
        let sum_into = plan
            .rules
            .iter()
            .map(|r| r.group.unwrap_or(top_level))
            .collect();
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
        }
    }

    /// Per plan field, its local rules (see [`Scorer::local`]).
    pub(crate) fn local_points(&self) -> impl Iterator<Item = Vec<LocalPoints>> + '_ {
        self.local.iter().enumerate().map(|(field, locals)| {
            let first = self.predicates.of(field).start;
            let constant = |rule: usize| match self.points.get(rule) {
                Some(Points::Const(n)) => Some(*n),
                _ => None,
            };
            locals
                .iter()
                .map(|l| LocalPoints {
                    rule: l.rule,
                    predicate: l.predicate.saturating_sub(first),
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
        self.plan.fields.iter().enumerate().map(|(field, spec)| {
            let locals = self.local.get(field).map_or(&[][..], Vec::as_slice);
            let constant = locals
                .iter()
                .all(|l| matches!(self.points.get(l.rule), Some(Points::Const(_))));
            let read = self.reads.get(field).copied().unwrap_or(true);
            let conditions = self.predicates.conditions.get(self.predicates.of(field))?;
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
        (0..self.plan.fields.len())
            .map(|f| self.predicates.of(f))
            .zip(read)
    }

    /// Per plan field, whether anything but its predicates reads its value:
    /// for the others, a lead scored with [`Scorer::run_memo`] need not
    /// hold the value of a cell the memo recalled.
    pub(crate) fn values_read(&self) -> impl Iterator<Item = bool> + '_ {
        self.reads.iter().copied()
    }

    /// Score one lead.
    pub fn score(&self, lead: &Lead) -> Outcome {
        let mut scratch = Scratch::default();
        self.run(lead, &mut scratch);
        scratch.outcome()
    }

    /// Score one lead into `scratch`, reusing its memory.
    pub fn run(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        self.begin(scratch);
        self.run_memo(lead, scratch, None);
    }

    /// Make `scratch` ready for a lead: the last lead's fired rules
    /// forgotten. [`Memo::recall`] then sets a remembered cell's truths
    /// and fired rules in it as the lead's cells are read.
    pub fn begin(&self, scratch: &mut Scratch<'p>) {
        // Sized for the plan once (`resize` is a call even when it has
        // nothing to do, and this runs per lead).
        if scratch.folded.len() != self.plan.fields.len()
            || scratch.predicates.len() != self.predicates.len()
            || scratch.points.len() != self.plan.rules.len()
        {
            self.size(scratch);
        }
        // Only the last lead's fired rules have points to clear.
        for &rule in &scratch.fired.rules {
            if let Some(slot) = scratch.points.get_mut(rule) {
                *slot = None;
            }
        }
        scratch.fired.clear();
    }

    #[cold]
    fn size(&self, scratch: &mut Scratch<'p>) {
        scratch
            .folded
            .resize_with(self.plan.fields.len(), Folded::default);
        scratch.predicates.resize(self.predicates.len(), 0);
        scratch.points.resize(self.plan.rules.len(), None);
    }

    /// Score a lead whose cells were read after [`Scorer::begin`]: the
    /// fields `memo` recalled have their truths and local rules set (see
    /// [`Memo::recall`]); the others are tested here, and remembered.
    pub fn run_memo(&self, lead: &Lead, scratch: &mut Scratch<'p>, mut memo: Option<&mut Memo>) {
        if scratch.folded.len() != lead.values.len() {
            scratch
                .folded
                .resize_with(lead.values.len(), Folded::default);
        }
        for &field in &self.tested {
            if memo.as_deref_mut().is_some_and(|m| m.recalled(field)) {
                continue;
            }
            let range = self.predicates.of(field);
            self.test_field(field, lead, scratch);
            if let Some(memo) = memo.as_deref_mut() {
                let value = lead.values.get(field).and_then(Option::as_ref);
                let locals = self.local.get(field).map_or(&[][..], Vec::as_slice);
                let fired = locals
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| Some((i, scratch.points.get(l.rule).copied().flatten()?)));
                memo.remember(field, value, scratch.predicate_truths(range), fired);
            }
        }
        for &field in &self.folds {
            let value = lead.values.get(field).and_then(Option::as_ref);
            if let Some(slot) = scratch.folded.get_mut(field) {
                slot.refill(value);
            }
        }
        self.sums(lead, scratch);
        self.finish(lead, scratch);
    }

    /// Test field `field`'s predicates.
    #[inline(never)] // a miss: kept out of the per-row loop's code
    fn test_field(&self, field: usize, lead: &Lead, scratch: &mut Scratch<'p>) {
        let (Some(folded), Some(value)) = (scratch.folded.get_mut(field), lead.values.get(field))
        else {
            return;
        };
        if self.folds_for_predicates.get(field) == Some(&true) {
            folded.refill(value.as_ref());
        }
        let env = self.env(lead, &scratch.folded, &[]);
        let range = self.predicates.of(field);
        let conditions = self
            .predicates
            .conditions
            .get(range.clone())
            .unwrap_or_default();
        let slots = scratch.predicates.get_mut(range).unwrap_or_default();
        for (slot, condition) in slots.iter_mut().zip(conditions) {
            *slot = truth_byte(condition.truth(&env));
        }
        let env = self.env(lead, &scratch.folded, &scratch.predicates);
        for local in self.local.get(field).into_iter().flatten() {
            let holds =
                scratch.predicates.get(local.predicate).copied() == Some(truth_byte(Some(true)));
            let points = self.points.get(local.rule).filter(|_| holds);
            if let Some(points) = points.and_then(|p| p.value(&env)) {
                scratch.fired.fire(&mut scratch.points, local.rule, points);
            }
        }
    }

    /// Score one lead and keep what every rule and ladder line saw.
    pub fn explain(&self, lead: &Lead) -> Trace {
        let mut scratch = Scratch::default();
        self.run(lead, &mut scratch);
        let rules = self
            .plan
            .rules
            .iter()
            .enumerate()
            .map(|(id, rule)| RuleTrace {
                condition: self.condition_truth(&scratch, id, rule.condition),
                points: scratch.points.get(id).copied().flatten(),
                inputs: self.inputs(lead, rule.condition, &rule.points),
            })
            .collect();
        Trace {
            outcome: scratch.outcome(),
            rules,
            group_sums: scratch.group_sums.clone(),
            score_sum: scratch.score_sum,
            stage_step: scratch.stage_step,
            tier_steps: scratch.tier_steps.clone(),
            overflow: scratch.overflow,
        }
    }

    /// Evaluate `node` over a scored lead: outputs, `fired(…)` and fields
    /// are all visible (what a test's `expect` sees).
    pub fn evaluate_after(&self, lead: &Lead, outcome: &Outcome, node: &Node) -> Option<bool> {
        let folded: Vec<Folded> = lead.values.iter().map(|v| Folded::of(v.as_ref())).collect();
        let mut fired = vec![false; self.plan.rules.len()];
        for f in &outcome.fired {
            if let Some(slot) = fired.get_mut(f.rule) {
                *slot = true;
            }
        }
        let tiers: Vec<Option<&str>> = outcome.tiers.iter().map(Option::as_deref).collect();
        let env = Env {
            lead,
            folded: &folded,
            today: self.today,
            groups: &outcome.groups,
            score: Some(outcome.score),
            stage: outcome.stage.as_deref(),
            tiers: &tiers,
            fired: &fired,
            predicates: &[],
        };
        expr::truth(node, &env)
    }

    /// The truth of rule `rule`'s condition `condition` as the last
    /// scoring left it: a local rule's is its predicate's.
    fn condition_truth(&self, scratch: &Scratch, rule: usize, condition: usize) -> Option<bool> {
        let local = self.local.iter().flatten().find(|l| l.rule == rule);
        match local {
            Some(l) => scratch
                .predicates
                .get(l.predicate)
                .copied()
                .and_then(byte_truth),
            None => scratch.conditions.get(condition).copied().flatten(),
        }
    }

    fn env<'a>(&self, lead: &'a Lead, folded: &'a [Folded], predicates: &'a [Truth]) -> Env<'a> {
        Env {
            lead,
            folded,
            today: self.today,
            groups: &[],
            score: None,
            stage: None,
            tiers: &[],
            fired: &[],
            predicates,
        }
    }

    /// The rules that are not local (the local ones ran with their
    /// fields), then group sums and the sum, in file order.
    fn sums(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        scratch.overflow = None;
        let env = self.env(lead, &scratch.folded, &scratch.predicates);
        // Only these conditions are read, and each is set: no clearing.
        if scratch.conditions.len() != self.conditions.len() {
            scratch.conditions.resize(self.conditions.len(), None);
        }
        for &id in &self.other_conditions {
            if let (Some(slot), Some(condition)) =
                (scratch.conditions.get_mut(id), self.conditions.get(id))
            {
                *slot = condition.truth(&env);
            }
        }
        for &id in &self.others {
            let (Some(rule), Some(points)) = (self.plan.rules.get(id), self.points.get(id)) else {
                continue;
            };
            let holds = scratch.conditions.get(rule.condition).copied().flatten() == Some(true);
            let points = if holds { points.value(&env) } else { None };
            if let Some(points) = points {
                scratch.fired.fire(&mut scratch.points, id, points);
            }
        }
        // The groups' sums, then the top level's.
        zeros(&mut scratch.group_sums, self.plan.groups.len() + 1);
        let exact = scratch.fired.any_order && self.exact_sums(scratch);
        if exact && self.capped_exactly(scratch) {
            scratch.group_sums.pop(); // the top level's
            return;
        }
        if !exact {
            self.sums_in_file_order(scratch);
        }
        self.cap_groups(scratch);
    }

    /// The group sums and the top level's, in file order, as decimals: a
    /// sum may round or go past the largest decimal (noted in
    /// `scratch.overflow`), so it adds as the spec does. (Out of line, as
    /// the integer sums almost always do: the per-lead code stays small
    /// enough for the instruction cache.)
    #[inline(never)]
    fn sums_in_file_order(&self, scratch: &mut Scratch<'p>) {
        scratch.group_sums.fill(Decimal::ZERO);
        let groups = self.plan.groups.len();
        for (rule, value) in scratch.points.iter().enumerate() {
            let into = self.sum_into.get(rule).copied().unwrap_or(usize::MAX);
            if let (Some(value), Some(slot)) = (value, scratch.group_sums.get_mut(into)) {
                *slot = slot.checked_add(*value).unwrap_or_else(|| {
                    let at = (into < groups).then_some(into);
                    scratch.overflow.get_or_insert(Overflow { group: at });
                    slot.saturating_add(*value)
                });
            }
        }
    }

    /// The groups' caps on decimal sums, and the score's sum.
    #[inline(never)]
    fn cap_groups(&self, scratch: &mut Scratch<'p>) {
        let top_level = scratch.group_sums.pop().unwrap_or_default();
        scratch.groups.clear();
        let capped = self.plan.groups.iter().zip(&scratch.group_sums);
        scratch
            .groups
            .extend(capped.map(|(g, sum)| clamp(*sum, g.limits).normalize()));
        let mut sum = top_level;
        for group in &scratch.groups {
            sum = sum.checked_add(*group).unwrap_or_else(|| {
                scratch.overflow.get_or_insert(Overflow { group: None });
                sum.saturating_add(*group)
            });
        }
        scratch.score_sum = sum;
    }

    /// Sum the points of the rules that fired into `scratch.group_sums`
    /// (zeros) as integers at the most places among them, when each one's
    /// points are small (see [`FiredRules::fire`]): the sums are then exact
    /// and fit, so the order does not matter, and only the rules that fired
    /// are visited. False (and nothing summed) if a sum would not fit.
    fn exact_sums(&self, scratch: &mut Scratch<'p>) -> bool {
        let places = scratch.fired.places;
        zeros(&mut scratch.fixed, scratch.group_sums.len());
        let fired = scratch.fired.rules.iter().zip(&scratch.fired.small);
        for (&rule, &(mantissa, scale)) in fired {
            let into = self.sum_into.get(rule).copied().unwrap_or(usize::MAX);
            let Some(slot) = scratch.fixed.get_mut(into) else {
                continue;
            };
            // Below 2^32 times at most 10^9: a 64-bit product.
            let shift = places.saturating_sub(scale) as usize;
            let scaled = POWERS_OF_TEN
                .get(shift)
                .and_then(|unit| mantissa.checked_mul(*unit));
            match scaled.and_then(|n| slot.checked_add(i128::from(n))) {
                Some(total) => *slot = total,
                None => return false,
            }
        }
        for (sum, fixed) in scratch.group_sums.iter_mut().zip(&scratch.fixed) {
            match Decimal::try_from_i128_with_scale(*fixed, places) {
                Ok(total) => *sum = total,
                Err(_) => return false,
            }
        }
        true
    }

    /// After [`Scorer::exact_sums`]: the groups' caps, the score and its
    /// caps, on the integers at `places` (exact, and no `Decimal`
    /// arithmetic). False, with nothing final set, when a cap has more
    /// places or a total does not fit: the `Decimal` path then does it.
    fn capped_exactly(&self, scratch: &mut Scratch<'p>) -> bool {
        let places = scratch.fired.places;
        let Some(&top_level) = scratch.fixed.last() else {
            return false;
        };
        scratch.groups.clear();
        let mut score = top_level;
        for (limits, sum) in self.fixed_group_limits.iter().zip(&scratch.fixed) {
            let capped = limits.clamp(*sum, places);
            let total = capped.and_then(|c| Some((c, score.checked_add(c)?)));
            let Some((capped, total)) = total else {
                return false;
            };
            let Some(capped) = normalized(capped, places) else {
                return false;
            };
            scratch.groups.push(capped);
            score = total;
        }
        let capped = self.fixed_score_limits.clamp(score, places);
        let (Some(capped), Ok(sum)) = (
            capped.and_then(|c| normalized(c, places)),
            Decimal::try_from_i128_with_scale(score, places),
        ) else {
            return false;
        };
        scratch.score_sum = sum;
        scratch.score = capped;
        scratch.score_capped = true;
        true
    }

    /// The score's caps, then the stage and the tiers.
    fn finish(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        if !std::mem::take(&mut scratch.score_capped) {
            self.cap_score(scratch);
        }
        let mut env = self.env(lead, &scratch.folded, &scratch.predicates);
        env.groups = &scratch.groups;
        env.score = Some(scratch.score);
        let stage_step = step_taken(&self.stage, &env);
        let stage = self.plan.stage.as_ref().and_then(|l| label(l, stage_step));
        let mut tiers: Vec<Option<&'p str>> = std::mem::take(&mut scratch.tiers);
        let mut tier_steps = std::mem::take(&mut scratch.tier_steps);
        tiers.clear();
        tier_steps.clear();
        for (tier, steps) in self.plan.tiers.iter().zip(&self.tiers) {
            let env = Env {
                stage,
                tiers: &tiers,
                ..self.env(lead, &scratch.folded, &scratch.predicates)
            };
            let env = Env {
                groups: &scratch.groups,
                score: Some(scratch.score),
                ..env
            };
            let step = step_taken(steps, &env);
            tier_steps.push(step);
            tiers.push(label(&tier.ladder, step));
        }
        scratch.stage = stage;
        scratch.stage_step = stage_step;
        scratch.tiers = tiers;
        scratch.tier_steps = tier_steps;
    }

    /// The score's caps on its decimal sum (see [`Scorer::cap_groups`]).
    #[inline(never)]
    fn cap_score(&self, scratch: &mut Scratch<'p>) {
        scratch.score = clamp(scratch.score_sum, self.plan.score_limits).normalize();
    }

    /// The fields a rule reads, with this lead's values.
    fn inputs(&self, lead: &Lead, condition: usize, points: &Node) -> Vec<(usize, Option<Value>)> {
        let mut ids = Vec::new();
        let mut note = |id: usize| {
            if !ids.contains(&id) {
                ids.push(id);
            }
        };
        if let Some(c) = self.plan.conditions.get(condition) {
            c.for_each_field(&mut note);
        }
        points.for_each_field(&mut note);
        ids.into_iter()
            .map(|id| (id, lead.values.get(id).cloned().flatten()))
            .collect()
    }
}

/// Set `sums` to `n` zeros, reusing its memory: element by element, as a
/// lead has a few sums and `clear` then `resize` would call `memset`.
#[inline]
fn zeros<T: Copy + Default>(sums: &mut Vec<T>, n: usize) {
    sums.truncate(n);
    for sum in sums.iter_mut() {
        *sum = T::default();
    }
    while sums.len() < n {
        sums.push(T::default());
    }
}

/// 10^0 to 10^9: small points have at most 9 places.
const POWERS_OF_TEN: [i64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// The rules that fired in one lead, in the order their points were set.
#[derive(Debug, Clone, Default)]
struct FiredRules {
    rules: Vec<usize>,
    /// While `any_order`: each one's points as an integer and its places.
    small: Vec<(i64, u32)>,
    /// Whether every one's points are small enough that the sums are exact
    /// in any order (see [`FiredRules::fire`]).
    any_order: bool,
    /// The most places among their points.
    places: u32,
}

impl FiredRules {
    fn clear(&mut self) {
        self.rules.clear();
        self.small.clear();
        self.any_order = true;
        self.places = 0;
    }

    /// Rule `rule` fired with `value`: set its slot of `points`. Points
    /// below 2^32 in magnitude with at most 9 places add up exactly in any
    /// order (any sum of them fits the 96 bits of a decimal at 9 places),
    /// so they need not be summed in file order.
    fn fire(&mut self, points: &mut [Option<Decimal>], rule: usize, value: Decimal) {
        self.fire_small(points, rule, value, small_points(value));
    }

    /// [`FiredRules::fire`], given `small_points(value)` (constant points
    /// have theirs worked out once).
    #[inline]
    fn fire_small(
        &mut self,
        points: &mut [Option<Decimal>],
        rule: usize,
        value: Decimal,
        small: Option<(i64, u32)>,
    ) {
        if let Some(slot) = points.get_mut(rule) {
            *slot = Some(value);
            self.rules.push(rule);
            if !self.any_order {
                return;
            }
            match small {
                Some((mantissa, scale)) => {
                    self.small.push((mantissa, scale));
                    self.places = self.places.max(scale);
                }
                None => self.any_order = false,
            }
        }
    }
}

/// Points as an integer and its places, if they are small enough to add
/// up exactly in any order (see [`FiredRules::fire`]).
pub(crate) fn small_points(value: Decimal) -> Option<(i64, u32)> {
    let (mantissa, scale) = (value.mantissa(), value.scale());
    let small = i64::try_from(mantissa).ok()?;
    (scale <= 9 && mantissa.unsigned_abs() < 1 << 32).then_some((small, scale))
}

impl Scratch<'_> {
    /// A remembered cell's effect, as testing it would have left it: the
    /// truths of its field's predicates from id `first` on (`None`: no
    /// one reads them), and its fired local rules.
    #[inline]
    pub(crate) fn recalled(
        &mut self,
        first: usize,
        truths: Option<&[Truth]>,
        fired: impl Iterator<Item = (usize, Decimal, Option<(i64, u32)>)>,
    ) {
        if let Some(truths) = truths {
            let slots = self.predicates.get_mut(first..first + truths.len());
            for (slot, truth) in slots.into_iter().flatten().zip(truths) {
                *slot = *truth;
            }
        }
        for (rule, points, small) in fired {
            self.fired.fire_small(&mut self.points, rule, points, small);
        }
    }

    /// How many rules fired (tests).
    #[cfg(test)]
    pub(crate) fn fired_count(&self) -> usize {
        self.fired.rules.len()
    }

    /// The results as an owned [`Outcome`].
    pub fn outcome(&self) -> Outcome {
        let fired = self
            .points
            .iter()
            .enumerate()
            .filter_map(|(rule, p)| {
                p.map(|points| Fired {
                    rule,
                    points: points.normalize(),
                })
            })
            .collect();
        Outcome {
            score: self.score,
            groups: self.groups.clone(),
            stage: self.stage.map(str::to_string),
            tiers: self.tiers.iter().map(|t| t.map(str::to_string)).collect(),
            fired,
        }
    }
}

/// Every expression of `plan` a lead is scored with: conditions, points,
/// ladder lines.
fn rest_nodes<'a>(plan: &'a Plan, others: &'a [usize]) -> impl Iterator<Item = &'a Node> {
    let ladders = plan
        .stage
        .iter()
        .chain(plan.tiers.iter().map(|t| &t.ladder));
    let steps = ladders.flat_map(|l| l.steps.iter().map(|(condition, _)| condition));
    let rules = others.iter().filter_map(|r| plan.rules.get(*r));
    let rules = rules.flat_map(|r| {
        plan.conditions
            .get(r.condition)
            .into_iter()
            .chain([&r.points])
    });
    rules.chain(steps)
}

/// Per field, the rules local to it (see [`Scorer::local`]); and the ids
/// of the others.
fn local_rules(plan: &Plan, predicates: &Predicates) -> (Vec<Vec<Local>>, Vec<usize>) {
    let mut local = vec![Vec::new(); plan.fields.len()];
    let mut others = Vec::new();
    for (rule, step) in plan.rules.iter().enumerate() {
        let condition = plan.conditions.get(step.condition);
        let predicate = condition.and_then(|c| predicates.id(c));
        let field = predicate.and_then(|p| predicates.field(p));
        let points_read = reads(&step.points);
        match (predicate, field) {
            (Some(predicate), Some(field))
                if points_read == Reads::Nothing || points_read == Reads::One(field) =>
            {
                if let Some(rules) = local.get_mut(field) {
                    rules.push(Local { rule, predicate });
                }
            }
            _ => others.push(rule),
        }
    }
    (local, others)
}

/// Mark the fields whose predicates `node` reads.
fn predicates_read(node: &Node, predicates: &Predicates, read: &mut [bool]) {
    match predicates.id(node).and_then(|id| predicates.field(id)) {
        Some(field) => {
            if let Some(slot) = read.get_mut(field) {
                *slot = true;
            }
        }
        None => node.for_each_child(&mut |child| predicates_read(child, predicates, read)),
    }
}

/// Mark the fields `node` reads, leaving out the parts for which `skip`
/// is true.
fn fields_read(node: &Node, skip: &dyn Fn(&Node) -> bool, reads: &mut [bool]) {
    match node {
        _ if skip(node) => {}
        Node::Field(id) => {
            if let Some(slot) = reads.get_mut(*id) {
                *slot = true;
            }
        }
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
) -> Vec<bool> {
    fn visit(node: &Node, folds: &mut [bool], skip: &dyn Fn(&Node) -> bool) {
        match node {
            _ if skip(node) => {}
            Node::Field(id) => {
                if let Some(slot) = folds.get_mut(*id) {
                    *slot = true;
                }
            }
            Node::Matches(inner, _) | Node::IsMissing(inner) | Node::IsPresent(inner)
                if matches!(**inner, Node::Field(_)) => {}
            _ => node.for_each_child(&mut |child| visit(child, folds, skip)),
        }
    }
    let mut folds = vec![false; plan.fields.len()];
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
enum Points<'p> {
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
    fn value(&self, env: &Env<'_>) -> Option<Decimal> {
        match self {
            Points::Const(n) => Some(*n),
            Points::Computed { number, negate } => {
                number.value(env).map(|p| if *negate { -p } else { p })
            }
        }
    }
}

/// The first line of a ladder whose condition is true.
fn step_taken<'a>(steps: &'a [Condition<'a>], env: &Env<'a>) -> Option<usize> {
    steps.iter().position(|c| c.truth(env) == Some(true))
}

/// The label a ladder gives when `step` was taken (or none was).
fn label(ladder: &LadderSpec, step: Option<usize>) -> Option<&str> {
    match step {
        Some(i) => ladder.steps.get(i).map(|(_, l)| l.as_str()),
        None => ladder.otherwise.as_deref(),
    }
}

/// [`clamp`] for a sum held as an integer at `places`; `None` when a
/// limit has more places or does not fit.
fn clamp_fixed(value: i128, limits: Limits, places: u32) -> Option<i128> {
    let at_places = |limit: Decimal| {
        let shift = places.checked_sub(limit.scale())?;
        let unit = POWERS_OF_TEN.get(shift as usize)?;
        // A 64-bit product: a checked 128-bit multiply is a library call.
        let mantissa = i64::try_from(limit.mantissa()).ok()?;
        mantissa.checked_mul(*unit).map(i128::from)
    };
    let mut value = value;
    if let Some(max) = limits.max {
        value = value.min(at_places(max)?);
    }
    if let Some(min) = limits.min {
        value = value.max(at_places(min)?);
    }
    Some(value)
}

/// A cap's limits as integers at each number of places the integer sums
/// use (0 to 9), worked out once: [`clamp_fixed`] without the work.
#[derive(Debug, Clone)]
struct FixedLimits {
    /// Per places: the least and the most a sum may be (the extremes of
    /// `i128` where there is no limit); `None` where a limit has more
    /// places, or does not fit.
    at: [Option<(i128, i128)>; 10],
}

impl FixedLimits {
    fn new(limits: Limits) -> FixedLimits {
        let mut at = [None; 10];
        for (places, slot) in (0u32..).zip(at.iter_mut()) {
            let low = clamp_fixed(i128::MIN, limits, places);
            let high = clamp_fixed(i128::MAX, limits, places);
            *slot = low.zip(high);
        }
        FixedLimits { at }
    }

    /// `value`, an integer at `places`, capped: as [`clamp_fixed`] gives it.
    #[inline]
    fn clamp(&self, value: i128, places: u32) -> Option<i128> {
        let (low, high) = (*self.at.get(places as usize)?)?;
        Some(value.min(high).max(low))
    }
}

/// The integer `value` at `places` as a normalized decimal (no trailing
/// zeros), as [`Decimal::normalize`] gives it; `None` if it does not fit.
fn normalized(mut value: i128, mut places: u32) -> Option<Decimal> {
    // 64-bit divisions when it fits (a 128-bit one is a library call).
    if let Ok(mut small) = i64::try_from(value) {
        while places > 0 && small % 10 == 0 {
            small /= 10;
            places -= 1;
        }
        value = i128::from(small);
    } else {
        while places > 0 && value % 10 == 0 {
            value /= 10;
            places -= 1;
        }
    }
    Decimal::try_from_i128_with_scale(value, places).ok()
}

/// Limit a sum to `max` and `min`.
pub fn clamp(value: Decimal, limits: Limits) -> Decimal {
    let value = match limits.max {
        Some(max) if ops::cmp(value, max).is_gt() => max,
        _ => value,
    };
    match limits.min {
        Some(min) if ops::cmp(value, min).is_lt() => min,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::source::Source;
    use crate::value::parse_date_literal;

    /// Scores of one-field leads `a = n` under `rules`.
    fn scores(rules: &str, leads: &[i64]) -> Vec<String> {
        let text = format!("fields {{\n  a: int\n}}\n{rules}");
        let model = crate::compile(&Source::new("t.tally", text)).model.unwrap();
        let plan = crate::plan::compile(&model);
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        leads
            .iter()
            .map(|n| {
                let lead = Lead {
                    values: vec![Some(Value::Number(Decimal::from(*n)))],
                };
                scorer.score(&lead).score.to_string()
            })
            .collect()
    }

    #[test]
    fn fixed_limits_clamp_as_clamp_fixed_does_at_every_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let limits = [
            Limits {
                max: Some(d("60")),
                min: None,
            },
            Limits {
                max: Some(d("50")),
                min: Some(d("-10")),
            },
            Limits {
                max: Some(d("2.5")),
                min: Some(d("-0.125")),
            },
            Limits {
                max: None,
                min: Some(d("0.0000000001")),
            },
            Limits {
                max: None,
                min: None,
            },
        ];
        let values = [
            i128::MIN,
            -1_000_000_000_000,
            -126,
            -1,
            0,
            1,
            24,
            25,
            2_500_000_001,
            i128::MAX,
        ];
        for limits in limits {
            let fixed = FixedLimits::new(limits);
            for places in 0..=9 {
                for value in values {
                    let want = clamp_fixed(value, limits, places);
                    assert_eq!(
                        fixed.clamp(value, places),
                        want,
                        "{limits:?} {places} {value}"
                    );
                }
            }
        }
    }

    #[test]
    fn caps_hold_with_more_places_than_the_points_and_with_fewer() {
        // `g` caps at 10.5 and -2.5: more places than the integer points
        // (the decimal path), as many as the 0.25 (the integer path).
        let rules = "group g max 10.5 min -2.5 {\n\
                       when a > 0 add 7\n\
                       when a > 1 add 4\n\
                       when a > 2 sub 20\n\
                       when a > 5 add 0.25\n\
                     }\n\
                     when a > 3 add 0.5\n\
                     when a > 4 add 100\n\
                     score max 12.75 min -1.125\n";
        assert_eq!(
            scores(rules, &[1, 2, 3, 4, 5, 6]),
            ["7", "10.5", "-1.125", "-1.125", "12.75", "12.75"]
        );
        let rules = "group g max 10.5 {\n\
                       when a > 0 add 0.25\n\
                       when a > 1 add 20\n\
                     }\n\
                     when a > 2 sub 0.5\n";
        assert_eq!(scores(rules, &[1, 2, 3]), ["0.25", "10.5", "10"]);
    }

    #[test]
    fn small_points_and_large_points_add_up_exactly() {
        let rules = "when a > 0 add 1.5\n\
                     when a > 1 add 4294967296\n\
                     when a > 2 add 0.0000000001\n\
                     when a > 3 sub 4294967296\n\
                     when a > 0 add a * 0.25 \"Quarter\"\n";
        assert_eq!(
            scores(rules, &[1, 2, 3, 4]),
            [
                "1.75",
                "4294967298",
                "4294967298.2500000001",
                "2.5000000001"
            ]
        );
    }
}
