//! `build`: runs the pipeline for one report and writes its artifacts
//! atomically. A failed build leaves earlier artifacts untouched.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst_layout::PagedDocument;

use crate::config::{Config, Edition, Format};
use crate::diag::{self, Diagnostic};
use crate::fsutil;
use crate::input::Loaded;
use crate::lint;
use crate::output;
use crate::output::offprint;
use crate::output::pages::PageMap;
use crate::output::pdf::{self, ExportOptions, ReportWorld};
use crate::passes;

/// What to build, checked before any work.
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
}

/// One file written.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: PathBuf,
    pub format: &'static str,
    pub bytes: usize,
    pub pages: Option<usize>,
}

/// A stage and how long it took.
#[derive(Debug, Clone)]
pub struct Timing {
    pub stage: &'static str,
    pub duration: Duration,
}

/// What a build did, successful or not.
#[derive(Debug, Default)]
pub struct Outcome {
    pub artifacts: Vec<Artifact>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Vec<Timing>,
    /// The canonical report root, when it could be opened.
    pub root: Option<PathBuf>,
    /// Whether the failure is in the configuration (exit code 2).
    pub config_error: bool,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Everything `build` checks, without typesetting: the manifest, front
/// matter, links, anchors, labels, images, the template, the characters no
/// font has (when a PDF is built; `system_fonts` as `build --system-fonts`)
/// and every translated edition. Reports all problems.
pub fn check(root_dir: &Path, system_fonts: bool, editions: &[String], cli_levels: &lint::CliLevels) -> Outcome {
    let mut outcome = Outcome::default();
    let start = Instant::now();
    // book.toml is read once, for every edition.
    let config = match Config::load(root_dir) {
        Ok(config) => config,
        Err(d) => {
            outcome.config_error = is_config_failure(std::slice::from_ref(&d));
            outcome.diagnostics.push(d);
            outcome.timings.push(Timing { stage: "total", duration: start.elapsed() });
            return outcome;
        }
    };
    outcome.root = Some(config.root.path().to_path_buf());
    let editions = match config.select(editions) {
        Ok(editions) => editions,
        Err(d) => {
            outcome.config_error = true;
            outcome.diagnostics.push(d);
            return outcome;
        }
    };
    let manifest = config.manifest.clone();
    let levels = match levels(&manifest, cli_levels) {
        Ok(levels) => levels,
        Err(d) => {
            outcome.config_error = true;
            outcome.diagnostics.push(d);
            return outcome;
        }
    };
    if let Err(d) = template(&config.root, manifest.build.style.as_deref()) {
        outcome.diagnostics.push(d);
    }
    let typesets = manifest.build.formats.iter().any(|f| matches!(f, Format::Pdf | Format::Offprints));
    let fonts = typesets.then(|| {
        let fonts = crate::output::fonts::FontConfig { paths: manifest.build.font_paths.clone(), system: system_fonts };
        let (fonts, warnings) = crate::output::fonts::store(&config.root, &fonts);
        outcome.diagnostics.extend(diag::apply_levels(&levels, warnings));
        fonts
    });
    outcome.diagnostics.extend(diag::apply_levels(&levels, translation_status(&config, &editions)));
    for edition in editions.iter().map(|edition| passes::load_edition(&config, edition)) {
        let diagnostics = diag::apply_levels(
            &levels,
            match edition {
                Ok(loaded) => {
                    let mut diagnostics = loaded.diagnostics;
                    // What the citations would warn of (`invalid-doi`).
                    diagnostics.extend(
                        loaded.report.articles().filter_map(|a| passes::cite::article_doi(a, &loaded.root).err()),
                    );
                    if let Some(fonts) = &fonts {
                        diagnostics.extend(crate::output::fonts::missing_glyphs(
                            &loaded.report,
                            &loaded.manifest,
                            fonts.book(),
                        ));
                    }
                    diagnostics
                }
                Err(diagnostics) => diagnostics,
            },
        );
        for d in diagnostics {
            if !outcome.diagnostics.contains(&d) {
                outcome.diagnostics.push(d);
            }
        }
    }
    outcome.config_error = is_config_failure(&outcome.diagnostics);
    outcome.timings.push(Timing { stage: "total", duration: start.elapsed() });
    outcome
}

/// A failure is a configuration error (exit 2) when every error is of a
/// configuration kind ([`lint::Lint::is_configuration`]).
fn is_config_failure(diagnostics: &[Diagnostic]) -> bool {
    let mut errors = diagnostics.iter().filter(|d| d.is_error()).peekable();
    errors.peek().is_some() && errors.all(|d| d.lint.is_configuration())
}

/// Follows a build's stages (the progress display and `--verbose`). Called
/// from the PDF and the EPUB threads, hence `Sync`.
pub trait Progress: Sync {
    /// A stage started.
    fn start(&self, _stage: &'static str) {}
    /// Something worth saying under `--verbose` (which template is used).
    fn note(&self, _text: &str) {}
    /// A stage ended; `detail` says what it did (e.g. "9 articles").
    fn done(&self, _stage: &'static str, _took: Duration, _detail: &str) {}
    /// An article was loaded.
    fn loaded(&self, _article: &Path) {}
    /// An edition (`None`: the original) was typeset, before its PDF is
    /// exported: `watch --serve` updates its page preview from here.
    fn typeset(&self, _edition: Option<&str>, _document: &PagedDocument) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// Runs the build once.
pub fn build(options: &BuildOptions) -> Outcome {
    Session::new(options.clone()).build(&Silent)
}

/// What identifies a typst world: the canonical root, the date it gives
/// `datetime.today()` and its font store. A world is reused only while all
/// stay the same.
type WorldKey = (PathBuf, Option<(i32, u8, u8)>, usize);

/// A build session: the options and the typst world, kept alive across
/// builds (`watch`) so that typst's incremental compilation reuses whatever
/// an edit did not touch. `build` uses a fresh session for one build.
pub struct Session {
    options: BuildOptions,
    world: Option<(WorldKey, ReportWorld)>,
    builds: usize,
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Self { options, world: None, builds: 0 }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// How many builds this session has run.
    pub fn builds(&self) -> usize {
        self.builds
    }

    /// The world for `root` and `today`: the session's, if it matches.
    fn world(
        &mut self,
        root: &fsutil::Root,
        today: Option<(i32, u8, u8)>,
        fonts: std::sync::Arc<typst_kit::fonts::FontStore>,
    ) -> &mut ReportWorld {
        let key = (root.path().to_path_buf(), today, std::sync::Arc::as_ptr(&fonts) as usize);
        if self.world.as_ref().is_none_or(|(k, _)| *k != key) {
            self.world = Some((key, ReportWorld::new(root, today).with_fonts(fonts)));
        }
        let world = &mut self.world.as_mut().expect("world just set").1;
        world.set_root(root);
        world
    }

    /// Runs one build: the report, then each translated edition
    /// (`[translations.<tag>]`); each edition writes nothing unless every
    /// artifact it was asked for was produced.
    pub fn build(&mut self, progress: &dyn Progress) -> Outcome {
        self.builds += 1;
        let start = Instant::now();
        // book.toml is read once per build, before any work.
        let config = match Config::load(&self.options.root) {
            Ok(config) => config,
            Err(d) => {
                let config_error = is_config_failure(std::slice::from_ref(&d));
                return Outcome { config_error, diagnostics: vec![d], ..Outcome::default() };
            }
        };
        // One build at a time per build folder (held until every edition
        // is written).
        let out_dir = config.out_dir(self.options.out.as_deref());
        let _lock = fsutil::lock_build_dir(&out_dir, || {
            eprintln!("Blocking: waiting for another coala-report build in `{}` to finish", out_dir.display())
        });
        let mut editions = match config.select(&self.options.editions) {
            Ok(editions) => editions.into_iter(),
            Err(d) => return Outcome { config_error: true, diagnostics: vec![d], ..Outcome::default() },
        };
        let Some(first) = editions.next() else { return Outcome::default() };
        let mut outcome = self.build_edition(progress, &config, &first);
        for edition in editions {
            if outcome.failed() {
                break;
            }
            let edition = self.build_edition(progress, &config, &edition);
            outcome.artifacts.extend(edition.artifacts);
            for d in edition.diagnostics {
                if !outcome.diagnostics.contains(&d) {
                    outcome.diagnostics.push(d);
                }
            }
        }
        if let Some(total) = outcome.timings.iter_mut().find(|t| t.stage == "total") {
            total.duration = start.elapsed();
        }
        outcome
    }

    /// Builds one edition: the original (`None`) or a translation.
    fn build_edition(&mut self, progress: &dyn Progress, config: &Config, edition: &Edition) -> Outcome {
        let mut outcome = Outcome::default();
        let start = Instant::now();
        progress.start("parse");
        let loaded = match passes::load_edition(config, edition) {
            Ok(loaded) => loaded,
            Err(diagnostics) => {
                outcome.config_error = is_config_failure(&diagnostics);
                outcome.diagnostics = diagnostics;
                return outcome;
            }
        };
        outcome.root = Some(loaded.root.path().to_path_buf());
        let parse = start.elapsed();
        outcome.timings.push(Timing { stage: "parse", duration: parse });
        let Loaded { root, manifest, report, diagnostics } = loaded;
        for article in report.articles() {
            progress.loaded(&article.path);
        }
        progress.done("parse", parse, &format!("{} articles", report.articles().count()));
        let levels = match levels(&manifest, &self.options.levels) {
            Ok(levels) => levels,
            Err(d) => {
                outcome.config_error = true;
                outcome.diagnostics.push(d);
                return outcome;
            }
        };
        let mut diagnostics = diagnostics;
        if edition.tag.is_some() {
            diagnostics.extend(translation_status(config, std::slice::from_ref(edition)));
        }
        outcome.diagnostics = diag::apply_levels(&levels, diagnostics);
        if outcome.failed() {
            outcome.config_error = is_config_failure(&outcome.diagnostics);
            return outcome;
        }

        let options = self.options.clone();
        let manifest = &manifest;
        let formats = if options.formats.is_empty() { manifest.build.formats.clone() } else { options.formats.clone() };
        // Every edition's site links the others' (`html`, `html.es`...).
        let tag = edition.tag.as_deref();
        let alternates = if formats.contains(&Format::Html) { alternates(config, tag) } else { Vec::new() };
        let out_dir = config.out_dir(options.out.as_deref());
        let name = edition.name();
        let timestamp = edition.timestamp();

        let want_pdf = formats.contains(&Format::Pdf);
        let want_offprints = formats.contains(&Format::Offprints);
        // The offprints and the citations' pages come from the typeset report.
        let want_document = want_pdf || want_offprints;
        let want_typst = want_document || options.emit_typst;
        let style = match template(&root, manifest.build.style.as_deref()) {
            Ok(style) => style,
            Err(d) if want_typst => {
                outcome.config_error = true;
                outcome.diagnostics.push(d);
                return outcome;
            }
            Err(_) => String::new(),
        };
        if want_typst {
            progress.note(&format!("template: {}", if style == BUILTIN { "built-in" } else { style.as_str() }));
        }
        let today = timestamp.map(|s| {
            let (y, m, d, ..) = crate::dates::civil_from_unix(s);
            (y, m, d)
        });
        let world = if want_document {
            let config = crate::output::fonts::FontConfig {
                paths: manifest.build.font_paths.clone(),
                system: options.system_fonts,
            };
            let (fonts, warnings) = crate::output::fonts::store(&root, &config);
            outcome.diagnostics.extend(diag::apply_levels(&levels, warnings));
            Some(self.world(&root, today, fonts))
        } else {
            None
        };

        // The report is typeset first when it is wanted: the citations the
        // web edition, the EPUB and the offprints show carry its pages.
        let mut typst_stage = want_typst.then(|| typeset_stage(&report, manifest, world, &style, progress));
        // The page preview (`watch --serve`) shows the pages as soon as they
        // are laid out, before the artifacts are written.
        if let Some(document) = typst_stage.as_ref().and_then(|stage| stage.document.as_ref()) {
            progress.typeset(tag, document);
        }
        let t = Instant::now();
        let placed = typst_stage
            .as_ref()
            .and_then(|stage| stage.document.as_ref())
            .map(|document| offprint::placed(document, &report))
            .unwrap_or_default();
        let page_files = crate::output::site::page_files(&report);
        let url = manifest.book.url.as_deref().map(|u| u.trim_end_matches('/').to_string());
        let addresses = passes::cite::Addresses { url: url.clone(), pages: &page_files };
        let (cited, cite_diagnostics) =
            passes::cite::cite(&report, manifest, &root, &offprint::pages_by_id(&placed), &addresses);
        outcome.diagnostics.extend(diag::apply_levels(&levels, cite_diagnostics));
        let cite_time = t.elapsed();
        let offprints_dir = offprint::dir(tag);
        let cite_name = match tag {
            None => "citation".to_string(),
            Some(tag) => format!("citation.{tag}"),
        };
        // The exports come with the offprints (with their pages).
        let exports = want_offprints && typst_stage.as_ref().is_some_and(|stage| stage.document.is_some());

        // PDF, offprints, EPUB and the web edition are produced concurrently;
        // nothing is written unless every requested artifact was produced.
        let downloads = crate::output::site::downloads(&formats, &out_dir, &name);
        // With the PDF, the EPUB and the web edition mark its pages, read
        // from the layout just made.
        let page_map =
            typst_stage.as_ref().and_then(|stage| stage.document.as_ref()).filter(|_| want_pdf).map(|document| {
                let pdf_file = format!("{name}.pdf");
                let source = match manifest.book.edition.as_deref() {
                    Some(edition) => format!("{}, {edition} (PDF, {pdf_file})", manifest.book.title),
                    None => format!("{} (PDF, {pdf_file})", manifest.book.title),
                };
                PageMap::read(document, &report, &source)
            });
        let site_offprints =
            (want_offprints || out_dir.join(&offprints_dir).is_dir()).then(|| format!("../{offprints_dir}"));
        let labels = crate::words::Labels::for_language(&manifest.book.language);
        // The formulas as MathML, for the EPUB and the web edition alike.
        let (math, math_time) = if formats.contains(&Format::Epub) || formats.contains(&Format::Html) {
            timed(progress, "mathml", || crate::output::mathml::render(&report, &root))
        } else {
            Default::default()
        };
        let rendered = crate::output::xhtml::Rendered { pages: page_map.as_ref(), math: Some(&math) };
        let (epub_stage, site_stage, offprints_stage) = std::thread::scope(|scope| {
            let site = formats.contains(&Format::Html).then(|| {
                scope.spawn(|| {
                    timed(progress, "html", || {
                        let extra = |article: &crate::model::Article| {
                            let link = |text: &str, href: String| crate::model::Inline::Link {
                                dest: crate::model::LinkDest::External(href),
                                content: vec![crate::model::Inline::Text(text.to_string())],
                                line: 0,
                                column: 0,
                            };
                            let mut links = Vec::new();
                            if let Some(dir) = &site_offprints {
                                links.push(link(labels.this_article_pdf, format!("{dir}/{}.pdf", article.id)));
                            }
                            if exports {
                                for (text, ext) in [("BibTeX", "bib"), ("CSL JSON", "json")] {
                                    if !links.is_empty() {
                                        links.push(crate::model::Inline::Text(" · ".into()));
                                    }
                                    links.push(link(text, format!("../{cite_name}.{ext}")));
                                }
                            }
                            links
                        };
                        let cited_report = passes::cite::with_how_to_cite(&report, &cited, labels.how_to_cite, extra);
                        crate::output::site::build(
                            &cited_report,
                            manifest,
                            &root,
                            &downloads,
                            &alternates,
                            site_offprints.as_deref(),
                            rendered,
                        )
                    })
                })
            });
            let epub = formats.contains(&Format::Epub).then(|| {
                scope.spawn(|| {
                    timed(progress, "epub", || {
                        let cited_report =
                            passes::cite::with_how_to_cite(&report, &cited, labels.how_to_cite, |_| Vec::new());
                        crate::output::epub::build(&cited_report, manifest, &root, timestamp, rendered)
                    })
                })
            });
            let mut offprints = None;
            if let Some(stage) = typst_stage.as_mut() {
                export_stage(stage, manifest, timestamp, want_pdf, progress);
                if want_offprints {
                    let ctx = OffprintStage { report: &report, manifest, root: &root, style: &style, cited: &cited };
                    offprints = offprints_stage(stage, &ctx, &placed, &name, url.clone(), timestamp, progress);
                }
            }
            let epub = epub.map(|handle| joined(handle, "the EPUB writer"));
            let site = site.map(|handle| joined(handle, "the web edition writer"));
            (epub, site, offprints)
        });

        let mut files: Vec<(PathBuf, Vec<u8>, &'static str, Option<usize>)> = Vec::new();
        if !math.is_empty() {
            outcome.timings.push(Timing { stage: "mathml", duration: math_time });
        }
        if let Some(stage) = typst_stage {
            outcome.timings.extend(stage.timings);
            outcome.timings.push(Timing { stage: "citations", duration: cite_time });
            outcome.diagnostics.extend(diag::apply_levels(&levels, stage.diagnostics));
            if options.emit_typst {
                files.push((out_dir.join(format!("{name}.typ")), stage.emitted.source.into_bytes(), "typst", None));
            }
            if let Some((bytes, pages)) = stage.pdf {
                files.push((out_dir.join(format!("{name}.pdf")), bytes, "pdf", Some(pages)));
            }
        }
        if let Some((built, diagnostics, duration)) = offprints_stage {
            outcome.timings.push(Timing { stage: "offprints", duration });
            outcome.diagnostics.extend(diag::apply_levels(&levels, diagnostics));
            // (An offprint that failed has said why; an article typst did
            // not place is a bug.)
            for article in report.articles().filter(|a| !placed.iter().any(|p| p.id == a.id)) {
                outcome.diagnostics.push(
                    Diagnostic::new(
                        &lint::INTERNAL_ERROR,
                        format!("no offprint of `{}`: its pages are not in the typeset report", article.id),
                    )
                    .with_file(&article.path)
                    .with_hint("please report this bug with the report; build without offprints meanwhile"),
                );
            }
            for offprint in built {
                let path = out_dir.join(&offprints_dir).join(format!("{}.pdf", offprint.id));
                files.push((path, offprint.bytes, "offprint", Some(offprint.pages)));
            }
        }
        if exports {
            files.push((out_dir.join(format!("{cite_name}.bib")), cited.bibtex.clone().into_bytes(), "bibtex", None));
            files.push((
                out_dir.join(format!("{cite_name}.json")),
                cited.csl_json.clone().into_bytes(),
                "csl-json",
                None,
            ));
        }
        if let Some((result, duration)) = epub_stage {
            outcome.timings.push(Timing { stage: "epub", duration });
            match result {
                Ok(bytes) => files.push((out_dir.join(format!("{name}.epub")), bytes, "epub", None)),
                Err(diagnostics) => outcome.diagnostics.extend(diag::apply_levels(&levels, diagnostics)),
            }
        }
        let mut site = None;
        if let Some((result, duration)) = site_stage {
            outcome.timings.push(Timing { stage: "html", duration });
            match result {
                Ok(built) => site = Some(built),
                Err(diagnostics) => outcome.diagnostics.extend(diag::apply_levels(&levels, diagnostics)),
            }
        }
        if outcome.failed() {
            return outcome;
        }
        progress.start("write");
        let t = Instant::now();
        // All or nothing, through the one atomic writer: no artifact is
        // replaced unless all can be written.
        let site_dir = out_dir.join(crate::output::site::dir(tag));
        let mut written: Vec<Artifact> = files
            .iter()
            .map(|(path, bytes, format, pages)| Artifact {
                path: path.clone(),
                format,
                bytes: bytes.len(),
                pages: *pages,
            })
            .collect();
        let mut artifacts = fsutil::Artifacts {
            files: files.into_iter().map(|(path, bytes, ..)| (path, bytes)).collect(),
            folders: Vec::new(),
        };
        if let Some(site) = site {
            written.push(Artifact { path: site_dir.clone(), format: "html", bytes: site.bytes(), pages: None });
            artifacts.folders.push((site_dir, site.files));
        }
        if let Err(d) = fsutil::commit(&artifacts) {
            outcome.diagnostics.push(d);
            return outcome;
        }
        outcome.artifacts = written;
        progress.done("write", t.elapsed(), &format!("{} files", outcome.artifacts.len()));
        outcome.timings.push(Timing { stage: "write", duration: t.elapsed() });
        outcome.timings.push(Timing { stage: "total", duration: start.elapsed() });
        outcome
    }
}

/// What the Typst side produced.
struct TypstStage<'w> {
    emitted: output::typst::Emitted,
    /// The world and the typeset report, when it was typeset.
    world: Option<&'w ReportWorld>,
    document: Option<typst_layout::PagedDocument>,
    /// The PDF's bytes and page count, when asked for and successful.
    pdf: Option<(Vec<u8>, usize)>,
    diagnostics: Vec<Diagnostic>,
    timings: Vec<Timing>,
}

/// Runs a stage, telling `progress`; its result and how long it took.
fn timed<T>(progress: &dyn Progress, stage: &'static str, f: impl FnOnce() -> T) -> (T, Duration) {
    progress.start(stage);
    let t = Instant::now();
    let result = f();
    progress.done(stage, t.elapsed(), "");
    (result, t.elapsed())
}

/// The result of a stage run on its own thread; a panic there is an
/// internal error, not a crash of the build.
fn joined<T>(
    handle: std::thread::ScopedJoinHandle<'_, (Result<T, Vec<Diagnostic>>, Duration)>,
    what: &str,
) -> (Result<T, Vec<Diagnostic>>, Duration) {
    handle.join().unwrap_or_else(|_| {
        (
            Err(vec![
                Diagnostic::new(&lint::INTERNAL_ERROR, format!("internal error: {what} panicked"))
                    .with_hint("please report this bug with the report that causes it"),
            ]),
            Duration::ZERO,
        )
    })
}

/// Converts the report to Typst and, given a world, typesets it there.
fn typeset_stage<'w>(
    report: &crate::model::Report,
    manifest: &crate::config::Manifest,
    world: Option<&'w mut ReportWorld>,
    style: &str,
    progress: &dyn Progress,
) -> TypstStage<'w> {
    let (emitted, took) = timed(progress, "convert", || output::typst::emit(report, manifest, style));
    let mut stage = TypstStage {
        emitted,
        world: None,
        document: None,
        pdf: None,
        diagnostics: Vec::new(),
        timings: vec![Timing { stage: "convert", duration: took }],
    };
    if let Some(world) = world {
        // Characters no font has, named at their markdown line (typst would
        // silently print empty boxes).
        stage.diagnostics.extend(crate::output::fonts::missing_glyphs(report, manifest, world.fonts().book()));
        world.set_emitted(&stage.emitted);
        let world = &*world;
        stage.world = Some(world);
        progress.start("typeset");
        let t = Instant::now();
        match pdf::typeset(world, &stage.emitted) {
            Ok(typeset) => {
                let pages = typeset.document.pages().len();
                progress.done("typeset", t.elapsed(), &format!("{pages} pages"));
                stage.diagnostics.extend(typeset.warnings);
                stage.timings.push(Timing { stage: "typeset", duration: t.elapsed() });
                stage.document = Some(typeset.document);
            }
            Err(diagnostics) => {
                progress.done("typeset", t.elapsed(), "failed");
                stage.diagnostics.extend(diagnostics)
            }
        }
    }
    stage
}

/// The PDF export's options from the manifest: the report's and each
/// offprint's.
fn export_options(manifest: &crate::config::Manifest, timestamp: Option<i64>) -> ExportOptions {
    let book = &manifest.book;
    let ident = book
        .identifier
        .clone()
        .unwrap_or_else(|| format!("{} {}", book.title, book.edition.clone().unwrap_or_default()));
    ExportOptions { ident, timestamp, standards: manifest.build.pdf.standards.clone() }
}

/// What the offprints are made of, besides the typeset report.
struct OffprintStage<'a> {
    report: &'a crate::model::Report,
    manifest: &'a crate::config::Manifest,
    root: &'a fsutil::Root,
    style: &'a str,
    cited: &'a passes::cite::Cited,
}

/// Typesets and exports every article's offprint from the report's world
/// and layout: the offprints, their diagnostics (a template without
/// `offprint` is named) and how long they took.
fn offprints_stage(
    stage: &TypstStage,
    ctx: &OffprintStage,
    placed: &[offprint::Placed],
    name: &str,
    url: Option<String>,
    timestamp: Option<i64>,
    progress: &dyn Progress,
) -> Option<(Vec<offprint::Offprint>, Vec<Diagnostic>, Duration)> {
    let (Some(world), Some(document)) = (stage.world, stage.document.as_ref()) else { return None };
    let OffprintStage { report, manifest, root, style, cited } = *ctx;
    let options = export_options(manifest, timestamp);
    let template_offprint = style == BUILTIN
        || root
            .resolve(style)
            .ok()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .is_some_and(|text| offprint::template_has_offprint(&text));
    let ctx = offprint::Context {
        report,
        manifest,
        style,
        template_offprint,
        cited,
        report_pdf: format!("../{name}.pdf"),
        url,
        options: &options,
    };
    progress.start("offprints");
    let t = Instant::now();
    let (built, mut diagnostics) = offprint::build(world, &stage.emitted, document, placed, &ctx);
    progress.done("offprints", t.elapsed(), &format!("{} offprints", built.len()));
    if !template_offprint {
        diagnostics.push(
            Diagnostic::new(&lint::OFFPRINT_TEMPLATE, format!("the template `{style}` has no `offprint` function"))
                .with_file(style)
                .with_line(1)
                .with_hint(
                    "copy `offprint`, `_folio`, `_rules` and `_elsewhere` (with `link-to`, `page-ref` and \
                     `glossary-pages`) from the built-in template (`coala-report init` writes it)",
                ),
        );
    }
    Some((built, diagnostics, t.elapsed()))
}

/// Exports the typeset report to PDF, when it is wanted.
fn export_stage(
    stage: &mut TypstStage,
    manifest: &crate::config::Manifest,
    timestamp: Option<i64>,
    want_pdf: bool,
    progress: &dyn Progress,
) {
    let (Some(world), Some(document)) = (stage.world, stage.document.as_ref()) else { return };
    if !want_pdf {
        return;
    }
    let options = export_options(manifest, timestamp);
    let (exported, took) = timed(progress, "pdf export", || pdf::export(world, &stage.emitted, document, &options));
    match exported {
        Ok(bytes) => stage.pdf = Some((bytes, document.pages().len())),
        Err(diagnostics) => stage.diagnostics.extend(diagnostics),
    }
    stage.timings.push(Timing { stage: "pdf export", duration: took });
}

/// The template must exist inside the root.
/// The editions other than `edition`, for the web edition's language links.
fn alternates(config: &Config, edition: Option<&str>) -> Vec<crate::output::site::Alternate> {
    config
        .editions()
        .into_iter()
        .filter(|e| e.tag.as_deref() != edition)
        .map(|e| crate::output::site::Alternate {
            dir: crate::output::site::dir(e.tag.as_deref()),
            lang: e.manifest.book.language,
        })
        .collect()
}

/// Stale and unrecorded translations among `editions` (`translations.lock`).
fn translation_status(config: &Config, editions: &[Edition]) -> Vec<Diagnostic> {
    use crate::input::translations;
    match translations::read_records(config) {
        Ok(records) => translations::diagnostics(&translations::statuses(config, &records, editions)),
        Err(d) => vec![d],
    }
}

/// The built-in template's import path (served by the typst world).
const BUILTIN: &str = pdf::BUILTIN_STYLE_IMPORT;

/// The template's import path from the root: `[build] style`, which must
/// exist inside the root; else `styles/report.typ` when the report has it;
/// else the built-in template (which the typst world serves).
pub fn template(root: &fsutil::Root, style: Option<&str>) -> Result<String, Diagnostic> {
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

/// The levels of the named diagnostics: `[diagnostics]`, then the command line.
fn levels(manifest: &crate::config::Manifest, cli: &lint::CliLevels) -> Result<lint::Levels, Diagnostic> {
    lint::Levels::new(&manifest.diagnostics, cli).map_err(|e| {
        let d = Diagnostic::new(&lint::INVALID_MANIFEST, e.message).with_hint(e.hint);
        if e.in_manifest { d.with_file(crate::config::MANIFEST) } else { d }
    })
}
