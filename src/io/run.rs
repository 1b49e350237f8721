//! Scoring a stream: read a batch, score it, write it in input order.
//!
//! Scoring a batch is a pure function of its records, so the batch can be
//! scored in parallel later without changing a byte of output.

use std::io::{self, Write};

use super::binding::Binding;
use super::layout::Layout;
use super::read::{Reader, Record};
use super::reject::Rejection;
use super::sink::Sink;
use super::write::Writer;
use crate::eval::{RowScorer, Scorer, Scratch};
use crate::plan::Plan;

/// Rows per batch.
pub const BATCH: usize = 4096;

/// Input bytes per batch, about: a batch also ends once its rows took
/// this many bytes of the file, so 4096 rows of up to 16 MiB each
/// (`--max-row-bytes`) are never held together.
pub const BATCH_BYTES: u64 = 32 << 20;

/// How many rows were read, scored and rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub read: u64,
    pub scored: u64,
    pub rejected: u64,
    /// Cells read as missing because they could not be read
    /// (`--bad-values missing`); their rows are scored.
    pub noted: u64,
}

/// What scoring a lead file needs: the plan, its binding to the file's
/// header, and a scorer.
pub struct Job<'p> {
    pub plan: &'p Plan,
    pub binding: &'p Binding,
    pub scorer: Scorer<'p>,
    /// Rows read and scored together ([`BATCH`] unless a test says else);
    /// the output never depends on it.
    pub batch: usize,
}

/// Why scoring a stream stopped before its end.
#[derive(Debug)]
pub enum StreamError {
    /// The lead file could not be read further.
    Read(io::Error),
    /// The output could not be written.
    Write(io::Error),
    /// The rejects could not be written.
    Rejects(io::Error),
}

/// Score every row of `reader`, writing scored leads to `writer` and one
/// line per rejected row (`row N: REASON`) to `rejects`. Stops only when
/// the input ends or reading or writing fails.
pub fn score_stream(
    job: &Job,
    reader: &mut Reader,
    writer: &mut Writer,
    rejects: &mut Sink,
) -> Result<Counts, StreamError> {
    let mut counts = Counts::default();
    let mut rows = RowScorer::new(&job.scorer);
    let size = job.batch.max(1);
    let mut batch = Vec::with_capacity(size);
    loop {
        fill_batch(reader, &mut batch, size, BATCH_BYTES).map_err(StreamError::Read)?;
        if batch.is_empty() {
            return Ok(counts);
        }
        for row in batch.drain(..) {
            counts.read += 1;
            let mut notes = Vec::new();
            let scored = job.score(&mut rows, &row, writer.layout(), &mut notes);
            for note in notes {
                writeln!(rejects, "{note}").map_err(StreamError::Rejects)?;
                counts.noted += 1;
            }
            match (scored, row) {
                (Ok(scored), Ok(record)) => {
                    writer.write(&record, scored).map_err(StreamError::Write)?;
                    counts.scored += 1;
                }
                (Err(rejection), _) | (_, Err(rejection)) => {
                    writeln!(rejects, "{rejection}").map_err(StreamError::Rejects)?;
                    counts.rejected += 1;
                }
            }
        }
    }
}

/// Read rows into `batch` (empty) until it holds `size` rows, its rows
/// took `bytes` bytes of the file or the file ends.
fn fill_batch(
    reader: &mut Reader,
    batch: &mut Vec<Result<Record, Rejection>>,
    size: usize,
    bytes: u64,
) -> io::Result<()> {
    let start = reader.consumed();
    while batch.len() < size && reader.consumed() - start < bytes {
        match reader.next_row()? {
            Some(row) => batch.push(row),
            None => break,
        }
    }
    Ok(())
}

impl<'p> Job<'p> {
    /// Score one row with `rows`: the results, or why it is rejected.
    fn score<'r>(
        &self,
        rows: &'r mut RowScorer<'p>,
        row: &Result<Record, Rejection>,
        layout: &Layout,
        notes: &mut Vec<Rejection>,
    ) -> Result<&'r Scratch<'p>, Rejection> {
        let record = row.as_ref().map_err(Clone::clone)?;
        layout.admit(record)?;
        let mut row = rows.begin();
        self.binding.read_record(record, &mut row, notes)?;
        row.finish()
            .map_err(|overflow| Rejection::row(record.row, overflow.reason(self.plan)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::io::{Format, RowLimit};

    #[test]
    fn a_batch_ends_once_its_rows_took_the_bytes_allowed() {
        // 100 lines of 100 bytes (`\n` included).
        let line = format!("{{\"a\":\"{}\"}}\n", "x".repeat(91));
        assert_eq!(line.len(), 100);
        let input = std::io::Cursor::new(line.repeat(100).into_bytes());
        let mut reader =
            Reader::with_limit(Box::new(input), Format::Ndjson, b',', RowLimit::DEFAULT).unwrap();
        let mut batch = Vec::new();
        let mut sizes = Vec::new();
        loop {
            fill_batch(&mut reader, &mut batch, BATCH, 1000).unwrap();
            if batch.is_empty() {
                break;
            }
            sizes.push(batch.len());
            batch.clear();
        }
        // The first batch holds the line looked ahead to as well.
        assert_eq!(sizes.len(), 10, "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 100);
        assert!(sizes.iter().all(|n| (9..=11).contains(n)), "{sizes:?}");
    }
}
