//! Word documents: each construct of a package written from its XML here
//! (as Word, LibreOffice and Google Docs write it) read into the model;
//! hostile packages; `.docx` articles built directly; `import` and its
//! round trip; real Word clients (python-docx's template is Word's own)
//! and Pandoc's docx test suite, side by side with Pandoc, where present.

use std::io::Write;
use std::path::Path;

use coala_report::input::docx::{self, Imported, Options, TrackChanges};
use coala_report::model::{Block, BlockKind, Inline, LinkDest};
use proptest::prelude::*;

use crate::harness::{TestReport, repo, require_tool, say};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A Word package written from its parts' XML.
#[derive(Default, Clone)]
struct Docx {
    body: String,
    styles: Option<String>,
    numbering: Option<String>,
    footnotes: Option<String>,
    endnotes: Option<String>,
    comments: Option<String>,
    core: Option<String>,
    rels: Vec<(String, String, String, bool)>,
    extra: Vec<(String, Vec<u8>)>,
}

fn ns() -> String {
    format!(
        "xmlns:w=\"{W}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
         xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\" \
         xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
         xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
         xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\""
    )
}

impl Docx {
    fn new(body: &str) -> Docx {
        Docx { body: body.to_string(), ..Default::default() }
    }
    fn styles(mut self, styles: &str) -> Docx {
        self.styles = Some(format!("<w:styles {}>{styles}</w:styles>", ns()));
        self
    }
    fn numbering(mut self, xml: &str) -> Docx {
        self.numbering = Some(format!("<w:numbering {}>{xml}</w:numbering>", ns()));
        self
    }
    fn footnotes(mut self, xml: &str) -> Docx {
        self.footnotes = Some(format!("<w:footnotes {}>{xml}</w:footnotes>", ns()));
        self
    }
    fn endnotes(mut self, xml: &str) -> Docx {
        self.endnotes = Some(format!("<w:endnotes {}>{xml}</w:endnotes>", ns()));
        self
    }
    fn comments(mut self, xml: &str) -> Docx {
        self.comments = Some(format!("<w:comments {}>{xml}</w:comments>", ns()));
        self
    }
    fn core(mut self, xml: &str) -> Docx {
        self.core = Some(format!(
            "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\">{xml}</cp:coreProperties>"
        ));
        self
    }
    fn image(mut self, id: &str, name: &str, bytes: &[u8]) -> Docx {
        self.rels.push((id.into(), "image".into(), format!("media/{name}"), false));
        self.extra.push((format!("word/media/{name}"), bytes.to_vec()));
        self
    }
    fn link(mut self, id: &str, url: &str) -> Docx {
        self.rels.push((id.into(), "hyperlink".into(), url.into(), true));
        self
    }
    fn part(mut self, name: &str, bytes: &[u8]) -> Docx {
        self.extra.push((name.into(), bytes.to_vec()));
        self
    }

    fn parts(&self) -> Vec<(String, Vec<u8>)> {
        let rel_base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let mut rels = String::new();
        let mut parts = vec![];
        for (kind, xml, file) in [
            ("styles", &self.styles, "styles.xml"),
            ("numbering", &self.numbering, "numbering.xml"),
            ("footnotes", &self.footnotes, "footnotes.xml"),
            ("endnotes", &self.endnotes, "endnotes.xml"),
            ("comments", &self.comments, "comments.xml"),
        ] {
            if let Some(xml) = xml {
                rels.push_str(&format!(
                    "<Relationship Id=\"rId{kind}\" Type=\"{rel_base}/{kind}\" Target=\"{file}\"/>"
                ));
                parts.push((format!("word/{file}"), xml.clone().into_bytes()));
            }
        }
        for (id, kind, target, external) in &self.rels {
            let mode = if *external { " TargetMode=\"External\"" } else { "" };
            rels.push_str(&format!("<Relationship Id=\"{id}\" Type=\"{rel_base}/{kind}\" Target=\"{target}\"{mode}/>"));
        }
        parts.insert(0, ("[Content_Types].xml".into(), b"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_vec()));
        parts.insert(1, ("_rels/.rels".into(), format!("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{rel_base}/officeDocument\" Target=\"word/document.xml\"/></Relationships>").into_bytes()));
        parts.push((
            "word/document.xml".into(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {}><w:body>{}</w:body></w:document>",
                ns(),
                self.body
            )
            .into_bytes(),
        ));
        parts.push((
            "word/_rels/document.xml.rels".into(),
            format!("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>")
                .into_bytes(),
        ));
        if let Some(core) = &self.core {
            parts.push(("docProps/core.xml".into(), core.clone().into_bytes()));
        }
        parts.extend(self.extra.iter().cloned());
        parts
    }

    fn bytes(&self) -> Vec<u8> {
        zip_of(&self.parts())
    }

    fn read(&self) -> Imported {
        read_with(&self.bytes(), Options::default())
    }
}

fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            zip.start_file(name.as_str(), options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn read_with(bytes: &[u8], options: Options) -> Imported {
    docx::read(bytes, Path::new("test.docx"), "media", options).expect("the package reads")
}

fn p(style: &str, text: &str) -> String {
    let ppr = if style.is_empty() { String::new() } else { format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>") };
    format!("<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

fn style(id: &str, name: &str, based: Option<&str>, extra: &str) -> String {
    let based = based.map(|b| format!("<w:basedOn w:val=\"{b}\"/>")).unwrap_or_default();
    format!("<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based}{extra}</w:style>")
}

/// The plain text of inlines.
fn text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::SoftBreak | Inline::LineBreak => out.push(' '),
            other => out.push_str(&text(other.children().unwrap_or(&[]))),
        }
    }
    out
}

fn headings(blocks: &[Block]) -> Vec<(u8, String)> {
    blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, content, .. } => Some((*level, text(content))),
            _ => None,
        })
        .collect()
}

fn names(imported: &Imported) -> Vec<&str> {
    imported.warnings.iter().map(|d| d.name()).collect()
}

// ------------------------------------------------------------ constructs ---

#[test]
fn headings_are_found_in_any_interface_language_and_through_based_on() {
    let styles = [
        style("berschrift1", "Überschrift 1", None, ""),
        style("Titre2", "Titre 2", None, ""),
        style("Ttulo3", "Título 3", None, ""),
        // A custom style based on a heading, two steps away.
        style("Mine", "Report Section", Some("Between"), ""),
        style("Between", "Between", Some("berschrift1"), ""),
        // Only an outline level (LibreOffice's "Heading" family is named so).
        style("Outlined", "Custom outline", None, "<w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr>"),
        style("Heading1", "heading 1", None, ""),
    ]
    .concat();
    let body = [
        p("Heading1", "Title-like first heading"),
        p("berschrift1", "Einleitung"),
        p("Titre2", "Contexte"),
        p("Ttulo3", "Detalle"),
        p("Mine", "Custom"),
        p("Outlined", "By outline"),
        p("", "Body text."),
    ]
    .concat();
    let imported = Docx::new(&body).styles(&styles).read();
    let found = headings(&imported.blocks);
    let levels: Vec<(u8, &str)> = found.iter().map(|(l, t)| (*l, t.as_str())).collect();
    // The first heading 1 is the title (the document has no Title paragraph).
    assert_eq!(text(imported.title.as_deref().unwrap()), "Title-like first heading");
    assert_eq!(levels, [(1, "Einleitung"), (2, "Contexte"), (3, "Detalle"), (1, "Custom"), (2, "By outline")]);
}

#[test]
fn title_block_and_package_properties_are_front_matter() {
    let styles = [
        style("Title", "Title", None, ""),
        style("Subtitle", "Subtitle", None, ""),
        style("Author", "Author", None, ""),
    ]
    .concat();
    let body =
        [p("Title", "The Title"), p("Subtitle", "Its subtitle"), p("Author", "Ana Pérez"), p("", "Text.")].concat();
    let imported = Docx::new(&body)
        .styles(&styles)
        .core("<dc:title>Other</dc:title><dc:creator>Someone</dc:creator><cp:keywords>ledgers; governance</cp:keywords><dc:description>What it is about.</dc:description>")
        .read();
    assert_eq!(text(imported.title.as_deref().unwrap()), "The Title");
    assert_eq!(imported.meta.subtitle.as_deref(), Some("Its subtitle"));
    let authors: Vec<String> = imported.meta.authors.iter().map(|a| a.name.clone()).collect();
    assert_eq!(authors, ["Ana Pérez"]);
    assert_eq!(imported.meta.keywords, ["ledgers", "governance"]);
    assert_eq!(imported.meta.abstract_.as_deref(), Some("What it is about."));
    // Without title paragraphs, the properties are the title and author.
    let bare =
        Docx::new(&p("", "Text.")).core("<dc:title>From properties</dc:title><dc:creator>Kim Lee</dc:creator>").read();
    assert_eq!(text(bare.title.as_deref().unwrap()), "From properties");
    assert_eq!(bare.meta.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Kim Lee"]);
}

#[test]
fn runs_become_emphasis_strong_strike_scripts_code_and_language_passages() {
    let r = |props: &str, t: &str| format!("<w:r><w:rPr>{props}</w:rPr><w:t xml:space=\"preserve\">{t}</w:t></w:r>");
    let body = format!(
        "<w:p>{}{}{}{}{}{}{}{}</w:p>",
        r("<w:i/>", "italic"),
        r("<w:b/>", " bold"),
        r("<w:strike/>", " gone"),
        r("<w:vertAlign w:val=\"superscript\"/>", "2"),
        r("<w:vertAlign w:val=\"subscript\"/>", "i"),
        r("<w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\"/>", "code()"),
        r("<w:u w:val=\"single\"/>", "underlined"),
        r("<w:lang w:val=\"fr-FR\"/>", "en français"),
    );
    let imported = Docx::new(&body)
        .styles("<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val=\"en-US\"/></w:rPr></w:rPrDefault></w:docDefaults>")
        .read();
    let BlockKind::Paragraph(inlines) = &imported.blocks[0].kind else { panic!("{:?}", imported.blocks) };
    let kinds: Vec<&str> = inlines
        .iter()
        .map(|i| match i {
            Inline::Emph(_) => "emph",
            Inline::Strong(_) => "strong",
            Inline::Strike(_) => "strike",
            Inline::Sup(_) => "sup",
            Inline::Sub(_) => "sub",
            Inline::Code(_) => "code",
            Inline::Lang { lang, .. } if lang == "fr-FR" => "fr",
            Inline::Text(_) => "text",
            _ => "other",
        })
        .collect();
    // Underline has no meaning of its own in a report: it becomes emphasis.
    // The spaces at the edges of formatted words stand outside them.
    assert_eq!(kinds, ["emph", "text", "strong", "text", "strike", "sup", "sub", "code", "emph", "fr"], "{inlines:?}");
    assert_eq!(inlines[2], Inline::Strong(vec![Inline::Text("bold".into())]));
}

#[test]
fn hyperlinks_bookmarks_and_internal_links() {
    let body = "<w:p><w:hyperlink r:id=\"rIdL\"><w:r><w:t>the IGF</w:t></w:r></w:hyperlink>\
                <w:r><w:t xml:space=\"preserve\"> and </w:t></w:r><w:hyperlink w:anchor=\"target\"><w:r><w:t>below</w:t></w:r></w:hyperlink></w:p>\
                <w:p><w:bookmarkStart w:id=\"1\" w:name=\"target\"/><w:r><w:t>Here.</w:t></w:r><w:bookmarkEnd w:id=\"1\"/></w:p>\
                <w:p><w:bookmarkStart w:id=\"2\" w:name=\"target\"/><w:r><w:t>Again.</w:t></w:r><w:bookmarkEnd w:id=\"2\"/></w:p>";
    let imported = Docx::new(body).link("rIdL", "https://www.intgovforum.org/").read();
    let BlockKind::Paragraph(inlines) = &imported.blocks[0].kind else { panic!() };
    let dests: Vec<String> = inlines
        .iter()
        .filter_map(|i| match i {
            Inline::Link { dest: LinkDest::Unresolved(d), .. } => Some(d.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(dests, ["https://www.intgovforum.org/", "#target"]);
    assert_eq!(imported.anchors, ["target"], "a bookmark name given twice is one target");
    let anchors = format!("{:?}", imported.blocks).matches("\"target\"").count();
    assert_eq!(anchors, 1, "{:?}", imported.blocks);
}

fn numbering_xml() -> String {
    let level = |ilvl: u8, fmt: &str, text: &str| {
        format!(
            "<w:lvl w:ilvl=\"{ilvl}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/></w:lvl>"
        )
    };
    format!(
        "<w:abstractNum w:abstractNumId=\"0\">{}{}</w:abstractNum>\
         <w:abstractNum w:abstractNumId=\"1\">{}</w:abstractNum>\
         <w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>\
         <w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>\
         <w:num w:numId=\"3\"><w:abstractNumId w:val=\"0\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>\
         <w:num w:numId=\"4\"><w:abstractNumId w:val=\"0\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"5\"/></w:lvlOverride></w:num>",
        level(0, "decimal", "%1."),
        level(1, "bullet", "•"),
        level(0, "bullet", "•"),
    )
}

fn item(num: u8, ilvl: u8, t: &str) -> String {
    format!(
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{ilvl}\"/><w:numId w:val=\"{num}\"/></w:numPr></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>"
    )
}

/// Each list's (start, item texts, nested bullet texts of each item).
fn lists(blocks: &[Block]) -> Vec<(Option<usize>, Vec<String>)> {
    blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::List { start, items, .. } => Some((
                *start,
                items
                    .iter()
                    .map(|i| {
                        i.blocks
                            .iter()
                            .map(|b| match &b.kind {
                                BlockKind::Paragraph(t) => text(t),
                                BlockKind::List { items, .. } => format!("[{} nested]", items.len()),
                                _ => "?".into(),
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn lists_follow_the_numbering_definitions_levels_restarts_and_continuations() {
    let body = [
        item(1, 0, "one"),
        item(1, 1, "nested a"),
        item(1, 1, "nested b"),
        item(1, 0, "two"),
        p("", "An interruption."),
        // The same numId goes on counting after the interruption.
        item(1, 0, "three"),
        item(2, 0, "bullet"),
        // A new num with a start override restarts; another starts at 5.
        item(3, 0, "again one"),
        p("", "Between."),
        item(4, 0, "five"),
    ]
    .concat();
    let imported = Docx::new(&body).numbering(&numbering_xml()).read();
    let found = lists(&imported.blocks);
    assert_eq!(
        found,
        [
            (Some(1), vec!["one [2 nested]".to_string(), "two".into()]),
            (Some(3), vec!["three".into()]),
            (None, vec!["bullet".into()]),
            (Some(1), vec!["again one".into()]),
            (Some(5), vec!["five".into()]),
        ]
    );
}

fn tc(content: &str, props: &str) -> String {
    format!("<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>", p("", content))
}

#[test]
fn tables_keep_header_rows_and_every_cell_of_merged_and_nested_tables() {
    let nested = format!("<w:tbl><w:tr>{}{}</w:tr></w:tbl>", tc("inner 1", ""), tc("inner 2", ""));
    let body = format!(
        "<w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr>{}{}{}</w:tr>\
         <w:tr>{}{}</w:tr>\
         <w:tr>{}{}{}</w:tr>\
         <w:tr>{}{}<w:tc>{nested}</w:tc></w:tr></w:tbl>",
        tc("H1", ""),
        tc("H2", ""),
        tc("H3", ""),
        tc("spans two", "<w:gridSpan w:val=\"2\"/>"),
        tc("c", ""),
        tc("merged down", "<w:vMerge w:val=\"restart\"/>"),
        tc("x", ""),
        tc("y", ""),
        tc("", "<w:vMerge/>"),
        tc("z", ""),
    );
    let imported = Docx::new(&body).read();
    let BlockKind::Table { header, rows, .. } = &imported.blocks[0].kind else { panic!("{:?}", imported.blocks) };
    assert_eq!(header.iter().map(|c| text(c)).collect::<Vec<_>>(), ["H1", "H2", "H3"]);
    let all: String = rows.iter().flatten().map(|c| text(c)).collect::<Vec<_>>().join("|");
    for word in ["spans two", "c", "merged down", "x", "y", "z", "inner 1", "inner 2"] {
        assert!(all.contains(word), "`{word}` lost: {all}");
    }
    assert!(rows.iter().all(|r| r.len() == 3), "every row has the table's three columns: {rows:?}");
    assert!(names(&imported).contains(&"docx-table"), "{:?}", imported.warnings);
}

#[test]
fn footnotes_and_endnotes_are_the_articles_notes() {
    let body = "<w:p><w:r><w:t>Claim.</w:t></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r>\
                <w:r><w:t xml:space=\"preserve\"> More.</w:t></w:r><w:r><w:endnoteReference w:id=\"1\"/></w:r></w:p>";
    let note = |kind: &str, t: &str| {
        format!(
            "<w:{kind} w:id=\"1\"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space=\"preserve\"> {t}</w:t></w:r></w:p></w:{kind}>"
        )
    };
    let imported = Docx::new(body)
        .footnotes(&format!(
            "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p/></w:footnote>{}",
            note("footnote", "A source.")
        ))
        .endnotes(&note("endnote", "An endnote."))
        .read();
    let notes: Vec<String> = imported
        .footnotes
        .iter()
        .map(|f| {
            f.blocks
                .iter()
                .map(|b| if let BlockKind::Paragraph(t) = &b.kind { text(t) } else { String::new() })
                .collect()
        })
        .collect();
    assert_eq!(notes.iter().map(|n| n.trim()).collect::<Vec<_>>(), ["A source.", "An endnote."]);
    let BlockKind::Paragraph(inlines) = &imported.blocks[0].kind else { panic!() };
    let refs = inlines.iter().filter(|i| matches!(i, Inline::FootnoteRef { .. })).count();
    assert_eq!(refs, 2);
}

#[test]
fn comments_and_tracked_changes_are_never_lost_silently() {
    let body = "<w:p><w:commentRangeStart w:id=\"0\"/><w:r><w:t xml:space=\"preserve\">The ledger </w:t></w:r>\
                <w:commentRangeEnd w:id=\"0\"/><w:r><w:commentReference w:id=\"0\"/></w:r>\
                <w:ins w:id=\"1\" w:author=\"Editor\" w:date=\"2016-11-02T10:00:00Z\"><w:r><w:t xml:space=\"preserve\">is new </w:t></w:r></w:ins>\
                <w:del w:id=\"2\" w:author=\"Editor\" w:date=\"2016-11-02T10:01:00Z\"><w:r><w:delText xml:space=\"preserve\">was old </w:delText></w:r></w:del>\
                <w:r><w:t>here.</w:t></w:r></w:p>";
    let doc = Docx::new(body).comments(
        "<w:comment w:id=\"0\" w:author=\"Reviewer Ruiz\" w:date=\"2016-11-01T09:00:00Z\"><w:p><w:r><w:t>Which ledger?</w:t></w:r></w:p></w:comment>",
    );
    let paragraph = |imported: &Imported| match &imported.blocks[0].kind {
        BlockKind::Paragraph(t) => text(t),
        other => panic!("{other:?}"),
    };
    let accepted = doc.read();
    assert_eq!(paragraph(&accepted), "The ledger is new here.");
    let comment = accepted.warnings.iter().find(|d| d.name() == "docx-comment").expect("a docx-comment warning");
    for part in ["Reviewer Ruiz", "Which ledger?", "The ledger"] {
        assert!(comment.message.contains(part), "{}", comment.message);
    }
    assert_eq!(comment.line, Some(1), "located at the paragraph");
    let tracked: Vec<_> = accepted.warnings.iter().filter(|d| d.name() == "tracked-change").collect();
    assert!(!tracked.is_empty() && tracked.iter().any(|d| d.message.contains("Editor")), "{tracked:?}");
    assert_eq!(accepted.comments.len(), 1);
    assert_eq!(accepted.comments[0].text, "Which ledger?");

    let rejected = read_with(&doc.bytes(), Options { track_changes: TrackChanges::Reject });
    assert_eq!(paragraph(&rejected), "The ledger was old here.");
    let kept = read_with(&doc.bytes(), Options { track_changes: TrackChanges::Keep });
    assert_eq!(paragraph(&kept), "The ledger is new was old here.");
    let BlockKind::Paragraph(inlines) = &kept.blocks[0].kind else { panic!() };
    assert!(inlines.iter().any(|i| matches!(i, Inline::Strike(_))), "deletions struck through: {inlines:?}");
}

fn drawing(rid: &str, descr: &str) -> String {
    format!(
        "<w:p><w:r><w:drawing><wp:inline><wp:extent cx=\"952500\" cy=\"952500\"/><wp:docPr id=\"1\" name=\"Picture 1\" descr=\"{descr}\"/>\
         <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>\
         <pic:blipFill><a:blip r:embed=\"{rid}\"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0,
    0xf0, 0x1f, 0, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

#[test]
fn images_keep_their_description_and_captions_number_figures_references_reach() {
    let styles = style("Caption", "caption", None, "");
    let body = format!(
        "{}{}<w:p><w:pPr><w:pStyle w:val=\"Caption\"/></w:pPr><w:bookmarkStart w:id=\"5\" w:name=\"_Ref1\"/>\
         <w:r><w:t xml:space=\"preserve\">Figure </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText> SEQ Figure \\* ARABIC </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:bookmarkEnd w:id=\"5\"/>\
         <w:r><w:t>: Adoption over time</w:t></w:r></w:p>\
         <w:p><w:r><w:t xml:space=\"preserve\">See </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText> REF _Ref1 \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r><w:t>Figure 1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t>.</w:t></w:r></w:p>{}",
        p("", "Intro."),
        drawing("rIdImg", "A chart of adoption"),
        drawing("rIdEmf", "A vector chart"),
    );
    let imported = Docx::new(&body)
        .styles(&styles)
        .image("rIdImg", "chart.png", PNG_1X1)
        .image("rIdEmf", "old.emf", b"\x01\x00\x00\x00not really an emf")
        .read();
    let figure = imported.blocks.iter().find_map(|b| match &b.kind {
        BlockKind::Figure { image, caption, label, .. } => Some((image.clone(), text(caption), label.clone())),
        _ => None,
    });
    let (image, caption, label) = figure.expect("a figure");
    assert_eq!(image.alt, "A chart of adoption");
    assert_eq!(caption, "Adoption over time", "the label and number are the report's own");
    let label = label.expect("the caption's bookmark is its label");
    assert!(label.starts_with("fig-"), "{label}");
    let reference = imported.blocks.iter().find_map(|b| match &b.kind {
        BlockKind::Paragraph(inlines) => inlines.iter().find_map(|i| match i {
            Inline::Link { dest: LinkDest::Ref(to), .. } => Some(to.clone()),
            _ => None,
        }),
        _ => None,
    });
    assert_eq!(reference.as_deref(), Some(label.as_str()), "the REF field reaches the figure");
    assert!(imported.media.iter().any(|m| m.name == "chart.png" && m.bytes == PNG_1X1));
    assert!(names(&imported).contains(&"docx-image"), "EMF is named: {:?}", imported.warnings);
}

#[test]
fn equations_become_latex() {
    let mr = |t: &str| format!("<m:r><m:t>{t}</m:t></m:r>");
    let omml = format!(
        "<w:p><m:oMathPara><m:oMath><m:f><m:num>{}</m:num><m:den>{}</m:den></m:f>{}\
         <m:rad><m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/><m:e>{}</m:e></m:rad>\
         <m:nary><m:naryPr><m:chr m:val=\"∑\"/></m:naryPr><m:sub>{}</m:sub><m:sup>{}</m:sup><m:e><m:sSup><m:e>{}</m:e><m:sup>{}</m:sup></m:sSup></m:e></m:nary>\
         </m:oMath></m:oMathPara></w:p>",
        mr("a"),
        mr("b"),
        mr("+"),
        mr("x"),
        mr("i=1"),
        mr("n"),
        mr("x"),
        mr("2"),
    );
    let imported = Docx::new(&omml).read();
    let BlockKind::Math { tex, typst } = &imported.blocks[0].kind else { panic!("{:?}", imported.blocks) };
    let squashed: String = tex.chars().filter(|c| !c.is_whitespace()).collect();
    for part in ["\\frac{a}{b}", "\\sqrt{x}", "\\sum_{i=1}^{n}", "x^{2}"] {
        assert!(squashed.contains(part), "{part} in {tex}");
    }
    assert!(typst.is_some(), "the LaTeX converts to Typst math: {tex}");
}

#[test]
fn zotero_citations_cite_their_items() {
    let csl = r#"ADDIN ZOTERO_ITEM CSL_CITATION {"citationID":"x","citationItems":[{"id":1,"locator":"12","label":"page","itemData":{"id":1,"type":"article-journal","title":"Blockchain and law","author":[{"family":"Reyes","given":"Carla"}],"issued":{"date-parts":[[2016]]},"container-title":"Law Review"}}],"schema":"https://github.com/citation-style-language/schema/raw/master/csl-citation.json"}"#;
    let body = format!(
        "<w:p><w:r><w:t xml:space=\"preserve\">As argued </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText xml:space=\"preserve\">{}</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r><w:t>(Reyes 2016, 12)</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t>.</w:t></w:r></w:p>",
        csl.replace('"', "&quot;")
    );
    let imported = Docx::new(&body).read();
    let BlockKind::Paragraph(inlines) = &imported.blocks[0].kind else { panic!() };
    let shown = text(inlines);
    assert!(shown.contains("[@reyes2016"), "a citation key, not the rendered text: {shown}");
    assert!(shown.contains("12"), "with its locator: {shown}");
    assert!(!shown.contains("(Reyes 2016, 12)"), "{shown}");
    let bib = docx::to_bibtex(&imported.references);
    assert!(bib.contains("Blockchain and law") && bib.contains("Reyes"), "{bib}");
}

#[test]
fn toc_and_page_fields_are_dropped_and_noted_once() {
    let field = |instr: &str, shown: &str| {
        format!(
            "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> {instr} </w:instrText></w:r>\
             <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>{shown}</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
        )
    };
    let body =
        [field("TOC \\o \"1-3\"", "Introduction ..... 1"), field("TOC \\o \"1-3\"", "Again ..... 2"), p("", "Body.")]
            .concat();
    let imported = Docx::new(&body).read();
    let all: String = imported.blocks.iter().map(|b| format!("{:?}", b.kind)).collect();
    assert!(!all.contains("Introduction ....."), "{all}");
    assert!(all.contains("Body."));
    assert_eq!(names(&imported).iter().filter(|n| **n == "docx-field").count(), 1, "{:?}", imported.warnings);
}

// ------------------------------------------------------------- hostile ---

fn read_err(bytes: &[u8]) -> String {
    match docx::read(bytes, Path::new("bad.docx"), "media", Options::default()) {
        Ok(imported) => panic!("read: {:?}", imported.blocks),
        Err(d) => {
            assert_eq!(d.name(), "invalid-docx");
            assert!(d.hint.is_some(), "says how to fix it: {d:?}");
            d.message
        }
    }
}

#[test]
fn hostile_packages_are_clear_errors_never_panics_or_hangs() {
    // Not a zip at all: a renamed old .doc, a password-protected package, a text file.
    assert!(read_err(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an OLE file").contains("an old Word document (.doc)"));
    let mut encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
    encrypted.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
    assert!(read_err(&encrypted).contains("protected by a password"));
    assert!(read_err(b"just text").contains("bad.docx"));
    // A zip, but no document.
    assert!(read_err(&zip_of(&[("hello.txt".into(), b"hi".to_vec())])).contains("not a Word document"));
    // Entity expansion: a DTD is refused.
    let lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\
               <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>";
    let mut parts = Docx::new("").parts();
    parts.iter_mut().find(|(n, _)| n == "word/document.xml").unwrap().1 = lol.as_bytes().to_vec();
    read_err(&zip_of(&parts));
    // Malformed XML.
    let mut parts = Docx::new("").parts();
    parts.iter_mut().find(|(n, _)| n == "word/document.xml").unwrap().1 = b"<w:document><w:body><w:p>".to_vec();
    read_err(&zip_of(&parts));
    // A zip bomb: a part that inflates past the cap is refused quickly.
    let started = std::time::Instant::now();
    let bomb = Docx::new(&p("", "Text.")).part("word/media/bomb.png", &vec![0u8; 300 << 20]);
    let bytes = bomb.bytes();
    assert!(bytes.len() < 2 << 20, "the bomb is small: {}", bytes.len());
    let result = docx::read(&bytes, Path::new("bomb.docx"), "media", Options::default());
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    if let Ok(imported) = result {
        assert!(imported.media.iter().all(|m| m.bytes.len() < 300 << 20));
    }
}

#[test]
fn part_names_that_leave_the_package_are_refused() {
    let doc = Docx::new(&drawing("rIdEvil", "evil")).image("rIdEvil", "../../../etc/passwd", b"x");
    let mut parts = doc.parts();
    parts.push(("/abs/part.xml".into(), b"x".to_vec()));
    parts.push(("../outside.xml".into(), b"x".to_vec()));
    let imported = read_with(&zip_of(&parts), Options::default());
    assert!(
        imported.media.iter().all(|m| !m.name.contains("..") && !m.name.contains('/')),
        "{:?}",
        imported.media.iter().map(|m| &m.name).collect::<Vec<_>>()
    );
    assert!(
        names(&imported).contains(&"docx-content") || names(&imported).contains(&"docx-image"),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn tables_nested_a_thousand_deep_are_flattened_with_a_warning() {
    let mut xml = p("", "deepest");
    for _ in 0..1000 {
        xml = format!("<w:tbl><w:tr><w:tc>{xml}</w:tc></w:tr></w:tbl>");
    }
    let started = std::time::Instant::now();
    let result = docx::read(&Docx::new(&xml).bytes(), Path::new("deep.docx"), "media", Options::default());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    match result {
        Ok(imported) => assert!(!imported.warnings.is_empty(), "a warning says what was flattened"),
        Err(d) => assert_eq!(d.name(), "invalid-docx", "{d:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse::<u32>().ok()).map_or(64, |n| n.min(400))))]

    /// Damaged packages: bytes of the XML parts flipped, parts cut short,
    /// or the zip itself damaged; the reader answers, never panics.
    #[test]
    fn mutated_packages_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        damage_zip in any::<bool>(),
    ) {
        let body = [
            p("Heading1", "Heading"),
            item(1, 0, "item"),
            format!("<w:tbl><w:tr>{}{}</w:tr></w:tbl>", tc("a", "<w:gridSpan w:val=\"2\"/>"), tc("b", "<w:vMerge/>")),
            "<w:p><w:r><w:footnoteReference w:id=\"1\"/></w:r><m:oMath><m:f><m:num><m:r><m:t>1</m:t></m:r></m:num><m:den/></m:f></m:oMath></w:p>".to_string(),
        ]
        .concat();
        let doc = Docx::new(&body)
            .styles(&style("Heading1", "heading 1", None, ""))
            .numbering(&numbering_xml())
            .footnotes("<w:footnote w:id=\"1\"><w:p><w:r><w:t>n</w:t></w:r></w:p></w:footnote>");
        let bytes = if damage_zip {
            let mut bytes = doc.bytes();
            for (at, b) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
            bytes.truncate(cut.index(bytes.len()).max(bytes.len() / 2));
            bytes
        } else {
            let mut parts = doc.parts();
            for (at, b) in &flips {
                let part = at.index(parts.len());
                let data = &mut parts[part].1;
                if !data.is_empty() {
                    let i = at.index(data.len());
                    data[i] = *b;
                }
            }
            let part = cut.index(parts.len());
            let len = parts[part].1.len();
            parts[part].1.truncate(cut.index(len + 1));
            zip_of(&parts)
        };
        let _ = docx::read(&bytes, Path::new("m.docx"), "media", Options::default());
    }
}

// ------------------------------------------------- building and importing ---

/// A report whose one part lists `name`.
fn report_with(name: &str, bytes: &[u8]) -> TestReport {
    let report = TestReport::new();
    report.with_styles();
    report.write(
        "book.toml",
        &format!("[book]\ntitle = \"Report\"\ndate = \"2016-12-08\"\n\n[build]\nformats = [\"pdf\", \"epub\", \"html\"]\n\n[[part]]\ntitle = \"Contributions\"\narticles = [\"{name}\"]\n"),
    );
    std::fs::create_dir_all(report.path().join("report")).unwrap();
    std::fs::write(report.path().join("report").join(name), bytes).unwrap();
    report
}

fn sample_brief() -> Vec<u8> {
    std::fs::read(repo().join("report/policy-brief.docx")).unwrap()
}

/// The text of the web edition's pages, tags removed.
fn site_text(report: &TestReport) -> String {
    let mut pages: Vec<_> = std::fs::read_dir(report.path().join("build/html"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html") && !p.ends_with("index.html"))
        .collect();
    pages.sort();
    let mut out = String::new();
    for page in pages {
        let html = std::fs::read_to_string(page).unwrap();
        let main = html.split("<main").nth(1).unwrap_or(&html);
        let main = main.split("</main>").next().unwrap_or(main);
        let mut in_tag = false;
        for c in main.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_word_document_listed_in_book_toml_builds_directly() {
    let report = report_with("brief.docx", &sample_brief());
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "the sample brief converts cleanly:\n{}", run.stderr);
    let text = site_text(&report);
    for expected in [
        "Four ways to regulate virtual currency businesses",
        "The choice supervisors face",
        "FIN-2013-G001",
        "Bespoke licence",
        "Table 1",
        "Figure 1",
        "What supervisors can share",
        "Internet Governance Forum",
    ] {
        assert!(text.contains(expected), "`{expected}` missing from the web edition: {text}");
    }
    // The picture is written out with the web edition and the EPUB.
    let images: Vec<_> = walk(&report.path().join("build/html"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert_eq!(images.len(), 1, "{images:?}");
    let check = report.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn diagnostics_name_the_document_and_paragraph() {
    let body = [p("", "First paragraph."), p("", "Second."), "<w:p><w:r><w:t>See </w:t></w:r><w:hyperlink w:anchor=\"nowhere\"><w:r><w:t>here</w:t></w:r></w:hyperlink></w:p>".to_string()].concat();
    let doc = Docx::new(&body)
        .comments("<w:comment w:id=\"0\" w:author=\"R\"><w:p><w:r><w:t>Hm</w:t></w:r></w:p></w:comment>");
    let with_comment = doc.body.replace(
        "<w:p><w:r><w:t xml:space=\"preserve\">Second.",
        "<w:p><w:commentRangeStart w:id=\"0\"/><w:r><w:t xml:space=\"preserve\">Second.",
    );
    let doc = Docx {
        body: with_comment.replace(
            "Second.</w:t></w:r>",
            "Second.</w:t></w:r><w:commentRangeEnd w:id=\"0\"/><w:r><w:commentReference w:id=\"0\"/></w:r>",
        ),
        ..doc
    };
    let report = report_with("smith.docx", &doc.bytes());
    let run = report.run(&["check"]);
    assert!(run.stderr.contains("report/smith.docx, paragraph 2"), "{}", run.stderr);
    assert!(run.stderr.contains("docx-comment"), "{}", run.stderr);
}

#[test]
fn other_word_processor_formats_are_named_with_how_to_save_them() {
    let report = report_with("notes.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\xff binary");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("an old Word document (.doc)"), "{}", run.stderr);
    assert!(run.stderr.contains("save it as a Word document (.docx)"), "{}", run.stderr);
    // A .docx that is not one.
    let report = report_with("notes.docx", b"plain text, renamed");
    let run = report.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("invalid-docx") && run.stderr.contains("notes.docx"), "{}", run.stderr);
}

#[test]
fn import_writes_markdown_that_builds_to_the_same_article() {
    let direct = report_with("policy-brief.docx", &sample_brief());
    assert_eq!(direct.run(&["build", "--format", "html"]).code, 0);

    let imported = TestReport::new();
    imported.with_styles();
    imported.write(
        "book.toml",
        "[book]\ntitle = \"Report\"\ndate = \"2016-12-08\"\n\n[build]\nformats = [\"html\"]\n\n# Kept by import.\n[[part]]\ntitle = \"Contributions\"\narticles = []\n",
    );
    std::fs::create_dir_all(imported.path().join("report")).unwrap();
    std::fs::write(imported.path().join("Policy Brief.docx"), sample_brief()).unwrap();
    let run = imported.run(&["import", "Policy Brief.docx", "--part", "Contributions"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("report/policy-brief.md"), "{}", run.stdout);
    let markdown = std::fs::read_to_string(imported.path().join("report/policy-brief.md")).unwrap();
    assert!(markdown.starts_with("---\n"), "front matter first:\n{markdown}");
    assert!(imported.path().join("report/images/policy-brief/image1.png").is_file());
    let manifest = std::fs::read_to_string(imported.path().join("book.toml")).unwrap();
    assert!(manifest.contains("# Kept by import.") && manifest.contains("\"policy-brief.md\""), "{manifest}");

    let built = imported.run(&["build", "--format", "html"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert_eq!(
        site_text(&imported),
        site_text(&direct),
        "importing then building gives the article building the .docx gives"
    );

    // Never overwritten without --force; nothing written on refusal.
    std::fs::write(imported.path().join("report/policy-brief.md"), "edited by hand").unwrap();
    let again = imported.run(&["import", "Policy Brief.docx"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(again.stderr.contains("exists already") && again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(imported.path().join("report/policy-brief.md")).unwrap(), "edited by hand");
    let forced = imported.run(&["import", "Policy Brief.docx", "--force", "--json"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    let json: serde_json::Value = serde_json::from_str(&forced.stdout).unwrap();
    assert_eq!(json["command"], "import");
    assert_eq!(json["imported"][0]["entry"], "policy-brief.md");
    assert_eq!(json["imported"][0]["images"].as_array().unwrap().len(), 1);
}

#[test]
fn import_writes_reviewers_comments_where_the_editor_sees_them() {
    let body = format!(
        "{}<w:p><w:commentRangeStart w:id=\"0\"/><w:r><w:t>Disputed claim.</w:t></w:r><w:commentRangeEnd w:id=\"0\"/><w:r><w:commentReference w:id=\"0\"/></w:r></w:p>{}",
        p("", "Opening."),
        p("", "Closing.")
    );
    let doc = Docx::new(&body)
        .comments("<w:comment w:id=\"0\" w:author=\"Reviewer Ruiz\" w:date=\"2016-11-01T09:00:00Z\"><w:p><w:r><w:t>Source? -- it needs one</w:t></w:r></w:p></w:comment>")
        .core("<dc:title>Commented</dc:title>");
    let report = TestReport::new();
    std::fs::write(report.path().join("c.docx"), doc.bytes()).unwrap();
    let run = report.run(&["import", "c.docx", "--to", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("docx-comment"), "{}", run.stderr);
    let markdown = std::fs::read_to_string(report.path().join("out/c.md")).unwrap();
    let at = markdown.find("<!--").expect("the comment is in the markdown");
    assert!(markdown.find("Disputed claim.").unwrap() < at && at < markdown.find("Closing.").unwrap(), "{markdown}");
    assert!(markdown.contains("Reviewer Ruiz") && markdown.contains("Source?"), "{markdown}");
    let comment = &markdown[at..markdown[at..].find("-->").unwrap() + at];
    assert!(!comment[4..].contains("--"), "a comment cannot close early: {comment}");
    // -D makes the comments errors: nothing is written.
    let report = TestReport::new();
    std::fs::write(report.path().join("c.docx"), doc.bytes()).unwrap();
    let denied = report.run(&["import", "c.docx", "--to", "out", "-D", "docx-comment"]);
    assert_eq!(denied.code, 1);
    assert!(!report.path().join("out").exists(), "nothing written after an error");
}

#[test]
fn import_refuses_what_it_cannot_read_and_names_unknown_parts() {
    let report = TestReport::new();
    report.write("book.toml", "[book]\ntitle = \"R\"\n\n[[part]]\ntitle = \"One\"\narticles = []\n");
    std::fs::write(report.path().join("a.docx"), Docx::new(&p("", "x")).bytes()).unwrap();
    let run = report.run(&["import", "a.docx", "--part", "Two"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no such part") && run.stderr.contains("\"One\""), "{}", run.stderr);
    assert!(!report.path().join("report/a.md").exists());
    std::fs::write(report.path().join("b.odt"), b"PK\x03\x04").unwrap();
    let run = report.run(&["import", "b.odt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a Word document (.docx)"), "{}", run.stderr);
}

// --------------------------------------------- the sample and real clients ---

#[test]
fn the_sample_brief_is_what_its_script_writes() {
    if !require_tool("python3", "the_sample_brief_is_what_its_script_writes") {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let written = out.path().join("brief.docx");
    let status = std::process::Command::new("python3")
        .arg(repo().join("scripts/make-sample-docx.py"))
        .arg(&written)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let parts = |bytes: Vec<u8>| {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut data).unwrap();
                (f.name().to_string(), data)
            })
            .collect::<Vec<_>>()
    };
    assert!(
        parts(std::fs::read(&written).unwrap()) == parts(sample_brief()),
        "report/policy-brief.docx is stale: run python3 scripts/make-sample-docx.py"
    );
}

/// python-docx writes its documents from Word's own default template
/// (Word's styles.xml, numbering.xml, theme): a real Word client.
#[test]
fn a_document_written_by_python_docx_builds() {
    let script = r#"
import sys, docx
d = docx.Document()
d.core_properties.title = "Written by python-docx"
d.core_properties.author = "A Member"
d.add_heading("Written by python-docx", 0)
d.add_heading("First section", level=1)
p = d.add_paragraph("Plain, ")
p.add_run("bold").bold = True
p.add_run(" and ")
p.add_run("italic").italic = True
p.add_run(" words.")
d.add_paragraph("first bullet", style="List Bullet")
d.add_paragraph("second bullet", style="List Bullet")
d.add_paragraph("first step", style="List Number")
d.add_paragraph("second step", style="List Number")
d.add_heading("Second section", level=2)
d.add_paragraph("A quotation.", style="Intense Quote")
t = d.add_table(rows=2, cols=2)
t.rows[0].cells[0].text = "Header A"; t.rows[0].cells[1].text = "Header B"
t.rows[1].cells[0].text = "cell 1"; t.rows[1].cells[1].text = "cell 2"
d.save(sys.argv[1])
"#;
    let have =
        std::process::Command::new("python3").args(["-c", "import docx"]).output().is_ok_and(|o| o.status.success());
    if !have {
        if std::env::var_os("CI").is_some() {
            panic!("python-docx is required in CI (.ci/run installs it)");
        }
        say("SKIPPED a_document_written_by_python_docx_builds: python-docx is not installed (pip install python-docx)");
        return;
    }
    let report = report_with("member.docx", b"");
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(report.path().join("report/member.docx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = report.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = site_text(&report);
    for expected in [
        "Written by python-docx",
        "First section",
        "bold",
        "second bullet",
        "second step",
        "A quotation.",
        "Header B",
        "cell 2",
    ] {
        assert!(text.contains(expected), "`{expected}`: {text}");
    }
    let html: String = walk(&report.path().join("build/html"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(html.contains("<ol") && html.contains("<ul"), "numbered and bulleted lists");
    assert!(html.contains("<strong>bold</strong>") && html.contains("<em>italic</em>"));
    assert!(html.contains("<th") && html.contains("Header A"), "the first row is the header");
}

/// Real Word documents, where folders of them are named in
/// `$COALA_DOCX_CORPUS` (`:`-separated; e.g. jgm/pandoc's `test/docx/`,
/// Apache POI's `test-data/document/`, mammoth.js's and python-docx's test
/// documents): none crashes the tool (damaged, encrypted or DTD-carrying
/// ones are `invalid-docx` errors), and a report of all the others builds
/// an EPUB that EPUBCheck passes with no message.
#[test]
fn word_corpora_convert_and_their_report_is_valid() {
    let Some(dirs) = std::env::var_os("COALA_DOCX_CORPUS") else {
        say("SKIPPED word_corpora_convert_and_their_report_is_valid: set COALA_DOCX_CORPUS to folders of .docx files");
        return;
    };
    let report = TestReport::new();
    report.with_styles();
    std::fs::create_dir_all(report.path().join("report")).unwrap();
    let mut listed = Vec::new();
    for (n, dir) in std::env::split_paths(&dirs).enumerate() {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "docx"))
            .collect();
        files.sort();
        for file in files {
            let name = format!("{n}-{}", file.file_name().unwrap().to_str().unwrap().replace(' ', "_"));
            std::fs::copy(&file, report.path().join("report").join(&name)).unwrap();
            listed.push(name);
        }
    }
    assert!(!listed.is_empty(), "no .docx in {dirs:?}");
    let manifest = |listed: &[String]| {
        let quoted: Vec<String> = listed.iter().map(|n| format!("\"{n}\"")).collect();
        format!(
            "[book]\ntitle = \"Word documents\"\ndate = \"2026-01-01\"\n\n[build]\nformats = [\"epub\", \"html\"]\n\n[[part]]\ntitle = \"All\"\narticles = [{}]\n",
            quoted.join(", ")
        )
    };
    report.write("book.toml", &manifest(&listed));
    let check = report.run(&["check", "--json"]);
    assert!(check.code == 0 || check.code == 1, "{}", check.stderr);
    let summary: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let mut refused = std::collections::BTreeSet::new();
    for error in summary["errors"].as_array().unwrap() {
        let name = error["name"].as_str().unwrap();
        assert!(matches!(name, "invalid-docx" | "missing-image"), "only named errors: {error}");
        let file = error["file"].as_str().unwrap().trim_start_matches("report/").to_string();
        refused.insert(file);
    }
    say(&format!("word corpora: {} documents, {} refused with a named error", listed.len(), refused.len()));
    listed.retain(|n| !refused.contains(n));
    report.write("book.toml", &manifest(&listed));
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    if let Some(out) = crate::epub::epubcheck(&report.path().join("build/report.epub"), "word corpora") {
        assert!(out.contains("No errors or warnings detected"), "{out}");
    }
}

#[test]
fn watch_rebuilds_when_a_word_document_is_saved_again() {
    let first = Docx::new(&[p("", "The first version."), drawing("rIdImg", "A dot")].concat())
        .core("<dc:title>Draft</dc:title>")
        .image("rIdImg", "dot.png", PNG_1X1);
    let report = report_with("draft.docx", &first.bytes());
    report.write(
        "book.toml",
        &std::fs::read_to_string(report.path().join("book.toml"))
            .unwrap()
            .replace("[\"pdf\", \"epub\", \"html\"]", "[\"pdf\", \"html\"]"),
    );
    let mut watch = crate::workflow::Watch::start(report.path(), &[]);
    watch.wait_for("built in");
    watch.wait_for("watching");
    assert!(site_text(&report).contains("The first version."));
    let pdf = std::fs::read(report.path().join("build/report.pdf")).unwrap();

    // Saved again, as Word does: a lock file comes and goes, the document is replaced.
    let mut png = PNG_1X1.to_vec();
    png.extend_from_slice(b"trailing bytes make another picture file");
    let second = Docx::new(&[p("", "The second version."), drawing("rIdImg", "A dot")].concat())
        .core("<dc:title>Draft</dc:title>")
        .image("rIdImg", "dot.png", &png);
    std::fs::write(report.path().join("report/~$draft.docx"), b"lock").unwrap();
    std::fs::write(report.path().join("report/draft.docx"), second.bytes()).unwrap();
    std::fs::remove_file(report.path().join("report/~$draft.docx")).unwrap();
    let changed = watch.wait_for("changed:");
    assert_eq!(changed, "changed: report/draft.docx; rebuilding");
    watch.wait_for("built in");
    assert!(site_text(&report).contains("The second version."), "{}", site_text(&report));
    let images: Vec<Vec<u8>> = walk(&report.path().join("build/html"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(images, [png], "the new picture is published");
    assert_ne!(std::fs::read(report.path().join("build/report.pdf")).unwrap(), pdf, "the PDF was typeset again");
}

#[test]
fn check_box_bullets_are_tasks_and_blank_bullets_continue_the_item() {
    let abs = |id: u8, text: &str| {
        format!(
            "<w:abstractNum w:abstractNumId=\"{id}\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"{text}\"/></w:lvl></w:abstractNum><w:num w:numId=\"{id}\"><w:abstractNumId w:val=\"{id}\"/></w:num>"
        )
    };
    let numbering = [abs(1, "☐"), abs(2, "☒"), abs(3, " ")].concat();
    let body = [item(1, 0, "to do"), item(2, 0, "done"), item(3, 0, "more about it"), item(1, 0, "later")].concat();
    let imported = Docx::new(&body).numbering(&numbering).read();
    let BlockKind::List { items, .. } = &imported.blocks[0].kind else { panic!("{:?}", imported.blocks) };
    assert_eq!(imported.blocks.len(), 1, "one list: {:?}", imported.blocks);
    let tasks: Vec<Option<bool>> = items.iter().map(|i| i.task).collect();
    assert_eq!(tasks, [Some(false), Some(true), Some(false)]);
    assert_eq!(items[1].blocks.len(), 2, "the blank bullet's paragraph continues the item: {:?}", items[1]);
}
