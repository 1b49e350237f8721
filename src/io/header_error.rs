//! What can be wrong with a lead file's header, found before any row is
//! read: as data with stable codes, rendered by the CLI like a model's
//! findings (`cli::render::human_input`). Messages do not name the file:
//! the CLI, which knows how it was given, puts its name in front.

use miette::Diagnostic;
use thiserror::Error;

use super::limit::RowLimit;

/// A lead file that cannot be scored with a plan: the header does not
/// fit the model (exit status 1, nothing written).
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum HeaderError {
    /// A field's column is not in the CSV header.
    #[error("column {column:?} (field `{field}`) is not in the header")]
    #[diagnostic(code(tally::missing_column), help("{}", missing_help(.closest)))]
    MissingColumn {
        field: String,
        column: String,
        /// The header's closest column by edit distance, if it has any.
        closest: Option<String>,
    },

    /// An output column would have the name of an input column.
    #[error("output `{output}`{} has the name of an input column", with_prefix(.prefix))]
    #[diagnostic(code(tally::output_collision), help("{}", collision_help(.prefix)))]
    Collision {
        /// The output's column name, prefix included.
        output: String,
        /// The `--prefix` in force (empty for none).
        prefix: String,
    },

    /// Two outputs would have the same name.
    #[error("two outputs are named `{output}`")]
    #[diagnostic(
        code(tally::duplicate_output),
        help("a group or tier has the name of another output (`reasons` with --explain, `tally_model` with --stamp): rename it in the model")
    )]
    DuplicateOutput { output: String },

    /// No field's column is in the header, which is one column holding
    /// this separator: the file was read with the wrong delimiter.
    #[error("the header is one column and no field's column is in it; the file looks {}-separated", separator_name(*.separator))]
    #[diagnostic(
        code(tally::wrong_delimiter),
        help("try `--delimiter '{}'`", separator_option(*.separator))
    )]
    WrongDelimiter { separator: char },

    /// A field's column is in the CSV header more than once, so which
    /// cell the field reads would be a guess.
    #[error("column {column:?} appears {} in the header (columns {}); the model's field `{field}` reads it", times(.positions), listed(.positions))]
    #[diagnostic(
        code(tally::repeated_column),
        help("rename {} of them in the file, so that the field reads one column", rename_which(.positions))
    )]
    RepeatedColumn {
        field: String,
        column: String,
        /// Where it is, 1-based, in order (two or more).
        positions: Vec<usize>,
    },
}

/// A header that cannot be read at all (exit status 1).
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum UnreadableHeader {
    /// The file ends inside a quoted field of its first row.
    #[error(
        "the header row has a quoted field that is never closed (the file ends inside quotes)"
    )]
    #[diagnostic(
        code(tally::header_unclosed_quote),
        help("look for a stray `\"` in the header row")
    )]
    UnclosedQuote,

    /// A column name is not UTF-8.
    #[error("header column {column} {shown} is not valid UTF-8")]
    #[diagnostic(
        code(tally::header_not_utf8),
        help("re-save the file as UTF-8 (in most editors: Save with Encoding, then UTF-8)")
    )]
    NotUtf8 {
        /// 1-based.
        column: usize,
        /// The name, read lossily and quoted.
        shown: String,
    },

    /// The first row is longer than the row limit.
    #[error("the header row is longer than {limit}")]
    #[diagnostic(code(tally::header_too_long), help("--max-row-bytes raises the limit"))]
    TooLong { limit: RowLimit },
}

/// Something worth telling about how the header was read; not an error.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum HeaderNote {
    /// A field's column was found only by ignoring case (and outer spaces).
    #[error(
        "column {column:?} (field `{field}`) is read from {found:?}, which differs only in case"
    )]
    #[diagnostic(
        code(tally::column_case),
        severity(Advice),
        help("to name that column exactly, declare the field with `from {found:?}`")
    )]
    CaseDiffers {
        field: String,
        column: String,
        found: String,
    },
}

fn missing_help(closest: &Option<String>) -> String {
    match closest {
        Some(near) => format!("the closest column is {near:?}"),
        None => "the header has no columns: is the file empty?".to_string(),
    }
}

fn with_prefix(prefix: &str) -> String {
    if prefix.is_empty() {
        String::new()
    } else {
        format!(" (with --prefix {prefix})")
    }
}

fn collision_help(prefix: &str) -> &'static str {
    if prefix.is_empty() {
        "rename the outputs with --prefix, e.g. --prefix tally_"
    } else {
        "choose another --prefix"
    }
}

fn separator_name(separator: char) -> String {
    match separator {
        '\t' => "tab".to_string(),
        c => format!("`{c}`"),
    }
}

fn separator_option(separator: char) -> String {
    match separator {
        '\t' => "\\t".to_string(),
        c => c.to_string(),
    }
}

fn times(positions: &[usize]) -> String {
    match positions.len() {
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

fn rename_which(positions: &[usize]) -> &'static str {
    if positions.len() == 2 {
        "one"
    } else {
        "all but one"
    }
}

/// `2 and 5`, `2, 5 and 7`.
fn listed(positions: &[usize]) -> String {
    let text: Vec<String> = positions.iter().map(usize::to_string).collect();
    match text.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => text.concat(),
    }
}
