//! Translation status: which version of its original each translated
//! article translates. `translations.lock`, beside book.toml, records for
//! each edition and article the SHA-256 of the original's text when the
//! translation was last marked current (`coala-report translations mark`);
//! an original that changed since is a stale translation.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::{Config, Edition};
use crate::diag::Diagnostic;
use crate::lint;

/// The lock file's name, beside book.toml.
pub const LOCK: &str = "translations.lock";

/// `translations.lock`: edition tag → article (as book.toml lists it) → hash.
pub type Records = BTreeMap<String, BTreeMap<String, String>>;

/// Where one article of one translated edition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Translated, from the original as it is now.
    Current,
    /// Translated from an older version of the original.
    Stale,
    /// Translated, but nothing records from which version.
    Unknown,
    /// Not translated: printed in the original language with a note.
    Missing,
}

/// One article of one translated edition.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub edition: String,
    pub article: String,
    pub state: State,
    /// The original, from the report's root.
    pub original: String,
    /// The translation, from the report's root.
    pub translation: String,
    /// The original's words (what is left to translate when not current).
    pub words: usize,
}

/// Reads `translations.lock` (empty when there is none).
pub fn read_records(config: &Config) -> Result<Records, Diagnostic> {
    let path = config.root.path().join(LOCK);
    if !path.is_file() {
        return Ok(Records::new());
    }
    let text = crate::fsutil::read_text(&path, Path::new(LOCK))?;
    toml::from_str(&text).map_err(|e| {
        let d = Diagnostic::new(&lint::INVALID_MANIFEST, format!("`{LOCK}` cannot be read: {}", e.message().trim()))
            .with_file(LOCK)
            .with_hint("it is written by `coala-report translations mark`; restore it from version control");
        match e.span() {
            Some(span) => d.with_span(&text, span),
            None => d,
        }
    })
}

/// Writes `translations.lock` atomically.
pub fn write_records(config: &Config, records: &Records) -> Result<(), Diagnostic> {
    let mut text = String::from(
        "# Which version of its original each translated article translates: the\n\
         # SHA-256 of the original's text when the translation was marked current.\n\
         # Written by `coala-report translations mark`; keep it in version control.\n\n",
    );
    text.push_str(&toml::to_string(records).unwrap_or_default());
    crate::fsutil::write_atomic(&config.root.path().join(LOCK), text.as_bytes())
}

/// The hash recorded for a text: SHA-256 of its content, line endings and
/// a byte-order mark aside.
pub fn fingerprint(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every article of every translated edition (or of those in `only`).
pub fn statuses(config: &Config, records: &Records, only: &[Edition]) -> Vec<Status> {
    let mut out = Vec::new();
    let original_src = &config.manifest.book.src;
    for edition in config.editions().iter().filter(|e| e.tag.is_some()) {
        if !only.is_empty() && !only.iter().any(|o| o.tag == edition.tag) {
            continue;
        }
        let tag = edition.tag.clone().unwrap_or_default();
        for article in articles(&config.manifest) {
            let original = join(original_src, &article);
            let translation = join(&edition.manifest.book.src, &article);
            let original_text = read(config, &original).unwrap_or_default();
            let words = original_text.split_whitespace().count();
            let translated = config.root.resolve(&translation).is_ok_and(|p| p.is_file());
            let state = match (translated, records.get(&tag).and_then(|r| r.get(&article))) {
                (false, _) => State::Missing,
                (true, None) => State::Unknown,
                (true, Some(hash)) if *hash == fingerprint(&original_text) => State::Current,
                (true, Some(_)) => State::Stale,
            };
            out.push(Status { edition: tag.clone(), article, state, original, translation, words });
        }
    }
    out
}

/// The diagnostics of translation status: a stale translation names its
/// original; an unrecorded one is reported once per article.
pub fn diagnostics(statuses: &[Status]) -> Vec<Diagnostic> {
    statuses
        .iter()
        .filter_map(|s| {
            let (lint, message, hint) = match s.state {
                State::Stale => (
                    &lint::STALE_TRANSLATION,
                    format!("`{}` translates an older version of `{}`", s.translation, s.original),
                    format!(
                        "see what changed with `coala-report translations diff {} {}`, update the translation, \
                         then `coala-report translations mark {} {}`",
                        s.edition, s.article, s.edition, s.article
                    ),
                ),
                State::Unknown => (
                    &lint::UNKNOWN_TRANSLATION_VERSION,
                    format!("`{}`: the version of `{}` it translates is unknown", s.translation, s.original),
                    format!(
                        "once the translation is reviewed against the original, record it: \
                         `coala-report translations mark {} {}`",
                        s.edition, s.article
                    ),
                ),
                State::Current | State::Missing => return None,
            };
            Some(Diagnostic::new(lint, message).with_file(&s.translation).with_line(1).with_hint(hint))
        })
        .collect()
}

/// The articles book.toml lists, in order, as it writes them.
pub fn articles(manifest: &crate::config::Manifest) -> Vec<String> {
    let parts = manifest.parts.iter().flat_map(|p| p.articles.iter());
    manifest.front.iter().chain(parts).chain(manifest.back.iter()).cloned().collect()
}

fn join(src: &str, rel: &str) -> String {
    let src = src.trim_end_matches('/');
    if src.is_empty() || src == "." { rel.to_string() } else { format!("{src}/{rel}") }
}

fn read(config: &Config, rel: &str) -> Option<String> {
    crate::input::article_text(&config.root, rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_line_endings_and_bom() {
        assert_eq!(fingerprint("a\r\nb\n"), fingerprint("\u{feff}a\nb\n"));
        assert_ne!(fingerprint("a\nb\n"), fingerprint("a\nc\n"));
        assert_eq!(fingerprint("").len(), 64);
    }
}
