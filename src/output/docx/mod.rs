//! The Word edition: `report.docx`, and one proof per article for its
//! authors to answer in Word.
//!
//! WordprocessingML is written by hand, as strings (`document` walks the
//! model as `output::xhtml` does; `styles` holds the styles, numbering and
//! settings; `omml` converts the formulas' LaTeX into Word equations), so
//! that every part is what the report needs: Word's built-in heading
//! styles, footnotes as Word footnotes, lists through numbering
//! definitions, tables with repeating header rows, bookmarks for internal
//! links, alt text on images, languages and directions on runs.
//!
//! A proof marks every paragraph with a hidden bookmark naming its source
//! line ([`document::SOURCE_MARK`]) and records its article, its source
//! file and that file's SHA-256 in the custom properties
//! ([`PROOF_PROPERTIES`]), which `coala-report review` reads back.
//!
//! The package is byte-reproducible: parts in a fixed order, every entry
//! dated from the build's timestamp, nothing from the clock.

pub mod document;
pub mod omml;
pub mod styles;
pub mod xml;

use std::io::{Cursor, Write as _};

use crate::config::{Manifest, Paper};
use crate::fsutil::Root;
use crate::model::{Article, Placement, Report};
use crate::passes::cite::Pages;
use crate::words::Labels;
use document::{Doc, Writer};
use xml::{DECLARATION, escape};

/// The custom properties of a proof: marker, report title, edition,
/// article id, source file (relative to the report root) and its SHA-256.
pub const PROOF_PROPERTIES: [&str; 6] = [
    "coala-report-proof",
    "coala-report-title",
    "coala-report-edition",
    "coala-report-article",
    "coala-report-source",
    "coala-report-source-sha256",
];

/// The folder of an edition's proofs: `docx`, `docx.es`.
pub fn proofs_dir(tag: Option<&str>) -> String {
    match tag {
        None => "docx".into(),
        Some(tag) => format!("docx.{tag}"),
    }
}

/// What a proof records of its source.
pub struct ProofOf<'a> {
    /// The article's pages in the PDF edition, and that PDF's file name.
    pub pages: Option<(&'a Pages, String)>,
    pub edition: Option<&'a str>,
    /// The SHA-256 of the article's source file, in hex.
    pub sha256: String,
}

/// Page size and margins (twips), and the text width in EMU.
fn page(manifest: &Manifest) -> (String, u64) {
    let (w, h) = match manifest.build.pdf.paper {
        Some(Paper::UsLetter) => (12240, 15840),
        _ => (11906, 16838),
    };
    let margin = 1440;
    let sect = format!(
        "<w:footerReference w:type=\"default\" r:id=\"rFooter\"/><w:footnotePr><w:numRestart w:val=\"eachSect\"/></w:footnotePr><w:pgSz w:w=\"{w}\" w:h=\"{h}\"/><w:pgMar w:top=\"{margin}\" w:right=\"{margin}\" w:bottom=\"{margin}\" w:left=\"{margin}\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>"
    );
    (sect, (w - 2 * margin) as u64 * 635)
}

/// A paragraph that ends a section (the next starts on a new page).
fn section_break(doc: &Doc) -> String {
    format!("<w:p><w:pPr><w:sectPr>{}</w:sectPr></w:pPr></w:p>", doc.section)
}

/// The whole report as one Word document.
pub fn report(report: &Report, manifest: &Manifest, root: &Root, timestamp: Option<i64>) -> Vec<u8> {
    let book = &manifest.book;
    let labels = Labels::for_language(&book.language);
    let (section, width) = page(manifest);
    let mut doc = Doc::new(root, &labels, &book.language, false, section, width);
    doc.articles = report.articles().map(|a| a.id.clone()).collect();
    let mut body = title_page(manifest, &labels);
    body.push_str(&contents(&labels));
    body.push_str(&section_break(&doc));
    let mut pieces: Vec<String> = Vec::new();
    for article in &report.front {
        pieces.push(article_xml(&mut doc, article, 0, None));
    }
    for part in &report.parts {
        let mut p = String::new();
        let title = labels.part_title(part);
        let mark = doc.bookmark_xml(&document::bookmark(&format!("part{}", part.number), None));
        let _ = std::fmt::Write::write_fmt(
            &mut p,
            format_args!(
                "<w:p><w:pPr><w:pStyle w:val=\"PartTitle\"/></w:pPr>{mark}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                escape(&title)
            ),
        );
        pieces.push(p);
        for article in &part.articles {
            pieces.push(article_xml(&mut doc, article, 1, None));
        }
    }
    for article in &report.back {
        pieces.push(article_xml(&mut doc, article, 0, None));
    }
    let last = pieces.len();
    for (i, piece) in pieces.into_iter().enumerate() {
        body.push_str(&piece);
        if i + 1 < last {
            body.push_str(&section_break(&doc));
        }
    }
    let authors = book.authors.join("; ");
    let core =
        core_properties(&book.title, &authors, &book.language, &book.keywords, book.description.as_deref(), timestamp);
    package(doc, &body, core, None, timestamp)
}

/// One article's proof.
pub fn proof(article: &Article, manifest: &Manifest, root: &Root, of: &ProofOf, timestamp: Option<i64>) -> Vec<u8> {
    let book = &manifest.book;
    let labels = Labels::for_language(&book.language);
    let (section, width) = page(manifest);
    let mut doc = Doc::new(root, &labels, &book.language, true, section, width);
    doc.articles.insert(article.id.clone());
    let mut note = format!("{} — {}", book.title, article.src_rel);
    if let Some((pages, pdf)) = &of.pages {
        note = format!("{} — {} {} ({pdf}) — {}", book.title, labels.pages_abbr, pages.range(), article.src_rel);
    }
    // The note is the page header: on every page, and outside the text
    // an import reads.
    doc.section = format!("<w:headerReference w:type=\"default\" r:id=\"rHeader\"/>{}", doc.section);
    let body = article_xml(&mut doc, article, 0, None);
    let lang = crate::output::xhtml::article_lang(article, &book.language).to_string();
    let authors: Vec<&str> = article.meta.authors.iter().map(|a| a.name.as_str()).collect();
    let core = core_properties(
        &article.title_text(),
        &authors.join("; "),
        &lang,
        &article.meta.keywords,
        article.meta.abstract_.as_deref(),
        timestamp,
    );
    let values = [
        "1".to_string(),
        book.title.clone(),
        of.edition.unwrap_or_default().to_string(),
        article.id.clone(),
        article.path.to_string_lossy().replace('\\', "/"),
        of.sha256.clone(),
    ];
    let custom: Vec<(&str, String)> = PROOF_PROPERTIES.iter().copied().zip(values).collect();
    package(doc, &body, core, Some((custom, note)), timestamp)
}

/// One article's XML: its title as `heading N` in the report (`Title` in
/// a proof), its sections below.
fn article_xml(doc: &mut Doc, article: &Article, depth: u8, note: Option<&str>) -> String {
    if doc.proof {
        let mut w = Writer::new(doc, article, 0);
        w.article("Title", note);
        return w.finish();
    }
    let depth = if article.placement == Placement::Front || article.placement == Placement::Back { 0 } else { depth };
    let title = format!("Heading{}", depth + 1);
    let mut w = Writer::new(doc, article, depth + 1);
    w.article(&title, note);
    w.finish()
}

fn para(style: &str, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        escape(text)
    )
}

fn title_page(manifest: &Manifest, labels: &Labels) -> String {
    let book = &manifest.book;
    let mut b = para("Title", &book.title);
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(s) = nonempty(&book.subtitle) {
        b.push_str(&para("Subtitle", &s));
    }
    if let Some(e) = nonempty(&book.edition) {
        b.push_str(&para("Subtitle", &e));
    }
    for a in &book.authors {
        b.push_str(&para("Author", a));
    }
    if !book.editors.is_empty() {
        b.push_str(&para("Author", &format!("{} {}", labels.edited_by, book.editors.join(", "))));
    }
    for s in [nonempty(&book.publisher), nonempty(&book.date), nonempty(&book.license)].into_iter().flatten() {
        b.push_str(&para("Date", &s));
    }
    b
}

/// A table of contents field (Word fills it in when asked to update it).
fn contents(labels: &Labels) -> String {
    format!(
        "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Table of Contents\"/><w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>{}<w:p><w:r><w:fldChar w:fldCharType=\"begin\" w:dirty=\"true\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-2\" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>…</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:sdtContent></w:sdt>",
        para("TOCHeading", labels.contents)
    )
}

/// A W3CDTF date from Unix seconds.
fn w3cdtf(secs: i64) -> String {
    let (y, m, d, h, mi, s) = crate::dates::civil_from_unix(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

fn core_properties(
    title: &str,
    creator: &str,
    lang: &str,
    keywords: &[String],
    description: Option<&str>,
    timestamp: Option<i64>,
) -> String {
    let mut s = format!(
        "{DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>{}</dc:language><cp:keywords>{}</cp:keywords>",
        escape(title),
        escape(creator),
        escape(lang),
        escape(&keywords.join(", "))
    );
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        s.push_str(&format!("<dc:description>{}</dc:description>", escape(d.trim())));
    }
    if let Some(t) = timestamp {
        let date = w3cdtf(t);
        s.push_str(&format!(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>"
        ));
    }
    s.push_str("</cp:coreProperties>");
    s
}

fn custom_properties(props: &[(&str, String)]) -> String {
    let mut s = format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
    );
    for (i, (name, value)) in props.iter().enumerate() {
        s.push_str(&format!(
            "<property fmtid=\"{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}\" pid=\"{}\" name=\"{}\"><vt:lpwstr>{}</vt:lpwstr></property>",
            i + 2,
            escape(name),
            escape(value)
        ));
    }
    s.push_str("</Properties>");
    s
}

/// The package: every part, in a fixed order, dated from `timestamp`.
fn package(
    doc: Doc,
    body: &str,
    core: String,
    proof: Option<(Vec<(&str, String)>, String)>,
    timestamp: Option<i64>,
) -> Vec<u8> {
    let (custom, header) = match proof {
        Some((custom, note)) => (Some(custom), Some(note)),
        None => (None, None),
    };
    let ns = xml::namespaces();
    let document = format!(
        "{DECLARATION}<w:document {ns}><w:body>{body}<w:sectPr>{}</w:sectPr></w:body></w:document>",
        doc.section
    );
    let mut footnotes = format!(
        "{DECLARATION}<w:footnotes {ns}><w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    );
    for note in &doc.footnotes {
        footnotes.push_str(note);
    }
    footnotes.push_str("</w:footnotes>");
    let footer = format!(
        "{DECLARATION}<w:ftr {ns}><w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:ftr>"
    );
    let header = header.map(|note| {
        format!(
            "{DECLARATION}<w:hdr {ns}><w:p><w:pPr><w:pStyle w:val=\"ProofNote\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:hdr>",
            escape(&note)
        )
    });
    let rel = |id: &str, kind: &str, target: &str, external: bool| {
        format!(
            "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{}\"{}/>",
            escape(target),
            if external { " TargetMode=\"External\"" } else { "" }
        )
    };
    const OD: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut doc_rels =
        format!("{DECLARATION}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for (id, kind, target) in [
        ("rStyles", "styles", "styles.xml"),
        ("rNumbering", "numbering", "numbering.xml"),
        ("rFootnotes", "footnotes", "footnotes.xml"),
        ("rSettings", "settings", "settings.xml"),
        ("rFonts", "fontTable", "fontTable.xml"),
        ("rFooter", "footer", "footer1.xml"),
    ] {
        doc_rels.push_str(&rel(id, &format!("{OD}/{kind}"), target, false));
    }
    if header.is_some() {
        doc_rels.push_str(&rel("rHeader", &format!("{OD}/header"), "header1.xml", false));
    }
    for (id, kind, target, external) in &doc.rels {
        doc_rels.push_str(&rel(id, kind, target, *external));
    }
    doc_rels.push_str("</Relationships>");
    let mut root_rels = format!(
        "{DECLARATION}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{}{}{}",
        rel("rDocument", &format!("{OD}/officeDocument"), "word/document.xml", false),
        rel(
            "rCore",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
            false
        ),
        rel("rApp", &format!("{OD}/extended-properties"), "docProps/app.xml", false),
    );
    if custom.is_some() {
        root_rels.push_str(&rel("rCustom", &format!("{OD}/custom-properties"), "docProps/custom.xml", false));
    }
    root_rels.push_str("</Relationships>");
    const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let mut types = format!(
        "{DECLARATION}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    );
    for (ext, mime) in [
        ("png", "image/png"),
        ("jpeg", "image/jpeg"),
        ("jpg", "image/jpeg"),
        ("gif", "image/gif"),
        ("svg", "image/svg+xml"),
        ("webp", "image/webp"),
    ] {
        types.push_str(&format!("<Default Extension=\"{ext}\" ContentType=\"{mime}\"/>"));
    }
    for (part, kind) in [
        ("/word/document.xml", format!("{WML}.document.main+xml")),
        ("/word/styles.xml", format!("{WML}.styles+xml")),
        ("/word/numbering.xml", format!("{WML}.numbering+xml")),
        ("/word/footnotes.xml", format!("{WML}.footnotes+xml")),
        ("/word/settings.xml", format!("{WML}.settings+xml")),
        ("/word/fontTable.xml", format!("{WML}.fontTable+xml")),
        ("/word/footer1.xml", format!("{WML}.footer+xml")),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml".to_string()),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml".to_string()),
    ] {
        types.push_str(&format!("<Override PartName=\"{part}\" ContentType=\"{kind}\"/>"));
    }
    if header.is_some() {
        types.push_str(&format!("<Override PartName=\"/word/header1.xml\" ContentType=\"{WML}.header+xml\"/>"));
    }
    if custom.is_some() {
        types.push_str("<Override PartName=\"/docProps/custom.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.custom-properties+xml\"/>");
    }
    types.push_str("</Types>");
    let app = format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>coala-report {}</Application></Properties>",
        env!("CARGO_PKG_VERSION")
    );
    let fonts = styles::Fonts::default();
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), types.into_bytes()),
        ("_rels/.rels".into(), root_rels.into_bytes()),
        ("docProps/core.xml".into(), core.into_bytes()),
        ("docProps/app.xml".into(), app.into_bytes()),
    ];
    if let Some(custom) = &custom {
        parts.push(("docProps/custom.xml".into(), custom_properties(custom).into_bytes()));
    }
    parts.extend([
        ("word/document.xml".into(), document.into_bytes()),
        ("word/_rels/document.xml.rels".into(), doc_rels.into_bytes()),
        ("word/styles.xml".into(), styles::styles(doc.lang, &fonts).into_bytes()),
        ("word/numbering.xml".into(), styles::numbering(&doc.nums).into_bytes()),
        ("word/footnotes.xml".into(), footnotes.into_bytes()),
        ("word/settings.xml".into(), styles::settings(doc.lang).into_bytes()),
        ("word/fontTable.xml".into(), styles::font_table(&fonts).into_bytes()),
        ("word/footer1.xml".into(), footer.into_bytes()),
    ]);
    if let Some(header) = header {
        parts.push(("word/header1.xml".into(), header.into_bytes()));
    }
    for (name, bytes) in doc.media {
        parts.push((format!("word/media/{name}"), bytes));
    }
    zip(parts, timestamp)
}

fn zip(parts: Vec<(String, Vec<u8>)>, timestamp: Option<i64>) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};
    let options = SimpleFileOptions::default()
        .last_modified_time(crate::output::epub::zip_date(timestamp))
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let stored = [".png", ".jpg", ".jpeg", ".gif", ".webp"].iter().any(|e| name.ends_with(e));
        let method = if stored { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        // Writing to memory does not fail.
        if writer.start_file(name, options.compression_method(method)).is_ok() {
            let _ = writer.write_all(&bytes);
        }
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A PNG of an SVG image, at twice its size, for the readers that show no
/// SVG (Word before 2016, Pandoc), with the embedded fonts only (the same
/// on every machine); `None` when it cannot be drawn.
pub fn svg_fallback(bytes: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    // The report and every proof show the same images: each is drawn once.
    type Drawn = Mutex<HashMap<[u8; 32], Option<Vec<u8>>>>;
    static DRAWN: OnceLock<Drawn> = OnceLock::new();
    let key: [u8; 32] = sha2::Sha256::digest(bytes).into();
    let drawn = DRAWN.get_or_init(Default::default);
    if let Some(png) = drawn.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return png.clone();
    }
    let png = draw_svg(bytes);
    drawn.lock().unwrap_or_else(|e| e.into_inner()).insert(key, png.clone());
    png
}

fn draw_svg(bytes: &[u8]) -> Option<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    use std::sync::{Arc, OnceLock};
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    let fontdb = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        let mut seen = std::collections::HashSet::new();
        for (font, _) in typst_kit::fonts::embedded() {
            let data = font.data();
            if seen.insert(data.as_ptr() as usize) {
                db.load_font_data(data.to_vec());
            }
        }
        db.set_serif_family("Libertinus Serif");
        db.set_sans_serif_family("Libertinus Serif");
        db.set_monospace_family("DejaVu Sans Mono");
        Arc::new(db)
    });
    let options = usvg::Options { fontdb: fontdb.clone(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_data(bytes, &options).ok()?;
    let size = tree.size();
    let scale = (2.0f32).min(4000.0 / size.width().max(size.height()).max(1.0));
    let w = (size.width() * scale).ceil() as u32;
    let h = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(w, h)?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().ok()
}

/// An image's size in pixels (at 96 per inch), from its header.
pub fn image_size(bytes: &[u8], ext: &str) -> Option<(u64, u64)> {
    let be = |b: &[u8]| b.iter().fold(0u64, |n, &x| n << 8 | x as u64);
    match ext {
        "png" if bytes.len() >= 24 => Some((be(&bytes[16..20]), be(&bytes[20..24]))),
        "gif" if bytes.len() >= 10 => {
            Some((u16::from_le_bytes([bytes[6], bytes[7]]) as u64, u16::from_le_bytes([bytes[8], bytes[9]]) as u64))
        }
        "jpg" | "jpeg" => {
            let mut i = 2;
            while i + 9 < bytes.len() {
                if bytes[i] != 0xFF {
                    return None;
                }
                let marker = bytes[i + 1];
                let len = be(&bytes[i + 2..i + 4]) as usize;
                if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                    return Some((be(&bytes[i + 7..i + 9]), be(&bytes[i + 5..i + 7])));
                }
                i += 2 + len;
            }
            None
        }
        "svg" => {
            let text = std::str::from_utf8(bytes).ok()?;
            let doc = roxmltree::Document::parse_with_options(
                text,
                roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() },
            )
            .ok()?;
            let svg = doc.root_element();
            let length = |v: &str| -> Option<f64> {
                let v = v.trim();
                let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic() || c == '%').unwrap_or(v.len()));
                let n: f64 = num.trim().parse().ok()?;
                Some(match unit {
                    "" | "px" => n,
                    "pt" => n * 96.0 / 72.0,
                    "mm" => n * 96.0 / 25.4,
                    "cm" => n * 96.0 / 2.54,
                    "in" => n * 96.0,
                    _ => return None,
                })
            };
            let from_attrs = svg.attribute("width").and_then(length).zip(svg.attribute("height").and_then(length));
            let from_box = svg.attribute("viewBox").and_then(|b| {
                let v: Vec<f64> = b.split([' ', ',']).filter_map(|x| x.trim().parse().ok()).collect();
                (v.len() == 4).then(|| (v[2], v[3]))
            });
            let (w, h) = from_attrs.or(from_box)?;
            (w > 0.0 && h > 0.0).then_some((w.round() as u64, h.round() as u64))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sizes_from_headers() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400"></svg>"#;
        assert_eq!(image_size(svg, "svg"), Some((800, 400)));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="72pt" height="1in"></svg>"#;
        assert_eq!(image_size(svg, "svg"), Some((96, 96)));
        let mut png = vec![0u8; 24];
        png[16..20].copy_from_slice(&640u32.to_be_bytes());
        png[20..24].copy_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_size(&png, "png"), Some((640, 480)));
    }

    #[test]
    fn bookmarks_are_what_word_accepts() {
        assert_eq!(document::bookmark("smart-contracts", Some("fig-1")), "smart_contracts_fig_1");
        let long = document::bookmark("a-very-long-article-identifier", Some("and-a-long-heading-slug-too"));
        assert_eq!(long.len(), 40);
        assert!(document::bookmark("2016", None).starts_with('a'));
    }
}
