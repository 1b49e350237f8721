//! `tally check MODEL…`: parse and type-check, print every finding.

use std::io::{IsTerminal, Write};

use clap::Args;
use serde::Serialize;

use super::render::{self, Format, JsonFinding};
use super::{read_input, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
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
    findings: Vec<JsonFinding>,
}

/// Run `tally check`; returns the exit status.
pub fn run(args: &CheckArgs) -> u8 {
    let mut checked: Vec<(Source, Compiled)> = Vec::new();
    for path in &args.models {
        let name = if path == "-" {
            "<stdin>"
        } else {
            path.as_str()
        };
        match read_input(path) {
            Ok(bytes) => checked.push(compile_bytes(name, bytes)),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_FAILURE;
            }
        }
    }
    let errors: usize = checked.iter().map(|(_, c)| c.error_count()).sum();
    let warnings: usize = checked.iter().map(|(_, c)| c.warning_count()).sum();
    let printed = match args.format {
        Format::Human => print_human(&checked, errors, warnings),
        Format::Json => print_json(&checked, errors, warnings),
        Format::Github => print_github(&checked),
    };
    if printed.is_err() {
        return EXIT_FAILURE;
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

fn print_human(
    checked: &[(Source, Compiled)],
    errors: usize,
    warnings: usize,
) -> std::io::Result<()> {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stderr = std::io::stderr().lock();
    for (source, compiled) in checked {
        for finding in &compiled.findings {
            write!(stderr, "{}", render::human(source, finding, color))?;
            writeln!(stderr)?;
        }
    }
    let mut stdout = std::io::stdout().lock();
    for (source, compiled) in checked {
        writeln!(stdout, "{}", file_summary(source, compiled))?;
    }
    if checked.len() > 1 {
        writeln!(
            stdout,
            "checked {} files: {}",
            checked.len(),
            counts(errors, warnings)
        )?;
    }
    Ok(())
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

fn print_json(
    checked: &[(Source, Compiled)],
    errors: usize,
    warnings: usize,
) -> std::io::Result<()> {
    let files = checked
        .iter()
        .map(|(source, compiled)| JsonFile {
            path: source.name().to_string(),
            errors: compiled.error_count(),
            warnings: compiled.warning_count(),
            findings: compiled
                .findings
                .iter()
                .map(|f| render::json(source, f))
                .collect(),
        })
        .collect();
    let report = JsonReport {
        files,
        errors,
        warnings,
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)
}

fn print_github(checked: &[(Source, Compiled)]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for (source, compiled) in checked {
        for finding in &compiled.findings {
            writeln!(stdout, "{}", render::github(source, finding))?;
        }
    }
    Ok(())
}
