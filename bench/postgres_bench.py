#!/usr/bin/env python3
"""Time the query `tally sql --dialect postgres` compiles against the same
model written by hand (bench/postgres_score.sql), in PostgreSQL.

    python bench/postgres_bench.py TALLY MODEL LEADS.csv --rows 200000 --as-of 2026-11-22

Starts a throwaway PostgreSQL cluster (Debian's server, as the engine
tests do; fsync off), loads the first ROWS rows of LEADS.csv into a table
`leads` of TEXT columns, then runs, RUNS times each and alternating, the
hand-written query, the generated one (rows with a `tally_error` left
out, as the hand-written query leaves them out) and a plain copy of the
table, each as `CREATE TEMP TABLE … AS`. Checks that the two queries give
the same score, groups and stage for every lead, then prints each one's
median wall time. Needs psycopg (bench/run installs it).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def cluster():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        sys.exit("PostgreSQL is not installed (Debian's postgresql package)")
    bindir = os.path.dirname(bins[-1])
    root = tempfile.mkdtemp(prefix="tally-pg-bench-")
    data = os.path.join(root, "data")
    port = free_port()
    as_postgres = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: hand the directory to `postgres`.
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(as_postgres + [f"{bindir}/initdb", "-D", data, "-U", "tally",
                                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
                   check=True, **quiet)
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c work_mem=256MB"
    subprocess.run(as_postgres + [f"{bindir}/pg_ctl", "-D", data, "-o", options, "-w",
                                  "-l", os.path.join(root, "log"), "start"],
                   check=True, **quiet)
    try:
        yield port
    finally:
        subprocess.run(as_postgres + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate",
                                      "-w", "stop"], **quiet)
        shutil.rmtree(root, ignore_errors=True)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load(con, leads: str, rows: int) -> list[str]:
    with open(leads, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = ", ".join(f"{quote(c)} TEXT" for c in header)
        con.execute(f"CREATE TABLE leads ({columns})")
        with con.cursor() as cur:
            with cur.copy("COPY leads FROM STDIN") as copy:
                for i, row in enumerate(reader):
                    if i >= rows:
                        break
                    copy.write_row(row)
    con.execute("VACUUM ANALYZE leads")
    return header


def timed(con, name: str, query: str) -> float:
    con.execute(f"DROP TABLE IF EXISTS {name}")
    start = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE {name} AS {query}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tally")
    parser.add_argument("model")
    parser.add_argument("leads")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args()

    generated = subprocess.run(
        [args.tally, "sql", args.model, "--dialect", "postgres", "--as-of", args.as_of],
        check=True, capture_output=True, text=True).stdout.strip().rstrip(";")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "postgres_score.sql"), encoding="utf-8") as f:
        statements = [s.strip() for s in f.read().split(";\n") if s.strip()]
    *functions, hand = statements
    hand = hand.replace("@AS_OF@", args.as_of)

    queries = {
        "hand": hand,
        "generated": f"SELECT * FROM ({generated}\n) AS q WHERE tally_error IS NULL",
        "copy": "SELECT * FROM leads",
    }
    with cluster() as port, psycopg.connect(host="127.0.0.1", port=port, user="tally",
                                            dbname="postgres", autocommit=True) as con:
        load(con, args.leads, args.rows)
        for function in functions:
            con.execute(function)
        times: dict[str, list[float]] = {name: [] for name in queries}
        for run in range(args.runs):
            for name, query in queries.items():
                seconds = timed(con, f"out_{name}", query)
                times[name].append(seconds)
                print(f"  {name:9s} run {run + 1}: {seconds:7.2f} s", file=sys.stderr)
        # Both queries must agree lead by lead.
        differ = con.execute(
            "SELECT count(*) FROM out_hand AS h FULL JOIN out_generated AS g USING (lead_id) "
            "WHERE h.score IS DISTINCT FROM g.score OR h.fit IS DISTINCT FROM g.fit "
            "OR h.engagement IS DISTINCT FROM g.engagement OR h.stage IS DISTINCT FROM g.stage"
        ).fetchone()[0]
        count = con.execute("SELECT count(*) FROM out_hand").fetchone()[0]
        if differ:
            print(f"the queries disagree on {differ} leads", file=sys.stderr)
            return 1
        print(f"{args.rows} rows, {count} scored, the same by both queries; "
              f"PostgreSQL {con.info.server_version}")
        hand_median = statistics.median(times["hand"])
        for name, values in times.items():
            median = statistics.median(values)
            print(f"| {name} | {median:.2f} | {median / hand_median:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
