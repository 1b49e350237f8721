//! The score-level account pass worked out from memory instead of from
//! the lead file (spec: LANGUAGE.md section 12, evaluation order).
//!
//! A model whose rules read input-level account values and whose ladder
//! reads score-level ones takes three reads of the file: input-level
//! values, then every lead's score (it needs them), then the output. But
//! the rules that read no account value can be summed in the first read,
//! and when the others read nothing else of the lead (only account
//! values, as `when account.deciders >= 2 add 10` does), the second
//! "read" needs only each row's account and those first sums: it runs
//! from memory, and the file is read twice.
//!
//! The split is exact: the first read keeps a row's sums only when every
//! point it added is small (see `FiredRules::fire`): sums of small points
//! are the same in any order, so adding the account rules' points later
//! gives what adding all of them in file order gives. Anything else (a
//! point with many places, a sum past the largest decimal, a file longer
//! than the memory kept for sums, NDJSON) falls back to the pass over the
//! file, which scores every lead in full.

use super::account_rows::warm;
use super::account_rows::RowAccounts;
use super::account_tables::AccountTables;
use super::accounts::{AccountTable, Adding, Scored};
use super::events::AggregateOverflow;
use super::row_sums::{RowSums, RowsMut};
use super::scorer::Scorer;
use super::scratch::Scratch;
use super::{Lead, RowAccount, WARM_ROWS};
use crate::check::model::Limits;
use crate::id::{IdVec, RuleId};
use crate::plan::{AccountSpec, Node, Plan};
use crate::value::{Date, Decimal, Value};

/// A plan's rules split by whether they read an input-level account
/// value, as two plans over the same fields: in each, the other part's
/// rules never fire, no sum is capped, and there is no ladder, so that a
/// lead's sums under `before` plus its sums under `after`, capped, are
/// its sums under the plan.
#[derive(Debug, Clone)]
pub struct RuleSplit {
    /// The rules that read no account value (run in the first pass).
    pub before: Plan,
    /// The rules that read one (run from memory).
    pub after: Plan,
}

impl RuleSplit {
    /// The split, when the score-level pass can run from memory (see
    /// [`Plan::account_rules_from_memory`]).
    pub fn of(plan: &Plan) -> Option<RuleSplit> {
        let after = plan.account_rules_from_memory()?;
        Some(RuleSplit {
            before: keep_rules(plan, &after.map(|a| !a)),
            after: keep_rules(plan, &after),
        })
    }
}

/// `plan` where only the rules `keep` marks fire, with no caps and no
/// ladders. Rule numbers stay as they are (a rule left out has a
/// condition that is never true); a condition no kept rule reads is
/// dropped, so that its field tests are not run.
fn keep_rules(plan: &Plan, keep: &IdVec<RuleId, bool>) -> Plan {
    let mut plan = plan.clone();
    let mut read = plan.conditions.map(|_| false);
    for (rule, kept) in plan.rules.iter().zip(keep.iter()) {
        if *kept {
            *read.at_mut(rule.condition) = true;
        }
    }
    for (node, read) in plan.conditions.iter_mut().zip(read.iter()) {
        if !*read {
            *node = Node::Const(Value::Bool(false));
        }
    }
    let never = plan.conditions.push(Node::Const(Value::Bool(false)));
    for (rule, kept) in plan.rules.iter_mut().zip(keep.iter()) {
        if !*kept {
            rule.condition = never;
            rule.points = Node::Const(Value::Number(Decimal::ZERO));
        }
    }
    let none = Limits {
        max: None,
        min: None,
    };
    for group in plan.groups.iter_mut() {
        group.limits = none;
    }
    plan.score_limits = none;
    plan.stage = None;
    plan.tiers = IdVec::new();
    plan
}

/// The sums a first pass keeps of a lead scored with a split's `before`
/// plan: the top level's, then each group's (none is capped); `false`
/// when they may not be completed later (see the module's documentation).
pub fn partial_sums(scratch: &Scratch, into: &mut Vec<Decimal>) -> bool {
    into.clear();
    if !scratch.exact || scratch.overflow.is_some() {
        return false;
    }
    let groups = scratch
        .groups
        .iter()
        .try_fold(Decimal::ZERO, |sum, g| sum.checked_add(*g));
    let Some(top) = groups.and_then(|g| scratch.score.checked_sub(g)) else {
        return false;
    };
    into.push(top);
    into.extend_from_slice(&scratch.groups);
    true
}

/// The scorers of the score-level pass from memory: `full` scores with
/// the plan (its caps), `after` with the split's account rules; both look
/// the input-level values up in the tables settled so far.
pub struct FromMemory<'a, 'p> {
    pub full: &'a Scorer<'p>,
    pub after: &'a Scorer<'p>,
    pub spec: &'p AccountSpec,
    pub tables: &'a AccountTables,
    pub today: Date,
}

impl FromMemory<'_, '_> {
    /// The score-level pass: each row's sums (`sums`, from the first pass,
    /// by row) completed with its account's rules, capped, and added to
    /// its account, on `threads` threads (each a run of rows, with a
    /// table of its own, merged at the end as the file's workers' are).
    /// Gives the score-level table and each row's score and groups (for
    /// the scoring pass); `None` when a row cannot be completed so, and
    /// the file must be read instead.
    pub fn run(
        &self,
        mut sums: RowSums,
        threads: usize,
    ) -> Result<Option<(AccountTable, RowSums)>, AggregateOverflow> {
        let Some(rows) = self.tables.rows().filter(|r| r.len() == sums.len()) else {
            return Ok(None);
        };
        let Some(after) = self.account_sums(threads) else {
            return Ok(None);
        };
        let parts = sums.parts_mut(threads);
        let tables: Vec<_> = std::thread::scope(|scope| {
            let after = after.as_slice();
            let work = |(first, part)| move || self.run_part(rows, after, first, part);
            let handles: Vec<_> = parts.into_iter().map(|p| scope.spawn(work(p))).collect();
            let joined = handles.into_iter().map(|h| h.join());
            joined.map(|j| j.unwrap_or(Ok(None))).collect()
        });
        let mut table = AccountTable::default();
        for part in tables {
            let Some(part) = part? else {
                return Ok(None);
            };
            table.merge(self.spec, part)?;
        }
        sums.forget_noted();
        Ok(Some((table, sums)))
    }

    /// [`FromMemory::run`] for the rows of `part`, the first of which is
    /// row `first`.
    fn run_part(
        &self,
        rows: &RowAccounts,
        after: &[Decimal],
        first: u64,
        mut part: RowsMut,
    ) -> Result<Option<AccountTable>, AggregateOverflow> {
        let width = self.full.plan().groups.len() + 1;
        let mut table = AccountTable::default();
        // Score-level values read no lead value (see `RuleSplit::of`).
        let lead = Lead {
            values: self.full.plan().fields.map(|_| None),
        };
        let (mut capped, mut total) = (Scratch::default(), Vec::with_capacity(width));
        for i in 0..part.len() {
            let row = first.saturating_add(i as u64);
            let (index, at) = match rows.get(row) {
                RowAccount::Unknown => continue, // rejected: in no account
                RowAccount::None => (None, self.tables.accounts()),
                RowAccount::In(i) => (Some(i), usize::try_from(i).unwrap_or(usize::MAX)),
            };
            if (i as u64).is_multiple_of(WARM_ROWS) {
                let ahead = row.saturating_add(WARM_ROWS);
                let next = ahead..ahead.saturating_add(WARM_ROWS);
                table.warm(rows.accounts_of(next.clone()));
                warm(rows.accounts_of(next), |i| {
                    let sums = after.get(i.saturating_mul(width)..).unwrap_or_default();
                    sums.iter().take(width).filter(|s| s.is_zero()).count()
                });
            }
            let (Some(first), Some(more)) = (
                part.get_mut(i),
                after.get(at.saturating_mul(width)..at.saturating_add(1).saturating_mul(width)),
            ) else {
                return Ok(None);
            };
            total.clear();
            total.extend_from_slice(more);
            if !add_into(&mut total, first) {
                return Ok(None);
            }
            let Some((score, groups)) = self.full.finish_sums(&total, &mut capped) else {
                return Ok(None);
            };
            let finished = std::iter::once(&score).chain(groups);
            for (slot, value) in first.iter_mut().zip(finished) {
                *slot = *value;
            }
            let Some(index) = index else {
                continue;
            };
            let adding = Adding {
                score_level: true,
                scored: Scored {
                    groups,
                    score: Some(score),
                },
                today: self.today,
            };
            table.add_at(self.spec, index, &lead, adding)?;
        }
        Ok(Some(table))
    }

    /// The sums of the account rules for each account, then for a lead in
    /// none: they read only its values, so they are run once per account,
    /// not per lead (on `threads` threads, each a run of accounts). `None`
    /// if one's cannot be kept.
    fn account_sums(&self, threads: usize) -> Option<Vec<Decimal>> {
        let accounts = self.tables.accounts();
        let per_part = (accounts + 1).div_ceil(threads.max(1));
        let starts = (0..=accounts).step_by(per_part.max(1));
        let parts: Vec<Option<Vec<Decimal>>> = std::thread::scope(|scope| {
            let work = |start: usize| {
                move || self.sums_of_accounts(start..(start + per_part).min(accounts + 1))
            };
            let handles: Vec<_> = starts.map(|s| scope.spawn(work(s))).collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        let mut all = Vec::new();
        for part in parts {
            all.extend(part?);
        }
        Some(all)
    }

    /// [`FromMemory::account_sums`] of the accounts `accounts` (the one
    /// past the last: a lead in none).
    fn sums_of_accounts(&self, accounts: std::ops::Range<usize>) -> Option<Vec<Decimal>> {
        let last = self.tables.accounts();
        let mut lead = Lead {
            values: self.full.plan().fields.map(|_| None),
        };
        let (mut buffer, mut scratch, mut one) = (Vec::new(), Scratch::default(), Vec::new());
        let mut all = Vec::new();
        for i in accounts {
            let account = match u32::try_from(i) {
                Ok(index) if i < last => RowAccount::In(index),
                _ => RowAccount::None,
            };
            self.after.attach(&mut lead, &mut buffer, account);
            self.after.run(&lead, &mut scratch);
            if !partial_sums(&scratch, &mut one) {
                return None;
            }
            all.extend_from_slice(&one);
        }
        Some(all)
    }
}

/// `total += first`, sum by sum; false if one goes past the largest decimal.
fn add_into(total: &mut [Decimal], first: &[Decimal]) -> bool {
    if total.len() != first.len() {
        return false;
    }
    for (sum, more) in total.iter_mut().zip(first) {
        match sum.checked_add(*more) {
            Some(s) => *sum = s,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::id::Id;
    use crate::source::Source;

    fn compile(text: &str) -> Plan {
        let source = Source::new("t.tally", text);
        crate::plan::compile(&crate::compile(&source).model.unwrap())
    }

    fn model(values: &str, rules: &str) -> String {
        format!(
            "fields {{\n  company: text\n  title: text\n  n: int\n}}\n\n\
             account by company {{\n{values}\n}}\n\n\
             group fit max 10 {{\n  when title == \"CEO\" add 8 \"Boss\"\n{rules}}}\n\
             when n > 3 add 2 \"Busy\"\n\
             if account.heat >= 10 then SQL\nelse Nurture\n"
        )
    }

    const BOTH: &str = "  let people = count(leads)\n  let heat = sum(leads, score)";

    /// Which rules fire under a split's plan: those whose condition is
    /// not the appended never-true one.
    fn firing(plan: &Plan) -> Vec<usize> {
        let never = plan.conditions.len() - 1;
        (plan.rules.iter().enumerate())
            .filter(|(_, r)| r.condition.index() != never)
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn rules_reading_account_values_run_after_the_first_pass() {
        let plan = compile(&model(BOTH, "  when account.people >= 3 add 5 \"Crowd\"\n"));
        let split = RuleSplit::of(&plan).unwrap();
        assert_eq!(firing(&split.before), [0, 2]);
        assert_eq!(firing(&split.after), [1]);
        for part in [&split.before, &split.after] {
            assert!(part.stage.is_none());
            assert!(part.groups.iter().all(|g| g.limits.max.is_none()));
            assert_eq!(part.score_limits.max, None);
            assert_eq!(part.fields.len(), plan.fields.len());
        }
        // The condition only the account rule reads is dropped from the
        // first pass's plan, so its field tests are not run there.
        let dropped = plan.rules.iter().nth(1).unwrap().condition;
        assert!(matches!(
            split.before.conditions.at(dropped),
            Node::Const(Value::Bool(false))
        ));
    }

    #[test]
    fn no_split_when_the_second_read_needs_the_lead() {
        // An account rule that reads a column too.
        let mixed = "  when account.people >= 3 and n > 1 add 5 \"Crowd\"\n";
        assert!(RuleSplit::of(&compile(&model(BOTH, mixed))).is_none());
        // A score-level value whose condition reads a column.
        let values = "  let people = count(leads)\n  let heat = sum(leads where n > 1, score)";
        assert!(RuleSplit::of(&compile(&model(values, ""))).is_none());
        // One level only: there is no second read to save.
        assert!(RuleSplit::of(&compile(&model("  let heat = sum(leads, score)", ""))).is_none());
        // Both levels, no account rule: the split still saves a read.
        assert!(RuleSplit::of(&compile(&model(BOTH, ""))).is_some());
    }
}
