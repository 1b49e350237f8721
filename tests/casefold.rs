//! Text folding (src/value/fold.rs) against Unicode's own CaseFolding.txt
//! (the version caseless and `char::to_lowercase` use, 16.0.0, kept in
//! tests/unicode/): every C and F mapping, and the list of characters the
//! SQL dialects must fix up after the engines' lower case
//! (`value::FOLD_AFTER_LOWER`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail by panicking

use std::collections::BTreeMap;

use tally::value::{fold_text, FOLD_AFTER_LOWER};
use unicode_normalization::UnicodeNormalization;

/// Full case folding as the file gives it: code point → folded text.
fn case_folding() -> BTreeMap<char, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/unicode/CaseFolding-16.0.0.txt"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let data = line.split('#').next().unwrap_or("").trim();
        if data.is_empty() {
            continue;
        }
        let fields: Vec<&str> = data.split(';').map(str::trim).collect();
        let [code, status, mapping, ..] = fields[..] else {
            panic!("bad line {line:?}");
        };
        if status != "C" && status != "F" {
            continue; // S (simple) and T (Turkic) are not full default folding
        }
        let char_of = |hex: &str| char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap();
        let folded = mapping.split_whitespace().map(char_of).collect();
        map.insert(char_of(code), folded);
    }
    map
}

fn fold_by_file(map: &BTreeMap<char, String>, text: &str) -> String {
    text.chars()
        .map(|c| map.get(&c).cloned().unwrap_or_else(|| c.to_string()))
        .collect()
}

#[test]
fn the_file_is_the_version_we_expect() {
    let map = case_folding();
    assert_eq!(map.len(), 1557, "C and F entries of CaseFolding-16.0.0.txt");
    assert_eq!(map[&'ß'], "ss");
    assert_eq!(map[&'İ'], "i\u{307}");
}

#[test]
fn every_character_folds_as_the_file_says() {
    let map = case_folding();
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let text = c.to_string();
        // The folding proper, without the normalizations around it.
        assert_eq!(
            caseless::default_case_fold_str(&text),
            fold_by_file(&map, &text),
            "U+{:04X}",
            c as u32
        );
        if c.is_whitespace() {
            continue; // trimmed away
        }
        // fold_text = NFC(fold(NFC(c))).
        let composed: String = text.nfc().collect();
        let expected: String = fold_by_file(&map, &composed).nfc().collect();
        assert_eq!(fold_text(&text), expected, "U+{:04X}", c as u32);
    }
}

/// What full case folding changes in text that lower case (Rust's, per
/// character) has already been applied to: `ß`, `ς`, the ligatures,
/// Cherokee (which folds to upper case), … The SQL dialects lower-case,
/// then replace these.
fn derived_after_lower(map: &BTreeMap<char, String>) -> Vec<(char, String)> {
    map.iter()
        .filter(|(c, folded)| {
            let lower: String = c.to_lowercase().collect();
            lower == c.to_string() && **folded != lower
        })
        .map(|(c, folded)| (*c, folded.clone()))
        .collect()
}

#[test]
fn the_sql_fix_up_list_is_what_the_file_says() {
    let map = case_folding();
    let derived = derived_after_lower(&map);
    let ours: Vec<(char, String)> = FOLD_AFTER_LOWER
        .iter()
        .map(|(c, f)| (*c, f.to_string()))
        .collect();
    let written: String = derived
        .iter()
        .map(|(c, f)| format!("    ('\\u{{{:x}}}', {f:?}),\n", *c as u32))
        .collect();
    assert_eq!(ours, derived, "the list should be:\n{written}");
}

/// Lower case, then the fix-ups, is full case folding: for every
/// character, folding its lower case gives its folding (so the list above
/// is all the SQL needs after `lower`).
#[test]
fn lower_case_then_the_fix_ups_is_full_folding() {
    let map = case_folding();
    let fix: BTreeMap<char, &str> = FOLD_AFTER_LOWER.iter().copied().collect();
    let mut newer = Vec::new();
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let via_lower: String = c
            .to_lowercase()
            .map(|l| fix.get(&l).map_or_else(|| l.to_string(), |f| f.to_string()))
            .collect();
        // A case pair newer than the file (Rust 1.95's tables are Unicode
        // 17's: U+A7CE, Beria Erfe, ...): the file folds neither letter.
        let lower: String = c.to_lowercase().collect();
        if !map.contains_key(&c) && lower != c.to_string() && fold_by_file(&map, &lower) == lower {
            newer.push(c);
            continue;
        }
        assert_eq!(
            via_lower,
            fold_by_file(&map, &c.to_string()),
            "U+{:04X}",
            c as u32
        );
    }
    // Unicode 17 added 28 such pairs; a later toolchain may add more, but
    // not hundreds.
    assert!(
        newer.len() <= 100,
        "{} case pairs newer than CaseFolding.txt",
        newer.len()
    );
}
