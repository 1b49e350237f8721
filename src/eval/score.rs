//! Scoring one lead: rules, group caps, the score, the ladder, the tiers.

use super::expr::{self, Env, Folded};
use super::{Fired, Lead, Outcome};
use crate::check::model::Limits;
use crate::plan::{LadderSpec, Node, Plan};
use crate::value::{Date, Decimal, Value};

/// Scores leads with one plan, as of one date. Holds no per-lead state,
/// so one scorer can serve many threads.
#[derive(Debug, Clone)]
pub struct Scorer<'p> {
    plan: &'p Plan,
    today: Date,
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

/// Per-lead working state: condition results and rule points.
struct Sums {
    conditions: Vec<Option<bool>>,
    points: Vec<Option<Decimal>>,
    group_sums: Vec<Decimal>,
    score_sum: Decimal,
}

impl<'p> Scorer<'p> {
    /// A scorer for `plan` with `today` as the as-of date.
    pub fn new(plan: &'p Plan, today: Date) -> Scorer<'p> {
        Scorer { plan, today }
    }

    /// Score one lead.
    pub fn score(&self, lead: &Lead) -> Outcome {
        let folded = self.fold(lead);
        let sums = self.sums(lead, &folded);
        self.finish(lead, &folded, &sums).0
    }

    /// Score one lead and keep what every rule and ladder line saw.
    pub fn explain(&self, lead: &Lead) -> Trace {
        let folded = self.fold(lead);
        let sums = self.sums(lead, &folded);
        let (outcome, stage_step, tier_steps) = self.finish(lead, &folded, &sums);
        let rules = self
            .plan
            .rules
            .iter()
            .enumerate()
            .map(|(id, rule)| RuleTrace {
                condition: sums.conditions.get(rule.condition).copied().flatten(),
                points: sums.points.get(id).copied().flatten(),
                inputs: self.inputs(lead, rule.condition, &rule.points),
            })
            .collect();
        Trace {
            outcome,
            rules,
            group_sums: sums.group_sums,
            score_sum: sums.score_sum,
            stage_step,
            tier_steps,
        }
    }

    /// Evaluate `node` over a scored lead: outputs, `fired(…)` and fields
    /// are all visible (what a test's `expect` sees).
    pub fn evaluate_after(&self, lead: &Lead, outcome: &Outcome, node: &Node) -> Option<bool> {
        let folded = self.fold(lead);
        let mut fired = vec![false; self.plan.rules.len()];
        for f in &outcome.fired {
            if let Some(slot) = fired.get_mut(f.rule) {
                *slot = true;
            }
        }
        let env = Env {
            lead,
            folded: &folded,
            today: self.today,
            groups: &outcome.groups,
            score: Some(outcome.score),
            stage: outcome.stage.as_deref(),
            tiers: &outcome.tiers,
            fired: &fired,
        };
        expr::truth(node, &env)
    }

    /// Fold the lead's text and list values once (readers leave the
    /// fields no rule reads empty, so only those are folded).
    fn fold(&self, lead: &Lead) -> Vec<Folded> {
        lead.values.iter().map(|v| Folded::of(v.as_ref())).collect()
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
    fn sums(&self, lead: &Lead, folded: &[Folded]) -> Sums {
        let env = self.env(lead, folded);
        let conditions: Vec<Option<bool>> = self
            .plan
            .conditions
            .iter()
            .map(|c| expr::truth(c, &env))
            .collect();
        let points: Vec<Option<Decimal>> = self
            .plan
            .rules
            .iter()
            .map(|rule| {
                if conditions.get(rule.condition).copied().flatten() != Some(true) {
                    return None;
                }
                let points = expr::number(&rule.points, &env)?;
                Some(if rule.negate { -points } else { points })
            })
            .collect();
        let mut group_sums = vec![Decimal::ZERO; self.plan.groups.len()];
        let mut top_level = Decimal::ZERO;
        for (rule, points) in self.plan.rules.iter().zip(&points) {
            let Some(points) = points else { continue };
            let slot = match rule.group.and_then(|g| group_sums.get_mut(g)) {
                Some(slot) => slot,
                None => &mut top_level,
            };
            *slot = slot.saturating_add(*points);
        }
        let capped = self
            .plan
            .groups
            .iter()
            .zip(&group_sums)
            .map(|(g, sum)| clamp(*sum, g.limits));
        let score_sum = capped.fold(top_level, |acc, g| acc.saturating_add(g));
        Sums {
            conditions,
            points,
            group_sums,
            score_sum,
        }
    }

    /// Caps, then the stage and the tiers.
    fn finish(
        &self,
        lead: &Lead,
        folded: &[Folded],
        sums: &Sums,
    ) -> (Outcome, Option<usize>, Vec<Option<usize>>) {
        let groups: Vec<Decimal> = self
            .plan
            .groups
            .iter()
            .zip(&sums.group_sums)
            .map(|(g, sum)| clamp(*sum, g.limits).normalize())
            .collect();
        let score = clamp(sums.score_sum, self.plan.score_limits).normalize();
        let mut env = self.env(lead, folded);
        env.groups = &groups;
        env.score = Some(score);
        let stage_step = self.plan.stage.as_ref().and_then(|l| step_taken(l, &env));
        let stage = self.plan.stage.as_ref().and_then(|l| label(l, stage_step));
        let mut tiers: Vec<Option<String>> = Vec::with_capacity(self.plan.tiers.len());
        let mut tier_steps = Vec::with_capacity(self.plan.tiers.len());
        for tier in &self.plan.tiers {
            let env = Env {
                stage: stage.as_deref(),
                tiers: &tiers,
                ..self.env(lead, folded)
            };
            let env = Env {
                groups: &groups,
                score: Some(score),
                ..env
            };
            let step = step_taken(&tier.ladder, &env);
            tier_steps.push(step);
            let value = label(&tier.ladder, step);
            tiers.push(value);
        }
        let fired = sums
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
        (
            Outcome {
                score,
                groups,
                stage,
                tiers,
                fired,
            },
            stage_step,
            tier_steps,
        )
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

/// The first line of a ladder whose condition is true.
fn step_taken<'a>(ladder: &'a LadderSpec, env: &Env<'a>) -> Option<usize> {
    ladder
        .steps
        .iter()
        .position(|(condition, _)| expr::truth(condition, env) == Some(true))
}

/// The label a ladder gives when `step` was taken (or none was).
fn label(ladder: &LadderSpec, step: Option<usize>) -> Option<String> {
    match step {
        Some(i) => ladder.steps.get(i).map(|(_, l)| l.clone()),
        None => ladder.otherwise.clone(),
    }
}

/// Limit a sum to `max` and `min`.
pub fn clamp(value: Decimal, limits: Limits) -> Decimal {
    let value = limits.max.map_or(value, |max| value.min(max));
    limits.min.map_or(value, |min| value.max(min))
}
