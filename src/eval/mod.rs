//! The interpreter: scores leads with a [`Plan`](crate::plan::Plan).
//!
//! Three-valued logic (a missing operand makes most results missing; `and`,
//! `or`, `not`, `is missing` and `is present` follow SQL's rules), exact
//! decimals, Unicode case-folded text comparison, calendar dates.

mod account_key;
mod account_rows;
mod account_rules;
mod account_tables;
mod accounts;
mod compiled;
pub mod decay;
mod events;
mod expr;
mod memo;
mod model_tests;
mod predicates;
mod row;
mod row_sums;
mod run;
mod scorer;
mod scratch;
mod sums;

pub use account_rows::{ChunkAccounts, RowAccount, RowAccounts, RowsBuilder, WARM_ROWS};
pub use account_rules::{partial_sums, FromMemory, RuleSplit};
pub use account_tables::AccountTables;
pub use accounts::{AccountTable, Adding, Scored};
pub use events::{
    contributions, lead_key, same_key, AggregateOverflow, Contribution, EventAdder, EventCounts,
    EventTable, KeySet, SharedTable,
};
pub use memo::{Memo, Recalled};
pub use model_tests::{run_tests, Failure, TestResult};
pub use row::{CellError, Row, RowScorer};
pub use row_sums::{ChunkSums, RowSums, RowsMut};
pub use run::{DecayTrace, RuleTrace, Trace};
pub use scorer::Scorer;
pub use scratch::Scratch;
pub use sums::clamp;

use crate::id::{FieldId, GroupId, IdVec, RuleId};
use crate::plan::Plan;
use crate::value::{Decimal, Value};

/// The typed field values of one lead, indexed like `Plan::fields`.
/// Fields the plan does not use may be left `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lead {
    pub values: IdVec<FieldId, Option<Value>>,
}

/// What scoring one lead produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The capped total.
    pub score: Decimal,
    /// Each group's capped subtotal, in file order.
    pub groups: Vec<Decimal>,
    /// The stage label, if the model has a ladder and a line was taken.
    pub stage: Option<String>,
    /// Each tier's label, in file order.
    pub tiers: Vec<Option<String>>,
    /// The rules that fired with the points they added, in file order.
    pub fired: Vec<Fired>,
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub rule: RuleId,
    /// Signed points (`sub 10` is -10).
    pub points: Decimal,
}

/// A lead whose points add up past the largest decimal (about 7.9·10^28):
/// its score would be a made-up number, so it is not scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow {
    /// The group whose sum overflowed; `None` for the score's own sum.
    pub group: Option<GroupId>,
}

impl Overflow {
    /// Why the lead is not scored, naming the sum that overflowed.
    pub fn reason(self, plan: &Plan) -> String {
        let name = self.group.and_then(|g| plan.groups.get(g));
        let sum = match name {
            Some(group) => format!("the points of group `{}`", group.name),
            None => "its points".to_string(),
        };
        format!(
            "the score overflows: {sum} add up past {}, the largest number Tally holds; \
             check the points the rules take from this row's values",
            Decimal::MAX
        )
    }
}

/// The outputs of a lead in `Plan::output_names` order (`None` is missing).
pub fn output_values(plan: &Plan, outcome: &Outcome) -> Vec<Option<Value>> {
    let mut values = vec![Some(Value::Number(outcome.score))];
    values.extend(outcome.groups.iter().map(|g| Some(Value::Number(*g))));
    if plan.stage.is_some() {
        values.push(outcome.stage.clone().map(Value::Text));
    }
    values.extend(outcome.tiers.iter().map(|t| t.clone().map(Value::Text)));
    values
}
