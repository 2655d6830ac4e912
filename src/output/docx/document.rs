//! The body of a Word document from the model: every block and inline
//! kind, as `output::xhtml` walks them, into WordprocessingML.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::omml;
use super::xml::escape;
use crate::fsutil::Root;
use crate::model::{Align, Article, Block, BlockKind, Image, ImageSrc, Inline, LinkDest};
use crate::words::Labels;

/// The prefix of the bookmarks that mark where a proof's paragraph comes
/// from (defined where Word documents are read, which skips them).
pub use crate::input::docx::SOURCE_MARK;

/// The bookmark of `anchor` in `article` (or of the article itself): at
/// most 40 characters, letters, digits and `_`, starting with a letter,
/// as Word wants them.
pub fn bookmark(article: &str, anchor: Option<&str>) -> String {
    let full = match anchor {
        Some(a) => format!("{article}_{a}"),
        None => article.to_string(),
    };
    let mut name: String = full.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert(0, 'a');
    }
    if name.len() > 40 {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(full.as_bytes());
        let hex: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
        name.truncate(31);
        name.push('_');
        name.push_str(&hex);
    }
    name
}

/// An image packaged once, however often it is shown.
pub struct Packaged {
    pub rel: String,
    /// An SVG image's own relationship (`rel` is then its PNG's).
    pub svg: Option<String>,
    pub cx: u64,
    pub cy: u64,
}

/// What a document gathers while its articles are written: the parts
/// besides the body.
pub struct Doc<'a> {
    pub root: &'a Root,
    pub labels: &'a Labels,
    /// The document's language (the report's).
    pub lang: &'a str,
    /// The articles this document holds (internal links to others are
    /// written as their text).
    pub articles: HashSet<String>,
    /// Mark every paragraph with its source line.
    pub proof: bool,
    /// `w:footnote` elements, ids from 1.
    pub footnotes: Vec<String>,
    /// Relationships of the document part: (id, type, target, external).
    pub rels: Vec<(String, &'static str, String, bool)>,
    /// `word/media/<name>` files.
    pub media: Vec<(String, Vec<u8>)>,
    pub images: HashMap<String, Option<Packaged>>,
    /// Lists: (abstract numbering, level, start).
    pub nums: Vec<(u32, usize, usize)>,
    /// The widest an image may be, in EMU.
    pub max_width: u64,
    pub section: String,
    /// Problems found (an image that cannot be read).
    pub warnings: Vec<String>,
    bookmarks: usize,
    drawings: usize,
    marks: usize,
}

pub const REL_HYPERLINK: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";
pub const REL_IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";

impl<'a> Doc<'a> {
    pub fn new(
        root: &'a Root,
        labels: &'a Labels,
        lang: &'a str,
        proof: bool,
        section: String,
        max_width: u64,
    ) -> Self {
        Doc {
            root,
            labels,
            lang,
            articles: HashSet::new(),
            proof,
            footnotes: Vec::new(),
            rels: Vec::new(),
            media: Vec::new(),
            images: HashMap::new(),
            nums: Vec::new(),
            max_width,
            section,
            warnings: Vec::new(),
            bookmarks: 0,
            drawings: 0,
            marks: 0,
        }
    }

    fn rel(&mut self, kind: &'static str, target: String, external: bool) -> String {
        if let Some((id, ..)) = self.rels.iter().find(|(_, k, t, e)| *k == kind && *t == target && *e == external) {
            return id.clone();
        }
        let id = format!("rId{}", self.rels.len() + 100);
        self.rels.push((id.clone(), kind, target, external));
        id
    }

    /// A bookmark around nothing, at this point.
    pub fn bookmark_xml(&mut self, name: &str) -> String {
        self.bookmarks += 1;
        let id = self.bookmarks;
        format!("<w:bookmarkStart w:id=\"{id}\" w:name=\"{}\"/><w:bookmarkEnd w:id=\"{id}\"/>", escape(name))
    }

    /// The image at `path`, packaged (`None` when it cannot be read).
    fn image(&mut self, path: &str) -> Option<&Packaged> {
        if !self.images.contains_key(path) {
            let packaged = match crate::output::assets::read_image(self.root, path) {
                Ok((bytes, _, ext)) => {
                    let bytes = if ext == "svg" { crate::svg::clean(bytes).bytes } else { bytes };
                    let (w, h) = super::image_size(&bytes, ext).unwrap_or((480, 360));
                    let mut cx = w.max(1) * 9525;
                    let mut cy = h.max(1) * 9525;
                    if cx > self.max_width {
                        cy = cy * self.max_width / cx;
                        cx = self.max_width;
                    }
                    let n = self.media.len() + 1;
                    let png = if ext == "svg" { super::svg_fallback(&bytes) } else { None };
                    let name = format!("image{n}.{ext}");
                    self.media.push((name.clone(), bytes));
                    let rel = self.rel(REL_IMAGE, format!("media/{name}"), false);
                    match png {
                        Some(png) => {
                            let png_name = format!("image{n}.png");
                            self.media.push((png_name.clone(), png));
                            let png_rel = self.rel(REL_IMAGE, format!("media/{png_name}"), false);
                            Some(Packaged { rel: png_rel, svg: Some(rel), cx, cy })
                        }
                        None => Some(Packaged { rel, svg: None, cx, cy }),
                    }
                }
                Err(e) => {
                    self.warnings.push(format!("the image `{path}` is left out of the Word document: {e}"));
                    None
                }
            };
            self.images.insert(path.to_string(), packaged);
        }
        self.images.get(path).and_then(Option::as_ref)
    }
}

/// How runs look where they are written.
#[derive(Clone, Default)]
struct Run {
    bold: bool,
    italic: bool,
    strike: bool,
    sup: bool,
    sub: bool,
    code: bool,
    link: bool,
    lang: Option<String>,
}

impl Run {
    fn props(&self, text: &str) -> String {
        let mut p = String::new();
        if self.code {
            p.push_str("<w:rStyle w:val=\"VerbatimChar\"/>");
        } else if self.link {
            p.push_str("<w:rStyle w:val=\"Hyperlink\"/>");
        }
        if self.bold {
            p.push_str("<w:b/><w:bCs/>");
        }
        if self.italic {
            p.push_str("<w:i/><w:iCs/>");
        }
        if self.strike {
            p.push_str("<w:strike/>");
        }
        if self.sup {
            p.push_str("<w:vertAlign w:val=\"superscript\"/>");
        } else if self.sub {
            p.push_str("<w:vertAlign w:val=\"subscript\"/>");
        }
        if text.chars().any(crate::words::is_rtl_letter) {
            p.push_str("<w:rtl/>");
        }
        if let Some(lang) = &self.lang {
            let lang = escape(lang);
            if crate::words::is_rtl(&lang) {
                let _ = write!(p, "<w:lang w:val=\"{lang}\" w:bidi=\"{lang}\"/>");
            } else {
                let _ = write!(p, "<w:lang w:val=\"{lang}\"/>");
            }
        }
        if p.is_empty() { p } else { format!("<w:rPr>{p}</w:rPr>") }
    }
}

/// A text run (tabs and line breaks as Word's).
fn text_run(out: &mut String, text: &str, run: &Run) {
    if text.is_empty() {
        return;
    }
    let _ = write!(out, "<w:r>{}", run.props(text));
    for (i, piece) in text.split('\t').enumerate() {
        if i > 0 {
            out.push_str("<w:tab/>");
        }
        if !piece.is_empty() {
            let _ = write!(out, "<w:t xml:space=\"preserve\">{}</w:t>", escape(piece));
        }
    }
    out.push_str("</w:r>");
}

/// Writes one article into `doc`; returns its body XML.
pub struct Writer<'d, 'a> {
    pub doc: &'d mut Doc<'a>,
    article: &'d Article,
    out: String,
    /// Each footnote's id in the document, once written.
    note_ids: Vec<Option<usize>>,
    in_note: bool,
    link_depth: usize,
    /// Bookmarks to set at the start of the next paragraph.
    pending: Vec<String>,
    /// The style of body paragraphs here (`Quote` in a quotation...).
    body_style: Vec<&'static str>,
    /// The list levels we are in: (numId, level).
    lists: Vec<(usize, usize)>,
    /// The numbering of the next paragraph (first of a list item).
    numbered: Option<(usize, usize)>,
    /// Article sections are headings `base + level`.
    base: u8,
    /// The article's language, when it is not the document's.
    lang: Option<String>,
    rtl: bool,
}

impl<'d, 'a> Writer<'d, 'a> {
    pub fn new(doc: &'d mut Doc<'a>, article: &'d Article, base: u8) -> Self {
        let lang = crate::output::xhtml::article_lang(article, doc.lang);
        let rtl = crate::words::is_rtl(lang);
        let lang = (lang != doc.lang).then(|| lang.to_string());
        Writer {
            doc,
            article,
            out: String::with_capacity(1 << 14),
            note_ids: vec![None; article.footnotes.len()],
            in_note: false,
            link_depth: 0,
            pending: Vec::new(),
            body_style: vec!["BodyText"],
            lists: Vec::new(),
            numbered: None,
            base,
            lang,
            rtl,
        }
    }

    pub fn finish(mut self) -> String {
        if !self.pending.is_empty() {
            self.open(None, "", 0, None);
            self.out.push_str("</w:p>");
        }
        self.out
    }

    fn run(&self) -> Run {
        Run { lang: self.lang.clone(), ..Run::default() }
    }

    /// Opens a paragraph of `style`, with its source mark in a proof.
    fn open(&mut self, style: Option<&str>, ppr: &str, line: usize, first: Option<char>) {
        self.out.push_str("<w:p><w:pPr>");
        if let Some(style) = style {
            let _ = write!(self.out, "<w:pStyle w:val=\"{style}\"/>");
        }
        if let Some((num, level)) = self.numbered.take() {
            let _ = write!(self.out, "<w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"{num}\"/></w:numPr>");
        } else if let Some(&(_, level)) = self.lists.last()
            && style.is_none_or(|s| s == "ListParagraph")
        {
            let _ = write!(self.out, "<w:ind w:left=\"{}\"/>", 720 * (level + 1));
        }
        let rtl = first.map_or(self.rtl, crate::words::is_rtl_letter);
        if rtl {
            self.out.push_str("<w:bidi/>");
        }
        self.out.push_str(ppr);
        self.out.push_str("</w:pPr>");
        for name in std::mem::take(&mut self.pending) {
            let xml = self.doc.bookmark_xml(&name);
            self.out.push_str(&xml);
        }
        if self.doc.proof && line > 0 {
            self.doc.marks += 1;
            let name = format!("{SOURCE_MARK}{line}_{}", self.doc.marks);
            let xml = self.doc.bookmark_xml(&name);
            self.out.push_str(&xml);
        }
    }

    fn paragraph(&mut self, style: Option<&str>, ppr: &str, line: usize, inlines: &[Inline]) {
        self.open(style, ppr, line, crate::model::first_letter(inlines));
        let run = self.run();
        self.inlines(inlines, &run);
        self.out.push_str("</w:p>");
    }

    fn text_paragraph(&mut self, style: Option<&str>, text: &str) {
        self.open(style, "", 0, text.chars().find(|c| c.is_alphabetic()));
        let run = self.run();
        text_run(&mut self.out, text, &run);
        self.out.push_str("</w:p>");
    }

    fn heading_style(&self, level: u8) -> String {
        format!("Heading{}", (self.base + level).clamp(1, 9))
    }

    /// The article: its title (`title_style`), subtitle, authors, date,
    /// the session fact box, the abstract, the body.
    pub fn article(&mut self, title_style: &str, note: Option<&str>) {
        let article = self.article;
        self.pending.push(bookmark(&article.id, None));
        let title_line = if self.doc.proof { 1 } else { 0 };
        self.paragraph(Some(title_style), "", title_line, &article.title);
        if let Some(note) = note {
            self.text_paragraph(Some("ProofNote"), note);
        }
        if let Some(sub) = article.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            self.text_paragraph(Some("Subtitle"), sub);
        }
        for author in article.meta.authors.iter().filter(|a| !a.name.trim().is_empty()) {
            let text = match author.affiliation.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(aff) => format!("{}, {aff}", author.name),
                None => author.name.clone(),
            };
            self.text_paragraph(Some("Author"), &text);
        }
        if let Some(date) = article.meta.date.as_deref().filter(|s| !s.trim().is_empty()) {
            self.text_paragraph(Some("Date"), date);
        }
        self.fact_box();
        if !article.abstract_.is_empty() {
            self.body_style.push("Abstract");
            self.blocks(&article.abstract_);
            self.body_style.pop();
        }
        if !article.meta.keywords.is_empty() {
            let text = format!("{}: {}", self.doc.labels.keywords, article.meta.keywords.join(", "));
            self.text_paragraph(Some("Abstract"), &text);
        }
        self.blocks(&article.blocks);
    }

    /// The session report's fact box: the template's fields as a table.
    fn fact_box(&mut self) {
        let labels = self.doc.labels;
        let rows: Vec<(String, Vec<String>)> = crate::output::facts::session_facts(self.article, labels)
            .into_iter()
            .map(|row| {
                let lines = row
                    .facts
                    .into_iter()
                    .map(|f| match f.affiliation {
                        Some(aff) => format!("{}, {aff}", f.text),
                        None => f.text,
                    })
                    .collect();
                (row.label.to_string(), lines)
            })
            .collect();
        if rows.is_empty() {
            return;
        }
        self.text_paragraph(Some("TableCaption"), labels.session_facts);
        self.out.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"Table\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"1\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"0\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2500\"/><w:gridCol w:w=\"6500\"/></w:tblGrid>");
        for (label, lines) in rows {
            self.out.push_str("<w:tr><w:tc><w:tcPr><w:tcW w:w=\"2500\" w:type=\"dxa\"/></w:tcPr>");
            self.open(Some("Compact"), "", 0, None);
            let run = Run { bold: true, ..self.run() };
            text_run(&mut self.out, &label, &run);
            self.out.push_str("</w:p></w:tc><w:tc><w:tcPr><w:tcW w:w=\"6500\" w:type=\"dxa\"/></w:tcPr>");
            for line in lines {
                self.text_paragraph(Some("Compact"), &line);
            }
            self.out.push_str("</w:tc></w:tr>");
        }
        self.out.push_str("</w:tbl>");
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b);
        }
    }

    fn style(&self) -> &'static str {
        if self.lists.is_empty() { self.body_style.last().copied().unwrap_or("BodyText") } else { "ListParagraph" }
    }

    fn block(&mut self, block: &Block) {
        let line = block.line;
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                let style = self.style();
                self.paragraph(Some(style), "", line, inlines);
            }
            BlockKind::Heading { level, id, content, .. } => {
                self.pending.push(bookmark(&self.article.id, Some(id)));
                let style = self.heading_style(*level);
                self.paragraph(Some(&style), "", line, content);
            }
            BlockKind::Quote(blocks) => {
                self.body_style.push("Quote");
                self.blocks(blocks);
                self.body_style.pop();
            }
            BlockKind::Callout { kind, title, blocks } => {
                let label = title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(self.doc.labels.callout(*kind));
                self.text_paragraph(Some("CalloutTitle"), label);
                self.body_style.push("Callout");
                self.blocks(blocks);
                self.body_style.pop();
            }
            BlockKind::List { start, items, .. } => {
                let level = self.lists.len().min(8);
                let abstract_id = if start.is_some() { 2 } else { 1 };
                self.doc.nums.push((abstract_id, level, start.unwrap_or(1)));
                let num = self.doc.nums.len();
                self.lists.push((num, level));
                for item in items {
                    self.numbered = Some((num, level));
                    let mut task = item.task;
                    match item.blocks.first() {
                        Some(Block { kind: BlockKind::Paragraph(inlines), line }) => {
                            let style = self.style();
                            self.open(Some(style), "", *line, crate::model::first_letter(inlines));
                            let run = self.run();
                            if let Some(done) = task.take() {
                                text_run(&mut self.out, if done { "☑ " } else { "☐ " }, &run);
                            }
                            self.inlines(inlines, &run);
                            self.out.push_str("</w:p>");
                            self.blocks(&item.blocks[1..]);
                        }
                        _ => {
                            self.open(Some("ListParagraph"), "", line, None);
                            if let Some(done) = task.take() {
                                let run = self.run();
                                text_run(&mut self.out, if done { "☑" } else { "☐" }, &run);
                            }
                            self.out.push_str("</w:p>");
                            self.blocks(&item.blocks);
                        }
                    }
                }
                self.numbered = None;
                self.lists.pop();
            }
            BlockKind::DefinitionList { items, .. } => {
                for item in items {
                    self.paragraph(Some("DefinitionTerm"), "", line, &item.term);
                    self.body_style.push("Definition");
                    self.blocks(&item.blocks);
                    self.body_style.pop();
                }
            }
            BlockKind::Code { code, .. } => {
                self.open(Some("SourceCode"), "", line, Some('a'));
                let run = self.run();
                for (i, l) in code.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        self.out.push_str("<w:r><w:br/></w:r>");
                    }
                    text_run(&mut self.out, l, &run);
                }
                self.out.push_str("</w:p>");
            }
            BlockKind::Math { tex, .. } => {
                self.open(Some(self.style()), "<w:jc w:val=\"center\"/>", line, Some('a'));
                self.out.push_str("<m:oMathPara><m:oMath>");
                self.out.push_str(&omml::convert(tex).unwrap_or_else(|| omml::fallback(tex)));
                self.out.push_str("</m:oMath></m:oMathPara></w:p>");
            }
            BlockKind::Table { align, header, rows, caption, label, number } => {
                if !caption.is_empty() || number.is_some() || label.is_some() {
                    if let Some(label) = label {
                        self.pending.push(bookmark(&self.article.id, Some(label)));
                    }
                    self.caption("TableCaption", self.doc.labels.table, *number, caption, line);
                }
                self.table(align, header, rows, line);
            }
            BlockKind::Figure { image, caption, label, number } => {
                let captioned = !caption.is_empty() || number.is_some();
                self.open(Some(if captioned { "CaptionedFigure" } else { "Figure" }), "", line, None);
                let run = self.run();
                self.image(image, &run);
                self.out.push_str("</w:p>");
                if captioned || label.is_some() {
                    if let Some(label) = label {
                        self.pending.push(bookmark(&self.article.id, Some(label)));
                    }
                    self.caption("ImageCaption", self.doc.labels.figure, *number, caption, line);
                }
            }
            BlockKind::Rule => {
                self.open(
                    None,
                    "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"auto\"/></w:pBdr>",
                    0,
                    None,
                );
                self.out.push_str("</w:p>");
            }
            BlockKind::Anchor(ids) => {
                for id in ids {
                    self.pending.push(bookmark(&self.article.id, Some(id)));
                }
            }
        }
    }

    /// "Table 3. Caption" (the number as the PDF prints it).
    fn caption(&mut self, style: &str, word: &str, number: Option<usize>, caption: &[Inline], line: usize) {
        self.open(Some(style), "", line, crate::model::first_letter(caption).or(word.chars().next()));
        let run = self.run();
        if let Some(n) = number {
            let prefix = if caption.is_empty() { format!("{word}\u{a0}{n}.") } else { format!("{word}\u{a0}{n}. ") };
            text_run(&mut self.out, &prefix, &Run { bold: true, ..run.clone() });
        }
        self.inlines(caption, &run);
        self.out.push_str("</w:p>");
    }

    fn table(&mut self, align: &[Align], header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>], line: usize) {
        let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let width = 9000 / columns;
        self.out.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"Table\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>");
        if self.rtl {
            self.out.push_str("<w:bidiVisual/>");
        }
        let first_row = if header.is_empty() { "0" } else { "1" };
        let _ = write!(
            self.out,
            "<w:tblLook w:val=\"0020\" w:firstRow=\"{first_row}\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"0\"/></w:tblPr><w:tblGrid>"
        );
        for _ in 0..columns {
            let _ = write!(self.out, "<w:gridCol w:w=\"{width}\"/>");
        }
        self.out.push_str("</w:tblGrid>");
        let lists = std::mem::take(&mut self.lists);
        if !header.is_empty() {
            self.out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
            self.row(header, align, columns, width, line, true);
            self.out.push_str("</w:tr>");
        }
        for row in rows {
            self.out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            self.row(row, align, columns, width, line, false);
            self.out.push_str("</w:tr>");
        }
        self.lists = lists;
        self.out.push_str("</w:tbl>");
        // Two tables in a row would merge: a paragraph between.
        self.open(Some("Compact"), "", 0, None);
        self.out.push_str("</w:p>");
    }

    fn row(&mut self, cells: &[Vec<Inline>], align: &[Align], columns: usize, width: usize, line: usize, head: bool) {
        for i in 0..columns {
            let _ = write!(self.out, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>");
            let jc = match align.get(i) {
                Some(Align::Center) => "<w:jc w:val=\"center\"/>",
                Some(Align::Right) => "<w:jc w:val=\"right\"/>",
                Some(Align::Left) => "<w:jc w:val=\"left\"/>",
                _ => "",
            };
            let cell = cells.get(i).map_or(&[][..], Vec::as_slice);
            self.open(Some("Compact"), jc, line, crate::model::first_letter(cell));
            let run = Run { bold: head, ..self.run() };
            self.inlines(cell, &run);
            self.out.push_str("</w:p></w:tc>");
        }
    }

    fn image(&mut self, image: &Image, run: &Run) {
        let packaged = match &image.src {
            ImageSrc::Local(path) => self.doc.image(path).map(|p| (p.rel.clone(), p.svg.clone(), p.cx, p.cy)),
            _ => None,
        };
        let Some((rel, svg, cx, cy)) = packaged else {
            let alt = image.alt.trim();
            let text = if alt.is_empty() { format!("[{}]", self.doc.labels.image) } else { format!("[{alt}]") };
            text_run(&mut self.out, &text, run);
            return;
        };
        self.doc.drawings += 1;
        let id = self.doc.drawings;
        let descr = if image.decorative { String::new() } else { escape(image.alt.trim()) };
        let blip = match svg {
            Some(svg) => format!(
                "<a:blip r:embed=\"{rel}\"><a:extLst><a:ext uri=\"{{96DAC541-7B7A-43D3-8B79-37D633B846F1}}\"><asvg:svgBlip xmlns:asvg=\"http://schemas.microsoft.com/office/drawing/2016/SVG/main\" r:embed=\"{svg}\"/></a:ext></a:extLst></a:blip>"
            ),
            None => format!("<a:blip r:embed=\"{rel}\"/>"),
        };
        let title = image.title.as_deref().map(|t| format!(" title=\"{}\"", escape(t))).unwrap_or_default();
        let _ = write!(
            self.out,
            "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:docPr id=\"{id}\" name=\"Picture {id}\" descr=\"{descr}\"{title}/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{id}\" name=\"Picture {id}\" descr=\"{descr}\"/><pic:cNvPicPr><a:picLocks noChangeAspect=\"1\" noChangeArrowheads=\"1\"/></pic:cNvPicPr></pic:nvPicPr><pic:blipFill>{blip}<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr bwMode=\"auto\"><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        );
    }

    fn inlines(&mut self, inlines: &[Inline], run: &Run) {
        for i in inlines {
            self.inline(i, run);
        }
    }

    fn inline(&mut self, inline: &Inline, run: &Run) {
        match inline {
            Inline::Text(t) => text_run(&mut self.out, t, run),
            Inline::Code(c) | Inline::Kbd(c) => text_run(&mut self.out, c, &Run { code: true, ..run.clone() }),
            Inline::Emph(c) => self.inlines(c, &Run { italic: !run.italic, ..run.clone() }),
            Inline::Strong(c) => self.inlines(c, &Run { bold: true, ..run.clone() }),
            Inline::Strike(c) => self.inlines(c, &Run { strike: true, ..run.clone() }),
            Inline::Sup(c) => self.inlines(c, &Run { sup: true, ..run.clone() }),
            Inline::Sub(c) => self.inlines(c, &Run { sub: true, ..run.clone() }),
            Inline::Abbr { content, .. } => self.inlines(content, run),
            Inline::Lang { lang, content } => self.inlines(content, &Run { lang: Some(lang.clone()), ..run.clone() }),
            Inline::Link { dest, content, .. } => {
                let target = match dest {
                    _ if self.link_depth > 0 => None,
                    LinkDest::External(url) => {
                        let id = self.doc.rel(REL_HYPERLINK, url.clone(), true);
                        Some(format!("r:id=\"{id}\""))
                    }
                    LinkDest::Internal { article, anchor } if self.doc.articles.contains(article) => {
                        Some(format!("w:anchor=\"{}\"", bookmark(article, anchor.as_deref())))
                    }
                    _ => None,
                };
                match target {
                    Some(target) => {
                        let _ = write!(self.out, "<w:hyperlink {target} w:history=\"1\">");
                        self.link_depth += 1;
                        self.inlines(content, &Run { link: true, ..run.clone() });
                        self.link_depth -= 1;
                        self.out.push_str("</w:hyperlink>");
                    }
                    None => self.inlines(content, run),
                }
            }
            Inline::Image(image) => self.image(image, run),
            Inline::FootnoteRef { number, first } => self.note_ref(*number, *first, run),
            Inline::Math { tex, .. } => {
                self.out.push_str("<m:oMath>");
                self.out.push_str(&omml::convert(tex).unwrap_or_else(|| omml::fallback(tex)));
                self.out.push_str("</m:oMath>");
            }
            Inline::SoftBreak => text_run(&mut self.out, " ", run),
            Inline::LineBreak => self.out.push_str("<w:r><w:br/></w:r>"),
            Inline::Anchor(id) => {
                let xml = self.doc.bookmark_xml(&bookmark(&self.article.id, Some(id)));
                self.out.push_str(&xml);
            }
        }
    }

    /// A footnote reference: a Word footnote on its first use, its number
    /// after (Word's notes are referenced once).
    fn note_ref(&mut self, number: usize, first: bool, run: &Run) {
        let index = number.wrapping_sub(1);
        let Some(note) = self.article.footnotes.get(index) else { return };
        if self.in_note || !first || self.link_depth > 0 || self.note_ids[index].is_some() {
            text_run(&mut self.out, &number.to_string(), &Run { sup: true, ..run.clone() });
            return;
        }
        let id = self.doc.footnotes.len() + 1;
        self.note_ids[index] = Some(id);
        let _ = write!(
            self.out,
            "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteReference w:id=\"{id}\"/></w:r>"
        );
        // The note's own text, in its part.
        self.doc.footnotes.push(String::new());
        let saved = std::mem::take(&mut self.out);
        let saved_lists = std::mem::take(&mut self.lists);
        self.in_note = true;
        self.body_style.push("FootnoteText");
        let _ = write!(self.out, "<w:footnote w:id=\"{id}\">");
        let marker = "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>";
        let start = self.out.len();
        self.blocks(&note.blocks);
        match self.out[start..].find("</w:pPr>") {
            Some(at) => self.out.insert_str(start + at + "</w:pPr>".len(), marker),
            None => {
                let _ = write!(self.out, "<w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr>{marker}</w:p>");
            }
        }
        self.out.push_str("</w:footnote>");
        self.body_style.pop();
        self.in_note = false;
        self.lists = saved_lists;
        let xml = std::mem::replace(&mut self.out, saved);
        self.doc.footnotes[id - 1] = xml;
    }
}
