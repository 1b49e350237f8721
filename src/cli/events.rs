//! `--events NAME=FILE`: the files of a model's `events` blocks, read
//! before the leads (spec: CLI.md, `tally score`).

use clap::Args;

use crate::eval::{EventTable, KeySet};
use crate::id::FieldId;
use crate::io::{
    self, BadValues, EventsError, EventsFormat, Format, NameHint, OpenError, RowLimit,
};
use crate::plan::Plan;
use crate::value::Date;

/// The `--events` option, shared by every command that scores.
#[derive(Debug, Clone, Default, Args)]
pub struct EventsArgs {
    /// The file of an `events` block of the model: NAME=FILE, or just FILE
    /// when the model has one (repeat for several). CSV or NDJSON,
    /// optionally gzipped, as a lead file.
    #[arg(long = "events", value_name = "[NAME=]FILE")]
    pub events: Vec<String>,
}

/// Every source's table, with what its file gave.
#[derive(Debug, Default)]
pub struct Events {
    /// One per events source of the plan, in order.
    pub tables: Vec<EventTable>,
    /// Rejected events, as rejects-file lines (`events NAME row N: …`).
    pub rejects: Vec<String>,
}

/// How the events files are read: `--input-format` when a name does not
/// tell, the delimiter, the longest row and the worker threads.
#[derive(Debug, Clone, Copy)]
pub struct How {
    pub format: Option<Format>,
    pub delimiter: u8,
    pub limit: RowLimit,
    pub threads: usize,
    /// What a lead file's unreadable cell does (`--bad-values`): an
    /// account pass must leave out exactly the rows scoring rejects.
    pub bad_values: BadValues,
    /// Whether an events file may be read more than once (then standard
    /// input is kept in a temporary file).
    pub reread: bool,
}

impl How {
    /// Read with every core (at most 64), as `score` does by default.
    pub fn new(format: Option<Format>, delimiter: u8, limit: RowLimit) -> How {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        How {
            format,
            delimiter,
            limit,
            threads: cores.clamp(1, 64),
            bad_values: BadValues::Reject,
            reread: false,
        }
    }
}

/// Why the events could not be read: a message for `error: …`, and
/// whether it is the input's fault (exit 1) or the run's (exit 2).
#[derive(Debug)]
pub struct EventsFailure {
    pub message: String,
    /// Header problems, rendered like a lead file's.
    pub header: Vec<HeaderProblem>,
    pub shown: String,
}

/// A header problem of a file: a column missing, or a header that cannot
/// be read at all (not UTF-8), rendered as the lead file's are.
pub type HeaderProblem = Box<dyn miette::Diagnostic + Send + Sync>;

impl EventsFailure {
    /// A failure of the run, not of an input (exit 2).
    pub fn run(message: String) -> EventsFailure {
        EventsFailure {
            message,
            header: Vec::new(),
            shown: String::new(),
        }
    }

    /// Header problems rendered on standard error, as a lead file's are,
    /// and the closing line with its exit status (1); any other failure
    /// is the line alone (exit 2).
    pub fn reported(&self) -> (u8, String) {
        if self.header.is_empty() {
            return (super::EXIT_FAILURE, self.message.clone());
        }
        let errors: Vec<&dyn miette::Diagnostic> =
            self.header.iter().map(|e| e.as_ref() as _).collect();
        let color = super::render::color_on_stderr();
        let (reports, line) = super::render::input_refused(&self.shown, &errors, color);
        super::output::err(&reports);
        (super::EXIT_PROBLEMS, line)
    }

    /// A file whose header is a problem (exit 1): `problems`.
    pub fn header<E>(message: String, shown: &str, problems: Vec<E>) -> EventsFailure
    where
        E: miette::Diagnostic + Send + Sync + 'static,
    {
        let header = problems.into_iter().map(|p| Box::new(p) as _).collect();
        EventsFailure {
            message,
            header,
            shown: shown.to_string(),
        }
    }

    /// The failure on one line with its exit status: header problems are
    /// the input's (1), anything else stopped the command (2).
    pub fn one_line(&self) -> (u8, String) {
        if self.header.is_empty() {
            return (super::EXIT_FAILURE, self.message.clone());
        }
        let problems: Vec<String> = self.header.iter().map(|e| e.to_string()).collect();
        let line = format!("{}: {}", self.message, problems.join("; "));
        (super::EXIT_PROBLEMS, line)
    }
}

impl EventsArgs {
    /// Every path an `--events` value may name, for refusing an output
    /// that would overwrite one: `NAME=FILE` gives both readings (which
    /// one applies depends on the model's block names), so neither file
    /// can be written over.
    pub fn paths(&self) -> Vec<&str> {
        let mut paths = Vec::new();
        for given in &self.events {
            paths.push(given.as_str());
            if let Some((_, path)) = given.split_once('=') {
                paths.push(path);
            }
        }
        paths
    }

    /// Read the files the option names, as of `as_of`.
    ///
    /// With the lead file's path (`leads`; standard input only when it
    /// was kept for account values), its keys are read first and only
    /// their events take memory.
    pub fn read(
        &self,
        plan: &Plan,
        as_of: Date,
        how: How,
        leads: Option<&str>,
    ) -> Result<Events, EventsFailure> {
        self.read_among(plan, &[plan], as_of, how, leads)
    }

    /// [`EventsArgs::read`] for `plan`, one of the models `all` that a
    /// command reads (`diff`'s two): the option names the blocks of any
    /// of them, and each model reads the files of its own blocks.
    pub fn read_among(
        &self,
        plan: &Plan,
        all: &[&Plan],
        as_of: Date,
        how: How,
        leads: Option<&str>,
    ) -> Result<Events, EventsFailure> {
        let files = self.files_among(plan, all)?;
        if leads == Some("-") && files.iter().any(|f| f == "-") {
            return Err(EventsFailure {
                message: "LEADS and `--events` cannot both be standard input: give one of \
                          them by name"
                    .into(),
                header: Vec::new(),
                shown: String::new(),
            });
        }
        if how.reread && files.iter().any(|f| f == "-") {
            // Read once per model (`diff`), or again for one lead's
            // events (`explain`): keep the stream to read it from its start.
            keep_stdin().map_err(EventsFailure::run)?;
        }
        let mut events = Events::default();
        // The lead file's keys, read once per lead field the sources join
        // on; the last source to join on a field takes them.
        let mut key_sets: Vec<(FieldId, KeySet)> = Vec::new();
        for (i, (source, path)) in plan.events.iter().zip(files).enumerate() {
            let later = plan.events.as_slice().get(i + 1..).unwrap_or_default();
            let shared = later.iter().any(|s| s.lead_key == source.lead_key);
            let found = key_sets.iter().position(|(f, _)| *f == source.lead_key);
            let keys = match (leads, found) {
                (_, Some(at)) if shared => key_sets.get(at).map(|(_, k)| k.clone()),
                (_, Some(at)) => Some(key_sets.swap_remove(at).1),
                (Some(leads), None) if rereadable(leads) && !source.aggregates.is_empty() => {
                    let keys = lead_keys_of(plan, source.lead_key, leads, how);
                    if let (Some(keys), true) = (&keys, shared) {
                        key_sets.push((source.lead_key, keys.clone()));
                    }
                    keys
                }
                _ => None,
            };
            let shown = match path.as_str() {
                "-" => "standard input".to_string(),
                _ => format!("`{path}`"),
            };
            let fail = |message: String| EventsFailure {
                message,
                header: Vec::new(),
                shown: shown.clone(),
            };
            let input = io::input::open(&path)
                .map_err(|e| fail(format!("cannot read {shown}: {}", super::io_reason(&e))))?;
            let format = NameHint::of(&path)
                .format
                .or(how.format)
                .unwrap_or(Format::Csv);
            let (delimiter, limit, threads) = (how.delimiter, how.limit, how.threads);
            let read = io::read_events(
                source,
                input,
                EventsFormat {
                    format,
                    delimiter,
                    limit,
                    threads,
                },
                as_of,
                keys,
            );
            let read = read.map_err(|e| match e {
                EventsError::Open(OpenError::Io(e)) | EventsError::Io(e) => {
                    fail(format!("cannot read {shown}: {}", super::io_reason(&e)))
                }
                EventsError::Open(OpenError::Header(e)) => {
                    EventsFailure::header(format!("{shown}: {e}"), &shown, vec![e])
                }
                EventsError::Header(errors) => EventsFailure::header(
                    format!(
                        "the events file {shown} of `{}` cannot be read with this model",
                        source.name
                    ),
                    &shown,
                    errors,
                ),
                EventsError::Overflow => fail(format!(
                    "the events of `{}` in {shown} add up past the largest number Tally holds",
                    source.name
                )),
            })?;
            let name = &source.name;
            events
                .rejects
                .extend(read.rejects.iter().map(|r| format!("events {name} {r}")));
            events.tables.push(read.table);
        }
        Ok(events)
    }
}

/// Keep standard input in a temporary file, to read it more than once.
fn keep_stdin() -> Result<(), String> {
    io::input::keep_stdin().map_err(|e| match e {
        io::input::KeepError::Temporary(e) => format!(
            "cannot make a temporary file to keep standard input in: {}; `--events -` is \
             read more than once here: set TMPDIR to a writable directory, or give the \
             events file by name",
            super::io_reason(&e)
        ),
        io::input::KeepError::Copy(e) => format!(
            "cannot keep standard input in a temporary file: {}",
            super::io_reason(&e)
        ),
    })
}

/// Whether the lead file can be read before it is scored.
fn rereadable(leads: &str) -> bool {
    leads != "-" || io::input::stdin_kept()
}

/// The lead file's join keys for the lead field `field`.
/// `None` when the file cannot be read so: its problems are the scoring
/// pass's to report, and every event is kept.
fn lead_keys_of(plan: &Plan, field: FieldId, leads: &str, how: How) -> Option<KeySet> {
    let input = io::input::open(leads).ok()?;
    let format = NameHint::of(leads)
        .format
        .or(how.format)
        .unwrap_or(Format::Csv);
    let read = EventsFormat {
        format,
        delimiter: how.delimiter,
        limit: how.limit,
        threads: how.threads,
    };
    io::lead_keys(&plan.fields, field, input, read).ok()
}

/// What each event of one lead gave one `each` rule (`tally explain`).
#[derive(Debug, Clone)]
pub struct EachExplained {
    pub reason: String,
    pub max: Option<crate::value::Decimal>,
    pub contributions: Vec<crate::eval::Contribution>,
}

/// The `each` rules' events of `lead`: its events are read again from
/// the files, kept for this lead only.
pub fn each_explained(
    plan: &Plan,
    args: &EventsArgs,
    lead: &crate::eval::Lead,
    as_of: Date,
    how: How,
) -> Result<Vec<EachExplained>, EventsFailure> {
    let files = args.files(plan)?;
    let mut explained = Vec::new();
    for (source, path) in plan.events.iter().zip(files) {
        let eaches: Vec<_> = source
            .aggregates
            .iter()
            .filter(|a| a.kind == crate::check::model::AggregateKind::Each)
            .collect();
        let key = lead.values.get(source.lead_key).cloned().flatten();
        let Some(key) = key.filter(|_| !eaches.is_empty()) else {
            continue;
        };
        let fail = |message: String| EventsFailure {
            message,
            header: Vec::new(),
            shown: path.clone(),
        };
        let input =
            io::input::open(&path).map_err(|e| fail(format!("cannot read `{path}`: {e}")))?;
        let format = NameHint::of(&path)
            .format
            .or(how.format)
            .unwrap_or(Format::Csv);
        let how = EventsFormat {
            format,
            delimiter: how.delimiter,
            limit: how.limit,
            threads: 1,
        };
        let events = io::events_of(source, input, how, &key)
            .map_err(|_| fail(format!("cannot read the events in `{path}`")))?;
        for aggregate in eaches {
            let rule = plan
                .rules
                .iter()
                .find(|r| matches!(r.points, crate::plan::Node::Field(f) if f == aggregate.field));
            explained.push(EachExplained {
                reason: rule.map_or(aggregate.text.clone(), |r| r.reason.clone()),
                max: aggregate.max,
                contributions: crate::eval::contributions(aggregate, source, &events, lead, as_of),
            });
        }
    }
    Ok(explained)
}

/// A note on standard error for the events a command without a rejects
/// file left out (`explain` and the model-quality commands), so that
/// a column of bad dates is not silently "no events": how many, and the
/// first. `all` holds each model's events (`diff` reads them per model);
/// an event left out by several is counted once.
pub fn note_rejected(all: &[&Events]) {
    let mut lines: Vec<&str> = Vec::new();
    for line in all.iter().flat_map(|e| e.rejects.iter()) {
        if !lines.contains(&line.as_str()) {
            lines.push(line);
        }
    }
    let Some(first) = lines.first() else {
        return;
    };
    let n = lines.len();
    let (s, first_one) = if n == 1 {
        ("", "")
    } else {
        ("s", "; the first: ")
    };
    super::output::errln(&format!(
        "note: {n} event{s} left out as unreadable, as `score` rejects them{first_one}{}{first}",
        if n == 1 { ": " } else { "" }
    ));
}

/// One summary line per source: `events activity: 12 read, 9 used, 1
/// rejected, 2 matching no lead, 1 after the as-of date` (valid after
/// the leads are scored: a key is matched when a lead looks it up).
pub fn summary(plan: &Plan, events: &Events) -> Vec<String> {
    plan.events
        .iter()
        .zip(&events.tables)
        .map(|(source, table)| {
            let c = table.counts;
            let mut line = format!(
                "events {}: {} read, {} used, {} rejected, {} matching no lead",
                source.name,
                c.read,
                table.used(),
                c.rejected,
                table.unmatched()
            );
            if c.future > 0 {
                line.push_str(&format!(", {} after the as-of date", c.future));
            }
            line
        })
        .collect()
}
