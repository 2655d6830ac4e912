//! How to cite the report and each article: one record per work,
//! written as BibTeX (with the `biblatex` crate, which escapes the fields)
//! and CSL JSON, and formatted in the report's CSL style by hayagriva from
//! those very records, so the "How to cite" text and the exports agree.
//! The pages are those of the typeset report, when it was typeset.

use std::collections::HashMap;

use biblatex::{Chunk, Chunks, EntryType, Spanned};
use hayagriva::citationberg::Style;
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest};
use serde_json::{Value, json};

use crate::config::{MANIFEST, Manifest, normalize_doi};
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::model::{Article, Inline, Report};

/// An article's pages in the typeset report, as its folios print them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pages {
    pub first: String,
    pub last: String,
}

impl Pages {
    /// `12–27`, or `12` for one page.
    pub fn range(&self) -> String {
        if self.first == self.last { self.first.clone() } else { format!("{}–{}", self.first, self.last) }
    }
}

/// Where the works are read: the web edition's pages (`[book] url`).
pub struct Addresses<'a> {
    /// The web edition's address, without a trailing `/`.
    pub url: Option<String>,
    /// Each article's page in the web edition (`site::page_files`).
    pub pages: &'a std::collections::BTreeMap<String, String>,
}

/// How to cite the report and its articles.
#[derive(Debug, Clone, Default)]
pub struct Cited {
    /// The report's citation, formatted.
    pub report: Vec<Inline>,
    /// Each article's citation, formatted, by article id.
    pub articles: HashMap<String, Vec<Inline>>,
    /// `citation.bib`: the report, then every article.
    pub bibtex: String,
    /// `citation.json`: the same as CSL JSON.
    pub csl_json: String,
}

/// The BibTeX key of the report.
pub fn report_key(manifest: &Manifest) -> String {
    key(manifest.build.name.as_deref().unwrap_or("report"))
}

/// The BibTeX key of an article: the report's, a colon, the article's id.
pub fn article_key(manifest: &Manifest, article: &Article) -> String {
    format!("{}:{}", report_key(manifest), key(&article.id))
}

/// A BibTeX key: letters, digits and `-_.:` only.
fn key(text: &str) -> String {
    let k: String =
        text.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') { c } else { '-' }).collect();
    if k.is_empty() { "report".into() } else { k }
}

/// An article's DOI from its front matter (`doi`), if it is one; a
/// warning otherwise (at the key's line of the file under `root`).
pub fn article_doi(article: &Article, root: &Root) -> Result<Option<String>, Diagnostic> {
    match article.meta.extra.get("doi") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if normalize_doi(s).is_some() => Ok(normalize_doi(s)),
        Some(other) => Err(Diagnostic::new(&lint::INVALID_DOI, format!("`doi` is not a DOI: {other}"))
            .with_file(&article.path)
            .with_line(front_matter_line(article, root, "doi"))
            .with_hint("write the DOI alone in the front matter, e.g. doi: 10.5281/zenodo.1234567")),
    }
}

/// The line of a front-matter key (1 when it cannot be found).
fn front_matter_line(article: &Article, root: &Root, key: &str) -> usize {
    std::fs::read_to_string(root.path().join(&article.path))
        .ok()
        .and_then(|text| text.lines().position(|l| l.trim_start().starts_with(&format!("{key}:"))))
        .map_or(1, |i| i + 1)
}

/// A name as BibTeX wants it: a person's name as written, an institution's
/// (with parentheses or digits, or more than four words) in braces so that
/// it is not split into given and family names.
fn is_institution(name: &str) -> bool {
    name.contains(['(', ')']) || name.chars().any(|c| c.is_ascii_digit()) || name.split_whitespace().count() > 4
}

fn names(list: &[String]) -> Chunks {
    let mut chunks = Vec::new();
    for (i, name) in list.iter().map(|n| n.trim()).filter(|n| !n.is_empty()).enumerate() {
        if i > 0 {
            chunks.push(Spanned::zero(Chunk::Normal(" and ".into())));
        }
        chunks.push(Spanned::zero(if is_institution(name) {
            Chunk::Verbatim(name.into())
        } else {
            Chunk::Normal(name.into())
        }));
    }
    chunks
}

fn text(value: &str) -> Chunks {
    vec![Spanned::zero(Chunk::Normal(value.trim().to_string()))]
}

/// A name in CSL JSON: family and given names, or a literal.
fn csl_name(name: &str) -> Value {
    if is_institution(name) {
        return json!({ "literal": name.trim() });
    }
    let person = biblatex::Person::parse(&text(name));
    let mut out = serde_json::Map::new();
    out.insert("family".into(), person.name.into());
    if !person.given_name.is_empty() {
        out.insert("given".into(), person.given_name.into());
    }
    if !person.prefix.is_empty() {
        out.insert("non-dropping-particle".into(), person.prefix.into());
    }
    if !person.suffix.is_empty() {
        out.insert("suffix".into(), person.suffix.into());
    }
    Value::Object(out)
}

/// One work: its BibTeX entry and its CSL JSON record.
struct Work {
    bib: biblatex::Entry,
    csl: Value,
}

fn csl_date(date: &str) -> Option<Value> {
    let (y, m, d) = crate::dates::parse_iso_date(date)?;
    Some(json!({ "date-parts": [[y, m, d]] }))
}

fn report_work(manifest: &Manifest) -> Work {
    let book = &manifest.book;
    let mut bib = biblatex::Entry::new(report_key(manifest), EntryType::Book);
    let mut csl = serde_json::Map::new();
    csl.insert("id".into(), report_key(manifest).into());
    csl.insert("type".into(), "book".into());
    bib.set("title", text(&book.title));
    csl.insert("title".into(), book.title.trim().into());
    if let Some(sub) = book.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        bib.set("subtitle", text(sub));
    }
    if !book.editors.is_empty() {
        bib.set("editor", names(&book.editors));
        csl.insert("editor".into(), book.editors.iter().map(|n| csl_name(n)).collect());
    }
    common(manifest, &mut bib, &mut csl);
    if let Some(doi) = book.doi.as_deref().and_then(normalize_doi) {
        bib.set("doi", text(&doi));
        csl.insert("DOI".into(), doi.into());
    }
    if let Some(url) = &book.url {
        bib.set("url", text(url));
        csl.insert("URL".into(), url.clone().into());
    }
    Work { bib, csl: Value::Object(csl) }
}

/// What the report and its articles share: publisher, date, language.
fn common(manifest: &Manifest, bib: &mut biblatex::Entry, csl: &mut serde_json::Map<String, Value>) {
    let book = &manifest.book;
    if let Some(p) = book.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        bib.set("publisher", text(p));
        csl.insert("publisher".into(), p.trim().into());
    }
    if let Some(date) = book.date.as_deref().filter(|d| crate::dates::parse_iso_date(d).is_some()) {
        bib.set("date", text(date));
        csl.insert("issued".into(), csl_date(date).unwrap_or(Value::Null));
    }
    csl.insert("language".into(), book.language.clone().into());
}

fn article_work(
    manifest: &Manifest,
    article: &Article,
    pages: Option<&Pages>,
    doi: Option<String>,
    url: Option<String>,
) -> Work {
    let book = &manifest.book;
    let key = article_key(manifest, article);
    let mut bib = biblatex::Entry::new(key.clone(), EntryType::InCollection);
    let mut csl = serde_json::Map::new();
    csl.insert("id".into(), key.into());
    csl.insert("type".into(), "chapter".into());
    let authors: Vec<String> = article.meta.authors.iter().map(|a| a.name.clone()).collect();
    if !authors.is_empty() {
        bib.set("author", names(&authors));
        csl.insert("author".into(), authors.iter().map(|n| csl_name(n)).collect());
    }
    let title = article.title_text();
    bib.set("title", text(&title));
    csl.insert("title".into(), title.trim().into());
    bib.set("booktitle", text(&book.title));
    csl.insert("container-title".into(), book.title.trim().into());
    if !book.editors.is_empty() {
        bib.set("editor", names(&book.editors));
        csl.insert("editor".into(), book.editors.iter().map(|n| csl_name(n)).collect());
    }
    common(manifest, &mut bib, &mut csl);
    if let Some(pages) = pages {
        let range =
            if pages.first == pages.last { pages.first.clone() } else { format!("{}--{}", pages.first, pages.last) };
        bib.set("pages", text(&range));
        csl.insert("page".into(), range.replace("--", "-").into());
        csl.insert("page-first".into(), pages.first.clone().into());
    }
    if let Some(doi) = doi {
        bib.set("doi", text(&doi));
        csl.insert("DOI".into(), doi.into());
    }
    if let Some(url) = url {
        bib.set("url", text(&url));
        csl.insert("URL".into(), url.into());
    }
    if !article.meta.keywords.is_empty() {
        bib.set("keywords", text(&article.meta.keywords.join(", ")));
        csl.insert("keyword".into(), article.meta.keywords.join(", ").into());
    }
    Work { bib, csl: Value::Object(csl) }
}

/// The CSL style of `[bibliography] style` (APA when it is not one typst
/// ships: the citations pass reports that as an error when there is a
/// bibliography; the warning here says so otherwise).
fn style(manifest: &Manifest, diagnostics: &mut Vec<Diagnostic>) -> hayagriva::citationberg::IndependentStyle {
    let name = &manifest.citations.style;
    let found = hayagriva::archive::ArchivedStyle::by_name(name).map(|s| s.get());
    if let Some(Style::Independent(style)) = found {
        return style;
    }
    if manifest.book.bibliography.is_none() {
        diagnostics.push(
            Diagnostic::new(&lint::INVALID_CITATION_STYLE, format!("unknown citation style `{name}`"))
                .with_file(MANIFEST)
                .with_hint(
                    "use a CSL style typst ships, e.g. apa, chicago-author-date, ieee, mla, harvard-cite-them-right",
                ),
        );
    }
    match hayagriva::archive::ArchivedStyle::by_name("apa").map(|s| s.get()) {
        Some(Style::Independent(style)) => style,
        _ => unreachable!("hayagriva ships APA"),
    }
}

/// The citations of the report and its articles. `pages` are the articles'
/// pages in the typeset report, by id (empty when it was not typeset).
pub fn cite(
    report: &Report,
    manifest: &Manifest,
    root: &Root,
    pages: &HashMap<String, Pages>,
    addresses: &Addresses,
) -> (Cited, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut works = vec![(None, report_work(manifest))];
    for article in report.articles() {
        let doi = article_doi(article, root).unwrap_or_else(|d| {
            diagnostics.push(d);
            None
        });
        let url = addresses.url.as_ref().map(|base| {
            let file = addresses.pages.get(&article.id).cloned().unwrap_or_else(|| format!("{}.html", article.id));
            format!("{base}/{file}")
        });
        works.push((Some(article.id.clone()), article_work(manifest, article, pages.get(&article.id), doi, url)));
    }

    let mut bibtex = String::new();
    let mut bibliography = biblatex::Bibliography::new();
    let mut stand_ins: HashMap<String, (String, String)> = HashMap::new();
    for (_, work) in &works {
        match work.bib.to_bibtex_string() {
            Ok(entry) => {
                bibtex.push_str(&entry);
                bibtex.push_str("\n\n");
            }
            Err(e) => diagnostics.push(
                Diagnostic::new(&lint::INTERNAL_ERROR, format!("cannot write `{}` as BibTeX: {e:?}", work.bib.key))
                    .with_file(MANIFEST)
                    .with_hint("please report this bug with the report's book.toml"),
            ),
        }
        // Formatted as `@inbook`: hayagriva's APA prints an `@incollection`'s
        // book title twice (typst/hayagriva#309); the export keeps the
        // right type.
        let mut entry = work.bib.clone();
        if entry.entry_type == EntryType::InCollection {
            entry.entry_type = EntryType::InBook;
        }
        // Folios that are not numbers (front matter's roman ones) are not
        // a range to hayagriva, which would print one as "p. iv–vi": a
        // range of two stand-in numbers (with no digit in common, so that
        // no style shortens them) is formatted, and the folios are put in
        // their place after.
        if let Some(pages) = entry.get("pages").map(|c| c.iter().map(|s| s.v.get()).collect::<String>())
            && !pages.chars().all(|c| c.is_ascii_digit() || c == '-')
        {
            match pages.split_once("--") {
                Some((first, last)) => {
                    entry
                        .set("pages", vec![Spanned::zero(Chunk::Normal(format!("{STAND_IN_FIRST}--{STAND_IN_LAST}")))]);
                    stand_ins.insert(work.bib.key.clone(), (first.to_string(), last.to_string()));
                }
                None => entry.set("pages", vec![Spanned::zero(Chunk::Verbatim(pages))]),
            }
        }
        bibliography.insert(entry);
    }
    let records: Vec<&Value> = works.iter().map(|(_, w)| &w.csl).collect();
    let csl_json = serde_json::to_string_pretty(&records).unwrap_or_default() + "\n";

    // Formatted by hayagriva from the same records, each on its own (a
    // bibliography of them all would add "2016a", "2016b").
    let style = style(manifest, &mut diagnostics);
    let locales = hayagriva::archive::locales();
    let locale = Some(hayagriva::citationberg::LocaleCode(manifest.book.language.clone()));
    let library = match hayagriva::io::from_biblatex(&bibliography) {
        Ok(library) => library,
        Err(errors) => {
            diagnostics.push(
                Diagnostic::new(&lint::INTERNAL_ERROR, format!("cannot format the citations: {:?}", errors.first()))
                    .with_file(MANIFEST)
                    .with_hint("please report this bug with the report's book.toml"),
            );
            return (Cited { bibtex, csl_json, ..Cited::default() }, diagnostics);
        }
    };
    let format = |key: &str| -> Vec<Inline> {
        let Some(entry) = library.get(key) else { return Vec::new() };
        let mut driver = BibliographyDriver::new();
        driver.citation(CitationRequest::new(
            vec![CitationItem::with_entry(entry)],
            &style,
            locale.clone(),
            &locales,
            None,
        ));
        let rendered =
            driver.finish(BibliographyRequest { style: &style, locale: locale.clone(), locale_files: &locales });
        let mut inlines = rendered
            .bibliography
            .and_then(|b| b.items.into_iter().next())
            .map(|item| super::citations::to_inlines(&item.content))
            .unwrap_or_default();
        if let Some((first, last)) = stand_ins.get(key) {
            let (first_in, last_in) = (STAND_IN_FIRST.to_string(), STAND_IN_LAST.to_string());
            replace_text(&mut inlines, &|text| text.replace(&first_in, first).replace(&last_in, last));
        }
        inlines
    };
    let mut cited = Cited { bibtex, csl_json, ..Cited::default() };
    for (id, work) in &works {
        let formatted = format(&work.bib.key);
        match id {
            None => cited.report = formatted,
            Some(id) => {
                cited.articles.insert(id.clone(), formatted);
            }
        }
    }
    (cited, diagnostics)
}

/// Every text of `inlines`, through `f`.
fn replace_text(inlines: &mut [Inline], f: &impl Fn(&str) -> String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => *text = f(text),
            other => {
                if let Some(children) = other.children_mut() {
                    replace_text(children, f);
                }
            }
        }
    }
}

/// Page numbers that stand in for a range of roman folios while hayagriva
/// formats it (see [`cite`]'s use): no citation has pages this far on.
const STAND_IN_FIRST: u32 = 7_310_001;
const STAND_IN_LAST: u32 = 8_420_002;

/// The report with "How to cite this article" closing each article (the
/// web edition and the EPUB show it): the citation, then `extra` (the web
/// edition's links to the offprint and the exports).
pub fn with_how_to_cite(
    report: &Report,
    cited: &Cited,
    title: &str,
    extra: impl Fn(&Article) -> Vec<Inline>,
) -> Report {
    use crate::model::{Block, BlockKind, CalloutKind};
    let mut report = report.clone();
    for article in report.articles_mut() {
        let Some(citation) = cited.articles.get(&article.id).filter(|c| !c.is_empty()) else { continue };
        let line = article.blocks.last().map_or(1, |b| b.line);
        let mut blocks = vec![Block { line, kind: BlockKind::Paragraph(citation.clone()) }];
        let more = extra(article);
        if !more.is_empty() {
            blocks.push(Block { line, kind: BlockKind::Paragraph(more) });
        }
        article.blocks.push(Block {
            line,
            kind: BlockKind::Callout { kind: CalloutKind::Note, title: Some(title.to_string()), blocks },
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys() {
        assert_eq!(key("report.es"), "report.es");
        assert_eq!(key("a b{c}"), "a-b-c-");
        assert!(is_institution("Dynamic Coalition on Blockchain Technologies (COALA)"));
        assert!(!is_institution("Carla L. Reyes"));
        assert_eq!(csl_name("Carla L. Reyes"), json!({ "family": "Reyes", "given": "Carla L." }));
        assert_eq!(csl_name("Ludwig van Beethoven")["non-dropping-particle"], "van");
        assert_eq!(csl_name("IGF 2016 Secretariat"), json!({ "literal": "IGF 2016 Secretariat" }));
        assert_eq!(Pages { first: "3".into(), last: "3".into() }.range(), "3");
        assert_eq!(Pages { first: "12".into(), last: "27".into() }.range(), "12–27");
    }
}
