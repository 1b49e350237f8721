#!/usr/bin/env python3
"""Time the query `tally sql --dialect spark` compiles in Spark (local
mode) against a plain scan of the same table.

    python bench/spark_bench.py TALLY MODEL LEADS.csv --rows 200000 --as-of 2026-11-22

Copies the first ROWS records of LEADS.csv to a scratch file, starts one
Spark session (local[N], as the engine tests do; its start is not
timed), reads the file with docs/sql.md's recipe (`USING csv`,
`multiLine`, `escape '"'`: every column text) and caches it in memory,
spread over N partitions, so that both timings start from the same
cached table. Then runs, RUNS
times each and alternating, the generated query and a plain scan
(`SELECT *`), each written to Spark's `noop` sink (every row computed,
nothing stored), timing the wall clock and the JVM's user CPU (from
/proc). Before timing, checks the generated query's rows against
`TALLY score` on the same file: the same rows rejected, and every
scored lead with the same score, groups and stage. Needs pyspark (the
test engines' environment has it: `scripts/test`).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "sql.md")


def recipe(path: str) -> str:
    """docs/sql.md's statement reading a CSV file into Spark, for PATH."""
    with open(DOCS, encoding="utf-8") as f:
        text = f.read()
    start = text.index("cat > score.sql <<'EOF'\n") + len("cat > score.sql <<'EOF'\n")
    end = text.index("\nEOF\n", start)
    statement = text[start:end].replace("'leads.csv'", "'" + path.replace("'", "''") + "'")
    return statement.replace("VIEW leads ", "VIEW leads_csv ").strip().rstrip(";")


def head(source: str, target: str, rows: int) -> None:
    """The header and the first ROWS records of a CSV file."""
    with open(source, encoding="utf-8", newline="") as f, \
            open(target, "w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(f), csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        for i, record in enumerate(reader):
            if i >= rows:
                break
            writer.writerow(record)


def jvm_user_seconds(pid: int) -> float:
    """User CPU of the JVM and its threads so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / os.sysconf("SC_CLK_TCK")


def peak_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def interpreter(args, path: str, out: str) -> dict[str, tuple]:
    """`tally score`'s outputs by lead id (its rejected rows left out)."""
    subprocess.run([args.tally, "score", args.model, path, "--as-of", args.as_of,
                    "-o", out], stderr=subprocess.DEVNULL)
    with open(out, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        at = [header.index(c) for c in ("score", "fit", "engagement", "stage")]
        return {r[0]: tuple(norm(r[i]) for i in at) for r in reader}


def norm(value) -> object:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).normalize()
    except ArithmeticError:
        return str(value)


def check(spark, query: str, want: dict[str, tuple]) -> int:
    """Stop unless the query scores every lead as `tally score` does."""
    rows = spark.sql(query).select("lead_id", "tally_error", "score", "fit",
                                   "engagement", "stage").collect()
    got = {r[0]: tuple(norm(v) for v in r[2:]) for r in rows if r[1] is None}
    bad = [k for k in want.keys() | got.keys() if want.get(k) != got.get(k)]
    if bad:
        sys.exit(f"Spark and tally score disagree on {len(bad)} leads, e.g. "
                 f"{bad[0]!r}: {got.get(bad[0])} vs {want.get(bad[0])}")
    return len(got)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tally")
    parser.add_argument("model")
    parser.add_argument("leads")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    sql = subprocess.run([args.tally, "sql", args.model, "--dialect", "spark",
                          "--as-of", args.as_of], check=True, capture_output=True,
                         text=True).stdout
    lines = sql.rstrip().rstrip(";").split("\n")
    settings = [line.rstrip(";") for line in lines if line.startswith("SET ")]
    query = "\n".join(line for line in lines if not line.startswith("SET "))

    with tempfile.TemporaryDirectory(prefix="tally-spark-bench-") as tmp:
        path = os.path.join(tmp, "leads.csv")
        head(args.leads, path, args.rows)
        want = interpreter(args, path, os.path.join(tmp, "scores.csv"))
        spark = (SparkSession.builder.master(f"local[{args.cores}]")
                 .appName("tally-spark-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", str(args.cores))
                 .getOrCreate())
        spark.sparkContext.setLogLevel("OFF")
        pid = spark.sparkContext._gateway.proc.pid  # the JVM
        try:
            spark.sql(recipe(path))
            # A multiLine CSV file is one partition (Spark cannot split
            # it): spread over the cores, or the query runs on one.
            spark.sql(f"CACHE TABLE leads AS SELECT /*+ REPARTITION({args.cores}) */ * "
                      "FROM leads_csv")
            for setting in settings:
                spark.sql(setting)
            scored = check(spark, query, want)
            print(f"{args.rows} rows: {scored} scored by Spark and tally score alike",
                  file=sys.stderr)
            tools = {"generated": query, "plain scan": "SELECT * FROM leads"}
            runs: dict[str, list[tuple[float, float]]] = {t: [] for t in tools}
            for i in range(args.runs):
                for tool, text in tools.items():
                    load = open("/proc/loadavg", encoding="ascii").read().split()[0]
                    cpu, start = jvm_user_seconds(pid), time.perf_counter()
                    spark.sql(text).write.format("noop").mode("overwrite").save()
                    wall = time.perf_counter() - start
                    user = jvm_user_seconds(pid) - cpu
                    runs[tool].append((wall, user))
                    print(f"  {tool:10} run {i + 1}: {wall:6.2f} s wall, {user:6.2f} s "
                          f"JVM user (load {load})", file=sys.stderr)
            peak = peak_kb(pid)
        finally:
            spark.stop()
    print(f"| query | wall s (median) | JVM user s (median) | wall s, every run |")
    print("|---|---:|---:|---|")
    for tool, got in runs.items():
        every = ", ".join(f"{w:.2f}" for w, _ in got)
        print(f"| {tool} | {statistics.median(w for w, _ in got):.2f} | "
              f"{statistics.median(u for _, u in got):.2f} | {every} |")
    print(f"\nJVM peak memory (the whole session): {peak // 1024} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
