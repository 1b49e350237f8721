//! Typed expressions → SQL expressions with the interpreter's three-valued
//! results: a missing value is NULL, and every form below gives NULL
//! exactly where `eval` gives a missing value.

use super::arith::{self, Fault};
use super::error::SqlError;
use super::nested::Nested;
use super::{regex, Dialect};
use crate::check::model::{Expr, ExprKind, Function, Model};
use crate::check::Type;
use crate::id::{FieldId, Id, SourceId, TierId};
use crate::syntax::ast::{ArithOp, CompareOp};
use crate::value::{fold_text, Decimal, Duration, DurationUnit, Value};

/// Largest number of places `round` is given (a decimal holds 28).
const MAX_PLACES: u32 = 28;

/// Where the layers of the query keep what an expression reads.
pub(super) struct Writer<'m> {
    pub dialect: Dialect,
    pub model: &'m Model,
    pub errors: Vec<SqlError>,
    /// The events source whose events an expression is about (inside its
    /// aggregation, `sql/events.rs`), where `EventField` names its fields.
    pub source: Option<SourceId>,
    /// Conditions under which the expressions written so far are not
    /// Tally's (`arith.rs`); the query turns them into `tally_error`.
    pub faults: Vec<Fault>,
    /// The lead's values an event set written so far reads (`sql/lead_sets.rs`):
    /// each field, and whether folded (as compared) or as read.
    pub lead_reads: Vec<(FieldId, bool)>,
}

/// The alias of the layer holding tier `index`.
pub(super) fn tier_layer(id: TierId) -> String {
    format!("tally_tier_{}", id.index() + 1)
}

impl Writer<'_> {
    pub(super) fn col(&self, layer: &str, name: &str) -> String {
        format!("{layer}.{}", self.dialect.ident(name))
    }

    pub(super) fn unsupported(
        &mut self,
        expr: &Expr,
        what: String,
        help: Option<String>,
    ) -> String {
        self.errors.push(SqlError::Unsupported {
            dialect: self.dialect.name().to_string(),
            what,
            span: expr.span.into(),
            help,
        });
        "NULL".to_string()
    }

    /// A boolean condition.
    pub fn condition(&mut self, expr: &Expr) -> String {
        self.value(expr)
    }

    /// A number, date, boolean, list (folded items) or text as written.
    pub fn value(&mut self, expr: &Expr) -> String {
        let d = self.dialect;
        match &expr.kind {
            ExprKind::Const(value) => self.constant(expr, value, false),
            // Inside an event set, the lead's value: sql/lead_sets.rs.
            ExprKind::Field(id) => self.lead_field(expr, *id, false),
            ExprKind::Group(id) => self.col("tally_groups", &self.model.groups.at(*id).name),
            ExprKind::Score => format!("tally_score.{}", d.own("score")),
            ExprKind::Stage => format!("tally_stage.{}", d.own("stage")),
            ExprKind::Tier(id) => self.col(&tier_layer(*id), &self.model.tiers.at(*id).name),
            ExprKind::Today => "tally_consts.today".to_string(),
            // Account values: sql/accounts.rs.
            ExprKind::Account(id) => self.account(*id),
            // Events and decay: sql/events.rs.
            ExprKind::Aggregate(id) => self.aggregate(*id),
            ExprKind::EventField(id) => self.event_field(*id, "tally_input"),
            ExprKind::Decayed(points, form, since) => self.decayed(points, *form, since),
            ExprKind::Not(e) => format!("(NOT {})", self.value(e)),
            ExprKind::And(items) => self.join(items, " AND "),
            ExprKind::Or(items) => self.join(items, " OR "),
            ExprKind::Neg(e) => format!("(-{})", self.value(e)),
            ExprKind::Arith(first, rest) => {
                let mut acc = Nested::new(self.value(first));
                for (step, (op, e)) in rest.iter().enumerate() {
                    let v = self.value(e);
                    // A cell times or by a short constant: the engine's
                    // own operator is exact and cannot overflow.
                    let left = (step == 0).then_some(&**first);
                    if let Some(simple) = left.and_then(|l| {
                        let a = acc.take();
                        let simple = arith::simple(d, *op, (l, &a), (e, &v));
                        acc = Nested::new(a);
                        simple
                    }) {
                        acc = Nested::new(simple);
                        continue;
                    }
                    // A fault is written with both operands: only short
                    // ones, or a long chain would be quadratic. Past that
                    // the step fails loudly instead.
                    let mut loud = false;
                    if matches!(op, ArithOp::Mul | ArithOp::Div) && arith::has_faults(d) {
                        if acc.len() + v.len() <= arith::FAULT_INLINE {
                            let a = acc.take();
                            self.faults.extend(arith::fault(d, *op, &a, &v));
                            acc = Nested::new(a);
                        } else {
                            loud = true;
                        }
                    }
                    acc.wrap(|acc| match op {
                        ArithOp::Add => format!("({acc} + {v})"),
                        ArithOp::Sub => format!("({acc} - {v})"),
                        ArithOp::Mul => arith::multiply(d, acc, &v, loud),
                        ArithOp::Div => arith::divide(d, acc, &v, loud),
                    });
                }
                acc.take()
            }
            ExprKind::Compare(op, a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                format!("({a} {} {b})", compare_op(*op))
            }
            ExprKind::Between(a, low, high) => self.between(a, low, high),
            ExprKind::InList {
                needle,
                items,
                negated,
            } => {
                let needle_sql = self.operand(needle);
                let items: Vec<String> = dedup(
                    items
                        .iter()
                        .map(|v| self.constant(expr, v, needle.ty == Type::Text))
                        .collect(),
                );
                let test = if items.is_empty() {
                    format!("CASE WHEN {needle_sql} IS NULL THEN NULL ELSE FALSE END")
                } else {
                    format!("{needle_sql} IN ({})", items.join(", "))
                };
                negate(test, *negated)
            }
            ExprKind::ListHas {
                list,
                item,
                negated,
            } => {
                let (l, i) = (self.value(list), self.operand(item));
                // DuckDB's `list_contains` is NULL when the list or the
                // item is: the guard would only cost (a `CASE` over a list
                // slices it; 3% of the benchmark's query).
                let test = if d == Dialect::DuckDb {
                    d.list_has(&l, &i)
                } else {
                    bind(d, [l, i], |[l, i]| {
                        let has = d.list_has(l, i);
                        format!("CASE WHEN {l} IS NULL OR {i} IS NULL THEN NULL ELSE {has} END")
                    })
                };
                negate(test, *negated)
            }
            ExprKind::TextContains(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                d.contains(&a, &b)
            }
            ExprKind::StartsWith(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                d.starts_with(&a, &b)
            }
            ExprKind::EndsWith(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                d.ends_with(&a, &b)
            }
            ExprKind::ContainsAny(list, items) | ExprKind::ContainsAll(list, items) => {
                let all = matches!(expr.kind, ExprKind::ContainsAll(..));
                let l = self.value(list);
                let texts = folded_texts(items);
                if texts.is_empty() {
                    let empty = if all { "TRUE" } else { "FALSE" };
                    return format!("CASE WHEN {l} IS NULL THEN NULL ELSE {empty} END");
                }
                let array = d.text_array(&texts);
                if all {
                    d.list_has_all(&l, &array)
                } else {
                    d.list_has_any(&l, &array)
                }
            }
            ExprKind::Matches(text, pattern) => match regex::translate(pattern, d) {
                Ok(p) => {
                    let t = self.value(text);
                    d.regex_match(&t, &p)
                }
                Err(what) => self.unsupported(
                    expr,
                    format!("{what} in a `matches` pattern"),
                    Some("write the pattern with literal characters, `.`, `[…]` classes of ASCII characters, groups, `|`, anchors, greedy quantifiers (`*`, `+`, `?`, `{m,n}`) and a leading `(?i)`; docs/sql.md lists what translates".to_string()),
                ),
            },
            ExprKind::IsMissing(e) => format!("({} IS NULL)", self.value(e)),
            ExprKind::IsPresent(e) => format!("({} IS NOT NULL)", self.value(e)),
            ExprKind::Within(e, duration) => {
                let date = self.value(e);
                let start = self.shift("tally_consts.today", ArithOp::Sub, *duration);
                // A window starting before year 1 is missing, as in Tally
                // (`BETWEEN NULL AND …` would be false for a later date).
                // The start is written twice, not bound: it is a short
                // function of `today` alone, and a subquery per row would
                // cost more.
                format!(
                    "CASE WHEN {start} IS NOT NULL THEN ({date} BETWEEN {start} AND tally_consts.today) END"
                )
            }
            ExprKind::DateShift(e, shifts) => {
                let mut acc = self.value(e);
                for (op, duration) in shifts {
                    acc = self.shift(&acc, *op, *duration);
                }
                acc
            }
            ExprKind::Call(function, args) => self.call(expr, *function, args),
            ExprKind::Fired(_) => self.unsupported(expr, "`fired(…)`".to_string(), None),
        }
    }

    /// An operand as compared: text folded, everything else as is.
    pub fn operand(&mut self, expr: &Expr) -> String {
        if expr.ty != Type::Text {
            return self.value(expr);
        }
        match &expr.kind {
            ExprKind::Const(value) => self.constant(expr, value, true),
            ExprKind::Field(id) => self.lead_field(expr, *id, true),
            ExprKind::EventField(id) => self.event_field(*id, "tally_folded"),
            ExprKind::Stage => {
                let model = self.model;
                let labels = model.stage.as_ref().map(|l| l.labels());
                self.folded_label(expr, labels)
            }
            ExprKind::Tier(id) => {
                let model = self.model;
                self.folded_label(expr, Some(model.tiers.at(*id).ladder.labels()))
            }
            // INVARIANT: text values come only from constants, fields and
            // labels; the checker types nothing else as text.
            _ => self.value(expr),
        }
    }

    /// A stage or tier label, folded: the labels are known, so map each.
    fn folded_label(&mut self, expr: &Expr, labels: Option<Vec<&str>>) -> String {
        let raw = self.value(expr);
        let d = self.dialect;
        let arms: Vec<String> = labels
            .unwrap_or_default()
            .into_iter()
            .map(|l| format!("WHEN {} THEN {}", d.text(l), d.text(&fold_text(l))))
            .collect();
        if arms.is_empty() {
            return format!("CAST(NULL AS {})", d.text_type());
        }
        format!("(CASE {raw} {} END)", arms.join(" "))
    }

    fn join(&mut self, items: &[Expr], op: &str) -> String {
        let parts: Vec<String> = items.iter().map(|e| self.value(e)).collect();
        format!("({})", parts.join(op))
    }

    /// A constant; text folded when it is compared.
    fn constant(&mut self, expr: &Expr, value: &Value, fold: bool) -> String {
        let d = self.dialect;
        match value {
            Value::Text(t) if fold => d.text(&fold_text(t)),
            Value::Text(t) => d.text(t),
            Value::Number(n) => {
                if let Err(what) = number_fits(*n, d) {
                    return self.unsupported(expr, what, None);
                }
                d.number(*n)
            }
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Date(date) => d.date(*date),
            // INVARIANT: durations and lists are consumed by their forms.
            Value::Duration(_) | Value::List(_) => "NULL".to_string(),
        }
    }

    /// `a between low and high`: missing when any of the three is (spec
    /// section 5), which SQL's `BETWEEN` gives only when both ends are
    /// present (`FALSE AND NULL` is false), as constants are.
    fn between(&mut self, a: &Expr, low: &Expr, high: &Expr) -> String {
        let (x, lo, hi) = (self.value(a), self.value(low), self.value(high));
        let constant = |e: &Expr| matches!(e.kind, ExprKind::Const(_));
        if constant(low) && constant(high) {
            return format!("({x} BETWEEN {lo} AND {hi})");
        }
        bind(self.dialect, [x, lo, hi], |[x, lo, hi]| {
            format!(
                "CASE WHEN {x} IS NULL OR {lo} IS NULL OR {hi} IS NULL THEN NULL ELSE ({x} >= {lo} AND {x} <= {hi}) END"
            )
        })
    }

    /// `date ± duration`, missing outside years 1 to 9999 as in Tally
    /// (`value::ops::date_add`); the engines hold other years (DuckDB,
    /// PostgreSQL and Spark give `0000-12-31` for `0001-01-01 - 1 day`).
    fn shift(&self, date: &str, op: ArithOp, duration: Duration) -> String {
        let d = self.dialect;
        let sign = if op == ArithOp::Sub { -1 } else { 1 };
        let (amount, unit) = match duration.unit {
            DurationUnit::Day => (duration.amount, "DAY"),
            DurationUnit::Week => (duration.amount.saturating_mul(7), "DAY"),
            DurationUnit::Month => (duration.amount, "MONTH"),
            DurationUnit::Year => (duration.amount, "YEAR"),
        };
        // Past the span of years 1 to 9999 every result is missing; the
        // engines would fail on some such amounts (out of their range).
        let months = match unit {
            "YEAR" => amount.saturating_mul(12),
            _ => amount,
        };
        let too_far = match unit {
            "DAY" => amount.unsigned_abs() > 3_652_059,
            _ => months.unsigned_abs() > 120_000,
        };
        if too_far {
            return "CAST(NULL AS DATE)".to_string();
        }
        let shifted = d.shift_date(date, amount.saturating_mul(sign), unit);
        let (first, last) = (d.date(first_day()), d.date(last_day()));
        bind(d, [shifted], |[x]| {
            format!("CASE WHEN {x} BETWEEN {first} AND {last} THEN {x} END")
        })
    }

    fn call(&mut self, expr: &Expr, function: Function, args: &[Expr]) -> String {
        let d = self.dialect;
        let ty = d.number_type();
        let Some(first) = args.first() else {
            return "NULL".to_string();
        };
        let part = |what: &str, of: &str| format!("EXTRACT({what} FROM {of})");
        match function {
            Function::DaysSince => {
                let date = self.value(first);
                format!(
                    "CAST({} AS {ty})",
                    d.days_between(&date, "tally_consts.today")
                )
            }
            Function::MonthsSince => bind(d, [self.value(first)], |[x]| {
                let t = "tally_consts.today";
                format!(
                    "CAST((12 * {} + {}) - (12 * {} + {}) - CASE WHEN {} < {} THEN 1 ELSE 0 END AS {ty})",
                    part("YEAR", t),
                    part("MONTH", t),
                    part("YEAR", x),
                    part("MONTH", x),
                    part("DAY", t),
                    part("DAY", x)
                )
            }),
            Function::YearsSince => bind(d, [self.value(first)], |[x]| {
                let t = "tally_consts.today";
                let md = |of: &str| format!("(100 * {} + {})", part("MONTH", of), part("DAY", of));
                format!(
                    "CAST({} - {} - CASE WHEN {} < {} THEN 1 ELSE 0 END AS {ty})",
                    part("YEAR", t),
                    part("YEAR", x),
                    md(t),
                    md(x)
                )
            }),
            Function::Count => {
                let list = self.value(first);
                format!("CAST({} AS {ty})", d.list_len(&list))
            }
            Function::Min | Function::Max => {
                let values: Vec<String> = args.iter().map(|a| self.value(a)).collect();
                if values.len() == 1 {
                    return values.join("");
                }
                let pick = if function == Function::Min {
                    "LEAST"
                } else {
                    "GREATEST"
                };
                // Both engines' LEAST and GREATEST skip NULLs; Tally's do not.
                bind_all(d, values, |v| {
                    let missing: Vec<String> = v.iter().map(|x| format!("{x} IS NULL")).collect();
                    format!(
                        "CASE WHEN {} THEN NULL ELSE {pick}({}) END",
                        missing.join(" OR "),
                        v.join(", ")
                    )
                })
            }
            Function::Abs => format!("ABS({})", self.value(first)),
            Function::Round => {
                let places = match args.get(1).map(|p| &p.kind) {
                    None => Some(0),
                    Some(ExprKind::Const(Value::Number(n))) => u32::try_from(n.trunc()).ok(),
                    Some(_) => {
                        let help =
                            Some("give the places as a number literal or a `let`".to_string());
                        return self.unsupported(
                            expr,
                            "`round` with computed places".to_string(),
                            help,
                        );
                    }
                };
                let value = self.value(first);
                match places {
                    Some(p) => d.round(&value, p.min(MAX_PLACES)),
                    // Negative places: the interpreter's result is missing.
                    None => format!("CAST(NULL AS {ty})"),
                }
            }
        }
    }
}

/// The first day Tally's dates hold.
fn first_day() -> crate::value::Date {
    crate::value::Date::from_ymd_opt(1, 1, 1).unwrap_or_default()
}

/// The last day Tally's dates hold.
fn last_day() -> crate::value::Date {
    crate::value::Date::from_ymd_opt(9999, 12, 31).unwrap_or_default()
}

/// Whether the dialect's number type holds a constant exactly.
pub(super) fn number_fits(n: Decimal, dialect: Dialect) -> Result<(), String> {
    let n = n.normalize();
    if dialect == Dialect::Postgres || n.scale() <= super::dialect::DUCKDB_SCALE {
        return Ok(());
    }
    Err(format!(
        "the number `{n}`, with more than {} decimal places,",
        super::dialect::DUCKDB_SCALE
    ))
}

/// Longest operand written more than once as is; a longer one is bound
/// once in a subquery, so nested forms do not grow exponentially.
pub(super) const INLINE: usize = 120;

/// `body` over `values`, each computed once: inline when all are short,
/// else bound once (`Dialect::bind`).
pub(super) fn bind<const N: usize>(
    d: Dialect,
    values: [String; N],
    body: impl Fn(&[String; N]) -> String,
) -> String {
    if values.iter().all(|v| v.len() <= INLINE) {
        return body(&values);
    }
    let names: [String; N] = std::array::from_fn(|i| format!("tally_args.a{i}"));
    d.bind(&values, &body(&names))
}

/// [`bind`] for any number of values.
fn bind_all(d: Dialect, values: Vec<String>, body: impl Fn(&[String]) -> String) -> String {
    if values.iter().all(|v| v.len() <= INLINE) {
        return body(&values);
    }
    let names: Vec<String> = (0..values.len())
        .map(|i| format!("tally_args.a{i}"))
        .collect();
    d.bind(&values, &body(&names))
}

fn compare_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
    }
}

fn negate(test: String, negated: bool) -> String {
    if negated {
        format!("(NOT ({test}))")
    } else {
        format!("({test})")
    }
}

/// `items` without repeats, in first-seen order (a hash set: lists of
/// 100,000 items are not rare in generated models).
fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}

/// The text items of a list constant, folded, without repeats.
fn folded_texts(items: &[Value]) -> Vec<String> {
    let texts = items.iter().filter_map(|v| match v {
        Value::Text(t) => Some(fold_text(t)),
        _ => None,
    });
    dedup(texts.collect())
}
