//! The command line: arguments are checked and turned into options before
//! any work; diagnostics go to stderr; exit codes are documented:
//! 0 success, 1 build failed, 2 usage or configuration error.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::build::{self, BuildOptions};
use crate::diag;
use crate::manifest::Format;

/// Exit code of a successful run.
pub const EXIT_OK: i32 = 0;
/// Exit code of a build that failed (broken article, typesetting error...).
pub const EXIT_FAILED: i32 = 1;
/// Exit code of a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "coala-report",
    version,
    about = "Compiles an annual report (book.toml + markdown) into a typeset PDF and an EPUB 3"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only errors and warnings.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print a machine-readable summary on stdout (see the README's schema).
    #[arg(long, global = true)]
    pub json: bool,
    /// Treat warnings as errors: exit with 1 when there are any.
    #[arg(long, global = true)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the report's PDF (and EPUB) into the build folder.
    Build {
        /// The folder holding book.toml.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Write the outputs here instead of `[build] build-dir`.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Build only this format (repeatable); default: `[build] formats`.
        #[arg(long = "format", value_enum, value_name = "FORMAT")]
        formats: Vec<Format>,
        /// Also write the generated Typst source beside the PDF.
        #[arg(long)]
        emit_typst: bool,
    },
    /// Check the report (manifest, front matter, links, anchors, images,
    /// template) without typesetting; report every problem.
    Check {
        /// The folder holding book.toml.
        #[arg(default_value = ".")]
        root: PathBuf,
    },
}

/// How to report an outcome.
struct Report {
    choice: ColorChoice,
    quiet: bool,
    json: bool,
    deny_warnings: bool,
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let choice = match cli.color {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto => {
            if std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            }
        }
    };
    let how = Report { choice, quiet: cli.quiet || cli.json, json: cli.json, deny_warnings: cli.deny_warnings };
    match cli.command {
        Command::Build { root, out, formats, emit_typst } => {
            let options = BuildOptions { root, out, formats, emit_typst };
            let outcome = build::build(&options);
            finish(&outcome, &options.root, "build", &how)
        }
        Command::Check { root } => {
            let outcome = build::check(&root);
            finish(&outcome, &root, "check", &how)
        }
    }
}

fn finish(outcome: &build::Outcome, root_arg: &std::path::Path, command: &str, how: &Report) -> i32 {
    let (choice, quiet) = (how.choice, how.quiet);
    let mut stderr = StandardStream::stderr(choice);
    let root = outcome.root.clone().unwrap_or_else(|| root_arg.to_path_buf());
    let mut diagnostics = outcome.diagnostics.clone();
    // Errors first, then warnings, each in source order.
    diagnostics.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| (&a.file, a.line).cmp(&(&b.file, b.line))));
    let _ = diag::emit(&mut stderr, &root, &diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let code = if outcome.failed() {
        if outcome.config_error { EXIT_USAGE } else { EXIT_FAILED }
    } else if how.deny_warnings && warnings > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    if how.json {
        println!("{}", crate::summary::json(command, outcome, &diagnostics, code));
    }
    if outcome.failed() {
        let what = if command == "build" { "build failed" } else { "check failed" };
        let tail = if command == "build" { "; no artifact was replaced" } else { "" };
        let _ = writeln!(stderr, "error: {what} with {errors} error(s) and {warnings} warning(s){tail}");
        return code;
    }
    if code != EXIT_OK {
        let _ = writeln!(stderr, "error: {warnings} warning(s) and --deny-warnings");
        return code;
    }
    if command == "check" {
        if !quiet {
            println!("checked: {errors} error(s), {warnings} warning(s)");
        }
        return code;
    }
    if !quiet {
        let cwd = std::env::current_dir().unwrap_or_default();
        for artifact in &outcome.artifacts {
            let shown = artifact.path.strip_prefix(&cwd).unwrap_or(&artifact.path);
            let pages = artifact.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
            println!("wrote {} ({}, {} KiB{pages})", shown.display(), artifact.format, artifact.bytes.div_ceil(1024));
        }
        let total =
            outcome.timings.iter().find(|t| t.stage == "total").map(|t| t.duration.as_secs_f64()).unwrap_or(0.0);
        let stages: Vec<String> = outcome
            .timings
            .iter()
            .filter(|t| t.stage != "total")
            .map(|t| format!("{} {:.2}s", t.stage, t.duration.as_secs_f64()))
            .collect();
        println!(
            "built in {total:.2}s ({}){}",
            stages.join(", "),
            if warnings > 0 { format!(", {warnings} warning(s)") } else { String::new() }
        );
    }
    code
}
