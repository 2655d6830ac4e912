//! The report into Typst and, when the plan asks, typeset; then the passes
//! that need the typeset report's pages (which articles are where, and the
//! citations that carry those pages).

use std::time::Instant;

use typst_layout::PagedDocument;

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::model::Report;
use crate::output::offprint::{self, Placed};
use crate::output::pdf::{self, ReportWorld};
use crate::output::{fonts, site, typst};
use crate::passes::cite::{self, Cited};
use crate::pipeline::plan::Plan;
use crate::pipeline::stages::{Progress, Record, Stage, timed};

/// The report in Typst, typeset when it was asked and succeeded.
pub struct Typeset<'w> {
    pub emitted: typst::Emitted,
    /// The world it was typeset in and the document, when it was typeset.
    pub laid_out: Option<(&'w ReportWorld, PagedDocument)>,
    /// What converting and typesetting found (recorded after the
    /// citations', which the typeset report's pages make).
    pub diagnostics: Vec<Diagnostic>,
}

impl Typeset<'_> {
    /// The typeset document, when there is one.
    pub fn document(&self) -> Option<&PagedDocument> {
        self.laid_out.as_ref().map(|(_, document)| document)
    }
}

/// Converts the report to Typst and, given a world, typesets it there.
pub fn run<'w>(
    report: &Report,
    manifest: &Manifest,
    world: Option<&'w mut ReportWorld>,
    plan: &Plan,
    progress: &dyn Progress,
    record: &mut Record,
) -> Typeset<'w> {
    let (emitted, took) = timed(progress, Stage::Convert, || typst::emit(report, manifest, &plan.template));
    record.time(Stage::Convert, took);
    let mut typeset = Typeset { emitted, laid_out: None, diagnostics: Vec::new() };
    let Some(world) = world else { return typeset };
    // Characters no font has, named at their markdown line (typst would
    // silently print empty boxes).
    typeset.diagnostics.extend(fonts::missing_glyphs(report, manifest, world.fonts().book()));
    world.set_emitted(&typeset.emitted);
    let world = &*world;
    progress.start(Stage::Typeset);
    let t = Instant::now();
    match pdf::typeset(world, &typeset.emitted) {
        Ok(done) => {
            let pages = done.document.pages().len();
            progress.done(Stage::Typeset, t.elapsed(), &format!("{pages} pages"));
            typeset.diagnostics.extend(done.warnings);
            // Scripts typst set in a font not made for them (no warning of
            // its own).
            let scripts = fonts::scripts(&done.document);
            progress.note(&fonts::describe(&scripts));
            typeset.diagnostics.extend(fonts::fallbacks(&scripts, report));
            record.time(Stage::Typeset, t.elapsed());
            typeset.laid_out = Some((world, done.document));
        }
        Err(diagnostics) => {
            progress.done(Stage::Typeset, t.elapsed(), "failed");
            typeset.diagnostics.extend(diagnostics)
        }
    }
    typeset
}

/// Where each article is in the typeset report (none when it was not
/// typeset), and the citations, with those pages.
pub fn cite(
    report: &Report,
    manifest: &Manifest,
    root: &Root,
    typeset: Option<&Typeset>,
    plan: &Plan,
    record: &mut Record,
) -> (Vec<Placed>, Cited) {
    let t = Instant::now();
    let placed = typeset.and_then(Typeset::document).map(|d| offprint::placed(d, report)).unwrap_or_default();
    let page_files = site::page_files(report);
    let addresses = cite::Addresses { url: plan.url.clone(), pages: &page_files };
    let (cited, diagnostics) = cite::cite(report, manifest, root, &offprint::pages_by_id(&placed), &addresses);
    record.diagnose(diagnostics);
    if typeset.is_some() {
        record.time(Stage::Citations, t.elapsed());
    }
    (placed, cited)
}
