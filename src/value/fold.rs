//! Text as compared (LANGUAGE.md §5): `==`, `!=`, `in`, `contains`,
//! `starts with` and `ends with` compare *folded* text.
//!
//! `fold(x) = NFC(casefold(NFC(trim(x))))`: surrounding white space
//! dropped, Unicode normalization form NFC, Unicode's full case folding
//! (CaseFolding.txt, statuses C and F: `ß` → `ss`, `ς` → `σ`, `ﬁ` → `fi`),
//! then NFC again. The last NFC is there because folding NFC text does not
//! always give NFC text: `ǰ` folds to `j` + U+030C, and `ΐ` (U+0390) folds
//! to `ι` + U+0308 + U+0301 while `Ϊ́` (U+03AA U+0301) folds to `ϊ` +
//! U+0301; after NFC both are U+0390 again, so canonically equivalent
//! results compare equal, and every folded text is NFC.
//!
//! Unicode's own "canonical caseless match" (D145) decomposes first,
//! `NFD(casefold(NFD(x)))`; it differs from this only where U+0345
//! (combining ypogegrammeni, which folds to `ι`) follows another combining
//! mark of a lower class, and it cannot be written in every SQL engine
//! (DuckDB has no NFD), while this definition can: the interpreter and
//! the SQL compute the same thing.

use std::borrow::Cow;

use caseless::Caseless;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Text as compared: see the module documentation.
pub fn fold_text(text: &str) -> String {
    let mut out = String::new();
    fold_into(&mut out, text);
    out
}

/// [`fold_text`] into a reused buffer. ASCII text, nearly every cell of a
/// lead file, takes a fast path: it is NFC already, and its full case
/// folding is ASCII lower case.
pub fn fold_into(buf: &mut String, text: &str) {
    buf.clear();
    let trimmed = super::trim(text);
    if trimmed.is_ascii() {
        buf.push_str(trimmed);
        buf.make_ascii_lowercase();
    } else {
        fold_unicode(buf, trimmed);
    }
}

/// NFC, full case folding, NFC, for text with a non-ASCII character.
fn fold_unicode(buf: &mut String, text: &str) {
    let composed: Cow<'_, str> = match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.chars().nfc().collect()),
    };
    buf.extend(composed.chars().default_case_fold());
    if is_nfc_quick(buf.chars()) != IsNormalized::Yes {
        let recomposed: String = buf.chars().nfc().collect();
        *buf = recomposed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        fold_text(a) == fold_text(b)
    }

    #[test]
    fn the_specification_s_examples() {
        assert!(same("  ceo", "CEO"));
        assert!(same("ΔΙΕΥΘΥΝΤΉΣ", "διευθυντής"));
        assert!(same("STRASSE", "straße"));
        assert!(same("ΟΔΌΣ", "οδός"));
        assert!(same("Cafe\u{301}", "Caf\u{e9}"));
        assert!(!same("ΟΔΟΣ", "οδός"));
    }

    #[test]
    fn folded_text_is_exact() {
        assert_eq!(fold_text(" STRAẞE\t"), "strasse");
        assert_eq!(fold_text("ΟΔΌΣ"), "οδόσ");
        assert_eq!(fold_text("οδός"), "οδόσ");
        assert_eq!(fold_text("CAFE\u{301}"), "caf\u{e9}");
        assert_eq!(fold_text("İstanbul"), "i\u{307}stanbul");
        assert_eq!(fold_text("ıSTANBUL"), "ıstanbul");
        assert_eq!(fold_text("ﬁnance"), "finance");
        assert_eq!(fold_text("ᏸᎠ"), "ᏰᎠ");
        assert_eq!(fold_text("ǰ"), "ǰ");
        assert_eq!(fold_text(""), "");
        assert_eq!(fold_text(" \u{a0}"), "");
    }

    #[test]
    fn canonically_equivalent_results_are_equal() {
        // U+0390 folds to ι + dialytika + tonos; Ϊ + tonos folds to ϊ +
        // tonos: the closing NFC makes both U+0390.
        assert_eq!(fold_text("\u{390}"), "\u{390}");
        assert_eq!(fold_text("\u{3aa}\u{301}"), "\u{390}");
        assert_eq!(fold_text("\u{399}\u{308}\u{301}"), "\u{390}");
    }

    #[test]
    fn accents_still_count() {
        assert!(!same("cafe", "café"));
        assert!(!same("i", "İ"));
        assert!(!same("i", "ı"));
    }

    #[test]
    fn the_buffer_is_reused_and_replaced() {
        let mut buf = String::from("left over");
        fold_into(&mut buf, " ABC ");
        assert_eq!(buf, "abc");
        fold_into(&mut buf, "Maße");
        assert_eq!(buf, "masse");
        fold_into(&mut buf, "ǰ");
        assert_eq!(buf, "ǰ");
    }
}
