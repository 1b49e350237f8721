//! List cells split on separators of every kind, with every kind of white
//! space around the items: DuckDB splits an ASCII cell on a one-character
//! separator that is neither a letter nor white space with a regex over
//! the lower-cased cell, every other cell item by item (docs/sql.md), and
//! both must give the interpreter's items.

use tally::value::parse_date_literal;

use super::harness::Job;

/// One list per kind of separator: the default `;`, punctuation, a digit
/// (the regex path); a letter, a space, two characters (item by item).
const MODEL: &str = r#"fields {
  a: list
  b: list sep "|"
  c: list sep "0"
  d: list sep "x"
  e: list sep " "
  f: list sep "; "
}
group counts {
  when count(a) >= 0 add count(a)
  when count(b) >= 0 add 10 * count(b)
  when count(c) >= 0 add 100 * count(c)
  when count(d) >= 0 add 1000 * count(d)
  when count(e) >= 0 add 10000 * count(e)
  when count(f) >= 0 add 100000 * count(f)
}
group items {
  when a contains "a b"    add 1
  when b contains "é-book" add 2
  when c contains "x"      add 4
  when d contains "1"      add 8
  when e contains "pricing" add 16
  when f contains "a b"    add 32
  when a contains any ["pricing", "x"] add 64
  when f contains "é-book" add 128
}
"#;

/// Items: upper and lower case, inner spaces, non-ASCII letters, and
/// characters some of the separators are made of.
const ITEMS: &[&str] = &[
    "pricing", "PRICING", "a b", "A B", "é-book", "É-BOOK", "x", "X", "1", "10", "", ";", "|",
];

/// White space around an item: ASCII (which the regex path trims) and
/// not (which sends a cell item by item).
const PADS: &[&str] = &[
    "", " ", "\t", "\n", "\u{b}", "\u{c}", "\r", " \t ", "\u{a0}", "\u{3000}", "\u{2000}",
];

const SEPARATORS: &[&str] = &[";", "|", "0", "x", " ", "; "];

/// A small deterministic generator (no dependency for a few hundred rows).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn cell(rng: &mut Lcg, sep: &str) -> String {
    let n = rng.below(5);
    let items: Vec<String> = (0..n)
        .map(|_| {
            let (before, after) = (PADS[rng.below(PADS.len())], PADS[rng.below(PADS.len())]);
            format!("{before}{}{after}", ITEMS[rng.below(ITEMS.len())])
        })
        .collect();
    let mut text = items.join(sep);
    if rng.below(5) == 0 {
        text.push_str(sep);
        text.push_str(sep);
    }
    text
}

pub fn job() -> Job {
    let mut rng = Lcg(23);
    let rows = (0..400)
        .map(|_| {
            (SEPARATORS.iter())
                .map(|sep| Some(cell(&mut rng, sep)))
                .collect()
        })
        .collect();
    Job {
        name: "lists".to_string(),
        model: MODEL.to_string(),
        columns: ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec(),
        rows,
        as_of: parse_date_literal("2026-11-22").unwrap(),
        engine_today: false,
    }
}
