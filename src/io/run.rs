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
use super::write::{Reason, Writer};
use crate::eval::{output_values, Scorer, Scratch};
use crate::plan::Plan;
use crate::value::Value;

/// Rows per batch.
pub const BATCH: usize = 4096;

/// How many rows were read, scored and rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub read: u64,
    pub scored: u64,
    pub rejected: u64,
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

/// A record with its outputs.
struct Scored<'p> {
    record: Record,
    outputs: Vec<Option<Value>>,
    reasons: Vec<Reason<'p>>,
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
    let size = job.batch.max(1);
    let mut batch = Vec::with_capacity(size);
    loop {
        while batch.len() < size {
            match reader.next_row().map_err(StreamError::Read)? {
                Some(row) => batch.push(row),
                None => break,
            }
        }
        if batch.is_empty() {
            return Ok(counts);
        }
        let results: Vec<_> = batch
            .drain(..)
            .map(|row| job.score(row, writer.layout()))
            .collect();
        for result in results {
            counts.read += 1;
            match result {
                Ok(s) => {
                    writer
                        .write(&s.record, &s.outputs, &s.reasons)
                        .map_err(StreamError::Write)?;
                    counts.scored += 1;
                }
                Err(rejection) => {
                    writeln!(rejects, "{rejection}").map_err(StreamError::Rejects)?;
                    counts.rejected += 1;
                }
            }
        }
    }
}

impl<'p> Job<'p> {
    fn score(
        &self,
        row: Result<Record, Rejection>,
        layout: &Layout,
    ) -> Result<Scored<'p>, Rejection> {
        let record = row?;
        layout.admit(&record)?;
        let lead = self.binding.lead(&record)?;
        let mut scratch = Scratch::default();
        self.scorer.run(&lead, &mut scratch);
        if let Some(overflow) = scratch.overflow {
            return Err(Rejection::row(record.row, overflow.reason(self.plan)));
        }
        let outcome = scratch.outcome();
        let reasons = if layout.explain {
            let rules = &self.plan.rules;
            let reason = |f: &crate::eval::Fired| {
                rules.get(f.rule).map(|rule| Reason {
                    text: rule.reason.as_str(),
                    points: f.points,
                })
            };
            outcome.fired.iter().filter_map(reason).collect()
        } else {
            Vec::new()
        };
        Ok(Scored {
            outputs: output_values(self.plan, &outcome),
            reasons,
            record,
        })
    }
}
