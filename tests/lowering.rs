//! Sugar lowered to the core in the plan: `x not in L` is `not (x in L)`
//! for constant lists and `list` fields alike, with the same results on
//! missing values, and `tally plan` still shows what was written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally::eval::{Lead, Scorer};
use tally::plan::{self, Node};
use tally::source::Source;
use tally::value::{parse_date_literal, read_cell};

const MODEL: &str = "fields {\n  t: text\n  l: list\n}\n\
when t not in [A, b] add 1\n\
when \"x\" not in l add 2\n\
when not (t in [c]) add 4\n\
when \"y\" in l add 8\n";

fn compiled() -> plan::Plan {
    let model = tally::compile(&Source::new("t.tally", MODEL))
        .model
        .unwrap();
    plan::compile(&model)
}

#[test]
fn not_in_compiles_to_not_of_in() {
    let plan = compiled();
    let shapes: Vec<String> = plan.conditions.iter().map(|c| format!("{c:?}")).collect();
    assert_eq!(
        shapes,
        [
            r#"Not(InSet { needle: Field(0), set: [Text("a"), Text("b")] })"#,
            r#"Not(ListHas { list: Field(1), item: Const(Text("x")) })"#,
            r#"Not(InSet { needle: Field(0), set: [Text("c")] })"#,
            r#"ListHas { list: Field(1), item: Const(Text("y")) }"#,
        ]
    );
    assert!(matches!(plan.conditions.as_slice()[0], Node::Not(_)));
}

#[test]
fn the_plan_shows_a_lowered_not_in_as_written() {
    let shown: Vec<String> = compiled()
        .to_string()
        .lines()
        .filter(|l| l.trim_start().starts_with('c'))
        .map(|l| l.trim().to_string())
        .collect();
    assert_eq!(
        shown,
        [
            "conditions (4 for 4 rules, each evaluated once per lead)",
            r#"c0   t not in {"a", "b"} (hash set of 2)"#,
            r#"c1   l lacks "x""#,
            r#"c2   t not in {"c"} (hash set of 1)"#,
            r#"c3   l has "y""#,
        ]
    );
}

/// Scores per lead: a missing field leaves `not in` missing, so its rule
/// adds nothing, exactly as `not (… in …)` and as before the lowering.
#[test]
fn not_in_scores_missing_values_as_missing() {
    let plan = compiled();
    let today = parse_date_literal("2026-11-22").unwrap();
    let scorer = Scorer::new(&plan, today);
    let cases: &[(&str, &str, &str)] = &[
        ("", "", "0"),
        (" B ", "", "4"),
        ("c", "X;z", "1"),
        ("d", "z", "7"),
        ("", "y", "10"),
        ("A", "x;Y", "12"),
    ];
    for (t, l, score) in cases {
        let values = plan
            .fields
            .iter()
            .zip([t, l])
            .map(|(f, c)| read_cell(f.ty, c, &f.read).unwrap())
            .collect();
        let outcome = scorer.score(&Lead { values });
        let got = outcome.score.to_string();
        assert_eq!(got, *score, "t = {t:?}, l = {l:?}");
    }
}

/// The three tests of a text against a text are one plan node with its
/// operator; `tally plan` still prints each as written.
#[test]
fn text_tests_are_one_node_with_an_operator() {
    let source = "fields {\n  t: text\n}\n\
                  when t contains \"An\" add 1\n\
                  when t starts with \" A\" add 2\n\
                  when t ends with \"n\" add 4\n";
    let model = tally::compile(&Source::new("t.tally", source))
        .model
        .unwrap();
    let plan = plan::compile(&model);
    let shapes: Vec<String> = plan.conditions.iter().map(|c| format!("{c:?}")).collect();
    assert_eq!(
        shapes,
        [
            r#"Text(Contains, Field(0), Const(Text("an")))"#,
            r#"Text(StartsWith, Field(0), Const(Text("a")))"#,
            r#"Text(EndsWith, Field(0), Const(Text("n")))"#,
        ]
    );
    let shown = plan.to_string();
    for line in [
        r#"c0   t contains "an""#,
        r#"c1   t starts with "a""#,
        r#"c2   t ends with "n""#,
    ] {
        assert!(shown.contains(line), "{line} in\n{shown}");
    }
    let holds = |op: plan::TextOp| {
        [
            op.holds("anna", "an"),
            op.holds("anna", "na"),
            op.holds("an", "anna"),
        ]
    };
    assert_eq!(holds(plan::TextOp::Contains), [true, true, false]);
    assert_eq!(holds(plan::TextOp::StartsWith), [true, false, false]);
    assert_eq!(holds(plan::TextOp::EndsWith), [false, true, false]);
}
