//! `build`: runs the pipeline for one report and writes its artifacts
//! atomically. A failed build leaves earlier artifacts untouched.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::emit;
use crate::fsutil;
use crate::manifest::{Format, parse_iso_date};
use crate::pdf::{self, ExportOptions, ReportWorld};
use crate::project::{self, Loaded};

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

/// The timestamp of reproducible artifacts: `SOURCE_DATE_EPOCH`, else the
/// manifest's date at midnight UTC.
pub fn source_date(manifest_date: Option<&str>) -> Option<i64> {
    if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH")
        && let Ok(secs) = value.trim().parse::<i64>()
    {
        return Some(secs);
    }
    let (y, m, d) = parse_iso_date(manifest_date?)?;
    Some(days_from_civil(y, m, d) * 86_400)
}

fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Everything `build` checks, without typesetting: the manifest, front
/// matter, links, anchors, images and the template. Reports all problems.
pub fn check(root_dir: &Path) -> Outcome {
    let mut outcome = Outcome::default();
    let start = Instant::now();
    match project::load(root_dir) {
        Ok(loaded) => {
            outcome.root = Some(loaded.root.path().to_path_buf());
            outcome.diagnostics = loaded.diagnostics;
            if let Err(d) = check_style(&loaded.root, &loaded.report.manifest.build.style) {
                outcome.diagnostics.push(d);
            }
        }
        Err(diagnostics) => outcome.diagnostics = diagnostics,
    }
    outcome.config_error = is_config_failure(&outcome.diagnostics);
    outcome.timings.push(Timing { stage: "total", duration: start.elapsed() });
    outcome
}

/// A failure is a configuration error when every error is in book.toml (or
/// has no file: the report folder itself).
fn is_config_failure(diagnostics: &[Diagnostic]) -> bool {
    let mut errors = diagnostics.iter().filter(|d| d.is_error()).peekable();
    errors.peek().is_some()
        && errors.all(|d| d.file.is_none() || d.file.as_deref() == Some(Path::new(crate::manifest::MANIFEST)))
}

/// Runs the build.
pub fn build(options: &BuildOptions) -> Outcome {
    let mut outcome = Outcome::default();
    let start = Instant::now();
    let loaded = match project::load(&options.root) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            outcome.config_error = is_config_failure(&diagnostics);
            outcome.diagnostics = diagnostics;
            return outcome;
        }
    };
    outcome.root = Some(loaded.root.path().to_path_buf());
    outcome.timings.push(Timing { stage: "parse", duration: start.elapsed() });
    let Loaded { root, report, diagnostics } = loaded;
    outcome.diagnostics = diagnostics;
    if outcome.failed() {
        outcome.config_error = is_config_failure(&outcome.diagnostics);
        return outcome;
    }

    let manifest = &report.manifest;
    let formats = if options.formats.is_empty() { manifest.build.formats.clone() } else { options.formats.clone() };
    let out_dir = match &options.out {
        Some(out) => out.clone(),
        None => root.path().join(&manifest.build.build_dir),
    };
    let name = manifest.build.name.clone().unwrap_or_else(|| "report".to_string());
    let timestamp = source_date(manifest.book.date.as_deref());

    let want_pdf = formats.contains(&Format::Pdf);
    let want_typst = want_pdf || options.emit_typst;
    let style = manifest.build.style.clone();
    if want_typst && let Err(d) = check_style(&root, &style) {
        outcome.config_error = true;
        outcome.diagnostics.push(d);
        return outcome;
    }

    // PDF and EPUB are produced concurrently from the one parse; nothing is
    // written unless every requested artifact was produced.
    let (typst_stage, epub_stage) = std::thread::scope(|scope| {
        let epub = formats.contains(&Format::Epub).then(|| {
            scope.spawn(|| {
                let t = Instant::now();
                (crate::epub::build(&report, &root, timestamp), t.elapsed())
            })
        });
        let typst = want_typst.then(|| typeset_stage(&report, &root, &style, timestamp, want_pdf));
        let epub = epub.map(|handle| {
            handle.join().unwrap_or_else(|_| {
                (
                    Err(vec![
                        Diagnostic::error("internal error: the EPUB writer panicked")
                            .with_hint("please report this bug with the report that causes it"),
                    ]),
                    Duration::ZERO,
                )
            })
        });
        (typst, epub)
    });

    let mut files: Vec<(PathBuf, Vec<u8>, &'static str, Option<usize>)> = Vec::new();
    if let Some(stage) = typst_stage {
        outcome.timings.extend(stage.timings);
        outcome.diagnostics.extend(stage.diagnostics);
        if options.emit_typst {
            files.push((out_dir.join(format!("{name}.typ")), stage.source.into_bytes(), "typst", None));
        }
        if let Some((bytes, pages)) = stage.pdf {
            files.push((out_dir.join(format!("{name}.pdf")), bytes, "pdf", Some(pages)));
        }
    }
    if let Some((result, duration)) = epub_stage {
        outcome.timings.push(Timing { stage: "epub", duration });
        match result {
            Ok((bytes, warnings)) => {
                outcome.diagnostics.extend(warnings);
                files.push((out_dir.join(format!("{name}.epub")), bytes, "epub", None));
            }
            Err(diagnostics) => outcome.diagnostics.extend(diagnostics),
        }
    }
    if outcome.failed() {
        return outcome;
    }
    let t = Instant::now();
    for (path, bytes, format, pages) in files {
        if let Err(d) = fsutil::write_atomic(&path, &bytes) {
            outcome.diagnostics.push(d);
            return outcome;
        }
        outcome.artifacts.push(Artifact { path, format, bytes: bytes.len(), pages });
    }
    outcome.timings.push(Timing { stage: "write", duration: t.elapsed() });
    outcome.timings.push(Timing { stage: "total", duration: start.elapsed() });
    outcome
}

/// What the Typst side produced.
struct TypstStage {
    source: String,
    /// The PDF's bytes and page count, when asked for and successful.
    pdf: Option<(Vec<u8>, usize)>,
    diagnostics: Vec<Diagnostic>,
    timings: Vec<Timing>,
}

/// Converts the report to Typst and, if `want_pdf`, typesets and exports it.
fn typeset_stage(
    report: &crate::doc::Report,
    root: &fsutil::Root,
    style: &str,
    timestamp: Option<i64>,
    want_pdf: bool,
) -> TypstStage {
    let t = Instant::now();
    let emitted = emit::typst::emit(report, style);
    let mut stage = TypstStage {
        source: String::new(),
        pdf: None,
        diagnostics: Vec::new(),
        timings: vec![Timing { stage: "convert", duration: t.elapsed() }],
    };
    if want_pdf {
        let today = timestamp.map(|s| {
            let (y, m, d, ..) = pdf::civil_from_unix(s);
            (y, m, d)
        });
        let mut world = ReportWorld::new(root, today);
        world.set_main(&emitted.source);
        let t = Instant::now();
        match pdf::typeset(&world, &emitted) {
            Ok(typeset) => {
                stage.diagnostics.extend(typeset.warnings);
                stage.timings.push(Timing { stage: "typeset", duration: t.elapsed() });
                let t = Instant::now();
                let book = &report.manifest.book;
                let ident = book
                    .identifier
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", book.title, book.edition.clone().unwrap_or_default()));
                match pdf::export(&world, &emitted, &typeset.document, &ExportOptions { ident, timestamp }) {
                    Ok(bytes) => stage.pdf = Some((bytes, typeset.document.pages().len())),
                    Err(diagnostics) => stage.diagnostics.extend(diagnostics),
                }
                stage.timings.push(Timing { stage: "pdf export", duration: t.elapsed() });
            }
            Err(diagnostics) => stage.diagnostics.extend(diagnostics),
        }
    }
    stage.source = emitted.source;
    stage
}

/// The template must exist inside the root.
fn check_style(root: &fsutil::Root, style: &str) -> Result<(), Diagnostic> {
    match root.resolve(style) {
        Ok(path) if path.is_file() => Ok(()),
        Ok(_) => {
            Err(Diagnostic::error(format!("the template `{style}` does not exist")).with_file("book.toml").with_hint(
                "set `[build] style` to a .typ file inside the report, or copy styles/report.typ from coala-report",
            ))
        }
        Err(e) => Err(Diagnostic::error(e.describe("template", style)).with_file("book.toml").with_hint(e.hint())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2016, 12, 8) * 86_400, 1_481_155_200);
    }
}
