//! `coala-report import`: Word documents written out as markdown articles
//! through the same converter `build` reads them with, their pictures
//! beside them, the works they cite in the report's bibliography, and the
//! `book.toml` entry to add (or added, with `--part`).
//!
//! Nothing is written unless every document converts without an error,
//! and no file is replaced without `--force`; the bibliography is only
//! ever appended to.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::config::{Config, MANIFEST, Manifest};
use crate::diag::{self, Diagnostic};
use crate::input::docx::{Comment, TrackChanges};
use crate::lint;

/// What `import` was asked to do, checked by the command line.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The report's folder (holding book.toml), if there is one.
    pub root: PathBuf,
    /// Where the markdown goes; default: the report's `src`.
    pub to: Option<PathBuf>,
    pub force: bool,
    /// The `[[part]]` whose `articles` the imported ones are appended to.
    pub part: Option<String>,
    pub track_changes: TrackChanges,
    pub files: Vec<PathBuf>,
    pub levels: lint::CliLevels,
}

/// One document imported (or, after an error, that would have been).
#[derive(Debug, Clone)]
pub struct Imported {
    pub source: PathBuf,
    pub markdown: PathBuf,
    pub images: Vec<PathBuf>,
    /// The works it cites, appended to this file.
    pub bibliography: Option<PathBuf>,
    pub references: usize,
    pub comments: usize,
    /// Its `articles` entry in book.toml (relative to the report's `src`),
    /// when the markdown lies inside it.
    pub entry: Option<String>,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub diagnostics: Vec<Diagnostic>,
    pub imported: Vec<Imported>,
    /// The part the entries were appended to.
    pub part: Option<String>,
    /// The bibliography book.toml should name, when it names none.
    pub suggest_bibliography: Option<String>,
    /// Nothing was written because of a usage or configuration error.
    pub config_error: bool,
}

impl ImportOutcome {
    pub fn failed(&self) -> bool {
        self.config_error || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A file to write: its path and bytes; `append` files are added to.
struct Planned {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// Imports every file of `options`; writes nothing when any has an error.
pub fn import(options: &ImportOptions) -> ImportOutcome {
    let mut outcome = ImportOutcome::default();
    let config_error = |outcome: &mut ImportOutcome, d: Diagnostic| {
        outcome.diagnostics.push(d);
        outcome.config_error = true;
    };
    let config = if options.root.join(MANIFEST).is_file() {
        match load_report(&options.root) {
            Ok(config) => Some(config),
            Err(d) => {
                config_error(&mut outcome, d);
                return outcome;
            }
        }
    } else {
        None
    };
    if options.part.is_some() && config.is_none() {
        let d = Diagnostic::new(
            &lint::INVALID_MANIFEST,
            format!("--part needs a report, and `{}` has no {MANIFEST}", options.root.display()),
        )
        .with_hint("pass the report's folder with --root, or create one with `coala-report init`");
        config_error(&mut outcome, d);
        return outcome;
    }
    let empty = Default::default();
    let levels = match lint::Levels::new(config.as_ref().map_or(&empty, |c| &c.manifest.diagnostics), &options.levels) {
        Ok(levels) => levels,
        Err(e) => {
            let d = Diagnostic::new(&lint::INVALID_MANIFEST, e.message).with_hint(e.hint);
            config_error(&mut outcome, if e.in_manifest { d.with_file(MANIFEST) } else { d });
            return outcome;
        }
    };
    let src_dir = config.as_ref().map(|c| c.root.path().join(&c.manifest.book.src));
    let dir = match (&options.to, &src_dir) {
        (Some(to), _) => to.clone(),
        (None, Some(src)) => src.clone(),
        (None, None) => PathBuf::from("."),
    };

    let mut planned: Vec<Planned> = Vec::new();
    let mut bib = Bibliography::new(config.as_ref(), &dir);
    let mut stems = HashSet::new();
    let mut diagnostics = Vec::new();
    for file in &options.files {
        let Some(stem) = stem_of(file, &mut stems) else {
            diagnostics.push(not_docx(file));
            continue;
        };
        if !crate::input::is_docx(&file.to_string_lossy()) {
            diagnostics.push(not_docx(file));
            continue;
        }
        let bytes = match crate::input::read_docx_bytes(file, file) {
            Ok(bytes) => bytes,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let media_prefix = format!("images/{stem}");
        let converted = match crate::input::docx_article(
            &bytes,
            file,
            &media_prefix,
            crate::input::docx::Options { track_changes: options.track_changes },
        ) {
            Ok(converted) => converted,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        diagnostics.extend(converted.warnings);
        let markdown_path = dir.join(format!("{stem}.md"));
        let mut lines = Vec::new();
        block_lines(&converted.article.blocks, &mut lines);
        for note in &converted.article.footnotes {
            block_lines(&note.blocks, &mut lines);
        }
        let placed = place_comments(&converted.comments, &lines);
        let markdown = crate::output::markdown::write_article_with(&converted.article, &|line| {
            placed.iter().filter(|(at, _)| *at == line).map(|(_, text)| text.clone()).collect()
        });
        planned.push(Planned { path: markdown_path.clone(), bytes: markdown.into_bytes() });
        let mut images = Vec::new();
        for media in converted.media {
            let path = dir.join(&media_prefix).join(&media.name);
            images.push(path.clone());
            planned.push(Planned { path, bytes: media.bytes });
        }
        let references = bib.add(&converted.article.references);
        let entry = src_dir.as_deref().and_then(|src| entry_in(src, &markdown_path));
        outcome.imported.push(Imported {
            source: file.clone(),
            markdown: markdown_path,
            images,
            bibliography: (references > 0).then(|| bib.path.clone()),
            references,
            comments: converted.comments.len(),
            entry,
        });
    }
    outcome.diagnostics = diag::apply_levels(&levels, diagnostics);

    // Checked before anything is written.
    if !options.force {
        for file in &planned {
            if file.path.exists() {
                outcome.diagnostics.push(
                    Diagnostic::new(&lint::WRITE_FAILED, format!("`{}` exists already", file.path.display()))
                        .with_file(&file.path)
                        .with_hint("pass --force to replace it, or --to another folder"),
                );
            }
        }
    }
    let mut manifest_edit = None;
    if let (Some(part), Some(config)) = (&options.part, &config) {
        let entries: Vec<String> = outcome.imported.iter().filter_map(|i| i.entry.clone()).collect();
        if entries.len() < outcome.imported.len() {
            outcome.diagnostics.push(
                Diagnostic::new(&lint::INVALID_MANIFEST, "--part: the markdown is written outside the report's `src`")
                    .with_hint(format!(
                        "import into `{}` (the default) to list the articles",
                        config.manifest.book.src
                    )),
            );
        }
        match add_to_part(&config.text, part, &entries) {
            Ok(text) => {
                manifest_edit = Some(Planned { path: config.root.path().join(MANIFEST), bytes: text.into_bytes() })
            }
            Err(d) => {
                outcome.diagnostics.push(d);
                outcome.config_error = true;
            }
        }
        outcome.part = Some(part.clone());
    }
    if outcome.failed() {
        return outcome;
    }
    if let Some(file) = bib.finish() {
        planned.push(file);
        if bib.suggest {
            let rel = config.as_ref().map_or(bib.path.clone(), |c| c.root.relative(&bib.path).to_path_buf());
            outcome.suggest_bibliography = Some(rel.display().to_string());
        }
    }
    planned.extend(manifest_edit);
    for file in &planned {
        if let Some(parent) = file.path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            outcome.diagnostics.push(
                Diagnostic::new(&lint::WRITE_FAILED, format!("cannot create `{}`: {e}", parent.display()))
                    .with_hint("check the folder's permissions, or import --to another folder"),
            );
            return outcome;
        }
    }
    let files: Vec<(&Path, &[u8])> = planned.iter().map(|f| (f.path.as_path(), f.bytes.as_slice())).collect();
    if let Err(d) = crate::fsutil::write_all_atomic(&files) {
        outcome.diagnostics.push(d);
    }
    outcome
}

/// The report's configuration; a report that lists no article yet (the
/// editor's first import) is one too.
fn load_report(root: &Path) -> Result<Config, Diagnostic> {
    Config::load(root).or_else(|e| {
        let starting = || -> Option<Config> {
            let text = std::fs::read_to_string(root.join(MANIFEST)).ok()?;
            let manifest: Manifest = toml::from_str(&text).ok()?;
            let empty = manifest.front.is_empty()
                && manifest.back.is_empty()
                && manifest.parts.iter().all(|p| p.articles.is_empty());
            let root = crate::fsutil::Root::new(root).ok()?;
            empty.then_some(Config { root, text, manifest })
        };
        starting().ok_or(e)
    })
}

/// The file name the markdown gets: the document's name in lower case,
/// words joined by `-` (`Smith - Policy Brief v3.docx` is `smith-policy-brief-v3`),
/// made unique in this import; `None` for a name with no letter or digit.
fn stem_of(file: &Path, taken: &mut HashSet<String>) -> Option<String> {
    let stem = file.file_stem()?.to_str()?;
    let mut slug = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        return None;
    }
    let mut unique = slug.clone();
    let mut n = 2;
    while !taken.insert(unique.clone()) {
        unique = format!("{slug}-{n}");
        n += 1;
    }
    Some(unique)
}

fn not_docx(file: &Path) -> Diagnostic {
    let shown = file.display();
    Diagnostic::new(&lint::INVALID_DOCX, format!("`{shown}` is not a Word document (.docx)")).with_file(file).with_hint(
        "import reads .docx files; save other formats (.doc, .odt, .rtf) as .docx in Word or LibreOffice first",
    )
}

/// The source lines of blocks and of the blocks inside them (the writer
/// asks for each).
fn block_lines(blocks: &[crate::model::Block], out: &mut Vec<usize>) {
    use crate::model::BlockKind;
    for block in blocks {
        out.push(block.line);
        match &block.kind {
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => block_lines(inner, out),
            BlockKind::List { items, .. } => items.iter().for_each(|i| block_lines(&i.blocks, out)),
            _ => {}
        }
    }
}

/// The comments as the HTML comments written after the block that holds
/// them: each at the last block starting at or before its line.
fn place_comments(comments: &[Comment], lines: &[usize]) -> Vec<(usize, String)> {
    comments
        .iter()
        .map(|c| {
            let at = lines.iter().copied().filter(|l| *l <= c.line).max().or(lines.first().copied()).unwrap_or(0);
            let mut text =
                format!("Comment by {}", if c.author.is_empty() { "an unnamed reviewer" } else { &c.author });
            if !c.date.is_empty() {
                text.push_str(&format!(" ({})", c.date));
            }
            if !c.words.is_empty() {
                text.push_str(&format!(" on “{}”", c.words));
            }
            text.push_str(&format!(": {}", c.text));
            (at, text)
        })
        .collect()
}

/// The `articles` entry of a markdown file: its path relative to the
/// report's `src`, when inside it.
fn entry_in(src: &Path, markdown: &Path) -> Option<String> {
    let src = absolute(src);
    let file = absolute(markdown);
    let rel = file.strip_prefix(&src).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

/// A path made absolute and free of `.` and `..`, without touching the
/// disk (the folder may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    let joined =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    // A folder that exists is named as the file system names it (symbolic links resolved).
    out.canonicalize().unwrap_or(out)
}

/// `book.toml` with `entries` appended to the `articles` of the part
/// titled `part` (each only once), its layout and comments kept.
fn add_to_part(text: &str, part: &str, entries: &[String]) -> Result<String, Diagnostic> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Diagnostic::new(&lint::INVALID_MANIFEST, format!("{MANIFEST} cannot be edited: {}", e.message()))
            .with_file(MANIFEST)
    })?;
    let titles: Vec<String> = doc
        .get("part")
        .and_then(|p| p.as_array_of_tables())
        .map(|parts| parts.iter().filter_map(|t| t.get("title")?.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let found = doc
        .get_mut("part")
        .and_then(|p| p.as_array_of_tables_mut())
        .and_then(|parts| parts.iter_mut().find(|t| t.get("title").and_then(|v| v.as_str()) == Some(part)));
    let Some(table) = found else {
        let hint = if titles.is_empty() {
            format!("{MANIFEST} has no [[part]]; add one with `title = \"{part}\"`")
        } else {
            format!("its parts are \"{}\"", titles.join("\", \""))
        };
        return Err(Diagnostic::new(
            &lint::INVALID_MANIFEST,
            format!("--part \"{part}\": {MANIFEST} has no such part"),
        )
        .with_file(MANIFEST)
        .with_hint(hint));
    };
    let articles = table.entry("articles").or_insert(toml_edit::value(toml_edit::Array::new()));
    let Some(array) = articles.as_array_mut() else {
        return Err(Diagnostic::new(
            &lint::INVALID_MANIFEST,
            format!("the part \"{part}\"'s `articles` is not a list"),
        )
        .with_file(MANIFEST)
        .with_hint("write it as `articles = [\"a.md\", \"b.md\"]`"));
    };
    let mut listed: BTreeSet<String> = array.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    for entry in entries {
        if listed.insert(entry.clone()) {
            array.push(entry.as_str());
        }
    }
    let edited = doc.to_string();
    // The edit must leave a manifest the build reads.
    Manifest::parse(&edited, Path::new(MANIFEST))?;
    Ok(edited)
}

/// The BibTeX the imported documents add: to the report's `.bib`, or to
/// `references.bib` beside the articles when the report names none.
struct Bibliography {
    path: PathBuf,
    /// Its text now (empty when it does not exist yet).
    existing: String,
    keys: HashSet<String>,
    added: String,
    /// Whether book.toml should be told to name it.
    suggest: bool,
}

impl Bibliography {
    fn new(config: Option<&Config>, dir: &Path) -> Bibliography {
        let named = config.and_then(|c| {
            let rel = c.manifest.book.bibliography.as_deref()?;
            rel.to_ascii_lowercase().ends_with(".bib").then(|| c.root.resolve(rel).ok()).flatten()
        });
        let suggest = named.is_none();
        let path = named.unwrap_or_else(|| dir.join("references.bib"));
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        let keys = biblatex::Bibliography::parse(&existing)
            .map(|b| b.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default();
        Bibliography { path, existing, keys, added: String::new(), suggest }
    }

    /// Adds the entries of `bibtex` whose keys are new; how many works it cites.
    fn add(&mut self, bibtex: &str) -> usize {
        let Ok(parsed) = biblatex::Bibliography::parse(bibtex) else { return 0 };
        for entry in parsed.iter() {
            if self.keys.insert(entry.key.clone()) {
                self.added.push_str(&entry.to_biblatex_string());
                self.added.push_str("\n\n");
            }
        }
        parsed.len()
    }

    /// The file to write, when anything was added.
    fn finish(&self) -> Option<Planned> {
        if self.added.is_empty() {
            return None;
        }
        let mut text = self.existing.clone();
        if !text.is_empty() && !text.ends_with("\n\n") {
            text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
        }
        text.push_str(self.added.trim_end());
        text.push('\n');
        Some(Planned { path: self.path.clone(), bytes: text.into_bytes() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_file_names_in_words() {
        let mut taken = HashSet::new();
        assert_eq!(
            stem_of(Path::new("in/Smith - Policy Brief v3 FINAL.docx"), &mut taken).as_deref(),
            Some("smith-policy-brief-v3-final")
        );
        assert_eq!(
            stem_of(Path::new("other/Smith - Policy Brief v3 FINAL.docx"), &mut taken).as_deref(),
            Some("smith-policy-brief-v3-final-2")
        );
        assert_eq!(stem_of(Path::new("区块链 报告.docx"), &mut taken).as_deref(), Some("区块链-报告"));
        assert_eq!(stem_of(Path::new("---.docx"), &mut taken), None);
    }

    #[test]
    fn entries_are_appended_to_the_named_part_once() {
        let text = "[book]\ntitle = \"R\"\n\n# The parts\n[[part]]\ntitle = \"One\"\narticles = [\"a.md\"]\n\n[[part]]\ntitle = \"Two\"\narticles = []\n";
        let edited = add_to_part(text, "Two", &["b.md".into(), "b.md".into()]).unwrap();
        assert!(edited.contains("# The parts"), "{edited}");
        let manifest = Manifest::parse(&edited, Path::new(MANIFEST)).unwrap();
        assert_eq!(manifest.parts[0].articles, ["a.md"]);
        assert_eq!(manifest.parts[1].articles, ["b.md"]);
        let again = add_to_part(&edited, "Two", &["b.md".into()]).unwrap();
        assert_eq!(again, edited);
        let err = add_to_part(text, "Three", &[]).unwrap_err();
        assert!(err.hint.as_deref().unwrap_or("").contains("\"One\", \"Two\""), "{err:?}");
    }

    #[test]
    fn comments_go_after_the_block_that_holds_them() {
        let comment =
            |line| Comment { line, author: "Ana".into(), date: String::new(), words: "w".into(), text: "t".into() };
        let placed = place_comments(&[comment(1), comment(5), comment(9)], &[2, 4, 8]);
        let at: Vec<usize> = placed.iter().map(|(l, _)| *l).collect();
        assert_eq!(at, [2, 4, 8]);
        assert_eq!(placed[0].1, "Comment by Ana on “w”: t");
    }
}
