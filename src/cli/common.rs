//! What several commands share: loading a model, dates from arguments.

use std::io::IsTerminal;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{output, read_input, render, EXIT_FAILURE, EXIT_PROBLEMS};
use crate::check::Model;
use crate::io::Sink;
use crate::source::Source;
use crate::value::{parse_date_literal, Date};

/// Read and compile a model, printing its errors to standard error.
/// `Err` carries the exit status: 2 if it cannot be read, 1 if it has errors.
pub(crate) fn load_model(path: &str) -> Result<(Source, Model), u8> {
    let bytes = read_input(path).map_err(|message| {
        output::errln(&format!("error: {message}"));
        EXIT_FAILURE
    })?;
    let name = if path == "-" { "<stdin>" } else { path };
    compile_model(name, bytes)
}

/// Compile a model's bytes, printing its errors to standard error; `Err`
/// is exit status 1.
pub(crate) fn compile_model(name: &str, bytes: Vec<u8>) -> Result<(Source, Model), u8> {
    let (source, compiled) = crate::compile_bytes(name, bytes);
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // Warnings are `tally check`'s business; other commands show errors only.
    let errors: Vec<_> = compiled
        .findings
        .iter()
        .filter(|f| f.is_error())
        .cloned()
        .collect();
    output::err(&render::human_all(&source, &errors, color));
    match compiled.model {
        Some(model) => Ok((source, model)),
        None => {
            let errors = compiled.error_count();
            let s = if errors == 1 { "" } else { "s" };
            output::errln(&format!(
                "error: {name} has {errors} error{s}; run `tally check {name}` for details"
            ));
            Err(EXIT_PROBLEMS)
        }
    }
}

/// Today's UTC date, from the system clock.
pub(crate) fn today_utc() -> Date {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = Date::default(); // 1970-01-01
    epoch
        .checked_add_days(chrono::Days::new(seconds / 86_400))
        .unwrap_or(epoch)
}

/// A `--as-of` value.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    parse_date_literal(text)
        .ok_or_else(|| "expected a date as YYYY-MM-DD, such as 2026-11-22".to_string())
}

/// One ASCII character other than a quote or a line break; `\t` or `tab`
/// for a tab.
pub(crate) fn parse_delimiter(text: &str) -> Result<u8, String> {
    let byte = match text {
        "\\t" | "tab" => b'\t',
        _ => match text.as_bytes() {
            [byte] if byte.is_ascii() => *byte,
            _ => 0,
        },
    };
    match byte {
        0 | b'"' | b'\n' | b'\r' => {
            Err("expected one ASCII character, such as `;` or `\\t`".into())
        }
        _ => Ok(byte),
    }
}

/// Open `-o PATH` for a command that writes one file (`diff -o`,
/// `report -o`, `calibrate --write`), as `score -o` is written: a regular
/// file (or a new name) through a temporary file that [`commit_output`]
/// renames over it, a device or FIFO in place, `-` standard output.
/// Refused, before anything is read, when PATH is the same file as one
/// of `inputs`.
pub(crate) fn open_output(path: &str, inputs: &[&str]) -> Result<Sink, String> {
    use crate::io::{Identity, Target, TargetError};
    // `-o -` is standard output, as for `score`, not a file named `-`.
    if path == "-" {
        return Ok(Sink::stdout());
    }
    let target = Target::of(std::path::Path::new(path)).map_err(|e| {
        let reason = match &e {
            TargetError::Io(error) => super::io_reason(error),
            other => other.to_string(),
        };
        format!("cannot write `{path}`: {reason}")
    })?;
    if let Some(output) = Identity::of(std::path::Path::new(path)) {
        let same = inputs
            .iter()
            .find(|input| Identity::of(std::path::Path::new(input)).as_ref() == Some(&output));
        if let Some(input) = same {
            return Err(format!(
                "`{path}` is the same file as the input `{input}`: writing it would destroy \
                 what is being read; choose another output"
            ));
        }
    }
    if target.replaces() {
        crate::io::remove_on_signals()
            .map_err(|e| format!("cannot watch for Ctrl-C: {}", super::io_reason(&e)))?;
    }
    Sink::open(&target, false)
        .map_err(|e| format!("cannot write `{path}`: {}", super::io_reason(&e)))
}

/// Put an output opened by [`open_output`] in place.
pub(crate) fn commit_output(sink: Sink) -> std::io::Result<()> {
    sink.finish()?.commit()
}

/// Refuse a command line that names standard input (`-`) for more than
/// one input: one stream cannot be two files, and the second reader
/// would find it empty and report a confusing header error. `inputs`
/// are (what the argument is, its value).
pub(crate) fn one_stdin(inputs: &[(&str, &str)]) -> Result<(), String> {
    let mut named = inputs
        .iter()
        .filter(|(_, path)| *path == "-")
        .map(|(what, _)| *what);
    match (named.next(), named.next()) {
        (Some(first), Some(second)) => Err(format!(
            "{first} and {second} cannot both be standard input: give one of them by name"
        )),
        _ => Ok(()),
    }
}
