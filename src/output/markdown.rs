//! Document model → markdown: an article written back as the markdown the
//! project's reader (`crate::input::markdown`, with the front matter of
//! `crate::input::frontmatter`) reads as the same article. `import` writes
//! Word documents with it.
//!
//! Text is data: every character the reader could take as markup is
//! escaped, so contributors' text comes back as the same text. Markup is
//! written the way an editor would write it (`*emphasis*`, `[text](url)`,
//! `> [!NOTE]`), with HTML (`<em>`, `<sup>`, `<span lang>`) where
//! markdown's own syntax cannot say it without changing the text around.
//! Paragraphs are not wrapped: one line each, soft breaks kept as written.
//!
//! What the reader cannot give back, the writer cannot write either; the
//! model it expects is the unresolved one the readers produce (links as
//! written, images by their path). Known limits, each a choice of the
//! reader's syntax:
//! - a title in the front matter is text: a formatted title keeps its text;
//!   an abstract that does not read back as its blocks is written from them;
//! - a figure's caption is its image's title, text only;
//! - a paragraph holding only an image is a figure;
//! - a table caption is attached to a top-level table only, and a paragraph
//!   starting with `Table:` or `: ` next to an uncaptioned table becomes its
//!   caption;
//! - text ending a heading (guarded), a caption or an image's paragraph
//!   with what reads as an attribute block, or holding a bracketed span
//!   (`[a]{#b}`), is read as one;
//! - a table has a header row (an empty one if the model has none); soft
//!   breaks in a table cell, or in a heading below level 2, become spaces;
//! - a list of one single-paragraph item is tight; a tight item whose
//!   blocks markdown cannot set without a blank line (two paragraphs) makes
//!   its list loose;
//! - nested headings' levels are relative to the top-level ones';
//! - a code block whose language is `math` is display math; an empty code
//!   span is nothing;
//! - resolved links (`LinkDest::Internal`) have lost the file they name and
//!   are written as `#anchor`; footnote names markdown cannot write are
//!   replaced by their numbers.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{
    Align, Author, Block, BlockKind, CalloutKind, DefinitionItem, Footnote, FrontMatter, Image, ImageSrc, Inline, Kind,
    LinkDest, ListItem, plain_text,
};

/// An article ready to write: its front-matter fields and body, borrowed
/// from the [`Article`](crate::model::Article).
#[derive(Debug, Clone, Copy)]
pub struct WrittenArticle<'a> {
    pub meta: &'a FrontMatter,
    /// The title as inlines: written as the front matter's `title` when the
    /// article has one, else as the first level-1 heading.
    pub title: &'a [Inline],
    pub abstract_: &'a [Block],
    pub blocks: &'a [Block],
    pub footnotes: &'a [Footnote],
}

impl<'a> WrittenArticle<'a> {
    pub fn of(article: &'a crate::model::Article) -> Self {
        WrittenArticle {
            meta: &article.meta,
            title: &article.title,
            abstract_: &article.abstract_,
            blocks: &article.blocks,
            footnotes: &article.footnotes,
        }
    }

    /// The whole file; `after_block` gives, for each source line of a
    /// block, the notes written as HTML comments after the top-level block
    /// it is in (or after the footnote definition it is in).
    pub fn write(&self, after_block: &dyn Fn(usize) -> Vec<String>) -> String {
        let mut writer = Writer::new(self.footnotes);
        let mut out = front_matter(self.meta, self.abstract_);
        let mut chunks: Vec<String> = Vec::new();
        let mut blocks = self.blocks;
        if self.meta.title.is_none() {
            // The title is the first level-1 heading; ids at the very top
            // of the article (which the reader takes out of a title) ride
            // on it.
            let mut attrs = String::new();
            if let [Block { kind: BlockKind::Anchor(ids), .. }, rest @ ..] = blocks
                && let [id] = ids.as_slice()
                && is_attr_id(id)
                && !matches!(rest.first(), Some(Block { kind: BlockKind::Heading { .. }, .. }))
            {
                writer.ids.claim(id);
                attrs = format!("{{#{id}}}");
                blocks = rest;
            }
            chunks.push(writer.heading_line(1, self.title, &attrs));
        } else if let Some(Block { kind: BlockKind::Heading { level: 1, content, .. }, .. }) = blocks.first()
            && let Some(title) = &self.meta.title
            && normalize_ws(&plain_text(content)).eq_ignore_ascii_case(&normalize_ws(title))
        {
            // A first heading that repeats the title would be taken for it.
            chunks.push("<!-- -->".into());
        }
        chunks.extend(writer.top_blocks(blocks, after_block));
        let body = chunks.join("\n\n");
        if !out.is_empty() && !body.is_empty() {
            out.push('\n');
        }
        out.push_str(&body);
        writer.finish(&mut out, after_block);
        out
    }
}

/// The whole file: YAML front matter, the body, then footnote definitions.
pub fn write_article(article: &crate::model::Article) -> String {
    WrittenArticle::of(article).write(&|_| Vec::new())
}

/// As [`write_article`], with the strings `after_block` gives written as
/// HTML comments, which the reader ignores: reviewers' comments. It is
/// called with the source line of each top-level block and of each block
/// nested in one (list items, quotes, callouts), once per distinct line, in
/// reading order; the comments follow the top-level block. Footnotes' blocks
/// are asked for too, their comments following the footnote's definition.
pub fn write_article_with(article: &crate::model::Article, after_block: &dyn Fn(usize) -> Vec<String>) -> String {
    WrittenArticle::of(article).write(after_block)
}

/// Just blocks, with the footnote definitions they reference appended.
pub fn write_blocks(blocks: &[Block], footnotes: &[Footnote]) -> String {
    let mut writer = Writer::new(footnotes);
    let mut out = writer.top_blocks(blocks, &|_| Vec::new()).join("\n\n");
    writer.finish(&mut out, &|_| Vec::new());
    out
}

/// The comments `after_block` gives for `blocks`: for each distinct source
/// line of the blocks and of the blocks nested in them (list items, quotes,
/// callouts), in reading order.
fn comments(blocks: &[Block], after_block: &dyn Fn(usize) -> Vec<String>) -> Vec<String> {
    fn lines(blocks: &[Block], out: &mut Vec<usize>) {
        for block in blocks {
            if !out.contains(&block.line) {
                out.push(block.line);
            }
            match &block.kind {
                BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => lines(b, out),
                BlockKind::List { items, .. } => items.iter().for_each(|i| lines(&i.blocks, out)),
                BlockKind::DefinitionList { items, .. } => items.iter().for_each(|i| lines(&i.blocks, out)),
                _ => {}
            }
        }
    }
    let mut all = Vec::new();
    lines(blocks, &mut all);
    all.into_iter().flat_map(after_block).map(|note| html_comment(&note)).collect()
}

/// `text` as an HTML comment that nothing in it can close early.
pub fn html_comment(text: &str) -> String {
    let mut inner = text.replace("--", "- -");
    while inner.contains("--") {
        inner = inner.replace("--", "- -");
    }
    format!("<!-- {} -->", inner.trim_end_matches('-'))
}

// ---------------------------------------------------------------------------
// Front matter

fn front_matter(meta: &FrontMatter, abstract_: &[Block]) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(title) = &meta.title {
        lines.push(format!("title: {}", yaml_string(title)));
    }
    if let Some(subtitle) = &meta.subtitle {
        lines.push(format!("subtitle: {}", yaml_string(subtitle)));
    }
    if !meta.authors.is_empty() {
        lines.push("authors:".into());
        for author in &meta.authors {
            lines.push(yaml_author(author));
        }
    }
    if let Some(date) = &meta.date {
        lines.push(format!("date: {}", yaml_string(date)));
    }
    if let Some(lang) = &meta.language {
        lines.push(format!("lang: {}", yaml_string(lang)));
    }
    if meta.kind != Kind::Article {
        lines.push(format!("kind: {}", yaml_string(meta.kind.as_str())));
    }
    if !meta.keywords.is_empty() {
        let items: Vec<String> = meta.keywords.iter().map(|k| yaml_flow_string(k)).collect();
        lines.push(format!("keywords: [{}]", items.join(", ")));
    }
    // The abstract as its author wrote it when it still reads as the
    // article's abstract; else the abstract's blocks, written.
    let abstract_text = match &meta.abstract_ {
        Some(text)
            if same_blocks(
                &crate::input::markdown::convert(text, 0, "abstract".as_ref(), Some("")).blocks,
                abstract_,
            ) =>
        {
            Some(text.clone())
        }
        _ if !abstract_.is_empty() => Some(write_blocks(abstract_, &[])),
        other => other.clone(),
    };
    if let Some(text) = abstract_text {
        lines.push(format!("abstract: {}", yaml_block_string(&text)));
    }
    for (key, value) in &meta.extra {
        lines.push(format!("{}: {}", yaml_key(key), yaml_value(value)));
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("---\n{}\n---\n", lines.join("\n"))
}

/// `body` after a marker already in `out` (a list bullet, `:`, `[^n]:`):
/// its first line after a space, the others indented by `indent`, blank
/// lines left empty.
fn hang(out: &mut String, body: &str, indent: &str) {
    for (j, line) in body.split('\n').enumerate() {
        if j > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str(if j == 0 { " " } else { indent });
            out.push_str(line);
        }
    }
}

fn yaml_author(author: &Author) -> String {
    let simple_name = !author.name.contains(['<', '>', '(', ')', ','])
        && author.name.split_whitespace().collect::<Vec<_>>().join(" ") == author.name
        && !author.name.is_empty();
    if simple_name && author.affiliation.is_none() && author.email.is_none() && author.orcid.is_none() {
        return format!("  - {}", yaml_string(&author.name));
    }
    let mut out = format!("  - name: {}", yaml_string(&author.name));
    for (key, value) in [("affiliation", &author.affiliation), ("email", &author.email), ("orcid", &author.orcid)] {
        if let Some(value) = value {
            let _ = write!(out, "\n    {key}: {}", yaml_string(value));
        }
    }
    out
}

/// Whether `s` reads back as itself as a plain YAML scalar (in block
/// context; `flow` also excludes what ends a flow collection).
fn yaml_plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else { return false };
    let lower = s.to_ascii_lowercase();
    if ["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(&lower.as_str()) {
        return false;
    }
    if s.len() == 10 && s.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() })
    {
        return true; // a date: a string in the core schema
    }
    first.is_alphabetic()
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains("  ")
        // In a flow collection the reader takes ` -` or ` ?` before a comma
        // for an indicator: `[é -, b]` does not parse.
        && !(flow && (s.ends_with(['-', '?']) || s.contains(" -") || s.contains(" ?")))
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(c, ' ' | '.' | '-' | '_' | '\'' | '(' | ')' | '/' | '?' | '!' | '–' | '—' | '&' | '+' | ';')
                || (!flow && matches!(c, ','))
        })
}

fn yaml_string(s: &str) -> String {
    if yaml_plain_ok(s, false) { s.to_string() } else { yaml_quoted(s) }
}

fn yaml_flow_string(s: &str) -> String {
    if yaml_plain_ok(s, true) { s.to_string() } else { yaml_quoted(s) }
}

fn yaml_key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_alphabetic())
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain { s.to_string() } else { yaml_quoted(s) }
}

/// A multi-line string as a literal block (`|`) when it reads back as
/// itself, else quoted.
fn yaml_block_string(s: &str) -> String {
    if !s.contains('\n') {
        return yaml_string(s);
    }
    let body = s.strip_suffix('\n').unwrap_or(s);
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let literal_ok = !body.ends_with('\n')
        && !body.starts_with([' ', '\t', '\n'])
        && body.lines().all(|l| !l.ends_with([' ', '\t']) && !l.starts_with('\t'))
        && body.chars().all(|c| c == '\n' || !yaml_needs_escape(c));
    if !literal_ok {
        return yaml_quoted(s);
    }
    let mut out = format!("|{chomp}");
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    out
}

fn yaml_needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if yaml_needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Any front-matter value, in YAML's flow style (JSON-like).
fn yaml_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => yaml_flow_string(s),
        Value::Array(items) => format!("[{}]", items.iter().map(yaml_value).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter().map(|(k, v)| format!("{}: {}", yaml_quoted(k), yaml_value(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

// ---------------------------------------------------------------------------
// Comparison

/// Whether two block lists are the same, source positions aside.
fn same_blocks(a: &[Block], b: &[Block]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    clear_positions(&mut a);
    clear_positions(&mut b);
    a == b
}

/// Sets every source position (lines and columns) in `blocks` to 0, so
/// models read from different texts compare by content.
pub fn clear_positions(blocks: &mut [Block]) {
    for block in blocks {
        block.line = 0;
        match &mut block.kind {
            BlockKind::Paragraph(i) | BlockKind::Heading { content: i, .. } => clear_inline_positions(i),
            BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => clear_positions(b),
            BlockKind::List { items, .. } => items.iter_mut().for_each(|i| clear_positions(&mut i.blocks)),
            BlockKind::DefinitionList { items, .. } => items.iter_mut().for_each(|i| {
                clear_inline_positions(&mut i.term);
                clear_positions(&mut i.blocks)
            }),
            BlockKind::Table { header, rows, caption, .. } => {
                header.iter_mut().chain(rows.iter_mut().flatten()).for_each(|c| clear_inline_positions(c));
                clear_inline_positions(caption);
            }
            BlockKind::Figure { image, caption, .. } => {
                (image.line, image.column) = (0, 0);
                clear_inline_positions(caption);
            }
            _ => {}
        }
    }
}

/// As [`clear_positions`], for inlines.
pub fn clear_inline_positions(inlines: &mut [Inline]) {
    for inline in inlines {
        match inline {
            Inline::Link { line, column, .. } => (*line, *column) = (0, 0),
            Inline::Image(image) => (image.line, image.column) = (0, 0),
            _ => {}
        }
        if let Some(children) = inline.children_mut() {
            clear_inline_positions(children);
        }
    }
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// Ids: the heading slugs the reader will make

/// The link targets the reader claims while it reads the written text, in
/// the same order, so the writer knows which slug each heading gets (and
/// writes an explicit id only where the slug differs).
#[derive(Debug, Clone, Default)]
struct Ids {
    /// Every id claimed (slugs, explicit ids, anchors, labels).
    claimed: HashSet<String>,
    /// comrak's anchorizer state: the slugs it returned, and the next suffix
    /// of each base.
    returned: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl Ids {
    fn claim(&mut self, id: &str) {
        self.claimed.insert(id.to_string());
    }

    /// comrak's `Anchorizer::anchorize`.
    fn anchorize(&mut self, text: &str) -> String {
        let base = comrak::Anchorizer::new().anchorize(text);
        let mut uniq = self.next_suffix.get(&base).copied().unwrap_or(0);
        let chosen = loop {
            let anchor = if uniq == 0 { base.clone() } else { format!("{base}-{uniq}") };
            if !self.returned.contains(&anchor) {
                break anchor;
            }
            uniq += 1;
        };
        self.returned.insert(chosen.clone());
        self.next_suffix.insert(base, uniq + 1);
        chosen
    }

    /// The reader's heading slug: anchorized until it is no other id.
    fn slug(&mut self, text: &str) -> String {
        let mut slug = self.anchorize(text);
        while self.claimed.contains(&slug) {
            slug = self.anchorize(text);
        }
        self.claimed.insert(slug.clone());
        slug
    }
}

/// An id written as `{#id}` reads back as itself.
fn is_attr_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

// ---------------------------------------------------------------------------
// Blocks

struct Writer<'a> {
    footnotes: &'a [Footnote],
    /// Footnote definitions, written at their first reference (where the
    /// reader reads them), by number.
    notes: Vec<Option<String>>,
    ids: Ids,
}

/// The bullet or number delimiter a list was written with, so that a list
/// right after it takes the other and stays a list of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Bullet(char),
    Ordered(char),
}

impl<'a> Writer<'a> {
    fn new(footnotes: &'a [Footnote]) -> Self {
        Writer { footnotes, notes: vec![None; footnotes.len()], ids: Ids::default() }
    }

    /// Appends the footnote definitions.
    fn finish(&mut self, out: &mut String, after_block: &dyn Fn(usize) -> Vec<String>) {
        let notes = std::mem::take(&mut self.notes);
        let mut defs = Vec::new();
        for (def, note) in notes.into_iter().zip(self.footnotes) {
            let Some(def) = def else { continue };
            defs.push(def);
            defs.extend(comments(&note.blocks, after_block));
        }
        if !defs.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&defs.join("\n\n"));
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    }

    /// Top-level blocks, each a chunk, with the comments after them.
    fn top_blocks(&mut self, blocks: &[Block], after_block: &dyn Fn(usize) -> Vec<String>) -> Vec<String> {
        let mut chunks = Vec::new();
        let mut last_marker = None;
        let mut after_definitions = false;
        let mut i = 0;
        while i < blocks.len() {
            let (text, used) = self.block_at(blocks, i, true, &mut last_marker);
            if !text.is_empty() {
                // Two definition lists in a row would read as one, and a
                // definition right before a table as its caption.
                let definitions = matches!(blocks[i].kind, BlockKind::DefinitionList { .. });
                if after_definitions && (definitions || matches!(blocks[i].kind, BlockKind::Table { .. })) {
                    chunks.push("<!-- -->".into());
                }
                after_definitions = definitions;
                chunks.push(text);
            }
            for note in comments(&blocks[i..i + used], after_block) {
                chunks.push(note);
                last_marker = None;
            }
            i += used;
        }
        chunks
    }

    /// Blocks inside a container, joined: by blank lines, or (a tight list
    /// item's) by line breaks where markdown allows.
    fn blocks(&mut self, blocks: &[Block], tight: bool) -> String {
        let mut out = String::new();
        let mut last_marker = None;
        let mut prev: Option<&BlockKind> = None;
        let mut i = 0;
        while i < blocks.len() {
            let (text, used) = self.block_at(blocks, i, false, &mut last_marker);
            let kind = &blocks[i + used - 1].kind;
            if !text.is_empty() {
                if !out.is_empty() {
                    // Without a blank line, text after a paragraph, quote
                    // or list would continue it.
                    let continues = matches!(
                        prev,
                        Some(
                            BlockKind::Paragraph(_)
                                | BlockKind::Quote(_)
                                | BlockKind::Callout { .. }
                                | BlockKind::List { .. }
                                | BlockKind::DefinitionList { .. }
                        )
                    );
                    let apart = !tight
                        || (continues && !interrupts_paragraph(&blocks[i].kind))
                        || matches!(
                            (prev, &blocks[i].kind),
                            (
                                Some(BlockKind::Quote(_) | BlockKind::Callout { .. }),
                                BlockKind::Quote(_) | BlockKind::Callout { .. }
                            ) | (Some(BlockKind::Table { .. }), _)
                        );
                    out.push_str(if apart { "\n\n" } else { "\n" });
                }
                // Two definition lists in a row would read as one.
                if matches!(prev, Some(BlockKind::DefinitionList { .. }))
                    && matches!(blocks[i].kind, BlockKind::DefinitionList { .. })
                {
                    out.push_str("<!-- -->\n\n");
                }
                out.push_str(&text);
                prev = Some(kind);
            }
            i += used;
        }
        out
    }

    /// The block at `blocks[i]` (and how many blocks it stands for: an
    /// anchor the reader makes out of the heading after it is written with
    /// that heading).
    fn block_at(&mut self, blocks: &[Block], i: usize, top: bool, last_marker: &mut Option<Marker>) -> (String, usize) {
        let block = &blocks[i];
        if let BlockKind::Anchor(ids) = &block.kind
            && let Some(Block { kind: BlockKind::Heading { level, id, numbered, listed, content }, .. }) =
                blocks.get(i + 1)
            && let Some((slug, inner)) = ids.split_last()
        {
            // `## Title {#id}` gives an anchor with the title's slug (and the
            // ids of anchors in the title) before the heading.
            let mut trial = self.ids.clone();
            inner.iter().for_each(|id| trial.claim(id));
            let got = trial.slug(&plain_text(content));
            if got == *slug && got != *id && is_attr_id(id) && inner.iter().all(|i| is_attr_id(i)) {
                self.ids = trial;
                self.ids.claim(id);
                *last_marker = None;
                let spans: Vec<Inline> = inner.iter().map(|id| Inline::Anchor(id.clone())).collect();
                let text = self.heading_with(*level, content, Some(id), (*numbered, *listed), &spans);
                return (text, 2);
            }
        }
        let text = self.block(block, top, last_marker);
        (text, 1)
    }

    fn block(&mut self, block: &Block, top: bool, last_marker: &mut Option<Marker>) -> String {
        let marker = last_marker.take();
        match &block.kind {
            BlockKind::Paragraph(inlines) => self.paragraph(inlines),
            BlockKind::Heading { level, id, numbered, listed, content } => {
                let slug = self.ids.slug(&plain_text(content));
                let explicit = if *id != slug && is_attr_id(id) {
                    self.ids.claim(id);
                    Some(id.as_str())
                } else {
                    None
                };
                self.heading_with(*level, content, explicit, (*numbered, *listed), &[])
            }
            BlockKind::Quote(blocks) => {
                let inner = self.blocks(blocks, false);
                prefix_lines(&inner, "> ", ">")
            }
            BlockKind::Callout { kind, title, blocks } => {
                let mut head = format!("[!{}]", callout_name(*kind));
                if let Some(title) = title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    head.push(' ');
                    head.push_str(&title.replace('\\', "\\\\").replace('&', "&amp;").replace('\n', " "));
                }
                let inner = self.blocks(blocks, false);
                let text = if inner.is_empty() { head } else { format!("{head}\n{inner}") };
                prefix_lines(&text, "> ", ">")
            }
            BlockKind::List { start, tight, items } => {
                let m = match (start, marker) {
                    (None, Some(Marker::Bullet('-'))) => Marker::Bullet('*'),
                    (None, _) => Marker::Bullet('-'),
                    (Some(_), Some(Marker::Ordered('.'))) => Marker::Ordered(')'),
                    (Some(_), _) => Marker::Ordered('.'),
                };
                *last_marker = Some(m);
                self.list(*start, *tight, items, m)
            }
            BlockKind::Code { lang, code } => code_block(lang.as_deref().unwrap_or(""), code),
            BlockKind::Math { tex, .. } => code_block("math", tex),
            BlockKind::Table { align, header, rows, caption, label, .. } => {
                self.table(align, header, rows, caption, label.as_deref(), top)
            }
            BlockKind::Figure { image, caption, label, .. } => self.figure(image, caption, label.as_deref()),
            BlockKind::DefinitionList { tight, items } => self.definition_list(*tight, items),
            BlockKind::Rule => "***".into(),
            BlockKind::Anchor(ids) => {
                let ids: Vec<&String> = ids.iter().filter(|id| !id.trim().is_empty()).collect();
                ids.iter().for_each(|id| self.ids.claim(id));
                ids.iter().map(|id| format!("<div id=\"{}\"></div>", attr_escape(id))).collect::<Vec<_>>().join("\n")
            }
        }
    }

    fn paragraph(&mut self, inlines: &[Inline]) -> String {
        self.inlines_text(inlines, Ctx::default())
    }

    /// `## Text {#id .unnumbered .unlisted}`; a heading with soft breaks, of level 1
    /// or 2, underlined (setext) to keep them.
    fn heading_with(
        &mut self,
        level: u8,
        content: &[Inline],
        id: Option<&str>,
        (numbered, listed): (bool, bool),
        spans: &[Inline],
    ) -> String {
        let mut attrs = Vec::new();
        if let Some(id) = id {
            attrs.push(format!("#{id}"));
        }
        if !numbered {
            attrs.push(".unnumbered".into());
        }
        if !listed {
            attrs.push(".unlisted".into());
        }
        // Text that ends like an attribute block would be taken for one:
        // a block of the writer's own comes after it.
        let ends_like_attrs =
            matches!(content.last(), Some(Inline::Text(t)) if t.trim_end().ends_with('}') && t.contains('{'));
        if attrs.is_empty() && ends_like_attrs {
            attrs.push(".heading".into());
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!("{{{}}}", attrs.join(" ")) };
        let mut all: Vec<Inline> = spans.to_vec();
        all.extend(content.iter().cloned());
        self.heading_line(level, &all, &attrs)
    }

    fn heading_line(&mut self, level: u8, content: &[Inline], attrs: &str) -> String {
        let level = level.clamp(1, 6);
        fn soft_break(inlines: &[Inline]) -> bool {
            inlines.iter().any(|i| matches!(i, Inline::SoftBreak) || i.children().is_some_and(soft_break))
        }
        let setext = level <= 2 && soft_break(content);
        let ctx = Ctx { heading: true, single_line: !setext, ..Ctx::default() };
        let mut text = self.inlines_text(content, ctx);
        if !attrs.is_empty() {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(attrs);
        }
        if setext && !text.trim().is_empty() {
            let underline = if level == 1 { "===" } else { "---" };
            format!("{text}\n{underline}")
        } else if text.is_empty() {
            "#".repeat(level as usize)
        } else {
            format!("{} {text}", "#".repeat(level as usize))
        }
    }

    fn list(&mut self, start: Option<usize>, tight: bool, items: &[ListItem], marker: Marker) -> String {
        let mut out = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let mut bullet = match marker {
                Marker::Bullet(c) => c.to_string(),
                Marker::Ordered(d) => format!("{}{d}", (start.unwrap_or(1) + n).min(999_999_999)),
            };
            if let Some(checked) = item.task {
                bullet.push_str(if checked { " [x]" } else { " [ ]" });
            }
            let width = match marker {
                Marker::Bullet(_) => 2,
                Marker::Ordered(_) => bullet.split(' ').next().map_or(3, |b| b.len() + 1),
            };
            let body = self.blocks(&item.blocks, tight);
            let indent = " ".repeat(width);
            // After a task's box, only a paragraph's text: any other first
            // block starts on the next line.
            // (the box reads as a paragraph, which some blocks cannot interrupt).
            let body = match item.blocks.first().map(|b| &b.kind) {
                Some(BlockKind::Paragraph(_)) | None => body,
                _ if item.task.is_none() => body,
                Some(first) if !interrupts_paragraph(first) => format!("\n\n{body}"),
                Some(_) => format!("\n{body}"),
            };
            // `* ***` would be one rule.
            let body = match (marker, body.strip_prefix("***")) {
                (Marker::Bullet('*'), Some(rest)) if rest.is_empty() || rest.starts_with('\n') => format!("___{rest}"),
                _ => body,
            };
            let mut text = bullet;
            hang(&mut text, &body, &indent);
            if item.task.is_some() && body.is_empty() {
                text.push(' ');
            }
            out.push(text);
        }
        out.join(if tight { "\n" } else { "\n\n" })
    }

    /// `Term`, then `: definition` indented by two (after a blank line when
    /// the list is loose).
    fn definition_list(&mut self, tight: bool, items: &[DefinitionItem]) -> String {
        let mut out = Vec::new();
        for item in items {
            let mut text = self.inlines_text(&item.term, Ctx::default());
            let body = self.blocks(&item.blocks, false);
            text.push_str(if tight { "\n:" } else { "\n\n:" });
            hang(&mut text, &body, "  ");
            out.push(text);
        }
        out.join("\n\n")
    }

    fn table(
        &mut self,
        align: &[Align],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        caption: &[Inline],
        label: Option<&str>,
        top: bool,
    ) -> String {
        let columns = align.len().max(header.len()).max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let ctx = Ctx { table: true, single_line: true, ..Ctx::default() };
        let row_text = |cells: &[Vec<Inline>], this: &mut Self| {
            let mut line = String::from("|");
            for c in 0..columns {
                let cell = cells.get(c).map(|c| this.inlines_text(c, ctx)).unwrap_or_default();
                line.push(' ');
                line.push_str(&cell);
                line.push_str(if cell.is_empty() { "|" } else { " |" });
            }
            line
        };
        let mut lines = vec![row_text(header, self)];
        let delims: Vec<&str> = (0..columns)
            .map(|c| match align.get(c).copied().unwrap_or(Align::None) {
                Align::None => "---",
                Align::Left => ":---",
                Align::Center => ":---:",
                Align::Right => "---:",
            })
            .collect();
        lines.push(format!("| {} |", delims.join(" | ")));
        for row in rows {
            lines.push(row_text(row, self));
        }
        let mut out = lines.join("\n");
        if !caption.is_empty() || label.is_some() {
            let mut line = String::from("Table: ");
            line.push_str(&self.inlines_text(caption, Ctx::default()));
            if let Some(label) = label.filter(|l| is_attr_id(l) && top) {
                line.push_str(&format!(" {{#{label}}}"));
            }
            out.push_str("\n\n");
            out.push_str(&line);
        }
        out
    }

    fn figure(&mut self, image: &Image, caption: &[Inline], label: Option<&str>) -> String {
        let caption_text = plain_text(caption);
        // The reader's caption: the image's title, or for a labelled image
        // without one, its alt text.
        let title = match &image.title {
            Some(t) => Some(t.clone()),
            None if caption.is_empty() => None,
            None if label.is_some() && caption_text == image.alt => None,
            None => Some(caption_text),
        };
        if let Some(label) = label {
            self.ids.claim(label);
        }
        if image.decorative && title.is_none() && label.is_none() {
            return format!("<img src=\"{}\" alt=\"\">", attr_escape(image_src(image)));
        }
        let mut out = image_markdown(image, title.as_deref());
        if let Some(label) = label.filter(|l| is_attr_id(l)) {
            out.push_str(&format!("{{#{label}}}"));
        }
        out
    }

    // -----------------------------------------------------------------------
    // Inlines

    /// Inlines as markdown text (lines separated by `\n`).
    fn inlines_text(&mut self, inlines: &[Inline], ctx: Ctx) -> String {
        let merged = merge_texts(inlines);
        let mut out = String::new();
        self.inlines(&merged, ctx, Open::default(), true, true, &mut out);
        out
    }

    /// Appends `inlines`. `starts_line`: `out` being empty is the start of a
    /// line; `ends_line`: the end of `inlines` is the end of a line.
    fn inlines(
        &mut self,
        inlines: &[Inline],
        ctx: Ctx,
        open: Open,
        starts_line: bool,
        ends_line: bool,
        out: &mut String,
    ) {
        let base = out.len();
        for (i, inline) in inlines.iter().enumerate() {
            let next = inlines.get(i + 1);
            let line_start = if out.len() == base { starts_line } else { out.ends_with('\n') };
            match inline {
                Inline::Text(t) => {
                    let before_break = match next {
                        None => ends_line,
                        Some(Inline::SoftBreak | Inline::LineBreak) => !ctx.single_line,
                        _ => false,
                    };
                    let follows_safely = matches!(next, None | Some(Inline::SoftBreak | Inline::LineBreak));
                    escape_text(
                        t,
                        TextCtx { line_start, before_break, follows_safely, prev: out.chars().next_back(), ctx },
                        out,
                    );
                }
                Inline::Code(code) => {
                    if out.ends_with('`') {
                        // Backticks side by side would make one run.
                        out.push_str("<!-- -->");
                    }
                    out.push_str(&code_span(code, ctx.table));
                }
                Inline::Emph(c) => self.delimited(c, ctx, open, Delim::Emph, out),
                Inline::Strong(c) => self.delimited(c, ctx, open, Delim::Strong, out),
                Inline::Strike(c) => self.delimited(c, ctx, open, Delim::Strike, out),
                Inline::Sup(c) => self.tagged("sup", "", c, ctx, open, out),
                Inline::Sub(c) => self.tagged("sub", "", c, ctx, open, out),
                Inline::Kbd(text) => {
                    out.push_str("<kbd>");
                    escape_text(
                        text,
                        TextCtx { line_start: false, before_break: false, follows_safely: false, prev: Some('>'), ctx },
                        out,
                    );
                    out.push_str("</kbd>");
                }
                Inline::Abbr { title, content } => {
                    let attrs = format!(" title=\"{}\"", attr_escape(title));
                    self.tagged("abbr", &attrs, content, ctx, open, out)
                }
                Inline::Link { dest, content, .. } => self.link(dest, content, ctx, open, out, next),
                Inline::Image(image) => {
                    if image.decorative && image.title.is_none() {
                        let _ = write!(out, "<img src=\"{}\" alt=\"\">", attr_escape(image_src(image)));
                    } else {
                        out.push_str(&image_markdown(image, image.title.as_deref()));
                    }
                }
                Inline::FootnoteRef { number, .. } => self.footnote_ref(*number, out),
                Inline::Math { tex, display, .. } => out.push_str(&math_span(tex, *display, next)),
                Inline::SoftBreak => out.push_str(if ctx.single_line { " " } else { "\n" }),
                Inline::LineBreak => {
                    if ctx.single_line || (next.is_none() && ends_line) {
                        out.push_str("<br>");
                    } else {
                        out.push_str("\\\n");
                    }
                }
                Inline::Anchor(id) => {
                    self.ids.claim(id);
                    if is_attr_id(id) && !ctx.in_html {
                        let _ = write!(out, "[]{{#{id}}}");
                    } else {
                        let _ = write!(out, "<span id=\"{}\"></span>", attr_escape(id));
                    }
                }
                Inline::Lang { lang, content } => {
                    let mut inner = String::new();
                    self.inlines(content, ctx, open, false, false, &mut inner);
                    let is_ref = |i: Option<&Inline>| matches!(i, Some(Inline::Link { dest: LinkDest::Ref(_), .. }));
                    let bracketed = !ctx.in_html
                        && !is_ref(content.first())
                        && !is_ref(content.last())
                        && !inner.contains(['[', ']', '\n'])
                        && !inner.starts_with(['^', '!'])
                        && is_attr_value(lang);
                    if bracketed {
                        let _ = write!(out, "[{inner}]{{lang={lang}}}");
                    } else {
                        let attrs = format!(" lang=\"{}\"", attr_escape(lang));
                        self.tagged("span", &attrs, content, ctx, open, out);
                    }
                }
            }
        }
    }

    /// Emphasis, strong emphasis or strikethrough: with markdown's
    /// delimiters where they read back as written, else as HTML.
    fn delimited(&mut self, content: &[Inline], ctx: Ctx, open: Open, delim: Delim, out: &mut String) {
        let mut inner = String::new();
        self.inlines(content, Ctx { in_html: false, ..ctx }, open.with(delim), false, false, &mut inner);
        let edge_ok = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let prev_ok = !out.chars().next_back().is_some_and(|c| matches!(c, '*' | '_' | '~'));
        let (mark, tag) = match delim {
            Delim::Emph => ("*", "em"),
            Delim::Strong => ("**", "strong"),
            Delim::Strike => ("~~", "del"),
        };
        if edge_ok(inner.chars().next()) && edge_ok(inner.chars().next_back()) && prev_ok && !open.has(delim) {
            let _ = write!(out, "{mark}{inner}{mark}");
        } else {
            self.tagged(tag, "", content, ctx, open.with(delim), out);
        }
    }

    fn tagged(&mut self, tag: &str, attrs: &str, content: &[Inline], ctx: Ctx, open: Open, out: &mut String) {
        // The reader reads no bracketed span right inside an HTML element.
        let mut inner = String::new();
        self.inlines(content, Ctx { in_html: true, ..ctx }, open, false, false, &mut inner);
        let _ = write!(out, "<{tag}{attrs}>{inner}</{tag}>");
    }

    fn link(
        &mut self,
        dest: &LinkDest,
        content: &[Inline],
        ctx: Ctx,
        open: Open,
        out: &mut String,
        next: Option<&Inline>,
    ) {
        let url = match dest {
            LinkDest::Unresolved(url) | LinkDest::External(url) => url.clone(),
            LinkDest::Internal { anchor, .. } => format!("#{}", anchor.as_deref().unwrap_or("")),
            LinkDest::Ref(label) => {
                // `@fig-x`, bracketed where a letter before or after would
                // join the label.
                let prev_alnum = out.chars().next_back().is_some_and(char::is_alphanumeric);
                let next_joins = match next {
                    Some(Inline::Text(t)) => {
                        t.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
                    }
                    Some(Inline::SoftBreak | Inline::LineBreak) | None => false,
                    Some(_) => true,
                };
                if prev_alnum || next_joins {
                    let _ = write!(out, "[@{label}]");
                } else {
                    let _ = write!(out, "@{label}");
                }
                return;
            }
            LinkDest::Dropped => {
                self.inlines(content, ctx, open, false, false, out);
                return;
            }
        };
        let mut inner = String::new();
        self.inlines(content, Ctx { link: true, in_html: false, ..ctx }, open, false, false, &mut inner);
        if let [Inline::Text(t)] = content
            && autolink_ok(&url, t)
        {
            let _ = write!(out, "<{t}>");
            return;
        }
        let _ = write!(out, "[{inner}]({})", link_dest(&url, ctx.table));
    }

    fn footnote_ref(&mut self, number: usize, out: &mut String) {
        let Some(note) = number.checked_sub(1).and_then(|i| self.footnotes.get(i)) else { return };
        let name = note_name(note);
        let _ = write!(out, "[^{name}]");
        if self.notes[number - 1].is_none() {
            self.notes[number - 1] = Some(String::new()); // referenced from itself: written once
            let body = self.blocks(&note.blocks, false);
            let mut def = format!("[^{name}]:");
            hang(&mut def, &body, "    ");
            self.notes[number - 1] = Some(def);
        }
    }
}

/// Whether the block, on the line after a paragraph's, starts a block of
/// its own (rather than continuing the paragraph).
fn interrupts_paragraph(kind: &BlockKind) -> bool {
    match kind {
        BlockKind::Paragraph(_)
        | BlockKind::Table { .. }
        | BlockKind::Figure { .. }
        | BlockKind::DefinitionList { .. } => false,
        BlockKind::List { start, items, .. } => {
            start.is_none_or(|n| n == 1) && items.first().is_some_and(|i| !i.blocks.is_empty())
        }
        _ => true,
    }
}

fn callout_name(kind: CalloutKind) -> &'static str {
    match kind {
        CalloutKind::Note => "NOTE",
        CalloutKind::Tip => "TIP",
        CalloutKind::Important => "IMPORTANT",
        CalloutKind::Warning => "WARNING",
        CalloutKind::Caution => "CAUTION",
    }
}

/// A footnote's name as written: its own when markdown can write it.
fn note_name(note: &Footnote) -> String {
    let ok = !note.name.is_empty() && note.name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok { note.name.clone() } else { note.number.to_string() }
}

/// Every line of `text` after `prefix` (`empty` for an empty line).
fn prefix_lines(text: &str, prefix: &str, empty: &str) -> String {
    if text.is_empty() {
        return empty.to_string();
    }
    text.split('\n')
        .map(|l| if l.is_empty() { empty.to_string() } else { format!("{prefix}{l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fenced code block, its fence longer than any run of the fence's
/// character in the code.
fn code_block(info: &str, code: &str) -> String {
    let fence_char = if info.contains('`') { '~' } else { '`' };
    let longest = longest_run(code, fence_char);
    let fence = fence_char.to_string().repeat(longest.max(2) + 1);
    if code.is_empty() {
        return format!("{fence}{info}\n{fence}");
    }
    format!("{fence}{info}\n{code}\n{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A code span: backticks around, more than any run inside; spaces
/// padding what starts or ends with a backtick or a space.
fn code_span(code: &str, in_table: bool) -> String {
    if code.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(code, '`') + 1);
    let pad = code.starts_with('`')
        || code.ends_with('`')
        || (code.starts_with(' ') && code.ends_with(' ') && !code.chars().all(|c| c == ' '));
    let body = if in_table { code.replace('|', "\\|") } else { code.to_string() };
    if pad { format!("{ticks} {body} {ticks}") } else { format!("{ticks}{body}{ticks}") }
}

/// Inline math: `$x$` (or `$$x$$`), or `` $`x`$ `` when the dollars
/// would not read it back.
fn math_span(tex: &str, display: bool, next: Option<&Inline>) -> String {
    let digit_next = matches!(next, Some(Inline::Text(t)) if t.starts_with(|c: char| c.is_ascii_digit()));
    let plain = !tex.is_empty()
        && !tex.contains(['$', '\n', '`'])
        && !tex.starts_with(char::is_whitespace)
        && !tex.ends_with(char::is_whitespace)
        && !tex.ends_with('\\')
        && !digit_next;
    if display {
        return format!("$${tex}$$");
    }
    if plain {
        format!("${tex}$")
    } else {
        let ticks = "`".repeat(longest_run(tex, '`') + 1);
        let pad = tex.starts_with('`') || tex.ends_with('`');
        if pad { format!("${ticks} {tex} {ticks}$") } else { format!("${ticks}{tex}{ticks}$") }
    }
}

fn image_src(image: &Image) -> &str {
    match &image.src {
        ImageSrc::Unresolved(s) | ImageSrc::Local(s) | ImageSrc::Unavailable(s) => s,
    }
}

/// `![alt](src "title")`.
fn image_markdown(image: &Image, title: Option<&str>) -> String {
    let mut alt = String::new();
    let alt_text = image.alt.replace(['\n', '\r'], " ");
    escape_text(
        &alt_text,
        TextCtx {
            line_start: false,
            before_break: false,
            follows_safely: false,
            prev: Some('['),
            ctx: Ctx { link: true, ..Ctx::default() },
        },
        &mut alt,
    );
    let mut dest = link_dest(image_src(image), false);
    if let Some(title) = title {
        dest.push_str(" \"");
        let chars: Vec<char> = title.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '"' | '\\' => {
                    dest.push('\\');
                    dest.push(c);
                }
                '&' if looks_like_entity(&chars[i + 1..]) => dest.push_str("&amp;"),
                '\n' => dest.push(' '),
                c => dest.push(c),
            }
        }
        dest.push('"');
    }
    format!("![{alt}]({dest})")
}

/// A link destination: as is when it reads back so, else in `<...>`.
fn link_dest(url: &str, in_table: bool) -> String {
    let mut escaped = String::new();
    let chars: Vec<char> = url.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '<' | '>' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '&' if looks_like_entity(&chars[i + 1..]) => escaped.push_str("&amp;"),
            '|' if in_table => escaped.push_str("\\|"),
            c => escaped.push(c),
        }
    }
    let mut depth = 0i32;
    let balanced = url.chars().all(|c| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        depth >= 0
    }) && depth == 0;
    let bare = !url.is_empty() && balanced && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if bare { escaped } else { format!("<{}>", escaped.replace('\n', "%0A")) }
}

/// Whether `<text>` is an autolink to `url`.
fn autolink_ok(url: &str, text: &str) -> bool {
    let simple = |s: &str| {
        !s.is_empty()
            && !s.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '<' | '>' | '\\' | '&' | '`' | '|' | '*' | '_' | '[' | ']' | '$' | '~')
            })
    };
    if !simple(text) {
        return false;
    }
    if url.strip_prefix("mailto:") == Some(text) {
        return text.contains('@') && !text.contains(':');
    }
    if url == text {
        let lower = url.to_ascii_lowercase();
        return ["http://", "https://"].iter().any(|s| lower.starts_with(s) && url.len() > s.len());
    }
    false
}

/// `"`-quoted attribute text.
fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn is_attr_value(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Adjacent texts as one (the reader merges them too).
fn merge_texts(inlines: &[Inline]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match (out.last_mut(), inline) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(t),
            (_, Inline::Text(t)) if t.is_empty() => {}
            _ => out.push(inline.clone()),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Text

/// Where inlines are written.
#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    table: bool,
    heading: bool,
    /// A link's text or an image's alt text: brackets are escaped.
    link: bool,
    /// One line: soft breaks are spaces, line breaks `<br>`.
    single_line: bool,
    /// Right inside an HTML element (`<sup>`, `<span lang>`...).
    in_html: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Emph,
    Strong,
    Strike,
}

/// The delimiters open around the inlines being written.
#[derive(Debug, Clone, Copy, Default)]
struct Open(u8);

impl Open {
    fn bit(d: Delim) -> u8 {
        match d {
            Delim::Emph => 1,
            Delim::Strong => 2,
            Delim::Strike => 4,
        }
    }
    fn with(self, d: Delim) -> Open {
        Open(self.0 | Open::bit(d))
    }
    fn has(self, d: Delim) -> bool {
        self.0 & Open::bit(d) != 0
    }
}

#[derive(Debug, Clone, Copy)]
struct TextCtx {
    /// The text starts a line (block markers there would be read).
    line_start: bool,
    /// A line ends right after the text (trailing spaces would be lost).
    before_break: bool,
    /// Nothing that could extend a bracket follows the text.
    follows_safely: bool,
    /// The character written before the text.
    prev: Option<char>,
    ctx: Ctx,
}

/// Appends `text` escaped: it reads back as this very text.
fn escape_text(text: &str, tc: TextCtx, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    let safe_brackets = if tc.ctx.link { HashSet::new() } else { safe_bracket_pairs(&chars, tc.follows_safely) };
    // At a line's start: an ordered list's `1.` or `1)`.
    let mut escape_at = None;
    // A table cell or a one-line heading holds inlines only: no block
    // starts in it.
    let block_free = tc.ctx.table || (tc.ctx.heading && tc.ctx.single_line);
    if tc.line_start && !block_free {
        let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        if (1..=9).contains(&digits)
            && matches!(chars.get(digits), Some('.' | ')'))
            && chars.get(digits + 1).is_none_or(|c| c.is_whitespace())
        {
            escape_at = Some(digits);
        }
    }
    let last = chars.len().saturating_sub(1);
    // A heading's closing `#`s: the first of a trailing run is escaped.
    let closing_hashes = if tc.ctx.heading && tc.before_break {
        let run = chars.iter().rev().take_while(|c| **c == '#').count();
        let start = chars.len() - run;
        (run > 0 && (start == 0 || matches!(chars[start - 1], ' ' | '\t'))).then_some(start)
    } else {
        None
    };
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 { tc.prev } else { Some(chars[i - 1]) };
        let next = chars.get(i + 1).copied();
        let at_start = i == 0 && tc.line_start;
        let block_start = at_start && !block_free;
        if (at_start || (i == last && tc.before_break)) && matches!(c, ' ' | '\t') {
            out.push_str(if c == ' ' { "&#32;" } else { "&#9;" });
            continue;
        }
        if Some(i) == escape_at || Some(i) == closing_hashes {
            out.push('\\');
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\0' => out.push('\u{fffd}'),
            // A backslash escapes only punctuation (or a line's end): before
            // a letter or digit it is itself.
            '\\' if next.is_some_and(char::is_alphanumeric) => out.push(c),
            // `<` opens a tag, a comment or an autolink only before these.
            '<' if !next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) => out.push(c),
            '`' | '<' | '$' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            // In a table, a cell's end; at a line's start, a table's.
            '|' if tc.ctx.table || block_start => out.push_str("\\|"),
            '#' | '>' | '-' | '+' | '=' | '*' if block_start => {
                out.push('\\');
                out.push(c);
            }
            // Emphasis delimiters: between spaces they cannot open or
            // close; `_` inside a word neither.
            '*' | '_' | '~' => {
                let spaced = i > 0 && chars[i - 1].is_whitespace() && next.is_some_and(char::is_whitespace);
                let inside_word =
                    c == '_' && i > 0 && chars[i - 1].is_alphanumeric() && next.is_some_and(char::is_alphanumeric);
                if !(spaced || inside_word) {
                    out.push('\\');
                }
                out.push(c);
            }
            '[' | ']' => {
                if !safe_brackets.contains(&i) {
                    out.push('\\');
                }
                out.push(c);
            }
            '!' if next == Some('[') => out.push_str("\\!"),
            ':' if block_start || (prev == Some(']')) => out.push_str("\\:"),
            '&' if looks_like_entity(&chars[i + 1..]) => out.push_str("\\&"),
            // GFM's bare autolinks: `http://`, `www.`, `user@host`.
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/'][..])
                && prev.is_some_and(|p| p.is_ascii_alphabetic()) =>
            {
                out.push_str("\\:")
            }
            '.' if i >= 3 && chars[i - 3..i] == ['w', 'w', 'w'] => out.push_str("\\."),
            '@' => {
                let email_like =
                    i > 0 && (chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '.' | '-' | '_' | '+'));
                let ref_like = !(i > 0 && chars[i - 1].is_alphanumeric()) && ref_label_at(&chars[i + 1..]);
                if ref_like {
                    out.push_str("@<!-- -->");
                } else if email_like {
                    out.push_str("\\@");
                } else {
                    out.push('@');
                }
            }
            c => out.push(c),
        }
    }
}

/// `&name;` or `&#123;` would be read as a character reference.
fn looks_like_entity(rest: &[char]) -> bool {
    let mut i = 0;
    if rest.first() == Some(&'#') {
        i = 1;
    }
    let start = i;
    while i < rest.len() && rest[i].is_ascii_alphanumeric() && i - start < 40 {
        i += 1;
    }
    i > start && rest.get(i) == Some(&';')
}

/// The text after an `@` starts a figure or table label.
fn ref_label_at(rest: &[char]) -> bool {
    let s: String = rest.iter().take(64).collect();
    if !(s.starts_with("fig-") || s.starts_with("tbl-")) {
        return false;
    }
    let label: String = s.chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect();
    label.trim_end_matches(['-', '_']).len() > 4
}

/// The positions of brackets that may stay unescaped: a matched pair
/// inside the text that no markdown construct would take (`[@key, p. 3]`,
/// `[sic]`), not followed by `(`, `[` or `:`.
fn safe_bracket_pairs(chars: &[char], follows_safely: bool) -> HashSet<usize> {
    let mut safe = HashSet::new();
    let mut stack = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '[' => stack.push(i),
            ']' => {
                let Some(open) = stack.pop() else { continue };
                let inner: String = chars[open + 1..i].iter().collect();
                let after = chars.get(i + 1).copied();
                let after_ok = match after {
                    None => follows_safely,
                    Some(a) => !matches!(a, '(' | '[' | ':' | '{'),
                };
                let after_bracket = open > 0 && matches!(chars[open - 1], '!' | ']');
                let inner_ok = !(inner.is_empty()
                    || inner.starts_with(['^', '!'])
                    || matches!(inner.as_str(), " " | "x" | "X")
                    || after_bracket);
                if after_ok && inner_ok {
                    safe.insert(open);
                    safe.insert(i);
                }
            }
            _ => {}
        }
    }
    safe
}

#[cfg(test)]
mod tests;
