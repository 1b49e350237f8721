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
//! Bounded: at most [`ENTRIES`] cells per field and [`BUDGET`] bytes per
//! memo, none longer than [`LONGEST`] bytes. A field whose cells rarely
//! repeat (ids, e-mail addresses, free text) is switched off after a
//! window of lookups, so it costs no more than the hashing of that window.
//! One memo per worker thread: no locks, and no effect on the output.

use std::hash::{BuildHasher, Hasher};

// Keyed per process: the keys are the lead file's cells, which whoever
// wrote the file chose, so a hash without a seed would let a crafted file
// make every lookup a long probe.
use foldhash::fast::RandomState;

use super::compiled::CellTest;
use super::predicates::{truth_byte, Truth};
use super::score::{small_points, Scratch};
use crate::value::{Decimal, Value};

/// Most cells remembered per field. (16,384 left a quarter of the
/// benchmark's company sizes and visited-page lists to be read again on
/// every row; 65,536 hold them all: 5% less CPU time.)
pub const ENTRIES: usize = 65536;
/// Longest cell remembered, in bytes (longer ones are read every time).
pub const LONGEST: usize = 64;
/// Most bytes of a memo's tables and records, all fields together (as
/// [`FieldMemo::cost`] counts them): the bound that holds when many fields
/// have many distinct cells. Once reached, no more cells are remembered.
pub const BUDGET: usize = 8 << 20;
/// Bytes of records per field, at most (offsets fit 24 bits).
const RECORDS: usize = (1 << 24) - 2;
/// Lookups per window; a field that hits less than a quarter of a window
/// is switched off.
const WINDOW: u32 = 1024;

/// A worker's memo: one per plan field that has predicates.
#[derive(Debug, Default)]
pub struct Memo {
    fields: Vec<FieldMemo>,
    /// What the fields' tables and records cost, together.
    bytes: usize,
}

/// One field's remembered cells.
///
/// Laid out for the cache: a lookup that hits touches its slot and one
/// record, and a record holds everything a hit needs, back to back. (The
/// first version kept keys, values, truths and fired rules in separate
/// arrays, and waiting for memory on them took a third of the time.)
#[derive(Debug, Default)]
struct FieldMemo {
    /// Predicates of the field (0: the field is not memoized).
    stride: usize,
    /// The id of its first predicate.
    first: usize,
    /// Whether anything reads its predicates' truths but its local rules
    /// (only then does a hit copy them to the lead's).
    truths_read: bool,
    on: bool,
    /// Whether anything but the predicates reads the field's value (the
    /// other rules, the ladders): only then is it kept.
    keeps_value: bool,
    /// Open addressing, a power of two at least twice the entries (so a
    /// probe ends at an empty slot), grown as entries come: a field with
    /// 30 distinct cells has a table that stays in the closest cache.
    /// Per slot, in four bytes (so the table of a field with thousands of
    /// cells takes half the cache it would with eight): its record's
    /// offset in `records` + 1, shifted up a byte, and the top byte of the
    /// entry's hash (0: empty). `records` stays below [`RECORDS`] bytes.
    slots: Vec<u32>,
    /// The entries' records, back to back:
    /// `[key length][key][kind][value index: u32, for kind VALUE only]
    /// [truths: stride bytes][fired count][per fired rule: its index among
    /// `locals` (u16), then its points (16 bytes) unless they are constant]`.
    records: Vec<u8>,
    /// The field's local rules.
    locals: Vec<LocalRule>,
    /// The field's predicates as tests of the cell alone, if they all are
    /// (see [`Memo::test_cell`]), and their truths for this row.
    cell_tests: Option<Box<[CellTest]>>,
    cell_truths: Vec<Truth>,
    /// The fired rules of the cell being remembered.
    fired: Vec<(u16, Decimal)>,
    /// Each entry's record offset (to rebuild the table when it grows).
    entries: Vec<u32>,
    /// The kept values (kind [`VALUE`]), by value index.
    values: Vec<Recalled>,
    state: RandomState,
    /// This row: what the lookup found.
    row: Row,
    /// This row's cell and its hash, on a miss: remembered once the
    /// truths are known.
    pending: Vec<u8>,
    pending_hash: u64,
    lookups: u32,
    hits: u32,
    /// What the cells remembered cost, as [`Memo::bytes`] counts it.
    cost: usize,
}

/// One of a field's local rules.
#[derive(Debug, Clone, Copy)]
struct LocalRule {
    rule: usize,
    /// Its condition: which of the field's predicates (0 is the first).
    predicate: usize,
    /// Its points, when constant (not stored per cell).
    constant: Option<Decimal>,
    /// `small_points` of the constant.
    small: Option<(i64, u32)>,
}

/// What an entry costs besides its record: its slot (the table is at
/// most four times the entries, after growing) and its offset.
const ENTRY_COST: usize = 4 * 4 + 4;
/// What a kept value costs besides its text (counted as the cell's
/// length: about what a text or list value holds).
const VALUE_COST: usize = std::mem::size_of::<Recalled>();

/// Record kinds.
const MISSING: u8 = 0;
const TESTED: u8 = 1;
const VALUE: u8 = 2;

/// The local rules a remembered cell fired, as its record holds them.
#[derive(Debug, Clone, Copy)]
struct Remembered<'m> {
    count: usize,
    /// The fired rules' bytes (and what follows them).
    fired: &'m [u8],
    locals: &'m [LocalRule],
}

impl<'m> Remembered<'m> {
    /// The local rules that fired: rule id, signed points, and the points
    /// as [`small_points`] gives them.
    fn fired(&self) -> impl Iterator<Item = (usize, Decimal, Option<(i64, u32)>)> + 'm {
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

static RECALLED_MISSING: Recalled = Recalled::Missing;
static RECALLED_TESTED: Recalled = Recalled::Tested;

#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Row {
    /// Not looked up (the field is off, the cell too long, or no row yet).
    #[default]
    Skip,
    /// Found, and its truths and local rules set.
    Hit,
    Miss,
}

impl Memo {
    /// A memo for the fields of `scorer`'s plan that have predicates.
    pub fn new(scorer: &super::Scorer<'_>) -> Memo {
        let ranges = scorer.predicate_ranges();
        let keeps = scorer.values_read();
        let locals = scorer.local_points();
        let cell_tests = scorer.cell_tests();
        Memo {
            fields: ranges
                .zip(keeps)
                .zip(locals)
                .zip(cell_tests)
                .map(|((((range, truths_read), keeps_value), locals), tests)| {
                    // Testing whether a cell is empty costs less than
                    // looking it up.
                    let only_presence = tests
                        .as_ref()
                        .is_some_and(|t| t.iter().all(|t| matches!(t, CellTest::Present(_))));
                    FieldMemo {
                        stride: range.len(),
                        first: range.start,
                        truths_read,
                        on: !range.is_empty() && !only_presence,
                        keeps_value,
                        locals: locals
                            .into_iter()
                            .map(|l| LocalRule {
                                rule: l.rule,
                                predicate: l.predicate,
                                constant: l.constant,
                                small: l.constant.and_then(small_points),
                            })
                            .collect(),
                        cell_tests: tests.map(Vec::into_boxed_slice),
                        ..FieldMemo::default()
                    }
                })
                .collect(),
            bytes: 0,
        }
    }

    /// Look up field `field`'s cell `text`. If it was seen, set what its
    /// field's predicates and local rules gave in `scratch` (made ready
    /// with [`Scorer::begin`](super::Scorer::begin)) and return what it
    /// read as; else `None`, and [`Scorer::run_memo`](super::Scorer::run_memo)
    /// tests the field and remembers the cell.
    #[inline]
    pub fn recall(
        &mut self,
        field: usize,
        text: &[u8],
        scratch: &mut Scratch,
    ) -> Option<&Recalled> {
        let memo = self.fields.get_mut(field)?;
        memo.row = Row::Skip;
        if !memo.on || text.len() > LONGEST {
            return None;
        }
        memo.lookups += 1;
        let found = memo.find(text);
        if memo.lookups == WINDOW {
            let cost = memo.cost;
            memo.end_window();
            if !memo.on {
                self.bytes = self.bytes.saturating_sub(cost);
                return None;
            }
        }
        let Some(at) = found else {
            memo.row = Row::Miss;
            memo.pending.clear();
            memo.pending.extend_from_slice(text);
            return None;
        };
        memo.hits += 1;
        let kind = memo.apply(at, scratch)?;
        memo.row = Row::Hit;
        match kind {
            MISSING => Some(&RECALLED_MISSING),
            TESTED => Some(&RECALLED_TESTED),
            _ => {
                let index = memo.records.get(at + 1..at + 5)?;
                let index = u32::from_le_bytes(index.try_into().ok()?);
                memo.values.get(index as usize)
            }
        }
    }

    /// Do not remember this row's cell of field `field`: it could not be
    /// read and is taken as missing (`--bad-values missing`), which must
    /// be noted for every row that has it, not recalled silently.
    pub fn forget(&mut self, field: usize) {
        if let Some(memo) = self.fields.get_mut(field) {
            memo.row = Row::Skip;
        }
    }

    /// Test field `field`'s cell `cell` as it is read, when the memo did
    /// not look it up (the field is switched off, or the cell is too long)
    /// and the field's predicates are [`CellTest`]s: set their truths and
    /// the local rules they fire in `scratch`, as a recalled cell does,
    /// and return what it read as ([`Recalled::Tested`], or
    /// [`Recalled::Missing`] for an empty cell); else `None`, and
    /// [`Scorer::run_memo`](super::Scorer::run_memo) tests the field.
    ///
    /// For the cells that rarely repeat (e-mail addresses): no copy into
    /// the lead, and none of the general path's per-field work.
    #[inline]
    pub fn test_cell(
        &mut self,
        field: usize,
        cell: &str,
        scratch: &mut Scratch,
    ) -> Option<&Recalled> {
        let memo = self.fields.get_mut(field)?;
        if memo.row != Row::Skip {
            return None;
        }
        let tests = memo.cell_tests.as_deref()?;
        memo.cell_truths.clear();
        memo.cell_truths
            .extend(tests.iter().map(|t| truth_byte(t.truth(cell))));
        let truths = &memo.cell_truths;
        let fired = memo.locals.iter().filter_map(|l| {
            let holds = truths.get(l.predicate) == Some(&truth_byte(Some(true)));
            Some((l.rule, l.constant.filter(|_| holds)?, l.small))
        });
        scratch.recalled(memo.first, memo.truths_read.then_some(truths), fired);
        memo.row = Row::Hit;
        Some(if cell.is_empty() {
            &RECALLED_MISSING
        } else {
            &RECALLED_TESTED
        })
    }

    /// Whether this row's cell of field `field` was recalled, its truths
    /// and local rules set (then forgotten: asked once per row).
    #[inline]
    pub(crate) fn recalled(&mut self, field: usize) -> bool {
        let Some(memo) = self.fields.get_mut(field) else {
            return false;
        };
        let hit = memo.row == Row::Hit;
        if hit {
            memo.row = Row::Skip;
        }
        hit
    }

    /// Remember this row's cell of field `field`, if it was a miss with
    /// room left: it read as `value`, the predicates gave `truths`, and
    /// the field's local rules that fired gave `fired` (their index among
    /// the field's local rules, and their points). A cell that fired more
    /// than 255 of them is not remembered.
    #[inline(never)] // the cold path: keeps the lookup's code small
    pub(crate) fn remember(
        &mut self,
        field: usize,
        value: Option<&Value>,
        truths: &[Truth],
        fired: impl Iterator<Item = (usize, Decimal)>,
    ) {
        let Some(memo) = self.fields.get_mut(field) else {
            return;
        };
        if std::mem::take(&mut memo.row) != Row::Miss
            || !memo.on
            || memo.entries.len() >= ENTRIES
            || truths.len() != memo.stride
        {
            return;
        }
        memo.fired.clear();
        for (local, points) in fired {
            let Ok(local) = u16::try_from(local) else {
                return;
            };
            memo.fired.push((local, points));
        }
        // The record's most bytes: the offsets in it must fit a slot.
        let most = 7 + memo.pending.len() + memo.stride + 18 * memo.fired.len();
        if memo.records.len() + most > RECORDS {
            return;
        }
        let value_cost = match value {
            Some(_) if memo.keeps_value => VALUE_COST + memo.pending.len(),
            _ => 0,
        };
        let cost = ENTRY_COST + most + value_cost;
        if self.bytes + cost > BUDGET {
            return;
        }
        let (Ok(offset), Ok(index), Ok(length), Ok(count)) = (
            u32::try_from(memo.records.len()),
            u32::try_from(memo.values.len()),
            u8::try_from(memo.pending.len()),
            u8::try_from(memo.fired.len()),
        ) else {
            return;
        };
        // Counted only once the entry is sure to be added.
        self.bytes += cost;
        memo.cost += cost;
        let kind = match value {
            None => MISSING,
            Some(_) if !memo.keeps_value => TESTED,
            Some(value) => {
                memo.values.push(Recalled::Value(value.clone()));
                VALUE
            }
        };
        let records = &mut memo.records;
        records.push(length);
        records.extend_from_slice(&memo.pending);
        records.push(kind);
        if kind == VALUE {
            records.extend_from_slice(&index.to_le_bytes());
        }
        records.extend_from_slice(truths);
        records.push(count);
        for &(local, points) in &memo.fired {
            records.extend_from_slice(&local.to_le_bytes());
            let constant = memo.locals.get(usize::from(local)).and_then(|l| l.constant);
            if constant.is_none() {
                records.extend_from_slice(&points.serialize());
            }
        }
        memo.entries.push(offset);
        let hash = memo.pending_hash;
        memo.insert(hash, offset);
    }

    /// How many cells of field `field` are remembered (tests and figures).
    pub fn len(&self, field: usize) -> usize {
        self.fields.get(field).map_or(0, |m| m.entries.len())
    }

    /// What the memo's tables and records cost (tests and figures).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether field `field` is looked up at all.
    pub fn is_on(&self, field: usize) -> bool {
        self.fields.get(field).is_some_and(|m| m.on)
    }
}

impl FieldMemo {
    /// A cell's hash: foldhash's byte hash and no more (`hash_one` would
    /// add the length first, a second multiply per lookup; the byte hash
    /// mixes the length in already).
    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        let mut hasher = self.state.build_hasher();
        hasher.write(key);
        hasher.finish()
    }

    /// The offset of the record part after the key of the entry whose
    /// cell is `key`, if any.
    #[inline]
    fn find(&mut self, key: &[u8]) -> Option<usize> {
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
    #[inline]
    fn apply(&self, at: usize, scratch: &mut Scratch) -> Option<u8> {
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
    fn insert(&mut self, hash: u64, offset: u32) {
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        }
        self.place(hash, offset);
    }

    fn place(&mut self, hash: u64, offset: u32) {
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
    fn grow(&mut self) {
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
    fn end_window(&mut self) {
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
fn tag(hash: u64) -> u32 {
    (hash >> 56) as u32
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

impl Scratch<'_> {
    /// The truths of predicates `range`, as the last scoring left them.
    pub(crate) fn predicate_truths(&self, range: std::ops::Range<usize>) -> &[Truth] {
        self.predicates.get(range).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::eval::{Lead, Scorer};
    use crate::source::Source;
    use crate::value::{parse_date_literal, read_cell, FieldType};

    fn plan() -> crate::plan::Plan {
        compile("fields {\n  t: text\n  u: text\n}\nwhen t in [a, b] add 1\nwhen t contains \"x\" add 1\n")
    }

    fn compile(text: &str) -> crate::plan::Plan {
        let source = Source::new("t.tally", text);
        crate::plan::compile(&crate::compile(&source).model.unwrap())
    }

    /// Look `text` up in field 0 and, on a miss, remember it as read.
    fn see(memo: &mut Memo, text: &str) -> bool {
        let hit = memo
            .recall(0, text.as_bytes(), &mut Scratch::default())
            .is_some();
        if !hit {
            let value = Value::Text(text.to_string());
            let fired = [(1, Decimal::ONE)].into_iter();
            memo.remember(0, Some(&value), &[1, 2], fired);
        }
        hit
    }

    #[test]
    fn the_memo_stops_remembering_cells_at_its_budget() {
        let plan = compile(
            "fields {\n  t: text\n  u: text\n  v: text\n}\n\
             when t in [a] add 1\nwhen u in [a] add 1\nwhen v in [a] add 1\n",
        );
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        let mut memo = Memo::new(&scorer);
        let see_in = |memo: &mut Memo, field: usize, text: &str| {
            let hit = memo
                .recall(field, text.as_bytes(), &mut Scratch::default())
                .is_some();
            if !hit {
                memo.remember(field, None, &[2], std::iter::empty());
            }
            hit
        };
        // Cells as long as are remembered, all distinct, and one that
        // repeats (the fields stay on): more than the budget holds.
        let long = "y".repeat(LONGEST - 8);
        for i in 0..ENTRIES {
            for field in 0..3 {
                see_in(&mut memo, field, "a");
                see_in(&mut memo, field, &format!("{long}{i:08}"));
            }
        }
        let remembered: usize = (0..3).map(|field| memo.len(field)).sum();
        assert!(memo.bytes() <= BUDGET, "{} bytes", memo.bytes());
        assert!(
            memo.bytes() > BUDGET - 200,
            "filled: {} bytes",
            memo.bytes()
        );
        assert!(remembered < 3 * ENTRIES, "{remembered} cells");
        // A new cell is no longer remembered; the ones kept still are.
        let new = format!("{long}new-cell");
        assert!(!see_in(&mut memo, 2, &new));
        assert!(!see_in(&mut memo, 2, &new));
        assert!(see_in(&mut memo, 0, &format!("{long}{:08}", 0)));
    }

    #[test]
    fn cells_are_the_same_bytes_or_not() {
        let cells = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdef",
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
        assert!(!memo.recalled(0), "a miss is tested");
        let mut scratch = Scratch::default();
        scorer.begin(&mut scratch);
        assert!(memo.recall(0, b"a", &mut scratch).is_some());
        assert_eq!(scratch.points, [None, Some(Decimal::ONE)], "its rule fired");
        assert!(memo.recalled(0));
        assert!(!memo.recalled(0), "a hit is told once");
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
    fn a_cell_that_fired_more_rules_than_a_record_counts_is_not_remembered() {
        let plan = plan();
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        let mut memo = Memo::new(&scorer);
        let value = Value::Text("a".to_string());
        let scratch = &mut Scratch::default();
        assert!(memo.recall(0, b"a", scratch).is_none());
        let fired = (0..256).map(|i| (i % 2, Decimal::ONE));
        memo.remember(0, Some(&value), &[2, 1], fired);
        assert_eq!(memo.len(0), 0);
        assert!(memo.recall(0, b"a", scratch).is_none());
        let fired = (0..255).map(|i| (i % 2, Decimal::ONE));
        memo.remember(0, Some(&value), &[2, 1], fired);
        assert_eq!(memo.len(0), 1);
        scorer.begin(scratch);
        assert!(memo.recall(0, b"a", scratch).is_some());
        assert_eq!(scratch.fired_count(), 255);
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
        assert!(memo.recall(0, b"id-1", &mut Scratch::default()).is_none());

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
    /// Score leads of text cells (one per field) as the CSV reader does:
    /// recalled cells set their truths and rules, cells of a field the
    /// memo does not look up are tested as they are if they can be, the
    /// others are read and tested. Each lead's outcome is checked against
    /// scoring it afresh.
    fn score_with_memo(plan: &crate::plan::Plan, leads: &[Vec<&str>]) -> (Vec<Decimal>, Memo) {
        let scorer = Scorer::new(plan, parse_date_literal("2026-11-22").unwrap());
        let (mut memo, mut scratch) = (Memo::new(&scorer), Scratch::default());
        let mut scores = Vec::new();
        for cells in leads {
            scorer.begin(&mut scratch);
            let mut lead = Lead {
                values: vec![None; cells.len()],
            };
            for (field, text) in cells.iter().enumerate() {
                let recalled = match memo.recall(field, text.as_bytes(), &mut scratch) {
                    Some(recalled) => Some(recalled.clone()),
                    None => memo.test_cell(field, text, &mut scratch).cloned(),
                };
                lead.values[field] = match recalled {
                    Some(Recalled::Value(value)) => Some(value),
                    Some(_) => None,
                    None => read_cell(FieldType::Text, text, &Default::default()).unwrap(),
                };
            }
            scorer.run_memo(&lead, &mut scratch, Some(&mut memo));
            let fresh = Lead {
                values: cells
                    .iter()
                    .map(|text| read_cell(FieldType::Text, text, &Default::default()).unwrap())
                    .collect(),
            };
            assert_eq!(scratch.outcome(), scorer.score(&fresh), "{cells:?}");
            scores.push(scratch.score);
        }
        (scores, memo)
    }

    #[test]
    fn a_field_tested_as_its_cell_is_read_scores_as_testing_it_does() {
        // t's predicates read its cell alone (`matches`, `is missing`);
        // u's too, but only `is missing`; w's `==` compares folded text.
        let plan = compile(
            "fields {\n  t: text\n  u: text\n  w: text\n}\n\
             when t matches \"(?i)@(gmail|yahoo)[.]com$\" sub 10\n\
             when t is missing sub 5\n\
             when u is missing add 1\n\
             when w == \"z\" add 2\n",
        );
        let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
        let memo = Memo::new(&scorer);
        assert!(
            memo.is_on(0) && !memo.is_on(1) && memo.is_on(2),
            "u is never looked up"
        );
        let domains = ["gmail.com", "Yahoo.COM", "acme.io", "gmail.co", "mail.com"];
        let addresses: Vec<String> = (0..3 * WINDOW as usize)
            .map(|i| format!("u{i}@{}", domains[i % domains.len()]))
            .collect();
        let mut leads: Vec<Vec<&str>> = addresses
            .iter()
            .enumerate()
            .map(|(i, t)| vec![t.as_str(), ["", "x"][i % 2], ["z", " Z ", "q"][i % 3]])
            .collect();
        leads.push(vec!["", "", "z"]);
        leads.push(vec!["ada@gmail.com", "x", "q"]);
        leads.push(vec!["ada@initech.io", "x", "q"]);
        let (scores, memo) = score_with_memo(&plan, &leads);
        assert!(
            !memo.is_on(0),
            "t's cells rarely repeat: switched off, then tested as read"
        );
        let last: Vec<i64> = scores[scores.len() - 3..]
            .iter()
            .map(|s| i64::try_from(*s).unwrap())
            .collect();
        assert_eq!(last, [-2, -10, 0]);
        assert_eq!(scores[0], Decimal::from(-7), "u0@gmail.com, u missing, w z");
    }

    #[test]
    fn a_recalled_cell_scores_a_lead_as_testing_it_does() {
        // `t == "a"` is read by a rule that also reads u: a recalled t
        // must set its truth, not leave the last lead's.
        let plan = compile(
            "fields {\n  t: text\n  u: text\n}\n\
             when t in [a, b] add 1\n\
             when t contains \"x\" add 2\n\
             when t == \"a\" and u == \"z\" add 4\n",
        );
        let leads = [
            ("a", "z"),
            ("b", "z"),
            ("a", "z"),
            ("b", "z"),
            ("ax", "q"),
            ("ax", "z"),
            ("", "z"),
            ("a", ""),
        ];
        let leads: Vec<Vec<&str>> = leads.iter().map(|(t, u)| vec![*t, *u]).collect();
        let (scores, _) = score_with_memo(&plan, &leads);
        let expected = [5, 1, 5, 1, 2, 2, 0, 1];
        assert_eq!(scores, expected.map(Decimal::from));
    }
}
