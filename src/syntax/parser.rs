//! The pest parser, and the translation of its errors into plain words.
//!
//! pest's rule names stop here: a user reads "expected `add` or `sub`",
//! never "expected effect".

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;
use pest_derive::Parser;

use super::error::SyntaxError;
use crate::span::Span;

#[derive(Parser)]
#[grammar = "../grammar/tally.pest"]
struct TallyParser;

pub(crate) use self::Rule as R;

/// How deep brackets may nest before the parser refuses the file. pest
/// parses recursively, so without a limit a hostile file overflows the stack.
pub const MAX_NESTING: usize = 48;

/// Parse a whole file into pest pairs, or explain the first syntax error.
pub(crate) fn parse_file(text: &str) -> Result<Pair<'_, Rule>, SyntaxError> {
    check_nesting(text)?;
    let mut pairs = TallyParser::parse(Rule::file, text).map_err(|e| translate(text, e))?;
    pairs.next().ok_or_else(|| SyntaxError::Unexpected {
        expected: "a model".into(),
        found: "nothing".into(),
        span: Span::new(0, 0).into(),
        help: None,
    })
}

/// Parse a file one item at a time, handing each item's pair to `build`
/// with the offset of the text it was parsed from. `Err` on any syntax
/// error: `parse_file` then tells which (pest's expected-token lists
/// span item boundaries, so only the whole-file parse gives them). The
/// caller checks the nesting first ([`check_nesting`]).
///
/// The parse of an item is the parse `file` makes of it: a PEG item
/// depends only on the text from where it starts, and `file` is just
/// items and `;` one after the other. Each parse costs its item only
/// (pest indexes lines up to the last token it produced).
pub(crate) fn each_item(
    text: &str,
    mut build: impl FnMut(Pair<'_, Rule>, usize),
) -> Result<(), ()> {
    let mut at = 0;
    loop {
        let rest = text.get(at..).ok_or(())?;
        let mut pairs = TallyParser::parse(Rule::next_item, rest).map_err(drop)?;
        let step = pairs.next().ok_or(())?;
        let end = step.as_span().end();
        match step.into_inner().next() {
            Some(eoi) if eoi.as_rule() == Rule::EOI => return Ok(()),
            Some(item) => build(item, at),
            None => {} // a `;`
        }
        if end == 0 {
            return Err(()); // no progress; cannot happen, but never loop
        }
        at += end;
    }
}

/// The first syntax error of the text from `from` on (spans are the
/// file's own), or `None` if that text parses. `from` must be where an
/// item may start.
///
/// The items are first parsed one at a time, as [`each_item`] does, to
/// find the first that fails; then the text from the item before it is
/// parsed as a file for the message, as the whole file would word it
/// (`when a add 1 foo`: an operator, a reason or a new item). Parsing
/// from `from` as a file at once would hold the tokens of every good
/// item before the broken one (see [`each_item`]).
/// The items that parse before the broken one go to `good`.
pub(crate) fn error_from(
    text: &str,
    from: usize,
    mut good: impl FnMut(Pair<'_, Rule>, usize),
) -> Option<SyntaxError> {
    let (mut at, mut before) = (from, from);
    loop {
        let rest = text.get(at..)?;
        let Ok(mut pairs) = TallyParser::parse(Rule::next_item, rest) else {
            break;
        };
        let step = pairs.next()?;
        let end = step.as_span().end();
        match step.into_inner().next() {
            Some(eoi) if eoi.as_rule() == Rule::EOI => return None,
            Some(item) => good(item, at),
            None => {} // a `;`
        }
        if end == 0 {
            return None;
        }
        (before, at) = (at, at + end);
    }
    let rest = text.get(before..)?;
    let error = TallyParser::parse(Rule::file, rest).err()?;
    Some(translate(rest, error).shifted(before))
}

/// Refuse brackets nested deeper than [`MAX_NESTING`], skipping text,
/// backtick names and comments.
pub(crate) fn check_nesting(text: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError::TooDeep {
                        limit: MAX_NESTING,
                        span: Span::new(at, at + 1).into(),
                    });
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '#' => skip_until(&mut chars, |c| c == '\n'),
            '`' => skip_until(&mut chars, |c| c == '`' || c == '\n'),
            '"' => skip_text(&mut chars),
            _ => {}
        }
    }
    Ok(())
}

fn skip_until(chars: &mut std::str::CharIndices<'_>, end: impl Fn(char) -> bool) {
    for (_, c) in chars.by_ref() {
        if end(c) {
            return;
        }
    }
}

fn skip_text(chars: &mut std::str::CharIndices<'_>) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' | '\n' => return,
            _ => {}
        }
    }
}

/// Turn a pest error into a [`SyntaxError`] a user can act on.
fn translate(text: &str, error: pest::error::Error<Rule>) -> SyntaxError {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    if let Some(span) = unclosed_text_at(text, at) {
        return SyntaxError::UnclosedText { span: span.into() };
    }
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let (found, span) = found_at(text, at);
    if positives.contains(&Rule::close_brace) && starts_item(&found) {
        if let Some(open) = unclosed_brace_before(text, at) {
            return SyntaxError::UnclosedBlock {
                found,
                open: Span::new(open, open + 1).into(),
                span: span.into(),
                help: Some(
                    "add the missing `}` at the end of the block, before the next item".into(),
                ),
            };
        }
    }
    if let Some(error) = super::slips::reserved_as_value(text, &positives, &word_at(&found), span) {
        return error;
    }
    let at_end = span.start >= text.trim_end().len();
    if at_end && positives.contains(&Rule::close_brace) {
        if let Some(open) = unclosed_brace_before(text, at) {
            // Labelled after the last character of the file's text: the
            // end itself is past the last line, and no excerpt shows it.
            let end = text.trim_end().len();
            return SyntaxError::UnclosedAtEnd {
                open: Span::new(open, open + 1).into(),
                span: Span::new(end, end).into(),
            };
        }
    }
    let stop = super::given_slips::Stop {
        text,
        positives: &positives,
        found: &found,
        span,
    };
    if let Some(error) = super::given_slips::error(&stop) {
        return error;
    }
    let expected = expected_words(&positives);
    let word = word_at(&found);
    let help = (super::slips::missing_condition(text, at, &word))
        .or_else(|| super::slips::decay_hint(text, at, &positives, &word))
        .or_else(|| super::slips::missing_part(text, at, &positives, &found))
        .or_else(|| super::slips::misspelt_keyword(&positives, &word))
        .or_else(|| context_hint(text, at, &found))
        .or_else(|| hint(&positives, &found));
    SyntaxError::Unexpected {
        expected,
        found,
        span: span.into(),
        help,
    }
}

/// The word of a `found_at` token, without its backticks.
fn word_at(found: &str) -> String {
    found.trim_matches('`').to_string()
}

/// Whether a word found where a block should close starts a new item.
fn starts_item(found: &str) -> bool {
    matches!(
        found.trim_matches('`'),
        "group" | "tier" | "test" | "fields" | "let" | "model" | "if" | "else" | "score"
    )
}

/// The offset of the innermost `{` before `at` that no `}` closes,
/// skipping text literals, backtick names and comments.
fn unclosed_brace_before(text: &str, at: usize) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut chars = text.get(..at)?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => open.push(i),
            '}' => {
                open.pop();
            }
            '"' => skip_text(&mut chars),
            '`' => {
                for (_, c) in chars.by_ref() {
                    if c == '`' || c == '\n' {
                        break;
                    }
                }
            }
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    open.pop()
}

/// If the parser stopped inside a text literal that never closes, its span.
fn unclosed_text_at(text: &str, at: usize) -> Option<Span> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text.get(at..)?.find('\n').map_or(text.len(), |i| at + i);
    let line = text.get(line_start..line_end)?;
    let mut open = None;
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match (c, open) {
            ('#', None) => break,
            ('"', None) => open = Some(i),
            ('"', Some(_)) => open = None,
            ('\\', Some(_)) => {
                chars.next();
            }
            _ => {}
        }
    }
    let start = line_start + open?;
    (start <= at + 1).then(|| Span::new(start, line_end))
}

/// The token the parser stopped at, quoted, and its span.
fn found_at(text: &str, at: usize) -> (String, Span) {
    let rest = text.get(at..).unwrap_or_default();
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".into(), Span::new(at, at));
    };
    let word_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    let len = if word_len > 0 {
        word_len
    } else {
        first.len_utf8()
    };
    let token = rest.get(..len).unwrap_or_default();
    let shown = match first {
        '\n' | '\r' => "the end of the line".to_string(),
        _ => format!("`{token}`"),
    };
    (shown, Span::new(at, at + len))
}

/// Words for what the parser would have accepted, most useful first.
pub(crate) fn expected_words(positives: &[Rule]) -> String {
    // A condition that could go on but should end: name the ending only.
    if positives.contains(&Rule::effect) {
        return "`add` or `sub`".into();
    }
    if positives.contains(&Rule::kw_then) {
        return "`then`".into();
    }
    let mut words: Vec<&str> = Vec::new();
    let starts_item = positives.contains(&Rule::kw_when) && positives.contains(&Rule::kw_group);
    if starts_item {
        words.push("a new item (`when`, `group`, `if`, `tier`, `let` or `test`)");
    }
    for rule in positives {
        if starts_item && is_item_start(*rule) {
            continue;
        }
        let word = describe(*rule);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.as_slice() {
        [] => "something else".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

fn is_item_start(r: Rule) -> bool {
    use Rule::*;
    matches!(
        r,
        kw_model
            | kw_fields
            | kw_let
            | kw_group
            | kw_when
            | kw_if
            | kw_else
            | kw_tier
            | kw_test
            | kw_events
            | kw_account
            | kw_each
            | score_ref
            | EOI
    )
}

/// One rule in words. Every rule pest can report is covered.
fn describe(r: Rule) -> &'static str {
    use Rule::*;
    match r {
        kw_model => "`model`",
        kw_version => "`version`",
        kw_fields => "`fields`",
        kw_let => "`let`",
        kw_group => "`group`",
        kw_when => "`when`",
        kw_if => "`if`",
        kw_then => "`then`",
        kw_else => "`else`",
        kw_tier => "`tier`",
        kw_test => "`test`",
        kw_as => "`as of`",
        kw_of => "`of`",
        kw_given => "`given`",
        kw_expect => "`expect`",
        kw_from | from_opt => "`from`",
        kw_sep | sep_opt => "`sep`",
        kw_events => "`events`",
        kw_each => "`each`",
        kw_decay | decay => "`decay`",
        kw_since | since => "`since`",
        kw_where => "`where`",
        kw_max | each_max => "`max`",
        key_opt | key_word => "`key`",
        time_opt | time_word => "`time`",
        half_life | linear | percent_every | half_life_word | linear_word | every_word
        | percent => "a decay (`half-life 30 days`, `linear 60 days` or `50% every 1 month`)",
        event_set | set_expr | set_not_expr => "a value",
        set_within => "`within`",
        records | record => "a list of events",
        events_block => "`events`",
        kw_account | account_block => "`account`",
        by_word => "`by`",
        account_ref => "an account value (`account.NAME`)",
        each_rule => "`each`",
        required_opt => "`required`",
        field_option => "`required`, `from` or `sep`",
        modifier | modifier_kind => "a format modifier",
        effect => "`add` or `sub`",
        limit | limit_kind => "`max` or `min`",
        field_type => "a type (`text`, `number`, `int`, `bool`, `date` or `list`)",
        ident | plain_ident | backtick_ident | reserved_word | call_name => "a name",
        field_decl => "a field declaration (`name: type`)",
        given_entry => "a `field: value` entry",
        text => "text in quotes",
        number | signed_number => "a number",
        date_lit => "a date",
        duration | unit => "a duration",
        bool_lit => "`true` or `false`",
        list_lit => "a list",
        bare_word => "a word",
        label => "a label",
        version_value => "a version",
        given_value => "a value",
        expr | not_expr | unary | call | score_ref | stage_ref | today_ref | points => "a value",
        open_brace => "`{`",
        close_brace => "`}`",
        open_bracket => "`[`",
        close_bracket => "`]`",
        open_paren => "`(`",
        close_paren => "`)`",
        comma => "`,`",
        colon => "`:`",
        equals => "`=`",
        cmp_tail | single_eq => "a comparison",
        or_op => "`or`",
        and_op => "`and`",
        not_op => "`not`",
        arith_op | neg_op => "an operator",
        as_of => "`as of`",
        given => "`given`",
        expect => "`expect`",
        when_rule => "`when`",
        ladder_if => "`if`",
        ladder_else => "`else`",
        EOI => "the end of the file",
        // The grammar names each comparison operator `…_op` (`ends_op`,
        // `in_op`): a new one is described without a line here.
        _ if format!("{r:?}").ends_with("_op") => "a comparison",
        _ => "something else",
    }
}

/// A help line for common slips, when the context makes one clear.
fn hint(positives: &[Rule], found: &str) -> Option<String> {
    let word = found.trim_matches('`');
    let help = match word {
        "&" | "|" | "!" => "Tally writes `and`, `or` and `not`: `country == \"US\" and employees > 50`",
        "\u{201c}" | "\u{201d}" | "\u{2018}" | "\u{2019}" => {
            "curly quotes (often pasted from a word processor) are not quotes: type straight `\"`"
        }
        _ if positives.contains(&Rule::effect) => {
            "a rule reads `when CONDITION add POINTS` (or `sub POINTS`), optionally followed by a reason in quotes"
        }
        _ if positives.contains(&Rule::field_type) => return Some(type_hint(word)),
        _ if positives.contains(&Rule::kw_then) => "a ladder line reads `if CONDITION then LABEL`",
        _ if positives.contains(&Rule::label) && super::is_reserved(word) => {
            return Some(format!("`{word}` is a reserved word: write the label in quotes, `\"{word}\"`"));
        }
        _ if positives.contains(&Rule::given_value) && word.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            return Some(format!("text in `given` is written in quotes: `\"{word}\"`"));
        }
        "}" | ")" | "]" => "check that every bracket is opened and closed in the right place",
        _ => return None,
    };
    Some(help.into())
}

/// Hints for mistakes that only the text before the error shows: a list
/// without brackets, `else if`, `=>`, `between 50-500`, a date written
/// the local way.
fn context_hint(text: &str, at: usize, found: &str) -> Option<String> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..at)?.trim_end();
    let rest = text.get(at..)?;
    let line_rest = rest.split('\n').next().unwrap_or_default();
    if let Some(date) = local_date_at(line_rest) {
        return Some(format!("dates are written year first, as `{date}`"));
    }
    if found == "`,`" {
        let (head, items) = before.rsplit_once(" in ")?;
        let more = line_rest
            .split(|c: char| c.is_whitespace())
            .take_while(|w| !matches!(*w, "add" | "sub" | "then"))
            .collect::<Vec<_>>()
            .join(" ");
        let operand = head.split_whitespace().last().unwrap_or("x");
        return Some(format!(
            "a list is written in brackets: `{operand} in [{}{}]`",
            items.trim(),
            more.trim_end()
        ));
    }
    if found == "`if`" && before.ends_with("else") {
        return Some(
            "there is no `else if`: each ladder line is `if CONDITION then LABEL` on a line of its own, and `else LABEL` comes last".into(),
        );
    }
    if found == "`>`" && before.ends_with('=') {
        return Some("`=>` is not an operator: write `>=` for \"at least\"; a rule reads `when CONDITION add POINTS`".into());
    }
    let (_, range) = before.rsplit_once("between ")?;
    let (low, high) = range.trim().split_once('-')?;
    let number =
        |t: &str| !t.trim().is_empty() && t.trim().chars().all(|c| c.is_ascii_digit() || c == '.');
    (number(low) && number(high)).then(|| {
        format!(
            "a range is written `between {} and {}` (both ends included)",
            low.trim(),
            high.trim()
        )
    })
}

/// `2026-11-22` for a date written `22/11/2026`, `22.11.2026` or
/// `11/22/2026` at the start of `text`, when day and month are clear.
fn local_date_at(text: &str) -> Option<String> {
    let token: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '/' || *c == '.')
        .collect();
    let groups: Vec<u32> = token
        .split(['/', '.'])
        .filter_map(|g| g.parse().ok())
        .collect();
    let (day, month, year) = match groups.as_slice() {
        [a, b, y] if *y > 31 && *a > 12 => (*a, *b, *y),
        [a, b, y] if *y > 31 && *b > 12 => (*b, *a, *y),
        [a, b, y] if *y > 31 => (*b, *a, *y),
        _ => return None,
    };
    (token.split(['/', '.']).count() == 3 && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// "did you mean `int`?" for type names from other languages.
fn type_hint(word: &str) -> String {
    let suggestion = match word.to_lowercase().as_str() {
        "integer" | "whole" | "long" => Some("int"),
        "string" | "str" | "varchar" | "char" => Some("text"),
        "boolean" | "flag" => Some("bool"),
        "float" | "double" | "decimal" | "numeric" | "money" | "real" => Some("number"),
        "datetime" | "timestamp" | "day" => Some("date"),
        "array" | "tags" | "set" => Some("list"),
        _ => None,
    };
    match suggestion {
        Some(t) => format!(
            "did you mean `{t}`? The types are `text`, `number`, `int`, `bool`, `date` and `list`"
        ),
        None => "the types are `text`, `number`, `int`, `bool`, `date` and `list`".into(),
    }
}

/// The span of a pair, without the whitespace and comments pest lets a
/// pair swallow at its end (before an optional part that was absent).
pub(crate) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.start() + content_len(s.as_str()))
}

/// Length of `text` up to its last character that is neither whitespace
/// nor inside a comment.
fn content_len(text: &str) -> usize {
    // Fast path: a comment runs to the end of its line, so only one on the
    // last line of content can end the text. Most pairs end in trailing
    // whitespace at most; scanning them whole is the slow way below.
    let trimmed = text.trim_end();
    let last_line = memchr::memrchr(b'\n', trimmed.as_bytes()).map_or(trimmed.as_bytes(), |at| {
        trimmed.as_bytes().get(at..).unwrap_or_default()
    });
    if memchr::memchr(b'#', last_line).is_none() {
        return trimmed.len();
    }
    let mut end = 0;
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        let close = match c {
            '#' => {
                skip_until(&mut chars, |c| c == '\n');
                continue;
            }
            '"' => skip_text_end(&mut chars),
            '`' => skip_end(&mut chars, '`'),
            c if c.is_whitespace() => continue,
            c => Some(at + c.len_utf8()),
        };
        end = close.unwrap_or(text.len());
    }
    end
}

/// Skip to the closing quote of a text; its end offset, if closed.
fn skip_text_end(chars: &mut std::str::CharIndices<'_>) -> Option<usize> {
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Some(at + 1),
            _ => {}
        }
    }
    None
}

fn skip_end(chars: &mut std::str::CharIndices<'_>, close: char) -> Option<usize> {
    chars.find(|(_, c)| *c == close).map(|(at, _)| at + 1)
}
