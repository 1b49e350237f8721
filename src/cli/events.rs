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
        let files = self.files(plan)?;
        if leads == Some("-") && files.iter().any(|f| f == "-") {
            return Err(EventsFailure {
                message: "LEADS and `--events` cannot both be standard input: give one of \
                          them by name"
                    .into(),
                header: Vec::new(),
                shown: String::new(),
            });
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

    /// The file of each source of the plan, in order.
    pub fn files(&self, plan: &Plan) -> Result<Vec<String>, EventsFailure> {
        let fail = |message: String| EventsFailure {
            message,
            header: Vec::new(),
            shown: String::new(),
        };
        let names: Vec<&str> = plan.events.iter().map(|s| s.name.as_str()).collect();
        if names.is_empty() && !self.events.is_empty() {
            return Err(fail(
                "`--events` was given, but the model has no `events` block".into(),
            ));
        }
        let mut files: Vec<Option<String>> = vec![None; names.len()];
        for given in &self.events {
            let (index, path) = resolve(given, &names).map_err(fail)?;
            let Some(slot) = files.get_mut(index) else {
                continue;
            };
            if slot.is_some() {
                return Err(fail(format!(
                    "`--events` gives the file of `{}` twice",
                    names.get(index).unwrap_or(&"")
                )));
            }
            *slot = Some(path.to_string());
        }
        if files.iter().flatten().filter(|f| *f == "-").count() > 1 {
            return Err(fail(
                "only one `--events` file can be standard input: give the others by name".into(),
            ));
        }
        names
            .iter()
            .zip(files)
            .map(|(name, file)| {
                file.ok_or_else(|| {
                    fail(format!(
                        "the model reads the events `{name}`: give their file with `--events {name}=FILE`"
                    ))
                })
            })
            .collect()
    }
}

/// Which source an `--events` value gives the file of (its index among
/// `names`, the model's blocks), and the file's path.
fn resolve<'g>(given: &'g str, names: &[&str]) -> Result<(usize, &'g str), String> {
    let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
    let listed = listed.join(", ");
    // `NAME=FILE` when NAME is a word (a path may hold `=` too: `./a=b`).
    let word = |name: &str| name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let example = |name: &str, path: &str| match path {
        "" => format!("`--events {name}={name}.csv`"),
        _ => format!("`--events {name}={path}`"),
    };
    match (given.split_once('='), names) {
        (Some((name, "")), _) if names.contains(&name) => Err(format!(
            "`--events {given}` names no file: write the file of the events `{name}` after \
             `=`, as {}",
            example(name, "")
        )),
        (Some((name, path)), _) if names.contains(&name) => names
            .iter()
            .position(|n| *n == name)
            .map(|i| (i, path))
            .ok_or_else(String::new),
        (Some(("", path)), [only]) => Err(format!(
            "`--events {given}` names no events block before `=`: write {}",
            example(only, path)
        )),
        (Some(("", _)), _) => Err(format!(
            "`--events {given}` names no events block before `=`: write `--events NAME=FILE` \
             with NAME one of {listed}"
        )),
        (Some((name, _)), _) if word(name) => Err(format!(
            "cannot tell which events `{given}` are: the model has no events block `{name}`; \
             its blocks: {listed}"
        )),
        (_, [_]) if given.is_empty() => Err(format!(
            "`--events` names no file: write {}",
            example(names.first().unwrap_or(&"NAME"), "")
        )),
        (_, [_]) => Ok((0, given)),
        _ => Err(format!(
            "cannot tell which events `{given}` are: the model has several events blocks \
             ({listed}): write `--events NAME=FILE` for each"
        )),
    }
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
