//! The parser: every construct of the language, and operator precedence,
//! pinned by printing the syntax tree fully parenthesised.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use tally::source::Source;
use tally::syntax::ast::{Effect, Expr, ExprKind, FieldType, Literal, Model};
use tally::syntax::{canonical_expr, parse, KEYWORDS};

fn model(text: &str) -> Model {
    let (tree, errors) = parse(&Source::new("t.tally", text));
    assert!(errors.is_empty(), "unexpected errors: {errors:?}");
    tree.unwrap()
}

/// The condition of the only rule of `when COND add 1`, as an s-expression.
fn cond(text: &str) -> String {
    let m = model(&format!("fields {{ a: number }}\nwhen {text} add 1"));
    sexpr(&m.rules[0].condition)
}

fn sexpr(e: &Expr) -> String {
    let list = |head: &str, items: Vec<&Expr>| {
        let inner: Vec<String> = items.into_iter().map(sexpr).collect();
        format!("({head} {})", inner.join(" "))
    };
    match &e.node {
        ExprKind::Literal(lit) => tally::syntax::canonical_literal(lit),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Score => "score".into(),
        ExprKind::Stage => "stage".into(),
        ExprKind::Today => "today".into(),
        ExprKind::Invalid => "?".into(),
        ExprKind::Not(x) => list("not", vec![x]),
        ExprKind::And(xs) => list("and", xs.iter().collect()),
        ExprKind::Or(xs) => list("or", xs.iter().collect()),
        ExprKind::Neg(x) => list("neg", vec![x]),
        ExprKind::Arith(first, rest) => {
            let mut out = sexpr(first);
            for (op, x) in rest {
                out = format!("({} {out} {})", op.node.symbol(), sexpr(x));
            }
            out
        }
        ExprKind::Compare(a, op, b) => list(op.node.symbol(), vec![a, b]),
        ExprKind::Between(a, l, h) => list("between", vec![a, l, h]),
        ExprKind::In {
            needle,
            list: l,
            negated,
        } => list(if *negated { "not-in" } else { "in" }, vec![needle, l]),
        ExprKind::Contains(a, b) => list("contains", vec![a, b]),
        ExprKind::ContainsAny(a, b) => list("contains-any", vec![a, b]),
        ExprKind::ContainsAll(a, b) => list("contains-all", vec![a, b]),
        ExprKind::StartsWith(a, b) => list("starts-with", vec![a, b]),
        ExprKind::EndsWith(a, b) => list("ends-with", vec![a, b]),
        ExprKind::Matches(a, b) => list("matches", vec![a, b]),
        ExprKind::IsMissing(a) => list("is-missing", vec![a]),
        ExprKind::IsPresent(a) => list("is-present", vec![a]),
        ExprKind::Within(a, b) => list("within", vec![a, b]),
        ExprKind::Call(name, args) => list(&name.node, args.iter().collect()),
        ExprKind::Events(set) => {
            let condition = set.condition.as_ref().map_or("-".into(), sexpr);
            let within = set
                .within
                .as_ref()
                .map_or("-".into(), |w| w.node.to_string());
            format!("(set {} {condition} {within})", set.source.node)
        }
    }
}

/// The event set of `count(SET)`, as an s-expression.
fn set(text: &str) -> String {
    let m = model(&format!(
        "fields {{ id: text }}\nevents e {{ id: text key  at: date time  kind: text }}\nwhen count({text}) > 0 add 1"
    ));
    let ExprKind::Compare(count, _, _) = &m.rules[0].condition.node else {
        panic!("not a comparison");
    };
    let ExprKind::Call(_, args) = &count.node else {
        panic!("not a call");
    };
    sexpr(&args[0])
}

#[test]
fn a_trailing_within_belongs_to_the_event_set() {
    assert_eq!(set("e"), "e");
    assert_eq!(set("e within 90 days"), "(set e - 90 days)");
    assert_eq!(
        set("e where kind == \"webinar\" within 90 days"),
        "(set e (== kind \"webinar\") 90 days)"
    );
    // In parentheses, `within` is the operator of the condition.
    assert_eq!(
        set("e where (at within 30 days)"),
        "(set e (within at 30 days) -)"
    );
    assert_eq!(
        set("e where kind == \"a\" or kind == \"b\" within 1 week"),
        "(set e (or (== kind \"a\") (== kind \"b\")) 1 week)"
    );
}

#[test]
fn each_rules_and_decay_parse() {
    let m = model(
        "fields { id: text  d: date }\nevents e { id: text key  at: date time  kind: text }\n\
         each e where kind == \"x\" add 5 decay linear 60 days max 12 \"Clicks\"\n\
         when d is present add 25 decay 50% every 1 month since d",
    );
    assert!(m.rules[0].each);
    assert_eq!(sexpr(&m.rules[0].condition), "(set e (== kind \"x\") -)");
    assert_eq!(
        m.rules[0].max.as_ref().map(|m| m.node.to_string()),
        Some("12".into())
    );
    assert!(m.rules[0].decay.is_some());
    let decay = m.rules[1].decay.as_ref().unwrap();
    assert_eq!(decay.since.as_ref().map(sexpr), Some("d".into()));
    assert_eq!(m.events.len(), 1);
    assert!(m.events[0].fields[0].key.is_some());
    assert!(m.events[0].fields[1].time.is_some());
}

#[test]
fn precedence_from_loosest_to_tightest() {
    assert_eq!(cond("a or b and c"), "(or a (and b c))");
    assert_eq!(cond("a and b or c and d"), "(or (and a b) (and c d))");
    assert_eq!(cond("not a and b"), "(and (not a) b)");
    assert_eq!(cond("not a > 1"), "(not (> a 1))");
    assert_eq!(cond("a + 1 > b * 2"), "(> (+ a 1) (* b 2))");
    assert_eq!(cond("a - b - c == 1"), "(== (- (- a b) c) 1)");
    assert_eq!(
        cond("a + b * c - d / e == 1"),
        "(== (- (+ a (* b c)) (/ d e)) 1)"
    );
    assert_eq!(cond("-a * 2 > 1"), "(> (* (neg a) 2) 1)");
    assert_eq!(cond("(a or b) and c"), "(and (or a b) c)");
    assert_eq!(cond("a between 1 and 5 and b"), "(and (between a 1 5) b)");
    assert_eq!(cond("not d within 90 days"), "(not (within d 90 days))");
    assert_eq!(
        cond("a > 1 or not b is missing"),
        "(or (> a 1) (not (is-missing b)))"
    );
}

#[test]
fn chains_stay_flat() {
    let m = model("fields { a: bool }\nwhen a and a and a and a add 1");
    match &m.rules[0].condition.node {
        ExprKind::And(items) => assert_eq!(items.len(), 4),
        other => panic!("expected a flat and, got {other:?}"),
    }
}

#[test]
fn double_negations_cancel() {
    assert_eq!(cond("not not a"), "a");
    assert_eq!(cond("not not not a"), "(not a)");
    assert_eq!(cond("- - a > 1"), "(> a 1)");
    assert_eq!(cond("a > -3"), "(> a -3)");
}

#[test]
fn every_comparison_and_word_operator() {
    for (text, want) in [
        ("a == 1", "(== a 1)"),
        ("a != 1", "(!= a 1)"),
        ("a < 1", "(< a 1)"),
        ("a <= 1", "(<= a 1)"),
        ("a > 1", "(> a 1)"),
        ("a >= 1", "(>= a 1)"),
        ("t in [CEO, VP]", "(in t [CEO, VP])"),
        ("t not in [CEO]", "(not-in t [CEO])"),
        ("l contains \"x\"", "(contains l \"x\")"),
        ("l contains any [a, b]", "(contains-any l [a, b])"),
        ("l contains all [a, b]", "(contains-all l [a, b])"),
        ("t starts with \"chief\"", "(starts-with t \"chief\")"),
        ("t ends with \"@x.com\"", "(ends-with t \"@x.com\")"),
        ("t matches \"^a+$\"", "(matches t \"^a+$\")"),
        ("t is missing", "(is-missing t)"),
        ("t is present", "(is-present t)"),
        ("d within 2 weeks", "(within d 2 weeks)"),
        ("d >= today - 1 month", "(>= d (- today 1 month))"),
        ("years_since(d) >= 5", "(>= (years_since d) 5)"),
        ("min(a, 2, 3) > max(1, 2)", "(> (min a 2 3) (max 1 2))"),
        ("stage == SQL", "(== stage SQL)"),
        ("score >= 50", "(>= score 50)"),
        ("`Job Title` == \"x\"", "(== Job Title \"x\")"),
    ] {
        assert_eq!(cond(text), want, "{text}");
    }
}

#[test]
fn literals() {
    assert_eq!(cond("a == 1_000_000"), "(== a 1000000)");
    assert_eq!(cond("a == 2.50"), "(== a 2.5)");
    assert_eq!(cond("a == 2026-11-22"), "(== a 2026-11-22)");
    assert_eq!(
        cond("a == \"say \\\"hi\\\"\\n\\u{e9}\""),
        "(== a \"say \\\"hi\\\"\\né\")"
    );
    assert_eq!(
        cond("a in [case-study, e-book, C-level, U.S, \"two words\", ]"),
        "(in a [case-study, e-book, C-level, U.S, \"two words\"])"
    );
    assert_eq!(cond("a in [1, -2, 3.5]"), "(in a [1, -2, 3.5])");
    assert_eq!(cond("a in [2026-01-01]"), "(in a [2026-01-01])");
    assert_eq!(cond("a in []"), "(in a [])");
    assert_eq!(
        cond("a == true or a == false"),
        "(or (== a true) (== a false))"
    );
    assert_eq!(cond("d within 1 day"), "(within d 1 day)");
    assert_eq!(cond("d within 3 years"), "(within d 3 years)");
}

#[test]
fn every_item_of_a_model() {
    let m = model(
        r#"
        model "B2B" version 3;
        fields {
          id: text required; title: text from "Job Title"
          n: number, k: int, b: bool, d: date, tags: list sep "|" required
        }
        let top = [CEO, VP]
        let cap = 10 * 5
        group fit max 50 min -5 { when title in top add 20 "Top"; when k > 1 sub 2 }
        when b add cap
        score max 100 min 0
        if score >= 50 then SQL
        if score >= 25 then "Marketing Qualified"
        else Nurture
        tier grade { if fit >= 40 then A else C }
        test "a" as of 2026-11-22 { given { title: "CEO", k: 3, b: "yes", tags: [x, y], d: 2026-01-01, n: -1.5 } expect score == 18 expect fired("Top") }
        "#,
    );
    let header = m.header.as_ref().unwrap();
    assert_eq!(
        (
            header.name.node.as_str(),
            header.version.as_ref().unwrap().node.as_str()
        ),
        ("B2B", "3")
    );
    let fields = &m.fields.as_ref().unwrap().fields;
    let types: Vec<FieldType> = fields.iter().map(|f| f.ty.node).collect();
    use FieldType::*;
    assert_eq!(types, [Text, Text, Number, Int, Bool, Date, List]);
    assert!(fields[0].required && fields[6].required && !fields[1].required);
    assert_eq!(fields[1].from.as_ref().unwrap().node, "Job Title");
    assert_eq!(fields[6].sep.as_ref().unwrap().node, "|");
    assert_eq!(m.lets.len(), 2);
    assert_eq!(m.groups[0].name.node, "fit");
    assert_eq!(m.groups[0].limits.max.as_ref().unwrap().node, 50.into());
    assert_eq!(m.groups[0].limits.min.as_ref().unwrap().node, (-5).into());
    assert_eq!(m.rules.len(), 3);
    assert_eq!(
        m.rules.iter().map(|r| r.group).collect::<Vec<_>>(),
        [Some(0), Some(0), None]
    );
    assert_eq!(m.rules[1].effect.node, Effect::Sub);
    assert_eq!(m.rules[0].reason.as_ref().unwrap().node, "Top");
    assert!(m.rules[1].reason.is_none());
    assert_eq!(
        m.score_limits.as_ref().unwrap().max.as_ref().unwrap().node,
        100.into()
    );
    let stage = m.stage.as_ref().unwrap();
    let labels: Vec<&str> = stage.steps.iter().map(|s| s.label.node.as_str()).collect();
    assert_eq!(labels, ["SQL", "Marketing Qualified"]);
    assert_eq!(stage.otherwise.as_ref().unwrap().node, "Nurture");
    assert_eq!(m.tiers[0].name.node, "grade");
    assert_eq!(m.tiers[0].ladder.otherwise.as_ref().unwrap().node, "C");
    let test = &m.tests[0];
    assert_eq!(test.name.node, "a");
    assert_eq!(test.as_of.as_ref().unwrap().node.to_string(), "2026-11-22");
    assert_eq!(test.given.len(), 6);
    assert_eq!(
        test.given[4].value.node,
        Literal::Date(test.as_of.as_ref().unwrap().node - chrono::Duration::days(325))
    );
    assert_eq!(test.expects.len(), 2);
}

#[test]
fn comments_and_whitespace_are_insignificant() {
    let m = model("# head\nfields{a:number}# trailing\nwhen a>1# c\nadd 1\"r\"");
    assert_eq!(m.rules[0].reason.as_ref().unwrap().node, "r");
}

#[test]
fn keywords_need_a_word_boundary() {
    let m = model("fields { whenever: bool, notes: text, index: number }\nwhen whenever and notes == \"x\" and index > 1 add 1");
    assert_eq!(
        sexpr(&m.rules[0].condition),
        "(and whenever (== notes \"x\") (> index 1))"
    );
}

#[test]
fn reasons_default_to_the_canonical_condition() {
    let m = model("fields { a: number, t: text }\nwhen a>1 and(t in [x,\"y z\"]) add 1");
    assert_eq!(
        canonical_expr(&m.rules[0].condition),
        "a > 1 and t in [x, \"y z\"]"
    );
}

#[test]
fn spans_point_into_the_source() {
    let text = "fields { a: number }\nwhen a > 10 add 5";
    let m = model(text);
    let rule = &m.rules[0];
    assert_eq!(
        &text[rule.condition.span.start..rule.condition.span.end],
        "a > 10"
    );
    assert_eq!(&text[rule.points.span.start..rule.points.span.end], "5");
    assert_eq!(&text[rule.span.start..rule.span.end], "when a > 10 add 5");
}

#[test]
fn every_keyword_is_reserved() {
    // `within` once slipped through because `with` matched first and the
    // word boundary then failed.
    for word in KEYWORDS {
        let text = format!("fields {{ {word}: text }}");
        let (_, errors) = parse(&Source::new("t.tally", text.as_str()));
        assert!(!errors.is_empty(), "`{word}` was accepted as a field name");
        let plain = format!("fields {{ {word}x: text, `{word}`: text }}");
        let (_, errors) = parse(&Source::new("t.tally", plain.as_str()));
        assert!(errors.is_empty(), "`{word}x` was refused: {errors:?}");
    }
}

/// The words of the grammar's `keyword` rule, which is written grouped by
/// first letter: `"a" ~ ("dd" | "nd" | "s")` is `add`, `and`, `as`.
fn grammar_keywords() -> Vec<String> {
    let grammar = include_str!("../grammar/tally.pest");
    let start = grammar.find("\nkeyword = _{").expect("a `keyword` rule");
    let body = &grammar[start..];
    let body = &body[..body.find("\n}").expect("the rule's end")];
    let mut words = Vec::new();
    for line in body.lines().map(str::trim) {
        let Some((head, tails)) = line.trim_start_matches('|').trim().split_once(" ~ (") else {
            continue;
        };
        let Some(head) = head.strip_prefix('"').and_then(|h| h.strip_suffix('"')) else {
            continue;
        };
        let tails = tails.split(')').next().unwrap();
        for tail in tails.split('|') {
            words.push(format!("{head}{}", tail.trim().trim_matches('"')));
        }
    }
    words.sort();
    words
}

/// `syntax::KEYWORDS` is the one list of reserved words: the grammar's
/// `keyword` rule and the list in docs/language.md must say the same.
#[test]
fn the_keyword_list_is_the_grammars_and_the_docs() {
    let mut list: Vec<String> = KEYWORDS.iter().map(|w| w.to_string()).collect();
    list.sort();
    assert_eq!(
        grammar_keywords(),
        list,
        "grammar/tally.pest `keyword` rule"
    );
    let docs = include_str!("../docs/language.md");
    let block = docs
        .split("The reserved words are:\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the reserved words in docs/language.md");
    let documented: Vec<&str> = block.split_whitespace().collect();
    assert_eq!(documented, KEYWORDS, "docs/language.md, in the same order");
}

/// Every node of an expression, as the source text its span covers,
/// parents before children.
fn span_texts<'t>(text: &'t str, e: &Expr, out: &mut Vec<&'t str>) {
    out.push(&text[e.span.start..e.span.end]);
    let mut children: Vec<&Expr> = Vec::new();
    match &e.node {
        ExprKind::Not(x) | ExprKind::Neg(x) => children.push(x),
        ExprKind::And(xs) | ExprKind::Or(xs) => children.extend(xs),
        ExprKind::Arith(first, rest) => {
            children.push(first);
            children.extend(rest.iter().map(|(_, x)| x));
        }
        ExprKind::Compare(a, _, b) => children.extend([&**a, &**b]),
        _ => {}
    }
    for child in children {
        span_texts(text, child, out);
    }
}

#[test]
fn spans_cover_operands_and_operators_but_not_outer_brackets() {
    // A node spans the text of its operands, brackets included; a bracketed
    // expression itself spans what is inside. So `(a) < 5` spans from `a`.
    let text = "fields { a: number, b: number, c: number, d: number }\n\
                when (a) + b * c < 5 and not d > 1 or - d > 2 or (a) < 5 # c\n  add 1";
    let m = model(text);
    let mut spans = Vec::new();
    span_texts(text, &m.rules[0].condition, &mut spans);
    assert_eq!(
        spans,
        [
            "(a) + b * c < 5 and not d > 1 or - d > 2 or (a) < 5",
            "(a) + b * c < 5 and not d > 1",
            "(a) + b * c < 5",
            "(a) + b * c",
            "a",
            "b * c",
            "b",
            "c",
            "5",
            "not d > 1",
            "d > 1",
            "d",
            "1",
            "- d > 2",
            "- d",
            "d",
            "2",
            "a) < 5",
            "a",
            "5",
        ]
    );
}

#[test]
fn a_comment_does_not_join_a_number_to_its_unit() {
    let text = "fields { d: date }\nwhen d within 30 # c\n days add 1";
    let (_, errors) = parse(&Source::new("t.tally", text));
    assert_eq!(
        errors[0].to_string(),
        "expected `add` or `sub`, found `days`"
    );
}

/// The line and message of each syntax error of `text`.
fn errors_of(text: &str) -> Vec<(usize, String)> {
    let source = Source::new("t.tally", text);
    let (tree, errors) = parse(&source);
    assert!(tree.is_none(), "a file with syntax errors has no tree");
    errors
        .iter()
        .map(|e| {
            let span = miette::Diagnostic::labels(e).unwrap().last().unwrap();
            (source.line_col(span.offset()).0, e.to_string())
        })
        .collect()
}

#[test]
fn every_broken_item_is_reported_once() {
    let text = "fields { a: number }\n\
                when a >> 1 add 1\n\
                when a > 1 add 1\n\
                let x = \n\
                when a > 2 plus 1\n\
                if score > 10 then A\n\
                else\n";
    assert_eq!(
        errors_of(text),
        [
            (2, "expected a value, found `>`".to_string()),
            (5, "expected a value, found `when`".to_string()),
            (5, "expected `add` or `sub`, found `plus`".to_string()),
            (8, "expected a label, found the end of the file".to_string()),
        ]
    );
}

#[test]
fn errors_after_the_first_in_a_block_are_not_reported() {
    let text = "fields { a: number }\n\
                group g {\n  when a >> 1 add 1\n  when a < < 2 add 1\n  when a add\n}\n\
                tier t {\n  if a = = 1 then X\n  if a then\n}\n\
                when a > 1 add 1 \"fine\"\n";
    assert_eq!(
        errors_of(text),
        [
            (3, "expected a value, found `>`".to_string()),
            (8, "expected a value, found `=`".to_string()),
        ]
    );
}

#[test]
fn a_block_never_closed_after_an_error_hides_the_rest() {
    // Where the group ends cannot be told, so nothing after it is parsed:
    // one error, never errors about good text.
    let text = "fields { a: number }\n\
                group g {\n  when a >> 1 add 1\n\n\
                when a > 1 add 1\nwhen a > > 1 add 1\n";
    assert_eq!(
        errors_of(text),
        [(3, "expected a value, found `>`".to_string())]
    );
}

#[test]
fn a_continued_line_starting_with_score_is_not_an_item() {
    // `score` starts an item only as `score max N`; here it continues the
    // broken ladder line, and resuming at it would report good text.
    let text = "fields { a: number }\n\
                if a >> 1 and\n  score > 3 then A\n\
                score max 100\n\
                when a > 1 plus 1\n";
    assert_eq!(
        errors_of(text),
        [
            (2, "expected a value, found `>`".to_string()),
            (5, "expected `add` or `sub`, found `plus`".to_string()),
        ]
    );
}

#[test]
fn ten_thousand_broken_items_stop_at_the_cap() {
    let mut text = String::from("fields { a: number }\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "when a > {i} add 1 \"r{i}\"\nwhen a >> {i} add 1\n"
        ));
    }
    let started = std::time::Instant::now();
    let (tree, errors) = parse(&Source::new("big.tally", text.as_str()));
    let elapsed = started.elapsed();
    assert!(tree.is_none());
    assert_eq!(errors.len(), tally::syntax::MAX_ERRORS);
    assert_eq!(
        tally::syntax::MAX_ERRORS,
        tally::cli::render::SHOWN_PER_FILE
    );
    assert!(errors
        .iter()
        .all(|e| e.to_string() == "expected a value, found `>`"));
    // The 50th is the 50th broken item, on line 3 + 2 × 49.
    let source = Source::new("big.tally", text.as_str());
    let last = miette::Diagnostic::labels(&errors[49])
        .unwrap()
        .next()
        .unwrap();
    assert_eq!(source.line_col(last.offset()), (101, 9));
    // Not asserted (machines differ); shown with --nocapture.
    println!("10,000 broken items: {elapsed:?}");
}
