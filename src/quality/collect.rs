//! Scoring every row of a lead file for a statistic, with one model or
//! two: each row readable by all of them is folded into a part by a
//! [`Fold`], on a worker thread; the parts are merged in file order on
//! the calling thread. Other rows are counted.
//!
//! What a fold sees of a row is borrowed ([`Scored`]: the score, the
//! labels and the fired rules as the scorer left them, and the row's
//! cells in place), so a row allocates nothing: a part keeps counts, and
//! per row only what a statistic needs all of (a score and an outcome for
//! the ranking statistics). Strings are made when the result is rendered.
//!
//! CSV is read as `score` reads it ([`io::walk`]): worker threads split
//! chunks of the file into rows, score and fold them, one part per chunk.
//! NDJSON (or a reader that was read from already, or a report that
//! samples lead values) goes row by row: the calling thread reads batches
//! of rows, worker threads score and fold them, one part per batch. Either
//! way at most a few chunks or batches are in flight, so memory stays
//! bounded, and parts are merged in file order whatever the number of
//! threads: results do not depend on it.

use std::collections::BTreeMap;
use std::thread;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};

use super::column::Cols;
use crate::eval::{Lead, Outcome, RowScorer, Scorer, Scratch};
use crate::id::{IdVec, RuleId};
use crate::io::StreamError;
use crate::io::{self, Binding, Cells, CsvWalk, Reader, Record, Rejection, RowHandler, Shape};
use crate::value::Decimal;

/// Rows scored together.
const BATCH: usize = 2048;

/// Models scored per row, at most (`diff` and `report --diff` score two).
pub const MAX_MODELS: usize = 2;

/// How many rows were read, used and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub used: u64,
    /// Rows `score` would reject (with any of the models), and rows the
    /// fold refused (such as an unreadable outcome).
    pub unreadable: u64,
}

/// A model bound to the file's header, ready to score its rows.
pub struct Scoring<'a, 'p> {
    pub binding: &'a Binding,
    pub scorer: &'a Scorer<'p>,
    /// Whether each row's field values are given in [`Scored::lead`] (the
    /// report samples them); then the rows are read row by row.
    pub leads: bool,
}

/// What one model made of a row, borrowed from the scorer.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    pub score: Decimal,
    /// Each group's capped subtotal.
    pub groups: &'a [Decimal],
    pub stage: Option<&'a str>,
    /// Each tier's label.
    pub tiers: &'a [Option<&'a str>],
    /// Per rule, its signed points if it fired.
    pub points: &'a [Option<Decimal>],
    /// The row's field values, if [`Scoring::leads`] asked for them.
    pub lead: Option<&'a Lead>,
}

impl<'a> Scored<'a> {
    /// A placeholder for the slots of models a row does not have.
    const EMPTY: Scored<'static> = Scored {
        score: Decimal::ZERO,
        groups: &[],
        stage: None,
        tiers: &[],
        points: &[],
        lead: None,
    };

    fn of<'p: 'a>(scratch: &'a Scratch<'p>) -> Scored<'a> {
        Scored {
            score: scratch.score,
            groups: &scratch.groups,
            stage: scratch.stage,
            tiers: &scratch.tiers,
            points: scratch.points.as_slice(),
            lead: None,
        }
    }
}

/// What a command keeps of the rows, worked out on the workers.
pub trait Fold: Sync {
    /// What it keeps of a chunk (or batch) of rows.
    type Part: Default + Send;

    /// Fold one row (its cells, and what each model made of it) into
    /// `part`; `false` leaves it out, counted unreadable.
    fn row(&self, part: &mut Self::Part, row: Cols, scored: &[Scored]) -> bool;
}

/// A part with how many rows went into it and how many were left out.
#[derive(Default)]
struct Counted<P> {
    part: P,
    used: u64,
    unreadable: u64,
}

impl<P> Counted<P> {
    fn count(&mut self, used: bool) {
        match used {
            true => self.used += 1,
            false => self.unreadable += 1,
        }
    }
}

/// Score every row of `reader` with each model (at most
/// [`MAX_MODELS`]) and fold it with `fold`; `merge` gets the parts in
/// file order. `Err` only when the file cannot be read further.
pub fn each_folded<F: Fold>(
    reader: Reader,
    models: &[Scoring],
    fold: &F,
    merge: impl FnMut(F::Part),
) -> std::io::Result<Counts> {
    if models.len() > MAX_MODELS {
        return Err(std::io::Error::other(
            "at most two models score a file at once",
        ));
    }
    // The report's field samples need each row's lead values: those rows
    // go the batch way (see docs/performance.md).
    if models.iter().any(|m| m.leads) {
        let mut reader = reader;
        return batches_folded(&mut reader, models, fold, merge);
    }
    match reader.into_walk() {
        Ok(csv) => walk_folded(csv, models, fold, merge),
        Err(mut reader) => batches_folded(&mut reader, models, fold, merge),
    }
}

/// [`each_folded`] for CSV, on all cores.
fn walk_folded<F: Fold>(
    csv: CsvWalk,
    models: &[Scoring],
    fold: &F,
    mut merge: impl FnMut(F::Part),
) -> std::io::Result<Counts> {
    let shape = Shape {
        delimiter: csv.delimiter,
        columns: &csv.columns,
        limit: csv.limit,
        threads: thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut counts = Counts::default();
    let take = |done: io::Done<Counted<F::Part>>| {
        counts.unreadable += done.rejects.iter().filter(|r| !r.note).count() as u64;
        counts.used += done.out.used;
        counts.unreadable += done.out.unreadable;
        merge(done.out.part);
        Ok(None)
    };
    let handler = || ScoreModels {
        models,
        fold,
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

/// A worker's part of [`walk_folded`].
struct ScoreModels<'m, 'a, 'p, F> {
    models: &'m [Scoring<'a, 'p>],
    fold: &'m F,
    /// Per model, the worker's row scorer.
    rows: Vec<RowScorer<'p>>,
    /// Cells read as missing (kept by no one: a quality command reads the
    /// file with the default `--bad-values reject`).
    notes: Vec<Rejection>,
}

impl<F: Fold> ScoreModels<'_, '_, '_, F> {
    /// Score row `number` with every model; `false` if one rejects it.
    fn score(&mut self, number: u64, cells: Cells) -> bool {
        for (model, rows) in self.models.iter().zip(&mut self.rows) {
            let mut row = rows.begin();
            let read = model.binding.read_cells(
                number,
                cells.text,
                cells.spans,
                &mut row,
                &mut self.notes,
            );
            self.notes.clear();
            if read.is_err() || row.finish().is_err() {
                return false;
            }
        }
        true
    }
}

impl<F: Fold> RowHandler for ScoreModels<'_, '_, '_, F> {
    type Out = Counted<F::Part>;

    fn start(&mut self, _out: &mut Self::Out, _len: usize) {}

    fn row(
        &mut self,
        number: u64,
        _raw: &[u8],
        cells: Cells,
        out: &mut Self::Out,
        _notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        if !self.score(number, cells) {
            out.count(false);
            return Ok(());
        }
        let mut scored = [Scored::EMPTY; MAX_MODELS];
        for (slot, rows) in scored.iter_mut().zip(&self.rows) {
            *slot = Scored::of(rows.last().1);
        }
        let models = scored.get(..self.rows.len()).unwrap_or_default();
        let used = self.fold.row(&mut out.part, Cols::Cells(cells), models);
        out.count(used);
        Ok(())
    }
}

/// [`each_folded`] row by row (NDJSON).
fn batches_folded<F: Fold>(
    reader: &mut Reader,
    models: &[Scoring],
    fold: &F,
    mut merge: impl FnMut(F::Part),
) -> std::io::Result<Counts> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    let (batches, to_score) = bounded::<(u64, Vec<Result<Record, Rejection>>)>(workers + 1);
    let (scored, results) = unbounded::<(u64, Counted<F::Part>)>();
    thread::scope(|scope| {
        for _ in 0..workers {
            let (to_score, scored) = (to_score.clone(), scored.clone());
            scope.spawn(move || fold_batches(models, fold, &to_score, &scored));
        }
        drop((to_score, scored));
        let mut order = InOrder::default();
        let mut counts = Counts::default();
        let mut take = |part: Counted<F::Part>| {
            counts.used += part.used;
            counts.unreadable += part.unreadable;
            merge(part.part);
        };
        let read = (|| {
            let mut sent = 0u64;
            loop {
                let batch = read_batch(reader)?;
                if batch.is_empty() {
                    break;
                }
                // Keep at most a few batches in flight: merge what is
                // done before reading more.
                while sent - order.next >= (workers as u64 + 2) {
                    order.wait(&results, &mut take);
                }
                if batches.send((sent, batch)).is_err() {
                    break;
                }
                sent += 1;
            }
            drop(batches);
            while order.next < sent {
                if !order.wait(&results, &mut take) {
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

fn fold_batches<F: Fold>(
    models: &[Scoring],
    fold: &F,
    batches: &Receiver<(u64, Vec<Result<Record, Rejection>>)>,
    done: &Sender<(u64, Counted<F::Part>)>,
) {
    for (number, batch) in batches {
        let mut part = Counted::default();
        for row in batch {
            let used = row.is_ok_and(|record| fold_record(models, fold, &mut part.part, &record));
            part.count(used);
        }
        if done.send((number, part)).is_err() {
            return;
        }
    }
}

/// One model's results for a row read row by row, owned.
struct Owned {
    lead: Lead,
    outcome: Outcome,
    points: IdVec<RuleId, Option<Decimal>>,
}

/// Score a record with every model and fold it; `false` if a model
/// rejects it or the fold leaves it out.
fn fold_record<F: Fold>(models: &[Scoring], fold: &F, part: &mut F::Part, record: &Record) -> bool {
    let mut owned = Vec::with_capacity(models.len());
    for model in models {
        let Ok(lead) = model.binding.lead(record) else {
            return false;
        };
        let outcome = model.scorer.score(&lead);
        let mut points = model.scorer.plan().rules.map(|_| None);
        for fired in &outcome.fired {
            *points.at_mut(fired.rule) = Some(fired.points);
        }
        owned.push(Owned {
            lead,
            outcome,
            points,
        });
    }
    let tiers: Vec<Vec<Option<&str>>> = owned
        .iter()
        .map(|o| o.outcome.tiers.iter().map(Option::as_deref).collect())
        .collect();
    let mut scored = [Scored::EMPTY; MAX_MODELS];
    for ((slot, (o, model)), tiers) in scored.iter_mut().zip(owned.iter().zip(models)).zip(&tiers) {
        *slot = Scored {
            score: o.outcome.score,
            groups: &o.outcome.groups,
            stage: o.outcome.stage.as_deref(),
            tiers,
            points: o.points.as_slice(),
            lead: model.leads.then_some(&o.lead),
        };
    }
    let scored = scored.get(..owned.len()).unwrap_or_default();
    fold.row(part, Cols::Record(record), scored)
}

/// Folded batches put back in file order.
struct InOrder<P> {
    next: u64,
    waiting: BTreeMap<u64, P>,
}

impl<P> Default for InOrder<P> {
    fn default() -> Self {
        InOrder {
            next: 0,
            waiting: BTreeMap::new(),
        }
    }
}

impl<P> InOrder<P> {
    /// Take one finished batch, and hand on every batch now in order;
    /// `false` when no batch can come any more.
    fn wait(&mut self, results: &Receiver<(u64, P)>, take: &mut impl FnMut(P)) -> bool {
        let Ok((number, part)) = results.recv() else {
            return false;
        };
        self.waiting.insert(number, part);
        while let Some(part) = self.waiting.remove(&self.next) {
            take(part);
            self.next += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Format;
    use crate::quality::Column;

    /// Keeps each row's score and `pad` cell.
    struct Keep<'c>(&'c Column);

    impl Fold for Keep<'_> {
        type Part = Vec<(Decimal, String)>;

        fn row(&self, part: &mut Self::Part, row: Cols, scored: &[Scored]) -> bool {
            let Some(lead) = scored.first() else {
                return false;
            };
            part.push((lead.score, self.0.text_in(row)));
            true
        }
    }

    /// Rows are folded in file order across many chunks (CSV, on all
    /// cores) or batches (NDJSON); rejected rows (an unreadable cell, a
    /// short record) are counted, not folded.
    #[test]
    fn rows_are_folded_in_file_order_across_chunks() {
        let text = b"fields { n: int }\nwhen n > 5 add n\n".to_vec();
        let model = crate::compile_bytes("m.tally", text).1.model.unwrap();
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
                false => csv.push_str(&format!("{n},x{i}\n")),
            }
            ndjson.push_str(&format!("{{\"n\":\"{n}\",\"pad\":\"x{i}\"}}\n"));
        }
        let csv_rows = (0..200_000u32).filter(|i| i % 1000 != 999 && i % 1000 != 500);
        let ndjson_rows = (0..200_000u32).filter(|i| i % 1000 != 999);
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
            let (mut seen, mut parts) = (Vec::new(), 0);
            let counts = each_folded(reader, &scoring, &Keep(&pad), |part| {
                seen.extend(part);
                parts += 1;
            })
            .unwrap();
            assert!(parts > 1, "{format:?}: {parts} parts");
            assert_eq!(
                (counts.read, counts.used, counts.unreadable),
                (200_000, 200_000 - unreadable, unreadable),
                "{format:?}"
            );
            let score = |i: u32| Decimal::from(if i > 5 { i } else { 0 });
            let want: Vec<(Decimal, String)> = want
                .into_iter()
                .map(|i| (score(i), format!("x{i}")))
                .collect();
            assert!(seen == want, "{format:?}: the rows differ");
        }
    }

    /// A lead's values reach the fold when asked for, and a third model
    /// is refused rather than dropped silently.
    #[test]
    fn leads_are_given_when_asked_and_three_models_are_refused() {
        let text = b"fields { n: int }\nwhen n > 5 add 1\n".to_vec();
        let model = crate::compile_bytes("m.tally", text).1.model.unwrap();
        let plan = crate::plan::compile(&model);
        let open = || {
            let input: Box<dyn std::io::BufRead + Send> =
                Box::new(std::io::Cursor::new(b"n\n7\n".to_vec()));
            Reader::new(input, Format::Csv, b',').unwrap()
        };
        let binding = Binding::new(&plan, open().header()).unwrap();
        let scorer = Scorer::new(&plan, crate::value::Date::default());
        let scoring = |leads| Scoring {
            binding: &binding,
            scorer: &scorer,
            leads,
        };
        struct Values;
        impl Fold for Values {
            type Part = Vec<Option<Lead>>;
            fn row(&self, part: &mut Self::Part, _: Cols, scored: &[Scored]) -> bool {
                part.extend(scored.iter().map(|s| s.lead.cloned()));
                true
            }
        }
        let mut leads = Vec::new();
        each_folded(open(), &[scoring(true), scoring(false)], &Values, |p| {
            leads.extend(p)
        })
        .unwrap();
        let seven = Lead {
            values: vec![Some(crate::value::Value::Number(Decimal::from(7)))].into(),
        };
        assert_eq!(leads, [Some(seven), None]);
        let three = [scoring(false), scoring(false), scoring(false)];
        let refused = each_folded(open(), &three, &Values, |_| {}).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "at most two models score a file at once"
        );
    }
}
