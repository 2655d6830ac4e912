//! The page preview of `watch --serve`: the typeset pages of the PDF, drawn
//! by typst's own SVG renderer from the same compiled document the PDF is
//! exported from. Each page is known by the hash of its layout, so a
//! rebuild tells which pages changed; a page is rendered when it is asked
//! for, and kept until its layout changes, so a rebuild re-renders only the
//! changed pages that are looked at.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use typst_layout::PagedDocument;

/// Rendered SVGs kept at most (bytes); the oldest go first beyond it.
const CACHE_BYTES: usize = 256 * 1024 * 1024;

/// One page of the current document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageInfo {
    /// The hash of the page's layout (frame, fill, numbering, number).
    pub hash: u128,
    /// Its size in points.
    pub width: f64,
    pub height: f64,
}

/// What a new document changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// How many pages the new document has.
    pub pages: usize,
    /// The pages (0-based) whose layout differs from the page at the same
    /// place before, or that are new.
    pub changed: Vec<usize>,
}

impl Diff {
    /// The first changed page, if any.
    pub fn first(&self) -> Option<usize> {
        self.changed.first().copied()
    }
}

/// The latest document's pages and the SVGs rendered from them.
#[derive(Default)]
pub struct Pages {
    document: Option<PagedDocument>,
    pages: Vec<PageInfo>,
    /// SVGs by page hash, with the order they were rendered in.
    cache: HashMap<u128, Arc<str>>,
    order: VecDeque<u128>,
    cached_bytes: usize,
    /// How many pages were rendered in all (tests count re-renders).
    renders: u64,
}

impl Pages {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the document of a new build; says which pages changed. Cached
    /// SVGs of pages no longer in the document are dropped.
    pub fn update(&mut self, document: &PagedDocument) -> Diff {
        let pages: Vec<PageInfo> = document
            .pages()
            .iter()
            .map(|page| {
                let size = page.frame.size();
                PageInfo { hash: typst::utils::hash128(page), width: size.x.to_pt(), height: size.y.to_pt() }
            })
            .collect();
        let changed = pages
            .iter()
            .enumerate()
            .filter(|(i, page)| self.pages.get(*i).is_none_or(|old| old.hash != page.hash))
            .map(|(i, _)| i)
            .collect();
        let current: std::collections::HashSet<u128> = pages.iter().map(|p| p.hash).collect();
        self.cache.retain(|hash, _| current.contains(hash));
        self.order.retain(|hash| current.contains(hash));
        self.cached_bytes = self.cache.values().map(|svg| svg.len()).sum();
        let diff = Diff { pages: pages.len(), changed };
        self.pages = pages;
        self.document = Some(document.clone());
        diff
    }

    /// The current pages.
    pub fn pages(&self) -> &[PageInfo] {
        &self.pages
    }

    /// How many pages were rendered since the start.
    pub fn renders(&self) -> u64 {
        self.renders
    }

    /// Page `index`'s SVG if it is cached; else what [`render`] needs.
    pub fn lookup(&self, index: usize) -> Option<Lookup> {
        let info = self.pages.get(index)?;
        Some(match self.cache.get(&info.hash) {
            Some(svg) => Lookup::Cached(svg.clone()),
            None => Lookup::Render(Job { document: self.document.clone()?, index, hash: info.hash }),
        })
    }

    /// Keeps a rendered SVG (if its page is still current) and counts it.
    pub fn store(&mut self, job: &Job, svg: Arc<str>) {
        self.renders += 1;
        if self.pages.get(job.index).is_none_or(|p| p.hash != job.hash) || self.cache.contains_key(&job.hash) {
            return;
        }
        self.cached_bytes += svg.len();
        self.cache.insert(job.hash, svg);
        self.order.push_back(job.hash);
        while self.cached_bytes > CACHE_BYTES
            && let Some(old) = self.order.pop_front()
        {
            if let Some(svg) = self.cache.remove(&old) {
                self.cached_bytes -= svg.len();
            }
        }
    }

    /// Page `index`'s SVG, rendered now unless cached (for callers that
    /// hold no lock).
    pub fn svg(&mut self, index: usize) -> Option<Arc<str>> {
        match self.lookup(index)? {
            Lookup::Cached(svg) => Some(svg),
            Lookup::Render(job) => {
                let svg = job.render();
                self.store(&job, svg.clone());
                Some(svg)
            }
        }
    }
}

/// A page's SVG found in the cache, or the page to render.
pub enum Lookup {
    Cached(Arc<str>),
    Render(Job),
}

/// One page to render, with the document it is in (cheap to clone: the
/// pages are shared), so that rendering needs no lock.
pub struct Job {
    document: PagedDocument,
    index: usize,
    hash: u128,
}

impl Job {
    /// The page as SVG (typst's renderer: text as outlines, images inline).
    pub fn render(&self) -> Arc<str> {
        let options = typst_svg::SvgOptions { render_bleed: false, pretty: false };
        typst_svg::svg(&self.document.pages()[self.index], &options).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsutil::Root;
    use crate::output::pdf::ReportWorld;

    fn compile(world: &mut ReportWorld, pages: &[&str]) -> PagedDocument {
        world.set_main(&format!("#set page(width: 200pt, height: 100pt)\n{}", pages.join("\n#pagebreak()\n")));
        typst::compile::<PagedDocument>(&*world).output.expect("compiles")
    }

    /// Only the page whose text changed is new, and only it is rendered
    /// again; a page added at the end is new too.
    #[test]
    fn an_edit_changes_one_page_and_renders_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut world = ReportWorld::new(&Root::new(dir.path()).unwrap(), None);
        let mut pages = Pages::new();
        let diff = pages.update(&compile(&mut world, &["One", "Two", "Three"]));
        assert_eq!(diff, Diff { pages: 3, changed: vec![0, 1, 2] });
        assert!(pages.pages().iter().all(|p| p.width == 200.0 && p.height == 100.0));
        for i in 0..3 {
            assert!(pages.svg(i).unwrap().starts_with("<svg"));
        }
        assert_eq!(pages.renders(), 3);
        assert!(pages.svg(3).is_none());
        // Asked again: from the cache.
        pages.svg(1).unwrap();
        assert_eq!(pages.renders(), 3);

        let diff = pages.update(&compile(&mut world, &["One", "Two, edited", "Three"]));
        assert_eq!(diff.changed, [1]);
        assert_eq!(diff.first(), Some(1));
        for i in 0..3 {
            pages.svg(i).unwrap();
        }
        assert_eq!(pages.renders(), 4, "only the edited page is rendered again");

        let diff = pages.update(&compile(&mut world, &["One", "Two, edited", "Three", "Four"]));
        assert_eq!(diff, Diff { pages: 4, changed: vec![3] });
        let same = pages.update(&compile(&mut world, &["One", "Two, edited", "Three", "Four"]));
        assert_eq!(same.changed, Vec::<usize>::new());
    }
}
