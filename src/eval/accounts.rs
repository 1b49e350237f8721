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
use crate::id::{FieldId, IdSlice, IdVec};
use crate::plan::AccountSpec;
use crate::value::{Date, Decimal, Value};

/// The states of one level's account values, per account key.
#[derive(Debug, Default)]
pub struct AccountTable {
    by_key: FxHashMap<Box<str>, Box<[State]>>,
    /// Leads added per key.
    leads: FxHashMap<Box<str>, u64>,
    /// Reused per lead.
    key: String,
    folded: IdVec<FieldId, Folded>,
    /// The fields the values read (their text is folded per lead; a
    /// lead's other text, notes and the like, is not): found at the first
    /// lead.
    read: Option<Vec<FieldId>>,
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
        if !key_into(&mut self.key, lead.values.at(spec.by).as_ref()) {
            return Ok(());
        }
        match self.leads.get_mut(self.key.as_str()) {
            Some(n) => *n += 1,
            None => {
                self.leads.insert(self.key.as_str().into(), 1);
            }
        }
        let states = match self.by_key.get_mut(self.key.as_str()) {
            Some(states) => states,
            None => self
                .by_key
                .entry(self.key.as_str().into())
                .or_insert_with(|| spec.values.iter().map(State::new).collect()),
        };
        self.folded.resize_with(lead.values.len(), Folded::default);
        let read = self.read.get_or_insert_with(|| fields_read(spec));
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
            let counted = value
                .condition
                .as_ref()
                .is_none_or(|c| expr::truth(c, &env) == Some(true));
            if *level == score_level && counted {
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
        for (key, n) in other.leads {
            *self.leads.entry(key).or_default() += n;
        }
        for (key, theirs) in other.by_key {
            match self.by_key.get_mut(&key) {
                Some(ours) => {
                    let pairs = ours.iter_mut().zip(theirs.into_vec());
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

/// The fields an account block's values read.
fn fields_read(spec: &AccountSpec) -> Vec<FieldId> {
    let mut fields = Vec::new();
    for value in &spec.values {
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
}

impl AccountTables {
    /// How many leads formed the account of a lead with this grouping
    /// value (`None`: in no account).
    pub fn leads_in(&self, key: Option<&Value>) -> Option<u64> {
        let mut buf = String::new();
        if !key_into(&mut buf, key) {
            return None;
        }
        let count = |t: &AccountTable| t.leads.get(buf.as_str()).copied();
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
        let mut buf = String::new();
        let has_key = key_into(&mut buf, key);
        let levels = spec.score_level.iter();
        for (i, (value, level)) in spec.values.iter().zip(levels).enumerate() {
            if !has_key {
                out.push(None);
                continue;
            }
            let table = if *level { &self.score } else { &self.input };
            let state = table.by_key.get(buf.as_str()).and_then(|s| s.get(i));
            out.push(match state {
                Some(state) => state.value(value),
                None => State::new(value).value(value),
            });
        }
    }
}
