//! Works cited through Zotero or Mendeley (CSL JSON in their Word fields)
//! as BibTeX, which the report's citations pass reads like its own
//! bibliography file and `import` adds to it. Written with the `biblatex`
//! crate, which escapes the fields.

use biblatex::{Chunk, EntryType, Spanned};
use serde_json::Value;

/// The BibTeX of CSL JSON items, each under its `id`.
pub fn to_bibtex(items: &[Value]) -> String {
    let mut bibliography = biblatex::Bibliography::new();
    for item in items {
        if let Some(entry) = entry(item) {
            bibliography.insert(entry);
        }
    }
    bibliography.to_bibtex_string()
}

fn entry(item: &Value) -> Option<biblatex::Entry> {
    let key = item.get("id")?.as_str()?.to_string();
    let kind = match item.get("type").and_then(Value::as_str).unwrap_or("") {
        "article-journal" | "article-magazine" | "article-newspaper" | "article" => EntryType::Article,
        "book" => EntryType::Book,
        "chapter" | "entry-encyclopedia" | "entry-dictionary" => EntryType::InCollection,
        "paper-conference" => EntryType::InProceedings,
        "report" => EntryType::Report,
        "thesis" => EntryType::Thesis,
        "webpage" | "post-weblog" | "post" => EntryType::Online,
        _ => EntryType::Misc,
    };
    let container = if kind == EntryType::Article { "journal" } else { "booktitle" };
    let mut entry = biblatex::Entry::new(key, kind);
    let text = |v: &str| vec![Spanned::zero(Chunk::Normal(v.to_string()))];
    for (csl, field) in [
        ("title", "title"),
        ("container-title", container),
        ("volume", "volume"),
        ("issue", "number"),
        ("publisher", "publisher"),
        ("publisher-place", "location"),
        ("edition", "edition"),
        ("ISBN", "isbn"),
        ("ISSN", "issn"),
        ("collection-title", "series"),
    ] {
        if let Some(value) = item.get(csl).and_then(scalar) {
            entry.set(field, text(&value));
        }
    }
    if let Some(page) = item.get("page").and_then(scalar) {
        entry.set("pages", vec![Spanned::zero(Chunk::Verbatim(page.replace('-', "--").replace("----", "--")))]);
    }
    if let Some(doi) = item.get("DOI").and_then(scalar) {
        entry.set("doi", vec![Spanned::zero(Chunk::Verbatim(doi))]);
    }
    if let Some(url) = item.get("URL").and_then(scalar) {
        entry.set("url", vec![Spanned::zero(Chunk::Verbatim(url))]);
    }
    for (csl, field) in [("author", "author"), ("editor", "editor")] {
        if let Some(names) = item.get(csl).and_then(Value::as_array) {
            let mut chunks = Vec::new();
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    chunks.push(Spanned::zero(Chunk::Normal(" and ".into())));
                }
                let family = name.get("family").and_then(Value::as_str);
                let given = name.get("given").and_then(Value::as_str);
                let literal = name.get("literal").and_then(Value::as_str);
                chunks.push(Spanned::zero(match (family, given, literal) {
                    (Some(f), Some(g), _) => Chunk::Normal(format!("{f}, {g}")),
                    (Some(f), None, _) => Chunk::Verbatim(f.to_string()),
                    (None, _, Some(l)) => Chunk::Verbatim(l.to_string()),
                    _ => continue,
                }));
            }
            if !chunks.is_empty() {
                entry.set(field, chunks);
            }
        }
    }
    if let Some(parts) =
        item.get("issued").and_then(|i| i.get("date-parts")).and_then(|d| d.get(0)).and_then(Value::as_array)
    {
        let year = parts.first().and_then(scalar);
        let month = parts.get(1).and_then(scalar).and_then(|m| m.parse::<u8>().ok());
        let day = parts.get(2).and_then(scalar).and_then(|d| d.parse::<u8>().ok());
        if let Some(year) = year {
            let date = match (month, day) {
                (Some(m), Some(d)) => format!("{year}-{m:02}-{d:02}"),
                (Some(m), None) => format!("{year}-{m:02}"),
                _ => year,
            };
            entry.set("date", vec![Spanned::zero(Chunk::Verbatim(date))]);
        }
    }
    Some(entry)
}

/// A string or number as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zotero_item_reads_back_through_hayagriva() {
        let item = serde_json::json!({
            "id": "nakamoto2008", "type": "report", "title": "Bitcoin: A Peer-to-Peer {Electronic} Cash System",
            "author": [{"family": "Nakamoto", "given": "Satoshi"}], "issued": {"date-parts": [["2008", 10, 31]]},
            "URL": "https://bitcoin.org/bitcoin.pdf", "page": "1-9"
        });
        let bib = to_bibtex(&[item]);
        let library = hayagriva::io::from_biblatex_str(&bib).expect(&bib);
        let entry = library.get("nakamoto2008").expect("the key");
        assert_eq!(
            entry.title().map(|t| t.value.to_string()).as_deref(),
            Some("Bitcoin: A Peer-to-Peer {Electronic} Cash System")
        );
        assert_eq!(entry.authors().map(|a| a[0].name.clone()).as_deref(), Some("Nakamoto"));
        assert_eq!(entry.date().map(|d| d.year), Some(2008));
    }
}
