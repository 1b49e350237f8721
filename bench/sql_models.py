#!/usr/bin/env python3
"""Time the DuckDB query `tally sql` compiles for the events or the
accounts benchmark model against the same model written by hand.

    python bench/sql_models.py TALLY events LEADS.csv EVENTS.csv --as-of 2026-11-22
    python bench/sql_models.py TALLY accounts LEADS.csv --as-of 2026-11-22

events: bench/events.tally (its source `activity` read from EVENTS.csv)
against bench/duckdb_events.sql (bench/duckdb_events.py); accounts:
bench/accounts.tally against bench/duckdb_accounts.sql (bench/duckdb_score.py
--sql). The generated query runs through bench/duckdb_tally_sql.py, which
leaves out the rows with a `tally_error`, as the hand-written queries do.

Runs each query RUNS times, alternating (hand-written, generated, …),
each in its own process under GNU time (wall time, user CPU, peak
memory), with the same Python and DuckDB. After the first pair of runs
it checks that both gave every lead the same outputs and left out the
same rows (bench/verify.py), or stops. Then prints a table of medians
(peak: the highest) and the generated ÷ hand-written ratios, with the
load average at each run's start, and appends it to --results if given.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
OUTPUTS = {
    "events": "score,fit,engagement,stage",
    "accounts": "score,fit,engagement,stage,account.people,account.deciders,"
                "account.top_size,account.heat",
}


def commands(args, out: str) -> dict[str, list[str]]:
    """The two tools' commands, each writing its CSV to OUT-NAME.csv."""
    py, day = args.python, args.as_of
    gen = [py, f"{BENCH}/duckdb_tally_sql.py", args.tally,
           f"{BENCH}/{args.model}.tally", args.leads, "--as-of", day,
           "-o", f"{out}-generated.csv"]
    if args.model == "events":
        hand = [py, f"{BENCH}/duckdb_events.py", args.leads, args.events,
                "--as-of", day, "-o", f"{out}-hand.csv"]
        gen += ["--events", f"activity={args.events}"]
    else:
        hand = [py, f"{BENCH}/duckdb_score.py", args.leads, "--as-of", day,
                "-o", f"{out}-hand.csv", "--sql", f"{BENCH}/duckdb_accounts.sql"]
    if args.threads:
        hand += ["--threads", str(args.threads)]
        gen += ["--threads", str(args.threads)]
    return {"hand-written": hand, "generated": gen}


def load() -> str:
    with open("/proc/loadavg", encoding="ascii") as file:
        return file.read().split()[0]


def measure(command: list[str], stats: str) -> tuple[float, float, int]:
    """Run once: wall s, user CPU s, peak KB (GNU time's `%e %M %U`, or
    bench/measure.py's where GNU_TIME is not a program, as in bench/run)."""
    gnu_time = os.environ.get("GNU_TIME", "/usr/bin/time")
    if os.access(gnu_time, os.X_OK):
        timer = [gnu_time, "-f", "%e %M %U", "-o", stats]
    else:
        timer = [sys.executable, f"{BENCH}/measure.py", "-o", stats, "--"]
    done = subprocess.run(timer + command, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    with open(stats, encoding="ascii") as file:
        wall, peak, user = file.read().splitlines()[-1].split()[:3]
    return float(wall), float(user), int(peak)


def verify(args, out: str) -> None:
    check = [sys.executable, f"{BENCH}/verify.py", args.leads, f"{out}-hand.csv",
             f"generated={out}-generated.csv", "--outputs", OUTPUTS[args.model]]
    if subprocess.run(check).returncode != 0:
        sys.exit("the generated query and the hand-written one disagree")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tally")
    parser.add_argument("model", choices=sorted(OUTPUTS))
    parser.add_argument("leads")
    parser.add_argument("events", nargs="?")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--python", default=sys.executable,
                        help="the Python that has duckdb")
    parser.add_argument("--results", help="a file to append the table to")
    args = parser.parse_args()
    if (args.model == "events") != (args.events is not None):
        parser.error("the events model needs an events file, accounts none")

    with tempfile.TemporaryDirectory(prefix="tally-sql-models-") as tmp:
        out = os.path.join(tmp, args.model)
        tools = commands(args, out)
        runs: dict[str, list[tuple[float, float, int, str]]] = {t: [] for t in tools}
        for i in range(args.runs):
            for tool, command in tools.items():
                at = load()
                wall, user, peak = measure(command, os.path.join(tmp, "stats"))
                runs[tool].append((wall, user, peak, at))
                print(f"  {args.model} {tool:12} run {i + 1}: {wall:7.2f} s wall, "
                      f"{user:7.2f} s user, {peak // 1024:5d} MB peak (load {at})",
                      file=sys.stderr)
            if i == 0:
                verify(args, out)
    table = report(args, runs)
    print(table)
    if args.results:
        with open(args.results, "a", encoding="utf-8") as file:
            file.write(table + "\n")
    return 0


def report(args, runs) -> str:
    rows = {}
    for tool, got in runs.items():
        rows[tool] = (statistics.median(r[0] for r in got),
                      statistics.median(r[1] for r in got),
                      max(r[2] for r in got))
    hand = rows["hand-written"]
    what = f"{args.model}: {os.path.basename(args.leads)}"
    if args.events:
        what += f" with {os.path.basename(args.events)}"
    lines = [f"### {what}", "",
             "| query | wall s (median) | user s (median) | peak MB | "
             "wall ÷ hand | user ÷ hand | peak ÷ hand | wall s, every run | "
             "load at each start |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for tool, (wall, user, peak) in rows.items():
        every = ", ".join(f"{r[0]:.2f}" for r in runs[tool])
        loads = ", ".join(r[3] for r in runs[tool])
        lines.append(f"| {tool} | {wall:.2f} | {user:.2f} | {peak / 1024:.0f} | "
                     f"{wall / hand[0]:.2f} | {user / hand[1]:.2f} | "
                     f"{peak / hand[2]:.2f} | {every} | {loads} |")
    gen = rows["generated"]
    lines += ["", f"Goal (issue 23): wall ≤ 1.3× ({gen[0] / hand[0]:.2f}×: "
              f"{'met' if gen[0] <= 1.3 * hand[0] else 'NOT met'}), peak ≤ 1.2× "
              f"({gen[2] / hand[2]:.2f}×: {'met' if gen[2] <= 1.2 * hand[2] else 'NOT met'})"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
