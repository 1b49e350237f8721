//! Event sets that read the lead's fields (language section 10: inside a
//! set, a name the event does not have is the lead's field).
//!
//! Such a set is not the same for every lead of a key, so it cannot be
//! counted before the leads are read. Its column keeps, per key, the
//! events that may be in it for some lead: those within its window whose
//! conditions about the event alone hold (`kind == "webinar"` of `kind ==
//! "webinar" and at >= signup`), with only the event fields it reads.
//! Each lead then counts its key's kept events with its own values.
//! Memory grows with those events, not with the keys (docs/architecture.md).

use super::expr::Folded;
use super::{event_env, in_set, AggregateOverflow, State};
use crate::eval::Lead;
use crate::id::{FieldId, Id, IdVec};
use crate::plan::{AggregateSpec, EventsSpec, Node};
use crate::value::{ops, Date, Value};

/// One lead-reading aggregate's kept events: one list per key, linked
/// through flat columns (8 bytes an event, and 32 a value read besides
/// its time), allocated in blocks of [`BLOCK`] events: growing never
/// copies what is kept, nor holds twice its room, as a doubling vector
/// would (989 → 883 MB at 1M leads and 20M events, every event of a lead kept).
#[derive(Debug)]
pub(super) struct Kept {
    /// The event's fields the set reads besides its time.
    reads: Vec<FieldId>,
    /// The event's time field, and its field count (the lead's fields
    /// come after them).
    time: FieldId,
    event_fields: usize,
    /// The parts of the condition about the event alone: an event for
    /// which one is not true is in no lead's set.
    alone: Vec<Node>,
    /// Per key id, its latest kept event (`NONE`: none).
    head: Vec<u32>,
    /// The kept events, event `i` at `i % BLOCK` of block `i / BLOCK`.
    blocks: Vec<Block>,
}

/// Kept events per block: few enough that a table's 64 shards, each
/// with a block begun, hold little more than their events.
const BLOCK: usize = 4096;

/// Per kept event: the key's event kept before it and its time, side by
/// side (a lead walking its key's list reads both at once), and its
/// values of `reads` (at `reads.len() × j`).
#[derive(Debug)]
struct Block {
    links: Vec<(u32, Date)>,
    values: Vec<Option<Value>>,
}

/// No event: the end of a key's list.
const NONE: u32 = u32::MAX;

impl Kept {
    pub(super) fn new(aggregate: &AggregateSpec, source: &EventsSpec, keys: usize) -> Kept {
        let event_fields = source.fields.len();
        let is_event_field = |id: FieldId| id.index() < event_fields;
        let mut reads = Vec::new();
        let nodes = aggregate.condition.iter().chain(&aggregate.value);
        nodes.for_each(|n| {
            n.for_each_field(&mut |id| {
                if is_event_field(id) && id != source.time && !reads.contains(&id) {
                    reads.push(id);
                }
            })
        });
        let about_event = |n: &Node| {
            let mut alone = true;
            n.for_each_field(&mut |id| alone &= is_event_field(id));
            alone
        };
        let alone = match &aggregate.condition {
            Some(Node::And(items)) => items.iter().filter(|n| about_event(n)).cloned().collect(),
            Some(c) if about_event(c) => vec![c.clone()],
            _ => Vec::new(),
        };
        Kept {
            reads,
            time: source.time,
            event_fields,
            alone,
            head: vec![NONE; keys],
            blocks: Vec::new(),
        }
    }

    pub(super) fn grow(&mut self, keys: usize) {
        if keys > self.head.len() {
            self.head.resize(keys, NONE);
        }
    }

    pub(super) fn shrink(&mut self) {
        self.head.shrink_to_fit();
        self.blocks.shrink_to_fit();
        if let Some(last) = self.blocks.last_mut() {
            last.links.shrink_to_fit();
            last.values.shrink_to_fit();
        }
    }

    /// Keep the event (`env` over its fields) under key `id` if some lead
    /// may count it.
    pub(super) fn keep(
        &mut self,
        id: u32,
        aggregate: &AggregateSpec,
        time: Date,
        env: &super::Env,
    ) -> Result<(), AggregateOverflow> {
        let window = aggregate
            .within
            .is_none_or(|d| ops::within(time, d, env.today) == Some(true));
        let holds = |n: &Node| super::expr::truth(n, env) == Some(true);
        if !window || !self.alone.iter().all(holds) {
            return Ok(());
        }
        let Some(head) = self.head.get_mut(id as usize) else {
            return Ok(());
        };
        let full = |b: &Block| b.links.len() >= BLOCK;
        if self.blocks.last().is_none_or(full) {
            // Grown as a vector up to BLOCK: a small file's shards hold
            // little room.
            self.blocks.push(Block {
                links: Vec::new(),
                values: Vec::new(),
            });
        }
        let kept = (self.blocks.len() - 1) * BLOCK;
        let Some(block) = self.blocks.last_mut() else {
            return Ok(());
        };
        // Past 4 billion kept events the lists cannot be linked: the
        // run stops rather than count some events and not others.
        let index = u32::try_from(kept + block.links.len())
            .ok()
            .filter(|&i| i != NONE)
            .ok_or(AggregateOverflow)?;
        block.links.push((*head, time));
        *head = index;
        let values = self
            .reads
            .iter()
            .map(|f| env.lead.values.get(*f).cloned().flatten());
        block.values.extend(values);
        Ok(())
    }

    /// The value of the set for `lead`, whose key has id `id` (`None`:
    /// its key has no events). A sum past the largest decimal leaves it
    /// missing: the lead's events cannot be added up exactly.
    pub(super) fn value(
        &self,
        id: Option<u32>,
        aggregate: &AggregateSpec,
        lead: &Lead,
        today: Date,
    ) -> Option<Value> {
        let mut state = State::new(aggregate);
        let mut none = IdVec::new();
        none.resize(self.event_fields, None);
        let mut row = event_and_lead(&none, aggregate, lead);
        let mut folded: IdVec<FieldId, Folded> = row.values.map(|v| Folded::of(v.as_ref()));
        let stride = self.reads.len();
        let mut at = id
            .and_then(|i| self.head.get(i as usize).copied())
            .unwrap_or(NONE);
        while let Some(block) = self.blocks.get(at as usize / BLOCK) {
            let j = at as usize % BLOCK;
            let Some(&(next, time)) = block.links.get(j) else {
                break;
            };
            let values = (block.values.get(j * stride..(j + 1) * stride)).unwrap_or_default();
            for (field, value) in self.reads.iter().zip(values) {
                if let (Some(slot), Some(fold)) =
                    (row.values.get_mut(*field), folded.get_mut(*field))
                {
                    fold.refill(value.as_ref());
                    slot.clone_from(value);
                }
            }
            *row.values.at_mut(self.time) = Some(Value::Date(time));
            let env = event_env(&row, &folded, today);
            if in_set(aggregate, time, &env) && state.add(aggregate, time, &env).is_err() {
                return None;
            }
            at = next;
        }
        state.value(aggregate)
    }

    pub(super) fn heap_bytes(&self) -> usize {
        let value = size_of::<Option<Value>>();
        let block = |b: &Block| b.links.capacity() * 8 + b.values.capacity() * value;
        self.head.capacity() * 4 + self.blocks.iter().map(block).sum::<usize>()
    }
}

/// The row a set of `aggregate` is evaluated over: the event's values,
/// then the lead's fields the set reads.
pub(super) fn event_and_lead(
    event: &IdVec<FieldId, Option<Value>>,
    aggregate: &AggregateSpec,
    lead: &Lead,
) -> Lead {
    let mut row = Lead {
        values: event.clone(),
    };
    for field in &aggregate.lead_fields {
        row.values.push(lead.values.get(*field).cloned().flatten());
    }
    row
}
