//! Scoring every row of a lead file for a statistic, with one model or
//! several: each row readable by all of them goes to a visitor with its
//! outcomes, in file order; the other rows are counted.
//!
//! The calling thread reads batches of rows and visits the results; worker
//! threads score the batches. At most a few batches are in flight, so
//! memory stays bounded, and the visitor sees the rows in file order
//! whatever the number of threads: results do not depend on it.

use std::collections::BTreeMap;
use std::io;
use std::thread;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};

use crate::eval::{Lead, Outcome, Scorer};
use crate::io::{Binding, Reader, Record, Rejection};

/// Rows scored together.
const BATCH: usize = 2048;

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

/// A row every model could read, with what each made of it; `None` for
/// a row some model rejects.
type Row = Option<(Record, Vec<Scored>)>;

/// Score every row of `reader` with each model; `visit` gets the record
/// and what each model made of it, in file order, and returns `false` to
/// leave the row out (counted unreadable). `Err` only when the file
/// cannot be read further.
pub fn each_scored(
    reader: &mut Reader,
    models: &[Scoring],
    mut visit: impl FnMut(&Record, &[Scored]) -> bool,
) -> io::Result<Counts> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    let (batches, to_score) = bounded::<(u64, Vec<Result<Record, Rejection>>)>(workers + 1);
    let (scored, results) = unbounded::<(u64, Vec<Row>)>();
    thread::scope(|scope| {
        for _ in 0..workers {
            let (to_score, scored) = (to_score.clone(), scored.clone());
            scope.spawn(move || score_batches(models, &to_score, &scored));
        }
        drop((to_score, scored));
        let mut order = InOrder::default();
        let mut counts = Counts::default();
        let mut visit_row = |row: Row| match row {
            Some((record, outcomes)) if visit(&record, &outcomes) => counts.used += 1,
            _ => counts.unreadable += 1,
        };
        let read = (|| {
            let mut sent = 0u64;
            loop {
                let batch = read_batch(reader)?;
                if batch.is_empty() {
                    break;
                }
                // Keep at most a few batches in flight: visit what is
                // done before reading more.
                while sent - order.next >= (workers as u64 + 2) {
                    order.wait(&results, &mut visit_row);
                }
                if batches.send((sent, batch)).is_err() {
                    break;
                }
                sent += 1;
            }
            drop(batches);
            while order.next < sent {
                if !order.wait(&results, &mut visit_row) {
                    break;
                }
            }
            Ok::<(), io::Error>(())
        })();
        read.map(|()| counts)
    })
    .map(|mut counts| {
        counts.read = counts.used + counts.unreadable;
        counts
    })
}

fn read_batch(reader: &mut Reader) -> io::Result<Vec<Result<Record, Rejection>>> {
    let mut batch = Vec::with_capacity(BATCH);
    while batch.len() < BATCH {
        match reader.next_row()? {
            Some(row) => batch.push(row),
            None => break,
        }
    }
    Ok(batch)
}

fn score_batches(
    models: &[Scoring],
    batches: &Receiver<(u64, Vec<Result<Record, Rejection>>)>,
    scored: &Sender<(u64, Vec<Row>)>,
) {
    for (number, batch) in batches {
        let rows = batch
            .into_iter()
            .map(|row| score_row(models, row.ok()?))
            .collect();
        if scored.send((number, rows)).is_err() {
            return;
        }
    }
}

fn score_row(models: &[Scoring], record: Record) -> Row {
    let mut outcomes = Vec::with_capacity(models.len());
    for model in models {
        let lead = model.binding.lead(&record).ok()?;
        let outcome = model.scorer.score(&lead);
        outcomes.push(Scored { lead, outcome });
    }
    Some((record, outcomes))
}

/// Scored batches put back in file order.
#[derive(Default)]
struct InOrder {
    next: u64,
    waiting: BTreeMap<u64, Vec<Row>>,
}

impl InOrder {
    /// Take one finished batch, and visit every batch now in order;
    /// `false` when no batch can come any more.
    fn wait(&mut self, results: &Receiver<(u64, Vec<Row>)>, visit: &mut impl FnMut(Row)) -> bool {
        let Ok((number, rows)) = results.recv() else {
            return false;
        };
        self.waiting.insert(number, rows);
        while let Some(rows) = self.waiting.remove(&self.next) {
            rows.into_iter().for_each(&mut *visit);
            self.next += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Format;

    /// Rows come to the visitor in file order, numbered in the file,
    /// across many chunks; rejected rows are counted, not visited.
    #[test]
    fn rows_are_visited_in_file_order_across_chunks() {
        let model =
            crate::compile_bytes("m.tally", b"fields { n: int }\nwhen n > 5 add 1\n".to_vec())
                .1
                .model
                .unwrap();
        let plan = crate::plan::compile(&model);
        let mut text = String::from("n,pad\n");
        for i in 0..200_000u32 {
            let n = if i % 1000 == 999 {
                "bad".to_string()
            } else {
                i.to_string()
            };
            text.push_str(&format!("{n},xxxxxxxxxx\n"));
        }
        let input: Box<dyn std::io::BufRead + Send> =
            Box::new(std::io::Cursor::new(text.into_bytes()));
        let mut reader = Reader::new(input, Format::Csv, b',').unwrap();
        let binding = Binding::new(&plan, reader.header()).unwrap();
        let scorer = Scorer::new(&plan, crate::value::Date::default());
        let scoring = [Scoring {
            binding: &binding,
            scorer: &scorer,
        }];
        let mut seen = Vec::new();
        let counts = each_scored(&mut reader, &scoring, |record, scored| {
            seen.push((record.row, scored.first().map(|s| s.outcome.score)));
            true
        })
        .unwrap();
        assert_eq!(
            (counts.read, counts.used, counts.unreadable),
            (200_000, 199_800, 200)
        );
        let rows: Vec<u64> = seen.iter().map(|s| s.0).collect();
        let want: Vec<u64> = (1..=200_000u64).filter(|r| r % 1000 != 0).collect();
        assert_eq!(rows, want);
        assert_eq!(seen[6].1, Some(crate::value::Decimal::ONE)); // row 7: n = 6
    }
}
