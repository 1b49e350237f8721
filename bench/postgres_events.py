#!/usr/bin/env python3
"""Time queries `tally sql --dialect postgres` compiles for an events model
(bench/events.tally) in PostgreSQL, and show how each joins its events.

    python bench/postgres_events.py LEADS.csv EVENTS.csv QUERY.sql [QUERY.sql …] \
        [--runs 3] [--explain] [--timeout SECONDS] [--no-analyze]

Starts a throwaway PostgreSQL cluster (as bench/postgres_bench.py does:
Debian's server, fsync off, work_mem 256MB), loads LEADS.csv into a table
`leads` and EVENTS.csv into `activity`, both of TEXT columns, and
analyzes them (not with `--no-analyze`: the planner then has no
statistics, as right after a load before autovacuum ran). Then runs each query RUNS times, alternating, as `CREATE
TEMP TABLE … AS` (every row, `tally_error` too), and checks that all of
them give the same rows (`EXCEPT ALL` both ways). With `--explain`, prints
each query's join nodes from `EXPLAIN ANALYZE` (node, estimated and
actual rows, time) first. Prints each query's median wall time; a run
cut off by `--timeout` (PostgreSQL's statement_timeout) counts as that
many seconds and is marked `>`.

Write a query with `tally sql bench/events.tally --dialect postgres
--as-of 2026-11-22 > q.sql`; two builds' queries compare a change.
Needs psycopg (the engine tests' venv, target/test-env, has it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time

import psycopg

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postgres_bench import cluster, quote  # noqa: E402


def load(con, table: str, path: str, analyze: bool) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = ", ".join(f"{quote(c)} TEXT" for c in header)
        con.execute(f"CREATE TABLE {table} ({columns})")
        with con.cursor() as cur:
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
    if analyze:
        con.execute(f"VACUUM ANALYZE {table}")
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def joins(node: dict, depth: int = 0):
    """The join and aggregate nodes of a JSON plan, outermost first."""
    kind = node.get("Node Type", "")
    if "Join" in kind or "Nested Loop" in kind or kind == "Aggregate":
        yield depth, node
    for child in node.get("Plans", []):
        yield from joins(child, depth + 1)


def explain(con, name: str, query: str) -> None:
    try:
        plan = con.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query}").fetchone()[0]
    except psycopg.errors.QueryCanceled:
        print(f"{name}: cut off by --timeout")
        return
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]
    print(f"{name}: {top['Execution Time'] / 1000:.2f} s (EXPLAIN ANALYZE)")
    for depth, node in joins(top["Plan"]):
        cond = node.get("Hash Cond") or node.get("Join Filter") or node.get("Group Key") or ""
        print(f"  {'  ' * depth}{node['Node Type']} {node.get('Join Type', '')} "
              f"est {node['Plan Rows']} rows, actual {node['Actual Rows']} × {node['Actual Loops']}, "
              f"{node['Actual Total Time'] / 1000:.2f} s {str(cond)[:90]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads")
    parser.add_argument("events")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--timeout", type=int, default=0)
    parser.add_argument("--no-analyze", action="store_true")
    args = parser.parse_args()

    queries = {}
    for path in args.queries:
        with open(path, encoding="utf-8") as f:
            queries[os.path.basename(path)] = f.read().strip().rstrip(";")
    with cluster() as port, psycopg.connect(host="127.0.0.1", port=port, user="tally",
                                            dbname="postgres", autocommit=True) as con:
        leads = load(con, "leads", args.leads, not args.no_analyze)
        events = load(con, "activity", args.events, not args.no_analyze)
        print(f"{leads} leads, {events} events; PostgreSQL {con.info.server_version}")
        con.execute(f"SET statement_timeout = {args.timeout * 1000}")
        cut: set[str] = set()
        if args.explain:
            for name, query in queries.items():
                explain(con, name, query)
        times: dict[str, list[float]] = {name: [] for name in queries}
        for run in range(args.runs):
            for i, (name, query) in enumerate(queries.items()):
                con.execute(f"DROP TABLE IF EXISTS out_{i}")
                start = time.perf_counter()
                try:
                    con.execute(f"CREATE TEMP TABLE out_{i} AS {query}")
                except psycopg.errors.QueryCanceled:
                    cut.add(name)
                times[name].append(time.perf_counter() - start)
                print(f"  {name} run {run + 1}: {times[name][-1]:.2f} s", file=sys.stderr)
        for i in range(1, len(queries) if args.runs and not cut else 0):
            differ = con.execute(
                f"SELECT (SELECT count(*) FROM (TABLE out_0 EXCEPT ALL TABLE out_{i}) a)"
                f" + (SELECT count(*) FROM (TABLE out_{i} EXCEPT ALL TABLE out_0) b)"
            ).fetchone()[0]
            if differ:
                print(f"{list(queries)[i]} differs from {list(queries)[0]} in {differ} rows")
                return 1
        if len(queries) > 1 and args.runs and not cut:
            print("every query gives the same rows")
        for name, values in times.items():
            if values:
                over = ">" if name in cut else ""
                print(f"| {name} | {over}{statistics.median(values):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
