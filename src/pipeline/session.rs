//! A session runs the pipeline: the configuration read and checked once,
//! then for each edition its plan, the articles loaded and passed over,
//! the report typeset when the plan needs it, the producers, and the
//! artifacts written atomically (a failed build leaves earlier artifacts
//! untouched). A check is the same run in [`Mode::Check`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::config::{Config, Edition};
use crate::fsutil::{self, Root};
use crate::input::Loaded;
use crate::linkcheck::{self, LinkCheck};
use crate::output::pages::PageMap;
use crate::output::pdf::ReportWorld;
use crate::output::{fonts, mathml, xhtml};
use crate::passes;
use crate::pipeline::checks;
use crate::pipeline::outcome::{Artifact, Outcome, is_config_failure};
use crate::pipeline::plan::{BuildOptions, Mode, Plan};
use crate::pipeline::producers::{self, Content, Context, Output};
use crate::pipeline::stages::{Progress, Record, Silent, Stage, timed};
use crate::pipeline::typeset::{self, Typeset};

/// Runs the build once.
pub fn build(options: &BuildOptions) -> Outcome {
    Session::new(options.clone()).build(&Silent)
}

/// Everything `build` checks, without typesetting: the manifest, front
/// matter, links, anchors, labels, images, the template, the characters no
/// font has (when a PDF is built; `system_fonts` as `build --system-fonts`)
/// and every translated edition; with `links` (or `[links] check = true`),
/// the web links over the network. Reports all problems.
pub fn check(
    root: &Path,
    system_fonts: bool,
    editions: &[String],
    levels: &crate::lint::CliLevels,
    links: LinkCheck,
    progress: &dyn Progress,
) -> Outcome {
    let options = BuildOptions {
        root: root.to_path_buf(),
        out: None,
        formats: Vec::new(),
        emit_typst: false,
        system_fonts,
        editions: editions.to_vec(),
        levels: levels.clone(),
        links,
    };
    Session::new(options).run(Mode::Check, progress)
}

/// The configuration, checked: `book.toml`, and what only an output can
/// judge (whether typst can combine the PDF standards asked for).
pub fn load_config(root: &Path) -> Result<Config, crate::diag::Diagnostic> {
    let config = Config::load(root)?;
    crate::output::pdf::standards::check(&config)?;
    Ok(config)
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
    /// In a check, the web links every edition had (URL, place).
    links: Vec<(String, linkcheck::Place)>,
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Self { options, world: None, builds: 0, links: Vec::new() }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// How many builds this session has run.
    pub fn builds(&self) -> usize {
        self.builds
    }

    /// Runs one build: the report, then each translated edition
    /// (`[translations.<tag>]`); each edition writes nothing unless every
    /// artifact it was asked for was produced.
    pub fn build(&mut self, progress: &dyn Progress) -> Outcome {
        self.builds += 1;
        self.run(Mode::Build, progress)
    }

    /// Runs every edition in `mode`. A build stops at the first edition
    /// that fails; a check goes through all, and its exit code comes from
    /// all their problems.
    fn run(&mut self, mode: Mode, progress: &dyn Progress) -> Outcome {
        let start = Instant::now();
        let mut outcome = self.editions(mode, progress);
        if mode == Mode::Check {
            outcome.config_error = is_config_failure(&outcome.diagnostics);
        }
        outcome.set_total(start.elapsed(), mode == Mode::Check);
        outcome
    }

    fn editions(&mut self, mode: Mode, progress: &dyn Progress) -> Outcome {
        // book.toml is read once per run, before any work.
        let config = match load_config(&self.options.root) {
            Ok(config) => config,
            Err(d) => return Outcome::config_failure(d),
        };
        // One build at a time per build folder (held until every edition
        // is written).
        let out_dir = config.out_dir(self.options.out.as_deref());
        let _lock = (mode == Mode::Build).then(|| {
            fsutil::lock_build_dir(&out_dir, || {
                eprintln!("Blocking: waiting for another coala-report build in `{}` to finish", out_dir.display())
            })
        });
        let editions = match config.select(&self.options.editions) {
            Ok(editions) => editions,
            Err(d) => return Outcome { config_error: true, diagnostics: vec![d], ..Outcome::default() },
        };
        let mut outcome: Option<Outcome> = None;
        for edition in &editions {
            if mode == Mode::Build && outcome.as_ref().is_some_and(Outcome::failed) {
                break;
            }
            let done = self.edition(&config, edition, mode, progress);
            match &mut outcome {
                Some(outcome) => outcome.merge(done),
                None => outcome = Some(done),
            }
        }
        let mut outcome = outcome.unwrap_or_default();
        outcome.root = Some(config.root.path().to_path_buf());
        let links = std::mem::take(&mut self.links);
        if mode == Mode::Check && (self.options.links != LinkCheck::Off || config.manifest.links.check) {
            self.check_links(&config, links, progress, &mut outcome);
        }
        outcome
    }

    /// Asks the network about the web links of every edition checked, each
    /// URL once; the diagnostics at the original's levels.
    fn check_links(
        &self,
        config: &Config,
        links: Vec<(String, linkcheck::Place)>,
        progress: &dyn Progress,
        outcome: &mut Outcome,
    ) {
        let Ok(levels) = crate::pipeline::plan::levels(&config.manifest, &self.options.levels) else { return };
        let settings = &config.manifest.links;
        progress.start(Stage::Links);
        let start = Instant::now();
        let network = linkcheck::probe::Network::new(settings.timeout(), &settings.user_agent);
        let count = |done, total| progress.count(Stage::Links, done, total);
        let refresh = self.options.links == LinkCheck::Refresh;
        let checked = linkcheck::run(links, settings, config.root.path(), refresh, &network, &count);
        if let Some(error) = &checked.cache_error {
            progress.note(&format!("the link cache was not written: {error}"));
        }
        let asked = checked.results.iter().filter(|r| !r.cached && r.observation.is_some()).count();
        let detail = format!("{} addresses, {asked} asked", checked.results.len());
        progress.done(Stage::Links, start.elapsed(), &detail);
        let mut record = Record::new(&levels);
        record.diagnose(checked.diagnostics);
        record.time(Stage::Links, start.elapsed());
        for d in record.diagnostics {
            if !outcome.diagnostics.contains(&d) {
                outcome.diagnostics.push(d);
            }
        }
        outcome.timings.extend(record.timings);
        outcome.timings.sort_by_key(|t| t.stage);
        outcome.links = Some(checked.results);
    }

    /// Builds (or checks) one edition: the original or a translation.
    fn edition(&mut self, config: &Config, edition: &Edition, mode: Mode, progress: &dyn Progress) -> Outcome {
        let start = Instant::now();
        let plan = match Plan::new(config, edition, &self.options, mode) {
            Ok(plan) => plan,
            Err(d) => return Outcome::config_failure(d),
        };
        let mut record = Record::new(&plan.levels);
        record.diagnose(plan.problems.clone());
        let Some(loaded) = load(config, edition, progress, &mut record) else { return ended(record, true) };
        if mode == Mode::Check {
            checks::unbuilt(&loaded, &plan, &mut record);
            linkcheck::collect(&loaded.report, &mut self.links);
            return ended(record, true);
        }
        if record.failed() {
            return ended(record, true);
        }
        let mut typeset = self.typeset(&loaded, &plan, progress, &mut record);
        let outputs = produce(&loaded, &plan, typeset.as_mut(), progress, &mut record);
        if record.failed() {
            return ended(record, false);
        }
        let artifacts = write(outputs, progress, &mut record);
        let mut outcome = ended(record, false);
        outcome.artifacts = artifacts.unwrap_or_default();
        if !outcome.failed() {
            outcome.set_total(start.elapsed(), true);
        }
        outcome
    }

    /// Converts the report to Typst when the plan asks, and typesets it
    /// in the session's world when a format needs its pages.
    fn typeset<'w>(
        &'w mut self,
        loaded: &Loaded,
        plan: &Plan,
        progress: &dyn Progress,
        record: &mut Record,
    ) -> Option<Typeset<'w>> {
        if !plan.converts {
            return None;
        }
        let Loaded { root, manifest, report, .. } = loaded;
        let template =
            if plan.template == crate::pipeline::plan::BUILTIN { "built-in" } else { plan.template.as_str() };
        progress.note(&format!("template: {template}"));
        let world = plan.typesets.then(|| {
            let (fonts, warnings) = fonts::store(root, &plan.fonts);
            record.diagnose(warnings);
            self.world(root, plan.today, fonts)
        });
        let typeset = typeset::run(report, manifest, world, plan, progress, record);
        // The page preview (`watch --serve`) shows the pages as soon as they
        // are laid out, before the artifacts are written.
        if let Some(document) = typeset.document() {
            progress.typeset(plan.tag.as_deref(), document);
        }
        Some(typeset)
    }

    /// The world for `root` and `today`: the session's, if it matches.
    fn world(
        &mut self,
        root: &Root,
        today: Option<(i32, u8, u8)>,
        fonts: Arc<typst_kit::fonts::FontStore>,
    ) -> &mut ReportWorld {
        let key = (root.path().to_path_buf(), today, Arc::as_ptr(&fonts) as usize);
        if self.world.as_ref().is_none_or(|(k, _)| *k != key) {
            self.world = Some((key, ReportWorld::new(root, today).with_fonts(fonts)));
        }
        // This build's root: it holds the pictures of the Word documents it read.
        let world = &mut self.world.as_mut().expect("world just set").1;
        world.set_root(root);
        world
    }
}

/// Reads the edition and runs the passes; `None` when nothing could be read.
fn load(config: &Config, edition: &Edition, progress: &dyn Progress, record: &mut Record) -> Option<Loaded> {
    progress.start(Stage::Parse);
    let start = Instant::now();
    let mut loaded = match passes::load_edition(config, edition) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            record.diagnose(diagnostics);
            return None;
        }
    };
    record.time(Stage::Parse, start.elapsed());
    for article in loaded.report.articles() {
        progress.loaded(&article.path);
    }
    progress.done(Stage::Parse, start.elapsed(), &format!("{} articles", loaded.report.articles().count()));
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(checks::translation_status(config, edition));
    record.diagnose(diagnostics);
    Some(loaded)
}

/// Runs the plan's producers on the edition, after the citations (which
/// carry the typeset report's pages, when it was typeset): their outputs,
/// with the Typst source first when it is asked for.
fn produce(
    loaded: &Loaded,
    plan: &Plan,
    mut typeset: Option<&mut Typeset>,
    progress: &dyn Progress,
    record: &mut Record,
) -> Vec<Output> {
    let Loaded { root, manifest, report, .. } = loaded;
    let (placed, cited) = typeset::cite(report, manifest, root, typeset.as_deref(), plan, record);
    if let Some(typeset) = typeset.as_mut() {
        record.diagnose(std::mem::take(&mut typeset.diagnostics));
    }
    let typeset = typeset.as_deref();
    let (pages, math) = xhtml_inputs(loaded, plan, typeset, progress, record);
    let words = crate::words::Labels::for_language(&manifest.book.language);
    let rendered = xhtml::Rendered { pages: pages.as_ref(), math: Some(&math) };
    let ctx = Context {
        plan,
        report,
        manifest,
        root,
        words: &words,
        typeset,
        placed: &placed,
        cited: &cited,
        rendered,
        progress,
    };
    let mut outputs: Vec<Output> = typst_source(plan, typeset).into_iter().collect();
    for produced in producers::run(&ctx) {
        record.diagnose(produced.diagnostics);
        record.timings.extend(produced.timings);
        outputs.extend(produced.outputs);
    }
    outputs
}

/// What the EPUB and the web edition share: with the PDF, where its pages
/// begin (read from the layout just made); the formulas as MathML.
fn xhtml_inputs(
    loaded: &Loaded,
    plan: &Plan,
    typeset: Option<&Typeset>,
    progress: &dyn Progress,
    record: &mut Record,
) -> (Option<PageMap>, mathml::MathMl) {
    let Loaded { root, manifest, report, .. } = loaded;
    let pages =
        typeset.and_then(Typeset::document).filter(|_| plan.wants(crate::config::Format::Pdf)).map(|document| {
            let pdf_file = format!("{}.pdf", plan.name);
            let source = match manifest.book.edition.as_deref() {
                Some(edition) => format!("{}, {edition} (PDF, {pdf_file})", manifest.book.title),
                None => format!("{} (PDF, {pdf_file})", manifest.book.title),
            };
            PageMap::read(document, report, &source)
        });
    let mut math = mathml::MathMl::default();
    if plan.wants(crate::config::Format::Epub) || plan.wants(crate::config::Format::Html) {
        let took;
        (math, took) = timed(progress, Stage::Mathml, || mathml::render(report, root));
        if !math.is_empty() {
            record.time(Stage::Mathml, took);
        }
    }
    (pages, math)
}

/// The generated Typst source, when `--emit-typst` asks for it.
fn typst_source(plan: &Plan, typeset: Option<&Typeset>) -> Option<Output> {
    let (path, typeset) = (plan.paths.typst.clone()?, typeset?);
    let bytes = typeset.emitted.source.clone().into_bytes();
    Some(Output::file(crate::pipeline::outcome::ArtifactKind::Typst, path, bytes, None))
}

/// Writes every output through the one atomic writer: none is replaced
/// unless all can be written. What was written, or `None` (and why).
fn write(outputs: Vec<Output>, progress: &dyn Progress, record: &mut Record) -> Option<Vec<Artifact>> {
    progress.start(Stage::Write);
    let t = Instant::now();
    let written: Vec<Artifact> = outputs
        .iter()
        .map(|o| Artifact { path: o.path.clone(), kind: o.kind, bytes: o.bytes(), pages: o.pages })
        .collect();
    let mut artifacts = fsutil::Artifacts { files: Vec::new(), folders: Vec::new() };
    for output in outputs {
        match output.content {
            Content::File(bytes) => artifacts.files.push((output.path, bytes)),
            Content::Folder(files) => artifacts.folders.push((output.path, files)),
        }
    }
    if let Err(d) = fsutil::commit(&artifacts) {
        record.diagnose(vec![d]);
        return None;
    }
    progress.done(Stage::Write, t.elapsed(), &format!("{} files", written.len()));
    record.time(Stage::Write, t.elapsed());
    Some(written)
}

/// An edition's outcome from its record, timings in the order of the
/// stages. A failure up to the passes may be the configuration's (exit 2);
/// a later one is the build's.
fn ended(record: Record, early: bool) -> Outcome {
    let mut timings = record.timings;
    timings.sort_by_key(|t| t.stage);
    let config_error = early && is_config_failure(&record.diagnostics);
    Outcome { diagnostics: record.diagnostics, timings, config_error, ..Outcome::default() }
}
