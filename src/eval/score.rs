//! Scoring one lead: rules, group caps, the score, the ladder, the tiers.

use super::{Lead, Outcome};
use crate::plan::Plan;
use crate::value::{Date, Decimal};

/// Scores leads with one plan, as of one date.
#[derive(Debug, Clone)]
pub struct Scorer<'p> {
    plan: &'p Plan,
    today: Date,
}

/// What `explain` saw while scoring one lead.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {}

impl<'p> Scorer<'p> {
    /// A scorer for `plan` with `today` as the as-of date.
    pub fn new(plan: &'p Plan, today: Date) -> Scorer<'p> {
        Scorer { plan, today }
    }

    /// Score one lead.
    pub fn score(&self, _lead: &Lead) -> Outcome {
        let _ = self.today;
        Outcome {
            score: Decimal::ZERO,
            groups: vec![Decimal::ZERO; self.plan.groups.len()],
            stage: None,
            tiers: vec![None; self.plan.tiers.len()],
            fired: Vec::new(),
        }
    }
}
