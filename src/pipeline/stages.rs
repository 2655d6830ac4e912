//! The stages of a build, what follows them (`Progress`), and the one place
//! an edition's timings and diagnostics are recorded (`Record`), where the
//! diagnostic levels are applied.

use std::path::Path;
use std::time::{Duration, Instant};

use typst_layout::PagedDocument;

use crate::diag::{self, Diagnostic};
use crate::lint::Levels;

/// A stage of the build. The order is the order of the `--json` timings and
/// of the "built in" line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Reading the articles and running the passes.
    Parse,
    /// The formulas as MathML (for the EPUB and the web edition).
    Mathml,
    /// The report into Typst source.
    Convert,
    /// Laying the report out.
    Typeset,
    /// The typeset report into its PDF.
    PdfExport,
    /// The citations, with the typeset report's pages.
    Citations,
    Offprints,
    Epub,
    /// The Word edition and its proofs.
    Docx,
    /// The web edition.
    Html,
    /// The artifacts written, all or none.
    Write,
    /// `check --links`: the web links asked over the network.
    Links,
    /// The page preview of `watch --serve` (shown, not timed in the outcome).
    Preview,
    /// The whole build.
    Total,
}

impl Stage {
    /// Its name in the `--json` summary and the "built in" line.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Mathml => "mathml",
            Stage::Convert => "convert",
            Stage::Typeset => "typeset",
            Stage::PdfExport => "pdf export",
            Stage::Citations => "citations",
            Stage::Offprints => "offprints",
            Stage::Epub => "epub",
            Stage::Docx => "docx",
            Stage::Html => "html",
            Stage::Write => "write",
            Stage::Links => "links",
            Stage::Preview => "preview",
            Stage::Total => "total",
        }
    }
}

/// Follows a build's stages (the progress display and `--verbose`). Called
/// from the producers' threads, hence `Sync`.
pub trait Progress: Sync {
    /// A stage started.
    fn start(&self, _stage: Stage) {}
    /// Something worth saying under `--verbose` (which template is used).
    fn note(&self, _text: &str) {}
    /// A stage ended; `detail` says what it did (e.g. "9 articles").
    fn done(&self, _stage: Stage, _took: Duration, _detail: &str) {}
    /// An article was loaded.
    fn loaded(&self, _article: &Path) {}
    /// A stage that counts its work did `done` of `total` (the links checked).
    fn count(&self, _stage: Stage, _done: usize, _total: usize) {}
    /// An edition (`None`: the original) was typeset, before its PDF is
    /// exported: `watch --serve` updates its page preview from here.
    fn typeset(&self, _edition: Option<&str>, _document: &PagedDocument) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// Runs a stage, telling `progress`; its result and how long it took.
pub fn timed<T>(progress: &dyn Progress, stage: Stage, f: impl FnOnce() -> T) -> (T, Duration) {
    progress.start(stage);
    let t = Instant::now();
    let result = f();
    progress.done(stage, t.elapsed(), "");
    (result, t.elapsed())
}

/// What an edition's stages found and how long they took. Every diagnostic
/// goes through [`Record::diagnose`], which applies the levels
/// (`[diagnostics]`, `--deny`...), so that each is leveled exactly once.
pub struct Record<'a> {
    levels: &'a Levels,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Vec<Timing>,
}

impl<'a> Record<'a> {
    pub fn new(levels: &'a Levels) -> Self {
        Record { levels, diagnostics: Vec::new(), timings: Vec::new() }
    }

    /// Records diagnostics, at their levels.
    pub fn diagnose(&mut self, diagnostics: Vec<Diagnostic>) {
        self.diagnostics.extend(diag::apply_levels(self.levels, diagnostics));
    }

    /// Records how long a stage took.
    pub fn time(&mut self, stage: Stage, duration: Duration) {
        self.timings.push(Timing { stage, duration });
    }

    /// Whether an error was recorded.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A stage and how long it took.
#[derive(Debug, Clone)]
pub struct Timing {
    pub stage: Stage,
    pub duration: Duration,
}
