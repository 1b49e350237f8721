//! Any bytes given as a model yield findings or a model: never a panic,
//! a stack overflow or a hang.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use miette::Diagnostic;
use tally::{compile_bytes, Compiled};

fn compile(text: impl Into<Vec<u8>>) -> Compiled {
    compile_bytes("t.tally", text.into()).1
}

fn codes(compiled: &Compiled) -> Vec<String> {
    compiled
        .findings
        .iter()
        .map(|f| f.code().unwrap().to_string())
        .collect()
}

const FIELDS: &str = "fields { a: number, b: bool }\n";

#[test]
fn ten_thousand_nested_parentheses_are_refused_politely() {
    let deep = format!(
        "{FIELDS}when {}a > 1{} add 1",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_eq!(codes(&compile(deep)), ["tally::too_deep"]);
    let brackets = format!(
        "{FIELDS}when a in {}1{} add 1",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(codes(&compile(brackets)), ["tally::too_deep"]);
}

#[test]
fn nesting_up_to_the_limit_parses() {
    // The parser runs without pest's stack probe: the bracket limit is
    // what keeps its recursion within a test thread's 2 MiB stack, in a
    // debug build, for parentheses and calls alike.
    let depth = tally::syntax::MAX_NESTING;
    let nested = [
        ("when ", "(", "a > 1", ")", " add 1"),
        ("when b add ", "min(1, ", "a", ")", ""),
    ];
    for (before, open, inner, close, after) in nested {
        let text = format!(
            "{FIELDS}{before}{}{inner}{}{after}",
            open.repeat(depth),
            close.repeat(depth)
        );
        let compiled = compile(text);
        assert!(compiled.model.is_some(), "{open}: {:?}", codes(&compiled));
    }
}

#[test]
fn brackets_inside_text_and_comments_do_not_count() {
    let text = format!(
        "{FIELDS}# {}\nwhen b add 1 \"{}\"",
        "(".repeat(500),
        "[".repeat(500)
    );
    assert!(compile(text).model.is_some());
}

#[test]
fn long_chains_do_not_build_deep_trees() {
    let n = 100_000;
    let sum = vec!["a"; n].join(" + ");
    assert!(compile(format!("{FIELDS}when b add {sum}")).model.is_some());
    let and = vec!["b"; n].join(" and ");
    assert!(compile(format!("{FIELDS}when {and} add 1")).model.is_some());
    let nots = "not ".repeat(n);
    assert!(compile(format!("{FIELDS}when {nots}b add 1"))
        .model
        .is_some());
    let negs = "- ".repeat(n);
    assert!(compile(format!("{FIELDS}when b add {negs}a"))
        .model
        .is_some());
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let mut bytes = FIELDS.as_bytes().to_vec();
    bytes.extend_from_slice(b"when b add 1 \"caf\xe9\"");
    let compiled = compile(bytes);
    assert_eq!(codes(&compiled), ["tally::not_utf8"]);
    assert_eq!(
        compiled.findings[0].to_string(),
        format!(
            "the file is not saved as UTF-8 (byte {} is not valid)",
            FIELDS.len() + 17
        )
    );
}

#[test]
fn an_empty_file_lacks_fields() {
    assert_eq!(codes(&compile("")), ["tally::missing_fields"]);
    assert_eq!(
        codes(&compile("# only a comment\n")),
        ["tally::missing_fields"]
    );
    assert_eq!(codes(&compile(";;;")), ["tally::missing_fields"]);
}

#[test]
fn a_ten_thousand_rule_model_checks() {
    let mut text = String::from("fields { a: number, t: text, l: list }\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "when a > {i} and t in [x{i}, y] add {i} \"rule {i}\"\n"
        ));
    }
    let compiled = compile(text);
    assert_eq!(compiled.model.unwrap().rules.len(), 10_000);
}

/// A tiny deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEED_MODEL: &str = include_str!("../examples/b2b_inbound.tally");

#[test]
fn mutated_models_never_panic() {
    let mut rng = XorShift(0x7a11_7a11);
    let alphabet: Vec<char> =
        "()[]{}\"`#;:,.-+*/<>=! \n\tabcxyz019_ΔéwhenandornotinaddsubifthenelseNaN\\\u{0}"
            .chars()
            .collect();
    for _ in 0..2_000 {
        let mut text: Vec<char> = SEED_MODEL.chars().collect();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(text.len() + 1);
            match rng.below(3) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 if at < text.len() => {
                    let end = (at + rng.below(40)).min(text.len());
                    text.drain(at..end);
                }
                _ => text.insert(at, alphabet[rng.below(alphabet.len())]),
            }
        }
        let text: String = text.into_iter().collect();
        let _ = compile(text);
    }
}

#[test]
fn random_token_soup_never_panics() {
    let tokens = [
        "fields",
        "{",
        "}",
        "a",
        ":",
        "number",
        "text",
        "list",
        "when",
        "add",
        "sub",
        "if",
        "then",
        "else",
        "group",
        "max",
        "min",
        "tier",
        "test",
        "given",
        "expect",
        "let",
        "=",
        "==",
        "<",
        "(",
        ")",
        "[",
        "]",
        ",",
        "1",
        "-2.5",
        "2026-02-30",
        "30 days",
        "\"x\"",
        "and",
        "or",
        "not",
        "in",
        "between",
        "contains",
        "any",
        "matches",
        "is",
        "missing",
        "within",
        "score",
        "stage",
        "today",
        "fired(",
        "round(",
        "min(",
        "\n",
        "#c\n",
        "`b c`",
        ";",
    ];
    let mut rng = XorShift(42);
    for _ in 0..3_000 {
        let len = 1 + rng.below(60);
        let text: Vec<&str> = (0..len).map(|_| tokens[rng.below(tokens.len())]).collect();
        let _ = compile(text.join(" "));
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = XorShift(7);
    for _ in 0..2_000 {
        let bytes: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
        let _ = compile(bytes);
    }
}
