//! A session report's fact box (`[session]` in its front matter: the IGF
//! workshop report template's fields), read once for every output that
//! shows it as a table (the XHTML of the EPUB and the site, the Word
//! edition).

use serde_json::Value;

use crate::model::{Article, Kind};
use crate::words::Labels;

/// One entry of a row: a text, or a person with their affiliation.
pub struct Fact {
    pub text: String,
    pub affiliation: Option<String>,
}

/// One row of the box: its label, its entries, and whether they are a
/// numbered list (the key issues).
pub struct FactRow {
    pub label: &'static str,
    pub facts: Vec<Fact>,
    pub numbered: bool,
}

/// The rows of the fact box, in the template's order, without empty ones;
/// none when the article is not a session report or has no `[session]`.
pub fn session_facts(article: &Article, labels: &Labels) -> Vec<FactRow> {
    if article.meta.kind != Kind::SessionReport {
        return Vec::new();
    }
    let Some(Value::Object(session)) = article.meta.extra.get("session") else { return Vec::new() };
    let fields = [
        ("title", labels.session),
        ("type", labels.format),
        ("date", labels.date),
        ("time", labels.time),
        ("location", labels.place),
        ("organizers", labels.organizers),
        ("chair", labels.chair),
        ("rapporteur", labels.rapporteur),
        ("speakers", labels.speakers),
        ("key-issues", labels.key_issues),
    ];
    let mut rows = Vec::new();
    for (key, label) in fields {
        let facts: Vec<Fact> = match session.get(key) {
            Some(Value::Array(items)) => items.iter().filter_map(fact).collect(),
            Some(v) => fact(v).into_iter().collect(),
            None => Vec::new(),
        };
        if !facts.is_empty() {
            rows.push(FactRow { label, facts, numbered: key == "key-issues" });
        }
    }
    rows
}

fn fact(v: &Value) -> Option<Fact> {
    let (text, affiliation) = match v {
        Value::String(s) => (s.clone(), None),
        Value::Number(n) => (n.to_string(), None),
        Value::Bool(b) => (b.to_string(), None),
        Value::Object(o) => (
            o.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
            o.get("affiliation").and_then(Value::as_str).map(str::to_string),
        ),
        _ => (String::new(), None),
    };
    (!text.is_empty() || affiliation.is_some()).then_some(Fact { text, affiliation })
}
