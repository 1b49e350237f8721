//! `tally explain MODEL LEADS (--row N | --id VALUE | --where FIELD=VALUE)`:
//! why one lead scored what it did, as text or as JSON.

use clap::{Args, ValueEnum};

use super::common::parse_delimiter;
use super::leads::LeadFile;
use super::score::BadValuesArg;
use super::{explain_json, explain_text, output};
use super::{load_model, parse_date, today_utc, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::eval::Scorer;
use crate::id::FieldId;
use crate::io::{self, Binding, Format, Record, RowData};
use crate::plan::{self, Plan};
use crate::quality::{Column, ModelStamp};
use crate::value::fold_text;
use crate::value::local::Local;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["row", "id", "matching"])))]
pub struct ExplainArgs {
    /// The model (`-` reads standard input).
    #[arg(value_name = "MODEL")]
    model: String,
    /// The lead file: CSV or NDJSON, optionally gzipped.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// The row to explain: 1 is the first lead after the header.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    row: Option<u64>,
    /// The lead whose value of the model's first field is VALUE (compared
    /// as `==` compares text: case and outer spaces ignored).
    #[arg(long, value_name = "VALUE")]
    id: Option<String>,
    /// The first lead whose FIELD (a model field or a column) is VALUE.
    #[arg(long = "where", value_name = "FIELD=VALUE", value_parser = parse_where)]
    matching: Option<(String, String)>,
    /// The date `today` means (default: today's UTC date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<crate::value::Date>,
    /// Input format when the lead file's name does not tell (default: csv).
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "ndjson", "jsonl"])]
    input_format: Option<String>,
    /// CSV field delimiter, one ASCII character (`\t` for tab).
    #[arg(long, value_name = "C", default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    /// The longest row read (a CSV record or an NDJSON line); a longer one
    /// is rejected. Bytes, or with a unit: 64MiB, 64M, 1G.
    #[arg(long, value_name = "N", default_value = "16MiB")]
    max_row_bytes: io::RowLimit,
    /// What to do with a cell that cannot be read as its field's type:
    /// refuse to explain the lead, or read the cell as missing (with a note).
    #[arg(long, value_enum, value_name = "WHAT", default_value = "reject")]
    bad_values: BadValuesArg,
    /// How to print the explanation.
    #[arg(long, value_enum, default_value_t = Shape::Text)]
    format: Shape,
    #[command(flatten)]
    events: super::events::EventsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Shape {
    Text,
    Json,
}

/// `FIELD=VALUE`.
fn parse_where(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.to_string()))
        }
        _ => Err("expected FIELD=VALUE, such as lead_id=L-0042".into()),
    }
}

/// Run `tally explain`; returns the exit status.
pub fn run(args: &ExplainArgs) -> u8 {
    if let Some(message) = stdin_twice(args) {
        output::errln(&format!("error: {message}"));
        return super::EXIT_FAILURE;
    }
    let (source, model) = match load_model(&args.model) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let plan = plan::compile(&model);
    if let Err(message) = super::accounts::keep_leads_for(&args.leads, &[&plan]) {
        output::errln(&format!("error: {message}"));
        return super::EXIT_FAILURE;
    }
    let (binding, record, first_column, local) = match find_lead(args, &plan) {
        Ok(found) => found,
        Err((status, message)) => {
            output::errln(&format!("error: {message}"));
            return status;
        }
    };
    let mut notes = Vec::new();
    let lead = match binding.lead_noting(&record, &mut notes) {
        Ok(lead) => lead,
        Err(rejection) => {
            output::errln(&format!("error: this row cannot be scored: {rejection}"));
            return EXIT_PROBLEMS;
        }
    };
    for note in notes {
        output::errln(&format!("note: {note}"));
    }
    let as_of = args.as_of.unwrap_or_else(today_utc);
    let how = super::events::How {
        bad_values: args.bad_values.into(),
        // The lead's own events are read again for its `each` rules.
        reread: true,
        ..super::events::How::new(input_format(args), args.delimiter, args.max_row_bytes)
    };
    let events = match args.events.read(&plan, as_of, how, None) {
        Ok(events) => events,
        Err(failure) => {
            let (status, line) = failure.reported();
            output::errln(&format!("error: {line}"));
            return status;
        }
    };
    super::events::note_rejected(&[&events]);
    let shown = super::score::shown_name(&args.leads);
    let read = super::accounts::read_accounts(&plan, (&args.leads, &shown), how, as_of, &events);
    let accounts = match read {
        Ok(accounts) => accounts,
        Err(failure) => {
            let (status, line) = failure.one_line();
            output::errln(&format!("error: {line}"));
            return status;
        }
    };
    let trace = Scorer::new(&plan, as_of)
        .with_events(&events.tables)
        .with_accounts(&accounts)
        .explain(&lead);
    let account = plan.account.as_ref().map(|account| {
        let key = lead.values.get(account.by).cloned().flatten();
        let attached = with_account_values(&plan, &lead, &accounts);
        let values = (account.values.iter())
            .map(|v| {
                let value = attached.values.get(v.field).cloned().flatten();
                (format!("account.{}", v.text), value)
            })
            .collect();
        explain_json::AccountShown {
            leads: accounts.leads_in(key.as_ref()),
            values,
        }
    });
    let account_line = account.as_ref().map(|shown| {
        let values: Vec<String> = (shown.values.iter())
            .map(|(name, value)| format!("{name} = {}", explain_text::shown_value(value.as_ref())))
            .collect();
        match shown.leads {
            Some(n) => format!(
                "\naccount ({} lead{}): {}\n",
                n,
                if n == 1 { "" } else { "s" },
                values.join(", ")
            ),
            None => "\naccount: none (no value to group by), so its values are missing\n".into(),
        }
    });
    let each = match super::events::each_explained(&plan, &args.events, &lead, as_of, how) {
        Ok(each) => each,
        Err(failure) => {
            let (status, line) = failure.reported();
            output::errln(&format!("error: {line}"));
            return status;
        }
    };
    if let Some(overflow) = trace.overflow {
        let rejection = io::Rejection::row(record.row, overflow.reason(&plan));
        output::errln(&format!("error: this row cannot be scored: {rejection}"));
        return EXIT_PROBLEMS;
    }
    let who = identity(first_column.as_deref(), &record);
    let text = match args.format {
        Shape::Text => {
            let shown = who.as_ref().map(|(c, v)| format!("{c} {v:?}"));
            let mut text = explain_text::render(&plan, &trace, record.row, shown.as_deref());
            text.push_str(&local_section(&plan, &lead, &local));
            text.push_str(&explain_text::each_section(&each));
            text.push_str(account_line.as_deref().unwrap_or_default());
            text
        }
        Shape::Json => {
            let stamp = ModelStamp::new(&model, source.text().as_bytes());
            let who = who.as_ref().map(|(c, v)| (c.as_str(), v.clone()));
            let extras = (each.as_slice(), account.as_ref());
            explain_json::render(&plan, &trace, record.row, who, &stamp, extras)
        }
    };
    output::print(&text, EXIT_OK)
}

/// Standard input named twice: one stream cannot be two files.
fn stdin_twice(args: &ExplainArgs) -> Option<String> {
    let events = args.events.paths().into_iter().map(|p| ("`--events`", p));
    let inputs = [("MODEL", args.model.as_str()), ("LEADS", &args.leads)];
    let all: Vec<(&str, &str)> = inputs.into_iter().chain(events).collect();
    super::common::one_stdin(&all).err()
}

/// The first column and its value, which name the lead in most files.
fn identity(first_column: Option<&str>, record: &Record) -> Option<(String, String)> {
    let column = first_column?;
    let value = match &record.data {
        RowData::Cells(cells) => cells.first()?.clone(),
        RowData::Object(map) => match map.get(column)? {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        },
    };
    Some((column.to_string(), value))
}

/// Which lead the arguments ask for.
enum Wanted<'a> {
    Row(u64),
    /// A column whose text equals a value, as `==` compares text.
    Cell {
        column: String,
        value: &'a str,
    },
}

impl Wanted<'_> {
    fn described(&self, shown: &str) -> String {
        match self {
            Wanted::Row(row) => format!("{shown} has no row {row}"),
            Wanted::Cell { column, value } => {
                format!("{shown} has no lead whose {column:?} is {value:?}")
            }
        }
    }
}

/// What `--row`, `--id` or `--where` names, with the file's header.
fn wanted<'a>(
    args: &'a ExplainArgs,
    plan: &Plan,
    header: &io::Header,
) -> Result<Wanted<'a>, String> {
    let (name, value) = match (&args.row, &args.id, &args.matching) {
        (Some(row), _, _) => return Ok(Wanted::Row(*row)),
        (_, Some(id), _) => match plan.fields.first() {
            Some(field) => (field.name.as_str(), id.as_str()),
            None => return Err("the model has no field for --id to match".into()),
        },
        (_, _, Some((field, value))) => (field.as_str(), value.as_str()),
        _ => return Err("say which lead: --row N, --id VALUE or --where FIELD=VALUE".into()),
    };
    // A model field's column, else a column of that name.
    let column = plan
        .fields
        .iter()
        .find(|f| f.name == name)
        .map_or(name, |f| f.column.as_str());
    match Column::find(header, column) {
        Ok(_) => Ok(Wanted::Cell {
            column: column.to_string(),
            value,
        }),
        Err(_) => {
            let names = plan.fields.iter().map(|f| f.name.as_str());
            let candidates = names.chain(header.columns.iter().map(String::as_str));
            let closest = candidates.min_by_key(|c| strsim::levenshtein(c, name));
            let hint = closest.map_or(String::new(), |c| format!("; did you mean {c:?}?"));
            Err(format!(
                "{name:?} is neither a field of the model nor a column of the file{hint}"
            ))
        }
    }
}

/// The raw cells of the fields read in a local format (language 1.1
/// modifiers), by field index, to show beside the values read from them.
type LocalCells = Vec<(FieldId, String)>;

fn local_cells(plan: &Plan, header: &io::Header, record: &Record) -> LocalCells {
    let local =
        |f: &&crate::plan::FieldSpec| f.read.local != Local::Plain && (f.used || f.required);
    plan.fields
        .enumerate()
        .filter(|(_, f)| local(f))
        .filter_map(|(i, f)| {
            Column::find(header, &f.column)
                .ok()
                .map(|c| (i, c.text(record)))
        })
        .collect()
}

/// `cells read in a local format`: each such cell as written and the
/// value read from it.
fn local_section(plan: &Plan, lead: &crate::eval::Lead, cells: &LocalCells) -> String {
    let mut out = String::new();
    for (i, cell) in cells {
        let name = plan.fields.get(*i).map_or("?", |f| f.name.as_str());
        let value = lead.values.get(*i).and_then(Option::as_ref);
        let value = explain_text::shown_value(value);
        out.push_str(&format!("  {name} = {value}, read from {cell:?}\n"));
    }
    if out.is_empty() {
        return out;
    }
    format!("\ncells read in a local format\n{out}")
}

/// The lead with its account values looked up.
fn with_account_values(
    plan: &Plan,
    lead: &crate::eval::Lead,
    accounts: &crate::eval::AccountTables,
) -> crate::eval::Lead {
    let mut lead = lead.clone();
    let scorer = Scorer::new(plan, crate::value::Date::default()).with_accounts(accounts);
    scorer.attach_events(&mut lead, &mut Vec::new());
    lead
}

/// `--input-format`.
fn input_format(args: &ExplainArgs) -> Option<Format> {
    match args.input_format.as_deref() {
        Some("ndjson" | "jsonl") => Some(Format::Ndjson),
        Some(_) => Some(Format::Csv),
        None => None,
    }
}

/// The lead found: its binding, record, first column and local cells.
type Found = (Binding, Record, Option<String>, LocalCells);

/// Open the lead file, bind the model to it and read up to the lead.
fn find_lead(args: &ExplainArgs, plan: &Plan) -> Result<Found, (u8, String)> {
    let file = LeadFile {
        path: &args.leads,
        format: input_format(args),
        delimiter: args.delimiter,
        limit: args.max_row_bytes,
    };
    let shown = file.shown();
    let (mut reader, binding) = file.open(plan)?;
    let binding = binding.with_bad_values(args.bad_values.into());
    let target = wanted(args, plan, reader.header())
        .map_err(|m| (EXIT_PROBLEMS, format!("{shown}: {m}")))?;
    let key = match &target {
        Wanted::Cell { column, .. } => Column::find(reader.header(), column).ok(),
        Wanted::Row(_) => None,
    };
    let failure = |e: std::io::Error| (EXIT_FAILURE, format!("cannot read {shown}: {e}"));
    loop {
        let row = reader.next_row().map_err(failure)?;
        let found = match (&row, &target, &key) {
            // NDJSON: a key no object had is likely misspelt.
            (None, Wanted::Cell { column, .. }, Some(key)) if !key.seen() => {
                let message = format!("{shown}: no object has the key {column:?}");
                return Err((EXIT_PROBLEMS, message));
            }
            (None, _, _) => return Err((EXIT_PROBLEMS, target.described(&shown))),
            (Some(Ok(record)), Wanted::Row(n), _) => record.row == *n,
            (Some(Err(rejection)), Wanted::Row(n), _) => rejection.row == *n,
            (Some(Ok(record)), Wanted::Cell { value, .. }, Some(key)) => {
                fold_text(&key.text(record)) == fold_text(value)
            }
            _ => false,
        };
        match row {
            Some(Ok(record)) if found => {
                let first = reader.header().columns.first().cloned();
                let local = local_cells(plan, reader.header(), &record);
                return Ok((binding, record, first, local));
            }
            Some(Err(rejection)) if found => {
                let message = format!("this row cannot be scored: {rejection}");
                return Err((EXIT_PROBLEMS, message));
            }
            _ => {}
        }
    }
}
