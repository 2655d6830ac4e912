//! The EPUB 3 edition: the report's XHTML documents (from `output::xhtml`),
//! its images and stylesheet, packaged with epub-builder.
//!
//! epub-builder 0.8.3 packages the book (container, manifest, spine, guide)
//! but falls short of what the report needs in three generated files, with
//! no API to change them:
//! - `content.opf`: its metadata gives `dc:language` and `dc:creator` ids
//!   from the same pattern (EPUBCheck: RSC-005 duplicate `epub-creator-0`),
//!   has no `dc:publisher`, `dc:contributor`, subtitle or roles other than
//!   `aut`, and its identifier must be a UUID;
//! - `nav.xhtml`: no `lang`/`xml:lang`, no hidden landmarks heading;
//! - `toc.ncx`: no `dtb:uid`, a fixed `dtb:depth` of 1;
//!
//! and its `zip-library` stamps every entry with the current time. So, once
//! it has written the book, [`repack`] rewrites the zip: the same entries in
//! the same order, `mimetype` first and stored, every entry dated from the
//! build's timestamp, with our `<metadata>` in place of epub-builder's and
//! our navigation document and NCX in place of its own. Same inputs and
//! timestamp, same bytes.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::model::{Article, BlockKind, ImageSrc, Report};
use crate::output::assets::{Images, Resource, gather_images, read_stylesheet};
use crate::output::xhtml::{self, Context, Labels, Landmark, NavEntry, Rendered};

/// The stylesheet used when the report has no `styles/epub.css`.
pub const DEFAULT_CSS: &str = crate::styles::EPUB_CSS;

/// Where a report may override the stylesheet.
pub const CSS_PATH: &str = "styles/epub.css";

const STYLESHEET: &str = "stylesheet.css";

/// `dcterms:modified` when there is no timestamp.
const FALLBACK_TIMESTAMP: i64 = 315_532_800; // 1980-01-01T00:00:00Z, the earliest zip date

/// Builds the EPUB. `timestamp` (seconds since the epoch) dates the book
/// (`dcterms:modified`) and its zip entries. Returns the bytes and warnings,
/// or the errors (a missing image names its article and line).
pub fn build(
    report: &Report,
    manifest: &Manifest,
    root: &Root,
    timestamp: Option<i64>,
    rendered: Rendered,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let Rendered { pages, math } = rendered;
    let book = &manifest.book;
    let labels = Labels::for_language(&book.language);
    let mut errors = Vec::new();

    let Images { cover, files: resources, map: images } = gather_images(report, manifest, root, &mut errors);
    let local: Vec<&crate::model::Image> =
        report.articles().flat_map(|a| a.images()).filter(|image| matches!(image.src, ImageSrc::Local(_))).collect();
    let image_count = local.len();
    let all_alt = local.iter().all(|image| image.decorative || !image.alt.trim().is_empty());
    let css = read_stylesheet(root, CSS_PATH, DEFAULT_CSS).unwrap_or_else(|d| {
        errors.push(d);
        String::new()
    });
    if !errors.is_empty() {
        return Err(errors);
    }

    let ctx = Context { lang: &book.language, labels: &labels, images: &images, stylesheet: STYLESHEET, pages, math };
    let identifier = identifier(manifest);
    let entries = xhtml::toc(report, &labels);

    // The documents, in reading order.
    let mut docs: Vec<Doc> = Vec::new();
    let mut landmarks = Vec::new();
    if let Some(cover) = &cover {
        docs.push(Doc::plain(
            xhtml::COVER_FILE,
            xhtml::cover_document(manifest, &cover.href, &ctx),
            Some(ReferenceType::Cover),
        ));
        landmarks.push(Landmark { epub_type: "cover", href: xhtml::COVER_FILE.into(), title: labels.cover.into() });
    }
    docs.push(Doc::plain(xhtml::TITLE_FILE, xhtml::title_document(manifest, &ctx), Some(ReferenceType::TitlePage)));
    landmarks.push(Landmark {
        epub_type: "titlepage",
        href: xhtml::TITLE_FILE.into(),
        title: labels.title_page.into(),
    });
    docs.push(Doc::plain(xhtml::CONTENTS_FILE, xhtml::contents_document(report, &ctx), Some(ReferenceType::Toc)));
    landmarks.push(Landmark { epub_type: "toc", href: xhtml::CONTENTS_FILE.into(), title: labels.contents.into() });
    let fixed_pages = docs.len();
    let mut entry = entries.iter();
    for article in &report.front {
        docs.push(Doc::article(article, entry.next(), 1, &ctx));
    }
    let body_start = docs.len();
    for part in &report.parts {
        let part_entry = entry.next();
        docs.push(Doc {
            file: xhtml::part_file(part.number),
            text: xhtml::part_document(part, &ctx),
            toc: part_entry.map(|e| (e.title.clone(), 1, Vec::new())),
            reftype: None,
        });
        let mut children = part_entry.map(|e| e.children.iter());
        for article in &part.articles {
            docs.push(Doc::article(article, children.as_mut().and_then(|c| c.next()), 2, &ctx));
        }
    }
    for article in &report.back {
        docs.push(Doc::article(article, entry.next(), 1, &ctx));
    }
    // Body matter starts with the first part; without parts, with the first
    // article (the front matter is read before it either way).
    let body_index = if report.parts.is_empty() { fixed_pages } else { body_start }.min(docs.len() - 1);
    docs[body_index].reftype = Some(ReferenceType::Text);
    landmarks.push(Landmark {
        epub_type: "bodymatter",
        href: docs[body_index].file.clone(),
        title: labels.start.into(),
    });

    let nav = xhtml::nav_document(&entries, &landmarks, &ctx);
    let ncx = ncx(&entries, &identifier, &book.title, &book.language);
    let (formulas, mathml) = crate::output::mathml::count(report, math);
    let contents = Contents {
        images: image_count + cover.is_some() as usize,
        all_alt,
        tables: report
            .articles()
            .flat_map(|a| a.all_blocks())
            .filter(|b| matches!(b.kind, BlockKind::Table { .. }))
            .count(),
        formulas,
        mathml,
        pages: pages.filter(|p| !p.is_empty()).map(|p| (p.source(), p.pages().len())),
    };
    let metadata = metadata(report, manifest, &identifier, timestamp, cover.is_some(), &contents);

    // Content documents with MathML are declared so in the manifest.
    let with_math: Vec<String> =
        docs.iter().filter(|d| d.text.contains("<math xmlns=")).map(|d| d.file.clone()).collect();
    let packaged = package(&labels, &css, cover.as_ref(), &resources, docs).map_err(|e| vec![epub_error(e)])?;
    let bytes = repack(&packaged, timestamp, &book.language, &metadata, &nav, &ncx, &with_math)
        .map_err(|e| vec![Diagnostic::new(&lint::WRITE_FAILED, format!("cannot write the EPUB: {e}"))])?;
    Ok(bytes)
}

/// A content document and its entry in epub-builder's table of contents
/// (title, level, children).
struct Doc {
    file: String,
    text: String,
    toc: Option<(String, i32, Vec<TocElement>)>,
    reftype: Option<ReferenceType>,
}

impl Doc {
    fn plain(file: &str, text: String, reftype: Option<ReferenceType>) -> Doc {
        Doc { file: file.to_string(), text, toc: None, reftype }
    }

    fn article(article: &Article, entry: Option<&NavEntry>, level: i32, ctx: &Context) -> Doc {
        let toc = entry.map(|e| (e.title.clone(), level, e.children.iter().map(toc_element).collect()));
        Doc { file: xhtml::article_file(&article.id), text: xhtml::article_document(article, ctx), toc, reftype: None }
    }
}

fn toc_element(entry: &NavEntry) -> TocElement {
    entry.children.iter().fold(TocElement::new(entry.href.clone(), entry.title.clone()), |e, c| e.child(toc_element(c)))
}

/// Lets epub-builder package the documents and resources.
fn package(
    labels: &Labels,
    css: &str,
    cover: Option<&Resource>,
    resources: &[Resource],
    docs: Vec<Doc>,
) -> epub_builder::Result<Vec<u8>> {
    let mut builder = EpubBuilder::new(ZipLibrary::new()?)?;
    builder.epub_version(EpubVersion::V30);
    builder.set_toc_name(labels.contents);
    builder.set_generator(concat!("coala-report ", env!("CARGO_PKG_VERSION")));
    builder.stylesheet(css.as_bytes())?;
    if let Some(cover) = cover {
        builder.add_cover_image(&cover.href, cover.bytes.as_slice(), cover.mime)?;
    }
    for r in resources {
        builder.add_resource(&r.href, r.bytes.as_slice(), r.mime)?;
    }
    for doc in docs {
        let mut content = EpubContent::new(doc.file, doc.text.as_bytes());
        if let Some((title, level, children)) = doc.toc {
            content = content.title(title).level(level);
            for child in children {
                content = content.child(child);
            }
        }
        if let Some(reftype) = doc.reftype {
            content = content.reftype(reftype);
        }
        builder.add_content(content)?;
    }
    let mut out = Vec::new();
    builder.generate(&mut out)?;
    Ok(out)
}

fn epub_error(e: epub_builder::Error) -> Diagnostic {
    Diagnostic::new(&lint::WRITE_FAILED, format!("cannot package the EPUB: {e}"))
}

// ---------------------------------------------------------------- metadata ---

/// The book's identifier: the manifest's (a bare UUID gets `urn:uuid:`),
/// else a UUID v5 of the title and edition.
pub fn identifier(manifest: &Manifest) -> String {
    let book = &manifest.book;
    if let Some(id) = book.identifier.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if is_uuid(id) {
            return format!("urn:uuid:{}", id.to_ascii_lowercase());
        }
        return id.to_string();
    }
    let name = format!("coala-report:{}\n{}", book.title.trim(), book.edition.as_deref().unwrap_or("").trim());
    format!("urn:uuid:{}", uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()))
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// `CCYY-MM-DDThh:mm:ssZ`.
pub fn format_timestamp(secs: i64) -> String {
    let (y, m, d, h, mi, s) = crate::dates::civil_from_unix(secs);
    if !(1000..=9999).contains(&y) {
        return format_timestamp(FALLBACK_TIMESTAMP);
    }
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

const MARC: &str = "scheme=\"marc:relators\"";

/// What the accessibility metadata says the publication contains.
struct Contents<'a> {
    /// Images, the cover included.
    images: usize,
    /// Whether every image has a text alternative.
    all_alt: bool,
    tables: usize,
    formulas: usize,
    /// Of those, the formulas given as MathML.
    mathml: usize,
    /// The PDF edition the page markers come from, and how many pages.
    pages: Option<(&'a str, usize)>,
}

/// The package's `<metadata>` element.
fn metadata(
    report: &Report,
    manifest: &Manifest,
    identifier: &str,
    timestamp: Option<i64>,
    cover: bool,
    contents: &Contents,
) -> String {
    let book = &manifest.book;
    let e = xhtml::escape;
    let mut m = String::new();
    m.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:opf=\"http://www.idpf.org/2007/opf\">\n");
    // epub-builder's package element names `epub-id-1` as the unique identifier.
    m.push_str(&format!("    <dc:identifier id=\"epub-id-1\">{}</dc:identifier>\n", e(identifier)));
    m.push_str(&format!("    <dc:title id=\"title\">{}</dc:title>\n", e(book.title.trim())));
    m.push_str("    <meta refines=\"#title\" property=\"title-type\">main</meta>\n");
    if let Some(sub) = book.subtitle.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        m.push_str(&format!("    <dc:title id=\"subtitle\">{}</dc:title>\n", e(sub)));
        m.push_str("    <meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n");
    }
    m.push_str(&format!("    <dc:language>{}</dc:language>\n", e(&book.language)));

    // Creators: the authors, then the editors; a name in both has both roles.
    let mut creators: Vec<(&str, Vec<&str>)> = Vec::new();
    for (names, role) in [(&book.authors, "aut"), (&book.editors, "edt")] {
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            match creators.iter_mut().find(|(n, _)| *n == name) {
                Some((_, roles)) => roles.push(role),
                None => creators.push((name, vec![role])),
            }
        }
    }
    for (i, (name, roles)) in creators.iter().enumerate() {
        let id = format!("creator-{}", i + 1);
        m.push_str(&format!("    <dc:creator id=\"{id}\">{}</dc:creator>\n", e(name)));
        for role in roles {
            m.push_str(&format!("    <meta refines=\"#{id}\" property=\"role\" {MARC}>{role}</meta>\n"));
        }
    }
    // Contributors: the articles' authors, once each, in reading order.
    let mut seen: HashSet<&str> = creators.iter().map(|(n, _)| *n).collect();
    let mut n = 0;
    for author in report.articles().flat_map(|a| a.meta.authors.iter()) {
        let name = author.name.trim();
        if name.is_empty() || !seen.insert(name) {
            continue;
        }
        n += 1;
        let id = format!("contributor-{n}");
        m.push_str(&format!("    <dc:contributor id=\"{id}\">{}</dc:contributor>\n", e(name)));
        m.push_str(&format!("    <meta refines=\"#{id}\" property=\"role\" {MARC}>ctb</meta>\n"));
    }
    if let Some(p) = book.publisher.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        m.push_str(&format!("    <dc:publisher>{}</dc:publisher>\n", e(p)));
    }
    if let Some(d) = book.date.as_deref().and_then(|d| d.get(..10)) {
        m.push_str(&format!("    <dc:date>{}</dc:date>\n", e(d)));
    }
    if let Some(d) = book.description.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        m.push_str(&format!("    <dc:description>{}</dc:description>\n", e(d)));
    }
    let mut seen_subjects = HashSet::new();
    for k in book.keywords.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        if seen_subjects.insert(k) {
            m.push_str(&format!("    <dc:subject>{}</dc:subject>\n", e(k)));
        }
    }
    if let Some(l) = book.license.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        m.push_str(&format!("    <dc:rights>{}</dc:rights>\n", e(l)));
    }
    m.push_str(&format!(
        "    <meta property=\"dcterms:modified\">{}</meta>\n",
        format_timestamp(timestamp.unwrap_or(FALLBACK_TIMESTAMP))
    ));
    if cover {
        // EPUB 2 readers find the cover this way.
        m.push_str("    <meta name=\"cover\" content=\"cover-image\"/>\n");
    }

    // Accessibility: schema.org's properties and EPUB Accessibility 1.1's
    // conformance claim, made only when it is true of this report.
    let &Contents { images, all_alt, tables, formulas, mathml, pages } = contents;
    let mut a11y = |property: &str, value: &str| {
        m.push_str(&format!("    <meta property=\"schema:{property}\">{value}</meta>\n"));
    };
    a11y("accessMode", "textual");
    if images > 0 {
        a11y("accessMode", "visual");
        a11y("accessModeSufficient", "textual,visual");
    }
    if images == 0 || all_alt {
        a11y("accessModeSufficient", "textual");
    }
    a11y("accessibilityFeature", "structuralNavigation");
    a11y("accessibilityFeature", "tableOfContents");
    a11y("accessibilityFeature", "readingOrder");
    a11y("accessibilityFeature", "displayTransformability");
    if images > 0 && all_alt {
        a11y("accessibilityFeature", "alternativeText");
    }
    if mathml > 0 {
        a11y("accessibilityFeature", "MathML");
    }
    if pages.is_some() {
        a11y("accessibilityFeature", "pageBreakMarkers");
        a11y("accessibilityFeature", "pageNavigation");
    }
    a11y("accessibilityHazard", "none");
    let claim = images == 0 || all_alt;
    let mut summary = String::from(
        "This publication has a navigable table of contents and headings nested in order; \
         its text reflows and follows the reader's settings; links are underlined.",
    );
    if images > 0 {
        summary.push_str(if all_alt {
            " Every image has a text alternative."
        } else {
            " Some images have no text alternative, so the publication does not claim conformance."
        });
    }
    if tables > 0 {
        summary.push_str(" Tables have header cells.");
    }
    if formulas > 0 && mathml == formulas {
        summary.push_str(" Mathematical formulas are in MathML, with their LaTeX source as alternative text.");
    } else if mathml > 0 {
        summary.push_str(&format!(
            " Mathematical formulas are in MathML, with their LaTeX source as alternative text, but for {} given \
             as their LaTeX source, in text.",
            formulas - mathml
        ));
    } else if formulas > 0 {
        summary.push_str(" Mathematical formulas are given as their LaTeX source, in text.");
    }
    if let Some((source, count)) = pages {
        summary.push_str(&format!(
            " A page list and page-break markers give the {count} numbered pages of the print edition ({source})."
        ));
    }
    if claim {
        summary
            .push_str(" It meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA, as checked by the tool that made it.");
    }
    m.push_str(&format!("    <meta property=\"schema:accessibilitySummary\" xml:lang=\"en\">{}</meta>\n", e(&summary)));
    if claim {
        m.push_str("    <meta property=\"dcterms:conformsTo\" id=\"conformance\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>\n");
        let certifier = book.publisher.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("coala-report");
        m.push_str(&format!(
            "    <meta property=\"a11y:certifiedBy\" refines=\"#conformance\">{}</meta>\n",
            e(certifier)
        ));
    }
    if let Some((source, _)) = pages {
        m.push_str(&format!("    <meta property=\"pageBreakSource\">{}</meta>\n", e(source)));
        m.push_str(&format!("    <dc:source id=\"page-source\">{}</dc:source>\n", e(source)));
        m.push_str("    <meta refines=\"#page-source\" property=\"source-of\">pagination</meta>\n");
    }
    m.push_str(&format!("    <meta name=\"generator\" content=\"coala-report {}\"/>\n", env!("CARGO_PKG_VERSION")));
    m.push_str("  </metadata>");
    m
}

/// The NCX, for EPUB 2 reading systems: the same entries as the nav.
fn ncx(entries: &[NavEntry], identifier: &str, title: &str, lang: &str) -> String {
    fn depth(entries: &[NavEntry]) -> usize {
        entries.iter().map(|e| 1 + depth(&e.children)).max().unwrap_or(0)
    }
    fn points(entries: &[NavEntry], order: &mut usize, indent: usize, out: &mut String) {
        for e in entries {
            *order += 1;
            let pad = "  ".repeat(indent);
            out.push_str(&format!(
                "{pad}<navPoint id=\"navPoint-{o}\" playOrder=\"{o}\">\n{pad}  <navLabel><text>{}</text></navLabel>\n{pad}  <content src=\"{}\"/>\n",
                xhtml::escape(&e.title),
                xhtml::url_attr(&e.href),
                o = *order
            ));
            points(&e.children, order, indent + 1, out);
            out.push_str(&format!("{pad}</navPoint>\n"));
        }
    }
    let e = xhtml::escape;
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n",
        e(lang)
    ));
    out.push_str("  <head>\n");
    out.push_str(&format!("    <meta name=\"dtb:uid\" content=\"{}\"/>\n", e(identifier)));
    out.push_str(&format!("    <meta name=\"dtb:depth\" content=\"{}\"/>\n", depth(entries).max(1)));
    out.push_str(
        "    <meta name=\"dtb:totalPageCount\" content=\"0\"/>\n    <meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n",
    );
    out.push_str("  </head>\n");
    out.push_str(&format!("  <docTitle><text>{}</text></docTitle>\n  <navMap>\n", e(title)));
    let mut order = 0;
    points(entries, &mut order, 2, &mut out);
    out.push_str("  </navMap>\n</ncx>\n");
    out
}

// ------------------------------------------------------------------ repack ---

/// The zip date of every entry: the timestamp, within the range zip dates
/// can hold, else 1980-01-01.
pub(crate) fn zip_date(timestamp: Option<i64>) -> zip::DateTime {
    timestamp
        .and_then(|secs| {
            let (y, m, d, h, mi, s) = crate::dates::civil_from_unix(secs);
            let y = u16::try_from(y).ok().filter(|y| (1980..=2107).contains(y))?;
            zip::DateTime::from_date_and_time(y, m, d, h, mi, s - s % 2).ok()
        })
        .unwrap_or_default()
}

/// Rewrites epub-builder's zip deterministically (see the module comment),
/// replacing the OPF's metadata, the navigation document and the NCX, and
/// declaring `with_math` (documents relative to the OPF) as having MathML.
fn repack(
    packaged: &[u8],
    timestamp: Option<i64>,
    lang: &str,
    metadata: &str,
    nav: &str,
    ncx: &str,
    with_math: &[String],
) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipArchive, ZipWriter};

    let mut archive = ZipArchive::new(Cursor::new(packaged)).map_err(|e| e.to_string())?;
    let date = zip_date(timestamp);
    let options = SimpleFileOptions::default().last_modified_time(date).unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    // The OCF: `mimetype` first, stored, without extra fields.
    writer.start_file("mimetype", options.compression_method(CompressionMethod::Stored)).map_err(|e| e.to_string())?;
    writer.write_all(b"application/epub+zip").map_err(|e| e.to_string())?;
    let mut seen_opf = false;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = file.name().to_string();
        if name == "mimetype" || file.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        let bytes = match name.as_str() {
            "OEBPS/content.opf" => {
                seen_opf = true;
                let opf = replace_metadata(&String::from_utf8_lossy(&bytes), metadata, lang)?;
                declare_mathml(&opf, with_math).into_bytes()
            }
            "OEBPS/nav.xhtml" => nav.as_bytes().to_vec(),
            "OEBPS/toc.ncx" => ncx.as_bytes().to_vec(),
            _ => bytes,
        };
        // Compressed images gain nothing from deflate.
        let lower = name.to_ascii_lowercase();
        let method = if [".png", ".jpg", ".jpeg", ".gif", ".webp"].iter().any(|e| lower.ends_with(e)) {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        writer.start_file(name, options.compression_method(method)).map_err(|e| e.to_string())?;
        writer.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    if !seen_opf {
        return Err("epub-builder wrote no OEBPS/content.opf".into());
    }
    Ok(writer.finish().map_err(|e| e.to_string())?.into_inner())
}

/// The OPF with `properties="mathml"` on the manifest items of `hrefs`.
fn declare_mathml(opf: &str, hrefs: &[String]) -> String {
    let mut out = String::with_capacity(opf.len() + 32 * hrefs.len());
    let mut rest = opf;
    while let Some(start) = rest.find("<item ") {
        let end = rest[start..].find("/>").map_or(rest.len(), |e| start + e);
        let item = &rest[start..end];
        out.push_str(&rest[..end]);
        if hrefs.iter().any(|h| item.contains(&format!("href=\"{}\"", xhtml::escape(h))))
            && !item.contains("properties=")
        {
            out.push_str(" properties=\"mathml\"");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The package document with our metadata in place of epub-builder's
/// `<metadata>`, and the publication's language on `<package>` itself
/// (Ace's epub-lang: the OPF has a language of its own).
fn replace_metadata(opf: &str, metadata: &str, lang: &str) -> Result<String, String> {
    let start = opf.find("<metadata").ok_or("the OPF has no <metadata>")?;
    let end = opf[start..].find("</metadata>").ok_or("the OPF has no </metadata>")? + start + "</metadata>".len();
    let mut out = format!("{}{}{}", &opf[..start], metadata, &opf[end..]);
    if let Some(package) = out.find("<package ")
        && !out[package..].split('>').next().unwrap_or("").contains("xml:lang=")
    {
        out.insert_str(package + "<package ".len(), &format!("xml:lang=\"{}\" ", lang.replace(['"', '<', '&'], "")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The identifier is the same UUID v5 as before the uuid crate.
    #[test]
    fn identifier_is_a_uuid_v5_of_title_and_edition() {
        let name = "coala-report:Blockchain Technologies and Internet Governance\n2016";
        let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string();
        assert_eq!(id.len(), 36);
        assert_eq!(
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"python.org").to_string(),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
    }

    #[test]
    fn mathml_is_declared_on_manifest_items_only() {
        let opf = "<manifest>\n<item media-type=\"application/xhtml+xml\" id=\"id_a.xhtml\" href=\"a.xhtml\"/>\n\
                   <item media-type=\"application/xhtml+xml\" id=\"id_b.xhtml\" href=\"b.xhtml\"/>\n</manifest>\n\
                   <guide><reference type=\"text\" title=\"A\" href=\"a.xhtml\"/></guide>";
        let out = declare_mathml(opf, &["a.xhtml".to_string()]);
        assert!(out.contains("href=\"a.xhtml\" properties=\"mathml\"/>"), "{out}");
        assert_eq!(out.matches("properties=").count(), 1, "not on b.xhtml nor the guide: {out}");
    }

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(1_481_155_200), "2016-12-08T00:00:00Z");
        assert_eq!(format_timestamp(FALLBACK_TIMESTAMP), "1980-01-01T00:00:00Z");
        assert_eq!(zip_date(None), zip::DateTime::default());
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;
    use std::io::Read;

    /// Parses XML, allowing the `<!DOCTYPE html>` of XHTML 5.
    fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
        roxmltree::Document::parse_with_options(
            text,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
    }

    const EVERYTHING: &str = r#"---
title: "Every construct <&>"
authors:
  - name: Ada Lovelace
    affiliation: Analytical Engines
language: en-GB
---

Intro with *emph*, **strong**, ~~strike~~, `code`, <kbd>Ctrl</kbd>, a [link](<https://example.org/a b> "t"),
a link to [the other article](other.md#second-section), to [itself](#a-section), to
[a missing one](missing.md), a footnote[^n] and [a link with a note[^m]](https://example.org).
Inline math $a < b$ and an image ![alt text](images/dot.png) and a remote one ![remote](https://example.org/x.png).

## A section

> A quote with **bold**.

> [!WARNING]
> Careful.

- [x] done
- [ ] not done

3. three
4. four

```rust
fn main() { println!("<&>"); }
```

$$
\frac{a}{b}
$$

| Left | Center | Right |
|:-----|:------:|------:|
| 1    | 2      | 3     |

![A figure](images/dot.png "The caption")

<script>alert(1)</script>

<div onclick="alert(1)">raw html</div>

---

#### Skipped levels

## Été à Zürich

See [the summer](#été-à-zürich) and [the other one](other.md#été).

Second use of the note[^n].

[^n]: The note, with a [link](https://example.org).
[^m]: Another note.

    With a second paragraph.
"#;

    const OTHER: &str = "# Other\n\n## Second section\n\nBack to [the first](everything.md).\n\n## Été\n";

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("report/images")).unwrap();
        std::fs::write(
            root.join("book.toml"),
            "front = [\"everything.md\"]\n[book]\ntitle = \"Test & <report>\"\nsubtitle = \"Sub\"\nedition = \"2016\"\n\
             editors = [\"Ed\"]\nauthors = [\"Au\", \"Ed\"]\npublisher = \"Pub\"\nlanguage = \"es\"\ndate = \"2016-12-08\"\n\
             description = \"D\"\nkeywords = [\"k1\", \"k2\"]\nlicense = \"CC BY 4.0\"\ncover = \"report/images/dot.png\"\n\
             [[part]]\ntitle = \"One\"\narticles = [\"other.md\"]\n",
        )
        .unwrap();
        std::fs::write(root.join("report/everything.md"), EVERYTHING).unwrap();
        std::fs::write(root.join("report/other.md"), OTHER).unwrap();
        // A 1x1 PNG.
        let png: &[u8] = &[
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
            0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
            0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0xf8, 0x0f, 0x00, 0x01, 0x04, 0x01, 0x00,
            0x5f, 0xe5, 0xc3, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ];
        std::fs::write(root.join("report/images/dot.png"), png).unwrap();
        dir
    }

    fn entries(bytes: &[u8]) -> Vec<(String, zip::CompressionMethod, String)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut f = archive.by_index(i).unwrap();
                let mut text = Vec::new();
                f.read_to_end(&mut text).unwrap();
                (f.name().to_string(), f.compression(), String::from_utf8_lossy(&text).into_owned())
            })
            .collect()
    }

    #[test]
    fn builds_a_valid_reproducible_epub() {
        let dir = fixture();
        let loaded = crate::passes::load(dir.path(), None).unwrap();
        assert!(!loaded.diagnostics.iter().any(|d| d.is_error()), "{:?}", loaded.diagnostics);
        let one =
            build(&loaded.report, &loaded.manifest, &loaded.root, Some(1_481_155_200), Rendered::default()).unwrap();
        let two =
            build(&loaded.report, &loaded.manifest, &loaded.root, Some(1_481_155_200), Rendered::default()).unwrap();
        assert!(one == two, "two builds differ");
        let other_time =
            build(&loaded.report, &loaded.manifest, &loaded.root, Some(1_500_000_000), Rendered::default()).unwrap();
        assert!(one != other_time);

        let files = entries(&one);
        assert_eq!(files[0].0, "mimetype");
        assert_eq!(files[0].1, zip::CompressionMethod::Stored);
        assert_eq!(files[0].2, "application/epub+zip");
        // The local file header of the first entry: `mimetype` at offset 30, no extra field.
        assert_eq!(&one[30..38], b"mimetype");
        assert_eq!(&one[28..30], &[0, 0]);

        let get = |name: &str| files.iter().find(|f| f.0 == name).unwrap_or_else(|| panic!("no {name}")).2.clone();
        let opf = get("OEBPS/content.opf");
        parse_xml(&opf).unwrap();
        assert_eq!(opf.matches("dcterms:modified").count(), 1);
        for expect in [
            "<meta property=\"dcterms:modified\">2016-12-08T00:00:00Z</meta>",
            "<dc:language>es</dc:language>",
            "<dc:title id=\"title\">Test &amp; &lt;report&gt;</dc:title>",
            "<dc:creator id=\"creator-1\">Au</dc:creator>",
            "<meta refines=\"#creator-2\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n    <meta refines=\"#creator-2\" property=\"role\" scheme=\"marc:relators\">edt</meta>",
            "<dc:contributor id=\"contributor-1\">Ada Lovelace</dc:contributor>",
            "<dc:publisher>Pub</dc:publisher>",
            "<dc:subject>k2</dc:subject>",
            "<dc:rights>CC BY 4.0</dc:rights>",
            "properties=\"cover-image\"",
            "<meta property=\"schema:accessibilityHazard\">none</meta>",
            "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
            "<dc:identifier id=\"epub-id-1\">urn:uuid:",
        ] {
            assert!(opf.contains(expect), "expected {expect} in\n{opf}");
        }

        let nav = get("OEBPS/nav.xhtml");
        parse_xml(&nav).unwrap();
        for expect in [
            "href=\"everything.xhtml\"",
            "href=\"other.xhtml\"",
            "href=\"part_1.xhtml\">Parte 1. One</a>",
            "href=\"everything.xhtml#everything.a-section\"",
            "epub:type=\"cover\"",
            "epub:type=\"toc\"",
            "epub:type=\"bodymatter\" href=\"part_1.xhtml\"",
            "lang=\"es\" xml:lang=\"es\"",
        ] {
            assert!(nav.contains(expect), "expected {expect} in\n{nav}");
        }
        parse_xml(&get("OEBPS/toc.ncx")).unwrap();

        let mut ids = HashSet::new();
        for (name, _, text) in files.iter().filter(|f| f.0.ends_with(".xhtml")) {
            let doc = parse_xml(text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            assert!(doc.root_element().attribute("lang").is_some(), "{name}");
            for id in doc.descendants().filter_map(|n| n.attribute("id")) {
                assert!(ids.insert(id.to_string()), "id {id} is not unique in the book ({name})");
            }
        }
        let article = get("OEBPS/everything.xhtml");
        for expect in [
            "lang=\"en-GB\" xml:lang=\"en-GB\"",
            "<a class=\"internal\" href=\"other.xhtml#other.second-section\">the other article</a>",
            "<a class=\"internal\" href=\"#everything.a-section\">itself</a>",
            "a missing one",
            "<img src=\"images/dot.png\" alt=\"alt text\"/>",
            "<span class=\"image-unavailable\">remote</span>",
            "<a class=\"external\" href=\"https://example.org/a%20b\">link</a>",
            "<figcaption><span class=\"caption-number\">Figura\u{a0}1.</span> The caption</figcaption>",
            "epub:type=\"noteref\"",
            "<aside class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\" id=\"everything.fn.1\">",
            "href=\"#everything.ref.1.2\"",
            "<h2 id=\"everything.été-à-zürich\">Été à Zürich</h2>",
            "<a class=\"internal\" href=\"#everything.été-à-zürich\">the summer</a>",
            "<a class=\"internal\" href=\"other.xhtml#other.été\">the other one</a>",
        ] {
            assert!(article.contains(expect), "expected {expect} in\n{article}");
        }
        assert!(!article.contains("<script"), "{article}");
        assert!(!article.contains("onclick"), "{article}");
        assert!(!article.contains("missing.md"), "{article}");
        assert!(get("OEBPS/other.xhtml").contains("<a class=\"internal\" href=\"everything.xhtml\">the first</a>"));
    }

    #[test]
    fn a_missing_image_is_an_error_naming_the_line() {
        let dir = fixture();
        let loaded = crate::passes::load(dir.path(), None).unwrap();
        std::fs::remove_file(dir.path().join("report/images/dot.png")).unwrap();
        let errors = build(&loaded.report, &loaded.manifest, &loaded.root, None, Rendered::default()).unwrap_err();
        let md = Some(std::path::Path::new("report/everything.md"));
        let image = errors.iter().find(|d| d.file.as_deref() == md).expect("an error in the article");
        assert!(image.message.contains("images/dot.png"), "{image}");
        assert_eq!(image.line, Some(12));
        assert!(
            errors
                .iter()
                .any(|d| d.file.as_deref() == Some(std::path::Path::new("book.toml")) && d.message.contains("cover"))
        );
    }
}
