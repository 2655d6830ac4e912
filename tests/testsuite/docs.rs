//! The manual (`docs/`) is itself a report: it builds, with no warning, into
//! a PDF, an EPUB and a web edition; and the README stays a short guide.

use std::process::Command;

use crate::harness;

/// The README is the short user's guide; the rest is in the manual.
const README_MAX_BYTES: u64 = 15_000;

#[test]
fn the_manual_builds_into_pdf_epub_and_web_edition() {
    let docs = harness::repo().join("docs");
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_coala-report"))
        .arg("build")
        .arg(&docs)
        .arg("--out")
        .arg(out.path())
        .args(["--format", "pdf", "--format", "epub", "--format", "html"])
        .arg("--deny-warnings")
        .arg("--color=never")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "the manual does not build:\n{stderr}");
    for artifact in ["manual.pdf", "manual.epub", "html/index.html"] {
        let path = out.path().join(artifact);
        assert!(path.is_file(), "the build wrote no {artifact}:\n{stderr}");
    }
}

#[test]
fn the_readme_is_a_short_guide() {
    let readme = harness::repo().join("README.md");
    let bytes = std::fs::metadata(&readme).unwrap().len();
    assert!(
        bytes <= README_MAX_BYTES,
        "README.md is {bytes} bytes (at most {README_MAX_BYTES}): move the detail to a page of docs/"
    );
}
