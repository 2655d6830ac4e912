//! Diagnostic names and levels, as rustc and clippy have them: every
//! problem the tool reports has a stable name; those with a faithful
//! fallback (the author's text stays visible) are warnings by default and
//! their level can be set to `allow`, `warn` or `deny` in `book.toml`'s
//! `[diagnostics]` table and on the command line (`--allow NAME`,
//! `--warn NAME`, `--deny NAME`, `--deny-warnings`). Problems that would make
//! the output wrong, unsafe or incomplete are errors whatever the settings.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What is done with a diagnostic of a given name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported; the build goes on with the fallback.
    #[serde(alias = "warning")]
    Warn,
    /// Reported as an error; the build fails and writes nothing.
    #[serde(alias = "error")]
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// One kind of diagnostic.
#[derive(Debug, PartialEq, Eq)]
pub struct Lint {
    /// The stable name, printed as `warning[name]` and in `--json`.
    pub name: &'static str,
    /// Its level unless configured.
    pub default: Level,
    /// What the reader gets instead, for warnings; `None` for errors that
    /// have no faithful fallback (their level cannot be lowered).
    pub fallback: Option<&'static str>,
    /// One line for the table of names (docs/diagnostics.md).
    pub summary: &'static str,
}

impl Lint {
    /// Whether the problem is in the configuration (book.toml, the command
    /// line, the report folder): a run that fails only on such problems
    /// exits with 2, others with 1.
    pub fn is_configuration(&self) -> bool {
        [&INVALID_MANIFEST, &MISSING_ARTICLE, &MISSING_TEMPLATE, &INVALID_CITATION_STYLE]
            .iter()
            .any(|l| l.name == self.name)
    }

    /// Whether its level may be set (only problems with a fallback).
    pub fn configurable(&self) -> bool {
        self.fallback.is_some()
    }
}

macro_rules! lints {
    ($($id:ident = $name:literal, $level:ident, $fallback:expr, $summary:literal;)*) => {
        $(pub static $id: Lint = Lint { name: $name, default: Level::$level, fallback: $fallback, summary: $summary };)*
        /// Every lint, in the order of the table in docs/diagnostics.md.
        pub static ALL: &[&Lint] = &[$(&$id),*];
    };
}

lints! {
    // Warnings: the author's text stays visible.
    BROKEN_ANCHOR = "broken-anchor", Warn, Some("a link to the article when it exists, else the link text"),
        "a link to a heading, label or anchor the target article does not have";
    BROKEN_LINK = "broken-link", Warn, Some("the link text (a web link stays as it is)"),
        "a link to a markdown file that is not in the report, or (`check --links`) a web link or image that fails";
    REDIRECTED_LINK = "redirected-link", Warn, Some("the link as it is"),
        "(`check --links`) a web link that has moved permanently (301, 308): the hint gives the new address";
    INSECURE_LINK = "insecure-link", Warn, Some("the link as it is"),
        "(`check --links`) an `http://` link whose address also answers over https";
    LINK_TIMEOUT = "link-timeout", Warn, Some("the link as it is"),
        "(`check --links`) a web link that gave no answer within `[links] timeout`, retries included";
    LINK_OUTSIDE_REPORT = "link-outside-report", Warn, Some("the link text"),
        "a link to a local file that is not an article, or that leaves the report";
    UNSAFE_LINK = "unsafe-link", Warn, Some("the link text"),
        "a link with a scheme other than http, https, mailto, ftp, tel, doi or urn";
    EMPTY_LINK = "empty-link", Warn, Some("the link text, or nothing for a link without text"),
        "a link with an empty target, or without text";
    BROKEN_CROSSREF = "broken-crossref", Warn, Some("the reference as written (`@fig-name`)"),
        "a `@fig-`/`@tbl-` reference to no label, or to a label several articles use";
    UNKNOWN_CITATION = "unknown-citation", Warn, Some("the citation as written (`[@key]`)"),
        "a citation of a key that is not in the bibliography";
    REMOTE_IMAGE = "remote-image", Warn, Some("the image's alt text"),
        "an image on the web (builds are offline)";
    SVG_SCRIPT = "svg-script", Warn, Some("the image without them (in the EPUB and the web edition)"),
        "an SVG image with scripts, event handlers or `javascript:` links";
    MISLABELLED_IMAGE = "mislabelled-image", Warn, Some("the image, read as the format its bytes are"),
        "an image file whose bytes are another format than its name says";
    EMPTY_IMAGE = "empty-image", Warn, Some("the image's alt text"), "an image with an empty target";
    MISSING_ALT_TEXT = "missing-alt-text", Warn, Some("the image without a description"),
        "an image without alt text (an error under PDF/UA-1)";
    UNKNOWN_MATH = "unknown-math", Warn, Some("the LaTeX source in code type"),
        "LaTeX math that cannot be converted to typeset math";
    RAW_HTML = "raw-html", Warn, Some("the text of the HTML, without its tags"),
        "raw HTML other than images, anchors and simple inline formatting";
    DUPLICATE_ANCHOR = "duplicate-anchor", Warn, Some("links go to the first"),
        "an id, label or heading attribute that another place of the article already uses";
    INVALID_LABEL = "invalid-label", Warn, Some("the id stays a link target; the figure or table is not referable with @"),
        "a figure or table label that does not start with `fig-` or `tbl-`";
    STRAY_LABEL = "stray-label", Warn, Some("the label as text"),
        "a `{#fig-...}` or `{#tbl-...}` label that is not attached to a figure or table";
    IGNORED_ATTRIBUTE = "ignored-attribute", Warn, Some("the attribute is left out"),
        "a figure or table attribute other than its label (width, classes), or a kramdown attribute a reader would miss (a title)";
    LIQUID_TEMPLATE = "liquid-template", Warn, Some("the tag or expression is left out"),
        "Liquid template syntax (`{{ ... }}`, `{% ... %}`) outside a link or image path";
    UNUSED_FOOTNOTE = "unused-footnote", Warn, Some("the definition is left out"),
        "a footnote that is defined but never referenced";
    MISSING_TITLE = "missing-title", Warn, Some("the file name"), "an article without a title";
    UNKNOWN_KIND = "unknown-kind", Warn, Some("typeset as an article"), "an unknown article `kind`";
    UNUSED_GLOSSARY_ENTRY = "unused-glossary-entry", Warn, Some("the entry is printed"),
        "a glossary entry no article links to";
    DEEP_NESTING = "deep-nesting", Warn, Some("the text of the deeper blocks"),
        "blocks nested more than 12 levels deep";
    MISSING_GLYPH = "missing-glyph", Warn, Some("an empty box in the PDF"),
        "a character that no available font has";
    FONT_FALLBACK = "font-fallback", Warn, Some("the font typst fell back to"),
        "a script set in a font not made for it (the code font, a math or Latin face)";
    MISSING_FONT_FOLDER = "missing-font-folder", Warn, Some("the folder is skipped"),
        "a `[build] font-paths` folder that does not exist";
    STALE_TRANSLATION = "stale-translation", Warn, Some("the translation as it is"),
        "a translated article whose original changed since it was marked current";
    UNKNOWN_TRANSLATION_VERSION = "unknown-translation-version", Warn, Some("the translation as it is"),
        "a translated article that `translations.lock` does not record";
    INVALID_DOI = "invalid-doi", Warn, Some("the article is cited without a DOI"),
        "an article's `doi` front matter that is not a DOI";
    OFFPRINT_TEMPLATE = "offprint-template", Warn,
        Some("the offprints open with the template's title pages and the built-in cover, and do not link other articles"),
        "a template without the `offprint` function (and the `_elsewhere` state) that offprints use";
    TYPESET_WARNING = "typeset-warning", Warn, Some("typst's own fallback"),
        "a warning from typst while typesetting";
    TRACKED_CHANGE = "tracked-change", Warn, Some("the insertion kept, the deletion left out (`--track-changes` chooses)"),
        "a tracked change in a Word document";
    DOCX_COMMENT = "docx-comment", Warn, Some("the text without the comment (`import` keeps it as an HTML comment)"),
        "a reviewer's comment in a Word document";
    DOCX_IMAGE = "docx-image", Warn, Some("the picture's description"),
        "a Word picture no reader can show (EMF, WMF, TIFF, a chart) or that is missing from the package";
    DOCX_TABLE = "docx-table", Warn, Some("the table with its merged cells split, an inner table as lines of text"),
        "a Word table the report's tables cannot show as it is (merged cells, a table in a cell, no header row)";
    DOCX_FIELD = "docx-field", Warn, Some("the field is left out (the report makes its own)"),
        "a Word table of contents, page number or inserted reference list";
    DOCX_CONTENT = "docx-content", Warn, Some("that content is left out"),
        "content of a Word document that cannot be read (an embedded document, a damaged part)";
    REVIEW_COMMENT = "review-comment", Warn, Some("nothing changes: the comment is for the editor to answer"),
        "a comment in a Word proof that came back, at the source line it concerns";
    REVIEW_CHANGE = "review-change", Warn, Some("the source is unchanged unless `review --apply` writes the change"),
        "a tracked change in a Word proof, at the source line it concerns";
    REVIEW_UNTRACKED_EDIT = "review-untracked-edit", Warn, Some("the source is unchanged: make the edit by hand"),
        "text of a Word proof changed without tracking changes";
    REVIEW_NOT_APPLIED = "review-not-applied", Warn, Some("the source is unchanged there: make the change by hand"),
        "a tracked change `review --apply` does not write (in a link, a formula, a table, a moved or split paragraph)";
    REVIEW_SOURCE_CHANGED = "review-source-changed", Warn,
        Some("comments and changes are placed at the lines the proof names; `--apply` refuses"),
        "the source of a Word proof changed since the proof was made";
    // Errors: the output would be wrong, unsafe or incomplete.
    INVALID_PROOF = "invalid-proof", Deny, None,
        "a document given to `review` that is not a proof of this report, or cannot be read";
    INVALID_MANIFEST = "invalid-manifest", Deny, None,
        "no report folder or book.toml, or a book.toml that cannot be read or makes no sense";
    MISSING_ARTICLE = "missing-article", Deny, None,
        "an article book.toml lists is missing, a folder, outside the report, or listed twice";
    PATH_OUTSIDE_REPORT = "path-outside-report", Deny, None, "an image outside the report's folder";
    MISSING_IMAGE = "missing-image", Deny, Some("its alt text in a frame (when set to warn)"),
        "an image file that is missing, unsupported or not an image";
    UNREADABLE_FILE = "unreadable-file", Deny, None, "a file that cannot be read, or is not UTF-8";
    INVALID_DOCX = "invalid-docx", Deny, None, "a Word document that is not a zip, damaged, or too large";
    INVALID_FRONT_MATTER = "invalid-front-matter", Deny, None,
        "front matter that is malformed or has a key of the wrong type";
    MISSING_TEMPLATE = "missing-template", Deny, None, "the `[build] style` template does not exist or is outside the report";
    INVALID_CITATION_STYLE = "invalid-citation-style", Deny, None, "`[bibliography] style` is not a CSL style typst ships";
    INVALID_BIBLIOGRAPHY = "invalid-bibliography", Deny, None, "a bibliography or citation style that cannot be used";
    DUPLICATE_GLOSSARY = "duplicate-glossary", Deny, None, "a second article of kind glossary";
    PDF_STANDARD = "pdf-standard", Deny, None, "the report cannot meet a `[build.pdf] standards` standard";
    TYPESET_ERROR = "typeset-error", Deny, None, "typst cannot typeset the report";
    WRITE_FAILED = "write-failed", Deny, None, "an output cannot be written";
    INTERNAL_ERROR = "internal-error", Deny, None, "a bug in coala-report";
}

/// The lint of that name.
pub fn find(name: &str) -> Option<&'static Lint> {
    ALL.iter().copied().find(|l| l.name == name)
}

/// The levels in force for one build: defaults, then `[diagnostics]`, then
/// the command line (`--deny-warnings` last: it denies every warning left).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    set: BTreeMap<&'static str, Level>,
    deny_warnings: bool,
}

/// Levels given on the command line, in order (a later one wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliLevels {
    pub levels: Vec<(String, Level)>,
    pub deny_warnings: bool,
}

/// A level that cannot be set: where it was given, what is wrong, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelError {
    /// `[diagnostics]` in book.toml (`true`) or the command line.
    pub in_manifest: bool,
    pub message: String,
    pub hint: String,
}

impl Levels {
    /// Checks and combines the manifest's `[diagnostics]` table and the
    /// command line's levels.
    pub fn new(manifest: &BTreeMap<String, Level>, cli: &CliLevels) -> Result<Levels, LevelError> {
        let mut levels = Levels { set: BTreeMap::new(), deny_warnings: cli.deny_warnings };
        for (name, level) in manifest {
            let lint = check(name, *level).map_err(|(message, hint)| LevelError {
                in_manifest: true,
                message: format!("`[diagnostics]` {message}"),
                hint,
            })?;
            levels.set.insert(lint.name, *level);
        }
        for (name, level) in &cli.levels {
            let lint = check(name, *level).map_err(|(message, hint)| LevelError {
                in_manifest: false,
                message: format!("--{} {name}: {message}", level.as_str()),
                hint,
            })?;
            levels.set.insert(lint.name, *level);
        }
        Ok(levels)
    }

    /// The level of `lint` in this build (errors without a fallback are
    /// always denied).
    pub fn level(&self, lint: &Lint) -> Level {
        if !lint.configurable() {
            return Level::Deny;
        }
        let level = self.set.get(lint.name).copied().unwrap_or(lint.default);
        if self.deny_warnings && level == Level::Warn { Level::Deny } else { level }
    }
}

/// The lint named `name`, if its level may be set to `level`.
fn check(name: &str, level: Level) -> Result<&'static Lint, (String, String)> {
    let Some(lint) = find(name) else {
        let names: Vec<&str> = ALL.iter().filter(|l| l.configurable()).map(|l| l.name).collect();
        return Err((format!("`{name}` is not a diagnostic name"), format!("the names are {}", names.join(", "))));
    };
    if !lint.configurable() && level != Level::Deny {
        return Err((
            format!("`{name}` is an error that cannot be {}ed", if level == Level::Allow { "allow" } else { "warn" }),
            "it has no fallback that keeps the output right: fix its cause".to_string(),
        ));
    }
    Ok(lint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for lint in ALL {
            assert!(seen.insert(lint.name), "{} twice", lint.name);
            assert!(lint.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", lint.name);
            assert!(lint.configurable() || lint.default == Level::Deny, "{}", lint.name);
        }
    }

    /// The manual's table (docs/diagnostics.md) lists every name, at its
    /// default level.
    #[test]
    fn readme_lists_every_diagnostic() {
        let readme = include_str!("../docs/diagnostics.md");
        for lint in ALL {
            let level = if lint.default == Level::Deny { "error" } else { "warn" };
            let row = format!("| `{}` | {level} | {} |", lint.name, lint.summary);
            assert!(readme.contains(&row), "docs/diagnostics.md lacks the row `{row}`");
        }
    }

    #[test]
    fn manifest_then_command_line_then_deny_warnings() {
        let manifest: BTreeMap<String, Level> =
            [("broken-anchor".to_string(), Level::Deny), ("raw-html".to_string(), Level::Allow)].into();
        let cli = CliLevels { levels: vec![("broken-anchor".into(), Level::Warn)], deny_warnings: false };
        let levels = Levels::new(&manifest, &cli).unwrap();
        let got: Vec<Level> =
            [&BROKEN_ANCHOR, &RAW_HTML, &UNKNOWN_MATH, &MISSING_IMAGE].map(|l| levels.level(l)).into();
        assert_eq!(got, [Level::Warn, Level::Allow, Level::Warn, Level::Deny]);
        let strict = Levels::new(&manifest, &CliLevels { levels: vec![], deny_warnings: true }).unwrap();
        let got: Vec<Level> = [&BROKEN_ANCHOR, &RAW_HTML, &UNKNOWN_MATH].map(|l| strict.level(l)).into();
        assert_eq!(got, [Level::Deny, Level::Allow, Level::Deny]);
    }

    #[test]
    fn errors_cannot_be_lowered_and_unknown_names_are_named() {
        let cli = |name: &str, level| CliLevels { levels: vec![(name.into(), level)], deny_warnings: false };
        let err = Levels::new(&BTreeMap::new(), &cli("unreadable-file", Level::Allow)).unwrap_err();
        assert!(err.message.contains("`unreadable-file` is an error that cannot be allowed"), "{}", err.message);
        // An error with a fallback may be lowered (an editor's choice).
        assert_eq!(
            Levels::new(&BTreeMap::new(), &cli("missing-image", Level::Warn)).unwrap().level(&MISSING_IMAGE),
            Level::Warn
        );
        let err = Levels::new(&BTreeMap::new(), &cli("broken-anchors", Level::Deny)).unwrap_err();
        assert!(err.message.contains("not a diagnostic name"), "{}", err.message);
        assert!(err.hint.contains("broken-anchor"));
        assert!(Levels::new(&BTreeMap::new(), &cli("missing-image", Level::Deny)).is_ok());
    }
}
