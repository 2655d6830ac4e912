//! A report folder: the manifest, then every article loaded and converted, in
//! the order the manifest gives.

pub mod docx;
pub mod frontmatter;
pub mod liquid;
pub mod markdown;
pub mod math;
pub mod translations;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::{Config, Edition, MANIFEST, Manifest};
use crate::diag::Diagnostic;
use crate::fsutil::{self, Root};
use crate::lint;
use crate::model::{self, Article, Inline, Part, Placement, Report};

/// A loaded report and everything that was noticed on the way.
#[derive(Debug)]
pub struct Loaded {
    pub root: Root,
    /// The edition's manifest: the original's, or a translation's
    /// (its title, language, folder and part titles).
    pub manifest: Manifest,
    pub report: Report,
    /// Warnings, and errors that did not stop loading (the build stops on them).
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads one edition: the original (`None`) or the translation `tag`, where
/// an article missing from the translation's folder is the original's,
/// opened by a note in the edition's language.
pub fn load_edition(config: &Config, edition: &Edition) -> Result<Loaded, Vec<Diagnostic>> {
    let root = config.root.clone();
    let original = &config.manifest;
    let manifest = edition.manifest.clone();
    let manifest_text = &config.text;
    let edition = edition.tag.as_deref();
    let mut diagnostics = Vec::new();

    // Every entry of the manifest, in order: the lists' positions, then the
    // entries. Duplicates are found here, before anything is read.
    let lists: Vec<(&[String], Placement)> = std::iter::once((manifest.front.as_slice(), Placement::Front))
        .chain(manifest.parts.iter().enumerate().map(|(i, part)| (part.articles.as_slice(), Placement::Part(i + 1))))
        .chain(std::iter::once((manifest.back.as_slice(), Placement::Back)))
        .collect();
    let mut seen = HashSet::new();
    let mut entries: Vec<(usize, &String, bool)> = Vec::new(); // (list, rel, listed before)
    for (list, (rels, _)) in lists.iter().enumerate() {
        for rel in rels.iter() {
            let key = model::join_rel("", rel).unwrap_or_else(|| rel.clone());
            entries.push((list, rel, !seen.insert(key)));
        }
    }

    // The articles are read and converted in parallel (each on its own);
    // ids, fallback notes and diagnostics are then settled in manifest order,
    // so the result does not depend on the threads.
    let jobs: Vec<(&String, Placement)> =
        entries.iter().filter(|(_, _, twice)| !twice).map(|&(list, rel, _)| (rel, lists[list].1)).collect();
    let load_one = |&(rel, placement): &(&String, Placement)| {
        let untranslated = edition.is_some()
            && !root.resolve(&format!("{}/{rel}", manifest.book.src.trim_end_matches('/'))).is_ok_and(|p| p.is_file());
        let from = if untranslated { original } else { &manifest };
        (untranslated, load_article(&root, from, rel, placement))
    };
    let mut loaded = crate::parallel::map(&jobs, load_one).into_iter();

    let mut ids = HashSet::new();
    let mut articles: Vec<Vec<Article>> = lists.iter().map(|_| Vec::new()).collect();
    for &(list, rel, twice) in &entries {
        let at_manifest = |message: String| {
            let d = Diagnostic::new(&lint::MISSING_ARTICLE, message).with_file(MANIFEST);
            match find_string(manifest_text, rel) {
                Some(span) => d.with_span(manifest_text, span),
                None => d,
            }
        };
        if twice {
            diagnostics.push(
                at_manifest(format!("the article `{rel}` is listed twice"))
                    .with_hint("list each article once in book.toml"),
            );
            continue;
        }
        let (untranslated, result) = loaded.next().expect("one result per article");
        match result {
            Ok((mut article, warnings)) => {
                article.id = unique_id(&article.src_rel, &mut ids);
                if untranslated {
                    fallback_note(&mut article, &manifest.book.language, &original.book.language);
                }
                diagnostics.extend(warnings);
                articles[list].push(article);
            }
            Err(LoadError::Manifest(message, hint)) => diagnostics.push(at_manifest(message).with_hint(hint)),
            Err(LoadError::File(d)) => diagnostics.push(d),
        }
    }
    let mut articles = articles.into_iter();
    let front = articles.next().unwrap_or_default();
    let mut parts = Vec::new();
    for (i, part) in manifest.parts.iter().enumerate() {
        let articles = articles.next().unwrap_or_default();
        parts.push(Part { number: i + 1, title: part.title.clone(), articles });
    }
    let back = articles.next().unwrap_or_default();

    let report = Report { front, parts, back, offprint_references: Default::default(), end_references: None };
    if diagnostics.iter().any(|d| d.is_error()) && report.articles().next().is_none() {
        return Err(diagnostics);
    }
    Ok(Loaded { root, manifest, report, diagnostics })
}

/// An article of a translated edition printed in its original language:
/// a note says so, in the edition's language.
fn fallback_note(article: &mut Article, edition: &str, original: &str) {
    article.meta.language.get_or_insert_with(|| original.to_string());
    let note = crate::words::Labels::for_language(edition).original_note;
    article.blocks.insert(
        0,
        model::Block {
            line: 1,
            kind: model::BlockKind::Callout {
                kind: model::CalloutKind::Note,
                title: None,
                blocks: vec![model::Block {
                    line: 1,
                    kind: model::BlockKind::Paragraph(vec![Inline::Text(note.into())]),
                }],
            },
        },
    );
}

enum LoadError {
    /// Reported at the article's entry in book.toml.
    Manifest(String, String),
    /// Reported in the article itself.
    File(Diagnostic),
}

fn load_article(
    root: &Root,
    manifest: &Manifest,
    rel: &str,
    placement: Placement,
) -> Result<(Article, Vec<Diagnostic>), LoadError> {
    if rel.starts_with('/') || rel.starts_with('\\') || Path::new(rel).is_absolute() {
        let e = crate::fsutil::ConfineError::Absolute;
        return Err(LoadError::Manifest(e.describe("article", rel), e.hint().into()));
    }
    let src = manifest.book.src.trim_end_matches('/');
    let joined = if src.is_empty() || src == "." { rel.to_string() } else { format!("{src}/{rel}") };
    let abs = root.resolve(&joined).map_err(|e| LoadError::Manifest(e.describe("article", rel), e.hint().into()))?;
    if !abs.is_file() {
        let hint = if abs.is_dir() {
            "list markdown files, not folders".to_string()
        } else {
            format!("article paths are relative to `{}/`; check the name, or create the file", manifest.book.src)
        };
        let message = if abs.is_dir() {
            format!("the article `{rel}` is a folder")
        } else {
            format!("the article `{rel}` does not exist")
        };
        return Err(LoadError::Manifest(message, hint));
    }
    let shown = PathBuf::from(&joined);
    let source = if is_docx(rel) { read_docx(root, &abs, &shown, &joined)? } else { read_markdown(&abs, &shown, rel)? };
    Ok(article_of(source, shown, rel, placement))
}

/// The article a source makes, with a title made from its file name when
/// it has none.
fn article_of(source: Source, shown: PathBuf, rel: &str, placement: Placement) -> (Article, Vec<Diagnostic>) {
    let Source { meta, title, blocks, footnotes, anchors, abstract_, references, mut warnings } = source;
    let title = match title {
        Some(inlines) => inlines,
        None => {
            let stem = fallback_title(rel);
            warnings.push(
                Diagnostic::new(&lint::MISSING_TITLE, format!("`{rel}` has no title; using `{stem}`"))
                    .with_file(&shown)
                    .with_line(1)
                    .with_hint(if is_docx(rel) {
                        "give the document a paragraph in the Title style, or a title in File › Properties"
                    } else {
                        "add `title = \"...\"` to the front matter, or start the article with `# Title`"
                    }),
            );
            vec![Inline::Text(stem.to_string())]
        }
    };
    let src_rel = model::join_rel("", rel).unwrap_or_else(|| rel.to_string());
    let article = Article {
        path: shown,
        src_rel,
        id: String::new(), // given in manifest order by `load_edition`
        subtitle: meta.subtitle.clone(),
        meta,
        title,
        abstract_,
        blocks,
        footnotes,
        anchors: anchors.into_iter().collect(),
        placement,
        references,
    };
    (article, warnings)
}

/// A Word document converted for `import`: the article exactly as `build`
/// reads it (its images named `media_prefix/NAME`), the images, the
/// reviewers' comments and every warning.
pub struct DocxArticle {
    pub article: Article,
    pub media: Vec<docx::Media>,
    pub comments: Vec<docx::Comment>,
    pub warnings: Vec<Diagnostic>,
}

/// Converts the Word document `bytes` (shown as `shown`) as `build` does.
pub fn docx_article(
    bytes: &[u8],
    shown: &Path,
    media_prefix: &str,
    options: docx::Options,
) -> Result<DocxArticle, Diagnostic> {
    let mut imported = docx::read(bytes, shown, media_prefix, options)?;
    let media = std::mem::take(&mut imported.media);
    let comments = std::mem::take(&mut imported.comments);
    let rel = shown.file_name().and_then(|n| n.to_str()).unwrap_or("document.docx").to_string();
    let (article, warnings) = article_of(docx_source(imported), shown.to_path_buf(), &rel, Placement::Part(0));
    Ok(DocxArticle { article, media, comments, warnings })
}

/// An article's content, read from markdown or a Word document.
struct Source {
    meta: model::FrontMatter,
    /// `None` when the article has no title.
    title: Option<Vec<Inline>>,
    blocks: Vec<model::Block>,
    footnotes: Vec<model::Footnote>,
    anchors: Vec<String>,
    abstract_: Vec<model::Block>,
    /// BibTeX of the works a Word document's citation fields carry.
    references: String,
    warnings: Vec<Diagnostic>,
}

fn read_markdown(abs: &Path, shown: &Path, rel: &str) -> Result<Source, LoadError> {
    let text = match fsutil::read_text(abs, shown) {
        Ok(text) => text,
        Err(d) => return Err(LoadError::File(other_format_hint(d, rel))),
    };
    let split = frontmatter::split(&text, shown).map_err(LoadError::File)?;
    let mut warnings = split.warnings;
    let meta = split.meta;
    let converted = markdown::convert(split.body, split.body_line_offset, shown, meta.title.as_deref());
    warnings.extend(converted.warnings);
    let title = match (&meta.title, converted.h1_title) {
        (Some(t), _) => Some(vec![Inline::Text(t.clone())]),
        (None, Some((inlines, _))) => Some(inlines),
        (None, None) => None,
    };
    let abstract_ = match &meta.abstract_ {
        Some(text) => markdown::convert(text, 0, shown, Some("")).blocks,
        None => Vec::new(),
    };
    Ok(Source {
        meta,
        title,
        blocks: converted.blocks,
        footnotes: converted.footnotes,
        anchors: converted.anchors,
        abstract_,
        references: String::new(),
        warnings,
    })
}

/// A Word document: converted to the model, its pictures made readable
/// in memory as files of the document (`report/brief.docx/image1.png`).
fn read_docx(root: &Root, abs: &Path, shown: &Path, joined: &str) -> Result<Source, LoadError> {
    let bytes = read_docx_bytes(abs, shown).map_err(LoadError::File)?;
    let name = Path::new(joined).file_name().and_then(|n| n.to_str()).unwrap_or("document.docx");
    let imported = docx::read(&bytes, shown, name, docx::Options::default()).map_err(LoadError::File)?;
    for media in &imported.media {
        // The path is inside the root: the document's own, one level down.
        let _ = root.embed(&format!("{joined}/{}", media.name), media.bytes.clone());
    }
    Ok(docx_source(imported))
}

/// The source a converted Word document makes: its abstract's paragraphs
/// as blocks, its works cited as BibTeX.
fn docx_source(imported: docx::Imported) -> Source {
    let abstract_ = match &imported.meta.abstract_ {
        Some(text) => text
            .split("\n\n")
            .map(|p| model::Block { line: 1, kind: model::BlockKind::Paragraph(vec![Inline::Text(p.to_string())]) })
            .collect(),
        None => Vec::new(),
    };
    Source {
        meta: imported.meta,
        title: imported.title,
        blocks: imported.blocks,
        footnotes: imported.footnotes,
        anchors: imported.anchors,
        abstract_,
        references: docx::to_bibtex(&imported.references),
        warnings: imported.warnings,
    }
}

/// Whether an article path names a Word document.
pub fn is_docx(rel: &str) -> bool {
    rel.to_ascii_lowercase().ends_with(".docx")
}

/// The most a Word document listed in book.toml may weigh.
const MAX_DOCX: u64 = 256 << 20;

pub fn read_docx_bytes(abs: &Path, shown: &Path) -> Result<Vec<u8>, Diagnostic> {
    let too_large = std::fs::metadata(abs).is_ok_and(|m| m.len() > MAX_DOCX);
    if too_large {
        return Err(Diagnostic::new(
            &lint::INVALID_DOCX,
            format!("`{}` is larger than {} MiB", shown.display(), MAX_DOCX >> 20),
        )
        .with_file(shown)
        .with_hint("compress its pictures in Word (Picture Format › Compress Pictures) and save it again"));
    }
    std::fs::read(abs).map_err(|e| {
        Diagnostic::new(&lint::UNREADABLE_FILE, format!("cannot read `{}`: {e}", shown.display())).with_file(shown)
    })
}

/// A file in a word processor's other formats gets a hint that says how
/// to save it as one the tool reads.
fn other_format_hint(d: Diagnostic, rel: &str) -> Diagnostic {
    let lower = rel.to_ascii_lowercase();
    let format = [
        (".doc", "an old Word"),
        (".odt", "an OpenDocument"),
        (".rtf", "an RTF"),
        (".pages", "a Pages"),
        (".wpd", "a WordPerfect"),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext));
    match format {
        Some((ext, what)) if d.message.contains("UTF-8") => d
            .with_message(format!("`{rel}` is {what} document ({ext}), which coala-report does not read"))
            .with_hint("open it in Word or LibreOffice and save it as a Word document (.docx), then list the .docx"),
        _ => d,
    }
}

/// The text of an article as the translation status compares it: a
/// markdown file's text, a Word document's converted text.
pub fn article_text(root: &Root, rel: &str) -> Option<String> {
    let path = root.resolve(rel).ok()?;
    if is_docx(rel) {
        let bytes = std::fs::read(&path).ok()?;
        let imported = docx::read(&bytes, Path::new(rel), "media", docx::Options::default()).ok()?;
        Some(docx::body_text(&imported))
    } else {
        std::fs::read_to_string(path).ok()
    }
}

/// An untitled article's name: its file's stem, or its folder's name for a
/// folder's `README.md` or `index.md` (`CIP-0001/README.md` is `CIP-0001`).
fn fallback_title(rel: &str) -> &str {
    let path = Path::new(rel);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or(rel);
    let folder = path.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str());
    match folder {
        Some(folder) if ["readme", "index", "_index"].contains(&stem.to_ascii_lowercase().as_str()) => folder,
        _ => stem,
    }
}

/// An id from the article's path: ASCII letters, digits and `-`, unique.
fn unique_id(src_rel: &str, ids: &mut HashSet<String>) -> String {
    let stem = src_rel
        .strip_suffix(".md")
        .or_else(|| src_rel.strip_suffix(".markdown"))
        .or_else(|| src_rel.strip_suffix(".docx"))
        .unwrap_or(src_rel);
    let mut base: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    base = base.trim_matches('-').to_string();
    if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base = format!("a-{base}");
    }
    let mut id = base.clone();
    let mut n = 2;
    while !ids.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The span of the first `"needle"` (quoted) in `text`.
fn find_string(text: &str, needle: &str) -> Option<std::ops::Range<usize>> {
    for quote in ['"', '\''] {
        let quoted = format!("{quote}{needle}{quote}");
        if let Some(i) = text.find(&quoted) {
            return Some(i..i + quoted.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untitled_readme_is_named_after_its_folder() {
        assert_eq!(fallback_title("CIP-0001/README.md"), "CIP-0001");
        assert_eq!(fallback_title("posts/launch/index.md"), "launch");
        assert_eq!(fallback_title("README.md"), "README", "no folder to name it after");
        assert_eq!(fallback_title("notes/readme-first.md"), "readme-first");
    }

    /// Articles are converted in parallel, but ids, order and diagnostics
    /// follow the manifest, run after run.
    #[test]
    fn parallel_load_follows_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("a")).unwrap();
        let mut list = Vec::new();
        for i in 0..40 {
            // `a/x-N.md` and `a-x-N.md` want the same id: the first listed gets it.
            let rel = if i % 2 == 0 { format!("a/x-{}.md", i / 2) } else { format!("a-x-{}.md", i / 2) };
            let body = if i % 7 == 3 { "no title here\n".to_string() } else { format!("# Article {i}\n\nText.\n") };
            std::fs::write(src.join(&rel), body).unwrap();
            list.push(format!("\"{rel}\""));
            if i == 10 {
                list.push("\"missing.md\"".into());
                list.push("\"./a/x-2.md\"".into());
            }
        }
        std::fs::write(
            dir.path().join(MANIFEST),
            format!("[book]\ntitle = \"T\"\nsrc = \"src\"\n\n[[part]]\narticles = [{}]\n", list.join(", ")),
        )
        .unwrap();
        let load = |dir: &Path| {
            let config = Config::load(dir).unwrap();
            load_edition(&config, &config.edition(None).unwrap())
        };
        let describe = |loaded: &Loaded| {
            let ids: Vec<String> = loaded.report.articles().map(|a| format!("{} {}", a.id, a.path.display())).collect();
            let diagnostics: Vec<String> = loaded.diagnostics.iter().map(|d| d.message.clone()).collect();
            (ids, diagnostics)
        };
        let first = describe(&load(dir.path()).unwrap());
        assert_eq!(first.0.len(), 40);
        assert_eq!(first.0[0], "a-x-0 src/a/x-0.md");
        assert_eq!(first.0[1], "a-x-0-2 src/a-x-0.md");
        let missing = first.1.iter().position(|m| m.contains("`missing.md` does not exist")).unwrap();
        assert!(first.1[missing + 1].contains("`./a/x-2.md` is listed twice"), "{:?}", first.1);
        assert!(first.1[0].contains("`a-x-1.md` has no title"), "{:?}", first.1);
        for _ in 0..5 {
            assert_eq!(describe(&load(dir.path()).unwrap()), first);
        }
    }
}
