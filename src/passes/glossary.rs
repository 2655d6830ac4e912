//! The glossary: the article of `kind = "glossary"`, one entry per top-level
//! heading. Computed here, once, in Rust (no typst iteration): entries sorted
//! by the report language's collation, links to entries counted as uses,
//! optional linking of each term's first use per article, warnings for unused
//! entries.
//!
//! In an entry, a paragraph starting with `Also:` lists aliases (comma
//! separated) and one starting with `See also:` links related entries.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::config::GlossaryLink;
use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::lint;
use crate::model::Kind;
use crate::model::{Article, Block, BlockKind, Inline, LinkDest, Report, plain_text};

/// One glossary entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The heading's anchor: how links name the entry.
    pub id: String,
    pub term: String,
    pub aliases: Vec<String>,
    pub line: usize,
}

/// Builds the glossary, rewrites the report in place, returns what it noticed.
pub fn process(report: &mut Report, manifest: &Manifest) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let glossaries: Vec<(String, std::path::PathBuf)> =
        report.articles().filter(|a| a.meta.kind == Kind::Glossary).map(|a| (a.id.clone(), a.path.clone())).collect();
    let Some((glossary_id, _)) = glossaries.first().cloned() else { return diagnostics };
    for (_, path) in glossaries.iter().skip(1) {
        diagnostics.push(
            Diagnostic::new(
                &lint::DUPLICATE_GLOSSARY,
                "a report has one glossary, and this is a second article of kind \"glossary\"",
            )
            .with_file(path)
            .with_line(1)
            .with_hint(format!("merge it into `{}`, or give it another kind", glossaries[0].1.display())),
        );
    }
    let link_mode = manifest.glossary.link;
    let Some(glossary) = report.articles_mut().find(|a| a.id == glossary_id) else { return diagnostics };
    sort_entries(glossary);
    let entries = entries(glossary);
    let glossary_path = glossary.path.clone();

    let mut uses: HashMap<String, usize> = HashMap::new();
    for article in report.articles_mut().filter(|a| a.id != glossary_id) {
        if link_mode == GlossaryLink::FirstUse {
            link_first_uses(article, &glossary_id, &entries);
        }
        count_uses(article, &glossary_id, &mut uses);
    }
    for entry in &entries {
        if !uses.contains_key(&entry.id) {
            diagnostics.push(
                Diagnostic::new(
                    &lint::UNUSED_GLOSSARY_ENTRY,
                    format!("the glossary entry `{}` is never used", entry.term),
                )
                .with_file(&glossary_path)
                .with_line(entry.line)
                .with_hint(format!(
                    "link to it from an article with [{}]({}#{}), or remove it",
                    entry.term,
                    glossary_path.file_name().and_then(|f| f.to_str()).unwrap_or("glossary.md"),
                    entry.id
                )),
            );
        }
    }
    diagnostics
}

/// The entries of a glossary article, in order.
pub fn entries(article: &Article) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for block in &article.blocks {
        match &block.kind {
            BlockKind::Heading { level: 1, id, content, .. } => out.push(Entry {
                id: id.clone(),
                term: plain_text(content).trim().to_string(),
                aliases: Vec::new(),
                line: block.line,
            }),
            BlockKind::Paragraph(inlines) => {
                if let (Some(entry), Some(Inline::Text(first))) = (out.last_mut(), inlines.first())
                    && let Some(rest) = first.strip_prefix("Also:").or_else(|| first.strip_prefix("Also called:"))
                {
                    let mut text = rest.to_string();
                    text.push_str(&plain_text(&inlines[1..]));
                    entry.aliases.extend(
                        text.split(',').map(|a| a.trim().trim_end_matches('.').to_string()).filter(|a| !a.is_empty()),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// A collation key: canonical decomposition without combining marks,
/// case-folded; then the exact text as a tie-breaker. Good for Latin, Greek
/// and Cyrillic scripts; other scripts sort by code point.
pub fn collation_key(text: &str) -> (String, String) {
    let base: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let base: String = base.chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).collect();
    (base, text.to_string())
}

/// Sorts the entries (a heading of level 1 and the blocks up to the next)
/// by their terms; blocks before the first entry stay first.
fn sort_entries(article: &mut Article) {
    let blocks = std::mem::take(&mut article.blocks);
    let mut intro = Vec::new();
    let mut groups: Vec<(String, Vec<Block>)> = Vec::new();
    for block in blocks {
        if let BlockKind::Heading { level: 1, content, .. } = &block.kind {
            groups.push((plain_text(content), vec![block]));
        } else if let Some((_, group)) = groups.last_mut() {
            group.push(block);
        } else {
            intro.push(block);
        }
    }
    groups.sort_by_cached_key(|(term, _)| collation_key(term));
    article.blocks = intro;
    article.blocks.extend(groups.into_iter().flat_map(|(_, g)| g));
}

/// Counts the article's links to each glossary entry (title, abstract,
/// body and footnotes).
fn count_uses(article: &Article, glossary: &str, uses: &mut HashMap<String, usize>) {
    for (inline, _) in article.all_inlines() {
        if let Inline::Link { dest: LinkDest::Internal { article, anchor: Some(anchor) }, .. } = inline
            && article == glossary
        {
            *uses.entry(anchor.clone()).or_default() += 1;
        }
    }
}

/// Links the first use of each term (or alias) in the article's running
/// text, unless the article already links that entry. Matching is by whole
/// words, case-insensitive, with an optional plural `s`/`es`.
fn link_first_uses(article: &mut Article, glossary: &str, entries: &[Entry]) {
    let mut explicit = HashMap::new();
    count_uses(article, glossary, &mut explicit);
    // (pattern, entry id), longest first so "smart contract" beats "contract".
    let mut patterns: Vec<(String, &str)> = entries
        .iter()
        .filter(|e| !explicit.contains_key(&e.id))
        .flat_map(|e| std::iter::once(&e.term).chain(e.aliases.iter()).map(move |t| (t.to_lowercase(), e.id.as_str())))
        .filter(|(p, _)| !p.is_empty())
        .collect();
    patterns.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let mut done: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Running text only: paragraphs, also in quotes, callouts, lists and
    // footnotes (never headings, tables, captions or code).
    article.for_each_block_mut(&mut |block| {
        let line = block.line;
        if let BlockKind::Paragraph(inlines) = &mut block.kind {
            link_inlines(inlines, glossary, &patterns, &mut done, line);
        }
    });
}

fn link_inlines(
    inlines: &mut Vec<Inline>,
    glossary: &str,
    patterns: &[(String, &str)],
    done: &mut std::collections::HashSet<String>,
    line: usize,
) {
    let mut out = Vec::with_capacity(inlines.len());
    for inline in std::mem::take(inlines) {
        match inline {
            Inline::Text(text) => split_text(&text, glossary, patterns, done, line, &mut out),
            Inline::Emph(mut c) => {
                link_inlines(&mut c, glossary, patterns, done, line);
                out.push(Inline::Emph(c));
            }
            Inline::Strong(mut c) => {
                link_inlines(&mut c, glossary, patterns, done, line);
                out.push(Inline::Strong(c));
            }
            other => out.push(other),
        }
    }
    *inlines = out;
}

fn split_text(
    text: &str,
    glossary: &str,
    patterns: &[(String, &str)],
    done: &mut std::collections::HashSet<String>,
    line: usize,
    out: &mut Vec<Inline>,
) {
    // Lowercased text, and for each of its bytes the original byte offset.
    let mut lower = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        for l in c.to_lowercase() {
            let before = lower.len();
            lower.push(l);
            origin.extend(std::iter::repeat_n(i, lower.len() - before));
        }
    }
    origin.push(text.len());
    let mut rest_start = 0;
    loop {
        // The earliest match of a term not linked yet in this article.
        let mut best: Option<(usize, usize, &str)> = None;
        for (pattern, id) in patterns {
            if done.contains(*id) {
                continue;
            }
            let mut from = rest_start;
            while let Some(pos) = lower[from..].find(pattern.as_str()) {
                let start = from + pos;
                let mut end = start + pattern.len();
                let before_ok = lower[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                for suffix in ["es", "s"] {
                    if lower[end..].starts_with(suffix)
                        && lower[end + suffix.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
                    {
                        end += suffix.len();
                        break;
                    }
                }
                let after_ok = lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                if before_ok && after_ok {
                    if best.is_none_or(|(s, e, _)| start < s || (start == s && end > e)) {
                        best = Some((start, end, id));
                    }
                    break;
                }
                from = start + pattern.len().max(1);
                while !lower.is_char_boundary(from) {
                    from += 1;
                }
            }
        }
        let Some((lstart, lend, id)) = best else { break };
        let (start, end, rest) = (origin[lstart], origin[lend], origin[rest_start]);
        if start > rest {
            out.push(Inline::Text(text[rest..start].to_string()));
        }
        out.push(Inline::Link {
            dest: LinkDest::Internal { article: glossary.to_string(), anchor: Some(id.to_string()) },
            content: vec![Inline::Text(text[start..end].to_string())],
            line,
            column: 1,
        });
        done.insert(id.to_string());
        rest_start = lend;
    }
    let rest = origin[rest_start];
    if rest < text.len() {
        out.push(Inline::Text(text[rest..].to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collation_ignores_case_and_accents() {
        let mut terms = vec!["Zebra", "éclair", "Apple", "Ångström", "eclipse"];
        terms.sort_by_cached_key(|t| collation_key(t));
        assert_eq!(terms, ["Ångström", "Apple", "éclair", "eclipse", "Zebra"]);
    }

    #[test]
    fn first_use_linking() {
        let patterns = vec![("smart contract".to_string(), "smart-contract"), ("block".to_string(), "block")];
        let mut done = std::collections::HashSet::new();
        let mut out = Vec::new();
        split_text("Blocks and smart contracts; a block again. Blockchain.", "g", &patterns, &mut done, 3, &mut out);
        let mut accented = Vec::new();
        let patterns2 = vec![("éclair".to_string(), "eclair")];
        split_text("Un ÉCLAIR.", "g", &patterns2, &mut std::collections::HashSet::new(), 1, &mut accented);
        assert!(
            matches!(&accented[1], Inline::Link { content, .. } if plain_text(content) == "ÉCLAIR"),
            "{accented:?}"
        );
        let texts: Vec<String> = out
            .iter()
            .map(|i| match i {
                Inline::Text(t) => t.clone(),
                Inline::Link { content, dest: LinkDest::Internal { anchor, .. }, .. } => {
                    format!("[{}->{}]", plain_text(content), anchor.as_deref().unwrap())
                }
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            texts,
            ["[Blocks->block]", " and ", "[smart contracts->smart-contract]", "; a block again. Blockchain."]
        );
    }
}
