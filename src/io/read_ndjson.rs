//! The NDJSON reader: one JSON object per line, blank lines skipped.
//!
//! NDJSON has no header row; the keys of the first object stand in for
//! one. To learn them the reader looks ahead to the first line that is an
//! object, keeping the rejections it meets on the way (at most
//! [`LOOKAHEAD`] lines, so memory stays bounded).

use std::collections::VecDeque;
use std::io::{self, BufRead};

use serde_json::Value;

use super::format::Format;
use super::read::{Header, OpenError, Record, RowData};
use super::reject::Rejection;

/// How many lines the reader looks at to find the first object.
pub const LOOKAHEAD: usize = 4096;

/// Reads NDJSON lines.
pub struct NdjsonReader {
    input: Box<dyn BufRead>,
    header: Header,
    line: Vec<u8>,
    line_number: u64,
    ahead: VecDeque<Result<Record, Rejection>>,
}

impl NdjsonReader {
    /// Look ahead to the first object for the columns.
    pub fn new(input: Box<dyn BufRead>) -> Result<NdjsonReader, OpenError> {
        let mut reader = NdjsonReader {
            input,
            header: Header {
                format: Format::Ndjson,
                columns: Vec::new(),
            },
            line: Vec::new(),
            line_number: 0,
            ahead: VecDeque::new(),
        };
        while reader.ahead.len() < LOOKAHEAD {
            let Some(row) = reader.read_row()? else { break };
            let first = row.as_ref().ok().map(|record| &record.data);
            if let Some(RowData::Object(map)) = first {
                reader.header.columns = map.keys().cloned().collect();
            }
            let found = first.is_some();
            reader.ahead.push_back(row);
            if found {
                break;
            }
        }
        Ok(reader)
    }

    /// The first object's keys.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next non-blank line as a record.
    pub fn next_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        match self.ahead.pop_front() {
            Some(row) => Ok(Some(row)),
            None => self.read_row(),
        }
    }

    fn read_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        loop {
            self.line.clear();
            if self.input.read_until(b'\n', &mut self.line)? == 0 {
                return Ok(None);
            }
            self.line_number += 1;
            let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(parse(self.line_number, line)));
            }
        }
    }
}

/// One line as a record: it must be a JSON object.
fn parse(row: u64, line: &[u8]) -> Result<Record, Rejection> {
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(map)) => Ok(Record {
            row,
            data: RowData::Object(map),
        }),
        Ok(other) => Err(Rejection::row(
            row,
            format!("expected a JSON object, found {}", kind(&other)),
        )),
        Err(error) => Err(Rejection::row(row, malformed(&error))),
    }
}

/// serde_json's message without its "at line 1 column 5" (the line is
/// always 1: each line is parsed alone), with the column kept.
fn malformed(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text);
    format!("malformed JSON at column {}: {message}", error.column())
}

/// A JSON value's kind, with its article.
pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &'static str) -> (Vec<String>, Vec<Result<u64, String>>) {
        let mut reader = NdjsonReader::new(Box::new(text.as_bytes())).unwrap();
        let header = reader.header().columns.clone();
        let mut out = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            out.push(row.map(|r| r.row).map_err(|r| r.to_string()));
        }
        (header, out)
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        let (header, rows) = rows("\n{\"b\":1,\"a\":2}\r\n  \n{\"a\":3}");
        assert_eq!(header, ["b", "a"]);
        assert_eq!(rows, [Ok(2), Ok(4)]);
    }

    #[test]
    fn the_header_comes_from_the_first_object_after_bad_lines() {
        let (header, rows) = rows("[1]\n{oops\n{\"x\":1}\n");
        assert_eq!(header, ["x"]);
        assert_eq!(
            rows,
            [
                Err("row 1: expected a JSON object, found an array".into()),
                Err("row 2: malformed JSON at column 2: key must be a string".into()),
                Ok(3)
            ]
        );
    }
}
