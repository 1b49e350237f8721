//! A shard of an events table: the keys whose hash falls in it, each
//! with an id, and one column per aggregate indexed by that id.
//!
//! A table is [`SHARDS`](super::keys::SHARDS) shards, so the workers
//! reading an events file share one table, each locking only the shard
//! of the event at hand (there are far more shards than workers, so
//! they seldom wait): one table for the whole file instead of one per
//! worker merged at the end, which held every key once per worker.

use std::sync::atomic::{AtomicBool, Ordering};

use super::columns::Column;
use super::expr::Env;
use super::keys::KeyIndex;
use super::AggregateOverflow;
use crate::eval::Lead;
use crate::plan::EventsSpec;
use crate::value::{Date, Value};

#[derive(Debug)]
pub(super) struct Shard {
    keys: KeyIndex,
    /// The keys were given (the lead file's): an event of another key
    /// is not kept.
    fixed: bool,
    columns: Vec<Column>,
    /// Per key, its events on or before the as-of date.
    events: Vec<u64>,
    /// Per key, whether a lead looked it up.
    matched: Vec<AtomicBool>,
}

impl Shard {
    /// A shard of these keys only, or (without) of every key it meets.
    pub(super) fn new(source: &EventsSpec, keys: Option<KeyIndex>) -> Shard {
        let fixed = keys.is_some();
        let keys = keys.unwrap_or_default();
        let n = keys.len();
        Shard {
            columns: source
                .aggregates
                .iter()
                .map(|a| Column::new(a, source, n))
                .collect(),
            events: vec![0; n],
            matched: (0..n).map(|_| AtomicBool::new(false)).collect(),
            keys,
            fixed,
        }
    }

    /// Fold in an event of `key` (hash `hash`) at `time`: false when its
    /// key is not kept here.
    pub(super) fn add(
        &mut self,
        source: &EventsSpec,
        (key, hash): (&str, u64),
        time: Date,
        env: &Env,
    ) -> Result<bool, AggregateOverflow> {
        let id = match self.fixed {
            true => self.keys.get(key, hash),
            false => self.keys.intern(key, hash),
        };
        let Some(id) = id else {
            return Ok(false);
        };
        let i = id as usize;
        if i >= self.events.len() {
            self.grow(i + 1);
        }
        if let Some(events) = self.events.get_mut(i) {
            *events += 1;
        }
        for (aggregate, column) in source.aggregates.iter().zip(&mut self.columns) {
            column.offer(id, aggregate, time, env)?;
        }
        Ok(true)
    }

    fn grow(&mut self, keys: usize) {
        self.events.resize(keys, 0);
        self.matched.resize_with(keys, || AtomicBool::new(false));
        self.columns.iter_mut().for_each(|c| c.grow(keys));
    }

    /// Give back the room reserved for growth (no event comes now).
    pub(super) fn shrink(&mut self) {
        self.keys.shrink();
        self.events.shrink_to_fit();
        self.matched.shrink_to_fit();
        self.columns.iter_mut().for_each(Column::shrink);
    }

    /// The aggregate values of `lead`, whose key is `key` (`out[i]` for
    /// `source.aggregates[i]`); its key, if it has events, is then matched.
    pub(super) fn values(
        &self,
        source: &EventsSpec,
        (key, hash): (&str, u64),
        (lead, today): (&Lead, Date),
        out: &mut Vec<Option<Value>>,
    ) {
        let id = self.keys.get(key, hash);
        if let Some(matched) = id.and_then(|id| self.matched.get(id as usize)) {
            matched.store(true, Ordering::Relaxed);
        }
        let pairs = source.aggregates.iter().zip(&self.columns);
        out.extend(pairs.map(|(aggregate, column)| column.value(id, aggregate, lead, today)));
    }

    /// Events under keys no lead looked up.
    pub(super) fn unmatched(&self) -> u64 {
        let pairs = self.events.iter().zip(&self.matched);
        pairs
            .filter(|(_, m)| !m.load(Ordering::Relaxed))
            .map(|(e, _)| *e)
            .sum()
    }

    /// Bytes held: the key index, the columns, the per-key counts.
    pub(super) fn heap_bytes(&self) -> usize {
        let columns: usize = self.columns.iter().map(Column::heap_bytes).sum();
        self.keys.heap_bytes() + columns + self.events.capacity() * 8 + self.matched.capacity()
    }
}
