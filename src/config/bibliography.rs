//! `[bibliography]`: how citations and reference lists are formatted.

use serde::Deserialize;

/// `[bibliography]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CitationConfig {
    /// A CSL style that typst ships (`apa`, `chicago-author-date`, `ieee`...).
    #[serde(default = "default_citation_style")]
    pub style: String,
    /// `article` (default): a reference list closes each article that cites;
    /// `end`: one list at the end of the report.
    #[serde(default)]
    pub placement: ReferencesPlacement,
    /// The heading of the reference lists; default: "References" in the
    /// report's language.
    pub title: Option<String>,
}

impl Default for CitationConfig {
    fn default() -> Self {
        Self { style: default_citation_style(), placement: ReferencesPlacement::default(), title: None }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferencesPlacement {
    #[default]
    Article,
    End,
}

fn default_citation_style() -> String {
    "apa".into()
}
