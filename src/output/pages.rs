//! The PDF's pages in the reflowable editions: where each printed page
//! begins, read from typst's layout of the same build (no second
//! typesetting), so that the EPUB's page list and page-break markers and the
//! web edition's page markers say the PDF's folios.
//!
//! The Typst emitter places an invisible `#metadata("…") <coala-page>`
//! before each top-level block of an article and at its end
//! ([`Anchor::Block`]); articles and parts are found by the labels their
//! headings already carry. A printed page's marker goes before the anchor
//! at the top of that page's text; a page that begins inside a block (a
//! paragraph, list or table running on from the page before, a blank verso)
//! is marked before that block. Pages without a folio (the cover, the title
//! page) have no marker.

use std::collections::HashMap;

use typst::foundations::{Label, NativeElement, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::model::Numbering;
use typst::utils::PicoStr;
use typst_layout::{Page, PagedDocument};

use crate::model::Report;

/// The label of the emitter's block anchors.
pub const LABEL: &str = "coala-page";

/// A place both the typeset report and the reflowable editions have.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The contents (the template's outline).
    Contents,
    /// A part's title page (`part-<n>` in the typeset report).
    Part(usize),
    /// An article's title (its id is the heading's label).
    Article(String),
    /// The `n`-th top-level block of an article's body (from 0); `n` = the
    /// number of blocks is the body's end (a page that begins after the
    /// last block, on material only the PDF has).
    Block(String, usize),
}

impl Anchor {
    /// The text of the metadata the emitter places before a block.
    pub fn block_key(article: &str, n: usize) -> String {
        format!("{n}:{article}")
    }

    fn parse_block(key: &str) -> Option<Anchor> {
        let (n, article) = key.split_once(':')?;
        Some(Anchor::Block(article.to_string(), n.parse().ok()?))
    }
}

/// One printed page: its index in the PDF (from 1) and its folio as the
/// PDF's page labels give it (`iv`, `12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBreak {
    pub index: usize,
    pub label: String,
}

impl PageBreak {
    /// The id of the page's marker, unique in an edition.
    pub fn id(&self) -> String {
        format!("page-{}", self.index)
    }
}

/// An anchor laid out: its page, and whether it is at the top of the page's
/// text (a page can begin with it).
#[derive(Debug, Clone)]
struct Placed {
    anchor: Anchor,
    page: usize,
    top: bool,
}

/// Where the PDF's pages begin, by anchor, in reading order.
#[derive(Debug, Clone, Default)]
pub struct PageMap {
    /// Every marked page, in order, with the anchor it stands before.
    pages: Vec<(Anchor, PageBreak)>,
    /// Index into `pages` of each anchor's first marker and how many.
    before: HashMap<Anchor, (usize, usize)>,
    /// The print edition the pages are of (named in the EPUB's metadata).
    source: String,
}

impl PageMap {
    /// Reads the page of every anchor from the typeset document. `report`
    /// gives the anchors' reading order; `source` names the PDF edition.
    pub fn read(document: &PagedDocument, report: &Report, source: &str) -> PageMap {
        let introspector = document.introspector();
        let page_of = |label: &str| -> Option<usize> {
            let label = Label::new(PicoStr::intern(label))?;
            let content = introspector.query_label(label).ok()?;
            Some(introspector.page(content.location()?)?.get())
        };

        // The blocks' positions, from the emitter's metadata.
        let mut blocks: HashMap<(String, usize), (usize, f64)> = HashMap::new();
        if let Some(label) = Label::new(PicoStr::intern(LABEL)) {
            for content in introspector.query(&Selector::Label(label)).iter() {
                let Some(meta) = content.to_packed::<MetadataElem>() else { continue };
                let Value::Str(key) = &meta.value else { continue };
                let (Some(Anchor::Block(article, n)), Some(location)) = (Anchor::parse_block(key), content.location())
                else {
                    continue;
                };
                if let Some(at) = introspector.position(location) {
                    blocks.insert((article, n), (at.page.get(), at.point.y.to_pt()));
                }
            }
        }
        // The top of the text area: where the highest block begins.
        let top = blocks.values().map(|&(_, y)| y).fold(f64::INFINITY, f64::min);

        // Every anchor with its page, in reading order, and whether a page
        // may begin with it: parts, articles and the contents do (they
        // start a page), a block when it is at the top of the text area.
        let mut anchors: Vec<Placed> = Vec::new();
        let outline = Selector::Elem(typst::model::OutlineElem::ELEM, None);
        if let Some(page) = introspector.query_first(&outline).and_then(|c| introspector.page(c.location()?)) {
            anchors.push(Placed { anchor: Anchor::Contents, page: page.get(), top: true });
        }
        let article = |anchors: &mut Vec<Placed>, a: &crate::model::Article| {
            if let Some(page) = page_of(&a.id) {
                anchors.push(Placed { anchor: Anchor::Article(a.id.clone()), page, top: true });
            }
            for n in 0..=a.blocks.len() {
                if let Some(&(page, y)) = blocks.get(&(a.id.clone(), n)) {
                    anchors.push(Placed { anchor: Anchor::Block(a.id.clone(), n), page, top: y <= top + 1.0 });
                }
            }
        };
        report.front.iter().for_each(|a| article(&mut anchors, a));
        for part in &report.parts {
            if let Some(page) = page_of(&format!("part-{}", part.number)) {
                anchors.push(Placed { anchor: Anchor::Part(part.number), page, top: true });
            }
            part.articles.iter().for_each(|a| article(&mut anchors, a));
        }
        report.back.iter().for_each(|a| article(&mut anchors, a));

        let labels: Vec<Option<String>> =
            document.pages().iter().map(|p| folio(p).map(|f| f.trim().to_string())).collect();
        PageMap { source: source.to_string(), ..Self::place(&anchors, &labels) }
    }

    /// Places each labelled page before the anchor at its top; when the page
    /// begins inside a block (no anchor at its top), before that block.
    fn place(anchors: &[Placed], labels: &[Option<String>]) -> PageMap {
        let mut map = PageMap::default();
        for (i, label) in labels.iter().enumerate() {
            let page = i + 1;
            let Some(label) = label else { continue };
            let at = anchors.partition_point(|a| a.page < page);
            let anchor = match anchors.get(at) {
                Some(first) if first.page == page && first.top => &first.anchor,
                _ => match at.checked_sub(1).and_then(|j| anchors.get(j)) {
                    Some(before) => &before.anchor,
                    None => continue,
                },
            };
            map.pages.push((anchor.clone(), PageBreak { index: page, label: label.clone() }));
        }
        for (k, (anchor, _)) in map.pages.iter().enumerate() {
            map.before.entry(anchor.clone()).and_modify(|(_, n)| *n += 1).or_insert((k, 1));
        }
        map
    }

    /// The pages whose markers go before `anchor`.
    pub fn before(&self, anchor: &Anchor) -> &[(Anchor, PageBreak)] {
        match self.before.get(anchor) {
            Some(&(start, n)) => &self.pages[start..start + n],
            None => &[],
        }
    }

    /// Every marked page in order, with its anchor.
    pub fn pages(&self) -> &[(Anchor, PageBreak)] {
        &self.pages
    }

    /// The print edition the pages are of.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// A page's folio: its numbering applied to its number, as the PDF's page
/// labels say it (its number for a numbering function); `None` for a page
/// without numbering or whose pattern cannot number it.
pub fn folio(page: &Page) -> Option<String> {
    match page.numbering.as_ref()? {
        Numbering::Pattern(pattern) => pattern.apply(None, &[page.number]).ok().map(|s| s.to_string()),
        Numbering::Func(_) => Some(page.number.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(list: &[Option<&str>]) -> Vec<Option<String>> {
        list.iter().map(|l| l.map(str::to_string)).collect()
    }

    fn at(anchor: Anchor, page: usize, top: bool) -> Placed {
        Placed { anchor, page, top }
    }

    #[test]
    fn pages_go_before_the_anchor_at_their_top() {
        let a = |n| Anchor::Block("a".into(), n);
        let anchors = vec![
            at(Anchor::Article("a".into()), 2, true),
            at(a(0), 2, false),
            at(a(1), 3, true),
            // Block 1 runs from page 3 to 5: block 2 begins lower on page 5.
            at(a(2), 5, false),
            at(a(3), 5, false),
            at(a(4), 6, true),
        ];
        let map = PageMap::place(
            &anchors,
            &labels(&[None, Some("1"), Some("2"), Some("3"), Some("4"), Some("5"), Some("6")]),
        );
        let placed: Vec<(Anchor, &str)> = map.pages().iter().map(|(a, p)| (a.clone(), p.label.as_str())).collect();
        assert_eq!(
            placed,
            vec![
                (Anchor::Article("a".into()), "1"),
                (a(1), "2"),
                (a(1), "3"),
                (a(1), "4"),
                (a(4), "5"),
                // Past the last anchor: the last block runs onto it.
                (a(4), "6"),
            ]
        );
        // The cover (no folio) has no marker.
        assert_eq!(map.before(&a(1)).len(), 3);
        assert_eq!(map.before(&a(0)).len(), 0);
    }

    #[test]
    fn pages_before_any_anchor_are_left_out() {
        let anchors = vec![at(Anchor::Part(1), 3, true)];
        let map = PageMap::place(&anchors, &labels(&[Some("i"), Some("ii"), Some("1")]));
        assert_eq!(map.pages().len(), 1);
        assert_eq!(map.pages()[0].1, PageBreak { index: 3, label: "1".into() });
    }

    #[test]
    fn block_keys_round_trip() {
        let key = Anchor::block_key("my-article", 12);
        assert_eq!(Anchor::parse_block(&key), Some(Anchor::Block("my-article".into(), 12)));
        assert_eq!(Anchor::parse_block("x"), None);
    }
}
