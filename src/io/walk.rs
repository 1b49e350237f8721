//! Walking a CSV file's rows on all cores: one thread splits the input
//! into chunks of whole records, workers split each chunk's records into
//! cells and hand every row to a [`RowHandler`], and the caller's thread
//! takes each chunk's results back in input order.
//!
//! This is the one CSV reading path: `score` writes scored rows with it
//! (src/io/score_csv.rs), and the model-quality commands collect scored
//! leads with it (src/quality/collect.rs); a pass over the leads before
//! scoring (accounts) is one more handler. Chunk boundaries do not depend
//! on the number of threads, and neither does a byte of any result. A
//! record the chunks could not take (longer than the row limit, or one
//! the file ends inside the quotes of) is one rejected row after its
//! chunk's records. Each worker reuses its buffers, so the hot path
//! allocates nothing per row once warm.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::ops::Range;
use std::thread;

use crossbeam_channel::{bounded, Receiver, Sender};

use super::chunks::{Chunk, Chunks};
use super::core_record::{next_record, record_bytes, Fields};
use super::limit::RowLimit;
use super::plain::{plain_line, unescape};
use super::reject::{quoted, Rejection};
use super::run::StreamError;

/// What a worker does with each row of a chunk.
pub trait RowHandler {
    /// A chunk's results (reused from chunk to chunk when it comes back).
    type Out: Default + Send;

    /// Make `out` ready for a chunk of `len` input bytes.
    fn start(&mut self, out: &mut Self::Out, len: usize);

    /// The next chunk begins at byte `offset` of the records (0 is the
    /// first byte after the header); called before `start`. A pass that
    /// recorded something per row by its number (the accounts' first
    /// pass) finds the chunk's first row by it; others need not know.
    fn at(&mut self, offset: u64) {
        let _ = offset;
    }

    /// The chunk's last row was given: a handler that holds rows back (to
    /// work on them in batches) finishes them now.
    fn end(&mut self, out: &mut Self::Out) {
        let _ = out;
    }

    /// One row: `number` counted from the chunk's start, `raw` its bytes in
    /// the file (line end dropped), `cells` its fields (valid UTF-8, as
    /// many as the header has). Cells read as missing go to `notes`.
    fn row(
        &mut self,
        number: u64,
        raw: &[u8],
        cells: Cells,
        out: &mut Self::Out,
        notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection>;
}

/// One row's fields: field `i` is `text[spans[i]]`.
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    pub text: &'a str,
    pub spans: &'a [Range<usize>],
}

impl<'a> Cells<'a> {
    /// Field `i` (empty past the last).
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        let span = self.spans.get(i).cloned().unwrap_or_default();
        self.text.get(span).unwrap_or_default()
    }
}

/// How a file is split into rows.
#[derive(Debug, Clone)]
pub struct Shape<'a> {
    pub delimiter: u8,
    /// The header's columns: every row must have as many fields.
    pub columns: &'a [String],
    /// The longest record read (the chunks skip longer ones whole).
    pub limit: RowLimit,
    pub threads: usize,
}

/// One chunk's results, in input order.
pub struct Done<O> {
    /// Input bytes of the chunk.
    pub bytes: u64,
    /// Where the chunk began (see [`RowHandler::at`]).
    pub start: u64,
    pub out: O,
    /// Rejections with row numbers counted from the chunk's start.
    pub rejects: Vec<Rejection>,
    pub rows: u64,
}

/// Walk the CSV records that follow the header in `chunks`: each worker
/// has a handler from `handler`; `take` gets every chunk's results in
/// input order (and returns the `out` to reuse, if any), and stops the
/// walk by returning an error. The workers' handlers come back at the
/// end, with whatever they gathered across chunks (a pass that builds
/// per-worker state, as the events pass does, merges them).
pub fn walk<R, H, M, T>(
    shape: &Shape,
    mut chunks: Chunks<R>,
    handler: M,
    mut take: T,
) -> Result<Vec<H>, StreamError>
where
    R: Read + Send,
    H: RowHandler + Send,
    M: Fn() -> H + Sync,
    T: FnMut(Done<H::Out>) -> Result<Option<H::Out>, StreamError>,
{
    let threads = shape.threads.max(1);
    // One chunk waiting per worker, plus one: enough to keep the workers
    // busy, and memory bounded (a chunk is about 1 MB in, 1.3 MB out).
    let (chunk_tx, chunk_rx) = bounded::<(u64, u64, Chunk)>(threads + 1);
    let (done_tx, done_rx) = bounded::<(u64, Done<H::Out>)>(threads + 1);
    // Used buffers go back to be filled again (input chunks to the reader,
    // results to the workers): no allocation, page faults or zeroing per
    // chunk once warm. Bounded, and sent with `try_send`: a buffer with no
    // room is dropped, one missing is allocated.
    let (input_back, input_spare) = bounded::<Vec<u8>>(threads + 1);
    let (output_back, output_spare) = bounded::<H::Out>(threads + 1);
    thread::scope(|scope| {
        let reader = scope.spawn(move || read_chunks(&mut chunks, &chunk_tx, &input_spare));
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (rx, tx) = (chunk_rx.clone(), done_tx.clone());
            let back = Recycle {
                input: input_back.clone(),
                output: output_spare.clone(),
            };
            let handler = &handler;
            workers.push(scope.spawn(move || {
                let mut worker = Worker::new(shape, handler());
                worker.work(&rx, &tx, &back);
                worker.handler
            }));
        }
        drop((chunk_rx, done_tx, input_back, output_spare));
        let taken = in_order(&done_rx, &mut take, &output_back);
        // Stop the reader and workers early if taking failed.
        drop(done_rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread failed")));
        taken?;
        read.map_err(StreamError::Read)?;
        let handlers = workers.into_iter().map(|w| w.join());
        let handlers: Result<Vec<H>, _> = handlers.collect();
        handlers.map_err(|_| StreamError::Read(io::Error::other("a worker thread failed")))
    })
}

fn read_chunks<R: Read>(
    chunks: &mut Chunks<R>,
    tx: &Sender<(u64, u64, Chunk)>,
    spare: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let (mut index, mut offset) = (0, 0u64);
    loop {
        if chunks.wants_spare() {
            if let Ok(buf) = spare.try_recv() {
                chunks.recycle(buf);
            }
        }
        let Some(chunk) = chunks.next_chunk()? else {
            break;
        };
        let bytes = chunk.input_bytes();
        if tx.send((index, offset, chunk)).is_err() {
            return Ok(()); // the writer stopped; it reports why
        }
        index += 1;
        offset = offset.saturating_add(bytes);
    }
    Ok(())
}

/// A worker's ends of the channels that carry used buffers back.
struct Recycle<O> {
    /// Input chunks' buffers, to the reader.
    input: Sender<Vec<u8>>,
    /// Results taken, from the caller's thread.
    output: Receiver<O>,
}

/// Hand finished chunks to `take` in input order.
fn in_order<O, T>(
    rx: &Receiver<(u64, Done<O>)>,
    take: &mut T,
    back: &Sender<O>,
) -> Result<(), StreamError>
where
    T: FnMut(Done<O>) -> Result<Option<O>, StreamError>,
{
    let mut pending: BTreeMap<u64, Done<O>> = BTreeMap::new();
    let mut next = 0u64;
    for (index, done) in rx {
        pending.insert(index, done);
        while let Some(done) = pending.remove(&next) {
            if let Some(out) = take(done)? {
                let _ = back.try_send(out);
            }
            next += 1;
        }
    }
    Ok(())
}

/// A worker's reusable state.
struct Worker<'s, H> {
    shape: &'s Shape<'s>,
    handler: H,
    /// csv_core's output: unescaped fields back to back, and their ends.
    fields: Fields,
    /// The fields of a simple line with a `""` inside quotes, unescaped.
    unescaped: Vec<u8>,
    /// The current record's fields: ranges of `fields` or of the line.
    spans: Vec<std::ops::Range<usize>>,
    /// The parser of the records that are not simple lines.
    parser: Option<csv_core::Reader>,
    /// Cells of the current row read as missing (`--bad-values missing`).
    notes: Vec<Rejection>,
    width: usize,
}

impl<'s, H: RowHandler> Worker<'s, H> {
    fn new(shape: &'s Shape<'s>, handler: H) -> Worker<'s, H> {
        Worker {
            shape,
            handler,
            fields: Fields::default(),
            unescaped: Vec::new(),
            spans: Vec::with_capacity(64),
            parser: None,
            notes: Vec::new(),
            width: shape.columns.len(),
        }
    }

    fn work(
        &mut self,
        rx: &Receiver<(u64, u64, Chunk)>,
        tx: &Sender<(u64, Done<H::Out>)>,
        back: &Recycle<H::Out>,
    ) {
        for (index, offset, chunk) in rx {
            let out = back.output.try_recv().unwrap_or_default();
            self.handler.at(offset);
            let mut done = self.chunk(&chunk, out);
            done.start = offset;
            let _ = back.input.try_send(chunk.into_buffer());
            if tx.send((index, done)).is_err() {
                return;
            }
        }
    }

    /// Parse, score and format every record of a chunk into `out` (a
    /// recycled buffer, or a new one); a bad record after them (one the
    /// chunks could not take) is one more row, rejected.
    fn chunk(&mut self, chunk: &Chunk, out: H::Out) -> Done<H::Out> {
        let mut done = self.records_of(chunk.bytes(), out);
        done.bytes = chunk.input_bytes();
        if let Some(bad) = chunk.bad {
            done.rows += 1;
            let reason = bad.reason(self.shape.limit);
            done.rejects.push(Rejection::row(done.rows, reason));
        }
        done
    }

    /// [`Worker::chunk`] for the chunk's records.
    fn records_of(&mut self, chunk: &[u8], out: H::Out) -> Done<H::Out> {
        // Built once per worker (building one costs as much as scoring a
        // few dozen lines), reset per chunk.
        let delimiter = self.shape.delimiter;
        let mut parser = self
            .parser
            .take()
            .unwrap_or_else(|| csv_core::ReaderBuilder::new().delimiter(delimiter).build());
        parser.reset();
        let done = self.records(&mut parser, chunk, out);
        self.parser = Some(parser);
        done
    }

    /// [`Worker::chunk`] with its `csv_core` parser.
    fn records(
        &mut self,
        parser: &mut csv_core::Reader,
        chunk: &[u8],
        mut out: H::Out,
    ) -> Done<H::Out> {
        self.handler.start(&mut out, chunk.len());
        let mut done = Done {
            bytes: u64::try_from(chunk.len()).unwrap_or(u64::MAX),
            start: 0,
            out,
            rejects: Vec::new(),
            rows: 0,
        };
        // A non-ASCII delimiter could split a character: csv_core reads all.
        let plain = self.shape.delimiter.is_ascii();
        // One UTF-8 check for the whole chunk (a quick pass over ASCII):
        // then a plain line's text is a slice of it. A chunk that fails
        // has its records checked one by one, to find the bad ones.
        let valid = std::str::from_utf8(chunk).ok();
        let mut pos = 0;
        loop {
            let rest = chunk.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                self.handler.end(&mut done.out);
                return done;
            }
            let found = plain
                .then(|| plain_line(rest, self.shape.delimiter, &mut self.spans))
                .flatten();
            let result = if let Some(line) = found {
                pos += line.used;
                done.rows += 1;
                let raw = rest.get(..line.len).unwrap_or_default();
                if line.escaped {
                    self.escaped(done.rows, raw, &mut done.out)
                } else {
                    let start = pos - line.used;
                    let checked = valid.and_then(|v| v.get(start..start + line.len));
                    self.record(done.rows, raw, raw, checked, &mut done.out)
                }
            } else {
                let Some(raw_len) = self.next_record(parser, rest) else {
                    self.handler.end(&mut done.out);
                    return done;
                };
                pos += raw_len;
                let raw = record_bytes(rest.get(..raw_len).unwrap_or_default());
                done.rows += 1;
                let fields = std::mem::take(&mut self.fields);
                let result = self.record(done.rows, raw, &fields.bytes, None, &mut done.out);
                self.fields = fields;
                result
            };
            // Notes first: they are about cells of the row, which may
            // still be rejected for something else.
            done.rejects.append(&mut self.notes);
            if let Err(rejection) = result {
                done.rejects.push(rejection);
            }
        }
    }

    /// The next record's raw length, its unescaped fields left in
    /// `self.fields` and their ranges in `self.spans`; `None` at the end of
    /// the chunk.
    #[inline(never)] // the rare record: kept out of the simple lines' code
    fn next_record(&mut self, parser: &mut csv_core::Reader, input: &[u8]) -> Option<usize> {
        next_record(parser, input, &mut self.fields, &mut self.spans)
    }

    /// [`Worker::record`] for a simple line with a `""` in a quoted field:
    /// its fields unescaped into `self.unescaped` first.
    #[inline(never)] // the rarer line: kept out of the simple lines' code
    fn escaped(&mut self, row: u64, raw: &[u8], out: &mut H::Out) -> Result<(), Rejection> {
        let mut fields = std::mem::take(&mut self.unescaped);
        unescape(raw, &mut self.spans, &mut fields);
        let result = self.record(row, raw, &fields, None, out);
        self.unescaped = fields;
        result
    }

    /// Check, read, score and write one record: `raw` is its bytes in the
    /// file (line end dropped), `text` holds its fields at `self.spans`;
    /// `checked` is `text` as a `&str` when it is known to be UTF-8.
    fn record(
        &mut self,
        number: u64,
        raw: &[u8],
        text: &[u8],
        checked: Option<&str>,
        out: &mut H::Out,
    ) -> Result<(), Rejection> {
        if self.shape.limit.exceeded_by(raw.len()) {
            return Err(self.too_long(number));
        }
        let nfields = self.spans.len();
        if nfields != self.width {
            return Err(Rejection::row(
                number,
                format!("expected {} fields, found {nfields}", self.width),
            ));
        }
        // The fields' text is checked together, unless the caller did; a
        // field is then a slice of it, which `str::get` checks falls on
        // character boundaries (a character split across two fields is
        // caught there).
        let end = self.spans.last().map_or(0, |r| r.end);
        let valid = match checked {
            Some(valid) => valid,
            None => match std::str::from_utf8(text.get(..end).unwrap_or_default()) {
                Ok(valid) => valid,
                Err(_) => return Err(self.not_utf8(number, text)),
            },
        };
        let spans = &self.spans;
        let cell = |i: usize| spans.get(i).and_then(|r| valid.get(r.clone()));
        // A simple line's fields (`checked`) begin and end next to ASCII
        // bytes (a delimiter, a quote, the line's ends) of text that is
        // UTF-8: on character boundaries, with no need to look. Fields
        // csv_core unescaped may not be (a non-ASCII delimiter byte).
        debug_assert!(checked.is_none() || (0..nfields).all(|i| cell(i).is_some()));
        if checked.is_none() && (0..nfields).any(|i| cell(i).is_none()) {
            return Err(self.not_utf8(number, text));
        }
        let cells = Cells {
            text: valid,
            spans: &self.spans,
        };
        self.handler.row(number, raw, cells, out, &mut self.notes)?;
        Ok(())
    }

    /// Field `i` of the current record, whose fields are in `text`.
    fn cell<'t>(&self, text: &'t [u8], i: usize) -> &'t [u8] {
        let range = self.spans.get(i).cloned().unwrap_or_default();
        text.get(range).unwrap_or_default()
    }

    #[cold]
    fn too_long(&self, row: u64) -> Rejection {
        Rejection::row(row, self.shape.limit.reason())
    }

    #[cold]
    fn not_utf8(&self, row: u64, text: &[u8]) -> Rejection {
        let bad = (0..self.spans.len())
            .find(|i| std::str::from_utf8(self.cell(text, *i)).is_err())
            .unwrap_or(0);
        let shown = quoted(&String::from_utf8_lossy(self.cell(text, bad)));
        let column = self.shape.columns.get(bad).map_or("?", String::as_str);
        Rejection {
            value: Some(shown.clone()),
            ..Rejection::column(row, column, format!("{shown} is not valid UTF-8"))
        }
    }
}
