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

use super::compiled::CellTest;
use super::predicates::{truth_byte, Truth};
use super::scratch::{small_points, Scratch};
use crate::id::{FieldId, IdVec};
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
    fields: IdVec<FieldId, FieldMemo>,
    /// What the fields' tables and records cost, together.
    bytes: usize,
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
                                nth: l.nth,
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
    #[inline(always)] // into the per-cell loop (see `Row::cell`)
    pub fn recall(
        &mut self,
        field: FieldId,
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
    pub fn forget(&mut self, field: FieldId) {
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
    #[inline(always)] // into the per-cell loop (see `Row::cell`)
    pub fn test_cell(
        &mut self,
        field: FieldId,
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
            let holds = truths.get(l.nth) == Some(&truth_byte(Some(true)));
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
    pub(crate) fn recalled(&mut self, field: FieldId) -> bool {
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
        field: FieldId,
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
    pub fn len(&self, field: FieldId) -> usize {
        self.fields.get(field).map_or(0, |m| m.entries.len())
    }

    /// What the memo's tables and records cost (tests and figures).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether field `field` is looked up at all.
    pub fn is_on(&self, field: FieldId) -> bool {
        self.fields.get(field).is_some_and(|m| m.on)
    }
}

impl Scratch<'_> {
    /// The truths of predicates `range`, as the last scoring left them.
    pub(crate) fn predicate_truths(&self, range: std::ops::Range<usize>) -> &[Truth] {
        self.predicates.get(range).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;

mod field;
use field::{FieldMemo, LocalRule, ENTRY_COST, MISSING, TESTED, VALUE, VALUE_COST};
