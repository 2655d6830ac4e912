//! `init`: scaffolds a new report that builds at once — a commented
//! `book.toml`, two sample articles, and copies of the default template and
//! EPUB stylesheet (embedded in the binary). Never overwrites a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::lint;

use crate::styles::{EPUB_CSS, TEMPLATE};

const BOOK_TOML: &str = r#"# The manifest of the report, read by coala-report.
# Reference: docs/manifest.md in coala-report's repository (the manual).
#
# Articles are markdown files under `src` (below: report/). `front` and `back`
# list the unnumbered articles set before the first part and after the last;
# each [[part]] groups numbered articles in reading order.
front = ["foreword.md"]
back = []

[book]
title = "Annual Report"                      # required
subtitle = "Report of the coalition's work in {YEAR}"
edition = "{YEAR}"
editors = ["The editors"]
# authors = ["..."]
# publisher = "..."
language = "en"                              # BCP 47 tag
date = "{DATE}"                              # ISO 8601; also dates reproducible builds
description = "What the report is about, in a sentence or two."
keywords = ["annual report"]
license = "CC BY 4.0"
# cover = "report/images/cover.png"          # relative to this folder
src = "report"                               # the folder of the articles

[build]
build-dir = "build"                          # where build and watch write
formats = ["pdf", "epub"]
style = "styles/report.typ"                  # the Typst template (styles/epub.css styles the EPUB)
# name = "report"                            # file name of the artifacts

[build.pdf]
paper = "a4"                                 # or "us-letter"
twoside = false                              # mirrored margins for print
numbered-sections = false
standards = ["a-2b", "ua-1"]                 # archival and accessible; [] for a plain tagged PDF

[[part]]
title = "Articles"
articles = ["first-article.md"]
"#;

const FOREWORD: &str = r#"+++
title = "Foreword"
authors = ["The editors"]
kind = "foreword"
+++

This report collects the coalition's work of the year. Each contribution is a
markdown file in `report/`; `book.toml` lists them in reading order.

Build the report with `coala-report build`, or keep `coala-report watch`
running while you write: it rebuilds the PDF and the EPUB on every change.
The [first article](first-article.md) shows the markdown coala-report reads.
"#;

const FIRST_ARTICLE: &str = r#"+++
title = "A first article"
subtitle = "What an article can hold"
authors = [{ name = "Ada Author", affiliation = "Example University" }]
abstract = "A short abstract, set before the article. It is *markdown* too."
keywords = ["sample"]
+++

Articles are CommonMark with GitHub's extensions. Text can be *emphasised*,
**strong** or `code`, and can carry footnotes.[^1]

## Sections

Headings make the article's sections; links to another article, such as the
[foreword](foreword.md), or to a heading, such as [the table](#a-table),
become links inside the PDF and the EPUB.

> [!NOTE]
> Alerts become callouts.

## A table

| Year | Members | Meetings |
|------|--------:|---------:|
| 2015 |      12 |        2 |
| 2016 |      40 |        5 |

- [x] write the first article
- [ ] add the others to `book.toml`

[^1]: Footnotes are numbered per article and set at the foot of the page.
"#;

/// The files `init` writes, relative to the new report's folder.
fn files() -> Vec<(&'static str, String)> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d, ..) = crate::dates::civil_from_unix(now as i64);
    let book = BOOK_TOML.replace("{YEAR}", &y.to_string()).replace("{DATE}", &format!("{y:04}-{m:02}-{d:02}"));
    vec![
        ("book.toml", book),
        ("report/foreword.md", FOREWORD.to_string()),
        ("report/first-article.md", FIRST_ARTICLE.to_string()),
        ("styles/report.typ", TEMPLATE.to_string()),
        ("styles/epub.css", EPUB_CSS.to_string()),
    ]
}

/// Writes a new report into `dir` (created if needed). Refuses, before
/// writing anything, when any of its files already exists.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let files = files();
    for (rel, _) in &files {
        let path = dir.join(rel);
        if path.exists() || path.is_symlink() {
            return Err(Diagnostic::new(&lint::WRITE_FAILED, format!("`{}` already exists", path.display()))
                .with_hint("init never overwrites files: choose an empty folder, e.g. `coala-report init my-report`"));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        let fail = |err: std::io::Error| {
            Diagnostic::new(&lint::WRITE_FAILED, format!("cannot write `{}`: {err}", path.display()))
                .with_hint("check that the folder is writable")
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        // `create_new`: a file that appeared meanwhile is still not overwritten.
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_parses() {
        let (_, book) = files().into_iter().next().unwrap();
        let manifest = crate::config::Manifest::parse(&book, Path::new("book.toml")).unwrap();
        assert_eq!(manifest.book.title, "Annual Report");
        assert_eq!(manifest.parts[0].articles, ["first-article.md"]);
    }
}
