//! Every syntax error of a file in one run: after an item that does not
//! parse, the parse resumes at the next line that starts an item outside
//! the broken item's blocks.
//!
//! A wrong guess of where the broken item ends would report text that is
//! fine as errors of its own, so the guess is cautious: it skips whole
//! blocks, and when a block never closes it skips the rest of the file
//! (one error reported, as before). Each error after the first is the
//! first error of the text from the resume point (`parser::error_from`),
//! worded as if that text were the whole file.
//!
//! At most [`MAX_ERRORS`] are collected, as many as a report shows: pest
//! builds each error's line by scanning back from the end of its input
//! (`Position::find_line_start`), so a failed parse costs the rest of the
//! file however early it fails, and 10,000 broken items would take
//! 10,000 scans of the file (six minutes in a debug build).

use super::error::SyntaxError;
use super::parser;

/// The most syntax errors reported for one file: the number of findings
/// `tally check` shows per file (`cli::render::SHOWN_PER_FILE`).
pub const MAX_ERRORS: usize = 50;

/// Every syntax error of `text` (at most [`MAX_ERRORS`]), given `first`,
/// the whole-file parse's error (so its message is exactly the one a
/// single-error parse gives). The items that parse after a resume point
/// go to `good` (with the offset they were parsed from), so their own
/// errors (a reserved word as a name) are reported too.
pub(crate) fn all_errors(
    text: &str,
    first: SyntaxError,
    mut good: impl FnMut(pest::iterators::Pair<'_, parser::Rule>, usize),
) -> Vec<SyntaxError> {
    let mut errors = vec![first];
    let mut from = 0;
    while let Some(error) = errors.last().filter(|_| errors.len() < MAX_ERRORS) {
        let Some(resume) = resume_point(text, from, error) else {
            break;
        };
        let Some(next) = parser::error_from(text, resume, &mut good) else {
            break; // the rest of the file parses
        };
        errors.push(next);
        from = resume;
    }
    errors
}

/// Where to parse again after `error`, the first error of the text from
/// `from`: the first token of a line (the error's own token, or one on a
/// later line) that starts an item, once every `{` opened since `from` is
/// closed (the items before the broken one close theirs, so this counts
/// the broken item's). An error at an item that starts inside a block
/// never closed (`tally::unclosed_block`) resumes at that item when it
/// starts its line at column 0, where items are written: the block is
/// taken as ending there. Always after `from`, so the parse moves on.
fn resume_point(text: &str, from: usize, error: &SyntaxError) -> Option<usize> {
    let at = error.offset().max(from);
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let mut depth = brace_depth(text.get(from..at)?);
    let own_token = text.get(line_start..at)?.trim().is_empty() && at > from;
    let closed = depth <= 0 || (error.is_unclosed_block() && line_start == at);
    if own_token && closed && starts_item(text.get(at..)?) {
        return Some(at);
    }
    let mut pos = at;
    loop {
        let rest = text.get(pos..)?;
        let line_end = rest.find('\n').map_or(text.len(), |i| pos + i);
        depth += brace_depth(text.get(pos..line_end)?);
        pos = line_end.checked_add(1).filter(|p| *p <= text.len())?;
        let line = text.get(pos..)?;
        let first = pos + (line.len() - line.trim_start_matches([' ', '\t', '\r']).len());
        if depth <= 0 && starts_item(text.get(first..)?) {
            return Some(first);
        }
    }
}

/// Whether `text` starts with a word that begins a top-level item (the
/// grammar's `item` rule). `score` starts one only before `max` or `min`
/// (`score max 100`): elsewhere a line starting with it continues an
/// expression.
fn starts_item(text: &str) -> bool {
    let word_len = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (word, after) = text.split_at(word_len);
    match word {
        "model" | "fields" | "events" | "let" | "group" | "when" | "each" | "if" | "else"
        | "tier" | "test" => true,
        "score" => {
            let next = after.trim_start_matches([' ', '\t']);
            ["max", "min"].iter().any(|limit| {
                next.strip_prefix(limit).is_some_and(|tail| {
                    !tail.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
        }
        _ => false,
    }
}

/// `{` minus `}` in `text`, not counting those in text literals, backtick
/// names and comments (none of which spans lines, so a line can be
/// counted on its own).
fn brace_depth(text: &str) -> isize {
    let mut depth = 0isize;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            '#' => {
                chars.by_ref().find(|c| *c == '\n');
            }
            '`' => {
                chars.by_ref().find(|c| *c == '`' || *c == '\n');
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    depth
}
