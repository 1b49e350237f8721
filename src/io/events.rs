//! Events files (language section 10): read before the leads, each into
//! its source's table of per-lead aggregates.
//!
//! An events file is read with the rules of a lead file (CSV or NDJSON,
//! gzipped or not, the same header checks and cell reading); a row that
//! cannot be read, or has no time, is a rejected event, kept with its row
//! number for the rejects file (`events NAME row N: …`).

use std::io::BufRead;

use super::binding::Binding;
use super::format::Format;
use super::header_error::HeaderError;
use super::limit::RowLimit;
use super::read::{OpenError, Reader};
use super::read_csv::CsvWalk;
use super::reject::Rejection;
use super::run::StreamError;
use super::walk::{walk, Cells, Done, RowHandler, Shape};
use crate::eval::Lead;
use crate::eval::{
    lead_key, same_key, AggregateOverflow, EventAdder, EventTable, KeySet, SharedTable,
};
use crate::id::{FieldId, IdVec};
use crate::plan::EventsSpec;
use crate::plan::FieldSpec;
use crate::value::{Date, Value};

/// One events file, read.
#[derive(Debug)]
pub struct EventsRead {
    pub table: EventTable,
    /// Its rejected events, in file order.
    pub rejects: Vec<Rejection>,
}

/// Why an events file could not be read.
#[derive(Debug)]
pub enum EventsError {
    /// Not opened: unreadable, or an unusable header line.
    Open(OpenError),
    /// The header lacks the source's columns.
    Header(Vec<HeaderError>),
    /// The file could not be read to its end.
    Io(std::io::Error),
    /// A sum over the events went past the largest decimal.
    Overflow,
}

/// A walk over a file that writes nothing: any of its errors is the
/// file's that could not be read.
impl From<StreamError> for EventsError {
    fn from(error: StreamError) -> EventsError {
        match error {
            StreamError::Read(e) | StreamError::Write(e) | StreamError::Rejects(e) => {
                EventsError::Io(e)
            }
        }
    }
}

impl From<AggregateOverflow> for EventsError {
    fn from(_: AggregateOverflow) -> EventsError {
        EventsError::Overflow
    }
}

/// How an events file is read.
#[derive(Debug, Clone, Copy)]
pub struct EventsFormat {
    pub format: Format,
    pub delimiter: u8,
    pub limit: RowLimit,
    /// Worker threads for a CSV file.
    pub threads: usize,
}

/// The readable events of `input` (the file of `source`) whose key is
/// `key`, as `==` compares it: one lead's, for `tally explain`.
pub fn events_of(
    source: &EventsSpec,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
    key: &Value,
) -> Result<Vec<IdVec<FieldId, Option<Value>>>, EventsError> {
    let mut reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    let binding =
        Binding::of_fields(&source.fields, reader.header()).map_err(EventsError::Header)?;
    let mut events = Vec::new();
    while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
        let Ok(event) = row.and_then(|record| binding.lead(&record)) else {
            continue;
        };
        if same_key(event.values.at(source.key).as_ref(), key) {
            events.push(event.values);
        }
    }
    Ok(events)
}

/// Read `input`, the file of `source`, into its table as of `today`.
/// With `keys` (the lead file's, see [`lead_keys`]) only the events of
/// those keys are aggregated; the others are counted.
pub fn read_events(
    source: &EventsSpec,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
    today: Date,
    keys: Option<KeySet>,
) -> Result<EventsRead, EventsError> {
    let reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    let binding =
        Binding::of_fields(&source.fields, reader.header()).map_err(EventsError::Header)?;
    match reader.into_walk() {
        Ok(csv) => read_csv_events(source, &binding, csv, (how.threads, today), keys),
        Err(reader) => read_rows(source, &binding, reader, today, keys),
    }
}

/// The join keys of the lead file `input` (its field `field` of
/// `fields`), folded as the events table looks them up: read before the
/// events, so that only the events of these keys take memory. Rows that
/// cannot be read are skipped (an event of their key matches no lead).
pub fn lead_keys(
    fields: &IdVec<FieldId, FieldSpec>,
    field: FieldId,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
) -> Result<KeySet, EventsError> {
    let reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    let only = (fields.enumerate())
        .map(|(i, f)| FieldSpec {
            used: i == field,
            required: false,
            ..f.clone()
        })
        .collect();
    let binding = Binding::of_fields(&only, reader.header()).map_err(EventsError::Header)?;
    let mut keys = KeySet::default();
    match reader.into_walk() {
        Ok(csv) => {
            let shape = Shape {
                delimiter: csv.delimiter,
                columns: &csv.columns,
                limit: csv.limit,
                threads: how.threads,
            };
            let take = |done: Done<Vec<Box<str>>>| {
                keys.extend(done.out.iter().map(|k| &**k));
                Ok(None)
            };
            let handler = || KeyRows {
                binding: &binding,
                field,
                lead: Lead::default(),
            };
            walk(&shape, csv.chunks, handler, take).map_err(EventsError::from)?;
        }
        Err(mut reader) => {
            while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
                if let Ok(record) = row {
                    if let Ok(lead) = binding.lead(&record) {
                        let key = lead_key(lead.values.at(field).as_ref());
                        keys.extend(key.as_deref());
                    }
                }
            }
        }
    }
    keys.shrink();
    Ok(keys)
}

/// A worker reading the lead file's keys: a chunk's keys, as found.
struct KeyRows<'a> {
    binding: &'a Binding,
    field: FieldId,
    lead: Lead,
}

impl RowHandler for KeyRows<'_> {
    type Out = Vec<Box<str>>;

    fn start(&mut self, out: &mut Vec<Box<str>>, _: usize) {
        out.clear();
    }

    fn row(
        &mut self,
        number: u64,
        _: &[u8],
        cells: Cells,
        out: &mut Vec<Box<str>>,
        _: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        if self
            .binding
            .read_values(number, cells, &mut self.lead)
            .is_ok()
        {
            let value = self.lead.values.at(self.field).as_ref();
            out.extend(lead_key(value));
        }
        Ok(())
    }
}

/// An NDJSON events file, row by row.
fn read_rows(
    source: &EventsSpec,
    binding: &Binding,
    mut reader: Reader,
    today: Date,
    keys: Option<KeySet>,
) -> Result<EventsRead, EventsError> {
    let mut table = EventTable::new(source, keys);
    let mut rejects = Vec::new();
    while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
        table.counts.read += 1;
        let lead = row.and_then(|record| binding.lead(&record));
        match lead {
            Ok(event) => table.add(source, &event, today)?,
            Err(rejection) => {
                table.counts.rejected += 1;
                rejects.push(rejection);
            }
        }
    }
    Ok(EventsRead { table, rejects })
}

/// A CSV events file on all cores: the workers aggregate the rows of
/// their chunks into one shared table, each locking the shard of the
/// event's key (every update is commutative, so the result does not
/// depend on which worker had which rows, or in which order).
fn read_csv_events(
    source: &EventsSpec,
    binding: &Binding,
    csv: CsvWalk,
    (threads, today): (usize, Date),
    keys: Option<KeySet>,
) -> Result<EventsRead, EventsError> {
    let shared = SharedTable::new(source, keys);
    let shape = Shape {
        delimiter: csv.delimiter,
        columns: &csv.columns,
        limit: csv.limit,
        threads,
    };
    let (mut read, mut rejects) = (0u64, Vec::new());
    let take = |done: Done<()>| {
        for mut rejection in done.rejects {
            rejection.row += read;
            rejects.push(rejection);
        }
        read += done.rows;
        Ok(None)
    };
    let handler = || AggregateRows {
        source,
        binding,
        today,
        event: Lead::default(),
        table: &shared,
        adder: EventAdder::default(),
        overflow: false,
    };
    let workers = walk(&shape, csv.chunks, handler, take).map_err(EventsError::from)?;
    if workers.iter().any(|w| w.overflow) {
        return Err(EventsError::Overflow);
    }
    let counts: Vec<_> = workers.into_iter().map(|w| w.adder.counts).collect();
    let mut table = shared.finish(counts);
    table.counts.read = read;
    table.counts.rejected += rejects.len() as u64;
    Ok(EventsRead { table, rejects })
}

/// A worker of the events pass.
struct AggregateRows<'a> {
    source: &'a EventsSpec,
    binding: &'a Binding,
    today: Date,
    /// The row's values, reused.
    event: Lead,
    table: &'a SharedTable,
    adder: EventAdder,
    overflow: bool,
}

impl RowHandler for AggregateRows<'_> {
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
        self.binding.read_values(number, cells, &mut self.event)?;
        let (table, source) = (self.table, self.source);
        if self
            .adder
            .add(table, source, &self.event, self.today)
            .is_err()
        {
            self.overflow = true;
        }
        Ok(())
    }
}
