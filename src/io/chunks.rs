//! Splitting a CSV stream into large chunks of whole records, so chunks
//! can be parsed and scored on several cores and written back in order.
//!
//! A small state machine follows RFC 4180 quoting (the same rules as the
//! `csv` crate: a quote opens a quoted field only at the start of a field;
//! `""` inside one is a literal quote), so a newline inside a quoted field
//! never splits a record.
//!
//! A record ends at a `\n`, a `\r\n` or a lone `\r` outside quotes, as
//! `csv_core` (and so `tally explain`) reads it. Two records cannot be
//! taken whole, and each becomes one [`Bad`] row after the chunk's
//! records: one longer than the [`RowLimit`] (its bytes are skipped as
//! they are read, never held) and one whose quoted field the input ends
//! inside.

use std::io::{self, Read};

use super::core_record::record_bytes;
use super::header_error::UnreadableHeader;
use super::limit::RowLimit;
use super::read::OpenError;

/// Bytes read from the input at a time, and the size chunks aim for.
pub const CHUNK: usize = 1 << 20;

/// The smallest chunks, near the input's end (see [`Chunks::size_hint`]).
const SMALLEST: usize = CHUNK / 16;

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

/// A record that is not in its chunk, though it counts as a row: it
/// comes right after the chunk's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Longer than the limit: its bytes were skipped.
    TooLong,
    /// The input ends inside one of its quoted fields.
    Unclosed,
}

impl Bad {
    /// Why the row is rejected.
    pub fn reason(self, limit: RowLimit) -> String {
        match self {
            Bad::TooLong => limit.reason(),
            Bad::Unclosed => "a quoted field is never closed (the file ends inside quotes); \
                              look for a stray `\"` in this row"
                .to_string(),
        }
    }
}

/// A chunk of whole records: the first `len` bytes of `buf`. The buffer
/// keeps its full initialized length (bytes past `len` are stale) so that,
/// handed back with [`Chunks::recycle`], it is read into again without
/// being zeroed or allocated anew.
#[derive(Debug)]
pub struct Chunk {
    buf: Vec<u8>,
    len: usize,
    /// A record after the chunk's records that could not be taken.
    pub bad: Option<Bad>,
    /// The input bytes of the bad record, which the chunk does not hold.
    pub skipped: u64,
}

impl Chunk {
    /// The chunk's records.
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The input bytes the chunk stands for: its records and a bad one.
    pub fn input_bytes(&self) -> u64 {
        u64::try_from(self.len)
            .unwrap_or(u64::MAX)
            .saturating_add(self.skipped)
    }

    /// The buffer, for [`Chunks::recycle`].
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads a CSV stream as chunks of whole records.
pub struct Chunks<R> {
    input: R,
    delimiter: u8,
    /// Read bytes are `buf[..filled]`; the rest of `buf` is initialized
    /// space for the next read (kept, so reads never zero memory again).
    buf: Vec<u8>,
    filled: usize,
    /// A used buffer handed back, to take the place of the next chunk's.
    spare: Option<Vec<u8>>,
    /// How far `buf` has been scanned, and the state there.
    scanned: usize,
    state: State,
    /// The end of the last whole record seen in `buf`.
    last_end: usize,
    eof: bool,
    /// Bytes of the input not read yet, if its size is known.
    left: Option<u64>,
    /// `scan_records`'s list of unquoted stretches, kept for its memory.
    stretches: Vec<(usize, usize)>,
    /// The longest record taken whole.
    limit: RowLimit,
}

impl<R: Read> Chunks<R> {
    /// Chunks of `input`, fields separated by `delimiter`.
    pub fn new(input: R, delimiter: u8) -> Chunks<R> {
        Chunks {
            input,
            delimiter,
            buf: Vec::with_capacity(CHUNK * 2),
            filled: 0,
            spare: None,
            scanned: 0,
            state: State::Plain,
            last_end: 0,
            eof: false,
            left: None,
            stretches: Vec::with_capacity(STRETCHES),
            limit: RowLimit::DEFAULT,
        }
    }

    /// Set the longest record taken whole (default [`RowLimit::DEFAULT`]).
    /// A longer one is skipped as it is read, and the chunk before it
    /// says so ([`Bad::TooLong`]); a longer header is an error.
    pub fn row_limit(mut self, limit: RowLimit) -> Chunks<R> {
        self.limit = limit;
        self
    }

    /// Tell how many bytes the input holds (a file's size): chunks then
    /// get smaller towards its end, down to [`SMALLEST`], so the workers
    /// finish together instead of all but one waiting for the last
    /// chunk. A wrong size changes only where chunks end.
    pub fn size_hint(mut self, size: Option<u64>) -> Chunks<R> {
        self.left = size;
        self
    }

    /// The size to aim the next chunk at: [`CHUNK`], or a sixteenth of
    /// what is left to read once that is smaller.
    fn target(&self) -> usize {
        let left = self
            .left
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        (left / 16).clamp(SMALLEST, CHUNK)
    }

    /// Hand back a chunk's buffer once its records are done with: the next
    /// chunk is read into it rather than into a new allocation. One is
    /// kept; a buffer grown far past the usual size (by a huge record) is
    /// dropped, so memory stays bounded.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        if self.spare.is_none() && buf.capacity() <= CHUNK * 4 {
            self.spare = Some(buf);
        }
    }

    /// Whether a handed-back buffer would be kept now.
    pub fn wants_spare(&self) -> bool {
        self.spare.is_none()
    }

    /// The first record's bytes, line end included (the header row), or
    /// `None` for an empty input. A header longer than the row limit is
    /// a header error, found without reading more than that.
    pub fn first_record(&mut self) -> Result<Option<Vec<u8>>, OpenError> {
        loop {
            if let Some(end) = self.scan_until_first_end() {
                let first = self.take_first(end);
                if self.limit.exceeded_by(record_bytes(&first).len()) {
                    return Err(self.header_too_long());
                }
                return Ok(Some(first));
            }
            if self.limit.exceeded_by(self.filled) {
                return Err(self.header_too_long());
            }
            if self.eof {
                let rest = self.take_first(self.filled);
                return Ok((!rest.is_empty()).then_some(rest));
            }
            self.fill(CHUNK)?;
        }
    }

    fn header_too_long(&self) -> OpenError {
        UnreadableHeader::TooLong { limit: self.limit }.into()
    }

    /// The next chunk of whole records (the last one may lack its line
    /// end), or `None` at the end of the input: the whole records among
    /// the first bytes read past the target size.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        loop {
            self.scan();
            if self.eof {
                return Ok(self.last_chunk());
            }
            // The record after the last end is already too long.
            if self.limit.exceeded_by(self.filled - self.last_end) {
                let mut chunk = self.take(self.last_end);
                let (bad, skipped) = self.skip_record()?;
                chunk.bad = Some(bad);
                chunk.skipped = skipped;
                return Ok(Some(chunk));
            }
            let target = self.target();
            if self.last_end > 0 && self.filled >= target {
                return Ok(Some(self.take(self.last_end)));
            }
            // Up to the target, or a megabyte more of a record that long.
            let want = match target.checked_sub(self.filled) {
                Some(short) if short > 0 => short,
                _ => CHUNK,
            };
            self.fill(want)?;
        }
    }

    /// The rest of the input, at its end: whole records, and a last one
    /// if the input ends inside its quotes, which is a [`Bad::Unclosed`]
    /// row rather than records `csv_core` would make up.
    fn last_chunk(&mut self) -> Option<Chunk> {
        if self.state != State::Quoted {
            let rest = self.take(self.filled);
            return (rest.len > 0).then_some(rest);
        }
        let mut chunk = self.take(self.last_end);
        chunk.bad = Some(Bad::Unclosed);
        chunk.skipped = self.filled as u64;
        self.forget();
        Some(chunk)
    }

    /// Drop what is left in the buffer, at the input's end.
    fn forget(&mut self) {
        self.filled = 0;
        self.scanned = 0;
        self.last_end = 0;
        self.state = State::Plain;
    }

    /// Skip the record at the start of `buf` (all of `buf`, scanned, is
    /// in it), reading on to its end a megabyte at a time: what kind of
    /// bad record it is, and how many bytes it took. The bytes after its
    /// end are kept as the start of the next chunk.
    fn skip_record(&mut self) -> io::Result<(Bad, u64)> {
        let mut skipped = 0u64;
        loop {
            let bytes = self.buf.get(..self.filled).unwrap_or_default();
            let (state, end) = scan(bytes, self.scanned, self.state, self.delimiter, true);
            self.state = state;
            if let Some(end) = end {
                skipped += end as u64;
                self.buf.copy_within(end..self.filled, 0);
                self.filled -= end;
                self.scanned = 0;
                self.last_end = 0;
                return Ok((Bad::TooLong, skipped));
            }
            if self.eof {
                skipped += self.filled as u64;
                let bad = match state {
                    State::Quoted => Bad::Unclosed,
                    _ => Bad::TooLong,
                };
                self.forget();
                return Ok((bad, skipped));
            }
            // Keep the last byte: whether a quote after it opens a quoted
            // field depends on it.
            let keep = self.filled.saturating_sub(1);
            skipped += keep as u64;
            self.buf.copy_within(keep..self.filled, 0);
            self.filled -= keep;
            self.scanned = self.filled;
            self.fill(CHUNK)?;
        }
    }

    /// Read up to `want` more bytes after `filled`. The buffer is grown
    /// (and zeroed) only when its initialized space is short, which a
    /// recycled buffer seldom is.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        let start = self.filled;
        if self.buf.len() < start + want {
            self.buf.resize(start + want, 0);
        }
        let read = loop {
            match self
                .input
                .read(self.buf.get_mut(start..start + want).unwrap_or_default())
            {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.filled = start + read.min(want);
        self.eof = read == 0;
        if let Some(left) = &mut self.left {
            *left = left.saturating_sub(read as u64);
        }
        Ok(())
    }

    /// Take `buf[..end]` as a chunk; the rest (already scanned) moves to
    /// the start of the spare buffer, or of a new one, which becomes `buf`.
    fn take(&mut self, end: usize) -> Chunk {
        let end = end.min(self.filled);
        let rest = self.buf.get(end..self.filled).unwrap_or_default();
        let mut next = match self.spare.take() {
            Some(spare) => spare,
            None => Vec::with_capacity((CHUNK * 2).max(rest.len() + CHUNK)),
        };
        if next.len() < rest.len() {
            next.resize(rest.len(), 0);
        }
        if let Some(head) = next.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        self.filled = rest.len();
        self.scanned -= end.min(self.scanned);
        self.last_end = 0;
        let buf = std::mem::replace(&mut self.buf, next);
        Chunk {
            buf,
            len: end,
            bad: None,
            skipped: 0,
        }
    }

    /// Copy out `buf[..end]` (the header) and move the rest to the front:
    /// the buffer stays here for the chunks.
    fn take_first(&mut self, end: usize) -> Vec<u8> {
        let end = end.min(self.filled);
        let first = self.buf.get(..end).unwrap_or_default().to_vec();
        self.buf.copy_within(end..self.filled, 0);
        self.filled -= end;
        self.scanned -= end.min(self.scanned);
        self.last_end = 0;
        first
    }

    /// Scan new bytes, remembering the end of the last whole record.
    fn scan(&mut self) {
        let start = self.scanned;
        self.scanned = self.filled;
        let bytes = self.buf.get(..self.scanned).unwrap_or_default();
        let (state, last) = scan_records(
            bytes,
            start,
            self.state,
            self.delimiter,
            &mut self.stretches,
        );
        self.state = state;
        if let Some(end) = last {
            self.last_end = end;
        }
    }

    /// Scan up to the end of the first record; its end offset if found.
    fn scan_until_first_end(&mut self) -> Option<usize> {
        let bytes = self.buf.get(..self.filled).unwrap_or_default();
        let (state, end) = scan(bytes, self.scanned, self.state, self.delimiter, true);
        self.state = state;
        self.scanned = end.unwrap_or(self.filled);
        end
    }
}

/// Unquoted stretches `scan_records` keeps before looking for a line end.
const STRETCHES: usize = 64;

/// Scan `bytes[from..]` in `state`: the state at the end, and the end
/// (just past its line end) of the last record found. As `scan` does, but
/// only quotes are sought going forward (one `memchr` per quote rather
/// than one per line too): a record ends at any line end outside quotes,
/// and only the last one is wanted, so the unquoted stretches are noted
/// and searched backward with `memrchr2`, newest first, a batch at a time
/// (the batch keeps memory bounded whatever the input).
fn scan_records(
    bytes: &[u8],
    from: usize,
    mut state: State,
    delimiter: u8,
    stretches: &mut Vec<(usize, usize)>,
) -> (State, Option<usize>) {
    let mut last = None;
    stretches.clear();
    let mut at = from;
    while at < bytes.len() {
        let rest = bytes.get(at..).unwrap_or_default();
        match state {
            State::Quoted | State::QuoteInQuoted => {
                let Some((next, used)) = in_quotes(state, rest) else {
                    break;
                };
                state = next;
                at += used;
            }
            State::Plain => {
                let quote = memchr::memchr(b'"', rest);
                if stretches.len() == STRETCHES {
                    last = last_line_end(bytes, stretches).or(last);
                    stretches.clear();
                }
                stretches.push((at, quote.map_or(bytes.len(), |i| at + i)));
                let Some(i) = quote else {
                    break;
                };
                if opens_field(bytes, at + i, delimiter) {
                    state = State::Quoted;
                }
                at += i + 1;
            }
        }
    }
    (state, last_line_end(bytes, stretches).or(last))
}

/// A step inside a quoted field, `rest` being what follows: the state
/// after it and the bytes it takes; `None` when the field's closing quote
/// is not in `rest`.
fn in_quotes(state: State, rest: &[u8]) -> Option<(State, usize)> {
    match state {
        State::Quoted => memchr::memchr(b'"', rest).map(|i| (State::QuoteInQuoted, i + 1)),
        // `""` is a literal quote; anything else ends the field.
        State::QuoteInQuoted if rest.first() == Some(&b'"') => Some((State::Quoted, 1)),
        State::QuoteInQuoted | State::Plain => Some((State::Plain, 0)),
    }
}

/// Whether `bytes`, read from the start of a record, end inside a quoted
/// field: a record the input ends in is then never closed.
pub fn ends_inside_quotes(bytes: &[u8], delimiter: u8) -> bool {
    scan(bytes, 0, State::Plain, delimiter, false).0 == State::Quoted
}

/// Whether the quote at `at` opens a quoted field: only at a field's start.
fn opens_field(bytes: &[u8], at: usize, delimiter: u8) -> bool {
    let before = at.checked_sub(1).and_then(|p| bytes.get(p)).copied();
    matches!(before, None | Some(b'\n' | b'\r')) || before == Some(delimiter)
}

/// The end (just past it) of the last record in the stretches of
/// `bytes`: after a `\n`, or after a `\r` that no `\n` follows (a
/// stretch ends at a quote or at the end of `bytes`, so a `\r` found
/// backward before a `\n` is a lone one). Lone `\r`s are rare, but
/// `memrchr2` costs no more here: the search stops at the last line end.
fn last_line_end(bytes: &[u8], stretches: &[(usize, usize)]) -> Option<usize> {
    stretches.iter().rev().find_map(|&(start, end)| {
        memchr::memrchr2(b'\n', b'\r', bytes.get(start..end)?).map(|i| start + i + 1)
    })
}

/// Scan `bytes[from..]` in `state`: the state at the end, and the end
/// (just past its line end: `\n`, `\r\n` or a lone `\r`) of the last
/// record found — of the first one when `first_only`. Runs of ordinary
/// bytes are skipped with `memchr`. A `\r` at the end of `bytes` ends a
/// record: a `\n` read after it is then a blank line, which `csv_core`
/// skips.
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
            State::Quoted | State::QuoteInQuoted => {
                let Some((next, used)) = in_quotes(state, rest) else {
                    return (state, last);
                };
                state = next;
                at += used;
            }
            State::Plain => match memchr::memchr3(b'"', b'\n', b'\r', rest) {
                Some(i) if rest.get(i) != Some(&b'"') => {
                    let crlf = rest.get(i..i + 2) == Some(b"\r\n");
                    at += i + if crlf { 2 } else { 1 };
                    last = Some(at);
                    if first_only {
                        return (State::Plain, last);
                    }
                }
                Some(i) => {
                    if opens_field(bytes, at + i, delimiter) {
                        state = State::Quoted;
                    }
                    at += i + 1;
                }
                None => return (State::Plain, last),
            },
        }
    }
    (state, last)
}

#[cfg(test)]
#[path = "chunks_tests.rs"]
mod tests;
