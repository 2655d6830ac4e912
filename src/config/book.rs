//! `[book]`: the report's metadata.

use serde::Deserialize;

/// `[book]`: the report's metadata.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub edition: Option<String>,
    #[serde(default)]
    pub editors: Vec<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    /// ISO 8601 date (`YYYY-MM-DD`).
    pub date: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub license: Option<String>,
    pub identifier: Option<String>,
    /// Cover image, relative to the report root.
    pub cover: Option<String>,
    /// Bibliography for citations (`[@key]`): BibTeX/BibLaTeX (`.bib`) or
    /// Hayagriva YAML (`.yml`, `.yaml`), relative to the report root.
    pub bibliography: Option<String>,
    /// Folder of the articles, relative to the report root.
    #[serde(default = "default_src")]
    pub src: String,
    /// The address of the web edition (the folder of its `index.html`):
    /// citations carry it, and offprints link other articles there.
    pub url: Option<String>,
    /// The report's DOI (`10.1234/abcd`), carried by its citations.
    pub doi: Option<String>,
}

fn default_language() -> String {
    "en".into()
}

fn default_src() -> String {
    "report".into()
}
