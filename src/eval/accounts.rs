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

use rustc_hash::FxHashMap;

use super::events::{event_env, key_into, AggregateOverflow, State};
use super::expr::{self, Env, Folded};
use super::Lead;
use crate::plan::AccountSpec;
use crate::value::{Date, Decimal, Value};

/// The states of one level's account values, per account key.
#[derive(Debug, Default)]
pub struct AccountTable {
    by_key: FxHashMap<Box<str>, Account>,
    /// Reused per lead.
    key: String,
    folded: Vec<Folded>,
    /// The fields the values of the table's level read (their text is
    /// folded per lead; a lead's other text, notes and the like, is not):
    /// found at the first lead.
    read: Option<Vec<usize>>,
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
        if !key_into(
            &mut self.key,
            lead.values.get(spec.by).and_then(Option::as_ref),
        ) {
            return Ok(());
        }
        let account = match self.by_key.get_mut(self.key.as_str()) {
            Some(account) => account,
            None => self
                .by_key
                .entry(self.key.as_str().into())
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
            if let (Some(slot), Some(value)) = (self.folded.get_mut(field), lead.values.get(field))
            {
                slot.refill(value.as_ref());
            }
        }
        let mut env: Env = event_env(lead, &self.folded, today);
        env.groups = scored.groups;
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
fn fields_read(spec: &AccountSpec, score_level: bool) -> Vec<usize> {
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
    /// fold and one lookup per lead). Dropped when stale: see `settle`.
    settled: Option<Settled>,
}

/// Each account's values, by folded key.
type Settled = FxHashMap<Box<str>, Box<[Option<Value>]>>;

thread_local! {
    /// The folded key of the lead being looked up: a buffer per thread, so
    /// a lookup allocates nothing.
    static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl AccountTables {
    /// The tables as the passes left them: each account's values are
    /// worked out now, once. Call it again after changing `input` or
    /// `score` (until then, lookups read the states, as before).
    pub fn settle(&mut self, spec: &AccountSpec) {
        let mut settled = FxHashMap::default();
        let keys = self.input.by_key.keys().chain(self.score.by_key.keys());
        for key in keys {
            if !settled.contains_key(key) {
                let mut values = Vec::with_capacity(spec.values.len());
                self.values_of(spec, key, &mut values);
                settled.insert(key.clone(), values.into_boxed_slice());
            }
        }
        self.settled = Some(settled);
    }

    /// How many leads formed the account of a lead with this grouping
    /// value (`None`: in no account).
    pub fn leads_in(&self, key: Option<&Value>) -> Option<u64> {
        let mut buf = String::new();
        if !key_into(&mut buf, key) {
            return None;
        }
        let count = |t: &AccountTable| t.by_key.get(buf.as_str()).map(|a| a.leads);
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
            if !key_into(buf, key) {
                out.resize(spec.values.len(), None);
                return;
            }
            match &self.settled {
                Some(settled) => match settled.get(buf.as_str()) {
                    Some(values) => out.extend_from_slice(values),
                    // Not seen by the passes (a test's lead, say).
                    None => self.values_of(spec, buf, out),
                },
                None => self.values_of(spec, buf, out),
            }
        });
    }

    /// The values of the account whose folded key is `key`, from the
    /// states (an account a level never saw has that level's empty values).
    fn values_of(&self, spec: &AccountSpec, key: &str, out: &mut Vec<Option<Value>>) {
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
