//! `[build]` and `[build.pdf]`: where and what to build, and the PDF's
//! options.

use serde::Deserialize;

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
    /// The Word edition (`<build-dir>/report.docx`) and one proof per
    /// article (`<build-dir>/docx/<article>.docx`).
    Docx,
}

impl Format {
    /// Its name in `book.toml` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Offprints => "offprints",
            Format::Docx => "docx",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Offprints => "pdf",
            Format::Docx => "docx",
        }
    }
}

fn default_build_dir() -> String {
    "build".into()
}

fn default_formats() -> Vec<Format> {
    vec![Format::Pdf, Format::Epub]
}
