//! Offprints and citations: every article as its own PDF with
//! the report's page numbers, `citation.bib` and `citation.json`, and the
//! web edition's links to them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::harness::{TestReport, pdf_text, require_tool, squash};

/// The text of each page of a PDF (pdftotext), or `None` without it.
fn pages(pdf: &Path, test: &str) -> Option<Vec<String>> {
    if !require_tool("pdftotext", test) {
        return None;
    }
    let out = Command::new("pdftotext").arg("-layout").arg("-enc").arg("UTF-8").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Some(pages)
}

/// The folio of a page: its last line, when that is a number (arabic or
/// roman) alone.
fn folio(page: &str) -> Option<String> {
    let last = page.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let is_folio =
        !last.is_empty() && (last.chars().all(|c| c.is_ascii_digit()) || last.chars().all(|c| "ivxlc".contains(c)));
    is_folio.then(|| last.to_string())
}

/// The page the report's contents gives to `title`: the folio after its
/// leader dots (the text squashed, so that wrapped titles are found).
fn contents_page(contents: &str, title: &str) -> String {
    let contents = squash(contents);
    let title = squash(title);
    let at = contents.find(&title).unwrap_or_else(|| panic!("`{title}` is not in the contents:\n{contents}"));
    let rest = contents[at + title.len()..].trim_start_matches('.');
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        rest.chars().take_while(char::is_ascii_digit).collect()
    } else {
        rest.chars().take_while(|c| "ivxlc".contains(*c)).collect()
    }
}

/// Page text without white space and the spacing of small capitals
/// (pdftotext splits tracked letters differently from one file to another).
fn page_text(page: &str) -> String {
    squash(page)
}

/// Numbers of figures and tables as captioned, in order.
fn captions(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| ["Figure", "Table", "Figura", "Tabla"].contains(&w[0]))
        .filter(|w| w[1].trim_end_matches('.').chars().all(|c| c.is_ascii_digit()) && w[1].ends_with('.'))
        .map(|w| format!("{} {}", w[0], w[1]))
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The sample's articles in reading order, with their ids (the offprints'
/// file names), from its CSL JSON.
fn articles(csl: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    csl.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "chapter")
        .map(|r| (r["id"].as_str().unwrap().split_once(':').unwrap().1.to_string(), r.clone()))
        .collect()
}

#[test]
fn sample_offprints_have_the_reports_pages_numbers_and_standards_in_both_editions() {
    const TEST: &str = "sample_offprints_have_the_reports_pages_numbers_and_standards_in_both_editions";
    let r = TestReport::sample();
    let run = r.run(&["build", "--format", "pdf", "--format", "offprints", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let artifacts = v["artifacts"].as_array().unwrap();
    assert!(v["timings"]["offprints"].as_f64().unwrap() > 0.0);

    for (report, dir, csl) in
        [("report.pdf", "offprints", "citation.json"), ("report.es.pdf", "offprints.es", "citation.es.json")]
    {
        let build = r.path().join("build");
        let csl = json(&build.join(csl));
        let articles = articles(&csl);
        assert_eq!(articles.len(), 11, "the sample has 11 articles");
        // --json lists every offprint, with its pages and size.
        for (id, _) in &articles {
            let path = build.join(dir).join(format!("{id}.pdf"));
            let listed = artifacts
                .iter()
                .find(|a| Path::new(a["path"].as_str().unwrap()).ends_with(Path::new(dir).join(format!("{id}.pdf"))))
                .unwrap_or_else(|| panic!("--json does not list {}", path.display()));
            assert_eq!(listed["format"], "offprint");
            assert_eq!(listed["bytes"].as_u64().unwrap(), std::fs::metadata(&path).unwrap().len());
            assert!(listed["pages"].as_u64().unwrap() >= 2);
            // Each is a full PDF of its own: tagged, PDF/A-2b and PDF/UA-1 as
            // the sample asks, with the article's title.
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "{id}: no PDF/A part");
            assert!(text.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{id}: no PDF/A conformance");
            assert!(text.contains("<pdfuaid:part>1</pdfuaid:part>"), "{id}: no PDF/UA part");
            assert!(text.contains("/StructTreeRoot"), "{id}: not tagged");
        }

        let Some(report_pages) = pages(&build.join(report), TEST) else { return };
        let contents = report_pages[..6].join("\n");
        let mut all_captions = Vec::new();
        for (id, record) in &articles {
            let title = record["title"].as_str().unwrap();
            let offprint = pages(&build.join(dir).join(format!("{id}.pdf")), TEST).unwrap();
            // The cover names the report and the pages; then the pages with folios.
            let cover = squash(&offprint[0]);
            let first_folio = offprint.iter().find_map(|p| folio(p)).unwrap_or_else(|| panic!("{id}: no folio"));
            let last_folio = offprint.iter().rev().find_map(|p| folio(p)).unwrap();
            assert_eq!(first_folio, contents_page(&contents, title), "{report} {id}: first folio and contents");
            let range = record["page"].as_str().unwrap();
            let expected =
                if first_folio == last_folio { first_folio.clone() } else { format!("{first_folio}-{last_folio}") };
            assert_eq!(range, expected, "{id}: the CSL JSON's pages are the offprint's folios");
            assert!(cover.contains(&squash(&expected.replace('-', "–"))), "{id}: the cover names the pages:\n{cover}");
            // Its pages are the report's: same text (hence the same figure,
            // table and footnote numbers) under the same folios.
            let body: Vec<&String> = offprint.iter().skip_while(|p| folio(p).is_none()).collect();
            let start = report_pages
                .iter()
                .position(|p| folio(p).as_deref() == Some(first_folio.as_str()) && squash(p).contains(&squash(title)))
                .unwrap_or_else(|| panic!("{id}: its first page is not in the report"));
            for (k, page) in body.iter().enumerate() {
                assert_eq!(
                    page_text(page),
                    page_text(&report_pages[start + k]),
                    "{report} {id}: page {k} differs from the report's"
                );
            }
            let own = captions(&body.iter().map(|p| p.as_str()).collect::<String>());
            let in_report = captions(&report_pages[start..start + body.len()].join(""));
            assert_eq!(own, in_report, "{id}: figure and table numbers");
            all_captions.extend(own);
        }
        assert!(all_captions.len() >= 5, "the sample's figures and tables are checked: {all_captions:?}");
    }

    let offprint = r.path().join("build/offprints/use-cases.pdf");
    if !require_tool("qpdf", TEST) {
        return;
    }
    let out = Command::new("qpdf").arg("--check").arg(&offprint).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("No syntax or stream encoding errors found"), "{stdout}");
}

#[test]
fn citation_exports_parse_and_carry_the_reports_pages_url_and_dois() {
    const TEST: &str = "citation_exports_parse_and_carry_the_reports_pages_url_and_dois";
    let r = TestReport::sample();
    let manifest = std::fs::read_to_string(r.path().join("book.toml")).unwrap();
    let manifest = manifest.replace(
        "src = \"report\"\n",
        "src = \"report\"\nurl = \"https://example.org/coala-2016/\"\ndoi = \"10.5281/zenodo.2016\"\n",
    );
    r.write("book.toml", &manifest);
    let article = std::fs::read_to_string(r.path().join("report/smart-contracts.md")).unwrap();
    let article = article.replacen("\n", "\ndoi: \"https://doi.org/10.5281/zenodo.9\"\n", 1);
    assert!(article.starts_with("---\ndoi:"), "front matter in YAML: {}", &article[..40]);
    r.write("report/smart-contracts.md", &article);
    let run = r.run(&["build", "--format", "offprints", "--format", "html", "--format", "epub", "--edition", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = r.path().join("build");
    assert!(!build.join("report.pdf").exists(), "offprints alone write no report PDF");

    // CSL JSON, read with serde_json.
    let csl = json(&build.join("citation.json"));
    let records = csl.as_array().unwrap();
    assert_eq!(records[0]["type"], "book");
    assert_eq!(records[0]["title"], "Blockchain Technologies and Internet Governance");
    assert_eq!(records[0]["DOI"], "10.5281/zenodo.2016");
    assert_eq!(records[0]["URL"], "https://example.org/coala-2016/");
    let by_id: BTreeMap<String, serde_json::Value> = articles(&csl).into_iter().collect();
    let smart = &by_id["smart-contracts"];
    assert_eq!(smart["DOI"], "10.5281/zenodo.9");
    assert_eq!(smart["URL"], "https://example.org/coala-2016/smart-contracts.html");
    assert_eq!(smart["container-title"], "Blockchain Technologies and Internet Governance");
    assert_eq!(by_id["session-report"]["author"][0], serde_json::json!({ "family": "Reyes", "given": "Carla L." }));

    // BibTeX, read with the biblatex crate: the same works and pages.
    let bib = std::fs::read_to_string(build.join("citation.bib")).unwrap();
    let bibliography = biblatex::Bibliography::parse(&bib).unwrap_or_else(|e| panic!("{e:?}\n{bib}"));
    assert_eq!(bibliography.len(), records.len());
    for record in records {
        let entry = bibliography.get(record["id"].as_str().unwrap()).expect("every CSL record is in the BibTeX");
        let title: String = entry.title().unwrap().iter().map(|c| c.v.get().to_string()).collect();
        assert_eq!(title, record["title"].as_str().unwrap());
        if let Some(page) = record["page"].as_str() {
            let pages: String = entry.get("pages").unwrap().iter().map(|c| c.v.get().to_string()).collect();
            // (biblatex reads `--` as an en dash in some fields.)
            assert_eq!(pages.replace("--", "-").replace('–', "-"), page, "{}", record["id"]);
        }
    }
    let smart_bib = bibliography.get("report:smart-contracts").unwrap();
    assert_eq!(smart_bib.entry_type, biblatex::EntryType::InCollection);
    assert_eq!(smart_bib.doi().unwrap(), "10.5281/zenodo.9");

    // How to cite: on the offprint's cover, the article's web page, the EPUB.
    let pages = smart["page"].as_str().unwrap().replace('-', "–");
    let citation = format!(
        "When code performs the promise. In Dynamic Coalition on Blockchain Technologies (COALA) (Ed.), Blockchain Technologies and Internet Governance (pp. {pages})"
    );
    let html = std::fs::read_to_string(build.join("html/smart-contracts.html")).unwrap();
    let html_text = html.replace("<em>", "").replace("</em>", "");
    assert!(html_text.contains("How to cite this article"), "{html}");
    assert!(html_text.contains(&citation), "the web page cites with the pages:\n{html}");
    assert!(html.contains("https://doi.org/10.5281/zenodo.9"), "the DOI is carried");
    // Front matter's roman folios are a range too ("pp. iv–vi", not "p.").
    let foreword = by_id["foreword"]["page"].as_str().unwrap();
    assert!(foreword.starts_with(['i', 'v', 'x']) && foreword.contains('-'), "{foreword}");
    let foreword_page = std::fs::read_to_string(build.join("html/foreword.html")).unwrap();
    assert!(foreword_page.contains(&format!("(pp. {})", foreword.replace('-', "–"))), "{foreword_page}");
    assert!(html.contains("href=\"../offprints/smart-contracts.pdf\""), "the page links its offprint");
    assert!(html.contains("href=\"../citation.bib\"") && html.contains("href=\"../citation.json\""));
    let index = std::fs::read_to_string(build.join("html/index.html")).unwrap();
    for id in by_id.keys() {
        assert!(index.contains(&format!("href=\"../offprints/{id}.pdf\"")), "the index links the offprint of {id}");
    }
    let epub = crate::features::epub_text(&r).replace("<em>", "").replace("</em>", "");
    assert!(epub.contains(&citation), "the EPUB cites the article");
    let Some(cover) = pdf_text(&build.join("offprints/smart-contracts.pdf"), TEST) else { return };
    let cover = squash(&cover);
    assert!(cover.contains(&squash(&citation)), "the offprint cites itself:\n{cover}");
    assert!(cover.contains(&squash("https://example.org/coala-2016")), "and names the full report");
}

/// A two-sided report with one list of references at the end, a link
/// between articles and `[book] url`: each offprint keeps the report's
/// page parity, ends with its own references, and links the web edition.
#[test]
fn offprints_keep_parity_end_with_their_references_and_link_the_web_edition() {
    const TEST: &str = "offprints_keep_parity_end_with_their_references_and_link_the_web_edition";
    let r = TestReport::new();
    r.with_styles();
    r.write(
        "book.toml",
        "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\nurl = \"https://example.org/t\"\nbibliography = \"refs.yml\"\n\n\
         [[part]]\narticles = [\"b.md\", \"c.md\"]\n\n[build.pdf]\ntwoside = true\n\n[bibliography]\nplacement = \"end\"\n",
    )
    .write("refs.yml", "szabo:\n  type: Article\n  title: Smart contracts\n  author: Szabo, Nick\n  date: 1997\n")
    .write("report/a.md", "---\ntitle: Alpha\n---\n\nAlpha text.\n")
    .write(
        "report/b.md",
        "---\ntitle: Beta\nauthors:\n  - name: Ana Li\n---\n\nSee [Gamma](c.md#later) and [@szabo].[^n]\n\n[^n]: A note.\n\n## Later\n\nMore.\n",
    )
    .write("report/c.md", "---\ntitle: Gamma\n---\n\n# Later\n\nGamma text, citing @szabo.\n");
    let run = r.run(&["build", "--format", "pdf", "--format", "offprints", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = r.path().join("build");
    let csl = json(&build.join("citation.json"));
    let mut blank_pages = 0;
    for (id, record) in articles(&csl) {
        let Some(offprint) = pages(&build.join(format!("offprints/{id}.pdf")), TEST) else { return };
        let Some(report) = pages(&r.pdf(), TEST) else { return };
        let first = offprint.iter().position(|p| folio(p).is_some()).unwrap();
        let title = record["title"].as_str().unwrap();
        let in_report =
            report.iter().position(|p| folio(p) == folio(&offprint[first]) && squash(p).contains(title)).unwrap();
        assert_eq!(first % 2, in_report % 2, "{id}: the article starts on a page of the same parity");
        blank_pages += usize::from(first == 2 && offprint[1].trim().is_empty());
    }
    assert!(blank_pages > 0, "an article starts on an odd page: its offprint has a blank page after the cover");
    let Some(b) = pdf_text(&build.join("offprints/b.pdf"), TEST) else { return };
    let b = squash(&b);
    let references = b.find("References").unwrap_or_else(|| panic!("Beta's offprint ends with its references: {b}"));
    assert!(b[references..].contains(&squash("Szabo, N. (1997). Smart contracts.")), "{b}");
    let a = squash(&pdf_text(&build.join("offprints/a.pdf"), TEST).unwrap());
    assert!(!a.contains("References"), "Alpha cites nothing: {a}");
    let report = squash(&pdf_text(&r.pdf(), TEST).unwrap());
    assert_eq!(report.matches("References").count(), 1, "the report keeps one list: {report}");
    // Gamma holds the report's list: its offprint has only its own.
    let c = squash(&pdf_text(&build.join("offprints/c.pdf"), TEST).unwrap());
    assert_eq!(c.matches("References").count(), 1, "Gamma's own list, not the report's too: {c}");
    if !require_tool("qpdf", TEST) {
        return;
    }
    let qdf = build.join("b.qdf");
    let out = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(build.join("offprints/b.pdf"))
        .arg(&qdf)
        .output()
        .unwrap();
    assert!(out.status.success());
    let raw = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    assert!(raw.contains("/URI (https://example.org/t/c.html#c.later)"), "the link to Gamma goes to the web edition");
}

#[test]
fn a_template_without_offprint_warns_and_still_builds_them() {
    let r = TestReport::new();
    r.with_styles();
    let template = std::fs::read_to_string(r.path().join("styles/report.typ")).unwrap();
    let start = template.find("#let offprint(").unwrap();
    let end = start + template[start..].find("\n}\n").unwrap() + 3;
    r.write("styles/report.typ", &format!("{}{}", &template[..start], &template[end..]));
    r.write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", "---\ntitle: Alpha\n---\n\nAlpha text.\n");
    let run = r.run(&["build", "--format", "offprints"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[offprint-template]: the template `styles/report.typ` has no `offprint`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("styles/report.typ:1"), "{}", run.stderr);
    assert!(r.path().join("build/offprints/a.pdf").is_file());
    // --deny makes it an error, and then nothing is written.
    std::fs::remove_dir_all(r.path().join("build")).unwrap();
    let run = r.run(&["build", "--format", "offprints", "--deny", "offprint-template"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!r.path().join("build/offprints").exists() && !r.path().join("build/citation.bib").exists());
}

#[test]
fn an_invalid_article_doi_is_a_named_warning_at_its_line() {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", "---\ntitle: Alpha\ndoi: not-a-doi\n---\n\nAlpha text.\n");
    let run = r.run(&["build", "--format", "offprints"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[invalid-doi]: `doi` is not a DOI: \"not-a-doi\""), "{}", run.stderr);
    assert!(run.stderr.contains("report/a.md:3"), "{}", run.stderr);
    let csl = json(&r.path().join("build/citation.json"));
    assert!(csl[1].get("DOI").is_none(), "the article is cited without it");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[invalid-doi]"), "check reports it too: {}", run.stderr);
}

/// A glossary that cites, with one list of references at the end: its
/// offprint ends with its own references and still lists, under each
/// entry, the report's pages that use it (as the report's glossary does).
#[test]
fn a_glossary_that_cites_keeps_its_page_lists_in_its_offprint() {
    const TEST: &str = "a_glossary_that_cites_keeps_its_page_lists_in_its_offprint";
    let r = TestReport::new();
    r.with_styles();
    r.write(
        "book.toml",
        "front = [\"a.md\"]\nback = [\"glossary.md\"]\n\n[book]\ntitle = \"T\"\nbibliography = \"refs.yml\"\n\n\
         [glossary]\nlink = \"first-use\"\n\n[bibliography]\nplacement = \"end\"\n",
    )
    .write("refs.yml", "szabo:\n  type: Article\n  title: Smart contracts\n  author: Szabo, Nick\n  date: 1997\n")
    .write("report/a.md", "---\ntitle: Alpha\n---\n\nA ledger keeps a record, as @szabo says.\n")
    .write(
        "report/glossary.md",
        "---\ntitle: Glossary\nkind: glossary\n---\n\n## Ledger\n\nA record kept by many [@szabo].\n",
    );
    let run = r.run(&["build", "--format", "pdf", "--format", "offprints"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (Some(report), Some(offprint)) =
        (pdf_text(&r.pdf(), TEST), pdf_text(&r.path().join("build/offprints/glossary.pdf"), TEST))
    else {
        return;
    };
    let (report, offprint) = (squash(&report), squash(&offprint));
    // A bare `@key` cites in the sentence, as Pandoc's author-in-text does.
    assert!(report.contains(&squash("A ledger keeps a record, as Szabo (1997) says.")), "{report}");
    let listed = squash("A record kept by many (Szabo, 1997). Page iv");
    assert!(report.contains(&listed), "the report's glossary lists the page: {report}");
    assert!(offprint.contains(&listed), "so does its offprint: {offprint}");
    assert_eq!(
        offprint.matches(&squash("Szabo, N. (1997). Smart contracts.")).count(),
        1,
        "its own references: {offprint}"
    );
}
