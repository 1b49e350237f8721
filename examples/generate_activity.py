#!/usr/bin/env python3
"""Generate the lead and activity files of examples/activity.tally, and
their oracle.

    python3 examples/generate_activity.py [--out DIR]

Writes three files into DIR (default: the directory of this script):

- activity_leads.csv      80 B2B leads as a CRM exports them.
- activity_events.csv     a few hundred events, one row per event, as a
                          marketing platform exports them: lead ids in any
                          case with stray spaces, RFC 3339 timestamps with
                          offsets (read as their UTC day, which is not
                          always the local one), columns the model does not
                          read, events after the as-of date, and events of
                          leads the CRM does not have (and one without a
                          lead id). Every row is readable, so scoring exits 0.
- activity_expected.ndjson for every lead, in input order, what
                          `tally score examples/activity.tally
                          examples/activity_leads.csv --events
                          examples/activity_events.csv --as-of 2026-11-22
                          --explain --format ndjson` must say: score, fit,
                          engagement, stage and reasons; and, last, a line
                          with the events summary's counts.

Standard library only, fixed seed: running it again gives the same bytes.

The oracle (second half of this file) does not look at how the rows were
made. It reads both files back with the `csv` module and scores each lead
with a small, separate implementation of this one model's semantics, as
docs/language.md (section 11, "Behaviour over time") states them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SEED = 20261207
LEADS = 80
AS_OF = dt.date(2026, 11, 22)

LEAD_HEADER = ["Lead ID", "Email", "Job Title", "Employees", "Country", "Last Demo Request"]
EVENT_HEADER = ["Event ID", "Lead ID", "Timestamp", "Event", "Page", "Minutes", "Campaign"]

TITLES = [
    "CEO", "ceo ", "CTO", "VP", "vp", "Director", " director", "Head of Marketing",
    "Marketing Manager", "Analyst", "Engineer", "Sales Rep", "COO", "CFO", "",
]
COUNTRIES = ["US", "us", "CA", "UK", "DE", "NL", "SE", "FR", "ES", "IN", "BR", ""]
PAGES = ["/", "/product", "/Product", "/pricing", "/blog/lead-scoring", "/customers",
         "/docs", "/integrations", "/careers", "/about "]
KINDS = ["page_view"] * 8 + ["pricing_view"] * 3 + ["email_click"] * 4 + ["webinar"] * 2 + [
    "demo_request", "trial_signup", "email_open", "form_fill"]
CAMPAIGNS = ["", "Q4 webinar series", "Nurture, EMEA", "Retargeting \"Pricing\""]


# ---------------------------------------------------------------- generation


def lead_id(n: int) -> str:
    return f"L-{n:04d}"


def messy_key(rng: random.Random, key: str) -> str:
    """The lead id as the marketing platform may write it."""
    roll = rng.random()
    if roll < 0.15:
        return key.lower()
    if roll < 0.25:
        return f" {key}"
    if roll < 0.3:
        return f"{key} "
    return key


def timestamp(rng: random.Random, day: dt.date) -> str:
    """A day written as a date or as an RFC 3339 date-time (with an offset
    that may move its UTC day)."""
    roll = rng.random()
    if roll < 0.2:
        return day.isoformat()
    hour, minute, second = rng.randrange(24), rng.randrange(60), rng.randrange(60)
    local = dt.datetime(day.year, day.month, day.day, hour, minute, second)
    if roll < 0.6:
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    offset = rng.choice([-8, -5, -4, 1, 2, 5.5, 9])
    hours = int(offset)
    minutes = int(round(abs(offset - hours) * 60))
    sign = "+" if offset >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(hours):02d}:{minutes:02d}"


def generate(rng: random.Random) -> tuple[list[list[str]], list[list[str]]]:
    leads = []
    for n in range(1, LEADS + 1):
        employees = rng.choice(["", str(rng.randrange(5, 40)), str(rng.randrange(50, 2001)),
                                str(rng.randrange(2001, 20000)), str(rng.randrange(50, 800))])
        demo = ""
        if rng.random() < 0.2:
            demo = (AS_OF - dt.timedelta(days=rng.randrange(-10, 200))).isoformat()
        email = f"lead{n}@example.com"
        leads.append([lead_id(n), email, rng.choice(TITLES), employees, rng.choice(COUNTRIES), demo])

    events = []

    def event(key: str, day: dt.date, kind: str) -> None:
        page = rng.choice(PAGES) if kind in ("page_view", "form_fill") else ""
        if kind == "pricing_view":
            page = "/pricing"
        minutes = ""
        if kind == "webinar":
            minutes = rng.choice(["", "12", "30", "45", "60", "27.5", "90"])
        events.append([key, timestamp(rng, day), kind, page, minutes, rng.choice(CAMPAIGNS)])

    for n in range(1, LEADS + 1):
        activity = rng.choice(["none", "quiet", "some", "busy", "busy"])
        count = {"none": 0, "quiet": rng.randrange(1, 3), "some": rng.randrange(2, 6),
                 "busy": rng.randrange(6, 14)}[activity]
        for _ in range(count):
            ago = rng.randrange(70, 300) if activity == "quiet" else int(rng.expovariate(1 / 35))
            event(messy_key(rng, lead_id(n)), AS_OF - dt.timedelta(days=ago), rng.choice(KINDS))
        if activity == "busy" and rng.random() < 0.1:
            event(lead_id(n), AS_OF - dt.timedelta(days=rng.randrange(0, 40)), "unsubscribe")
        if rng.random() < 0.08:
            # Logged after the as-of date: not known yet on 2026-11-22.
            event(lead_id(n), AS_OF + dt.timedelta(days=rng.randrange(1, 20)), rng.choice(KINDS))
    for unknown in ["L-9001", "L-9002", "l-9002", "X-1"]:
        event(unknown, AS_OF - dt.timedelta(days=rng.randrange(0, 60)), rng.choice(KINDS))
    event("", AS_OF - dt.timedelta(days=3), "page_view")
    rng.shuffle(events)
    events.sort(key=lambda e: e[1][:10])
    rows = [[f"E{i:05d}"] + e for i, e in enumerate(events, start=1)]
    return leads, rows


def write_csv(path: str, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


# ---------------------------------------------------------------- oracle


def fold(text: str) -> str:
    """`==` on text: outer spaces and case ignored (the files are ASCII)."""
    return text.strip().lower()


def read_date(cell: str) -> dt.date | None:
    cell = cell.strip()
    if not cell:
        return None
    if len(cell) == 10:
        return dt.date.fromisoformat(cell)
    moment = dt.datetime.fromisoformat(cell.replace("Z", "+00:00"))
    return moment.astimezone(dt.timezone.utc).date()


def read_number(cell: str) -> Decimal | None:
    cell = cell.strip()
    return Decimal(cell) if cell else None


def round4(value) -> Decimal:
    """Half away from zero, to 4 places (the values here are positive)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def months_since(day: dt.date, today: dt.date) -> int:
    whole = (today.year * 12 + today.month) - (day.year * 12 + day.month)
    return whole - 1 if today.day < day.day else whole


def within(day: dt.date, days: int, today: dt.date) -> bool:
    return today - dt.timedelta(days=days) <= day <= today


def half_life(points: Decimal, age: int, days: int) -> Decimal:
    factor = math.pow(2.0, -age / days)
    return round4(points * Decimal(repr(factor)))


def linear(points: Decimal, age: int, days: int) -> Decimal:
    return round4(Fraction(points) * Fraction(max(days - age, 0), days))


def monthly(points: Decimal, percent: int, since: dt.date, today: dt.date) -> Decimal:
    periods = max(months_since(since, today), 0)
    return round4(Fraction(points) * Fraction(100 - percent, 100) ** periods)


def plain(value: Decimal) -> Decimal:
    """A number as tally writes it: no trailing zeros."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def score(lead: dict, events: list[dict], today: dt.date) -> dict:
    fired: list[tuple[str, Decimal]] = []
    title, employees = fold(lead["Job Title"]), read_number(lead["Employees"])
    fit = Decimal(0)
    for reason, hit, points in [
        ("Decision maker", title in {fold(t) for t in
                                     ["CEO", "CTO", "CFO", "COO", "VP", "Director", "Head of Marketing"]}, 20),
        ("ICP company size", employees is not None and 50 <= employees <= 2000, 10),
        ("Core market", fold(lead["Country"]) in {"us", "ca", "uk", "de", "nl", "se"}, 10),
    ]:
        if hit:
            fired.append((reason, Decimal(points)))
            fit += points
    fit = min(fit, Decimal(40))

    def of(kind: str) -> list[dict]:
        return [e for e in events if fold(e["kind"]) == kind]

    engagement = Decimal(0)

    def add(reason: str, points: Decimal) -> None:
        nonlocal engagement
        fired.append((reason, points))
        engagement += points

    webinars = of("webinar")
    if sum(1 for e in webinars if within(e["at"], 90, today)) >= 2:
        add("Webinar regular", Decimal(10))
    pages = {fold(e["page"]) for e in of("page_view") if within(e["at"], 30, today) and e["page"].strip()}
    if len(pages) >= 4:
        add("Browses widely", Decimal(5))
    if any(within(e["at"], 30, today) for e in of("trial_signup")):
        add("Started a trial", Decimal(15))

    def each(reason: str, kind: str, points, decay, cap: int, sign: int = 1) -> Decimal | None:
        chosen = of(kind)
        if not chosen:
            return None
        total = Decimal(0)
        for e in chosen:
            p = points(e)
            if p is None:
                continue
            total += decay(p, e)
        total = min(total, Decimal(cap))
        fired.append((reason, sign * total))
        return sign * total

    age = lambda e: (today - e["at"]).days
    for args in [
        ("Pricing views", "pricing_view", lambda e: Decimal(4),
         lambda p, e: half_life(p, age(e), 14), 12),
        ("Demo requests", "demo_request", lambda e: Decimal(25),
         lambda p, e: half_life(p, age(e), 30), 25),
        ("Email clicks", "email_click", lambda e: Decimal(2),
         lambda p, e: linear(p, age(e), 60), 8),
        ("Webinar minutes", "webinar",
         lambda e: None if e["minutes"] is None else round4(e["minutes"] / 10),
         lambda p, e: monthly(p, 50, e["at"], today), 12),
    ]:
        points = each(*args)
        if points is not None:
            engagement += points
    demo = read_date(lead["Last Demo Request"])
    if demo is not None:
        add("Demo asked in the CRM", monthly(Decimal(10), 50, min(demo, today), today))
    engagement = max(min(engagement, Decimal(70)), Decimal(0))

    total = fit + engagement
    last = max((e["at"] for e in events), default=None)
    if last is None or not within(last, 60, today):
        fired.append(("Gone quiet", Decimal(-15)))
        total -= 15
    unsubscribed = each("Unsubscribed", "unsubscribe", lambda e: Decimal(30), lambda p, e: p, 30, -1)
    if unsubscribed is not None:
        total += unsubscribed

    if total >= 55 and fit >= 30:
        stage = "SQL"
    elif total >= 40:
        stage = "MQL"
    else:
        stage = "Nurture"
    # `--explain` lists the rules that fired (an `each` rule fires when its
    # set is not empty, whatever its points come to), in file order.
    order = ["Decision maker", "ICP company size", "Core market", "Webinar regular",
             "Browses widely", "Started a trial", "Pricing views", "Demo requests",
             "Email clicks", "Webinar minutes", "Demo asked in the CRM", "Gone quiet",
             "Unsubscribed"]
    fired.sort(key=lambda r: order.index(r[0]))
    return {
        "Lead ID": lead["Lead ID"],
        "score": plain(total),
        "fit": plain(fit),
        "engagement": plain(engagement),
        "stage": stage,
        "reasons": [{"reason": r, "points": plain(p)} for r, p in fired],
    }


def oracle(leads_csv: str, events_csv: str, today: dt.date) -> list[dict]:
    leads = list(csv.DictReader(io.StringIO(leads_csv)))
    keys = {fold(lead["Lead ID"]) for lead in leads}
    by_key: dict[str, list[dict]] = {}
    counts = {"read": 0, "used": 0, "rejected": 0, "unmatched": 0, "future": 0}
    for row in csv.DictReader(io.StringIO(events_csv)):
        counts["read"] += 1
        at = read_date(row["Timestamp"])
        event = {"at": at, "kind": row["Event"], "page": row["Page"],
                 "minutes": read_number(row["Minutes"])}
        key = fold(row["Lead ID"])
        if at > today:
            counts["future"] += 1
        elif not key or key not in keys:
            counts["unmatched"] += 1
        else:
            counts["used"] += 1
            by_key.setdefault(key, []).append(event)
    rows = [score(lead, by_key.get(fold(lead["Lead ID"]), []), today) for lead in leads]
    return rows, counts


def to_json(row: dict) -> str:
    def number(value):
        if isinstance(value, Decimal):
            return json.loads(str(value))
        raise TypeError(value)

    text = json.dumps(row, ensure_ascii=False, default=number)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    leads, events = generate(random.Random(SEED))
    leads_path = os.path.join(args.out, "activity_leads.csv")
    events_path = os.path.join(args.out, "activity_events.csv")
    write_csv(leads_path, LEAD_HEADER, leads)
    write_csv(events_path, EVENT_HEADER, events)
    with open(leads_path, encoding="utf-8") as f:
        leads_csv = f.read()
    with open(events_path, encoding="utf-8") as f:
        events_csv = f.read()
    rows, counts = oracle(leads_csv, events_csv, AS_OF)
    with open(os.path.join(args.out, "activity_expected.ndjson"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(to_json(row) + "\n")
        f.write(json.dumps({"events": counts}) + "\n")


if __name__ == "__main__":
    main()
