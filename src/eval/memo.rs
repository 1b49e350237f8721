//! Remembering what a cell gave: per field, the value its text read as and
//! the truths of the field's predicates (see [`predicates`](super::predicates)).
//!
//! Lead files repeat themselves: a few dozen job titles, countries and
//! sources, a few thousand company sizes and dates. For a cell seen before,
//! one hash lookup of its exact bytes replaces trimming, parsing, folding
//! and testing it. The memo is a cache and nothing more: a remembered cell
//! gives exactly what reading and testing it again would (the value is
//! a function of the bytes, the field's type and separator; a predicate's
//! truth of the value and the fixed as-of date).
//!
//! Bounded: at most [`ENTRIES`] cells per field, none longer than
//! [`LONGEST`] bytes. A field whose cells rarely repeat (ids, e-mail
//! addresses, free text) is switched off after a window of lookups, so it
//! costs no more than the hashing of that window. One memo per worker
//! thread: no locks, and no effect on the output.

use std::hash::BuildHasher;

// Keyed per process: the keys are the lead file's cells, which whoever
// wrote the file chose, so a hash without a seed would let a crafted file
// make every lookup a long probe.
use foldhash::fast::RandomState;

use super::score::Scratch;
use crate::value::{Decimal, Value};

/// Most cells remembered per field.
pub const ENTRIES: usize = 4096;
/// Longest cell remembered, in bytes (longer ones are read every time).
pub const LONGEST: usize = 48;
/// Lookups per window; a field that hits less than a quarter of a window
/// is switched off.
const WINDOW: u32 = 1024;

/// A worker's memo: one per plan field that has predicates.
#[derive(Debug, Default)]
pub struct Memo {
    fields: Vec<FieldMemo>,
}

#[derive(Debug, Default)]
struct FieldMemo {
    /// Predicates of the field (0: the field is not memoized).
    stride: usize,
    on: bool,
    /// Whether anything but the predicates reads the field's value (the
    /// points, a condition on several fields): only then is it kept.
    keeps_value: bool,
    index: Index,
    values: Vec<Recalled>,
    /// `stride` truths per entry.
    truths: Vec<Option<bool>>,
    /// Per entry, the field's local rules that fired (rule id, points),
    /// at `fired_at[entry]` in `fired`.
    fired: Vec<(u32, Decimal)>,
    fired_at: Vec<(u32, u32)>,
    /// This row: what the lookup found.
    row: Row,
    /// This row's cell, on a miss: remembered once the truths are known.
    pending: Vec<u8>,
    lookups: u32,
    hits: u32,
}

/// A remembered cell's predicate truths, and the local rules it fired
/// with their points.
pub(crate) type Remembered<'m> = (&'m [Option<bool>], &'m [(u32, Decimal)]);

/// What a remembered cell read as.
#[derive(Debug, Clone, PartialEq)]
pub enum Recalled {
    /// A missing value (a blank cell).
    Missing,
    /// A value only the predicates read: their truths stand for it, and
    /// the lead need not hold it.
    Tested,
    Value(Value),
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Row {
    /// Not looked up (the field is off, the cell too long, or no row yet).
    #[default]
    Skip,
    Hit(u32),
    Miss,
}

impl Memo {
    /// A memo for the fields of `scorer`'s plan that have predicates.
    pub fn new(scorer: &super::Scorer<'_>) -> Memo {
        let strides = scorer.predicate_counts();
        let keeps = scorer.values_read();
        Memo {
            fields: strides
                .zip(keeps)
                .map(|(stride, keeps_value)| FieldMemo {
                    stride,
                    on: stride > 0,
                    keeps_value,
                    ..FieldMemo::default()
                })
                .collect(),
        }
    }

    /// Look up field `field`'s cell `text`: what it read as if it was seen;
    /// else `None`, and the field's predicates are tested and remembered
    /// when the lead is scored with [`Scorer::run_memo`](super::Scorer::run_memo).
    #[inline]
    pub fn recall(&mut self, field: usize, text: &str) -> Option<&Recalled> {
        let memo = self.fields.get_mut(field)?;
        memo.row = Row::Skip;
        if !memo.on || text.len() > LONGEST {
            return None;
        }
        memo.lookups += 1;
        let found = memo.index.find(text.as_bytes());
        match found {
            Some(i) => {
                memo.hits += 1;
                memo.row = Row::Hit(i);
            }
            None => {
                memo.row = Row::Miss;
                memo.pending.clear();
                memo.pending.extend_from_slice(text.as_bytes());
            }
        }
        if memo.lookups == WINDOW {
            memo.end_window();
        }
        match found {
            Some(i) => memo.values.get(i as usize),
            None => None,
        }
    }

    /// The remembered truths of field `field`'s predicates for this row's
    /// cell, and the local rules it fired, if it was a hit (which is then
    /// forgotten).
    #[inline]
    pub(crate) fn truths(&mut self, field: usize) -> Option<Remembered<'_>> {
        let memo = self.fields.get_mut(field)?;
        let Row::Hit(i) = memo.row else {
            return None;
        };
        memo.row = Row::Skip;
        let start = i as usize * memo.stride;
        let truths = memo.truths.get(start..start + memo.stride)?;
        let (from, to) = *memo.fired_at.get(i as usize)?;
        let fired = memo.fired.get(from as usize..to as usize)?;
        Some((truths, fired))
    }

    /// Remember this row's cell of field `field`, if it was a miss with
    /// room left: it read as `value`, the predicates gave `truths`, and
    /// the field's local rules that fired gave `fired`.
    pub(crate) fn remember(
        &mut self,
        field: usize,
        value: Option<&Value>,
        truths: &[Option<bool>],
        fired: impl Iterator<Item = (u32, Decimal)>,
    ) {
        let Some(memo) = self.fields.get_mut(field) else {
            return;
        };
        if std::mem::take(&mut memo.row) != Row::Miss
            || !memo.on
            || memo.values.len() >= ENTRIES
            || truths.len() != memo.stride
        {
            return;
        }
        let (Ok(i), Ok(from)) = (
            u32::try_from(memo.values.len()),
            u32::try_from(memo.fired.len()),
        ) else {
            return;
        };
        memo.index.insert(&memo.pending, i);
        memo.values.push(match value {
            None => Recalled::Missing,
            Some(_) if !memo.keeps_value => Recalled::Tested,
            Some(value) => Recalled::Value(value.clone()),
        });
        memo.truths.extend_from_slice(truths);
        memo.fired.extend(fired);
        let to = u32::try_from(memo.fired.len()).unwrap_or(from);
        memo.fired_at.push((from, to));
    }

    /// How many cells of field `field` are remembered (tests and figures).
    pub fn len(&self, field: usize) -> usize {
        self.fields.get(field).map_or(0, |m| m.values.len())
    }

    /// Whether field `field` is looked up at all.
    pub fn is_on(&self, field: usize) -> bool {
        self.fields.get(field).is_some_and(|m| m.on)
    }
}

/// Cells' bytes to entry numbers: open addressing over a table twice the
/// size of [`ENTRIES`], so a probe always ends at an empty slot. Written
/// for this memo's one job instead of a `HashMap<Box<[u8]>, u32>`: the keys
/// live back to back in one buffer (no allocation per cell), each slot
/// keeps its entry's hash (a probe compares bytes only when the hashes
/// agree), and short keys are compared eight bytes at a time.
#[derive(Debug, Default)]
struct Index {
    /// Per slot: the entry's hash, and its number + 1 (0: empty).
    slots: Vec<(u64, u32)>,
    /// Per entry: where its bytes are in `bytes`.
    keys: Vec<(u32, u32)>,
    bytes: Vec<u8>,
    state: RandomState,
    /// This row's cell's hash, kept from `find` for `insert`.
    hash: u64,
}

impl Index {
    const SLOTS: usize = 2 * ENTRIES;

    /// The entry whose cell is `key`, if any.
    #[inline]
    fn find(&mut self, key: &[u8]) -> Option<u32> {
        let hash = self.state.hash_one(key);
        self.hash = hash;
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = hash as usize;
        loop {
            let &(stored, entry) = self.slots.get(at & mask)?;
            if entry == 0 {
                return None;
            }
            if stored == hash && self.key(entry - 1).is_some_and(|k| same(k, key)) {
                return Some(entry - 1);
            }
            at = (at & mask) + 1;
        }
    }

    fn key(&self, entry: u32) -> Option<&[u8]> {
        let &(start, end) = self.keys.get(entry as usize)?;
        self.bytes.get(start as usize..end as usize)
    }

    /// Add `key`, just looked up with `find` and not found, as `entry`
    /// (the next entry number; fewer than [`ENTRIES`] entries are held).
    fn insert(&mut self, key: &[u8], entry: u32) {
        if self.slots.is_empty() {
            self.slots = vec![(0, 0); Self::SLOTS];
        }
        let (Ok(start), Ok(end)) = (
            u32::try_from(self.bytes.len()),
            u32::try_from(self.bytes.len() + key.len()),
        ) else {
            return;
        };
        let mask = self.slots.len() - 1;
        let mut at = self.hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(at) {
            if slot.1 == 0 {
                *slot = (self.hash, entry + 1);
                self.bytes.extend_from_slice(key);
                self.keys.push((start, end));
                return;
            }
            at = (at + 1) & mask;
        }
    }
}

/// Whether two cells are the same bytes: eight at a time (the last eight
/// may overlap the word before), as cells are short and a `memcmp` call
/// costs more than comparing them.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let Some(last) = a.len().checked_sub(8) else {
        return a.iter().zip(b).all(|(x, y)| x == y);
    };
    let word = |s: &[u8], at: usize| {
        let bytes = s.get(at..at + 8)?;
        bytes.try_into().ok().map(u64::from_ne_bytes)
    };
    (0..last).step_by(8).all(|at| word(a, at) == word(b, at)) && word(a, last) == word(b, last)
}

impl FieldMemo {
    /// At the end of a window of lookups: switch the field off if it hit
    /// less than a quarter of them, freeing what it held.
    fn end_window(&mut self) {
        if self.hits < WINDOW / 4 {
            *self = FieldMemo {
                stride: self.stride,
                keeps_value: self.keeps_value,
                ..FieldMemo::default()
            };
        } else {
            self.lookups = 0;
            self.hits = 0;
        }
    }
}

impl Scratch<'_> {
    /// The truths of predicates `range`, as the last scoring left them.
    pub(crate) fn predicate_truths(&self, range: std::ops::Range<usize>) -> &[Option<bool>] {
        self.predicates.get(range).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::eval::Scorer;
    use crate::source::Source;
    use crate::value::parse_date_literal;

    fn plan() -> crate::plan::Plan {
        let source = Source::new(
            "t.tally",
            "fields {\n  t: text\n  u: text\n}\nwhen t in [a, b] add 1\nwhen t contains \"x\" add 1\n",
        );
        crate::plan::compile(&crate::compile(&source).model.unwrap())
    }

    /// Look `text` up in field 0 and, on a miss, remember it as read.
    fn see(memo: &mut Memo, text: &str) -> bool {
        let hit = memo.recall(0, text).is_some();
        if !hit {
            let value = Value::Text(text.to_string());
            let fired = [(1, Decimal::ONE)].into_iter();
            memo.remember(0, Some(&value), &[Some(false), Some(true)], fired);
        }
        hit
    }

    #[test]
    fn cells_are_the_same_bytes_or_not() {
        let cells = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnopq",
        ];
        for x in cells {
            for y in cells {
                assert_eq!(same(x.as_bytes(), y.as_bytes()), x == y, "{x:?} {y:?}");
            }
            let mut other = x.as_bytes().to_vec();
            if let Some(last) = other.last_mut() {
                *last ^= 1;
                assert!(!same(x.as_bytes(), &other));
                other[0] ^= 2;
                assert!(!same(x.as_bytes(), &other));
            }
        }
    }

    #[test]
    fn repeated_cells_are_remembered_and_unread_fields_are_not_kept() {
        let plan = plan();
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        let mut memo = Memo::new(&scorer);
        assert!(memo.is_on(0));
        assert!(!memo.is_on(1), "no predicate reads u");
        assert!(!see(&mut memo, "a"));
        assert!(see(&mut memo, "a"));
        let fired = [(1, Decimal::ONE)];
        assert_eq!(
            memo.truths(0),
            Some((&[Some(false), Some(true)][..], &fired[..]))
        );
        assert_eq!(memo.truths(0), None, "a hit's truths are taken once");
        assert!(!see(&mut memo, &"y".repeat(LONGEST + 1)));
        assert!(
            !see(&mut memo, &"y".repeat(LONGEST + 1)),
            "too long to keep"
        );
        for i in 0..3 * WINDOW {
            see(&mut memo, &format!("{}", i % 100));
        }
        assert!(memo.is_on(0));
        assert_eq!(memo.len(0), 101);
    }

    #[test]
    fn a_field_whose_cells_rarely_repeat_is_switched_off_and_the_memo_stays_bounded() {
        let plan = plan();
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        let mut memo = Memo::new(&scorer);
        for i in 0..WINDOW - 1 {
            assert!(!see(&mut memo, &format!("id-{i}")));
        }
        assert!(memo.is_on(0));
        assert!(!see(&mut memo, "last"));
        assert!(!memo.is_on(0), "switched off after a window of misses");
        assert_eq!(memo.len(0), 0, "and its cells freed");
        assert!(memo.recall(0, "id-1").is_none());

        // A field that hits often but has more distinct cells than fit
        // keeps the first ENTRIES.
        let mut memo = Memo::new(&scorer);
        for i in 0..4 * ENTRIES {
            see(&mut memo, &format!("{}", i % 8));
            see(&mut memo, &format!("{i}"));
        }
        assert!(memo.is_on(0));
        assert_eq!(memo.len(0), ENTRIES);
    }
}
