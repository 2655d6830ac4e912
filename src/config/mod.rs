//! `book.toml`: the report's manifest, parsed into checked serde structs.
//!
//! Unknown keys are errors (`deny_unknown_fields`), reported with the file,
//! line, column and the list of keys that are allowed.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;

/// The whole manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    pub book: BookMeta,
    #[serde(default)]
    pub build: BuildConfig,
    /// Unnumbered articles before the first part (foreword, session report...).
    #[serde(default)]
    pub front: Vec<String>,
    /// The numbered parts, in order.
    #[serde(default, rename = "part")]
    pub parts: Vec<PartConfig>,
    /// Articles after the last part (glossary, contributors...).
    #[serde(default)]
    pub back: Vec<String>,
    #[serde(default)]
    pub glossary: GlossaryConfig,
    #[serde(default, rename = "bibliography")]
    pub citations: CitationConfig,
    /// `[translations.<language>]`: translated editions, built beside the
    /// original (`report.es.pdf`, `report.es.epub`).
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, TranslationConfig>,
    /// `[diagnostics]`: the level of each named diagnostic (`broken-anchor =
    /// "deny"`, `raw-html = "allow"`); see [`crate::lint`].
    #[serde(default)]
    pub diagnostics: std::collections::BTreeMap<String, lint::Level>,
}

/// `[translations.<language>]`: one translated edition. An article missing
/// from its folder is the original's, with a note in the edition's language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TranslationConfig {
    pub title: String,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    /// The folder of the translated articles (same file names as `src`).
    pub src: String,
    /// The titles of the parts, in order (default: the original's).
    #[serde(default)]
    pub part_titles: Vec<String>,
    /// The address of this edition's web edition (`[book] url` is the
    /// original's); without it, its offprints link to its PDF.
    pub url: Option<String>,
    /// This edition's DOI, when it has its own.
    pub doi: Option<String>,
}

/// `[bibliography]`: how citations and reference lists are formatted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CitationConfig {
    /// A CSL style that typst ships (`apa`, `chicago-author-date`, `ieee`...).
    #[serde(default = "default_citation_style")]
    pub style: String,
    /// `article` (default): a reference list closes each article that cites;
    /// `end`: one list at the end of the report.
    #[serde(default)]
    pub placement: ReferencesPlacement,
    /// The heading of the reference lists; default: "References" in the
    /// report's language.
    pub title: Option<String>,
}

impl Default for CitationConfig {
    fn default() -> Self {
        Self { style: default_citation_style(), placement: ReferencesPlacement::default(), title: None }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferencesPlacement {
    #[default]
    Article,
    End,
}

fn default_citation_style() -> String {
    "apa".into()
}

/// `[glossary]`: how articles refer to the glossary.
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

/// `[book]`: the report's metadata.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub edition: Option<String>,
    #[serde(default)]
    pub editors: Vec<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    /// ISO 8601 date (`YYYY-MM-DD`).
    pub date: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub license: Option<String>,
    pub identifier: Option<String>,
    /// Cover image, relative to the report root.
    pub cover: Option<String>,
    /// Bibliography for citations (`[@key]`): BibTeX/BibLaTeX (`.bib`) or
    /// Hayagriva YAML (`.yml`, `.yaml`), relative to the report root.
    pub bibliography: Option<String>,
    /// Folder of the articles, relative to the report root.
    #[serde(default = "default_src")]
    pub src: String,
    /// The address of the web edition (the folder of its `index.html`):
    /// citations carry it, and offprints link other articles there.
    pub url: Option<String>,
    /// The report's DOI (`10.1234/abcd`), carried by its citations.
    pub doi: Option<String>,
}

/// `[build]`: where and what to build.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildConfig {
    #[serde(default = "default_build_dir")]
    pub build_dir: String,
    #[serde(default = "default_formats")]
    pub formats: Vec<Format>,
    /// The Typst template, relative to the report root; default:
    /// `styles/report.typ` if the report has one, else the built-in one.
    pub style: Option<String>,
    /// File name (without extension) of the outputs; default: the root folder's name.
    pub name: Option<String>,
    #[serde(default)]
    pub pdf: PdfConfig,
    /// More font folders (absolute, or relative to the root), besides the
    /// embedded fonts and `styles/fonts/`.
    #[serde(default)]
    pub font_paths: Vec<String>,
}

impl Default for BuildConfig {
    fn default() -> Self {
        Self {
            build_dir: default_build_dir(),
            formats: default_formats(),
            style: None,
            name: None,
            pdf: PdfConfig::default(),
            font_paths: Vec::new(),
        }
    }
}

/// `[build.pdf]`: options of the PDF.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PdfConfig {
    /// `a4` (default) or `us-letter`.
    pub paper: Option<Paper>,
    /// Typeset for two-sided printing (mirrored margins, parts on recto pages).
    #[serde(default)]
    pub twoside: bool,
    /// Number the sections inside articles (1, 1.1, ...).
    #[serde(default)]
    pub numbered_sections: bool,
    /// Follow links to other articles and their headings with the page they
    /// lead to: "(p. 12)".
    #[serde(default)]
    pub page_refs: bool,
    /// PDF standards to conform to and check (`["a-2b", "ua-1"]`); default
    /// none (the PDF is tagged, with language and title, all the same).
    #[serde(default)]
    pub standards: Vec<PdfStandard>,
}

/// A PDF standard typst can enforce (the names typst's CLI uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PdfStandard {
    #[serde(rename = "1.4")]
    V1_4,
    #[serde(rename = "1.5")]
    V1_5,
    #[serde(rename = "1.6")]
    V1_6,
    #[serde(rename = "1.7")]
    V1_7,
    #[serde(rename = "2.0")]
    V2_0,
    #[serde(rename = "a-1b")]
    A1b,
    #[serde(rename = "a-1a")]
    A1a,
    #[serde(rename = "a-2b")]
    A2b,
    #[serde(rename = "a-2u")]
    A2u,
    #[serde(rename = "a-2a")]
    A2a,
    #[serde(rename = "a-3b")]
    A3b,
    #[serde(rename = "a-3u")]
    A3u,
    #[serde(rename = "a-3a")]
    A3a,
    #[serde(rename = "a-4")]
    A4,
    #[serde(rename = "a-4f")]
    A4f,
    #[serde(rename = "a-4e")]
    A4e,
    #[serde(rename = "ua-1")]
    Ua1,
}

impl PdfConfig {
    /// Whether the PDF must conform to PDF/UA-1 (every image needs alt text).
    pub fn ua1(&self) -> bool {
        self.standards.contains(&PdfStandard::Ua1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    A4,
    UsLetter,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Pdf,
    Epub,
    /// The web edition: a static site in `<build-dir>/html/`.
    Html,
    /// One PDF per article with the report's page numbers
    /// (`<build-dir>/offprints/<article>.pdf`), and the citation exports.
    Offprints,
}

impl Format {
    /// Its name in `book.toml` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Offprints => "offprints",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Offprints => "pdf",
        }
    }
}

/// One `[[part]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PartConfig {
    pub title: Option<String>,
    #[serde(default)]
    pub articles: Vec<String>,
}

fn default_language() -> String {
    "en".into()
}
fn default_src() -> String {
    "report".into()
}
fn default_build_dir() -> String {
    "build".into()
}
fn default_formats() -> Vec<Format> {
    vec![Format::Pdf, Format::Epub]
}
/// The template a report uses when it has this file and no `[build] style`.
pub const DEFAULT_STYLE: &str = "styles/report.typ";

/// The manifest's file name.
pub const MANIFEST: &str = "book.toml";

impl Manifest {
    /// Parses manifest text. `path` is only used in diagnostics.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, Diagnostic> {
        let manifest: Manifest = toml::from_str(text).map_err(|err| {
            let (message, hint) = split_serde_message(&err.message().replace('\n', "; "));
            let mut diag = Diagnostic::new(&lint::INVALID_MANIFEST, message).with_file(path);
            if let Some(span) = err.span() {
                diag = diag.with_span(text, span);
            }
            match hint {
                Some(hint) => diag.with_hint(hint),
                None => diag.with_hint("see the manifest reference: docs/manifest.md"),
            }
        })?;
        manifest.check(text, path)?;
        Ok(manifest)
    }

    /// Checks what serde cannot: values that parse but make no sense.
    fn check(&self, text: &str, path: &Path) -> Result<(), Diagnostic> {
        let at = |key: &str| -> Diagnostic {
            let diag = Diagnostic::new(&lint::INVALID_MANIFEST, String::new()).with_file(path);
            match find_key(text, key) {
                Some(span) => diag.with_span(text, span),
                None => diag,
            }
        };
        if self.book.title.trim().is_empty() {
            return Err(at("title")
                .with_message("`book.title` is empty")
                .with_hint("give the report a title: title = \"Annual Report\""));
        }
        if let Some(date) = &self.book.date
            && crate::dates::parse_iso_date(date).is_none()
        {
            return Err(at("date")
                .with_message(format!("`book.date` is not an ISO 8601 date: `{date}`"))
                .with_hint("write the date as YYYY-MM-DD, e.g. date = \"2016-12-08\""));
        }
        if !is_language_tag(&self.book.language) {
            return Err(at("language")
                .with_message(format!("`book.language` is not a BCP 47 language tag: `{}`", self.book.language))
                .with_hint("use a tag such as \"en\", \"es\" or \"pt-BR\""));
        }
        for (tag, translation) in &self.translations {
            if !is_language_tag(tag) || tag == &self.book.language {
                return Err(at("[translations")
                    .with_message(format!("`translations.{tag}` is not a language tag other than the book's"))
                    .with_hint("name each translation by its BCP 47 tag: [translations.es]"));
            }
            if translation.title.trim().is_empty() || translation.src.trim().is_empty() {
                return Err(Diagnostic::new(
                    &lint::INVALID_MANIFEST,
                    format!("`translations.{tag}` needs a `title` and a `src` folder"),
                )
                .with_file(path)
                .with_hint("e.g. title = \"Informe anual\", src = \"report/es\""));
            }
        }
        if self.front.is_empty() && self.back.is_empty() && self.parts.iter().all(|p| p.articles.is_empty()) {
            return Err(Diagnostic::new(&lint::INVALID_MANIFEST, "the manifest selects no article")
                .with_file(path)
                .with_hint(
                    "list articles in `front`, `back` or a `[[part]]`'s `articles`, \
                     e.g. front = [\"foreword.md\"]",
                ));
        }
        if let Some(name) = &self.build.name
            && (name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.'))
        {
            return Err(at("name")
                .with_message(format!("`build.name` is not a plain file name: `{name}`"))
                .with_hint("use a name such as \"coala-report-2016\", without slashes"));
        }
        let urls = std::iter::once(("url", &self.book.url)).chain(self.translations.values().map(|t| ("url", &t.url)));
        for (key, url) in urls {
            if let Some(url) = url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(at(key).with_message(format!("`{key}` is not an http(s) address: `{url}`")).with_hint(
                    "give the web edition's full address, e.g. url = \"https://example.org/report-2016/\"",
                ));
            }
        }
        let dois = std::iter::once(&self.book.doi).chain(self.translations.values().map(|t| &t.doi));
        for doi in dois.flatten() {
            if normalize_doi(doi).is_none() {
                return Err(at("doi")
                    .with_message(format!("`doi` is not a DOI: `{doi}`"))
                    .with_hint("write the DOI alone, e.g. doi = \"10.5281/zenodo.1234567\""));
            }
        }
        Ok(())
    }

    /// The source folder of the articles (relative to the root).
    pub fn src_dir(&self) -> PathBuf {
        PathBuf::from(&self.book.src)
    }
}

/// A report's configuration, read once before any work: the report folder,
/// book.toml's text (for positions in diagnostics) and its manifest.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: Root,
    pub text: String,
    /// The original edition's manifest.
    pub manifest: Manifest,
}

/// One edition of the report: the original (`tag` `None`) or a
/// translation, with the manifest it is built from.
#[derive(Debug, Clone)]
pub struct Edition {
    pub tag: Option<String>,
    pub manifest: Manifest,
}

impl Edition {
    /// The file name of its artifacts, without extension: `[build] name`
    /// (`report`), with the translation's tag (`report.es`).
    pub fn name(&self) -> String {
        self.manifest.build.name.clone().unwrap_or_else(|| "report".to_string())
    }

    /// The date of reproducible artifacts, Unix seconds: `SOURCE_DATE_EPOCH`,
    /// else `[book] date` at midnight UTC.
    pub fn timestamp(&self) -> Option<i64> {
        if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH")
            && let Ok(secs) = value.trim().parse::<i64>()
        {
            return Some(secs);
        }
        let (y, m, d) = crate::dates::parse_iso_date(self.manifest.book.date.as_deref()?)?;
        Some(crate::dates::days_from_civil(y, m, d) * 86_400)
    }
}

impl Config {
    /// Opens the report folder and reads its book.toml.
    pub fn load(root_dir: &Path) -> Result<Config, Diagnostic> {
        let root = Root::new(root_dir)?;
        let path = root.path().join(MANIFEST);
        if !path.is_file() {
            return Err(Diagnostic::new(
                &lint::INVALID_MANIFEST,
                format!("no `{MANIFEST}` in `{}`", root.path().display()),
            )
            .with_hint("run coala-report in the report's folder, or pass the folder: coala-report build PATH"));
        }
        let text = crate::fsutil::read_text(&path, Path::new(MANIFEST))?;
        let manifest = Manifest::parse(&text, Path::new(MANIFEST))?;
        Ok(Config { root, text, manifest })
    }

    /// Every edition: the original, then each translation.
    pub fn editions(&self) -> Vec<Edition> {
        let tags = self.manifest.translations.keys();
        std::iter::once(None).chain(tags.map(|t| Some(t.as_str()))).filter_map(|tag| self.edition(tag).ok()).collect()
    }

    /// The editions named by language (`--edition`: the original's
    /// language or a translation's tag), in the manifest's order; all of
    /// them when none is named. An unknown one is an error naming the others.
    pub fn select(&self, languages: &[String]) -> Result<Vec<Edition>, Diagnostic> {
        let all = self.editions();
        let language = |e: &Edition| e.manifest.book.language.clone();
        if let Some(unknown) = languages.iter().find(|l| !all.iter().any(|e| language(e) == **l)) {
            let known: Vec<String> = all.iter().map(language).collect();
            return Err(Diagnostic::new(
                &lint::INVALID_MANIFEST,
                format!("--edition {unknown}: the report has no such edition"),
            )
            .with_hint(format!(
                "its editions are {} (the original's language, then [translations])",
                known.join(", ")
            )));
        }
        Ok(all.into_iter().filter(|e| languages.is_empty() || languages.contains(&language(e))).collect())
    }

    /// The original (`None`) or the translation `tag`.
    pub fn edition(&self, tag: Option<&str>) -> Result<Edition, Diagnostic> {
        let manifest = match tag {
            None => self.manifest.clone(),
            Some(tag) => translated(&self.manifest, tag).ok_or_else(|| {
                Diagnostic::new(&lint::INVALID_MANIFEST, format!("no translation `{tag}` in {MANIFEST}"))
                    .with_file(MANIFEST)
            })?,
        };
        Ok(Edition { tag: tag.map(str::to_string), manifest })
    }

    /// The folder the artifacts are written to: `out` (`--out`), else
    /// `[build] build-dir` in the report folder. The one place that says so.
    pub fn out_dir(&self, out: Option<&Path>) -> PathBuf {
        match out {
            Some(out) => out.to_path_buf(),
            None => self.root.path().join(&self.manifest.build.build_dir),
        }
    }
}

/// A DOI without its resolver (`https://doi.org/`, `doi:`): `10.<digits>/<suffix>`
/// without white space, or `None` when it is not one.
pub fn normalize_doi(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let start = ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or(0, |p| p.len());
    let doi = text[start..].trim();
    let (prefix, suffix) = doi.split_once('/')?;
    let registrant = prefix.strip_prefix("10.")?;
    let ok = !registrant.is_empty()
        && registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !suffix.is_empty()
        && !doi.chars().any(char::is_whitespace);
    ok.then(|| doi.to_string())
}

/// The manifest of the translated edition `tag`: its title, language,
/// article folder and part titles; its artifacts are `<name>.<tag>.*`.
pub fn translated(original: &Manifest, tag: &str) -> Option<Manifest> {
    let t = original.translations.get(tag)?;
    let mut m = original.clone();
    m.book.title = t.title.clone();
    m.book.subtitle = t.subtitle.clone().or(m.book.subtitle);
    m.book.description = t.description.clone().or(m.book.description);
    m.book.language = tag.to_string();
    m.book.src = t.src.clone();
    m.book.identifier = m.book.identifier.map(|id| format!("{id}-{tag}"));
    m.book.url = t.url.clone();
    m.book.doi = t.doi.clone();
    for (part, title) in m.parts.iter_mut().zip(&t.part_titles) {
        part.title = Some(title.clone());
    }
    m.build.name = Some(format!("{}.{tag}", original.build.name.as_deref().unwrap_or("report")));
    m.translations.clear();
    Some(m)
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into a
/// message and a hint.
fn split_serde_message(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    if let Some((head, tail)) = message.split_once(", expected one of ")
        && head.starts_with("unknown variant")
    {
        return (head.replace("unknown variant", "unknown value"), Some(format!("the values allowed here are {tail}")));
    }
    if let Some((head, tail)) = message.split_once(", expected one of ") {
        return (head.to_string(), Some(format!("the keys allowed here are {tail}")));
    }
    if let Some((head, tail)) = message.split_once(", expected ") {
        return (head.to_string(), Some(format!("expected {tail}")));
    }
    (message.to_string(), None)
}

/// Finds the byte span of the first `key =` in `text` (for diagnostics).
pub fn find_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
}

/// A loose check of a BCP 47 tag: alphanumeric subtags of 1-8 characters,
/// a primary language subtag of 2-3 letters.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(primary) = parts.next() else { return false };
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert!(is_language_tag("en"));
        assert!(is_language_tag("pt-BR"));
        assert!(!is_language_tag("en_US.UTF-8"));
        assert!(!is_language_tag(""));
    }

    #[test]
    fn dois_and_urls() {
        assert_eq!(normalize_doi("10.5281/zenodo.12").as_deref(), Some("10.5281/zenodo.12"));
        assert_eq!(normalize_doi(" https://doi.org/10.1000/X(1) ").as_deref(), Some("10.1000/X(1)"));
        assert_eq!(normalize_doi("doi:10.1.2/a").as_deref(), Some("10.1.2/a"));
        for bad in ["", "10.5281", "11.1/x", "10.x/y", "10.1/a b", "https://example.org/10.1/x"] {
            assert_eq!(normalize_doi(bad), None, "{bad}");
        }
        let base = "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n";
        let err = Manifest::parse(&format!("{base}url = \"ftp://x\"\n"), Path::new("book.toml")).unwrap_err();
        assert!(err.message.contains("not an http(s) address") && err.line.is_some(), "{err:?}");
        let err = Manifest::parse(&format!("{base}doi = \"doi\"\n"), Path::new("book.toml")).unwrap_err();
        assert!(err.message.contains("not a DOI"), "{err:?}");
        let ok = Manifest::parse(&format!("{base}url = \"https://x.org/r/\"\ndoi = \"10.1/a\"\n"), Path::new("b"));
        assert_eq!(ok.unwrap().book.url.as_deref(), Some("https://x.org/r/"));
    }

    #[test]
    fn pdf_standards() {
        let base = "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n[build.pdf]\n";
        let ok = Manifest::parse(&format!("{base}standards = [\"a-2b\", \"ua-1\"]\n"), Path::new("book.toml")).unwrap();
        assert_eq!(ok.build.pdf.standards, [PdfStandard::A2b, PdfStandard::Ua1]);
        assert!(ok.build.pdf.ua1());
        let err = Manifest::parse(&format!("{base}standards = [\"a-9z\"]\n"), Path::new("book.toml")).unwrap_err();
        assert_eq!(err.message, "unknown value `a-9z`");
        assert!(err.hint.as_deref().unwrap().starts_with("the values allowed here are `1.4`"), "{:?}", err.hint);
        assert!(err.hint.as_deref().unwrap().contains("`a-2b`") && err.hint.as_deref().unwrap().contains("`ua-1`"));
        assert_eq!(err.line, Some(5));
    }

    #[test]
    fn unknown_key_names_the_allowed_keys() {
        let text = "[book]\ntitle = \"T\"\ntitel = \"x\"\n";
        let err = Manifest::parse(text, Path::new("book.toml")).unwrap_err();
        assert!(err.message.contains("unknown field `titel`"), "{}", err.message);
        assert!(err.hint.as_deref().unwrap().contains("`subtitle`"));
        assert_eq!(err.line, Some(3));
        assert_eq!(err.column, Some(1));
    }
}
