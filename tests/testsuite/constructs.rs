//! Every CommonMark/GFM construct: snapshots of the generated Typst, and a
//! fixture report using all of them that typesets with its text intact.

use coala_report::output::typst::article_body;
use coala_report::passes;

use crate::harness::{TestReport, pdf_text, squash};

/// Loads a one-article report holding `md` and returns its Typst body and
/// diagnostics.
fn typst_of(md: &str) -> (String, Vec<String>) {
    let r = TestReport::new();
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", &format!("+++\ntitle = \"A\"\n+++\n{md}"))
        .write("report/b.md", "# Other\n\n## Its section\n")
        .write("report/img/pic.png", "not really a png");
    let loaded = passes::load(r.path(), None).unwrap_or_else(|d| panic!("{d:?}"));
    let article = loaded.report.articles().next().unwrap();
    let diags = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    (article_body(article), diags)
}

macro_rules! construct {
    ($name:ident, $md:expr) => {
        #[test]
        fn $name() {
            let (typst, diags) = typst_of($md);
            insta::assert_snapshot!(stringify!($name), format!("{typst}\n---\n{}", diags.join("\n")));
        }
    };
}

construct!(atx_and_setext_headings, "## Section\n\nText\n\nSub *section*\n-------------\n\n#### Deep\n");
construct!(paragraphs_and_breaks, "One\ntwo  \nthree\\\nfour\n\nNext paragraph.\n");
construct!(emphasis_strong_strike, "*em* _em_ **strong** __strong__ ~~strike~~ ***both***\n");
construct!(code_spans, "Use `#set` and `` a`b `` here.\n");
construct!(
    fenced_and_indented_code,
    "```rust\nfn main() { println!(\"#hi\"); }\n```\n\n    indented code\n    second line\n\n~~~\nno info\n~~~\n"
);
construct!(block_quotes_nested, "> Quote\n>\n> > Nested *quote*\n\nAfter.\n");
construct!(bullet_and_ordered_lists, "- one\n- two\n  - nested\n\n3. three\n4. four\n\n- loose\n\n- list\n");
construct!(task_lists, "- [x] done\n- [ ] open\n");
construct!(
    tables_with_alignment,
    "| Left | Center | Right | None |\n|:-----|:------:|------:|------|\n| a | *b* | 1.5 | `c` |\n| d | e | 10 | |\n"
);
construct!(
    table_captions,
    "Table: Before the table.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n\n: After the *second*.\n\n| d |\n|---|\n| 4 |\n\nNo caption here.\n"
);
construct!(
    footnotes,
    "Claim[^a], again[^a] and other[^long].\n\n[^a]: A note with *emphasis*.\n[^long]: First paragraph.\n\n    Second paragraph.\n"
);
construct!(
    links_of_every_kind,
    "[ext](https://example.org \"t\"), [ref][r], <https://auto.example>, www.example.com, <me@example.org>, [other](b.md), [section](b.md#its-section), [here](#local), [bad](javascript:alert(1))\n\n## Local\n\n[r]: https://ref.example\n"
);
construct!(
    images,
    "![A figure](img/pic.png \"Caption *title*\")\n\nInline ![icon](img/pic.png) image and ![remote](https://example.org/x.png).\n"
);
construct!(thematic_break, "Above\n\n***\n\nBelow\n");
construct!(
    inline_html,
    "H<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd>+<kbd>C</kbd>, <abbr title=\"Internet Governance Forum\">IGF</abbr><br>next, <span>kept</span>, <!-- gone --> <marquee>warned</marquee>\n"
);
construct!(
    html_blocks,
    "<div align=\"center\">\n<b>Bold</b> text &amp; more\n</div>\n\n<!-- a comment -->\n\n<p align=\"center\"><img src=\"img/pic.png\" alt=\"Logo\"></p>\n"
);
construct!(entities, "&copy; &amp; &lt;tag&gt; &#35;set &#x24;\n");
construct!(alerts, "> [!NOTE]\n> A note.\n\n> [!WARNING]\n> Careful.\n");
construct!(math, "Inline $x^2 + y_1$ and display\n\n$$\n\\sum_{i=0}^n i\n$$\n\n```math\na^2 + b^2 = c^2\n```\n");
construct!(
    typst_injection,
    "#set page(fill: red) #read(\"/etc/passwd\") <lbl> @ref $x$ #import \"a\": *\n\n= heading?\n\n+ enum?\n"
);

#[test]
fn every_construct_typesets_with_its_text_intact() {
    let report = TestReport::fixture("every-construct");
    report.with_styles();
    let run = report.build_pdf();
    assert!(run.stderr.contains("warning"), "the fixture has known warnings:\n{}", run.stderr);
    let Some(text) = pdf_text(&report.pdf(), "every_construct_typesets_with_its_text_intact") else { return };
    let text = squash(&text);
    for needle in [
        "Every construct",
        "Setext heading",
        "emphasis",
        "strong",
        "struck",
        "inline_code()",
        "fn main()",
        "indented code block",
        "A block quote",
        "A nested quote",
        "Bullet one",
        "Nested bullet",
        "Ordered seven",
        "Ordered eight",
        "Task done",
        "Task open",
        "Alpha",
        "Beta",
        "12.50",
        "The footnote text",
        "A link",
        "https://example.org/autolink",
        "The figure caption",
        "H2O",
        "Ctrl",
        "Raw HTML text kept",
        "©",
        "&",
        "A callout note",
        "Second article",
        "Cross-article link",
        "Table 1. Projects counted by year.",
        "Figure 1. The figure caption",
    ] {
        assert!(text.contains(&squash(needle)), "`{needle}` is not in the PDF:\n{text}");
    }
}
