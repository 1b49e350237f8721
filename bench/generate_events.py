#!/usr/bin/env python3
"""Generate a messy events CSV for the events benchmark (bench/events.tally).

    python3 bench/generate_events.py --events 20000000 --leads 1000000 \
        --out bench/data/events_20m.csv

Standard library only, fixed seed: the same arguments give the same bytes.

The file looks like an activity export: one row per event, columns
`lead_id,at,kind,page,minutes`, about 45 bytes a row, joined to the lead
file of bench/generate.py by `lead_id` (`L00000001` … `L{leads}`). Rows
come in time order (by the moment they happened), not by lead. What is
messy, on purpose:

- keys: mostly as the lead file writes them, but also lower-cased
  (`l00000042`) and padded (` L00000042 `); about 3% are keys no lead has
  (`L{leads + n}`, `C-00042`, `lead 42`), about 0.5% are empty or blank;
- times: plain dates (` 2026-10-03 ` padded too), RFC 3339 date-times in
  nine zone spellings (`2026-10-03T23:30:00-05:00`, `…Z`, `…z`, `+05:30`,
  ...; `T`, `t` or a space; fractions of a second) whose UTC date is the
  event's day, so the local date is often the day before or after; days
  run from 2024-06-01 to 2026-12-15, three times as many a day at the end
  as at the start, so 3.7% are after the as-of date 2026-11-22;
- about 0.1% of the times cannot be read (`2026-02-30`, `yesterday`,
  `11/03/2026`, `2026-10-03T10:00:00` without a zone, an empty cell, ...)
  and about 0.02% of the minutes (`12,5`, `1e3`, `n/a`): every tool must
  reject those events and only those;
- kinds webinar, page_view, pricing_view, demo_request, email_click in
  any case, sometimes padded; pages for page views (some blank, some only
  spaces), minutes for webinars and page views (`45`, `+20`, ` 30 `,
  `12.5`, `0.25`, empty).

Events per lead are skewed: with 20 events a lead on average, about a
third of the leads have none, most of the others a few (median 2), 2%
over a hundred and 0.05% a few thousand.

Speed: times come from a pool of 256 pre-rendered times per day, sorted
by moment; kinds, pages and minutes from a pool of 65,536 pre-rendered
tails; keys are drawn with a seeded PRNG a day at a time. 20M events
take about a minute of CPU.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys

SEED = 20261207
AS_OF = dt.date(2026, 11, 22)
FIRST_DAY = dt.date(2024, 6, 1)
LAST_DAY = dt.date(2026, 12, 15)
PER_DAY = 256          # pre-rendered times per day
TAILS = 1 << 16        # pre-rendered kind,page,minutes tails
CHUNK = 100_000

HEADER = "lead_id,at,kind,page,minutes"

# Lead classes: (share of the leads, relative events per lead). A lead's
# class comes from a scrambled index, so busy leads are spread over the
# file.
CLASSES = [
    (0.30, 0),
    (0.40, 2),
    (0.20, 15),
    (0.085, 80),
    (0.0145, 400),
    (0.0005, 3000),
]
UNKNOWN_KEYS = 0.03
EMPTY_KEYS = 0.005
BAD_TIME_SHARE = 0.001
BAD_MINUTES_SHARE = 0.0003  # of webinars and page views

# (weight, spellings)
KINDS = [
    (55, ["page_view", "page_view", "Page_View", "PAGE_VIEW", " page_view"]),
    (20, ["email_click", "email_click", "Email_Click", "email_click "]),
    (12, ["pricing_view", "pricing_view", "Pricing_View", " PRICING_VIEW "]),
    (8, ["webinar", "webinar", "Webinar", "WEBINAR "]),
    (5, ["demo_request", "demo_request", "Demo_Request", " demo_request"]),
]
PAGES = [
    (30, ["home", "Home", "/", "HOME"]),
    (15, ["pricing", "Pricing", "pricing/enterprise"]),
    (20, ["docs", "Docs", "docs/api", "docs/sso", "docs/scim", "DOCS/API "]),
    (15, ["blog", "blog/launch", "blog/q3-report", "Blog/Launch",
          "blog/case-study", "blog/benchmarks"]),
    (8, ["features", "integrations", "about", "security", "customers",
         "partners", "changelog", "status"]),
    (4, ["careers", "Careers", " careers "]),
    (3, [""]),
    (1, ["  "]),
]
WEBINAR_MINUTES = [
    (60, None),   # a whole number of minutes, 1 to 120
    (10, ["45.5", "12.5", "59.75", "0.25", "90.125", "7.5"]),
    (10, ["+20", " 30 ", "60", "60 ", "5", "9", "10"]),
    (10, [""]),
]
BAD_TIMES = ["2026-02-30", "2025-02-29", "2026-13-01", "yesterday",
             "11/03/2026", "2026-4-1", "2026-10-03T10:00:00",
             "2026-10-03T25:00:00Z", "2026-10-03 10:00", "", " ", "n/a"]
BAD_MINUTES = ["12,5", "1e3", "n/a", "ten", "1 000"]
ZONES = [("Z", 0), ("z", 0), ("+00:00", 0), ("+02:00", 120),
         ("-05:00", -300), ("+05:30", 330), ("-08:00", -480),
         ("+09:00", 540), ("-03:30", -210)]


def pick(rng: random.Random, table: list) -> str:
    total = sum(weight for weight, _ in table)
    roll = rng.randrange(total)
    for weight, options in table:
        if roll < weight:
            return rng.choice(options)
        roll -= weight
    raise AssertionError("unreachable")


def render_time(rng: random.Random, day: dt.date, second: int) -> str:
    """The moment `second` seconds into UTC day `day`, as written by some
    exporter: a plain date, or an RFC 3339 date-time in some zone."""
    roll = rng.random()
    if roll < 0.35:
        return day.isoformat()
    if roll < 0.38:
        return " " + day.isoformat() + " "
    zone, offset = rng.choice(ZONES)
    moment = (dt.datetime.combine(day, dt.time()) +
              dt.timedelta(seconds=second, minutes=offset))
    sep = rng.choice(["T", "T", "T", "T", "t", " "])
    frac = rng.choice(["", "", "", ".5", ".123", ".000001"])
    return (f"{moment.date().isoformat()}{sep}{moment:%H:%M:%S}{frac}"
            f"{zone}")


def times_of(rng: random.Random, day: dt.date) -> list[str]:
    """PER_DAY times on UTC day `day`, in time order."""
    seconds = sorted(rng.randrange(86400) for _ in range(PER_DAY))
    return [render_time(rng, day, s) for s in seconds]


def tail(rng: random.Random) -> str:
    """kind,page,minutes of one event (a tenth of them unusual)."""
    kind = pick(rng, KINDS)
    base = kind.strip().lower()
    page = minutes = ""
    if base == "page_view":
        page = pick(rng, PAGES)
        roll = rng.random()
        if roll < 0.5:
            minutes = str(rng.randrange(0, 15))
        elif roll < 0.6:
            minutes = rng.choice(["0.5", "1.25", " 2 ", "+3"])
    elif base == "webinar":
        choice = pick(rng, [(w, [i]) for i, (w, _) in
                            enumerate(WEBINAR_MINUTES)])
        options = WEBINAR_MINUTES[choice][1]
        minutes = str(rng.randrange(1, 121)) if options is None \
            else rng.choice(options)
    elif base == "demo_request" and rng.random() < 0.3:
        minutes = str(rng.randrange(15, 46))
    if base in ("webinar", "page_view") and rng.random() < BAD_MINUTES_SHARE:
        minutes = rng.choice(BAD_MINUTES)
    return f"{kind},{page},{minutes}"


def day_counts(events: int) -> list[tuple[dt.date, int]]:
    """Events per UTC day: rising linearly, from 1 to 3 a unit of time."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    weights = [1 + 2 * d / (days - 1) for d in range(days)]
    total = sum(weights)
    # Largest remainders, so the counts add up to `events` exactly.
    exact = [events * w / total for w in weights]
    floors = [math.floor(x) for x in exact]
    given = sum(floors)
    order = sorted(range(days), key=lambda d: floors[d] - exact[d])
    for d in order[:events - given]:
        floors[d] += 1
    return [(FIRST_DAY + dt.timedelta(days=d), n)
            for d, n in enumerate(floors)]


class Keys:
    """Draws the lead key of each event: a class by its share of the
    events, a lead of the class, its id written a little messily."""

    def __init__(self, leads: int, seed: int) -> None:
        self.leads = leads
        self.random = random.Random(seed).random
        scramble = 2654435761
        while math.gcd(scramble, leads) != 1:
            scramble += 2
        self.inverse = pow(scramble, -1, leads)
        bounds, weights, low = [], [], 0
        for i, (share, per_lead) in enumerate(CLASSES):
            high = leads if i == len(CLASSES) - 1 else low + round(share * leads)
            bounds.append((low, high))
            weights.append(per_lead * (high - low))
            low = high
        total = sum(weights)
        self.classes = []
        cumulative = 0.0
        for (low, high), weight in zip(bounds, weights):
            if weight:
                cumulative += weight / total
                self.classes.append((cumulative, low, high - low))

    def draw(self, n: int) -> list[str]:
        r = self.random
        out = []
        append = out.append
        leads, inverse, classes = self.leads, self.inverse, self.classes
        for _ in range(n):
            roll = r()
            if roll < UNKNOWN_KEYS:
                which = r()
                if which < 0.8:
                    append(f"L{leads + 1 + int(r() * 900_000):08d}")
                elif which < 0.9:
                    append(f"C-{int(r() * 100_000):05d}")
                else:
                    append(f"lead {int(r() * 1000)}")
                continue
            if roll < UNKNOWN_KEYS + EMPTY_KEYS:
                append("" if r() < 0.7 else "  ")
                continue
            u = r()
            for cumulative, low, size in classes:
                if u < cumulative:
                    break
            index = (low + int(r() * size)) * inverse % leads
            key = f"L{index + 1:08d}"
            style = r()
            if style < 0.9:
                append(key)
            elif style < 0.95:
                append(key.lower())
            elif style < 0.98:
                append(" " + key + " ")
            else:
                append(key + " ")
        return out


def generate(events: int, leads: int, out) -> tuple[int, int]:
    """Write the file; return the planted unreadable times and minutes."""
    rng = random.Random(SEED)
    tails = [tail(rng) for _ in range(TAILS)]
    keys = Keys(leads, SEED + 1)
    draw_time = random.Random(SEED + 2).random
    draw_tail = random.Random(SEED + 3).random
    draw_bad = random.Random(SEED + 4).random
    pool_rng = random.Random(SEED + 5)
    out.write(HEADER + "\n")
    bad_times = bad_minutes = 0
    pending: list[str] = []
    for day, count in day_counts(events):
        times = times_of(pool_rng, day)
        picks = sorted(int(draw_time() * PER_DAY) for _ in range(count))
        row_keys = keys.draw(count)
        for key, t in zip(row_keys, picks):
            at = times[t]
            if draw_bad() < BAD_TIME_SHARE:
                at = BAD_TIMES[int(draw_bad() * len(BAD_TIMES))]
                bad_times += 1
            rest = tails[int(draw_tail() * TAILS)]
            if rest.rsplit(",", 1)[1] in BAD_MINUTES:
                bad_minutes += 1
            pending.append(f"{key},{at},{rest}")
        if len(pending) >= CHUNK:
            out.write("\n".join(pending))
            out.write("\n")
            pending.clear()
    if pending:
        out.write("\n".join(pending))
        out.write("\n")
    return bad_times, bad_minutes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.leads < 1:
        parser.error("--leads must be at least 1")
    directory = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(directory, exist_ok=True)
    partial = args.out + ".partial"
    with open(partial, "w", encoding="utf-8", newline="",
              buffering=1 << 22) as out:
        bad_times, bad_minutes = generate(args.events, args.leads, out)
    os.replace(partial, args.out)
    size = os.path.getsize(args.out)
    print(f"{args.out}: {args.events} events for {args.leads} leads, "
          f"{size / 1e6:.1f} MB, {size / max(args.events, 1):.0f} bytes/row; "
          f"{bad_times} unreadable times and {bad_minutes} unreadable "
          f"minutes planted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
