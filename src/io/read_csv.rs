//! The CSV reader: RFC 4180 via the `csv` crate, read as bytes so a cell
//! that is not UTF-8 rejects its row instead of stopping the file.

use std::io::{self, BufRead};

use csv::ByteRecord;

use super::format::Format;
use super::read::{Header, OpenError, Record, RowData};
use super::reject::{quoted, Rejection};

/// Reads CSV records after the header.
pub struct CsvReader {
    inner: csv::Reader<Box<dyn BufRead>>,
    header: Header,
    record: ByteRecord,
    row: u64,
}

impl CsvReader {
    /// Read the header row. A UTF-8 byte order mark before it is dropped.
    pub fn new(input: Box<dyn BufRead>, delimiter: u8) -> Result<CsvReader, OpenError> {
        let mut inner = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut record = ByteRecord::new();
        let columns = if inner.read_byte_record(&mut record).map_err(to_io)? {
            header_names(&record)?
        } else {
            Vec::new()
        };
        Ok(CsvReader {
            inner,
            header: Header {
                format: Format::Csv,
                columns,
            },
            record,
            row: 0,
        })
    }

    /// The header row.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next record, checked for its field count and UTF-8.
    pub fn next_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        if !self
            .inner
            .read_byte_record(&mut self.record)
            .map_err(to_io)?
        {
            return Ok(None);
        }
        self.row += 1;
        Ok(Some(self.cells().map(|cells| Record {
            row: self.row,
            data: RowData::Cells(cells),
        })))
    }

    fn cells(&self) -> Result<Vec<String>, Rejection> {
        let (want, found) = (self.header.columns.len(), self.record.len());
        if want != found {
            let reason = format!("expected {want} fields, found {found}");
            return Err(Rejection::row(self.row, reason));
        }
        let names = self.header.columns.iter();
        names
            .zip(self.record.iter())
            .map(|(name, bytes)| match std::str::from_utf8(bytes) {
                Ok(text) => Ok(text.to_string()),
                Err(_) => Err(not_utf8(self.row, name, bytes)),
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
