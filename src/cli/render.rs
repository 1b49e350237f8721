//! Rendering findings: for people (miette's graphical report), for
//! programs (JSON) and for GitHub Actions (workflow annotations).

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Severity};
use serde::Serialize;

use crate::source::Source;
use crate::Finding;

/// How `check` and `test` print their results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable reports (findings on standard error).
    Human,
    /// One JSON document on standard output (schemas in docs/cli.md).
    Json,
    /// GitHub Actions annotations on standard output.
    Github,
}

/// Render one finding as a people-readable report with a source excerpt.
pub fn human(source: &Source, finding: &Finding, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let report = miette::Report::new(finding.clone()).with_source_code(source.to_named_source());
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("{}: {}\n", source.name(), finding);
    }
    out
}

/// A position range in a model, 1-based, columns in characters.
#[derive(Debug, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// One labelled span of a finding.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    pub message: Option<String>,
    #[serde(flatten)]
    pub location: Location,
}

/// A finding in the stable JSON schema (docs/cli.md).
#[derive(Debug, Serialize)]
pub struct JsonFinding {
    pub severity: &'static str,
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    #[serde(flatten)]
    pub location: Location,
    pub labels: Vec<JsonLabel>,
}

/// A finding as data with line and column numbers.
pub fn json(source: &Source, finding: &Finding) -> JsonFinding {
    let labels: Vec<JsonLabel> = finding
        .labels()
        .into_iter()
        .flatten()
        .map(|label| JsonLabel {
            message: label.label().map(str::to_string),
            location: locate(source, label.offset(), label.len()),
        })
        .collect();
    let location = labels
        .first()
        .map(|l| Location {
            ..copy(&l.location)
        })
        .unwrap_or(Location {
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        });
    JsonFinding {
        severity: severity_word(finding),
        code: finding.code().map(|c| c.to_string()).unwrap_or_default(),
        message: finding.to_string(),
        help: finding.help().map(|h| h.to_string()),
        location,
        labels,
    }
}

fn copy(l: &Location) -> Location {
    Location {
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
    }
}

fn locate(source: &Source, offset: usize, len: usize) -> Location {
    let (line, column) = source.line_col(offset);
    let (end_line, end_column) = source.line_col(offset + len);
    Location {
        line,
        column,
        end_line,
        end_column,
    }
}

fn severity_word(finding: &Finding) -> &'static str {
    match finding.severity() {
        Some(Severity::Warning) => "warning",
        Some(Severity::Advice) => "notice",
        _ => "error",
    }
}

/// One GitHub Actions workflow command (`::error file=…,line=…::msg`).
pub fn github(source: &Source, finding: &Finding) -> String {
    let data = json(source, finding);
    let mut message = data.message.clone();
    if let Some(help) = &data.help {
        message.push_str(&format!(" (help: {help})"));
    }
    let l = &data.location;
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        data.severity,
        escape_property(source.name()),
        l.line,
        l.column,
        l.end_line,
        l.end_column,
        escape_property(&data.code),
        escape_data(&message),
    )
}

/// Escape a workflow command's message (GitHub's rules).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value (GitHub's rules).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
