//! `[build.pdf] standards` in typst's terms, and the check that typst can
//! combine them (which `config`, knowing nothing of typst, cannot make).

use std::path::Path;

use crate::config::{Config, MANIFEST, PdfStandard};
use crate::diag::Diagnostic;
use crate::lint;

/// typst's representation of `[build.pdf] standards`; the error says why
/// the list cannot be combined (two PDF/A levels, two PDF versions...).
pub fn typst(list: &[PdfStandard]) -> Result<typst_pdf::PdfStandards, String> {
    use typst_pdf::PdfStandard as T;
    let list: Vec<T> = list
        .iter()
        .map(|s| match s {
            PdfStandard::V1_4 => T::V_1_4,
            PdfStandard::V1_5 => T::V_1_5,
            PdfStandard::V1_6 => T::V_1_6,
            PdfStandard::V1_7 => T::V_1_7,
            PdfStandard::V2_0 => T::V_2_0,
            PdfStandard::A1b => T::A_1b,
            PdfStandard::A1a => T::A_1a,
            PdfStandard::A2b => T::A_2b,
            PdfStandard::A2u => T::A_2u,
            PdfStandard::A2a => T::A_2a,
            PdfStandard::A3b => T::A_3b,
            PdfStandard::A3u => T::A_3u,
            PdfStandard::A3a => T::A_3a,
            PdfStandard::A4 => T::A_4,
            PdfStandard::A4f => T::A_4f,
            PdfStandard::A4e => T::A_4e,
            PdfStandard::Ua1 => T::Ua_1,
        })
        .collect();
    typst_pdf::PdfStandards::new(&list).map_err(|e| {
        let mut message = e.message().to_string();
        for hint in e.hints() {
            message.push_str(&format!(" ({hint})"));
        }
        message
    })
}

/// Whether typst can combine the standards `book.toml` asks for; the error
/// points at `standards` in book.toml.
pub fn check(config: &Config) -> Result<(), Diagnostic> {
    let Err(message) = typst(&config.manifest.build.pdf.standards) else { return Ok(()) };
    let mut d = Diagnostic::new(&lint::INVALID_MANIFEST, format!("`build.pdf.standards`: {message}"))
        .with_file(Path::new(MANIFEST))
        .with_hint("combine at most one PDF/A level with \"ua-1\", e.g. standards = [\"a-2b\", \"ua-1\"]");
    if let Some(span) = crate::config::find_key(&config.text, "standards") {
        d = d.with_span(&config.text, span);
    }
    Err(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(standards: &str) -> Config {
        let text = format!("front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\nstandards = {standards}\n");
        let manifest = crate::config::Manifest::parse(&text, Path::new(MANIFEST)).unwrap();
        let root = crate::fsutil::Root::new(Path::new(".")).unwrap();
        Config { root, text, manifest }
    }

    #[test]
    fn combinations() {
        assert!(check(&config("[\"a-2b\", \"ua-1\"]")).is_ok());
        let err = check(&config("[\"a-2b\", \"a-3b\"]")).unwrap_err();
        assert_eq!(err.message, "`build.pdf.standards`: choose at most one PDF/A standard");
        assert_eq!(err.line, Some(5));
    }
}
