//! Scoring a CSV file on all cores: one thread splits the input into
//! chunks of whole records, workers parse and score chunks into output
//! bytes, and the caller's thread writes them back in input order.
//!
//! Input cells pass through as the exact bytes of the file; only the
//! fields the model reads are parsed. Each worker reuses its buffers, so
//! the hot path allocates nothing per row once warm. Chunk boundaries do
//! not depend on the number of threads, and neither does a byte of output.
//! A record the chunks could not take (longer than the row limit, or one
//! the file ends inside the quotes of) is one rejected row after its
//! chunk's records.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::thread;

use crossbeam_channel::{bounded, Receiver, Sender};

use super::binding::Binding;
use super::chunks::{Chunk, Chunks, CHUNK};
use super::core_record::{next_record, record_bytes, Fields};
use super::encode::{write_json_text, Encoder};
use super::format::Format;
use super::layout::Layout;
use super::limit::RowLimit;
use super::plain::{plain_line, unescape};
use super::reject::{quoted, Rejection};
use super::run::{Counts, StreamError};
use super::sink::Sink;
use crate::eval::{RowScorer, Scorer};
use crate::plan::Plan;

/// What the workers share.
pub struct CsvJob<'p> {
    pub plan: &'p Plan,
    pub binding: &'p Binding,
    pub scorer: Scorer<'p>,
    pub layout: &'p Layout,
    /// Output format: CSV (raw input bytes then outputs) or NDJSON.
    pub output: Format,
    pub delimiter: u8,
    pub threads: usize,
    /// The longest record scored (the chunks skip longer ones whole).
    pub limit: RowLimit,
}

/// Told how many input bytes and rows each chunk held, as chunks are
/// written (the command line draws a progress bar with it).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// One chunk's results, in input order.
struct Done {
    /// Input bytes of the chunk.
    bytes: u64,
    out: Vec<u8>,
    /// Rejections with row numbers counted from the chunk's start.
    rejects: Vec<Rejection>,
    rows: u64,
}

/// Score the CSV records that follow the header in `chunks`; write the
/// scored leads to `out` and rejected rows to `rejects`.
pub fn score_csv<R: Read + Send>(
    job: &CsvJob,
    mut chunks: Chunks<R>,
    out: &mut Sink,
    rejects: &mut Sink,
    progress: Progress,
) -> Result<Counts, StreamError> {
    let threads = job.threads.max(1);
    // One chunk waiting per worker, plus one: enough to keep the workers
    // busy, and memory bounded (a chunk is about 1 MB in, 1.3 MB out).
    let (chunk_tx, chunk_rx) = bounded::<(u64, Chunk)>(threads + 1);
    let (done_tx, done_rx) = bounded::<(u64, Done)>(threads + 1);
    // Used buffers go back to be filled again (input chunks to the reader,
    // written output to the workers): no allocation, page faults or
    // zeroing per chunk once warm. Bounded, and sent with `try_send`: a
    // buffer with no room is dropped, one missing is allocated.
    let (input_back, input_spare) = bounded::<Vec<u8>>(threads + 1);
    let (output_back, output_spare) = bounded::<Vec<u8>>(threads + 1);
    thread::scope(|scope| {
        let reader = scope.spawn(move || read_chunks(&mut chunks, &chunk_tx, &input_spare));
        for _ in 0..threads {
            let (rx, tx) = (chunk_rx.clone(), done_tx.clone());
            let back = Recycle {
                input: input_back.clone(),
                output: output_spare.clone(),
            };
            scope.spawn(move || work(job, &rx, &tx, &back));
        }
        drop((chunk_rx, done_tx, input_back, output_spare));
        let written = write_in_order(&done_rx, out, rejects, progress, &output_back);
        // Stop the reader and workers early if writing failed.
        drop(done_rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread failed")));
        let counts = written?;
        read.map_err(StreamError::Read)?;
        Ok(counts)
    })
}

fn read_chunks<R: Read>(
    chunks: &mut Chunks<R>,
    tx: &Sender<(u64, Chunk)>,
    spare: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let mut index = 0;
    loop {
        if chunks.wants_spare() {
            if let Ok(buf) = spare.try_recv() {
                chunks.recycle(buf);
            }
        }
        let Some(chunk) = chunks.next_chunk()? else {
            break;
        };
        if tx.send((index, chunk)).is_err() {
            return Ok(()); // the writer stopped; it reports why
        }
        index += 1;
    }
    Ok(())
}

/// A worker's ends of the channels that carry used buffers back.
struct Recycle {
    /// Input chunks' buffers, to the reader.
    input: Sender<Vec<u8>>,
    /// Written output buffers, from the writer.
    output: Receiver<Vec<u8>>,
}

fn work(job: &CsvJob, rx: &Receiver<(u64, Chunk)>, tx: &Sender<(u64, Done)>, back: &Recycle) {
    let mut worker = Worker::new(job);
    for (index, chunk) in rx {
        let out = back.output.try_recv().unwrap_or_default();
        let done = worker.chunk(&chunk, out);
        let _ = back.input.try_send(chunk.into_buffer());
        if tx.send((index, done)).is_err() {
            return;
        }
    }
}

/// Write finished chunks in input order, numbering rejected rows.
fn write_in_order(
    rx: &Receiver<(u64, Done)>,
    out: &mut Sink,
    rejects: &mut Sink,
    progress: Progress,
    back: &Sender<Vec<u8>>,
) -> Result<Counts, StreamError> {
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let (mut next, mut counts) = (0u64, Counts::default());
    for (index, done) in rx {
        pending.insert(index, done);
        while let Some(done) = pending.remove(&next) {
            out.write_all(&done.out).map_err(StreamError::Write)?;
            // A buffer grown far past a chunk's size (by a huge record)
            // is freed rather than kept, as the reader does with input.
            if done.out.capacity() <= CHUNK * 5 {
                let _ = back.try_send(done.out);
            }
            for mut rejection in done.rejects {
                rejection.row += counts.read;
                writeln!(rejects, "{rejection}").map_err(StreamError::Rejects)?;
                if rejection.note {
                    counts.noted += 1;
                } else {
                    counts.rejected += 1;
                }
            }
            counts.read += done.rows;
            progress(done.bytes, done.rows);
            next += 1;
        }
    }
    counts.scored = counts.read - counts.rejected;
    Ok(counts)
}

/// A worker's reusable state.
struct Worker<'j, 'p> {
    job: &'j CsvJob<'p>,
    /// csv_core's output: unescaped fields back to back, and their ends.
    fields: Fields,
    /// The fields of a simple line with a `""` inside quotes, unescaped.
    unescaped: Vec<u8>,
    /// Writes the outputs after the input cells.
    encoder: Encoder<'p>,
    /// The current record's fields: ranges of `fields` or of the line.
    spans: Vec<std::ops::Range<usize>>,
    /// Scores rows, remembering the cells that repeat.
    rows: RowScorer<'p>,
    /// The parser of the records that are not simple lines.
    parser: Option<csv_core::Reader>,
    /// Cells of the current row read as missing (`--bad-values missing`).
    notes: Vec<Rejection>,
    width: usize,
}

impl<'j, 'p> Worker<'j, 'p> {
    fn new(job: &'j CsvJob<'p>) -> Worker<'j, 'p> {
        Worker {
            job,
            fields: Fields::default(),
            unescaped: Vec::new(),
            encoder: Encoder::new(job.plan, job.layout, job.delimiter),
            spans: Vec::with_capacity(64),
            rows: RowScorer::new(&job.scorer),
            parser: None,
            notes: Vec::new(),
            width: job.layout.columns.len(),
        }
    }

    /// Parse, score and format every record of a chunk into `out` (a
    /// recycled buffer, or a new one); a bad record after them (one the
    /// chunks could not take) is one more row, rejected.
    fn chunk(&mut self, chunk: &Chunk, out: Vec<u8>) -> Done {
        let mut done = self.records_of(chunk.bytes(), out);
        done.bytes = chunk.input_bytes();
        if let Some(bad) = chunk.bad {
            done.rows += 1;
            let reason = bad.reason(self.job.limit);
            done.rejects.push(Rejection::row(done.rows, reason));
        }
        done
    }

    /// [`Worker::chunk`] for the chunk's records.
    fn records_of(&mut self, chunk: &[u8], out: Vec<u8>) -> Done {
        // Built once per worker (building one costs as much as scoring a
        // few dozen lines), reset per chunk.
        let delimiter = self.job.delimiter;
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
    fn records(&mut self, parser: &mut csv_core::Reader, chunk: &[u8], mut out: Vec<u8>) -> Done {
        // A recycled buffer too small would be copied as it grows: take a
        // new one, with room for the larger chunks too.
        let need = chunk.len() * 5 / 4;
        if out.capacity() < need {
            out = Vec::with_capacity(need.max(CHUNK * 5 / 2));
        }
        out.clear();
        let mut done = Done {
            bytes: u64::try_from(chunk.len()).unwrap_or(u64::MAX),
            out,
            rejects: Vec::new(),
            rows: 0,
        };
        // A non-ASCII delimiter could split a character: csv_core reads all.
        let plain = self.job.delimiter.is_ascii();
        // One UTF-8 check for the whole chunk (a quick pass over ASCII):
        // then a plain line's text is a slice of it. A chunk that fails
        // has its records checked one by one, to find the bad ones.
        let valid = std::str::from_utf8(chunk).ok();
        let mut pos = 0;
        loop {
            let rest = chunk.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                return done;
            }
            let found = plain
                .then(|| plain_line(rest, self.job.delimiter, &mut self.spans))
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
    fn escaped(&mut self, row: u64, raw: &[u8], out: &mut Vec<u8>) -> Result<(), Rejection> {
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
        out: &mut Vec<u8>,
    ) -> Result<(), Rejection> {
        if self.job.limit.exceeded_by(raw.len()) {
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
        let mut row = self.rows.begin();
        let binding = self.job.binding;
        binding.read_cells(number, valid, &self.spans, &mut row, &mut self.notes)?;
        let scored = row
            .finish()
            .map_err(|overflow| Rejection::row(number, overflow.reason(self.job.plan)))?;
        match self.job.output {
            Format::Csv => {
                out.extend_from_slice(raw);
                self.encoder.csv_outputs(scored, out);
            }
            Format::Ndjson => {
                write_ndjson_cells(&self.job.layout.columns, &self.spans, text, out);
                self.encoder.ndjson_outputs(scored, out);
            }
        }
        Ok(())
    }

    /// Field `i` of the current record, whose fields are in `text`.
    fn cell<'t>(&self, text: &'t [u8], i: usize) -> &'t [u8] {
        let range = self.spans.get(i).cloned().unwrap_or_default();
        text.get(range).unwrap_or_default()
    }

    #[cold]
    fn too_long(&self, row: u64) -> Rejection {
        Rejection::row(row, self.job.limit.reason())
    }

    #[cold]
    fn not_utf8(&self, row: u64, text: &[u8]) -> Rejection {
        let bad = (0..self.spans.len())
            .find(|i| std::str::from_utf8(self.cell(text, *i)).is_err())
            .unwrap_or(0);
        let shown = quoted(&String::from_utf8_lossy(self.cell(text, bad)));
        let column = self.job.layout.columns.get(bad).map_or("?", String::as_str);
        Rejection {
            value: Some(shown.clone()),
            ..Rejection::column(row, column, format!("{shown} is not valid UTF-8"))
        }
    }
}

/// An NDJSON object's input members: each column's name and its cell (the
/// record's fields, in `text` at `spans`) as JSON strings; the outputs
/// follow (see [`Encoder::ndjson_outputs`]).
fn write_ndjson_cells(columns: &[String], spans: &[Range<usize>], text: &[u8], out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json_text(out, columns.get(i).map_or("", String::as_str));
        out.push(b':');
        let cell = text.get(span.clone()).unwrap_or_default();
        write_json_text(out, std::str::from_utf8(cell).unwrap_or_default());
    }
}
