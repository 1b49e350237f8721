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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::decay;
use super::expr::{self, Env, Folded, V};
use super::Lead;
use crate::check::model::AggregateKind;
use crate::id::{FieldId, IdSlice, IdVec};
use crate::plan::{AggregateSpec, EventsSpec};
use crate::value::{fold_into, fold_text, ops, Date, Decimal, Value};

/// The aggregates of one events source, per lead key.
#[derive(Debug, Default)]
pub struct EventTable {
    by_key: FxHashMap<Box<str>, Entry>,
    pub counts: EventCounts,
    /// Reused per event: the key as looked up, and the event's text
    /// fields folded (so adding an event allocates nothing once warm).
    key: String,
    folded: IdVec<FieldId, Folded>,
    /// The keys of the lead file's rows, when read first: an event of
    /// another key is counted, not aggregated (memory for the leads'
    /// keys only).
    known: Option<Arc<KeySet>>,
}

/// The join keys of a lead file's rows, folded as `==` compares them.
pub type KeySet = FxHashSet<Box<str>>;

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

#[derive(Debug)]
struct Entry {
    states: Box<[State]>,
    /// Events on or before the as-of date under this key.
    events: u64,
    /// Whether a lead looked the key up.
    matched: AtomicBool,
}

/// One aggregate's state for one key.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum State {
    Count(u64),
    Date(Option<Date>),
    Sum(Decimal),
    Extreme(Option<Extreme>),
    /// Boxed, and only once a value comes: a set is 32 bytes, and most
    /// keys' states are counts (a state is 24 bytes, kept per key and
    /// aggregate: it is most of the memory the events pass takes).
    Distinct(Option<Box<FxHashSet<DistinctKey>>>),
    /// An `each` rule's decayed sum, and whether any event was in its set.
    Each(Decimal, bool),
}

/// A value as `distinct` compares it: text folded, numbers normalized.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum DistinctKey {
    Text(String),
    Number(Decimal),
    Date(Date),
    Bool(bool),
}

/// A sum past the largest decimal: the source's events cannot be
/// aggregated exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregateOverflow;

impl EventTable {
    /// Add one event (its fields' values, indexed like the source's
    /// fields) as of `today`. Its time must be present (the reader
    /// rejects an event without one).
    pub fn add(
        &mut self,
        source: &EventsSpec,
        event: &Lead,
        today: Date,
    ) -> Result<(), AggregateOverflow> {
        let values = &event.values;
        let Some(Some(Value::Date(time))) = values.get(source.time) else {
            self.counts.rejected += 1;
            return Ok(());
        };
        let time = *time;
        if time > today {
            self.counts.future += 1;
            return Ok(());
        }
        if !key_into(
            &mut self.key,
            values.get(source.key).and_then(Option::as_ref),
        ) {
            self.counts.keyless += 1;
            return Ok(());
        }
        if self
            .known
            .as_ref()
            .is_some_and(|k| !k.contains(self.key.as_str()))
        {
            self.counts.unknown += 1;
            return Ok(());
        }
        let entry = match self.by_key.get_mut(self.key.as_str()) {
            Some(entry) => entry,
            None => self
                .by_key
                .entry(self.key.as_str().into())
                .or_insert_with(|| Entry {
                    states: source.aggregates.iter().map(State::new).collect(),
                    events: 0,
                    matched: AtomicBool::new(false),
                }),
        };
        entry.events += 1;
        self.folded.resize_with(values.len(), Folded::default);
        for (slot, value) in self.folded.iter_mut().zip(values) {
            slot.refill(value.as_ref());
        }
        let env = event_env(event, &self.folded, today);
        for (aggregate, state) in source.aggregates.iter().zip(entry.states.iter_mut()) {
            if in_set(aggregate, time, &env) {
                state.add(aggregate, time, &env)?;
            }
        }
        Ok(())
    }

    /// Fold another table of the same source into this one.
    pub fn merge(
        &mut self,
        source: &EventsSpec,
        other: EventTable,
    ) -> Result<(), AggregateOverflow> {
        self.counts.read += other.counts.read;
        self.counts.rejected += other.counts.rejected;
        self.counts.future += other.counts.future;
        self.counts.keyless += other.counts.keyless;
        self.counts.unknown += other.counts.unknown;
        for (key, theirs) in other.by_key {
            match self.by_key.get_mut(&key) {
                Some(ours) => {
                    ours.events += theirs.events;
                    let pairs = ours.states.iter_mut().zip(theirs.states.into_vec());
                    for ((a, b), spec) in pairs.zip(&source.aggregates) {
                        a.merge(b, spec.kind)?;
                    }
                }
                None => {
                    self.by_key.insert(key, theirs);
                }
            }
        }
        Ok(())
    }

    /// The lead's aggregate values of this source, given its key value:
    /// `values[i]` for `source.aggregates[i]`. A lead without events (or
    /// without a key) gets each aggregate's value for an empty set.
    pub fn values_for(
        &self,
        source: &EventsSpec,
        key: Option<&Value>,
        out: &mut Vec<Option<Value>>,
    ) {
        out.clear();
        let entry = key
            .and_then(|k| key_of(Some(k)))
            .and_then(|k| self.by_key.get(&k));
        if let Some(entry) = entry {
            entry.matched.store(true, Ordering::Relaxed);
        }
        for (i, aggregate) in source.aggregates.iter().enumerate() {
            let state = entry.and_then(|e| e.states.get(i));
            out.push(match state {
                Some(state) => state.value(aggregate),
                None => State::new(aggregate).value(aggregate),
            });
        }
    }

    /// An empty table that keeps only the events of these keys.
    pub fn for_keys(keys: Option<Arc<KeySet>>) -> EventTable {
        EventTable {
            known: keys,
            ..EventTable::default()
        }
    }

    /// The aggregates of one lead's own events (a test's `given`): keys
    /// are not looked at.
    pub fn values_of(
        source: &EventsSpec,
        events: &[IdVec<FieldId, Option<Value>>],
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
        let mut values = Vec::new();
        table.values_for(source, Some(&own), &mut values);
        Ok(values)
    }

    /// Events on or before the as-of date whose key no lead had (valid
    /// once the leads are scored), keyless ones included.
    pub fn unmatched(&self) -> u64 {
        let unmatched = self
            .by_key
            .values()
            .filter(|e| !e.matched.load(Ordering::Relaxed));
        let counts = self.counts;
        counts.keyless + counts.unknown + unmatched.map(|e| e.events).sum::<u64>()
    }

    /// Events that count for some lead: read, not rejected, not in the
    /// future, with a key some lead has.
    pub fn used(&self) -> u64 {
        let c = self.counts;
        c.read
            .saturating_sub(c.rejected + c.future)
            .saturating_sub(self.unmatched())
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
        let folded = event.map(|v| Folded::of(v.as_ref()));
        let lead = Lead {
            values: event.clone(),
        };
        let env = event_env(&lead, &folded, today);
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

impl State {
    pub(super) fn new(aggregate: &AggregateSpec) -> State {
        match aggregate.kind {
            AggregateKind::Count | AggregateKind::Exists => State::Count(0),
            AggregateKind::First | AggregateKind::Last => State::Date(None),
            AggregateKind::Sum => State::Sum(Decimal::ZERO),
            AggregateKind::Min | AggregateKind::Max => State::Extreme(None),
            AggregateKind::Distinct => State::Distinct(None),
            AggregateKind::Each => State::Each(Decimal::ZERO, false),
        }
    }

    /// Count one event of the set.
    pub(super) fn add(
        &mut self,
        aggregate: &AggregateSpec,
        time: Date,
        env: &Env,
    ) -> Result<(), AggregateOverflow> {
        let value = || aggregate.value.as_ref().and_then(|v| expr::eval(v, env));
        match self {
            State::Count(n) => *n += 1,
            State::Date(slot) => *slot = Some(pick_date(aggregate.kind, *slot, time)),
            State::Sum(sum) => {
                if let Some(V::Num(n)) = value() {
                    *sum = sum.checked_add(n).ok_or(AggregateOverflow)?;
                }
            }
            State::Extreme(slot) => {
                // Normalized: equal values print alike whichever came first.
                let new = match value() {
                    Some(V::Num(n)) => Extreme::Number(n.normalize()),
                    Some(V::Date(d)) => Extreme::Date(d),
                    _ => return Ok(()),
                };
                *slot = Some(pick_extreme(aggregate.kind, slot.take(), new));
            }
            State::Distinct(set) => {
                if let Some(key) = value().and_then(distinct_key) {
                    set.get_or_insert_with(Box::default).insert(key);
                }
            }
            State::Each(sum, any) => {
                *any = true;
                let Some(V::Num(points)) = value() else {
                    return Ok(());
                };
                let contribution = match aggregate.decay {
                    Some(form) => {
                        decay::decayed(points, form, time, env.today).ok_or(AggregateOverflow)?
                    }
                    None => points,
                };
                *sum = sum.checked_add(contribution).ok_or(AggregateOverflow)?;
            }
        }
        Ok(())
    }

    pub(super) fn merge(
        &mut self,
        other: State,
        kind: AggregateKind,
    ) -> Result<(), AggregateOverflow> {
        match (self, other) {
            (State::Count(a), State::Count(b)) => *a += b,
            (State::Date(a), State::Date(Some(b))) => *a = Some(pick_date(kind, *a, b)),
            (State::Sum(a), State::Sum(b)) => *a = a.checked_add(b).ok_or(AggregateOverflow)?,
            (State::Extreme(a), State::Extreme(Some(b))) => {
                *a = Some(pick_extreme(kind, a.take(), b))
            }
            (State::Distinct(a), State::Distinct(Some(b))) => match a {
                Some(a) => a.extend(*b),
                None => *a = Some(b),
            },
            (State::Each(a, any_a), State::Each(b, any_b)) => {
                *a = a.checked_add(b).ok_or(AggregateOverflow)?;
                *any_a |= any_b;
            }
            // The other side is empty (or, impossibly, of another kind).
            _ => {}
        }
        Ok(())
    }

    /// The lead's value.
    pub(super) fn value(&self, aggregate: &AggregateSpec) -> Option<Value> {
        match self {
            State::Count(n) => match aggregate.kind {
                AggregateKind::Exists => Some(Value::Bool(*n > 0)),
                _ => Some(Value::Number(Decimal::from(*n))),
            },
            State::Date(d) => d.map(Value::Date),
            State::Sum(sum) => Some(Value::Number(sum.normalize())),
            State::Extreme(v) => v.map(|v| match v {
                Extreme::Number(n) => Value::Number(n),
                Extreme::Date(d) => Value::Date(d),
            }),
            State::Distinct(set) => Some(Value::Number(Decimal::from(
                set.as_ref().map_or(0, |s| s.len()),
            ))),
            State::Each(sum, _) => {
                let limited = match aggregate.max {
                    Some(max) => (*sum).clamp(-max, max),
                    None => *sum,
                };
                Some(Value::Number(limited.normalize()))
            }
        }
    }
}

fn pick_date(kind: AggregateKind, current: Option<Date>, time: Date) -> Date {
    match (kind, current) {
        (AggregateKind::First, Some(c)) => c.min(time),
        (AggregateKind::Last, Some(c)) => c.max(time),
        (_, _) => time,
    }
}

/// The least or greatest value of `min` and `max`: a number or a date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Extreme {
    Number(Decimal),
    Date(Date),
}

fn pick_extreme(kind: AggregateKind, current: Option<Extreme>, new: Extreme) -> Extreme {
    let Some(current) = current else {
        return new;
    };
    let new_is_less = match (&new, &current) {
        (Extreme::Number(a), Extreme::Number(b)) => ops::cmp(*a, *b).is_lt(),
        (Extreme::Date(a), Extreme::Date(b)) => a < b,
        _ => false,
    };
    let new_is_greater = match (&new, &current) {
        (Extreme::Number(a), Extreme::Number(b)) => ops::cmp(*a, *b).is_gt(),
        (Extreme::Date(a), Extreme::Date(b)) => a > b,
        _ => false,
    };
    match kind {
        AggregateKind::Min if new_is_less => new,
        AggregateKind::Max if new_is_greater => new,
        _ => current,
    }
}

fn distinct_key(value: V) -> Option<DistinctKey> {
    Some(match value {
        V::Text { folded, .. } => DistinctKey::Text(folded.into_owned()),
        V::Num(n) => DistinctKey::Number(n.normalize()),
        V::Date(d) => DistinctKey::Date(d),
        V::Bool(b) => DistinctKey::Bool(b),
        V::List(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    /// A state is kept per key and aggregate: most of the events pass's
    /// memory (docs/performance.md). Keep it small.
    #[test]
    fn a_state_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<super::State>(), 24);
    }
}
