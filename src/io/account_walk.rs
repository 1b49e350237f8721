//! An account pass over a CSV file, on all cores (see
//! [`walk`](super::walk)): each worker adds its rows to a table of its
//! own, and the tables are merged at the end. The first pass numbers the
//! accounts as its workers meet them and records each row's account (by
//! the worker's numbering, mapped to the merged table's after the
//! merge); a later pass reads a row's account by its row number.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::accounts::{AccountPass, Adder, PassTables};
use super::binding::Binding;
use super::events::EventsError;
use super::read_csv::CsvWalk;
use super::reject::Rejection;
use super::walk::{walk, Cells, Done, RowHandler, Shape};
use crate::eval::{
    partial_sums, AccountTable, ChunkAccounts, Lead, RowAccount, RowAccounts, RowScorer, RowSums,
    RowsBuilder, Scored,
};
use crate::id::FieldId;
use crate::plan::AccountSpec;
use crate::value::{Decimal, Value};

/// Walk the file's records, adding each readable row to its account.
pub(super) fn walk_pass(
    pass: AccountPass,
    spec: &AccountSpec,
    binding: &Binding,
    csv: CsvWalk,
    threads: usize,
) -> Result<PassTables, EventsError> {
    let shape = Shape {
        delimiter: csv.delimiter,
        columns: &csv.columns,
        limit: csv.limit,
        threads,
    };
    let first = pass.tables.rows().is_none();
    let mut builder = RowsBuilder::default();
    let mut sums = RowSums::new(pass.plan.groups.len());
    let take = |done: Done<ChunkAccounts>| {
        if first {
            builder.push(done.start, done.rows, &done.out);
        }
        if pass.score_level || pass.partials {
            sums.push(done.rows, &done.out.sums);
        }
        Ok(Some(done.out))
    };
    let reads = super::accounts::input_reads(pass.plan, spec);
    let held: Vec<FieldId> = reads
        .enumerate()
        .filter(|(_, r)| **r)
        .map(|(f, _)| f)
        .collect();
    let next_worker = AtomicUsize::new(0);
    let handler = || AccountRows {
        worker: next_worker.fetch_add(1, Ordering::Relaxed),
        binding,
        adder: Adder::new(pass, spec),
        rows: (pass.score_level || pass.partials).then(|| RowScorer::new(pass.scorer)),
        groups: Vec::new(),
        overflow: false,
        incomplete: false,
        held: held.clone(),
        batch: Batch::default(),
    };
    let workers = walk(&shape, csv.chunks, handler, take).map_err(EventsError::from)?;
    let mut table = AccountTable::default();
    let mut maps = vec![Vec::new(); workers.len()];
    let complete = workers.iter().all(|w| !w.incomplete) && sums.all_kept();
    for worker in workers {
        if worker.overflow {
            return Err(EventsError::Overflow);
        }
        let map = (table.merge(spec, worker.adder.table)).map_err(|_| EventsError::Overflow)?;
        if let Some(slot) = maps.get_mut(worker.worker) {
            *slot = map;
        }
    }
    let rows = match first {
        true => builder.finish(&maps),
        false => RowAccounts::default(),
    };
    let sums = (pass.score_level || (pass.partials && complete)).then(|| sums.finish());
    Ok(PassTables { table, rows, sums })
}

/// `*to = from.clone()`, reusing a text's memory.
fn copy_value(to: &mut Option<Value>, from: &Option<Value>) {
    match (to.as_mut(), from) {
        (Some(Value::Text(to)), Some(Value::Text(from))) => to.clone_from(from),
        _ => to.clone_from(from),
    }
}

/// A worker of a CSV pass.
struct AccountRows<'a, 'p> {
    /// Which worker: the first pass's rows hold its table's indices.
    worker: usize,
    binding: &'a Binding,
    adder: Adder<'a, 'p>,
    /// A score-level pass scores each row as the scoring pass does, with
    /// the memo of repeated cells (and its own copy of the groups).
    rows: Option<RowScorer<'p>>,
    groups: Vec<Decimal>,
    overflow: bool,
    /// The first pass of a split: a row's sums could not be kept.
    incomplete: bool,
    /// The first pass of a split: the values of a scored lead held in the
    /// batch (those the input-level values read).
    held: Vec<FieldId>,
    /// The first input-level pass's rows held back, to be added together.
    batch: Batch,
}

/// Rows read but not added yet (see [`Adder::add_batch`]): their leads
/// (reused from batch to batch), numbers, and accounts once found.
#[derive(Default)]
struct Batch {
    leads: Vec<Lead>,
    numbers: Vec<u64>,
    len: usize,
    found: Vec<RowAccount>,
}

/// Rows a batch holds: enough for their cache misses to overlap, few
/// enough for their accounts' states to stay in the cache.
const BATCH_ROWS: usize = 64;

impl AccountRows<'_, '_> {
    /// Score the row, then add it with its groups and score.
    fn scored_row(&mut self, number: u64, cells: Cells, out: &mut ChunkAccounts) -> RowAccount {
        let Some(rows) = self.rows.as_mut() else {
            return RowAccount::Unknown;
        };
        if let Some(row) = rows.row_of(number) {
            self.adder.warm_ahead(row);
        }
        let mut row = rows.begin();
        row.number(number);
        // Notes are the scoring pass's to write.
        let notes = &mut Vec::new();
        let binding = self.binding;
        if (binding.read_cells(number, cells.text, cells.spans, &mut row, notes)).is_err() {
            return RowAccount::Unknown; // rejected: in no account
        }
        let score = match row.finish() {
            Ok(scored) => {
                self.groups.clear();
                self.groups.extend_from_slice(&scored.groups);
                scored.score
            }
            Err(_) => return RowAccount::Unknown,
        };
        // Kept for the scoring pass, unless a cell was read as missing:
        // that row is scored again, to write its note.
        if notes.is_empty() {
            out.sums.keep(number, score, &self.groups);
        }
        let found = rows.last_account();
        let (lead, _) = rows.last();
        let scored = Scored {
            groups: &self.groups,
            score: Some(score),
        };
        match self.adder.add_scored(lead, scored, found) {
            Ok(found) => found,
            Err(_) => {
                self.overflow = true;
                RowAccount::Unknown
            }
        }
    }

    /// The first pass of a split: score the row with the split's first
    /// rules and keep its sums, then add it to its account by key.
    fn partial_row(&mut self, number: u64, cells: Cells, out: &mut ChunkAccounts) {
        let Some(rows) = self.rows.as_mut() else {
            return;
        };
        let mut row = rows.begin();
        row.number(number);
        let notes = &mut Vec::new();
        let binding = self.binding;
        if (binding.read_cells(number, cells.text, cells.spans, &mut row, notes)).is_err() {
            out.set(number, RowAccount::Unknown); // rejected: in no account
            return;
        }
        match row.finish() {
            Ok(scored) if partial_sums(scored, &mut self.groups) => {
                let (top, groups) = self.groups.split_first().unwrap_or((&Decimal::ZERO, &[]));
                out.sums.keep(number, *top, groups);
                if !notes.is_empty() {
                    out.sums.note(number);
                }
            }
            _ => self.incomplete = true,
        }
        // Held in the batch, to be added with it (see `batch_row`).
        let (lead, _) = rows.last();
        let batch = &mut self.batch;
        if batch.leads.len() <= batch.len {
            batch.leads.push(Lead::default());
        }
        let Some(held) = batch.leads.get_mut(batch.len) else {
            return;
        };
        held.values.resize(lead.values.len(), None);
        for &field in &self.held {
            copy_value(held.values.at_mut(field), lead.values.at(field));
        }
        batch.numbers.truncate(batch.len);
        batch.numbers.push(number);
        batch.len += 1;
        if batch.len == BATCH_ROWS {
            self.add_batch(out);
        }
    }

    /// The input-level pass: read the row's cells into the batch,
    /// and add the batch once full. A row that cannot be read belongs to
    /// no account (the scoring pass rejects it).
    fn batch_row(&mut self, number: u64, cells: Cells, out: &mut ChunkAccounts) {
        let batch = &mut self.batch;
        if batch.leads.len() <= batch.len {
            batch.leads.push(Lead::default());
        }
        let Some(lead) = batch.leads.get_mut(batch.len) else {
            return;
        };
        if self.binding.read_values(number, cells, lead).is_err() {
            out.set(number, RowAccount::Unknown);
            return;
        }
        batch.numbers.truncate(batch.len);
        batch.numbers.push(number);
        batch.len += 1;
        if batch.len == BATCH_ROWS {
            self.add_batch(out);
        }
    }

    /// Add the rows held back.
    fn add_batch(&mut self, out: &mut ChunkAccounts) {
        let batch = &mut self.batch;
        let leads = batch.leads.get_mut(..batch.len).unwrap_or_default();
        if self.adder.add_batch(leads, &mut batch.found).is_err() {
            self.overflow = true;
        }
        for (number, found) in batch.numbers.iter().zip(&batch.found) {
            out.set(*number, *found);
        }
        batch.len = 0;
    }
}

impl RowHandler for AccountRows<'_, '_> {
    type Out = ChunkAccounts;

    fn start(&mut self, out: &mut ChunkAccounts, _: usize) {
        out.reset(self.worker);
    }

    fn end(&mut self, out: &mut ChunkAccounts) {
        self.add_batch(out);
    }

    fn at(&mut self, offset: u64) {
        if let Some(rows) = self.rows.as_mut() {
            rows.chunk_at(offset);
        }
    }

    fn row(
        &mut self,
        number: u64,
        _: &[u8],
        cells: Cells,
        out: &mut ChunkAccounts,
        _: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        if self.rows.is_none() {
            self.batch_row(number, cells, out);
            return Ok(());
        }
        if self.adder.pass.partials {
            self.partial_row(number, cells, out);
            return Ok(());
        }
        let found = self.scored_row(number, cells, out);
        if self.adder.pass.tables.rows().is_none() {
            out.set(number, found); // the first pass records it
        }
        Ok(())
    }
}
