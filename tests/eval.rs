//! The interpreter: every operator with present and missing operands,
//! caps, ladders, tiers, reasons, and invariants checked by proptest.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::str::FromStr;

use proptest::prelude::*;
use tally::eval::{Lead, Outcome, Scorer};
use tally::id::Id;
use tally::plan::{self, Plan};
use tally::source::Source;
use tally::value::{parse_date_literal, read_cell, Decimal};

/// Field name and cell text pairs of one lead.
type Cells<'a> = &'a [(&'a str, &'a str)];

const FIELDS: &str = "fields {
  n: number
  m: number
  t: text
  u: text
  l: list
  b: bool
  c: bool
  d: date
}
";

fn plan_of(text: &str) -> Plan {
    let compiled = tally::compile(&Source::new("t.tally", text));
    let model = compiled
        .model
        .unwrap_or_else(|| panic!("model has errors: {:?}", compiled.findings));
    plan::compile(&model)
}

/// A lead from CSV-like cells, read as the fields' types.
fn lead(plan: &Plan, cells: &[(&str, &str)]) -> Lead {
    let values = plan
        .fields
        .iter()
        .map(|f| {
            let cell = cells
                .iter()
                .find(|(name, _)| *name == f.name)
                .map_or("", |(_, c)| *c);
            read_cell(f.ty, cell, &f.read).unwrap()
        })
        .collect();
    Lead { values }
}

fn today() -> tally::value::Date {
    parse_date_literal("2026-11-22").unwrap()
}

fn score(plan: &Plan, cells: &[(&str, &str)]) -> Outcome {
    Scorer::new(plan, today()).score(&lead(plan, cells))
}

/// "true", "false" or "missing": what `cond` evaluates to for this lead.
fn truth(cond: &str, cells: &[(&str, &str)]) -> &'static str {
    let text = format!("{FIELDS}when {cond} add 1 \"t\"\nwhen not ({cond}) add 2 \"f\"\nwhen ({cond}) is missing add 4 \"m\"\n");
    let plan = plan_of(&text);
    match score(&plan, cells).score.to_string().as_str() {
        "1" => "true",
        "2" => "false",
        "4" => "missing",
        other => panic!("{cond}: impossible score {other}"),
    }
}

#[test]
fn three_valued_logic() {
    for (cond, b, c, want) in [
        ("b and c", "true", "true", "true"),
        ("b and c", "true", "", "missing"),
        ("b and c", "false", "", "false"),
        ("b and c", "", "", "missing"),
        ("b or c", "true", "", "true"),
        ("b or c", "false", "", "missing"),
        ("b or c", "false", "false", "false"),
        ("not b", "", "", "missing"),
        ("not b", "true", "", "false"),
        ("b is missing", "", "", "true"),
        ("b is present", "", "", "false"),
        ("b == c", "true", "true", "true"),
        ("b != c", "true", "", "missing"),
    ] {
        assert_eq!(
            truth(cond, &[("b", b), ("c", c)]),
            want,
            "{cond} with b={b:?} c={c:?}"
        );
    }
}

#[test]
fn every_operator_with_present_and_missing_operands() {
    let cases: &[(&str, Cells, &str)] = &[
        ("n == 1", &[("n", "1.0")], "true"),
        ("n == 1", &[], "missing"),
        ("n != m", &[("n", "1"), ("m", "2")], "true"),
        ("n != m", &[("n", "1")], "missing"),
        ("n < 2", &[("n", "1.5")], "true"),
        ("n <= 1.5", &[("n", "1.5")], "true"),
        ("n > 1.5", &[("n", "1.5")], "false"),
        ("n >= m", &[("m", "1")], "missing"),
        ("n between 1 and 5", &[("n", "5")], "true"),
        ("n between 1 and 5", &[("n", "0.99")], "false"),
        ("n between 1 and m", &[("n", "0")], "missing"),
        ("n between m and 5", &[("n", "9")], "missing"),
        ("n between 1 and m", &[("n", "3")], "missing"),
        ("n between m and 5", &[], "missing"),
        ("t == \"ceo\"", &[("t", "  CEO ")], "true"),
        ("t == \"διευθυντής\"", &[("t", "ΔΙΕΥΘΥΝΤΉΣ")], "true"),
        ("t == u", &[("t", "A"), ("u", " a")], "true"),
        ("t == \"x\"", &[], "missing"),
        ("t in [CEO, VP]", &[("t", "vp ")], "true"),
        ("t in [CEO, VP]", &[("t", "CTO")], "false"),
        ("t in [CEO, VP]", &[], "missing"),
        ("t not in [CEO, VP]", &[("t", "CTO")], "true"),
        ("t not in [CEO, VP]", &[], "missing"),
        ("n in [1, 2.50]", &[("n", "2.5")], "true"),
        ("d in [2026-01-01]", &[("d", "2026-01-01")], "true"),
        ("t in []", &[("t", "x")], "false"),
        ("\"Pricing\" in l", &[("l", "home; pricing")], "true"),
        ("t in l", &[("l", "home")], "missing"),
        ("t not in l", &[("t", "blog"), ("l", "home")], "true"),
        ("l contains \"PRICING\"", &[("l", "pricing;blog")], "true"),
        ("l contains \"pric\"", &[("l", "pricing;blog")], "false"),
        ("l contains \"x\"", &[], "missing"),
        ("t contains \"officer\"", &[("t", "Chief Officer")], "true"),
        ("t contains u", &[("t", "abc")], "missing"),
        ("l contains any [vip, partner]", &[("l", "VIP")], "true"),
        ("l contains any [vip, partner]", &[("l", "other")], "false"),
        ("l contains any [vip]", &[], "missing"),
        ("l contains all [a, b]", &[("l", "b;A;c")], "true"),
        ("l contains all [a, b]", &[("l", "a")], "false"),
        ("l contains all []", &[("l", "a")], "true"),
        (
            "t starts with \"chief\"",
            &[("t", " Chief of staff")],
            "true",
        ),
        ("t ends with \"@x.com\"", &[("t", "Ann@X.com")], "true"),
        ("t starts with \"a\"", &[], "missing"),
        ("t matches \"^[A-Z]\"", &[("t", "Ann")], "true"),
        ("t matches \"^[A-Z]\"", &[("t", " Ann")], "false"),
        ("t matches \"(?i)^ann$\"", &[("t", "ANN")], "true"),
        ("t matches \"x\"", &[], "missing"),
        ("t is missing", &[("t", "")], "true"),
        ("t is present", &[("t", " ")], "true"),
        ("n is present", &[("n", " ")], "false"),
        ("d within 30 days", &[("d", "2026-10-23")], "true"),
        ("d within 30 days", &[("d", "2026-10-22")], "false"),
        ("d within 30 days", &[("d", "2026-11-23")], "false"),
        ("d within 1 month", &[("d", "2026-10-22")], "true"),
        ("d within 30 days", &[], "missing"),
        ("d + 1 month == 2026-02-28", &[("d", "2026-01-31")], "true"),
        ("d - 1 year == 2025-02-28", &[("d", "2026-02-28")], "true"),
        ("d >= today - 2 weeks", &[("d", "2026-11-08")], "true"),
        ("d + 1 day > today", &[], "missing"),
        ("days_since(d) == 21", &[("d", "2026-11-01")], "true"),
        ("days_since(d) == -9", &[("d", "2026-12-01")], "true"),
        ("months_since(d) == 17", &[("d", "2025-05-23")], "true"),
        ("years_since(d) == 6", &[("d", "2020-02-29")], "true"),
        ("years_since(d) > 1", &[], "missing"),
        ("count(l) == 2", &[("l", "a;;b; ")], "true"),
        ("count(l) == 0", &[], "missing"),
        ("n + m == 0.3", &[("n", "0.1"), ("m", "0.2")], "true"),
        ("n + m > 0", &[("n", "1")], "missing"),
        ("n / m == 3.3333", &[("n", "10"), ("m", "3")], "true"),
        ("n / m > 0", &[("n", "1"), ("m", "0")], "missing"),
        ("n * m - 1 == 5", &[("n", "2"), ("m", "3")], "true"),
        ("-n == 2", &[("n", "-2")], "true"),
        ("-n == 2", &[], "missing"),
        ("min(n, m) == 1", &[("n", "1"), ("m", "2")], "true"),
        ("max(n, m) == 2", &[("n", "1")], "missing"),
        ("abs(n) == 2", &[("n", "-2")], "true"),
        ("round(n, 1) == 2.5", &[("n", "2.45")], "true"),
        ("round(n) == -3", &[("n", "-2.5")], "true"),
        ("round(n, 2) == 1", &[], "missing"),
    ];
    for (cond, cells, want) in cases {
        assert_eq!(truth(cond, cells), *want, "{cond} with {cells:?}");
    }
}

#[test]
fn group_caps_score_caps_and_reasons() {
    let plan = plan_of(
        "fields { x: int }
        group g max 10 min -5 { when x > 0 add 7 \"a\"; when x > 1 add 7 \"b\"; when x > 2 sub 30 \"c\" }
        when x > 3 add 100 \"big\"
        score max 50 min 0",
    );
    let check = |x: &str, g: &str, total: &str, reasons: &[(&str, &str)]| {
        let out = score(&plan, &[("x", x)]);
        assert_eq!(out.groups[0].to_string(), g, "group for x={x}");
        assert_eq!(out.score.to_string(), total, "score for x={x}");
        let fired: Vec<(String, String)> = out
            .fired
            .iter()
            .map(|f| (plan.rules[f.rule].reason.clone(), f.points.to_string()))
            .collect();
        let want: Vec<(String, String)> = reasons
            .iter()
            .map(|(r, p)| (r.to_string(), p.to_string()))
            .collect();
        assert_eq!(fired, want, "reasons for x={x}");
    };
    check("", "0", "0", &[]);
    check("1", "7", "7", &[("a", "7")]);
    check("2", "10", "10", &[("a", "7"), ("b", "7")]);
    check("3", "-5", "0", &[("a", "7"), ("b", "7"), ("c", "-30")]);
    check(
        "4",
        "-5",
        "50",
        &[("a", "7"), ("b", "7"), ("c", "-30"), ("big", "100")],
    );
}

#[test]
fn ladders_take_the_first_true_line_and_tiers_see_earlier_results() {
    let plan = plan_of(
        "fields { f: number, e: number }
        group fit { when f > 0 add f }
        group eng { when e > 0 add e }
        if fit >= 20 and eng >= 20 then SQL
        if score >= 25 then MQL
        tier grade { if fit >= 40 then A; if fit >= 20 then B; else C }
        tier priority { if grade == A and stage == SQL then hot; if stage is missing then cold }",
    );
    let run = |f: &str, e: &str| {
        let out = score(&plan, &[("f", f), ("e", e)]);
        (out.stage, out.tiers)
    };
    let s = |x: &str| Some(x.to_string());
    assert_eq!(run("45", "30"), (s("SQL"), vec![s("A"), s("hot")]));
    assert_eq!(run("10", "20"), (s("MQL"), vec![s("C"), None]));
    assert_eq!(run("5", ""), (None, vec![s("C"), s("cold")]));
}

#[test]
fn missing_points_add_nothing_and_do_not_fire() {
    let plan =
        plan_of("fields { n: number, b: bool }\nwhen b add n \"n points\"\nwhen b add 1 \"one\"");
    let out = score(&plan, &[("b", "yes")]);
    assert_eq!(out.score, Decimal::ONE);
    assert_eq!(out.fired.len(), 1);
    assert_eq!(plan.rules[out.fired[0].rule].reason, "one");
}

#[test]
fn shared_conditions_are_compiled_once() {
    let plan = plan_of("fields { t: text }\nwhen t == \"a\" add 1 \"x\"\nwhen t == \"A\" add 2 \"y\"\nwhen t == \"b\" add 3 \"z\"");
    assert_eq!(
        plan.conditions.len(),
        2,
        "`t == \"a\"` and `t == \"A\"` fold to one condition"
    );
    assert_eq!(
        plan.rules
            .iter()
            .map(|r| r.condition.index())
            .collect::<Vec<_>>(),
        [0, 0, 1]
    );
    assert_eq!(score(&plan, &[("t", "A")]).score, Decimal::from(3));
}

fn decimal_strategy() -> impl Strategy<Value = String> {
    (-500i64..500, 0u32..3).prop_map(|(n, scale)| Decimal::new(n, scale).to_string())
}

proptest! {
    /// Rules are independent: shuffling them changes no lead's outputs.
    #[test]
    fn rule_order_does_not_matter(order in Just((0..8usize).collect::<Vec<_>>()).prop_shuffle(), n in decimal_strategy(), t in "[a-c ]{0,3}") {
        let rules = [
            "when n > 0 add n \"r0\"",
            "when n < 0 sub 2 \"r1\"",
            "when t == \"a\" add 3 \"r2\"",
            "when t contains \"b\" add 0.5 \"r3\"",
            "when n is missing add 7 \"r4\"",
            "when n between -100 and 100 add n / 3 \"r5\"",
            "when t in [a, c] or n > 200 sub 1.25 \"r6\"",
            "when not (t is present) add 11 \"r7\"",
        ];
        let header = "fields { n: number, t: text }\n";
        let base = plan_of(&format!("{header}{}", rules.join("\n")));
        let shuffled: Vec<&str> = order.iter().map(|i| rules[*i]).collect();
        let other = plan_of(&format!("{header}{}", shuffled.join("\n")));
        let cells = [("n", n.as_str()), ("t", t.as_str())];
        let (a, b) = (score(&base, &cells), score(&other, &cells));
        prop_assert_eq!(a.score, b.score);
        let mut ra: Vec<_> = a.fired.iter().map(|f| (base.rules[f.rule].reason.clone(), f.points)).collect();
        let mut rb: Vec<_> = b.fired.iter().map(|f| (other.rules[f.rule].reason.clone(), f.points)).collect();
        ra.sort();
        rb.sort();
        prop_assert_eq!(ra, rb);
    }

    /// Scoring is exact: the score equals the decimal sum of fired points.
    #[test]
    fn score_is_the_exact_sum_of_fired_points(n in decimal_strategy(), m in decimal_strategy()) {
        let plan = plan_of("fields { n: number, m: number }\nwhen n > 0 add n \"a\"\nwhen m > 0 add m \"b\"\nwhen n < m sub n - m \"c\"");
        let out = score(&plan, &[("n", &n), ("m", &m)]);
        let sum = out.fired.iter().fold(Decimal::ZERO, |acc, f| acc + f.points);
        prop_assert_eq!(out.score, sum);
        let n = Decimal::from_str(&n).unwrap();
        let m = Decimal::from_str(&m).unwrap();
        let mut want = Decimal::ZERO;
        if n > Decimal::ZERO { want += n; }
        if m > Decimal::ZERO { want += m; }
        if n < m { want -= n - m; }
        prop_assert_eq!(out.score, want.normalize());
    }
}
