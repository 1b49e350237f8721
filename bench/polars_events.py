#!/usr/bin/env python3
"""Score leads with their events with Polars: bench/events.tally by hand.

    python bench/polars_events.py LEADS.csv EVENTS.csv --as-of 2026-11-22 -o OUT.csv

Exactly Tally's semantics, as the DuckDB version
(bench/duckdb_events.sql) has them:

- leads are read as bench/polars_score.py reads them (its helpers are
  used); every input column is written back as is;
- an event belongs to the lead whose lead_id equals its key folded
  (trimmed, lower-cased); an empty or blank key belongs to no lead;
- an event whose time is missing or unreadable, or whose minutes are
  unreadable, is rejected: nothing sees it;
- an event's time is its date or its RFC 3339 date-time's UTC date;
  events after the as-of date are ignored; `within N days` is
  `as_of - N <= at <= as_of`;
- a decayed contribution is rounded half away from zero to 4 places,
  once per event, before summing: half-life in double precision
  (2^(-age/D)), linear and `50% every` exactly (integers in units of
  0.0001); `every 1 month` counts whole calendar months; an `each` sum is
  limited to its max in absolute value; a division rounds half away
  from zero to 4 places.

Points are summed as Int64 in units of 0.0001: exact. Lazy: the events
are aggregated per key, joined to the leads, and the result streamed out
with sink_csv. Polars uses all cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal

import polars as pl

from polars_score import (fold, points, present, read_bool, read_date,
                          read_int, read_number, unreadable)

UNIT = 10_000  # points are counted in units of 0.0001


def div_half_away(num: pl.Expr, den: int) -> pl.Expr:
    """num / den (den > 0) rounded half away from zero to a whole number."""
    return num.sign() * ((2 * num.abs() + den) // (2 * den))


def halve(units: int, k: pl.Expr) -> pl.Expr:
    """units × 2^-k rounded half away from zero (units >= 0): exact."""
    return (pl.when(k > 60).then(0)
            .otherwise((2 * units + pl.lit(2, pl.Int64).pow(k))
                       // pl.lit(2, pl.Int64).pow(k + 1)))


def months_since(d: pl.Expr, today: dt.date) -> pl.Expr:
    """Whole calendar months from d to today (language section 5)."""
    return ((12 * today.year + today.month) - (12 * d.dt.year() + d.dt.month())
            - (d.dt.day() > today.day).cast(pl.Int64))


def events(lf: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Per lead key, every aggregate and `each` sum the model uses."""
    lf = lf.select(
        key=fold("lead_id"), at=read_date("at"), kind=fold("kind"),
        page=fold("page"), minutes=read_number("minutes"),
        minutes_unreadable=unreadable("minutes", read_number("minutes")),
    ).filter(
        pl.col("at").is_not_null() & ~pl.col("minutes_unreadable")
        & (pl.col("at") <= as_of) & (pl.col("key") != "")
    ).with_columns(
        age=(pl.lit(as_of) - pl.col("at")).dt.total_days(),
        m4=(pl.col("minutes") * UNIT).cast(pl.Int64),
    )
    kind, age, page = pl.col("kind"), pl.col("age"), pl.col("page")
    lf = lf.with_columns(
        # each pricing_view add 4 decay half-life 14 days
        c_pricing=pl.when(kind == "pricing_view").then(
            (4 * UNIT * pl.lit(2.0).pow(-age / 14.0))
            .round(0, mode="half_away_from_zero").cast(pl.Int64)),
        # each email_click within 90 days add 2 decay linear 60 days
        c_clicks=pl.when((kind == "email_click") & (age <= 90)).then(
            div_half_away(2 * UNIT * pl.max_horizontal(60 - age, 0), 60)),
        # each demo_request add 20 decay 50% every 1 month
        c_demo=pl.when(kind == "demo_request").then(
            halve(20 * UNIT, months_since(pl.col("at"), as_of))),
        # each webinar within 180 days add minutes * 0.2 decay linear 90
        # days (minutes * 0.2 is 2 * m4 in units of 0.00001)
        c_webinar=pl.when((kind == "webinar") & (age <= 180)).then(
            div_half_away(2 * pl.col("m4") * pl.max_horizontal(90 - age, 0),
                          900)),
    )
    at, m4 = pl.col("at"), pl.col("m4")
    return lf.group_by("key").agg(
        __n_webinars_90=((kind == "webinar") & (age <= 90)).sum().cast(pl.Int64),
        __any_demo_30=((kind == "demo_request") & (age <= 30)).any(),
        __pages=page.filter((kind == "page_view") & page.is_not_null())
        .n_unique(),
        __minutes_365=m4.filter(age <= 365).sum(),
        __max_webinar=m4.filter(kind == "webinar").max(),
        __min_webinar_180=m4.filter((kind == "webinar") & (age <= 180)).min(),
        __last_pricing=at.filter(kind == "pricing_view").max(),
        __first_at=at.min(),
        __last_at=at.max(),
        __sum_pricing=pl.col("c_pricing").sum(),
        __sum_clicks=pl.col("c_clicks").sum(),
        __sum_demo=pl.col("c_demo").sum(),
        __sum_webinar=pl.col("c_webinar").sum(),
        __n_careers=((kind == "page_view") & (page == "careers")).sum()
        .cast(pl.Int64),
    ).rename({"key": "__key"})


def score(leads: pl.LazyFrame, agg: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    lf = leads.with_columns(
        __key=fold("lead_id"), __title=fold("Job Title"),
        __industry=fold("industry"), __country=fold("country"),
        __employees=read_int("employees"), __demo=read_bool("clicked_demo"),
        __unsub=read_bool("unsubscribed"), __activity=read_date("last_activity"),
    ).filter(
        present("lead_id").is_not_null()
        & ~unreadable("employees", pl.col("__employees"))
        & ~unreadable("clicked_demo", pl.col("__demo"))
        & ~unreadable("unsubscribed", pl.col("__unsub"))
        & ~unreadable("last_activity", pl.col("__activity"))
    ).join(agg, on="__key", how="left")

    def c(name: str) -> pl.Expr:
        return pl.col(name)

    def since(days: int) -> dt.date:
        return as_of - dt.timedelta(days=days)

    fit_sum = UNIT * pl.sum_horizontal(
        points(c("__title").is_in(["ceo", "cto", "cfo", "vp",
                                   "chief revenue officer", "founder",
                                   "head of sales"]), 20),
        points(c("__industry").is_in(["technology", "software", "saas",
                                      "financial services"]), 15),
        points(c("__employees").is_between(50, 1000), 10),
        points(c("__country").is_in(["us", "uk", "ca", "de", "fr", "nl"]), 5),
    )
    minutes = c("__minutes_365").fill_null(0)
    demo_age = ((pl.lit(as_of) - c("__activity")).dt.total_days()
                .clip(lower_bound=0))
    engagement_sum = pl.sum_horizontal(
        points(c("__n_webinars_90").fill_null(0) >= 2, 10 * UNIT),
        points(c("__any_demo_30").fill_null(False), 15 * UNIT),
        points(c("__pages").fill_null(0) >= 5, 5 * UNIT),
        points(minutes > 0, pl.min_horizontal(div_half_away(minutes, 60),
                                              10 * UNIT)),
        points(c("__max_webinar") >= 60 * UNIT, 3 * UNIT),
        points(c("__min_webinar_180") < 10 * UNIT, -2 * UNIT),
        points(c("__last_pricing") >= since(7), 4 * UNIT),
        points(c("__first_at").is_not_null()
               & ~(c("__first_at") >= since(365)), 3 * UNIT),
        points(c("__last_at").is_null() | ~(c("__last_at") >= since(60)),
               -15 * UNIT),
        points(c("__demo") & c("__activity").is_not_null(),
               halve(10 * UNIT, demo_age // 14)),
    )
    # top level: the each rules (tally at 16deaa2 does not accept them in
    # a group), each sum limited to its max in absolute value
    top_sum = pl.sum_horizontal(
        pl.min_horizontal(c("__sum_pricing").fill_null(0), 20 * UNIT),
        pl.min_horizontal(c("__sum_clicks").fill_null(0), 10 * UNIT),
        pl.min_horizontal(c("__sum_demo").fill_null(0), 30 * UNIT),
        c("__sum_webinar").fill_null(0).clip(-20 * UNIT, 20 * UNIT),
        -pl.min_horizontal(3 * UNIT * c("__n_careers").fill_null(0), 9 * UNIT),
        points(c("__unsub"), -20 * UNIT),
    )
    lf = lf.with_columns(__fit=fit_sum.clip(upper_bound=50 * UNIT),
                         __engagement=engagement_sum.clip(-20 * UNIT, 70 * UNIT)
                         ).with_columns(
        __score=(c("__fit") + c("__engagement") + top_sum).clip(0, 100 * UNIT))
    stage = (pl.when(c("__unsub")).then(pl.lit("Disqualified"))
             .when((c("__score") >= 60 * UNIT) & (c("__fit") >= 30 * UNIT))
             .then(pl.lit("SQL"))
             .when(c("__score") >= 35 * UNIT).then(pl.lit("MQL"))
             .when(c("__score") >= 10 * UNIT).then(pl.lit("Lead"))
             .otherwise(pl.lit("Nurture")))

    def decimal(name: str) -> pl.Expr:
        return (c(name).cast(pl.Decimal(18, 0))
                * pl.lit(Decimal("0.0001"), pl.Decimal(5, 4)))

    return lf.select(~pl.selectors.starts_with("__"),
                     decimal("__score").alias("score"),
                     decimal("__fit").alias("fit"),
                     decimal("__engagement").alias("engagement"),
                     stage.alias("stage"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads")
    parser.add_argument("events")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    args = parser.parse_args()

    leads = pl.scan_csv(args.leads, infer_schema=False, quote_char='"')
    activity = pl.scan_csv(args.events, infer_schema=False, quote_char='"')
    score(leads, events(activity, args.as_of), args.as_of).sink_csv(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
