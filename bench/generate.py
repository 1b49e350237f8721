#!/usr/bin/env python3
"""Generate a messy lead CSV for the scoring benchmark (bench/scale.tally).

    python3 bench/generate.py --rows 1000000 --out bench/data/leads_1m.csv

Standard library only, fixed seed: the same --rows gives the same bytes,
and a file of N rows starts with the same rows as any longer one.

The file looks like a CRM export: 14 columns, about 100 bytes a row, text
in mixed case with stray spaces, empty and blank cells, `;`-separated lists
with sloppy separators, numbers with signs and spaces, dates and RFC 3339
timestamps (some whose UTC date differs from their local date), and a
free-text `notes` column with quoted commas, quotes and newlines. About
0.3% of the rows cannot be read on purpose (a bad number, bool or date, or
no lead id): every tool must reject those rows and only those.

With --converted, each row ends with a `converted` column (`yes` or
empty) drawn from a known model of the raw values plus noise: log-odds
-3, +1.0 for a decision-maker title, +0.6 for an ICP industry, -0.5 for
a free-mail address, +0.8 for a pricing page view, +1.2 for a demo
request, +0.4 for any webinar, -1.0 for an unsubscribe. The other columns
are the same bytes as without it (`tally backtest`, `calibrate`, `diff`
and `report` are measured on such a file).

With --accounts N, each row ends (after `converted`, if asked for) with a
`company` column naming one of N accounts, drawn uniformly, spelled
messily: `Company 123`, `COMPANY 123`, ` company 123`, `Company 123  `
(all one account under `==`), blank in about 2% of the rows (no
account). The other columns are the same bytes as without it
(bench/accounts.tally is measured on such a file).

Speed: every row is one lead id plus two halves drawn from pools of
pre-rendered halves (65,536 each, so 4 billion combinations), picked with
a seeded PRNG a chunk at a time; 10M rows take well under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys

SEED = 20261122
AS_OF = dt.date(2026, 11, 22)
POOL = 1 << 16
CHUNK = 100_000

HEADER = [
    "lead_id", "email", "Job Title", "industry", "employees", "revenue",
    "country", "source", "pages", "webinars", "clicked_demo",
    "unsubscribed", "last_activity", "notes",
]

FIRST = ["ann", "bob", "chen", "dana", "eve", "farid", "gita", "hugo",
         "ines", "jon", "kim", "lena", "marco", "nora", "omar", "priya",
         "quinn", "rosa", "sven", "tara", "uma", "victor", "wei", "zoe"]
LAST = ["smith", "garcia", "mueller", "tanaka", "okafor", "silva", "novak",
        "dubois", "nguyen", "haddad", "larsen", "rossi", "patel", "kim",
        "obrien", "fischer", "moreau", "lopez", "singh"]
COMPANIES = ["acme", "globex", "initech", "umbrella", "hooli", "stark",
             "wayne", "tyrell", "cyberdyne", "soylent", "wonka", "monarch",
             "vandelay", "pied-piper", "oscorp", "aperture"]
WORK_TLDS = ["com", "io", "co.uk", "ca", "de", "net"]
FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
             "GMail.com", "Yahoo.COM", "gmail.com.au", "outlook.co.uk"]

# (weight, spellings): a weighted group, then a uniform spelling in it.
TITLES = [
    (5, ["CEO", "ceo ", " Ceo", "CEO  "]),
    (4, ["CTO", "cto", "CFO", " cfo"]),
    (5, ["VP", "Vp", "vp ", " VP"]),
    (2, ["Chief Revenue Officer", " CHIEF REVENUE OFFICER ", "founder",
         "Founder", "Head of Sales", "head of sales "]),
    (4, ["VP of Sales", "Chief Executive Officer", "Co-founder & CEO",
         "Director, Sales Ops", "Head of Growth"]),
    (10, ["Manager", " MANAGER ", "Marketing Manager", "Sales manager",
          "Office Manager ", "Product Manager", "Manager, Demand Gen"]),
    (14, ["Engineer", "Software Engineer", "Data Analyst", "Analyst",
          "Consultant", "Account Executive", "Director of Marketing"]),
    (4, ["Intern", "intern", " Internal Auditor", "Student",
         "PhD student", "Marketing Intern"]),
    (1, ["Geschäftsführer", "Directeur général", "ÉTUDIANT", "Jefe de Ventas"]),
    (5, [""]),
    (1, [" ", "  "]),
]
INDUSTRIES = [
    (12, ["Technology", "technology", " TECHNOLOGY", "Software", "software ",
          "SaaS", "saas", "Financial Services", "financial services"]),
    (4, ["Tech", "Information Technology", "High Tech", "Finance"]),
    (24, ["Healthcare", "Manufacturing", "Retail", "Education",
          "Government", "Media", "Logistics", "Energy", "Insurance"]),
    (6, [""]),
]
COUNTRIES = [
    (20, ["US", "us", "Us ", " US"]),
    (10, ["UK", "uk", "CA", "ca ", "DE", "FR", "nl"]),
    (6, ["United States", "USA", "GB", "Canada", "U.S."]),
    (20, ["IN", "AU", "BR", "ES", "JP", "SE", "MX", "ZA", "IT", "PL"]),
    (5, [""]),
    (1, [" "]),
]
SOURCES = [
    (8, ["Referral", "referral", " REFERRAL", "Referral "]),
    (12, ["paid-search", "Paid-Search", "paid-social", "Display",
          "display "]),
    (20, ["Organic", "organic", "Webinar", "Event", "Partner", "Direct",
          "Paid search"]),
    (6, [""]),
]
PAGES = [
    (30, ["home", "Home", "HOME"]),
    (12, ["pricing", "Pricing", " PRICING ", "pricing "]),
    (8, ["demo", "Demo", "trial", "contact-sales", "Contact-Sales"]),
    (16, ["blog", "features", "docs", "about", "integrations"]),
    (4, ["careers", "Careers", " careers"]),
    (3, ["pricing/enterprise", "demo-video", "career-stories"]),
]
TRUE_SPELLINGS = ["true", "True", "TRUE", "yes", "Yes", "y", "Y", "1",
                  "t", "T", " yes "]
FALSE_SPELLINGS = ["false", "False", "FALSE", "no", "No", "n", "N", "0",
                   "f", "F", " no"]
NOTES = [
    "Asked about pricing, wants a call",
    'Said "call me next week"',
    "Met at booth 14\nfollow up in Q1",
    "Budget approved, \"maybe\" Q3",
    "no budget until March",
    "BUDGET?",
    "Referred by partner; warm",
    "Wants SSO, SCIM and audit logs",
    "Demo booked for Tuesday\n\"bring the CFO\"",
    "Salon à Paris, stand B",
    "Trial user, 3 seats",
    "no reply",
]

# Unreadable values, planted in about 0.3% of the rows.
BAD_EMPLOYEES = ["about 50", "50-100", "1,200", "12.5", "~200"]
BAD_REVENUE = ["$12M", "1e3", "12,5", "n/a", ".5"]
BAD_WEBINARS = ["2.5", "two", "1.5"]
BAD_BOOLS = ["maybe", "Maybe", "unknown", "2"]
BAD_DATES = ["2026-02-30", "2025-02-29", "2026-13-01", "11/03/2026",
             "2026-4-1"]


def pick(rng: random.Random, table: list[tuple[int, list[str]]]) -> str:
    total = sum(weight for weight, _ in table)
    roll = rng.randrange(total)
    for weight, options in table:
        if roll < weight:
            return rng.choice(options)
        roll -= weight
    raise AssertionError("unreachable")


def cell(rng: random.Random, value: str) -> str:
    """RFC 4180 quoting, plus some quoting that is legal but not needed."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    if value and rng.random() < 0.02:
        return '"' + value + '"'
    return value


def timestamp(rng: random.Random, date: dt.date) -> str:
    """An RFC 3339 timestamp whose local date is `date`."""
    hour = rng.choice([0, 1, 9, 13, 17, 22, 23])
    minute = rng.choice([0, 15, 30, 45])
    frac = rng.choice(["", "", ".5", ".123"])
    zone = rng.choice(["Z", "+00:00", "+02:00", "-05:00", "+05:30",
                       "-08:00", "+09:00", "-03:30"])
    return (f"{date.isoformat()}T{hour:02d}:{minute:02d}:"
            f"{rng.randrange(60):02d}{frac}{zone}")


def gen_email(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.06:
        return ""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if roll < 0.30:
        domain = rng.choice(FREE_MAIL)
    else:
        domain = f"{rng.choice(COMPANIES)}.{rng.choice(WORK_TLDS)}"
    name = f"{first}.{last}" if rng.random() < 0.4 else f"{first[0]}{last}"
    email = f"{name}@{domain}"
    if rng.random() < 0.05:
        email = email.title()
    if rng.random() < 0.02:
        email += " "
    return email


def gen_employees(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.09:
        return "  "
    if roll < 0.15:
        return rng.choice(["49", "50", "1000", "1001", "5000", "5001",
                           " 120 ", "+75", "0", "300.0", "-3"])
    low = rng.choice([1, 10, 100, 1000, 10000])
    return str(rng.randrange(low, 10 * low))


def gen_revenue(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return ""
    if roll < 0.30:
        return rng.choice(["1", "0.99", "1.00", "30", "30.01", " 2.5",
                           "+4", "-1.5", "0", "100.00"])
    whole = rng.choice([0, 1, 3, 10, 45, 250])
    return f"{whole + rng.randrange(0, 40)}.{rng.randrange(100):02d}" \
        if rng.random() < 0.6 else str(whole + rng.randrange(0, 40))


def gen_pages(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.10:
        return ""
    if roll < 0.12:
        return rng.choice([" ", ";", " ; ;"])
    count = rng.choice([1, 1, 1, 2, 2, 3, 5, 6])
    out = pick(rng, PAGES)
    for _ in range(count - 1):
        out += rng.choice([";", ";", ";", "; ", " ;", ";;"]) + pick(rng, PAGES)
    if rng.random() < 0.05:
        out += ";"
    return out


def gen_webinars(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""
    if roll < 0.60:
        return "0"
    if roll < 0.92:
        return str(rng.randrange(1, 5))
    if roll < 0.96:
        return rng.choice([" 2", "3 ", "+1", "2.0"])
    return str(rng.randrange(5, 12))


def gen_bool(rng: random.Random, p_true: float) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""
    if roll < 0.15 + p_true:
        return rng.choice(TRUE_SPELLINGS)
    return rng.choice(FALSE_SPELLINGS)


def gen_last_activity(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.14:
        # The edges of `within 30 days` and `within 180 days`.
        if rng.random() < 0.3:
            return rng.choice([
                "2026-10-22T23:30:00-02:00",  # UTC 2026-10-23: inside 30
                "2026-10-23T01:00:00+02:00",  # UTC 2026-10-22: outside 30
                "2026-11-22T23:30:00-02:00",  # UTC 2026-11-23: the future
                "2026-11-23T01:30:00+05:30",  # UTC 2026-11-22: today
                "2026-05-25T22:00:00-03:00",  # UTC 2026-05-26: inside 180
            ])
        return rng.choice(["2026-10-23", "2026-10-22", "2026-11-22",
                           "2026-11-23", "2026-05-26", "2026-05-25",
                           " 2026-11-01 "])
    if roll < 0.18:
        offset = rng.randrange(1, 40)      # in the future
    elif roll < 0.60:
        offset = -rng.randrange(0, 180)
    else:
        offset = -rng.randrange(180, 900)
    date = AS_OF + dt.timedelta(days=offset)
    if rng.random() < 0.2:
        return timestamp(rng, date)
    return date.isoformat()


DECISION_MAKERS = {"ceo", "cto", "cfo", "vp", "chief revenue officer",
                   "founder", "head of sales"}
ICP = {"technology", "software", "saas", "financial services"}


def truthy(cell_text: str) -> bool:
    return cell_text.strip().lower() in {"true", "yes", "y", "1", "t"}


def logit_a(values: list[str]) -> float:
    """The outcome model's part from email, title and industry."""
    email, title, industry = values[0].lower(), values[1], values[2]
    free = any(email.strip().endswith("@" + d.lower()) for d in FREE_MAIL)
    return (1.0 * (title.strip().lower() in DECISION_MAKERS)
            + 0.6 * (industry.strip().lower() in ICP) - 0.5 * free)


def logit_b(values: list[str]) -> float:
    """The outcome model's part from pages, webinars, demo, unsubscribe."""
    try:
        webinars = int(values[1].strip() or 0)
    except ValueError:
        webinars = 0
    return (0.8 * ("pricing" in values[0].lower()) + 0.4 * (webinars > 0)
            + 1.2 * truthy(values[2]) - 1.0 * truthy(values[3]))


def gen_half_a(rng: random.Random) -> tuple[str, float]:
    """email .. source (7 columns), and its part of the outcome's log-odds."""
    values = [gen_email(rng), pick(rng, TITLES), pick(rng, INDUSTRIES),
              gen_employees(rng), gen_revenue(rng), pick(rng, COUNTRIES),
              pick(rng, SOURCES)]
    logit = logit_a(values)
    if rng.random() < 0.0015:
        if rng.random() < 0.5:
            values[3] = rng.choice(BAD_EMPLOYEES)
        else:
            values[4] = rng.choice(BAD_REVENUE)
    return ",".join(cell(rng, v) for v in values), logit


def gen_half_b(rng: random.Random) -> tuple[str, float]:
    """pages .. notes (6 columns), and its part of the outcome's log-odds."""
    values = [gen_pages(rng), gen_webinars(rng), gen_bool(rng, 0.12),
              gen_bool(rng, 0.06), gen_last_activity(rng),
              rng.choice(NOTES) if rng.random() < 0.25 else ""]
    logit = logit_b(values)
    if rng.random() < 0.0012:
        which = rng.randrange(3)
        if which == 0:
            values[1] = rng.choice(BAD_WEBINARS)
        elif which == 1:
            values[rng.choice([2, 3])] = rng.choice(BAD_BOOLS)
        else:
            values[4] = rng.choice(BAD_DATES)
    return ",".join(cell(rng, v) for v in values), logit


def gen_company(draw, accounts: int) -> str:
    """One of `accounts` company names, messily spelled, or blank (2%)."""
    roll = draw()
    if roll < 0.02:
        return ""
    name = f"Company {int(draw() * accounts)}"
    if roll < 0.06:
        return name.upper()
    if roll < 0.08:
        return " " + name.lower()
    if roll < 0.10:
        return name + "  "
    return name


def generate(rows: int, out, converted: bool = False,
             accounts: int = 0) -> None:
    rng = random.Random(SEED)
    half_a, logit_a_of = zip(*[gen_half_a(rng) for _ in range(POOL)])
    half_b, logit_b_of = zip(*[gen_half_b(rng) for _ in range(POOL)])
    header = (HEADER + (["converted"] if converted else [])
              + (["company"] if accounts else []))
    out.write(",".join(cell(random.Random(0), h) for h in header) + "\n")
    # One stream per column group, one draw per row each: a file of N rows
    # is the first N rows of any longer one.
    draw_a = random.Random(SEED + 1).random
    draw_b = random.Random(SEED + 2).random
    draw_id = random.Random(SEED + 3).random
    draw_outcome = random.Random(SEED + 4).random
    draw_company = random.Random(SEED + 5).random
    for start in range(1, rows + 1, CHUNK):
        n = min(CHUNK, rows + 1 - start)
        ia = [int(draw_a() * POOL) for _ in range(n)]
        ib = [int(draw_b() * POOL) for _ in range(n)]
        a = [half_a[i] for i in ia]
        b = [half_b[i] for i in ib]
        # About 0.02% of the rows have no lead id (a required field).
        ids = [f"L{i:08d}" if draw_id() >= 0.0002 else ""
               for i in range(start, start + n)]
        columns = [ids, a, b]
        if converted:
            chance = [1 / (1 + math.exp(3.0 - logit_a_of[i] - logit_b_of[j]))
                      for i, j in zip(ia, ib)]
            columns.append(["yes" if draw_outcome() < c else "" for c in chance])
        if accounts:
            columns.append([gen_company(draw_company, accounts)
                            for _ in range(n)])
        out.write("\n".join(map(",".join, zip(*columns))))
        out.write("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--converted", action="store_true",
                        help="add a converted column drawn from a known model")
    parser.add_argument("--accounts", type=int, default=0,
                        help="add a company column naming one of N accounts")
    args = parser.parse_args()
    directory = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(directory, exist_ok=True)
    partial = args.out + ".partial"
    with open(partial, "w", encoding="utf-8", newline="",
              buffering=1 << 22) as out:
        generate(args.rows, out, args.converted, args.accounts)
    os.replace(partial, args.out)
    size = os.path.getsize(args.out)
    print(f"{args.out}: {args.rows} rows, {size / 1e6:.1f} MB, "
          f"{size / max(args.rows, 1):.0f} bytes/row", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
