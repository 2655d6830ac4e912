//! Bad input gets a clear error that names the file, line and column, and
//! says how to fix it. The messages are pinned.

use crate::harness::TestReport;

const ARTICLE: &str = "+++\ntitle = \"A\"\n+++\n\nText.\n";

fn report(manifest: &str) -> TestReport {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", manifest).write("report/a.md", ARTICLE);
    r
}

#[test]
fn unknown_manifest_key() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\ntitel = \"typo\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn missing_article() {
    let r = report("front = [\"a.md\", \"missing.md\"]\n\n[book]\ntitle = \"T\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn broken_front_matter() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/a.md", "+++\ntitle = \"A\"\nauthors = [\"x\"\n+++\n\nText.\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn broken_yaml_front_matter() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/a.md", "---\ntitle: A\nauthor: [unclosed\n---\n\nText.\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn article_path_escaping_the_root() {
    let r = report("front = [\"../../etc/passwd\"]\n\n[book]\ntitle = \"T\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn absolute_article_path() {
    let r = report("front = [\"/etc/passwd\"]\n\n[book]\ntitle = \"T\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("the article path `/etc/passwd` is absolute"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn symlink_pointing_outside_the_root() {
    let r = report("front = [\"a.md\", \"link.md\"]\n\n[book]\ntitle = \"T\"\n");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "# Secret\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), r.path().join("report/link.md")).unwrap();
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the article path `link.md` is a symlink that points outside the report root"),
        "{}",
        run.stderr
    );
}

#[test]
fn image_outside_the_root_and_missing_image() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/a.md", "+++\ntitle = \"A\"\n+++\n\n![a secret](../../etc/hosts.png)\n\n![nothing](nope.png)\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[path-outside-report]: image `../../etc/hosts.png` is outside the report root"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/a.md:5:1"), "{}", run.stderr);
    assert!(run.stderr.contains("error[missing-image]: image `nope.png`: no such file"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:7:1"), "{}", run.stderr);
}

#[test]
fn template_escaping_the_root_is_refused() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n[build]\nstyle = \"../x.typ\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("the template path `../x.typ` leaves the report root"), "{}", run.stderr);
}

#[test]
fn template_cannot_read_outside_the_root() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    let style = r.path().join("styles/report.typ");
    let mut text = std::fs::read_to_string(&style).unwrap();
    text.push_str("\n#let leak = read(\"/../../../../etc/passwd\")\n");
    std::fs::write(&style, text).unwrap();
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("styles/report.typ"), "{}", run.stderr);
}

#[test]
fn no_manifest() {
    let r = TestReport::new();
    let run = r.run(&["build"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error[invalid-manifest]: no `book.toml` in"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: run coala-report in the report's folder"), "{}", run.stderr);
}

#[test]
fn typst_error_is_mapped_to_the_markdown_line() {
    // A template function that fails on a given alt text: the error must
    // point to the markdown line of the image, not to generated Typst.
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    let style = r.path().join("styles/report.typ");
    let mut text = std::fs::read_to_string(&style).unwrap();
    text.push_str(
        "\n#let missing-image(block: false, alt: \"\") = if alt == \"boom\" { panic(\"exploded\") } else { alt }\n",
    );
    std::fs::write(&style, text).unwrap();
    r.write(
        "report/a.md",
        "+++\ntitle = \"A\"\n+++\n\nFirst paragraph.\n\nSecond paragraph ![boom](https://example.org/x.png).\n",
    );
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("typesetting failed: panicked with: exploded (raised in styles/report.typ:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/a.md:7"), "{}", run.stderr);
}

#[test]
fn warnings_name_file_and_line() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write(
        "report/a.md",
        "+++\ntitle = \"A\"\n+++\n\n[empty]() and [other](other.md)\n\n![](https://example.org/remote.png)\n\n<div>\nx\n</div>\n\nAn <blink>inline</blink> tag.\n",
    );
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    crate::harness::assert_contains_all(
        "diagnostics",
        &run.stderr,
        &[
            "warning[empty-link]: link with an empty target",
            "warning[broken-link]: link to `other.md`, an article that is not in the report",
            "warning[remote-image]: remote image `https://example.org/remote.png` is not fetched (builds are offline)",
            "warning[missing-alt-text]: image `https://example.org/remote.png` has no alt text",
            "warning[raw-html]: raw HTML block: its tags are left out and its text is kept",
            "warning[raw-html]: inline HTML `<blink>` is not supported and is left out",
        ],
    );
    assert!(run.stderr.contains("report/a.md:5:1"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:9:1"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:13:4"), "{}", run.stderr);
    assert!(!run.stderr.contains("inline HTML `</blink>`"), "a closing tag is not reported twice:\n{}", run.stderr);
}

#[test]
fn duplicate_article_and_bad_date() {
    let r = report("front = [\"a.md\", \"./a.md\"]\n\n[book]\ntitle = \"T\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[missing-article]: the article `./a.md` is listed twice"), "{}", run.stderr);
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\ndate = \"8 December 2016\"\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`book.date` is not an ISO 8601 date"), "{}", run.stderr);
    assert!(run.stderr.contains("book.toml:5:1"), "{}", run.stderr);
}

#[test]
fn invalid_utf8_article() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    std::fs::write(r.path().join("report/a.md"), b"+++\ntitle = \"A\"\n+++\nabc\xff\n").unwrap();
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`report/a.md` is not valid UTF-8 (invalid byte at offset 23)"), "{}", run.stderr);
}

#[test]
fn unconvertible_math_is_an_error_at_its_position_when_denied() {
    let r = report("front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write(
        "report/a.md",
        "+++\ntitle = \"A\"\n+++\n\nFine $x^2$, bad $\\nosuchcommand{x}$.\n\n```math\n\\alsobad\n```\n",
    );
    let run = r.run(&["build", "--format", "pdf", "--deny", "unknown-math"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error[unknown-math]: cannot typeset the math `\\nosuchcommand{x}`: unknown command: \\nosuchcommand"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/a.md:5:17"), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:8:1"), "{}", run.stderr);
}

#[test]
fn link_to_a_missing_heading_of_another_article_is_an_error_when_denied() {
    let r = report("front = [\"a.md\", \"glossary.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nA [term](glossary.md#no-such-term) here.\n").write(
        "report/glossary.md",
        "+++\ntitle = \"Glossary\"\nkind = \"glossary\"\n+++\n\n## Some term\n\nDefinition.\n",
    );
    let run = r.run(&["build", "--format", "pdf", "--deny", "broken-anchor"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[broken-anchor]: link to `glossary.md#no-such-term`: `glossary.md` has no anchor `#no-such-term`; it links to the article"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/a.md:5:3"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[unused-glossary-entry]: the glossary entry `Some term` is never used"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/glossary.md:6:1"), "{}", run.stderr);
}

#[test]
fn broken_image_file_is_reported_at_its_markdown_line() {
    // The file is checked once (articles resolve in parallel); every use is
    // still reported at its own line.
    let r = report("front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write(
        "report/a.md",
        "+++\ntitle = \"A\"\n+++\n\nText.\n\n![A broken picture](pic.png)\n\nAgain ![it](pic.png).\n",
    )
    .write("report/b.md", "+++\ntitle = \"B\"\n+++\n\n![The same](./pic.png)\n")
    .write("report/pic.png", "not a png at all");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[missing-image]: image `pic.png`: the file is not a valid PNG image"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("the file is not a valid PNG image").count(), 3, "{}", run.stderr);
    for at in ["report/a.md:7:1", "report/a.md:9:7", "report/b.md:5:1"] {
        assert!(run.stderr.contains(at), "{at} missing:\n{}", run.stderr);
    }
}

#[test]
fn links_to_missing_headings_are_errors_at_their_position_when_denied() {
    let r = report("front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n");
    r.write(
        "report/a.md",
        "+++\ntitle = \"A\"\n+++\n\n## Here\n\nSee [here](#here), [gone](#nowhere) and [b](b.md#missing).\n",
    )
    .write("report/b.md", "+++\ntitle = \"B\"\n+++\n\n## There\n\nText.\n");
    let run = r.run(&["check", "--deny", "broken-anchor"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    crate::harness::assert_contains_all(
        "diagnostics",
        &run.stderr,
        &[
            "error[broken-anchor]: link to `#nowhere`, which is not an anchor of this article; its text is shown",
            "report/a.md:7:20",
            "error[broken-anchor]: link to `b.md#missing`: `b.md` has no anchor `#missing`; it links to the article",
            "report/a.md:7:41",
        ],
    );
    assert!(!run.stderr.contains("`#here`"), "{}", run.stderr);
}
