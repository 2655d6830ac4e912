//! The document model: an owned tree of blocks and inlines with source lines,
//! built once from the markdown and shared by every emitter. Links, anchors
//! and footnotes are resolved here, once, for the whole report.

use std::collections::HashSet;
use std::path::PathBuf;

pub mod meta;

pub use meta::{Author, FrontMatter, Kind};

/// The whole report, in reading order.
#[derive(Debug, Clone)]
pub struct Report {
    pub front: Vec<Article>,
    pub parts: Vec<Part>,
    pub back: Vec<Article>,
    /// With `[bibliography] placement = "end"`: each citing article's own
    /// reference list (its heading and entries), which its offprint ends
    /// with; by article id.
    pub offprint_references: std::collections::BTreeMap<String, Vec<Block>>,
    /// With `placement = "end"`: the article that ends with the report's
    /// reference list, and the index of the list's first block in it (its
    /// offprint ends before, with its own list).
    pub end_references: Option<(String, usize)>,
}

/// A `[[part]]`.
#[derive(Debug, Clone)]
pub struct Part {
    /// 1-based.
    pub number: usize,
    pub title: Option<String>,
    pub articles: Vec<Article>,
}

/// Where an article sits in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Front,
    Part(usize),
    Back,
}

/// One markdown file.
#[derive(Debug, Clone)]
pub struct Article {
    /// The file, relative to the report root (for diagnostics).
    pub path: PathBuf,
    /// The file relative to `src`, with `/` separators: how links name it.
    pub src_rel: String,
    /// Unique id in the report, usable in Typst labels and XHTML ids.
    pub id: String,
    pub meta: FrontMatter,
    /// The title as inlines (from front matter text, or the first H1).
    pub title: Vec<Inline>,
    pub subtitle: Option<String>,
    pub abstract_: Vec<Block>,
    pub blocks: Vec<Block>,
    /// Footnotes in the order of their first reference, numbered from 1.
    pub footnotes: Vec<Footnote>,
    /// Link targets in this article: heading slugs and ids, figure and
    /// table labels, HTML and span ids.
    pub anchors: HashSet<String>,
    pub placement: Placement,
    /// The works the article brings with it, as BibTeX: those a Word
    /// document cites through Zotero or Mendeley. The citations pass adds
    /// those the report's bibliography lacks.
    pub references: String,
}

impl Article {
    pub fn title_text(&self) -> String {
        plain_text(&self.title)
    }

    /// Every block of the article: its abstract, body and footnotes, with
    /// the blocks nested in quotes, callouts and lists, depth first.
    pub fn all_blocks(&self) -> Vec<&Block> {
        let mut out = Vec::new();
        let tops = self.abstract_.iter().chain(&self.blocks).chain(self.footnotes.iter().flat_map(|f| &f.blocks));
        for block in tops {
            push_blocks(block, &mut out);
        }
        out
    }

    /// Every inline of the article (title, text, table cells, captions, and
    /// the inlines nested in emphasis and links), with its block's line.
    pub fn all_inlines(&self) -> Vec<(&Inline, usize)> {
        let mut out = Vec::new();
        push_inlines(&self.title, 1, &mut out);
        for block in self.all_blocks() {
            for inlines in block_inlines(block) {
                push_inlines(inlines, block.line, &mut out);
            }
        }
        out
    }

    /// Every image of the article, figures and inline images, in reading
    /// order (title, abstract, body, footnotes).
    pub fn images(&self) -> Vec<&Image> {
        let mut inlines = Vec::new();
        push_inlines(&self.title, 1, &mut inlines);
        let mut out: Vec<&Image> = Vec::new();
        for (inline, _) in inlines {
            if let Inline::Image(image) = inline {
                out.push(image);
            }
        }
        for block in self.all_blocks() {
            if let BlockKind::Figure { image, .. } = &block.kind {
                out.push(image);
            }
            let mut nested = Vec::new();
            for run in block_inlines(block) {
                push_inlines(run, block.line, &mut nested);
            }
            out.extend(nested.into_iter().filter_map(|(i, _)| match i {
                Inline::Image(image) => Some(image),
                _ => None,
            }));
        }
        out
    }

    /// Calls `f` on every block of the article, in the order of
    /// [`Article::all_blocks`], with mutable access.
    pub fn for_each_block_mut(&mut self, f: &mut impl FnMut(&mut Block)) {
        let tops = self
            .abstract_
            .iter_mut()
            .chain(&mut self.blocks)
            .chain(self.footnotes.iter_mut().flat_map(|n| &mut n.blocks));
        for block in tops {
            visit_block_mut(block, f);
        }
    }
}

fn visit_block_mut(block: &mut Block, f: &mut impl FnMut(&mut Block)) {
    f(block);
    match &mut block.kind {
        BlockKind::Quote(blocks) | BlockKind::Callout { blocks, .. } => {
            blocks.iter_mut().for_each(|b| visit_block_mut(b, f))
        }
        BlockKind::List { items, .. } => {
            items.iter_mut().flat_map(|i| &mut i.blocks).for_each(|b| visit_block_mut(b, f))
        }
        BlockKind::DefinitionList { items, .. } => {
            items.iter_mut().flat_map(|i| &mut i.blocks).for_each(|b| visit_block_mut(b, f))
        }
        _ => {}
    }
}

fn push_blocks<'a>(block: &'a Block, out: &mut Vec<&'a Block>) {
    out.push(block);
    match &block.kind {
        BlockKind::Quote(blocks) | BlockKind::Callout { blocks, .. } => blocks.iter().for_each(|b| push_blocks(b, out)),
        BlockKind::List { items, .. } => items.iter().flat_map(|i| &i.blocks).for_each(|b| push_blocks(b, out)),
        BlockKind::DefinitionList { items, .. } => {
            items.iter().flat_map(|i| &i.blocks).for_each(|b| push_blocks(b, out))
        }
        _ => {}
    }
}

/// The inline runs a block holds directly (not those of nested blocks).
pub fn block_inlines(block: &Block) -> Vec<&[Inline]> {
    match &block.kind {
        BlockKind::Paragraph(i) | BlockKind::Heading { content: i, .. } => vec![i.as_slice()],
        BlockKind::Table { header, rows, caption, .. } => {
            header.iter().chain(rows.iter().flatten()).chain(std::iter::once(caption)).map(Vec::as_slice).collect()
        }
        BlockKind::Figure { caption, .. } => vec![caption.as_slice()],
        BlockKind::DefinitionList { items, .. } => items.iter().map(|i| i.term.as_slice()).collect(),
        _ => Vec::new(),
    }
}

fn push_inlines<'a>(inlines: &'a [Inline], line: usize, out: &mut Vec<(&'a Inline, usize)>) {
    for inline in inlines {
        out.push((inline, line));
        if let Some(children) = inline.children() {
            push_inlines(children, line, out);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Footnote {
    pub name: String,
    pub number: usize,
    pub line: usize,
    pub blocks: Vec<Block>,
}

/// A block with the 1-based line of the markdown file it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub line: usize,
    pub kind: BlockKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl CalloutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CalloutKind::Note => "note",
            CalloutKind::Tip => "tip",
            CalloutKind::Important => "important",
            CalloutKind::Warning => "warning",
            CalloutKind::Caution => "caution",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    Paragraph(Vec<Inline>),
    /// `level` is 1 for the article's top sections (whatever markdown level
    /// the author used for them), 2 below, and so on.
    Heading {
        level: u8,
        id: String,
        /// `false` for `{.unnumbered}` or `{-}` (with `numbered-sections`).
        numbered: bool,
        /// `false` for `{.unlisted}` or kramdown's `{: .no_toc}`: left out
        /// of the contents (the PDF's bookmarks, the EPUB's navigation).
        listed: bool,
        content: Vec<Inline>,
    },
    Quote(Vec<Block>),
    List {
        start: Option<usize>,
        tight: bool,
        items: Vec<ListItem>,
    },
    Code {
        lang: Option<String>,
        code: String,
    },
    /// A display formula: its LaTeX, and the Typst math it converts to
    /// (converted and checked once, while parsing; `None` when it cannot
    /// be, which was reported as an error).
    Math {
        tex: String,
        typst: Option<String>,
    },
    /// `caption` comes from a Pandoc-style `Table: ...` (or `: ...`) line
    /// just before or after the table, which may end with a label
    /// (`{#tbl-name}`); captioned tables are numbered.
    Table {
        align: Vec<Align>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        caption: Vec<Inline>,
        label: Option<String>,
        /// Set during resolution: its number among the report's tables.
        number: Option<usize>,
    },
    /// A paragraph holding nothing but an image, and optionally a label
    /// after it (`![alt](file.png "Caption"){#fig-name}`). Captioned or
    /// labelled figures are numbered.
    Figure {
        image: Image,
        caption: Vec<Inline>,
        label: Option<String>,
        /// Set during resolution: its number among the report's figures.
        number: Option<usize>,
    },
    Callout {
        kind: CalloutKind,
        title: Option<String>,
        blocks: Vec<Block>,
    },
    Rule,
    /// A definition list (`Term` then `: definition`, as kramdown and
    /// Pandoc write it): terms and what defines them; `tight` when no
    /// definition is set apart by a blank line (its paragraphs then stay
    /// inline).
    DefinitionList {
        tight: bool,
        items: Vec<DefinitionItem>,
    },
    /// Link targets that stand between blocks: ids of raw HTML blocks
    /// (`<div id="x">`), a heading's slug when it has an explicit id, ids
    /// taken out of a heading or a title. Nothing is shown.
    Anchor(Vec<String>),
}

/// A term of a definition list and its definition (a term's second
/// definition continues the first).
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionItem {
    pub term: Vec<Inline>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// `Some(checked)` for a task list item.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Code(String),
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    Sup(Vec<Inline>),
    Sub(Vec<Inline>),
    Kbd(String),
    Abbr {
        title: String,
        content: Vec<Inline>,
    },
    Link {
        dest: LinkDest,
        content: Vec<Inline>,
        line: usize,
        column: usize,
    },
    Image(Image),
    /// A reference to `Article::footnotes[number - 1]`; `first` on its first use.
    FootnoteRef {
        number: usize,
        first: bool,
    },
    /// A formula in the text: as [`BlockKind::Math`].
    Math {
        tex: String,
        display: bool,
        typst: Option<String>,
    },
    SoftBreak,
    LineBreak,
    /// A link target in the text (`<a name="x">`, `<span id="x">`,
    /// `[text]{#x}`); nothing is shown.
    Anchor(String),
    /// A passage in another language than its article's (`[texte]{lang=fr}`,
    /// `<span lang="fr">`): `lang` is a valid BCP 47 tag.
    Lang {
        lang: String,
        content: Vec<Inline>,
    },
}

impl Inline {
    /// The inlines this one contains: those of emphasis, strong, strike,
    /// super- and subscript, abbreviations and links.
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Abbr { content: c, .. }
            | Inline::Link { content: c, .. }
            | Inline::Lang { content: c, .. } => Some(c),
            _ => None,
        }
    }

    /// As [`Inline::children`], to rewrite them.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Abbr { content: c, .. }
            | Inline::Link { content: c, .. }
            | Inline::Lang { content: c, .. } => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkDest {
    /// As written; replaced during resolution.
    Unresolved(String),
    External(String),
    /// An article of the report, and optionally a heading, figure or table
    /// in it.
    Internal {
        article: String,
        anchor: Option<String>,
    },
    /// A cross-reference to a figure or table label (`@fig-name`,
    /// `@tbl-name`); resolution makes it an internal link whose text is
    /// "Figure 3".
    Ref(String),
    /// Rendered as its text only (a warning was given).
    Dropped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub src: ImageSrc,
    pub alt: String,
    pub title: Option<String>,
    pub line: usize,
    pub column: usize,
    /// Set during resolution when the file's bytes are another format than
    /// its name says (`chart.png` holding a JPEG): that format's extension.
    pub format: Option<&'static str>,
    /// Marked decorative by its author (HTML `alt=""`, `role="presentation"`):
    /// no description is needed; the PDF makes it an artifact, the EPUB and
    /// the web edition hide it from assistive technology.
    pub decorative: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImageSrc {
    /// As written; replaced during resolution.
    Unresolved(String),
    /// A file inside the root, relative to it, with `/` separators.
    Local(String),
    /// A remote or unusable image: only its alt text is shown.
    Unavailable(String),
}

impl Report {
    /// All articles in reading order.
    pub fn articles(&self) -> impl Iterator<Item = &Article> {
        self.front.iter().chain(self.parts.iter().flat_map(|p| p.articles.iter())).chain(self.back.iter())
    }

    pub fn articles_mut(&mut self) -> impl Iterator<Item = &mut Article> {
        self.front
            .iter_mut()
            .chain(self.parts.iter_mut().flat_map(|p| p.articles.iter_mut()))
            .chain(self.back.iter_mut())
    }
}

/// The text of inlines without markup (for titles, alt text, metadata):
/// math as its LaTeX source, line breaks as spaces.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_text(inlines, TextOptions { math: true, line_breaks: ' ' }, &mut out);
    out
}

/// What [`push_text`] does with math and line breaks.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Include math's LaTeX source (else leave math out).
    pub math: bool,
    /// What soft and hard line breaks become.
    pub line_breaks: char,
}

/// The first letter of the inlines' text as [`plain_text`] reads it, found
/// without building that text (emitters ask it of every paragraph).
pub fn first_letter(inlines: &[Inline]) -> Option<char> {
    let letter = |t: &str| t.chars().find(|c| c.is_alphabetic());
    inlines.iter().find_map(|inline| match inline {
        Inline::Text(t) | Inline::Code(t) | Inline::Kbd(t) | Inline::Math { tex: t, .. } => letter(t),
        Inline::Image(img) => letter(&img.alt),
        other => other.children().and_then(first_letter),
    })
}

/// Appends the text of inlines without markup: text, code, alt text of
/// images, the content of emphasis and links; never footnote markers.
pub fn push_text(inlines: &[Inline], options: TextOptions, out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) | Inline::Kbd(t) => out.push_str(t),
            Inline::Math { tex, .. } if options.math => out.push_str(tex),
            Inline::Image(img) => out.push_str(&img.alt),
            Inline::SoftBreak | Inline::LineBreak => out.push(options.line_breaks),
            other => {
                if let Some(children) = other.children() {
                    push_text(children, options, out);
                }
            }
        }
    }
}

/// Joins `rel` onto `base` (both `/`-separated, relative), resolving `.` and
/// `..`. `None` if the result leaves the base's root.
pub fn join_rel(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_letter_is_that_of_the_plain_text() {
        let text = |t: &str| Inline::Text(t.into());
        let cases = vec![
            vec![text("1. "), Inline::Emph(vec![text("— "), Inline::Strong(vec![text("مرحبا")])]), text(" COALA")],
            vec![Inline::FootnoteRef { number: 1, first: true }, Inline::SoftBreak, Inline::Code("x".into())],
            vec![Inline::Math { tex: "2+2".into(), display: false, typst: None }, text("2016 !")],
            vec![Inline::Link { dest: LinkDest::Dropped, content: vec![text("«Été»")], line: 1, column: 1 }],
        ];
        for inlines in cases {
            let expected = plain_text(&inlines).chars().find(|c| c.is_alphabetic());
            assert_eq!(first_letter(&inlines), expected, "{inlines:?}");
        }
        assert_eq!(first_letter(&[text("2016 — !")]), None);
    }

    #[test]
    fn join() {
        assert_eq!(join_rel("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join_rel("", "./c.md").as_deref(), Some("c.md"));
        assert_eq!(join_rel("", "../c.md"), None);
    }
}
