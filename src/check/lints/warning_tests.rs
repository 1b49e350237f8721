//! The words of each finding, for the cases the diagnostic snapshots do
//! not show: the text every variant renders, exactly as before findings
//! held facts instead of prose.

#![allow(clippy::unwrap_used)]

use miette::Diagnostic;

use super::*;

/// The message, the help and every label's text.
fn words(lint: &Lint) -> (String, String, Vec<String>) {
    let help = lint.help().map(|h| h.to_string()).unwrap_or_default();
    let labels = lint
        .labels()
        .map(|ls| ls.filter_map(|l| l.label().map(str::to_string)).collect())
        .unwrap_or_default();
    (lint.to_string(), help, labels)
}

fn span() -> SourceSpan {
    (0, 1).into()
}

fn n(v: i64) -> Decimal {
    Decimal::from(v)
}

#[test]
fn an_else_line_behind_a_line_for_every_lead() {
    let lint = Lint::UnreachableLine {
        line: Line::Else,
        shadow: Shadow::Always,
        label: "Cold".into(),
        span: span(),
        earlier: span(),
    };
    assert_eq!(
        words(&lint),
        (
            "the `else` line is never taken: all leads already get `Cold` from an earlier line".into(),
            "the earlier line holds for every lead, so no lead gets past it: make its condition stricter, or remove the lines after it".into(),
            vec!["never taken".into(), "holds for every lead".into()],
        )
    );
}

#[test]
fn a_tier_without_else() {
    let lint = Lint::NoElse {
        tier: Some("grade".into()),
        span: span(),
    };
    assert_eq!(
        words(&lint),
        (
            "the tier `grade` has no `else`".into(),
            "add `else LABEL` after the last line so every lead gets a label; a lead for which no line holds gets a missing `grade`".into(),
            vec!["leads that fail every line get no `grade`".into()],
        )
    );
}

#[test]
fn a_test_never_true_inside_a_line() {
    let lint = Lint::ThresholdOutOfRange {
        verdict: Verdict::NeverTrue,
        text: "fit > 200".into(),
        name: "fit".into(),
        bound: Bound::Reach,
        reach: Reach {
            lo: None,
            hi: Some(n(125)),
        },
        span: span(),
    };
    assert_eq!(
        words(&lint),
        (
            "`fit > 200` is never true: `fit` is at 125 or less".into(),
            "the points and caps keep `fit` at 125 or less, so no lead meets this test: compare with a number in that range, or check the points and caps".into(),
            vec!["`fit` is always at 125 or less".into()],
        )
    );
}

#[test]
fn reaches_in_words() {
    let reach = |lo: Option<i64>, hi: Option<i64>| {
        Reach {
            lo: lo.map(n),
            hi: hi.map(n),
        }
        .to_string()
    };
    assert_eq!(reach(Some(0), Some(125)), "between 0 and 125");
    assert_eq!(reach(Some(0), None), "at 0 or more");
    assert_eq!(reach(None, Some(-5)), "at -5 or less");
    assert_eq!(reach(None, None), "at any number");
    let wide = Reach { lo: None, hi: None };
    assert_eq!(Bound::AtMost(n(5)).words(&wide), "at most 5");
    assert_eq!(Bound::AtLeast(n(-2)).words(&wide), "at least -2");
}

#[test]
fn conditions_never_true_for_each_reason() {
    let never_true = |site, never| {
        let (message, help, labels) = words(&Lint::NeverTrue {
            text: "x".into(),
            site,
            never,
            span: span(),
        });
        assert_eq!(message, "the condition `x` is never true");
        (help, labels.concat())
    };
    assert_eq!(
        never_true(Site::Line, Never::AlwaysFalse),
        (
            "no lead can meet it, so this line is never taken: remove it".into(),
            "always false".into()
        )
    );
    assert_eq!(
        never_true(Site::Rule, Never::EmptyList),
        (
            "no lead can meet it, so this rule never adds points: add the values to look for, or remove it".into(),
            "the list is empty".into()
        )
    );
    assert_eq!(
        never_true(Site::Rule, Never::NoValue),
        (
            "no lead can meet it, so this rule never adds points: check the values".into(),
            "true for no value".into()
        )
    );
    let clash = Never::Clash {
        earlier: vec!["a > 1".into(), "a > 2".into(), "a < 0".into()],
        more: true,
    };
    assert_eq!(
        never_true(Site::Rule, clash),
        (
            "no lead can meet it, so this rule never adds points: check the values, or join the tests with `or` if either should do".into(),
            "cannot hold together with `a > 1` and `a > 2` and `a < 0` and more".into()
        )
    );
}

#[test]
fn a_rule_a_min_cap_lifts_back() {
    let lint = Lint::CappedOut {
        name: "score".into(),
        cap: Cap::Min(n(0)),
        reach: Some(n(-30)),
        span: span(),
        limit_span: span(),
    };
    assert_eq!(
        words(&lint),
        (
            "this rule's points never count: `score` is always at its `min 0`".into(),
            "the rules that always apply take `score` down to at most -30 points, and its `min 0` lifts it back, so this rule changes nothing: lower the `min`, raise those rules, or remove this one".into(),
            vec![
                "taken away by the cap for every lead".into(),
                "reached by rules that always apply".into()
            ],
        )
    );
}

#[test]
fn a_negative_sub_with_places() {
    let lint = Lint::NegativeSub {
        points: Decimal::new(-250, 2),
        span: span(),
    };
    assert_eq!(
        words(&lint).0,
        "`sub -2.5` adds 2.5 points: subtracting a negative number adds it"
    );
    assert_eq!(
        words(&lint).1,
        "write `add 2.5` if the rule should add points, or `sub 2.5` if it should take them away"
    );
}
