#!/usr/bin/env python3
"""Generate examples/leads.csv and its oracle for examples/b2b_inbound.tally.

    python3 examples/generate_leads.py [--out DIR]

Writes four files into DIR (default: the directory of this script):

- leads_messy.csv       3,000 messy inbound leads, as a CRM export would give
                        them; about 1% of the rows are unreadable on purpose.
- leads.csv             the same leads without the unreadable rows: 2,970
                        leads that all score (the README's first command).
                        Both files end with a `converted` column (yes or
                        empty), drawn from the score plus noise, for
                        `tally backtest`, `calibrate` and `report`.
- expected.ndjson       for every readable lead, in input order, what
                        `tally score ... --as-of 2026-11-22 --explain` must
                        say: score, fit, engagement, stage, grade, reasons.
- expected.rejects.txt  the 1-based row numbers (header not counted) of the
                        unreadable rows, one per line.

Standard library only, fixed seed: running it again gives the same bytes.

The oracle (second half of this file) does not look at how the rows were
made. It reads leads.csv back with the `csv` module and scores each row
with a small, separate implementation of this one model's semantics, as
docs/language.md states them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import re
import sys

SEED = 20261122
ROWS = 3000
AS_OF = dt.date(2026, 11, 22)

HEADER = [
    "lead_id",
    "email",
    "Job Title",
    "industry",
    "employees",
    "country",
    "pages",
    "downloads",
    "webinars",
    "clicked_demo",
    "unsubscribed",
    "last_activity",
    "erp_installed",
    "notes",
]

# ---------------------------------------------------------------------------
# Part 1: the generator. Everything random comes from one seeded Random.
# ---------------------------------------------------------------------------

FIRST = [
    "ann", "bob", "chen", "dana", "eve", "farid", "gita", "hugo", "ines",
    "jon", "kim", "lena", "marco", "nora", "omar", "priya", "quinn", "rosa",
    "sven", "tara", "uma", "victor", "wei", "ximena", "yusuf", "zoe",
]
LAST = [
    "smith", "garcia", "mueller", "tanaka", "okafor", "silva", "novak",
    "dubois", "kowalski", "nguyen", "haddad", "larsen", "rossi", "patel",
    "kim", "obrien", "fischer", "moreau", "lopez", "singh",
]
COMPANIES = [
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne",
    "tyrell", "cyberdyne", "soylent", "wonka", "gringotts", "monarch",
    "vandelay", "pied-piper", "oscorp", "aperture", "blackmesa",
]
MAIL_DOMAINS = ["com", "io", "co.uk", "ca", "de", "net"]

# (weight, spellings)
TITLES = [
    (6, ["CEO", "ceo ", " Ceo", "CEO  ", "ceo"]),
    (6, ["VP", "Vp", "vp ", " VP", "vP"]),
    (3, ["Chief Revenue Officer", "chief revenue officer",
         " CHIEF REVENUE OFFICER ", "Chief revenue officer"]),
    (4, ["VP of Sales", "VP Marketing", "Chief Executive Officer", "CRO",
         "Co-founder & CEO", "Founder", "Director, Sales Ops", "CTO"]),
    (8, ["Manager", "manager", " MANAGER ", "Manager "]),
    (6, ["Marketing Manager", "Sales Manager", "Product Manager",
         "Manager, Demand Gen"]),
    (14, ["Engineer", "engineer", "Software Engineer", "Senior Engineer",
          "Data Analyst", "Analyst", "Consultant", "Account Executive",
          "Head of Growth", "Director of Marketing", "Office Manager "]),
    (5, ["Intern", "intern", "Student", "Marketing Intern"]),
    (1, ["Geschäftsführer", "Directeur général", "Jefe de Ventas"]),
    (6, [""]),
]
INDUSTRIES = [
    (14, ["Technology", "technology", " TECHNOLOGY", "Technology ",
          "tEcHnOlOgY"]),
    (5, ["Tech", "Information Technology", "Software", "High Tech"]),
    (30, ["Finance", "Healthcare", "Manufacturing", "Retail", "Education",
          "Government", "Media", "Logistics", "Energy", "Insurance",
          "Hospitality", "Non-profit"]),
    (8, [""]),
]
COUNTRIES = [
    (20, ["US", "us", "Us ", " US"]),
    (8, ["UK", "uk", " Uk"]),
    (6, ["CA", "ca", "CA "]),
    (8, ["United States", "USA", "GB", "Canada", "U.S."]),
    (24, ["DE", "FR", "IN", "AU", "BR", "NL", "ES", "JP", "SE", "MX", "ZA"]),
    (6, [""]),
]
PAGES = [
    (30, ["home", "Home", "HOME"]),
    (14, ["pricing", "Pricing", " PRICING ", "pricing "]),
    (14, ["blog", "features", "docs", "about", "contact", "integrations"]),
    (5, ["careers", "Careers", " careers"]),
    (4, ["pricing/enterprise", "pricing-faq", "career-stories"]),
]
DOWNLOADS = [
    (10, ["case-study", "Case-Study", " CASE-STUDY", "case-study "]),
    (14, ["whitepaper", "e-book", "checklist", "roi-calculator",
          "case-study-acme", "case-studies", "datasheet"]),
]
TRUE_SPELLINGS = ["true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y",
                  "1", "t", "T"]
FALSE_SPELLINGS = ["false", "False", "FALSE", "no", "No", "NO", "n", "N",
                   "0", "f", "F"]
NOTES = [
    "Asked about pricing, wants a call",
    'Said "call me next week"',
    "Met at booth 14\nfollow up in Q1",
    "Budget approved, \"maybe\" Q3",
    "Referred by partner; warm",
    "Bounced once, new email",
    "Wants SSO, SCIM and audit logs",
    "Duplicate of an older lead?",
    "Visited twice from the same IP",
    "Demo booked for Tuesday\n\"bring the CFO\"",
    "Salon à Paris, stand B",
    "Trial user, 3 seats",
    "no reply",
]

BAD_KINDS = ["employees", "webinars", "date", "bool", "lead_id"]


def pick(rng: random.Random, table: list[tuple[int, list[str]]]) -> str:
    """A weighted choice of a group, then a uniform choice inside it."""
    total = sum(weight for weight, _ in table)
    roll = rng.randrange(total)
    for weight, options in table:
        if roll < weight:
            return rng.choice(options)
        roll -= weight
    raise AssertionError("unreachable")


def day(base: dt.date, offset: int) -> str:
    return (base + dt.timedelta(days=offset)).isoformat()


def timestamp(rng: random.Random, date: dt.date) -> str:
    """An RFC 3339 timestamp whose *local* date is `date`."""
    hour = rng.choice([0, 1, 8, 9, 13, 17, 22, 23])
    minute = rng.choice([0, 15, 30, 45])
    second = rng.randrange(60)
    offset = rng.choice(["Z", "Z", "+00:00", "+02:00", "-05:00", "+05:30",
                         "-08:00", "+09:00", "+01:00", "-03:00"])
    frac = rng.choice(["", "", "", ".5", ".123"])
    return (f"{date.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}"
            f"{frac}{offset}")


def gen_last_activity(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.10:
        return ""
    if roll < 0.16:
        # Edges of `within 90 days`: 2026-08-24 is 90 days back, then
        # today, tomorrow, and the day before the window.
        date = rng.choice(["2026-08-24", "2026-08-23", "2026-11-22",
                           "2026-11-23", "2026-08-25", "2026-11-21"])
        if rng.random() < 0.4:
            # Timestamps whose UTC date differs from their local date.
            return rng.choice([
                "2026-08-23T22:30:00-05:00",  # UTC 2026-08-24: inside
                "2026-08-24T01:00:00+02:00",  # UTC 2026-08-23: outside
                "2026-11-22T23:30:00-02:00",  # UTC 2026-11-23: future
                "2026-11-23T01:30:00+02:00",  # UTC 2026-11-22: today
                "2026-11-20T23:30:00+02:00",
            ])
        return date
    if roll < 0.22:
        offset = rng.randrange(1, 25)  # a little in the future
    elif roll < 0.70:
        offset = -rng.randrange(0, 90)
    else:
        offset = -rng.randrange(90, 540)
    date = AS_OF + dt.timedelta(days=offset)
    if rng.random() < 0.25:
        return timestamp(rng, date)
    return date.isoformat()


def gen_erp(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return ""
    if roll < 0.52:
        return rng.choice(["2021-11-22", "2021-11-23", "2021-11-21",
                           "2020-02-29", "2022-11-22", "2027-01-15",
                           "2021-11-22T23:00:00-05:00",
                           "2021-11-23T00:30:00+01:00"])
    date = dt.date(2004, 1, 1) + dt.timedelta(days=rng.randrange(0, 8400))
    if rng.random() < 0.1:
        return timestamp(rng, date)
    return date.isoformat()


def gen_employees(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.10:
        return "  "
    if roll < 0.16:
        return rng.choice(["49", "50", "500", "501", " 120 ", "+75", "0"])
    # Log-uniform-ish, in integers only (no libm, so no platform drift).
    low = rng.choice([1, 10, 100, 1000, 10000])
    return str(rng.randrange(low, min(10 * low, 30000)))


def gen_list(rng: random.Random, table, most: int) -> str:
    count = rng.randrange(0, most + 1)
    items = [pick(rng, table) for _ in range(count)]
    if not items:
        return ""
    out = items[0]
    for item in items[1:]:
        out += rng.choice([";", ";", ";", "; ", " ;", ";;", "; ;"]) + item
    if rng.random() < 0.1:
        out += ";"
    return out


def gen_webinars(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.12:
        return ""
    if roll < 0.60:
        return "0"
    if roll < 0.93:
        return str(rng.randrange(1, 5))
    if roll < 0.96:
        return rng.choice([" 2", "3 ", " 1 ", "+2"])
    return str(rng.randrange(5, 16))


def gen_bool(rng: random.Random, p_true: float) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""
    if roll < 0.15 + p_true:
        return rng.choice(TRUE_SPELLINGS)
    return rng.choice(FALSE_SPELLINGS)


def gen_row(rng: random.Random, number: int) -> list[str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    email = f"{first}.{last}@{company}.{rng.choice(MAIL_DOMAINS)}"
    if rng.random() < 0.1:
        email = email.title()
    notes = rng.choice(NOTES) if rng.random() < 0.3 else ""
    return [
        f"L{number:05d}",
        email,
        pick(rng, TITLES),
        pick(rng, INDUSTRIES),
        gen_employees(rng),
        pick(rng, COUNTRIES),
        gen_list(rng, PAGES, 4),
        gen_list(rng, DOWNLOADS, 2),
        gen_webinars(rng),
        gen_bool(rng, 0.15),
        gen_bool(rng, 0.08),
        gen_last_activity(rng),
        gen_erp(rng),
        notes,
    ]


def spoil(rng: random.Random, row: list[str], kind: str, nth: int) -> None:
    """Make one row unreadable in one way (the `nth` of its kind)."""
    col = HEADER.index

    def one_of(options: list[str]) -> str:
        return options[nth % len(options)]

    if kind == "employees":
        row[col("employees")] = one_of(["about 50", "50-100", "~200"])
    elif kind == "webinars":
        row[col("webinars")] = one_of(["2.5", "1.5", "0.5"])
    elif kind == "date":
        which = rng.choice(["last_activity", "erp_installed"])
        row[col(which)] = one_of(["2026-02-30", "2025-02-29", "2026-04-31"])
    elif kind == "bool":
        which = rng.choice(["clicked_demo", "unsubscribed"])
        row[col(which)] = one_of(["maybe", "Maybe", "unknown"])
    elif kind == "lead_id":
        row[col("lead_id")] = ""


def csv_cell(rng: random.Random, value: str) -> str:
    if any(c in value for c in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    if rng.random() < 0.03:  # quoting that is not needed is still legal
        return '"' + value + '"'
    return value


def generate() -> tuple[list[str], list[int]]:
    """The records (CSV text, one per lead) and the unreadable rows."""
    rng = random.Random(SEED)
    rows = [gen_row(rng, n) for n in range(1, ROWS + 1)]
    bad = sorted(rng.sample(range(1, ROWS + 1), ROWS // 100))
    for i, number in enumerate(bad):
        kind = BAD_KINDS[i % len(BAD_KINDS)]
        spoil(rng, rows[number - 1], kind, i // len(BAD_KINDS))
    lines = [",".join(csv_cell(rng, value) for value in row) for row in rows]
    return lines, bad


def with_outcomes(lines: list[str], bad: list[int]) -> list[str]:
    """Each record with a `converted` column: whether the lead became a
    customer, drawn (fixed seed) from a known model of its own: the
    chance rises with the oracle's score, plus noise; the outcome model
    is not the scoring model, so `tally backtest` has something to find.
    """
    rng = random.Random(SEED + 1)
    header = ",".join(HEADER)
    scored, _ = oracle("\n".join([header] + lines) + "\n", AS_OF)
    scores = iter(row["score"] for row in scored)
    out = []
    for number, line in enumerate(lines, 1):
        score = 0 if number in bad else next(scores)
        chance = 0.02 + 0.55 * min(score, 100) / 100
        out.append(line + ("," + ("yes" if rng.random() < chance else "")))
    return out


def texts(lines: list[str], bad: list[int]) -> tuple[str, str]:
    """The messy file's text and the clean file's (no unreadable rows)."""
    header = ",".join(HEADER + ["converted"])
    lines = with_outcomes(lines, bad)
    unreadable = set(bad)
    clean = [line for n, line in enumerate(lines, 1) if n not in unreadable]
    return "\n".join([header] + lines) + "\n", "\n".join([header] + clean) + "\n"


# ---------------------------------------------------------------------------
# Part 2: the oracle. Reads the CSV text back; knows nothing of part 1.
# ---------------------------------------------------------------------------


class Unreadable(Exception):
    pass


def norm(text: str) -> str:
    """Text comparison ignores case and surrounding whitespace."""
    return text.strip().lower()


def read_text(cell: str) -> str | None:
    return None if cell == "" else cell


def read_int(cell: str) -> int | None:
    text = cell.strip(" ")
    if text == "":
        return None
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise Unreadable(f"not an int: {cell!r}")
    return int(text)


def read_bool(cell: str) -> bool | None:
    if cell == "":
        return None
    low = cell.lower()
    if low in ("true", "yes", "y", "1", "t"):
        return True
    if low in ("false", "no", "n", "0", "f"):
        return False
    raise Unreadable(f"not a bool: {cell!r}")


RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"(Z|[+-]\d{2}:\d{2})"
)


def read_date(cell: str) -> dt.date | None:
    if cell == "":
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
            y, m, d = map(int, cell.split("-"))
            return dt.date(y, m, d)
        match = RFC3339.fullmatch(cell)
        if match:
            y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
            local = dt.datetime(y, mo, d, h, mi, s)
            zone = match.group(8)
            if zone == "Z":
                shift = dt.timedelta(0)
            else:
                sign = 1 if zone[0] == "+" else -1
                shift = sign * dt.timedelta(hours=int(zone[1:3]),
                                            minutes=int(zone[4:6]))
            return (local - shift).date()  # the UTC date
    except ValueError as error:
        raise Unreadable(f"not a date: {cell!r}") from error
    raise Unreadable(f"not a date: {cell!r}")


def read_list(cell: str) -> list[str] | None:
    if cell == "":
        return None
    return [item.strip() for item in cell.split(";") if item.strip() != ""]


def years_since(date: dt.date, today: dt.date) -> int:
    years = today.year - date.year
    if (today.month, today.day) < (date.month, date.day):
        years -= 1
    return years


def within_days(date: dt.date, days: int, today: dt.date) -> bool:
    return today - dt.timedelta(days=days) <= date <= today


def t_not(value: bool | None) -> bool | None:
    return None if value is None else not value


def cap(value: int, high: int | None, low: int | None) -> int:
    if high is not None and value > high:
        value = high
    if low is not None and value < low:
        value = low
    return value


def score_lead(rec: dict[str, str], today: dt.date) -> dict:
    """Score one CSV record (column -> cell) or raise Unreadable."""
    lead_id = read_text(rec["lead_id"])
    if lead_id is None:
        raise Unreadable("lead_id is required")
    job_title = read_text(rec["Job Title"])
    industry = read_text(rec["industry"])
    employees = read_int(rec["employees"])
    country = read_text(rec["country"])
    pages = read_list(rec["pages"])
    downloads = read_list(rec["downloads"])
    webinars = read_int(rec["webinars"])
    clicked_demo = read_bool(rec["clicked_demo"])
    unsubscribed = read_bool(rec["unsubscribed"])
    last_activity = read_date(rec["last_activity"])
    erp_installed = read_date(rec["erp_installed"])

    def text_in(value, options):
        if value is None:
            return None
        return norm(value) in {norm(o) for o in options}

    def text_eq(value, other):
        return None if value is None else norm(value) == norm(other)

    def list_contains(items, wanted):
        if items is None:
            return None
        return norm(wanted) in {norm(i) for i in items}

    def gt(a, b):
        return None if a is None else a > b

    def ge(a, b):
        return None if a is None else a >= b

    def between(a, lo, hi):
        return None if a is None else lo <= a <= hi

    decision_makers = ["CEO", "VP", "Chief Revenue Officer"]
    icp_countries = ["US", "UK", "CA"]
    ys = None if erp_installed is None else years_since(erp_installed, today)
    recent = (None if last_activity is None
              else within_days(last_activity, 90, today))

    # (group, condition, points or None when missing, reason), file order
    rules = [
        ("fit", text_in(job_title, decision_makers), 20, "Decision maker"),
        ("fit", text_eq(job_title, "Manager"), 10,
         'job_title == "Manager"'),
        ("fit", text_eq(industry, "Technology"), 15,
         'industry == "Technology"'),
        ("fit", between(employees, 50, 500), 10, "ICP company size"),
        ("fit", text_in(country, icp_countries), 5,
         "country in icp_countries"),
        ("fit", ge(ys, 5), 10, "ERP near end of life"),
        ("engagement", list_contains(pages, "pricing"), 15,
         'pages contains "pricing"'),
        ("engagement", list_contains(downloads, "case-study"), 10,
         'downloads contains "case-study"'),
        ("engagement", gt(webinars, 0),
         None if webinars is None else 5 * webinars, "Webinars"),
        ("engagement", clicked_demo, 25, "clicked_demo"),
        ("engagement", unsubscribed, -10, "unsubscribed"),
        ("engagement", list_contains(pages, "careers"), -5, "Job seeker"),
        ("engagement", t_not(recent), -15, "Silent for a quarter"),
    ]
    totals = {"fit": 0, "engagement": 0}
    reasons = []
    for group, condition, points, reason in rules:
        if condition is True and points is not None:
            totals[group] += points
            reasons.append({"reason": reason, "points": points})
    fit = cap(totals["fit"], 50, None)
    engagement = cap(totals["engagement"], 60, 0)
    score = fit + engagement
    if score >= 50 and fit >= 20:
        stage = "SQL"
    elif score >= 25:
        stage = "MQL"
    else:
        stage = "Nurture"
    grade = "A" if fit >= 40 else "B" if fit >= 20 else "C"
    return {
        "lead_id": lead_id,
        "score": score,
        "fit": fit,
        "engagement": engagement,
        "stage": stage,
        "grade": grade,
        "reasons": reasons,
    }


def oracle(csv_text: str, today: dt.date) -> tuple[list[dict], list[int]]:
    reader = csv.reader(io.StringIO(csv_text, newline=""), strict=True)
    header = next(reader)
    scored, rejected = [], []
    for number, cells in enumerate(reader, start=1):
        if len(cells) != len(header):
            rejected.append(number)
            continue
        try:
            scored.append(score_lead(dict(zip(header, cells)), today))
        except Unreadable:
            rejected.append(number)
    return scored, rejected


# ---------------------------------------------------------------------------


def write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.dirname(
        os.path.abspath(__file__)), help="where to write the files")
    args = parser.parse_args()

    lines, planted = generate()
    csv_text, clean_text = texts(lines, planted)
    scored, rejected = oracle(csv_text, AS_OF)
    if rejected != planted:
        print(f"oracle rejects {rejected}, generator planted {planted}",
              file=sys.stderr)
        return 1
    if oracle(clean_text, AS_OF) != (scored, []):
        print("the clean file does not score as the messy file's readable rows",
              file=sys.stderr)
        return 1

    os.makedirs(args.out, exist_ok=True)
    write(os.path.join(args.out, "leads_messy.csv"), csv_text)
    write(os.path.join(args.out, "leads.csv"), clean_text)
    write(os.path.join(args.out, "expected.ndjson"), "".join(
        json.dumps(row, ensure_ascii=False) + "\n" for row in scored))
    write(os.path.join(args.out, "expected.rejects.txt"),
          "".join(f"{n}\n" for n in rejected))
    print(f"{len(scored) + len(rejected)} leads: {len(scored)} scored, "
          f"{len(rejected)} unreadable -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
