//! Ace by DAISY (the accessibility checker publishers and retailers use)
//! finds no violation, of any impact, in the sample report's EPUB and its
//! Spanish edition, the every-construct fixture and the EIP corpus. Ace is
//! the npm package `@daisy/ace` pinned in tests/browser, run with Debian's
//! Chromium (no browser download).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{TestReport, repo, require_tool, say};

/// The `ace-puppeteer` of tests/browser, or `None` (after a loud skip).
fn ace(test: &str) -> Option<PathBuf> {
    let bin = repo().join("tests/browser/node_modules/.bin/ace-puppeteer");
    if !bin.is_file() {
        assert!(std::env::var_os("CI").is_none(), "{test}: CI must install Ace (npm ci --prefix tests/browser)");
        say(&format!("SKIPPED {test}: Ace is not installed (npm ci --prefix tests/browser)"));
        return None;
    }
    require_tool("chromium", test).then_some(bin)
}

/// Ace's violations in `epub`, as "rule (impact) in document" lines. Ace
/// sometimes times out starting the browser on a busy machine: tried thrice.
fn violations(ace: &Path, epub: &Path) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for _ in 0..3 {
        let run = Command::new(ace)
            .arg("--force")
            .arg("--outdir")
            .arg(out.path())
            .arg(epub)
            .env("PUPPETEER_SKIP_DOWNLOAD", "1")
            .env("PUPPETEER_EXECUTABLE_PATH", repo().join("tests/browser/chromium-no-sandbox.sh"))
            .output()
            .unwrap();
        log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        if out.path().join("report.json").is_file() {
            break;
        }
    }
    let report = std::fs::read_to_string(out.path().join("report.json"))
        .unwrap_or_else(|_| panic!("Ace wrote no report:\n{log}"));
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let mut found = Vec::new();
    for document in report["assertions"].as_array().into_iter().flatten() {
        for assertion in document["assertions"].as_array().into_iter().flatten() {
            if assertion["earl:result"]["earl:outcome"] == "fail" {
                found.push(format!(
                    "{} ({}) in {}: {}",
                    assertion["earl:test"]["dct:title"].as_str().unwrap_or("?"),
                    assertion["earl:test"]["earl:impact"].as_str().unwrap_or("?"),
                    document["earl:testSubject"]["url"].as_str().unwrap_or("?"),
                    assertion["earl:result"]["html"].as_str().unwrap_or("").chars().take(120).collect::<String>(),
                ));
            }
        }
    }
    found
}

#[test]
fn ace_finds_no_violation_in_the_epubs() {
    let Some(ace) = ace("ace_finds_no_violation_in_the_epubs") else { return };
    let sample = TestReport::sample();
    let run = sample.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fixture = TestReport::fixture("every-construct");
    let run = fixture.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut epubs = vec![
        sample.path().join("build/report.epub"),
        sample.path().join("build/report.es.epub"),
        fixture.path().join("build/report.epub"),
    ];
    // The EIP corpus (where ../shared is beside the checkout).
    let eips = crate::eips::eip_report();
    if let Some((report, _)) = &eips {
        let run = report.run(&["build", "--format", "epub"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        epubs.push(report.path().join("build/report.epub"));
    }
    for epub in &epubs {
        let found = violations(&ace, epub);
        assert!(found.is_empty(), "Ace: {} violation(s) in {}:\n{}", found.len(), epub.display(), found.join("\n"));
    }
}
