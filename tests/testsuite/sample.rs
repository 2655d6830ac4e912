//! The sample report at the repository's top level builds into a real
//! publication.

use crate::harness::{TestReport, pdf_pages, pdf_text, squash};

#[test]
fn sample_report_builds_a_pdf_of_at_least_20_pages() {
    let report = TestReport::sample();
    let run = report.build_pdf();
    assert!(run.stdout.contains("wrote build/report.pdf"), "{}", run.stdout);
    let pdf = std::fs::read(report.pdf()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pages) = pdf_pages(&report.pdf(), "sample_report_builds_a_pdf_of_at_least_20_pages") {
        assert!(pages >= 20, "only {pages} pages");
    }
    let Some(text) = pdf_text(&report.pdf(), "sample_report_builds_a_pdf_of_at_least_20_pages") else { return };
    let text = squash(&text);
    for needle in [
        "Blockchain Technologies and Internet Governance", // report title
        "Contents",
        "Report of the IGF 2016 session", // an article title
        "Carla L. Reyes",                 // an author
        "Decentralized autonomous organizations and participatory governance", // title from the first H1
        "Glossary",
        "US$", // escaped text in body
    ] {
        assert!(text.contains(&squash(needle)), "`{needle}` is not in the PDF");
    }
}

#[test]
fn emit_typst_writes_the_source_beside_the_pdf() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(report.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("#import \"/styles/report.typ\": *"));
    assert!(typ.contains("#article("));
}

#[test]
fn out_flag_overrides_the_build_dir() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "pdf", "--out", "elsewhere"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(report.path().join("elsewhere/report.pdf").is_file());
    assert!(!report.path().join("build/report.pdf").exists());
}

#[test]
fn same_sources_give_identical_pdf_bytes() {
    let report = TestReport::sample();
    report.build_pdf();
    let first = std::fs::read(report.pdf()).unwrap();
    report.build_pdf();
    let second = std::fs::read(report.pdf()).unwrap();
    assert!(first == second, "two builds differ");
}

#[test]
fn a_failed_build_keeps_the_last_good_pdf() {
    let report = TestReport::sample();
    report.build_pdf();
    let good = std::fs::read(report.pdf()).unwrap();
    // Break the template: typesetting fails.
    let style = report.path().join("styles/report.typ");
    let mut text = std::fs::read_to_string(&style).unwrap();
    text.push_str("\n#let broken = (\n");
    std::fs::write(&style, text).unwrap();
    let run = report.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("styles/report.typ"), "{}", run.stderr);
    assert_eq!(std::fs::read(report.pdf()).unwrap(), good, "the PDF was overwritten");
    let leftovers = crate::harness::build_listing(&report.path().join("build"));
    // The PDFs of the report and of its Spanish edition, nothing else.
    assert!(
        leftovers.iter().all(|f| f == "report.pdf" || f == "report.es.pdf"),
        "temporary files left behind: {leftovers:?}"
    );
}
