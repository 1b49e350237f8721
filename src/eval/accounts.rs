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
use super::events::{event_env, key_into, AggregateOverflow, State};
use super::expr::{self, Env, Folded};
use super::Lead;
use crate::id::{FieldId, IdSlice, IdVec};
use crate::plan::AccountSpec;
use crate::value::{Date, Decimal, Value};

/// A map by account key. foldhash, not FxHash: the keys are the lead
/// file's cells, so the hash is seeded per process (a crafted file must
/// not turn lookups into long probes), as the memo's is. (It was no
/// faster or slower on the accounts benchmark: a lookup there costs its
/// cache misses, not its hashing.)
type ByKey<V> = HashMap<Key, V, RandomState>;

/// The states of one level's account values, per account key.
#[derive(Debug, Default)]
pub struct AccountTable {
    by_key: ByKey<Account>,
    /// Reused per lead.
    key: String,
    folded: IdVec<FieldId, Folded>,
    /// The fields the values of the table's level read (their text is
    /// folded per lead; a lead's other text, notes and the like, is not):
    /// found at the first lead.
    read: Option<Vec<FieldId>>,
}

/// One account's leads and states: one entry, so adding a lead costs one
/// lookup.
#[derive(Debug)]
struct Account {
    leads: u64,
    states: Box<[State]>,
}

/// The groups and score of a lead, for a score-level pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scored<'a> {
    pub groups: &'a [Decimal],
    pub score: Option<Decimal>,
}

impl AccountTable {
    /// Add one lead to its account: the values of level `score_level`
    /// (the others are left alone). `scored` gives its groups and score
    /// in a score-level pass.
    pub fn add(
        &mut self,
        spec: &AccountSpec,
        score_level: bool,
        lead: &Lead,
        scored: Scored,
        today: Date,
    ) -> Result<(), AggregateOverflow> {
        if !account_key_into(&mut self.key, lead.values.at(spec.by).as_ref()) {
            return Ok(());
        }
        let account = match self.by_key.get_mut(self.key.as_bytes()) {
            Some(account) => account,
            None => self
                .by_key
                .entry(Key::new(self.key.as_bytes()))
                .or_insert_with(|| Account {
                    leads: 0,
                    states: spec.values.iter().map(State::new).collect(),
                }),
        };
        account.leads += 1;
        let states = &mut account.states;
        self.folded.resize_with(lead.values.len(), Folded::default);
        let read = self
            .read
            .get_or_insert_with(|| fields_read(spec, score_level));
        for &field in read.iter() {
            self.folded
                .at_mut(field)
                .refill(lead.values.at(field).as_ref());
        }
        let mut env: Env = event_env(lead, &self.folded, today);
        env.groups = IdSlice::from(scored.groups);
        env.score = scored.score;
        let levels = spec.score_level.iter();
        for ((value, state), level) in spec.values.iter().zip(states.iter_mut()).zip(levels) {
            // The other level's values are another pass's: not evaluated.
            if *level != score_level {
                continue;
            }
            let counted = value
                .condition
                .as_ref()
                .is_none_or(|c| expr::truth(c, &env) == Some(true));
            if counted {
                state.add(value, today, &env)?;
            }
        }
        Ok(())
    }

    /// Fold another table of the same account block into this one.
    pub fn merge(
        &mut self,
        spec: &AccountSpec,
        other: AccountTable,
    ) -> Result<(), AggregateOverflow> {
        for (key, theirs) in other.by_key {
            match self.by_key.get_mut(&key) {
                Some(ours) => {
                    ours.leads += theirs.leads;
                    let pairs = ours.states.iter_mut().zip(theirs.states.into_vec());
                    for ((a, b), value) in pairs.zip(&spec.values) {
                        a.merge(b, value.kind)?;
                    }
                }
                None => {
                    self.by_key.insert(key, theirs);
                }
            }
        }
        Ok(())
    }

    /// The number of accounts.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether no lead had an account.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
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

/// The tables of both levels, as the scoring pass reads them.
#[derive(Debug, Default)]
pub struct AccountTables {
    pub input: AccountTable,
    pub score: AccountTable,
    /// Each account's values, worked out once by [`AccountTables::settle`]
    /// rather than from the states for every lead (a pass then costs one
    /// fold and one lookup per lead).
    settled: Option<ByKey<Settled>>,
}

/// An account's leads and values, settled.
#[derive(Debug)]
struct Settled {
    leads: u64,
    values: Box<[Option<Value>]>,
}

thread_local! {
    /// The folded key of the lead being looked up: a buffer per thread, so
    /// a lookup allocates nothing.
    static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl AccountTables {
    /// Take the states a pass left in `input` or `score`: each account's
    /// values of that level are worked out now, once, and the states are
    /// dropped (they are no longer read, and 200,000 accounts' states and
    /// values together came near the memory goal). Call it after each
    /// pass; until the first call, lookups read the states.
    pub fn settle(&mut self, spec: &AccountSpec) {
        let mut settled = self.settled.take().unwrap_or_default();
        let fresh = |leads: u64| Settled {
            leads,
            values: spec.values.iter().map(|v| State::new(v).value(v)).collect(),
        };
        for (score_level, table) in [(false, &mut self.input), (true, &mut self.score)] {
            for (key, account) in std::mem::take(&mut table.by_key) {
                let entry = settled.entry(key).or_insert_with(|| fresh(account.leads));
                let levels = spec.score_level.iter();
                let slots = entry.values.iter_mut().zip(account.states.iter());
                for (((slot, state), value), level) in slots.zip(&spec.values).zip(levels) {
                    if *level == score_level {
                        *slot = state.value(value);
                    }
                }
            }
        }
        settled.shrink_to_fit();
        self.settled = Some(settled);
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
            return settled.get(key).map(|s| s.leads);
        }
        let count = |t: &AccountTable| t.by_key.get(key).map(|a| a.leads);
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
        out.clear();
        KEY.with_borrow_mut(|buf| {
            if !account_key_into(buf, key) {
                out.resize(spec.values.len(), None);
                return;
            }
            let key = buf.as_bytes();
            match self.settled.as_ref().map(|s| s.get(key)) {
                Some(Some(settled)) => out.extend_from_slice(&settled.values),
                // Not seen by the passes (a test's lead, say): the values
                // of an account with no leads.
                Some(None) => out.extend(spec.values.iter().map(|v| State::new(v).value(v))),
                None => self.values_of(spec, key, out),
            }
        });
    }

    /// The values of the account whose folded key is `key`, from the
    /// states (an account a level never saw has that level's empty values).
    fn values_of(&self, spec: &AccountSpec, key: &[u8], out: &mut Vec<Option<Value>>) {
        let levels = spec.score_level.iter();
        for (i, (value, level)) in spec.values.iter().zip(levels).enumerate() {
            let table = if *level { &self.score } else { &self.input };
            let state = table.by_key.get(key).and_then(|a| a.states.get(i));
            out.push(match state {
                Some(state) => state.value(value),
                None => State::new(value).value(value),
            });
        }
    }
}

/// An account's key in `buf`: the grouping value as `==` compares it.
/// Text and numbers as events' keys are (text folded, blank none); a
/// date as `YYYY-MM-DD` and a bool as `true` or `false`, since `==`
/// compares those too (a model has one grouping field, so the kinds never
/// meet). Lists are refused by the checker. `false`: in no account.
fn account_key_into(buf: &mut String, value: Option<&Value>) -> bool {
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
