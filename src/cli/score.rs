//! `tally score MODEL LEADS`: score a lead file (spec: CLI.md, `tally score`).

mod outputs;

use clap::{Args, ValueEnum};

use super::common::{load_model, parse_date, parse_delimiter, today_utc};
use super::events::{self, Events, EventsArgs};
use super::progress::Progress;
use super::{io_reason, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::eval::Scorer;
use crate::io::chunks::Chunks;
use crate::io::{
    self, BadValues, Binding, Counts, CsvJob, Format, Header, HeaderError, Job, Layout, NameHint,
    OpenError, Reader, Sink, StreamError, Writer,
};
use crate::plan::{self, Plan};
use crate::value::Date;
use outputs::Outputs;

#[derive(Debug, Clone, Args)]
pub struct ScoreArgs {
    /// The model (`-` reads standard input).
    #[arg(value_name = "MODEL")]
    model: String,
    /// The lead file: CSV or NDJSON, optionally gzipped (`-` reads standard input).
    #[arg(value_name = "LEADS")]
    leads: String,
    /// Write scored leads to this file, atomically (default: standard output).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<String>,
    /// Output format when `-o`'s name does not tell (default: the input's).
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<FormatArg>,
    /// Input format when the lead file's name does not tell (default: csv).
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<FormatArg>,
    /// The date `today` means (default: today's UTC date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Add a `reasons` column: the rules that fired, with their points.
    #[arg(long)]
    explain: bool,
    /// What to do with a cell that cannot be read as its field's type:
    /// reject its lead, or read it as missing (noted in the rejects file).
    #[arg(long, value_enum, value_name = "WHAT", default_value = "reject")]
    bad_values: BadValuesArg,
    /// Add a last column `tally_model`: the model's name, version and the
    /// start of its SHA-256, so each score can be traced to its model.
    #[arg(long)]
    stamp: bool,
    /// Where rejected rows go (default: OUT.rejects, or standard error
    /// when writing to standard output).
    #[arg(long, value_name = "FILE")]
    rejects: Option<String>,
    /// CSV field delimiter, one ASCII character (`\t` for tab).
    #[arg(long, value_name = "C", default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    /// Worker threads; results are the same for any number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Rename every output column to P+name (to avoid input columns).
    #[arg(long, value_name = "P", default_value = "", hide_default_value = true)]
    prefix: String,
    /// The longest row read (a CSV record or an NDJSON line); a longer one
    /// is rejected. Bytes, or with a unit: 64MiB, 64M, 1G.
    #[arg(long, value_name = "N", default_value = "16MiB")]
    max_row_bytes: io::RowLimit,
    #[command(flatten)]
    events: EventsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BadValuesArg {
    /// Reject the lead: it goes to the rejects file (exit status 1).
    Reject,
    /// Read the cell as missing and score the lead; the cell is noted in
    /// the rejects file.
    Missing,
}

impl From<BadValuesArg> for BadValues {
    fn from(arg: BadValuesArg) -> BadValues {
        match arg {
            BadValuesArg::Reject => BadValues::Reject,
            BadValuesArg::Missing => BadValues::Missing,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON object per line.
    #[value(alias = "jsonl")]
    Ndjson,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Csv => Format::Csv,
            FormatArg::Ndjson => Format::Ndjson,
        }
    }
}

/// Why a run stopped early.
enum Stop {
    /// The input has problems, already reported (exit 1).
    Problems,
    /// The command could not run (exit 2).
    Failure(String),
    /// Already reported; exit with this status.
    Reported(u8),
}

/// Run `tally score`; returns the exit status.
pub fn run(args: &ScoreArgs) -> u8 {
    match score(args) {
        Ok((counts, lines, rejected_events)) => {
            say(format_args!("{}", summary(&counts)));
            for line in lines {
                say(format_args!("{line}"));
            }
            if counts.rejected > 0 || rejected_events > 0 {
                EXIT_PROBLEMS
            } else {
                EXIT_OK
            }
        }
        Err(Stop::Problems) => EXIT_PROBLEMS,
        Err(Stop::Reported(status)) => status,
        Err(Stop::Failure(message)) => {
            say(format_args!("error: {message}"));
            EXIT_FAILURE
        }
    }
}

/// A line on standard error; dropped when standard error is a closed
/// pipe (nobody is left to read it), rather than panicking as
/// `eprintln!` would.
fn say(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A lead file's header problem or note on standard error, rendered as
/// a model's finding is (`render::human_input`).
fn report(shown: &str, diagnostic: &dyn miette::Diagnostic) {
    use std::io::Write;
    let text = super::render::human_input(shown, diagnostic, super::render::color_on_stderr());
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Header problems reported, then the closing line: nothing is read.
fn refused(shown: &str, errors: &[&dyn miette::Diagnostic]) -> Stop {
    use std::io::Write;
    let color = super::render::color_on_stderr();
    let (reports, line) = super::render::input_refused(shown, errors, color);
    let _ = std::io::stderr().write_all(reports.as_bytes());
    say(format_args!("error: {line}"));
    Stop::Problems
}

/// `read 5 rows: 4 scored, 1 rejected`.
fn summary(counts: &Counts) -> String {
    let rows = if counts.read == 1 { "row" } else { "rows" };
    let noted = match counts.noted {
        0 => String::new(),
        1 => ", 1 cell read as missing".to_string(),
        n => format!(", {n} cells read as missing"),
    };
    format!(
        "read {} {rows}: {} scored, {} rejected{noted}",
        counts.read, counts.scored, counts.rejected
    )
}

/// The counts, the events' summary lines and how many events were rejected.
type Scored = (Counts, Vec<String>, usize);

fn score(args: &ScoreArgs) -> Result<Scored, Stop> {
    if args.model == "-" && args.leads == "-" {
        return Err(Stop::Failure(
            "MODEL and LEADS cannot both be standard input".into(),
        ));
    }
    if args.model == "-" && args.events.paths().contains(&"-") {
        return Err(Stop::Failure(
            "MODEL and `--events` cannot both be standard input".into(),
        ));
    }
    // Before anything is read: a path that would destroy an input is
    // refused before the input is opened.
    let outputs = Outputs::resolve(args)?;
    let (plan, stamp) = load_plan(&args.model)?;
    let as_of = args.as_of.unwrap_or_else(today_utc);
    super::accounts::keep_leads_for(&args.leads, &[&plan]).map_err(Stop::Failure)?;
    let events = read_events(args, &plan, as_of)?;
    let how = events_how(args);
    let shown = shown_name(&args.leads);
    let accounts =
        super::accounts::read_accounts(&plan, (&args.leads, &shown), how, as_of, &events)
            .map_err(failed_input)?;
    let precomputed = (&events, &accounts);
    let counts = score_leads(args, &outputs, (&plan, &stamp), as_of, precomputed)?;
    Ok((
        counts,
        events::summary(&plan, &events),
        events.rejects.len(),
    ))
}

/// How the events files (and account passes) are read.
fn events_how(args: &ScoreArgs) -> events::How {
    events::How {
        threads: threads(args),
        bad_values: args.bad_values.into(),
        ..events::How::new(
            args.input_format.map(Format::from),
            args.delimiter,
            args.max_row_bytes,
        )
    }
}

/// Read the model's events files (before the leads: their aggregates are
/// values of the leads).
fn read_events(args: &ScoreArgs, plan: &Plan, as_of: Date) -> Result<Events, Stop> {
    let how = events_how(args);
    args.events
        .read(plan, as_of, how, Some(&args.leads))
        .map_err(failed_input)
}

/// An events file or a pass over the leads that could not be read: its
/// header problems are rendered as the scoring pass's are (exit 1).
fn failed_input(failure: events::EventsFailure) -> Stop {
    if failure.header.is_empty() {
        return Stop::Failure(failure.message);
    }
    let errors: Vec<&dyn miette::Diagnostic> =
        failure.header.iter().map(|e| e.as_ref() as _).collect();
    refused(&failure.shown, &errors)
}

fn score_leads(
    args: &ScoreArgs,
    outputs: &Outputs,
    (plan, stamp): (&Plan, &str),
    as_of: Date,
    precomputed: Precomputed,
) -> Result<Counts, Stop> {
    let (events, accounts) = precomputed;
    let input_format = NameHint::of(&args.leads)
        .format
        .or(args.input_format.map(Format::from))
        .unwrap_or(Format::Csv);
    if input_format == Format::Csv {
        return score_csv(args, outputs, (plan, stamp), as_of, precomputed);
    }
    let mut reader = open_leads(args, input_format)?;
    let (binding, layout) = bind((plan, stamp), reader.header(), args)?;
    let (out_sink, mut rejects) = outputs.open()?;
    write_event_rejects(&mut rejects, events).map_err(|e| outputs.rejects.cannot_write(&e))?;
    let output_format = output_format(args, input_format);
    let mut writer = Writer::new(out_sink, output_format, layout, plan, args.delimiter)
        .map_err(|e| outputs.out.cannot_write(&e))?;
    let job = Job {
        plan,
        binding: &binding,
        scorer: Scorer::new(plan, as_of)
            .with_events(&events.tables)
            .with_accounts(accounts),
        batch: io::BATCH,
    };
    let counts = io::score_stream(&job, &mut reader, &mut writer, &mut rejects)
        .map_err(|e| stream_failure(args, outputs, &e))?;
    let out = writer.finish().map_err(|e| outputs.out.cannot_write(&e))?;
    finish(outputs, out, rejects)?;
    Ok(counts)
}

/// The lead values computed before scoring: events' aggregates and
/// account values.
type Precomputed<'a> = (&'a Events, &'a crate::eval::AccountTables);

/// Rejected events go first in the rejects: they were read first.
fn write_event_rejects(rejects: &mut Sink, events: &Events) -> std::io::Result<()> {
    use std::io::Write;
    for line in &events.rejects {
        writeln!(rejects, "{line}")?;
    }
    Ok(())
}

/// CSV input: chunks scored on all cores, input bytes passed through.
fn score_csv(
    args: &ScoreArgs,
    outputs: &Outputs,
    (plan, stamp): (&Plan, &str),
    as_of: Date,
    (events, accounts): Precomputed,
) -> Result<Counts, Stop> {
    let shown = shown_name(&args.leads);
    let input = io::input::open(&args.leads).map_err(|e| Stop::Failure(cannot_read(&shown, &e)))?;
    let mut chunks = Chunks::new(input, args.delimiter)
        .size_hint(input_size(&args.leads))
        .row_limit(args.max_row_bytes);
    let stop = |e| match e {
        OpenError::Io(error) => Stop::Failure(cannot_read(&shown, &error)),
        OpenError::Header(error) => refused(&shown, &[&error]),
    };
    let first = chunks.first_record().map_err(stop)?;
    let header = io::header_from(first.as_deref(), args.delimiter).map_err(stop)?;
    let (binding, layout) = bind((plan, stamp), &header, args)?;
    let (mut out, mut rejects) = outputs.open()?;
    write_event_rejects(&mut rejects, events).map_err(|e| outputs.rejects.cannot_write(&e))?;
    let output = output_format(args, Format::Csv);
    if output == Format::Csv {
        write_csv_header(&mut out, first.as_deref(), &layout, args.delimiter)
            .map_err(|e| outputs.out.cannot_write(&e))?;
    }
    let job = CsvJob {
        plan,
        binding: &binding,
        scorer: Scorer::new(plan, as_of)
            .with_events(&events.tables)
            .with_accounts(accounts),
        layout: &layout,
        output,
        delimiter: args.delimiter,
        threads: threads(args),
        limit: args.max_row_bytes,
    };
    let progress = Progress::new(input_size(&args.leads));
    let advance = |bytes: u64, rows: u64| progress.advance(bytes, rows);
    let counts = io::score_csv(&job, chunks, &mut out, &mut rejects, &advance);
    progress.finish();
    let counts = counts.map_err(|e| stream_failure(args, outputs, &e))?;
    let out = out.finish().map_err(|e| outputs.out.cannot_write(&e))?;
    finish(outputs, out, rejects)?;
    Ok(counts)
}

/// Write out the rejects, then put both files in place: nothing is
/// replaced until both are safe on disk.
fn finish(outputs: &Outputs, out: io::Finished, rejects: Sink) -> Result<(), Stop> {
    let rejects = rejects
        .finish()
        .map_err(|e| outputs.rejects.cannot_write(&e))?;
    outputs.commit(out, rejects)
}

/// The size of a plain (not gzipped) lead file, for the progress bar;
/// also the chunks' size hint, which the account passes give alike
/// (src/cli/accounts.rs), so that they split the file as scoring does.
pub(super) fn input_size(path: &str) -> Option<u64> {
    let hint = NameHint::of(path);
    (path != "-" && !hint.gzip)
        .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
        .flatten()
}

/// Most worker threads: each holds a chunk of about 1 MiB, so memory stays
/// bounded whatever `--threads` says.
const MAX_THREADS: usize = 64;

/// `--threads`, else every core; at most [`MAX_THREADS`].
fn threads(args: &ScoreArgs) -> usize {
    let wanted = match args.threads {
        Some(n) => usize::try_from(n).unwrap_or(1),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    wanted.clamp(1, MAX_THREADS)
}

/// The header row as read (byte order mark and line end dropped), then
/// the output names.
fn write_csv_header(
    out: &mut Sink,
    first: Option<&[u8]>,
    layout: &Layout,
    delimiter: u8,
) -> std::io::Result<()> {
    use std::io::Write;
    let line = first.unwrap_or_default();
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut names = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    names
        .write_record(&layout.outputs)
        .map_err(std::io::Error::other)?;
    let names = names
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    if !line.is_empty() {
        out.write_all(line)?;
        out.write_all(&[delimiter])?;
    }
    out.write_all(&names)
}

/// Read and compile the model; its findings go to standard error.
/// Read and compile the model; with its stamp (`--stamp`).
fn load_plan(path: &str) -> Result<(Plan, String), Stop> {
    match load_model(path) {
        Ok((source, model)) => {
            let stamp = crate::quality::ModelStamp::new(&model, source.text().as_bytes());
            Ok((plan::compile(&model), stamp.short()))
        }
        Err(EXIT_FAILURE) => Err(Stop::Reported(EXIT_FAILURE)),
        Err(_) => Err(Stop::Problems),
    }
}

fn open_leads(args: &ScoreArgs, format: Format) -> Result<Reader, Stop> {
    let path = &args.leads;
    let shown = shown_name(path);
    let input = io::input::open(path).map_err(|e| Stop::Failure(cannot_read(&shown, &e)))?;
    let (delimiter, limit) = (args.delimiter, args.max_row_bytes);
    Reader::with_limit(input, format, delimiter, limit).map_err(|e| match e {
        OpenError::Io(error) => Stop::Failure(cannot_read(&shown, &error)),
        OpenError::Header(error) => refused(&shown, &[&error]),
    })
}

/// Bind the plan to the header and lay out the output; every problem is
/// reported before giving up.
fn bind(
    (plan, stamp): (&Plan, &str),
    header: &Header,
    args: &ScoreArgs,
) -> Result<(Binding, Layout), Stop> {
    let output = output_format(args, header.format);
    let binding = Binding::new(plan, header).map(|b| b.with_bad_values(args.bad_values.into()));
    let layout = Layout::new(plan, header, output, &args.prefix, args.explain);
    let layout = match layout {
        Ok(layout) if args.stamp => layout.stamped(stamp.to_string(), &args.prefix),
        other => other,
    };
    match (binding, layout) {
        (Ok(binding), Ok(layout)) => {
            let shown = shown_name(&args.leads);
            for note in binding.notes() {
                report(&shown, note);
            }
            Ok((binding, layout))
        }
        (binding, layout) => {
            let shown = shown_name(&args.leads);
            let errors: Vec<HeaderError> = [binding.err(), layout.err()]
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            let errors: Vec<&dyn miette::Diagnostic> = errors.iter().map(|e| e as _).collect();
            Err(refused(&shown, &errors))
        }
    }
}

/// Output format: `-o`'s name, else `--format`, else the input's.
fn output_format(args: &ScoreArgs, input: Format) -> Format {
    let named = args.output.as_deref().and_then(|o| NameHint::of(o).format);
    named.or(args.format.map(Format::from)).unwrap_or(input)
}

fn stream_failure(args: &ScoreArgs, outputs: &Outputs, error: &StreamError) -> Stop {
    match error {
        StreamError::Read(e) => Stop::Failure(cannot_read(&shown_name(&args.leads), e)),
        StreamError::Write(e) => outputs.out.cannot_write(e),
        StreamError::Rejects(e) => outputs.rejects.cannot_write(e),
    }
}

fn cannot_read(shown: &str, error: &std::io::Error) -> String {
    format!("cannot read {shown}: {}", io_reason(error))
}

/// How a lead file is named in messages.
pub(super) fn shown_name(path: &str) -> String {
    if path == "-" {
        "standard input".to_string()
    } else {
        format!("`{path}`")
    }
}
