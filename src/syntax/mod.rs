//! Parsing: model text → syntax tree with spans.
//!
//! pest does the parsing (`grammar/tally.pest`); [`parse`] turns its pairs
//! into the [`ast`] and its errors into [`SyntaxError`]s.

pub mod ast;
mod build;
mod build_expr;
mod error;
mod given_slips;
mod parser;
mod print;
mod recover;
mod slips;

pub use error::SyntaxError;
pub use parser::MAX_NESTING;
pub use print::{canonical_expr, canonical_label, canonical_literal, canonical_name};
pub use recover::MAX_ERRORS;

use crate::source::Source;

/// Parse a model. The tree comes back whenever the text parsed, even with
/// errors in it (a bad date, a misplaced item), so later stages can still
/// report their own findings; `errors` is empty for a clean parse. When
/// the text does not parse, there is no tree and `errors` holds every
/// syntax error (`recover.rs`), up to [`MAX_ERRORS`]: the first exactly
/// as a parse of the whole file words it, then one per broken item after it.
pub fn parse(source: &Source) -> (Option<ast::Model>, Vec<SyntaxError>) {
    let text = source.text();
    if let Err(error) = parser::check_nesting(text) {
        return (None, vec![error]);
    }
    let mut builder = build::Builder::new();
    if parser::each_item(text, |item, at| builder.item_at(item, at)).is_ok() {
        let (model, errors) = builder.finish();
        return (Some(model), errors);
    }
    match parser::parse_file(text) {
        Ok(file) => {
            let (model, errors) = build::Builder::new().file(file);
            (Some(model), errors)
        }
        Err(error) => (None, with_local_errors(text, error, builder)),
    }
}

/// Every syntax error of a file that does not parse: the parser's, and
/// those the builder finds inside the items that do parse (a reserved
/// word as a name), in text order. Without the latter, a file with a
/// field named `score` and a typo elsewhere showed only the typo, and the
/// reserved word only once the typo was fixed. `builder` holds the items
/// before the first broken one.
fn with_local_errors(
    text: &str,
    first: SyntaxError,
    mut builder: build::Builder,
) -> Vec<SyntaxError> {
    let mut errors = recover::all_errors(text, first, |item, at| builder.item_at(item, at));
    let (_, built) = builder.finish();
    errors.extend(built.into_iter().filter(SyntaxError::is_local));
    errors.sort_by_key(SyntaxError::start); // stable: the parser's order stays
    errors.truncate(MAX_ERRORS);
    errors
}

/// The reserved words of the language: the one list. The grammar's
/// `keyword` rule (which pest needs as grammar text) and the list in
/// docs/language.md are checked against it by a test in `tests/parser.rs`,
/// so a word added here and forgotten there fails the build's tests.
pub const KEYWORDS: &[&str] = &[
    "model", "version", "fields", "let", "group", "max", "min", "when", "add", "sub", "if", "then",
    "else", "tier", "test", "given", "expect", "as", "of", "and", "or", "not", "in", "between",
    "contains", "starts", "ends", "with", "matches", "is", "missing", "present", "within", "true",
    "false", "required", "from", "sep", "score", "stage", "today", "events", "each", "decay",
    "since", "account", "where",
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

    /// The example with `line` inserted before its line `n`.
    fn with_line_at(example: &str, n: usize, line: &str) -> String {
        let mut lines: Vec<&str> = example.lines().collect();
        lines.insert(n.min(lines.len()), line);
        lines.join("\n")
    }

    /// One broken line anywhere in a good model (at the top level, inside
    /// a block, between the lines of an item) is one error: recovery never
    /// turns the good text around it into errors of its own. The first
    /// error is always the whole-file parse's. (A broken item at column 0
    /// inside a block is two: the block taken as unclosed, then the item.)
    #[test]
    fn one_broken_line_is_one_error_wherever_it_is() {
        for example in EXAMPLES {
            let broken = ["when a >> 1 add 1", "  let = 3", "  tier {", "}"];
            for n in 0..=example.lines().count() {
                // Two of the four at each line: each one at every other line.
                for broken in [broken[n % 4], broken[(n + 2) % 4]] {
                    let text = with_line_at(example, n, broken);
                    let (model, errors) = parse(&Source::new("m.tally", text.as_str()));
                    if model.is_some() {
                        continue; // `}` may close a block early and still parse
                    }
                    assert_eq!(errors.len(), 1, "{broken:?} at line {n}: {errors:?}");
                    assert_eq!(errors[0], whole_file(&text).1[0]);
                }
            }
        }
    }

    /// Two broken lines between top-level items are two errors, the first
    /// worded as the whole-file parse words it.
    #[test]
    fn broken_items_far_apart_are_each_reported() {
        for example in EXAMPLES {
            let tops: Vec<usize> = (example.lines().enumerate())
                .filter(|(_, l)| recover_starts_item(l))
                .map(|(n, _)| n)
                .collect();
            let (Some(first), Some(last)) = (tops.get(1), tops.last()) else {
                panic!("the examples have items");
            };
            let second_only = with_line_at(example, *last, "when x ! 1 add 1");
            let text = with_line_at(&second_only, *first, "when a >> 1 add 1");
            let (model, errors) = parse(&Source::new("m.tally", text.as_str()));
            assert!(model.is_none());
            assert_eq!(errors.len(), 2, "{errors:?}");
            assert_eq!(errors[0], whole_file(&text).1[0]);
            // The second is worded as it is when it is the only one.
            let alone = whole_file(&second_only).1[0].clone();
            let moved = "when a >> 1 add 1\n".len();
            assert_eq!(errors[1], alone.shifted(moved));
        }
    }

    /// A line at column 0 that starts a top-level item.
    fn recover_starts_item(line: &str) -> bool {
        [
            "fields", "let", "group", "when", "if", "else", "tier", "test",
        ]
        .iter()
        .any(|k| line.starts_with(&format!("{k} ")))
    }
}
