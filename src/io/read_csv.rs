//! The CSV reader of `tally explain` and the row-by-row stream: the
//! chunks the parallel scorer reads (`chunks.rs`), each record read by
//! `csv_core` as the workers read the records they do not split
//! themselves, so both see the same rows with the same numbers (lone
//! `\r` line ends, a quote never closed, a row past the limit). Read as
//! bytes, so a cell that is not UTF-8 rejects its row instead of stopping
//! the file.

use std::io::{self, BufRead};
use std::ops::Range;

use csv::ByteRecord;

use super::chunks::{ends_inside_quotes, Chunk, Chunks};
use super::core_record::{next_record, record_bytes, Fields};
use super::format::Format;
use super::limit::RowLimit;
use super::read::{Header, OpenError, Record, RowData};
use super::reject::{quoted, Rejection};

/// A CSV file after its header, ready to walk on all cores.
pub struct CsvWalk {
    pub chunks: Chunks<Box<dyn BufRead + Send>>,
    pub limit: RowLimit,
    pub delimiter: u8,
    /// The header's columns.
    pub columns: Vec<String>,
}

/// Reads CSV records after the header.
pub struct CsvReader {
    chunks: Chunks<Box<dyn BufRead + Send>>,
    header: Header,
    parser: csv_core::Reader,
    /// The chunk being read, and how far.
    chunk: Option<Chunk>,
    pos: usize,
    fields: Fields,
    spans: Vec<Range<usize>>,
    limit: RowLimit,
    delimiter: u8,
    row: u64,
    /// Bytes of records read so far (the header's not counted).
    consumed: u64,
}

impl CsvReader {
    /// Read the header row. A UTF-8 byte order mark before it is dropped.
    pub fn new(
        input: Box<dyn BufRead + Send>,
        delimiter: u8,
        limit: RowLimit,
    ) -> Result<CsvReader, OpenError> {
        let mut chunks = Chunks::new(input, delimiter).row_limit(limit);
        let first = chunks.first_record()?;
        let header = header_from(first.as_deref(), delimiter)?;
        Ok(CsvReader {
            chunks,
            header,
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            chunk: None,
            pos: 0,
            fields: Fields::default(),
            spans: Vec::new(),
            limit,
            delimiter,
            row: 0,
            consumed: 0,
        })
    }

    /// The header row.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The chunks after the header, for a walk on all cores
    /// ([`walk`](super::walk::walk)); `Err(self)` once rows were read one
    /// by one.
    #[allow(clippy::result_large_err)] // given back whole, once per file
    pub fn into_walk(self) -> Result<CsvWalk, CsvReader> {
        if self.row > 0 {
            return Err(self);
        }
        Ok(CsvWalk {
            chunks: self.chunks,
            limit: self.limit,
            delimiter: self.delimiter,
            columns: self.header.columns,
        })
    }

    /// Bytes of the records read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The next record, checked for its length, field count and UTF-8.
    pub fn next_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        loop {
            let Some(chunk) = &self.chunk else {
                let Some(chunk) = self.chunks.next_chunk()? else {
                    return Ok(None);
                };
                self.chunk = Some(chunk);
                self.pos = 0;
                self.parser.reset();
                continue;
            };
            let rest = chunk.bytes().get(self.pos..).unwrap_or_default();
            if let Some(used) =
                next_record(&mut self.parser, rest, &mut self.fields, &mut self.spans)
            {
                let raw = record_bytes(rest.get(..used).unwrap_or_default());
                let too_long = self.limit.exceeded_by(raw.len());
                self.pos += used;
                self.consumed += used as u64;
                self.row += 1;
                let row = if too_long {
                    Err(Rejection::row(self.row, self.limit.reason()))
                } else {
                    self.cells()
                };
                return Ok(Some(row.map(|cells| Record {
                    row: self.row,
                    data: RowData::Cells(cells),
                })));
            }
            // The chunk's records are read: then its bad record, if any.
            let (bad, done_skipped) = (chunk.bad, chunk.skipped);
            if let Some(done) = self.chunk.take() {
                self.chunks.recycle(done.into_buffer());
            }
            if let Some(bad) = bad {
                self.consumed += done_skipped;
                self.row += 1;
                return Ok(Some(Err(Rejection::row(self.row, bad.reason(self.limit)))));
            }
        }
    }

    fn cells(&self) -> Result<Vec<String>, Rejection> {
        let (want, found) = (self.header.columns.len(), self.spans.len());
        if want != found {
            let reason = format!("expected {want} fields, found {found}");
            return Err(Rejection::row(self.row, reason));
        }
        let names = self.header.columns.iter();
        names
            .zip(&self.spans)
            .map(|(name, span)| {
                let bytes = self.fields.bytes.get(span.clone()).unwrap_or_default();
                match std::str::from_utf8(bytes) {
                    Ok(text) => Ok(text.to_string()),
                    Err(_) => Err(not_utf8(self.row, name, bytes)),
                }
            })
            .collect()
    }
}

fn not_utf8(row: u64, column: &str, bytes: &[u8]) -> Rejection {
    let shown = quoted(&String::from_utf8_lossy(bytes));
    Rejection {
        value: Some(shown.clone()),
        ..Rejection::column(row, column, format!("{shown} is not valid UTF-8"))
    }
}

/// The header of a CSV file from its first record's bytes (`None`: the
/// file is empty).
pub fn header_from(first: Option<&[u8]>, delimiter: u8) -> Result<Header, OpenError> {
    let mut record = ByteRecord::new();
    let columns = match first {
        Some(bytes) if ends_inside_quotes(bytes, delimiter) => {
            return Err(OpenError::Header(
                "the header row has a quoted field that is never closed \
                 (the file ends inside quotes); look for a stray `\"` in it"
                    .to_string(),
            ))
        }
        Some(bytes) => {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(bytes);
            if reader.read_byte_record(&mut record).map_err(to_io)? {
                header_names(&record)?
            } else {
                Vec::new()
            }
        }
        None => Vec::new(),
    };
    Ok(Header {
        format: Format::Csv,
        columns,
    })
}

fn header_names(record: &ByteRecord) -> Result<Vec<String>, OpenError> {
    let mut names = Vec::with_capacity(record.len());
    for (i, bytes) in record.iter().enumerate() {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            let shown = quoted(&String::from_utf8_lossy(bytes));
            OpenError::Header(format!(
                "header column {} {shown} is not valid UTF-8",
                i + 1
            ))
        })?;
        let text = if i == 0 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        names.push(text.to_string());
    }
    Ok(names)
}

/// The `csv` crate's errors, as I/O errors: with byte records and flexible
/// field counts, only reading itself can fail.
pub(super) fn to_io(error: csv::Error) -> io::Error {
    if error.is_io_error() {
        match error.into_kind() {
            csv::ErrorKind::Io(inner) => inner,
            other => io::Error::other(format!("{other:?}")),
        }
    } else {
        io::Error::other(error.to_string())
    }
}
