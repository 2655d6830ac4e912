//! Contributions as outside authors write them: the syntaxes
//! they use for anchors, the severity policy with named, configurable
//! diagnostics, the built-in template, Pandoc's front-matter rule,
//! root-absolute paths, and diagnostics at scale.

use crate::harness::{TestReport, pdf_text, squash};

/// A report of one article, without `styles/` (the built-in template).
fn one(article: &str) -> TestReport {
    let r = TestReport::new();
    r.write(
        "book.toml",
        "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[build]\nformats = [\"pdf\", \"epub\", \"html\"]\n",
    );
    r.write("report/a.md", article);
    r
}

const ANCHORS: &str = "# Anchors

## Lack of backtracking { #backtrack }

## Title {#custom .class key=value}

Setext with an id {#setext}
---------------------------

<a name=\"old-style\"></a>
<a id=\"id-style\">Text after an id anchor.</a> and <span id=\"7\"></span>seven.

<div id=\"block-anchor\"></div>

A [bracketed span]{#span-id .smallcaps} in the text.

Links: [a](#backtrack), [b](#custom), [c](#title), [d](#setext), [e](#old-style), [f](#id-style),
[g](#7), [h](#block-anchor), [i](#span-id), [j](#lack-of-backtracking), [k](#Lack-Of-Backtracking).
";

/// Heading attributes, raw HTML ids and bracketed spans are link targets
/// in the PDF, the EPUB and the site; the slug of a heading with an id
/// still leads there; nothing is reported.
#[test]
fn anchors_as_authors_write_them() {
    let r = one(ANCHORS);
    let run = r.run(&["build", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    for label in ["backtrack", "custom", "title", "setext", "old-style", "id-style", "7", "block-anchor", "span-id"] {
        assert!(typ.contains(&format!("<a:{label}>")), "no label {label} in the Typst source");
    }
    // Every link was resolved (none fell back to its text).
    assert_eq!(typ.matches("#link-to(<a:").count(), 11, "{typ}");
    let xhtml = crate::features::epub_text(&r);
    for id in ["a.backtrack", "a.custom", "a.title", "a.old-style", "a.7", "a.block-anchor", "a.span-id"] {
        assert!(xhtml.contains(&format!("id=\"{id}\"")), "no id {id} in the EPUB");
        assert!(xhtml.contains(&format!("#{id}\"")), "no link to {id} in the EPUB");
    }
    // The attributes and brackets are gone; the text stays.
    assert!(!xhtml.contains("{#") && !xhtml.contains("]{") && xhtml.contains("bracketed span in the text"), "{xhtml}");
    if let Some(out) = crate::epub::epubcheck(&r.path().join("build/report.epub"), "anchors_as_authors_write_them") {
        crate::epub::assert_clean("anchors", &out);
    }
    let site = std::fs::read_to_string(r.path().join("build/html/a.html")).unwrap();
    assert!(site.contains("id=\"a.span-id\"") && site.contains("href=\"#a.backtrack\""), "{site}");
    if let Some(text) = pdf_text(&r.path().join("build/report.pdf"), "anchors_as_authors_write_them") {
        let text = squash(&text);
        assert!(text.contains("Lackofbacktracking") && text.contains("Abracketedspaninthetext."), "{text}");
        assert!(!text.contains("{#") && !text.contains("#backtrack"), "{text}");
    }
}

#[test]
fn unnumbered_headings_and_duplicate_ids() {
    let r = one(
        "# A\n\n## One\n\n## Appendix {-}\n\n## Notes {.unnumbered #notes}\n\n## Twice {#notes}\n\n<a name=\"notes\"></a>\n",
    );
    r.write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[build.pdf]\nnumbered-sections = true\n");
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert_eq!(typ.matches("numbering: none)[").count(), 2, "{typ}");
    assert!(typ.contains("#heading(level: 3)[One]"), "{typ}");
    // The second `notes` is reported where it stands, and the first keeps it.
    assert!(
        run.stderr
            .contains("warning[duplicate-anchor]: the heading id `notes` is already the id of a heading on line 7"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("a.md:9:"), "{}", run.stderr);
    assert!(run.stderr.contains("warning[duplicate-anchor]: the HTML id `notes`"), "{}", run.stderr);
    assert_eq!(typ.matches("<a:notes>").count(), 1, "{typ}");
    if let Some(text) = pdf_text(&r.pdf(), "unnumbered_headings") {
        let text = squash(&text);
        // Squashed: "1 One", then "Appendix" and "Notes" without a number, "2 Twice".
        assert!(text.contains("1OneAppendixNotes2Twice"), "{text}");
    }
}

const BROKEN: &str = "# A

See [the missing part](#nowhere) and [the other](b.md#missing), and $\\bigl\\lfloor x \\bigr\\rfloor$ and
$\\nosuchcommand{y}$.
";

fn broken() -> TestReport {
    let r = one(BROKEN);
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/b.md", "# B\n\nText of b.\n");
    r
}

/// Problems with a faithful fallback are named warnings, and the author's
/// text stays visible: a broken anchor is its link text (or a link to its
/// article), unknown math its LaTeX source.
#[test]
fn forgiving_by_default() {
    let r = broken();
    let run = r.run(&["build", "--format", "pdf", "--format", "epub", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "warning[broken-anchor]: link to `#nowhere`, which is not an anchor of this article; its text is shown",
        "warning[broken-anchor]: link to `b.md#missing`: `b.md` has no anchor `#missing`; it links to the article",
        "warning[unknown-math]: cannot typeset the math `\\nosuchcommand{y}`",
        "warning[unknown-math]: cannot typeset the math `\\bigl\\lfloor x \\bigr\\rfloor`",
    ] {
        assert!(run.stderr.contains(expected), "expected `{expected}` in\n{}", run.stderr);
    }
    assert!(run.stderr.contains("a.md:3:5"), "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("#link-to(<b>)[the other]"), "{typ}");
    if let Some(text) = pdf_text(&r.pdf(), "forgiving_by_default") {
        let text = squash(&text);
        assert!(text.contains("Seethemissingpartandtheother,and"), "{text}");
        assert!(text.contains("\\nosuchcommand{y}") && text.contains("\\bigl\\lfloor"), "{text}");
    }
    assert!(run.stdout.contains("4 warnings (2 broken-anchor, 2 unknown-math)"), "{}", run.stdout);
}

/// Strict when asked: from book.toml, the command line, or every warning;
/// a failed build writes nothing. Allowed diagnostics are not printed.
#[test]
fn strict_when_asked() {
    let r = broken();
    let run = r.run(&["build", "--format", "pdf", "--deny", "broken-anchor"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[broken-anchor]: link to `#nowhere`"), "{}", run.stderr);
    assert!(run.stderr.contains("warning[unknown-math]"), "{}", run.stderr);
    assert!(!r.pdf().exists(), "a failed build wrote the PDF");
    assert!(
        run.stderr.contains("build failed with 2 errors (2 broken-anchor), 2 warnings (2 unknown-math)"),
        "{}",
        run.stderr
    );

    let run = r.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("error[").count(), 4, "{}", run.stderr);

    let run = r.run(&["check", "-A", "unknown-math", "--allow", "broken-anchor"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);

    let manifest = std::fs::read_to_string(r.path().join("book.toml")).unwrap();
    r.write("book.toml", &format!("{manifest}\n[diagnostics]\nbroken-anchor = \"error\"\nunknown-math = \"allow\"\n"));
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[broken-anchor]") && !run.stderr.contains("unknown-math"), "{}", run.stderr);
    // The command line has the last word.
    let run = r.run(&["build", "--format", "pdf", "--warn", "broken-anchor"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(r.pdf().exists());
}

/// Levels that cannot be: an unknown name, or an error without a
/// fallback lowered; both are configuration errors (exit 2) with a hint.
#[test]
fn levels_are_checked() {
    let r = broken();
    let run = r.run(&["check", "--allow", "unreadable-file"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--allow unreadable-file: `unreadable-file` is an error that cannot be allowed"),
        "{}",
        run.stderr
    );
    let manifest = std::fs::read_to_string(r.path().join("book.toml")).unwrap();
    r.write("book.toml", &format!("{manifest}\n[diagnostics]\nbroken-anchors = \"deny\"\n"));
    let run = r.run(&["build"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`[diagnostics]` `broken-anchors` is not a diagnostic name"), "{}", run.stderr);
    assert!(run.stderr.contains("broken-anchor, broken-link"), "{}", run.stderr);
}

/// Hundreds of warnings: the first three of each name in full, the rest
/// counted, errors last; `--verbose` and `--json` carry every one.
#[test]
fn diagnostics_at_scale() {
    let mut article = String::from("# A\n\n");
    for i in 0..40 {
        article.push_str(&format!("Link [{i}](#missing-{i}) and ![]({i}.png \"no alt\").\n\n"));
    }
    let r = one(&article);
    for i in 0..40 {
        r.write(&format!("report/{i}.png"), "not a png");
    }
    let run = r.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("warning[broken-anchor]: link").count(), 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[broken-anchor]: ... and 37 more broken-anchor warnings; --verbose shows all"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("error[missing-image]: ... and 37 more missing-image errors"), "{}", run.stderr);
    // Errors come after every warning.
    let last_warning = run.stderr.rfind("warning[").unwrap();
    let first_error = run.stderr.find("error[").unwrap();
    assert!(last_warning < first_error, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "check failed with 40 errors (40 missing-image), 80 warnings (40 broken-anchor, 40 missing-alt-text)"
        ),
        "{}",
        run.stderr
    );
    let verbose = r.run(&["check", "--verbose"]);
    assert_eq!(verbose.stderr.matches("warning[broken-anchor]: link").count(), 40, "{}", verbose.stderr);
    let json = r.run(&["check", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let warnings = value["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 80);
    assert_eq!(warnings.iter().filter(|w| w["name"] == "broken-anchor").count(), 40);
    assert_eq!(value["errors"][0]["name"], "missing-image");
}

/// A hand-written book.toml and a folder of markdown: no `styles/`, the
/// built-in template; `--verbose` says so.
#[test]
fn builds_without_a_styles_folder() {
    let r = one("# A\n\nText.\n");
    let run = r.run(&["build", "--format", "pdf", "--verbose"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("template: built-in"), "{}", run.stderr);
    assert!(r.pdf().exists());
    // A report's own styles/report.typ is used when it has one.
    r.with_styles();
    let run = r.run(&["build", "--format", "pdf", "--verbose"]);
    assert!(run.stderr.contains("template: styles/report.typ"), "{}", run.stderr);
    // A style that is named must exist.
    r.write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[build]\nstyle = \"styles/nope.typ\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[missing-template]: the template `styles/nope.typ` does not exist"),
        "{}",
        run.stderr
    );
}

/// Pandoc's rule: a leading `---` block is front matter only when it reads
/// as a table of keys; otherwise it is markdown, and its text is kept.
#[test]
fn leading_rules_that_are_not_front_matter() {
    let r = one("---\nA setext heading\n---\n\nBody text.\n");
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/b.md", "+++\nnot toml at all\n\n# B\n\nMore.\n");
    let run = r.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xhtml = crate::features::epub_text(&r);
    assert!(
        xhtml.contains("A setext heading") && xhtml.contains("<hr/>") && xhtml.contains("not toml at all"),
        "{xhtml}"
    );
    // Meant as front matter (`key:` first) but broken: an error at its line.
    r.write("report/a.md", "---\ntitle: A\nauthors: [unclosed\n---\n\nText.\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[invalid-front-matter]: malformed YAML front matter"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:"), "{}", run.stderr);
}

/// `/assets/fig.png` (as static sites write it) is read from the report's
/// root; a missing one says where it was looked for. `/b.md` links too.
#[test]
fn root_absolute_paths() {
    let r = one("# A\n\n![A figure](/assets/fig.svg)\n\nSee [b](/report/b.md#b-part).\n");
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/b.md", "# B\n\n## B part\n\nText.\n");
    r.write(
        "assets/fig.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>",
    );
    let run = r.run(&["check"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    r.write("report/a.md", "# A\n\n![A figure](/assets/nope.png)\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[missing-image]: image `/assets/nope.png`: no such file"), "{}", run.stderr);
    assert!(run.stderr.contains("it was looked for at `assets/nope.png`"), "{}", run.stderr);
}

/// A JPEG saved as `.png` (common in contributions) is read as a JPEG in
/// the PDF and declared as one in the EPUB, with a named warning; a
/// missing image is an error unless the editor lowers it.
#[test]
fn mislabelled_and_missing_images() {
    let r = one("# A\n\n![A photo](photo.png)\n\nAnd ![gone](gone.png) inline.\n");
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    r.write("report/photo.png", "");
    std::fs::write(r.path().join("report/photo.png"), jpeg.into_inner()).unwrap();
    let run = r.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[missing-image]: image `gone.png`: no such file"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[mislabelled-image]: image `photo.png` is a JPG file; it is read as one"),
        "{}",
        run.stderr
    );
    let run = r.run(&["build", "--warn", "missing-image", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[missing-image]"), "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("read(\"/report/photo.png\", encoding: none)"), "{typ}");
    assert!(typ.contains("#missing-image(block: false, alt: \"gone\")"), "{typ}");
    let file = std::fs::File::open(r.path().join("build/report.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut opf = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        if entry.name().ends_with(".opf") {
            std::io::Read::read_to_string(&mut entry, &mut opf).unwrap();
        }
    }
    assert!(opf.contains("<item media-type=\"image/jpeg\" id=\"id_images_photo.jpg\""), "{opf}");
    if let Some(out) = crate::epub::epubcheck(&r.path().join("build/report.epub"), "mislabelled_and_missing_images") {
        crate::epub::assert_clean("mislabelled image", &out);
    }
    if let Some(text) = pdf_text(&r.pdf(), "mislabelled_and_missing_images") {
        assert!(squash(&text).contains("And[Image:gone]inline."), "{text}");
    }
}

/// A report of folders, one proposal each, as Cardano's CIPs keep them:
/// `CIP-0001/README.md` with YAML keys in capitals; links to a folder mean
/// its README, as GitHub shows it; an untitled README is named after its
/// folder; a target in parentheses is named as the mistake it is.
#[test]
fn folder_per_proposal_reports() {
    let r = TestReport::new();
    r.write(
        "book.toml",
        "front = [\"CIP-0001/README.md\", \"CIP-0002/README.md\", \"CIP-0003/index.md\"]\n\n[book]\ntitle = \"T\"\n",
    );
    r.write(
        "report/CIP-0001/README.md",
        "---\nCIP: 1\nTitle: CIP Process\nAuthors:\n    - Frederic Johnson <f@example.com>\n---\n\n## Abstract\n\n\
         See [CIP-2](../CIP-0002), [its motivation](../CIP-0002/#motivation), [the third](../CIP-0003/) \
         and [this one](./).\n\n[bad]: (https://example.com/x)\n\nA [bad] link.\n",
    );
    r.write("report/CIP-0002/README.md", "## Motivation\n\nText.\n");
    r.write("report/CIP-0003/index.md", "# Third\n\nText.\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // One untitled article, named after its folder; no link was lost but the bad one.
    assert!(
        run.stderr.contains("warning[missing-title]: `CIP-0002/README.md` has no title; using `CIP-0002`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("warning[").count(), 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("link to the local file `(https://example.com/x)`")
            && run.stderr.contains("the target is wrapped in parentheses"),
        "{}",
        run.stderr
    );
    let run = r.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(r.path().join("build/html/cip-0001-readme.html")).unwrap();
    assert!(page.contains("<h1") && page.contains("CIP Process"), "the title from `Title:`");
    assert!(page.contains("Frederic Johnson"), "the authors from `Authors:`");
    for (href, text) in [
        ("cip-0002-readme.html", ">CIP-2</a>"),
        ("cip-0002-readme.html#cip-0002-readme.motivation", ">its motivation</a>"),
        ("cip-0003-index.html", ">the third</a>"),
    ] {
        assert!(page.contains(&format!("href=\"{href}\"")) && page.contains(text), "no link {href}: {page}");
    }
}
