//! One aggregate's state for one key, as a value of its own: what the
//! account values keep per account (src/eval/accounts.rs), and what a
//! column of an events table keeps in compact form (`columns.rs`).

use rustc_hash::FxHashSet;

use super::decay;
use super::expr::{self, Env, V};
use super::AggregateOverflow;
use crate::check::model::AggregateKind;
use crate::plan::AggregateSpec;
use crate::value::{ops, Date, Decimal, Value};

/// One aggregate's state for one key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum State {
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
pub(crate) enum DistinctKey {
    Text(String),
    Number(Decimal),
    Date(Date),
    Bool(bool),
}

impl State {
    pub(crate) fn new(aggregate: &AggregateSpec) -> State {
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
    pub(crate) fn add(
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

    pub(crate) fn merge(
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
    pub(crate) fn value(&self, aggregate: &AggregateSpec) -> Option<Value> {
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

pub(crate) fn pick_date(kind: AggregateKind, current: Option<Date>, time: Date) -> Date {
    match (kind, current) {
        (AggregateKind::First, Some(c)) => c.min(time),
        (AggregateKind::Last, Some(c)) => c.max(time),
        (_, _) => time,
    }
}

/// The least or greatest value of `min` and `max`: a number or a date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Extreme {
    Number(Decimal),
    Date(Date),
}

pub(crate) fn pick_extreme(kind: AggregateKind, current: Option<Extreme>, new: Extreme) -> Extreme {
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

pub(crate) fn distinct_key(value: V) -> Option<DistinctKey> {
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
