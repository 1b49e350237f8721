//! Scoring every row of a lead file for a statistic, with one model or
//! several: each row readable by all of them goes to a visitor with its
//! outcomes, in file order; the other rows are counted.
//!
//! CSV is read as `score` reads it ([`io::walk`]): worker threads split
//! chunks of the file into rows and score them, and the calling thread
//! visits each chunk's rows in file order. NDJSON (or a reader that was
//! read from already) goes row by row: the calling thread reads batches
//! of rows and visits the results; worker threads score the batches.
//! Either way at most a few chunks or batches are in flight, so memory
//! stays bounded, and the visitor sees the rows in file order whatever the
//! number of threads: results do not depend on it.

use std::collections::BTreeMap;
use std::thread;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};

use super::Column;
use crate::eval::{Lead, Outcome, RowScorer, Scorer};
use crate::io::{
    self, Binding, Cells, CsvWalk, Reader, Record, Rejection, RowData, RowHandler, Shape,
    StreamError,
};

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
    /// Whether each row's field values are kept in [`Scored::lead`] (the
    /// report samples them); else it is empty, and CSV rows are read and
    /// scored on all cores through the memo, as `score` scores them.
    pub leads: bool,
}

/// A row as one model read and scored it.
pub struct Scored {
    /// The row's field values, if [`Scoring::leads`] asked for them.
    pub lead: Lead,
    pub outcome: Outcome,
}

/// A row every model could read, with what each made of it; `None` for
/// a row some model rejects.
type Row = Option<(Record, Vec<Scored>)>;

/// Score every row of `reader` with each model; `visit` gets the record
/// and what each model made of it, in file order, and returns `false` to
/// leave the row out (counted unreadable). A CSV record carries only the
/// cells of `columns`, the ones `visit` reads (the others are empty: not
/// copying them is most of the work saved). `Err` only when the file
/// cannot be read further.
pub fn each_scored(
    reader: Reader,
    models: &[Scoring],
    columns: &[&Column],
    visit: impl FnMut(&Record, &[Scored]) -> bool,
) -> std::io::Result<Counts> {
    // The report keeps lead values: its rows go the batch way, which was
    // faster for it (see docs/performance.md).
    if models.iter().any(|m| m.leads) {
        let mut reader = reader;
        return batches_scored(&mut reader, models, visit);
    }
    match reader.into_walk() {
        Ok(csv) => {
            let kept: Vec<usize> = columns.iter().map(|c| c.position()).collect();
            walk_scored(csv, models, &kept, visit)
        }
        Err(mut reader) => batches_scored(&mut reader, models, visit),
    }
}

/// [`each_scored`] for CSV, on all cores.
fn walk_scored(
    csv: CsvWalk,
    models: &[Scoring],
    kept: &[usize],
    mut visit: impl FnMut(&Record, &[Scored]) -> bool,
) -> std::io::Result<Counts> {
    let shape = Shape {
        delimiter: csv.delimiter,
        columns: &csv.columns,
        limit: csv.limit,
        threads: thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut counts = Counts::default();
    let mut base = 0;
    let take = |mut done: io::Done<Vec<Row>>| {
        counts.unreadable += done.rejects.iter().filter(|r| !r.note).count() as u64;
        for row in &mut done.out {
            let Some((record, outcomes)) = row else {
                counts.unreadable += 1;
                continue;
            };
            record.row += base;
            if visit(record, outcomes) {
                counts.used += 1;
            } else {
                counts.unreadable += 1;
            }
        }
        base += done.rows;
        // Back to a worker, whose `start` drops the rows: memory is freed
        // by the thread that allocated it (freeing another thread's rows
        // here made `report` a third slower).
        Ok(Some(done.out))
    };
    let handler = || ScoreModels {
        models,
        kept,
        rows: models.iter().map(|m| RowScorer::new(m.scorer)).collect(),
        notes: Vec::new(),
    };
    match io::walk(&shape, csv.chunks, handler, take) {
        Ok(_) => {}
        Err(StreamError::Read(e) | StreamError::Write(e) | StreamError::Rejects(e)) => {
            return Err(e)
        }
    }
    counts.read = counts.used + counts.unreadable;
    Ok(counts)
}

/// A worker's part of [`walk_scored`]: each row read and scored by every
/// model (`None`: some model rejects it).
struct ScoreModels<'m, 'a, 'p> {
    models: &'m [Scoring<'a, 'p>],
    /// The cells the visitor reads (see [`each_scored`]).
    kept: &'m [usize],
    /// Per model, the worker's row scorer.
    rows: Vec<RowScorer<'p>>,
    /// Cells read as missing (kept by no one: a quality command reads the
    /// file with the default `--bad-values reject`).
    notes: Vec<Rejection>,
}

impl ScoreModels<'_, '_, '_> {
    /// Score row `number` with every model; `None` if one rejects it.
    fn score(&mut self, number: u64, cells: Cells, record: Record) -> Row {
        let mut outcomes = Vec::with_capacity(self.models.len());
        for (model, rows) in self.models.iter().zip(&mut self.rows) {
            let mut row = rows.begin();
            let binding = model.binding;
            let read =
                binding.read_cells(number, cells.text, cells.spans, &mut row, &mut self.notes);
            self.notes.clear();
            read.ok()?;
            let outcome = row.finish().ok()?.outcome();
            let lead = match model.leads {
                true => binding.lead(&record).ok()?,
                false => Lead::default(),
            };
            outcomes.push(Scored { lead, outcome });
        }
        Some((record, outcomes))
    }
}

impl RowHandler for ScoreModels<'_, '_, '_> {
    type Out = Vec<Row>;

    fn start(&mut self, out: &mut Vec<Row>, _len: usize) {
        out.clear();
    }

    fn row(
        &mut self,
        number: u64,
        _raw: &[u8],
        cells: Cells,
        out: &mut Vec<Row>,
        _notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        let kept = |i: &usize| self.kept.contains(i);
        let texts = (0..cells.spans.len()).map(|i| match kept(&i) {
            true => cells.get(i).to_string(),
            false => String::new(),
        });
        let record = Record {
            row: number,
            data: RowData::Cells(texts.collect()),
        };
        out.push(self.score(number, cells, record));
        Ok(())
    }
}

/// [`each_scored`] row by row (NDJSON).
fn batches_scored(
    reader: &mut Reader,
    models: &[Scoring],
    mut visit: impl FnMut(&Record, &[Scored]) -> bool,
) -> std::io::Result<Counts> {
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
            Ok::<(), std::io::Error>(())
        })();
        read.map(|()| counts)
    })
    .map(|mut counts| {
        counts.read = counts.used + counts.unreadable;
        counts
    })
}

fn read_batch(reader: &mut Reader) -> std::io::Result<Vec<Result<Record, Rejection>>> {
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
    /// across many chunks (CSV, on all cores) or batches (NDJSON); rejected
    /// rows (an unreadable cell, a short record) are counted, not visited.
    #[test]
    fn rows_are_visited_in_file_order_across_chunks() {
        let model =
            crate::compile_bytes("m.tally", b"fields { n: int }\nwhen n > 5 add 1\n".to_vec())
                .1
                .model
                .unwrap();
        let plan = crate::plan::compile(&model);
        let (mut csv, mut ndjson) = (String::from("n,pad\n"), String::new());
        for i in 0..200_000u32 {
            let n = if i % 1000 == 999 {
                "bad".to_string()
            } else {
                i.to_string()
            };
            match i % 1000 == 500 {
                true => csv.push_str(&format!("{n}\n")), // one field short
                false => csv.push_str(&format!("{n},xxxxxxxxxx\n")),
            }
            ndjson.push_str(&format!("{{\"n\":\"{n}\",\"pad\":\"x\"}}\n"));
        }
        let csv_rows = (1..=200_000u64).filter(|r| r % 1000 != 0 && r % 1000 != 501);
        let ndjson_rows = (1..=200_000u64).filter(|r| r % 1000 != 0);
        for (format, text, want, unreadable) in [
            (Format::Csv, csv, csv_rows.collect::<Vec<_>>(), 400),
            (Format::Ndjson, ndjson, ndjson_rows.collect(), 200),
        ] {
            let input: Box<dyn std::io::BufRead + Send> =
                Box::new(std::io::Cursor::new(text.into_bytes()));
            let reader = Reader::new(input, format, b',').unwrap();
            let binding = Binding::new(&plan, reader.header()).unwrap();
            let scorer = Scorer::new(&plan, crate::value::Date::default());
            let scoring = [Scoring {
                binding: &binding,
                scorer: &scorer,
                leads: false,
            }];
            let pad = Column::find(reader.header(), "pad").unwrap();
            let (mut seen, mut cells) = (Vec::new(), None);
            let counts = each_scored(reader, &scoring, &[&pad], |record, scored| {
                seen.push((record.row, scored.first().map(|s| s.outcome.score)));
                cells.get_or_insert_with(|| record.data.clone());
                true
            })
            .unwrap();
            // A CSV record carries only the columns asked for.
            let wanted_cells = match format {
                Format::Csv => RowData::Cells(vec![String::new(), "xxxxxxxxxx".to_string()]),
                Format::Ndjson => {
                    let object = serde_json::json!({"n": "0", "pad": "x"});
                    RowData::Object(object.as_object().unwrap().clone())
                }
            };
            assert_eq!(cells, Some(wanted_cells), "{format:?}");
            assert_eq!(
                (counts.read, counts.used, counts.unreadable),
                (200_000, 200_000 - unreadable, unreadable),
                "{format:?}"
            );
            let rows: Vec<u64> = seen.iter().map(|s| s.0).collect();
            assert_eq!(rows, want, "{format:?}");
            assert_eq!(seen[6].1, Some(crate::value::Decimal::ONE)); // row 7: n = 6
        }
    }
}
