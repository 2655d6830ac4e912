//! The contributors list: every article author, with their affiliations and
//! the articles each wrote, generated into the article of
//! `kind = "contributors"` (after its own text), wherever the manifest
//! places that article. Built in the document model, so the PDF and the
//! EPUB show the same list.

use std::collections::BTreeMap;

use crate::config::Manifest;
use crate::model::Kind;
use crate::model::{Block, BlockKind, Inline, LinkDest, ListItem, Report};
use crate::passes::glossary::collation_key;

/// The anchor of the generated section.
pub const ANCHOR: &str = "authors-and-their-articles";

struct Contributor {
    name: String,
    affiliations: Vec<String>,
    /// (article id, title inlines)
    articles: Vec<(String, Vec<Inline>)>,
}

/// Appends the generated list to the contributors article, if there is one.
pub fn process(report: &mut Report, manifest: &Manifest) {
    let Some(target) = report.articles().find(|a| a.meta.kind == Kind::Contributors).map(|a| a.id.clone()) else {
        return;
    };
    let mut people: BTreeMap<(String, String), Contributor> = BTreeMap::new();
    for article in report.articles().filter(|a| a.id != target) {
        for author in &article.meta.authors {
            let name = author.name.trim();
            if name.is_empty() {
                continue;
            }
            let entry = people.entry(collation_key(name)).or_insert_with(|| Contributor {
                name: name.to_string(),
                affiliations: Vec::new(),
                articles: Vec::new(),
            });
            if let Some(aff) = author.affiliation.as_deref().map(str::trim).filter(|a| !a.is_empty())
                && !entry.affiliations.iter().any(|a| a == aff)
            {
                entry.affiliations.push(aff.to_string());
            }
            if !entry.articles.iter().any(|(id, _)| id == &article.id) {
                entry.articles.push((article.id.clone(), article.title.clone()));
            }
        }
    }
    if people.is_empty() {
        return;
    }
    let heading = crate::words::Labels::for_language(&manifest.book.language).authors_and_articles;
    let Some(article) = report.articles_mut().find(|a| a.id == target) else { return };
    let line = article.blocks.last().map_or(1, |b| b.line);
    let top = 1;
    article.blocks.push(Block {
        line,
        kind: BlockKind::Heading {
            level: top,
            id: ANCHOR.to_string(),
            numbered: true,
            listed: true,
            content: vec![Inline::Text(heading.into())],
        },
    });
    article.anchors.insert(ANCHOR.to_string());
    let items = people
        .into_values()
        .map(|person| {
            let mut inlines = vec![Inline::Strong(vec![Inline::Text(person.name)])];
            if !person.affiliations.is_empty() {
                inlines.push(Inline::Text(format!(", {}", person.affiliations.join("; "))));
            }
            inlines.push(Inline::Text(": ".into()));
            for (i, (id, title)) in person.articles.into_iter().enumerate() {
                if i > 0 {
                    inlines.push(Inline::Text("; ".into()));
                }
                inlines.push(Inline::Link {
                    dest: LinkDest::Internal { article: id, anchor: None },
                    content: vec![Inline::Emph(title)],
                    line,
                    column: 1,
                });
            }
            ListItem { task: None, blocks: vec![Block { line, kind: BlockKind::Paragraph(inlines) }] }
        })
        .collect();
    article.blocks.push(Block { line, kind: BlockKind::List { start: None, tight: true, items } });
}
