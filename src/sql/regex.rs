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
        // Java: only `\n` ends a line (`d`). Its `(?iu)` folds `İ` and
        // `ı` to `i` as well, which Rust's `(?i)` does not (and its `(?i)`
        // alone misses the Kelvin sign): letters are spelled out as for
        // PostgreSQL.
        (Dialect::Spark, _) => "(?d)",
        // ARE's `(?i)` does not match `K` (Kelvin) for `k` as Rust's does:
        // each letter becomes a class of its case variants instead.
        (Dialect::Postgres | Dialect::Snowflake, _) => "",
        (_, true) => "(?i)",
        (_, false) => "",
    });
    // Snowflake's POSIX flavour has no inline flags: letters are spelled
    // out as for PostgreSQL.
    let posix = dialect == Dialect::Snowflake;
    let fold = insensitive
        && matches!(
            dialect,
            Dialect::Postgres | Dialect::Snowflake | Dialect::Spark
        );
    let mut chars = rest.chars().peekable();
    // Whether the last thing written is a quantifier (`*`, `+`, `?`, or
    // the `}` closing a `{n,m}`), so that a `?` after it makes it lazy.
    // An escaped `\+` or `\?` is a literal character: a `?` after it is
    // greedy (`^\+?1`).
    let mut quantified = false;
    let mut repetition = false;
    while let Some(c) = chars.next() {
        let was_quantified = std::mem::replace(&mut quantified, false);
        match c {
            '\\' => match chars.next() {
                // POSIX gives other escaped punctuation (`\<`) meanings.
                Some(e) if posix && !r".^$|?*+()[]{}\".contains(e) => {
                    return Err(format!("the escape `\\{e}`"))
                }
                Some(e) if e.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(e);
                }
                Some(e) => return Err(format!("the escape `\\{e}`")),
                None => return Err("a trailing `\\`".to_string()),
            },
            '.' => match dialect {
                // ARE's `.` also matches a newline; Rust's does not.
                Dialect::Postgres | Dialect::Snowflake => out.push_str("[^\n]"),
                _ => out.push('.'),
            },
            '(' => {
                if chars.peek() == Some(&'?') {
                    chars.next();
                    if chars.next() != Some(':') {
                        return Err("a group flag other than a leading `(?i)`".to_string());
                    }
                    // A capturing group matches the same text.
                    out.push_str(if posix { "(" } else { "(?:" });
                } else {
                    out.push('(');
                }
            }
            '[' => class(&mut chars, &mut out, fold)?,
            // Java's `$` also matches before a final newline; `\z` does not.
            '$' if dialect == Dialect::Spark => out.push_str("\\z"),
            c if insensitive && !c.is_ascii() => {
                return Err(format!(
                    "`{c}` under `(?i)` (engines fold non-ASCII case differently)"
                ))
            }
            c if fold && c.is_ascii_alphabetic() => {
                out.push('[');
                out.push_str(&variants(c));
                out.push(']');
            }
            // POSIX has no lazy quantifiers.
            '?' if posix && was_quantified => return Err("a lazy quantifier".to_string()),
            '*' | '+' | '?' => {
                quantified = true;
                out.push(c);
            }
            '{' => {
                repetition = true;
                out.push(c);
            }
            '}' if repetition => {
                repetition = false;
                quantified = true;
                out.push(c);
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
    fold: bool,
) -> Result<(), String> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    let mut first = true;
    let mut previous = None;
    // Case variants of the members, appended before the `]` (with `(?i)`
    // rewritten for PostgreSQL).
    let mut extra = String::new();
    loop {
        let c = chars.next().ok_or("an unclosed `[`")?;
        match c {
            ']' if !first => {
                out.push_str(&extra);
                out.push(']');
                return Ok(());
            }
            '-' if fold && previous.is_some() && chars.peek().is_some_and(|n| *n != ']') => {
                let (low, high) = (previous.unwrap_or('-'), chars.next().unwrap_or('-'));
                extra.push_str(&folded_range(low, high)?);
                out.push('-');
                out.push(high);
                previous = Some(high);
                first = false;
                continue;
            }
            ']' | '[' | '\\' => return Err(format!("`{c}` inside a `[…]` class")),
            '&' | '-' | '~' if previous == Some(c) => {
                return Err(format!("the class operator `{c}{c}`"))
            }
            c if !c.is_ascii() || c.is_ascii_control() => {
                return Err(format!("`{}` inside a `[…]` class", c.escape_debug()))
            }
            c => {
                out.push(c);
                if fold && c.is_ascii_alphabetic() {
                    extra.push_str(&variants(c));
                }
            }
        }
        previous = Some(c);
        first = false;
    }
}

/// The characters Rust's case-insensitive matching takes for an ASCII
/// letter: both cases, and the Kelvin sign for `k`, the long s for `s`.
fn variants(c: char) -> String {
    let mut out = format!("{}{}", c.to_ascii_lowercase(), c.to_ascii_uppercase());
    match c.to_ascii_lowercase() {
        'k' => out.push('\u{212a}'),
        's' => out.push('\u{17f}'),
        _ => {}
    }
    out
}

/// The other-case range (and special letters) of a range of letters.
fn folded_range(low: char, high: char) -> Result<String, String> {
    let letters = |a: char, b: char| {
        (a.is_ascii_lowercase() && b.is_ascii_lowercase())
            || (a.is_ascii_uppercase() && b.is_ascii_uppercase())
    };
    if low.is_ascii_digit() && high.is_ascii_digit() {
        return Ok(String::new());
    }
    if !letters(low, high) {
        return Err(format!("the range `{low}-{high}` under `(?i)`"));
    }
    let swap = |c: char| {
        if c.is_ascii_lowercase() {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        }
    };
    let mut out = format!("{}-{}", swap(low), swap(high));
    let covers = |c: char| (low..=high).contains(&c) || (low..=high).contains(&swap(c));
    if covers('k') {
        out.push('\u{212a}');
    }
    if covers('s') {
        out.push('\u{17f}');
    }
    Ok(out)
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
    fn postgres_spells_out_case_insensitive_letters() {
        assert_eq!(
            translate("(?i)^k[a-c]s$", Dialect::Postgres).as_deref(),
            // `a` is folded as a member, then the range as a range.
            Ok("^[kK\u{212a}][a-caAA-C][sS\u{17f}]$")
        );
        assert_eq!(
            translate("(?i)[^a-z0-9]", Dialect::Postgres).as_deref(),
            Ok("[^a-z0-9aAA-Z\u{212a}\u{17f}]")
        );
        assert!(translate("(?i)[A-z]", Dialect::Postgres).is_err());
    }

    #[test]
    fn spark_spells_out_case_insensitive_letters() {
        // Not `(?iu)`: Java folds `İ` and `ı` to `i`, Rust does not.
        assert_eq!(
            translate("(?i)^i[a-c]$", Dialect::Spark).as_deref(),
            Ok("(?d)^[iI][a-caAA-C]\\z")
        );
    }

    #[test]
    fn snowflake_gets_posix_spellings() {
        assert_eq!(
            translate("(?i)^(?:a|k)\\.b.$", Dialect::Snowflake).as_deref(),
            Ok("^([aA]|[kK\u{212a}])\\.[bB][^\n]$")
        );
        for bad in [
            "a+?", "a*?", "a??", "a{2}?", "a{2,}?", "\\+*?", "\\<", "\\d",
        ] {
            assert!(translate(bad, Dialect::Snowflake).is_err(), "{bad}");
        }
        assert!(translate("a+", Dialect::Snowflake).is_ok());
        // An escaped quantifier character is a literal: the `?` after it
        // is greedy, not lazy.
        for greedy in ["^\\+?1", "\\*?", "\\??", "a\\}?", "[+]?", "(a)?", "a{2}"] {
            assert_eq!(
                translate(greedy, Dialect::Snowflake).as_deref(),
                Ok(greedy),
                "{greedy}"
            );
        }
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
