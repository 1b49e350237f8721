//! The account values as the later passes and the scoring pass read
//! them: each account's values worked out once after a pass, by index,
//! with each row's account from the first pass (see
//! [`RowAccounts`](super::account_rows)).

use super::account_rows::{warm, RowAccount, RowAccounts, WARM_ROWS};
use super::accounts::account_key_into;
use super::accounts::{AccountTable, ByKey};
use super::events::State;
use super::row_sums::RowSums;
use crate::id::Id;
use crate::plan::AccountSpec;
use crate::value::{Date, Decimal, Value};

/// The tables of both levels, as the scoring pass reads them.
#[derive(Debug, Default)]
pub struct AccountTables {
    /// States not settled yet, looked up by key (a test's lead, alone in
    /// its account: src/eval/model_tests.rs). The passes settle theirs.
    pub input: AccountTable,
    pub score: AccountTable,
    /// Each account's values, worked out once by [`AccountTables::settle`]
    /// rather than from the states for every lead.
    settled: Option<Settled>,
    /// Each row's score and groups, from the score-level pass.
    sums: Option<RowSums>,
}

/// Every account's leads and values, settled, by index.
#[derive(Debug, Default)]
struct Settled {
    by_key: ByKey<u32>,
    leads: Vec<u64>,
    /// Account `i`'s values are `values[i * n..(i + 1) * n]`, `n` the
    /// block's values: one allocation, so reading an account's values is
    /// one cache miss, not two.
    values: Vec<Slot>,
    /// The values a [`Slot`] does not hold itself (none an aggregate
    /// gives today).
    others: Vec<Value>,
    width: usize,
    rows: RowAccounts,
}

/// A settled account value. An aggregate gives a number, a date, a yes or
/// no, or nothing; held as they are, with no `String` or `Vec` to clone,
/// a value is 20 bytes to copy instead of an `Option<Value>`'s 32 with a
/// branch on its kind: copying each lead's account values out, twice a
/// lead, was a tenth of the accounts benchmark's time.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum Slot {
    #[default]
    Missing,
    Number(Decimal),
    Date(Date),
    Bool(bool),
    /// `others[i]` (a `u32`, so that a slot stays 20 bytes).
    Other(u32),
}

impl Slot {
    fn of(value: Option<Value>, others: &mut Vec<Value>) -> Slot {
        match value {
            None => Slot::Missing,
            Some(Value::Number(n)) => Slot::Number(n),
            Some(Value::Date(d)) => Slot::Date(d),
            Some(Value::Bool(b)) => Slot::Bool(b),
            Some(other) => match u32::try_from(others.len()) {
                Ok(i) => {
                    others.push(other);
                    Slot::Other(i)
                }
                Err(_) => Slot::Missing, // past 4 billion: never reached
            },
        }
    }

    fn value(self, others: &[Value]) -> Option<Value> {
        match self {
            Slot::Missing => None,
            Slot::Number(n) => Some(Value::Number(n)),
            Slot::Date(d) => Some(Value::Date(d)),
            Slot::Bool(b) => Some(Value::Bool(b)),
            Slot::Other(i) => others.get(usize::try_from(i).ok()?).cloned(),
        }
    }
}

thread_local! {
    /// The folded key of the lead being looked up: a buffer per thread, so
    /// a lookup allocates nothing.
    static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The values of an account with no leads.
fn empty_values(spec: &AccountSpec) -> impl Iterator<Item = Option<Value>> + '_ {
    spec.values.iter().map(|v| State::new(v).value(v))
}

impl AccountTables {
    /// Take the states a pass left in `table`: each account's values of
    /// the pass's level are worked out now, once, and
    /// the states are dropped (they are no longer read, and 200,000
    /// accounts' states and values together came near the memory goal).
    /// The first pass's table is kept by key and numbers the accounts,
    /// and `rows` (its rows' accounts) come with it; a later pass's is
    /// kept by those numbers.
    pub fn settle(&mut self, spec: &AccountSpec, mut table: AccountTable, rows: RowAccounts) {
        let first = self.settled.is_none();
        let settled = self.settled.get_or_insert_with(|| Settled {
            width: spec.values.len(),
            rows,
            ..Settled::default()
        });
        // The first pass's indices are the settled ones; a later pass
        // kept by key (never, as the passes are written) is mapped by key.
        let by_key = std::mem::take(&mut table.by_key);
        let map = match first {
            true => {
                settled.by_key = by_key;
                None
            }
            false if !by_key.is_empty() => Some(settled.map_keys(by_key, table.accounts().count())),
            false => None,
        };
        for (index, leads, states) in table.accounts() {
            let index = match &map {
                Some(map) => map.get(index).copied().flatten(),
                None => Some(index),
            };
            let Some(index) = index.filter(|_| leads > 0) else {
                continue;
            };
            while settled.leads.len() <= index {
                settled.leads.push(0);
                let others = &mut settled.others;
                let empty = empty_values(spec).map(|v| Slot::of(v, others));
                settled.values.extend(empty);
            }
            if let Some(count) = settled.leads.get_mut(index) {
                *count = (*count).max(leads);
            }
            for (value, state) in states {
                let slot = settled
                    .values
                    .get_mut(index * settled.width + value.index());
                if let Some(slot) = slot {
                    *slot = Slot::of(state.value(spec.values.at(value)), &mut settled.others);
                }
            }
        }
        settled.values.shrink_to_fit();
    }

    /// How many accounts the passes settled.
    pub fn accounts(&self) -> usize {
        self.settled.as_ref().map_or(0, |s| s.leads.len())
    }

    /// Keep each row's score and groups from the score-level pass: the
    /// scoring pass then runs only the ladder and tiers of those rows.
    pub fn keep_sums(&mut self, sums: RowSums) {
        self.sums = Some(sums);
    }

    /// Row `row`'s kept score and groups (see [`AccountTables::keep_sums`]).
    pub fn sums_of(&self, row: u64) -> Option<&[Decimal]> {
        self.sums.as_ref()?.get(row)
    }

    /// Row `row` is about to be read: at the start of each batch of
    /// [`WARM_ROWS`] rows, touch the values of the next batch's accounts
    /// (see [`warm`]).
    pub fn warm_ahead(&self, row: u64) {
        let Some(s) = self.settled.as_ref().filter(|s| s.width > 0) else {
            return;
        };
        if !row.is_multiple_of(WARM_ROWS) {
            return;
        }
        let ahead = row.saturating_add(WARM_ROWS);
        let accounts = s.rows.accounts_of(ahead..ahead.saturating_add(WARM_ROWS));
        let width = s.width;
        warm(accounts, |i| {
            let values = s.values.get(i * width..(i + 1) * width);
            let missing = |v: &&Slot| matches!(v, Slot::Missing);
            values.unwrap_or_default().iter().filter(missing).count()
        });
    }

    /// Each row's account, from the first pass (none before it).
    pub fn rows(&self) -> Option<&RowAccounts> {
        self.settled.as_ref().map(|s| &s.rows)
    }

    /// The account of a lead with this grouping value.
    pub fn index_of(&self, key: Option<&Value>) -> RowAccount {
        KEY.with_borrow_mut(|buf| {
            if !account_key_into(buf, key) {
                return RowAccount::None;
            }
            let found = self
                .settled
                .as_ref()
                .and_then(|s| s.by_key.get(buf.as_bytes()));
            found.map_or(RowAccount::Unknown, |i| RowAccount::In(*i))
        })
    }

    /// How many leads formed the account of a lead with this grouping
    /// value (`None`: in no account).
    pub fn leads_in(&self, key: Option<&Value>) -> Option<u64> {
        let mut buf = String::new();
        if !account_key_into(&mut buf, key) {
            return None;
        }
        let key = buf.as_bytes();
        if let Some(settled) = &self.settled {
            let index = usize::try_from(*settled.by_key.get(key)?).ok()?;
            return settled.leads.get(index).copied();
        }
        let count = |t: &AccountTable| t.leads_by_key(key);
        count(&self.input).or_else(|| count(&self.score))
    }

    /// The lead's account values (`out[i]` for value `i`), given its
    /// grouping value: all missing for a lead in no account.
    pub fn values_for(
        &self,
        spec: &AccountSpec,
        key: Option<&Value>,
        out: &mut Vec<Option<Value>>,
    ) {
        if self.settled.is_some() {
            self.values_at(spec, RowAccount::Unknown, key, out);
            return;
        }
        out.clear();
        KEY.with_borrow_mut(|buf| match account_key_into(buf, key) {
            true => self.values_of(spec, buf.as_bytes(), out),
            false => out.resize(spec.values.len(), None),
        });
    }

    /// The values of account `account` (looked up by `key` when unknown)
    /// into `out`; gives the account found.
    pub fn values_at(
        &self,
        spec: &AccountSpec,
        account: RowAccount,
        key: Option<&Value>,
        out: &mut Vec<Option<Value>>,
    ) -> RowAccount {
        if self.settled.is_none() {
            // No pass settled (a test's lead): from the states, by key.
            self.values_for(spec, key, out);
            return RowAccount::Unknown;
        }
        out.clear();
        let account = match account {
            RowAccount::Unknown => self.index_of(key),
            known => known,
        };
        let values = match (account, &self.settled) {
            (RowAccount::In(i), Some(s)) => usize::try_from(i)
                .ok()
                .and_then(|i| s.values.get(i * s.width..(i + 1) * s.width))
                .map(|values| (values, s.others.as_slice())),
            _ => None,
        };
        match (account, values) {
            (RowAccount::None, _) => out.resize(spec.values.len(), None),
            (_, Some((values, others))) => out.extend(values.iter().map(|v| v.value(others))),
            // Not seen by the passes (a test's lead, say): the values
            // of an account with no leads.
            (_, None) => out.extend(empty_values(spec)),
        }
        account
    }

    /// The values of the account whose folded key is `key`, from the
    /// states (an account a level never saw has that level's empty values).
    fn values_of(&self, spec: &AccountSpec, key: &[u8], out: &mut Vec<Option<Value>>) {
        for (i, value) in spec.values.enumerate() {
            let table = if *spec.score_level.at(i) {
                &self.score
            } else {
                &self.input
            };
            let state = table.state_by_key(key, i);
            out.push(match state {
                Some(state) => state.value(value),
                None => State::new(value).value(value),
            });
        }
    }
}

impl Settled {
    /// Where each account of a table kept by key `by_key` is among the
    /// settled ones (`map[i]` for its account `i`), new keys added.
    fn map_keys(&mut self, by_key: ByKey<u32>, len: usize) -> Vec<Option<usize>> {
        let mut map = vec![None; len];
        for (key, index) in by_key {
            let next = self.by_key.len().max(self.leads.len());
            let Ok(next) = u32::try_from(next) else {
                continue;
            };
            let settled = *self.by_key.entry(key).or_insert(next);
            let slot = usize::try_from(index).ok().and_then(|i| map.get_mut(i));
            if let Some(slot) = slot {
                *slot = usize::try_from(settled).ok();
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_20_bytes_and_gives_back_the_value_it_took() {
        assert_eq!(std::mem::size_of::<Slot>(), 20);
        let mut others = Vec::new();
        let date = Date::from_ymd_opt(2026, 12, 7);
        let values = [
            None,
            Some(Value::Number(Decimal::new(1234, 2))),
            date.map(Value::Date),
            Some(Value::Bool(true)),
            Some(Value::Text("kept aside".into())),
        ];
        for value in values {
            let slot = Slot::of(value.clone(), &mut others);
            assert_eq!(slot.value(&others), value);
        }
        assert_eq!(others.len(), 1, "only the text is kept aside");
    }
}
