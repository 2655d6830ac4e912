//! Hostile and broken input: generated markdown documents that
//! must always typeset to the text they mean and give well-formed XHTML;
//! limits (deep nesting, huge articles, tables and lines); Typst and HTML
//! injection; bad files; builds that fail at any stage (including Ctrl-C)
//! without losing the previous artifacts; PDF/A-2b + PDF/UA-1.

use std::time::{Duration, Instant};

use coala_report::model::{Block, BlockKind, Inline, Report};
use coala_report::output::pdf::{ReportWorld, document_text, typeset};
use coala_report::output::xhtml::{self, Context, ImageMap, Labels};
use coala_report::passes;
use proptest::prelude::*;

use crate::harness::{TestReport, is_ignorable, is_rtl, pdf_text, require_tool, say, squash, visible};

// ------------------------------------------------------- generated markdown ---

/// Characters of generated text: every Typst-special character, markdown
/// punctuation, Latin, RTL (Arabic, Hebrew), CJK, emoji, and any printable
/// character. `$` and `\` are always written `\$` and `\\`: a `$...$` pair
/// would be math, whose LaTeX is checked elsewhere (garbage LaTeX, which
/// code spans and escapes can still produce, is a clear error: accepted).
fn text_char() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            '#', '*', '_', '`', '@', '<', '>', '[', ']', '~', '=', '-', '+', '/', '\'', '"', '.', ':', ';',
            '(', ')', '{', '}', '%', '&', '!', '?', '^', '|', 'a', 'b', 'x', '1', '2', ' ', ' ', ' ', ' ',
        ])
        .prop_map(String::from),
        1 => Just("\\$".to_string()),
        1 => Just("\\\\".to_string()),
        2 => prop::sample::select(vec![
            "é", "ß", "Ω", "ж", "م", "ر", "ש", "ל", "中", "語", "한", "日本", "🙂", "👍🏽", "\u{a0}", "…", "“", "’", "—",
            "€",
        ])
        .prop_map(String::from),
        1 => any::<char>()
            .prop_map(|c| if c.is_control() || c.is_whitespace() || is_ignorable(c) { '¤' } else { c })
            .prop_map(String::from),
    ]
}

/// A run of text on one line.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(text_char(), 1..16).prop_map(|v| v.concat())
}

/// Inline markdown: text, emphasis, strong, strikethrough, code, links,
/// footnote references (defined at the end of the document), HTML.
fn inline() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => text(),
        1 => text().prop_map(|t| format!("*{}*", t.trim())),
        1 => text().prop_map(|t| format!("**{}**", t.trim())),
        1 => text().prop_map(|t| format!("~~{}~~", t.trim())),
        1 => text().prop_map(|t| format!("`{}`", t.replace('`', "'").trim())),
        1 => (text(), prop::sample::select(vec!["https://example.org/a_b?c=1#d", "other.md", "javascript:x()"]))
            .prop_map(|(t, url)| format!("[{}]({url})", t.replace(['[', ']'], "").trim())),
        1 => (1..4usize).prop_map(|n| format!("[^n{n}]")),
        1 => text().prop_map(|t| format!("<sup>{t}</sup>")),
        1 => text().prop_map(|t| format!("<script>{t}</script>")),
        // Cross-references to the table every document ends with, and label
        // syntax that labels nothing.
        1 => prop::sample::select(vec!["@tbl-end", "[@tbl-end]", "(@tbl-end)", "{#fig-stray}", "@fig-"])
            .prop_map(String::from),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(inline(), 1..5).prop_map(|v| v.join(" "))
}

/// A block as lines of markdown (nested blocks are prefixed).
fn block() -> impl Strategy<Value = Vec<String>> {
    let leaf = prop_oneof![
        4 => prop::collection::vec(line(), 1..3),
        1 => (1..7usize, line()).prop_map(|(level, l)| vec![format!("{} {l}", "#".repeat(level))]),
        1 => prop::collection::vec(text(), 1..4).prop_map(|lines| {
            let mut out = vec!["```".to_string()];
            out.extend(lines.into_iter().map(|l| l.replace('`', "'")));
            out.push("```".into());
            out
        }),
        1 => (1..4usize, 1..4usize, prop::collection::vec(text(), 16)).prop_map(|(cols, rows, cells)| {
            let cell = |i: usize| cells[i % cells.len()].replace('|', "\\|").trim().to_string();
            let mut out = vec![format!("| {} |", (0..cols).map(cell).collect::<Vec<_>>().join(" | "))];
            out.push(format!("|{}|", vec!["---"; cols].join("|")));
            for r in 0..rows {
                out.push(format!("| {} |", (0..cols).map(|c| cell(cols * (r + 1) + c)).collect::<Vec<_>>().join(" | ")));
            }
            out
        }),
        1 => Just(vec!["***".to_string()]),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        let blocks = prop::collection::vec(inner, 1..4);
        prop_oneof![
            blocks.clone().prop_map(|bs| prefixed(&bs, "> ", "> ")),
            prop::collection::vec(blocks.clone(), 1..4)
                .prop_map(|items| items.iter().flat_map(|bs| prefixed(bs, "- ", "  ")).collect()),
            prop::collection::vec(blocks.clone(), 1..4).prop_map(|items| {
                items.iter().enumerate().flat_map(|(i, bs)| prefixed(bs, &format!("{}. ", i + 1), "   ")).collect()
            }),
            prop::collection::vec(blocks, 1..3)
                .prop_map(|items| { items.iter().flat_map(|bs| prefixed(bs, "- [x] ", "  ")).collect() }),
        ]
    })
}

/// Joins blocks with blank lines; the first line gets `first`, the others
/// `rest` (a list item's or a quote's continuation).
fn prefixed(blocks: &[Vec<String>], first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.extend(b.iter().cloned());
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let prefix = if i == 0 { first } else { rest };
            if l.is_empty() { prefix.trim_end().to_string() } else { format!("{prefix}{l}") }
        })
        .collect()
}

/// A whole article body: blocks, then the footnote definitions.
fn document() -> impl Strategy<Value = String> {
    (prop::collection::vec(block(), 1..6), prop::collection::vec(line(), 3)).prop_map(|(blocks, notes)| {
        let mut md = String::new();
        for b in blocks {
            md.push_str(&b.join("\n"));
            md.push_str("\n\n");
        }
        md.push_str("| end |\n|---|\n| cell |\n\nTable: The last table {#tbl-end}\n\n");
        for (i, note) in notes.iter().enumerate() {
            md.push_str(&format!("[^n{}]: {}\n", i + 1, note.replace("[^", "[ ^")));
        }
        md
    })
}

// ------------------------------------------------------------- the oracle ---

/// The text the markdown means, from the document model, as runs that the
/// layout keeps together (a footnote reference or an image ends a run).
fn meant_runs(report: &Report) -> Vec<String> {
    fn inlines(list: &[Inline], run: &mut String, out: &mut Vec<String>) {
        for inline in list {
            match inline {
                Inline::Text(t) | Inline::Code(t) | Inline::Kbd(t) => run.push_str(t),
                Inline::SoftBreak | Inline::LineBreak => run.push(' '),
                Inline::FootnoteRef { .. } | Inline::Image(_) | Inline::Math { .. } => {
                    out.push(std::mem::take(run));
                }
                container => inlines(container.children().unwrap_or_default(), run, out),
            }
        }
    }
    fn blocks(list: &[Block], out: &mut Vec<String>) {
        for block in list {
            let mut run = String::new();
            match &block.kind {
                BlockKind::Paragraph(i) | BlockKind::Heading { content: i, .. } => inlines(i, &mut run, out),
                BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => blocks(b, out),
                BlockKind::List { items, .. } => items.iter().for_each(|item| blocks(&item.blocks, out)),
                BlockKind::DefinitionList { items, .. } => items.iter().for_each(|item| {
                    let mut run = String::new();
                    inlines(&item.term, &mut run, out);
                    out.push(run);
                    blocks(&item.blocks, out)
                }),
                BlockKind::Code { code, .. } => run.push_str(code),
                BlockKind::Table { header, rows, .. } => {
                    for cell in header.iter().chain(rows.iter().flatten()) {
                        let mut run = String::new();
                        inlines(cell, &mut run, out);
                        out.push(run);
                    }
                }
                BlockKind::Figure { caption, .. } => inlines(caption, &mut run, out),
                BlockKind::Math { .. } | BlockKind::Rule | BlockKind::Anchor(_) => {}
            }
            out.push(run);
        }
    }
    let mut out = Vec::new();
    for article in report.articles() {
        blocks(&article.blocks, &mut out);
        for note in &article.footnotes {
            blocks(&note.blocks, &mut out);
        }
    }
    out.retain(|r| !visible(r).is_empty());
    out
}

/// Whether `run` appears in `text` as a subsequence spanning at most
/// `run.len() + slack` characters: the layout may put a page break (running
/// head, folio), a hyphen or a wrap point inside a run, nothing else.
fn appears(run: &[char], text: &[char], slack: usize) -> bool {
    let Some(&first) = run.first() else { return true };
    for start in (0..text.len()).filter(|&i| text[i] == first) {
        let mut j = start;
        let mut matched = 0;
        while j < text.len() && matched < run.len() && j - start <= run.len() + slack {
            if text[j] == run[matched] {
                matched += 1;
            }
            j += 1;
        }
        if matched == run.len() && j - start <= run.len() + slack {
            return true;
        }
    }
    false
}

/// A one-article report in `dir` with the default template.
fn write_report(report: &TestReport, md: &str) {
    report.write("book.toml", "front = [\"a.md\", \"other.md\"]\n[book]\ntitle = \"Generated\"\n");
    report.write("report/a.md", &format!("+++\ntitle = \"Prop\"\n+++\n\n{md}"));
    report.write("report/other.md", "# Other\n\nText.\n");
}

/// Loads the report and checks what the issue promises; `typeset_too`
/// also compiles the Typst and compares the laid-out text.
fn check_document(report: &TestReport, md: &str, typeset_too: bool) -> Result<(), TestCaseError> {
    write_report(report, md);
    let loaded = passes::load(report.path(), None).map_err(|d| TestCaseError::fail(format!("load failed: {d:?}")))?;
    // Only warnings: generated markdown is never an error, except math
    // that is not LaTeX, a heading whose slug is the last table's label
    // (`# @tbl-end`), a reference to that table when an unclosed code
    // fence swallowed it, a `!` that makes a link to `other.md` an image
    // of a markdown file, and any other image syntax the characters make
    // (`![...](\$)`, `![...](/)`), of a file that is not there: clear
    // errors naming their line.
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    for error in &errors {
        prop_assert!(
            (error.message.starts_with("cannot typeset the math")
                || error.message == "the label `tbl-end` is also the anchor of a heading"
                || error.message == "no table is labelled `tbl-end`"
                || error.message
                    == "image `other.md`: `md` images are not supported (use PNG, JPEG, GIF, SVG or WebP)"
                || error.lint.name == "missing-image")
                && error.line.is_some(),
            "errors: {errors:?}"
        );
    }
    let typeset_too = typeset_too && errors.is_empty();

    // (c) The XHTML of every article is well-formed.
    let labels = Labels::for_language("en");
    let images = ImageMap::new();
    let ctx =
        Context { lang: "en", labels: &labels, images: &images, stylesheet: "style.css", pages: None, math: None };
    for article in loaded.report.articles() {
        let doc = xhtml::article_document(article, &ctx);
        let parsed = roxmltree::Document::parse_with_options(
            &doc,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        );
        prop_assert!(parsed.is_ok(), "ill-formed XHTML ({:?}):\n{doc}", parsed.err());
        let parsed = parsed.unwrap();
        // No live markup from the markdown: only elements the emitter writes.
        for node in parsed.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            prop_assert!(!["script", "iframe", "style", "object", "embed"].contains(&name), "<{name}> in:\n{doc}");
            for attr in node.attributes() {
                prop_assert!(!attr.name().starts_with("on"), "event handler {} in:\n{doc}", attr.name());
                prop_assert!(!attr.value().trim_start().to_ascii_lowercase().starts_with("javascript:"), "{doc}");
            }
        }
    }
    if !typeset_too {
        return Ok(());
    }

    // (a) The generated Typst compiles.
    let emitted = coala_report::output::typst::emit(
        &loaded.report,
        &loaded.manifest,
        loaded.manifest.build.style.as_deref().unwrap_or(coala_report::config::DEFAULT_STYLE),
    );
    let mut world = ReportWorld::new(&loaded.root, None);
    world.set_emitted(&emitted);
    let typeset = typeset(&world, &emitted)
        .map_err(|d| TestCaseError::fail(format!("did not compile: {d:?}\n--- typst:\n{}", emitted.source)))?;

    // (b) The typeset text holds the text the markdown means.
    let got = visible(&document_text(&typeset.document));
    let runs = meant_runs(&loaded.report);
    let rtl = runs.iter().any(|r| r.chars().any(is_rtl));
    if rtl {
        // Right-to-left runs are laid out in visual order: every character
        // is there, in some order.
        let mut pool = got.clone();
        pool.sort_unstable();
        for run in &runs {
            for c in visible(run) {
                match pool.binary_search(&c) {
                    Ok(i) => {
                        pool.remove(i);
                    }
                    Err(_) => prop_assert!(false, "`{c}` of {run:?} is not in the typeset text"),
                }
            }
        }
    } else {
        for run in &runs {
            let want = visible(run);
            prop_assert!(
                appears(&want, &got, 60 + want.len() / 4),
                "{run:?} is not in the typeset text:\n{}\n--- typst:\n{}",
                got.iter().collect::<String>(),
                emitted.source
            );
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    /// Every generated document loads without error and every article's
    /// XHTML is well-formed, with no live markup from the markdown.
    #[test]
    fn generated_markdown_gives_well_formed_xhtml(md in document()) {
        let report = TestReport::new();
        check_document(&report, &md, false)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Typesetting costs 10-40 ms a case: a quarter of PROPTEST_CASES (500 in CI).
        cases: (cases() / 4).max(16),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    /// Every generated document compiles, and its typeset text holds the
    /// text the markdown means.
    #[test]
    fn generated_markdown_typesets_to_its_text(md in document()) {
        let report = TestReport::new();
        report.with_styles();
        check_document(&report, &md, true)?;
    }
}

/// Documents the property tests found failing, kept as fixed cases.
#[test]
fn generated_markdown_regressions() {
    let report = TestReport::new();
    report.with_styles();
    for md in [
        "Text.\n",
        // Math whose Typst translation ends in a backslash (`\\` is a line
        // break): the backslash escaped the closing `$`, and the generated
        // Typst did not compile.
        "1. $\\$ \\\\$$\n",
        "Inline $a \\\\$ math.\n",
        // An image with an empty target was an error ("image ``: no such
        // file"); it is a warning and shows its alt text.
        "1. - [x] ![\n     ]()\n\n[^n1]: #\n[^n2]: #\n[^n3]: #\n",
        // A lone emoji modifier before Arabic text tripped a debug assertion
        // inside typst's shaping (a panic): dependencies are now built
        // without debug assertions, and typst panics become errors.
        "1. > > }\u{1F3FB}\u{645}\n\n[^n1]: #\n[^n2]: #\n[^n3]: #\n",
        // A `!` before a generated link makes an image of `other.md`: a
        // clear error at its line, not a failure of the test's premise.
        "1. ![` [`](other.md)\n\n| end |\n|---|\n| cell |\n\nTable: The last table {#tbl-end}\n\n[^n1]: #\n[^n2]: #\n[^n3]: #\n",
        // Likewise `![...](\$)` across lines: an image of a file `$` that is
        // not there (found by CI's proptest run).
        "- > @tbl-end <script>![</script>\n  > *](\\$)*\n\n| end |\n|---|\n| cell |\n\nTable: The last table {#tbl-end}\n\n[^n1]: #\n[^n2]: #\n[^n3]: #\n",
    ] {
        check_document(&report, md, true).unwrap_or_else(|e| panic!("{md:?}: {e}"));
    }
}

// ------------------------------------------------------------------ limits ---

/// A report holding one article `a.md` with `body`, and the default template.
fn one_article(body: &str) -> TestReport {
    let report = TestReport::new();
    report.with_styles();
    report.write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"Limits\"\n");
    report.write("report/a.md", &format!("+++\ntitle = \"A\"\n+++\n\n{body}"));
    report
}

/// Loads a report and runs both emitters, as `build` does before
/// typesetting; returns the diagnostics as text and the time it took.
fn load_and_emit(report: &TestReport) -> (Vec<String>, Duration) {
    let start = Instant::now();
    let loaded = passes::load(report.path(), None).unwrap_or_else(|d| panic!("load failed: {d:?}"));
    let emitted = coala_report::output::typst::emit(&loaded.report, &loaded.manifest, "styles/report.typ");
    assert!(emitted.source.contains("#article("));
    let labels = Labels::for_language("en");
    let images = ImageMap::new();
    let ctx =
        Context { lang: "en", labels: &labels, images: &images, stylesheet: "style.css", pages: None, math: None };
    for article in loaded.report.articles() {
        let doc = xhtml::article_document(article, &ctx);
        roxmltree::Document::parse_with_options(
            &doc,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .expect("well-formed XHTML");
    }
    (loaded.diagnostics.iter().map(|d| d.to_string()).collect(), start.elapsed())
}

#[test]
fn ten_thousand_nested_quotes_are_flattened_and_typeset() {
    let report = one_article(&(">".repeat(10_000) + " deep\n"));
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("blocks nested more than 12 levels deep are flattened"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:5:14"), "{}", run.stderr);
}

#[test]
fn ten_thousand_nested_lists_are_flattened_and_typeset() {
    // Each level on one line (`- - - x`), and mixed with quotes and enums.
    let report = one_article(&format!("{}x\n\n{}y\n", "- ".repeat(10_000), "> - 1. ".repeat(3_000)));
    let (diags, _) = load_and_emit(&report);
    assert!(diags.iter().any(|d| d.contains("are flattened")), "{diags:?}");
    let report = one_article(&format!("{}x\n", "- ".repeat(10_000)));
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn deep_inline_nesting_typesets() {
    let report = one_article(&format!(
        "{}x{}\n\n{}y{}\n\n{}z{}\n",
        "*".repeat(20_000),
        "*".repeat(20_000),
        "[".repeat(5_000),
        "](https://example.org)".repeat(5_000),
        "<sup>".repeat(2_000),
        "</sup>".repeat(2_000)
    ));
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_20_mb_article_loads_and_converts_in_bounded_time() {
    let para = "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit, [sed](https://example.org) do `tempor`.\n\n";
    let report = one_article(&para.repeat(20_000_000 / para.len()));
    let (diags, took) = load_and_emit(&report);
    assert!(diags.is_empty(), "{diags:?}");
    // About 6 s on a loaded two-core machine (debug build of our crate).
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn a_100_000_row_table_loads_and_converts() {
    let mut md = String::from("| n | name | value |\n|---:|:---|---|\n");
    for i in 0..100_000 {
        md.push_str(&format!("| {i} | row *{i}* | #{i} |\n"));
    }
    let report = one_article(&md);
    let (diags, took) = load_and_emit(&report);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_megabyte_long_line_typesets() {
    let report = one_article(&("word #x ".repeat(125_000) + "\n"));
    let (diags, _) = load_and_emit(&report);
    assert!(diags.is_empty(), "{diags:?}");
    // Typesetting it (about 5 s, 300 MB) is a documented local check:
    // COALA_HEAVY_TESTS=1 cargo test hostile.
    if std::env::var_os("COALA_HEAVY_TESTS").is_some() {
        let run = report.run(&["build"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
}

// --------------------------------------------------------------- injection ---

/// Builds `md` as a one-article report (PDF and EPUB); returns the PDF's
/// text (squashed; `None` without pdftotext) and every XHTML file.
fn build_both(md: &str, test: &str) -> (Option<String>, Vec<(String, String)>) {
    let report = one_article(md);
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let epub = std::fs::File::open(report.path().join("build/report.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(epub).unwrap();
    let mut xhtml = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().ends_with(".xhtml") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut file, &mut text).unwrap();
            xhtml.push((file.name().to_string(), text));
        }
    }
    (pdf_text(&report.pdf(), test).map(|t| squash(&t)), xhtml)
}

fn typst_injection(md: &str, shown: &str, test: &str) {
    let (text, _) = build_both(&format!("Before {md} after.\n"), test);
    let Some(text) = text else { return };
    let needle = squash(&format!("Before {shown} after."));
    assert!(text.contains(&needle), "`{shown}` is not printed verbatim:\n{text}");
}

#[test]
fn injection_read_is_printed_not_run() {
    typst_injection("#read(\"/etc/passwd\")", "#read(\"/etc/passwd\")", "injection_read_is_printed_not_run");
}

#[test]
fn injection_import_is_printed_not_run() {
    typst_injection("#import \"/book.toml\": *", "#import \"/book.toml\": *", "injection_import_is_printed_not_run");
}

#[test]
fn injection_set_is_printed_not_run() {
    typst_injection("#set page(width: 1cm)", "#set page(width: 1cm)", "injection_set_is_printed_not_run");
}

#[test]
fn injection_escaped_dollars_are_not_math() {
    typst_injection("\\$x^2 + #y\\$", "$x^2 + #y$", "injection_escaped_dollars_are_not_math");
}

#[test]
fn injection_reference_is_printed() {
    typst_injection("@label and @fig:1", "@label and @fig:1", "injection_reference_is_printed");
}

#[test]
fn injection_label_is_printed() {
    // (A bare `<x-y>` is an HTML tag in markdown: left out, with a warning.)
    typst_injection("\\<label\\> and \\<x-y\\>", "<label> and <x-y>", "injection_label_is_printed");
}

#[test]
fn injection_code_block_is_printed_not_run() {
    typst_injection("#{ panic(\"boom\") }", "#{ panic(\"boom\") }", "injection_code_block_is_printed_not_run");
}

/// No element, attribute or URL from the markdown's raw HTML is live in
/// any XHTML file of the EPUB.
fn assert_no_live_html(xhtml: &[(String, String)]) {
    for (name, text) in xhtml {
        let doc = roxmltree::Document::parse_with_options(
            text,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"));
        for node in doc.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name().name();
            assert!(!["script", "iframe", "style", "object", "embed", "form"].contains(&tag), "<{tag}> in {name}");
            for attr in node.attributes() {
                assert!(!attr.name().to_ascii_lowercase().starts_with("on"), "{} in {name}", attr.name());
                let value = attr.value().trim().to_ascii_lowercase();
                assert!(!value.starts_with("javascript:") && !value.starts_with("data:"), "{value} in {name}");
            }
        }
    }
}

#[test]
fn raw_html_script_never_reaches_the_epub() {
    let (_, xhtml) = build_both("<script>alert(1)</script>\n\nText <script>alert(2)</script> here.\n", "x");
    assert_no_live_html(&xhtml);
}

#[test]
fn raw_html_event_handlers_never_reach_the_epub() {
    let (_, xhtml) = build_both(
        "<img src=\"https://example.org/x.png\" alt=\"x\" onerror=\"alert(1)\">\n\nA <b onclick=\"alert(2)\">bold</b> word.\n",
        "x",
    );
    assert_no_live_html(&xhtml);
}

#[test]
fn javascript_urls_never_reach_the_epub() {
    let (_, xhtml) = build_both(
        "[click](javascript:alert(1)) <a href=\"javascript:alert(2)\">a</a> [d](data:text/html,x) <JAVASCRIPT:alert(3)>\n",
        "x",
    );
    assert_no_live_html(&xhtml);
}

#[test]
fn raw_html_iframe_never_reaches_the_epub() {
    let (_, xhtml) = build_both("<iframe src=\"https://evil.example\"></iframe>\n\nA <iframe>x</iframe> b.\n", "x");
    assert_no_live_html(&xhtml);
}

#[test]
fn raw_html_style_never_reaches_the_epub() {
    let (_, xhtml) = build_both("<style>body { display: none }</style>\n\nA <style>p{}</style> b.\n", "x");
    assert_no_live_html(&xhtml);
}

// --------------------------------------------------------------- bad input ---

fn is_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn empty_article_builds_with_a_warning() {
    let report = TestReport::new();
    report.with_styles();
    report.write("book.toml", "front = [\"empty.md\"]\n[book]\ntitle = \"T\"\n").write("report/empty.md", "");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[missing-title]: `empty.md` has no title; using `empty`"), "{}", run.stderr);
}

#[test]
fn empty_book_toml_is_a_clear_error() {
    let report = TestReport::new();
    report.write("book.toml", "");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("error[invalid-manifest]: missing field `book`"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn the_same_article_listed_twice_in_different_lists() {
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"a.md\"]\nback = [\"sub/../a.md\"]\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", "# A\n");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("error[missing-article]: the article `sub/../a.md` is listed twice"), "{}", run.stderr);
    assert!(run.stderr.contains("book.toml:2:"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn unreadable_article_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        say("SKIPPED unreadable_article_is_a_clear_error: running as root, chmod 000 does not prevent reading");
        return;
    }
    let report = one_article("Text.\n");
    let path = report.path().join("report/a.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = report.run(&["build"]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[unreadable-file]: cannot read `report/a.md`: permission denied"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_front_matter_of_both_kinds() {
    for (front, expected) in [
        ("+++\ntitle = \n+++\n", "report/a.md:2"),
        ("+++\n[[[\n+++\n", "report/a.md:2"),
        ("---\ntitle: [a\n---\n", "report/a.md:"),
        ("---\n: :\n  - x\n---\n", "report/a.md:"),
        ("+++\ntitle = \"unclosed\n", "report/a.md"),
    ] {
        let report = TestReport::new();
        report.with_styles();
        report
            .write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n")
            .write("report/a.md", &format!("{front}\nText.\n"));
        let run = report.run(&["build"]);
        assert!(run.code == 1 || run.code == 0, "{front:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{front:?}: {}", run.stderr);
        if run.code == 1 {
            assert!(run.stderr.contains(expected), "{front:?}: {}", run.stderr);
        }
    }
}

#[test]
fn duplicate_heading_ids_are_made_unique() {
    let report = one_article("## Intro\n\nA [link](#intro-1).\n\n## Intro\n\n## Intro\n");
    let loaded = passes::load(report.path(), None).unwrap();
    let article = loaded.report.articles().next().unwrap();
    let ids: Vec<&str> = article
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["intro", "intro-1", "intro-2"]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

// ------------------------------------------------------------ nothing lost ---

/// A report built once (PDF and EPUB); returns it with the artifacts' bytes.
fn built_sample_like() -> (TestReport, Vec<u8>, Vec<u8>) {
    let report = one_article("Some *text*.\n\n## Section\n\nMore text.\n");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pdf = std::fs::read(report.pdf()).unwrap();
    let epub = std::fs::read(report.path().join("build/report.epub")).unwrap();
    (report, pdf, epub)
}

/// The artifacts are byte-identical and the build folder holds nothing else.
fn assert_nothing_lost(report: &TestReport, pdf: &[u8], epub: &[u8]) {
    assert!(std::fs::read(report.pdf()).unwrap() == pdf, "the PDF changed");
    assert!(std::fs::read(report.path().join("build/report.epub")).unwrap() == epub, "the EPUB changed");
    let names = crate::harness::build_listing(&report.path().join("build"));
    assert_eq!(names, ["report.epub", "report.pdf"], "temporary files left behind");
}

#[test]
fn nothing_lost_when_an_article_fails_to_parse() {
    let (report, pdf, epub) = built_sample_like();
    std::fs::write(report.path().join("report/a.md"), b"+++\ntitle = \"A\"\n+++\n\xff\xfe broken\n").unwrap();
    let run = report.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_nothing_lost(&report, &pdf, &epub);
}

#[test]
fn nothing_lost_when_typst_fails() {
    let (report, pdf, epub) = built_sample_like();
    let style = report.path().join("styles/report.typ");
    let text = std::fs::read_to_string(&style).unwrap() + "\n#panic(\"template broken\")\n";
    std::fs::write(&style, text).unwrap();
    report.write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nChanged text.\n");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("template broken"), "{}", run.stderr);
    assert_nothing_lost(&report, &pdf, &epub);
}

#[test]
fn nothing_lost_when_the_build_folder_is_unwritable() {
    let (report, pdf, epub) = built_sample_like();
    report.write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nChanged text.\n");
    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let build = report.path().join("build");
        std::fs::set_permissions(&build, std::fs::Permissions::from_mode(0o555)).unwrap();
        let run = report.run(&["build"]);
        std::fs::set_permissions(&build, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("error[write-failed]: cannot write"), "{}", run.stderr);
        assert_nothing_lost(&report, &pdf, &epub);
    } else {
        say("nothing_lost_when_the_build_folder_is_unwritable: running as root, chmod does not apply; \
             testing a build folder that cannot be created instead");
    }
    // Whoever runs the test: a build folder that cannot be created (its
    // path goes through a regular file) is a clear error, and nothing is
    // written anywhere.
    std::fs::write(report.path().join("blocker"), "a file").unwrap();
    let run = report.run(&["build", "--out", "blocker/build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[write-failed]: cannot write `blocker/build/report."), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(report.path().join("blocker")).unwrap(), "a file");
    assert_nothing_lost(&report, &pdf, &epub);
}

#[cfg(unix)]
#[test]
fn nothing_lost_on_ctrl_c() {
    // A report that typesets for a few seconds; interrupted at several
    // moments, the previous artifacts stay and no temporary file is left.
    let (report, pdf, epub) = built_sample_like();
    report.write(
        "report/a.md",
        &format!("+++\ntitle = \"A\"\n+++\n\n{}", "Some words, *again* and again.\n\n".repeat(20_000)),
    );
    // A shell without job control starts background commands with SIGINT
    // ignored, and the build inherits that: then TERM stops it as abruptly.
    let signal = if sigint_ignored() {
        say("nothing_lost_on_ctrl_c: SIGINT is ignored in this process (started in the background?); sending TERM");
        "-TERM"
    } else {
        "-INT"
    };
    for delay in [200, 600, 1200] {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_coala-report"))
            .args(["build", "--color=never", "--quiet"])
            .current_dir(report.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let status = std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        assert!(!output.status.success(), "the build finished before Ctrl-C ({delay} ms): make it bigger");
        assert_nothing_lost(&report, &pdf, &epub);
    }
}

/// Whether this process ignores SIGINT (Linux's `SigIgn` mask; elsewhere
/// taken as not).
#[cfg(unix)]
fn sigint_ignored() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).map(str::trim).unwrap_or("0");
    u64::from_str_radix(mask, 16).is_ok_and(|m| m & (1 << (2 - 1)) != 0)
}

// ---------------------------------------------------------- PDF conformance ---

#[test]
fn sample_report_is_pdf_a_2b_and_ua_1_and_passes_qpdf() {
    let manifest = std::fs::read_to_string(crate::harness::repo().join("book.toml")).unwrap();
    assert!(manifest.contains("standards = [\"a-2b\", \"ua-1\"]"), "the sample report asks for PDF/A-2b and PDF/UA-1");
    let report = TestReport::sample();
    report.build_pdf();
    let bytes = std::fs::read(report.pdf()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    // The XMP metadata declares both conformances.
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "no PDF/A part");
    assert!(text.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "no PDF/A conformance");
    assert!(text.contains("<pdfuaid:part>1</pdfuaid:part>"), "no PDF/UA part");
    if !require_tool("qpdf", "sample_report_is_pdf_a_2b_and_ua_1_and_passes_qpdf") {
        return;
    }
    let out = std::process::Command::new("qpdf").arg("--check").arg(report.pdf()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "qpdf --check failed:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("No syntax or stream encoding errors found"), "{stdout}");
}

#[test]
fn by_default_the_pdf_is_tagged_with_language_and_title() {
    let report = one_article("Text.\n");
    report.build_pdf();
    let bytes = std::fs::read(report.pdf()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/StructTreeRoot"), "not tagged");
    assert!(text.contains("/Lang"), "no language");
    assert!(text.contains("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Limits</rdf:li>"), "no title");
    assert!(!text.contains("pdfuaid:part>1<"), "PDF/UA is opt-in");
}

#[test]
fn missing_alt_text_under_ua_1_names_the_markdown_line() {
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\nstandards = [\"ua-1\"]\n")
        .write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n\n> Quoted ![](pic.svg) inline.\n")
        .write("report/pic.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>");
    for args in [&["build"][..], &["check"][..]] {
        let run = report.run(args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("error[pdf-standard]: image `report/pic.svg` has no alt text, which PDF/UA-1 requires"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("report/a.md:7:10"), "{}", run.stderr);
        assert!(!run.stderr.contains("styles/report.typ"), "{}", run.stderr);
        assert!(!run.stderr.contains("warning[missing-alt-text]: image"), "reported twice:\n{}", run.stderr);
    }
    // With alt text it builds, as PDF/UA-1.
    report.write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n\n> Quoted ![A square](pic.svg) inline.\n");
    report.build_pdf();
}

#[test]
fn unknown_pdf_standard_lists_the_valid_ones() {
    let report = one_article("Text.\n");
    report.write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\nstandards = [\"pdf/a\"]\n");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("error[invalid-manifest]: unknown value `pdf/a`"), "{}", run.stderr);
    assert!(run.stderr.contains("book.toml:5:"), "{}", run.stderr);
    assert!(run.stderr.contains("the values allowed here are `1.4`"), "{}", run.stderr);
    assert!(run.stderr.contains("`a-2b`") && run.stderr.contains("`ua-1`"), "{}", run.stderr);
}

/// An SVG image with scripts, event handlers and `javascript:` links (a
/// reader who opens the image by itself would run them on the site's
/// origin): a named warning at the image, and the EPUB and the site serve it
/// without them; the PDF draws it as before.
#[test]
fn svg_scripts_never_reach_the_epub_or_the_site() {
    let r = TestReport::new();
    r.write(
        "book.toml",
        "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[build]\nformats = [\"pdf\", \"epub\", \"html\"]\n",
    );
    r.write("report/a.md", "# A\n\nText.\n\n![A square](pic.svg)\n");
    r.write(
        "report/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"20\" \
         height=\"20\" onload=\"alert(document.cookie)\"><script>alert(1)</script>\
         <a xlink:href=\"javascript:alert(2)\"><rect id=\"1=\" width=\"20\" height=\"20\" fill=\"#036\"/></a>\
         <use href=\"#1=\"/></svg>",
    );
    let run = r.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning[svg-script]: image `pic.svg` has scripts, event handlers (`on…` attributes), `javascript:` \
             links: the EPUB and the web edition leave them out"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/a.md:5:1"), "{}", run.stderr);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(r.path().join("build/report.epub")).unwrap()).unwrap();
    let mut in_epub = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("OEBPS/images/pic.svg").unwrap(), &mut in_epub).unwrap();
    let on_site = std::fs::read_to_string(r.path().join("build/html/images/pic.svg")).unwrap();
    for (name, svg) in [("EPUB", &in_epub), ("site", &on_site)] {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        for node in doc.descendants().filter(|n| n.is_element()) {
            assert_ne!(node.tag_name().name(), "script", "{name}: {svg}");
            for attr in node.attributes() {
                assert!(!attr.name().starts_with("on") && !attr.value().contains("javascript:"), "{name}: {svg}");
            }
        }
        assert!(svg.contains("id=\"_1_\"") && svg.contains("href=\"#_1_\""), "{name}: the id is an XML name: {svg}");
    }
    assert!(
        std::fs::read(r.path().join("report/pic.svg")).unwrap().windows(8).any(|w| w == b"<script>"),
        "source kept"
    );
    if let Some(out) = crate::epub::epubcheck(&r.path().join("build/report.epub"), "svg_scripts_never_reach") {
        crate::epub::assert_clean("svg", &out);
    }
}
