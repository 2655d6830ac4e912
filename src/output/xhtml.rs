//! Document model → XHTML 5 for the EPUB. Pure functions: the same report
//! gives the same text.
//!
//! Every document is well-formed XML: each element is closed, text and
//! attribute values are escaped (markdown text is data, never markup), and
//! characters XML forbids are dropped. The model holds no raw HTML, and none
//! is produced here: the only markup is what this module writes.
//!
//! Files and ids (the same scheme everywhere: pages, nav, NCX, links):
//! - an article is `<id>.xhtml` (see [`article_file`]); a part's title page
//!   is `part_<n>.xhtml`; the fixed pages use names with `_`, which article
//!   ids (ASCII letters, digits and `-`) never contain;
//! - ids are unique across the whole book: every id of an article starts
//!   with the article id, which contains no `.`. The article title is
//!   `<id>`, a heading `<id>.<slug>` (GitHub slugs contain no `.`), a
//!   footnote `<id>.fn.<n>` and its references `<id>.ref.<n>` (first),
//!   `<id>.ref.<n>.<k>` (k-th).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::config::Manifest;
use crate::config::is_language_tag;
use crate::model::Kind;
use crate::model::{
    Align, Article, Block, BlockKind, Image, ImageSrc, Inline, LinkDest, Part, Placement, Report, plain_text,
};
use crate::output::pages::{Anchor, PageMap};

/// The images packaged in the EPUB: path relative to the report root →
/// href inside the EPUB (relative to the XHTML documents).
pub type ImageMap = BTreeMap<String, String>;

/// What every page needs besides its content.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The book's language (BCP 47), from book.toml.
    pub lang: &'a str,
    pub labels: &'a Labels,
    pub images: &'a ImageMap,
    /// The stylesheet, relative to the documents.
    pub stylesheet: &'a str,
    /// Where the PDF's pages begin, when the PDF was typeset in the same
    /// build: each gets a page-break marker.
    pub pages: Option<&'a PageMap>,
    /// The formulas as MathML, where typst could write them; the others
    /// show their LaTeX source.
    pub math: Option<&'a crate::output::mathml::MathMl>,
}

/// What the rest of the build gives the EPUB and the web edition: where
/// the PDF's pages begin and the formulas as MathML.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rendered<'a> {
    pub pages: Option<&'a PageMap>,
    pub math: Option<&'a crate::output::mathml::MathMl>,
}

// ------------------------------------------------------------ files, ids ---

/// The text of inlines without their math.
fn words(inlines: &[Inline]) -> String {
    let mut out = String::new();
    crate::model::push_text(inlines, crate::model::TextOptions { math: false, line_breaks: ' ' }, &mut out);
    out
}

/// The file of an article.
pub fn article_file(id: &str) -> String {
    // `nav.xhtml` is the navigation document epub-builder writes.
    if id == "nav" { "nav_.xhtml".to_string() } else { format!("{id}.xhtml") }
}

/// The title page of part `number`.
pub fn part_file(number: usize) -> String {
    format!("part_{number}.xhtml")
}

pub const COVER_FILE: &str = "cover_page.xhtml";
pub const TITLE_FILE: &str = "title_page.xhtml";
pub const CONTENTS_FILE: &str = "contents_page.xhtml";
pub const NAV_FILE: &str = "nav.xhtml";

/// The element id of heading `slug` of article `article`.
pub fn heading_id(article: &str, slug: &str) -> String {
    format!("{article}.{slug}")
}

pub fn footnote_id(article: &str, number: usize) -> String {
    format!("{article}.fn.{number}")
}

/// The id of the `k`-th (1-based) reference to footnote `number`.
pub fn noteref_id(article: &str, number: usize, k: usize) -> String {
    if k <= 1 { format!("{article}.ref.{number}") } else { format!("{article}.ref.{number}.{k}") }
}

/// How the documents of an edition name each other: the EPUB's `.xhtml`
/// files, with `epub:type` attributes, or the web edition's `.html` pages
/// (HTML has no `epub:type`). One body emitter serves both.
#[derive(Debug, Clone, Copy)]
pub struct Flavor<'a> {
    /// The page of each article (article id → file); `None`: [`article_file`].
    pub pages: Option<&'a BTreeMap<String, String>>,
    /// Whether elements carry `epub:type`.
    pub epub_types: bool,
}

/// The EPUB's flavor.
pub const EPUB: Flavor<'static> = Flavor { pages: None, epub_types: true };

impl Flavor<'_> {
    /// The href of an internal link, seen from a document of article `from`.
    pub fn href(&self, from: Option<&str>, article: &str, anchor: Option<&str>) -> String {
        let Some(pages) = self.pages else { return internal_href(from, article, anchor) };
        let file = pages.get(article).cloned().unwrap_or_else(|| format!("{article}.html"));
        match anchor {
            Some(a) if from == Some(article) => format!("#{}", heading_id(article, a)),
            Some(a) => format!("{file}#{}", heading_id(article, a)),
            None => file,
        }
    }

    /// ` epub:type="…"`, or nothing outside the EPUB.
    fn epub_type(&self, value: &str) -> String {
        if self.epub_types { format!(" epub:type=\"{value}\"") } else { String::new() }
    }
}

/// The href of an internal link, seen from a document of article `from`.
pub fn internal_href(from: Option<&str>, article: &str, anchor: Option<&str>) -> String {
    match anchor {
        Some(a) if from == Some(article) => format!("#{}", heading_id(article, a)),
        Some(a) => format!("{}#{}", article_file(article), heading_id(article, a)),
        None => article_file(article),
    }
}

/// The document an anchor of the page map is in.
pub fn anchor_file(anchor: &Anchor) -> String {
    match anchor {
        Anchor::Contents => CONTENTS_FILE.to_string(),
        Anchor::Part(n) => part_file(*n),
        Anchor::Article(id) | Anchor::Block(id, _) => article_file(id),
    }
}

/// The page-break markers of the PDF pages that begin at `anchor`: an empty
/// `doc-pagebreak` named by the folio (DPUB-ARIA), with `epub:type` in the
/// EPUB; in the web edition the folio is also shown in the margin.
pub fn page_breaks(out: &mut String, ctx: &Context, anchor: &Anchor, epub: bool) {
    let Some(pages) = ctx.pages else { return };
    for (_, page) in pages.before(anchor) {
        let label = escape(&page.label);
        if epub {
            let _ = writeln!(
                out,
                "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{label}\"/>",
                page.id()
            );
        } else {
            let _ = writeln!(
                out,
                "<span class=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{} {label}\">{} {label}</span>",
                page.id(),
                escape(ctx.labels.page),
                escape(ctx.labels.page_abbr)
            );
        }
    }
}

// --------------------------------------------------------------- escaping ---

/// Is `c` allowed in an XML 1.0 document?
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `text` escaped for element content and double-quoted attribute
/// values; characters XML forbids are dropped.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(text, &mut out);
    out
}

/// A URL as an attribute value: ASCII characters that may not appear in a
/// URL (spaces, controls, `"<>\\^`{|}`, a `%` that starts no escape) are
/// percent-encoded; other characters are kept (HTML URLs may hold any
/// Unicode letter, and heading ids do); then the result is escaped.
pub fn url_attr(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut encoded = String::with_capacity(url.len());
    // `[` and `]` are allowed only in the host (IPv6), and `#` once: in a
    // path, query or fragment they are encoded (EPUBCheck's RSC-020).
    let authority = url.find("//").map(|start| {
        let from = start + 2;
        from..url[from..].find(['/', '?', '#']).map_or(url.len(), |end| from + end)
    });
    let mut fragment = false;
    for (i, c) in url.char_indices() {
        let keep = if c == '%' {
            bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
        } else if c == '[' || c == ']' {
            authority.as_ref().is_some_and(|a| a.contains(&i))
        } else if c == '#' {
            !std::mem::replace(&mut fragment, true)
        } else {
            !c.is_ascii() && !c.is_control() && !c.is_whitespace()
                || c.is_ascii_alphanumeric()
                || "-._~:/?@!$&'()*+,;=".contains(c)
        };
        if keep {
            encoded.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(encoded, "%{b:02X}");
            }
        }
    }
    escape(&encoded)
}

/// A class name from free text (a code block's language).
fn class_safe(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+') { c } else { '-' }).collect()
}

// ----------------------------------------------------------------- labels ---

/// The words the EPUB adds around the report's text: the shared table.
pub use crate::words::Labels;

// --------------------------------------------------------------- documents ---

/// A complete XHTML 5 content document. `body` is already markup.
pub fn document(lang: &str, title: &str, stylesheet: &str, body_type: Option<&str>, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    // Arabic, Hebrew...: the whole document runs right to left.
    let dir = if crate::words::is_rtl(lang) { " dir=\"rtl\"" } else { "" };
    let lang = escape(lang);
    let _ = writeln!(
        out,
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\"{dir}>"
    );
    out.push_str("<head>\n<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<link rel=\"stylesheet\" type=\"text/css\" href=\"{}\"/>", url_attr(stylesheet));
    out.push_str("</head>\n");
    match body_type {
        Some(t) => {
            let _ = writeln!(out, "<body epub:type=\"{t}\">");
        }
        None => out.push_str("<body>\n"),
    }
    out.push_str(body);
    if !body.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The language of an article's document: its front matter's, when that is
/// a valid tag, else the book's.
pub fn article_lang<'a>(article: &'a Article, book_lang: &'a str) -> &'a str {
    match article.meta.language.as_deref() {
        Some(l) if is_language_tag(l) => l,
        _ => book_lang,
    }
}

/// The `epub:type` of an article's `<body>` (its place in the book) and of
/// its `<section>` with the matching ARIA role.
fn article_types(article: &Article) -> (&'static str, &'static str, Option<&'static str>) {
    let matter = match article.placement {
        Placement::Front => "frontmatter",
        Placement::Part(_) => "bodymatter",
        Placement::Back => "backmatter",
    };
    let (section, role) = match article.meta.kind {
        Kind::Foreword => ("foreword", Some("doc-foreword")),
        Kind::Glossary => ("glossary", Some("doc-glossary")),
        Kind::Contributors => ("contributors", None),
        _ => ("chapter", Some("doc-chapter")),
    };
    (matter, section, role)
}

/// An article's document.
pub fn article_document(article: &Article, ctx: &Context) -> String {
    let (matter, _, _) = article_types(article);
    document(
        article_lang(article, ctx.lang),
        &article.title_text(),
        ctx.stylesheet,
        Some(matter),
        &article_body(article, ctx),
    )
}

/// An article's `<section>`: header, abstract, body, footnotes.
pub fn article_body(article: &Article, ctx: &Context) -> String {
    article_body_for(article, ctx, EPUB)
}

/// An article's `<section>` for an edition (the EPUB or the web edition).
pub fn article_body_for(article: &Article, ctx: &Context, flavor: Flavor) -> String {
    let mut w = Writer::new(article, ctx, flavor);
    let (_, section, role) = article_types(article);
    let _ = write!(
        w.out,
        "<section class=\"article kind-{}\"{}",
        class_safe(article.meta.kind.as_str()),
        flavor.epub_type(section)
    );
    if let Some(role) = role {
        let _ = write!(w.out, " role=\"{role}\"");
    }
    let _ = writeln!(w.out, " aria-labelledby=\"{}\">", escape(&article.id));
    page_breaks(&mut w.out, ctx, &Anchor::Article(article.id.clone()), flavor.epub_types);
    w.out.push_str("<header>\n");
    let _ = write!(w.out, "<h1 class=\"article-title\" id=\"{}\">", escape(&article.id));
    w.inlines(&article.title);
    w.out.push_str("</h1>\n");
    if let Some(sub) = article.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(w.out, "<p class=\"subtitle\">{}</p>", escape(sub));
    }
    let authors: Vec<_> = article.meta.authors.iter().filter(|a| !a.name.trim().is_empty()).collect();
    if !authors.is_empty() {
        w.out.push_str("<ul class=\"authors\">\n");
        for a in authors {
            let _ = write!(w.out, "<li><span class=\"author\">{}</span>", escape(&a.name));
            if let Some(aff) = a.affiliation.as_deref().filter(|s| !s.trim().is_empty()) {
                let _ = write!(w.out, "<span class=\"affiliation\">, {}</span>", escape(aff));
            }
            w.out.push_str("</li>\n");
        }
        w.out.push_str("</ul>\n");
    }
    if let Some(date) = article.meta.date.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(w.out, "<p class=\"date\">{}</p>", escape(date));
    }
    w.out.push_str("</header>\n");
    w.out.push_str(&session_fact_box(article, ctx.labels));
    if !article.abstract_.is_empty() {
        let _ = writeln!(
            w.out,
            "<section class=\"abstract\" role=\"doc-abstract\">\n<h2>{}</h2>",
            escape(ctx.labels.abstract_)
        );
        w.last_heading = 2;
        w.blocks(&article.abstract_);
        w.out.push_str("</section>\n");
    }
    w.last_heading = 1;
    for (n, block) in article.blocks.iter().enumerate() {
        page_breaks(&mut w.out, ctx, &Anchor::Block(article.id.clone(), n), flavor.epub_types);
        w.block(block);
    }
    page_breaks(&mut w.out, ctx, &Anchor::Block(article.id.clone(), article.blocks.len()), flavor.epub_types);
    w.footnotes();
    w.out.push_str("</section>\n");
    w.out
}

/// The fact box of a session report (`[session]` in its front matter): the
/// IGF workshop report template's fields as a two-column table.
fn session_fact_box(article: &Article, labels: &Labels) -> String {
    let rows = crate::output::facts::session_facts(article, labels);
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!("<table class=\"fact-box\">\n<caption>{}</caption>\n<tbody>\n", escape(labels.session_facts));
    for row in rows {
        let facts: Vec<String> = row
            .facts
            .iter()
            .map(|f| match &f.affiliation {
                Some(aff) => format!("{}, <em>{}</em>", escape(&f.text), escape(aff)),
                None => escape(&f.text),
            })
            .collect();
        let cell = if row.numbered {
            format!("<ol>{}</ol>", facts.iter().map(|f| format!("<li>{f}</li>")).collect::<String>())
        } else {
            facts.join("<br/>")
        };
        let _ = writeln!(out, "<tr><th scope=\"row\">{}</th><td>{cell}</td></tr>", escape(row.label));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A part's title page.
pub fn part_document(part: &Part, ctx: &Context) -> String {
    let title = ctx.labels.part_title(part);
    let mut body = String::new();
    body.push_str("<section class=\"part\" epub:type=\"part\" role=\"doc-part\">\n");
    page_breaks(&mut body, ctx, &Anchor::Part(part.number), true);
    body.push_str("<h1 class=\"part-title\">");
    let _ = write!(body, "<span class=\"part-number\">{}</span>", escape(&ctx.labels.part_number(part.number)));
    if let Some(t) = part.title.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(body, "<span class=\"part-sep\">. </span><span class=\"part-name\">{}</span>", escape(t.trim()));
    }
    body.push_str("</h1>\n");
    if !part.articles.is_empty() {
        body.push_str("<ol class=\"part-contents\">\n");
        for a in &part.articles {
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a></li>",
                url_attr(&article_file(&a.id)),
                escape(&a.title_text())
            );
        }
        body.push_str("</ol>\n");
    }
    body.push_str("</section>\n");
    document(ctx.lang, &title, ctx.stylesheet, Some("bodymatter"), &body)
}

/// The cover page: the cover image, full page.
pub fn cover_document(manifest: &Manifest, image_href: &str, ctx: &Context) -> String {
    let title = &manifest.book.title;
    let body = format!(
        "<section class=\"cover\">\n<img class=\"cover-image\" role=\"doc-cover\" src=\"{}\" alt=\"{}\"/>\n</section>\n",
        url_attr(image_href),
        escape(&format!("{}: {}", ctx.labels.cover, title))
    );
    // The image's role and the landmarks say it is the cover.
    document(ctx.lang, ctx.labels.cover, ctx.stylesheet, None, &body)
}

/// The title page: title, subtitle, edition, authors, editors, publisher,
/// date, licence.
pub fn title_document(manifest: &Manifest, ctx: &Context) -> String {
    let book = &manifest.book;
    let mut b = String::new();
    b.push_str("<section class=\"titlepage\" epub:type=\"titlepage\">\n");
    let _ = writeln!(b, "<h1 class=\"book-title\">{}</h1>", escape(&book.title));
    if let Some(s) = book.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(b, "<p class=\"book-subtitle\">{}</p>", escape(s));
    }
    if let Some(e) = book.edition.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(b, "<p class=\"edition\">{}</p>", escape(e));
    }
    if !book.authors.is_empty() {
        b.push_str("<ul class=\"book-authors\">\n");
        for a in &book.authors {
            let _ = writeln!(b, "<li>{}</li>", escape(a));
        }
        b.push_str("</ul>\n");
    }
    if !book.editors.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"editors\"><span class=\"label\">{}</span></p>\n<ul class=\"book-editors\">",
            escape(ctx.labels.edited_by)
        );
        for e in &book.editors {
            let _ = writeln!(b, "<li>{}</li>", escape(e));
        }
        b.push_str("</ul>\n");
    }
    if let Some(p) = book.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(b, "<p class=\"publisher\">{}</p>", escape(p));
    }
    if let Some(d) = book.date.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(b, "<p class=\"date\">{}</p>", escape(d));
    }
    if let Some(l) = book.license.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(b, "<p class=\"license\">{}</p>", escape(l));
    }
    b.push_str("</section>\n");
    document(ctx.lang, &book.title, ctx.stylesheet, Some("frontmatter"), &b)
}

/// The contents page: parts and articles in reading order.
pub fn contents_document(report: &Report, ctx: &Context) -> String {
    let mut b = String::new();
    page_breaks(&mut b, ctx, &Anchor::Contents, true);
    let _ = writeln!(
        b,
        "<nav class=\"contents\" role=\"doc-toc\" aria-labelledby=\"contents_page.title\">\n<h1 id=\"contents_page.title\">{}</h1>",
        escape(ctx.labels.contents)
    );
    let entries = toc(report, ctx.labels);
    write_entries(&mut b, &entries, true);
    b.push_str("</nav>\n");
    document(ctx.lang, ctx.labels.contents, ctx.stylesheet, Some("frontmatter"), &b)
}

// --------------------------------------------------------------- navigation ---

/// An entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    pub href: String,
    pub title: String,
    /// Extra text shown on the contents page (an article's authors).
    pub note: Option<String>,
    /// A heading inside an article (not listed on the contents page).
    pub heading: bool,
    pub children: Vec<NavEntry>,
}

/// A heading of an article, at the level it is given in the XHTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineEntry {
    /// 1 for the article's top sections (XHTML `h2`), 2 below, ...
    pub depth: u8,
    pub id: String,
    pub text: String,
    /// In the navigation (not `{.unlisted}`).
    pub listed: bool,
}

/// Heading levels as written: never deeper than one below the previous
/// heading, so the headings of every document nest in order.
fn html_level(level: u8, last: u8) -> u8 {
    (level.saturating_add(1)).min(last + 1).clamp(2, 6)
}

/// The headings of an article's body, in order (as [`article_body`] writes them).
pub fn outline(article: &Article) -> Vec<OutlineEntry> {
    fn walk(blocks: &[Block], article: &Article, last: &mut u8, out: &mut Vec<OutlineEntry>) {
        for block in blocks {
            match &block.kind {
                BlockKind::Heading { level, id, content, listed, .. } => {
                    let h = html_level(*level, *last);
                    *last = h;
                    out.push(OutlineEntry {
                        depth: h - 1,
                        id: heading_id(&article.id, id),
                        text: plain_text(content).trim().to_string(),
                        listed: *listed,
                    });
                }
                BlockKind::Quote(blocks) | BlockKind::Callout { blocks, .. } => walk(blocks, article, last, out),
                BlockKind::List { items, .. } => {
                    for item in items {
                        walk(&item.blocks, article, last, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&article.blocks, article, &mut 1, &mut out);
    out
}

/// The entry of an article, with its headings to `depth`.
fn article_entry(article: &Article, depth: u8) -> NavEntry {
    let file = article_file(&article.id);
    let mut children: Vec<NavEntry> = Vec::new();
    for h in outline(article).into_iter().filter(|h| h.listed && h.depth <= depth && !h.text.is_empty()) {
        let entry = NavEntry {
            href: format!("{file}#{}", h.id),
            title: h.text,
            note: None,
            heading: true,
            children: Vec::new(),
        };
        if h.depth == 2
            && let Some(parent) = children.last_mut()
        {
            parent.children.push(entry);
        } else {
            children.push(entry);
        }
    }
    let authors: Vec<&str> = article.meta.authors.iter().map(|a| a.name.trim()).filter(|n| !n.is_empty()).collect();
    let title = article.title_text();
    let title = if title.trim().is_empty() { article.src_rel.clone() } else { title.trim().to_string() };
    NavEntry { href: file, title, note: (!authors.is_empty()).then(|| authors.join(", ")), heading: false, children }
}

/// The table of contents: front articles, parts with their articles, back
/// articles; each article with its headings to depth 2.
pub fn toc(report: &Report, labels: &Labels) -> Vec<NavEntry> {
    let mut out: Vec<NavEntry> = report.front.iter().map(|a| article_entry(a, 2)).collect();
    for part in &report.parts {
        out.push(NavEntry {
            href: part_file(part.number),
            title: labels.part_title(part),
            note: None,
            heading: false,
            children: part.articles.iter().map(|a| article_entry(a, 2)).collect(),
        });
    }
    out.extend(report.back.iter().map(|a| article_entry(a, 2)));
    out
}

/// `<ol>` of entries; `contents` (the contents page) leaves out headings
/// and shows the articles' authors.
fn write_entries(out: &mut String, entries: &[NavEntry], contents: bool) {
    let entries: Vec<&NavEntry> = entries.iter().filter(|e| !(contents && e.heading)).collect();
    if entries.is_empty() {
        return;
    }
    out.push_str("<ol>\n");
    for e in entries {
        let _ = write!(out, "<li><a href=\"{}\">{}</a>", url_attr(&e.href), escape(&e.title));
        if contents && let Some(note) = &e.note {
            let _ = write!(out, "<span class=\"toc-authors\"> — {}</span>", escape(note));
        }
        if e.children.iter().any(|c| !(contents && c.heading)) {
            out.push('\n');
            write_entries(out, &e.children, contents);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

/// A landmark of the navigation document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landmark {
    /// `cover`, `toc`, `bodymatter`, ...
    pub epub_type: &'static str,
    pub href: String,
    pub title: String,
}

/// The EPUB 3 navigation document: the table of contents (parts, articles,
/// headings to depth 2) and the landmarks.
pub fn nav_document(entries: &[NavEntry], landmarks: &[Landmark], ctx: &Context) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<nav epub:type=\"toc\" id=\"nav_toc\" role=\"doc-toc\">\n<h1>{}</h1>",
        escape(ctx.labels.contents)
    );
    write_entries(&mut b, entries, false);
    b.push_str("</nav>\n");
    if !landmarks.is_empty() {
        let _ = writeln!(
            b,
            "<nav epub:type=\"landmarks\" id=\"nav_landmarks\" hidden=\"hidden\">\n<h2>{}</h2>\n<ol>",
            escape(ctx.labels.landmarks)
        );
        for l in landmarks {
            let _ = writeln!(
                b,
                "<li><a epub:type=\"{}\" href=\"{}\">{}</a></li>",
                l.epub_type,
                url_attr(&l.href),
                escape(&l.title)
            );
        }
        b.push_str("</ol>\n</nav>\n");
    }
    // The PDF's pages, so that "p. 12" in the print edition can be followed.
    if let Some(pages) = ctx.pages.filter(|p| !p.is_empty()) {
        let _ = writeln!(
            b,
            "<nav epub:type=\"page-list\" id=\"nav_pages\" hidden=\"hidden\">\n<h2>{}</h2>\n<ol>",
            escape(ctx.labels.pages)
        );
        for (anchor, page) in pages.pages() {
            let _ = writeln!(
                b,
                "<li><a href=\"{}#{}\">{}</a></li>",
                url_attr(&anchor_file(anchor)),
                page.id(),
                escape(&page.label)
            );
        }
        b.push_str("</ol>\n</nav>\n");
    }
    document(ctx.lang, ctx.labels.contents, ctx.stylesheet, None, &b)
}

// ------------------------------------------------------------ article body ---

struct Writer<'a> {
    out: String,
    article: &'a Article,
    ctx: &'a Context<'a>,
    flavor: Flavor<'a>,
    /// For each footnote (number - 1), the ids of its references, in order.
    refs: Vec<Vec<String>>,
    /// Inside a link: no nested links, and footnote references wait until
    /// the link is closed.
    link_depth: usize,
    deferred: Vec<usize>,
    /// Level of the last heading written (1: the article title).
    last_heading: u8,
    /// Math as its LaTeX, not MathML (in a header cell of math alone).
    tex_math: bool,
}

impl<'a> Writer<'a> {
    fn new(article: &'a Article, ctx: &'a Context<'a>, flavor: Flavor<'a>) -> Self {
        Writer {
            out: String::with_capacity(1 << 14),
            article,
            ctx,
            flavor,
            refs: vec![Vec::new(); article.footnotes.len()],
            link_depth: 0,
            deferred: Vec::new(),
            last_heading: 1,
            tex_math: false,
        }
    }

    fn text(&mut self, t: &str) {
        escape_into(t, &mut self.out);
    }

    /// ` aria-label="…"` for a heading of math alone, as MathML: checkers
    /// (Ace, axe) find no text in MathML, so its LaTeX names it.
    fn math_only_label(&mut self, content: &[Inline]) {
        let label = plain_text(content);
        if self.ctx.math.is_some() && words(content).trim().is_empty() && !label.trim().is_empty() {
            let _ = write!(self.out, " aria-label=\"{}\"", escape(label.trim()));
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b);
        }
    }

    fn block(&mut self, block: &Block) {
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                // A paragraph running the other way than its document (Arabic
                // in an English article) gets its own direction.
                let doc_rtl = crate::words::is_rtl(article_lang(self.article, self.ctx.lang));
                match crate::model::first_letter(inlines).map(crate::words::is_rtl_letter) {
                    Some(rtl) if rtl != doc_rtl => {
                        let _ = write!(self.out, "<p dir=\"{}\">", if rtl { "rtl" } else { "ltr" });
                    }
                    _ => self.out.push_str("<p>"),
                }
                self.inlines(inlines);
                self.out.push_str("</p>\n");
            }
            BlockKind::Heading { level, id, content, .. } => {
                let h = html_level(*level, self.last_heading);
                self.last_heading = h;
                let _ = write!(self.out, "<h{h} id=\"{}\"", escape(&heading_id(&self.article.id, id)));
                self.math_only_label(content);
                self.out.push('>');
                self.inlines(content);
                let _ = writeln!(self.out, "</h{h}>");
            }
            BlockKind::Quote(blocks) => {
                self.out.push_str("<blockquote>\n");
                self.blocks(blocks);
                self.out.push_str("</blockquote>\n");
            }
            BlockKind::Callout { kind, title, blocks } => {
                let label = title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(self.ctx.labels.callout(*kind));
                let _ = writeln!(
                    self.out,
                    "<div class=\"callout callout-{}\" role=\"note\">\n<p class=\"callout-title\">{}</p>",
                    kind.as_str(),
                    escape(label)
                );
                self.blocks(blocks);
                self.out.push_str("</div>\n");
            }
            BlockKind::DefinitionList { tight, items } => {
                self.out.push_str("<dl>\n");
                for item in items {
                    self.out.push_str("<dt>");
                    self.inlines(&item.term);
                    self.out.push_str("</dt>\n<dd>");
                    match item.blocks.as_slice() {
                        [Block { kind: BlockKind::Paragraph(inlines), .. }] if *tight => self.inlines(inlines),
                        blocks => {
                            self.out.push('\n');
                            for b in blocks {
                                self.block(b);
                            }
                        }
                    }
                    self.out.push_str("</dd>\n");
                }
                self.out.push_str("</dl>\n");
            }
            BlockKind::List { start, tight, items } => {
                let tag = if start.is_some() { "ol" } else { "ul" };
                let _ = write!(self.out, "<{tag}");
                if let Some(n) = start.filter(|n| *n != 1) {
                    let _ = write!(self.out, " start=\"{n}\"");
                }
                if items.iter().any(|i| i.task.is_some()) {
                    self.out.push_str(" class=\"task-list\"");
                }
                self.out.push_str(">\n");
                for item in items {
                    self.out.push_str(if item.task.is_some() { "<li class=\"task\">" } else { "<li>" });
                    let mut box_pending = item.task;
                    for (i, b) in item.blocks.iter().enumerate() {
                        match &b.kind {
                            BlockKind::Paragraph(inlines) if *tight => {
                                if let Some(done) = box_pending.take() {
                                    self.task_box(done);
                                }
                                self.inlines(inlines);
                                if i + 1 < item.blocks.len() {
                                    self.out.push('\n');
                                }
                            }
                            BlockKind::Paragraph(inlines) => {
                                self.out.push_str("<p>");
                                if let Some(done) = box_pending.take() {
                                    self.task_box(done);
                                }
                                self.inlines(inlines);
                                self.out.push_str("</p>\n");
                            }
                            _ => {
                                if let Some(done) = box_pending.take() {
                                    self.task_box(done);
                                    self.out.push('\n');
                                }
                                self.block(b);
                            }
                        }
                    }
                    if let Some(done) = box_pending.take() {
                        self.task_box(done);
                    }
                    self.out.push_str("</li>\n");
                }
                let _ = writeln!(self.out, "</{tag}>");
            }
            BlockKind::Code { lang, code } => {
                self.out.push_str("<pre class=\"code\"><code");
                if let Some(lang) = lang.as_deref().filter(|l| !l.is_empty()) {
                    let _ = write!(self.out, " class=\"language-{}\"", class_safe(lang));
                }
                self.out.push('>');
                self.text(code);
                self.out.push_str("</code></pre>\n");
            }
            BlockKind::Math { tex, typst } => match typst.as_deref().and_then(|t| self.ctx.math?.get(t, true)) {
                Some(math) => {
                    self.out.push_str("<p class=\"math\">");
                    self.out.push_str(math);
                    self.out.push_str("</p>\n");
                }
                None => {
                    self.out.push_str("<pre class=\"math\"><code class=\"tex\">");
                    self.text(tex);
                    self.out.push_str("</code></pre>\n");
                }
            },
            BlockKind::Table { align, header, rows, caption, label, number } => {
                // A wide table scrolls in its wrapper, which keyboard users
                // must be able to focus to scroll (axe: scrollable-region-focusable).
                self.out.push_str("<div class=\"table-wrap\" tabindex=\"0\">\n<table");
                self.id_attr(label.as_deref());
                self.out.push_str(">\n");
                if !caption.is_empty() || number.is_some() {
                    self.out.push_str("<caption>");
                    self.caption_number(self.ctx.labels.table, *number, caption.is_empty());
                    self.inlines(caption);
                    self.out.push_str("</caption>\n");
                }
                if !header.is_empty() {
                    self.out.push_str("<thead>\n<tr>");
                    for (i, cell) in header.iter().enumerate() {
                        // An empty header cell heads nothing: a plain cell
                        // (screen readers announce empty headers).
                        let tag = if crate::model::plain_text(cell).trim().is_empty() { "td" } else { "th" };
                        let scope = if tag == "th" { " scope=\"col\"" } else { "" };
                        let _ = write!(self.out, "<{tag}{scope}{}>", align_class(align.get(i)));
                        // A header cell of math alone keeps its LaTeX: checkers
                        // find no text in MathML, and a header needs some.
                        self.tex_math = tag == "th" && words(cell).trim().is_empty();
                        self.inlines(cell);
                        self.tex_math = false;
                        let _ = write!(self.out, "</{tag}>");
                    }
                    self.out.push_str("</tr>\n</thead>\n");
                }
                if !rows.is_empty() {
                    self.out.push_str("<tbody>\n");
                    for row in rows {
                        self.out.push_str("<tr>");
                        for (i, cell) in row.iter().enumerate() {
                            let _ = write!(self.out, "<td{}>", align_class(align.get(i)));
                            self.inlines(cell);
                            self.out.push_str("</td>");
                        }
                        self.out.push_str("</tr>\n");
                    }
                    self.out.push_str("</tbody>\n");
                }
                self.out.push_str("</table>\n</div>\n");
            }
            BlockKind::Figure { image, caption, label, number } => {
                let href = self.image_href(image);
                match href {
                    Some(href) => {
                        self.out.push_str("<figure class=\"figure\"");
                        self.id_attr(label.as_deref());
                        self.out.push_str(">\n");
                        // The title is the caption: not repeated as a tooltip.
                        self.img(image, &href, false);
                        self.out.push('\n');
                    }
                    None => {
                        self.out.push_str("<figure class=\"figure image-unavailable\"");
                        self.id_attr(label.as_deref());
                        self.out.push_str(">\n<p class=\"image-alt\">");
                        self.unavailable_text(image);
                        self.out.push_str("</p>\n");
                    }
                }
                if !caption.is_empty() || number.is_some() {
                    self.out.push_str("<figcaption>");
                    self.caption_number(self.ctx.labels.figure, *number, caption.is_empty());
                    self.inlines(caption);
                    self.out.push_str("</figcaption>\n");
                }
                self.out.push_str("</figure>\n");
            }
            BlockKind::Rule => self.out.push_str("<hr/>\n"),
            BlockKind::Anchor(ids) => {
                for id in ids {
                    let _ = writeln!(self.out, "<span id=\"{}\"></span>", escape(&heading_id(&self.article.id, id)));
                }
            }
        }
    }

    /// ` id="…"` for a labelled figure or table (the id a heading with that
    /// anchor would have, so internal links reach it the same way).
    fn id_attr(&mut self, label: Option<&str>) {
        if let Some(label) = label {
            let _ = write!(self.out, " id=\"{}\"", escape(&heading_id(&self.article.id, label)));
        }
    }

    /// "Figure 3." before a caption, as the PDF shows it.
    fn caption_number(&mut self, word: &str, number: Option<usize>, alone: bool) {
        if let Some(n) = number {
            let _ = write!(self.out, "<span class=\"caption-number\">{}\u{a0}{n}.</span>", escape(word));
            if !alone {
                self.out.push(' ');
            }
        }
    }

    fn task_box(&mut self, done: bool) {
        let (class, label, glyph) = if done {
            ("task-box done", self.ctx.labels.done, '\u{2611}')
        } else {
            ("task-box", self.ctx.labels.not_done, '\u{2610}')
        };
        let _ =
            write!(self.out, "<span class=\"{class}\" role=\"img\" aria-label=\"{}\">{glyph}</span> ", escape(label));
    }

    fn image_href(&self, image: &Image) -> Option<String> {
        match &image.src {
            ImageSrc::Local(path) => self.ctx.images.get(path).cloned(),
            _ => None,
        }
    }

    /// An `<img>`: hidden from assistive technology when decorative, with
    /// its title as a tooltip when `title` (a figure's is its caption).
    fn img(&mut self, image: &Image, href: &str, title: bool) {
        let _ = write!(self.out, "<img src=\"{}\" alt=\"{}\"", url_attr(href), escape(image.alt.trim()));
        if image.decorative {
            self.out.push_str(" role=\"presentation\"");
        }
        if let Some(t) = image.title.as_deref().filter(|t| title && !t.trim().is_empty()) {
            let _ = write!(self.out, " title=\"{}\"", escape(t));
        }
        self.out.push_str("/>");
    }

    /// The text shown in place of an image that is not packaged.
    fn unavailable_text(&mut self, image: &Image) {
        let alt = image.alt.trim();
        if alt.is_empty() {
            let _ = write!(self.out, "[{}]", escape(self.ctx.labels.image));
        } else {
            self.text(alt);
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            self.inline(i);
        }
    }

    fn wrap(&mut self, tag: &str, content: &[Inline]) {
        let _ = write!(self.out, "<{tag}>");
        self.inlines(content);
        let _ = write!(self.out, "</{tag}>");
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text(t) => self.text(t),
            Inline::Code(c) => {
                self.out.push_str("<code>");
                self.text(c);
                self.out.push_str("</code>");
            }
            Inline::Kbd(k) => {
                self.out.push_str("<kbd>");
                self.text(k);
                self.out.push_str("</kbd>");
            }
            Inline::Lang { lang, content } => {
                let lang = escape(lang);
                self.out.push_str("<span lang=\"");
                self.out.push_str(&lang);
                if self.flavor.epub_types {
                    let _ = write!(self.out, "\" xml:lang=\"{lang}");
                }
                // A passage running the other way than its article.
                let rtl = crate::words::is_rtl(&lang);
                if rtl != crate::words::is_rtl(article_lang(self.article, self.ctx.lang)) {
                    self.out.push_str(if rtl { "\" dir=\"rtl" } else { "\" dir=\"ltr" });
                }
                self.out.push_str("\">");
                self.inlines(content);
                self.out.push_str("</span>");
            }
            Inline::Emph(c) => self.wrap("em", c),
            Inline::Strong(c) => self.wrap("strong", c),
            Inline::Strike(c) => self.wrap("s", c),
            Inline::Sup(c) => self.wrap("sup", c),
            Inline::Sub(c) => self.wrap("sub", c),
            Inline::Abbr { title, content } => {
                let _ = write!(self.out, "<abbr title=\"{}\">", escape(title));
                self.inlines(content);
                self.out.push_str("</abbr>");
            }
            Inline::Link { dest, content, .. } => {
                let href = match dest {
                    _ if self.link_depth > 0 => None,
                    LinkDest::External(url) => Some(url_attr(url)),
                    LinkDest::Internal { article, anchor } => {
                        Some(url_attr(&self.flavor.href(Some(&self.article.id), article, anchor.as_deref())))
                    }
                    LinkDest::Unresolved(_) | LinkDest::Ref(_) | LinkDest::Dropped => None,
                };
                match href {
                    Some(href) => {
                        let class = if matches!(dest, LinkDest::External(_)) { "external" } else { "internal" };
                        let _ = write!(self.out, "<a class=\"{class}\" href=\"{href}\">");
                        self.link_depth += 1;
                        self.inlines(content);
                        self.link_depth -= 1;
                        self.out.push_str("</a>");
                        if self.link_depth == 0 {
                            for n in std::mem::take(&mut self.deferred) {
                                self.noteref(n);
                            }
                        }
                    }
                    None => self.inlines(content),
                }
            }
            Inline::Image(image) => match self.image_href(image) {
                Some(href) => self.img(image, &href, true),
                None => {
                    self.out.push_str("<span class=\"image-unavailable\">");
                    self.unavailable_text(image);
                    self.out.push_str("</span>");
                }
            },
            Inline::FootnoteRef { number, .. } => {
                if self.link_depth > 0 {
                    self.deferred.push(*number);
                } else {
                    self.noteref(*number);
                }
            }
            Inline::Math { tex, display, typst } => {
                let mathml = typst.as_deref().filter(|_| !self.tex_math).and_then(|t| self.ctx.math?.get(t, *display));
                match mathml {
                    Some(math) => self.out.push_str(math),
                    None => {
                        self.out.push_str(if *display {
                            "<code class=\"tex display\">"
                        } else {
                            "<code class=\"tex\">"
                        });
                        self.text(tex);
                        self.out.push_str("</code>");
                    }
                }
            }
            Inline::SoftBreak => self.out.push('\n'),
            Inline::LineBreak => self.out.push_str("<br/>\n"),
            Inline::Anchor(id) => {
                let _ = write!(self.out, "<span id=\"{}\"></span>", escape(&heading_id(&self.article.id, id)));
            }
        }
    }

    /// A reference to footnote `number`: an EPUB 3 noteref.
    fn noteref(&mut self, number: usize) {
        let Some(refs) = number.checked_sub(1).and_then(|i| self.refs.get_mut(i)) else {
            let _ = write!(self.out, "<sup class=\"noteref\">{number}</sup>");
            return;
        };
        let id = noteref_id(&self.article.id, number, refs.len() + 1);
        refs.push(id.clone());
        let _ = write!(
            self.out,
            "<a class=\"noteref\"{} role=\"doc-noteref\" id=\"{}\" href=\"#{}\"><sup>{number}</sup></a>",
            self.flavor.epub_type("noteref"),
            escape(&id),
            escape(&footnote_id(&self.article.id, number))
        );
    }

    /// The footnotes, in the order of their numbers, as EPUB 3 footnotes
    /// with links back to every reference.
    fn footnotes(&mut self) {
        if self.article.footnotes.is_empty() {
            return;
        }
        let _ = writeln!(
            self.out,
            "<section class=\"footnotes\"{}>\n<h2 class=\"footnotes-title\">{}</h2>",
            self.flavor.epub_type("footnotes"),
            escape(self.ctx.labels.notes)
        );
        let article = self.article;
        for note in &article.footnotes {
            let id = footnote_id(&article.id, note.number);
            let _ = writeln!(
                self.out,
                "<aside class=\"footnote\"{} role=\"doc-footnote\" id=\"{}\">",
                self.flavor.epub_type("footnote"),
                escape(&id)
            );
            let number = format!("<span class=\"footnote-number\">{}.</span> ", note.number);
            let blocks = &note.blocks;
            let first_is_para = matches!(blocks.first(), Some(Block { kind: BlockKind::Paragraph(_), .. }));
            let last_is_para = matches!(blocks.last(), Some(Block { kind: BlockKind::Paragraph(_), .. }));
            if !first_is_para {
                let _ = writeln!(self.out, "<p>{number}</p>");
            }
            for (i, b) in blocks.iter().enumerate() {
                match &b.kind {
                    BlockKind::Paragraph(inlines) if (i == 0) || (i + 1 == blocks.len()) => {
                        self.out.push_str("<p>");
                        if i == 0 {
                            self.out.push_str(&number);
                        }
                        self.inlines(inlines);
                        if i + 1 == blocks.len() {
                            self.backlinks(note.number);
                        }
                        self.out.push_str("</p>\n");
                    }
                    _ => self.block(b),
                }
            }
            if !last_is_para {
                self.out.push_str("<p>");
                self.backlinks(note.number);
                self.out.push_str("</p>\n");
            }
            self.out.push_str("</aside>\n");
        }
        self.out.push_str("</section>\n");
    }

    fn backlinks(&mut self, number: usize) {
        let refs = self.refs.get(number - 1).cloned().unwrap_or_default();
        for (k, r) in refs.iter().enumerate() {
            let label = if refs.len() > 1 {
                format!("{} ({number}, {})", self.ctx.labels.back_to_text, k + 1)
            } else {
                format!("{} ({number})", self.ctx.labels.back_to_text)
            };
            let _ = write!(
                self.out,
                " <a class=\"footnote-back\" role=\"doc-backlink\" href=\"#{}\" aria-label=\"{}\">\u{21A9}\u{FE0E}</a>",
                escape(r),
                escape(&label)
            );
        }
    }
}

fn align_class(align: Option<&Align>) -> &'static str {
    match align {
        Some(Align::Left) => " class=\"align-left\"",
        Some(Align::Center) => " class=\"align-center\"",
        Some(Align::Right) => " class=\"align-right\"",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Manifest;
    use crate::model::CalloutKind;
    use crate::model::{Author, FrontMatter};
    use crate::model::{Footnote, ListItem};
    use std::path::PathBuf;

    /// Parses XML, allowing the `<!DOCTYPE html>` of XHTML 5.
    fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
        roxmltree::Document::parse_with_options(
            text,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
    }

    fn b(kind: BlockKind) -> Block {
        Block { line: 1, kind }
    }
    fn t(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }
    fn para(inlines: Vec<Inline>) -> Block {
        b(BlockKind::Paragraph(inlines))
    }

    fn article(id: &str, blocks: Vec<Block>, footnotes: Vec<Footnote>) -> Article {
        Article {
            path: PathBuf::from(format!("report/{id}.md")),
            src_rel: format!("{id}.md"),
            id: id.to_string(),
            meta: FrontMatter {
                authors: vec![Author {
                    name: "Ada <Lovelace>".into(),
                    affiliation: Some("A & B".into()),
                    ..Default::default()
                }],
                ..Default::default()
            },
            title: vec![t("Title & \"more\"")],
            subtitle: None,
            abstract_: vec![para(vec![t("Abstract text.")])],
            blocks,
            footnotes,
            anchors: Default::default(),
            placement: Placement::Part(1),
            references: String::new(),
        }
    }

    fn ctx_with<'a>(labels: &'a Labels, images: &'a ImageMap) -> Context<'a> {
        Context { lang: "en", labels, images, stylesheet: "stylesheet.css", pages: None, math: None }
    }

    /// Parses `xml` and returns every `id`, failing on malformed XML or a
    /// duplicate id.
    fn check_xml(xml: &str) -> Vec<String> {
        let doc = parse_xml(xml).unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"));
        let mut ids = Vec::new();
        for node in doc.descendants().filter(|n| n.is_element()) {
            if let Some(id) = node.attribute("id") {
                assert!(!ids.contains(&id.to_string()), "duplicate id {id}\n{xml}");
                ids.push(id.to_string());
            }
        }
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "html");
        assert!(root.attribute("lang").is_some());
        assert!(root.attribute(("http://www.w3.org/XML/1998/namespace", "lang")).is_some());
        ids
    }

    /// An article using every construct of the model.
    fn everything() -> Article {
        let img = |src: ImageSrc, alt: &str| Image {
            src,
            alt: alt.into(),
            title: Some("T \"q\"".into()),
            line: 3,
            column: 1,
            format: None,
            decorative: false,
        };
        let blocks = vec![
            b(BlockKind::Heading {
                level: 1,
                id: "intro".into(),
                numbered: true,
                listed: true,
                content: vec![t("Intro <1>")],
            }),
            para(vec![
                t("a < b & c > d \u{0C}"),
                Inline::SoftBreak,
                Inline::Emph(vec![t("em")]),
                Inline::Strong(vec![t("strong")]),
                Inline::Strike(vec![t("s")]),
                Inline::Sup(vec![t("2")]),
                Inline::Sub(vec![t("i")]),
                Inline::Kbd("Ctrl".into()),
                Inline::Code("x < y".into()),
                Inline::Abbr { title: "HyperText \"ML\"".into(), content: vec![t("HTML")] },
                Inline::LineBreak,
                Inline::Link {
                    dest: LinkDest::External("https://e.org/a b?x=1&y=\"2\"".into()),
                    content: vec![t("ext"), Inline::FootnoteRef { number: 1, first: true }],
                    line: 2,
                    column: 1,
                },
                Inline::Link {
                    dest: LinkDest::Internal { article: "other".into(), anchor: Some("sec".into()) },
                    content: vec![t("int")],
                    line: 2,
                    column: 1,
                },
                Inline::Link {
                    dest: LinkDest::Internal { article: "art".into(), anchor: Some("intro".into()) },
                    content: vec![t("self")],
                    line: 2,
                    column: 1,
                },
                Inline::Link { dest: LinkDest::Dropped, content: vec![t("dropped")], line: 2, column: 1 },
                Inline::FootnoteRef { number: 1, first: false },
                Inline::FootnoteRef { number: 2, first: true },
                Inline::Math { tex: "a<b".into(), display: false, typst: None },
                Inline::Image(img(ImageSrc::Local("report/images/x.png".into()), "inline")),
                Inline::Image(img(ImageSrc::Unavailable("https://r/x.png".into()), "remote")),
            ]),
            b(BlockKind::Heading {
                level: 3,
                id: "deep".into(),
                numbered: true,
                listed: true,
                content: vec![t("Skipped level")],
            }),
            b(BlockKind::Quote(vec![para(vec![t("quoted")])])),
            b(BlockKind::Callout { kind: CalloutKind::Warning, title: None, blocks: vec![para(vec![t("careful")])] }),
            b(BlockKind::List {
                start: None,
                tight: true,
                items: vec![
                    ListItem { task: Some(true), blocks: vec![para(vec![t("done")])] },
                    ListItem { task: Some(false), blocks: vec![para(vec![t("todo")])] },
                ],
            }),
            b(BlockKind::List {
                start: Some(3),
                tight: false,
                items: vec![ListItem { task: None, blocks: vec![para(vec![t("three")]), para(vec![t("more")])] }],
            }),
            b(BlockKind::Code { lang: Some("rust\"><script>".into()), code: "fn main() { \"<&>\" }".into() }),
            b(BlockKind::Math { tex: "\\frac{a}{b} < c".into(), typst: None }),
            b(BlockKind::Table {
                align: vec![Align::Left, Align::Center, Align::Right, Align::None],
                header: vec![vec![t("L")], vec![t("C")], vec![t("R")], vec![t("N")]],
                rows: vec![vec![vec![t("1")], vec![t("2")], vec![t("3")], vec![]]],
                caption: vec![],
                label: None,
                number: None,
            }),
            b(BlockKind::Figure {
                image: img(ImageSrc::Local("report/images/x.png".into()), "A figure"),
                caption: vec![t("Caption")],
                label: Some("fig-x".into()),
                number: Some(2),
            }),
            b(BlockKind::Figure {
                image: img(ImageSrc::Unavailable("https://r/y.png".into()), ""),
                caption: vec![],
                label: None,
                number: None,
            }),
            b(BlockKind::Rule),
            para(vec![t("<script>alert(1)</script><img src=x onerror=alert(1)>")]),
        ];
        let footnotes = vec![
            Footnote { name: "a".into(), number: 1, line: 9, blocks: vec![para(vec![t("Note one.")])] },
            Footnote {
                name: "b".into(),
                number: 2,
                line: 10,
                blocks: vec![b(BlockKind::Code { lang: None, code: "x".into() })],
            },
        ];
        article("art", blocks, footnotes)
    }

    /// URLs as contributions write them, made valid for EPUBCheck.
    #[test]
    fn urls_are_encoded_where_they_must_be() {
        assert_eq!(
            url_attr("http://doc.crates.io/manifest.html#the-[features]-section"),
            "http://doc.crates.io/manifest.html#the-%5Bfeatures%5D-section"
        );
        assert_eq!(
            url_attr("https://webchat.freenode.net/?channels=##rust"),
            "https://webchat.freenode.net/?channels=#%23rust"
        );
        assert_eq!(url_attr("http://[::1]:8080/a b?q=[x]"), "http://[::1]:8080/a%20b?q=%5Bx%5D");
        assert_eq!(url_attr("https://e.org/é?x=1&y=2"), "https://e.org/é?x=1&amp;y=2");
    }

    #[test]
    fn every_construct_is_well_formed_xhtml() {
        let labels = Labels::for_language("en");
        let mut images = ImageMap::new();
        images.insert("report/images/x.png".into(), "images/x.png".into());
        let ctx = ctx_with(&labels, &images);
        let doc = article_document(&everything(), &ctx);
        let ids = check_xml(&doc);
        for id in ["art", "art.intro", "art.deep", "art.fn.1", "art.fn.2", "art.ref.1", "art.ref.1.2", "art.ref.2"] {
            assert!(ids.contains(&id.to_string()), "missing id {id} in {ids:?}");
        }
        // No live markup from the text.
        assert!(!doc.contains("<script"), "{doc}");
        assert!(!doc.contains("<img src=x"), "{doc}");
        assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!doc.contains('\u{0C}'));
    }

    #[test]
    fn snapshots_of_constructs() {
        let labels = Labels::for_language("en");
        let mut images = ImageMap::new();
        images.insert("report/images/x.png".into(), "images/x.png".into());
        let ctx = ctx_with(&labels, &images);
        let body = article_body(&everything(), &ctx);
        let expect = [
            "<section class=\"article kind-article\" epub:type=\"chapter\" role=\"doc-chapter\" aria-labelledby=\"art\">",
            "<h1 class=\"article-title\" id=\"art\">Title &amp; &quot;more&quot;</h1>",
            "<li><span class=\"author\">Ada &lt;Lovelace&gt;</span><span class=\"affiliation\">, A &amp; B</span></li>",
            "<section class=\"abstract\" role=\"doc-abstract\">\n<h2>Abstract</h2>\n<p>Abstract text.</p>\n</section>",
            "<h2 id=\"art.intro\">Intro &lt;1&gt;</h2>",
            // A level-3 heading right after a level-1 one is written one level down.
            "<h3 id=\"art.deep\">Skipped level</h3>",
            "<em>em</em><strong>strong</strong><s>s</s><sup>2</sup><sub>i</sub><kbd>Ctrl</kbd><code>x &lt; y</code>",
            "<abbr title=\"HyperText &quot;ML&quot;\">HTML</abbr><br/>",
            // The note referenced inside a link comes right after it.
            "<a class=\"external\" href=\"https://e.org/a%20b?x=1&amp;y=%222%22\">ext</a><a class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" id=\"art.ref.1\" href=\"#art.fn.1\"><sup>1</sup></a>",
            "<a class=\"internal\" href=\"other.xhtml#other.sec\">int</a>",
            "<a class=\"internal\" href=\"#art.intro\">self</a>",
            "dropped<a class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" id=\"art.ref.1.2\" href=\"#art.fn.1\"><sup>1</sup></a>",
            "<code class=\"tex\">a&lt;b</code>",
            "<img src=\"images/x.png\" alt=\"inline\" title=\"T &quot;q&quot;\"/><span class=\"image-unavailable\">remote</span>",
            "<blockquote>\n<p>quoted</p>\n</blockquote>",
            "<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">Warning</p>\n<p>careful</p>\n</div>",
            "<ul class=\"task-list\">\n<li class=\"task\"><span class=\"task-box done\" role=\"img\" aria-label=\"Done\">\u{2611}</span> done</li>\n<li class=\"task\"><span class=\"task-box\" role=\"img\" aria-label=\"Not done\">\u{2610}</span> todo</li>\n</ul>",
            "<ol start=\"3\">\n<li><p>three</p>\n<p>more</p>\n</li>\n</ol>",
            "<pre class=\"code\"><code class=\"language-rust---script-\">fn main() { &quot;&lt;&amp;&gt;&quot; }</code></pre>",
            "<pre class=\"math\"><code class=\"tex\">\\frac{a}{b} &lt; c</code></pre>",
            "<thead>\n<tr><th scope=\"col\" class=\"align-left\">L</th><th scope=\"col\" class=\"align-center\">C</th><th scope=\"col\" class=\"align-right\">R</th><th scope=\"col\">N</th></tr>\n</thead>",
            "<tr><td class=\"align-left\">1</td><td class=\"align-center\">2</td><td class=\"align-right\">3</td><td></td></tr>",
            "<figure class=\"figure\" id=\"art.fig-x\">\n<img src=\"images/x.png\" alt=\"A figure\"/>\n<figcaption><span class=\"caption-number\">Figure\u{a0}2.</span> Caption</figcaption>\n</figure>",
            "<figure class=\"figure image-unavailable\">\n<p class=\"image-alt\">[Image]</p>\n</figure>",
            "<hr/>",
            "<aside class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\" id=\"art.fn.1\">\n<p><span class=\"footnote-number\">1.</span> Note one. <a class=\"footnote-back\" role=\"doc-backlink\" href=\"#art.ref.1\" aria-label=\"Back to the text (1, 1)\">\u{21A9}\u{FE0E}</a> <a class=\"footnote-back\" role=\"doc-backlink\" href=\"#art.ref.1.2\" aria-label=\"Back to the text (1, 2)\">\u{21A9}\u{FE0E}</a></p>\n</aside>",
            "<aside class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\" id=\"art.fn.2\">\n<p><span class=\"footnote-number\">2.</span> </p>\n<pre class=\"code\"><code>x</code></pre>\n<p> <a class=\"footnote-back\" role=\"doc-backlink\" href=\"#art.ref.2\" aria-label=\"Back to the text (2)\">",
        ];
        for e in expect {
            assert!(body.contains(e), "expected\n{e}\nin\n{body}");
        }
    }

    #[test]
    fn footnotes_link_both_ways() {
        let labels = Labels::for_language("en");
        let images = ImageMap::new();
        let doc = article_document(&everything(), &ctx_with(&labels, &images));
        let xml = parse_xml(&doc).unwrap();
        let ids: Vec<&str> = xml.descendants().filter_map(|n| n.attribute("id")).collect();
        for a in xml.descendants().filter(|n| n.has_tag_name("a")) {
            let href = a.attribute("href").unwrap();
            if let Some(frag) = href.strip_prefix('#') {
                assert!(ids.contains(&frag), "dangling #{frag}");
            }
        }
        let noterefs = xml
            .descendants()
            .filter(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("noteref"))
            .count();
        let backlinks = xml.descendants().filter(|n| n.attribute("role") == Some("doc-backlink")).count();
        assert_eq!((noterefs, backlinks), (3, 3));
    }

    #[test]
    fn pages_are_well_formed() {
        let manifest = Manifest::parse(
            "front = [\"a.md\"]\n[book]\ntitle = \"R & D <2016>\"\nsubtitle = \"S\"\nedition = \"2016\"\neditors = [\"E\"]\nauthors = [\"A\"]\npublisher = \"P\"\nlicense = \"CC BY 4.0\"\ndate = \"2016-12-08\"\n[[part]]\ntitle = \"One & two\"\narticles = [\"b.md\"]\n",
            std::path::Path::new("book.toml"),
        )
        .unwrap();
        let mut front = everything();
        front.placement = Placement::Front;
        front.meta.kind = Kind::Foreword;
        let mut second = everything();
        second.id = "b".into();
        let report = Report {
            front: vec![front],
            parts: vec![Part { number: 1, title: Some("One & two".into()), articles: vec![second] }],
            back: vec![],
            offprint_references: Default::default(),
            end_references: None,
        };
        let labels = Labels::for_language("en");
        let images = ImageMap::new();
        let ctx = ctx_with(&labels, &images);
        let entries = toc(&report, &labels);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].title, "Part 1. One & two");
        assert_eq!(entries[1].children[0].href, "b.xhtml");
        assert_eq!(entries[0].children[0].href, "art.xhtml#art.intro");
        assert_eq!(entries[0].children[0].children[0].href, "art.xhtml#art.deep");
        let landmarks = vec![Landmark { epub_type: "toc", href: CONTENTS_FILE.into(), title: "Contents".into() }];
        for doc in [
            title_document(&manifest, &ctx),
            contents_document(&report, &ctx),
            part_document(&report.parts[0], &ctx),
            cover_document(&manifest, "images/cover.png", &ctx),
            nav_document(&entries, &landmarks, &ctx),
            article_document(&report.front[0], &ctx),
        ] {
            check_xml(&doc);
        }
        let nav = nav_document(&entries, &landmarks, &ctx);
        assert!(nav.contains("<li><a href=\"b.xhtml\">Title &amp; &quot;more&quot;</a>\n<ol>\n<li><a href=\"b.xhtml#b.intro\">Intro &lt;1&gt;</a>"), "{nav}");
        let contents = contents_document(&report, &ctx);
        assert!(contents.contains("<li><a href=\"b.xhtml\">Title &amp; &quot;more&quot;</a><span class=\"toc-authors\"> — Ada &lt;Lovelace&gt;</span></li>"), "{contents}");
        assert!(nav.contains("<a epub:type=\"toc\" href=\"contents_page.xhtml\">Contents</a>"));
        let front = article_document(&report.front[0], &ctx);
        assert!(front.contains("<body epub:type=\"frontmatter\">\n<section class=\"article kind-foreword\" epub:type=\"foreword\" role=\"doc-foreword\""));
    }

    #[test]
    fn files_and_ids() {
        assert_eq!(article_file("eip-1"), "eip-1.xhtml");
        assert_eq!(article_file("nav"), "nav_.xhtml");
        assert_eq!(internal_href(Some("a"), "b", None), "b.xhtml");
        assert_eq!(internal_href(Some("a"), "a", Some("x")), "#a.x");
        assert_eq!(url_attr("a b/é.png?x=\"1\"&y=100%"), "a%20b/é.png?x=%221%22&amp;y=100%25");
        assert_eq!(url_attr("a%20b"), "a%20b");
        assert_eq!(escape("\u{1}<\"&>"), "&lt;&quot;&amp;&gt;");
        assert_eq!(Labels::for_language("es-MX").contents, "Índice");
        assert_eq!(Labels::for_language("xx").contents, "Contents");
    }
}
