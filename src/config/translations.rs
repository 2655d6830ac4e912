//! `[translations.<language>]`: the translated editions, and the manifest
//! each is built from.

use serde::Deserialize;

use crate::config::Manifest;

/// `[translations.<language>]`: one translated edition. An article missing
/// from its folder is the original's, with a note in the edition's language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TranslationConfig {
    pub title: String,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    /// The folder of the translated articles (same file names as `src`).
    pub src: String,
    /// The titles of the parts, in order (default: the original's).
    #[serde(default)]
    pub part_titles: Vec<String>,
    /// The address of this edition's web edition (`[book] url` is the
    /// original's); without it, its offprints link to its PDF.
    pub url: Option<String>,
    /// This edition's DOI, when it has its own.
    pub doi: Option<String>,
}

/// The manifest of the translated edition `tag`: its title, language,
/// article folder and part titles; its artifacts are `<name>.<tag>.*`.
pub fn translated(original: &Manifest, tag: &str) -> Option<Manifest> {
    let t = original.translations.get(tag)?;
    let mut m = original.clone();
    m.book.title = t.title.clone();
    m.book.subtitle = t.subtitle.clone().or(m.book.subtitle);
    m.book.description = t.description.clone().or(m.book.description);
    m.book.language = tag.to_string();
    m.book.src = t.src.clone();
    m.book.identifier = m.book.identifier.map(|id| format!("{id}-{tag}"));
    m.book.url = t.url.clone();
    m.book.doi = t.doi.clone();
    for (part, title) in m.parts.iter_mut().zip(&t.part_titles) {
        part.title = Some(title.clone());
    }
    m.build.name = Some(format!("{}.{tag}", original.build.name.as_deref().unwrap_or("report")));
    m.translations.clear();
    Some(m)
}
