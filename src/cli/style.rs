//! What the model-quality commands share on the command line: how they
//! print (text, Markdown for a pull request, JSON) and `--input-format`.

use clap::ValueEnum;
use serde::Serialize;

use super::{output, EXIT_FAILURE, EXIT_OK};
use crate::io::Format;

/// How a model-quality command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// Aligned tables for a terminal.
    Text,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
    /// One JSON document.
    Json,
}

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Ndjson,
}

impl InputFormat {
    pub fn format(self) -> Format {
        match self {
            InputFormat::Csv => Format::Csv,
            InputFormat::Ndjson => Format::Ndjson,
        }
    }
}

/// Print `value` in `style` on standard output: as JSON, or as
/// `render(markdown)` gives it; the exit status.
pub fn print_styled(
    value: &impl Serialize,
    style: Style,
    render: impl FnOnce(bool) -> String,
) -> u8 {
    let text = match style {
        Style::Json => match serde_json::to_string_pretty(value) {
            Ok(json) => json + "\n",
            Err(e) => {
                output::errln(&format!("error: internal error writing JSON: {e}"));
                return EXIT_FAILURE;
            }
        },
        Style::Text => render(false),
        Style::Markdown => render(true),
    };
    output::print(&text, EXIT_OK)
}

/// How the model-quality commands read their lead files: the options
/// they share with `score`.
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// The date `today` means (default: today's UTC date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub as_of: Option<crate::value::Date>,
    /// Input format when the lead file's name does not tell (default: csv).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// CSV field delimiter, one ASCII character (`\t` for tab).
    #[arg(long, value_name = "C", default_value = ",", value_parser = super::common::parse_delimiter)]
    pub delimiter: u8,
    #[command(flatten)]
    pub events: super::events::EventsArgs,
}

impl ReadArgs {
    /// The lead file at `path`, read with these options.
    pub fn file<'a>(&self, path: &'a str) -> super::leads::LeadFile<'a> {
        super::leads::LeadFile {
            path,
            format: self.input_format.map(InputFormat::format),
            delimiter: self.delimiter,
            limit: crate::io::RowLimit::default(),
        }
    }

    /// The events files (`--events`) of `plan`, one of the models `all`
    /// the command reads, as of the as-of date. Rejected events are left
    /// out, as unreadable rows are (see [`super::events::note_rejected`]).
    pub fn events(
        &self,
        plan: &crate::plan::Plan,
        all: &[&crate::plan::Plan],
        leads: &str,
    ) -> Result<super::events::Events, (u8, String)> {
        let how = super::events::How {
            reread: true,
            ..super::events::How::new(
                self.input_format.map(InputFormat::format),
                self.delimiter,
                crate::io::RowLimit::default(),
            )
        };
        self.events
            .read_among(plan, all, self.today(), how, Some(leads))
            .map_err(|failure| failure.reported())
    }

    /// The account values of `plan` over the lead file `path` (a pass or
    /// two over it; none without an `account` block).
    pub fn accounts(
        &self,
        plan: &crate::plan::Plan,
        path: &str,
        events: &super::events::Events,
    ) -> Result<crate::eval::AccountTables, (u8, String)> {
        let how = super::events::How::new(
            self.input_format.map(InputFormat::format),
            self.delimiter,
            crate::io::RowLimit::default(),
        );
        let shown = super::score::shown_name(path);
        super::accounts::read_accounts(plan, (path, &shown), how, self.today(), events)
            .map_err(|failure| failure.one_line())
    }

    /// [`super::common::one_stdin`] over `inputs` and `--events`.
    pub fn one_stdin(&self, inputs: &[(&str, &str)]) -> Result<(), String> {
        let events = self.events.paths().into_iter().map(|p| ("`--events`", p));
        let all: Vec<(&str, &str)> = inputs.iter().copied().chain(events).collect();
        super::common::one_stdin(&all)
    }

    /// The as-of date: `--as-of`, or today's UTC date.
    pub fn today(&self) -> crate::value::Date {
        self.as_of.unwrap_or_else(super::today_utc)
    }
}
