//! Word documents (`.docx`) into the document model, as the markdown reader
//! makes it: the package is read into a Word model first (styles,
//! numbering, notes, comments, relationships: `package`, `styles`), then
//! the body is converted (`body`, with equations through `omml`). Every
//! output, pass and diagnostic then applies unchanged; `coala-report
//! import` writes the same model out as markdown.
//!
//! A package is untrusted input: sizes are capped, part names that leave
//! the package are refused, XML has no DTD, nesting is bounded, and
//! nothing is ever written outside the folder the caller chooses.

mod body;
mod csl;
mod omml;
mod package;
mod styles;

use std::collections::HashMap;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::lint;
use crate::model::{Block, BlockKind, Footnote, FrontMatter, Inline, LinkDest};

pub use body::first_words;
pub use csl::to_bibtex;
pub use package::{Package, parse_xml};

/// The prefix of the bookmarks that mark where a proof's paragraph comes
/// from: `_src<line>_<n>` (hidden bookmarks, which Word and LibreOffice
/// keep through editing). The Word edition writes them; reading skips them.
pub const SOURCE_MARK: &str = "_src";
use package::{attr, name};

/// What to do with tracked changes (`--track-changes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TrackChanges {
    /// Insertions kept, deletions dropped: the document as it would read
    /// once every change is accepted.
    #[default]
    Accept,
    /// The document as it was before the changes.
    Reject,
    /// Both: deletions struck through.
    Keep,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub track_changes: TrackChanges,
}

/// An image embedded in the package, by its file name (unique per
/// document); the article refers to it as `<media prefix>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A reviewer's comment and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The paragraph (the block line) it is attached to.
    pub line: usize,
    pub author: String,
    pub date: String,
    /// The words it comments on.
    pub words: String,
    pub text: String,
}

/// A Word document, converted.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Title, subtitle, authors, date, abstract, keywords, from the title
    /// paragraphs and the package's properties.
    pub meta: FrontMatter,
    /// The title as inlines, when the document has one.
    pub title: Option<Vec<Inline>>,
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    pub anchors: Vec<String>,
    pub media: Vec<Media>,
    pub comments: Vec<Comment>,
    /// The works cited through Zotero or Mendeley, as CSL JSON items whose
    /// `id` is the key the text cites.
    pub references: Vec<serde_json::Value>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the Word document `bytes` (shown as `shown` in diagnostics); its
/// images are referred to as `media_prefix/NAME`. `Err` when the file
/// cannot be read as a Word document at all.
pub fn read(bytes: &[u8], shown: &Path, media_prefix: &str, options: Options) -> Result<Imported, Diagnostic> {
    let fail = |message: String, hint: &str| {
        Diagnostic::new(&lint::INVALID_DOCX, message).with_file(shown).with_hint(hint.to_string())
    };
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        // An OLE compound file: Word's encryption wraps the package in one;
        // otherwise it is an old binary .doc renamed.
        let utf16 = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
        let encrypted = bytes.windows(28).any(|w| w == utf16("EncryptionInfo").as_slice());
        return Err(if encrypted {
            fail(
                format!("`{}` is protected by a password, and its text is encrypted", shown.display()),
                "open it in Word and remove the password (File › Info › Protect Document › Encrypt with Password: clear it), then save",
            )
        } else {
            fail(
                format!("`{}` is an old Word document (.doc) with a .docx name", shown.display()),
                "open it in Word or LibreOffice and save it as a Word document (.docx)",
            )
        });
    }
    let pkg = Package::open(bytes).map_err(|e| {
        fail(
            format!("`{}` cannot be read: {}", shown.display(), e.0),
            "open it in Word or LibreOffice and save it again as a Word document (.docx)",
        )
    })?;
    let main = pkg.main_part().ok_or_else(|| {
        fail(
            format!("`{}` is a zip but not a Word document (no word/document.xml)", shown.display()),
            "save the file as a Word document (.docx)",
        )
    })?;
    let text = pkg.text(&main).ok_or_else(|| {
        fail(format!("the document part of `{}` is not UTF-8 text", shown.display()), "save it again in Word")
    })?;
    let doc = parse_xml(&text).map_err(|e| {
        fail(
            format!("the document part of `{}` is not well-formed XML: {e}", shown.display()),
            "open it in Word or LibreOffice and save it again",
        )
    })?;
    let body_node = doc
        .root()
        .descendants()
        .find(|n| n.is_element() && name(*n) == "body")
        .ok_or_else(|| fail(format!("`{}` has no document body", shown.display()), "save it again in Word"))?;

    let rels = pkg.relationships(&main);
    let part_of = |kind: &str, default: &str| -> String {
        rels.values()
            .find(|r| r.kind == kind)
            .and_then(|r| match &r.target {
                package::Target::Part(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap_or_else(|| default.to_string())
    };
    let styles_text = pkg.text(&part_of("styles", "word/styles.xml"));
    let numbering_text = pkg.text(&part_of("numbering", "word/numbering.xml"));
    let footnotes_part = part_of("footnotes", "word/footnotes.xml");
    let endnotes_part = part_of("endnotes", "word/endnotes.xml");
    let comments_part = part_of("comments", "word/comments.xml");
    let footnotes_text = pkg.text(&footnotes_part);
    let endnotes_text = pkg.text(&endnotes_part);
    let comments_text = pkg.text(&comments_part);
    let core_text = pkg.text("docProps/core.xml");

    let mut warnings = Vec::new();
    if !pkg.refused.is_empty() {
        warnings.push(
            Diagnostic::new(
                &lint::DOCX_CONTENT,
                format!(
                    "the package has parts whose names leave it (`{}`); they are not read",
                    pkg.refused.join("`, `")
                ),
            )
            .with_file(shown)
            .with_hint("the document is damaged or crafted: open it in Word and save it again"),
        );
    }
    let footnotes_doc = parse_part(footnotes_text.as_deref(), "footnotes", shown, &mut warnings);
    let endnotes_doc = parse_part(endnotes_text.as_deref(), "endnotes", shown, &mut warnings);
    let comments_doc = parse_part(comments_text.as_deref(), "comments", shown, &mut warnings);

    let styles = styles::Styles::parse(styles_text.as_deref());
    let numbering = styles::Numbering::parse(numbering_text.as_deref());
    let base_lang = dominant_language(body_node, styles_text.as_deref().and_then(default_language));
    let mut conv = body::Conv::new(&pkg, styles, numbering, rels.clone(), shown, media_prefix.to_string(), options);
    conv.base_lang = base_lang;
    conv.notes_rels = (pkg.relationships(&footnotes_part), pkg.relationships(&endnotes_part));
    for (doc, end) in [(&footnotes_doc, false), (&endnotes_doc, true)] {
        let Some(doc) = doc else { continue };
        for note in doc.root().descendants().filter(|n| n.is_element() && matches!(name(*n), "footnote" | "endnote")) {
            if attr(note, "type").is_some_and(|t| t != "normal") {
                continue;
            }
            if let Some(id) = attr(note, "id") {
                conv.notes.insert((end, id.to_string()), note);
            }
        }
    }
    if let Some(doc) = &comments_doc {
        for c in doc.root().descendants().filter(|n| n.is_element() && name(*n) == "comment") {
            let Some(id) = attr(c, "id") else { continue };
            let text = c
                .descendants()
                .filter(|n| n.is_element() && name(*n) == "p")
                .map(|p| {
                    p.descendants()
                        .filter(|t| t.is_element() && name(*t) == "t")
                        .filter_map(|t| t.text())
                        .collect::<String>()
                })
                .filter(|t| !t.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" / ");
            let author = attr(c, "author").unwrap_or("an unknown reviewer").to_string();
            conv.comments_text.insert(id.to_string(), (author, attr(c, "date").unwrap_or("").to_string(), text));
        }
    }

    let mut blocks = conv.blocks(body_node, 0);
    warnings.append(&mut conv.warnings);

    // Cross-references to a caption's bookmark are references to its
    // figure or table; headings start at level 1, as in markdown.
    let labels = std::mem::take(&mut conv.caption_labels);
    let min_level = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut math_failures = Vec::new();
    let mut fix_block = |block: &mut Block| {
        if let BlockKind::Heading { level, .. } = &mut block.kind {
            *level = (*level + 1).saturating_sub(min_level).clamp(1, 6);
        }
        if let BlockKind::Math { tex, typst } = &mut block.kind {
            *typst = convert_math(tex, block.line, &mut math_failures);
        }
        let line = block.line;
        for run in block_inlines_mut(block) {
            fix_inlines(run, &labels, line, &mut math_failures);
        }
    };
    for b in &mut blocks {
        visit(b, &mut fix_block);
    }
    let mut footnotes = std::mem::take(&mut conv.footnotes);
    for note in &mut footnotes {
        for b in &mut note.blocks {
            visit(b, &mut fix_block);
        }
    }
    for (tex, line, why) in math_failures {
        warnings.push(
            Diagnostic::new(&lint::UNKNOWN_MATH, format!("cannot typeset the equation `{tex}`: {why}"))
                .with_file(shown)
                .with_line(line)
                .with_hint("rewrite the equation in Word's equation editor with simpler structures"),
        );
    }

    let (meta, title) = front_matter(&mut conv, core_text.as_deref(), &mut blocks);
    Ok(Imported {
        meta,
        title,
        blocks,
        footnotes,
        anchors: std::mem::take(&mut conv.anchors),
        media: std::mem::take(&mut conv.media),
        comments: std::mem::take(&mut conv.comments),
        references: std::mem::take(&mut conv.references),
        warnings,
    })
}

/// The title, subtitle, authors, date, abstract and keywords: the title
/// paragraphs, then the package's properties; a level-1 heading that opens
/// the document is the title when there is none (and one that repeats the
/// title is not printed twice).
fn front_matter(
    conv: &mut body::Conv<'_, '_>,
    core_text: Option<&str>,
    blocks: &mut Vec<Block>,
) -> (FrontMatter, Option<Vec<Inline>>) {
    let core = core_text.map(core_properties).unwrap_or_default();
    let mut title = conv.meta_title.take().filter(|t| !crate::model::plain_text(t).trim().is_empty());
    if title.is_none()
        && let Some(t) = core.get("title").filter(|t| !t.trim().is_empty())
    {
        title = Some(vec![Inline::Text(t.trim().to_string())]);
    }
    if title.is_none()
        && let Some(i) = blocks.iter().position(|b| !matches!(b.kind, BlockKind::Anchor(_)))
        && let BlockKind::Heading { level: 1, content, .. } = &blocks[i].kind
    {
        // As in markdown: without a title, a level-1 heading that opens
        // the document is it (not one further on, such as "References").
        title = Some(content.clone());
        blocks.remove(i);
    } else if let Some(t) = &title {
        // A first level-1 heading that repeats the title is not printed twice.
        let text = crate::model::plain_text(t);
        if let Some(i) = blocks.iter().position(|b| matches!(b.kind, BlockKind::Heading { .. }))
            && let BlockKind::Heading { level: 1, content, .. } = &blocks[i].kind
            && crate::model::plain_text(content).trim() == text.trim()
        {
            blocks.remove(i);
        }
    }
    let mut meta = FrontMatter {
        title: title.as_ref().map(|t| crate::model::plain_text(t).trim().to_string()),
        subtitle: conv.meta_subtitle.take(),
        date: conv
            .meta_date
            .take()
            .and_then(|d| iso_date(&d))
            .or_else(|| core.get("created").and_then(|d| iso_date(d))),
        ..Default::default()
    };
    let authors: Vec<String> = if conv.meta_authors.is_empty() {
        core.get("creator")
            // Word separates authors with `;`; "Seo, JooYoung" is one.
            .map(|c| c.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    } else {
        std::mem::take(&mut conv.meta_authors)
    };
    meta.authors = authors.into_iter().map(|name| crate::model::Author { name, ..Default::default() }).collect();
    if !conv.meta_abstract.is_empty() {
        meta.abstract_ = Some(conv.meta_abstract.join("\n\n"));
    } else if let Some(d) = core.get("description").filter(|d| !d.trim().is_empty()) {
        meta.abstract_ = Some(d.trim().to_string());
    }
    if let Some(k) = core.get("keywords") {
        meta.keywords = k.split([',', ';']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    }
    (meta, title)
}

/// A part of the package as XML; a damaged one is a warning and left out.
fn parse_part<'t>(
    text: Option<&'t str>,
    what: &str,
    shown: &Path,
    warnings: &mut Vec<Diagnostic>,
) -> Option<roxmltree::Document<'t>> {
    match parse_xml(text?) {
        Ok(doc) => Some(doc),
        Err(e) => {
            warnings.push(
                Diagnostic::new(
                    &lint::DOCX_CONTENT,
                    format!("the {what} of the document cannot be read ({e}); they are left out"),
                )
                .with_file(shown)
                .with_hint("open the document in Word and save it again"),
            );
            None
        }
    }
}

fn convert_math(tex: &str, line: usize, failures: &mut Vec<(String, usize, String)>) -> Option<String> {
    match crate::input::math::to_typst(tex) {
        Ok(t) => Some(t),
        Err(why) => {
            failures.push((tex.to_string(), line, why));
            None
        }
    }
}

fn fix_inlines(
    inlines: &mut [Inline],
    labels: &HashMap<String, String>,
    line: usize,
    failures: &mut Vec<(String, usize, String)>,
) {
    for inline in inlines.iter_mut() {
        match inline {
            Inline::Math { tex, typst, .. } => *typst = convert_math(tex, line, failures),
            Inline::Link { dest, content, line: l, .. } => {
                *l = line;
                if let LinkDest::Unresolved(url) = dest
                    && let Some(label) = url.strip_prefix('#').and_then(|b| labels.get(b))
                {
                    *dest = LinkDest::Ref(label.clone());
                    *content = vec![Inline::Text(format!("@{label}"))];
                }
            }
            Inline::Image(image) => image.line = line,
            _ => {}
        }
        if let Some(children) = inline_children_mut(inline) {
            fix_inlines(children, labels, line, failures);
        }
    }
}

fn inline_children_mut(inline: &mut Inline) -> Option<&mut Vec<Inline>> {
    inline.children_mut()
}

fn block_inlines_mut(block: &mut Block) -> Vec<&mut Vec<Inline>> {
    match &mut block.kind {
        BlockKind::Paragraph(i) | BlockKind::Heading { content: i, .. } => vec![i],
        BlockKind::Table { header, rows, caption, .. } => {
            header.iter_mut().chain(rows.iter_mut().flatten()).chain(std::iter::once(caption)).collect()
        }
        BlockKind::Figure { caption, image, .. } => {
            let _ = image;
            vec![caption]
        }
        _ => Vec::new(),
    }
}

fn visit(block: &mut Block, f: &mut impl FnMut(&mut Block)) {
    f(block);
    match &mut block.kind {
        BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => b.iter_mut().for_each(|b| visit(b, f)),
        BlockKind::List { items, .. } => items.iter_mut().flat_map(|i| &mut i.blocks).for_each(|b| visit(b, f)),
        BlockKind::DefinitionList { items, .. } => {
            items.iter_mut().flat_map(|i| &mut i.blocks).for_each(|b| visit(b, f))
        }
        _ => {}
    }
}

/// The language most of the body's text is marked in (runs without a mark
/// are in `default`): the language of the article, against which other
/// runs are passages in another language. Word's default is the author's
/// installation's, often not the text's.
fn dominant_language(body: roxmltree::Node<'_, '_>, default: Option<String>) -> Option<String> {
    let mut chars: HashMap<String, usize> = HashMap::new();
    for run in body.descendants().filter(|n| n.is_element() && name(*n) == "r") {
        let len: usize = run
            .children()
            .filter(|t| t.is_element() && name(*t) == "t")
            .filter_map(|t| t.text())
            .map(|t| t.chars().count())
            .sum();
        if len == 0 {
            continue;
        }
        let marked = run
            .children()
            .find(|c| c.is_element() && name(*c) == "rPr")
            .and_then(|p| p.children().find(|c| c.is_element() && name(*c) == "lang"))
            .and_then(|l| attr(l, "val"))
            .map(str::to_string);
        if let Some(lang) = marked.or_else(|| default.clone()) {
            *chars.entry(lang).or_default() += len;
        }
    }
    chars.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(lang, _)| lang).or(default)
}

/// The document's default language (`w:docDefaults`' `w:lang`).
fn default_language(styles: &str) -> Option<String> {
    let doc = parse_xml(styles).ok()?;
    let defaults = doc.root().descendants().find(|n| n.is_element() && name(*n) == "docDefaults")?;
    let lang = defaults.descendants().find(|n| n.is_element() && name(*n) == "lang")?;
    attr(lang, "val").map(str::to_string)
}

/// `docProps/core.xml`: title, creator, keywords, description, created.
fn core_properties(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Ok(doc) = parse_xml(text) else { return out };
    for node in doc.root().descendants().filter(|n| n.is_element()) {
        let key = name(node);
        if ["title", "creator", "keywords", "description", "subject", "created"].contains(&key) {
            let text: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
            if !text.trim().is_empty() {
                out.entry(key.to_string()).or_insert_with(|| text.trim().to_string());
            }
        }
    }
    out
}

/// An ISO date from the start of a date paragraph or property, when it is one.
fn iso_date(text: &str) -> Option<String> {
    let t = text.trim();
    let d = t.get(..10)?;
    let ok = d.len() == 10
        && d.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    ok.then(|| d.to_string())
}

/// For tests and tools: the converted text of a document's body.
pub fn body_text(imported: &Imported) -> String {
    let mut out = String::new();
    for block in &imported.blocks {
        let mut blocks = Vec::new();
        flatten(block, &mut blocks);
        for b in blocks {
            for run in crate::model::block_inlines(b) {
                out.push_str(&crate::model::plain_text(run));
                out.push('\n');
            }
            if let BlockKind::Code { code, .. } = &b.kind {
                out.push_str(code);
                out.push('\n');
            }
        }
    }
    out
}

fn flatten<'a>(block: &'a Block, out: &mut Vec<&'a Block>) {
    out.push(block);
    match &block.kind {
        BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => b.iter().for_each(|b| flatten(b, out)),
        BlockKind::List { items, .. } => items.iter().flat_map(|i| &i.blocks).for_each(|b| flatten(b, out)),
        BlockKind::DefinitionList { items, .. } => items.iter().flat_map(|i| &i.blocks).for_each(|b| flatten(b, out)),
        _ => {}
    }
}
