//! What several commands share: loading a model, dates from arguments.

use std::io::IsTerminal;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{output, read_input, render, EXIT_FAILURE, EXIT_PROBLEMS};
use crate::check::Model;
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
