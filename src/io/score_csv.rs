//! Scoring a CSV file on all cores (see [`walk`](super::walk)): each
//! worker scores its rows with a [`RowScorer`] and writes them, input bytes
//! then outputs, into its chunk's output buffer; the caller's thread
//! writes the buffers in input order.

use std::io::{Read, Write};
use std::ops::Range;

use super::binding::Binding;
use super::chunks::{Chunks, CHUNK};
use super::encode::{write_json_text, Encoder};
use super::format::Format;
use super::layout::Layout;
use super::limit::RowLimit;
use super::read::Header;
use super::reject::Rejection;
use super::run::{Counts, StreamError};
use super::sink::Sink;
use super::walk::{walk, Cells, RowHandler, Shape};
use crate::eval::{RowScorer, Scorer, Scratch};
use crate::id::FieldId;
use crate::plan::{FieldSpec, Plan};

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

/// Score the CSV records that follow the header in `chunks`; write the
/// scored leads to `out` and rejected rows to `rejects`.
pub fn score_csv<R: Read + Send>(
    job: &CsvJob,
    chunks: Chunks<R>,
    out: &mut Sink,
    rejects: &mut Sink,
    progress: Progress,
) -> Result<Counts, StreamError> {
    let shape = Shape {
        delimiter: job.delimiter,
        columns: &job.layout.columns,
        limit: job.limit,
        threads: job.threads,
    };
    let mut counts = Counts::default();
    let take = |done: super::walk::Done<Vec<u8>>| {
        out.write_all(&done.out).map_err(StreamError::Write)?;
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
        // A buffer grown far past a chunk's size (by a huge record) is
        // freed rather than kept, as the reader does with input.
        Ok((done.out.capacity() <= CHUNK * 5).then_some(done.out))
    };
    walk(&shape, chunks, || ScoreRows::new(job), take)?;
    counts.scored = counts.read - counts.rejected;
    Ok(counts)
}

/// A worker's scoring state.
struct ScoreRows<'j, 'p> {
    job: &'j CsvJob<'p>,
    /// Scores rows, remembering the cells that repeat.
    rows: RowScorer<'p>,
    /// Writes the outputs after the input cells.
    encoder: Encoder<'p>,
    /// Reads only the cells the ladder and tiers read: for rows whose
    /// score and groups the score-level account pass kept.
    light: Option<Binding>,
}

impl<'j, 'p> ScoreRows<'j, 'p> {
    fn new(job: &'j CsvJob<'p>) -> ScoreRows<'j, 'p> {
        let rows = RowScorer::new(&job.scorer);
        ScoreRows {
            job,
            light: light_binding(job, rows.ladder_fields()),
            rows,
            encoder: Encoder::new(job.plan, job.layout, job.delimiter),
        }
    }

    /// Score a row whose score and groups were kept (see
    /// [`ScoreRows::light`]) and write it; false if it must be scored in
    /// full.
    fn kept_row(&mut self, number: u64, raw: &[u8], cells: Cells, out: &mut Vec<u8>) -> bool {
        let Some(light) = &self.light else {
            return false;
        };
        if !self.rows.kept(number) {
            return false;
        }
        let mut row = self.rows.begin();
        row.number(number);
        // A kept row read every cell without a note in that pass.
        let notes = &mut Vec::new();
        if (light.read_cells(number, cells.text, cells.spans, &mut row, notes)).is_err() {
            return false;
        }
        let Some(scored) = row.finish_kept() else {
            return false;
        };
        encode(self.job, &self.encoder, scored, (raw, cells), out);
        true
    }
}

impl RowHandler for ScoreRows<'_, '_> {
    type Out = Vec<u8>;

    fn start(&mut self, out: &mut Vec<u8>, len: usize) {
        // A recycled buffer too small would be copied as it grows: take a
        // new one, with room for the larger chunks too.
        let need = len * 5 / 4;
        if out.capacity() < need {
            *out = Vec::with_capacity(need.max(CHUNK * 5 / 2));
        }
        out.clear();
    }

    fn at(&mut self, offset: u64) {
        // Each row's account is then read by index (accounts only).
        self.rows.chunk_at(offset);
    }

    #[inline]
    fn row(
        &mut self,
        number: u64,
        raw: &[u8],
        cells: Cells,
        out: &mut Vec<u8>,
        notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        if self.kept_row(number, raw, cells, out) {
            return Ok(());
        }
        let mut row = self.rows.begin();
        row.number(number);
        let binding = self.job.binding;
        binding.read_cells(number, cells.text, cells.spans, &mut row, notes)?;
        let scored = row
            .finish()
            .map_err(|overflow| Rejection::row(number, overflow.reason(self.job.plan)))?;
        encode(self.job, &self.encoder, scored, (raw, cells), out);
        Ok(())
    }
}

/// Write a scored row: its input (`raw` bytes, or its `cells` as NDJSON
/// members), then its outputs.
fn encode(
    job: &CsvJob,
    encoder: &Encoder,
    scored: &Scratch,
    input: (&[u8], Cells),
    out: &mut Vec<u8>,
) {
    let (raw, cells) = input;
    match job.output {
        Format::Csv => {
            out.extend_from_slice(raw);
            encoder.csv_outputs(scored, out);
        }
        Format::Ndjson => {
            let text = cells.text.as_bytes();
            write_ndjson_cells(&job.layout.columns, cells.spans, text, out);
            encoder.ndjson_outputs(scored, out);
        }
    }
}

/// The binding of a scoring pass's rows whose score and groups the
/// score-level account pass kept: only the fields the ladder and tiers
/// read (`fields`) have their cells read. None without score-level
/// account values, or when the reasons are written (they need the rules
/// that fired).
fn light_binding(job: &CsvJob, fields: &[FieldId]) -> Option<Binding> {
    let account = job.plan.account.as_ref()?;
    if !account.has_level(true) || job.layout.explain {
        return None;
    }
    let specs = job.plan.fields.enumerate().map(|(id, f)| FieldSpec {
        used: fields.contains(&id),
        required: false,
        ..f.clone()
    });
    let header = Header {
        format: Format::Csv,
        columns: job.layout.columns.clone(),
    };
    // Rejecting (the default): a cell that cannot be read sends the row
    // to the full path, which says why.
    Binding::of_fields(&specs.collect(), &header).ok()
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
