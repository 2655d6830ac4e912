//! `book.toml`: the report's configuration, one file per table (`book`,
//! `build`, `bibliography`, `glossary`, `links`, `part`, `translations`; `manifest`
//! holds them together and checks them), and the [`Config`] read once
//! before any work, with its [`Edition`]s.
//!
//! Unknown keys are errors (`deny_unknown_fields`), reported with the file,
//! line, column and the list of keys that are allowed.

mod bibliography;
mod book;
mod build;
mod glossary;
mod links;
mod manifest;
mod part;
mod translations;

use std::path::{Path, PathBuf};

pub use bibliography::{CitationConfig, ReferencesPlacement};
pub use book::BookMeta;
pub use build::{BuildConfig, Format, Paper, PdfConfig, PdfStandard};
pub use glossary::{GlossaryConfig, GlossaryLink};
pub use links::{LinksConfig, parse_age};
pub use manifest::{Manifest, find_key};
pub use part::PartConfig;
pub use translations::{TranslationConfig, translated};

use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;

/// The template a report uses when it has this file and no `[build] style`.
pub const DEFAULT_STYLE: &str = "styles/report.typ";

/// The manifest's file name.
pub const MANIFEST: &str = "book.toml";

/// A report's configuration, read once before any work: the report folder,
/// book.toml's text (for positions in diagnostics) and its manifest.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: Root,
    pub text: String,
    /// The original edition's manifest.
    pub manifest: Manifest,
}

/// One edition of the report: the original (`tag` `None`) or a
/// translation, with the manifest it is built from.
#[derive(Debug, Clone)]
pub struct Edition {
    pub tag: Option<String>,
    pub manifest: Manifest,
}

impl Edition {
    /// The file name of its artifacts, without extension: `[build] name`
    /// (`report`), with the translation's tag (`report.es`).
    pub fn name(&self) -> String {
        self.manifest.build.name.clone().unwrap_or_else(|| "report".to_string())
    }

    /// The date of reproducible artifacts, Unix seconds: `SOURCE_DATE_EPOCH`,
    /// else `[book] date` at midnight UTC.
    pub fn timestamp(&self) -> Option<i64> {
        if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH")
            && let Ok(secs) = value.trim().parse::<i64>()
        {
            return Some(secs);
        }
        let (y, m, d) = crate::dates::parse_iso_date(self.manifest.book.date.as_deref()?)?;
        Some(crate::dates::days_from_civil(y, m, d) * 86_400)
    }
}

impl Config {
    /// Opens the report folder and reads its book.toml.
    pub fn load(root_dir: &Path) -> Result<Config, Diagnostic> {
        let root = Root::new(root_dir)?;
        let path = root.path().join(MANIFEST);
        if !path.is_file() {
            return Err(Diagnostic::new(
                &lint::INVALID_MANIFEST,
                format!("no `{MANIFEST}` in `{}`", root.path().display()),
            )
            .with_hint("run coala-report in the report's folder, or pass the folder: coala-report build PATH"));
        }
        let text = crate::fsutil::read_text(&path, Path::new(MANIFEST))?;
        let manifest = Manifest::parse(&text, Path::new(MANIFEST))?;
        Ok(Config { root, text, manifest })
    }

    /// Every edition: the original, then each translation.
    pub fn editions(&self) -> Vec<Edition> {
        let tags = self.manifest.translations.keys();
        std::iter::once(None).chain(tags.map(|t| Some(t.as_str()))).filter_map(|tag| self.edition(tag).ok()).collect()
    }

    /// The editions named by language (`--edition`: the original's
    /// language or a translation's tag), in the manifest's order; all of
    /// them when none is named. An unknown one is an error naming the others.
    pub fn select(&self, languages: &[String]) -> Result<Vec<Edition>, Diagnostic> {
        let all = self.editions();
        let language = |e: &Edition| e.manifest.book.language.clone();
        if let Some(unknown) = languages.iter().find(|l| !all.iter().any(|e| language(e) == **l)) {
            let known: Vec<String> = all.iter().map(language).collect();
            return Err(Diagnostic::new(
                &lint::INVALID_MANIFEST,
                format!("--edition {unknown}: the report has no such edition"),
            )
            .with_hint(format!(
                "its editions are {} (the original's language, then [translations])",
                known.join(", ")
            )));
        }
        Ok(all.into_iter().filter(|e| languages.is_empty() || languages.contains(&language(e))).collect())
    }

    /// The original (`None`) or the translation `tag`.
    pub fn edition(&self, tag: Option<&str>) -> Result<Edition, Diagnostic> {
        let manifest = match tag {
            None => self.manifest.clone(),
            Some(tag) => translated(&self.manifest, tag).ok_or_else(|| {
                Diagnostic::new(&lint::INVALID_MANIFEST, format!("no translation `{tag}` in {MANIFEST}"))
                    .with_file(MANIFEST)
            })?,
        };
        Ok(Edition { tag: tag.map(str::to_string), manifest })
    }

    /// The folder the artifacts are written to: `out` (`--out`), else
    /// `[build] build-dir` in the report folder. The one place that says so.
    pub fn out_dir(&self, out: Option<&Path>) -> PathBuf {
        match out {
            Some(out) => out.to_path_buf(),
            None => self.root.path().join(&self.manifest.build.build_dir),
        }
    }
}

/// A DOI without its resolver (`https://doi.org/`, `doi:`): `10.<digits>/<suffix>`
/// without white space, or `None` when it is not one.
pub fn normalize_doi(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let start = ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or(0, |p| p.len());
    let doi = text[start..].trim();
    let (prefix, suffix) = doi.split_once('/')?;
    let registrant = prefix.strip_prefix("10.")?;
    let ok = !registrant.is_empty()
        && registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !suffix.is_empty()
        && !doi.chars().any(char::is_whitespace);
    ok.then(|| doi.to_string())
}

/// A loose check of a BCP 47 tag: alphanumeric subtags of 1-8 characters,
/// a primary language subtag of 2-3 letters.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(primary) = parts.next() else { return false };
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert!(is_language_tag("en"));
        assert!(is_language_tag("pt-BR"));
        assert!(!is_language_tag("en_US.UTF-8"));
        assert!(!is_language_tag(""));
    }

    #[test]
    fn dois_and_urls() {
        assert_eq!(normalize_doi("10.5281/zenodo.12").as_deref(), Some("10.5281/zenodo.12"));
        assert_eq!(normalize_doi(" https://doi.org/10.1000/X(1) ").as_deref(), Some("10.1000/X(1)"));
        assert_eq!(normalize_doi("doi:10.1.2/a").as_deref(), Some("10.1.2/a"));
        for bad in ["", "10.5281", "11.1/x", "10.x/y", "10.1/a b", "https://example.org/10.1/x"] {
            assert_eq!(normalize_doi(bad), None, "{bad}");
        }
        let base = "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n";
        let err = Manifest::parse(&format!("{base}url = \"ftp://x\"\n"), Path::new("book.toml")).unwrap_err();
        assert!(err.message.contains("not an http(s) address") && err.line.is_some(), "{err:?}");
        let err = Manifest::parse(&format!("{base}doi = \"doi\"\n"), Path::new("book.toml")).unwrap_err();
        assert!(err.message.contains("not a DOI"), "{err:?}");
        let ok = Manifest::parse(&format!("{base}url = \"https://x.org/r/\"\ndoi = \"10.1/a\"\n"), Path::new("b"));
        assert_eq!(ok.unwrap().book.url.as_deref(), Some("https://x.org/r/"));
    }

    #[test]
    fn pdf_standards() {
        let base = "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\n";
        let ok = Manifest::parse(&format!("{base}standards = [\"a-2b\", \"ua-1\"]\n"), Path::new("book.toml")).unwrap();
        assert_eq!(ok.build.pdf.standards, [PdfStandard::A2b, PdfStandard::Ua1]);
        assert!(ok.build.pdf.ua1());
        let err = Manifest::parse(&format!("{base}standards = [\"a-9z\"]\n"), Path::new("book.toml")).unwrap_err();
        assert_eq!(err.message, "unknown value `a-9z`");
        assert!(err.hint.as_deref().unwrap().starts_with("the values allowed here are `1.4`"), "{:?}", err.hint);
        assert!(err.hint.as_deref().unwrap().contains("`a-2b`") && err.hint.as_deref().unwrap().contains("`ua-1`"));
        assert_eq!(err.line, Some(5));
    }

    #[test]
    fn unknown_key_names_the_allowed_keys() {
        let text = "[book]\ntitle = \"T\"\ntitel = \"x\"\n";
        let err = Manifest::parse(text, Path::new("book.toml")).unwrap_err();
        assert!(err.message.contains("unknown field `titel`"), "{}", err.message);
        assert!(err.hint.as_deref().unwrap().contains("`subtitle`"));
        assert_eq!(err.line, Some(3));
        assert_eq!(err.column, Some(1));
    }
}
