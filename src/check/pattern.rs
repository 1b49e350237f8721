//! Whether a `matches` pattern compiles, without compiling the usual ones.
//!
//! Compiling a regex (parse, then build its automata) is what `tally
//! score` does; `tally check` only needs to know that it would succeed,
//! and a model can have thousands of patterns. Parsing alone settles it
//! for a small, plain pattern: its automaton is far below the size limit.
//! Any other pattern, or one that does not parse, is compiled exactly as
//! the scorer will, so the outcome and the error text are the same.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Largest compiled size of a `matches` pattern; bounds memory per regex.
/// The same as `plan::compile`'s.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Longest pattern, in bytes, that [`small`] vouches for.
const SMALL_PATTERN: usize = 256;

/// Most character-class ranges, all classes together, that [`small`]
/// vouches for. Each range compiles to at most a few dozen automaton
/// transitions, so with `SMALL_PATTERN` bytes of literals this stays two
/// orders of magnitude below `REGEX_SIZE_LIMIT`.
const SMALL_RANGES: usize = 128;

/// `Ok` if `pattern` compiles within the size limit, else the error in
/// one line.
pub(super) fn validate(pattern: &str) -> Result<(), String> {
    if small(pattern) {
        return Ok(());
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(drop)
        .map_err(|error| message(&error))
}

/// True if `pattern` parses (with the `regex` crate's defaults) into a
/// short pattern with few class ranges and no counted repetition (`{n}`
/// copies its operand n times; `*`, `+` and `?` do not copy).
fn small(pattern: &str) -> bool {
    if pattern.len() > SMALL_PATTERN {
        return false;
    }
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return false;
    };
    let mut ranges = 0;
    plain(&hir, &mut ranges) && ranges <= SMALL_RANGES
}

/// No counted repetition in `hir`; adds its class ranges to `ranges`.
/// Recursion is bounded by the parser's nesting limit.
fn plain(hir: &Hir, ranges: &mut usize) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => true,
        HirKind::Class(Class::Unicode(class)) => {
            *ranges += class.ranges().len();
            true
        }
        HirKind::Class(Class::Bytes(class)) => {
            *ranges += class.ranges().len();
            true
        }
        HirKind::Repetition(rep) => {
            rep.min <= 1 && rep.max.is_none_or(|max| max <= 1) && plain(&rep.sub, ranges)
        }
        HirKind::Capture(capture) => plain(&capture.sub, ranges),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().all(|p| plain(p, ranges))
        }
    }
}

/// The one-line reason from a regex error (its Display spans lines).
fn message(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or("invalid pattern"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What compiling would say, for comparison.
    fn compiled(pattern: &str) -> Result<(), String> {
        regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map(drop)
            .map_err(|error| message(&error))
    }

    #[test]
    fn vetting_agrees_with_compiling() {
        let patterns = [
            "(?i)^head of 42",
            "@gmail[.]com$",
            "^(ceo|cto|vp)\\b",
            "[a-z]+\\d*",
            "\\w+@\\w+",
            "\\pL{2,}",
            "\\w{50}",
            "\\w{500}",
            "(\\w{20}){20}",
            "[\\p{Greek}\\p{Cyrillic}]+",
            "(gmail|yahoo[.]com$",
            "a{1001}{1001}",
            "x{,5}",
            "\\",
            "(?<name>a)",
            "(?P<n>a)(?P<n>b)",
            "[z-a]",
            "\\q",
            "a**",
            "",
            ".*",
            "(?s).",
            "(?-u:\\xFF)",
        ];
        for pattern in patterns {
            assert_eq!(validate(pattern), compiled(pattern), "pattern {pattern:?}");
        }
    }

    #[test]
    fn vetting_agrees_with_compiling_on_scrambled_patterns() {
        const PIECES: [&str; 24] = [
            "a", "b", "(", ")", "|", "*", "+", "?", "[", "]", "{", "}", "2", ",", "\\", "d", "w",
            "-", "^", "$", ".", "(?i)", "é", "{9}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut pattern = String::new();
            for _ in 0..seed % 9 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                pattern.push_str(PIECES.get((seed % 24) as usize).unwrap_or(&"a"));
            }
            assert_eq!(
                validate(&pattern),
                compiled(&pattern),
                "pattern {pattern:?}"
            );
        }
    }

    #[test]
    fn usual_patterns_take_the_short_way() {
        for pattern in [
            "(?i)^head of 42",
            "@gmail[.]com$",
            "^(ceo|cto|vp)\\b",
            "[a-z]+\\d*",
        ] {
            assert!(small(pattern), "{pattern:?}");
        }
        // Unicode `\w` and `\pL` have hundreds of ranges: compiled.
        for pattern in ["\\w{50}", "(a", "\\pL+", "\\w+@\\w+"] {
            assert!(!small(pattern), "{pattern:?}");
        }
    }
}
