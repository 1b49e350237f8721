//! `tally explain MODEL LEADS --row N`: why one lead scored what it did.

use clap::Args;

use super::{explain_text, output};
use super::{load_model, parse_date, today_utc, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::eval::Scorer;
use crate::io::{self, Binding, Format, NameHint, OpenError, Reader, Record, RowData};
use crate::plan;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The model (`-` reads standard input).
    #[arg(value_name = "MODEL")]
    model: String,
    /// The lead file: CSV or NDJSON, optionally gzipped.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// The row to explain: 1 is the first lead after the header.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    row: u64,
    /// The date `today` means (default: today's UTC date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<crate::value::Date>,
    /// Input format when the lead file's name does not tell (default: csv).
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "ndjson", "jsonl"])]
    input_format: Option<String>,
    /// CSV field delimiter, one ASCII character.
    #[arg(long, value_name = "C", default_value = ",")]
    delimiter: char,
    /// The longest row read (a CSV record or an NDJSON line); a longer one
    /// is rejected. Bytes, or with a unit: 64MiB, 64M, 1G.
    #[arg(long, value_name = "N", default_value = "16MiB")]
    max_row_bytes: io::RowLimit,
}

/// Run `tally explain`; returns the exit status.
pub fn run(args: &ExplainArgs) -> u8 {
    let model = match load_model(&args.model) {
        Ok((_, model)) => model,
        Err(status) => return status,
    };
    let plan = plan::compile(&model);
    let (binding, record, first_column) = match find_row(args, &plan) {
        Ok(found) => found,
        Err((status, message)) => {
            output::errln(&format!("error: {message}"));
            return status;
        }
    };
    let lead = match binding.lead(&record) {
        Ok(lead) => lead,
        Err(rejection) => {
            output::errln(&format!("error: this row cannot be scored: {rejection}"));
            return EXIT_PROBLEMS;
        }
    };
    let trace = Scorer::new(&plan, args.as_of.unwrap_or_else(today_utc)).explain(&lead);
    if let Some(overflow) = trace.overflow {
        let rejection = io::Rejection::row(record.row, overflow.reason(&plan));
        super::output::errln(&format!("error: this row cannot be scored: {rejection}"));
        return EXIT_PROBLEMS;
    }
    let who = identity(first_column.as_deref(), &record);
    let text = explain_text::render(&plan, &trace, record.row, who.as_deref());
    output::print(&text, EXIT_OK)
}

/// `lead_id "L-0042"`: the first column and its value, which name the
/// lead in most files.
fn identity(first_column: Option<&str>, record: &Record) -> Option<String> {
    let column = first_column?;
    let value = match &record.data {
        RowData::Cells(cells) => format!("{:?}", cells.first()?),
        RowData::Object(map) => map.get(column)?.to_string(),
    };
    Some(format!("{column} {value}"))
}

/// Open the lead file, bind the model to it and read up to row N.
fn find_row(
    args: &ExplainArgs,
    plan: &plan::Plan,
) -> Result<(Binding, Record, Option<String>), (u8, String)> {
    let format = NameHint::of(&args.leads)
        .format
        .or(match args.input_format.as_deref() {
            Some("ndjson" | "jsonl") => Some(Format::Ndjson),
            Some(_) => Some(Format::Csv),
            None => None,
        });
    let shown = format!("`{}`", args.leads);
    let failure = |e: std::io::Error| (EXIT_FAILURE, format!("cannot read {shown}: {e}"));
    let input = io::input::open(&args.leads).map_err(failure)?;
    let delimiter = u8::try_from(args.delimiter).unwrap_or(b',');
    let format = format.unwrap_or(Format::Csv);
    let mut reader =
        Reader::with_limit(input, format, delimiter, args.max_row_bytes).map_err(|e| match e {
            OpenError::Io(error) => failure(error),
            OpenError::Header(message) => (EXIT_PROBLEMS, format!("{shown}: {message}")),
        })?;
    let binding = Binding::new(plan, reader.header()).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("{shown}: {e}")).collect();
        (EXIT_PROBLEMS, lines.join("\nerror: "))
    })?;
    loop {
        match reader.next_row().map_err(failure)? {
            None => return Err((EXIT_PROBLEMS, format!("{shown} has no row {}", args.row))),
            Some(Ok(record)) if record.row == args.row => {
                let first = reader.header().columns.first().cloned();
                return Ok((binding, record, first));
            }
            Some(Err(rejection)) if rejection.row == args.row => {
                return Err((
                    EXIT_PROBLEMS,
                    format!("this row cannot be scored: {rejection}"),
                ))
            }
            Some(_) => {}
        }
    }
}
