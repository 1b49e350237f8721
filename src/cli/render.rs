//! Rendering findings: for people (miette's graphical report), for
//! programs (JSON) and for GitHub Actions (workflow annotations).

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, Severity};
use serde::Serialize;

use super::excerpt::Excerpt;
use crate::source::Source;
use crate::Finding;

/// At most this many findings of one file are shown, in every format;
/// the rest are counted in one closing line. A generated or broken model
/// can have tens of thousands, and nobody reads past the first few.
pub const SHOWN_PER_FILE: usize = 50;

/// The findings of one file that are shown, and those that are only counted.
pub fn shown(findings: &[Finding]) -> (&[Finding], &[Finding]) {
    findings.split_at(findings.len().min(SHOWN_PER_FILE))
}

/// `and 9950 more errors in big.tally`, for the findings not shown.
pub fn more_line(name: &str, left_out: &[Finding]) -> Option<String> {
    let errors = left_out.iter().filter(|f| f.is_error()).count();
    let warnings = left_out.len() - errors;
    let more = |n: usize, word: &str| format!("{n} more {word}{}", if n == 1 { "" } else { "s" });
    let what = match (errors, warnings) {
        (0, 0) => return None,
        (e, 0) => more(e, "error"),
        (0, w) => more(w, "warning"),
        (e, w) => format!("{} and {}", more(e, "error"), more(w, "warning")),
    };
    Some(format!(
        "and {what} in {name} (only the first {SHOWN_PER_FILE} findings of a file are shown)"
    ))
}

/// The people-readable reports of a file's findings, each followed by a
/// blank line, at most `SHOWN_PER_FILE` of them and then the count of
/// the rest.
pub fn human_all(source: &Source, findings: &[Finding], color: bool) -> String {
    let (shown, left_out) = shown(findings);
    let mut out = String::new();
    for finding in shown {
        out.push_str(&human(source, finding, color));
        out.push('\n');
    }
    if let Some(line) = more_line(source.name(), left_out) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

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
    let report = Report::new(source, finding);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", source.name(), finding);
    }
    out
}

/// Whether reports on standard error are coloured: on a terminal, unless
/// `NO_COLOR` is set.
pub fn color_on_stderr() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A problem with an input that is not a model (a lead file's header,
/// `io::HeaderError`), rendered as a model's finding is, code and help
/// included, without a source excerpt; `file` (as messages name it) goes
/// in front of the message. Ends with a blank line, as `human_all` does.
pub fn human_input(file: &str, diagnostic: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let report = InFile {
        file,
        inner: diagnostic,
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("error: {report}\n");
    }
    out.push('\n');
    out
}

/// The reports of the problems that stop an input file from being read
/// (its header), and the closing line that counts them, which callers
/// print after `error: ` as their other errors.
pub fn input_refused(file: &str, errors: &[&dyn Diagnostic], color: bool) -> (String, String) {
    let reports = errors
        .iter()
        .map(|e| human_input(file, *e, color))
        .collect();
    let n = errors.len();
    let s = if n == 1 { "" } else { "s" };
    (
        reports,
        format!("{file}: {n} header error{s}; no row was read"),
    )
}

/// A diagnostic about a file, its message led by the file's name.
#[derive(Debug)]
struct InFile<'a> {
    file: &'a str,
    inner: &'a dyn Diagnostic,
}

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.inner)
    }
}

impl std::error::Error for InFile<'_> {}

impl Diagnostic for InFile<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
}

/// A finding as miette renders it: its labels moved into an excerpt of
/// the lines they point at (see `excerpt.rs`).
#[derive(Debug)]
struct Report<'a> {
    finding: &'a Finding,
    labels: Vec<LabeledSpan>,
    excerpt: Excerpt,
}

impl<'a> Report<'a> {
    fn new(source: &Source, finding: &'a Finding) -> Report<'a> {
        let mut labels: Vec<LabeledSpan> = finding.labels().into_iter().flatten().collect();
        // The header's `file:line:col` is the primary label's: the first
        // one, as the JSON and GitHub formats report it, not whichever
        // comes first in the file (`unreachable_line` points at an earlier
        // line too).
        if !labels.iter().any(LabeledSpan::primary) {
            if let Some(first) = labels.first_mut() {
                *first = LabeledSpan::new_primary_with_span(
                    first.label().map(str::to_string),
                    first.inner().to_owned(),
                );
            }
        }
        let excerpt = Excerpt::new(source, &labels);
        let labels = labels.iter().map(|l| excerpt.relabel(l)).collect();
        Report {
            finding,
            labels,
            excerpt,
        }
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.finding.fmt(f)
    }
}

impl std::error::Error for Report<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.finding.source()
    }
}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding.code()
    }

    fn severity(&self) -> Option<Severity> {
        self.finding.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding.help()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding.url()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.excerpt)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
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
