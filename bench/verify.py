#!/usr/bin/env python3
"""Check that Tally and its peers (DuckDB, Polars, ...) score a lead file the same way.

    python3 bench/verify.py LEADS.csv TALLY.csv duckdb=DUCKDB.csv \
        polars=POLARS.csv [NAME=OUT.csv ...] [--rejects TALLY.csv.rejects]

Every output must hold the same lead ids, each with the same score, fit,
engagement (compared as exact decimals: `29.195` equals `29.19500`) and
stage (or the columns --outputs names, e.g. with account values), and with its input columns exactly as in LEADS.csv. The input rows
missing from the outputs (the unreadable ones) must be the same for every
tool, and as many as the lines of Tally's rejects file. Exits 1 on any
difference, printing the first few. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import sys
from decimal import Decimal

OUTPUTS = ["score", "fit", "engagement", "stage"]
SHOW = 5


def read_input(path: str) -> tuple[list[str], dict[str, int], int]:
    """Input columns, lead id -> hash of the row, and the row count."""
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.reader(file, strict=True)
        header = next(reader)
        rows: dict[str, int] = {}
        count = 0
        for cells in reader:
            count += 1
            lead_id = cells[0]
            if lead_id == "":
                continue  # unreadable everywhere: no lead id to match on
            if lead_id in rows:
                sys.exit(f"{path}: lead id {lead_id!r} is not unique")
            rows[lead_id] = hash(tuple(cells))
    return header, rows, count


def number(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text).normalize()


def value(text: str) -> Decimal | str | None:
    """A number as an exact decimal, other text as is."""
    try:
        return number(text)
    except ArithmeticError:
        return text


def read_output(path: str, header: list[str]) -> dict[str, tuple]:
    """Lead id -> (hash of the input columns, then the OUTPUTS values)."""
    width = len(header)
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.reader(file, strict=True)
        columns = next(reader)
        if columns[:width] != header:
            sys.exit(f"{path}: input columns {columns[:width]} != {header}")
        at = [columns.index(name) for name in OUTPUTS]
        result: dict[str, tuple] = {}
        for cells in reader:
            result[cells[0]] = (hash(tuple(cells[:width])),
                                *(value(cells[i]) for i in at))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads")
    parser.add_argument("tally")
    parser.add_argument("peers", nargs="+", metavar="NAME=OUTPUT.csv",
                        help="each peer's output, e.g. duckdb=out.csv")
    parser.add_argument("--rejects", help="Tally's rejects file")
    parser.add_argument("--outputs", help="the output columns to compare, "
                        "comma-separated (default: score,fit,engagement,stage)")
    args = parser.parse_args()
    if args.outputs:
        OUTPUTS[:] = args.outputs.split(",")

    header, inputs, count = read_input(args.leads)
    print(f"{args.leads}: {count} rows")
    paths = {"tally": args.tally}
    for peer in args.peers:
        name, _, path = peer.partition("=")
        if not path:
            sys.exit(f"{peer!r}: write a peer as NAME=OUTPUT.csv")
        paths[name] = path
    outputs = {}
    for tool, path in paths.items():
        outputs[tool] = read_output(path, header)
        print(f"  {tool}: {len(outputs[tool])} scored, "
              f"{count - len(outputs[tool])} left out")

    failures = 0

    def fail(message: str) -> None:
        nonlocal failures
        failures += 1
        if failures <= SHOW:
            print("  DIFFERENCE: " + message)

    tally = outputs["tally"]
    if args.rejects:
        with open(args.rejects, encoding="utf-8") as file:
            rejected = sum(1 for line in file if line.startswith("row "))
        if rejected != count - len(tally):
            fail(f"tally rejected {rejected} rows but left out "
                 f"{count - len(tally)}")
    for tool, rows in outputs.items():
        for lead_id, (row_hash, *_rest) in rows.items():
            if lead_id == "" or inputs.get(lead_id) != row_hash:
                fail(f"{tool}: lead {lead_id!r}: input columns changed")
    for tool in list(paths)[1:]:
        rows = outputs[tool]
        for lead_id in sorted(tally.keys() - rows.keys())[:SHOW]:
            fail(f"{tool} left out lead {lead_id!r}, which tally scored")
        for lead_id in sorted(rows.keys() - tally.keys())[:SHOW]:
            fail(f"{tool} scored lead {lead_id!r}, which tally rejected")
        failures += max(0, len(tally.keys() ^ rows.keys()) - SHOW)
        for lead_id, expected in tally.items():
            got = rows.get(lead_id)
            if got is not None and got[1:] != expected[1:]:
                fail(f"{tool}: lead {lead_id!r}: "
                     + ", ".join(f"{name} {want} vs {have}"
                                 for name, want, have in zip(
                                     OUTPUTS, expected[1:], got[1:])
                                 if want != have))
    if failures:
        print(f"FAIL: {failures} differences")
        return 1
    print(f"OK: the {len(paths)} tools agree on all {len(tally)} scored leads "
          f"({', '.join(OUTPUTS)}, input columns) and on the "
          f"{count - len(tally)} rows left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
