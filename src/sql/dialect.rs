//! What differs between SQL engines: quoting, literals, types and the few
//! functions whose names or shapes vary. Everything else is standard SQL.

use crate::value::{Date, Decimal};

/// A SQL engine `tally sql` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    DuckDb,
    Postgres,
    Spark,
    BigQuery,
    Snowflake,
}

/// Decimal places DuckDB keeps (`DECIMAL(38, 10)`): 28 digits before the
/// point, as many as Tally's decimals hold, and 10 after it.
pub const DUCKDB_SCALE: u32 = 10;

impl Dialect {
    /// Every dialect, in the order the docs list them.
    pub const ALL: [Dialect; 5] = [
        Dialect::DuckDb,
        Dialect::Postgres,
        Dialect::Spark,
        Dialect::BigQuery,
        Dialect::Snowflake,
    ];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
            Dialect::BigQuery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// The engine's name as its makers write it, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Spark => "Spark",
            Dialect::BigQuery => "BigQuery",
            Dialect::Snowflake => "Snowflake",
        }
    }

    /// Whether `--explain` (the reasons column) is offered. Not in Spark:
    /// it merges the layers into one projection, which with the reasons
    /// grows past what its code generator compiles in reasonable time. Not
    /// in Snowflake: the reasons are joined with `concat_ws`, which skips
    /// missing parts elsewhere but is NULL there as soon as one part is.
    /// Not in BigQuery yet: its nested layers have no reasons column.
    pub fn has_reasons(self) -> bool {
        matches!(self, Dialect::DuckDb | Dialect::Postgres)
    }

    /// The dialect a name stands for.
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// An identifier, quoted so that any name (spaces, quotes, keywords)
    /// is taken literally.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            // BigQuery's quoted identifiers take the string escapes.
            Dialect::BigQuery => format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A column the query names itself (`score`, `rule_1`), as later
    /// layers refer to it. Layers define every column quoted; Snowflake
    /// upper-cases unquoted names, so it refers to them quoted too.
    pub fn own(self, name: &str) -> String {
        match self {
            Dialect::Snowflake => self.ident(name),
            _ => name.to_string(),
        }
    }

    /// A text literal. Only `'` needs doubling in standard strings; control
    /// characters are written with `chr()` so the SQL stays one token per
    /// line and a model's text can never end the literal early.
    pub fn text(self, value: &str) -> String {
        if self == Dialect::Spark {
            return spark_text(value);
        }
        // BigQuery: white space other than the plain space is written by
        // code point as well. A DuckDB pre-pass (which runs BigQuery
        // queries in the tests, translated by sqlglot) turns Unicode spaces
        // into plain ones outside what it takes for string literals, and
        // an apostrophe in a `/* */` comment makes it misjudge them.
        let by_code = |c: char| {
            c.is_control() || (self == Dialect::BigQuery && c.is_whitespace() && c != ' ')
        };
        let mut parts: Vec<String> = Vec::new();
        let mut plain = String::new();
        for c in value.chars() {
            if by_code(c) {
                if !plain.is_empty() {
                    parts.push(self.quote_plain(&std::mem::take(&mut plain)));
                }
                parts.push(format!("chr({})", u32::from(c)));
            } else {
                plain.push(c);
            }
        }
        if !plain.is_empty() || parts.is_empty() {
            parts.push(self.quote_plain(&plain));
        }
        if parts.len() == 1 {
            parts.join("")
        } else {
            // Bracketed: `||` binds no tighter than operators such as `~`.
            format!("({})", parts.join(" || "))
        }
    }

    fn quote_plain(self, value: &str) -> String {
        match self {
            // Backslash escapes are on in these engines' string literals.
            Dialect::Spark | Dialect::BigQuery => {
                format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            // Snowflake reads backslash escapes and doubled quotes.
            Dialect::Snowflake => {
                format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
            }
            _ => format!("'{}'", value.replace('\'', "''")),
        }
    }

    /// The exact decimal type numbers are held in.
    pub fn number_type(self) -> String {
        match self {
            Dialect::Postgres => "NUMERIC".to_string(),
            Dialect::Snowflake => format!("NUMBER(38, {DUCKDB_SCALE})"),
            Dialect::BigQuery => format!("BIGNUMERIC(38, {DUCKDB_SCALE})"),
            _ => format!("DECIMAL(38, {DUCKDB_SCALE})"),
        }
    }

    /// A number literal of the decimal type.
    pub fn number(self, value: Decimal) -> String {
        let plain = value.normalize().to_string();
        if self == Dialect::BigQuery {
            // A literal with a point is a FLOAT64 in BigQuery: from text.
            return format!("CAST('{plain}' AS {})", self.number_type());
        }
        format!("CAST({plain} AS {})", self.number_type())
    }

    /// A date literal.
    pub fn date(self, value: Date) -> String {
        format!("DATE '{}'", value.format("%Y-%m-%d"))
    }

    /// Whether `text` matches the (already translated) regex `pattern`.
    pub fn regex_match(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::Postgres => format!("({text} ~ {})", self.text(pattern)),
            Dialect::Spark => format!("({text} RLIKE {})", self.text(pattern)),
            // `REGEXP_LIKE` is anchored at both ends; `REGEXP_INSTR`
            // searches, as Rust's `is_match` does.
            Dialect::Snowflake => format!("(REGEXP_INSTR({text}, {}) > 0)", self.text(pattern)),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({text}, {})", self.text(pattern)),
            _ => format!("regexp_matches({text}, {})", self.text(pattern)),
        }
    }

    /// `text` without the characters of `chars` (Tally's white space,
    /// `read::WHITESPACE`) at either end.
    pub fn trim(self, text: &str, chars: &str) -> String {
        match self {
            Dialect::Postgres => format!("btrim({text}, {chars})"),
            Dialect::Spark => format!("trim(BOTH {chars} FROM {text})"),
            Dialect::Snowflake | Dialect::BigQuery => format!("trim({text}, {chars})"),
            // DuckDB's trim with a character set is slow (about 0.5 s per
            // million cells): call it only when an end of what the plain
            // `trim` leaves may still be white space. The plain `trim`
            // (fast) removes space separators (Unicode `Zs`), a subset of
            // Tally's white space; its result's ends are then not white
            // space when their code points lie in 14 to 132 (nearly every
            // cell), and `trim(text, chars)` is the plain one's result.
            // `[-1]` is the last code point, cheaper than `right`. A NULL
            // cell takes the plain arm (the test is NULL, not true).
            _ => {
                let plain = format!("trim({text})");
                format!(
                    "CASE WHEN ascii({plain}) NOT BETWEEN 14 AND 132 OR ascii({plain}[-1]) NOT BETWEEN 14 AND 132 THEN trim({text}, {chars}) ELSE {plain} END"
                )
            }
        }
    }

    /// `text`, known to be ASCII, without white space at either end: in
    /// ASCII text that is the six ASCII white space characters, a set
    /// DuckDB trims faster than the 25 of `WHITESPACE`; of those, the
    /// plain `trim` removes the space, the one most cells are padded
    /// with (see [`Dialect::trim`]). Other dialects trim as
    /// [`Dialect::trim`] does.
    pub fn trim_ascii(self, text: &str, chars: &str) -> String {
        match self {
            Dialect::DuckDb => {
                let plain = format!("trim({text})");
                format!(
                    "CASE WHEN ascii({text}) > 32 AND ascii({text}[-1]) > 32 THEN {text} WHEN ascii({plain}) > 13 AND ascii({plain}[-1]) > 13 THEN {plain} ELSE trim({text}, chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || ' ') END"
                )
            }
            _ => self.trim(text, chars),
        }
    }

    /// The integer in a run of ASCII digits (already checked to be one).
    pub fn digits_to_int(self, text: &str) -> String {
        self.try_cast(text, "INTEGER")
    }

    /// `text` contains `part` (both folded).
    pub fn contains(self, text: &str, part: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::BigQuery => format!("(strpos({text}, {part}) > 0)"),
            Dialect::Snowflake => format!("CONTAINS({text}, {part})"),
            _ => format!("contains({text}, {part})"),
        }
    }

    /// `text` ends with `part`.
    pub fn ends_with(self, text: &str, part: &str) -> String {
        match self {
            Dialect::Postgres => format!("(right({text}, length({part})) = {part})"),
            Dialect::Spark | Dialect::Snowflake => format!("endswith({text}, {part})"),
            _ => format!("ends_with({text}, {part})"),
        }
    }

    /// `text` starts with `part`.
    pub fn starts_with(self, text: &str, part: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Snowflake => format!("startswith({text}, {part})"),
            _ => format!("starts_with({text}, {part})"),
        }
    }

    /// The folded items of a list cell: split on `sep`, each trimmed of
    /// `ws` and folded (`fold`), empty items dropped.
    pub fn split_list(self, cell: &str, separator: &str, ws: &str) -> String {
        let sep = self.text(separator);
        match self {
            Dialect::Postgres => format!(
                "ARRAY(SELECT {} FROM unnest(string_to_array({cell}, {sep})) AS item WHERE btrim(item, {ws}) <> '')",
                self.fold("item", ws)
            ),
            // `split` takes a Java regex: every character of `sep` escaped.
            Dialect::Spark => format!(
                "filter(transform(split({cell}, {}), item -> {}), item -> item <> '')",
                self.text(&java_quote(separator)),
                self.fold("item", ws)
            ),
            // `SPLIT` takes the separator literally; the lambda's type
            // turns each VARIANT item into text. The white space set is
            // written out: it is a constant.
            Dialect::Snowflake => {
                let ws = format!("({})", super::read::whitespace(self));
                format!(
                    "FILTER(TRANSFORM(SPLIT({cell}, {sep}), item VARCHAR -> {}), item VARCHAR -> item <> '')",
                    self.fold("item", &ws)
                )
            }
            Dialect::BigQuery => format!(
                "ARRAY(SELECT {} FROM UNNEST(SPLIT({cell}, {sep})) AS item WHERE trim(item, {ws}) <> '')",
                self.fold("item", ws)
            ),
            _ => duckdb_split_list(cell, separator, &self.fold("item", ws)),
        }
    }

    /// Whether the list holds the text item (both present).
    pub fn list_has(self, list: &str, item: &str) -> String {
        match self {
            Dialect::Postgres => format!("({item} = ANY({list}))"),
            Dialect::Spark => format!("array_contains({list}, {item})"),
            Dialect::Snowflake => format!("ARRAY_CONTAINS(CAST({item} AS VARIANT), {list})"),
            Dialect::BigQuery => format!("({item} IN UNNEST({list}))"),
            _ => format!("list_contains({list}, {item})"),
        }
    }

    /// A text-array literal of folded items (never empty).
    pub fn text_array(self, items: &[String]) -> String {
        let items: Vec<String> = items.iter().map(|i| self.text(i)).collect();
        match self {
            Dialect::Postgres => format!("ARRAY[{}]::TEXT[]", items.join(", ")),
            Dialect::Spark => format!("array({})", items.join(", ")),
            Dialect::Snowflake => format!("ARRAY_CONSTRUCT({})", items.join(", ")),
            _ => format!("[{}]", items.join(", ")),
        }
    }

    /// Whether the list shares an item with the array.
    pub fn list_has_any(self, list: &str, array: &str) -> String {
        match self {
            Dialect::Postgres => format!("({list} && {array})"),
            Dialect::Spark => format!("arrays_overlap({list}, {array})"),
            // Bracketed: sqlglot, translating for the tests, spells it
            // with an unbracketed `OR`.
            Dialect::Snowflake => format!("(ARRAYS_OVERLAP({list}, {array}))"),
            Dialect::BigQuery => format!(
                "CASE WHEN {list} IS NOT NULL THEN EXISTS(SELECT 1 FROM UNNEST({list}) AS item WHERE item IN UNNEST({array})) END"
            ),
            _ => format!("list_has_any({list}, {array})"),
        }
    }

    /// Whether the list holds every item of the array.
    pub fn list_has_all(self, list: &str, array: &str) -> String {
        match self {
            Dialect::Postgres => format!("({list} @> {array})"),
            Dialect::Spark => format!("(size(array_except({array}, {list})) = 0)"),
            // `ARRAY_EXCEPT` removes one copy per match: distinct first.
            Dialect::Snowflake => {
                format!("(ARRAY_SIZE(ARRAY_EXCEPT(ARRAY_DISTINCT({array}), {list})) = 0)")
            }
            Dialect::BigQuery => format!(
                "CASE WHEN {list} IS NOT NULL THEN NOT EXISTS(SELECT 1 FROM UNNEST({array}) AS item WHERE item NOT IN UNNEST({list})) END"
            ),
            _ => format!("list_has_all({list}, {array})"),
        }
    }

    /// How many items the list has.
    pub fn list_len(self, list: &str) -> String {
        match self {
            Dialect::Postgres => format!("cardinality({list})"),
            // `size(NULL)` is -1 outside ANSI mode.
            Dialect::Spark => format!("CASE WHEN {list} IS NOT NULL THEN size({list}) END"),
            Dialect::Snowflake => format!("ARRAY_SIZE({list})"),
            Dialect::BigQuery => format!("ARRAY_LENGTH({list})"),
            _ => format!("len({list})"),
        }
    }

    /// `date ± n` units, months clamped to the month's end (both engines
    /// clamp); `amount` may be negative.
    pub fn shift_date(self, date: &str, amount: i64, unit: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("CAST({date} + INTERVAL '{amount} {unit}' AS DATE)")
            }
            // `add_months` clamps to the month's last day.
            Dialect::Spark => match unit {
                "MONTH" => format!("add_months({date}, {amount})"),
                "YEAR" => format!("add_months({date}, {})", amount.saturating_mul(12)),
                _ => format!("date_add({date}, {amount})"),
            },
            // `DATEADD` clamps months to the month's last day.
            Dialect::Snowflake => format!("DATEADD({unit}, {amount}, {date})"),
            // `DATE_ADD` clamps months to the month's last day.
            Dialect::BigQuery => format!("DATE_ADD({date}, INTERVAL {amount} {unit})"),
            _ => format!("CAST({date} + INTERVAL ({amount}) {unit} AS DATE)"),
        }
    }

    /// Whole days from `from` to `to`.
    pub fn days_between(self, from: &str, to: &str) -> String {
        match self {
            Dialect::Postgres => format!("({to} - {from})"),
            Dialect::Spark => format!("datediff({to}, {from})"),
            Dialect::Snowflake => format!("DATEDIFF(DAY, {from}, {to})"),
            Dialect::BigQuery => format!("DATE_DIFF({to}, {from}, DAY)"),
            _ => format!("date_diff('day', {from}, {to})"),
        }
    }

    /// `a / b` rounded half away from zero to 4 places, exactly; missing
    /// when `b` is zero. The quotient is truncated to 5 places with
    /// integer division, and rounding that truncation to 4 places gives the
    /// exact quotient's rounding (the 5th digit decides it). PostgreSQL,
    /// Snowflake and BigQuery; DuckDB and Spark divide in `arith.rs`.
    pub fn divide(self, a: &str, b: &str) -> String {
        let ty = self.number_type();
        match self {
            // No integer division: on magnitudes, `n - MOD(n, d)` is a
            // multiple of `d`, so dividing it truncates exactly (whatever
            // sign `MOD` gives negative operands). Each operand is used
            // more than once: long ones are bound once.
            Dialect::Snowflake | Dialect::BigQuery => {
                let int = if self == Dialect::Snowflake {
                    "NUMBER(38, 0)"
                } else {
                    "BIGNUMERIC(38, 0)"
                };
                let scaled = |x: &str| format!("CAST(({x}) * 10000000000 AS {int})");
                let step = if self == Dialect::Snowflake {
                    "0.00001".to_string()
                } else {
                    format!("CAST('0.00001' AS {ty})")
                };
                let (n, d) = (scaled(a), format!("NULLIF({}, 0)", scaled(b)));
                let body = |n: &str, d: &str| {
                    let top = format!("ABS({n}) * 100000");
                    format!(
                        "CAST(ROUND(CAST(SIGN({n}) * SIGN({d}) * (({top} - MOD({top}, ABS({d}))) / ABS({d})) AS {int}) * {step}, 4) AS {ty})"
                    )
                };
                if n.len() + d.len() <= 240 {
                    body(&n, &d)
                } else {
                    self.bind(&[n, d], &body("tally_args.a0", "tally_args.a1"))
                }
            }
            // PostgreSQL: `div` truncates `NUMERIC`s exactly.
            _ => format!("ROUND(div(({a}) * 100000, NULLIF({b}, 0)) * 0.00001, 4)"),
        }
    }

    /// `a * b` in the number type: PostgreSQL's `NUMERIC` as is, Snowflake
    /// and BigQuery cast back to 10 places; DuckDB and Spark multiply in
    /// `arith.rs`.
    pub fn multiply(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres => format!("({a} * {b})"),
            _ => format!("CAST({a} * {b} AS {})", self.number_type()),
        }
    }

    /// `round(a, places)`, half away from zero (both engines round
    /// decimals that way).
    pub fn round(self, a: &str, places: u32) -> String {
        match self {
            Dialect::Postgres => format!("ROUND({a}, {places})"),
            _ => format!("CAST(ROUND({a}, {places}) AS {})", self.number_type()),
        }
    }

    /// A cast that the caller has made safe; DuckDB's `TRY_CAST` also
    /// keeps a cast from failing where `CASE` branches are computed eagerly.
    pub fn try_cast(self, value: &str, ty: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST({value} AS {ty})"),
            // An explicit format: the session's `DATE_INPUT_FORMAT` may
            // be anything.
            Dialect::Snowflake if ty == "DATE" => format!("TRY_TO_DATE({value}, 'YYYY-MM-DD')"),
            Dialect::BigQuery => format!("SAFE_CAST({value} AS {ty})"),
            _ => format!("TRY_CAST({value} AS {ty})"),
        }
    }

    /// Today's date in UTC, as the interpreter's default `today` is.
    pub fn current_date(self) -> String {
        match self {
            Dialect::Postgres => "CAST(timezone('UTC', now()) AS DATE)".to_string(),
            Dialect::Snowflake => {
                "CAST(CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP()) AS DATE)".to_string()
            }
            Dialect::BigQuery => "CURRENT_DATE('UTC')".to_string(),
            Dialect::Spark => {
                "to_date(to_utc_timestamp(current_timestamp(), current_timezone()))".to_string()
            }
            _ => "CAST(timezone('UTC', current_timestamp) AS DATE)".to_string(),
        }
    }

    /// `a % b` for integers.
    pub fn modulo(self, a: &str, b: u32) -> String {
        match self {
            Dialect::BigQuery => format!("MOD({a}, {b})"),
            _ => format!("{a} % {b}"),
        }
    }

    /// `date` plus a whole number of days.
    pub fn add_days(self, date: &str, days: &str) -> String {
        match self {
            Dialect::BigQuery => format!("DATE_ADD({date}, INTERVAL {days} DAY)"),
            _ => format!("{date} + {days}"),
        }
    }

    /// What ends each layer's SELECT. PostgreSQL would pull a layer up
    /// into the next and copy its expressions into every use (the score
    /// would recompute every rule for each ladder line); `OFFSET 0` keeps
    /// each layer computed once per row.
    /// How each one-row layer joins the ones before it: Snowflake
    /// writes lateral inline views after a comma.
    pub fn lateral_join(self) -> &'static str {
        match self {
            Dialect::Snowflake => ", LATERAL",
            _ => "CROSS JOIN LATERAL",
        }
    }

    /// How the constants join the table.
    pub fn cross_join(self) -> &'static str {
        match self {
            Dialect::Snowflake => ", ",
            _ => "CROSS JOIN ",
        }
    }

    pub fn layer_fence(self) -> &'static str {
        match self {
            Dialect::Postgres => "\n  OFFSET 0",
            _ => "",
        }
    }

    /// The text type casts name.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Spark | Dialect::BigQuery => "STRING",
            _ => "VARCHAR",
        }
    }

    /// What comes before the query: Spark would otherwise drop decimal
    /// places to keep precision (`DECIMAL(38, 10) + DECIMAL(38, 10)` is
    /// `DECIMAL(38, 9)` by default) and turn overflows into NULL.
    pub fn preamble(self) -> &'static str {
        match self {
            Dialect::Spark => {
                "SET spark.sql.decimalOperations.allowPrecisionLoss = false;\nSET spark.sql.ansi.enabled = true;\n"
            }
            _ => "",
        }
    }

    /// `body` over `values` bound once each to `tally_args.a0`, ….
    pub fn bind(self, values: &[String], body: &str) -> String {
        match self {
            // Spark refuses correlated scalar subqueries without an
            // aggregate; a one-element `transform` binds instead.
            Dialect::Spark => {
                let fields: Vec<String> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("'a{i}', {v}"))
                    .collect();
                format!(
                    "transform(array(named_struct({})), tally_args -> {body})[0]",
                    fields.join(", ")
                )
            }
            // Snowflake runs a correlated scalar subquery only when it
            // surely gives one row: an aggregate over the one row.
            Dialect::Snowflake => {
                let columns: Vec<String> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("{v} AS a{i}"))
                    .collect();
                format!(
                    "(SELECT ANY_VALUE({body}) FROM (SELECT {}) AS tally_args)",
                    columns.join(", ")
                )
            }
            // A lambda over a one-item list: DuckDB decorrelates a scalar
            // subquery with a join over the whole row; over an events join
            // (`min(sum(…) / 60, 10)`) its planner ran out of memory (24 GB)
            // before reading a row, and on a chain of a dozen products
            // nested as many subqueries, out of 4 GB.
            Dialect::DuckDb => {
                let fields: Vec<String> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("'a{i}': {v}"))
                    .collect();
                format!(
                    "list_transform([{{{}}}], lambda tally_args: {body})[1]",
                    fields.join(", ")
                )
            }
            _ => {
                let columns: Vec<String> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("{v} AS a{i}"))
                    .collect();
                format!(
                    "(SELECT {body} FROM (SELECT {}) AS tally_args)",
                    columns.join(", ")
                )
            }
        }
    }

    /// `text` with every `from` replaced by `to` (both plain text).
    pub fn replace(self, text: &str, from: &str, to: &str) -> String {
        format!("replace({text}, {}, {})", self.text(from), self.text(to))
    }

    /// What the one capturing group of `pattern` matched in `text` (the
    /// caller has checked that the whole pattern matches).
    pub fn regex_group(self, text: &str, pattern: &str) -> String {
        let pattern = self.text(pattern);
        match self {
            Dialect::Postgres => format!("substring({text} from {pattern})"),
            Dialect::Snowflake => format!("REGEXP_SUBSTR({text}, {pattern}, 1, 1, 'e', 1)"),
            Dialect::BigQuery => format!("REGEXP_EXTRACT({text}, {pattern})"),
            _ => format!("regexp_extract({text}, {pattern}, 1)"),
        }
    }

    /// A decimal as text in plain notation without trailing zeros (`20`,
    /// `2.5`), as `tally score` writes numbers.
    pub fn plain_number(self, number: &str) -> String {
        let group = match self {
            Dialect::Spark => "$1",
            _ => "\\1",
        };
        let text = format!("CAST({number} AS {})", self.text_type());
        let group = self.text(group);
        let fraction = format!("regexp_replace({text}, '([.][0-9]*[1-9])0+$', {group})");
        format!("regexp_replace({fraction}, '[.]0+$', '')")
    }
}

/// DuckDB's list items. Each item is folded (trimmed once: a folded
/// item is empty exactly when its trimmed text is), then empty ones are
/// dropped. An ASCII cell split on one ASCII character that is neither a
/// letter nor white space takes a cheaper path (a sixth of the time on
/// the benchmark): `lower` on the whole cell folds every item at once
/// (it changes letters only, so never the separator), and splitting on
/// the separator with the ASCII white space around it trims each item
/// (the white space and the separator are disjoint, so each separator
/// is one split, as in `string_split`).
fn duckdb_split_list(cell: &str, separator: &str, fold_item: &str) -> String {
    let d = Dialect::DuckDb;
    let sep = d.text(separator);
    let per_item = format!(
        "list_filter(list_transform(string_split({cell}, {sep}), lambda item: {fold_item}), lambda item: item <> '')"
    );
    let mut chars = separator.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return per_item;
    };
    let literal = if c.is_ascii_punctuation() {
        format!("\\{c}")
    } else if c.is_ascii_digit() {
        c.to_string()
    } else {
        return per_item;
    };
    let ws = "[\\t\\n\\x0b\\x0c\\r ]*";
    let pattern = d.text(&format!("{ws}{literal}{ws}"));
    format!(
        "CASE WHEN strlen({cell}) = length({cell}) THEN list_filter(regexp_split_to_array(lower({cell}), {pattern}), lambda item: item <> '') ELSE {per_item} END"
    )
}

/// A Spark string literal: backslash escapes, `\uXXXX` for control
/// characters, so the literal stays on one line.
fn spark_text(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A Java regex matching `text` literally: every character that is not a
/// letter or digit escaped (Java allows escaping any of those).
fn java_quote(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regex path only where lower-casing the whole cell cannot touch
    /// the separator and the white space around it cannot be part of it.
    #[test]
    fn duckdb_splits_ascii_cells_whole_only_on_safe_separators() {
        let split = |sep: &str| Dialect::DuckDb.split_list("c", sep, "ws");
        assert!(split(";").contains(
            r"regexp_split_to_array(lower(c), '[\t\n\x0b\x0c\r ]*\;[\t\n\x0b\x0c\r ]*')"
        ));
        assert!(split("0")
            .contains(r"regexp_split_to_array(lower(c), '[\t\n\x0b\x0c\r ]*0[\t\n\x0b\x0c\r ]*')"));
        for sep in ["x", "X", " ", "\t", "; ", "é", "\u{1}"] {
            assert!(
                split(sep).starts_with("list_filter(list_transform(string_split(c, "),
                "{sep:?}"
            );
        }
    }

    /// DuckDB binds with a lambda, never a correlated subquery (its
    /// planner ran out of memory on one over the events join); PostgreSQL
    /// keeps the subquery.
    #[test]
    fn duckdb_binds_with_a_lambda_postgres_with_a_subquery() {
        let values = ["x + 1".to_string(), "y".to_string()];
        let body = "LEAST(tally_args.a0, tally_args.a1)";
        assert_eq!(
            Dialect::DuckDb.bind(&values, body),
            "list_transform([{'a0': x + 1, 'a1': y}], lambda tally_args: LEAST(tally_args.a0, tally_args.a1))[1]"
        );
        assert_eq!(
            Dialect::Postgres.bind(&values, body),
            "(SELECT LEAST(tally_args.a0, tally_args.a1) FROM (SELECT x + 1 AS a0, y AS a1) AS tally_args)"
        );
    }
}
