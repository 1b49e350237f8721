//! Events (language section 10): per-lead aggregate state, built from an
//! events file in a pass before the leads are scored.
//!
//! Each event updates the state of every aggregate of its source whose
//! set it belongs to, under its lead key (folded as `==` compares), so
//! memory grows with the number of keys and aggregates, not of events.
//! Every update is commutative (counts, exact decimal sums, least and
//! greatest values, distinct sets), so tables built by several threads
//! over parts of a file merge into the same table in any order, and the
//! scores do not depend on `--threads` or on the events' order.

mod columns;
mod keys;
mod lead_sets;
mod shard;
mod state;

use std::sync::Mutex;

use super::decay;
use super::expr::{self, Env, Folded, V};
use super::Lead;
use crate::id::{FieldId, IdSlice, IdVec};
use crate::plan::{AggregateSpec, EventsSpec};
use crate::value::{fold_into, fold_text, ops, Date, Decimal, Value};
pub use keys::KeySet;
use keys::{hash_key, shard_of, SHARDS};
use shard::Shard;
pub(crate) use state::State;
pub(super) use state::{distinct_key, pick_date, pick_extreme, DistinctKey, Extreme};

/// The aggregates of one events source, per lead key: [`SHARDS`]
/// shards by the key's hash (none for a table with no events).
#[derive(Debug, Default)]
pub struct EventTable {
    shards: Vec<Shard>,
    pub counts: EventCounts,
    /// Reused per event when the table is built on one thread.
    scratch: Scratch,
}

/// What became of a source's events (the summary shows them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts {
    /// Rows read, rejected ones included.
    pub read: u64,
    pub rejected: u64,
    /// Events after the as-of date, which nothing sees.
    pub future: u64,
    /// Events without a key.
    pub keyless: u64,
    /// Events whose key no row of the lead file has (known when the
    /// table was given the leads' keys: their states are not kept).
    pub unknown: u64,
}

impl EventCounts {
    fn add(&mut self, other: EventCounts) {
        self.read += other.read;
        self.rejected += other.rejected;
        self.future += other.future;
        self.keyless += other.keyless;
        self.unknown += other.unknown;
    }
}

/// A sum past the largest decimal: the source's events cannot be
/// aggregated exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregateOverflow;

/// What adding an event reuses: the key as looked up, and the event's
/// text fields folded (so adding an event allocates nothing once warm).
#[derive(Debug, Default)]
struct Scratch {
    key: String,
    folded: IdVec<FieldId, Folded>,
}

impl Scratch {
    /// The event's time and key hash, with its key and folded fields in
    /// the scratch; `None` (counted) for an event no aggregate sees.
    fn prepare(
        &mut self,
        source: &EventsSpec,
        event: &Lead,
        today: Date,
        counts: &mut EventCounts,
    ) -> Option<(Date, u64)> {
        let values = &event.values;
        let Some(Some(Value::Date(time))) = values.get(source.time) else {
            counts.rejected += 1;
            return None;
        };
        if *time > today {
            counts.future += 1;
            return None;
        }
        if !key_into(&mut self.key, values.at(source.key).as_ref()) {
            counts.keyless += 1;
            return None;
        }
        self.folded.resize_with(values.len(), Folded::default);
        for (slot, value) in self.folded.iter_mut().zip(values) {
            slot.refill(value.as_ref());
        }
        Some((*time, hash_key(&self.key)))
    }
}

/// Shards for `source`: of the lead file's keys only, or growing.
fn shards(source: &EventsSpec, keys: Option<KeySet>) -> Vec<Shard> {
    match keys {
        Some(keys) => (keys.shards.into_iter())
            .map(|k| Shard::new(source, Some(k)))
            .collect(),
        None => (0..SHARDS).map(|_| Shard::new(source, None)).collect(),
    }
}

impl EventTable {
    /// An empty table of `source` that keeps only the events of `keys`
    /// (the lead file's, when read first), or of every key.
    pub fn new(source: &EventsSpec, keys: Option<KeySet>) -> EventTable {
        EventTable {
            shards: shards(source, keys),
            ..EventTable::default()
        }
    }

    /// Add one event (its fields' values, indexed like the source's
    /// fields) as of `today`. Its time must be present (the reader
    /// rejects an event without one).
    pub fn add(
        &mut self,
        source: &EventsSpec,
        event: &Lead,
        today: Date,
    ) -> Result<(), AggregateOverflow> {
        if self.shards.is_empty() {
            self.shards = shards(source, None);
        }
        let scratch = &mut self.scratch;
        let Some((time, hash)) = scratch.prepare(source, event, today, &mut self.counts) else {
            return Ok(());
        };
        let env = event_env(event, &scratch.folded, today);
        let Some(shard) = self.shards.get_mut(shard_of(hash)) else {
            return Ok(());
        };
        if !shard.add(source, (&scratch.key, hash), time, &env)? {
            self.counts.unknown += 1;
        }
        Ok(())
    }

    /// The lead's aggregate values of this source as of `today`:
    /// `values[i]` for `source.aggregates[i]`. A lead without events (or
    /// without a key) gets each aggregate's value for an empty set.
    pub fn values_for(
        &self,
        source: &EventsSpec,
        lead: &Lead,
        today: Date,
        out: &mut Vec<Option<Value>>,
    ) {
        out.clear();
        let key = lead
            .values
            .get(source.lead_key)
            .and_then(|k| key_of(k.as_ref()));
        if let Some(key) = key {
            let hash = hash_key(&key);
            if let Some(shard) = self.shards.get(shard_of(hash)) {
                shard.values(source, (&key, hash), (lead, today), out);
                return;
            }
        }
        out.extend((source.aggregates.iter()).map(|a| State::new(a).value(a)));
    }

    /// The aggregates of one lead's own events (a test's `given`): keys
    /// are not looked at.
    pub fn values_of(
        source: &EventsSpec,
        events: &[IdVec<FieldId, Option<Value>>],
        lead: &Lead,
        today: Date,
    ) -> Result<Vec<Option<Value>>, AggregateOverflow> {
        let own = Value::Number(Decimal::ZERO);
        let mut table = EventTable::default();
        for event in events {
            let mut event = Lead {
                values: event.clone(),
            };
            *event.values.at_mut(source.key) = Some(own.clone());
            table.add(source, &event, today)?;
        }
        let mut lead = lead.clone();
        if let Some(key) = lead.values.get_mut(source.lead_key) {
            *key = Some(own);
        }
        let mut values = Vec::new();
        table.values_for(source, &lead, today, &mut values);
        Ok(values)
    }

    /// Events on or before the as-of date whose key no lead had (valid
    /// once the leads are scored), keyless ones included.
    pub fn unmatched(&self) -> u64 {
        let unmatched: u64 = self.shards.iter().map(Shard::unmatched).sum();
        self.counts.keyless + self.counts.unknown + unmatched
    }

    /// Events that count for some lead: read, not rejected, not in the
    /// future, with a key some lead has.
    pub fn used(&self) -> u64 {
        let c = self.counts;
        c.read
            .saturating_sub(c.rejected + c.future)
            .saturating_sub(self.unmatched())
    }

    /// Heap bytes the table holds (keys, states, per-key counts).
    pub fn heap_bytes(&self) -> usize {
        self.shards.iter().map(Shard::heap_bytes).sum()
    }
}

/// A table built by several workers at once, each locking the shard of
/// the event at hand.
#[derive(Debug)]
pub struct SharedTable {
    shards: Vec<Mutex<Shard>>,
}

/// One worker's part in building a [`SharedTable`]: its scratch, and
/// its counts of the events no aggregate sees.
#[derive(Debug, Default)]
pub struct EventAdder {
    scratch: Scratch,
    pub counts: EventCounts,
}

impl SharedTable {
    /// See [`EventTable::new`].
    pub fn new(source: &EventsSpec, keys: Option<KeySet>) -> SharedTable {
        let shards = shards(source, keys);
        SharedTable {
            shards: shards.into_iter().map(Mutex::new).collect(),
        }
    }

    /// The table, with the workers' counts added up.
    pub fn finish(self, adders: impl IntoIterator<Item = EventCounts>) -> EventTable {
        let mut counts = EventCounts::default();
        adders.into_iter().for_each(|c| counts.add(c));
        let shards = self.shards.into_iter();
        // A worker that panicked holding a lock left its shard as it was
        // between two whole updates of one key: still a table.
        let mut shards: Vec<Shard> = shards
            .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
            .collect();
        shards.iter_mut().for_each(Shard::shrink);
        EventTable {
            shards,
            counts,
            scratch: Scratch::default(),
        }
    }
}

impl EventAdder {
    /// [`EventTable::add`], into a shared table.
    pub fn add(
        &mut self,
        table: &SharedTable,
        source: &EventsSpec,
        event: &Lead,
        today: Date,
    ) -> Result<(), AggregateOverflow> {
        let scratch = &mut self.scratch;
        let Some((time, hash)) = scratch.prepare(source, event, today, &mut self.counts) else {
            return Ok(());
        };
        let env = event_env(event, &scratch.folded, today);
        let Some(shard) = table.shards.get(shard_of(hash)) else {
            return Ok(());
        };
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        if !shard.add(source, (&scratch.key, hash), time, &env)? {
            self.counts.unknown += 1;
        }
        Ok(())
    }
}

/// What one event gave an `each` rule (for `tally explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub time: Date,
    /// `days_since(time)`, at least 0.
    pub age: i64,
    /// The decay factor, when the rule decays.
    pub factor: Option<Decimal>,
    /// The points before decay (missing: the event adds nothing).
    pub points: Option<Decimal>,
    /// What the event adds (rounded to 4 places when decayed).
    pub added: Option<Decimal>,
}

/// Each event of `events` (one lead's) in the set of `aggregate`, an
/// `each` rule's, with what it adds, oldest first.
pub fn contributions(
    aggregate: &AggregateSpec,
    source: &EventsSpec,
    events: &[IdVec<FieldId, Option<Value>>],
    lead: &Lead,
    today: Date,
) -> Vec<Contribution> {
    let mut out = Vec::new();
    for event in events {
        let Some(Some(Value::Date(time))) = event.get(source.time) else {
            continue;
        };
        if *time > today {
            continue;
        }
        let row = lead_sets::event_and_lead(event, aggregate, lead);
        let folded = row.values.map(|v| Folded::of(v.as_ref()));
        let env = event_env(&row, &folded, today);
        if !in_set(aggregate, *time, &env) {
            continue;
        }
        let points = match aggregate.value.as_ref().and_then(|v| expr::eval(v, &env)) {
            Some(V::Num(n)) => Some(n),
            _ => None,
        };
        let factor = aggregate
            .decay
            .map(|form| decay::factor(form, *time, today));
        let added = match aggregate.decay {
            Some(form) => points.and_then(|p| decay::decayed(p, form, *time, today)),
            None => points,
        };
        out.push(Contribution {
            time: *time,
            age: ops::days_since(*time, today).max(0),
            factor,
            points,
            added,
        });
    }
    out.sort_by_key(|c| c.time);
    out
}

/// Whether an event's key value is the lead key `wanted` (as `==`).
pub fn same_key(event_key: Option<&Value>, wanted: &Value) -> bool {
    match (key_of(event_key), key_of(Some(wanted))) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// A lead's join key as the events table looks it up (`None`: no key).
pub fn lead_key(value: Option<&Value>) -> Option<Box<str>> {
    key_of(value)
}

/// [`key_of`] into a reused buffer; false for no key.
pub(super) fn key_into(buf: &mut String, value: Option<&Value>) -> bool {
    buf.clear();
    match value {
        Some(Value::Text(t)) => {
            fold_into(buf, t);
            !buf.is_empty()
        }
        Some(Value::Number(n)) => {
            use std::fmt::Write;
            let _ = write!(buf, "{}", n.normalize());
            true
        }
        _ => false,
    }
}

/// The key an event or a lead joins on: text folded as `==` compares it,
/// a number in its shortest form. Blank text is no key.
fn key_of(value: Option<&Value>) -> Option<Box<str>> {
    match value? {
        Value::Text(t) => {
            let folded = fold_text(t);
            (!folded.is_empty()).then(|| folded.into_boxed_str())
        }
        Value::Number(n) => Some(n.normalize().to_string().into_boxed_str()),
        _ => None,
    }
}

/// An environment in which `Field(i)` is the event's field `i`.
pub(super) fn event_env<'a>(
    event: &'a Lead,
    folded: &'a IdVec<FieldId, Folded>,
    today: Date,
) -> Env<'a> {
    Env {
        lead: event,
        folded: folded.view(),
        today,
        groups: IdSlice::empty(),
        score: None,
        stage: None,
        tiers: IdSlice::empty(),
        fired: IdSlice::empty(),
        predicates: IdSlice::empty(),
    }
}

/// Whether the event at `time` is in the aggregate's set: its condition
/// is true (missing counts as false) and it is within the window.
pub(super) fn in_set(aggregate: &AggregateSpec, time: Date, env: &Env) -> bool {
    let window = aggregate
        .within
        .is_none_or(|d| ops::within(time, d, env.today) == Some(true));
    window
        && aggregate
            .condition
            .as_ref()
            .is_none_or(|c| expr::truth(c, env) == Some(true))
}

#[cfg(test)]
mod tests;
