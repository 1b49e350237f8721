//! Reading a lead file as a stream of records, one row at a time.

use std::fmt;
use std::io::{self, BufRead};

use serde_json::{Map, Value};

use super::format::Format;
use super::limit::RowLimit;
use super::reject::Rejection;
use super::{read_csv, read_ndjson};

/// The columns a lead file declares: the CSV header row, or the keys of
/// the first JSON object of an NDJSON file (NDJSON has no header; see
/// `docs/cli.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub format: Format,
    pub columns: Vec<String>,
}

/// One row of a lead file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based: the CSV record after the header, or the NDJSON line
    /// (physical line number, blank lines counted though skipped).
    pub row: u64,
    pub data: RowData,
}

/// A row's contents.
#[derive(Debug, Clone, PartialEq)]
pub enum RowData {
    /// CSV cells, one per header column, valid UTF-8, exactly as in the file.
    Cells(Vec<String>),
    /// An NDJSON object, keys in file order.
    Object(Map<String, Value>),
}

/// Why a lead file could not be opened for reading.
#[derive(Debug)]
pub enum OpenError {
    /// The file could not be read (exit status 2).
    Io(io::Error),
    /// The header is not usable, e.g. not UTF-8 (exit status 1).
    Header(String),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Io(error) => write!(f, "{error}"),
            OpenError::Header(message) => f.write_str(message),
        }
    }
}

impl From<io::Error> for OpenError {
    fn from(error: io::Error) -> OpenError {
        OpenError::Io(error)
    }
}

/// A streaming reader of records.
pub enum Reader {
    Csv(Box<read_csv::CsvReader>),
    Ndjson(read_ndjson::NdjsonReader),
}

impl Reader {
    /// Start reading `input` as `format`; reads the header (CSV) or looks
    /// ahead to the first object (NDJSON). `delimiter` is for CSV.
    pub fn new(
        input: Box<dyn BufRead + Send>,
        format: Format,
        delimiter: u8,
    ) -> Result<Reader, OpenError> {
        Reader::with_limit(input, format, delimiter, RowLimit::DEFAULT)
    }

    /// [`Reader::new`], rejecting rows longer than `limit` (skipped as
    /// they are read, never held whole).
    pub fn with_limit(
        input: Box<dyn BufRead + Send>,
        format: Format,
        delimiter: u8,
        limit: RowLimit,
    ) -> Result<Reader, OpenError> {
        Ok(match format {
            Format::Csv => {
                Reader::Csv(Box::new(read_csv::CsvReader::new(input, delimiter, limit)?))
            }
            Format::Ndjson => Reader::Ndjson(read_ndjson::NdjsonReader::new(input, limit)?),
        })
    }

    /// The file's columns.
    pub fn header(&self) -> &Header {
        match self {
            Reader::Csv(reader) => reader.header(),
            Reader::Ndjson(reader) => reader.header(),
        }
    }

    /// Bytes of the file read so far, about: rows in memory are bounded
    /// by it as much as by their count.
    pub fn consumed(&self) -> u64 {
        match self {
            Reader::Csv(reader) => reader.consumed(),
            Reader::Ndjson(reader) => reader.consumed(),
        }
    }

    /// The next row: `Ok(None)` at the end, `Err` when the file cannot be
    /// read any further, a [`Rejection`] for a row that is unreadable.
    pub fn next_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        match self {
            Reader::Csv(reader) => reader.next_row(),
            Reader::Ndjson(reader) => reader.next_row(),
        }
    }

    /// For CSV read no further than its header: its chunks, to walk its
    /// rows on all cores (see [`walk`](super::walk::walk)). Otherwise
    /// (NDJSON, or rows read already) the reader, unchanged.
    #[allow(clippy::result_large_err)] // given back whole, once per file
    pub fn into_walk(self) -> Result<read_csv::CsvWalk, Reader> {
        match self {
            Reader::Csv(csv) => csv.into_walk().map_err(|csv| Reader::Csv(Box::new(csv))),
            other => Err(other),
        }
    }
}
