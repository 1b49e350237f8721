#!/usr/bin/env python3
"""Score a lead file with Polars: bench/scale.tally written by hand.

    python bench/polars_score.py LEADS.csv --as-of 2026-11-22 -o OUT.csv

Exactly Tally's semantics (docs/language.md), as the DuckDB
version (bench/duckdb_score.sql) has them:

- the input is read as text; every input column is written back as is;
- a cell is missing when empty; text compares trimmed (Unicode white
  space, as Tally) and lower-cased; `matches` sees the text as written;
- numbers are exact decimals (Decimal(18, 4); a value with more than 4
  decimals stops the run rather than being rounded); ints refuse a fraction;
- bools are `true false yes no y n 1 0 t f`, any case;
- dates are YYYY-MM-DD, or an RFC 3339 date-time whose UTC date is taken;
- lists split on `;`, items trimmed, empty items dropped;
- a row with a value that cannot be read is left out (Tally rejects it);
- three-valued logic: Polars' null is Tally's missing (`&`, `|` and `~`
  are Kleene's, as SQL's), and `when(null)` adds nothing.

Lazy and streaming: scan_csv, one select, sink_csv. Polars uses all cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal

import polars as pl

DECIMAL = pl.Decimal(18, 4)
MONEY = r"^([+-]?[0-9]+(?:\.[0-9]+)?)$"
WHOLE = r"^([+-]?[0-9]+)(?:\.0+)?$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_TIME = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:"
             r"([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
TRUE = ["true", "yes", "y", "1", "t"]
FALSE = ["false", "no", "n", "0", "f"]


def present(name: str) -> pl.Expr:
    """A text cell, null when empty."""
    col = pl.col(name)
    return pl.when(col != "").then(col)


def fold(name: str) -> pl.Expr:
    return present(name).str.strip_chars().str.to_lowercase()


def trimmed(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars()


def read_int(name: str) -> pl.Expr:
    return trimmed(name).str.extract(WHOLE, 1).str.to_integer(strict=True)


def read_number(name: str) -> pl.Expr:
    text = trimmed(name).str.extract(MONEY, 1)
    # Decimal(18, 4) would round a longer fraction: refuse to run instead
    # (to_integer fails on the message, and the error shows it).
    too_long = (pl.when(text.str.split(".").list.get(1, null_on_oob=True)
                        .str.len_chars() > 4)
                .then(pl.lit(f"{name} has more than 4 decimals"))
                .otherwise(pl.lit("0"))
                .str.to_integer(strict=True))
    return text.cast(DECIMAL, strict=True) + too_long


def read_bool(name: str) -> pl.Expr:
    low = trimmed(name).str.to_lowercase()
    return pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False)


def read_date(name: str) -> pl.Expr:
    """YYYY-MM-DD (a real day, year 1 or later), or the UTC date of an
    RFC 3339 date-time; null if neither."""
    text = trimmed(name)
    day = text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)

    def number(start: int, length: int) -> pl.Expr:
        return text.str.slice(start, length).cast(pl.Int32, strict=False)

    offset = (pl.when(text.str.ends_with("Z") | text.str.ends_with("z")).then(0)
              .otherwise(pl.when(text.str.slice(-6, 1) == "+").then(1).otherwise(-1)
                         * (number(-5, 2) * 60 + number(-2, 2))))
    minutes = number(11, 2) * 60 + number(14, 2) - offset
    shift = pl.when(minutes < 0).then(-1).when(minutes >= 1440).then(1).otherwise(0)
    return (pl.when(text < "0001").then(None)
            .when(text.str.contains(DATE)).then(day)
            .when(text.str.contains(DATE_TIME))
            .then(day + pl.duration(days=shift)))


def read_list(name: str) -> pl.Expr:
    text = trimmed(name)
    items = (text.str.to_lowercase().str.split(";")
             .list.eval(pl.element().str.strip_chars())
             .list.filter(pl.element() != ""))
    return pl.when(text != "").then(items)


def points(condition: pl.Expr, value) -> pl.Expr:
    """A rule: its points when the condition is true, else 0."""
    return pl.when(condition).then(value).otherwise(0)


def unreadable(name: str, value: pl.Expr) -> pl.Expr:
    return (trimmed(name).fill_null("") != "") & value.is_null()


def score(lf: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    title, industry = fold("Job Title"), fold("industry")
    country, source = fold("country"), fold("source")
    email, notes = present("email"), fold("notes")
    employees, revenue = read_int("employees"), read_number("revenue")
    pages, webinars = read_list("pages"), read_int("webinars")
    demo, unsub = read_bool("clicked_demo"), read_bool("unsubscribed")
    activity = read_date("last_activity")

    def within(days: int) -> pl.Expr:
        return pl.col("__activity").is_between(
            as_of - dt.timedelta(days=days), as_of)

    lf = lf.with_columns(
        __title=title, __industry=industry, __country=country,
        __source=source, __email=email, __notes=notes,
        __employees=employees, __revenue=revenue, __pages=pages,
        __webinars=webinars, __demo=demo, __unsub=unsub,
        __activity=activity,
    ).filter(
        present("lead_id").is_not_null()
        & ~unreadable("employees", pl.col("__employees"))
        & ~unreadable("revenue", pl.col("__revenue"))
        & ~unreadable("webinars", pl.col("__webinars"))
        & ~unreadable("clicked_demo", pl.col("__demo"))
        & ~unreadable("unsubscribed", pl.col("__unsub"))
        & ~unreadable("last_activity", pl.col("__activity"))
    )
    t, c, p = pl.col("__title"), pl.col("__country"), pl.col("__pages")
    icp_countries = ["us", "uk", "ca", "de", "fr", "nl"]
    fit_sum = pl.sum_horizontal(
        points(t.is_in(["ceo", "cto", "cfo", "vp", "chief revenue officer",
                        "founder", "head of sales"]), 20),
        points(t.str.contains("manager", literal=True), 8),
        points(t.str.starts_with("intern")
               | t.str.contains("student", literal=True), -15),
        points(pl.col("__industry").is_in(
            ["technology", "software", "saas", "financial services"]), 15),
        points(pl.col("__employees").is_between(50, 1000), 10),
        points(pl.col("__employees") > 5000, 5),
        points(pl.col("__revenue") >= 1, pl.min_horizontal(
            pl.col("__revenue") * pl.lit(Decimal("0.5")), pl.lit(15))),
        points(c.is_in(icp_countries), 5),
        points(~c.is_in(icp_countries), -5),
    )
    engagement_sum = pl.sum_horizontal(
        points(p.list.contains("pricing"), 15),
        points(p.list.eval(pl.element().is_in(
            ["demo", "trial", "contact-sales"])).list.any(), 10),
        points(p.list.len() >= 5, 5),
        points(pl.col("__webinars") > 0,
               pl.min_horizontal(5 * pl.col("__webinars"), pl.lit(20))),
        points(pl.col("__demo"), 25),
        points(pl.col("__unsub"), -20),
        points(p.list.contains("careers"), -10),
        points(within(30), 10),
        points(~within(180), -15),
    )
    top_sum = pl.sum_horizontal(
        points(pl.col("__email").str.contains(
            "(?i)@(gmail|yahoo|hotmail|outlook)[.]com$"), -10),
        points(pl.col("__notes").str.contains("budget", literal=True), 5),
        points(pl.col("__source") == "referral", 10),
        points(pl.col("__source").is_in(["paid-search", "paid-social",
                                         "display"]) & pl.col("__demo"), 5),
        points(pl.col("__email").is_null(), -5),
    )
    # group fit max 60; group engagement max 50 min -10; score max 100 min 0
    lf = lf.with_columns(fit=fit_sum.clip(upper_bound=60),
                         engagement=engagement_sum.clip(-10, 50)).with_columns(
        score=(pl.col("fit") + pl.col("engagement") + top_sum).clip(0, 100))
    stage = (pl.when(pl.col("__unsub")).then(pl.lit("Disqualified"))
             .when((pl.col("score") >= 70) & (pl.col("fit") >= 30))
             .then(pl.lit("SQL"))
             .when(pl.col("score") >= 40).then(pl.lit("MQL"))
             .when(pl.col("score") >= 15).then(pl.lit("Lead"))
             .otherwise(pl.lit("Nurture")))
    return lf.select(~pl.selectors.starts_with("__") - pl.selectors.by_name(
        "fit", "engagement", "score"), "score", "fit", "engagement",
        stage.alias("stage"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    args = parser.parse_args()

    lf = pl.scan_csv(args.leads, infer_schema=False, quote_char='"')
    score(lf, args.as_of).sink_csv(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
