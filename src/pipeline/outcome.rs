//! What a build or a check did, successful or not: the artifacts written,
//! the diagnostics and the stages' timings.

use std::path::PathBuf;
use std::time::Duration;

use crate::diag::Diagnostic;
use crate::pipeline::stages::Stage;
pub use crate::pipeline::stages::Timing;

/// What an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArtifactKind {
    /// The generated Typst source (`--emit-typst`).
    Typst,
    Pdf,
    /// One article's PDF, with the report's page numbers.
    Offprint,
    /// The citations as BibTeX.
    Bibtex,
    /// The citations as CSL JSON.
    CslJson,
    Epub,
    /// The web edition's folder.
    Html,
    /// The Word edition.
    Docx,
    /// One article's Word proof.
    DocxProof,
}

impl ArtifactKind {
    /// Its name in the `--json` summary (`format`) and the "wrote" lines.
    pub fn name(self) -> &'static str {
        match self {
            ArtifactKind::Typst => "typst",
            ArtifactKind::Pdf => "pdf",
            ArtifactKind::Offprint => "offprint",
            ArtifactKind::Bibtex => "bibtex",
            ArtifactKind::CslJson => "csl-json",
            ArtifactKind::Epub => "epub",
            ArtifactKind::Html => "html",
            ArtifactKind::Docx => "docx",
            ArtifactKind::DocxProof => "docx-proof",
        }
    }
}

/// One file (or the web edition's folder) written.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: PathBuf,
    pub kind: ArtifactKind,
    pub bytes: usize,
    pub pages: Option<usize>,
}

/// What a build did, successful or not.
#[derive(Debug, Default)]
pub struct Outcome {
    pub artifacts: Vec<Artifact>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Vec<Timing>,
    /// The canonical report root, when it could be opened.
    pub root: Option<PathBuf>,
    /// Whether the failure is in the configuration (exit code 2).
    pub config_error: bool,
    /// `check --links`: every web link's result; `None` when the links
    /// were not checked.
    pub links: Option<Vec<crate::linkcheck::LinkResult>>,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// How long the whole build took.
    pub fn total(&self) -> Option<Duration> {
        self.timings.iter().find(|t| t.stage == Stage::Total).map(|t| t.duration)
    }

    /// The outcome of a configuration problem found before any work.
    pub fn config_failure(diagnostic: Diagnostic) -> Outcome {
        let config_error = is_config_failure(std::slice::from_ref(&diagnostic));
        Outcome { config_error, diagnostics: vec![diagnostic], ..Outcome::default() }
    }

    /// Adds another edition's artifacts and the diagnostics not yet reported
    /// (editions share articles, and their problems).
    pub fn merge(&mut self, other: Outcome) {
        self.artifacts.extend(other.artifacts);
        for d in other.diagnostics {
            if !self.diagnostics.contains(&d) {
                self.diagnostics.push(d);
            }
        }
    }

    /// Sets the total time, or adds it when `add` (a failed build has none).
    pub fn set_total(&mut self, duration: Duration, add: bool) {
        match self.timings.iter_mut().find(|t| t.stage == Stage::Total) {
            Some(total) => total.duration = duration,
            None if add => self.timings.push(Timing { stage: Stage::Total, duration }),
            None => {}
        }
    }
}

/// A failure is a configuration error (exit 2) when every error is of a
/// configuration kind ([`crate::lint::Lint::is_configuration`]).
pub fn is_config_failure(diagnostics: &[Diagnostic]) -> bool {
    let mut errors = diagnostics.iter().filter(|d| d.is_error()).peekable();
    errors.peek().is_some() && errors.all(|d| d.lint.is_configuration())
}
