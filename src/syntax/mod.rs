//! Parsing: model text → syntax tree with spans.
//!
//! pest does the parsing (`grammar/tally.pest`); [`parse`] turns its pairs
//! into the [`ast`] and its errors into [`SyntaxError`]s.

pub mod ast;
mod build;
mod build_expr;
mod error;
mod parser;
mod print;

pub use error::SyntaxError;
pub use parser::MAX_NESTING;
pub use print::{canonical_expr, canonical_label, canonical_literal, canonical_name};

use crate::source::Source;

/// Parse a model. The tree comes back whenever the text parsed, even with
/// errors in it (a bad date, a misplaced item), so later stages can still
/// report their own findings; `errors` is empty for a clean parse.
pub fn parse(source: &Source) -> (Option<ast::Model>, Vec<SyntaxError>) {
    match parser::parse_file(source.text()) {
        Ok(file) => {
            let (model, errors) = build::Builder::new().file(file);
            (Some(model), errors)
        }
        Err(error) => (None, vec![error]),
    }
}

/// The reserved words of the language (spec section 2).
pub const KEYWORDS: &[&str] = &[
    "model", "version", "fields", "let", "group", "max", "min", "when", "add", "sub", "if", "then",
    "else", "tier", "test", "given", "expect", "as", "of", "and", "or", "not", "in", "between",
    "contains", "starts", "ends", "with", "matches", "is", "missing", "present", "within", "true",
    "false", "required", "from", "sep", "score", "stage", "today",
];

/// True for a reserved word.
pub fn is_reserved(word: &str) -> bool {
    KEYWORDS.contains(&word)
}
