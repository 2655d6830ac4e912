//! Numbered figures and tables, and references to them: `{#fig-name}` after
//! an image, `{#tbl-name}` at the end of a `Table:` caption, `@fig-name` or
//! `[@tbl-name]` in the text, and links to `#fig-name` — the same numbers in
//! the PDF and the EPUB, and errors at the reference's line and column.

use crate::epub::{assert_clean, epubcheck};
use crate::features::epub_text;
use crate::harness::{TestReport, assert_contains_all, pdf_text, squash};

const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#1f4e79\"/></svg>\n";

fn report(a: &str, b: &str) -> TestReport {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n")
        .write("report/img/x.svg", SVG)
        .write("report/a.md", a)
        .write("report/b.md", b);
    r
}

const A: &str = "+++\ntitle = \"A\"\n+++\n\n\
    As @fig-flow and [@tbl-sizes] show, and [the later one](b.md#fig-later) too.\n\n\
    ![An unnumbered icon](img/x.svg)\n\n\
    ![Flow chart](img/x.svg \"The flow\"){#fig-flow}\n\n\
    | Size | Count |\n|---|---:|\n| small | 3 |\n\nTable: Sizes of things {#tbl-sizes}\n";

const B: &str = "+++\ntitle = \"B\"\n+++\n\n\
    Back to @fig-flow in A; here @fig-later and @tbl-more.\n\n\
    ![Second](img/x.svg \"Captioned, no label\")\n\n\
    ![Later](img/x.svg \"Later\"){#fig-later}\n\n\
    Table: More things {#tbl-more}\n\n| k | v |\n|---|---|\n| a | b |\n";

#[test]
fn figures_and_tables_are_numbered_and_referenced_in_pdf_and_epub() {
    let r = report(A, B);
    let run = r.run(&["build", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    // The Typst source: numbers from coala-report, labels on the figures,
    // references as links to them (typst fails on a link to a missing label,
    // so the build passing proves the targets exist).
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert_contains_all(
        "Typst source",
        &typ,
        &[
            "#figure-image(\"/report/img/x.svg\", alt: \"Flow chart\", number: 1, caption: [The flow]) <a:fig-flow>",
            "#figure-image(\"/report/img/x.svg\", alt: \"Second\", number: 2, caption: [Captioned, no label])",
            "number: 3, caption: [Later]) <b:fig-later>",
            "#table-figure(number: 1, caption: [Sizes of things], ",
            "#table-figure(number: 2, caption: [More things], ",
            "#link-to(<a:fig-flow>)[Figure\u{a0}1]",
            "#link-to(<a:tbl-sizes>)[Table\u{a0}1]",
            "#link-to(<b:fig-later>)[Figure\u{a0}3]",
            "#link-to(<b:tbl-more>)[Table\u{a0}2]",
        ],
    );
    assert!(typ.contains("alt: \"An unnumbered icon\", number: none, caption: none)"), "{typ}");
    assert!(typ.contains("  table.hline(),\n)) <a:tbl-sizes>"), "{typ}");

    // The EPUB: the same numbers, ids on the figures and tables, links to them.
    let xhtml = epub_text(&r);
    assert_contains_all(
        "EPUB",
        &xhtml,
        &[
            "As <a class=\"internal\" href=\"#a.fig-flow\">Figure\u{a0}1</a> and <a class=\"internal\" href=\"#a.tbl-sizes\">Table\u{a0}1</a> show",
            "<a class=\"internal\" href=\"b.xhtml#b.fig-later\">the later one</a>",
            "Back to <a class=\"internal\" href=\"a.xhtml#a.fig-flow\">Figure\u{a0}1</a> in A",
            "<figure class=\"figure\" id=\"a.fig-flow\">",
            "<figcaption><span class=\"caption-number\">Figure\u{a0}1.</span> The flow</figcaption>",
            "<figcaption><span class=\"caption-number\">Figure\u{a0}2.</span> Captioned, no label</figcaption>",
            "<figure class=\"figure\" id=\"b.fig-later\">",
            "<table id=\"a.tbl-sizes\">\n<caption><span class=\"caption-number\">Table\u{a0}1.</span> Sizes of things</caption>",
            "<caption><span class=\"caption-number\">Table\u{a0}2.</span> More things</caption>",
        ],
    );
    assert!(!xhtml.contains("{#"), "label syntax left in the EPUB");
    if let Some(out) = epubcheck(&r.path().join("build/report.epub"), "crossref") {
        assert_clean("cross-reference", &out);
    }

    // The PDF: the captions and the references agree.
    let Some(text) = pdf_text(&r.pdf(), "figures_and_tables_are_numbered_and_referenced_in_pdf_and_epub") else {
        return;
    };
    let text = squash(&text);
    let expected = [
        "As Figure 1 and Table 1 show, and the later one too.",
        "Figure 1. The flow",
        "Table 1. Sizes of things",
        "Back to Figure 1 in A; here Figure 3 and Table 2.",
        "Figure 2. Captioned, no label",
        "Figure 3. Later",
        "Table 2. More things",
    ];
    assert_contains_all("PDF text", &text, &expected.map(squash));
    assert!(!text.contains("{#") && !text.contains("@fig-"), "{text}");
}

#[test]
fn references_to_missing_or_ambiguous_labels_are_errors_at_their_position_when_denied() {
    let a = "+++\ntitle = \"A\"\n+++\n\nFine: @fig-same.\nBroken: @fig-nope and [@tbl-none].\n\n\
             ![x](img/x.svg \"X\"){#fig-same}\n";
    let b = "+++\ntitle = \"B\"\n+++\n\n![y](img/y.svg \"Y\"){#fig-same}\n\n![z](img/x.svg \"Z\"){#fig-only-b}\n";
    let c = "+++\ntitle = \"C\"\n+++\n\nWhich one? @fig-same. This one: @fig-only-b.\n";
    let r = report(a, b);
    r.write("book.toml", "front = [\"a.md\", \"b.md\", \"c.md\"]\n\n[book]\ntitle = \"T\"\n")
        .write("report/img/y.svg", SVG)
        .write("report/c.md", c);
    let pdf = r.path().join("build/report.pdf");
    std::fs::create_dir_all(pdf.parent().unwrap()).unwrap();
    std::fs::write(&pdf, b"the last good PDF").unwrap();
    // Warnings by default (tests/testsuite/contributions.rs); denied here.
    let run = r.run(&["build", "--deny", "broken-crossref"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(std::fs::read(&pdf).unwrap(), b"the last good PDF");
    assert_contains_all(
        "diagnostics",
        &run.stderr,
        &[
            "error[broken-crossref]: no figure is labelled `fig-nope`",
            "report/a.md:6:9",
            "label a figure right after its image: `![alt](file.png \"Caption\"){#fig-nope}`",
            "error[broken-crossref]: no table is labelled `tbl-none`",
            "report/a.md:6:24",
            "error[broken-crossref]: `@fig-same` is ambiguous: it labels figures or tables in a.md, b.md",
            "report/c.md:5:12",
        ],
    );
    // A's own label wins over B's; C's unique one resolves.
    assert!(!run.stderr.contains("a.md:5:"), "{}", run.stderr);
    assert!(!run.stderr.contains("`fig-only-b`"), "{}", run.stderr);
    assert_eq!(std::fs::read(&pdf).unwrap(), b"the last good PDF", "a failed build replaced the PDF");
}

#[test]
fn bad_labels_are_reported_with_a_fix() {
    let a = "+++\ntitle = \"A\"\n+++\n\n## Fig one\n\n![a](img/x.svg \"X\"){#fig-one}\n\n\
             ![b](img/x.svg \"Y\"){#chart}\n\n| a |\n|---|\n| 1 |\n\nTable: Caption {#fig-wrong}\n\n\
             A stray {#tbl-lost} label.\n";
    let r = report(a, "+++\ntitle = \"B\"\n+++\n\nB.\n");
    let run = r.run(&["check", "--json", "-D", "duplicate-anchor", "-D", "invalid-label"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_contains_all(
        "JSON output",
        &run.stdout,
        &[
            "the figure id `fig-one` is already the id of a heading on line 5",
            "`{#chart}` is not a figure label; it is kept as a link target",
            "`{#fig-wrong}` is not a table label",
            "the label `{#tbl-lost}` is not attached to a figure or table",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diags: Vec<&serde_json::Value> =
        json["errors"].as_array().unwrap().iter().chain(json["warnings"].as_array().unwrap()).collect();
    let at = |needle: &str| {
        let d = diags.iter().find(|d| d["message"].as_str().unwrap().contains(needle)).unwrap();
        (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap(), d["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(at("already the id of a heading"), (7, 1, "error".into()));
    assert_eq!(at("{#chart}"), (9, 1, "error".into()));
    assert_eq!(at("{#fig-wrong}"), (15, 16, "error".into()));
    assert_eq!(at("{#tbl-lost}"), (17, 9, "warning".into()));
}

#[test]
fn a_figure_whose_image_is_unavailable_keeps_its_number_and_caption_under_pdf_ua() {
    let a = "+++\ntitle = \"A\"\n+++\n\nSee @fig-remote.\n\n\
             ![Remote chart](https://example.org/x.png \"A remote one\"){#fig-remote}\n";
    let r = report(a, "+++\ntitle = \"B\"\n+++\n\nB.\n");
    r.write(
        "book.toml",
        "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n\n[build.pdf]\nstandards = [\"a-2b\", \"ua-1\"]\n",
    );
    let run = r.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("remote image `https://example.org/x.png` is not fetched"), "{}", run.stderr);
    let xhtml = epub_text(&r);
    assert!(
        xhtml.contains("<figure class=\"figure image-unavailable\" id=\"a.fig-remote\">"),
        "expected the labelled placeholder in\n{xhtml}"
    );
    assert!(xhtml.contains("<span class=\"caption-number\">Figure\u{a0}1.</span> A remote one"), "{xhtml}");
    let Some(text) = pdf_text(&r.pdf(), "a_figure_whose_image_is_unavailable_keeps_its_number") else { return };
    let text = squash(&text);
    assert!(text.contains(&squash("See Figure 1.")), "{text}");
    assert!(text.contains(&squash("[Image: Remote chart] Figure 1. A remote one")), "{text}");
}
