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
use super::{event_env, in_set, State};
use crate::eval::Lead;
use crate::id::{FieldId, Id, IdVec};
use crate::plan::{AggregateSpec, Node};
use crate::value::{ops, Date, Value};

/// One lead-reading aggregate's kept events, per key id.
#[derive(Debug)]
pub(super) struct Kept {
    /// The event's fields the set reads (its time is kept apart).
    reads: Vec<FieldId>,
    /// The event's field count: the lead's fields come after them.
    event_fields: usize,
    /// The parts of the condition about the event alone: an event for
    /// which one is not true is in no lead's set.
    alone: Vec<Node>,
    per_key: Vec<Vec<KeptEvent>>,
}

#[derive(Debug)]
struct KeptEvent {
    time: Date,
    /// The values of `reads`, in order.
    values: Box<[Option<Value>]>,
}

impl Kept {
    pub(super) fn new(aggregate: &AggregateSpec, event_fields: usize, keys: usize) -> Kept {
        let is_event_field = |id: FieldId| id.index() < event_fields;
        let mut reads = Vec::new();
        let nodes = aggregate.condition.iter().chain(&aggregate.value);
        nodes.for_each(|n| {
            n.for_each_field(&mut |id| {
                if is_event_field(id) && !reads.contains(&id) {
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
            event_fields,
            alone,
            per_key: (0..keys).map(|_| Vec::new()).collect(),
        }
    }

    pub(super) fn grow(&mut self, keys: usize) {
        if keys > self.per_key.len() {
            self.per_key.resize_with(keys, Vec::new);
        }
    }

    pub(super) fn shrink(&mut self) {
        self.per_key.shrink_to_fit();
        self.per_key.iter_mut().for_each(Vec::shrink_to_fit);
    }

    /// Keep the event (`env` over its fields) under key `id` if some lead
    /// may count it.
    pub(super) fn keep(
        &mut self,
        id: u32,
        aggregate: &AggregateSpec,
        time: Date,
        env: &super::Env,
    ) {
        let window = aggregate
            .within
            .is_none_or(|d| ops::within(time, d, env.today) == Some(true));
        let holds = |n: &Node| super::expr::truth(n, env) == Some(true);
        if !window || !self.alone.iter().all(holds) {
            return;
        }
        let values = self
            .reads
            .iter()
            .map(|f| env.lead.values.get(*f).cloned().flatten());
        if let Some(events) = self.per_key.get_mut(id as usize) {
            events.push(KeptEvent {
                time,
                values: values.collect(),
            });
        }
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
        let events = id.and_then(|i| self.per_key.get(i as usize));
        let mut none = IdVec::new();
        none.resize(self.event_fields, None);
        let mut row = event_and_lead(&none, aggregate, lead);
        let mut folded: IdVec<FieldId, Folded> = row.values.map(|v| Folded::of(v.as_ref()));
        for event in events.into_iter().flatten() {
            for (field, value) in self.reads.iter().zip(&event.values) {
                if let (Some(slot), Some(fold)) =
                    (row.values.get_mut(*field), folded.get_mut(*field))
                {
                    fold.refill(value.as_ref());
                    slot.clone_from(value);
                }
            }
            let env = event_env(&row, &folded, today);
            if in_set(aggregate, event.time, &env)
                && state.add(aggregate, event.time, &env).is_err()
            {
                return None;
            }
        }
        state.value(aggregate)
    }

    pub(super) fn heap_bytes(&self) -> usize {
        let per_event = size_of::<KeptEvent>() + self.reads.len() * size_of::<Option<Value>>();
        let events: usize = self.per_key.iter().map(|e| e.capacity() * per_event).sum();
        self.per_key.capacity() * size_of::<Vec<KeptEvent>>() + events
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
