//! `watch`: builds, then rebuilds on every change to `book.toml`, the
//! articles folder and the template's folder. One build session — one typst
//! world — lives across rebuilds, so typst's incremental compilation reuses
//! whatever an edit did not touch; typst's memo cache is evicted after each
//! rebuild so memory stays flat. Outputs are written atomically by the build:
//! stopping watch at any moment leaves no half-written file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use crate::config::MANIFEST;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::pipeline::{Outcome, Progress, Session};

/// How long the sources must stay quiet before a rebuild: an editor's save
/// (temporary file, rename, attributes: a few milliseconds) and a `git
/// checkout` are one change. Every event restarts the wait, so a long write
/// is one change too; a rebuild that starts too early is followed by the
/// next. It is part of the time from a save to the page preview, hence
/// short.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// Memoized results unused for this many rebuilds are evicted.
const EVICT_AGE: usize = 10;

/// What watch looks at, derived from the manifest (re-read after each build).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    /// The report root: watched alone (not its subfolders) for `book.toml`.
    pub root: PathBuf,
    /// Folders watched with everything in them: the articles, the template's.
    pub folders: BTreeSet<PathBuf>,
    /// Changes here are the build's own and never trigger a rebuild.
    pub out_dir: PathBuf,
    /// Whether the articles are in the root itself (`src = "."`): then every
    /// file directly in the root counts, not only book.toml.
    pub articles_in_root: bool,
}

impl Watched {
    /// The folders to watch for the report in `root`; with a broken
    /// manifest, the defaults (`report/`, `styles/`).
    pub fn of(root: &Root, out: Option<&Path>) -> Watched {
        let config = crate::config::Config::load(root.path()).ok();
        let (src, style, cover) = match &config {
            Some(c) => (c.manifest.book.src.clone(), c.manifest.build.style.clone(), c.manifest.book.cover.clone()),
            None => ("report".into(), None, None),
        };
        let mut folders = BTreeSet::new();
        let canonical = |rel: &str| root.resolve(rel).ok().and_then(|p| p.canonicalize().ok());
        let articles_in_root = canonical(&src).as_deref() == Some(root.path());
        let mut add = |rel: &str| {
            if let Some(path) = canonical(rel)
                && path.is_dir()
                && path != root.path()
            {
                folders.insert(path);
            }
        };
        add(&src);
        add("styles");
        for file in [style, cover].into_iter().flatten() {
            if let Some(parent) = Path::new(&file).parent().and_then(|p| p.to_str()).filter(|p| !p.is_empty()) {
                add(parent);
            }
        }
        let out = out.map(|out| std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf()));
        let out_dir = match &config {
            Some(c) => c.out_dir(out.as_deref()),
            None => out.unwrap_or_else(|| root.path().join("build")),
        };
        Watched { root: root.path().to_path_buf(), folders, out_dir, articles_in_root }
    }

    /// Whether a change to `path` calls for a rebuild.
    pub fn is_relevant(&self, path: &Path) -> bool {
        if path.starts_with(&self.out_dir) {
            return false;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Editors' swap, backup and probe files; our own temporary files.
        // Word's lock files (`~$brief.docx`) and temporary files (`~WRL0001.tmp`).
        if name.starts_with('.') || name.ends_with('~') || name == "4913" || name.starts_with('~') {
            return false;
        }
        path == self.root.join(MANIFEST)
            || path == self.root.join(crate::input::translations::LOCK)
            || (self.articles_in_root && path.parent() == Some(self.root.as_path()))
            || self.folders.iter().any(|f| path.starts_with(f))
    }

    /// Short names of what is watched, for the banner.
    pub fn describe(&self) -> String {
        let mut names = vec![MANIFEST.to_string()];
        for folder in &self.folders {
            let rel = folder.strip_prefix(&self.root).unwrap_or(folder);
            names.push(format!("{}/", rel.display()));
        }
        names.join(", ")
    }
}

/// Whether a notify event is a change of content or name (not a read).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Other => false,
    }
}

/// What the caller is told.
pub enum Event<'a> {
    /// Watching began (after the first build).
    Watching(&'a Watched),
    /// A rebuild is starting because these files changed.
    Changed(&'a [PathBuf]),
    /// A build finished (the first one included).
    Built(&'a Outcome),
}

/// Builds, then rebuilds on every change, until the process is stopped.
/// Returns only when watching cannot start or goes on no more.
pub fn watch(mut session: Session, progress: &dyn Progress, on: &mut dyn FnMut(Event)) -> Result<(), Diagnostic> {
    let root = Root::new(&session.options().root)?;
    if !root.path().join(MANIFEST).is_file() {
        return Err(Diagnostic::new(
            &lint::INVALID_MANIFEST,
            format!("no `{MANIFEST}` in `{}`", root.path().display()),
        )
        .with_hint("run coala-report watch in the report's folder, or pass it: coala-report watch PATH"));
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| watch_error(&e))?;

    let mut watched: Option<Watched> = None;
    let mut changed: Vec<PathBuf> = Vec::new();
    loop {
        // Watch first, then build: a change made during the build is seen.
        let now = Watched::of(&root, session.options().out.as_deref());
        if watched.as_ref() != Some(&now) {
            if let Some(old) = &watched {
                let _ = watcher.unwatch(&old.root);
                for folder in &old.folders {
                    let _ = watcher.unwatch(folder);
                }
            }
            watcher.watch(&now.root, RecursiveMode::NonRecursive).map_err(|e| watch_error(&e))?;
            for folder in &now.folders {
                watcher.watch(folder, RecursiveMode::Recursive).map_err(|e| watch_error(&e))?;
            }
            watched = Some(now);
        }
        let watched = watched.as_ref().expect("set above");
        if !changed.is_empty() {
            on(Event::Changed(&changed));
        }
        let outcome = session.build(progress);
        on(Event::Built(&outcome));
        drop(outcome);
        typst::comemo::evict(EVICT_AGE);
        if session.builds() == 1 {
            on(Event::Watching(watched));
        }

        // Wait for a relevant change, then for DEBOUNCE of quiet.
        changed.clear();
        let take = |event: notify::Result<notify::Event>, changed: &mut Vec<PathBuf>| {
            if let Ok(event) = event
                && is_change(&event.kind)
            {
                for path in event.paths {
                    if watched.is_relevant(&path) && !changed.contains(&path) {
                        changed.push(path);
                    }
                }
            }
        };
        while changed.is_empty() {
            match rx.recv() {
                Ok(event) => take(event, &mut changed),
                Err(_) => return Ok(()),
            }
        }
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(event) => take(event, &mut changed),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        for path in &mut changed {
            if let Ok(rel) = path.strip_prefix(&watched.root) {
                *path = rel.to_path_buf();
            }
        }
    }
}

fn watch_error(err: &notify::Error) -> Diagnostic {
    Diagnostic::new(&lint::INTERNAL_ERROR, format!("cannot watch the report's files: {err}")).with_hint(
        "on Linux, raise the inotify limits (sysctl fs.inotify.max_user_watches / max_user_instances) or close \
         other watchers",
    )
}

/// The process's resident memory in bytes, where the system tells it (Linux).
pub fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_paths() {
        let w = Watched {
            root: "/r".into(),
            folders: ["/r/report".into(), "/r/styles".into()].into_iter().collect(),
            out_dir: "/r/build".into(),
            articles_in_root: false,
        };
        assert!(w.is_relevant(Path::new("/r/book.toml")));
        // A translation marked current: its warning goes.
        assert!(w.is_relevant(Path::new("/r/translations.lock")));
        assert!(w.is_relevant(Path::new("/r/report/a.md")));
        assert!(w.is_relevant(Path::new("/r/report/images/x.png")));
        assert!(w.is_relevant(Path::new("/r/styles/report.typ")));
        assert!(!w.is_relevant(Path::new("/r/build/report.pdf")));
        assert!(!w.is_relevant(Path::new("/r/README.md")));
        assert!(!w.is_relevant(Path::new("/r/report/.a.md.swp")));
        assert!(!w.is_relevant(Path::new("/r/report/a.md~")));
        assert!(!is_change(&EventKind::Access(notify::event::AccessKind::Any)));
        assert_eq!(w.describe(), "book.toml, report/, styles/");
    }
}
