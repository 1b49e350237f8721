//! The NDJSON reader: one JSON object per line, blank lines skipped.
//!
//! NDJSON has no header row; the keys of the first object stand in for
//! one. To learn them the reader looks ahead to the first line that is an
//! object, keeping the rejections it meets on the way (at most
//! [`LOOKAHEAD`] lines, so memory stays bounded). A line longer than the
//! row limit is rejected and skipped as it is read, never held whole. An
//! object with a key twice is rejected: JSON leaves its meaning open, and
//! which value counts would be a guess.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead};

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::format::Format;
use super::limit::RowLimit;
use super::read::{Header, OpenError, Record, RowData};
use super::reject::Rejection;

/// How many lines the reader looks at to find the first object.
pub const LOOKAHEAD: usize = 4096;

/// Reads NDJSON lines.
pub struct NdjsonReader {
    input: Box<dyn BufRead + Send>,
    header: Header,
    line: Vec<u8>,
    line_number: u64,
    ahead: VecDeque<Result<Record, Rejection>>,
    limit: RowLimit,
    /// Bytes read from the input so far.
    consumed: u64,
}

impl NdjsonReader {
    /// Look ahead to the first object for the columns.
    pub fn new(input: Box<dyn BufRead + Send>, limit: RowLimit) -> Result<NdjsonReader, OpenError> {
        let mut reader = NdjsonReader {
            input,
            header: Header {
                format: Format::Ndjson,
                columns: Vec::new(),
            },
            line: Vec::new(),
            line_number: 0,
            ahead: VecDeque::new(),
            limit,
            consumed: 0,
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

    /// Bytes read from the input so far (lines looked ahead to included).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The next non-blank line as a record.
    pub fn next_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        match self.ahead.pop_front() {
            Some(row) => Ok(Some(row)),
            None => self.read_row(),
        }
    }

    fn read_row(&mut self) -> io::Result<Option<Result<Record, Rejection>>> {
        // Room for the longest line and its `\r\n`.
        let keep = self.limit.bytes().saturating_add(2);
        loop {
            self.line.clear();
            let (read, cut) = read_line(&mut *self.input, &mut self.line, keep)?;
            self.consumed += read as u64;
            if read == 0 {
                return Ok(None);
            }
            self.line_number += 1;
            let mut line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
            if self.line_number == 1 {
                // A UTF-8 byte order mark, as Windows tools write, is not
                // part of the first object (spec section 7).
                line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
            }
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if cut || self.limit.exceeded_by(line.len()) {
                let reason = self.limit.reason();
                return Ok(Some(Err(Rejection::row(self.line_number, reason))));
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(parse(self.line_number, line)));
            }
        }
    }
}

/// Read a line, its `\n` included, into `line`, keeping at most `keep`
/// bytes of it: the bytes the line took (0 at the end of the input), and
/// whether some were dropped.
fn read_line(
    input: &mut dyn BufRead,
    line: &mut Vec<u8>,
    keep: usize,
) -> io::Result<(usize, bool)> {
    let (mut read, mut cut) = (0, false);
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((read, cut));
        }
        let end = memchr::memchr(b'\n', available);
        let piece = available
            .get(..end.map_or(available.len(), |i| i + 1))
            .unwrap_or_default();
        let room = keep.saturating_sub(line.len());
        cut |= piece.len() > room;
        line.extend_from_slice(piece.get(..room.min(piece.len())).unwrap_or_default());
        let used = piece.len();
        input.consume(used);
        read += used;
        if end.is_some() {
            return Ok((read, cut));
        }
    }
}

/// One line as a record: it must be a JSON object, each key once.
fn parse(row: u64, line: &[u8]) -> Result<Record, Rejection> {
    match serde_json::from_slice::<Line>(line) {
        Ok(Line::Object(map)) => Ok(Record {
            row,
            data: RowData::Object(map),
        }),
        Ok(Line::Repeated(key)) => Err(Rejection::column(
            row,
            &key,
            "the key appears more than once in this object; keep one of them",
        )),
        Ok(Line::Other(kind)) => Err(Rejection::row(
            row,
            format!("expected a JSON object, found {kind}"),
        )),
        Err(error) => Err(Rejection::row(row, malformed(&error))),
    }
}

/// A line's JSON value: an object, with the first key it repeats, if it
/// does; anything else, by kind.
enum Line {
    Object(Map<String, Value>),
    Repeated(String),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Line {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Line, D::Error> {
        deserializer.deserialize_any(LineVisitor)
    }
}

/// Builds a [`Line`] (serde_json's own `Map` keeps the last of a key's
/// values and says nothing).
struct LineVisitor;

impl<'de> Visitor<'de> for LineVisitor {
    type Value = Line;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Line, A::Error> {
        let (mut map, mut repeated) = (Map::new(), None);
        while let Some(key) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            if map.contains_key(&key) {
                repeated.get_or_insert(key);
            } else {
                map.insert(key, value);
            }
        }
        Ok(repeated.map_or(Line::Object(map), Line::Repeated))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Line, A::Error> {
        while access.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Line::Other("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Line, E> {
        Ok(Line::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Line, E> {
        Ok(Line::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Line, E> {
        Ok(Line::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Line, E> {
        Ok(Line::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Line, E> {
        Ok(Line::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Line, E> {
        Ok(Line::Other("null"))
    }
}

/// serde_json's message without its "at line 1 column 5" (the line is
/// always 1: each line is parsed alone), with the column kept.
fn malformed(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text);
    format!("malformed JSON at column {}: {message}", error.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &'static str) -> (Vec<String>, Vec<Result<u64, String>>) {
        rows_with(text, RowLimit::DEFAULT)
    }

    fn rows_with(text: &str, limit: RowLimit) -> (Vec<String>, Vec<Result<u64, String>>) {
        let mut reader =
            NdjsonReader::new(Box::new(io::Cursor::new(text.as_bytes().to_vec())), limit).unwrap();
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

    #[test]
    fn a_line_past_the_limit_is_one_rejected_row_and_reading_goes_on() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let text = format!(
            "{{\"a\":1}}\n{long}\r\n{{\"a\":\"{}\"}}\n{{\"a\":2}}",
            "y".repeat(20)
        );
        let (header, rows) = rows_with(&text, RowLimit::new(30));
        assert_eq!(header, ["a"]);
        assert_eq!(
            rows,
            [
                Ok(1),
                Err(
                    "row 2: the row is longer than 30 bytes (--max-row-bytes raises the limit)"
                        .into()
                ),
                Ok(3),
                Ok(4)
            ]
        );
        // 30 bytes exactly, `\r\n` not counted, are within the limit.
        let line = format!("{{\"a\":\"{}\"}}", "z".repeat(22));
        assert_eq!(line.len(), 30);
        let (_, rows) = rows_with(&format!("{line}\r\n{line}"), RowLimit::new(30));
        assert_eq!(rows, [Ok(1), Ok(2)]);
    }

    #[test]
    fn an_object_with_a_key_twice_is_rejected_naming_the_key() {
        let (header, rows) =
            rows("{\"a\":1,\"b\":2,\"a\":3}\n{\"a\":1,\"b\":{\"c\":1,\"c\":2}}\n\"s\"\n");
        assert_eq!(header, ["a", "b"]);
        assert_eq!(
            rows,
            [
                Err("row 1: column \"a\": the key appears more than once in this object; keep one of them".into()),
                Ok(2),
                Err("row 3: expected a JSON object, found a string".into()),
            ]
        );
    }
}
