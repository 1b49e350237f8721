//! The SQL `tally sql` writes for a small model, per dialect, pinned by
//! snapshots (review shows every change to the generated queries), and
//! parsed by sqlglot as a second opinion on the syntax.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/sqlglot.rs"]
mod sqlglot;

use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::parse_date_literal;

/// Small, but with a name that needs quoting, a `from` column with a
/// quote in it, a list with its own separator, a text literal with a
/// quote, a regex, date arithmetic, a computed points expression, caps,
/// a ladder and a tier reading `stage`.
const MODEL: &str = r#"model "It's small" version 2

fields {
  id:        text required
  title:     text from "Job \"Title\""
  pages:     list sep "|"
  employees: int
  demo:      bool
  seen:      date
  email:     text
}

group fit max 30 {
  when title in [CEO, "Chief's Officer"] add 20 "Decision maker"
  when employees between 50 and 500      add employees / 100
}

when pages contains "pricing"             add 15
when demo                                 add 10
when email matches "(?i)@gmail[.]com$"    sub 5 "Free mail"
when seen + 1 month >= today              add 5 "Seen lately"

score max 50

if score >= 30 then SQL
else Nurture

tier `Grade "A"` {
  if stage == SQL and fit >= 20 then A
  else B
}
"#;

fn sql(dialect: Dialect) -> String {
    let compiled = tally::compile(&Source::new("small.tally", MODEL));
    let model = compiled.model.unwrap();
    let options = SqlOptions {
        dialect,
        table: "crm.leads".to_string(),
        as_of: parse_date_literal("2026-11-22"),
        explain: dialect == Dialect::DuckDb,
        events_tables: Vec::new(),
    };
    compile_sql(&model, &options).unwrap()
}

/// Events and decay (language 1.1): a text key (folded) and an int key,
/// each aggregate once, `each` rules with `max` and the three decay
/// forms, a decaying `when … since` rule; one events table renamed with
/// `--events-table`.
const EVENTS_MODEL: &str = r#"model "Events"

fields {
  lead_id: text required
  shop:    int
  demo:    date
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
  minutes: number
}

events orders {
  shop:   int key
  placed: date time
  amount: number
}

when count(activity where kind == "webinar" within 90 days) >= 2 add 10 "Webinar regular"
when last(activity) is missing sub 15 "Never seen"
when distinct(activity, kind) >= 3 add sum(activity, minutes) / 10 "Varied"
when max(orders, amount) > 100 or first(orders) < 2026-01-01 add 5 "Big or old customer"
when demo is present add 25 decay 50% every 1 month since demo "Demo"
each activity where kind == "pricing" add 5 max 15 "Pricing views"
each activity where kind == "demo" add 25 decay half-life 30 days "Demo requests"
each orders within 1 year add amount decay linear 60 days max 40 "Orders"
"#;

fn events_sql(dialect: Dialect) -> String {
    let compiled = tally::compile(&Source::new("events.tally", EVENTS_MODEL));
    let model = compiled.model.unwrap();
    let options = SqlOptions {
        dialect,
        table: "crm.leads".to_string(),
        as_of: parse_date_literal("2026-11-22"),
        explain: false,
        events_tables: vec![("activity".to_string(), "crm.web_activity".to_string())],
    };
    compile_sql(&model, &options).unwrap()
}

#[test]
fn duckdb_events_query() {
    insta::assert_snapshot!(events_sql(Dialect::DuckDb));
}

#[test]
fn postgres_events_query() {
    insta::assert_snapshot!(events_sql(Dialect::Postgres));
}

#[test]
fn spark_events_query() {
    insta::assert_snapshot!(events_sql(Dialect::Spark));
}

#[test]
fn bigquery_events_query() {
    insta::assert_snapshot!(events_sql(Dialect::BigQuery));
}

#[test]
fn snowflake_events_query() {
    insta::assert_snapshot!(events_sql(Dialect::Snowflake));
}

/// sqlglot reads the events query of every dialect, BigQuery and
/// Snowflake included (which cannot run here).
#[test]
fn sqlglot_parses_the_events_query_in_every_dialect() {
    let ready = [
        (Dialect::DuckDb, "duckdb"),
        (Dialect::Postgres, "postgres"),
        (Dialect::Spark, "spark"),
        (Dialect::Snowflake, "snowflake"),
        (Dialect::BigQuery, "bigquery"),
    ];
    for (dialect, name) in ready {
        let sql = events_sql(dialect);
        assert!(sql.contains("GROUP BY"), "{sql}");
        sqlglot::assert_parses(&sql, name);
    }
}

/// Event sets that read the lead's fields (language 1.1, section 10): a
/// lead date against the event's time, lead text against the event's,
/// an `each` rule whose points read the lead; beside a set counted per
/// key, which keeps its own pre-aggregation.
const LEAD_SETS_MODEL: &str = r#"model "Lead sets"

fields {
  lead_id: text required
  signup:  date
  team:    text
  weight:  number
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
  owner:   text
}

when count(activity where kind == "webinar" and at >= signup) >= 2 add 10 "Webinars since signup"
when exists(activity where owner == team) add 4 "Worked with the team"
when count(activity within 30 days) >= 1 add 1 "Seen this month"
each activity where at >= signup add weight decay linear 90 days max 10 "Activity since signup"
"#;

fn lead_sets_sql(dialect: Dialect) -> String {
    let compiled = tally::compile(&Source::new("lead_sets.tally", LEAD_SETS_MODEL));
    let model = compiled.model.unwrap();
    let options = SqlOptions {
        dialect,
        table: "leads".to_string(),
        as_of: parse_date_literal("2026-11-22"),
        explain: false,
        events_tables: Vec::new(),
    };
    compile_sql(&model, &options).unwrap()
}

/// Every dialect's query for sets that read the lead, pinned, and read
/// by sqlglot.
#[test]
fn lead_sets_query_in_every_dialect() {
    let dialects = [
        (Dialect::DuckDb, "duckdb"),
        (Dialect::Postgres, "postgres"),
        (Dialect::Spark, "spark"),
        (Dialect::Snowflake, "snowflake"),
        (Dialect::BigQuery, "bigquery"),
    ];
    for (dialect, name) in dialects {
        let sql = lead_sets_sql(dialect);
        insta::assert_snapshot!(format!("{name}_lead_sets_query"), sql);
        sqlglot::assert_parses(&sql, name);
    }
}

/// Accounts (language 1.1): input-level values of every kind (with and
/// without conditions), score-level ones reading `score` and a group,
/// used by a rule, the ladder and a tier.
const ACCOUNTS_MODEL: &str = r#"model "Accounts"

fields {
  lead_id:   text required
  company:   text
  title:     text
  pages:     number
  seen:      date
}

account by company {
  let people  = count(leads)
  let readers = count(leads where pages >= 3)
  let any_ceo = exists(leads where title == "CEO")
  let reading = sum(leads, pages)
  let first   = min(leads, seen)
  let most    = max(leads where title is present, pages)
  let titles  = distinct(leads, title)
  let heat    = sum(leads, score)
  let top     = max(leads where fit > 0, score)
  let fits    = distinct(leads where score > 0, fit)
}

group fit max 30 {
  when title in [CEO, VP] add 20 "Decision maker"
}
when pages >= 3 add 10 "Reader"
when account.readers >= 2 and account.any_ceo add 15 "Committee"

if account.heat >= 60 and score >= 20 then SQL
if score >= 20 then MQL
else Nurture

tier spread {
  if account.fits >= 2 or account.top >= 40 then Wide
  else Narrow
}
"#;

fn accounts_sql(dialect: Dialect) -> String {
    let compiled = tally::compile(&Source::new("accounts.tally", ACCOUNTS_MODEL));
    let model = compiled.model.unwrap();
    let options = SqlOptions {
        dialect,
        table: "crm.leads".to_string(),
        as_of: parse_date_literal("2026-11-22"),
        explain: false,
        events_tables: Vec::new(),
    };
    compile_sql(&model, &options).unwrap()
}

#[test]
fn duckdb_accounts_query() {
    insta::assert_snapshot!(accounts_sql(Dialect::DuckDb));
}

#[test]
fn postgres_accounts_query() {
    insta::assert_snapshot!(accounts_sql(Dialect::Postgres));
}

#[test]
fn spark_accounts_query() {
    insta::assert_snapshot!(accounts_sql(Dialect::Spark));
}

#[test]
fn bigquery_accounts_query() {
    insta::assert_snapshot!(accounts_sql(Dialect::BigQuery));
}

#[test]
fn snowflake_accounts_query() {
    insta::assert_snapshot!(accounts_sql(Dialect::Snowflake));
}

/// sqlglot reads the accounts query of every dialect, BigQuery and
/// Snowflake included (which cannot run here); each has its windows.
#[test]
fn sqlglot_parses_the_accounts_query_in_every_dialect() {
    let ready = [
        (Dialect::DuckDb, "duckdb"),
        (Dialect::Postgres, "postgres"),
        (Dialect::Spark, "spark"),
        (Dialect::Snowflake, "snowflake"),
        (Dialect::BigQuery, "bigquery"),
    ];
    for (dialect, name) in ready {
        let sql = accounts_sql(dialect);
        assert!(sql.contains("OVER (PARTITION BY tally_account."), "{sql}");
        assert!(
            sql.contains(" AS \"account.heat\"") || sql.contains(" AS `account.heat`"),
            "{sql}"
        );
        sqlglot::assert_parses(&sql, name);
    }
}

#[test]
fn duckdb_query() {
    insta::assert_snapshot!(sql(Dialect::DuckDb));
}

#[test]
fn postgres_query() {
    insta::assert_snapshot!(sql(Dialect::Postgres));
}

#[test]
fn spark_query() {
    insta::assert_snapshot!(sql(Dialect::Spark));
}

#[test]
fn bigquery_query() {
    insta::assert_snapshot!(sql(Dialect::BigQuery));
}

#[test]
fn snowflake_query() {
    insta::assert_snapshot!(sql(Dialect::Snowflake));
}

/// sqlglot reads each query in its dialect without an error. Fails (with
/// the install command) when sqlglot is missing.
#[test]
fn sqlglot_parses_every_ready_dialect() {
    let ready = [
        (Dialect::DuckDb, "duckdb"),
        (Dialect::Postgres, "postgres"),
        (Dialect::Spark, "spark"),
        (Dialect::Snowflake, "snowflake"),
        (Dialect::BigQuery, "bigquery"),
    ];
    for (dialect, name) in ready {
        sqlglot::assert_parses(&sql(dialect), name);
    }
}

/// BigQuery writes no white space but the plain space and the line breaks
/// that lay the query out literally: Unicode spaces are `chr(N)`, since
/// DuckDB (which runs the translated BigQuery queries in the tests)
/// rewrites them wherever an apostrophe in a comment misleads it.
#[test]
fn bigquery_writes_unicode_spaces_by_code_point() {
    let text = "fields {\n  t: text\n}\nwhen t == \"a\u{a0}b\u{2003}c\" add 1 \"it's odd\"\n";
    let compiled = tally::compile(&Source::new("spaces.tally", text));
    let model = compiled.model.unwrap();
    let sql = compile_sql(&model, &SqlOptions::new(Dialect::BigQuery)).unwrap();
    let odd: Vec<char> = sql
        .chars()
        .filter(|c| c.is_whitespace() && !matches!(c, ' ' | '\n'))
        .collect();
    assert!(odd.is_empty(), "{odd:?} in\n{sql}");
    assert!(
        sql.contains("chr(160)") && sql.contains("chr(8195)"),
        "{sql}"
    );
}

/// Every model in the repository that checks cleanly (docs cases, format
/// cases, examples, conformance models) compiles to every dialect to a
/// query or to diagnostics, never a panic; so do a 10,000-rule model and
/// deeply nested expressions, in linear-sized SQL.
#[test]
fn every_model_compiles_or_is_refused_without_panicking() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in [
        "examples",
        "tests/fmt",
        "tests/diagnostics",
        "tests/diagnostics_sql",
        "tests/conformance",
        "bench",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            match path.extension().and_then(|e| e.to_str()) {
                Some("tally") => texts.push(text),
                Some("case") => {
                    if let Some(model) = text.split("--- model\n").nth(1) {
                        texts.push(model.split("\n--- ").next().unwrap().to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let mut big = String::from("fields {\n  n: number\n  t: text\n}\n");
    for i in 0..10_000 {
        big.push_str(&format!(
            "when n > {i} and t in [a, b, \"c{i}\"] add {i} \"r{i}\"\n"
        ));
    }
    texts.push(big);
    let nested = format!("{}n{}", "max(1, ".repeat(40), ")".repeat(40));
    texts.push(format!(
        "fields {{\n  n: number\n}}\nwhen n > 0 add {nested}\n"
    ));
    let mut compiled_count = 0;
    for text in &texts {
        let Some(model) = tally::compile(&Source::new("m.tally", text.as_str())).model else {
            continue;
        };
        for dialect in Dialect::ALL {
            match compile_sql(&model, &SqlOptions::new(dialect)) {
                Ok(sql) => {
                    compiled_count += 1;
                    assert!(
                        sql.len() < 40 * text.len() + 20_000,
                        "{} bytes of SQL",
                        sql.len()
                    );
                }
                Err(errors) => assert!(!errors.is_empty()),
            }
        }
    }
    assert!(compiled_count > 20, "only {compiled_count} queries");
}

/// An escaped `+` followed by `?` is a literal plus made optional (greedy),
/// not the lazy quantifier `+?` that POSIX lacks: Snowflake gets the
/// pattern as written, and sqlglot reads the query.
#[test]
fn snowflake_takes_an_escaped_plus_before_a_greedy_question_mark() {
    let text =
        "fields {\n  phone: text\n}\nwhen phone matches \"^\\\\+?1\" add 1 \"North America\"\n";
    let compiled = tally::compile(&Source::new("phone.tally", text));
    let model = compiled.model.unwrap();
    let sql = compile_sql(&model, &SqlOptions::new(Dialect::Snowflake)).unwrap();
    let rule = sql.lines().find(|l| l.contains("REGEXP_INSTR")).unwrap();
    insta::assert_snapshot!(rule.trim());
    sqlglot::assert_parses(&sql, "snowflake");
}

/// Only the text fields that something compares are folded: `id` (read
/// only by `required`), `email` (only `matches` and `is missing`, which see
/// the text as written) are not; `title` is, once, though two rules and
/// the ladder read it. In DuckDB the row's error is its own layer, which
/// the outputs read; `tally_input` keeps a copy for the events' queries.
#[test]
fn only_compared_text_is_folded_and_the_error_is_a_layer_of_its_own() {
    let text = "fields {\n  id: text required\n  email: text\n  title: text\n}\n\
        when email matches \"@x[.]com$\" add 1 \"x\"\nwhen email is missing sub 1 \"none\"\n\
        when title == \"ceo\" add 5 \"ceo\"\nwhen title contains \"vp\" add 3 \"vp\"\n\
        if title starts with \"c\" then C\nelse O\n";
    let compiled = tally::compile(&Source::new("fold.tally", text));
    let model = compiled.model.unwrap();
    for dialect in Dialect::ALL {
        let sql = compile_sql(&model, &SqlOptions::new(dialect)).unwrap();
        let folds = |name: &str| {
            let input = format!("tally_input.{}", dialect.ident(name));
            sql.matches(&format!("lower({input})")).count()
                + sql
                    .matches(&format!("(tally_input.{})", dialect.ident(name)))
                    .count()
        };
        let layer = sql.split("tally_folded").count();
        assert!(layer > 3, "{dialect:?}: {sql}");
        for unused in ["id", "email"] {
            let folded = format!("tally_folded.{}", dialect.ident(unused));
            assert!(!sql.contains(&folded), "{dialect:?}: {sql}");
        }
        assert!(folds("title") > 0, "{dialect:?}: {sql}");
        assert_eq!(folds("id"), 0, "{dialect:?}: {sql}");
        assert_eq!(folds("email"), 0, "{dialect:?}: {sql}");
    }
    let duckdb = compile_sql(&model, &SqlOptions::new(Dialect::DuckDb)).unwrap();
    assert!(
        duckdb.contains("\n  tally_checks.tally_error,\n"),
        "{duckdb}"
    );
    assert!(
        duckdb.contains("\"tally_error\" := tally_checks.tally_error\n"),
        "{duckdb}"
    );
    let postgres = compile_sql(&model, &SqlOptions::new(Dialect::Postgres)).unwrap();
    assert!(!postgres.contains("tally_checks"), "{postgres}");
}
