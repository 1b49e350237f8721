#!/usr/bin/env python3
"""Check that Tally and its peers score leads with their events the same way.

    python3 bench/verify_events.py LEADS.csv EVENTS.csv TALLY.csv \
        duckdb=DUCKDB.csv polars=POLARS.csv \
        --rejects TALLY.csv.rejects [--summary TALLY.stderr] [--as-of DATE]

The leads are compared as bench/verify.py compares them (the same lead
ids in every output, each with the same score, fit, engagement as exact
decimals and stage, input columns untouched, the same rows left out).
The events are checked on their own, with the standard library: the
events Tally rejected (the `events NAME row N` lines of its rejects
file) must be exactly those whose time is missing or unreadable or whose
minutes are unreadable, read here by the rules of language sections 4
and 10; and, with --summary (Tally's standard error), the events read,
rejected and after the as-of date must be those counted here.

On a difference it prints the first few, and the events of the first
lead that differs (so a difference can be replayed on a few rows), and
exits 1.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys

from verify import OUTPUTS, read_input, read_output

SHOW = 5
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):"
    r"([0-5][0-9]|60)(?:\.[0-9]+)?(?:([Zz])|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))")
NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def read_date(text: str) -> dt.date | None | str:
    """A `date` cell: the date, None when missing, "bad" when unreadable."""
    text = text.strip()
    if text == "":
        return None
    try:
        if DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        m = DATE_TIME.fullmatch(text)
        if m:
            day = dt.date.fromisoformat(m.group(1))
            minutes = int(m.group(2)) * 60 + int(m.group(3))
            if m.group(6):
                sign = 1 if m.group(6) == "+" else -1
                minutes -= sign * (int(m.group(7)) * 60 + int(m.group(8)))
            return day + dt.timedelta(days=minutes // 1440)
    except ValueError:
        pass
    return "bad"


def classify_events(path: str, as_of: dt.date) -> tuple[int, set[int], int]:
    """Rows read, the row numbers that must be rejected, events after
    the as-of date."""
    read, rejected, future = 0, set(), 0
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.reader(file, strict=True)
        header = next(reader)
        at, minutes = header.index("at"), header.index("minutes")
        for row, cells in enumerate(reader, start=1):
            read += 1
            when = read_date(cells[at])
            number = cells[minutes].strip()
            if when is None or when == "bad" or (
                    number and not NUMBER.fullmatch(number)):
                rejected.add(row)
            elif when > as_of:
                future += 1
    return read, rejected, future


def events_of(path: str, lead_id: str, limit: int = 40) -> list[str]:
    """The lines of the events file whose key folds to `lead_id`'s."""
    wanted = lead_id.strip().lower()
    found = []
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        found.append(",".join(next(reader)))
        for row, cells in enumerate(reader, start=1):
            if cells and cells[0].strip().lower() == wanted:
                found.append(f"row {row}: " + ",".join(cells))
                if len(found) > limit:
                    found.append("…")
                    break
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads")
    parser.add_argument("events")
    parser.add_argument("tally")
    parser.add_argument("peers", nargs="+", metavar="NAME=OUTPUT.csv")
    parser.add_argument("--rejects", required=True, help="Tally's rejects file")
    parser.add_argument("--summary", help="Tally's standard error")
    parser.add_argument("--as-of", default="2026-11-22",
                        type=dt.date.fromisoformat)
    args = parser.parse_args()

    failures = 0
    first_lead = None

    def fail(message: str, lead_id: str | None = None) -> None:
        nonlocal failures, first_lead
        failures += 1
        if lead_id is not None and first_lead is None:
            first_lead = lead_id
        if failures <= SHOW:
            print("  DIFFERENCE: " + message)

    # --- the events ------------------------------------------------------
    read, must_reject, future = classify_events(args.events, args.as_of)
    print(f"{args.events}: {read} events, {len(must_reject)} unreadable, "
          f"{future} after {args.as_of}")
    lead_rejects, event_rejects = 0, set()
    pattern = re.compile(r"events \S+ row ([0-9]+):")
    with open(args.rejects, encoding="utf-8") as file:
        for line in file:
            if line.startswith("row "):
                lead_rejects += 1
            m = pattern.match(line)
            if m:
                event_rejects.add(int(m.group(1)))
    for row in sorted(must_reject - event_rejects)[:SHOW]:
        fail(f"tally did not reject event row {row}, which is unreadable")
    for row in sorted(event_rejects - must_reject)[:SHOW]:
        fail(f"tally rejected event row {row}, which is readable")
    if must_reject == event_rejects:
        print(f"  tally rejected exactly those {len(event_rejects)} events")
    if args.summary:
        with open(args.summary, encoding="utf-8") as file:
            summary = file.read()
        m = re.search(r"events \S+: ([0-9]+) read, ([0-9]+) used, ([0-9]+) "
                      r"rejected, ([0-9]+) matching no lead, ([0-9]+) after",
                      summary)
        if not m:
            fail("no events summary in tally's standard error")
        else:
            got = {"read": int(m.group(1)), "rejected": int(m.group(3)),
                   "after the as-of date": int(m.group(5))}
            want = {"read": read, "rejected": len(must_reject),
                    "after the as-of date": future}
            for name in got:
                if got[name] != want[name]:
                    fail(f"tally's summary says {got[name]} events {name}, "
                         f"not {want[name]}")
            print("  tally's summary: " + m.group(0))

    # --- the leads ---------------------------------------------------------
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
    tally = outputs["tally"]
    if lead_rejects != count - len(tally):
        fail(f"tally rejected {lead_rejects} rows but left out "
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
        for lead_id in sorted(tally):
            expected, got = tally[lead_id], rows.get(lead_id)
            if got is not None and got[1:] != expected[1:]:
                fail(f"{tool}: lead {lead_id!r}: "
                     + ", ".join(f"{name} tally {want} vs {have}"
                                 for name, want, have in zip(
                                     OUTPUTS, expected[1:], got[1:])
                                 if want != have), lead_id)
    if failures:
        if first_lead is not None:
            print(f"  the events of lead {first_lead!r}:")
            for line in events_of(args.events, first_lead):
                print("    " + line)
        print(f"FAIL: {failures} differences")
        return 1
    print(f"OK: the {len(paths)} tools agree on all {len(tally)} scored leads "
          f"(score, fit, engagement, stage, input columns) and on the "
          f"{count - len(tally)} rows left out; tally rejected exactly the "
          f"{len(must_reject)} unreadable events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
