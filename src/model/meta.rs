//! What an article's front matter says of it: title, authors, date, kind...
//! (typed here; read by `crate::input::frontmatter`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// Typed front matter of one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<Author>,
    pub date: Option<String>,
    pub abstract_: Option<String>,
    pub keywords: Vec<String>,
    pub kind: Kind,
    pub language: Option<String>,
    /// Every key that is not one of the above, kept as data.
    pub extra: BTreeMap<String, Value>,
}

/// An article author.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub name: String,
    pub affiliation: Option<String>,
    pub email: Option<String>,
    pub orcid: Option<String>,
}

/// What an article is; decides how it is presented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Article,
    PolicyAnalysis,
    SessionReport,
    Foreword,
    Glossary,
    Contributors,
    Other(String),
}

impl Kind {
    pub fn parse(text: &str) -> Kind {
        match text {
            "article" => Kind::Article,
            "policy-analysis" => Kind::PolicyAnalysis,
            "session-report" => Kind::SessionReport,
            "foreword" => Kind::Foreword,
            "glossary" => Kind::Glossary,
            "contributors" => Kind::Contributors,
            other => Kind::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Kind::Article => "article",
            Kind::PolicyAnalysis => "policy-analysis",
            Kind::SessionReport => "session-report",
            Kind::Foreword => "foreword",
            Kind::Glossary => "glossary",
            Kind::Contributors => "contributors",
            Kind::Other(s) => s,
        }
    }

    pub const KNOWN: &'static str = "article, policy-analysis, session-report, foreword, glossary, contributors";
}
