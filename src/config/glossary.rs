//! `[glossary]`: how articles refer to the glossary.

use serde::Deserialize;

/// `[glossary]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GlossaryConfig {
    /// `none` (default): only explicit links to entries are references;
    /// `first-use`: the first use of each term in each article is linked too.
    #[serde(default)]
    pub link: GlossaryLink,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GlossaryLink {
    #[default]
    None,
    FirstUse,
}
