#!/usr/bin/env python3
"""Score a lead file in DuckDB with the query `tally sql` compiles.

    python bench/duckdb_tally_sql.py TALLY MODEL LEADS.csv --as-of 2026-11-22 -o OUT.csv
    python bench/duckdb_tally_sql.py TALLY MODEL LEADS.csv --events activity=EVENTS.csv ...

Runs `TALLY sql MODEL --dialect duckdb --as-of DATE`, puts the lead file
behind a view named `leads` with every column read as text (as Tally
reads cells), each events file behind a view of its source's name
(--events NAME=FILE), and writes the rows without a `tally_error` (the rows
Tally rejects are left out, as the hand-written peers do) with every
input column, then the model's outputs, as CSV. This is the benchmark's
answer to "how fast is the same model inside DuckDB, with no hand work".
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys

import duckdb


def literal(text: str) -> str:
    """The inside of a SQL string literal."""
    return text.replace("'", "''")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tally")
    parser.add_argument("model")
    parser.add_argument("leads")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--events", action="append", default=[],
                        metavar="NAME=FILE", help="an events source's file")
    args = parser.parse_args()

    query = subprocess.run(
        [args.tally, "sql", args.model, "--dialect", "duckdb",
         "--as-of", args.as_of.isoformat()],
        check=True, capture_output=True, text=True).stdout
    query = query.strip().rstrip(";")
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    tables = [("leads", args.leads)]
    for source in args.events:
        name, _, path = source.partition("=")
        if not path:
            sys.exit(f"{source!r}: write an events file as NAME=FILE")
        tables.append((name, path))
    for name, path in tables:
        con.execute(
            f"CREATE VIEW \"{name}\" AS SELECT * FROM read_csv("
            f"'{literal(path)}', header = true, all_varchar = true, "
            "quote = '\"', escape = '\"')")
    con.execute(
        f"COPY (SELECT * EXCLUDE (tally_error) FROM ({query}\n) "
        f"WHERE tally_error IS NULL) TO '{literal(args.output)}' (HEADER)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
