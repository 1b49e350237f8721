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
use super::reject::Rejection;
use crate::eval::{same_key, AggregateOverflow, EventTable};
use crate::plan::EventsSpec;
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
}

/// The readable events of `input` (the file of `source`) whose key is
/// `key`, as `==` compares it: one lead's, for `tally explain`.
pub fn events_of(
    source: &EventsSpec,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
    key: &Value,
) -> Result<Vec<Vec<Option<Value>>>, EventsError> {
    let mut reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    let binding =
        Binding::of_fields(&source.fields, reader.header()).map_err(EventsError::Header)?;
    let mut events = Vec::new();
    while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
        let Ok(event) = row.and_then(|record| binding.lead(&record)) else {
            continue;
        };
        if same_key(event.values.get(source.key).and_then(Option::as_ref), key) {
            events.push(event.values);
        }
    }
    Ok(events)
}

/// Read `input`, the file of `source`, into its table as of `today`.
pub fn read_events(
    source: &EventsSpec,
    input: Box<dyn BufRead + Send>,
    how: EventsFormat,
    today: Date,
) -> Result<EventsRead, EventsError> {
    let mut reader = Reader::with_limit(input, how.format, how.delimiter, how.limit)
        .map_err(EventsError::Open)?;
    let binding =
        Binding::of_fields(&source.fields, reader.header()).map_err(EventsError::Header)?;
    let mut table = EventTable::default();
    let mut rejects = Vec::new();
    while let Some(row) = reader.next_row().map_err(EventsError::Io)? {
        table.counts.read += 1;
        let lead = row.and_then(|record| binding.lead(&record));
        match lead {
            Ok(event) => table.add(source, &event.values, today)?,
            Err(rejection) => {
                table.counts.rejected += 1;
                rejects.push(rejection);
            }
        }
    }
    Ok(EventsRead { table, rejects })
}
