//! One producer per format. Each has the same signature: the edition's
//! [`Context`] in; its files, diagnostics and timings ([`Produced`]) out.
//! Adding a format is a producer file here, its [`Format`] arm in the
//! configuration and its arm in `producers()`.

pub mod citations;
pub mod docx;
pub mod epub;
pub mod offprints;
pub mod pdf;
pub mod site;

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Format, Manifest};
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::model::Report;
use crate::output::offprint::Placed;
use crate::output::pdf::ReportWorld;
use crate::output::xhtml::Rendered;
use crate::passes::cite::Cited;
use crate::pipeline::outcome::{ArtifactKind, Timing};
use crate::pipeline::plan::{Plan, needs_document};
use crate::pipeline::stages::{Progress, Stage};
use crate::pipeline::typeset::Typeset;
use crate::words::Labels;

/// What every producer is given: the edition, loaded, cited and (when the
/// plan needs it) typeset.
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub report: &'a Report,
    pub manifest: &'a Manifest,
    pub root: &'a Root,
    /// The words of the edition's language.
    pub words: &'a Labels,
    pub typeset: Option<&'a Typeset<'a>>,
    /// Where each article is in the typeset report.
    pub placed: &'a [Placed],
    pub cited: &'a Cited,
    /// The PDF's pages and the formulas as MathML, for the XHTML outputs.
    pub rendered: Rendered<'a>,
    pub progress: &'a dyn Progress,
}

impl<'a> Context<'a> {
    /// The typeset report, its world and its Typst source, when it was
    /// typeset.
    pub fn laid_out(
        &self,
    ) -> Option<(&'a ReportWorld, &'a typst_layout::PagedDocument, &'a crate::output::typst::Emitted)> {
        let typeset = self.typeset?;
        let (world, document) = typeset.laid_out.as_ref()?;
        Some((*world, document, &typeset.emitted))
    }

    /// Whether the citation exports are produced (with the offprints,
    /// which carry the report's pages).
    pub fn exports(&self) -> bool {
        self.plan.wants(Format::Offprints) && self.laid_out().is_some()
    }
}

/// What a file to write holds.
pub enum Content {
    File(Vec<u8>),
    /// A folder's files, by path relative to it (the web edition).
    Folder(Vec<(String, Vec<u8>)>),
}

/// One artifact produced, not yet written.
pub struct Output {
    pub kind: ArtifactKind,
    pub path: PathBuf,
    pub content: Content,
    pub pages: Option<usize>,
}

impl Output {
    pub fn file(kind: ArtifactKind, path: PathBuf, bytes: Vec<u8>, pages: Option<usize>) -> Output {
        Output { kind, path, content: Content::File(bytes), pages }
    }

    /// Its size in bytes (a folder's: the sum of its files').
    pub fn bytes(&self) -> usize {
        match &self.content {
            Content::File(bytes) => bytes.len(),
            Content::Folder(files) => files.iter().map(|(_, b)| b.len()).sum(),
        }
    }
}

/// What a producer made: its artifacts, the problems it found (leveled by
/// the pipeline) and how long its stages took.
#[derive(Default)]
pub struct Produced {
    pub outputs: Vec<Output>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Vec<Timing>,
}

impl Produced {
    pub fn time(&mut self, stage: Stage, duration: Duration) {
        self.timings.push(Timing { stage, duration });
    }

    /// `result`'s artifact, or its errors.
    pub fn result(&mut self, result: Result<Output, Vec<Diagnostic>>) {
        match result {
            Ok(output) => self.outputs.push(output),
            Err(diagnostics) => self.diagnostics.extend(diagnostics),
        }
    }
}

/// A producer.
pub type Producer = fn(&Context) -> Produced;

/// The producers of a format, in the order their artifacts are listed.
fn producers(format: Format) -> &'static [Producer] {
    match format {
        Format::Pdf => &[pdf::produce],
        Format::Epub => &[epub::produce],
        Format::Html => &[site::produce],
        Format::Offprints => &[offprints::produce, citations::produce],
        Format::Docx => &[docx::produce],
    }
}

/// Runs the plan's producers: those that need the typeset report one after
/// another on this thread (they share its world), the others meanwhile,
/// each on a thread of its own. Their results come in the plan's order.
pub fn run(ctx: &Context) -> Vec<Produced> {
    let formats = &ctx.plan.formats;
    std::thread::scope(|scope| {
        let threads: Vec<_> = formats
            .iter()
            .filter(|&&f| !needs_document(f))
            .map(|&format| (format, scope.spawn(move || producers(format).iter().map(|p| p(ctx)).collect())))
            .collect();
        let mut produced: Vec<Produced> =
            formats.iter().filter(|&&f| needs_document(f)).flat_map(|&f| producers(f)).map(|p| p(ctx)).collect();
        for (format, thread) in threads {
            produced.extend(thread.join().unwrap_or_else(|_| vec![panicked(format)]));
        }
        produced
    })
}

/// A producer that panicked on its thread: an internal error, not a crash
/// of the build.
fn panicked(format: Format) -> Produced {
    let message = format!("internal error: the {} producer panicked", format.name());
    Produced {
        diagnostics: vec![
            Diagnostic::new(&lint::INTERNAL_ERROR, message)
                .with_hint("please report this bug with the report that causes it"),
        ],
        ..Produced::default()
    }
}
