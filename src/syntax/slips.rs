//! Syntax errors whose cause the text around them shows, worded as that
//! cause rather than as pest's list of expected tokens: a reserved word
//! used as a name where a value is expected.

use super::error::SyntaxError;
use super::parser::Rule;
use crate::span::Span;

/// `when from == "web"`: a reserved word where a value is expected, used
/// as a name (a field or let called `from`, which must be written in
/// backticks). `word` is the word the parser stopped at (`span`).
///
/// A reserved word there is as often a value left out (`when visits >
/// add 5`, where `add` is the rule's own keyword): the word is taken for
/// a name only when what follows it is what follows a value (an operator,
/// `add`, `then`, the end of the line), not another value, and when it is
/// not the first word of a line that starts an item (`when x >` then a
/// new `fields` line is an unfinished rule).
pub(crate) fn reserved_as_value(
    text: &str,
    positives: &[Rule],
    word: &str,
    span: Span,
) -> Option<SyntaxError> {
    let expects_value = positives
        .iter()
        .any(|r| matches!(r, Rule::expr | Rule::not_expr | Rule::unary | Rule::points));
    if !expects_value || !super::is_reserved(word) {
        return None;
    }
    let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let first_on_line = text.get(line_start..span.start)?.trim().is_empty();
    if first_on_line && starts_item(word) {
        return None;
    }
    let after = text.get(span.end..)?;
    if starts_value(after.split('\n').next().unwrap_or_default()) {
        return None;
    }
    let quoted = format!("`{word}`");
    let help = if text.contains(&quoted) {
        format!(
            "elsewhere this file writes {quoted} between backquotes (the ` key), \
             as a reserved word must be to name a field or let: write it that way here too"
        )
    } else {
        format!(
            "to use a field or let named {quoted}, write its name between backquotes \
             (the ` key) where it is declared and wherever it is used; or rename it"
        )
    };
    Some(SyntaxError::ReservedWordAsValue {
        word: word.to_string(),
        span: span.into(),
        help,
    })
}

/// "did you mean `when`?" for a word close to a keyword the parser
/// would have taken where it stopped (`whne`, `ad`, `thne`).
pub(crate) fn misspelt_keyword(positives: &[Rule], word: &str) -> Option<String> {
    if word.chars().count() < 2 || super::is_reserved(word) {
        return None;
    }
    let lower = word.to_lowercase();
    let close = positives
        .iter()
        .flat_map(|r| keyword_words(*r))
        .map(|k| (strsim::damerau_levenshtein(&lower, k), *k))
        .filter(|(d, k)| *d <= if k.len() <= 4 { 1 } else { 2 })
        .min()?;
    Some(format!("did you mean `{}`?", close.1))
}

/// The keywords a rule pest expected stands for.
fn keyword_words(rule: Rule) -> &'static [&'static str] {
    use Rule::*;
    match rule {
        kw_model => &["model"],
        kw_fields => &["fields"],
        kw_events => &["events"],
        kw_account => &["account"],
        kw_let => &["let"],
        kw_group => &["group"],
        kw_when => &["when"],
        kw_each => &["each"],
        kw_if => &["if"],
        kw_else => &["else"],
        kw_then => &["then"],
        kw_tier => &["tier"],
        kw_test => &["test"],
        kw_given => &["given"],
        kw_expect => &["expect"],
        kw_decay | decay => &["decay"],
        kw_since | since => &["since"],
        kw_where => &["where"],
        effect => &["add", "sub"],
        required_opt => &["required"],
        _ => &[],
    }
}

/// `when add 5`: a rule without its condition.
pub(crate) fn missing_condition(text: &str, at: usize, word: &str) -> Option<String> {
    let before = text.get(..at)?.trim_end();
    let rule = match word {
        "add" | "sub" if before.ends_with("when") => "`when CONDITION add POINTS`",
        "then" if before.ends_with("if") => "`if CONDITION then LABEL`",
        _ => return None,
    };
    Some(format!(
        "the condition is missing: write it after `{}`, as in {rule}",
        before
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default()
    ))
}

/// Help for the slips in a `decay` (spec section 11) and an `account`
/// header (section 12): `half life`, `50 %`, `every month`, a period
/// without its unit or below zero, `max` before `decay`, `account company`.
pub(crate) fn decay_hint(text: &str, at: usize, positives: &[Rule], word: &str) -> Option<String> {
    let before = text.get(..at)?.trim_end();
    let rest = text.get(at..)?;
    let line_before = before.rsplit('\n').next().unwrap_or_default();
    let expects = |rule: Rule| positives.contains(&rule);
    let help = if expects(Rule::half_life_word) && word.starts_with("half") {
        "write `half-life` with a hyphen: `decay half-life 30 days`"
    } else if expects(Rule::percent) && percent_with_space(rest) {
        "write the share with no space before `%`: `decay 50% every 1 month`"
    } else if expects(Rule::number) && before.ends_with("every") {
        "give the number of periods before the unit: `every 1 month`"
    } else if expects(Rule::number) && word == "-" && line_before.contains("decay") {
        "a decay's period is a positive duration, e.g. `half-life 30 days`"
    } else if (expects(Rule::duration) || expects(Rule::unit)) && period_without_unit(before) {
        "a duration is a number and its unit: `30 days` (or `weeks`, `months`, `years`; `day` and the other singulars too)"
    } else if word == "decay" && line_before.contains(" max ") {
        "`decay` comes before `max`: `each SET add POINTS decay … max N \"REASON\"`"
    } else if expects(Rule::by_word) {
        "an account block reads `account by FIELD { let NAME = AGGREGATE … }`"
    } else {
        return None;
    };
    Some(help.to_string())
}

/// Whether `before` ends with a number right after a word that takes a
/// duration (`half-life 30`, `every 1`, `within 90`): a number elsewhere
/// may well be a value (`when x > 1 ad 1`).
fn period_without_unit(before: &str) -> bool {
    let word = before.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    word.len() < before.len()
        && ["half-life", "linear", "every", "within"]
            .iter()
            .any(|w| word.trim_end().ends_with(w))
}

/// Whether `rest` starts with a number, blanks and `%`.
fn percent_with_space(rest: &str) -> bool {
    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    digits.len() < rest.len()
        && digits.starts_with([' ', '\t'])
        && digits.trim_start().starts_with('%')
}

/// Help for a part of an item left out: a ladder line's label, the
/// condition after `and`, a limit's number, a group's or tier's name,
/// a list's `]`.
pub(crate) fn missing_part(
    text: &str,
    at: usize,
    positives: &[Rule],
    found: &str,
) -> Option<String> {
    let before = text.get(..at)?.trim_end();
    let last = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default();
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let first_on_line = text.get(line_start..at)?.trim().is_empty();
    let expects = |rule: Rule| positives.contains(&rule);
    let help = if expects(Rule::label) && first_on_line {
        "the label is missing: a ladder line reads `if CONDITION then LABEL`".to_string()
    } else if matches!(last, "and" | "or" | "not")
        && (expects(Rule::expr) || expects(Rule::not_expr) || expects(Rule::unary))
    {
        format!("a condition is missing after `{last}`: write one, or remove the `{last}`")
    } else if expects(Rule::text) && matches!(last, "test" | "model") && found.starts_with("`") {
        let word = found.trim_matches('`');
        format!("a {last}'s name is text in quotes: `{last} \"{word}\"`")
    } else if expects(Rule::signed_number) && matches!(last, "max" | "min") {
        format!("write the limit after `{last}`, as in `{last} 50`")
    } else if found == "`{`" && matches!(last, "group" | "tier" | "events") {
        format!(
            "a `{last}` needs a name before its `{{`, as in `{last} {} {{ … }}`",
            example_name(last)
        )
    } else if expects(Rule::close_bracket) && innermost_open(before) == Some('[') {
        let line_rest = text.get(at..)?.split('\n').next().unwrap_or_default();
        // Two items side by side: the parser stopped at the second one.
        let item = found
            .trim_start_matches('`')
            .starts_with(|c: char| c.is_alphanumeric() || c == '"');
        if let Some(close) = line_rest.find(']').filter(|_| item) {
            let open = before.rfind('[')?;
            let items = text.get(open + 1..at + close)?;
            let items: Vec<&str> = items
                .split([' ', '\t', ','])
                .filter(|i| !i.is_empty())
                .collect();
            let list = format!("[{}]", items.join(", "));
            let list = if list.chars().count() <= 60 {
                list
            } else {
                "[a, b, c]".to_string()
            };
            format!("separate the list's items with commas: `{list}`")
        } else if line_rest.contains(']') {
            return None;
        } else {
            "the list is not closed: write `]` after its last item".to_string()
        }
    } else {
        return None;
    };
    Some(help)
}

fn example_name(item: &str) -> &'static str {
    match item {
        "group" => "engagement",
        "tier" => "grade",
        _ => "activity",
    }
}

/// The innermost bracket still open at the end of `text` (text literals
/// and comments skipped).
fn innermost_open(text: &str) -> Option<char> {
    let mut open = Vec::new();
    let mut in_text = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, in_text) {
            ('"', _) => in_text = !in_text,
            ('\\', true) => {
                chars.next();
            }
            ('\n', _) => in_text = false,
            (_, true) => {}
            ('#', false) => {
                chars.by_ref().find(|c| *c == '\n');
            }
            ('(' | '[' | '{', false) => open.push(c),
            (')' | ']' | '}', false) => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Words that begin an item of a model.
fn starts_item(word: &str) -> bool {
    matches!(
        word,
        "model"
            | "fields"
            | "events"
            | "account"
            | "let"
            | "group"
            | "when"
            | "each"
            | "if"
            | "else"
            | "tier"
            | "test"
    )
}

/// Whether `rest` (the rest of a line) starts with a value: a number, a
/// text, a bracket, a minus, or a word that is not an operator or the
/// keyword that ends a condition.
fn starts_value(rest: &str) -> bool {
    let rest = rest.trim_start();
    let Some(first) = rest.chars().next() else {
        return false;
    };
    if !(first.is_alphanumeric() || first == '_') {
        return matches!(first, '"' | '(' | '[' | '`' | '-');
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    !matches!(
        word.as_str(),
        "add"
            | "sub"
            | "then"
            | "and"
            | "or"
            | "not"
            | "in"
            | "between"
            | "contains"
            | "starts"
            | "ends"
            | "matches"
            | "is"
            | "within"
            | "decay"
            | "max"
            | "where"
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use crate::source::Source;
    use crate::syntax::{parse, SyntaxError};

    /// The first error of a model, as its code and message.
    fn first_error(text: &str) -> (String, String) {
        let (_, errors) = parse(&Source::new("m.tally", text));
        let error = &errors[0];
        let code = miette::Diagnostic::code(error).unwrap().to_string();
        (code, error.to_string())
    }

    #[test]
    fn a_reserved_word_before_an_operator_is_a_name() {
        for (text, word) in [
            ("fields { x: int }\nwhen from == \"web\" add 1", "from"),
            ("fields { x: int }\nwhen x > 1 add version\n", "version"),
            ("fields { x: int }\nwhen x > max add 1", "max"),
            ("fields { x: int }\nwhen each in [a] add 1", "each"),
        ] {
            let message =
                format!("`{word}` is a reserved word, so it cannot stand for a value here");
            assert_eq!(first_error(text), ("tally::reserved_word".into(), message));
        }
    }

    /// The help line of the first error of a model.
    fn help(text: &str) -> Option<String> {
        let (_, errors) = parse(&Source::new("m.tally", text));
        match errors.first() {
            Some(SyntaxError::Unexpected { help, .. }) => help.clone(),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn a_word_next_to_a_keyword_is_a_misspelling() {
        let head = "fields { x: int }\n";
        for (text, keyword) in [
            ("whne x > 1 add 1", "when"),
            ("gruop g { when x > 1 add 1 }", "group"),
            ("when x > 1 ad 1", "add"),
            ("if x > 1 thne A", "then"),
            ("test \"t\" { givn { x: 1 } }", "given"),
        ] {
            let expected = format!("did you mean `{keyword}`?");
            assert_eq!(help(&format!("{head}{text}")), Some(expected), "{text}");
        }
        // Far from every keyword: no guess.
        assert_eq!(help(&format!("{head}whatever x > 1 add 1")), None);
    }

    #[test]
    fn a_rule_or_ladder_line_without_a_condition_says_so() {
        let head = "fields { x: int }\n";
        let cases = [
            (
                "when add 5",
                "after `when`, as in `when CONDITION add POINTS`",
            ),
            ("if then A", "after `if`, as in `if CONDITION then LABEL`"),
        ];
        for (text, tail) in cases {
            let expected = format!("the condition is missing: write it {tail}");
            assert_eq!(help(&format!("{head}{text}")), Some(expected), "{text}");
        }
    }

    #[test]
    fn slips_in_a_decay_or_an_account_header_get_the_right_form() {
        let head = "fields { x: int, d: date, c: text }
events a { x: int key; t: date time; k: text }
";
        let cases = [
            ("each a add 5 decay half life 30 days", "write `half-life` with a hyphen: `decay half-life 30 days`"),
            ("each a add 5 decay halflife 30 days", "write `half-life` with a hyphen: `decay half-life 30 days`"),
            ("each a add 5 decay 50 % every 1 month", "write the share with no space before `%`: `decay 50% every 1 month`"),
            ("each a add 5 decay 50% every month", "give the number of periods before the unit: `every 1 month`"),
            ("each a add 5 decay half-life -3 days", "a decay's period is a positive duration, e.g. `half-life 30 days`"),
            ("each a add 5 decay linear 30\nwhen x > 1 add 1", "a duration is a number and its unit: `30 days` (or `weeks`, `months`, `years`; `day` and the other singulars too)"),
            ("each a add 5 max 15 decay linear 60 days", "`decay` comes before `max`: `each SET add POINTS decay … max N \"REASON\"`"),
            ("account c { let n = count(leads) }", "an account block reads `account by FIELD { let NAME = AGGREGATE … }`"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                help(&format!("{head}{text}")),
                Some(expected.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn a_part_left_out_is_named() {
        let head = "fields { x: int, t: list }\n";
        let cases = [
            (
                "if x > 1 then A\nif x > 0 then\nelse C",
                "the label is missing: a ladder line reads `if CONDITION then LABEL`",
            ),
            (
                "when x > 1 and add 5",
                "a condition is missing after `and`: write one, or remove the `and`",
            ),
            (
                "test t { expect score == 0 }",
                "a test's name is text in quotes: `test \"t\"`",
            ),
            (
                "group g max { when x > 1 add 1 }",
                "write the limit after `max`, as in `max 50`",
            ),
            (
                "tier { if x > 1 then A }",
                "a `tier` needs a name before its `{`, as in `tier grade { … }`",
            ),
            (
                "group { when x > 1 add 1 }",
                "a `group` needs a name before its `{`, as in `group engagement { … }`",
            ),
            (
                "when t contains any [a, b add 5",
                "the list is not closed: write `]` after its last item",
            ),
            (
                "when t contains any [a b, c] add 5",
                "separate the list's items with commas: `[a, b, c]`",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                help(&format!("{head}{text}")),
                Some(expected.to_string()),
                "{text}"
            );
        }
    }

    /// A keyword where a value was left out is the value left out.
    #[test]
    fn a_keyword_after_a_missing_value_is_not_a_name() {
        for (text, found) in [
            ("fields { x: int }\nwhen x > add 5", "`add`"),
            ("fields { x: int }\nwhen x > and x < 3 add 5", "`and`"),
            ("fields { x: int }\nwhen x >\nfields { y: int }", "`fields`"),
            ("fields { x: int }\nif x > then A", "`then`"),
        ] {
            let (_, errors) = parse(&Source::new("m.tally", text));
            let Some(SyntaxError::Unexpected { found: f, .. }) = errors.first() else {
                panic!("{text:?}: {errors:?}");
            };
            assert_eq!(f, found, "{text:?}");
        }
    }
}
