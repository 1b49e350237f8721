//! Random valid models for the formatter's property test: fields of every
//! type (some named in backticks), an events source, lets, groups with
//! caps, rules with conditions built from every operator and aggregate,
//! decaying `when` rules, per-event `each` rules, reasons, a ladder, a
//! tier and a test (with events), joined by random spacing, `;` and
//! comments.

use proptest::prelude::*;

/// Field names, one per type; backticks where the name needs them or not.
const NUM: &str = "`n 1`";
const INT: &str = "i";
const TEXT: &str = "`Job Title`";
const BOOL: &str = "b";
const DATE: &str = "`d`";
const LIST: &str = "l";
const SCORE_FIELD: &str = "`score`";

/// What joins items: spacing, `;`, blank lines and comments.
const ITEM_SEPS: &[&str] = &[
    "\n",
    "\n",
    "\n",
    " ",
    "\n\n",
    "\n\n\n",
    " ; ",
    ";\n",
    "\n# n\n",
    " # t\n",
    "\n  # i\n\n",
];
/// What joins the parts of one item.
const INNER_SEPS: &[&str] = &[" ", " ", " ", " ", "  ", "\n  ", " # m\n "];

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..500).prop_map(|n| n.to_string()),
        (0u32..50, 0u32..100).prop_map(|(a, b)| format!("{a}.{b:02}")),
        (1u32..9).prop_map(|n| format!("{n}_000")),
    ]
}

fn num_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number(),
        Just(NUM.to_string()),
        Just(INT.to_string()),
        Just(SCORE_FIELD.to_string()),
        Just("k".to_string()),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("{a} / 4")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("min({a}, {b})")),
        ]
    })
}

fn text_atom() -> impl Strategy<Value = String> {
    let t = TEXT;
    prop::sample::select(vec![
        format!("{t} == \"CEO\""),
        format!("{t} != \"x\""),
        format!("{t} in [CEO, VP, \"Chief Revenue Officer\", c-level]"),
        format!("{t} not in titles"),
        format!("{t} contains \"sales\""),
        format!("{t} starts with \"vp\""),
        format!("{t} ends with \"officer\""),
        format!("{t} matches \"^(?i)head of\""),
        format!("{t} in {LIST}"),
    ])
}

fn other_atom() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        format!("{LIST} contains \"pricing\""),
        format!("{LIST} contains any [pricing, case-study]"),
        format!("{LIST} contains all titles"),
        format!("count({LIST}) >= 2"),
        format!("{DATE} within 30 days"),
        format!("{DATE} within 1 week"),
        format!("days_since({DATE}) > 5"),
        format!("{DATE} > 2026-01-01"),
        format!("{DATE} + 2 months < today"),
        BOOL.to_string(),
        format!("{BOOL} == true"),
        format!("{TEXT} is missing"),
        format!("{NUM} is present"),
        "count(ev where kind == \"webinar\" within 90 days) >= 2".to_string(),
        "exists(ev where m > 3)".to_string(),
        "not exists(ev within 60 days)".to_string(),
        "distinct(ev, kind) >= 2".to_string(),
        "last(ev) is missing or not last(ev) within 60 days".to_string(),
        "sum(ev where kind == \"demo\", m) > 10".to_string(),
        "first(ev where (m > 1 and at within 1 year)) < 2026-01-01".to_string(),
        "max(ev, m) >= 5".to_string(),
    ])
}

fn condition() -> impl Strategy<Value = String> {
    let compare = (
        num_expr(),
        prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]),
        num_expr(),
    )
        .prop_map(|(a, op, b)| format!("{a} {op} {b}"));
    let between = (num_expr(), number(), number())
        .prop_map(|(a, lo, hi)| format!("{a} between {lo} and {hi}"));
    let leaf = prop_oneof![compare, between, text_atom(), other_atom()];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| format!("not {c}")),
            inner.clone().prop_map(|c| format!("not ({c})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.prop_map(|c| format!("({c})")),
        ]
    })
}

/// A rule before its reason is decided: condition, `sub`?, points, reason?,
/// decay (or nothing).
type RawRule = (String, bool, String, bool, &'static str);

fn rule() -> impl Strategy<Value = RawRule> {
    let decay = prop::sample::select(vec![
        "",
        "",
        "",
        " decay 50% every 1 month since `d`",
        " decay half-life 30 days since `d`",
        " decay linear 2 weeks since last(ev)",
        " decay 12.50% every 1 year since `d`",
    ]);
    (condition(), any::<bool>(), num_expr(), any::<bool>(), decay)
}

/// A per-event rule: its set, `sub`?, points and what follows them.
type EachRule = (&'static str, bool, &'static str, &'static str);

fn each_rule() -> impl Strategy<Value = EachRule> {
    let sets = prop::sample::select(vec![
        "ev",
        "ev where kind == \"demo\"",
        "ev where kind in [webinar, demo] within 90 days",
        "ev where (m > 2 and at within 30 days)",
        "ev within 2 weeks",
        "ev where not kind is missing or m >= 10",
    ]);
    let points = prop::sample::select(vec!["5", "m / 10", "2.50", "min(m, 20)"]);
    let tails = prop::sample::select(vec![
        "",
        " decay half-life 30 days",
        " decay linear 8 weeks",
        " decay 50% every 1 month",
        " max 20",
        " decay half-life 2 weeks max 12.50",
        " decay 12.5% every 3 days max 7",
    ]);
    (sets, any::<bool>(), points, tails)
}

fn limits() -> impl Strategy<Value = String> {
    (prop::option::of(50u32..200), prop::option::of(0u32..50)).prop_map(|(max, min)| {
        let max = max.map(|m| format!(" max {m}")).unwrap_or_default();
        let min = min.map(|m| format!(" min -{m}")).unwrap_or_default();
        format!("{max}{min}")
    })
}

/// The parts of a model that vary.
#[derive(Debug, Clone)]
pub struct Parts {
    field_options: Vec<bool>,
    groups: Vec<(String, Vec<RawRule>)>,
    top: Vec<RawRule>,
    each: Vec<EachRule>,
    score_limits: String,
    thresholds: (u32, u32),
    given: Vec<bool>,
    seps: Vec<usize>,
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        prop::collection::vec(prop::bool::weighted(0.3), 7),
        prop::collection::vec((limits(), prop::collection::vec(rule(), 0..3)), 1..3),
        prop::collection::vec(rule(), 0..2),
        prop::collection::vec(each_rule(), 0..3),
        limits(),
        (0u32..40, 40u32..90),
        prop::collection::vec(prop::bool::weighted(0.4), 8),
        prop::collection::vec(0usize..64, 64),
    )
        .prop_map(
            |(field_options, groups, top, each, score_limits, thresholds, given, seps)| Parts {
                field_options,
                groups,
                top,
                each,
                score_limits,
                thresholds,
                given,
                seps,
            },
        )
}

/// A random valid model, as text.
pub fn model() -> impl Strategy<Value = String> {
    parts().prop_map(|p| Writer::new(&p).model(&p))
}

/// Builds the text, drawing separators from the generated choices.
struct Writer {
    seps: Vec<usize>,
    next: usize,
    rules: usize,
    first_reason: Option<String>,
}

impl Writer {
    fn new(p: &Parts) -> Writer {
        Writer {
            seps: p.seps.clone(),
            next: 0,
            rules: 0,
            first_reason: None,
        }
    }

    fn pick(&mut self, from: &[&str]) -> String {
        let choice = self
            .seps
            .get(self.next % self.seps.len())
            .copied()
            .unwrap_or(0);
        self.next += 1;
        from[choice % from.len()].to_string()
    }

    fn item(&mut self) -> String {
        self.pick(ITEM_SEPS)
    }

    fn inner(&mut self) -> String {
        self.pick(INNER_SEPS)
    }

    fn model(&mut self, p: &Parts) -> String {
        let mut out = String::from("model \"G\" version 1");
        out += &self.item();
        out += &self.fields(&p.field_options);
        out += &self.item();
        out += &self.events();
        out += &self.item();
        out += "let k = 3";
        out += &self.item();
        out += "let titles = [CEO, \"VP\", head-of]";
        for (i, (limits, rules)) in p.groups.iter().enumerate() {
            out += &self.item();
            out += &format!("group g{i}{limits} {{");
            for r in rules {
                out += &self.item();
                out += &self.rule(r);
            }
            // Per-event rules: the even ones in the first group, the odd
            // ones at top level.
            for r in p.each.iter().step_by(2).filter(|_| i == 0) {
                out += &self.item();
                out += &self.each_rule(r);
            }
            out += &self.item();
            out += "}";
        }
        for r in &p.top {
            out += &self.item();
            out += &self.rule(r);
        }
        for r in p.each.iter().skip(1).step_by(2) {
            out += &self.item();
            out += &self.each_rule(r);
        }
        if !p.score_limits.is_empty() {
            out += &self.item();
            out += &format!("score{}", p.score_limits);
        }
        out += &self.ladders(p.thresholds);
        out += &self.item();
        out += &self.test(&p.given);
        out.push('\n');
        out
    }

    fn fields(&mut self, options: &[bool]) -> String {
        let fields = [
            (NUM, "number", " from \"N\""),
            (INT, "int", " required"),
            (TEXT, "text", " required from \"Job Title\""),
            (BOOL, "bool", ""),
            (DATE, "date", ""),
            (LIST, "list", " sep \"|\""),
            (SCORE_FIELD, "int", ""),
        ];
        let mut out = String::from("fields {");
        for (i, (name, ty, option)) in fields.iter().enumerate() {
            out += &self.item();
            let option = if options.get(i) == Some(&true) {
                *option
            } else {
                ""
            };
            out += &format!("{name}:{}{ty}{option}", self.inner());
        }
        out += &self.item();
        out + "}"
    }

    /// An events source joined by the lead field `i`.
    fn events(&mut self) -> String {
        let fields = ["i: int key", "at: date time", "kind: text", "m: number"];
        let mut out = format!("events{}ev{}{{", self.inner(), self.inner());
        for field in fields {
            out += &self.item();
            out += field;
        }
        out += &self.item();
        out + "}"
    }

    fn each_rule(&mut self, (set, sub, points, tail): &EachRule) -> String {
        let n = self.rules;
        self.rules += 1;
        let effect = if *sub { "sub" } else { "add" };
        let (a, b, c) = (self.inner(), self.inner(), self.inner());
        format!("each{a}{set}{b}{effect}{c}{points}{tail} \"each {n}\"")
    }

    fn rule(&mut self, (cond, sub, points, reason, decay): &RawRule) -> String {
        let n = self.rules;
        self.rules += 1;
        let effect = if *sub { "sub" } else { "add" };
        let (cond, reason) = if *reason {
            let text = format!("reason {n}");
            self.first_reason.get_or_insert(text.clone());
            (cond.clone(), format!(" \"{text}\""))
        } else {
            (format!("({cond}) and {INT} != {n}"), String::new())
        };
        let (a, b, c) = (self.inner(), self.inner(), self.inner());
        format!("when{a}{cond}{b}{effect}{c}{points}{decay}{reason}")
    }

    fn ladders(&mut self, (low, high): (u32, u32)) -> String {
        let mut out = self.item();
        out += &format!("if score >= {high} and g0 >= {low} then SQL");
        out += &self.item();
        out += &format!("if score >= {low} then \"Marketing Qualified\"");
        out += &self.item();
        out += "else Nurture";
        out += &self.item();
        out += &format!("tier grade {{{}if g0 >= {high} then A", self.item());
        out += &format!("{}if stage == SQL then `B`", self.item());
        out += &format!("{}else \"C-\"{}}}", self.item(), self.item());
        out
    }

    fn test(&mut self, given: &[bool]) -> String {
        let values = [
            format!("{NUM}: 12.50"),
            format!("{INT}: -3"),
            format!("{TEXT}: \"Chief Revenue Officer\""),
            format!("{BOOL}: \"yes\""),
            format!("{DATE}: 2026-01-15"),
            format!("{LIST}: [pricing, \"case study\"]"),
            format!("{SCORE_FIELD}: 7"),
            "ev: [ { kind: \"demo\", at: 2026-01-10, m: 12.50 },\n  { at: 2025-12-01; kind: \"webinar\" } ]"
                .to_string(),
        ];
        let chosen: Vec<&String> = values
            .iter()
            .zip(given)
            .filter(|(_, keep)| **keep)
            .map(|(v, _)| v)
            .collect();
        let entries: Vec<String> = chosen
            .iter()
            .map(|v| format!("{v},{}", self.inner()))
            .collect();
        let mut out = format!("test \"generated\" as of 2026-02-01 {{{}", self.item());
        out += &format!("given {{{}}}", entries.concat());
        out += &format!("{}expect score >= 0", self.item());
        out += &format!("{}expect grade == A or stage != SQL", self.item());
        if let Some(reason) = self.first_reason.clone() {
            out += &format!("{}expect not fired(\"{reason}\")", self.item());
        }
        out + &self.item() + "}"
    }
}
