//! Scoring one lead: rules, group caps, the score, the ladder, the tiers.
//!
//! [`Scorer::run`] does the work into a reusable [`Scratch`], so scoring
//! many leads allocates nothing once the scratch has grown; [`Scorer::score`]
//! and [`Scorer::explain`] wrap it for one-off use.

use super::compiled::Condition;
use super::expr::{self, Env, Folded};
use super::{Fired, Lead, Outcome};
use crate::check::model::Limits;
use crate::plan::{LadderSpec, Node, Plan};
use crate::value::{ops, Date, Decimal, FieldType, Value};

/// Scores leads with one plan, as of one date. Holds no per-lead state,
/// so one scorer can serve many threads (each with its own [`Scratch`]).
#[derive(Debug, Clone)]
pub struct Scorer<'p> {
    plan: &'p Plan,
    today: Date,
    /// Per field: whether some expression compares its folded text, so it
    /// is folded once per lead (`matches` and `is missing` need no folding).
    folds: Vec<bool>,
    /// `plan.conditions`, compiled.
    conditions: Vec<Condition<'p>>,
    /// The stage ladder's and each tier's conditions, compiled.
    stage: Vec<Condition<'p>>,
    tiers: Vec<Vec<Condition<'p>>>,
}

/// Per-lead working state, reused from lead to lead; after
/// [`Scorer::run`] it holds that lead's results.
#[derive(Debug, Clone, Default)]
pub struct Scratch<'p> {
    folded: Vec<Folded>,
    conditions: Vec<Option<bool>>,
    /// Each rule's signed points when it fired.
    pub points: Vec<Option<Decimal>>,
    group_sums: Vec<Decimal>,
    score_sum: Decimal,
    /// Capped group subtotals.
    pub groups: Vec<Decimal>,
    /// The capped score.
    pub score: Decimal,
    /// The stage label, if the model has a ladder and a line was taken.
    pub stage: Option<&'p str>,
    stage_step: Option<usize>,
    /// Each tier's label.
    pub tiers: Vec<Option<&'p str>>,
    tier_steps: Vec<Option<usize>>,
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
        let compile = |ladder: &'p LadderSpec| {
            let steps = ladder.steps.iter();
            steps.map(|(c, _)| Condition::new(c, today)).collect()
        };
        Scorer {
            plan,
            today,
            folds: folded_fields(plan),
            conditions: plan
                .conditions
                .iter()
                .map(|c| Condition::new(c, today))
                .collect(),
            stage: plan.stage.as_ref().map(compile).unwrap_or_default(),
            tiers: plan.tiers.iter().map(|t| compile(&t.ladder)).collect(),
        }
    }

    /// Score one lead.
    pub fn score(&self, lead: &Lead) -> Outcome {
        let mut scratch = Scratch::default();
        self.run(lead, &mut scratch);
        scratch.outcome()
    }

    /// Score one lead into `scratch`, reusing its memory.
    pub fn run(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        scratch
            .folded
            .resize_with(lead.values.len(), Folded::default);
        let fields = scratch.folded.iter_mut().zip(&lead.values);
        for ((slot, value), folds) in fields.zip(&self.folds) {
            if *folds {
                slot.refill(value.as_ref());
            }
        }
        self.sums(lead, scratch);
        self.finish(lead, scratch);
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
                condition: scratch.conditions.get(rule.condition).copied().flatten(),
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
        };
        expr::truth(node, &env)
    }

    fn env<'a>(&self, lead: &'a Lead, folded: &'a [Folded]) -> Env<'a> {
        Env {
            lead,
            folded,
            today: self.today,
            groups: &[],
            score: None,
            stage: None,
            tiers: &[],
            fired: &[],
        }
    }

    /// Conditions once each, then each rule's points, group sums, the sum.
    fn sums(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        let env = self.env(lead, &scratch.folded);
        scratch.conditions.clear();
        let conditions = self.conditions.iter().map(|c| c.truth(&env));
        scratch.conditions.extend(conditions);
        scratch.points.clear();
        for rule in &self.plan.rules {
            let holds = scratch.conditions.get(rule.condition).copied().flatten() == Some(true);
            let points = if holds {
                expr::number(&rule.points, &env)
            } else {
                None
            };
            scratch
                .points
                .push(points.map(|p| if rule.negate { -p } else { p }));
        }
        scratch.group_sums.clear();
        scratch
            .group_sums
            .resize(self.plan.groups.len(), Decimal::ZERO);
        let mut top_level = Decimal::ZERO;
        for (rule, points) in self.plan.rules.iter().zip(&scratch.points) {
            let Some(points) = points else { continue };
            let slot = match rule.group.and_then(|g| scratch.group_sums.get_mut(g)) {
                Some(slot) => slot,
                None => &mut top_level,
            };
            *slot = slot.saturating_add(*points);
        }
        scratch.groups.clear();
        let capped = self.plan.groups.iter().zip(&scratch.group_sums);
        scratch
            .groups
            .extend(capped.map(|(g, sum)| clamp(*sum, g.limits).normalize()));
        scratch.score_sum = scratch
            .groups
            .iter()
            .fold(top_level, |acc, g| acc.saturating_add(*g));
    }

    /// The score's caps, then the stage and the tiers.
    fn finish(&self, lead: &Lead, scratch: &mut Scratch<'p>) {
        scratch.score = clamp(scratch.score_sum, self.plan.score_limits).normalize();
        let mut env = self.env(lead, &scratch.folded);
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
                ..self.env(lead, &scratch.folded)
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

impl Scratch<'_> {
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

/// Per field of `plan`: whether an expression reads its folded text. A
/// field read only by `matches`, `is missing` or `is present` is not.
fn folded_fields(plan: &Plan) -> Vec<bool> {
    fn visit(node: &Node, folds: &mut [bool]) {
        match node {
            Node::Field(id) => {
                if let Some(slot) = folds.get_mut(*id) {
                    *slot = true;
                }
            }
            Node::Matches(inner, _) | Node::IsMissing(inner) | Node::IsPresent(inner)
                if matches!(**inner, Node::Field(_)) => {}
            _ => node.for_each_child(&mut |child| visit(child, folds)),
        }
    }
    let mut folds = vec![false; plan.fields.len()];
    // Only text and lists have a folded form.
    let foldable: Vec<bool> = (plan.fields.iter())
        .map(|f| matches!(f.ty, FieldType::Text | FieldType::List))
        .collect();
    let ladders = plan
        .stage
        .iter()
        .chain(plan.tiers.iter().map(|t| &t.ladder));
    let steps = ladders.flat_map(|l| l.steps.iter().map(|(condition, _)| condition));
    let points = plan.rules.iter().map(|r| &r.points);
    for node in plan.conditions.iter().chain(points).chain(steps) {
        visit(node, &mut folds);
    }
    for (folds, foldable) in folds.iter_mut().zip(foldable) {
        *folds &= foldable;
    }
    folds
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
