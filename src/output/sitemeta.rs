//! What the web edition's pages tell machines: a description, Highwire
//! (Google Scholar, Zotero) tags and Dublin Core on each article,
//! schema.org JSON-LD, OpenGraph and Twitter cards, canonical addresses,
//! and with `[book] url` the site's `sitemap.xml` and `robots.txt`.
//!
//! The Scholar tags of an article are read from its record in the
//! citation exports (`citation.json`, CSL JSON), so that they say what the
//! exports say, page numbers included.

use std::collections::HashMap;
use std::fmt::Write;

/// The web edition's first page.
pub const INDEX_FILE: &str = "index.html";

use serde_json::{Value, json};

use crate::config::Manifest;
use crate::model::{Article, BlockKind, plain_text};
use crate::output::xhtml::escape;

/// What the site knows beyond the report: its address, the citation
/// records, the image of its preview cards.
#[derive(Debug, Default, Clone)]
pub struct Web {
    /// The site's address (the folder of `index.html`), without a
    /// trailing `/`.
    pub url: Option<String>,
    /// Each article's CSL JSON record (from `citation.json`), by article id.
    pub citations: HashMap<String, Value>,
    /// The folder of the offprints, from the pages (`../offprints`), when
    /// they are built.
    pub offprints: Option<String>,
}

impl Web {
    /// The records of `csl_json` (the citation export), by the article they
    /// cite: each record's `id` is `<report key>:<article id>`.
    pub fn citations_of(csl_json: &str, manifest: &Manifest, articles: &[&Article]) -> HashMap<String, Value> {
        let records: Vec<Value> = serde_json::from_str(csl_json).unwrap_or_default();
        let mut by_key: HashMap<String, Value> =
            records.into_iter().filter_map(|r| Some((r.get("id")?.as_str()?.to_string(), r))).collect();
        articles
            .iter()
            .filter_map(|a| {
                let record = by_key.remove(&crate::passes::cite::article_key(manifest, a))?;
                Some((a.id.clone(), record))
            })
            .collect()
    }

    /// `rel` (a path relative to the site's pages, possibly `../x`) as an
    /// address, when the site has one.
    pub fn absolute(&self, rel: &str) -> Option<String> {
        let url = self.url.as_deref()?;
        Some(resolve(url, rel))
    }

    /// `rel` as an address when the site has one, else as it is.
    pub fn href(&self, rel: &str) -> String {
        self.absolute(rel).unwrap_or_else(|| rel.to_string())
    }
}

/// `rel` resolved against the folder `base` (`https://host/a/b`): each
/// leading `../` drops one folder (never the host).
fn resolve(base: &str, rel: &str) -> String {
    let mut base = base.trim_end_matches('/').to_string();
    let host_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[host_end..].find('/').map_or(base.len(), |i| host_end + i);
    let mut rel = rel;
    while let Some(rest) = rel.strip_prefix("../") {
        if let Some(slash) = base.rfind('/').filter(|&s| s >= host_end) {
            base.truncate(slash);
        }
        rel = rest;
    }
    format!("{base}/{rel}")
}

/// Text for a `content` attribute: whitespace collapsed, cut at a word
/// near `max` characters.
pub fn summary(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for w in words {
        if out.chars().count() + w.chars().count() + 1 > max && !out.is_empty() {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The article's abstract as plain text (empty when it has none).
pub fn abstract_text(article: &Article) -> String {
    let mut out = String::new();
    for block in &article.abstract_ {
        if let BlockKind::Paragraph(inlines) = &block.kind {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(plain_text(inlines).trim());
        }
    }
    out
}

/// A licence's address: the Creative Commons ones are named `CC BY 4.0`,
/// `CC BY-SA 4.0`, `CC0 1.0`; an address is kept.
pub fn license_url(license: &str) -> Option<String> {
    let l = license.trim();
    if l.starts_with("http://") || l.starts_with("https://") {
        return Some(l.to_string());
    }
    let upper = l.to_ascii_uppercase();
    let mut words = upper.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("CC0"), version, None) => {
            Some(format!("https://creativecommons.org/publicdomain/zero/{}/", version.unwrap_or("1.0")))
        }
        (Some("CC"), Some(kind), version)
            if kind.split('-').all(|k| matches!(k, "BY" | "SA" | "NC" | "ND")) && kind.starts_with("BY") =>
        {
            Some(format!(
                "https://creativecommons.org/licenses/{}/{}/",
                kind.to_ascii_lowercase(),
                version.unwrap_or("4.0")
            ))
        }
        _ => None,
    }
}

/// A date `YYYY-MM-DD` as Scholar prefers it (`YYYY/MM/DD`); other dates
/// as they are.
fn scholar_date(date: &str) -> String {
    match crate::dates::parse_iso_date(date) {
        Some((y, m, d)) => format!("{y:04}/{m:02}/{d:02}"),
        None => date.trim().to_string(),
    }
}

fn meta(out: &mut String, name: &str, content: &str) {
    if !content.trim().is_empty() {
        let _ = writeln!(out, "<meta name=\"{name}\" content=\"{}\"/>", escape(content.trim()));
    }
}

fn property(out: &mut String, property: &str, content: &str) {
    if !content.trim().is_empty() {
        let _ = writeln!(out, "<meta property=\"{property}\" content=\"{}\"/>", escape(content.trim()));
    }
}

/// The ORCID iD of `orcid` (an iD or its address) as an address.
fn orcid_url(orcid: &str) -> Option<String> {
    let id = orcid.trim().trim_start_matches("https://orcid.org/").trim_start_matches("http://orcid.org/");
    (!id.is_empty()).then(|| format!("https://orcid.org/{id}"))
}

/// What a page is about, for its tags.
pub struct PageMeta<'a> {
    pub manifest: &'a Manifest,
    pub web: &'a Web,
    /// The page's file (`index.html`).
    pub file: &'a str,
    /// Its full title (`Article — Report`).
    pub title: &'a str,
    pub article: Option<&'a Article>,
    /// The article's language.
    pub lang: &'a str,
    /// The cover image's path in the site, for the cards.
    pub image: Option<&'a str>,
    /// The offprint of the article, relative to the pages.
    pub offprint: Option<String>,
    /// The site's pages: the index's JSON-LD lists the articles'.
    pub parts: Vec<(String, String)>,
}

/// The page's `<meta>` and `<link>` tags and its JSON-LD.
pub fn head(p: &PageMeta) -> String {
    let book = &p.manifest.book;
    let mut out = String::new();
    let abstract_ = p.article.map(abstract_text).unwrap_or_default();
    let description = if abstract_.trim().is_empty() {
        book.description.as_deref().unwrap_or_default().to_string()
    } else {
        abstract_.clone()
    };
    let description = summary(&description, 300);
    meta(&mut out, "description", &description);
    let keywords: Vec<String> = match p.article {
        Some(a) if !a.meta.keywords.is_empty() => a.meta.keywords.clone(),
        _ => book.keywords.clone(),
    };
    if !keywords.is_empty() {
        meta(&mut out, "keywords", &keywords.join(", "));
    }
    let canonical = p.web.absolute(p.file);
    if let Some(c) = &canonical {
        let _ = writeln!(out, "<link rel=\"canonical\" href=\"{}\"/>", escape(c));
    }
    let record = p.article.and_then(|a| p.web.citations.get(&a.id));
    let license = book.license.as_deref().filter(|l| !l.trim().is_empty());

    // Highwire Press tags, read by Google Scholar and Zotero.
    if let Some(article) = p.article {
        meta(&mut out, "citation_title", article.title_text().trim());
        for author in &article.meta.authors {
            meta(&mut out, "citation_author", &author.name);
            if let Some(aff) = &author.affiliation {
                meta(&mut out, "citation_author_institution", aff);
            }
            if let Some(orcid) = author.orcid.as_deref().and_then(orcid_url) {
                meta(&mut out, "citation_author_orcid", &orcid);
            }
        }
        if let Some(date) = &book.date {
            meta(&mut out, "citation_publication_date", &scholar_date(date));
        }
        meta(&mut out, "citation_inbook_title", &book.title);
        if let Some(publisher) = &book.publisher {
            meta(&mut out, "citation_publisher", publisher);
        }
        for editor in &book.editors {
            meta(&mut out, "citation_editor", editor);
        }
        if let Some(record) = record {
            let first = record.get("page-first").and_then(Value::as_str);
            let last = record.get("page").and_then(Value::as_str).map(|p| p.rsplit('-').next().unwrap_or(p));
            if let (Some(first), Some(last)) = (first, last) {
                meta(&mut out, "citation_firstpage", first);
                meta(&mut out, "citation_lastpage", last);
            }
            if let Some(doi) = record.get("DOI").and_then(Value::as_str) {
                meta(&mut out, "citation_doi", doi);
            }
        }
        if let Some(offprint) = &p.offprint {
            meta(&mut out, "citation_pdf_url", &p.web.href(offprint));
        }
        if let Some(c) = &canonical {
            meta(&mut out, "citation_abstract_html_url", c);
        }
        meta(&mut out, "citation_language", p.lang);
        if !article.meta.keywords.is_empty() {
            meta(&mut out, "citation_keywords", &article.meta.keywords.join("; "));
        }
    }

    // Dublin Core.
    out.push_str("<link rel=\"schema.DC\" href=\"http://purl.org/dc/elements/1.1/\"/>\n");
    let dc_title = p.article.map(|a| a.title_text().trim().to_string()).unwrap_or_else(|| book.title.clone());
    meta(&mut out, "DC.title", &dc_title);
    let creators: Vec<String> = match p.article {
        Some(a) => a.meta.authors.iter().map(|a| a.name.clone()).collect(),
        None => book.authors.clone(),
    };
    for c in &creators {
        meta(&mut out, "DC.creator", c);
    }
    if p.article.is_none() {
        for e in &book.editors {
            meta(&mut out, "DC.contributor", e);
        }
    }
    if let Some(d) = &book.date {
        meta(&mut out, "DC.date", d);
    }
    meta(&mut out, "DC.language", p.lang);
    if let Some(publisher) = &book.publisher {
        meta(&mut out, "DC.publisher", publisher);
    }
    if let Some(l) = license {
        meta(&mut out, "DC.rights", l);
    }
    meta(&mut out, "DC.description", &description);
    meta(&mut out, "DC.type", "Text");
    if let Some(doi) = record.and_then(|r| r.get("DOI")).and_then(Value::as_str) {
        meta(&mut out, "DC.identifier", &format!("https://doi.org/{doi}"));
    } else if let Some(c) = &canonical {
        meta(&mut out, "DC.identifier", c);
    }
    if p.article.is_some() {
        meta(&mut out, "DC.relation.isPartOf", &book.title);
    }

    // OpenGraph and Twitter cards.
    let og_type = if p.article.is_some() { "article" } else { "book" };
    property(&mut out, "og:type", og_type);
    property(&mut out, "og:title", p.title);
    property(&mut out, "og:description", &description);
    property(&mut out, "og:site_name", &book.title);
    property(&mut out, "og:locale", &p.lang.replace('-', "_"));
    if let Some(c) = &canonical {
        property(&mut out, "og:url", c);
    }
    let image = p.image.map(|i| p.web.href(i));
    if let Some(i) = &image {
        property(&mut out, "og:image", i);
        property(&mut out, "og:image:alt", &book.title);
    }
    if let Some(a) = p.article {
        for author in &a.meta.authors {
            property(&mut out, "article:author", &author.name);
        }
        if let Some(d) = &book.date {
            property(&mut out, "article:published_time", d);
        }
    }
    meta(&mut out, "twitter:card", if image.is_some() { "summary_large_image" } else { "summary" });
    meta(&mut out, "twitter:title", p.title);
    meta(&mut out, "twitter:description", &description);
    if let Some(i) = &image {
        meta(&mut out, "twitter:image", i);
        meta(&mut out, "twitter:image:alt", &book.title);
    }

    // schema.org.
    let ld = json_ld(p, &description, record, image.as_deref(), canonical.as_deref());
    let text = serde_json::to_string(&ld).unwrap_or_default();
    // Inside `<script>`, and in a page that is also XML: no `<`, `>` or `&`.
    let text = text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    let _ = writeln!(out, "<script type=\"application/ld+json\">{text}</script>");
    out
}

fn person(name: &str, affiliation: Option<&str>, orcid: Option<&str>) -> Value {
    let mut p = agent(name);
    if let Some(aff) = affiliation.filter(|a| !a.trim().is_empty()) {
        p["affiliation"] = json!({ "@type": "Organization", "name": aff.trim() });
    }
    if let Some(o) = orcid.and_then(orcid_url) {
        p["identifier"] = json!(o);
        p["sameAs"] = json!(o);
    }
    p
}

/// A name in the manifest's lists: an organisation when it says so.
fn agent(name: &str) -> Value {
    let lower = name.to_lowercase();
    let organisation = [
        "coalition",
        "forum",
        "institute",
        "university",
        "association",
        "organization",
        "organisation",
        "foundation",
        "council",
        "committee",
        "(",
        "group",
        "centre",
        "center",
    ]
    .iter()
    .any(|w| lower.contains(w));
    json!({ "@type": if organisation { "Organization" } else { "Person" }, "name": name.trim() })
}

fn json_ld(
    p: &PageMeta,
    description: &str,
    record: Option<&Value>,
    image: Option<&str>,
    canonical: Option<&str>,
) -> Value {
    let book = &p.manifest.book;
    let mut report = json!({
        "@type": ["Book", "Report"],
        "name": book.title.trim(),
        "inLanguage": book.language,
    });
    if let Some(s) = book.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        report["alternativeHeadline"] = json!(s.trim());
    }
    if let Some(u) = p.web.absolute(INDEX_FILE) {
        report["url"] = json!(u);
        report["@id"] = json!(u);
    }
    if !book.authors.is_empty() {
        report["author"] = Value::Array(book.authors.iter().map(|a| agent(a)).collect());
    }
    if !book.editors.is_empty() {
        report["editor"] = Value::Array(book.editors.iter().map(|a| agent(a)).collect());
    }
    if let Some(publisher) = book.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        report["publisher"] = json!({ "@type": "Organization", "name": publisher.trim() });
    }
    if let Some(d) = book.date.as_deref().filter(|s| !s.trim().is_empty()) {
        report["datePublished"] = json!(d.trim());
    }
    if let Some(e) = book.edition.as_deref().filter(|s| !s.trim().is_empty()) {
        report["bookEdition"] = json!(e.trim());
    }
    if let Some(l) = book.license.as_deref().filter(|s| !s.trim().is_empty()) {
        report["license"] = json!(license_url(l).unwrap_or_else(|| l.trim().to_string()));
    }
    if let Some(doi) = book.doi.as_deref().filter(|s| !s.trim().is_empty()) {
        report["identifier"] = json!(format!("https://doi.org/{}", doi.trim()));
    }
    let Some(article) = p.article else {
        let mut report = report;
        report["@context"] = json!("https://schema.org");
        if !description.is_empty() {
            report["description"] = json!(description);
        }
        if !book.keywords.is_empty() {
            report["keywords"] = json!(book.keywords.join(", "));
        }
        if let Some(i) = image {
            report["image"] = json!(i);
        }
        report["hasPart"] = Value::Array(
            p.parts
                .iter()
                .map(|(title, file)| json!({ "@type": ["Chapter", "ScholarlyArticle"], "name": title, "url": p.web.href(file) }))
                .collect(),
        );
        return report;
    };
    let mut a = json!({
        "@context": "https://schema.org",
        "@type": ["Chapter", "ScholarlyArticle"],
        "name": article.title_text().trim(),
        "headline": article.title_text().trim(),
        "inLanguage": p.lang,
        "isPartOf": report,
    });
    let authors: Vec<Value> =
        article.meta.authors.iter().map(|x| person(&x.name, x.affiliation.as_deref(), x.orcid.as_deref())).collect();
    if !authors.is_empty() {
        a["author"] = Value::Array(authors);
    }
    if let Some(c) = canonical {
        a["url"] = json!(c);
        a["@id"] = json!(c);
    }
    if !description.is_empty() {
        a["description"] = json!(description);
    }
    let abstract_ = abstract_text(article);
    if !abstract_.is_empty() {
        a["abstract"] = json!(abstract_);
    }
    if !article.meta.keywords.is_empty() {
        a["keywords"] = json!(article.meta.keywords.join(", "));
    }
    if let Some(d) = book.date.as_deref().filter(|s| !s.trim().is_empty()) {
        a["datePublished"] = json!(d.trim());
    }
    if let Some(l) = book.license.as_deref().filter(|s| !s.trim().is_empty()) {
        a["license"] = json!(license_url(l).unwrap_or_else(|| l.trim().to_string()));
    }
    if let Some(i) = image {
        a["image"] = json!(i);
    }
    if let Some(record) = record {
        if let Some(first) = record.get("page-first").and_then(Value::as_str) {
            a["pageStart"] = json!(first);
        }
        if let Some(page) = record.get("page").and_then(Value::as_str) {
            a["pagination"] = json!(page);
            a["pageEnd"] = json!(page.rsplit('-').next().unwrap_or(page));
        }
        if let Some(doi) = record.get("DOI").and_then(Value::as_str) {
            a["identifier"] = json!(format!("https://doi.org/{doi}"));
        }
    }
    if let Some(offprint) = &p.offprint {
        a["encoding"] =
            json!({ "@type": "MediaObject", "encodingFormat": "application/pdf", "contentUrl": p.web.href(offprint) });
    }
    a
}

/// The PNG of the preview cards from an SVG cover (social sites show no
/// SVG), 1,200 pixels wide, its text set in the fonts the PDF embeds
/// (none of the system's, so that the image is the same everywhere).
pub fn card_png(svg: &[u8]) -> Option<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    static FONTS: std::sync::OnceLock<std::sync::Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    let fontdb = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        let mut seen = std::collections::HashSet::new();
        for (font, _) in typst_kit::fonts::embedded() {
            let data = font.data();
            if seen.insert((data.as_ptr() as usize, data.len())) {
                db.load_font_data(data.to_vec());
            }
        }
        db.set_serif_family("Libertinus Serif");
        db.set_sans_serif_family("New Computer Modern Sans");
        std::sync::Arc::new(db)
    });
    let options =
        usvg::Options { fontdb: fontdb.clone(), font_family: "Libertinus Serif".into(), ..Default::default() };
    let tree = usvg::Tree::from_data(svg, &options).ok()?;
    let size = tree.size();
    let scale = 1200.0 / size.width();
    let width = 1200u32;
    let height = (size.height() * scale).round().clamp(1.0, 4800.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().ok()
}

/// `sitemap.xml` of the pages at `url`.
pub fn sitemap(url: &str, files: &[String], date: Option<&str>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let date = date.filter(|d| crate::dates::parse_iso_date(d).is_some());
    for f in files {
        let _ = write!(out, "<url><loc>{}</loc>", escape(&resolve(url, f)));
        if let Some(d) = date {
            let _ = write!(out, "<lastmod>{d}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt`: everything may be crawled; where the sitemap is.
pub fn robots(url: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", resolve(url, "sitemap.xml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(resolve("https://x.org/r/html", "a.html"), "https://x.org/r/html/a.html");
        assert_eq!(resolve("https://x.org/r/html/", "../offprints/a.pdf"), "https://x.org/r/offprints/a.pdf");
        assert_eq!(resolve("https://x.org", "../../a.pdf"), "https://x.org/a.pdf");
    }

    #[test]
    fn licences() {
        assert_eq!(license_url("CC BY 4.0").as_deref(), Some("https://creativecommons.org/licenses/by/4.0/"));
        assert_eq!(
            license_url("CC BY-NC-SA 3.0").as_deref(),
            Some("https://creativecommons.org/licenses/by-nc-sa/3.0/")
        );
        assert_eq!(license_url("CC0").as_deref(), Some("https://creativecommons.org/publicdomain/zero/1.0/"));
        assert_eq!(license_url("All rights reserved"), None);
    }

    #[test]
    fn summaries_cut_at_a_word() {
        assert_eq!(summary("a  b\n c", 10), "a b c");
        assert_eq!(summary("alpha beta gamma", 11), "alpha beta…");
    }
}
