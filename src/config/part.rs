//! `[[part]]`: the numbered parts of the report, in order.

use serde::Deserialize;

/// One `[[part]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PartConfig {
    pub title: Option<String>,
    #[serde(default)]
    pub articles: Vec<String>,
}
