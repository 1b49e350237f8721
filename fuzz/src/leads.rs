//! The `leads` target's check: any bytes as a lead file, read as CSV by
//! both readers `tally` has (the parallel chunked one `score` uses, and
//! the streaming one `explain` uses) and, when they start with `{`, as
//! NDJSON, give scored and rejected rows, never a panic: rows read =
//! scored + rejected, the output holds one record per scored row and
//! parses back, the rejects one line per rejected row, and both CSV
//! readers agree row for row.

use std::cell::RefCell;
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tally::eval::Scorer;
use tally::io::chunks::Chunks;
use tally::io::{
    header_from, score_csv, score_stream, Binding, Counts, CsvJob, Format, Header, Job, Layout,
    OpenError, Reader, Sink, Writer, BATCH,
};
use tally::plan::{self, Plan};
use tally::value::Date;

/// Longer inputs are skipped, so that runs stay fast.
pub const MAX_LEADS_BYTES: usize = 64 * 1024;

/// The models every input is scored with: the repository's example, which
/// reads every field type, a `required` field and a renamed column; and
/// the local-format example, whose fields read `1 200,50`, `15.11.2026`
/// and `kyllä` (language 1.1 field modifiers).
const MODELS: [&str; 2] = [
    include_str!("../../examples/b2b_inbound.tally"),
    include_str!("../../examples/nordic.tally"),
];

/// Run every check on `data` as a lead file; panics on a violation.
pub fn check_leads(data: &[u8]) {
    if data.len() > MAX_LEADS_BYTES {
        return;
    }
    for plan in model_plans() {
        check_with(plan, data);
    }
    // The same bytes as an events file (language 1.1).
    crate::events::check_events(data);
    // And as the lead file of a model with account values.
    crate::events::check_accounts(data);
}

/// [`check_leads`] with one model.
fn check_with(plan: &Plan, data: &[u8]) {
    let parallel = score_parallel(plan, data);
    let stream = score_streamed(plan, data, Format::Csv);
    match (&parallel, &stream) {
        (Some(a), Some(b)) => {
            let (a_rows, b_rows) = (a.check(Format::Csv), b.check(Format::Csv));
            assert_eq!(a.counts, b.counts, "the two CSV readers count differently");
            assert_eq!(a_rows, b_rows, "the two CSV readers give other rows");
            assert_eq!(
                a.rejected_rows(),
                b.rejected_rows(),
                "the two CSV readers reject other rows"
            );
        }
        (None, None) => {}
        _ => panic!("one CSV reader refuses the header, the other does not"),
    }
    // Only what could be NDJSON is read as NDJSON: every line of any other
    // input would be one more "not JSON" rejection, at the cost of a run.
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        if let Some(ndjson) = score_streamed(plan, data, Format::Ndjson) {
            ndjson.check(Format::Ndjson);
        }
    }
}

/// What a run wrote: the counts, the scored output, the rejects.
#[derive(Debug)]
struct Run {
    counts: Counts,
    /// Fields a CSV output record has: the input's columns and outputs.
    width: usize,
    out: Vec<u8>,
    rejects: Vec<u8>,
    /// Whether `out` starts with a header row (the streaming writer's).
    header: bool,
}

/// A CSV output record's fields.
type Row = Vec<Vec<u8>>;

impl Run {
    /// Check the run's counts and files; the CSV output's records.
    fn check(&self, format: Format) -> Vec<Row> {
        // The fuzz runs use the default `--bad-values reject`: no notes.
        let Counts {
            read,
            scored,
            rejected,
            noted,
        } = self.counts;
        assert_eq!(
            noted, 0,
            "a cell read as missing without --bad-values missing"
        );
        assert_eq!(
            read,
            scored + rejected,
            "rows read are not scored + rejected"
        );
        let rows = match format {
            Format::Csv => self.rows(),
            Format::Ndjson => Vec::new(),
        };
        let records = match format {
            Format::Csv => rows.len(),
            Format::Ndjson => self.objects(),
        };
        assert_eq!(
            records as u64, scored,
            "output records are not the scored rows"
        );
        let numbers = self.rejected_rows();
        assert_eq!(
            numbers.len() as u64,
            rejected,
            "reject lines are not the rejected rows"
        );
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "rejected rows out of order: {numbers:?}"
        );
        if format == Format::Csv {
            assert!(numbers.iter().all(|&n| n >= 1 && n <= read), "{numbers:?}");
        }
        rows
    }

    /// The output's data records, each with the layout's width.
    fn rows(&self) -> Vec<Row> {
        let mut rows = csv_records(&self.out);
        for row in &rows {
            assert_eq!(row.len(), self.width, "an output record's width");
        }
        if self.header {
            assert!(!rows.is_empty(), "no header row in the output");
            rows.remove(0);
        }
        rows
    }

    /// How many lines of the NDJSON output there are, each an object.
    fn objects(&self) -> usize {
        let text = std::str::from_utf8(&self.out).unwrap_or_else(|e| panic!("output: {e}"));
        let mut count = 0;
        for line in text.lines() {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("an output line is not JSON ({e}): {line}"));
            assert!(value.is_object(), "an output line is not an object: {line}");
            count += 1;
        }
        count
    }

    /// The row number of each reject line (`row N: …`).
    fn rejected_rows(&self) -> Vec<u64> {
        let text = std::str::from_utf8(&self.rejects).unwrap_or_else(|e| panic!("rejects: {e}"));
        text.lines()
            .map(|line| {
                line.strip_prefix("row ")
                    .and_then(|rest| rest.split_once(": "))
                    .and_then(|(n, _)| n.parse().ok())
                    .unwrap_or_else(|| panic!("a reject line without its row: {line:?}"))
            })
            .collect()
    }
}

/// The records of CSV text, as the `csv` crate reads them (it reads with
/// `csv_core`). One parser per thread, reset for each text: building
/// one costs more than reading a small file.
fn csv_records(text: &[u8]) -> Vec<Row> {
    thread_local! {
        static PARSER: RefCell<csv_core::Reader> = RefCell::new(csv_core::Reader::new());
    }
    PARSER.with_borrow_mut(|parser| {
        parser.reset();
        // A record's bytes never outnumber the text's, nor its fields the
        // text's bytes (plus one).
        let mut out = vec![0; text.len() + 1];
        let mut ends = vec![0; text.len() + 2];
        let mut rows = Vec::new();
        let mut at = 0;
        loop {
            let (mut nout, mut nend) = (0, 0);
            loop {
                let (result, i, o, e) =
                    parser.read_record(&text[at..], &mut out[nout..], &mut ends[nend..]);
                at += i;
                nout += o;
                nend += e;
                match result {
                    csv_core::ReadRecordResult::Record => break,
                    // At the text's end, the next read (of nothing) ends
                    // the last record.
                    csv_core::ReadRecordResult::InputEmpty => {}
                    csv_core::ReadRecordResult::End => return rows,
                    full => panic!("csv_core: {full:?} with buffers as large as the text"),
                }
            }
            let mut start = 0;
            let fields = ends[..nend].iter().map(|&end| {
                let field = out[start..end].to_vec();
                start = end;
                field
            });
            rows.push(fields.collect());
        }
    })
}

/// `score`'s CSV path; `None` when the header is refused.
fn score_parallel(plan: &Plan, data: &[u8]) -> Option<Run> {
    let mut chunks = Chunks::new(Trickle(data), b',').size_hint(Some(data.len() as u64));
    let first = chunks
        .first_record()
        .unwrap_or_else(|e| panic!("reading memory failed: {e}"));
    let header = match header_from(first.as_deref(), b',') {
        Ok(header) => header,
        Err(OpenError::Header(_)) => return None,
        Err(OpenError::Io(e)) => panic!("reading the header from memory failed: {e}"),
    };
    let (binding, layout) = bind(plan, &header, Format::Csv)?;
    let job = csv_job(plan, &binding, &layout);
    let files = Files::new();
    let (mut out, mut rejects) = files.sinks();
    let counts = score_csv(&job, chunks, &mut out, &mut rejects, &|_, _| {})
        .unwrap_or_else(|e| panic!("scoring in memory failed: {e:?}"));
    finish(out, rejects);
    Some(files.run(counts, width(&layout), false))
}

/// The streaming reader (`explain`'s, and NDJSON's for `score`); `None`
/// when the header is refused.
fn score_streamed(plan: &Plan, data: &[u8], format: Format) -> Option<Run> {
    let input = Box::new(Cursor::new(data.to_vec()));
    let mut reader = match Reader::new(input, format, b',') {
        Ok(reader) => reader,
        Err(OpenError::Header(_)) => return None,
        Err(OpenError::Io(e)) => panic!("opening memory failed: {e}"),
    };
    let (binding, layout) = bind(plan, reader.header(), format)?;
    let job = Job {
        plan,
        binding: &binding,
        scorer: Scorer::new(plan, today()),
        batch: BATCH,
    };
    let files = Files::new();
    let (out, mut rejects) = files.sinks();
    let width = width(&layout);
    let mut writer = Writer::new(out, format, layout, plan, b',')
        .unwrap_or_else(|e| panic!("the writer failed: {e}"));
    let counts = score_stream(&job, &mut reader, &mut writer, &mut rejects)
        .unwrap_or_else(|e| panic!("scoring in memory failed: {e:?}"));
    finish_writer(writer);
    finish_sink(rejects);
    Some(files.run(counts, width, format == Format::Csv))
}

/// The binding and layout, or `None` for a header problem (exit 1).
fn bind(plan: &Plan, header: &Header, output: Format) -> Option<(Binding, Layout)> {
    let binding = Binding::new(plan, header).ok()?;
    let layout = Layout::new(plan, header, output, "", false).ok()?;
    Some((binding, layout))
}

fn width(layout: &Layout) -> usize {
    layout.columns.len() + layout.outputs.len()
}

fn finish(out: Sink, rejects: Sink) {
    finish_sink(out);
    finish_sink(rejects);
}

fn model_plans() -> &'static [Plan] {
    static PLANS: OnceLock<Vec<Plan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        let plan = |text: &str| {
            let (_, compiled) = tally::compile_bytes("model.tally", text.as_bytes().to_vec());
            let model = compiled
                .model
                .unwrap_or_else(|| panic!("an example model does not compile"));
            plan::compile(&model)
        };
        MODELS.iter().map(|text| plan(text)).collect()
    })
}

fn today() -> Date {
    Date::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// A reader that hands out a few hundred bytes at a time, as a pipe
/// does, so chunking meets records split across reads.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(997);
        let (now, rest) = self.0.split_at(n);
        buf[..n].copy_from_slice(now);
        self.0 = rest;
        Ok(n)
    }
}

/// An output file and a rejects file of one run, in a scratch directory
/// of their own (in memory where `/dev/shm` exists), removed once read.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let shm = Path::new("/dev/shm");
        let mut builder = tempfile::Builder::new();
        builder.prefix("tally-fuzz");
        let made = if shm.is_dir() {
            builder.tempdir_in(shm)
        } else {
            builder.tempdir()
        };
        Files {
            dir: made.unwrap_or_else(|e| panic!("no scratch directory: {e}")),
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn rejects(&self) -> PathBuf {
        self.dir.path().join("rejects")
    }

    fn sinks(&self) -> (Sink, Sink) {
        (open_sink(&self.out()), open_sink(&self.rejects()))
    }

    /// Read both files back (the directory goes when `self` does).
    fn run(self, counts: Counts, width: usize, header: bool) -> Run {
        let take =
            |path: &Path| fs::read(path).unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
        Run {
            counts,
            width,
            out: take(&self.out()),
            rejects: take(&self.rejects()),
            header,
        }
    }
}

// The parts of the library's interface that change most: how a job is
// set up, and how a file output is opened and finished.

fn csv_job<'p>(plan: &'p Plan, binding: &'p Binding, layout: &'p Layout) -> CsvJob<'p> {
    CsvJob {
        plan,
        binding,
        scorer: Scorer::new(plan, today()),
        layout,
        output: Format::Csv,
        delimiter: b',',
        threads: 2,
        limit: tally::io::RowLimit::default(),
    }
}

fn open_sink(path: &Path) -> Sink {
    let target =
        tally::io::Target::of(path).unwrap_or_else(|e| panic!("cannot open {path:?}: {e}"));
    Sink::open(&target, false).unwrap_or_else(|e| panic!("cannot open {path:?}: {e}"))
}

fn finish_sink(sink: Sink) {
    sink.finish()
        .and_then(|finished| finished.commit())
        .unwrap_or_else(|e| panic!("an output failed: {e}"));
}

fn finish_writer(writer: Writer) {
    writer
        .finish()
        .and_then(|finished| finished.commit())
        .unwrap_or_else(|e| panic!("the output failed: {e}"));
}
