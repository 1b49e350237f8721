//! Compiling a checked model to one SQL query that scores a table inside
//! an engine, with the interpreter's exact results (docs/sql.md).
//!
//! Consumes the checked model (and the plan, for which fields are read);
//! never the interpreter or the readers. What a dialect cannot express
//! exactly is an error with a span, not approximate SQL.

mod accounts;
mod arith;
mod dialect;
mod error;
mod events;
mod expr;
mod fold;
mod lead_sets;
mod nested;
mod query;
mod read;
mod read_local;
mod regex;

pub use dialect::Dialect;
pub use error::SqlError;

use crate::check::model::Model;
use crate::value::Date;

/// What to compile for.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlOptions {
    pub dialect: Dialect,
    /// The table scored (`leads`); dots separate schema and table names.
    pub table: String,
    /// The as-of date; `None` uses the engine's current date.
    pub as_of: Option<Date>,
    /// Add `reasons`: the fired rules with their signed points, in file
    /// order, as `tally score --explain` writes them in CSV.
    pub explain: bool,
    /// `(source, table)`: the table an events source is read from, when
    /// not the table of its name (`--events-table NAME=T`).
    pub events_tables: Vec<(String, String)>,
}

impl SqlOptions {
    /// Options for `dialect` over table `leads`, as of the engine's today.
    pub fn new(dialect: Dialect) -> SqlOptions {
        SqlOptions {
            dialect,
            table: "leads".to_string(),
            as_of: None,
            explain: false,
            events_tables: Vec::new(),
        }
    }
}

/// The query that scores `options.table` with `model`: every input column,
/// then `tally_error`, `score`, each group, `stage`, each tier (and
/// `reasons` with `explain`).
pub fn compile_sql(model: &Model, options: &SqlOptions) -> Result<String, Vec<SqlError>> {
    let dialect = options.dialect;
    if options.explain && !dialect.has_reasons() {
        let span = model.fields.first().map(|f| f.span).unwrap_or_default();
        let name = dialect.title();
        return Err(vec![SqlError::Unsupported {
            dialect: dialect.name().to_string(),
            what: "`--explain` (the reasons column)".to_string(),
            span: span.into(),
            help: Some(format!(
                "score without `--explain` in {name}, or use duckdb or postgres for reasons"
            )),
        }]);
    }
    let plan = crate::plan::compile(model);
    let used: Vec<bool> = plan.fields.iter().map(|f| f.used).collect();
    let mut writer = expr::Writer {
        dialect,
        model,
        errors: Vec::new(),
        source: None,
        faults: Vec::new(),
        lead_reads: Vec::new(),
    };
    let sql = query::build(&mut writer, options, &used);
    let mut errors = writer.errors;
    errors.extend(name_limits(model, dialect));
    if errors.is_empty() {
        Ok(sql)
    } else {
        Err(errors)
    }
}

/// PostgreSQL truncates identifiers past 63 bytes, which could make two
/// names one; refuse such names instead.
fn name_limits(model: &Model, dialect: Dialect) -> Vec<SqlError> {
    const LIMIT: usize = 63;
    if dialect != Dialect::Postgres {
        return Vec::new();
    }
    let names = model
        .fields
        .iter()
        .flat_map(|f| [(&f.name, f.span), (&f.column, f.span)])
        .chain(
            (model.events.iter().flat_map(|s| &s.fields))
                .flat_map(|f| [(&f.name, f.span), (&f.column, f.span)]),
        )
        .chain(model.groups.iter().map(|g| (&g.name, g.span)))
        .chain(model.tiers.iter().map(|t| (&t.name, t.span)));
    // An account value names a layer's column and, as `account.NAME`, an
    // output column.
    let outputs: Vec<(String, crate::span::Span)> = (model.account.iter())
        .flat_map(|a| &a.values)
        .map(|v| (format!("account.{}", v.name), v.span))
        .collect();
    let names = names.chain(outputs.iter().map(|(n, s)| (n, *s)));
    let mut errors: Vec<SqlError> = Vec::new();
    for (name, span) in names {
        if name.len() > LIMIT {
            let error = SqlError::Unsupported {
                dialect: dialect.name().to_string(),
                what: format!("the name `{name}`, longer than {LIMIT} bytes,"),
                span: span.into(),
                help: Some(
                    "PostgreSQL cuts identifiers at 63 bytes: use a shorter name".to_string(),
                ),
            };
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
    }
    errors
}
