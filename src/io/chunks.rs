//! Splitting a CSV stream into large chunks of whole records, so chunks
//! can be parsed and scored on several cores and written back in order.
//!
//! A small state machine follows RFC 4180 quoting (the same rules as the
//! `csv` crate: a quote opens a quoted field only at the start of a field;
//! `""` inside one is a literal quote), so a newline inside a quoted field
//! never splits a record.

use std::io::{self, Read};

/// Bytes read from the input at a time, and the size chunks aim for.
pub const CHUNK: usize = 1 << 20;

/// Where the scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Outside quotes.
    Plain,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the field's end, or the
    /// first half of `""` (decided by the next byte).
    QuoteInQuoted,
}

/// Reads a CSV stream as chunks of whole records.
pub struct Chunks<R> {
    input: R,
    delimiter: u8,
    buf: Vec<u8>,
    /// How far `buf` has been scanned, and the state there.
    scanned: usize,
    state: State,
    /// The end of the last whole record seen in `buf`.
    last_end: usize,
    eof: bool,
}

impl<R: Read> Chunks<R> {
    /// Chunks of `input`, fields separated by `delimiter`.
    pub fn new(input: R, delimiter: u8) -> Chunks<R> {
        Chunks {
            input,
            delimiter,
            buf: Vec::with_capacity(CHUNK * 2),
            scanned: 0,
            state: State::Plain,
            last_end: 0,
            eof: false,
        }
    }

    /// The first record's bytes, line end included (the header row), or
    /// `None` for an empty input.
    pub fn first_record(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(end) = self.scan_until_first_end() {
                return Ok(Some(self.take(end)));
            }
            if self.eof {
                let rest = self.take(self.buf.len());
                return Ok((!rest.is_empty()).then_some(rest));
            }
            self.fill()?;
        }
    }

    /// The next chunk of whole records (the last one may lack its line
    /// end), or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            self.scan();
            if self.eof {
                let rest = self.take(self.buf.len());
                return Ok((!rest.is_empty()).then_some(rest));
            }
            if self.last_end >= CHUNK {
                return Ok(Some(self.take(self.last_end)));
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let start = self.buf.len();
        self.buf.resize(start + CHUNK, 0);
        let read = loop {
            match self
                .input
                .read(self.buf.get_mut(start..).unwrap_or_default())
            {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(start + read);
        self.eof = read == 0;
        Ok(())
    }

    /// Take `buf[..end]`, keeping the rest (already scanned) for later.
    fn take(&mut self, end: usize) -> Vec<u8> {
        let rest = self.buf.split_off(end.min(self.buf.len()));
        let taken = std::mem::replace(&mut self.buf, rest);
        self.buf.reserve(CHUNK * 2);
        self.scanned -= taken.len().min(self.scanned);
        self.last_end = 0;
        taken
    }

    /// Scan new bytes, remembering the end of the last whole record.
    fn scan(&mut self) {
        let start = self.scanned;
        self.scanned = self.buf.len();
        let bytes = self.buf.get(..self.scanned).unwrap_or_default();
        let (state, last) = scan(bytes, start, self.state, self.delimiter, false);
        self.state = state;
        if let Some(end) = last {
            self.last_end = end;
        }
    }

    /// Scan up to the end of the first record; its end offset if found.
    fn scan_until_first_end(&mut self) -> Option<usize> {
        let bytes = self.buf.get(..self.buf.len()).unwrap_or_default();
        let (state, end) = scan(bytes, self.scanned, self.state, self.delimiter, true);
        self.state = state;
        self.scanned = end.unwrap_or(self.buf.len());
        end
    }
}

/// Scan `bytes[from..]` in `state`: the state at the end, and the end
/// (just past its `\n`) of the last record found — of the first one when
/// `first_only`. Runs of ordinary bytes are skipped with `memchr`.
fn scan(
    bytes: &[u8],
    from: usize,
    mut state: State,
    delimiter: u8,
    first_only: bool,
) -> (State, Option<usize>) {
    let mut at = from;
    let mut last = None;
    while at < bytes.len() {
        let rest = bytes.get(at..).unwrap_or_default();
        match state {
            State::Quoted => match memchr::memchr(b'"', rest) {
                Some(i) => {
                    at += i + 1;
                    state = State::QuoteInQuoted;
                }
                None => return (State::Quoted, last),
            },
            State::QuoteInQuoted => {
                // `""` is a literal quote; anything else ends the field.
                state = if rest.first() == Some(&b'"') {
                    State::Quoted
                } else {
                    State::Plain
                };
                if state == State::Quoted {
                    at += 1;
                }
            }
            State::Plain => match memchr::memchr2(b'"', b'\n', rest) {
                Some(i) if rest.get(i) == Some(&b'\n') => {
                    at += i + 1;
                    last = Some(at);
                    if first_only {
                        return (State::Plain, last);
                    }
                }
                Some(i) => {
                    // A quote opens a quoted field only at a field's start.
                    let before = (at + i).checked_sub(1).and_then(|p| bytes.get(p)).copied();
                    let opens =
                        matches!(before, None | Some(b'\n' | b'\r')) || before == Some(delimiter);
                    at += i + 1;
                    if opens {
                        state = State::Quoted;
                    }
                }
                None => return (State::Plain, last),
            },
        }
    }
    (state, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<String> {
        let mut chunks = Chunks::new(text.as_bytes(), b',');
        let mut out = Vec::new();
        if let Some(first) = chunks.first_record().unwrap() {
            out.push(String::from_utf8(first).unwrap());
        }
        while let Some(chunk) = chunks.next_chunk().unwrap() {
            out.push(String::from_utf8(chunk).unwrap());
        }
        out
    }

    #[test]
    fn newlines_inside_quotes_never_split_a_record() {
        let text = "a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\n\"\n3,z";
        assert_eq!(
            records(text),
            ["a,b\n", "1,\"x\ny\"\n2,\"say \"\"hi\"\"\n\"\n3,z"]
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_literal() {
        let text = "h\nab\"c,\"q\nq\"\nd\n";
        let mut chunks = Chunks::new(text.as_bytes(), b',');
        assert_eq!(chunks.first_record().unwrap().unwrap(), b"h\n");
        assert_eq!(
            chunks.next_chunk().unwrap().unwrap(),
            b"ab\"c,\"q\nq\"\nd\n"
        );
        assert_eq!(chunks.next_chunk().unwrap(), None);
    }

    #[test]
    fn large_inputs_split_at_record_ends_and_lose_nothing() {
        let mut text = String::from("id,note\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i},\"line\none, two\"\r\n"));
        }
        let mut chunks = Chunks::new(text.as_bytes(), b',');
        let mut joined = chunks.first_record().unwrap().unwrap();
        let mut count = 0;
        while let Some(chunk) = chunks.next_chunk().unwrap() {
            assert!(chunk.ends_with(b"\"\r\n"), "a chunk ends inside a record");
            joined.extend_from_slice(&chunk);
            count += 1;
        }
        assert!(count > 1);
        assert_eq!(joined, text.as_bytes());
    }

    #[test]
    fn empty_and_header_only_inputs() {
        assert!(records("").is_empty());
        assert_eq!(records("a,b"), ["a,b"]);
        assert_eq!(records("a,b\n"), ["a,b\n"]);
    }
}
