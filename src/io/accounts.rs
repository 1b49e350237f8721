//! The passes over a lead file that compute account values (language
//! section 12) before the scoring pass.
//!
//! A pass reads every lead as the scoring pass will (same binding, same
//! rejected rows, which belong to no account), sets its aggregates over
//! events (and, in the score-level pass, its input-level account values),
//! and adds it to its account's states. A CSV file is walked on all
//! cores, each worker with its own table, merged at the end.

use std::io::BufRead;

use super::account_walk::walk_pass;
use super::binding::{BadValues, Binding};
use super::chunks::Chunks;
use super::events::{EventsError, EventsFormat};
use super::format::Format;
use super::read::Reader;
use super::read::{Header, OpenError};
use super::read_csv::{header_from, CsvWalk};
use crate::eval::{
    AccountTable, AccountTables, Adding, Lead, RowAccount, RowAccounts, RowSums, Scored, Scorer,
    Scratch, WARM_ROWS,
};
use crate::id::{FieldId, IdVec};
use crate::plan::{AccountSpec, FieldSpec, Plan};
use crate::value::{Date, FieldType, Value};

/// One pass: which level of values it computes, with what scorer.
#[derive(Clone, Copy)]
pub struct AccountPass<'a, 'p> {
    pub plan: &'p Plan,
    /// Scores the leads (score-level pass) and sets their precomputed
    /// values: events' aggregates, input-level account values.
    pub scorer: &'a Scorer<'p>,
    /// What the passes before found (the scorer's too): none settled
    /// means this is the first pass, which numbers the accounts by key
    /// and records each row's; a later pass reads them.
    pub tables: &'a AccountTables,
    pub score_level: bool,
    pub today: Date,
    /// `--bad-values`: a row scoring reads with a cell taken as missing
    /// is in its account too (only rejected rows are in none).
    pub bad_values: BadValues,
    /// The first pass of a split (`eval::RuleSplit`): `plan` is the
    /// split's `before`, whose rules the pass runs on every row, keeping
    /// each row's sums (`PassTables::sums`) for the score-level pass from
    /// memory.
    pub partials: bool,
}

impl AccountPass<'_, '_> {
    fn first(&self) -> bool {
        self.tables.rows().is_none()
    }
}

/// What a pass found: its level's states per account, and (the first
/// pass, over CSV) each row's account.
#[derive(Debug, Default)]
pub struct PassTables {
    pub table: AccountTable,
    pub rows: RowAccounts,
    /// The score-level pass, over CSV: each row's score and groups. The
    /// first pass of a split: each row's sums of the split's first rules,
    /// when every readable row's could be kept.
    pub sums: Option<RowSums>,
}

/// Read the lead file `input` once, adding every readable lead to its
/// account's states of the pass's level.
pub fn account_pass(
    pass: AccountPass,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
    size: Option<u64>,
) -> Result<PassTables, EventsError> {
    let Some(spec) = &pass.plan.account else {
        return Ok(PassTables::default());
    };
    let bind = |header: &Header| {
        match pass.score_level || pass.partials {
            true => Binding::new(pass.plan, header),
            false => Binding::of_fields(&input_fields(pass.plan, spec), header),
        }
        .map_err(EventsError::Header)
        .map(|b| b.with_bad_values(pass.bad_values))
    };
    if how.format == Format::Csv {
        let (header, csv) = csv_walk(input, how, size).map_err(EventsError::Open)?;
        return walk_pass(pass, spec, &bind(&header)?, csv, how.threads);
    }
    let reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    row_pass(pass, spec, &bind(reader.header())?, reader)
}

/// The CSV file's header and records, split into chunks exactly as the
/// scoring pass splits them (the same size hint, `size`, is what makes
/// the chunks the same, so that a later pass finds each chunk's rows in
/// the first pass's: see `RowAccounts`).
fn csv_walk(
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
    size: Option<u64>,
) -> Result<(Header, CsvWalk), OpenError> {
    let mut chunks = Chunks::new(input, how.delimiter)
        .size_hint(size)
        .row_limit(how.limit);
    let first = chunks.first_record()?;
    let header = header_from(first.as_deref(), how.delimiter)?;
    let csv = CsvWalk {
        chunks,
        limit: how.limit,
        delimiter: how.delimiter,
        columns: header.columns.clone(),
    };
    Ok((header, csv))
}
/// The plan's fields as the input-level pass reads them: those its values
/// and the events' join keys read, and every other field whose cell can
/// make a row rejected (a required one, or a used one of a type that can
/// be unreadable). A used text or list field nothing here reads is left
/// alone: no cell of it rejects a row, and copying and folding it was
/// most of the pass's time.
fn input_fields(plan: &Plan, spec: &AccountSpec) -> IdVec<FieldId, FieldSpec> {
    let read = input_reads(plan, spec);
    let can_reject = |f: &FieldSpec| !matches!(f.ty, FieldType::Text | FieldType::List);
    (plan.fields.iter().zip(read.iter()))
        .map(|(f, read)| FieldSpec {
            used: *read || (f.used && can_reject(f)),
            ..f.clone()
        })
        .collect()
}

/// The lead values the input-level pass reads: the grouping field, what
/// its values read, and the events' join keys.
pub(super) fn input_reads(plan: &Plan, spec: &AccountSpec) -> IdVec<FieldId, bool> {
    let mut read = plan.fields.map(|_| false);
    let mut mark = |field: FieldId| *read.at_mut(field) = true;
    mark(spec.by);
    let levels = spec.values.iter().zip(&spec.score_level);
    for value in levels.filter(|(_, s)| !**s).map(|(v, _)| v) {
        for node in value.condition.iter().chain(&value.value) {
            node.for_each_field(&mut mark);
        }
    }
    for source in &plan.events {
        mark(source.lead_key);
    }
    read
}

/// NDJSON: row by row (accounts found by key in every pass).
fn row_pass(
    pass: AccountPass,
    spec: &AccountSpec,
    binding: &Binding,
    mut reader: Reader,
) -> Result<PassTables, EventsError> {
    let mut adder = Adder::new(pass, spec);
    while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
        if let Ok(mut lead) = row.and_then(|record| binding.lead(&record)) {
            adder.add(&mut lead)?;
        }
    }
    Ok(PassTables {
        table: adder.table,
        rows: RowAccounts::default(),
        sums: None,
    })
}

/// Adds leads to a table: the per-lead work of both ways of reading.
pub(super) struct Adder<'a, 'p> {
    pub(super) pass: AccountPass<'a, 'p>,
    pub(super) spec: &'p AccountSpec,
    pub(super) table: AccountTable,
    scratch: Scratch<'p>,
    buffer: Vec<Option<Value>>,
}

impl<'a, 'p> Adder<'a, 'p> {
    pub(super) fn new(pass: AccountPass<'a, 'p>, spec: &'p AccountSpec) -> Adder<'a, 'p> {
        Adder {
            pass,
            spec,
            table: AccountTable::default(),
            scratch: Scratch::default(),
            buffer: Vec::new(),
        }
    }

    /// Row `row` is about to be added by index: at the start of each
    /// batch of rows, touch the states of the next batch's accounts.
    pub(super) fn warm_ahead(&mut self, row: u64) {
        let Some(rows) = self.pass.tables.rows() else {
            return;
        };
        if row.is_multiple_of(WARM_ROWS) {
            let ahead = row.saturating_add(WARM_ROWS);
            (self.table).warm(rows.accounts_of(ahead..ahead.saturating_add(WARM_ROWS)));
        }
    }

    /// The first pass's [`Adder::add`] for a batch of leads: each lead's
    /// account is found by key first, then the batch's accounts' states
    /// are touched together (see `warm`), then each lead is added: one
    /// wait for the batch's cache misses instead of one per lead, with the
    /// same accounts, numbers and states as lead by lead. `found[i]` is
    /// lead `i`'s account.
    pub(super) fn add_batch(
        &mut self,
        leads: &mut [Lead],
        found: &mut Vec<RowAccount>,
    ) -> Result<(), EventsError> {
        let (spec, today) = (self.spec, self.pass.today);
        for lead in leads.iter_mut() {
            lead.values.resize(self.pass.plan.fields.len(), None);
            if !self.pass.plan.events.is_empty() {
                self.pass.scorer.attach_events(lead, &mut self.buffer);
            }
        }
        self.table.find_all(spec, leads, found);
        let index = |found: &RowAccount| match found {
            RowAccount::In(index) => Some(*index),
            _ => None,
        };
        self.table.warm(found.iter().filter_map(index));
        for (lead, found) in leads.iter().zip(found.iter()) {
            let Some(index) = index(found) else {
                continue;
            };
            let adding = Adding {
                score_level: false,
                scored: Scored::default(),
                today,
            };
            (self.table)
                .add_at(spec, index, lead, adding)
                .map_err(|_| EventsError::Overflow)?;
        }
        Ok(())
    }

    /// Add a lead read whole (not scored yet); gives its account.
    pub(super) fn add(&mut self, lead: &mut Lead) -> Result<RowAccount, EventsError> {
        let scorer = self.pass.scorer;
        lead.values.resize(self.pass.plan.fields.len(), None);
        // The events' aggregates, and for the score-level pass the
        // input-level account values its rules read (an input-level value
        // reads no account value: no lookup in that pass without events).
        if self.pass.score_level || !self.pass.plan.events.is_empty() {
            scorer.attach_events(lead, &mut self.buffer);
        }
        if !self.pass.score_level {
            return self.add_scored(lead, Scored::default(), RowAccount::Unknown);
        }
        scorer.run(lead, &mut self.scratch);
        if self.scratch.overflow.is_some() {
            return Ok(RowAccount::Unknown); // a rejected row: in no account
        }
        let scratch = std::mem::take(&mut self.scratch);
        let scored = Scored {
            groups: &scratch.groups,
            score: Some(scratch.score),
        };
        let found = self.add_scored(lead, scored, RowAccount::Unknown);
        self.scratch = scratch;
        found
    }

    /// Add a lead to its account: by key in the first pass (which numbers
    /// the accounts), else by the account's index (`found`, or looked up
    /// by key when unknown). Gives the account.
    pub(super) fn add_scored(
        &mut self,
        lead: &Lead,
        scored: Scored,
        found: RowAccount,
    ) -> Result<RowAccount, EventsError> {
        let (spec, score_level, today) = (self.spec, self.pass.score_level, self.pass.today);
        if self.pass.first() {
            return (self.table)
                .add(spec, score_level, lead, scored, today)
                .map_err(|_| EventsError::Overflow);
        }
        let found = match found {
            RowAccount::Unknown => self.pass.tables.index_of(lead.values.at(spec.by).as_ref()),
            known => known,
        };
        // Unknown still: a key the first pass never met, which only a row
        // it rejected could have, and this pass rejects the same rows.
        if let RowAccount::In(index) = found {
            let adding = Adding {
                score_level,
                scored,
                today,
            };
            (self.table)
                .add_at(spec, index, lead, adding)
                .map_err(|_| EventsError::Overflow)?;
        }
        Ok(found)
    }
}
