//! The common mistakes in the events of a test's `given` (language 1.1,
//! spec section 13: an events source is a list of `{ … }` records), named
//! as such instead of as pest's list of expected tokens: a block without
//! the list's brackets, a list without the records' braces, records
//! without a comma between them, a list never closed, `=` for `:`, and
//! account values given as a block instead of `account.NAME: VALUE`.

use super::error::SyntaxError;
use super::parser::Rule;
use crate::span::Span;

/// What the parser saw where it stopped: the text, the offset, pest's
/// expected rules and the token found there (quoted, as `found_at`
/// gives it) with its span.
pub(crate) struct Stop<'a> {
    pub text: &'a str,
    pub positives: &'a [Rule],
    pub found: &'a str,
    pub span: Span,
}

/// The specific error for a mistake in a `given`, or `None`.
pub(crate) fn error(stop: &Stop<'_>) -> Option<SyntaxError> {
    if stop.positives.contains(&Rule::given_value) {
        return value_error(stop);
    }
    if stop.found == "`=`" && stop.positives.contains(&Rule::colon) {
        let before = stop.text.get(..stop.span.start)?.trim_end();
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '`' | '.')))
            .map_or(0, |i| i + 1);
        let name = before.get(start..).filter(|n| !n.is_empty())?;
        let help = format!("a name and its type or value are separated by a colon: `{name}: …`");
        return Some(unexpected(stop, help));
    }
    let list = open_given_list(stop.text, stop.span.start)?;
    let name = entry_name(stop.text, list)?;
    let help = match stop.found {
        // Only an events source takes records: for a field, the list of
        // values is the mistake, and pest's words say it.
        "`:`" if declares_events(stop.text, name) => {
            return Some(not_records(stop.text, list, name));
        }
        "`{`" => "separate the events with a comma: `}, {`".to_string(),
        "`}`" => format!("close the list of events of `{name}` with `]` after its last event"),
        _ => return None,
    };
    Some(unexpected(stop, help))
}

/// An error where a `given` value is expected.
fn value_error(stop: &Stop<'_>) -> Option<SyntaxError> {
    let name = entry_name(stop.text, stop.span.start)?;
    let after = stop.text.get(stop.span.end..)?.trim_start();
    if stop.found == "`{`" {
        return Some(block_value(stop, name));
    }
    let word = stop.found.trim_matches('`');
    let is_word = word.chars().all(|c| c.is_alphanumeric() || c == '_');
    if is_word && after.starts_with(':') && declares_events(stop.text, name) {
        let help = format!(
            "write the events of `{name}` as a list of records: `{name}: [ {{ {word}: …, … }} ]`"
        );
        return Some(SyntaxError::EventNotARecord {
            name: name.to_string(),
            span: stop.span.into(),
            help,
        });
    }
    None
}

/// `activity: { kind: "webinar" }`: a block where a value is expected.
fn block_value(stop: &Stop<'_>, name: &str) -> SyntaxError {
    let end = blocks_end(stop.text, stop.span.start).unwrap_or(stop.span.end);
    let blocks = stop.text.get(stop.span.start..end).unwrap_or_default();
    if name == "account" {
        let first = blocks
            .trim_start_matches(['{', ' '])
            .split(':')
            .next()
            .unwrap_or("NAME")
            .trim();
        let help = format!(
            "give each account value on its own, as `account.NAME: VALUE`: `account.{first}: …`"
        );
        return unexpected(stop, help);
    }
    if !declares_events(stop.text, name) {
        let help = format!(
            "a field is given a single value (`{name}: \"…\"`); only an events source takes \
             `{{ … }}` records, in a list: `NAME: [ {{ … }}, {{ … }} ]`"
        );
        return unexpected(stop, help);
    }
    let suggestion = if blocks.len() <= 70 && !blocks.contains('\n') {
        format!("{name}: [ {blocks} ]")
    } else {
        format!("{name}: [ {{ … }}, {{ … }} ]")
    };
    SyntaxError::EventsNotAList {
        name: name.to_string(),
        span: Span::new(stop.span.start, end).into(),
        help: format!("put the events in square brackets, one `{{ … }}` per event: `{suggestion}`"),
    }
}

/// `activity: [ kind: "webinar" ]`: fields in the list, not in records.
fn not_records(text: &str, list: usize, name: &str) -> SyntaxError {
    let line = text.get(list + 1..).unwrap_or_default();
    let raw = line.split(['\n', ']']).next().unwrap_or_default();
    let closed = line.get(raw.len()..).is_some_and(|r| r.starts_with(']'));
    let end = list + 1 + raw.len() + usize::from(closed);
    let inside = raw.trim();
    let record = if inside.is_empty() || inside.len() > 60 {
        "…".to_string()
    } else {
        inside.to_string()
    };
    SyntaxError::EventNotARecord {
        name: name.to_string(),
        span: Span::new(list, end).into(),
        help: format!("put each event's fields in braces: `{name}: [ {{ {record} }} ]`"),
    }
}

fn unexpected(stop: &Stop<'_>, help: String) -> SyntaxError {
    SyntaxError::Unexpected {
        expected: super::parser::expected_words(stop.positives),
        found: stop.found.to_string(),
        span: stop.span.into(),
        help: Some(help),
    }
}

/// The name of the `given` entry whose value starts at `at` (after its
/// `:`): a plain or backtick name, or `account.NAME`.
fn entry_name(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?.trim_end().strip_suffix(':')?.trim_end();
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '`' | '.')))
        .map_or(0, |i| i + 1);
    let name = before.get(start..)?.trim_matches('`');
    (!name.is_empty()).then_some(name)
}

/// The offset of the `[` of a `given` entry's list that is still open at
/// `at`: the innermost open bracket is a `[` after `NAME:`, and the one
/// around it the `{` of a `given`.
fn open_given_list(text: &str, at: usize) -> Option<usize> {
    let open = open_brackets(text.get(..at)?);
    let [.., (outer, brace), (inner, list)] = open.as_slice() else {
        return None;
    };
    let given = text.get(..*brace)?.trim_end().ends_with("given");
    (*outer == '{' && *inner == '[' && given).then_some(*list)
}

/// The brackets open at the end of `text`, outermost first, skipping
/// text literals, backtick names and comments.
fn open_brackets(text: &str) -> Vec<(char, usize)> {
    let mut open = Vec::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '[' | '(' => open.push((c, i)),
            '}' | ']' | ')' => {
                open.pop();
            }
            '"' => skip_past(&mut chars, '"'),
            '`' => skip_past(&mut chars, '`'),
            '#' => skip_past(&mut chars, '\n'),
            _ => {}
        }
    }
    open
}

fn skip_past(chars: &mut std::str::CharIndices<'_>, close: char) {
    while let Some((_, c)) = chars.next() {
        if c == '\\' && close == '"' {
            chars.next();
        } else if c == close || c == '\n' {
            return;
        }
    }
}

/// The end of the `{ … }` blocks, separated by commas, that start at
/// `at`, or `None` if the first never closes.
fn blocks_end(text: &str, at: usize) -> Option<usize> {
    let mut end = None;
    let mut pos = at;
    while text.get(pos..)?.starts_with('{') {
        let close = block_end(text, pos)?;
        end = Some(close);
        let rest = text.get(close..)?;
        let Some(after_comma) = rest.trim_start().strip_prefix(',') else {
            break;
        };
        pos = text.len() - after_comma.trim_start().len();
    }
    end
}

/// The offset just past the `}` that closes the `{` at `at`.
fn block_end(text: &str, at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut chars = text.get(at..)?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + i + 1);
                }
            }
            '"' => skip_past(&mut chars, '"'),
            _ => {}
        }
    }
    None
}

/// Whether the model declares `events NAME`.
fn declares_events(text: &str, name: &str) -> bool {
    let mut words = text.split(|c: char| c.is_whitespace() || c == '{');
    while let Some(word) = words.next() {
        if word == "events" {
            let next = words.by_ref().find(|w| !w.is_empty());
            if next.map(|w| w.trim_matches('`')) == Some(name) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use crate::source::Source;
    use crate::syntax::{parse, SyntaxError};

    const HEAD: &str = "fields { lead_id: text, company: text }
events activity { lead_id: text key; at: date time; kind: text }
account by company { let readers = count(leads) }
when exists(activity) add 1
when account.readers > 1 add 1
";

    /// The message and help of the first error of `HEAD` and a test
    /// whose `given` holds `given`.
    fn first(given: &str) -> (String, Option<String>) {
        let text = format!("{HEAD}test \"t\" {{ given {{ lead_id: \"L\", {given} }} }}");
        let (_, errors) = parse(&Source::new("m.tally", text.as_str()));
        let help = match &errors[0] {
            SyntaxError::Unexpected { help, .. } => help.clone(),
            SyntaxError::EventsNotAList { help, .. }
            | SyntaxError::EventNotARecord { help, .. } => Some(help.clone()),
            other => panic!("{given}: {other:?}"),
        };
        (errors[0].to_string(), help)
    }

    #[test]
    fn each_slip_in_the_events_of_a_given_is_named() {
        let cases = [
            (
                "activity: { kind: \"a\", at: 2026-01-02 }",
                "the events of `activity` are a list, written in square brackets",
                "put the events in square brackets, one `{ … }` per event: \
                 `activity: [ { kind: \"a\", at: 2026-01-02 } ]`",
            ),
            (
                "activity: [ kind: \"a\" ]",
                "an event of `activity` is a record of its fields, written in braces",
                "put each event's fields in braces: `activity: [ { kind: \"a\" } ]`",
            ),
            (
                "activity: kind: \"a\"",
                "an event of `activity` is a record of its fields, written in braces",
                "write the events of `activity` as a list of records: \
                 `activity: [ { kind: …, … } ]`",
            ),
            (
                "activity: [ { kind: \"a\" } { kind: \"b\" } ]",
                "expected `]` or `,`, found `{`",
                "separate the events with a comma: `}, {`",
            ),
            (
                "activity: [ { kind: \"a\" }",
                "expected `]` or `,`, found `}`",
                "close the list of events of `activity` with `]` after its last event",
            ),
            (
                "account: { readers: 3 }",
                "expected a value, found `{`",
                "give each account value on its own, as `account.NAME: VALUE`: \
                 `account.readers: …`",
            ),
            (
                "account.readers = 3",
                "expected `:`, found `=`",
                "a name and its type or value are separated by a colon: `account.readers: …`",
            ),
            (
                "company: { x: 1 }",
                "expected a value, found `{`",
                "a field is given a single value (`company: \"…\"`); only an events source \
                 takes `{ … }` records, in a list: `NAME: [ { … }, { … } ]`",
            ),
        ];
        for (given, message, help) in cases {
            let expected = (message.to_string(), Some(help.to_string()));
            assert_eq!(first(given), expected, "{given}");
        }
        // Records are for events sources only: a field's list is not told
        // to hold them.
        let field_list = first("company: [ x: 1 ]");
        assert_eq!(field_list, ("expected `]` or `,`, found `:`".into(), None));
    }

    /// The right forms parse, so none of the above fires on them.
    #[test]
    fn the_forms_of_the_spec_parse() {
        for given in [
            "activity: [ { kind: \"a\", at: 2026-01-02 }, { kind: \"b\" }, ]",
            "activity: []",
            "account.readers: 3",
        ] {
            let text = format!("{HEAD}test \"t\" {{ given {{ lead_id: \"L\", {given} }} }}");
            let (model, errors) = parse(&Source::new("m.tally", text.as_str()));
            assert!(model.is_some() && errors.is_empty(), "{given}: {errors:?}");
        }
    }
}
