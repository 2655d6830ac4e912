//! Pages copied from GitHub Pages sites (Jekyll: kramdown and Liquid): their
//! attribute lists, definition lists and template syntax are read, not
//! printed.

use std::path::{Path, PathBuf};

use crate::epub::{assert_clean, epubcheck};
use crate::features::epub_text;
use crate::harness::{TestReport, copy_dir, pdf_text, repo, say, shared};

/// Every text a reader gets: the Typst source's text is not one, but the
/// PDF's, the EPUB's and the web edition's are.
fn site_text(build: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(build.join("html")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            all.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    all
}

/// No `{:`, `{{` or `{%` in `text` (`what` names it).
fn assert_no_template_syntax(what: &str, text: &str) {
    for syntax in ["{:", "{{", "{%"] {
        if let Some(i) = text.find(syntax) {
            let start = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
            let end = text[i..].char_indices().nth(60).map_or(text.len(), |(j, _)| i + j);
            panic!("`{syntax}` in the {what}: …{}…", &text[start..end]);
        }
    }
}

const CHAPTER: &str = r#"---
layout: default
title: Model
---

# Model {#model}

## Contents
{: .no_toc}

* TOC
{:toc}

## Overview {#overview}

Read [the glossary](glossary.md#access) and {{site.abstract[page.collection].subject}} more.

{% include note.html %}

[Figure 1. A model](model.md#fig-1){:name="fig-1"}
{:latex-ignore="true"}

![A box and an arrow]({{site.baseurl}}/{{page.collection}}/media/figure.png 'A model'){:latex-src="figure.png"}

Code keeps it: `{{ site.url }}`.
"#;

const GLOSSARY: &str = r#"---
title: Glossary
---

Access [](#access){:name="access"}
: To make contact with a digital service.

Authenticator [](#authenticator){:name="authenticator"}
: Something the claimant has, used to [access](#access) a service.

    An indented paragraph of the definition.
"#;

/// A two-chapter Jekyll collection, as a GitHub Pages site keeps it.
fn jekyll_report() -> TestReport {
    let r = TestReport::new();
    r.write(
        "book.toml",
        "[book]\ntitle = \"Guidelines\"\ndate = \"2026-01-01\"\nsrc = \"_guide\"\n\n[build]\nformats = [\"pdf\", \"epub\", \"html\"]\n\n[[part]]\ntitle = \"Guide\"\narticles = [\"model.md\", \"glossary.md\"]\n",
    );
    r.write("_guide/model.md", CHAPTER);
    r.write("_guide/glossary.md", GLOSSARY);
    std::fs::create_dir_all(r.path().join("_guide/media")).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/every-construct/report/img/figure.png"),
        r.path().join("_guide/media/figure.png"),
    )
    .unwrap();
    r
}

#[test]
fn a_github_pages_collection_builds_without_its_template_syntax() {
    let r = jekyll_report();
    let run = r.run(&["build", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Liquid outside a path: left out, each at its place, the include named.
    assert!(
        run.stderr.contains(
            "warning[liquid-template]: the Liquid expression `{{site.abstract[page.collection].subject}}` is left out"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("_guide/model.md:16:45"), "{}", run.stderr);
    assert!(run.stderr.contains("it would have included `note.html`"), "{}", run.stderr);
    assert!(run.stderr.contains("_guide/model.md:18:1"), "{}", run.stderr);
    // The image's path was resolved; the anchors named by kramdown exist.
    for quiet in ["missing-image", "broken-anchor", "empty-link", "ignored-attribute"] {
        assert!(!run.stderr.contains(quiet), "{quiet}: {}", run.stderr);
    }

    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("#heading(level: 3, outlined: false)[Contents]"), "{typ}");
    assert!(typ.contains("#terms(tight: true,\n  terms.item[Access"), "{typ}");
    assert!(typ.contains("#figure-image(\"/_guide/media/figure.png\""), "{typ}");
    assert!(!typ.contains("TOC"), "the site's table of contents is left out");

    let xhtml = epub_text(&r);
    assert_no_template_syntax("EPUB", &xhtml.replace("<code>{{ site.url }}</code>", ""));
    assert!(xhtml.contains("<dl>\n<dt>Access<span id=\"glossary.access\"></span></dt>\n<dd>"), "{xhtml}");
    assert!(xhtml.contains("href=\"glossary.xhtml#glossary.access\""), "a link to a term by its name");
    assert!(xhtml.contains("href=\"#glossary.access\""), "a link to a term by its name");
    assert!(xhtml.contains("<p>An indented paragraph of the definition.</p>"), "{xhtml}");
    assert!(xhtml.contains("<code>{{ site.url }}</code>"), "code keeps Liquid");
    let nav = xhtml.split("epub:type=\"toc\"").nth(1).unwrap_or_default();
    assert!(nav.contains("#model.overview\"") && !nav.contains("#model.contents\""), "{nav}");
    assert_no_template_syntax("web edition", &site_text(&r.path().join("build")).replace("{{ site.url }}", ""));
    if let Some(out) = epubcheck(&r.path().join("build/report.epub"), "jekyll collection") {
        assert_clean("jekyll collection", &out);
    }
    let Some(text) = pdf_text(&r.pdf(), "a_github_pages_collection_builds_without_its_template_syntax") else {
        return;
    };
    assert_no_template_syntax("PDF", &text.replace("{{ site.url }}", ""));
    assert!(text.contains("Access: To make contact"), "{text}");
}

/// NIST SP 800-63-4 (usnistgov/800-63-4), a guideline kept as a Jekyll
/// site: its `_sp800-63` folder, from `$NIST_800_63_4` (a checkout) or
/// `../shared/corpus/800-63-4`; `None` (loudly) when neither is there.
fn nist_guideline() -> Option<PathBuf> {
    let from_env = std::env::var_os("NIST_800_63_4").map(PathBuf::from);
    let from_shared = shared().map(|s| s.join("corpus/800-63-4"));
    let found = from_env.into_iter().chain(from_shared).find(|p| p.join("_sp800-63").is_dir());
    if found.is_none() {
        say("SKIPPED the_nist_guideline_builds_as_it_is: set NIST_800_63_4 to a checkout of usnistgov/800-63-4 \
             (or put one at ../shared/corpus/800-63-4)");
    }
    found
}

#[test]
fn the_nist_guideline_builds_as_it_is() {
    let Some(guideline) = nist_guideline() else { return };
    let r = TestReport::new();
    copy_dir(&guideline.join("_sp800-63"), &r.path().join("_sp800-63"));
    r.write(
        "book.toml",
        concat!(
            "front = [\"abstract.md\", \"note-to-reviewers.md\", \"acknowledgements.md\"]\n",
            "back = [\"definitions.md\", \"changehistory.md\"]\n\n",
            "[book]\ntitle = \"Digital Identity Guidelines\"\nlanguage = \"en\"\ndate = \"2023-08-01\"\nsrc = \"_sp800-63\"\n\n",
            "[build]\nformats = [\"pdf\", \"epub\", \"html\"]\n\n",
            "[[part]]\ntitle = \"Guidelines\"\narticles = [\"sec1_purpose.md\", \"sec2_introduction.md\", ",
            "\"sec3_definitions.md\", \"sec4_model.md\", \"sec5_DIRM.md\", \"sec8_references.md\"]\n",
        ),
    );
    let run = r.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("error["), "{}", run.stderr);
    for quiet in ["missing-image", "empty-link", "ignored-attribute", "duplicate-anchor"] {
        assert!(!run.stderr.contains(quiet), "{quiet}: {}", run.stderr);
    }
    let xhtml = epub_text(&r);
    assert_no_template_syntax("EPUB", &xhtml);
    assert_no_template_syntax("web edition", &site_text(&r.path().join("build")));
    // Its glossary's terms, linked by their names.
    for term in ["af", "authenticator", "enroll", "phishing"] {
        assert!(xhtml.contains(&format!("href=\"#definitions.{term}\"")), "no link to the term `{term}`");
        assert!(xhtml.contains(&format!("id=\"definitions.{term}\"")), "no anchor for the term `{term}`");
    }
    if let Some(out) = epubcheck(&r.path().join("build/report.epub"), "the NIST guideline") {
        assert_clean("the NIST guideline", &out);
    }
    if let Some(text) = pdf_text(&r.pdf(), "the_nist_guideline_builds_as_it_is") {
        assert_no_template_syntax("PDF", &text);
    }
}
