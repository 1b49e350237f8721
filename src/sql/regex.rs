//! `matches` patterns: the part of Rust's regex syntax whose meaning is
//! the same in the engines, rewritten where the spelling differs.
//!
//! Rust's `regex` crate is Unicode-aware (`\d` is any decimal digit,
//! `\w` any letter), RE2 (DuckDB) and PostgreSQL's ARE are not, or
//! differently; so only constructs that mean the same byte for byte are
//! accepted, and anything else is a compile-time diagnostic.

use super::Dialect;

/// A pattern as the dialect needs it, or what in it cannot be translated.
pub fn translate(pattern: &str, dialect: Dialect) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = pattern;
    let insensitive = rest.starts_with("(?i)");
    if insensitive {
        rest = rest.get(4..).unwrap_or("");
    }
    out.push_str(match (dialect, insensitive) {
        // Java: only `\n` ends a line (`d`), case folding is Unicode's (`u`).
        (Dialect::Spark, true) => "(?diu)",
        (Dialect::Spark, false) => "(?d)",
        (_, true) => "(?i)",
        (_, false) => "",
    });
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(e);
                }
                Some(e) => return Err(format!("the escape `\\{e}`")),
                None => return Err("a trailing `\\`".to_string()),
            },
            '.' => match dialect {
                // ARE's `.` also matches a newline; Rust's does not.
                Dialect::Postgres => out.push_str("[^\n]"),
                _ => out.push('.'),
            },
            '(' => {
                if chars.peek() == Some(&'?') {
                    chars.next();
                    if chars.next() != Some(':') {
                        return Err("a group flag other than a leading `(?i)`".to_string());
                    }
                    out.push_str("(?:");
                } else {
                    out.push('(');
                }
            }
            '[' => class(&mut chars, &mut out)?,
            // Java's `$` also matches before a final newline; `\z` does not.
            '$' if dialect == Dialect::Spark => out.push_str("\\z"),
            c if insensitive && !c.is_ascii() => {
                return Err(format!(
                    "`{c}` under `(?i)` (engines fold non-ASCII case differently)"
                ))
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A bracket class: ASCII members and ranges only, optionally negated.
fn class(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
) -> Result<(), String> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    let mut first = true;
    let mut previous = None;
    loop {
        let c = chars.next().ok_or("an unclosed `[`")?;
        match c {
            ']' if !first => {
                out.push(']');
                return Ok(());
            }
            ']' | '[' | '\\' => return Err(format!("`{c}` inside a `[…]` class")),
            '&' | '-' | '~' if previous == Some(c) => {
                return Err(format!("the class operator `{c}{c}`"))
            }
            c if !c.is_ascii() || c.is_ascii_control() => {
                return Err(format!("`{}` inside a `[…]` class", c.escape_debug()))
            }
            c => out.push(c),
        }
        previous = Some(c);
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_patterns_translate() {
        let p = "(?i)@(gmail|yahoo)[.]com$";
        assert_eq!(translate(p, Dialect::DuckDb).as_deref(), Ok(p));
        assert_eq!(
            translate("^a.b\\.c[^@]+", Dialect::Postgres).as_deref(),
            Ok("^a[^\n]b\\.c[^@]+")
        );
    }

    #[test]
    fn unicode_aware_constructs_are_refused() {
        for bad in [
            "\\d+",
            "\\w",
            "(?x)a",
            "[[:alpha:]]",
            "[a&&b]",
            "(?i)é",
            "[é]",
            "a\\",
        ] {
            assert!(translate(bad, Dialect::DuckDb).is_err(), "{bad}");
        }
    }
}
