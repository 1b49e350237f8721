//! Accounts (language section 12): per-account values, built in passes
//! over the leads before they are scored.
//!
//! A pass adds each readable lead to its account's states (the account
//! key folded as `==` compares; a lead without one is in no account).
//! The input-level values take one pass over the leads as read (with
//! their aggregates over events); the score-level ones take one more, in
//! which each lead is scored first. States are the events' (counts,
//! exact sums, extremes, distinct sets), so per-worker tables merge into
//! the same table whatever the threads.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::account_key::Key;
use super::account_rows::{warm, RowAccount, MAX_ACCOUNTS};
use super::events::{event_env, key_into, AggregateOverflow, State};
use super::expr::{self, Env, Folded};
use super::Lead;
use crate::check::model::AggregateKind;
use crate::id::{AccountValueId, FieldId, IdSlice, IdVec};
use crate::plan::AccountSpec;
use crate::value::{Date, Decimal, Value};

/// A map by account key. foldhash, not FxHash: the keys are the lead
/// file's cells, so the hash is seeded per process (a crafted file must
/// not turn lookups into long probes), as the memo's is. (It was no
/// faster or slower on the accounts benchmark: a lookup there costs its
/// cache misses, not its hashing.)
pub(super) type ByKey<V> = HashMap<Key, V, RandomState>;

/// The states of one level's account values, per account. A pass that
/// finds accounts by key (the first) numbers them as it meets them; a
/// later pass, told each row's account (see [`RowAccounts`]), keeps them
/// at the settled tables' indices and has no keys.
///
/// An account's states lie together in one vector, its leads first (a
/// count), then its level's values' only: adding a lead to one of
/// 200,000 accounts then costs one cache miss (or two adjacent lines),
/// not one for the account and one for a box of its states.
///
/// [`RowAccounts`]: super::account_rows::RowAccounts
#[derive(Debug, Default)]
pub struct AccountTable {
    /// Key to account index (empty in a table kept by index).
    pub(super) by_key: ByKey<u32>,
    /// Account `i`'s states: `slots[i * w..(i + 1) * w]`, `w` one more
    /// than its level's values; an account no lead came to has a count
    /// of 0.
    slots: Vec<State>,
    /// The values of the table's level (their indices in the block), and
    /// the fields they read (folded per lead; a lead's other text, notes
    /// and the like, is not): found at the first lead.
    level: Option<Level>,
    /// Reused per lead.
    key: String,
    /// Reused per batch of leads (see [`AccountTable::find_all`]).
    keys: Vec<String>,
    folded: IdVec<FieldId, Folded>,
}

/// See [`AccountTable::level`].
#[derive(Debug, Clone)]
struct Level {
    values: Vec<AccountValueId>,
    fields: Vec<FieldId>,
}

/// The groups and score of a lead, for a score-level pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scored<'a> {
    pub groups: &'a [Decimal],
    pub score: Option<Decimal>,
}

/// What a pass adds a lead with: the values of level `score_level` (the
/// others are left alone); `scored` gives its groups and score in a
/// score-level pass.
#[derive(Debug, Clone, Copy)]
pub struct Adding<'a> {
    pub score_level: bool,
    pub scored: Scored<'a>,
    pub today: Date,
}

impl AccountTable {
    /// Add one lead to its account, found by its key: the values of level
    /// `score_level` (the others are left alone). `scored` gives its
    /// groups and score in a score-level pass. Gives the account's index
    /// in this table.
    pub fn add(
        &mut self,
        spec: &AccountSpec,
        score_level: bool,
        lead: &Lead,
        scored: Scored,
        today: Date,
    ) -> Result<RowAccount, AggregateOverflow> {
        let found = self.find(spec, lead);
        let RowAccount::In(index) = found else {
            return Ok(found);
        };
        let adding = Adding {
            score_level,
            scored,
            today,
        };
        self.add_at(spec, index, lead, adding)?;
        Ok(RowAccount::In(index))
    }

    /// The account of `lead`, found by its key (a table kept by key): a
    /// key not met before is numbered next. `None` for a blank key,
    /// `Unknown` past the most accounts a table numbers.
    pub fn find(&mut self, spec: &AccountSpec, lead: &Lead) -> RowAccount {
        if !account_key_into(&mut self.key, lead.values.at(spec.by).as_ref()) {
            return RowAccount::None;
        }
        number_key(&mut self.by_key, self.key.as_bytes())
    }

    /// [`AccountTable::find`] for each of `leads`, into `found`: their
    /// keys are folded first, then looked up in a loop of lookups alone,
    /// so that their cache misses (a table of 200,000 keys is megabytes)
    /// overlap instead of waiting one by one behind each fold; a key not
    /// met before is then numbered, in the leads' order, as `find` would.
    pub fn find_all(&mut self, spec: &AccountSpec, leads: &[Lead], found: &mut Vec<RowAccount>) {
        if self.keys.len() < leads.len() {
            self.keys.resize_with(leads.len(), String::new);
        }
        found.clear();
        for (key, lead) in self.keys.iter_mut().zip(leads) {
            let blank = !account_key_into(key, lead.values.at(spec.by).as_ref());
            found.push(if blank {
                RowAccount::None
            } else {
                RowAccount::Unknown
            });
        }
        for (key, found) in self.keys.iter().zip(found.iter_mut()) {
            if *found == RowAccount::Unknown {
                if let Some(index) = self.by_key.get(key.as_bytes()) {
                    *found = RowAccount::In(*index);
                }
            }
        }
        for (key, found) in self.keys.iter().zip(found.iter_mut()) {
            if *found == RowAccount::Unknown {
                *found = number_key(&mut self.by_key, key.as_bytes());
            }
        }
    }

    /// Add one lead to the account with index `index` (a table kept by
    /// index: the settled tables' indices).
    pub fn add_at(
        &mut self,
        spec: &AccountSpec,
        index: u32,
        lead: &Lead,
        adding: Adding,
    ) -> Result<(), AggregateOverflow> {
        let level = self
            .level
            .get_or_insert_with(|| Level::of(spec, adding.score_level));
        let width = level.values.len() + 1;
        let start = usize::try_from(index)
            .unwrap_or(usize::MAX)
            .saturating_mul(width);
        if self.slots.len() < start.saturating_add(width) {
            grow(&mut self.slots, spec, level, start.saturating_add(width));
        }
        let Some([leads, states @ ..]) = self.slots.get_mut(start..start + width) else {
            return Ok(());
        };
        if let State::Count(n) = leads {
            *n += 1;
        }
        self.folded.resize_with(lead.values.len(), Folded::default);
        for &field in &level.fields {
            self.folded
                .at_mut(field)
                .refill(lead.values.at(field).as_ref());
        }
        let mut env: Env = event_env(lead, &self.folded, adding.today);
        env.groups = IdSlice::from(adding.scored.groups);
        env.score = adding.scored.score;
        let values = level.values.iter().map(|&i| spec.values.at(i));
        for (value, state) in values.zip(states.iter_mut()) {
            let counted = value
                .condition
                .as_ref()
                .is_none_or(|c| expr::truth(c, &env) == Some(true));
            if counted {
                state.add(value, adding.today, &env)?;
            }
        }
        Ok(())
    }

    /// Touch the states of `accounts` (see [`warm`]): a table kept by
    /// index, about to add the leads of the next rows.
    pub fn warm(&self, accounts: impl Iterator<Item = u32>) {
        let Some(level) = &self.level else {
            return;
        };
        let width = level.values.len() + 1;
        warm(accounts, |i| {
            let slots = self.slots.get(i * width..(i + 1) * width);
            let count = |s: &State| matches!(s, State::Count(_));
            slots
                .unwrap_or_default()
                .iter()
                .filter(|s| count(s))
                .count()
        });
    }

    /// Fold another table of the same account block and pass into this
    /// one. Gives, for a table kept by key, where each of its accounts is
    /// now (`map[i]` for its account `i`); a table kept by index merges
    /// account by account.
    pub fn merge(
        &mut self,
        spec: &AccountSpec,
        other: AccountTable,
    ) -> Result<Vec<u32>, AggregateOverflow> {
        if self.level.is_none() && self.by_key.is_empty() {
            // Nothing here yet (the first worker's table, or the only
            // one): taken whole, its accounts where they are. Copying
            // 200,000 accounts into a new table was 4% of the accounts
            // benchmark with one thread.
            let keyed = u32::try_from(other.by_key.len()).unwrap_or(MAX_ACCOUNTS);
            *self = other;
            return Ok((0..keyed.min(MAX_ACCOUNTS)).collect());
        }
        let Some(level) = other.level else {
            return Ok(Vec::new()); // no lead came to it
        };
        let level = self.level.get_or_insert(level).clone();
        let width = level.values.len() + 1;
        let mut theirs = other.slots;
        let accounts = theirs.len() / width;
        let keyed = !other.by_key.is_empty();
        let mut map = vec![MAX_ACCOUNTS; if keyed { accounts } else { 0 }];
        let mut into = |ours: usize, theirs: &mut [State]| -> Result<(), AggregateOverflow> {
            let end = (ours + 1) * width;
            if self.slots.len() < end {
                grow(&mut self.slots, spec, &level, end);
            }
            let slots = self.slots.get_mut(ours * width..end).unwrap_or_default();
            let kinds = std::iter::once(None).chain(level.values.iter().map(Some));
            for ((a, b), kind) in slots.iter_mut().zip(theirs).zip(kinds) {
                let b = std::mem::replace(b, State::Count(0));
                let kind = kind.map(|&i| spec.values.at(i).kind);
                a.merge(b, kind.unwrap_or(AggregateKind::Count))?;
            }
            Ok(())
        };
        if !keyed {
            for (i, chunk) in theirs.chunks_mut(width).enumerate() {
                into(i, chunk)?;
            }
            return Ok(map);
        }
        for (key, index) in other.by_key {
            let i = usize::try_from(index).unwrap_or(usize::MAX);
            let Ok(next) = u32::try_from(self.by_key.len()) else {
                continue; // past 4 billion accounts: its rows are looked up by key
            };
            let ours = *self.by_key.entry(key).or_insert(next);
            let chunk = theirs.get_mut(i * width..(i + 1) * width);
            into(
                usize::try_from(ours).unwrap_or(usize::MAX),
                chunk.unwrap_or_default(),
            )?;
            if let Some(m) = map.get_mut(i) {
                *m = ours;
            }
        }
        Ok(map)
    }

    /// The number of accounts a lead came to.
    pub fn len(&self) -> usize {
        self.accounts().filter(|(_, leads, _)| *leads > 0).count()
    }

    /// Whether no lead had an account.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each account's index, leads and states, with the index in the
    /// block of each state's value.
    pub(super) fn accounts(
        &self,
    ) -> impl Iterator<Item = (usize, u64, impl Iterator<Item = (AccountValueId, &State)>)> {
        let level = self.level.as_ref();
        let width = level.map_or(1, |l| l.values.len() + 1);
        let values = level.map_or(&[][..], |l| l.values.as_slice());
        self.slots.chunks(width).enumerate().map(move |(i, slots)| {
            let leads = match slots.first() {
                Some(State::Count(n)) => *n,
                _ => 0,
            };
            let states = values.iter().copied().zip(slots.iter().skip(1));
            (i, leads, states)
        })
    }

    /// The states of the account with folded key `key`, if this table
    /// has it.
    fn slots_by_key(&self, key: &[u8]) -> Option<(&Level, &[State])> {
        let index = usize::try_from(*self.by_key.get(key)?).ok()?;
        let level = self.level.as_ref()?;
        let width = level.values.len() + 1;
        Some((level, self.slots.get(index * width..(index + 1) * width)?))
    }

    /// How many leads the account with folded key `key` has here.
    pub(super) fn leads_by_key(&self, key: &[u8]) -> Option<u64> {
        match self.slots_by_key(key)?.1.first()? {
            State::Count(n) => Some(*n),
            _ => None,
        }
    }

    /// The state of value `value` of the account with folded key `key`.
    pub(super) fn state_by_key(&self, key: &[u8], value: AccountValueId) -> Option<&State> {
        let (level, slots) = self.slots_by_key(key)?;
        let nth = level.values.iter().position(|v| *v == value)?;
        slots.get(nth + 1)
    }
}

impl Level {
    fn of(spec: &AccountSpec, score_level: bool) -> Level {
        let levels = spec.score_level.enumerate();
        let values = levels.filter(|(_, l)| **l == score_level).map(|(i, _)| i);
        Level {
            values: values.collect(),
            fields: fields_read(spec, score_level),
        }
    }
}

/// Fresh states up to `len` slots (whole accounts).
fn grow(slots: &mut Vec<State>, spec: &AccountSpec, level: &Level, len: usize) {
    while slots.len() < len {
        slots.push(State::Count(0));
        let values = level.values.iter().map(|&i| spec.values.at(i));
        slots.extend(values.map(State::new));
    }
}

/// The fields an account block's values of one level read.
fn fields_read(spec: &AccountSpec, score_level: bool) -> Vec<FieldId> {
    let mut fields = Vec::new();
    let levels = spec.values.iter().zip(&spec.score_level);
    for (value, _) in levels.filter(|(_, level)| **level == score_level) {
        for node in value.condition.iter().chain(&value.value) {
            node.for_each_field(&mut |f| fields.push(f));
        }
    }
    fields.sort_unstable();
    fields.dedup();
    fields
}
/// The account whose folded key is `key` in `by_key`; a key not met
/// before is numbered next (`Unknown` past the most accounts a table
/// numbers).
fn number_key(by_key: &mut ByKey<u32>, key: &[u8]) -> RowAccount {
    if let Some(index) = by_key.get(key) {
        return RowAccount::In(*index);
    }
    match u32::try_from(by_key.len()) {
        Ok(index) if index < MAX_ACCOUNTS => {
            by_key.insert(Key::new(key), index);
            RowAccount::In(index)
        }
        _ => RowAccount::Unknown,
    }
}

/// An account's key in `buf`: the grouping value as `==` compares it.
/// Text and numbers as events' keys are (text folded, blank none); a
/// date as `YYYY-MM-DD` and a bool as `true` or `false`, since `==`
/// compares those too (a model has one grouping field, so the kinds never
/// meet). Lists are refused by the checker. `false`: in no account.
pub(super) fn account_key_into(buf: &mut String, value: Option<&Value>) -> bool {
    use std::fmt::Write;
    match value {
        Some(Value::Date(d)) => {
            buf.clear();
            let _ = write!(buf, "{d}");
            true
        }
        Some(Value::Bool(b)) => {
            buf.clear();
            buf.push_str(if *b { "true" } else { "false" });
            true
        }
        other => key_into(buf, other),
    }
}
