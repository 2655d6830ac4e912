//! The web edition: a static site (`<build-dir>/html/`) built from the same
//! document model as the EPUB, with the same body emitter
//! ([`xhtml::article_body_for`]); only the wrapper differs.
//!
//! Pages: `index.html` (cover, title block, downloads, contents), one page
//! per article (`<id>.html`; the glossary is always `glossary.html` and the
//! contributors article `contributors.html`), one per part (`part_<n>.html`),
//! `site.css` and `images/`, and the search (`search.html`, `search.js`
//! and the index in `search/`, see [`search`]). Every page is HTML5 that is
//! also well-formed XML (void elements are self-closed, all text escaped),
//! is read without script (its one script, the site's own `search.js`,
//! only shows the search form and runs the search), and has landmarks, a
//! skip link and `lang`. Pages, and the index, are written in parallel.
//!
//! The site is written into a temporary folder beside its target and renamed
//! into place only when complete (by `fsutil::commit`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use crate::config::Format;
use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::model::Kind;
use crate::model::{Article, Part, Report};
use crate::output::assets::{gather_images, read_stylesheet};
use crate::output::pages::Anchor;
use crate::output::search;
use crate::output::sitemeta::{self, PageMeta, Web};
use crate::output::xhtml::{self, Context, Flavor, Labels, Rendered, escape, url_attr};

/// The stylesheet used when the report has no `styles/site.css`.
pub const DEFAULT_CSS: &str = crate::styles::SITE_CSS;

/// Where a report may override the stylesheet.
pub const CSS_PATH: &str = "styles/site.css";

/// The site's folder inside the build folder.
pub const DIR: &str = "html";

/// The folder of an edition's site: `html`, or `html.<tag>` for the
/// translated edition `tag` (beside it, as `report.<tag>.pdf` is).
pub fn dir(edition: Option<&str>) -> String {
    match edition {
        None => DIR.to_string(),
        Some(tag) => format!("{DIR}.{tag}"),
    }
}

/// Another edition of the report, linked from every page of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternate {
    /// Its language tag.
    pub lang: String,
    /// Its site folder, relative to the build folder (`html.es`).
    pub dir: String,
}

/// The stable page of the glossary.
pub const GLOSSARY_FILE: &str = "glossary.html";
pub const CONTRIBUTORS_FILE: &str = "contributors.html";
pub use crate::output::sitemeta::INDEX_FILE;
pub const SEARCH_FILE: &str = "search.html";
const STYLESHEET: &str = "site.css";
/// The site's own script: the search (no page needs it to be read).
const SEARCH_SCRIPT: &str = "search.js";
const SEARCH_JS: &str = include_str!("search.js");

/// A download offered on every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// `PDF`, `EPUB`.
    pub label: &'static str,
    /// Relative to the site's pages: `../report.pdf`.
    pub href: String,
    pub media_type: &'static str,
}

/// The downloads to link: the PDF and the EPUB named `name`, when they are
/// being built or already exist in `out_dir`.
pub fn downloads(formats: &[Format], out_dir: &Path, name: &str) -> Vec<Download> {
    let mut out = Vec::new();
    for (format, label, media_type) in
        [(Format::Pdf, "PDF", "application/pdf"), (Format::Epub, "EPUB", "application/epub+zip")]
    {
        let file = format!("{name}.{}", format.extension());
        if formats.contains(&format) || out_dir.join(&file).is_file() {
            out.push(Download { label, href: format!("../{file}"), media_type });
        }
    }
    out
}

/// The site, in memory: paths relative to its folder, and their bytes.
#[derive(Debug, Default)]
pub struct Site {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Site {
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum()
    }

    pub fn pages(&self) -> usize {
        self.files.iter().filter(|(p, _)| p.ends_with(".html")).count()
    }
}

/// One page of the site, in reading order.
#[derive(Clone, Copy)]
enum Page<'a> {
    Index,
    Article(&'a Article),
    Part(&'a Part),
    Search,
}

/// Builds the site in memory. Returns it with warnings, or the errors (an
/// unreadable image or stylesheet).
pub fn build(
    report: &Report,
    manifest: &Manifest,
    root: &Root,
    downloads: &[Download],
    alternates: &[Alternate],
    rendered: Rendered,
    web: &Web,
) -> Result<Site, Vec<Diagnostic>> {
    let Rendered { pages, math } = rendered;
    let book = &manifest.book;
    let labels = Labels::for_language(&book.language);
    let mut errors = Vec::new();
    let mut site = Site::default();

    let images = gather_images(report, manifest, root, &mut errors);
    // The preview cards show the cover; an SVG one as a PNG beside it.
    let mut card = None;
    let cover = images.cover.map(|c| {
        if c.href.ends_with(".svg")
            && let Some(png) = sitemeta::card_png(&c.bytes)
        {
            let href = format!("{}-card.png", c.href.trim_end_matches(".svg"));
            site.files.push((href.clone(), png));
            card = Some(href);
        }
        site.files.push((c.href.clone(), c.bytes));
        c.href
    });
    let card = card.or_else(|| cover.clone());
    site.files.extend(images.files.into_iter().map(|r| (r.href, r.bytes)));
    let images = images.map;
    let css = read_stylesheet(root, CSS_PATH, DEFAULT_CSS).unwrap_or_else(|d| {
        errors.push(d);
        String::new()
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    site.files.push((STYLESHEET.to_string(), css.into_bytes()));

    let files = page_files(report);
    let flavor = Flavor { pages: Some(&files), epub_types: false };
    let ctx = Context { lang: &book.language, labels: &labels, images: &images, stylesheet: STYLESHEET, pages, math };
    let glossary = report.articles().find(|a| a.meta.kind == Kind::Glossary);
    let chrome = Chrome {
        report,
        manifest,
        labels: &labels,
        files: &files,
        downloads,
        alternates,
        glossary: glossary.map(|a| a.title_text().trim().to_string()).filter(|t| !t.is_empty()),
        offprints: web.offprints.as_deref(),
        web,
        card,
    };

    let mut pages = vec![Page::Index];
    pages.extend(report.front.iter().map(Page::Article));
    for part in &report.parts {
        pages.push(Page::Part(part));
        pages.extend(part.articles.iter().map(Page::Article));
    }
    pages.extend(report.back.iter().map(Page::Article));
    // The search page is no page of the reading order: it is built with
    // them and listed in no contents.
    let reading = pages.len();
    pages.push(Page::Search);
    let pages = &pages;
    let indices: Vec<usize> = (0..pages.len()).collect();
    let built = crate::parallel::map(&indices, |&i| {
        let page = pages[i];
        let (prev, next) = match i < reading {
            true => (i.checked_sub(1).map(|j| pages[j]), pages[..reading].get(i + 1).copied()),
            false => (None, None),
        };
        match page {
            Page::Index => (INDEX_FILE.to_string(), chrome.index(cover.as_deref(), next, &ctx), Vec::new()),
            Page::Article(a) => {
                let mut body = String::new();
                if a.meta.kind == Kind::Glossary {
                    body.push_str(&terms_nav(a, &labels));
                }
                body.push_str(&xhtml::article_body_for(a, &ctx, flavor));
                let lang = xhtml::article_lang(a, &book.language);
                let main_lang = (lang != book.language).then_some(lang);
                let file = chrome.file(page);
                let sections = search::sections(&file, &chrome.title(page), lang, &body);
                let html = chrome.page(page, &a.title_text(), main_lang, &body, prev, next);
                (file, html, sections)
            }
            Page::Part(p) => (
                chrome.file(page),
                chrome.page(page, &labels.part_title(p), None, &chrome.part(p, &ctx), prev, next),
                Vec::new(),
            ),
            Page::Search => (chrome.file(page), chrome.search_page(), Vec::new()),
        }
    });
    let mut sections = Vec::new();
    for (file, html, found) in built {
        site.files.push((file, html.into_bytes()));
        sections.extend(found);
    }
    site.files.push((SEARCH_SCRIPT.to_string(), SEARCH_JS.as_bytes().to_vec()));
    site.files.extend(search::index(&sections, &book.language));
    if let Some(url) = &web.url {
        let pages: Vec<String> = pages[..reading].iter().map(|&p| chrome.file(p)).collect();
        site.files.push(("sitemap.xml".into(), sitemeta::sitemap(url, &pages, book.date.as_deref()).into_bytes()));
        site.files.push(("robots.txt".into(), sitemeta::robots(url).into_bytes()));
    }
    Ok(site)
}

/// The page of every article: `<id>.html`, except the glossary
/// (`glossary.html`) and the contributors (`contributors.html`). An article
/// whose id is taken by one of these names, or by the search page
/// (`search.html`), gets `<id>_.html` (ids never contain `_`).
pub fn page_files(report: &Report) -> BTreeMap<String, String> {
    let glossary = report.articles().find(|a| a.meta.kind == Kind::Glossary).map(|a| a.id.as_str());
    let contributors = report.articles().find(|a| a.meta.kind == Kind::Contributors).map(|a| a.id.as_str());
    let mut files = BTreeMap::new();
    for a in report.articles() {
        let id = a.id.as_str();
        let file = if Some(id) == glossary {
            GLOSSARY_FILE.to_string()
        } else if Some(id) == contributors {
            CONTRIBUTORS_FILE.to_string()
        } else if id == "index"
            || (id == "glossary" && glossary.is_some())
            || (id == "contributors" && contributors.is_some())
            || id == "site"
            || id == "search"
        {
            format!("{id}_.html")
        } else {
            format!("{id}.html")
        };
        files.insert(a.id.clone(), file);
    }
    files
}

/// The glossary's list of terms, linking each entry (its top-level headings).
fn terms_nav(glossary: &Article, labels: &Labels) -> String {
    let terms: Vec<_> = xhtml::outline(glossary).into_iter().filter(|h| h.depth == 1 && !h.text.is_empty()).collect();
    if terms.is_empty() {
        return String::new();
    }
    let mut out = format!("<nav class=\"glossary-terms\" aria-label=\"{}\">\n<ul>\n", escape(labels.terms));
    for t in terms {
        let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", url_attr(&t.id), escape(&t.text));
    }
    out.push_str("</ul>\n</nav>\n");
    out
}

/// What every page shares: header, navigation, footer.
struct Chrome<'a> {
    report: &'a Report,
    manifest: &'a Manifest,
    labels: &'a Labels,
    files: &'a BTreeMap<String, String>,
    downloads: &'a [Download],
    /// The other editions: each page links its counterpart there (the
    /// same file: pages are named by article, as in every edition).
    alternates: &'a [Alternate],
    /// The glossary's title, when the report has one.
    glossary: Option<String>,
    /// The folder of the offprints, from the pages (`../offprints`), when
    /// they are built: the contents links each article's.
    offprints: Option<&'a str>,
    web: &'a Web,
    /// The image of the preview cards (the cover, or its PNG), in the site.
    card: Option<String>,
}

impl Chrome<'_> {
    fn file(&self, page: Page) -> String {
        match page {
            Page::Index => INDEX_FILE.to_string(),
            Page::Article(a) => self.files.get(&a.id).cloned().unwrap_or_else(|| format!("{}.html", a.id)),
            Page::Part(p) => format!("part_{}.html", p.number),
            Page::Search => SEARCH_FILE.to_string(),
        }
    }

    fn title(&self, page: Page) -> String {
        match page {
            Page::Index => self.manifest.book.title.clone(),
            Page::Article(a) => a.title_text().trim().to_string(),
            Page::Part(p) => self.labels.part_title(p),
            Page::Search => self.labels.search.to_string(),
        }
    }

    /// A complete page: `<title>` is the page's title and the report's.
    fn page(
        &self,
        page: Page,
        title: &str,
        main_lang: Option<&str>,
        body: &str,
        prev: Option<Page>,
        next: Option<Page>,
    ) -> String {
        let book = &self.manifest.book;
        let lang = escape(&book.language);
        let current = self.file(page);
        let mut out = String::with_capacity(body.len() + 4096);
        out.push_str("<!DOCTYPE html>\n");
        let _ = writeln!(out, "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"{lang}\">");
        out.push_str("<head>\n<meta charset=\"utf-8\"/>\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
        let full = if matches!(page, Page::Index) {
            book.title.clone()
        } else {
            format!("{} — {}", title.trim(), book.title)
        };
        let _ = writeln!(out, "<title>{}</title>", escape(&full));
        out.push_str(&self.head_meta(page, &current, &full, main_lang));
        let _ = writeln!(out, "<link rel=\"stylesheet\" href=\"{STYLESHEET}\"/>");
        let _ = writeln!(out, "<script src=\"{SEARCH_SCRIPT}\" defer=\"defer\"></script>");
        if let Some(p) = prev {
            let _ = writeln!(out, "<link rel=\"prev\" href=\"{}\"/>", url_attr(&self.file(p)));
        }
        if let Some(n) = next {
            let _ = writeln!(out, "<link rel=\"next\" href=\"{}\"/>", url_attr(&self.file(n)));
        }
        for alt in self.alternates {
            let _ = writeln!(
                out,
                "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                escape(&alt.lang),
                url_attr(&format!("../{}/{current}", alt.dir))
            );
        }
        out.push_str("</head>\n<body>\n");
        let _ = writeln!(out, "<a class=\"skip-link\" href=\"#main\">{}</a>", escape(self.labels.skip));
        // Header: the report's title and the site navigation.
        out.push_str("<header class=\"site-header\">\n<div class=\"wrap\">\n");
        let _ = writeln!(
            out,
            "<p class=\"site-title\"><a href=\"{INDEX_FILE}\"{}>{}</a></p>",
            aria_current(&current, INDEX_FILE),
            escape(&book.title)
        );
        let _ = writeln!(out, "<nav class=\"site-nav\" aria-label=\"{}\">\n<ul>", escape(self.labels.site_nav));
        let _ = writeln!(out, "<li><a href=\"{INDEX_FILE}#contents\">{}</a></li>", escape(self.labels.contents));
        if let Some(g) = &self.glossary {
            let _ = writeln!(
                out,
                "<li><a href=\"{GLOSSARY_FILE}\"{}>{}</a></li>",
                aria_current(&current, GLOSSARY_FILE),
                escape(g)
            );
        }
        for d in self.downloads {
            let _ = writeln!(
                out,
                "<li><a class=\"download\" href=\"{}\" type=\"{}\">{}</a></li>",
                url_attr(&d.href),
                d.media_type,
                escape(d.label)
            );
        }
        for alt in self.alternates {
            let lang = escape(&alt.lang);
            let _ = writeln!(
                out,
                "<li><a class=\"edition-link\" href=\"{}\" hreflang=\"{lang}\" lang=\"{lang}\">{}</a></li>",
                url_attr(&format!("../{}/{current}", alt.dir)),
                escape(&crate::words::native_name(&alt.lang))
            );
        }
        out.push_str("</ul>\n</nav>\n");
        if !matches!(page, Page::Search) {
            // Shown by the search script: without it, the search cannot work.
            let _ = writeln!(
                out,
                "<form class=\"site-search\" role=\"search\" action=\"{SEARCH_FILE}\" method=\"get\" hidden=\"hidden\">\n<label for=\"site-search-q\">{}</label>\n<input type=\"search\" id=\"site-search-q\" name=\"q\" autocomplete=\"off\"/>\n<button type=\"submit\">{}</button>\n</form>",
                escape(self.labels.search_report),
                escape(self.labels.search)
            );
        }
        out.push_str("</div>\n</header>\n<div class=\"layout\">\n");
        out.push_str(&self.sidebar(&current));
        if let Page::Article(a) = page {
            out.push_str(&self.page_toc(a));
        }
        match main_lang {
            Some(l) => {
                let _ = writeln!(out, "<main id=\"main\" tabindex=\"-1\" lang=\"{}\">", escape(l));
            }
            None => out.push_str("<main id=\"main\" tabindex=\"-1\">\n"),
        }
        out.push_str(body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("</main>\n</div>\n");
        // Previous and next page.
        if prev.is_some() || next.is_some() {
            let _ = writeln!(out, "<nav class=\"pager\" aria-label=\"{}\">\n<ul>", escape(self.labels.pager));
            for (p, rel, class, label) in
                [(prev, "prev", "pager-prev", self.labels.previous), (next, "next", "pager-next", self.labels.next)]
            {
                if let Some(p) = p {
                    let _ = writeln!(
                        out,
                        "<li class=\"{class}\"><a rel=\"{rel}\" href=\"{}\"><span class=\"pager-label\">{}</span> <span class=\"pager-title\">{}</span></a></li>",
                        url_attr(&self.file(p)),
                        escape(label),
                        escape(&self.title(p))
                    );
                }
            }
            out.push_str("</ul>\n</nav>\n");
        }
        // Footer: publisher, edition, licence, downloads.
        out.push_str("<footer class=\"site-footer\">\n<div class=\"wrap\">\n");
        let facts: Vec<&str> = [book.publisher.as_deref(), book.edition.as_deref(), book.license.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if !facts.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", facts.iter().map(|f| escape(f)).collect::<Vec<_>>().join(" · "));
        }
        if !self.downloads.is_empty() {
            let _ = write!(out, "<p>{}: ", escape(self.labels.download));
            for (i, d) in self.downloads.iter().enumerate() {
                if i > 0 {
                    out.push_str(" · ");
                }
                let _ =
                    write!(out, "<a href=\"{}\" type=\"{}\">{}</a>", url_attr(&d.href), d.media_type, escape(d.label));
            }
            out.push_str("</p>\n");
        }
        out.push_str("</div>\n</footer>\n</body>\n</html>\n");
        out
    }

    /// The search page (`search.html?q=…`): its form and results, filled
    /// in by the search script; without it, a note that says so.
    fn search_page(&self) -> String {
        let l = self.labels;
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<section class=\"search-page\" aria-labelledby=\"search-title\" data-found=\"{}\" data-none=\"{}\">",
            escape(l.search_found),
            escape(l.search_none)
        );
        let _ = writeln!(b, "<h1 id=\"search-title\">{}</h1>", escape(l.search_report));
        let _ = writeln!(b, "<p class=\"search-no-script\">{}</p>", escape(l.search_no_script));
        let _ = writeln!(
            b,
            "<form role=\"search\" action=\"{SEARCH_FILE}\" method=\"get\" hidden=\"hidden\">\n<label for=\"search-q\">{}</label>\n<input type=\"search\" id=\"search-q\" name=\"q\" autocomplete=\"off\"/>\n<button type=\"submit\">{}</button>\n</form>",
            escape(l.search_report),
            escape(l.search)
        );
        b.push_str("<p class=\"search-status\" role=\"status\" aria-live=\"polite\"></p>\n");
        b.push_str("<ol class=\"search-results\"></ol>\n");
        let _ =
            writeln!(b, "<button type=\"button\" class=\"search-more\" hidden=\"hidden\">{}</button>", escape(l.next));
        b.push_str("</section>\n");
        self.page(Page::Search, l.search_report, None, &b, None, None)
    }

    /// The contents beside the text: parts and articles, the current page
    /// marked. A `<details>`, folded on small screens (the stylesheet shows
    /// it open on wide ones), so that it needs no script.
    fn sidebar(&self, current: &str) -> String {
        let label = escape(self.labels.report_contents);
        let mut out = format!(
            "<nav class=\"sidebar\" aria-label=\"{label}\">\n<details class=\"sidebar-fold\">\n<summary>{label}</summary>\n<ol>\n"
        );
        let entry = |out: &mut String, a: &Article| {
            let file = self.file(Page::Article(a));
            let _ = writeln!(
                out,
                "<li><a href=\"{}\"{}>{}</a></li>",
                url_attr(&file),
                aria_current(current, &file),
                escape(&self.title(Page::Article(a)))
            );
        };
        for a in &self.report.front {
            entry(&mut out, a);
        }
        for part in &self.report.parts {
            let file = self.file(Page::Part(part));
            let _ = writeln!(
                out,
                "<li class=\"sidebar-part\"><a href=\"{}\"{}>{}</a>\n<ol>",
                url_attr(&file),
                aria_current(current, &file),
                escape(&self.labels.part_title(part))
            );
            for a in &part.articles {
                entry(&mut out, a);
            }
            out.push_str("</ol>\n</li>\n");
        }
        for a in &self.report.back {
            entry(&mut out, a);
        }
        out.push_str("</ol>\n</details>\n</nav>\n");
        out
    }

    /// The article's headings, for wide screens ("On this page"); nothing
    /// for an article with fewer than two, or the glossary (which lists its
    /// terms at its top).
    fn page_toc(&self, article: &Article) -> String {
        if article.meta.kind == Kind::Glossary {
            return String::new();
        }
        let entries: Vec<_> =
            xhtml::outline(article).into_iter().filter(|h| h.depth <= 2 && !h.text.is_empty()).collect();
        if entries.len() < 2 {
            return String::new();
        }
        let label = escape(self.labels.on_this_page);
        let mut out =
            format!("<nav class=\"page-toc\" aria-label=\"{label}\">\n<p class=\"page-toc-title\">{label}</p>\n<ul>\n");
        for h in entries {
            let _ = writeln!(
                out,
                "<li class=\"depth-{}\"><a href=\"#{}\">{}</a></li>",
                h.depth,
                url_attr(&h.id),
                escape(&h.text)
            );
        }
        out.push_str("</ul>\n</nav>\n");
        out
    }

    /// The page's description, scholarly metadata, cards and JSON-LD.
    fn head_meta(&self, page: Page, file: &str, title: &str, main_lang: Option<&str>) -> String {
        let article = match page {
            Page::Article(a) => Some(a),
            _ => None,
        };
        let parts = match page {
            Page::Index => self
                .report
                .articles()
                .map(|a| (a.title_text().trim().to_string(), self.file(Page::Article(a))))
                .collect(),
            _ => Vec::new(),
        };
        sitemeta::head(&PageMeta {
            manifest: self.manifest,
            web: self.web,
            file,
            title,
            article,
            lang: main_lang.unwrap_or(&self.manifest.book.language),
            image: self.card.as_deref(),
            offprint: article.and_then(|a| Some(format!("{}/{}.pdf", self.offprints?, a.id))),
            parts,
        })
    }

    /// The index: cover, title block, downloads, contents.
    fn index(&self, cover: Option<&str>, next: Option<Page>, ctx: &Context) -> String {
        let book = &self.manifest.book;
        let mut b = String::new();
        b.push_str("<div class=\"titlepage\">\n");
        if let Some(href) = cover {
            let _ = writeln!(
                b,
                "<img class=\"cover\" src=\"{}\" alt=\"{}\"/>",
                url_attr(href),
                escape(&format!("{}: {}", self.labels.cover, book.title))
            );
        }
        b.push_str("<div class=\"title-block\">\n");
        let _ = writeln!(b, "<h1 class=\"book-title\">{}</h1>", escape(&book.title));
        if let Some(s) = book.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(b, "<p class=\"book-subtitle\">{}</p>", escape(s));
        }
        if let Some(e) = book.edition.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(b, "<p class=\"edition\">{}</p>", escape(e));
        }
        if !book.editors.is_empty() {
            let _ = writeln!(
                b,
                "<p class=\"editors\">{} {}</p>",
                escape(self.labels.edited_by),
                escape(&book.editors.join(", "))
            );
        }
        if let Some(p) = book.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(b, "<p class=\"publisher\">{}</p>", escape(p));
        }
        if let Some(d) = book.date.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(b, "<p class=\"date\">{}</p>", escape(d));
        }
        if let Some(d) = book.description.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(b, "<p class=\"description\">{}</p>", escape(d.trim()));
        }
        if !self.downloads.is_empty() || next.is_some() || self.offprints.is_some() {
            b.push_str("<ul class=\"actions\">\n");
            if let Some(n) = next {
                let _ = writeln!(
                    b,
                    "<li><a class=\"button\" href=\"{}\">{}: {}</a></li>",
                    url_attr(&self.file(n)),
                    escape(self.labels.next),
                    escape(&self.title(n))
                );
            }
            for d in self.downloads {
                let _ = writeln!(
                    b,
                    "<li><a class=\"button download\" href=\"{}\" type=\"{}\">{} {}</a></li>",
                    url_attr(&d.href),
                    d.media_type,
                    escape(self.labels.download),
                    escape(d.label)
                );
            }
            if self.offprints.is_some() {
                // Each article's offprint is beside its entry in the contents.
                let _ = writeln!(
                    b,
                    "<li><a class=\"button\" href=\"#contents\">{}</a></li>",
                    escape(self.labels.offprints)
                );
            }
            b.push_str("</ul>\n");
        }
        b.push_str("</div>\n</div>\n");
        xhtml::page_breaks(&mut b, ctx, &Anchor::Contents, false);
        let _ = writeln!(
            b,
            "<nav class=\"contents\" id=\"contents\" aria-labelledby=\"contents-title\">\n<h2 id=\"contents-title\">{}</h2>\n<ol>",
            escape(self.labels.contents)
        );
        for a in &self.report.front {
            self.contents_entry(&mut b, a);
        }
        for part in &self.report.parts {
            let _ = writeln!(
                b,
                "<li class=\"contents-part\"><a href=\"{}\">{}</a>\n<ol>",
                url_attr(&self.file(Page::Part(part))),
                escape(&self.labels.part_title(part))
            );
            for a in &part.articles {
                self.contents_entry(&mut b, a);
            }
            b.push_str("</ol>\n</li>\n");
        }
        for a in &self.report.back {
            self.contents_entry(&mut b, a);
        }
        b.push_str("</ol>\n</nav>\n");
        self.page(Page::Index, &book.title, None, &b, None, next)
    }

    fn contents_entry(&self, out: &mut String, a: &Article) {
        let title = a.title_text();
        let title = if title.trim().is_empty() { a.src_rel.clone() } else { title.trim().to_string() };
        let _ = write!(out, "<li><a href=\"{}\">{}</a>", url_attr(&self.file(Page::Article(a))), escape(&title));
        let authors: Vec<&str> = a.meta.authors.iter().map(|a| a.name.trim()).filter(|n| !n.is_empty()).collect();
        if !authors.is_empty() {
            let _ = write!(out, "<span class=\"toc-authors\"> — {}</span>", escape(&authors.join(", ")));
        }
        if let Some(dir) = self.offprints {
            let _ = write!(
                out,
                " <a class=\"toc-offprint download\" href=\"{}\" type=\"application/pdf\">{}</a>",
                url_attr(&format!("{dir}/{}.pdf", a.id)),
                escape(self.labels.this_article_pdf)
            );
        }
        out.push_str("</li>\n");
    }

    /// A part's page: its title and articles.
    fn part(&self, part: &Part, ctx: &Context) -> String {
        let mut b = String::new();
        b.push_str("<section class=\"part\" role=\"doc-part\" aria-labelledby=\"part-title\">\n");
        xhtml::page_breaks(&mut b, ctx, &Anchor::Part(part.number), false);
        let _ = write!(
            b,
            "<h1 class=\"part-title\" id=\"part-title\"><span class=\"part-number\">{} {}</span>",
            escape(self.labels.part),
            part.number
        );
        if let Some(t) = part.title.as_deref().filter(|t| !t.trim().is_empty()) {
            let _ =
                write!(b, "<span class=\"part-sep\">. </span><span class=\"part-name\">{}</span>", escape(t.trim()));
        }
        b.push_str("</h1>\n");
        if !part.articles.is_empty() {
            b.push_str("<ol class=\"part-contents\">\n");
            for a in &part.articles {
                self.contents_entry(&mut b, a);
            }
            b.push_str("</ol>\n");
        }
        b.push_str("</section>\n");
        b
    }
}

fn aria_current(current: &str, file: &str) -> &'static str {
    if current == file { " aria-current=\"page\"" } else { "" }
}
