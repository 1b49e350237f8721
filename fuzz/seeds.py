#!/usr/bin/env python3
"""Write the fuzz targets' seed corpora (fuzz/seeds/TARGET/) from the
repository's own models and lead files: run it again when they change.

model:    every *.tally file, the conformance cases' models, the `tally`
          blocks of docs/language.md and the models written as string
          literals in tests/*.rs.
leads:    the head of examples/leads.csv, the same leads as NDJSON, and
          the same rows in the shapes a CSV reader must handle (quotes,
          CRLF, lone CR, BOM, a quote left open, bad UTF-8, ...).
splitter: a delimiter byte, then lines from the same CSV files.
"""

import csv
import hashlib
import io
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    digest = hashlib.sha1(data).hexdigest()[:12]
    path = SEEDS / target / f"{name}-{digest}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def sections(case):
    """The `--- NAME` sections of a conformance case."""
    parts = re.split(r"^--- (\S+)\n", case, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


RUST_STRING = re.compile(r'r(#*)"(fields \{.*?)"\1|"(fields \{(?:[^"\\]|\\.)*)"', re.S)


def rust_unescape(text):
    text = re.sub(r"\\\n\s*", "", text)  # a line continuation
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "0": "\0", "'": "'"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


def models():
    for path in sorted(ROOT.glob("**/*.tally")):
        if "target" not in path.parts and "fuzz" not in path.parts:
            yield path.stem, path.read_bytes()
    for path in sorted((ROOT / "tests" / "conformance").glob("*.case")):
        model = sections(path.read_text()).get("model")
        if model:
            yield "case-" + path.stem, model
    docs = (ROOT / "docs" / "language.md").read_text()
    for i, block in enumerate(re.findall(r"```tally(?:-error)?\n(.*?)```", docs, re.S)):
        yield f"doc-{i}", block
    for path in sorted((ROOT / "tests").glob("*.rs")):
        for i, m in enumerate(RUST_STRING.finditer(path.read_text())):
            raw, escaped = m.group(2), m.group(3)
            text = raw if raw is not None else rust_unescape(escaped)
            if "{" not in text.replace("{{", "") or "{{" in text:
                continue  # a format! template, not a model
            yield f"{path.stem}-{i}", text


def csv_files():
    lines = (ROOT / "examples" / "leads.csv").read_text().splitlines(keepends=True)
    yield "examples", "".join(lines[:12])
    for path in sorted((ROOT / "tests" / "conformance").glob("*.case")):
        leads = sections(path.read_text()).get("leads.csv")
        if leads:
            yield "case-" + path.stem, leads


def lead_shapes(head):
    """The example rows in the shapes a reader must handle."""
    header, *rows = head.splitlines(keepends=True)
    body = "".join(rows[:4])
    yield "plain", header + body
    yield "crlf", (header + body).replace("\n", "\r\n")
    yield "lone-cr", (header + body).replace("\n", "\r")
    yield "mixed", header + body.replace("\n", "\r", 2)
    yield "bom", "\ufeff" + header + body
    yield "no-final-newline", (header + body).rstrip("\n")
    yield "open-quote", header + body + rows[5].rstrip("\n")[:40] + ',"never closed'
    yield "quoted", header + body + rows[5].replace(",", ',"a ""b""\nc",', 1)
    yield "short-row", header + "L9,x\n" + body
    yield "blank-lines", header + "\n\n" + body + "\n"
    yield "header-only", header
    yield "bad-values", header + rows[1].replace("2026", "20x6")
    data = (header + body).encode()
    cut = data.rfind(b"@")
    write("leads", "bad-utf8", data[:cut] + b"\xff\xfe" + data[cut:])
    write("leads", "nul", data.replace(b",", b",\0", 3))


def ndjson(head):
    rows = list(csv.DictReader(io.StringIO(head)))
    lines = [json.dumps(row) for row in rows[:6]]
    yield "objects", "\n".join(lines) + "\n"
    typed = dict(rows[0], employees=120, webinars=2, clicked_demo=True, pages=["pricing", "blog"])
    yield "typed", json.dumps(typed) + "\n" + json.dumps({"lead_id": None}) + "\n"
    yield "not-objects", lines[0] + "\n[1,2]\n42\n\"text\"\nnull\n{\"lead_id\": \"L1\", \"lead_id\": \"L2\"}\n{broken\n"


def main():
    for target in ("model", "leads", "splitter"):
        for old in (SEEDS / target).glob("*"):
            old.unlink()
    for name, model in models():
        write("model", name, model)
    files = dict(csv_files())
    for name, text in lead_shapes(files["examples"]):
        write("leads", "csv-" + name, text)
    for name, text in ndjson(files["examples"]):
        write("leads", "ndjson-" + name, text)
    for name, text in files.items():
        for delimiter in (",", ";"):
            text2 = text if delimiter == "," else text.replace(",", ";")
            # The target's first byte picks the delimiter: 0 `,`, 1 `;`.
            pick = bytes([[",", ";"].index(delimiter)])
            write("splitter", f"{name}-{pick[0]}", pick + text2.encode())


if __name__ == "__main__":
    main()
