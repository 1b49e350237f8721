//! Warnings of `tally check` (spec section 9): each fires on a minimal
//! model with its exact wording, stays silent on the near miss, and the
//! bundled examples give none.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::tally;

use std::path::Path;

use miette::Diagnostic;
use tally::check::lints::{group_range, score_range, Range};
use tally::compile;
use tally::id::{GroupId, Id};
use tally::source::Source;
use tally::value::Decimal;

/// Every warning of a model as `code: message`; the model has no errors.
fn warnings(text: &str) -> Vec<String> {
    let compiled = compile(&Source::new("model.tally", text));
    assert_eq!(compiled.error_count(), 0, "{:?}", compiled.findings);
    compiled
        .findings
        .iter()
        .map(|f| format!("{}: {f}", f.code().unwrap()))
        .collect()
}

fn assert_warns(text: &str, expected: &[&str]) {
    assert_eq!(warnings(text), expected, "model:\n{text}");
}

fn assert_silent(text: &str) {
    assert_warns(text, &[]);
}

const TWO_RULES: &str = "fields { job_title: text, clicked_demo: bool }\n\
    when job_title in [CEO, VP] add 30 \"Decision maker\"\n\
    when clicked_demo add 25 \"Asked for a demo\"\n";

#[test]
fn a_line_after_a_looser_one_is_unreachable() {
    let model =
        format!("{TWO_RULES}if score >= 25 then MQL\nif score >= 50 then SQL\nelse Nurture\n");
    assert_warns(
        &model,
        &["tally::unreachable_line: this line is never taken: its leads already get `MQL` from an earlier line"],
    );
    let fine =
        format!("{TWO_RULES}if score >= 50 then SQL\nif score >= 25 then MQL\nelse Nurture\n");
    assert_silent(&fine);
}

#[test]
fn implication_covers_and_equality_and_or() {
    let model = "fields { e: int, c: text }\nwhen e > 0 add 1\nwhen c == \"US\" add 1\n\
        if e > 10 or c == \"US\" then A\nif e > 20 and c == \"FR\" then B\nif c == \"us\" then C\nelse D\n";
    let found = warnings(model);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found
        .iter()
        .all(|w| w.starts_with("tally::unreachable_line")));
    let different = "fields { e: int }\nwhen e > 0 add 1\nif e > 10 then A\nif e < 10 then B\nif e == 10 then C\nelse D\n";
    assert_silent(different);
}

#[test]
fn a_line_that_always_holds_hides_the_rest() {
    let model = "fields { e: int }\ngroup fit max 40 { when e > 50 add 40 }\n\
        tier grade {\n  if fit >= 0 then C\n  if fit >= 20 then B\n  else A\n}\n";
    assert_warns(
        model,
        &[
            "tally::unreachable_line: this line is never taken: all leads already get `C` from an earlier line",
            "tally::unreachable_line: the `else` line is never taken: all leads already get `C` from an earlier line",
        ],
    );
}

#[test]
fn a_ladder_without_else_warns_unless_a_line_always_holds() {
    let model = format!("{TWO_RULES}if score >= 50 then SQL\n");
    assert_warns(&model, &["tally::no_else: the stage ladder has no `else`"]);
    let tier = format!("{TWO_RULES}tier grade {{\n  if score >= 50 then A\n}}\n");
    assert_warns(&tier, &["tally::no_else: the tier `grade` has no `else`"]);
    let always = format!("{TWO_RULES}if score >= 50 then SQL\nif score >= 0 then Nurture\n");
    assert_silent(&always);
}

#[test]
fn a_threshold_beyond_the_reachable_score() {
    let model =
        format!("{TWO_RULES}if score >= 200 then SQL\nif score >= 25 then MQL\nelse Nurture\n");
    assert_warns(
        &model,
        &["tally::threshold_out_of_range: this line can never be taken: `score` is at most 55"],
    );
    let nested = format!("{TWO_RULES}if score >= 200 or clicked_demo then SQL\nelse Nurture\n");
    assert_warns(
        &nested,
        &["tally::threshold_out_of_range: `score >= 200` is never true: `score` is at most 55"],
    );
    let always = format!("{TWO_RULES}if score > -5 and clicked_demo then SQL\nelse Nurture\n");
    assert_warns(
        &always,
        &["tally::threshold_out_of_range: `score > -5` is always true: `score` is at least 0"],
    );
    let edge = format!("{TWO_RULES}if score >= 55 then SQL\nif score > 0 then MQL\nelse Nurture\n");
    assert_silent(&edge);
    let above_the_top = format!("{TWO_RULES}if score > 55 then SQL\nelse Nurture\n");
    assert_warns(
        &above_the_top,
        &["tally::threshold_out_of_range: this line can never be taken: `score` is at most 55"],
    );
}

#[test]
fn a_group_threshold_uses_the_group_range() {
    let model = "fields { a: bool }\ngroup fit max 50 { when a add 60 }\n\
        tier grade {\n  if fit >= 60 then A\n  else B\n}\n";
    assert_warns(
        model,
        &["tally::threshold_out_of_range: this line can never be taken: `fit` is at most 50"],
    );
}

#[test]
fn contradictory_tests_are_never_true() {
    let cases = [
        ("employees > 500 and employees < 100", "employees: int"),
        ("x == \"a\" and x == \" A \" and x == \"b\"", "x: text"),
        ("n between 10 and 5", "n: int"),
        ("n in []", "n: int"),
        ("n == 1 and n != 1", "n: int"),
        ("d > 2026-01-01 and d < 2025-01-01", "d: date"),
        ("flag and not flag", "flag: bool"),
        ("n >= 5 and n < 5", "n: int"),
    ];
    for (condition, field) in cases {
        let model = format!("fields {{ {field} }}\nwhen {condition} add 10 \"Rule\"\n");
        assert_warns(
            &model,
            &[&format!(
                "tally::never_true: the condition `{condition}` is never true"
            )],
        );
    }
}

/// Lints fold text as comparisons do (NFC, full case folding): these
/// conditions ask for one text and exclude the same text spelled another
/// way.
#[test]
fn text_is_folded_fully_in_lints() {
    let cases = [
        "x == \"straße\" and x != \"STRASSE\"",
        "x == \"ΟΔΌΣ\" and x != \"οδός\"",
        "x in [\"Cafe\u{301}\"] and x != \"CAF\u{c9}\"",
        "x == \"ﬁnance\" and x not in [\"FINANCE\"]",
    ];
    for condition in cases {
        let model = format!("fields {{ x: text }}\nwhen {condition} add 10 \"Rule\"\n");
        assert_warns(
            &model,
            &[&format!(
                "tally::never_true: the condition `{condition}` is never true"
            )],
        );
    }
    // Accents still count, and a dotless ı is not an i.
    for condition in [
        "x == \"ΟΔΟΣ\" and x != \"οδός\"",
        "x == \"ı\" and x != \"I\"",
    ] {
        assert_silent(&format!(
            "fields {{ x: text }}\nwhen {condition} add 10 \"Rule\"\n"
        ));
    }
}

#[test]
fn compatible_tests_are_fine() {
    for condition in [
        "x > 5 and x < 10",
        "x >= 5 and x <= 5",
        "x > 500 or x < 100",
        "x != 1 and x != 2",
        "x in [1, 2] and x != 1",
        "not (x > 5) and x > 4",
    ] {
        assert_silent(&format!(
            "fields {{ x: int }}\nwhen {condition} add 10 \"Rule\"\n"
        ));
    }
}

#[test]
fn unused_lets_and_fields() {
    let model = "fields { country: text, industry: text, lead_id: text required, tag: text }\n\
        let icp = [US, UK]\nlet eu = [DE, FR]\nlet base = [CA]\nlet chain = base\n\
        when country in icp add 5\n\
        test \"tag given\" { given { tag: \"x\" } expect score == 0 }\n";
    assert_warns(
        model,
        &[
            "tally::unused_field: the field `industry` is never used",
            "tally::unused_let: the let `eu` is never used",
            "tally::unused_let: the let `base` is never used",
            "tally::unused_let: the let `chain` is never used",
        ],
    );
    let used_by_a_used_let =
        "fields { c: text }\nlet base = [CA]\nlet more = base\nwhen c in more add 5\n";
    assert_silent(used_by_a_used_let);
}

#[test]
fn points_a_cap_always_takes_away() {
    let model = "fields { demo: bool }\ngroup g max 50 {\n  when true add 50 \"Base\"\n  when demo add 25 \"Demo\"\n}\n";
    assert_warns(
        model,
        &["tally::capped_out: this rule's points never count: `g` is always at its `max 50`"],
    );
    let top = "fields { demo: bool }\nwhen true add 100 \"Base\"\nwhen demo add 5 \"Demo\"\nscore max 100\n";
    assert_warns(
        top,
        &["tally::capped_out: this rule's points never count: `score` is always at its `max 100`"],
    );
    let floor = "fields { u: bool }\ngroup g min 0 {\n  when true sub 10 \"Start low\"\n  when u sub 5 \"Unsubscribed\"\n}\n";
    assert_warns(
        floor,
        &["tally::capped_out: this rule's points never count: `g` is always at its `min 0`"],
    );
}

#[test]
fn points_that_can_still_count_are_fine() {
    let below = "fields { demo: bool }\ngroup g max 50 {\n  when true add 40 \"Base\"\n  when demo add 25 \"Demo\"\n}\n";
    assert_silent(below);
    let lowered =
        "fields { demo: bool, u: bool }\ngroup g max 50 {\n  when true add 50 \"Base\"\n  \
        when u sub 10 \"Unsubscribed\"\n  when demo add 10 \"Demo\"\n}\n";
    assert_silent(lowered);
    let no_rule_always = "fields { u: bool }\ngroup g min 0 { when u sub 10 }\n";
    assert_silent(no_rule_always);
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_bundled_examples_give_no_warnings() {
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tally") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(warnings(&text), Vec::<String>::new(), "{}", path.display());
        }
    }
}

/// The conformance models are data from the spec's authors. Their only
/// warnings: the `id` column most of them declare and never use (the spec
/// warns about a field never used), and the tier without `else` in 06.
#[test]
fn the_conformance_models_warn_only_where_expected() {
    let unused_id = "tally::unused_field: the field `id` is never used";
    for entry in std::fs::read_dir(root().join("tests/conformance")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(model) = text.split("--- model\n").nth(1) else {
            continue;
        };
        let model = model.split("\n--- ").next().unwrap();
        let compiled = compile(&Source::new("model.tally", model));
        if compiled.error_count() > 0 {
            continue; // a case about errors
        }
        let found = warnings(model);
        let name = path.file_name().unwrap().to_string_lossy();
        let rest: Vec<&String> = found.iter().filter(|w| *w != unused_id).collect();
        if name.starts_with("06_") {
            assert_eq!(rest, ["tally::no_else: the tier `priority` has no `else`"]);
        } else {
            assert!(rest.is_empty(), "{name}: {rest:?}");
        }
    }
}

fn model_of(path: &str) -> tally::check::Model {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    compile(&Source::new(path, text)).model.unwrap()
}

fn range(min: Option<i64>, max: Option<i64>) -> Range {
    Range {
        min: min.map(Decimal::from),
        max: max.map(Decimal::from),
    }
}

/// `fit` (max 50): 20 + 10 + 15 + 10 + 5 + 10 = 70 at most, every rule
/// positive so 0 at least; capped to [0, 50].
/// `engagement` (max 60, min 0): adds 15 + 10 + 25, and `5 * webinars`
/// with `webinars > 0`, so [0, no maximum]; subtracts 10 + 5 + 15 = 30;
/// [-30, no maximum] capped to [0, 60].
/// `score`: no top-level rules, no caps: [0 + 0, 50 + 60] = [0, 110].
#[test]
fn the_b2b_example_reaches_0_to_110() {
    let model = model_of("examples/b2b_inbound.tally");
    assert_eq!(
        group_range(&model, GroupId::from_index(0)),
        Some(range(Some(0), Some(50)))
    );
    assert_eq!(
        group_range(&model, GroupId::from_index(1)),
        Some(range(Some(0), Some(60)))
    );
    assert_eq!(score_range(&model), range(Some(0), Some(110)));
}

/// `fit` (max 40): 15 + 10 + 10 + 5, and `min(round(budget / 100), 10)`
/// with `budget > 0`, so [0, 10]: 50 at most; subtracts 15 + 20 = 35;
/// capped to [-35, 40]. The score is capped to [0, 100].
#[test]
fn the_saas_example_narrows_computed_points() {
    let model = model_of("examples/saas_trial.tally");
    assert_eq!(
        group_range(&model, GroupId::from_index(0)),
        Some(range(Some(-35), Some(40)))
    );
    assert_eq!(score_range(&model), range(Some(0), Some(100)));
}

#[test]
fn deny_warnings_turns_a_warning_into_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let model = format!("{TWO_RULES}if score >= 50 then SQL\n");
    std::fs::write(dir.path().join("model.tally"), model).unwrap();
    let out = tally(dir.path(), &["check", "model.tally"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, "model.tally: 0 errors, 1 warning\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("⚠ the stage ladder has no `else`"),
        "{stderr}"
    );
    let denied = tally(dir.path(), &["check", "--deny-warnings", "model.tally"]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn the_summary_gives_the_score_range() {
    let dir = tempfile::tempdir().unwrap();
    let model = format!("{TWO_RULES}if score >= 50 then SQL\nelse Nurture\n");
    std::fs::write(dir.path().join("model.tally"), model).unwrap();
    let unbounded = "fields { w: int }\nwhen w > 0 add 5 * w\n";
    std::fs::write(dir.path().join("open.tally"), unbounded).unwrap();
    let out = tally(
        dir.path(),
        &["check", "--deny-warnings", "model.tally", "open.tally"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "model.tally: ok (2 fields, 2 rules, 0 groups, 0 tests; score from 0 to 55)\n\
         open.tally: ok (1 field, 1 rule, 0 groups, 0 tests; score from 0, no maximum)\n\
         checked 2 files: 0 errors, 0 warnings\n"
    );
}
