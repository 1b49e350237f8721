//! Scoring every row of a lead file for a statistic, with one model or
//! several: each row readable by all of them goes to a visitor with its
//! outcomes, in model order; the other rows are counted.

use std::io;

use crate::eval::{Lead, Outcome, Scorer};
use crate::io::{Binding, Reader, Record};

/// How many rows were read, used and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub used: u64,
    /// Rows `score` would reject (with any of the models), and rows the
    /// visitor refused (such as an unreadable outcome).
    pub unreadable: u64,
}

/// A model bound to the file's header, ready to score its rows.
pub struct Scoring<'a, 'p> {
    pub binding: &'a Binding,
    pub scorer: &'a Scorer<'p>,
}

/// A row as one model read and scored it.
pub struct Scored {
    pub lead: Lead,
    pub outcome: Outcome,
}

/// Score every row of `reader` with each model; `visit` gets the record
/// and what each model made of it, and returns `false` to leave the row
/// out (counted unreadable). `Err` only when the file cannot be read
/// further.
pub fn each_scored(
    reader: &mut Reader,
    models: &[Scoring],
    mut visit: impl FnMut(&Record, &[Scored]) -> bool,
) -> io::Result<Counts> {
    let mut counts = Counts::default();
    let mut scored = Vec::with_capacity(models.len());
    while let Some(row) = reader.next_row()? {
        counts.read += 1;
        scored.clear();
        let readable = row.ok().filter(|record| {
            models.iter().all(|model| match model.binding.lead(record) {
                Ok(lead) => {
                    let outcome = model.scorer.score(&lead);
                    scored.push(Scored { lead, outcome });
                    true
                }
                Err(_) => false,
            })
        });
        match readable {
            Some(record) if visit(&record, &scored) => counts.used += 1,
            _ => counts.unreadable += 1,
        }
    }
    Ok(counts)
}
