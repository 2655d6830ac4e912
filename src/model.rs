//! The document model: an owned tree of blocks and inlines with source lines,
//! built once from the markdown and shared by every emitter. Links, anchors
//! and footnotes are resolved here, once, for the whole report.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::input::frontmatter::FrontMatter;
use crate::lint;

/// The whole report, in reading order.
#[derive(Debug, Clone)]
pub struct Report {
    pub manifest: Manifest,
    pub front: Vec<Article>,
    pub parts: Vec<Part>,
    pub back: Vec<Article>,
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
        _ => {}
    }
}

fn push_blocks<'a>(block: &'a Block, out: &mut Vec<&'a Block>) {
    out.push(block);
    match &block.kind {
        BlockKind::Quote(blocks) | BlockKind::Callout { blocks, .. } => blocks.iter().for_each(|b| push_blocks(b, out)),
        BlockKind::List { items, .. } => items.iter().flat_map(|i| &i.blocks).for_each(|b| push_blocks(b, out)),
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
    /// Link targets that stand between blocks: ids of raw HTML blocks
    /// (`<div id="x">`), a heading's slug when it has an explicit id, ids
    /// taken out of a heading or a title. Nothing is shown.
    Anchor(Vec<String>),
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
            | Inline::Link { content: c, .. } => Some(c),
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
            | Inline::Link { content: c, .. } => Some(c),
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

/// Resolves every link and image of the report: links between articles
/// become internal links, unknown targets become warnings.
/// What the image check says of a file: `Ok(None)` a good image, `Ok(Some(
/// ext))` an image of another format than its name says, `Err(why)` none.
pub type ImageCheck<'a> = dyn Fn(&str) -> Result<Option<&'static str>, String> + Sync + 'a;

pub fn resolve(report: &mut Report, image_exists: &ImageCheck<'_>) -> Vec<Diagnostic> {
    let labels = number_figures_and_tables(report);
    let words = crate::words::Labels::for_language(&report.manifest.book.language);
    let src = report.manifest.book.src.trim_end_matches('/').to_string();
    let mut articles: Vec<&mut Article> = report.articles_mut().collect();
    // Every article's id and anchors, by path; the anchor sets are lent to
    // the index (not cloned) and given back once every link is resolved.
    let targets: Vec<(String, HashSet<String>)> =
        articles.iter_mut().map(|a| (a.id.clone(), std::mem::take(&mut a.anchors))).collect();
    let index: HashMap<String, &(String, HashSet<String>)> =
        articles.iter().zip(&targets).map(|(a, t)| (a.src_rel.clone(), t)).collect();
    // Articles are resolved on all cores (each on its own), their
    // diagnostics kept in the report's order.
    let cells: Vec<(usize, std::sync::Mutex<&mut Article>)> =
        articles.into_iter().map(std::sync::Mutex::new).enumerate().collect();
    let sinks = crate::parallel::map(&cells, |(i, cell)| {
        let own_anchors = &targets[*i].1;
        let mut guard = cell.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let article: &mut Article = &mut guard;
        // The folder the article was read from: `src`, or the original's for
        // an untranslated article of a translated edition.
        let path = article.path.to_string_lossy();
        let own_src = path.strip_suffix(article.src_rel.as_str()).map(|s| s.trim_end_matches('/').to_string());
        let ctx = Ctx {
            index: &index,
            article_dir: parent_of(&article.src_rel),
            src: own_src.as_deref().unwrap_or(&src),
            own_anchors,
            own_id: article.id.clone(),
            path: article.path.clone(),
            image_exists,
            labels: &labels,
            words: (words.figure, words.table),
        };
        let mut sink = Vec::new();
        article.for_each_block_mut(&mut |b| resolve_block(b, &ctx, &mut sink));
        for inline in &mut article.title {
            resolve_inline(inline, &ctx, &mut sink);
        }
        sink
    });
    drop(index);
    for ((_, cell), (_, anchors)) in cells.into_iter().zip(targets) {
        cell.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).anchors = anchors;
    }
    sinks.into_iter().flatten().collect()
}

struct Ctx<'a> {
    index: &'a HashMap<String, &'a (String, HashSet<String>)>,
    article_dir: String,
    src: &'a str,
    own_anchors: &'a HashSet<String>,
    own_id: String,
    path: PathBuf,
    image_exists: &'a ImageCheck<'a>,
    labels: &'a HashMap<String, Vec<Numbered>>,
    /// "Figure" and "Table" in the report's language.
    words: (&'static str, &'static str),
}

/// A labelled figure or table: where it is and its number.
#[derive(Debug, Clone)]
struct Numbered {
    article: String,
    src_rel: String,
    table: bool,
    number: usize,
}

/// Numbers the report's captioned or labelled figures, and its captioned
/// tables, each from 1 in reading order; returns the labelled ones by label.
fn number_figures_and_tables(report: &mut Report) -> HashMap<String, Vec<Numbered>> {
    let (mut figures, mut tables) = (0, 0);
    let mut labels: HashMap<String, Vec<Numbered>> = HashMap::new();
    for article in report.articles_mut() {
        let (id, src_rel) = (article.id.clone(), article.src_rel.clone());
        article.for_each_block_mut(&mut |block| {
            let (label, number, table) = match &mut block.kind {
                BlockKind::Figure { caption, label, number, .. } if !caption.is_empty() || label.is_some() => {
                    figures += 1;
                    *number = Some(figures);
                    (label.clone(), figures, false)
                }
                BlockKind::Table { caption, label, number, .. } if !caption.is_empty() => {
                    tables += 1;
                    *number = Some(tables);
                    (label.clone(), tables, true)
                }
                _ => return,
            };
            if let Some(label) = label {
                labels.entry(label).or_default().push(Numbered {
                    article: id.clone(),
                    src_rel: src_rel.clone(),
                    table,
                    number,
                });
            }
        });
    }
    labels
}

/// `@fig-name`: the figure or table of this article with that label, else
/// the one of the report; an error when there is none, or several.
fn resolve_ref(
    label: &str,
    content: &mut Vec<Inline>,
    at: (usize, usize),
    ctx: &Ctx,
    out: &mut Vec<Diagnostic>,
) -> LinkDest {
    let found = ctx.labels.get(label).map(Vec::as_slice).unwrap_or_default();
    let own: Vec<&Numbered> = found.iter().filter(|n| n.article == ctx.own_id).collect();
    let target: &Numbered = match (own.as_slice(), found) {
        ([one], _) => one,
        ([], [one]) => one,
        ([], []) => {
            let what = if label.starts_with("tbl-") { "table" } else { "figure" };
            out.push(
                Diagnostic::new(&lint::BROKEN_CROSSREF, format!("no {what} is labelled `{label}`"))
                    .with_file(&ctx.path)
                    .with_position(at.0, at.1)
                    .with_len(label.chars().count() + 1)
                    .with_hint(if what == "table" {
                        format!("label a table at the end of its caption line: `Table: Caption {{#{label}}}`")
                    } else {
                        format!("label a figure right after its image: `![alt](file.png \"Caption\"){{#{label}}}`")
                    }),
            );
            return LinkDest::Dropped;
        }
        _ => {
            let places: Vec<&str> = found.iter().map(|n| n.src_rel.as_str()).collect();
            out.push(
                Diagnostic::new(
                    &lint::BROKEN_CROSSREF,
                    format!("`@{label}` is ambiguous: it labels figures or tables in {}", places.join(", ")),
                )
                .with_file(&ctx.path)
                .with_position(at.0, at.1)
                .with_len(label.chars().count() + 1)
                .with_hint(format!(
                    "link to the one you mean, e.g. [{} N]({}#{label}), or rename one of the labels",
                    ctx.words.0, places[0]
                )),
            );
            return LinkDest::Dropped;
        }
    };
    let word = if target.table { ctx.words.1 } else { ctx.words.0 };
    *content = vec![Inline::Text(format!("{word}\u{a0}{}", target.number))];
    LinkDest::Internal { article: target.article.clone(), anchor: Some(label.to_string()) }
}

fn parent_of(rel: &str) -> String {
    match rel.rfind('/') {
        Some(i) => rel[..i].to_string(),
        None => String::new(),
    }
}

/// Resolves the links and images a block holds itself (the blocks nested
/// in it are visited on their own).
fn resolve_block(block: &mut Block, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    match &mut block.kind {
        BlockKind::Paragraph(inlines) | BlockKind::Heading { content: inlines, .. } => {
            inlines.iter_mut().for_each(|i| resolve_inline(i, ctx, out))
        }
        BlockKind::Table { header, rows, caption, .. } => {
            caption.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
            for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                cell.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
            }
        }
        BlockKind::Figure { image, caption, .. } => {
            resolve_image(image, ctx, out);
            caption.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
        }
        BlockKind::Quote(_)
        | BlockKind::Callout { .. }
        | BlockKind::List { .. }
        | BlockKind::Code { .. }
        | BlockKind::Math { .. }
        | BlockKind::Rule
        | BlockKind::Anchor(_) => {}
    }
}

fn resolve_inline(inline: &mut Inline, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    match inline {
        Inline::Link { dest, content, line, column } => {
            match dest {
                LinkDest::Unresolved(url) => {
                    let url = url.clone();
                    *dest = resolve_link(&url, (*line, *column), ctx, out);
                }
                LinkDest::Ref(label) => {
                    let label = label.clone();
                    *dest = resolve_ref(&label, content, (*line, *column), ctx, out);
                    return;
                }
                _ => {}
            }
            content.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
        }
        Inline::Image(image) => resolve_image(image, ctx, out),
        other => {
            if let Some(children) = other.children_mut() {
                children.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
            }
        }
    }
}

/// Is `url` an absolute URL with a scheme (`https:`, `mailto:`...)?
pub fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.len() > 1; // `C:` is a Windows drive, not a scheme
    ok.then_some(scheme)
}

const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "ftp", "tel", "doi", "urn"];

fn resolve_link(url: &str, (line, column): (usize, usize), ctx: &Ctx, out: &mut Vec<Diagnostic>) -> LinkDest {
    let warn = |out: &mut Vec<Diagnostic>, lint: &'static lint::Lint, message: String, hint: &str| {
        out.push(
            Diagnostic::new(lint, message).with_file(&ctx.path).with_position(line, column).with_hint(hint.to_string()),
        );
        LinkDest::Dropped
    };
    let url = url.trim();
    if url.is_empty() {
        return warn(
            out,
            &lint::EMPTY_LINK,
            "link with an empty target".into(),
            "give the link a target, or remove the brackets; it is shown as plain text",
        );
    }
    if let Some(scheme) = scheme(url) {
        let lower = scheme.to_ascii_lowercase();
        if SAFE_SCHEMES.contains(&lower.as_str()) {
            return LinkDest::External(url.to_string());
        }
        return warn(
            out,
            &lint::UNSAFE_LINK,
            format!("link with the unsupported scheme `{scheme}:`"),
            "only http, https, mailto, ftp, tel, doi and urn links are kept; it is shown as plain text",
        );
    }
    if url.starts_with("//") {
        return LinkDest::External(format!("https:{url}"));
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (url, None),
    };
    if path.is_empty() {
        let anchor = fragment.unwrap_or_default();
        if ctx.own_anchors.contains(&anchor) {
            return LinkDest::Internal { article: ctx.own_id.clone(), anchor: Some(anchor) };
        }
        out.push(missing_anchor(
            format!("link to `#{anchor}`, which is not an anchor of this article; its text is shown"),
            ctx,
            (line, column),
        ));
        return LinkDest::Dropped;
    }
    let path = percent_decode(path.split('?').next().unwrap_or(path));
    // A root-absolute path (`/other/x.md`, as static sites write them) is
    // read from the report's root.
    let target = match path.strip_prefix('/') {
        Some(from_root) => join_rel("", from_root).and_then(|rel| {
            if ctx.src.is_empty() {
                Some(rel)
            } else {
                rel.strip_prefix(ctx.src).and_then(|r| r.strip_prefix('/')).map(str::to_string)
            }
        }),
        None => join_rel(&ctx.article_dir, &path),
    };
    let Some(target) = target else {
        return warn(
            out,
            &lint::LINK_OUTSIDE_REPORT,
            format!("link to `{url}`, which leaves the report's articles"),
            "link to a published URL instead; it is shown as plain text",
        );
    };
    if let Some((id, anchors)) = ctx.index.get(&target) {
        return match fragment {
            None => LinkDest::Internal { article: id.clone(), anchor: None },
            Some(a) if a.is_empty() => LinkDest::Internal { article: id.clone(), anchor: None },
            Some(a) if anchors.contains(&a) => LinkDest::Internal { article: id.clone(), anchor: Some(a) },
            Some(a) => {
                out.push(missing_anchor(
                    format!("link to `{url}`: `{target}` has no anchor `#{a}`; it links to the article"),
                    ctx,
                    (line, column),
                ));
                LinkDest::Internal { article: id.clone(), anchor: None }
            }
        };
    }
    if target.ends_with(".md") || target.ends_with(".markdown") {
        return warn(
            out,
            &lint::BROKEN_LINK,
            format!("link to `{url}`, an article that is not in the report"),
            "add it to book.toml, or link to its published URL; it is shown as plain text",
        );
    }
    warn(
        out,
        &lint::LINK_OUTSIDE_REPORT,
        format!("link to the local file `{url}`, which the report cannot link to"),
        "link to a published URL instead; it is shown as plain text",
    )
}

/// A link to an anchor its article does not have.
fn missing_anchor(message: String, ctx: &Ctx, (line, column): (usize, usize)) -> Diagnostic {
    Diagnostic::new(&lint::BROKEN_ANCHOR, message).with_file(&ctx.path).with_position(line, column).with_hint(
        "anchors are the headings' GitHub-style slugs (lowercase, spaces as hyphens) or their `{#id}`, the \
         figure and table labels, `<a name>` and `id=\"...\"` in HTML, and `[text]{#id}` spans; in the glossary \
         each entry's heading is its anchor: add the anchor, or fix the link",
    )
}

fn resolve_image(image: &mut Image, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let ImageSrc::Unresolved(url) = &image.src else { return };
    let url = url.trim().to_string();
    let (line, column) = (image.line, image.column);
    if url.is_empty() {
        out.push(
            Diagnostic::new(&lint::EMPTY_IMAGE, "image with an empty target; its alt text is shown")
                .with_file(&ctx.path)
                .with_position(line, column)
                .with_hint("give the image a file: ![description](images/file.png)"),
        );
        image.src = ImageSrc::Unavailable(url);
        return;
    }
    if scheme(&url).is_some() || url.starts_with("//") {
        out.push(
            Diagnostic::new(&lint::REMOTE_IMAGE, format!("remote image `{url}` is not fetched (builds are offline)"))
                .with_file(&ctx.path)
                .with_position(line, column)
                .with_hint("download it into the report folder and link the local copy; its alt text is shown"),
        );
        image.src = ImageSrc::Unavailable(url);
        return;
    }
    let decoded = percent_decode(url.split(['?', '#']).next().unwrap_or(&url));
    let joined = if ctx.src.is_empty() {
        ctx.article_dir.clone()
    } else if ctx.article_dir.is_empty() {
        ctx.src.to_string()
    } else {
        format!("{}/{}", ctx.src, ctx.article_dir)
    };
    // A root-absolute path (`/assets/fig.png`) is read from the report's root.
    let rel = match decoded.strip_prefix('/') {
        Some(from_root) => join_rel("", from_root),
        None => join_rel(&joined, &decoded),
    };
    let Some(rel) = rel else {
        out.push(
            Diagnostic::new(&lint::PATH_OUTSIDE_REPORT, format!("image `{url}` is outside the report root"))
                .with_file(&ctx.path)
                .with_position(line, column)
                .with_hint("images must be files inside the folder that holds book.toml"),
        );
        image.src = ImageSrc::Unavailable(url);
        return;
    };
    match (ctx.image_exists)(&rel) {
        Ok(format) => {
            if let Some(ext) = format {
                out.push(
                    Diagnostic::new(
                        &lint::MISLABELLED_IMAGE,
                        format!("image `{url}` is a {} file; it is read as one", ext.to_ascii_uppercase()),
                    )
                    .with_file(&ctx.path)
                    .with_position(line, column)
                    .with_hint(format!("rename the file to end in .{ext}, or convert it")),
                );
            }
            image.format = format;
            image.src = ImageSrc::Local(rel)
        }
        Err(why) => {
            let hint = if decoded.starts_with('/') {
                format!("a path starting with `/` is read from the report's root: it was looked for at `{rel}`")
            } else {
                format!(
                    "images are relative to the article's folder (or, starting with `/`, to the report's root): \
                     it was looked for at `{rel}`"
                )
            };
            out.push(
                Diagnostic::new(&lint::MISSING_IMAGE, format!("image `{url}`: {why}"))
                    .with_file(&ctx.path)
                    .with_position(line, column)
                    .with_hint(hint),
            );
            image.src = ImageSrc::Unavailable(url);
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

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
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

    #[test]
    fn schemes() {
        assert_eq!(scheme("https://x"), Some("https"));
        assert_eq!(scheme("javascript:alert(1)"), Some("javascript"));
        assert_eq!(scheme("eip-1.md"), None);
        assert_eq!(scheme("C:/x"), None);
    }

    #[test]
    fn percent() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
