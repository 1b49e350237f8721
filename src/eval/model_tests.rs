//! Running a model's `test` blocks (spec section 8): each `given` is a
//! lead, scored as of the test's date; each `expect` must be true.

use super::{AccountTables, EventTable, Lead, Outcome, Scored, Scorer};
use crate::check::Model;
use crate::id::{AccountValueId, FieldId, IdVec, SourceId};
use crate::plan::{self, Plan};
use crate::span::Span;
use crate::value::{Date, Value};

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
    given: &[(AccountValueId, crate::value::Value)],
    lead: &mut Lead,
) {
    let today = scorer.today;
    let set = |lead: &mut Lead, tables: &AccountTables, level: bool| {
        let mut values = Vec::new();
        let key = lead.values.at(account.by).clone();
        tables.values_for(account, key.as_ref(), &mut values);
        for ((id, spec), value) in account.values.enumerate().zip(values) {
            let value = match given.iter().find(|(g, _)| *g == id) {
                Some((_, v)) => Some(v.clone()),
                None => value,
            };
            if *account.score_level.at(id) == level {
                *lead.values.at_mut(spec.field) = value;
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

/// A test's given events of one source, as the plan's nodes over an
/// event read them (its fields are the source's, one for one).
fn given_events(
    test: &crate::check::model::Test,
    source: SourceId,
) -> Vec<IdVec<FieldId, Option<Value>>> {
    let given = test.events.iter().find(|(s, _)| *s == source);
    let events = given.map_or(&[][..], |(_, e)| e.as_slice());
    events.iter().map(|e| e.iter().cloned().collect()).collect()
}

/// Run every test of `model` (compiled as `plan`); a test without `as of`
/// uses `today`.
pub fn run_tests(model: &Model, plan: &Plan, today: Date) -> Vec<TestResult> {
    model
        .tests
        .iter()
        .map(|test| {
            let mut lead = Lead {
                values: plan.fields.map(|_| None),
            };
            for (field, value) in &test.given {
                *lead.values.at_mut(*field) = Some(value.clone());
            }
            let as_of = test.as_of.unwrap_or(today);
            for (id, source) in plan.events.enumerate() {
                let events = given_events(test, id);
                // A sum past the largest decimal leaves the values missing.
                let values =
                    EventTable::values_of(source, &events, &lead, as_of).unwrap_or_default();
                for (aggregate, value) in source.aggregates.iter().zip(values) {
                    *lead.values.at_mut(aggregate.field) = value;
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
