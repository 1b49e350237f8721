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
    let mut builder = build::Builder::new();
    if parser::each_item(source.text(), |item, at| builder.item_at(item, at)).is_ok() {
        let (model, errors) = builder.finish();
        return (Some(model), errors);
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// The model and errors of the one-pass parse of the whole file.
    fn whole_file(text: &str) -> (Option<ast::Model>, Vec<SyntaxError>) {
        match parser::parse_file(text) {
            Ok(file) => {
                let (model, errors) = build::Builder::new().file(file);
                (Some(model), errors)
            }
            Err(error) => (None, vec![error]),
        }
    }

    const EXAMPLES: [&str; 2] = [
        include_str!("../../examples/b2b_inbound.tally"),
        include_str!("../../examples/saas_trial.tally"),
    ];

    #[test]
    fn item_by_item_builds_what_the_whole_file_builds() {
        let mut texts: Vec<String> = [
            "",
            ";;",
            "# only a comment",
            "fields { a: int } ; when a > 1 add 1 # c\n;",
            "fields { a: int }\nwhen a > 1 add 1\n\"reason on the next line\"",
            "fields { a: int }\nwhen 1 < a < 3 add 1\nlet x = 2000-02-30\nwhen a > 1 add 1 \"\\q\"",
            "when a > 1 add 1\nfields { a: int }",
        ]
        .map(str::to_string)
        .to_vec();
        for example in EXAMPLES {
            texts.push(example.to_string());
            // Every cut of the example: items cut short, errors anywhere.
            let cuts = (0..example.len()).step_by(13);
            texts.extend(cuts.filter_map(|at| example.get(..at)).map(str::to_string));
        }
        for text in &texts {
            let source = Source::new("m.tally", text.as_str());
            assert_eq!(parse(&source), whole_file(source.text()), "{text:?}");
        }
    }
}
