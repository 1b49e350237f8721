//! One field's remembered cells: an open-addressing table of offsets
//! into a byte arena of records (see [`FieldMemo`]).

use std::hash::{BuildHasher, Hasher};

// Keyed per process: the keys are the lead file's cells, which whoever
// wrote the file chose, so a hash without a seed would let a crafted file
// make every lookup a long probe.
use foldhash::fast::RandomState;

use super::{Recalled, Row, WINDOW};
use crate::eval::compiled::CellTest;
use crate::eval::predicates::Truth;
use crate::eval::scratch::{small_points, Scratch};
use crate::id::RuleId;
use crate::value::Decimal;

/// One field's remembered cells.
///
/// Laid out for the cache: a lookup that hits touches its slot and one
/// record, and a record holds everything a hit needs, back to back. (The
/// first version kept keys, values, truths and fired rules in separate
/// arrays, and waiting for memory on them took a third of the time.)
#[derive(Debug, Default)]
pub(super) struct FieldMemo {
    /// Predicates of the field (0: the field is not memoized).
    pub(super) stride: usize,
    /// The id of its first predicate.
    pub(super) first: usize,
    /// Whether anything reads its predicates' truths but its local rules
    /// (only then does a hit copy them to the lead's).
    pub(super) truths_read: bool,
    pub(super) on: bool,
    /// Whether anything but the predicates reads the field's value (the
    /// other rules, the ladders): only then is it kept.
    pub(super) keeps_value: bool,
    /// Open addressing, a power of two at least twice the entries (so a
    /// probe ends at an empty slot), grown as entries come: a field with
    /// 30 distinct cells has a table that stays in the closest cache.
    /// Per slot, in four bytes (so the table of a field with thousands of
    /// cells takes half the cache it would with eight): its record's
    /// offset in `records` + 1, shifted up a byte, and the top byte of the
    /// entry's hash (0: empty). `records` stays below [`RECORDS`] bytes.
    pub(super) slots: Vec<u32>,
    /// The entries' records, back to back:
    /// `[key length][key][kind][value index: u32, for kind VALUE only]
    /// [truths: stride bytes][fired count][per fired rule: its index among
    /// `locals` (u16), then its points (16 bytes) unless they are constant]`.
    pub(super) records: Vec<u8>,
    /// The field's local rules.
    pub(super) locals: Vec<LocalRule>,
    /// The field's predicates as tests of the cell alone, if they all are
    /// (see [`Memo::test_cell`]), and their truths for this row.
    pub(super) cell_tests: Option<Box<[CellTest]>>,
    pub(super) cell_truths: Vec<Truth>,
    /// The fired rules of the cell being remembered.
    pub(super) fired: Vec<(u16, Decimal)>,
    /// Each entry's record offset (to rebuild the table when it grows).
    pub(super) entries: Vec<u32>,
    /// The kept values (kind [`VALUE`]), by value index.
    pub(super) values: Vec<Recalled>,
    pub(super) state: RandomState,
    /// This row: what the lookup found.
    pub(super) row: Row,
    /// This row's cell and its hash, on a miss: remembered once the
    /// truths are known.
    pub(super) pending: Vec<u8>,
    pub(super) pending_hash: u64,
    pub(super) lookups: u32,
    pub(super) hits: u32,
    /// What the cells remembered cost, as [`Memo::bytes`] counts it.
    pub(super) cost: usize,
}

/// One of a field's local rules.
#[derive(Debug, Clone, Copy)]
pub(super) struct LocalRule {
    pub(super) rule: RuleId,
    /// Its condition: which of the field's predicates (0 is the first).
    pub(super) nth: usize,
    /// Its points, when constant (not stored per cell).
    pub(super) constant: Option<Decimal>,
    /// `small_points` of the constant.
    pub(super) small: Option<(i64, u32)>,
}

/// What an entry costs besides its record: its slot (the table is at
/// most four times the entries, after growing) and its offset.
pub(super) const ENTRY_COST: usize = 4 * 4 + 4;
/// What a kept value costs besides its text (counted as the cell's
/// length: about what a text or list value holds).
pub(super) const VALUE_COST: usize = std::mem::size_of::<Recalled>();

/// Record kinds.
pub(super) const MISSING: u8 = 0;
pub(super) const TESTED: u8 = 1;
pub(super) const VALUE: u8 = 2;

/// The local rules a remembered cell fired, as its record holds them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Remembered<'m> {
    pub(super) count: usize,
    /// The fired rules' bytes (and what follows them).
    pub(super) fired: &'m [u8],
    pub(super) locals: &'m [LocalRule],
}

impl<'m> Remembered<'m> {
    /// The local rules that fired: rule id, signed points, and the points
    /// as [`small_points`] gives them.
    pub(super) fn fired(&self) -> impl Iterator<Item = (RuleId, Decimal, Option<(i64, u32)>)> + 'm {
        let (bytes, locals) = (self.fired, self.locals);
        let mut at = 0;
        (0..self.count).map_while(move |_| {
            let index = bytes.get(at..at + 2)?.try_into().ok()?;
            at += 2;
            let local = locals.get(usize::from(u16::from_le_bytes(index)))?;
            Some(match local.constant {
                Some(points) => (local.rule, points, local.small),
                None => {
                    let points = bytes.get(at..at + 16)?.try_into().ok()?;
                    at += 16;
                    let points = Decimal::deserialize(points);
                    (local.rule, points, small_points(points))
                }
            })
        })
    }
}

impl FieldMemo {
    /// A cell's hash: foldhash's byte hash and no more (`hash_one` would
    /// add the length first, a second multiply per lookup; the byte hash
    /// mixes the length in already).
    #[inline(always)]
    pub(super) fn hash(&self, key: &[u8]) -> u64 {
        let mut hasher = self.state.build_hasher();
        hasher.write(key);
        hasher.finish()
    }

    /// The offset of the record part after the key of the entry whose
    /// cell is `key`, if any.
    #[inline(always)]
    pub(super) fn find(&mut self, key: &[u8]) -> Option<usize> {
        let hash = self.hash(key);
        self.pending_hash = hash;
        let tag = tag(hash);
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = hash as usize;
        loop {
            let slot = *self.slots.get(at & mask)?;
            if slot == 0 {
                return None;
            }
            if slot & 0xFF == tag {
                let start = (slot >> 8) as usize; // the key, after its length byte
                let length = usize::from(*self.records.get(start - 1)?);
                let end = start + length;
                if self.records.get(start..end).is_some_and(|k| same(k, key)) {
                    return Some(end);
                }
            }
            at = (at & mask) + 1;
        }
    }

    /// Set the remembered truths and fired rules of the record whose part
    /// after the key is at `at` in `scratch`; its kind.
    #[inline(always)]
    pub(super) fn apply(&self, at: usize, scratch: &mut Scratch) -> Option<u8> {
        let kind = *self.records.get(at)?;
        let start = at + if kind == VALUE { 5 } else { 1 };
        let truths = self.records.get(start..start + self.stride)?;
        let count = usize::from(*self.records.get(start + self.stride)?);
        let found = Remembered {
            count,
            fired: self.records.get(start + self.stride + 1..)?,
            locals: &self.locals,
        };
        scratch.recalled(
            self.first,
            self.truths_read.then_some(truths),
            found.fired(),
        );
        Some(kind)
    }

    /// Add the record at `offset`, whose key hashed to `hash`, to the
    /// table, growing it first if it would be more than half full.
    pub(super) fn insert(&mut self, hash: u64, offset: u32) {
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        }
        self.place(hash, offset);
    }

    pub(super) fn place(&mut self, hash: u64, offset: u32) {
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(at) {
            if *slot == 0 {
                *slot = (offset + 1) << 8 | tag(hash);
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Double the table (16 slots at first) and place every entry again.
    #[cold]
    pub(super) fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        self.slots = vec![0; size];
        for i in 0..self.entries.len() {
            let Some(&offset) = self.entries.get(i) else {
                continue;
            };
            let start = offset as usize;
            let length = self.records.get(start).map_or(0, |l| usize::from(*l));
            let Some(key) = self.records.get(start + 1..start + 1 + length) else {
                continue;
            };
            let hash = self.hash(key);
            self.place(hash, offset);
        }
    }

    /// At the end of a window of lookups: switch the field off if it hit
    /// less than a quarter of them, freeing what it held.
    #[cold]
    pub(super) fn end_window(&mut self) {
        if self.hits < WINDOW / 4 {
            *self = FieldMemo {
                stride: self.stride,
                first: self.first,
                truths_read: self.truths_read,
                keeps_value: self.keeps_value,
                locals: std::mem::take(&mut self.locals),
                cell_tests: self.cell_tests.take(),
                ..FieldMemo::default()
            };
        } else {
            self.lookups = 0;
            self.hits = 0;
        }
    }
}

/// The byte of a hash its slot keeps: the top one (the low ones choose
/// the slot).
#[inline]
pub(super) fn tag(hash: u64) -> u32 {
    (hash >> 56) as u32
}

/// Whether two cells are the same bytes: eight at a time (the last eight
/// may overlap the word before), as cells are short and a `memcmp` call
/// costs more than comparing them.
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let Some(last) = a.len().checked_sub(8) else {
        // Four to seven bytes: two words of four that may overlap; fewer:
        // byte by byte (most cells are short: `US`, `yes`, `CEO`).
        let half = |s: &[u8], at: usize| {
            let bytes = s.get(at..at + 4)?;
            bytes.try_into().ok().map(u32::from_ne_bytes)
        };
        return match a.len().checked_sub(4) {
            Some(last) => half(a, 0) == half(b, 0) && half(a, last) == half(b, last),
            None => a.iter().zip(b).all(|(x, y)| x == y),
        };
    };
    let word = |s: &[u8], at: usize| {
        let bytes = s.get(at..at + 8)?;
        bytes.try_into().ok().map(u64::from_ne_bytes)
    };
    (0..last).step_by(8).all(|at| word(a, at) == word(b, at)) && word(a, last) == word(b, last)
}
