//! Offprints: each article as a PDF of its own, with the
//! report's pages. After the report is typeset, where each article starts
//! and ends is read from typst's introspector (the article's label and the
//! metadata that closes it, [`crate::output::typst::END_LABEL`]); each
//! offprint is then a small main file in the report's world (same fonts,
//! files, article sources and memoised work) that sets the page counter to
//! the article's first folio and includes the article's own generated file.
//! Figure, table and footnote numbers are coala-report's, written into the
//! markup: they are the report's. Offprints are typeset in parallel.

use std::collections::HashMap;

use typst::Library;
use typst::World;
use typst::diag::FileResult;
use typst::foundations::{Bytes, Datetime, Label};
use typst::introspection::{Introspector, MetadataElem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::{LazyHash, PicoStr};
use typst_layout::PagedDocument;

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::model::{Article, Inline, LinkDest, Report};
use crate::output::pdf::{self, ExportOptions, ReportWorld};
use crate::output::typst::{self as emit, Emitted, OffprintHead};
use crate::passes::cite::{Cited, Pages};
use crate::words::Labels;

/// Where an article is in the typeset report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub id: String,
    /// Physical pages, from 1.
    pub first_physical: usize,
    pub last_physical: usize,
    /// The page counter on its first page.
    pub first_number: u64,
    /// The folios of its first and last pages, as printed.
    pub pages: Pages,
}

/// The folio of a page as its numbering prints it (its number when the
/// page has no numbering or its pattern cannot number it).
fn folio(page: &typst_layout::Page) -> String {
    crate::output::pages::folio(page).unwrap_or_else(|| page.number.to_string())
}

fn label(name: &str) -> Option<Label> {
    Label::new(PicoStr::intern(name))
}

/// Where each article of the report is: its label's page (the title), and
/// the page of the metadata that closes it, but never past the page before
/// the next article's. Articles typst did not place are left out.
pub fn placed(document: &PagedDocument, report: &Report) -> Vec<Placed> {
    let introspector = document.introspector();
    let pages = document.pages();
    let page_of = |content: &typst::foundations::Content| {
        content.location().and_then(|loc| introspector.page(loc)).map(|p| p.get())
    };
    let mut ends: HashMap<String, usize> = HashMap::new();
    if let Some(end) = label(emit::END_LABEL.trim_matches(['<', '>'])) {
        for content in introspector.query(&typst::foundations::Selector::Label(end)) {
            let Some(meta) = content.to_packed::<MetadataElem>() else { continue };
            if let (typst::foundations::Value::Str(id), Some(page)) = (&meta.value, page_of(&content)) {
                ends.insert(id.to_string(), page);
            }
        }
    }
    let starts: Vec<(String, Option<usize>)> = report
        .articles()
        .map(|a| {
            let start = label(&a.id).and_then(|l| introspector.query_label(l).ok()).and_then(&page_of);
            (a.id.clone(), start)
        })
        .collect();
    let mut out = Vec::new();
    for (i, (id, start)) in starts.iter().enumerate() {
        let Some(first) = *start else { continue };
        let next = starts[i + 1..].iter().find_map(|(_, s)| *s).filter(|&n| n > first);
        let mut last = ends.get(id).copied().unwrap_or(first).max(first);
        if let Some(next) = next {
            last = last.min(next - 1);
        }
        let (Some(p1), Some(p2)) = (pages.get(first - 1), pages.get(last - 1)) else { continue };
        out.push(Placed {
            id: id.clone(),
            first_physical: first,
            last_physical: last,
            first_number: p1.number,
            pages: Pages { first: folio(p1), last: folio(p2) },
        });
    }
    out
}

/// Every label of the report: its physical page and folio.
pub fn labels(document: &PagedDocument) -> HashMap<String, (usize, String)> {
    let introspector = document.introspector();
    let pages = document.pages();
    let mut out = HashMap::new();
    for content in introspector.query_labelled() {
        let (Some(label), Some(loc)) = (content.label(), content.location()) else { continue };
        let Some(page) = introspector.page(loc).map(|p| p.get()) else { continue };
        let Some(p) = pages.get(page - 1) else { continue };
        out.entry(label.resolve().to_string()).or_insert((page, folio(p)));
    }
    out
}

/// The world of one offprint: the report's, with another main file.
struct OffprintWorld<'a> {
    base: &'a ReportWorld,
    main: FileId,
    source: Source,
}

impl World for OffprintWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.base.library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.base.book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main { Ok(self.source.clone()) } else { self.base.source(id) }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main { Ok(Bytes::from_string(self.source.clone())) } else { self.base.file(id) }
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.base.font(index)
    }
    fn today(&self, offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.base.today(offset)
    }
}

/// One offprint, exported.
pub struct Offprint {
    pub id: String,
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// How long its typesetting and its export took (for the benchmark).
    pub typeset: std::time::Duration,
    pub export: std::time::Duration,
}

/// What an offprint needs besides the report.
pub struct Context<'a> {
    pub report: &'a Report,
    pub manifest: &'a Manifest,
    /// The template's import path (`style`, as `emit` takes it).
    pub style: &'a str,
    /// Whether the template has `offprint` (see [`template_has_offprint`]).
    pub template_offprint: bool,
    pub cited: &'a Cited,
    /// The report's PDF, from the offprints' folder (`../report.pdf`).
    pub report_pdf: String,
    /// The web edition's address (`[book] url`), without a trailing `/`.
    pub url: Option<String>,
    pub options: &'a ExportOptions,
}

/// Whether a template defines what offprints use: the built-in one does;
/// another one when it defines `offprint` and the `_elsewhere` state.
pub fn template_has_offprint(text: &str) -> bool {
    text.contains("#let offprint(") && text.contains("#let _elsewhere")
}

/// A URL with its spaces and non-ASCII characters percent-encoded.
fn encode(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_graphic() && c != '"' && c != '<' && c != '>' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The labels of other articles that an article links to (`<id>` or
/// `<id>:<anchor>`), and, for the glossary, the links to it (`glref-…`).
fn foreign_labels(
    article: &Article,
    labels: &HashMap<String, (usize, String)>,
) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for (inline, _) in article.all_inlines() {
        if let Inline::Link { dest: LinkDest::Internal { article: target, anchor }, .. } = inline
            && target != &article.id
        {
            let label = match anchor {
                Some(a) => format!("{target}:{}", emit::label_safe(a)),
                None => target.clone(),
            };
            out.push((label, target.clone(), anchor.clone()));
        }
    }
    if article.meta.kind == crate::model::Kind::Glossary {
        let own = format!("glref-{}-", article.id);
        out.extend(
            labels
                .keys()
                .filter(|l| l.starts_with("glref-") && !l.starts_with(&own))
                .map(|l| (l.clone(), String::new(), None)),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// The offprints of every placed article, typeset in parallel; the
/// problems of those that failed. (No PDF is written here.)
pub fn build(
    world: &ReportWorld,
    emitted: &Emitted,
    document: &PagedDocument,
    placed: &[Placed],
    ctx: &Context,
) -> (Vec<Offprint>, Vec<Diagnostic>) {
    let labels = labels(document);
    let words = Labels::for_language(&ctx.manifest.book.language);
    let files = crate::output::site::page_files(ctx.report);
    let flavor = crate::output::xhtml::Flavor { pages: Some(&files), epub_types: false };
    let articles: HashMap<&str, &Article> = ctx.report.articles().map(|a| (a.id.as_str(), a)).collect();
    let book = &ctx.manifest.book;

    let results = crate::parallel::map(placed, |placed| {
        let Some(article) = articles.get(placed.id.as_str()).copied() else { return Err(Vec::new()) };
        let mut opening = vec![
            Inline::Text(format!("{} ", words.offprint_from)),
            Inline::Emph(vec![Inline::Text(book.title.clone())]),
        ];
        if let Some(edition) = book.edition.as_deref().filter(|e| !e.trim().is_empty()) {
            opening.push(Inline::Text(format!(" ({} {})", words.edition, edition.trim())));
        }
        opening.push(Inline::Text(format!(", {} {}", words.pages_abbr, placed.pages.range())));
        let mut sections = Vec::new();
        if let Some(citation) = ctx.cited.articles.get(&article.id).filter(|c| !c.is_empty()) {
            sections.push((words.how_to_cite.to_string(), citation.clone()));
        }
        if !ctx.cited.report.is_empty() {
            sections.push((words.cite_report.to_string(), ctx.cited.report.clone()));
        }
        let full = match &ctx.url {
            Some(url) => url.clone(),
            None => ctx.report_pdf.clone(),
        };
        sections.push((
            words.full_report.to_string(),
            vec![Inline::Link {
                dest: LinkDest::External(full.clone()),
                content: vec![Inline::Text(full)],
                line: 0,
                column: 0,
            }],
        ));
        let mut links = Vec::new();
        let mut pages = Vec::new();
        for (label, target, anchor) in foreign_labels(article, &labels) {
            let found = labels.get(&label);
            if let Some((_, folio)) = found {
                pages.push((label.clone(), folio.clone()));
            }
            if target.is_empty() {
                continue;
            }
            let url = match (&ctx.url, found) {
                (Some(url), _) => Some(encode(&format!("{url}/{}", flavor.href(None, &target, anchor.as_deref())))),
                (None, Some((page, _))) => Some(format!("{}#page={page}", ctx.report_pdf)),
                (None, None) => None,
            };
            if let Some(url) = url {
                links.push((label, url));
            }
        }
        let head = OffprintHead {
            article,
            opening,
            sections,
            first_page: placed.first_number,
            first_physical: placed.first_physical,
            links,
            pages,
            template_offprint: ctx.template_offprint,
        };
        let mut text = emit::offprint_head(ctx.manifest, ctx.style, &head);
        // Its own reference list closes the article's body; the report's
        // list at the end, when this article holds it, is left out.
        let own = ctx.report.offprint_references.get(&article.id);
        let cut = ctx.report.end_references.as_ref().filter(|(id, _)| id == &article.id).map(|(_, at)| *at);
        if own.is_some() || cut.is_some() {
            let mut article = article.clone();
            if let Some(at) = cut {
                article.blocks.truncate(at);
            }
            let extra = own.map_or(&[][..], Vec::as_slice);
            text.push_str(&emit::article_markup(ctx.report, ctx.manifest, emitted, &article, extra));
        } else {
            let _ = std::fmt::Write::write_fmt(
                &mut text,
                format_args!("#include {}\n", emit::string(&format!("/__coala_report/{}.typ", article.id))),
            );
        }
        let path = format!("/__coala_report/offprint/{}.typ", article.id);
        let Ok(vpath) = VirtualPath::new(&path) else { return Err(Vec::new()) };
        let main = FileId::new(RootedPath::new(VirtualRoot::Project, vpath));
        let offprint_world = OffprintWorld { base: world, main, source: Source::new(main, text) };
        typeset(world, emitted, &offprint_world, article, ctx.options)
    });
    let mut offprints = Vec::new();
    let mut diagnostics = Vec::new();
    for result in results {
        match result {
            Ok((offprint, warnings)) => {
                offprints.push(offprint);
                diagnostics.extend(warnings);
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    (offprints, diagnostics)
}

/// Typesets and exports one offprint. Problems in the report's files are
/// named where the report names them; those of the offprint's own main
/// file, at the article.
fn typeset(
    base: &ReportWorld,
    emitted: &Emitted,
    world: &OffprintWorld,
    article: &Article,
    options: &ExportOptions,
) -> Result<(Offprint, Vec<Diagnostic>), Vec<Diagnostic>> {
    let at_article = |diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
        diags
            .into_iter()
            .map(|mut d| {
                if d.file.is_none() || d.file.as_deref() == Some(std::path::Path::new(crate::config::MANIFEST)) {
                    d = d.with_file(&article.path);
                    d.message = format!("offprint of `{}`: {}", article.id, d.message);
                }
                d
            })
            .collect()
    };
    let t = std::time::Instant::now();
    let warned = pdf::guard(|| typst::compile::<PagedDocument>(world))
        .map_err(|message| vec![pdf::crashed("typesetting an offprint", &message).with_file(&article.path)])?;
    let warnings = at_article(pdf::map_diagnostics(base, emitted, &warned.warnings));
    let document = warned.output.map_err(|errors| at_article(pdf::map_diagnostics(base, emitted, &errors)))?;
    let typeset = t.elapsed();
    let t = std::time::Instant::now();
    let mut options = pdf::pdf_options(options)?;
    options.ident =
        typst::foundations::Smart::Custom(format!("{} {}", options_ident(options.ident.clone()), article.id));
    let bytes = pdf::guard(|| typst_pdf::pdf(&document, &options))
        .map_err(|message| vec![pdf::crashed("exporting an offprint", &message).with_file(&article.path)])?
        .map_err(|errors| at_article(pdf::map_diagnostics(base, emitted, &errors)))?;
    let export = t.elapsed();
    Ok((Offprint { id: article.id.clone(), bytes, pages: document.pages().len(), typeset, export }, warnings))
}

fn options_ident(ident: typst::foundations::Smart<String>) -> String {
    match ident {
        typst::foundations::Smart::Custom(s) => s,
        typst::foundations::Smart::Auto => String::new(),
    }
}

/// The folder of an edition's offprints in the build folder: `offprints`,
/// or `offprints.<tag>` for the translated edition `tag` (as `html.<tag>`).
pub fn dir(edition: Option<&str>) -> String {
    match edition {
        None => "offprints".to_string(),
        Some(tag) => format!("offprints.{tag}"),
    }
}

/// The pages of each placed article, by id (for the citations).
pub fn pages_by_id(placed: &[Placed]) -> HashMap<String, Pages> {
    placed.iter().map(|p| (p.id.clone(), p.pages.clone())).collect()
}
