//! Markdown → document model: one comrak configuration (CommonMark + GFM),
//! and a pure function from one article's text to its blocks.

use std::collections::HashMap;
use std::path::Path;

use comrak::nodes::{AlertType, AstNode, ListType, NodeValue, TableAlignment};
use comrak::{Arena, Options, parse_document};

use crate::diag::Diagnostic;
use crate::lint;
use crate::model::{
    Align, Block, BlockKind, CalloutKind, DefinitionItem, Footnote, Image, ImageSrc, Inline, LinkDest, ListItem,
};

/// The one comrak configuration of the project.
pub fn options() -> Options<'static> {
    let mut options = Options::default();
    let ext = &mut options.extension;
    ext.strikethrough = true;
    ext.table = true;
    ext.autolink = true;
    ext.tasklist = true;
    ext.footnotes = true;
    ext.alerts = true;
    ext.math_dollars = true;
    ext.math_code = true;
    // kramdown's and Pandoc's `Term` then `: definition`.
    ext.description_lists = true;
    // Keep unreferenced definitions, so they can be reported.
    options.parse.leave_footnote_definitions = true;
    options
}

/// How deep block nesting may go before the rest is flattened to text.
pub const MAX_DEPTH: usize = 12;

/// The result of converting one article's markdown.
#[derive(Debug, Default)]
pub struct Converted {
    /// The text of the first level-1 heading, if it was taken as the title.
    pub h1_title: Option<(Vec<Inline>, usize)>,
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    /// Heading slugs, in order.
    pub anchors: Vec<String>,
    pub warnings: Vec<Diagnostic>,
}

/// Converts `body` (markdown after the front matter) to blocks.
/// `line_offset` is added to comrak's 1-based lines; `path` names the file
/// in diagnostics. Without a `title` (from the front matter), the first
/// level-1 heading is the title and is left out of the body; with one, a
/// first level-1 heading equal to it is left out (not printed twice).
pub fn convert(body: &str, line_offset: usize, path: &Path, title: Option<&str>) -> Converted {
    let arena = Arena::new();
    let options = options();
    let root = parse_document(&arena, body, &options);
    let mut conv = Converter {
        path,
        body,
        line_starts: std::cell::OnceCell::new(),
        line_offset,
        warnings: Vec::new(),
        footnote_defs: HashMap::new(),
        footnote_numbers: HashMap::new(),
        footnotes: Vec::new(),
        anchorizer: comrak::Anchorizer::new(),
        anchors: Vec::new(),
        ids: HashMap::new(),
        min_level: 6,
        inline_lists: Vec::new(),
        toc_marker: false,
        pending_attrs: None,
        trailing_attrs: None,
        removed_syntax: false,
    };

    // Footnote definitions first, so references can be numbered on use.
    for node in root.descendants() {
        if let NodeValue::FootnoteDefinition(def) = &node.data().value {
            conv.footnote_defs.entry(def.name.clone()).or_insert(node);
        }
    }

    // The title: the first H1 when there is no front-matter title; an H1
    // that repeats the front-matter title is not printed twice.
    let mut skip = None;
    let mut h1_title = None;
    // Ids the title carries (`# Title {#id}`, `<a name>`): targets at the
    // top of the article.
    let mut title_ids = None;
    let first_h1 = root.children().find(|n| matches!(n.data().value, NodeValue::Heading(ref h) if h.level == 1));
    if let Some(h1) = first_h1 {
        match title {
            None => {
                let line = conv.line(h1);
                let (inlines, ids) = conv.title_inlines(h1);
                h1_title = Some((inlines, line));
                title_ids = Some(ids).filter(|ids| !ids.is_empty());
                skip = Some(h1 as *const AstNode);
            }
            Some(t) => {
                let is_first_block = root
                    .children()
                    .find(|n| !matches!(n.data().value, NodeValue::FootnoteDefinition(_)))
                    .is_some_and(|n| std::ptr::eq(n, h1));
                let mut inlines = conv.inlines_quiet(h1);
                let has_id = take_trailing_attrs(&mut inlines).is_some_and(|(a, _)| a.id.is_some());
                let text = crate::model::plain_text(&inlines);
                if is_first_block && normalize_ws(&text).eq_ignore_ascii_case(&normalize_ws(t)) {
                    skip = Some(h1 as *const AstNode);
                    // Its ids (`# Title {#id}`) still lead to the article's top.
                    if has_id || !take_anchors(&mut inlines).is_empty() {
                        let (_, ids) = conv.title_inlines(h1);
                        title_ids = Some(ids).filter(|ids| !ids.is_empty());
                    }
                }
            }
        }
    }

    for node in root.children() {
        if let NodeValue::Heading(h) = &node.data().value
            && skip != Some(node as *const AstNode)
        {
            conv.min_level = conv.min_level.min(h.level);
        }
    }

    let mut blocks = Vec::new();
    for node in root.children() {
        if skip == Some(node as *const AstNode) {
            continue;
        }
        conv.block(node, 0, &mut blocks);
    }
    if let Some(ids) = title_ids {
        blocks.insert(0, Block { line: 1, kind: BlockKind::Anchor(ids) });
    }
    conv.attach_table_captions(&mut blocks);

    // Footnotes that were defined but never referenced.
    let mut unused: Vec<_> = conv
        .footnote_defs
        .iter()
        .filter(|(name, _)| !conv.footnote_numbers.contains_key(*name))
        .map(|(name, node)| (conv.line(node), name.clone()))
        .collect();
    unused.sort();
    for (line, name) in unused {
        conv.warnings.push(
            Diagnostic::new(&lint::UNUSED_FOOTNOTE, format!("footnote `[^{name}]` is defined but never referenced"))
                .with_file(path)
                .with_line(line)
                .with_hint(format!("reference it with [^{name}] or remove the definition")),
        );
    }

    Converted { h1_title, blocks, footnotes: conv.footnotes, anchors: conv.anchors, warnings: conv.warnings }
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Converter<'a, 'p> {
    path: &'p Path,
    body: &'p str,
    /// Byte offset of each line of `body`, worked out for the first column
    /// asked for (most articles need none).
    line_starts: std::cell::OnceCell<Vec<usize>>,
    line_offset: usize,
    warnings: Vec<Diagnostic>,
    footnote_defs: HashMap<String, &'a AstNode<'a>>,
    footnote_numbers: HashMap<String, usize>,
    footnotes: Vec<Footnote>,
    anchorizer: comrak::Anchorizer,
    /// Every link target of the article (heading ids and slugs, figure and
    /// table labels, HTML and span ids), in order.
    anchors: Vec<String>,
    /// The same, with what each is and the line it is on (for duplicates).
    ids: HashMap<String, (&'static str, usize)>,
    min_level: u8,
    /// Open `<ul>`/`<ol>` in the inline HTML being read (lists in a table
    /// cell): ordered or not, and the items so far.
    inline_lists: Vec<(bool, usize)>,
    /// A kramdown `{:toc}` was read: the list it ends is the site's table of
    /// contents, which the report makes itself.
    toc_marker: bool,
    /// A kramdown attribute list on a line of its own, before the block it
    /// gives its attributes to (and where it was written).
    pending_attrs: Option<(Attrs, (usize, usize))>,
    /// One that ended the block being read (a table's last line).
    trailing_attrs: Option<(Attrs, (usize, usize))>,
    /// Liquid or kramdown syntax was taken out of the inlines being read.
    removed_syntax: bool,
}

impl<'a> Converter<'a, '_> {
    fn line(&self, node: &'a AstNode<'a>) -> usize {
        node.data().sourcepos.start.line + self.line_offset
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts
            .get_or_init(|| std::iter::once(0).chain(self.body.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// The 1-based column of `node`, in characters (comrak counts bytes).
    fn column(&self, node: &'a AstNode<'a>) -> usize {
        let pos = node.data().sourcepos.start;
        let Some(&start) = self.line_starts().get(pos.line.saturating_sub(1)) else { return pos.column.max(1) };
        let end = (start + pos.column.saturating_sub(1)).min(self.body.len());
        self.body.get(start..end).map_or(pos.column.max(1), |prefix| prefix.chars().count() + 1)
    }

    /// The column (in characters) of the first `needle` on `line`, or 1.
    fn column_of(&self, line: usize, needle: &str) -> usize {
        let index = line.saturating_sub(self.line_offset + 1);
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(index) else { return 1 };
        let end = line_starts.get(index + 1).copied().unwrap_or(self.body.len());
        let text = self.body.get(start..end).unwrap_or("");
        text.find(needle).map_or(1, |i| text[..i].chars().count() + 1)
    }

    /// Where `needle` is first written, from `line` on (a paragraph's text
    /// may continue over the next lines): (line, column); `(line, 1)` when
    /// it is not found.
    fn position_of(&self, line: usize, needle: &str) -> (usize, usize) {
        let line_starts = self.line_starts();
        let first = line.saturating_sub(self.line_offset + 1);
        for index in first..line_starts.len().min(first + 200) {
            let start = line_starts[index];
            let end = line_starts.get(index + 1).copied().unwrap_or(self.body.len());
            let text = self.body.get(start..end).unwrap_or("");
            if let Some(i) = text.find(needle) {
                return (index + self.line_offset + 1, text[..i].chars().count() + 1);
            }
        }
        (line, 1)
    }

    /// Reports a problem of the kind `lint` at `(line, column)`.
    fn report(&mut self, lint: &'static lint::Lint, (line, column): (usize, usize), message: String, hint: &str) {
        self.warnings.push(
            Diagnostic::new(lint, message).with_file(self.path).with_position(line, column).with_hint(hint.to_string()),
        );
    }

    /// Text, with its `@fig-name` and `@tbl-name` cross-references split
    /// out as links to be resolved; `node` is the text's node (its column
    /// is only worked out for a reference). Text is appended to a text
    /// right before it: comrak splits a run of text at `[`, `!`, `*`...
    fn text(&mut self, text: &str, node: &'a AstNode<'a>, out: &mut Vec<Inline>) {
        let mut plain = 0;
        for (i, _) in text.match_indices('@') {
            if i < plain || text[..i].chars().next_back().is_some_and(char::is_alphanumeric) {
                continue;
            }
            let Some(label) = ref_label(&text[i + 1..]) else { continue };
            push_text(out, &text[plain..i]);
            out.push(Inline::Link {
                dest: LinkDest::Ref(label.to_string()),
                content: vec![Inline::Text(format!("@{label}"))],
                line: self.line(node),
                column: self.column(node) + text[..i].chars().count(),
            });
            plain = i + 1 + label.len();
        }
        push_text(out, &text[plain..]);
    }

    /// Claims `id` as a link target of the article: `false` (and a
    /// warning) when another place already has it.
    fn claim(&mut self, id: &str, what: &'static str, at: (usize, usize)) -> bool {
        if let Some(&(first, line)) = self.ids.get(id) {
            self.report(
                &lint::DUPLICATE_ANCHOR,
                at,
                format!("the {what} id `{id}` is already the id of a {first} on line {line}"),
                &format!("give each place its own id; links to `#{id}` go to the {first}"),
            );
            return false;
        }
        self.ids.insert(id.to_string(), (what, at.0));
        self.anchors.push(id.to_string());
        true
    }

    /// A heading's GitHub-style slug, unique among the article's ids.
    fn slug(&mut self, text: &str, line: usize) -> String {
        let mut slug = self.anchorizer.anchorize(text);
        while self.ids.contains_key(&slug) {
            slug = self.anchorizer.anchorize(text);
        }
        self.ids.insert(slug.clone(), ("heading", line));
        self.anchors.push(slug.clone());
        slug
    }

    /// Checks a figure's or table's attributes: its label, or an id that is
    /// only a link target.
    fn label(&mut self, attrs: Attrs, kind: LabelKind, at: (usize, usize)) -> Labelled {
        let what = if kind == LabelKind::Figure { "figure" } else { "table" };
        let ignored = attrs.ignored();
        if !ignored.is_empty() {
            self.report(
                &lint::IGNORED_ATTRIBUTE,
                at,
                format!("the {what} attributes `{}` are ignored", ignored.join(" ")),
                &format!("only a label is understood: {{#{}name}}", kind.prefix()),
            );
        }
        let Some(id) = attrs.anchor_ids().into_iter().next() else { return Labelled::None };
        let valid =
            id.strip_prefix(kind.prefix()).is_some_and(|rest| !rest.is_empty() && rest.chars().all(is_label_char));
        if !self.claim(&id, what, at) {
            return Labelled::None;
        }
        if !valid {
            self.report(
                &lint::INVALID_LABEL,
                at,
                format!("`{{#{id}}}` is not a {what} label; it is kept as a link target"),
                &format!(
                    "a {what} label is `{}` followed by letters, digits, `-` or `_`, e.g. {{#{}overview}}; \
                     refer to it with @{}overview",
                    kind.prefix(),
                    kind.prefix(),
                    kind.prefix()
                ),
            );
            return Labelled::Anchor(id);
        }
        Labelled::Label(id)
    }

    /// Warns about the attributes a reader would miss (kramdown's `title`;
    /// other classes and keys are another site's styling).
    fn report_ignored(&mut self, attrs: &Attrs, at: (usize, usize)) {
        if !attrs.kramdown {
            return;
        }
        let ignored = attrs.ignored();
        if !ignored.is_empty() {
            self.report(
                &lint::IGNORED_ATTRIBUTE,
                at,
                format!("the attributes `{}` are ignored: a reader will not see them", ignored.join(" ")),
                "put what they say in the text",
            );
        }
    }

    /// A paragraph made only of kramdown attribute lists, one a line (`{:
    /// .no_toc}` under a heading): their attributes together.
    fn attribute_lines(&self, node: &'a AstNode<'a>) -> Option<Attrs> {
        let pos = node.data().sourcepos;
        let starts = self.line_starts();
        let mut all: Option<Attrs> = None;
        for index in pos.start.line.saturating_sub(1)..pos.end.line {
            let start = *starts.get(index)?;
            let end = starts.get(index + 1).copied().unwrap_or(self.body.len());
            let text = self.body.get(start..end)?.trim();
            let attrs = parse_attr_block(text).filter(|a| a.kramdown)?;
            let merged = all.get_or_insert_with(|| Attrs { kramdown: true, ..Attrs::default() });
            if attrs.id.is_some() {
                merged.id = attrs.id;
            }
            merged.classes.extend(attrs.classes);
            merged.pairs.extend(attrs.pairs);
            merged.refs.extend(attrs.refs);
        }
        all
    }

    /// Gives kramdown block attributes to `out[target]` (none: they stand
    /// alone): ids and names become link targets (a heading's first its
    /// id), `.no_toc` and `.unnumbered` apply to a heading, `{:toc}` drops
    /// the site's table of contents; the rest goes quietly, but what a
    /// reader would miss.
    fn block_attrs(&mut self, attrs: Attrs, at: (usize, usize), out: &mut Vec<Block>, target: Option<usize>) {
        self.report_ignored(&attrs, at);
        if attrs.refs.iter().any(|r| r == "toc") {
            if let Some(t) = target
                && matches!(out[t].kind, BlockKind::List { .. })
            {
                out.remove(t);
            }
            return;
        }
        let mut ids = Vec::new();
        for id in attrs.anchor_ids() {
            if self.claim(&id, "block", at) {
                ids.push(id);
            }
        }
        if let Some(t) = target
            && let BlockKind::Heading { id, numbered, listed, .. } = &mut out[t].kind
        {
            *numbered &= !attrs.unnumbered();
            *listed &= !attrs.unlisted();
            if let Some(first) = ids.first_mut() {
                // The heading's id; the one it had still leads there.
                std::mem::swap(id, first);
            }
        }
        if !ids.is_empty() {
            let index = target.unwrap_or(out.len());
            out.insert(index, Block { line: at.0, kind: BlockKind::Anchor(ids) });
        }
    }

    /// Takes Liquid out of the texts of `inlines`, with a warning for each
    /// tag or expression.
    fn strip_liquid(&mut self, inlines: &mut [Inline], line: usize) {
        for inline in inlines.iter_mut() {
            if let Inline::Text(t) = inline
                && crate::input::liquid::has_liquid(t)
            {
                *t = self.without_liquid(t, line);
            }
        }
    }

    /// `text` without its Liquid, each tag or expression reported where it
    /// is written (from `line` on).
    fn without_liquid(&mut self, text: &str, line: usize) -> String {
        let Some((kept, removed)) = crate::input::liquid::strip(text) else { return text.to_string() };
        self.removed_syntax = true;
        for r in removed {
            let at = self.position_of(line, &r.source);
            self.report(&lint::LIQUID_TEMPLATE, at, r.message(), crate::input::liquid::HINT);
        }
        kept
    }

    /// kramdown's span attributes, `{: #id .class key="v"}` after a span
    /// (and the block attributes that end a paragraph's line): taken out of
    /// the text; ids and names become link targets before the span, `lang`
    /// marks its language, `{:toc}` is noted. Those that end the inlines
    /// may be kept for the block (`keep`).
    fn kramdown_spans(&mut self, inlines: Vec<Inline>, node: &'a AstNode<'a>, keep: Keep) -> Vec<Inline> {
        if !inlines.iter().any(|i| matches!(i, Inline::Text(t) if t.contains("{:"))) {
            return inlines;
        }
        let count = inlines.len();
        let mut out: Vec<Inline> = Vec::with_capacity(count);
        let mut removed = false;
        for (n, inline) in inlines.into_iter().enumerate() {
            let Inline::Text(text) = inline else {
                out.push(inline);
                continue;
            };
            let mut rest = text.as_str();
            while let Some(open) = rest.find("{:") {
                let close = rest[open..].find('}').map(|c| open + c + 1);
                let attrs = close.and_then(|c| parse_attr_block(&rest[open..c]));
                let (Some(close), Some(attrs)) = (close, attrs) else {
                    push_text(&mut out, &rest[..open + 2]);
                    rest = &rest[open + 2..];
                    continue;
                };
                let before = &rest[..open];
                let after_span = before.is_empty()
                    && out
                        .last()
                        .is_some_and(|i| !matches!(i, Inline::Text(_) | Inline::SoftBreak | Inline::LineBreak));
                let at_end = n + 1 == count && rest[close..].trim().is_empty();
                let kept = match keep {
                    Keep::AfterImage => after_span && matches!(out.last(), Some(Inline::Image(_))),
                    Keep::AtEnd => true,
                    Keep::None => false,
                };
                if at_end && kept {
                    break;
                }
                push_text(&mut out, before);
                let raw = rest[open..close].to_string();
                rest = &rest[close..];
                removed = true;
                let at = self.position_of(self.line(node), &raw);
                self.report_ignored(&attrs, at);
                if attrs.refs.iter().any(|r| r == "toc") {
                    self.toc_marker = true;
                }
                let element = if after_span { out.len() - 1 } else { out.len() };
                if after_span
                    && let Some((_, lang)) = attrs.pairs.iter().find(|(k, _)| k == "lang")
                    && crate::config::is_language_tag(lang)
                {
                    let content = out.split_off(element);
                    out.push(Inline::Lang { lang: lang.clone(), content });
                }
                for id in attrs.anchor_ids().into_iter().rev() {
                    if self.claim(&id, "span", at) {
                        out.insert(element, Inline::Anchor(id));
                    }
                }
            }
            push_text(&mut out, rest);
        }
        if removed {
            self.removed_syntax = true;
            tidy_ends(&mut out);
        }
        out
    }

    /// Warns about label syntax left in a paragraph: it labels nothing.
    fn stray_labels(&mut self, inlines: &[Inline], line: usize, node: &'a AstNode<'a>) {
        if caption_prefix(inlines).is_some() {
            return; // a table caption: its label is taken when attached
        }
        for inline in inlines {
            let Inline::Text(t) = inline else { continue };
            if !t.contains('{') {
                continue; // most text: one memchr instead of two substring searches
            }
            for prefix in ["{#fig-", "{#tbl-"] {
                if let Some(i) = t.find(prefix) {
                    let end = t[i..].find('}').map_or(t.len(), |e| i + e + 1);
                    let found = &t[i..end];
                    let col = self.column_of(line, found);
                    self.report(
                        &lint::STRAY_LABEL,
                        (line, if col > 1 { col } else { self.column(node) }),
                        format!("the label `{found}` is not attached to a figure or table and is shown as text"),
                        "a figure label goes right after an image that stands alone in its paragraph: \
                         ![alt](file.png \"Caption\"){#fig-name}; a table label ends its caption line: \
                         Table: Caption {#tbl-name}",
                    );
                }
            }
        }
    }

    /// Pandoc's table captions: a paragraph starting with `Table:` or `: `
    /// right after (or, failing that, right before) a table becomes its
    /// caption; a `{#tbl-name}` at its end labels the table.
    fn attach_table_captions(&mut self, blocks: &mut Vec<Block>) {
        let mut i = 0;
        while i < blocks.len() {
            if matches!(blocks[i].kind, BlockKind::Table { .. }) {
                let after = blocks.get(i + 1).and_then(caption_of);
                let before = if after.is_none() && i > 0 { caption_of(&blocks[i - 1]) } else { None };
                let found = match (after, before) {
                    (Some(c), _) => Some((c, i + 1)),
                    (None, Some(c)) => Some((c, i - 1)),
                    _ => None,
                };
                if let Some((mut c, remove)) = found {
                    let caption_line = blocks[remove].line;
                    let labelled = match take_trailing_attrs(&mut c) {
                        Some((attrs, raw)) => {
                            let col = self.column_of(caption_line, &raw);
                            self.label(attrs, LabelKind::Table, (caption_line, col))
                        }
                        None => Labelled::None,
                    };
                    let (label, anchor) = labelled.split();
                    if let BlockKind::Table { caption, label: slot, .. } = &mut blocks[i].kind {
                        *caption = c;
                        *slot = label;
                    }
                    blocks.remove(remove);
                    if remove < i {
                        i -= 1;
                    }
                    if let Some(id) = anchor {
                        blocks.insert(i, Block { line: caption_line, kind: BlockKind::Anchor(vec![id]) });
                        i += 1;
                    }
                }
            }
            i += 1;
        }
    }

    fn blocks_of(&mut self, node: &'a AstNode<'a>, depth: usize) -> Vec<Block> {
        let mut out = Vec::new();
        for child in node.children() {
            self.block(child, depth + 1, &mut out);
        }
        out
    }

    fn block(&mut self, node: &'a AstNode<'a>, depth: usize, out: &mut Vec<Block>) {
        // Attributes written on the line before this block are its own.
        let pending = self.pending_attrs.take();
        self.block_kind(node, depth, out);
        if let Some((attrs, at)) = pending.or_else(|| self.trailing_attrs.take()) {
            let target = out.len().checked_sub(1);
            self.block_attrs(attrs, at, out, target);
        }
    }

    fn block_kind(&mut self, node: &'a AstNode<'a>, depth: usize, out: &mut Vec<Block>) {
        let line = self.line(node);
        // The column is worked out only for a warning or an image.
        let column = |conv: &Self| conv.column(node);
        if depth > MAX_DEPTH {
            // Deeper nesting is flattened to its text: no stack overflow, nothing lost.
            if depth == MAX_DEPTH + 1 {
                self.report(
                    &lint::DEEP_NESTING,
                    (line, column(self)),
                    format!("blocks nested more than {MAX_DEPTH} levels deep are flattened"),
                    "reduce the nesting of quotes or lists",
                );
            }
            let mut text = String::new();
            collect_text(node, &mut text);
            if !text.trim().is_empty() {
                out.push(Block { line, kind: BlockKind::Paragraph(vec![Inline::Text(text.trim().to_string())]) });
            }
            return;
        }
        let data = node.data();
        let kind = match &data.value {
            NodeValue::Paragraph => match self.paragraph(node, line, out) {
                Some(kind) => kind,
                None => return,
            },
            NodeValue::Heading(h) => {
                let mut content = self.inlines(node);
                let attrs = take_trailing_attrs(&mut content);
                let mut hoisted = take_anchors(&mut content);
                let slug = self.slug(&crate::model::plain_text(&content), line);
                let mut id = slug.clone();
                let (mut numbered, mut listed) = (true, true);
                if let Some((attrs, raw)) = attrs {
                    numbered = !attrs.unnumbered();
                    listed = !attrs.unlisted();
                    let at = (line, self.column_of(line, &raw));
                    self.report_ignored(&attrs, at);
                    let own = slug.clone();
                    let mut ids = attrs.anchor_ids().into_iter().filter(move |i| *i != own);
                    if let Some(explicit) = ids.next()
                        && self.claim(&explicit, "heading", at)
                    {
                        // The id is the heading's; its slug still leads there.
                        id = explicit;
                        hoisted.push(slug);
                    }
                    for other in ids {
                        if self.claim(&other, "heading", at) {
                            hoisted.push(other);
                        }
                    }
                }
                if !hoisted.is_empty() {
                    out.push(Block { line, kind: BlockKind::Anchor(hoisted) });
                }
                let level = (h.level.saturating_sub(self.min_level) + 1).clamp(1, 6);
                BlockKind::Heading { level, id, numbered, listed, content }
            }
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => BlockKind::Quote(self.blocks_of(node, depth)),
            NodeValue::Alert(alert) => {
                let kind = match alert.alert_type {
                    AlertType::Note => CalloutKind::Note,
                    AlertType::Tip => CalloutKind::Tip,
                    AlertType::Important => CalloutKind::Important,
                    AlertType::Warning => CalloutKind::Warning,
                    AlertType::Caution => CalloutKind::Caution,
                };
                BlockKind::Callout { kind, title: alert.title.clone(), blocks: self.blocks_of(node, depth) }
            }
            NodeValue::List(list) => {
                let start = match list.list_type {
                    ListType::Bullet => None,
                    ListType::Ordered => Some(list.start),
                };
                let mut items = Vec::new();
                let outer_toc = std::mem::take(&mut self.toc_marker);
                for item in node.children() {
                    let task = match &item.data().value {
                        NodeValue::TaskItem(t) => Some(t.symbol.is_some_and(|c| c != ' ')),
                        _ => None,
                    };
                    items.push(ListItem { task, blocks: self.blocks_of(item, depth) });
                }
                // `* TOC\n{:toc}`: the site's table of contents, which the
                // report's own contents replaces.
                if std::mem::replace(&mut self.toc_marker, outer_toc) {
                    return;
                }
                BlockKind::List { start, tight: list.tight, items }
            }
            NodeValue::CodeBlock(code) => {
                let info = code.info.trim();
                let lang = info
                    .split_whitespace()
                    .next()
                    .map(|s| s.trim_matches(['{', '}', '.']).to_string())
                    .filter(|s| !s.is_empty());
                if lang.as_deref() == Some("math") {
                    let typst = self.math(&code.literal, (line + 1, 1));
                    BlockKind::Math { tex: code.literal.trim_end().to_string(), typst }
                } else {
                    let mut literal = code.literal.clone();
                    if literal.ends_with('\n') {
                        literal.pop();
                    }
                    BlockKind::Code { lang, code: literal }
                }
            }
            NodeValue::HtmlBlock(html) => match self.html_block(node, &html.literal, line, out) {
                Some(kind) => kind,
                None => return,
            },
            NodeValue::ThematicBreak => BlockKind::Rule,
            NodeValue::Table(table) => {
                let align = table
                    .alignments
                    .iter()
                    .map(|a| match a {
                        TableAlignment::None => Align::None,
                        TableAlignment::Left => Align::Left,
                        TableAlignment::Center => Align::Center,
                        TableAlignment::Right => Align::Right,
                    })
                    .collect::<Vec<_>>();
                let mut header = Vec::new();
                let mut rows = Vec::new();
                for row in node.children() {
                    // A kramdown attribute list right after a table is read
                    // as its last row: it is the table's attributes.
                    if row.next_sibling().is_none()
                        && let Some(attrs) = self.attribute_lines(row)
                    {
                        let at_line = self.line(row);
                        self.trailing_attrs = Some((attrs, (at_line, self.column_of(at_line, "{:"))));
                        continue;
                    }
                    let is_header = matches!(row.data().value, NodeValue::TableRow(true));
                    let mut cells: Vec<Vec<Inline>> = row.children().map(|c| self.inlines(c)).collect();
                    cells.resize(align.len(), Vec::new());
                    if is_header {
                        header = cells;
                    } else {
                        rows.push(cells);
                    }
                }
                BlockKind::Table { align, header, rows, caption: Vec::new(), label: None, number: None }
            }
            NodeValue::FootnoteDefinition(_) => return,
            NodeValue::DescriptionList => match self.definition_list(node, depth, out) {
                Some(kind) => kind,
                None => return,
            },
            NodeValue::DescriptionItem(_) | NodeValue::DescriptionTerm | NodeValue::DescriptionDetails => {
                out.extend(self.blocks_of(node, depth));
                return;
            }
            NodeValue::Document | NodeValue::FrontMatter(_) => return,
            _ => {
                // Any other block: keep its text.
                let mut text = String::new();
                collect_text(node, &mut text);
                if text.trim().is_empty() {
                    return;
                }
                BlockKind::Paragraph(vec![Inline::Text(text)])
            }
        };
        out.push(Block { line, kind });
    }

    /// A definition list: each term (the inlines of its paragraphs) and
    /// what defines it; a term's second definition continues its first.
    /// A last definition set apart by a blank line right before a table
    /// is that table's caption (Pandoc's `: Caption`), its term a paragraph.
    fn definition_list(&mut self, node: &'a AstNode<'a>, depth: usize, out: &mut Vec<Block>) -> Option<BlockKind> {
        let mut items: Vec<DefinitionItem> = Vec::new();
        let mut tight = true;
        let mut caption = None;
        // (Captions are attached to top-level tables only.)
        let before_table =
            depth == 0 && node.next_sibling().is_some_and(|n| matches!(n.data().value, NodeValue::Table(_)));
        let count = node.children().count();
        for (n, item) in node.children().enumerate() {
            let NodeValue::DescriptionItem(d) = &item.data().value else { continue };
            let item_tight = d.tight;
            let mut term: Option<Vec<Inline>> = None;
            let mut term_line = self.line(item);
            let mut blocks = Vec::new();
            for part in item.children() {
                match &part.data().value {
                    NodeValue::DescriptionTerm => {
                        let mut inlines = Vec::new();
                        for p in part.children() {
                            if !inlines.is_empty() {
                                inlines.push(Inline::SoftBreak);
                            }
                            inlines.extend(self.inlines(p));
                        }
                        term_line = self.line(part);
                        term = Some(inlines);
                    }
                    NodeValue::DescriptionDetails => blocks.extend(self.blocks_of(part, depth)),
                    _ => {}
                }
            }
            if n + 1 == count
                && before_table
                && !item_tight
                && let (Some(t), [Block { kind: BlockKind::Paragraph(p), line }]) = (&term, blocks.as_slice())
            {
                let mut text = vec![Inline::Text(": ".into())];
                text.extend(p.iter().cloned());
                caption = Some((t.clone(), term_line, merge_text(text), *line));
                continue;
            }
            tight &= item_tight;
            match (term, items.last_mut()) {
                (None, Some(previous)) => previous.blocks.extend(blocks),
                (term, _) => items.push(DefinitionItem { term: term.unwrap_or_default(), blocks }),
            }
        }
        let list = (!items.is_empty()).then_some(BlockKind::DefinitionList { tight, items });
        let Some((term, term_line, text, line)) = caption else { return list };
        if let Some(kind) = list {
            out.push(Block { line: self.line(node), kind });
        }
        out.push(Block { line: term_line, kind: BlockKind::Paragraph(term) });
        out.push(Block { line, kind: BlockKind::Paragraph(text) });
        None
    }

    /// A paragraph: a figure when it holds only an image (with its
    /// attributes); `None` when it is empty.
    fn paragraph(&mut self, node: &'a AstNode<'a>, line: usize, out: &mut Vec<Block>) -> Option<BlockKind> {
        if let Some(attrs) = self.attribute_lines(node) {
            // kramdown's block attributes: on the line after a block they
            // are its own, on the line before the next one that one's.
            let at = (line, self.column_of(line, "{:"));
            let start = node.data().sourcepos.start.line;
            let end = node.data().sourcepos.end.line;
            let after_previous = node.previous_sibling().is_some_and(|p| p.data().sourcepos.end.line + 1 == start);
            let before_next = node.next_sibling().is_some_and(|n| n.data().sourcepos.start.line == end + 1);
            if !after_previous && before_next {
                self.pending_attrs = Some((attrs, at));
            } else {
                let target = if after_previous { out.len().checked_sub(1) } else { None };
                self.block_attrs(attrs, at, out, target);
            }
            return None;
        }
        self.removed_syntax = false;
        let inlines = self.inlines(node);
        if inlines.is_empty() {
            return None;
        }
        // Nothing left once Liquid or attributes were taken out: no paragraph.
        if std::mem::take(&mut self.removed_syntax) && !shows_something(&inlines) {
            let ids: Vec<String> = take_anchors(&mut inlines.clone());
            if !ids.is_empty() {
                out.push(Block { line, kind: BlockKind::Anchor(ids) });
            }
            return None;
        }
        // A paragraph holding only an image is a figure.
        let non_space: Vec<&Inline> = inlines
            .iter()
            .filter(|i| {
                !matches!(i, Inline::SoftBreak | Inline::LineBreak)
                    && !matches!(i, Inline::Text(t) if t.trim().is_empty())
            })
            .collect();
        let attr = match non_space.as_slice() {
            [Inline::Image(image)] => Some((image, None)),
            [Inline::Image(image), Inline::Text(t)] => parse_attr_block(t.trim()).map(|a| (image, Some(a))),
            _ => None,
        };
        if let Some((image, attr)) = attr {
            let labelled = match attr {
                Some(a) => self.label(a, LabelKind::Figure, (image.line, image.column)),
                None => Labelled::None,
            };
            let (label, anchor) = labelled.split();
            if let Some(id) = anchor {
                out.push(Block { line, kind: BlockKind::Anchor(vec![id]) });
            }
            // The title is the caption; a labelled figure without one
            // takes its alt text, as Pandoc and Quarto do.
            let caption = match (&image.title, &label) {
                (Some(t), _) => vec![Inline::Text(t.clone())],
                (None, Some(_)) if !image.alt.trim().is_empty() => vec![Inline::Text(image.alt.clone())],
                _ => Vec::new(),
            };
            Some(BlockKind::Figure { image: (*image).clone(), caption, label, number: None })
        } else {
            // Attributes after an image were left for a figure: this is none.
            let inlines = self.kramdown_spans(inlines, node, Keep::None);
            self.stray_labels(&inlines, line, node);
            Some(BlockKind::Paragraph(inlines))
        }
    }

    /// A block of raw HTML: an image is a figure, ids are anchors, a
    /// `<details>` wrapper shows its summary; other tags are dropped with a
    /// warning and their text kept. `None` when nothing is left.
    fn html_block(
        &mut self,
        node: &'a AstNode<'a>,
        literal: &str,
        line: usize,
        out: &mut Vec<Block>,
    ) -> Option<BlockKind> {
        let literal = literal.trim();
        if is_comment(literal) {
            return None;
        }
        // Images in raw HTML keep their meaning; other tags are dropped, their text kept.
        if let Some(image) = html_img(literal, line, self.column(node)) {
            if let Some((message, hint)) = missing_alt_text(&image) {
                self.report(&lint::MISSING_ALT_TEXT, (image.line, image.column), message, hint);
            }
            let caption = image.title.clone().map(|t| vec![Inline::Text(t)]).unwrap_or_default();
            out.push(Block { line, kind: BlockKind::Figure { image, caption, label: None, number: None } });
            return None;
        }
        // Elements with an `id` (and `<a name>`) are link targets;
        // a block of nothing else is no loss.
        let (ids, only_anchors) = html_ids(literal);
        let mut kept = Vec::new();
        for id in ids {
            let at = (line, self.column_of(line, &id).max(self.column(node)));
            if self.claim(&id, "HTML", at) {
                kept.push(id);
            }
        }
        if !kept.is_empty() {
            out.push(Block { line, kind: BlockKind::Anchor(kept) });
        }
        // `<details>` is shown open, its `<summary>` in bold; layout
        // wrappers (`<center>`, `<div align>`) lose nothing in print.
        if let Some(summary) = wrappers_only(literal) {
            if !summary.trim().is_empty() {
                let summary = vec![Inline::Strong(vec![Inline::Text(normalize_ws(&summary))])];
                out.push(Block { line, kind: BlockKind::Paragraph(summary) });
            }
            return None;
        }
        let text = self.without_liquid(&html_text(literal), line);
        if !only_anchors {
            self.report(
                &lint::RAW_HTML,
                (line, self.column(node)),
                "raw HTML block: its tags are left out and its text is kept".into(),
                "write the content in markdown so it appears the same in the PDF and the EPUB",
            );
        }
        if text.trim().is_empty() {
            return None;
        }
        Some(BlockKind::Paragraph(vec![Inline::Text(normalize_ws(&text))]))
    }

    /// LaTeX math converted to Typst math, once; what cannot be converted
    /// is an error here, with its position, rather than a typesetting
    /// failure later.
    fn math(&mut self, tex: &str, (line, column): (usize, usize)) -> Option<String> {
        crate::input::math::to_typst(tex)
            .map_err(|why| {
                self.report(
                    &lint::UNKNOWN_MATH,
                    (line, column),
                    format!("cannot typeset the math `{}`: {why}", tex.trim()),
                    "use LaTeX math that typst can show (docs/articles.md lists it), or put it in a code span",
                )
            })
            .ok()
    }

    /// The inline children of `node`.
    fn inlines(&mut self, node: &'a AstNode<'a>) -> Vec<Inline> {
        let children: Vec<&'a AstNode<'a>> = node.children().collect();
        let mut out = Vec::new();
        // Inline lists end with their paragraph or cell, closed or not.
        let lists = std::mem::take(&mut self.inline_lists);
        self.inline_seq(&children, &mut out, 0);
        self.inline_lists = lists;
        self.finish_inlines(out, node)
    }

    /// Merged texts, with bracketed spans' ids claimed as link targets.
    fn finish_inlines(&mut self, out: Vec<Inline>, node: &'a AstNode<'a>) -> Vec<Inline> {
        let (mut ids, mut bad_langs) = (Vec::new(), Vec::new());
        let mut out = bracketed_spans(merge_text(out), &mut ids, &mut bad_langs);
        self.strip_liquid(&mut out, self.line(node));
        let keep = match node.data().value {
            NodeValue::Paragraph => Keep::AfterImage,
            NodeValue::Heading(_) => Keep::AtEnd,
            _ => Keep::None,
        };
        let mut out = self.kramdown_spans(out, node, keep);
        for lang in bad_langs {
            let at = self.position_of(self.line(node), &format!("lang={lang}"));
            self.report(
                &lint::IGNORED_ATTRIBUTE,
                at,
                format!("`lang={lang}` is not a language tag; the passage is left in the article's language"),
                "write a BCP 47 tag, e.g. {lang=fr} or {lang=pt-BR}",
            );
        }
        for id in ids {
            let at = self.position_of(self.line(node), &format!("{{#{id}"));
            if !self.claim(&id, "span", at) {
                let duplicate = out.iter().position(|i| matches!(i, Inline::Anchor(a) if *a == id));
                if let Some(index) = duplicate {
                    out.remove(index);
                }
            }
        }
        out
    }

    /// A level-1 heading taken as the title: its inlines, and the ids it
    /// carries (`{#id}`, `<a name>`), which lead to the article's top.
    fn title_inlines(&mut self, node: &'a AstNode<'a>) -> (Vec<Inline>, Vec<String>) {
        let line = self.line(node);
        let mut inlines = self.inlines(node);
        let attrs = take_trailing_attrs(&mut inlines);
        let mut ids = take_anchors(&mut inlines);
        if let Some((Attrs { id: Some(id), .. }, raw)) = attrs {
            let at = (line, self.column_of(line, &raw));
            if self.claim(&id, "title", at) {
                ids.push(id);
            }
        }
        (inlines, ids)
    }

    /// Like `inlines`, without side effects on footnotes, ids or warnings.
    fn inlines_quiet(&mut self, node: &'a AstNode<'a>) -> Vec<Inline> {
        let (w, n, f) = (self.warnings.len(), self.footnote_numbers.clone(), self.footnotes.len());
        let (ids, anchors) = (self.ids.clone(), self.anchors.len());
        let out = self.inlines(node);
        self.warnings.truncate(w);
        self.footnote_numbers = n;
        self.footnotes.truncate(f);
        self.ids = ids;
        self.anchors.truncate(anchors);
        out
    }

    fn inline_seq(&mut self, nodes: &[&'a AstNode<'a>], out: &mut Vec<Inline>, depth: usize) {
        let mut i = 0;
        while i < nodes.len() {
            let node = nodes[i];
            // Borrowed, not cloned: the arena is only read while converting.
            let data = node.data();
            if let NodeValue::HtmlInline(html) = &data.value {
                i += self.inline_html(html, nodes, i, out, depth);
                continue;
            }
            self.inline(node, &data.value, out, depth);
            i += 1;
        }
    }

    fn children_inlines(&mut self, node: &'a AstNode<'a>, depth: usize) -> Vec<Inline> {
        let children: Vec<&'a AstNode<'a>> = node.children().collect();
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            let mut text = String::new();
            collect_text(node, &mut text);
            out.push(Inline::Text(text));
        } else {
            self.inline_seq(&children, &mut out, depth + 1);
        }
        self.finish_inlines(out, node)
    }

    fn inline(&mut self, node: &'a AstNode<'a>, value: &NodeValue, out: &mut Vec<Inline>, depth: usize) {
        // Counting a column's characters costs a scan of the line: only
        // the inlines that keep a position (or may warn) take it.
        let at = |conv: &Self| (conv.line(node), conv.column(node));
        match value {
            NodeValue::Text(t) => self.text(t, node, out),
            NodeValue::Code(c) => out.push(Inline::Code(c.literal.clone())),
            NodeValue::Emph => out.push(Inline::Emph(self.children_inlines(node, depth))),
            NodeValue::Strong => out.push(Inline::Strong(self.children_inlines(node, depth))),
            NodeValue::Strikethrough => out.push(Inline::Strike(self.children_inlines(node, depth))),
            NodeValue::Superscript => out.push(Inline::Sup(self.children_inlines(node, depth))),
            NodeValue::Subscript => out.push(Inline::Sub(self.children_inlines(node, depth))),
            NodeValue::SoftBreak => out.push(Inline::SoftBreak),
            NodeValue::LineBreak => out.push(Inline::LineBreak),
            NodeValue::Link(link) => {
                let content = self.children_inlines(node, depth);
                let (line, column) = at(self);
                if !shows_something(&content) && names_anchor(node.next_sibling()) {
                    // `[](#x){:name="x"}`: kramdown's way to set an anchor.
                    return;
                }
                if !shows_something(&content) {
                    // `[](url)`: nothing to click, and no name for a screen reader.
                    self.report(
                        &lint::EMPTY_LINK,
                        (line, column),
                        format!("link to `{}` has no text; it is left out", link.url),
                        "give the link its text: [text](url)",
                    );
                    return;
                }
                out.push(Inline::Link { dest: LinkDest::Unresolved(link.url.clone()), content, line, column });
            }
            NodeValue::Image(link) => {
                let alt = crate::model::plain_text(&self.children_inlines(node, depth));
                let (line, column) = at(self);
                if alt.trim().is_empty() {
                    self.report(
                        &lint::MISSING_ALT_TEXT,
                        (line, column),
                        format!("image `{}` has no alt text", link.url),
                        "describe the image for readers who cannot see it: ![description](path); \
                         an image that only decorates takes <img src=\"path\" alt=\"\">",
                    );
                }
                let title = Some(link.title.clone()).filter(|t| !t.trim().is_empty());
                out.push(Inline::Image(Image {
                    src: ImageSrc::Unresolved(link.url.clone()),
                    alt,
                    title,
                    line,
                    column,
                    format: None,
                    decorative: false,
                }));
            }
            NodeValue::FootnoteReference(r) => {
                let name = r.name.clone();
                if let Some(&number) = self.footnote_numbers.get(&name) {
                    out.push(Inline::FootnoteRef { number, first: false });
                } else if let Some(def) = self.footnote_defs.get(&name).copied() {
                    let number = self.footnotes.len() + 1;
                    self.footnote_numbers.insert(name.clone(), number);
                    let def_line = self.line(def);
                    // Reserve the slot before converting (footnotes may reference footnotes).
                    self.footnotes.push(Footnote { name: name.clone(), number, line: def_line, blocks: Vec::new() });
                    let blocks = if depth > MAX_DEPTH { Vec::new() } else { self.blocks_of(def, depth + 10) };
                    self.footnotes[number - 1].blocks = blocks;
                    out.push(Inline::FootnoteRef { number, first: true });
                } else {
                    out.push(Inline::Text(format!("[^{name}]")));
                }
            }
            NodeValue::Math(math) => {
                let typst = self.math(&math.literal, at(self));
                out.push(Inline::Math { tex: math.literal.clone(), display: math.display_math, typst })
            }
            NodeValue::HtmlInline(html) => {
                // Reached only through `inline` directly; handled in `inline_seq`.
                push_text(out, html);
            }
            _ => {
                let mut text = String::new();
                collect_text(node, &mut text);
                out.push(Inline::Text(text));
            }
        }
    }

    /// Handles inline HTML at `nodes[i]`; returns how many nodes it consumed.
    fn inline_html(
        &mut self,
        html: &str,
        nodes: &[&'a AstNode<'a>],
        i: usize,
        out: &mut Vec<Inline>,
        depth: usize,
    ) -> usize {
        let line = self.line(nodes[i]);
        let column = self.column(nodes[i]);
        let trimmed = html.trim();
        if is_comment(trimmed) {
            return 1;
        }
        let Some(tag) = parse_tag(trimmed) else {
            out.push(Inline::Text(html.to_string()));
            return 1;
        };
        if tag.name == "br" || tag.name == "wbr" {
            if tag.name == "br" {
                out.push(Inline::LineBreak);
            }
            return 1;
        }
        if tag.name == "img" {
            if let Some(image) = html_img(trimmed, line, column) {
                if let Some((message, hint)) = missing_alt_text(&image) {
                    self.report(&lint::MISSING_ALT_TEXT, (line, column), message, hint);
                }
                out.push(Inline::Image(image));
            }
            return 1;
        }
        // `<ul><li>a</li><li>b</li></ul>`, as authors make lists in a table
        // cell: each item on a line of its own, after a bullet or its number.
        if matches!(tag.name.as_str(), "ul" | "ol" | "li") {
            match (tag.name.as_str(), tag.closing) {
                ("ul" | "ol", false) => self.inline_lists.push((tag.name == "ol", 0)),
                ("ul" | "ol", true) => {
                    self.inline_lists.pop();
                }
                ("li", false) => {
                    let marker = match self.inline_lists.last_mut() {
                        Some((true, n)) => {
                            *n += 1;
                            format!("{n}. ")
                        }
                        _ => "• ".to_string(),
                    };
                    if !out.is_empty() && !matches!(out.last(), Some(Inline::LineBreak)) {
                        out.push(Inline::LineBreak);
                    }
                    out.push(Inline::Text(marker));
                }
                _ => {}
            }
            return 1;
        }
        // `<a name="x">`, `<span id="x">`...: a link target where it stands.
        let anchor = if tag.closing { None } else { tag.id() };
        if let Some(id) = &anchor
            && self.claim(id, "HTML", (line, column))
        {
            out.push(Inline::Anchor(id.clone()));
        }
        const PAIRED: &[&str] = &[
            "sup", "sub", "kbd", "abbr", "b", "strong", "i", "em", "s", "del", "strike", "u", "ins", "mark", "small",
            "code", "span", "cite", "q", "var", "samp", "dfn", "a",
        ];
        if !tag.closing && PAIRED.contains(&tag.name.as_str()) && !tag.self_closing {
            // Find the matching closing tag among the following siblings.
            let mut level = 0;
            let mut end = None;
            for (j, node) in nodes.iter().enumerate().skip(i + 1) {
                if let NodeValue::HtmlInline(h) = &node.data().value
                    && let Some(t) = parse_tag(h.trim())
                    && t.name == tag.name
                {
                    if t.closing {
                        if level == 0 {
                            end = Some(j);
                            break;
                        }
                        level -= 1;
                    } else if !t.self_closing {
                        level += 1;
                    }
                }
            }
            if let Some(end) = end {
                let mut inner = Vec::new();
                if depth <= MAX_DEPTH {
                    self.inline_seq(&nodes[i + 1..end], &mut inner, depth + 1);
                }
                let inner = merge_text(inner);
                let text = crate::model::plain_text(&inner);
                // `<span lang="fr">…</span>` (or any element with `lang`):
                // the passage's language, around what the element becomes.
                let lang = tag.attr("lang").map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
                let lang = match lang {
                    Some(l) if crate::config::is_language_tag(&l) => Some(l),
                    Some(l) => {
                        self.report(
                            &lint::IGNORED_ATTRIBUTE,
                            (line, column),
                            format!(
                                "`lang=\"{l}\"` is not a language tag; the passage is left in the article's language"
                            ),
                            "write a BCP 47 tag, e.g. lang=\"fr\" or lang=\"pt-BR\"",
                        );
                        None
                    }
                    None => None,
                };
                let start = out.len();
                let consumed = end - i + 1;
                let wrap_lang = |out: &mut Vec<Inline>| {
                    if let Some(lang) = lang {
                        let content = out.split_off(start);
                        out.push(Inline::Lang { lang, content });
                    }
                };
                out.push(match tag.name.as_str() {
                    "sup" => Inline::Sup(inner),
                    "sub" => Inline::Sub(inner),
                    "kbd" | "code" | "samp" => Inline::Kbd(text),
                    "abbr" => Inline::Abbr { title: tag.attr("title").unwrap_or_default(), content: inner },
                    "b" | "strong" => Inline::Strong(inner),
                    "i" | "em" | "cite" | "var" | "dfn" => Inline::Emph(inner),
                    "s" | "del" | "strike" => Inline::Strike(inner),
                    "a" => match tag.attr("href") {
                        // `<a id="x" href="#x"></a>`, GitHub's anchor with a
                        // permalink: the anchor (kept above) is what it is for.
                        Some(_) if !shows_something(&inner) && anchor.is_some() => {
                            wrap_lang(out);
                            return consumed;
                        }
                        Some(href) if !shows_something(&inner) => {
                            self.report(
                                &lint::EMPTY_LINK,
                                (line, column),
                                format!("link to `{href}` has no text; it is left out"),
                                "give the link its text: <a href=\"...\">text</a>",
                            );
                            wrap_lang(out);
                            return consumed;
                        }
                        Some(href) => Inline::Link { dest: LinkDest::Unresolved(href), content: inner, line, column },
                        None => {
                            out.extend(inner);
                            wrap_lang(out);
                            return consumed;
                        }
                    },
                    "q" => {
                        let mut v = vec![Inline::Text("“".into())];
                        v.extend(inner);
                        v.push(Inline::Text("”".into()));
                        out.extend(v);
                        wrap_lang(out);
                        return consumed;
                    }
                    _ => {
                        // u, ins, mark, small, span: keep the text, no styling.
                        out.extend(inner);
                        wrap_lang(out);
                        return consumed;
                    }
                });
                wrap_lang(out);
                return consumed;
            }
        }
        if tag.closing || anchor.is_some() {
            // A closing tag's opening tag was already reported; an element
            // with an id was kept as a link target.
            return 1;
        }
        self.report(
            &lint::RAW_HTML,
            (line, column),
            format!("inline HTML `{trimmed}` is not supported and is left out"),
            "use markdown, or one of <br>, <sup>, <sub>, <kbd>, <abbr>",
        );
        1
    }
}

/// A caption paragraph's inlines without its `Table:` (or `: `) prefix, or
/// `None` when the paragraph is not a caption.
fn caption_of(block: &Block) -> Option<Vec<Inline>> {
    let BlockKind::Paragraph(inlines) = &block.kind else { return None };
    let rest = caption_prefix(inlines)?;
    let mut caption = inlines.clone();
    caption[0] = Inline::Text(rest.trim_start().to_string());
    if matches!(&caption[0], Inline::Text(t) if t.is_empty()) {
        caption.remove(0);
    }
    (!caption.is_empty()).then_some(caption)
}

/// The text after a paragraph's `Table:` or `: ` caption prefix.
fn caption_prefix(inlines: &[Inline]) -> Option<&str> {
    let Some(Inline::Text(first)) = inlines.first() else { return None };
    first.strip_prefix("Table:").or_else(|| first.strip_prefix(':').filter(|r| r.starts_with(' ')))
}

/// The kinds of labelled, numbered blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelKind {
    Figure,
    Table,
}

impl LabelKind {
    fn prefix(self) -> &'static str {
        match self {
            LabelKind::Figure => "fig-",
            LabelKind::Table => "tbl-",
        }
    }
}

/// A Pandoc attribute block, `{#id .class key=value}` (as on headings,
/// figures, table captions and spans); `-` is `.unnumbered`. Also
/// kramdown's attribute lists, `{: #id .class key="value"}`, where `name`
/// is an id too and a bare word names an attribute list defined elsewhere
/// (or, `{:toc}`, asks for a table of contents).
#[derive(Debug, Clone, Default, PartialEq)]
struct Attrs {
    id: Option<String>,
    classes: Vec<String>,
    pairs: Vec<(String, String)>,
    /// Written `{: ...}`: kramdown's, whose classes and keys are another
    /// site's styling and are dropped quietly.
    kramdown: bool,
    /// kramdown's references to attribute list definitions (`toc`).
    refs: Vec<String>,
}

/// The kramdown attributes a reader would miss when left out (the others
/// are another site's styling or another tool's settings).
const MISSED_KEYS: &[&str] = &["title"];

impl Attrs {
    fn unnumbered(&self) -> bool {
        self.classes.iter().any(|c| c == "unnumbered" || c == "-")
    }

    /// Left out of the contents: Pandoc's `.unlisted`, kramdown's `.no_toc`.
    fn unlisted(&self) -> bool {
        self.classes.iter().any(|c| c == "unlisted" || c == "no_toc")
    }

    /// The ids it gives: its `#id`, and in kramdown a `name`.
    fn anchor_ids(&self) -> Vec<String> {
        let names = self.pairs.iter().filter(|(k, v)| self.kramdown && k == "name" && !v.trim().is_empty());
        let names = names.map(|(_, v)| v.trim().to_string()).filter(|v| !v.contains(char::is_whitespace));
        let mut ids: Vec<String> = self.id.iter().cloned().chain(names).collect();
        ids.dedup();
        ids
    }

    /// Everything but the id, as written; of kramdown's attributes, those a
    /// reader would miss.
    fn ignored(&self) -> Vec<String> {
        if self.kramdown {
            return self
                .pairs
                .iter()
                .filter(|(k, _)| MISSED_KEYS.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect();
        }
        let classes = self.classes.iter().map(|c| if c == "-" { c.clone() } else { format!(".{c}") });
        classes.chain(self.pairs.iter().map(|(k, v)| format!("{k}={v}"))).collect()
    }
}

/// Parses `text` if it is exactly one attribute block (whitespace around
/// the tokens allowed); `None` for anything else, which stays text.
fn parse_attr_block(text: &str) -> Option<Attrs> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    if inner.contains(['{', '}']) {
        return None;
    }
    let mut attrs = Attrs::default();
    let inner = match inner.strip_prefix(':') {
        // `{::comment}` and kramdown's other extensions are not attributes.
        Some(rest) if rest.starts_with(':') => return None,
        Some(rest) => {
            attrs.kramdown = true;
            // `{:name: .class}` defines an attribute list for others to use:
            // it gives nothing here.
            if let Some((name, _)) = rest.trim_start().split_once(':')
                && !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
            {
                return Some(attrs);
            }
            rest
        }
        None => inner,
    };
    if inner.trim().is_empty() && !attrs.kramdown {
        return None;
    }
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (token, after) = attr_token(rest)?;
        if let Some(id) = token.strip_prefix('#') {
            if id.is_empty() {
                return None;
            }
            attrs.id = Some(id.to_string());
        } else if let Some(class) = token.strip_prefix('.') {
            if class.is_empty() {
                return None;
            }
            attrs.classes.push(class.to_string());
        } else if token == "-" {
            attrs.classes.push("-".into());
        } else if attrs.kramdown && !token.contains('=') {
            if !token.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_')) {
                return None;
            }
            attrs.refs.push(token.to_string());
        } else {
            let (key, value) = token.split_once('=')?;
            if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')) {
                return None;
            }
            attrs.pairs.push((key.to_string(), value.trim_matches(['"', '\'']).to_string()));
        }
        rest = after.trim_start();
    }
    Some(attrs)
}

/// One token of an attribute block (a `key="quoted value"` is one token).
fn attr_token(s: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => return Some((&s[..i], &s[i..])),
            _ => {}
        }
    }
    if quote.is_some() { None } else { Some((s, "")) }
}

/// Removes an attribute block that ends `inlines` (a heading's or a table
/// caption's): the attributes and the block as written.
fn take_trailing_attrs(inlines: &mut Vec<Inline>) -> Option<(Attrs, String)> {
    let Some(Inline::Text(last)) = inlines.last_mut() else { return None };
    let trimmed = last.trim_end();
    if !trimmed.ends_with('}') {
        return None;
    }
    let open = trimmed.rfind('{')?;
    let attrs = parse_attr_block(&trimmed[open..])?;
    let raw = trimmed[open..].to_string();
    last.truncate(open);
    let kept = last.trim_end().len();
    last.truncate(kept);
    if last.is_empty() {
        inlines.pop();
    }
    // A trailing space or break before the block goes too.
    while matches!(inlines.last(), Some(Inline::SoftBreak | Inline::LineBreak)) {
        inlines.pop();
    }
    Some((attrs, raw))
}

/// Which kramdown attributes that end some inlines are left for the block
/// they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    None,
    /// After an image: a figure's.
    AfterImage,
    /// A heading's.
    AtEnd,
}

/// Whether `next` (the node after an empty link) is a kramdown attribute
/// list that names an anchor: `[](#x){:name="x"}`.
fn names_anchor(next: Option<&AstNode<'_>>) -> bool {
    let Some(next) = next else { return false };
    let NodeValue::Text(t) = &next.data().value else { return false };
    let Some(end) = t.find('}') else { return false };
    t.starts_with("{:") && parse_attr_block(&t[..=end]).is_some_and(|a| !a.anchor_ids().is_empty())
}

/// Without the breaks and spaces that syntax taken out of the inlines left
/// at their ends (anchors stay).
fn tidy_ends(inlines: &mut Vec<Inline>) {
    while matches!(inlines.first(), Some(Inline::SoftBreak | Inline::LineBreak))
        || matches!(inlines.first(), Some(Inline::Text(t)) if t.trim().is_empty())
    {
        inlines.remove(0);
    }
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        *t = t.trim_start().to_string();
    }
    loop {
        let last = inlines.iter().rposition(|i| !matches!(i, Inline::Anchor(_)));
        let Some(last) = last else { break };
        match &mut inlines[last] {
            Inline::SoftBreak | Inline::LineBreak => {
                inlines.remove(last);
            }
            Inline::Text(t) if t.trim().is_empty() => {
                inlines.remove(last);
            }
            Inline::Text(t) => {
                t.truncate(t.trim_end().len());
                break;
            }
            _ => break,
        }
    }
}

/// Takes the anchors out of inlines that are printed more than once
/// (headings go to the contents and bookmarks): their ids, in order.
fn take_anchors(inlines: &mut Vec<Inline>) -> Vec<String> {
    let mut ids = Vec::new();
    inlines.retain_mut(|inline| match inline {
        Inline::Anchor(id) => {
            ids.push(std::mem::take(id));
            false
        }
        other => {
            if let Some(children) = other.children_mut() {
                ids.extend(take_anchors(children));
            }
            true
        }
    });
    ids
}

/// Pandoc's bracketed spans, `[text]{#id .class lang=fr}`: the brackets and
/// the attribute block go, the text stays, an id becomes a link target and
/// a language marks the passage. Gathers the ids found (to be claimed) and
/// the languages that are not BCP 47 tags (to be reported).
fn bracketed_spans(inlines: Vec<Inline>, ids: &mut Vec<String>, bad_langs: &mut Vec<String>) -> Vec<Inline> {
    if !inlines.iter().any(|i| matches!(i, Inline::Text(t) if t.contains("]{"))) {
        return inlines;
    }
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        let Inline::Text(text) = inline else {
            out.push(inline);
            continue;
        };
        let mut rest = text.as_str();
        while let Some(close) = rest.find("]{") {
            let attr_end = rest[close + 1..].find('}').map(|e| close + 1 + e + 1);
            let attrs = attr_end.and_then(|e| parse_attr_block(&rest[close + 1..e]));
            let (Some(end), Some(attrs)) = (attr_end, attrs) else {
                push_text(&mut out, &rest[..close + 2]);
                rest = &rest[close + 2..];
                continue;
            };
            // The matching `[`: in this text before `]`, else in an earlier
            // text at the same level.
            push_text(&mut out, &rest[..close]);
            match open_bracket(&mut out) {
                Some(mut at) => {
                    if let Some(id) = attrs.id {
                        ids.push(id.clone());
                        out.insert(at, Inline::Anchor(id));
                        at += 1;
                    }
                    if let Some((_, lang)) = attrs.pairs.into_iter().find(|(k, _)| k == "lang") {
                        if crate::config::is_language_tag(&lang) {
                            let content = out.split_off(at);
                            out.push(Inline::Lang { lang, content });
                        } else {
                            bad_langs.push(lang);
                        }
                    }
                }
                None => push_text(&mut out, &rest[close..end]),
            }
            rest = &rest[end..];
        }
        push_text(&mut out, rest);
    }
    out
}

/// Finds the last unmatched `[` in the texts of `out`, removes it, and
/// returns the index where the span's content starts.
fn open_bracket(out: &mut Vec<Inline>) -> Option<usize> {
    let mut depth = 0usize;
    for index in (0..out.len()).rev() {
        let Inline::Text(text) = &out[index] else { continue };
        for (i, c) in text.char_indices().rev() {
            match c {
                ']' => depth += 1,
                '[' if depth > 0 => depth -= 1,
                '[' => {
                    let after = text[i + 1..].to_string();
                    let Inline::Text(text) = &mut out[index] else { unreachable!() };
                    text.truncate(i);
                    let mut at = index + 1;
                    if text.is_empty() {
                        out.remove(index);
                        at -= 1;
                    }
                    if !after.is_empty() {
                        out.insert(at, Inline::Text(after));
                    }
                    return Some(at);
                }
                _ => {}
            }
        }
    }
    None
}

/// What a figure's or table's attribute block made of it.
enum Labelled {
    None,
    /// A `fig-`/`tbl-` label: numbered, referable with `@`.
    Label(String),
    /// Another id: only a link target.
    Anchor(String),
}

impl Labelled {
    /// (the label, the id of an anchor to set before the block)
    fn split(self) -> (Option<String>, Option<String>) {
        match self {
            Labelled::None => (None, None),
            Labelled::Label(l) => (Some(l), None),
            Labelled::Anchor(a) => (None, Some(a)),
        }
    }
}

/// The figure or table label a cross-reference names at the start of `s`
/// (the text after `@`): `fig-` or `tbl-` and letters, digits, `-`, `_`,
/// without trailing punctuation.
fn ref_label(s: &str) -> Option<&str> {
    if !(s.starts_with("fig-") || s.starts_with("tbl-")) {
        return None;
    }
    let end = s.find(|c: char| !is_label_char(c)).unwrap_or(s.len());
    let label = s[..end].trim_end_matches(['-', '_']);
    (label.len() > 4).then_some(label)
}

/// A character of a figure or table label's name: letters, digits, `-`, `_`.
fn is_label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// `[@fig-name]` is the same reference as `@fig-name` (Quarto's forms):
/// the brackets around a lone reference are dropped.
fn unbracket_refs(inlines: &mut Vec<Inline>) {
    for i in 1..inlines.len().saturating_sub(1) {
        let is_ref = matches!(&inlines[i], Inline::Link { dest: LinkDest::Ref(_), .. });
        let open = matches!(&inlines[i - 1], Inline::Text(t) if t.ends_with('['));
        let close = matches!(&inlines[i + 1], Inline::Text(t) if t.starts_with(']'));
        if is_ref && open && close {
            if let Inline::Text(t) = &mut inlines[i - 1] {
                t.pop();
            }
            if let Inline::Text(t) = &mut inlines[i + 1] {
                t.remove(0);
            }
        }
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

fn merge_text(mut inlines: Vec<Inline>) -> Vec<Inline> {
    // In place: a text following a text is appended to it.
    inlines.dedup_by(|next, prev| match (next, prev) {
        (Inline::Text(next), Inline::Text(prev)) => {
            prev.push_str(next);
            true
        }
        _ => false,
    });
    unbracket_refs(&mut inlines);
    inlines
}

/// Appends `text` to the text `out` ends with, or pushes it.
fn push_text(out: &mut Vec<Inline>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text(prev)) => prev.push_str(text),
        _ => out.push(Inline::Text(text.to_string())),
    }
}

fn collect_text<'a>(node: &'a AstNode<'a>, out: &mut String) {
    // Iterative, so deep nesting cannot overflow the stack.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::CodeBlock(c) => out.push_str(&c.literal),
            NodeValue::Math(m) => out.push_str(&m.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            NodeValue::Paragraph | NodeValue::Heading(_) => out.push(' '),
            _ => {}
        }
        let children: Vec<_> = n.children().collect();
        stack.extend(children.into_iter().rev());
    }
}

fn is_comment(html: &str) -> bool {
    html.starts_with("<!--") && html.ends_with("-->")
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<String> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// The link target the element makes: its `id`, or an `<a>`'s `name`.
    fn id(&self) -> Option<String> {
        self.attr("id")
            .or_else(|| if self.name == "a" { self.attr("name") } else { None })
            .map(|id| id.trim().to_string())
            // An id is one word (HTML's rule): `id="a b"` names nothing.
            .filter(|id| !id.is_empty() && !id.contains(char::is_whitespace))
    }
}

/// The link targets of an HTML fragment's opening tags, and whether every
/// opening tag is one (an anchor-only block loses nothing).
fn html_ids(html: &str) -> (Vec<String>, bool) {
    let mut ids = Vec::new();
    let mut only_anchors = true;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        if let Some(tag) = parse_tag(&rest[open..open + close + 1])
            && !tag.closing
        {
            match tag.id() {
                Some(id) => ids.push(id),
                None => only_anchors = false,
            }
        }
        rest = &rest[open + close + 1..];
    }
    (ids, only_anchors)
}

/// When an HTML block is only wrappers without meaning of their own in
/// print (`<details>`, `<center>`, `<div>`, `<p>`, `<br>`) and a
/// `<summary>`: the summary's text (empty without one). `None` when it has
/// any other tag or text outside the summary.
fn wrappers_only(html: &str) -> Option<String> {
    const WRAPPERS: &[&str] = &["details", "summary", "center", "div", "p", "br"];
    let mut summary = String::new();
    let mut in_summary = false;
    let mut rest = html;
    loop {
        let (text, next) = match rest.find('<') {
            Some(open) => (&rest[..open], Some(open)),
            None => (rest, None),
        };
        let text = crate::entities::decode(text);
        if in_summary {
            summary.push_str(&text);
        } else if !text.trim().is_empty() {
            return None;
        }
        let Some(open) = next else { break };
        let close = rest[open..].find('>')? + open;
        let tag = parse_tag(&rest[open..=close])?;
        if in_summary && tag.name != "summary" {
            // Inline markup in the summary (`<b>`, `<code>`): its text is kept.
            if tag.name == "br" {
                summary.push(' ');
            }
        } else if !WRAPPERS.contains(&tag.name.as_str()) {
            return None;
        } else if tag.name == "summary" {
            in_summary = !tag.closing;
        }
        rest = &rest[close + 1..];
    }
    Some(summary)
}

/// Whether inlines show anything: text, math or an image.
fn shows_something(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Image(_) | Inline::Math { .. } | Inline::FootnoteRef { .. } => true,
        Inline::Text(t) | Inline::Code(t) | Inline::Kbd(t) => !t.trim().is_empty(),
        other => other.children().is_some_and(shows_something),
    })
}

/// Parses one HTML tag (`<name attr="v">`, `</name>`, `<name/>`).
fn parse_tag(html: &str) -> Option<Tag> {
    let inner = html.strip_prefix('<')?.strip_suffix('>')?;
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let (self_closing, inner) = match inner.strip_suffix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name_end = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    Some(Tag { name, closing, self_closing, attrs: parse_attrs(&inner[name_end..]) })
}

fn parse_attrs(mut s: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            break;
        }
        let key_end = s.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(s.len());
        let key = s[..key_end].to_ascii_lowercase();
        s = s[key_end..].trim_start();
        let mut value = String::new();
        if let Some(rest) = s.strip_prefix('=') {
            let rest = rest.trim_start();
            if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &rest[1..];
                let end = body.find(q).unwrap_or(body.len());
                value = crate::entities::decode(&body[..end]);
                s = body.get(end + 1..).unwrap_or("");
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                value = crate::entities::decode(&rest[..end]);
                s = &rest[end..];
            }
        }
        if key.is_empty() {
            break;
        }
        attrs.push((key, value));
    }
    attrs
}

/// An `<img src alt title>` anywhere in `html`.
fn html_img(html: &str, line: usize, column: usize) -> Option<Image> {
    let start = html.to_ascii_lowercase().find("<img")?;
    let end = html[start..].find('>')? + start;
    let tag = parse_tag(&html[start..=end])?;
    // Only a lone image (possibly wrapped in <p>/<div>/<center>) counts.
    let rest = format!("{}{}", &html[..start], &html[end + 1..]);
    if !html_text(&rest).trim().is_empty() {
        return None;
    }
    let src = tag.attr("src")?;
    let alt = tag.attr("alt");
    // HTML's rule: an explicitly empty alt (or a presentational role) marks
    // an image as decorative; a missing alt is a missing description.
    // A title makes a caption: such an image is content, not decoration.
    let title = tag.attr("title").filter(|t| !t.is_empty());
    let decorative = title.is_none()
        && (alt.as_deref().is_some_and(|a| a.trim().is_empty())
            || matches!(tag.attr("role").as_deref(), Some("presentation" | "none"))
            || tag.attr("aria-hidden").as_deref() == Some("true"));
    Some(Image {
        src: ImageSrc::Unresolved(src),
        alt: if decorative { String::new() } else { alt.unwrap_or_default() },
        title,
        line,
        column,
        format: None,
        decorative,
    })
}

/// The missing-alt-text warning of an image without a description.
fn missing_alt_text(image: &Image) -> Option<(String, &'static str)> {
    (!image.decorative && image.alt.trim().is_empty()).then(|| {
        let src = match &image.src {
            ImageSrc::Unresolved(s) => s.as_str(),
            _ => "",
        };
        (
            format!("image `{src}` has no alt text"),
            "describe the image for readers who cannot see it: ![description](path), or <img alt=\"description\">; \
             an image that only decorates takes <img alt=\"\">",
        )
    })
}

/// The text of an HTML fragment: tags removed, entities decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                let tag = &rest[open..open + close + 1];
                if tag.starts_with("<br")
                    || tag.starts_with("</p")
                    || tag.starts_with("</div")
                    || tag.starts_with("</li")
                    || tag.starts_with("</tr")
                {
                    out.push(' ');
                }
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    crate::entities::decode(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(md: &str) -> Converted {
        convert(md, 0, Path::new("a.md"), Some("Title"))
    }

    #[test]
    fn first_h1_becomes_title() {
        let c = convert("# The Title\n\nText\n\n## Section\n", 0, Path::new("a.md"), None);
        assert_eq!(c.h1_title.unwrap().0, vec![Inline::Text("The Title".into())]);
        assert_eq!(c.blocks.len(), 2);
        assert!(matches!(&c.blocks[1].kind, BlockKind::Heading { level: 1, id, .. } if id == "section"));
    }

    #[test]
    fn repeated_title_is_dropped() {
        let c = conv("# Title\n\nText\n");
        assert_eq!(c.blocks.len(), 1);
    }

    #[test]
    fn inline_html_maps() {
        let c = conv(
            "a<sup>2</sup> <kbd>Ctrl</kbd> <abbr title=\"Internet Governance Forum\">IGF</abbr><br>b <blink>x</blink>\n",
        );
        let BlockKind::Paragraph(p) = &c.blocks[0].kind else { panic!() };
        assert!(p.contains(&Inline::Sup(vec![Inline::Text("2".into())])));
        assert!(p.contains(&Inline::Kbd("Ctrl".into())));
        assert!(p.contains(&Inline::LineBreak));
        assert!(p.iter().any(|i| matches!(i, Inline::Abbr { title, .. } if title == "Internet Governance Forum")));
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].message.contains("<blink>"));
    }

    #[test]
    fn footnotes_numbered_by_first_use() {
        let c = conv("A[^b] B[^a] C[^b]\n\n[^a]: First.\n[^b]: Second.\n[^c]: Unused.\n");
        assert_eq!(c.footnotes.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        let BlockKind::Paragraph(p) = &c.blocks[0].kind else { panic!() };
        let refs: Vec<_> = p
            .iter()
            .filter_map(|i| match i {
                Inline::FootnoteRef { number, first } => Some((*number, *first)),
                _ => None,
            })
            .collect();
        assert_eq!(refs, [(1, true), (2, true), (1, false)]);
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].message.contains("[^c]"));
    }

    #[test]
    fn columns_count_characters() {
        let c = conv("Ñandú — <blink>x</blink>\n");
        assert_eq!((c.warnings[0].line, c.warnings[0].column), (Some(1), Some(9)));
        let c = convert("x\n\nÉté [a](#nope)\n", 3, Path::new("a.md"), Some("T"));
        let BlockKind::Paragraph(p) = &c.blocks[1].kind else { panic!() };
        assert!(matches!(&p[1], Inline::Link { line: 6, column: 5, .. }), "{p:?}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let md = ">".repeat(5000) + " deep\n";
        let c = conv(&md);
        assert!(!c.blocks.is_empty());
    }

    #[test]
    fn html_block_keeps_text() {
        let c = conv("<div class=\"x\">Hello <b>world</b></div>\n\n<!-- a comment -->\n");
        assert_eq!(c.blocks.len(), 1);
        assert_eq!(c.blocks[0].kind, BlockKind::Paragraph(vec![Inline::Text("Hello world".into())]));
    }

    /// `<details>` as GitHub READMEs write it (Cardano's CIPs, OWASP's
    /// cheat sheets): shown open, the summary in bold, the markdown inside
    /// as markdown; layout wrappers are quiet; other HTML still warns.
    #[test]
    fn details_and_layout_wrappers() {
        let c = conv(concat!(
            "<details>\n<summary>Show the <b>test vectors</b> &amp; more</summary>\n\n",
            "- one\n- two\n\n</details>\n\n",
            "<center>\n\n| a |\n|---|\n| 1 |\n\n</center>\n\n",
            "<div align=\"center\" id=\"top\">\n\nText.\n\n</div>\n\n",
            "<details open><summary>Inline</summary>\n",
        ));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let kinds: Vec<&BlockKind> = c.blocks.iter().map(|b| &b.kind).collect();
        assert_eq!(
            kinds[0],
            &BlockKind::Paragraph(vec![Inline::Strong(vec![Inline::Text("Show the test vectors & more".into())])])
        );
        assert!(matches!(kinds[1], BlockKind::List { .. }), "{kinds:?}");
        assert!(matches!(kinds[2], BlockKind::Table { .. }), "{kinds:?}");
        assert_eq!(kinds[3], &BlockKind::Anchor(vec!["top".into()]));
        assert_eq!(kinds[4], &BlockKind::Paragraph(vec![Inline::Text("Text.".into())]));
        assert_eq!(kinds[5], &BlockKind::Paragraph(vec![Inline::Strong(vec![Inline::Text("Inline".into())])]));
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        // Text beside the wrappers, or another tag: the warning as before.
        for html in ["<details>\nSome text <table>\n", "<div>Hello</div>\n", "<center><ul><li>x</li></ul></center>\n"] {
            let c = conv(html);
            assert_eq!(c.warnings.len(), 1, "{html}: {:?}", c.warnings);
            assert!(c.warnings[0].message.starts_with("raw HTML block"), "{html}");
        }
    }

    /// A link without text has nothing to click and no name for a screen
    /// reader: left out with a warning, but GitHub's `<a id href></a>`
    /// anchor idiom, which keeps its anchor quietly.
    #[test]
    fn links_without_text() {
        let c = conv(
            "See [](https://example.org) and <a href=\"https://x.org\"></a>.\n\n| <a id=\"d\" href=\"#d\"></a>Delta | [![A logo](l.png)](https://y.org) |\n|---|---|\n",
        );
        let names: Vec<_> = c.warnings.iter().map(|w| (w.lint.name, w.message.as_str())).collect();
        assert_eq!(
            names,
            [
                ("empty-link", "link to `https://example.org` has no text; it is left out"),
                ("empty-link", "link to `https://x.org` has no text; it is left out")
            ]
        );
        let BlockKind::Paragraph(p) = &c.blocks[0].kind else { panic!() };
        assert!(!p.iter().any(|i| matches!(i, Inline::Link { .. })), "{p:?}");
        let BlockKind::Table { header, .. } = &c.blocks[1].kind else { panic!() };
        assert_eq!(header[0], vec![Inline::Anchor("d".into()), Inline::Text("Delta".into())]);
        assert!(
            matches!(&header[1][0], Inline::Link { content, .. } if matches!(content[0], Inline::Image(_))),
            "an image is something"
        );
    }

    /// Lists in a table cell, written in HTML as GitHub allows: one item a
    /// line, after a bullet or its number; an unclosed list ends with its cell.
    #[test]
    fn html_lists_in_table_cells() {
        let c = conv(concat!(
            "| Steps | Inputs |\n|---|---|\n",
            "| <ol><li>Compute *x*</li><li>Check</li></ol> | <ul><li>a</li><li>b</li> |\n",
            "| <ol><li>Again</li></ol> | none |\n",
        ));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let BlockKind::Table { rows, .. } = &c.blocks[0].kind else { panic!("{:?}", c.blocks) };
        let br = Inline::LineBreak;
        let t = |s: &str| Inline::Text(s.into());
        assert_eq!(rows[0][0], vec![t("1. Compute "), Inline::Emph(vec![t("x")]), br.clone(), t("2. Check")]);
        assert_eq!(rows[0][1], vec![t("• a"), br, t("• b")]);
        assert_eq!(rows[1][0], vec![t("1. Again")], "numbering starts again in the next cell");
    }

    fn refs(inlines: &[Inline]) -> Vec<(String, usize, usize)> {
        inlines
            .iter()
            .filter_map(|i| match i {
                Inline::Link { dest: LinkDest::Ref(l), line, column, .. } => Some((l.clone(), *line, *column)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn labels_on_figures_and_tables() {
        let c = conv(concat!(
            "![A chart](c.png \"Growth\"){#fig-growth}\n\n",
            "![Alt only](d.png){#fig-alt}\n\n",
            "| a |\n|---|\n| 1 |\n\nTable: Counts by year {#tbl-counts}\n",
        ));
        let kinds: Vec<&BlockKind> = c.blocks.iter().map(|b| &b.kind).collect();
        assert!(matches!(kinds[0], BlockKind::Figure { label: Some(l), caption, .. }
            if l == "fig-growth" && caption == &vec![Inline::Text("Growth".into())]));
        // Without a title, a labelled figure's caption is its alt text (as in Pandoc).
        assert!(matches!(kinds[1], BlockKind::Figure { label: Some(l), caption, .. }
            if l == "fig-alt" && caption == &vec![Inline::Text("Alt only".into())]));
        assert!(matches!(kinds[2], BlockKind::Table { label: Some(l), caption, .. }
            if l == "tbl-counts" && caption == &vec![Inline::Text("Counts by year".into())]));
        assert_eq!(c.blocks.len(), 3);
        assert!(c.anchors.contains(&"fig-growth".to_string()) && c.anchors.contains(&"tbl-counts".to_string()));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn cross_references_with_positions() {
        let c = conv("See @fig-a, [@tbl-b] and (@fig-c-1).\nMail me@fig-x.org; @fig- alone; `@fig-code`.\n");
        let BlockKind::Paragraph(p) = &c.blocks[0].kind else { panic!() };
        assert_eq!(refs(p), vec![("fig-a".into(), 1, 5), ("tbl-b".into(), 1, 14), ("fig-c-1".into(), 1, 27)], "{p:?}");
        // The brackets of `[@tbl-b]` are gone; the rest is text.
        let text = crate::model::plain_text(p);
        assert_eq!(text, "See @fig-a, @tbl-b and (@fig-c-1). Mail me@fig-x.org; @fig- alone; @fig-code.");
    }

    #[test]
    fn label_errors() {
        let c = conv(concat!(
            "# Fig one\n\n",
            "![a](x.png \"X\"){#fig-one}\n\n",
            "![b](y.png \"Y\"){#chart width=50%}\n\n",
            "![c](z.png \"Z\"){#fig-two}\n\n",
            "![d](w.png \"W\"){#fig-two}\n\n",
            "Text with {#fig-lost} in it.\n",
        ));
        let messages: Vec<String> = c
            .warnings
            .iter()
            .map(|d| format!("{}:{} {}", d.line.unwrap_or(0), d.column.unwrap_or(0), d.message))
            .collect();
        let expect = [
            "3:1 the figure id `fig-one` is already the id of a heading on line 1",
            "5:1 the figure attributes `width=50%` are ignored",
            "5:1 `{#chart}` is not a figure label; it is kept as a link target",
            "9:1 the figure id `fig-two` is already the id of a figure on line 7",
            "11:11 the label `{#fig-lost}` is not attached to a figure or table and is shown as text",
        ];
        for e in expect {
            assert!(messages.iter().any(|m| m == e), "expected `{e}` in {messages:#?}");
        }
        // Each has a fallback: warnings, and `chart` is still a link target.
        assert_eq!(c.warnings.iter().filter(|d| d.is_error()).count(), 0, "{messages:#?}");
        assert!(c.anchors.contains(&"chart".to_string()), "{:?}", c.anchors);
        assert!(
            c.blocks.iter().any(|b| matches!(&b.kind, BlockKind::Anchor(ids) if ids == &["chart"])),
            "{:?}",
            c.blocks
        );
    }

    /// kramdown's attribute lists, as GitHub Pages sites write them: on a
    /// heading, after a span, on a line of their own after a block; ids and
    /// names are anchors, `.no_toc` leaves a heading out of the contents,
    /// the site's `{:toc}` list goes, the rest is dropped quietly but a title.
    #[test]
    fn kramdown_attributes() {
        let c = conv(concat!(
            "## Note to reviewers\n{: .no_toc}\n\n",
            "## Scope {: #scope .unnumbered}\n\n",
            "See [the model](#model){:name=\"m\" .external} and `{: code}`.\n",
            "{:latex-ignore=\"true\"}\n\n",
            "Term [](#access){:name=\"access\"} here.\n\n",
            "* TOC\n{:toc}\n\n",
            "| a |\n|---|\n| 1 |\n{:latex-table=\"1\" #tbl-x}\n\n",
            "A [word](#w){: title=\"A tooltip\"}.\n\n",
            "{:.note}\n# Before\n",
        ));
        let names: Vec<_> = c.warnings.iter().map(|w| (w.lint.name, w.line, w.column)).collect();
        assert_eq!(names, [("ignored-attribute", Some(19), Some(13))], "{:?}", c.warnings);
        let kinds: Vec<&BlockKind> = c.blocks.iter().map(|b| &b.kind).collect();
        assert!(matches!(kinds[0], BlockKind::Heading { listed: false, numbered: true, .. }), "{kinds:?}");
        assert!(
            matches!(kinds[1], BlockKind::Heading { listed: true, numbered: false, id, .. } if id == "scope"),
            "{kinds:?}"
        );
        let BlockKind::Paragraph(p) = kinds[2] else { panic!("{kinds:?}") };
        let t = |s: &str| Inline::Text(s.into());
        assert_eq!(p[0], t("See "));
        assert_eq!(p[1], Inline::Anchor("m".into()));
        assert!(matches!(&p[2], Inline::Link { .. }));
        assert_eq!(&p[3..], [t(" and "), Inline::Code("{: code}".into()), t(".")]);
        assert_eq!(kinds[3], &BlockKind::Paragraph(vec![t("Term "), Inline::Anchor("access".into()), t(" here.")]));
        // The `{:toc}` list is gone; the table's attributes are not a row.
        assert_eq!(kinds[4], &BlockKind::Anchor(vec!["tbl-x".into()]));
        assert!(matches!(kinds[5], BlockKind::Table { rows, .. } if rows.len() == 1), "{kinds:?}");
        assert!(matches!(kinds[6], BlockKind::Paragraph(_)));
        assert!(matches!(kinds[7], BlockKind::Heading { .. }), "{kinds:?}");
        assert_eq!(kinds.len(), 8, "{kinds:?}");
        assert!(c.anchors.contains(&"access".to_string()) && c.anchors.contains(&"m".to_string()));
        // Pandoc's `.unlisted` is the same as `.no_toc`.
        let c = conv("## Quiet {.unlisted}\n");
        assert!(matches!(&c.blocks[0].kind, BlockKind::Heading { listed: false, .. }), "{:?}", c.blocks);
    }

    /// Liquid outside a link or image path is left out, each tag and
    /// expression with a warning at its place; code keeps it.
    #[test]
    fn liquid_is_left_out_with_a_warning() {
        let c = conv(concat!(
            "{{site.abstract[page.collection].subject}}\n\n",
            "Version {{ site.version }} of `{{ code }}`.\n\n",
            "{% include note.html %}\n\n",
            "```\n{% raw %}{{ x }}\n```\n\n",
            "![A chart]({{site.baseurl}}/{{page.collection}}/media/x.png)\n",
        ));
        let got: Vec<_> = c.warnings.iter().map(|w| (w.lint.name, w.line.unwrap(), w.column.unwrap())).collect();
        assert_eq!(got, [("liquid-template", 1, 1), ("liquid-template", 3, 9), ("liquid-template", 5, 1)]);
        assert!(c.warnings[2].message.contains("would have included `note.html`"), "{}", c.warnings[2].message);
        let kinds: Vec<&BlockKind> = c.blocks.iter().map(|b| &b.kind).collect();
        assert_eq!(
            kinds[0],
            &BlockKind::Paragraph(vec![
                Inline::Text("Version  of ".into()),
                Inline::Code("{{ code }}".into()),
                Inline::Text(".".into())
            ])
        );
        assert!(matches!(kinds[1], BlockKind::Code { code, .. } if code == "{% raw %}{{ x }}"));
        // The path is resolved when links are (passes::links), as written here.
        assert!(matches!(kinds[2], BlockKind::Figure { image, .. }
            if image.src == ImageSrc::Unresolved("{{site.baseurl}}/{{page.collection}}/media/x.png".into())));
        assert_eq!(kinds.len(), 3);
    }

    /// kramdown's definition lists, as a glossary writes them: a term (with
    /// its anchor) and `: definition` on the next line, a second definition
    /// continuing the first, an indented paragraph inside it; a `: Caption`
    /// set apart before a table is still the table's caption.
    #[test]
    fn definition_lists() {
        let c = conv(concat!(
            "Access [](#access){:name=\"access\"}\n",
            ": To make contact.\n",
            ": Or to reach.\n\n",
            "Kerberos\n",
            ": A protocol.\n\n",
            "    See [x](y.md).\n\n",
            "Some text.\n\n",
            ": Counts\n\n",
            "| a |\n|---|\n| 1 |\n",
        ));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let t = |s: &str| Inline::Text(s.into());
        let BlockKind::DefinitionList { tight, items } = &c.blocks[0].kind else { panic!("{:?}", c.blocks) };
        assert!(*tight);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].term, vec![t("Access"), Inline::Anchor("access".into())]);
        let paragraphs: Vec<&BlockKind> = items[0].blocks.iter().map(|b| &b.kind).collect();
        assert_eq!(
            paragraphs,
            [&BlockKind::Paragraph(vec![t("To make contact.")]), &BlockKind::Paragraph(vec![t("Or to reach.")])]
        );
        assert_eq!(items[1].term, vec![t("Kerberos")]);
        assert_eq!(items[1].blocks.len(), 2, "the indented paragraph is the definition's, not code");
        assert!(c.anchors.contains(&"access".to_string()));
        assert_eq!(c.blocks[1].kind, BlockKind::Paragraph(vec![t("Some text.")]));
        assert!(matches!(&c.blocks[2].kind, BlockKind::Table { caption, .. } if caption == &vec![t("Counts")]));
        assert_eq!(c.blocks.len(), 3, "{:?}", c.blocks);
    }
}
