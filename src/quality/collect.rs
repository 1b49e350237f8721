//! Scoring every row of a lead file for a statistic: each readable row's
//! record and outcome go to a visitor, unreadable rows are counted.

use std::io;

use crate::eval::{Outcome, Scorer};
use crate::io::{Binding, Reader, Record};

/// How many rows were read, used and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub used: u64,
    /// Rows `score` would reject, and rows the visitor refused (such as an
    /// unreadable outcome).
    pub unreadable: u64,
}

/// Score every row of `reader`; `visit` gets each scored record and its
/// outcome and returns `false` to leave the row out (counted unreadable).
/// `Err` only when the file cannot be read further.
pub fn each_scored(
    reader: &mut Reader,
    binding: &Binding,
    scorer: &Scorer,
    mut visit: impl FnMut(&Record, &Outcome) -> bool,
) -> io::Result<Counts> {
    let mut counts = Counts::default();
    while let Some(row) = reader.next_row()? {
        counts.read += 1;
        let scored = row.ok().and_then(|record| {
            let lead = binding.lead(&record).ok()?;
            Some((scorer.score(&lead), record))
        });
        match scored {
            Some((outcome, record)) if visit(&record, &outcome) => counts.used += 1,
            _ => counts.unreadable += 1,
        }
    }
    Ok(counts)
}
