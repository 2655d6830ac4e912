//! Typesetting: a typst `World` confined to the report root, with the
//! generated main file in memory and the fonts embedded in the binary; then
//! PDF export. Typst diagnostics are mapped back to the markdown.

pub mod standards;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use typst::diag::{FileError, FileResult, Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::config::PdfStandard;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::output::typst::{Emitted, Mark};

/// The virtual path of the generated main file.
pub const MAIN: &str = "/__coala_report_main.typ";

/// The virtual path of the built-in template, used when the report has no
/// `styles/report.typ` and `[build] style` is not set.
pub const BUILTIN_STYLE: &str = "/__coala_report/style.typ";
/// The same, as the generated source imports it (from the root).
pub const BUILTIN_STYLE_IMPORT: &str = "__coala_report/style.typ";

/// Reads project files, refusing anything outside the root (`..`, absolute
/// paths and symlinks that point outside) and every package.
struct ConfinedLoader {
    /// The root of the current build: a session's world outlives the
    /// build that made it, and each build's root holds that build's
    /// in-memory files (a Word document's pictures).
    root: Arc<std::sync::RwLock<Root>>,
}

impl FileLoader for ConfinedLoader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "packages are not available: coala-report builds offline; copy the package into the report folder"
                    .into(),
            )));
        }
        let root = self.root.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rel = id.vpath().get_without_slash();
        let path = root.resolve(rel).map_err(|e| FileError::Other(Some(e.describe("file", rel).into())))?;
        if path.is_dir() {
            return Err(FileError::IsDirectory);
        }
        root.read(&path).map(Bytes::new).map_err(|e| FileError::from_io(e, &path))
    }
}

/// The world typst compiles in. Kept alive between builds (watch mode) so
/// typst's incremental compilation can reuse what did not change.
pub struct ReportWorld {
    main: FileId,
    main_source: Source,
    /// Each article's generated markup as its own file (`/__coala_report/
    /// <id>.typ`, included by the main file), with its start in the emitted
    /// source: editing one article changes one file, so typst keeps what it
    /// laid out for the others.
    articles: std::collections::HashMap<FileId, (Source, usize)>,
    /// The length of the line each article file starts with (the import).
    prelude_len: usize,
    /// Main-file offsets to emitted-source offsets: (main, source) at the
    /// start of each stretch copied from the emitted source.
    main_map: Vec<(usize, usize)>,
    library: LazyHash<Library>,
    /// The language of the template's words given to typst as the input
    /// `coala-strings` (none: the template's English, or `report(strings:)`).
    strings_language: Option<String>,
    files: FileStore<ConfinedLoader>,
    /// The loader's root, replaced by [`ReportWorld::set_root`].
    root: Arc<std::sync::RwLock<Root>>,
    today: Option<Datetime>,
    /// The built-in template (`BUILTIN_STYLE`).
    builtin_style: Source,
    /// The embedded fonts, or those of `crate::output::fonts::store`.
    fonts: Arc<FontStore>,
}

impl ReportWorld {
    pub fn new(root: &Root, today: Option<(i32, u8, u8)>) -> Self {
        let vpath = VirtualPath::new(MAIN).expect("valid virtual path");
        let main = FileId::unique(RootedPath::new(VirtualRoot::Project, vpath));
        let shared_root = Arc::new(std::sync::RwLock::new(root.clone()));
        Self {
            main,
            main_source: Source::new(main, String::new()),
            articles: std::collections::HashMap::new(),
            prelude_len: 0,
            main_map: vec![(0, 0)],
            library: LazyHash::new(Library::builder().build()),
            strings_language: None,
            files: FileStore::new(ConfinedLoader { root: shared_root.clone() }),
            root: shared_root,
            today: today.and_then(|(y, m, d)| Datetime::from_ymd(y, m, d)),
            fonts: crate::output::fonts::embedded(),
            builtin_style: {
                let vpath = VirtualPath::new(BUILTIN_STYLE).expect("valid virtual path");
                let id = FileId::new(RootedPath::new(VirtualRoot::Project, vpath));
                Source::new(id, crate::styles::TEMPLATE.to_string())
            },
        }
    }

    /// Reads this build's files through `root` (the same folder): the
    /// in-memory files it holds replace the previous build's.
    pub fn set_root(&self, root: &Root) {
        *self.root.write().unwrap_or_else(std::sync::PoisonError::into_inner) = root.clone();
    }

    /// The world with typst's HTML export on (for formulas as MathML).
    pub fn with_html(mut self) -> Self {
        let features = [typst::Feature::Html].into_iter().collect();
        self.library = LazyHash::new(Library::builder().with_features(features).build());
        self
    }

    /// The world with these fonts (see `crate::output::fonts::store`).
    pub fn with_fonts(mut self, fonts: Arc<FontStore>) -> Self {
        self.fonts = fonts;
        self
    }

    pub fn fonts(&self) -> &Arc<FontStore> {
        &self.fonts
    }

    /// Replaces the main source (incrementally) and marks files stale: the
    /// whole document in one file.
    pub fn set_main(&mut self, text: &str) {
        self.main_source.replace(text);
        self.articles.clear();
        self.prelude_len = 0;
        self.main_map = vec![(0, 0)];
        self.files.reset();
    }

    /// Sets the emitted report: a main file that includes one file per
    /// article. Each file is updated incrementally, and one whose text did
    /// not change is left as it was.
    pub fn set_emitted(&mut self, emitted: &Emitted) {
        // The template's words as an input, known from typst's first layout
        // pass (a state set by `report` is known from the second: a report
        // in another language than English would need a third). A new
        // library is made only when the language changes, so watch mode
        // keeps typst's caches.
        if self.strings_language.as_deref() != Some(emitted.language.as_str()) {
            let labels = crate::words::Labels::for_language(&emitted.language);
            let strings: Dict = labels.pairs().into_iter().map(|(k, v)| (k.into(), v.into_value())).collect();
            let mut inputs = Dict::new();
            inputs.insert("coala-strings".into(), strings.into_value());
            self.library = LazyHash::new(Library::builder().with_inputs(inputs).build());
            self.strings_language = Some(emitted.language.clone());
        }
        let mut main = String::with_capacity(emitted.source.len() / 8 + 4096);
        let mut main_map = vec![(0, 0)];
        let mut articles = std::collections::HashMap::with_capacity(emitted.articles.len());
        let mut copied = 0;
        for (id, range) in &emitted.articles {
            main.push_str(&emitted.source[copied..range.start]);
            let path = format!("/__coala_report/{id}.typ");
            let Ok(vpath) = VirtualPath::new(&path) else { continue };
            let file = FileId::new(RootedPath::new(VirtualRoot::Project, vpath));
            let _ = writeln!(main, "#include {}", crate::output::typst::string(&path));
            main_map.push((main.len(), range.end));
            copied = range.end;
            let text = format!("{}{}", emitted.prelude, &emitted.source[range.clone()]);
            let source = match self.articles.remove(&file) {
                Some((mut source, _)) => {
                    if source.text() != text {
                        source.replace(&text);
                    }
                    source
                }
                None => Source::new(file, text),
            };
            articles.insert(file, (source, range.start));
        }
        main.push_str(&emitted.source[copied..]);
        self.main_source.replace(&main);
        self.articles = articles;
        self.prelude_len = emitted.prelude.len();
        self.main_map = main_map;
        self.files.reset();
    }

    /// Where a byte of a generated file is in the emitted source (`None`
    /// for a file that is not generated, or the article files' import line).
    fn emitted_offset(&self, id: FileId, offset: usize) -> Option<usize> {
        if id == self.main {
            let i = self.main_map.partition_point(|&(m, _)| m <= offset).checked_sub(1)?;
            let (main, source) = self.main_map[i];
            return Some(source + (offset - main));
        }
        let (_, start) = self.articles.get(&id)?;
        Some(start + offset.checked_sub(self.prelude_len)?)
    }

    fn is_generated(&self, id: FileId) -> bool {
        id == self.main || id == self.builtin_style.id() || self.articles.contains_key(&id)
    }

    pub fn main_text(&self) -> &str {
        self.main_source.text()
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            return Ok(self.main_source.clone());
        }
        if id == self.builtin_style.id() {
            return Ok(self.builtin_style.clone());
        }
        match self.articles.get(&id) {
            Some((source, _)) => Ok(source.clone()),
            None => self.files.source(id),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if self.is_generated(id) {
            return self.source(id).map(Bytes::from_string);
        }
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

/// What typesetting produced.
pub struct Typeset {
    pub document: PagedDocument,
    pub warnings: Vec<Diagnostic>,
}

/// Compiles the world's main file. Errors are mapped to the markdown.
pub fn typeset(world: &ReportWorld, emitted: &Emitted) -> Result<Typeset, Vec<Diagnostic>> {
    let warned = match guard(|| typst::compile::<PagedDocument>(world)) {
        Ok(warned) => warned,
        Err(message) => return Err(vec![crashed("typesetting", &message)]),
    };
    let warnings = map_diagnostics(world, emitted, &warned.warnings);
    match warned.output {
        Ok(document) => Ok(Typeset { document, warnings }),
        Err(errors) => {
            let mut all = map_diagnostics(world, emitted, &errors);
            all.extend(warnings);
            Err(all)
        }
    }
}

/// How many [`guard`]s are running: while any is, panics are not printed
/// (the guard reports them as diagnostics).
static GUARDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Installs, once for the process, a panic hook that stays silent while a
/// [`guard`] runs and otherwise prints as Rust's own. Nothing swaps the
/// process-wide hook under running threads after that. `cli::main` calls
/// it first; `guard` makes sure of it.
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDS.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                default(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic inside typst (on this thread or one of its
/// workers) into an error message instead of a crash: user input must
/// never abort the build.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    use std::sync::atomic::Ordering;
    install_panic_hook();
    GUARDS.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDS.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

pub(crate) fn crashed(stage: &str, message: &str) -> Diagnostic {
    Diagnostic::new(&lint::INTERNAL_ERROR, format!("typst crashed during {stage}: {message}")).with_hint(
        "this is a bug in typst, not in the report; run with --emit-typst and report it, \
         and try rewording the text around unusual characters",
    )
}

/// Options of the PDF export.
pub struct ExportOptions {
    pub ident: String,
    /// Seconds since the Unix epoch, UTC.
    pub timestamp: Option<i64>,
    /// `[build.pdf] standards`.
    pub standards: Vec<PdfStandard>,
}

/// Exports the document to PDF bytes.
pub fn export(
    world: &ReportWorld,
    emitted: &Emitted,
    document: &PagedDocument,
    options: &ExportOptions,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let pdf_options = pdf_options(options)?;
    guard(|| typst_pdf::pdf(document, &pdf_options))
        .map_err(|message| vec![crashed("PDF export", &message)])?
        .map_err(|errors| map_diagnostics(world, emitted, &errors))
}

/// typst's PDF options for ours (also those of every offprint).
pub(crate) fn pdf_options(options: &ExportOptions) -> Result<PdfOptions, Vec<Diagnostic>> {
    // PDF/A requires a document date: without `[book] date` or
    // SOURCE_DATE_EPOCH, the build time (the PDF is then not reproducible).
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs() as i64);
    let secs = if options.standards.is_empty() { options.timestamp } else { options.timestamp.or_else(now) };
    let timestamp = secs.and_then(|secs| {
        let (y, mo, d, h, mi, s) = crate::dates::civil_from_unix(secs);
        Datetime::from_ymd_hms(y, mo, d, h, mi, s).map(Timestamp::new_utc)
    });
    let pdf_options = PdfOptions {
        ident: Smart::Custom(options.ident.clone()),
        creator: Smart::Custom(Some(format!("coala-report {}", env!("CARGO_PKG_VERSION")))),
        timestamp,
        page_ranges: None,
        standards: standards::typst(&options.standards).map_err(|message| {
            vec![
                Diagnostic::new(&lint::INVALID_MANIFEST, format!("`build.pdf.standards`: {message}"))
                    .with_file(crate::config::MANIFEST),
            ]
        })?,
        tagged: true,
        pretty: false,
    };
    Ok(pdf_options)
}

/// Maps typst diagnostics to ours: errors in the generated main file point to
/// the markdown line that produced the markup; errors in the template point to
/// the template.
pub(crate) fn map_diagnostics(world: &ReportWorld, emitted: &Emitted, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for diag in diags {
        let mut d = match diag.severity {
            TypstSeverity::Error => {
                Diagnostic::new(&lint::TYPESET_ERROR, format!("typesetting failed: {}", diag.message))
            }
            TypstSeverity::Warning => Diagnostic::new(&lint::TYPESET_WARNING, format!("typesetting: {}", diag.message)),
        };
        // Prefer the markdown line that produced the failing markup (the
        // span, or the first trace point in the generated file); name the
        // template location too when the error was raised there.
        let mut spans = vec![diag.span];
        spans.extend(diag.trace.iter().map(|t| typst::syntax::DiagSpan::from(t.span)));
        let located: Vec<(FileId, std::ops::Range<usize>)> =
            spans.iter().filter_map(|&span| Some((span.id()?, world.range(span)?))).collect();
        let other = located.iter().find(|(id, _)| !world.is_generated(*id));
        let other_location = other.and_then(|(id, range)| {
            let source = world.source(*id).ok()?;
            let rel = id.vpath().get_without_slash().to_string();
            let probe = Diagnostic::new(&lint::INTERNAL_ERROR, "")
                .with_file(Path::new(&rel))
                .with_span(source.text(), range.clone());
            probe.location().map(|loc| (rel, range.clone(), source, loc))
        });
        let generated = located.iter().find_map(|(id, range)| world.emitted_offset(*id, range.start));
        if let Some(offset) = generated {
            match emitted.locate(offset) {
                Some(Mark { file: Some(file), line, .. }) => d = d.with_file(file).with_line(*line),
                _ => d = d.with_file(crate::config::MANIFEST),
            }
            if let Some((_, _, _, loc)) = &other_location {
                d.message.push_str(&format!(" (raised in {loc})"));
            }
        } else if let Some((rel, range, source, _)) = other_location {
            d = d.with_file(Path::new(&rel)).with_span(source.text(), range);
        }
        let hints: Vec<String> = diag.hints.iter().map(|h| h.v.to_string()).collect();
        if !hints.is_empty() {
            d = d.with_hint(hints.join("; "));
        } else if d.is_error() && d.file.as_ref().is_some_and(|f| f.extension().is_some_and(|e| e == "md")) {
            d = d.with_hint("run with --emit-typst to see the generated Typst source");
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The text of a typeset document, in layout order, one line per text run
/// (for tests and checks that do not want to parse the PDF).
pub fn document_text(document: &PagedDocument) -> String {
    use typst::layout::{Abs, Frame, FrameItem};
    use typst::syntax::Span;
    /// A glyph's cluster: its source position and text range, and the
    /// baseline of its run.
    type Cluster = (Span, u16, std::ops::Range<u16>, Abs);
    fn walk(frame: &Frame, out: &mut String) {
        let mut last: Option<Cluster> = None;
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(group) => {
                    walk(&group.frame, out);
                    last = None;
                }
                FrameItem::Text(text) => {
                    let Some(first) = text.glyphs.first() else { continue };
                    // A cluster split over two runs of one line (a letter and
                    // its combining mark, set apart and a little raised)
                    // carries its text in both. Equal lines of a code block
                    // are different clusters with the same source position.
                    let from = match &last {
                        Some((span, offset, range, y))
                            if !span.is_detached()
                                && (*span, *offset, range) == (first.span.0, first.span.1, &first.range)
                                && (pos.y - *y).abs() < text.size / 2.0 =>
                        {
                            first.range.end as usize
                        }
                        _ => 0,
                    };
                    out.push_str(text.text.get(from..).unwrap_or(&text.text));
                    out.push('\n');
                    last = text.glyphs.last().map(|g| (g.span.0, g.span.1, g.range.clone(), pos.y));
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for page in document.pages() {
        walk(&page.frame, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside a guarded call is its message, on any thread, and
    /// the hook in force is the same before and after.
    #[test]
    fn guard_turns_panics_into_messages_without_swapping_hooks() {
        let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    scope.spawn(move || {
                        guard(|| {
                            if i % 2 == 0 {
                                panic!("boom {i}")
                            }
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results, [Err("boom 0".into()), Ok(()), Err("boom 2".into()), Ok(())]);
        assert_eq!(
            guard(|| std::panic::resume_unwind(Box::new(String::from("from a worker")))),
            Err::<(), _>("from a worker".into())
        );
        assert_eq!(GUARDS.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[test]
    fn panics_become_messages() {
        assert_eq!(guard(|| 1), Ok(1));
        assert_eq!(guard(|| -> i32 { panic!("boom {}", 1) }), Err("boom 1".to_string()));
        assert_eq!(guard(|| -> i32 { panic!("plain") }), Err("plain".to_string()));
    }

    #[test]
    fn document_text_reads_each_cluster_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut world = ReportWorld::new(&Root::new(dir.path()).unwrap(), None);
        let mut text = |markup: &str| {
            world.set_main(markup);
            let document = typst::compile::<PagedDocument>(&world).output.expect("compiles");
            document_text(&document).split_whitespace().collect::<String>()
        };
        // A letter and its combining mark are set as two runs, both with the
        // cluster's text; two equal lines of a code block are two clusters.
        assert_eq!(text("h\u{300} x"), "h\u{300}x");
        assert_eq!(text("#raw(block: true, \"#\\n#\")"), "##");
        assert_eq!(text("#emph[a]a"), "aa");
    }

    /// The emitted report is served as a main file including one file per
    /// article; an edit to one article changes that file only, and offsets
    /// in every file map back to the emitted source.
    #[test]
    fn one_file_per_article() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let mut world = ReportWorld::new(&root, None);
        let emitted = |a: &str, b: &str| {
            let head = "#import \"/t.typ\": *\nHEAD\n";
            let source = format!("{head}{a}MID\n{b}");
            let (ra, rb) = (head.len()..head.len() + a.len(), source.len() - b.len()..source.len());
            Emitted {
                source,
                marks: Vec::new(),
                articles: vec![("a".into(), ra), ("b".into(), rb)],
                prelude: "#import \"/t.typ\": *\n".into(),
                language: "en".into(),
                glossary_pages: Default::default(),
            }
        };
        let first = emitted("ALPHA\n", "BETA\n");
        world.set_emitted(&first);
        let main = world.main_text().to_string();
        assert_eq!(
            main,
            "#import \"/t.typ\": *\nHEAD\n#include \"/__coala_report/a.typ\"\nMID\n#include \"/__coala_report/b.typ\"\n"
        );
        let file = |name: &str| FileId::new(RootedPath::new(VirtualRoot::Project, VirtualPath::new(name).unwrap()));
        let (a, b) = (file("/__coala_report/a.typ"), file("/__coala_report/b.typ"));
        assert_eq!(world.source(a).unwrap().text(), "#import \"/t.typ\": *\nALPHA\n");
        // Offsets map back: `L` of ALPHA in a, `M` of MID in main.
        let in_a = world.source(a).unwrap().text().find('L').unwrap();
        assert_eq!(first.source[world.emitted_offset(a, in_a).unwrap()..].chars().next(), Some('L'));
        let in_main = main.find("MID").unwrap();
        assert!(first.source[world.emitted_offset(world.main, in_main).unwrap()..].starts_with("MID"));

        // Edit b: a keeps its very source (same text, same spans).
        let before = world.source(a).unwrap();
        world.set_emitted(&emitted("ALPHA\n", "BETA, edited\n"));
        assert_eq!(world.main_text(), main, "the main file does not change");
        let after = world.source(a).unwrap();
        assert_eq!(before.text(), after.text());
        assert_eq!(before.root().span(), after.root().span());
        assert_eq!(world.source(b).unwrap().text(), "#import \"/t.typ\": *\nBETA, edited\n");
    }
}
