//! `tally check MODEL…`: parse and type-check, print the findings (at
//! most `render::SHOWN_PER_FILE` per file, then a count of the rest).

use clap::Args;
use serde::Serialize;

use super::render::{self, Format, JsonFinding};
use super::{output, read_input, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::check::lints::{score_range, Range};
use crate::source::Source;
use crate::value::format_decimal;
use crate::{compile_bytes, Compiled};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Model files to check (`-` reads standard input).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<String>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// The JSON document `--format json` prints.
#[derive(Debug, Serialize)]
struct JsonReport {
    files: Vec<JsonFile>,
    errors: usize,
    warnings: usize,
}

#[derive(Debug, Serialize)]
struct JsonFile {
    path: String,
    errors: usize,
    warnings: usize,
    /// The first `SHOWN_PER_FILE` findings.
    findings: Vec<JsonFinding>,
    /// How many findings after those are left out (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    omitted: usize,
}

/// Run `tally check`; returns the exit status.
pub fn run(args: &CheckArgs) -> u8 {
    let mut checked: Vec<(Source, Compiled)> = Vec::new();
    // A file that cannot be read fails the run (exit 2) but does not
    // stop the others being checked.
    let mut unreadable = false;
    for path in &args.models {
        let name = if path == "-" {
            "<stdin>"
        } else {
            path.as_str()
        };
        match read_input(path) {
            Ok(bytes) => checked.push(compile_bytes(name, bytes)),
            Err(message) => {
                output::errln(&format!("error: {message}"));
                unreadable = true;
            }
        }
    }
    let errors: usize = checked.iter().map(|(_, c)| c.error_count()).sum();
    let warnings: usize = checked.iter().map(|(_, c)| c.warning_count()).sum();
    let status = if unreadable {
        EXIT_FAILURE
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    };
    let text = match args.format {
        Format::Human => human(&checked, errors, warnings),
        Format::Json => json(&checked, errors, warnings),
        Format::Github => github(&checked),
    };
    output::print(&text, status)
}

/// Reports to standard error; returns the summary for standard output.
fn human(checked: &[(Source, Compiled)], errors: usize, warnings: usize) -> String {
    let color = render::color_on_stderr();
    for (source, compiled) in checked {
        output::err(&render::human_all(source, &compiled.findings, color));
    }
    let mut out = String::new();
    for (source, compiled) in checked {
        out.push_str(&file_summary(source, compiled));
        out.push('\n');
    }
    if checked.len() > 1 {
        let total = counts(errors, warnings);
        out.push_str(&format!("checked {} files: {total}\n", checked.len()));
    }
    out
}

fn file_summary(source: &Source, compiled: &Compiled) -> String {
    let (errors, warnings) = (compiled.error_count(), compiled.warning_count());
    match &compiled.model {
        Some(model) if warnings == 0 => format!(
            "{}: ok ({}, {}, {}, {}; {})",
            source.name(),
            plural(model.fields.len(), "field"),
            plural(model.rules.len(), "rule"),
            plural(model.groups.len(), "group"),
            plural(model.tests.len(), "test"),
            score_words(score_range(model)),
        ),
        _ => format!("{}: {}", source.name(), counts(errors, warnings)),
    }
}

/// "score from -30 to 110"; an unbounded end is said in words.
fn score_words(range: Range) -> String {
    match (range.min, range.max) {
        (Some(lo), Some(hi)) => format!(
            "score from {} to {}",
            format_decimal(lo),
            format_decimal(hi)
        ),
        (Some(lo), None) => format!("score from {}, no maximum", format_decimal(lo)),
        (None, Some(hi)) => format!("score up to {}, no minimum", format_decimal(hi)),
        (None, None) => "score has no minimum and no maximum".to_string(),
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn json(checked: &[(Source, Compiled)], errors: usize, warnings: usize) -> String {
    let files = checked
        .iter()
        .map(|(source, compiled)| {
            let (shown, left_out) = render::shown(&compiled.findings);
            JsonFile {
                path: source.name().to_string(),
                errors: compiled.error_count(),
                warnings: compiled.warning_count(),
                findings: shown.iter().map(|f| render::json(source, f)).collect(),
                omitted: left_out.len(),
            }
        })
        .collect();
    let report = JsonReport {
        files,
        errors,
        warnings,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn github(checked: &[(Source, Compiled)]) -> String {
    let mut out = String::new();
    for (source, compiled) in checked {
        let (shown, left_out) = render::shown(&compiled.findings);
        for finding in shown {
            out.push_str(&render::github(source, finding));
            out.push('\n');
        }
        if let Some(line) = render::more_line(source.name(), left_out) {
            let file = render::escape_property(source.name());
            let line = render::escape_data(&line);
            out.push_str(&format!("::notice file={file},title=tally check::{line}\n"));
        }
    }
    out
}
