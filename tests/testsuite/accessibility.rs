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
    // With the PDF, so the EPUBs have their page lists and page markers.
    let sample = TestReport::sample();
    let run = sample.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fixture = TestReport::fixture("every-construct");
    let run = fixture.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Formulas as MathML, in a heading and a table header of math alone too.
    let math = TestReport::new();
    math.write("book.toml", "front = [\"m.md\"]\n\n[book]\ntitle = \"Formulas\"\n").write(
        "report/m.md",
        "# Formulas\n\nInline $\\dfrac{a}{b} \\le \\langle x, y \\rangle$, then:\n\n$$\\sum_{i=0}^n i = \\frac{n(n+1)}{2}$$\n\n\
         ## $E = mc^2$\n\n| $x_0$ | $\\partial_t u$ | Value |\n|---|---|---|\n| $1$ | $\\sqrt{2}$ | two |\n",
    );
    let run = math.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut epubs = vec![
        sample.path().join("build/report.epub"),
        sample.path().join("build/report.es.epub"),
        fixture.path().join("build/report.epub"),
        math.path().join("build/report.epub"),
    ];
    // The EIP corpus (where ../shared is beside the checkout).
    let eips = crate::eips::eip_report();
    if let Some((report, _)) = &eips {
        let run = report.run(&["build", "--format", "pdf", "--format", "epub"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        epubs.push(report.path().join("build/report.epub"));
    }
    for epub in &epubs {
        let found = violations(&ace, epub);
        assert!(found.is_empty(), "Ace: {} violation(s) in {}:\n{}", found.len(), epub.display(), found.join("\n"));
    }
}

/// The PDF's page labels (qpdf's JSON): the folio of each page, as a
/// reader's PDF viewer shows it; `None` for a page without a number.
fn pdf_page_labels(pdf: &Path) -> Vec<Option<String>> {
    let out = Command::new("qpdf").arg("--json").arg("--json-key=pagelabels").arg(pdf).output().unwrap();
    assert!(out.status.success(), "qpdf failed: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = crate::harness::pdf_pages(pdf, "pdf_page_labels").unwrap();
    let ranges = json["pagelabels"].as_array().cloned().unwrap_or_default();
    fn roman(mut n: u64) -> String {
        let mut s = String::new();
        for (value, digits) in
            [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl")]
                .into_iter()
                .chain([(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")])
        {
            while n >= value {
                s.push_str(digits);
                n -= value;
            }
        }
        s
    }
    (0..pages as u64)
        .map(|page| {
            let range = ranges.iter().rev().find(|r| r["index"].as_u64().unwrap() <= page)?;
            let label = &range["label"];
            let number = label["/St"].as_u64().unwrap_or(1) + page - range["index"].as_u64().unwrap();
            let prefix = label["/P"].as_str().unwrap_or("").trim_start_matches("u:").to_string();
            let folio = match label["/S"].as_str() {
                Some("/D") => number.to_string(),
                Some("/r") => roman(number),
                Some("/R") => roman(number).to_uppercase(),
                Some(style) => panic!("page label style {style} not expected in the sample"),
                None => String::new(),
            };
            Some(prefix + &folio).filter(|l| !l.is_empty())
        })
        .collect()
}

/// Letters and digits of each word, lower-cased (punctuation, check boxes
/// and the PDF's hyphenation do not count).
fn words(text: &str) -> Vec<String> {
    text.replace("\u{ad}\n", "")
        .replace('\u{ad}', "")
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The text of XHTML markup, tags dropped and entities read.
fn strip_tags(xhtml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// Issue 17: the EPUB's page list and page-break markers give the PDF's
/// pages. For every page of the sample report (both editions): the marker's
/// label is the PDF's page label of that page; the block after the marker
/// begins on that page, or (a page on which no block begins) the page's
/// text is inside the block before which it is marked; every numbered page
/// from the contents on is marked once, and the nav's page list lists the
/// markers in order.
#[test]
fn epub_page_markers_match_the_pdf_pages() {
    const TEST: &str = "epub_page_markers_match_the_pdf_pages";
    if !require_tool("qpdf", TEST) || !require_tool("pdftotext", TEST) {
        return;
    }
    let sample = TestReport::sample();
    let run = sample.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in ["report", "report.es"] {
        let pdf = sample.path().join(format!("build/{name}.pdf"));
        let labels = pdf_page_labels(&pdf);
        let text = crate::harness::pdf_text(&pdf, TEST).unwrap();
        let pages: Vec<Vec<String>> = text.split('\u{c}').map(words).collect();

        let bytes = std::fs::read(sample.path().join(format!("build/{name}.epub"))).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut documents = std::collections::BTreeMap::new();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            if file.name().ends_with(".xhtml") {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut file, &mut text).unwrap();
                documents.insert(file.name().rsplit('/').next().unwrap().to_string(), text);
            }
        }

        // Every marker: (page index, label), checked against the PDF.
        let mut marked = Vec::new();
        let mut ends = 0;
        for (file, xhtml) in &documents {
            let mut rest = xhtml.as_str();
            while let Some(at) = rest.find("<span epub:type=\"pagebreak\"") {
                let tag_end = at + rest[at..].find("/>").unwrap() + 2;
                let tag = &rest[at..tag_end];
                let attr = |name: &str| {
                    let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    tag[start..start + tag[start..].find('"').unwrap()].to_string()
                };
                assert!(tag.contains("role=\"doc-pagebreak\""), "{file}: {tag}");
                let index: usize = attr("id").strip_prefix("page-").unwrap().parse().unwrap();
                let label = attr("aria-label");
                assert_eq!(
                    labels[index - 1].as_deref(),
                    Some(label.as_str()),
                    "{name}: {file} marks page {index} as {label}, the PDF's label differs"
                );
                rest = &rest[tag_end..];
                // The first element after the marker(s): its first words.
                let after = rest.trim_start();
                let closers =
                    ["</h1>", "</h2>", "</h3>", "</h4>", "</p>", "</li>", "</dt>", "</th>", "</td>", "</pre>"];
                let first_end = closers.iter().filter_map(|c| after.find(c)).min().unwrap_or(after.len());
                let probe: Vec<String> = words(&strip_tags(&after[..first_end])).into_iter().take(3).collect();
                let page = &pages[index - 1];
                let begins_here = !probe.is_empty() && page.windows(probe.len()).any(|w| w == probe.as_slice());
                // A page on which no block begins: some four words of its
                // start are in the block marked before.
                let following = words(&strip_tags(&after[..after.len().min(20_000)]));
                let continues_here = page
                    .iter()
                    .take(40)
                    .collect::<Vec<_>>()
                    .windows(4)
                    .any(|w| following.windows(4).any(|f| f.iter().zip(w).all(|(a, b)| a == *b)));
                // At an article's end: a page of what only the PDF has (the
                // glossary's lists of pages), after the last block.
                let is_end =
                    |text: &str| text.starts_with("<section class=\"footnotes") || text.starts_with("</section>");
                // (The "How to cite" box the build adds after the body.)
                let after_box = after
                    .strip_prefix("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">")
                    .and_then(|rest| rest.split_once("</div>\n"))
                    .map(|(_, rest)| rest);
                let at_end = is_end(after) || after_box.is_some_and(is_end);
                ends += at_end as usize;
                assert!(
                    begins_here || continues_here || at_end,
                    "{name}: {file}: the marker of page {index} ({label}) stands before `{}`, which is not on that page:\n{}",
                    probe.join(" "),
                    page.join(" ")
                );
                marked.push((index, label, file.clone()));
            }
        }
        assert!(ends <= 2, "{name}: {ends} pages marked at an article's end");
        marked.sort();
        let first = marked.first().map(|m| m.0).expect("no page marker in the EPUB");
        let expected: Vec<usize> = (first..=labels.len()).filter(|&i| labels[i - 1].is_some()).collect();
        assert_eq!(marked.iter().map(|m| m.0).collect::<Vec<_>>(), expected, "{name}: every numbered page once");

        // The page list: the markers, in reading order.
        let nav = &documents["nav.xhtml"];
        let list = &nav[nav.find("epub:type=\"page-list\"").expect("no page-list nav")..];
        let list = &list[..list.find("</nav>").unwrap()];
        let entries: Vec<(String, String)> = list
            .split("<li><a href=\"")
            .skip(1)
            .map(|e| {
                let (href, rest) = e.split_once("\">").unwrap();
                (href.to_string(), rest[..rest.find("</a>").unwrap()].to_string())
            })
            .collect();
        let from_markers: Vec<(String, String)> =
            marked.iter().map(|(i, label, file)| (format!("{file}#page-{i}"), label.clone())).collect();
        assert_eq!(entries, from_markers, "{name}: the page list and the markers differ");
    }
}

/// The EPUB's accessibility metadata: a conformance claim where every image
/// has a text alternative, and the page source with the page features.
#[test]
fn epub_claims_conformance_with_its_page_source() {
    let sample = TestReport::sample();
    let run = sample.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let opf = |dir: &Path| {
        let bytes = std::fs::read(dir.join("build/report.epub")).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("OEBPS/content.opf").unwrap(), &mut text).unwrap();
        text
    };
    let text = opf(sample.path());
    for expected in [
        "<meta property=\"dcterms:conformsTo\" id=\"conformance\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>",
        "<meta property=\"a11y:certifiedBy\" refines=\"#conformance\">",
        "<meta property=\"schema:accessibilityFeature\">pageBreakMarkers</meta>",
        "<meta property=\"schema:accessibilityFeature\">pageNavigation</meta>",
        "<meta property=\"pageBreakSource\">Blockchain Technologies and Internet Governance",
        "(PDF, report.pdf)</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
    ] {
        assert!(text.contains(expected), "expected `{expected}` in the package document:\n{text}");
    }
    let summary = text.split("schema:accessibilitySummary").nth(1).unwrap();
    assert!(summary.contains("numbered pages of the print edition"), "{summary}");

    // Without the PDF in the same build: no page list, no page source.
    let run = sample.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = opf(sample.path());
    assert!(!text.contains("pageBreakSource") && !text.contains("pageNavigation"), "{text}");
    assert!(text.contains("dcterms:conformsTo"), "{text}");

    // An image without alt text: no claim, and the summary says why.
    let report = TestReport::new();
    report
        .write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build]\nformats = [\"epub\"]\n")
        .write("report/a.md", "# A\n\n![](pic.png)\n");
    std::fs::copy(
        repo().join("tests/fixtures/every-construct/report/img/figure.png"),
        report.path().join("report/pic.png"),
    )
    .unwrap();
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = opf(report.path());
    assert!(!text.contains("dcterms:conformsTo"), "{text}");
    assert!(text.contains("does not claim conformance"), "{text}");
}

/// The content of `name` in an EPUB.
fn epub_file(epub: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// The PDF's objects uncompressed (qpdf's QDF form), to read its tags.
fn pdf_objects(pdf: &Path) -> String {
    let out = Command::new("qpdf").args(["--qdf", "--object-streams=disable"]).arg(pdf).arg("-").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A passage in another language than its article's carries its language
/// in all three outputs: `[texte]{lang=fr}` and `<span lang="de">`; a
/// language that is not a BCP 47 tag is a named warning at its position.
#[test]
fn passages_carry_their_language_in_every_output() {
    let report = TestReport::new();
    report.write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n").write(
        "report/a.md",
        "# A\n\nShe said [la vie en rose]{lang=fr} and <span lang=\"de\">Guten Tag</span>,\nthen [hola]{#greet lang=es-MX} and [x]{lang=1}.\n\nIn Arabic: <span lang=\"ar\">مرحبا</span>.\n",
    );
    let run = report.run(&["build", "--format", "pdf", "--format", "epub", "--format", "html", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[ignored-attribute]: `lang=1` is not a language tag")
            && run.stderr.contains("report/a.md:4:40"),
        "{}",
        run.stderr
    );
    let build = report.path().join("build");
    let typ = std::fs::read_to_string(build.join("report.typ")).unwrap();
    for expected in [
        "#text(lang: \"fr\")[la vie en rose];",
        "#text(lang: \"de\")[Guten Tag];",
        "#text(lang: \"es\", region: \"MX\")[hola];",
        "#text(lang: \"ar\")[مرحبا];",
    ] {
        assert!(typ.contains(expected), "expected `{expected}` in the Typst:\n{typ}");
    }
    assert!(!typ.contains("lang=1") && typ.contains(" and x\\."), "{typ}");
    let xhtml = epub_file(&build.join("report.epub"), "OEBPS/a.xhtml");
    for expected in [
        "<span lang=\"fr\" xml:lang=\"fr\">la vie en rose</span>",
        "<span lang=\"de\" xml:lang=\"de\">Guten Tag</span>",
        "<span id=\"a.greet\"></span><span lang=\"es-MX\" xml:lang=\"es-MX\">hola</span>",
        "<span lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\">مرحبا</span>",
    ] {
        assert!(xhtml.contains(expected), "expected `{expected}` in the EPUB:\n{xhtml}");
    }
    let html = std::fs::read_to_string(build.join("html/a.html")).unwrap();
    assert!(html.contains("<span lang=\"fr\">la vie en rose</span>"), "{html}");
    assert!(!html.contains("xml:lang"), "{html}");
    if require_tool("qpdf", "passages_carry_their_language_in_every_output") {
        let objects = pdf_objects(&build.join("report.pdf"));
        for lang in ["/Lang(fr)", "/Lang(de)", "/Lang(es-MX)", "/Lang(ar)"] {
            assert!(objects.contains(lang), "the PDF's tags lack {lang}");
        }
    }
}

/// An image marked decorative (HTML `alt=""`, `role="presentation"`) needs
/// no description: under PDF/UA-1 the build passes with the image as an
/// artifact, the EPUB and the site hide it from assistive technology, and
/// the EPUB still claims conformance. An `<img>` without `alt` is a
/// missing description (a warning), and an error under PDF/UA-1.
#[test]
fn decorative_images_are_artifacts_and_missing_descriptions_are_named() {
    let report = TestReport::new();
    report
        .write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\nstandards = [\"ua-1\"]\n")
        .write(
            "report/a.md",
            "# A\n\n<img src=\"pic.png\" alt=\"\">\n\nText <img src=\"pic.png\" role=\"presentation\"> inline.\n",
        );
    std::fs::copy(
        repo().join("tests/fixtures/every-construct/report/img/figure.png"),
        report.path().join("report/pic.png"),
    )
    .unwrap();
    let run = report.run(&["build", "--format", "pdf", "--format", "epub", "--format", "html", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("missing-alt-text"), "{}", run.stderr);
    let build = report.path().join("build");
    let typ = std::fs::read_to_string(build.join("report.typ")).unwrap();
    assert_eq!(typ.matches("#pdf.artifact[").count(), 2, "{typ}");
    let xhtml = epub_file(&build.join("report.epub"), "OEBPS/a.xhtml");
    assert_eq!(xhtml.matches("alt=\"\" role=\"presentation\"/>").count(), 2, "{xhtml}");
    let opf = epub_file(&build.join("report.epub"), "OEBPS/content.opf");
    assert!(opf.contains("dcterms:conformsTo"), "{opf}");
    if require_tool("qpdf", "decorative_images_are_artifacts_and_missing_descriptions_are_named") {
        assert!(!pdf_objects(&build.join("report.pdf")).contains("/S /Figure"), "a decorative image is tagged");
    }

    report.write("report/a.md", "# A\n\n<img src=\"pic.png\">\n");
    report.write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\nstandards = []\n");
    let run = report.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[missing-alt-text]: image `pic.png` has no alt text"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:3:1"), "{}", run.stderr);
    report.write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\nstandards = [\"ua-1\"]\n");
    let run = report.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[pdf-standard]: image `report/pic.png` has no alt text"), "{}", run.stderr);
}

/// The sample PDF tags its tables' header cells as headers (TH): at least
/// one for each column header the EPUB has.
#[test]
fn pdf_tags_table_header_cells() {
    const TEST: &str = "pdf_tags_table_header_cells";
    if !require_tool("qpdf", TEST) {
        return;
    }
    let sample = TestReport::sample();
    let run = sample.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let epub = sample.path().join("build/report.epub");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().filter(|n| n.ends_with(".xhtml")).map(String::from).collect();
    let mut columns = 0;
    for name in names {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(&name).unwrap(), &mut text).unwrap();
        columns += text.matches("<th scope=\"col\"").count();
    }
    let objects = pdf_objects(&sample.path().join("build/report.pdf"));
    let (th, td) = (objects.matches("/S /TH").count(), objects.matches("/S /TD").count());
    assert!(columns > 10, "the sample has {columns} column headers");
    assert!(th >= columns && td > th, "{th} TH and {td} TD for {columns} column headers");
}
