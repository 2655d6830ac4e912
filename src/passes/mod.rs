//! Passes over the loaded report, run in order after the articles are read:
//! numbering (figures and tables), links (links, anchors, cross-references,
//! images), the glossary, citations (the citations in the text and the
//! reference lists), the contributors list and what the PDF standards
//! require.
//!
//! `cite` (how to cite the report and each article, and the citation
//! exports) is not in that list: it needs the typeset report's pages, and
//! the pipeline runs it after typesetting (`pipeline::typeset::cite`).

pub mod citations;
pub mod cite;
pub mod contributors;
pub mod glossary;
pub mod links;
pub mod numbering;
pub mod standards;

use std::path::Path;

use crate::config::{Config, Edition};
use crate::diag::Diagnostic;
use crate::input::{self, Loaded};

/// Reads the report's configuration and one edition (`None`: the
/// original), and runs the passes on it.
pub fn load(root_dir: &Path, edition: Option<&str>) -> Result<Loaded, Vec<Diagnostic>> {
    let config = Config::load(root_dir).map_err(|d| vec![d])?;
    let edition = config.edition(edition).map_err(|d| vec![d])?;
    load_edition(&config, &edition)
}

/// Reads one edition of a configured report and runs the passes on it.
pub fn load_edition(config: &Config, edition: &Edition) -> Result<Loaded, Vec<Diagnostic>> {
    let mut loaded = input::load_edition(config, edition)?;
    run(&mut loaded);
    if loaded.diagnostics.iter().any(Diagnostic::is_error) && loaded.report.articles().next().is_none() {
        return Err(loaded.diagnostics);
    }
    Ok(loaded)
}

/// The passes, in order, over a report just read.
pub fn run(loaded: &mut Loaded) {
    let Loaded { root, manifest, report, diagnostics } = loaded;
    let image_check = links::image_check(root);
    let labels = numbering::run(report);
    diagnostics.extend(links::resolve(report, manifest, &labels, &image_check));
    diagnostics.extend(glossary::process(report, manifest));
    diagnostics.extend(citations::process(report, manifest, root));
    contributors::process(report, manifest);
    // Under PDF/UA-1 a missing alt text is an error (it replaces the warning).
    let required = standards::check(report, manifest);
    diagnostics.retain(|w| {
        w.is_error() || !required.iter().any(|e| e.file == w.file && e.line == w.line && e.column == w.column)
    });
    diagnostics.extend(required);
}
