//! The generic child traversals of the three expression trees: each
//! form's children, exactly, in order, with the mutable traversal
//! visiting the same ones.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally::check;
use tally::id::{Id, RuleId};
use tally::plan::{self, Node};
use tally::source::Source;
use tally::span::Span;
use tally::syntax::{self, ast};

const FIELDS: &str =
    "fields {\n  t: text\n  l: list\n  n: number\n  m: number\n  d: date\n  b: bool\n}\n";

fn model_text(condition: &str) -> String {
    format!("{FIELDS}when {condition} add 1\n")
}

fn text(source: &str, span: Span) -> String {
    source[span.start..span.end].to_string()
}

/// Every form of the syntax tree and the text of its children, in order.
const SYNTAX: &[(&str, &[&str])] = &[
    ("not b", &["b"]),
    ("b and n > 1 and b", &["b", "n > 1", "b"]),
    ("b or b", &["b", "b"]),
    ("-n > 1", &["-n", "1"]),
    ("n + m * 2 - 1 > 0", &["n + m * 2 - 1", "0"]),
    ("n between 1 and m", &["n", "1", "m"]),
    ("t not in [a, b]", &["t", "[a, b]"]),
    ("\"x\" in l", &["\"x\"", "l"]),
    ("l contains \"x\"", &["l", "\"x\""]),
    ("l contains any [x]", &["l", "[x]"]),
    ("l contains all [x]", &["l", "[x]"]),
    ("t starts with \"x\"", &["t", "\"x\""]),
    ("t ends with \"x\"", &["t", "\"x\""]),
    ("t matches \"^x\"", &["t", "\"^x\""]),
    ("t is missing", &["t"]),
    ("t is present", &["t"]),
    ("d within 30 days", &["d", "30 days"]),
    ("min(n, m, 3) > 1", &["min(n, m, 3)", "1"]),
    ("today", &[]),
];

fn syntax_condition(source: &str) -> ast::Expr {
    let (tree, errors) = syntax::parse(&Source::new("t.tally", source));
    assert!(errors.is_empty(), "{source}: {errors:?}");
    tree.unwrap().rules.remove(0).condition
}

#[test]
fn syntax_children_are_each_forms_operands_in_order() {
    for (condition, expected) in SYNTAX {
        let source = model_text(condition);
        let mut expr = syntax_condition(&source);
        let mut seen = Vec::new();
        expr.node
            .for_each_child(&mut |child| seen.push(text(&source, child.span)));
        assert_eq!(seen, *expected, "children of `{condition}`");
        let mut seen_mut = Vec::new();
        expr.node
            .for_each_child_mut(&mut |child| seen_mut.push(text(&source, child.span)));
        assert_eq!(seen_mut, *expected, "mutable children of `{condition}`");
    }
}

/// Number forms, as a rule's points: their children in both trees.
const POINTS: &[(&str, &[&str])] = &[
    ("-n", &["n"]),
    ("n + m * 2 - 1", &["n", "m * 2", "1"]),
    ("min(n, m, 3)", &["n", "m", "3"]),
    ("abs(n)", &["n"]),
];

#[test]
fn number_forms_give_their_operands_in_both_trees() {
    for (points, expected) in POINTS {
        let source = format!("{FIELDS}when b add {points}\n");
        let (tree, _) = syntax::parse(&Source::new("t.tally", source.as_str()));
        let mut seen = Vec::new();
        let tree = tree.unwrap();
        tree.rules[0]
            .points
            .node
            .for_each_child(&mut |child| seen.push(text(&source, child.span)));
        assert_eq!(seen, *expected, "syntax children of `{points}`");
        let model = tally::compile(&Source::new("t.tally", source.as_str()))
            .model
            .unwrap();
        let mut seen = Vec::new();
        model.rules[RuleId::from_index(0)]
            .points
            .kind
            .for_each_child(&mut |child| seen.push(text(&source, child.span)));
        assert_eq!(seen, *expected, "checked children of `{points}`");
    }
}

#[test]
fn a_call_and_an_arithmetic_chain_give_every_operand() {
    let source = model_text("max(n, m) + n * 2 - abs(m) > 1");
    let expr = syntax_condition(&source);
    let mut sums = Vec::new();
    expr.node.for_each_child(&mut |side| {
        side.node
            .for_each_child(&mut |term| sums.push(text(&source, term.span)))
    });
    assert_eq!(sums, ["max(n, m)", "n * 2", "abs(m)"]);
}

/// Forms of the checked model whose children differ from the syntax's:
/// constants folded into the node are not children; `"x" in l` holds the
/// list first.
const CHECKED: &[(&str, &[&str])] = &[
    ("n between 1 and m", &["n", "1", "m"]),
    ("t not in [a, b]", &["t"]),
    ("\"x\" in l", &["l", "\"x\""]),
    ("l contains \"x\"", &["l", "\"x\""]),
    ("t contains \"x\"", &["t", "\"x\""]),
    ("l contains any [x]", &["l"]),
    ("t matches \"^x\"", &["t"]),
    ("d within 30 days", &["d"]),
    ("d + 1 months > today", &["d + 1 months", "today"]),
    ("not b", &["b"]),
];

fn checked_condition(source: &str) -> check::model::Expr {
    let compiled = tally::compile(&Source::new("t.tally", source));
    compiled
        .model
        .unwrap()
        .rules
        .into_iter()
        .next()
        .unwrap()
        .condition
}

#[test]
fn checked_children_leave_out_folded_constants() {
    for (condition, expected) in CHECKED {
        let source = model_text(condition);
        let mut expr = checked_condition(&source);
        let mut seen = Vec::new();
        expr.kind
            .for_each_child(&mut |child| seen.push(text(&source, child.span)));
        assert_eq!(seen, *expected, "children of `{condition}`");
        let mut seen_mut = Vec::new();
        expr.kind
            .for_each_child_mut(&mut |child| seen_mut.push(text(&source, child.span)));
        assert_eq!(seen_mut, *expected, "mutable children of `{condition}`");
    }
}

#[test]
fn plan_nodes_give_every_field_they_read() {
    let source = model_text(
        "(t starts with \"a\" or \"x\" in l) and n between 1 and m and d within 3 days and not b",
    );
    let model = tally::compile(&Source::new("t.tally", source.as_str()))
        .model
        .unwrap();
    let node = plan::node(&model, &model.rules[RuleId::from_index(0)].condition);
    let mut fields = Vec::new();
    node.for_each_field(&mut |id| fields.push(id.index()));
    assert_eq!(fields, [0, 1, 2, 3, 4, 5]);
    let Node::And(items) = &node else {
        panic!("not an and: {node:?}");
    };
    let mut children = 0;
    node.for_each_child(&mut |_| children += 1);
    assert_eq!(children, items.len());
}
