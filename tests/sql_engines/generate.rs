//! Generated models and messy leads, from a seeded generator so a failure
//! reproduces: every operator, function and output form the language has,
//! and cells in every spelling Tally accepts or rejects.

use tally::source::Source;
use tally::value::{parse_date_literal, Date, FieldType};

use super::harness::Job;

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TEXTS: &[&str] = &[
    "a\nb",
    "ab\n",
    "\u{212a}elvin",
    "CEO",
    "VP",
    "Manager",
    "Engineer",
    "Chief Revenue Officer",
    "Technology",
    "Ünïcode",
    "École",
    "a'b",
    "quote\"d",
    "x;y",
    "",
    "an",
    "C-level",
];
const ITEMS: &[&str] = &[
    "pricing",
    "home",
    "blog",
    "case-study",
    "careers",
    "Demo",
    "é-book",
];

const FIELDS: &str = r#"fields {
  t1: text required
  t2: text from "Second \"Text\""
  n1: number
  n2: number from "n 2"
  i1: int
  b1: bool
  d1: date
  d2: date
  l1: list
  l2: list sep "|"
}
"#;

fn text_lit(rng: &mut Rng) -> String {
    format!("{:?}", rng.pick(TEXTS))
}

fn list_lit(rng: &mut Rng, pool: &[&str]) -> String {
    let n = rng.below(4);
    let items: Vec<String> = (0..n).map(|_| format!("{:?}", rng.pick(pool))).collect();
    format!("[{}]", items.join(", "))
}

fn number_lit(rng: &mut Rng) -> String {
    rng.pick(&["0", "1", "5", "10", "-3", "2.5", "0.1", "100", "7"])
        .to_string()
}

fn date_lit(rng: &mut Rng) -> String {
    rng.pick(&[
        "2026-01-31",
        "2026-11-22",
        "2025-02-28",
        "2024-02-29",
        "2026-06-30",
    ])
    .to_string()
}

fn num_expr(rng: &mut Rng, depth: usize) -> String {
    let leaf = [
        "n1",
        "n2",
        "i1",
        "count(l1)",
        "days_since(d1)",
        "months_since(d2)",
        "years_since(d1)",
    ];
    if depth == 0 || rng.chance(40) {
        return if rng.chance(50) {
            rng.pick(&leaf).to_string()
        } else {
            number_lit(rng)
        };
    }
    let (a, b) = (num_expr(rng, depth - 1), num_expr(rng, depth - 1));
    match rng.below(9) {
        0 => format!("{a} + {b}"),
        1 => format!("{a} - {b}"),
        2 => format!("({a}) * {b}"),
        3 => format!("({a}) / ({b})"),
        4 => format!("min({a}, {b})"),
        5 => format!("max({a}, {b}, 1)"),
        6 => format!("abs({a})"),
        7 => format!("round({a}, {})", rng.below(3)),
        _ => format!("-({a})"),
    }
}

fn date_expr(rng: &mut Rng) -> String {
    let base = rng.pick(&["d1", "d2", "today"]).to_string();
    match rng.below(4) {
        0 => base,
        1 => format!("{base} + {} months", rng.below(14)),
        2 => format!("{base} - {} years", rng.below(3)),
        _ => format!("{base} + {} weeks - 1 day", rng.below(5)),
    }
}

fn atom(rng: &mut Rng) -> String {
    let t = rng.pick(&["t1", "t2"]).to_string();
    let l = rng.pick(&["l1", "l2"]).to_string();
    match rng.below(26) {
        0 => format!("{t} == {}", text_lit(rng)),
        1 => format!("{t} != {}", text_lit(rng)),
        2 => format!("{t} in {}", list_lit(rng, TEXTS)),
        3 => format!("{t} not in {}", list_lit(rng, TEXTS)),
        4 => format!(
            "{t} contains {}",
            rng.pick(&["\"an\"", "\"e\"", "\"\"", "\"É\""])
        ),
        5 => format!("{t} starts with {}", rng.pick(&["\"c\"", "\"ü\"", "\"v\""])),
        6 => format!("{t} ends with {}", rng.pick(&["\"r\"", "\"o\"", "\"d\""])),
        7 => format!(
            "{t} matches {}",
            rng.pick(&[
                "\"^[A-Z]\"",
                "\"(?i)^c\"",
                "\"an.r\"",
                "\"[0-9]\"",
                "\"^(ceo|vp)$\"",
                "\"[^a-z ]\"",
                "\"^a.b$\"",
                "\"b$\"",
                "\"(?i)^k\"",
            ])
        ),
        8 => format!(
            "{} is missing",
            rng.pick(&["t1", "t2", "n1", "d1", "l1", "b1"])
        ),
        9 => format!("{} is present", rng.pick(&["t2", "n2", "d2", "l2", "i1"])),
        10 => format!("{} > {}", num_expr(rng, 2), number_lit(rng)),
        11 => format!("{} <= {}", num_expr(rng, 2), num_expr(rng, 1)),
        12 => format!(
            "{} between {} and {}",
            num_expr(rng, 1),
            number_lit(rng),
            rng.pick(&["50", "n2", "100"])
        ),
        13 => format!("i1 in [1, 2, 3, {}]", number_lit(rng)),
        14 => "b1".to_string(),
        15 => format!("b1 == {}", rng.pick(&["true", "false"])),
        16 => format!(
            "{} within {} {}",
            rng.pick(&["d1", "d2"]),
            rng.below(400),
            rng.pick(&["days", "weeks", "months"])
        ),
        17 => format!("{} <= {}", date_expr(rng), date_expr(rng)),
        18 => format!("{} == {}", rng.pick(&["d1", "d2"]), date_lit(rng)),
        19 => format!("{l} contains {:?}", rng.pick(ITEMS)),
        20 => format!("{l} contains any {}", list_lit(rng, ITEMS)),
        21 => format!("{l} contains all {}", list_lit(rng, ITEMS)),
        22 => format!("{:?} in {l}", rng.pick(ITEMS)),
        23 => format!("{t} in {l}"),
        24 => format!("d1 in [{}, {}]", date_lit(rng), date_lit(rng)),
        _ => format!("{t} == {}", rng.pick(&["t1", "t2"])),
    }
}

fn condition(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.chance(45) {
        return atom(rng);
    }
    let (a, b) = (condition(rng, depth - 1), condition(rng, depth - 1));
    match rng.below(3) {
        0 => format!("({a}) and ({b})"),
        1 => format!("({a}) or ({b})"),
        _ => format!("not ({a})"),
    }
}

fn points(rng: &mut Rng) -> String {
    if rng.chance(60) {
        number_lit(rng)
    } else {
        num_expr(rng, 2)
    }
}

fn limits(rng: &mut Rng) -> String {
    let mut out = String::new();
    let max = 20 + rng.below(60) as i64;
    if rng.chance(50) {
        out.push_str(&format!(" max {max}"));
    }
    if rng.chance(40) {
        out.push_str(&format!(" min {}", -(rng.below(20) as i64)));
    }
    out
}

fn rule(rng: &mut Rng, id: &mut usize) -> String {
    *id += 1;
    let effect = if rng.chance(75) { "add" } else { "sub" };
    format!(
        "  when {} {effect} {} \"r{id}\"\n",
        condition(rng, 3),
        points(rng)
    )
}

/// A random model over [`FIELDS`].
pub fn model(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut text = format!("model \"generated {seed}\"\n{FIELDS}\n");
    let mut id = 0;
    let groups = 1 + rng.below(3);
    for g in 0..groups {
        text.push_str(&format!("group g{g}{} {{\n", limits(&mut rng)));
        for _ in 0..(1 + rng.below(6)) {
            text.push_str(&rule(&mut rng, &mut id));
        }
        text.push_str("}\n");
    }
    for _ in 0..rng.below(3) {
        text.push_str(rule(&mut rng, &mut id).trim_start());
    }
    let score_limits = limits(&mut rng);
    if !score_limits.is_empty() {
        text.push_str(&format!("score{score_limits}\n"));
    }
    let labels = ["SQL", "MQL", "Lead", "Nurture"];
    for label in labels.iter().take(3) {
        let test = match rng.below(4) {
            0 => format!("score >= {}", rng.below(40)),
            1 => format!("g0 > {} and score >= {}", rng.below(20), rng.below(30)),
            2 => format!("({}) or score > {}", condition(&mut rng, 1), rng.below(50)),
            _ => format!("score between {} and {}", rng.below(10), 10 + rng.below(40)),
        };
        text.push_str(&format!("if {test} then {label}\n"));
    }
    if rng.chance(70) {
        text.push_str("else Cold\n");
    }
    text.push_str("tier grade {\n  if stage == SQL then A\n");
    text.push_str(&format!(
        "  if stage in [MQL, Lead] and g0 >= {} then B\n",
        rng.below(15)
    ));
    if rng.chance(60) {
        text.push_str("  else C\n");
    }
    text.push_str("}\n");
    text.push_str(&format!(
        "tier `second tier` {{\n  if grade == A or {} then top\n  if grade is missing then none\n  else rest\n}}\n",
        condition(&mut rng, 1)
    ));
    text
}

/// One messy cell of a field type.
fn cell(rng: &mut Rng, ty: FieldType, sep: &str, today: Date) -> Option<String> {
    if rng.chance(4) {
        return None;
    }
    if rng.chance(6) {
        return Some(rng.pick(&["", " ", "\t"]).to_string());
    }
    let pad = |rng: &mut Rng, s: String| -> String {
        let spaces = ["", "", "", " ", "  ", "\t", "\u{a0}"];
        format!("{}{s}{}", rng.pick(&spaces), rng.pick(&spaces))
    };
    let text = match ty {
        FieldType::Text => {
            let t = rng.pick(TEXTS).to_string();
            let t = match rng.below(3) {
                0 => t.to_uppercase(),
                1 => t.to_lowercase(),
                _ => t,
            };
            return Some(pad(rng, t));
        }
        FieldType::Number | FieldType::Int => {
            let n = rng.below(240) as i64 - 40;
            let t = match rng.below(12) {
                0 => format!("{n}.{}", rng.below(100)),
                1 => format!("+{n}"),
                2 => format!("{n}.0"),
                3 => format!("0{}", rng.below(9)),
                4 if rng.chance(30) => rng
                    .pick(&["1e5", "abc", "1,000", ".5", "5.", "--1", "+"])
                    .to_string(),
                5 => format!("{n}.{:04}", rng.below(10000)),
                _ => n.to_string(),
            };
            pad(rng, t)
        }
        FieldType::Bool => {
            let words = ["true", "FALSE", "Yes", "no", "y", "N", "1", "0", "t", "F"];
            let t = if rng.chance(3) {
                "maybe".to_string()
            } else {
                rng.pick(&words).to_string()
            };
            pad(rng, t)
        }
        FieldType::Date => {
            let offset = rng.below(3000) as i64 - 1800;
            let d = today + chrono::Duration::days(offset);
            let t = match rng.below(12) {
                0 => format!(
                    "{}T{:02}:{:02}:00+0{}:30",
                    d,
                    rng.below(24),
                    rng.below(60),
                    rng.below(9)
                ),
                1 => format!("{} {:02}:15:59-0{}:00", d, rng.below(24), rng.below(9)),
                2 => format!("{}t23:59:60Z", d),
                3 => format!("{}T00:00:00.250z", d),
                4 => rng
                    .pick(&[
                        "2026-01-31",
                        "2025-12-31",
                        "2024-02-29",
                        "2026-02-28",
                        "2026-03-31",
                    ])
                    .to_string(),
                5 if rng.chance(40) => rng
                    .pick(&[
                        "2026-02-30",
                        "2026-2-3",
                        "26-01-01",
                        "0000-01-01",
                        "2026-13-01",
                        "2026-11-22T25:00:00Z",
                        "yesterday",
                    ])
                    .to_string(),
                _ => d.to_string(),
            };
            pad(rng, t)
        }
        FieldType::List => {
            let n = rng.below(5);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let item = rng.pick(ITEMS).to_string();
                    let item = if rng.chance(30) {
                        item.to_uppercase()
                    } else {
                        item
                    };
                    pad(rng, item)
                })
                .collect();
            let joined = items.join(sep);
            if rng.chance(20) {
                format!("{joined}{sep}{sep}")
            } else {
                joined
            }
        }
    };
    Some(text)
}

/// `n` messy leads for a model's fields (columns in field order).
pub fn leads_for(model: &str, n: usize, seed: u64) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let compiled = tally::compile(&Source::new("m", model.to_string()));
    let errors: Vec<String> = compiled
        .findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| f.to_string())
        .collect();
    let model = compiled
        .model
        .unwrap_or_else(|| panic!("generated model has errors: {errors:?}\n{model}"));
    let today = parse_date_literal("2026-11-22").unwrap();
    let mut rng = Rng::new(seed);
    let columns = model.fields.iter().map(|f| f.column.clone()).collect();
    let rows = (0..n)
        .map(|_| {
            model
                .fields
                .iter()
                .map(|f| cell(&mut rng, f.ty, &f.read.sep, today))
                .collect()
        })
        .collect();
    (columns, rows)
}

/// `models` generated models, each with `leads` generated leads.
pub fn jobs(models: u64, leads: usize) -> Vec<Job> {
    (1..=models)
        .map(|seed| {
            let model = model(seed);
            let (columns, rows) = leads_for(&model, leads, seed + 1000);
            Job {
                name: format!("generated {seed}"),
                model,
                columns,
                rows,
                as_of: parse_date_literal("2026-11-22").unwrap(),
                engine_today: false,
            }
        })
        .collect()
}
