#!/usr/bin/env python3
"""Score a lead file with bench/duckdb_score.sql (bench/scale.tally by hand).

    python bench/duckdb_score.py LEADS.csv --as-of 2026-11-22 -o OUT.csv
    python bench/duckdb_score.py LEADS.csv --as-of 2026-11-22 -o OUT.csv \
        --sql bench/duckdb_accounts.sql   # bench/accounts.tally by hand

Writes every readable lead with all its input columns, then score, fit,
engagement and stage (and, for the accounts model, the four account
values), as CSV. Rows Tally would reject are left out. DuckDB uses all
cores unless --threads says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

import duckdb

SQL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "duckdb_score.sql")


def literal(text: str) -> str:
    """The inside of a SQL string literal."""
    return text.replace("'", "''")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--as-of", required=True,
                        type=dt.date.fromisoformat)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--sql", default=SQL,
                        help="the query, with @INPUT@, @OUTPUT@ and @AS_OF@")
    args = parser.parse_args()

    with open(args.sql, encoding="utf-8") as file:
        sql = (file.read()
               .replace("@INPUT@", literal(args.leads))
               .replace("@OUTPUT@", literal(args.output))
               .replace("@AS_OF@", args.as_of.isoformat()))
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    con.execute(sql)
    return 0


if __name__ == "__main__":
    sys.exit(main())
