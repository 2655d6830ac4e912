//! The web edition (`--format html`): the sample report's site has its
//! pages, every internal link resolves to a file and an anchor, every page
//! is well-formed (HTML5 written as polyglot XHTML: parsed with roxmltree),
//! no page has a script, and the site is replaced all or nothing. The
//! browser test opens it in headless Chromium (tests/browser/e2e.mjs).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{TestReport, repo, require_tool, say};

fn parse(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(text, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
        .unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

/// Every file of the site, relative to its folder.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Checks every page of the site in `build/<dir>`: well-formed, HTML5,
/// landmarks, no script, unique ids, and every local `href`/`src` resolving
/// to an existing file (inside the build folder) and anchor (at least
/// `min_links` of them). Returns the ids of each page.
fn check_site(build: &Path, dir: &str, min_links: usize) -> BTreeMap<String, HashSet<String>> {
    let html = build.join(dir);
    let pages: Vec<PathBuf> = files(&html).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")).collect();
    assert!(!pages.is_empty(), "no page in {}", html.display());
    let texts: BTreeMap<String, String> = pages
        .iter()
        .map(|p| (p.to_string_lossy().into_owned(), std::fs::read_to_string(html.join(p)).unwrap()))
        .collect();
    let mut ids: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for (page, text) in &texts {
        assert!(text.starts_with("<!DOCTYPE html>\n"), "{page}: not HTML5");
        let doc = parse(text);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "html", "{page}");
        assert!(root.attribute("lang").is_some_and(|l| !l.is_empty()), "{page}: no lang");
        let mut seen = HashSet::new();
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(!matches!(name, "iframe" | "object" | "embed"), "{page}: <{name}>");
            if name == "script" {
                // Data (JSON-LD), or the site's own search script: nothing
                // else, and nothing the reading needs.
                let data = node.attribute("type") == Some("application/ld+json");
                let ours = node.attribute("src") == Some("search.js") && node.text().is_none();
                assert!(data || ours, "{page}: a script other than JSON-LD and search.js");
            }
            for attr in node.attributes() {
                assert!(!attr.name().starts_with("on"), "{page}: event handler {}", attr.name());
                assert!(!attr.value().trim_start().to_ascii_lowercase().starts_with("javascript:"), "{page}");
                assert!(attr.namespace().is_none(), "{page}: namespaced attribute {}", attr.name());
            }
            if name == "img" {
                assert!(node.attribute("alt").is_some(), "{page}: an image without alt");
            }
            if let Some(id) = node.attribute("id") {
                assert!(seen.insert(id.to_string()), "{page}: duplicate id {id}");
            }
        }
        for landmark in ["header", "nav", "main", "footer"] {
            assert!(doc.descendants().any(|n| n.has_tag_name(landmark)), "{page}: no <{landmark}>");
        }
        let main = doc.descendants().find(|n| n.has_tag_name("main")).unwrap();
        assert_eq!(main.attribute("id"), Some("main"), "{page}");
        let skip = doc.descendants().find(|n| n.has_tag_name("a")).unwrap();
        assert_eq!(skip.attribute("href"), Some("#main"), "{page}: the first link is not the skip link");
        assert!(doc.descendants().any(|n| n.has_tag_name("h1")), "{page}: no h1");
        ids.insert(page.clone(), seen);
    }
    // Every local link and image resolves.
    let mut links = 0;
    for (page, text) in &texts {
        let doc = parse(text);
        for node in doc.descendants().filter(|n| n.is_element()) {
            for target in [node.attribute("href"), node.attribute("src")].into_iter().flatten() {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                links += 1;
                let (file, fragment) = match target.split_once('#') {
                    Some((f, frag)) => (f, Some(frag)),
                    None => (target, None),
                };
                let file = if file.is_empty() { page.as_str() } else { file };
                let resolved = html.join(Path::new(page).parent().unwrap()).join(file);
                let normal = normalize(&resolved);
                assert!(normal.starts_with(build), "{page}: `{target}` leaves the build folder");
                assert!(normal.is_file(), "{page}: `{target}` does not exist ({})", normal.display());
                if let Some(fragment) = fragment {
                    let rel = normal.strip_prefix(&html).unwrap().to_string_lossy().into_owned();
                    let fragment = percent_decode(fragment);
                    assert!(
                        ids.get(&rel).is_some_and(|ids| ids.contains(&fragment)),
                        "{page}: `{target}`: no id `{fragment}` in {rel}"
                    );
                }
            }
        }
    }
    assert!(links >= min_links, "only {links} local links checked");
    ids
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn sample_report_site_has_its_pages_and_every_link_resolves() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "html", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("wrote build/html (html,"), "{}", run.stdout);
    let build = report.path().join("build").canonicalize().unwrap();
    let html = build.join("html");
    for page in
        ["index.html", "glossary.html", "contributors.html", "foreword.html", "smart-contracts.html", "site.css"]
    {
        assert!(html.join(page).is_file(), "missing {page}: {:?}", files(&html));
    }
    assert!(!build.join("report.pdf").exists());
    let ids = check_site(&build, "html", 200);
    // The search: its page, the site's own script and the index.
    for file in ["search.html", "search.js", "search/index.json", "search/t/0.json", "search/s/0.json"] {
        assert!(html.join(file).is_file(), "missing {file}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(html.join("search/index.json")).unwrap()).unwrap();
    assert_eq!(manifest["lang"], "en");
    let es: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(build.join("html.es/search/index.json")).unwrap()).unwrap();
    assert_eq!(es["lang"], "es");

    // The Spanish edition has its own site beside it; each page links its
    // counterpart in the other edition.
    assert!(run.stdout.contains("wrote build/html.es (html,"), "{}", run.stdout);
    check_site(&build, "html.es", 200);
    let index_es = std::fs::read_to_string(build.join("html.es/index.html")).unwrap();
    assert!(index_es.contains("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"es\">"), "{index_es}");
    assert!(index_es.contains("href=\"../report.es.epub\""), "{index_es}");
    assert!(index_es.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"../html/index.html\"/>"));
    assert!(index_es.contains("href=\"../html/index.html\" hreflang=\"en\" lang=\"en\">English</a>"));
    let foreword = std::fs::read_to_string(html.join("foreword.html")).unwrap();
    assert!(foreword.contains("<link rel=\"alternate\" hreflang=\"es\" href=\"../html.es/foreword.html\"/>"));
    assert!(foreword.contains("href=\"../html.es/foreword.html\" hreflang=\"es\" lang=\"es\">Español</a>"));

    // Downloads: the EPUB being built is linked; the PDF, neither built nor
    // present, is not.
    let index = std::fs::read_to_string(html.join("index.html")).unwrap();
    assert!(index.contains("href=\"../report.epub\""), "{index}");
    assert!(!index.contains("report.pdf"), "{index}");
    // The index: title block and contents linking every article.
    assert!(index.contains("<h1 class=\"book-title\">Blockchain Technologies and Internet Governance</h1>"));
    for page in ["foreword.html", "glossary.html", "contributors.html", "part_1.html"] {
        assert!(index.contains(&format!("href=\"{page}\"")), "the index does not link {page}");
    }

    // The glossary: one anchor per term, listed at the top; articles link
    // its entries at its stable URL.
    let glossary = std::fs::read_to_string(html.join("glossary.html")).unwrap();
    let doc = parse(&glossary);
    let terms: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("h2") && n.attribute("id").is_some_and(|id| id.starts_with("glossary.")))
        .map(|n| n.attribute("id").unwrap())
        .collect();
    assert!(terms.len() >= 10, "{terms:?}");
    assert!(terms.contains(&"glossary.smart-contract"), "{terms:?}");
    for term in &terms {
        assert!(glossary.contains(&format!("<li><a href=\"#{term}\">")), "{term} is not in the list of terms");
    }
    assert!(ids["glossary.html"].contains("glossary.blockchain"));
    let article = std::fs::read_to_string(html.join("smart-contracts.html")).unwrap();
    assert!(article.contains("href=\"glossary.html#glossary."), "no glossary link in an article");
    // Previous and next.
    assert!(article.contains("rel=\"prev\"") && article.contains("rel=\"next\""));
    // The EPUB keeps its own files and epub:type; the site has none.
    assert!(!article.contains(".xhtml") && !article.contains("epub:type"), "EPUB markup in the site");
}

#[test]
fn html_in_the_manifest_and_default_formats() {
    let report = TestReport::fixture("every-construct");
    report.with_styles();
    // Default formats (pdf, epub): no site.
    let run = report.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!report.path().join("build/html").exists());
    let manifest = std::fs::read_to_string(report.path().join("book.toml")).unwrap();
    let manifest = if manifest.contains("[build]") {
        manifest.replacen("[build]", "[build]\nformats = [\"html\"]", 1)
    } else {
        format!("{manifest}\n[build]\nformats = [\"html\"]\n")
    };
    report.write("book.toml", &manifest);
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = report.path().join("build").canonicalize().unwrap();
    assert!(build.join("html/index.html").is_file());
    // The EPUB of the earlier build exists: it is linked.
    let index = std::fs::read_to_string(build.join("html/index.html")).unwrap();
    assert!(index.contains("href=\"../report.epub\""), "{index}");
    check_site(&build, "html", 20);
}

#[test]
fn a_failed_build_keeps_the_previous_site_and_a_rebuild_replaces_it() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = report.path().join("build");
    let index = std::fs::read(build.join("html/index.html")).unwrap();
    std::fs::write(build.join("html/stale.txt"), "old").unwrap();

    // A broken article: a link to a glossary entry that does not exist,
    // denied.
    let path = report.path().join("report/foreword.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n\n[nothing](glossary.md#no-such-term)\n")).unwrap();
    let run = report.run(&["build", "--format", "html", "--deny", "broken-anchor"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(std::fs::read(build.join("html/index.html")).unwrap(), index, "the site was replaced");
    assert!(build.join("html/stale.txt").exists());

    // Fixed: the whole folder is replaced (the stray file is gone), and no
    // temporary folder is left.
    std::fs::write(&path, text).unwrap();
    let run = report.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(build.join("html/index.html").is_file());
    assert!(!build.join("html/stale.txt").exists(), "the old site was not replaced");
    let names = crate::harness::build_listing(&build);
    assert_eq!(names, ["html", "html.es"], "left in the build folder: {names:?}");
}

/// The real-browser test: headless Chromium (Debian's) driven by
/// playwright-core, axe-core on every page of both editions in the light and
/// the dark colour scheme, underlined links, visible focus, the PDF's page
/// markers, a glossary link followed, the downloads fetched, screenshots saved. Needs `node`, `chromium` and
/// `npm ci --prefix tests/browser`; skips loudly without them (fails in CI).
#[test]
fn site_in_a_real_browser() {
    const TEST: &str = "site_in_a_real_browser";
    if !require_tool("node", TEST) || !require_tool("chromium", TEST) {
        return;
    }
    let browser = repo().join("tests/browser");
    if !browser.join("node_modules/playwright-core").is_dir() || !browser.join("node_modules/axe-core").is_dir() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{TEST}: tests/browser/node_modules is required in CI (.ci/run runs `npm ci --prefix tests/browser`)"
            );
        }
        say(&format!("SKIPPED {TEST}: tests/browser/node_modules is missing (run `npm ci --prefix tests/browser`)"));
        return;
    }
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "pdf", "--format", "epub", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = report.path().join("build");
    // The screenshot goes to the target folder (not committed), kept for a look.
    let shots = repo().join("target/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("glossary-entry.png");
    let chromium = which("chromium");
    let out =
        Command::new("node").arg(browser.join("e2e.mjs")).arg(&build).arg(&shot).arg(chromium.trim()).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the browser test failed:\n{log}");
    assert!(log.contains("all browser checks passed"), "{log}");
    for page in
        ["html/index.html (light)", "html/index.html (dark)", "html.es/index.html (dark)", "html/glossary.html (dark)"]
    {
        assert!(log.contains(&format!("axe-core finds no violation on {page}")), "axe did not check {page}:\n{log}");
    }
    assert!(log.contains("ok: an article marks the PDF's pages"), "{log}");
    assert!(shot.is_file(), "no screenshot");
    say(&format!("{TEST}: screenshots in {}", shots.display()));
}

fn which(tool: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The meta of a page: `name` (or `property`) → contents, in order.
fn metas<'a>(doc: &'a roxmltree::Document) -> Vec<(&'a str, &'a str)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("meta"))
        .filter_map(|n| Some((n.attribute("name").or(n.attribute("property"))?, n.attribute("content")?)))
        .collect()
}

fn meta<'a>(metas: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    metas.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

#[test]
fn site_pages_carry_scholar_tags_that_agree_with_the_pdf_and_the_exports() {
    let report = TestReport::sample();
    let manifest = std::fs::read_to_string(report.path().join("book.toml")).unwrap();
    let manifest =
        manifest.replacen("src = \"report\"", "src = \"report\"\nurl = \"https://example.org/coala/html/\"", 1);
    report.write("book.toml", &manifest);
    let run = report.run(&["build", "--format", "pdf", "--format", "offprints", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = report.path().join("build").canonicalize().unwrap();
    let html = build.join("html");
    check_site(&build, "html", 200);
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(build.join("citation.json")).unwrap()).unwrap();
    let index = std::fs::read_to_string(html.join("index.html")).unwrap();
    let doc = parse(&index);
    let articles: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("nav") && n.attribute("class") == Some("contents"))
        .flat_map(|n| n.descendants())
        .filter(|n| n.has_tag_name("a") && n.attribute("class").is_none())
        .filter_map(|n| n.attribute("href"))
        .filter(|h| !h.starts_with("part_"))
        .map(str::to_string)
        .collect();
    assert!(articles.len() >= 8, "{articles:?}");
    let mut checked = 0;
    for file in &articles {
        let text = std::fs::read_to_string(html.join(file)).unwrap();
        let doc = parse(&text);
        let metas = metas(&doc);
        let url = format!("https://example.org/coala/html/{file}");
        let record = records.iter().find(|r| r["URL"] == url.as_str()).unwrap_or_else(|| panic!("{file}: no record"));
        assert_eq!(meta(&metas, "citation_title"), record["title"].as_str(), "{file}");
        assert_eq!(meta(&metas, "citation_inbook_title"), record["container-title"].as_str(), "{file}");
        assert_eq!(meta(&metas, "citation_language"), Some("en"), "{file}");
        assert_eq!(meta(&metas, "citation_publication_date"), Some("2016/12/08"), "{file}");
        let authors: Vec<&str> = metas.iter().filter(|(n, _)| *n == "citation_author").map(|(_, c)| *c).collect();
        assert_eq!(authors.len(), record["author"].as_array().map_or(0, Vec::len), "{file}");
        // The pages: the record's, which are the PDF's.
        let page = record["page"].as_str().unwrap();
        let (first, last) = page.split_once('-').unwrap_or((page, page));
        assert_eq!(meta(&metas, "citation_firstpage"), Some(first), "{file}");
        assert_eq!(meta(&metas, "citation_lastpage"), Some(last), "{file}");
        let id = file.trim_end_matches(".html");
        assert_eq!(
            meta(&metas, "citation_pdf_url"),
            Some(format!("https://example.org/coala/offprints/{id}.pdf").as_str()),
            "{file}"
        );
        assert!(build.join(format!("offprints/{id}.pdf")).is_file(), "{file}: no offprint");
        // The web page marks the PDF page it starts on.
        assert!(text.contains(&format!("aria-label=\"Page {first}\"")), "{file}: no mark of page {first}");
        assert!(meta(&metas, "description").is_some_and(|d| !d.is_empty()), "{file}: no description");
        assert_eq!(meta(&metas, "DC.title"), record["title"].as_str(), "{file}");
        let canonical = doc.descendants().find(|n| n.has_tag_name("link") && n.attribute("rel") == Some("canonical"));
        assert_eq!(canonical.and_then(|n| n.attribute("href")), Some(url.as_str()), "{file}");
        // JSON-LD: a chapter of the report, with its authors.
        let ld = doc
            .descendants()
            .find(|n| n.has_tag_name("script") && n.attribute("type") == Some("application/ld+json"))
            .and_then(|n| n.text())
            .unwrap_or_else(|| panic!("{file}: no JSON-LD"));
        let ld: serde_json::Value = serde_json::from_str(ld).unwrap_or_else(|e| panic!("{file}: JSON-LD: {e}"));
        assert_eq!(ld["@context"], "https://schema.org", "{file}");
        assert!(ld["@type"].as_array().unwrap().iter().any(|t| t == "Chapter"), "{file}");
        assert!(ld["isPartOf"]["@type"].as_array().unwrap().iter().any(|t| t == "Book"), "{file}");
        assert_eq!(ld["isPartOf"]["license"], "https://creativecommons.org/licenses/by/4.0/", "{file}");
        assert_eq!(ld["pageStart"].as_str(), Some(first), "{file}");
        assert_eq!(ld["author"].as_array().map_or(0, Vec::len), authors.len(), "{file}");
        // The preview card's image is in the site.
        let image = meta(&metas, "og:image").unwrap_or_else(|| panic!("{file}: no og:image"));
        let rel = image.strip_prefix("https://example.org/coala/html/").unwrap();
        assert!(html.join(rel).is_file(), "{file}: {image} is not in the site");
        // The SVG cover as a PNG: social sites read no SVG.
        assert!(std::fs::read(html.join(rel)).unwrap().starts_with(b"\x89PNG"), "{file}: {image} is no PNG");
        assert_eq!(meta(&metas, "twitter:image"), Some(image));
        checked += 1;
    }
    assert!(checked >= 8);
    // The index: the report, its parts listed.
    let ld = doc
        .descendants()
        .find(|n| n.has_tag_name("script") && n.attribute("type") == Some("application/ld+json"))
        .and_then(|n| n.text())
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"][0], "Book");
    assert_eq!(ld["hasPart"].as_array().unwrap().len(), articles.len());
    // The sitemap lists every page; robots.txt points to it.
    let sitemap = std::fs::read_to_string(html.join("sitemap.xml")).unwrap();
    roxmltree::Document::parse(&sitemap).unwrap();
    for file in &articles {
        assert!(sitemap.contains(&format!("<loc>https://example.org/coala/html/{file}</loc>")), "{file}");
    }
    let robots = std::fs::read_to_string(html.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/coala/html/sitemap.xml"), "{robots}");
    // Without an address: no sitemap, no canonical link.
    let plain = TestReport::sample();
    let run = plain.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!plain.path().join("build/html/sitemap.xml").exists());
    let foreword = std::fs::read_to_string(plain.path().join("build/html/foreword.html")).unwrap();
    assert!(!foreword.contains("rel=\"canonical\""));
    assert!(foreword.contains("<meta name=\"citation_title\""));
}

#[test]
fn every_page_has_the_contents_beside_it_with_the_current_page_marked() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = report.path().join("build/html");
    for (file, current) in [("smart-contracts.html", true), ("part_1.html", true), ("index.html", false)] {
        let text = std::fs::read_to_string(html.join(file)).unwrap();
        let doc = parse(&text);
        let sidebar = doc
            .descendants()
            .find(|n| n.has_tag_name("nav") && n.attribute("class") == Some("sidebar"))
            .unwrap_or_else(|| panic!("{file}: no sidebar"));
        assert!(sidebar.descendants().any(|n| n.has_tag_name("summary")), "{file}: not folded");
        let marked: Vec<&str> = sidebar
            .descendants()
            .filter(|n| n.attribute("aria-current") == Some("page"))
            .filter_map(|n| n.attribute("href"))
            .collect();
        assert_eq!(marked, if current { vec![file] } else { vec![] }, "{file}");
        assert!(sidebar.descendants().filter(|n| n.has_tag_name("a")).count() >= 12, "{file}");
    }
    let article = std::fs::read_to_string(html.join("smart-contracts.html")).unwrap();
    let doc = parse(&article);
    let toc = doc
        .descendants()
        .find(|n| n.has_tag_name("nav") && n.attribute("class") == Some("page-toc"))
        .expect("no list of the article's headings");
    let hrefs: Vec<&str> =
        toc.descendants().filter(|n| n.has_tag_name("a")).filter_map(|n| n.attribute("href")).collect();
    assert!(hrefs.len() >= 3, "{hrefs:?}");
    assert!(hrefs.iter().all(|h| h.starts_with('#')), "{hrefs:?}");
}
