//! How a build shows its stages: a live display on a terminal (indicatif),
//! one line per stage and article with `--verbose`, nothing otherwise (the
//! command prints one summary line per artifact at the end).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::{Progress, Stage};

/// What a person reads for a stage.
pub fn label(stage: Stage) -> &'static str {
    match stage {
        Stage::Convert => "convert to Typst",
        Stage::PdfExport => "write PDF",
        Stage::Epub => "write EPUB",
        Stage::Offprints => "typeset offprints",
        Stage::Write => "save artifacts",
        Stage::Links => "check links",
        Stage::Preview => "page preview",
        other => other.name(),
    }
}

/// The display a command chose.
pub enum Display {
    /// Nothing while building.
    Silent,
    /// A line on stderr for each article loaded and each stage done.
    Verbose,
    /// Spinners on the terminal, one per running stage, cleared at the end.
    Live(Live),
}

impl Display {
    /// Live on a terminal, verbose if asked, else silent.
    pub fn choose(quiet: bool, verbose: bool) -> Display {
        if quiet {
            Display::Silent
        } else if verbose {
            Display::Verbose
        } else if std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("TERM") != Some("dumb".into())
        {
            Display::Live(Live::new())
        } else {
            Display::Silent
        }
    }

    /// Clears what the live display left on screen.
    pub fn finish(&self) {
        if let Display::Live(live) = self {
            live.clear();
        }
    }
}

impl Progress for Display {
    fn start(&self, stage: Stage) {
        if let Display::Live(live) = self {
            live.start(stage);
        }
    }

    fn done(&self, stage: Stage, took: Duration, detail: &str) {
        match self {
            Display::Silent => {}
            Display::Verbose => {
                let detail = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
                let _ = writeln!(std::io::stderr(), "  {:<18} {:>7.3}s{detail}", label(stage), took.as_secs_f64());
            }
            Display::Live(live) => live.done(stage, took, detail),
        }
    }

    fn note(&self, text: &str) {
        if let Display::Verbose = self {
            let _ = writeln!(std::io::stderr(), "  {text}");
        }
    }

    fn loaded(&self, article: &Path) {
        if let Display::Verbose = self {
            let _ = writeln!(std::io::stderr(), "  loaded {}", article.display());
        }
    }

    fn count(&self, stage: Stage, done: usize, total: usize) {
        if let Display::Live(live) = self {
            live.count(stage, done, total);
        }
    }
}

/// The terminal display: one spinner per running stage.
pub struct Live {
    multi: MultiProgress,
    bars: Mutex<HashMap<Stage, ProgressBar>>,
}

impl Live {
    fn new() -> Live {
        Live { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()), bars: Mutex::new(HashMap::new()) }
    }

    fn start(&self, stage: Stage) {
        let style = ProgressStyle::with_template("{spinner} {msg} {elapsed_precise:.dim}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.add(ProgressBar::new_spinner().with_style(style).with_message(label(stage).to_string()));
        bar.enable_steady_tick(Duration::from_millis(80));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(stage, bar);
        }
    }

    fn done(&self, stage: Stage, took: Duration, detail: &str) {
        let bar = self.bars.lock().ok().and_then(|bars| bars.get(&stage).cloned());
        if let Some(bar) = bar {
            let detail = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
            let style = ProgressStyle::with_template("  {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.finish_with_message(format!("{:<18} {:>6.2}s{detail}", label(stage), took.as_secs_f64()));
        }
    }

    fn count(&self, stage: Stage, done: usize, total: usize) {
        let bar = self.bars.lock().ok().and_then(|bars| bars.get(&stage).cloned());
        if let Some(bar) = bar {
            bar.set_message(format!("{} {done}/{total}", label(stage)));
        }
    }

    fn clear(&self) {
        if let Ok(mut bars) = self.bars.lock() {
            for (_, bar) in bars.drain() {
                bar.finish_and_clear();
            }
        }
        let _ = self.multi.clear();
    }
}
