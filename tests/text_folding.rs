//! Text comparison through the binary (LANGUAGE.md §5, language 1.1):
//! both sides trimmed, put in NFC and fully case-folded, with exact
//! scores. Each rule adds a power of two, so a score names the rules that
//! fired.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail by panicking

use std::process::Command;

use tally::eval::{Lead, Scorer};
use tally::source::Source;
use tally::value::{parse_date_literal, read_cell, Decimal};

const MODEL: &str = "fields {
  id:   text required
  t:    text
  tags: list
}
when t == \"straße\"                  add 1   \"sharp s\"
when t == \"οδός\"                    add 2   \"final sigma\"
when t == \"Caf\u{e9}\"                    add 4   \"precomposed\"
when t in [\"ﬁnance\", \"İstanbul\"]    add 8   \"set\"
when t contains \"ΣΑ\"                add 16  \"contains\"
when t starts with \"STRASS\"         add 32  \"starts\"
when t ends with \"ΌΣ\"               add 64  \"ends\"
when tags contains \"Straße\"         add 128 \"list item\"
when t matches \"^STRASSE$\"          add 256 \"regex as written\"
";

/// Each lead and the score it must get.
const LEADS: &[(&str, &str, &str, u32)] = &[
    // STRASSE equals straße, starts with STRASS and matches as written.
    ("1", "STRASSE", "", 1 + 32 + 256),
    // A final ς folds like σ: ΟΔΌΣ equals οδός and ends with ΌΣ.
    ("2", "ΟΔΌΣ", "", 2 + 64),
    // Accents count: ΟΔΟΣ is not οδός.
    ("3", "ΟΔΟΣ", "", 0),
    // A combining accent equals the precomposed letter.
    ("4", " Cafe\u{301} ", "", 4),
    ("5", "FINANCE", "", 8),
    // İ folds to i + U+0307; a plain i or a dotless ı is another letter.
    ("6", "i\u{307}stanbul", "", 8),
    ("7", "istanbul", "", 0),
    ("8", "ıstanbul", "", 0),
    // The regex is not folded; list items are.
    ("9", "straße", "STRASSE; x", 1 + 32 + 128),
    ("10", "  ΣΑΣ  ", "", 16),
];

#[test]
fn the_specification_s_examples_score_exactly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), MODEL).unwrap();
    let mut csv = String::from("id,t,tags\n");
    let mut expected = String::from("id,t,tags,score\n");
    for (id, t, tags, score) in LEADS {
        csv.push_str(&format!("{id},{t},{tags}\n"));
        expected.push_str(&format!("{id},{t},{tags},{score}\n"));
    }
    std::fs::write(dir.path().join("l.csv"), csv).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "m.tally", "l.csv", "--as-of", "2026-11-22"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

/// The same leads through the library's scorer (compiled conditions, no
/// memo): the same exact scores.
#[test]
fn the_scorer_gives_the_same_exact_scores() {
    let model = tally::compile(&Source::new("m.tally", MODEL))
        .model
        .unwrap();
    let plan = tally::plan::compile(&model);
    let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
    for (id, t, tags, want) in LEADS {
        let cells = [*id, *t, *tags];
        let values = plan
            .fields
            .iter()
            .zip(cells)
            .map(|(f, cell)| read_cell(f.ty, cell, &f.read).unwrap())
            .collect();
        let outcome = scorer.score(&Lead { values });
        assert_eq!(outcome.score, Decimal::from(*want), "lead {id}: {t:?}");
    }
}
