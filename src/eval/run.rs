//! Scoring one lead: rules, group caps, the score, the ladder, the tiers.
//!
//! [`Scorer::run`] does the work into a reusable [`Scratch`], so scoring
//! many leads allocates nothing once the scratch has grown; [`Scorer::score`]
//! and [`Scorer::explain`] wrap it for one-off use. A worker scoring a
//! stream of rows uses [`RowScorer`](super::RowScorer) instead, which
//! keeps the memo.

use super::compiled::Condition;
use super::decay;
use super::expr::{self, Env, Folded, V};
use super::memo::Memo;
use super::predicates::{byte_truth, truth_byte, Truth};
use super::scorer::Scorer;
use super::scratch::Scratch;
use super::{Lead, Outcome, Overflow};
use crate::check::model::DecayForm;
use crate::id::{ConditionId, FieldId, Id, IdSlice, IdVec, RuleId};
use crate::plan::{LadderSpec, Node};
use crate::value::{ops, Date, Decimal, Value};

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
    pub inputs: Vec<(FieldId, Option<Value>)>,
    /// A fired `when … decay … since DATE` rule's decay (spec section 11:
    /// `tally explain` shows each decayed contribution's age and factor).
    pub decay: Option<DecayTrace>,
}

/// How a `when` rule's points decayed.
#[derive(Debug, Clone, PartialEq)]
pub struct DecayTrace {
    pub form: DecayForm,
    pub since: Date,
    /// Days from `since` to today, 0 for a later `since`.
    pub age: i64,
    pub factor: Decimal,
    /// The points before decay, unsigned as written (`sub` negates).
    pub points: Decimal,
}

impl<'p> Scorer<'p> {
    /// Score one lead.
    pub fn score(&self, lead: &Lead) -> Outcome {
        let lead = self.lead_with_events(lead);
        let mut scratch = Scratch::default();
        self.run(&lead, &mut scratch);
        scratch.outcome()
    }

    /// The lead with its aggregates over events looked up, when the
    /// scorer has events tables (else as it is: a test's lead has its
    /// given events' aggregates set already).
    fn lead_with_events<'l>(&self, lead: &'l Lead) -> std::borrow::Cow<'l, Lead> {
        if self.events.is_none() && self.accounts.is_none() {
            return std::borrow::Cow::Borrowed(lead);
        }
        let mut own = lead.clone();
        self.attach_events(&mut own, &mut Vec::new());
        std::borrow::Cow::Owned(own)
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
                let value = lead.values.at(field).as_ref();
                let fired = (self.local.at(field).iter().enumerate())
                    .filter_map(|(nth, l)| Some((nth, (*scratch.points.at(l.rule))?)));
                memo.remember(field, value, scratch.predicate_truths(range), fired);
            }
        }
        for &field in &self.folds {
            scratch
                .folded
                .at_mut(field)
                .refill(lead.values.at(field).as_ref());
        }
        self.sums(lead, scratch);
        self.finish(lead, scratch);
    }

    /// Finish a lead whose score and capped groups (`sums`: the score,
    /// then each group) are known already, kept from the score-level
    /// account pass: only the stage ladder and the tiers run. The fields
    /// they read (`fields`) were read after [`Scorer::begin`]; their
    /// predicates, unless `memo` recalled them, are tested here, as
    /// [`Scorer::run_memo`] would.
    pub(super) fn finish_from(
        &self,
        lead: &Lead,
        scratch: &mut Scratch<'p>,
        sums: &[Decimal],
        fields: &[FieldId],
        memo: &mut Memo,
    ) {
        let (score, groups) = sums.split_first().unwrap_or((&Decimal::ZERO, &[]));
        scratch.score = *score;
        scratch.groups.clear();
        scratch.groups.extend_from_slice(groups);
        scratch.score_capped = true;
        scratch.overflow = None;
        if scratch.folded.len() != lead.values.len() {
            (scratch.folded).resize_with(lead.values.len(), Folded::default);
        }
        for &field in fields {
            if !memo.recalled(field) {
                self.test_field(field, lead, scratch);
            }
            (scratch.folded.at_mut(field)).refill(lead.values.at(field).as_ref());
        }
        self.finish(lead, scratch);
    }

    /// Test field `field`'s predicates.
    #[inline(never)] // a miss: kept out of the per-row loop's code
    fn test_field(&self, field: FieldId, lead: &Lead, scratch: &mut Scratch<'p>) {
        if *self.folds_for_predicates.at(field) {
            scratch
                .folded
                .at_mut(field)
                .refill(lead.values.at(field).as_ref());
        }
        let env = self.env(lead, &scratch.folded, &[]);
        // INVARIANT: `begin` sized the truths for every predicate, and a
        // field's range is within them.
        let range = self.predicates.of(field);
        let conditions = (self.predicates.conditions).get_range(range.clone());
        let slots = scratch.predicates.get_mut(range);
        for (slot, condition) in slots
            .into_iter()
            .flatten()
            .zip(conditions.into_iter().flatten())
        {
            *slot = truth_byte(condition.truth(&env));
        }
        let env = self.env(lead, &scratch.folded, &scratch.predicates);
        for local in self.local.at(field) {
            let holds =
                env.predicates.get(local.predicate).copied() == Some(truth_byte(Some(true)));
            let points = Some(self.points.at(local.rule)).filter(|_| holds);
            if let Some(points) = points.and_then(|p| p.value(&env)) {
                scratch.fired.fire(&mut scratch.points, local.rule, points);
            }
        }
    }

    /// Score one lead and keep what every rule and ladder line saw.
    pub fn explain(&self, lead: &Lead) -> Trace {
        let lead = &*self.lead_with_events(lead);
        let mut scratch = Scratch::default();
        self.run(lead, &mut scratch);
        let rules = self
            .plan
            .rules
            .enumerate()
            .map(|(id, rule)| RuleTrace {
                condition: self.condition_truth(&scratch, id, rule.condition),
                points: *scratch.points.at(id),
                inputs: self.inputs(lead, rule.condition, &rule.points),
                decay: scratch
                    .points
                    .at(id)
                    .and_then(|_| self.decay_trace(lead, &rule.points)),
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
        let folded = lead.values.map(|v| Folded::of(v.as_ref()));
        let mut fired = self.plan.rules.map(|_| false);
        for f in &outcome.fired {
            *fired.at_mut(f.rule) = true;
        }
        let tiers: Vec<Option<&str>> = outcome.tiers.iter().map(Option::as_deref).collect();
        let env = Env {
            lead,
            folded: folded.view(),
            today: self.today,
            groups: IdSlice::from(outcome.groups.as_slice()),
            score: Some(outcome.score),
            stage: outcome.stage.as_deref(),
            tiers: IdSlice::from(tiers.as_slice()),
            fired: fired.view(),
            predicates: IdSlice::empty(),
        };
        expr::truth(node, &env)
    }

    /// The truth of rule `rule`'s condition `condition` as the last
    /// scoring left it: a local rule's is its predicate's.
    fn condition_truth(
        &self,
        scratch: &Scratch,
        rule: RuleId,
        condition: ConditionId,
    ) -> Option<bool> {
        let local = self.local.iter().flatten().find(|l| l.rule == rule);
        match local {
            Some(l) => (scratch.predicates.get(l.predicate.index()).copied()).and_then(byte_truth),
            None => scratch.conditions.get(condition).copied().flatten(),
        }
    }

    pub(super) fn env<'a>(
        &self,
        lead: &'a Lead,
        folded: &'a IdVec<FieldId, Folded>,
        predicates: &'a [Truth],
    ) -> Env<'a> {
        Env {
            lead,
            folded: folded.view(),
            today: self.today,
            groups: IdSlice::empty(),
            score: None,
            stage: None,
            tiers: IdSlice::empty(),
            fired: IdSlice::empty(),
            predicates: IdSlice::from(predicates),
        }
    }

    /// The score's caps, then the stage and the tiers.
    fn finish(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        if !std::mem::take(&mut scratch.score_capped) {
            self.cap_score(scratch);
        }
        let mut env = self.env(lead, &scratch.folded, &scratch.predicates);
        env.groups = IdSlice::from(scratch.groups.as_slice());
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
                tiers: IdSlice::from(tiers.as_slice()),
                ..self.env(lead, &scratch.folded, &scratch.predicates)
            };
            let env = Env {
                groups: IdSlice::from(scratch.groups.as_slice()),
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

    /// The fields a rule reads, with this lead's values.
    /// The decay of points `points`, when they are `P decay … since D`
    /// and both have values for this lead.
    fn decay_trace(&self, lead: &Lead, points: &Node) -> Option<DecayTrace> {
        let Node::Decayed(undecayed, form, since) = points else {
            return None;
        };
        let folded = lead.values.map(|v| Folded::of(v.as_ref()));
        let env = self.env(lead, &folded, &[]);
        let (Some(V::Num(points)), Some(V::Date(since))) =
            (expr::eval(undecayed, &env), expr::eval(since, &env))
        else {
            return None;
        };
        Some(DecayTrace {
            form: *form,
            since,
            age: ops::days_since(since, self.today).max(0),
            factor: decay::factor(*form, since, self.today),
            points,
        })
    }

    fn inputs(
        &self,
        lead: &Lead,
        condition: ConditionId,
        points: &Node,
    ) -> Vec<(FieldId, Option<Value>)> {
        let mut ids = Vec::new();
        let mut note = |id: FieldId| {
            if !ids.contains(&id) {
                ids.push(id);
            }
        };
        self.plan.conditions.at(condition).for_each_field(&mut note);
        points.for_each_field(&mut note);
        ids.into_iter()
            .map(|id| (id, lead.values.at(id).clone()))
            .collect()
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
