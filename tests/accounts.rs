//! Buying committees (language 1.1): account values over the leads that
//! share a field, scored as a user runs it: exact output columns, keys
//! compared as `==`, leads in no account, rejected rows, threads, formats
//! and standard input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use std::io::Write;
use std::process::{Command, Stdio};

use cli::{tally, text};

const MODEL: &str = r#"fields {
  lead_id:   text required
  company:   text
  title:     text
  downloads: list
}

account by company {
  let people  = count(leads)
  let readers = count(leads where downloads contains "whitepaper")
  let heat    = sum(leads, score)
}

when title in [CEO, VP]              add 20 "Decision maker"
when downloads contains "whitepaper" add 10 "Reader"
when account.readers >= 2            add 15 "Committee reading"

if account.heat >= 80 and score >= 40 then SQL
else Nurture

test "A reading committee" {
  given { lead_id: "1", title: "CEO", downloads: [whitepaper], account.readers: 3 }
  expect fired("Committee reading")
  expect score == 45
}

test "Alone" {
  given { lead_id: "1", company: "Solo", downloads: [whitepaper] }
  expect not fired("Committee reading")
}
"#;

const LEADS: &str = "lead_id,company,title,downloads\n\
1,Acme,CEO,whitepaper\n\
2, acme ,Analyst,whitepaper;pricing\n\
3,ACME,VP,\n\
4,Beta,CEO,whitepaper\n\
5,,VP,whitepaper\n\
,Beta,CEO,whitepaper\n";

const SCORED: &str =
    "lead_id,company,title,downloads,score,stage,account.people,account.readers,account.heat\n\
1,Acme,CEO,whitepaper,45,SQL,3,2,105\n\
2, acme ,Analyst,whitepaper;pricing,25,Nurture,3,2,105\n\
3,ACME,VP,,35,Nurture,3,2,105\n\
4,Beta,CEO,whitepaper,30,Nurture,1,1,30\n\
5,,VP,whitepaper,30,Nurture,,,\n";

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

#[test]
fn account_values_are_outputs_and_feed_rules_and_the_ladder() {
    let dir = dir_with(&[("m.tally", MODEL), ("leads.csv", LEADS)]);
    for threads in ["1", "2"] {
        let out = tally(
            dir.path(),
            &[
                "score",
                "m.tally",
                "leads.csv",
                "--as-of",
                "2026-11-22",
                "--threads",
                threads,
            ],
        );
        assert_eq!(text(&out.stdout), SCORED, "--threads {threads}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with(
                "row 6: column \"lead_id\": no value, but field `lead_id` is required\n"
            ),
            "{stderr}"
        );
        assert_eq!(out.status.code(), Some(1), "the rejected row fails the run");
    }
}

#[test]
fn ndjson_and_standard_input_give_the_same_values() {
    let dir = dir_with(&[("m.tally", MODEL), ("leads.csv", LEADS)]);
    let from_file = tally(
        dir.path(),
        &[
            "score",
            "m.tally",
            "leads.csv",
            "--as-of",
            "2026-11-22",
            "--format",
            "ndjson",
        ],
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args([
            "score",
            "m.tally",
            "-",
            "--as-of",
            "2026-11-22",
            "--format",
            "ndjson",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(LEADS.as_bytes())
        .unwrap();
    let from_stdin = child.wait_with_output().unwrap();
    assert_eq!(from_stdin.stdout, from_file.stdout);
    let first = text(&from_file.stdout).lines().next().unwrap().to_string();
    assert_eq!(
        first,
        "{\"lead_id\":\"1\",\"company\":\"Acme\",\"title\":\"CEO\",\"downloads\":\"whitepaper\",\"score\":45,\"stage\":\"SQL\",\"account.people\":3,\"account.readers\":2,\"account.heat\":105}"
    );
    assert!(text(&from_file.stdout).contains("\"account.people\":null"));
    // NDJSON input: the same values.
    let ndjson: String = text(&from_file.stdout)
        .lines()
        .map(|l| l.split(",\"score\"").next().unwrap().to_string() + "}\n")
        .collect();
    let dir2 = dir_with(&[("m.tally", MODEL), ("leads.ndjson", &ndjson)]);
    let out = tally(
        dir2.path(),
        &["score", "m.tally", "leads.ndjson", "--as-of", "2026-11-22"],
    );
    assert_eq!(
        text(&out.stdout)
            .lines()
            .map(|l| l.to_string())
            .collect::<Vec<_>>(),
        text(&from_file.stdout)
            .lines()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn tests_give_account_values_directly_or_compute_them_from_the_lead() {
    let dir = dir_with(&[("m.tally", MODEL)]);
    let out = tally(dir.path(), &["test", "m.tally"]);
    assert!(
        text(&out.stdout).contains("2 passed, 0 failed"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn explain_and_plan_show_the_account() {
    let dir = dir_with(&[("m.tally", MODEL), ("leads.csv", LEADS)]);
    let out = tally(
        dir.path(),
        &[
            "explain",
            "m.tally",
            "leads.csv",
            "--row",
            "2",
            "--as-of",
            "2026-11-22",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "  yes      +15    Committee reading\n                  account.readers = 2\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "\naccount (3 leads): account.people = 3, account.readers = 2, account.heat = 105\n"
        ),
        "{stdout}"
    );
    let alone = tally(
        dir.path(),
        &[
            "explain",
            "m.tally",
            "leads.csv",
            "--row",
            "5",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert!(text(&alone.stdout)
        .ends_with("\naccount: none (no value to group by), so its values are missing\n"));
    let plan = text(&tally(dir.path(), &["plan", "m.tally"]).stdout);
    assert!(plan.contains(
        "\naccount by company (passes over the leads before scoring)\n  input-level (pass 1)\n    f4   account.people = count(leads)\n    f5   account.readers = count(leads where downloads has \"whitepaper\")\n  score-level (each lead scored: in memory after pass 1 for a CSV file, else pass 2)\n    f6   account.heat = sum(leads, score)\n"
    ), "{plan}");
    // A rule that reads an account value and a column: each lead is
    // scored in a pass of its own.
    let mixed = MODEL.replace(
        "when account.readers >= 2 ",
        "when account.readers >= 2 and title is present ",
    );
    std::fs::write(dir.path().join("mixed.tally"), mixed).unwrap();
    let plan = text(&tally(dir.path(), &["plan", "mixed.tally"]).stdout);
    assert!(
        plan.contains("\n  score-level (pass 2: each lead scored first)\n    f6   account.heat"),
        "{plan}"
    );
}

#[test]
fn the_committee_example_scores_as_committed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tally(
        root,
        &[
            "score",
            "examples/committee.tally",
            "examples/committee_leads.csv",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected = std::fs::read_to_string(root.join("examples/committee_expected.csv")).unwrap();
    assert_eq!(text(&out.stdout), expected);
    assert!(expected.contains("C01,Acme,CTO,whitepaper,top,55,SQL,4,3,2,200\n"));
}

#[test]
fn score_level_values_read_the_right_row_when_cells_repeat() {
    // `title` is read by one rule's predicate only: the scoring memo
    // recalls its repeated cells without reading them, yet the account
    // value must see each row's own title.
    let model = "fields {\n  id: text\n  company: text\n  title: text\n}\n\
        account by company {\n  let hot = count(leads where title == \"CEO\" and score >= 20)\n  let n = count(leads)\n}\n\
        when title == \"CEO\" add 20 \"CEO\"\n\
        if account.hot >= 3 then Hot\nelse Cold\n";
    let titles = [
        "CEO", "Analyst", "VP", "Intern", "CEO", "Engineer", "Analyst",
    ];
    let mut leads = String::from("id,company,title\n");
    let mut ceos = std::collections::BTreeMap::<u32, u32>::new();
    for i in 0..3000u32 {
        let (company, title) = (i % 97, titles[(i % 7) as usize]);
        leads.push_str(&format!("{i},C{company},{title}\n"));
        if title == "CEO" {
            *ceos.entry(company).or_default() += 1;
        }
    }
    let dir = dir_with(&[("m.tally", model), ("leads.csv", &leads)]);
    let one = tally(
        dir.path(),
        &["score", "m.tally", "leads.csv", "--threads", "1"],
    );
    let two = tally(
        dir.path(),
        &["score", "m.tally", "leads.csv", "--threads", "2"],
    );
    assert_eq!(one.stdout, two.stdout);
    for line in text(&one.stdout).lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let company: u32 = cells[1][1..].parse().unwrap();
        let hot = ceos.get(&company).copied().unwrap_or(0);
        assert_eq!(cells[5], hot.to_string(), "{line}");
        assert_eq!(cells[4], if hot >= 3 { "Hot" } else { "Cold" }, "{line}");
    }
}

/// The grouping field read by a rule only through a predicate (`in`):
/// the memo of repeated cells decides that rule without reading the
/// value, but the account lookup needs the value of every lead. (It once
/// took the previous lead's: lead 5 got Retail's account.) The same for
/// a field an account value reads and no rule does.
#[test]
fn a_grouping_field_only_tested_by_rules_still_keys_every_lead() {
    let model = r#"fields {
  id:       text
  industry: text
  pages:    number
}

account by industry {
  let people  = count(leads)
  let readers = count(leads where pages >= 3)
}

when industry in [Software, SaaS] add 15 "ICP industry"
when pages >= 3 add 1 "Reader"
"#;
    let leads = "id,industry,pages\n1,Media,3\n2,Media,1\n3,Software,3\n4,Retail,3\n5,Media,3\n6,Retail,1\n";
    let dir = dir_with(&[("m.tally", model), ("leads.csv", leads)]);
    for threads in ["1", "2"] {
        let out = tally(
            dir.path(),
            &[
                "score",
                "m.tally",
                "leads.csv",
                "--as-of",
                "2026-11-22",
                "--threads",
                threads,
            ],
        );
        assert_eq!(
            text(&out.stdout),
            "id,industry,pages,score,account.people,account.readers\n\
             1,Media,3,1,3,2\n\
             2,Media,1,0,3,2\n\
             3,Software,3,16,1,1\n\
             4,Retail,3,1,2,1\n\
             5,Media,3,1,3,2\n\
             6,Retail,1,0,2,1\n",
            "--threads {threads}"
        );
    }
}

/// The input-level pass reads only the cells its values need, and the
/// cells that can reject a row: a row rejected for a field only rules
/// read (`employees`) is still in no account, and free text it does not read (notes
/// with quotes and commas) changes nothing.
#[test]
fn the_input_pass_skips_unread_text_but_not_a_rejected_row() {
    let model = r#"fields {
  id:        text required
  company:   text
  title:     text
  employees: int
  notes:     text
}

account by company {
  let people = count(leads)
  let ceos   = count(leads where title == "CEO")
}

when title == "CEO"           add 10 "CEO"
when employees > 100          add 5  "Big"
when notes contains "budget"  add 3  "Budget"
when account.people >= 2      add 20 "Committee"
"#;
    let leads = "id,company,title,employees,notes\n\
1,Acme,CEO,50,\"budget, \"\"soon\"\"\"\n\
2,acme ,Analyst,about 50,\n\
3, ACME,VP,500,\n\
4,Beta,CEO,x,budget\n\
5,Beta,Intern,20,\n";
    let dir = dir_with(&[("m.tally", model), ("leads.csv", leads)]);
    for threads in ["1", "2"] {
        let out = tally(
            dir.path(),
            &[
                "score",
                "m.tally",
                "leads.csv",
                "--as-of",
                "2026-11-22",
                "--threads",
                threads,
            ],
        );
        assert_eq!(
            text(&out.stdout),
            "id,company,title,employees,notes,score,account.people,account.ceos\n\
             1,Acme,CEO,50,\"budget, \"\"soon\"\"\",33,2,1\n\
             3, ACME,VP,500,,25,2,1\n\
             5,Beta,Intern,20,,0,1,0\n",
            "--threads {threads}"
        );
        assert_eq!(out.status.code(), Some(1), "rows 2 and 4 are rejected");
    }
}

/// With `--bad-values missing` a row with an unreadable cell is scored
/// (the cell missing), so it is in its account too: only rejected rows
/// are in none.
#[test]
fn a_row_scored_with_a_cell_read_as_missing_is_in_its_account() {
    let model = r#"fields {
  id:        text required
  company:   text
  title:     text
  employees: int
}

account by company {
  let people = count(leads)
  let ceos   = count(leads where title == "CEO")
}

when title == "CEO"       add 10 "CEO"
when employees > 100      add 5  "Big"
when account.people >= 3  add 20 "Committee"
"#;
    let leads = "id,company,title,employees\n\
1,Acme,CEO,50\n\
2,acme ,Analyst,about 50\n\
3, ACME,VP,500\n\
4,Beta,CEO,x\n";
    let dir = dir_with(&[("m.tally", model), ("leads.csv", leads)]);
    for threads in ["1", "2"] {
        let out = tally(
            dir.path(),
            &[
                "score",
                "m.tally",
                "leads.csv",
                "--as-of",
                "2026-11-22",
                "--bad-values",
                "missing",
                "--threads",
                threads,
            ],
        );
        assert_eq!(
            text(&out.stdout),
            "id,company,title,employees,score,account.people,account.ceos\n\
             1,Acme,CEO,50,30,3,1\n\
             2,acme ,Analyst,about 50,20,3,1\n\
             3, ACME,VP,500,25,3,1\n\
             4,Beta,CEO,x,10,1,1\n",
            "--threads {threads}"
        );
    }
}

/// A model with only score-level values (no input-level pass: the
/// score-level one reads every account value it needs) and one with only
/// input-level values (no score-level pass).
#[test]
fn models_with_one_level_of_account_values() {
    let leads = "id,company,points\n1,Acme,10\n2,ACME,5\n3,Beta,7\n4,,1\n";
    let scored = |values: &str, ladder: &str| {
        let model = format!(
            "fields {{\n  id: text\n  company: text\n  points: number\n}}\n\n\
             account by company {{\n{values}\n}}\n\n\
             when points > 0 add points \"Points\"\n\n{ladder}"
        );
        let dir = dir_with(&[("m.tally", model.as_str()), ("leads.csv", leads)]);
        let out = tally(dir.path(), &["score", "m.tally", "leads.csv"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(
        scored(
            "  let heat = sum(leads, score)",
            "if account.heat >= 15 then Hot\nelse Cold\n"
        ),
        "id,company,points,score,stage,account.heat\n\
         1,Acme,10,10,Hot,15\n\
         2,ACME,5,5,Hot,15\n\
         3,Beta,7,7,Cold,7\n\
         4,,1,1,Cold,\n"
    );
    assert_eq!(
        scored("  let most = max(leads, points)", ""),
        "id,company,points,score,account.most\n\
         1,Acme,10,10,10\n\
         2,ACME,5,5,10\n\
         3,Beta,7,7,7\n\
         4,,1,1,\n"
    );
}

/// Many leads in many chunks (a file of about 1.3 MB is split into
/// chunks of 64 KiB near its end), with rejected rows and blank keys
/// among them: the later passes find each row's account by its number,
/// from the first pass, so a row rejected in the middle of a chunk must
/// not shift the accounts of the rows after it. Every lead's account
/// values are checked against a count made here, for a model with both
/// levels of values, one with only input-level ones and one with only
/// score-level ones, with 1, 2 and 3 threads, from a gzip file (not
/// split by size) and from standard input: the same bytes.
#[test]
fn many_chunks_with_rejected_rows_keep_every_rows_account() {
    let (leads, expected) = many_leads(40_000);
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(leads.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let both =
        "  let people = count(leads)\n  let total = sum(leads, n)\n  let heat = sum(leads, score)";
    let models = [
        (both, "when account.people >= 3 add 5 \"Crowd\"", true, true),
        (
            "  let people = count(leads)\n  let total = sum(leads, n)",
            "when account.people >= 3 add 5 \"Crowd\"",
            true,
            false,
        ),
        ("  let heat = sum(leads, score)", "", false, true),
    ];
    for (values, rule, input_level, score_level) in models {
        let model = format!(
            "fields {{\n  lead_id: text required\n  company: text\n  n: int\n  title: text\n}}\n\n\
             account by company {{\n{values}\n}}\n\n\
             when n > 5 add 10 \"Big\"\nwhen title == \"CEO\" add 20 \"Boss\"\n{rule}\n"
        );
        let dir = dir_with(&[("m.tally", model.as_str()), ("leads.csv", leads.as_str())]);
        std::fs::write(dir.path().join("leads.csv.gz"), &gz).unwrap();
        let run = |file: &str, threads: &str| {
            let out = tally(
                dir.path(),
                &["score", "m.tally", file, "--threads", threads, "-o", "-"],
            );
            assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
            text(&out.stdout)
        };
        let scored = run("leads.csv", "1");
        check_many(&scored, &expected, input_level, score_level);
        for (file, threads) in [
            ("leads.csv", "2"),
            ("leads.csv", "3"),
            ("leads.csv.gz", "2"),
        ] {
            assert!(run(file, threads) == scored, "{file} --threads {threads}");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
            .current_dir(dir.path())
            .args(["score", "m.tally", "-", "--threads", "2"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = leads.clone();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
        let from_stdin = child.wait_with_output().unwrap();
        writer.join().unwrap();
        assert!(text(&from_stdin.stdout) == scored, "standard input");
    }
}

/// What a lead of [`many_leads`] should score: its `n`, whether its
/// title is CEO, and its account's folded key (`None`: none).
struct ManyLead {
    n: i64,
    ceo: bool,
    account: Option<String>,
}

/// `rows` leads in about `rows / 8` accounts (keys spelled with other
/// cases and spaces, a few blank), every 97th row rejected (no lead id,
/// or an `n` that is not a number): the file, and the readable leads by
/// id.
fn many_leads(rows: usize) -> (String, std::collections::BTreeMap<String, ManyLead>) {
    let mut file = String::from("lead_id,company,n,title\n");
    let mut leads = std::collections::BTreeMap::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..rows {
        let (r, account) = (next(), next() % (rows as u64 / 8));
        let n = i64::try_from(r % 12).unwrap();
        let ceo = r % 5 == 0;
        let company = match r % 50 {
            0 => String::new(),
            1 => format!(" company {account} "),
            2 => format!("COMPANY {account}"),
            _ => format!("Company {account}"),
        };
        let title = if ceo { "CEO" } else { "Analyst" };
        let id = format!("L{i}");
        match i % 97 {
            13 => file.push_str(&format!(",{company},{n},{title}\n")),
            50 => file.push_str(&format!("{id},{company},many,{title}\n")),
            _ => {
                file.push_str(&format!("{id},{company},{n},{title}\n"));
                let account = (!company.trim().is_empty()).then(|| format!("company {account}"));
                leads.insert(id, ManyLead { n, ceo, account });
            }
        }
    }
    (file, leads)
}

/// Check every scored lead's account values against [`many_leads`]'s.
fn check_many(
    scored: &str,
    leads: &std::collections::BTreeMap<String, ManyLead>,
    input_level: bool,
    score_level: bool,
) {
    use std::collections::HashMap;
    let mut people: HashMap<&str, i64> = HashMap::new();
    let mut total: HashMap<&str, i64> = HashMap::new();
    for lead in leads.values() {
        if let Some(account) = &lead.account {
            *people.entry(account).or_default() += 1;
            *total.entry(account).or_default() += lead.n;
        }
    }
    let score_of = |lead: &ManyLead| {
        let crowd = input_level
            && lead
                .account
                .as_ref()
                .is_some_and(|a| people[a.as_str()] >= 3);
        10 * i64::from(lead.n > 5) + 20 * i64::from(lead.ceo) + 5 * i64::from(crowd)
    };
    let mut heat: HashMap<&str, i64> = HashMap::new();
    for lead in leads.values() {
        if let Some(account) = &lead.account {
            *heat.entry(account).or_default() += score_of(lead);
        }
    }
    let mut lines = scored.lines();
    let header = lines.next().unwrap();
    let mut seen = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let lead = &leads[cells[0]];
        let account = lead.account.as_deref();
        let of = |map: &HashMap<&str, i64>| account.map_or(String::new(), |a| map[a].to_string());
        let mut want = vec![score_of(lead).to_string()];
        if input_level {
            want.extend([of(&people), of(&total)]);
        }
        if score_level {
            want.push(of(&heat));
        }
        assert_eq!(cells[4..], want, "{header}\n{line}");
        seen += 1;
    }
    assert_eq!(seen, leads.len());
}

/// With score-level values, the scoring pass takes each row's score and
/// groups from the score-level pass and runs only the ladder and tiers
/// over the cells they read (a text folded, a number, a group, the
/// score, an account value, the stage). A lead file read as NDJSON is
/// scored in full: both must write the same leads, for CSV and NDJSON
/// output, with 1 and 2 threads, and with `--explain` (which scores in
/// full) and `--bad-values missing` (whose noted rows are scored in
/// full, their notes written once).
#[test]
fn kept_sums_give_the_ladder_and_tiers_what_full_scoring_gives() {
    kept_sums_match_full_scoring("");
    // A rule reading an account value in a capped group: the first pass
    // sums the group's other rules, the score-level pass (from memory)
    // adds it, then caps.
    kept_sums_match_full_scoring("  when account.people >= 5 add 4 \"Crowded\"\n");
    // Points with eleven places: the first pass's sums may not be added
    // to in another order, so the score-level pass reads the file again.
    kept_sums_match_full_scoring("  when n > 2 add n * 0.00000000001 \"Tiny\"\n");
}

/// See [`kept_sums_give_the_ladder_and_tiers_what_full_scoring_gives`]:
/// `more` is added to the model's capped group.
fn kept_sums_match_full_scoring(more: &str) {
    let (leads, _) = many_leads(20_000);
    let model = format!(
        "fields {{\n  lead_id: text required\n  company: text\n  n: int\n  title: text\n}}\n\n\
        account by company {{\n  let people = count(leads)\n  let heat = sum(leads, score)\n}}\n\n\
        group size max 15 {{\n  when n > 5 add 10 \"Big\"\n  when n > 8 add 10 \"Huge\"\n{more}}}\n\n\
        when title == \"CEO\" add 20 \"Boss\"\nwhen account.people >= 3 add 5 \"Crowd\"\n\n\
        if title == \"ceo\" and account.heat >= 100 then SQL\n\
        if size >= 15 and n > 10 then MQL\nelse Nurture\n\n\
        tier band {{\n  if stage == SQL and n < 3 then A\n  if score >= 25 then B\n  else C\n}}\n"
    );
    let dir = dir_with(&[("m.tally", model.as_str()), ("leads.csv", leads.as_str())]);
    let mut outputs = String::new();
    for extra in [&[][..], &["--explain"], &["--bad-values", "missing"]] {
        let run = |file: &str, threads: &str| {
            let mut args = vec!["score", "m.tally", file, "--format", "ndjson"];
            args.extend(["--threads", threads, "-o", "-"]);
            args.extend(extra);
            let out = tally(dir.path(), &args);
            (text(&out.stdout), text(&out.stderr))
        };
        let (kept, stderr) = run("leads.csv", "1");
        assert!(kept.lines().count() > 19_000, "{stderr}");
        assert!(run("leads.csv", "2").0 == kept, "{extra:?} --threads 2");
        // The same leads' input members as a lead file of NDJSON, which
        // is scored in full.
        let ndjson: String = kept
            .lines()
            .map(|l| l.split(",\"score\"").next().unwrap().to_string() + "}\n")
            .collect();
        std::fs::write(dir.path().join("leads.ndjson"), ndjson).unwrap();
        assert!(run("leads.ndjson", "1").0 == kept, "{extra:?}");
        // `many` is a bad `n` in every 97th row: noted once each.
        let noted = stderr.lines().filter(|l| l.contains("\"many\"")).count();
        assert_eq!(
            noted,
            leads.matches(",many,").count(),
            "{extra:?}\n{stderr}"
        );
        outputs = kept;
    }
    for grade in [
        "\"stage\":\"SQL\"",
        "\"stage\":\"MQL\"",
        "\"band\":\"A\"",
        "\"band\":\"B\"",
    ] {
        assert!(outputs.contains(grade), "{grade}");
    }
}
