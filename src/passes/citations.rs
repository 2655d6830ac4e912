//! Citations: Pandoc-style `[@key]`, `[@key, p. 12]`, `[@a; @b]` and bare
//! `@key` in the text, formatted with hayagriva (the CSL processor typst
//! uses, with the styles typst ships) into the document model, so the PDF
//! and the EPUB show the same citations and reference lists.

use std::path::Path;

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{FontStyle, FontWeight, Style, VerticalAlign};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild, ElemChildren, Library,
    LocatorPayload, SpecificLocator,
};

use crate::config::Manifest;
use crate::config::{MANIFEST, ReferencesPlacement};
use crate::diag::Diagnostic;
use crate::fsutil::{self, Root};
use crate::lint;
use crate::model::{Article, Block, BlockKind, Inline, LinkDest, Report};

/// One citation found in the text, before formatting.
#[derive(Debug, Clone, PartialEq)]
struct Cite {
    /// (key, locator text)
    items: Vec<(String, Option<String>)>,
    /// A bare `@key` in the sentence (Pandoc's author-in-text citation,
    /// "Szabo (1997) says"), not a `[@key]` in brackets.
    prose: bool,
}

/// Marks a placeholder link whose content is replaced once formatted.
const PLACEHOLDER: &str = "\u{0}cite:";

/// Finds, formats and places the report's citations. Without `[book]
/// bibliography` nothing is done.
pub fn process(report: &mut Report, manifest: &Manifest, root: &Root) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let brought = report.articles().any(|a| !a.references.is_empty());
    let mut library = match &manifest.book.bibliography {
        Some(bib_path) => match load_library(root, bib_path) {
            Ok(library) => library,
            Err(d) => return vec![d],
        },
        None if brought => Library::new(),
        None => return diagnostics,
    };
    // The works Word documents cite through a citation manager, where the
    // report's bibliography does not have them.
    for article in report.articles().filter(|a| !a.references.is_empty()) {
        if let Ok(theirs) = hayagriva::io::from_biblatex_str(&article.references) {
            for entry in theirs.iter() {
                if library.get(entry.key()).is_none() {
                    library.push(entry);
                }
            }
        }
    }
    let config = manifest.citations.clone();
    let references = crate::words::Labels::for_language(&manifest.book.language).references;
    let Some(style) = hayagriva::archive::ArchivedStyle::by_name(&config.style).map(|s| s.get()) else {
        return vec![
            Diagnostic::new(&lint::INVALID_CITATION_STYLE, format!("unknown citation style `{}`", config.style))
                .with_file(MANIFEST)
                .with_hint(
                    "use a CSL style typst ships, e.g. apa, chicago-author-date, ieee, mla, harvard-cite-them-right",
                ),
        ];
    };
    let Style::Independent(style) = style else {
        return vec![
            Diagnostic::new(
                &lint::INVALID_CITATION_STYLE,
                format!("the citation style `{}` is not independent", config.style),
            )
            .with_file(MANIFEST),
        ];
    };
    let locales = hayagriva::archive::locales();
    let lang = manifest.book.language.clone();
    let locale = Some(hayagriva::citationberg::LocaleCode(lang));

    // Find the citations of each article (in reading order) and put
    // placeholders where they go.
    let mut found: Vec<(String, Vec<Cite>)> = Vec::new();
    for article in report.articles_mut() {
        let mut cites = Vec::new();
        let path = article.path.clone();
        let id = article.id.clone();
        article.for_each_block_mut(&mut |block| {
            let line = block.line;
            for inlines in cite_runs(block) {
                find_in_inlines(inlines, &library, &mut cites, &path, &id, line, &mut diagnostics);
            }
        });
        found.push((id, cites));
    }
    if found.iter().all(|(_, c)| c.is_empty()) {
        return diagnostics;
    }

    // Format: one driver per article, or one for the whole report.
    let groups: Vec<Vec<usize>> = match config.placement {
        ReferencesPlacement::Article => (0..found.len()).map(|i| vec![i]).collect(),
        ReferencesPlacement::End => vec![(0..found.len()).collect()],
    };
    // A rendering of citations, and the entries it lists.
    let finish = |driver: BibliographyDriver<'_, hayagriva::Entry>| {
        driver.finish(BibliographyRequest { style: &style, locale: locale.clone(), locale_files: &locales })
    };
    let entries = |rendered: &hayagriva::Rendered| -> Vec<Vec<Inline>> {
        rendered
            .bibliography
            .as_ref()
            .map(|b| b.items.iter().map(|item| to_inlines(&item.content)).collect())
            .unwrap_or_default()
    };
    let heading = config.title.clone().unwrap_or_else(|| references.to_string());
    let mut rendered_cites: Vec<Vec<Vec<Inline>>> = vec![Vec::new(); found.len()];
    let mut lists: Vec<(usize, Vec<Vec<Inline>>)> = Vec::new();
    for group in groups {
        let mut driver = BibliographyDriver::new();
        let mut order = Vec::new();
        for &i in &group {
            for cite in &found[i].1 {
                driver.citation(CitationRequest::new(items(cite, &library), &style, locale.clone(), &locales, None));
                order.push(i);
            }
        }
        if order.is_empty() {
            continue;
        }
        let rendered = finish(driver);
        for (cite, &i) in rendered.citations.iter().zip(&order) {
            rendered_cites[i].push(to_inlines(&cite.citation));
        }
        let target = match config.placement {
            ReferencesPlacement::Article => group[0],
            ReferencesPlacement::End => found.len() - 1,
        };
        lists.push((target, entries(&rendered)));
    }

    // With one list at the end, each citing article's own list too: its
    // offprint ends with it.
    if config.placement == ReferencesPlacement::End {
        for (id, cites) in found.iter().filter(|(_, cites)| !cites.is_empty()) {
            let mut driver = BibliographyDriver::new();
            for cite in cites {
                driver.citation(CitationRequest::new(items(cite, &library), &style, locale.clone(), &locales, None));
            }
            let entries = entries(&finish(driver));
            if entries.is_empty() {
                continue;
            }
            let Some(article) = report.articles().find(|a| &a.id == id) else { continue };
            let (_, blocks) = reference_list(article, &heading, &entries);
            report.offprint_references.insert(id.clone(), blocks);
        }
    }

    // Replace the placeholders, then append the reference lists.
    let mut end_references = None;
    let articles: Vec<&mut Article> = report.articles_mut().collect();
    for (i, article) in articles.into_iter().enumerate() {
        let mut rendered = std::mem::take(&mut rendered_cites[i]).into_iter();
        article.for_each_block_mut(&mut |block| {
            for inlines in cite_runs(block) {
                fill_inlines(inlines, &mut rendered);
            }
        });
        for (_, entries) in lists.iter().filter(|(t, _)| *t == i) {
            if entries.is_empty() {
                continue;
            }
            if config.placement == ReferencesPlacement::End {
                end_references = Some((article.id.clone(), article.blocks.len()));
            }
            let (anchor, blocks) = reference_list(article, &heading, entries);
            article.blocks.extend(blocks);
            article.anchors.insert(anchor);
        }
    }
    report.end_references = end_references;
    diagnostics
}

fn load_library(root: &Root, rel: &str) -> Result<Library, Diagnostic> {
    let path = root.resolve(rel).map_err(|e| {
        Diagnostic::new(&lint::INVALID_BIBLIOGRAPHY, e.describe("bibliography", rel))
            .with_file(MANIFEST)
            .with_hint(e.hint())
    })?;
    let text = fsutil::read_text(&path, Path::new(rel))?;
    let lower = rel.to_ascii_lowercase();
    if lower.ends_with(".bib") {
        hayagriva::io::from_biblatex_str(&text).map_err(|errors| {
            let first = errors.first().map(|e| format!("{e:?}")).unwrap_or_default();
            Diagnostic::new(&lint::INVALID_BIBLIOGRAPHY, format!("cannot read the BibTeX file `{rel}`: {first}"))
                .with_file(rel)
                .with_hint("check the entry's braces and commas")
        })
    } else if lower.ends_with(".yml") || lower.ends_with(".yaml") {
        hayagriva::io::from_yaml_str(&text).map_err(|e| {
            let mut d =
                Diagnostic::new(&lint::INVALID_BIBLIOGRAPHY, format!("cannot read the Hayagriva file `{rel}`: {e}"))
                    .with_file(rel);
            if let Some(loc) = e.location() {
                d = d.with_position(loc.line(), loc.column());
            }
            d
        })
    } else {
        Err(Diagnostic::new(&lint::INVALID_BIBLIOGRAPHY, format!("the bibliography `{rel}` is neither .bib nor .yml"))
            .with_file(MANIFEST)
            .with_hint("use a BibTeX (.bib) or Hayagriva YAML (.yml) file"))
    }
}

fn locator(text: &str) -> SpecificLocator<'_> {
    let text = text.trim();
    for (prefix, kind) in [
        ("pp.", Locator::Page),
        ("p.", Locator::Page),
        ("chap.", Locator::Chapter),
        ("ch.", Locator::Chapter),
        ("sec.", Locator::Section),
        ("§", Locator::Section),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return SpecificLocator(kind, LocatorPayload::Str(rest.trim()));
        }
    }
    SpecificLocator(Locator::Page, LocatorPayload::Str(text))
}

/// A reference list at the end of `article`: its heading, under an anchor
/// the article does not use yet (returned too), and its entries.
fn reference_list(article: &Article, heading: &str, entries: &[Vec<Inline>]) -> (String, Vec<Block>) {
    let line = article.blocks.last().map_or(1, |b| b.line);
    let anchor = unique_anchor(article, "references");
    let title = Block {
        line,
        kind: BlockKind::Heading {
            numbered: true,
            listed: true,
            level: 1,
            id: anchor.clone(),
            content: vec![Inline::Text(heading.to_string())],
        },
    };
    let blocks = std::iter::once(title)
        .chain(entries.iter().map(|entry| Block { line, kind: BlockKind::Paragraph(entry.clone()) }))
        .collect();
    (anchor, blocks)
}

fn unique_anchor(article: &Article, base: &str) -> String {
    let mut anchor = base.to_string();
    let mut n = 1;
    while article.anchors.contains(&anchor) {
        anchor = format!("{base}-{n}");
        n += 1;
    }
    anchor
}

/// Formatted CSL output as inlines.
pub(crate) fn to_inlines(children: &ElemChildren) -> Vec<Inline> {
    let mut out = Vec::new();
    push_children(children, &mut out);
    out
}

fn push_children(children: &ElemChildren, out: &mut Vec<Inline>) {
    for child in &children.0 {
        match child {
            ElemChild::Text(f) => push_formatted(&f.text, f.formatting, out),
            ElemChild::Elem(e) => push_children(&e.children, out),
            ElemChild::Markup(s) => out.push(Inline::Text(s.clone())),
            ElemChild::Link { text, url } => {
                let mut content = Vec::new();
                push_formatted(&text.text, text.formatting, &mut content);
                out.push(Inline::Link { dest: LinkDest::External(url.clone()), content, line: 0, column: 0 });
            }
            ElemChild::Transparent { .. } => {}
        }
    }
}

fn push_formatted(text: &str, f: hayagriva::Formatting, out: &mut Vec<Inline>) {
    let mut inline = Inline::Text(text.to_string());
    if f.font_style == FontStyle::Italic {
        inline = Inline::Emph(vec![inline]);
    }
    if f.font_weight == FontWeight::Bold {
        inline = Inline::Strong(vec![inline]);
    }
    match f.vertical_align {
        VerticalAlign::Sup => inline = Inline::Sup(vec![inline]),
        VerticalAlign::Sub => inline = Inline::Sub(vec![inline]),
        _ => {}
    }
    out.push(inline);
}

/// The inline runs of a block where citations are looked for: paragraphs
/// and table cells (the blocks nested in quotes, lists and callouts are
/// visited on their own).
fn cite_runs(block: &mut Block) -> Vec<&mut Vec<Inline>> {
    match &mut block.kind {
        BlockKind::Paragraph(inlines) => vec![inlines],
        BlockKind::Table { rows, .. } => rows.iter_mut().flatten().collect(),
        _ => Vec::new(),
    }
}

fn find_in_inlines(
    inlines: &mut Vec<Inline>,
    library: &Library,
    cites: &mut Vec<Cite>,
    path: &Path,
    id: &str,
    line: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let mut out = Vec::with_capacity(inlines.len());
    for inline in std::mem::take(inlines) {
        match inline {
            Inline::Text(text) => {
                for segment in split_citations(&text, library) {
                    match segment {
                        Segment::Text(t) => out.push(Inline::Text(t)),
                        Segment::Cite(cite, raw) => {
                            let unknown: Vec<&str> = cite
                                .items
                                .iter()
                                .map(|(k, _)| k.as_str())
                                .filter(|k| library.get(k).is_none())
                                .collect();
                            if !unknown.is_empty() {
                                diags.push(
                                    Diagnostic::new(
                                        &lint::UNKNOWN_CITATION,
                                        format!(
                                            "citation of unknown key{} `{}`",
                                            if unknown.len() > 1 { "s" } else { "" },
                                            unknown.join("`, `")
                                        ),
                                    )
                                    .with_file(path)
                                    .with_line(line)
                                    .with_hint("add the entry to the bibliography, or fix the key"),
                                );
                                out.push(Inline::Text(raw));
                                continue;
                            }
                            out.push(Inline::Link {
                                dest: LinkDest::Internal { article: id.to_string(), anchor: None },
                                content: vec![Inline::Text(format!("{PLACEHOLDER}{}", cites.len()))],
                                line,
                                column: 1,
                            });
                            cites.push(cite);
                        }
                    }
                }
            }
            Inline::Emph(mut c) => {
                find_in_inlines(&mut c, library, cites, path, id, line, diags);
                out.push(Inline::Emph(c));
            }
            Inline::Strong(mut c) => {
                find_in_inlines(&mut c, library, cites, path, id, line, diags);
                out.push(Inline::Strong(c));
            }
            other => out.push(other),
        }
    }
    *inlines = out;
}

fn fill_inlines(inlines: &mut [Inline], rendered: &mut impl Iterator<Item = Vec<Inline>>) {
    for inline in inlines {
        match inline {
            Inline::Link { content, dest, .. } => {
                if matches!(content.as_slice(), [Inline::Text(t)] if t.starts_with(PLACEHOLDER)) {
                    let formatted = rendered.next().unwrap_or_default();
                    // The citation links to the reference list when there is one.
                    if let LinkDest::Internal { anchor, .. } = dest {
                        *anchor = None;
                    }
                    *content = formatted;
                    *dest = LinkDest::Dropped;
                }
            }
            Inline::Emph(c) | Inline::Strong(c) => fill_inlines(c, rendered),
            _ => {}
        }
    }
}

#[derive(Debug, PartialEq)]
enum Segment {
    Text(String),
    /// A citation and the text it was written as.
    Cite(Cite, String),
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '_' | ':' | '.' | '#' | '$' | '%' | '&' | '-' | '+' | '?' | '<' | '>' | '~' | '/')
}

/// A key at the start of `s` (after `@`), without trailing punctuation.
fn key_at(s: &str) -> Option<&str> {
    let end = s.find(|c: char| !is_key_char(c)).unwrap_or(s.len());
    let key = s[..end].trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
    (!key.is_empty() && key.starts_with(|c: char| c.is_alphanumeric() || c == '_')).then_some(key)
}

/// A citation's items (its keys the bibliography has).
fn items<'a>(cite: &'a Cite, library: &'a Library) -> Vec<CitationItem<'a, hayagriva::Entry>> {
    cite.items.iter().filter_map(|(key, loc)| Some(item(library.get(key)?, loc.as_deref(), cite.prose))).collect()
}

/// A citation item: in prose ("Szabo (1997)") for a bare `@key`.
fn item<'a>(entry: &'a hayagriva::Entry, loc: Option<&'a str>, prose: bool) -> CitationItem<'a, hayagriva::Entry> {
    CitationItem::new(entry, loc.map(locator), None, false, prose.then_some(hayagriva::CitePurpose::Prose))
}

/// Splits text into plain text and citations. `[...]` groups of `@key`s are
/// citations whether or not the keys exist (unknown keys are errors); a
/// bare `@key` is a citation only when the key is in the bibliography (so
/// handles like `@intgovforum` stay text), and never inside a word (e-mail
/// addresses).
fn split_citations(text: &str, library: &Library) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c == '['
            && let Some(close) = rest.find(']')
            && let Some(cite) = bracketed(&rest[1..close])
        {
            if !plain.is_empty() {
                out.push(Segment::Text(std::mem::take(&mut plain)));
            }
            out.push(Segment::Cite(cite, rest[..=close].to_string()));
            i += close + 1;
            continue;
        }
        if c == '@'
            && !text[..i].chars().next_back().is_some_and(|p| p.is_alphanumeric())
            && let Some(key) = key_at(&rest[1..])
            && library.get(key).is_some()
        {
            if !plain.is_empty() {
                out.push(Segment::Text(std::mem::take(&mut plain)));
            }
            out.push(Segment::Cite(Cite { items: vec![(key.to_string(), None)], prose: true }, format!("@{key}")));
            i += 1 + key.len();
            continue;
        }
        plain.push(c);
        i += c.len_utf8();
    }
    if !plain.is_empty() {
        out.push(Segment::Text(plain));
    }
    out
}

/// `@a, p. 12; @b` → the items, or `None` when it is not a citation group.
fn bracketed(inner: &str) -> Option<Cite> {
    let mut items = Vec::new();
    for part in inner.split(';') {
        let part = part.trim().trim_start_matches('-');
        let key_text = part.strip_prefix('@')?;
        let key = key_at(key_text)?;
        let after = key_text[key.len()..].trim();
        let locator = match after.strip_prefix(',') {
            Some(l) if !l.trim().is_empty() => Some(l.trim().to_string()),
            Some(_) => None,
            None if after.is_empty() => None,
            None => return None,
        };
        items.push((key.to_string(), locator));
    }
    (!items.is_empty()).then_some(Cite { items, prose: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Library {
        hayagriva::io::from_yaml_str(
            "nakamoto:\n  type: Article\n  title: Bitcoin\n  author: Nakamoto, Satoshi\n  date: 2008\n",
        )
        .unwrap()
    }

    #[test]
    fn finds_pandoc_citations() {
        let lib = library();
        let segs =
            split_citations("As [@nakamoto, p. 3; @other] wrote, @nakamoto says; mail a@nakamoto.org; @handle.", &lib);
        assert_eq!(
            segs,
            vec![
                Segment::Text("As ".into()),
                Segment::Cite(
                    Cite {
                        items: vec![("nakamoto".into(), Some("p. 3".into())), ("other".into(), None)],
                        prose: false
                    },
                    "[@nakamoto, p. 3; @other]".into()
                ),
                Segment::Text(" wrote, ".into()),
                Segment::Cite(Cite { items: vec![("nakamoto".into(), None)], prose: true }, "@nakamoto".into()),
                Segment::Text(" says; mail a@nakamoto.org; @handle.".into()),
            ]
        );
        assert_eq!(split_citations("[not a citation] and [@]", &lib).len(), 1);
    }
}
