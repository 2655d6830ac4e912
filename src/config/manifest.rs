//! The whole of `book.toml`: its tables, parsed and checked.
//!
//! Unknown keys are errors (`deny_unknown_fields`), reported with the file,
//! line, column and the list of keys that are allowed.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{
    BookMeta, BuildConfig, CitationConfig, GlossaryConfig, LinksConfig, PartConfig, TranslationConfig, is_language_tag,
    normalize_doi,
};
use crate::diag::Diagnostic;
use crate::lint;

/// The whole manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    pub book: BookMeta,
    #[serde(default)]
    pub build: BuildConfig,
    /// Unnumbered articles before the first part (foreword, session report...).
    #[serde(default)]
    pub front: Vec<String>,
    /// The numbered parts, in order.
    #[serde(default, rename = "part")]
    pub parts: Vec<PartConfig>,
    /// Articles after the last part (glossary, contributors...).
    #[serde(default)]
    pub back: Vec<String>,
    #[serde(default)]
    pub glossary: GlossaryConfig,
    #[serde(default, rename = "bibliography")]
    pub citations: CitationConfig,
    /// `[links]`: how `check --links` checks the external links.
    #[serde(default)]
    pub links: LinksConfig,
    /// `[translations.<language>]`: translated editions, built beside the
    /// original (`report.es.pdf`, `report.es.epub`).
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, TranslationConfig>,
    /// `[diagnostics]`: the level of each named diagnostic (`broken-anchor =
    /// "deny"`, `raw-html = "allow"`); see [`crate::lint`].
    #[serde(default)]
    pub diagnostics: std::collections::BTreeMap<String, lint::Level>,
}

impl Manifest {
    /// Parses manifest text. `path` is only used in diagnostics.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, Diagnostic> {
        let manifest: Manifest = toml::from_str(text).map_err(|err| {
            let (message, hint) = split_serde_message(&err.message().replace('\n', "; "));
            let mut diag = Diagnostic::new(&lint::INVALID_MANIFEST, message).with_file(path);
            if let Some(span) = err.span() {
                diag = diag.with_span(text, span);
            }
            match hint {
                Some(hint) => diag.with_hint(hint),
                None => diag.with_hint("see the manifest reference: docs/manifest.md"),
            }
        })?;
        manifest.check(text, path)?;
        Ok(manifest)
    }

    /// Checks what serde cannot: values that parse but make no sense.
    fn check(&self, text: &str, path: &Path) -> Result<(), Diagnostic> {
        let at = |key: &str| -> Diagnostic {
            let diag = Diagnostic::new(&lint::INVALID_MANIFEST, String::new()).with_file(path);
            match find_key(text, key) {
                Some(span) => diag.with_span(text, span),
                None => diag,
            }
        };
        if self.book.title.trim().is_empty() {
            return Err(at("title")
                .with_message("`book.title` is empty")
                .with_hint("give the report a title: title = \"Annual Report\""));
        }
        if let Some(date) = &self.book.date
            && crate::dates::parse_iso_date(date).is_none()
        {
            return Err(at("date")
                .with_message(format!("`book.date` is not an ISO 8601 date: `{date}`"))
                .with_hint("write the date as YYYY-MM-DD, e.g. date = \"2016-12-08\""));
        }
        if !is_language_tag(&self.book.language) {
            return Err(at("language")
                .with_message(format!("`book.language` is not a BCP 47 language tag: `{}`", self.book.language))
                .with_hint("use a tag such as \"en\", \"es\" or \"pt-BR\""));
        }
        for (tag, translation) in &self.translations {
            if !is_language_tag(tag) || tag == &self.book.language {
                return Err(at("[translations")
                    .with_message(format!("`translations.{tag}` is not a language tag other than the book's"))
                    .with_hint("name each translation by its BCP 47 tag: [translations.es]"));
            }
            if translation.title.trim().is_empty() || translation.src.trim().is_empty() {
                return Err(Diagnostic::new(
                    &lint::INVALID_MANIFEST,
                    format!("`translations.{tag}` needs a `title` and a `src` folder"),
                )
                .with_file(path)
                .with_hint("e.g. title = \"Informe anual\", src = \"report/es\""));
            }
        }
        if self.front.is_empty() && self.back.is_empty() && self.parts.iter().all(|p| p.articles.is_empty()) {
            return Err(Diagnostic::new(&lint::INVALID_MANIFEST, "the manifest selects no article")
                .with_file(path)
                .with_hint(
                    "list articles in `front`, `back` or a `[[part]]`'s `articles`, \
                     e.g. front = [\"foreword.md\"]",
                ));
        }
        if let Some(name) = &self.build.name
            && (name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.'))
        {
            return Err(at("name")
                .with_message(format!("`build.name` is not a plain file name: `{name}`"))
                .with_hint("use a name such as \"coala-report-2016\", without slashes"));
        }
        let urls = std::iter::once(("url", &self.book.url)).chain(self.translations.values().map(|t| ("url", &t.url)));
        for (key, url) in urls {
            if let Some(url) = url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(at(key).with_message(format!("`{key}` is not an http(s) address: `{url}`")).with_hint(
                    "give the web edition's full address, e.g. url = \"https://example.org/report-2016/\"",
                ));
            }
        }
        let dois = std::iter::once(&self.book.doi).chain(self.translations.values().map(|t| &t.doi));
        for doi in dois.flatten() {
            if normalize_doi(doi).is_none() {
                return Err(at("doi")
                    .with_message(format!("`doi` is not a DOI: `{doi}`"))
                    .with_hint("write the DOI alone, e.g. doi = \"10.5281/zenodo.1234567\""));
            }
        }
        if let Some((key, message, hint)) = self.links.problem() {
            return Err(at(key).with_message(message).with_hint(hint));
        }
        Ok(())
    }

    /// The source folder of the articles (relative to the root).
    pub fn src_dir(&self) -> PathBuf {
        PathBuf::from(&self.book.src)
    }
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into a
/// message and a hint.
fn split_serde_message(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    if let Some((head, tail)) = message.split_once(", expected one of ")
        && head.starts_with("unknown variant")
    {
        return (head.replace("unknown variant", "unknown value"), Some(format!("the values allowed here are {tail}")));
    }
    if let Some((head, tail)) = message.split_once(", expected one of ") {
        return (head.to_string(), Some(format!("the keys allowed here are {tail}")));
    }
    if let Some((head, tail)) = message.split_once(", expected ") {
        return (head.to_string(), Some(format!("expected {tail}")));
    }
    (message.to_string(), None)
}

/// Finds the byte span of the first `key =` in `text` (for diagnostics).
pub fn find_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
}
