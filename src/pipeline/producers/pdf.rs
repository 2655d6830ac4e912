//! The report's PDF, exported from the typeset report.

use crate::config::Manifest;
use crate::output::pdf::{self, ExportOptions};
use crate::pipeline::outcome::ArtifactKind;
use crate::pipeline::producers::{Context, Output, Produced};
use crate::pipeline::stages::{Stage, timed};

pub fn produce(ctx: &Context) -> Produced {
    let mut produced = Produced::default();
    let Some((world, document, emitted)) = ctx.laid_out() else { return produced };
    let options = export_options(ctx.manifest, ctx.plan.timestamp);
    let (exported, took) = timed(ctx.progress, Stage::PdfExport, || pdf::export(world, emitted, document, &options));
    let pages = document.pages().len();
    produced
        .result(exported.map(|bytes| Output::file(ArtifactKind::Pdf, ctx.plan.paths.pdf.clone(), bytes, Some(pages))));
    produced.time(Stage::PdfExport, took);
    produced
}

/// The PDF export's options from the manifest: the report's and each
/// offprint's.
pub fn export_options(manifest: &Manifest, timestamp: Option<i64>) -> ExportOptions {
    let book = &manifest.book;
    let ident = book
        .identifier
        .clone()
        .unwrap_or_else(|| format!("{} {}", book.title, book.edition.clone().unwrap_or_default()));
    ExportOptions { ident, timestamp, standards: manifest.build.pdf.standards.clone() }
}
