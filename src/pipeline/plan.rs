//! One edition's plan, made and checked from the configuration, the
//! edition and the command's options before any work: what to produce,
//! every artifact's path, the date, the template, the links between
//! editions, the downloads and whether the report must be typeset.

use std::path::{Path, PathBuf};

use crate::config::{Config, Edition, Format, Manifest};
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint::{self, Levels};
use crate::output::fonts::FontConfig;
use crate::output::site::{Alternate, Download};
use crate::output::{offprint, site};

/// What to build, as the command line gives it.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The folder holding book.toml.
    pub root: PathBuf,
    /// Overrides `[build] build-dir` (relative to the current folder).
    pub out: Option<PathBuf>,
    /// Overrides `[build] formats` when not empty.
    pub formats: Vec<Format>,
    /// Also write the generated Typst source beside the PDF.
    pub emit_typst: bool,
    /// Typeset with the system's fonts too (`--system-fonts`).
    pub system_fonts: bool,
    /// The editions to build (`--edition`, by language); empty: all.
    pub editions: Vec<String>,
    /// Diagnostic levels from the command line (`--deny`, `--allow`...).
    pub levels: lint::CliLevels,
    /// `check --links`: whether a check asks the network about the web
    /// links (a build never does).
    pub links: crate::linkcheck::LinkCheck,
}

/// What a run does with the plan: `Build` produces and writes the
/// artifacts; `Check` runs the same pipeline up to the typesetting, and
/// adds the checks that typesetting would have made (fonts, DOIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
}

/// Where an edition's artifacts go.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The build folder.
    pub out_dir: PathBuf,
    /// The Typst source, when `--emit-typst` asks for it.
    pub typst: Option<PathBuf>,
    pub pdf: PathBuf,
    pub epub: PathBuf,
    /// The web edition's folder (`html`, `html.es`).
    pub site: PathBuf,
    /// The offprints' folder (`offprints`, `offprints.es`).
    pub offprints: PathBuf,
    /// The Word edition, and its proofs' folder (`docx`, `docx.es`).
    pub docx: PathBuf,
    pub proofs: PathBuf,
    /// The citation exports (`citation.bib`, `citation.es.json`).
    pub bibtex: PathBuf,
    pub csl_json: PathBuf,
}

/// One edition's plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: Mode,
    /// The edition: `None` for the original, else the translation's tag.
    pub tag: Option<String>,
    /// The formats to produce, each once, in the order they are produced.
    pub formats: Vec<Format>,
    pub levels: Levels,
    /// The template's import path (empty when it is missing and unused).
    pub template: String,
    /// Whether the report is converted to Typst (it is typeset, or
    /// `--emit-typst`).
    pub converts: bool,
    /// Whether the report is typeset: a format needs its pages (the PDF,
    /// the offprints), or, checking, its fonts.
    pub typesets: bool,
    pub fonts: FontConfig,
    /// The date of reproducible artifacts, Unix seconds.
    pub timestamp: Option<i64>,
    /// `timestamp`'s day, which typst's `datetime.today()` gives.
    pub today: Option<(i32, u8, u8)>,
    /// The artifacts' file name, without extension (`report`, `report.es`).
    pub name: String,
    pub paths: Paths,
    /// The web edition's address, without a trailing `/`.
    pub url: Option<String>,
    /// The other editions, which every page of the web edition links.
    pub alternates: Vec<Alternate>,
    /// The PDF and EPUB the web edition offers (built now or before).
    pub downloads: Vec<Download>,
    /// The offprints' folder from the web edition's pages, when there are
    /// offprints (built now or before).
    pub site_offprints: Option<String>,
    /// Problems found while planning that a check reports with the
    /// edition's (a missing template).
    pub problems: Vec<Diagnostic>,
}

impl Plan {
    /// The plan of `edition`; an error is a configuration error (exit 2).
    pub fn new(config: &Config, edition: &Edition, options: &BuildOptions, mode: Mode) -> Result<Plan, Diagnostic> {
        let manifest = &edition.manifest;
        let tag = edition.tag.clone();
        let formats = formats(if options.formats.is_empty() { &manifest.build.formats } else { &options.formats });
        let levels = levels(manifest, &options.levels)?;
        let typesets = formats.iter().any(|&f| needs_document(f));
        let converts = mode == Mode::Build && (typesets || options.emit_typst);
        let mut problems = Vec::new();
        let template = match template(&config.root, manifest.build.style.as_deref()) {
            Ok(template) => template,
            Err(d) if converts => return Err(d),
            Err(d) => {
                if mode == Mode::Check {
                    problems.push(d);
                }
                String::new()
            }
        };
        let timestamp = edition.timestamp();
        let today = timestamp.map(|s| {
            let (y, m, d, ..) = crate::dates::civil_from_unix(s);
            (y, m, d)
        });
        let name = edition.name();
        let paths = paths(&config.out_dir(options.out.as_deref()), &name, tag.as_deref(), options.emit_typst);
        let wants = |format| formats.contains(&format);
        let alternates = if wants(Format::Html) { alternates(config, tag.as_deref()) } else { Vec::new() };
        let downloads = site::downloads(&formats, &paths.out_dir, &name);
        let offprints_dir = offprint::dir(tag.as_deref());
        let site_offprints =
            (wants(Format::Offprints) || paths.offprints.is_dir()).then(|| format!("../{offprints_dir}"));
        Ok(Plan {
            mode,
            tag,
            formats,
            levels,
            template,
            converts,
            typesets,
            fonts: FontConfig { paths: manifest.build.font_paths.clone(), system: options.system_fonts },
            timestamp,
            today,
            name,
            paths,
            url: manifest.book.url.as_deref().map(|u| u.trim_end_matches('/').to_string()),
            alternates,
            downloads,
            site_offprints,
            problems,
        })
    }

    /// Whether `format` is produced.
    pub fn wants(&self, format: Format) -> bool {
        self.formats.contains(&format)
    }
}

/// The formats, each once: first those that need the typeset report (they
/// run one after another on its world), then the others, each in the order
/// [`Format`] declares them.
fn formats(asked: &[Format]) -> Vec<Format> {
    let mut formats: Vec<Format> = Vec::new();
    for &format in asked {
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats.sort_by_key(|&f| (!needs_document(f), f));
    formats
}

/// Every artifact's path in `out_dir`.
fn paths(out_dir: &Path, name: &str, tag: Option<&str>, emit_typst: bool) -> Paths {
    let citation = match tag {
        None => "citation".to_string(),
        Some(tag) => format!("citation.{tag}"),
    };
    Paths {
        out_dir: out_dir.to_path_buf(),
        typst: emit_typst.then(|| out_dir.join(format!("{name}.typ"))),
        pdf: out_dir.join(format!("{name}.pdf")),
        epub: out_dir.join(format!("{name}.epub")),
        site: out_dir.join(site::dir(tag)),
        offprints: out_dir.join(offprint::dir(tag)),
        docx: out_dir.join(format!("{name}.docx")),
        proofs: out_dir.join(crate::output::docx::proofs_dir(tag)),
        bibtex: out_dir.join(format!("{citation}.bib")),
        csl_json: out_dir.join(format!("{citation}.json")),
    }
}

/// The editions other than `edition`, for the web edition's language links.
fn alternates(config: &Config, edition: Option<&str>) -> Vec<Alternate> {
    config
        .editions()
        .into_iter()
        .filter(|e| e.tag.as_deref() != edition)
        .map(|e| Alternate { dir: site::dir(e.tag.as_deref()), lang: e.manifest.book.language })
        .collect()
}

/// The levels of the named diagnostics: `[diagnostics]`, then the command line.
pub(crate) fn levels(manifest: &Manifest, cli: &lint::CliLevels) -> Result<Levels, Diagnostic> {
    Levels::new(&manifest.diagnostics, cli).map_err(|e| {
        let d = Diagnostic::new(&lint::INVALID_MANIFEST, e.message).with_hint(e.hint);
        if e.in_manifest { d.with_file(crate::config::MANIFEST) } else { d }
    })
}

/// Whether a format is made from the typeset report.
pub fn needs_document(format: Format) -> bool {
    matches!(format, Format::Pdf | Format::Offprints)
}

/// The built-in template's import path (served by the typst world).
pub const BUILTIN: &str = crate::output::pdf::BUILTIN_STYLE_IMPORT;

/// The template's import path from the root: `[build] style`, which must
/// exist inside the root; else `styles/report.typ` when the report has it;
/// else the built-in template (which the typst world serves).
pub fn template(root: &Root, style: Option<&str>) -> Result<String, Diagnostic> {
    let Some(style) = style else {
        let own = root.resolve(crate::config::DEFAULT_STYLE).is_ok_and(|p| p.is_file());
        return Ok(if own { crate::config::DEFAULT_STYLE.to_string() } else { BUILTIN.to_string() });
    };
    match root.resolve(style) {
        Ok(path) if path.is_file() => Ok(style.to_string()),
        Ok(_) => Err(Diagnostic::new(&lint::MISSING_TEMPLATE, format!("the template `{style}` does not exist"))
            .with_file("book.toml")
            .with_hint(
                "set `[build] style` to a .typ file inside the report, or remove it to use the built-in template \
                 (`coala-report init` writes a copy to edit)",
            )),
        Err(e) => Err(Diagnostic::new(&lint::MISSING_TEMPLATE, e.describe("template", style))
            .with_file("book.toml")
            .with_hint(e.hint())),
    }
}
