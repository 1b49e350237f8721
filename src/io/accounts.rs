//! The passes over a lead file that compute account values (language
//! section 12) before the scoring pass.
//!
//! A pass reads every lead as the scoring pass will (same binding, same
//! rejected rows, which belong to no account), sets its aggregates over
//! events (and, in the score-level pass, its input-level account values),
//! and adds it to its account's states. A CSV file is walked on all
//! cores, each worker with its own table, merged at the end.

use std::io::BufRead;

use super::binding::{BadValues, Binding};
use super::events::{EventsError, EventsFormat};
use super::read::Reader;
use super::read_csv::CsvWalk;
use super::reject::Rejection;
use super::walk::{walk, Cells, Done, RowHandler, Shape};
use crate::eval::{AccountTable, Lead, RowScorer, Scored, Scorer, Scratch};
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
    pub score_level: bool,
    pub today: Date,
    /// `--bad-values`: a row scoring reads with a cell taken as missing
    /// is in its account too (only rejected rows are in none).
    pub bad_values: BadValues,
}

/// Read the lead file `input` once, adding every readable lead to its
/// account's states of the pass's level.
pub fn account_pass(
    pass: AccountPass,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
) -> Result<AccountTable, EventsError> {
    let Some(spec) = &pass.plan.account else {
        return Ok(AccountTable::default());
    };
    let reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    let binding = match pass.score_level {
        true => Binding::new(pass.plan, reader.header()),
        false => Binding::of_fields(&input_fields(pass.plan, spec), reader.header()),
    }
    .map_err(EventsError::Header)?
    .with_bad_values(pass.bad_values);
    match reader.into_walk() {
        Ok(csv) => walk_pass(pass, spec, &binding, csv, how.threads),
        Err(reader) => row_pass(pass, spec, &binding, reader),
    }
}

/// The plan's fields as the input-level pass reads them: those its values
/// and the events' join keys read, and every other field whose cell can
/// make a row rejected (a required one, or a used one of a type that can
/// be unreadable). A used text or list field nothing here reads is left
/// alone: no cell of it rejects a row, and copying and folding it was
/// most of the pass's time.
fn input_fields(plan: &Plan, spec: &AccountSpec) -> IdVec<FieldId, FieldSpec> {
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
    let can_reject = |f: &FieldSpec| !matches!(f.ty, FieldType::Text | FieldType::List);
    (plan.fields.iter().zip(read))
        .map(|(f, read)| FieldSpec {
            used: read || (f.used && can_reject(f)),
            ..f.clone()
        })
        .collect()
}

/// NDJSON: row by row.
fn row_pass(
    pass: AccountPass,
    spec: &AccountSpec,
    binding: &Binding,
    mut reader: Reader,
) -> Result<AccountTable, EventsError> {
    let mut adder = Adder::new(pass, spec);
    while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
        if let Ok(mut lead) = row.and_then(|record| binding.lead(&record)) {
            adder.add(&mut lead)?;
        }
    }
    Ok(adder.table)
}

/// CSV: on all cores.
fn walk_pass(
    pass: AccountPass,
    spec: &AccountSpec,
    binding: &Binding,
    csv: CsvWalk,
    threads: usize,
) -> Result<AccountTable, EventsError> {
    let shape = Shape {
        delimiter: csv.delimiter,
        columns: &csv.columns,
        limit: csv.limit,
        threads,
    };
    let take = |_: Done<()>| Ok(None);
    let handler = || AccountRows {
        binding,
        adder: Adder::new(pass, spec),
        lead: Lead::default(),
        rows: pass.score_level.then(|| RowScorer::new(pass.scorer)),
        groups: Vec::new(),
        overflow: false,
    };
    let workers = walk(&shape, csv.chunks, handler, take).map_err(EventsError::from)?;
    let mut table = AccountTable::default();
    for worker in workers {
        if worker.overflow {
            return Err(EventsError::Overflow);
        }
        table.merge(spec, worker.adder.table)?;
    }
    Ok(table)
}

/// Adds leads to a table: the per-lead work of both ways of reading.
struct Adder<'a, 'p> {
    pass: AccountPass<'a, 'p>,
    spec: &'p AccountSpec,
    table: AccountTable,
    scratch: Scratch<'p>,
    buffer: Vec<Option<Value>>,
}

impl<'a, 'p> Adder<'a, 'p> {
    fn new(pass: AccountPass<'a, 'p>, spec: &'p AccountSpec) -> Adder<'a, 'p> {
        Adder {
            pass,
            spec,
            table: AccountTable::default(),
            scratch: Scratch::default(),
            buffer: Vec::new(),
        }
    }

    fn add(&mut self, lead: &mut Lead) -> Result<(), EventsError> {
        let scorer = self.pass.scorer;
        lead.values.resize(self.pass.plan.fields.len(), None);
        // The events' aggregates, and for the score-level pass the
        // input-level account values its rules read (an input-level value
        // reads no account value: no lookup in that pass without events).
        if self.pass.score_level || !self.pass.plan.events.is_empty() {
            scorer.attach_events(lead, &mut self.buffer);
        }
        let scored = if self.pass.score_level {
            scorer.run(lead, &mut self.scratch);
            if self.scratch.overflow.is_some() {
                return Ok(()); // a rejected row: in no account
            }
            Scored {
                groups: &self.scratch.groups,
                score: Some(self.scratch.score),
            }
        } else {
            Scored::default()
        };
        let (spec, level, today) = (self.spec, self.pass.score_level, self.pass.today);
        self.table
            .add(spec, level, lead, scored, today)
            .map_err(|_| EventsError::Overflow)
    }
}

/// A worker of a CSV pass.
struct AccountRows<'a, 'p> {
    binding: &'a Binding,
    adder: Adder<'a, 'p>,
    lead: Lead,
    /// A score-level pass scores each row as the scoring pass does, with
    /// the memo of repeated cells (and its own copy of the groups).
    rows: Option<RowScorer<'p>>,
    groups: Vec<crate::value::Decimal>,
    overflow: bool,
}

impl AccountRows<'_, '_> {
    /// Score the row, then add it with its groups and score.
    fn scored_row(&mut self, number: u64, cells: Cells, notes: &mut Vec<Rejection>) {
        let Some(rows) = self.rows.as_mut() else {
            return;
        };
        let mut row = rows.begin();
        if self
            .binding
            .read_cells(number, cells.text, cells.spans, &mut row, notes)
            .is_err()
        {
            return; // rejected: in no account
        }
        let score = match row.finish() {
            Ok(scored) => {
                self.groups.clear();
                self.groups.extend_from_slice(&scored.groups);
                scored.score
            }
            Err(_) => return,
        };
        let (lead, _) = rows.last();
        let scored = Scored {
            groups: &self.groups,
            score: Some(score),
        };
        let (spec, today) = (self.adder.spec, self.adder.pass.today);
        if self
            .adder
            .table
            .add(spec, true, lead, scored, today)
            .is_err()
        {
            self.overflow = true;
        }
    }
}

impl RowHandler for AccountRows<'_, '_> {
    type Out = ();

    fn start(&mut self, _: &mut (), _: usize) {}

    fn row(
        &mut self,
        number: u64,
        _: &[u8],
        cells: Cells,
        _: &mut (),
        _: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        if self.rows.is_some() {
            // Notes are the scoring pass's to write.
            self.scored_row(number, cells, &mut Vec::new());
            return Ok(());
        }
        // A row that cannot be read belongs to no account; the scoring
        // pass rejects it.
        if self
            .binding
            .read_values(number, cells, &mut self.lead)
            .is_err()
        {
            return Ok(());
        }
        if self.adder.add(&mut self.lead).is_err() {
            self.overflow = true;
        }
        Ok(())
    }
}
