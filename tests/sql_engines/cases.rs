//! The fixed models: conformance cases, examples, the benchmark model.

use std::path::Path;

use tally::value::{parse_date_literal, Date};

use super::generate;
use super::harness::Job;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn as_of() -> Date {
    parse_date_literal("2026-11-22").unwrap()
}

/// A CSV file's header and rows (a BOM is dropped, as `tally score` does).
pub fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (0..header.len())
                .map(|i| Some(r.get(i).unwrap_or("").to_string()))
                .collect()
        })
        .collect();
    (header, rows)
}

fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("--- ") {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
        }
    }
    out
}

/// Each `score` case with CSV leads whose model checks cleanly. Cases
/// with an events file are run by `events.rs` (which loads the events
/// tables); a model with an `account` block is compared with the binary's
/// results, after its account passes (`harness.rs`).
pub fn conformance() -> Vec<Job> {
    let mut paths: Vec<_> = std::fs::read_dir(root().join("tests/conformance"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    let mut jobs = Vec::new();
    for path in paths {
        let parts = sections(&std::fs::read_to_string(&path).unwrap());
        let get = |key: &str| parts.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let events = parts.iter().any(|(k, _)| k.starts_with("events."));
        if get("command").is_some() || events {
            continue;
        }
        let (Some(model), Some(leads)) = (get("model"), get("leads.csv")) else {
            continue;
        };
        let compiled = tally::compile(&tally::source::Source::new("case", model.clone()));
        if compiled.model.is_none() {
            continue;
        }
        let (columns, rows) = read_csv(&leads);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        jobs.push(Job {
            name,
            model,
            columns,
            rows,
            as_of: as_of(),
            engine_today: false,
        });
    }
    assert!(
        jobs.len() >= 8,
        "only {} conformance cases found",
        jobs.len()
    );
    assert!(
        jobs.iter().any(|j| j.name == "15_accounts"),
        "the accounts case runs in the engines too"
    );
    jobs
}

/// The example models: `b2b_inbound` over `examples/leads.csv`,
/// `saas_trial` (whose columns that file lacks) over generated leads,
/// `committee` (accounts) over `examples/committee_leads.csv`.
pub fn examples() -> Vec<Job> {
    let read = |name: &str| std::fs::read_to_string(root().join(name)).unwrap();
    let (columns, rows) = read_csv(&read("examples/leads.csv"));
    let b2b = Job {
        name: "b2b_inbound".to_string(),
        model: read("examples/b2b_inbound.tally"),
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    };
    let model = read("examples/saas_trial.tally");
    let (columns, rows) = generate::leads_for(&model, 3000, 11);
    let saas = Job {
        name: "saas_trial".to_string(),
        model,
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    };
    // Accounts (language 1.1): the committee example over its leads.
    let (columns, rows) = read_csv(&read("examples/committee_leads.csv"));
    let committee = Job {
        name: "committee".to_string(),
        model: read("examples/committee.tally"),
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    };
    vec![b2b, saas, committee]
}

/// The benchmark model over generated messy leads of its fields.
pub fn bench_scale() -> Job {
    let model = std::fs::read_to_string(root().join("bench/scale.tally")).unwrap();
    let (columns, rows) = generate::leads_for(&model, 3000, 7);
    Job {
        name: "bench_scale".to_string(),
        model,
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    }
}

/// Names, labels, reasons and text that would break naive SQL: quotes of
/// every kind, a comment opener, a newline in a reason, a semicolon.
pub fn hostile() -> Job {
    let model = r#"model "x'; DROP TABLE leads; --"
fields {
  `it's "odd"`: text from "col ' \" ` -- /*"
  `l;l`:        list sep "';"
  n:            number from "n*/"
}
group `g "1"` max 10 {
  when `it's "odd"` == "a'b\" -- c" add 5 "reason\n-- with a newline; DROP TABLE x"
  when `it's "odd"` in ["'", "\"", "*/", ";"] add 3
  when `l;l` contains "x'y" add 2 "*/ SELECT 1; /*"
}
when n > 0 add n
if `g "1"` >= 5 then `Won't "stop"`
else "'; --"
tier `t'` {
  if stage == `Won't "stop"` then `'`
  else "\""
}
"#
    .to_string();
    let (columns, mut rows) = generate::leads_for(&model, 200, 5);
    let odd = ["a'b\" -- c", "'", "\"", "*/", ";", " A'B\" -- C "];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = Some(odd[i % odd.len()].to_string());
        row[1] = Some(["x'y", "x'y';z", "';'", ""][i % 4].to_string());
    }
    Job {
        name: "hostile".to_string(),
        model,
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    }
}

/// Hand-picked values at the edges of the semantics: division ties and
/// signs, rounding half away from zero, month ends and leap days, date-times
/// whose UTC day differs, a leap second, Unicode whitespace and case.
pub fn edges() -> Job {
    let model = r#"fields {
  n: number
  m: number
  d: date
  t: text
  l: list
}
group quotient { when n is present add n / m "e1" }
group rounded { when n is present add round(n, 1) "e2" }
group rounded_quotient { when n is present add round(n / m, 2) "e3" }
group days { when d is present add days_since(d) "e4" }
group months { when d is present add months_since(d) "e5" }
group years { when d is present add years_since(d) "e6" }
group shifted { when d + 1 month == 2025-02-28 or d - 1 year == 2023-02-28 add 1 "e7" }
group window { when d within 1 month add 1 "e8" }
group texts {
  when t == "ceo" add 1
  when t == "διευθυντής" add 2
  when t == "i̇stanbul" add 4
  when t in l add 8
  when t starts with "ce" add 16
  when t ends with "ής" add 32
}
"#
    .to_string();
    let numbers = [
        ("1", "32"),
        ("-1", "32"),
        ("1", "3"),
        ("2", "3"),
        ("-2", "3"),
        ("5", "0"),
        ("0.00005", "1"),
        ("-0.00005", "1"),
        ("0.25", "1"),
        ("-0.25", "1"),
        ("0.35", "-1"),
        ("123456789012.5", "0.5"),
        ("7", "0.0001"),
        ("", "1"),
        ("1", ""),
    ];
    let dates = [
        "2026-01-31",
        "2025-01-31",
        "2024-02-29",
        "2026-11-22",
        "2026-11-23",
        "2025-11-22",
        "2025-11-23",
        "2026-10-22",
        "2026-10-23T23:59:60Z",
        "2026-11-21T23:30:00-02:00",
        "2026-11-22T01:00:00+02:00",
        "2026-11-21 23:30:00-02:00",
        "2026-11-20 10:00:00",
        "2020-02-29",
        "0001-01-01",
        "9999-12-31",
        "",
    ];
    let texts = [
        "  CEO\t",
        "ΔΙΕΥΘΥΝΤΉΣ",
        "İstanbul",
        "\u{a0}ceo\u{2003}",
        "Ceo",
        " ",
        "ΣΑΣ",
        "ΟΔΟΣ.",
        "CEO;x",
        "",
        "ce",
        "Ής",
        "\u{85}CEO",
        "cEo ",
        "straße",
    ];
    let mut rows = Vec::new();
    for (i, (n, m)) in numbers.iter().enumerate() {
        for (j, d) in dates.iter().enumerate() {
            let t = texts[(i + j) % texts.len()];
            let l = ["ceo; ΔΙΕΥΘΥΝΤΉΣ", " ΟΔΟΣ. ;x", "", ";;", "İSTANBUL"][(i * j) % 5];
            rows.push(
                [*n, *m, *d, t, l]
                    .iter()
                    .map(|c| Some(c.to_string()))
                    .collect(),
            );
        }
    }
    let columns = ["n", "m", "d", "t", "l"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    Job {
        name: "edges".to_string(),
        model,
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    }
}

/// The model of the edge cases again, compiled without `--as-of`: the
/// engine's own today (in UTC, whatever the session's time zone) must be
/// the interpreter's.
pub fn engine_today() -> Job {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let today = parse_date_literal("1970-01-01").unwrap()
        + chrono::Duration::days((seconds / 86_400) as i64);
    Job {
        name: "engine today".to_string(),
        as_of: today,
        engine_today: true,
        ..edges()
    }
}

/// Local formats (language 1.1): every modifier, and for each field a row
/// per tricky cell with the other cells empty, so each cell is the one
/// that decides its row. Each group adds its field's value, so the
/// groups show the exact number or day read, not only the rejections.
pub fn local_formats() -> Job {
    let model = r#"fields {
  id:     text required
  amount: number decimal "," thousands " "
  price:  number decimal "," thousands "."
  us:     number thousands ","
  swiss:  number thousands "'"
  seats:  int decimal "," thousands "."
  signed: date format ["DD.MM.YYYY", "D/M/YYYY"]
  short:  date format "D.M.YYYY"
  swap:   date format ["MM/DD/YYYY", "DD/MM/YYYY"]
  optin:  bool true [ja, kyllä, Oui] false [nej, ei, non]
}

group g_amount { when amount is present add amount "amount" }
group g_price { when price is present add price "price" }
group g_us { when us is present add us "us" }
group g_swiss { when swiss is present add swiss "swiss" }
group g_seats { when seats is present add seats "seats" }
group g_signed { when signed is present add days_since(signed) "signed" }
group g_short { when short is present add days_since(short) "short" }
group g_swap { when swap is present add days_since(swap) "swap" }
group g_optin {
  when optin add 1 "yes"
  when not optin add 2 "no"
}
"#;
    let cells: &[(&str, &[&str])] = &[
        (
            "amount",
            &[
                "1 200,50",
                "-1 200,5",
                "12,",
                ",5",
                "1.200",
                "1 20",
                "1200 000",
                "+7",
                "1\u{A0}200,5",
                "1\u{202F}234 567,25",
                " 3,5 ",
                "1  200",
                "0,1",
                "1 200,5 0",
                "12,5,1",
                "- 1",
                "1e5",
                "١٢",
            ],
        ),
        (
            "price",
            &[
                "1.200",
                "1.20",
                "1.200,50",
                "1200",
                "1.2000",
                "-0,5",
                "1.234.567,8",
                "1,2.3",
            ],
        ),
        (
            "us",
            &["1,200.5", "1,20", "1200.5", "12,345,678", "1.200,5"],
        ),
        ("swiss", &["1'200.5", "1\u{2019}200.5", "1'20", "1 200"]),
        ("seats", &["1.200", "7,0", "2,5", "1.200,00", "-3", "1.2"]),
        (
            "signed",
            &[
                "22.11.2026",
                "1/2/2026",
                "01/02/2026",
                "31.02.2026",
                "2026-11-20",
                "2026-11-20T23:30:00-02:00",
                "29.02.2024",
                "29.02.2026",
                "1.1.2026",
                "22.11.26",
                "01.01.0000",
                "22.11.2026 ",
                "123/1/2026",
            ],
        ),
        (
            "short",
            &[
                "1.1.2026",
                "01.12.2026",
                "1.13.2026",
                "111.1.2026",
                "2026-01-01",
            ],
        ),
        ("swap", &["02/03/2026", "13/03/2026", "31/31/2026"]),
        (
            "optin",
            &[
                "ja", " JA ", "kyllä", "KYLLÄ", "Oui", "OUI", "non", "nej", "yes", "0", "jein",
                "EI",
            ],
        ),
    ];
    let columns: Vec<String> = std::iter::once("id")
        .chain(cells.iter().map(|(c, _)| *c))
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for (index, (_, values)) in cells.iter().enumerate() {
        for value in *values {
            let mut row = vec![Some(String::new()); columns.len()];
            row[0] = Some(format!("r{}", rows.len()));
            row[index + 1] = Some((*value).to_string());
            rows.push(row);
        }
    }
    Job {
        name: "local_formats".to_string(),
        model: model.to_string(),
        columns,
        rows,
        as_of: as_of(),
        engine_today: false,
    }
}
