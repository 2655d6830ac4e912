//! The command line: arguments are checked and turned into options before
//! any work; diagnostics go to stderr; exit codes are documented:
//! 0 success, 1 build failed, 2 usage or configuration error.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::commands::progress;
use crate::config::Format;
use crate::diag::{self, Diagnostic};
use crate::lint;
use crate::pipeline::{self, BuildOptions, Session, Stage};

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
    about = "Compiles an annual report (book.toml + markdown) into a typeset PDF, an EPUB 3 and a web edition",
    after_long_help = "Exit codes: 0 success (warnings may have been printed), 1 the build or check failed, \
                       2 usage or configuration error (bad arguments, an invalid book.toml)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only errors and warnings.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each article loaded and each stage's time as it ends.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Print a machine-readable summary on stdout (see the README's schema).
    #[arg(long, global = true)]
    pub json: bool,
    /// Treat every warning as an error: the build fails (exit 1) and
    /// writes nothing when there is any.
    #[arg(long, global = true)]
    pub deny_warnings: bool,
    /// Report the diagnostic NAME as an error (repeatable; see docs/diagnostics.md for the
    /// table of names).
    #[arg(long, short = 'D', global = true, value_name = "NAME")]
    pub deny: Vec<String>,
    /// Report the diagnostic NAME as a warning (repeatable).
    #[arg(long, short = 'W', global = true, value_name = "NAME")]
    pub warn: Vec<String>,
    /// Do not report the diagnostic NAME (repeatable; only warnings).
    #[arg(long, short = 'A', global = true, value_name = "NAME")]
    pub allow: Vec<String>,
}

impl Cli {
    /// The levels given on the command line: a name given twice takes the
    /// strictest (deny over warn over allow).
    fn levels(&self) -> lint::CliLevels {
        let mut levels = Vec::new();
        for (names, level) in
            [(&self.allow, lint::Level::Allow), (&self.warn, lint::Level::Warn), (&self.deny, lint::Level::Deny)]
        {
            levels.extend(names.iter().map(|n| (n.clone(), level)));
        }
        lint::CliLevels { levels, deny_warnings: self.deny_warnings }
    }
}

/// An output format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
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

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Pdf => Format::Pdf,
            FormatArg::Epub => Format::Epub,
            FormatArg::Html => Format::Html,
            FormatArg::Offprints => Format::Offprints,
            FormatArg::Docx => Format::Docx,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// What `build` and `watch` build.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The folder holding book.toml.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Write the outputs here instead of `[build] build-dir`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build only this format (repeatable); default: `[build] formats`.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub formats: Vec<FormatArg>,
    /// Also write the generated Typst source beside the PDF.
    #[arg(long)]
    pub emit_typst: bool,
    /// Also typeset with the system's fonts (the PDF then depends on the machine).
    #[arg(long)]
    pub system_fonts: bool,
    /// Build only this edition (repeatable): the original's language or a
    /// `[translations.<tag>]` tag; default: every edition.
    #[arg(long = "edition", value_name = "LANG")]
    pub editions: Vec<String>,
}

impl BuildArgs {
    fn options(self, levels: lint::CliLevels) -> BuildOptions {
        BuildOptions {
            root: self.root,
            out: self.out,
            formats: self.formats.into_iter().map(Format::from).collect(),
            emit_typst: self.emit_typst,
            system_fonts: self.system_fonts,
            editions: self.editions,
            levels,
            links: crate::linkcheck::LinkCheck::Off,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the report's PDF (and EPUB) into the build folder.
    Build(BuildArgs),
    /// Check the report (manifest, front matter, links, anchors, images,
    /// template) without typesetting; report every problem.
    Check {
        /// The folder holding book.toml.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Count the system's fonts as available (as `build --system-fonts`).
        #[arg(long)]
        system_fonts: bool,
        /// Check only this edition (repeatable), as `build --edition`.
        #[arg(long = "edition", value_name = "LANG")]
        editions: Vec<String>,
        /// Also ask the network about every web link and remote image
        /// (`[links]` in book.toml); results younger than `[links] max-age`
        /// come from `.coala-report/links.json`; `--links=refresh` asks
        /// again for all.
        #[arg(long, value_enum, value_name = "refresh", num_args = 0..=1, require_equals = true,
              default_missing_value = "cached")]
        links: Option<LinksArg>,
    },
    /// Create a new report (book.toml, sample articles, the default template)
    /// that builds at once; never overwrites a file.
    Init {
        /// The folder to create the report in (created if needed).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build, then rebuild on every change to book.toml, the articles and
    /// styles/, until stopped (Ctrl-C).
    Watch {
        #[command(flatten)]
        build: BuildArgs,
        /// Also serve the build folder on http://127.0.0.1:PORT/.
        #[arg(long)]
        serve: bool,
        /// The port of --serve.
        #[arg(long, default_value_t = 3000, requires = "serve")]
        port: u16,
        /// Open the preview in the browser after the first build (`$BROWSER`,
        /// else the system's opener).
        #[arg(long, requires = "serve")]
        open: bool,
    },
    /// Convert Word documents (.docx) into markdown articles: DIR/<name>.md,
    /// their pictures in DIR/images/<name>/, the works they cite in the
    /// report's bibliography; prints the book.toml entry to add.
    Import {
        /// The Word documents.
        #[arg(required = true, value_name = "FILE.docx")]
        files: Vec<PathBuf>,
        /// The folder holding book.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Write the markdown here; default: the report's `src` folder.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
        /// Append the articles to the `articles` of the `[[part]]` with this title in book.toml.
        #[arg(long, value_name = "TITLE")]
        part: Option<String>,
        /// Tracked changes: accept them (the text as it would read), reject
        /// them (as it was), or keep both (deletions struck through).
        #[arg(long, value_enum, default_value_t = TrackChangesArg::Accept, value_name = "HOW")]
        track_changes: TrackChangesArg,
    },
    /// Read Word proofs (`build --format docx`) that came back from their
    /// authors: every comment, tracked change and untracked edit at the
    /// markdown line it concerns; `--apply` writes the tracked changes
    /// into the sources.
    Review {
        /// Write the tracked insertions and deletions that fall inside a
        /// paragraph's plain text into the markdown, and list the others.
        #[arg(long)]
        apply: bool,
        /// The folder holding book.toml (default: the current one), then
        /// the proofs.
        #[arg(required = true, value_name = "[ROOT] FILE.docx")]
        files: Vec<PathBuf>,
    },
    /// Where every translation stands: current, out of date, unknown or
    /// missing, and the words left per edition (`--json` for machines).
    #[command(args_conflicts_with_subcommands = true)]
    Translations {
        #[command(subcommand)]
        action: Option<TranslationsAction>,
        /// The folder holding book.toml.
        #[arg(default_value = ".")]
        root: PathBuf,
    },
    /// Print a shell completion script to stdout.
    #[command(hide = true)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
}

/// `check --links[=refresh]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LinksArg {
    /// Fresh results from the cache (`--links` alone).
    #[value(hide = true)]
    Cached,
    /// Every link asked again.
    Refresh,
}

/// `import --track-changes`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TrackChangesArg {
    Accept,
    Reject,
    Keep,
}

/// `translations mark` and `translations diff`.
#[derive(Debug, Subcommand)]
pub enum TranslationsAction {
    /// Record that edition LANG's translations (or the ARTICLEs named, as
    /// book.toml lists them) translate their originals as they are now.
    Mark {
        /// The translated edition's language tag.
        lang: String,
        /// The articles to mark; default: every translated one.
        articles: Vec<String>,
        /// The folder holding book.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Show the paragraphs of ARTICLE's original that changed since edition
    /// LANG's translation was marked current (from git history).
    Diff {
        /// The translated edition's language tag.
        lang: String,
        /// The article, as book.toml lists it.
        article: String,
        /// The folder holding book.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// How to report an outcome.
struct Reporting {
    choice: ColorChoice,
    quiet: bool,
    verbose: bool,
    json: bool,
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    crate::output::pdf::install_panic_hook();
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
    let how = Reporting { choice, quiet: cli.quiet || cli.json, verbose: cli.verbose && !cli.json, json: cli.json };
    let levels = cli.levels();
    match cli.command {
        Command::Build(args) => {
            let options = args.options(levels);
            let display = progress::Display::choose(how.quiet, how.verbose);
            let outcome = Session::new(options.clone()).build(&display);
            display.finish();
            finish(&outcome, &options.root, "build", &how)
        }
        Command::Check { root, system_fonts, editions, links } => {
            use crate::linkcheck::LinkCheck;
            let links = match links {
                None => LinkCheck::Off,
                Some(LinksArg::Cached) => LinkCheck::On,
                Some(LinksArg::Refresh) => LinkCheck::Refresh,
            };
            let display = progress::Display::choose(how.quiet, how.verbose);
            let outcome = pipeline::check(&root, system_fonts, &editions, &levels, links, &display);
            display.finish();
            finish(&outcome, &root, "check", &how)
        }
        Command::Init { dir } => init(&dir, &how),
        Command::Import { files, root, to, force, part, track_changes } => {
            use crate::input::docx::TrackChanges;
            let track_changes = match track_changes {
                TrackChangesArg::Accept => TrackChanges::Accept,
                TrackChangesArg::Reject => TrackChanges::Reject,
                TrackChangesArg::Keep => TrackChanges::Keep,
            };
            let options =
                crate::commands::import::ImportOptions { root, to, force, part, track_changes, files, levels };
            import(&options, &how)
        }
        Command::Translations { action, root } => translations(action, &root, &how),
        Command::Review { apply, mut files } => {
            let root = if files.first().is_some_and(|f| f.is_dir()) { files.remove(0) } else { PathBuf::from(".") };
            if files.is_empty() {
                eprintln!("error: `review` needs the proofs to read: coala-report review [ROOT] FILE.docx...");
                return EXIT_USAGE;
            }
            review(&crate::commands::review::Options { root, files, apply }, &how, &levels)
        }
        Command::Watch { build, serve, port, open } => watch(build.options(levels), serve.then_some(port), open, &how),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "coala-report", &mut std::io::stdout());
            EXIT_OK
        }
        Command::Man => {
            let mut out = std::io::stdout();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => EXIT_OK,
                Err(err) => {
                    eprintln!("error: cannot write the man page: {err}");
                    EXIT_FAILED
                }
            }
        }
    }
}

/// Prints one diagnostic that stops a command before any work.
fn fail_early(how: &Reporting, diagnostic: Diagnostic, code: i32) -> i32 {
    let mut stderr = StandardStream::stderr(how.choice);
    let _ = diag::emit(&mut stderr, std::path::Path::new("."), &[diagnostic]);
    code
}

fn translations(action: Option<TranslationsAction>, root: &std::path::Path, how: &Reporting) -> i32 {
    use crate::commands::translations as t;
    let result = match action {
        None => t::status(root, how.json),
        Some(TranslationsAction::Mark { lang, articles, root }) => t::mark(&root, &lang, &articles)
            .map(|marked| marked.iter().map(|m| format!("marked {m} as current\n")).collect::<String>()),
        Some(TranslationsAction::Diff { lang, article, root }) => t::diff(&root, &lang, &article),
    };
    match result {
        Ok(text) => {
            if !how.quiet || how.json {
                print!("{text}");
            }
            EXIT_OK
        }
        Err(d) => {
            let code = if d.lint.is_configuration() { EXIT_USAGE } else { EXIT_FAILED };
            fail_early(how, d, code)
        }
    }
}

fn review(options: &crate::commands::review::Options, how: &Reporting, levels: &lint::CliLevels) -> i32 {
    let reviewed = crate::commands::review::review(options);
    let mut stderr = StandardStream::stderr(how.choice);
    let mut diagnostics = reviewed.diagnostics.clone();
    // `--deny review-change` makes a proof with changes fail, for scripts.
    for d in &mut diagnostics {
        if let Some((_, level)) = levels.levels.iter().rev().find(|(name, _)| name == d.name())
            && !d.is_error()
            && *level == lint::Level::Deny
        {
            d.severity = diag::Severity::Error;
        }
    }
    diagnostics.retain(|d| {
        d.is_error() || !levels.levels.iter().any(|(name, level)| name == d.name() && *level == lint::Level::Allow)
    });
    let root = reviewed_root(&options.root);
    let _ = print_grouped(&mut stderr, &root, &diagnostics, how.verbose);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let code = if !failed {
        EXIT_OK
    } else if reviewed.config_error {
        EXIT_USAGE
    } else {
        EXIT_FAILED
    };
    if how.json {
        println!("{}", crate::commands::review::json(&reviewed, &diagnostics, code));
    }
    if !how.quiet {
        for applied in &reviewed.applied {
            let n = applied.changes;
            println!("applied {n} change{} to {}", if n == 1 { "" } else { "s" }, applied.source.display());
        }
        println!(
            "reviewed {} proof{}: {}",
            reviewed.proofs,
            if reviewed.proofs == 1 { "" } else { "s" },
            counts(&diagnostics)
        );
    }
    code
}

/// The report root for showing diagnostics' source lines.
fn reviewed_root(root: &std::path::Path) -> std::path::PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

fn import(options: &crate::commands::import::ImportOptions, how: &Reporting) -> i32 {
    let outcome = crate::commands::import::import(options);
    let mut stderr = StandardStream::stderr(how.choice);
    let (diagnostics, code) = shown_diagnostics(
        &mut stderr,
        std::path::Path::new("."),
        &outcome.diagnostics,
        (outcome.failed(), outcome.config_error),
        how,
    );
    if how.json {
        println!("{}", crate::commands::summary::import_json(&outcome, &diagnostics, code));
    }
    if outcome.failed() {
        let _ = writeln!(stderr, "error: import failed with {}; nothing was written", counts(&diagnostics));
        return code;
    }
    if !how.quiet {
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = |p: &std::path::Path| p.strip_prefix(&cwd).unwrap_or(p).display().to_string();
        let many = |n: usize, one: &str, more: &str| format!("{n} {}", if n == 1 { one } else { more });
        for done in &outcome.imported {
            let mut detail = vec![many(done.images.len(), "image", "images")];
            if done.references > 0 {
                detail.push(many(done.references, "work cited", "works cited"));
            }
            if done.comments > 0 {
                detail.push(many(done.comments, "comment", "comments"));
            }
            println!("wrote {} from {} ({})", shown(&done.markdown), shown(&done.source), detail.join(", "));
        }
        if let Some(bib) = outcome.imported.iter().find_map(|i| i.bibliography.as_ref()) {
            println!("added the works cited to {}", shown(bib));
        }
        if let Some(bib) = &outcome.suggest_bibliography {
            println!("add to [book] in book.toml: bibliography = \"{bib}\"");
        }
        let entries: Vec<String> =
            outcome.imported.iter().filter_map(|i| i.entry.as_ref()).map(|e| format!("\"{e}\"")).collect();
        match &outcome.part {
            Some(part) => println!("added {} to the part \"{part}\" in book.toml", entries.join(", ")),
            None if !entries.is_empty() => {
                println!("add to a part's articles in book.toml: {}", entries.join(", "))
            }
            None => println!("move the markdown into the report's src folder to list it in book.toml"),
        }
        let warnings = diagnostics.len();
        if warnings > 0 {
            println!(
                "{}: read them above; the comments are in the markdown as <!-- ... -->",
                counts(&diagnostics).trim_start_matches("0 errors, ")
            );
        }
    }
    code
}

fn init(dir: &std::path::Path, how: &Reporting) -> i32 {
    match crate::commands::init::init(dir) {
        Ok(files) => {
            if !how.quiet {
                for file in &files {
                    println!("created {}", file.display());
                }
                let arg = if dir == std::path::Path::new(".") { String::new() } else { format!(" {}", dir.display()) };
                println!("next: coala-report build{arg}   (or: coala-report watch{arg} --serve)");
            }
            EXIT_OK
        }
        Err(d) => fail_early(how, d, EXIT_USAGE),
    }
}

fn watch(options: BuildOptions, serve: Option<u16>, open: bool, how: &Reporting) -> i32 {
    use crate::commands::serve;
    let root_arg = options.root.clone();
    let mut served = None;
    if let Some(port) = serve {
        let out = match crate::config::Config::load(&options.root) {
            Ok(config) => config.out_dir(options.out.as_deref()),
            // A broken manifest: watch reports it; serve where it would build.
            Err(_) => options.out.clone().unwrap_or_else(|| options.root.join("build")),
        };
        let _ = std::fs::create_dir_all(&out);
        let live = serve::Live::new();
        match serve::spawn(out.clone(), port, live.clone()) {
            Ok(addr) => {
                if !how.json {
                    println!("serving {} on http://{addr}/ (page preview: http://{addr}/_coala/preview)", out.display())
                }
                served = Some((addr, live));
            }
            Err(err) => {
                let d = Diagnostic::new(&lint::INVALID_MANIFEST, format!("cannot serve on 127.0.0.1:{port}: {err}"))
                    .with_hint("choose another port with --port");
                return fail_early(how, d, EXIT_USAGE);
            }
        }
    }
    let display = progress::Display::choose(how.quiet, how.verbose);
    let live = served.as_ref().map(|(_, live)| live.as_ref());
    let progress = Previewing { display: &display, live };
    let mut on = |event: crate::commands::watch::Event| match event {
        crate::commands::watch::Event::Watching(watched) => {
            if !how.quiet {
                println!("watching {} for changes (Ctrl-C to stop)", watched.describe());
            }
            if open && let Some((addr, live)) = &served {
                let path = if live.has_pages() { "_coala/preview" } else { "" };
                let url = format!("http://{addr}/{path}");
                match open_browser(&url) {
                    Ok(how_opened) if !how.quiet => println!("opened {url} ({how_opened})"),
                    Ok(_) => {}
                    Err(why) => eprintln!("warning: cannot open a browser ({why}); open {url} yourself"),
                }
            }
        }
        crate::commands::watch::Event::Changed(paths) => {
            if !how.quiet {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                println!("changed: {}; rebuilding", names.join(", "));
            }
        }
        crate::commands::watch::Event::Built(outcome) => {
            // The browsers first (what is printed next may say "built in").
            if let Some(live) = live {
                live.built(outcome);
            }
            display.finish();
            finish(outcome, &root_arg, "build", how);
            if how.verbose
                && let Some(bytes) = crate::commands::watch::resident_memory()
            {
                eprintln!("  resident memory {} MiB", bytes / (1024 * 1024));
            }
        }
    };
    let session = Session::new(options.clone());
    match crate::commands::watch::watch(session, &progress, &mut on) {
        Ok(()) => EXIT_OK,
        Err(d) => fail_early(how, d, EXIT_USAGE),
    }
}

/// The display, and the preview server told of each typeset document.
struct Previewing<'a> {
    display: &'a progress::Display,
    live: Option<&'a crate::commands::serve::Live>,
}

impl pipeline::Progress for Previewing<'_> {
    fn start(&self, stage: Stage) {
        self.display.start(stage)
    }
    fn note(&self, text: &str) {
        self.display.note(text)
    }
    fn done(&self, stage: Stage, took: std::time::Duration, detail: &str) {
        self.display.done(stage, took, detail)
    }
    fn loaded(&self, article: &std::path::Path) {
        self.display.loaded(article)
    }
    fn typeset(&self, edition: Option<&str>, document: &typst_layout::PagedDocument) {
        if let Some(live) = self.live {
            let t = std::time::Instant::now();
            if let Some(diff) = live.typeset(edition, document) {
                let detail = format!("{} of {} pages changed", diff.changed.len(), diff.pages);
                self.display.done(Stage::Preview, t.elapsed(), &detail);
            }
        }
    }
}

/// Opens `url` in a browser: `$BROWSER` if set, else the system's opener
/// (`xdg-open`, `open`, `start`). Says which, or why it could not; never
/// waits for the browser.
fn open_browser(url: &str) -> Result<String, String> {
    use std::process::{Command, Stdio};
    let (program, args): (String, Vec<&str>) = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => (browser, vec![]),
        _ if cfg!(target_os = "macos") => ("open".into(), vec![]),
        _ if cfg!(windows) => ("cmd".into(), vec!["/C", "start", ""]),
        _ => ("xdg-open".into(), vec![]),
    };
    let mut child = Command::new(&program)
        .args(&args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("`{program}`: {e}"))?;
    // Reaped in the background: an opener may stay while the browser runs.
    std::thread::spawn(move || child.wait());
    Ok(program)
}

/// How many diagnostics of one name are printed in full (the rest are
/// counted; `--verbose` prints all).
const SHOWN_PER_NAME: usize = 3;

fn finish(outcome: &pipeline::Outcome, root_arg: &std::path::Path, command: &str, how: &Reporting) -> i32 {
    let quiet = how.quiet;
    let mut stderr = StandardStream::stderr(how.choice);
    let root = outcome.root.clone().unwrap_or_else(|| root_arg.to_path_buf());
    let (diagnostics, code) =
        shown_diagnostics(&mut stderr, &root, &outcome.diagnostics, (outcome.failed(), outcome.config_error), how);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if how.json {
        println!("{}", crate::commands::summary::json(command, outcome, &diagnostics, code));
    }
    if outcome.failed() {
        let what = if command == "build" { "build failed" } else { "check failed" };
        let tail = if command == "build" { "; no artifact was replaced" } else { "" };
        let _ = writeln!(stderr, "error: {what} with {}{tail}", counts(&diagnostics));
        return code;
    }
    if command == "check" {
        if !quiet {
            println!("checked: {}", counts(&diagnostics));
        }
        return code;
    }
    if !quiet {
        let cwd = std::env::current_dir().unwrap_or_default();
        for artifact in &outcome.artifacts {
            let shown = artifact.path.strip_prefix(&cwd).unwrap_or(&artifact.path);
            let pages = artifact.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
            println!(
                "wrote {} ({}, {} KiB{pages})",
                shown.display(),
                artifact.kind.name(),
                artifact.bytes.div_ceil(1024)
            );
        }
        let total = outcome.total().map(|d| d.as_secs_f64()).unwrap_or(0.0);
        let stages: Vec<String> = outcome
            .timings
            .iter()
            .filter(|t| t.stage != Stage::Total)
            .map(|t| format!("{} {:.2}s", t.stage.name(), t.duration.as_secs_f64()))
            .collect();
        println!(
            "built in {total:.2}s ({}){}",
            stages.join(", "),
            if warnings > 0 {
                format!(", {}", counts(&diagnostics).trim_start_matches("0 errors, "))
            } else {
                String::new()
            }
        );
    }
    code
}

/// Prints an outcome's diagnostics, warnings first, then errors (the last
/// thing on screen), each in source order; returns them in that order with
/// the exit code that `(failed, config_error)` makes.
fn shown_diagnostics(
    stderr: &mut StandardStream,
    root: &std::path::Path,
    diagnostics: &[Diagnostic],
    (failed, config_error): (bool, bool),
    how: &Reporting,
) -> (Vec<Diagnostic>, i32) {
    let mut diagnostics = diagnostics.to_vec();
    diagnostics.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| (&a.file, a.line).cmp(&(&b.file, b.line))));
    let _ = print_grouped(stderr, root, &diagnostics, how.verbose);
    let code = if !failed {
        EXIT_OK
    } else if config_error {
        EXIT_USAGE
    } else {
        EXIT_FAILED
    };
    (diagnostics, code)
}

/// Prints the diagnostics; unless `all`, only the first few of each name
/// and severity in full, then a line counting the rest.
fn print_grouped(
    out: &mut StandardStream,
    root: &std::path::Path,
    diagnostics: &[Diagnostic],
    all: bool,
) -> std::io::Result<()> {
    let mut seen: std::collections::HashMap<(&str, bool), usize> = std::collections::HashMap::new();
    let mut shown = Vec::new();
    for d in diagnostics {
        let n = seen.entry((d.name(), d.is_error())).or_default();
        *n += 1;
        if all || *n <= SHOWN_PER_NAME {
            shown.push(d.clone());
        }
    }
    // Each severity's diagnostics, then its "and N more" lines.
    for errors in [false, true] {
        let group: Vec<Diagnostic> = shown.iter().filter(|d| d.is_error() == errors).cloned().collect();
        diag::emit(out, root, &group)?;
        let mut names: Vec<(&str, usize)> = seen
            .iter()
            .filter(|((_, e), n)| *e == errors && **n > SHOWN_PER_NAME)
            .map(|((name, _), n)| (*name, *n))
            .collect();
        names.sort();
        if all {
            continue;
        }
        for (name, n) in names {
            let kind = if errors { "error" } else { "warning" };
            writeln!(out, "{kind}[{name}]: ... and {} more {name} {kind}s; --verbose shows all", n - SHOWN_PER_NAME)?;
        }
    }
    Ok(())
}

/// "2 errors (1 missing-image, 1 broken-anchor), 502 warnings (365
/// link-outside-report, ...)": the counts by severity and name.
fn counts(diagnostics: &[Diagnostic]) -> String {
    let mut parts = Vec::new();
    for (errors, one, many) in [(true, "error", "errors"), (false, "warning", "warnings")] {
        let mut by_name: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for d in diagnostics.iter().filter(|d| d.is_error() == errors) {
            *by_name.entry(d.name()).or_default() += 1;
        }
        let total: usize = by_name.values().sum();
        let mut names: Vec<(&str, usize)> = by_name.into_iter().collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let detail: Vec<String> = names.iter().map(|(name, n)| format!("{n} {name}")).collect();
        let word = if total == 1 { one } else { many };
        parts.push(if detail.is_empty() {
            format!("{total} {word}")
        } else {
            format!("{total} {word} ({})", detail.join(", "))
        });
    }
    parts.join(", ")
}
