//! `tally fmt [--check] MODEL…`: rewrite models in canonical layout.

use std::io::{IsTerminal, Write};
use std::path::Path;

use clap::Args;

use super::{io_reason, output, read_input, render, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::fmt::{format, FmtError};
use crate::source::Source;
use crate::Finding;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Model files to format (`-` reads standard input, writes standard output).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<String>,
    /// Change nothing: print a diff of what would change; exit 1 if anything would.
    #[arg(long)]
    check: bool,
}

/// Run `tally fmt`; returns the exit status (the worst over all files).
pub fn run(args: &FmtArgs) -> u8 {
    let statuses = args.models.iter().map(|path| one(path, args.check));
    statuses.fold(EXIT_OK, u8::max)
}

fn one(path: &str, check: bool) -> u8 {
    let name = if path == "-" { "<stdin>" } else { path };
    // The file's own text is kept to compare with: a lone CR reads as LF
    // in the `Source`, and the canonical text has LF line ends.
    let (source, original) = match read_input(path).map(String::from_utf8) {
        Ok(Ok(text)) => (Source::new(name, text.as_str()), text),
        Ok(Err(bad)) => return not_utf8(name, bad.into_bytes()),
        Err(message) => {
            output::errln(&format!("error: {message}"));
            return EXIT_FAILURE;
        }
    };
    match format(&source) {
        Err(FmtError::Syntax) => syntax_errors(&source),
        Err(FmtError::Internal(why)) => {
            output::errln(&format!(
                "error: internal error formatting `{name}`: {why}\n  \
                 the file was left as it was; please report this with the file"
            ));
            EXIT_FAILURE
        }
        Ok(text) if check => show_diff(name, &original, &text),
        Ok(text) if path == "-" => output::print(&text, EXIT_OK),
        Ok(text) if text == original => EXIT_OK,
        Ok(text) => match write_atomically(Path::new(path), &text) {
            Ok(()) => EXIT_OK,
            Err(error) => {
                output::errln(&format!(
                    "error: cannot write `{path}`: {}",
                    io_reason(&error)
                ));
                EXIT_FAILURE
            }
        },
    }
}

/// Print a model's syntax errors as `tally check` does; exit 1.
fn syntax_errors(source: &Source) -> u8 {
    let errors: Vec<Finding> = crate::syntax::parse(source)
        .1
        .into_iter()
        .map(Finding::from)
        .collect();
    report(source, &errors)
}

fn not_utf8(name: &str, bytes: Vec<u8>) -> u8 {
    let (source, compiled) = crate::compile_bytes(name, bytes);
    report(&source, &compiled.findings)
}

fn report(source: &Source, findings: &[Finding]) -> u8 {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    output::err(&render::human_all(source, findings, color));
    let n = findings.len();
    let s = if n == 1 { "" } else { "s" };
    output::errln(&format!(
        "error: {} has {n} syntax error{s}; not formatted",
        source.name()
    ));
    EXIT_PROBLEMS
}

/// `--check`: a unified diff of what would change, on standard output.
fn show_diff(name: &str, before: &str, after: &str) -> u8 {
    if before == after {
        return EXIT_OK;
    }
    let diff = similar::TextDiff::from_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    output::print(&text, EXIT_PROBLEMS)
}

/// Write through a temporary file in the same directory, renamed over the
/// target (through symbolic links, keeping the file's permissions).
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".tally-fmt-")
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    let permissions = std::fs::metadata(&target)?.permissions();
    std::fs::set_permissions(temp.path(), permissions)?;
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
