//! `tally report`: the page is self-contained, and a person opening it
//! sees every chart. The second test opens it in headless Chromium with
//! networking off (tests/report/check_page.py, through playwright; both
//! installed by `scripts/test`) and checks what the browser saw.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A report of the bundled example with every section: the outcome, a
/// baseline (the messy file) and a diff against a changed model.
fn full_report(dir: &Path) -> PathBuf {
    let old = dir.join("old.tally");
    let model = std::fs::read_to_string(root().join("examples/b2b_inbound.tally")).unwrap();
    std::fs::write(
        &old,
        model.replace("if score >= 50 and", "if score >= 60 and"),
    )
    .unwrap();
    let page = dir.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(root())
        .args(["report", "examples/b2b_inbound.tally", "examples/leads.csv"])
        .args(["--outcome", "converted", "--as-of", "2026-11-22"])
        .args(["--baseline", "examples/leads_messy.csv", "--diff"])
        .arg(&old)
        .arg("-o")
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    page
}

#[test]
fn the_page_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(full_report(dir.path())).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{:.40}", html);
    assert!(html.len() < 2 << 20, "{} bytes", html.len());
    assert!(!html.contains("<script"), "readable without JavaScript");
    for reference in ["src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(reference),
            "the page refers to another file: {reference}"
        );
    }
    // The only address is the SVG namespace, which is a name, not a request.
    let addresses = html.matches("http").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(addresses, namespaces);
    assert_eq!(html.matches("<svg").count(), 8);
}

#[test]
fn text_from_the_model_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let model =
        "model \"<script>alert(1)</script>\"\nfields { a: bool }\nwhen a add 1 \"<b>bold</b>\"\n";
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    std::fs::write(dir.path().join("l.csv"), "a\nyes\nno\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args([
            "report",
            "m.tally",
            "l.csv",
            "-o",
            "r.html",
            "--as-of",
            "2026-11-22",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(!html.contains("<script>") && !html.contains("<b>bold"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
}

#[test]
fn a_browser_shows_every_chart_and_makes_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let page = full_report(dir.path());
    let screenshot = root().join("target/report-screenshot.png");
    let out = Command::new("python3")
        .arg(root().join("tests/report/check_page.py"))
        .arg(&page)
        .arg(&screenshot)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); run `bash scripts/test`"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser check failed:\n{stderr}");
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["console_errors"], serde_json::json!([]), "{seen}");
    assert_eq!(seen["failed"], serde_json::json!([]), "{seen}");
    assert_eq!(seen["refused"], serde_json::json!([]), "{seen}");
    assert_eq!(seen["scripts"], 0);
    assert_eq!(seen["title"], "Tally report: B2B inbound");
    let charts = seen["charts"].as_array().unwrap();
    let titles: Vec<&str> = charts
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Score histogram",
            "Leads per stage",
            "Leads per grade label",
            "Mean points per group",
            "Share of leads per rule",
            "Conversion rate per stage",
            "Conversion rate per score decile",
            "ROC curve of the score",
        ]
    );
    for chart in charts {
        assert!(
            chart["shapes"].as_u64().unwrap() > 0,
            "an empty chart: {chart}"
        );
        assert!(chart["width"].as_f64().unwrap() > 100.0, "{chart}");
        assert!(chart["height"].as_f64().unwrap() > 50.0, "{chart}");
    }
    let headings = seen["headings"].as_array().unwrap();
    assert!(headings
        .iter()
        .any(|h| h == "Population stability against the baseline"));
    assert!(headings
        .iter()
        .any(|h| h.as_str().unwrap().starts_with("Against B2B inbound v3")));
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 10_000);
}

/// A baseline whose leads mostly share one score (here all score 0, as
/// leads that fired nothing do) bins that value alone: the scores of
/// leads that now fire rules were put in the same bin as 0 (the bins
/// were `[0, ∞)`), and a file that had moved from all 0 to 0–30 showed
/// a score PSI of 0.000.
#[test]
fn a_shift_away_from_a_baseline_of_one_score_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let model = "fields { id: text\n demo: bool }\nwhen demo add 20 \"Demo\"\n";
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    let rows = |demo: &dyn Fn(usize) -> bool| {
        let mut text = String::from("id,demo\n");
        for i in 0..100 {
            text.push_str(&format!("{i},{}\n", if demo(i) { "yes" } else { "no" }));
        }
        text
    };
    std::fs::write(dir.path().join("then.csv"), rows(&|_| false)).unwrap();
    std::fs::write(dir.path().join("now.csv"), rows(&|i| i % 2 == 0)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["report", "m.tally", "now.csv", "--baseline", "then.csv"])
        .args(["-o", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).unwrap();
    // Half the leads left the baseline's only bin: (0.5 − 1)·ln(0.5/1)
    // + (0.5 − 0.0001)·ln(0.5/0.0001) = 4.6043 for the score, as for
    // `demo`, which moved alike.
    let row = |name: &str| {
        let start = html.find(&format!("<td>{name}</td>")).unwrap();
        html[start..].split("</tr>").next().unwrap().to_string()
    };
    for name in ["score", "demo"] {
        assert!(row(name).contains("<td>4.604</td>"), "{}", row(name));
    }
}
