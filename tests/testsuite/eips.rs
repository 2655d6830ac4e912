//! The real-world corpus: 100 Ethereum Improvement Proposals, written by
//! people who never saw this project, build as one report.

use std::path::Path;

use crate::harness::{TestReport, copy_dir, pdf_pages, pdf_text, say, shared, squash};

/// A report folder holding the corpus and a manifest for it, or `None`
/// (after saying why) when `../shared` is absent, as in a user's clone.
pub fn eip_report() -> Option<(TestReport, Vec<String>)> {
    let Some(shared) = shared() else {
        say("SKIPPED eips: ../shared/corpus/eips is absent (it exists only beside the project's own checkout)");
        return None;
    };
    let corpus = shared.join("corpus/eips");
    let report = TestReport::new();
    report.with_styles();
    copy_dir(&corpus.join("EIPS"), &report.path().join("EIPS"));
    copy_dir(&corpus.join("assets"), &report.path().join("assets"));
    let order: Vec<String> = std::fs::read_to_string(corpus.join("ORDER.txt"))
        .unwrap()
        .lines()
        .map(|l| l.trim().trim_start_matches("EIPS/").to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let list = order.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    report.write(
        "book.toml",
        &format!("[book]\ntitle = \"Ethereum Improvement Proposals\"\nsrc = \"EIPS\"\ndate = \"2026-08-22\"\n\n[[part]]\ntitle = \"EIPs\"\narticles = [{list}]\n"),
    );
    Some((report, order))
}

fn title_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.starts_with("title:")).unwrap();
    let title = line["title:".len()..].trim();
    title.trim_matches('"').trim_matches('\'').to_string()
}

#[test]
fn eip_corpus_builds_as_one_report_with_every_title() {
    let Some((report, order)) = eip_report() else { return };
    assert_eq!(order.len(), 100);
    let run = report.build_pdf();
    // The upload:// image is a warning, not a failure.
    assert!(run.stderr.contains("upload://"), "{}", run.stderr);
    if let Some(pages) = pdf_pages(&report.pdf(), "eip_corpus_builds_as_one_report_with_every_title") {
        assert!(pages > 300, "only {pages} pages");
    }
    let Some(text) = pdf_text(&report.pdf(), "eip_corpus_builds_as_one_report_with_every_title") else { return };
    let text = squash(&text);
    for file in &order {
        let title = title_of(&report.path().join("EIPS").join(file));
        assert!(text.contains(&squash(&title)), "title of {file} `{title}` is not in the PDF");
    }
}
