//! The document's body, notes and comments into the model's blocks and
//! inlines. Paragraphs are read into a flat run of pieces with their
//! formatting (as Pandoc's reader does), fields and tracked changes
//! settled on the way, then grouped into nested inlines; consecutive list,
//! code and quote paragraphs are then grouped into lists, code blocks and
//! quotes, and captions joined to their figure or table.

use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One table row as read: whether it is a header row, and its cells (content, column span, continues a vertical merge).
type RawRow = (bool, Vec<(Vec<Inline>, usize, bool)>);

use roxmltree::Node;

use super::package::{Package, Rel, Target, attr, child, name, toggle};
use super::styles::{Numbering, ParaRole, Styles, is_mono_fonts};
use super::{Comment, Media, Options, TrackChanges, omml};
use crate::diag::Diagnostic;
use crate::lint;
use crate::model::{Align, Block, BlockKind, Footnote, Image, ImageSrc, Inline, LinkDest, ListItem};

/// Tables nested deeper than this are read as text.
const MAX_TABLE_DEPTH: usize = 8;
/// Elements nested deeper than this (content controls in content
/// controls...) are left out, with a warning.
const MAX_DEPTH: usize = 256;

/// What a paragraph became, before grouping.
enum Item {
    Block(Block),
    /// A paragraph of a list: a bullet after numbers (or numbers after
    /// bullets) or a number that restarts begins a new list.
    ListPara(ListPara),
    Code {
        line: usize,
        text: String,
    },
    Quote(Block),
    Caption {
        line: usize,
        inlines: Vec<Inline>,
        label: Option<String>,
    },
}

/// A paragraph of a list, as its numbering definition says.
#[derive(Debug, Clone)]
struct ListPara {
    line: usize,
    level: u8,
    ordered: bool,
    number: usize,
    /// A check box as the bullet: a task.
    task: Option<bool>,
    /// A blank bullet: more of the item before.
    continuation: bool,
    blocks: Vec<Block>,
}

/// A piece of a paragraph's text with its formatting.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Break,
    Note(usize),
    Image(Image),
    Math(String, bool),
    Anchor(String),
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Fmt {
    bold: bool,
    italic: bool,
    strike: bool,
    sup: bool,
    sub: bool,
    code: bool,
    lang: Option<String>,
    link: Option<String>,
}

/// A field (`w:fldChar` begin … separate … end, or `w:fldSimple`).
#[derive(Debug)]
struct Field {
    instr: String,
    in_result: bool,
    action: Option<FieldAction>,
}

#[derive(Debug, Clone)]
enum FieldAction {
    Link(String),
    Drop,
    Keep,
    /// A citation: its `[@key]` text was emitted; the result is left out.
    Cite,
}

/// Where the converter is: the part being read and its relationships.
pub struct Conv<'a, 'i> {
    pub pkg: &'a Package,
    pub styles: Styles,
    pub numbering: Numbering,
    pub rels: HashMap<String, Rel>,
    pub shown: &'a Path,
    /// Embedded images are named `<media_prefix>/<name in the package>`.
    pub media_prefix: String,
    pub options: Options,
    pub notes: HashMap<(bool, String), Node<'a, 'i>>,
    pub notes_rels: (HashMap<String, Rel>, HashMap<String, Rel>),
    pub comments_text: HashMap<String, (String, String, String)>,
    pub base_lang: Option<String>,
    // Output.
    pub warnings: Vec<Diagnostic>,
    pub footnotes: Vec<Footnote>,
    pub anchors: Vec<String>,
    pub media: Vec<Media>,
    pub comments: Vec<Comment>,
    pub references: Vec<serde_json::Value>,
    pub meta_title: Option<Vec<Inline>>,
    pub meta_subtitle: Option<String>,
    pub meta_authors: Vec<String>,
    pub meta_date: Option<String>,
    pub meta_abstract: Vec<String>,
    // State.
    para: usize,
    para_words: String,
    fields: Vec<Field>,
    open_comments: Vec<(String, String)>,
    counters: HashMap<(String, u8), usize>,
    seen_nums: HashSet<(String, u8)>,
    noted: HashSet<&'static str>,
    media_names: HashMap<String, String>,
    note_numbers: HashMap<(bool, String), usize>,
    pending: Vec<Block>,
    anchorizer: comrak::Anchorizer,
    ids: HashSet<String>,
    table_depth: usize,
    in_note: bool,
    cite_keys: HashMap<String, String>,
    /// Bookmarks in captions and the label of their figure or table.
    pub caption_labels: HashMap<String, String>,
    /// A drop cap's letters, which begin the next paragraph.
    drop_cap: Option<Vec<Inline>>,
    /// Whether the body has begun: title, author and date paragraphs
    /// after it are paragraphs like others.
    body_started: bool,
}

impl<'a, 'i> Conv<'a, 'i> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pkg: &'a Package,
        styles: Styles,
        numbering: Numbering,
        rels: HashMap<String, Rel>,
        shown: &'a Path,
        media_prefix: String,
        options: Options,
    ) -> Self {
        Conv {
            pkg,
            styles,
            numbering,
            rels,
            shown,
            media_prefix,
            options,
            notes: HashMap::new(),
            notes_rels: Default::default(),
            comments_text: HashMap::new(),
            base_lang: None,
            warnings: Vec::new(),
            footnotes: Vec::new(),
            anchors: Vec::new(),
            media: Vec::new(),
            comments: Vec::new(),
            references: Vec::new(),
            meta_title: None,
            meta_subtitle: None,
            meta_authors: Vec::new(),
            meta_date: None,
            meta_abstract: Vec::new(),
            para: 0,
            para_words: String::new(),
            fields: Vec::new(),
            open_comments: Vec::new(),
            counters: HashMap::new(),
            seen_nums: HashSet::new(),
            noted: HashSet::new(),
            media_names: HashMap::new(),
            note_numbers: HashMap::new(),
            pending: Vec::new(),
            anchorizer: comrak::Anchorizer::new(),
            ids: HashSet::new(),
            table_depth: 0,
            in_note: false,
            cite_keys: HashMap::new(),
            caption_labels: HashMap::new(),
            drop_cap: None,
            body_started: false,
        }
    }

    /// A diagnostic at the current paragraph: `file, paragraph N ("first words…")`.
    fn warn(&mut self, lint: &'static lint::Lint, message: String, hint: &str) {
        let words = first_words(&self.para_words);
        let message = if words.is_empty() { message } else { format!("{message} (paragraph \"{words}\")") };
        let d = Diagnostic::new(lint, message).with_file(self.shown).with_line(self.para.max(1)).with_hint(hint);
        self.warnings.push(d);
    }

    /// A note given once per document.
    fn note_once(&mut self, key: &'static str, lint: &'static lint::Lint, message: &str, hint: &str) {
        if self.noted.insert(key) {
            self.warn(lint, message.to_string(), hint);
        }
    }

    /// The blocks of a container (the body, a cell, a note, a text box).
    pub fn blocks(&mut self, container: Node<'a, 'i>, depth: usize) -> Vec<Block> {
        let mut items = Vec::new();
        self.items(container, depth, &mut items);
        self.group(items)
    }

    fn items(&mut self, container: Node<'a, 'i>, depth: usize, items: &mut Vec<Item>) {
        if depth > MAX_DEPTH {
            self.note_once(
                "depth",
                &lint::DOCX_CONTENT,
                "content nested more than 256 levels deep is left out",
                "simplify the document's structure (nested content controls or text boxes)",
            );
            return;
        }
        for node in container.children().filter(Node::is_element) {
            match name(node) {
                "p" => {
                    self.paragraph(node, depth, items);
                    let pending = std::mem::take(&mut self.pending);
                    items.extend(pending.into_iter().map(Item::Block));
                }
                "tbl" => {
                    self.para += 0;
                    if let Some(block) = self.table(node, depth) {
                        items.push(Item::Block(block));
                    }
                }
                "sdt" => {
                    if let Some(content) = child(node, "sdtContent") {
                        let toc = child(node, "sdtPr")
                            .and_then(|p| child(p, "docPartObj"))
                            .and_then(|o| child(o, "docPartGallery"))
                            .and_then(|g| attr(g, "val"))
                            .is_some_and(|v| v.contains("Table of Contents"));
                        if toc {
                            self.note_once(
                                "toc",
                                &lint::DOCX_FIELD,
                                "the Word table of contents is left out; the report makes its own",
                                "nothing to do; remove it from the document to silence this",
                            );
                            continue;
                        }
                        self.items(content, depth + 1, items);
                    }
                }
                "customXml" | "smartTag" | "ins" | "moveTo" => self.items(node, depth + 1, items),
                "del" | "moveFrom" if self.options.track_changes == TrackChanges::Reject => {
                    self.items(node, depth + 1, items)
                }
                "bookmarkStart" => {
                    if let Some(anchor) = attr(node, "name").and_then(|n| self.anchor(n)) {
                        items
                            .push(Item::Block(Block { line: self.para.max(1), kind: BlockKind::Anchor(vec![anchor]) }));
                    }
                }
                "AlternateContent" => {
                    if let Some(pick) = alternate(node) {
                        self.items(pick, depth + 1, items);
                    }
                }
                "altChunk" => self.note_once(
                    "altchunk",
                    &lint::DOCX_CONTENT,
                    "an embedded document (altChunk) is left out",
                    "paste its content into the document as text",
                ),
                _ => {}
            }
        }
    }

    /// A bookmark's name as an anchor, unless it is Word's own (`_GoBack`)
    /// or a proof's mark of its source line.
    fn anchor(&mut self, name: &str) -> Option<String> {
        if name == "_GoBack" || name.is_empty() || name.starts_with(super::SOURCE_MARK) {
            return None;
        }
        // A name given twice (LibreOffice's `__DdeLink__` bookmarks, pasted
        // text) is one target: the first.
        if !self.ids.insert(name.to_string()) {
            return None;
        }
        self.anchors.push(name.to_string());
        Some(name.to_string())
    }

    fn paragraph(&mut self, p: Node<'a, 'i>, depth: usize, items: &mut Vec<Item>) {
        self.para += 1;
        self.para_words =
            p.descendants().filter(|n| n.is_element() && name(*n) == "t").filter_map(|n| n.text()).take(12).collect();
        let ppr = child(p, "pPr");
        let style = ppr.and_then(|p| child(p, "pStyle")).and_then(|s| attr(s, "val"));
        let role = self.styles.para_role(style);
        let line = self.para;
        let base = self.styles.para_run(style);
        let mut fmt = Fmt::default();
        // Bold or italic set by a paragraph style means something in a
        // style of one's own; a quotation's or caption's italics are the
        // look of the style, which the report gives its own.
        if matches!(role, ParaRole::Normal | ParaRole::ListParagraph) {
            fmt.bold = base.bold.unwrap_or(false);
            fmt.italic = base.italic.unwrap_or(false);
        }
        let mut pieces = Vec::new();
        self.runs(p, &fmt, depth, &mut pieces);
        let mut inlines = build_inlines(&pieces);
        trim_inlines(&mut inlines);
        let drop_cap =
            ppr.and_then(|p| child(p, "framePr")).and_then(|f| attr(f, "dropCap")).is_some_and(|d| d != "none");
        if drop_cap {
            self.drop_cap = Some(inlines);
            return;
        }
        if let Some(mut letters) = self.drop_cap.take() {
            if let (Some(Inline::Text(a)), Some(Inline::Text(b))) = (letters.last_mut(), inlines.first()) {
                a.push_str(b);
                inlines.remove(0);
            }
            letters.extend(inlines);
            inlines = letters;
        }
        // Word's own display equation paragraph.
        let only_math = pieces.iter().all(|(p, _)| matches!(p, Piece::Math(_, true) | Piece::Anchor(_)))
            && pieces.iter().any(|(p, _)| matches!(p, Piece::Math(_, true)));
        if only_math {
            for (piece, _) in &pieces {
                match piece {
                    Piece::Math(tex, _) => {
                        items.push(Item::Block(Block { line, kind: BlockKind::Math { tex: tex.clone(), typst: None } }))
                    }
                    Piece::Anchor(a) => {
                        items.push(Item::Block(Block { line, kind: BlockKind::Anchor(vec![a.clone()]) }))
                    }
                    _ => {}
                }
            }
            return;
        }
        if is_empty(&inlines) {
            let anchors: Vec<String> = inlines
                .iter()
                .filter_map(|i| match i {
                    Inline::Anchor(a) => Some(a.clone()),
                    _ => None,
                })
                .collect();
            if !anchors.is_empty() {
                items.push(Item::Block(Block { line, kind: BlockKind::Anchor(anchors) }));
            }
            return;
        }
        let text = crate::model::plain_text(&inlines);
        let meta_role = matches!(
            role,
            ParaRole::Title | ParaRole::Subtitle | ParaRole::Author | ParaRole::Date | ParaRole::Abstract
        );
        let role = if meta_role && (self.body_started || self.in_note || self.table_depth > 0) {
            ParaRole::Normal
        } else {
            role
        };
        if !meta_role && depth == 0 {
            self.body_started = true;
        }
        match role {
            ParaRole::Heading(level) if !self.in_note && self.table_depth == 0 => {
                let (content, anchors) = take_anchors(inlines);
                let slug = self.slug(&crate::model::plain_text(&content));
                if !anchors.is_empty() {
                    items.push(Item::Block(Block { line, kind: BlockKind::Anchor(anchors) }));
                }
                items.push(Item::Block(Block {
                    line,
                    kind: BlockKind::Heading { level: level.min(6), id: slug, numbered: true, listed: true, content },
                }));
            }
            ParaRole::Title if self.meta_title.is_none() => self.meta_title = Some(strip_format(inlines)),
            ParaRole::Subtitle if self.meta_subtitle.is_none() => self.meta_subtitle = Some(text),
            ParaRole::Author => self.meta_authors.extend(split_authors(&text)),
            ParaRole::Date if self.meta_date.is_none() => self.meta_date = Some(text),
            ParaRole::Abstract => self.meta_abstract.push(text),
            ParaRole::Contents => self.note_once(
                "toc",
                &lint::DOCX_FIELD,
                "the Word table of contents is left out; the report makes its own",
                "nothing to do; remove it from the document to silence this",
            ),
            ParaRole::Code => {
                let code = crate::model::plain_text(&inlines_code_text(&pieces));
                items.push(Item::Code { line, text: code });
            }
            ParaRole::Caption => {
                let label = inlines.iter().find_map(|i| match i {
                    Inline::Anchor(a) => Some(a.clone()),
                    _ => None,
                });
                items.push(Item::Caption { line, inlines: strip_caption_label(inlines), label });
            }
            _ => {
                let num = ppr
                    .and_then(|p| child(p, "numPr"))
                    .and_then(|n| {
                        let id = child(n, "numId").and_then(|i| attr(i, "val"))?.to_string();
                        let level =
                            child(n, "ilvl").and_then(|i| attr(i, "val")).and_then(|v| v.parse().ok()).unwrap_or(0);
                        Some((id, level))
                    })
                    .or_else(|| self.styles.numbering(style));
                let blocks = self.paragraph_block(line, inlines);
                if let Some((num, level)) = num
                    && let Some((abs, def)) = self.numbering.level(&num, level)
                {
                    let number = self.count(&num, &abs, level, def.start);
                    items.push(Item::ListPara(ListPara {
                        line,
                        level,
                        ordered: def.ordered,
                        number,
                        task: def.task,
                        continuation: def.continuation,
                        blocks,
                    }));
                    return;
                }
                let indented = ppr.and_then(|p| child(p, "ind")).is_some_and(|ind| {
                    let left = attr(ind, "left")
                        .or_else(|| attr(ind, "start"))
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0);
                    let hanging = attr(ind, "hanging").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
                    left >= 567 && hanging == 0
                });
                let quote = role == ParaRole::Quote || (indented && self.table_depth == 0 && !self.in_note);
                for block in blocks {
                    items.push(if quote && matches!(block.kind, BlockKind::Paragraph(_)) {
                        Item::Quote(block)
                    } else {
                        Item::Block(block)
                    });
                }
            }
        }
    }

    /// A paragraph, or a figure when it holds one image and nothing else
    /// (the paragraph's bookmarks then stand before it).
    fn paragraph_block(&mut self, line: usize, inlines: Vec<Inline>) -> Vec<Block> {
        let images = inlines.iter().filter(|i| matches!(i, Inline::Image(_))).count();
        let others = inlines
            .iter()
            .filter(|i| !matches!(i, Inline::Image(_) | Inline::Anchor(_)))
            .filter(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty()))
            .count();
        if images == 1 && others == 0 {
            let (rest, anchors) = take_anchors(inlines);
            if let Some(Inline::Image(image)) = rest.into_iter().find(|i| matches!(i, Inline::Image(_))) {
                let mut out = Vec::new();
                if !anchors.is_empty() {
                    out.push(Block { line, kind: BlockKind::Anchor(anchors) });
                }
                out.push(Block {
                    line,
                    kind: BlockKind::Figure { image, caption: Vec::new(), label: None, number: None },
                });
                return out;
            }
            return Vec::new();
        }
        vec![Block { line, kind: BlockKind::Paragraph(inlines) }]
    }

    /// The number of a list paragraph, counting as Word does: per abstract
    /// definition and level, across `w:num`s that share it, restarting where
    /// a `w:num` overrides the start, and below a higher level's new item.
    fn count(&mut self, num: &str, abs: &str, level: u8, start: usize) -> usize {
        let key = (abs.to_string(), level);
        if self.seen_nums.insert((num.to_string(), level))
            && let Some(start) = self.numbering.start_override(num, level)
        {
            self.counters.remove(&key);
            let n = start;
            self.counters.insert(key, n);
            self.reset_below(abs, level);
            return n;
        }
        let n = self.counters.get(&key).map_or(start, |n| n + 1);
        self.counters.insert(key, n);
        self.reset_below(abs, level);
        n
    }

    fn reset_below(&mut self, abs: &str, level: u8) {
        for deeper in level + 1..9 {
            self.counters.remove(&(abs.to_string(), deeper));
        }
    }

    fn slug(&mut self, text: &str) -> String {
        let mut slug = self.anchorizer.anchorize(text);
        while self.ids.contains(&slug) {
            slug = self.anchorizer.anchorize(text);
        }
        self.ids.insert(slug.clone());
        self.anchors.push(slug.clone());
        slug
    }

    /// The pieces of a paragraph (or of a hyperlink, a change, a field...).
    fn runs(&mut self, node: Node<'a, 'i>, fmt: &Fmt, depth: usize, out: &mut Vec<(Piece, Fmt)>) {
        if depth > MAX_DEPTH {
            return;
        }
        for c in node.children().filter(Node::is_element) {
            match name(c) {
                "r" => self.run(c, fmt, depth, out),
                "hyperlink" => {
                    let target = if let Some(id) = attr(c, "id") {
                        match self.rels.get(id).map(|r| &r.target) {
                            Some(Target::External(url)) => {
                                let anchor = attr(c, "anchor").map(|a| format!("#{a}")).unwrap_or_default();
                                Some(format!("{url}{anchor}"))
                            }
                            Some(Target::Part(p)) => Some(p.clone()),
                            _ => None,
                        }
                    } else {
                        attr(c, "anchor").map(|a| format!("#{a}"))
                    };
                    let mut inner = fmt.clone();
                    if target.is_some() {
                        inner.link = target;
                    }
                    self.runs(c, &inner, depth + 1, out);
                }
                "ins" | "moveTo" => self.change(c, true, fmt, depth, out),
                "del" | "moveFrom" => self.change(c, false, fmt, depth, out),
                "smartTag" | "customXml" | "sdtContent" | "dir" | "bdo" => self.runs(c, fmt, depth + 1, out),
                "sdt" => {
                    if let Some(content) = child(c, "sdtContent") {
                        self.runs(content, fmt, depth + 1, out);
                    }
                }
                "fldSimple" => {
                    let instr = attr(c, "instr").unwrap_or("").to_string();
                    self.fields.push(Field { instr, in_result: false, action: None });
                    self.separate(out, fmt);
                    self.runs(c, fmt, depth + 1, out);
                    self.fields.pop();
                }
                "bookmarkStart" => {
                    if let Some(anchor) = attr(c, "name").and_then(|n| self.anchor(n)) {
                        self.emit(out, Piece::Anchor(anchor), fmt);
                    }
                }
                "commentRangeStart" => {
                    if let Some(id) = attr(c, "id") {
                        self.open_comments.push((id.to_string(), String::new()));
                    }
                }
                "commentRangeEnd" => {}
                "oMath" | "oMathPara" => self.math(c, name(c) == "oMathPara", fmt, out),
                "AlternateContent" => {
                    if let Some(pick) = alternate(c) {
                        self.runs(pick, fmt, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn math(&mut self, node: Node<'a, 'i>, display: bool, fmt: &Fmt, out: &mut Vec<(Piece, Fmt)>) {
        match omml::to_latex(node) {
            Ok(tex) if !tex.is_empty() => self.emit(out, Piece::Math(tex, display), fmt),
            Ok(_) => {}
            Err(why) => {
                let text = omml::text(node);
                self.warn(
                    &lint::UNKNOWN_MATH,
                    format!("an equation cannot be converted to LaTeX: {why}; its text `{text}` is shown"),
                    "rewrite the equation with Word's equation editor's basic structures, or as LaTeX",
                );
                self.emit(out, Piece::Text(text), fmt);
            }
        }
    }

    /// A tracked insertion (`inserted`) or deletion, as the options say,
    /// with a warning naming its author and date.
    fn change(&mut self, node: Node<'a, 'i>, inserted: bool, fmt: &Fmt, depth: usize, out: &mut Vec<(Piece, Fmt)>) {
        let words: String = node
            .descendants()
            .filter(|n| n.is_element() && matches!(name(*n), "t" | "delText"))
            .filter_map(|n| n.text())
            .collect();
        let author = attr(node, "author").unwrap_or("an unknown author");
        let date = attr(node, "date").map(|d| format!(" on {}", d.get(..10).unwrap_or(d))).unwrap_or_default();
        let mode = self.options.track_changes;
        let (kind, done) = match (inserted, mode) {
            (true, TrackChanges::Accept | TrackChanges::Keep) => ("insertion", "kept"),
            (true, TrackChanges::Reject) => ("insertion", "left out"),
            (false, TrackChanges::Accept) => ("deletion", "left out"),
            (false, TrackChanges::Reject) => ("deletion", "kept"),
            (false, TrackChanges::Keep) => ("deletion", "kept, struck through"),
        };
        if !words.trim().is_empty() {
            self.warn(&lint::TRACKED_CHANGE, format!("tracked {kind} by {author}{date}: \"{}\" is {done}", first_words(&words)),
                "accept or reject the change in Word, or choose with `--track-changes accept|reject|keep` when importing");
        }
        let keep = match (inserted, mode) {
            (true, m) => m != TrackChanges::Reject,
            (false, m) => m != TrackChanges::Accept,
        };
        if keep {
            let mut inner = fmt.clone();
            if !inserted && mode == TrackChanges::Keep {
                inner.strike = true;
            }
            self.runs(node, &inner, depth + 1, out);
        }
    }

    fn emit(&mut self, out: &mut Vec<(Piece, Fmt)>, piece: Piece, fmt: &Fmt) {
        // Inside a field's instruction or a result that is left out: nothing.
        for field in &self.fields {
            if !field.in_result || matches!(field.action, Some(FieldAction::Drop | FieldAction::Cite)) {
                return;
            }
        }
        if let Piece::Text(t) = &piece {
            for (_, words) in &mut self.open_comments {
                if words.len() < 400 {
                    words.push_str(t);
                }
            }
        }
        let mut fmt = fmt.clone();
        if let Some(target) = self.fields.iter().rev().find_map(|f| match &f.action {
            Some(FieldAction::Link(t)) => Some(t.clone()),
            _ => None,
        }) {
            fmt.link = Some(target);
        }
        out.push((piece, fmt));
    }

    fn run(&mut self, r: Node<'a, 'i>, fmt: &Fmt, depth: usize, out: &mut Vec<(Piece, Fmt)>) {
        let rpr = child(r, "rPr");
        let mut fmt = fmt.clone();
        if let Some(id) = rpr.and_then(|p| child(p, "rStyle")).and_then(|s| attr(s, "val")) {
            let cs = self.styles.char_style(id);
            if let Some(b) = cs.bold {
                fmt.bold = b;
            }
            if let Some(i) = cs.italic {
                fmt.italic = i;
            }
            fmt.code |= cs.code;
        }
        if let Some(b) = toggle(rpr, "b") {
            fmt.bold = b;
        }
        if let Some(i) = toggle(rpr, "i") {
            fmt.italic = i;
        }
        if toggle(rpr, "strike").unwrap_or(false) || toggle(rpr, "dstrike").unwrap_or(false) {
            fmt.strike = true;
        }
        if let Some(u) = rpr.and_then(|p| child(p, "u")).and_then(|u| attr(u, "val"))
            && u != "none"
            && fmt.link.is_none()
        {
            // Underline is emphasis in a typed text; a link's is its look.
            fmt.italic = true;
        }
        match rpr.and_then(|p| child(p, "vertAlign")).and_then(|v| attr(v, "val")) {
            Some("superscript") => fmt.sup = true,
            Some("subscript") => fmt.sub = true,
            _ => {}
        }
        if rpr.is_some_and(is_mono_fonts) {
            fmt.code = true;
        }
        if let Some(lang) = rpr.and_then(|p| child(p, "lang")) {
            let rtl = toggle(rpr, "rtl").unwrap_or(false) || toggle(rpr, "cs").unwrap_or(false);
            let tag = if rtl { attr(lang, "bidi") } else { attr(lang, "val") };
            if let Some(tag) = tag {
                let primary = |t: &str| t.split('-').next().unwrap_or("").to_ascii_lowercase();
                let differs = self.base_lang.as_deref().is_none_or(|b| primary(b) != primary(tag));
                if differs && self.base_lang.is_some() && valid_tag(tag) {
                    fmt.lang = Some(tag.to_string());
                }
            }
        }
        for c in r.children().filter(Node::is_element) {
            match name(c) {
                "t" => {
                    if let Some(t) = c.text() {
                        self.emit(out, Piece::Text(t.to_string()), &fmt);
                    }
                }
                "delText" => {
                    if let Some(t) = c.text() {
                        self.emit(out, Piece::Text(t.to_string()), &fmt);
                    }
                }
                "instrText" => {
                    if let Some(field) = self.fields.last_mut()
                        && !field.in_result
                    {
                        field.instr.push_str(c.text().unwrap_or(""));
                    }
                }
                "fldChar" => match attr(c, "fldCharType") {
                    Some("begin") => self.fields.push(Field { instr: String::new(), in_result: false, action: None }),
                    Some("separate") => self.separate(out, &fmt),
                    Some("end") => {
                        if self.fields.last().is_some_and(|f| !f.in_result) {
                            self.separate(out, &fmt);
                        }
                        self.fields.pop();
                    }
                    _ => {}
                },
                "tab" | "ptab" => self.emit(out, Piece::Text(" ".into()), &fmt),
                "br" | "cr" if !matches!(attr(c, "type"), Some("page" | "column")) => {
                    self.emit(out, Piece::Break, &fmt);
                }
                "noBreakHyphen" => self.emit(out, Piece::Text("\u{2011}".into()), &fmt),
                "softHyphen" => self.emit(out, Piece::Text("\u{ad}".into()), &fmt),
                "sym" => {
                    let ch = attr(c, "char").and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(|code| {
                        let font = attr(c, "font").unwrap_or("");
                        symbol_font_char(font, code)
                    });
                    if let Some(ch) = ch {
                        self.emit(out, Piece::Text(ch.to_string()), &fmt);
                    }
                }
                "footnoteReference" | "endnoteReference" => {
                    if let Some(id) = attr(c, "id") {
                        let end = name(c) == "endnoteReference";
                        if let Some(n) = self.note(end, id) {
                            self.emit(out, Piece::Note(n), &fmt);
                        }
                    }
                }
                "commentReference" => {
                    if let Some(id) = attr(c, "id") {
                        self.comment(id);
                    }
                }
                "drawing" => self.drawing(c, &fmt, depth, out),
                "pict" | "object" => self.vml(c, &fmt, depth, out),
                "AlternateContent" => {
                    if let Some(pick) = alternate(c) {
                        // A run's alternate content holds run content.
                        let mut wrapper = Vec::new();
                        for n in pick.children().filter(Node::is_element) {
                            match name(n) {
                                "drawing" => self.drawing(n, &fmt, depth, &mut wrapper),
                                "pict" | "object" => self.vml(n, &fmt, depth, &mut wrapper),
                                _ => {}
                            }
                        }
                        out.extend(wrapper);
                    }
                }
                "ruby" => {
                    if let Some(base) = child(c, "rubyBase") {
                        self.runs(base, &fmt, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }

    /// A field's instruction is complete: decide what its result becomes.
    fn separate(&mut self, out: &mut Vec<(Piece, Fmt)>, fmt: &Fmt) {
        let Some(field) = self.fields.last() else { return };
        let instr = field.instr.trim().to_string();
        let mut words = instr.split_whitespace();
        let kind = words.next().unwrap_or("").to_ascii_uppercase();
        let quoted = |s: &str| -> Option<String> {
            let start = s.find('"')?;
            let rest = &s[start + 1..];
            Some(rest[..rest.find('"')?].to_string())
        };
        let arg = |s: &str| -> Option<String> {
            let rest = s.split_once(char::is_whitespace)?.1.trim();
            if rest.starts_with('"') { quoted(rest) } else { rest.split_whitespace().next().map(str::to_string) }
        };
        let action = match kind.as_str() {
            "HYPERLINK" => {
                let rest = instr.split_once(char::is_whitespace).map(|x| x.1).unwrap_or("");
                let anchor = rest.find("\\l").and_then(|i| {
                    quoted(&rest[i..]).or_else(|| rest[i + 2..].split_whitespace().next().map(str::to_string))
                });
                let url = if rest.trim_start().starts_with("\\l") { None } else { arg(&instr) };
                match (url, anchor) {
                    (Some(u), Some(a)) => FieldAction::Link(format!("{u}#{a}")),
                    (Some(u), None) => FieldAction::Link(u),
                    (None, Some(a)) => FieldAction::Link(format!("#{a}")),
                    (None, None) => FieldAction::Keep,
                }
            }
            "REF" | "PAGEREF" | "NOTEREF" => match arg(&instr) {
                Some(bm) => FieldAction::Link(format!("#{bm}")),
                None => FieldAction::Keep,
            },
            "TOC" | "PAGE" | "NUMPAGES" | "SECTIONPAGES" | "SEQ" | "INDEX" | "TC" | "XE" | "BIBLIOGRAPHY" => {
                FieldAction::Drop
            }
            "ADDIN" => {
                let what = instr.split_whitespace().nth(1).unwrap_or("").to_ascii_uppercase();
                if what.contains("BIBL") || instr.to_ascii_lowercase().contains("mendeley bibliography") {
                    FieldAction::Drop
                } else if what.starts_with("ZOTERO_ITEM") || what == "CSL_CITATION" || instr.contains("CSL_CITATION") {
                    match self.citation(&instr) {
                        Some(text) => {
                            // Emit before the field is marked as a citation.
                            let field = self.fields.last_mut().expect("a field");
                            field.in_result = true;
                            field.action = Some(FieldAction::Keep);
                            self.emit(out, Piece::Text(text), fmt);
                            FieldAction::Cite
                        }
                        None => FieldAction::Keep,
                    }
                } else {
                    FieldAction::Keep
                }
            }
            _ => FieldAction::Keep,
        };
        match &action {
            FieldAction::Drop if kind == "TOC" => self.note_once("toc", &lint::DOCX_FIELD,
                "the Word table of contents is left out; the report makes its own",
                "nothing to do; remove it from the document to silence this"),
            FieldAction::Drop if matches!(kind.as_str(), "PAGE" | "NUMPAGES" | "SECTIONPAGES") => self.note_once("page", &lint::DOCX_FIELD,
                "page-number fields are left out; the report numbers its own pages", "nothing to do"),
            FieldAction::Drop if kind == "ADDIN" || kind == "BIBLIOGRAPHY" => self.note_once("bibl", &lint::DOCX_FIELD,
                "the reference list a citation manager inserted is left out; the report formats its own from the citations",
                "nothing to do; the cited works are added to the report's bibliography"),
            _ => {}
        }
        if let Some(field) = self.fields.last_mut() {
            field.in_result = true;
            field.action = Some(action);
        }
    }

    /// A Zotero or Mendeley citation field (CSL JSON in its instruction):
    /// `[@key; @key2, p. 3]`, its works recorded for the bibliography.
    fn citation(&mut self, instr: &str) -> Option<String> {
        let json: serde_json::Value = serde_json::from_str(instr.get(instr.find('{')?..)?.trim()).ok()?;
        let items = json.get("citationItems")?.as_array()?;
        let mut cites = Vec::new();
        let (mut prefix, mut suffix) = (Vec::new(), Vec::new());
        for item in items {
            let data = item.get("itemData")?;
            let identity = item
                .get("uris")
                .and_then(|u| u.get(0))
                .and_then(|u| u.as_str())
                .map(str::to_string)
                .or_else(|| item.get("id").map(|i| i.to_string()))
                .unwrap_or_else(|| data.to_string());
            let key = match self.cite_keys.get(&identity) {
                Some(key) => key.clone(),
                None => {
                    let key = self.new_key(data);
                    self.cite_keys.insert(identity, key.clone());
                    let mut entry = data.clone();
                    entry["id"] = serde_json::Value::String(key.clone());
                    self.references.push(entry);
                    key
                }
            };
            let mut cite = format!("@{key}");
            if let Some(loc) =
                item.get("locator").and_then(|l| l.as_str().map(str::to_string).or_else(|| Some(l.to_string())))
            {
                let label = match item.get("label").and_then(|l| l.as_str()).unwrap_or("page") {
                    "page" => "p.",
                    "chapter" => "chap.",
                    "section" => "sec.",
                    "paragraph" => "para.",
                    "figure" => "fig.",
                    other => other,
                };
                cite.push_str(&format!(", {label} {loc}"));
            }
            cites.push(cite);
            // A prefix or suffix ("see", "for a review") stays beside the citation.
            for (field, into) in [("prefix", &mut prefix), ("suffix", &mut suffix)] {
                if let Some(t) = item.get(field).and_then(|t| t.as_str()).map(str::trim).filter(|t| !t.is_empty()) {
                    into.push(strip_tags(t));
                }
            }
        }
        if cites.is_empty() {
            return None;
        }
        let mut out = String::new();
        if !prefix.is_empty() {
            out.push_str(&prefix.join(" "));
            out.push(' ');
        }
        out.push_str(&format!("[{}]", cites.join("; ")));
        if !suffix.is_empty() {
            out.push(' ');
            out.push_str(&suffix.join(" "));
        }
        Some(out)
    }

    fn new_key(&self, data: &serde_json::Value) -> String {
        let family = data
            .get("author")
            .and_then(|a| a.get(0))
            .and_then(|a| a.get("family").or_else(|| a.get("literal")))
            .and_then(|f| f.as_str())
            .unwrap_or("anon");
        let year = data
            .get("issued")
            .and_then(|i| i.get("date-parts"))
            .and_then(|d| d.get(0))
            .and_then(|d| d.get(0))
            .map(|y| y.to_string().trim_matches('"').to_string())
            .unwrap_or_default();
        let base: String = unicode_normalization::UnicodeNormalization::nfkd(family)
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let base = if base.is_empty() { "ref".to_string() } else { base };
        let base = format!("{base}{year}");
        let taken: HashSet<&str> = self.cite_keys.values().map(String::as_str).collect();
        if !taken.contains(base.as_str()) {
            return base;
        }
        (b'a'..=b'z')
            .map(|c| format!("{base}{}", c as char))
            .find(|k| !taken.contains(k.as_str()))
            .unwrap_or_else(|| format!("{base}-{}", taken.len()))
    }

    /// A footnote or endnote, converted on its first reference; its number.
    fn note(&mut self, end: bool, id: &str) -> Option<usize> {
        let key = (end, id.to_string());
        if let Some(n) = self.note_numbers.get(&key) {
            return Some(*n);
        }
        let node = *self.notes.get(&key)?;
        let number = self.footnotes.len() + 1;
        self.note_numbers.insert(key, number);
        let line = self.para.max(1);
        let saved = (
            std::mem::take(&mut self.fields),
            std::mem::take(&mut self.open_comments),
            self.para,
            self.para_words.clone(),
            self.in_note,
        );
        let rels = if end { self.notes_rels.1.clone() } else { self.notes_rels.0.clone() };
        let doc_rels = std::mem::replace(&mut self.rels, rels);
        self.in_note = true;
        // Reserve the number before converting: a note may hold a note.
        self.footnotes.push(Footnote {
            name: format!("{}{id}", if end { "en" } else { "fn" }),
            number,
            line,
            blocks: Vec::new(),
        });
        let pending = std::mem::take(&mut self.pending);
        let mut blocks = self.blocks(node, 1);
        self.pending = pending;
        for b in &mut blocks {
            set_lines(b, line);
        }
        self.rels = doc_rels;
        (self.fields, self.open_comments, self.para, self.para_words, self.in_note) = saved;
        self.footnotes[number - 1].blocks = blocks;
        Some(number)
    }

    fn comment(&mut self, id: &str) {
        let words = match self.open_comments.iter().position(|(i, _)| i == id) {
            Some(i) => self.open_comments.remove(i).1,
            None => String::new(),
        };
        let Some((author, date, text)) = self.comments_text.get(id).cloned() else { return };
        let on = if words.trim().is_empty() { String::new() } else { format!(" on \"{}\"", first_words(&words)) };
        let date_shown =
            if date.is_empty() { String::new() } else { format!(" ({})", date.get(..10).unwrap_or(&date)) };
        self.warn(&lint::DOCX_COMMENT, format!("comment by {author}{date_shown}{on}: {text}"),
            "answer the comment, then delete it in Word; `coala-report import` keeps it in the markdown as an HTML comment");
        self.comments.push(Comment { line: self.para.max(1), author, date, words: words.trim().to_string(), text });
    }

    /// A DrawingML picture (inline or anchored) or shape with text.
    fn drawing(&mut self, node: Node<'a, 'i>, fmt: &Fmt, depth: usize, out: &mut Vec<(Piece, Fmt)>) {
        let doc_pr = node.descendants().find(|n| n.is_element() && name(*n) == "docPr");
        let alt = doc_pr
            .and_then(|d| {
                attr(d, "descr")
                    .filter(|s| !s.trim().is_empty())
                    .or_else(|| attr(d, "title").filter(|s| !s.trim().is_empty()))
            })
            .unwrap_or("")
            .trim()
            .to_string();
        let decorative = node
            .descendants()
            .any(|n| n.is_element() && name(n) == "decorative" && attr(n, "val").is_none_or(|v| v == "1"));
        if let Some(blip) = node.descendants().find(|n| n.is_element() && name(*n) == "blip") {
            let embed = attr(blip, "embed");
            let link = attr(blip, "link");
            if let Some(image) = self.image(embed.or(link), &alt, decorative) {
                self.emit(out, Piece::Image(image), fmt);
            }
        } else if node.descendants().any(|n| n.is_element() && name(n) == "chart") {
            self.warn(
                &lint::DOCX_IMAGE,
                format!(
                    "a Word chart{} is left out; its description is shown",
                    if alt.is_empty() { String::new() } else { format!(" (\"{alt}\")") }
                ),
                "save the chart as a PNG or SVG image and insert the picture in its place",
            );
            if !alt.is_empty() {
                self.emit(out, Piece::Text(alt.clone()), fmt);
            }
        }
        // The text of text boxes and shapes, after the paragraph.
        for txbx in node.descendants().filter(|n| n.is_element() && name(*n) == "txbxContent") {
            if txbx.ancestors().skip(1).any(|a| a.is_element() && name(a) == "txbxContent") {
                continue;
            }
            let blocks = self.blocks(txbx, depth + 1);
            self.pending.extend(blocks);
        }
    }

    /// A VML picture (`w:pict`, `w:object`): its image data, or its text box.
    fn vml(&mut self, node: Node<'a, 'i>, fmt: &Fmt, depth: usize, out: &mut Vec<(Piece, Fmt)>) {
        if let Some(data) = node.descendants().find(|n| n.is_element() && name(*n) == "imagedata") {
            let alt = data
                .ancestors()
                .find(|a| a.is_element() && name(*a) == "shape")
                .and_then(|s| attr(s, "alt"))
                .or_else(|| attr(data, "title"))
                .unwrap_or("")
                .trim()
                .to_string();
            let id = attr(data, "id").or_else(|| attr(data, "href"));
            if let Some(image) = self.image(id, &alt, false) {
                self.emit(out, Piece::Image(image), fmt);
            }
        }
        for txbx in node.descendants().filter(|n| n.is_element() && name(*n) == "txbxContent") {
            let blocks = self.blocks(txbx, depth + 1);
            self.pending.extend(blocks);
        }
    }

    /// The image a relationship names: embedded (kept as a file of the
    /// article), linked (as written), or a format no reader shows.
    fn image(&mut self, rel: Option<&str>, alt: &str, decorative: bool) -> Option<Image> {
        let rel = self.rels.get(rel?)?.clone();
        let line = self.para.max(1);
        let make =
            |src: ImageSrc| Image { src, alt: alt.to_string(), title: None, line, column: 1, format: None, decorative };
        match rel.target {
            Target::External(url) => Some(make(ImageSrc::Unresolved(url))),
            Target::Refused(target) => {
                self.warn(
                    &lint::DOCX_IMAGE,
                    format!("an image's part name `{target}` leaves the package; its description is shown"),
                    "the document is damaged or crafted: insert the picture again",
                );
                Some(make(ImageSrc::Unavailable(target)))
            }
            Target::Part(part) => {
                let ext = part.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                if matches!(ext.as_str(), "emf" | "wmf" | "emz" | "wmz" | "tif" | "tiff" | "bmp" | "wdp" | "jxr") {
                    self.warn(
                        &lint::DOCX_IMAGE,
                        format!(
                            "the picture `{part}` is {}, which no e-reader or browser shows; its description is shown",
                            ext.to_ascii_uppercase()
                        ),
                        "in Word, save the picture as PNG (right-click › Save as Picture) and insert that instead",
                    );
                    return Some(make(ImageSrc::Unavailable(part)));
                }
                let Some(bytes) = self.pkg.part(&part) else {
                    self.warn(
                        &lint::DOCX_IMAGE,
                        format!("the picture `{part}` is missing from the package; its description is shown"),
                        "insert the picture again in Word",
                    );
                    return Some(make(ImageSrc::Unavailable(part)));
                };
                let file = match self.media_names.get(&part) {
                    Some(f) => f.clone(),
                    None => {
                        let base = part.rsplit('/').next().unwrap_or(&part).to_string();
                        let mut file = base.clone();
                        let mut n = 2;
                        while self.media.iter().any(|m| m.name == file) {
                            file = format!("{n}-{base}");
                            n += 1;
                        }
                        self.media.push(Media { name: file.clone(), bytes: bytes.to_vec() });
                        self.media_names.insert(part.clone(), file.clone());
                        file
                    }
                };
                Some(make(ImageSrc::Unresolved(format!("{}/{file}", self.media_prefix))))
            }
        }
    }

    fn table(&mut self, tbl: Node<'a, 'i>, depth: usize) -> Option<Block> {
        let line = self.para + 1;
        if self.table_depth >= MAX_TABLE_DEPTH {
            self.note_once(
                "deep-table",
                &lint::DOCX_TABLE,
                "tables nested more than 8 deep are read as text",
                "simplify the table",
            );
            return None;
        }
        self.table_depth += 1;
        let look_header = child(tbl, "tblPr").and_then(|p| child(p, "tblLook")).is_some_and(|l| {
            attr(l, "firstRow").is_some_and(|v| v == "1" || v == "true")
                || attr(l, "val").and_then(|v| u32::from_str_radix(v, 16).ok()).is_some_and(|v| v & 0x20 != 0)
        });
        let mut rows: Vec<RawRow> = Vec::new();
        let mut merged = false;
        let mut nested = false;
        for tr in tbl.children().filter(|n| n.is_element() && matches!(name(*n), "tr" | "sdt" | "customXml")) {
            let trs: Vec<Node> = if name(tr) == "tr" {
                vec![tr]
            } else {
                tr.descendants().filter(|n| n.is_element() && name(*n) == "tr").collect()
            };
            for tr in trs {
                let header = child(tr, "trPr")
                    .and_then(|p| child(p, "tblHeader"))
                    .is_some_and(|h| attr(h, "val").is_none_or(|v| v != "0" && v != "false"));
                let before = child(tr, "trPr")
                    .and_then(|p| child(p, "gridBefore"))
                    .and_then(|g| attr(g, "val"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let mut cells: Vec<(Vec<Inline>, usize, bool)> =
                    (0..before.min(64)).map(|_| (Vec::new(), 1, false)).collect();
                for tc in tr.descendants().filter(|n| {
                    n.is_element()
                        && name(*n) == "tc"
                        && n.ancestors().skip(1).find(|a| a.is_element() && name(*a) == "tr") == Some(tr)
                }) {
                    let pr = child(tc, "tcPr");
                    let span = pr
                        .and_then(|p| child(p, "gridSpan"))
                        .and_then(|g| attr(g, "val"))
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, 64);
                    let vcont = pr
                        .and_then(|p| child(p, "vMerge"))
                        .is_some_and(|v| attr(v, "val").is_none_or(|v| v == "continue"));
                    if span > 1 || vcont {
                        merged = true;
                    }
                    if tc.descendants().any(|n| n.is_element() && name(n) == "tbl") {
                        nested = true;
                    }
                    let blocks = self.blocks(tc, depth + 1);
                    cells.push((cell_inlines(&blocks), span, vcont));
                }
                rows.push((header, cells));
            }
        }
        self.table_depth -= 1;
        if rows.is_empty() {
            return None;
        }
        let width = rows.iter().map(|(_, c)| c.iter().map(|(_, s, _)| s).sum::<usize>()).max().unwrap_or(0).max(1);
        let grid: Vec<(bool, Vec<Vec<Inline>>)> = rows
            .into_iter()
            .map(|(h, cells)| {
                let mut out = Vec::new();
                for (inlines, span, _) in cells {
                    out.push(inlines);
                    for _ in 1..span {
                        out.push(Vec::new());
                    }
                }
                out.resize(width, Vec::new());
                (h, out)
            })
            .collect();
        if merged {
            self.warn(&lint::DOCX_TABLE, "a table has merged cells, which the report's tables cannot show; each merged cell's text is in its first cell, the cells it covered are empty".into(),
                "split the merged cells in Word, or keep the table as it is");
        }
        if nested {
            self.warn(
                &lint::DOCX_TABLE,
                "a table holds another table; the inner table's cells are shown as lines of text in its cell".into(),
                "move the inner table out of the cell",
            );
        }
        let header_rows = grid.iter().take_while(|(h, _)| *h).count();
        let mut body: Vec<Vec<Vec<Inline>>> = grid.into_iter().map(|(_, r)| r).collect();
        // Further header rows stay rows of the table's body.
        let mut header = if header_rows > 0 || look_header || body.len() == 1 {
            body.remove(0)
        } else {
            self.warn(
                &lint::DOCX_TABLE,
                "a table has no header row; its first row is used as the header".into(),
                "in Word, mark the first row as a header row (Table Properties › Row › Repeat as header row)",
            );
            body.remove(0)
        };
        // A header cell set in bold is bold as a header already.
        for cell in &mut header {
            if let [Inline::Strong(inner)] = cell.as_slice() {
                *cell = inner.clone();
            }
        }
        Some(Block {
            line,
            kind: BlockKind::Table {
                align: vec![Align::None; width],
                header,
                rows: body,
                caption: Vec::new(),
                label: None,
                number: None,
            },
        })
    }

    /// Groups paragraphs into lists, code blocks and quotes, and joins
    /// captions to their figure or table.
    fn group(&mut self, items: Vec<Item>) -> Vec<Block> {
        let mut out: Vec<Block> = Vec::new();
        let mut items = items.into_iter().peekable();
        let mut caption_for_next: Option<(Vec<Inline>, Option<String>, usize)> = None;
        while let Some(item) = items.next() {
            match item {
                Item::ListPara(first) => {
                    let (top, top_ordered, mut last) = (first.level, first.ordered, first.number);
                    let mut run = vec![first];
                    while let Some(Item::ListPara(next)) = items.peek() {
                        if next.level <= top && !next.continuation {
                            let restarts = top_ordered && next.number != last + 1;
                            if next.ordered != top_ordered || restarts {
                                break;
                            }
                            last = next.number;
                        }
                        let Some(Item::ListPara(next)) = items.next() else { break };
                        run.push(next);
                    }
                    let level = run[0].level;
                    out.push(build_list(&run, level));
                }
                Item::Code { line, text } => {
                    let mut code = text;
                    while let Some(Item::Code { text, .. }) = items.peek() {
                        code.push('\n');
                        code.push_str(text);
                        items.next();
                    }
                    out.push(Block { line, kind: BlockKind::Code { lang: None, code } });
                }
                Item::Quote(block) => {
                    let line = block.line;
                    let mut blocks = vec![block];
                    while let Some(Item::Quote(_)) = items.peek() {
                        if let Some(Item::Quote(b)) = items.next() {
                            blocks.push(b);
                        }
                    }
                    out.push(Block { line, kind: BlockKind::Quote(blocks) });
                }
                Item::Caption { line, inlines, label } => {
                    // After a figure or table without one: its caption.
                    if let Some(last) = out.last_mut()
                        && let Some(assigned) = attach_caption(last, &inlines, label.as_deref())
                    {
                        if let (Some(b), Some(l)) = (label, assigned) {
                            self.caption_labels.insert(b, l);
                        }
                        continue;
                    }
                    // Before a table or figure: its caption.
                    if matches!(
                        items.peek(),
                        Some(Item::Block(Block { kind: BlockKind::Table { .. } | BlockKind::Figure { .. }, .. }))
                    ) {
                        caption_for_next = Some((inlines, label, line));
                        continue;
                    }
                    out.push(Block { line, kind: BlockKind::Paragraph(inlines) });
                }
                Item::Block(mut block) => {
                    if let Some((inlines, label, _)) = caption_for_next.take()
                        && let Some(Some(assigned)) = attach_caption(&mut block, &inlines, label.as_deref())
                        && let Some(b) = label
                    {
                        self.caption_labels.insert(b, assigned);
                    }
                    out.push(block);
                }
            }
        }
        out
    }
}

/// Sets a figure's or table's caption, and its label from a bookmark in
/// the caption: `Some(label)`; `None` when the block is neither or has one.
fn attach_caption(block: &mut Block, inlines: &[Inline], bookmark: Option<&str>) -> Option<Option<String>> {
    let (content, _) = take_anchors(inlines.to_vec());
    let (caption, label, kind) = match &mut block.kind {
        BlockKind::Figure { caption, label, .. } if caption.is_empty() => (caption, label, "fig"),
        BlockKind::Table { caption, label, .. } if caption.is_empty() => (caption, label, "tbl"),
        _ => return None,
    };
    *caption = content;
    if let Some(b) = bookmark {
        *label = Some(figure_label(kind, b));
    }
    Some(label.clone())
}

/// The label of a figure or table whose caption holds the bookmark `b`
/// (Word's cross-references point at it): `fig-ref123`.
pub fn figure_label(kind: &str, bookmark: &str) -> String {
    let slug: String =
        bookmark.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>().to_ascii_lowercase();
    format!("{kind}-{}", if slug.is_empty() { "x".into() } else { slug })
}

fn build_list(run: &[ListPara], level: u8) -> Block {
    let first = &run[0];
    let mut items: Vec<ListItem> = Vec::new();
    let mut i = 0;
    while i < run.len() {
        let para = &run[i];
        if para.level <= level {
            match items.last_mut() {
                // A blank bullet's paragraph belongs to the item before.
                Some(item) if para.continuation => item.blocks.extend(para.blocks.iter().cloned()),
                _ => items.push(ListItem { task: para.task, blocks: para.blocks.clone() }),
            }
            i += 1;
        } else {
            let start = i;
            while i < run.len() && run[i].level > level {
                i += 1;
            }
            let nested = build_list(&run[start..i], run[start].level);
            match items.last_mut() {
                Some(item) => item.blocks.push(nested),
                None => items.push(ListItem { task: None, blocks: vec![nested] }),
            }
        }
    }
    let tight =
        items.iter().all(|i| i.blocks.iter().filter(|b| matches!(b.kind, BlockKind::Paragraph(_))).count() <= 1);
    Block { line: first.line, kind: BlockKind::List { start: first.ordered.then_some(first.number), tight, items } }
}

/// The text of a CSL field that may hold HTML-like markup (`<i>`).
fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A cell's blocks as one run of inlines (the model's cells hold inlines):
/// paragraphs on their own lines, list items after a bullet or number.
fn cell_inlines(blocks: &[Block]) -> Vec<Inline> {
    let mut out = Vec::new();
    let push_line = |out: &mut Vec<Inline>, inlines: Vec<Inline>| {
        if !out.is_empty() {
            out.push(Inline::LineBreak);
        }
        out.extend(inlines);
    };
    for block in blocks {
        match &block.kind {
            BlockKind::Paragraph(i) | BlockKind::Heading { content: i, .. } => push_line(&mut out, i.clone()),
            BlockKind::Figure { image, caption, .. } => {
                let mut i = vec![Inline::Image(image.clone())];
                if !caption.is_empty() {
                    i.push(Inline::Text(" ".into()));
                    i.extend(caption.clone());
                }
                push_line(&mut out, i)
            }
            BlockKind::List { start, items, .. } => {
                for (n, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(s) => format!("{}. ", s + n),
                        None => "• ".into(),
                    };
                    let mut i = vec![Inline::Text(marker)];
                    i.extend(cell_inlines(&item.blocks));
                    push_line(&mut out, i);
                }
            }
            BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => push_line(&mut out, cell_inlines(b)),
            BlockKind::DefinitionList { items, .. } => {
                for item in items {
                    let mut i = vec![Inline::Strong(item.term.clone()), Inline::Text(": ".into())];
                    i.extend(cell_inlines(&item.blocks));
                    push_line(&mut out, i);
                }
            }
            BlockKind::Code { code, .. } => push_line(&mut out, vec![Inline::Code(code.replace('\n', " "))]),
            BlockKind::Math { tex, typst } => {
                push_line(&mut out, vec![Inline::Math { tex: tex.clone(), display: false, typst: typst.clone() }])
            }
            BlockKind::Table { header, rows, .. } => {
                for row in std::iter::once(header).chain(rows) {
                    let mut line = Vec::new();
                    for (n, cell) in row.iter().filter(|c| !c.is_empty()).enumerate() {
                        if n > 0 {
                            line.push(Inline::Text(" · ".into()));
                        }
                        line.extend(cell.iter().map(|i| {
                            if matches!(i, Inline::LineBreak) { Inline::Text(" ".into()) } else { i.clone() }
                        }));
                    }
                    if !line.is_empty() {
                        push_line(&mut out, line);
                    }
                }
            }
            BlockKind::Anchor(ids) => out.extend(ids.iter().cloned().map(Inline::Anchor)),
            BlockKind::Rule => {}
        }
    }
    out
}

fn set_lines(block: &mut Block, line: usize) {
    block.line = line;
    match &mut block.kind {
        BlockKind::Quote(b) | BlockKind::Callout { blocks: b, .. } => b.iter_mut().for_each(|b| set_lines(b, line)),
        BlockKind::List { items, .. } => items.iter_mut().flat_map(|i| &mut i.blocks).for_each(|b| set_lines(b, line)),
        BlockKind::DefinitionList { items, .. } => {
            items.iter_mut().flat_map(|i| &mut i.blocks).for_each(|b| set_lines(b, line))
        }
        _ => {}
    }
}

/// The first words of a text, for a diagnostic: `The regulator…`.
pub fn first_words(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 40 {
        return text;
    }
    let cut: String = text.chars().take(40).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// The branch of `mc:AlternateContent` to read: the first `mc:Choice` that
/// holds something understood (a drawing, math, text), else `mc:Fallback`.
fn alternate<'a, 'i>(node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    let choice = node.children().find(|c| {
        c.is_element()
            && name(*c) == "Choice"
            && c.descendants().any(|d| d.is_element() && matches!(name(d), "drawing" | "oMath" | "t" | "p" | "r"))
    });
    choice.or_else(|| child(node, "Fallback"))
}

fn valid_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A character of Word's symbol fonts (`w:sym`), where it has a Unicode one.
fn symbol_font_char(font: &str, code: u32) -> Option<char> {
    let code = if (0xF000..=0xF0FF).contains(&code) { code - 0xF000 } else { code };
    if font.eq_ignore_ascii_case("symbol") {
        let c = match code {
            0x61..=0x7A => {
                const GREEK: &str = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ";
                return GREEK.chars().nth((code - 0x61) as usize);
            }
            0x41..=0x5A => {
                const GREEK: &str = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ";
                return GREEK.chars().nth((code - 0x41) as usize);
            }
            0xB3 => '≥',
            0xA3 => '≤',
            0xB9 => '≠',
            0xBB => '≈',
            0xB4 => '×',
            0xB1 => '±',
            0xAE => '→',
            0xAC => '←',
            0xA5 => '∞',
            0xB7 => '•',
            0xD7 => '·',
            0xE3 | 0xD3 => '©',
            0xE2 | 0xD2 => '®',
            0xE4 | 0xD4 => '™',
            _ => return char::from_u32(code).filter(|c| !c.is_control()),
        };
        return Some(c);
    }
    if font.to_ascii_lowercase().starts_with("wingdings") {
        return Some(match code {
            0xFC => '✓',
            0xFB => '✗',
            0xA7 | 0x9F => '▪',
            0x6C => '●',
            0xD8 => '➢',
            0xE0 => '→',
            _ => '•',
        });
    }
    char::from_u32(code).filter(|c| !c.is_control())
}

/// Leading anchors (and those anywhere in the inlines) taken out, for a
/// heading's or caption's text.
fn take_anchors(inlines: Vec<Inline>) -> (Vec<Inline>, Vec<String>) {
    let mut anchors = Vec::new();
    let rest = inlines
        .into_iter()
        .filter_map(|i| match i {
            Inline::Anchor(a) => {
                anchors.push(a);
                None
            }
            other => Some(other),
        })
        .collect();
    (rest, anchors)
}

/// A caption's text without Word's label (`Figure 1:`, `Table 2. `), which
/// the report numbers itself; the SEQ field's number was left out already.
fn strip_caption_label(mut inlines: Vec<Inline>) -> Vec<Inline> {
    let Some(pos) = inlines.iter().position(|i| !matches!(i, Inline::Anchor(_))) else { return inlines };
    if let Inline::Text(t) = &inlines[pos] {
        let trimmed = t.trim_start();
        for label in [
            "Figure",
            "Fig.",
            "Table",
            "Abbildung",
            "Tabelle",
            "Tableau",
            "Figura",
            "Tabla",
            "Рисунок",
            "Таблица",
            "图",
            "表",
            "الشكل",
            "الجدول",
            "Chart",
            "Graph",
            "Exhibit",
            "Illustration",
        ] {
            if let Some(rest) = trimmed.strip_prefix(label) {
                let rest = rest.trim_start_matches(|c: char| {
                    c.is_ascii_digit() || c.is_whitespace() || matches!(c, '.' | ':' | '-' | '–' | '—' | '：')
                });
                if rest.len() < trimmed.len() - label.len()
                    || rest.is_empty()
                    || rest.len() == trimmed.len() - label.len()
                {
                    inlines[pos] = Inline::Text(rest.to_string());
                }
                break;
            }
        }
    }
    trim_inlines(&mut inlines);
    inlines
}

fn strip_format(inlines: Vec<Inline>) -> Vec<Inline> {
    inlines
        .into_iter()
        .flat_map(|i| match i {
            Inline::Strong(c) | Inline::Emph(c) => strip_format(c),
            other => vec![other],
        })
        .collect()
}

fn split_authors(text: &str) -> Vec<String> {
    text.split([';', '\n'])
        .flat_map(|s| s.split(" and "))
        .map(|s| s.trim().trim_end_matches(',').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A code paragraph's text: every piece's text, breaks as new lines.
fn inlines_code_text(pieces: &[(Piece, Fmt)]) -> Vec<Inline> {
    let mut text = String::new();
    for (p, _) in pieces {
        match p {
            Piece::Text(t) => text.push_str(t),
            Piece::Break => text.push('\n'),
            _ => {}
        }
    }
    vec![Inline::Text(text)]
}

fn is_empty(inlines: &[Inline]) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::SoftBreak | Inline::LineBreak | Inline::Anchor(_) => true,
        other => other.children().is_some_and(is_empty) && !matches!(other, Inline::Link { .. }),
    })
}

/// Trims white space at both ends of a paragraph, and line breaks there.
fn trim_inlines(inlines: &mut Vec<Inline>) {
    while matches!(inlines.last(), Some(Inline::LineBreak | Inline::SoftBreak)) {
        inlines.pop();
    }
    while matches!(inlines.first(), Some(Inline::LineBreak | Inline::SoftBreak)) {
        inlines.remove(0);
    }
    if let Some(Inline::Text(t)) = inlines.iter_mut().find(|i| !matches!(i, Inline::Anchor(_))) {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = inlines.iter_mut().rev().find(|i| !matches!(i, Inline::Anchor(_))) {
        *t = t.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

/// Nested inlines from formatted pieces: adjacent pieces that share a
/// link, a language, bold, italic... are grouped under one element.
fn build_inlines(pieces: &[(Piece, Fmt)]) -> Vec<Inline> {
    group_by(pieces, 0)
}

fn group_by(pieces: &[(Piece, Fmt)], depth: usize) -> Vec<Inline> {
    type Key = fn(&Fmt) -> Option<String>;
    const KEYS: [Key; 7] = [
        |f| f.link.clone(),
        |f| f.lang.clone(),
        |f| f.bold.then(String::new),
        |f| f.italic.then(String::new),
        |f| f.strike.then(String::new),
        |f| f.sup.then(String::new),
        |f| f.sub.then(String::new),
    ];
    if depth == KEYS.len() {
        return leaves(pieces);
    }
    let key = KEYS[depth];
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let k = key(&pieces[i].1);
        let mut j = i + 1;
        while j < pieces.len() && key(&pieces[j].1) == k && !matches!(pieces[j].0, Piece::Note(_) | Piece::Anchor(_)) {
            j += 1;
        }
        // A note reference or anchor stays outside the formatting (a bold
        // word's note mark is not part of the word).
        let inner = group_by(&pieces[i..j], depth + 1);
        match k {
            None => out.extend(inner),
            // Spaces at the edges of bold, italic, struck or linked words
            // stand outside them (`*word* ` rather than `*word *`).
            Some(k) if depth != 1 && depth <= 4 => {
                let (lead, inner, trail) = hoist_spaces(inner);
                push_text(&mut out, lead);
                if !inner.is_empty() {
                    out.push(match depth {
                        0 => Inline::Link { dest: LinkDest::Unresolved(k), content: inner, line: 0, column: 1 },
                        2 => Inline::Strong(inner),
                        3 => Inline::Emph(inner),
                        _ => Inline::Strike(inner),
                    });
                }
                push_text(&mut out, trail);
            }
            Some(k) => out.push(match depth {
                0 => Inline::Link { dest: LinkDest::Unresolved(k), content: inner, line: 0, column: 1 },
                1 => Inline::Lang { lang: k, content: inner },
                2 => Inline::Strong(inner),
                3 => Inline::Emph(inner),
                4 => Inline::Strike(inner),
                5 => Inline::Sup(inner),
                _ => Inline::Sub(inner),
            }),
        }
        i = j;
    }
    out
}

/// The white space that opens and closes `inner`, taken out of it.
fn hoist_spaces(mut inner: Vec<Inline>) -> (String, Vec<Inline>, String) {
    let mut lead = String::new();
    if let Some(Inline::Text(t)) = inner.first_mut() {
        let kept = t.trim_start().len();
        lead = t[..t.len() - kept].to_string();
        t.drain(..t.len() - kept);
    }
    let mut trail = String::new();
    if let Some(Inline::Text(t)) = inner.last_mut() {
        let kept = t.trim_end().len();
        trail = t[kept..].to_string();
        t.truncate(kept);
    }
    inner.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    (lead, inner, trail)
}

/// Appends text, joined to the text before it.
fn push_text(out: &mut Vec<Inline>, text: String) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text(t)) => t.push_str(&text),
        _ => out.push(Inline::Text(text)),
    }
}

fn leaves(pieces: &[(Piece, Fmt)]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for (piece, fmt) in pieces {
        match piece {
            Piece::Text(t) if fmt.code => match out.last_mut() {
                Some(Inline::Code(c)) => c.push_str(t),
                _ => out.push(Inline::Code(t.clone())),
            },
            Piece::Text(t) => match out.last_mut() {
                Some(Inline::Text(c)) => c.push_str(t),
                _ => out.push(Inline::Text(t.clone())),
            },
            Piece::Break => out.push(Inline::LineBreak),
            Piece::Note(n) => out.push(Inline::FootnoteRef { number: *n, first: true }),
            Piece::Image(image) => out.push(Inline::Image(image.clone())),
            Piece::Math(tex, display) => out.push(Inline::Math { tex: tex.clone(), display: *display, typst: None }),
            Piece::Anchor(a) => out.push(Inline::Anchor(a.clone())),
        }
    }
    // Code spans are code only when they hold more than white space.
    for inline in &mut out {
        if let Inline::Code(c) = inline
            && c.trim().is_empty()
        {
            *inline = Inline::Text(c.clone());
        }
    }
    out
}
