//! One aggregate's states for every key of a shard, as a flat column
//! indexed by the key's id: the compact form of [`State`](super::State).
//!
//! Most states fit in a few bytes: a count in 4, `exists` in a bit, a
//! date in 4, a sum or a number's extreme in 8 (a whole number of
//! ten-thousandths), a `distinct` set of a source's first 64 values in a
//! 64-bit mask. A key whose state does not fit (a sum past 92 trillion,
//! a number with more than 4 decimals, a 65th distinct value) keeps it
//! exactly in a side map: the values are the same either way.

use rustc_hash::{FxHashMap, FxHashSet};

use super::lead_sets::Kept;
use super::{
    distinct_key, in_set, pick_date, pick_extreme, AggregateOverflow, DistinctKey, Extreme, State,
};
use crate::check::model::AggregateKind;
use crate::eval::decay;
use crate::eval::expr::{self, Env, V};
use crate::eval::Lead;
use crate::plan::{AggregateSpec, EventsSpec};
use crate::value::{Date, Decimal, Value};
use chrono::Datelike;

/// The scale of the compact numbers: ten-thousandths, the places a
/// decayed contribution is rounded to.
const SCALE: u32 = 4;
/// Compact slots no number takes: no value yet, and "kept in the side map".
const EMPTY: i64 = i64::MIN;
const SPILLED: i64 = i64::MIN + 1;

#[derive(Debug)]
pub(super) enum Column {
    Count(Counts),
    Exists(Vec<u64>),
    Date(Vec<Option<Date>>),
    /// `sum`, and an `each` rule's decayed sum.
    Sum(Sums),
    Extreme(Extremes),
    Distinct(Distincts),
    /// A set that reads the lead's fields: its events, not a state.
    Kept(Kept),
}

#[derive(Debug, Default)]
pub(super) struct Counts {
    low: Vec<u32>,
    /// Past `u32::MAX`: the rest of the count.
    high: FxHashMap<u32, u64>,
}

#[derive(Debug, Default)]
pub(super) struct Sums {
    units: Vec<i64>,
    exact: FxHashMap<u32, Decimal>,
}

#[derive(Debug, Default)]
pub(super) struct Extremes {
    units: Vec<i64>,
    /// What the compact slots hold: numbers or dates (days from the
    /// common era), from the first value on.
    dates: Option<bool>,
    exact: FxHashMap<u32, Option<Extreme>>,
}

#[derive(Debug, Default)]
pub(super) struct Distincts {
    /// The shard's values, numbered in order of arrival.
    values: FxHashMap<DistinctKey, u32>,
    /// Per key, the values numbered below 64.
    low: Vec<u64>,
    /// Per key, the others.
    high: FxHashMap<u32, FxHashSet<u32>>,
}

impl Column {
    /// The column of `aggregate` (of `source`) for `keys` keys.
    pub(super) fn new(aggregate: &AggregateSpec, source: &EventsSpec, keys: usize) -> Column {
        if !aggregate.lead_fields.is_empty() {
            return Column::Kept(Kept::new(aggregate, source, keys));
        }
        match aggregate.kind {
            AggregateKind::Count => Column::Count(Counts {
                low: vec![0; keys],
                high: FxHashMap::default(),
            }),
            AggregateKind::Exists => Column::Exists(vec![0; keys.div_ceil(64)]),
            AggregateKind::First | AggregateKind::Last => Column::Date(vec![None; keys]),
            AggregateKind::Sum | AggregateKind::Each => Column::Sum(Sums {
                units: vec![0; keys],
                exact: FxHashMap::default(),
            }),
            AggregateKind::Min | AggregateKind::Max => Column::Extreme(Extremes {
                units: vec![EMPTY; keys],
                ..Extremes::default()
            }),
            AggregateKind::Distinct => Column::Distinct(Distincts {
                low: vec![0; keys],
                ..Distincts::default()
            }),
        }
    }

    /// Make room for `keys` keys.
    pub(super) fn grow(&mut self, keys: usize) {
        match self {
            Column::Count(c) => c.low.resize(keys.max(c.low.len()), 0),
            Column::Exists(bits) => bits.resize(keys.div_ceil(64).max(bits.len()), 0),
            Column::Date(d) => d.resize(keys.max(d.len()), None),
            Column::Sum(s) => s.units.resize(keys.max(s.units.len()), 0),
            Column::Extreme(e) => e.units.resize(keys.max(e.units.len()), EMPTY),
            Column::Distinct(d) => d.low.resize(keys.max(d.low.len()), 0),
            Column::Kept(k) => k.grow(keys),
        }
    }

    pub(super) fn shrink(&mut self) {
        match self {
            Column::Count(c) => c.low.shrink_to_fit(),
            Column::Exists(bits) => bits.shrink_to_fit(),
            Column::Date(d) => d.shrink_to_fit(),
            Column::Sum(s) => s.units.shrink_to_fit(),
            Column::Extreme(e) => e.units.shrink_to_fit(),
            Column::Distinct(d) => d.low.shrink_to_fit(),
            Column::Kept(k) => k.shrink(),
        }
    }

    /// Offer an event of key `id` (which has room): counted when it is in
    /// the set; a set that reads the lead keeps it for the leads to count.
    pub(super) fn offer(
        &mut self,
        id: u32,
        aggregate: &AggregateSpec,
        time: Date,
        env: &Env,
    ) -> Result<(), AggregateOverflow> {
        match self {
            Column::Kept(kept) => kept.keep(id, aggregate, time, env),
            _ if in_set(aggregate, time, env) => self.add(id, aggregate, time, env),
            _ => Ok(()),
        }
    }

    /// Count one event of the set under key `id` (which has room).
    fn add(
        &mut self,
        id: u32,
        aggregate: &AggregateSpec,
        time: Date,
        env: &Env,
    ) -> Result<(), AggregateOverflow> {
        let i = id as usize;
        let value = || aggregate.value.as_ref().and_then(|v| expr::eval(v, env));
        match self {
            Column::Count(c) => c.add(id),
            Column::Exists(bits) => {
                if let Some(word) = bits.get_mut(i / 64) {
                    *word |= 1 << (i % 64);
                }
            }
            Column::Date(dates) => {
                if let Some(slot) = dates.get_mut(i) {
                    *slot = Some(pick_date(aggregate.kind, *slot, time));
                }
            }
            Column::Sum(sums) => {
                let Some(V::Num(n)) = value() else {
                    return Ok(());
                };
                let n = match (aggregate.kind, aggregate.decay) {
                    (AggregateKind::Each, Some(form)) => {
                        decay::decayed(n, form, time, env.today).ok_or(AggregateOverflow)?
                    }
                    _ => n,
                };
                sums.add(id, n)?;
            }
            Column::Extreme(e) => {
                let new = match value() {
                    Some(V::Num(n)) => Extreme::Number(n.normalize()),
                    Some(V::Date(d)) => Extreme::Date(d),
                    _ => return Ok(()),
                };
                e.add(id, new, aggregate.kind);
            }
            Column::Distinct(d) => {
                if let Some(key) = value().and_then(distinct_key) {
                    d.add(id, key);
                }
            }
            Column::Kept(_) => {}
        }
        Ok(())
    }

    /// The value of `aggregate` for `lead`, whose key has id `id` here
    /// (`None`: no event has its key).
    pub(super) fn value(
        &self,
        id: Option<u32>,
        aggregate: &AggregateSpec,
        lead: &Lead,
        today: Date,
    ) -> Option<Value> {
        match (self, id) {
            (Column::Kept(kept), _) => kept.value(id, aggregate, lead, today),
            (_, Some(id)) => self.state_value(id, aggregate),
            (_, None) => State::new(aggregate).value(aggregate),
        }
    }

    /// The value of key `id`'s state.
    fn state_value(&self, id: u32, aggregate: &AggregateSpec) -> Option<Value> {
        let i = id as usize;
        let number = |n: Decimal| Some(Value::Number(n.normalize()));
        match self {
            Column::Count(c) => number(Decimal::from(c.get(id))),
            Column::Exists(bits) => {
                let word = bits.get(i / 64).copied().unwrap_or(0);
                Some(Value::Bool(word & (1 << (i % 64)) != 0))
            }
            Column::Date(dates) => dates.get(i).copied().flatten().map(Value::Date),
            Column::Sum(sums) => {
                let sum = sums.get(id);
                match (aggregate.kind, aggregate.max) {
                    (AggregateKind::Each, Some(max)) => number(sum.clamp(-max, max)),
                    _ => number(sum),
                }
            }
            Column::Extreme(e) => e.get(id).map(|v| match v {
                Extreme::Number(n) => Value::Number(n),
                Extreme::Date(d) => Value::Date(d),
            }),
            Column::Distinct(d) => number(Decimal::from(d.len(id))),
            Column::Kept(_) => None,
        }
    }

    /// Heap bytes held (for the memory tests and notes).
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Column::Count(c) => c.low.capacity() * 4 + c.high.capacity() * 16,
            Column::Exists(bits) => bits.capacity() * 8,
            Column::Date(d) => d.capacity() * size_of::<Option<Date>>(),
            Column::Sum(s) => s.units.capacity() * 8 + s.exact.capacity() * 24,
            Column::Extreme(e) => e.units.capacity() * 8 + e.exact.capacity() * 28,
            Column::Kept(k) => k.heap_bytes(),
            Column::Distinct(d) => {
                // A value: its key, its number, a control byte, and a
                // text's own heap block (about 32 bytes).
                let values = d.values.capacity() * (size_of::<DistinctKey>() + 4 + 1 + 32);
                d.low.capacity() * 8 + d.high.len() * 64 + values
            }
        }
    }
}

/// `n` as a whole number of ten-thousandths, when it is one that fits.
fn units(n: Decimal) -> Option<i64> {
    let n = if n.scale() > SCALE { n.normalize() } else { n };
    let shift = SCALE.checked_sub(n.scale())?;
    let units = n.mantissa().checked_mul(10i128.pow(shift))?;
    i64::try_from(units)
        .ok()
        .filter(|&u| u != EMPTY && u != SPILLED)
}

fn from_units(units: i64) -> Decimal {
    Decimal::new(units, SCALE)
}

impl Counts {
    fn add(&mut self, id: u32) {
        let Some(low) = self.low.get_mut(id as usize) else {
            return;
        };
        match low.checked_add(1) {
            Some(n) => *low = n,
            None => *self.high.entry(id).or_default() += 1,
        }
    }

    fn get(&self, id: u32) -> u64 {
        let low = self.low.get(id as usize).copied().unwrap_or(0);
        u64::from(low) + self.high.get(&id).copied().unwrap_or(0)
    }
}

impl Sums {
    fn add(&mut self, id: u32, n: Decimal) -> Result<(), AggregateOverflow> {
        let Some(slot) = self.units.get_mut(id as usize) else {
            return Ok(());
        };
        if *slot != SPILLED {
            if let Some(sum) = units(n).and_then(|u| slot.checked_add(u)) {
                if sum != SPILLED && sum != EMPTY {
                    *slot = sum;
                    return Ok(());
                }
            }
            // Kept exactly from now on.
            self.exact.insert(id, from_units(*slot));
            *slot = SPILLED;
        }
        let exact = self.exact.entry(id).or_insert(Decimal::ZERO);
        *exact = exact.checked_add(n).ok_or(AggregateOverflow)?;
        Ok(())
    }

    fn get(&self, id: u32) -> Decimal {
        match self.units.get(id as usize).copied() {
            Some(SPILLED) => self.exact.get(&id).copied().unwrap_or(Decimal::ZERO),
            Some(units) => from_units(units),
            None => Decimal::ZERO,
        }
    }
}

impl Extremes {
    fn compact(&mut self, new: Extreme) -> Option<i64> {
        let (dates, units) = match new {
            Extreme::Number(n) => (false, units(n)?),
            Extreme::Date(d) => (true, i64::from(d.num_days_from_ce())),
        };
        (*self.dates.get_or_insert(dates) == dates).then_some(units)
    }

    fn add(&mut self, id: u32, new: Extreme, kind: AggregateKind) {
        let Some(&current) = self.units.get(id as usize) else {
            return;
        };
        if current != SPILLED {
            if let Some(units) = self.compact(new) {
                let keep = match kind {
                    AggregateKind::Min => current != EMPTY && current <= units,
                    _ => current != EMPTY && current >= units,
                };
                if let (false, Some(slot)) = (keep, self.units.get_mut(id as usize)) {
                    *slot = units;
                }
                return;
            }
            let old = self.get(id);
            self.exact.insert(id, old);
            if let Some(slot) = self.units.get_mut(id as usize) {
                *slot = SPILLED;
            }
        }
        let slot = self.exact.entry(id).or_insert(None);
        *slot = Some(pick_extreme(kind, slot.take(), new));
    }

    fn get(&self, id: u32) -> Option<Extreme> {
        match self.units.get(id as usize).copied()? {
            EMPTY => None,
            SPILLED => self.exact.get(&id).copied().flatten(),
            units if self.dates == Some(true) => {
                let days = i32::try_from(units).ok()?;
                Date::from_num_days_from_ce_opt(days).map(Extreme::Date)
            }
            units => Some(Extreme::Number(from_units(units).normalize())),
        }
    }
}

impl Distincts {
    fn add(&mut self, id: u32, key: DistinctKey) {
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let value = *self.values.entry(key).or_insert(next);
        match self.low.get_mut(id as usize) {
            Some(mask) if value < 64 => *mask |= 1 << value,
            Some(_) => {
                self.high.entry(id).or_default().insert(value);
            }
            None => {}
        }
    }

    fn len(&self, id: u32) -> usize {
        let low = self.low.get(id as usize).map_or(0, |m| m.count_ones());
        low as usize + self.high.get(&id).map_or(0, FxHashSet::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_ten_thousandths_when_they_fit() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(units(d("12.5")), Some(125_000));
        assert_eq!(units(d("-0.0001")), Some(-1));
        assert_eq!(units(d("0.250000")), Some(2_500));
        assert_eq!(units(d("0.00001")), None);
        assert_eq!(units(d("1000000000000000")), None);
    }

    #[test]
    fn a_sum_past_the_compact_range_stays_exact() {
        let mut sums = Sums {
            units: vec![0; 2],
            exact: FxHashMap::default(),
        };
        let big = Decimal::new(i64::MAX / 2, SCALE);
        for n in [big, big, big, Decimal::new(1, 5), -big] {
            assert_eq!(sums.add(1, n), Ok(()));
        }
        assert_eq!(sums.get(1), big + big + Decimal::new(1, 5));
        assert_eq!(sums.get(0), Decimal::ZERO);
    }

    #[test]
    fn extremes_of_numbers_that_do_not_fit_are_exact() {
        let mut e = Extremes {
            units: vec![EMPTY; 1],
            ..Extremes::default()
        };
        let (small, precise) = (Decimal::new(5, 0), Decimal::new(123_456, 5));
        e.add(0, Extreme::Number(small), AggregateKind::Min);
        assert_eq!(e.get(0), Some(Extreme::Number(small)));
        e.add(0, Extreme::Number(precise), AggregateKind::Min);
        assert_eq!(e.get(0), Some(Extreme::Number(precise)));
        e.add(0, Extreme::Number(small), AggregateKind::Min);
        assert_eq!(e.get(0), Some(Extreme::Number(precise)));
    }

    #[test]
    fn distinct_values_past_the_mask_are_counted() {
        let mut d = Distincts {
            low: vec![0; 2],
            ..Distincts::default()
        };
        for i in 0..100u32 {
            d.add(1, DistinctKey::Number(Decimal::from(i % 70)));
            d.add(0, DistinctKey::Number(Decimal::from(i % 3 + 65)));
        }
        assert_eq!((d.len(0), d.len(1)), (3, 70));
    }
}
