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

/// Runs the build.
pub fn build(options: &BuildOptions) -> Outcome {
    let mut outcome = Outcome::default();
    let start = Instant::now();
    let loaded = match project::load(&options.root) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            outcome.config_error = diagnostics.iter().any(|d| d.file.as_deref() == Some(Path::new("book.toml")) || d.file.is_none());
            outcome.diagnostics = diagnostics;
            return outcome;
        }
    };
    outcome.root = Some(loaded.root.path().to_path_buf());
    outcome.timings.push(Timing { stage: "parse", duration: start.elapsed() });
    let Loaded { root, report, diagnostics } = loaded;
    outcome.diagnostics = diagnostics;
    if outcome.failed() {
        outcome.config_error = outcome.diagnostics.iter().filter(|d| d.is_error()).all(|d| d.file.as_deref() == Some(Path::new("book.toml")));
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

    if formats.contains(&Format::Pdf) || options.emit_typst {
        let style = manifest.build.style.clone();
        if let Err(d) = check_style(&root, &style) {
            outcome.config_error = true;
            outcome.diagnostics.push(d);
            return outcome;
        }
        let t = Instant::now();
        let emitted = emit::typst::emit(&report, &style);
        outcome.timings.push(Timing { stage: "convert", duration: t.elapsed() });
        if options.emit_typst {
            let path = out_dir.join(format!("{name}.typ"));
            match fsutil::write_atomic(&path, emitted.source.as_bytes()) {
                Ok(()) => outcome.artifacts.push(Artifact { path, format: "typst", bytes: emitted.source.len(), pages: None }),
                Err(d) => {
                    outcome.diagnostics.push(d);
                    return outcome;
                }
            }
        }
        if formats.contains(&Format::Pdf) {
            let today = timestamp.map(|s| {
                let (y, m, d, ..) = pdf::civil_from_unix(s);
                (y, m, d)
            });
            let mut world = ReportWorld::new(&root, today);
            world.set_main(&emitted.source);
            let t = Instant::now();
            let typeset = match pdf::typeset(&world, &emitted) {
                Ok(t) => t,
                Err(diagnostics) => {
                    outcome.diagnostics.extend(diagnostics);
                    return outcome;
                }
            };
            outcome.diagnostics.extend(typeset.warnings);
            outcome.timings.push(Timing { stage: "typeset", duration: t.elapsed() });
            let t = Instant::now();
            let ident = manifest.book.identifier.clone().unwrap_or_else(|| {
                format!("{} {}", manifest.book.title, manifest.book.edition.clone().unwrap_or_default())
            });
            let bytes = match pdf::export(&world, &emitted, &typeset.document, &ExportOptions { ident, timestamp }) {
                Ok(bytes) => bytes,
                Err(diagnostics) => {
                    outcome.diagnostics.extend(diagnostics);
                    return outcome;
                }
            };
            let path = out_dir.join(format!("{name}.pdf"));
            if let Err(d) = fsutil::write_atomic(&path, &bytes) {
                outcome.diagnostics.push(d);
                return outcome;
            }
            outcome.timings.push(Timing { stage: "write pdf", duration: t.elapsed() });
            outcome.artifacts.push(Artifact { path, format: "pdf", bytes: bytes.len(), pages: Some(typeset.document.pages().len()) });
        }
    }
    if formats.contains(&Format::Epub) {
        outcome.diagnostics.push(
            Diagnostic::warning("the EPUB format is not implemented yet; only the PDF was built")
                .with_hint("build the PDF alone with --format pdf"),
        );
    }
    outcome.timings.push(Timing { stage: "total", duration: start.elapsed() });
    outcome
}

/// The template must exist inside the root.
fn check_style(root: &fsutil::Root, style: &str) -> Result<(), Diagnostic> {
    match root.resolve(style) {
        Ok(path) if path.is_file() => Ok(()),
        Ok(_) => Err(Diagnostic::error(format!("the template `{style}` does not exist"))
            .with_file("book.toml")
            .with_hint("set `[build] style` to a .typ file inside the report, or copy styles/report.typ from coala-report")),
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
