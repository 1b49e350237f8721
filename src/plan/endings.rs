//! The literal endings of a `matches` pattern anchored at the end of the
//! text: every match of `(?i)@(gmail|yahoo)[.]com$` ends the text with
//! `.com` in some case, so a text that ends otherwise is known not to match
//! without running the regex. E-mail domain tests (`@gmail[.]com$`,
//! `[.]edu$`) are written this way, and most addresses fail them at the
//! last few bytes; a set lookup costs a fraction of a regex search.
//!
//! The endings come from `regex-syntax`'s literal extractor (the `regex`
//! crate's own prefilter machinery): for a suffix extraction that gives a
//! finite set, every match ends with one of the set's literals. With the
//! match also ending where the text does (`$` without `(?m)`, or `\z`),
//! the text ends with one of them whenever the regex matches it.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::Look;

/// Most literals kept; more (a long alternation) and there is no filter.
const MOST: usize = 256;

/// The literals every match of an end-anchored pattern ends the text with.
#[derive(Debug, Clone)]
pub struct Endings {
    /// The bytes they end with, one bit each: most texts that fail are
    /// turned down by their last byte, with no lookup.
    last: [u64; 4],
    /// Per length up to [`WORD`] bytes: the last that many bytes of each
    /// literal of at least that length (all of a shorter one), as a
    /// little-endian word, sorted. A literal longer than a word is
    /// checked by its last word only: a text that ends with it ends with
    /// that too.
    words: Vec<(usize, Vec<u64>)>,
}

/// Bytes compared at most.
const WORD: usize = 8;

impl Endings {
    /// The endings of `pattern` (parsed as the `regex` crate parses it),
    /// if every match ends at the end of the text and the endings are a
    /// finite set of non-empty literals; else `None`: no filter.
    pub fn of(pattern: &str) -> Option<Endings> {
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        if !hir.properties().look_set_suffix().contains(Look::End) {
            return None;
        }
        let mut extractor = Extractor::new();
        extractor.kind(ExtractKind::Suffix);
        let seq = extractor.extract(&hir);
        let literals = seq.literals()?;
        if literals.is_empty() || literals.len() > MOST {
            return None;
        }
        let mut words: Vec<(usize, Vec<u64>)> = Vec::new();
        let mut last = [0; 4];
        for literal in literals {
            let bytes = literal.as_bytes();
            let Some(&end) = bytes.last() else {
                return None; // an empty ending: any text has it
            };
            if let Some(word) = last.get_mut(usize::from(end >> 6)) {
                *word |= 1 << (end & 63);
            }
            let length = bytes.len().min(WORD);
            let word = tail_word(bytes, length)?;
            match words.iter_mut().find(|(n, _)| *n == length) {
                Some((_, list)) => list.push(word),
                None => words.push((length, vec![word])),
            }
        }
        for (_, list) in &mut words {
            list.sort_unstable();
            list.dedup();
        }
        words.sort_unstable();
        Some(Endings { last, words })
    }

    /// Whether `text` may end with one of the endings (if not, the pattern
    /// does not match it).
    #[inline]
    pub fn end(&self, text: &[u8]) -> bool {
        let Some(&end) = text.last() else {
            return false;
        };
        let word = self.last.get(usize::from(end >> 6)).copied().unwrap_or(0);
        if word & 1 << (end & 63) == 0 {
            return false;
        }
        self.words.iter().any(|(length, list)| {
            tail_word(text, *length).is_some_and(|w| list.binary_search(&w).is_ok())
        })
    }
}

/// The last `length` (at most [`WORD`]) bytes of `bytes` as a
/// little-endian word; `None` if it is shorter.
#[inline]
fn tail_word(bytes: &[u8], length: usize) -> Option<u64> {
    if length == 0 || length > WORD || bytes.len() < length {
        return None;
    }
    // The last eight bytes in one load, shifted down to the last
    // `length` (a text shorter than eight bytes is copied first).
    let last = match bytes.last_chunk::<WORD>() {
        Some(last) => u64::from_le_bytes(*last),
        None => {
            let mut word = [0; WORD];
            let at = WORD - bytes.len();
            word.get_mut(at..)?.copy_from_slice(bytes);
            u64::from_le_bytes(word)
        }
    };
    Some(last >> (8 * (WORD - length)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn an_end_anchored_pattern_has_the_endings_of_its_matches() {
        let endings = Endings::of("(?i)@(gmail|yahoo|hotmail|outlook)[.]com$").unwrap();
        assert!(endings.end(b"ada@GMail.Com"));
        assert!(endings.end(b"ada@initech.com"));
        assert!(!endings.end(b"ada@initech.io"));
        assert!(!endings.end(b"com"));
        assert!(!endings.end(b""));
        let endings = Endings::of(r"[.](edu|gov)\z").unwrap();
        assert!(endings.end(b"x.gov"));
        assert!(!endings.end(b"x.GOV"));
    }

    #[test]
    fn other_patterns_have_no_filter() {
        // Not anchored at the end; anchored at a line's end; an ending
        // that may be empty; no literal ending.
        for pattern in ["gmail", "(?m)com$", "x*$", "(a|)$", "[a-z]+$", "^a"] {
            assert!(Endings::of(pattern).is_none(), "{pattern}");
        }
    }

    /// Patterns with endings, and texts near them.
    fn pattern() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "(?i)@(gmail|yahoo|hotmail|outlook)[.]com$",
            "@gmail[.]com$",
            "(?i)[.](edu|gov)$",
            r"(?i)\bvp$",
            "^(ceo|cto)$",
            "a.*b$",
            "(?i)straße$",
            r"(?i)k\z",
            "(foo|foobar)$",
        ])
        .prop_map(str::to_string)
    }

    fn text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "@", "gmail", "GMail", ".", "com", "COM", "edu", "gov", "vp", "VP", " ", "ceo", "a",
            "b", "x", "STRASSE", "straße", "ß", "\u{212A}", "k", "foo", "bar",
        ]);
        prop::collection::vec(pieces, 0..6).prop_map(|p| p.concat())
    }

    proptest! {
        /// The filter never turns down a text the regex matches.
        #[test]
        fn a_text_the_regex_matches_has_an_ending(pattern in pattern(), text in text()) {
            let endings = Endings::of(&pattern).unwrap();
            let regex = regex::Regex::new(&pattern).unwrap();
            if regex.is_match(&text) {
                prop_assert!(endings.end(text.as_bytes()), "{pattern} {text:?}");
            }
        }
    }
}
