//! Running a model's `test` blocks (spec section 8): each `given` is a
//! lead, scored as of the test's date; each `expect` must be true.

use super::{AccountTables, EventTable, Lead, Outcome, Scored, Scorer};
use crate::check::Model;
use crate::plan::{self, Plan};
use crate::span::Span;
use crate::value::Date;

/// The result of one test block.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    pub name: String,
    pub span: Span,
    /// What the test's lead scored.
    pub outcome: Outcome,
    /// The expectations that did not hold.
    pub failures: Vec<Failure>,
}

/// An `expect` line that was false or missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The span of the expression after `expect`.
    pub span: Span,
    /// `Some(false)` or `None` (missing).
    pub value: Option<bool>,
}

impl TestResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The test lead's account values: those given, and the others as its
/// account would have them with the lead alone in it (section 13).
fn alone_in_account(
    scorer: &Scorer,
    account: &crate::plan::AccountSpec,
    given: &[(usize, crate::value::Value)],
    lead: &mut Lead,
) {
    let today = scorer.today;
    let set = |lead: &mut Lead, tables: &AccountTables, level: bool| {
        let mut values = Vec::new();
        let key = lead.values.get(account.by).cloned().flatten();
        tables.values_for(account, key.as_ref(), &mut values);
        let levels = account.score_level.iter();
        for (i, ((spec, value), at)) in account.values.iter().zip(values).zip(levels).enumerate() {
            let value = match given.iter().find(|(g, _)| *g == i) {
                Some((_, v)) => Some(v.clone()),
                None => value,
            };
            if *at == level {
                if let Some(slot) = lead.values.get_mut(spec.field) {
                    *slot = value;
                }
            }
        }
    };
    let mut tables = AccountTables::default();
    // A sum past the largest decimal leaves the values missing.
    let _ = tables
        .input
        .add(account, false, lead, Scored::default(), today);
    set(lead, &tables, false);
    let mut scratch = super::Scratch::default();
    scorer.run(lead, &mut scratch);
    let scored = Scored {
        groups: &scratch.groups,
        score: Some(scratch.score),
    };
    let _ = tables.score.add(account, true, lead, scored, today);
    set(lead, &tables, true);
}

/// Run every test of `model` (compiled as `plan`); a test without `as of`
/// uses `today`.
pub fn run_tests(model: &Model, plan: &Plan, today: Date) -> Vec<TestResult> {
    model
        .tests
        .iter()
        .map(|test| {
            let mut lead = Lead {
                values: vec![None; plan.fields.len()],
            };
            for (field, value) in &test.given {
                if let Some(slot) = lead.values.get_mut(*field) {
                    *slot = Some(value.clone());
                }
            }
            let as_of = test.as_of.unwrap_or(today);
            for (i, source) in plan.events.iter().enumerate() {
                let given = test.events.iter().find(|(s, _)| *s == i);
                let events = given.map_or(&[][..], |(_, e)| e.as_slice());
                // A sum past the largest decimal leaves the values missing.
                let values = EventTable::values_of(source, events, as_of).unwrap_or_default();
                for (aggregate, value) in source.aggregates.iter().zip(values) {
                    if let Some(slot) = lead.values.get_mut(aggregate.field) {
                        *slot = value;
                    }
                }
            }
            let scorer = Scorer::new(plan, as_of);
            if let Some(account) = &plan.account {
                alone_in_account(&scorer, account, &test.accounts, &mut lead);
            }
            let outcome = scorer.score(&lead);
            let failures = test
                .expects
                .iter()
                .filter_map(|expect| {
                    let value = scorer.evaluate_after(&lead, &outcome, &plan::node(model, expect));
                    (value != Some(true)).then_some(Failure {
                        span: expect.span,
                        value,
                    })
                })
                .collect();
            TestResult {
                name: test.name.clone(),
                span: test.span,
                outcome,
                failures,
            }
        })
        .collect()
}
