//! The standards pass: what `[build.pdf] standards` require of the markdown,
//! checked on the document model before typesetting, so that errors name
//! the markdown file and line (typst would name its own location).

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::lint;
use crate::model::{ImageSrc, Report};

/// What the configured standards require of the markdown, checked on the
/// document model before typesetting so that errors name the markdown file
/// and line (typst would name its own internal location): under PDF/UA-1,
/// every image that is typeset needs alt text, unless it is decorative.
pub fn check(report: &Report, manifest: &Manifest) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !manifest.build.pdf.ua1() {
        return out;
    }
    for article in report.articles() {
        for image in article.images() {
            // A decorative image is typeset as an artifact: it needs none.
            if let ImageSrc::Local(src) = &image.src
                && image.alt.trim().is_empty()
                && !image.decorative
            {
                out.push(
                    Diagnostic::new(
                        &lint::PDF_STANDARD,
                        format!("image `{src}` has no alt text, which PDF/UA-1 requires"),
                    )
                    .with_file(&article.path)
                    .with_position(image.line, image.column)
                    .with_hint(
                        "describe the image for readers who cannot see it: ![description](path); \
                         an image that only decorates takes <img src=\"path\" alt=\"\">",
                    ),
                );
            }
        }
    }
    out
}
