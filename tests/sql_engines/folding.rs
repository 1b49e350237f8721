//! Text folding in SQL (LANGUAGE.md §5, language 1.1: NFC, then full case
//! folding): German sharp s, Greek final sigma and accents, decomposed and
//! precomposed accents, Turkish dotted and dotless i, ligatures, Cherokee.

use tally::value::parse_date_literal;
use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::harness::Job;

const MODEL: &str = r#"fields {
  t: text
  l: list
}
group equal {
  when t == "straße"     add 1
  when t == "οδός"       add 2
  when t == "Café"       add 4
  when t == "İstanbul"   add 8
  when t == "ıstanbul"   add 16
  when t == "ﬁnance"     add 32
  when t == "ΐ"          add 64
  when t == "ᎠᏰ"         add 128
  when t == "ǰ"          add 256
  when t == "ᾳ"          add 512
}
group other {
  when t in ["STRASSE", "ΟΔΌΣ", "CAFÉ", "İSTANBUL"] add 1
  when t contains "ΣΑ"      add 2
  when t starts with "ﬁ"    add 4
  when t ends with "ΌΣ"     add 8
  when l contains "straße"  add 16
  when t in l               add 32
  when l contains any ["Café", "ΟΔΌΣ"] add 64
}
"#;

/// Texts that fold alike in groups, and near misses.
const TEXTS: &[&str] = &[
    "STRASSE",
    "straße",
    "STRAẞE",
    "ΟΔΌΣ",
    "οδός",
    "ΟΔΟΣ",
    " ΣΑΣ ",
    "Cafe\u{301}",
    "Café",
    "CAFÉ",
    "CAFE\u{301}",
    "cafe",
    "İstanbul",
    "ISTANBUL",
    "ıstanbul",
    "istanbul",
    "i\u{307}stanbul",
    "ﬁnance",
    "FINANCE",
    "\u{390}",
    "\u{3aa}\u{301}",
    "\u{399}\u{308}\u{301}",
    "\u{1fd3}",
    "ᎠᏰ",
    "ꭰᏸ",
    "ǰ",
    "J\u{30c}",
    "ᾼ",
    "ᾳ",
    "ΑΙ",
    "",
];

const LISTS: &[&str] = &[
    "straße; x",
    "STRASSE",
    "ΟΔΌΣ;cafe\u{301}",
    "",
    "İstanbul;ﬁnance",
];

/// Every text with every list; with `nfc_only`, only text already in NFC
/// (for an engine without normalization).
pub fn job(nfc_only: bool) -> Job {
    let mut rows = Vec::new();
    for (i, t) in TEXTS.iter().enumerate() {
        for l in LISTS.iter().skip(i % 2) {
            if nfc_only && !(needs_no_nfc(t) && needs_no_nfc(l)) {
                continue;
            }
            rows.push(vec![Some(t.to_string()), Some(l.to_string())]);
        }
    }
    Job {
        name: "folding".to_string(),
        model: MODEL.to_string(),
        columns: vec!["t".to_string(), "l".to_string()],
        rows,
        as_of: parse_date_literal("2026-11-22").unwrap(),
        engine_today: false,
    }
}

/// Whether `text` folds right without normalization: it is NFC, and so
/// is the folding of its characters, each in NFC (as the SQL writes it).
fn needs_no_nfc(text: &str) -> bool {
    let folded: String = text
        .chars()
        .flat_map(|c| {
            caseless::default_case_fold_str(&c.to_string())
                .nfc()
                .collect::<Vec<_>>()
        })
        .collect();
    is_nfc(text) && is_nfc(&folded)
}

/// A decomposed and a precomposed `é`, and a Greek iota whose folding NFC
/// composes: where the engine does not normalize, rows 0 and 2 differ.
pub fn decomposed() -> Job {
    let rows = ["CAFE\u{301}", "CAF\u{c9}", "\u{3aa}\u{301}", "\u{390}"];
    Job {
        name: "decomposed".to_string(),
        model: "fields { t: text }\nwhen t == \"café\" add 1\nwhen t == \"ΐ\" add 2\n".to_string(),
        columns: vec!["t".to_string()],
        rows: rows.iter().map(|t| vec![Some(t.to_string())]).collect(),
        as_of: parse_date_literal("2026-11-22").unwrap(),
        engine_today: false,
    }
}
